#!/usr/bin/env bats
# vessel-monitor: the per-container monitor the engine starts (conmon's job). It creates the
# container (in-process, or through --runtime runc), reports its pid on --sync-fd, writes the
# json-file log (with rotation), serves attach, records the exit status and runs the exit command.
# shellcheck disable=SC2016 # shell lines and jq programs are meant for the container / jq

load helpers

setup_file()
{
	suite_setup
	export MON=$VESSEL_BUILD/cmd/vessel-monitor/vessel-monitor
	export ATTACH=$VESSEL_BUILD/tests/lib/attach-client
	RUNC=$(command -v runc || true)
	export RUNC
}

setup()
{
	setup_bundle
	D=$BATS_TEST_TMPDIR/mon
	mkdir -p "$D"
	SYNC=$D/sync EXIT=$D/exit LOG=$D/ctr.log SOCK=$D/attach.sock MPIDF=$D/monitor.pid
	RT=$VR # the runtime the test's exit command and `start` use
	MPID=""
}

teardown()
{
	cleanup_test
}

# exit_command: a script the monitor runs at the end: it records its arguments and deletes the
# container with $RT, as the engine's `vessel container cleanup ID` does.
write_exit_command()
{
	cat >"$D/exit-cmd.sh" <<-EOF
		#!/bin/sh
		echo "\$@" >"$D/exit-ran"
		exec "$RT" --root "$STATE_ROOT" delete "\$1"
	EOF
}

# mon_start [MONITOR ARGS...]: start the monitor (detaching, unless --foreground is given: then in
# the background) for $CID and wait for its sync line in $SYNC; $MPID is the monitor's pid.
mon_start()
{
	write_exit_command
	local args=(--id "$CID" --bundle "$BUNDLE" --runtime-root "$STATE_ROOT" --exit-file "$EXIT"
		--log-path "$LOG" --attach-socket "$SOCK" --monitor-pid-file "$MPIDF" --sync-fd 4
		--exit-command /bin/sh --exit-command-arg "$D/exit-cmd.sh" --exit-command-arg "$CID")
	if [[ " $* " == *" --foreground "* ]]; then
		"$MON" "${args[@]}" "$@" 4>"$SYNC" 3>&- </dev/null >"$D/out" 2>"$D/err" &
		MPID=$!
		track_pid "$MPID"
	else
		timeout 15 "$MON" "${args[@]}" "$@" 4>"$SYNC" 3>&- </dev/null >"$D/out" 2>"$D/err" ||
			fail "the detaching monitor's first process failed: $(cat "$D/err")"
	fi
	wait_file "$SYNC" || return 1
	if [[ -z $MPID && -s $MPIDF ]]; then
		MPID=$(cat "$MPIDF")
		track_pid "$MPID"
	fi
}

# sync_pid: the pid reported on the sync fd (fails on an error line).
sync_pid()
{
	local pid
	pid=$(jq -er .pid "$SYNC") || fail "sync line is not {\"pid\":N}: $(cat "$SYNC")"
	echo "$pid"
}

# gone PID: the process has ended (no process, or a zombie nobody reaps yet).
gone()
{
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) }
	[[ ${st%% *} == Z ]]
}

# mon_wait_exit: the exit file is written and the monitor has ended.
mon_wait_exit()
{
	wait_file "$EXIT" 15 || return 1
	local i
	for ((i = 0; i < 200; i++)); do
		gone "$MPID" && return 0
		sleep 0.05
	done
	fail "the monitor $MPID is still running after writing the exit file"
}

# zombie_children PID: the zombies whose parent is PID.
zombie_children()
{
	local p st rest
	for p in /proc/[0-9]*; do
		st=$(cat "$p/stat" 2>/dev/null) || continue
		rest=${st##*) }
		read -r state ppid _ <<<"$rest"
		if [[ $ppid == "$1" && $state == Z ]]; then echo "${p#/proc/}"; fi
	done
}

@test "monitor: exit code, json-file log with streams, exit command" {
	set_sh 'echo out; echo err >&2; exit 3'
	mon_start
	sync_pid >/dev/null
	vr start "$CID"
	mon_wait_exit
	run jq -r .exitCode "$EXIT"
	assert_output_is 3
	jq -e '.signal == 0 and .oomKilled == false and (.finishedAt | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{9}Z$"))' \
		"$EXIT" >/dev/null || fail "exit file: $(cat "$EXIT")"
	run jq -c '[.stream, .log]' "$LOG"
	assert_status 0
	[[ $(sort <<<"$output") == $'["stderr","err\\n"]\n["stdout","out\\n"]' ]] || fail "log: $output"
	jq -e 'select(.time | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]+Z$") | not)' "$LOG" >/dev/null &&
		fail "a record has a bad time: $(cat "$LOG")"
	[[ $(cat "$D/exit-ran") == "$CID" ]] || fail "exit command did not run with the id"
	[[ ! -e $SOCK ]] || fail "the attach socket is left behind"
	assert_clean "$CID"
}

@test "monitor: --foreground works the same and the sync fd carries the pid" {
	set_sh 'echo fg; exit 0'
	mon_start --foreground
	local pid
	pid=$(sync_pid)
	[[ $(awk '/^PPid/ {print $2}' "/proc/$pid/status") == "$MPID" ]] || fail "the monitor is not the init's parent"
	vr start "$CID"
	mon_wait_exit
	[[ $(jq -r .exitCode "$EXIT") == 0 ]] || fail "exit: $(cat "$EXIT")"
	[[ $(jq -r .log "$LOG") == fg ]] || fail "log: $(cat "$LOG")"
	assert_clean "$CID"
}

@test "monitor: rotation keeps max-files files under max-size" {
	set_sh 'i=0; while [ $i -lt 300 ]; do echo "line $i: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); done'
	mon_start --log-max-size 4k --log-max-files 3
	vr start "$CID"
	mon_wait_exit
	[[ -s $LOG && -s $LOG.1 && -s $LOG.2 ]] || fail "rotation made: $(ls "$D")"
	[[ ! -e $LOG.3 ]] || fail "more than 3 files kept: $(ls "$D")"
	local f size
	for f in "$LOG" "$LOG.1" "$LOG.2"; do
		size=$(stat -c %s "$f")
		((size <= 4096)) || fail "$f is $size bytes, over the 4k limit"
		jq -e . "$f" >/dev/null || fail "$f is not JSON lines"
	done
	[[ $(jq -j .log "$LOG" | tail -n 1) == "line 299: "* ]] || fail "the last line is not in the current file"
	# The kept records are the newest, consecutive, in order across the files.
	run sh -c "cat '$LOG.2' '$LOG.1' '$LOG' | jq -r .log | sed 's/:.*//; s/line //'"
	local prev="" n
	for n in $output; do
		[[ -z $prev || $n -eq $((prev + 1)) ]] || fail "records out of order: $prev then $n"
		prev=$n
	done
	assert_clean "$CID"
}

@test "monitor: with max-files 1 the log is truncated, never renamed" {
	set_sh 'i=0; while [ $i -lt 100 ]; do echo "line $i: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); done'
	mon_start --log-max-size 2048
	vr start "$CID"
	mon_wait_exit
	[[ ! -e $LOG.1 ]] || fail "a rotated file exists: $(ls "$D")"
	(($(stat -c %s "$LOG") <= 2048)) || fail "the log is $(stat -c %s "$LOG") bytes"
	[[ $(jq -j .log "$LOG" | tail -n 1) == "line 99: "* ]] || fail "the last line is not in the log"
	assert_clean "$CID"
}

@test "monitor: long lines are cut at 16 KiB, escaping is JSON and bad UTF-8 becomes U+FFFD" {
	set_sh 'head -c 40000 /dev/zero | tr "\0" a; echo; printf "q\"b\\\\t\tc\001\377é\n"'
	mon_start
	vr start "$CID"
	mon_wait_exit
	run jq -r '.log | length' "$LOG"
	assert_output_is $'16384\n16384\n7233\n11'
	run jq -r .log "$LOG"
	[[ $(printf '%s' "$output" | tr -d '\n' | tr -d a | head -c 1) == q ]] || fail "lines not whole: ${output:0:100}"
	run jq -c '.log' <(tail -n 1 "$LOG")
	assert_output_is '"q\"b\\t\tc\u0001�é\n"'
	grep -q '\\u0001' "$LOG" || fail "control character not escaped as \\u0001: $(tail -n 1 "$LOG")"
}

@test "monitor: attach clients get the output, framed by stream, and send stdin" {
	set_sh 'read line; echo "got:$line"; echo "err:$line" >&2; read rest || echo eof'
	mon_start -i
	echo hello | "$ATTACH" --stdin "$SOCK" >"$D/c1.out" 2>"$D/c1.err" 3>&- &
	local c1=$!
	"$ATTACH" --ready "$D/c2.ready" "$SOCK" >"$D/c2.out" 2>"$D/c2.err" 3>&- &
	local c2=$!
	track_pid $c1
	track_pid $c2
	wait_file "$D/c2.ready" 5 || touch "$D/c2.ready"
	[[ -e $D/c2.ready ]]
	vr start "$CID"
	mon_wait_exit
	wait $c1 || fail "client 1 failed: $(cat "$D/c1.err")"
	wait $c2 || fail "client 2 failed: $(cat "$D/c2.err")"
	[[ $(cat "$D/c1.out") == $'got:hello\neof' ]] || fail "client 1 stdout: $(cat "$D/c1.out")"
	[[ $(cat "$D/c1.err") == 'err:hello' ]] || fail "client 1 stderr: $(cat "$D/c1.err")"
	# The second client connected before the output: it sees it too (the first's input made it).
	[[ $(cat "$D/c2.out") == $'got:hello\neof' && $(cat "$D/c2.err") == 'err:hello' ]] ||
		fail "client 2: $(cat "$D/c2.out") / $(cat "$D/c2.err")"
	[[ $(jq -r 'select(.stream == "stderr") | .log' "$LOG") == 'err:hello' ]] || fail "log: $(cat "$LOG")"
	assert_clean "$CID"
}

@test "monitor: -t gives the container a pty, resized by attach, logged as stdout" {
	set_cfg '.process.terminal = true'
	set_sh 'read go; test -t 0 && echo tty-yes; stty size; echo to-err >&2'
	mon_start -t -i
	[[ -z $(ls /proc/"$MPID"/fd -l | grep -F "$D/console") ]]
	printf 'go\n' | "$ATTACH" --tty --stdin --resize 30 100 "$SOCK" >"$D/c.out" 2>"$D/c.err" 3>&- &
	local c=$!
	track_pid $c
	vr start "$CID"
	mon_wait_exit
	wait $c || fail "client failed: $(cat "$D/c.err")"
	run cat "$D/c.out"
	assert_output_has tty-yes
	assert_output_has '30 100'
	assert_output_has to-err
	run jq -r .stream "$LOG"
	[[ $(sort -u <<<"$output") == stdout ]] || fail "streams with a tty: $output"
	run jq -r .log "$LOG"
	assert_output_has $'tty-yes\r\n'
	[[ $(jq -r .exitCode "$EXIT") == 0 ]] || fail "exit: $(cat "$EXIT")"
	assert_clean "$CID"
}

@test "monitor: --runtime runc creates through the binary, same log and exit" {
	[[ -n $RUNC ]] || skip "runc is not installed"
	RT=$RUNC
	set_sh 'echo out; echo err >&2; exit 3'
	mon_start --runtime "$RUNC"
	local pid
	pid=$(sync_pid)
	[[ $(awk '/^PPid/ {print $2}' "/proc/$pid/status") == "$MPID" ]] || fail "runc's init was not reparented to the monitor"
	"$RUNC" --root "$STATE_ROOT" start "$CID"
	mon_wait_exit
	[[ $(jq -r .exitCode "$EXIT") == 3 ]] || fail "exit: $(cat "$EXIT")"
	run jq -c '[.stream, .log]' "$LOG"
	[[ $(sort <<<"$output") == $'["stderr","err\\n"]\n["stdout","out\\n"]' ]] || fail "log: $output"
	[[ -z $(zombie_children "$MPID") ]] || fail "zombies left under the monitor"
	assert_clean "$CID"
}

@test "monitor: --runtime runc with -t" {
	[[ -n $RUNC ]] || skip "runc is not installed"
	RT=$RUNC
	set_cfg '.process.terminal = true'
	set_sh 'test -t 0 && echo tty-yes'
	mon_start --runtime "$RUNC" -t
	sync_pid >/dev/null
	"$RUNC" --root "$STATE_ROOT" start "$CID"
	mon_wait_exit
	[[ $(jq -r .log "$LOG") == $'tty-yes\r' ]] || fail "log: $(cat "$LOG")"
	assert_clean "$CID"
}

@test "monitor: a container killed with SIGKILL exits 137; SIGTERM to the monitor is ignored" {
	set_cfg '.process.args = ["/bin/sleep", "1000"]'
	mon_start
	vr start "$CID"
	kill -TERM "$MPID"
	kill -INT "$MPID"
	sleep 0.2
	! gone "$MPID" || fail "SIGTERM stopped the monitor"
	[[ $(state_field "$CID" status) == running ]] || fail "the container is not running"
	vr kill "$CID" KILL
	mon_wait_exit
	run jq -c '[.exitCode, .signal]' "$EXIT"
	assert_output_is '[137,9]'
	assert_clean "$CID"
}

@test "monitor: a bad bundle gives one error line on the sync fd and leaves nothing" {
	set_cfg '.process.args = ["/no/such/binary"] | .root.path = "/no/such/rootfs"'
	mon_start --foreground
	run jq -r .error "$SYNC"
	assert_status 0
	assert_output_has rootfs
	[[ $(wc -l <"$SYNC") == 1 ]] || fail "sync: $(cat "$SYNC")"
	# and the same one line on the caller's stderr, prefixed
	[[ $(wc -l <"$D/err") == 1 && $(cat "$D/err") == "vessel-monitor: "*rootfs* ]] || fail "stderr: $(cat "$D/err")"
	local i
	for ((i = 0; i < 100; i++)); do gone "$MPID" && break; sleep 0.05; done
	gone "$MPID" || fail "the monitor did not exit"
	wait "$MPID" && fail "the monitor exited 0 after a failure"
	[[ ! -e $EXIT && ! -e $SOCK ]] || fail "left: $(ls "$D")"
	assert_clean "$CID"

	# the same through runc and detaching
	[[ -n $RUNC ]] || return 0
	rm -f "$SYNC"
	mon_start --runtime "$RUNC"
	run jq -r .error "$SYNC"
	[[ -n $output && $output != null ]] || fail "sync: $(cat "$SYNC")"
	sleep 0.2
	assert_clean "$CID"
}

@test "monitor: orphans are reaped (host pid namespace: subreaper, from a sealed copy)" {
	set_cfg '.linux.namespaces |= map(select(.type != "pid"))'
	set_sh '(sleep 0.3 &); (sleep 0.3 &); sleep 1.2; echo done'
	mon_start
	local pid
	pid=$(sync_pid)
	# CVE-2019-5736: the init is visible from the container's pid namespace until it execs.
	[[ $(readlink "/proc/$MPID/exe") == /memfd:* ]] || fail "the monitor runs from $(readlink "/proc/$MPID/exe")"
	vr start "$CID"
	sleep 0.8
	[[ -z $(zombie_children "$MPID") ]] || fail "zombies under the monitor: $(zombie_children "$MPID")"
	mon_wait_exit
	[[ $(jq -r .log "$LOG") == done ]] || fail "log: $(cat "$LOG")"
	assert_clean "$CID"
}

@test "monitor: a client that never reads is dropped, the container is never blocked" {
	set_sh 'head -c 5000000 /dev/zero | tr "\0" "x" | fold -w 1000; echo; echo end'
	mon_start
	# The client writes to a pipe nobody reads: once it is full, it stops reading the socket.
	"$ATTACH" --ready "$D/slow.ready" "$SOCK" 3>&- | sleep 30 &
	track_pid $!
	wait_file "$D/slow.ready" 5 || touch "$D/slow.ready"
	[[ -e $D/slow.ready ]]
	vr start "$CID"
	mon_wait_exit
	[[ $(jq -j .log "$LOG" | tail -n 1) == end ]] || fail "log does not end with the last line"
	[[ $(wc -l <"$LOG") == 5001 ]] || fail "log has $(wc -l <"$LOG") records"
	assert_clean "$CID"
}

@test "monitor: idle RSS (printed), and nothing leaks" {
	set_cfg '.process.args = ["/bin/sleep", "1000"] | .process.terminal = true'
	local tmp_before
	tmp_before=$(find /tmp -maxdepth 1 -name 'vessel-monitor-*' | wc -l)
	mon_start -t -i
	vr start "$CID"
	sleep 0.3
	local rss fds
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$MPID/status")
	echo "# idle vessel-monitor VmRSS: ${rss} kB ($(grep -E '^Rss(Anon|File)' "/proc/$MPID/status" | tr -s '\t ' ' ' | tr '\n' ' '))" >&3
	# its fds: epoll, signalfd, log, attach socket, the pty master (twice): nothing inherited
	fds=$(find "/proc/$MPID/fd" -mindepth 1 | wc -l)
	((fds <= 9)) || fail "the monitor holds $fds fds: $(ls -l "/proc/$MPID/fd")"
	[[ $(find /tmp -maxdepth 1 -name 'vessel-monitor-*' | wc -l) == "$tmp_before" ]] || fail "private dir left in /tmp"
	vr kill "$CID" KILL
	mon_wait_exit
	assert_clean "$CID"
}
