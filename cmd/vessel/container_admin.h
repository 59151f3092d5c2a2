/* vessel: what exec, attach, top, stats, pause/unpause, update, rename and
 * restart share: a running container found by name, and its paused state,
 * which is live (the freezer of its cgroup, as the runtime reads it), not
 * stored: a record never says "paused" after a crash that thawed it. */
#ifndef VESSEL_ENGINE_CONTAINER_ADMIN_H
#define VESSEL_ENGINE_CONTAINER_ADMIN_H

#include <stdbool.h>

#include "engine.h"
#include "runtime/state.h"

/* Find `text` (name, ID or prefix), reconcile it, and check that it runs:
 * "container NAME is not running" (EINVAL) otherwise. */
int container_find_running(const struct globals *g, struct vs_store *s, const char *text, struct vs_container *ret,
                           struct vs_error *err);
/* The runtime's state of a running container (its cgroup directories, init pid, live status). */
int container_runtime_state(const struct globals *g, const struct vs_container *c, struct vs_state *ret,
                            struct vs_error *err);
/* Whether a running container's cgroup is frozen. */
bool container_paused(const struct globals *g, const struct vs_container *c);
/* For ps: a running container whose cgroup is frozen gets state "paused". */
void container_mark_paused(const struct globals *g, struct vs_container *c);
/* Stop, then start (restart's second half, also for an exited container). */
int container_restart(const struct globals *g, struct vs_store *s, struct vs_container *c, int timeout,
                      struct vs_error *err);

#endif
