/* vessel: what the container commands share: where a container's files
 * are, the helper programs, the root filesystem mount, the monitor. */
#ifndef VESSEL_ENGINE_ENGINE_H
#define VESSEL_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "commands.h"
#include "engine/containers.h"
#include "image/store.h"
#include "util/error.h"

/* A container's places:
 *   <root>/containers/<id>/        upper/, work/, merged/ (the overlay root), json.log
 *   <runroot>/containers/<id>/     the bundle (config.json), hostname, hosts, resolv.conf,
 *                                  attach.sock, exit, monitor.pid
 *   <runroot>/runtime/             the runtime's state root */
struct ctr_paths {
        char dir[512], upper[600], work[600], merged[600], log[600];
        char rundir[512], bundle[600], config[600], exit_file[600], attach[600], monitor_pid[600];
        char runtime_root[512];
};
void ctr_paths(const struct globals *g, const char *id, struct ctr_paths *p);

/* The store, with the container tables ready. */
int engine_open(const struct globals *g, struct vs_store **ret, struct vs_error *err);

/* A helper program: $ENV, else next to this vessel in the build tree or
 * installed, else `fallback`. Static buffer. */
const char *helper_path(const char *env, const char *build_rel, const char *installed);

/* Mount the container's overlay root at p->merged (if not mounted yet). */
int rootfs_mount(struct vs_store *s, const struct vs_container *c, const struct ctr_paths *p, struct vs_error *err);
void rootfs_unmount(const struct ctr_paths *p);

/* Start the container's monitor (which creates it), connect to its attach
 * socket when attach_sock is not NULL, and then start it: state running. */
int container_start(const struct globals *g, struct vs_store *s, struct vs_container *c, int *attach_sock,
                    struct vs_error *err);
/* Connect to a monitor's attach socket (any path length); the fd or a negative errno. */
int attach_connect(const char *path, struct vs_error *err);
/* The monitor is gone (or never ran): record the exit status from the exit
 * file (-1 status unknown), delete the runtime's state; with auto_remove the
 * container goes. */
int container_cleanup(const struct globals *g, struct vs_store *s, const char *id, struct vs_error *err);
/* Remove a container that is not running: runtime state, mounts, files, record, image hold. */
int container_remove(const struct globals *g, struct vs_store *s, const struct vs_container *c, struct vs_error *err);
/* Reconcile a record whose state says running: is its monitor alive? */
void container_refresh(const struct globals *g, struct vs_store *s, struct vs_container *c);
/* Wait until the container is no longer running; its exit code. */
int container_wait(const struct globals *g, struct vs_store *s, const char *id, int *exit_code, struct vs_error *err);
/* Read the exit file: exit code, or -ENOENT. */
int read_exit_file(const char *path, int *exit_code, int64_t *finished);

int64_t now_ns(void);

#endif
