# Shared helpers of the vessel-runtime integration tests (bats >= 1.5).
#
# A file loads it with `load helpers`, calls `suite_setup` from setup_file (builds the busybox
# rootfs once per file), `setup_bundle` from setup (a bundle, a --root and an id per test) and
# `cleanup_test` from teardown (force-deletes the test's containers, kills the PIDs it started).
#
# Nothing here kills by name: only ids and PIDs the test recorded.

# shellcheck disable=SC2016 # jq programs use $variables in single quotes on purpose
bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VESSEL_BUILD=${VESSEL_BUILD:-$REPO/build}
[[ $VESSEL_BUILD == /* ]] || VESSEL_BUILD=$REPO/$VESSEL_BUILD
VR=${VESSEL_RUNTIME:-$VESSEL_BUILD/cmd/vessel-runtime/vessel-runtime}
# Seconds any one runtime command may take before the test fails instead of hanging.
VR_TIMEOUT=${VR_TIMEOUT:-15}
SUITE=$(basename "$BATS_TEST_FILENAME" .bats | tr '_' '-')

# --- suite and test set-up ------------------------------------------------------------------

# suite_setup: the busybox rootfs shared by every test of this file, at $BATS_FILE_TMPDIR/rootfs.
suite_setup()
{
	# bats makes its run dir 0700; a container in a user namespace (host uid 100000) must
	# still reach its rootfs and bundle, so open the directories the tests use for traversal.
	chmod o+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/file" "$BATS_RUN_TMPDIR/test" 2>/dev/null || true
	export ROOTFS=$BATS_FILE_TMPDIR/rootfs
	"$REPO/tests/lib/make-busybox-rootfs.sh" "$ROOTFS"
	# Mount points used by tests, made here so that no test writes into the shared rootfs.
	mkdir -p "$ROOTFS/mnt/share" "$ROOTFS/mnt/ro" "$ROOTFS/mnt/tmp"
}

# A config like `runc spec`'s (terminal off, rootfs absolute) minus the /sys/fs/cgroup mount,
# which one test checks on its own. root.readonly is true as in the default spec: a test that
# writes uses a bind mount of a host dir or a tmpfs.
base_config()
{
	jq -n --arg rootfs "$ROOTFS" '{
	  ociVersion: "1.2.0",
	  process: {
	    terminal: false,
	    user: {uid: 0, gid: 0},
	    args: ["/bin/sh", "-c", "true"],
	    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
	    cwd: "/",
	    capabilities: {
	      bounding: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
	      effective: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
	      permitted: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
	      ambient: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
	    },
	    rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
	    noNewPrivileges: true
	  },
	  root: {path: $rootfs, readonly: true},
	  hostname: "vessel",
	  mounts: [
	    {destination: "/proc", type: "proc", source: "proc"},
	    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
	    {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]},
	    {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]}
	  ],
	  linux: {
	    resources: {devices: [{allow: false, access: "rwm"}]},
	    namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "cgroup"}],
	    maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
	    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	  }
	}'
}

# setup_bundle: $BUNDLE with a config.json on the shared rootfs, $STATE_ROOT, $CID.
setup_bundle()
{
	TEST_IDS=()
	TEST_PIDS=()
	[[ -x $VR ]] || {
		echo "vessel-runtime is not built: $VR (run make, or set VESSEL_BUILD)" >&2
		return 1
	}
	[[ -n ${ROOTFS:-} && -x $ROOTFS/bin/busybox ]] || {
		echo "the suite's rootfs is missing: call suite_setup from setup_file" >&2
		return 1
	}
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	STATE_ROOT=$BATS_TEST_TMPDIR/state
	mkdir -p "$BUNDLE" "$STATE_ROOT"
	base_config >"$BUNDLE/config.json"
	new_id CID
}

# new_id VAR: set VAR to a container id unique to this file, test and process (cgroup names
# are global) and track it for teardown. Not in $(...): the tracking must happen in this shell.
new_id()
{
	local id="vt-$SUITE-$BATS_TEST_NUMBER-$$-${#TEST_IDS[@]}"
	TEST_IDS+=("$id")
	printf -v "$1" '%s' "$id"
}

# track_id ID: let teardown force-delete ID as well (for ids made without new_id).
track_id()
{
	TEST_IDS+=("$1")
}

# track_pid PID: a process this test started; teardown kills it.
track_pid()
{
	TEST_PIDS+=("$1")
}

# track_init ID: record the init pid that `state ID` reports, so that teardown can kill it
# even if the runtime's own delete fails.
track_init()
{
	local pid
	pid=$(state_field "$1" pid 2>/dev/null || true)
	if [[ $pid =~ ^[1-9][0-9]*$ ]]; then
		TEST_PIDS+=("$pid")
	fi
}

# cleanup_test: force-delete every container id the test used, then kill what it started:
# the PIDs it recorded, and processes whose command line names this test's own bundle dir
# (a runtime process or container init left blocked by a failed command of this test).
# Empty cgroup dirs named for its ids are removed so that one failure does not leak into
# later tests; assert_clean, called by the tests themselves, has already reported them.
cleanup_test()
{
	local id pid args
	for id in "${TEST_IDS[@]}"; do
		[[ -n $id && $id != */* && $id != *..* ]] || continue
		timeout -k 5 "$VR_TIMEOUT" "$VR" --root "$STATE_ROOT" delete --force "$id" \
			</dev/null >/dev/null 2>&1 3>&- || true
	done
	if [[ -n ${BUNDLE:-} ]]; then
		for pid in /proc/[0-9]*; do
			pid=${pid#/proc/}
			if [[ $pid == "$$" || $pid == "$BASHPID" ]]; then continue; fi
			args=()
			{ mapfile -d '' args <"/proc/$pid/cmdline"; } 2>/dev/null || continue
			if [[ "${args[*]}" == *" $BUNDLE "* || "${args[*]}" == *" $BUNDLE" ]]; then
				TEST_PIDS+=("$pid")
			fi
		done
	fi
	for pid in "${TEST_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	local d
	for id in "${TEST_IDS[@]}"; do
		[[ ${#id} -ge 3 && $id != */* && $id != *..* ]] || continue
		for d in /sys/fs/cgroup/*/"$id" /sys/fs/cgroup/*/*/"$id"; do
			[[ -d $d ]] && rmdir "$d" 2>/dev/null
		done
	done
	TEST_IDS=()
	TEST_PIDS=()
	return 0
}

# --- editing the config ---------------------------------------------------------------------

# set_cfg [JQ ARGS...] EXPR: edit $BUNDLE/config.json in place with jq.
set_cfg()
{
	local f=$BUNDLE/config.json
	jq "$@" "$f" >"$f.new" && mv "$f.new" "$f"
}

# set_sh 'shell line': process.args = ["/bin/sh", "-c", LINE].
set_sh()
{
	set_cfg --arg s "$1" '.process.args = ["/bin/sh", "-c", $s]'
}

# add_bind HOSTDIR DEST [OPTIONS...]: a bind mount (options default rbind,rw).
add_bind()
{
	local src=$1 dst=$2
	shift 2
	local opts
	if (($# == 0)); then set -- rbind rw; fi
	opts=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	set_cfg --arg s "$src" --arg d "$dst" --argjson o "$opts" \
		'.mounts += [{destination: $d, type: "bind", source: $s, options: $o}]'
}

# --- running the runtime --------------------------------------------------------------------

# vr ARGS...: the runtime with this test's --root, bounded in time. fd 3 (bats' own output)
# is closed so that no process the runtime leaves behind can hold bats open.
vr()
{
	timeout -k 5 "$VR_TIMEOUT" "$VR" --root "$STATE_ROOT" "$@" 3>&-
}

# vr_bg ARGS...: like vr, but with stdio on files, for commands that leave a process holding
# their stdout (create, run -d) and that bats' `run` would wait on. Sets status, stdout, stderr,
# output (stdout and stderr) and stderr_lines.
vr_bg()
{
	local out=$BATS_TEST_TMPDIR/vr.out err=$BATS_TEST_TMPDIR/vr.err
	status=0
	vr "$@" </dev/null >"$out" 2>"$err" || status=$?
	stdout=$(cat "$out")
	stderr=$(cat "$err")
	output=$(cat "$out" "$err")
	mapfile -t stderr_lines <"$err"
}

# create_ctr [ID]: create the bundle's container (default $CID) and require success.
create_ctr()
{
	local id=${1:-$CID}
	vr_bg create --bundle "$BUNDLE" "$id"
	if ((status != 0)); then
		echo "create $id failed ($status): $output" >&2
		return 1
	fi
	track_init "$id"
}

# run_ctr [RUN FLAGS...]: `run` the bundle's container $CID in the foreground; bats' run sets
# $status (the container's exit status), $output (its stdout) and $stderr.
run_ctr()
{
	run --separate-stderr vr run --bundle "$BUNDLE" "$@" "$CID"
}

# state_field ID FIELD: one field of `state ID` (jq -r).
state_field()
{
	vr state "$1" 2>/dev/null </dev/null | jq -r ".$2"
}

# wait_status ID STATUS [SECONDS]: poll `state` until its status is STATUS.
wait_status()
{
	local id=$1 want=$2 secs=${3:-10} i st=""
	for ((i = 0; i < secs * 20; i++)); do
		st=$(state_field "$id" status)
		[[ $st == "$want" ]] && return 0
		sleep 0.05
	done
	echo "container $id: status '$st', wanted '$want' after ${secs}s" >&2
	return 1
}

# wait_file FILE [SECONDS]: poll until FILE exists and is not empty.
wait_file()
{
	local f=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		[[ -s $f ]] && return 0
		sleep 0.05
	done
	echo "$f did not appear in ${secs}s" >&2
	return 1
}

# --- assertions -----------------------------------------------------------------------------

fail()
{
	echo "$*" >&2
	return 1
}

# assert_status WANT: $status equals WANT.
assert_status()
{
	[[ $status -eq $1 ]] || fail "exit status $status, wanted $1; stdout: ${output:-}; stderr: ${stderr:-}"
}

# assert_output_is TEXT: $output (stdout) is exactly TEXT.
assert_output_is()
{
	[[ $output == "$1" ]] || fail "output '$output', wanted '$1'; stderr: ${stderr:-}"
}

# assert_output_has TEXT: $output contains TEXT.
assert_output_has()
{
	[[ $output == *"$1"* ]] || fail "output '$output' lacks '$1'; stderr: ${stderr:-}"
}

# assert_one_error NEEDLE[|NEEDLE...]: the command failed, printed exactly one line on stderr,
# prefixed "vessel-runtime: ", that contains one of the needles (case-insensitive).
assert_one_error()
{
	local alts=$1 line needle lower
	[[ $status -ne 0 ]] || fail "exit status 0, wanted an error; stdout: ${stdout:-$output}"
	((${#stderr_lines[@]} == 1)) ||
		fail "wanted exactly one line on stderr, got ${#stderr_lines[@]}: $(printf '[%s] ' "${stderr_lines[@]}")"
	line=${stderr_lines[0]}
	[[ $line == "vessel-runtime: "* ]] || fail "stderr line lacks the prefix 'vessel-runtime: ': $line"
	lower=${line,,}
	IFS='|' read -r -a needles <<<"$alts"
	for needle in "${needles[@]}"; do
		[[ $lower == *"${needle,,}"* ]] && return 0
	done
	fail "stderr line does not name '$alts': $line"
}

# assert_clean ID: nothing is left behind for ID: no state dir under $STATE_ROOT, no mount of
# the bundle or rootfs, no cgroup named for it, no (non-zombie) process in it or naming it.
assert_clean()
{
	local id=$1 base problems=()
	base=${id##*/}

	# state
	if [[ -n $id && -e $STATE_ROOT/$id ]]; then
		problems+=("state dir $STATE_ROOT/$id exists")
	fi
	if [[ -n $base ]] && [[ -n $(find "$STATE_ROOT" -mindepth 1 -maxdepth 3 -name "*$base*" 2>/dev/null) ]]; then
		problems+=("state entries for $base: $(find "$STATE_ROOT" -mindepth 1 -maxdepth 3 -name "*$base*" | tr '\n' ' ')")
	fi

	# mounts of this bundle or of the rootfs seen by the host
	local m
	m=$(grep -F -e "$BUNDLE" -e "$ROOTFS" /proc/self/mountinfo || true)
	[[ -z $m ]] || problems+=("mounts left: $m")

	# cgroups named for the id, in every v1 hierarchy and in the unified one
	if [[ ${#base} -ge 3 ]]; then
		local cg
		cg=$(find /sys/fs/cgroup/ -mindepth 2 -maxdepth 5 -type d \( -name "$base" -o -name "*-$base.scope" \) \
			2>/dev/null || true)
		[[ -z $cg ]] || problems+=("cgroups left: $(echo "$cg" | tr '\n' ' ')")
	fi

	# processes (zombies are not counted: pid 1 on these hosts does not reap orphans)
	# (bash builtins only: no fork per process, and no helper process whose cmdline names the id)
	local p args stat cgline procs=()
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		if [[ $p == "$$" || $p == "$BASHPID" ]]; then continue; fi
		stat=""
		{ read -r stat <"/proc/$p/stat"; } 2>/dev/null || continue
		stat=${stat##*) }
		if [[ ${stat%% *} == [ZX] ]]; then continue; fi
		args=()
		{ mapfile -d '' args <"/proc/$p/cmdline"; } 2>/dev/null || continue
		if [[ ${#base} -ge 3 && "${args[*]}" == *"$base"* ]] || [[ "${args[*]}" == *"$BUNDLE"* ]]; then
			procs+=("$p(${args[*]})")
			continue
		fi
		if [[ ${#base} -ge 3 ]]; then
			cgline=""
			{ read -r -d '' cgline <"/proc/$p/cgroup"; } 2>/dev/null || true
			if [[ $cgline == *"/$base"* ]]; then
				procs+=("$p(${args[*]}, in its cgroup)")
			fi
		fi
	done
	((${#procs[@]} == 0)) || problems+=("processes left: ${procs[*]}")

	((${#problems[@]} == 0)) || fail "left behind for '$id': $(printf '%s; ' "${problems[@]}")"
}

# host_ns NAME: the host's namespace link (e.g. "net:[4026531840]").
host_ns()
{
	readlink "/proc/self/ns/$1"
}

# --- cgroups (tests/integration/cgroup.bats) ------------------------------------------------

# cg_dir ID CONTROLLER: the host directory of container ID's cgroup for CONTROLLER (a v1
# controller name such as memory, or "unified" for the cgroup2 hierarchy), read from
# /proc/PID/cgroup of its init, so it follows cgroupsPath and the runtime's own cgroup.
cg_dir()
{
	local id=$1 ctrl=$2 pid line hier path=""
	pid=$(state_field "$id" pid)
	[[ $pid =~ ^[1-9][0-9]*$ ]] || {
		echo "cg_dir: container $id has no pid" >&2
		return 1
	}
	while IFS= read -r line; do
		hier=${line#*:}
		hier=${hier%%:*}
		if [[ $ctrl == unified && -z $hier ]] || [[ ,$hier, == *",$ctrl,"* ]]; then
			path=${line#*:*:}
			break
		fi
	done <"/proc/$pid/cgroup"
	[[ -n $path ]] || {
		echo "cg_dir: no $ctrl line in /proc/$pid/cgroup" >&2
		return 1
	}
	if [[ $ctrl == unified ]]; then
		echo "/sys/fs/cgroup/unified$path"
	else
		echo "/sys/fs/cgroup/$ctrl$path"
	fi
}

# cg_read ID CONTROLLER FILE: the content of FILE in the container's cgroup, as one line.
cg_read()
{
	local d
	d=$(cg_dir "$1" "$2") || return 1
	tr '\n' ' ' <"$d/$3" | sed 's/ *$//'
}

# add_cgroup_mount: the /sys/fs/cgroup mount of runc's default spec (read-only, in the
# container's cgroup namespace: it shows the container's own cgroups as the roots).
add_cgroup_mount()
{
	set_cfg '.mounts += [{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
		options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}]'
}

# --- the engine's helper daemons -------------------------------------------------------------

# process_gone PID: the process has exited (a zombie nobody reaped counts as gone: this
# sandbox's pid 1 does not reap).
process_gone()
{
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[[ -z $state || $state == Z || $state == X ]]
}

# stop_procfs_daemon: stop the vessel-procfs of $VESSEL_RUNROOT (by the PID in its pid file; it
# stays after the last container until idle) and drop its mount. For teardown_file of every
# suite that runs engine containers.
stop_procfs_daemon()
{
	local pid i
	pid=$(cat "$VESSEL_RUNROOT/procfs.pid" 2>/dev/null) || pid=""
	if [[ $pid =~ ^[0-9]+$ ]]; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			process_gone "$pid" && break
			sleep 0.1
		done
		process_gone "$pid" || kill -9 "$pid" 2>/dev/null || true
	fi
	umount -l "$VESSEL_RUNROOT/procfs" 2>/dev/null || true
	rm -f "$VESSEL_RUNROOT/procfs.pid"
}

# --- engine suites (vessel run, create, ...) -------------------------------------------------

VESSEL=$VESSEL_BUILD/cmd/vessel/vessel

# engine_setup_file IMAGE: the file's own store and run state under $BATS_FILE_TMPDIR
# (VESSEL_ROOT, VESSEL_RUNROOT) and the suite's busybox root imported as IMAGE (CMD /bin/sh).
engine_setup_file()
{
	suite_setup
	export VESSEL_ROOT=$BATS_FILE_TMPDIR/store VESSEL_RUNROOT=$BATS_FILE_TMPDIR/run
	tar --numeric-owner -C "$ROOTFS" -c . | "$VESSEL" import -c 'CMD ["/bin/sh"]' - "$1" >/dev/null
}

# engine_teardown_file [CGROUP_PARENT]: remove every container of the file's store, the
# engine's parent cgroup (default /vessel) where empty (other files' containers keep it), and
# the store's vessel-procfs.
engine_teardown_file()
{
	local id parent=${1:-/vessel}
	for id in $("$VESSEL" ps -aq --no-trunc 2>/dev/null); do
		timeout 30 "$VESSEL" rm -f "$id" >/dev/null 2>&1 || true
	done
	rmdir /sys/fs/cgroup/*"$parent" /sys/fs/cgroup/unified"$parent" 2>/dev/null || true
	stop_procfs_daemon
}

# engine_teardown: remove the containers `name` gave this test.
engine_teardown()
{
	local n
	for n in "${NAMES[@]}"; do
		timeout 30 "$VESSEL" rm -f "$n" >/dev/null 2>&1 || true
	done
}

# vessel ARGS...: the engine, bounded in time.
vessel()
{
	timeout 60 "$VESSEL" "$@"
}

# name VAR: a container name unique to this file and test, removed by engine_teardown. Sets
# NAMES=() in setup first.
name()
{
	local _name="vt-$SUITE-$BATS_TEST_NUMBER-${#NAMES[@]}"
	NAMES+=("$_name")
	printf -v "$1" '%s' "$_name"
}

# assert_bad_inputs "ARGS|WANT"...: each `vessel ARGS` (split on blanks; the file's own vessel())
# fails with exactly one line on stderr, prefixed "vessel: " and containing WANT.
assert_bad_inputs()
{
	local c args want
	for c in "$@"; do
		args=${c%%|*}
		want=${c#*|}
		# shellcheck disable=SC2086 # the case's words
		run --separate-stderr vessel $args
		echo "case: $args -> $status: $stderr"
		((status != 0)) || fail "vessel $args: exit status 0"
		((${#stderr_lines[@]} == 1)) || fail "vessel $args: ${#stderr_lines[@]} lines on stderr"
		[[ $stderr == "vessel: "* ]] || fail "vessel $args: no \"vessel: \" prefix"
		[[ $stderr == *"$want"* ]] || fail "vessel $args: wanted \"$want\""
	done
}
