/* vessel: run in the foreground: create, start over the sync socket, wait
 * while forwarding signals, then delete. The runtime stays the init's parent. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "runtime/runtime.h"
#include "linux/terminal.h"
#include "runtime/sync.h"
#include "util/cleanup.h"

static int exit_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

/* Forward every catchable signal to the init until it exits. */
int vs_wait_forwarding(pid_t pid, const sigset_t *set, int *exit_status, struct vs_error *err)
{
        _cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
        if (sfd < 0)
                return vs_error_syscall(err, "signalfd");
        for (;;) {
                struct signalfd_siginfo si;
                ssize_t n = read(sfd, &si, sizeof(si));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n != sizeof(si))
                        return vs_error_syscall(err, "cannot read signals");
                if (si.ssi_signo != SIGCHLD) {
                        (void) kill(pid, (int) si.ssi_signo);
                        continue;
                }
                int status;
                pid_t w;
                while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
                        if (w == pid) {
                                *exit_status = exit_code(status);
                                return 0;
                        }
                }
        }
}

void vs_block_signals(sigset_t *all, sigset_t *old)
{
        sigfillset(all);
        sigdelset(all, SIGSEGV);
        sigdelset(all, SIGBUS);
        sigdelset(all, SIGFPE);
        sigdelset(all, SIGILL);
        sigprocmask(SIG_BLOCK, all, old);
}

int vs_container_run(const struct vs_create_options *opts, int *exit_status, struct vs_error *err,
                     struct vs_error *warn)
{
        /* Block signals before the init exists, so none is lost between its
         * start and the signalfd; the init unblocks them before execve. */
        sigset_t all, old;
        vs_block_signals(&all, &old);
        struct vs_created c;
        int r = vs_container_create(opts, true, &c, err);
        if (r < 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                return r;
        }
        if (vs_sync_send(c.sync_fd, VS_SYNC_START, NULL) < 0)
                r = vs_error_set(err, EPIPE, "the container's init died before start");
        vs_safe_close(c.sync_fd);
        if (r == 0)
                vs_container_poststart(opts->root, opts->id, warn);
        /* process.terminal with no console socket: drive it from ours until
         * the container's side hangs up, then collect the exit status. */
        if (r == 0 && c.terminal_master >= 0)
                r = vs_pty_proxy(c.terminal_master, 0, 0, err);
        vs_safe_close(c.terminal_master);
        if (r == 0)
                r = vs_wait_forwarding(c.pid, &all, exit_status, err);
        if (r < 0)
                vs_killp(&c.pid);
        sigprocmask(SIG_SETMASK, &old, NULL);
        struct vs_error derr = VS_ERROR_INIT;
        int d = vs_container_delete(opts->root, opts->id, true, &derr, warn);
        if (d < 0 && r == 0) {
                *err = derr;
                r = d;
        }
        vs_safe_close(c.rootfd);
        free(c.id);
        vs_strv_free(c.cgroup_dirs);
        return r;
}
