/* vessel-procfs: the FUSE daemon that serves a container's /proc files
 * (meminfo, cpuinfo, stat, uptime, loadavg, diskstats, swaps) and
 * /sys/devices/system/cpu/online as the reading process's cgroup sees them.
 * One daemon serves every container; the engine binds its files over each
 * container's own (see vessel-procfs(8), docs/procfs.md).
 *
 *   vessel-procfs [--enable-cfs] [--seccomp-socket PATH] [--idle-exit SECONDS] [--pid-file FILE] [--ready-fd FD]
 * [--debug] MOUNTPOINT
 *
 * It stays in the foreground; the engine starts it detached. On start it
 * detaches a dead predecessor's mount at MOUNTPOINT and binds its fresh
 * files over the predecessor's stale binds in running containers. */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "procfs/binds.h"
#include "util/cleanup.h"
#include "util/files.h"
#include "util/log.h"

static void usage(FILE *out)
{
        fprintf(out, "Usage: vessel-procfs [--enable-cfs] [--seccomp-socket PATH] [--idle-exit SECONDS]\n"
                     "                     [--pid-file FILE] [--ready-fd FD] [--debug] MOUNTPOINT\n");
}

static int parse(int argc, char **argv, struct daemon *d, bool *debug)
{
        static const struct option longopts[] = {
                {"enable-cfs", no_argument, NULL, 'c'},
                {"pid-file", required_argument, NULL, 'p'},
                {"ready-fd", required_argument, NULL, 'r'},
                {"debug", no_argument, NULL, 'd'},
                {"help", no_argument, NULL, 'h'},
                {"seccomp-socket", required_argument, NULL, 's'},
                {"idle-exit", required_argument, NULL, 'i'},
                {0},
        };
        int c;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        d->enable_cfs = true;
                        break;
                case 'p':
                        d->pid_file = optarg;
                        break;
                case 'r':
                        d->ready_fd = atoi(optarg);
                        break;
                case 's':
                        d->seccomp_socket = optarg;
                        break;
                case 'i':
                        d->idle_exit = atoi(optarg);
                        break;
                case 'd':
                        *debug = true;
                        break;
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        }
        if (optind != argc - 1) {
                usage(stderr);
                return -EINVAL;
        }
        d->mountpoint = argv[optind];
        return 0;
}

/* The mount's source in mountinfo: the mount point itself, so that two
 * daemons (two runroots) never take each other's binds for stale ones. */
static void fsname_option(const char *mountpoint, char *buf, size_t size)
{
        size_t w = (size_t) snprintf(buf, size, "allow_other,ro,default_permissions,subtype=vessel-procfs,fsname=");
        for (const char *p = mountpoint; *p && w + 3 < size; p++) {
                if (*p == ',' || *p == '\\')
                        buf[w++] = '\\';
                buf[w++] = *p;
        }
        buf[w] = '\0';
}

static int write_pid_file(const char *path, const char *text, struct vs_error *err)
{
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        const char *name = slash ? slash + 1 : path;
        if (slash)
                *slash = '\0';
        _cleanup_close_ int fd = open(slash ? (dir[0] ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open the directory of %s", path);
        return vs_write_file_replace(fd, name, text, strlen(text), 0644, err);
}

/* After the mount: repair stale binds, then say ready (pid file, ready fd). */
static int count_namespace(pid_t pid, const struct vs_procfs_bind *b, size_t n, void *data)
{
        return 0;
}

/* --idle-exit: stop (as on SIGTERM: unmount, exit) once no mount namespace
 * has held a bind of this file system for that long, so a daemon whose
 * containers went without `vessel rm` does not stay behind. */
static void *idle_watch(void *arg)
{
        struct daemon *d = arg;
        time_t last_used = time(NULL);
        for (;;) {
                sleep(d->idle_exit < 10 ? (unsigned) d->idle_exit : 10);
                struct vs_error ignored = VS_ERROR_INIT;
                int users = vs_procfs_binds_walk(d->mountpoint, count_namespace, NULL, &ignored);
                vs_error_ignore(&ignored);
                if (users != 0)
                        last_used = time(NULL);
                else if (time(NULL) - last_used >= d->idle_exit) {
                        vs_log(VS_LOG_INFO, "no container has used %s for %d s: exiting", d->mountpoint, d->idle_exit);
                        kill(getpid(), SIGTERM);
                        return NULL;
                }
        }
}

static void *announce(void *arg)
{
        struct daemon *d = arg;
        struct vs_error err = VS_ERROR_INIT;
        int n = rebind_stale(d->mountpoint, d->mountpoint, &err);
        if (n < 0)
                vs_log_error("%s", err.msg); /* the files still work in new containers */
        else if (n > 0)
                vs_log(VS_LOG_INFO, "bound %d files again in running containers", n);
        if (d->pid_file) {
                char text[32];
                snprintf(text, sizeof(text), "%d", (int) getpid());
                err = (struct vs_error) VS_ERROR_INIT;
                if (write_pid_file(d->pid_file, text, &err) < 0)
                        vs_log_error("%s", err.msg);
        }
        if (d->ready_fd >= 0) {
                dprintf(d->ready_fd, "ready %d\n", n < 0 ? 0 : n);
                close(d->ready_fd);
        }
        return NULL;
}

static int serve(struct daemon *d, const char *argv0)
{
        char opts[8192];
        fsname_option(d->mountpoint, opts, sizeof(opts));
        char *args_v[] = {(char *) argv0, (char *) "-o", opts, NULL};
        struct fuse_args args = FUSE_ARGS_INIT(3, args_v);
        struct fuse *f = fuse_new(&args, fs_operations(), sizeof(struct fuse_operations), d);
        if (!f) {
                vs_log_error("cannot set up the FUSE file system");
                return 1;
        }
        int status = 1;
        if (fuse_mount(f, d->mountpoint) != 0) {
                vs_log_error("cannot mount a FUSE file system on %s", d->mountpoint);
                goto out;
        }
        if (fuse_set_signal_handlers(fuse_get_session(f)) != 0) {
                vs_log_error("cannot handle signals");
                goto unmount;
        }
        pthread_t t;
        if (pthread_create(&t, NULL, announce, d) != 0) {
                vs_log_error("cannot start a thread");
                goto unmount;
        }
        pthread_detach(t);
        if (d->idle_exit > 0 && pthread_create(&t, NULL, idle_watch, d) == 0)
                pthread_detach(t);
        status = fuse_loop_mt(f, 0) == 0 ? 0 : 1;
        fuse_remove_signal_handlers(fuse_get_session(f));
unmount:
        fuse_unmount(f);
out:
        fuse_destroy(f);
        fuse_opt_free_args(&args);
        return status;
}

int main(int argc, char **argv)
{
        struct daemon d = {.ready_fd = -1};
        bool debug = false;
        if (parse(argc, argv, &d, &debug) < 0)
                return 2;
        vs_log_open("vessel-procfs", NULL, false, debug ? VS_LOG_DEBUG : VS_LOG_WARNING);
        if (mkdir(d.mountpoint, 0755) < 0 && errno != EEXIST) {
                vs_log_error("cannot make %s: %s", d.mountpoint, strerror(errno));
                return 1;
        }
        /* A dead daemon's mount answers ENOTCONN: detach it (and anything stacked). */
        while (umount2(d.mountpoint, MNT_DETACH) == 0)
                ;
        struct vs_error err = VS_ERROR_INIT;
        int sock = -1;
        if (vs_cgroup_hosts_detect(&d.hosts, &err) < 0 || loads_start(&d.loads, &d.hosts, &err) < 0 ||
            (d.seccomp_socket &&
             ((sock = notify_listen(d.seccomp_socket, &err)) < 0 || notify_start(&d, sock, &err) < 0))) {
                vs_log_error("%s", err.msg);
                return 1;
        }
        int status = serve(&d, argv[0]);
        loads_stop(d.loads);
        vs_cgroup_hosts_clear(&d.hosts);
        if (d.pid_file)
                unlink(d.pid_file);
        if (d.seccomp_socket)
                unlink(d.seccomp_socket);
        return status;
}
