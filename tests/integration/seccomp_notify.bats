#!/usr/bin/env bats
# linux.seccomp with SCMP_ACT_NOTIFY: the runtime connects to listenerPath and sends the container
# process state with the seccomp listener attached; the agent (tests/lib/seccomp-agent) then decides
# what a notified syscall returns. Checked for the init (run, create/start) and for exec, with the
# filter loaded last (noNewPrivileges) and before the switch of user (no noNewPrivileges).
# shellcheck disable=SC2016,SC2154 # shell lines and jq programs are meant for the container / jq;
# stderr and stderr_lines are set by bats' run --separate-stderr and by vr_bg (helpers.bash)

load helpers

AGENT=$VESSEL_BUILD/tests/lib/seccomp-agent
METADATA='vessel-test;metadata=1'
# EXDEV: an error mkdir on a tmpfs never gives of itself.
EXDEV=18
EXDEV_TEXT='Invalid cross-device link'

setup_file()
{
	suite_setup
}

setup()
{
	setup_bundle
	[[ -x $AGENT ]] || fail "the agent is not built: $AGENT"
	AGENT_SOCK=$BATS_TEST_TMPDIR/agent.sock
	AGENT_LOG=$BATS_TEST_TMPDIR/agent.log
	SHARE=$BATS_TEST_TMPDIR/share
	mkdir -p "$SHARE"
	set_cfg '.mounts += [{destination: "/mnt/tmp", type: "tmpfs", source: "tmpfs"}]'
	add_bind "$SHARE" /mnt/share
	notify_on '"mkdir", "mkdirat"'
}

teardown()
{
	cleanup_test
}

# notify_on NAMES: linux.seccomp allows all but NAMES (JSON strings, comma-separated), notified.
notify_on()
{
	set_cfg --arg l "$AGENT_SOCK" --arg m "$METADATA" --argjson n "[$1]" '.linux.seccomp = {
		defaultAction: "SCMP_ACT_ALLOW", listenerPath: $l, listenerMetadata: $m,
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		syscalls: [{names: $n, action: "SCMP_ACT_NOTIFY"}]}'
}

# start_agent [AGENT FLAGS...]: the agent on $AGENT_SOCK, logging to $AGENT_LOG.
start_agent()
{
	"$AGENT" --log "$AGENT_LOG" "$@" "$AGENT_SOCK" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/agent.err" 3>&- &
	AGENT_PID=$!
	track_pid "$AGENT_PID"
	local i
	for ((i = 0; i < 200; i++)); do
		[[ -S $AGENT_SOCK ]] && return 0
		sleep 0.05
	done
	fail "the agent did not listen on $AGENT_SOCK: $(cat "$BATS_TEST_TMPDIR/agent.err")"
}

# agent_states: the state JSON documents the agent received, one a line.
agent_states()
{
	sed -n 's/^state //p' "$AGENT_LOG"
}

# assert_agent_saw LINE-PREFIX: the agent logged a line starting with it.
assert_agent_saw()
{
	grep -q -- "^$1" "$AGENT_LOG" || fail "the agent did not log '$1': $(cat "$AGENT_LOG" 2>/dev/null)"
}

@test "run: the agent's errno is what a notified mkdir returns" {
	start_agent --mkdir-errno "$EXDEV"
	set_sh 'mkdir /mnt/tmp/d 2>&1; echo rc=$?; [ -d /mnt/tmp/d ] && echo made || echo absent'
	run_ctr
	assert_status 0
	assert_output_has "$EXDEV_TEXT"
	assert_output_has "rc=1"
	assert_output_has "absent"
	assert_agent_saw "notify [0-9]* mkdir\(at\)\? /mnt/tmp/d$"
}

@test "run: the agent lets mkdir go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE) and the directory is made" {
	start_agent
	set_sh 'mkdir /mnt/tmp/d && [ -d /mnt/tmp/d ] && echo made'
	run_ctr
	assert_status 0
	assert_output_is "made"
	assert_agent_saw "notify [0-9]* mkdir\(at\)\? /mnt/tmp/d$"
}

@test "run: NOTIFY with the flags TSYNC and LOG (a listener with TSYNC needs TSYNC_ESRCH underneath)" {
	start_agent --mkdir-errno "$EXDEV"
	set_cfg '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"]'
	set_sh 'mkdir /mnt/tmp/d 2>&1; echo rc=$?'
	run_ctr
	assert_status 0
	assert_output_has "$EXDEV_TEXT"
	assert_agent_saw "notify [0-9]* mkdir\(at\)\? /mnt/tmp/d$"
}

@test "control: without the NOTIFY rule the agent is never asked and mkdir succeeds" {
	start_agent --mkdir-errno "$EXDEV"
	set_cfg 'del(.linux.seccomp)'
	set_sh 'mkdir /mnt/tmp/d && echo made'
	run_ctr
	assert_status 0
	assert_output_is "made"
	[[ ! -s $AGENT_LOG ]] || fail "the agent was reached: $(cat "$AGENT_LOG")"
}

@test "create: the agent gets the container process state: pid, ociVersion, fds, metadata, state" {
	start_agent --mkdir-errno "$EXDEV"
	set_cfg '.annotations = {"org.example.key": "value"}'
	set_sh 'sleep 1000'
	create_ctr
	local pid st
	pid=$(state_field "$CID" pid)
	[[ $pid =~ ^[1-9][0-9]*$ ]] || fail "no init pid: $pid"
	wait_file "$AGENT_LOG"
	st=$(agent_states)
	[[ $(echo "$st" | wc -l) -eq 1 ]] || fail "wanted one state, got: $st"
	run jq -e --argjson pid "$pid" --arg id "$CID" --arg b "$BUNDLE" --arg m "$METADATA" '
		(.ociVersion | test("^1\\.[0-9]+\\.[0-9]+")) and .fds == ["seccompFd"] and .pid == $pid
		and .metadata == $m and .state.id == $id and .state.pid == $pid and .state.status == "creating"
		and .state.bundle == $b and (.state.ociVersion | test("^1\\.")) and .state.annotations == {"org.example.key": "value"}' <<<"$st"
	assert_status 0
	vr start "$CID"
	wait_status "$CID" running
}

@test "create/start: a notified mkdir in the init after start reaches the agent (noNewPrivileges false)" {
	start_agent --mkdir-errno "$EXDEV"
	set_cfg '.process.noNewPrivileges = false'
	set_sh 'mkdir /mnt/tmp/d 2>/mnt/share/err; echo rc=$? >/mnt/share/out'
	create_ctr
	vr start "$CID"
	wait_file "$SHARE/out"
	[[ $(cat "$SHARE/out") == "rc=1" ]] || fail "mkdir: $(cat "$SHARE/out")"
	grep -q "$EXDEV_TEXT" "$SHARE/err" || fail "mkdir's error: $(cat "$SHARE/err")"
	assert_agent_saw "notify [0-9]* mkdir\(at\)\? /mnt/tmp/d$"
}

@test "no copy of the listener stays in the container or the runtime: with the agent gone, mkdir fails with ENOSYS" {
	start_agent --mkdir-errno "$EXDEV"
	set_sh 'while [ ! -e /mnt/share/go ]; do sleep 0.05; done
		ls -l /proc/self/fd/ /proc/1/fd/ >/mnt/share/fds 2>&1
		mkdir /mnt/tmp/d 2>/mnt/share/err; echo rc=$? >/mnt/share/out'
	# run: the runtime stays the container's parent, so a copy it kept would count too
	vr run --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 &
	track_pid $!
	wait_file "$AGENT_LOG"
	kill -KILL "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null || true
	touch "$SHARE/go"
	wait_file "$SHARE/out"
	[[ $(cat "$SHARE/out") == "rc=1" ]] || fail "mkdir: $(cat "$SHARE/out")"
	grep -q "Function not implemented" "$SHARE/err" || fail "mkdir's error: $(cat "$SHARE/err")"
	! grep -q "seccomp" "$SHARE/fds" || fail "a listener fd in the container: $(cat "$SHARE/fds")"
}

@test "exec: the exec'd process's listener reaches the agent, with its own pid and the state running" {
	start_agent --mkdir-errno "$EXDEV"
	set_sh 'sleep 1000'
	create_ctr
	vr start "$CID"
	wait_status "$CID" running
	local init_pid exec_pid
	init_pid=$(state_field "$CID" pid)
	# mkdir itself is the exec'd process: the notification names its pid
	run --separate-stderr vr exec --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" mkdir /mnt/tmp/e
	assert_status 1
	[[ $stderr == *"$EXDEV_TEXT"* ]] || fail "mkdir's error: $stderr"
	exec_pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[[ $exec_pid =~ ^[1-9][0-9]*$ && $exec_pid != "$init_pid" ]] || fail "exec pid '$exec_pid' (init $init_pid)"
	assert_agent_saw "notify $exec_pid mkdir\(at\)\? /mnt/tmp/e$"
	[[ $(agent_states | wc -l) -eq 2 ]] || fail "wanted two states (init, exec): $(agent_states)"
	run jq -e --argjson pid "$exec_pid" --argjson init "$init_pid" --arg m "$METADATA" '
		.pid == $pid and .state.pid == $init and .state.status == "running" and .metadata == $m
		and .fds == ["seccompFd"]' <<<"$(agent_states | tail -n 1)"
	assert_status 0
}

@test "exec with noNewPrivileges false: the filter loads before the switch of user, the agent still answers" {
	start_agent
	set_cfg '.process.noNewPrivileges = false'
	set_sh 'sleep 1000'
	create_ctr
	vr start "$CID"
	wait_status "$CID" running
	# exec's process is config.json's with the args replaced: noNewPrivileges false too
	run --separate-stderr vr exec "$CID" sh -c 'grep NoNewPrivs /proc/self/status; mkdir /mnt/tmp/e && echo made'
	assert_status 0
	assert_output_is $'NoNewPrivs:\t0\nmade'
	assert_agent_saw "notify [0-9]* mkdir\(at\)\? /mnt/tmp/e$"
}

@test "the calls the runtime makes after loading the filter (recv, read, close, execve, ...) may be notified" {
	start_agent
	# every syscall the process makes between the filter and its program, sendmsg excepted
	notify_on '"recvfrom", "recvmsg", "read", "write", "close", "close_range", "fcntl", "openat",
		"rt_sigprocmask", "prctl", "execve", "setresuid", "setresgid", "capset", "capget", "chdir",
		"getcwd", "mkdir", "mkdirat"'
	set_sh 'mkdir /mnt/tmp/d && echo made'
	run_ctr
	assert_status 0
	assert_output_is "made"
	assert_agent_saw "notify [0-9]* execve"
	set_cfg '.process.noNewPrivileges = false'
	: >"$AGENT_LOG"
	new_id CID
	create_ctr
	vr start "$CID"
	wait_status "$CID" stopped
	assert_agent_saw "notify [0-9]* execve"
	assert_agent_saw "notify [0-9]* mkdir"
}

@test "bad input: listenerPath names no socket: create fails naming it, nothing left behind" {
	set_cfg '.linux.seccomp.listenerPath = "/nonexistent/agent.sock"'
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "listenerPath"
	[[ ${stderr_lines[0]} == *"/nonexistent/agent.sock"* ]] || fail "the path is not named: ${stderr_lines[0]}"
	assert_clean "$CID"
}

@test "bad input: no agent listens on listenerPath (a regular file): create fails naming it, nothing left behind" {
	: >"$AGENT_SOCK"
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "listenerPath"
	assert_clean "$CID"
}

@test "bad input: SCMP_ACT_NOTIFY without listenerPath (or empty) names the field" {
	set_cfg 'del(.linux.seccomp.listenerPath)'
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "linux.seccomp.listenerPath"
	assert_clean "$CID"
	set_cfg '.linux.seccomp.listenerPath = ""'
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "linux.seccomp.listenerPath"
	assert_clean "$CID"
}

@test "bad input: SCMP_ACT_NOTIFY on sendmsg (which hands the listener over) is refused, naming it" {
	start_agent
	notify_on '"mkdir", "sendmsg"'
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "sendmsg"
	assert_clean "$CID"
	[[ ! -s $AGENT_LOG ]] || fail "the agent was reached: $(cat "$AGENT_LOG")"
}
