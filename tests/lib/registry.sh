# shellcheck shell=bash
# registry.sh: test registries for bats (source it, or `load ../lib/registry.sh`).
#
# Each starts Debian's docker-registry (`docker-registry serve CONFIG`) on 127.0.0.1, on a free
# port, with its storage in a fresh temporary directory:
#
#   registry_start NAME [--tls] [--htpasswd USER:PASS]
#       Sets ${NAME}_ADDR (127.0.0.1:PORT), ${NAME}_PID, ${NAME}_DIR, and with --tls
#       ${NAME}_CA (the PEM of a CA made for it, which signed its certificate for IP
#       127.0.0.1 and DNS localhost) and ${NAME}_CERTS_DIR (a directory with that CA as
#       ca.crt, for skopeo's --cert-dir options).
#   registry_stop NAME
#       Kills that registry by its PID, waits for it and removes its directory.
#   registry_push_busybox ADDR REPO:TAG [SKOPEO_DEST_OPTIONS...]
#       Builds a one-layer busybox image (tests/lib/make-busybox-rootfs.sh, umoci) and copies it
#       there with skopeo. Sets BUSYBOX_OCI (the oci: layout used).
#
# Nothing is killed by name; only the PIDs recorded here. The registry's log is ${NAME}_DIR/log.

REGISTRY_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
# Seconds a registry has to start answering.
REGISTRY_START_TIMEOUT=${REGISTRY_START_TIMEOUT:-20}

# A CA and a server certificate for 127.0.0.1/localhost in DIR (ca.pem, server.pem, server.key).
registry_make_certs()
{
	local dir=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" -subj "/CN=vessel test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		>/dev/null 2>&1 || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=127.0.0.1" >/dev/null 2>&1 || return 1
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >"$dir/server.ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
		-days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" >/dev/null 2>&1 || return 1
	mkdir -p "$dir/certs.d"
	cp "$dir/ca.pem" "$dir/certs.d/ca.crt"
}

# A port nobody listens on now (the registry may still lose a race for it: registry_start retries).
registry_free_port()
{
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

registry_write_config()
{
	local dir=$1 port=$2 tls=$3 htpasswd=$4
	{
		printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s/storage\n  delete:\n    enabled: true\n' "$dir"
		printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
		if [[ $tls == 1 ]]; then
			printf '  tls:\n    certificate: %s/server.pem\n    key: %s/server.key\n' "$dir" "$dir"
		fi
		if [[ -n $htpasswd ]]; then
			printf 'auth:\n  htpasswd:\n    realm: vessel-test\n    path: %s/htpasswd\n' "$dir"
		fi
	} >"$dir/config.yml"
}

# Wait until the registry at URL answers any HTTP status (or its process is gone).
registry_wait()
{
	local pid=$1 url=$2 deadline=$((SECONDS + REGISTRY_START_TIMEOUT))
	while ((SECONDS < deadline)); do
		kill -0 "$pid" 2>/dev/null || return 1
		local code
		code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null) || code=000
		[[ $code != 000 ]] && return 0
		sleep 0.1
	done
	return 1
}

registry_start()
{
	local name=${1:?registry_start NAME [--tls] [--htpasswd USER:PASS]}
	shift
	local tls=0 htpasswd=''
	while (($#)); do
		case $1 in
		--tls) tls=1 ;;
		--htpasswd) htpasswd=$2; shift ;;
		*) echo "registry_start: unknown option $1" >&2; return 1 ;;
		esac
		shift
	done
	local dir
	dir=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/registry-$name.XXXXXX") || return 1
	mkdir -p "$dir/storage"
	if [[ $tls == 1 ]]; then
		registry_make_certs "$dir" || { echo "registry_start: cannot make certificates" >&2; rm -rf "$dir"; return 1; }
	fi
	if [[ -n $htpasswd ]]; then
		htpasswd -Bbn "${htpasswd%%:*}" "${htpasswd#*:}" >"$dir/htpasswd" 2>/dev/null ||
			{ echo "registry_start: htpasswd failed" >&2; rm -rf "$dir"; return 1; }
	fi
	local scheme=http port pid
	[[ $tls == 1 ]] && scheme=https
	# docker-registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH_FILE, which
	# clients use for their credentials, would be its auth.file): it gets none of them.
	local unset_env=() var
	for var in $(compgen -e); do
		[[ $var == REGISTRY_* ]] && unset_env+=(-u "$var")
	done
	for _ in 1 2 3 4 5; do
		port=$(registry_free_port) || break
		registry_write_config "$dir" "$port" "$tls" "$htpasswd"
		# No fd of bats (3 and up) may stay open in the daemon, or bats waits for it.
		env "${unset_env[@]}" "$REGISTRY_BIN" serve "$dir/config.yml" </dev/null >"$dir/log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
		pid=$!
		if registry_wait "$pid" "$scheme://127.0.0.1:$port/v2/"; then
			printf -v "${name}_ADDR" '%s' "127.0.0.1:$port"
			printf -v "${name}_PID" '%s' "$pid"
			printf -v "${name}_DIR" '%s' "$dir"
			if [[ $tls == 1 ]]; then
				printf -v "${name}_CA" '%s' "$dir/ca.pem"
				printf -v "${name}_CERTS_DIR" '%s' "$dir/certs.d"
			fi
			return 0
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	echo "registry_start: docker-registry did not start; its log:" >&2
	cat "$dir/log" >&2
	rm -rf "$dir"
	return 1
}

registry_stop()
{
	local name=${1:?registry_stop NAME}
	local pid_var=${name}_PID dir_var=${name}_DIR
	local pid=${!pid_var:-} dir=${!dir_var:-}
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	[[ -n $dir && -d $dir ]] && rm -rf "$dir"
	printf -v "$pid_var" '%s' ''
	printf -v "$dir_var" '%s' ''
	return 0
}

# registry_push_busybox ADDR REPO:TAG [SKOPEO_DEST_OPTIONS...]
registry_push_busybox()
{
	local addr=$1 target=$2
	shift 2
	local work=${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/busybox-image
	BUSYBOX_OCI=$work/oci
	if [[ ! -f $BUSYBOX_OCI/index.json ]]; then
		rm -rf "$work"
		mkdir -p "$work"
		"$REGISTRY_LIB_DIR/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null || return 1
		umoci init --layout "$BUSYBOX_OCI" || return 1
		umoci new --image "$BUSYBOX_OCI:t" || return 1
		umoci insert --image "$BUSYBOX_OCI:t" "$work/rootfs" / >/dev/null || return 1
		umoci config --image "$BUSYBOX_OCI:t" --config.cmd /bin/sh || return 1
	fi
	skopeo copy -q "$@" "oci:$BUSYBOX_OCI:t" "docker://$addr/$target"
}
