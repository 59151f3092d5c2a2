#!/usr/bin/env bats
# vessel's volumes, as a docker user checks them: volume create/ls/inspect/rm/prune; data kept
# across containers; the image's content copied up into a new volume (owner and mode kept);
# anonymous volumes from -v /path and the image's VOLUME; --volumes-from; rm -v and --rm;
# "in use" errors; driver options (tmpfs, o=bind); bind propagation; bad input.
# shellcheck disable=SC2016,SC2154 # bats sets $stderr and $stderr_lines

load helpers


setup_file()
{
	engine_setup_file vt-busybox:1
	# an image with content at its VOLUME path: /data/file (1234:5678, 0640), /data/sub/deep
	local img=$BATS_FILE_TMPDIR/volimg
	cp -a "$ROOTFS" "$img"
	mkdir -p "$img/data/sub"
	echo "from the image" >"$img/data/file"
	echo deep >"$img/data/sub/deep"
	chown 1234:5678 "$img/data/file"
	chmod 0640 "$img/data/file"
	chmod 0750 "$img/data"
	tar --numeric-owner -C "$img" -c . |
		"$VESSEL" import -c 'VOLUME /data' -c 'CMD ["/bin/sh"]' - vt-volimg:1 >/dev/null
}

teardown_file()
{
	local id
	engine_teardown_file
	for id in $("$VESSEL" volume ls -q 2>/dev/null); do
		"$VESSEL" volume rm -f "$id" >/dev/null 2>&1 || true
	done
}

setup()
{
	NAMES=()
	UNMOUNT=()
}

teardown()
{
	local n
	for n in "${NAMES[@]}"; do
		timeout 30 "$VESSEL" rm -f "$n" >/dev/null 2>&1 || true
	done
	for n in "${UNMOUNT[@]}"; do
		umount -l "$n" 2>/dev/null || true
	done
}

# name VAR: a container (or volume) name unique to this test, removed by teardown.
name()
{
	local _name="vt-vol-$BATS_TEST_NUMBER-${#NAMES[@]}"
	NAMES+=("$_name")
	printf -v "$1" '%s' "$_name"
}

@test "volume create, ls, inspect, rm" {
	run vessel volume create --label team=a -o type=tmpfs -o device=tmpfs -o o=size=1m vt-v1
	[ "$status" -eq 0 ]
	[ "$output" = "vt-v1" ]
	run vessel volume create vt-v1 # docker gives an existing volume back
	[ "$status" -eq 0 ]
	[ "$output" = "vt-v1" ]
	run vessel volume ls
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "DRIVER    VOLUME NAME" ]
	[[ $output == *$'\n'"local     vt-v1"* ]]
	run vessel volume inspect vt-v1
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Name' <<<"$output")" = vt-v1 ]
	[ "$(jq -r '.[0].Driver' <<<"$output")" = local ]
	[ "$(jq -r '.[0].Scope' <<<"$output")" = local ]
	[ "$(jq -r '.[0].Labels.team' <<<"$output")" = a ]
	[ "$(jq -r '.[0].Options.type' <<<"$output")" = tmpfs ]
	[ "$(jq -r '.[0].Options.o' <<<"$output")" = size=1m ]
	[ "$(jq -r '.[0].Mountpoint' <<<"$output")" = "$VESSEL_ROOT/volumes/vt-v1/_data" ]
	[[ $(jq -r '.[0].CreatedAt' <<<"$output") =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	[ "$(vessel volume inspect -f '{{.Name}} {{.Driver}}' vt-v1)" = "vt-v1 local" ]
	# no name: a random one of 64 hex digits
	run vessel volume create
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	local anon=$output
	run vessel volume ls -q --filter name=vt-v
	[ "$output" = vt-v1 ]
	run vessel volume ls --format '{{.Name}} {{.Labels}}' --filter label=team=a
	[ "$output" = "vt-v1 team=a" ]
	run vessel volume rm vt-v1 "$anon"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = vt-v1 ]
	[ "${lines[1]}" = "$anon" ]
	[ ! -e "$VESSEL_ROOT/volumes/vt-v1" ]
	run --separate-stderr vessel volume inspect vt-v1
	[ "$status" -ne 0 ]
	[ "$stderr" = "vessel: get vt-v1: no such volume" ]
	run vessel volume rm -f vt-v1 # -f: a missing volume is no error
	[ "$status" -eq 0 ]
}

@test "a named volume keeps its data across containers; -v and --mount create a missing one" {
	run vessel run --rm -v vt-keep:/data vt-busybox:1 sh -c 'echo kept > /data/f'
	[ "$status" -eq 0 ]
	run vessel run --rm --mount type=volume,src=vt-keep,dst=/other vt-busybox:1 cat /other/f
	[ "$status" -eq 0 ]
	[ "$output" = kept ]
	[ "$(cat "$VESSEL_ROOT/volumes/vt-keep/_data/f")" = kept ]
	run vessel run --rm --mount type=volume,source=vt-made,target=/m vt-busybox:1 sh -c 'touch /m/x && echo ok'
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	vessel volume inspect vt-made >/dev/null
	run vessel run --rm -v vt-keep:/data:ro vt-busybox:1 sh -c 'echo no > /data/f'
	[ "$status" -ne 0 ]
	[ "$(cat "$VESSEL_ROOT/volumes/vt-keep/_data/f")" = kept ]
	vessel volume rm vt-keep vt-made
}

@test "copy-up: a new volume gets the image's content with its owner and mode; nocopy and a full volume do not" {
	run vessel run --rm -v vt-cu:/data vt-volimg:1 sh -c 'cat /data/file /data/sub/deep; stat -c "%u:%g %a" /data/file /data'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "from the image" ]
	[ "${lines[1]}" = deep ]
	[ "${lines[2]}" = "1234:5678 640" ]
	[ "${lines[3]}" = "0:0 750" ]
	# a volume with content is not copied into again
	echo mine >"$VESSEL_ROOT/volumes/vt-cu/_data/file"
	run vessel run --rm -v vt-cu:/data vt-volimg:1 cat /data/file
	[ "$output" = mine ]
	run vessel run --rm -v vt-nc:/data:nocopy vt-volimg:1 ls -A /data
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	vessel volume rm vt-cu vt-nc
}

@test "copy-up: parallel first uses of one new volume copy once, and every container sees all of it" {
	# an image with 3000 files at /many: a copy long enough for the runs to overlap
	local img=$BATS_TEST_TMPDIR/many i pids=() out=$BATS_TEST_TMPDIR/out
	cp -a "$ROOTFS" "$img"
	mkdir -p "$img/many"
	(cd "$img/many" && seq 3000 | xargs touch)
	echo last >"$img/many/3000"
	tar --numeric-owner -C "$img" -c . | "$VESSEL" import -c 'CMD ["/bin/sh"]' - vt-volmany:1 >/dev/null
	# one run first, so that the runs below do not also race on making the cgroup parent
	vessel run --rm --network none vt-volmany:1 true
	for i in 1 2 3 4; do
		timeout 60 "$VESSEL" run --rm --network none -v vt-race:/many vt-volmany:1 \
			sh -c 'ls /many | wc -l; cat /many/3000' >"$out.$i" 2>&1 &
		pids+=($!)
	done
	for i in 1 2 3 4; do
		wait "${pids[i - 1]}" || fail "run $i failed: $(cat "$out.$i")"
		[ "$(cat "$out.$i")" = $'3000\nlast' ] || fail "run $i saw: $(cat "$out.$i")"
	done
	[ "$(find "$VESSEL_ROOT/volumes/vt-race/_data" -mindepth 1 | wc -l)" -eq 3000 ]
	vessel volume rm vt-race
	vessel rmi vt-volmany:1 >/dev/null
}

@test "anonymous volumes: the image's VOLUME and -v /path; rm -v removes them, rm keeps them" {
	local n m
	name n
	name m
	run vessel create --name "$n" -v /scratch vt-volimg:1 cat /data/file
	[ "$status" -eq 0 ]
	local id=$output
	run vessel volume ls -q --filter label=com.docker.volume.anonymous
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^[0-9a-f]{64}$ ]]
	local vols=("${lines[@]}")
	run vessel start -a "$n"
	[ "$output" = "from the image" ]
	# in use by the (exited) container
	run --separate-stderr vessel volume rm "${vols[0]}"
	[ "$status" -ne 0 ]
	[ "$stderr" = "vessel: remove ${vols[0]}: volume is in use - [$id]" ]
	run vessel volume rm -f "${vols[0]}" # as docker: -f does not remove a volume in use
	[ "$status" -ne 0 ]
	run vessel rm -v "$n"
	[ "$status" -eq 0 ]
	run vessel volume ls -q
	[ -z "$output" ]
	[ -z "$(ls "$VESSEL_ROOT/volumes")" ]
	# without -v they stay, and prune takes them (named ones only with -a)
	vessel run --name "$m" -v vt-named:/n vt-volimg:1 true
	vessel rm "$m"
	run vessel volume ls -q
	[ "${#lines[@]}" -eq 2 ]
	run vessel volume prune -f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted Volumes:" ]
	[[ ${lines[1]} =~ ^[0-9a-f]{64}$ ]]
	[[ ${lines[2]} == "Total reclaimed space: "* ]]
	[ "$(vessel volume ls -q)" = vt-named ]
	run vessel volume prune -f -a
	[ "${lines[1]}" = vt-named ]
	[ -z "$(vessel volume ls -q)" ]
}

@test "run --rm drops its anonymous volumes and keeps named ones" {
	run vessel run --rm -v /anon --mount type=volume,dst=/anon2 -v vt-stay:/stay vt-volimg:1 \
		sh -c 'grep -c " /anon" /proc/mounts'
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
	[ "$(vessel volume ls -q)" = vt-stay ]
	run vessel run -d --rm -v /anon vt-volimg:1 true
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		[ "$(vessel volume ls -q)" = vt-stay ] && break
		sleep 0.1
	done
	[ "$(vessel volume ls -q)" = vt-stay ]
	vessel volume rm vt-stay
}

@test "prune keeps a volume in use; dangling filter" {
	local n
	name n
	vessel create --name "$n" -v vt-used:/u vt-busybox:1 true >/dev/null
	vessel volume create vt-free >/dev/null
	[ "$(vessel volume ls -q --filter dangling=true)" = vt-free ]
	[ "$(vessel volume ls -q --filter dangling=false)" = vt-used ]
	run vessel volume prune -a -f
	[ "${lines[1]}" = vt-free ]
	[ "$(vessel volume ls -q)" = vt-used ]
	vessel rm "$n"
	vessel volume rm vt-used
}

@test "--volumes-from: the other container's volumes and binds at the same paths, :ro" {
	local a b
	name a
	name b
	local host=$BATS_TEST_TMPDIR/host
	mkdir -p "$host"
	echo from-host >"$host/h"
	vessel run --name "$a" -v vt-from:/data -v "$host":/host vt-volimg:1 sh -c 'echo shared > /data/s'
	run vessel run --rm --volumes-from "$a" vt-busybox:1 sh -c 'cat /data/s /host/h /data/file; echo more > /data/t'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = shared ]
	[ "${lines[1]}" = from-host ]
	[ "${lines[2]}" = "from the image" ]
	[ "$(cat "$VESSEL_ROOT/volumes/vt-from/_data/t")" = more ]
	run vessel run --rm --volumes-from "$a:ro" vt-busybox:1 sh -c 'echo x > /data/t'
	[ "$status" -ne 0 ]
	# chained: b takes a's, c takes b's
	vessel create --name "$b" --volumes-from "$a" vt-busybox:1 true >/dev/null
	run vessel run --rm --volumes-from "$b" vt-busybox:1 cat /host/h
	[ "$output" = from-host ]
	run --separate-stderr vessel run --rm --volumes-from no-such vt-busybox:1 true
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*"No such container: no-such"* ]]
	run --separate-stderr vessel run --rm --volumes-from "$a:rx" vt-busybox:1 true
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*"invalid mode: rx"* ]]
	vessel rm "$a" "$b"
	vessel volume rm vt-from
}

@test "driver options: a tmpfs volume is a tmpfs inside, unmounted when its last container goes; o=bind" {
	local n
	name n
	vessel volume create -o type=tmpfs -o device=tmpfs -o o=size=2m,mode=0700 vt-tmp >/dev/null
	run vessel run --name "$n" -v vt-tmp:/t vt-busybox:1 sh -c 'grep " /t " /proc/mounts; stat -c %a /t'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "tmpfs /t tmpfs "*"size=2048k"* ]]
	[ "${lines[1]}" = 700 ]
	mountpoint -q "$VESSEL_ROOT/volumes/vt-tmp/_data"
	vessel rm "$n"
	run ! mountpoint -q "$VESSEL_ROOT/volumes/vt-tmp/_data"
	vessel volume rm vt-tmp
	local dir=$BATS_TEST_TMPDIR/bound
	mkdir -p "$dir"
	vessel volume create -o type=none -o device="$dir" -o o=bind vt-bind >/dev/null
	run vessel run --rm -v vt-bind:/b vt-busybox:1 sh -c 'echo through > /b/f'
	[ "$status" -eq 0 ]
	[ "$(cat "$dir/f")" = through ]
	run ! mountpoint -q "$VESSEL_ROOT/volumes/vt-bind/_data"
	vessel volume rm vt-bind
	[ -f "$dir/f" ] # the bound directory itself is never emptied
}

@test "bind propagation: a mount made on the host under a shared bind appears inside" {
	local n
	name n
	local d=$BATS_TEST_TMPDIR/prop
	mkdir -p "$d"
	mount --bind "$d" "$d"
	UNMOUNT+=("$d")
	mount --make-shared "$d"
	mkdir -p "$d/sub"
	run vessel run -d --name "$n" -v "$d":/p:shared vt-busybox:1 \
		sh -c 'for i in $(seq 100); do [ -e /p/sub/marker ] && { echo seen; exit 0; }; sleep 0.1; done; exit 1'
	[ "$status" -eq 0 ]
	local id=$output
	jq -e '.mounts[] | select(.destination == "/p") | .options | index("shared")' \
		"$VESSEL_RUNROOT/containers/$id/config.json" >/dev/null
	mount -t tmpfs tmpfs "$d/sub"
	UNMOUNT=("$d/sub" "${UNMOUNT[@]}")
	touch "$d/sub/marker"
	run vessel wait "$n"
	[ "$output" = 0 ]
	[ "$(vessel logs "$n")" = seen ]
}

@test "bad input: one line prefixed vessel:, a non-zero exit, nothing half-made" {
	local cases=(
		"run -v a:b:c:d vt-busybox:1 true|invalid volume specification"
		"run -v bad\$name:/x vt-busybox:1 true|includes invalid characters for a local volume name"
		"run -v vt-x:relative vt-busybox:1 true|must be absolute"
		"run --mount type=volume,src=vt-x vt-busybox:1 true|target is required"
		"run --mount type=volume,src=vt-x,dst=/x,volume-driver=nfs vt-busybox:1 true|unknown volume driver"
		"run --mount type=volume,src=vt-x,dst=/x,volume-opt=foo=1 vt-busybox:1 true|invalid option: \"foo\""
		"volume create -d nosuch vt-x|plugin \"nosuch\" not found"
		"volume create -o foo=bar vt-x|invalid option: \"foo\""
		"volume create -o type=tmpfs vt-x|missing required option: \"device\""
		"volume create -o o=bind vt-x|missing required option"
		"volume create a/b|includes invalid characters"
		"volume create vt-x vt-y|accepts at most 1 argument"
		"volume create --bogus|unknown flag: --bogus"
		"volume inspect vt-none|get vt-none: no such volume"
		"volume rm vt-none|no such volume"
		"volume ls --filter bogus=1|invalid filter 'bogus'"
		"volume nope|is not a vessel command"
	)
	assert_bad_inputs "${cases[@]}"
	[ -z "$(vessel ps -aq)" ]
	[ -z "$(vessel volume ls -q)" ]
	[ -z "$(ls "$VESSEL_ROOT/volumes")" ]
	run ls "$VESSEL_ROOT/containers"
	[ -z "$output" ]
}
