/* vessel: the mounts of config.json, carried out inside the container's root. */
#ifndef VESSEL_LINUX_MOUNTS_H
#define VESSEL_LINUX_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "oci/config.h"
#include "util/error.h"

/* What one mounts[] entry asks for, parsed from its options. */
struct vs_mount_plan {
        unsigned long flags;         /* mount(2) flags to set */
        unsigned long propagation;   /* MS_PRIVATE|MS_SHARED|... (| MS_REC), applied after */
        uint64_t attr_set, attr_clr; /* mount_setattr(AT_RECURSIVE) */
        bool bind, recursive_bind;
        bool tmpcopyup;
        bool idmap;
        char data[1024]; /* filesystem options, comma-separated */
};

int vs_mount_plan_parse(const struct vs_oci_mount *m, struct vs_mount_plan *plan, struct vs_error *err);

struct vs_mount_context {
        int rootfd;      /* O_PATH of the container's root (before pivot) */
        bool in_user_ns; /* new user namespace: some mounts must become binds */
        bool new_cgroup_ns;
        char **cgroup_dirs; /* the container's cgroup directories, for cgroup mounts without a cgroup ns */
};

/* Mount config->mounts in order; errors name the entry: "mounts[3] (/proc): ...". */
int vs_mounts_apply(const struct vs_mount_context *ctx, const struct vs_oci_config *config, struct vs_error *err);
/* Remount a mount point read-only keeping its other flags (bind remounts need them repeated). */
int vs_mount_remount_ro(const char *path, struct vs_error *err);

#endif
