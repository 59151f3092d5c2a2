/* Unit tests for src/cgroup/cgroup.c: hierarchy detection and where a
 * container's cgroup directories go (vs_cgroup_resolve). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"

/* A hybrid host as Debian's CI has it: v1 controllers, a cgroup2 with hugetlb. */
static struct vs_cgroup_hierarchy hybrid_h[] = {
        {.mount_point = "/sys/fs/cgroup/cpu,cpuacct", .controllers = "cpu,cpuacct", .v2 = false, .own_path = "/"},
        {.mount_point = "/sys/fs/cgroup/memory", .controllers = "memory", .v2 = false, .own_path = "/user.slice"},
        {.mount_point = "/sys/fs/cgroup/pids", .controllers = "pids", .v2 = false, .own_path = "/user.slice"},
        {.mount_point = "/sys/fs/cgroup/unified", .controllers = "hugetlb", .v2 = true, .own_path = "/u"},
};
static const struct vs_cgroup_hosts hybrid = {.h = hybrid_h, .n = 4};

static char **resolve_ok(const struct vs_cgroup_hosts *hosts, const char *path, const char *id)
{
        struct vs_error err = VS_ERROR_INIT;
        char **dirs = NULL;
        int r = vs_cgroup_resolve(hosts, path, id, &dirs, &err);
        if (r < 0)
                fail_msg("cgroupsPath \"%s\": unexpected error: %s", path ? path : "(null)", err.msg);
        assert_non_null(dirs);
        return dirs;
}

static size_t strv_len(char **v)
{
        size_t n = 0;
        while (v[n])
                n++;
        return n;
}

static void test_absolute(void **state)
{
        (void) state;
        _cleanup_strv_ char **dirs = resolve_ok(&hybrid, "/vessel/ctr1", "ignored");
        assert_int_equal(strv_len(dirs), 4);
        assert_string_equal(dirs[0], "/sys/fs/cgroup/cpu,cpuacct/vessel/ctr1");
        assert_string_equal(dirs[1], "/sys/fs/cgroup/memory/vessel/ctr1");
        assert_string_equal(dirs[2], "/sys/fs/cgroup/pids/vessel/ctr1");
        assert_string_equal(dirs[3], "/sys/fs/cgroup/unified/vessel/ctr1");
}

static void test_relative_joins_own_path(void **state)
{
        (void) state;
        _cleanup_strv_ char **dirs = resolve_ok(&hybrid, "vessel/ctr1", "ignored");
        assert_int_equal(strv_len(dirs), 4);
        /* own_path "/" adds nothing, not a double slash. */
        assert_string_equal(dirs[0], "/sys/fs/cgroup/cpu,cpuacct/vessel/ctr1");
        assert_string_equal(dirs[1], "/sys/fs/cgroup/memory/user.slice/vessel/ctr1");
        assert_string_equal(dirs[2], "/sys/fs/cgroup/pids/user.slice/vessel/ctr1");
        assert_string_equal(dirs[3], "/sys/fs/cgroup/unified/u/vessel/ctr1");
}

static void test_empty_uses_id(void **state)
{
        (void) state;
        _cleanup_strv_ char **a = resolve_ok(&hybrid, "", "mycontainer");
        assert_int_equal(strv_len(a), 4);
        assert_string_equal(a[0], "/sys/fs/cgroup/cpu,cpuacct/mycontainer");
        assert_string_equal(a[1], "/sys/fs/cgroup/memory/user.slice/mycontainer");
        assert_string_equal(a[3], "/sys/fs/cgroup/unified/u/mycontainer");
        _cleanup_strv_ char **b = resolve_ok(&hybrid, NULL, "other");
        assert_string_equal(b[2], "/sys/fs/cgroup/pids/user.slice/other");
}

static void refused(const struct vs_cgroup_hosts *hosts, const char *path, const char *needle)
{
        struct vs_error err = VS_ERROR_INIT;
        char **dirs = (char **) (uintptr_t) 0x1;
        int r = vs_cgroup_resolve(hosts, path, "id", &dirs, &err);
        if (r == 0)
                fail_msg("cgroupsPath \"%s\" was accepted", path);
        assert_int_equal(r, -EINVAL);
        assert_int_equal(err.code, EINVAL);
        if (!strstr(err.msg, needle))
                fail_msg("cgroupsPath \"%s\": message \"%s\" does not name \"%s\"", path, err.msg, needle);
        /* Output untouched on failure. */
        assert_ptr_equal(dirs, (char **) (uintptr_t) 0x1);
}

static void test_dotdot_refused(void **state)
{
        (void) state;
        refused(&hybrid, "/../escape", "linux.cgroupsPath");
        refused(&hybrid, "a/../../b", "linux.cgroupsPath");
        refused(&hybrid, "..", "linux.cgroupsPath");
        refused(&hybrid, "/a/..", "linux.cgroupsPath");
}

static void test_dots_in_names_allowed(void **state)
{
        (void) state;
        _cleanup_strv_ char **dirs = resolve_ok(&hybrid, "/a..b/..c/d..", "id");
        assert_string_equal(dirs[1], "/sys/fs/cgroup/memory/a..b/..c/d..");
}

static void test_systemd_path_refused(void **state)
{
        (void) state;
        refused(&hybrid, "system.slice:vessel:ctr1", "--systemd-cgroup");
        refused(&hybrid, "system.slice:vessel:ctr1", "linux.cgroupsPath");
        refused(&hybrid, ":vessel:ctr1", "--systemd-cgroup");
}

static void test_empty_v2_skipped(void **state)
{
        (void) state;
        struct vs_cgroup_hierarchy h[] = {
                {.mount_point = "/sys/fs/cgroup/memory", .controllers = "memory", .v2 = false, .own_path = "/"},
                {.mount_point = "/sys/fs/cgroup/unified", .controllers = "", .v2 = true, .own_path = "/"},
                {.mount_point = "/sys/fs/cgroup/pids", .controllers = "pids", .v2 = false, .own_path = "/"},
        };
        struct vs_cgroup_hosts hosts = {.h = h, .n = 3};
        _cleanup_strv_ char **dirs = resolve_ok(&hosts, "/x", "id");
        assert_int_equal(strv_len(dirs), 2);
        assert_string_equal(dirs[0], "/sys/fs/cgroup/memory/x");
        assert_string_equal(dirs[1], "/sys/fs/cgroup/pids/x");
}

/* On a pure v2 host the one hierarchy is used even before any controller is enabled. */
static void test_lone_v2_kept(void **state)
{
        (void) state;
        struct vs_cgroup_hierarchy h[] = {
                {.mount_point = "/sys/fs/cgroup", .controllers = "", .v2 = true, .own_path = "/init.scope"},
        };
        struct vs_cgroup_hosts hosts = {.h = h, .n = 1};
        _cleanup_strv_ char **dirs = resolve_ok(&hosts, "", "c1");
        assert_int_equal(strv_len(dirs), 1);
        assert_string_equal(dirs[0], "/sys/fs/cgroup/init.scope/c1");
}

/* A v1 hierarchy with no controllers (name=systemd) limits nothing: skipped. */
static void test_empty_v1_skipped(void **state)
{
        (void) state;
        struct vs_cgroup_hierarchy h[] = {
                {.mount_point = "/sys/fs/cgroup/x", .controllers = "", .v2 = false, .own_path = "/"},
                {.mount_point = "/sys/fs/cgroup/memory", .controllers = "memory", .v2 = false, .own_path = "/"},
        };
        struct vs_cgroup_hosts hosts = {.h = h, .n = 2};
        _cleanup_strv_ char **dirs = resolve_ok(&hosts, "/y", "id");
        assert_int_equal(strv_len(dirs), 1);
        assert_string_equal(dirs[0], "/sys/fs/cgroup/memory/y");
}

static bool is_mountpoint(const char *path)
{
        struct stat a, b;
        char parent[4096];
        snprintf(parent, sizeof(parent), "%s/..", path);
        return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static const struct vs_cgroup_hierarchy *find_v1(const struct vs_cgroup_hosts *hosts, const char *controller)
{
        for (size_t i = 0; i < hosts->n; i++) {
                if (hosts->h[i].v2)
                        continue;
                _cleanup_free_ char *copy = strdup(hosts->h[i].controllers);
                char *save = NULL;
                for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
                        if (strcmp(c, controller) == 0)
                                return &hosts->h[i];
        }
        return NULL;
}

static void test_detect_real_host(void **state)
{
        (void) state;
        struct vs_cgroup_hosts hosts = {0};
        struct vs_error err = VS_ERROR_INIT;
        int r = vs_cgroup_hosts_detect(&hosts, &err);
        if (r < 0)
                fail_msg("detect: %s", err.msg);
        for (size_t i = 0; i < hosts.n; i++) {
                const struct vs_cgroup_hierarchy *h = &hosts.h[i];
                assert_non_null(h->mount_point);
                assert_non_null(h->controllers);
                assert_non_null(h->own_path);
                assert_int_equal(h->own_path[0], '/');
                print_message("# hierarchy %s v%d controllers=\"%s\" own=%s\n", h->mount_point, h->v2 ? 2 : 1,
                              h->controllers, h->own_path);
        }
        if (is_mountpoint("/sys/fs/cgroup/memory")) {
                const struct vs_cgroup_hierarchy *mem = find_v1(&hosts, "memory");
                assert_non_null(mem);
                assert_string_equal(mem->mount_point, "/sys/fs/cgroup/memory");
                /* Option noise (rw, relatime) is not taken for a controller. */
                assert_null(strstr(mem->controllers, "rw"));
                assert_null(strstr(mem->controllers, "relatime"));
        } else {
                print_message("# /sys/fs/cgroup/memory is not a mountpoint: v1 memory check skipped\n");
        }
        if (is_mountpoint("/sys/fs/cgroup/unified")) {
                bool found = false;
                for (size_t i = 0; i < hosts.n; i++)
                        if (hosts.h[i].v2 && strcmp(hosts.h[i].mount_point, "/sys/fs/cgroup/unified") == 0)
                                found = true;
                assert_true(found);
        } else {
                print_message("# /sys/fs/cgroup/unified is not a mountpoint: hybrid v2 check skipped\n");
        }
        vs_cgroup_hosts_clear(&hosts);
        assert_int_equal(hosts.n, 0);
        assert_null(hosts.h);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_absolute),
                cmocka_unit_test(test_relative_joins_own_path),
                cmocka_unit_test(test_empty_uses_id),
                cmocka_unit_test(test_dotdot_refused),
                cmocka_unit_test(test_dots_in_names_allowed),
                cmocka_unit_test(test_systemd_path_refused),
                cmocka_unit_test(test_empty_v2_skipped),
                cmocka_unit_test(test_lone_v2_kept),
                cmocka_unit_test(test_empty_v1_skipped),
                cmocka_unit_test(test_detect_real_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
