#!/bin/bash
# Prints "UNIT KIB" for the Consul agent and every sidecar proxy on this host: the resident memory of all
# processes in the unit's cgroup (so a wrapper shell cannot hide the real process), from /proc.
set -euo pipefail
for unit in consul.service $(systemctl list-units --no-legend --plain --state=active '*-sidecar.service' | awk '{print $1}'); do
  cg=$(systemctl show -p ControlGroup --value "$unit")
  procs=/sys/fs/cgroup${cg}/cgroup.procs
  pids=$( [ -n "$cg" ] && [ -r "$procs" ] && cat "$procs" || systemctl show -p MainPID --value "$unit")
  total=0
  for pid in $pids; do
    kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    total=$((total + ${kib:-0}))
  done
  echo "$unit $total"
done
