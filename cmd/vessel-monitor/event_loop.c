/* vessel-monitor: the event loop. One epoll: the signalfd (SIGCHLD to reap,
 * everything else swallowed), the container's output, the attach socket,
 * its clients, the container's stdin and the embedded DNS server's
 * sockets. No threads; no timers but the DNS deadlines, as epoll timeouts. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"
#include "util/cleanup.h"

/* After the init exits, output is read until EOF or this long: a process
 * outside the container's pid namespace may hold the pipes forever. */
#define DRAIN_MS 2000
/* Reads of one stream per wake-up, so a chatty stream cannot starve the rest. */
#define READS_PER_EVENT 8

int monitor_loop_init(struct monitor_loop *l, const struct monitor_options *o, struct vs_error *err)
{
        l->epfd = l->sigfd = l->out_fd = l->err_fd = -1;
        l->sig_src.kind = VS_EV_SIGNAL;
        l->out_src.kind = VS_EV_STDOUT;
        l->err_src.kind = VS_EV_STDERR;
        l->tty = o->terminal;
        l->exited = false;
        l->log.fd = -1;
        l->attach.listen_fd = l->attach.stdin_fd = -1;
        l->attach.clients = l->attach.dead = NULL;
        l->attach.stdin_watched = false;
        monitor_dns_init(&l->dns);
        l->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epfd < 0)
                return vs_error_syscall(err, "cannot make an epoll instance");
        sigset_t blocked;
        sigprocmask(SIG_BLOCK, NULL, &blocked); /* main() blocked every catchable signal */
        l->sigfd = signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &l->sig_src};
        if (l->sigfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) < 0)
                return vs_error_syscall(err, "cannot make a signalfd");
        if (vs_log_open(&l->log, o->log_path, o->log_max_size, o->log_max_files, err) < 0)
                return -err->code;
        return vs_attach_listen(&l->attach, l->epfd, o->attach_socket, o->terminal, err);
}

void monitor_loop_close(struct monitor_loop *l)
{
        vs_attach_close(&l->attach);
        monitor_dns_close(&l->dns);
        vs_log_close(&l->log);
        l->out_fd = vs_safe_close(l->out_fd);
        l->err_fd = vs_safe_close(l->err_fd);
        l->sigfd = vs_safe_close(l->sigfd);
        l->epfd = vs_safe_close(l->epfd);
}

/* Reap every child that ended: the init, and orphans we adopted as subreaper. */
static void reap(struct monitor_loop *l)
{
        for (;;) {
                int status;
                pid_t p = waitpid(-1, &status, WNOHANG);
                if (p < 0 && errno == EINTR)
                        continue;
                if (p <= 0)
                        return;
                if (p == l->pid) {
                        l->exited = true;
                        l->status = status;
                }
        }
}

static void read_signals(struct monitor_loop *l)
{
        struct signalfd_siginfo si;
        bool child = false;
        while (read(l->sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si))
                if (si.ssi_signo == SIGCHLD)
                        child = true;
        /* SIGTERM, SIGINT and the rest are swallowed: the engine stops
         * containers through the runtime, never through their monitor. */
        if (child)
                reap(l);
}

static void stop_stream(struct monitor_loop *l, int *fd, enum vs_log_stream s)
{
        (void) epoll_ctl(l->epfd, EPOLL_CTL_DEL, *fd, NULL);
        *fd = vs_safe_close(*fd);
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_log_flush(&l->log, s, &ignored) < 0)
                vs_error_ignore(&ignored); /* a full disk must not stop the container */
}

static void read_output(struct monitor_loop *l, int *fd, enum vs_log_stream s)
{
        for (int i = 0; i < READS_PER_EVENT && *fd >= 0; i++) {
                ssize_t n = read(*fd, l->buf, sizeof(l->buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) { /* EOF; EIO from a pty master once every slave is closed */
                        stop_stream(l, fd, s);
                        return;
                }
                struct vs_error ignored = VS_ERROR_INIT;
                if (vs_log_feed(&l->log, s, l->buf, (size_t) n, &ignored) < 0)
                        vs_error_ignore(&ignored); /* a full disk must not stop the container */
                vs_attach_broadcast(&l->attach, s == VS_LOG_STDOUT ? VS_ATTACH_STDOUT : VS_ATTACH_STDERR, l->buf,
                                    (size_t) n);
        }
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int watch_output(struct monitor_loop *l, int fd, struct vs_event_source *src, struct vs_error *err)
{
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = src};
        if (fd >= 0 && epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
                return vs_error_syscall(err, "cannot watch the container's output");
        return 0;
}

static void dispatch(struct monitor_loop *l, struct epoll_event *ev)
{
        struct vs_event_source *src = ev->data.ptr;
        switch (src->kind) {
        case VS_EV_SIGNAL:
                read_signals(l);
                break;
        case VS_EV_STDOUT:
                read_output(l, &l->out_fd, VS_LOG_STDOUT);
                break;
        case VS_EV_STDERR:
                read_output(l, &l->err_fd, VS_LOG_STDERR);
                break;
        case VS_EV_DNS_QUERY:
        case VS_EV_DNS_UPSTREAM:
                monitor_dns_handle(&l->dns, src);
                break;
        default:
                vs_attach_handle(&l->attach, src, ev->events);
        }
}

int monitor_loop_run(struct monitor_loop *l, const struct monitor_stdio *stdio, pid_t pid, int *ret_status,
                     struct vs_error *err)
{
        l->pid = pid;
        l->out_fd = stdio->stdout_fd;
        l->err_fd = stdio->stderr_fd;
        vs_attach_set_stdin(&l->attach, stdio->stdin_fd, l->tty ? stdio->stdout_fd : -1);
        if (watch_output(l, l->out_fd, &l->out_src, err) < 0 || watch_output(l, l->err_fd, &l->err_src, err) < 0)
                return -err->code;
        reap(l); /* a SIGCHLD may have come before the signalfd was watched */
        long long deadline = 0;
        for (;;) {
                if (l->exited && deadline == 0)
                        deadline = now_ms() + DRAIN_MS;
                if (l->exited &&
                    ((l->out_fd < 0 && l->err_fd < 0 && !vs_attach_pending(&l->attach)) || now_ms() >= deadline))
                        break;
                struct epoll_event events[16];
                /* running: wake for the next forwarded DNS query's deadline, if any */
                int timeout = l->exited ? (int) (deadline - now_ms()) : monitor_dns_timeout(&l->dns);
                int n = epoll_wait(l->epfd, events, VS_ARRAY_SIZE(events), timeout < 0 && l->exited ? 0 : timeout);
                if (n < 0 && errno != EINTR)
                        return vs_error_syscall(err, "epoll_wait");
                for (int i = 0; i < n; i++)
                        dispatch(l, &events[i]);
                vs_attach_collect(&l->attach);
                monitor_dns_expire(&l->dns);
        }
        if (l->out_fd >= 0)
                stop_stream(l, &l->out_fd, VS_LOG_STDOUT);
        if (l->err_fd >= 0)
                stop_stream(l, &l->err_fd, VS_LOG_STDERR);
        *ret_status = l->status;
        return 0;
}
