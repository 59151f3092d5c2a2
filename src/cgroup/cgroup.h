/* vessel: the container's cgroups. One interface over every hierarchy the
 * host has mounted; whether each is v1 or v2 is decided per hierarchy, so a
 * hybrid host (v1 controllers plus a cgroup2 holding only hugetlb) is no
 * special case. This part makes, joins and removes the directories;
 * resources are written by the cgroup issue's drivers behind the same seam. */
#ifndef VESSEL_CGROUP_CGROUP_H
#define VESSEL_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

struct vs_cgroup_hierarchy {
        char *mount_point; /* /sys/fs/cgroup/memory */
        char *controllers; /* "memory" (v1) or the cgroup.controllers list (v2) */
        bool v2;
        char *own_path; /* this process's cgroup in it, from /proc/self/cgroup */
};

struct vs_cgroup_hosts {
        struct vs_cgroup_hierarchy *h;
        size_t n;
};

int vs_cgroup_hosts_detect(struct vs_cgroup_hosts *hosts, struct vs_error *err);
void vs_cgroup_hosts_clear(struct vs_cgroup_hosts *hosts);

/* The container's directory in each hierarchy: cgroupsPath as runc reads it
 * (absolute: from the hierarchy's root; relative: below this process's own
 * cgroup; empty: the container id below it). "..": an error. Returns a
 * NULL-terminated list of absolute directories. */
int vs_cgroup_resolve(const struct vs_cgroup_hosts *hosts, const char *cgroups_path, const char *id, char ***ret_dirs,
                      struct vs_error *err);
/* mkdir -p each directory (those made are undone by vs_cgroup_destroy). */
int vs_cgroup_create(char **dirs, struct vs_error *err);
/* Move pid into every directory. */
int vs_cgroup_enter(char **dirs, pid_t pid, struct vs_error *err);
/* Signal every process in the container's cgroup, nested sub-cgroups too; returns how many. */
int vs_cgroup_signal(char **dirs, int signo);
/* Kill what is left inside (nested cgroups too) and remove the directories. */
int vs_cgroup_destroy(char **dirs, struct vs_error *err);
/* The freezer state: true when the cgroup is frozen (v1 freezer or v2 cgroup.freeze). */
bool vs_cgroup_frozen(char **dirs);
/* Freeze (and wait until frozen) or thaw the cgroup: pause and resume. */
int vs_cgroup_freeze(char **dirs, bool freeze, struct vs_error *err);

#endif
