/* vessel: exec, a new process in a running (or created) container. */
#ifndef VESSEL_RUNTIME_EXEC_H
#define VESSEL_RUNTIME_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct vs_exec_options {
        const char *root;
        const char *id;
        const char *process_json; /* a runtime-spec "process" object */
        const char *origin;       /* how errors name it: "process.json", "--process /x" */
        const char *pid_file;
        const char *console_socket;
        bool detach;
        int preserve_fds;
        /* --cgroup: a sub-cgroup of the container's to join, "PATH" in every
         * hierarchy or "CONTROLLER[,CONTROLLER]:PATH" in theirs (runc's forms). */
        const char *sub_cgroups[8];
        size_t n_sub_cgroups;
};

/* Start the process in every namespace and cgroup of the container's init,
 * with the process's user, capabilities, rlimits, no_new_privs and the
 * container's seccomp filter. With `detach` return once it runs; otherwise
 * wait for it and set *exit_status (128+N for a signal). */
int vs_container_exec(const struct vs_exec_options *o, int *exit_status, struct vs_error *err);

#endif
