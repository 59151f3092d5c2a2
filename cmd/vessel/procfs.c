/* vessel: the engine's side of vessel-procfs. One daemon per runroot,
 * mounted on <runroot>/procfs, started when a container needs it (create,
 * start), started again when it is found dead (and the new daemon binds its
 * files again in running containers), and stopped when the last container
 * using it is removed, so that nothing outlives the engine's containers.
 * <runroot>/procfs.lock (flock) keeps two commands from starting two. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine/spec_procfs.h"
#include "procfs/binds.h"
#include "util/cleanup.h"
#include "util/files.h"

#define FUSE_SUPER_MAGIC 0x65735546
#define READY_TIMEOUT_MS 10000
/* A daemon no container has used for this long stops by itself: containers
 * that went without `vessel rm` leave nothing running. A created container
 * that starts later gets a new daemon from container_start. */
#define IDLE_EXIT "60"

struct procfs_paths {
        char dir[PATH_MAX], pid_file[PATH_MAX], lock[PATH_MAX], log[PATH_MAX], sock[PATH_MAX];
};

static void procfs_paths(const char *runroot, struct procfs_paths *p)
{
        snprintf(p->dir, sizeof(p->dir), "%s/procfs", runroot);
        snprintf(p->pid_file, sizeof(p->pid_file), "%s/procfs.pid", runroot);
        snprintf(p->lock, sizeof(p->lock), "%s/procfs.lock", runroot);
        snprintf(p->log, sizeof(p->log), "%s/procfs.log", runroot);
        snprintf(p->sock, sizeof(p->sock), "%s/procfs.sock", runroot);
}

/* The runroot, from a container's paths (<runroot>/runtime). */
static void runroot_of(const struct ctr_paths *c, char *buf, size_t size)
{
        snprintf(buf, size, "%s", c->runtime_root);
        char *slash = strrchr(buf, '/');
        if (slash && slash != buf)
                *slash = '\0';
}

static int lock_open(const struct procfs_paths *p, struct vs_error *err)
{
        int fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", p->lock);
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR) {
                        vs_safe_close(fd);
                        return vs_error_syscall(err, "cannot lock %s", p->lock);
                }
        return fd;
}

/* The daemon's pid when the pid file names a live vessel-procfs, else 0. */
static pid_t daemon_pid(const struct procfs_paths *p)
{
        _cleanup_free_ char *text = NULL, *comm = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(p->pid_file, &text, NULL, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return 0;
        }
        pid_t pid = (pid_t) atoi(text);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        if (pid <= 0 || vs_read_file(path, &comm, NULL, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return 0;
        }
        return strncmp(comm, "vessel-procfs\n", 14) == 0 ? pid : 0;
}

/* Does the mount answer (a dead daemon's gives ENOTCONN)? */
static bool mount_live(const struct procfs_paths *p)
{
        struct statfs fs;
        char file[PATH_MAX + 16];
        snprintf(file, sizeof(file), "%s/proc/meminfo", p->dir);
        return statfs(p->dir, &fs) == 0 && fs.f_type == FUSE_SUPER_MAGIC && access(file, R_OK) == 0;
}

static void stop_pid(pid_t pid)
{
        if (pid <= 0)
                return;
        kill(pid, SIGTERM); /* the daemon unmounts on SIGTERM */
        for (int i = 0; i < 200 && process_alive(pid); i++) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        if (process_alive(pid))
                kill(pid, SIGKILL);
}

/* In the forked child: a new session, stdio to /dev/null and the log, then exec. */
static void exec_daemon(const struct procfs_paths *p, int ready)
{
        setsid();
        if (fork() != 0)
                _exit(0); /* the daemon is nobody's child: no zombie, no tie to this command */
        int null = open("/dev/null", O_RDWR);
        int log = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(null, 0);
        dup2(null, 1);
        dup2(log >= 0 ? log : null, 2);
        fcntl(ready, F_SETFD, 0);
        char fd[16];
        snprintf(fd, sizeof(fd), "%d", ready);
        const char *bin = helper_path("VESSEL_PROCFS", "../vessel-procfs/vessel-procfs", "vessel-procfs");
        /* $VESSEL_PROCFS_IDLE_EXIT: seconds without a container before the daemon leaves (tests) */
        const char *idle = getenv("VESSEL_PROCFS_IDLE_EXIT");
        if (!idle || !idle[0] || strspn(idle, "0123456789") != strlen(idle))
                idle = IDLE_EXIT;
        execlp(bin, bin, "--enable-cfs", "--seccomp-socket", p->sock, "--idle-exit", idle, "--pid-file", p->pid_file,
               "--ready-fd", fd, p->dir, (char *) NULL);
        dprintf(2, "vessel: cannot run %s: %s\n", bin, strerror(errno));
        _exit(127);
}

static int spawn_daemon(const struct procfs_paths *p, struct vs_error *err)
{
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return vs_error_syscall(err, "cannot make a pipe for vessel-procfs");
        pid_t child = fork();
        if (child < 0) {
                vs_safe_close(fds[0]);
                vs_safe_close(fds[1]);
                return vs_error_syscall(err, "cannot fork vessel-procfs");
        }
        if (child == 0)
                exec_daemon(p, fds[1]);
        vs_safe_close(fds[1]);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                ;
        char line[64] = "";
        struct pollfd pf = {.fd = fds[0], .events = POLLIN};
        ssize_t n = poll(&pf, 1, READY_TIMEOUT_MS) == 1 ? read(fds[0], line, sizeof(line) - 1) : -1;
        vs_safe_close(fds[0]);
        if (n <= 0 || strncmp(line, "ready", 5) != 0)
                return vs_error_set(err, EIO, "vessel-procfs did not start on %s (see %s)", p->dir, p->log);
        return 0;
}

static int ensure(const char *runroot, struct vs_error *err)
{
        /* `run` asks twice, at create and at start, milliseconds apart: each
         * check is a round trip to the daemon through FUSE. */
        static char checked[PATH_MAX];
        if (strcmp(checked, runroot) == 0)
                return 0;
        struct procfs_paths p;
        procfs_paths(runroot, &p);
        _cleanup_close_ int lock = lock_open(&p, err);
        if (lock < 0)
                return lock;
        pid_t pid = daemon_pid(&p);
        int r = 0;
        if (pid <= 0 || !mount_live(&p)) {
                stop_pid(pid); /* alive but not serving: a hung daemon is replaced */
                r = spawn_daemon(&p, err);
        }
        if (r < 0)
                return vs_error_wrap(err, "--procfs");
        snprintf(checked, sizeof(checked), "%s", runroot);
        return 0;
}

int procfs_add_mounts(const struct ctr_paths *c, struct json_t *spec, struct vs_error *err)
{
        char runroot[PATH_MAX];
        runroot_of(c, runroot, sizeof(runroot));
        int r = ensure(runroot, err);
        if (r < 0)
                return r;
        struct procfs_paths p;
        procfs_paths(runroot, &p);
        r = vs_spec_procfs_add(spec, p.dir, err);
        return r < 0 ? r : vs_spec_procfs_sysinfo(spec, p.sock, err);
}

int procfs_ensure_for(const struct ctr_paths *c, struct vs_error *err)
{
        char runroot[PATH_MAX], needle[PATH_MAX + 16];
        runroot_of(c, runroot, sizeof(runroot));
        snprintf(needle, sizeof(needle), "%s/procfs/proc/", runroot);
        _cleanup_free_ char *config = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(c->config, &config, NULL, &ignored) < 0) {
                vs_error_ignore(&ignored); /* the runtime reports a missing config */
                return 0;
        }
        return strstr(config, needle) ? ensure(runroot, err) : 0;
}

static int count_users(pid_t pid, const struct vs_procfs_bind *b, size_t n, void *data)
{
        return 0;
}

void procfs_release(const struct globals *g)
{
        struct procfs_paths p;
        procfs_paths(g->runroot, &p);
        struct stat st;
        if (stat(p.dir, &st) < 0)
                return; /* never started here */
        struct vs_error ignored = VS_ERROR_INIT;
        _cleanup_close_ int lock = lock_open(&p, &ignored);
        int users = lock < 0 ? -1 : vs_procfs_binds_walk(p.dir, count_users, NULL, &ignored);
        vs_error_ignore(&ignored);
        if (users != 0)
                return;
        stop_pid(daemon_pid(&p));
        while (umount2(p.dir, MNT_DETACH) == 0)
                ;
        rmdir(p.dir);
        unlink(p.pid_file);
        unlink(p.sock);
}
