#!/usr/bin/env bats
# Crash consistency of the engine's store: the CLI killed with -9 at any point of `run`, the
# container's process killed with -9, twenty runs at once, two runs racing for one name. After
# each, the next command finds a consistent store (SQLite's integrity_check), and removing what
# is listed leaves no record, directory, mount, runtime state or cgroup behind.
# The containers use --network none: this file is about the store, not the network.

load helpers

VESSEL=$VESSEL_BUILD/cmd/vessel/vessel

setup_file()
{
	suite_setup
	export VESSEL_ROOT=$BATS_FILE_TMPDIR/store VESSEL_RUNROOT=$BATS_FILE_TMPDIR/run
	tar --numeric-owner -C "$ROOTFS" -c . | "$VESSEL" import -c 'CMD ["/bin/sh"]' - vt-crash:1 >/dev/null
}

teardown_file()
{
	remove_all
	rmdir /sys/fs/cgroup/*/vessel /sys/fs/cgroup/unified/vessel 2>/dev/null || true
	stop_procfs_daemon
}

teardown()
{
	remove_all
}

vessel()
{
	timeout 60 "$VESSEL" "$@" 3>&-
}

remove_all()
{
	local id
	for id in $("$VESSEL" ps -aq --no-trunc 2>/dev/null); do
		timeout 30 "$VESSEL" rm -f "$id" >/dev/null 2>&1 || true
	done
}

# assert_store_ok: SQLite finds the database sound.
assert_store_ok()
{
	run sqlite3 "$VESSEL_ROOT/vessel.db" 'PRAGMA integrity_check;'
	[ "$status" -eq 0 ]
	[ "$output" = "ok" ]
}

# remove_all_ids: remove every container, keeping their IDs in IDS (for assert_nothing_left).
remove_all_ids()
{
	mapfile -t IDS < <("$VESSEL" ps -aq --no-trunc 2>/dev/null)
	remove_all
}

# assert_nothing_left: no container record, directory, mount or runtime state, and no cgroup of
# the containers in IDS (other files' containers share the engine's parent cgroup).
assert_nothing_left()
{
	local id
	for id in "${IDS[@]}"; do
		[ -z "$(find /sys/fs/cgroup/*/vessel /sys/fs/cgroup/unified/vessel -maxdepth 1 -name "$id" 2>/dev/null)" ] ||
			fail "cgroups left for $id"
	done
	[ -z "$(vessel ps -aq)" ]
	[ -z "$(ls -A "$VESSEL_ROOT/containers" 2>/dev/null)" ]
	[ -z "$(ls -A "$VESSEL_RUNROOT/containers" 2>/dev/null)" ]
	[ -z "$(find "$VESSEL_RUNROOT/runtime" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null)" ]
	! grep -q "$VESSEL_ROOT/containers" /proc/self/mountinfo
}

@test "kill -9 of the CLI at any point of run -d: the next commands list, remove, and nothing leaks" {
	local delay pid
	for delay in 0 0.005 0.01 0.02 0.04 0.06 0.08 0.12 0.16 0.25; do
		"$VESSEL" run -d --network none --name "vt-crash-$delay" vt-crash:1 sleep 30 \
			</dev/null >/dev/null 2>&1 3>&- &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# every container the CLI got as far as recording is listed, in a state docker knows
	run vessel ps -a --format '{{.Names}} {{.State}}'
	[ "$status" -eq 0 ]
	local line
	for line in "${lines[@]}"; do
		[[ $line =~ ^vt-crash-[0-9.]+\ (created|running|exited)$ ]] || fail "unexpected row: $line"
	done
	assert_store_ok
	remove_all_ids
	assert_nothing_left
	assert_store_ok
}

@test "kill -9 of the container's process: recorded as exited with 137" {
	vessel run -d --network none --name vt-crash-victim vt-crash:1 sleep 100
	id=$(vessel ps -q --no-trunc)
	pid=$("$VR" --root "$VESSEL_RUNROOT/runtime" state "$id" | jq -r .pid)
	kill -9 "$pid"
	run vessel wait vt-crash-victim
	[ "$status" -eq 0 ]
	[ "$output" = "137" ]
	run vessel ps -a --format '{{.Status}}'
	[[ $output == "Exited (137) "* ]]
	IDS=("$id")
	vessel rm vt-crash-victim
	assert_nothing_left
}

@test "twenty runs at once: all succeed, distinct records, a sound store" {
	local i pids=()
	for i in $(seq 20); do
		"$VESSEL" run -d --network none --name "vt-par-$i" vt-crash:1 sh -c "echo $i; sleep 30" \
			</dev/null >"$BATS_TEST_TMPDIR/out.$i" 2>&1 3>&- &
		pids+=($!)
	done
	local failed=0
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { failed=1; echo "run $((i + 1)): $(cat "$BATS_TEST_TMPDIR/out.$((i + 1))")"; }
	done
	((failed == 0))
	[ "$(vessel ps -q | wc -l)" -eq 20 ]
	[ "$(vessel ps --format '{{.Names}}' | sort -u | wc -l)" -eq 20 ]
	assert_store_ok
	# and twenty removals at once
	mapfile -t IDS < <(vessel ps -aq --no-trunc)
	pids=()
	for i in $(seq 20); do
		"$VESSEL" rm -f "vt-par-$i" </dev/null >/dev/null 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
	done
	assert_nothing_left
	assert_store_ok
}

@test "twenty run --rm at once in the foreground: every exit code right, nothing left" {
	local i pids=()
	IDS=()
	for i in $(seq 20); do
		# the hostname is the short ID: the cgroup names start with it
		"$VESSEL" run --rm --network none vt-crash:1 sh -c "hostname; exit $i" </dev/null \
			>"$BATS_TEST_TMPDIR/host.$i" 2>&1 3>&- &
		pids+=($!)
	done
	local rc
	for i in "${!pids[@]}"; do
		rc=0
		wait "${pids[$i]}" || rc=$?
		[ "$rc" -eq $((i + 1)) ] || fail "run $((i + 1)) exited $rc"
		IDS+=("$(cat "$BATS_TEST_TMPDIR/host.$((i + 1))")*")
	done
	assert_nothing_left
	assert_store_ok
}

@test "two runs racing for one name: exactly one wins, the other is a clear conflict" {
	local a b rca=0 rcb=0
	"$VESSEL" run -d --network none --name vt-race vt-crash:1 sleep 30 </dev/null \
		>"$BATS_TEST_TMPDIR/a" 2>&1 3>&- &
	a=$!
	"$VESSEL" run -d --network none --name vt-race vt-crash:1 sleep 30 </dev/null \
		>"$BATS_TEST_TMPDIR/b" 2>&1 3>&- &
	b=$!
	wait "$a" || rca=$?
	wait "$b" || rcb=$?
	if ((rca == 0)); then loser=$BATS_TEST_TMPDIR/b rc=$rcb; else loser=$BATS_TEST_TMPDIR/a rc=$rca; fi
	(((rca == 0) != (rcb == 0))) || fail "both exited $rca and $rcb"
	[ "$rc" -eq 125 ]
	[[ $(cat "$loser") == "vessel: Conflict. The container name \"/vt-race\" is already in use"* ]]
	[ "$(vessel ps -a --format '{{.Names}}')" = "vt-race" ]
	assert_store_ok
}

@test "kill -9 of a foreground run --rm while its container runs: the monitor removes it" {
	"$VESSEL" run --rm --network none --name vt-crash-fg vt-crash:1 sh -c 'sleep 1; exit 7' \
		</dev/null >/dev/null 2>&1 3>&- &
	local cli=$! i id=""
	for i in $(seq 100); do
		id=$("$VESSEL" ps -q --no-trunc --filter name=vt-crash-fg 2>/dev/null) && [ -n "$id" ] && break
		sleep 0.05
	done
	[ -n "$id" ] || fail "the container never ran"
	kill -9 "$cli"
	wait "$cli" 2>/dev/null || true
	# the engine is gone before the exit: the monitor's exit command takes the removal over
	for i in $(seq 100); do
		[ -z "$("$VESSEL" ps -aq --filter name=vt-crash-fg)" ] && break
		sleep 0.1
	done
	IDS=("$id")
	assert_nothing_left
	assert_store_ok
}

@test "create --rm, then start: removed once it exits, as docker does" {
	vessel create --rm --network none --name vt-crash-cr vt-crash:1 true
	id=$(vessel ps -aq --no-trunc --filter name=vt-crash-cr)
	vessel start vt-crash-cr
	local i
	for i in $(seq 100); do
		[ -z "$("$VESSEL" ps -aq --filter name=vt-crash-cr)" ] && break
		sleep 0.1
	done
	IDS=("$id")
	assert_nothing_left
}

@test "a --rm container's overlay is volatile (no sync of the host at its unmount); others are not" {
	run vessel run --rm --network none vt-crash:1 sh -c 'grep " / / " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ $output == *volatile* ]]
	run vessel run --network none --name vt-crash-keep vt-crash:1 sh -c 'grep " / / " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ $output == *overlay* && $output != *volatile* ]]
}
