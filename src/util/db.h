/* vessel: the store's SQLite database. One file (root/vessel.db) in WAL mode
 * with a busy timeout, shared by every vessel process; each module keeps its
 * own tables and brings them up to date with vs_db_migrate(). Writes happen
 * in BEGIN IMMEDIATE transactions so two commands never interleave. */
#ifndef VESSEL_UTIL_DB_H
#define VESSEL_UTIL_DB_H

#include <sqlite3.h>

#include "util/error.h"

/* Open (creating) the database at path: WAL, synchronous=NORMAL,
 * foreign_keys=ON, busy timeout 30 s. */
int vs_db_open(const char *path, sqlite3 **ret, struct vs_error *err);
void vs_db_close(sqlite3 *db);

/* Bring module `name`'s tables to `n` versions: steps[i] is the SQL that
 * moves version i to i+1; the version is kept in a table of the db. */
int vs_db_migrate(sqlite3 *db, const char *name, const char *const *steps, int n, struct vs_error *err);

/* Run SQL with no result rows; the error quotes sqlite's message. */
int vs_db_exec(sqlite3 *db, const char *sql, struct vs_error *err);
/* Prepare a statement; the error quotes sqlite's message. */
int vs_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret, struct vs_error *err);
/* sqlite3_step() mapped to 1 (a row), 0 (done) or a negative errno with err filled. */
int vs_db_step(sqlite3 *db, sqlite3_stmt *stmt, struct vs_error *err);

int vs_db_begin(sqlite3 *db, struct vs_error *err); /* BEGIN IMMEDIATE */
int vs_db_commit(sqlite3 *db, struct vs_error *err);
void vs_db_rollback(sqlite3 *db); /* harmless when no transaction is open */

/* Fill err from sqlite result code rc: "<db path>: <what>: <sqlite's message>",
 * with the nearest errno (EBUSY, ENOSPC, EEXIST for a constraint, ...). */
int vs_db_fail(sqlite3 *db, int rc, struct vs_error *err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline void vs_db_finalizep(sqlite3_stmt **s)
{
        if (*s)
                sqlite3_finalize(*s);
}
#define _cleanup_stmt_ __attribute__((cleanup(vs_db_finalizep)))

#endif
