package build

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func goBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go toolchain not on PATH")
	}
	return p
}

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// program lays out a module with a main package that embeds a file and imports a local package.
func program(t *testing.T) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/prog\n\ngo 1.26\n")
	write(t, filepath.Join(dir, "main.go"), `package main

import (
	_ "embed"
	"fmt"

	"example.com/prog/lib"
)

//go:embed greeting.txt
var greeting string

func main() { fmt.Print(greeting, lib.Name) }
`)
	write(t, filepath.Join(dir, "greeting.txt"), "hello ")
	write(t, filepath.Join(dir, "lib/lib.go"), "package lib\n\nconst Name = \"world\"\n")
	write(t, filepath.Join(dir, "lib/lib_test.go"), "package lib\n")
	return dir
}

func runBinary(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(path).Output()
	require.NoError(t, err)
	return string(out)
}

func TestBuildReusesBinaryUntilSourcesChange(t *testing.T) {
	b := Builder{GoBin: goBin(t), CacheDir: t.TempDir()}
	dir := program(t)
	ctx := context.Background()

	first, err := b.Build(ctx, dir, ".")
	require.NoError(t, err)
	assert.True(t, first.Rebuilt)
	assert.Equal(t, "hello world", runBinary(t, first.Path))

	again, err := b.Build(ctx, dir, ".")
	require.NoError(t, err)
	assert.False(t, again.Rebuilt, "unchanged sources must reuse the binary")
	assert.Equal(t, first.Path, again.Path)

	// Files that cannot change the binary do not invalidate it.
	write(t, filepath.Join(dir, "lib/lib_test.go"), "package lib\n\n// changed\n")
	write(t, filepath.Join(dir, "Pulumi.dev.yaml"), "config: {}\n")
	same, err := b.Build(ctx, dir, ".")
	require.NoError(t, err)
	assert.False(t, same.Rebuilt)

	// A change in an imported package of the module rebuilds.
	write(t, filepath.Join(dir, "lib/lib.go"), "package lib\n\nconst Name = \"mesh\"\n")
	second, err := b.Build(ctx, dir, ".")
	require.NoError(t, err)
	assert.True(t, second.Rebuilt)
	assert.NotEqual(t, first.Key, second.Key)
	assert.Equal(t, "hello mesh", runBinary(t, second.Path))
	_, err = os.Stat(first.Path)
	assert.True(t, os.IsNotExist(err), "the superseded binary is pruned")

	// So does a change in an embedded file.
	write(t, filepath.Join(dir, "greeting.txt"), "hi ")
	third, err := b.Build(ctx, dir, ".")
	require.NoError(t, err)
	assert.True(t, third.Rebuilt)
	assert.Equal(t, "hi mesh", runBinary(t, third.Path))

	entries, err := os.ReadDir(b.CacheDir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "one binary per program directory")
}

func TestBuildReportsCompilerOutput(t *testing.T) {
	b := Builder{GoBin: goBin(t), CacheDir: t.TempDir()}
	dir := program(t)
	write(t, filepath.Join(dir, "lib/lib.go"), "package lib\n\nconst Name = undefinedThing\n")

	_, err := b.Build(context.Background(), dir, ".")
	require.Error(t, err)
	var be *Error
	require.ErrorAs(t, err, &be)
	assert.Contains(t, be.Output, "undefined: undefinedThing")
	assert.Contains(t, err.Error(), "lib.go")

	entries, err := os.ReadDir(b.CacheDir)
	require.NoError(t, err)
	assert.Empty(t, entries, "a failed build leaves nothing behind")
}

func TestBuildReportsBrokenImports(t *testing.T) {
	b := Builder{GoBin: goBin(t), CacheDir: t.TempDir()}
	dir := program(t)
	write(t, filepath.Join(dir, "lib/lib.go"), "package lib\n\nimport _ \"example.com/prog/missing\"\n\nconst Name = \"x\"\n")

	_, err := b.Build(context.Background(), dir, ".")
	require.Error(t, err)
	var be *Error
	require.ErrorAs(t, err, &be, "the compiler's message, not the listing failure, reaches the user")
	assert.Contains(t, be.Output, "example.com/prog/missing")
}

func TestTargetsOfOneDirectoryAreCachedSeparately(t *testing.T) {
	b := Builder{GoBin: goBin(t), CacheDir: t.TempDir()}
	dir := program(t)
	write(t, filepath.Join(dir, "cmd/other/main.go"), "package main\n\nfunc main() {}\n")
	ctx := context.Background()
	main, err := b.Build(ctx, dir, ".")
	require.NoError(t, err)
	other, err := b.Build(ctx, dir, "./cmd/other")
	require.NoError(t, err)
	assert.NotEqual(t, main.Key, other.Key)
	assert.FileExists(t, main.Path, "building another target does not prune this one")
	assert.FileExists(t, other.Path)
}
