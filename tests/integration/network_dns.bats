#!/usr/bin/env bats
# The embedded DNS server of user networks (issue 9): the monitor of a container on a user
# network answers at 127.0.0.11 inside it the names of its networks' containers and their
# aliases, forwards other names to the upstream servers (--dns, else the host's), and shrugs
# off malformed queries. On the default bridge, resolv.conf stays the host's.
#
# Safety: the engine runs only inside a network namespace this file makes first
# ($BATS_FILE_TMPDIR/netns, entered with nsenter for every command); the upstream server
# (dnsmasq, Debian's dnsmasq-base) listens on 127.0.0.1 in it and is stopped by its PID.
# shellcheck disable=SC2154 # name and net set their variable with printf -v

load helpers
load net_helpers

setup_file()
{
	net_setup_file
	make_dnsq
}

teardown_file()
{
	net_teardown_file
}

setup()
{
	NAMES=() NETS=() DNSMASQ=
}

teardown()
{
	net_teardown
	if [[ -n $DNSMASQ ]]; then
		kill "$DNSMASQ" 2>/dev/null || true
		wait "$DNSMASQ" 2>/dev/null || true
		! process_alive_dnsmasq "$DNSMASQ" || fail "dnsmasq $DNSMASQ outlived its test"
	fi
}

# process_alive_dnsmasq PID: PID is still a dnsmasq.
process_alive_dnsmasq()
{
	[[ $(cat "/proc/$1/comm" 2>/dev/null) == dnsmasq ]]
}

# lookup CTR NAME [SERVER]: the addresses busybox nslookup finds for NAME in CTR, one a line
# (status 1 and the error line when it finds none). busybox asks a dotless name only with each
# search domain appended, never bare: where the host's resolv.conf (copied into the
# container's) has a search line, the name is asked with a trailing dot instead.
lookup()
{
	local out name=$2
	if [[ $name != *.* ]] && vessel exec "$1" grep -qE '^(search|domain)[[:space:]]' /etc/resolv.conf; then
		name=$name.
	fi
	out=$(vessel exec "$1" nslookup -type=a "$name" ${3:+"$3"} 2>&1) || {
		echo "$out"
		return 1
	}
	awk '/^Name:/ {n = 1} n && /^Address/ {print $NF}' <<<"$out"
}

# dnsq: a DNS client that shows what the server answered, run in a container's namespace:
#   dnsq PID NAME TYPE [QDCOUNT [FLAGS]]   -> "rcode=R qd=Q an=A aa=0|1 q=NAME a=IP,IP"
#   dnsq PID --raw HEX                     -> the same for raw bytes, or "noreply"
# (with DNSQ_TIME=1, " ms=N" after it: how long the answer took)
make_dnsq()
{
	cat >"$BATS_FILE_TMPDIR/dnsq.py" <<'PY'
import os, socket, struct, sys, time
def query(name, qtype, qd=1, flags=0x0100):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    return struct.pack(">HHHHHH", 0x4242, flags, qd, 0, 0, 0) + wire + struct.pack(">HH", qtype, 1)
def show(reply):
    if reply is None:
        return "noreply"
    _, flags, qd, an = struct.unpack(">HHHH", reply[:8])
    o, labels = 12, []
    if qd:
        while reply[o]:
            labels.append(reply[o + 1:o + 1 + reply[o]].decode()); o += 1 + reply[o]
        o += 5
    addrs = []
    for _ in range(an):
        rtype, _, _, rdlen = struct.unpack(">HHIH", reply[o + 2:o + 12])
        if rtype == 1:
            addrs.append(socket.inet_ntoa(reply[o + 12:o + 16]))
        elif rtype == 28:
            addrs.append(socket.inet_ntop(socket.AF_INET6, reply[o + 12:o + 28]))
        o += 12 + rdlen
    return "rcode=%d qd=%d an=%d aa=%d q=%s a=%s" % (flags & 15, qd, an, flags >> 10 & 1, ".".join(labels), ",".join(addrs))
args = sys.argv[1:]
msg = bytes.fromhex(args[1]) if args[0] == "--raw" else query(args[0], int(args[1]), *[int(a, 0) for a in args[2:]])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1 if args[0] == "--raw" else 3)  # a local answer takes milliseconds
start = time.monotonic()
s.sendto(msg, ("127.0.0.11", 53))
try:
    reply = s.recv(4096)
except socket.timeout:
    reply = None
print(show(reply) + (" ms=%d" % ((time.monotonic() - start) * 1000) if os.environ.get("DNSQ_TIME") else ""))
PY
}

dnsq()
{
	local pid=$1
	shift
	nsenter --net="/proc/$pid/ns/net" python3 "$BATS_FILE_TMPDIR/dnsq.py" "$@"
}

pid_of()
{
	vessel inspect -f '{{.State.Pid}}' "$1"
}

@test "user network: resolv.conf names 127.0.0.11; peers and aliases resolve, later ones too, removed ones not" {
	net n1
	net n2
	name a
	name b
	name c
	name d
	vessel network create "$n1" >/dev/null
	vessel network create "$n2" >/dev/null
	vessel run -d --name "$a" --network "$n1" --network-alias db vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$b" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	run vessel exec "$b" cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	[ "$(grep '^nameserver' <<<"$output")" = "nameserver 127.0.0.11" ]
	grep -qx 'options ndots:0' <<<"$output"
	ipa=$(ip_of "$a")
	[[ -n $ipa ]]
	[ "$(lookup "$b" "$a" 127.0.0.11)" = "$ipa" ]
	[ "$(lookup "$b" "$a")" = "$ipa" ]
	[ "$(lookup "$b" db)" = "$ipa" ]
	[ "$(lookup "$b" "${a^^}.")" = "$ipa" ]
	# a container started after b
	vessel run -d --name "$c" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	ipc=$(ip_of "$c")
	[ "$(lookup "$b" "$c")" = "$ipc" ]
	# removed: NXDOMAIN (asked with dnsq too: nslookup may go on to a search domain of the host's)
	vessel rm -f "$c" >/dev/null
	run lookup "$b" "$c"
	[ "$status" -ne 0 ]
	[ "$(dnsq "$(pid_of "$b")" "$c" 1)" = "rcode=3 qd=1 an=0 aa=1 q=$c a=" ]
	# another user network knows nothing of a
	vessel run -d --name "$d" --network "$n2" vt-busybox:1 sleep 100 >/dev/null
	run lookup "$d" "$a"
	[ "$status" -ne 0 ]
	[ "$(dnsq "$(pid_of "$d")" "$a" 1)" = "rcode=3 qd=1 an=0 aa=1 q=$a a=" ]
	run lookup "$d" db
	[ "$status" -ne 0 ]
}

@test "resolv.conf: --dns-search and --dns-option on a user network; none of 127.0.0.11 on bridge, host, none" {
	net n1
	vessel network create "$n1" >/dev/null
	run vessel run --rm --network "$n1" --dns 10.9.9.9 --dns-search example.org --dns-option ndots:2 \
		--dns-option timeout:1 vt-busybox:1 cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	[ "$output" = $'nameserver 127.0.0.11\nsearch example.org\noptions ndots:2 timeout:1' ]
	run vessel run --rm --network "$n1" --dns-option timeout:1 vt-busybox:1 cat /etc/resolv.conf
	[ "${lines[0]}" = "nameserver 127.0.0.11" ]
	[ "${lines[-2]}" = "options timeout:1" ]
	[ "${lines[-1]}" = "options ndots:0" ]
	for mode in bridge host none; do
		run vessel run --rm --network "$mode" vt-busybox:1 cat /etc/resolv.conf
		[ "$status" -eq 0 ]
		[[ $output != *127.0.0.11* ]]
	done
	run vessel run --rm vt-busybox:1 cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	[[ $output != *127.0.0.11* ]]
}

@test "answers: A records, AAAA empty for a known name, the question's case kept, PTR" {
	net n1
	name a
	name b
	vessel network create "$n1" >/dev/null
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$b" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	ipa=$(ip_of "$a")
	pid=$(pid_of "$b")
	[ "$(dnsq "$pid" "${a^^}" 1)" = "rcode=0 qd=1 an=1 aa=1 q=${a^^} a=$ipa" ]
	[ "$(dnsq "$pid" "$a" 28)" = "rcode=0 qd=1 an=0 aa=1 q=$a a=" ]
	[ "$(dnsq "$pid" no-such-name 1)" = "rcode=3 qd=1 an=0 aa=1 q=no-such-name a=" ]
	run vessel exec "$b" nslookup "$ipa"
	[ "$status" -eq 0 ]
	[[ $output == *"name = $a"* ]]
}

@test "forwarding: names it does not know go to --dns (dnsmasq at 127.0.0.1); a silent upstream gives SERVFAIL" {
	command -v dnsmasq >/dev/null || skip "dnsmasq (Debian's dnsmasq-base) is not installed"
	net n1
	name a
	name b
	vessel network create "$n1" >/dev/null
	# nsenter execs dnsmasq in place (no fork for a net namespace): $! is dnsmasq's PID
	nsenter --net="$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--listen-address=127.0.0.1 --bind-interfaces --port=53 --address=/upstream.test/10.9.8.7 \
		--pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid" 3>&- &
	DNSMASQ=$!
	vessel run -d --name "$a" --network "$n1" --dns 127.0.0.1 vt-busybox:1 sleep 100 >/dev/null
	run vessel exec "$a" cat /etc/resolv.conf
	[ "$(grep '^nameserver' <<<"$output")" = "nameserver 127.0.0.11" ]
	for _ in $(seq 20); do
		if [ "$(lookup "$a" upstream.test)" = "10.9.8.7" ]; then
			break
		fi
		sleep 0.1
	done
	[ "$(lookup "$a" upstream.test)" = "10.9.8.7" ]
	[ "$(lookup "$a" www.upstream.test 127.0.0.11)" = "10.9.8.7" ]
	# nobody at 127.0.0.2: SERVFAIL after about 2 s, and the server still answers after it
	vessel run -d --name "$b" --network "$n1" --dns 127.0.0.2 vt-busybox:1 sleep 100 >/dev/null
	pid=$(pid_of "$b")
	run env DNSQ_TIME=1 nsenter --net="/proc/$pid/ns/net" python3 "$BATS_FILE_TMPDIR/dnsq.py" gone.test 1
	[[ $output == "rcode=2 qd=1 an=0 aa=0 q=gone.test a= ms="* ]]
	ms=${output##*ms=}
	[ "$ms" -ge 1800 ] && [ "$ms" -le 2900 ]
	[ "$(dnsq "$pid" "$a" 1)" = "rcode=0 qd=1 an=1 aa=1 q=$a a=$(ip_of "$a")" ]
}

@test "malformed queries: FORMERR or no answer, and the monitor goes on answering" {
	net n1
	name a
	vessel network create "$n1" >/dev/null
	name b
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$b" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	pid=$(pid_of "$b")
	ipa=$(ip_of "$a")
	# a truncated header, a response, a name past the end, a pointer loop: nothing or FORMERR
	[ "$(dnsq "$pid" --raw 4242)" = "noreply" ]
	[ "$(dnsq "$pid" --raw 424281000001000000000000016100000100)" = "noreply" ]
	[ "$(dnsq "$pid" --raw 4242010000010000000000000561)" = "rcode=1 qd=0 an=0 aa=0 q= a=" ]
	[ "$(dnsq "$pid" --raw 424201000001000000000000c00c00010001)" = "rcode=1 qd=0 an=0 aa=0 q= a=" ]
	[ "$(dnsq "$pid" "$a" 1 2)" = "rcode=1 qd=0 an=0 aa=0 q= a=" ]
	[ "$(dnsq "$pid" "$a" 1 0)" = "rcode=1 qd=0 an=0 aa=0 q= a=" ]
	[ "$(dnsq "$pid" "$a" 1 1 0x1000)" = "rcode=4 qd=0 an=0 aa=0 q= a=" ]
	# and bytes from the shell, as any process in the container could send
	nsenter --net="/proc/$pid/ns/net" bash -c 'printf "\xff\xff\xff" >/dev/udp/127.0.0.11/53'
	[ "$(dnsq "$pid" "$a" 1)" = "rcode=0 qd=1 an=1 aa=1 q=$a a=$ipa" ]
	[ "$(vessel inspect -f '{{.State.Status}}' "$b")" = "running" ]
	mpid=$(cat "$VESSEL_RUNROOT/containers/$(vessel inspect -f '{{.Id}}' "$b")/monitor.pid")
	kill -0 "$mpid"
}

@test "IPv6 user network: AAAA gives a peer's IPv6 address, A its IPv4 one" {
	net n1
	name a
	name b
	vessel network create --ipv6 --subnet 10.79.0.0/24 --subnet fd00:79::/64 "$n1" >/dev/null ||
		skip "no IPv6 user networks in this build"
	vessel run -d --name "$a" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	vessel run -d --name "$b" --network "$n1" vt-busybox:1 sleep 100 >/dev/null
	ip6=$(vessel exec "$a" sh -c "ip -o -6 addr show eth0 scope global | awk '{print \$4}' | cut -d/ -f1")
	[[ $ip6 == fd00:79::* ]]
	pid=$(pid_of "$b")
	[ "$(dnsq "$pid" "$a" 28)" = "rcode=0 qd=1 an=1 aa=1 q=$a a=$ip6" ]
	[ "$(dnsq "$pid" "$a" 1)" = "rcode=0 qd=1 an=1 aa=1 q=$a a=$(ip_of "$a")" ]
	run vessel exec "$b" nslookup -type=aaaa "$a."
	[[ $output == *"$ip6"* ]]
}
