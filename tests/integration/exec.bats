#!/usr/bin/env bats
# exec: a new process in a running container, in every namespace and the cgroup of its init,
# with the flags runc has; and exec's bad inputs, which leave the container unharmed.
# shellcheck disable=SC2016 # shell lines and jq programs are meant for the container / jq

load helpers

setup_file()
{
	suite_setup
}

setup()
{
	setup_bundle
	set_sh 'sleep 1000'
	create_ctr
	vr start "$CID"
	wait_status "$CID" running
}

teardown()
{
	cleanup_test
}

@test "exec joins every namespace of the init and its cgroup" {
	local init ns
	init=$(state_field "$CID" pid)
	run vr exec "$CID" sh -c 'for n in pid mnt uts ipc net cgroup; do readlink /proc/self/ns/$n; done; cat /proc/self/cgroup'
	local i=0
	for ns in pid mnt uts ipc net cgroup; do
		[[ ${lines[i]} == "$(readlink "/proc/$init/ns/$ns")" ]] || fail "$ns differs: ${lines[i]}"
		i=$((i + 1))
	done
	# in its cgroup namespace, at the root of every hierarchy, like the init
	[[ $output == *":/"* && $output != *":/vt-"* ]] || fail "cgroup: $output"
}

@test "exec returns the process's exit status" {
	run vr exec "$CID" sh -c 'exit 7'
	assert_status 7
}

@test "exec --env, --cwd and --user apply; env from the config is kept" {
	run vr exec --env FOO=bar -e BAZ=qux --cwd /tmp --user 1000:1000 "$CID" sh -c 'echo $FOO $BAZ; pwd; id -u; id -g; echo $PATH'
	assert_output_is $'bar qux\n/tmp\n1000\n1000\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
}

@test "exec --process FILE runs that process" {
	jq -n '{args: ["sh", "-c", "echo from-process-json; id -u"], cwd: "/", user: {uid: 42, gid: 42},
		env: ["PATH=/bin"]}' >"$BATS_TEST_TMPDIR/p.json"
	run vr exec --process "$BATS_TEST_TMPDIR/p.json" "$CID"
	assert_output_is $'from-process-json\n42'
}

@test "exec --detach --pid-file: the process runs after exec returns, its pid in the file" {
	vr exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" sleep 100
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[[ $pid =~ ^[0-9]+$ ]] || fail "pid file: $pid"
	[[ $(cat "/proc/$pid/comm") == sleep ]] || fail "process $pid is not sleep"
	run vr ps --format json "$CID"
	[[ $output == *"$pid"* ]] || fail "ps does not list $pid: $output"
}

@test "exec keeps the container's capabilities and seccomp; --cap adds one" {
	run vr exec "$CID" sh -c 'grep CapEff /proc/self/status'
	assert_output_is "CapEff:	0000000020000420"
	run vr exec --cap CAP_CHOWN "$CID" sh -c 'grep CapEff /proc/self/status'
	assert_output_is "CapEff:	0000000020000421"
}

@test "exec --preserve-fds passes fd 3" {
	echo through-fd-3 >"$BATS_TEST_TMPDIR/fd3"
	run --separate-stderr timeout -k 5 "$VR_TIMEOUT" "$VR" --root "$STATE_ROOT" exec --preserve-fds 1 "$CID" \
		sh -c 'cat <&3; [ -e /proc/self/fd/4 ] && echo has4 || echo no4' 3<"$BATS_TEST_TMPDIR/fd3" 4<"$BATS_TEST_TMPDIR/fd3"
	assert_output_is $'through-fd-3\nno4'
}

@test "exec into a stopped container: one line, non-zero" {
	vr kill "$CID" KILL
	wait_status "$CID" stopped
	vr_bg exec "$CID" true
	assert_one_error "container not running"
}

@test "exec into a paused container is refused and the container is unharmed" {
	vr pause "$CID"
	vr_bg exec "$CID" true
	assert_one_error "paused"
	vr resume "$CID"
	[[ $(state_field "$CID" status) == running ]] || fail "container not running after resume"
}

@test "exec into a missing container" {
	vr_bg exec no-such-container-vessel true
	assert_one_error "does not exist"
}

@test "exec with a malformed process.json names it" {
	echo '{"args": "not-an-array", "cwd": "/"}' >"$BATS_TEST_TMPDIR/bad.json"
	vr_bg exec --process "$BATS_TEST_TMPDIR/bad.json" "$CID"
	assert_one_error "bad.json|args"
	[[ $(state_field "$CID" status) == running ]] || fail "container harmed"
}

@test "exec of a missing executable" {
	vr_bg exec "$CID" no-such-binary
	assert_one_error "executable file not found"
	[[ $(state_field "$CID" status) == running ]] || fail "container harmed"
}

@test "exec -t with a console socket path that does not exist" {
	vr_bg exec -t --console-socket "$BATS_TEST_TMPDIR/nope.sock" "$CID" true
	assert_one_error "nope.sock"
}

@test "exec -t with a console socket that is not a socket" {
	touch "$BATS_TEST_TMPDIR/file"
	vr_bg exec -t --console-socket "$BATS_TEST_TMPDIR/file" "$CID" true
	assert_one_error "not a socket"
}

@test "exec --pid-file replaces the file by rename: never read half written, symlinks not followed" {
	# conmon and the shim read the pid file as soon as exec returns: it appears whole, as runc's.
	echo "999999999 stale and longer" >"$BATS_TEST_TMPDIR/pid"
	local before
	before=$(stat -c %i "$BATS_TEST_TMPDIR/pid")
	echo keep >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/link"
	vr exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" sleep 100
	vr exec --detach --pid-file="$BATS_TEST_TMPDIR/link" "$CID" sleep 100
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[[ $pid =~ ^[1-9][0-9]*$ ]] || fail "pid file: '$pid'"
	[[ $(stat -c %i "$BATS_TEST_TMPDIR/pid") != "$before" ]] || fail "the pid file was rewritten in place"
	[[ $(cat "$BATS_TEST_TMPDIR/target") == keep && ! -L $BATS_TEST_TMPDIR/link ]] ||
		fail "the pid file's symlink was followed"
	[[ -z $(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name '.*tmp*') ]] || fail "temporary files left"
}

# cg_dirs_of ID: the container's cgroup directories, one per hierarchy, as its state records them.
cg_dirs_of()
{
	jq -r '.["vessel.cgroupDirs"][]' "$STATE_ROOT/$1/state.json"
}

@test "exec --cgroup SUB joins a sub-cgroup in every hierarchy; CONTROLLER:SUB in that one only" {
	local d
	for d in $(cg_dirs_of "$CID"); do
		mkdir "$d/sub"
		# a new v1 cpuset has no cpus or mems: no task may join until it inherits them
		if [[ -e $d/sub/cpuset.cpus && -z $(cat "$d/sub/cpuset.cpus") ]]; then
			cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
		fi
	done
	run --separate-stderr vr exec --cgroup sub "$CID" cat /proc/self/cgroup
	assert_status 0
	[[ $(grep -c ':/sub$' <<<"$output") -eq $(grep -c . <<<"$output") ]] || fail "not all in /sub: $output"
	run --separate-stderr vr exec --cgroup memory:sub "$CID" cat /proc/self/cgroup
	assert_status 0
	[[ $(grep ':memory:' <<<"$output") == *":/sub" ]] || fail "memory: $output"
	[[ $(grep ':pids:' <<<"$output") == *":/" ]] || fail "pids moved too: $output"
}

@test "exec --cgroup of a sub-cgroup that does not exist, and --apparmor on a host without AppArmor" {
	vr_bg exec --cgroup nosuch "$CID" true
	assert_one_error "--cgroup nosuch"
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] && skip "AppArmor is enabled here"
	vr_bg exec --apparmor some-profile "$CID" true
	assert_one_error "apparmorProfile"
	[[ $(state_field "$CID" status) == running ]] || fail "container harmed"
}
