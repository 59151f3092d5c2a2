/* vessel-procfs: the seccomp agent's answer to sched_getaffinity(2), so
 * that nproc (which counts the affinity mask) follows a CFS quota as
 * /proc/cpuinfo does with --enable-cfs. The process is not pinned: its
 * real mask (/proc/PID/status Cpus_allowed_list, sched_setaffinity) stays
 * as it is; only what sched_getaffinity tells it is narrowed, to the first
 * ceil(quota / period) cpus of the real mask. Without a quota, or for a
 * pid this agent cannot place in the caller's container, the call goes on
 * to the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel reads the
 * arguments again, nothing was checked here that it relies on). */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/figures.h"
#include "daemon.h"
#include "procfs/procfs.h"
#include "util/cleanup.h"

/* The largest mask asked of the kernel: 65536 cpus, above any NR_CPUS. */
#define MASK_MAX 8192

/* The NSpid line of /proc/TID/status: the thread's id in each pid
 * namespace, outermost first. Returns how many (0: none read). */
static size_t nspids(pid_t tid, long out[], size_t max)
{
        char path[64], line[512];
        snprintf(path, sizeof(path), "/proc/%d/status", (int) tid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        size_t n = 0;
        while (f && n == 0 && fgets(line, sizeof(line), f))
                if (strncmp(line, "NSpid:", 6) == 0)
                        for (char *p = line + 6, *end; n < max; p = end) {
                                long v = strtol(p, &end, 10);
                                if (end == p)
                                        break;
                                out[n++] = v;
                        }
        return n;
}

/* The host tid of the thread the caller names `vpid` (its own pid
 * namespace's number): 0 is the caller; else a thread of the caller's
 * cgroup whose id at the caller's namespace depth is vpid. 0: not found. */
static pid_t target_tid(const struct daemon *d, char **dirs, pid_t caller, long vpid)
{
        if (vpid == 0)
                return caller;
        long ids[32];
        size_t depth = nspids(caller, ids, 32);
        if (depth == 0)
                return 0;
        if (ids[depth - 1] == vpid)
                return caller;
        _cleanup_free_ char *threads = vs_cgroup_figures_threads(&d->hosts, dirs);
        char *save = NULL;
        for (char *t = threads ? strtok_r(threads, "\n", &save) : NULL; t; t = strtok_r(NULL, "\n", &save)) {
                pid_t tid = (pid_t) atoi(t);
                long theirs[32];
                if (nspids(tid, theirs, 32) >= depth && theirs[depth - 1] == vpid)
                        return tid;
        }
        return 0;
}

/* Write the answer into the caller's buffer, once the notification is
 * known to be still the caller's (seccomp_unotify(2)): false if it is not. */
static bool write_mask(int listener, const struct seccomp_notif *req, const void *mask, size_t len,
                       struct seccomp_notif_resp *resp)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
        _cleanup_close_ int mem = open(path, O_RDWR | O_CLOEXEC);
        __u64 id = req->id;
        if (mem < 0 || ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
                return false;
        /* /proc/PID/mem writes even to read-only pages, where the kernel would fail */
        if (!notify_writable((pid_t) req->pid, req->data.args[2], len) ||
            pwrite(mem, mask, len, (off_t) req->data.args[2]) != (ssize_t) len)
                resp->error = -EFAULT; /* as copy_to_user on a bad pointer */
        else
                resp->val = (__s64) len;
        return true;
}

bool affinity_answer(struct daemon *d, int listener, const struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
        if (!d->enable_cfs)
                return false;
        _cleanup_strv_ char **dirs = NULL;
        struct vs_cgroup_figures f;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_cgroup_dirs_of_pid(&d->hosts, (pid_t) req->pid, &dirs, &ignored) < 0 ||
            vs_cgroup_figures_read(&d->hosts, dirs, VS_FIGURES_CPUS, &f, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        unsigned n = vs_procfs_quota_cpus(&f);
        pid_t tid = n ? target_tid(d, dirs, (pid_t) req->pid, (long) (int) req->data.args[0]) : 0;
        if (tid == 0)
                return false;
        /* the kernel's own checks and size: the same len (unsigned int in
         * the syscall) asks the same of it, capped above any cpumask size
         * with its alignment kept, so EINVAL comes where it would */
        unsigned len = (unsigned) req->data.args[1];
        size_t ask = len > MASK_MAX ? MASK_MAX + (len & (sizeof(long) - 1)) : len;
        _cleanup_free_ void *mask = calloc(1, ask ? ask : 1);
        if (!mask)
                return false;
        long got = syscall(SYS_sched_getaffinity, tid, ask, mask);
        if (got < 0) {
                resp->error = -errno;
                return true;
        }
        vs_procfs_affinity_limit(mask, (size_t) got, n);
        return write_mask(listener, req, mask, (size_t) got, resp);
}
