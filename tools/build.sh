#!/usr/bin/env bash
# Builds the offline toolchain into .tools/ (git-ignored): the Pulumi CLI and Consul from Go modules, the
# Chroma server bundle from npm, and the plugin stand-ins. Each piece is rebuilt only when its inputs change
# (a stamp holds their hash), so a warm run takes seconds. Prints what it builds and how long it took.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/.tools
mkdir -p "$tools/bin" "$tools/standins" "$tools/chroma" "$tools/stamps"
export GOFLAGS=-mod=mod CGO_ENABLED=0
total=$SECONDS

# inputs_hash DIR... : hash of every source file under the dirs (by path relative to the repo, so every clone
# of the same commit agrees), plus the Go version.
inputs_hash() {
  local rel=()
  for d in "$@"; do rel+=("${d#"$root"/}"); done
  { go version; cd "$root" && find "${rel[@]}" -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.sh' -o -name 'package*.json' -o -name 'chroma-server' \) \
      -not -path '*/node_modules/*' -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16
}

# step NAME OUTPUT INPUT_DIR... -- COMMAND... : runs COMMAND unless OUTPUT exists and the inputs are unchanged.
step() {
  local name=$1 output=$2; shift 2
  local dirs=()
  while [ "$1" != "--" ]; do dirs+=("$1"); shift; done
  shift
  local key; key=$(inputs_hash "${dirs[@]}")
  if [ -e "$output" ] && [ "$(cat "$tools/stamps/$name" 2>/dev/null)" = "$key" ]; then
    printf '  %-26s up to date\n' "$name"
    return
  fi
  local t=$SECONDS
  printf '  %-26s building...\n' "$name"
  "$@"
  echo "$key" > "$tools/stamps/$name"
  printf '  %-26s built in %ss\n' "$name" $((SECONDS - t))
}

echo "toolchain: $tools"
step pulumi-cli "$tools/bin/pulumi" "$root/tools/pulumi-cli" -- \
  bash -c "cd '$root/tools/pulumi-cli' && go build -ldflags '-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.276.0' -o '$tools/bin/pulumi' github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
step consul "$tools/bin/consul" "$root/tools/consul" -- \
  bash -c "'$root/tools/consul/licence-gate.sh' && cd '$root/tools/consul' && go build -trimpath -ldflags '-s -w' -o '$tools/bin/consul' github.com/hashicorp/consul"
step chroma-bundle "$tools/chroma/chroma-server.tar.gz" "$root/tools/chroma" -- \
  "$root/tools/chroma/build-bundle.sh" "$tools/chroma/chroma-server.tar.gz"
step language-go "$tools/bin/pulumi-language-go" "$root/tools/standins/language-go" -- \
  bash -c "cd '$root/tools/standins/language-go' && go build -trimpath -o '$tools/bin/pulumi-language-go' ."
step command-provider "$tools/standins/pulumi-resource-command" "$root/tools/standins/command" -- \
  bash -c "cd '$root/tools/standins/command' && go build -trimpath -o '$tools/standins/pulumi-resource-command' . && PULUMI_HOME='$tools/pulumi-home' '$tools/bin/pulumi' plugin install resource command 1.2.1 --file '$tools/standins/pulumi-resource-command' --reinstall >/dev/null"
step consul-provider "$tools/standins/pulumi-resource-consul" "$root/tools/standins/consul" -- \
  bash -c "cd '$root/tools/standins/consul' && go build -trimpath -o '$tools/standins/pulumi-resource-consul' . && PULUMI_HOME='$tools/pulumi-home' '$tools/bin/pulumi' plugin install resource consul 3.15.1 --file '$tools/standins/pulumi-resource-consul' --reinstall >/dev/null"
"$tools/bin/pulumi" version >/dev/null
echo "toolchain: ready in $((SECONDS - total))s ($("$tools/bin/pulumi" version), $("$tools/bin/consul" version | head -1))"
