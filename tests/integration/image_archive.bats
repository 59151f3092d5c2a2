#!/usr/bin/env bats
# vessel save, load and import: docker-archive and oci-archive read and written by skopeo,
# umoci and podman; round trips keep the image ID; bad archives change nothing in the store.
# shellcheck disable=SC2016,SC2154 # jq programs in single quotes; bats sets stderr and stderr_lines

load helpers

VESSEL=$VESSEL_BUILD/cmd/vessel/vessel

setup_file()
{
	export ROOTFS=$BATS_FILE_TMPDIR/rootfs LAYOUT=$BATS_FILE_TMPDIR/layout
	"$REPO/tests/lib/make-busybox-rootfs.sh" "$ROOTFS" >/dev/null
	tar --numeric-owner -C "$ROOTFS" -cf "$BATS_FILE_TMPDIR/rootfs.tar" .
	gzip -c "$BATS_FILE_TMPDIR/rootfs.tar" >"$BATS_FILE_TMPDIR/rootfs.tar.gz"
	# umoci-made images (busybox, layered with whiteouts, a multi-arch index).
	"$REPO/tests/lib/make-test-images.sh" "$LAYOUT" >/dev/null
}

setup()
{
	export VESSEL_ROOT=$BATS_TEST_TMPDIR/store
	T=$BATS_TEST_TMPDIR
}

vessel()
{
	timeout 120 "$VESSEL" "$@"
}

# What a failed command must not change: images, names, blobs, layers, the layout's index.
store_snapshot()
{
	vessel images -a -q --no-trunc
	vessel images --format '{{.Repository}}:{{.Tag}} {{.ID}}' 2>/dev/null || true
	(cd "$VESSEL_ROOT" && find oci layers -mindepth 1 -maxdepth 2 | sort && cat oci/index.json)
	if [[ -d $VESSEL_ROOT/tmp ]]; then (cd "$VESSEL_ROOT" && find tmp -mindepth 1); fi
}

# run_fails CMD...: non-zero status, exactly one line on stderr, "vessel: " first.
run_fails()
{
	run --separate-stderr "$@"
	[[ $status -ne 0 ]] || fail "exit status 0, wanted an error; stdout: $output"
	((${#stderr_lines[@]} == 1)) || fail "wanted one line on stderr, got: $(printf '[%s] ' "${stderr_lines[@]}")"
	[[ ${stderr_lines[0]} == "vessel: "* ]] || fail "no 'vessel: ' prefix: ${stderr_lines[0]}"
}

# A store holding busybox from an import, so that failures have something to leave alone.
seed_store()
{
	vessel import "$BATS_FILE_TMPDIR/rootfs.tar" seed:1 >/dev/null
}

# tar_dir DIR OUT: DIR's contents as the tar OUT, names in order.
tar_dir()
{
	(cd "$1" && tar --numeric-owner -cf "$2" --sort=name .)
}

sha()
{
	sha256sum "$1" | sed 's/^/sha256:/; s/ .*//'
}

# ---------------------------------------------------------------------------- import

@test "import: a plain tarball becomes a one-layer image whose diff ID is the tarball's digest" {
	run --separate-stderr vessel import "$BATS_FILE_TMPDIR/rootfs.tar" test/imported:1
	assert_status 0
	id=$output
	[[ $id =~ ^sha256:[0-9a-f]{64}$ ]] || fail "not an image ID: $id"
	run vessel images -q --no-trunc test/imported:1
	assert_output_is "$id"
	vessel save -o "$T/a.tar" test/imported:1
	mkdir "$T/a" && tar -C "$T/a" -xf "$T/a.tar"
	cfg=$T/a/${id#sha256:}.json
	[[ $(sha "$cfg") == "$id" ]] || fail "config digest is not the image ID"
	[[ $(jq -r '.rootfs.diff_ids[0]' "$cfg") == $(sha "$BATS_FILE_TMPDIR/rootfs.tar") ]]
	[[ $(jq -r .os "$cfg") == linux ]]
	[[ $(jq -r .architecture "$cfg") == $(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/') ]]
	[[ $(jq -r '.history[0].comment' "$cfg") == "Imported from $BATS_FILE_TMPDIR/rootfs.tar" ]]
	[[ $(jq -r '.history | length' "$cfg") == 1 ]]
}

@test "import: gzip from stdin, every -c instruction, -m and --platform" {
	run --separate-stderr vessel import \
		-c 'CMD ["/bin/sh", "-c", "echo hi"]' -c 'ENTRYPOINT /bin/env' -c 'ENV A=1 B="two words"' \
		-c 'ENV C three four' -c 'EXPOSE 80 53/udp' -c 'LABEL org.test.a=x "org.test.b"="y z"' \
		-c 'USER nobody' -c 'VOLUME ["/data", "/cache"]' -c 'WORKDIR /srv' -m "a message" \
		--platform linux/arm64/v8 - test/changed <"$BATS_FILE_TMPDIR/rootfs.tar.gz"
	assert_status 0
	id=$output
	vessel save --format oci-archive -o "$T/o.tar" test/changed
	mkdir "$T/o" && tar -C "$T/o" -xf "$T/o.tar"
	manifest=$T/o/blobs/sha256/$(jq -r '.manifests[0].digest' "$T/o/index.json" | cut -d: -f2)
	# gzip is kept as it came: the layer blob is the input's bytes
	[[ $(jq -r '.layers[0].mediaType' "$manifest") == application/vnd.oci.image.layer.v1.tar+gzip ]]
	[[ $(jq -r '.layers[0].digest' "$manifest") == $(sha "$BATS_FILE_TMPDIR/rootfs.tar.gz") ]]
	cfg=$T/o/blobs/sha256/${id#sha256:}
	[[ $(jq -r '.rootfs.diff_ids[0]' "$cfg") == $(sha "$BATS_FILE_TMPDIR/rootfs.tar") ]]
	run jq -c '[.architecture, .variant, .history[0].comment]' "$cfg"
	assert_output_is '["arm64","v8","a message"]'
	run jq -c .config "$cfg"
	assert_output_is '{"Cmd":["/bin/sh","-c","echo hi"],"Entrypoint":["/bin/sh","-c","/bin/env"],"Env":["A=1","B=two words","C=three four"],"ExposedPorts":{"80/tcp":{},"53/udp":{}},"Labels":{"org.test.a":"x","org.test.b":"y z"},"User":"nobody","Volumes":{"/data":{},"/cache":{}},"WorkingDir":"/srv"}'
	run jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$T/o/index.json"
	assert_output_is docker.io/test/changed:latest
}

@test "import: xz is stored decompressed; an image saved by ID has no RepoTags" {
	xz -c "$BATS_FILE_TMPDIR/rootfs.tar" >"$T/rootfs.tar.xz"
	run --separate-stderr vessel import "$T/rootfs.tar.xz"
	assert_status 0
	id=$output
	vessel save --format oci-archive -o "$T/o.tar" "$id"
	mkdir "$T/o" && tar -C "$T/o" -xf "$T/o.tar"
	manifest=$T/o/blobs/sha256/$(jq -r '.manifests[0].digest' "$T/o/index.json" | cut -d: -f2)
	run jq -r '.layers[0] | .mediaType + " " + .digest' "$manifest"
	assert_output_is "application/vnd.oci.image.layer.v1.tar $(sha "$BATS_FILE_TMPDIR/rootfs.tar")"
	run jq -c '.manifests[0].annotations' "$T/o/index.json"
	assert_output_is null
	vessel save -o "$T/x.tar" "${id:7:12}"
	run jq -r '.[0].RepoTags' <(tar -xOf "$T/x.tar" manifest.json)
	assert_output_is null
}

@test "import: a URL, an unknown instruction, random bytes and a hostile tarball are refused; the store is unchanged" {
	seed_store
	before=$(store_snapshot)
	run_fails vessel import http://127.0.0.1:1/rootfs.tar
	[[ $stderr == *"URL is not supported"* ]] || fail "$stderr"
	run_fails vessel import -c 'RUN true' "$BATS_FILE_TMPDIR/rootfs.tar"
	assert_status 125
	[[ $stderr == *"RUN is not a valid change command"* ]] || fail "$stderr"
	run_fails vessel import -c 'EXPOSE 99999' "$BATS_FILE_TMPDIR/rootfs.tar"
	assert_status 125
	head -c 100000 /dev/urandom >"$T/random"
	run_fails vessel import "$T/random" junk:1
	python3 - "$T/evil.tar" <<-'EOF'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1], "w") as t:
		    data = b"pwned\n"
		    ti = tarfile.TarInfo("../../../../../../tmp/vessel-import-escape")
		    ti.size = len(data)
		    t.addfile(ti, io.BytesIO(data))
	EOF
	run_fails vessel import "$T/evil.tar" evil:1
	[[ ! -e /tmp/vessel-import-escape ]]
	run_fails vessel import "$T/missing.tar"
	[[ $stderr == *"$T/missing.tar"* ]] || fail "$stderr"
	[[ $(store_snapshot) == "$before" ]] || fail "store changed: $(diff <(echo "$before") <(store_snapshot))"
}

# ---------------------------------------------------------------------------- save

@test "save: docker-archive that skopeo reads, copies and agrees with on digests" {
	id=$(vessel import "$BATS_FILE_TMPDIR/rootfs.tar.gz" test/bb:1)
	run_fails vessel save --format tarball test/bb:1
	assert_status 125
	vessel save test/bb:1 >"$T/d.tar"
	run skopeo inspect --config "docker-archive:$T/d.tar"
	assert_status 0
	diff_id=$(jq -r '.rootfs.diff_ids[0]' <<<"$output")
	[[ $diff_id == $(sha "$BATS_FILE_TMPDIR/rootfs.tar") ]]
	# the layer is saved uncompressed: its digest is the diff ID
	mkdir "$T/d" && tar -C "$T/d" -xf "$T/d.tar"
	[[ $(sha "$T/d/$(jq -r '.[0].Layers[0]' "$T/d/manifest.json")") == "$diff_id" ]]
	run jq -c '.[0].RepoTags' "$T/d/manifest.json"
	assert_output_is '["test/bb:1"]'
	[[ $(jq -r '.["test/bb"]["1"]' "$T/d/repositories") == "${diff_id#sha256:}" ]]
	[[ $(skopeo inspect --raw "docker-archive:$T/d.tar" | jq -r .config.digest) == "$id" ]]
	skopeo copy -q "docker-archive:$T/d.tar" "oci:$T/copy:bb"
	[[ $(skopeo inspect --config "oci:$T/copy:bb" | jq -r '.rootfs.diff_ids[0]') == "$diff_id" ]]
}

@test "save: oci-archive that skopeo and umoci read and unpack" {
	id=$(vessel import "$BATS_FILE_TMPDIR/rootfs.tar" test/bb:1)
	vessel save --format oci-archive -o "$T/o.tar" test/bb:1
	run skopeo inspect "oci-archive:$T/o.tar"
	assert_status 0
	[[ $(jq -r '.Layers[0]' <<<"$output") == $(sha "$BATS_FILE_TMPDIR/rootfs.tar") ]]
	[[ $(skopeo inspect --raw "oci-archive:$T/o.tar" | jq -r .config.digest) == "$id" ]]
	mkdir "$T/layout" && tar -C "$T/layout" -xf "$T/o.tar"
	run umoci ls --layout "$T/layout"
	assert_output_is docker.io/test/bb:1
	umoci unpack --image "$T/layout:docker.io/test/bb:1" "$T/bundle"
	[[ -x $T/bundle/rootfs/bin/busybox ]]
	cmp "$T/bundle/rootfs/bin/busybox" "$ROOTFS/bin/busybox"
}

@test "save: refuses a terminal, an unknown image; -o leaves nothing on failure" {
	seed_store
	run script -qec "$VESSEL save seed:1" /dev/null
	[[ $status -ne 0 ]]
	[[ $output == *"cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]] || fail "$output"
	run_fails vessel save -o "$T/out.tar" seed:1 nosuch:1
	[[ $stderr == *"nosuch"* ]] || fail "$stderr"
	[[ ! -e $T/out.tar ]]
	[[ -z $(find "$T" -maxdepth 1 -name '.out.tar*') ]]
	run_fails vessel save
	assert_status 125
}

@test "save: two names of one image and a second image share one archive; layers once" {
	id=$(vessel import "$BATS_FILE_TMPDIR/rootfs.tar" one:1)
	vessel tag one:1 two:2
	vessel import -c 'CMD ["/bin/true"]' "$BATS_FILE_TMPDIR/rootfs.tar" other:1 >/dev/null
	vessel save -o "$T/m.tar" one:1 two:2 other:1
	run jq -c '[.[].RepoTags]' <(tar -xOf "$T/m.tar" manifest.json)
	assert_output_is '[["one:1","two:2"],["other:1"]]'
	[[ $(tar -tf "$T/m.tar" | grep -c layer.tar) == 1 ]]
	vessel rmi one:1 two:2 other:1 >/dev/null
	run --separate-stderr vessel load -i "$T/m.tar"
	assert_status 0
	assert_output_is $'Loaded image: one:1\nLoaded image: two:2\nLoaded image: other:1'
	[[ $(vessel images -q --no-trunc two:2) == "$id" ]]
}

# ---------------------------------------------------------------------------- round trips

@test "round trip: import, save, rmi, load gives the same image ID (docker-archive and oci-archive)" {
	id=$(vessel import "$BATS_FILE_TMPDIR/rootfs.tar.gz" rt:1)
	for format in docker-archive oci-archive; do
		vessel save --format $format -o "$T/$format.tar" rt:1
		vessel rmi rt:1 >/dev/null
		[[ -z $(vessel images -q) ]]
		run --separate-stderr vessel load -q -i "$T/$format.tar"
		assert_status 0
		assert_output_is "Loaded image: rt:1"
		[[ $(vessel images -q --no-trunc rt:1) == "$id" ]] || fail "$format: $(vessel images --no-trunc)"
	done
	# by ID: no name, "Loaded image ID"
	vessel save -o "$T/by-id.tar" "${id:7:12}"
	vessel rmi rt:1 >/dev/null
	run --separate-stderr vessel load <"$T/by-id.tar"
	assert_output_is "Loaded image ID: $id"
	# compressed archives load too
	gzip -c "$T/docker-archive.tar" | vessel load >/dev/null
	zstd -q -c "$T/oci-archive.tar" | vessel load >/dev/null
	[[ $(vessel images -q --no-trunc rt:1) == "$id" ]]
}

# ---------------------------------------------------------------------------- load

@test "load: what skopeo copy writes, docker-archive (plain and gzip) and oci-archive" {
	busybox_config=$(skopeo inspect --raw "oci:$LAYOUT:busybox" | jq -r .config.digest)
	skopeo copy -q "oci:$LAYOUT:busybox" "docker-archive:$T/sd.tar:test/busybox:1"
	run --separate-stderr vessel load -i "$T/sd.tar"
	assert_status 0
	assert_output_is "Loaded image: test/busybox:1"
	[[ $(vessel images -q --no-trunc test/busybox:1) == "$busybox_config" ]]
	vessel rmi test/busybox:1 >/dev/null
	gzip -c "$T/sd.tar" >"$T/sd.tar.gz"
	run --separate-stderr vessel load -i "$T/sd.tar.gz"
	assert_output_is "Loaded image: test/busybox:1"
	skopeo copy -q "oci:$LAYOUT:layered" "oci-archive:$T/so.tar:test/layered:2"
	run --separate-stderr vessel load -i "$T/so.tar"
	assert_status 0
	assert_output_is "Loaded image: test/layered:2"
	[[ $(vessel images -q --no-trunc test/layered:2) == $(skopeo inspect --raw "oci:$LAYOUT:layered" | jq -r .config.digest) ]]
}

@test "load: an oci-archive holding an index picks the host's platform" {
	[[ $(uname -m) == x86_64 ]] || skip "the test index has linux/amd64 and linux/arm64 only"
	skopeo copy -q --all "oci:$LAYOUT:multiarch" "oci-archive:$T/multi.tar:test/multi:1"
	run --separate-stderr vessel load -i "$T/multi.tar"
	assert_status 0
	assert_output_is "Loaded image: test/multi:1"
	[[ $(vessel images -q --no-trunc test/multi:1) == $(skopeo inspect --raw "oci:$LAYOUT:busybox" | jq -r .config.digest) ]]
}

@test "load: what podman save writes (docker-archive and oci-archive)" {
	local proot=$T/podman
	pod() { timeout 120 podman --root "$proot/root" --runroot "$proot/run" --storage-driver vfs "$@"; }
	skopeo copy -q "oci:$LAYOUT:busybox" "docker-archive:$T/src.tar:test/pbusy:1"
	if ! pod load -q -i "$T/src.tar" >"$T/podman.log" 2>&1; then
		skip "podman cannot load an image here: $(tail -1 "$T/podman.log")"
	fi
	pod save -o "$T/p-docker.tar" test/pbusy:1
	pod save --format oci-archive -o "$T/p-oci.tar" test/pbusy:1
	want=$(skopeo inspect --raw "oci:$LAYOUT:busybox" | jq -r .config.digest)
	run --separate-stderr vessel load -i "$T/p-docker.tar"
	assert_status 0
	assert_output_is "Loaded image: test/pbusy:1"
	[[ $(vessel images -q --no-trunc test/pbusy:1) == "$want" ]]
	vessel rmi test/pbusy:1 >/dev/null
	run --separate-stderr vessel load -i "$T/p-oci.tar"
	assert_status 0
	assert_output_is "Loaded image: test/pbusy:1"
	# podman rewrites the config for OCI: the image is the one its manifest names
	oci_id=$(skopeo inspect --raw "oci-archive:$T/p-oci.tar" | jq -r .config.digest)
	[[ $(vessel images -q --no-trunc test/pbusy:1) == "$oci_id" ]]
	# and podman loads what vessel saves
	pod rmi -a -f >/dev/null 2>&1
	vessel save -o "$T/v.tar" test/pbusy:1
	pod load -q -i "$T/v.tar" >/dev/null
	[[ $(pod images -q --no-trunc) == "$oci_id" ]] || fail "podman has $(pod images --no-trunc)"
	pod rmi -a -f >/dev/null 2>&1 || true
}

# A docker-archive made by hand from a layer tar: $T/bad/ with manifest.json, config, layer.
make_docker_archive()
{
	local layer=$1 diff_id=${2:-}
	rm -rf "$T/bad" && mkdir -p "$T/bad/l"
	cp "$layer" "$T/bad/l/layer.tar"
	[[ -n $diff_id ]] || diff_id=$(sha "$T/bad/l/layer.tar")
	jq -cn --arg d "$diff_id" '{architecture: "amd64", os: "linux", config: {},
		rootfs: {type: "layers", diff_ids: [$d]}}' >"$T/bad/c.json"
	jq -cn '[{Config: "c.json", RepoTags: ["bad:1"], Layers: ["l/layer.tar"]}]' >"$T/bad/manifest.json"
}

@test "load: bad archives fail with one line naming the member; the store is unchanged" {
	seed_store
	before=$(store_snapshot)
	vessel save -o "$T/good.tar" seed:1

	head -c 100000 "$T/good.tar" >"$T/truncated.tar"
	run_fails vessel load -i "$T/truncated.tar"
	[[ ${stderr,,} == *"load: "*"truncated"* ]] || fail "$stderr"

	head -c 65536 /dev/urandom >"$T/random"
	run_fails vessel load -i "$T/random"

	run_fails vessel load </dev/null

	tar -C "$ROOTFS" -cf "$T/plain.tar" etc
	run_fails vessel load -i "$T/plain.tar"
	[[ $stderr == *"not a docker-archive or oci-archive: no manifest.json or index.json"* ]] || fail "$stderr"

	make_docker_archive "$BATS_FILE_TMPDIR/rootfs.tar"
	jq -c '.[0].Layers = ["missing/layer.tar"]' "$T/bad/manifest.json" >"$T/m" && mv "$T/m" "$T/bad/manifest.json"
	tar_dir "$T/bad" "$T/missing.tar"
	run_fails vessel load -i "$T/missing.tar"
	[[ $stderr == *"manifest.json: [0].Layers[0]: missing/layer.tar: no such file in the archive"* ]] || fail "$stderr"

	make_docker_archive "$BATS_FILE_TMPDIR/rootfs.tar" "sha256:$(printf '%064d' 0)"
	tar_dir "$T/bad" "$T/diffid.tar"
	run_fails vessel load -i "$T/diffid.tar"
	[[ $stderr == *"Layers[0]"*"diff ID mismatch"* ]] || fail "$stderr"

	gzip -c "$BATS_FILE_TMPDIR/rootfs.tar" >"$T/layer.gz"
	make_docker_archive "$T/layer.gz" "sha256:$(printf '%064d' 0)"
	tar_dir "$T/bad" "$T/diffid-gz.tar"
	run_fails vessel load -i "$T/diffid-gz.tar"
	[[ $stderr == *"Layers[0]"*"diff ID mismatch"* ]] || fail "$stderr"

	python3 - "$T/evil-layer.tar" <<-'EOF'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1], "w") as t:
		    data = b"pwned\n"
		    ti = tarfile.TarInfo("../../../../../../tmp/vessel-load-escape")
		    ti.size = len(data)
		    t.addfile(ti, io.BytesIO(data))
	EOF
	make_docker_archive "$T/evil-layer.tar"
	tar_dir "$T/bad" "$T/evil.tar"
	run_fails vessel load -i "$T/evil.tar"
	[[ $stderr == *"Layers[0]"* ]] || fail "$stderr"
	[[ ! -e /tmp/vessel-load-escape ]]

	make_docker_archive "$BATS_FILE_TMPDIR/rootfs.tar"
	echo '[{"Config": 5}]' >"$T/bad/manifest.json"
	tar_dir "$T/bad" "$T/badjson.tar"
	run_fails vessel load -i "$T/badjson.tar"
	[[ $stderr == *"manifest.json: [0].Config: a string is required"* ]] || fail "$stderr"

	# an oci-archive whose layer blob does not match its digest
	mkdir "$T/o" && tar -C "$T/o" -xf <(vessel save --format oci-archive seed:1)
	manifest=$T/o/blobs/sha256/$(jq -r '.manifests[0].digest' "$T/o/index.json" | cut -d: -f2)
	layer=$T/o/blobs/sha256/$(jq -r '.layers[0].digest' "$manifest" | cut -d: -f2)
	printf 'x' | dd of="$layer" bs=1 seek=600 conv=notrunc status=none
	tar_dir "$T/o" "$T/corrupt-oci.tar"
	run_fails vessel load -i "$T/corrupt-oci.tar"
	[[ $stderr == *"layers[0]"*"digest mismatch"* ]] || fail "$stderr"

	# a member path that climbs out of the archive
	python3 - "$T/climb.tar" <<-'EOF'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1], "w") as t:
		    ti = tarfile.TarInfo("../manifest.json")
		    ti.size = 2
		    t.addfile(ti, io.BytesIO(b"[]"))
	EOF
	run_fails vessel load -i "$T/climb.tar"
	[[ $stderr == *"../manifest.json"* ]] || fail "$stderr"

	run_fails vessel load -i "$T/nosuch.tar"
	run_fails vessel load extra-arg
	assert_status 125

	[[ $(store_snapshot) == "$before" ]] || fail "store changed: $(diff <(echo "$before") <(store_snapshot))"
	[[ -z $(find "$VESSEL_ROOT/tmp" -mindepth 1 2>/dev/null) ]]
}

@test "load: hostile layers of every kind are refused, or contained in the layer" {
	seed_store
	mark=vessel-hostile-$$-$RANDOM
	# evil_layer KIND OUT: a layer tar with one kind of hostile entry.
	evil_layer()
	{
		python3 - "$1" "$2" "$mark" <<-'EOF'
			import io, sys, tarfile
			kind, out, mark = sys.argv[1], sys.argv[2], sys.argv[3]
			def f(t, name, data=b"pwned\n"):
			    ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
			def link(t, name, target, kind):
			    ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = target; t.addfile(ti)
			with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
			    if kind == "dotdot":
			        f(t, "a/../../" + mark)
			    elif kind == "absolute":
			        f(t, "/tmp/" + mark)
			    elif kind == "symlink-write":
			        link(t, "link", "/tmp", tarfile.SYMTYPE)
			        f(t, "link/" + mark)
			    elif kind == "symlink-parent":
			        link(t, "up", "../../../../../../../../tmp", tarfile.SYMTYPE)
			        f(t, "up/" + mark)
			    elif kind == "hardlink-out":
			        link(t, "passwd", "/etc/passwd", tarfile.LNKTYPE)
			    elif kind == "hardlink-dotdot":
			        link(t, "x", "../../" + mark, tarfile.LNKTYPE)
			    elif kind == "hardlink-missing":
			        link(t, "x", "not/there", tarfile.LNKTYPE)
		EOF
	}
	local kind
	for kind in dotdot absolute symlink-write symlink-parent hardlink-out hardlink-dotdot hardlink-missing; do
		before=$(store_snapshot)
		evil_layer "$kind" "$T/$kind.layer"
		make_docker_archive "$T/$kind.layer"
		tar_dir "$T/bad" "$T/$kind.tar"
		run --separate-stderr vessel load -i "$T/$kind.tar"
		echo "$kind -> $status: $stderr"
		# never a file outside the store
		[ ! -e "/tmp/$mark" ]
		[ ! -e "/$mark" ]
		if ((status == 0)); then
			# contained: the entry is inside the layer, under the store
			case $kind in
			absolute | symlink-write | symlink-parent)
				[ -n "$(find "$VESSEL_ROOT/layers" -name "$mark")" ] ;;
			*)
				fail "$kind was accepted" ;;
			esac
			vessel rmi -f bad:1 >/dev/null
			vessel images --format '{{.Repository}}' | grep -qx seed
		else
			[ "${#stderr_lines[@]}" -eq 1 ]
			[[ $stderr == "vessel: "*"Layers[0]"* ]]
			[ "$(store_snapshot)" = "$before" ]
		fi
		rm -rf "$T/bad"
	done
	# the link entries were refused naming them
	run --separate-stderr vessel load -i "$T/hardlink-out.tar"
	[[ $stderr == *"passwd"* ]]
}
