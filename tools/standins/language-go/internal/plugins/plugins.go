// Package plugins finds the resource plugins a Go program needs, the way the engine
// expects a Go language host to: every module in the program's build list that carries
// a pulumi-plugin.json (at its root or in one of its package directories) names a plugin.
package plugins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/module"
)

// MetadataFile is the file a Pulumi package ships to name its resource plugin.
const MetadataFile = "pulumi-plugin.json"

// Module is the subset of `go list -m -json` output that discovery needs.
type Module struct {
	Path     string
	Version  string
	Dir      string
	Main     bool
	Indirect bool
	Replace  *Module
}

// Parameterization describes a parameterized package served by a base plugin.
type Parameterization struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Value   []byte `json:"value"`
}

// metadata mirrors the pulumi-plugin.json format.
type metadata struct {
	Resource                  bool              `json:"resource"`
	Name                      string            `json:"name,omitempty"`
	Version                   string            `json:"version,omitempty"`
	Server                    string            `json:"server,omitempty"`
	Parameterization          *Parameterization `json:"parameterization,omitempty"`
	ExtensionParameterization *Parameterization `json:"extensionParameterization,omitempty"`
}

// Plugin is one resource plugin the program needs.
type Plugin struct {
	Name             string
	Version          string // semver without a leading "v"; empty when unknown
	Server           string
	Parameterization *Parameterization
	Extension        *Parameterization
	// Source is the metadata file the plugin was read from (for diagnostics).
	Source string
}

// ListModules returns the build list of the module that contains dir.
func ListModules(ctx context.Context, goBin, dir string) ([]Module, error) {
	cmd := exec.CommandContext(ctx, goBin, "list", "-m", "-json", "all")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list -m -json all in %s: %w\n%s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return DecodeModules(&stdout)
}

// DecodeModules reads the stream of JSON objects that `go list -m -json` prints.
func DecodeModules(r io.Reader) ([]Module, error) {
	dec := json.NewDecoder(r)
	var mods []Module
	for {
		var m Module
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return mods, nil
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output: %w", err)
		}
		mods = append(mods, m)
	}
}

// FromModules reads the plugin metadata of every non-main module that is present on disk.
// Modules that are not downloaded (no Dir) cannot be part of the build, so they are skipped.
func FromModules(mods []Module) ([]Plugin, error) {
	seen := map[string]bool{}
	var out []Plugin
	for _, m := range mods {
		if m.Main || m.Dir == "" {
			continue
		}
		version := m.Version
		if m.Replace != nil && m.Replace.Version != "" {
			version = m.Replace.Version
		}
		files, err := findMetadata(m.Dir)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Path, err)
		}
		for _, f := range files {
			p, ok, err := readMetadata(m.Dir, f, version)
			if err != nil {
				return nil, fmt.Errorf("module %s: %w", m.Path, err)
			}
			if !ok {
				continue
			}
			key := p.key()
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out, nil
}

func (p Plugin) key() string {
	k := p.Name + "@" + p.Version
	if p.Parameterization != nil {
		k += "|" + p.Parameterization.Name + "@" + p.Parameterization.Version
	}
	if p.Extension != nil {
		k += "|+" + p.Extension.Name + "@" + p.Extension.Version
	}
	return k
}

// findMetadata lists the metadata files inside one module tree. It does not descend into
// nested modules, test data, vendor trees or hidden directories: none of those are part of
// the module's importable packages.
func findMetadata(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == root {
				return nil
			}
			name := d.Name()
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == MetadataFile {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// readMetadata parses one metadata file; ok is false for packages without a resource plugin.
func readMetadata(moduleDir, file, moduleVersion string) (Plugin, bool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Plugin{}, false, err
	}
	var md metadata
	if err := json.Unmarshal(b, &md); err != nil {
		return Plugin{}, false, fmt.Errorf("parsing %s: %w", file, err)
	}
	if !md.Resource {
		return Plugin{}, false, nil
	}
	p := Plugin{
		Name:             md.Name,
		Version:          strings.TrimPrefix(md.Version, "v"),
		Server:           md.Server,
		Parameterization: md.Parameterization,
		Extension:        md.ExtensionParameterization,
		Source:           file,
	}
	if p.Name == "" {
		p.Name = nameFromDir(moduleDir, filepath.Dir(file))
	}
	if p.Version == "" {
		p.Version = releaseVersion(moduleVersion)
	}
	if p.Name == "" {
		return Plugin{}, false, fmt.Errorf("%s names no plugin and none can be derived from its path", file)
	}
	return p, true, nil
}

// nameFromDir derives a plugin name from the directory holding the metadata file, skipping
// major-version and "sdk"/"go" path elements and the conventional "pulumi-" prefix.
func nameFromDir(moduleDir, dir string) string {
	rel, err := filepath.Rel(filepath.Dir(moduleDir), dir)
	if err != nil {
		return ""
	}
	elems := strings.Split(filepath.ToSlash(rel), "/")
	for i := len(elems) - 1; i >= 0; i-- {
		e := elems[i]
		// Module directories in the cache look like "sdk@v1.2.1".
		if at := strings.IndexByte(e, '@'); at >= 0 {
			e = e[:at]
		}
		if e == "" || e == "sdk" || e == "go" || isMajorSuffix(e) {
			continue
		}
		return strings.TrimPrefix(path.Base(e), "pulumi-")
	}
	return ""
}

func isMajorSuffix(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// releaseVersion turns a module version into a plugin version; pseudo-versions and local
// replacements carry no plugin version.
func releaseVersion(v string) string {
	if v == "" || module.IsPseudoVersion(v) {
		return ""
	}
	return strings.TrimPrefix(strings.TrimSuffix(v, "+incompatible"), "v")
}
