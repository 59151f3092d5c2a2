/* Unit tests for vessel-procfs's binds: finding them in a mountinfo text
 * (src/procfs/binds.c) and adding them to a generated spec, with the
 * sysinfo(2) rule for the agent (src/engine/spec_procfs.c). Pure. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <cmocka.h>

#include "engine/spec_procfs.h"
#include "procfs/binds.h"
#include "util/cleanup.h"

static void test_binds_parse(void **state)
{
        (void) state;
        char text[] =
                "22 1 0:21 / / rw,relatime - overlay overlay rw\n"
                "207 187 0:90 /proc/meminfo /proc/meminfo ro,nosuid - fuse.vessel-procfs /run/my\\040root/procfs ro\n"
                "208 187 0:91 /proc/stat /proc/stat ro - fuse.vessel-procfs /run/other/procfs ro\n"
                "209 187 0:90 / /run/my\\040root/procfs ro - fuse.vessel-procfs /run/my\\040root/procfs ro\n"
                "210 190 0:89 /sys/devices/system/cpu/online /sys/devices/system/cpu/online ro - "
                "fuse.vessel-procfs /run/my\\040root/procfs ro\n"
                "211 187 0:90 /proc/uptime /proc/uptime ro - fuse.lxcfs /run/my\\040root/procfs ro\n"
                "garbage\n";
        struct vs_procfs_bind b[VS_PROCFS_BINDS_MAX];
        size_t n = vs_procfs_binds_parse(text, "/run/my root/procfs", b, VS_PROCFS_BINDS_MAX);
        /* another daemon's (other source), the daemon's own mount (root "/") and lxcfs's are not ours */
        assert_int_equal(n, 2);
        assert_string_equal(b[0].root, "/proc/meminfo");
        assert_string_equal(b[0].target, "/proc/meminfo");
        assert_true(b[0].dev == makedev(0, 90));
        assert_string_equal(b[1].target, "/sys/devices/system/cpu/online");
        assert_true(b[1].dev == makedev(0, 89)); /* a dead daemon's superblock: another device */
        char again[] = "207 187 0:90 /proc/meminfo /proc/meminfo ro - fuse.vessel-procfs /x ro\n";
        assert_int_equal(vs_procfs_binds_parse(again, "/x", b, 0), 0); /* max respected */
}

static json_t *spec_with_seccomp(void)
{
        return json_pack("{s:[{s:s}], s:{s:{s:s, s:[{s:[s,s,s], s:s}, {s:[s], s:s, s:[{s:i, s:i, s:s}]}]}}}", "mounts",
                         "destination", "/proc", "linux", "seccomp", "defaultAction", "SCMP_ACT_ERRNO", "syscalls",
                         "names", "read", "sysinfo", "sched_getaffinity", "action", "SCMP_ACT_ALLOW", "names",
                         "sysinfo", "action", "SCMP_ACT_ALLOW", "args", "index", 0, "value", 1, "op", "SCMP_CMP_EQ");
}

static void test_spec_mounts(void **state)
{
        (void) state;
        json_t *spec = spec_with_seccomp();
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_spec_procfs_add(spec, "/run/vessel/procfs", &err), 0);
        json_t *mounts = json_object_get(spec, "mounts");
        assert_int_equal(json_array_size(mounts), 9); /* /proc, then the 8 files after it */
        json_t *m = json_array_get(mounts, 1);
        assert_string_equal(json_string_value(json_object_get(m, "destination")), "/proc/meminfo");
        assert_string_equal(json_string_value(json_object_get(m, "source")), "/run/vessel/procfs/proc/meminfo");
        assert_string_equal(json_string_value(json_object_get(m, "type")), "bind");
        m = json_array_get(mounts, 8);
        assert_string_equal(json_string_value(json_object_get(m, "destination")), "/sys/devices/system/cpu/online");
        json_decref(spec);
        json_t *bare = json_object();
        assert_int_equal(vs_spec_procfs_add(bare, "/d", &err), 0);
        assert_int_equal(json_array_size(json_object_get(bare, "mounts")), 8);
        json_decref(bare);
}

static void test_spec_sysinfo(void **state)
{
        (void) state;
        json_t *spec = spec_with_seccomp();
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_spec_procfs_sysinfo(spec, "/run/vessel/procfs.sock", &err), 0);
        json_t *seccomp = json_object_get(json_object_get(spec, "linux"), "seccomp");
        assert_string_equal(json_string_value(json_object_get(seccomp, "listenerPath")), "/run/vessel/procfs.sock");
        json_t *rules = json_object_get(seccomp, "syscalls");
        assert_int_equal(json_array_size(rules), 3);
        /* taken out of the plain allow rule, left in the one with an argument filter */
        json_t *names = json_object_get(json_array_get(rules, 0), "names");
        assert_int_equal(json_array_size(names), 1);
        assert_string_equal(json_string_value(json_array_get(names, 0)), "read");
        assert_non_null(json_object_get(json_array_get(rules, 1), "args"));
        json_t *last = json_array_get(rules, 2);
        assert_string_equal(json_string_value(json_object_get(last, "action")), "SCMP_ACT_NOTIFY");
        names = json_object_get(last, "names");
        assert_int_equal(json_array_size(names), 2);
        assert_string_equal(json_string_value(json_array_get(names, 0)), "sysinfo");
        assert_string_equal(json_string_value(json_array_get(names, 1)), "sched_getaffinity");
        /* the user's own agent stays: nothing is changed */
        char *before = json_dumps(spec, JSON_SORT_KEYS);
        assert_int_equal(vs_spec_procfs_sysinfo(spec, "/elsewhere.sock", &err), 0);
        char *after = json_dumps(spec, JSON_SORT_KEYS);
        assert_string_equal(before, after);
        free(before);
        free(after);
        json_decref(spec);
        /* no linux.seccomp (--privileged, unconfined): no filter is added */
        json_t *none = json_pack("{s:{}}", "linux");
        assert_int_equal(vs_spec_procfs_sysinfo(none, "/s", &err), 0);
        assert_null(json_object_get(json_object_get(none, "linux"), "seccomp"));
        json_decref(none);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_binds_parse),
                cmocka_unit_test(test_spec_mounts),
                cmocka_unit_test(test_spec_sysinfo),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
