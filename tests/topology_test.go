package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optremove"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The production shape on local hosts: three Consul servers (the first makes the CA and the server
// certificates, the other two import theirs from the secret bundle) and two app hosts, each an instance of
// django-app. The stack file is written for the run and removed after it.
const topologyStack = "topology"

const topologyConfig = `config:
  ragmesh:hostSource: given
  ragmesh:hosts:
    - {role: consul-server, name: consul, address: 10.0.1.4}
    - {role: consul-server, name: consul2, address: 10.0.1.6}
    - {role: consul-server, name: consul3, address: 10.0.1.7}
    - {role: app, name: app, address: 10.0.1.5}
    - {role: app, name: app2, address: 10.0.1.8}
    - {role: chroma, name: chroma, address: 10.0.2.4}
  ragmesh:consulInstall: upload
  ragmesh:consulBinary: .tools/bin/consul
  ragmesh:chromaRuntime: bundle
  ragmesh:chromaBundle: .tools/chroma/chroma-server.tar.gz
`

// TestThreeServersAndTwoAppHosts runs after TestEndToEnd (files run in name order) on hosts of its own: it
// replaces that test's hosts with six fresh ones, deploys, checks the Raft quorum and the path from every app
// host, and destroys. `make e2e` tears the hosts down afterwards.
func TestThreeServersAndTwoAppHosts(t *testing.T) {
	if os.Getenv("RAGMESH_E2E") != "1" {
		t.Skip("end-to-end test: run it with `make e2e` (needs the toolchain and the local hosts)")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	hostsCmd := func(args ...string) {
		out, err := exec.Command(filepath.Join(root, "tools/hosts/hosts.sh"), args...).CombinedOutput()
		require.NoError(t, err, "hosts.sh %s: %s", strings.Join(args, " "), out)
	}
	hostsCmd("down")
	hostsCmd("up", "consul2=10.0.1.6", "consul3=10.0.1.7", "app2=10.0.1.8")

	ctx := context.Background()
	stackFile := filepath.Join(root, "Pulumi."+topologyStack+".yaml")
	require.NoError(t, os.WriteFile(stackFile, []byte(topologyConfig), 0o644))
	stack := freshStack(t, root, topologyStack)
	e := &env{root: root, stack: stack}
	t.Cleanup(func() {
		if t.Failed() {
			e.dumpJournals(t, "consul", "consul2", "consul3", "app", "app2", "chroma")
		}
		_ = stack.Workspace().RemoveStack(ctx, topologyStack, optremove.Force())
		_ = os.Remove(stackFile)
	})

	res := e.up(t)
	assert.Equal(t, []any{"10.0.1.4", "10.0.1.6", "10.0.1.7"}, res.Outputs["consulServerAddresses"].Value)
	assert.Equal(t, []any{"10.0.1.5", "10.0.1.8"}, res.Outputs["appAddresses"].Value)

	peers, err := e.ssh("consul", "", "CONSUL_HTTP_ADDR=unix:///run/consul/http.sock "+
		"CONSUL_HTTP_TOKEN_FILE=/etc/consul.d/tokens/management.token consul operator raft list-peers")
	require.NoError(t, err, peers)
	assert.Equal(t, 1, strings.Count(peers, "leader"), peers)
	assert.Equal(t, 2, strings.Count(peers, "follower"), peers)
	for _, server := range []string{"10.0.1.4:8300", "10.0.1.6:8300", "10.0.1.7:8300"} {
		assert.Contains(t, peers, server, "every server is a Raft voter")
	}
	for _, app := range []string{"app", "app2"} {
		e.verifyFrom(t, app, false)
	}

	_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
	require.NoError(t, err)
}
