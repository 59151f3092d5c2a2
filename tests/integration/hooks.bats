#!/usr/bin/env bats
# OCI hooks: each kind runs at its moment of the life cycle, with the state on stdin, its args,
# env and timeout; a failing creation hook stops create and leaves nothing; a failing poststop
# hook is a warning.
# shellcheck disable=SC2016 # hook scripts and jq programs are written for later expansion

load helpers

setup_file()
{
	suite_setup
}

setup()
{
	setup_bundle
	LOG=$BATS_TEST_TMPDIR/hooks.log
	: >"$LOG"
	chmod 666 "$LOG"
	# A host hook: one line "NAME STATUS PID ARG1 FOO" per run, from the state on stdin.
	HOOK=$BATS_TEST_TMPDIR/hook.sh
	cat >"$HOOK" <<-EOS
		#!/bin/bash
		state=\$(cat)
		echo "\$1 \$(jq -r .status <<<"\$state") \$(jq -r .pid <<<"\$state") \$2 \${FOO:-unset} \$(jq -r .id <<<"\$state")" >>"$LOG"
	EOS
	chmod 755 "$HOOK"
}

teardown()
{
	cleanup_test
}

hook_json()
{
	jq -n --arg p "$HOOK" --arg n "$1" '{path: $p, args: ["hook.sh", $n, "arg1"], env: ["FOO=bar"]}'
}

@test "every hook runs at its moment, in order, with the state, args and env" {
	local share=$BATS_TEST_TMPDIR/share
	mkdir -p "$share"
	chmod 777 "$share"
	add_bind "$share" /mnt/share
	# startContainer runs in the container, after pivot_root: its path is the container's.
	set_cfg --argjson pre "$(hook_json prestart)" --argjson cr "$(hook_json createRuntime)" \
		--argjson cc "$(hook_json createContainer)" --argjson ps "$(hook_json poststart)" \
		--argjson pst "$(hook_json poststop)" '.hooks = {prestart: [$pre], createRuntime: [$cr],
		  createContainer: [$cc], poststart: [$ps], poststop: [$pst],
		  startContainer: [{path: "/bin/sh", args: ["sh", "-c", "cat > /mnt/share/start.json"]}]}'
	set_sh 'sleep 100'
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	mapfile -t lines <"$LOG"
	[[ ${lines[0]} == "prestart creating $pid arg1 bar $CID" ]] || fail "prestart: ${lines[0]}"
	[[ ${lines[1]} == "createRuntime creating $pid arg1 bar $CID" ]] || fail "createRuntime: ${lines[1]}"
	[[ ${lines[2]} == "createContainer creating $pid arg1 bar $CID" ]] || fail "createContainer: ${lines[2]}"
	((${#lines[@]} == 3)) || fail "more hooks ran before start: ${lines[*]}"
	[[ ! -e $share/start.json ]] || fail "startContainer ran before start"
	vr start "$CID"
	wait_file "$share/start.json"
	mapfile -t lines <"$LOG"
	[[ ${lines[3]} == "poststart running $pid arg1 bar $CID" ]] || fail "poststart: ${lines[3]}"
	[[ $(jq -r .id "$share/start.json") == "$CID" ]] || fail "startContainer state: $(cat "$share/start.json")"
	vr kill "$CID" KILL
	wait_status "$CID" stopped
	vr delete "$CID"
	mapfile -t lines <"$LOG"
	[[ ${lines[4]} == "poststop stopped "*" arg1 bar $CID" ]] || fail "poststop: ${lines[4]}"
	assert_clean "$CID"
}

@test "a failing prestart hook stops create: one line naming the hook, nothing left" {
	set_cfg --arg p "$BATS_TEST_TMPDIR/fail.sh" '.hooks.prestart = [{path: $p}]'
	printf '#!/bin/sh\nexit 3\n' >"$BATS_TEST_TMPDIR/fail.sh"
	chmod 755 "$BATS_TEST_TMPDIR/fail.sh"
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "hooks.prestart[0]"
	[[ ${stderr_lines[0]} == *"exit status 3"* ]] || fail "no exit status: ${stderr_lines[0]}"
	assert_clean "$CID"
}

@test "a hook past its timeout is killed and create fails" {
	set_cfg '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "hooks.createRuntime[0]"
	[[ ${stderr_lines[0]} == *"timed out"* ]] || fail "no timeout named: ${stderr_lines[0]}"
	assert_clean "$CID"
}

@test "a hook path that does not exist fails create naming it" {
	set_cfg '.hooks.createContainer = [{path: "/no/such/hook"}]'
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "hooks.createContainer[0]|/no/such/hook"
	assert_clean "$CID"
}

@test "a failing poststop hook is a warning: delete succeeds" {
	set_cfg '.hooks.poststop = [{path: "/bin/false"}]'
	run_ctr
	assert_status 0
	[[ $stderr == *"warning"*"hooks.poststop[0]"* ]] || fail "no warning: $stderr"
	assert_clean "$CID"
}
