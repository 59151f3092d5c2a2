/* vessel-procfs: the seccomp notify agent that answers sysinfo(2) (and
 * sched_getaffinity(2), affinity.c). The
 * runtime connects to the socket once per container process that loads the
 * filter (linux.seccomp.listenerPath) and sends the container's state with
 * the seccomp listener fd attached. For each sysinfo() the process makes,
 * this thread computes the container's answer, writes it into the
 * process's buffer and completes the call; anything else, or any failure,
 * lets the call go on to the kernel (the host's answer). sched_getaffinity
 * may be answered with the kernel's own errors (EINVAL, EFAULT, ESRCH).
 *
 * The listeners live only as long as this daemon: after a restart a
 * running container's sysinfo() fails with ENOSYS (the kernel's answer when
 * the agent is gone); new containers get the new daemon. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cgroup/figures.h"
#include "daemon.h"
#include "procfs/procfs.h"
#include "util/cleanup.h"
#include "util/log.h"

#define LISTENERS_MAX 1024

/* Bind a unix socket at path; a path longer than sun_path through its directory's fd. */
int notify_listen(const char *path, struct vs_error *err)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        _cleanup_close_ int dirfd = -1;
        const char *slash = strrchr(path, '/');
        if (strlen(path) < sizeof(addr.sun_path)) {
                memcpy(addr.sun_path, path, strlen(path) + 1);
        } else {
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%.*s", slash ? (int) (slash - path) : 0, path);
                dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%.80s", dirfd, slash + 1);
        }
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        (void) unlink(path);
        if (sock < 0 || bind(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(sock, 64) < 0)
                return vs_error_syscall(err, "cannot listen on %s", path);
        return TAKE_FD(sock);
}

/* One connection from the runtime: the state (ignored) and the listener fd. */
static int receive_listener(int sock)
{
        _cleanup_close_ int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                return -1;
        char state[65536];
        struct iovec iov = {state, sizeof(state)};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } ctl;
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
        if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
                return -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                return -1;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(fd));
        return fd;
}

bool notify_writable(pid_t pid, uint64_t addr, size_t len)
{
        char path[64], line[512];
        snprintf(path, sizeof(path), "/proc/%d/maps", (int) pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        uint64_t cur = addr, stop = addr + len;
        if (stop < addr)
                return false;
        /* the lines come in address order: the range must be covered without a gap, all writable */
        while (f && cur < stop && fgets(line, sizeof(line), f)) {
                unsigned long long start, end;
                char perms[8];
                if (sscanf(line, "%llx-%llx %7s", &start, &end, perms) != 3 || end <= cur)
                        continue;
                if (start > cur || perms[1] != 'w')
                        return false;
                cur = end;
        }
        return cur >= stop;
}

/* Compute the container's sysinfo for the caller and write it to its
 * buffer. The pid may have been reused since the notification came: its
 * memory is opened first (the fd holds that process), then the id is
 * checked (the process is still the caller), then written, as
 * seccomp_unotify(2) advises. */
static bool answer_sysinfo(struct daemon *d, int listener, const struct seccomp_notif *req)
{
        _cleanup_strv_ char **dirs = NULL;
        struct vs_cgroup_figures f;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_cgroup_dirs_of_pid(&d->hosts, (pid_t) req->pid, &dirs, &ignored) < 0 ||
            vs_cgroup_figures_read(&d->hosts, dirs, VS_FIGURES_MEMORY | VS_FIGURES_TASKS, &f, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        struct sysinfo host, out;
        if (sysinfo(&host) < 0)
                return false;
        double load[3] = {0};
        if (f.has_tasks)
                loads_get(d->loads, dirs, load);
        vs_procfs_sysinfo(&host, &f, vs_procfs_container_uptime((double) host.uptime, &f), load, &out);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
        _cleanup_close_ int mem = open(path, O_RDWR | O_CLOEXEC);
        __u64 id = req->id;
        if (mem < 0 || ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
                return false;
        /* /proc/PID/mem writes even to read-only pages: those are left to the kernel's EFAULT */
        if (!notify_writable((pid_t) req->pid, req->data.args[0], sizeof(out)))
                return false;
        return pwrite(mem, &out, sizeof(out), (off_t) req->data.args[0]) == (ssize_t) sizeof(out);
}

/* One notification: sysinfo and sched_getaffinity answered here, everything else goes on.
 * False when the listener fails for good (then it is dropped, not polled
 * in a busy loop). */
static bool handle(struct daemon *d, int listener, struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
        memset(req, 0, sizeof(*req)); /* the kernel refuses a buffer that is not zeroed (EINVAL) */
        /* the ioctls themselves: libseccomp may fold their errno into ECANCELED */
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) /* ENOENT: the caller was killed after poll saw it */
                return errno == ENOENT || errno == EINTR;
        *resp = (struct seccomp_notif_resp){.id = req->id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
        if (req->data.nr == SYS_sysinfo && req->data.args[0] != 0 && answer_sysinfo(d, listener, req))
                *resp = (struct seccomp_notif_resp){.id = req->id};
        if (req->data.nr == SYS_sched_getaffinity) {
                *resp = (struct seccomp_notif_resp){.id = req->id};
                if (!affinity_answer(d, listener, req, resp))
                        *resp = (struct seccomp_notif_resp){.id = req->id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
        }
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
                vs_log_debug("cannot answer a seccomp notification: %s", strerror(errno));
        return true;
}

struct notify_args {
        struct daemon *d;
        int sock;
};

static void *notify_loop(void *arg)
{
        struct notify_args *a = arg;
        struct seccomp_notif req_buf, *req = &req_buf;
        struct seccomp_notif_resp resp_buf, *resp = &resp_buf;
        static struct pollfd pf[LISTENERS_MAX + 1];
        size_t n = 1;
        pf[0] = (struct pollfd){.fd = a->sock, .events = POLLIN};
        for (;;) {
                if (poll(pf, n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (size_t i = n; i-- > 1;) {
                        bool keep = !(pf[i].revents & (POLLHUP | POLLERR | POLLNVAL));
                        if (pf[i].revents & POLLIN)
                                keep = handle(a->d, pf[i].fd, req, resp);
                        if (!keep) {
                                close(pf[i].fd); /* every process of the filter is gone */
                                pf[i] = pf[--n];
                        }
                }
                int fd = pf[0].revents & POLLIN ? receive_listener(a->sock) : -1;
                if (fd >= 0 && n <= LISTENERS_MAX)
                        pf[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
                else if (fd >= 0)
                        close(fd);
        }
        return NULL;
}

int notify_start(struct daemon *d, int sock, struct vs_error *err)
{
        static struct notify_args args;
        args = (struct notify_args){.d = d, .sock = sock};
        pthread_t t;
        int r = pthread_create(&t, NULL, notify_loop, &args);
        if (r != 0)
                return vs_error_errno(err, r, "cannot start the seccomp agent thread");
        pthread_detach(t);
        return 0;
}
