#!/bin/bash
# make-busybox-rootfs.sh DIR: a minimal root filesystem from Debian's busybox-static.
#   DIR/bin/busybox, a symlink per applet at the path busybox itself lists,
#   /etc/passwd and /etc/group with root and nobody, empty proc sys dev tmp etc root.
# Shared by `make run`, the integration tests and bench/startup. Idempotent.
set -euo pipefail

dir=${1:?usage: make-busybox-rootfs.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}

if [[ ! -x $busybox ]]; then
	echo "make-busybox-rootfs.sh: $busybox not found (apt-get install busybox-static)" >&2
	exit 1
fi
usage=$(LC_ALL=C "$busybox" 2>&1 || true)
if [[ $usage != BusyBox* ]]; then
	echo "make-busybox-rootfs.sh: $busybox is not busybox" >&2
	exit 1
fi

mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root,mnt,home}
chmod 1777 "$dir/tmp"
chmod 0700 "$dir/root"
install -m 0755 "$busybox" "$dir/bin/busybox"

# One symlink per applet, at the path busybox gives (bin/sh, usr/bin/env, ...).
# Existing links are kept, so running it again on the same DIR is cheap and harmless.
declare -A by_dir=()
while IFS= read -r applet; do
	[[ -n $applet && $applet != bin/busybox && $applet == */* ]] || continue
	by_dir[${applet%/*}]+="${applet##*/} "
done < <("$busybox" --list-full)
for sub in "${!by_dir[@]}"; do
	mkdir -p "$dir/$sub"
	read -r -a names <<<"${by_dir[$sub]}"
	for name in "${names[@]}"; do
		if [[ ! -L $dir/$sub/$name && ! -e $dir/$sub/$name ]]; then
			ln -s /bin/busybox "$dir/$sub/$name"
		fi
	done
done

cat >"$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$dir/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
GROUP
: >"$dir/etc/hostname"
