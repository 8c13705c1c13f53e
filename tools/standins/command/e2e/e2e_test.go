// Package e2e drives the stand-in through the real Pulumi engine with the real pulumi-command Go SDK v1.2.1:
// up, an idle second up, a trigger change that replaces, destroy. It skips when the CLI or the plugin binary
// is missing.
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"ragmesh.local/tools/standins/command/internal/testsshd"
)

// pluginBinary is the stand-in built by `go build -o <repo>/.tools/bin/pulumi-resource-command .`.
func pluginBinary(t *testing.T) string {
	if p := os.Getenv("COMMAND_STANDIN_BIN"); p != "" {
		return p
	}
	p, err := filepath.Abs("../../../../.tools/bin/pulumi-resource-command")
	require.NoError(t, err)
	return p
}

func lines(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	return strings.Fields(string(b))
}

func TestEngineRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("pulumi"); err != nil {
		t.Skip("pulumi CLI not on PATH; skipping the engine test")
	}
	bin := pluginBinary(t)
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("plugin binary %s absent (build it first); skipping the engine test", bin)
	}
	// The delete command reads PULUMI_COMMAND_STDOUT, which reaches a remote host only through AcceptEnv.
	s := testsshd.Start(t, testsshd.Options{AcceptEnv: "PULUMI_COMMAND_*"})
	tmp := t.TempDir()
	home := filepath.Join(tmp, "pulumi-home")
	env := map[string]string{
		"PULUMI_HOME":                                 home,
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_CONFIG_PASSPHRASE":                    "e2e",
		"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(tmp, "state"),
		// Use the installed plugin, not a pulumi-resource-command found on PATH.
		"PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
	}
	require.NoError(t, os.MkdirAll(filepath.Join(tmp, "state"), 0o755))
	install := exec.Command("pulumi", "plugin", "install", "resource", "command", "1.2.1", "--file", bin)
	install.Env = os.Environ()
	for k, v := range env {
		install.Env = append(install.Env, k+"="+v)
	}
	out, err := install.CombinedOutput()
	require.NoError(t, err, string(out))

	work := filepath.Join(tmp, "host")
	require.NoError(t, os.MkdirAll(work, 0o755))
	localLog, remoteLog := filepath.Join(work, "local.log"), filepath.Join(work, "remote.log")
	payload := filepath.Join(tmp, "payload.txt")
	require.NoError(t, os.WriteFile(payload, []byte("payload\n"), 0o640))

	program := func(ctx *pulumi.Context) error {
		trigger := config.Get(ctx, "trigger")
		conn := remote.ConnectionArgs{
			Host:       pulumi.String("127.0.0.1"),
			Port:       pulumi.Float64(float64(s.Port)),
			User:       pulumi.String(s.User),
			PrivateKey: pulumi.String(s.PrivateKey),
			HostKey:    pulumi.String(strings.TrimSpace(s.HostKey)),
		}
		l, err := local.NewCommand(ctx, "local", &local.CommandArgs{
			Create:   pulumi.String("echo create-" + trigger + " >> " + localLog + "; echo local-ok"),
			Triggers: pulumi.Array{pulumi.String(trigger)},
		})
		if err != nil {
			return err
		}
		r, err := remote.NewCommand(ctx, "remote", &remote.CommandArgs{
			Connection: conn,
			Create:     pulumi.String("echo create-" + trigger + " >> " + remoteLog + "; echo remote-ok"),
			Delete:     pulumi.String("echo delete-after-$PULUMI_COMMAND_STDOUT >> " + remoteLog),
			Triggers:   pulumi.Array{pulumi.String(trigger)},
		})
		if err != nil {
			return err
		}
		c, err := remote.NewCopyToRemote(ctx, "copy", &remote.CopyToRemoteArgs{
			Connection: conn,
			Source:     pulumi.NewFileAsset(payload),
			RemotePath: pulumi.String(filepath.Join(work, "copied.txt")),
		})
		if err != nil {
			return err
		}
		// Its create is unknown in a preview that replaces "local": the diff must cope and report a change.
		chained, err := local.NewCommand(ctx, "chained", &local.CommandArgs{
			Create: pulumi.Sprintf("echo chained-%s", l.Stdout),
		})
		if err != nil {
			return err
		}
		ctx.Export("chainedStdout", chained.Stdout)
		ctx.Export("localStdout", l.Stdout)
		ctx.Export("remoteStdout", r.Stdout)
		ctx.Export("copyPath", c.RemotePath)
		return nil
	}

	ctx := context.Background()
	stack, err := auto.UpsertStackInlineSource(ctx, "dev", "standin-e2e", program,
		auto.WorkDir(tmp),
		auto.EnvVars(env),
		auto.Project(workspace.Project{Name: "standin-e2e", Runtime: workspace.NewProjectRuntimeInfo("go", nil)}),
		auto.SecretsProvider("passphrase"))
	require.NoError(t, err)
	require.NoError(t, stack.SetConfig(ctx, "trigger", auto.ConfigValue{Value: "1"}))

	up := func(label string) auto.UpResult {
		var buf bytes.Buffer
		res, err := stack.Up(ctx, optup.ProgressStreams(&buf))
		t.Logf("--- pulumi up (%s) ---\n%s", label, buf.String())
		require.NoError(t, err)
		return res
	}

	// First up creates everything and runs each create once.
	res := up("first")
	assert.Equal(t, 5, (*res.Summary.ResourceChanges)["create"], "stack + 4 resources")
	assert.Equal(t, "chained-local-ok", res.Outputs["chainedStdout"].Value)
	assert.Equal(t, "local-ok", res.Outputs["localStdout"].Value)
	assert.Equal(t, "remote-ok", res.Outputs["remoteStdout"].Value)
	assert.True(t, res.Outputs["remoteStdout"].Secret, "remote outputs are secret (connection is)")
	assert.Equal(t, []string{"create-1"}, lines(t, localLog))
	assert.Equal(t, []string{"create-1"}, lines(t, remoteLog))
	copied, err := os.ReadFile(filepath.Join(work, "copied.txt"))
	require.NoError(t, err)
	assert.Equal(t, "payload\n", string(copied))

	// Second up with no change: nothing to do, nothing runs.
	res = up("unchanged")
	assert.Equal(t, map[string]int{"same": 5}, *res.Summary.ResourceChanges)
	assert.Equal(t, []string{"create-1"}, lines(t, localLog))
	assert.Equal(t, []string{"create-1"}, lines(t, remoteLog))

	// A changed trigger previews as two replacements and an update of the command with an unknown input,
	// and runs nothing.
	require.NoError(t, stack.SetConfig(ctx, "trigger", auto.ConfigValue{Value: "2"}))
	var pbuf bytes.Buffer
	pre, err := stack.Preview(ctx, optpreview.ProgressStreams(&pbuf))
	t.Logf("--- pulumi preview (trigger changed) ---\n%s", pbuf.String())
	require.NoError(t, err)
	assert.Equal(t, 2, pre.ChangeSummary[apitype.OpReplace])
	assert.Equal(t, 1, pre.ChangeSummary[apitype.OpUpdate])
	assert.Equal(t, []string{"create-1"}, lines(t, localLog))

	// The up replaces both commands: the new create runs, then the old delete. The chained command's input
	// turns out unchanged, so it is left alone.
	res = up("trigger changed")
	assert.Equal(t, 2, (*res.Summary.ResourceChanges)["replace"])
	assert.Equal(t, 3, (*res.Summary.ResourceChanges)["same"])
	assert.Equal(t, []string{"create-1", "create-2"}, lines(t, localLog))
	assert.Equal(t, []string{"create-1", "create-2", "delete-after-remote-ok"}, lines(t, remoteLog))

	var buf bytes.Buffer
	_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(&buf))
	t.Logf("--- pulumi destroy ---\n%s", buf.String())
	require.NoError(t, err)
	assert.Equal(t, []string{"create-1", "create-2", "delete-after-remote-ok", "delete-after-remote-ok"}, lines(t, remoteLog))
}
