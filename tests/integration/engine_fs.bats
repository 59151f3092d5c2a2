#!/usr/bin/env bats
# vessel's file commands, as a docker user checks them: cp both ways (files, directories,
# "DIR/.", tar streams, running and stopped containers, a bind mount, no symlink escape),
# export, diff, commit (with -c changes; the image runs), info, system df and prune, and
# their bad input. The image is the busybox rootfs, imported.
# shellcheck disable=SC2016

load helpers

setup_file()
{
	engine_setup_file vt-fs:1
	# one stopped container with known changes, read (never changed) by several tests
	export SHARED=vt-fs-shared
	made "$SHARED"
}

teardown_file()
{
	engine_teardown_file
}

setup()
{
	NAMES=()
	WORK=$BATS_TEST_TMPDIR/w
	mkdir -p "$WORK"
}

teardown()
{
	engine_teardown
}

# made NAME: a stopped container whose command left /d/f1, /d/sub/f2, a symlink /d/ln -> f1,
# and removed /bin/ls.
made()
{
	vessel run --network none --name "$1" vt-fs:1 sh -c \
		'mkdir -p /d/sub && echo one >/d/f1 && echo two >/d/sub/f2 && ln -s f1 /d/ln && rm /bin/ls' >/dev/null
}

@test "cp from a container: a file into a directory, to a new name, a tree, DIR/. into a directory" {
	local n=$SHARED
	vessel cp "$n:/d/f1" "$WORK/"
	[ "$(cat "$WORK/f1")" = one ]
	vessel cp "$n:/d/f1" "$WORK/renamed"
	[ "$(cat "$WORK/renamed")" = one ]
	vessel cp "$n:/d" "$WORK/tree"
	[ "$(cat "$WORK/tree/sub/f2")" = two ]
	[ "$(readlink "$WORK/tree/ln")" = f1 ]
	mkdir "$WORK/existing"
	vessel cp "$n:/d" "$WORK/existing"
	[ -f "$WORK/existing/d/f1" ]
	mkdir "$WORK/contents"
	vessel cp "$n:/d/." "$WORK/contents"
	[ -f "$WORK/contents/f1" ] && [ -f "$WORK/contents/sub/f2" ] && [ ! -e "$WORK/contents/d" ]
	# -L copies what a symlink points to
	vessel cp -L "$n:/d/ln" "$WORK/followed"
	[ -f "$WORK/followed" ] && [ ! -L "$WORK/followed" ] && [ "$(cat "$WORK/followed")" = one ]
}

@test "cp into a stopped container: files are root's unless -a; the container sees them" {
	name n
	made "$n"
	mkdir -p "$WORK/src/inner"
	echo hello >"$WORK/src/inner/h"
	chown -R 1234:1234 "$WORK/src"
	vessel cp "$WORK/src" "$n:/d/"
	vessel cp -a "$WORK/src/inner/h" "$n:/d/kept"
	run vessel start -a "$n"
	vessel cp "$n:/d" - | tar -tv >"$WORK/list"
	grep -E ' 0/0 .* d/src/inner/h$' "$WORK/list"
	grep -E ' 1234/1234 .* d/kept$' "$WORK/list"
	rm -rf "$WORK/back"
	vessel cp "$n:/d/src/inner/h" "$WORK/back"
	[ "$(cat "$WORK/back")" = hello ]
}

@test "cp with a running container: its bind mount is seen, a file copied in is read by exec" {
	name n
	mkdir -p "$WORK/vol"
	echo "from the host" >"$WORK/vol/inside"
	vessel run --network none -d --name "$n" -v "$WORK/vol:/data" vt-fs:1 sleep 60 >/dev/null
	run vessel cp "$n:/data/inside" -
	[ "$status" -eq 0 ]
	[[ $output == *"from the host"* ]]
	echo payload >"$WORK/p"
	vessel cp "$WORK/p" "$n:/data/"
	[ "$(cat "$WORK/vol/p")" = payload ]
	vessel cp "$WORK/p" "$n:/tmp/p2"
	run vessel exec "$n" cat /tmp/p2
	[ "$output" = payload ]
}

@test "cp with a stopped container sees its volumes and bind mounts, both ways; nothing stays mounted" {
	name n
	local bind=$BATS_TEST_TMPDIR/bind
	mkdir -p "$bind"
	vessel run --network none --name "$n" -v vt-fs-vol:/named -v /anon -v "$bind:/bound" -v vt-fs-ro:/ro:ro \
		vt-fs:1 sh -c 'echo in-named >/named/f; echo in-anon >/anon/f; echo in-bind >/bound/f' >/dev/null
	# out of the stopped container: what it wrote into each
	vessel cp "$n:/named/f" "$WORK/named"
	vessel cp "$n:/anon/f" "$WORK/anon"
	vessel cp "$n:/bound" "$WORK/bound"
	[ "$(cat "$WORK/named")" = in-named ]
	[ "$(cat "$WORK/anon")" = in-anon ]
	[ "$(cat "$WORK/bound/f")" = in-bind ]
	# into it: the files land in the volume and the bind mount, not the container's layer
	echo up >"$WORK/up"
	vessel cp "$WORK/up" "$n:/named/up"
	vessel cp "$WORK/up" "$n:/bound/up"
	[ "$(cat "$VESSEL_ROOT/volumes/vt-fs-vol/_data/up")" = up ]
	[ "$(cat "$bind/up")" = up ]
	run vessel diff "$n"
	[[ $output != *"/named/up"* ]] && [[ $output != *"/bound/up"* ]]
	run vessel run --rm --network none -v vt-fs-vol:/v vt-fs:1 cat /v/up
	[ "$output" = up ]
	# a read-only volume stays so
	run --separate-stderr vessel cp "$WORK/up" "$n:/ro/up"
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*"/ro/up: read-only file system" ]]
	[ ! -e "$VESSEL_ROOT/volumes/vt-fs-ro/_data/up" ]
	# the binds were made in cp's own mount namespace: none is left on the host
	! awk '{ print $5 }' /proc/self/mountinfo | grep -q '/merged/'
	vessel rm -v "$n" >/dev/null
	vessel volume rm vt-fs-vol vt-fs-ro >/dev/null
}

@test "cp tar streams: a container's tree to stdout, a tar from stdin into a directory" {
	name n
	made "$n"
	run bash -c "'$VESSEL' cp '$n:/d' - | tar -t | sort"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'd/\nd/f1\nd/ln\nd/sub/\nd/sub/f2')" ]
	mkdir -p "$WORK/t/x"
	echo streamed >"$WORK/t/x/s"
	tar -C "$WORK/t" -c x | vessel cp - "$n:/d/sub"
	vessel cp "$n:/d/sub/x/s" "$WORK/s"
	[ "$(cat "$WORK/s")" = streamed ]
	# a tar with ../ in a name is refused, and nothing of it is written
	tar -C "$WORK/t" -c -P --transform 's,^x,../../x,' -f "$WORK/evil.tar" x
	run --separate-stderr bash -c "'$VESSEL' cp - '$n:/d' <'$WORK/evil.tar'"
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*'".."'* ]]
	run vessel cp "$n:/x" -
	[ "$status" -ne 0 ]
}

@test "cp never leaves the container's root: a symlink to / and ../.. stay inside" {
	name n
	vessel run --network none --name "$n" vt-fs:1 sh -c 'ln -s / /escape; mkdir /target' >/dev/null
	local marker="vessel-fs-escape-$$-$BATS_TEST_NUMBER"
	echo x >"$WORK/$marker"
	vessel cp "$WORK/$marker" "$n:/escape/target/"
	[ ! -e "/target/$marker" ]
	vessel cp "$n:/target/$marker" "$WORK/got"
	[ "$(cat "$WORK/got")" = x ]
	vessel cp "$WORK/$marker" "$n:/../../../../tmp/"
	[ ! -e "/tmp/$marker" ]
	vessel cp "$n:/tmp/$marker" "$WORK/got2"
	run vessel cp "$n:/../../../etc/hostname" -
	[ "$status" -eq 0 ]
	[[ $output != *"$(hostname)"* ]]
}

@test "export: the container's root as a tar, to stdout or -o" {
	local n=$SHARED
	vessel export "$n" | tar -t >"$WORK/list"
	grep -qx 'bin/busybox' "$WORK/list"
	grep -qx 'd/sub/f2' "$WORK/list"
	! grep -qx 'bin/ls' "$WORK/list"
	vessel export -o "$WORK/e.tar" "$n"
	[ "$(tar -xOf "$WORK/e.tar" d/f1)" = one ]
}

@test "diff: A, C and D lines from the container's changes" {
	local n=$SHARED
	run vessel diff "$n"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'C /bin\nD /bin/ls\nA /d\nA /d/f1\nA /d/ln\nA /d/sub\nA /d/sub/f2')" ]
}

@test "commit: the changes as an image with -c changes, -m and -a; the image runs" {
	local n=$SHARED
	name m
	run vessel commit -a "Tester <t@example.org>" -m "made by a test" \
		-c 'CMD ["cat", "/d/f1"]' -c 'ENV GREETING="hello there" B=2' -c 'LABEL stage=test' \
		-c 'EXPOSE 8080/udp' -c 'WORKDIR /d' -c 'STOPSIGNAL SIGINT' "$n" vt-fs-committed:1
	[ "$status" -eq 0 ]
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	local id=$output
	run vessel run --network none --rm vt-fs-committed:1
	[ "$output" = one ]
	run vessel run --network none --rm vt-fs-committed:1 sh -c 'echo "$GREETING $B $(pwd)"; test -e /bin/ls || echo gone'
	[ "$output" = "$(printf 'hello there 2 /d\ngone')" ]
	run vessel image inspect -f '{{.Author}}|{{.Config.Labels.stage}}|{{.Config.StopSignal}}' "$id"
	[ "$output" = "Tester <t@example.org>|test|SIGINT" ]
	run vessel image inspect -f '{{json .Config.ExposedPorts}}' vt-fs-committed:1
	[ "$output" = '{"8080/udp":{}}' ]
	run vessel history vt-fs-committed:1
	[[ ${lines[1]} == *"made by a test"* ]]
	# a commit of the committed image's container stacks a further layer
	vessel run --network none --name "$m" vt-fs-committed:1 sh -c 'echo three > /d/f3' >/dev/null
	vessel commit "$m" vt-fs-committed:2 >/dev/null
	run vessel run --network none --rm vt-fs-committed:2 cat /d/f3
	[ "$output" = three ]
	vessel rm "$m" >/dev/null
	vessel rmi vt-fs-committed:2 vt-fs-committed:1 >/dev/null
}

@test "commit of a running container; ENTRYPOINT without CMD clears the image's CMD" {
	name n
	vessel run --network none -d --name "$n" vt-fs:1 sh -c 'echo live > /live; sleep 60' >/dev/null
	sleep 0.3
	vessel commit -c 'ENTRYPOINT ["cat"]' "$n" vt-fs-live:1 >/dev/null
	# paused for the commit (docker's default -p), running again after it
	run vessel ps --filter "name=$n" --format '{{.State}}'
	[ "$output" = running ]
	vessel commit --pause=false "$n" >/dev/null
	run vessel run --network none --rm vt-fs-live:1 /live
	[ "$output" = live ]
	run vessel image inspect -f '{{json .Config.Cmd}}' vt-fs-live:1
	[ "$output" = null ]
	vessel rmi vt-fs-live:1 >/dev/null
}

@test "info and system df: docker's shapes and counts" {
	local n=$SHARED
	run vessel info
	[ "$status" -eq 0 ]
	[[ $output == *"Storage Driver: overlay2"* ]]
	[[ $output == *"Cgroup Version: "[12]* ]]
	[[ $output == *" Docker Root Dir: $VESSEL_ROOT"* ]]
	[[ $output == *" CPUs: $(nproc)"* ]]
	local count
	count=$(vessel ps -aq | wc -l)
	run vessel info --format '{{.Containers}} {{.ContainersStopped}}'
	[ "$output" = "$count $count" ]
	vessel info --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["Driver"]=="overlay2"'
	run vessel system df
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]]
	[[ ${lines[1]} =~ ^Images\ +$(vessel images -q | wc -l)\ +1\  ]]
	[[ ${lines[2]} =~ ^Containers\ +$count\ +0\  ]]
	run vessel system df --format '{{.Type}}'
	[ "$output" = "$(printf 'Images\nContainers\nLocal Volumes\nBuild Cache')" ]
	run vessel system df -v
	[[ $output == *"Containers space usage:"* ]]
	[[ $output == *"$n"* ]]
}

@test "ps and system df -v: a command cut with … (3 bytes, 1 column) keeps the columns aligned" {
	name n
	vessel run --network none --name "$n" vt-fs:1 true >/dev/null
	local LC_ALL=C.UTF-8 table line pre col=""
	for table in "$(vessel ps -a)" "$(vessel system df -v)"; do
		col=""
		while IFS= read -r line; do
			[[ $line == *"$SHARED"* || $line == *" $n"* ]] || continue
			[[ $line == *"$SHARED"* ]] && [[ $line != *…* ]] && fail "the long command is not cut: $line"
			# the NAMES column (the last) starts at the same character in both rows
			pre=${line%"$SHARED"}
			pre=${pre%"$n"}
			[ -z "$col" ] || [ "${#pre}" -eq "$col" ] || fail "misaligned: $table"
			col=${#pre}
		done <<<"$table"
		[ -n "$col" ]
	done
}

@test "bad input: one line prefixed vessel:, a non-zero exit, nothing half-made" {
	local n=$SHARED
	local cases=(
		"cp $n:/no/such/file $WORK/|Could not find the file /no/such/file in container $n"
		"cp $WORK/nothing-here $n:/tmp/|no such file or directory"
		"cp $BATS_TEST_FILENAME $n:/no/dir/x|Could not find the file /no/dir in container $n"
		"cp $n:/d/f1 $WORK/no/such/dir/x|does not exist"
		"cp $n:/d/f1 $WORK/newdir/|does not exist"
		"cp $n:/d $BATS_TEST_FILENAME|cannot copy a directory"
		"cp $n:/d/f1/ $WORK/|not a directory"
		"cp no-such-container:/x $WORK/|No such container: no-such-container"
		"cp $n:/a $n:/b|copying between containers is not supported"
		"cp $WORK/a $WORK/b|must specify at least one container source"
		"cp $n:/d|requires exactly 2 arguments"
		"export no-such-container|No such container"
		"diff no-such-container|No such container"
		"commit no-such-container|No such container"
		"commit -c FROB=1 $n|FROB=1 is not a valid change command"
		"commit $n bad:tag:format|invalid reference format"
		"system nope|is not a vessel command"
		"info --bogus|unknown flag"
	)
	local before
	before=$(vessel images -q | sort)
	assert_bad_inputs "${cases[@]}"
	run --separate-stderr vessel commit -c 'EXPOSE 99999' "$n"
	[ "$status" -eq 1 ]
	[ "$stderr" = 'vessel: invalid change "EXPOSE 99999": bad EXPOSE argument' ]
	run --separate-stderr vessel commit -c 'ENV A="unterminated' "$n"
	[ "$status" -eq 1 ]
	[ "$stderr" = 'vessel: invalid change "ENV A="unterminated": bad ENV argument' ]
	[ "$(vessel images -q | sort)" = "$before" ]
	run --separate-stderr vessel export -o "$WORK/no.tar" no-such-container
	[ "$status" -ne 0 ]
	[ ! -e "$WORK/no.tar" ]
	[ ! -e "$WORK/newdir" ]
}

@test "--help of cp, commit, export, diff and system reads like docker's" {
	run vessel cp --help
	[[ $output == *"Usage:  vessel cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-"* ]]
	[[ $output == *"-L, --follow-link"* ]]
	run vessel commit --help
	[[ $output == *"-c, --change list"* ]]
	run vessel export --help
	[[ $output == *"-o, --output string"* ]]
	run vessel system --help
	[[ $output == *"prune"* ]]
}

@test "system prune -f: stopped containers and dangling images go, running ones stay" {
	name n
	name m
	name k
	made "$n"
	vessel run --network none -d --name "$m" vt-fs:1 sleep 60 >/dev/null
	vessel run --network none --name "$k" vt-fs:1 sh -c 'echo x > /x' >/dev/null
	local dangling
	dangling=$(vessel commit "$k")
	run vessel system prune -f
	[ "$status" -eq 0 ]
	[[ $output == "Deleted Containers:"* ]]
	[[ $output == *"deleted: $dangling"* ]]
	[[ ${lines[-1]} =~ ^Total\ reclaimed\ space:\ [0-9.]+[kMG]?B$ ]]
	run vessel ps -a --format '{{.Names}}'
	[ "$output" = "$m" ]
	run vessel images -q
	[ "${#lines[@]}" -eq 1 ]
	# without -f it asks, and "n" keeps everything
	vessel stop -t 1 "$m" >/dev/null
	run bash -c "echo n | '$VESSEL' system prune"
	[[ $output == *"Are you sure you want to continue? [y/N]"* ]]
	run vessel ps -aq
	[ -n "$output" ]
}
