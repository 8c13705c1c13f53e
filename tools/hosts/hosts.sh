#!/usr/bin/env bash
# Local test hosts that stand in for the Azure VMs: Debian bookworm containers booted by systemd-nspawn with
# systemd as PID 1, each with its own static address on a private bridge, reachable over key-only SSH.
#
#   hosts.sh up [NAME[=IP] ...]   start consul, app and chroma (plus any NAME=IP given); no-op when running
#   hosts.sh down                 stop every host this script started, remove the bridge and the host trees
#   hosts.sh status               one line per host: state, address, whether sshd answers
#   hosts.sh reboot NAME          reboot one guest and wait until its sshd answers again
#   hosts.sh exec NAME CMD...     run a command on a host over SSH (arguments joined as ssh does)
#
# Everything lives under .cache/hosts: rootfs.tar (kept by down), id_ed25519 (the operator key, kept by down),
# ssh_config and known_hosts, and one directory per host NAME/ (root tree, address, pid files, console log).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
templates=$here/templates
state=$repo/.cache/hosts
# The image is machine-wide: fresh clones (CI) reuse it instead of bootstrapping Debian again.
rootfs_tar=${HOSTS_ROOTFS:-${XDG_CACHE_HOME:-$HOME/.cache}/ragmesh/rootfs.tar}
operator_key=$state/id_ed25519
ssh_config=$state/ssh_config
known_hosts=$state/known_hosts
bridge=rmbr0
# Each host runs in its own cgroup directory below this one in every hierarchy nspawn uses, because
# nspawn puts its container in a fixed subdirectory ("payload") of the cgroup it is started from.
cgroup_parent=ragmesh-hosts
# Policy-routing priorities for the rules that keep guest traffic on the bridge.
rule_local=31700
rule_block=31701
default_hosts=(consul=10.0.1.4 app=10.0.1.5 chroma=10.0.2.4)
# The bridge, the addresses and the cgroup directories are machine-wide, so one checkout at a time owns the
# hosts: this file (cleared on reboot) names the state directory of the checkout whose hosts are up.
owner_file=${HOSTS_OWNER_FILE:-/run/ragmesh-hosts.owner}
boot_timeout=${HOSTS_BOOT_TIMEOUT:-120}
stop_timeout=${HOSTS_STOP_TIMEOUT:-30}

log() { printf 'hosts: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# now prints a monotonic clock in milliseconds, for step timings.
now() { local up; read -r up _ </proc/uptime; echo $((${up/./} * 10)); }
elapsed() { local ms=$(($(now) - $1)); printf '%d.%02ds' $((ms / 1000)) $((ms % 1000 / 10)); }

# render writes TEMPLATE to OUT with every @KEY@ replaced; a placeholder left over is an error.
render() {
  local template=$1 out=$2 text kv
  shift 2
  text=$(<"$templates/$template")
  for kv in "$@"; do
    text=${text//"@${kv%%=*}@"/"${kv#*=}"}
  done
  [[ $text =~ @[A-Z_]+@ ]] && die "template $template: ${BASH_REMATCH[0]} not rendered"
  printf '%s\n' "$text" >"$out.tmp"
  mv "$out.tmp" "$out"
}

host_dir() { echo "$state/$1"; }
host_address() { cat "$(host_dir "$1")/address"; }
gateway_of() { echo "${1%.*}.1"; }

# registered_hosts lists every host brought up since the last down (it has an address file), sorted.
registered_hosts() {
  local d
  for d in "$state"/*/address; do
    [ -e "$d" ] || continue
    d=${d%/address}
    echo "${d##*/}"
  done
}

# pid_is checks that PID is alive and is the process we recorded (its command line contains MARK),
# so a recycled PID is never signalled.
pid_is() {
  local pid=$1 mark=$2 cmdline
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmdline == *"$mark"* ]]
}

supervisor_pid() {
  local f
  f=$(host_dir "$1")/pid
  [ -s "$f" ] || return 1
  local pid
  pid=$(<"$f")
  pid_is "$pid" "hosts.sh _supervise $1" && echo "$pid"
}

is_running() { supervisor_pid "$1" >/dev/null; }

validate_host() {
  local name=$1 ip=$2
  [[ $name =~ ^[a-z][a-z0-9-]{0,11}$ ]] || die "host name '$name': use 1-12 of [a-z0-9-], starting with a letter"
  [[ $ip =~ ^10\.0\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "host $name: address '$ip' is not in 10.0.0.0/16"
  ((BASH_REMATCH[1] <= 255 && BASH_REMATCH[2] >= 2 && BASH_REMATCH[2] <= 254)) ||
    die "host $name: address '$ip' must be 10.0.X.2-254 (10.0.X.1 is the bridge)"
}

# check_owner refuses to touch the machine's hosts while another checkout's hosts run (its supervisors are
# alive); a record left by a checkout whose hosts are gone is stale and ignored.
check_owner() {
  local other f
  other=$(cat "$owner_file" 2>/dev/null || true)
  [ -n "$other" ] && [ "$other" != "$state" ] || return 0
  for f in "$other"/*/pid; do
    if [ -s "$f" ] && pid_is "$(<"$f")" "hosts.sh _supervise"; then
      die "the local hosts are in use by the checkout at ${other%/.cache/hosts}: run \`make demo-down\` there first"
    fi
  done
}

ensure_operator_key() {
  [ -s "$operator_key" ] && return
  ssh-keygen -q -t ed25519 -N '' -C ragmesh-local-operator -f "$operator_key"
}

# ensure_network creates the bridge with the gateway address of every subnet in use and the rules that
# confine guests: packets from the bridge reach the host's own addresses and 10.0.0.0/16, nothing else,
# whatever the host's forwarding setting is. No NAT is set up.
ensure_network() {
  local ip
  if ! ip link show dev "$bridge" >/dev/null 2>&1; then
    ip link add name "$bridge" type bridge stp_state 0 forward_delay 0
  fi
  sysctl -qw "net.ipv6.conf.$bridge.disable_ipv6=1" "net.ipv4.conf.$bridge.forwarding=0"
  ip link set dev "$bridge" up
  for ip in "$@"; do
    ip addr replace "$(gateway_of "$ip")/24" dev "$bridge"
  done
  ip route replace 10.0.0.0/16 dev "$bridge" scope link
  if [ -z "$(ip rule show pref "$rule_local")" ]; then
    ip rule add pref "$rule_local" iif "$bridge" to 10.0.0.0/16 lookup main
  fi
  if [ -z "$(ip rule show pref "$rule_block")" ]; then
    ip rule add pref "$rule_block" iif "$bridge" prohibit
  fi
}

remove_network() {
  while [ -n "$(ip rule show pref "$rule_local")" ]; do ip rule del pref "$rule_local"; done
  while [ -n "$(ip rule show pref "$rule_block")" ]; do ip rule del pref "$rule_block"; done
  if ip link show dev "$bridge" >/dev/null 2>&1; then
    ip link del dev "$bridge"
  fi
}

# create_tree unpacks the cached rootfs for a new host and gives it what must differ per machine:
# its own SSH host keys and machine id; the operator's key is authorized for root.
create_tree() {
  local name=$1 dir root
  dir=$(host_dir "$name")
  root=$dir/root
  [ -d "$root" ] && return
  mkdir -p "$dir"
  rm -rf "$root.tmp"
  mkdir "$root.tmp"
  tar -C "$root.tmp" --numeric-owner -xf "$rootfs_tar"
  rm -f "$root.tmp"/etc/ssh/ssh_host_*
  ssh-keygen -q -A -f "$root.tmp" >/dev/null
  systemd-id128 new >"$root.tmp/etc/machine-id"
  install -d -m 0700 "$root.tmp/root/.ssh"
  install -m 0600 "$operator_key.pub" "$root.tmp/root/.ssh/authorized_keys"
  systemctl --quiet --root="$root.tmp" enable systemd-networkd.service systemd-networkd-wait-online.service 2>/dev/null
  mv "$root.tmp" "$root"
}

# configure_tree writes the per-host files that follow from the host list; done on every up.
configure_tree() {
  local name=$1 ip=$2 root
  root=$(host_dir "$name")/root
  echo "$name" >"$root/etc/hostname"
  render host0.network "$root/etc/systemd/network/80-container-host0.network" \
    "ADDRESS=$ip" "GATEWAY=$(gateway_of "$ip")"
  render sshd.conf "$root/etc/ssh/sshd_config.d/10-local-host.conf" "ADDRESS=$ip"
  mkdir -p "$root/etc/systemd/system/ssh.service.d"
  render ssh-wait-address.conf "$root/etc/systemd/system/ssh.service.d/10-wait-address.conf"
  render resolv.conf "$root/etc/resolv.conf"
}

# write_name_files renders /etc/hosts in every host tree, ssh_config and known_hosts from all hosts known.
write_name_files() {
  local name ip entries="" cfg="" block
  for name in $(registered_hosts); do
    ip=$(host_address "$name")
    entries+="$ip	$name"$'\n'
  done
  : >"$known_hosts.tmp"
  for name in $(registered_hosts); do
    ip=$(host_address "$name")
    render hosts "$(host_dir "$name")/root/etc/hosts" "ENTRIES=${entries%$'\n'}"
    render ssh_config.host "$state/ssh_config.block" "NAME=$name" "ADDRESS=$ip" \
      "KEY=$operator_key" "KNOWN_HOSTS=$known_hosts"
    block=$(<"$state/ssh_config.block")
    cfg+="$block"$'\n\n'
    printf '%s %s\n' "$name" "$(cut -d' ' -f1,2 "$(host_dir "$name")/root/etc/ssh/ssh_host_ed25519_key.pub")" \
      >>"$known_hosts.tmp"
  done
  rm -f "$state/ssh_config.block"
  mv "$known_hosts.tmp" "$known_hosts"
  printf '# Local test hosts (written by tools/hosts/hosts.sh up).\n\n%s' "$cfg" >"$ssh_config.tmp"
  mv "$ssh_config.tmp" "$ssh_config"
}

start_host() {
  local name=$1 dir
  dir=$(host_dir "$name")
  # The long-lived supervisor keeps nothing its caller had open beyond stdio: not the command lock (fd 9), not
  # a caller's lock (make's flock) and not a pipe (`make demo | tee` must end when make ends).
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    exec setsid "$here/hosts.sh" _supervise "$name" </dev/null >>"$dir/console.log" 2>&1
  ) &
  echo "$!" >"$dir/pid"
}

# supervise runs one host's container in the foreground of its own cgroup and boots it again when the
# guest reboots (nspawn exits 133); SIGTERM powers the guest off and ends the loop.
supervise() {
  local name=$1 dir cg child="" stop=0 rc
  dir=$(host_dir "$name")
  for cg in $(cgroup_dirs "$name"); do
    mkdir -p "$cg"
    echo "$BASHPID" >"$cg/cgroup.procs"
  done
  trap 'stop=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true' TERM INT
  while [ "$stop" = 0 ]; do
    printf '\n== %s: boot at %s\n' "$name" "$(date -u +%FT%TZ)"
    systemd-nspawn --quiet --boot --directory="$dir/root" --machine="$name" \
      --register=no --keep-unit --link-journal=no --resolv-conf=off --timezone=off \
      --console=read-only --network-bridge="$bridge" &
    child=$!
    echo "$child" >"$dir/nspawn.pid"
    while :; do
      rc=0
      wait "$child" || rc=$?
      kill -0 "$child" 2>/dev/null || break
    done
    child=""
    rm -f "$dir/nspawn.pid"
    printf '== %s: container exited with %s\n' "$name" "$rc"
    [ "$rc" = 133 ] || break
  done
}

# cgroup_dirs prints the host's own cgroup directory in each mounted hierarchy nspawn works with:
# name=systemd and the unified one on a hybrid machine, just the unified one on a cgroup v2 machine.
cgroup_dirs() {
  local base
  for base in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    case $(stat -fc %T "$base" 2>/dev/null) in
    cgroupfs | cgroup2fs) echo "$base/$cgroup_parent${1:+/$1}" ;;
    esac
  done
}

ssh_ok() { ssh -F "$ssh_config" -o ConnectTimeout=1 "$1" true </dev/null >/dev/null 2>&1; }

# wait_for_ssh polls until CHECK succeeds on NAME (default: sshd answers a command) or the timeout ends.
wait_for_ssh() {
  local name=$1 started=$2 deadline
  shift 2
  deadline=$(($(now) + boot_timeout * 1000))
  until ssh -F "$ssh_config" -o ConnectTimeout=1 "$name" "${@:-true}" </dev/null >/dev/null 2>&1; do
    is_running "$name" || die "$name: container stopped while booting (see $(host_dir "$name")/console.log)"
    (($(now) < deadline)) || die "$name: sshd did not answer within ${boot_timeout}s"
    sleep 0.2
  done
  log "$name: sshd answers after $(elapsed "$started")"
}

cmd_up() {
  local t0 spec name ip names=() ips=() pending=() i
  t0=$(now)
  declare -A want=()
  # Hosts already known come back with their address, so a host whose container died is started again.
  for name in $(registered_hosts); do want[$name]=$(host_address "$name") && names+=("$name"); done
  for spec in "${default_hosts[@]}" "$@"; do
    name=${spec%%=*}
    if [[ $spec == *=* ]]; then
      ip=${spec#*=}
    else
      ip=$(printf '%s\n' "${default_hosts[@]}" | sed -n "s/^$name=//p")
      [ -n "$ip" ] || die "host $name: give an address as $name=10.0.X.Y"
    fi
    validate_host "$name" "$ip"
    [ -n "${want[$name]:-}" ] || names+=("$name")
    want[$name]=$ip
  done
  declare -A used=()
  for name in $(registered_hosts); do used[$(host_address "$name")]=$name; done
  for name in "${names[@]}"; do
    ip=${want[$name]}
    if [ -n "${used[$ip]:-}" ] && [ "${used[$ip]}" != "$name" ]; then
      die "host $name: address $ip already belongs to ${used[$ip]}"
    fi
    if [ -s "$(host_dir "$name")/address" ] && [ "$(host_address "$name")" != "$ip" ] && is_running "$name"; then
      die "host $name is running with address $(host_address "$name"); run down first to change it"
    fi
    used[$ip]=$name
    ips+=("$ip")
  done

  check_owner
  echo "$state" >"$owner_file"
  mkdir -p "$state"
  ensure_operator_key
  ensure_network "${ips[@]}"
  local t1 jobs=() built=""
  for i in "${!names[@]}"; do
    name=${names[$i]}
    is_running "$name" && continue
    reap_host "$name"
    if [ ! -d "$(host_dir "$name")/root" ] && [ -z "$built" ]; then
      "$here/build-rootfs.sh" "$rootfs_tar" >&2
      built=yes
    fi
    mkdir -p "$(host_dir "$name")"
    echo "${ips[$i]}" >"$(host_dir "$name")/address"
    t1=$(now)
    (
      create_tree "$name"
      configure_tree "$name" "${ips[$i]}"
      log "$name: tree ready in $(elapsed "$t1")"
    ) &
    jobs+=("$!")
    pending+=("$name")
  done
  for i in "${jobs[@]}"; do wait "$i" || die "preparing a host tree failed"; done
  write_name_files
  if [ ${#pending[@]} -eq 0 ]; then
    log "all ${#names[@]} hosts already up ($(elapsed "$t0"))"
    return
  fi
  local t2
  t2=$(now)
  for name in "${pending[@]}"; do start_host "$name"; done
  for name in "${pending[@]}"; do wait_for_ssh "$name" "$t2"; done
  log "up: ${#pending[@]} started, ${#names[@]} running, in $(elapsed "$t0"); ssh -F $ssh_config NAME"
}

# kill_cgroup SIGKILLs whatever is left in a host's own cgroup (only processes this script started live
# there) and removes the cgroup directories, deepest first.
kill_cgroup() {
  local cg=$1 pid procs
  [ -d "$cg" ] || return 0
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    procs=$(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
    [ -n "$procs" ] || break
    for pid in $procs; do kill -KILL "$pid" 2>/dev/null || true; done
    sleep 0.2
  done
  find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  [ ! -d "$cg" ] || log "warning: could not remove cgroup $cg"
}

stop_host() {
  local name=$1 dir sup npid deadline
  dir=$(host_dir "$name")
  if sup=$(supervisor_pid "$name"); then
    kill -TERM "$sup" 2>/dev/null || true
    deadline=$(($(now) + stop_timeout * 1000))
    while kill -0 "$sup" 2>/dev/null && (($(now) < deadline)); do sleep 0.2; done
    if kill -0 "$sup" 2>/dev/null; then
      log "$name: did not stop within ${stop_timeout}s; killing it"
      npid=$(cat "$dir/nspawn.pid" 2>/dev/null || true)
      if [ -n "$npid" ] && pid_is "$npid" "systemd-nspawn"; then kill -KILL "$npid" 2>/dev/null || true; fi
      kill -KILL "$sup" 2>/dev/null || true
    fi
  fi
  reap_host "$name"
}

# reap_host clears what a host's earlier run may have left (a container whose supervisor was killed, its
# veth, pid files), so the host can start again cleanly.
reap_host() {
  local name=$1 cg
  for cg in $(cgroup_dirs "$name"); do kill_cgroup "$cg"; done
  if ip link show dev "vb-$name" >/dev/null 2>&1; then ip link del dev "vb-$name"; fi
  rm -f "$(host_dir "$name")/pid" "$(host_dir "$name")/nspawn.pid"
}

cmd_down() {
  local t0 name dir cg
  t0=$(now)
  check_owner
  for name in $(registered_hosts); do stop_host "$name" & done
  wait
  log "hosts stopped in $(elapsed "$t0")"
  for name in $(registered_hosts); do
    dir=$(host_dir "$name")
    for cg in $(cgroup_dirs "$name"); do
      [ ! -d "$cg" ] || die "$name: cgroup $cg still exists; tree kept"
    done
    if grep -q " $dir/" /proc/self/mountinfo; then die "$name: something is mounted below $dir; tree kept"; fi
    rm -rf "$dir"
  done
  for cg in $(cgroup_dirs); do rmdir "$cg" 2>/dev/null || true; done
  remove_network
  rm -f "$ssh_config" "$known_hosts"
  if [ "$(cat "$owner_file" 2>/dev/null)" = "$state" ]; then rm -f "$owner_file"; fi
  log "down in $(elapsed "$t0")"
}

cmd_status() {
  local name state_word reach
  [ -n "$(registered_hosts)" ] || log "no hosts"
  for name in $(registered_hosts); do
    if is_running "$name"; then state_word=running; else state_word=stopped; fi
    if [ -f "$ssh_config" ] && ssh_ok "$name"; then reach=yes; else reach=no; fi
    printf '%-10s %-8s %-12s sshd:%s\n' "$name" "$state_word" "$(host_address "$name")" "$reach"
  done
}

cmd_reboot() {
  local name=${1:?usage: hosts.sh reboot NAME} t0
  is_running "$name" || die "$name is not running"
  t0=$(now)
  # /run is a fresh tmpfs on every boot: the marker's absence proves the guest booted again.
  ssh -F "$ssh_config" "$name" 'touch /run/.reboot-pending && systemctl reboot' </dev/null >/dev/null 2>&1 || true
  wait_for_ssh "$name" "$t0" test ! -e /run/.reboot-pending
  log "$name: rebooted in $(elapsed "$t0")"
}

cmd_exec() {
  local name=${1:?usage: hosts.sh exec NAME CMD...}
  shift
  [ -f "$ssh_config" ] || die "no hosts are up"
  exec ssh -F "$ssh_config" "$name" "$@"
}

with_lock() {
  mkdir -p "$state"
  exec 9>"$state/.lock"
  flock 9
  "$@"
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
  up | down | reboot)
    [ "$(id -u)" = 0 ] || die "$cmd needs root (bridge, containers)"
    with_lock "cmd_$cmd" "$@"
    ;;
  status) cmd_status ;;
  exec) cmd_exec "$@" ;;
  # The supervisor outlives edits of this file: it must not read on past this line when it ends.
  _supervise) supervise "$@"; exit ;;
  *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
