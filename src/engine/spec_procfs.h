/* vessel: the binds that give a container vessel-procfs's files: its
 * /proc/{meminfo,cpuinfo,stat,uptime,loadavg,diskstats,swaps} and
 * /sys/devices/system/cpu/online, from the daemon's mount point. */
#ifndef VESSEL_ENGINE_SPEC_PROCFS_H
#define VESSEL_ENGINE_SPEC_PROCFS_H

#include <jansson.h>

#include "util/error.h"

/* The container paths served, NULL-terminated ("/proc/meminfo", ...). */
extern const char *const vs_spec_procfs_paths[];

/* Append to the spec's mounts one read-only bind per served path, from
 * `dir` (the daemon's mount point) + the same path. They come after /proc
 * and /sys in the list, so they land on top of them. */
int vs_spec_procfs_add(json_t *spec, const char *dir, struct vs_error *err);

/* Hand the container's sysinfo(2) and sched_getaffinity(2) calls to
 * vessel-procfs: a rule SCMP_ACT_NOTIFY for both in linux.seccomp (taken
 * out of any rule that allowed them: one syscall, one action) and
 * listenerPath = `listener`. A
 * spec without linux.seccomp (--privileged, seccomp=unconfined) is left
 * as it is: a filter is not added where the user asked for none. */
int vs_spec_procfs_sysinfo(json_t *spec, const char *listener, struct vs_error *err);

#endif
