#!/usr/bin/env bats
# vessel inspect for containers (docker's JSON shape, -f templates, containers before images),
# restart policies (on-failure:N, always, unless-stopped; stop/kill by the user wins),
# --runtime runc and vessel.conf's default, --log-opt / --log-driver none, ps --filter/-n/-l/-s,
# logs --since/--until, and bad input. The image is the busybox rootfs, imported.
# shellcheck disable=SC2016

load helpers

RUNC=/usr/sbin/runc

setup_file()
{
	# no host vessel.conf leaks in: each test that wants one writes its own
	export VESSEL_CONFIG=$BATS_FILE_TMPDIR/none.conf
	engine_setup_file vt-insp-busybox:1
}

teardown_file()
{
	engine_teardown_file
}

setup()
{
	NAMES=()
}

teardown()
{
	engine_teardown
}

# inspect_field NAME TEMPLATE
field()
{
	vessel inspect -f "$2" "$1"
}

# wait_field NAME TEMPLATE WANT [SECONDS]: poll until the template gives WANT.
wait_field()
{
	local n=$1 tmpl=$2 want=$3 secs=${4:-15} i got=""
	for ((i = 0; i < secs * 10; i++)); do
		got=$(field "$n" "$tmpl" 2>/dev/null) || true
		[[ $got == "$want" ]] && return 0
		sleep 0.1
	done
	fail "$n: $tmpl is '$got', wanted '$want' after ${secs}s"
}

# one_error NEEDLE: the command failed with one stderr line "vessel: ..." containing NEEDLE.
one_error()
{
	[[ $status -ne 0 ]] || fail "exit status 0, wanted an error; output: $output"
	((${#stderr_lines[@]} == 1)) || fail "wanted one line on stderr, got: ${stderr_lines[*]}"
	[[ ${stderr_lines[0]} == "vessel: "* ]] || fail "no 'vessel: ' prefix: ${stderr_lines[0]}"
	[[ ${stderr_lines[0]} == *"$1"* ]] || fail "stderr '${stderr_lines[0]}' lacks '$1'"
}

@test "inspect: a created container in docker's shape, from the flags and the image" {
	name n
	run vessel create --network none --name "$n" -e FOO=bar -l tier=web -w /tmp -u 1:1 --stop-signal SIGUSR1 \
		--restart on-failure:2 -m 64m --pids-limit 40 --cap-add NET_ADMIN -v /anon vt-insp-busybox:1 echo hi there
	assert_status 0
	id=$output
	run vessel inspect "$n"
	assert_status 0
	json=$output
	[ "$(jq length <<<"$json")" = 1 ]
	# every top-level member docker has
	keys=$(jq -r '.[0] | keys_unsorted | join(",")' <<<"$json")
	for k in Id Created Path Args State Image ResolvConfPath HostnamePath HostsPath LogPath Name RestartCount \
		Driver Platform MountLabel ProcessLabel AppArmorProfile HostConfig GraphDriver Mounts Config NetworkSettings; do
		[[ ",$keys," == *",$k,"* ]] || fail "no $k in $keys"
	done
	[ "$(jq -r '.[0].Id' <<<"$json")" = "$id" ]
	[ "$(jq -r '.[0].Name' <<<"$json")" = "/$n" ]
	[ "$(jq -r '.[0].Path + " " + (.[0].Args | join(" "))' <<<"$json")" = "echo hi there" ]
	[ "$(jq -r '.[0].State | "\(.Status) \(.Running) \(.Pid) \(.StartedAt)"' <<<"$json")" = "created false 0 0001-01-01T00:00:00Z" ]
	[ "$(jq -r '.[0].Image' <<<"$json")" = "$(vessel image inspect -f '{{.Id}}' vt-insp-busybox:1)" ]
	[ "$(jq -r '.[0].Config | "\(.Image) \(.User) \(.WorkingDir) \(.StopSignal) \(.Labels.tier) \(.Cmd | join(" "))"' <<<"$json")" = "vt-insp-busybox:1 1:1 /tmp SIGUSR1 web echo hi there" ]
	jq -e '.[0].Config.Env | index("FOO=bar")' <<<"$json" >/dev/null
	jq -e '.[0].Config.Volumes["/anon"] == {}' <<<"$json" >/dev/null
	[ "$(jq -r '.[0].HostConfig | "\(.RestartPolicy.Name):\(.RestartPolicy.MaximumRetryCount) \(.Memory) \(.PidsLimit) \(.CapAdd[0]) \(.LogConfig.Type) \(.Runtime)"' <<<"$json")" = "on-failure:2 67108864 40 CAP_NET_ADMIN json-file vessel" ]
	# the paths are real: the overlay's merged dir and the per-container files
	[ "$(jq -r '.[0].GraphDriver.Name' <<<"$json")" = overlay ]
	[ -d "$(jq -r '.[0].GraphDriver.Data.MergedDir' <<<"$json")/bin" ]
	[ "$(cat "$(jq -r '.[0].HostnamePath' <<<"$json")")" = "${id:0:12}" ]
	[ -f "$(jq -r '.[0].ResolvConfPath' <<<"$json")" ]
	jq -e '.[0].NetworkSettings | has("Networks") and has("IPAddress") and has("Ports")' <<<"$json" >/dev/null
}

@test "inspect -f: State, json, nested fields; a running container's Pid is its init" {
	name n
	vessel run --network none -d --name "$n" --restart unless-stopped vt-insp-busybox:1 sleep 60 >/dev/null
	run vessel inspect -f '{{.State.Status}} {{.State.Running}} {{.HostConfig.RestartPolicy.Name}} {{.Name}}' "$n"
	assert_status 0
	assert_output_is "running true unless-stopped /$n"
	run vessel inspect -f '{{json .Config.Cmd}}' "$n"
	assert_output_is '["sleep","60"]'
	run vessel inspect -f '{{json .Config}}' "$n"
	[ "$(jq -r .Image <<<"$output")" = vt-insp-busybox:1 ]
	pid=$(field "$n" '{{.State.Pid}}')
	[ "$pid" -gt 0 ]
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 60 " ]
	[[ $(field "$n" '{{.State.StartedAt}}') == 20*Z ]]
}

@test "inspect: containers first, then images; several names give one array; missing ones fail" {
	name n
	vessel create --network none --name "$n" vt-insp-busybox:1 true >/dev/null
	run vessel inspect "$n" vt-insp-busybox:1
	assert_status 0
	[ "$(jq -r '.[0].Name, (.[1].RepoTags[0])' <<<"$output" | paste -sd' ')" = "/$n vt-insp-busybox:1" ]
	run vessel container inspect -f '{{.Name}}' "$n"
	assert_output_is "/$n"
	run vessel inspect --type image -f '{{index .RepoTags 0}}' vt-insp-busybox:1
	assert_output_is vt-insp-busybox:1
	run --separate-stderr vessel inspect --type container vt-insp-busybox:1
	one_error "No such container: vt-insp-busybox:1"
	run --separate-stderr vessel inspect "$n" vt-insp-nothing
	[ "$status" -eq 1 ]
	[ "$(jq -r '.[0].Name' <<<"$output")" = "/$n" ]
	[ "${stderr}" = "vessel: No such object: vt-insp-nothing" ]
	run --separate-stderr vessel inspect --type volume "$n"
	one_error "not a valid value for --type"
}

@test "inspect -s and ps -s: what the container wrote (SizeRw) and with its image" {
	name n
	vessel run --network none --name "$n" vt-insp-busybox:1 sh -c 'head -c 300000 /dev/zero >/big' >/dev/null
	run vessel inspect -s -f '{{.SizeRw}} {{.SizeRootFs}}' "$n"
	assert_status 0
	read -r rw rootfs <<<"$output"
	[ "$rw" -ge 300000 ] && [ "$rw" -lt 400000 ]
	[ "$rootfs" -gt "$rw" ]
	run vessel inspect -f '{{.SizeRw}}' "$n"
	assert_output_is "<no value>" # only with -s, as docker
	run vessel ps -a -s --filter "name=^$n\$" --format '{{.Size}}'
	[[ $output == "300kB (virtual "*"MB)" ]] || fail "size column: $output"
	run vessel ps -a -s --filter "name=^$n\$"
	[[ ${lines[0]} == *"NAMES"*"SIZE" ]]
}

@test "restart on-failure:3: a crashing container restarts 3 times, then stays exited" {
	name n
	vessel run --network none -d --name "$n" --restart on-failure:3 vt-insp-busybox:1 sh -c 'echo ran; exit 3' >/dev/null
	wait_field "$n" '{{.RestartCount}} {{.State.Status}}' "3 exited"
	sleep 1 # no fourth run comes
	run field "$n" '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'
	assert_output_is "3 exited 3"
	run vessel logs "$n"
	[ "${#lines[@]}" -eq 4 ] # the first run and 3 restarts
}

@test "restart on-failure does not restart after exit 0; no policy never restarts" {
	name a
	name b
	vessel run --network none -d --name "$a" --restart on-failure vt-insp-busybox:1 true >/dev/null
	vessel run --network none -d --name "$b" vt-insp-busybox:1 false >/dev/null
	wait_field "$a" '{{.State.Status}}' exited
	wait_field "$b" '{{.State.Status}}' exited
	sleep 0.5
	[ "$(field "$a" '{{.RestartCount}}')" = 0 ]
	[ "$(field "$b" '{{.RestartCount}} {{.State.ExitCode}}')" = "0 1" ]
}

@test "restart always: restarts after exit 0 until vessel stop; then it stays stopped" {
	name n
	vessel run --network none -d --name "$n" --restart always vt-insp-busybox:1 sh -c 'sleep 0.2' >/dev/null
	for ((i = 0; i < 100; i++)); do
		[ "$(field "$n" '{{.RestartCount}}')" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(field "$n" '{{.RestartCount}}')" -ge 2 ]
	run vessel stop -t 1 "$n"
	assert_status 0
	wait_field "$n" '{{.State.Status}}' exited 5
	count=$(field "$n" '{{.RestartCount}}')
	sleep 1.5 # longer than the longest backoff
	run field "$n" '{{.RestartCount}} {{.State.Status}}'
	assert_output_is "$count exited"
	# start clears "stopped by the user": the policy applies again
	vessel start "$n" >/dev/null
	for ((i = 0; i < 100; i++)); do
		[ "$(field "$n" '{{.RestartCount}}')" -gt "$count" ] && break
		sleep 0.1
	done
	[ "$(field "$n" '{{.RestartCount}}')" -gt "$count" ]
}

@test "restart unless-stopped: ps shows Restarting while it waits; stop and kill are the user's" {
	name a
	name b
	# a: fails at once, every time: after a few restarts the backoff (800 ms) is most of its life
	vessel run --network none -d --name "$a" --restart unless-stopped vt-insp-busybox:1 sh -c 'exit 1' >/dev/null
	seen=""
	for ((i = 0; i < 200; i++)); do
		st=$(vessel ps -a --filter "name=^$a\$" --format '{{.Status}}')
		# Restarting, after at least one restart (the first wait comes before any)
		[[ $st == "Restarting (1) "* ]] && (($(field "$a" '{{.RestartCount}}') >= 1)) && seen=1 && break
		sleep 0.05
	done
	[ -n "$seen" ] || fail "never saw Restarting: $st"
	vessel stop "$a" >/dev/null
	wait_field "$a" '{{.State.Status}}' exited 5
	count=$(field "$a" '{{.RestartCount}}')
	[ "$count" -ge 1 ]
	# b: the upper dir outlives a restart, so the second run waits to be killed
	vessel run --network none -d --name "$b" --restart unless-stopped vt-insp-busybox:1 \
		sh -c 'if [ -e /ran ]; then exec sleep 60; fi; touch /ran; exit 1' >/dev/null
	wait_field "$b" '{{.State.Status}} {{.RestartCount}}' "running 1"
	vessel kill "$b" >/dev/null
	wait_field "$b" '{{.State.Status}}' exited 5
	sleep 1.5 # longer than the longest backoff: neither comes back
	run field "$b" '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'
	assert_output_is "1 exited 137"
	run field "$a" '{{.RestartCount}} {{.State.Status}}'
	assert_output_is "$count exited"
}

@test "--runtime runc: created, started, stopped and deleted through runc" {
	[ -x "$RUNC" ] || skip "runc is not installed"
	name n
	run vessel run --network none --rm --runtime "$RUNC" vt-insp-busybox:1 sh -c 'echo through-runc; exit 4'
	[ "$status" -eq 4 ]
	assert_output_is through-runc
	vessel run --network none -d --name "$n" --runtime "$RUNC" vt-insp-busybox:1 sleep 60 >/dev/null
	id=$(field "$n" '{{.Id}}')
	[ "$(field "$n" '{{.HostConfig.Runtime}} {{.State.Status}}')" = "$RUNC running" ]
	# runc knows it: the engine's state calls go to runc, not to the in-process runtime
	run "$RUNC" --root "$VESSEL_RUNROOT/runtime" state "$id"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" = "$(field "$n" '{{.State.Pid}}')" ]
	vessel kill -s TERM "$n" >/dev/null # sleep as pid 1 ignores TERM: still running
	sleep 0.3
	[ "$(field "$n" '{{.State.Status}}')" = running ]
	run vessel stop -t 0 "$n"
	assert_status 0
	[ "$(field "$n" '{{.State.Status}} {{.State.ExitCode}}')" = "exited 137" ]
	run "$RUNC" --root "$VESSEL_RUNROOT/runtime" state "$id"
	[ "$status" -ne 0 ] # deleted from runc's state
	vessel rm "$n" >/dev/null
}

@test "vessel.conf: runtime default from \$VESSEL_CONFIG; the flag wins; a bad file is one error" {
	[ -x "$RUNC" ] || skip "runc is not installed"
	name a
	name b
	conf=$BATS_TEST_TMPDIR/vessel.conf
	printf '# test\n[engine]\nruntime = "%s"\n' "$RUNC" >"$conf"
	VESSEL_CONFIG=$conf vessel create --network none --name "$a" vt-insp-busybox:1 true >/dev/null
	VESSEL_CONFIG=$conf vessel create --network none --name "$b" --runtime vessel vt-insp-busybox:1 true >/dev/null
	[ "$(field "$a" '{{.HostConfig.Runtime}}')" = "$RUNC" ]
	[ "$(field "$b" '{{.HostConfig.Runtime}}')" = vessel ]
	# the runtime stays the one it was created with
	vessel start -a "$a" >/dev/null
	[ "$(field "$a" '{{.State.Status}} {{.State.ExitCode}}')" = "exited 0" ]
	before=$(vessel ps -aq | wc -l)
	printf 'runtime = "%s"\nlogging = yes\n' "$RUNC" >"$conf"
	VESSEL_CONFIG=$conf run --separate-stderr vessel create --network none vt-insp-busybox:1 true
	one_error "$conf:2: unknown key \"logging\""
	printf 'runtime = /nonexistent/runc\n' >"$conf"
	VESSEL_CONFIG=$conf run --separate-stderr vessel run --network none --rm vt-insp-busybox:1 true
	one_error "runtime /nonexistent/runc"
	[ "$(vessel ps -aq | wc -l)" = "$before" ] # nothing half-made
}

@test "--log-opt max-size/max-file rotate the log; --log-driver none keeps none" {
	name n
	name q
	vessel run --network none --name "$n" --log-opt max-size=2k --log-opt max-file=2 vt-insp-busybox:1 \
		sh -c 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done' >/dev/null
	log=$(field "$n" '{{.LogPath}}')
	[ "$(field "$n" '{{index .HostConfig.LogConfig.Config "max-size"}}')" = 2k ]
	[ -f "$log.1" ] # rotated once at least
	[ ! -e "$log.2" ] # max-file=2: the log and one old one
	[ "$(stat -c %s "$log")" -le 2048 ]
	# the newest lines are in the current file
	run vessel logs "$n"
	[ "${lines[-1]}" = line-199 ]
	vessel run --network none --name "$q" --log-driver none vt-insp-busybox:1 echo not-logged >/dev/null
	qlog=$(field "$q" '{{.LogPath}}')
	[ ! -s "$qlog" ]
	run --separate-stderr vessel logs "$q"
	one_error "configured logging driver does not support reading"
}

@test "ps --filter: id, name, label, status, exited, ancestor, before, since; -n and -l" {
	name a
	name b
	name c
	vessel run --network none --name "$a" -l color=red vt-insp-busybox:1 sh -c 'exit 2' >/dev/null || true
	vessel create --network none --name "$b" -l color=blue -l shape vt-insp-busybox:1 true >/dev/null
	vessel run --network none -d --name "$c" vt-insp-busybox:1 sleep 60 >/dev/null
	ids() { vessel ps "$@" --format '{{.Names}}' | grep "^vt-$SUITE-" | paste -sd' '; }
	[ "$(ids -a --filter label=color=red)" = "$a" ]
	[ "$(ids -a --filter label=color)" = "$b $a" ]
	[ "$(ids -a --filter label=shape)" = "$b" ]
	[ "$(ids --filter status=exited)" = "$a" ] # status implies -a
	[ "$(ids --filter status=created)" = "$b" ]
	[ "$(ids --filter exited=2)" = "$a" ]
	[ "$(ids --filter exited=0)" = "" ]
	[ "$(ids -a --filter "name=$b")" = "$b" ]
	[ "$(ids -a --filter "name=$a" --filter "name=$c")" = "$c $a" ] # one key: OR
	[ "$(ids -a --filter "name=vt-$SUITE-" --filter status=running)" = "$c" ] # two keys: AND
	[ "$(ids -a --filter "id=$(field "$b" '{{.Id}}' | cut -c1-10)")" = "$b" ]
	[ "$(ids -a --filter ancestor=vt-insp-busybox:1 --filter "name=$a")" = "$a" ]
	[ "$(ids -a --filter ancestor="$(vessel image inspect -f '{{.Id}}' vt-insp-busybox:1)" --filter "name=$c")" = "$c" ]
	[ "$(ids -a --filter ancestor=other:1)" = "" ]
	[ "$(ids -a --filter "before=$b")" = "$a" ]
	[ "$(ids -a --filter "since=$b")" = "$c" ]
	[ "$(ids -n 2)" = "$c $b" ]
	[ "$(ids -l)" = "$c" ]
	[ "$(ids -n 1 --filter label=color)" = "$b" ] # the filter first, then the count
}

@test "logs --since/--until: RFC 3339 times and durations" {
	name n
	vessel run --network none --name "$n" vt-insp-busybox:1 sh -c 'echo early; sleep 1.2; echo late' >/dev/null
	run vessel logs -t "$n"
	[ "${#lines[@]}" -eq 2 ]
	t_early=${lines[0]%% *} t_late=${lines[1]%% *}
	run vessel logs --since "$t_late" "$n"
	assert_output_is late
	run vessel logs --until "$t_early" "$n"
	assert_output_is early
	run vessel logs --since 1h "$n"
	[ "${#lines[@]}" -eq 2 ]
	run vessel logs --until 1h "$n"
	assert_output_is ""
	run vessel logs --since "$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)" "$n"
	assert_output_is ""
	run vessel logs --since "$(($(date +%s) - 3600))" "$n"
	[ "${#lines[@]}" -eq 2 ]
}

@test "bad input: one line, exit non-zero, nothing made" {
	before=$(vessel ps -aq | wc -l)
	run --separate-stderr vessel run --network none --restart sometimes vt-insp-busybox:1 true
	one_error "unknown policy 'sometimes'"
	[ "$status" -eq 125 ]
	run --separate-stderr vessel run --network none --restart always:3 vt-insp-busybox:1 true
	one_error "maximum retry count can only be used with 'on-failure'"
	run --separate-stderr vessel run --network none --log-opt max-size=lots vt-insp-busybox:1 true
	one_error "--log-opt"
	run --separate-stderr vessel run --network none --log-opt colour=red vt-insp-busybox:1 true
	one_error "unknown log opt 'colour'"
	run --separate-stderr vessel run --network none --runtime runc vt-insp-busybox:1 true
	one_error "must be an absolute path"
	run --separate-stderr vessel run --network none --runtime /nonexistent/rt vt-insp-busybox:1 true
	one_error "runtime /nonexistent/rt"
	run --separate-stderr vessel ps --filter colour=red
	one_error "invalid filter 'colour'"
	run --separate-stderr vessel ps --filter status=sleeping
	one_error "invalid filter 'status=sleeping'"
	run --separate-stderr vessel ps --filter name
	one_error "bad format of filter"
	run --separate-stderr vessel ps --filter 'name=('
	one_error "bad regular expression"
	run --separate-stderr vessel logs --since yesterday vt-insp-nothing
	one_error "invalid value for \"since/until\": \"yesterday\""
	run --separate-stderr vessel inspect -f '{{.State.Status' vt-insp-busybox:1
	[ "$status" -ne 0 ]
	[ "$(vessel ps -aq | wc -l)" = "$before" ]
}
