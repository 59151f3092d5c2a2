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
        char rundir[512], bundle[600], config[600], exit_file[600], exit_lock[600], attach[600], monitor_pid[600];
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
/* After the attach stream of a container we started ended: its exit code
 * from the monitor's exit file (written before the stream closes), recorded
 * at once; else as container_wait. */
int container_wait_attached(const struct globals *g, struct vs_store *s, const struct vs_container *c, int *exit_code,
                            struct vs_error *err);
/* stop's work on one container: SIGTERM, SIGKILL after `timeout` seconds, wait for the exit to be recorded. */
int container_stop(const struct globals *g, struct vs_store *s, struct vs_container *c, int timeout,
                   struct vs_error *err);
/* Read the exit file: exit code, or -ENOENT. */
int read_exit_file(const char *path, int *exit_code, int64_t *finished);

int64_t now_ns(void);
/* Alive, and not a zombie nobody reaped (this sandbox's pid 1 does not reap). */
bool process_alive(int pid);

/* vessel-procfs (procfs.c): start the runroot's daemon if it is not serving
 * and add the binds of its files to a container's spec (--procfs=true). */
struct json_t;
int procfs_add_mounts(const struct ctr_paths *c, struct json_t *spec, struct vs_error *err);
/* Before a container starts: the daemon serves, if its config binds its files. */
int procfs_ensure_for(const struct ctr_paths *c, struct vs_error *err);
/* After a container is removed: stop the daemon if no container uses it. */
void procfs_release(const struct globals *g);

/* runtime_ops.c: the container's OCI runtime, in-process or the binary its
 * HostConfig.Runtime names (the one it was created with). */
bool container_runtime(const struct vs_container *c, char *buf, size_t size); /* true: a binary, in buf */
int runtime_start(const struct ctr_paths *p, const struct vs_container *c, struct vs_error *err);
int runtime_kill(const struct ctr_paths *p, const struct vs_container *c, int signo, bool all, struct vs_error *err);
int runtime_delete(const struct ctr_paths *p, const struct vs_container *c, bool force, struct vs_error *err);
/* The monitor's flags from HostConfig: --runtime, --log-max-size/-files, or a /dev/null log. */
struct monitor_extra {
        char runtime[4096], size[32], files[16];
        const char *argv[9]; /* NULL-terminated */
};
int monitor_extra_args(const struct vs_container *c, struct monitor_extra *x, struct vs_error *err);

/* container_inspect.c: write docker's Config/HostConfig into the record at
 * create (the runtime from --runtime, else vessel.conf). */
struct vs_run_options;
int container_record_config(struct vs_store *s, const struct vs_run_options *o, const char *image_id, const char *id,
                            const char *hostname, struct vs_error *err);
/* docker's inspect object of a container (new reference); `size`: SizeRw and SizeRootFs. */
struct json_t *container_inspect_object(const struct globals *g, struct vs_store *s, const struct vs_container *c,
                                        bool size);
/* Bytes of the files under a directory (a container's upper dir). */
int64_t container_dir_size(const char *dir);
/* restart_policy.c: after the exit is recorded, restart the container if its policy says so. */
int container_restart_by_policy(const struct globals *g, struct vs_store *s, const char *id, struct vs_error *err);

/* container_volumes.c: a container's volumes. At create, _prepare resolves
 * --volumes-from into `extra` (vs_spec_input.extra_mounts) and records the
 * bind mounts; container_volume_path is the spec generator's volume
 * callback (data: the struct): it finds or makes the volume, mounts it,
 * records its use and copies the image's content up. */
struct vs_run_mount;
struct container_volumes {
        struct vs_store *s;
        const char *id;
        int rootfd; /* the container's root, the copy-up's source */
        struct vs_run_mount *extra;
        size_t n_extra;
        char **paths; /* the paths handed to the generator */
        size_t n_paths;
};
int container_volumes_prepare(struct vs_store *s, const char *id, const struct vs_run_options *o, const char *rootfs,
                              struct container_volumes *ret, struct vs_error *err);
const char *container_volume_path(void *data, const struct vs_run_mount *m, struct vs_error *err);
void container_volumes_done(struct container_volumes *cv);
/* Mount the container's volumes that have driver options (before a start). */
int container_volumes_mount(const struct globals *g, struct vs_store *s, const char *id, struct vs_error *err);
/* After a container's record is gone: unmount the volumes nobody uses now. */
void container_volumes_release(const struct globals *g, struct vs_store *s);
/* container_remove, then the container's anonymous volumes (rm -v, --rm). */
int container_remove_volumes(const struct globals *g, struct vs_store *s, const struct vs_container *c,
                             struct vs_error *err);

/* container_net.c: a container's networks (src/net). _create records its
 * endpoint and ports (after the record, before config.json: nothing on
 * failure); _ns_path is the network namespace config.json names (NULL: a
 * new empty one, or none for host); _setup brings it up before the monitor
 * starts; _teardown (idempotent) at its end, _forget at rm. _lock: the fd
 * of the lock every network change holds. */
struct vs_image_config;
int container_net_create(struct vs_store *s, const struct vs_run_options *o, const struct vs_image_config *img,
                         const char *id, const struct ctr_paths *p, struct vs_error *err);
const char *container_net_ns_path(struct vs_store *s, const struct vs_run_options *o, const struct ctr_paths *p,
                                  char *buf, size_t size);
int container_net_setup(const struct globals *g, struct vs_store *s, const struct vs_container *c,
                        struct vs_error *err);
void container_net_teardown(const struct globals *g, struct vs_store *s, const char *id);
void container_net_forget(const struct globals *g, struct vs_store *s, const char *id);
int container_net_lock(const struct globals *g, struct vs_error *err);
/* network connect (o: its --ip, --ip6, --alias as run's --ip, --ip6,
 * --network-alias) / disconnect, running or not. */
int container_net_connect(const struct globals *g, struct vs_store *s, const char *network, const char *container,
                          const struct vs_run_options *o, struct vs_error *err);
int container_net_disconnect(const struct globals *g, struct vs_store *s, const char *network, const char *container,
                             struct vs_error *err);
/* Set row's "Ports" (ps): "0.0.0.0:8080->80/tcp, ..." while it runs. */
void container_net_ps_ports(struct vs_store *s, const struct vs_container *c, struct json_t *row);
/* container_net_inspect.c: inspect's NetworkSettings (Networks, IPAddress,
 * GlobalIPv6Address, IPv6Gateway, Ports...), a new reference. */
struct json_t *container_net_settings_json(const struct globals *g, struct vs_store *s, const struct vs_container *c);
/* container_net_files.c: resolv.conf (--dns*, loopback nameservers replaced) and
 * --add-host lines at create; the names of the containers on its user networks
 * in each one's hosts file (_peers: the ids to refresh, a NULL-terminated list). */
int container_net_etc(const struct ctr_paths *p, const struct vs_run_options *o, uint32_t gateway,
                      struct vs_error *err);
char **container_net_peers(struct vs_store *s, const char *id);
void container_net_hosts_refresh(const struct globals *g, struct vs_store *s, char **peers);
/* container_dns.c: a container on a user network (--network NAME, not the
 * default bridge, none, host or container:) resolves through the embedded
 * DNS server at 127.0.0.11 its monitor serves; _monitor_args: the monitor's
 * --dns-hosts and --dns-upstream flags (HostConfig.Dns) for it, else none. */
#define CONTAINER_DNS_UPSTREAM_MAX 3
struct container_dns_args {
        char hosts[600], upstream[CONTAINER_DNS_UPSTREAM_MAX][64];
        const char *argv[3 + 2 * CONTAINER_DNS_UPSTREAM_MAX]; /* NULL-terminated */
};
#define CONTAINER_DNS_ADDRESS "127.0.0.11"
bool container_dns_embedded(const char *network);
/* Its resolv.conf text from the host's (malloc'd; NULL: out of memory). */
char *container_dns_resolv_text(const char *host, const struct vs_run_options *o, size_t *len);
int container_dns_monitor_args(const struct vs_container *c, const struct ctr_paths *p, struct container_dns_args *x,
                               struct vs_error *err);

#endif
