package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnvFilePointsTheAppAtItsSidecar pins what the Django app is handed: ChromaDB on its own loopback, at the
// sidecar's upstream port, never the chroma host's address.
func TestEnvFilePointsTheAppAtItsSidecar(t *testing.T) {
	env, err := Render("django-app.env.tmpl", map[string]any{"Host": "app-0", "UpstreamPort": UpstreamPort})
	require.NoError(t, err)
	assert.Contains(t, env, "\nCHROMA_HOST=127.0.0.1\n")
	assert.Contains(t, env, "\nCHROMA_PORT=8001\n")
	assert.Equal(t, "127.0.0.1:8001", UpstreamAddress)
}
