#!/usr/bin/env bats
# vessel's image commands against a real registry (Debian's docker-registry on 127.0.0.1):
# pull, push, images, tag, rmi, inspect, history, prune; the store read by skopeo and umoci;
# the merged view of layers with whiteouts; faults and bad input.
# shellcheck disable=SC2016

load helpers

VESSEL=$VESSEL_BUILD/cmd/vessel/vessel

setup_file()
{
	# shellcheck source=../lib/registry.sh
	source "$REPO/tests/lib/registry.sh"
	export LAYOUT=$BATS_FILE_TMPDIR/layout
	"$REPO/tests/lib/make-test-images.sh" "$LAYOUT" >/dev/null
	registry_start PLAIN
	export REG=$PLAIN_ADDR PLAIN_PID PLAIN_DIR
	for image in busybox layered multiarch; do
		skopeo copy -q --all --dest-tls-verify=false "oci:$LAYOUT:$image" "docker://$REG/test/$image:1"
	done
	skopeo copy -q --dest-tls-verify=false --dest-compress-format zstd --dest-compress \
		"oci:$LAYOUT:busybox" "docker://$REG/test/zstd:1"
}

teardown_file()
{
	source "$REPO/tests/lib/registry.sh"
	registry_stop PLAIN
}

setup()
{
	export VESSEL_ROOT=$BATS_TEST_TMPDIR/store
	MOUNTS=()
	TEST_PIDS=()
	CORRUPTED_BLOB=
}

teardown()
{
	local m pid
	for m in "${MOUNTS[@]}"; do
		umount -l "$m" 2>/dev/null || true
	done
	for pid in "${TEST_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	# A blob of the registry corrupted by a test is put back whatever happened: every
	# repository of the registry shares it.
	if [[ -n ${CORRUPTED_BLOB:-} ]]; then
		cp "$BATS_TEST_TMPDIR/good" "$CORRUPTED_BLOB"
	fi
}

vessel()
{
	timeout 120 "$VESSEL" "$@"
}

# The digest the registry gives for a reference.
registry_digest()
{
	skopeo inspect --tls-verify=false --raw "docker://$REG/$1" | sha256sum | sed 's/^/sha256:/; s/ .*//'
}

# The blobs and layers of the store, for "store unchanged" checks.
store_listing()
{
	(cd "$VESSEL_ROOT" && find oci layers -mindepth 1 -maxdepth 3 2>/dev/null | sort)
	vessel images -q --no-trunc
}

@test "pull: an image from the registry, listed by images with its digest" {
	run vessel pull "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[[ $output == *"1: Pulling from test/busybox"* ]]
	[[ $output == *"Status: Downloaded newer image for $REG/test/busybox:1"* ]]
	want=$(registry_digest test/busybox:1)
	[[ $output == *"Digest: $want"* ]]
	[ "${lines[-1]}" = "$REG/test/busybox:1" ]
	run vessel images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$REG/test/busybox 1 $want" ]
	run vessel images
	[[ ${lines[0]} == "REPOSITORY"*"TAG"*"IMAGE ID"*"CREATED"*"SIZE" ]]
	[[ ${lines[1]} == "$REG/test/busybox"*" 1 "* ]]
}

@test "pull: a second pull is up to date and downloads nothing" {
	vessel pull -q "$REG/test/busybox:1"
	before=$(stat -c %Y "$VESSEL_ROOT/oci/index.json")
	run vessel pull "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[[ $output == *"Already exists"* ]]
	[[ $output == *"Status: Image is up to date for $REG/test/busybox:1"* ]]
}

@test "pull: the config, layers and diff IDs are those skopeo sees" {
	vessel pull -q "$REG/test/layered:1"
	want=$(skopeo inspect --tls-verify=false --config "docker://$REG/test/layered:1" | jq -c '.rootfs.diff_ids')
	run vessel image inspect -f '{{json .RootFS.Layers}}' "$REG/test/layered:1"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	run vessel inspect -f '{{index .Config.Labels "org.vessel.test"}} {{json .Config.Cmd}}' "$REG/test/layered:1"
	[ "$output" = 'layered ["/bin/sh"]' ]
}

@test "pull: zstd layers unpack like gzip ones" {
	vessel pull -q "$REG/test/zstd:1"
	vessel pull -q "$REG/test/busybox:1"
	a=$(vessel image inspect -f '{{json .RootFS.Layers}}' "$REG/test/zstd:1")
	b=$(vessel image inspect -f '{{json .RootFS.Layers}}' "$REG/test/busybox:1")
	[ "$a" = "$b" ]
	[ -x "$(vessel image inspect -f '{{.GraphDriver.Data.LowerDir}}' "$REG/test/zstd:1")/bin/busybox" ]
}

@test "layers: the merged view of an overlay shows deletions and opaque directories" {
	vessel pull -q "$REG/test/layered:1"
	lower=$(vessel image inspect -f '{{.GraphDriver.Data.LowerDir}}' "$REG/test/layered:1")
	[ "$(tr ':' '\n' <<<"$lower" | wc -l)" -eq 3 ]
	mnt=$BATS_TEST_TMPDIR/merged
	mkdir -p "$mnt"
	mount -t overlay overlay -o "lowerdir=$lower" "$mnt"
	MOUNTS+=("$mnt")
	[ -x "$mnt/bin/busybox" ]
	[ "$(ls "$mnt/data")" = "b" ]
	[ "$(ls "$mnt/opq")" = "z" ]
	[ ! -e "$mnt/etc/gone" ]
	[ -e "$mnt/etc/passwd" ]
	# The top layer holds overlay whiteouts: a 0:0 char device and the opaque xattr.
	top=${lower%%:*}
	[ "$(stat -c '%F %t:%T' "$top/data/a")" = "character special file 0:0" ]
	[ "$(getfattr --only-values -n trusted.overlay.opaque "$top/opq" 2>/dev/null)" = "y" ]
}

@test "pull --platform: the index entry of that platform; none matching is an error" {
	run vessel pull -q --platform linux/arm64 "$REG/test/multiarch:1"
	[ "$status" -eq 0 ]
	run vessel image inspect -f '{{.Architecture}}' "$REG/test/multiarch:1"
	[ "$output" = "arm64" ]
	run vessel pull -q "$REG/test/multiarch:1"
	[ "$status" -eq 0 ]
	run vessel image inspect -f '{{.Architecture}}' "$REG/test/multiarch:1"
	[ "$output" = "amd64" ]
	# The repo digest is the index's, as docker records it; it moved with the tag.
	run vessel images --digests --format '{{.Tag}} {{.Digest}} {{.ID}}' "$REG/test/multiarch"
	[ "$output" = "1 $(registry_digest test/multiarch:1) $(vessel images -q "$REG/test/multiarch:1")" ]
	listing=$(store_listing)
	run vessel pull --platform linux/s390x "$REG/test/multiarch:1"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -ge 1 ]
	[[ ${lines[-1]} == "vessel: "*"no image for platform linux/s390x"* ]]
	[ "$(store_listing)" = "$listing" ]
}

@test "pull by digest: no tag is made, the image is found by repo@digest" {
	d=$(registry_digest test/busybox:1)
	run vessel pull "$REG/test/busybox@$d"
	[ "$status" -eq 0 ]
	run vessel images --format '{{.Repository}} {{.Tag}}'
	[ "$output" = "$REG/test/busybox <none>" ]
	run vessel image inspect -f '{{.Id}}' "$REG/test/busybox@$d"
	[ "$status" -eq 0 ]
}

@test "push: vessel push to another repository; skopeo reads the same manifest back" {
	vessel pull -q "$REG/test/layered:1"
	run vessel push "$REG/test/layered:1" "$REG/copy/layered:2"
	[ "$status" -eq 0 ]
	[[ $output == *"The push refers to repository [$REG/copy/layered]"* ]]
	want=$(vessel image inspect -f '{{json .RootFS.Layers}}' "$REG/test/layered:1")
	got=$(skopeo inspect --tls-verify=false --config "docker://$REG/copy/layered:2" | jq -c '.rootfs.diff_ids')
	[ "$want" = "$got" ]
	[[ ${lines[-1]} == "2: digest: $(registry_digest copy/layered:2)" ]]
	# A second push finds every layer there already.
	run vessel push "$REG/test/layered:1" "$REG/copy/layered:2"
	[ "$status" -eq 0 ]
	[[ $output == *"already exists"* || $output == *"Layer already exists"* ]]
}

@test "push --chunk-size: chunked uploads give the same blobs" {
	vessel pull -q "$REG/test/busybox:1"
	run vessel push -q --chunk-size 65536 "$REG/test/busybox:1" "$REG/chunked/busybox:1"
	[ "$status" -eq 0 ]
	[ "$output" = "$(registry_digest chunked/busybox:1)" ]
	[ "$output" = "$(registry_digest test/busybox:1)" ]
}

@test "store: skopeo and umoci read vessel's OCI layout" {
	vessel pull -q "$REG/test/layered:1"
	run umoci ls --layout "$VESSEL_ROOT/oci"
	[ "$status" -eq 0 ]
	[ "$output" = "$REG/test/layered:1" ]
	run skopeo inspect "oci:$VESSEL_ROOT/oci:$REG/test/layered:1"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.Labels["org.vessel.test"]' <<<"$output")" = "layered" ]
	run umoci unpack --image "$VESSEL_ROOT/oci:$REG/test/layered:1" "$BATS_TEST_TMPDIR/bundle"
	[ "$status" -eq 0 ]
	[ "$(ls "$BATS_TEST_TMPDIR/bundle/rootfs/data")" = "b" ]
}

@test "tag and rmi: names come and go, the last one takes the image and its layers" {
	vessel pull -q "$REG/test/busybox:1"
	vessel tag "$REG/test/busybox:1" mine:latest
	run vessel images --format '{{.Repository}}:{{.Tag}}'
	[[ $output == *"mine:latest"* && $output == *"$REG/test/busybox:1"* ]]
	run vessel rmi mine
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: mine:latest" ]
	[ -n "$(ls "$VESSEL_ROOT/layers")" ]
	run vessel rmi "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[[ $output == *"Untagged: $REG/test/busybox:1"* ]]
	[[ ${lines[-1]} == "Deleted: sha256:"* ]]
	[ -z "$(vessel images -q)" ]
	[ -z "$(ls "$VESSEL_ROOT/layers")" ]
	[ "$(find "$VESSEL_ROOT/oci/blobs" -type f | wc -l)" -eq 0 ]
}

@test "rmi by ID of an image with two names needs -f" {
	vessel pull -q "$REG/test/busybox:1"
	vessel tag "$REG/test/busybox:1" other:1
	id=$(vessel images -q | head -n1)
	run vessel rmi "$id"
	[ "$status" -ne 0 ]
	[[ $output == "vessel: conflict: unable to delete $id (must be forced)"* ]]
	run vessel rmi -f "$id"
	[ "$status" -eq 0 ]
	[ -z "$(vessel images -q)" ]
}

@test "history and images --filter" {
	vessel pull -q "$REG/test/layered:1"
	vessel pull -q "$REG/test/busybox:1"
	run vessel history "$REG/test/layered:1"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "IMAGE"*"CREATED"*"CREATED BY"*"SIZE"*"COMMENT"* ]]
	[ "${#lines[@]}" -ge 2 ]
	run vessel images --filter label=org.vessel.test=layered --format '{{.Repository}}'
	[ "$output" = "$REG/test/layered" ]
	run vessel images --filter "reference=*/test/bus*" --format '{{.Repository}}'
	[ "$output" = "$REG/test/busybox" ]
	run vessel images --filter dangling=true -q
	[ -z "$output" ]
}

@test "image prune -a removes unused images and reclaims their space" {
	vessel pull -q "$REG/test/busybox:1"
	run vessel image prune -a -f
	[ "$status" -eq 0 ]
	[[ $output == *"deleted: sha256:"* ]]
	[[ ${lines[-1]} == "Total reclaimed space: "* ]]
	[ "${lines[-1]}" != "Total reclaimed space: 0B" ]
	[ -z "$(vessel images -q)" ]
}

@test "fault: a corrupted blob in the registry is refused by digest, nothing is registered" {
	vessel pull -q "$REG/test/layered:1"
	vessel rmi -f "$REG/test/layered:1" >/dev/null
	# Corrupt one layer blob of a copy in its own repository (the registry's files).
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/test/busybox:1" "docker://$REG/bad/busybox:1"
	layer=$(skopeo inspect --tls-verify=false --raw "docker://$REG/bad/busybox:1" | jq -r '.layers[0].digest')
	hex=${layer#sha256:}
	blob=$PLAIN_DIR/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
	[ -f "$blob" ]
	listing=$(store_listing)
	cp "$blob" "$BATS_TEST_TMPDIR/good"
	CORRUPTED_BLOB=$blob
	printf 'garbage' | dd of="$blob" bs=1 seek=100 conv=notrunc status=none
	run vessel pull "$REG/bad/busybox:1"
	cp "$BATS_TEST_TMPDIR/good" "$blob"
	CORRUPTED_BLOB=
	[ "$status" -ne 0 ]
	[[ ${lines[-1]} == "vessel: "*"$layer"*"digest mismatch"* ]]
	[ "$(store_listing)" = "$listing" ]
	run vessel pull -q "$REG/bad/busybox:1"
	[ "$status" -eq 0 ]
}

# start_proxy: the slow fault-injection proxy in front of the registry; sets PROXY and PROXY_PID.
start_proxy()
{
	local portfile=$BATS_TEST_TMPDIR/proxy.port
	rm -f "$portfile"
	# Started from a subshell, so that its death by kill -9 is not reported as a job of the test.
	(python3 "$REPO/tests/lib/slow-proxy.py" "$REG" "$portfile" 16384 0.02 3>&- &
		echo $! >"$portfile.pid")
	PROXY_PID=$(cat "$portfile.pid")
	track_pid "$PROXY_PID"
	wait_file "$portfile"
	PROXY=127.0.0.1:$(cat "$portfile")
}

# wait_partial: until the store's ingest directory holds a partly downloaded blob.
wait_partial()
{
	local f
	for _ in $(seq 500); do
		for f in "$VESSEL_ROOT"/ingest/*; do
			[ -s "$f" ] && return 0
		done
		sleep 0.01
	done
	return 1
}

@test "fault: kill -9 of vessel mid-pull leaves no image; the next pull resumes and succeeds" {
	start_proxy
	"$VESSEL" pull -q "$PROXY/test/layered:1" >/dev/null 2>&1 3>&- &
	pid=$!
	wait_partial
	kill -9 "$pid"
	wait "$pid" || true
	[ -z "$(vessel images -q)" ]
	partial=$(stat -c %s "$VESSEL_ROOT"/ingest/* | sort -n | tail -n1)
	[ "$partial" -gt 0 ]
	run vessel pull -q "$PROXY/test/layered:1"
	[ "$status" -eq 0 ]
	[ "$(vessel images -q | wc -l)" -eq 1 ]
	[ -z "$(ls "$VESSEL_ROOT/ingest")" ]
	run sqlite3 "$VESSEL_ROOT/vessel.db" 'PRAGMA integrity_check'
	[ "$output" = "ok" ]
}

@test "fault: a registry killed mid-pull gives one error naming the blob; nothing registered" {
	start_proxy
	"$VESSEL" pull -q "$PROXY/test/layered:1" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	pid=$!
	wait_partial
	kill -9 "$PROXY_PID"
	run wait "$pid"
	[ "$status" -ne 0 ]
	run cat "$BATS_TEST_TMPDIR/out"
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "vessel: "*"sha256:"* ]]
	[ -z "$(vessel images -q)" ]
	start_proxy
	run vessel pull -q "$PROXY/test/layered:1"
	[ "$status" -eq 0 ]
}

@test "fault: a registry that is gone gives one error naming it" {
	run vessel pull 127.0.0.1:1/test/busybox:1
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "vessel: "*"127.0.0.1:1"* ]]
}

@test "bad input: each is one line prefixed vessel:, a non-zero exit, and the store unchanged" {
	vessel pull -q "$REG/test/busybox:1"
	listing=$(store_listing)
	local cases=(
		"pull Busybox:latest|must be lowercase"
		"pull busybox:bad@tag|invalid reference format"
		"pull ::|invalid reference format"
		"pull $REG/test/busybox@sha256:1234|digest"
		"pull $REG/test/missing:1|missing"
		"pull $REG/test/busybox:nosuchtag|nosuchtag"
		"pull --platform linux/ $REG/test/busybox:1|platform"
		"pull --nope $REG/test/busybox:1|unknown flag: --nope"
		"pull|requires exactly 1 argument"
		"rmi nosuch:image|no such image"
		"tag nosuch:image other:1|no such image"
		"tag $REG/test/busybox:1 bad@sha256:$(printf '0%.0s' {1..64})|refusing to create a tag with a digest reference"
		"image inspect nosuch|no such image"
		"history nosuch|no such image"
		"images --filter bogus=1|invalid filter"
		"image nope|is not a vessel command"
	)
	assert_bad_inputs "${cases[@]}"
	[ "$(store_listing)" = "$listing" ]
}

@test "pull -a: every tag of a repository" {
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/test/busybox:1" "docker://$REG/alltags/busybox:a"
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/test/busybox:1" "docker://$REG/alltags/busybox:b"
	run vessel pull -q -a "$REG/alltags/busybox"
	[ "$status" -eq 0 ]
	run vessel images --format '{{.Tag}}' "$REG/alltags/busybox"
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "a b " ]
	run vessel pull -a "$REG/alltags/busybox:a"
	[ "$status" -eq 125 ]
	[[ $output == "vessel: tag can't be used with --all-tags/-a" ]]
}

@test "pull on a terminal draws a progress bar per layer" {
	start_proxy
	run script -qefc "$VESSEL pull $PROXY/test/layered:1" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"Downloading"*"["*"="*">"*"]"* ]]
	[[ $output == *$'\e['* ]]
	[[ $output == *"Pull complete"* ]]
}

@test "login, pull with the credentials, logout: a registry with htpasswd auth" {
	source "$REPO/tests/lib/registry.sh"
	registry_start AUTH --htpasswd alice:s3cret
	track_pid "$AUTH_PID"
	export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/auth.json
	skopeo copy -q --dest-tls-verify=false --dest-creds alice:s3cret "oci:$LAYOUT:busybox" "docker://$AUTH_ADDR/private/busybox:1"
	run --separate-stderr vessel pull -q "$AUTH_ADDR/private/busybox:1"
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*"unauthorized"* || $stderr == "vessel: "*"401"* ]]
	run --separate-stderr vessel login -u alice -p wrong "$AUTH_ADDR"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ ! -e "$REGISTRY_AUTH_FILE" ]
	run vessel login -u alice --password-stdin "$AUTH_ADDR" <<<"s3cret"
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded" ]
	[ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = "600" ]
	[ "$(jq -r --arg r "$AUTH_ADDR" '.auths[$r].auth' "$REGISTRY_AUTH_FILE" | base64 -d)" = "alice:s3cret" ]
	run vessel pull -q "$AUTH_ADDR/private/busybox:1"
	[ "$status" -eq 0 ]
	run vessel logout "$AUTH_ADDR"
	[ "$status" -eq 0 ]
	[ "$(jq -r --arg r "$AUTH_ADDR" '.auths[$r]' "$REGISTRY_AUTH_FILE")" = "null" ]
	run vessel logout "$AUTH_ADDR"
	[ "$status" -ne 0 ]
	registry_stop AUTH
}

@test "TLS: a registry whose CA is named in registries.conf; strict checks fail without it" {
	source "$REPO/tests/lib/registry.sh"
	registry_start SECURE --tls
	track_pid "$SECURE_PID"
	skopeo copy -q --dest-cert-dir "$SECURE_CERTS_DIR" "oci:$LAYOUT:busybox" "docker://$SECURE_ADDR/tls/busybox:1"
	export VESSEL_REGISTRIES_CONF=$BATS_TEST_TMPDIR/registries.conf
	printf '[[registry]]\nlocation = "%s"\ntls-verify = true\n' "$SECURE_ADDR" >"$VESSEL_REGISTRIES_CONF"
	run --separate-stderr vessel pull -q "$SECURE_ADDR/tls/busybox:1"
	[ "$status" -ne 0 ]
	[[ $stderr == "vessel: "*"$SECURE_ADDR"* ]]
	printf '[[registry]]\nlocation = "%s"\nca = "%s"\n' "$SECURE_ADDR" "$SECURE_CA" >"$VESSEL_REGISTRIES_CONF"
	run vessel pull -q "$SECURE_ADDR/tls/busybox:1"
	[ "$status" -eq 0 ]
	registry_stop SECURE
}

@test "a real distribution: a Debian minbase image in three layers pulls, and its merged root works" {
	local droot=${VESSEL_DEBIAN_ROOT:-/var/tmp/vessel-debian-minbase}
	if [[ ! -x $droot/usr/bin/dpkg-query ]]; then
		skip "no Debian root at $droot (tests/lib/make-debian-root.sh makes one)"
	fi
	local layout=$BATS_TEST_TMPDIR/debian-oci t=$BATS_TEST_TMPDIR
	umoci init --layout "$layout"
	umoci new --image "$layout:debian"
	tar --numeric-owner -C "$droot" -cf "$t/l1.tar" ./usr/lib
	tar --numeric-owner -C "$droot" --anchored --exclude ./usr/lib -cf "$t/l2.tar" ./usr
	tar --numeric-owner -C "$droot" --anchored --exclude ./usr -cf "$t/l3.tar" .
	for l in l1 l2 l3; do
		umoci raw add-layer --image "$layout:debian" "$t/$l.tar"
		rm -f "$t/$l.tar"
	done
	skopeo copy -q --dest-tls-verify=false "oci:$layout:debian" "docker://$REG/test/debian:12"
	run vessel pull -q "$REG/test/debian:12"
	[ "$status" -eq 0 ]
	lower=$(vessel image inspect -f '{{.GraphDriver.Data.LowerDir}}' "$REG/test/debian:12")
	[ "$(tr ':' '\n' <<<"$lower" | wc -l)" -eq 3 ]
	mnt=$BATS_TEST_TMPDIR/merged
	mkdir -p "$mnt"
	mount -t overlay overlay -o "lowerdir=$lower" "$mnt"
	MOUNTS+=("$mnt")
	[ "$(cat "$mnt/etc/debian_version")" = "$(cat "$droot/etc/debian_version")" ]
	run chroot "$mnt" /usr/bin/dpkg-query -W -f '${Package}\n' dpkg
	[ "$status" -eq 0 ]
	[ "$output" = "dpkg" ]
	# Every file of the root came through.
	diff <(cd "$droot" && find . -xdev | sort) <(cd "$mnt" && find . -xdev | sort)
}
