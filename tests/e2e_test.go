// Package tests holds the end-to-end tests: the real Pulumi engine (CLI, language host, plugins from the
// offline toolchain) runs the stack program against the local test hosts, with real Consul and real Chroma.
// `make e2e` (part of `make test`) starts the hosts and sets RAGMESH_E2E=1; plain `go test ./...` skips them.
package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/require"
)

// Hosts of the local stack (Pulumi.local.yaml).
var localHosts = []string{"consul", "app", "chroma"}

const chromaAddress = "10.0.2.4"

// env is the shared fixture: the repo, the stack, and SSH to the hosts.
type env struct {
	root  string
	stack auto.Stack
	// output collects everything `pulumi up` printed, for the secrets audit.
	output bytes.Buffer
}

func setup(t *testing.T) *env {
	t.Helper()
	if os.Getenv("RAGMESH_E2E") != "1" {
		t.Skip("end-to-end test: run it with `make e2e` (needs the toolchain and the local hosts)")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	for _, need := range []string{".tools/bin/pulumi", ".cache/hosts/ssh_config", ".cache/hosts/id_ed25519"} {
		_, err := os.Stat(filepath.Join(root, need))
		require.NoError(t, err, "missing %s: run `make hosts` first", need)
	}
	ctx := context.Background()
	stack := freshStack(t, root, "local")
	e := &env{root: root, stack: stack}
	t.Cleanup(func() {
		if t.Failed() {
			e.dumpJournals(t, localHosts...)
		}
		// Leave the stack file as committed: the key is set per run, and a failed suite may have left a change.
		_ = stack.RemoveConfig(ctx, "ragmesh:sshPrivateKey")
		_ = stack.RemoveConfig(ctx, "ragmesh:intentions")
	})
	return e
}

// freshStack selects the stack with its SSH key set to the local hosts' key. The hosts are fresh for every
// run: state left by an earlier, interrupted run describes machines that are gone, so it is dropped first
// (the stack file is kept).
func freshStack(t *testing.T, root, name string) auto.Stack {
	t.Helper()
	ctx := context.Background()
	rm := exec.Command("pulumi", "stack", "rm", "--yes", "--force", "--preserve-config", "--stack", name)
	rm.Dir = root
	_ = rm.Run() // fails harmlessly when there is no such stack
	stack, err := auto.UpsertStackLocalSource(ctx, name, root)
	require.NoError(t, err)
	key, err := os.ReadFile(filepath.Join(root, ".cache/hosts/id_ed25519"))
	require.NoError(t, err)
	require.NoError(t, stack.SetConfig(ctx, "ragmesh:sshPrivateKey", auto.ConfigValue{Value: string(key), Secret: true}))
	return stack
}

// ssh runs a command on a local host and returns its combined output.
func (e *env) ssh(host string, stdin string, command string) (string, error) {
	cmd := exec.Command("ssh", "-F", filepath.Join(e.root, ".cache/hosts/ssh_config"), host, command)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// verify runs the mesh check on the app host, as the demo does.
func (e *env) verify(t *testing.T, expectDenied bool) map[string]any {
	t.Helper()
	return e.verifyFrom(t, "app", expectDenied)
}

// verifyFrom runs the mesh check on the given app host.
func (e *env) verifyFrom(t *testing.T, host string, expectDenied bool) map[string]any {
	t.Helper()
	script, err := os.ReadFile(filepath.Join(e.root, "tests/scripts/verify-mesh.py"))
	require.NoError(t, err)
	args := chromaAddress
	if expectDenied {
		args += " --expect-denied"
	}
	out, err := e.ssh(host, string(script), "python3 - "+args)
	var result map[string]any
	require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &result), "verify output: %s", out)
	require.NoError(t, err, "mesh verification failed: %s", out)
	require.Equal(t, true, result["ok"], out)
	return result
}

func (e *env) up(t *testing.T, opts ...optup.Option) auto.UpResult {
	t.Helper()
	res, err := e.stack.Up(context.Background(), append(opts,
		optup.ProgressStreams(io.MultiWriter(os.Stdout, &e.output)), optup.ErrorProgressStreams(io.MultiWriter(os.Stderr, &e.output)))...)
	require.NoError(t, err)
	return res
}

func (e *env) dumpJournals(t *testing.T, hosts ...string) {
	for _, h := range hosts {
		out, _ := e.ssh(h, "", "journalctl -n 40 --no-pager -u 'consul*' -u 'chroma*' -u '*-sidecar*' 2>&1 | tail -n 40")
		t.Logf("---- journal of %s ----\n%s", h, out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// suite is a group of checks that runs against the deployed mesh. Each file registers its suites; they run in
// order and must leave the mesh as they found it (verified working, stack config as committed).
type suite struct {
	order int
	name  string
	run   func(t *testing.T, e *env)
}

var suites []suite

func register(order int, name string, run func(t *testing.T, e *env)) {
	suites = append(suites, suite{order, name, run})
}

// TestEndToEnd is the main job end to end: fresh hosts → pulumi up → verified mesh; then every registered
// suite; then destroy, which must leave no service running.
func TestEndToEnd(t *testing.T) {
	e := setup(t)
	ctx := context.Background()

	start := time.Now()
	first := e.up(t)
	t.Logf("pulumi up from fresh hosts: %s", time.Since(start).Round(time.Second))
	require.Contains(t, first.Outputs, "chromaUpstream")
	require.Equal(t, "127.0.0.1:8001", first.Outputs["chromaUpstream"].Value)
	e.verify(t, false)

	sort.SliceStable(suites, func(i, j int) bool { return suites[i].order < suites[j].order })
	for _, s := range suites {
		if !t.Run(s.name, func(t *testing.T) { s.run(t, e) }) {
			t.Fatalf("suite %q failed; later suites would start from a broken mesh", s.name)
		}
	}

	t.Run("destroy leaves no service running", func(t *testing.T) {
		_, err := e.stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
		require.NoError(t, err)
		for _, h := range localHosts {
			out, _ := e.ssh(h, "", "systemctl list-units --no-legend --state=active 'consul*' 'chroma*' '*-sidecar*'")
			require.Empty(t, strings.TrimSpace(out), "still running on %s", h)
		}
		out, _ := e.ssh("chroma", "", fmt.Sprintf("ss -Hltn 'sport = :%d'", 8000))
		require.Empty(t, strings.TrimSpace(out), "chroma still listening")
	})
}
