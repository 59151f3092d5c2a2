#!/bin/bash
# make-debian-root.sh [DIR]: a Debian 12 minbase root for the tests that need a real
# distribution (apt-get under the default seccomp profile; a debootstrap image for the image
# tests and bench/pull). Made once with debootstrap from the mirror apt already uses, into
# DIR.tmp and renamed, so an interrupted run never leaves a half root at DIR. Idempotent.
#   DIR defaults to $VESSEL_DEBIAN_ROOT, else /var/tmp/vessel-debian-minbase.
set -euo pipefail

dir=${1:-${VESSEL_DEBIAN_ROOT:-/var/tmp/vessel-debian-minbase}}
if [[ -f $dir/etc/debian_version && -x $dir/usr/bin/apt-get ]]; then
	exit 0
fi
command -v debootstrap >/dev/null || {
	echo "make-debian-root.sh: debootstrap is not installed" >&2
	exit 1
}
# The first deb.debian.org-style mirror of apt's sources (deb822 or one-line format).
mirror=$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
	head -n1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
tmp=$dir.tmp
rm -rf --one-file-system "$tmp"
echo "make-debian-root.sh: debootstrap --variant=minbase bookworm $dir ($mirror)" >&2
debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
	echo "make-debian-root.sh: debootstrap failed; the end of its log:" >&2
	tail -n 20 "$tmp.log" >&2
	exit 1
}
rm -f "$tmp.log"
rm -rf --one-file-system "$dir"
mv "$tmp" "$dir"
