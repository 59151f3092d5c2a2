/* Unit tests for src/oci/config.c: config.json -> struct vs_oci_config. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci/config.h"
#include "util/cleanup.h"

static char *fixture_path(const char *name)
{
        const char *dir = getenv("VESSEL_TEST_DATA");
        char *path = NULL;
        assert_non_null(dir);
        assert_true(asprintf(&path, "%s/oci/%s", dir, name) > 0);
        return path;
}

/* Test inputs are written with single quotes, for legibility: 'a' -> "a". */
static char *dq(const char *s)
{
        char *out = strdup(s);
        assert_non_null(out);
        for (char *p = out; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return out;
}

static struct vs_oci_config *parse_ok(const char *squoted)
{
        _cleanup_free_ char *json = dq(squoted);
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_config *config = NULL;
        int r = vs_oci_config_parse(json, strlen(json), "config.json", &config, &err);
        if (r < 0)
                fail_msg("unexpected error: %s", err.msg);
        assert_non_null(config);
        return config;
}

static const struct vs_oci_idmap *idmap_at(const struct vs_oci_idmap *maps, size_t i)
{
        return &maps[i];
}

/* ---- the full config ---- */

static void check_full_process(const struct vs_oci_process *p)
{
        assert_non_null(p);
        assert_true(p->terminal);
        assert_true(p->has_console_size);
        assert_int_equal(p->console_height, 25);
        assert_int_equal(p->console_width, 80);
        assert_int_equal(p->user.uid, 1000);
        assert_int_equal(p->user.gid, 1001);
        assert_true(p->user.umask.set);
        assert_int_equal(p->user.umask.value, 022);
        assert_int_equal(p->user.n_additional_gids, 3);
        assert_int_equal(p->user.additional_gids[2], UINT32_MAX);
        assert_string_equal(p->user.username, "app");
        assert_int_equal(p->n_args, 3);
        assert_string_equal(p->args[0], "/bin/app");
        assert_string_equal(p->args[2], "value");
        assert_null(p->args[3]);
        assert_string_equal(p->command_line, "app --flag value");
        assert_int_equal(p->n_env, 3);
        assert_string_equal(p->env[2], "EMPTY=");
        assert_null(p->env[3]);
        assert_string_equal(p->cwd, "/srv");
        assert_true(p->no_new_privileges);
        assert_string_equal(p->apparmor_profile, "vessel-default");
        assert_true(p->oom_score_adj.set);
        assert_int_equal(p->oom_score_adj.value, -500);
        assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2");
        assert_string_equal(p->exec_cpu_affinity_initial, "0-3");
        assert_string_equal(p->exec_cpu_affinity_final, "1");
}

static void check_full_process_details(const struct vs_oci_process *p)
{
        const struct vs_oci_capabilities *caps = p->capabilities;
        assert_non_null(caps);
        assert_string_equal(caps->bounding[2], "CAP_CHECKPOINT_RESTORE");
        assert_null(caps->bounding[3]);
        assert_string_equal(caps->effective[0], "CAP_KILL");
        /* Present but empty is not absent: an empty inheritable set. */
        assert_non_null(caps->inheritable);
        assert_null(caps->inheritable[0]);
        assert_string_equal(caps->ambient[0], "CAP_NET_BIND_SERVICE");

        assert_int_equal(p->n_rlimits, 3);
        assert_string_equal(p->rlimits[0].type, "RLIMIT_NOFILE");
        assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
        assert_int_equal(p->rlimits[0].hard, 4096);
        assert_int_equal(p->rlimits[0].soft, 1024);
        /* Beyond jansson's signed integers: kept exactly. */
        assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
        assert_true(p->rlimits[1].hard == UINT64_MAX);
        assert_true(p->rlimits[1].soft == UINT64_MAX);
        assert_true(p->rlimits[2].hard == (uint64_t) INT64_MAX + 1);
        assert_int_equal(p->rlimits[2].resource, RLIMIT_NPROC);

        assert_non_null(p->scheduler);
        assert_string_equal(p->scheduler->policy, "SCHED_DEADLINE");
        assert_int_equal(p->scheduler->policy_value, 6);
        assert_int_equal(p->scheduler->nice, -5);
        assert_string_equal(p->scheduler->flags[0], "SCHED_FLAG_RESET_ON_FORK");
        assert_int_equal(p->scheduler->runtime, 10000000);
        assert_int_equal(p->scheduler->deadline, 30000000);
        assert_int_equal(p->scheduler->period, 30000000);

        assert_non_null(p->io_priority);
        assert_string_equal(p->io_priority->class_name, "IOPRIO_CLASS_BE");
        assert_int_equal(p->io_priority->class_value, 2);
        assert_int_equal(p->io_priority->priority, 4);
}

static void check_full_top(const struct vs_oci_config *c)
{
        assert_string_equal(c->oci_version, "1.2.0");
        assert_string_equal(c->root_path, "rootfs");
        assert_true(c->root_readonly);
        assert_string_equal(c->hostname, "full");
        assert_string_equal(c->domainname, "example.org");

        assert_int_equal(c->n_mounts, 2);
        assert_string_equal(c->mounts[0].destination, "/proc");
        assert_string_equal(c->mounts[0].type, "proc");
        assert_null(c->mounts[0].options);
        assert_int_equal(c->mounts[0].n_options, 0);
        assert_string_equal(c->mounts[1].source, "/srv/data");
        assert_int_equal(c->mounts[1].n_options, 3);
        assert_string_equal(c->mounts[1].options[1], "rro");
        assert_null(c->mounts[1].options[3]);
        assert_int_equal(c->mounts[1].n_uid_mappings, 1);
        assert_int_equal(c->mounts[1].uid_mappings[0].host_id, 100000);
        assert_int_equal(c->mounts[1].gid_mappings[0].host_id, 200000);
        assert_int_equal(c->mounts[1].gid_mappings[0].size, 65536);

        assert_int_equal(c->hooks.n_prestart, 1);
        assert_string_equal(c->hooks.prestart[0].path, "/usr/bin/prestart");
        assert_false(c->hooks.prestart[0].timeout.set);
        assert_int_equal(c->hooks.n_create_runtime, 2);
        assert_string_equal(c->hooks.create_runtime[0].args[1], "--up");
        assert_string_equal(c->hooks.create_runtime[0].env[0], "A=1");
        assert_int_equal(c->hooks.create_runtime[0].timeout.value, 5);
        assert_string_equal(c->hooks.create_runtime[1].path, "/usr/bin/second");
        assert_int_equal(c->hooks.n_create_container, 1);
        assert_int_equal(c->hooks.n_start_container, 1);
        assert_int_equal(c->hooks.n_poststart, 1);
        assert_int_equal(c->hooks.n_poststop, 1);
        assert_int_equal(c->hooks.poststop[0].timeout.value, 60);

        assert_int_equal(c->n_annotations, 2);
        assert_string_equal(c->annotations[0].key, "com.example.key");
        assert_string_equal(c->annotations[0].value, "value");
        assert_string_equal(c->annotations[1].key, "org.opencontainers.image.title");
}

static void check_full_linux(const struct vs_oci_config *c)
{
        const struct vs_oci_linux *l = c->linux_;
        assert_non_null(l);
        assert_int_equal(l->n_namespaces, 8);
        assert_int_equal(l->namespaces[0].type, VS_NS_PID);
        assert_null(l->namespaces[0].path);
        assert_int_equal(l->namespaces[1].type, VS_NS_NETWORK);
        assert_string_equal(l->namespaces[1].path, "/var/run/netns/full");
        assert_int_equal(l->namespaces[7].type, VS_NS_TIME);
        assert_ptr_equal(vs_oci_config_namespace(c, VS_NS_USER), &l->namespaces[5]);
        assert_ptr_equal(vs_oci_config_namespace(c, VS_NS_CGROUP), &l->namespaces[6]);

        assert_int_equal(l->n_uid_mappings, 3);
        assert_int_equal(idmap_at(l->uid_mappings, 1)->container_id, 1000);
        assert_int_equal(idmap_at(l->uid_mappings, 1)->host_id, 1000);
        assert_int_equal(idmap_at(l->uid_mappings, 2)->size, 64535);
        assert_int_equal(l->n_gid_mappings, 1);

        assert_true(l->time_monotonic.set);
        assert_int_equal(l->time_monotonic.secs, 172800);
        assert_true(l->time_boottime.set);
        assert_int_equal(l->time_boottime.secs, -86400);
        assert_int_equal(l->time_boottime.nanosecs, 500);

        assert_int_equal(l->n_devices, 3);
        assert_int_equal(l->devices[0].type, 'c');
        assert_string_equal(l->devices[0].path, "/dev/fuse");
        assert_int_equal(l->devices[0].major, 10);
        assert_int_equal(l->devices[0].minor, 229);
        assert_true(l->devices[0].file_mode.set);
        assert_int_equal(l->devices[0].file_mode.value, 0666);
        assert_true(l->devices[0].uid.set);
        assert_false(l->devices[1].uid.set);
        assert_int_equal(l->devices[2].type, 'p');

        assert_string_equal(l->cgroups_path, "/vessel/full");
        assert_string_equal(l->rootfs_propagation, "rslave");
        assert_int_equal(l->n_sysctl, 2);
        assert_string_equal(l->sysctl[0].key, "net.ipv4.ip_forward");
        assert_string_equal(l->sysctl[0].value, "1");
        assert_string_equal(l->masked_paths[1], "/sys/firmware");
        assert_null(l->masked_paths[2]);
        assert_string_equal(l->readonly_paths[0], "/proc/sys");
        assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0:c1,c2");
        assert_non_null(l->personality);
        assert_string_equal(l->personality->domain, "LINUX32");
        assert_null(l->personality->flags[0]);
        assert_int_equal(l->n_intel_rdt, 4);
        assert_string_equal(l->intel_rdt[0].key, "closID");
        assert_string_equal(l->intel_rdt[0].value, "guaranteed_group");
        assert_string_equal(l->intel_rdt[3].key, "enableMonitoring");
        assert_string_equal(l->intel_rdt[3].value, "true");
}

static void check_full_resources(const struct vs_oci_resources *res)
{
        assert_non_null(res);
        assert_int_equal(res->n_devices, 3);
        assert_false(res->devices[0].allow);
        assert_int_equal(res->devices[0].type, 'a');
        assert_false(res->devices[0].major.set);
        assert_string_equal(res->devices[0].access, "rwm");
        assert_true(res->devices[1].allow);
        assert_int_equal(res->devices[1].type, 'c');
        assert_int_equal(res->devices[1].major.value, 1);
        assert_int_equal(res->devices[1].minor.value, 3);
        assert_true(res->devices[2].major.set);
        assert_false(res->devices[2].minor.set);
        assert_null(res->devices[2].access);

        const struct vs_oci_memory *m = res->memory;
        assert_non_null(m);
        assert_int_equal(m->limit.value, 536870912);
        assert_int_equal(m->reservation.value, 268435456);
        assert_true(m->swap.set);
        assert_int_equal(m->swap.value, -1);
        assert_true(m->kernel.set);
        assert_int_equal(m->kernel_tcp.value, 1048576);
        assert_int_equal(m->swappiness.value, 60);
        assert_true(m->has_disable_oom_killer && m->disable_oom_killer);
        assert_true(m->has_use_hierarchy && !m->use_hierarchy);
        assert_true(m->has_check_before_update && m->check_before_update);

        const struct vs_oci_cpu *cpu = res->cpu;
        assert_non_null(cpu);
        assert_int_equal(cpu->shares.value, 1024);
        assert_int_equal(cpu->quota.value, 50000);
        assert_int_equal(cpu->burst.value, 10000);
        assert_int_equal(cpu->period.value, 100000);
        assert_int_equal(cpu->realtime_runtime.value, 950000);
        assert_int_equal(cpu->realtime_period.value, 1000000);
        assert_string_equal(cpu->cpus, "0-1");
        assert_string_equal(cpu->mems, "0");
        assert_int_equal(cpu->idle.value, 1);

        assert_true(res->has_pids_limit);
        assert_int_equal(res->pids_limit, 100);
}

static void check_full_resources_more(const struct vs_oci_resources *res)
{
        const struct vs_oci_block_io *b = res->block_io;
        assert_non_null(b);
        assert_int_equal(b->weight.value, 500);
        assert_int_equal(b->leaf_weight.value, 300);
        assert_int_equal(b->n_weight_device, 1);
        assert_int_equal(b->weight_device[0].major, 8);
        assert_int_equal(b->weight_device[0].weight.value, 600);
        assert_int_equal(b->weight_device[0].leaf_weight.value, 200);
        assert_int_equal(b->n_throttle_read_bps, 1);
        assert_int_equal(b->throttle_read_bps[0].rate, 104857600);
        assert_int_equal(b->throttle_write_bps[0].minor, 16);
        assert_int_equal(b->throttle_read_iops[0].rate, 1000);
        assert_int_equal(b->throttle_write_iops[0].rate, 500);

        assert_int_equal(res->n_hugepage_limits, 1);
        assert_string_equal(res->hugepage_limits[0].page_size, "2MB");
        assert_int_equal(res->hugepage_limits[0].limit, 209715200);
        assert_true(res->has_network);
        assert_int_equal(res->net_class_id.value, 1048577);
        assert_int_equal(res->n_net_priorities, 2);
        assert_string_equal(res->net_priorities[1].name, "lo");
        assert_int_equal(res->net_priorities[0].priority, 500);
        assert_int_equal(res->n_rdma, 1);
        assert_string_equal(res->rdma[0].device, "mlx5_1");
        assert_int_equal(res->rdma[0].hca_handles.value, 3);
        assert_int_equal(res->rdma[0].hca_objects.value, 10000);
        assert_int_equal(res->n_unified, 2);
        assert_string_equal(res->unified[1].key, "io.weight");
        assert_string_equal(res->unified[1].value, "default 100");
}

static void check_full_seccomp(const struct vs_oci_seccomp *s)
{
        assert_non_null(s);
        assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
        assert_true(s->default_errno_ret.set);
        assert_int_equal(s->default_errno_ret.value, 1);
        assert_string_equal(s->architectures[2], "SCMP_ARCH_X32");
        assert_null(s->architectures[3]);
        assert_string_equal(s->flags[1], "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        assert_string_equal(s->listener_path, "/run/seccomp-agent.sock");
        assert_string_equal(s->listener_metadata, "agent-metadata");
        assert_int_equal(s->n_syscalls, 5);
        assert_string_equal(s->syscalls[0].names[2], "exit_group");
        assert_null(s->syscalls[0].names[3]);
        assert_string_equal(s->syscalls[0].action, "SCMP_ACT_ALLOW");
        assert_false(s->syscalls[0].errno_ret.set);
        assert_int_equal(s->syscalls[1].n_args, 1);
        assert_int_equal(s->syscalls[1].args[0].value, 4294967295u);
        assert_string_equal(s->syscalls[1].args[0].op, "SCMP_CMP_EQ");
        assert_int_equal(s->syscalls[2].args[0].value, 2114060288);
        assert_string_equal(s->syscalls[2].args[0].op, "SCMP_CMP_MASKED_EQ");
        const struct vs_oci_seccomp_syscall *ioctl_rule = &s->syscalls[3];
        assert_true(ioctl_rule->errno_ret.set);
        assert_int_equal(ioctl_rule->errno_ret.value, 38);
        assert_int_equal(ioctl_rule->args[0].index, 5);
        assert_true(ioctl_rule->args[0].value == UINT64_MAX);
        assert_true(ioctl_rule->args[0].value_two == (uint64_t) INT64_MAX);
        assert_string_equal(s->syscalls[4].action, "SCMP_ACT_NOTIFY");
}

static void test_full_config(void **state)
{
        _cleanup_free_ char *path = fixture_path("full.json");
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_config_ struct vs_oci_config *c = NULL;
        if (vs_oci_config_load(path, &c, &err) < 0)
                fail_msg("%s", err.msg);
        check_full_top(c);
        check_full_process(c->process);
        check_full_process_details(c->process);
        check_full_linux(c);
        check_full_resources(c->linux_->resources);
        check_full_resources_more(c->linux_->resources);
        check_full_seccomp(c->linux_->seccomp);
}

/* ---- other valid inputs ---- */

static void test_runc_spec(void **state)
{
        const char *names[] = {"runc-spec.json", "runc-spec-rootless.json"};
        for (size_t i = 0; i < VS_ARRAY_SIZE(names); i++) {
                _cleanup_free_ char *path = fixture_path(names[i]);
                struct vs_error err = VS_ERROR_INIT;
                _cleanup_config_ struct vs_oci_config *c = NULL;
                if (vs_oci_config_load(path, &c, &err) < 0)
                        fail_msg("%s: %s", names[i], err.msg);
                assert_string_equal(c->oci_version, "1.0.2-dev");
                assert_string_equal(c->hostname, "runc");
                assert_int_equal(c->n_mounts, 7);
                assert_string_equal(c->process->args[0], "sh");
                assert_int_equal(c->process->rlimits[0].resource, RLIMIT_NOFILE);
                assert_string_equal(c->linux_->masked_paths[0], "/proc/acpi");
                assert_non_null(vs_oci_config_namespace(c, VS_NS_MOUNT));
                bool rootless = i == 1;
                assert_true((vs_oci_config_namespace(c, VS_NS_USER) != NULL) == rootless);
                assert_true((vs_oci_config_namespace(c, VS_NS_NETWORK) != NULL) == !rootless);
                assert_true((c->linux_->resources != NULL) == !rootless);
                assert_int_equal(c->linux_->n_uid_mappings, rootless ? 1 : 0);
        }
}

static void test_minimal_and_nulls(void **state)
{
        /* null is absent, as for runc; no process and no linux are fine. */
        _cleanup_config_ struct vs_oci_config *c = parse_ok("{'ociVersion':'1.0.0','root':{'path':'/r'},"
                                                            "'process':null,'mounts':null,'hostname':null}");
        assert_null(c->process);
        assert_null(c->linux_);
        assert_null(c->mounts);
        assert_int_equal(c->n_mounts, 0);
        assert_null(c->hostname);
        assert_false(c->root_readonly);
        assert_null(vs_oci_config_namespace(c, VS_NS_PID));

        _cleanup_config_ struct vs_oci_config *d =
                parse_ok("{'ociVersion':'1.2.0','root':{'path':'r'},'linux':{'namespaces':[{'type':'uts','path':''}],"
                         "'rootfsPropagation':'','resources':{'devices':[{'allow':true,'type':''}]}}}");
        /* An empty path is a new namespace; an empty propagation is none. */
        assert_null(d->linux_->namespaces[0].path);
        assert_null(d->linux_->rootfs_propagation);
        assert_int_equal(d->linux_->resources->devices[0].type, 'a');
}

static void test_namespace_helpers(void **state)
{
        assert_string_equal(vs_oci_ns_name(VS_NS_PID), "pid");
        assert_string_equal(vs_oci_ns_name(VS_NS_NETWORK), "network");
        assert_string_equal(vs_oci_ns_name(VS_NS_MOUNT), "mount");
        assert_string_equal(vs_oci_ns_name(VS_NS_TIME), "time");
        assert_null(vs_oci_ns_name(VS_NS_COUNT));
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_PID), CLONE_NEWPID);
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_NETWORK), CLONE_NEWNET);
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_MOUNT), CLONE_NEWNS);
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_IPC), CLONE_NEWIPC);
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_UTS), CLONE_NEWUTS);
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_USER), CLONE_NEWUSER);
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_CGROUP), CLONE_NEWCGROUP);
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_TIME), 0x80);
        assert_int_equal(vs_oci_ns_clone_flag(VS_NS_COUNT), 0);
        assert_null(vs_oci_config_namespace(NULL, VS_NS_PID));
}

/* ---- bad inputs: the exact message ---- */

#define BASE "'ociVersion':'1.2.0','root':{'path':'rootfs'}"
#define PROC "'process':{'args':['sh'],'cwd':'/'}"
#define CFG(...) "{" BASE "," __VA_ARGS__ "}"
#define LINUX(...) CFG("'linux':{" __VA_ARGS__ "}")
#define PROCESS(...) CFG("'process':{'args':['sh'],'cwd':'/'," __VA_ARGS__ "}")
#define RES(...) LINUX("'resources':{" __VA_ARGS__ "}")
#define SECCOMP(...) LINUX("'seccomp':{" __VA_ARGS__ "}")
#define USERNS "'namespaces':[{'type':'user'}],'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]"

static const struct bad_case {
        const char *json; /* single-quoted */
        const char *message;
        bool prefix; /* message is a prefix (the rest is jansson's words) */
} bad_cases[] = {
        {"{", "config.json: not valid JSON at line 1, column 1: ", true},
        {"", "config.json: not valid JSON at line 1, column 0: ", true},
        {"[]", "config.json: expected a JSON object at the top level, got array"},
        {"{'root':{'path':'r'}}", "config.json: ociVersion: is required"},
        {"{'ociVersion':'2.0.0','root':{'path':'r'}}",
         "config.json: ociVersion: unsupported version \"2.0.0\" (the major version must be 1)"},
        {"{'ociVersion':'10.0','root':{'path':'r'}}",
         "config.json: ociVersion: unsupported version \"10.0\" (the major version must be 1)"},
        {"{'ociVersion':1,'root':{'path':'r'}}", "config.json: ociVersion: expected a string, got integer"},
        {"{'ociVersion':'1.2.0'}", "config.json: root: is required"},
        {"{'ociVersion':'1.2.0','root':{}}", "config.json: root.path: is required"},
        {"{'ociVersion':'1.2.0','root':[]}", "config.json: root: expected an object, got array"},
        {CFG("'mounts':[{'destination':'/a'},{'destination':'tmp'}]"),
         "config.json: mounts[1].destination: must be an absolute path, got \"tmp\""},
        {CFG("'mounts':[{'type':'tmpfs'}]"), "config.json: mounts[0].destination: is required"},
        {CFG("'mounts':[{'destination':'/a','options':'ro'}]"),
         "config.json: mounts[0].options: expected an array, got string"},
        {CFG("'mounts':[{'destination':'/a','options':['ro',5]}]"),
         "config.json: mounts[0].options[1]: expected a string, got integer"},
        {CFG("'mounts':['/a']"), "config.json: mounts[0]: expected an object, got string"},
        {CFG("'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1,'size':1}]}]"),
         "config.json: mounts[0].gidMappings: is required when uidMappings is set"},
        {CFG("'process':{'args':[],'cwd':'/'}"), "config.json: process.args: must not be empty"},
        {CFG("'process':{'cwd':'/'}"), "config.json: process.args: must not be empty"},
        {CFG("'process':{'args':['sh']}"), "config.json: process.cwd: is required"},
        {CFG("'process':{'args':['sh'],'cwd':'srv'}"),
         "config.json: process.cwd: must be an absolute path, got \"srv\""},
        {CFG("'process':[]"), "config.json: process: expected an object, got array"},
        {PROCESS("'terminal':'yes'"), "config.json: process.terminal: expected a boolean, got string"},
        {PROCESS("'user':{'uid':'0'}"), "config.json: process.user.uid: expected an unsigned integer, got string"},
        {PROCESS("'user':{'uid':-1}"), "config.json: process.user.uid: expected an unsigned integer, got -1"},
        {PROCESS("'user':{'uid':0,'gid':4294967296}"),
         "config.json: process.user.gid: 4294967296 is out of range (maximum 4294967295)"},
        {PROCESS("'user':{'additionalGids':[1,2.5]}"),
         "config.json: process.user.additionalGids[1]: expected an unsigned integer, got real"},
        {PROCESS("'env':['A=1','FOO']"), "config.json: process.env[1]: must have the form NAME=VALUE, got \"FOO\""},
        {PROCESS("'env':['=x']"), "config.json: process.env[0]: must have the form NAME=VALUE, got \"=x\""},
        {PROCESS("'rlimits':[{'type':'RLIMIT_FOO','hard':1,'soft':1}]"),
         "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\""},
        {PROCESS("'rlimits':[{'type':'RLIMIT_NOFILE','hard':1024,'soft':2048}]"),
         "config.json: process.rlimits[0].soft: 2048 exceeds the hard limit 1024"},
        {PROCESS("'rlimits':[{'type':'RLIMIT_NOFILE','hard':1}]"), "config.json: process.rlimits[0].soft: is required"},
        {PROCESS("'rlimits':[{'type':'RLIMIT_NOFILE','hard':1,'soft':1},{'type':'RLIMIT_CORE','hard':1,'soft':1},"
                 "{'type':'RLIMIT_NOFILE','hard':2,'soft':2}]"),
         "config.json: process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\""},
        {PROCESS("'capabilities':{'bounding':['CAP_KILL','CAP_FOO']}"),
         "config.json: process.capabilities.bounding[1]: unknown capability \"CAP_FOO\""},
        {PROCESS("'capabilities':{'ambient':['kill']}"),
         "config.json: process.capabilities.ambient[0]: unknown capability \"kill\""},
        {PROCESS("'oomScoreAdj':1001"), "config.json: process.oomScoreAdj: 1001 is out of range (-1000 to 1000)"},
        {PROCESS("'scheduler':{'policy':'SCHED_FOO'}"),
         "config.json: process.scheduler.policy: unknown scheduler policy \"SCHED_FOO\""},
        {PROCESS("'scheduler':{'nice':1}"), "config.json: process.scheduler.policy: is required"},
        {PROCESS("'scheduler':{'policy':'SCHED_OTHER','priority':5}"),
         "config.json: process.scheduler.priority: is only for SCHED_FIFO and SCHED_RR, not SCHED_OTHER"},
        {PROCESS("'scheduler':{'policy':'SCHED_OTHER','nice':20}"),
         "config.json: process.scheduler.nice: 20 is out of range (-20 to 19)"},
        {PROCESS("'scheduler':{'policy':'SCHED_RR','flags':['SCHED_FLAG_X']}"),
         "config.json: process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_X\""},
        {PROCESS("'ioPriority':{'class':'IOPRIO_CLASS_FOO'}"),
         "config.json: process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_FOO\""},
        {PROCESS("'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}"),
         "config.json: process.ioPriority.priority: 8 is out of range (0 to 7)"},
        {CFG("'hooks':{'prestart':[{'path':'hook'}]}"),
         "config.json: hooks.prestart[0].path: must be an absolute path, got \"hook\""},
        {CFG("'hooks':{'poststop':[{'path':'/h','timeout':0}]}"),
         "config.json: hooks.poststop[0].timeout: must be greater than zero, got 0"},
        {CFG("'hooks':{'createRuntime':[{'args':['x']}]}"), "config.json: hooks.createRuntime[0].path: is required"},
        {CFG("'annotations':{'a':'b','c':1}"), "config.json: annotations.c: expected a string, got integer"},
        {CFG("'linux':[]"), "config.json: linux: expected an object, got array"},
        {LINUX("'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pidd'}]"),
         "config.json: linux.namespaces[2].type: unknown namespace \"pidd\""},
        {LINUX("'namespaces':[{'type':'pid'},{'type':'pid'}]"),
         "config.json: linux.namespaces[1].type: duplicate namespace \"pid\""},
        {LINUX("'namespaces':[{'type':'network','path':'proc/1/ns/net'}]"),
         "config.json: linux.namespaces[0].path: must be an absolute path, got \"proc/1/ns/net\""},
        {LINUX("'namespaces':[{}]"), "config.json: linux.namespaces[0].type: is required"},
        {LINUX("'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
         "config.json: linux.uidMappings: requires a user namespace in linux.namespaces"},
        {LINUX("'namespaces':[{'type':'user'}]"),
         "config.json: linux.uidMappings: is required for a new user namespace"},
        {LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':0}]"),
         "config.json: linux.uidMappings[0].size: must be greater than zero"},
        {LINUX(USERNS ",'uidMappings':[{'containerID':4294967295,'hostID':1000,'size':2}]"),
         "config.json: linux.uidMappings[0]: containerID 4294967295 + size 2 goes past the 32-bit IDs"},
        {LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':4294967290,'size':10}]"),
         "config.json: linux.uidMappings[0]: hostID 4294967290 + size 10 goes past the 32-bit IDs"},
        {LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':1000},"
                      "{'containerID':500,'hostID':5000,'size':1000}]"),
         "config.json: linux.uidMappings[1]: container IDs 500-1499 overlap those of uidMappings[0]"},
        {LINUX(USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':10},"
                      "{'containerID':10,'hostID':2000,'size':10},{'containerID':20,'hostID':1005,'size':1}]"),
         "config.json: linux.uidMappings[2]: host IDs 1005-1005 overlap those of uidMappings[0]"},
        {LINUX(USERNS ",'uidMappings':[{'containerID':0,'size':1}]"),
         "config.json: linux.uidMappings[0].hostID: is required"},
        {CFG("'hostname':'box'"),
         "config.json: hostname: cannot be set without a new uts namespace in linux.namespaces"},
        {CFG("'linux':{'namespaces':[{'type':'uts','path':'/proc/1/ns/uts'}]},'domainname':'example.org'"),
         "config.json: domainname: cannot be set without a new uts namespace in linux.namespaces"},
        {LINUX("'timeOffsets':{'monotonic':{'secs':1}}"),
         "config.json: linux.timeOffsets: requires a new time namespace in linux.namespaces"},
        {LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'realtime':{'secs':1}}"),
         "config.json: linux.timeOffsets.realtime: unknown clock (expected monotonic or boottime)"},
        {LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'boottime':{'secs':1,'nanosecs':1000000000}}"),
         "config.json: linux.timeOffsets.boottime.nanosecs: must be less than 1000000000, got 1000000000"},
        {LINUX("'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]"),
         "config.json: linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)"},
        {LINUX("'devices':[{'path':'dev/null','type':'c','major':1,'minor':3}]"),
         "config.json: linux.devices[0].path: must be an absolute path, got \"dev/null\""},
        {LINUX("'devices':[{'path':'/dev/null','type':'c','minor':3}]"),
         "config.json: linux.devices[0].major: is required for a device of type c"},
        {LINUX("'devices':[{'type':'p'}]"), "config.json: linux.devices[0].path: is required"},
        {LINUX("'rootfsPropagation':'sideways'"),
         "config.json: linux.rootfsPropagation: unknown propagation \"sideways\""},
        {LINUX("'personality':{'domain':'LINUX64'}"),
         "config.json: linux.personality.domain: unknown personality domain \"LINUX64\" (expected LINUX or LINUX32)"},
        {LINUX("'sysctl':{'net.ipv4.ip_forward':1}"),
         "config.json: linux.sysctl.net.ipv4.ip_forward: expected a string, got integer"},
        {RES("'devices':[{'allow':true,'type':'p'}]"),
         "config.json: linux.resources.devices[0].type: unknown device type \"p\" (expected a, c or b)"},
        {RES("'devices':[{'allow':true,'access':'rwx'}]"),
         "config.json: linux.resources.devices[0].access: must be made of r, w and m, got \"rwx\""},
        {RES("'devices':[{'access':'rwm'}]"), "config.json: linux.resources.devices[0].allow: is required"},
        {RES("'memory':{'limit':1.5}"), "config.json: linux.resources.memory.limit: expected an integer, got real"},
        {RES("'memory':{'limit':18446744073709551615}"),
         "config.json: linux.resources.memory.limit: 18446744073709551615 is out of range "
         "(-9223372036854775808 to 9223372036854775807)"},
        {RES("'pids':{}"), "config.json: linux.resources.pids.limit: is required"},
        {RES("'blockIO':{'weight':70000}"),
         "config.json: linux.resources.blockIO.weight: 70000 is out of range (maximum 65535)"},
        {RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
         "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: is required"},
        {RES("'hugepageLimits':[{'limit':1}]"), "config.json: linux.resources.hugepageLimits[0].pageSize: is required"},
        {RES("'rdma':{'mlx':{'hcaHandles':-1}}"),
         "config.json: linux.resources.rdma.mlx.hcaHandles: expected an unsigned integer, got -1"},
        {SECCOMP("'defaultAction':'SCMP_ACT_FOO'"),
         "config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\""},
        {SECCOMP("'syscalls':[]"), "config.json: linux.seccomp.defaultAction: is required"},
        {SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],'action':'SCMP_ACT_ERRNO'}]"),
         "config.json: linux.seccomp.syscalls[0].names: must not be empty"},
        {SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_KILL_ALL'}]"),
         "config.json: linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_KILL_ALL\""},
        {SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_ERRNO',"
                 "'args':[{'index':0,'value':1,'op':'SCMP_CMP_FOO'}]}]"),
         "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\""},
        {SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_ERRNO',"
                 "'args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]"),
         "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (maximum 5)"},
        {SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_Z80']"),
         "config.json: linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\""},
        {SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_FOO']"),
         "config.json: linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\""},
        {SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_ALLOW',"
                 "'errnoRet':1}]"),
         "config.json: linux.seccomp.syscalls[0].errnoRet: is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not "
         "SCMP_ACT_ALLOW"},
        {SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_NOTIFY'}]"),
         "config.json: linux.seccomp.listenerPath: is required when an action is SCMP_ACT_NOTIFY"},
        {SECCOMP("'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/s'"),
         "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
        /* A string field given a number beyond int64 (parsed on the second pass). */
        {CFG("'hostname':18446744073709551615"), "config.json: hostname: expected a string, got integer"},
        /* Beyond uint64: jansson's own words. */
        {PROCESS("'rlimits':[{'type':'RLIMIT_CORE','hard':18446744073709551616,'soft':1}]"),
         "config.json: not valid JSON at line 1, column ", true},
        /* Control characters are escaped: the message stays one line. */
        {CFG("'annotations':{'a\\nb':1}"), "config.json: annotations.a\\x0ab: expected a string, got integer"},
        {CFG("'hostname':'a\nb'"), "config.json: not valid JSON at line 1, column ", true},
        {LINUX("'namespaces':[{'type':'pid\\nx'}]"), "config.json: linux.namespaces[0].type: unknown namespace "
                                                     "\"pid\\x0ax\""},
};

static void test_bad_inputs(void **state)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(bad_cases); i++) {
                const struct bad_case *bc = &bad_cases[i];
                _cleanup_free_ char *json = dq(bc->json);
                struct vs_error err = VS_ERROR_INIT;
                struct vs_oci_config *config = (struct vs_oci_config *) 0x1;
                int r = vs_oci_config_parse(json, strlen(json), "config.json", &config, &err);
                if (r >= 0)
                        fail_msg("case %zu: %s: parsed, expected: %s", i, json, bc->message);
                assert_int_equal(r, -EINVAL);
                assert_int_equal(err.code, EINVAL);
                /* Output untouched on failure. */
                assert_ptr_equal(config, (struct vs_oci_config *) 0x1);
                bool match = bc->prefix ? strncmp(err.msg, bc->message, strlen(bc->message)) == 0
                                        : strcmp(err.msg, bc->message) == 0;
                if (!match)
                        fail_msg("case %zu: %s\n   got: %s\nwanted: %s", i, json, err.msg, bc->message);
                assert_null(strchr(err.msg, '\n'));
        }
}

/* The same table through the NUL-tolerant second pass: a big integer anywhere
 * switches the parser to it, and every message must stay the same. */
static void test_bad_inputs_second_pass(void **state)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(bad_cases); i++) {
                const struct bad_case *bc = &bad_cases[i];
                if (bc->prefix || bc->json[0] != '{' || strncmp(bc->json, "{" BASE, strlen("{" BASE)) != 0)
                        continue;
                _cleanup_free_ char *json = NULL;
                assert_true(asprintf(&json, "{'x-big':18446744073709551615,%s", bc->json + 1) > 0);
                _cleanup_free_ char *text = dq(json);
                struct vs_error err = VS_ERROR_INIT;
                struct vs_oci_config *config = NULL;
                assert_int_equal(vs_oci_config_parse(text, strlen(text), "config.json", &config, &err), -EINVAL);
                if (strcmp(err.msg, bc->message) != 0)
                        fail_msg("case %zu: %s\n   got: %s\nwanted: %s", i, text, err.msg, bc->message);
        }
}

static void test_nul_in_strings(void **state)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_config *config = NULL;
        /* First pass: jansson refuses \u0000. */
        _cleanup_free_ char *a = dq(CFG("'hostname':'a\\u0000b'"));
        assert_int_equal(vs_oci_config_parse(a, strlen(a), "config.json", &config, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "not valid JSON"));
        /* Second pass (a big integer elsewhere): the getters refuse it. */
        _cleanup_free_ char *b = dq(CFG("'x':18446744073709551615,'hostname':'a\\u0000b'"));
        assert_int_equal(vs_oci_config_parse(b, strlen(b), "config.json", &config, &err), -EINVAL);
        assert_string_equal(err.msg, "config.json: hostname: must not contain a NUL character");
        _cleanup_free_ char *c = dq(CFG("'x':18446744073709551615,'annotations':{'a\\u0000b':'c'}"));
        assert_int_equal(vs_oci_config_parse(c, strlen(c), "config.json", &config, &err), -EINVAL);
        assert_null(config);
}

static void test_big_integers_in_strings_untouched(void **state)
{
        /* A big number inside a string is text, not a number, on the second pass too. */
        _cleanup_config_ struct vs_oci_config *c =
                parse_ok(CFG("'annotations':{'n':'18446744073709551615','m':'x\\'18446744073709551615'},"
                             "'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_AS',"
                             "'hard':18446744073709551615,'soft':9223372036854775807}]}"));
        assert_string_equal(c->annotations[0].value, "18446744073709551615");
        assert_string_equal(c->annotations[1].value, "x\"18446744073709551615");
        assert_true(c->process->rlimits[0].hard == UINT64_MAX);
        assert_true(c->process->rlimits[0].soft == (uint64_t) INT64_MAX);
}

static void test_load_errors(void **state)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_config *config = NULL;
        assert_int_equal(vs_oci_config_load("/nonexistent/bundle/config.json", &config, &err), -ENOENT);
        assert_string_equal(err.msg, "cannot open /nonexistent/bundle/config.json: no such file or directory");
        assert_null(config);

        /* The origin of a file's errors is its base name. */
        char path[] = "/tmp/vessel-test-config-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        const char *text = "{\"ociVersion\": \"1.2.0\"}";
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        assert_int_equal(vs_oci_config_load(path, &config, &err), -EINVAL);
        char *expected = NULL;
        assert_true(asprintf(&expected, "%s: root: is required", strrchr(path, '/') + 1) > 0);
        assert_string_equal(err.msg, expected);
        free(expected);
        unlink(path);
}

static void test_process_parse(void **state)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_process *p = NULL;
        _cleanup_free_ char *good = dq("{'args':['ls','-l'],'cwd':'/tmp','env':['A=b'],'user':{'uid':5,'gid':6},"
                                       "'capabilities':{'bounding':['CAP_KILL']},'terminal':false}");
        if (vs_oci_process_parse(good, strlen(good), "process.json", &p, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(p->args[1], "-l");
        assert_int_equal(p->user.uid, 5);
        assert_string_equal(p->capabilities->bounding[0], "CAP_KILL");
        assert_null(p->capabilities->effective);
        vs_oci_process_free(p);
        vs_oci_process_free(NULL);

        p = NULL;
        _cleanup_free_ char *bad = dq("{'args':[],'cwd':'/'}");
        assert_int_equal(vs_oci_process_parse(bad, strlen(bad), "process.json", &p, &err), -EINVAL);
        assert_string_equal(err.msg, "process.json: args: must not be empty");
        assert_null(p);
        _cleanup_free_ char *bad2 = dq("{'args':['x'],'cwd':'/','rlimits':[{'type':'RLIMIT_X','hard':1,'soft':1}]}");
        assert_int_equal(vs_oci_process_parse(bad2, strlen(bad2), "process.json", &p, &err), -EINVAL);
        assert_string_equal(err.msg, "process.json: rlimits[0].type: unknown rlimit \"RLIMIT_X\"");
}

static void test_long_path_truncated_safely(void **state)
{
        /* A key longer than the path buffer: the message is cut, not overrun. */
        char key[600];
        memset(key, 'k', sizeof(key) - 1);
        key[sizeof(key) - 1] = '\0';
        _cleanup_free_ char *json = NULL;
        assert_true(asprintf(&json,
                             "{'ociVersion':'1.2.0','root':{'path':'r'},'linux':{'resources':{'rdma':"
                             "{'%s':{'hcaHandles':'x'}}}}}",
                             key) > 0);
        _cleanup_free_ char *text = dq(json);
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_config *config = NULL;
        assert_int_equal(vs_oci_config_parse(text, strlen(text), "config.json", &config, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "config.json: linux.resources.rdma.kkkk"));
        assert_non_null(strstr(err.msg, "expected an unsigned integer, got string"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_config),
                cmocka_unit_test(test_runc_spec),
                cmocka_unit_test(test_minimal_and_nulls),
                cmocka_unit_test(test_namespace_helpers),
                cmocka_unit_test(test_bad_inputs),
                cmocka_unit_test(test_bad_inputs_second_pass),
                cmocka_unit_test(test_nul_in_strings),
                cmocka_unit_test(test_big_integers_in_strings_untouched),
                cmocka_unit_test(test_load_errors),
                cmocka_unit_test(test_process_parse),
                cmocka_unit_test(test_long_path_truncated_safely),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
