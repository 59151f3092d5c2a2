/* recvtty: a console socket server for tests, like runc's contrib/cmd/recvtty.
 *
 *   recvtty [--once] [--mode single|null] [--no-stdin] [--pid-file FILE] SOCKET_PATH
 *
 * Listens on a unix stream socket at SOCKET_PATH (which appears only once it
 * listens, so `[ -S SOCKET_PATH ]` means a connect will be accepted), accepts
 * a connection, receives the pty name and master (runc's --console-socket
 * protocol, through vs_fd_recv) and prints the name on stdout, one line.
 * Then, mode single: copies the master to stdout and stdin to the master
 * until the master reports EOF/EIO (every slave holder gone); mode null:
 * drains the master until then. With --once it exits after that connection
 * (0, or 1 on an error); without it each connection is served by a child
 * and recvtty runs until killed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "util/cleanup.h"

struct options {
        bool once;
        bool single; /* else null */
        bool use_stdin;
        const char *pid_file;
        const char *path;
};

static int usage(void)
{
        fprintf(stderr, "usage: recvtty [--once] [--mode single|null] [--no-stdin] [--pid-file FILE] SOCKET_PATH\n");
        return 2;
}

static int parse_args(int argc, char **argv, struct options *o)
{
        static const struct option longopts[] = {
                {"once", no_argument, NULL, 'o'},
                {"mode", required_argument, NULL, 'm'},
                {"no-stdin", no_argument, NULL, 'n'},
                {"pid-file", required_argument, NULL, 'p'},
                {NULL, 0, NULL, 0},
        };
        *o = (struct options){.single = true, .use_stdin = true};
        int c;
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                if (c == 'o')
                        o->once = true;
                else if (c == 'n')
                        o->use_stdin = false;
                else if (c == 'p')
                        o->pid_file = optarg;
                else if (c == 'm' && (!strcmp(optarg, "single") || !strcmp(optarg, "null")))
                        o->single = !strcmp(optarg, "single");
                else
                        return -1;
        }
        if (optind + 1 != argc)
                return -1;
        o->path = argv[optind];
        return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                buf += n;
                len -= (size_t) n;
        }
        return 0;
}

/* Bind to a temporary name, listen, then rename into place: the path
 * exists only once a connect to it succeeds. */
static int listen_on(const char *path)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.%d", path, (int) getpid());
        if (n < 0 || (size_t) n >= sizeof(addr.sun_path)) {
                fprintf(stderr, "recvtty: socket path too long: %s\n", path);
                return -1;
        }
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        (void) unlink(addr.sun_path);
        if (sock < 0 || bind(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(sock, 16) < 0 ||
            rename(addr.sun_path, path) < 0) {
                fprintf(stderr, "recvtty: cannot listen on %s: %s\n", path, strerror(errno));
                (void) unlink(addr.sun_path);
                return -1;
        }
        return TAKE_FD(sock);
}

/* Copy the master to stdout (or drop it) and stdin to the master, until the
 * master ends: EOF or EIO once every slave holder closed it. */
static int copy_until_hangup(int master, const struct options *o)
{
        bool in_open = o->single && o->use_stdin;
        char buf[8192];
        for (;;) {
                struct pollfd pfds[2] = {{.fd = master, .events = POLLIN}, {.fd = in_open ? 0 : -1, .events = POLLIN}};
                if (poll(pfds, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (pfds[0].revents) {
                        ssize_t n = read(master, buf, sizeof(buf));
                        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (n <= 0)
                                return 0;
                        if (o->single && write_all(STDOUT_FILENO, buf, (size_t) n) < 0)
                                return -errno;
                }
                if (pfds[1].revents) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n <= 0)
                                in_open = false; /* stdin's end is not the terminal's */
                        else if (write_all(master, buf, (size_t) n) < 0)
                                in_open = false;
                }
        }
}

static int serve(int conn, const struct options *o)
{
        struct vs_error err = VS_ERROR_INIT;
        char name[VS_CONSOLE_NAME_MAX];
        size_t len = 0;
        _cleanup_close_ int master = -1;
        if (vs_fd_recv(conn, &master, name, sizeof(name) - 1, &len, &err) < 0) {
                fprintf(stderr, "recvtty: %s\n", err.msg);
                return 1;
        }
        name[len] = '\0';
        printf("%s\n", name);
        fflush(stdout);
        int r = copy_until_hangup(master, o);
        if (r < 0) {
                fprintf(stderr, "recvtty: copying the terminal: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}

static int write_pid_file(const char *file)
{
        FILE *f = fopen(file, "we");
        if (!f || fprintf(f, "%d", (int) getpid()) < 0 || fclose(f) != 0) {
                fprintf(stderr, "recvtty: cannot write %s: %s\n", file, strerror(errno));
                return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct options o;
        if (parse_args(argc, argv, &o) < 0)
                return usage();
        (void) signal(SIGPIPE, SIG_IGN);
        _cleanup_close_ int sock = listen_on(o.path);
        if (sock < 0)
                return 1;
        if (o.pid_file && write_pid_file(o.pid_file) < 0)
                return 1;
        if (!o.once)
                (void) signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
        for (;;) {
                int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
                if (conn < 0 && errno == EINTR)
                        continue;
                if (conn < 0) {
                        fprintf(stderr, "recvtty: accept on %s: %s\n", o.path, strerror(errno));
                        return 1;
                }
                if (o.once) {
                        int rc = serve(conn, &o);
                        close(conn);
                        return rc;
                }
                pid_t pid = fork();
                if (pid == 0) {
                        close(sock);
                        _exit(serve(conn, &o));
                }
                close(conn);
        }
}
