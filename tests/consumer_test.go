package tests

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The consumer example (examples/consumer) is a second project in the same backend: its stack `local` reads
// the deployed `local` stack through a StackReference, as another team's stack would.

// localStackRef is the fully qualified name of our stack in the file backend.
const localStackRef = "organization/ragmesh/local"

func init() {
	register(30, "a consumer stack reads the outputs through StackReference", func(t *testing.T, e *env) {
		ctx := context.Background()
		produced, err := e.stack.Outputs(ctx)
		require.NoError(t, err)

		dir := filepath.Join(e.root, "examples/consumer")
		consumer, err := auto.UpsertStackLocalSource(ctx, "local", dir)
		require.NoError(t, err)
		t.Cleanup(func() {
			_, err := consumer.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
			assert.NoError(t, err, "destroying the consumer stack")
			// Removes the stack and its Pulumi.local.yaml in examples/consumer.
			assert.NoError(t, consumer.Workspace().RemoveStack(ctx, "local"))
		})
		require.NoError(t, consumer.SetConfig(ctx, "ragmesh-consumer:meshStack", auto.ConfigValue{Value: localStackRef}))

		res, err := consumer.Up(ctx, optup.ProgressStreams(os.Stdout), optup.ErrorProgressStreams(os.Stderr))
		require.NoError(t, err)
		got := res.Outputs

		assert.Equal(t, localStackRef, got["meshStack"].Value)
		assert.Equal(t, produced["appAddresses"].Value, got["appHosts"].Value, "the app hosts of the deployed stack")
		assert.Equal(t, []any{"10.0.1.5"}, got["appHosts"].Value)
		assert.Equal(t, "http://"+produced["chromaUpstream"].Value.(string), got["chromaUrl"].Value)
		deployments, ok := got["deployments"].Value.([]any)
		require.True(t, ok, "deployments: %#v", got["deployments"].Value)
		require.Len(t, deployments, 1)
		d := deployments[0].(map[string]any)
		assert.Equal(t, "10.0.1.5", d["host"])
		assert.Equal(t, produced["appEnvFile"].Value, d["envFile"])
		assert.Equal(t, map[string]any{
			"CHROMA_URL":        "http://127.0.0.1:8001",
			"CONSUL_DATACENTER": produced["consulDatacenter"].Value,
			"MESH_SERVICE":      produced["meshServices"].Value.(map[string]any)["app"],
		}, d["settings"])

		// Pointed at a stack without ragmesh's outputs (its own), the consumer stops and names what is missing.
		require.NoError(t, consumer.SetConfig(ctx, "ragmesh-consumer:meshStack", auto.ConfigValue{Value: "organization/ragmesh-consumer/local"}))
		_, err = consumer.Preview(ctx, optpreview.ProgressStreams(os.Stdout))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "does not provide what this deployment needs")
		assert.Contains(t, err.Error(), `output "chromaUpstream" (string) is missing`)
	})
}
