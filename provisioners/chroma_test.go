package provisioners

import (
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

// commandMocks records every resource by name with its inputs and the URNs it depends on.
type commandMocks struct {
	mu   sync.Mutex
	deps map[string][]string
	in   map[string]resource.PropertyMap
}

func (m *commandMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deps[args.Name] = args.RegisterRPC.GetDependencies()
	m.in[args.Name] = args.Inputs
	return args.Name + "-id", args.Inputs, nil
}

func (m *commandMocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// dependsOn reports whether resource a names b among its dependencies.
func (m *commandMocks) dependsOn(a, b string) bool {
	for _, d := range m.deps[a] {
		if strings.HasSuffix(d, "::"+b) {
			return true
		}
	}
	return false
}

func deployChroma(t *testing.T, dataDevice string) *commandMocks {
	t.Helper()
	m := &commandMocks{deps: map[string][]string{}, in: map[string]resource.PropertyMap{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		h := hosts.Host{Role: hosts.Chroma, Name: "chroma", PrivateAddress: pulumi.String("10.0.2.4").ToStringOutput(),
			Connection: remote.ConnectionArgs{Host: pulumi.String("10.0.2.4")}, DataDevice: dataDevice}
		agent, err := remote.NewCommand(ctx, "chroma-agent", &remote.CommandArgs{Connection: h.Connection, Create: pulumi.String("true")})
		if err != nil {
			return err
		}
		_, err = NewChroma(ctx, "chroma", ChromaArgs{Host: h, Agent: agent, Token: pulumi.ToSecret(pulumi.String("t")).(pulumi.StringOutput),
			Chroma: config.Chroma{Runtime: config.RuntimeDocker, Image: "chromadb/chroma:1.0.0", DataDir: "/var/lib/chroma"}})
		return err
	}, pulumi.WithMocks("ragmesh", "test", m))
	require.NoError(t, err)
	return m
}

// TestChromaMountsItsDataDiskBeforeChromaStarts: with a data device, the disk step runs after the agent and
// before ChromaDB is installed and started, for that device and data directory.
func TestChromaMountsItsDataDiskBeforeChromaStarts(t *testing.T) {
	m := deployChroma(t, "/dev/disk/azure/scsi1/lun0")
	require.Contains(t, m.in, "chroma-chroma-data-disk")
	assert.True(t, m.dependsOn("chroma-chroma-data-disk", "chroma-agent"))
	assert.True(t, m.dependsOn("chroma-chroma-install", "chroma-chroma-data-disk"), "ChromaDB must not start before its disk is mounted")
	stdin := m.in["chroma-chroma-data-disk"]["stdin"].StringValue()
	assert.Contains(t, stdin, "dev=/dev/disk/azure/scsi1/lun0\n")
	assert.Contains(t, stdin, "dir=/var/lib/chroma\n")
}

// TestChromaWithoutADataDeviceHasNoDiskStep keeps the data on the root disk (the local hosts).
func TestChromaWithoutADataDeviceHasNoDiskStep(t *testing.T) {
	m := deployChroma(t, "")
	assert.Contains(t, m.in, "chroma-chroma-install")
	assert.NotContains(t, m.in, "chroma-chroma-data-disk")
}
