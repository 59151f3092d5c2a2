/* vessel: a container's state directory under the runtime root.
 *
 *   ROOT/ID/state.json   what `state` prints, plus what the runtime needs
 *   ROOT/ID/exec.fifo    present while the container is "created": its init
 *                        blocks reading it until `start` writes a byte
 *
 * Commands on one container hold an flock on ROOT/ID, so they are serialised. */
#ifndef VESSEL_RUNTIME_STATE_H
#define VESSEL_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

enum vs_status {
        VS_STATUS_CREATING,
        VS_STATUS_CREATED,
        VS_STATUS_RUNNING,
        VS_STATUS_PAUSED,
        VS_STATUS_STOPPED
};

struct vs_state {
        char *id;
        char *bundle;
        char *rootfs;
        pid_t pid;
        uint64_t pid_start_time; /* /proc/PID/stat field 22: tells a reused pid apart */
        char *created;           /* RFC3339 */
        uid_t owner;
        char **cgroup_dirs; /* the container's cgroup directories, NULL-terminated */
        bool systemd_cgroup;
        char *annotations_json; /* the config's annotations object, as JSON text */
        bool has_hooks;         /* poststart or poststop hooks: start and delete read config.json */
        enum vs_status status;  /* computed by vs_state_load, not stored */
};

const char *vs_status_name(enum vs_status status);

/* Check an id: not empty, no '/', not "." or "..", printable, <= 1024 bytes. */
int vs_state_check_id(const char *id, struct vs_error *err);
/* Compile linux.seccomp into seccomp->compiled, through the state root's
 * cache of compiled filters, the files <root>/.seccomp-<hash>.bpf (names no
 * container id may take). */
int vs_runtime_compile_seccomp(const char *root, struct vs_oci_seccomp *seccomp, struct vs_error *err);
/* Open (creating if needed) the runtime root; returns a directory fd. */
int vs_state_open_root(const char *root, bool create, struct vs_error *err);
/* Make ROOT/ID exclusively and lock it: "container ID already exists" if present. */
int vs_state_create_dir(int rootfd, const char *id, struct vs_error *err);
/* Open and lock ROOT/ID: "container ID does not exist" if absent. */
int vs_state_lock(int rootfd, const char *id, struct vs_error *err);
int vs_state_write(int dirfd, const struct vs_state *state, struct vs_error *err);
/* Read state.json and compute the live status. */
int vs_state_load(int rootfd, const char *id, struct vs_state *state, struct vs_error *err);
void vs_state_clear(struct vs_state *state);
/* A command's first step on a container: check the id, open the root, take
 * the container's lock (when ret_lockfd is given) and load its state. The
 * fds are handed over only on success. */
int vs_state_open(const char *root, const char *id, int *ret_rootfd, int *ret_lockfd, struct vs_state *st,
                  struct vs_error *err);
/* Remove ROOT/ID and all it holds. */
int vs_state_remove(int rootfd, const char *id, struct vs_error *err);
/* The live status of a recorded process (stopped when gone or reused). */
enum vs_status vs_state_status(int dirfd, pid_t pid, uint64_t start_time, char **cgroup_dirs);
/* /proc/PID/stat start time (0 when the process is gone). */
uint64_t vs_proc_start_time(pid_t pid);
/* --pid-file: decimal with no newline (go-runc's Atoi is strict), written
 * under a temporary name and renamed, so a reader never sees half of it. */
int vs_write_pid_file(const char *path, pid_t pid, struct vs_error *err);
/* The state as runc's JSON text (what `state` prints). */
char *vs_state_to_json(const struct vs_state *state, bool pretty);

#endif
