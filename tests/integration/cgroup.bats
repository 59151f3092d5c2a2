#!/usr/bin/env bats
# Acceptance of cgroups: linux.resources as the host sees them (the cgroupfs files of the
# container's cgroup, v1 here and hugetlb on the hybrid cgroup2) and as the container sees them
# (its own /sys/fs/cgroup), the behaviour where it is cheap to see (OOM kill, pids.max, device
# denial, cpu throttling), pause/resume, update, events, ps and cleanup. No wall-clock asserts.
# shellcheck disable=SC2016,SC2154 # shell lines and jq programs are meant for the container / jq;
# stderr is set by bats' run --separate-stderr

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

MIB=1048576

# start_sleeper [SHELL]: create and start $CID running SHELL (default: sleep 100).
start_sleeper()
{
	set_sh "${1:-sleep 100}"
	create_ctr || return 1
	vr start "$CID" </dev/null || fail "start $CID failed"
}

limits_config()
{
	set_cfg --argjson m "$MIB" '.linux.resources += {
		memory: {limit: (64 * $m), reservation: (32 * $m), swap: (128 * $m), swappiness: 10},
		cpu: {shares: 512, quota: 50000, period: 100000, cpus: "0", mems: "0"},
		pids: {limit: 50},
		blockIO: {weight: 500, throttleReadBpsDevice: [{major: 254, minor: 0, rate: 1048576}],
			throttleWriteIOPSDevice: [{major: 254, minor: 0, rate: 100}]},
		hugepageLimits: [{pageSize: "2MB", limit: 4194304}]}'
}

# --- values, from outside ---------------------------------------------------------------------

@test "memory, cpu, cpuset, pids and blkio limits land in the host's v1 files, hugetlb in cgroup2" {
	limits_config
	create_ctr
	[[ $(cg_read "$CID" memory memory.limit_in_bytes) == $((64 * MIB)) ]] || fail "memory.limit_in_bytes"
	[[ $(cg_read "$CID" memory memory.soft_limit_in_bytes) == $((32 * MIB)) ]] || fail "soft limit"
	[[ $(cg_read "$CID" memory memory.memsw.limit_in_bytes) == $((128 * MIB)) ]] || fail "memsw"
	[[ $(cg_read "$CID" memory memory.swappiness) == 10 ]] || fail "swappiness"
	[[ $(cg_read "$CID" cpu cpu.shares) == 512 ]] || fail "cpu.shares"
	[[ $(cg_read "$CID" cpu cpu.cfs_quota_us) == 50000 ]] || fail "quota"
	[[ $(cg_read "$CID" cpu cpu.cfs_period_us) == 100000 ]] || fail "period"
	[[ $(cg_read "$CID" cpuset cpuset.cpus) == 0 ]] || fail "cpuset.cpus"
	[[ $(cg_read "$CID" pids pids.max) == 50 ]] || fail "pids.max"
	local wf=blkio.weight
	[[ -e $(cg_dir "$CID" blkio)/$wf ]] || wf=blkio.bfq.weight
	[[ $(cg_read "$CID" blkio "$wf") == *500* ]] || fail "$wf: $(cg_read "$CID" blkio "$wf")"
	[[ $(cg_read "$CID" blkio blkio.throttle.read_bps_device) == "254:0 1048576" ]] || fail "read_bps"
	[[ $(cg_read "$CID" blkio blkio.throttle.write_iops_device) == "254:0 100" ]] || fail "write_iops"
	[[ $(cg_read "$CID" unified hugetlb.2MB.max) == 4194304 ]] || fail "hugetlb.2MB.max on cgroup2"
}

@test "unset fields are not written: a container without resources keeps the parent's values" {
	create_ctr
	[[ $(cg_read "$CID" pids pids.max) == max ]] || fail "pids.max: $(cg_read "$CID" pids pids.max)"
	[[ $(cg_read "$CID" cpu cpu.cfs_quota_us) == -1 ]] || fail "quota"
	[[ $(cg_read "$CID" cpu cpu.shares) == 1024 ]] || fail "shares"
}

@test "a unified key for a controller on the hybrid cgroup2 (hugetlb.2MB.max) is written" {
	set_cfg '.linux.resources.unified = {"hugetlb.2MB.max": "2097152"}'
	create_ctr
	[[ $(cg_read "$CID" unified hugetlb.2MB.max) == 2097152 ]] || fail "hugetlb.2MB.max"
}

@test "the v1 device list: deny all, then runc's defaults and linux.devices" {
	set_cfg '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}]'
	create_ctr
	local list
	list=$(cg_read "$CID" devices devices.list)
	[[ $list == *"c 1:3 rwm"* && $list == *"c 136:* rwm"* && $list == *"c 10:229 rwm"* ]] || fail "devices.list: $list"
	[[ $list != *"a *:* rwm"* ]] || fail "everything allowed: $list"
}

# --- values, from inside ----------------------------------------------------------------------

@test "the container reads its own limits through its /sys/fs/cgroup and sits at its cgroup's root" {
	limits_config
	add_cgroup_mount
	set_sh 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max \
		/sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/unified/hugetlb.2MB.max
		grep -c ":/$" /proc/self/cgroup'
	run_ctr
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	[[ ${lines[0]} == $((64 * MIB)) && ${lines[1]} == 50 && ${lines[2]} == 50000 && ${lines[3]} == 0 &&
		${lines[4]} == 4194304 ]] || fail "inside: ${lines[*]}"
	[[ ${lines[5]} == $(wc -l </proc/self/cgroup) ]] || fail "not at the root of every hierarchy: ${lines[5]}"
}

# --- behaviour --------------------------------------------------------------------------------

@test "a memory hog is OOM-killed at its limit and events reports the oom" {
	set_cfg --argjson m "$MIB" '.linux.resources.memory = {limit: (16 * $m), swap: (16 * $m)}'
	set_sh 'sleep 0.3; tail /dev/zero; echo "tail exited $?"'
	create_ctr
	local ev=$BATS_TEST_TMPDIR/events.out
	vr events --interval 10s "$CID" >"$ev" 2>&1 </dev/null &
	local epid=$!
	track_pid "$epid"
	vr start "$CID" </dev/null
	wait "$epid" || fail "events exited with $?: $(cat "$ev")"
	grep -q '"type":"oom"' "$ev" || fail "no oom event: $(cat "$ev")"
	jq -e --arg id "$CID" 'select(.type == "oom") | .id == $id' "$ev" >/dev/null || fail "oom event: $(cat "$ev")"
}

@test "a fork loop is bounded by pids.max" {
	set_cfg '.linux.resources.pids = {limit: 8}'
	add_cgroup_mount
	# ash exits when a fork fails: the loop runs in a subshell; once it hits the limit nothing
	# can fork, so the files are read with shell builtins only
	set_sh '(i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i + 1)); done) 2>/dev/null
		read -r cur </sys/fs/cgroup/pids/pids.current; echo "$cur"
		while read -r k v; do [ "$k" = max ] && echo "max $v"; done </sys/fs/cgroup/pids/pids.events'
	run_ctr
	local lines
	mapfile -t lines <<<"$output"
	((lines[0] <= 8)) || fail "pids.current ${lines[0]} above the limit"
	[[ ${lines[1]} =~ ^max\ [1-9] ]] || fail "no fork refused: ${lines[1]}"
}

@test "a device outside the allowed list cannot be opened; allowing it opens it" {
	[[ -b /dev/loop0 ]] || skip "no /dev/loop0 on this host"
	set_cfg '.mounts += [{destination: "/dev/loop0", type: "bind", source: "/dev/loop0", options: ["bind"]}]'
	set_sh 'head -c 1 /dev/loop0 >/dev/null && echo opened'
	run_ctr
	[[ $stderr == *"Operation not permitted"* && $output != *opened* ]] || fail "loop0 readable: $output $stderr"
	set_cfg '.linux.resources.devices += [{allow: true, type: "b", major: 7, minor: 0, access: "r"}]'
	new_id CID
	run_ctr
	assert_status 0
	assert_output_is opened
}

@test "a cpu quota throttles a busy loop (cpu.stat nr_throttled)" {
	set_cfg '.linux.resources.cpu = {quota: 1000, period: 10000}'
	start_sleeper 'while :; do :; done'
	local i n=0
	for ((i = 0; i < 100; i++)); do
		n=$(cg_read "$CID" cpu cpu.stat | grep -o 'nr_throttled [0-9]*' | cut -d' ' -f2)
		((n > 0)) && break
		sleep 0.05
	done
	((n > 0)) || fail "never throttled: $(cg_read "$CID" cpu cpu.stat)"
	run vr events --stats "$CID"
	assert_status 0
	jq -e '.data.cpu.throttling.throttledPeriods > 0' <<<"$output" >/dev/null || fail "events: $output"
}

# --- commands ---------------------------------------------------------------------------------

@test "pause freezes (FROZEN, status paused), resume thaws (THAWED, running)" {
	start_sleeper
	run vr pause "$CID"
	assert_status 0
	[[ $(cg_read "$CID" freezer freezer.state) == FROZEN ]] || fail "freezer.state after pause"
	[[ $(state_field "$CID" status) == paused ]] || fail "status $(state_field "$CID" status)"
	run vr pause "$CID"
	[[ $status -ne 0 ]] || fail "pausing a paused container succeeded"
	run vr resume "$CID"
	assert_status 0
	[[ $(cg_read "$CID" freezer freezer.state) == THAWED ]] || fail "freezer.state after resume"
	[[ $(state_field "$CID" status) == running ]] || fail "status $(state_field "$CID" status)"
	run --separate-stderr vr resume "$CID"
	[[ $status -ne 0 && $stderr == *"not paused"* ]] || fail "resume of a running container: $status $stderr"
}

@test "update changes the files of a running container (flags and --resources -)" {
	start_sleeper
	run --separate-stderr vr update --memory 32m --memory-swap 64M --memory-reservation 16m --cpu-share 256 \
		--cpu-quota 20000 --cpu-period 100000 --pids-limit 20 --cpuset-cpus 0 --blkio-weight 300 "$CID"
	assert_status 0
	[[ $(cg_read "$CID" memory memory.limit_in_bytes) == $((32 * MIB)) ]] || fail "memory"
	[[ $(cg_read "$CID" memory memory.memsw.limit_in_bytes) == $((64 * MIB)) ]] || fail "memsw"
	[[ $(cg_read "$CID" memory memory.soft_limit_in_bytes) == $((16 * MIB)) ]] || fail "reservation"
	[[ $(cg_read "$CID" cpu cpu.shares) == 256 ]] || fail "shares"
	[[ $(cg_read "$CID" cpu cpu.cfs_quota_us) == 20000 ]] || fail "quota"
	[[ $(cg_read "$CID" pids pids.max) == 20 ]] || fail "pids"
	run vr update --resources - "$CID" <<<'{"memory": {"limit": 50331648, "swap": 100663296}, "pids": {"limit": -1}}'
	assert_status 0
	[[ $(cg_read "$CID" memory memory.limit_in_bytes) == 50331648 ]] || fail "memory from --resources"
	[[ $(cg_read "$CID" pids pids.max) == max ]] || fail "pids -1 is max"
	local f=$BATS_TEST_TMPDIR/res.json
	echo '{"cpu": {"shares": 2048}}' >"$f"
	run vr update --resources "$f" --pids-limit 30 "$CID"
	assert_status 0
	[[ $(cg_read "$CID" cpu cpu.shares) == 2048 && $(cg_read "$CID" pids pids.max) == 30 ]] || fail "file + flag"
}

@test "update: kernel memory is a warning, not an error; Intel RDT flags are refused" {
	start_sleeper
	run --separate-stderr vr update --kernel-memory 10m "$CID"
	assert_status 0
	[[ ${stderr,,} == *"kernel memory"* ]] || fail "no warning: $stderr"
	run --separate-stderr vr update --l3-cache-schema "L3:0=f" "$CID"
	[[ $status -ne 0 && $stderr == *l3-cache-schema* ]] || fail "l3: $status $stderr"
	run --separate-stderr vr update --mem-bw-schema "MB:0=50" "$CID"
	[[ $status -ne 0 && $stderr == *mem-bw-schema* ]] || fail "mem-bw: $status $stderr"
}

@test "update refuses a memory limit below the usage with checkBeforeUpdate, and changes nothing" {
	set_cfg --argjson m "$MIB" '.linux.resources.memory = {limit: (64 * $m)}'
	start_sleeper
	vr update --resources - "$CID" <<<'{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' \
		>/dev/null 2>"$BATS_TEST_TMPDIR/e" && status=0 || status=$?
	# shellcheck disable=SC2034 # read by assert_one_error
	mapfile -t stderr_lines <"$BATS_TEST_TMPDIR/e"
	assert_one_error "linux.resources.memory.limit"
	[[ $(cg_read "$CID" memory memory.limit_in_bytes) == $((64 * MIB)) ]] || fail "the limit changed"
}

@test "events --stats prints runc's stats JSON once" {
	set_cfg --argjson m "$MIB" '.linux.resources += {memory: {limit: (64 * $m)}, pids: {limit: 40}}'
	start_sleeper
	run --separate-stderr vr events --stats "$CID"
	assert_status 0
	jq -e --arg id "$CID" --argjson lim $((64 * MIB)) '.type == "stats" and .id == $id
		and .data.memory.usage.limit == $lim and .data.memory.usage.usage > 0
		and .data.pids.limit == 40 and .data.pids.current >= 1 and .data.cpu.usage.total > 0
		and (.data.blkio | has("ioServiceBytesRecursive")) and (.data.hugetlb | type == "object")' \
		<<<"$output" >/dev/null || fail "stats: $output"
}

@test "events streams stats every --interval and exits when the container stops" {
	start_sleeper 'sleep 0.7'
	run --separate-stderr vr events --interval 100ms "$CID"
	assert_status 0
	local n
	n=$(grep -c '"type":"stats"' <<<"$output")
	((n >= 2)) || fail "$n stats lines: $output"
}

@test "ps --format json lists the container's host pids; ps with options filters ps(1)" {
	start_sleeper 'sleep 100 & sleep 100'
	local init
	init=$(state_field "$CID" pid)
	run --separate-stderr vr ps --format json "$CID"
	assert_status 0
	jq -e --argjson p "$init" 'length == 2 and (index($p) != null)' <<<"$output" >/dev/null || fail "json: $output"
	run --separate-stderr vr ps "$CID" -o pid,comm
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	((${#lines[@]} == 3)) || fail "table: $output"
	[[ ${lines[0]} == *PID* && $output == *"$init sleep"* ]] || fail "table: $output"
}

# --- cleanup ----------------------------------------------------------------------------------

@test "delete after kill -9 of every process leaves no cgroup directory anywhere" {
	start_sleeper 'sleep 100 & sleep 100'
	local pids
	read -r -a pids <<<"$(cg_read "$CID" pids cgroup.procs)"
	kill -9 "${pids[@]}"
	wait_status "$CID" stopped
	run vr delete "$CID"
	assert_status 0
	assert_clean "$CID"
}

@test "delete --force removes nested sub-cgroups and kills their processes" {
	start_sleeper 'sleep 100 & sleep 100'
	local c d child
	child=$(cg_read "$CID" pids cgroup.procs | tr ' ' '\n' | grep -v "^$(state_field "$CID" pid)$" | head -1)
	for c in memory pids cpu freezer; do
		d=$(cg_dir "$CID" "$c")
		mkdir -p "$d/sub/deeper"
		echo "$child" >"$d/sub/deeper/cgroup.procs"
	done
	run vr delete --force "$CID"
	assert_status 0
	assert_clean "$CID"
	[[ ! -e /proc/$child ]] || [[ $(awk '{print $3}' "/proc/$child/stat") == Z ]] || fail "$child survived"
}

@test "kill --all signals every process of the cgroup" {
	start_sleeper 'sleep 100 & sleep 100 & wait'
	local pids
	read -r -a pids <<<"$(cg_read "$CID" pids cgroup.procs)"
	((${#pids[@]} == 3)) || fail "processes: ${pids[*]}"
	run vr kill --all "$CID" KILL
	assert_status 0
	wait_status "$CID" stopped
	local p state
	for p in "${pids[@]}"; do
		# one read of its state: gone (nothing to read, even if reaped just now) or a zombie
		state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || true
		[[ -z $state || $state == Z ]] || fail "$p survived kill --all (state $state)"
	done
}

# create_fails NEEDLE: create must fail with one line naming NEEDLE and leave nothing behind.
create_fails()
{
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "$1"
	assert_clean "$CID"
}

@test "bad resources: one line naming the field, non-zero exit, nothing left (table)" {
	local cases=(
		'.linux.resources.memory = {limit: -5}|linux.resources.memory.limit'
		'.linux.resources.memory = {limit: "lots"}|memory.limit'
		'.linux.resources.memory = {limit: 20000000, swap: 10000000}|memory.swap'
		'.linux.resources.memory = {swappiness: 200}|memory.swappiness'
		'.linux.resources.cpu = {shares: 1}|cpu.shares'
		'.linux.resources.cpu = {quota: -3}|cpu.quota'
		'.linux.resources.cpu = {period: 5}|cpu.period'
		'.linux.resources.cpu = {cpus: "0-63"}|cpu.cpus'
		'.linux.resources.cpu = {cpus: "all"}|cpu.cpus'
		'.linux.resources.pids = {limit: "x"}|pids.limit'
		'.linux.resources.blockIO = {weight: 5}|blockIO.weight'
		'.linux.resources.hugepageLimits = [{pageSize: "3MB", limit: 1}]|hugepageLimits[0].pageSize'
		'.linux.resources.devices = [{allow: true, type: "x", access: "r"}]|devices[0].type'
		'.linux.resources.devices = [{allow: true, type: "c", access: "rwx"}]|access'
		'.linux.resources.unified = {"memory.max": "1000000"}|unified["memory.max"]'
		'.linux.resources.unified = {"../../escape": "1"}|unified['
		'.linux.resources.network = {classID: 1048577}|network.classID'
		'.linux.cgroupsPath = "../escape"|cgroupsPath'
	)
	local c expr needle
	for c in "${cases[@]}"; do
		expr=${c%|*}
		needle=${c##*|}
		base_config >"$BUNDLE/config.json"
		set_cfg "$expr"
		new_id CID
		create_fails "$needle" || fail "case: $expr"
	done
}

@test "blockIO.weight 0 means unset, as runc reads it (dockerd sends it in every config)" {
	set_cfg '.linux.resources.blockIO = {weight: 0, leafWeight: 0}'
	set_sh 'sleep 100'
	create_ctr
	local wf=blkio.weight
	[[ -e $(cg_dir "$CID" blkio)/$wf ]] || wf=blkio.bfq.weight
	# the kernel's default, untouched (0 would have been refused by the kernel)
	[[ $(cg_read "$CID" blkio "$wf") == *100* ]] || fail "$wf: $(cg_read "$CID" blkio "$wf")"
}
