/* vessel-runtime: the command table's entries. Each command owns its options
 * and returns the process's exit status; main prints errors once. */
#ifndef VESSEL_RUNTIME_COMMANDS_H
#define VESSEL_RUNTIME_COMMANDS_H

#include <getopt.h>
#include <stdbool.h>

#include "util/error.h"

struct globals {
        const char *root;
        const char *log;
        bool log_json;
        bool debug;
        bool systemd_cgroup;
        char **argv; /* the whole command line, for a re-exec from the sealed copy */
};

/* Report err once (stderr and the --log), return 1. */
int fail(const struct vs_error *err);
/* Print a warning the library handed back (a failed poststart or poststop hook), if any. */
void warn(const struct vs_error *warning);
/* Parse a command's options with getopt_long_only (runc accepts -flag and
 * --flag, --f v and --f=v). Returns the option, -1 at the end, or -2 after
 * printing an error for an unknown or incomplete flag. */
int next_option(int argc, char **argv, const char *shortopts, const struct option *longopts, const char *command);
/* Exactly `n` positional arguments remain, or an error naming the usage. */
bool want_args(int argc, char **argv, int n, const char *usage);

struct vs_state;
/* Load the state of container `id` (locking it when ret_lockfd is not NULL). */
int load_container(const struct globals *g, const char *id, int *ret_lockfd, struct vs_state *st, struct vs_error *err);

int cmd_create(const struct globals *g, int argc, char **argv);
int cmd_run(const struct globals *g, int argc, char **argv);
int cmd_exec(const struct globals *g, int argc, char **argv);
int cmd_start(const struct globals *g, int argc, char **argv);
int cmd_state(const struct globals *g, int argc, char **argv);
int cmd_kill(const struct globals *g, int argc, char **argv);
int cmd_delete(const struct globals *g, int argc, char **argv);
int cmd_list(const struct globals *g, int argc, char **argv);
int cmd_spec(const struct globals *g, int argc, char **argv);
int cmd_features(const struct globals *g, int argc, char **argv);
int cmd_pause(const struct globals *g, int argc, char **argv);
int cmd_resume(const struct globals *g, int argc, char **argv);
int cmd_update(const struct globals *g, int argc, char **argv);
int cmd_events(const struct globals *g, int argc, char **argv);
int cmd_ps(const struct globals *g, int argc, char **argv);

#endif
