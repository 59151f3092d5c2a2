/* vessel: the text of a container's /proc and /sys files from its cgroup
 * figures (vessel-procfs). Pure functions: the host's file text and the
 * figures in, the container's text out (malloc'd), so every view is tested
 * without FUSE. Where the cgroup cannot answer (no controller, no limit) a
 * line or a whole file stays the host's. */
#ifndef VESSEL_PROCFS_PROCFS_H
#define VESSEL_PROCFS_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup/figures.h"
#include "util/error.h"

#define VS_PROCFS_CPUS_MAX 1024

/* The host cpus a container sees, in ascending order; it sees them
 * renumbered from 0. */
struct vs_procfs_cpus {
        unsigned n;
        uint16_t id[VS_PROCFS_CPUS_MAX];
};

/* Parse a cpu list ("0-3,8,10-11"); -EINVAL on anything else. */
int vs_procfs_cpus_parse(const char *list, struct vs_procfs_cpus *ret);
/* The cpus of the host's online list that the cgroup's cpuset allows; with
 * use_quota and a CFS quota, only the first ceil(quota / period) of them,
 * as lxcfs's --enable-cfs. Never fewer than one. */
void vs_procfs_visible_cpus(const char *host_online, const struct vs_cgroup_figures *f, bool use_quota,
                            struct vs_procfs_cpus *ret);

/* The cpus a CFS quota allows: ceil(quota / period), at least one; 0 when
 * the figures have no quota. */
unsigned vs_procfs_quota_cpus(const struct vs_cgroup_figures *f);
/* Narrow an affinity mask (sched_getaffinity's: `size` bytes, a multiple
 * of sizeof(long)) to its first `n` cpus; returns how many it keeps. */
unsigned vs_procfs_affinity_limit(void *mask, size_t size, unsigned n);

/* Each returns 0 and a new text in *ret, or -ENOMEM with err filled. */
int vs_procfs_meminfo(const char *host, const struct vs_cgroup_figures *f, char **ret, struct vs_error *err);
int vs_procfs_cpuinfo(const char *host, const struct vs_procfs_cpus *cpus, char **ret, struct vs_error *err);
/* /sys/devices/system/cpu/online: "0" or "0-N" for N+1 visible cpus. */
int vs_procfs_cpu_online(const struct vs_procfs_cpus *cpus, char **ret, struct vs_error *err);
/* /proc/stat: cpu lines from the cgroup's cpu time spread over its visible
 * cpus (idle is the rest of its uptime), procs_running from its tasks; the
 * other lines are the host's. tick: USER_HZ; uptime: the container's, in s. */
int vs_procfs_stat(const char *host, const struct vs_cgroup_figures *f, const struct vs_procfs_cpus *cpus,
                   double uptime, long tick, char **ret, struct vs_error *err);
/* The container's uptime in seconds: the host's less its oldest task's start. */
double vs_procfs_container_uptime(double host_uptime, const struct vs_cgroup_figures *f);
/* /proc/uptime: the container's uptime and idle (cpus x uptime less its cpu time). */
int vs_procfs_uptime(double host_uptime, double host_idle, const struct vs_cgroup_figures *f, unsigned ncpus,
                     char **ret, struct vs_error *err);
/* /proc/loadavg from load averages the caller keeps (see vs_procfs_load_update). */
int vs_procfs_loadavg(const char *host, const double load[3], const struct vs_cgroup_figures *f, char **ret,
                      struct vs_error *err);
/* The kernel's exponential decay of load averages, for a sample of
 * `active` running tasks taken every 5 seconds (VS_PROCFS_LOAD_INTERVAL). */
#define VS_PROCFS_LOAD_INTERVAL 5
void vs_procfs_load_update(double load[3], unsigned active);
/* /proc/diskstats: only the devices the cgroup did I/O on, with its counts. */
int vs_procfs_diskstats(const char *host, const struct vs_cgroup_figures *f, char **ret, struct vs_error *err);
/* /proc/swaps: one "none virtual" line of the cgroup's swap limit and usage
 * when it has one and the host swaps (host_swap_kb: the host's SwapTotal). */
int vs_procfs_swaps(const char *host, uint64_t host_swap_kb, const struct vs_cgroup_figures *f, char **ret,
                    struct vs_error *err);

/* sysinfo(2) as the container sees it: memory and swap from its cgroup
 * (in the host's mem_unit), uptime, its load averages and task count; what
 * the cgroup does not limit stays the host's. */
struct sysinfo;
void vs_procfs_sysinfo(const struct sysinfo *host, const struct vs_cgroup_figures *f, double uptime,
                       const double load[3], struct sysinfo *ret);

/* The value of "Key:" in a meminfo-like text, in kB; false when absent. */
bool vs_procfs_meminfo_value(const char *text, const char *key, uint64_t *ret);

#endif
