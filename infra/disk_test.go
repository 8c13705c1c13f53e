package infra

import (
	"testing"

	"github.com/ragmesh/ragmesh/hosts"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Chroma's data must survive anything that replaces or deletes the VM.

func TestChromaDataDiskIsAStandaloneProtectedDisk(t *testing.T) {
	r := deploy(t, testConfig(1, 1), false)
	disks := r.mocks.ofType(tDisk)
	require.Len(t, disks, 1)
	disk := disks[0]
	assert.True(t, disk.Protect, "pulumi destroy must not delete Chroma's data")
	assert.True(t, disk.RetainOnDelete, "removing it from the program must leave the disk in Azure")
	assert.Equal(t, float64(64), disk.Inputs["diskSizeGB"])
	assert.Equal(t, "Empty", disk.Inputs["creationData"].(map[string]any)["createOption"])
	assert.Equal(t, "ragmesh-test-chroma-data", disk.Inputs["diskName"])
}

func TestChromaDataDiskIsDetachedNotDeletedWithTheVM(t *testing.T) {
	r := deploy(t, testConfig(1, 1), false)
	vm := r.mocks.named(tVM, "chroma-vm")
	disk := r.mocks.named(tDisk, "chroma-data")
	data := vm.Inputs["storageProfile"].(map[string]any)["dataDisks"].([]any)
	require.Len(t, data, 1)
	d := data[0].(map[string]any)
	assert.Equal(t, "Detach", d["deleteOption"])
	assert.Equal(t, "Attach", d["createOption"])
	assert.Equal(t, float64(ChromaDataDiskLun), d["lun"])
	assert.Contains(t, d["managedDisk"].(map[string]any)["id"], "/chroma-data")
	assert.Contains(t, vm.Dependencies, disk.URN)
	assert.True(t, vm.DeleteFirst, "a replacement VM can attach the disk only after the old one let go")
}

func TestOnlyTheChromaVMHasADataDisk(t *testing.T) {
	r := deploy(t, testConfig(3, 2), false)
	for _, vm := range r.mocks.ofType(tVM) {
		if vm.Name == "chroma-vm" {
			continue
		}
		assert.Empty(t, vm.Inputs["storageProfile"].(map[string]any)["dataDisks"], vm.Name)
	}
	// The provisioners mount the disk only where the host says it has one.
	for _, h := range r.hosts {
		if h.Role == hosts.Chroma {
			assert.Equal(t, ChromaDataDevice, h.DataDevice, "the chroma host names its data disk by LUN")
		} else {
			assert.Empty(t, h.DataDevice, h.Name)
		}
	}
}

func TestEveryVMIsReplacedDeleteFirst(t *testing.T) {
	// Fixed VM names and NICs that attach to one VM at a time make create-before-delete impossible.
	for _, vm := range deploy(t, testConfig(3, 2), false).mocks.ofType(tVM) {
		assert.True(t, vm.DeleteFirst, vm.Name)
		nic := vm.Inputs["networkProfile"].(map[string]any)["networkInterfaces"].([]any)[0].(map[string]any)
		assert.Equal(t, "Detach", nic["deleteOption"], "%s: the NIC outlives a replacement", vm.Name)
	}
}
