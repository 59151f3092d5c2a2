#!/usr/bin/env bats
# Known container escapes, each by its first move, shown to fail. A test that finds a defence
# missing is kept, skipped with "missing defence: ...", and listed in docs/security.md.
# Nothing here touches the host outside the test's temp dirs: the runtime binary attacked is a
# copy, host paths aimed at are the test's own directories, and host-wide files of /proc and /sys
# are only opened for writing (": >>FILE"), never written (kernel.domainname is the container's).
# shellcheck disable=SC2016 # shell lines and jq programs are meant for the container / jq
# shellcheck disable=SC2030,SC2031 # each @test is a subshell: bats sets status and output per test

load helpers

setup_file()
{
	suite_setup
	gcc -static -O1 -o "$ROOTFS/bin/exe_overwrite" "$REPO/tests/lib/escape/exe_overwrite.c"
	# CVE-2019-5736's other door: a script whose interpreter is the exec'ing process itself.
	printf '#!/proc/self/exe\n' >"$ROOTFS/bin/self-exe-script"
	chmod 0755 "$ROOTFS/bin/self-exe-script"
}

setup()
{
	setup_bundle
}

teardown()
{
	cleanup_test
}

# own_rootfs: a copy of the suite's rootfs for this test (it may plant symlinks in it), as
# $OWN_ROOTFS, set as the bundle's root. Made once per test.
own_rootfs()
{
	OWN_ROOTFS=$BATS_TEST_TMPDIR/rootfs
	[[ -d $OWN_ROOTFS ]] || cp -a "$ROOTFS" "$OWN_ROOTFS"
	set_cfg --arg r "$OWN_ROOTFS" '.root.path = $r'
}

# host_mounts_under DIR: the host's mount points at or below DIR (empty if none).
host_mounts_under()
{
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# --- CVE-2019-5736: overwriting the runtime's binary through /proc/PID/exe --------------------

@test "CVE-2019-5736: the container cannot write the runtime's binary through /proc/PID/exe" {
	# A copy of the runtime is attacked, never the build's binary.
	local copy=$BATS_TEST_TMPDIR/vr-copy before after
	cp "$VR" "$copy"
	VR=$copy
	before=$(sha256sum <"$copy")
	mkdir -p "$BATS_TEST_TMPDIR/out"
	add_bind "$BATS_TEST_TMPDIR/out" /mnt/share
	set_sh '/bin/exe_overwrite vr-copy 6 >/mnt/share/result 2>&1'
	create_ctr
	vr start "$CID"
	wait_file "$BATS_TEST_TMPDIR/out/result"
	# Two doors: the exec child (the runtime forked, in the container's pid namespace, before
	# its execve) and a "#!/proc/self/exe" script that makes the exec run the runtime again.

	for _ in 1 2 3 4 5; do
		vr exec "$CID" true >/dev/null 2>&1 || true
		vr exec "$CID" /bin/self-exe-script >/dev/null 2>&1 || true
	done
	wait_status "$CID" stopped 15
	after=$(sha256sum <"$copy")
	run cat "$BATS_TEST_TMPDIR/out/result"
	[[ $output != *"write=OK"* ]] || fail "the container wrote to the runtime's binary: $output"
	[[ $before == "$after" ]] || fail "the runtime's binary changed"
}

# --- CVE-2024-21626: leaked fds and a working directory outside the root ----------------------

@test "CVE-2024-21626: no fd of the runtime's caller leaks into the container (run and exec)" {
	set_cfg '.process.args = ["/bin/sh", "-c", "ls /proc/self/fd | tr \"\\n\" \" \" >/dev/shm/fds; sleep 1000"]'
	# fds 5 and 9 name host directories, open in the caller: neither may reach the container.
	vr_bg create --bundle "$BUNDLE" "$CID" 5</ 9<"$BATS_TEST_TMPDIR"
	assert_status 0
	track_init "$CID"
	vr start "$CID"
	wait_status "$CID" running
	run vr exec "$CID" cat /dev/shm/fds
	# ls's own: stdio and the directory it reads (3)
	assert_output_is "0 1 2 3 "
	run vr exec "$CID" sh -c 'ls /proc/self/fd | tr "\n" " "' 5</ 9<"$BATS_TEST_TMPDIR"
	assert_output_is "0 1 2 3 "
	# (not through vr, which closes fd 3 for bats' sake)
	run timeout -k 5 "$VR_TIMEOUT" "$VR" --root "$STATE_ROOT" exec --preserve-fds 1 "$CID" \
		sh -c 'ls /proc/self/fd | tr "\n" " "' 3</ 5</ 9<"$BATS_TEST_TMPDIR"
	assert_output_is "0 1 2 3 4 "
}

@test "CVE-2024-21626: process.cwd through a preserved host fd (/proc/self/fd/3) is refused" {
	set_cfg '.process.cwd = "/proc/self/fd/3"'
	set_sh 'pwd; ls'
	# fd 3 is a host directory the caller hands on with --preserve-fds
	mkdir -p "$BATS_TEST_TMPDIR/host-secret"
	touch "$BATS_TEST_TMPDIR/host-secret/HOST-FILE"
	run --separate-stderr vr run --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3<"$BATS_TEST_TMPDIR/host-secret"
	[[ $status -ne 0 ]] || fail "the container ran with its cwd outside the root: $output"
	[[ $output != *HOST-FILE* ]] || fail "the container listed the host directory: $output"
	[[ ${stderr:-} == *"process.cwd"* ]] || fail "the error does not name process.cwd: ${stderr:-}"
}

@test "CVE-2024-21626: process.cwd through a host fd that is not preserved is refused" {
	set_cfg '.process.cwd = "/proc/self/fd/7"'
	set_sh 'pwd; ls'
	touch "$BATS_TEST_TMPDIR/HOST-FILE"
	run --separate-stderr vr run --bundle "$BUNDLE" "$CID" 7<"$BATS_TEST_TMPDIR"
	[[ $status -ne 0 ]] || fail "the container ran with cwd /proc/self/fd/7: $output"
	[[ $output != *HOST-FILE* ]] || fail "the container listed the host directory: $output"
	[[ ${stderr:-} == *"process.cwd"* ]] || fail "the error does not name process.cwd: ${stderr:-}"
}

@test "CVE-2024-21626: exec --cwd through a preserved host fd is refused" {
	set_sh 'sleep 1000'
	create_ctr
	vr start "$CID"
	wait_status "$CID" running
	touch "$BATS_TEST_TMPDIR/HOST-FILE"
	run --separate-stderr vr exec --preserve-fds 1 --cwd /proc/self/fd/3 "$CID" sh -c 'pwd; ls' 3<"$BATS_TEST_TMPDIR"
	[[ $status -ne 0 ]] || fail "exec ran with its cwd outside the root: $output"
	[[ $output != *HOST-FILE* ]] || fail "exec listed the host directory: $output"
	[[ ${stderr:-} == *"cwd"* ]] || fail "the error does not name the cwd: ${stderr:-}"
}

# --- CVE-2021-30465 and kin: symlinks as mount destinations -----------------------------------

# plant_and_mount LINK_TARGET [inside]: rootfs/mnt/evil -> LINK_TARGET, which aims at $HOSTDIR
# (a host directory of the test's, holding a marker), and a tmpfs mounted on /mnt/evil. With
# "inside", the link's target also exists inside the root: the mount must land there. Without, the
# runtime may make it inside the root or refuse with an error naming the destination. Either way
# the host directory is unchanged and has no mount on it.
plant_and_mount()
{
	own_rootfs
	HOSTDIR=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$HOSTDIR"
	echo marker >"$HOSTDIR/marker"
	ln -s "$1" "$OWN_ROOTFS/mnt/evil"
	set_cfg '.mounts += [{destination: "/mnt/evil", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
	set_sh 'echo planted >/mnt/evil/planted && stat -f -c %T /mnt/evil/ && ls /mnt/evil/'
	run_ctr
	if [[ ${2:-} == inside || $status -eq 0 ]]; then
		assert_status 0
		assert_output_is $'tmpfs\nplanted'
	else
		[[ ${stderr:-} == *"/mnt/evil"* ]] || fail "the error does not name the destination: ${stderr:-}"
	fi
	[[ $(ls "$HOSTDIR") == marker ]] || fail "the host directory changed: $(ls "$HOSTDIR")"
	[[ -z $(host_mounts_under "$HOSTDIR") ]] || fail "a mount landed on the host: $(host_mounts_under "$HOSTDIR")"
}

@test "CVE-2021-30465: a mount destination that is an absolute symlink to a host path stays inside the root" {
	plant_and_mount "$BATS_TEST_TMPDIR/hostdir"
}

@test "CVE-2021-30465: the same symlink with its target present in the root: the mount lands there" {
	own_rootfs
	mkdir -p "$OWN_ROOTFS$BATS_TEST_TMPDIR/hostdir"
	plant_and_mount "$BATS_TEST_TMPDIR/hostdir" inside
}

@test "CVE-2021-30465: a mount destination that is a ../../ symlink climbing out of the root stays inside" {
	# rootfs/mnt/evil -> ../../hostdir is $BATS_TEST_TMPDIR/hostdir on the host
	plant_and_mount ../../hostdir
}

@test "CVE-2021-30465: a bind mount whose destination is a symlink out of the root stays inside" {
	own_rootfs
	local hostdir=$BATS_TEST_TMPDIR/hostdir src=$BATS_TEST_TMPDIR/src
	mkdir -p "$hostdir" "$src"
	echo marker >"$hostdir/marker"
	echo from-src >"$src/file"
	ln -s ../../../../../../../../../.."$hostdir" "$OWN_ROOTFS/mnt/evil"
	add_bind "$src" /mnt/evil rbind ro
	set_sh 'cat /mnt/evil/file'
	run_ctr
	# made inside the root, or refused naming the destination (the target is not in the root)
	if ((status == 0)); then
		assert_output_is from-src
	else
		[[ ${stderr:-} == *"/mnt/evil"* ]] || fail "the error does not name the destination: ${stderr:-}"
	fi
	[[ $(ls "$hostdir") == marker ]] || fail "the host directory changed: $(ls "$hostdir")"
	[[ -z $(host_mounts_under "$hostdir") ]] || fail "a bind landed on the host: $(host_mounts_under "$hostdir")"
}

@test "a symlink loop as a mount destination is a clear error naming the mount" {
	own_rootfs
	ln -s loop "$OWN_ROOTFS/mnt/loop"
	set_cfg '.mounts += [{destination: "/mnt/loop", type: "tmpfs", source: "tmpfs"}]'
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "symbolic links"
	[[ ${stderr_lines[0]:-} == *"/mnt/loop"* ]] || fail "the error does not name the destination: ${stderr_lines[0]:-}"
	assert_clean "$CID"
}

# --- CVE-2019-16884 / CVE-2023-27561: a fake /proc --------------------------------------------

@test "CVE-2019-16884: a rootfs whose /proc is a symlink still gets real procfs, masked and read-only" {
	own_rootfs
	rmdir "$OWN_ROOTFS/proc"
	mkdir -p "$OWN_ROOTFS/fakeproc/sys/kernel"
	echo FAKE >"$OWN_ROOTFS/fakeproc/keys"
	ln -s /fakeproc "$OWN_ROOTFS/proc"
	set_sh 'stat -f -c %T /proc/; wc -c </proc/keys; echo x >/proc/sys/kernel/domainname 2>/dev/null; echo rc=$?
		grep -c . /proc/self/status >/dev/null && echo status-ok'
	run_ctr
	assert_status 0
	assert_output_is $'proc\n0\nrc=1\nstatus-ok'
}

@test "CVE-2019-16884: a fake /proc directory under a real procfs mount is hidden" {
	own_rootfs
	mkdir -p "$OWN_ROOTFS/proc/sys/kernel"
	echo FAKE >"$OWN_ROOTFS/proc/keys"
	set_cfg '.linux.sysctl = {"kernel.domainname": "vessel.test"}'
	set_sh 'stat -f -c %T /proc/; cat /proc/keys; cat /proc/sys/kernel/domainname'
	run_ctr
	assert_status 0
	assert_output_is $'proc\nvessel.test'
	[[ ! -e $OWN_ROOTFS/proc/sys/kernel/domainname ]] || fail "the sysctl was written into the image"
}

@test "CVE-2023-27561: with no procfs on /proc, a sysctl is refused rather than written to a fake file" {
	own_rootfs
	mkdir -p "$OWN_ROOTFS/proc/sys/kernel"
	: >"$OWN_ROOTFS/proc/sys/kernel/domainname"
	set_cfg '.mounts |= map(select(.destination != "/proc")) | .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .linux.sysctl = {"kernel.domainname": "vessel.test"}'
	set_sh 'true'
	vr_bg create --bundle "$BUNDLE" "$CID"
	[[ ! -s $OWN_ROOTFS/proc/sys/kernel/domainname ]] ||
		fail "the sysctl went to the image's fake file: $(cat "$OWN_ROOTFS/proc/sys/kernel/domainname")"
	assert_one_error "sysctl"
	assert_clean "$CID"
}

# --- CVE-2025-31133 / 52565 / 52881: /dev/null and /proc writes redirected ---------------------

# dev_bound_with_null_as KIND: /dev is a bind of a host dir of the test's whose "null" is KIND
# (a symlink to /secret, or a regular file holding a secret); /secret in the root holds
# NOT-NULL. maskedPaths' files are bind-mounted from /dev/null: they must read empty.
dev_bound_with_null_as()
{
	own_rootfs
	echo NOT-NULL >"$OWN_ROOTFS/secret"
	local dev=$BATS_TEST_TMPDIR/dev
	mkdir -p "$dev"
	case $1 in
	symlink) ln -s /secret "$dev/null" ;;
	file) echo NOT-NULL >"$dev/null" ;;
	esac
	set_cfg --arg d "$dev" '.mounts |= map(if .destination == "/dev" then
		{destination: "/dev", type: "bind", source: $d, options: ["rbind", "rw"]} else . end)
		| .mounts |= map(select(.destination != "/dev/pts" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))
		| .linux.maskedPaths = ["/proc/kcore", "/proc/keys", "/proc/timer_list"]'
	set_sh 'cat /proc/keys /proc/timer_list; echo end'
	vr_bg run --bundle "$BUNDLE" "$CID"
	[[ $output != *NOT-NULL* ]] || fail "a masked path shows what the fake /dev/null points at: $output"
	[[ $status -ne 0 || ${stdout:-} == end ]] || fail "neither refused nor masked: $output"
}

@test "CVE-2025-31133: maskedPaths with /dev/null a symlink (on a bound /dev) do not bind its target" {
	dev_bound_with_null_as symlink
}

@test "CVE-2025-31133: maskedPaths with /dev/null a regular file (on a bound /dev) do not bind it" {
	dev_bound_with_null_as file
}

@test "CVE-2025-31133: a /dev/null symlink in the image is replaced by the real device (no /dev bind)" {
	own_rootfs
	echo NOT-NULL >"$OWN_ROOTFS/secret"
	ln -s /secret "$OWN_ROOTFS/dev/null"
	set_cfg '.mounts |= map(select(.destination | startswith("/dev") | not)) | .root.readonly = false'
	set_sh 'stat -c %F:%t:%T /dev/null; cat /proc/keys; echo end'
	run_ctr
	assert_status 0
	assert_output_is $'character special file:1:3\nend'
}

# --- defaults of the runtime's own `spec` -----------------------------------------------------

@test "default spec: /proc/sys and /sys are read-only, kcore, keys and timer_list read empty" {
	(cd "$BUNDLE" && rm -f config.json && "$VR" spec)
	set_cfg --arg r "$ROOTFS" '.root.path = $r | .process.terminal = false'
	set_sh 'echo x >/proc/sys/kernel/domainname 2>/dev/null; echo sysctl=$?
		(: >>/proc/sysrq-trigger) 2>/dev/null; echo sysrq=$?
		mkdir /sys/vessel-test 2>/dev/null; echo sys=$?
		(: >>/sys/kernel/profiling) 2>/dev/null; echo sysfile=$?
		for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && echo "$f $(wc -c <$f)"; done; true'
	run_ctr
	assert_status 0
	assert_output_has "sysctl=1"
	assert_output_has "sysrq=1"
	assert_output_has "sys=1"
	assert_output_has "sysfile=1"
	local f
	for f in /proc/kcore /proc/keys /proc/timer_list; do
		if [[ -e $f ]]; then
			assert_output_has "$f 0"
		fi
	done
}

@test "CVE-2019-5736: an init others can see (joined pid namespace) runs from the sealed copy; one alone need not" {
	# A pid namespace held by a process of this test; the container joins it.
	# Its fds closed, so bats does not wait for it; both processes are tracked (the sleep is
	# pid 1 of the namespace and outlives unshare).
	unshare --pid --fork --mount-proc sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	local holder=$! child=""
	track_pid "$holder"
	for _ in $(seq 50); do
		child=$(pgrep -P "$holder" -x sleep) && break
		sleep 0.1
	done
	[[ -n $child ]] || fail "no holder of a pid namespace"
	track_pid "$child"
	set_cfg --arg p "/proc/$child/ns/pid" '(.linux.namespaces[] | select(.type == "pid")) |= {type: "pid", path: $p}'
	set_sh 'sleep 100'
	create_ctr
	local exe
	exe=$(readlink "/proc/$(state_field "$CID" pid)/exe")
	[[ $exe == /memfd:vessel-runtime* ]] || fail "the init of a joined pid namespace runs from $exe"
	# A new pid namespace: nothing else is there before its execve, no copy is made.
	set_cfg '(.linux.namespaces[] | select(.type == "pid")) |= {type: "pid"}'
	track_id "$CID-new"
	create_ctr "$CID-new"
	exe=$(readlink "/proc/$(state_field "$CID-new" pid)/exe")
	[[ $exe == "$(readlink -f "$VR")" ]] || fail "the init of a new pid namespace runs from $exe"
}
