#!/usr/bin/env bats
# vessel-procfs: /proc/meminfo, cpuinfo, stat, uptime, loadavg, diskstats, swaps and
# /sys/devices/system/cpu/online inside a container show the container (its cgroup), not the
# host; sysinfo(2) too (busybox's free and uptime use it). The daemon is the engine's, under
# this file's own runroot; it is killed with -9 and must come back in running containers.
# shellcheck disable=SC2016,SC2154 # name() assigns by printf -v

load helpers


setup_file()
{
	engine_setup_file vt-busybox:1
}

teardown_file()
{
	local pid
	engine_teardown_file
	pid=$(cat "$BATS_FILE_TMPDIR/own.pid" 2>/dev/null || true)
	if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
	umount -l "$BATS_FILE_TMPDIR/own" 2>/dev/null || true
}

setup()
{
	NAMES=()
}

teardown()
{
	engine_teardown
}

# run_c ARGS...: a foreground container without a network (this file is about /proc).
run_c()
{
	vessel run --rm --network none "$@"
}

# wait_log NAME REGEX: until the container's log has a line matching REGEX (10 s).
wait_log()
{
	for _ in $(seq 100); do
		vessel logs "$1" 2>&1 | grep -Eq "$2" && return 0
		sleep 0.1
	done
	echo "no line matching '$2' in the log of $1:" >&2
	vessel logs "$1" >&2
	return 1
}

host_mem_kb()
{
	awk '/^MemTotal:/ {print $2}' /proc/meminfo
}

@test "free -m and /proc/meminfo show the -m limit; --procfs=false shows the host's" {
	run run_c -m 256m vt-busybox:1 sh -c 'free -m; grep MemTotal /proc/meminfo'
	[ "$status" -eq 0 ]
	[[ ${lines[1]} =~ ^Mem:\ +256\  ]]
	[[ ${lines[3]} =~ ^MemTotal:\ +262144\ kB$ ]]
	run run_c -m 256m --procfs=false vt-busybox:1 grep MemTotal /proc/meminfo
	[ "$status" -eq 0 ]
	[[ $output =~ ^MemTotal:\ +$(host_mem_kb)\ kB$ ]]
}

@test "--procfs takes a boolean; a bad one is refused naming the flag" {
	run run_c --procfs=maybe vt-busybox:1 true
	[ "$status" -eq 125 ]
	[[ $output == *'"--procfs"'* ]]
	[ -z "$(vessel ps -aq)" ]
}

@test "--cpuset-cpus 0: nproc, /proc/cpuinfo, /proc/stat and cpu/online show one cpu" {
	run run_c --cpuset-cpus 0 vt-busybox:1 sh -c \
		'nproc; grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online; grep -c "^cpu[0-9]" /proc/stat'
	[ "$status" -eq 0 ]
	[ "$output" = $'1\n1\n0\n1' ]
}

@test "--cpus 1: /proc/cpuinfo and cpu/online show as many cpus as the quota allows" {
	[ "$(nproc)" -ge 2 ] || skip "the host has one cpu: a quota of one hides nothing"
	run run_c --cpus 1 vt-busybox:1 sh -c 'grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online'
	[ "$status" -eq 0 ]
	[ "$output" = $'1\n0' ]
	run run_c --cpus 2 vt-busybox:1 sh -c 'grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online'
	[ "$output" = $'2\n0-1' ]
}

# nproc_in ARGS...: nproc in a container run with ARGS (before the image).
nproc_in()
{
	run_c "$@" vt-busybox:1 nproc
}

@test "--cpus: nproc follows the quota (sched_getaffinity's answer), the process is not pinned" {
	[ "$(nproc)" -ge 2 ] || skip "the host has one cpu: a quota of one hides nothing"
	allowed=$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/self/status)
	# nproc (pid 0), taskset -p of another process of the container (its shell), the kernel's own list
	run run_c --cpus 1 vt-busybox:1 sh -c \
		'nproc; taskset -p $$; awk "/^Cpus_allowed_list:/ {print \$2}" /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[[ ${lines[1]} =~ "current affinity mask: 1"$ ]]
	[ "${lines[2]}" = "$allowed" ]
	[ "$(nproc_in --cpus 1.5)" = 2 ]
	[ "$(nproc_in)" = "$(nproc)" ]
	[ "$(nproc_in --cpuset-cpus 0 --cpus 2)" = 1 ]
	# --procfs=false: no agent, the kernel's answer
	[ "$(nproc_in --cpus 1 --procfs=false)" = "$(nproc)" ]
}

@test "top -bn1 shows the container's memory" {
	run run_c -m 200m vt-busybox:1 top -bn1
	[ "$status" -eq 0 ]
	# "Mem: 624K used, 204176K free, ...": used + free is the limit
	[[ ${lines[0]} =~ ^Mem:\ ([0-9]+)K\ used,\ ([0-9]+)K\ free ]]
	[ $((BASH_REMATCH[1] + BASH_REMATCH[2])) -eq 204800 ]
}

@test "uptime starts near zero in a new container; /proc/uptime and /proc/stat agree" {
	run run_c vt-busybox:1 sh -c 'cat /proc/uptime; uptime; head -1 /proc/stat'
	[ "$status" -eq 0 ]
	up=${lines[0]%%.*}
	[ "$up" -lt 10 ]
	[[ ${lines[1]} == *" up 0 min"* ]]
	host_up=$(cut -d. -f1 /proc/uptime)
	[ "$host_up" -gt "$up" ]
	[[ ${lines[2]} =~ ^cpu\ \ [0-9]+\ 0\ [0-9]+\ [0-9]+ ]]
}

@test "a memory hog's usage shows in meminfo" {
	run run_c -m 256m vt-busybox:1 sh -c '
		before=$(awk "/^MemFree:/ {print \$2}" /proc/meminfo)
		head -c 96m /dev/zero | tail -c 96m >/dev/null & hog=$!
		for i in $(seq 50); do
			now=$(awk "/^MemFree:/ {print \$2}" /proc/meminfo)
			[ $((before - now)) -gt 65536 ] && { echo seen; break; }
			sleep 0.1
		done
		kill $hog 2>/dev/null; wait'
	[ "$status" -eq 0 ]
	[ "$output" = "seen" ]
}

@test "two containers with different limits each see their own" {
	name a
	name b
	vessel run -d --network none --name "$a" -m 128m vt-busybox:1 sh -c 'while :; do grep MemTotal /proc/meminfo; sleep 0.3; done'
	vessel run -d --network none --name "$b" -m 384m vt-busybox:1 sh -c 'while :; do grep MemTotal /proc/meminfo; sleep 0.3; done'
	wait_log "$a" 'MemTotal: +131072 kB'
	wait_log "$b" 'MemTotal: +393216 kB'
	[ "$(vessel logs "$a" | grep -cv 'MemTotal: *131072 kB')" -eq 0 ]
	[ "$(vessel logs "$b" | grep -cv 'MemTotal: *393216 kB')" -eq 0 ]
}

@test "loadavg, diskstats and swaps are the container's, in the kernel's format" {
	run run_c -m 64m vt-busybox:1 sh -c 'cat /proc/loadavg; cat /proc/swaps; cat /proc/diskstats | wc -l'
	[ "$status" -eq 0 ]
	# a fresh container: a load of its own, few tasks (sh, cat), not the host's hundreds
	[[ ${lines[0]} =~ ^[0-9]+\.[0-9]{2}\ [0-9]+\.[0-9]{2}\ [0-9]+\.[0-9]{2}\ [0-9]+/([0-9]+)\ [0-9]+$ ]]
	[ "${BASH_REMATCH[1]}" -lt 10 ]
	[[ ${lines[1]} == Filename* ]]
}

@test "kill -9 of the daemon: reads fail fast, the engine brings it back, reads work again in the running container" {
	name n
	vessel run -d --network none --name "$n" -m 256m vt-busybox:1 sh -c \
		'while :; do head -1 /proc/meminfo 2>&1 || echo FAILED; sleep 0.2; done'
	wait_log "$n" 'MemTotal: +262144 kB'
	old=$(cat "$VESSEL_RUNROOT/procfs.pid")
	kill -9 "$old"
	# the loop goes on: each read fails at once (ENOTCONN), none hangs
	wait_log "$n" 'Transport endpoint is not connected'
	count=$(vessel logs "$n" | grep -c 'not connected')
	sleep 1
	[ "$(vessel logs "$n" | grep -c 'not connected')" -ge $((count + 3)) ]
	# the next command that needs the daemon starts it again
	run run_c vt-busybox:1 true
	[ "$status" -eq 0 ]
	new=$(cat "$VESSEL_RUNROOT/procfs.pid")
	[ "$new" != "$old" ]
	lines_before=$(vessel logs "$n" | wc -l)
	for _ in $(seq 50); do
		vessel logs "$n" | tail -n +"$((lines_before + 1))" | grep -Eq 'MemTotal: +262144 kB' && break
		sleep 0.1
	done
	vessel logs "$n" | tail -n +"$((lines_before + 1))" | grep -Eq 'MemTotal: +262144 kB'
}

@test "the daemon outlives the last container, then leaves by itself once idle, with no mount left" {
	name n
	stop_procfs_daemon # a fresh one, started by this run with a short idle time
	VESSEL_PROCFS_IDLE_EXIT=2 vessel run -d --network none --name "$n" vt-busybox:1 sleep 100
	pid=$(cat "$VESSEL_RUNROOT/procfs.pid")
	kill -0 "$pid"
	grep -q " $VESSEL_RUNROOT/procfs " /proc/self/mountinfo
	vessel rm -f "$n"
	kill -0 "$pid" # the next run finds it serving: no start per container
	for _ in $(seq 80); do process_gone "$pid" && break; sleep 0.1; done
	process_gone "$pid"
	run ! grep -q " $VESSEL_RUNROOT/procfs " /proc/self/mountinfo
	[ ! -e "$VESSEL_RUNROOT/procfs.pid" ]
}

@test "vessel-procfs alone: a host process reads the host's figures; a bad argument is refused" {
	"$VESSEL_BUILD/cmd/vessel-procfs/vessel-procfs" --pid-file "$BATS_FILE_TMPDIR/own.pid" \
		"$BATS_FILE_TMPDIR/own" 2>"$BATS_FILE_TMPDIR/own.log" &
	pid=$!
	for _ in $(seq 50); do [ -s "$BATS_FILE_TMPDIR/own.pid" ] && break; sleep 0.1; done
	[ "$(cat "$BATS_FILE_TMPDIR/own.pid")" = "$pid" ]
	run cat "$BATS_FILE_TMPDIR/own/proc/cpuinfo"
	[ "$(grep -c ^processor <<<"$output")" -eq "$(grep -c ^processor /proc/cpuinfo)" ]
	run ls "$BATS_FILE_TMPDIR/own/proc"
	[ "$output" = "$(printf '%s\n' cpuinfo diskstats loadavg meminfo stat swaps uptime)" ]
	kill "$pid"
	for _ in $(seq 50); do grep -q " $BATS_FILE_TMPDIR/own " /proc/self/mountinfo || break; sleep 0.1; done
	run ! grep -q " $BATS_FILE_TMPDIR/own " /proc/self/mountinfo
	run "$VESSEL_BUILD/cmd/vessel-procfs/vessel-procfs" --bogus
	[ "$status" -eq 2 ]
	[[ $output == *Usage* ]]
}
