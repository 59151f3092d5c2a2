/* vessel: the container's root filesystem, set up by its init inside its
 * own mount namespace: a list of steps carried out in order. */
#ifndef VESSEL_LINUX_ROOTFS_H
#define VESSEL_LINUX_ROOTFS_H

#include <stdbool.h>

#include "oci/config.h"
#include "util/error.h"

struct vs_rootfs_options {
        const char *rootfs; /* absolute path on the host */
        bool no_pivot;      /* MS_MOVE + chroot instead of pivot_root (a ramfs root) */
        bool in_user_ns;
        bool new_cgroup_ns;
        char **cgroup_dirs;
};

/* Everything up to the switch of root: propagation, the root bind, the
 * config's mounts, /dev. */
int vs_rootfs_prepare(const struct vs_oci_config *config, const struct vs_rootfs_options *opts, struct vs_error *err);
/* pivot_root into the prepared root and detach the old one (or chroot with no_pivot). */
int vs_rootfs_pivot(const struct vs_rootfs_options *opts, struct vs_error *err);
/* After the switch: masked and read-only paths, a read-only root, the root's propagation. */
int vs_rootfs_finish(const struct vs_oci_config *config, struct vs_error *err);

#endif
