package infra

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

func TestServerCountIsHonoured(t *testing.T) {
	for _, n := range []int{1, 3, 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := deploy(t, testConfig(n, 1), false)
			var servers []string
			for _, vm := range r.mocks.ofType(tVM) {
				if strings.HasPrefix(vm.Name, "consul-server-") {
					servers = append(servers, vm.Name)
				}
			}
			assert.Len(t, servers, n)
			assert.Len(t, r.mocks.ofType("ragmesh:infra:ConsulServer"), n)
			assert.Len(t, r.mocks.ofType(tRoleAssignment), n, "one NIC reader per server")
		})
	}
}

func TestAppVMCountIsHonoured(t *testing.T) {
	for _, n := range []int{1, 2, 4} {
		r := deploy(t, testConfig(1, n), false)
		assert.Len(t, r.mocks.ofType("ragmesh:infra:AppVM"), n)
		assert.Len(t, r.mocks.ofType(tVM), 1+n+1)
	}
}

func TestVMsUseTheConfiguredImageSizeAndIdentity(t *testing.T) {
	cfg := testConfig(1, 1)
	r := deploy(t, cfg, false)
	sizes := map[string]string{"consul-server-0-vm": "Standard_B1ms", "app-0-vm": "Standard_B2s", "chroma-vm": "Standard_B4ms"}
	for name, size := range sizes {
		vm := r.mocks.named(tVM, name)
		assert.Equal(t, size, vm.Inputs["hardwareProfile"].(map[string]any)["vmSize"], name)
		assert.Equal(t, "SystemAssigned", vm.Inputs["identity"].(map[string]any)["type"], name)
		image := vm.Inputs["storageProfile"].(map[string]any)["imageReference"].(map[string]any)
		assert.Equal(t, map[string]any{"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest"}, image)
		os := vm.Inputs["osProfile"].(map[string]any)
		assert.Equal(t, "ragmesh", os["adminUsername"])
		assert.Equal(t, strings.TrimSuffix(name, "-vm"), os["computerName"])
		key := os["linuxConfiguration"].(map[string]any)["ssh"].(map[string]any)["publicKeys"].([]any)[0].(map[string]any)
		assert.Equal(t, "/home/ragmesh/.ssh/authorized_keys", key["path"])
		assert.Equal(t, "ragmesh-test-"+strings.TrimSuffix(name, "-vm"), vm.Inputs["vmName"])
		osDisk := vm.Inputs["storageProfile"].(map[string]any)["osDisk"].(map[string]any)
		assert.Equal(t, "FromImage", osDisk["createOption"])
		assert.Equal(t, map[string]any{"owner": "search-team", "ragmesh-stack": "ragmesh-test"}, vm.Inputs["tags"])
	}
}

func TestImageComesFromConfig(t *testing.T) {
	cfg := testConfig(1, 1)
	cfg.Azure.Image = config.Image{Publisher: "Canonical", Offer: "0001-com-ubuntu-server-jammy", Sku: "22_04-lts-gen2", Version: "22.04.202401010"}
	for _, vm := range deploy(t, cfg, false).mocks.ofType(tVM) {
		assert.Equal(t, "22.04.202401010", vm.Inputs["storageProfile"].(map[string]any)["imageReference"].(map[string]any)["version"])
	}
}

func TestNICsSitInTheirRoleSubnet(t *testing.T) {
	r := deploy(t, testConfig(3, 2), false)
	for _, nic := range r.mocks.ofType(tNIC) {
		ip := nic.Inputs["ipConfigurations"].([]any)[0].(map[string]any)
		subnet := ip["subnet"].(map[string]any)["id"].(string)
		want := "network-subnet-app"
		if nic.Name == "chroma-nic" {
			want = "network-subnet-data"
		}
		assert.True(t, strings.HasSuffix(subnet, "/"+want), "%s in %s", nic.Name, subnet)
		assert.Equal(t, "Dynamic", ip["privateIPAllocationMethod"])
	}
}

func TestServersMayReadTheNICsOfTheirResourceGroup(t *testing.T) {
	r := deploy(t, testConfig(3, 1), false)
	ras := r.mocks.ofType(tRoleAssignment)
	require.Len(t, ras, 3)
	for _, ra := range ras {
		assert.Equal(t, "/subscriptions/"+testSubscription+"/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7", ra.Inputs["roleDefinitionId"])
		assert.Equal(t, r.outputs["resourceGroupId"].Value, ra.Inputs["scope"], "scoped to the resource group, not the subscription")
		assert.Equal(t, "ServicePrincipal", ra.Inputs["principalType"])
		assert.True(t, strings.HasPrefix(ra.Inputs["principalId"].(string), "principal-consul-server-"), "granted to a server's identity")
	}
	for _, h := range r.hosts {
		if h.Role != hosts.ConsulServer {
			for _, urn := range h.ReadyURNs {
				assert.NotContains(t, urn, "RoleAssignment", "%s gets no Azure read access", h.Name)
			}
		}
	}
}
