/* vessel: a container's networks brought up and down: its network namespace
 * (kept at ns_path), a veth pair per network (host end vs<id>N on the
 * network's bridge, container end ethN), the leased address, the default
 * route through the first network's gateway, and its published ports as
 * nftables map elements. Callers serialise these calls (one lock file). */
#ifndef VESSEL_NET_ATTACH_H
#define VESSEL_NET_ATTACH_H

#include <sqlite3.h>
#include <stdbool.h>

#include "net/store.h"
#include "util/error.h"

/* Set up: the namespace at ns_path with every endpoint of the container
 * (none: only lo); nothing to do when ns_path is NULL (--network none,
 * host, container: have no namespace of ours). On failure everything is
 * undone. */
int vs_net_container_setup(sqlite3 *db, const char *container_id, const char *ns_path, struct vs_error *err);
/* Undo setup: idempotent, never fails (what is gone is skipped). Removes
 * the default bridge and the table when nothing uses them any more. */
void vs_net_container_teardown(sqlite3 *db, const char *container_id, const char *ns_path);

/* network connect: record e (its slot is chosen) and, when the container
 * runs (ns_path not NULL), bring the endpoint up in its namespace as
 * eth<slot>; nothing is left on failure. disconnect: the endpoint's link,
 * lease and record go. */
int vs_net_container_connect(sqlite3 *db, struct vs_net_endpoint *e, const char *ns_path, struct vs_error *err);
int vs_net_container_disconnect(sqlite3 *db, const char *container_id, const char *network_id, struct vs_error *err);

/* A network's bridge with its gateway addresses and its nftables elements
 * (the tables made, or replaced when an older vessel's: db refills them). */
int vs_net_bridge_up(sqlite3 *db, const struct vs_net_network *n, struct vs_error *err);
void vs_net_bridge_down(const struct vs_net_network *n);
/* What no network needs any more: the table when no network is left, and,
 * with_default, the default bridge when no lease holds it. Containers going
 * leave the default bridge up (as docker0 stays): making it and the table
 * again for the next container cost more than the container's own network;
 * `network prune` takes it down. */
void vs_net_gc(sqlite3 *db, bool with_default);

#endif
