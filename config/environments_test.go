package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Promotion dev → prod changes values, never the set of keys: a key dev sets and prod forgets would silently
// fall back to a default in production. These are the keys whose values are meant to differ.
var promotedDifferently = map[string]bool{
	"resourceGroupName": true, "createResourceGroup": true, "vnetCidr": true, "appSubnetCidr": true,
	"dataSubnetCidr": true, "operatorCidr": true, "adminUser": true, "consulServerCount": true, "appVmCount": true,
	"vmSizeConsulServer": true, "vmSizeApp": true, "vmSizeChroma": true, "chromaDataDiskGb": true,
	"datacenter": true, "tags": true,
}

func TestProdSetsEveryKeyDevSets(t *testing.T) {
	dev, prod := stackSettings(t, "../Pulumi.dev.yaml"), stackSettings(t, "../Pulumi.prod.example.yaml")
	for key, value := range dev {
		if assert.Contains(t, prod, key, "Pulumi.prod.example.yaml must set %s too", key) && !promotedDifferently[key] {
			assert.Equal(t, value, prod[key], "%s differs between dev and prod: list it in promotedDifferently and the README", key)
		}
	}
}

func TestProdIsSizedForProduction(t *testing.T) {
	dev, prod := stackSettings(t, "../Pulumi.dev.yaml"), stackSettings(t, "../Pulumi.prod.example.yaml")
	assert.Equal(t, "3", prod["consulServerCount"], "a quorum that survives one server loss")
	for _, key := range []string{"vmSizeConsulServer", "vmSizeApp", "vmSizeChroma", "chromaDataDiskGb", "datacenter"} {
		assert.NotEqual(t, dev[key], prod[key], key)
	}
}
