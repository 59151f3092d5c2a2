#!/usr/bin/env bats
# Rootless: an unprivileged user runs a bundle made by `spec --rootless`, with its state under
# $XDG_RUNTIME_DIR, its own uid mapped to root in a user namespace, and no cgroups (none is
# delegated here): the same basic checks as root.
# shellcheck disable=SC2016 # shell lines and jq programs are meant for the container / jq

load helpers

setup_file()
{
	suite_setup
	export RL_USER=vessel-rl-$$
	useradd -M -d /nonexistent -s /usr/sbin/nologin "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	export RL_UID
	# Everything the user touches lives in a directory of its own, reachable from /.
	export RL_HOME=$BATS_FILE_TMPDIR/rl
	mkdir -p "$RL_HOME/run" "$RL_HOME/bin"
	cp "$VR" "$RL_HOME/bin/vessel-runtime"
	cp -a "$ROOTFS" "$RL_HOME/rootfs"
	chown -R "$RL_UID:$RL_UID" "$RL_HOME"
	chmod 755 "$RL_HOME"
}

teardown_file()
{
	userdel "$RL_USER" 2>/dev/null || true
}

setup()
{
	CID=rl-$BATS_TEST_NUMBER-$$
	RL_BUNDLE=$RL_HOME/bundle-$BATS_TEST_NUMBER
	as_user mkdir -p "$RL_BUNDLE"
	as_user sh -c "cd '$RL_BUNDLE' && '$RL_HOME/bin/vessel-runtime' spec --rootless"
	rl_cfg --arg r "$RL_HOME/rootfs" '.root.path = $r | .process.terminal = false'
}

teardown()
{
	as_user "$RL_HOME/bin/vessel-runtime" delete --force "$CID" >/dev/null 2>&1 || true
}

as_user()
{
	setpriv --reuid="$RL_UID" --regid="$RL_UID" --clear-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/run" "$@" 3>&-
}

rl_vr()
{
	as_user timeout -k 5 "$VR_TIMEOUT" "$RL_HOME/bin/vessel-runtime" "$@"
}

rl_cfg()
{
	local cfg=$RL_BUNDLE/config.json
	jq "$@" "$cfg" >"$cfg.new" && chown "$RL_UID:$RL_UID" "$cfg.new" && mv "$cfg.new" "$cfg"
}

@test "rootless run: root inside is the user outside, own pid, uts and mount namespaces" {
	rl_cfg '.process.args = ["sh", "-c", "id -u; echo $$; hostname; cat /proc/self/uid_map; readlink /proc/self/ns/user"]'
	run --separate-stderr rl_vr run --bundle "$RL_BUNDLE" "$CID"
	assert_status 0
	[[ ${lines[0]} == 0 ]] || fail "id -u inside: ${lines[0]}"
	[[ ${lines[1]} == 1 ]] || fail "pid: ${lines[1]}"
	[[ ${lines[2]} == vessel ]] || fail "hostname: ${lines[2]}"
	read -r -a map <<<"${lines[3]}"
	[[ ${map[*]} == "0 $RL_UID 1" ]] || fail "uid_map: ${lines[3]}"
	[[ ${lines[4]} != "$(readlink /proc/self/ns/user)" ]] || fail "the host's user namespace"
}

@test "rootless: state lives under \$XDG_RUNTIME_DIR; create, start, state, kill, delete" {
	rl_cfg '.process.args = ["sleep", "100"]'
	rl_vr create --bundle "$RL_BUNDLE" "$CID" </dev/null >/dev/null 2>&1
	[[ -d $RL_HOME/run/vessel-runtime/$CID ]] || fail "no state under XDG_RUNTIME_DIR"
	run rl_vr state "$CID"
	[[ $(jq -r .status <<<"$output") == created ]] || fail "state: $output"
	local pid
	pid=$(jq -r .pid <<<"$output")
	[[ $(stat -c %u "/proc/$pid") == "$RL_UID" ]] || fail "the init is not the user's process"
	rl_vr start "$CID"
	run rl_vr state "$CID"
	[[ $(jq -r .status <<<"$output") == running ]] || fail "state after start: $output"
	rl_vr kill "$CID" KILL
	for _ in $(seq 50); do
		run rl_vr state "$CID"
		[[ $(jq -r .status <<<"$output") == stopped ]] && break
		sleep 0.1
	done
	[[ $(jq -r .status <<<"$output") == stopped ]] || fail "not stopped: $output"
	rl_vr delete "$CID"
	[[ ! -e $RL_HOME/run/vessel-runtime/$CID ]] || fail "state left behind"
}

@test "rootless: the default devices are the host's, bound in" {
	rl_cfg '.process.args = ["sh", "-c", "echo x > /dev/null && head -c 4 /dev/zero | wc -c && ls /dev/pts/ptmx"]'
	run --separate-stderr rl_vr run --bundle "$RL_BUNDLE" "$CID"
	assert_status 0
	assert_output_is $'4\n/dev/pts/ptmx'
}

@test "rootless: a memory limit with no delegated cgroup is an error naming linux.resources" {
	rl_cfg '.linux.resources = {memory: {limit: 67108864}}'
	run --separate-stderr rl_vr run --bundle "$RL_BUNDLE" "$CID"
	[[ $status -ne 0 ]] || fail "a limit was accepted with no cgroup to enforce it"
	[[ $stderr == *"linux.resources"* ]] || fail "stderr: $stderr"
	((${#stderr_lines[@]} == 1)) || fail "stderr lines: $stderr"
	[[ ! -e $RL_HOME/run/vessel-runtime/$CID ]] || fail "state left behind"
}

@test "rootless: mapping ids other than one's own needs newuidmap, said clearly" {
	# Without the uidmap package: "needs newuidmap"; with it, the user has no /etc/subuid
	# range, so newuidmap refuses: "newuidmap refused the mapping". Either names both.
	rl_cfg '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	run --separate-stderr rl_vr run --bundle "$RL_BUNDLE" "$CID"
	[[ $status -ne 0 ]] || fail "an unprivileged mapping of others' ids succeeded"
	[[ $stderr == *"linux.uidMappings"*"newuidmap"* ]] || fail "stderr: $stderr"
	[[ ! -e $RL_HOME/run/vessel-runtime/$CID ]] || fail "state left behind"
}
