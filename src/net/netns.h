/* vessel: a network namespace kept at a path (a bind mount of a short-lived
 * child's /proc/PID/ns/net), as `ip netns add` keeps one: it lives until the
 * mount goes, whatever process runs in it. */
#ifndef VESSEL_NET_NETNS_H
#define VESSEL_NET_NETNS_H

#include "util/error.h"

/* Make a new network namespace, mounted on `path` (created; its directory
 * must exist), with lo up. Nothing is left on failure. */
int vs_netns_create(const char *path, struct vs_error *err);
/* Unmount and unlink `path`; nothing to do when it is not there. */
void vs_netns_remove(const char *path);

#endif
