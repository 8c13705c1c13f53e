# Runs on the intruder host: a Consul agent with no gossip key tries to join the server given as $1 for a
# while, then reports how many members it sees (1 = only itself) and stops.
set -euo pipefail
server=$1
work=$(mktemp -d)
/usr/local/bin/consul agent -node intruder -data-dir "$work/data" -bind 10.0.1.6 -client 127.0.0.1 \
  -http-port 18500 -dns-port -1 -grpc-port -1 -retry-join "$server" >"$work/agent.log" 2>&1 &
agent=$!
trap 'kill "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 8
members=$(/usr/local/bin/consul members -http-addr=127.0.0.1:18500 2>/dev/null | tail -n +2 | wc -l)
echo "intruder sees members: $members"
grep -iE 'join|decrypt|encrypt' "$work/agent.log" | tail -n 3 || true
