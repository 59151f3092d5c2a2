/* vessel attach: the terminal to a running container's monitor, over its
 * attach socket (docker's stream frames, see vessel-monitor(8)); the detach
 * keys leave the container running, signals are proxied to it. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "container_admin.h"
#include "attach_session.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/files.h"

#define ATTACH_USAGE "attach [OPTIONS] CONTAINER"

static void send_frame(int sock, unsigned char type, const void *data, size_t len)
{
        unsigned char h[8] = {type,
                              0,
                              0,
                              0,
                              (unsigned char) (len >> 24),
                              (unsigned char) (len >> 16),
                              (unsigned char) (len >> 8),
                              (unsigned char) len};
        if (vs_write_all(sock, h, sizeof(h)) && len)
                vs_write_all(sock, data, len);
}

static void send_resize(const struct attach_session *a)
{
        struct winsize ws;
        if (!a->tty || ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0)
                return;
        unsigned char p[4] = {(unsigned char) (ws.ws_row >> 8), (unsigned char) ws.ws_row,
                              (unsigned char) (ws.ws_col >> 8), (unsigned char) ws.ws_col};
        send_frame(a->sock, 3, p, sizeof(p));
}

/* Input to the container, but the detach sequence (detach_keys.h).
 * Returns true once the whole sequence was typed. */
static bool forward_input(struct attach_session *a, const unsigned char *in, size_t n)
{
        unsigned char out[8192 + DETACH_KEYS_MAX];
        size_t len = 0;
        bool detached = detach_keys_filter(&a->keys, in, n, out, &len);
        if (len)
                send_frame(a->sock, 0, out, len);
        return detached;
}

/* Output frames (raw bytes with a terminal) to stdout and stderr. False at the end of the stream. */
static bool forward_output(struct attach_session *a, char *buf, size_t size, size_t *have)
{
        ssize_t n = read(a->sock, buf + *have, size - *have);
        if (n <= 0)
                return false;
        if (a->tty)
                return vs_write_all(STDOUT_FILENO, buf, (size_t) n) || true;
        *have += (size_t) n;
        while (*have >= 8) {
                unsigned char *h = (unsigned char *) buf;
                size_t len = ((size_t) h[4] << 24) | ((size_t) h[5] << 16) | ((size_t) h[6] << 8) | h[7];
                if (len > size - 8)
                        return false; /* not the protocol */
                if (*have < 8 + len)
                        break;
                vs_write_all(h[0] == 2 ? STDERR_FILENO : STDOUT_FILENO, buf + 8, len);
                memmove(buf, buf + 8 + len, *have - 8 - len);
                *have -= 8 + len;
        }
        return true;
}

static void on_signal(struct attach_session *a, int sfd)
{
        struct signalfd_siginfo si;
        if (read(sfd, &si, sizeof(si)) != (ssize_t) sizeof(si))
                return;
        if (si.ssi_signo == SIGWINCH) {
                send_resize(a);
                return;
        }
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_container_kill(a->runtime_root, a->id, (int) si.ssi_signo, false, &ignored) < 0)
                vs_error_ignore(&ignored);
}

/* Until the container's output ends (false) or the detach keys are typed (true). */
static bool attach_loop(struct attach_session *a, int sfd)
{
        static char buf[65536];
        size_t have = 0;
        bool stdin_open = a->with_stdin;
        for (;;) {
                struct pollfd pf[3] = {{.fd = a->sock, .events = POLLIN},
                                       {.fd = sfd, .events = POLLIN},
                                       {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN}};
                if (poll(pf, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                if (pf[1].revents & POLLIN)
                        on_signal(a, sfd);
                if (pf[2].revents & (POLLIN | POLLHUP)) {
                        unsigned char in[8192];
                        ssize_t n = read(STDIN_FILENO, in, sizeof(in));
                        if (n <= 0) {
                                send_frame(a->sock, 4, NULL, 0);
                                stdin_open = false;
                        } else if (forward_input(a, in, (size_t) n)) {
                                return true;
                        }
                }
                if ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) && !forward_output(a, buf, sizeof(buf), &have))
                        return false;
        }
}

/* The session with the terminal raw (a tty container, stdin a terminal)
 * and the proxied signals read from a signalfd. */
bool attach_session_run(struct attach_session *a)
{
        sigset_t set, old;
        sigemptyset(&set);
        sigaddset(&set, SIGWINCH);
        if (a->sig_proxy && !a->tty) {
                static const int proxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
                for (size_t i = 0; i < VS_ARRAY_SIZE(proxied); i++)
                        sigaddset(&set, proxied[i]);
        }
        sigprocmask(SIG_BLOCK, &set, &old);
        _cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC);
        struct termios saved;
        bool raw = a->tty && a->with_stdin && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
        if (raw) {
                struct termios t = saved;
                cfmakeraw(&t);
                tcsetattr(STDIN_FILENO, TCSANOW, &t);
        }
        send_resize(a);
        bool detached = attach_loop(a, sfd);
        if (raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return detached;
}

int attach_remove_after(const struct globals *g, struct vs_store *s, struct vs_container *c, struct vs_error *err)
{
        container_refresh(g, s, c);
        if (strcmp(c->state, "running") == 0) {
                int r = vs_container_set_auto_remove(s->db, c->id, err);
                if (r < 0)
                        return r;
                container_refresh(g, s, c); /* its exit may have been recorded before the flag was set */
                if (strcmp(c->state, "running") == 0)
                        return 0;
        }
        return container_remove_volumes(g, s, c, err);
}

struct attach_flags {
        const char *detach_keys;
        bool no_stdin, sig_proxy;
};

static int parse_attach(int argc, char **argv, struct attach_flags *f)
{
        enum {
                OPT_DETACH_KEYS = 1000,
                OPT_NO_STDIN,
                OPT_SIG_PROXY
        };
        static const struct option longopts[] = {
                {"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
                {"no-stdin", no_argument, NULL, OPT_NO_STDIN},
                {"sig-proxy", optional_argument, NULL, OPT_SIG_PROXY},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                switch (c) {
                case OPT_DETACH_KEYS:
                        f->detach_keys = optarg;
                        break;
                case OPT_NO_STDIN:
                        f->no_stdin = true;
                        break;
                case OPT_SIG_PROXY:
                        if (optarg && strcmp(optarg, "true") != 0 && strcmp(optarg, "false") != 0)
                                return fail_usage(
                                        "invalid argument \"%s\" for \"--sig-proxy\" flag: strconv.ParseBool: "
                                        "parsing \"%s\": invalid syntax",
                                        optarg, optarg);
                        f->sig_proxy = !optarg || strcmp(optarg, "true") == 0;
                        break;
                case 'h':
                        print_help(ATTACH_USAGE,
                                   "Attach local standard input, output, and error streams to a running "
                                   "container",
                                   "      --detach-keys string   Override the key sequence for detaching a container\n"
                                   "      --no-stdin             Do not attach STDIN\n"
                                   "      --sig-proxy            Proxy all received signals to the process (default "
                                   "true)\n");
                        return 1;
                default:
                        return 125;
                }
        }
        return want_args(argc, argv, 1, 1, ATTACH_USAGE) ? 0 : 125;
}

/* A shared hold of the container's exit lock (see vessel-monitor(8)): its
 * monitor runs the exit command, which removes a --rm container and its
 * exit file, only once this command has read the exit status. Not taken
 * (-1) when a foreground run holds the lock: that run removes the container
 * only after its own exit, and attach reads the status before. */
static int hold_exit_status(const struct ctr_paths *p)
{
        int fd = open(p->exit_lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0)
                fd = vs_safe_close(fd);
        return fd;
}

int cmd_attach(const struct globals *g, int argc, char **argv)
{
        struct attach_flags f = {.detach_keys = DETACH_KEYS_DEFAULT, .sig_proxy = true};
        int r = parse_attach(argc, argv, &f);
        if (r != 0)
                return r == 1 ? 0 : r;
        struct attach_session a = {.sig_proxy = f.sig_proxy};
        struct vs_error err = VS_ERROR_INIT;
        if (detach_keys_parse(f.detach_keys, &a.keys, &err) < 0)
                return fail_usage("%s", err.msg);
        struct vs_store *s = NULL;
        struct vs_container c = {0};
        r = engine_open(g, &s, &err);
        if (r == 0)
                r = container_find_running(g, s, argv[optind], &c, &err);
        if (r == 0 && container_paused(g, &c))
                r = vs_error_set(&err, EBUSY, "You cannot attach to a paused container, unpause it first");
        struct ctr_paths p;
        _cleanup_close_ int exit_lock = -1;
        if (r == 0) {
                ctr_paths(g, c.id, &p);
                exit_lock = hold_exit_status(&p);
                a.sock = attach_connect(p.attach, &err);
                r = a.sock < 0 ? a.sock : 0;
        }
        int status = 0;
        if (r == 0) {
                a.tty = c.tty;
                a.with_stdin = c.interactive && !f.no_stdin;
                a.runtime_root = p.runtime_root;
                a.id = c.id;
                bool detached = attach_session_run(&a);
                close(a.sock);
                if (detached)
                        fprintf(stderr, "read escape sequence\n");
                else if ((r = container_wait_attached(g, s, &c, &status, &err)) == -ENOENT) {
                        vs_error_ignore(&err); /* a --rm container, gone; status is its exit file's */
                        r = 0;
                }
        }
        vs_container_free(&c);
        if (s)
                vs_store_close(s);
        if (r < 0)
                return fail(&err);
        return status < 0 ? 255 : status;
}
