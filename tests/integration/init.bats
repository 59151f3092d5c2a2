#!/usr/bin/env bats
# vessel-init: the minimal init of `vessel run --init` (tini's job), bind-mounted into the
# container at /sbin/vessel-init and run as its pid 1: it reaps zombies, forwards signals and
# exits with its child's status.
# shellcheck disable=SC2016 # shell lines are meant for the container

load helpers

setup_file()
{
	suite_setup
	export INIT=$VESSEL_BUILD/cmd/vessel-init/vessel-init
	# The bind mount's target, made once here: no test writes into the shared rootfs.
	touch "$ROOTFS/sbin/vessel-init"
}

setup()
{
	setup_bundle
	[[ -x $INIT ]] || fail "vessel-init is not built: $INIT"
	set_cfg --arg s "$INIT" \
		'.mounts += [{destination: "/sbin/vessel-init", type: "bind", source: $s, options: ["bind", "ro"]}]'
}

teardown()
{
	cleanup_test
}

# with_init [INIT OPTIONS...] -- LINE: process.args = vessel-init OPTIONS -- /bin/sh -c LINE.
with_init()
{
	local opts=()
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	local args
	args=$(printf '%s\n' /sbin/vessel-init "${opts[@]}" -- /bin/sh -c | jq -R . | jq -s .)
	set_cfg --argjson a "$args" --arg s "$2" '.process.args = $a + [$s]'
}

# Orphans that exit are reparented to pid 1; a counter started before pid 1 becomes `sleep`
# (which reaps nothing) reports the zombies it sees in /proc once they have exited.
ZOMBIES='(sleep 0.1 &); (sleep 0.1 &); (sleep 0.1 &)
(sleep 0.7; n=0; for f in /proc/[0-9]*/stat; do read -r l <"$f" || continue; case ${l##*) } in Z*) n=$((n+1));; esac; done; echo zombies=$n) &
exec sleep 1.2'

@test "init: without it, orphans stay zombies under a pid 1 that does not reap" {
	set_sh "$ZOMBIES"
	run_ctr
	assert_status 0
	assert_output_is zombies=3
	assert_clean "$CID"
}

@test "init: vessel-init as pid 1 reaps them" {
	with_init -- "$ZOMBIES"
	run_ctr
	assert_status 0
	assert_output_is zombies=0
	assert_clean "$CID"
}

@test "init: a SIGTERM to pid 1 reaches the child, whose exit status is the container's" {
	with_init -- 'trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.1; done'
	vr run --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local run_pid=$!
	track_pid $run_pid
	wait_file "$BATS_TEST_TMPDIR/out" 10
	[[ $(state_field "$CID" pid) =~ ^[0-9]+$ ]]
	vr kill "$CID" TERM
	local status=0
	wait $run_pid || status=$?
	[[ $status == 5 ]] || fail "container exit status $status, wanted 5; $(cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err")"
	[[ $(cat "$BATS_TEST_TMPDIR/out") == $'ready\ngot-term' ]] || fail "output: $(cat "$BATS_TEST_TMPDIR/out")"
	assert_clean "$CID"
}

@test "init: -g forwards to the child's process group" {
	# The child ignores TERM; its subshell (same group) traps it: only a group signal reaches it.
	with_init -g -- 'trap "" TERM; (trap "echo group-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done); exit $?'
	vr run --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local run_pid=$!
	track_pid $run_pid
	wait_file "$BATS_TEST_TMPDIR/out" 10
	vr kill "$CID" TERM
	local status=0
	wait $run_pid || status=$?
	[[ $status == 7 ]] || fail "container exit status $status, wanted 7; $(cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err")"
	[[ $(cat "$BATS_TEST_TMPDIR/out") == $'ready\ngroup-term' ]] || fail "output: $(cat "$BATS_TEST_TMPDIR/out")"
	assert_clean "$CID"
}

@test "init: the child's exit code propagates" {
	with_init -- 'echo "pid=$$ ppid=$PPID"; exit 42'
	run_ctr
	assert_status 42
	# the child is pid 2 (vessel-init is 1), in its own process group
	assert_output_is 'pid=2 ppid=1'
	assert_clean "$CID"
}

@test "init: death by a signal gives 128+N" {
	with_init -- 'kill -KILL $$'
	run_ctr
	assert_status 137
	with_init -- 'kill -TERM $$'
	run_ctr
	assert_status 143
	assert_clean "$CID"
}

@test "init: a missing command exits 127, no command is a usage error" {
	set_cfg '.process.args = ["/sbin/vessel-init", "--", "/no/such/cmd"]'
	run -127 --separate-stderr vr run --bundle "$BUNDLE" "$CID"
	[[ $stderr == *"vessel-init: cannot run /no/such/cmd"* ]] || fail "stderr: $stderr"
	run --separate-stderr "$INIT"
	assert_status 2
	[[ $stderr == *"no command given"* ]] || fail "stderr: $stderr"
}

@test "init: -s makes it a subreaper when it is not pid 1" {
	# On the host (not pid 1): an orphan of the child is reparented to vessel-init and reaped.
	run --separate-stderr timeout 10 "$INIT" -s -- sh -c \
		'(sleep 0.2 & echo $! >"$1"); sleep 0.5; st=$(cat /proc/$(cat "$1")/stat 2>/dev/null); echo "${st##*) }" | cut -c1' \
		sh "$BATS_TEST_TMPDIR/orphan" 3>&-
	assert_status 0
	# gone (reaped by vessel-init: empty) rather than a zombie (Z) of pid 1
	[[ -z $output ]] || fail "the orphan is in state '$output'"
}
