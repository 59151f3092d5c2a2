/* Unit tests for SCMP_ACT_NOTIFY: src/runtime/seccomp_notify.c (the
 * container process state, the relay to the agent), the sync message with
 * an fd (runtime/sync.h) and the checks of src/linux/seccomp_filter.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "linux/seccomp_filter.h"
#include "linux/terminal.h"
#include "runtime/seccomp_notify.h"
#include "runtime/sync.h"
#include "util/cleanup.h"

static struct vs_state sample_state(void)
{
        return (struct vs_state){
                .id = "ctr",
                .bundle = "/b",
                .rootfs = "/b/rootfs",
                .pid = 42,
                .annotations_json = "{\"k\":\"v\"}",
                .status = VS_STATUS_CREATING,
        };
}

static void test_state_json(void **unused)
{
        struct vs_oci_seccomp s = {.listener_path = "/a.sock", .listener_metadata = "meta"};
        struct vs_state st = sample_state();
        _cleanup_free_ char *text = vs_seccomp_notify_state_json(&s, &st, 77);
        assert_non_null(text);
        json_t *o = json_loads(text, 0, NULL);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "ociVersion")), "1.2.0");
        json_t *fds = json_object_get(o, "fds");
        assert_int_equal(json_array_size(fds), 1);
        assert_string_equal(json_string_value(json_array_get(fds, 0)), "seccompFd");
        assert_int_equal(json_integer_value(json_object_get(o, "pid")), 77);
        assert_string_equal(json_string_value(json_object_get(o, "metadata")), "meta");
        json_t *state = json_object_get(o, "state");
        assert_string_equal(json_string_value(json_object_get(state, "id")), "ctr");
        assert_string_equal(json_string_value(json_object_get(state, "status")), "creating");
        assert_int_equal(json_integer_value(json_object_get(state, "pid")), 42);
        assert_string_equal(json_string_value(json_object_get(state, "bundle")), "/b");
        assert_string_equal(json_string_value(json_object_get(json_object_get(state, "annotations"), "k")), "v");
        json_decref(o);
}

/* metadata is OPTIONAL: absent when listenerMetadata is absent or empty. */
static void test_state_json_no_metadata(void **unused)
{
        struct vs_state st = sample_state();
        const char *values[] = {NULL, ""};
        for (size_t i = 0; i < 2; i++) {
                struct vs_oci_seccomp s = {.listener_path = "/a.sock", .listener_metadata = (char *) values[i]};
                _cleanup_free_ char *text = vs_seccomp_notify_state_json(&s, &st, 1);
                json_t *o = json_loads(text, 0, NULL);
                assert_non_null(o);
                assert_null(json_object_get(o, "metadata"));
                json_decref(o);
        }
}

static void test_sync_recv_fd(void **unused)
{
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        struct vs_error err = VS_ERROR_INIT;
        struct vs_sync_msg out = {.type = VS_SYNC_SECCOMP};
        assert_int_equal(vs_fd_send(sv[1], STDIN_FILENO, &out, sizeof(out.type) + sizeof(out.code), &err), 0);
        struct vs_sync_msg m;
        int fd = -1;
        assert_int_equal(vs_sync_recv_fd(sv[0], &m, &fd), 0);
        assert_int_equal(m.type, VS_SYNC_SECCOMP);
        assert_true(fd > STDERR_FILENO);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
        /* a plain message: no fd */
        assert_int_equal(vs_sync_send(sv[1], VS_SYNC_READY, NULL), 0);
        assert_int_equal(vs_sync_recv_fd(sv[0], &m, &fd), 0);
        assert_int_equal(m.type, VS_SYNC_READY);
        assert_int_equal(fd, -1);
        /* the peer gone */
        close(sv[1]);
        assert_int_equal(vs_sync_recv_fd(sv[0], &m, &fd), -EPIPE);
        assert_int_equal(fd, -1);
        close(sv[0]);
}

/* An agent on a listening socket in dir; returns the listening fd. */
static int listen_at(const char *path)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
        int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(sock >= 0);
        assert_int_equal(bind(sock, (struct sockaddr *) &addr, sizeof(addr)), 0);
        assert_int_equal(listen(sock, 4), 0);
        return sock;
}

static void test_relay(void **unused)
{
        char dir[] = "/tmp/vessel-notify-XXXXXX", path[64];
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/agent.sock", dir);
        _cleanup_close_ int sock = listen_at(path);
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        int listener = open("/dev/null", O_RDONLY | O_CLOEXEC);
        struct stat want, got;
        assert_int_equal(fstat(listener, &want), 0);
        struct vs_oci_seccomp s = {.listener_path = path, .listener_metadata = "m"};
        struct vs_state st = sample_state();
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_seccomp_notify_relay(sv[0], listener, &s, &st, 9, &err), 0);
        /* the agent's side: the state and the fd in one message */
        _cleanup_close_ int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
        char buf[4096];
        size_t len = 0;
        int fd = -1;
        assert_int_equal(vs_fd_recv(conn, &fd, buf, sizeof(buf) - 1, &len, &err), 0);
        buf[len] = '\0';
        assert_int_equal(fstat(fd, &got), 0);
        assert_true(got.st_ino == want.st_ino && got.st_dev == want.st_dev);
        close(fd);
        json_t *o = json_loads(buf, 0, NULL);
        assert_non_null(o);
        assert_int_equal(json_integer_value(json_object_get(o, "pid")), 9);
        json_decref(o);
        /* the process is told to go on */
        struct vs_sync_msg m;
        assert_int_equal(vs_sync_recv(sv[1], &m), 0);
        assert_int_equal(m.type, VS_SYNC_SECCOMP_DONE);
        close(sv[0]);
        close(sv[1]);
        unlink(path);
        rmdir(dir);
}

static void test_relay_no_agent(void **unused)
{
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        struct vs_oci_seccomp s = {.listener_path = "/nonexistent/agent.sock"};
        struct vs_state st = sample_state();
        struct vs_error err = VS_ERROR_INIT;
        int listener = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_int_equal(vs_seccomp_notify_relay(sv[0], listener, &s, &st, 9, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "linux.seccomp.listenerPath"));
        assert_non_null(strstr(err.msg, "/nonexistent/agent.sock"));
        /* the process hears nothing: the runtime kills it */
        struct vs_sync_msg m;
        close(sv[0]);
        assert_int_equal(vs_sync_recv(sv[1], &m), -EPIPE);
        close(sv[1]);
}

static struct vs_oci_seccomp *notify_profile(const char *name)
{
        static char *names[2];
        static struct vs_oci_seccomp_syscall call;
        static struct vs_oci_seccomp s;
        names[0] = (char *) name;
        call = (struct vs_oci_seccomp_syscall){.names = names, .action = "SCMP_ACT_NOTIFY"};
        s = (struct vs_oci_seccomp){
                .default_action = "SCMP_ACT_ALLOW", .listener_path = "/a", .syscalls = &call, .n_syscalls = 1};
        return &s;
}

static void test_filter_checks(void **unused)
{
        struct vs_error err = VS_ERROR_INIT;
        void *ctx = NULL;
        struct vs_oci_seccomp *s = notify_profile("mkdir");
        assert_true(vs_seccomp_uses_notify(s));
        assert_int_equal(vs_seccomp_build(s, &ctx, &err), 0);
        vs_seccomp_free(ctx);
        s = notify_profile("sendmsg");
        assert_int_equal(vs_seccomp_build(s, &ctx, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "linux.seccomp.syscalls[0]"));
        assert_non_null(strstr(err.msg, "sendmsg"));
        s->syscalls[0].action = "SCMP_ACT_ERRNO";
        assert_false(vs_seccomp_uses_notify(s));
        assert_false(vs_seccomp_uses_notify(NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_state_json),     cmocka_unit_test(test_state_json_no_metadata),
                cmocka_unit_test(test_sync_recv_fd),   cmocka_unit_test(test_relay),
                cmocka_unit_test(test_relay_no_agent), cmocka_unit_test(test_filter_checks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
