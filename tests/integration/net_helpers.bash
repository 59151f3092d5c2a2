# shellcheck shell=bash
# Shared by the network suites (network.bats, network_v6.bats, network_dns.bats), after
# `load helpers`. The engine runs only inside a network namespace the file makes first
# ($BATS_FILE_TMPDIR/netns, entered with nsenter for every command), so the bridges, veths,
# nftables rules and all traffic stay in it; published ports are reached at 127.0.0.1 in it.

VESSEL=$VESSEL_BUILD/cmd/vessel/vessel

# net_setup_file: the file's store, its network namespace, and the busybox image vt-busybox:1.
net_setup_file()
{
	suite_setup
	export VESSEL_ROOT=$BATS_FILE_TMPDIR/store VESSEL_RUNROOT=$BATS_FILE_TMPDIR/run
	export NS=$BATS_FILE_TMPDIR/netns
	touch "$NS"
	unshare --net="$NS" ip link set lo up
	tar --numeric-owner -C "$ROOTFS" -c . | innet "$VESSEL" import -c 'CMD ["/bin/sh"]' - vt-busybox:1 >/dev/null
}

# net_teardown_file: every container and network of the file, then the namespace.
net_teardown_file()
{
	local id n
	for id in $(innet "$VESSEL" ps -aq --no-trunc 2>/dev/null); do
		innet "$VESSEL" rm -f "$id" >/dev/null 2>&1 || true
	done
	for n in $(innet "$VESSEL" network ls -q 2>/dev/null); do
		innet "$VESSEL" network rm "$n" >/dev/null 2>&1 || true
	done
	rmdir /sys/fs/cgroup/*/vessel /sys/fs/cgroup/unified/vessel 2>/dev/null || true
	stop_procfs_daemon
	umount "$NS" 2>/dev/null || true
}

# net_teardown: the containers (name) and networks (net) of the test.
net_teardown()
{
	local n
	for n in "${NAMES[@]}"; do
		timeout 30 nsenter --net="$NS" "$VESSEL" rm -f "$n" >/dev/null 2>&1 || true
	done
	for n in "${NETS[@]}"; do
		timeout 30 nsenter --net="$NS" "$VESSEL" network rm "$n" >/dev/null 2>&1 || true
	done
}

# innet CMD...: CMD in the test's network namespace.
innet()
{
	nsenter --net="$NS" "$@"
}

vessel()
{
	timeout 60 nsenter --net="$NS" "$VESSEL" "$@"
}

# net VAR: a network name unique to this file and test, removed by net_teardown (name VAR, from
# helpers.bash, does the same for containers). Set NAMES=() NETS=() in setup first.
net()
{
	local _name="vt-$SUITE-$BATS_TEST_NUMBER-n${#NETS[@]}"
	NETS+=("$_name")
	printf -v "$1" '%s' "$_name"
}

# ip_of NAME [NETWORK]: the container's address on its first network, from inside it, else
# from NETWORK's inspect (default: bridge).
ip_of()
{
	vessel exec "$1" sh -c "ip -o -4 addr show eth0 | awk '{print \$4}' | cut -d/ -f1" 2>/dev/null ||
		innet "$VESSEL" network inspect -f '{{json .Containers}}' "${2:-bridge}" |
		jq -r --arg n "$1" 'to_entries[] | select(.value.Name == $n) | .value.IPv4Address | split("/")[0]'
}

# leftovers: what a container's network leaves in the namespace and the store, one line each.
leftovers()
{
	innet ip -o link show type veth | awk -F': ' '{print "veth " $2}'
	innet nft list map ip vessel ports_tcp 2>/dev/null | grep -o 'elements = .*' | sed 's/^/nft /'
	innet nft list map ip vessel ports_udp 2>/dev/null | grep -o 'elements = .*' | sed 's/^/nft /'
	innet nft list map ip vessel addrports_tcp 2>/dev/null | grep -o 'elements = .*' | sed 's/^/nft /'
	innet nft list map ip vessel addrports_udp 2>/dev/null | grep -o 'elements = .*' | sed 's/^/nft /'
	grep "$VESSEL_RUNROOT" /proc/self/mountinfo | grep -w netns | awk '{print "mount " $5}'
	local n
	for n in $(innet "$VESSEL" network ls -q); do
		innet "$VESSEL" network inspect -f '{{json .Containers}}' "$n" | jq -r 'keys[] | "lease " + .'
	done
}
