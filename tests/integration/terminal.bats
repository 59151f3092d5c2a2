#!/usr/bin/env bats
# Terminals: process.terminal with --console-socket (the pty master passed with SCM_RIGHTS, as
# runc does), exec -t, and a foreground run on the caller's terminal, driven through tmux.
# shellcheck disable=SC2016 # shell lines and jq programs are meant for the container / jq

load helpers

setup_file()
{
	suite_setup
	export RECVTTY=$VESSEL_BUILD/tests/lib/recvtty
}

setup()
{
	setup_bundle
	SOCK=$BATS_TEST_TMPDIR/console.sock
	OUT=$BATS_TEST_TMPDIR/tty.out
}

teardown()
{
	if [[ -n ${TMUX_SESSION:-} ]]; then
		tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true
	fi
	cleanup_test
}

# start_recvtty: a console socket server that prints the pty's name, then what the container writes.
start_recvtty()
{
	"$RECVTTY" --once --no-stdin "$SOCK" >"$OUT" 2>&1 3>&- &
	track_pid $!
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -S $SOCK ]] && return 0
		sleep 0.05
	done
	fail "recvtty did not listen on $SOCK"
}

wait_output()
{
	local want=$1 i
	for ((i = 0; i < 200; i++)); do
		grep -q "$want" "$OUT" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no '$want' on the terminal: $(cat "$OUT")"
}

@test "create --console-socket: the init's stdio is a pts of its own devpts, sized by consoleSize" {
	start_recvtty
	set_cfg '.process.terminal = true | .process.consoleSize = {height: 30, width: 100}'
	set_sh 'tty; stty size; readlink /proc/self/fd/0 /proc/self/fd/1; echo done-tty; sleep 100'
	vr create --console-socket "$SOCK" --bundle "$BUNDLE" "$CID"
	track_init "$CID"
	vr start "$CID"
	wait_output done-tty
	mapfile -t lines <"$OUT"
	[[ ${lines[0]} == /dev/pts/* ]] || fail "recvtty got no pty name: ${lines[0]}"
	[[ ${lines[1]%$'\r'} == /dev/pts/0 ]] || fail "tty: ${lines[1]}"
	[[ ${lines[2]%$'\r'} == "30 100" ]] || fail "stty size: ${lines[2]}"
}

@test "exec -t --console-socket: a pts, the same size as asked, in the container" {
	set_sh 'sleep 1000'
	create_ctr
	vr start "$CID"
	start_recvtty
	jq -n '{terminal: true, consoleSize: {height: 24, width: 77}, args: ["sh", "-c", "tty; stty size; echo done-exec"],
		cwd: "/", user: {uid: 0, gid: 0}, env: ["PATH=/bin"]}' >"$BATS_TEST_TMPDIR/p.json"
	vr exec --console-socket "$SOCK" --detach --process "$BATS_TEST_TMPDIR/p.json" "$CID"
	wait_output done-exec
	mapfile -t lines <"$OUT"
	[[ ${lines[1]%$'\r'} == /dev/pts/* ]] || fail "tty: ${lines[1]}"
	[[ ${lines[2]%$'\r'} == "24 77" ]] || fail "stty size: ${lines[2]}"
}

@test "run with a terminal in the foreground: a prompt appears and a typed command answers" {
	set_cfg '.process.terminal = true | .process.args = ["/bin/sh"] | .process.env += ["PS1=vessel-prompt# "]'
	TMUX_SESSION=vessel-test-$$-$BATS_TEST_NUMBER
	tmux new-session -d -s "$TMUX_SESSION" -x 90 -y 20 \
		"$VR --root $STATE_ROOT run --bundle $BUNDLE $CID; echo exit-status=\$?; sleep 30"
	track_id "$CID"
	local i screen=""
	for ((i = 0; i < 200; i++)); do
		screen=$(tmux capture-pane -p -t "$TMUX_SESSION")
		[[ $screen == *"vessel-prompt#"* ]] && break
		sleep 0.05
	done
	[[ $screen == *"vessel-prompt#"* ]] || fail "no prompt: $screen"
	tmux send-keys -t "$TMUX_SESSION" 'stty size; echo answer-$((6*7)); exit 5' Enter
	for ((i = 0; i < 200; i++)); do
		screen=$(tmux capture-pane -p -t "$TMUX_SESSION")
		[[ $screen == *"exit-status="* ]] && break
		sleep 0.05
	done
	[[ $screen == *"answer-42"* ]] || fail "no answer: $screen"
	[[ $screen == *"20 90"* ]] || fail "the container's terminal is not the caller's size: $screen"
	[[ $screen == *"exit-status=5"* ]] || fail "exit status: $screen"
}

@test "bad input: a detached container with a terminal and no console socket" {
	set_cfg '.process.terminal = true'
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "process.terminal|console-socket"
	assert_clean "$CID"
}

@test "bad input: a console socket path that does not exist, on create" {
	set_cfg '.process.terminal = true'
	vr_bg create --console-socket "$BATS_TEST_TMPDIR/missing.sock" --bundle "$BUNDLE" "$CID"
	assert_one_error "missing.sock"
	assert_clean "$CID"
}
