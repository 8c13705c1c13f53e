package tests

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/require"
)

func init() {
	register(10, "no-op up changes nothing and runs no remote command", func(t *testing.T, e *env) {
		res := e.up(t, optup.ExpectNoChanges())
		for op, n := range *res.Summary.ResourceChanges {
			require.Equal(t, "same", op, "a no-op up did %d %s operations", n, op)
		}
	})
	register(20, "removing the allow intention denies new requests, restoring allows them", func(t *testing.T, e *env) {
		ctx := context.Background()
		require.NoError(t, e.stack.SetAllConfigJson(ctx, `{"ragmesh:intentions":{"value":"[]","objectValue":[],"secret":false}}`, nil))
		res := e.up(t)
		changes := *res.Summary.ResourceChanges
		require.Equal(t, 1, changes["delete"], "only the chromadb intention should go: %v", changes)
		e.verify(t, true)

		require.NoError(t, e.stack.RemoveConfig(ctx, "ragmesh:intentions"))
		res = e.up(t)
		require.Equal(t, 1, (*res.Summary.ResourceChanges)["create"])
		e.verify(t, false)
	})
}
