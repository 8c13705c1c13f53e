package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cliPath is where the project's tool build puts the Pulumi CLI, relative to this module.
const cliPath = "../../../.tools/bin/pulumi"

const e2eProgram = `package main

import (
	"fmt"

	// Imported but never used: its plugin (command 1.2.1) is reported as required and is
	// not installed, which must not stop the program from running.
	_ "github.com/pulumi/pulumi-command/sdk/go/command"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		name := cfg.Require("name")
		token := cfg.RequireSecret("token")
		if name == "fail" {
			return fmt.Errorf("lgtest refused name %q", name)
		}
		fmt.Println("program stdout marker")
		ctx.Export("greeting", pulumi.String("hello "+name))
		ctx.Export("token", token)
		return nil
	})
}
`

const e2eGoMod = `module lgtest

go 1.26.6

require (
	github.com/pulumi/pulumi-command/sdk v1.2.1
	github.com/pulumi/pulumi/sdk/v3 v3.276.0
)
`

type cli struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

func (c cli) run(args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (c cli) must(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	require.NoError(c.t, err, "pulumi %s:\n%s", strings.Join(args, " "), out)
	return out
}

// TestCLIEndToEnd drives the real Pulumi CLI against a Go program through this host.
func TestCLIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds a Pulumi program; skipped with -short")
	}
	pulumiBin, err := filepath.Abs(cliPath)
	require.NoError(t, err)
	if _, err := os.Stat(pulumiBin); err != nil {
		t.Skipf("Pulumi CLI not built at %s (build the project tools first): %v", pulumiBin, err)
	}
	goBin, err := exec.LookPath("go")
	require.NoError(t, err)

	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	project := filepath.Join(tmp, "project")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	require.NoError(t, os.MkdirAll(project, 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(tmp, "state"), 0o755))

	// This source, freshly built, shadows any installed copy: the CLI looks on PATH first.
	build := exec.Command(goBin, "build", "-o", filepath.Join(bin, "pulumi-language-go"), ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NoError(t, os.Symlink(pulumiBin, filepath.Join(bin, "pulumi")))

	files := map[string]string{
		"Pulumi.yaml": "name: lgtest\nruntime: go\n",
		"go.mod":      e2eGoMod,
		"main.go":     e2eProgram,
	}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(project, name), []byte(content), 0o644))
	}
	tidy := exec.Command(goBin, "mod", "tidy")
	tidy.Dir = project
	out, err = tidy.CombinedOutput()
	require.NoError(t, err, "%s", out)

	cache := filepath.Join(tmp, "cache")
	// PATH holds only this host, the CLI and the go toolchain: no resource plugin is
	// reachable, so the reported command plugin is really missing.
	env := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+filepath.Dir(goBin)+string(os.PathListSeparator)+"/usr/bin:/bin",
		"PULUMI_HOME="+filepath.Join(tmp, "pulumi-home"),
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"PULUMI_CONFIG_PASSPHRASE=end-to-end",
		cacheEnv+"="+cache,
	)
	c := cli{t: t, bin: filepath.Join(bin, "pulumi"), dir: project, env: env}

	c.must("login", "file://"+filepath.Join(tmp, "state"))
	c.must("stack", "init", "dev")
	c.must("config", "set", "name", "mesh")
	c.must("config", "set", "--secret", "token", "s3cr3t")

	up := c.must("up", "--yes", "--non-interactive")
	assert.Contains(t, up, "program stdout marker", "program stdout reaches the user")

	assert.Equal(t, "hello mesh", strings.TrimSpace(c.must("stack", "output", "greeting")))
	assert.Equal(t, "[secret]", strings.TrimSpace(c.must("stack", "output", "token")))
	assert.Equal(t, "s3cr3t", strings.TrimSpace(c.must("stack", "output", "token", "--show-secrets")))

	// Preview and update ran the same binary: it was built once.
	entries, err := os.ReadDir(cache)
	require.NoError(t, err)
	assert.Len(t, entries, 1)

	// The unused plugin was reported and is missing, and the engine ran the program anyway.
	preview := c.must("preview", "--non-interactive", "-v=7", "--logtostderr")
	assert.Contains(t, preview, "plugin command 1.2.1 not installed")

	c.must("config", "set", "name", "fail")
	failed, err := c.run("up", "--yes", "--non-interactive")
	require.Error(t, err, "a program error fails the update:\n%s", failed)
	assert.Contains(t, failed, `lgtest refused name "fail"`)

	broken := strings.Replace(e2eProgram, `fmt.Println("program stdout marker")`, `fmt.Println(undefinedName)`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(project, "main.go"), []byte(broken), 0o644))
	compile, err := c.run("preview", "--non-interactive")
	require.Error(t, err, "a compile error fails the preview:\n%s", compile)
	assert.Contains(t, compile, "undefined: undefinedName")
}
