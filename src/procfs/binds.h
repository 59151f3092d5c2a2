/* vessel: where vessel-procfs's files are bound: the mounts of a
 * vessel-procfs file system (type fuse.vessel-procfs, source `fsname`: the
 * daemon's mount point) in every mount namespace but the caller's. The
 * daemon uses it to repair the binds of a dead predecessor; the engine to
 * see whether any container still uses the daemon. */
#ifndef VESSEL_PROCFS_BINDS_H
#define VESSEL_PROCFS_BINDS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

#define VS_PROCFS_BINDS_MAX 32

struct vs_procfs_bind {
        char root[256];        /* the file in the file system ("/proc/meminfo") */
        char target[PATH_MAX]; /* where it is bound in its namespace */
        dev_t dev;             /* the superblock's device: a dead daemon's differs from a live one's */
};

/* The binds of `fsname` in one mountinfo text (escapes undone); `text` is
 * modified. Returns how many were stored in out (at most `max`). Pure. */
size_t vs_procfs_binds_parse(char *text, const char *fsname, struct vs_procfs_bind *out, size_t max);

/* For each mount namespace other than the caller's that holds binds of
 * `fsname`: fn(pid of a process in it, its binds, their count, data). A
 * negative return from fn stops the walk and is returned. Otherwise the
 * number of namespaces found. */
typedef int (*vs_procfs_binds_fn)(pid_t pid, const struct vs_procfs_bind *b, size_t n, void *data);
int vs_procfs_binds_walk(const char *fsname, vs_procfs_binds_fn fn, void *data, struct vs_error *err);

#endif
