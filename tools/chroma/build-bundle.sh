#!/usr/bin/env bash
# Builds the Chroma server bundle that the program uploads to hosts without Docker: Node.js, the chromadb npm
# package (Chroma 1.0 server) with its native bindings stripped of debug info, and a launcher. The tarball is
# reproducible (sorted, fixed times, no gzip name/time), so an unchanged bundle never re-triggers an upload.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-bundle.sh OUTPUT.tar.gz}
start=$SECONDS
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/chroma
mkdir -p "$root/bin" "$root/lib"
cp -a "$here/node_modules" "$root/lib/node_modules"
find "$root/lib/node_modules" -name '*.node' -exec strip --strip-debug {} +
install -m 0755 "$(command -v node)" "$root/bin/node"
install -m 0755 "$here/chroma-server" "$root/bin/chroma-server"
"$root/bin/chroma-server" --help >/dev/null 2>&1 || { echo "chroma bundle: launcher does not run" >&2; exit 1; }
# Written aside and moved into place, so a reader never sees a half-written bundle.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf - . | gzip -n -6 > "$out.$$.tmp"
mv "$out.$$.tmp" "$out"
echo "chroma bundle: built $out ($(du -h "$out" | cut -f1)) in $((SECONDS - start))s"
