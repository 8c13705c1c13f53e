package plugins

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func TestFromModulesReadsMetadataAtRootAndInPackages(t *testing.T) {
	cache := t.TempDir()
	azure := filepath.Join(cache, "github.com/pulumi/pulumi-azure-native-sdk/network/v2@v2.90.0")
	write(t, filepath.Join(azure, MetadataFile), `{"resource": true, "name": "azure-native", "version": "2.90.0"}`)
	compute := filepath.Join(cache, "github.com/pulumi/pulumi-azure-native-sdk/compute/v2@v2.90.0")
	write(t, filepath.Join(compute, MetadataFile), `{"resource": true, "name": "azure-native", "version": "2.90.0"}`)
	command := filepath.Join(cache, "github.com/pulumi/pulumi-command/sdk@v1.2.1")
	write(t, filepath.Join(command, "go/command/"+MetadataFile), `{"resource": true, "name": "command", "version": "1.2.1"}`)
	// A package without a plugin, test data and nested modules must not be reported.
	lib := filepath.Join(cache, "example.com/lib@v1.0.0")
	write(t, filepath.Join(lib, MetadataFile), `{"resource": false, "name": "lib"}`)
	write(t, filepath.Join(lib, "testdata/"+MetadataFile), `{"resource": true, "name": "fixture"}`)
	write(t, filepath.Join(lib, "nested/go.mod"), "module example.com/lib/nested\n")
	write(t, filepath.Join(lib, "nested/"+MetadataFile), `{"resource": true, "name": "nested"}`)
	// The program's own module is never a plugin source.
	main := filepath.Join(cache, "main")
	write(t, filepath.Join(main, MetadataFile), `{"resource": true, "name": "self"}`)

	got, err := FromModules([]Module{
		{Path: "example.com/program", Dir: main, Main: true},
		{Path: "github.com/pulumi/pulumi-azure-native-sdk/network/v2", Version: "v2.90.0", Dir: azure},
		{Path: "github.com/pulumi/pulumi-azure-native-sdk/compute/v2", Version: "v2.90.0", Dir: compute},
		{Path: "github.com/pulumi/pulumi-command/sdk", Version: "v1.2.1", Dir: command},
		{Path: "example.com/lib", Version: "v1.0.0", Dir: lib},
		{Path: "example.com/not-downloaded", Version: "v1.0.0"},
	})
	require.NoError(t, err)

	var names []string
	for _, p := range got {
		names = append(names, p.Name+"@"+p.Version)
	}
	// azure-native appears once although two of its modules carry the file.
	assert.Equal(t, []string{"azure-native@2.90.0", "command@1.2.1"}, names)
	assert.Equal(t, filepath.Join(command, "go/command", MetadataFile), got[1].Source)
}

func TestFromModulesDerivesMissingNameAndVersion(t *testing.T) {
	cache := t.TempDir()
	random := filepath.Join(cache, "github.com/pulumi/pulumi-random/sdk/v4@v4.16.3")
	write(t, filepath.Join(random, "go/random/"+MetadataFile), `{"resource": true}`)
	local := filepath.Join(cache, "local/pulumi-tls")
	write(t, filepath.Join(local, MetadataFile), `{"resource": true, "server": "https://example.invalid"}`)
	pseudo := filepath.Join(cache, "example.com/pulumi-foo@v0.0.0-20240101000000-abcdefabcdef")
	write(t, filepath.Join(pseudo, MetadataFile), `{"resource": true}`)

	got, err := FromModules([]Module{
		{Path: "github.com/pulumi/pulumi-random/sdk/v4", Version: "v4.16.3", Dir: random},
		// A local replacement has no version of its own.
		{Path: "example.com/tls", Version: "v1.0.0", Dir: local, Replace: &Module{Path: "../pulumi-tls", Dir: local}},
		{Path: "example.com/pulumi-foo", Version: "v0.0.0-20240101000000-abcdefabcdef", Dir: pseudo},
	})
	require.NoError(t, err)
	require.Len(t, got, 3)
	byName := map[string]Plugin{}
	for _, p := range got {
		byName[p.Name] = p
	}
	assert.Equal(t, "4.16.3", byName["random"].Version)
	assert.Equal(t, "1.0.0", byName["tls"].Version, "replace without version keeps the required version")
	assert.Equal(t, "https://example.invalid", byName["tls"].Server)
	assert.Equal(t, "", byName["foo"].Version, "pseudo-versions are not plugin versions")
}

func TestFromModulesKeepsParameterization(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, MetadataFile),
		`{"resource": true, "name": "terraform-provider", "version": "0.8.0",
		  "parameterization": {"name": "consulx", "version": "1.0.0", "value": "aGVsbG8="}}`)
	got, err := FromModules([]Module{{Path: "example.com/consulx", Version: "v1.0.0", Dir: dir}})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.NotNil(t, got[0].Parameterization)
	assert.Equal(t, "consulx", got[0].Parameterization.Name)
	assert.Equal(t, []byte("hello"), got[0].Parameterization.Value)
}

func TestFromModulesRejectsBrokenMetadata(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, MetadataFile), `{"resource": tru`)
	_, err := FromModules([]Module{{Path: "example.com/broken", Version: "v1.0.0", Dir: dir}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "example.com/broken")
}

func TestDecodeModulesStream(t *testing.T) {
	mods, err := DecodeModules(strings.NewReader(`{"Path":"a","Main":true,"Dir":"/a"}
{"Path":"b","Version":"v1.2.3","Indirect":true,"Dir":"/m/b@v1.2.3","Replace":{"Path":"c","Version":"v1.2.4","Dir":"/m/c@v1.2.4"}}`))
	require.NoError(t, err)
	require.Len(t, mods, 2)
	assert.True(t, mods[0].Main)
	assert.True(t, mods[1].Indirect)
	assert.Equal(t, "v1.2.4", mods[1].Replace.Version)
}

// TestListModulesOnThisModule reads a real build list: this module's own.
func TestListModulesOnThisModule(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go toolchain not on PATH")
	}
	mods, err := ListModules(context.Background(), goBin, ".")
	require.NoError(t, err)
	found := map[string]Module{}
	for _, m := range mods {
		found[m.Path] = m
	}
	assert.True(t, found["ragmesh.local/tools/standins/language-go"].Main)
	sdk := found["github.com/pulumi/pulumi/sdk/v3"]
	assert.Equal(t, "v3.276.0", sdk.Version)
	assert.NotEmpty(t, sdk.Dir)
	// The SDK carries no plugin metadata, so this module needs no plugins.
	plugs, err := FromModules(mods)
	require.NoError(t, err)
	assert.Empty(t, plugs)
}

func TestListModulesReportsGoErrors(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go toolchain not on PATH")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module broken\n\nrequire (\n")
	_, err = ListModules(context.Background(), goBin, dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "go.mod")
}
