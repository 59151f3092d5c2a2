/* vessel: the figures of a process's cgroup that a container's /proc files
 * show (vessel-procfs): memory limit and usage, the cpus it may run on, its
 * CFS quota, cpu time, tasks, block I/O and start time. Read from whichever
 * hierarchy holds each controller, v1 or v2, so a hybrid host is no special
 * case. A part whose controller is absent, or that the cgroup does not
 * limit, has its has_* flag false: the renderer then shows the host's. */
#ifndef VESSEL_CGROUP_FIGURES_H
#define VESSEL_CGROUP_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "util/error.h"

#define VS_FIGURES_IO_MAX 32
#define VS_FIGURES_CPUS_MAX 512

struct vs_cgroup_io_figures {
        uint32_t major, minor;
        uint64_t read_bytes, write_bytes, reads, writes;
};

struct vs_cgroup_figures {
        bool has_memory;    /* the memory controller answers for a non-root cgroup */
        uint64_t mem_limit; /* bytes; UINT64_MAX: no limit */
        uint64_t mem_usage; /* bytes, page cache included */
        uint64_t mem_cache, mem_anon, mem_shmem, mem_mapped;
        uint64_t mem_active_anon, mem_inactive_anon, mem_active_file, mem_inactive_file, mem_unevictable;
        uint64_t mem_slab_reclaimable, mem_slab_unreclaimable; /* v2 only; 0 on v1 */

        bool has_swap;       /* swap is accounted (v1 memsw, v2 memory.swap.*) */
        uint64_t swap_limit; /* swap alone, bytes; UINT64_MAX: no limit */
        uint64_t swap_usage;

        bool has_cpuset;
        char cpus[VS_FIGURES_CPUS_MAX]; /* "0-1,4" */

        bool has_quota;      /* a CFS quota is set */
        uint64_t cfs_quota;  /* us */
        uint64_t cfs_period; /* us */

        bool has_cpu_usage;
        uint64_t cpu_user_ns, cpu_system_ns;

        bool has_tasks;
        uint32_t tasks_running, tasks_total; /* running: R or D, as the kernel's load counts */
        int last_pid;
        double start_seconds; /* the oldest process's start, in seconds since boot */

        bool has_io;
        struct vs_cgroup_io_figures io[VS_FIGURES_IO_MAX];
        size_t n_io;
};

/* The cgroup directories of `pid` (from /proc/PID/cgroup, under the mounts
 * of `hosts`), one per hierarchy, NULL-terminated. Lines naming no mounted
 * hierarchy (name=systemd without a mount) are skipped. */
int vs_cgroup_dirs_of_pid(const struct vs_cgroup_hosts *hosts, pid_t pid, char ***ret, struct vs_error *err);

/* The same from the text of a /proc/PID/cgroup file: pure, for tests. */
int vs_cgroup_dirs_of_text(const struct vs_cgroup_hosts *hosts, const char *text, char ***ret, struct vs_error *err);

/* The parts to read: each view of vessel-procfs needs only some. */
enum {
        VS_FIGURES_MEMORY = 1 << 0,    /* memory and swap */
        VS_FIGURES_CPUS = 1 << 1,      /* cpuset and CFS quota */
        VS_FIGURES_CPU_USAGE = 1 << 2, /* cpu time */
        VS_FIGURES_TASKS = 1 << 3,     /* tasks and start time */
        VS_FIGURES_IO = 1 << 4,        /* block I/O */
        VS_FIGURES_ALL = (1 << 5) - 1,
};

/* Read the `parts` of the figures of the cgroup whose directories are
 * `dirs`. A file the kernel does not offer leaves its part unset; only a
 * directory list that names no mounted hierarchy is an error. */
int vs_cgroup_figures_read(const struct vs_cgroup_hosts *hosts, char **dirs, unsigned parts,
                           struct vs_cgroup_figures *out, struct vs_error *err);

/* The thread ids of the cgroup whose directories are `dirs` (host pids,
 * one a line; malloc'd), or NULL when no directory of it lists them. */
char *vs_cgroup_figures_threads(const struct vs_cgroup_hosts *hosts, char **dirs);

/* Parse v1 blkio.throttle.io_service_bytes and io_serviced ("8:0 Read 4096")
 * or v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4") into f->io. Pure. */
void vs_cgroup_figures_parse_blkio(const char *bytes, const char *ios, struct vs_cgroup_figures *f);
void vs_cgroup_figures_parse_io_stat(const char *text, struct vs_cgroup_figures *f);

#endif
