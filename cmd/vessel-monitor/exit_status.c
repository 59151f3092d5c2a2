/* vessel-monitor: the exit file and the exit command. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor.h"
#include "util/cleanup.h"
#include "util/files.h"

/* {"exitCode":N,"signal":S,"finishedAt":"...","oomKilled":false}; the
 * exit code of a process killed by signal S is 128+S, as docker reports. */
int monitor_write_exit_file(const char *path, int wait_status, struct vs_error *err)
{
        int sig = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
        int code = sig ? 128 + sig : WEXITSTATUS(wait_status);
        char ts[40];
        vs_log_timestamp(ts);
        char json[160];
        int len =
                snprintf(json, sizeof(json),
                         "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s\",\"oomKilled\":false}\n", code, sig, ts);
        char dir[PATH_MAX], base[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", path);
        snprintf(base, sizeof(base), "%s", path);
        _cleanup_close_ int dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return vs_error_syscall(err, "cannot open the directory of the exit file %s", path);
        if (vs_write_file_replace(dirfd, basename(base), json, (size_t) len, 0644, err) < 0)
                return vs_error_wrap(err, "exit file %s", path);
        return 0;
}

/* Whether the engine that started the container in the foreground has
 * removed it already (`run --rm`): it holds the exit lock from before the
 * start until the removal is done, which deletes the exit file. If it died
 * instead, the lock is free and the exit file still there. */
static bool removed_by_engine(const struct monitor_options *o)
{
        if (o->exit_lock_fd < 0)
                return false;
        while (flock(o->exit_lock_fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return false;
        return access(o->exit_file, F_OK) < 0 && errno == ENOENT;
}

/* Run the exit command (the engine's `vessel container cleanup ID`) and
 * wait for it; its stdio is /dev/null, its signal mask empty. */
void monitor_run_exit_command(const struct monitor_options *o)
{
        if (!o->exit_command || removed_by_engine(o))
                return;
        pid_t pid = fork();
        if (pid < 0)
                return;
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                int null = open("/dev/null", O_RDWR);
                for (int fd = 0; fd < 3 && null >= 0; fd++)
                        dup2(null, fd);
                execv(o->exit_command, o->exit_command_args);
                _exit(127);
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
