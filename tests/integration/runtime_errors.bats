#!/usr/bin/env bats
# Bad input to vessel-runtime: each case must exit non-zero, print exactly one line on stderr
# ("vessel-runtime: ..."), name the field or file at fault, and leave nothing behind (no state
# dir, no mount of the bundle, no cgroup named for the id, no process).
# shellcheck disable=SC2016 # jq programs use $variables in single quotes on purpose

load helpers

setup_file()
{
	suite_setup
}

setup()
{
	setup_bundle
}

teardown()
{
	cleanup_test
}

# create_fails NEEDLES: `create` of $BUNDLE as $CID fails with one stderr line naming one of
# NEEDLES ("a|b"), and nothing is left behind.
create_fails()
{
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "$1"
	assert_clean "$CID"
}

# --- the bundle and config.json -------------------------------------------------------------

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	create_fails "config.json"
}

@test "config.json is not JSON" {
	echo '{ "ociVersion": "1.2.0", process: ' >"$BUNDLE/config.json"
	create_fails "config.json"
}

@test "process.args of the wrong type (a string)" {
	set_cfg '.process.args = "sh"'
	create_fails "process.args"
}

@test "process.args empty" {
	set_cfg '.process.args = []'
	create_fails "process.args"
}

@test "unknown namespace type" {
	set_cfg '.linux.namespaces += [{type: "pidd"}]'
	create_fails "pidd"
}

@test "relative mount destination" {
	set_cfg '.mounts += [{destination: "relative/dir", type: "tmpfs", source: "tmpfs"}]'
	create_fails "relative/dir"
}

@test "missing rootfs directory" {
	set_cfg --arg r "$BATS_TEST_TMPDIR/no-such-rootfs" '.root.path = $r'
	create_fails "no-such-rootfs"
}

@test "missing process.cwd" {
	set_cfg 'del(.process.cwd)'
	create_fails "cwd"
}

@test "relative process.cwd" {
	set_cfg '.process.cwd = "etc"'
	create_fails "cwd"
}

@test "unknown rlimit type" {
	set_cfg '.process.rlimits = [{type: "RLIMIT_BOGUS", hard: 10, soft: 10}]'
	create_fails "RLIMIT_BOGUS"
}

@test "an rlimit above the hard limit (no CAP_SYS_RESOURCE on this host)" {
	local hard
	hard=$(ulimit -Hn)
	if [[ $hard == unlimited ]] || ((hard >= 10000000)); then
		skip "the hard RLIMIT_NOFILE here ($hard) allows 10000000"
	fi
	set_cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 10000000, soft: 1024}]'
	create_fails "RLIMIT_NOFILE"
}

@test "bad device type" {
	set_cfg '.linux.devices = [{path: "/dev/bogus", type: "q", major: 1, minor: 3}]'
	create_fails "/dev/bogus|devices"
}

@test "uidMappings without a user namespace" {
	set_cfg '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	create_fails "uidMappings|user namespace"
}

@test "namespace path that is not a namespace" {
	local f=$BATS_TEST_TMPDIR/somefile
	: >"$f"
	set_cfg --arg p "$f" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	create_fails "somefile|network"
}

@test "namespace path of the wrong type (uts given as network)" {
	set_cfg '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/uts" else . end)'
	create_fails "/proc/self/ns/uts|network"
}

@test "process.args[0] not found in the rootfs" {
	set_cfg '.process.args = ["no-such-binary", "x"]'
	create_fails "executable file not found"
}

@test "process.args[0] not found: run fails the same way" {
	set_cfg '.process.args = ["no-such-binary"]'
	vr_bg run --bundle "$BUNDLE" "$CID"
	assert_one_error "executable file not found"
	assert_clean "$CID"
}

@test "bind mount of a missing source" {
	add_bind "$BATS_TEST_TMPDIR/no-such-source" /mnt/share
	create_fails "no-such-source"
}

# --- ids ------------------------------------------------------------------------------------

@test "hostile id ../x" {
	vr_bg create --bundle "$BUNDLE" "../x"
	assert_one_error "id|../x"
	[[ ! -e $BATS_TEST_TMPDIR/x && ! -e $STATE_ROOT/../x ]] || fail "state written outside the root"
	assert_clean "../x"
	assert_clean "x"
}

@test "hostile id a/b" {
	vr_bg create --bundle "$BUNDLE" "a/b"
	assert_one_error "id|a/b"
	[[ ! -e $STATE_ROOT/a ]] || fail "state dir $STATE_ROOT/a made"
	assert_clean "a/b"
}

@test "empty id" {
	vr_bg create --bundle "$BUNDLE" ""
	assert_one_error "id"
	[[ -z $(ls -A "$STATE_ROOT" 2>/dev/null) ]] || fail "state written: $(ls -A "$STATE_ROOT")"
}

@test "duplicate id: the second create fails, the first is intact" {
	set_cfg '.process.args = ["sleep", "1000"]'
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "$CID|exists"
	run vr state "$CID"
	assert_status 0
	[[ $(jq -r .status <<<"$output") == created && $(jq -r .pid <<<"$output") == "$pid" ]] ||
		fail "first container changed: $output"
	[[ -d /proc/$pid ]] || fail "first init $pid is gone"
	run vr start "$CID"
	assert_status 0
	wait_status "$CID" running
}

# --- commands on the wrong state ------------------------------------------------------------

@test "start of a missing container" {
	vr_bg start "no-such-$CID"
	assert_one_error "does not exist"
	assert_clean "no-such-$CID"
}

@test "state of a missing container exits 1" {
	vr_bg state "no-such-$CID"
	assert_status 1
	assert_one_error "does not exist"
}

@test "kill of a missing container" {
	vr_bg kill "no-such-$CID" KILL
	assert_one_error "does not exist"
}

@test "delete of a missing container without --force" {
	vr_bg delete "no-such-$CID"
	assert_one_error "does not exist"
}

@test "delete of a running container without --force" {
	set_cfg '.process.args = ["sleep", "1000"]'
	create_ctr
	run vr start "$CID"
	assert_status 0
	wait_status "$CID" running
	vr_bg delete "$CID"
	assert_one_error "running"
	[[ $(state_field "$CID" status) == running ]] || fail "the container did not survive"
}

@test "kill of a stopped container" {
	set_cfg '.process.args = ["true"]'
	create_ctr
	run vr start "$CID"
	assert_status 0
	wait_status "$CID" stopped
	vr_bg kill "$CID" KILL
	assert_one_error "container not running"
}

@test "start of a stopped container" {
	set_cfg '.process.args = ["true"]'
	create_ctr
	run vr start "$CID"
	assert_status 0
	wait_status "$CID" stopped
	vr_bg start "$CID"
	assert_one_error "stopped|not created|cannot start"
}

@test "kill with an unknown signal" {
	set_cfg '.process.args = ["sleep", "1000"]'
	create_ctr
	vr_bg kill "$CID" SIGBOGUS
	assert_one_error "SIGBOGUS|BOGUS|signal"
	[[ $(state_field "$CID" status) == created ]] || fail "the container changed"
}

# --- the command line -----------------------------------------------------------------------

@test "unknown command" {
	vr_bg frobnicate "$CID"
	assert_one_error "frobnicate"
}

@test "unknown flag" {
	vr_bg create --frobnicate --bundle "$BUNDLE" "$CID"
	assert_one_error "frobnicate"
	assert_clean "$CID"
}

@test "missing id argument" {
	vr_bg start
	assert_one_error "id|argument|usage"
}

@test "spec into a dir that already has config.json" {
	local before
	before=$(cat "$BUNDLE/config.json")
	vr_bg spec --bundle "$BUNDLE"
	assert_one_error "config.json"
	[[ $(cat "$BUNDLE/config.json") == "$before" ]] || fail "config.json was overwritten"
}

@test "--log FILE --log-format json appends one JSON error line" {
	local log=$BATS_TEST_TMPDIR/log.json
	echo '{"level":"info","msg":"earlier","time":"2020-01-01T00:00:00Z"}' >"$log"
	status=0
	timeout -k 5 "$VR_TIMEOUT" "$VR" --root "$STATE_ROOT" --log "$log" --log-format json state "no-such-$CID" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- || status=$?
	# shellcheck disable=SC2034 # read by assert_one_error
	mapfile -t stderr_lines <"$BATS_TEST_TMPDIR/err"
	assert_one_error "does not exist"
	[[ $(wc -l <"$log") -eq 2 ]] || fail "log has $(wc -l <"$log") lines: $(cat "$log")"
	tail -n 1 "$log" | jq -e '.level == "error" and (.msg | contains("does not exist"))
		and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"))' \
		>/dev/null || fail "last log line: $(tail -n 1 "$log")"
}

@test "hostile id ../x on start, kill, delete, state, pause: refused, nothing outside the root touched" {
	local cmd
	for cmd in start kill delete state pause; do
		vr_bg "$cmd" ../x
		assert_one_error "invalid container id"
	done
}
