read -r mgmt
# Runs as root on an app host through `bash -s`: the line after the `read` above is the management token,
# which the read consumes, so it never becomes part of a command line. Mints a token for a service that has no intention ("reporting"), starts a proxy with that identity, and
# tries ChromaDB through it: the deny-all must refuse it. Cleans up what it made.
set -euo pipefail
umask 077
work=$(mktemp -d)
printf 'X-Consul-Token: %s\n' "$mgmt" > "$work/mgmt.header"
api() { curl -sf --unix-socket /run/consul/http.sock -H @"$work/mgmt.header" "$@"; }
token=$(api -X PUT --data-binary '{"Description":"e2e: reporting","ServiceIdentities":[{"ServiceName":"reporting"}]}' \
  http://consul/v1/acl/token | python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["AccessorID"], t["SecretID"])')
accessor=${token% *}
printf '%s' "${token#* }" > "$work/reporting.token"
chown consul "$work" "$work/reporting.token"
cleanup() {
  [ -n "${proxy:-}" ] && kill "$proxy" 2>/dev/null || true
  api -X DELETE "http://consul/v1/acl/token/$accessor" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
runuser -u consul -- env CONSUL_HTTP_ADDR=unix:///run/consul/http.sock CONSUL_HTTP_TOKEN_FILE="$work/reporting.token" \
  /usr/bin/consul connect proxy -service reporting -upstream chromadb:19191 >"$work/proxy.log" 2>&1 &
proxy=$!
for _ in $(seq 1 30); do ss -Hltn 'sport = :19191' | grep -q . && break; sleep 0.5; done
# The refusal below only counts if the proxy really runs with the reporting identity.
for _ in $(seq 1 30); do grep -q 'svc/reporting' "$work/proxy.log" && break; sleep 0.5; done
if ! ss -Hltn 'sport = :19191' | grep -q . || ! grep -q 'svc/reporting' "$work/proxy.log"; then
  echo "the reporting proxy did not start with its identity:" >&2
  cat "$work/proxy.log" >&2
  exit 1
fi
sleep 1
if curl -s -m 5 http://127.0.0.1:19191/api/v2/heartbeat | grep -q heartbeat; then
  echo "reporting -> chromadb: ALLOWED"
else
  echo "reporting -> chromadb: refused"
fi
