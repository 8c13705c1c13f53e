package infra

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests state the network's security invariants one by one, over every NSG the stack declares
// (one per role on the NICs, one per subnet), for every supported server count.

// internetSources are the spellings of "anywhere" an NSG accepts.
var internetSources = []string{"*", "Internet", "Any", "0.0.0.0/0", "0.0.0.0", "::/0"}

func deployAll(t *testing.T) []result {
	var out []result
	for _, servers := range []int{1, 3, 5} {
		out = append(out, deploy(t, testConfig(servers, 2), false))
	}
	return out
}

func allowRules(nsg registered) []map[string]any {
	var out []map[string]any
	for _, r := range rules(nsg) {
		if r["access"] == "Allow" {
			out = append(out, r)
		}
	}
	return out
}

// portsOf lists every port a rule names, from the single field or the list field.
func portsOf(rule map[string]any) []string {
	var ports []string
	if p, ok := rule["destinationPortRange"].(string); ok {
		ports = append(ports, p)
	}
	if ps, ok := rule["destinationPortRanges"].([]any); ok {
		for _, p := range ps {
			ports = append(ports, p.(string))
		}
	}
	return ports
}

// covers reports whether a port spec ("22", "21000-21255", "*") includes port.
func covers(spec string, port int) bool {
	if spec == "*" {
		return true
	}
	var lo, hi int
	if n, _ := fmt.Sscanf(spec, "%d-%d", &lo, &hi); n == 2 {
		return lo <= port && port <= hi
	}
	_, err := fmt.Sscanf(spec, "%d", &lo)
	return err == nil && lo == port
}

func admits(rule map[string]any, port int) bool {
	for _, p := range portsOf(rule) {
		if covers(p, port) {
			return true
		}
	}
	return false
}

func TestNoNSGRuleAdmitsTheInternet(t *testing.T) {
	for _, r := range deployAll(t) {
		for _, nsg := range r.mocks.ofType(tNSG) {
			for _, rule := range allowRules(nsg) {
				assert.NotContains(t, internetSources, rule["sourceAddressPrefix"], "%s/%s", nsg.Name, rule["name"])
				assert.Nil(t, rule["sourceAddressPrefixes"], "%s/%s: sources are single, checked prefixes", nsg.Name, rule["name"])
				assert.Equal(t, "Inbound", rule["direction"])
			}
		}
	}
}

func TestEveryNSGDeniesTheInternetAndOtherVNetTraffic(t *testing.T) {
	for _, nsg := range deploy(t, testConfig(1, 1), false).mocks.ofType(tNSG) {
		denied := map[string]bool{}
		maxAllow := 0
		for _, rule := range rules(nsg) {
			p := int(rule["priority"].(float64))
			if rule["access"] == "Deny" && rule["destinationPortRange"] == "*" {
				denied[rule["sourceAddressPrefix"].(string)] = true
			}
			if rule["access"] == "Allow" && p > maxAllow {
				maxAllow = p
			}
		}
		assert.True(t, denied["VirtualNetwork"], "%s denies other VNet inbound", nsg.Name)
		assert.True(t, denied["Internet"], "%s denies the internet", nsg.Name)
		assert.True(t, denied["*"], "%s ends with deny-all", nsg.Name)
		assert.Less(t, maxAllow, 4000, "%s: every allow comes before the denies", nsg.Name)
	}
}

func TestNoPublicIPAnywhere(t *testing.T) {
	for _, r := range deployAll(t) {
		for _, res := range r.mocks.res {
			assert.NotContains(t, res.Type, "PublicIPAddress", res.Name)
			walk(res.Inputs, func(key string, _ any) {
				assert.NotEqual(t, "publicIPAddress", key, "%s %s", res.Type, res.Name)
				assert.NotEqual(t, "publicIPAddressConfiguration", key, "%s %s", res.Type, res.Name)
			})
		}
	}
}

func TestChromaPort8000IsNeverOpened(t *testing.T) {
	for _, r := range deployAll(t) {
		for _, nsg := range r.mocks.ofType(tNSG) {
			for _, rule := range allowRules(nsg) {
				assert.False(t, admits(rule, 8000), "%s/%s admits 8000", nsg.Name, rule["name"])
			}
		}
	}
}

func TestSSHAndConsulAPIOnlyFromOperatorCidr(t *testing.T) {
	cfg := testConfig(3, 1)
	r := deploy(t, cfg, false)
	for _, nsg := range r.mocks.ofType(tNSG) {
		sshAllowed := false
		for _, rule := range allowRules(nsg) {
			if admits(rule, 22) || admits(rule, 8501) {
				assert.Equal(t, cfg.Azure.OperatorCidr, rule["sourceAddressPrefix"], "%s/%s", nsg.Name, rule["name"])
			}
			sshAllowed = sshAllowed || admits(rule, 22)
		}
		assert.True(t, sshAllowed, "%s lets the operator in over SSH (remote commands need it)", nsg.Name)
	}
}

func TestConsulAPIOnlyReachesServerNICs(t *testing.T) {
	r := deploy(t, testConfig(3, 2), false)
	opens8501 := func(name string) bool {
		for _, rule := range allowRules(r.mocks.named(tNSG, name)) {
			if admits(rule, 8501) {
				return true
			}
		}
		return false
	}
	assert.True(t, opens8501("network-nsg-consul-server"))
	assert.False(t, opens8501("network-nsg-app"))
	assert.False(t, opens8501("network-nsg-chroma"))
	assert.False(t, opens8501("network-nsg-data-subnet"))

	serverNSG := r.mocks.named(tNSG, "network-nsg-consul-server")
	for _, nic := range r.mocks.ofType(tNIC) {
		nsgID := nic.Inputs["networkSecurityGroup"].(map[string]any)["id"].(string)
		isServer := strings.HasPrefix(nic.Name, "consul-server-")
		assert.Equal(t, isServer, strings.HasSuffix(nsgID, "/"+serverNSG.Name), "%s carries the server NSG only if it is a server", nic.Name)
	}
}

func TestMeshPortsOpenOnlyInsideTheVNet(t *testing.T) {
	cfg := testConfig(1, 1)
	r := deploy(t, cfg, false)
	want := map[string][]int{
		"network-nsg-consul-server": {8300, 8301},
		"network-nsg-app":           {8301, 21000, 21255},
		"network-nsg-chroma":        {8301, 21000, 21255},
	}
	for name, ports := range want {
		for _, port := range ports {
			found := false
			for _, rule := range allowRules(r.mocks.named(tNSG, name)) {
				if admits(rule, port) {
					found = true
					assert.Equal(t, cfg.Azure.VnetCidr, rule["sourceAddressPrefix"], "%s port %d", name, port)
				}
			}
			assert.True(t, found, "%s opens %d", name, port)
		}
	}
	udp := false
	for _, rule := range allowRules(r.mocks.named(tNSG, "network-nsg-app")) {
		udp = udp || (rule["protocol"] == "Udp" && admits(rule, 8301))
	}
	assert.True(t, udp, "LAN gossip needs 8301/udp too")
	for _, rule := range allowRules(r.mocks.named(tNSG, "network-nsg-consul-server")) {
		assert.False(t, admits(rule, 21000), "servers run no sidecars")
	}
	for _, name := range []string{"network-nsg-app", "network-nsg-chroma"} {
		for _, rule := range allowRules(r.mocks.named(tNSG, name)) {
			assert.False(t, admits(rule, 8300), "%s: only servers answer Consul RPC", name)
		}
	}
}

func TestEveryNICHasTheAutoJoinTagAndAnNSG(t *testing.T) {
	r := deploy(t, testConfig(3, 2), false)
	nics := r.mocks.ofType(tNIC)
	require.Len(t, nics, 3+2+1)
	for _, nic := range nics {
		tags := nic.Inputs["tags"].(map[string]any)
		assert.Equal(t, "ragmesh-test", tags[AutoJoinTagName], nic.Name)
		nsg, ok := nic.Inputs["networkSecurityGroup"].(map[string]any)
		require.True(t, ok, "%s has an NSG", nic.Name)
		assert.NotEmpty(t, nsg["id"], nic.Name)
	}
	for _, s := range r.mocks.ofType(tSubnet) {
		assert.NotEmpty(t, s.Inputs["networkSecurityGroup"].(map[string]any)["id"], "subnet %s has an NSG", s.Name)
	}
}

func TestVMsAcceptSSHKeysOnly(t *testing.T) {
	for _, vm := range deploy(t, testConfig(3, 2), false).mocks.ofType(tVM) {
		os := vm.Inputs["osProfile"].(map[string]any)
		assert.Nil(t, os["adminPassword"], vm.Name)
		linux := os["linuxConfiguration"].(map[string]any)
		assert.Equal(t, true, linux["disablePasswordAuthentication"], vm.Name)
		keys := linux["ssh"].(map[string]any)["publicKeys"].([]any)
		require.Len(t, keys, 1)
		assert.Equal(t, testKey, keys[0].(map[string]any)["keyData"])
		assert.Nil(t, os["customData"], "%s: no cloud-init; remote commands provision", vm.Name)
	}
}
