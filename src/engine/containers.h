/* vessel: the engine's container records, in the store's SQLite database
 * (vessel.db, next to the image tables). A record is written in one
 * transaction at each step of a container's life: created (rootfs prepared,
 * config.json written), running (its monitor and init pids), exited (its
 * exit code, from the monitor's exit file), then removed. Names are unique:
 * two concurrent `vessel create --name x` give one record and one clear
 * error. */
#ifndef VESSEL_ENGINE_CONTAINERS_H
#define VESSEL_ENGINE_CONTAINERS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct vs_container {
        char *id;                                 /* 64 hex digits */
        char *name;                               /* without docker's leading '/' */
        char *image_id;                           /* sha256:... */
        char *image_name;                         /* as the user gave it */
        char *command;                            /* process.args as a JSON array */
        char *state;                              /* "created", "running", "exited", "restarting" */
        int64_t created, started_at, finished_at; /* unix nanoseconds; 0: not yet */
        int pid, monitor_pid;
        int exit_code;
        bool auto_remove;
        bool tty, interactive;
        char *config;         /* docker's Config as JSON ("{}" for records older than the column) */
        char *host_config;    /* docker's HostConfig as JSON */
        int restart_count;    /* restarts by its restart policy */
        bool stopped_by_user; /* `vessel stop`/`kill`: its restart policy does not apply */
        bool policy_restart;  /* not stored: container_start is called by the restart policy
                               * (which leaves stopped_by_user alone; a user's start clears it) */
};
void vs_container_free(struct vs_container *c);
void vs_container_list_free(struct vs_container *cs, size_t n);

/* Create the tables if needed. */
int vs_containers_init(sqlite3 *db, struct vs_error *err);
/* Insert a new record; a taken name fails with EEXIST in docker's words. */
int vs_container_add(sqlite3 *db, const struct vs_container *c, struct vs_error *err);
/* Find by full ID, unique ID prefix, or name. ENOENT: "No such container: X". */
int vs_container_find(sqlite3 *db, const char *text, struct vs_container *ret, struct vs_error *err);
/* Every record, newest first. */
int vs_container_list(sqlite3 *db, struct vs_container **ret, size_t *n, struct vs_error *err);
int vs_container_set_running(sqlite3 *db, const char *id, int pid, int monitor_pid, int64_t started,
                             struct vs_error *err);
int vs_container_set_exited(sqlite3 *db, const char *id, int exit_code, int64_t finished, struct vs_error *err);
/* The same, only if the record is still the run that started at `started`
 * (a restart since then makes this a no-op). */
int vs_container_set_exited_run(sqlite3 *db, const char *id, int64_t started, int exit_code, int64_t finished,
                                struct vs_error *err);
int vs_container_set_created(sqlite3 *db, const char *id, struct vs_error *err);
/* --rm from now on: its monitor's exit command removes it (a foreground run left by the detach keys). */
int vs_container_set_auto_remove(sqlite3 *db, const char *id, struct vs_error *err);
int vs_container_remove(sqlite3 *db, const char *id, struct vs_error *err);
/* process.args as JSON, once config.json is written. */
int vs_container_set_command(sqlite3 *db, const char *id, const char *command_json, struct vs_error *err);
/* docker's Config and HostConfig (JSON text), written at create. */
int vs_container_set_config(sqlite3 *db, const char *id, const char *config, const char *host_config,
                            struct vs_error *err);
int vs_container_set_restart_count(sqlite3 *db, const char *id, int count, struct vs_error *err);
/* Set by stop/kill; cleared by a start of the user's (container_start). */
int vs_container_set_stopped_by_user(sqlite3 *db, const char *id, bool stopped, struct vs_error *err);
/* state = `to` if it is `from` (e.g. "exited" -> "restarting" while a restart policy waits). */
int vs_container_set_state(sqlite3 *db, const char *id, const char *from, const char *to, struct vs_error *err);
/* A new name (without '/'): a taken one fails with EEXIST in docker's words, as add does. */
int vs_container_rename(sqlite3 *db, const char *id, const char *name, struct vs_error *err);

#endif
