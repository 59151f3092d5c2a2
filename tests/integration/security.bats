#!/usr/bin/env bats
# Defence in depth, seen from inside the container: capability sets, no_new_privs, seccomp,
# masked and read-only paths; and the bad inputs of those parts of config.json.
# shellcheck disable=SC2016 # shell lines and jq programs are meant for the container / jq

load helpers

setup_file()
{
	suite_setup
	# A setuid-root program that prints its effective uid: the no_new_privs test runs it as
	# an unprivileged user. Static, so it needs nothing from the busybox root.
	printf '#include <stdio.h>\n#include <unistd.h>\nint main(void){printf("%%d\\n",(int)geteuid());return 0;}\n' \
		>"$BATS_FILE_TMPDIR/euid.c"
	gcc -static -O1 -o "$ROOTFS/bin/euid" "$BATS_FILE_TMPDIR/euid.c"
	chown 0:0 "$ROOTFS/bin/euid"
	chmod 4755 "$ROOTFS/bin/euid"
}

setup()
{
	setup_bundle
}

teardown()
{
	cleanup_test
}

# cap_mask NAME...: the hex mask /proc/self/status prints for these capabilities.
cap_mask()
{
	local mask=0 n
	for n in "$@"; do
		mask=$((mask | (1 << n)))
	done
	printf '%016x' "$mask"
}

@test "/proc/self/status shows exactly the configured capability sets" {
	# CAP_CHOWN=0 CAP_KILL=5 CAP_NET_BIND_SERVICE=10 CAP_AUDIT_WRITE=29. As an unprivileged user:
	# for uid 0 the kernel's legacy-root rules recompute the sets at every exec (runc alike).
	set_cfg '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {
	  bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
	  effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
	  permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
	  inheritable: ["CAP_KILL"],
	  ambient: ["CAP_KILL"]}'
	set_sh 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status'
	run_ctr
	assert_status 0
	# Across the exec of sh (and of grep) only the ambient set carries into permitted and effective.
	assert_output_has "CapInh:	$(cap_mask 5)"
	assert_output_has "CapBnd:	$(cap_mask 0 5 10 29)"
	assert_output_has "CapAmb:	$(cap_mask 5)"
	assert_output_has "CapPrm:	$(cap_mask 5)"
	assert_output_has "CapEff:	$(cap_mask 5)"
}

@test "a capability outside the sets is refused: chown fails without CAP_CHOWN" {
	set_cfg '.linux.namespaces -= [{type: "mount"}] | .linux.namespaces += [{type: "mount"}]
		| .mounts += [{destination: "/mnt/tmp", type: "tmpfs", source: "tmpfs"}]'
	set_sh 'touch /mnt/tmp/f && chown 1:1 /mnt/tmp/f; echo rc=$?'
	run_ctr
	assert_output_has "rc=1"
	set_cfg '.process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"]
		| .process.capabilities.permitted += ["CAP_CHOWN"]'
	run_ctr
	assert_output_has "rc=0"
}

@test "root without CAP_SYS_ADMIN cannot mount" {
	set_sh 'mkdir -p /tmp/m 2>/dev/null; mount -t tmpfs t /proc/sys 2>&1; echo rc=$?'
	run_ctr
	assert_output_has "rc="
	[[ $output != *"rc=0"* ]] || fail "mount succeeded: $output"
}

@test "noNewPrivileges: a setuid-root binary does not give root to an unprivileged user" {
	set_cfg '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = true'
	set_sh 'grep NoNewPrivs /proc/self/status; /bin/euid'
	run_ctr
	assert_status 0
	assert_output_is $'NoNewPrivs:\t1\n1000'
}

@test "without noNewPrivileges the same setuid binary does run as root (the test can fail)" {
	set_cfg '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false
		| .process.capabilities.bounding += ["CAP_SETUID"]'
	set_sh 'grep NoNewPrivs /proc/self/status; /bin/euid'
	run_ctr
	assert_status 0
	assert_output_is $'NoNewPrivs:\t0\n0'
}

@test "seccomp: a denied syscall fails with the configured errno, Seccomp mode 2" {
	set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
	  syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]}
		| .mounts += [{destination: "/mnt/tmp", type: "tmpfs", source: "tmpfs"}]'
	set_sh 'grep "^Seccomp:" /proc/self/status; mkdir /mnt/tmp/d 2>&1; echo rc=$?'
	run_ctr
	assert_output_has $'Seccomp:\t2'
	assert_output_has "Permission denied"
	assert_output_has "rc=1"
}

@test "seccomp: argument comparisons select the call (kill with SIGUSR1 denied, signal 0 allowed)" {
	set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	  syscalls: [{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
	    args: [{index: 1, value: 10, op: "SCMP_CMP_EQ"}]}]}'
	set_sh 'trap "" USR1; kill -USR1 $$ 2>&1; echo usr1=$?; kill -0 $$; echo zero=$?'
	run_ctr
	assert_output_has "usr1=1"
	assert_output_has "zero=0"
}

@test "seccomp without noNewPrivileges is loaded before the switch of user" {
	set_cfg '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		  syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	set_sh 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; mkdir /tmp/x 2>&1; echo rc=$?'
	run_ctr
	assert_output_has $'Seccomp:\t2'
	assert_output_has $'NoNewPrivs:\t0'
	assert_output_has "rc=1"
}

@test "seccomp: an unknown syscall name is skipped, as runc does" {
	set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	  syscalls: [{names: ["no_such_syscall_vessel", "mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	set_sh 'mkdir /tmp/x 2>&1; echo rc=$?'
	run_ctr
	assert_status 0
	assert_output_has "rc=1"
}

@test "maskedPaths read empty; readonlyPaths refuse writes; /proc/sys is read-only" {
	set_cfg '.linux.maskedPaths = ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"]
		| .linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger", "/proc/bus"]'
	set_sh 'wc -c < /proc/keys; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>&1; echo rc=$?'
	run_ctr
	assert_output_has "rc=1"
	local lines
	mapfile -t lines <<<"$output"
	[[ ${lines[0]} == 0 ]] || fail "/proc/keys is not empty: ${lines[0]}"
	[[ ${lines[1]} == 0 ]] || fail "/sys/firmware is not empty: ${lines[1]}"
}

# --- bad input ------------------------------------------------------------------------------

create_fails()
{
	vr_bg create --bundle "$BUNDLE" "$CID"
	assert_one_error "$1"
	assert_clean "$CID"
}

@test "bad input: unknown capability" {
	set_cfg '.process.capabilities.bounding += ["CAP_FLY"]'
	create_fails "capabilities.bounding|CAP_FLY"
}

@test "bad input: unknown seccomp action" {
	set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_EXPLODE"}]}'
	create_fails "seccomp.syscalls[0].action|SCMP_ACT_EXPLODE"
}

@test "bad input: unknown seccomp default action" {
	set_cfg '.linux.seccomp = {defaultAction: "ALLOW"}'
	create_fails "seccomp.defaultAction"
}

@test "bad input: unknown seccomp architecture" {
	set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_Z80"]}'
	create_fails "architectures|SCMP_ARCH_Z80"
}

@test "bad input: unknown seccomp operator" {
	set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO",
	  args: [{index: 0, value: 1, op: "SCMP_CMP_ALMOST"}]}]}'
	create_fails "args[0].op|SCMP_CMP_ALMOST"
}

@test "bad input: malformed uid mapping (size 0)" {
	set_cfg '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 0}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	create_fails "uidMappings[0]"
}

@test "bad input: overlapping uid mappings" {
	set_cfg '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 1000}, {containerID: 500, hostID: 300000, size: 10}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	create_fails "uidMappings[1]"
}

@test "bad input: user namespace without gid mappings" {
	set_cfg '.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	create_fails "gidMappings"
}

@test "bad input: SCMP_ACT_NOTIFY without a listener path" {
	set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
	create_fails "listenerPath|notify"
}

@test "bad input: errnoRet with an action that takes none" {
	set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_KILL", errnoRet: 1}]}'
	create_fails "errnoRet"
}

@test "bad input: an AppArmor profile on a host without AppArmor" {
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] &&
		skip "AppArmor is enabled on this host: the profile would be applied, not refused"
	set_cfg '.process.apparmorProfile = "docker-default"'
	create_fails "process.apparmorProfile"
}

@test "bad input: an SELinux label on a host without SELinux" {
	[[ -e /sys/fs/selinux/enforce ]] && skip "SELinux is enabled on this host: the label would be applied"
	set_cfg '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	create_fails "process.selinuxLabel"
}
