#!/usr/bin/env bash
# Refuses to build Consul unless every Consul module the binary links is under MPL-2.0 (Consul moved to a
# non-open licence after v1.16.1). Reads "module-path module-dir" lines on stdin when given --modules-from-stdin
# (how the test feeds it a fake module); otherwise asks the Go toolchain which modules the consul binary links.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = "--modules-from-stdin" ]; then
  modules=$(cat)
else
  modules=$(cd "$here" && go list -deps -f '{{with .Module}}{{.Path}} {{.Dir}}{{end}}' github.com/hashicorp/consul | sort -u)
fi
checked=0 bad=0
while read -r path dir; do
  case "$path" in github.com/hashicorp/consul|github.com/hashicorp/consul/*) ;; *) continue ;; esac
  licence=""
  for f in LICENSE LICENSE.md LICENSE.txt; do [ -f "$dir/$f" ] && { licence="$dir/$f"; break; }; done
  if [ -z "$licence" ]; then
    echo "licence gate: $path has no LICENSE file in $dir" >&2; bad=$((bad + 1)); continue
  fi
  if ! head -c 4000 "$licence" | grep -Eqi 'Mozilla Public License,? [Vv]ersion 2\.0'; then
    echo "licence gate: $path is not MPL-2.0 ($(head -1 "$licence" | cut -c1-60)...): refusing to build" >&2
    bad=$((bad + 1)); continue
  fi
  checked=$((checked + 1))
done <<< "$modules"
if [ "$bad" -gt 0 ] || [ "$checked" -eq 0 ]; then
  echo "licence gate: FAILED ($bad module(s) not MPL-2.0, $checked checked)" >&2
  exit 1
fi
echo "licence gate: $checked Consul module(s), all MPL-2.0"
