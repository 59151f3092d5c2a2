/* vessel: the foreground terminal of `run` / `exec -t` without a console
 * socket: the caller's terminal in raw mode, copied to and from the pty
 * master until the container's process is gone (see terminal.h).
 *
 * One epoll loop over the master, stdin and a signalfd for SIGWINCH, with a
 * fixed buffer each way. Only the master is non-blocking: stdin is read
 * when epoll says it is ready, stdout written with blocking writes (a slow
 * terminal slows the container's output, as it would without a runtime). */
#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"

#define PROXY_BUF_SIZE 8192
/* Reads of the master per wake-up, so a chatty process cannot starve stdin. */
#define PROXY_READS_PER_WAKE 16

struct proxy {
        int master;
        int epfd;
        int sigfd;
        int size_fd;      /* the terminal whose size the master follows, -1 for none */
        bool in_pollable; /* stdin can be watched by epoll (not a file or /dev/null) */
        bool in_open;     /* stdin has not reached EOF */
        bool in_watched;  /* stdin is in the epoll set now */
        bool out_open;    /* stdout still takes output */
        uint32_t master_events;
        bool done; /* the master hung up: every slave holder is gone */
        size_t in_len, in_off;
        char in_buf[PROXY_BUF_SIZE];
        char out_buf[PROXY_BUF_SIZE];
};

/* The caller's terminal settings, restored however the proxy returns. */
struct saved_tty {
        bool raw;
        struct termios termios;
};

static void restore_tty(struct saved_tty *t)
{
        if (t->raw)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &t->termios);
}

struct saved_sigmask {
        bool saved;
        sigset_t mask;
};

static void restore_sigmask(struct saved_sigmask *s)
{
        if (s->saved)
                (void) sigprocmask(SIG_SETMASK, &s->mask, NULL);
}

static int make_raw(struct saved_tty *t, struct vs_error *err)
{
        if (!isatty(STDIN_FILENO))
                return 0;
        if (tcgetattr(STDIN_FILENO, &t->termios) < 0)
                return vs_error_syscall(err, "cannot read the settings of the terminal on stdin");
        struct termios raw = t->termios;
        cfmakeraw(&raw);
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
                return vs_error_syscall(err, "cannot put the terminal on stdin in raw mode");
        t->raw = true;
        return 0;
}

/* A signalfd for SIGWINCH, which is blocked for the call if the caller did
 * not (an ignored signal is dropped on generation and never queued). */
static int open_sigwinch_fd(struct saved_sigmask *saved, int *ret_fd, struct vs_error *err)
{
        sigset_t winch;
        sigemptyset(&winch);
        sigaddset(&winch, SIGWINCH);
        if (sigprocmask(SIG_BLOCK, &winch, &saved->mask) < 0)
                return vs_error_syscall(err, "cannot block SIGWINCH");
        saved->saved = true;
        int fd = signalfd(-1, &winch, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot create a signalfd for SIGWINCH");
        *ret_fd = fd;
        return 0;
}

/* Give the master the size of the caller's terminal. */
static int follow_size(const struct proxy *p, struct vs_error *err)
{
        struct winsize ws;
        if (p->size_fd < 0 || ioctl(p->size_fd, TIOCGWINSZ, &ws) < 0)
                return 0;
        return vs_pty_set_size(p->master, ws.ws_row, ws.ws_col, err);
}

static int on_sigwinch(struct proxy *p, struct vs_error *err)
{
        struct signalfd_siginfo si;
        while (read(p->sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si))
                ;
        return follow_size(p, err);
}

/* Write all of buf to stdout; on an error stdout is given up and the rest
 * dropped, so the container's process never blocks on output nobody takes. */
static void write_stdout(struct proxy *p, const char *buf, size_t len)
{
        while (p->out_open && len > 0) {
                ssize_t n = write(STDOUT_FILENO, buf, len);
                if (n > 0) {
                        buf += n;
                        len -= (size_t) n;
                } else if (n < 0 && errno == EAGAIN) {
                        /* stdout's description was left non-blocking by someone else. */
                        struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};
                        (void) poll(&pfd, 1, -1);
                } else if (!(n < 0 && errno == EINTR)) {
                        p->out_open = false;
                }
        }
}

/* Copy what the master has to stdout; its EOF or EIO ends the proxy. */
static void drain_master(struct proxy *p, uint32_t events)
{
        for (int i = 0; i < PROXY_READS_PER_WAKE; i++) {
                ssize_t n = read(p->master, p->out_buf, sizeof(p->out_buf));
                if (n > 0) {
                        write_stdout(p, p->out_buf, (size_t) n);
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                /* EAGAIN: all read. With a hang-up reported the kernel has
                 * already flushed what the slave wrote, so it is the end. */
                if (n < 0 && errno == EAGAIN && !(events & (EPOLLHUP | EPOLLERR)))
                        return;
                p->done = true;
                return;
        }
}

static void read_stdin(struct proxy *p)
{
        ssize_t n = read(STDIN_FILENO, p->in_buf, sizeof(p->in_buf));
        if (n > 0) {
                p->in_len = (size_t) n;
                p->in_off = 0;
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                /* EOF (or a hung-up terminal) ends the input, not the proxy:
                 * the process runs on and its output is still copied. */
                p->in_open = false;
        }
}

static void write_master(struct proxy *p)
{
        while (p->in_len > 0) {
                ssize_t n = write(p->master, p->in_buf + p->in_off, p->in_len);
                if (n > 0) {
                        p->in_off += (size_t) n;
                        p->in_len -= (size_t) n;
                } else if (n < 0 && errno == EAGAIN) {
                        return; /* the pty's input queue is full: wait for EPOLLOUT */
                } else if (!(n < 0 && errno == EINTR)) {
                        p->in_len = 0; /* EIO: the slave is gone, the read side ends it */
                }
        }
}

/* Watch stdin only when its buffer is free (a hung-up stdin reports
 * EPOLLHUP whatever the mask, so it is removed, not masked), and the
 * master for EPOLLOUT only while input waits for room. */
static int update_interest(struct proxy *p, struct vs_error *err)
{
        bool want_in = p->in_pollable && p->in_open && p->in_len == 0;
        if (want_in != p->in_watched) {
                struct epoll_event ev = {.events = EPOLLIN, .data.fd = STDIN_FILENO};
                if (epoll_ctl(p->epfd, want_in ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, STDIN_FILENO, &ev) < 0)
                        return vs_error_syscall(err, "cannot watch stdin with epoll");
                p->in_watched = want_in;
        }
        uint32_t want_master = EPOLLIN | (p->in_len ? EPOLLOUT : 0);
        if (want_master != p->master_events) {
                struct epoll_event ev = {.events = want_master, .data.fd = p->master};
                if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, p->master, &ev) < 0)
                        return vs_error_syscall(err, "cannot watch the pty master with epoll");
                p->master_events = want_master;
        }
        return 0;
}

static int add_watch(int epfd, int fd, const char *what, struct vs_error *err)
{
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
                return vs_error_syscall(err, "cannot watch %s with epoll", what);
        return 0;
}

/* stdin goes in the epoll set if epoll can watch it. A regular file or
 * /dev/null (EPERM) is always readable: it is read without waiting. A
 * closed stdin (EBADF) is no input at all. */
static int setup_stdin(struct proxy *p, struct vs_error *err)
{
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = STDIN_FILENO};
        if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev) == 0) {
                p->in_pollable = p->in_watched = p->in_open = true;
                return 0;
        }
        if (errno == EPERM) {
                p->in_open = true;
                return 0;
        }
        if (errno == EBADF)
                return 0;
        return vs_error_syscall(err, "cannot watch stdin with epoll");
}

static int proxy_loop(struct proxy *p, struct vs_error *err)
{
        while (!p->done) {
                if (p->in_open && !p->in_pollable && p->in_len == 0)
                        read_stdin(p);
                write_master(p);
                int r = update_interest(p, err);
                if (r < 0)
                        return r;
                bool more_file_input = p->in_open && !p->in_pollable && p->in_len == 0;
                struct epoll_event evs[4];
                int n = epoll_wait(p->epfd, evs, VS_ARRAY_SIZE(evs), more_file_input ? 0 : -1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return vs_error_syscall(err, "cannot wait for the terminal with epoll");
                /* The resize first: input typed after it must see the new size. */
                for (int i = 0; i < n; i++)
                        if (evs[i].data.fd == p->sigfd && (r = on_sigwinch(p, err)) < 0)
                                return r;
                for (int i = 0; i < n; i++) {
                        if (evs[i].data.fd == p->master && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                                drain_master(p, evs[i].events);
                        else if (evs[i].data.fd == STDIN_FILENO && p->in_len == 0)
                                read_stdin(p);
                }
        }
        return 0;
}

int vs_pty_proxy(int master, unsigned short initial_rows, unsigned short initial_cols, struct vs_error *err)
{
        _cleanup_(restore_sigmask) struct saved_sigmask sigmask = {0};
        _cleanup_close_ int sigfd = -1;
        int r = open_sigwinch_fd(&sigmask, &sigfd, err);
        if (r < 0)
                return r;
        _cleanup_close_ int epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0)
                return vs_error_syscall(err, "cannot create an epoll instance for the terminal");
        _cleanup_free_ struct proxy *p = calloc(1, sizeof(*p));
        if (!p)
                return vs_error_errno(err, ENOMEM, "cannot allocate the terminal buffers");
        p->master = master;
        p->epfd = epfd;
        p->sigfd = sigfd;
        p->size_fd = -1;
        p->out_open = true;
        p->master_events = EPOLLIN;
        if (isatty(STDIN_FILENO))
                p->size_fd = STDIN_FILENO;
        else if (isatty(STDOUT_FILENO))
                p->size_fd = STDOUT_FILENO;
        /* consoleSize wins at start; the caller's resizes win afterwards. */
        if (initial_rows || initial_cols)
                r = vs_pty_set_size(master, initial_rows, initial_cols, err);
        else
                r = follow_size(p, err);
        if (r < 0)
                return r;
        int flags = fcntl(master, F_GETFL);
        if (flags < 0 || fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0)
                return vs_error_syscall(err, "cannot make the pty master non-blocking");
        if ((r = add_watch(epfd, master, "the pty master", err)) < 0 ||
            (r = add_watch(epfd, sigfd, "the SIGWINCH signalfd", err)) < 0 || (r = setup_stdin(p, err)) < 0)
                return r;
        _cleanup_(restore_tty) struct saved_tty tty = {0};
        r = make_raw(&tty, err);
        if (r < 0)
                return r;
        return proxy_loop(p, err);
}
