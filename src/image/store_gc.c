/* vessel: garbage collection of the store: blobs, unpacked layers and
 * ingest files that no image refers to. It runs under the store lock taken
 * exclusively; every command adding content holds it shared from its first
 * blob to vs_store_image_add, so nothing being assembled is collected. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "image/store.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/db.h"
#include "util/files.h"

/* A sorted set of strings (sqlite's BINARY order is strcmp's). */
struct strset {
        char **v;
        size_t n;
};

static void strset_free(struct strset *set)
{
        for (size_t i = 0; i < set->n; i++)
                free(set->v[i]);
        free(set->v);
        set->v = NULL;
        set->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool strset_has(const struct strset *set, const char *s)
{
        return set->n > 0 && bsearch(&s, set->v, set->n, sizeof(char *), cmp_str) != NULL;
}

static int strset_query(struct vs_store *s, const char *sql, struct strset *set, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db, sql, &st, err);
        if (r < 0)
                return r;
        while ((r = vs_db_step(s->db, st, err)) == 1) {
                char **nv = realloc(set->v, (set->n + 1) * sizeof(char *));
                if (!nv)
                        return vs_error_errno(err, ENOMEM, "cannot collect garbage");
                set->v = nv;
                if (!(set->v[set->n] = strdup((const char *) sqlite3_column_text(st, 0))))
                        return vs_error_errno(err, ENOMEM, "cannot collect garbage");
                set->n++;
        }
        if (r < 0)
                return r;
        /* Sort here too: the set must not depend on the query's collation. */
        if (set->n > 1)
                qsort(set->v, set->n, sizeof(char *), cmp_str);
        return 0;
}

struct reachable {
        struct strset blobs;  /* digests */
        struct strset layers; /* chain IDs */
};

static int reachable_load(struct vs_store *s, struct reachable *rc, struct vs_error *err)
{
        int r = vs_db_exec(s->db, "BEGIN", err);
        if (r < 0)
                return r;
        r = strset_query(s,
                         "SELECT id FROM images UNION SELECT manifest_digest FROM images"
                         " UNION SELECT index_digest FROM images WHERE index_digest IS NOT NULL"
                         " UNION SELECT blob_digest FROM image_layers",
                         &rc->blobs, err);
        if (r >= 0)
                r = strset_query(s, "SELECT DISTINCT chain_id FROM image_layers", &rc->layers, err);
        vs_db_rollback(s->db);
        return r;
}

/* What a directory entry is to the collector: keep it or remove it. */
typedef bool (*keep_fn)(const struct reachable *rc, const char *name);

static bool keep_blob(const struct reachable *rc, const char *name)
{
        char digest[VS_DIGEST_MAX];
        snprintf(digest, sizeof(digest), "sha256:%s", name);
        return strset_has(&rc->blobs, digest);
}

static bool keep_layer(const struct reachable *rc, const char *name)
{
        char chain_id[VS_DIGEST_MAX];
        snprintf(chain_id, sizeof(chain_id), "sha256:%s", name);
        return strset_has(&rc->layers, chain_id);
}

static bool keep_nothing(const struct reachable *rc, const char *name)
{
        return false;
}

/* Remove every entry of dir (under the root) that keep() refuses. */
static int sweep_dir(struct vs_store *s, const char *dir, const struct reachable *rc, keep_fn keep, int64_t *total,
                     struct vs_error *err)
{
        int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s/%s", s->root, dir);
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                vs_safe_close(fd);
                return vs_error_syscall(err, "cannot list %s/%s", s->root, dir);
        }
        struct dirent *de;
        while ((errno = 0, de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || keep(rc, de->d_name))
                        continue;
                int64_t size = 0;
                int r = vs_store_tree_size(dirfd(d), de->d_name, &size, err);
                if (r >= 0 && unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
                        if (errno == EISDIR)
                                r = vs_remove_tree_at(dirfd(d), de->d_name, err);
                        else
                                r = vs_error_syscall(err, "cannot remove %s", de->d_name);
                }
                if (r < 0)
                        return vs_error_wrap(err, "%s/%s", s->root, dir);
                *total += size;
        }
        if (errno != 0)
                return vs_error_syscall(err, "cannot list %s/%s", s->root, dir);
        return 0;
}

static int index_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        return vs_store_index_write(s, err);
}

static int gc_locked(struct vs_store *s, int64_t *reclaimed, struct vs_error *err)
{
        struct reachable rc = {0};
        int64_t total = 0;
        int r = reachable_load(s, &rc, err);
        if (r >= 0)
                r = sweep_dir(s, STORE_BLOBS_DIR, &rc, keep_blob, &total, err);
        if (r >= 0)
                r = sweep_dir(s, STORE_LAYERS_DIR, &rc, keep_layer, &total, err);
        /* Rows of layers whose directory went (or never came back). */
        if (r >= 0)
                r = vs_db_exec(s->db, "DELETE FROM layers WHERE chain_id NOT IN (SELECT chain_id FROM image_layers)",
                               err);
        /* Pulls hold the lock shared: no download is under way. */
        if (r >= 0)
                r = sweep_dir(s, STORE_INGEST_DIR, &rc, keep_nothing, &total, err);
        /* A crash between writing index.json and COMMIT may have left it
         * listing what the database does not: now that unreferenced blobs
         * are gone, make it list exactly what is there. */
        if (r >= 0)
                r = vs_store_transaction(s, index_body, NULL, err);
        strset_free(&rc.blobs);
        strset_free(&rc.layers);
        if (r < 0)
                return r;
        *reclaimed = total;
        return 0;
}

int vs_store_gc(struct vs_store *s, int64_t *reclaimed, struct vs_error *err)
{
        while (flock(s->lockfd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot lock %s/store.lock", s->root);
        int64_t total = 0;
        int r = gc_locked(s, &total, err);
        vs_store_unlock(s);
        if (r < 0)
                return vs_error_wrap(err, "cannot collect garbage");
        if (reclaimed)
                *reclaimed = total;
        return 0;
}
