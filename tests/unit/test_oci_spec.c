/* Unit tests for src/oci/spec.c, features.c and mount_options.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "oci/config.h"
#include "oci/features.h"
#include "oci/mount_options.h"
#include "oci/spec.h"
#include "util/cleanup.h"

static struct vs_oci_config *default_config(bool rootless, char **ret_text)
{
        struct vs_error err = VS_ERROR_INIT;
        char *text = NULL;
        if (vs_oci_spec_default(rootless, &text, &err) < 0)
                fail_msg("%s", err.msg);
        struct vs_oci_config *c = NULL;
        if (vs_oci_config_parse(text, strlen(text), "config.json", &c, &err) < 0)
                fail_msg("%s\n%s", err.msg, text);
        if (ret_text)
                *ret_text = text;
        else
                free(text);
        return c;
}

static const struct vs_oci_mount *find_mount(const struct vs_oci_config *c, const char *destination)
{
        for (size_t i = 0; i < c->n_mounts; i++)
                if (strcmp(c->mounts[i].destination, destination) == 0)
                        return &c->mounts[i];
        fail_msg("no mount on %s", destination);
        return NULL;
}

static bool has_option(const struct vs_oci_mount *m, const char *option)
{
        for (size_t i = 0; i < m->n_options; i++)
                if (strcmp(m->options[i], option) == 0)
                        return true;
        return false;
}

static void test_default_spec(void **state)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_config_ struct vs_oci_config *c = default_config(false, &text);

        /* runc's layout: 2-space indents, a final newline, keys in runc's order. */
        assert_true(strncmp(text, "{\n  \"ociVersion\": \"1.2.0\",\n  \"process\": {\n    \"terminal\": true,", 52) ==
                    0);
        assert_int_equal(text[strlen(text) - 1], '\n');
        assert_int_equal(text[strlen(text) - 2], '}');

        assert_string_equal(c->oci_version, "1.2.0");
        assert_string_equal(c->root_path, "rootfs");
        assert_true(c->root_readonly);
        assert_string_equal(c->hostname, "vessel");
        const struct vs_oci_process *p = c->process;
        assert_true(p->terminal);
        assert_int_equal(p->n_args, 1);
        assert_string_equal(p->args[0], "sh");
        assert_int_equal(p->n_env, 2);
        assert_string_equal(p->env[1], "TERM=xterm");
        assert_string_equal(p->cwd, "/");
        assert_true(p->no_new_privileges);
        assert_string_equal(p->capabilities->bounding[2], "CAP_NET_BIND_SERVICE");
        assert_string_equal(p->capabilities->effective[0], "CAP_AUDIT_WRITE");
        assert_string_equal(p->capabilities->permitted[1], "CAP_KILL");
        assert_null(p->capabilities->ambient);
        assert_null(p->capabilities->inheritable);
        assert_int_equal(p->n_rlimits, 1);
        assert_int_equal(p->rlimits[0].hard, 1024);
        assert_int_equal(p->rlimits[0].soft, 1024);

        assert_int_equal(c->n_mounts, 7);
        assert_string_equal(c->mounts[0].type, "proc");
        assert_true(has_option(find_mount(c, "/dev/pts"), "gid=5"));
        assert_string_equal(find_mount(c, "/sys")->type, "sysfs");
        assert_true(has_option(find_mount(c, "/sys/fs/cgroup"), "relatime"));
        assert_true(has_option(find_mount(c, "/dev/shm"), "mode=1777"));

        const struct vs_oci_linux *l = c->linux_;
        const enum vs_oci_ns_type expected[] = {VS_NS_PID, VS_NS_NETWORK, VS_NS_IPC,
                                                VS_NS_UTS, VS_NS_MOUNT,   VS_NS_CGROUP};
        assert_int_equal(l->n_namespaces, VS_ARRAY_SIZE(expected));
        for (size_t i = 0; i < VS_ARRAY_SIZE(expected); i++) {
                assert_int_equal(l->namespaces[i].type, expected[i]);
                assert_null(l->namespaces[i].path);
        }
        assert_null(vs_oci_config_namespace(c, VS_NS_USER));
        assert_int_equal(l->n_uid_mappings, 0);
        assert_non_null(l->resources);
        assert_int_equal(l->resources->n_devices, 1);
        assert_false(l->resources->devices[0].allow);
        assert_int_equal(l->resources->devices[0].type, 'a');
        assert_string_equal(l->resources->devices[0].access, "rwm");
        assert_string_equal(l->masked_paths[0], "/proc/acpi");
        assert_string_equal(l->masked_paths[9], "/proc/scsi");
        assert_null(l->masked_paths[10]);
        assert_string_equal(l->readonly_paths[4], "/proc/sysrq-trigger");
        assert_null(l->readonly_paths[5]);
}

static void test_rootless_spec(void **state)
{
        _cleanup_config_ struct vs_oci_config *c = default_config(true, NULL);
        const struct vs_oci_linux *l = c->linux_;

        /* No network namespace; the user namespace comes last, as in runc. */
        const enum vs_oci_ns_type expected[] = {VS_NS_PID, VS_NS_IPC, VS_NS_UTS, VS_NS_MOUNT, VS_NS_CGROUP, VS_NS_USER};
        assert_int_equal(l->n_namespaces, VS_ARRAY_SIZE(expected));
        for (size_t i = 0; i < VS_ARRAY_SIZE(expected); i++)
                assert_int_equal(l->namespaces[i].type, expected[i]);
        assert_null(vs_oci_config_namespace(c, VS_NS_NETWORK));

        assert_int_equal(l->n_uid_mappings, 1);
        assert_int_equal(l->uid_mappings[0].container_id, 0);
        assert_int_equal(l->uid_mappings[0].host_id, geteuid());
        assert_int_equal(l->uid_mappings[0].size, 1);
        assert_int_equal(l->n_gid_mappings, 1);
        assert_int_equal(l->gid_mappings[0].host_id, getegid());
        assert_int_equal(l->gid_mappings[0].size, 1);
        assert_null(l->resources);

        const struct vs_oci_mount *pts = find_mount(c, "/dev/pts");
        assert_false(has_option(pts, "gid=5"));
        assert_true(has_option(pts, "ptmxmode=0666"));
        assert_int_equal(pts->n_options, 5);
        const struct vs_oci_mount *sys = find_mount(c, "/sys");
        assert_string_equal(sys->type, "none");
        assert_string_equal(sys->source, "/sys");
        assert_int_equal(sys->n_options, 5);
        assert_string_equal(sys->options[0], "rbind");
        assert_string_equal(sys->options[4], "ro");
        assert_int_equal(c->n_mounts, 7);
        assert_string_equal(c->hostname, "vessel");
        assert_true(c->process->no_new_privileges);
}

static json_t *features_json(void)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_free_ char *text = NULL;
        if (vs_oci_features(&text, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(text[strlen(text) - 1], '\n');
        json_error_t jerr;
        json_t *f = json_loads(text, 0, &jerr);
        if (!f)
                fail_msg("features is not JSON: %s", jerr.text);
        return f;
}

static bool array_has(const json_t *arr, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach (arr, i, v)
                if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
                        return true;
        return false;
}

static bool bool_at(const json_t *root, const char *a, const char *b)
{
        json_t *v = json_object_get(json_object_get(root, a), b);
        assert_true(json_is_boolean(v));
        return json_is_true(v);
}

static void test_features(void **state)
{
        json_t *f = features_json();
        assert_string_equal(json_string_value(json_object_get(f, "ociVersionMin")), "1.0.0");
        assert_string_equal(json_string_value(json_object_get(f, "ociVersionMax")), "1.2.0");
        json_t *hooks = json_object_get(f, "hooks");
        assert_int_equal(json_array_size(hooks), 6);
        assert_true(array_has(hooks, "createRuntime"));
        assert_true(array_has(hooks, "poststop"));
        json_t *options = json_object_get(f, "mountOptions");
        assert_true(array_has(options, "rro"));
        assert_true(array_has(options, "rbind"));
        assert_true(array_has(options, "tmpcopyup"));
        assert_true(array_has(options, "idmap"));
        assert_false(array_has(options, "mode=755"));

        json_t *l = json_object_get(f, "linux");
        assert_true(json_is_object(l));
        json_t *ns = json_object_get(l, "namespaces");
        assert_int_equal(json_array_size(ns), 8);
        assert_true(array_has(ns, "time"));
        assert_true(array_has(ns, "cgroup"));
        json_t *caps = json_object_get(l, "capabilities");
        assert_int_equal(json_array_size(caps), 41);
        assert_true(array_has(caps, "CAP_CHECKPOINT_RESTORE"));
        assert_true(bool_at(l, "cgroup", "v1"));
        assert_true(bool_at(l, "cgroup", "v2"));
        assert_false(bool_at(l, "cgroup", "systemd"));
        assert_false(bool_at(l, "cgroup", "systemdUser"));
        json_t *seccomp = json_object_get(l, "seccomp");
        assert_true(bool_at(l, "seccomp", "enabled"));
        assert_int_equal(json_array_size(json_object_get(seccomp, "actions")), 9);
        assert_int_equal(json_array_size(json_object_get(seccomp, "operators")), 7);
        assert_true(array_has(json_object_get(seccomp, "archs"), "SCMP_ARCH_X86_64"));
        assert_int_equal(json_array_size(json_object_get(seccomp, "knownFlags")), 4);
        assert_true(array_has(json_object_get(seccomp, "supportedFlags"), "SECCOMP_FILTER_FLAG_LOG"));
        assert_false(bool_at(l, "apparmor", "enabled"));
        assert_false(bool_at(l, "selinux", "enabled"));
        assert_false(bool_at(l, "intelRdt", "enabled"));
        assert_true(json_is_true(
                json_object_get(json_object_get(json_object_get(l, "mountExtensions"), "idmap"), "enabled")));
        json_decref(f);
}

static void append_strings(json_t *dst, const json_t *src)
{
        size_t i;
        json_t *v;
        json_array_foreach (src, i, v)
                assert_int_equal(json_array_append(dst, v), 0);
}

/* Whatever features says is recognized, the parser accepts. */
static void test_features_agree_with_parser(void **state)
{
        json_t *f = features_json();
        json_t *l = json_object_get(f, "linux");
        json_t *seccomp = json_object_get(l, "seccomp");
        json_t *config = json_pack("{s:s, s:{s:s}, s:{s:[s], s:s, s:{s:[]}},"
                                   " s:{s:[], s:{s:s, s:s, s:[], s:[], s:[]}}, s:[]}",
                                   "ociVersion", "1.2.0", "root", "path", "r", "process", "args", "sh", "cwd", "/",
                                   "capabilities", "bounding", "linux", "namespaces", "seccomp", "defaultAction",
                                   "SCMP_ACT_ALLOW", "listenerPath", "/run/agent.sock", "architectures", "flags",
                                   "syscalls", "mounts");
        assert_non_null(config);
        json_t *cfg_linux = json_object_get(config, "linux");
        json_t *cfg_seccomp = json_object_get(cfg_linux, "seccomp");
        append_strings(json_object_get(json_object_get(json_object_get(config, "process"), "capabilities"), "bounding"),
                       json_object_get(l, "capabilities"));
        append_strings(json_object_get(cfg_seccomp, "architectures"), json_object_get(seccomp, "archs"));
        append_strings(json_object_get(cfg_seccomp, "flags"), json_object_get(seccomp, "knownFlags"));
        size_t i;
        json_t *v;
        json_array_foreach (json_object_get(seccomp, "actions"), i, v) {
                json_t *rule =
                        json_pack("{s:[s], s:O, s:[{s:i, s:i, s:O}]}", "names", "read", "action", v, "args", "index", 0,
                                  "value", 1, "op", json_array_get(json_object_get(seccomp, "operators"), i % 7));
                assert_int_equal(json_array_append_new(json_object_get(cfg_seccomp, "syscalls"), rule), 0);
        }
        json_array_foreach (json_object_get(l, "namespaces"), i, v) {
                json_t *entry = json_pack("{s:O}", "type", v);
                assert_int_equal(json_array_append_new(json_object_get(cfg_linux, "namespaces"), entry), 0);
        }
        json_t *mapping = json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 1000, "size", 1);
        json_object_set_new(cfg_linux, "uidMappings", json_deep_copy(mapping));
        json_object_set_new(cfg_linux, "gidMappings", mapping);
        json_t *mount = json_pack("{s:s, s:[]}", "destination", "/m", "options");
        append_strings(json_object_get(mount, "options"), json_object_get(f, "mountOptions"));
        json_array_append_new(json_object_get(config, "mounts"), mount);

        _cleanup_free_ char *text = json_dumps(config, 0);
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_config_ struct vs_oci_config *c = NULL;
        if (vs_oci_config_parse(text, strlen(text), "config.json", &c, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(c->linux_->n_namespaces, 8);
        assert_int_equal(c->linux_->seccomp->n_syscalls, 9);
        json_decref(config);
        json_decref(f);
}

static void test_mount_option_lookup(void **state)
{
        struct vs_oci_mount_option_info info;
        assert_true(vs_oci_mount_option_lookup("ro", &info));
        assert_int_equal(info.kind, VS_OCI_MOUNT_OPT_FLAG);
        assert_false(info.clear);
        assert_int_equal(info.flags, MS_RDONLY);
        assert_true(vs_oci_mount_option_lookup("rw", &info));
        assert_true(info.clear);
        assert_int_equal(info.flags, MS_RDONLY);
        assert_true(vs_oci_mount_option_lookup("rbind", &info));
        assert_int_equal(info.flags, MS_BIND | MS_REC);
        assert_true(vs_oci_mount_option_lookup("defaults", &info));
        assert_int_equal(info.flags, 0);

        assert_true(vs_oci_mount_option_lookup("rprivate", &info));
        assert_int_equal(info.kind, VS_OCI_MOUNT_OPT_PROPAGATION);
        assert_int_equal(info.flags, MS_PRIVATE | MS_REC);
        assert_true(vs_oci_mount_option_lookup("shared", &info));
        assert_int_equal(info.flags, MS_SHARED);

        assert_true(vs_oci_mount_option_lookup("rro", &info));
        assert_int_equal(info.kind, VS_OCI_MOUNT_OPT_RECURSIVE);
        assert_int_equal(info.attr_set, MOUNT_ATTR_RDONLY);
        assert_int_equal(info.attr_clr, 0);
        assert_true(vs_oci_mount_option_lookup("rrw", &info));
        assert_true(info.clear);
        assert_int_equal(info.attr_set, 0);
        assert_int_equal(info.attr_clr, MOUNT_ATTR_RDONLY);
        assert_true(vs_oci_mount_option_lookup("rnoatime", &info));
        assert_int_equal(info.attr_set, MOUNT_ATTR_NOATIME);
        assert_int_equal(info.attr_clr, MOUNT_ATTR__ATIME);
        assert_true(vs_oci_mount_option_lookup("rnosymfollow", &info));
        assert_int_equal(info.attr_set, MOUNT_ATTR_NOSYMFOLLOW);

        assert_true(vs_oci_mount_option_lookup("tmpcopyup", &info));
        assert_int_equal(info.kind, VS_OCI_MOUNT_OPT_EXTENSION);
        assert_int_equal(info.extension, VS_OCI_MOUNT_EXT_TMPCOPYUP);
        assert_true(vs_oci_mount_option_lookup("ridmap", &info));
        assert_int_equal(info.extension, VS_OCI_MOUNT_EXT_RIDMAP);

        const char *data = "mode=755";
        assert_false(vs_oci_mount_option_lookup(data, &info));
        assert_int_equal(info.kind, VS_OCI_MOUNT_OPT_DATA);
        assert_ptr_equal(info.name, data);
        assert_false(vs_oci_mount_option_lookup("RO", &info));
        assert_false(vs_oci_mount_option_lookup("", &info));

        /* The table is sorted (the lookup is a binary search) and every entry is found. */
        size_t n;
        const struct vs_oci_mount_option_info *all = vs_oci_mount_options(&n);
        assert_true(n >= 60);
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        assert_true(strcmp(all[i - 1].name, all[i].name) < 0);
                assert_true(vs_oci_mount_option_lookup(all[i].name, &info));
                assert_string_equal(info.name, all[i].name);
                assert_int_not_equal(info.kind, VS_OCI_MOUNT_OPT_DATA);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_spec),
                cmocka_unit_test(test_rootless_spec),
                cmocka_unit_test(test_features),
                cmocka_unit_test(test_features_agree_with_parser),
                cmocka_unit_test(test_mount_option_lookup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
