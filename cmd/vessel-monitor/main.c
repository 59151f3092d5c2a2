/* vessel-monitor: one per container (conmon's job). It creates the
 * container with its stdio on pipes or a pty, reports the init's pid on
 * --sync-fd, then writes the log, serves attach, reaps, records the exit
 * status and runs the exit command. See docs/vessel-monitor.8. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/sealed_exe.h"
#include "monitor.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

/* The loop's buffers live in BSS: pages nobody writes cost no RSS. */
static struct monitor_loop loop;

static int usage(void)
{
        fputs("usage: vessel-monitor --id ID --bundle DIR --runtime-root DIR --exit-file PATH --log-path PATH\n"
              "         [--log-max-size BYTES] [--log-max-files N] [--attach-socket PATH] [-t|--terminal]\n"
              "         [-i|--stdin] [--runtime PATH] [--pid-file PATH] [--monitor-pid-file PATH]\n"
              "         [--sync-fd N] [--foreground] [--exit-command PATH [--exit-command-arg ARG]...]\n"
              "         [--dns-hosts PATH [--dns-upstream IP]...] [--exit-lock PATH]\n",
              stderr);
        return 2;
}

/* BYTES, or with a k, m or g suffix (powers of 1024, as docker's max-size). */
static int parse_size(const char *s, off_t *ret)
{
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        int shift = 0;
        if (*end == 'k' || *end == 'K')
                shift = 10;
        else if (*end == 'm' || *end == 'M')
                shift = 20;
        else if (*end == 'g' || *end == 'G')
                shift = 30;
        if (shift)
                end++;
        if (errno || end == s || *end || v < 0 || v > (LLONG_MAX >> shift))
                return -1;
        *ret = (off_t) (v << shift);
        return 0;
}

static int parse_int(const char *s, int min, int *ret)
{
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > INT_MAX)
                return -1;
        *ret = (int) v;
        return 0;
}

enum {
        OPT_ID = 1000,
        OPT_BUNDLE,
        OPT_RUNTIME_ROOT,
        OPT_EXIT_FILE,
        OPT_LOG_PATH,
        OPT_LOG_MAX_SIZE,
        OPT_LOG_MAX_FILES,
        OPT_ATTACH_SOCKET,
        OPT_RUNTIME,
        OPT_PID_FILE,
        OPT_MONITOR_PID_FILE,
        OPT_SYNC_FD,
        OPT_FOREGROUND,
        OPT_EXIT_COMMAND,
        OPT_EXIT_COMMAND_ARG,
        OPT_DNS_HOSTS,
        OPT_DNS_UPSTREAM,
        OPT_EXIT_LOCK,
};

static const struct option longopts[] = {
        {"id", required_argument, NULL, OPT_ID},
        {"bundle", required_argument, NULL, OPT_BUNDLE},
        {"runtime-root", required_argument, NULL, OPT_RUNTIME_ROOT},
        {"exit-file", required_argument, NULL, OPT_EXIT_FILE},
        {"log-path", required_argument, NULL, OPT_LOG_PATH},
        {"log-max-size", required_argument, NULL, OPT_LOG_MAX_SIZE},
        {"log-max-files", required_argument, NULL, OPT_LOG_MAX_FILES},
        {"attach-socket", required_argument, NULL, OPT_ATTACH_SOCKET},
        {"terminal", no_argument, NULL, 't'},
        {"stdin", no_argument, NULL, 'i'},
        {"runtime", required_argument, NULL, OPT_RUNTIME},
        {"pid-file", required_argument, NULL, OPT_PID_FILE},
        {"monitor-pid-file", required_argument, NULL, OPT_MONITOR_PID_FILE},
        {"sync-fd", required_argument, NULL, OPT_SYNC_FD},
        {"foreground", no_argument, NULL, OPT_FOREGROUND},
        {"exit-command", required_argument, NULL, OPT_EXIT_COMMAND},
        {"exit-command-arg", required_argument, NULL, OPT_EXIT_COMMAND_ARG},
        {"dns-hosts", required_argument, NULL, OPT_DNS_HOSTS},
        {"dns-upstream", required_argument, NULL, OPT_DNS_UPSTREAM},
        {"exit-lock", required_argument, NULL, OPT_EXIT_LOCK},
        {NULL, 0, NULL, 0},
};

static int bad(const char *opt, const char *value)
{
        fprintf(stderr, "vessel-monitor: %s: invalid value \"%s\"\n", opt, value);
        return -1;
}

/* An IPv4 or IPv6 address, MONITOR_DNS_UPSTREAM_MAX at most. */
static int parse_dns_upstream(struct monitor_options *o, const char *value)
{
        unsigned char addr[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, value, addr) != 1 && inet_pton(AF_INET6, value, addr) != 1)
                return bad("--dns-upstream", value);
        if (o->n_dns_upstream == MONITOR_DNS_UPSTREAM_MAX) {
                fprintf(stderr, "vessel-monitor: --dns-upstream: more than %d servers\n", MONITOR_DNS_UPSTREAM_MAX);
                return -1;
        }
        o->dns_upstream[o->n_dns_upstream++] = value;
        return 0;
}

static int parse_one(struct monitor_options *o, int c, size_t *nargs)
{
        switch (c) {
        case OPT_ID:
                o->id = optarg;
                break;
        case OPT_BUNDLE:
                o->bundle = optarg;
                break;
        case OPT_RUNTIME_ROOT:
                o->runtime_root = optarg;
                break;
        case OPT_EXIT_FILE:
                o->exit_file = optarg;
                break;
        case OPT_LOG_PATH:
                o->log_path = optarg;
                break;
        case OPT_LOG_MAX_SIZE:
                return parse_size(optarg, &o->log_max_size) < 0 ? bad("--log-max-size", optarg) : 0;
        case OPT_LOG_MAX_FILES:
                return parse_int(optarg, 1, &o->log_max_files) < 0 ? bad("--log-max-files", optarg) : 0;
        case OPT_ATTACH_SOCKET:
                o->attach_socket = optarg;
                break;
        case 't':
                o->terminal = true;
                break;
        case 'i':
                o->stdin_open = true;
                break;
        case OPT_RUNTIME:
                o->runtime = optarg;
                break;
        case OPT_PID_FILE:
                o->pid_file = optarg;
                break;
        case OPT_MONITOR_PID_FILE:
                o->monitor_pid_file = optarg;
                break;
        case OPT_SYNC_FD:
                if (parse_int(optarg, 3, &o->sync_fd) < 0 || fcntl(o->sync_fd, F_GETFD) < 0)
                        return bad("--sync-fd", optarg);
                break;
        case OPT_FOREGROUND:
                o->foreground = true;
                break;
        case OPT_EXIT_COMMAND:
                o->exit_command = o->exit_command_args[0] = optarg;
                break;
        case OPT_EXIT_COMMAND_ARG:
                o->exit_command_args[1 + (*nargs)++] = optarg;
                break;
        case OPT_DNS_HOSTS:
                if (optarg[0] != '/')
                        return bad("--dns-hosts", optarg);
                o->dns_hosts = optarg;
                break;
        case OPT_DNS_UPSTREAM:
                return parse_dns_upstream(o, optarg);
        case OPT_EXIT_LOCK:
                o->exit_lock = optarg;
                break;
        default:
                return -1;
        }
        return 0;
}

static int parse_args(int argc, char **argv, struct monitor_options *o)
{
        if (!o->exit_command_args) {
                fputs("vessel-monitor: out of memory\n", stderr);
                return -1;
        }
        size_t nargs = 0;
        int c;
        while ((c = getopt_long(argc, argv, "+ti", longopts, NULL)) != -1)
                if (parse_one(o, c, &nargs) < 0)
                        return -1;
        if (optind != argc) {
                fprintf(stderr, "vessel-monitor: unexpected argument \"%s\"\n", argv[optind]);
                return -1;
        }
        const char *missing = !o->id             ? "--id"
                              : !o->bundle       ? "--bundle"
                              : !o->runtime_root ? "--runtime-root"
                              : !o->exit_file    ? "--exit-file"
                              : !o->log_path     ? "--log-path"
                                                 : NULL;
        if (missing) {
                fprintf(stderr, "vessel-monitor: %s is required\n", missing);
                return -1;
        }
        if (o->n_dns_upstream && !o->dns_hosts) {
                fputs("vessel-monitor: --dns-upstream needs --dns-hosts\n", stderr);
                return -1;
        }
        if (nargs && !o->exit_command) {
                fputs("vessel-monitor: --exit-command-arg needs --exit-command\n", stderr);
                return -1;
        }
        return 0;
}

/* One line on the sync fd, then it is closed: {"pid":N} or {"error":"..."}. */
static void report(struct monitor_options *o, pid_t pid, const struct vs_error *err)
{
        if (err)
                dprintf(o->stderr_fd >= 0 ? o->stderr_fd : STDERR_FILENO, "vessel-monitor: %s\n", err->msg);
        o->stderr_fd = vs_safe_close(o->stderr_fd);
        if (o->sync_fd < 0)
                return;
        char line[VS_ERROR_MSG_MAX * 6 + 32];
        int n;
        if (err) {
                size_t len;
                vs_log_escape(err->msg, strlen(err->msg), line + 10, sizeof(line) - 16, &len);
                memcpy(line, "{\"error\":\"", 10);
                memcpy(line + 10 + len, "\"}\n", 3);
                n = (int) (10 + len + 3);
        } else {
                n = snprintf(line, sizeof(line), "{\"pid\":%d}\n", (int) pid);
        }
        for (ssize_t off = 0, w; off < n; off += w)
                if ((w = write(o->sync_fd, line + off, (size_t) (n - off))) <= 0 && errno != EINTR)
                        break;
                else if (w < 0)
                        w = 0;
        o->sync_fd = vs_safe_close(o->sync_fd);
}

/* setsid and fork twice: the caller reaps this process as soon as the
 * intermediate is gone; the monitor is nobody's child but its reaper's. */
static int detach(struct vs_error *err)
{
        pid_t mid = fork();
        if (mid < 0)
                return vs_error_syscall(err, "cannot fork");
        if (mid > 0) {
                int status;
                while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
                        ;
                _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
        }
        if (setsid() < 0)
                return vs_error_syscall(err, "setsid");
        pid_t monitor = fork();
        if (monitor < 0)
                return vs_error_syscall(err, "cannot fork");
        if (monitor > 0)
                _exit(0);
        return 0;
}

static int write_monitor_pid(const char *path, struct vs_error *err)
{
        char buf[24];
        int n = snprintf(buf, sizeof(buf), "%d", (int) getpid());
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, buf, (size_t) n) != n)
                return vs_error_syscall(err, "--monitor-pid-file %s", path);
        return 0;
}

/* Keep none of the caller's fds but the sync fd: a detached monitor
 * holding, say, the engine's output pipe would keep its reader waiting. */
static void close_inherited_fds(int keep)
{
        if (keep > 3)
                (void) close_range(3, (unsigned) keep - 1, 0);
        (void) close_range(keep >= 3 ? (unsigned) keep + 1 : 3, ~0U, 0);
}

/* Everything before the container exists; on failure nothing is made. */
static int prepare(struct monitor_options *o, struct vs_error *err)
{
        close_inherited_fds(o->sync_fd);
        if (monitor_needs_sealed_copy(o) && vs_sealed_exe_reexec(o->argv, environ, err) < 0)
                return -err->code; /* returns 0 only when already running from a sealed copy */
        /* Only now: the sealed copy must inherit it. */
        if (o->sync_fd >= 0)
                (void) fcntl(o->sync_fd, F_SETFD, FD_CLOEXEC);
        if (o->exit_lock) {
                o->exit_lock_fd = open(o->exit_lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (o->exit_lock_fd < 0)
                        return vs_error_syscall(err, "--exit-lock %s", o->exit_lock);
        }
        /* fd 2 becomes the container's stderr pipe, then /dev/null: keep the caller's for our error. */
        o->stderr_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (!o->foreground && detach(err) < 0)
                return -err->code;
        /* Orphans of the container (a runtime binary's init, daemons that
         * double-forked) are reparented to us and reaped here. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return vs_error_syscall(err, "cannot become a subreaper");
        /* Blocked, never ignored: an ignored disposition would be inherited
         * by the container's process; a blocked one is reset by its init. */
        sigset_t all, old;
        vs_block_signals(&all, &old);
        return monitor_loop_init(&loop, o, err);
}

int main(int argc, char **argv)
{
        struct monitor_options o = {
                .log_max_files = 1, .sync_fd = -1, .stderr_fd = -1, .exit_lock_fd = -1, .argv = argv};
        /* argv[0] of the exit command, its --exit-command-arg values, NULL. */
        _cleanup_free_ char **exit_command_args = o.exit_command_args = calloc((size_t) argc + 2, sizeof(char *));
        if (parse_args(argc, argv, &o) < 0)
                return usage();
        struct vs_error err = VS_ERROR_INIT;
        pid_t pid = 0;
        struct monitor_stdio stdio;
        int r = prepare(&o, &err);
        if (r == 0)
                r = monitor_spawn(&o, &stdio, &pid, &err);
        /* Before the pid is reported: the container may resolve a name as soon as it is started. */
        if (r == 0 && o.dns_hosts &&
            monitor_dns_open(&loop.dns, loop.epfd, pid, o.dns_hosts, o.dns_upstream, o.n_dns_upstream, &err) < 0) {
                monitor_destroy(&o, pid);
                r = -err.code;
        }
        if (r == 0 && o.monitor_pid_file && write_monitor_pid(o.monitor_pid_file, &err) < 0) {
                monitor_destroy(&o, pid);
                r = -err.code;
        }
        if (r < 0) {
                monitor_loop_close(&loop);
                report(&o, 0, &err);
                return 1;
        }
        report(&o, pid, NULL);
        monitor_trim_memory();
        int status = 0;
        if (monitor_loop_run(&loop, &stdio, pid, &status, &err) < 0) {
                /* The monitor cannot watch it any more: the container must not outlive that. */
                kill(pid, SIGKILL);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        struct vs_error exit_err = VS_ERROR_INIT;
        if (monitor_write_exit_file(o.exit_file, status, &exit_err) < 0)
                vs_error_ignore(&exit_err); /* nobody to tell: stderr is /dev/null by now */
        monitor_loop_close(&loop);
        monitor_run_exit_command(&o);
        return 0;
}
