/* seccomp-agent: a seccomp notify agent for the tests of SCMP_ACT_NOTIFY.
 *
 *   seccomp-agent --log FILE [--mkdir-errno N] [--pid-file FILE] SOCKET_PATH
 *
 * Listens on a unix stream socket at SOCKET_PATH (which appears only once
 * it listens) and serves every connection: a runtime sends the container
 * process state (JSON) with a seccomp listener attached (SCM_RIGHTS). Each
 * state is appended to FILE as one line "state JSON". Then it answers the
 * notifications of every listener it holds, each logged as a line
 * "notify PID SYSCALL [PATH]" (PATH for mkdir and mkdirat, read from the
 * process's memory): mkdir and mkdirat fail with errno N when --mkdir-errno
 * is given, every other syscall (and mkdir without it) goes on as if no
 * filter were there (SECCOMP_USER_NOTIF_FLAG_CONTINUE). A line "gone" is
 * logged when every process of a listener is gone. Runs until killed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "util/cleanup.h"

#define MAX_LISTENERS 32
#define STATE_MAX (256 * 1024)

struct options {
        const char *log;
        const char *pid_file;
        const char *path;
        int mkdir_errno; /* 0: let mkdir go on */
};

static int parse_args(int argc, char **argv, struct options *o)
{
        static const struct option longopts[] = {
                {"log", required_argument, NULL, 'l'},
                {"mkdir-errno", required_argument, NULL, 'e'},
                {"pid-file", required_argument, NULL, 'p'},
                {NULL, 0, NULL, 0},
        };
        *o = (struct options){0};
        int c;
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                if (c == 'l')
                        o->log = optarg;
                else if (c == 'p')
                        o->pid_file = optarg;
                else if (c == 'e' && atoi(optarg) > 0)
                        o->mkdir_errno = atoi(optarg);
                else
                        return -1;
        }
        if (optind + 1 != argc || !o->log)
                return -1;
        o->path = argv[optind];
        return 0;
}

/* Bind to a temporary name, listen, then rename into place. */
static int listen_on(const char *path)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.%d", path, (int) getpid());
        if (n < 0 || (size_t) n >= sizeof(addr.sun_path)) {
                fprintf(stderr, "seccomp-agent: socket path too long: %s\n", path);
                return -1;
        }
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        (void) unlink(addr.sun_path);
        if (sock < 0 || bind(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(sock, 16) < 0 ||
            rename(addr.sun_path, path) < 0) {
                fprintf(stderr, "seccomp-agent: cannot listen on %s: %s\n", path, strerror(errno));
                (void) unlink(addr.sun_path);
                return -1;
        }
        return TAKE_FD(sock);
}

/* One connection: the state (until the runtime closes) and the listener. */
static int receive_state(int conn, int log_fd)
{
        _cleanup_free_ char *buf = malloc(STATE_MAX);
        struct vs_error err = VS_ERROR_INIT;
        int listener = -1;
        size_t len = 0;
        if (!buf || vs_fd_recv(conn, &listener, buf, STATE_MAX - 1, &len, &err) < 0) {
                fprintf(stderr, "seccomp-agent: %s\n", buf ? err.msg : "out of memory");
                return -1;
        }
        for (;;) {
                ssize_t n = read(conn, buf + len, STATE_MAX - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = '\0';
        dprintf(log_fd, "state %s\n", buf);
        return listener;
}

/* The path a mkdir or mkdirat names, read from the process's memory. */
static void read_path(const struct seccomp_notif *req, char *out, size_t sz)
{
        out[0] = '\0';
        char mem[64];
        snprintf(mem, sizeof(mem), "/proc/%u/mem", req->pid);
        _cleanup_close_ int fd = open(mem, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        const char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
        uint64_t addr = req->data.args[name && strcmp(name, "mkdirat") == 0 ? 1 : 0];
        ssize_t n = pread(fd, out, sz - 1, (off_t) addr);
        out[n > 0 ? n : 0] = '\0';
        out[strnlen(out, sz - 1)] = '\0';
}

static void answer(int listener, int log_fd, const struct options *o)
{
        struct seccomp_notif *req = NULL;
        struct seccomp_notif_resp *resp = NULL;
        if (seccomp_notify_alloc(&req, &resp) < 0)
                return;
        if (seccomp_notify_receive(listener, req) < 0) /* the process died meanwhile */
                goto out;
        char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
        bool is_mkdir = name && (strcmp(name, "mkdir") == 0 || strcmp(name, "mkdirat") == 0);
        char path[4096] = "";
        if (is_mkdir)
                read_path(req, path, sizeof(path));
        /* The memory read is only trusted while the notification is live. */
        if (seccomp_notify_id_valid(listener, req->id) < 0)
                goto out_name;
        dprintf(log_fd, "notify %u %s%s%s\n", req->pid, name ? name : "?", path[0] ? " " : "", path);
        resp->id = req->id;
        if (is_mkdir && o->mkdir_errno) {
                resp->error = -o->mkdir_errno;
        } else {
                resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        }
        (void) seccomp_notify_respond(listener, resp);
out_name:
        free(name);
out:
        seccomp_notify_free(req, resp);
}

static int serve(int sock, int log_fd, const struct options *o)
{
        struct pollfd pfds[MAX_LISTENERS + 1] = {{.fd = sock, .events = POLLIN}};
        size_t n = 1;
        for (;;) {
                if (poll(pfds, n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return 1;
                }
                for (size_t i = 1; i < n; i++) {
                        if (pfds[i].revents & POLLIN)
                                answer(pfds[i].fd, log_fd, o);
                        else if (pfds[i].revents & (POLLHUP | POLLERR)) {
                                dprintf(log_fd, "gone\n");
                                vs_safe_close(pfds[i].fd);
                                pfds[i--] = pfds[--n];
                        }
                }
                if (!(pfds[0].revents & POLLIN))
                        continue;
                _cleanup_close_ int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
                int listener = conn >= 0 ? receive_state(conn, log_fd) : -1;
                if (listener >= 0 && n < MAX_LISTENERS + 1)
                        pfds[n++] = (struct pollfd){.fd = listener, .events = POLLIN};
                else
                        vs_safe_close(listener);
        }
}

int main(int argc, char **argv)
{
        struct options o;
        if (parse_args(argc, argv, &o) < 0) {
                fprintf(stderr, "usage: seccomp-agent --log FILE [--mkdir-errno N] [--pid-file FILE] SOCKET_PATH\n");
                return 2;
        }
        _cleanup_close_ int log_fd = open(o.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0) {
                fprintf(stderr, "seccomp-agent: %s: %s\n", o.log, strerror(errno));
                return 1;
        }
        if (o.pid_file) {
                FILE *f = fopen(o.pid_file, "we");
                if (!f || fprintf(f, "%d", (int) getpid()) < 0 || fclose(f) != 0) {
                        fprintf(stderr, "seccomp-agent: %s: %s\n", o.pid_file, strerror(errno));
                        return 1;
                }
        }
        _cleanup_close_ int sock = listen_on(o.path);
        if (sock < 0)
                return 1;
        return serve(sock, log_fd, &o);
}
