#!/usr/bin/env bats
# vessel's commands on live containers, as a docker user checks them: exec (-i, -t, -d, -e,
# --env-file, -u, -w, --privileged, 126/127), attach (detach keys, stdin, exit code), top,
# stats, pause/unpause, update, rename, restart; and their bad input. The image is the busybox
# rootfs, imported. Containers go under a cgroup parent of this file's own, so that other
# files' checks of the engine's default parent are not disturbed.
# shellcheck disable=SC2016,SC2154 # jq/sh programs in single quotes; bats sets $stderr and names

load helpers

CG_PARENT=/vt-exec-bats

setup_file()
{
	engine_setup_file vt-busybox:1
}

teardown_file()
{
	engine_teardown_file "$CG_PARENT"
}

setup()
{
	NAMES=()
}

teardown()
{
	local n
	for n in "${NAMES[@]}"; do
		timeout 30 "$VESSEL" unpause "$n" >/dev/null 2>&1 || true
		timeout 30 "$VESSEL" rm -f "$n" >/dev/null 2>&1 || true
	done
}

# start NAME [run flags...] -- a detached busybox that sleeps.
start()
{
	local n=$1
	shift
	vessel run -d --name "$n" --cgroup-parent "$CG_PARENT" "$@" vt-busybox:1 sleep 1000 >/dev/null
}

# cgroup_file NAME CONTROLLER FILE: the path of FILE in the container's cgroup of CONTROLLER.
cgroup_file()
{
	local id pid path
	id=$(vessel ps -a --no-trunc --format '{{.ID}} {{.Names}}' | awk -v n="$1" '$2 == n { print $1 }')
	pid=$(jq -r .pid "$VESSEL_RUNROOT/runtime/$id/state.json")
	path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
	echo "/sys/fs/cgroup/$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $2 }' "/proc/$pid/cgroup")$path/$3"
}

@test "exec: output, exit status, environment, workdir and user" {
	name n
	start "$n" -e FROM_RUN=1
	run --separate-stderr vessel exec "$n" sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = "out" ]
	[ "$stderr" = "err" ]
	printf 'FROM_FILE=f\n# comment\n' >"$BATS_TEST_TMPDIR/env"
	run vessel exec -e X=y --env-file "$BATS_TEST_TMPDIR/env" -w /tmp "$n" sh -c 'echo "$X $FROM_FILE $FROM_RUN $(pwd)"'
	[ "$status" -eq 0 ]
	[ "$output" = "y f 1 /tmp" ]
	run vessel exec -u nobody "$n" id
	[ "$status" -eq 0 ]
	[[ $output == "uid=65534"*" gid=65534"* ]]
	run vessel exec -u 1234:5678 "$n" sh -c 'id -u; id -g'
	[ "$output" = $'1234\n5678' ]
	# the process is in the container: its pid namespace and its cgroup
	run vessel exec "$n" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	[ "$output" = "sleep 1000 " ]
}

@test "exec: 127 for a command not found, 126 for one not executable" {
	name n
	start "$n"
	run -127 --separate-stderr vessel exec "$n" no-such-command
	[[ $stderr == "vessel: "*"no-such-command"* ]]
	run --separate-stderr vessel exec "$n" /etc/passwd
	[ "$status" -eq 126 ]
	[[ $stderr == "vessel: "* ]]
	# the container is untouched
	run vessel ps --format '{{.Names}} {{.State}}'
	[ "$output" = "$n running" ]
}

@test "exec -i passes stdin, without -i stdin is empty; -d returns at once" {
	name n
	start "$n"
	run vessel exec -i "$n" sh -c 'read x; echo "got:$x"' <<<"hello"
	[ "$output" = "got:hello" ]
	run vessel exec "$n" sh -c 'cat; echo "end"' <<<"not passed"
	[ "$output" = "end" ]
	SECONDS=0
	run vessel exec -d "$n" sh -c 'sleep 2; echo done >/tmp/marker'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$SECONDS" -lt 2 ]
	run vessel exec "$n" cat /tmp/marker
	[ "$status" -ne 0 ]
	for _ in $(seq 50); do
		vessel exec "$n" test -e /tmp/marker && break
		sleep 0.1
	done
	run vessel exec "$n" cat /tmp/marker
	[ "$output" = "done" ]
}

@test "exec -d -t: the process has a terminal, the CLI returns at once, a flood of output does not block it" {
	name n
	start "$n"
	SECONDS=0
	run --separate-stderr vessel exec -d -t "$n" sh -c 'tty >/tmp/tty; test -t 0 && echo stdin-tty >>/tmp/tty; sleep 60'
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	[ "$SECONDS" -lt 30 ]
	# nobody reads the terminal: what the process writes is drained, so it runs to its end
	vessel exec -d -t "$n" sh -c 'seq 30000; echo end >/tmp/flood'
	for _ in $(seq 100); do
		vessel exec "$n" test -e /tmp/tty -a -e /tmp/flood && break
		sleep 0.1
	done
	run vessel exec "$n" cat /tmp/tty /tmp/flood
	[[ ${lines[0]} == /dev/pts/* ]]
	[ "${lines[1]}" = stdin-tty ]
	[ "${lines[2]}" = end ]
	# 127 for a command not found, as without -t
	run -127 vessel exec -d -t "$n" no-such-command
}

@test "logs -f --until: it follows up to that time, then exits while the container runs on" {
	name n
	vessel run -d --name "$n" --cgroup-parent "$CG_PARENT" vt-busybox:1 \
		sh -c 'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done' >/dev/null
	local until=$(($(date +%s) + 2))
	SECONDS=0
	run timeout 20 "$VESSEL" logs -f --until "$until" "$n"
	[ "$status" -eq 0 ]
	[ "$SECONDS" -le 4 ]
	[[ ${lines[0]} == tick-0 ]]
	[ "${#lines[@]}" -ge 3 ]
	local followed=$output
	run vessel ps --format '{{.Names}} {{.State}}'
	[[ $output == *"$n running"* ]]
	# what -f printed is what the log holds up to that time: nothing after it, nothing missed
	sleep 0.5
	run vessel logs --until "$until" "$n"
	[ "$output" = "$followed" ]
	run vessel logs "$n"
	[ "${#lines[@]}" -gt "$(wc -l <<<"$followed")" ]
	# an until time already past: what came before it, and an exit at once
	SECONDS=0
	run timeout 20 "$VESSEL" logs -f --until 1s "$n"
	[ "$status" -eq 0 ]
	[ "$SECONDS" -le 2 ]
	[[ ${lines[0]} == tick-0 ]]
}

@test "exec -t gives a terminal (through script), -it an interactive one" {
	name n
	start "$n"
	run script -qec "$VESSEL exec -t $n sh -c 'test -t 0 && test -t 1 && tty && echo \$TERM'" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"/dev/pts/"* ]]
	[[ $output == *"xterm"* ]]
	run vessel exec "$n" sh -c 'test -t 1 || echo notty'
	[ "$output" = "notty" ]
	run bash -c "printf 'echo hi-\$((40+2))\nexit 5\n' | script -qec '$VESSEL exec -it $n sh' /dev/null"
	[[ $output == *"hi-42"* ]]
}

@test "exec --privileged: every capability, the default set without it" {
	name n
	start "$n"
	run vessel exec "$n" grep CapEff /proc/self/status
	[ "$output" = $'CapEff:\t00000000a80425fb' ]
	# every capability this host grants (its bounding set)
	want=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	run vessel exec --privileged "$n" grep CapEff /proc/self/status
	[ "$output" = "CapEff:	$want" ]
}

@test "top: docker's columns, the container's processes only; ps options" {
	name n
	start "$n"
	vessel exec -d "$n" sleep 999
	sleep 0.3
	run vessel top "$n"
	[ "$status" -eq 0 ]
	read -r -a header <<<"${lines[0]}"
	[ "${header[*]}" = "UID PID PPID C STIME TTY TIME CMD" ]
	[ "${#lines[@]}" -eq 3 ]
	[[ $output == *"sleep 1000"* ]]
	[[ $output == *"sleep 999"* ]]
	# columns at docker's tabwriter widths (at least 20 wide)
	[[ ${lines[0]} == "UID                 PID                 PPID"* ]]
	# every PID shown is in the container's cgroup
	procs=$(cat "$(cgroup_file "$n" pids cgroup.procs)")
	for pid in $(vessel top "$n" -o pid | tail -n +2); do
		grep -qx "$pid" <<<"$procs"
	done
	run vessel top "$n" -o pid,comm
	[ "${lines[0]// /}" = "PIDCOMMAND" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "stats --no-stream: docker's table from the container's cgroups; --format; -a" {
	name n
	start "$n" -m 64m
	name m
	vessel create --name "$m" vt-busybox:1 true >/dev/null
	run vessel stats --no-stream "$n"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	[[ ${lines[1]} == *" $n "* ]]
	[[ ${lines[1]} == *"/ 64MiB "* ]]
	run vessel stats --no-stream --format '{{.Name}} {{.PIDs}}' "$n"
	[ "$output" = "$n 1" ]
	vessel exec -d "$n" sleep 999
	sleep 0.3
	run vessel stats --no-stream --format '{{.Name}} {{.PIDs}}' "$n"
	[ "$output" = "$n 2" ]
	# a CPU hog shows as CPU use
	vessel exec -d "$n" sh -c 'while :; do :; done'
	run vessel stats --no-stream --format '{{.CPUPerc}}' "$n"
	cpu=${output%%.*}
	[ "$cpu" -ge 20 ]
	# without names: the running ones; -a: every one
	run vessel stats --no-stream --format '{{.Name}}'
	[ "$output" = "$n" ]
	run vessel stats --no-stream -a --format '{{.Name}}'
	[[ $output == *"$n"* && $output == *"$m"* ]]
	run vessel stats --no-stream --no-trunc --format '{{.ID}}' "$n"
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	# on a terminal: the table redrawn (screen cleared) every second until interrupted
	run timeout -s INT 3 script -qec "$VESSEL stats --format '{{.Name}}' $n" /dev/null
	[ "$(grep -o $'\e\\[2J' <<<"$output" | wc -l)" -ge 2 ]
	[ "$(grep -c "$n" <<<"$output")" -ge 2 ]
}

@test "pause and unpause: the freezer, ps's Paused status, exec refused while paused" {
	name n
	start "$n"
	run vessel pause "$n"
	[ "$status" -eq 0 ]
	[ "$output" = "$n" ]
	[ "$(cat "$(cgroup_file "$n" freezer freezer.state)")" = "FROZEN" ]
	run vessel ps --format '{{.Names}} {{.State}} {{.Status}}'
	[[ $output == "$n paused Up "*" (Paused)" ]]
	run --separate-stderr vessel exec "$n" true
	[ "$status" -ne 0 ]
	[[ $stderr == *"is paused, unpause the container before exec"* ]]
	run vessel pause "$n"
	[ "$status" -ne 0 ]
	[[ $output == *"is already paused"* ]]
	run vessel unpause "$n"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_file "$n" freezer freezer.state)")" = "THAWED" ]
	run vessel ps --format '{{.Names}} {{.State}}'
	[ "$output" = "$n running" ]
	run vessel exec "$n" echo alive
	[ "$output" = "alive" ]
	# a paused container can still be removed
	vessel pause "$n"
	run vessel rm -f "$n"
	[ "$status" -eq 0 ]
	[ -z "$(vessel ps -aq)" ]
}

@test "update: the live cgroup, config.json and a restart keep the new limits" {
	name n
	start "$n" -m 64m
	[ "$(cat "$(cgroup_file "$n" memory memory.limit_in_bytes)")" = "67108864" ]
	run vessel update -m 96m --memory-swap 192m --pids-limit 33 --cpus 0.25 --cpu-shares 512 "$n"
	[ "$status" -eq 0 ]
	[ "$output" = "$n" ]
	[ "$(cat "$(cgroup_file "$n" memory memory.limit_in_bytes)")" = "100663296" ]
	[ "$(cat "$(cgroup_file "$n" pids pids.max)")" = "33" ]
	[ "$(cat "$(cgroup_file "$n" cpu cpu.cfs_quota_us)")" = "25000" ]
	[ "$(cat "$(cgroup_file "$n" cpu cpu.shares)")" = "512" ]
	id=$(vessel ps --no-trunc --format '{{.ID}}')
	[ "$(jq .linux.resources.memory.limit "$VESSEL_RUNROOT/containers/$id/config.json")" = "100663296" ]
	run vessel stats --no-stream --format '{{.MemUsage}}' "$n"
	[[ $output == *"/ 96MiB" ]]
	vessel restart -t 0 "$n"
	[ "$(cat "$(cgroup_file "$n" memory memory.limit_in_bytes)")" = "100663296" ]
	[ "$(cat "$(cgroup_file "$n" pids pids.max)")" = "33" ]
	# a stopped container: only its config, applied at the next start
	vessel stop -t 0 "$n" >/dev/null
	run vessel update --pids-limit 21 "$n"
	[ "$status" -eq 0 ]
	vessel start "$n" >/dev/null
	[ "$(cat "$(cgroup_file "$n" pids pids.max)")" = "21" ]
	# the restart policy, as inspect shows it
	run vessel update --restart on-failure:3 "$n"
	[ "$status" -eq 0 ]
	run vessel inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' "$n"
	[ "$output" = "on-failure:3" ]
	# a refused value changes nothing
	run vessel update -m 1k "$n"
	[ "$status" -ne 0 ]
	[ "$(cat "$(cgroup_file "$n" memory memory.limit_in_bytes)")" = "100663296" ]
}

@test "rename: the new name everywhere, the old one free; restart of running and exited containers" {
	name n
	name m
	start "$n"
	run vessel rename "$n" "$m"
	[ "$status" -eq 0 ]
	run vessel ps --format '{{.Names}}'
	[ "$output" = "$m" ]
	run vessel exec "$m" echo found
	[ "$output" = "found" ]
	run vessel exec "$n" true
	[[ $output == *"No such container: $n"* ]]
	# the old name can be taken again
	start "$n"
	run vessel rename "$n" "$m"
	[ "$status" -ne 0 ]
	[[ $output == *"Conflict. The container name \"/$m\" is already in use"* ]]
	# restart: a new init (a new pid 1 start), still running
	before=$(vessel exec "$m" cat /proc/1/stat | awk '{ print $22 }')
	id=$(vessel ps --no-trunc --format '{{.ID}} {{.Names}}' | awk -v n="$m" '$2 == n { print $1 }')
	oldpid=$(jq .pid "$VESSEL_RUNROOT/runtime/$id/state.json")
	run vessel restart -t 0 "$m"
	[ "$status" -eq 0 ]
	[ "$output" = "$m" ]
	newpid=$(jq .pid "$VESSEL_RUNROOT/runtime/$id/state.json")
	[ "$oldpid" != "$newpid" ]
	after=$(vessel exec "$m" cat /proc/1/stat | awk '{ print $22 }')
	[ -n "$before" ]
	[ "$before" != "$after" ]
	run vessel ps --format '{{.Names}} {{.State}}'
	[[ $output == *"$m running"* ]]
	# with --restart always: restarted once by restart, not again by its policy
	name r
	start "$r" --restart always
	vessel restart -t 0 "$r" >/dev/null
	sleep 0.5
	run vessel inspect -f '{{.State.Status}} {{.RestartCount}}' "$r"
	[ "$output" = "running 0" ]
	# an exited one starts again
	name e
	vessel run --name "$e" --cgroup-parent "$CG_PARENT" vt-busybox:1 sh -c 'echo ran' >/dev/null
	run vessel restart "$e"
	[ "$status" -eq 0 ]
	vessel wait "$e" >/dev/null
	run vessel logs "$e"
	[ "$output" = $'ran\nran' ]
}

@test "attach: output and exit status, stdin, detach keys leave it running" {
	name n
	vessel run -d -i --name "$n" --cgroup-parent "$CG_PARENT" vt-busybox:1 \
		sh -c 'while read l; do echo "got:$l"; done; echo bye >&2; exit 9' >/dev/null
	run --separate-stderr bash -c "printf 'one\ntwo\n' | timeout 20 '$VESSEL' attach $n"
	[ "$status" -eq 9 ]
	[ "$output" = $'got:one\ngot:two' ]
	[ "$stderr" = "bye" ]
	# --no-stdin: output only, stdin stays open for others
	name m
	vessel run -d -i --name "$m" --cgroup-parent "$CG_PARENT" vt-busybox:1 \
		sh -c 'while read l; do echo "got:$l"; done' >/dev/null
	# (--sig-proxy=false: timeout's SIGTERM ends attach, not the container)
	timeout 2 "$VESSEL" attach --no-stdin --sig-proxy=false "$m" </dev/null >"$BATS_TEST_TMPDIR/out" || true
	run vessel ps --format '{{.Names}} {{.State}}'
	[ "$output" = "$m running" ]
	# detach keys: ctrl-p ctrl-q (the default), then a custom sequence; the container runs on
	name t
	vessel run -d -it --name "$t" --cgroup-parent "$CG_PARENT" vt-busybox:1 sh >/dev/null
	run bash -c "(sleep 0.5; printf 'echo mark-\$((6*7))\r'; sleep 0.5; printf '\020\021') | timeout 20 script -qec '$VESSEL attach $t' /dev/null"
	[[ $output == *"mark-42"* ]]
	[[ $output == *"read escape sequence"* ]]
	run bash -c "(sleep 0.5; printf 'a'; sleep 0.2; printf 'b') | timeout 20 script -qec '$VESSEL attach --detach-keys a,b $t' /dev/null"
	[[ $output == *"read escape sequence"* ]]
	run vessel ps --format '{{.Names}} {{.State}}'
	[[ $output == *"$t running"* ]]
}

@test "attach to a run -d --rm container: its exit status, then it is removed" {
	name n
	vessel run -d --rm -i --name "$n" --cgroup-parent "$CG_PARENT" vt-busybox:1 \
		sh -c 'read l; echo "got:$l"; exit 7' >/dev/null
	run bash -c "echo one | timeout 20 '$VESSEL' attach $n"
	[ "$status" -eq 7 ]
	[ "$output" = "got:one" ]
	# the monitor's exit command removes it once attach has its status
	local i
	for i in $(seq 100); do
		[ -z "$(vessel ps -aq --filter "name=$n")" ] && break
		sleep 0.1
	done
	[ -z "$(vessel ps -aq --filter "name=$n")" ]
}

@test "attach: signals are proxied to the container without a terminal" {
	name n
	vessel run -d --name "$n" --cgroup-parent "$CG_PARENT" vt-busybox:1 \
		sh -c 'trap "echo term; exit 3" TERM; while :; do echo tick; sleep 0.2; done' >/dev/null
	"$VESSEL" attach "$n" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	apid=$!
	# output has come through: attach is in its loop, its signals blocked and read
	for _ in $(seq 100); do
		grep -q tick "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	kill -TERM "$apid"
	st=0
	wait "$apid" || st=$?
	[ "$st" -eq 3 ]
	grep -q term "$BATS_TEST_TMPDIR/out"
}

@test "bad input: one line prefixed vessel:, a non-zero exit, nothing changed" {
	name n
	start "$n"
	name s
	vessel create --name "$s" vt-busybox:1 true >/dev/null
	local cases=(
		"exec|requires at least 2 arguments"
		"exec $n|requires at least 2 arguments"
		"exec --nope $n true|unknown flag: --nope"
		"exec no-such-container true|No such container: no-such-container"
		"exec $s true|is not running"
		"exec -w relative $n true|needs to be an absolute path"
		"exec -u no-such-user $n true|no-such-user"
		"exec --env-file /no/such/file $n true|/no/such/file"
		"attach no-such-container|No such container"
		"attach $s|is not running"
		"attach --detach-keys ctrl-$ $n|Invalid detach keys"
		"attach --sig-proxy=maybe $n|invalid argument \"maybe\""
		"top no-such-container|No such container"
		"top $s|is not running"
		"top $n --no-such-ps-option|ps: "
		"stats --no-stream no-such-container|No such container"
		"pause $s|is not running"
		"unpause $n|is not paused"
		"update $n|you must provide one or more flags"
		"update -m lots $n|invalid argument \"lots\""
		"update --restart sometimes $n|sometimes"
		"update --cpus 0.5 --cpu-quota 1000 $n|conflicting options"
		"update --pids-limit 5 no-such-container|No such container"
		"rename $n|requires exactly 2 arguments"
		"rename $n bad/name|Invalid container name (bad/name)"
		"rename $n $s|Conflict. The container name \"/$s\" is already in use"
		"rename $n $n|same name as its current name"
		"restart no-such-container|No such container"
		"restart -t soon $n|invalid argument \"soon\""
	)
	assert_bad_inputs "${cases[@]}"
	# nothing changed: the same two containers, the same names and states
	run vessel ps -a --format '{{.Names}} {{.State}}'
	[ "$output" = "$s created"$'\n'"$n running" ]
	[ "$(cat "$(cgroup_file "$n" pids pids.max)")" = "max" ]
}
