/* vessel: volume records and directories (see volumes.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/volumes.h"
#include "util/cleanup.h"
#include "util/db.h"
#include "util/files.h"

#define OOM(err) vs_error_set(err, ENOMEM, "out of memory")

static const char *const schema[] = {
        "CREATE TABLE volumes ("
        " name TEXT PRIMARY KEY,"
        " driver TEXT NOT NULL,"
        " options TEXT NOT NULL," /* JSON object */
        " labels TEXT NOT NULL,"  /* JSON object */
        " created INTEGER NOT NULL,"
        " anonymous INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE container_volumes ("
        " container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,"
        " volume TEXT REFERENCES volumes(name),"
        " source TEXT,"
        " destination TEXT NOT NULL,"
        " readonly INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX container_volumes_by_container ON container_volumes(container_id);"
        "CREATE INDEX container_volumes_by_volume ON container_volumes(volume);",
};

void vs_volume_free(struct vs_volume *v)
{
        free(v->name);
        free(v->driver);
        vs_strv_free(v->options);
        vs_strv_free(v->labels);
        memset(v, 0, sizeof(*v));
}

void vs_volume_list_free(struct vs_volume *vs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                vs_volume_free(&vs[i]);
        free(vs);
}

int vs_volumes_init(sqlite3 *db, struct vs_error *err)
{
        return vs_db_migrate(db, "volumes", schema, (int) VS_ARRAY_SIZE(schema), err);
}

bool vs_volume_name_valid(const char *name)
{
        if (!name || !isalnum((unsigned char) name[0]) || !name[1])
                return false;
        for (const char *p = name + 1; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
                        return false;
        return true;
}

int vs_volume_random_name(char ret[65], struct vs_error *err)
{
        unsigned char raw[32];
        if (getrandom(raw, sizeof(raw), 0) != (ssize_t) sizeof(raw))
                return vs_error_syscall(err, "cannot make a volume name");
        for (size_t i = 0; i < sizeof(raw); i++)
                sprintf(ret + 2 * i, "%02x", raw[i]);
        return 0;
}

static bool has_key(char *const *list, const char *key)
{
        size_t len = strlen(key);
        for (char *const *p = list; p && *p; p++)
                if (strncmp(*p, key, len) == 0 && (*p)[len] == '=')
                        return true;
        return false;
}

/* docker's local driver: the keys it knows, and which need which. */
static int check_options(char *const *options, struct vs_error *err)
{
        static const char *const required[][3] = {
                {"type", "device", NULL}, {"device", "type", NULL}, {"o", "device", "type"}};
        for (char *const *p = options; p && *p; p++) {
                size_t len = strcspn(*p, "=");
                bool known = (len == 4 && strncmp(*p, "type", 4) == 0) || (len == 6 && strncmp(*p, "device", 6) == 0) ||
                             (len == 1 && **p == 'o');
                if (!(*p)[len] || !known)
                        return vs_error_set(err, EINVAL, "invalid option: \"%.*s\"", (int) len, *p);
        }
        for (size_t i = 0; i < VS_ARRAY_SIZE(required); i++)
                for (size_t j = 1; has_key(options, required[i][0]) && j < 3 && required[i][j]; j++)
                        if (!has_key(options, required[i][j]))
                                return vs_error_set(err, EINVAL, "missing required option: \"%s\"", required[i][j]);
        return 0;
}

int vs_volume_check(const struct vs_volume *v, struct vs_error *err)
{
        if (!vs_volume_name_valid(v->name))
                return vs_error_set(err, EINVAL,
                                    "create %s: \"%s\" includes invalid characters for a local volume name, only "
                                    "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                                    "directory, use absolute path",
                                    v->name ? v->name : "", v->name ? v->name : "");
        if (v->driver && strcmp(v->driver, "local") != 0)
                return vs_error_set(err, EINVAL,
                                    "create %s: error looking up volume plugin %s: plugin \"%s\" not found", v->name,
                                    v->driver, v->driver);
        for (char *const *l = v->labels; l && *l; l++)
                if (**l == '=')
                        return vs_error_set(err, EINVAL, "create %s: invalid label '%s': empty name", v->name, *l);
        int r = check_options(v->options, err);
        return r < 0 ? vs_error_wrap(err, "create %s", v->name) : 0;
}

char *vs_volume_data_path(const char *root, const char *name)
{
        char *path = NULL;
        return asprintf(&path, "%s/volumes/%s/_data", root, name) < 0 ? NULL : path;
}

/* ---- JSON objects <-> "K=V" lists ---- */

static char *kv_json(char *const *list)
{
        json_t *o = json_object();
        for (char *const *p = list; o && p && *p; p++) {
                const char *eq = strchr(*p, '=');
                _cleanup_free_ char *key = eq ? strndup(*p, (size_t) (eq - *p)) : strdup(*p);
                if (!key || json_object_set_new(o, key, json_string(eq ? eq + 1 : "")) < 0) {
                        json_decref(o);
                        return NULL;
                }
        }
        char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        return text;
}

static int json_kv(const unsigned char *text, char ***ret)
{
        json_t *o = json_loads(text ? (const char *) text : "{}", 0, NULL);
        const char *key;
        json_t *value;
        size_t n = 0;
        char **list = NULL;
        if (json_object_size(o) && !(list = calloc(json_object_size(o) + 1, sizeof(char *)))) {
                json_decref(o);
                return -ENOMEM;
        }
        json_object_foreach (o, key, value)
                if (asprintf(&list[n++], "%s=%s", key, json_string_value(value) ?: "") < 0) {
                        list[n - 1] = NULL;
                        vs_strv_free(list);
                        json_decref(o);
                        return -ENOMEM;
                }
        json_decref(o);
        *ret = list;
        return 0;
}

/* ---- records ---- */

#define COLUMNS "name, driver, options, labels, created, anonymous"

static int row_read(sqlite3_stmt *st, struct vs_volume *v, struct vs_error *err)
{
        const unsigned char *name = sqlite3_column_text(st, 0), *driver = sqlite3_column_text(st, 1);
        *v = (struct vs_volume){.created = sqlite3_column_int64(st, 4), .anonymous = sqlite3_column_int(st, 5) != 0};
        v->name = strdup(name ? (const char *) name : "");
        v->driver = strdup(driver ? (const char *) driver : "local");
        if (!v->name || !v->driver || json_kv(sqlite3_column_text(st, 2), &v->options) < 0 ||
            json_kv(sqlite3_column_text(st, 3), &v->labels) < 0) {
                vs_volume_free(v);
                return OOM(err);
        }
        return 0;
}

static int insert(sqlite3 *db, const struct vs_volume *v, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *options = kv_json(v->options), *labels = kv_json(v->labels);
        if (!options || !labels)
                return OOM(err);
        int r = vs_db_prepare(db, "INSERT INTO volumes (" COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)", &st, err);
        if (r < 0)
                return r;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        sqlite3_bind_text(st, 1, v->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, v->driver ? v->driver : "local", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, options, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, labels, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, v->created ? v->created : (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec);
        sqlite3_bind_int(st, 6, v->anonymous);
        r = vs_db_step(db, st, err);
        if (r == -EEXIST) {
                vs_error_ignore(err);
                return vs_error_set(err, EEXIST, "create %s: volume already exists", v->name);
        }
        return r < 0 ? r : 0;
}

/* <root>/volumes/<name>/_data (0701 above it: containers' users reach _data, nobody lists). */
static int make_dirs(const char *root, const char *name, struct vs_error *err)
{
        _cleanup_free_ char *volumes = NULL, *dir = NULL, *data = vs_volume_data_path(root, name);
        if (!data || asprintf(&volumes, "%s/volumes", root) < 0 || asprintf(&dir, "%s/%s", volumes, name) < 0)
                return OOM(err);
        if (mkdir(volumes, 0701) < 0 && errno != EEXIST)
                return vs_error_syscall(err, "cannot make %s", volumes);
        if (mkdir(dir, 0701) < 0 && errno != EEXIST)
                return vs_error_syscall(err, "cannot make %s", dir);
        if (mkdir(data, 0755) < 0 && errno != EEXIST)
                return vs_error_syscall(err, "cannot make %s", data);
        return 0;
}

static void remove_dirs(const char *root, const char *name)
{
        _cleanup_free_ char *dir = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (asprintf(&dir, "%s/volumes/%s", root, name) >= 0 && vs_remove_tree_at(AT_FDCWD, dir, &ignored) < 0)
                vs_error_ignore(&ignored);
}

int vs_volume_create(sqlite3 *db, const char *root, const struct vs_volume *v, struct vs_error *err)
{
        int r = vs_volume_check(v, err);
        if (r < 0)
                return r;
        /* The record decides who owns the name: look first, so a taken name's
         * directory is never touched. */
        struct vs_volume old = {0};
        r = vs_volume_find(db, v->name, &old, err);
        vs_volume_free(&old);
        if (r == 0)
                return vs_error_set(err, EEXIST, "create %s: volume already exists", v->name);
        if (r != -ENOENT)
                return r;
        vs_error_ignore(err);
        r = make_dirs(root, v->name, err);
        if (r == 0)
                r = insert(db, v, err);
        if (r < 0 && r != -EEXIST)
                remove_dirs(root, v->name);
        return r;
}

int vs_volume_find(sqlite3 *db, const char *name, struct vs_volume *ret, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "SELECT " COLUMNS " FROM volumes WHERE name = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        if (r < 0)
                return r;
        if (r == 0)
                return vs_error_set(err, ENOENT, "get %s: no such volume", name);
        return row_read(st, ret, err);
}

int vs_volume_list(sqlite3 *db, struct vs_volume **ret, size_t *n, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "SELECT " COLUMNS " FROM volumes ORDER BY name", &st, err);
        struct vs_volume *list = NULL;
        size_t count = 0;
        while (r >= 0 && (r = vs_db_step(db, st, err)) == 1) {
                struct vs_volume *grown = realloc(list, (count + 1) * sizeof(*grown));
                if (!grown) {
                        r = OOM(err);
                        break;
                }
                list = grown;
                r = row_read(st, &list[count], err);
                count += r == 0;
        }
        if (r < 0) {
                vs_volume_list_free(list, count);
                return r;
        }
        *ret = list;
        *n = count;
        return 0;
}

static int strv_push(char ***v, size_t *n, const char *s)
{
        char **grown = realloc(*v, (*n + 2) * sizeof(char *));
        if (!grown)
                return -ENOMEM;
        *v = grown;
        if (!(grown[*n] = strdup(s)))
                return -ENOMEM;
        grown[++*n] = NULL;
        return 0;
}

int vs_volume_users(sqlite3 *db, const char *name, char ***ret, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "SELECT DISTINCT container_id FROM container_volumes WHERE volume = ? ORDER BY 1",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        _cleanup_strv_ char **ids = calloc(1, sizeof(char *));
        size_t n = 0;
        if (!ids)
                return OOM(err);
        while ((r = vs_db_step(db, st, err)) == 1)
                if (strv_push(&ids, &n, (const char *) sqlite3_column_text(st, 0)) < 0)
                        return OOM(err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ids);
        return 0;
}

static int in_use_error(const char *name, char **ids, struct vs_error *err)
{
        char list[1024] = "";
        size_t len = 0;
        for (char **p = ids; *p && len < sizeof(list); p++)
                len += (size_t) snprintf(list + len, sizeof(list) - len, "%s%s", p == ids ? "" : ", ", *p);
        return vs_error_set(err, EBUSY, "remove %s: volume is in use - [%s]", name, list);
}

/* Delete the record if no container uses the volume, in one transaction. */
static int delete_record(sqlite3 *db, const char *name, struct vs_error *err)
{
        int r = vs_db_begin(db, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **ids = NULL;
        struct vs_volume v = {0};
        r = vs_volume_find(db, name, &v, err);
        vs_volume_free(&v);
        if (r == 0)
                r = vs_volume_users(db, name, &ids, err);
        if (r == 0 && ids[0])
                r = in_use_error(name, ids, err);
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (r == 0)
                r = vs_db_prepare(db, "DELETE FROM volumes WHERE name = ?", &st, err);
        if (r == 0) {
                sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
                r = vs_db_step(db, st, err);
        }
        if (r >= 0)
                r = vs_db_commit(db, err);
        if (r < 0)
                vs_db_rollback(db);
        return r < 0 ? r : 0;
}

int vs_volume_remove(sqlite3 *db, const char *root, const char *name, struct vs_error *err)
{
        int r = delete_record(db, name, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *data = vs_volume_data_path(root, name);
        if (data)
                while (umount2(data, MNT_DETACH) == 0)
                        ;
        remove_dirs(root, name);
        return 0;
}

/* ---- container_volumes ---- */

void vs_volume_uses_free(struct vs_volume_use *u, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(u[i].volume);
                free(u[i].source);
                free(u[i].destination);
        }
        free(u);
}

int vs_volume_use_add(sqlite3 *db, const char *container_id, const struct vs_volume_use *u, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "INSERT INTO container_volumes (container_id, volume, source, destination, readonly)"
                              " VALUES (?, ?, ?, ?, ?)",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, u->volume, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, u->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, u->destination, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, u->readonly);
        r = vs_db_step(db, st, err);
        if (r < 0)
                return vs_error_wrap(err, "container %.12s: cannot record its mount on %s", container_id,
                                     u->destination);
        return 0;
}

static char *column_dup_or_null(sqlite3_stmt *st, int i, bool *oom)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        char *s = t ? strdup((const char *) t) : NULL;
        *oom |= t && !s;
        return s;
}

int vs_volume_uses(sqlite3 *db, const char *container_id, struct vs_volume_use **ret, size_t *n, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "SELECT volume, source, destination, readonly FROM container_volumes"
                              " WHERE container_id = ? ORDER BY rowid",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
        struct vs_volume_use *list = NULL;
        size_t count = 0;
        while ((r = vs_db_step(db, st, err)) == 1) {
                struct vs_volume_use *grown = realloc(list, (count + 1) * sizeof(*grown));
                if (!grown) {
                        r = OOM(err);
                        break;
                }
                list = grown;
                bool oom = false;
                list[count] = (struct vs_volume_use){column_dup_or_null(st, 0, &oom), column_dup_or_null(st, 1, &oom),
                                                     column_dup_or_null(st, 2, &oom), sqlite3_column_int(st, 3) != 0};
                count++;
                if (oom || !list[count - 1].destination) {
                        r = OOM(err);
                        break;
                }
        }
        if (r < 0) {
                vs_volume_uses_free(list, count);
                return r;
        }
        *ret = list;
        *n = count;
        return 0;
}
