/* vessel: linux.seccomp of an engine container. The default profile
 * (profiles/seccomp-default.json, in OCI form: the rules docker's default
 * profile gives its default capabilities) widened as docker's profile is
 * for added capabilities; or the profile of --security-opt seccomp=FILE,
 * in OCI form or docker's (archMap, includes/excludes by capability),
 * which is turned into OCI form. --privileged and seccomp=unconfined: none. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/spec_internal.h"
#include "oci/json.h"
#include "util/cleanup.h"
#include "util/files.h"

/* Syscalls docker's default profile allows with a capability beyond its
 * defaults (moby profiles/seccomp/default.json, "includes": {"caps": ...}). */
static const struct {
        const char *capability;
        const char *names[24];
} capability_syscalls[] = {
        {"CAP_DAC_READ_SEARCH", {"open_by_handle_at"}},
        {"CAP_SYS_ADMIN",
         {"bpf",
          "clone",
          "clone3",
          "fanotify_init",
          "fsconfig",
          "fsmount",
          "fsopen",
          "fspick",
          "lookup_dcookie",
          "mount",
          "mount_setattr",
          "move_mount",
          "name_to_handle_at",
          "open_tree",
          "perf_event_open",
          "quotactl",
          "quotactl_fd",
          "setdomainname",
          "sethostname",
          "setns",
          "syslog",
          "umount",
          "umount2",
          "unshare"}},
        {"CAP_SYS_BOOT", {"reboot"}},
        {"CAP_SYS_CHROOT", {"chroot"}},
        {"CAP_SYS_MODULE", {"delete_module", "init_module", "finit_module"}},
        {"CAP_SYS_PACCT", {"acct"}},
        {"CAP_SYS_PTRACE",
         {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"}},
        {"CAP_SYS_RAWIO", {"iopl", "ioperm"}},
        {"CAP_SYS_TIME", {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
        {"CAP_SYS_TTY_CONFIG", {"vhangup"}},
        {"CAP_SYS_NICE", {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"}},
        {"CAP_SYSLOG", {"syslog"}},
        {"CAP_BPF", {"bpf"}},
        {"CAP_PERFMON", {"perf_event_open"}},
};

static bool in_array(const json_t *array, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach (array, i, v)
                if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
                        return true;
        return false;
}

static bool all_in(const json_t *names, const json_t *set)
{
        size_t i;
        json_t *v;
        json_array_foreach (names, i, v)
                if (!json_is_string(v) || !in_array(set, json_string_value(v)))
                        return false;
        return json_array_size(names) > 0;
}

/* The syscalls the capabilities add to the default profile. */
static json_t *added_syscalls(const json_t *caps)
{
        json_t *names = json_array();
        for (size_t i = 0; names && i < VS_ARRAY_SIZE(capability_syscalls); i++) {
                if (!in_array(caps, capability_syscalls[i].capability))
                        continue;
                for (size_t k = 0; k < VS_ARRAY_SIZE(capability_syscalls[i].names); k++) {
                        const char *n = capability_syscalls[i].names[k];
                        if (n && !in_array(names, n) && json_array_append_new(names, json_string(n)) < 0) {
                                json_decref(names);
                                return NULL;
                        }
                }
        }
        return names;
}

/* Allow the added syscalls; a rule that narrows one of them (clone's flags,
 * clone3's ENOSYS) goes, as docker's profile excludes it for CAP_SYS_ADMIN. */
static int widen(json_t *profile, const json_t *caps, struct vs_error *err)
{
        _cleanup_oci_json_ json_t *names = added_syscalls(caps);
        json_t *syscalls = json_object_get(profile, "syscalls");
        if (!names)
                return VS_SPEC_OOM(err);
        if (!json_array_size(names) || !json_is_array(syscalls))
                return 0;
        for (size_t i = 0; i < json_array_size(syscalls);) {
                if (all_in(json_object_get(json_array_get(syscalls, i), "names"), names))
                        json_array_remove(syscalls, i);
                else
                        i++;
        }
        json_t *rule = json_pack("{s:O, s:s}", "names", names, "action", "SCMP_ACT_ALLOW");
        return vs_spec_append(syscalls, rule) ? 0 : VS_SPEC_OOM(err);
}

/* ---- docker's profile format ---- */

/* {"caps": [...], "arches": [...], "minKernel": ...}: only capabilities decide here. */
static bool condition_holds(const json_t *cond, const json_t *caps, bool all)
{
        const json_t *want = json_object_get(cond, "caps");
        size_t i;
        json_t *v;
        if (!json_array_size(want))
                return all;
        json_array_foreach (want, i, v) {
                bool has = json_is_string(v) && in_array(caps, json_string_value(v));
                if (all && !has)
                        return false;
                if (!all && has)
                        return true;
        }
        return all;
}

static int docker_syscalls(json_t *syscalls, const json_t *caps)
{
        for (size_t i = 0; i < json_array_size(syscalls);) {
                json_t *s = json_array_get(syscalls, i);
                if (!condition_holds(json_object_get(s, "includes"), caps, true) ||
                    condition_holds(json_object_get(s, "excludes"), caps, false)) {
                        json_array_remove(syscalls, i);
                        continue;
                }
                json_t *name = json_object_get(s, "name");
                if (name && !json_object_get(s, "names") && json_object_set_new(s, "names", json_pack("[O]", name)) < 0)
                        return -ENOMEM;
                json_object_del(s, "name");
                json_object_del(s, "includes");
                json_object_del(s, "excludes");
                json_object_del(s, "comment");
                i++;
        }
        return 0;
}

static int docker_architectures(json_t *profile)
{
        json_t *map = json_object_get(profile, "archMap");
        if (!map)
                return 0;
        json_t *arches = json_array();
        size_t i, k;
        json_t *entry, *sub;
        if (!arches)
                return -ENOMEM;
        json_array_foreach (map, i, entry) {
                json_t *arch = json_object_get(entry, "architecture");
                if (json_is_string(arch) && json_array_append(arches, arch) < 0)
                        goto oom;
                json_array_foreach (json_object_get(entry, "subArchitectures"), k, sub)
                        if (json_array_append(arches, sub) < 0)
                                goto oom;
        }
        json_object_del(profile, "archMap");
        return json_object_get(profile, "architectures") ? (json_decref(arches), 0)
                                                         : json_object_set_new(profile, "architectures", arches);
oom:
        json_decref(arches);
        return -ENOMEM;
}

static int load_profile(const char *path, const json_t *caps, json_t **ret, struct vs_error *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = vs_read_file(path, &text, &len, err);
        if (r < 0)
                return vs_error_wrap(err, "seccomp profile");
        json_error_t jerr;
        _cleanup_oci_json_ json_t *profile = json_loadb(text, len, 0, &jerr);
        if (!profile || !json_is_object(profile))
                return vs_error_set(err, EINVAL, "seccomp profile %s: line %d: %s", path, jerr.line,
                                    profile ? "not a JSON object" : jerr.text);
        if (docker_architectures(profile) < 0 || docker_syscalls(json_object_get(profile, "syscalls"), caps) < 0)
                return VS_SPEC_OOM(err);
        *ret = TAKE_PTR(profile);
        return 0;
}

int vs_spec_seccomp(const struct vs_spec_input *in, const json_t *capabilities, json_t **ret, struct vs_error *err)
{
        const struct vs_run_options *o = in->options;
        *ret = NULL;
        if (o->privileged || o->seccomp_unconfined)
                return 0;
        const char *path = o->seccomp_profile ? o->seccomp_profile : in->seccomp_profile;
        if (!path)
                return 0;
        json_t *profile = NULL;
        int r = load_profile(path, capabilities, &profile, err);
        if (r < 0)
                return o->seccomp_profile ? vs_error_wrap(err, "--security-opt seccomp=%s", path) : r;
        if (!o->seccomp_profile && (r = widen(profile, capabilities, err)) < 0) {
                json_decref(profile);
                return r;
        }
        *ret = profile;
        return 0;
}
