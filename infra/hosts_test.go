package infra

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

func TestHostsHaveStableNamesRolesAndPrivateAddresses(t *testing.T) {
	r := deploy(t, testConfig(3, 2), false)
	var got []string
	for _, h := range r.hosts {
		got = append(got, string(h.Role)+"/"+h.Name)
		assert.True(t, h.Address.Known)
		assert.Regexp(t, `^10\.0\.[12]\.\d+$`, h.Address.Value)
	}
	assert.Equal(t, []string{
		"consul-server/consul-server-0", "consul-server/consul-server-1", "consul-server/consul-server-2",
		"app/app-0", "app/app-1", "chroma/chroma",
	}, got)
	assert.Regexp(t, `^10\.0\.2\.`, r.hosts[5].Address.Value, "chroma sits in the data subnet")

	set := hosts.Set{}
	for _, h := range r.hosts {
		set = append(set, h.Host)
	}
	assert.NoError(t, set.Check())
}

func TestHostConnectionUsesThePrivateAddressAdminUserAndSecretKey(t *testing.T) {
	r := deploy(t, testConfig(1, 1), false)
	for _, h := range r.hosts {
		c := h.connection()
		assert.Equal(t, h.Address.Value, c.Host, h.Name)
		require.NotNil(t, c.User)
		assert.Equal(t, "ragmesh", *c.User)
		require.NotNil(t, c.PrivateKey)
		assert.Equal(t, testPrivateKey, *c.PrivateKey)
		assert.True(t, h.Connection.Secret, "%s: the connection carries the private key, so it is secret", h.Name)
		assert.Nil(t, c.Password)
		assert.Nil(t, c.Proxy, "no jump host configured")
	}
}

func TestHostConnectionGoesThroughTheJumpHost(t *testing.T) {
	cfg := testConfig(1, 1)
	cfg.Azure.JumpHost = &config.JumpHost{Host: "10.20.0.4", User: "bastion", Port: 2222}
	r := deploy(t, cfg, false)
	for _, h := range r.hosts {
		p := h.connection().Proxy
		require.NotNil(t, p, h.Name)
		assert.Equal(t, "10.20.0.4", p.Host)
		assert.Equal(t, "bastion", *p.User)
		assert.Equal(t, float64(2222), *p.Port)
		assert.Equal(t, testPrivateKey, *p.PrivateKey)
	}

	cfg.Azure.JumpHost = &config.JumpHost{Host: "10.20.0.4"}
	p := deploy(t, cfg, false).hosts[0].connection().Proxy
	assert.Equal(t, "ragmesh", *p.User, "the jump host defaults to the admin user")
	assert.Nil(t, p.Port, "and to port 22")
}

// TestNothingConnectsToAVMBeforeItExists checks the dependency edges that hold the provisioners back.
func TestNothingConnectsToAVMBeforeItExists(t *testing.T) {
	r := deploy(t, testConfig(3, 2), false)
	for _, h := range r.hosts {
		vm := r.mocks.named(tVM, h.Name+"-vm")
		assert.Contains(t, h.ReadyURNs, vm.URN, "%s: Ready holds its VM", h.Name)
		if h.Role == hosts.ConsulServer {
			ra := r.mocks.named(tRoleAssignment, h.Name+"-nic-reader")
			assert.Contains(t, h.ReadyURNs, ra.URN, "%s: auto-join needs read access first", h.Name)
			assert.Contains(t, ra.Dependencies, vm.URN)
		}
		nic := r.mocks.named(tNIC, h.Name+"-nic")
		assert.Contains(t, vm.Dependencies, nic.URN, "%s: the VM waits for its NIC", h.Name)
		for _, s := range r.mocks.ofType(tSubnet) {
			assert.Contains(t, nic.Dependencies, s.URN, "%s: the NIC waits for the subnets", h.Name)
		}
	}
}
