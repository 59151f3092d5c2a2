/* vessel: the container commands' shared machinery (see engine.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine/volumes.h"
#include "image/overlay.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/files.h"
#include "vessel-config.h"

int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ctr_paths(const struct globals *g, const char *id, struct ctr_paths *p)
{
        snprintf(p->dir, sizeof(p->dir), "%s/containers/%s", g->root, id);
        snprintf(p->upper, sizeof(p->upper), "%s/upper", p->dir);
        snprintf(p->work, sizeof(p->work), "%s/work", p->dir);
        snprintf(p->merged, sizeof(p->merged), "%s/merged", p->dir);
        snprintf(p->log, sizeof(p->log), "%s/json.log", p->dir);
        snprintf(p->rundir, sizeof(p->rundir), "%s/containers/%s", g->runroot, id);
        snprintf(p->bundle, sizeof(p->bundle), "%s", p->rundir);
        snprintf(p->config, sizeof(p->config), "%s/config.json", p->rundir);
        snprintf(p->exit_file, sizeof(p->exit_file), "%s/exit", p->rundir);
        snprintf(p->exit_lock, sizeof(p->exit_lock), "%s/exit.lock", p->rundir);
        /* sun_path holds 107 bytes: the socket gets a short name of its own */
        snprintf(p->attach, sizeof(p->attach), "%s/s/%.12s", g->runroot, id);
        snprintf(p->monitor_pid, sizeof(p->monitor_pid), "%s/monitor.pid", p->rundir);
        snprintf(p->runtime_root, sizeof(p->runtime_root), "%s/runtime", g->runroot);
}

int engine_open(const struct globals *g, struct vs_store **ret, struct vs_error *err)
{
        int r = open_store(g, ret, err);
        if (r < 0)
                return r;
        r = vs_containers_init((*ret)->db, err);
        if (r == 0)
                r = vs_volumes_init((*ret)->db, err);
        if (r < 0) {
                vs_store_close(*ret);
                *ret = NULL;
        }
        return r;
}

const char *helper_path(const char *env, const char *build_rel, const char *installed)
{
        static char buf[2 * PATH_MAX];
        const char *v = getenv(env);
        if (v && v[0])
                return v;
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                char *slash = strrchr(self, '/');
                if (slash) {
                        *slash = '\0';
                        snprintf(buf, sizeof(buf), "%s/%s", self, build_rel);
                        if (access(buf, X_OK) == 0)
                                return buf;
                }
        }
        return installed;
}

/* Is `path` a mount point (its device differs from its parent's)? */
static bool is_mounted(const char *path)
{
        struct stat a, b;
        char parent[PATH_MAX];
        snprintf(parent, sizeof(parent), "%s/..", path);
        return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

int rootfs_mount(struct vs_store *s, const struct vs_container *c, const struct ctr_paths *p, struct vs_error *err)
{
        if (is_mounted(p->merged))
                return 0;
        struct vs_image img = {0};
        int r = vs_store_image_lookup(s, c->image_id, &img, err);
        if (r < 0)
                return r;
        char **lowers = calloc(img.n_layers + 1, sizeof(char *));
        r = lowers ? 0 : vs_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; r == 0 && i < img.n_layers; i++) {
                /* top layer first */
                lowers[i] = vs_store_layer_path(s, img.layers[img.n_layers - 1 - i].chain_id);
                if (!lowers[i])
                        r = vs_error_set(err, ENOMEM, "out of memory");
        }
        /* A --rm container's upper layer dies with it: "volatile" spares the
         * sync of the whole host filesystem that unmounting an overlay does
         * (tens of milliseconds of every `run --rm`), as podman does for
         * transient containers. After a host crash such an overlay cannot be
         * mounted again, and a --rm container is never mounted again anyway. */
        if (r == 0)
                r = vs_overlay_mount((const char *const *) lowers, img.n_layers, p->upper, p->work, p->merged,
                                     c->auto_remove ? "volatile" : NULL, err);
        if (r < 0)
                vs_error_wrap(err, "container %.12s: root filesystem", c->id);
        vs_strv_free(lowers);
        vs_image_free(&img);
        return r;
}

void rootfs_unmount(const struct ctr_paths *p)
{
        while (umount2(p->merged, MNT_DETACH) == 0)
                ;
}

int read_exit_file(const char *path, int *exit_code, int64_t *finished)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(path, &data, &len, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return -ENOENT;
        }
        json_t *o = json_loadb(data, len, 0, NULL);
        json_t *code = json_object_get(o, "exitCode");
        if (!json_is_integer(code)) {
                json_decref(o);
                return -EINVAL;
        }
        *exit_code = (int) json_integer_value(code);
        if (finished) {
                struct tm tm = {0};
                const char *at = json_string_value(json_object_get(o, "finishedAt"));
                *finished =
                        at && strptime(at, "%Y-%m-%dT%H:%M:%S", &tm) ? (int64_t) timegm(&tm) * 1000000000 : now_ns();
        }
        json_decref(o);
        return 0;
}

int attach_connect(const char *path, struct vs_error *err)
{
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        /* A path longer than sun_path is reached through its directory's fd. */
        _cleanup_close_ int dirfd = -1;
        const char *slash = strrchr(path, '/');
        if (strlen(path) < sizeof(sa.sun_path)) {
                memcpy(sa.sun_path, path, strlen(path) + 1);
        } else if (slash) {
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%.*s", (int) (slash - path), path);
                dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%.60s", dirfd, slash + 1);
        }
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                vs_error_syscall(err, "cannot attach to %s", path);
                if (fd >= 0)
                        close(fd);
                return -EIO;
        }
        return fd;
}

/* Spawn vessel-monitor and read its one sync line: the init's pid. */
static int spawn_monitor(const struct globals *g, const struct vs_container *c, const struct ctr_paths *p, int *pid,
                         struct vs_error *err)
{
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return vs_error_syscall(err, "cannot make a pipe for the monitor");
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[n > 0 ? n : 0] = '\0';
        const char *monitor = helper_path("VESSEL_MONITOR", "../vessel-monitor/vessel-monitor", "vessel-monitor");
        char syncfd[16];
        snprintf(syncfd, sizeof(syncfd), "%d", fds[1]);
        struct monitor_extra extra;
        struct container_dns_args dns;
        if (monitor_extra_args(c, &extra, err) < 0 || container_dns_monitor_args(c, p, &dns, err) < 0) {
                close(fds[0]);
                close(fds[1]);
                return -EINVAL;
        }
        const char *argv[72];
        int a = 0;
        argv[a++] = monitor;
        const char *fixed[] = {"--id",
                               c->id,
                               "--bundle",
                               p->bundle,
                               "--runtime-root",
                               p->runtime_root,
                               "--exit-file",
                               p->exit_file,
                               "--log-path",
                               p->log,
                               "--attach-socket",
                               p->attach,
                               "--monitor-pid-file",
                               p->monitor_pid,
                               "--sync-fd",
                               syncfd,
                               "--exit-lock",
                               p->exit_lock,
                               "--foreground", /* spawned in a session of its own below, not double-forked */
                               "--exit-command",
                               self,
                               "--exit-command-arg",
                               "--root",
                               "--exit-command-arg",
                               g->root,
                               "--exit-command-arg",
                               "--runroot",
                               "--exit-command-arg",
                               g->runroot,
                               "--exit-command-arg",
                               "container",
                               "--exit-command-arg",
                               "cleanup",
                               "--exit-command-arg",
                               c->id};
        for (size_t i = 0; i < VS_ARRAY_SIZE(fixed); i++)
                argv[a++] = fixed[i];
        if (c->tty)
                argv[a++] = "--terminal";
        if (c->interactive)
                argv[a++] = "--stdin";
        for (const char **x = extra.argv; *x; x++)
                argv[a++] = *x;
        for (const char **x = dns.argv; *x; x++)
                argv[a++] = *x;
        argv[a] = NULL;
        /* posix_spawn (vfork and exec): nothing of this process's memory is
         * copied, nor copied on write while the child starts. The monitor
         * gets a session of its own (no terminal's signals reach it) and
         * stays this command's child until the command ends, when the
         * kernel hands it to the reaper, as the double fork of a detaching
         * monitor would have, two forks sooner. */
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
        posix_spawn_file_actions_adddup2(&fa, 0, 1);
        posix_spawn_file_actions_adddup2(&fa, fds[1], fds[1]); /* same fd: clears its FD_CLOEXEC */
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
        pid_t child;
        int rc = posix_spawnp(&child, monitor, &fa, &attr, (char **) argv, environ);
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (rc != 0) {
                close(fds[0]);
                return vs_error_set(err, rc, "cannot run %s: %s", monitor, strerror(rc));
        }
        char line[2048];
        size_t got = 0;
        ssize_t rd;
        while (got + 1 < sizeof(line) && (rd = read(fds[0], line + got, sizeof(line) - 1 - got)) != 0) {
                if (rd < 0 && errno == EINTR)
                        continue;
                if (rd < 0)
                        break;
                got += (size_t) rd;
        }
        line[got] = '\0';
        close(fds[0]);
        json_t *o = json_loads(line, 0, NULL);
        json_t *v = json_object_get(o, "pid");
        int r = 0;
        if (json_is_integer(v)) {
                *pid = (int) json_integer_value(v);
        } else {
                r = vs_error_set(err, EIO, "%s",
                                 json_is_string(json_object_get(o, "error"))
                                         ? json_string_value(json_object_get(o, "error"))
                                         : "the monitor did not report");
                waitpid(child, NULL, 0); /* it exits after its error line */
        }
        json_decref(o);
        return r;
}

static int read_pid_file(const char *path)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(path, &data, &len, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return 0;
        }
        return atoi(data);
}

/* A foreground `run --rm` removes its container itself once it has its exit
 * status. It holds the exit lock until then (until this process ends), and
 * the monitor, finding the container gone when it gets the lock, does not
 * start the exit command: one process less, and no two cleanups racing for
 * the store. Should this process die first, the lock is free and the
 * monitor's exit command cleans up as for any other container. */
static int hold_exit_lock(const struct ctr_paths *p, struct vs_error *err)
{
        int fd = open(p->exit_lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", p->exit_lock);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = vs_error_syscall(err, "cannot lock %s", p->exit_lock);
                close(fd);
                return r;
        }
        return 0; /* fd stays open, and locked, until exit */
}

int container_start(const struct globals *g, struct vs_store *s, struct vs_container *c, int *attach_sock,
                    struct vs_error *err)
{
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        unlink(p.exit_file);
        if (attach_sock && c->auto_remove) {
                int r = hold_exit_lock(&p, err);
                if (r < 0)
                        return r;
        }
        /* a start by the user: its restart policy applies again (restart_policy.c) */
        int r = c->policy_restart ? 0 : vs_container_set_stopped_by_user(s->db, c->id, false, err);
        if (r == 0)
                r = rootfs_mount(s, c, &p, err);
        if (r == 0) /* vessel-procfs serves before the runtime binds its files */
                r = procfs_ensure_for(&p, err);
        if (r == 0)
                r = container_volumes_mount(g, s, c->id, err);
        if (r == 0) /* its network namespace, before the runtime joins it */
                r = container_net_setup(g, s, c, err);
        int pid = 0;
        if (r == 0)
                r = spawn_monitor(g, c, &p, &pid, err);
        if (r == 0 && attach_sock) { /* before the start: no output is missed */
                *attach_sock = attach_connect(p.attach, err);
                r = *attach_sock < 0 ? *attach_sock : 0;
        }
        if (r < 0) {
                struct vs_error ignored = VS_ERROR_INIT;
                if (pid > 0 && runtime_kill(&p, c, SIGKILL, true, &ignored) < 0)
                        vs_error_ignore(&ignored);
                container_net_teardown(g, s, c->id);
                return r;
        }
        r = runtime_start(&p, c, err);
        if (r < 0) {
                struct vs_error ignored = VS_ERROR_INIT;
                runtime_kill(&p, c, SIGKILL, true, &ignored);
                vs_error_ignore(&ignored);
                container_net_teardown(g, s, c->id);
                return r;
        }
        int monitor = read_pid_file(p.monitor_pid);
        int64_t started = now_ns();
        r = vs_container_set_running(s->db, c->id, pid, monitor, started, err);
        if (r == 0) {
                free(c->state);
                c->state = strdup("running");
                c->pid = pid;
                c->monitor_pid = monitor;
                c->started_at = started;
        }
        return r;
}

/* Force-delete the runtime's state of a container whose process is gone or
 * going: nothing to report if it is already gone. */
static void runtime_forget(const struct ctr_paths *p, const struct vs_container *c)
{
        struct vs_error ignored = VS_ERROR_INIT;
        if (runtime_delete(p, c, true, &ignored) < 0)
                vs_error_ignore(&ignored);
}

/* The end of a container whose monitor is gone: its exit code from the exit
 * file (-1 when there is none, after a SIGKILL of whatever is left when
 * `kill_unknown`), and its runtime state deleted. */
static void collect_exit(const struct ctr_paths *p, const struct vs_container *c, bool kill_unknown, int *code,
                         int64_t *finished)
{
        *code = -1;
        *finished = now_ns();
        if (read_exit_file(p->exit_file, code, finished) < 0) {
                *code = -1;
                struct vs_error ignored = VS_ERROR_INIT;
                if (kill_unknown && runtime_kill(p, c, SIGKILL, true, &ignored) < 0)
                        vs_error_ignore(&ignored);
        }
        runtime_forget(p, c);
}

int container_remove(const struct globals *g, struct vs_store *s, const struct vs_container *c, struct vs_error *err)
{
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        struct vs_error ignored = VS_ERROR_INIT;
        runtime_forget(&p, c);
        rootfs_unmount(&p);
        container_net_forget(g, s, c->id); /* before the rundir goes: its netns mount */
        if (vs_remove_tree_at(AT_FDCWD, p.rundir, &ignored) < 0)
                vs_error_ignore(&ignored);
        int r = vs_remove_tree_at(AT_FDCWD, p.dir, err);
        if (r < 0 && r != -ENOENT)
                return r;
        r = vs_container_remove(s->db, c->id, err);
        if (r == 0 && vs_store_image_hold(s, c->image_id, -1, &ignored) < 0)
                vs_error_ignore(&ignored);
        if (r == 0)
                container_volumes_release(g, s);
        /* vessel-procfs stays: it leaves by itself once idle (--idle-exit), or with `system prune` */
        return r;
}

int container_cleanup(const struct globals *g, struct vs_store *s, const char *id, struct vs_error *err)
{
        struct vs_container c = {0};
        int r = vs_container_find(s->db, id, &c, err);
        if (r < 0)
                return r;
        struct ctr_paths p;
        ctr_paths(g, c.id, &p);
        int code;
        int64_t finished;
        collect_exit(&p, &c, false, &code, &finished);
        container_net_teardown(g, s, c.id);
        if (c.auto_remove)
                r = container_remove_volumes(g, s, &c, err);
        else
                r = vs_container_set_exited(s->db, c.id, code, finished, err);
        if (r == 0 && !c.auto_remove)
                r = container_restart_by_policy(g, s, c.id, err);
        vs_container_free(&c);
        return r;
}

/* Alive, and not a zombie nobody reaped (the monitor's parent is init). */
bool process_alive(int pid)
{
        if (pid <= 0 || kill(pid, 0) < 0)
                return false;
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        const char *paren = strrchr(buf, ')');
        return !(paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

void container_refresh(const struct globals *g, struct vs_store *s, struct vs_container *c)
{
        if (strcmp(c->state, "running") != 0)
                return;
        if (process_alive(c->monitor_pid))
                return;
        /* The monitor is gone: it died (kill -9) or its exit command is still
         * running. Record what the exit file says, or an unknown status. */
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        int code;
        int64_t finished;
        collect_exit(&p, c, true, &code, &finished);
        container_net_teardown(g, s, c->id);
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_container_set_exited(s->db, c->id, code, finished, &ignored) < 0)
                vs_error_ignore(&ignored);
        free(c->state);
        c->state = strdup("exited");
        c->exit_code = code;
        c->finished_at = finished;
}

int container_wait_attached(const struct globals *g, struct vs_store *s, const struct vs_container *c, int *exit_code,
                            struct vs_error *err)
{
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        int64_t finished = 0;
        if (read_exit_file(p.exit_file, exit_code, &finished) == 0 &&
            vs_container_set_exited_run(s->db, c->id, c->started_at, *exit_code, finished, err) == 0)
                return 0;
        vs_error_ignore(err);
        return container_wait(g, s, c->id, exit_code, err);
}

int container_wait(const struct globals *g, struct vs_store *s, const char *id, int *exit_code, struct vs_error *err)
{
        useconds_t pause = 1000;
        for (;;) {
                struct vs_container c = {0};
                int r = vs_container_find(s->db, id, &c, err);
                if (r == -ENOENT) {
                        /* removed (--rm): the exit file may still tell */
                        return r;
                }
                if (r < 0)
                        return r;
                container_refresh(g, s, &c);
                bool done = strcmp(c.state, "running") != 0;
                *exit_code = c.exit_code;
                vs_container_free(&c);
                if (done)
                        return 0;
                usleep(pause); /* 1 ms, doubling up to 32 ms: most exits are recorded within a few */
                if (pause < 32000)
                        pause *= 2;
        }
}
