/* vessel: container records in SQLite (see containers.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/containers.h"
#include "util/cleanup.h"
#include "util/db.h"

static const char *const schema[] = {
        "CREATE TABLE containers ("
        " id TEXT PRIMARY KEY,"
        " name TEXT NOT NULL UNIQUE,"
        " image_id TEXT NOT NULL,"
        " image_name TEXT NOT NULL,"
        " command TEXT NOT NULL,"
        " state TEXT NOT NULL,"
        " created INTEGER NOT NULL,"
        " started_at INTEGER NOT NULL DEFAULT 0,"
        " finished_at INTEGER NOT NULL DEFAULT 0,"
        " pid INTEGER NOT NULL DEFAULT 0,"
        " monitor_pid INTEGER NOT NULL DEFAULT 0,"
        " exit_code INTEGER NOT NULL DEFAULT 0,"
        " auto_remove INTEGER NOT NULL DEFAULT 0,"
        " tty INTEGER NOT NULL DEFAULT 0,"
        " interactive INTEGER NOT NULL DEFAULT 0);",
        /* 2: what it was created with (docker's Config and HostConfig as JSON),
         * its restarts, and whether the user stopped it (no restart then) */
        "ALTER TABLE containers ADD COLUMN config TEXT NOT NULL DEFAULT '{}';"
        "ALTER TABLE containers ADD COLUMN host_config TEXT NOT NULL DEFAULT '{}';"
        "ALTER TABLE containers ADD COLUMN restart_count INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE containers ADD COLUMN stopped_by_user INTEGER NOT NULL DEFAULT 0;",
};

#define COLUMNS                                                                                                        \
        "id, name, image_id, image_name, command, state, created, started_at, finished_at, pid, monitor_pid,"          \
        " exit_code, auto_remove, tty, interactive, config, host_config, restart_count, stopped_by_user"

void vs_container_free(struct vs_container *c)
{
        free(c->id);
        free(c->name);
        free(c->image_id);
        free(c->image_name);
        free(c->command);
        free(c->state);
        free(c->config);
        free(c->host_config);
        memset(c, 0, sizeof(*c));
}

void vs_container_list_free(struct vs_container *cs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                vs_container_free(&cs[i]);
        free(cs);
}

int vs_containers_init(sqlite3 *db, struct vs_error *err)
{
        return vs_db_migrate(db, "containers", schema, (int) VS_ARRAY_SIZE(schema), err);
}

static char *column_dup(sqlite3_stmt *st, int i, bool *oom)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        char *s = strdup(t ? (const char *) t : "");
        if (!s)
                *oom = true;
        return s;
}

static int row_read(sqlite3_stmt *st, struct vs_container *c, struct vs_error *err)
{
        bool oom = false;
        c->id = column_dup(st, 0, &oom);
        c->name = column_dup(st, 1, &oom);
        c->image_id = column_dup(st, 2, &oom);
        c->image_name = column_dup(st, 3, &oom);
        c->command = column_dup(st, 4, &oom);
        c->state = column_dup(st, 5, &oom);
        c->created = sqlite3_column_int64(st, 6);
        c->started_at = sqlite3_column_int64(st, 7);
        c->finished_at = sqlite3_column_int64(st, 8);
        c->pid = sqlite3_column_int(st, 9);
        c->monitor_pid = sqlite3_column_int(st, 10);
        c->exit_code = sqlite3_column_int(st, 11);
        c->auto_remove = sqlite3_column_int(st, 12) != 0;
        c->tty = sqlite3_column_int(st, 13) != 0;
        c->interactive = sqlite3_column_int(st, 14) != 0;
        c->config = column_dup(st, 15, &oom);
        c->host_config = column_dup(st, 16, &oom);
        c->restart_count = sqlite3_column_int(st, 17);
        c->stopped_by_user = sqlite3_column_int(st, 18) != 0;
        if (oom) {
                vs_container_free(c);
                return vs_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

int vs_container_add(sqlite3 *db, const struct vs_container *c, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "INSERT INTO containers(id, name, image_id, image_name, command, state, created,"
                              " auto_remove, tty, interactive) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->image_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->image_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, c->command, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, c->state, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, c->created);
        sqlite3_bind_int(st, 8, c->auto_remove);
        sqlite3_bind_int(st, 9, c->tty);
        sqlite3_bind_int(st, 10, c->interactive);
        int rc = sqlite3_step(st);
        if ((rc & 0xff) == SQLITE_CONSTRAINT) {
                struct vs_container other = {0};
                struct vs_error ignored = VS_ERROR_INIT;
                const char *by = "";
                if (vs_container_find(db, c->name, &other, &ignored) == 0)
                        by = other.id;
                else
                        vs_error_ignore(&ignored);
                vs_error_set(err, EEXIST,
                             "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have "
                             "to remove (or rename) that container to be able to reuse that name.",
                             c->name, by);
                vs_container_free(&other);
                return -EEXIST;
        }
        if (rc != SQLITE_DONE)
                return vs_db_fail(db, rc, err, "cannot record container %s", c->name);
        return 0;
}

int vs_container_find(sqlite3 *db, const char *text, struct vs_container *ret, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "SELECT " COLUMNS " FROM containers WHERE name = ?1"
                              " UNION ALL SELECT " COLUMNS " FROM containers WHERE ?1 <> '' AND"
                              " substr(id, 1, length(?1)) = ?1 AND NOT EXISTS"
                              " (SELECT 1 FROM containers WHERE name = ?1) LIMIT 2",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        if (r < 0)
                return r;
        if (r == 0)
                return vs_error_set(err, ENOENT, "No such container: %s", text);
        struct vs_container c = {0};
        r = row_read(st, &c, err);
        if (r < 0)
                return r;
        int more = vs_db_step(db, st, err);
        if (more != 0) {
                vs_container_free(&c);
                return more < 0 ? more
                                : vs_error_set(err, EINVAL, "multiple containers found with provided prefix: %s", text);
        }
        *ret = c;
        return 0;
}

int vs_container_list(sqlite3 *db, struct vs_container **ret, size_t *n, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "SELECT " COLUMNS " FROM containers ORDER BY created DESC", &st, err);
        if (r < 0)
                return r;
        struct vs_container *cs = NULL;
        size_t count = 0;
        while ((r = vs_db_step(db, st, err)) == 1) {
                struct vs_container *more = realloc(cs, (count + 1) * sizeof(*cs));
                if (!more) {
                        r = vs_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                cs = more;
                memset(&cs[count], 0, sizeof(*cs));
                r = row_read(st, &cs[count], err);
                if (r < 0)
                        break;
                count++;
        }
        if (r < 0) {
                vs_container_list_free(cs, count);
                return r;
        }
        *ret = cs;
        *n = count;
        return 0;
}

/* Run one UPDATE/DELETE on the row of `id`. */
static int row_change(sqlite3 *db, const char *sql, const char *id, const int64_t *values, size_t n,
                      struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, sql, &st, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                sqlite3_bind_int64(st, (int) i + 1, values[i]);
        sqlite3_bind_text(st, (int) n + 1, id, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : 0;
}

int vs_container_set_running(sqlite3 *db, const char *id, int pid, int monitor_pid, int64_t started,
                             struct vs_error *err)
{
        int64_t v[] = {pid, monitor_pid, started};
        return row_change(db,
                          "UPDATE containers SET state = 'running', pid = ?, monitor_pid = ?, started_at = ?,"
                          " finished_at = 0, exit_code = 0 WHERE id = ?",
                          id, v, 3, err);
}

int vs_container_set_exited(sqlite3 *db, const char *id, int exit_code, int64_t finished, struct vs_error *err)
{
        int64_t v[] = {exit_code, finished};
        return row_change(db,
                          "UPDATE containers SET state = 'exited', exit_code = ?, finished_at = ?, pid = 0,"
                          " monitor_pid = 0 WHERE id = ?",
                          id, v, 2, err);
}

int vs_container_set_exited_run(sqlite3 *db, const char *id, int64_t started, int exit_code, int64_t finished,
                                struct vs_error *err)
{
        int64_t v[] = {exit_code, finished, started};
        return row_change(db,
                          "UPDATE containers SET state = 'exited', exit_code = ?, finished_at = ?, pid = 0,"
                          " monitor_pid = 0 WHERE state = 'running' AND started_at = ? AND id = ?",
                          id, v, 3, err);
}

int vs_container_set_created(sqlite3 *db, const char *id, struct vs_error *err)
{
        return row_change(db, "UPDATE containers SET state = 'created', pid = 0, monitor_pid = 0 WHERE id = ?", id,
                          NULL, 0, err);
}

int vs_container_set_auto_remove(sqlite3 *db, const char *id, struct vs_error *err)
{
        return row_change(db, "UPDATE containers SET auto_remove = 1 WHERE id = ?", id, NULL, 0, err);
}

int vs_container_remove(sqlite3 *db, const char *id, struct vs_error *err)
{
        return row_change(db, "DELETE FROM containers WHERE id = ?", id, NULL, 0, err);
}

int vs_container_set_command(sqlite3 *db, const char *id, const char *command_json, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "UPDATE containers SET command = ? WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, command_json, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : 0;
}

int vs_container_set_config(sqlite3 *db, const char *id, const char *config, const char *host_config,
                            struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "UPDATE containers SET config = ?, host_config = ? WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, config, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, host_config, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : 0;
}

int vs_container_set_restart_count(sqlite3 *db, const char *id, int count, struct vs_error *err)
{
        int64_t v[] = {count};
        return row_change(db, "UPDATE containers SET restart_count = ? WHERE id = ?", id, v, 1, err);
}

int vs_container_set_stopped_by_user(sqlite3 *db, const char *id, bool stopped, struct vs_error *err)
{
        int64_t v[] = {stopped};
        return row_change(db, "UPDATE containers SET stopped_by_user = ? WHERE id = ?", id, v, 1, err);
}

int vs_container_rename(sqlite3 *db, const char *id, const char *name, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "UPDATE containers SET name = ? WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if ((rc & 0xff) == SQLITE_CONSTRAINT) {
                struct vs_container other = {0};
                struct vs_error ignored = VS_ERROR_INIT;
                if (vs_container_find(db, name, &other, &ignored) < 0)
                        vs_error_ignore(&ignored);
                vs_error_set(err, EEXIST,
                             "Error when allocating new name: Conflict. The container name \"/%s\" is already in use "
                             "by container \"%s\". You have to remove (or rename) that container to be able to reuse "
                             "that name.",
                             name, other.id ? other.id : "");
                vs_container_free(&other);
                return -EEXIST;
        }
        if (rc != SQLITE_DONE)
                return vs_db_fail(db, rc, err, "cannot rename container %.12s to %s", id, name);
        return 0;
}

int vs_container_set_state(sqlite3 *db, const char *id, const char *from, const char *to, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "UPDATE containers SET state = ? WHERE id = ? AND state = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : 0;
}
