/* vessel: the store's SQLite database (see db.h). Every error names the
 * database file and the statement, and quotes sqlite's own message. */
#include "util/db.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/cleanup.h"

#define BUSY_TIMEOUT_MS 30000
/* A `run --rm` writes about 25 pages. */
#define WAL_CHECKPOINT_PAGES 64
#define VS_STRINGIFY_(x) #x
#define VS_STRINGIFY(x) VS_STRINGIFY_(x)
/* How much of a statement's text an error quotes. */
#define SQL_QUOTE_MAX 60

/* The errno closest to an sqlite result code: what callers test for. */
static int db_errno(sqlite3 *db, int rc)
{
        int sys = db ? sqlite3_system_errno(db) : 0;
        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return EBUSY;
        case SQLITE_NOMEM:
                return ENOMEM;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return EACCES;
        case SQLITE_FULL:
                return ENOSPC;
        case SQLITE_CONSTRAINT:
                return EEXIST;
        case SQLITE_TOOBIG:
                return E2BIG;
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
                return sys > 0 ? sys : EIO;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return EIO;
        default:
                return EINVAL;
        }
}

static const char *db_path(sqlite3 *db)
{
        const char *p = db ? sqlite3_db_filename(db, "main") : NULL;
        return p && *p ? p : "database";
}

int vs_db_fail(sqlite3 *db, int rc, struct vs_error *err, const char *fmt, ...)
{
        char what[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        return vs_error_set(err, db_errno(db, rc), "%s: %s: %s", db_path(db), what, msg);
}

/* A statement as errors quote it: its first words, on one line. */
static void sql_quote(const char *sql, char out[SQL_QUOTE_MAX + 4])
{
        size_t n = 0;
        while (*sql == ' ' || *sql == '\n' || *sql == '\t')
                sql++;
        for (; *sql && n < SQL_QUOTE_MAX; sql++)
                if (!(n > 0 && out[n - 1] == ' ' && (*sql == ' ' || *sql == '\n' || *sql == '\t')))
                        out[n++] = (*sql == '\n' || *sql == '\t') ? ' ' : *sql;
        if (*sql) {
                memcpy(out + n, "...", 3);
                n += 3;
        }
        out[n] = '\0';
}

int vs_db_open(const char *path, sqlite3 **ret, struct vs_error *err)
{
        sqlite3 *db = NULL;
        int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc != SQLITE_OK) {
                int r = vs_error_set(err, db_errno(db, rc), "cannot open database %s: %s", path,
                                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
                sqlite3_close(db);
                return r;
        }
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
        /* Every vessel command is a short process, mostly the only one with
         * the database open. By default its close would checkpoint and delete
         * the WAL (two fsyncs), and the next command's first commit would
         * recreate it (two more): most of the syncs of a `run --rm`. So the WAL
         * stays, unsynced until a checkpoint, which comes every
         * WAL_CHECKPOINT_PAGES: few enough pages that the next process to open
         * the database, which must read the whole WAL to trust it, reads
         * little. */
        sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        int persist = 1;
        sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
        /* WAL: readers never wait for a writer, and a writer's crash never
         * leaves a torn database; NORMAL is durable at each checkpoint and
         * consistent always, which is what WAL mode makes safe. */
        static const char *const pragmas[] = {
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA wal_autocheckpoint=" VS_STRINGIFY(WAL_CHECKPOINT_PAGES),
                "PRAGMA journal_size_limit=1048576",
                "PRAGMA foreign_keys=ON",
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(pragmas); i++) {
                int r = vs_db_exec(db, pragmas[i], err);
                if (r < 0) {
                        sqlite3_close(db);
                        return r;
                }
        }
        *ret = db;
        return 0;
}

void vs_db_close(sqlite3 *db)
{
        /* v2: statements a caller still holds keep the connection until finalized. */
        if (db)
                sqlite3_close_v2(db);
}

int vs_db_exec(sqlite3 *db, const char *sql, struct vs_error *err)
{
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
                char q[SQL_QUOTE_MAX + 4];
                sql_quote(sql, q);
                return vs_db_fail(db, rc, err, "cannot run \"%s\"", q);
        }
        return 0;
}

int vs_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret, struct vs_error *err)
{
        sqlite3_stmt *stmt = NULL;
        int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
        if (rc != SQLITE_OK) {
                char q[SQL_QUOTE_MAX + 4];
                sql_quote(sql, q);
                sqlite3_finalize(stmt);
                return vs_db_fail(db, rc, err, "cannot prepare \"%s\"", q);
        }
        *ret = stmt;
        return 0;
}

int vs_db_step(sqlite3 *db, sqlite3_stmt *stmt, struct vs_error *err)
{
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        char q[SQL_QUOTE_MAX + 4];
        sql_quote(sqlite3_sql(stmt) ? sqlite3_sql(stmt) : "", q);
        return vs_db_fail(db, rc, err, "cannot run \"%s\"", q);
}

int vs_db_begin(sqlite3 *db, struct vs_error *err)
{
        /* IMMEDIATE takes the write lock now: a later upgrade from a read
         * transaction could fail with SQLITE_BUSY without the busy handler. */
        return vs_db_exec(db, "BEGIN IMMEDIATE", err);
}

int vs_db_commit(sqlite3 *db, struct vs_error *err)
{
        return vs_db_exec(db, "COMMIT", err);
}

void vs_db_rollback(sqlite3 *db)
{
        if (db && !sqlite3_get_autocommit(db))
                (void) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* The module's recorded version (0 when it has none). */
static int migrate_read(sqlite3 *db, const char *name, int *version, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "SELECT version FROM schema_versions WHERE module = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        if (r < 0)
                return r;
        *version = r ? sqlite3_column_int(st, 0) : 0;
        return 0;
}

static int migrate_write(sqlite3 *db, const char *name, int version, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "INSERT INTO schema_versions(module, version) VALUES(?, ?)"
                              " ON CONFLICT(module) DO UPDATE SET version = excluded.version",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, version);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : 0;
}

static int migrate_locked(sqlite3 *db, const char *name, const char *const *steps, int n, struct vs_error *err)
{
        int version = 0;
        int r = migrate_read(db, name, &version, err);
        if (r < 0)
                return r;
        if (version > n)
                return vs_error_set(err, EPROTO,
                                    "%s: tables of %s are at version %d, newer than this vessel knows (%d)",
                                    db_path(db), name, version, n);
        for (int v = version; v < n; v++) {
                r = vs_db_exec(db, steps[v], err);
                if (r < 0)
                        return vs_error_wrap(err, "cannot upgrade %s tables to version %d", name, v + 1);
        }
        if (version == n)
                return 0;
        return migrate_write(db, name, n, err);
}

/* Whether the module's tables are at version n already: read without the
 * write lock. Versions only grow, so a yes stays true; anything else (no
 * table yet, an older version, an error) goes the locked way. */
static bool migrate_current(sqlite3 *db, const char *name, int n)
{
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT version FROM schema_versions WHERE module = ?", -1, &st, NULL) != SQLITE_OK)
                return false;
        bool current = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
                       sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == n;
        sqlite3_finalize(st);
        return current;
}

int vs_db_migrate(sqlite3 *db, const char *name, const char *const *steps, int n, struct vs_error *err)
{
        /* Every command opens the store: the common case takes no write lock. */
        if (migrate_current(db, name, n))
                return 0;
        int r = vs_db_exec(db,
                           "CREATE TABLE IF NOT EXISTS schema_versions("
                           "module TEXT PRIMARY KEY, version INT NOT NULL)",
                           err);
        if (r < 0)
                return r;
        /* Read the version under the write lock: two processes starting at
         * once must not both run the same step. */
        r = vs_db_begin(db, err);
        if (r < 0)
                return r;
        r = migrate_locked(db, name, steps, n, err);
        if (r < 0) {
                vs_db_rollback(db);
                return r;
        }
        r = vs_db_commit(db, err);
        if (r < 0)
                vs_db_rollback(db);
        return r;
}
