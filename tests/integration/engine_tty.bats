#!/usr/bin/env bats
# vessel's terminals, driven as a user drives them: through tmux (a real terminal of a known
# size, keys typed into it, the screen read back). run -it and exec -it: a prompt, typed commands
# answer, the exit status comes back; docker's detach keys (ctrl-p ctrl-q, or --detach-keys)
# leave the process running, attach brings a container's back. The image is the busybox
# rootfs, imported. Each test has its own tmux server (-S under $BATS_TEST_TMPDIR).
# shellcheck disable=SC2016 # shell programs typed into the container in single quotes

load helpers

CG_PARENT=/vt-tty-bats

setup_file()
{
	engine_setup_file vt-tty:1
}

teardown_file()
{
	engine_teardown_file "$CG_PARENT"
}

setup()
{
	command -v tmux >/dev/null || skip "tmux is not installed"
	NAMES=()
	SOCK=$BATS_TEST_TMPDIR/tmux.sock
	PANES=0
}

teardown()
{
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	engine_teardown
}

# term CMD: run CMD (a shell line) in a new tmux window of 100x30, the next of this test's
# (pane N is "t$N"); when it ends its status is shown as cli-exited-STATUS.
term()
{
	PANE=t$((PANES++))
	tmux -S "$SOCK" new-session -d -s "$PANE" -x 100 -y 30 \
		"VESSEL_ROOT=$VESSEL_ROOT VESSEL_RUNROOT=$VESSEL_RUNROOT $1; echo cli-exited-\$?; sleep 60" 3>&-
}

# screen_has TEXT: wait (10 s at most) until the current pane shows TEXT; fails with the screen.
screen_has()
{
	local i screen
	for ((i = 0; i < 100; i++)); do
		screen=$(tmux -S "$SOCK" capture-pane -p -t "$PANE")
		[[ $screen == *"$1"* ]] && return 0
		sleep 0.1
	done
	fail "'$1' never showed on the screen: $screen"
}

# type TEXT...: send-keys to the current pane (tmux key names: Enter, C-p).
type()
{
	tmux -S "$SOCK" send-keys -t "$PANE" "$@"
}

# state NAME: the container's state as ps shows it.
state()
{
	vessel ps -a --filter "name=^$1\$" --format '{{.State}}'
}

@test "run -it in tmux: a prompt, typed commands answer on a pts of the pane's size, exit 3 is the CLI's 3" {
	name n
	term "$VESSEL run -it --name $n --cgroup-parent $CG_PARENT vt-tty:1 sh"
	screen_has "/ #"
	type 'tty; stty size; echo answer-$((6*7))' Enter
	screen_has answer-42
	screen_has "/dev/pts/0"
	screen_has "30 100"
	type 'exit 3' Enter
	screen_has cli-exited-3
	[ "$(state "$n")" = exited ]
}

@test "run -it: ctrl-p ctrl-q detaches and the container runs on; attach in tmux brings it back" {
	name n
	term "$VESSEL run -it --name $n --cgroup-parent $CG_PARENT vt-tty:1 sh"
	screen_has "/ #"
	type 'x=kept-$((2*21))' Enter
	type C-p C-q
	screen_has cli-exited-0
	[ "$(state "$n")" = running ]
	term "$VESSEL attach $n"
	type 'echo $x' Enter
	screen_has kept-42
	type 'exit 7' Enter
	screen_has cli-exited-7
	[ "$(state "$n")" = exited ]
}

@test "run -it --rm: detached, it runs on; when it exits later it goes, with its anonymous volume" {
	name n
	term "$VESSEL run -it --rm --name $n -v /anon --cgroup-parent $CG_PARENT vt-tty:1 sh"
	screen_has "/ #"
	type C-p C-q
	screen_has cli-exited-0
	[ "$(state "$n")" = running ]
	local vol
	vol=$(vessel volume ls -q) # this file's only volume
	[ -n "$vol" ]
	vessel volume inspect "$vol" >/dev/null
	term "$VESSEL attach $n"
	type 'exit 4' Enter
	# (attach's status is the container's when its record outlives it; a --rm one's is gone)
	screen_has cli-exited-
	for _ in $(seq 50); do
		[ -z "$(state "$n")" ] && break
		sleep 0.1
	done
	[ -z "$(state "$n")" ]
	run vessel volume inspect "$vol"
	[ "$status" -ne 0 ]
}

@test "exec -it in tmux: a prompt, typed commands answer, exit 3 is the CLI's 3; the container runs on" {
	name n
	vessel run -d --name "$n" --cgroup-parent "$CG_PARENT" vt-tty:1 sleep 1000 >/dev/null
	term "$VESSEL exec -it $n sh"
	screen_has "/ #"
	type 'tty; stty size; echo $TERM-$((6*7))' Enter
	screen_has xterm-42
	screen_has "/dev/pts/"
	screen_has "30 100"
	type 'exit 3' Enter
	screen_has cli-exited-3
	[ "$(state "$n")" = running ]
}

# alive_in NAME FILE: the process of container NAME whose pid FILE holds is alive (not a
# zombie: once its exec's CLI is gone its parent is the CLI's subreaper, which may never reap).
alive_in()
{
	vessel exec "$1" sh -c "awk '/^State:/ { exit \$2 == \"Z\" }' /proc/\$(cat $2)/status"
}

# keepers MARK: the pids of the exec terminals' keepers started with VT_MARK=MARK.
keepers()
{
	local d comm
	for d in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$d/comm" || continue
		[ "$comm" = vessel-exec-tty ] || continue
		tr '\0' '\n' <"$d/environ" 2>/dev/null | grep -qx "VT_MARK=$1" && echo "${d#/proc/}"
	done
	return 0
}

@test "exec -it: ctrl-p ctrl-q and --detach-keys leave the exec'd shell running; a partial sequence is typed through" {
	name n
	vessel run -d --name "$n" --cgroup-parent "$CG_PARENT" vt-tty:1 sleep 1000 >/dev/null
	term "VT_MARK=$n $VESSEL exec -it $n sh"
	screen_has "/ #"
	type 'echo $$ >/tmp/one; echo saved-one' Enter
	screen_has saved-one
	type C-p C-q
	screen_has cli-exited-0
	screen_has "read escape sequence"
	alive_in "$n" /tmp/one
	# a custom sequence; "x" alone (not followed by "y") reaches the shell
	term "VT_MARK=$n $VESSEL exec -it --detach-keys x,y $n sh"
	screen_has "/ #"
	type 'echo $$ >/tmp/two; echo sa' x 'ed-two' Enter
	screen_has saxed-two
	type x y
	screen_has cli-exited-0
	alive_in "$n" /tmp/two
	# two keepers hold the terminals (see exec_tty.c); they go when the shells go
	[ "$(keepers "$n" | wc -l)" -eq 2 ]
	vessel exec "$n" sh -c 'kill -9 $(cat /tmp/one) $(cat /tmp/two)'
	run alive_in "$n" /tmp/one
	[ "$status" -ne 0 ]
	run alive_in "$n" /tmp/two
	[ "$status" -ne 0 ]
	for _ in $(seq 50); do
		[ -z "$(keepers "$n")" ] && break
		sleep 0.1
	done
	[ -z "$(keepers "$n")" ]
}

@test "bad detach keys: one line naming them, nothing started" {
	name n
	vessel run -d --name "$n" --cgroup-parent "$CG_PARENT" vt-tty:1 sleep 1000 >/dev/null
	assert_bad_inputs \
		"exec -it --detach-keys ctrl-1 $n sh|Invalid detach keys (ctrl-1) provided" \
		"exec --detach-keys , $n true|Invalid detach keys (,) provided" \
		"attach --detach-keys ctrl-pp $n|Invalid detach keys (ctrl-pp) provided" \
		"run --rm --detach-keys ctrl-zz vt-tty:1 true|Invalid detach keys (ctrl-zz) provided"
	run vessel exec "$n" ps -o comm
	[[ $output == *sleep* ]]
	! grep -qx sh <<<"$output"
	# the bad run made no container: only the sleeper is listed
	[ "$(vessel ps -aq | wc -l)" -eq 1 ]
}
