/* Unit tests for src/runtime/state.c: ids, the state directory, state.json
 * and the live status computed from a recorded pid. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/files.h"

struct fixture {
        char tmp[64];
        int rootfd;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-state-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -1;
        f->rootfd = open(f->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->rootfd < 0)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        vs_safe_close(f->rootfd);
        int r = vs_remove_tree_at(AT_FDCWD, f->tmp, &err);
        free(f);
        return r;
}

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* ---- ids ---- */

static void id_refused(const char *id, const char *why)
{
        struct vs_error err = VS_ERROR_INIT;
        int r = vs_state_check_id(id, &err);
        if (r == 0)
                fail_msg("id (%s) was accepted", why);
        assert_int_equal(r, -EINVAL);
        assert_int_equal(err.code, EINVAL);
        assert_true(strlen(err.msg) > 0);
}

static void id_ok(const char *id)
{
        struct vs_error err = VS_ERROR_INIT;
        int r = vs_state_check_id(id, &err);
        if (r < 0)
                fail_msg("id \"%s\": unexpected error: %s", id, err.msg);
}

static void test_check_id(void **state)
{
        (void) state;
        id_refused(NULL, "NULL");
        id_refused("", "empty");
        id_refused(".", "dot");
        id_refused("..", "dotdot");
        id_refused("a/b", "slash");
        id_refused("/abs", "leading slash");
        id_refused("a b", "space");
        id_refused("a\tb", "tab");
        id_refused("a\nb", "newline");
        id_refused("a\x01", "control char");
        id_refused("a\x7f", "DEL");
        char big[1026];
        memset(big, 'a', 1025);
        big[1025] = '\0';
        id_refused(big, "1025 bytes");
        big[1024] = '\0';
        id_ok(big);
        id_ok("a");
        id_ok("my-container_1.2");
        id_ok("...");
        id_ok(".hidden");
        id_ok("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

/* ---- the root and the state directory ---- */

static void test_open_root_creates_nested(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char path[256];
        snprintf(path, sizeof(path), "%s/a/b/c", f->tmp);
        int r = vs_state_open_root(path, false, &err);
        assert_int_equal(r, -ENOENT);
        assert_contains(err.msg, path);
        vs_error_ignore(&err);

        int fd = vs_state_open_root(path, true, &err);
        if (fd < 0)
                fail_msg("%s", err.msg);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(fstatat(f->rootfd, "a/b/c", &st, 0), 0);
        assert_true(S_ISDIR(st.st_mode));
        close(fd);
        /* Opening an existing root again works, with or without create. */
        fd = vs_state_open_root(path, true, &err);
        assert_true(fd >= 0);
        close(fd);
        fd = vs_state_open_root(path, false, &err);
        assert_true(fd >= 0);
        close(fd);
}

static void test_create_dir_exists(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        int fd = vs_state_create_dir(f->rootfd, "c1", &err);
        if (fd < 0)
                fail_msg("%s", err.msg);
        struct stat st;
        assert_int_equal(fstatat(f->rootfd, "c1", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISDIR(st.st_mode));
        int again = vs_state_create_dir(f->rootfd, "c1", &err);
        assert_int_equal(again, -EEXIST);
        assert_int_equal(err.code, EEXIST);
        assert_string_equal(err.msg, "container c1 already exists");
        close(fd);

        /* vs_state_lock opens it; a missing one "does not exist". */
        vs_error_ignore(&err);
        int lk = vs_state_lock(f->rootfd, "c1", &err);
        assert_true(lk >= 0);
        close(lk);
        assert_int_equal(vs_state_lock(f->rootfd, "nope", &err), -ENOENT);
        assert_string_equal(err.msg, "container nope does not exist");
}

/* ---- state.json ---- */

/* A child that sleeps until killed. A failed assertion longjmps past any
 * cleanup, so the child also dies with us (PDEATHSIG) or after a minute. */
static pid_t spawn_sleeper(void)
{
        pid_t parent = getpid();
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(1);
                alarm(60);
                for (;;)
                        pause();
        }
        return pid;
}

static void fill_state(struct vs_state *s, pid_t pid, uint64_t start)
{
        static char *dirs[] = {NULL};
        *s = (struct vs_state){
                .id = "c1",
                .bundle = "/bundles/c1",
                .rootfs = "/bundles/c1/rootfs",
                .pid = pid,
                .pid_start_time = start,
                .created = "2024-01-02T03:04:05.000000006Z",
                .owner = 0,
                .cgroup_dirs = dirs,
                .annotations_json = "{\"org.example\":\"v\"}",
                .status = VS_STATUS_CREATED,
        };
}

static void load_ok(int rootfd, const char *id, struct vs_state *out)
{
        struct vs_error err = VS_ERROR_INIT;
        int r = vs_state_load(rootfd, id, out, &err);
        if (r < 0)
                fail_msg("load %s: %s", id, err.msg);
}

static void test_write_load_round_trip(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int dfd = vs_state_create_dir(f->rootfd, "c1", &err);
        assert_true(dfd >= 0);

        pid_t child = spawn_sleeper();
        uint64_t start = vs_proc_start_time(child);
        assert_true(start > 0);
        /* Stable: the same process reads the same start time. */
        assert_true(vs_proc_start_time(child) == start);

        struct vs_state s;
        fill_state(&s, child, start);
        if (vs_state_write(dfd, &s, &err) < 0)
                fail_msg("%s", err.msg);

        struct vs_state got;
        load_ok(f->rootfd, "c1", &got);
        assert_string_equal(got.id, "c1");
        assert_string_equal(got.bundle, "/bundles/c1");
        assert_string_equal(got.rootfs, "/bundles/c1/rootfs");
        assert_string_equal(got.created, "2024-01-02T03:04:05.000000006Z");
        assert_int_equal(got.pid, child);
        assert_true(got.pid_start_time == start);
        assert_non_null(got.cgroup_dirs);
        assert_null(got.cgroup_dirs[0]);
        assert_non_null(got.annotations_json);
        assert_contains(got.annotations_json, "org.example");
        assert_int_equal(got.status, VS_STATUS_RUNNING);
        assert_string_equal(vs_status_name(got.status), "running");
        vs_state_clear(&got);
        assert_null(got.id);

        /* With the exec fifo present, the container is only created. */
        assert_int_equal(mkfifoat(dfd, "exec.fifo", 0600), 0);
        load_ok(f->rootfd, "c1", &got);
        assert_int_equal(got.status, VS_STATUS_CREATED);
        assert_string_equal(vs_status_name(got.status), "created");
        vs_state_clear(&got);
        assert_int_equal(unlinkat(dfd, "exec.fifo", 0), 0);

        /* Killed and reaped: stopped, and `state` reports pid 0. */
        assert_int_equal(kill(child, SIGKILL), 0);
        assert_int_equal(waitpid(child, NULL, 0), child);
        assert_true(vs_proc_start_time(child) == 0);
        load_ok(f->rootfd, "c1", &got);
        assert_int_equal(got.status, VS_STATUS_STOPPED);
        assert_string_equal(vs_status_name(got.status), "stopped");
        _cleanup_free_ char *text = vs_state_to_json(&got, false);
        assert_non_null(text);
        json_t *o = json_loads(text, 0, NULL);
        assert_non_null(o);
        assert_int_equal(json_integer_value(json_object_get(o, "pid")), 0);
        assert_string_equal(json_string_value(json_object_get(o, "status")), "stopped");
        json_decref(o);
        vs_state_clear(&got);

        /* state.json is private to root. */
        struct stat st;
        assert_int_equal(fstatat(dfd, "state.json", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
}

/* A pid whose start time no longer matches (a reused pid) is stopped. */
static void test_reused_pid_is_stopped(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int dfd = vs_state_create_dir(f->rootfd, "c2", &err);
        assert_true(dfd >= 0);
        _cleanup_child_ pid_t child = spawn_sleeper();
        uint64_t start = vs_proc_start_time(child);
        struct vs_state s;
        fill_state(&s, child, start + 1);
        s.id = "c2";
        assert_int_equal(vs_state_write(dfd, &s, &err), 0);
        struct vs_state got;
        load_ok(f->rootfd, "c2", &got);
        assert_int_equal(got.status, VS_STATUS_STOPPED);
        vs_state_clear(&got);
        /* pid 0 is never running. */
        assert_int_equal(vs_state_status(dfd, 0, start, NULL), VS_STATUS_STOPPED);
        assert_int_equal(vs_state_status(dfd, child, start, NULL), VS_STATUS_RUNNING);
}

static void test_load_missing(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_state got = {.pid = 4242};
        int r = vs_state_load(f->rootfd, "ghost", &got, &err);
        assert_int_equal(r, -ENOENT);
        assert_int_equal(err.code, ENOENT);
        assert_contains(err.msg, "ghost");
        assert_contains(err.msg, "does not exist");
        assert_int_equal(got.pid, 4242);
}

static void corrupt_case(int rootfd, const char *id, const char *content)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int dfd = vs_state_create_dir(rootfd, id, &err);
        assert_true(dfd >= 0);
        if (content)
                assert_int_equal(vs_write_file_atomic(dfd, "state.json", content, strlen(content), 0600, &err), 0);
        struct vs_state got = {.pid = 4242};
        int r = vs_state_load(rootfd, id, &got, &err);
        if (r == 0)
                fail_msg("state.json \"%s\" was accepted", content ? content : "(missing)");
        assert_true(r < 0);
        assert_int_equal(err.code, -r);
        assert_contains(err.msg, id);
        assert_int_equal(got.pid, 4242);
}

static void test_load_corrupt(void **state)
{
        struct fixture *f = *state;
        corrupt_case(f->rootfd, "bad1", "{\"id\": \"bad1\", \"pid\": ");
        corrupt_case(f->rootfd, "bad2", "");
        corrupt_case(f->rootfd, "bad3", "[1, 2, 3]");
        corrupt_case(f->rootfd, "bad4", "\"just a string\"");
        corrupt_case(f->rootfd, "bad5", NULL);
}

static void test_to_json_keys(void **state)
{
        (void) state;
        struct vs_state s;
        fill_state(&s, 1234, 99);
        s.status = VS_STATUS_RUNNING;
        _cleanup_free_ char *text = vs_state_to_json(&s, true);
        assert_non_null(text);
        json_error_t jerr;
        json_t *o = json_loads(text, 0, &jerr);
        if (!o)
                fail_msg("not JSON: %s: %s", jerr.text, text);
        static const char *const keys[] = {"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"};
        for (size_t i = 0; i < VS_ARRAY_SIZE(keys); i++)
                if (!json_object_get(o, keys[i]))
                        fail_msg("key %s missing in %s", keys[i], text);
        assert_true(json_is_string(json_object_get(o, "ociVersion")));
        assert_string_equal(json_string_value(json_object_get(o, "id")), "c1");
        assert_int_equal(json_integer_value(json_object_get(o, "pid")), 1234);
        assert_string_equal(json_string_value(json_object_get(o, "status")), "running");
        assert_string_equal(json_string_value(json_object_get(o, "bundle")), "/bundles/c1");
        assert_string_equal(json_string_value(json_object_get(o, "rootfs")), "/bundles/c1/rootfs");
        assert_string_equal(json_string_value(json_object_get(o, "created")), "2024-01-02T03:04:05.000000006Z");
        json_t *ann = json_object_get(o, "annotations");
        assert_non_null(ann);
        assert_string_equal(json_string_value(json_object_get(ann, "org.example")), "v");
        /* The runtime's private fields are not shown to callers. */
        void *iter = json_object_iter(o);
        for (; iter; iter = json_object_iter_next(o, iter))
                if (strncmp(json_object_iter_key(iter), "vessel.", 7) == 0)
                        fail_msg("private key %s in %s", json_object_iter_key(iter), text);
        json_decref(o);

        /* Stopped: pid 0. */
        s.status = VS_STATUS_STOPPED;
        _cleanup_free_ char *stopped = vs_state_to_json(&s, false);
        o = json_loads(stopped, 0, NULL);
        assert_non_null(o);
        assert_int_equal(json_integer_value(json_object_get(o, "pid")), 0);
        assert_string_equal(json_string_value(json_object_get(o, "status")), "stopped");
        json_decref(o);
}

static void test_start_time_of_zombie(void **state)
{
        (void) state;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(0);
        /* Wait, without reaping, until the child is a zombie. */
        siginfo_t info;
        memset(&info, 0, sizeof(info));
        assert_int_equal(waitid(P_PID, (id_t) pid, &info, WEXITED | WNOWAIT), 0);
        assert_int_equal(info.si_pid, pid);
        assert_true(vs_proc_start_time(pid) == 0);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_true(vs_proc_start_time(pid) == 0);
        /* Ourselves: alive and with a start time. */
        assert_true(vs_proc_start_time(getpid()) > 0);
}

static void test_remove(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        int dfd = vs_state_create_dir(f->rootfd, "gone", &err);
        assert_true(dfd >= 0);
        assert_int_equal(mkfifoat(dfd, "exec.fifo", 0600), 0);
        close(dfd);
        assert_int_equal(vs_state_remove(f->rootfd, "gone", &err), 0);
        assert_int_equal(faccessat(f->rootfd, "gone", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(errno, ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check_id),
                cmocka_unit_test_setup_teardown(test_open_root_creates_nested, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_dir_exists, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_load_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reused_pid_is_stopped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_corrupt, setup, teardown),
                cmocka_unit_test(test_to_json_keys),
                cmocka_unit_test(test_start_time_of_zombie),
                cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
