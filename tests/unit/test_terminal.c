/* Unit tests for src/linux/terminal.c, console_socket.c and pty_proxy.c:
 * pty pairs, fd passing over unix sockets, runc's console socket protocol,
 * the controlling terminal and the foreground proxy. Run as root (chown of
 * the slave); the steps that change the session run in forked children,
 * which report by exit code (cmocka's assertions stay in the parent). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/terminal.h"
#include "util/cleanup.h"

/* Each test that needs files works in its own mkdtemp dir. */
struct fixture {
        char tmp[64];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-tty-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
        int r = system(cmd);
        free(f);
        return r == 0 ? 0 : -1;
}

static int count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;
        if (!d)
                return -1;
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static bool is_cloexec(int fd)
{
        int flags = fcntl(fd, F_GETFD);
        return flags >= 0 && (flags & FD_CLOEXEC);
}

static void assert_msg(const struct vs_error *err, const char *expected)
{
        if (strcmp(err->msg, expected) != 0)
                fail_msg("error \"%s\", expected \"%s\"", err->msg, expected);
}

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* A listening unix stream socket at path. */
static int listen_unix(const char *path)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        assert_true(strlen(path) < sizeof(addr.sun_path));
        strcpy(addr.sun_path, path);
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(s >= 0);
        assert_int_equal(bind(s, (struct sockaddr *) &addr, sizeof(addr)), 0);
        assert_int_equal(listen(s, 4), 0);
        return s;
}

/* Wait for a child; its exit code (or 128 + signal). */
static int wait_child(pid_t pid)
{
        int status;
        while (waitpid(pid, &status, 0) < 0)
                assert_int_equal(errno, EINTR);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Read fd into buf until EOF (10 s at most). */
static size_t read_all(int fd, char *buf, size_t size)
{
        size_t len = 0;
        while (len + 1 < size) {
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                if (poll(&pfd, 1, 10000) <= 0)
                        fail_msg("timed out reading; so far: \"%.*s\"", (int) len, buf);
                ssize_t n = read(fd, buf + len, size - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = '\0';
        return len;
}

/* Read fd into buf until it holds needle (10 s at most). */
static void read_until(int fd, char *buf, size_t size, size_t *len, const char *needle)
{
        while (!strstr(buf, needle)) {
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                if (*len + 1 >= size || poll(&pfd, 1, 10000) <= 0)
                        fail_msg("no \"%s\" in \"%s\"", needle, buf);
                ssize_t n = read(fd, buf + *len, size - 1 - *len);
                if (n <= 0)
                        fail_msg("EOF before \"%s\" in \"%s\"", needle, buf);
                *len += (size_t) n;
                buf[*len] = '\0';
        }
}

static void test_pty_open(void **state)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int master = -1;
        _cleanup_free_ char *slave = NULL;
        int r = vs_pty_open(&master, &slave, &err);
        if (r < 0)
                fail_msg("vs_pty_open: %s", err.msg);
        assert_true(master >= 0);
        assert_true(is_cloexec(master));
        assert_int_equal(strncmp(slave, "/dev/pts/", 9), 0);
        struct stat st;
        assert_int_equal(stat(slave, &st), 0);
        assert_true(S_ISCHR(st.st_mode));
        /* Unlocked: the slave opens. */
        _cleanup_close_ int s = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(s >= 0);
        assert_true(isatty(s));
        assert_int_equal(fcntl(master, F_GETFL) & O_ACCMODE, O_RDWR);
}

static void test_pty_set_size(void **state)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int master = -1;
        _cleanup_free_ char *slave = NULL;
        assert_int_equal(vs_pty_open(&master, &slave, &err), 0);
        assert_int_equal(vs_pty_set_size(master, 24, 80, &err), 0);
        _cleanup_close_ int s = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
        struct winsize ws;
        assert_int_equal(ioctl(s, TIOCGWINSZ, &ws), 0);
        assert_int_equal(ws.ws_row, 24);
        assert_int_equal(ws.ws_col, 80);
        /* Not a terminal: the error names the call. */
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(vs_pty_set_size(p[0], 1, 2, &err), -ENOTTY);
        assert_contains(err.msg, "TIOCSWINSZ");
        close(p[0]);
        close(p[1]);
}

/* An fd and its payload cross a socketpair of the type, and the fd works. */
static void pass_fd(int type)
{
        struct vs_error err = VS_ERROR_INIT;
        int sv[2], p[2];
        assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(vs_fd_send(sv[0], p[1], "payload", 7, &err), 0);
        close(p[1]);
        int fd = -1;
        size_t len = 0;
        char buf[64];
        if (vs_fd_recv(sv[1], &fd, buf, sizeof(buf), &len, &err) < 0)
                fail_msg("vs_fd_recv: %s", err.msg);
        assert_int_equal(len, 7);
        assert_memory_equal(buf, "payload", 7);
        assert_true(fd >= 0);
        assert_true(is_cloexec(fd));
        assert_int_equal(write(fd, "x", 1), 1);
        close(fd);
        char c;
        assert_int_equal(read(p[0], &c, 1), 1);
        assert_int_equal(c, 'x');
        /* Every end gone: EOF. */
        assert_int_equal(read(p[0], &c, 1), 0);
        close(p[0]);
        /* A zero-length payload arrives as one NUL byte. */
        assert_int_equal(vs_fd_send(sv[0], sv[0], NULL, 0, &err), 0);
        assert_int_equal(vs_fd_recv(sv[1], &fd, buf, sizeof(buf), &len, &err), 0);
        assert_int_equal(len, 1);
        assert_int_equal(buf[0], '\0');
        close(fd);
        /* The peer gone: EPIPE. */
        close(sv[0]);
        fd = -7;
        assert_int_equal(vs_fd_recv(sv[1], &fd, buf, sizeof(buf), &len, &err), -EPIPE);
        assert_int_equal(fd, -7);
        assert_contains(err.msg, "closed");
        close(sv[1]);
}

static void test_fd_pass_seqpacket(void **state)
{
        pass_fd(SOCK_SEQPACKET);
}

static void test_fd_pass_stream(void **state)
{
        pass_fd(SOCK_STREAM);
}

/* sendmsg with n fds in one SCM_RIGHTS message. */
static void send_fds(int sock, const int *fds, size_t n)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * 4)];
                struct cmsghdr align;
        } control;
        memset(&control, 0, sizeof(control));
        struct iovec iov = {.iov_base = "x", .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        if (n) {
                msg.msg_control = control.buf;
                msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        }
        assert_int_equal(sendmsg(sock, &msg, 0), 1);
}

/* A message with no fd, two fds, or a payload too large: clear errors, no
 * fd leaked, the output untouched. */
static void test_fd_recv_rejects(void **state)
{
        struct vs_error err = VS_ERROR_INIT;
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        int before = count_fds();
        int fd = -7;
        char buf[4];
        send_fds(sv[0], NULL, 0);
        assert_int_equal(vs_fd_recv(sv[1], &fd, buf, sizeof(buf), NULL, &err), -EBADMSG);
        assert_contains(err.msg, "0 fds");
        int two[2] = {sv[0], sv[0]};
        send_fds(sv[0], two, 2);
        assert_int_equal(vs_fd_recv(sv[1], &fd, buf, sizeof(buf), NULL, &err), -EBADMSG);
        assert_contains(err.msg, "2 fds");
        assert_int_equal(vs_fd_send(sv[0], sv[0], "too long", 8, &err), 0);
        assert_int_equal(vs_fd_recv(sv[1], &fd, buf, sizeof(buf), NULL, &err), -EMSGSIZE);
        assert_int_equal(fd, -7);
        assert_int_equal(count_fds(), before);
        /* Sending no fd at all is refused before any syscall. */
        assert_int_equal(vs_fd_send(sv[0], -1, "x", 1, &err), -EBADF);
        close(sv[0]);
        close(sv[1]);
}

/* The console socket's peer: accept, receive, check the name, then a byte
 * written to the received master reaches the slave. */
static void receive_console(int listener, const char *slave)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        assert_true(conn >= 0);
        char name[VS_CONSOLE_NAME_MAX];
        size_t len = 0;
        _cleanup_close_ int master = -1;
        if (vs_fd_recv(conn, &master, name, sizeof(name), &len, &err) < 0)
                fail_msg("vs_fd_recv: %s", err.msg);
        /* runc sends the name without a NUL. */
        assert_int_equal(len, strlen(slave));
        assert_memory_equal(name, slave, len);
        _cleanup_close_ int s = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(s >= 0);
        assert_int_equal(write(master, "ping\n", 5), 5);
        char buf[16] = {0};
        assert_int_equal(read(s, buf, sizeof(buf) - 1), 5);
        assert_string_equal(buf, "ping\n");
}

static void test_console_socket_send(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/console.sock", f->tmp);
        _cleanup_close_ int listener = listen_unix(path);
        assert_int_equal(vs_console_socket_check(path, &err), 0);
        _cleanup_close_ int master = -1;
        _cleanup_free_ char *slave = NULL;
        assert_int_equal(vs_pty_open(&master, &slave, &err), 0);
        if (vs_console_socket_send(path, master, slave, &err) < 0)
                fail_msg("vs_console_socket_send: %s", err.msg);
        receive_console(listener, slave);
}

/* A path longer than sun_path still reaches its socket. */
static void test_console_socket_long_path(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s/%0100d", f->tmp, 0);
        assert_int_equal(mkdir(dir, 0700), 0);
        char path[PATH_MAX + 16];
        snprintf(path, sizeof(path), "%s/console.sock", dir);
        assert_true(strlen(path) >= sizeof(((struct sockaddr_un *) 0)->sun_path));
        /* bind() takes a relative name from inside the dir. */
        _cleanup_close_ int cwd = open(".", O_PATH | O_CLOEXEC);
        assert_int_equal(chdir(dir), 0);
        _cleanup_close_ int listener = listen_unix("console.sock");
        assert_int_equal(fchdir(cwd), 0);
        _cleanup_close_ int master = -1;
        _cleanup_free_ char *slave = NULL;
        assert_int_equal(vs_pty_open(&master, &slave, &err), 0);
        if (vs_console_socket_send(path, master, slave, &err) < 0)
                fail_msg("vs_console_socket_send: %s", err.msg);
        receive_console(listener, slave);
}

static void test_console_socket_errors(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char path[PATH_MAX], expected[PATH_MAX + 64];
        _cleanup_close_ int master = -1;
        _cleanup_free_ char *slave = NULL;
        assert_int_equal(vs_pty_open(&master, &slave, &err), 0);

        snprintf(path, sizeof(path), "%s/missing", f->tmp);
        snprintf(expected, sizeof(expected), "--console-socket %s: no such file or directory", path);
        assert_int_equal(vs_console_socket_check(path, &err), -ENOENT);
        assert_msg(&err, expected);
        assert_int_equal(vs_console_socket_send(path, master, slave, &err), -ENOENT);
        assert_msg(&err, expected);

        snprintf(path, sizeof(path), "%s/file", f->tmp);
        close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
        snprintf(expected, sizeof(expected), "--console-socket %s is not a socket", path);
        assert_int_equal(vs_console_socket_check(path, &err), -ENOTSOCK);
        assert_msg(&err, expected);
        assert_int_equal(vs_console_socket_send(path, master, slave, &err), -ENOTSOCK);
        assert_msg(&err, expected);

        /* A socket whose server is gone. */
        snprintf(path, sizeof(path), "%s/stale.sock", f->tmp);
        close(listen_unix(path));
        assert_int_equal(vs_console_socket_check(path, &err), 0);
        assert_int_equal(vs_console_socket_send(path, master, slave, &err), -ECONNREFUSED);
        snprintf(expected, sizeof(expected), "--console-socket %s: cannot connect: connection refused", path);
        assert_msg(&err, expected);
}

/* In a child: take the slave as controlling terminal on 0..2; exit codes
 * say which check failed. */
static int controlling_child(const char *slave, uid_t uid, gid_t gid)
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_pty_make_controlling(slave, uid, gid, &err) < 0) {
                fprintf(stderr, "# %s\n", err.msg);
                return 10;
        }
        for (int fd = 0; fd <= 2; fd++) {
                const char *name = ttyname(fd);
                if (!name || strcmp(name, slave) != 0)
                        return 11 + fd;
                if (is_cloexec(fd))
                        return 14;
        }
        if (tcgetsid(0) != getpid() || getsid(0) != getpid())
                return 15;
        /* /dev/tty is the controlling terminal. */
        int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
        if (tty < 0)
                return 16;
        close(tty);
        return 0;
}

static void test_make_controlling(void **state)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int master = -1;
        _cleanup_free_ char *slave = NULL;
        assert_int_equal(vs_pty_open(&master, &slave, &err), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                alarm(20);
                _exit(controlling_child(slave, (uid_t) -1, (gid_t) -1));
        }
        assert_int_equal(wait_child(pid), 0);
        struct stat st;
        assert_int_equal(stat(slave, &st), 0);
        assert_int_equal(st.st_uid, getuid());

        /* Asked to chown: the slave belongs to the process's user. */
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                alarm(20);
                _exit(controlling_child(slave, 1000, 1001));
        }
        assert_int_equal(wait_child(pid), 0);
        assert_int_equal(stat(slave, &st), 0);
        assert_int_equal(st.st_uid, 1000);
        assert_int_equal(st.st_gid, 1001);
}

static void test_make_controlling_rejects(void **state)
{
        struct fixture *f = *state;
        char file[PATH_MAX], link[PATH_MAX];
        snprintf(file, sizeof(file), "%s/file", f->tmp);
        snprintf(link, sizeof(link), "%s/link", f->tmp);
        close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
        _cleanup_close_ int master = -1;
        _cleanup_free_ char *slave = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_pty_open(&master, &slave, &err), 0);
        assert_int_equal(symlink(slave, link), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* A file planted where the slave should be, and a symlink to a real slave. */
                int a = vs_pty_make_controlling(file, (uid_t) -1, (gid_t) -1, &err);
                bool a_ok = a == -ENOTTY && strstr(err.msg, file);
                int b = vs_pty_make_controlling(link, (uid_t) -1, (gid_t) -1, &err);
                bool b_ok = b == -ELOOP && strstr(err.msg, link);
                _exit(a_ok && b_ok ? 0 : 1);
        }
        assert_int_equal(wait_child(pid), 0);
}

/* The process in the container: writes "hello" on the slave and exits,
 * before or after the proxy starts. */
static void test_proxy_hello(void **state)
{
        int out[2];
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                alarm(20);
                struct vs_error err = VS_ERROR_INIT;
                int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0)
                        _exit(20);
                close(out[0]);
                int master, s;
                char *slave;
                if (vs_pty_open(&master, &slave, &err) < 0 || (s = open(slave, O_RDWR | O_NOCTTY)) < 0)
                        _exit(21);
                pid_t writer = fork();
                if (writer == 0)
                        _exit(write(s, "hello", 5) == 5 ? 0 : 1);
                close(s);
                if (vs_pty_proxy(master, 0, 0, &err) < 0) {
                        fprintf(stderr, "# %s\n", err.msg);
                        _exit(22);
                }
                int status;
                if (waitpid(writer, &status, 0) < 0 || status != 0)
                        _exit(23);
                _exit(0);
        }
        close(out[1]);
        char buf[256];
        read_all(out[0], buf, sizeof(buf));
        close(out[0]);
        assert_int_equal(wait_child(pid), 0);
        assert_string_equal(buf, "hello");
}

/* The container's process for the tty tests: prints the terminal's size
 * after each line it reads, twice. */
static _Noreturn void size_reporter(const char *slave)
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_pty_make_controlling(slave, (uid_t) -1, (gid_t) -1, &err) < 0)
                _exit(30);
        char line[64];
        for (int i = 0; i < 2; i++) {
                if (!fgets(line, sizeof(line), stdin))
                        _exit(31);
                struct winsize ws;
                if (ioctl(0, TIOCGWINSZ, &ws) < 0)
                        _exit(32);
                printf("size %u %u\n", ws.ws_row, ws.ws_col);
                fflush(stdout);
        }
        _exit(0);
}

/* The runtime: stdin a terminal (the outer slave), stdout a pipe; SIGWINCH
 * blocked as terminal.h asks; the outer terminal's settings must come back. */
static _Noreturn void proxy_child(const char *outer_slave, int out, unsigned short rows, unsigned short cols)
{
        alarm(20);
        struct vs_error err = VS_ERROR_INIT;
        int in = open(outer_slave, O_RDWR | O_NOCTTY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0)
                _exit(40);
        sigset_t winch;
        sigemptyset(&winch);
        sigaddset(&winch, SIGWINCH);
        sigprocmask(SIG_BLOCK, &winch, NULL);
        struct termios before, after;
        if (tcgetattr(0, &before) < 0)
                _exit(41);
        int master;
        char *slave;
        if (vs_pty_open(&master, &slave, &err) < 0)
                _exit(42);
        /* Held open until the proxy runs, so it cannot see a hang-up first. */
        int hold = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
        pid_t proc = fork();
        if (proc == 0) {
                close(master);
                size_reporter(slave);
        }
        close(hold);
        if (vs_pty_proxy(master, rows, cols, &err) < 0) {
                fprintf(stderr, "# %s\n", err.msg);
                _exit(43);
        }
        int status;
        if (waitpid(proc, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                _exit(44);
        if (tcgetattr(0, &after) < 0 || before.c_lflag != after.c_lflag || before.c_iflag != after.c_iflag ||
            before.c_oflag != after.c_oflag)
                _exit(45);
        _exit(0);
}

/* Run the proxy on a terminal of 30x100; resize it to 40x120 between the
 * two lines. The first size printed is expected_first. */
static void run_tty_proxy(unsigned short rows, unsigned short cols, const char *expected_first)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int outer = -1;
        _cleanup_free_ char *outer_slave = NULL;
        assert_int_equal(vs_pty_open(&outer, &outer_slave, &err), 0);
        assert_int_equal(vs_pty_set_size(outer, 30, 100, &err), 0);
        int out[2];
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                proxy_child(outer_slave, out[1], rows, cols);
        close(out[1]);
        char buf[1024] = {0};
        size_t len = 0;
        assert_int_equal(write(outer, "a\r", 2), 2);
        read_until(out[0], buf, sizeof(buf), &len, expected_first);
        /* The caller's terminal resized: the kernel would signal its
         * foreground group; the runtime here is not in it, so signal it. */
        assert_int_equal(vs_pty_set_size(outer, 40, 120, &err), 0);
        assert_int_equal(kill(pid, SIGWINCH), 0);
        assert_int_equal(write(outer, "b\r", 2), 2);
        len += read_all(out[0], buf + len, sizeof(buf) - len);
        close(out[0]);
        assert_int_equal(wait_child(pid), 0);
        assert_contains(buf, expected_first);
        assert_contains(buf, "size 40 120");
}

static void test_proxy_tty_follows_size(void **state)
{
        run_tty_proxy(0, 0, "size 30 100");
}

static void test_proxy_tty_console_size(void **state)
{
        run_tty_proxy(25, 90, "size 25 90");
}

/* A child that writes more than the buffers hold, while stdin is a file:
 * everything arrives, in order. */
static void test_proxy_large_output(void **state)
{
        struct fixture *f = *state;
        char input[PATH_MAX];
        snprintf(input, sizeof(input), "%s/input", f->tmp);
        int fd = open(input, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "line\n", 5), 5);
        close(fd);
        int out[2];
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                alarm(20);
                struct vs_error err = VS_ERROR_INIT;
                int in = open(input, O_RDONLY);
                if (in < 0 || dup2(in, 0) < 0 || dup2(out[1], 1) < 0)
                        _exit(50);
                int master;
                char *slave;
                if (vs_pty_open(&master, &slave, &err) < 0)
                        _exit(51);
                /* No echo of the input, no \r added: the output is exactly what was printed. */
                int hold = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
                struct termios t;
                if (hold < 0 || tcgetattr(hold, &t) < 0)
                        _exit(56);
                t.c_lflag &= ~(tcflag_t) ECHO;
                t.c_oflag &= ~(tcflag_t) OPOST;
                if (tcsetattr(hold, TCSANOW, &t) < 0)
                        _exit(57);
                pid_t proc = fork();
                if (proc == 0) {
                        close(master);
                        if (vs_pty_make_controlling(slave, (uid_t) -1, (gid_t) -1, &err) < 0)
                                _exit(52);
                        char line[16];
                        if (!fgets(line, sizeof(line), stdin) || strcmp(line, "line\n") != 0)
                                _exit(53);
                        for (int i = 0; i < 20000; i++)
                                printf("%08d\n", i);
                        _exit(fflush(stdout) == 0 ? 0 : 54);
                }
                close(hold);
                _exit(vs_pty_proxy(master, 0, 0, &err) < 0 ? 55 : 0);
        }
        close(out[1]);
        size_t size = 20000 * 9 + 64;
        _cleanup_free_ char *buf = malloc(size);
        assert_non_null(buf);
        size_t len = read_all(out[0], buf, size);
        close(out[0]);
        assert_int_equal(wait_child(pid), 0);
        assert_int_equal(len, 20000 * 9);
        char expected[16];
        for (int i = 0; i < 20000; i += 997) {
                snprintf(expected, sizeof(expected), "%08d\n", i);
                assert_memory_equal(buf + i * 9, expected, 9);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pty_open),
                cmocka_unit_test(test_pty_set_size),
                cmocka_unit_test(test_fd_pass_seqpacket),
                cmocka_unit_test(test_fd_pass_stream),
                cmocka_unit_test(test_fd_recv_rejects),
                cmocka_unit_test_setup_teardown(test_console_socket_send, setup, teardown),
                cmocka_unit_test_setup_teardown(test_console_socket_long_path, setup, teardown),
                cmocka_unit_test_setup_teardown(test_console_socket_errors, setup, teardown),
                cmocka_unit_test(test_make_controlling),
                cmocka_unit_test_setup_teardown(test_make_controlling_rejects, setup, teardown),
                cmocka_unit_test(test_proxy_hello),
                cmocka_unit_test(test_proxy_tty_follows_size),
                cmocka_unit_test(test_proxy_tty_console_size),
                cmocka_unit_test_setup_teardown(test_proxy_large_output, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
