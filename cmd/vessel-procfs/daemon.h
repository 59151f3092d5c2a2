/* vessel-procfs: the daemon's parts (see vessel-procfs(8), docs/procfs.md). */
#ifndef VESSEL_PROCFS_DAEMON_H
#define VESSEL_PROCFS_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "util/error.h"

enum view {
        VIEW_MEMINFO,
        VIEW_CPUINFO,
        VIEW_STAT,
        VIEW_UPTIME,
        VIEW_LOADAVG,
        VIEW_DISKSTATS,
        VIEW_SWAPS,
        VIEW_CPU_ONLINE,
        VIEW_COUNT
};

struct loads; /* load averages per cgroup, sampled by a thread (loadavg.c) */

struct daemon {
        struct vs_cgroup_hosts hosts; /* read once: the hierarchies do not move under a running host */
        bool enable_cfs;              /* cpus from the CFS quota too, not only the cpuset */
        struct loads *loads;
        const char *mountpoint;
        const char *pid_file;
        int ready_fd;               /* -1: none */
        const char *seccomp_socket; /* NULL: no sysinfo agent */
        int idle_exit;              /* seconds without a container before exiting; 0: never */
};

/* The path of a view in the file system ("/proc/meminfo"). */
const char *view_path(enum view v);
/* Render view v as the process `pid` sees it: *ret is malloc'd. */
int view_render(struct daemon *d, enum view v, pid_t pid, char **ret, size_t *len, struct vs_error *err);

/* The FUSE operations (fs.c). */
struct fuse_operations;
const struct fuse_operations *fs_operations(void);

/* Load averages (loadavg.c). */
int loads_start(struct loads **ret, const struct vs_cgroup_hosts *hosts, struct vs_error *err);
void loads_stop(struct loads *l);
/* The averages of the cgroup `dirs` (registered on first use, then sampled). */
void loads_get(struct loads *l, char **dirs, double out[3]);

/* Repair: bind this mount's files again over the stale binds of a dead
 * daemon in every other mount namespace (rebind.c). Returns how many. */
int rebind_stale(const char *mountpoint, const char *fsname, struct vs_error *err);

/* The sysinfo(2) and sched_getaffinity(2) agent (notify.c): listen on path, then serve in a thread. */
int notify_listen(const char *path, struct vs_error *err);
int notify_start(struct daemon *d, int sock, struct vs_error *err);
/* Whether [addr, addr + len) of process pid is mapped writable (its /proc/PID/maps). */
bool notify_writable(pid_t pid, uint64_t addr, size_t len);

/* sched_getaffinity(2) under a CFS quota (affinity.c): true when answered
 * in resp (value or error); false: let the call go on to the kernel. */
struct seccomp_notif;
struct seccomp_notif_resp;
bool affinity_answer(struct daemon *d, int listener, const struct seccomp_notif *req, struct seccomp_notif_resp *resp);

#endif
