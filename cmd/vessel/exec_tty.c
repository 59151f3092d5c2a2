/* vessel: the terminal of `exec -t` (see exec_tty.h). */
#include "exec_tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/files.h"

int exec_console_open(const char *rundir, struct exec_console *c, struct vs_error *err)
{
        if ((size_t) snprintf(c->dir, sizeof(c->dir), "%s/exec-XXXXXX", rundir) >= sizeof(c->dir))
                return vs_error_set(err, ENAMETOOLONG, "%s: name too long", rundir);
        if (!mkdtemp(c->dir)) {
                c->dir[0] = '\0';
                return vs_error_syscall(err, "cannot make a directory in %s", rundir);
        }
        snprintf(c->socket, sizeof(c->socket), "%s/console.sock", c->dir);
        snprintf(c->pid_file, sizeof(c->pid_file), "%s/pid", c->dir);
        c->dir_fd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->dir_fd < 0 || c->listen_fd < 0)
                return vs_error_syscall(err, "cannot make the console socket in %s", c->dir);
        /* through the directory's fd: a run dir may be longer than sun_path */
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/console.sock", c->dir_fd);
        if (bind(c->listen_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(c->listen_fd, 1) < 0)
                return vs_error_syscall(err, "cannot listen on %s", c->socket);
        return 0;
}

void exec_console_close(struct exec_console *c)
{
        vs_safe_close(c->listen_fd);
        c->listen_fd = -1;
        if (c->dir_fd >= 0) {
                (void) unlinkat(c->dir_fd, "console.sock", 0);
                (void) unlinkat(c->dir_fd, "pid", 0);
                vs_safe_close(c->dir_fd);
                c->dir_fd = -1;
        }
        if (c->dir[0])
                (void) rmdir(c->dir);
        c->dir[0] = '\0';
}

/* The runtime connected and sent before it returned: the connection is queued. */
static int receive_master(struct exec_console *c, int *ret_master, struct vs_error *err)
{
        _cleanup_close_ int conn = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (conn < 0)
                return vs_error_syscall(err, "cannot accept the terminal on %s", c->socket);
        char name[VS_CONSOLE_NAME_MAX];
        return vs_fd_recv(conn, ret_master, name, sizeof(name), NULL, err);
}

static int read_pid(const struct exec_console *c, pid_t *ret, struct vs_error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = vs_read_file(c->pid_file, &text, NULL, err);
        if (r < 0)
                return r;
        long pid = strtol(text, NULL, 10);
        if (pid <= 0)
                return vs_error_set(err, EINVAL, "%s: not a pid", c->pid_file);
        *ret = (pid_t) pid;
        return 0;
}

/* In the keeper: nothing but the master and /dev/null as stdio, so that no
 * pipe of our caller's (a shell's $(...), bats) is held open by it. The
 * master's new fd. */
static int keeper_fds(int master)
{
        int m = fcntl(master, F_DUPFD_CLOEXEC, 3);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd < 3 && null >= 0; fd++)
                dup2(null, fd);
        if (m < 0)
                _exit(1);
        if (m > 3)
                (void) close_range(3, (unsigned) m - 1, 0);
        (void) close_range((unsigned) m + 1, ~0U, 0);
        return m;
}

/* Leave the master to a process of its own, in a session of its own (our
 * terminal's hang-up is not its), which drops what the process writes
 * until every holder of the slave closed it. */
static int keep_master(int master, struct vs_error *err)
{
        pid_t pid = fork();
        if (pid < 0)
                return vs_error_syscall(err, "cannot fork the keeper of the exec's terminal");
        if (pid > 0)
                return 0;
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        (void) setsid();
        (void) prctl(PR_SET_NAME, "vessel-exec-tty", 0, 0, 0);
        master = keeper_fds(master);
        int flags = fcntl(master, F_GETFL);
        if (flags >= 0 && (flags & O_NONBLOCK)) /* block in read: no spinning on EAGAIN */
                (void) fcntl(master, F_SETFL, flags & ~O_NONBLOCK);
        char buf[4096];
        for (;;) {
                ssize_t n = read(master, buf, sizeof(buf));
                if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                        _exit(0);
        }
}

struct session {
        int master, sigfd;
        bool stdin_open;
        struct detach_keys *keys;
};

static void follow_size(int master)
{
        struct winsize ws;
        struct vs_error ignored = VS_ERROR_INIT;
        if ((ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) &&
            ws.ws_row > 0 && vs_pty_set_size(master, ws.ws_row, ws.ws_col, &ignored) < 0)
                vs_error_ignore(&ignored);
}

/* Typed input to the master. True once the detach keys were typed. */
static bool on_input(struct session *s)
{
        unsigned char in[4096], out[4096 + DETACH_KEYS_MAX];
        ssize_t n = read(STDIN_FILENO, in, sizeof(in));
        if (n < 0 && errno == EINTR)
                return false;
        if (n <= 0) {
                s->stdin_open = false;
                return false;
        }
        size_t len = 0;
        bool detached = detach_keys_filter(s->keys, in, (size_t) n, out, &len);
        if (len)
                (void) vs_write_all(s->master, out, len);
        return detached;
}

/* Until the process closed the terminal (false) or the detach keys (true). */
static bool session_loop(struct session *s)
{
        char buf[8192];
        for (;;) {
                struct pollfd pf[3] = {{.fd = s->master, .events = POLLIN},
                                       {.fd = s->sigfd, .events = POLLIN},
                                       {.fd = s->stdin_open ? STDIN_FILENO : -1, .events = POLLIN}};
                if (poll(pf, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                if (pf[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(s->sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si))
                                follow_size(s->master);
                }
                if ((pf[2].revents & (POLLIN | POLLHUP | POLLERR)) && on_input(s))
                        return true;
                if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t n = read(s->master, buf, sizeof(buf));
                        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (n <= 0) /* EIO: every holder of the slave closed it */
                                return false;
                        (void) vs_write_all(STDOUT_FILENO, buf, (size_t) n);
                }
        }
}

/* The session with stdin's terminal raw and SIGWINCH read from a signalfd. */
static bool session_run(int master, bool interactive, struct detach_keys *keys)
{
        sigset_t winch, old;
        sigemptyset(&winch);
        sigaddset(&winch, SIGWINCH);
        sigprocmask(SIG_BLOCK, &winch, &old);
        _cleanup_close_ int sigfd = signalfd(-1, &winch, SFD_CLOEXEC);
        struct termios saved;
        bool raw = interactive && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
        if (raw) {
                struct termios t = saved;
                cfmakeraw(&t);
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &t);
        }
        follow_size(master);
        struct session s = {.master = master, .sigfd = sigfd, .stdin_open = interactive, .keys = keys};
        bool detached = session_loop(&s);
        if (raw)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return detached;
}

static int wait_exit(pid_t pid, int *exit_status, struct vs_error *err)
{
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot wait for the exec'd process %d", (int) pid);
        *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

int exec_tty_finish(struct exec_console *c, bool detach, bool interactive, struct detach_keys *keys, int *exit_status,
                    bool *detached, struct vs_error *err)
{
        _cleanup_close_ int master = -1;
        pid_t pid = 0;
        int r = receive_master(c, &master, err);
        if (r == 0)
                r = read_pid(c, &pid, err);
        if (r < 0)
                return r;
        *detached = detach || session_run(master, interactive, keys);
        if (*detached)
                return keep_master(master, err);
        return wait_exit(pid, exit_status, err);
}
