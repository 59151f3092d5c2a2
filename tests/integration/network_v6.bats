#!/usr/bin/env bats
# vessel's IPv6 user networks (issue 9): network create --ipv6 --subnet V6/N, a v6 lease per
# container with its default route, names in the hosts file, isolation between networks, --ip6,
# bad input refused, and nothing left after rm, kill -9 and network rm.
#
# Safety: the engine runs only inside a network namespace this file makes first
# ($BATS_FILE_TMPDIR/netns, entered with nsenter for every command), so the bridges, veths,
# nftables rules and all traffic stay in it; published ports are reached at 127.0.0.1 in it.
# shellcheck disable=SC2016

load helpers
load net_helpers

setup_file()
{
	net_setup_file
}

teardown_file()
{
	net_teardown_file
}

setup()
{
	NAMES=() NETS=()
}

teardown()
{
	net_teardown
}

# ip6_of NAME NETWORK: the container's IPv6 address on NETWORK, from network inspect.
ip6_of()
{
	innet "$VESSEL" network inspect -f '{{json .Containers}}' "$2" |
		jq -r --arg n "$1" 'to_entries[] | select(.value.Name == $n) | .value.IPv6Address | split("/")[0]'
}

@test "an IPv6 network: v6 gateway on the bridge, a v6 lease and default route, ping6 by address and name" {
	net n1
	net n2
	name a
	name b
	name c
	vessel network create --ipv6 --subnet fd00:71::/64 --subnet 10.71.0.0/24 "$n1" >/dev/null
	vessel network create --ipv6 --subnet fd00:72::/64 --gateway fd00:72::fe "$n2" >/dev/null
	run vessel network inspect "$n1"
	[ "$(jq -r '.[0].EnableIPv6' <<<"$output")" = true ]
	[ "$(jq -c '[.[0].IPAM.Config[] | .Subnet + " " + .Gateway]' <<<"$output")" = '["10.71.0.0/24 10.71.0.1","fd00:71::/64 fd00:71::1"]' ]
	bridge=$(jq -r '.[0].Options["com.docker.network.bridge.name"]' <<<"$output")
	innet ip -o -6 addr show "$bridge" | grep -q 'fd00:71::1/64'
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$c" --network "$n2" --ip6 fd00:72::42 vt-busybox:1 sleep 100 >/dev/null
	[ "$(ip6_of "$a" "$n1")" = fd00:71::2 ]
	[ "$(ip6_of "$c" "$n2")" = fd00:72::42 ]
	run vessel exec "$a" sh -c 'ip -o -6 addr show eth0 scope global; ip -6 route show default'
	[[ $output == *"inet6 fd00:71::2/64"* ]]
	[[ $output == *"default via fd00:71::1 dev eth0"* ]]
	run vessel run --name "$b" --network "$n1" vt-busybox:1 sh -c \
		'ping6 -c1 -W2 fd00:71::2 && ping6 -c1 -W2 '"$a"' && cat /etc/hosts'
	[ "$status" -eq 0 ]
	[[ $output == *"PING $a (fd00:71::2)"* ]]
	[[ $output == *"fd00:71::2	$a "* ]]
	[[ $output == *"10.71.0.2	$a "* ]]
	# another network's container: the host routes to it, vessel's ip6 table drops the traffic
	run vessel exec "$a" ping6 -c1 -W2 fd00:72::fe
	[ "$status" -eq 0 ]
	run vessel exec "$a" ping6 -c1 -W2 fd00:72::42
	[ "$status" -ne 0 ]
	run vessel exec "$c" ping6 -c1 -W2 fd00:71::2
	[ "$status" -ne 0 ]
	innet nft list set ip6 vessel nets | grep -q 'fd00:71::/64'
}

@test "network connect --ip6; parallel runs get distinct v6 leases" {
	net n1
	net n2
	name a
	vessel network create --subnet 10.73.0.0/24 "$n1" >/dev/null
	vessel network create --ipv6 --subnet fd00:73::/64 "$n2" >/dev/null
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel network connect --ip6 fd00:73::99 "$n2" "$a"
	run vessel exec "$a" ip -o -6 addr show eth1 scope global
	[[ $output == *"inet6 fd00:73::99/64"* ]]
	local pids=() i c
	for i in 0 1 2 3 4; do
		name c
		vessel run -d --name "$c" --network "$n2" vt-busybox:1 sleep 100 >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	run sh -c "nsenter --net='$NS' '$VESSEL' network inspect -f '{{json .Containers}}' '$n2' | jq -r '.[].IPv6Address'"
	[ "${#lines[@]}" -eq 6 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 6 ]
	run vessel exec "$c" ping6 -c1 -W2 "$a"
	[ "$status" -eq 0 ]
}

@test "nothing left of a v6 network after rm -f, kill -9, a failed run and network rm" {
	net n1
	name a
	name b
	vessel network create --ipv6 --subnet fd00:74::/64 "$n1" >/dev/null
	bridge=$(vessel network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' "$n1")
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	[ "$(ip6_of "$a" "$n1")" = fd00:74::2 ]
	vessel rm -f "$a" >/dev/null
	[ "$(vessel network inspect -f '{{json .Containers}}' "$n1")" = "{}" ]
	vessel run -d --name "$b" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	[ "$(ip6_of "$b" "$n1")" = fd00:74::2 ]
	id=$(vessel ps --no-trunc --format '{{.ID}} {{.Names}}' | awk -v n="$b" '$2 == n {print $1}')
	mpid=$(cat "$VESSEL_RUNROOT/containers/$id/monitor.pid")
	cpid=$(cat "/proc/$mpid/task/$mpid/children")
	kill -9 $cpid "$mpid"
	vessel ps -a >/dev/null
	[ "$(vessel network inspect -f '{{json .Containers}}' "$n1")" = "{}" ]
	vessel rm "$b" >/dev/null
	run vessel run --rm --network "$n1" vt-busybox:1 /no/such/command
	[ "$status" -ne 0 ]
	[ "$(vessel network inspect -f '{{json .Containers}}' "$n1")" = "{}" ]
	[ "$(innet ip -o link show type veth | wc -l)" -eq 0 ]
	vessel network rm "$n1" >/dev/null
	! innet ip link show "$bridge" 2>/dev/null
	! innet nft list set ip6 vessel nets 2>/dev/null | grep -q fd00:74
}

@test "IPv6 bad input: one line prefixed vessel:, a non-zero exit, nothing half-made" {
	net n1
	net n4
	vessel network create --ipv6 --subnet fd00:75::/64 "$n1" >/dev/null
	vessel network create --subnet 10.75.0.0/24 "$n4" >/dev/null
	local cases=(
		"network create --ipv6 --subnet fd00:75:0:0:8000::/65 vt-bad|overlaps with fd00:75::/64"
		"network create --ipv6 --subnet fd00:76::1/64 vt-bad|host bits are set"
		"network create --ipv6 --subnet fd00:76::/129 vt-bad|invalid CIDR address"
		"network create --ipv6 vt-bad|--ipv6 needs an IPv6 --subnet"
		"network create --subnet fd00:76::/64 vt-bad|needs --ipv6"
		"network create --ipv6 --subnet fd00:76::/64 --gateway fd00:77::1 vt-bad|not a host address of subnet"
		"network create --ipv6 --subnet fd00:76::/64 --subnet fd00:78::/64 vt-bad|one IPv4 and one IPv6"
		"run --rm --network $n1 --ip6 fd00:99::5 vt-busybox:1 true|not a free host address of network $n1 (--ip6)"
		"run --rm --network $n1 --ip6 fd00:75::1 vt-busybox:1 true|not a free host address of network $n1 (--ip6)"
		"run --rm --network $n1 --ip6 banana vt-busybox:1 true|invalid IPv6 address"
		"run --rm --network $n4 --ip6 fd00:75::5 vt-busybox:1 true|network $n4 has no IPv6 (--ip6)"
		"run --rm --ip6 fd00:75::5 vt-busybox:1 true|has no IPv6 (--ip6)"
	)
	local before_links before_nets
	before_links=$(innet ip -o link | wc -l)
	before_nets=$(vessel network ls -q | wc -l)
	local c
	for c in "${cases[@]}"; do
		local args=${c%%|*} want=${c#*|}
		# shellcheck disable=SC2086
		run --separate-stderr vessel $args
		echo "case: $args -> $status: $stderr"
		[ "$status" -ne 0 ]
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
		[[ $stderr == "vessel: "*"$want"* ]]
	done
	[ "$(innet ip -o link | wc -l)" -eq "$before_links" ]
	[ "$(vessel network ls -q | wc -l)" -eq "$before_nets" ]
	[ "$(vessel ps -aq | wc -l)" -eq 0 ]
}
