#!/bin/sh
# tests/vm/guest-tests.sh: runs INSIDE the microVM that tests/vm/run boots (busybox sh, no
# bash, no bats, no jq), as root, with cgroup2 alone on /sys/fs/cgroup and every controller
# enabled in the root's cgroup.subtree_control. Prints TAP on stdout: one line per check,
# diagnostics as "# " lines after a failure, the plan at the end.
#
# It proves vessel-runtime on pure cgroup v2 from outside (the container's cgroup directory
# seen from this shell, in the root cgroup namespace) and from inside (what the container's
# own processes read under its /sys/fs/cgroup, a cgroup2 mounted in its cgroup namespace).
#
# Each container runs /t/NAME.sh of the shared busybox rootfs (/vessel/rootfs), written here;
# its config.json is the template tests/vm/run made from `vessel-runtime spec`, with the
# resources and cgroupsPath of the test filled in.

VR=${VR:-/usr/bin/vessel-runtime}
STATE=/run/vessel-vm-state
ROOTFS=/vessel/rootfs
TEMPLATE=/vessel/config.template.json
CG=/sys/fs/cgroup
WORK=/tmp/vm-tests
# the spec's default device rule
DEVICES='"devices":[{"allow":false,"access":"rwm"}]'

mkdir -p "$STATE" "$WORK" "$ROOTFS/t"

# --- TAP -------------------------------------------------------------------------------------
n=0
ok()
{
	n=$((n + 1))
	echo "ok $n - $*"
}
# not_ok NAME [DIAGNOSTIC...]
not_ok()
{
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}
# skip NAME REASON
skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # skip $2"
}
# check_eq NAME GOT WANT [DIAGNOSTIC...]
check_eq()
{
	name=$1 got=$2 want=$3
	shift 3
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		not_ok "$name" "got '$got', wanted '$want'" "$@"
	fi
}
# check NAME DIAGNOSTIC COMMAND...: ok when COMMAND succeeds.
check()
{
	name=$1 diag=$2
	shift 2
	if "$@"; then ok "$name"; else not_ok "$name" "$diag"; fi
}

# --- containers ------------------------------------------------------------------------------
# vr ARGS...: the runtime with our state root, bounded in time.
vr()
{
	timeout 30 "$VR" --root "$STATE" "$@"
}

# bundle NAME 'RESOURCES-MEMBERS' [CGROUPSPATH] [MOUNT-OBJECT]: $WORK/NAME/config.json running
# /t/NAME.sh, with linux.resources = {RESOURCES-MEMBERS}. Only t_run and t_devices carry the
# spec's deny-all device rule: the others test one thing each, without the eBPF filter.
bundle()
{
	mkdir -p "$WORK/$1"
	sed -e "s|\"@RESOURCES@\"|{$2}|" -e "s|@CGPATH@|${3:-}|" -e "s|@NAME@|$1|" \
		-e "s|,\"@MOUNTS@\"|${4:+,$4}|" "$TEMPLATE" >"$WORK/$1/config.json"
}

# script NAME < TEXT: the container's /t/NAME.sh.
script()
{
	cat >"$ROOTFS/t/$1.sh"
}

# json_field FIELD < JSON: a number or string member, good enough for `state`'s output.
json_field()
{
	sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

state_of()
{
	vr state "$1" 2>/dev/null | json_field status
}

pid_of()
{
	vr state "$1" 2>/dev/null | json_field pid
}

# cgroup_of PID: its cgroup2 path, from the root cgroup namespace ("/vm-life").
cgroup_of()
{
	sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null
}

# wait_state ID STATUS: poll (at most ~15 s) until `state` says STATUS; gives up at once when
# the runtime knows no container ID.
wait_state()
{
	i=0
	while [ $i -lt 150 ]; do
		st=$(state_of "$1")
		[ "$st" = "$2" ] && return 0
		[ -z "$st" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_line FILE PATTERN: poll (at most ~15 s) until a line of FILE matches PATTERN.
wait_line()
{
	i=0
	while [ $i -lt 150 ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# value KEY FILE: the value of "KEY=value" in FILE (what a container printed).
value()
{
	sed -n "s/^$1=//p" "$2" | head -n 1
}

# keyed KEY FILE: the value of "KEY value" in a cgroup keyed file (memory.events, cpu.stat).
keyed()
{
	awk -v k="$1" '$1 == k { print $2; exit }' "$2" 2>/dev/null
}

# up NAME ID: create and start bundle NAME as ID, its stdout in $WORK/ID.out; sets $pid, $cg
# (the cgroup path) and $dir (its directory). Returns non-zero (and reports) on failure.
up()
{
	pid="" cg="" dir=""
	if ! vr create --bundle "$WORK/$1" "$2" </dev/null >"$WORK/$2.out" 2>"$WORK/$2.err"; then
		not_ok "$2: create" "$(cat "$WORK/$2.err")"
		return 1
	fi
	pid=$(pid_of "$2")
	cg=$(cgroup_of "$pid")
	dir=$CG$cg
	if ! vr start "$2" </dev/null >>"$WORK/$2.out" 2>>"$WORK/$2.err"; then
		not_ok "$2: start" "$(cat "$WORK/$2.err")"
		return 1
	fi
	return 0
}

# down ID: kill and delete ID whatever its state (no check: the tests that care check).
down()
{
	vr kill "$1" KILL >/dev/null 2>&1
	wait_state "$1" stopped
	vr delete --force "$1" >/dev/null 2>&1
}

# file_of DIR FILE: the first line of DIR/FILE, or "<missing FILE>".
file_of()
{
	if [ -r "$1/$2" ]; then
		head -n 1 "$1/$2"
	else
		echo "<missing $2>"
	fi
}

# --- 1. run ----------------------------------------------------------------------------------
t_run()
{
	script pid <<'EOF'
echo $$
EOF
	bundle pid "$DEVICES"
	out=$(vr run --bundle "$WORK/pid" vm-run </dev/null 2>"$WORK/vm-run.err")
	rc=$?
	if [ $rc -eq 0 ] && [ "$out" = 1 ]; then
		ok "run: the container's process is pid 1 and exits 0"
	else
		not_ok "run: the container's process is pid 1 and exits 0" \
			"exit status $rc, output '$out'" "stderr: $(cat "$WORK/vm-run.err")"
	fi
	check "run: no cgroup left after run" "$CG/vm-run exists" test ! -e "$CG/vm-run"
	vr delete --force vm-run >/dev/null 2>&1
}

# --- 2. the cgroup from outside: create, start, kill -9, delete ------------------------------
t_lifecycle()
{
	script life <<'EOF'
exec sleep 300
EOF
	bundle life ""
	id=vm-life
	if ! vr create --bundle "$WORK/life" $id </dev/null >"$WORK/$id.out" 2>"$WORK/$id.err"; then
		not_ok "lifecycle: create" "$(cat "$WORK/$id.err")"
		return
	fi
	ok "lifecycle: create"
	pid=$(pid_of $id)
	cg=$(cgroup_of "$pid")
	check_eq "lifecycle: the init process (pid $pid) is in cgroup /$id before start" "$cg" "/$id" \
		"$(cat "/proc/$pid/cgroup" 2>&1)"
	# busybox's stat names no cgroup2: its magic, CGROUP2_SUPER_MAGIC, is 0x63677270
	fstype=$(stat -f -c %t "$CG$cg" 2>&1)
	check_eq "lifecycle: $CG$cg is a cgroup2 directory (statfs magic)" "$fstype" 63677270
	check "lifecycle: its cgroup.procs holds pid $pid" "cgroup.procs: $(cat "$CG$cg/cgroup.procs" 2>&1)" \
		grep -qx "$pid" "$CG$cg/cgroup.procs"
	vr start $id </dev/null >/dev/null 2>>"$WORK/$id.err"
	check "lifecycle: start, state running" "state: $(state_of $id); $(cat "$WORK/$id.err")" \
		wait_state $id running
	vr kill $id KILL 2>>"$WORK/$id.err"
	check "lifecycle: kill KILL, state stopped" "state: $(state_of $id); $(cat "$WORK/$id.err")" \
		wait_state $id stopped
	if vr delete $id 2>>"$WORK/$id.err"; then
		ok "lifecycle: delete"
	else
		not_ok "lifecycle: delete" "$(cat "$WORK/$id.err")"
	fi
	check "lifecycle: no cgroup /$id after delete" "$CG/$id still exists" \
		test ! -e "$CG/$id"
	check "lifecycle: no state left" "$(ls "$STATE")" test ! -e "$STATE/$id"
	vr delete --force $id >/dev/null 2>&1
}

# --- 3. the cgroup from inside ---------------------------------------------------------------
t_inside()
{
	script inside <<'EOF'
echo "fstype=$(stat -f -c %t /sys/fs/cgroup)"
echo "mounttype=$(awk '$2 == "/sys/fs/cgroup" { print $3 }' /proc/self/mounts)"
echo "self=$(cat /proc/self/cgroup)"
echo "controllers=$(cat /sys/fs/cgroup/cgroup.controllers)"
EOF
	bundle inside ""
	vr run --bundle "$WORK/inside" vm-inside </dev/null >"$WORK/vm-inside.out" 2>"$WORK/vm-inside.err"
	rc=$?
	diag="exit status $rc; stderr: $(cat "$WORK/vm-inside.err")"
	check_eq "inside: /sys/fs/cgroup (the spec's \"cgroup\" mount) is cgroup2 (statfs magic)" \
		"$(value fstype "$WORK/vm-inside.out")" 63677270 "$diag"
	check_eq "inside: /proc/self/mounts lists it as cgroup2" \
		"$(value mounttype "$WORK/vm-inside.out")" cgroup2 "$diag"
	check_eq "inside: /proc/self/cgroup is 0::/ (cgroup namespace rooted at the container)" \
		"$(value self "$WORK/vm-inside.out")" "0::/" "$diag"
	ctl=$(value controllers "$WORK/vm-inside.out")
	case " $ctl " in
	*" memory "*" pids "* | *" pids "*" memory "*) ok "inside: the container's cgroup has the memory and pids controllers ($ctl)" ;;
	*) not_ok "inside: the container's cgroup has the memory and pids controllers" "cgroup.controllers: '$ctl'" "$diag" ;;
	esac
	vr delete --force vm-inside >/dev/null 2>&1
}

# --- 4. resources: values, outside and inside ------------------------------------------------
# print_files FILE...: a container script line that prints FILE=value for each (read is a
# builtin: no fork, so it works at any pids.max).
# shellcheck disable=SC2016 # $v is the container's
print_files()
{
	for f in "$@"; do
		printf 'v=; read -r v </sys/fs/cgroup/%s; echo "%s=$v"\n' "$f" "$f"
	done
	echo 'echo READY'
	echo 'exec sleep 300'
}

# shellcheck disable=SC2016 # quotes in the message
# check_file ID WHAT FILE WANT [ALT]: FILE of the container's cgroup holds WANT (or ALT), seen
# from outside ($dir) and from inside (what /t/NAME.sh printed).
check_file()
{
	id=$1 what=$2 f=$3 want=$4 alt=${5:-}
	got=$(file_of "$dir" "$f")
	if [ "$got" = "$want" ] || { [ -n "$alt" ] && [ "$got" = "$alt" ]; }; then
		ok "$what -> $f = $got (outside)"
	else
		not_ok "$what -> $f (outside)" "$dir/$f is '$got', wanted '$want'${alt:+ or '$alt'}"
	fi
	got=$(value "$f" "$WORK/$id.out")
	if [ "$got" = "$want" ] || { [ -n "$alt" ] && [ "$got" = "$alt" ]; }; then
		ok "$what -> $f = $got (inside)"
	else
		not_ok "$what -> $f (inside)" "the container read '$got', wanted '$want'${alt:+ or '$alt'}"
	fi
}

t_resources()
{
	print_files memory.max cpu.max pids.max cpu.weight | script res
	bundle res '"memory":{"limit":67108864},"cpu":{"shares":512,"quota":20000,"period":100000},"pids":{"limit":50}'
	id=vm-res
	if up res $id && wait_line "$WORK/$id.out" READY; then
		check_file "$id" "memory.limit 67108864" memory.max 67108864
		check_file "$id" "cpu.quota 20000, cpu.period 100000" cpu.max "20000 100000"
		check_file "$id" "pids.limit 50" pids.max 50
		# runc <= 1.3.1: 1 + (shares - 2) * 9999 / 262142 = 20; runc >= 1.3.2 and crun >= 1.23
		# (opencontainers/cgroups#20): ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(shares) = 59.
		# The kernel's default is 100: either value proves the conversion.
		check_file "$id" "cpu.shares 512 (runc's conversion)" cpu.weight 20 59
	elif [ -n "$pid" ]; then
		not_ok "resources: the container did not print its values" "$(cat "$WORK/$id.out" "$WORK/$id.err")"
	fi
	down "$id"
	check "resources: no cgroup left after delete" "$dir still exists" test ! -e "${dir:-$CG/$id}"
}

t_unified()
{
	print_files memory.high pids.max cpu.max | script uni
	bundle uni '"unified":{"memory.high":"50331648","pids.max":"40","cpu.max":"30000 100000"}'
	id=vm-uni
	if up uni $id && wait_line "$WORK/$id.out" READY; then
		check_file "$id" "unified memory.high" memory.high 50331648
		check_file "$id" "unified pids.max" pids.max 40
		check_file "$id" "unified cpu.max" cpu.max "30000 100000"
	elif [ -n "$pid" ]; then
		not_ok "unified: the container did not print its values" "$(cat "$WORK/$id.out" "$WORK/$id.err")"
	fi
	down "$id"

	# a key naming no file of the cgroup: an error, and nothing left behind
	script bad <<'EOF'
true
EOF
	bundle bad '"unified":{"nosuch.file":"1"}'
	id=vm-bad
	if vr create --bundle "$WORK/bad" $id </dev/null >"$WORK/$id.out" 2>"$WORK/$id.err"; then
		not_ok "unified: an unknown key (nosuch.file) fails create" "create succeeded"
	elif grep -q nosuch "$WORK/$id.err"; then
		ok "unified: an unknown key (nosuch.file) fails create: $(head -n 1 "$WORK/$id.err")"
	else
		not_ok "unified: an unknown key (nosuch.file) fails create, naming the key" "$(cat "$WORK/$id.err")"
	fi
	vr delete --force $id >/dev/null 2>&1
	check "unified: nothing left after the failed create" \
		"left: $(ls -d "$CG/$id" "$STATE/$id" 2>/dev/null)" test ! -e "$CG/$id" -a ! -e "$STATE/$id"
}

# A nested absolute cgroupsPath: the runtime makes the parent and enables the controllers in
# its cgroup.subtree_control (on v2 a child has no memory.max otherwise).
t_nested()
{
	print_files memory.max | script nested
	bundle nested '"memory":{"limit":33554432}' /vessel-vm/nested
	id=vm-nested
	if up nested $id && wait_line "$WORK/$id.out" READY; then
		check_eq "nested cgroupsPath /vessel-vm/nested is the container's cgroup" "$cg" /vessel-vm/nested
		check "nested: the parent enables memory for its children" \
			"$CG/vessel-vm/cgroup.subtree_control: '$(cat "$CG/vessel-vm/cgroup.subtree_control" 2>&1)'" \
			grep -qw memory "$CG/vessel-vm/cgroup.subtree_control"
		check_file "$id" "nested: memory.limit 33554432" memory.max 33554432
	elif [ -n "$pid" ]; then
		not_ok "nested: the container did not print its values" "$(cat "$WORK/$id.out" "$WORK/$id.err")"
	fi
	down "$id"
	check "nested: the leaf cgroup is removed by delete" "$CG/vessel-vm/nested exists" \
		test ! -e "$CG/vessel-vm/nested"
	rmdir "$CG/vessel-vm" 2>/dev/null
}

# --- 5. behaviour ----------------------------------------------------------------------------
t_pids()
{
	# 40 background sleeps in a subshell that gives up at the first failed fork
	script forks <<'EOF'
( i=0; while [ $i -lt 40 ]; do sleep 300 & i=$((i + 1)); done ) 2>/dev/null
read -r c </sys/fs/cgroup/pids.current
echo "pids.current=$c"
echo READY
exec sleep 300
EOF
	bundle forks '"pids":{"limit":16}'
	id=vm-forks
	if up forks $id && wait_line "$WORK/$id.out" READY; then
		max=$(keyed max "$dir/pids.events")
		if [ "${max:-0}" -ge 1 ]; then
			ok "pids.limit 16: a fork loop is stopped (pids.events max $max)"
		else
			not_ok "pids.limit 16: a fork loop is stopped" "pids.events max '${max}', pids.max '$(file_of "$dir" pids.max)'"
		fi
		c=$(value pids.current "$WORK/$id.out")
		if [ -n "$c" ] && [ "$c" -le 16 ]; then
			ok "pids.limit 16: pids.current $c <= 16 inside"
		else
			not_ok "pids.limit 16: pids.current <= 16 inside" "pids.current '$c'"
		fi
	elif [ -n "$pid" ]; then
		not_ok "pids: the container did not report" "$(cat "$WORK/$id.out" "$WORK/$id.err")"
	fi
	down "$id"
}

t_oom()
{
	# dd's 64 MiB buffer is filled from /dev/zero: beyond a 32 MiB limit the OOM killer ends it
	script oom <<'EOF'
dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null
echo "dd=$?"
while read -r k v; do [ "$k" = oom_kill ] && echo "oom_kill=$v"; done </sys/fs/cgroup/memory.events
echo READY
exec sleep 300
EOF
	bundle oom '"memory":{"limit":33554432,"swap":33554432}'
	id=vm-oom
	if up oom $id && wait_line "$WORK/$id.out" READY; then
		k=$(keyed oom_kill "$dir/memory.events")
		if [ "${k:-0}" -ge 1 ]; then
			ok "memory.limit 32M: a 64M hog is OOM-killed (memory.events oom_kill $k, outside)"
		else
			not_ok "memory.limit 32M: a 64M hog is OOM-killed (outside)" \
				"memory.events oom_kill '$k', memory.max '$(file_of "$dir" memory.max)', dd exit '$(value dd "$WORK/$id.out")'"
		fi
		k=$(value oom_kill "$WORK/$id.out")
		d=$(value dd "$WORK/$id.out")
		if [ "${k:-0}" -ge 1 ] && [ "$d" = 137 ]; then
			ok "memory.limit 32M: the hog died of SIGKILL, oom_kill $k (inside)"
		else
			not_ok "memory.limit 32M: the hog died of SIGKILL (inside)" "dd exit '$d', oom_kill '$k'"
		fi
	elif [ -n "$pid" ]; then
		not_ok "oom: the container did not report" "$(cat "$WORK/$id.out" "$WORK/$id.err")"
	fi
	down "$id"
}

t_cpu()
{
	# a busy loop in the background; the init polls its own cpu.stat until it is throttled
	script cpu <<'EOF'
( while :; do :; done ) &
echo READY
t=0
while [ "$t" -eq 0 ]; do
	while read -r k v; do [ "$k" = nr_throttled ] && t=$v; done </sys/fs/cgroup/cpu.stat
	[ "$t" -eq 0 ] && sleep 0.1
done
echo "nr_throttled=$t"
exec sleep 300
EOF
	bundle cpu '"cpu":{"quota":5000,"period":50000}'
	id=vm-cpu
	if up cpu $id && wait_line "$WORK/$id.out" READY; then
		q=$(file_of "$dir" cpu.max)
		if [ "$q" != "5000 50000" ]; then
			# no quota: nothing would ever be throttled, do not wait for it
			not_ok "cpu quota 5000/50000: a busy loop is throttled (outside)" "cpu.max is '$q', wanted '5000 50000'"
			not_ok "cpu quota 5000/50000: a busy loop is throttled (inside)" "cpu.max is '$q'"
		else
			wait_line "$WORK/$id.out" nr_throttled=
			t=$(keyed nr_throttled "$dir/cpu.stat")
			if [ "${t:-0}" -gt 0 ]; then
				ok "cpu quota 5000/50000: a busy loop is throttled (cpu.stat nr_throttled $t, outside)"
			else
				not_ok "cpu quota 5000/50000: a busy loop is throttled (outside)" "$(cat "$dir/cpu.stat")"
			fi
			t=$(value nr_throttled "$WORK/$id.out")
			if [ "${t:-0}" -gt 0 ]; then
				ok "cpu quota 5000/50000: nr_throttled $t (inside)"
			else
				not_ok "cpu quota 5000/50000: throttled (inside)" "the container printed '$(cat "$WORK/$id.out")'"
			fi
		fi
	elif [ -n "$pid" ]; then
		not_ok "cpu: the container did not start" "$(cat "$WORK/$id.out" "$WORK/$id.err")"
	fi
	down "$id"
}

# The spec's deny-all rule, on v2 an eBPF program: the default devices stay usable, a block
# device bound in from the guest (/dev/ram0, of brd) is not, until a rule allows it.
t_devices()
{
	script dev <<'EOF'
echo x >/dev/null && echo null=ok
[ "$(head -c 3 /dev/zero | wc -c)" = 3 ] && echo zero=ok
if head -c 1 /dev/ram >/dev/null 2>&1; then echo ram=read; else echo ram=denied; fi
EOF
	if [ ! -b /dev/ram0 ]; then
		skip "devices: a denied device is unreadable" "no /dev/ram0 (brd not loaded)"
		return
	fi
	ram='{"destination":"/dev/ram","type":"bind","source":"/dev/ram0","options":["bind"]}'
	bundle dev "$DEVICES" "" "$ram"
	vr run --bundle "$WORK/dev" vm-dev </dev/null >"$WORK/vm-dev.out" 2>"$WORK/vm-dev.err"
	rc=$?
	diag="exit status $rc; $(cat "$WORK/vm-dev.out" "$WORK/vm-dev.err")"
	check_eq "devices: deny-all (eBPF): /dev/null is writable" "$(value null "$WORK/vm-dev.out")" ok "$diag"
	check_eq "devices: deny-all (eBPF): /dev/zero is readable" "$(value zero "$WORK/vm-dev.out")" ok "$diag"
	check_eq "devices: deny-all (eBPF): b 1:0 (/dev/ram0) is denied" "$(value ram "$WORK/vm-dev.out")" denied "$diag"
	vr delete --force vm-dev >/dev/null 2>&1

	bundle dev '"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"b","major":1,"minor":0,"access":"r"}]' \
		"" "$ram"
	vr run --bundle "$WORK/dev" vm-dev2 </dev/null >"$WORK/vm-dev2.out" 2>"$WORK/vm-dev2.err"
	rc=$?
	check_eq "devices: a rule allowing b 1:0 r makes it readable" "$(value ram "$WORK/vm-dev2.out")" read \
		"exit status $rc; $(cat "$WORK/vm-dev2.out" "$WORK/vm-dev2.err")"
	vr delete --force vm-dev2 >/dev/null 2>&1
}

t_pause()
{
	if ! "$VR" --help 2>&1 | grep -qw pause; then
		skip "pause/resume via cgroup.freeze" "vessel-runtime --help lists no pause command yet"
		return
	fi
	script life <<'EOF'
exec sleep 300
EOF
	bundle life ""
	id=vm-pause
	if up life $id; then
		if vr pause $id 2>"$WORK/$id.err"; then
			check_eq "pause: cgroup.freeze is 1" "$(file_of "$dir" cgroup.freeze)" 1
			check_eq "pause: cgroup.events frozen 1" "$(keyed frozen "$dir/cgroup.events")" 1
			check_eq "pause: state paused" "$(state_of $id)" paused
		else
			not_ok "pause" "$(cat "$WORK/$id.err")"
		fi
		if vr resume $id 2>"$WORK/$id.err"; then
			check_eq "resume: cgroup.freeze is 0" "$(file_of "$dir" cgroup.freeze)" 0
			check_eq "resume: cgroup.events frozen 0" "$(keyed frozen "$dir/cgroup.events")" 0
			check_eq "resume: state running" "$(state_of $id)" running
		else
			not_ok "resume" "$(cat "$WORK/$id.err")"
		fi
	fi
	down "$id"
}

t_run
t_lifecycle
t_inside
t_resources
t_unified
t_nested
t_pids
t_oom
t_cpu
t_devices
t_pause
echo "1..$n"
