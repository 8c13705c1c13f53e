package config

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNetworkStackDefaultsToCreatingTheNetwork(t *testing.T) {
	s := minimalSettings()
	s["networkStack"] = "{}"
	load(t, s, func(_ *pulumi.Context, c *Config, err error) {
		require.NoError(t, err)
		assert.Nil(t, c.Azure.NetworkStack, "the declared default {} means: create the VNet here")
	})
}

func TestNetworkStackFillsInTheDefaultOutputNames(t *testing.T) {
	s := minimalSettings()
	s["networkStack"] = `{"stack":"platform/network/prod","appSubnetIdOutput":"subnets.app"}`
	load(t, s, func(_ *pulumi.Context, c *Config, err error) {
		require.NoError(t, err)
		require.NotNil(t, c.Azure.NetworkStack)
		assert.Equal(t, NetworkStack{
			Stack: "platform/network/prod", VnetID: "vnetId", AppSubnetID: "subnets.app", DataSubnetID: "dataSubnetId",
		}, *c.Azure.NetworkStack)
	})
}

func TestNetworkStackSkipsTheSubnetRangesItDoesNotCreate(t *testing.T) {
	s := minimalSettings()
	s["networkStack"] = `{"stack":"platform/network/prod"}`
	s["appSubnetCidr"] = "not used"
	s["dataSubnetCidr"] = "10.99.0.0/24"
	load(t, s, func(_ *pulumi.Context, c *Config, err error) {
		require.NoError(t, err, "the network stack owns the subnets")
	})
	s["vnetCidr"] = "10.0.0.0/33"
	load(t, s, func(_ *pulumi.Context, c *Config, err error) {
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ragmesh:vnetCidr", "vnetCidr still sets the NSG rules' sources")
	})
}

func TestNetworkStackRejects(t *testing.T) {
	cases := map[string]struct{ value, want string }{
		"bare stack name":    {`{"stack":"prod"}`, `stack "prod" is not a fully qualified stack name`},
		"two parts":          {`{"stack":"network/prod"}`, "<organization>/<project>/<stack>"},
		"empty part":         {`{"stack":"platform//prod"}`, "not a fully qualified"},
		"no stack":           {`{"vnetIdOutput":"vnet"}`, `stack "" is not a fully qualified`},
		"spaced output name": {`{"stack":"a/b/c","vnetIdOutput":" vnet"}`, `vnetIdOutput " vnet" has surrounding spaces`},
		"wrong shape":        {`["a/b/c"]`, "ragmesh:networkStack does not have the documented shape"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := minimalSettings()
			s["networkStack"] = tc.value
			load(t, s, func(_ *pulumi.Context, c *Config, err error) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "ragmesh:networkStack")
				assert.Contains(t, err.Error(), tc.want)
			})
		})
	}
}

func TestNetworkStackIsRefusedWithGivenHosts(t *testing.T) {
	c := validConfig()
	c.HostSource = SourceGiven
	c.Hosts = validGivenHosts()
	c.Azure.NetworkStack = &NetworkStack{Stack: "platform/network/prod", VnetID: "v", AppSubnetID: "a", DataSubnetID: "d"}
	errs := c.Validate()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "ragmesh:networkStack: is only read with hostSource=azure")
}
