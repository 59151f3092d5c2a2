#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

/* The child: state on stdin, stdout and stderr as the runtime's. */
static _Noreturn void exec_hook(const struct vs_oci_hook *hook, int stdin_fd)
{
        if (dup2(stdin_fd, 0) < 0)
                _exit(127);
        char *const *argv = hook->args ? hook->args : (char *const[]){hook->path, NULL};
        char *const *envp = hook->env ? hook->env : (char *const[]){NULL};
        execve(hook->path, argv, envp);
        _exit(127);
}

static int wait_hook(pid_t pid, int timeout_s, int *status, struct vs_error *err)
{
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd >= 0 && timeout_s > 0) {
                struct pollfd p = {.fd = pidfd, .events = POLLIN};
                int r;
                do
                        r = poll(&p, 1, timeout_s * 1000);
                while (r < 0 && errno == EINTR);
                if (r == 0) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, status, 0);
                        return vs_error_set(err, ETIMEDOUT, "timed out after %d s", timeout_s);
                }
        }
        while (waitpid(pid, status, 0) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot wait for the hook");
        return 0;
}

static int run_one(const struct vs_oci_hook *hook, const char *state_json, struct vs_error *err)
{
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return vs_error_syscall(err, "cannot create a pipe");
        pid_t pid = fork();
        if (pid < 0) {
                int r = vs_error_syscall(err, "cannot fork");
                vs_safe_close(pipefd[0]);
                vs_safe_close(pipefd[1]);
                return r;
        }
        if (pid == 0)
                exec_hook(hook, pipefd[0]);
        vs_safe_close(pipefd[0]);
        /* A hook that does not read its stdin must not block the runtime:
         * SIGPIPE is ignored for the write and EPIPE is fine. */
        struct sigaction ign = {.sa_handler = SIG_IGN}, old;
        sigaction(SIGPIPE, &ign, &old);
        size_t len = strlen(state_json);
        (void) !write(pipefd[1], state_json, len);
        sigaction(SIGPIPE, &old, NULL);
        vs_safe_close(pipefd[1]);
        int status = 0;
        int r = wait_hook(pid, hook->timeout.set ? (int) hook->timeout.value : 0, &status, err);
        if (r < 0)
                return r;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && access(hook->path, X_OK) < 0)
                return vs_error_syscall(err, "cannot execute");
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                return vs_error_set(err, EIO, "exit status %d", WEXITSTATUS(status));
        if (WIFSIGNALED(status))
                return vs_error_set(err, EIO, "killed by signal %d", WTERMSIG(status));
        return 0;
}

int vs_hooks_run(const char *kind, const struct vs_oci_hook *hooks, size_t n, const char *state_json,
                 struct vs_error *err)
{
        for (size_t i = 0; i < n; i++) {
                int r = run_one(&hooks[i], state_json, err);
                if (r < 0)
                        return vs_error_wrap(err, "hooks.%s[%zu] (%s)", kind, i, hooks[i].path);
        }
        return 0;
}
