#!/usr/bin/env bash
# Proves the local test hosts behave like the VMs they stand in for: they boot, answer SSH, reach each
# other across the two subnets, run systemd units, survive a reboot with their disk intact, and leave
# nothing behind. Brings the hosts down at the end (and on failure). Needs root.
set -euo pipefail

hosts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/hosts.sh
state=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/hosts

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
timed() {
  local t0=$EPOCHREALTIME
  "$@"
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "took %.2fs\n", b - a }'
}
on() { "$hosts" exec "$@"; }

trap '"$hosts" down >/dev/null 2>&1 || true' EXIT

step "up (from nothing)"
"$hosts" down >/dev/null 2>&1
timed "$hosts" up

step "up again is a no-op"
timed "$hosts" up

step "every host answers with its own name and address"
for pair in consul=10.0.1.4 app=10.0.1.5 chroma=10.0.2.4; do
  name=${pair%=*} ip=${pair#*=}
  # shellcheck disable=SC2016 # expands on the test host
  got=$(on "$name" 'echo "$(hostname) $(ip -4 -o addr show dev host0 | awk "{print \$4}")"')
  [ "$got" = "$name $ip/24" ] || fail "$name reports '$got'"
  echo "$got"
done

step "sshd takes keys only"
methods=$(ssh -v -F "$state/ssh_config" -o IdentityFile=/dev/null -o IdentitiesOnly=yes app true 2>&1 |
  sed -n 's/.*Authentications that can continue: \([a-z,-]*\).*/\1/p' | sort -u)
[ "$methods" = publickey ] || fail "sshd offers '$methods'"
echo "sshd offers: $methods"
on app 'sshd -T 2>/dev/null | grep -E "^(passwordauthentication|kbdinteractiveauthentication|listenaddress|permitrootlogin) "'

step "app reaches a port on chroma across the subnets (by name)"
# shellcheck disable=SC2016 # expands on the test host
on chroma 'systemd-run -q --unit=selftest-http python3 -m http.server 8000 --bind 10.0.2.4 --directory /tmp &&
  for _ in $(seq 100); do ss -ltn | grep -q "10.0.2.4:8000 " && exit 0; sleep 0.1; done; exit 1'
code=$(timed on app 'curl -sS -o /dev/null -w "%{http_code}\\n" http://chroma:8000/')
echo "$code"
[[ $code == 200* ]] || fail "app -> chroma:8000 answered '$code'"
on chroma 'systemctl stop selftest-http; systemctl is-system-running'

step "guest traffic for any other address is refused at the bridge"
for dst in 192.0.2.1 8.8.8.8; do
  if ip route get "$dst" from 10.0.1.5 iif rmbr0 >/dev/null 2>&1; then fail "route from guests to $dst exists"; fi
done
[ "$(sysctl -n net.ipv4.conf.rmbr0.forwarding)" = 0 ] || fail "forwarding on rmbr0"
echo "no route from 10.0.0.0/16 to 192.0.2.1 or 8.8.8.8; rmbr0 forwarding off"

step "reboot keeps the disk"
marker=$(date +%s%N)
on chroma "mkdir -p /var/lib/selftest && echo $marker >/var/lib/selftest/marker && sync"
timed "$hosts" reboot chroma
[ "$(on chroma cat /var/lib/selftest/marker)" = "$marker" ] || fail "marker lost across reboot"
echo "marker intact"

step "a fourth host joins and every host resolves it"
timed "$hosts" up intruder=10.0.1.6
on app 'getent hosts intruder' | grep -q '^10.0.1.6 ' || fail "app does not resolve intruder"
"$hosts" status

step "down leaves nothing"
trap - EXIT
timed "$hosts" down
left=$(pgrep -af 'systemd-nspawn|hosts.sh _supervise' || true)
[ -z "$left" ] || fail "still running: $left"
if ip link show rmbr0 >/dev/null 2>&1; then fail "bridge still there"; fi
[ -z "$(ip rule show pref 31701)" ] || fail "policy rule left"
echo "no nspawn, no supervisor, no bridge, no rules"
echo; echo "selftest: ok"
