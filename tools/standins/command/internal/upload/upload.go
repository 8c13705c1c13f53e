// Package upload copies an asset or archive to a remote host for CopyToRemote. It streams a tar archive through
// one SSH session into a small shell script (no sftp needed), so large files are read once and never held in
// memory, and file modes (the executable bit) survive. Placement follows the schema's rules: into an existing
// directory the item keeps its base name; otherwise remotePath names it; archives such as .tgz are not unpacked.
package upload

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/archive"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
	"golang.org/x/crypto/ssh"
)

// plan is what to send: a single file or a directory tree, and the name it keeps inside an existing directory.
type plan struct {
	dir   bool
	name  string                  // "" when the source has no name (text asset, asset map)
	write func(*tar.Writer) error // writes the entries (a file is one entry named "f")
}

// Copy sends source (an asset or archive value) to remotePath on the host.
func Copy(ctx context.Context, client *ssh.Client, source resource.PropertyValue, remotePath string) error {
	for source.IsSecret() {
		source = source.SecretValue().Element
	}
	p, err := planFor(source)
	if err != nil {
		return err
	}
	session, err := client.NewSession()
	if err != nil {
		return fmt.Errorf("copy to %s: opening an SSH session: %w", remotePath, err)
	}
	defer func() { _ = session.Close() }()
	stdin, err := session.StdinPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	session.Stderr = &stderr
	session.Stdout = &stderr
	if err := session.Start(script(p, remotePath)); err != nil {
		return fmt.Errorf("copy to %s: starting the remote side: %w", remotePath, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = session.Close() })
	defer stop()

	tw := tar.NewWriter(stdin)
	werr := p.write(tw)
	if werr == nil {
		werr = tw.Close()
	}
	_ = stdin.Close()
	rerr := session.Wait()
	if rerr != nil {
		msg := strings.TrimSpace(stderr.String())
		return fmt.Errorf("copy to %s failed on the remote host: %v: %s", remotePath, rerr, msg)
	}
	if werr != nil {
		return fmt.Errorf("copy to %s: sending the source: %w", remotePath, werr)
	}
	return nil
}

// quote makes s one single-quoted shell word.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// script is the remote side: decide the target, then unpack the stream there.
func script(p plan, remotePath string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "set -eu\ndst=%s\nname=%s\n", quote(remotePath), quote(p.name))
	if p.dir {
		b.WriteString(`if [ -d "$dst" ] && [ -n "$name" ]; then dst="$dst/$name"; fi
if [ -e "$dst" ] && [ ! -d "$dst" ]; then echo "remote path $dst exists and is not a directory" >&2; exit 1; fi
mkdir -p -- "$dst"
tar -x --no-same-owner -C "$dst" -f -
`)
		return b.String()
	}
	b.WriteString(`if [ -d "$dst" ]; then
  if [ -z "$name" ]; then echo "remote path $dst is a directory and the source has no file name" >&2; exit 1; fi
  dst="$dst/$name"
fi
if [ -d "$dst" ]; then echo "remote path $dst is a directory" >&2; exit 1; fi
parent=$(dirname -- "$dst")
mkdir -p -- "$parent"
tmp=$(mktemp -d "$parent/.pulumi-copy.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
tar -x --no-same-owner -C "$tmp" -f -
mv -f -- "$tmp/f" "$dst"
`)
	return b.String()
}

// planFor decides how to send a source.
func planFor(v resource.PropertyValue) (plan, error) {
	switch {
	case v.IsAsset():
		return assetPlan(v.AssetValue())
	case v.IsArchive():
		return archivePlan(v.ArchiveValue())
	}
	return plan{}, fmt.Errorf("source must be an asset or an archive, got %s", v.TypeString())
}

func assetPlan(a *asset.Asset) (plan, error) {
	if p, ok := localPath(a.Path, a.URI); ok {
		return plan{name: filepath.Base(p), write: func(tw *tar.Writer) error { return writeFile(tw, "f", p) }}, nil
	}
	if a.IsURI() {
		return plan{}, fmt.Errorf("source asset URI %q is not supported by the offline stand-in", a.URI)
	}
	text := a.Text
	return plan{write: func(tw *tar.Writer) error {
		hdr := &tar.Header{Name: "f", Mode: 0o644, Size: int64(len(text)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := io.WriteString(tw, text)
		return err
	}}, nil
}

func archivePlan(a *archive.Archive) (plan, error) {
	if p, ok := localPath(a.Path, a.URI); ok {
		info, err := os.Stat(p)
		if err != nil {
			return plan{}, err
		}
		if !info.IsDir() {
			// A file archive (.tgz, .zip, ...) is copied as-is.
			return plan{name: filepath.Base(p), write: func(tw *tar.Writer) error { return writeFile(tw, "f", p) }}, nil
		}
		return plan{dir: true, name: filepath.Base(filepath.Clean(p)),
			write: func(tw *tar.Writer) error { return writeTree(tw, "", p) }}, nil
	}
	if a.IsURI() {
		return plan{}, fmt.Errorf("source archive URI %q is not supported by the offline stand-in", a.URI)
	}
	assets := a.Assets
	return plan{dir: true, write: func(tw *tar.Writer) error { return writeAssets(tw, "", assets) }}, nil
}

// localPath returns the file path of a path- or file://-backed source.
func localPath(p, uri string) (string, bool) {
	if p != "" {
		return p, true
	}
	if strings.HasPrefix(uri, "file://") {
		if u, err := url.Parse(uri); err == nil {
			return u.Path, true
		}
	}
	return "", false
}

// writeFile adds one regular file (following symlinks) under name, keeping its mode bits.
func writeFile(tw *tar.Writer, name, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", p)
	}
	hdr := &tar.Header{Name: name, Mode: int64(info.Mode().Perm()), Size: info.Size(),
		Typeflag: tar.TypeReg, ModTime: info.ModTime()}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, f)
	if err == nil && n != info.Size() {
		err = fmt.Errorf("%s changed size while being copied", p)
	}
	return err
}

// writeTree adds a directory's contents, named relative to root under prefix, with directories, files and
// symlinks.
func writeTree(tw *tar.Writer, prefix, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		name := path.Join(prefix, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case info.IsDir():
			return tw.WriteHeader(&tar.Header{Name: name + "/", Mode: int64(info.Mode().Perm()),
				Typeflag: tar.TypeDir, ModTime: info.ModTime()})
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return tw.WriteHeader(&tar.Header{Name: name, Linkname: target, Mode: 0o777,
				Typeflag: tar.TypeSymlink, ModTime: info.ModTime()})
		case info.Mode().IsRegular():
			return writeFile(tw, name, p)
		}
		return fmt.Errorf("%s: unsupported file type %s", p, info.Mode().Type())
	})
}

// writeAssets adds the members of an asset map, nested archives under their key.
func writeAssets(tw *tar.Writer, prefix string, assets map[string]any) error {
	keys := make([]string, 0, len(assets))
	for k := range assets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := path.Join(prefix, filepath.ToSlash(k))
		if name == "" || strings.HasPrefix(path.Clean(name), "..") {
			return fmt.Errorf("asset archive member name %q leaves the target directory", k)
		}
		switch m := assets[k].(type) {
		case *asset.Asset:
			if p, ok := localPath(m.Path, m.URI); ok {
				if err := writeFile(tw, name, p); err != nil {
					return err
				}
				continue
			}
			if m.IsURI() {
				return fmt.Errorf("asset URI %q is not supported by the offline stand-in", m.URI)
			}
			hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(m.Text)), Typeflag: tar.TypeReg}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if _, err := io.WriteString(tw, m.Text); err != nil {
				return err
			}
		case *archive.Archive:
			if p, ok := localPath(m.Path, m.URI); ok {
				if info, err := os.Stat(p); err == nil && info.IsDir() {
					if err := writeTree(tw, name, p); err != nil {
						return err
					}
					continue
				}
				return errors.New("a file archive inside an asset archive is not supported by the offline stand-in")
			}
			if m.IsURI() {
				return fmt.Errorf("archive URI %q is not supported by the offline stand-in", m.URI)
			}
			if err := writeAssets(tw, name, m.Assets); err != nil {
				return err
			}
		default:
			return fmt.Errorf("asset archive member %q has unsupported type %T", k, m)
		}
	}
	return nil
}
