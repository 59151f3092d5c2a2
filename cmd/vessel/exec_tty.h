/* vessel: the terminal of `exec -t`. The runtime hands the pty's master to
 * a console socket of ours (runc's protocol) and returns once the process
 * runs; we then drive the master from our own terminal, with docker's
 * detach keys, or leave it to a small keeper process (`exec -d -t`, or
 * after the detach keys) that reads and drops the output until the process
 * closes its terminal, so it never blocks on output nobody reads. */
#ifndef VESSEL_CMD_EXEC_TTY_H
#define VESSEL_CMD_EXEC_TTY_H

#include <limits.h>
#include <stdbool.h>

#include "detach_keys.h"
#include "util/error.h"

struct exec_console {
        int listen_fd, dir_fd;
        char dir[PATH_MAX];           /* a private directory in the container's run dir */
        char socket[PATH_MAX + 32];   /* for vs_exec_options.console_socket */
        char pid_file[PATH_MAX + 32]; /* for vs_exec_options.pid_file */
};
#define EXEC_CONSOLE_INIT                                                                                              \
        {                                                                                                              \
                .listen_fd = -1, .dir_fd = -1                                                                          \
        }

/* A listening console socket and a pid file path, under rundir. */
int exec_console_open(const char *rundir, struct exec_console *c, struct vs_error *err);
/* Remove what exec_console_open made (NULL-safe on a closed one). */
void exec_console_close(struct exec_console *c);

/* After vs_container_exec (detached, with c's socket and pid file): take
 * the master. With `detach`, leave it to a keeper and return. Otherwise copy
 * stdin (with `interactive`) to it and it to stdout, stdin's terminal raw,
 * until the process ends (*exit_status: its code, 128+N for a signal) or
 * the keys are typed (*detached; the keeper takes the master). */
int exec_tty_finish(struct exec_console *c, bool detach, bool interactive, struct detach_keys *keys, int *exit_status,
                    bool *detached, struct vs_error *err);

#endif
