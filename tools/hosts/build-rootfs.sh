#!/usr/bin/env bash
# Builds the Debian bookworm root filesystem that every local test host boots from, once, and caches it
# as a tarball: a rebuild takes one to a few minutes, unpacking the cached tarball a few seconds.
# The tarball is rebuilt when this script or its template changes (their hash is kept in OUTPUT.tar.recipe).
set -euo pipefail
out=${1:?usage: build-rootfs.sh OUTPUT.tar}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
recipe=$(cat "${BASH_SOURCE[0]}" "$here/templates/dpkg-nodoc.cfg" | sha256sum | cut -d' ' -f1)
if [ -s "$out" ] && [ "$(cat "$out.recipe" 2>/dev/null)" = "$recipe" ]; then
  echo "rootfs: cached $out"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "rootfs: debootstrap missing: apt-get install -y debootstrap systemd-container iproute2" >&2; exit 1; }
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
mirror=${mirror:-$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "${out%/*}"
work=$(mktemp -d "${out%/*}/rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS
# What a bare cloud image has: systemd as PID 1, sshd, sudo, curl and python3 for checks; libstdc++ for
# the uploaded Chroma server. Nothing of Consul or Chroma: the program installs those.
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,openssh-server,sudo,iproute2,ca-certificates,curl,python3,libstdc++6,procps,iputils-ping,netcat-openbsd \
  bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
root=$work/root
# Host keys are generated per host when its tree is unpacked, never shared through the image;
# the machine id likewise.
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
# Half of the image is package caches, translations and documentation: every host unpacks and later
# deletes its own copy, so leaving them out halves the time to create and remove a host. Package lists
# are gone as on a fresh cloud image: `apt-get update` first.
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
install -m 0644 "$here/templates/dpkg-nodoc.cfg" "$root/etc/dpkg/dpkg.cfg.d/01-local-host-nodoc"
tar -C "$root" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "$recipe" >"$out.recipe"
echo "rootfs: built $out in $((SECONDS - start))s"
