#!/usr/bin/env bash
# Proves the licence gate refuses a non-MPL Consul module and passes the real ones.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/mpl" "$tmp/busl"
printf 'Copyright (c) HashiCorp\n\nMozilla Public License, version 2.0\n' > "$tmp/mpl/LICENSE"
printf 'License text copyright (c) 2023 HashiCorp, Inc.\nBusiness Source License 1.1\n' > "$tmp/busl/LICENSE"
fail=0
printf 'github.com/hashicorp/consul %s\n' "$tmp/mpl" | "$here/licence-gate.sh" --modules-from-stdin >/dev/null \
  || { echo "FAIL: gate refused an MPL-2.0 module"; fail=1; }
if printf 'github.com/hashicorp/consul %s\ngithub.com/hashicorp/consul/api %s\n' "$tmp/mpl" "$tmp/busl" \
  | "$here/licence-gate.sh" --modules-from-stdin 2>/dev/null; then
  echo "FAIL: gate accepted a BUSL module"; fail=1
fi
"$here/licence-gate.sh" >/dev/null || { echo "FAIL: gate refused the pinned consul v1.16.1 modules"; fail=1; }
[ "$fail" -eq 0 ] && echo "licence gate: 3 passed, 0 failed"
exit "$fail"
