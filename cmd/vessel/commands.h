/* vessel: the engine's command table. Each command owns its options and
 * returns the process's exit status; errors are printed once, on one line
 * prefixed "vessel: ". */
#ifndef VESSEL_ENGINE_COMMANDS_H
#define VESSEL_ENGINE_COMMANDS_H

#include <getopt.h>
#include <stdbool.h>

#include "image/store.h"
#include "util/error.h"

struct globals {
        const char *root;    /* --root, $VESSEL_ROOT, /var/lib/vessel */
        const char *runroot; /* --runroot, $VESSEL_RUNROOT, /run/vessel */
        bool debug;
};

/* Report err once, return 1 (125 for the engine's own failures in run, as docker). */
int fail(const struct vs_error *err);
/* Report a formatted error (EINVAL), return 1. */
int fail_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* getopt_long with docker's spelling of errors: returns the option, -1 at
 * the end, -2 after printing "unknown flag: --x" or "flag needs an argument". */
int next_option(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* The number of positional arguments is within [min, max] (max < 0: no
 * limit), else an error in docker's words naming the command. */
bool want_args(int argc, char **argv, int min, int max, const char *usage);
/* Print "Usage: ..." help for a command when -h/--help is given. */
void print_help(const char *usage, const char *summary, const char *options);

/* Open the store at g->root (err names the root). */
int open_store(const struct globals *g, struct vs_store **ret, struct vs_error *err);

/* image commands */
int cmd_pull(const struct globals *g, int argc, char **argv);
int cmd_push(const struct globals *g, int argc, char **argv);
int cmd_images(const struct globals *g, int argc, char **argv);
int cmd_rmi(const struct globals *g, int argc, char **argv);
int cmd_tag(const struct globals *g, int argc, char **argv);
int cmd_image_inspect(const struct globals *g, int argc, char **argv);
int cmd_history(const struct globals *g, int argc, char **argv);
int cmd_image_prune(const struct globals *g, int argc, char **argv);
int cmd_login(const struct globals *g, int argc, char **argv);
int cmd_logout(const struct globals *g, int argc, char **argv);
int cmd_save(const struct globals *g, int argc, char **argv);
int cmd_load(const struct globals *g, int argc, char **argv);
int cmd_import(const struct globals *g, int argc, char **argv);
int cmd_image(const struct globals *g, int argc, char **argv);
int cmd_inspect(const struct globals *g, int argc, char **argv);
int cmd_version(const struct globals *g, int argc, char **argv);

/* container commands */
int cmd_create(const struct globals *g, int argc, char **argv);
int cmd_run(const struct globals *g, int argc, char **argv);
int cmd_start(const struct globals *g, int argc, char **argv);
int cmd_ps(const struct globals *g, int argc, char **argv);
int cmd_logs(const struct globals *g, int argc, char **argv);
int cmd_stop(const struct globals *g, int argc, char **argv);
int cmd_kill(const struct globals *g, int argc, char **argv);
int cmd_rm(const struct globals *g, int argc, char **argv);
int cmd_wait(const struct globals *g, int argc, char **argv);
int cmd_container(const struct globals *g, int argc, char **argv);
/* live containers: exec (container_exec.c), attach (container_attach.c), stats and top
 * (container_stats.c, container_top.c), pause, unpause, rename, restart (container_admin.c),
 * update (container_update.c) */
int cmd_exec(const struct globals *g, int argc, char **argv);
int cmd_attach(const struct globals *g, int argc, char **argv);
int cmd_stats(const struct globals *g, int argc, char **argv);
int cmd_top(const struct globals *g, int argc, char **argv);
int cmd_pause(const struct globals *g, int argc, char **argv);
int cmd_unpause(const struct globals *g, int argc, char **argv);
int cmd_rename(const struct globals *g, int argc, char **argv);
int cmd_restart(const struct globals *g, int argc, char **argv);
int cmd_update(const struct globals *g, int argc, char **argv);
int cmd_volume(const struct globals *g, int argc, char **argv);
/* networking: network (network.c), port (port.c) */
int cmd_network(const struct globals *g, int argc, char **argv);
int cmd_port(const struct globals *g, int argc, char **argv);
/* files: cp (container_cp.c), export and diff (container_fs.c), commit
 * (container_commit.c), info and system (system.c) */
int cmd_cp(const struct globals *g, int argc, char **argv);
int cmd_export(const struct globals *g, int argc, char **argv);
int cmd_diff(const struct globals *g, int argc, char **argv);
int cmd_commit(const struct globals *g, int argc, char **argv);
int cmd_info(const struct globals *g, int argc, char **argv);
int cmd_system(const struct globals *g, int argc, char **argv);
/* inspect: containers first, then images (container_inspect.c) */
int cmd_container_inspect(const struct globals *g, int argc, char **argv);
struct json_t *image_inspect_object(struct vs_store *s, const char *name, struct vs_error *err);

#endif
