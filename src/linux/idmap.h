/* vessel: uid_map / gid_map of a user namespace. */
#ifndef VESSEL_LINUX_IDMAP_H
#define VESSEL_LINUX_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* Write the maps of process `pid` (which has just made its user namespace).
 * As root this writes /proc/PID/{uid,gid}_map directly; otherwise through
 * newuidmap/newgidmap (later). `deny_setgroups` writes "deny" first. */
int vs_idmap_write(pid_t pid, const struct vs_oci_idmap *uids, size_t n_uids, const struct vs_oci_idmap *gids,
                   size_t n_gids, bool deny_setgroups, struct vs_error *err);

#endif
