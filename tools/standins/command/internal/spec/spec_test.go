package spec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func failureFor(t *testing.T, fs []plugin.CheckFailure, prop string) plugin.CheckFailure {
	t.Helper()
	for _, f := range fs {
		if string(f.Property) == prop {
			return f
		}
	}
	t.Fatalf("no failure for %q in %+v", prop, fs)
	return plugin.CheckFailure{}
}

func TestCheckRejectsUnknownProperty(t *testing.T) {
	_, fs, err := Check(LocalCommand, props(map[string]any{"create": "true", "creat": "typo"}))
	require.NoError(t, err)
	require.Len(t, fs, 1)
	f := failureFor(t, fs, "creat")
	assert.Contains(t, f.Reason, `unknown property "creat"`)

	// A property of another resource type is unknown here too.
	_, fs, err = Check(RemoteCommand, props(map[string]any{
		"connection": map[string]any{"host": "h"}, "dir": "/tmp",
	}))
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "dir").Reason, `unknown property "dir"`)

	// Unknown keys inside the connection are named with their path.
	_, fs, err = Check(RemoteCommand, props(map[string]any{
		"connection": map[string]any{"host": "h", "hostname": "x"},
	}))
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "connection.hostname").Reason, `unknown property "connection.hostname"`)
}

func TestCheckAppliesConnectionDefaultsAndKeepsSecrets(t *testing.T) {
	conn := resource.MakeSecret(resource.NewObjectProperty(props(map[string]any{
		"host":  "10.0.1.4",
		"user":  "admin",
		"proxy": map[string]any{"host": "10.0.1.1", "port": 2222.0},
	})))
	out, fs, err := Check(RemoteCommand, resource.PropertyMap{"connection": conn, "create": resource.NewProperty("id")})
	require.NoError(t, err)
	require.Empty(t, fs)

	c := out["connection"]
	require.True(t, c.IsSecret(), "connection must stay secret")
	m := c.SecretValue().Element.ObjectValue()
	assert.Equal(t, 22.0, m["port"].NumberValue())
	assert.Equal(t, "admin", m["user"].StringValue(), "a given value wins over the default")
	assert.Equal(t, 10.0, m["dialErrorLimit"].NumberValue())
	assert.Equal(t, 15.0, m["perDialTimeout"].NumberValue())
	proxy := m["proxy"].ObjectValue()
	assert.Equal(t, 2222.0, proxy["port"].NumberValue())
	assert.Equal(t, "root", proxy["user"].StringValue())
	assert.Equal(t, 10.0, proxy["dialErrorLimit"].NumberValue())
	assert.Equal(t, 15.0, proxy["perDialTimeout"].NumberValue())
}

func TestCheckRequiredAndEnumsAndRefusals(t *testing.T) {
	_, fs, err := Check(RemoteCommand, props(map[string]any{"create": "x"}))
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "connection").Reason, "missing required")

	_, fs, err = Check(RemoteCommand, props(map[string]any{"connection": map[string]any{"port": 22.0}}))
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "connection.host").Reason, "missing required")

	_, fs, err = Check(CopyToRemote, props(map[string]any{"connection": map[string]any{"host": "h"}}))
	require.NoError(t, err)
	failureFor(t, fs, "source")
	failureFor(t, fs, "remotePath")

	_, fs, err = Check(LocalCommand, props(map[string]any{"logging": "verbose"}))
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "logging").Reason, "stdoutAndStderr")

	for _, l := range []string{"stdout", "stderr", "stdoutAndStderr", "none"} {
		_, fs, err = Check(LocalCommand, props(map[string]any{"logging": l}))
		require.NoError(t, err)
		assert.Empty(t, fs, l)
	}

	_, fs, err = Check(RemoteCommand, props(map[string]any{
		"connection": map[string]any{"host": "h", "agentSocketPath": "/run/agent"},
	}))
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "connection.agentSocketPath").Reason, "not supported")

	_, fs, err = Check(LocalCommand, props(map[string]any{"assetPaths": []any{"*.txt"}}))
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "assetPaths").Reason, "not supported")

	_, fs, err = Check(LocalCommand, props(map[string]any{"create": 3.0}))
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "create").Reason, "must be a string")

	_, _, err = Check("command:remote:CopyFile", props(map[string]any{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not supported")
}

func TestCheckPassesUnknownsAndDropsNulls(t *testing.T) {
	in := resource.PropertyMap{
		"connection": resource.MakeComputed(resource.NewProperty("")),
		"create":     resource.MakeComputed(resource.NewProperty("")),
		"delete":     resource.NewNullProperty(),
	}
	out, fs, err := Check(RemoteCommand, in)
	require.NoError(t, err)
	assert.Empty(t, fs)
	assert.True(t, out["create"].IsComputed())
	_, has := out["delete"]
	assert.False(t, has)
}

func TestCheckSourceMustExist(t *testing.T) {
	missing := &resource.Asset{Sig: resource.AssetSig, Path: filepath.Join(t.TempDir(), "nope")}
	_, fs, err := Check(CopyToRemote, resource.PropertyMap{
		"connection": resource.NewProperty(props(map[string]any{"host": "h"})),
		"remotePath": resource.NewProperty("/tmp/x"),
		"source":     resource.NewProperty(missing),
	})
	require.NoError(t, err)
	assert.Contains(t, failureFor(t, fs, "source").Reason, "cannot read")
}

func TestDiff(t *testing.T) {
	base := props(map[string]any{
		"create":   "echo hi",
		"triggers": []any{"a"},
	})
	with := func(k string, v any) resource.PropertyMap {
		m := base.Copy()
		m[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
		return m
	}

	d := Diff(LocalCommand, base, base.Copy(), nil)
	assert.Equal(t, plugin.DiffNone, d.Changes, "equal inputs: no diff")

	d = Diff(LocalCommand, base, with("triggers", []any{"b"}), nil)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Equal(t, []resource.PropertyKey{"triggers"}, d.ReplaceKeys)
	assert.Equal(t, plugin.DiffUpdateReplace, d.DetailedDiff["triggers"].Kind)

	d = Diff(LocalCommand, base, with("create", "echo bye"), nil)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Empty(t, d.ReplaceKeys, "a create change updates in place")
	assert.Equal(t, plugin.DiffUpdate, d.DetailedDiff["create"].Kind)

	d = Diff(LocalCommand, base, with("create", "echo bye"), []string{"create"})
	assert.Equal(t, plugin.DiffNone, d.Changes, "ignoreChanges is honoured")

	d = Diff(LocalCommand, base, with("update", "echo u"), nil)
	assert.Equal(t, plugin.DiffAdd, d.DetailedDiff["update"].Kind)

	// Outputs in the old state never cause a diff.
	old := base.Copy()
	old["stdout"] = resource.NewProperty("hi")
	old["stderr"] = resource.NewProperty("")
	assert.Equal(t, plugin.DiffNone, Diff(LocalCommand, old, base, nil).Changes)

	// Unknown new values are a change, without a crash.
	unk := base.Copy()
	unk["create"] = resource.MakeComputed(resource.NewProperty(""))
	d = Diff(LocalCommand, base, unk, nil)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	unkTrig := base.Copy()
	unkTrig["triggers"] = resource.NewArrayProperty([]resource.PropertyValue{resource.MakeComputed(resource.NewProperty(""))})
	assert.Equal(t, []resource.PropertyKey{"triggers"}, Diff(LocalCommand, base, unkTrig, nil).ReplaceKeys)

	// Secret wrapping alone is not a change.
	sec := base.Copy()
	sec["create"] = resource.MakeSecret(resource.NewProperty("echo hi"))
	assert.Equal(t, plugin.DiffNone, Diff(LocalCommand, base, sec, nil).Changes)
}

func TestDiffCopyToRemoteReplacesOnSourceChange(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(p, []byte("one"), 0o644))
	a1, err := resource.NewPathAsset(p)
	require.NoError(t, err)
	a2, err := resource.NewTextAsset("two")
	require.NoError(t, err)
	conn := resource.NewProperty(props(map[string]any{"host": "h"}))
	olds := resource.PropertyMap{"connection": conn, "remotePath": resource.NewProperty("/x"), "source": resource.NewProperty(a1)}
	news := olds.Copy()
	assert.Equal(t, plugin.DiffNone, Diff(CopyToRemote, olds, news, nil).Changes)

	news["source"] = resource.NewProperty(a2)
	d := Diff(CopyToRemote, olds, news, nil)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Equal(t, []resource.PropertyKey{"source"}, d.ReplaceKeys)

	news = olds.Copy()
	news["remotePath"] = resource.NewProperty("/y")
	assert.Equal(t, []resource.PropertyKey{"remotePath"}, Diff(CopyToRemote, olds, news, nil).ReplaceKeys)
}
