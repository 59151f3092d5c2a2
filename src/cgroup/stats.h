/* vessel: a container's cgroup figures in one call, from whichever
 * hierarchy holds each controller (v1 or v2), in runc's units: cpu times in
 * nanoseconds, memory in bytes. A part whose controller is absent stays
 * zero with its has_* flag false. */
#ifndef VESSEL_CGROUP_STATS_H
#define VESSEL_CGROUP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define VS_STATS_BLKIO_MAX 64
#define VS_STATS_HUGETLB_MAX 8

struct vs_cgroup_mem_entry {
        uint64_t usage, max_usage, limit, failcnt;
};

struct vs_cgroup_blkio_entry {
        uint32_t major, minor;
        char op[12]; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
        uint64_t value;
};

struct vs_cgroup_hugetlb_entry {
        char page_size[16]; /* "2MB" */
        uint64_t usage, max_usage, failcnt;
};

struct vs_cgroup_stats {
        bool has_cpu, has_memory, has_pids, has_blkio;
        struct {
                uint64_t total, user, system;                        /* ns */
                uint64_t periods, throttled_periods, throttled_time; /* throttled_time in ns */
        } cpu;
        struct {
                struct vs_cgroup_mem_entry usage, swap, kernel;
                uint64_t cache;
                bool oom_kill_disabled;
                uint64_t oom_kills; /* v2 memory.events oom_kill, v1 memory.oom_control oom_kill */
        } memory;
        struct {
                uint64_t current, limit; /* limit 0: none */
        } pids;
        struct vs_cgroup_blkio_entry io_bytes[VS_STATS_BLKIO_MAX], io_ops[VS_STATS_BLKIO_MAX];
        size_t n_io_bytes, n_io_ops;
        struct vs_cgroup_hugetlb_entry hugetlb[VS_STATS_HUGETLB_MAX];
        size_t n_hugetlb;
};

int vs_cgroup_stats(char **dirs, struct vs_cgroup_stats *out, struct vs_error *err);

/* Parse blkio.throttle.io_service_bytes(_recursive) lines ("8:0 Read 4096")
 * or v2 io.stat lines ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...") into
 * bytes and ios entries. Pure, for tests. */
void vs_cgroup_parse_blkio_v1(const char *text, struct vs_cgroup_blkio_entry *out, size_t max, size_t *n);
void vs_cgroup_parse_io_stat(const char *text, struct vs_cgroup_stats *out);

#endif
