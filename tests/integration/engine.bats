#!/usr/bin/env bats
# vessel's container commands, as a docker user checks them: run (foreground, -d, --rm),
# create/start, ps, logs, stop, kill, rm, wait; limits seen in cgroupfs; a monitor killed
# with -9 reconciled; bad input. The image is the busybox rootfs, imported.
# shellcheck disable=SC2016

load helpers

setup_file()
{
	engine_setup_file vt-busybox:1
}

teardown_file()
{
	engine_teardown_file
}

setup()
{
	NAMES=()
}

teardown()
{
	engine_teardown
}

@test "run: the command's output on stdout and stderr, and its exit code" {
	name n
	run --separate-stderr vessel run --name "$n" vt-busybox:1 sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = "out" ]
	[ "$stderr" = "err" ]
	run vessel ps -a --format '{{.Names}} {{.Status}}'
	[[ $output == *"$n Exited (7)"* ]]
}

@test "run: a container of its own: pid 1, hostname = short ID, Docker's default capabilities" {
	name n
	run vessel run --name "$n" vt-busybox:1 sh -c 'echo $$; hostname; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1" ]
	id=$(vessel ps -a --no-trunc --format '{{.ID}}' | head -n1)
	[ "${lines[1]}" = "${id:0:12}" ]
	[ "${lines[2]}" = $'CapEff:\t00000000a80425fb' ]
}

@test "run -i passes stdin; run -t gives a terminal" {
	run vessel run --rm -i vt-busybox:1 sh -c 'read x; echo "got:$x"' <<<"hello"
	[ "$status" -eq 0 ]
	[ "$output" = "got:hello" ]
	run script -qec "$VESSEL run --rm -t vt-busybox:1 sh -c 'test -t 0 && tty'" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == "/dev/pts/"* ]]
}

@test "run --rm leaves no record, mount, directory or cgroup" {
	run vessel run --rm vt-busybox:1 hostname
	[ "$status" -eq 0 ]
	short=$output # the hostname is the short ID; the cgroups are named by the ID
	[[ $short =~ ^[0-9a-f]{12}$ ]]
	[ -z "$(vessel ps -aq)" ]
	[ -z "$(ls -A "$VESSEL_ROOT/containers")" ]
	[ -z "$(ls -A "$VESSEL_RUNROOT/containers")" ]
	# (the runtime's cache of compiled seccomp filters, .seccomp-*.bpf, stays)
	[ -z "$(find "$VESSEL_RUNROOT/runtime" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null)" ]
	! grep -q "$VESSEL_ROOT/containers" /proc/self/mountinfo
	# no cgroup of the container is left under the engine's parent, in any hierarchy
	[ -z "$(find /sys/fs/cgroup/*/vessel /sys/fs/cgroup/unified/vessel -maxdepth 1 -name "$short*" 2>/dev/null)" ]
}

@test "run -d, ps, logs, stop, rm: a detached container's life" {
	name n
	run vessel run -d --name "$n" vt-busybox:1 sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run vessel ps --format '{{.Names}} {{.State}}'
	[ "$output" = "$n running" ]
	for _ in $(seq 50); do
		[ "$(vessel logs "$n")" = "started" ] && break
		sleep 0.1
	done
	[ "$(vessel logs "$n")" = "started" ]
	run vessel stop -t 5 "$n"
	[ "$status" -eq 0 ]
	[ "$output" = "$n" ]
	run vessel ps -a --format '{{.Status}}' 
	[[ $output == "Exited (0) "* ]]
	run vessel logs "$n"
	[ "$output" = $'started\nbye' ]
	run vessel rm "$id"
	[ "$status" -eq 0 ]
	[ -z "$(vessel ps -aq)" ]
}

@test "create then start, wait and logs -t" {
	name n
	run vessel create --name "$n" vt-busybox:1 sh -c 'echo made; exit 4'
	[ "$status" -eq 0 ]
	run vessel ps -a --format '{{.Names}} {{.Status}}'
	[ "$output" = "$n Created" ]
	vessel start "$n"
	run vessel wait "$n"
	[ "$output" = "4" ]
	run vessel logs -t "$n"
	[[ $output =~ ^20[0-9-]+T[0-9:.]+Z\ made$ ]]
}

@test "kill -s reaches the command through --init; rm -f of a running container" {
	name n
	# sleep as pid 1 would ignore SIGTERM; vessel-init as pid 1 forwards it
	vessel run -d --init --name "$n" vt-busybox:1 sleep 100
	run vessel kill -s TERM "$n"
	[ "$status" -eq 0 ]
	run vessel wait "$n"
	[ "$output" = "143" ]
	name m
	vessel run -d --name "$m" vt-busybox:1 sleep 100
	run vessel rm "$m"
	[ "$status" -ne 0 ]
	[[ $output == *"container is running"* ]]
	run vessel rm -f "$m"
	[ "$status" -eq 0 ]
	run vessel ps -a --format '{{.Names}}'
	[[ $output != *"$m"* ]]
}

@test "limits: -m, --cpus and --pids-limit reach the container's cgroups" {
	name n
	vessel run -d --name "$n" -m 64m --cpus 0.5 --pids-limit 42 vt-busybox:1 sleep 100
	id=$(vessel ps --no-trunc --format '{{.ID}}')
	pid=$(cat "$VESSEL_RUNROOT/runtime/$id/state.json" 2>/dev/null | jq -r .pid)
	if [[ -z $pid || $pid == null ]]; then
		pid=$("$VR" --root "$VESSEL_RUNROOT/runtime" state "$id" | jq -r .pid)
	fi
	mem=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
	[ "$(cat "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes")" = "67108864" ]
	pids=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup")
	[ "$(cat "/sys/fs/cgroup/pids$pids/pids.max")" = "42" ]
	cpu=$(awk -F: '$2 == "cpu" || $2 == "cpu,cpuacct" { print $2 ":" $3; exit }' "/proc/$pid/cgroup")
	[ "$(cat "/sys/fs/cgroup/${cpu%%:*}${cpu#*:}/cpu.cfs_quota_us")" = "50000" ]
}

@test "kill -9 of a monitor: the next command finds the container exited" {
	name n
	vessel run -d --name "$n" vt-busybox:1 sleep 100
	id=$(vessel ps --no-trunc --format '{{.ID}}')
	mpid=$(cat "$VESSEL_RUNROOT/containers/$id/monitor.pid")
	kill -9 "$mpid"
	run vessel ps -a --format '{{.Names}} {{.State}}'
	[ "$output" = "$n exited" ]
	run vessel rm "$n"
	[ "$status" -eq 0 ]
	! grep -q "$id" /proc/self/mountinfo
}

@test "two runs with the same --name: one wins, the other is a clear conflict" {
	name n
	vessel run -d --name "$n" vt-busybox:1 sleep 100
	run --separate-stderr vessel run -d --name "$n" vt-busybox:1 sleep 100
	[ "$status" -eq 125 ]
	[[ $stderr == "vessel: Conflict. The container name \"/$n\" is already in use"* ]]
	[ "$(vessel ps -a --format '{{.Names}}' | grep -c "^$n$")" -eq 1 ]
}

@test "bad input: one line prefixed vessel:, a non-zero exit, nothing half-made" {
	local cases=(
		"run --nope vt-busybox:1|unknown flag: --nope"
		"run -m lots vt-busybox:1 true|invalid argument \"lots\""
		"run --restart sometimes vt-busybox:1 true|sometimes"
		"run --pull never no/such:image true|no such image"
		"run --network nonet vt-busybox:1 true|network nonet not found"
		"run -v rel@tive:/x vt-busybox:1 true|invalid characters for a local volume name"
		"run|requires at least 1 argument"
		"start no-such-container|No such container: no-such-container"
		"logs no-such-container|No such container"
		"stop no-such-container|No such container"
		"rm no-such-container|No such container"
		"kill -s NOSIG vt-busybox|invalid signal"
		"ps --bogus|unknown flag"
		"container nope|is not a vessel command"
		"wait|requires at least 1 argument"
	)
	assert_bad_inputs "${cases[@]}"
	[ -z "$(vessel ps -aq)" ]
	run ls "$VESSEL_ROOT/containers"
	[ -z "$output" ]
}
