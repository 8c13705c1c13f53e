package infra

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResourceGroupIsCreatedWithLocationAndTags(t *testing.T) {
	r := deploy(t, testConfig(1, 1), false)
	groups := r.mocks.ofType(tResourceGroup)
	require.Len(t, groups, 1)
	rg := groups[0]
	assert.Equal(t, "ragmesh-test-rg", rg.Inputs["resourceGroupName"])
	assert.Equal(t, "westeurope", rg.Inputs["location"])
	assert.Equal(t, map[string]any{"owner": "search-team", "ragmesh-stack": "ragmesh-test"}, rg.Inputs["tags"])
}

func TestExistingResourceGroupIsLookedUpNotCreated(t *testing.T) {
	cfg := testConfig(1, 1)
	cfg.Azure.CreateResourceGroup = false
	cfg.Azure.ResourceGroupName = "shared-rg"
	r := deploy(t, cfg, false)
	assert.Empty(t, r.mocks.ofType(tResourceGroup))
	assert.Equal(t, "shared-rg", r.outputs["resourceGroupName"].Value)
	for _, res := range r.mocks.res {
		if name, ok := res.Inputs["resourceGroupName"]; ok {
			assert.Equal(t, "shared-rg", name, "%s %s lives in the existing group", res.Type, res.Name)
		}
	}
	ra := r.mocks.ofType(tRoleAssignment)
	require.NotEmpty(t, ra)
	assert.Equal(t, "/subscriptions/"+testSubscription+"/resourceGroups/shared-rg", ra[0].Inputs["scope"])
}

func TestVNetHasTheConfiguredSpaceAndNoInlineSubnets(t *testing.T) {
	cfg := testConfig(1, 1)
	cfg.Azure.VnetCidr = "10.8.0.0/16"
	cfg.Azure.AppSubnetCidr = "10.8.1.0/24"
	cfg.Azure.DataSubnetCidr = "10.8.2.0/26"
	r := deploy(t, cfg, false)
	vnets := r.mocks.ofType(tVnet)
	require.Len(t, vnets, 1)
	vnet := vnets[0]
	assert.Equal(t, []any{"10.8.0.0/16"}, vnet.Inputs["addressSpace"].(map[string]any)["addressPrefixes"])
	assert.Nil(t, vnet.Inputs["subnets"], "subnets are standalone resources only")

	subnets := r.mocks.ofType(tSubnet)
	require.Len(t, subnets, 2)
	app, data := r.mocks.named(tSubnet, "network-subnet-app"), r.mocks.named(tSubnet, "network-subnet-data")
	assert.Equal(t, "10.8.1.0/24", app.Inputs["addressPrefix"])
	assert.Equal(t, "10.8.2.0/26", data.Inputs["addressPrefix"])
	for _, s := range subnets {
		assert.Equal(t, "ragmesh-test-vnet", s.Inputs["virtualNetworkName"])
		assert.Contains(t, s.Dependencies, vnet.URN)
	}
	assert.Contains(t, data.Dependencies, app.URN, "Azure serialises subnet writes in one VNet")
}

func TestSubnetsCarryTheirOwnNSG(t *testing.T) {
	r := deploy(t, testConfig(1, 1), false)
	for subnet, nsg := range map[string]string{"network-subnet-app": "network-nsg-app-subnet", "network-subnet-data": "network-nsg-data-subnet"} {
		s := r.mocks.named(tSubnet, subnet)
		assert.Contains(t, s.Inputs["networkSecurityGroup"].(map[string]any)["id"], "/"+nsg)
		assert.Contains(t, s.Dependencies, r.mocks.named(tNSG, nsg).URN)
	}
}

func TestSubnetNSGAdmitsTheUnionOfItsRoles(t *testing.T) {
	names := func(rs []Rule) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	server := names(rulesFor("10.0.0.0/16", "10.20.0.0/24", "consul-server"))
	app := names(rulesFor("10.0.0.0/16", "10.20.0.0/24", "app"))
	subnet := names(rulesFor("10.0.0.0/16", "10.20.0.0/24", SubnetRoles(AppSubnet)...))
	for _, n := range append(server, app...) {
		assert.Contains(t, subnet, n)
	}
	assert.ElementsMatch(t, names(rulesFor("10.0.0.0/16", "10.20.0.0/24", "chroma")),
		names(rulesFor("10.0.0.0/16", "10.20.0.0/24", SubnetRoles(DataSubnet)...)))
}

func TestNetworkOutputsExist(t *testing.T) {
	r := deploy(t, testConfig(1, 1), false)
	for _, name := range []string{"resourceGroupName", "resourceGroupId", "vnetId", "appSubnetId", "dataSubnetId"} {
		out := r.outputs[name]
		assert.True(t, out.Known, name)
		assert.NotEmpty(t, out.Value, name)
	}
	assert.Contains(t, r.outputs["appSubnetId"].Value, "network-subnet-app")
	assert.Contains(t, r.outputs["dataSubnetId"].Value, "network-subnet-data")
}

func TestChildrenAreParentedToTheirComponent(t *testing.T) {
	r := deploy(t, testConfig(1, 1), false)
	components := map[string]string{}
	for _, res := range r.mocks.res {
		if len(res.Type) > len("ragmesh:infra:") && res.Type[:len("ragmesh:infra:")] == "ragmesh:infra:" {
			components[res.URN] = res.Type
		}
	}
	assert.ElementsMatch(t, []string{"ragmesh:infra:Network", "ragmesh:infra:ConsulServer", "ragmesh:infra:AppVM", "ragmesh:infra:ChromaVM"},
		values(components))
	for _, res := range r.mocks.res {
		if _, isComponent := components[res.URN]; isComponent {
			continue
		}
		assert.Contains(t, components, res.Parent, "%s %s has a component parent", res.Type, res.Name)
	}
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
