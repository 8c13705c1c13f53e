package infra

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A preview sees the same plan while Azure has assigned nothing yet: ids, addresses and identities are unknown.

func TestPreviewDeclaresTheSamePlanWithUnknowns(t *testing.T) {
	up := deploy(t, testConfig(3, 2), false)
	preview := deploy(t, testConfig(3, 2), true)

	plan := func(r result) []string {
		var out []string
		for _, res := range r.mocks.res {
			out = append(out, res.Type+"::"+res.Name)
		}
		return out
	}
	assert.ElementsMatch(t, plan(up), plan(preview))

	for _, h := range preview.hosts {
		assert.False(t, h.Address.Known, "%s: the private address is unknown before the NIC exists", h.Name)
		assert.False(t, h.Connection.Known, "%s: so is the connection", h.Name)
		assert.NotEmpty(t, h.ReadyURNs)
	}
	for _, name := range []string{"vnetId", "appSubnetId", "dataSubnetId"} {
		assert.False(t, preview.outputs[name].Known, name)
	}
	assert.Equal(t, "ragmesh-test-rg", preview.outputs["resourceGroupName"].Value, "the group name is chosen, not assigned")
}

func TestPreviewKeepsTheSecurityInvariants(t *testing.T) {
	r := deploy(t, testConfig(5, 1), true)
	for _, nsg := range r.mocks.ofType(tNSG) {
		for _, rule := range allowRules(nsg) {
			assert.NotContains(t, internetSources, rule["sourceAddressPrefix"])
			assert.False(t, admits(rule, 8000))
		}
	}
	disk := r.mocks.named(tDisk, "chroma-data")
	assert.True(t, disk.Protect)
	assert.True(t, disk.RetainOnDelete)
}
