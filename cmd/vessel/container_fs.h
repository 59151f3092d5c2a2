/* vessel: what cp, export, diff and commit share: a container's record and
 * its root filesystem. */
#ifndef VESSEL_ENGINE_CONTAINER_FS_H
#define VESSEL_ENGINE_CONTAINER_FS_H

#include <stdbool.h>

#include "engine.h"
#include "util/cleanup.h"

static inline void store_closep(struct vs_store **s)
{
        if (*s)
                vs_store_close(*s);
}
#define _cleanup_store_ _cleanup_(store_closep)

/* The container named or ID'd by text, its state reconciled with its monitor. */
int ctr_lookup(const struct globals *g, struct vs_store *s, const char *text, struct vs_container *ret,
               struct vs_error *err);

/* An O_PATH fd on the container's root. With `live` and a running
 * container: /proc/PID/root, which shows its volumes and bind mounts; else
 * its overlay, mounted at merged/ if it is not (as create leaves it), and
 * with `live` its volumes and bind mounts on it, in a mount namespace the
 * calling process enters for good (unshare). */
int ctr_root_open(const struct globals *g, struct vs_store *s, const struct vs_container *c, bool live,
                  struct vs_error *err);

#endif
