#!/usr/bin/env bats
# Acceptance of vessel-runtime: what a container sees from inside (its stdout and exit status)
# and what the host sees, for each part of config.json and each command of runc's CLI.
# shellcheck disable=SC2016 # shell lines and jq programs are meant for the container / jq

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

# --- the process and its namespaces ---------------------------------------------------------

@test "the container's process is pid 1 of a new pid namespace" {
	set_sh 'echo $$'
	run_ctr
	assert_status 0
	assert_output_is 1
}

@test "namespaces pid mnt uts ipc net cgroup differ from the host's" {
	set_sh 'for n in pid mnt uts ipc net cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	run_ctr
	assert_status 0
	local n inside
	for n in pid mnt uts ipc net cgroup; do
		inside=$(grep "^$n " <<<"$output" | cut -d' ' -f2)
		[[ -n $inside ]] || fail "no $n namespace printed: $output"
		[[ $inside != "$(host_ns "$n")" ]] || fail "$n namespace is the host's: $inside"
	done
}

@test "a user namespace with mappings: own user ns, uid 0 inside is 100000 outside" {
	set_cfg '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	set_sh 'readlink /proc/self/ns/user; id -u; cat /proc/self/uid_map'
	run_ctr
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	[[ ${lines[0]} == user:* && ${lines[0]} != "$(host_ns user)" ]] || fail "user ns not new: ${lines[0]}"
	[[ ${lines[1]} == 0 ]] || fail "id -u inside: ${lines[1]}"
	read -r -a map <<<"${lines[2]}"
	[[ ${map[*]} == "0 100000 65536" ]] || fail "uid_map: ${lines[2]}"
}

@test "hostname and domainname come from the config" {
	set_cfg '.hostname = "box-1" | .domainname = "example.test"'
	set_sh 'hostname; cat /proc/sys/kernel/domainname'
	run_ctr
	assert_status 0
	assert_output_is $'box-1\nexample.test'
	[[ $(hostname) != box-1 ]] || fail "the host's hostname changed"
}

# --- mounts and rootfs ----------------------------------------------------------------------

@test "a bind mount of a host dir: a file written inside is seen on the host" {
	local share=$BATS_TEST_TMPDIR/share
	mkdir -p "$share"
	add_bind "$share" /mnt/share
	set_sh 'echo written-inside > /mnt/share/f && cat /mnt/share/f'
	run_ctr
	assert_status 0
	assert_output_is written-inside
	[[ $(cat "$share/f") == written-inside ]] || fail "host sees: $(cat "$share/f" 2>&1)"
}

@test "a read-only bind mount refuses a write" {
	local ro=$BATS_TEST_TMPDIR/ro
	mkdir -p "$ro"
	echo host >"$ro/existing"
	add_bind "$ro" /mnt/ro rbind ro
	set_sh 'cat /mnt/ro/existing; if touch /mnt/ro/new 2>/dev/null; then echo WROTE; else echo REFUSED; fi'
	run_ctr
	assert_status 0
	assert_output_is $'host\nREFUSED'
	[[ ! -e $ro/new ]] || fail "the file was written on the host"
}

@test "root.readonly refuses writes to /" {
	set_cfg '.root.readonly = true'
	set_sh 'if touch /newfile 2>/dev/null; then echo WROTE; else echo REFUSED; fi'
	run_ctr
	assert_status 0
	assert_output_is REFUSED
	[[ ! -e $ROOTFS/newfile ]] || fail "/newfile was written into the rootfs"
}

@test "root.readonly false with a tmpfs: writes succeed" {
	set_cfg '.root.readonly = false | .mounts += [{destination: "/mnt/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
	set_sh 'echo x > /mnt/tmp/f && cat /mnt/tmp/f && grep -q " /mnt/tmp tmpfs " /proc/mounts && echo TMPFS'
	run_ctr
	assert_status 0
	assert_output_is $'x\nTMPFS'
}

@test "default devices, /dev/fd links, /dev/pts/ptmx and /dev/shm exist" {
	set_sh 'for d in null zero full random urandom tty; do [ -c /dev/$d ] || echo "no char device /dev/$d"; done
		for l in fd stdin stdout stderr; do [ -L /dev/$l ] || echo "no link /dev/$l"; done
		[ -c /dev/pts/ptmx ] || echo "no /dev/pts/ptmx"
		[ -e /dev/ptmx ] || echo "no /dev/ptmx"
		[ -d /dev/shm ] || echo "no /dev/shm"
		[ "$(head -c 4 /dev/zero | wc -c)" = 4 ] || echo "cannot read /dev/zero"
		echo x > /dev/null || echo "cannot write /dev/null"
		echo done'
	run_ctr
	assert_status 0
	assert_output_is "done"
}

@test "a device from linux.devices is created (/dev/fuse c 10 229)" {
	set_cfg '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0}]'
	set_sh '[ -c /dev/fuse ] && stat -c "%t %T %a" /dev/fuse'
	run_ctr
	assert_status 0
	assert_output_is "a e5 666"
}

@test "the default /sys/fs/cgroup mount of runc's spec works" {
	set_cfg '.mounts += [{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}]'
	set_sh '[ -d /sys/fs/cgroup ] && ls /sys/fs/cgroup >/dev/null && echo ok'
	run_ctr
	assert_status 0
	assert_output_is ok
}

# --- the process ----------------------------------------------------------------------------

@test "process.user uid, gid and additionalGids" {
	set_cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [1001, 1002]}'
	set_sh 'id -u; id -g; id -G'
	run_ctr
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	[[ ${lines[0]} == 1000 && ${lines[1]} == 1000 ]] || fail "uid/gid: $output"
	local g
	for g in 1000 1001 1002; do
		[[ " ${lines[2]} " == *" $g "* ]] || fail "id -G lacks $g: ${lines[2]}"
	done
}

@test "process.cwd" {
	set_cfg '.process.cwd = "/etc"'
	set_sh 'pwd'
	run_ctr
	assert_status 0
	assert_output_is /etc
}

@test "process.env" {
	set_cfg '.process.env += ["FOO=bar baz"]'
	set_sh 'echo "$FOO"'
	run_ctr
	assert_status 0
	assert_output_is "bar baz"
}

@test "linux.sysctl in the container's net and ipc namespaces" {
	local host_fwd host_msgmax
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_msgmax=$(cat /proc/sys/kernel/msgmax)
	set_cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4321"}'
	set_sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax'
	run_ctr
	assert_status 0
	assert_output_is $'1\n4321'
	[[ $(cat /proc/sys/net/ipv4/ip_forward) == "$host_fwd" ]] || fail "host ip_forward changed"
	[[ $(cat /proc/sys/kernel/msgmax) == "$host_msgmax" ]] || fail "host msgmax changed"
}

@test "process.rlimits RLIMIT_NOFILE 1000/1000" {
	set_cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 1000, soft: 1000}]'
	set_sh 'ulimit -n; ulimit -Hn'
	run_ctr
	assert_status 0
	assert_output_is $'1000\n1000'
}

@test "process.oomScoreAdj" {
	set_cfg '.process.oomScoreAdj = 123'
	set_sh 'cat /proc/self/oom_score_adj'
	run_ctr
	assert_status 0
	assert_output_is 123
}

@test "joining an existing network namespace by path" {
	unshare -n sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	local holder=$!
	track_pid "$holder"
	local i holder_ns=""
	for ((i = 0; i < 100; i++)); do
		holder_ns=$(readlink "/proc/$holder/ns/net" 2>/dev/null || true)
		[[ -n $holder_ns && $holder_ns != "$(host_ns net)" ]] && break
		sleep 0.05
	done
	[[ $holder_ns != "$(host_ns net)" ]] || fail "the holder did not get its own net ns"
	set_cfg --arg p "/proc/$holder/ns/net" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	set_sh 'readlink /proc/self/ns/net'
	run_ctr
	assert_status 0
	assert_output_is "$holder_ns"
}

@test "a time namespace with timeOffsets.boottime shifts /proc/uptime" {
	if ! unshare --time true 2>/dev/null; then
		skip "CLONE_NEWTIME is not supported here (unshare --time fails)"
	fi
	local offset=31536000 host_up
	set_cfg --argjson s "$offset" '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {boottime: {secs: $s, nanosecs: 0}}'
	set_sh 'cut -d. -f1 /proc/uptime'
	host_up=$(cut -d. -f1 /proc/uptime)
	run_ctr
	assert_status 0
	((output >= host_up + offset - 5 && output <= host_up + offset + 60)) ||
		fail "uptime inside $output, host $host_up, offset $offset"
}

@test "--preserve-fds 1 passes fd 3 and closes the others" {
	set_sh '[ -e /proc/self/fd/3 ] && echo has3 || echo no3; [ -e /proc/self/fd/4 ] && echo has4 || echo no4'
	run --separate-stderr timeout -k 5 "$VR_TIMEOUT" "$VR" --root "$STATE_ROOT" run --preserve-fds 1 \
		--bundle "$BUNDLE" "$CID" 3<"$BUNDLE/config.json" 4<"$BUNDLE/config.json"
	assert_status 0
	assert_output_is $'has3\nno4'
}

@test "without --preserve-fds the container gets only fds 0 1 2" {
	set_sh 'ls /proc/self/fd | sort -n | tr "\n" " "'
	run --separate-stderr timeout -k 5 "$VR_TIMEOUT" "$VR" --root "$STATE_ROOT" run \
		--bundle "$BUNDLE" "$CID" 3<"$BUNDLE/config.json" 4<"$BUNDLE/config.json"
	assert_status 0
	# ls itself opens /proc/self/fd as fd 3
	[[ $output == "0 1 2 " || $output == "0 1 2 3 " ]] || fail "open fds: $output"
}

# --- lifecycle ------------------------------------------------------------------------------

@test "lifecycle: create, state created, start, running, kill, stopped, delete, gone" {
	set_cfg '.process.args = ["sleep", "1000"]'
	create_ctr
	[[ -z $stdout && -z $stderr ]] || fail "create printed: $output"
	run vr state "$CID"
	assert_status 0
	[[ $(jq -r .status <<<"$output") == created ]] || fail "state after create: $output"
	local pid
	pid=$(jq -r .pid <<<"$output")
	((pid > 0)) || fail "pid $pid"
	[[ -d /proc/$pid ]] || fail "pid $pid is not a host process"
	[[ $(readlink "/proc/$pid/ns/pid") != "$(host_ns pid)" ]] || fail "init is not in a new pid ns"

	run vr start "$CID"
	assert_status 0
	[[ -z $output ]] || fail "start printed: $output"
	wait_status "$CID" running
	local i cmd=""
	for ((i = 0; i < 100; i++)); do
		cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
		[[ $cmd == "sleep 1000 " ]] && break
		sleep 0.05
	done
	[[ $cmd == "sleep 1000 " ]] || fail "pid $pid runs '$cmd', not sleep"
	[[ $(state_field "$CID" pid) == "$pid" ]] || fail "pid changed"

	run vr kill "$CID" KILL
	assert_status 0
	wait_status "$CID" stopped
	run vr delete "$CID"
	assert_status 0
	run --separate-stderr vr state "$CID"
	assert_status 1
	[[ $stderr == *"does not exist"* ]] || fail "state of a deleted container: $stderr"
	assert_clean "$CID"
}

@test "state prints runc's JSON fields" {
	set_cfg '.process.args = ["sleep", "1000"] | .annotations = {"org.test.key": "value"}'
	create_ctr
	run vr state "$CID"
	assert_status 0
	jq -e --arg id "$CID" --arg b "$BUNDLE" --arg r "$ROOTFS" '
		.ociVersion != null and .id == $id and (.pid | type) == "number" and .pid > 0
		and .status == "created" and .bundle == $b and .rootfs == $r
		and (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"))
		and .owner != null' <<<"$output" >/dev/null || fail "state: $output"
	jq -e '.annotations["org.test.key"] == "value"' <<<"$output" >/dev/null || fail "annotations: $output"
}

@test "start releases the process: a created container runs only after start" {
	local share=$BATS_TEST_TMPDIR/share
	mkdir -p "$share"
	add_bind "$share" /mnt/share
	set_sh 'echo ran > /mnt/share/mark'
	create_ctr
	sleep 0.5
	[[ ! -e $share/mark ]] || fail "the process ran before start"
	run vr start "$CID"
	assert_status 0
	wait_file "$share/mark"
	wait_status "$CID" stopped
	run vr delete "$CID"
	assert_status 0
	assert_clean "$CID"
}

@test "run returns the container's exit status and deletes it" {
	set_sh 'exit 3'
	run_ctr
	assert_status 3
	run --separate-stderr vr state "$CID"
	[[ $status -ne 0 && $stderr == *"does not exist"* ]] || fail "after run: $status $output $stderr"
	assert_clean "$CID"
}

@test "run of a container killed by SIGKILL exits 137" {
	set_cfg '.process.args = ["sleep", "1000"]'
	vr run --bundle "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local runner=$!
	track_pid "$runner"
	wait_status "$CID" running
	run vr kill "$CID" 9
	assert_status 0
	local rc=0
	wait "$runner" || rc=$?
	[[ $rc -eq 137 ]] || fail "run exited $rc: $(cat "$BATS_TEST_TMPDIR/err")"
	assert_clean "$CID"
}

@test "run --detach leaves the container running" {
	set_cfg '.process.args = ["sleep", "1000"]'
	vr_bg run --detach --bundle "$BUNDLE" "$CID"
	assert_status 0
	track_init "$CID"
	wait_status "$CID" running
	run vr delete --force "$CID"
	assert_status 0
	assert_clean "$CID"
}

@test "kill delivers the signal: a USR1 trap runs and the container stops" {
	local share=$BATS_TEST_TMPDIR/share
	mkdir -p "$share"
	add_bind "$share" /mnt/share
	set_sh 'trap "echo got-usr1 > /mnt/share/sig; exit 0" USR1; echo ready > /mnt/share/ready; while :; do sleep 0.1; done'
	create_ctr
	run vr start "$CID"
	assert_status 0
	wait_file "$share/ready"
	run vr kill "$CID" USR1
	assert_status 0
	wait_file "$share/sig"
	[[ $(cat "$share/sig") == got-usr1 ]] || fail "sig: $(cat "$share/sig")"
	wait_status "$CID" stopped
}

@test "kill with no signal sends SIGTERM; names SIGTERM and numbers work too" {
	local share=$BATS_TEST_TMPDIR/share
	mkdir -p "$share"
	add_bind "$share" /mnt/share
	set_sh 'trap "echo term >> /mnt/share/sig" TERM; echo ready > /mnt/share/ready; while :; do sleep 0.1; done'
	create_ctr
	run vr start "$CID"
	assert_status 0
	wait_file "$share/ready"
	# one signal at a time: a second SIGTERM sent before the trap ran would merge with the first
	local n=0 sig i
	for sig in "" SIGTERM 15; do
		run vr kill "$CID" $sig
		assert_status 0
		n=$((n + 1))
		for ((i = 0; i < 100; i++)); do
			[[ -f $share/sig && $(wc -l <"$share/sig") -ge $n ]] && break
			sleep 0.05
		done
		[[ -f $share/sig && $(wc -l <"$share/sig") -eq $n ]] || fail "kill ${sig:-(default)}: traps run: $(cat "$share/sig" 2>&1)"
	done
	run vr kill "$CID" KILL
	assert_status 0
	wait_status "$CID" stopped
}

@test "delete of a created container kills its init" {
	set_cfg '.process.args = ["sleep", "1000"]'
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	run vr delete "$CID"
	assert_status 0
	local i
	for ((i = 0; i < 100; i++)); do
		[[ ! -d /proc/$pid || $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
		sleep 0.05
	done
	[[ ! -d /proc/$pid || $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) == Z ]] || fail "init $pid still runs"
	assert_clean "$CID"
}

@test "delete --force of a running container" {
	set_cfg '.process.args = ["sleep", "1000"]'
	create_ctr
	run vr start "$CID"
	assert_status 0
	wait_status "$CID" running
	run vr delete --force "$CID"
	assert_status 0
	assert_clean "$CID"
}

@test "delete --force of an unknown id exits 0" {
	run vr delete --force "no-such-$CID"
	assert_status 0
}

@test "create --pid-file writes the pid, decimal with no newline" {
	set_cfg '.process.args = ["sleep", "1000"]'
	vr_bg create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
	assert_status 0
	track_init "$CID"
	local content
	content=$(cat "$BATS_TEST_TMPDIR/pid")
	[[ $content =~ ^[0-9]+$ ]] || fail "pid file: '$content'"
	[[ $(wc -c <"$BATS_TEST_TMPDIR/pid") -eq ${#content} ]] || fail "pid file has trailing bytes"
	[[ $content == "$(state_field "$CID" pid)" ]] || fail "pid file $content, state $(state_field "$CID" pid)"
}

@test "list shows containers as a table, as JSON and with -q" {
	set_cfg '.process.args = ["sleep", "1000"]'
	local a=$CID b
	new_id b
	create_ctr "$a"
	create_ctr "$b"
	run vr list
	assert_status 0
	[[ ${lines[0]} == ID* ]] || fail "no header: ${lines[0]}"
	grep -E "^$a +[0-9]+ +created" <<<"$output" >/dev/null || fail "table lacks $a: $output"
	grep -E "^$b +[0-9]+ +created" <<<"$output" >/dev/null || fail "table lacks $b: $output"
	run vr list -q
	assert_status 0
	[[ $(sort <<<"$output") == "$(printf '%s\n' "$a" "$b" | sort)" ]] || fail "list -q: $output"
	run vr list --format json
	assert_status 0
	[[ $(jq -r '.[].id' <<<"$output" | sort) == "$(printf '%s\n' "$a" "$b" | sort)" ]] || fail "json: $output"
	jq -e 'all(.[]; .status == "created" and .pid > 0)' <<<"$output" >/dev/null || fail "json: $output"
	run vr list -f json
	assert_status 0
	[[ $(jq length <<<"$output") == 2 ]] || fail "list -f json: $output"
}

# --- other commands -------------------------------------------------------------------------

@test "spec writes a valid config.json that runs (with terminal off)" {
	local dir=$BATS_TEST_TMPDIR/specbundle
	mkdir -p "$dir"
	run vr spec --bundle "$dir"
	assert_status 0
	jq -e '.ociVersion and (.process.args | type) == "array" and .root.path == "rootfs"
		and (.linux.namespaces | map(.type) | index("pid") != null) and (.mounts | length) > 0' \
		"$dir/config.json" >/dev/null || fail "config.json: $(cat "$dir/config.json")"
	# The unmodified default, with only the terminal, the command and the rootfs changed, runs.
	BUNDLE=$dir
	set_cfg --arg r "$ROOTFS" '.process.terminal = false | .process.args = ["/bin/sh", "-c", "echo default-spec-ok"] | .root.path = $r'
	run_ctr
	assert_status 0
	assert_output_is default-spec-ok
}

@test "spec --rootless adds a user namespace with mappings" {
	local dir=$BATS_TEST_TMPDIR/rootless
	mkdir -p "$dir"
	run vr spec --rootless --bundle "$dir"
	assert_status 0
	jq -e '(.linux.namespaces | map(.type) | index("user") != null) and (.linux.uidMappings | length) > 0' \
		"$dir/config.json" >/dev/null || fail "config.json: $(cat "$dir/config.json")"
}

@test "features prints JSON with ociVersionMax" {
	run vr features
	assert_status 0
	jq -e '.ociVersionMin and .ociVersionMax' <<<"$output" >/dev/null || fail "features: $output"
}

@test "--version prints version, commit and spec lines" {
	run "$VR" --version
	assert_status 0
	[[ ${lines[0]} =~ ^vessel-runtime\ version\ [0-9] ]] || fail "line 1: ${lines[0]}"
	grep -qE '^commit: .+' <<<"$output" || fail "no commit line: $output"
	grep -qE '^spec: [0-9]+\.[0-9]+\.[0-9]+' <<<"$output" || fail "no spec line: $output"
}

@test "--help lists the commands" {
	run "$VR" --help
	assert_status 0
	local c
	for c in create start state kill delete run list spec features; do
		[[ $output == *"$c"* ]] || fail "--help lacks $c"
	done
}

@test "the global --root is created if missing and holds the state" {
	STATE_ROOT=$BATS_TEST_TMPDIR/new/root
	set_cfg '.process.args = ["sleep", "1000"]'
	create_ctr
	[[ -d $STATE_ROOT ]] || fail "root $STATE_ROOT not created"
	[[ -n $(ls -A "$STATE_ROOT") ]] || fail "root is empty"
	run vr delete --force "$CID"
	assert_status 0
	assert_clean "$CID"
}

# --- process attributes without their own file in /proc/self -----------------------------------

@test "process.user.umask" {
	set_cfg '.process.user.umask = 63 | .mounts += [{destination: "/mnt/tmp", type: "tmpfs", source: "tmpfs"}]'
	set_sh 'umask; touch /mnt/tmp/f; stat -c %a /mnt/tmp/f'
	run_ctr
	assert_status 0
	assert_output_is $'0077\n600'
}

@test "linux.personality LINUX32 makes uname -m report i686" {
	set_cfg '.linux.personality = {domain: "LINUX32"}'
	set_sh 'uname -m'
	run_ctr
	assert_status 0
	assert_output_is i686
}

@test "process.ioPriority is the container process's io priority" {
	set_cfg '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}'
	set_sh 'ionice -p $$'
	run_ctr
	assert_status 0
	assert_output_has idle
}

@test "process.scheduler SCHED_BATCH with nice 5" {
	set_cfg '.process.scheduler = {policy: "SCHED_BATCH", nice: 5}'
	# /proc/self/stat: field 19 is nice, field 41 the policy (3 = SCHED_BATCH)
	set_sh 'set -- $(sed "s/.*) //" /proc/self/stat); eval "echo nice=\${17} policy=\${39}"'
	run_ctr
	assert_status 0
	assert_output_is "nice=5 policy=3"
}

@test "an rbind with rro is read-only in its submounts too" {
	local src=$BATS_TEST_TMPDIR/rsrc
	mkdir -p "$src/sub"
	mount -t tmpfs vessel-test-sub "$src/sub"
	set_cfg --arg s "$src" '.mounts += [{destination: "/mnt/share", type: "bind", source: $s, options: ["rbind", "rro"]}]'
	set_sh 'touch /mnt/share/a 2>/dev/null; echo top=$?; touch /mnt/share/sub/b 2>/dev/null; echo sub=$?'
	run_ctr
	umount "$src/sub"
	assert_status 0
	assert_output_is $'top=1\nsub=1'
}

@test "booleans take Go's =true / =false as runc's do (--runtime-flag lists send them)" {
	set_sh 'echo ran'
	# =false is the default: the flag is as if absent; =true sets it
	run --separate-stderr vr --debug=false --systemd-cgroup=false run --bundle "$BUNDLE" --no-subreaper=true --keep=false "$CID"
	assert_status 0
	assert_output_is ran
	run --separate-stderr vr --debug=maybe list
	assert_status 1
	[[ $stderr == *"--debug=maybe: expected true or false"* ]] || fail "stderr: $stderr"
	# a flag that takes a value keeps its "=VALUE"
	run --separate-stderr vr list --format=json
	assert_output_is "[]"
}

@test "default root: /run for real root; \$XDG_RUNTIME_DIR for root of a user namespace without USER=root" {
	# as runc's shouldHonorXDGRuntimeDir; an empty XDG_RUNTIME_DIR is unset (root podman sets it so)
	run "$VR" --help
	assert_output_has "(default /run/vessel-runtime)"
	run env XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/xdg" "$VR" --help
	assert_output_has "(default /run/vessel-runtime)"
	run unshare -Ur env -u USER XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/xdg" "$VR" --help
	assert_output_has "(default $BATS_TEST_TMPDIR/xdg/vessel-runtime)"
	run unshare -Ur env USER=root XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/xdg" "$VR" --help
	assert_output_has "(default /run/vessel-runtime)"
	run unshare -Ur env -u USER XDG_RUNTIME_DIR= "$VR" --help
	assert_output_has "(default /run/vessel-runtime)"
}
