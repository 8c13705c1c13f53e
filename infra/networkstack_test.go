package infra

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/config"
)

// The network-stack mode: the platform team's stack owns the VNet and subnets; this stack reads their ids
// through a StackReference and places its NICs in them.

const (
	networkStackName = "platform/network/prod"
	sharedVnetID     = "/subscriptions/" + testSubscription + "/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/hub"
	sharedAppSubnet  = sharedVnetID + "/subnets/apps"
	sharedDataSubnet = sharedVnetID + "/subnets/data"
)

// networkMocks knows the platform stack (its outputs under the given names) and its VNet.
func networkMocks(preview bool, outputs map[string]any) *azureMocks {
	return &azureMocks{
		preview: preview,
		stacks:  map[string]resource.PropertyMap{networkStackName: resource.NewPropertyMapFromMap(outputs)},
		vnets: map[string]map[string]any{"hub": {
			"id": sharedVnetID, "name": "hub", "location": "westeurope",
			"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}},
		}},
	}
}

func standardOutputs() map[string]any {
	return map[string]any{"vnetId": sharedVnetID, "appSubnetId": sharedAppSubnet, "dataSubnetId": sharedDataSubnet}
}

func networkStackConfig() *config.Config {
	cfg := testConfig(1, 1)
	ns := config.DefaultNetworkStackOutputs
	ns.Stack = networkStackName
	cfg.Azure.NetworkStack = &ns
	return cfg
}

func TestNetworkStackModeCreatesNoVNetOrSubnets(t *testing.T) {
	for _, preview := range []bool{false, true} {
		t.Run(fmt.Sprintf("preview=%v", preview), func(t *testing.T) {
			r, err := deployWith(t, networkMocks(preview, standardOutputs()), networkStackConfig())
			require.NoError(t, err)
			assert.Empty(t, r.mocks.ofType(tVnet))
			assert.Empty(t, r.mocks.ofType(tSubnet))
			refs := r.mocks.ofType("pulumi:pulumi:StackReference")
			require.Len(t, refs, 1)
			assert.Equal(t, networkStackName, refs[0].Inputs["name"])

			// The NICs sit in the platform's subnets, chroma alone in the data subnet.
			for _, nic := range r.mocks.ofType(tNIC) {
				want := sharedAppSubnet
				if nic.Name == "chroma-nic" {
					want = sharedDataSubnet
				}
				subnet := nic.Inputs["ipConfigurations"].([]any)[0].(map[string]any)["subnet"].(map[string]any)["id"]
				assert.Equal(t, want, subnet, nic.Name)
			}
			// The same outputs as when the stack creates the network, known even in a preview.
			assert.Equal(t, sharedVnetID, r.outputs["vnetId"].Value)
			assert.Equal(t, sharedAppSubnet, r.outputs["appSubnetId"].Value)
			assert.Equal(t, sharedDataSubnet, r.outputs["dataSubnetId"].Value)
			assert.Contains(t, r.mocks.invokes, "azure-native:network:getVirtualNetwork")
		})
	}
}

func TestNetworkStackModeKeepsTheRoleNSGsOnTheNICs(t *testing.T) {
	r, err := deployWith(t, networkMocks(false, standardOutputs()), networkStackConfig())
	require.NoError(t, err)
	var names []string
	for _, nsg := range r.mocks.ofType(tNSG) {
		names = append(names, nsg.Name)
		for _, rule := range allowRules(nsg) {
			assert.NotContains(t, internetSources, rule["sourceAddressPrefix"])
		}
	}
	assert.ElementsMatch(t, []string{"network-nsg-consul-server", "network-nsg-app", "network-nsg-chroma"}, names,
		"subnet NSGs belong to the network stack; the per-role NSGs still guard every NIC")
	for _, nic := range r.mocks.ofType(tNIC) {
		assert.Contains(t, nic.Inputs["networkSecurityGroup"].(map[string]any)["id"], "network-nsg-", nic.Name)
	}
}

func TestNetworkStackModeReadsRenamedOutputs(t *testing.T) {
	cfg := networkStackConfig()
	cfg.Azure.NetworkStack.AppSubnetID = "subnetApps"
	cfg.Azure.NetworkStack.DataSubnetID = "subnetData"
	r, err := deployWith(t, networkMocks(false, map[string]any{
		"vnetId": sharedVnetID, "subnetApps": sharedAppSubnet, "subnetData": sharedDataSubnet,
	}), cfg)
	require.NoError(t, err)
	assert.Equal(t, sharedDataSubnet, r.outputs["dataSubnetId"].Value)
}

func TestNetworkStackModeFailsClearlyBeforeCreatingAnything(t *testing.T) {
	otherVnet := "/subscriptions/" + testSubscription + "/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/spoke"
	cases := map[string]struct {
		outputs map[string]any
		edit    func(*config.Config)
		want    []string
	}{
		"missing outputs": {
			outputs: map[string]any{"vnetId": sharedVnetID},
			want: []string{
				`output "appSubnetId" (appSubnetIdOutput) is missing`,
				`output "dataSubnetId" (dataSubnetIdOutput) is missing`,
			},
		},
		"wrong type": {
			outputs: map[string]any{"vnetId": []any{sharedVnetID}, "appSubnetId": sharedAppSubnet, "dataSubnetId": sharedDataSubnet},
			want:    []string{`output "vnetId" (vnetIdOutput) is a []interface {}, not a virtual network id string`},
		},
		"not an id": {
			outputs: map[string]any{"vnetId": "hub", "appSubnetId": sharedAppSubnet, "dataSubnetId": "10.0.2.0/24"},
			want:    []string{`"hub" is not an Azure virtual network id`, `"10.0.2.0/24" is not an Azure subnet id`},
		},
		"subnet of another vnet": {
			outputs: map[string]any{"vnetId": sharedVnetID, "appSubnetId": sharedAppSubnet, "dataSubnetId": otherVnet + "/subnets/data"},
			want:    []string{"dataSubnetIdOutput: subnet " + otherVnet + "/subnets/data is not in the virtual network " + sharedVnetID},
		},
		"one subnet for both": {
			outputs: map[string]any{"vnetId": sharedVnetID, "appSubnetId": sharedAppSubnet, "dataSubnetId": sharedAppSubnet},
			want:    []string{"name the same subnet"},
		},
		"other region and range": {
			outputs: standardOutputs(),
			edit:    func(c *config.Config) { c.Azure.Location = "northeurope"; c.Azure.VnetCidr = "10.9.0.0/16" },
			want: []string{
				"virtual network hub is in westeurope, but ragmesh:location is northeurope",
				"ragmesh:vnetCidr 10.9.0.0/16 is not an address space of hub (10.0.0.0/16)",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := networkStackConfig()
			if tc.edit != nil {
				tc.edit(cfg)
			}
			r, err := deployWith(t, networkMocks(false, tc.outputs), cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "ragmesh:networkStack: stack "+networkStackName+" cannot supply the network (nothing was created)")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, res := range r.mocks.res {
				assert.Equal(t, "pulumi:pulumi:StackReference", res.Type, "nothing but the reference is declared")
			}
		})
	}
}

func TestNetworkStackThatDoesNotExistFails(t *testing.T) {
	cfg := networkStackConfig()
	cfg.Azure.NetworkStack.Stack = "platform/network/typo"
	_, err := deployWith(t, networkMocks(false, standardOutputs()), cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "platform/network/typo")
}
