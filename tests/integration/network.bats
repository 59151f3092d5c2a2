#!/usr/bin/env bats
# vessel's container networking (issue 9): the default bridge, published ports at 127.0.0.1,
# user networks with names and isolation, the none/host/container: modes, and nothing left
# behind after rm -f, kill -9 or a failed run.
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

# serve NAME ARGS...: a detached busybox httpd on port 80 answering "hello NAME".
serve()
{
	local n=$1
	shift
	vessel run -d --name "$n" "$@" vt-busybox:1 sh -c \
		"mkdir -p /www && echo hello $n >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
}

# fetch URL: the body, retried while the server starts.
fetch()
{
	local i
	for i in $(seq 30); do
		if innet curl -sf -m 2 "$1"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

@test "default bridge: eth0 on 172.17.0.0/16 with a default route; two containers reach each other by IP" {
	name a
	name b
	vessel run -d --name "$a" vt-busybox:1 sleep 100 >/dev/null
	ipa=$(ip_of "$a")
	[[ $ipa == 172.17.* ]]
	run vessel run --name "$b" vt-busybox:1 sh -c "ip route; ping -c1 -W1 $ipa"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "default via 172.17.0.1 dev eth0"* ]]
	[[ $output == *"1 packets received"* ]]
	innet ip -o addr show vessel0 | grep -q '172.17.0.1/16'
	innet nft list table ip vessel >/dev/null
}

@test "resolv.conf: the host's, without loopback nameservers; --dns, --dns-search, --add-host" {
	run vessel run --rm vt-busybox:1 cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	! grep -q '^nameserver 127\.' <<<"$output"
	grep -q '^nameserver ' <<<"$output"
	run vessel run --rm --dns 10.9.9.9 --dns-search example.org --add-host db:10.1.2.3 vt-busybox:1 \
		sh -c 'cat /etc/resolv.conf /etc/hosts'
	[ "$status" -eq 0 ]
	grep -q '^nameserver 10.9.9.9$' <<<"$output"
	[ "$(grep -c '^nameserver' <<<"$output")" -eq 1 ]
	grep -q '^search example.org$' <<<"$output"
	grep -qP '^10.1.2.3\tdb$' <<<"$output"
}

@test "-p 127.0.0.1:HOST:80 and -p HOST:80: busybox httpd answers at 127.0.0.1; vessel port" {
	name a
	name b
	serve "$a" -p 127.0.0.1:18080:80
	serve "$b" -p 18081:80
	[ "$(fetch http://127.0.0.1:18080/)" = "hello $a" ]
	[ "$(fetch http://127.0.0.1:18081/)" = "hello $b" ]
	run vessel port "$a"
	[ "$output" = "80/tcp -> 127.0.0.1:18080" ]
	run vessel port "$b" 80
	[ "$output" = "0.0.0.0:18081" ]
	run vessel ps --format '{{.Names}} {{.Ports}}'
	[[ $output == *"$a 127.0.0.1:18080->80/tcp"* ]]
	# and from another container, through the host's published port (hairpin)
	run vessel run --rm vt-busybox:1 sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | nc -w 3 172.17.0.1 18081'
	[[ $output == *"hello $b"* ]]
	# and from the container itself (the bridge port in hairpin mode)
	run vessel exec "$b" sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | nc -w 3 172.17.0.1 18081'
	[[ $output == *"hello $b"* ]]
}

@test "-P publishes every exposed port on a free host port; port ranges" {
	name a
	name b
	serve "$a" --expose 80 -P
	run vessel port "$a" 80/tcp
	[ "$status" -eq 0 ]
	port=${output##*:}
	[ "$port" -ge 49153 ] && [ "$port" -le 60999 ]
	[ "$(fetch "http://127.0.0.1:$port/")" = "hello $a" ]
	vessel run -d --name "$b" -p 18090-18091:80-81 vt-busybox:1 sh -c \
		'mkdir /w; echo range >/w/index.html; httpd -p 81 -h /w; exec httpd -f -p 80 -h /w' >/dev/null
	[ "$(fetch http://127.0.0.1:18090/)" = "range" ]
	[ "$(fetch http://127.0.0.1:18091/)" = "range" ]
	[ "$(vessel port "$b" | wc -l)" -eq 2 ]
}

# udprecv PORT: print the datagrams that reach PORT (busybox nc has no -u), static.
make_udprecv()
{
	cat >"$BATS_FILE_TMPDIR/udprecv.c" <<'C'
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
	if (argc < 2 || bind(s, (struct sockaddr *) &a, sizeof(a)) < 0)
		return 1;
	char buf[512];
	for (;;) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		if (n > 0) {
			fwrite(buf, 1, (size_t) n, stdout);
			fflush(stdout);
		}
	}
}
C
	cc -static -O2 -o "$ROOTFS/bin/udprecv" "$BATS_FILE_TMPDIR/udprecv.c"
}

@test "-p HOST:PORT/udp: a datagram to 127.0.0.1 reaches the container" {
	name a
	[ -x "$ROOTFS/bin/udprecv" ] || make_udprecv
	vessel run -d --name "$a" -p 18082:9999/udp -v "$ROOTFS/bin/udprecv:/udprecv:ro" vt-busybox:1 /udprecv 9999 >/dev/null
	for _ in $(seq 20); do
		innet bash -c 'echo ping-udp >/dev/udp/127.0.0.1/18082'
		if vessel logs "$a" | grep -q ping-udp; then
			break
		fi
		sleep 0.2
	done
	vessel logs "$a" | grep -q ping-udp
	run vessel port "$a"
	[ "$output" = "9999/udp -> 0.0.0.0:18082" ]
}

@test "user networks: containers reach each other by name; no traffic across two networks" {
	net n1
	net n2
	name a
	name b
	name c
	vessel network create "$n1" >/dev/null
	vessel network create --subnet 10.77.0.0/24 --gateway 10.77.0.254 "$n2" >/dev/null
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$c" --network "$n2" vt-busybox:1 sleep 100 >/dev/null
	run vessel run --name "$b" --network "$n1" vt-busybox:1 ping -c1 -W1 "$a"
	[ "$status" -eq 0 ]
	ipc=$(ip_of "$c" "$n2")
	[[ $ipc == 10.77.0.1 ]]
	run vessel run --rm --network "$n1" vt-busybox:1 ping -c1 -W1 "$ipc"
	[ "$status" -ne 0 ]
	ipa=$(ip_of "$a" "$n1")
	run vessel run --rm --network "$n2" vt-busybox:1 ping -c1 -W1 "$ipa"
	[ "$status" -ne 0 ]
	# and no name of another network in its hosts file
	run vessel run --rm --network "$n2" vt-busybox:1 cat /etc/hosts
	[[ $output != *"	$a "* ]]
	[[ $output == *"	$c "* ]]
}

@test "--ip, --mac-address and --network-alias on a user network; refused on the default bridge" {
	net n1
	name a
	vessel network create --subnet 10.78.0.0/24 "$n1" >/dev/null
	vessel run -d --name "$a" --network "$n1" --ip 10.78.0.42 --mac-address 02:42:0a:4e:00:2a \
		--network-alias db --network-alias primary vt-busybox:1 sleep 100 >/dev/null
	run vessel exec "$a" sh -c 'ip -o -4 addr show eth0; cat /sys/class/net/eth0/address'
	[[ $output == *"inet 10.78.0.42/24"* ]]
	[[ $output == *"02:42:0a:4e:00:2a"* ]]
	run vessel run --rm --network "$n1" vt-busybox:1 sh -c 'ping -c1 -W1 db && ping -c1 -W1 primary'
	[ "$status" -eq 0 ]
	[[ $output == *"10.78.0.42"* ]]
	run --separate-stderr vessel run --rm --network "$n1" --ip 10.99.0.1 vt-busybox:1 true
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: invalid address 10.99.0.1: not a free host address of network $n1 (--ip)" ]]
	run --separate-stderr vessel run --rm --ip 172.17.0.50 vt-busybox:1 true
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: user specified IP address is supported on user defined networks only" ]]
	run --separate-stderr vessel run --rm --network "$n1" --mac-address 02:42:zz vt-busybox:1 true
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*"02:42:zz"* ]]
	[ "$(vessel ps -a --format '{{.Names}}')" = "$a" ]
}

@test "user network: a running container's /etc/hosts follows the others as they come and go" {
	net n1
	name a
	name b
	vessel network create "$n1" >/dev/null
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$b" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	run vessel exec "$a" cat /etc/hosts
	[[ $output == *"	$b "* ]]
	run vessel exec "$a" ping -c1 -W1 "$b"
	[ "$status" -eq 0 ]
	vessel rm -f "$b" >/dev/null
	run vessel exec "$a" cat /etc/hosts
	[[ $output != *"	$b "* ]]
}

@test "--internal: no default route, no way to another network" {
	net n1
	net n2
	name a
	vessel network create "$n1" >/dev/null
	vessel network create --internal "$n2" >/dev/null
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	ipa=$(ip_of "$a" "$n1")
	run vessel run --rm --network "$n2" vt-busybox:1 sh -c "ip route; ping -c1 -W1 $ipa"
	[ "$status" -ne 0 ]
	[[ $output != *default* ]]
}

@test "--network none has only lo; host sees the namespace's links; container: shares the other's" {
	name a
	run vessel run --rm --network none vt-busybox:1 sh -c 'ls /sys/class/net'
	[ "$status" -eq 0 ]
	[ "$output" = "lo" ]
	vessel run -d --name "$a" vt-busybox:1 sleep 100 >/dev/null
	want=$(innet ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
	run vessel run --rm --network host vt-busybox:1 sh -c "ip -o link | awk -F': ' '{print \$2}' | sed 's/@.*//' | sort | tr '\n' ' '"
	echo "got [$output] want [$want]"
	[ "$output" = "$want" ]
	ipa=$(ip_of "$a")
	run vessel run --rm --network "container:$a" vt-busybox:1 sh -c "ip -o -4 addr show eth0"
	[ "$status" -eq 0 ]
	[[ $output == *"$ipa/16"* ]]
}

@test "parallel runs on one network get distinct addresses" {
	net nw
	vessel network create --subnet 10.78.0.0/24 "$nw" >/dev/null
	local pids=() i c
	for i in 0 1 2 3 4 5; do
		name c
		vessel run -d --name "$c" --network "$nw" vt-busybox:1 sleep 100 >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	run sh -c "nsenter --net='$NS' '$VESSEL' network inspect -f '{{json .Containers}}' '$nw' | jq -r '.[].IPv4Address' | sort"
	[ "${#lines[@]}" -eq 6 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 6 ]
}

@test "nothing left after rm -f, after kill -9 of the container and its monitor, after a failed run" {
	name a
	name b
	serve "$a" -p 18083:80
	[ -n "$(leftovers)" ]
	vessel rm -f "$a" >/dev/null
	run leftovers
	[ "$output" = "" ]
	# kill -9 of the container's process and of its monitor: the next command reconciles
	serve "$b" -p 18083:80
	id=$(vessel ps -q --no-trunc --filter "name=$b" 2>/dev/null || true)
	[ -n "$id" ] || id=$(vessel ps --no-trunc --format '{{.ID}} {{.Names}}' | awk -v n="$b" '$2 == n {print $1}')
	mpid=$(cat "$VESSEL_RUNROOT/containers/$id/monitor.pid")
	cpid=$(cat "/proc/$mpid/task/$mpid/children")
	kill -9 $cpid "$mpid"
	vessel ps -a >/dev/null
	run leftovers
	[ "$output" = "" ]
	vessel rm "$b" >/dev/null
	# a run whose command cannot start
	run vessel run --rm -p 18083:80 vt-busybox:1 /no/such/command
	[ "$status" -ne 0 ]
	run leftovers
	[ "$output" = "" ]
	# the default bridge stays up for the next container (as docker0); network prune takes it
	# down, and the table with it, once no container and no user network is left
	innet ip link show vessel0 >/dev/null
	vessel network prune -f >/dev/null
	! innet ip link show vessel0 2>/dev/null
	! innet nft list table ip vessel 2>/dev/null
	! innet nft list table ip6 vessel 2>/dev/null
}

@test "a host port already published: one clear error, nothing left of the second container" {
	name a
	name b
	serve "$a" -p 18084:80
	run --separate-stderr vessel run -d --name "$b" -p 18084:80 vt-busybox:1 sleep 100
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*"18084"*"already allocated"* ]]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	! vessel ps -a --format '{{.Names}}' | grep -qx "$b"
	[ "$(innet ip -o link show type veth | wc -l)" -eq 1 ]
	[ "$(fetch http://127.0.0.1:18084/)" = "hello $a" ]
}

@test "bad input: one line prefixed vessel:, a non-zero exit, nothing half-made" {
	net n1
	vessel network create --subnet 10.79.0.0/24 "$n1" >/dev/null
	local cases=(
		"network create --subnet 10.80.0.0/33 vt-bad|invalid CIDR address"
		"network create --subnet 10.80.0.1/24 vt-bad|host bits are set"
		"network create --subnet banana vt-bad|invalid CIDR address"
		"network create --subnet 10.79.0.0/16 vt-bad|overlaps"
		"network create --subnet 10.80.0.0/24 --gateway 10.81.0.1 vt-bad|not a host address of subnet"
		"network create --subnet 10.80.0.0/24 --ip-range 10.82.0.0/25 vt-bad|not inside subnet"
		"network create $n1|already exists"
		"network create -d macvlan vt-bad|macvlan"
		"network create --opt mtu=12 vt-bad|invalid MTU"
		"network create bad/name|invalid network name"
		"network rm bridge|pre-defined network"
		"network rm vt-no-such-net|network vt-no-such-net not found"
		"run --rm --network vt-no-such-net vt-busybox:1 true|network vt-no-such-net not found"
		"run --rm -p 70000:80 vt-busybox:1 true|invalid port specification"
		"run --rm -p 0:80 vt-busybox:1 true|invalid port specification"
		"run --rm -p 80/sctp vt-busybox:1 true|invalid protocol"
		"run --rm -p 1.2.3:80:80 vt-busybox:1 true|invalid IP address"
		"run --rm -p 8000-8002:80-81 vt-busybox:1 true|ranges"
		"run --rm --network container:vt-no-such vt-busybox:1 true|No such container"
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
	run leftovers
	[ "$output" = "" ]
}

@test "network ls, inspect, rm, prune" {
	net n1
	net n2
	name a
	vessel network create --subnet 10.83.0.0/24 --ip-range 10.83.0.128/25 -o mtu=1400 "$n1" >/dev/null
	vessel network create "$n2" >/dev/null
	run vessel network ls --format '{{.Name}} {{.Driver}}'
	[[ $output == *"bridge bridge"* ]]
	[[ $output == *"$n1 bridge"* ]]
	run vessel network inspect "$n1"
	[ "$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$output")" = "10.83.0.0/24" ]
	[ "$(jq -r '.[0].IPAM.Config[0].Gateway' <<<"$output")" = "10.83.0.1" ]
	[ "$(jq -r '.[0].IPAM.Config[0].IPRange' <<<"$output")" = "10.83.0.128/25" ]
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	[ "$(ip_of "$a" "$n1")" = "10.83.0.128" ]
	run vessel exec "$a" cat /sys/class/net/eth0/mtu
	[ "$output" = "1400" ]
	run --separate-stderr vessel network rm "$n1"
	[ "$status" -ne 0 ]
	[[ $stderr == *"active endpoints"* ]]
	run vessel network prune -f
	[[ $output == *"$n2"* ]]
	[[ $output != *"$n1"* ]]
	vessel rm -f "$a" >/dev/null
	vessel network rm "$n1"
	! vessel network inspect "$n1" 2>/dev/null
}

@test "network connect / disconnect: a running container gains and loses eth1, names follow" {
	net n1
	net n2
	name a
	name b
	vessel network create --subnet 10.84.0.0/24 "$n1" >/dev/null
	vessel network create --subnet 10.85.0.0/24 "$n2" >/dev/null
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$b" --network "$n2" vt-busybox:1 sleep 100 >/dev/null
	run vessel exec "$a" ping -c1 -W1 10.85.0.2
	[ "$status" -ne 0 ]
	vessel network connect --ip 10.85.0.50 "$n2" "$a"
	run vessel exec "$a" ip -o -4 addr show eth1
	[[ $output == *"10.85.0.50/24"* ]]
	run vessel exec "$b" ping -c1 -W1 "$a"
	[ "$status" -eq 0 ]
	run --separate-stderr vessel network connect "$n2" "$a"
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*"already on network"* ]]
	vessel network disconnect "$n2" "$a"
	run vessel exec "$a" ls /sys/class/net
	[[ $output != *eth1* ]]
	run vessel exec "$b" cat /etc/hosts
	[[ $output != *"	$a "* ]]
	run --separate-stderr vessel network disconnect "$n2" "$a"
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: container $a is not connected to network $n2" ]]
	[ "$(innet ip -o link show type veth | wc -l)" -eq 2 ]
}

# unreached URL: nothing answers there (connection refused or timed out).
unreached()
{
	! innet curl -sf -m 2 "$1"
}

@test "-p IP:HOST:PORT is reached on that IP only; two IPs share a host port; 0.0.0.0 conflicts with both" {
	name a
	name b
	name c
	# another local address of the namespace (no dummy links in every kernel: on lo)
	innet ip addr add 10.201.0.1/32 dev lo
	serve "$a" -p 127.0.0.1:18085:80
	serve "$b" -p 10.201.0.1:18085:80
	serve "$c" -p 0.0.0.0:18086:80
	[ "$(fetch http://127.0.0.1:18085/)" = "hello $a" ]
	[ "$(fetch http://10.201.0.1:18085/)" = "hello $b" ]
	[ "$(fetch http://127.0.0.1:18086/)" = "hello $c" ]
	[ "$(fetch http://10.201.0.1:18086/)" = "hello $c" ]
	run vessel port "$b"
	[ "$output" = "80/tcp -> 10.201.0.1:18085" ]
	run vessel ps --format '{{.Names}} {{.Ports}}'
	[[ $output == *"$b 10.201.0.1:18085->80/tcp"* ]]
	[[ $output == *"$c 0.0.0.0:18086->80/tcp"* ]]
	# gone from one IP: not reached there, still reached on the other
	vessel rm -f "$b" >/dev/null
	unreached http://10.201.0.1:18085/
	[ "$(fetch http://127.0.0.1:18085/)" = "hello $a" ]
	vessel rm -f "$a" >/dev/null
	serve "$b" -p 10.201.0.1:18085:80
	unreached http://127.0.0.1:18085/
	[ "$(fetch http://10.201.0.1:18085/)" = "hello $b" ]
	# 0.0.0.0 and a specific IP on one port conflict, either way round
	run --separate-stderr vessel run -d -p 18085:80 vt-busybox:1 sleep 100
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: Bind for 0.0.0.0:18085 failed: port is already allocated"* ]]
	run --separate-stderr vessel run -d -p 127.0.0.1:18086:80 vt-busybox:1 sleep 100
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: Bind for 127.0.0.1:18086 failed: port is already allocated"* ]]
	[ "$(vessel ps -aq | wc -l)" -eq 2 ]
	innet ip addr del 10.201.0.1/32 dev lo
}

# old_table: the `ip vessel` table as vessel 0.x made it (no shape set, no addrports maps).
old_table()
{
	innet nft -f - <<'NFT'
table ip vessel {
 set bridges { type ifname; }
 set internal { type ifname; }
 set samebr { type ifname . ifname; }
 set nets { type ipv4_addr; flags interval; }
 map ports_tcp { type inet_service : ipv4_addr . inet_service; }
 map ports_udp { type inet_service : ipv4_addr . inet_service; }
 chain prerouting { type nat hook prerouting priority dstnat; policy accept;
  fib daddr type local meta l4proto tcp dnat ip to tcp dport map @ports_tcp
 }
 chain output { type nat hook output priority -100; policy accept;
  fib daddr type local meta l4proto tcp dnat ip to tcp dport map @ports_tcp
 }
}
NFT
}

@test "a table of an older shape is replaced, and the running containers' entries put back" {
	name a
	name b
	serve "$a" -p 18087:80
	[ "$(fetch http://127.0.0.1:18087/)" = "hello $a" ]
	innet nft delete table ip vessel
	innet nft delete table ip6 vessel
	old_table
	unreached http://127.0.0.1:18087/
	serve "$b" -p 127.0.0.1:18088:80
	[ "$(fetch http://127.0.0.1:18088/)" = "hello $b" ]
	[ "$(fetch http://127.0.0.1:18087/)" = "hello $a" ]
	innet nft list set ip vessel shape | grep -q 'elements = { 2 }'
	innet nft list set ip vessel bridges | grep -q '"vessel0"'
	innet nft list table ip6 vessel >/dev/null
	# and the replaced table's elements go with their containers
	vessel rm -f "$a" "$b" >/dev/null
	run leftovers
	[ "$output" = "" ]
}

@test "network connect --alias: peers resolve the alias; disconnect takes it away" {
	net n1
	name a
	name b
	vessel network create --subnet 10.86.0.0/24 "$n1" >/dev/null
	vessel run -d --name "$a" vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$b" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel network connect --alias vt-db --alias vt-primary --ip 10.86.0.77 "$n1" "$a"
	run vessel exec "$b" sh -c 'ping -c1 -W1 vt-db && ping -c1 -W1 vt-primary'
	[ "$status" -eq 0 ]
	[[ $output == *"10.86.0.77"* ]]
	run vessel exec "$b" cat /etc/hosts
	[[ $output == *"10.86.0.77	$a "*" vt-db vt-primary"* ]]
	vessel network disconnect "$n1" "$a"
	run vessel exec "$b" cat /etc/hosts
	[[ $output != *vt-db* ]]
	run vessel exec "$b" ping -c1 -W1 vt-db
	[ "$status" -ne 0 ]
	# an alias on the default network is refused, as by run --network-alias
	run --separate-stderr vessel network connect --alias x bridge "$b"
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: network-scoped alias is supported only for containers in user defined networks" ]]
}
