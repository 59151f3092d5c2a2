#!/usr/bin/env bats
# The registry client (src/image/registry.c) against Debian's docker-registry on 127.0.0.1:
# plain HTTP, TLS with a test CA, htpasswd auth; and against tests/lib/fake-registry.py for
# what a real registry never does (ignore Range, cut a blob short). Driven through
# tests/lib/registry-probe.
# shellcheck disable=SC2154 # ${NAME}_ADDR are set by registry_start, $stderr by bats' run

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VESSEL_BUILD=${VESSEL_BUILD:-$REPO/build}
[[ $VESSEL_BUILD == /* ]] || VESSEL_BUILD=$REPO/$VESSEL_BUILD
PROBE=${REGISTRY_PROBE:-$VESSEL_BUILD/tests/lib/registry-probe}
# No command may hang: a stuck transfer fails the test instead.
PROBE_TIMEOUT=${PROBE_TIMEOUT:-60}

load ../lib/registry.sh

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json

probe()
{
	timeout "$PROBE_TIMEOUT" "$PROBE" "$@"
}

setup_file()
{
	[[ -x $PROBE ]] || skip "registry-probe not built ($PROBE)"
	# The host's registries.conf and credentials play no part (tests that want one name it).
	export VESSEL_REGISTRIES_CONF=/dev/null REGISTRY_AUTH_FILE=$BATS_FILE_TMPDIR/no-auth.json
	registry_start plain
	registry_start secure --tls
	registry_start locked --htpasswd alice:s3cret
	export plain_ADDR plain_PID plain_DIR secure_ADDR secure_PID secure_DIR secure_CA secure_CERTS_DIR
	export locked_ADDR locked_PID locked_DIR
	registry_push_busybox "$plain_ADDR" test/busybox:1 --dest-tls-verify=false
	registry_push_busybox "$secure_ADDR" test/busybox:1 --dest-cert-dir "$secure_CERTS_DIR"
	registry_push_busybox "$locked_ADDR" test/busybox:1 --dest-tls-verify=false --dest-creds alice:s3cret
	# The image's digests, as skopeo sees them.
	skopeo inspect --raw --tls-verify=false "docker://$plain_ADDR/test/busybox:1" >"$BATS_FILE_TMPDIR/manifest.json"
	export CONFIG_DIGEST LAYER_DIGEST LAYER_SIZE CONFIG_SIZE
	CONFIG_DIGEST=$(jq -r .config.digest "$BATS_FILE_TMPDIR/manifest.json")
	CONFIG_SIZE=$(jq -r .config.size "$BATS_FILE_TMPDIR/manifest.json")
	LAYER_DIGEST=$(jq -r '.layers[0].digest' "$BATS_FILE_TMPDIR/manifest.json")
	LAYER_SIZE=$(jq -r '.layers[0].size' "$BATS_FILE_TMPDIR/manifest.json")
}

teardown_file()
{
	registry_stop plain
	registry_stop secure
	registry_stop locked
	if [[ -n ${FAKE_PID:-} ]]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
}

setup()
{
	WORK=$BATS_TEST_TMPDIR
}

teardown()
{
	if [[ -n ${FAKE_PID:-} ]]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
		FAKE_PID=
	fi
	if [[ -n ${gone_PID:-} ]]; then registry_stop gone; fi
}

sha() { sha256sum "$1" | cut -d' ' -f1 | sed 's/^/sha256:/'; }

# fake_start [--bearer]: tests/lib/fake-registry.py; sets FAKE_ADDR, FAKE_DIGEST, FAKE_SIZE, FAKE_LOG.
fake_start()
{
	python3 "$REPO/tests/lib/fake-registry.py" "$WORK/fake.info" "$@" </dev/null >"$WORK/fake.out" 2>&1 3>&- &
	FAKE_PID=$!
	for _ in $(seq 100); do
		[[ -s $WORK/fake.info ]] && break
		sleep 0.1
	done
	read -r port FAKE_DIGEST FAKE_SIZE <"$WORK/fake.info"
	FAKE_ADDR=127.0.0.1:$port
	FAKE_LOG=$WORK/fake.info.log
}

# --- manifests -----------------------------------------------------------------------------

@test "a manifest by tag: the body skopeo pushed, its own digest, its media type" {
	run -0 probe "$plain_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	cmp "$WORK/m.json" "$BATS_FILE_TMPDIR/manifest.json"
	[[ $output == "$(sha "$WORK/m.json") $OCI_MANIFEST" ]]
}

@test "a manifest by digest is checked against it; an unknown one is a 404 naming it" {
	digest=$(sha "$BATS_FILE_TMPDIR/manifest.json")
	run -0 probe "$plain_ADDR/test/busybox" manifest "$digest" "$WORK/m.json"
	cmp "$WORK/m.json" "$BATS_FILE_TMPDIR/manifest.json"
	missing=sha256:$(printf 'nothing' | sha256sum | cut -d' ' -f1)
	run -1 probe "$plain_ADDR/test/busybox" manifest "$missing" "$WORK/x.json"
	[[ $output == *"$plain_ADDR/test/busybox: manifest $missing: HTTP 404 not found: MANIFEST_UNKNOWN"* ]]
	[[ $(wc -l <<<"$output") == 1 ]]
	run -1 probe "$plain_ADDR/test/busybox" manifest sha256:abc "$WORK/x.json"
	[[ $output == *"sha256:abc"* ]]
}

@test "an unknown tag and an unknown repository are errors naming registry, repository and tag" {
	run -1 probe "$plain_ADDR/test/busybox" manifest nosuchtag "$WORK/m.json"
	[[ $output == *"$plain_ADDR/test/busybox: manifest nosuchtag: HTTP 404"* ]]
	run -1 probe "$plain_ADDR/test/nothing" manifest 1 "$WORK/m.json"
	[[ $output == *"$plain_ADDR/test/nothing: manifest 1: HTTP 404"* ]]
	[ ! -e "$WORK/m.json" ]
}

# --- blobs ---------------------------------------------------------------------------------

@test "a config blob into memory, checked against its digest; a limit below its size fails" {
	run -0 probe "$plain_ADDR/test/busybox" blob "$CONFIG_DIGEST" "$WORK/config.json"
	[[ $(sha "$WORK/config.json") == "$CONFIG_DIGEST" ]]
	run -1 probe "$plain_ADDR/test/busybox" blob "$CONFIG_DIGEST" "$WORK/small.json" $((CONFIG_SIZE - 1))
	[[ $output == *"blob $CONFIG_DIGEST"*"larger than"* ]]
}

@test "blobs fetched in parallel match their digests, with progress lines when not a terminal" {
	run -0 --separate-stderr probe --progress=plain "$plain_ADDR/test/busybox" fetch \
		"$LAYER_DIGEST" "$LAYER_SIZE" "$WORK/layer" "$CONFIG_DIGEST" "$CONFIG_SIZE" "$WORK/config"
	[[ $(sha "$WORK/layer") == "$LAYER_DIGEST" ]]
	[[ $(sha "$WORK/config") == "$CONFIG_DIGEST" ]]
	short=${LAYER_DIGEST#sha256:}
	short=${short:0:12}
	grep -qx "$short: downloading" <<<"$stderr"
	grep -qx "$short: done" <<<"$stderr"
}

@test "a partial file is resumed with a Range request from its length" {
	# The first 1000 bytes are deliberately not the blob's: only a ranged request keeps them.
	head -c 1000 /dev/zero >"$WORK/layer"
	run -0 probe "$plain_ADDR/test/busybox" fetch "$LAYER_DIGEST" "$LAYER_SIZE" "$WORK/layer"
	[[ $(stat -c %s "$WORK/layer") == "$LAYER_SIZE" ]]
	cmp -n 1000 "$WORK/layer" /dev/zero
	probe "$plain_ADDR/test/busybox" fetch "$LAYER_DIGEST" "$LAYER_SIZE" "$WORK/full"
	cmp -i 1000 "$WORK/layer" "$WORK/full"
	# A complete file asks for nothing and stays as it is.
	run -0 probe "$plain_ADDR/test/busybox" fetch "$LAYER_DIGEST" "$LAYER_SIZE" "$WORK/full"
	[[ $(sha "$WORK/full") == "$LAYER_DIGEST" ]]
}

@test "a server answering 200 to a Range request makes the client start the file over" {
	fake_start
	head -c 5000 /dev/zero >"$WORK/blob"
	run -0 probe "$FAKE_ADDR/norange/x" fetch "$FAKE_DIGEST" "$FAKE_SIZE" "$WORK/blob"
	[[ $(sha "$WORK/blob") == "$FAKE_DIGEST" ]]
	grep -q "blobs/$FAKE_DIGEST bytes=5000-" "$FAKE_LOG"
}

@test "a blob behind a redirect is followed, ranged requests included" {
	fake_start
	head -c 100 /dev/zero >"$WORK/blob"
	run -0 probe "$FAKE_ADDR/redirect/x" fetch "$FAKE_DIGEST" "$FAKE_SIZE" "$WORK/blob"
	grep -q "GET /storage/$FAKE_DIGEST bytes=100-" "$FAKE_LOG"
	cmp -n 100 "$WORK/blob" /dev/zero
	[[ $(stat -c %s "$WORK/blob") == "$FAKE_SIZE" ]]
}

@test "a blob cut short, a wrong size and a registry error each fail naming the digest" {
	fake_start
	run -1 probe "$FAKE_ADDR/short/x" fetch "$FAKE_DIGEST" "$FAKE_SIZE" "$WORK/a"
	[[ $output == *"$FAKE_ADDR/short/x: blob $FAKE_DIGEST: truncated"* ]]
	run -1 probe "$FAKE_ADDR/good/x" fetch "$FAKE_DIGEST" $((FAKE_SIZE + 10)) "$WORK/b"
	[[ $output == *"blob $FAKE_DIGEST: truncated: the registry sent $FAKE_SIZE of $((FAKE_SIZE + 10)) bytes"* ]]
	run -1 probe "$FAKE_ADDR/good/x" fetch "$FAKE_DIGEST" $((FAKE_SIZE - 10)) "$WORK/c"
	[[ $output == *"blob $FAKE_DIGEST: the registry sends more than its size of $((FAKE_SIZE - 10)) bytes"* ]]
	run -1 probe "$FAKE_ADDR/error/x" fetch "$FAKE_DIGEST" "$FAKE_SIZE" "$WORK/d"
	[[ $output == *"blob $FAKE_DIGEST: HTTP 404 not found: BLOB_UNKNOWN: blob unknown to registry"* ]]
}

@test "one failed blob among good ones fails the fetch, and the good ones still complete" {
	missing=sha256:$(printf 'absent' | sha256sum | cut -d' ' -f1)
	run -1 probe "$plain_ADDR/test/busybox" fetch "$LAYER_DIGEST" "$LAYER_SIZE" "$WORK/layer" \
		"$missing" 10 "$WORK/missing"
	[[ $output == *"blob $missing: HTTP 404 not found: BLOB_UNKNOWN"* ]]
	[[ $(sha "$WORK/layer") == "$LAYER_DIGEST" ]]
}

@test "a registry that is gone is an error, not a hang" {
	registry_start gone
	addr=$gone_ADDR
	registry_stop gone
	run -1 probe "$addr/test/busybox" manifest 1 "$WORK/m.json"
	[[ $output == *"$addr/test/busybox"* ]]
	[[ $output == *"onnect"* ]]
}

# --- push ----------------------------------------------------------------------------------

@test "push blobs (monolithic and chunked) and a manifest; skopeo reads them back" {
	probe "$plain_ADDR/test/busybox" fetch "$LAYER_DIGEST" "$LAYER_SIZE" "$WORK/layer" \
		"$CONFIG_DIGEST" "$CONFIG_SIZE" "$WORK/config"
	run -0 probe --push "$plain_ADDR/test/pushed" exists "$LAYER_DIGEST"
	[[ $output == no ]]
	run -0 probe --push "$plain_ADDR/test/pushed" push-blob "$WORK/config"
	[[ $output == "$CONFIG_DIGEST" ]]
	# 100 kB chunks: a dozen PATCHes with Content-Range, then the PUT.
	run -0 probe --push "$plain_ADDR/test/pushed" push-blob "$WORK/layer" 100000
	[[ $output == "$LAYER_DIGEST" ]]
	run -0 probe --push "$plain_ADDR/test/pushed" exists "$LAYER_DIGEST"
	[[ $output == yes ]]
	run -0 probe --push "$plain_ADDR/test/pushed" put-manifest v1 "$OCI_MANIFEST" "$BATS_FILE_TMPDIR/manifest.json"
	skopeo inspect --raw --tls-verify=false "docker://$plain_ADDR/test/pushed:v1" >"$WORK/back.json"
	cmp "$WORK/back.json" "$BATS_FILE_TMPDIR/manifest.json"
	skopeo inspect --config --raw --tls-verify=false "docker://$plain_ADDR/test/pushed:v1" >"$WORK/config-back"
	cmp "$WORK/config-back" "$WORK/config"
	probe "$plain_ADDR/test/pushed" fetch "$LAYER_DIGEST" "$LAYER_SIZE" "$WORK/layer-back"
	cmp "$WORK/layer-back" "$WORK/layer"
}

@test "a blob pushed with a cross-repository mount lands without an upload" {
	# The source is empty: had the client uploaded it, the registry would refuse the digest.
	: >"$WORK/empty"
	run -0 probe --push "$plain_ADDR/test/mounted" exists "$CONFIG_DIGEST"
	[[ $output == no ]]
	run -0 probe --push "$plain_ADDR/test/mounted" push-blob "$WORK/empty" 0 test/busybox "$CONFIG_DIGEST"
	run -0 probe --push "$plain_ADDR/test/mounted" exists "$CONFIG_DIGEST"
	[[ $output == yes ]]
	# Without the mount the same push is an upload, and the registry checks the digest.
	run -1 probe --push "$plain_ADDR/test/mounted2" push-blob "$WORK/empty" 0 "" "$CONFIG_DIGEST"
	[[ $output == *"$plain_ADDR/test/mounted2: blob $CONFIG_DIGEST: HTTP 400 bad request: DIGEST_INVALID"* ]]
}

@test "a manifest PUT under a digest that is not its own is refused before sending" {
	wrong=sha256:$(printf 'other' | sha256sum | cut -d' ' -f1)
	run -1 probe --push "$plain_ADDR/test/pushed2" put-manifest "$wrong" "$OCI_MANIFEST" \
		"$BATS_FILE_TMPDIR/manifest.json"
	[[ $output == *"manifest $wrong: the manifest's digest is sha256:"* ]]
}

# --- auth ----------------------------------------------------------------------------------

@test "basic auth: good credentials pull, a bad password and none are 'unauthorized'" {
	run -0 probe --creds alice:s3cret "$locked_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	run -1 probe --creds alice:wrong "$locked_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	[[ $output == *"$locked_ADDR/test/busybox: manifest 1: HTTP 401 unauthorized"* ]]
	[[ $output == *"credentials of alice were refused"* ]]
	run -1 probe --auth-file "$WORK/none.json" "$locked_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	[[ $output == *"HTTP 401 unauthorized"*"log in first"* ]]
}

@test "basic auth from the auth file, keyed as docker writes it" {
	auth=$(printf 'alice:s3cret' | base64)
	jq -n --arg k "https://$locked_ADDR/v1/" --arg a "$auth" '{auths: {($k): {auth: $a}}}' >"$WORK/auth.json"
	run -0 probe --auth-file "$WORK/auth.json" "$locked_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	REGISTRY_AUTH_FILE=$WORK/auth.json run -0 probe "$locked_ADDR/test/busybox" exists "$CONFIG_DIGEST"
	[[ $output == yes ]]
}

@test "bearer tokens: fetched from the realm with the credentials and the scope, refetched on a 401" {
	fake_start --bearer
	run -0 probe --creds bob:pw "$FAKE_ADDR/good/x" fetch "$FAKE_DIGEST" "$FAKE_SIZE" "$WORK/a"
	[[ $(sha "$WORK/a") == "$FAKE_DIGEST" ]]
	grep -q "GET /token?service=fake&scope=repository%3Agood%2Fx%3Apull" "$FAKE_LOG"
	# The first token is refused as expired: one more is fetched and the blob comes.
	run -0 probe --creds bob:pw "$FAKE_ADDR/expire/x" fetch "$FAKE_DIGEST" "$FAKE_SIZE" "$WORK/b"
	[[ $(sha "$WORK/b") == "$FAKE_DIGEST" ]]
	[[ $(grep -c "GET /token?service=fake&scope=repository%3Aexpire%2Fx%3Apull" "$FAKE_LOG") == 2 ]]
	run -1 probe --creds bob:bad "$FAKE_ADDR/good/x" fetch "$FAKE_DIGEST" "$FAKE_SIZE" "$WORK/c"
	[[ $output == *"$FAKE_ADDR/good/x: blob $FAKE_DIGEST: unauthorized: the token service http://$FAKE_ADDR/token rejected the credentials of bob"* ]]
	run -1 probe --auth-file "$WORK/none.json" "$FAKE_ADDR/good/x" blob "$FAKE_DIGEST" "$WORK/d"
	[[ $output == *"unauthorized"*"refused anonymous access"* ]]
	run -0 probe --creds bob:pw "$FAKE_ADDR" login
	run -1 probe --creds bob:bad "$FAKE_ADDR" login
	[[ $output == *unauthorized* ]]
}

@test "login checks the credentials" {
	run -0 probe --creds alice:s3cret "$locked_ADDR" login
	[[ $output == "Login Succeeded" ]]
	run -1 probe --creds alice:nope "$locked_ADDR" login
	[[ $output == *"$locked_ADDR: unauthorized: incorrect username or password"* ]]
	run -0 probe "$plain_ADDR" login
}

# --- TLS and registries.conf ---------------------------------------------------------------

@test "TLS: the test CA from registries.conf verifies; without it verification fails" {
	printf '[[registry]]\nlocation = "%s"\nca = "%s"\n' "$secure_ADDR" "$secure_CA" >"$WORK/ca.conf"
	run -0 probe --conf "$WORK/ca.conf" "$secure_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	printf '[[registry]]\nlocation = "%s"\ntls-verify = true\n' "$secure_ADDR" >"$WORK/strict.conf"
	run -1 probe --conf "$WORK/strict.conf" "$secure_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	[[ $output == *"$secure_ADDR/test/busybox"*"certificate"* ]]
	run -1 probe --conf /dev/null --tls-verify=true "$secure_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	[[ $output == *"certificate"* ]]
}

@test "TLS: tls-verify = false in registries.conf, and 127.0.0.0/8 insecure by default as docker" {
	printf '[[registry]]\nlocation = "%s"\ntls-verify = false\n' "$secure_ADDR" >"$WORK/noverify.conf"
	run -0 probe --conf "$WORK/noverify.conf" "$secure_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	run -0 probe --conf /dev/null "$secure_ADDR/test/busybox" fetch "$CONFIG_DIGEST" "$CONFIG_SIZE" "$WORK/c"
	[[ $(sha "$WORK/c") == "$CONFIG_DIGEST" ]]
}

@test "plain HTTP only for an insecure registry: insecure = false keeps to HTTPS" {
	printf '[[registry]]\nlocation = "%s"\ninsecure = false\n' "$plain_ADDR" >"$WORK/secure.conf"
	run -1 probe --conf "$WORK/secure.conf" "$plain_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	[[ $output == *"$plain_ADDR/test/busybox"* ]]
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$plain_ADDR" >"$WORK/insecure.conf"
	VESSEL_REGISTRIES_CONF=$WORK/insecure.conf run -0 probe "$plain_ADDR/test/busybox" manifest 1 "$WORK/m.json"
}

@test "a mirror from registries.conf serves the pull when the registry is down" {
	registry_start gone
	down=$gone_ADDR
	registry_stop gone
	printf '[[registry]]\nlocation = "%s"\nmirrors = ["%s"]\n' "$down" "$plain_ADDR" >"$WORK/mirror.conf"
	run -0 probe --conf "$WORK/mirror.conf" "$down/test/busybox" manifest 1 "$WORK/m.json"
	cmp "$WORK/m.json" "$BATS_FILE_TMPDIR/manifest.json"
	run -0 probe --conf "$WORK/mirror.conf" "$down/test/busybox" fetch "$CONFIG_DIGEST" "$CONFIG_SIZE" "$WORK/c"
}

@test "a bad registries.conf is one error naming the file, the line and the key" {
	printf '[[registry]]\nlocation = "%s"\n\nfoo = true\n' "$plain_ADDR" >"$WORK/bad.conf"
	run -1 probe --conf "$WORK/bad.conf" "$plain_ADDR/test/busybox" manifest 1 "$WORK/m.json"
	[[ $output == "registry-probe: $WORK/bad.conf:4: unknown key foo" ]]
}
