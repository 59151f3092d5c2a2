/* vessel: which of a container's cgroup directories holds which controller.
 * The answer comes from the directories themselves (their filesystem type
 * and the files the kernel shows in them), so it needs no record beyond the
 * list of directories kept in the state: a hybrid host, a pure v1 and a
 * pure v2 host are read the same way. Private to src/cgroup. */
#ifndef VESSEL_CGROUP_LAYOUT_H
#define VESSEL_CGROUP_LAYOUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum vs_cgroup_controller {
        VS_CG_CPU,
        VS_CG_CPUACCT,
        VS_CG_CPUSET,
        VS_CG_MEMORY,
        VS_CG_DEVICES,
        VS_CG_FREEZER,
        VS_CG_BLKIO, /* "io" on v2 */
        VS_CG_PIDS,
        VS_CG_HUGETLB,
        VS_CG_NET_CLS,
        VS_CG_NET_PRIO,
        VS_CG_RDMA,
        VS_CG_COUNT
};

struct vs_cgroup_dir {
        const char *path; /* borrowed from the caller's list */
        bool v2;
        unsigned controllers; /* 1u << enum vs_cgroup_controller */
};

#define VS_CGROUP_DIRS_MAX 16

struct vs_cgroup_layout {
        struct vs_cgroup_dir dir[VS_CGROUP_DIRS_MAX];
        size_t n;
        const struct vs_cgroup_dir *v2; /* the cgroup2 directory, if any */
};

/* The controller's name as v1 mounts it ("blkio") or as v2 lists it ("io"). */
const char *vs_cgroup_controller_name(enum vs_cgroup_controller c, bool v2);
/* Classify every existing directory of the list; directories that do not
 * exist are skipped. On v2, devices and freezer are served by the cgroup2
 * directory (eBPF, cgroup.freeze) only where no v1 hierarchy has them. */
int vs_cgroup_layout_load(char **dirs, struct vs_cgroup_layout *out, struct vs_error *err);
/* Re-read what the cgroup2 directory offers (after enabling controllers in its parents). */
void vs_cgroup_layout_refresh_v2(struct vs_cgroup_layout *l);
/* The directory that holds the controller, or NULL. */
const struct vs_cgroup_dir *vs_cgroup_layout_find(const struct vs_cgroup_layout *l, enum vs_cgroup_controller c);

/* Does dir/file exist? */
bool vs_cgroup_has(const struct vs_cgroup_dir *d, const char *file);
/* Write a formatted value to dir/file; an error names `field` (the config
 * field, "linux.resources.memory.limit"), the value and the file. */
int vs_cgroup_writef(const struct vs_cgroup_dir *d, const char *file, const char *field, struct vs_error *err,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Read dir/file whole (NUL-terminated). */
int vs_cgroup_read(const struct vs_cgroup_dir *d, const char *file, char **ret, struct vs_error *err);
/* Read a file holding one unsigned number ("max" reads as UINT64_MAX). */
int vs_cgroup_read_u64(const struct vs_cgroup_dir *d, const char *file, uint64_t *ret, struct vs_error *err);
/* The value of `key` in a "key value" file (memory.stat, cpu.stat), or false. */
bool vs_cgroup_keyed(const char *text, const char *key, uint64_t *ret);

#endif
