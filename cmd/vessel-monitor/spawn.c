/* vessel-monitor: the container's stdio and its creation, in-process with
 * libvessel or through an OCI runtime binary (--runtime). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "monitor.h"
#include "oci/config.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

/* Our ends of the container's pipes, and a private directory for the
 * console socket and the runtime's pid file. */
struct spawn_ctx {
        int in_w, out_r, err_r;
        char tmpdir[64];
        char console_path[96];
        int console_listen;
        char pid_path[PATH_MAX];
};

static int set_nonblock(int fd)
{
        int fl = fcntl(fd, F_GETFL);
        return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Put the container's ends on 0, 1, 2 (what the runtime gives its init)
 * and keep ours, close-on-exec and non-blocking. With a tty the runtime
 * gives the container the pty: 0, 1, 2 are /dev/null. */
static int make_stdio(const struct monitor_options *o, struct spawn_ctx *s, struct vs_error *err)
{
        int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
        _cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0)
                return vs_error_syscall(err, "cannot open /dev/null");
        /* With a tty, a runtime binary still gets a stderr pipe: for its error messages. */
        bool pipes = !o->terminal;
        if ((pipes && (pipe2(out, O_CLOEXEC) < 0 || (o->stdin_open && pipe2(in, O_CLOEXEC) < 0))) ||
            ((pipes || o->runtime) && pipe2(er, O_CLOEXEC) < 0)) {
                vs_error_syscall(err, "cannot make the container's stdio pipes");
                goto fail;
        }
        int child[3] = {in[0] >= 0 ? in[0] : null, out[1] >= 0 ? out[1] : null, er[1] >= 0 ? er[1] : null};
        for (int fd = 0; fd < 3; fd++)
                if (dup2(child[fd], fd) < 0) {
                        vs_error_syscall(err, "cannot set the container's stdio");
                        goto fail;
                }
        s->in_w = in[1];
        s->out_r = out[0];
        s->err_r = er[0];
        const int ours[] = {s->in_w, s->out_r, s->err_r};
        for (size_t i = 0; i < VS_ARRAY_SIZE(ours); i++)
                if (ours[i] >= 0)
                        (void) set_nonblock(ours[i]);
        vs_safe_close(in[0]);
        vs_safe_close(out[1]);
        vs_safe_close(er[1]);
        return 0;
fail:
        for (int i = 0; i < 2; i++) {
                vs_safe_close(in[i]);
                vs_safe_close(out[i]);
                vs_safe_close(er[i]);
        }
        return -err->code;
}

/* The monitor must not hold the container's ends: it would never see EOF. */
static void release_child_stdio(void)
{
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd < 3 && null >= 0; fd++)
                (void) dup2(null, fd);
        vs_safe_close(null);
}

static int listen_console(struct spawn_ctx *s, struct vs_error *err)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        snprintf(s->console_path, sizeof(s->console_path), "%s/console.sock", s->tmpdir);
        snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", s->console_path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
                vs_error_syscall(err, "cannot listen on the console socket %s", s->console_path);
                vs_safe_close(fd);
                return -err->code;
        }
        s->console_listen = fd;
        return 0;
}

/* The runtime connected and sent the master while it created the container
 * (the connection waits in the backlog): take it. */
static int receive_master(struct spawn_ctx *s, int *ret_master, struct vs_error *err)
{
        _cleanup_close_ int conn = accept4(s->console_listen, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                return vs_error_syscall(err, "the runtime sent no terminal on %s", s->console_path);
        char name[256];
        int master = -1;
        if (vs_fd_recv(conn, &master, name, sizeof(name), NULL, err) < 0)
                return vs_error_wrap(err, "cannot receive the container's terminal");
        (void) set_nonblock(master);
        *ret_master = master;
        return 0;
}

static void spawn_ctx_clear(struct spawn_ctx *s)
{
        s->console_listen = vs_safe_close(s->console_listen);
        if (s->tmpdir[0]) {
                if (s->console_path[0])
                        (void) unlink(s->console_path);
                char p[PATH_MAX];
                snprintf(p, sizeof(p), "%s/pid", s->tmpdir);
                (void) unlink(p);
                (void) rmdir(s->tmpdir);
        }
}

/* --- creating in-process ------------------------------------------------------------------ */

static int create_in_process(const struct monitor_options *o, const struct spawn_ctx *s, pid_t *ret_pid,
                             struct vs_error *err)
{
        struct vs_create_options opts = {
                .root = o->runtime_root,
                .id = o->id,
                .bundle = o->bundle,
                .pid_file = o->pid_file,
                .console_socket = o->terminal ? s->console_path : NULL,
                /* main() already re-exec'd from a sealed copy where the
                 * container needs one; passed on so that libvessel's own
                 * check finds us safe (it returns at once) and never runs
                 * an unprotected create if the two checks ever disagree. */
                .reexec_argv = o->argv,
                .reexec_envp = environ,
                .config = o->config, /* taken by the create, which frees it */
        };
        struct vs_created c;
        if (vs_container_create(&opts, false, &c, err) < 0)
                return -err->code;
        vs_safe_close(c.sync_fd);
        vs_safe_close(c.rootfd);
        vs_safe_close(c.terminal_master);
        free(c.id);
        vs_strv_free(c.cgroup_dirs);
        *ret_pid = c.pid;
        return 0;
}

/* --- creating through a runtime binary ---------------------------------------------------- */

/* Run `runtime --root ROOT ARGS...` and wait for it. Its stdio is ours:
 * the container's ends, which its init inherits. */
static int run_runtime(const struct monitor_options *o, const char *const *args, int *ret_status, struct vs_error *err)
{
        const char *argv[16] = {o->runtime, "--root", o->runtime_root};
        size_t n = 3;
        for (; *args && n + 1 < VS_ARRAY_SIZE(argv); args++)
                argv[n++] = *args;
        argv[n] = NULL;
        pid_t pid = fork();
        if (pid < 0)
                return vs_error_syscall(err, "cannot fork %s", o->runtime);
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execvp(o->runtime, (char **) argv);
                dprintf(STDERR_FILENO, "cannot run %s: %s\n", o->runtime, strerror(errno));
                _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot wait for %s", o->runtime);
        *ret_status = status;
        return 0;
}

/* The runtime's error: the last line it wrote on the (container's) stderr. */
static void runtime_error(const struct monitor_options *o, int err_r, int status, struct vs_error *err)
{
        char buf[2048];
        ssize_t n = err_r >= 0 ? read(err_r, buf, sizeof(buf) - 1) : -1;
        buf[n > 0 ? n : 0] = '\0';
        char *end = buf + strlen(buf);
        while (end > buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
                *--end = '\0';
        char *line = strrchr(buf, '\n');
        line = line ? line + 1 : buf;
        if (*line)
                vs_error_set(err, EIO, "%s create: %s", o->runtime, line);
        else
                vs_error_set(err, EIO, "%s create failed (status %d)", o->runtime,
                             WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int read_pid_file(const char *path, pid_t *ret, struct vs_error *err)
{
        char buf[32] = "";
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (n <= 0)
                return vs_error_syscall(err, "cannot read the runtime's pid file %s", path);
        buf[n] = '\0';
        char *end;
        long pid = strtol(buf, &end, 10);
        if (pid <= 0 || (*end && *end != '\n'))
                return vs_error_set(err, EINVAL, "the runtime's pid file %s holds no pid: \"%s\"", path, buf);
        *ret = (pid_t) pid;
        return 0;
}

static int create_with_runtime(const struct monitor_options *o, struct spawn_ctx *s, pid_t *ret_pid,
                               struct vs_error *err)
{
        if (o->pid_file)
                snprintf(s->pid_path, sizeof(s->pid_path), "%s", o->pid_file);
        else
                snprintf(s->pid_path, sizeof(s->pid_path), "%s/pid", s->tmpdir);
        const char *args[] = {"create",
                              "--bundle",
                              o->bundle,
                              "--pid-file",
                              s->pid_path,
                              o->terminal ? "--console-socket" : o->id,
                              o->terminal ? s->console_path : NULL,
                              o->terminal ? o->id : NULL,
                              NULL};
        int status;
        if (run_runtime(o, args, &status, err) < 0)
                return -err->code;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                runtime_error(o, s->err_r, status, err);
                return -err->code;
        }
        if (read_pid_file(s->pid_path, ret_pid, err) < 0) {
                monitor_destroy(o, 0);
                return -err->code;
        }
        return 0;
}

void monitor_destroy(const struct monitor_options *o, pid_t pid)
{
        struct vs_error ignored = VS_ERROR_INIT, warn = VS_ERROR_INIT;
        if (o->runtime) {
                const char *args[] = {"delete", "--force", o->id, NULL};
                int status;
                (void) run_runtime(o, args, &status, &ignored);
        } else {
                (void) vs_container_delete(o->runtime_root, o->id, true, &ignored, &warn);
        }
        vs_error_ignore(&ignored);
        vs_error_ignore(&warn);
        if (pid > 0)
                while (waitpid(pid, NULL, WNOHANG) < 0 && errno == EINTR)
                        ;
}

/* --- the whole step ----------------------------------------------------------------------- */

static int create(const struct monitor_options *o, struct spawn_ctx *s, pid_t *ret_pid, int *ret_master,
                  struct vs_error *err)
{
        if (o->terminal || (o->runtime && !o->pid_file)) {
                snprintf(s->tmpdir, sizeof(s->tmpdir), "/tmp/vessel-monitor-XXXXXX");
                if (!mkdtemp(s->tmpdir)) {
                        s->tmpdir[0] = '\0';
                        return vs_error_syscall(err, "cannot make a private directory in /tmp");
                }
        }
        if (o->terminal && listen_console(s, err) < 0)
                return -err->code;
        int r = o->runtime ? create_with_runtime(o, s, ret_pid, err) : create_in_process(o, s, ret_pid, err);
        if (r < 0)
                return r;
        if (o->terminal && receive_master(s, ret_master, err) < 0) {
                monitor_destroy(o, *ret_pid);
                return -err->code;
        }
        return 0;
}

int monitor_spawn(const struct monitor_options *o, struct monitor_stdio *ret_stdio, pid_t *ret_pid,
                  struct vs_error *err)
{
        struct spawn_ctx s = {.in_w = -1, .out_r = -1, .err_r = -1, .console_listen = -1};
        int master = -1;
        pid_t pid = 0;
        int r = make_stdio(o, &s, err);
        if (r == 0)
                r = create(o, &s, &pid, &master, err);
        release_child_stdio();
        spawn_ctx_clear(&s);
        if (r < 0) {
                vs_safe_close(s.in_w);
                vs_safe_close(s.out_r);
                vs_safe_close(s.err_r);
                return r;
        }
        if (master >= 0) {
                vs_safe_close(s.err_r);
                *ret_stdio = (struct monitor_stdio){.stdin_fd = o->stdin_open ? fcntl(master, F_DUPFD_CLOEXEC, 3) : -1,
                                                    .stdout_fd = master,
                                                    .stderr_fd = -1};
        } else
                *ret_stdio = (struct monitor_stdio){.stdin_fd = s.in_w, .stdout_fd = s.out_r, .stderr_fd = s.err_r};
        *ret_pid = pid;
        return 0;
}

/* CVE-2019-5736: see create.c's new_pid_namespace. The container's init is
 * a fork of the monitor until it execs; in a new pid namespace nothing can
 * see it, otherwise (a joined or the host's pid namespace) a process of the
 * container could open /proc/PID/exe, the monitor's binary, and overwrite
 * it. Then the monitor must run from a sealed copy of itself. */
bool monitor_needs_sealed_copy(struct monitor_options *o)
{
        if (o->runtime)
                return false; /* the monitor never forks into the container: the runtime protects itself */
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/config.json", o->bundle);
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_oci_config_load(path, &o->config, &ignored) < 0) {
                vs_error_ignore(&ignored); /* the create reports it */
                return false;
        }
        const struct vs_oci_namespace *ns = vs_oci_config_namespace(o->config, VS_NS_PID);
        return !(ns && !ns->path); /* the config stays loaded: the create takes it */
}
