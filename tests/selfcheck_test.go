package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/selfcheck"
)

func init() {
	register(40, "the self-check ran in pulumi up and passed; diagnose agrees and never shows the key", func(t *testing.T, e *env) {
		out, err := e.stack.Outputs(context.Background())
		require.NoError(t, err)
		require.Contains(t, out, "selfCheck")
		var sc selfcheck.Output
		remarshal(t, out["selfCheck"].Value, &sc)
		require.True(t, sc.Enabled)
		require.True(t, sc.Passed)
		require.Contains(t, sc.Hosts, "app")
		r := sc.Hosts["app"]
		_, err = time.Parse(time.RFC3339, r.CheckedAt)
		require.NoError(t, err, "checkedAt %q", r.CheckedAt)
		require.Len(t, r.Hops, 5)
		for _, h := range r.Hops {
			assert.Equal(t, "ok", h.Status, "hop %d %s: %s", h.Hop, h.Name, h.Detail)
		}
		var names []string
		for _, c := range r.Checks {
			assert.True(t, c.OK, "%s: %s", c.Name, c.Detail)
			names = append(names, c.Name+" "+c.Expect)
		}
		assert.Equal(t, []string{"heartbeat via 127.0.0.1:8001 answers", "ragmesh-probe -> chromadb (no intention) refused",
			"direct 10.0.2.4:8000 unreachable"}, names)
		require.Len(t, sc.Targets, 1)
		assert.Equal(t, "10.0.1.5", sc.Targets[0].Address)

		results, report, code := e.diagnose(t)
		require.Equal(t, 0, code, report)
		require.True(t, results[0].Passed, report)
		assert.Contains(t, report, "ragmesh diagnose on app")
		key, err := os.ReadFile(filepath.Join(e.root, ".cache/hosts/id_ed25519"))
		require.NoError(t, err)
		for _, line := range strings.Split(strings.TrimSpace(string(key)), "\n")[1:3] {
			assert.NotContains(t, report, line, "the SSH key must never be printed")
		}
	})
}

var diagnoseBin struct {
	once sync.Once
	path string
	err  error
}

// diagnose runs the operator command (cmd/diagnose) against the local stack, as `make diagnose` does.
func (e *env) diagnose(t *testing.T) ([]selfcheck.Result, string, int) {
	t.Helper()
	diagnoseBin.once.Do(func() {
		diagnoseBin.path = filepath.Join(os.TempDir(), "ragmesh-diagnose-e2e")
		build := exec.Command("go", "build", "-o", diagnoseBin.path, "./cmd/diagnose")
		build.Dir = e.root
		out, err := build.CombinedOutput()
		if err != nil {
			diagnoseBin.err = errors.New(string(out))
		}
	})
	require.NoError(t, diagnoseBin.err)
	cmd := exec.Command(diagnoseBin.path, "-stack", "local", "-json")
	cmd.Dir = e.root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	require.NotEqual(t, 2, code, "diagnose itself failed: %s", stderr.String())
	var results []selfcheck.Result
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &results), "diagnose stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	return results, stderr.String(), code
}

// selfCheckURNs are the check commands, which `up --replace` runs again (a plain up runs them only on change).
func (e *env) selfCheckURNs(t *testing.T) []string {
	t.Helper()
	dep, err := e.stack.Export(context.Background())
	require.NoError(t, err)
	var state struct {
		Resources []struct {
			URN  string `json:"urn"`
			Type string `json:"type"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(dep.Deployment, &state))
	var urns []string
	for _, r := range state.Resources {
		if r.Type == "command:remote:Command" && strings.HasSuffix(r.URN, "-selfcheck") {
			urns = append(urns, r.URN)
		}
	}
	require.NotEmpty(t, urns)
	return urns
}

// checkUp is `pulumi up --replace <self-check>` (plus opts); it returns the update's error and its output.
func (e *env) checkUp(t *testing.T, opts ...optup.Option) (string, error) {
	t.Helper()
	var log bytes.Buffer
	w := io.MultiWriter(os.Stdout, &log)
	opts = append(opts, optup.Replace(e.selfCheckURNs(t)), optup.ProgressStreams(w), optup.ErrorProgressStreams(w))
	start := time.Now()
	_, err := e.stack.Up(context.Background(), opts...)
	t.Logf("pulumi up with the self-check: %s", time.Since(start).Round(time.Second))
	if err != nil {
		log.WriteString(err.Error())
	}
	return log.String(), err
}

func remarshal(t *testing.T, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, out))
}
