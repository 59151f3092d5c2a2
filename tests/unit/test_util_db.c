/* Unit tests for src/util/db.c: the connection settings, migrations (once
 * each, also with processes racing), errors quoting sqlite and naming the
 * database, and transactions. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/db.h"
#include "util/files.h"

struct fixture {
        char tmp[64];
        char path[128];
        sqlite3 *db;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-db-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -1;
        snprintf(f->path, sizeof(f->path), "%s/test.db", f->tmp);
        struct vs_error err = VS_ERROR_INIT;
        if (vs_db_open(f->path, &f->db, &err) < 0) {
                print_message("# setup: %s\n", err.msg);
                return -1;
        }
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        vs_db_close(f->db);
        int r = vs_remove_tree_at(AT_FDCWD, f->tmp, &err);
        free(f);
        return r;
}

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static long long query_int(sqlite3 *db, const char *sql)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        assert_int_equal(vs_db_prepare(db, sql, &st, &err), 0);
        assert_int_equal(vs_db_step(db, st, &err), 1);
        return sqlite3_column_int64(st, 0);
}

static void test_open_settings(void **state)
{
        struct fixture *f = *state;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_db_prepare(f->db, "PRAGMA journal_mode", &st, &err), 0);
        assert_int_equal(vs_db_step(f->db, st, &err), 1);
        assert_string_equal((const char *) sqlite3_column_text(st, 0), "wal");
        assert_int_equal(query_int(f->db, "PRAGMA synchronous"), 1); /* NORMAL */
        assert_int_equal(query_int(f->db, "PRAGMA foreign_keys"), 1);
        assert_int_equal(query_int(f->db, "PRAGMA busy_timeout"), 30000);
}

/* Every file sqlite opened for the connection is close-on-exec. */
static void test_open_cloexec(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        /* Make sqlite open the -wal and -shm files too. */
        assert_int_equal(vs_db_exec(f->db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", &err), 0);
        _cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
        assert_non_null(d);
        struct dirent *de;
        int seen = 0;
        while ((de = readdir(d))) {
                char link[300], target[256];
                snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
                ssize_t n = readlink(link, target, sizeof(target) - 1);
                if (n <= 0)
                        continue;
                target[n] = '\0';
                if (strncmp(target, f->path, strlen(f->path)) != 0)
                        continue;
                seen++;
                int flags = fcntl(atoi(de->d_name), F_GETFD);
                if (!(flags & FD_CLOEXEC))
                        fail_msg("%s is open without FD_CLOEXEC", target);
        }
        assert_true(seen >= 3);
}

static void test_open_error_names_path(void **state)
{
        struct fixture *f = *state;
        char bad[200];
        snprintf(bad, sizeof(bad), "%s/missing-dir/x.db", f->tmp);
        sqlite3 *db = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_true(vs_db_open(bad, &db, &err) < 0);
        assert_null(db);
        assert_contains(err.msg, bad);
        assert_contains(err.msg, "unable to open database file");
}

static const char *const steps_v2[] = {
        "CREATE TABLE a(x INTEGER PRIMARY KEY, y TEXT)",
        "ALTER TABLE a ADD COLUMN z INTEGER DEFAULT 7",
};

static void test_migrate_once(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_db_migrate(f->db, "m", steps_v2, 1, &err), 0);
        assert_int_equal(query_int(f->db, "SELECT version FROM schema_versions WHERE module = 'm'"), 1);
        /* Again at the same version: the step does not run twice (it would fail: table exists). */
        assert_int_equal(vs_db_migrate(f->db, "m", steps_v2, 1, &err), 0);
        /* One more step: only the new one runs. */
        assert_int_equal(vs_db_migrate(f->db, "m", steps_v2, 2, &err), 0);
        assert_int_equal(query_int(f->db, "SELECT version FROM schema_versions WHERE module = 'm'"), 2);
        assert_int_equal(vs_db_exec(f->db, "INSERT INTO a(y) VALUES('q')", &err), 0);
        assert_int_equal(query_int(f->db, "SELECT z FROM a"), 7);
        /* Modules are independent. */
        static const char *const other[] = {"CREATE TABLE b(x)"};
        assert_int_equal(vs_db_migrate(f->db, "other", other, 1, &err), 0);
        assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_versions"), 2);
}

static void test_migrate_newer_refused(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_db_migrate(f->db, "m", steps_v2, 2, &err), 0);
        assert_int_equal(vs_db_migrate(f->db, "m", steps_v2, 1, &err), -EPROTO);
        assert_contains(err.msg, "version 2");
        assert_contains(err.msg, f->path);
}

static void test_migrate_failed_step_rolls_back(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        static const char *const bad[] = {"CREATE TABLE c(x)", "CREATE TABLE c(y)"};
        assert_true(vs_db_migrate(f->db, "bad", bad, 2, &err) < 0);
        assert_contains(err.msg, "cannot upgrade bad tables to version 2");
        assert_contains(err.msg, "table c already exists");
        /* Neither step stays: the version row is absent and c was rolled back. */
        assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_versions WHERE module = 'bad'"), 0);
        assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_master WHERE name = 'c'"), 0);
        assert_int_equal(vs_db_migrate(f->db, "bad", bad, 1, &err), 0);
}

/* Processes starting at once on a new database each run the migration; the
 * step runs exactly once. */
static void test_migrate_concurrent(void **state)
{
        struct fixture *f = *state;
        static const char *const steps[] = {"CREATE TABLE runs(n INTEGER)", "INSERT INTO runs VALUES(1)"};
        /* sqlite connections must not cross a fork: children open their own. */
        vs_db_close(f->db);
        f->db = NULL;
        pid_t pids[8];
        for (size_t i = 0; i < VS_ARRAY_SIZE(pids); i++) {
                pids[i] = fork();
                assert_true(pids[i] >= 0);
                if (pids[i] == 0) {
                        sqlite3 *db = NULL;
                        struct vs_error err = VS_ERROR_INIT;
                        int r = vs_db_open(f->path, &db, &err);
                        if (r == 0)
                                r = vs_db_migrate(db, "race", steps, 2, &err);
                        if (r < 0)
                                fprintf(stderr, "# child: %s\n", err.msg);
                        vs_db_close(db);
                        _exit(r < 0 ? 1 : 0);
                }
        }
        for (size_t i = 0; i < VS_ARRAY_SIZE(pids); i++) {
                int status = 0;
                assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_db_open(f->path, &f->db, &err), 0);
        assert_int_equal(query_int(f->db, "SELECT count(*) FROM runs"), 1);
}

static void test_errors_quote_sqlite(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_db_exec(f->db, "SELEC 1", &err), -EINVAL);
        assert_contains(err.msg, f->path);
        assert_contains(err.msg, "\"SELEC 1\"");
        assert_contains(err.msg, "syntax error");

        sqlite3_stmt *st = NULL;
        assert_true(vs_db_prepare(f->db, "SELECT * FROM nowhere", &st, &err) < 0);
        assert_null(st);
        assert_contains(err.msg, "no such table: nowhere");

        /* A constraint maps to EEXIST and the message quotes the statement. */
        assert_int_equal(vs_db_exec(f->db, "CREATE TABLE u(k TEXT PRIMARY KEY)", &err), 0);
        assert_int_equal(vs_db_exec(f->db, "INSERT INTO u VALUES('a')", &err), 0);
        _cleanup_stmt_ sqlite3_stmt *ins = NULL;
        assert_int_equal(vs_db_prepare(f->db, "INSERT INTO u VALUES('a')", &ins, &err), 0);
        assert_int_equal(vs_db_step(f->db, ins, &err), -EEXIST);
        assert_contains(err.msg, "UNIQUE constraint failed: u.k");
        assert_contains(err.msg, "INSERT INTO u");

        /* Long statements are cut in the message. */
        char sql[300];
        snprintf(sql, sizeof(sql), "SELECT %0200d FROM FROM", 5);
        assert_true(vs_db_exec(f->db, sql, &err) < 0);
        assert_contains(err.msg, "...\"");
        assert_contains(err.msg, "near \"FROM\": syntax error");
        assert_true(strlen(err.msg) < 200);
}

static void test_transactions(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        vs_db_rollback(f->db); /* none open: harmless */
        assert_int_equal(vs_db_exec(f->db, "CREATE TABLE t(x)", &err), 0);
        assert_int_equal(vs_db_begin(f->db, &err), 0);
        assert_int_equal(vs_db_exec(f->db, "INSERT INTO t VALUES(1)", &err), 0);
        vs_db_rollback(f->db);
        assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 0);
        assert_int_equal(vs_db_begin(f->db, &err), 0);
        assert_int_equal(vs_db_exec(f->db, "INSERT INTO t VALUES(1)", &err), 0);
        assert_int_equal(vs_db_commit(f->db, &err), 0);
        assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1);

        /* BEGIN IMMEDIATE holds the write lock: a second connection waits
         * for it; with its timeout cut, it gets EBUSY naming the database. */
        sqlite3 *other = NULL;
        assert_int_equal(vs_db_open(f->path, &other, &err), 0);
        sqlite3_busy_timeout(other, 50);
        assert_int_equal(vs_db_begin(f->db, &err), 0);
        assert_int_equal(vs_db_begin(other, &err), -EBUSY);
        assert_contains(err.msg, "BEGIN IMMEDIATE");
        assert_contains(err.msg, "database is locked");
        /* Readers are not blocked (WAL). */
        assert_int_equal(query_int(other, "SELECT count(*) FROM t"), 1);
        vs_db_rollback(f->db);
        assert_int_equal(vs_db_begin(other, &err), 0);
        assert_int_equal(vs_db_commit(other, &err), 0);
        vs_db_close(other);
}

static void test_foreign_keys_enforced(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_db_exec(f->db,
                                    "CREATE TABLE p(id TEXT PRIMARY KEY);"
                                    "CREATE TABLE c(pid TEXT REFERENCES p(id) ON DELETE CASCADE)",
                                    &err),
                         0);
        assert_true(vs_db_exec(f->db, "INSERT INTO c VALUES('none')", &err) < 0);
        assert_contains(err.msg, "FOREIGN KEY constraint failed");
        assert_int_equal(vs_db_exec(f->db, "INSERT INTO p VALUES('a'); INSERT INTO c VALUES('a')", &err), 0);
        assert_int_equal(vs_db_exec(f->db, "DELETE FROM p", &err), 0);
        assert_int_equal(query_int(f->db, "SELECT count(*) FROM c"), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_settings, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_cloexec, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_error_names_path, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate_newer_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate_failed_step_rolls_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate_concurrent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_errors_quote_sqlite, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_keys_enforced, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
