/* vessel: the container lifecycle, as runc's commands see it. */
#ifndef VESSEL_RUNTIME_RUNTIME_H
#define VESSEL_RUNTIME_RUNTIME_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "runtime/state.h"
#include "util/error.h"

struct vs_create_options {
        const char *root; /* the runtime's state root */
        const char *id;
        const char *bundle; /* the bundle directory (made absolute by create) */
        const char *pid_file;
        const char *console_socket;
        bool no_pivot;
        bool no_new_keyring;
        int preserve_fds; /* fds 3 .. 3+preserve_fds-1 are passed to the container */
        bool systemd_cgroup;
        /* The command line and environment to re-exec from a sealed copy of
         * the runtime when the container needs it (see create.c); NULL: never. */
        char **reexec_argv;
        char **reexec_envp;
        /* The bundle's config.json, when the caller has loaded it already:
         * the create takes it (and frees it); NULL: the create loads it. */
        struct vs_oci_config *config;
};

/* A container being created by this process: its init is our child until
 * vs_created_release() or the end of vs_container_run(). */
struct vs_created {
        pid_t pid;
        int sync_fd; /* our end of the socket to the init */
        int rootfd;  /* the runtime root */
        char *id;
        char **cgroup_dirs;
        int terminal_master; /* process.terminal in the foreground: the pty master, else -1 */
        char terminal_name[64];
};

/* create: the init ends set up, in its namespaces and cgroup, blocked until
 * `start`. With `foreground`, it waits on the sync socket instead of the
 * exec fifo and `created` keeps the handle (for run). */
int vs_container_create(const struct vs_create_options *opts, bool foreground, struct vs_created *created,
                        struct vs_error *err);
/* run: create, start, wait (forwarding signals), delete. *exit_status is
 * the container's (128+N when a signal N ended it). */
int vs_container_run(const struct vs_create_options *opts, int *exit_status, struct vs_error *err,
                     struct vs_error *warn);
/* start: release the init. A failing poststart hook fills *warn, not *err. */
int vs_container_start(const char *root, const char *id, struct vs_error *err, struct vs_error *warn);
/* The poststart hooks of a container just started over the sync socket (run). */
void vs_container_poststart(const char *root, const char *id, struct vs_error *warn);
int vs_container_kill(const char *root, const char *id, int signo, bool all, struct vs_error *err);
/* delete; a failing poststop hook fills *warn, not *err. */
int vs_container_delete(const char *root, const char *id, bool force, struct vs_error *err, struct vs_error *warn);

/* For foreground commands (run, exec): block every catchable signal, then
 * wait for `pid`, forwarding each signal to it, and set its exit status. */
void vs_block_signals(sigset_t *all, sigset_t *old);
int vs_wait_forwarding(pid_t pid, const sigset_t *set, int *exit_status, struct vs_error *err);

/* Parse "KILL", "SIGKILL", "9". */
int vs_signal_parse(const char *name, int *ret, struct vs_error *err);

#endif
