#!/usr/bin/env bats
# interop: vessel-runtime as a drop-in for runc under podman 4.3, containerd 1.6 and dockerd 20.10.
# Every flow runs twice, with runc and with vessel-runtime, through one helper that takes the
# runtime's path, so a failure of one names the difference to the other.
#
# The file starts each peer itself, on its own state dirs and sockets under $IOP (never the
# machine's defaults), and stops it by the PID it recorded. Images come from a busybox root made
# here (busybox-static), imported with each tool's own import. A peer whose package is missing or
# that cannot start on this host is skipped with the reason; a skip is not a pass.
# shellcheck disable=SC2016 # shell lines are meant for the container

load helpers

RUNC=${RUNC:-$(command -v runc || echo /usr/sbin/runc)}
IMAGE=localhost/vessel-interop/busybox:test
# Seconds one engine command may take.
ENGINE_TIMEOUT=${ENGINE_TIMEOUT:-60}

# --- the peers' own places ------------------------------------------------------------------

# Short paths: unix socket paths are limited to 108 bytes.
make_iop_dir()
{
	IOP=$(mktemp -d /tmp/vessel-interop.XXXXXX)
	chmod 0755 "$IOP"
	export IOP
}

# wait_for CMD...: poll CMD for up to 20 s.
wait_for()
{
	local i
	for ((i = 0; i < 100; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# last_line FILE: the last non-empty line of a log, for a skip reason.
last_line()
{
	grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1
}

# stop_pid PIDFILE: SIGTERM the daemon we started, SIGKILL after 10 s; reap it if it is ours.
stop_pid()
{
	local pid i
	pid=$(cat "$1" 2>/dev/null) || return 0
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# unmount_under DIR: every mount below DIR (deepest first). Engines leave overlay and netns
# mounts under their roots.
unmount_under()
{
	local dir=$1 m
	[[ -n $dir && $dir == /tmp/vessel-interop.* ]] || return 0
	for ((pass = 0; pass < 3; pass++)); do
		mapfile -t mounts < <(awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
		((${#mounts[@]} == 0)) && return 0
		for m in "${mounts[@]}"; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		done
	done
}

# --- the image ------------------------------------------------------------------------------

# make_images: $IOP/rootfs.tar (a plain root filesystem tar: podman import, docker import) and
# $IOP/image.tar (a docker-archive of it with one layer: ctr images import).
make_images()
{
	"$REPO/tests/lib/make-busybox-rootfs.sh" "$IOP/rootfs"
	tar -C "$IOP/rootfs" --numeric-owner -cf "$IOP/rootfs.tar" .
	local a=$IOP/archive layer config
	mkdir -p "$a"
	layer=$(sha256sum "$IOP/rootfs.tar" | cut -d' ' -f1)
	mkdir -p "$a/$layer"
	cp "$IOP/rootfs.tar" "$a/$layer/layer.tar"
	jq -n --arg d "sha256:$layer" '{architecture: "amd64", os: "linux",
		config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
		rootfs: {type: "layers", diff_ids: [$d]}}' >"$a/config.json"
	config=$(sha256sum "$a/config.json" | cut -d' ' -f1)
	mv "$a/config.json" "$a/$config.json"
	jq -n --arg c "$config.json" --arg l "$layer/layer.tar" --arg t "$IMAGE" \
		'[{Config: $c, RepoTags: [$t], Layers: [$l]}]' >"$a/manifest.json"
	tar -C "$a" -cf "$IOP/image.tar" .
}

# --- podman ---------------------------------------------------------------------------------

podman_setup()
{
	command -v podman >/dev/null || {
		echo "podman is not installed (apt-get install podman)"
		return 1
	}
	command -v conmon >/dev/null || {
		echo "conmon is not installed (apt-get install conmon)"
		return 1
	}
	mkdir -p "$IOP/podman"
	# The hard rlimits here are below podman's defaults (peers.md); the JSON error log is
	# asked of vessel-runtime as of runc; locks are files in our tmpdir, not /dev/shm.
	cat >"$IOP/podman/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
		netns = "none"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		lock_type = "file"
		runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "vessel-runtime"]
	EOF
	# Each runtime through a wrapper that adds our --root: podman 4.3 does not pass its
	# --runtime-flag into conmon's exit command, whose cleanup would then delete in the
	# runtime's default root and leave the state and cgroups in ours. Same basenames as the
	# runtimes (runtime_supports_json goes by name); exec keeps the process tree.
	mkdir -p "$IOP/podman/bin"
	local rt
	for rt in "$RUNC" "$VR"; do
		printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$rt" "$IOP/podman/rt" >"$IOP/podman/bin/${rt##*/}"
		chmod 755 "$IOP/podman/bin/${rt##*/}"
	done
	local out
	if ! out=$(pm "$RUNC" import "$IOP/rootfs.tar" "$IMAGE" 2>&1); then
		echo "podman cannot import an image here: ${out##*$'\n'}"
		return 1
	fi
}

# pm RUNTIME ARGS...: podman on our own root, runroot, tmpdir and config, with RUNTIME (a path)
# through its wrapper, whose state root is ours too (one for both runtimes: ids never collide).
pm()
{
	local rt=$IOP/podman/bin/${1##*/}
	shift
	CONTAINERS_CONF=$IOP/podman/containers.conf timeout -k 5 "$ENGINE_TIMEOUT" \
		podman --root "$IOP/podman/root" --runroot "$IOP/podman/run" --tmpdir "$IOP/podman/tmp" \
		--storage-driver overlay --cgroup-manager cgroupfs --events-backend file \
		--runtime "$rt" "$@" 3>&-
}

# assert_no_cgroup ID: the runtime's delete removed the container's cgroups (podman's cgroupfs
# manager puts them at libpod_parent/libpod-ID, in every hierarchy).
# The engines delete through the runtime asynchronously: `docker rm` can return while the
# shim's `delete` still runs. Wait for it (up to 5 s) rather than sample one instant.
assert_no_cgroup()
{
	local left i
	for ((i = 0; i < 100; i++)); do
		left=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "*$1*" 2>/dev/null)
		[[ -z $left ]] && return 0
		sleep 0.05
	done
	fail "cgroups left for $1: $left"
}

podman_teardown()
{
	[[ -d $IOP/podman/root ]] || return 0
	local id d
	mapfile -t ids < <(pm "$VR" ps -a -q --no-trunc 2>/dev/null; ls "$IOP/podman/rt" 2>/dev/null)
	pm "$VR" rm -a -f -t 0 >/dev/null 2>&1 || true
	pm "$VR" rmi -a -f >/dev/null 2>&1 || true
	# what podman could not remove: the runtimes' own delete, then the cgroups
	for id in "${ids[@]}"; do
		[[ $id =~ ^[0-9a-f]{64}$ ]] || continue
		"$VR" --root "$IOP/podman/rt" delete --force "$id" >/dev/null 2>&1 || true
		"$RUNC" --root "$IOP/podman/rt" delete --force "$id" >/dev/null 2>&1 || true
		for d in /sys/fs/cgroup/*/libpod_parent/libpod-"$id"; do
			[[ -d $d ]] && rmdir "$d" 2>/dev/null
		done
	done
}

need_podman()
{
	[[ -z ${PODMAN_SKIP:-} ]] || skip "$PODMAN_SKIP"
}

# The flows. Each takes the runtime's path.

podman_run_rm()
{
	local rt=$1
	run --separate-stderr pm "$rt" run --rm --network none "$IMAGE" echo hello from podman
	assert_status 0
	assert_output_is "hello from podman"
	run pm "$rt" ps -a -q
	assert_output_is ""
}

podman_detached()
{
	local rt=$1 id
	id=$(pm "$rt" run -d --network none "$IMAGE" sh -c 'echo started; trap "exit 3" TERM; sleep 1000 & wait')
	run pm "$rt" inspect -f '{{.OCIRuntime}}' "$id"
	[[ $output == "$IOP/podman/bin/${rt##*/}" ]] || fail "not run by $rt: $output"
	run --separate-stderr pm "$rt" exec "$id" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	assert_output_has "in-exec"$'\n'"sh -c echo started"
	run --separate-stderr pm "$rt" exec "$id" sh -c 'exit 7'
	assert_status 7
	run --separate-stderr pm "$rt" logs "$id"
	assert_output_is started
	run --separate-stderr pm "$rt" stop -t 10 "$id"
	assert_status 0
	# the TERM trap ran: the signal reached the init
	run pm "$rt" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id"
	assert_output_is "exited 3"
	run --separate-stderr pm "$rt" rm "$id"
	assert_status 0
	run pm "$rt" ps -a -q
	assert_output_is ""
	[[ ! -e $IOP/podman/rt/$id ]] || fail "the runtime's state of $id is left"
	assert_no_cgroup "$id"
}

podman_interactive()
{
	local rt=$1 sock=$IOP/tmux-$BATS_TEST_NUMBER.sock i screen=""
	command -v tmux >/dev/null || skip "tmux is not installed"
	tmux -S "$sock" new-session -d -s iop -x 100 -y 30 \
		"CONTAINERS_CONF=$IOP/podman/containers.conf podman --root $IOP/podman/root --runroot $IOP/podman/run \
		--tmpdir $IOP/podman/tmp --storage-driver overlay --cgroup-manager cgroupfs --events-backend file \
		--runtime $IOP/podman/bin/${rt##*/} run -it --rm --network none $IMAGE sh; \
		echo podman-exited-\$?; sleep 30" 3>&-
	for ((i = 0; i < 100; i++)); do
		screen=$(tmux -S "$sock" capture-pane -p -t iop)
		[[ $screen == *"/ #"* ]] && break
		sleep 0.1
	done
	[[ $screen == *"/ #"* ]] || {
		tmux -S "$sock" kill-server
		fail "no prompt: $screen"
	}
	tmux -S "$sock" send-keys -t iop 'tty; stty size; echo answer-$((6*7))' Enter
	for ((i = 0; i < 50; i++)); do
		screen=$(tmux -S "$sock" capture-pane -p -t iop)
		[[ $screen == *answer-42* ]] && break
		sleep 0.1
	done
	tmux -S "$sock" send-keys -t iop 'exit 4' Enter
	for ((i = 0; i < 50; i++)); do
		[[ $(tmux -S "$sock" capture-pane -p -t iop) == *podman-exited-* ]] && break
		sleep 0.1
	done
	local final
	final=$(tmux -S "$sock" capture-pane -p -t iop)
	tmux -S "$sock" kill-server
	[[ $screen == *answer-42* ]] || fail "the typed command did not answer: $screen"
	[[ $screen == *"/dev/pts/0"* ]] || fail "tty is not a pts: $screen"
	[[ $screen == *"30 100"* ]] || fail "stty size is not the pane's 30 100: $screen"
	[[ $final == *podman-exited-4* ]] || fail "podman did not exit with the shell's 4: $final"
}

podman_pause()
{
	local rt=$1 id
	id=$(pm "$rt" run -d --network none "$IMAGE" sleep 1000)
	run --separate-stderr pm "$rt" pause "$id"
	assert_status 0
	run pm "$rt" inspect -f '{{.State.Status}}' "$id"
	assert_output_is paused
	run --separate-stderr pm "$rt" exec "$id" true
	[[ $status -ne 0 ]] || fail "exec into a paused container succeeded"
	run --separate-stderr pm "$rt" unpause "$id"
	assert_status 0
	run pm "$rt" inspect -f '{{.State.Status}}' "$id"
	assert_output_is running
	run --separate-stderr pm "$rt" exec "$id" echo thawed
	assert_output_is thawed
	pm "$rt" rm -f -t 0 "$id" >/dev/null
}

podman_stats_top()
{
	local rt=$1 id
	id=$(pm "$rt" run -d --network none "$IMAGE" sh -c 'sleep 1000 & wait')
	local stderr=""
	run --separate-stderr pm "$rt" stats --no-stream --format '{{.ID}} {{.PIDs}} {{.MemUsage}}' "$id"
	assert_status 0
	[[ $output =~ ^${id:0:12}\ 2\ [0-9.]+[kMG]?B\ / ]] || fail "stats: $output; $stderr"
	run --separate-stderr pm "$rt" top "$id" pid comm
	assert_status 0
	[[ $output == *sleep* && $output == *sh* ]] || fail "top: $output"
	pm "$rt" rm -f -t 0 "$id" >/dev/null
}

podman_memory()
{
	local rt=$1
	run --separate-stderr pm "$rt" run --rm --network none -m 64m "$IMAGE" \
		sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
	assert_status 0
	assert_output_is 67108864
}

podman_exit_codes()
{
	local rt=$1 id
	run -127 --separate-stderr pm "$rt" run --rm --network none "$IMAGE" nosuchcommand
	assert_status 127
	run --separate-stderr pm "$rt" run --rm --network none "$IMAGE" /etc/passwd
	assert_status 126
	id=$(pm "$rt" run -d --network none "$IMAGE" sleep 1000)
	run -127 --separate-stderr pm "$rt" exec "$id" nosuchcommand
	assert_status 127
	[[ $stderr == *"executable file not found"* ]] || fail "exec error: $stderr"
	pm "$rt" rm -f -t 0 "$id" >/dev/null
}

# --- containerd -----------------------------------------------------------------------------

# containerd_start DIR [V1_RUNTIME]: a containerd on DIR (root, state, sockets), its PID in
# DIR/pid; with V1_RUNTIME, io.containerd.runtime.v1.linux runs that binary. Prints why not.
containerd_start()
{
	local dir=$1 v1=${2:-$RUNC}
	mkdir -p "$dir"
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing"]
		[grpc]
		  address = "$dir/c.sock"
		[ttrpc]
		  address = "$dir/c.sock.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
		[plugins."io.containerd.runtime.v1.linux"]
		  runtime = "$v1"
		  runtime_root = "$dir/v1-root"
	EOF
	containerd --config "$dir/config.toml" </dev/null >"$dir/log" 2>&1 3>&- &
	echo $! >"$dir/pid"
	if ! wait_for ctr --address "$dir/c.sock" version; then
		echo "containerd did not start: $(last_line "$dir/log")"
		return 1
	fi
	local out
	if ! out=$(ctr --address "$dir/c.sock" -n interop images import "$IOP/image.tar" 2>&1); then
		echo "ctr images import failed: ${out##*$'\n'}"
		return 1
	fi
}

containerd_setup()
{
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		echo "containerd is not installed (apt-get install containerd)"
		return 1
	fi
	command -v containerd-shim-runc-v2 >/dev/null || {
		echo "containerd-shim-runc-v2 is missing"
		return 1
	}
	containerd_start "$IOP/ctd"
}

containerd_teardown()
{
	local d
	for d in "$IOP"/ctd*; do
		[[ -S $d/c.sock ]] || continue
		local t
		for t in $(ctr --address "$d/c.sock" -n interop tasks ls -q 2>/dev/null); do
			ctr --address "$d/c.sock" -n interop tasks kill -s KILL "$t" >/dev/null 2>&1
			sleep 0.2
			ctr --address "$d/c.sock" -n interop tasks delete -f "$t" >/dev/null 2>&1
		done
		for t in $(ctr --address "$d/c.sock" -n interop containers ls -q 2>/dev/null); do
			ctr --address "$d/c.sock" -n interop containers rm "$t" >/dev/null 2>&1
		done
		stop_pid "$d/pid"
	done
}

need_containerd()
{
	[[ -z ${CONTAINERD_SKIP:-} ]] || skip "$CONTAINERD_SKIP"
}

# c ARGS...: ctr on the file's containerd, namespace interop.
c()
{
	timeout -k 5 "$ENGINE_TIMEOUT" ctr --address "${CTD:-$IOP/ctd}/c.sock" -n interop "$@" 3>&-
}

# crun_opts RUNTIME: ctr's flags for the runc v2 shim running RUNTIME on our own state root.
crun_opts()
{
	local rt=$1
	printf '%s\n' --runtime io.containerd.runc.v2 --runc-binary "$rt" --runc-root "$IOP/ctd/rt-${rt##*/}" \
		--fifo-dir "$IOP/ctd/fifo"
}

ctr_run_rm()
{
	local rt=$1 id=iop-$$-$BATS_TEST_NUMBER
	mapfile -t opts < <(crun_opts "$rt")
	run --separate-stderr c run --rm "${opts[@]}" "$IMAGE" "$id" sh -c 'echo hello from ctr; exit 5'
	assert_status 5
	assert_output_is "hello from ctr"
	run c containers ls -q
	assert_output_is ""
}

ctr_detached()
{
	local rt=$1 id=iop-$$-$BATS_TEST_NUMBER pid
	mapfile -t opts < <(crun_opts "$rt")
	run --separate-stderr c run -d "${opts[@]}" "$IMAGE" "$id" sh -c 'trap "exit 3" TERM; sleep 1000 & wait'
	assert_status 0
	# the shim ran this runtime: its state is in the runtime's own format
	if [[ $rt == "$VR" ]]; then
		grep -q vessel.pidStartTime "$IOP/ctd/rt-${rt##*/}/interop/$id/state.json" ||
			fail "no vessel-runtime state for $id"
	fi
	run --separate-stderr c tasks exec --exec-id e1 "$id" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	assert_output_has "in-exec"$'\n'"sh -c trap"
	run --separate-stderr c tasks exec --exec-id e2 "$id" sh -c 'exit 6'
	assert_status 6
	pid=$(c tasks ls | awk -v id="$id" '$1 == id {print $2}')
	run --separate-stderr c tasks ps "$id"
	assert_status 0
	[[ $output == *"$pid"* && ${#lines[@]} -eq 3 ]] || fail "tasks ps: $output"
	run --separate-stderr c tasks kill "$id"
	assert_status 0
	local i st=""
	for ((i = 0; i < 50; i++)); do
		st=$(c tasks ls | awk -v id="$id" '$1 == id {print $3}')
		[[ $st == STOPPED ]] && break
		sleep 0.1
	done
	[[ $st == STOPPED ]] || fail "task $id is $st after kill"
	run --separate-stderr c tasks delete "$id"
	assert_status 0
	[[ $stderr == *"exit code 3"* ]] || fail "the TERM trap did not set the exit code: $stderr"
	run --separate-stderr c containers rm "$id"
	assert_status 0
	run c tasks ls -q
	assert_output_is ""
	assert_no_cgroup "$id"
}

# The runtime binary named in containerd's own config: the v1 runtime's `runtime = PATH`.
# (The runc v2 shim's BinaryName in config.toml is read only by the CRI plugin, which needs a
# CRI client such as crictl; Debian 12 packages none. ctr and dockerd pass BinaryName per
# container; both are tested here.)
ctr_config_runtime()
{
	local rt=$1 dir=$IOP/ctd-v1-${1##*/} id=iop-v1-$BATS_TEST_NUMBER
	containerd_start "$dir" "$rt" >"$dir.why" 2>&1 || {
		stop_pid "$dir/pid"
		fail "$(cat "$dir.why")"
	}
	export CTD=$dir
	run --separate-stderr c run --rm --runtime io.containerd.runtime.v1.linux --fifo-dir "$dir/fifo" "$IMAGE" \
		"$id-a" sh -c 'echo hello from the v1 shim; exit 4'
	assert_status 4
	assert_output_is "hello from the v1 shim"
	run --separate-stderr c run -d --runtime io.containerd.runtime.v1.linux --fifo-dir "$dir/fifo" "$IMAGE" \
		"$id" sleep 1000
	assert_status 0
	# the shim ran the configured binary: its state is in that runtime's own format
	if [[ $rt == "$VR" ]]; then
		grep -q vessel.pidStartTime "$dir/v1-root/interop/$id/state.json" || fail "no vessel-runtime state for $id"
	fi
	run --separate-stderr c tasks exec --exec-id e1 "$id" echo in-exec
	assert_output_is in-exec
	run --separate-stderr c tasks kill -s KILL "$id"
	assert_status 0
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(c tasks ls | awk -v id="$id" '$1 == id {print $3}') == STOPPED ]] && break
		sleep 0.1
	done
	run --separate-stderr c tasks delete "$id"
	assert_status 0
	c containers rm "$id"
	containerd_teardown_one "$dir"
	unset CTD
}

containerd_teardown_one()
{
	local d=$1 t
	for t in $(ctr --address "$d/c.sock" -n interop containers ls -q 2>/dev/null); do
		ctr --address "$d/c.sock" -n interop tasks delete -f "$t" >/dev/null 2>&1
		ctr --address "$d/c.sock" -n interop containers rm "$t" >/dev/null 2>&1
	done
	stop_pid "$d/pid"
}

# --- dockerd --------------------------------------------------------------------------------

dockerd_setup()
{
	if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
		echo "dockerd is not installed (apt-get install docker.io)"
		return 1
	fi
	local dir=$IOP/dk
	mkdir -p "$dir/cli"
	echo '{}' >"$dir/daemon.json"
	dockerd --config-file "$dir/daemon.json" --data-root "$dir/data" --exec-root "$dir/exec" \
		-H "unix://$dir/d.sock" --pidfile "$dir/d.pid" --iptables=false --ip6tables=false --bridge=none \
		--default-ulimit nofile=20000:20000 --default-ulimit nproc=32768:32768 \
		--add-runtime "vessel=$VR" --add-runtime "runc-path=$RUNC" </dev/null >"$dir/log" 2>&1 3>&- &
	echo $! >"$dir/pid"
	if ! wait_for dk version; then
		echo "dockerd did not start: $(last_line "$dir/log")"
		return 1
	fi
	local out
	if ! out=$(dk import "$IOP/rootfs.tar" "$IMAGE" 2>&1); then
		echo "docker import failed: ${out##*$'\n'}"
		return 1
	fi
}

dk()
{
	DOCKER_CONFIG=$IOP/dk/cli timeout -k 5 "$ENGINE_TIMEOUT" docker -H "unix://$IOP/dk/d.sock" "$@" 3>&-
}

dockerd_teardown()
{
	local ids
	if [[ -S $IOP/dk/d.sock ]]; then
		mapfile -t ids < <(dk ps -aq 2>/dev/null)
		((${#ids[@]} == 0)) || dk rm -f "${ids[@]}" >/dev/null 2>&1 || true
	fi
	stop_pid "$IOP/dk/pid"
}

need_dockerd()
{
	[[ -z ${DOCKERD_SKIP:-} ]] || skip "$DOCKERD_SKIP"
}

# docker's name for the runtime at this path
docker_runtime()
{
	[[ $1 == "$VR" ]] && echo vessel || echo runc-path
}

docker_run_rm()
{
	local rt
	rt=$(docker_runtime "$1")
	run --separate-stderr dk run --runtime "$rt" --rm --network none "$IMAGE" sh -c 'echo hello from docker; exit 6'
	assert_status 6
	assert_output_is "hello from docker"
}

docker_detached()
{
	local rt id
	rt=$(docker_runtime "$1")
	id=$(dk run --runtime "$rt" -d --network none "$IMAGE" sh -c 'trap "exit 3" TERM; sleep 1000 & wait') ||
		fail "docker run -d failed"
	[[ $(dk inspect -f '{{.HostConfig.Runtime}}' "$id") == "$rt" ]] || fail "not run by $rt"
	run --separate-stderr dk exec "$id" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	assert_output_has "in-exec"$'\n'"sh -c trap"
	run --separate-stderr dk exec "$id" sh -c 'exit 9'
	assert_status 9
	run --separate-stderr dk top "$id"
	assert_status 0
	[[ $output == *"sleep 1000"* ]] || fail "top: $output"
	run --separate-stderr dk stop -t 10 "$id"
	assert_status 0
	run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id"
	assert_output_is "exited 3"
	run --separate-stderr dk rm "$id"
	assert_status 0
	assert_no_cgroup "$id"
}

docker_exit_codes()
{
	local rt
	rt=$(docker_runtime "$1")
	run -127 --separate-stderr dk run --runtime "$rt" --rm --network none "$IMAGE" nosuchcommand
	assert_status 127
	run --separate-stderr dk run --runtime "$rt" --rm --network none "$IMAGE" /etc/passwd
	assert_status 126
}

# --- the file's set-up ----------------------------------------------------------------------

setup_file()
{
	[[ -x $VR ]] || {
		echo "vessel-runtime is not built: $VR" >&2
		return 1
	}
	make_iop_dir
	make_images
	# Not in $(...): a daemon must be a child of this shell, which reaps it in teardown_file
	# (pid 1 on these hosts does not reap orphans). The reasons to skip go to files.
	local p var why
	for p in dockerd podman containerd; do
		"${p}_setup" >"$IOP/why-$p" 2>&1 && continue
		var=${p^^}_SKIP
		why=$(last_line "$IOP/why-$p")
		printf -v "$var" '%s' "${why:-$p could not be set up here}"
		export "${var?}"
	done
	[[ -x $RUNC ]] || export RUNC_SKIP="runc is not installed (apt-get install runc): no comparison"
}

teardown_file()
{
	[[ -n ${IOP:-} ]] || return 0
	podman_teardown
	containerd_teardown
	dockerd_teardown
	unmount_under "$IOP"
	# the parents the engines made in every hierarchy; rmdir leaves any still in use
	local d
	for d in /sys/fs/cgroup/*/libpod_parent/conmon /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/*/interop \
		/sys/fs/cgroup/*/docker; do
		[[ -d $d ]] && rmdir "$d" 2>/dev/null
	done
	if [[ -z $(awk -v d="$IOP/" 'index($5, d) == 1' /proc/self/mountinfo) ]]; then
		rm -rf "$IOP"
	else
		echo "mounts left under $IOP: not removed" >&2
	fi
}

need_runc()
{
	[[ -z ${RUNC_SKIP:-} ]] || skip "$RUNC_SKIP"
}

# --- podman ---------------------------------------------------------------------------------

@test "podman/runc: run --rm echo" {
	need_podman && need_runc
	podman_run_rm "$RUNC"
}
@test "podman/vessel: run --rm echo" {
	need_podman
	podman_run_rm "$VR"
}

@test "podman/runc: run -d, exec, logs, stop (SIGTERM reaches the init), rm" {
	need_podman && need_runc
	podman_detached "$RUNC"
}
@test "podman/vessel: run -d, exec, logs, stop (SIGTERM reaches the init), rm" {
	need_podman
	podman_detached "$VR"
}

@test "podman/runc: run -it in tmux: a prompt, a typed command answers, the exit status returns" {
	need_podman && need_runc
	podman_interactive "$RUNC"
}
@test "podman/vessel: run -it in tmux: a prompt, a typed command answers, the exit status returns" {
	need_podman
	podman_interactive "$VR"
}

@test "podman/runc: pause and unpause" {
	need_podman && need_runc
	podman_pause "$RUNC"
}
@test "podman/vessel: pause and unpause" {
	need_podman
	podman_pause "$VR"
}

@test "podman/runc: stats --no-stream and top" {
	need_podman && need_runc
	podman_stats_top "$RUNC"
}
@test "podman/vessel: stats --no-stream and top" {
	need_podman
	podman_stats_top "$VR"
}

@test "podman/runc: -m 64m is the memory limit seen inside" {
	need_podman && need_runc
	podman_memory "$RUNC"
}
@test "podman/vessel: -m 64m is the memory limit seen inside" {
	need_podman
	podman_memory "$VR"
}

@test "podman/runc: exit codes: missing command 127, not executable 126" {
	need_podman && need_runc
	podman_exit_codes "$RUNC"
}
@test "podman/vessel: exit codes: missing command 127, not executable 126" {
	need_podman
	podman_exit_codes "$VR"
}

# --- containerd -----------------------------------------------------------------------------

@test "containerd/runc: ctr run --rm --runc-binary" {
	need_containerd && need_runc
	ctr_run_rm "$RUNC"
}
@test "containerd/vessel: ctr run --rm --runc-binary" {
	need_containerd
	ctr_run_rm "$VR"
}

@test "containerd/runc: ctr run -d, tasks exec, tasks ps, tasks kill, tasks delete" {
	need_containerd && need_runc
	ctr_detached "$RUNC"
}
@test "containerd/vessel: ctr run -d, tasks exec, tasks ps, tasks kill, tasks delete" {
	need_containerd
	ctr_detached "$VR"
}

@test "containerd/runc: the runtime named in containerd's config (v1 runtime = PATH)" {
	need_containerd && need_runc
	ctr_config_runtime "$RUNC"
}
@test "containerd/vessel: the runtime named in containerd's config (v1 runtime = PATH)" {
	need_containerd
	ctr_config_runtime "$VR"
}

# --- dockerd --------------------------------------------------------------------------------

@test "dockerd/runc: docker run --runtime --rm" {
	need_dockerd && need_runc
	docker_run_rm "$RUNC"
}
@test "dockerd/vessel: docker run --runtime --rm" {
	need_dockerd
	docker_run_rm "$VR"
}

@test "dockerd/runc: docker run -d, exec, top, stop (SIGTERM reaches the init), rm" {
	need_dockerd && need_runc
	docker_detached "$RUNC"
}
@test "dockerd/vessel: docker run -d, exec, top, stop (SIGTERM reaches the init), rm" {
	need_dockerd
	docker_detached "$VR"
}

@test "dockerd/runc: exit codes: missing command 127, not executable 126" {
	need_dockerd && need_runc
	docker_exit_codes "$RUNC"
}
@test "dockerd/vessel: exit codes: missing command 127, not executable 126" {
	need_dockerd
	docker_exit_codes "$VR"
}
