// Package build compiles a Go program once per distinct source state and reuses the binary:
// `go build -o` always relinks, which for a Pulumi program costs seconds on every preview.
package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Error is a failed compilation; Output is what the compiler printed.
type Error struct {
	Dir    string
	Output string
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("go build in %s failed: %v\n%s", e.Dir, e.Err, strings.TrimSpace(e.Output))
}

// Builder compiles programs into CacheDir with the go command at GoBin.
type Builder struct {
	GoBin    string
	CacheDir string
}

// Result says where the binary is and whether it was compiled by this call.
type Result struct {
	Path    string
	Key     string
	Rebuilt bool
}

// Build returns a binary for the package target (e.g. ".") of the module in dir. It compiles
// only when no binary for the current content key exists, and keeps one binary per program
// directory and target so the cache does not grow with every edit.
func (b Builder) Build(ctx context.Context, dir, target string) (Result, error) {
	key, keyErr := b.Key(ctx, dir, target)
	prefix := cachePrefix(dir, target)
	if keyErr == nil {
		cached := filepath.Join(b.CacheDir, prefix+"-"+key)
		if st, err := os.Stat(cached); err == nil && st.Mode().IsRegular() && st.Mode()&0o100 != 0 {
			return Result{Path: cached, Key: key}, nil
		}
	} else {
		// Listing the packages failed (often a broken import): compile anyway so the user sees the
		// compiler's own message, under a key that never matches a later run.
		key = "unkeyed"
	}
	if err := os.MkdirAll(b.CacheDir, 0o755); err != nil {
		return Result{}, err
	}
	tmp, err := os.CreateTemp(b.CacheDir, prefix+"-building-*")
	if err != nil {
		return Result{}, err
	}
	tmpPath := tmp.Name()
	_ = tmp.Close()
	defer func() { _ = os.Remove(tmpPath) }()

	if err := b.compile(ctx, dir, target, tmpPath); err != nil {
		return Result{}, err
	}
	if keyErr != nil {
		return Result{}, fmt.Errorf("go build succeeded but listing packages of %s failed: %w", dir, keyErr)
	}
	final := filepath.Join(b.CacheDir, prefix+"-"+key)
	if err := os.Rename(tmpPath, final); err != nil {
		return Result{}, err
	}
	b.prune(prefix, final)
	return Result{Path: final, Key: key, Rebuilt: true}, nil
}

// Compile builds target in dir to out without any caching (used for an explicit build target).
func (b Builder) Compile(ctx context.Context, dir, target, out string) error {
	return b.compile(ctx, dir, target, out)
}

func (b Builder) compile(ctx context.Context, dir, target, out string) error {
	cmd := exec.CommandContext(ctx, b.GoBin, "build", "-o", out, target)
	cmd.Dir = dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return &Error{Dir: dir, Output: output.String(), Err: err}
	}
	return nil
}

// prune removes older binaries of the same program directory and target.
func (b Builder) prune(prefix, keep string) {
	matches, _ := filepath.Glob(filepath.Join(b.CacheDir, prefix+"-*"))
	for _, m := range matches {
		if m != keep && !strings.Contains(filepath.Base(m), "-building-") {
			_ = os.Remove(m)
		}
	}
}

func cachePrefix(dir, target string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	sum := sha256.Sum256([]byte(abs + "\x00" + target))
	return hex.EncodeToString(sum[:6])
}

// listedPackage is the part of `go list -deps -json` output that determines the binary.
type listedPackage struct {
	ImportPath string
	Dir        string
	Standard   bool
	Module     *listedModule
	GoFiles    []string
	CgoFiles   []string
	CFiles     []string
	CXXFiles   []string
	MFiles     []string
	HFiles     []string
	FFiles     []string
	SFiles     []string
	SysoFiles  []string
	EmbedFiles []string
}

type listedModule struct {
	Path    string
	Version string
	Main    bool
	GoMod   string
	Replace *listedModule
}

// Key hashes everything that decides the binary: the toolchain and build environment, the
// version of every dependency module taken from the module cache (immutable by version),
// and the content of every source and embedded file of packages that live outside it
// (the program's own module and local replacements), plus their go.mod and go.sum.
func (b Builder) Key(ctx context.Context, dir, target string) (string, error) {
	h := sha256.New()

	envOut, err := b.output(ctx, dir, "env", "GOVERSION", "GOOS", "GOARCH", "GOAMD64", "GOARM64",
		"CGO_ENABLED", "GOFLAGS", "GOEXPERIMENT", "CC", "CGO_CFLAGS", "CGO_LDFLAGS", "GOWORK")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "env\x00%s\x00target\x00%s\x00", envOut, target)

	fields := "ImportPath,Dir,Standard,Module,GoFiles,CgoFiles,CFiles,CXXFiles,MFiles,HFiles,FFiles,SFiles,SysoFiles,EmbedFiles"
	listOut, err := b.output(ctx, dir, "list", "-deps", "-json="+fields, target)
	if err != nil {
		return "", err
	}
	pkgs, err := decodePackages(bytes.NewReader(listOut))
	if err != nil {
		return "", err
	}

	goMods := map[string]bool{}
	for _, p := range pkgs {
		if p.Standard {
			continue
		}
		if mod := effective(p.Module); mod != nil && !mod.Main && mod.Version != "" {
			fmt.Fprintf(h, "mod\x00%s\x00%s\x00%s\x00", p.ImportPath, mod.Path, mod.Version)
			continue
		}
		if p.Module != nil && p.Module.GoMod != "" {
			goMods[p.Module.GoMod] = true
		}
		if err := hashPackageFiles(h, p); err != nil {
			return "", err
		}
	}
	mods := make([]string, 0, len(goMods))
	for m := range goMods {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	for _, m := range mods {
		for _, f := range []string{m, strings.TrimSuffix(m, ".mod") + ".sum"} {
			if err := hashFile(h, f, f); err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", err
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// effective returns the module that supplies the code: the replacement if there is one.
func effective(m *listedModule) *listedModule {
	if m == nil {
		return nil
	}
	if m.Replace != nil {
		return m.Replace
	}
	return m
}

func hashPackageFiles(h io.Writer, p listedPackage) error {
	var files []string
	for _, group := range [][]string{p.GoFiles, p.CgoFiles, p.CFiles, p.CXXFiles, p.MFiles, p.HFiles,
		p.FFiles, p.SFiles, p.SysoFiles, p.EmbedFiles} {
		files = append(files, group...)
	}
	sort.Strings(files)
	fmt.Fprintf(h, "pkg\x00%s\x00", p.ImportPath)
	for _, f := range files {
		if err := hashFile(h, filepath.Join(p.Dir, f), f); err != nil {
			return err
		}
	}
	return nil
}

func hashFile(h io.Writer, path, label string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	fmt.Fprintf(h, "file\x00%s\x00", label)
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return err
	}
	_, err = h.Write(sum.Sum(nil))
	return err
}

func decodePackages(r io.Reader) ([]listedPackage, error) {
	dec := json.NewDecoder(r)
	var out []listedPackage
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output: %w", err)
		}
		out = append(out, p)
	}
}

func (b Builder) output(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, b.GoBin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}
