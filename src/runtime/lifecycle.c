/* vessel: start, kill and delete of a created container. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "oci/config.h"
#include "runtime/hooks.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/files.h"

static const struct {
        const char *name;
        int signo;
} signal_names[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
        {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},   {"FPE", SIGFPE},     {"KILL", SIGKILL},
        {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
        {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP},
        {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU},
        {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
        {"POLL", SIGPOLL}, {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

int vs_signal_parse(const char *name, int *ret, struct vs_error *err)
{
        char *end;
        long n = strtol(name, &end, 10);
        if (*name && *end == '\0') {
                if (n <= 0 || n > SIGRTMAX)
                        return vs_error_set(err, EINVAL, "invalid signal number %s", name);
                *ret = (int) n;
                return 0;
        }
        const char *bare = strncasecmp(name, "SIG", 3) == 0 ? name + 3 : name;
        for (size_t i = 0; i < VS_ARRAY_SIZE(signal_names); i++)
                if (strcasecmp(bare, signal_names[i].name) == 0) {
                        *ret = signal_names[i].signo;
                        return 0;
                }
        /* RTMIN, RTMIN+3, RTMAX-2 */
        bool rtmin = strncasecmp(bare, "RTMIN", 5) == 0, rtmax = strncasecmp(bare, "RTMAX", 5) == 0;
        if (rtmin || rtmax) {
                long off = bare[5] ? strtol(bare + 5, &end, 10) : 0;
                int s = (rtmin ? SIGRTMIN : SIGRTMAX) + (int) off;
                if ((!bare[5] || *end == '\0') && s >= SIGRTMIN && s <= SIGRTMAX) {
                        *ret = s;
                        return 0;
                }
        }
        return vs_error_set(err, EINVAL, "unknown signal \"%s\"", name);
}

/* Write the byte the init waits for, and remove the fifo: "running". */
static int release(int lockfd, const char *id, struct vs_error *err)
{
        /* The init holds the fifo open for reading: a non-blocking open for
         * writing succeeds exactly while it waits. */
        _cleanup_close_ int fifo = openat(lockfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo < 0)
                return vs_error_syscall(err, "cannot start container %s: exec fifo", id);
        if (write(fifo, "0", 1) != 1)
                return vs_error_syscall(err, "cannot start container %s", id);
        if (unlinkat(lockfd, "exec.fifo", 0) < 0)
                return vs_error_syscall(err, "cannot start container %s: removing the exec fifo", id);
        return 0;
}

/* poststart and poststop: read from the bundle's config.json (only for
 * containers that have such hooks); a failure is a warning, as the spec says. */
static void run_state_hooks(const struct vs_state *st, bool poststart, enum vs_status status, struct vs_error *warn)
{
        if (!st->has_hooks)
                return;
        char path[4096];
        snprintf(path, sizeof(path), "%s/config.json", st->bundle);
        struct vs_oci_config *config = NULL;
        if (vs_oci_config_load(path, &config, warn) < 0) {
                vs_error_wrap(warn, "cannot run the %s hooks", poststart ? "poststart" : "poststop");
                return;
        }
        struct vs_state s = *st;
        s.status = status;
        char *state = vs_state_to_json(&s, false);
        const struct vs_oci_hooks *h = &config->hooks;
        if (poststart)
                (void) vs_hooks_run("poststart", h->poststart, h->n_poststart, state ? state : "{}", warn);
        else
                (void) vs_hooks_run("poststop", h->poststop, h->n_poststop, state ? state : "{}", warn);
        free(state);
        vs_oci_config_free(config);
}

void vs_container_poststart(const char *root, const char *id, struct vs_error *warn)
{
        struct vs_error ignored = VS_ERROR_INIT;
        struct vs_state st;
        if (vs_state_open(root, id, NULL, NULL, &st, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return;
        }
        run_state_hooks(&st, true, VS_STATUS_RUNNING, warn);
        vs_state_clear(&st);
}

int vs_container_start(const char *root, const char *id, struct vs_error *err, struct vs_error *warn)
{
        _cleanup_close_ int lockfd = -1;
        struct vs_state st;
        int r = vs_state_open(root, id, NULL, &lockfd, &st, err);
        if (r < 0)
                return r;
        if (st.status != VS_STATUS_CREATED) {
                r = vs_error_set(err, EINVAL, "cannot start container %s: it is %s, not created", id,
                                 vs_status_name(st.status));
                vs_state_clear(&st);
                return r;
        }
        r = release(lockfd, id, err);
        if (r == 0)
                run_state_hooks(&st, true, VS_STATUS_RUNNING, warn);
        vs_state_clear(&st);
        return r;
}

/* Resuming a container to kill it: a frozen task cannot die. No freezer
 * here is fine: then nothing is frozen. */
static void thaw(char **dirs)
{
        struct vs_error ignored = VS_ERROR_INIT;
        (void) vs_cgroup_freeze(dirs, false, &ignored);
        vs_error_ignore(&ignored);
}

static int send_signal(const struct vs_state *st, int signo, bool all, struct vs_error *err)
{
        if (all) {
                if (signo == SIGKILL)
                        thaw(st->cgroup_dirs);
                (void) vs_cgroup_signal(st->cgroup_dirs, signo);
                return 0;
        }
        /* A pidfd pins the process: a pid reused after the check is not signalled. */
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, st->pid, 0);
        if (pidfd < 0 || vs_proc_start_time(st->pid) != st->pid_start_time)
                return vs_error_set(err, ESRCH, "cannot signal %s: container not running", st->id);
        if (syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0) < 0)
                return vs_error_syscall(err, "cannot signal container %s", st->id);
        if (signo == SIGKILL && st->status == VS_STATUS_PAUSED)
                thaw(st->cgroup_dirs);
        return 0;
}

int vs_container_kill(const char *root, const char *id, int signo, bool all, struct vs_error *err)
{
        _cleanup_close_ int lockfd = -1;
        struct vs_state st;
        int r = vs_state_open(root, id, NULL, &lockfd, &st, err);
        if (r < 0)
                return r;
        if (st.status == VS_STATUS_STOPPED && !all)
                r = vs_error_set(err, ESRCH, "cannot signal %s: container not running", id);
        else
                r = send_signal(&st, signo, all, err);
        vs_state_clear(&st);
        return r;
}

/* Wait until the process has gone (it is not our child: poll its pidfd). */
static void wait_gone(pid_t pid, uint64_t start_time)
{
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0 || vs_proc_start_time(pid) != start_time)
                return;
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        (void) poll(&p, 1, 10 * 1000);
}

int vs_container_delete(const char *root, const char *id, bool force, struct vs_error *err, struct vs_error *warn)
{
        /* Not vs_state_open: a state that cannot be read is still deleted with --force. */
        if (vs_state_check_id(id, err) < 0)
                return -err->code;
        _cleanup_close_ int rootfd = vs_state_open_root(root, false, err);
        if (rootfd < 0)
                return err->code == ENOENT ? vs_error_set(err, ENOENT, "container %s does not exist", id) : rootfd;
        _cleanup_close_ int lockfd = vs_state_lock(rootfd, id, err);
        if (lockfd < 0)
                return lockfd;
        struct vs_state st;
        int r = vs_state_load(rootfd, id, &st, err);
        if (r < 0) {
                /* A state directory with no readable state is the remains of a
                 * create that died: with --force, remove it. */
                if (!force || err->code == ENOENT)
                        return r;
                vs_error_ignore(err);
                return vs_state_remove(rootfd, id, err);
        }
        if ((st.status == VS_STATUS_RUNNING || st.status == VS_STATUS_PAUSED) && !force) {
                r = vs_error_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
                                 vs_status_name(st.status));
                vs_state_clear(&st);
                return r;
        }
        if (st.status != VS_STATUS_STOPPED) {
                thaw(st.cgroup_dirs);
                (void) kill(st.pid, SIGKILL);
                wait_gone(st.pid, st.pid_start_time);
        }
        r = vs_cgroup_destroy(st.cgroup_dirs, err);
        if (r == 0)
                run_state_hooks(&st, false, VS_STATUS_STOPPED, warn);
        if (r == 0)
                r = vs_state_remove(rootfd, id, err);
        vs_state_clear(&st);
        return r < 0 ? vs_error_wrap(err, "cannot delete container %s", id) : 0;
}
