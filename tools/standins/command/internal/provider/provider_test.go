package provider

import (
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"ragmesh.local/tools/standins/command/internal/spec"
	"ragmesh.local/tools/standins/command/internal/testsshd"
)

// recorder collects the lines the provider streams to the engine.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) LogStatus(_ context.Context, _ diag.Severity, _ resource.URN, msg string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, msg)
	return nil
}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

func urn(t tokens.Type) resource.URN {
	return resource.NewURN("dev", "proj", "", t, "res")
}

// checked runs Check and fails the test on failures, as the engine would stop there.
func checked(t *testing.T, p *Provider, typ tokens.Type, in resource.PropertyMap) resource.PropertyMap {
	t.Helper()
	resp, err := p.Check(context.Background(), plugin.CheckRequest{URN: urn(typ), Type: typ, News: in})
	require.NoError(t, err)
	require.Empty(t, resp.Failures)
	return resp.Properties
}

func create(t *testing.T, p *Provider, typ tokens.Type, in resource.PropertyMap) (plugin.CreateResponse, error) {
	t.Helper()
	return p.Create(context.Background(), plugin.CreateRequest{
		URN: urn(typ), Name: "res", Type: typ, Properties: checked(t, p, typ, in),
	})
}

func TestPluginVersion(t *testing.T) {
	info, err := New(nil).GetPluginInfo(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "1.2.1", info.Version.String())
}

func TestLocalCommandCreateCapturesStdout(t *testing.T) {
	rec := &recorder{}
	p := New(rec)
	resp, err := create(t, p, spec.LocalCommand, resource.NewPropertyMapFromMap(map[string]any{
		"create": "echo hello from $(basename /bin/sh)",
	}))
	require.NoError(t, err)
	assert.NotEmpty(t, resp.ID)
	assert.Equal(t, "hello from sh", resp.Properties["stdout"].StringValue())
	assert.Equal(t, "", resp.Properties["stderr"].StringValue())
	assert.Equal(t, "echo hello from $(basename /bin/sh)", resp.Properties["create"].StringValue(), "inputs are echoed")
	assert.Contains(t, rec.all(), "hello from sh", "output is streamed to the engine log")
}

func TestLocalPreviewRunsNothing(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	p := New(nil)
	typ := spec.LocalCommand
	resp, err := p.Create(context.Background(), plugin.CreateRequest{
		URN: urn(typ), Name: "res", Type: typ, Preview: true,
		Properties: checked(t, p, typ, resource.NewPropertyMapFromMap(map[string]any{"create": "touch " + marker})),
	})
	require.NoError(t, err)
	assert.True(t, resp.Properties["stdout"].IsComputed())
	assert.NoFileExists(t, marker)
}

func TestLocalUpdateAndDeleteSeePreviousOutput(t *testing.T) {
	dir := t.TempDir()
	p := New(nil)
	typ := spec.LocalCommand
	in := resource.NewPropertyMapFromMap(map[string]any{
		"create": "echo first",
		"update": "echo \"was $PULUMI_COMMAND_STDOUT\"",
		"delete": "echo \"$PULUMI_COMMAND_STDOUT\" > " + filepath.Join(dir, "deleted"),
	})
	created, err := create(t, p, typ, in)
	require.NoError(t, err)

	news := checked(t, p, typ, in)
	upd, err := p.Update(context.Background(), plugin.UpdateRequest{
		URN: urn(typ), Type: typ, ID: created.ID, OldInputs: checked(t, p, typ, in),
		OldOutputs: created.Properties, NewInputs: news,
	})
	require.NoError(t, err)
	assert.Equal(t, "was first", upd.Properties["stdout"].StringValue())

	_, err = p.Delete(context.Background(), plugin.DeleteRequest{
		URN: urn(typ), Type: typ, ID: created.ID, Inputs: news, Outputs: upd.Properties,
	})
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "deleted"))
	require.NoError(t, err)
	assert.Equal(t, "was first\n", string(got))
}

func TestLocalFailureAndSecretOutputs(t *testing.T) {
	p := New(nil)
	_, err := create(t, p, spec.LocalCommand, resource.NewPropertyMapFromMap(map[string]any{
		"create": "echo nope >&2; exit 4",
	}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exit code 4")
	assert.Contains(t, err.Error(), "nope")

	secretIn := resource.PropertyMap{"create": resource.MakeSecret(resource.NewProperty("echo token"))}
	resp, err := create(t, p, spec.LocalCommand, secretIn)
	require.NoError(t, err)
	require.True(t, resp.Properties["stdout"].IsSecret(), "secret inputs make stdout secret")
	assert.Equal(t, "token", resp.Properties["stdout"].SecretValue().Element.StringValue())
}

func connection(s *testsshd.Server) resource.PropertyValue {
	return resource.MakeSecret(resource.NewProperty(resource.NewPropertyMapFromMap(map[string]any{
		"host": "127.0.0.1", "port": float64(s.Port), "user": s.User,
		"privateKey": s.PrivateKey, "hostKey": s.HostKey,
	})))
}

func TestRemoteCommandLifecycle(t *testing.T) {
	s := testsshd.Start(t, testsshd.Options{AcceptEnv: "RAGMESH_*"})
	dir := t.TempDir()
	rec := &recorder{}
	p := New(rec)
	typ := spec.RemoteCommand
	in := resource.PropertyMap{
		"connection":  connection(s),
		"create":      resource.NewProperty("cat > " + filepath.Join(dir, "in") + "; echo \"$RAGMESH_NAME\"; echo warn >&2"),
		"delete":      resource.NewProperty("rm " + filepath.Join(dir, "in")),
		"stdin":       resource.NewProperty("payload"),
		"environment": resource.NewProperty(resource.NewPropertyMapFromMap(map[string]any{"RAGMESH_NAME": "chroma"})),
	}
	created, err := create(t, p, typ, in)
	require.NoError(t, err)
	stdout := created.Properties["stdout"]
	require.True(t, stdout.IsSecret(), "connection is secret, so outputs are")
	assert.Equal(t, "chroma", stdout.SecretValue().Element.StringValue())
	assert.Equal(t, "warn", created.Properties["stderr"].SecretValue().Element.StringValue())
	assert.True(t, created.Properties["connection"].IsSecret())
	got, err := os.ReadFile(filepath.Join(dir, "in"))
	require.NoError(t, err)
	assert.Equal(t, "payload", string(got), "stdin reaches the command")
	assert.Contains(t, rec.all(), "chroma")

	// A second run with the same inputs has nothing to do.
	d, err := p.Diff(context.Background(), plugin.DiffRequest{
		URN: urn(typ), Type: typ, OldInputs: checked(t, p, typ, in), OldOutputs: created.Properties,
		NewInputs: checked(t, p, typ, in),
	})
	require.NoError(t, err)
	assert.Equal(t, plugin.DiffNone, d.Changes)

	_, err = p.Delete(context.Background(), plugin.DeleteRequest{
		URN: urn(typ), Type: typ, ID: created.ID, Inputs: checked(t, p, typ, in), Outputs: created.Properties,
	})
	require.NoError(t, err)
	assert.NoFileExists(t, filepath.Join(dir, "in"), "delete ran on the host")
}

func TestRemoteFailuresAreLoud(t *testing.T) {
	s := testsshd.Start(t, testsshd.Options{})
	p := New(nil)
	typ := spec.RemoteCommand

	_, err := create(t, p, typ, resource.PropertyMap{
		"connection": connection(s), "create": resource.NewProperty("echo secret-ish; exit 9"),
		"logging": resource.NewProperty("none"),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exit code 9")
	assert.NotContains(t, err.Error(), "secret-ish")

	_, err = create(t, p, typ, resource.PropertyMap{
		"connection":  connection(s),
		"create":      resource.NewProperty("true"),
		"environment": resource.NewProperty(resource.NewPropertyMapFromMap(map[string]any{"NOT_ACCEPTED": "x"})),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AcceptEnv")
}

func sha(t *testing.T, path string) [32]byte {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	h := sha256.New()
	_, err = io.Copy(h, f)
	require.NoError(t, err)
	return [32]byte(h.Sum(nil))
}

func copyTo(t *testing.T, p *Provider, s *testsshd.Server, source resource.PropertyValue, remote string) error {
	_, err := create(t, p, spec.CopyToRemote, resource.PropertyMap{
		"connection": connection(s), "source": source, "remotePath": resource.NewProperty(remote),
	})
	return err
}

func TestCopyToRemote(t *testing.T) {
	s := testsshd.Start(t, testsshd.Options{})
	p := New(nil)
	src := t.TempDir()
	dst := t.TempDir()

	// A file asset into an existing directory keeps its base name and its executable bit.
	script := filepath.Join(src, "install.sh")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\necho hi\n"), 0o755))
	fileAsset, err := resource.NewPathAsset(script)
	require.NoError(t, err)
	require.NoError(t, copyTo(t, p, s, resource.NewProperty(fileAsset), dst))
	info, err := os.Stat(filepath.Join(dst, "install.sh"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), info.Mode().Perm())

	// A file asset to a new path creates parents and names the file; a second copy overwrites it.
	target := filepath.Join(dst, "etc", "consul.d", "agent.hcl")
	text, err := resource.NewTextAsset("datacenter = \"dc1\"\n")
	require.NoError(t, err)
	require.NoError(t, copyTo(t, p, s, resource.NewProperty(text), target))
	text2, err := resource.NewTextAsset("datacenter = \"dc2\"\n")
	require.NoError(t, err)
	require.NoError(t, copyTo(t, p, s, resource.NewProperty(text2), target))
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "datacenter = \"dc2\"\n", string(got))

	// A directory archive: into a new path it becomes that directory; into an existing one it nests by name.
	tree := filepath.Join(src, "payload")
	require.NoError(t, os.MkdirAll(filepath.Join(tree, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tree, "bin", "run"), []byte("#!/bin/sh\n"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(tree, "README"), []byte("r"), 0o644))
	dirArchive, err := resource.NewPathArchive(tree)
	require.NoError(t, err)
	require.NoError(t, copyTo(t, p, s, resource.NewProperty(dirArchive), filepath.Join(dst, "opt")))
	info, err = os.Stat(filepath.Join(dst, "opt", "bin", "run"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o750), info.Mode().Perm())
	require.NoError(t, copyTo(t, p, s, resource.NewProperty(dirArchive), filepath.Join(dst, "opt")))
	assert.FileExists(t, filepath.Join(dst, "opt", "payload", "README"))

	// An asset archive lays its members under remotePath.
	member, err := resource.NewTextAsset("m")
	require.NoError(t, err)
	assets, err := resource.NewAssetArchive(map[string]any{"conf/x.txt": member})
	require.NoError(t, err)
	require.NoError(t, copyTo(t, p, s, resource.NewProperty(assets), filepath.Join(dst, "assets")))
	got, err = os.ReadFile(filepath.Join(dst, "assets", "conf", "x.txt"))
	require.NoError(t, err)
	assert.Equal(t, "m", string(got))

	// A directory onto an existing file fails with the reason.
	err = copyTo(t, p, s, resource.NewProperty(dirArchive), target)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a directory")
}

func TestCopyLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("large copy skipped in -short mode")
	}
	s := testsshd.Start(t, testsshd.Options{})
	p := New(nil)
	big := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(big)
	require.NoError(t, err)
	chunk := make([]byte, 1<<20)
	for i := range 100 {
		for j := range chunk {
			chunk[j] = byte(i + j)
		}
		_, err = f.Write(chunk)
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	a, err := resource.NewPathAsset(big)
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), "big.copy")
	start := time.Now()
	require.NoError(t, copyTo(t, p, s, resource.NewProperty(a), dst))
	t.Logf("100 MiB copied in %s", time.Since(start))
	assert.Equal(t, sha(t, big), sha(t, dst))
}

func TestUnsupportedIsLoud(t *testing.T) {
	p := New(nil)
	_, err := p.Check(context.Background(), plugin.CheckRequest{
		URN: urn("command:remote:CopyFile"), Type: "command:remote:CopyFile", News: resource.PropertyMap{},
	})
	require.Error(t, err)
	_, err = p.Invoke(context.Background(), plugin.InvokeRequest{Tok: "command:local:run"})
	require.Error(t, err)
	_, err = p.Update(context.Background(), plugin.UpdateRequest{Type: spec.CopyToRemote})
	require.Error(t, err)
}

func TestReadReturnsStateUnchanged(t *testing.T) {
	state := resource.NewPropertyMapFromMap(map[string]any{"create": "x", "stdout": "y", "stderr": ""})
	inputs := resource.NewPropertyMapFromMap(map[string]any{"create": "x"})
	resp, err := New(nil).Read(context.Background(), plugin.ReadRequest{
		Type: spec.LocalCommand, ID: "id-1", Inputs: inputs, State: state,
	})
	require.NoError(t, err)
	assert.Equal(t, resource.ID("id-1"), resp.ID)
	assert.True(t, state.DeepEquals(resp.Outputs))
	assert.True(t, inputs.DeepEquals(resp.Inputs))
}
