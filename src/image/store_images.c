/* vessel: the images the store knows: rows in the images tables, and
 * oci/index.json, which lists them for skopeo and umoci and is rewritten in
 * the same transaction as every change of names (written after the rows
 * change, before COMMIT; a failed write rolls the rows back). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/reference.h"
#include "image/store.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/db.h"
#include "util/files.h"

#define REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"

void vs_image_free(struct vs_image *img)
{
        if (!img)
                return;
        free(img->id);
        free(img->manifest_digest);
        free(img->manifest_media_type);
        free(img->index_digest);
        vs_strv_free(img->names);
        vs_strv_free(img->repo_digests);
        for (size_t i = 0; i < img->n_layers; i++) {
                free(img->layers[i].blob_digest);
                free(img->layers[i].media_type);
                free(img->layers[i].diff_id);
                free(img->layers[i].chain_id);
        }
        free(img->layers);
        memset(img, 0, sizeof(*img));
}

void vs_image_list_free(struct vs_image *imgs, size_t n)
{
        for (size_t i = 0; imgs && i < n; i++)
                vs_image_free(&imgs[i]);
        free(imgs);
}

/* --- index.json --- */

static int index_add(json_t *manifests, sqlite3_stmt *st, const char *name)
{
        json_t *d =
                json_pack("{s:s?, s:s?, s:I}", "mediaType", (const char *) sqlite3_column_text(st, 1), "digest",
                          (const char *) sqlite3_column_text(st, 0), "size", (json_int_t) sqlite3_column_int64(st, 2));
        if (!d)
                return -ENOMEM;
        if (name && json_object_set_new(d, "annotations", json_pack("{s:s}", REF_NAME_ANNOTATION, name)) < 0) {
                json_decref(d);
                return -ENOMEM;
        }
        return json_array_append_new(manifests, d) < 0 ? -ENOMEM : 0;
}

/* One descriptor per name, then one per image without a name. */
static int index_collect(struct vs_store *s, json_t *manifests, struct vs_error *err)
{
        static const char *const queries[] = {
                "SELECT i.manifest_digest, i.manifest_media_type, i.manifest_size, n.name"
                " FROM image_names n JOIN images i ON i.id = n.image_id ORDER BY n.name",
                "SELECT manifest_digest, manifest_media_type, manifest_size, NULL FROM images i"
                " WHERE NOT EXISTS (SELECT 1 FROM image_names n WHERE n.image_id = i.id) ORDER BY added, id",
        };
        for (size_t q = 0; q < VS_ARRAY_SIZE(queries); q++) {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                int r = vs_db_prepare(s->db, queries[q], &st, err);
                if (r < 0)
                        return r;
                while ((r = vs_db_step(s->db, st, err)) == 1)
                        if (index_add(manifests, st, (const char *) sqlite3_column_text(st, 3)) < 0)
                                return vs_error_errno(err, ENOMEM, "cannot write %s/oci/index.json", s->root);
                if (r < 0)
                        return r;
        }
        return 0;
}

int vs_store_index_write(struct vs_store *s, struct vs_error *err)
{
        json_auto_t *manifests = json_array();
        if (!manifests)
                return vs_error_errno(err, ENOMEM, "cannot write %s/oci/index.json", s->root);
        int r = index_collect(s, manifests, err);
        if (r < 0)
                return r;
        json_auto_t *index = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", VS_MEDIA_OCI_INDEX,
                                       "manifests", manifests);
        _cleanup_free_ char *text = index ? json_dumps(index, JSON_COMPACT) : NULL;
        if (!text)
                return vs_error_errno(err, ENOMEM, "cannot write %s/oci/index.json", s->root);
        _cleanup_close_ int ocifd = openat(s->rootfd, STORE_OCI_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ocifd < 0)
                return vs_error_syscall(err, "cannot open %s/%s", s->root, STORE_OCI_DIR);
        r = vs_write_file_atomic(ocifd, STORE_INDEX_NAME, text, strlen(text), 0644, err);
        if (r < 0)
                return vs_error_wrap(err, "store %s", s->root);
        return 0;
}

/* --- names --- */

/* The full form of a name to give an image ("busybox" ->
 * "docker.io/library/busybox:latest"); names carry no digest. */
static int name_normalize(const char *text, char **ret, struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(text, &ref, err);
        if (r < 0)
                return r;
        if (ref.digest) {
                vs_image_ref_free(&ref);
                return vs_error_set(err, EINVAL, "image name %s: a name cannot hold a digest", text);
        }
        char *full = vs_image_ref_full(&ref);
        vs_image_ref_free(&ref);
        if (!full)
                return vs_error_errno(err, ENOMEM, "image name %s", text);
        *ret = full;
        return 0;
}

/* "repository@digest" from any reference holding a digest. */
static int repo_digest_normalize(const char *text, char **ret, struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(text, &ref, err);
        if (r < 0)
                return r;
        if (!ref.digest) {
                vs_image_ref_free(&ref);
                return vs_error_set(err, EINVAL, "repository digest %s: no digest", text);
        }
        _cleanup_free_ char *repo = vs_image_ref_repository(&ref);
        char *v = NULL;
        if (!repo || asprintf(&v, "%s@%s", repo, ref.digest) < 0) {
                vs_image_ref_free(&ref);
                return vs_error_errno(err, ENOMEM, "repository digest %s", text);
        }
        vs_image_ref_free(&ref);
        *ret = v;
        return 0;
}

/* Run an INSERT/UPDATE/DELETE binding text parameters (NULL-terminated
 * list); *changes (may be NULL) receives the rows touched. */
static int db_run(struct vs_store *s, const char *sql, int *changes, struct vs_error *err, ...)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db, sql, &st, err);
        if (r < 0)
                return r;
        va_list ap;
        va_start(ap, err);
        int n = sqlite3_bind_parameter_count(st);
        for (int i = 1; i <= n; i++)
                sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
        va_end(ap);
        r = vs_db_step(s->db, st, err);
        if (r < 0)
                return r;
        if (changes)
                *changes = sqlite3_changes(s->db);
        return 0;
}

/* The single text column of the first row of a query, or NULL. */
static int db_query_text(struct vs_store *s, const char *sql, const char *param, char **ret, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db, sql, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
        r = vs_db_step(s->db, st, err);
        if (r < 0)
                return r;
        char *v = NULL;
        if (r == 1 && sqlite3_column_text(st, 0) && !(v = strdup((const char *) sqlite3_column_text(st, 0))))
                return vs_error_errno(err, ENOMEM, "cannot read image");
        *ret = v;
        return 0;
}

/* Give name (normalised) to image id, taking it from any other image. */
static int name_set(struct vs_store *s, const char *id, const char *name, struct vs_error *err)
{
        return db_run(s,
                      "INSERT INTO image_names(name, image_id) VALUES(?, ?)"
                      " ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id",
                      NULL, err, name, id);
}

/* --- resolving what the user typed --- */

/* An image ID or a unique prefix of one; *ret NULL when none matches. */
static int resolve_id(struct vs_store *s, const char *text, char **ret, struct vs_error *err)
{
        const char *hex = strncmp(text, "sha256:", 7) == 0 ? text + 7 : text;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db, "SELECT id FROM images WHERE substr(id, 8, length(?1)) = ?1 LIMIT 2", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
        _cleanup_free_ char *found = NULL;
        while ((r = vs_db_step(s->db, st, err)) == 1) {
                if (found)
                        return vs_error_set(err, EINVAL, "ambiguous image ID prefix: %s", text);
                found = strdup((const char *) sqlite3_column_text(st, 0));
                if (!found)
                        return vs_error_errno(err, ENOMEM, "cannot look up image %s", text);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(found);
        return 0;
}

static int resolve_ref(struct vs_store *s, const char *text, char **ret, struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(text, &ref, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *key = NULL;
        if (ref.digest) {
                _cleanup_free_ char *repo = vs_image_ref_repository(&ref);
                if (repo && asprintf(&key, "%s@%s", repo, ref.digest) < 0)
                        key = NULL;
        } else {
                key = vs_image_ref_full(&ref);
        }
        bool by_digest = ref.digest != NULL;
        vs_image_ref_free(&ref);
        if (!key)
                return vs_error_errno(err, ENOMEM, "cannot look up image %s", text);
        return db_query_text(s,
                             by_digest ? "SELECT image_id FROM image_repo_digests WHERE value = ?"
                                       : "SELECT image_id FROM image_names WHERE name = ?",
                             key, ret, err);
}

/* The ID of the image `text` names: an ID, an ID prefix, a name or a
 * repository digest. ENOENT when there is none. */
static int resolve(struct vs_store *s, const char *text, char **ret, struct vs_error *err)
{
        char *id = NULL;
        int r;
        bool hex = vs_image_ref_looks_like_id(text);
        if (hex) {
                r = resolve_id(s, text, &id, err);
                if (r < 0)
                        return r;
        }
        /* Hex that matches no ID may still be a name ("cafe" is
         * docker.io/library/cafe), but not 64 digits: for those the answer
         * is that no such image exists, not a syntax error. */
        if (!id && strncmp(text, "sha256:", 7) != 0 && !(hex && strlen(text) == 64)) {
                r = resolve_ref(s, text, &id, err);
                if (r < 0)
                        return r;
        }
        if (!id)
                return vs_error_set(err, ENOENT, "no such image: %s", text);
        *ret = id;
        return 0;
}

/* Read-only work in one snapshot (a deferred transaction). */
static int read_transaction(struct vs_store *s, int (*body)(struct vs_store *s, void *arg, struct vs_error *err),
                            void *arg, struct vs_error *err)
{
        int r = vs_db_exec(s->db, "BEGIN", err);
        if (r < 0)
                return r;
        r = body(s, arg, err);
        vs_db_rollback(s->db);
        return r;
}

/* --- loading an image --- */

static int strv_column(struct vs_store *s, const char *sql, const char *id, char ***ret, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db, sql, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        size_t n = 0;
        while (v && (r = vs_db_step(s->db, st, err)) == 1) {
                char **nv = realloc(v, (n + 2) * sizeof(char *));
                if (!nv)
                        return vs_error_errno(err, ENOMEM, "cannot read image %s", id);
                v = nv;
                v[n + 1] = NULL;
                if (!(v[n] = strdup((const char *) sqlite3_column_text(st, 0))))
                        return vs_error_errno(err, ENOMEM, "cannot read image %s", id);
                n++;
        }
        if (!v)
                return vs_error_errno(err, ENOMEM, "cannot read image %s", id);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(v);
        return 0;
}

static char *column_dup(sqlite3_stmt *st, int col, bool *oom)
{
        const char *t = (const char *) sqlite3_column_text(st, col);
        if (!t)
                return NULL;
        char *v = strdup(t);
        if (!v)
                *oom = true;
        return v;
}

static int layers_load(struct vs_store *s, struct vs_image *img, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db,
                              "SELECT il.blob_digest, il.media_type, il.blob_size, il.diff_id, il.chain_id,"
                              " COALESCE(l.size_bytes, 0) FROM image_layers il"
                              " LEFT JOIN layers l ON l.chain_id = il.chain_id"
                              " WHERE il.image_id = ? ORDER BY il.position",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
        bool oom = false;
        while ((r = vs_db_step(s->db, st, err)) == 1) {
                struct vs_image_layer *nl = realloc(img->layers, (img->n_layers + 1) * sizeof(*nl));
                if (!nl)
                        return vs_error_errno(err, ENOMEM, "cannot read image %s", img->id);
                img->layers = nl;
                struct vs_image_layer *l = &img->layers[img->n_layers++];
                l->blob_digest = column_dup(st, 0, &oom);
                l->media_type = column_dup(st, 1, &oom);
                l->blob_size = sqlite3_column_int64(st, 2);
                l->diff_id = column_dup(st, 3, &oom);
                l->chain_id = column_dup(st, 4, &oom);
                l->unpacked_size = sqlite3_column_int64(st, 5);
                img->unpacked_size += l->unpacked_size;
        }
        if (r < 0)
                return r;
        return oom ? vs_error_errno(err, ENOMEM, "cannot read image %s", img->id) : 0;
}

static int image_row_load(struct vs_store *s, const char *id, struct vs_image *img, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db,
                              "SELECT id, manifest_digest, manifest_media_type, index_digest, created, size, added,"
                              " holds FROM images WHERE id = ?",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        r = vs_db_step(s->db, st, err);
        if (r < 0)
                return r;
        if (r == 0)
                return vs_error_set(err, ENOENT, "no such image: %s", id);
        bool oom = false;
        img->id = column_dup(st, 0, &oom);
        img->manifest_digest = column_dup(st, 1, &oom);
        img->manifest_media_type = column_dup(st, 2, &oom);
        img->index_digest = column_dup(st, 3, &oom);
        img->created = sqlite3_column_int64(st, 4);
        img->size = sqlite3_column_int64(st, 5);
        img->added = sqlite3_column_int64(st, 6);
        img->holds = sqlite3_column_int(st, 7);
        return oom ? vs_error_errno(err, ENOMEM, "cannot read image %s", id) : 0;
}

static int image_load(struct vs_store *s, const char *id, struct vs_image *ret, struct vs_error *err)
{
        struct vs_image img = {0};
        int r = image_row_load(s, id, &img, err);
        if (r >= 0)
                r = strv_column(s, "SELECT name FROM image_names WHERE image_id = ? ORDER BY name", id, &img.names,
                                err);
        if (r >= 0)
                r = strv_column(s, "SELECT value FROM image_repo_digests WHERE image_id = ? ORDER BY value", id,
                                &img.repo_digests, err);
        if (r >= 0)
                r = layers_load(s, &img, err);
        if (r < 0) {
                vs_image_free(&img);
                return r;
        }
        *ret = img;
        return 0;
}

struct lookup {
        const char *text;
        struct vs_image *img;
};

static int lookup_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        struct lookup *l = arg;
        _cleanup_free_ char *id = NULL;
        int r = resolve(s, l->text, &id, err);
        if (r < 0)
                return r;
        return image_load(s, id, l->img, err);
}

int vs_store_image_lookup(struct vs_store *s, const char *text, struct vs_image *ret, struct vs_error *err)
{
        struct lookup l = {text, ret};
        return read_transaction(s, lookup_body, &l, err);
}

struct list {
        struct vs_image *imgs;
        size_t n;
};

static int list_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        struct list *l = arg;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db, "SELECT id FROM images ORDER BY added DESC, id", &st, err);
        if (r < 0)
                return r;
        while ((r = vs_db_step(s->db, st, err)) == 1) {
                struct vs_image *n = realloc(l->imgs, (l->n + 1) * sizeof(*n));
                if (!n)
                        return vs_error_errno(err, ENOMEM, "cannot list images");
                l->imgs = n;
                r = image_load(s, (const char *) sqlite3_column_text(st, 0), &l->imgs[l->n], err);
                if (r < 0)
                        return r;
                l->n++;
        }
        return r;
}

int vs_store_image_list(struct vs_store *s, struct vs_image **ret, size_t *n, struct vs_error *err)
{
        struct list l = {0};
        int r = read_transaction(s, list_body, &l, err);
        if (r < 0) {
                vs_image_list_free(l.imgs, l.n);
                return r;
        }
        *ret = l.imgs;
        *n = l.n;
        return 0;
}

/* --- adding an image --- */

struct add {
        const struct vs_image *img;
        int64_t manifest_size;
        char **names;        /* normalised */
        char **repo_digests; /* normalised */
};

static int add_check_blob(struct vs_store *s, const char *what, const char *digest, int64_t *size, struct vs_error *err)
{
        char path[VS_STORE_PATH_MAX];
        int r = vs_store_digest_path(STORE_BLOBS_DIR, digest ? digest : "", path, err);
        if (r < 0)
                return vs_error_wrap(err, "%s", what);
        struct stat st;
        if (fstatat(s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                return vs_error_set(err, ENOENT, "%s %s is not in the store", what, digest);
        if (size)
                *size = st.st_size;
        return 0;
}

/* Everything the image refers to is stored: its manifest, config, layer
 * blobs and unpacked layers. */
static int add_check_content(struct vs_store *s, struct add *a, struct vs_error *err)
{
        const struct vs_image *img = a->img;
        if (!img->manifest_media_type)
                return vs_error_set(err, EINVAL, "manifest media type missing");
        int r = add_check_blob(s, "manifest", img->manifest_digest, &a->manifest_size, err);
        if (r >= 0)
                r = add_check_blob(s, "config", img->id, NULL, err);
        if (r >= 0 && img->index_digest)
                r = vs_digest_validate(img->index_digest, err);
        for (size_t i = 0; r >= 0 && i < img->n_layers; i++) {
                const struct vs_image_layer *l = &img->layers[i];
                if (!l->media_type || !l->diff_id || !l->chain_id)
                        return vs_error_set(err, EINVAL, "layer %zu: media type, diff ID or chain ID missing", i);
                r = add_check_blob(s, "layer", l->blob_digest, NULL, err);
                bool recorded = false;
                if (r >= 0 && (r = vs_digest_validate(l->diff_id, err)) >= 0)
                        r = vs_store_layer_recorded(s, l->chain_id, &recorded, err);
                if (r >= 0 && !recorded)
                        return vs_error_set(err, ENOENT, "layer %s is not unpacked", l->chain_id);
        }
        return r;
}

/* NULL-terminated array of normalised strings: `one` (may be NULL) then `more`. */
static int add_normalize(const char *one, char *const *more, int (*norm)(const char *, char **, struct vs_error *),
                         char ***ret, struct vs_error *err)
{
        size_t n = (one ? 1 : 0);
        for (size_t i = 0; more && more[i]; i++)
                n++;
        _cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
        if (!v)
                return vs_error_errno(err, ENOMEM, "cannot add image");
        size_t k = 0;
        if (one) {
                int r = norm(one, &v[k++], err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; more && more[i]; i++) {
                int r = norm(more[i], &v[k++], err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int add_layer_rows(struct vs_store *s, const struct vs_image *img, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db,
                              "INSERT INTO image_layers(image_id, position, blob_digest, media_type, blob_size,"
                              " diff_id, chain_id) VALUES(?, ?, ?, ?, ?, ?, ?)",
                              &st, err);
        for (size_t i = 0; r >= 0 && i < img->n_layers; i++) {
                const struct vs_image_layer *l = &img->layers[i];
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, (int64_t) i);
                sqlite3_bind_text(st, 3, l->blob_digest, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 4, l->media_type, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 5, l->blob_size);
                sqlite3_bind_text(st, 6, l->diff_id, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 7, l->chain_id, -1, SQLITE_STATIC);
                r = vs_db_step(s->db, st, err);
        }
        return r < 0 ? r : 0;
}

/* The image row and its layers, unless the image is already there. */
static int add_image_row(struct vs_store *s, const struct add *a, struct vs_error *err)
{
        const struct vs_image *img = a->img;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db,
                              "INSERT INTO images(id, manifest_digest, manifest_media_type, manifest_size,"
                              " index_digest, created, size, added) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"
                              " ON CONFLICT(id) DO NOTHING",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, img->manifest_digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, img->manifest_media_type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, a->manifest_size);
        sqlite3_bind_text(st, 5, img->index_digest, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, img->created);
        sqlite3_bind_int64(st, 7, img->size);
        sqlite3_bind_int64(st, 8, img->added ? img->added : (int64_t) time(NULL));
        r = vs_db_step(s->db, st, err);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return 0; /* known: its rows stay as they are */
        return add_layer_rows(s, img, err);
}

static int add_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        struct add *a = arg;
        int r = add_image_row(s, a, err);
        for (size_t i = 0; r >= 0 && a->names[i]; i++)
                r = name_set(s, a->img->id, a->names[i], err);
        /* A repo@digest names one image, as a tag does: it moves (an index's
         * digest pulled for another platform now means this image). */
        for (size_t i = 0; r >= 0 && a->repo_digests[i]; i++) {
                r = db_run(s, "DELETE FROM image_repo_digests WHERE value = ? AND image_id <> ?", NULL, err,
                           a->repo_digests[i], a->img->id);
                if (r >= 0)
                        r = db_run(s, "INSERT OR IGNORE INTO image_repo_digests(image_id, value) VALUES(?, ?)", NULL,
                                   err, a->img->id, a->repo_digests[i]);
        }
        if (r >= 0)
                r = vs_store_index_write(s, err);
        return r;
}

int vs_store_image_add(struct vs_store *s, const struct vs_image *img, const char *name, const char *repo_digest,
                       struct vs_error *err)
{
        struct add a = {.img = img};
        int r = add_check_content(s, &a, err);
        if (r >= 0)
                r = add_normalize(name, img->names, name_normalize, &a.names, err);
        if (r >= 0)
                r = add_normalize(repo_digest, img->repo_digests, repo_digest_normalize, &a.repo_digests, err);
        if (r >= 0)
                r = vs_store_transaction(s, add_body, &a, err);
        vs_strv_free(a.names);
        vs_strv_free(a.repo_digests);
        if (r < 0)
                return vs_error_wrap(err, "cannot add image %s", img->id ? img->id : "(no ID)");
        return 0;
}

/* --- names, removal, holds --- */

struct change {
        const char *text; /* what the user named the image by */
        const char *name; /* tag/untag: the normalised name */
        bool force;       /* remove */
        int delta;        /* hold */
        bool removed;     /* untag: the image went too */
};

static int tag_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        struct change *c = arg;
        _cleanup_free_ char *id = NULL;
        int r = resolve(s, c->text, &id, err);
        if (r >= 0)
                r = name_set(s, id, c->name, err);
        if (r >= 0)
                r = vs_store_index_write(s, err);
        return r;
}

int vs_store_image_tag(struct vs_store *s, const char *id, const char *name, struct vs_error *err)
{
        _cleanup_free_ char *full = NULL;
        int r = name_normalize(name, &full, err);
        if (r < 0)
                return r;
        struct change c = {.text = id, .name = full};
        r = vs_store_transaction(s, tag_body, &c, err);
        if (r < 0)
                return vs_error_wrap(err, "cannot tag %s as %s", id, full);
        return 0;
}

/* Holds and the number of names left of image id. */
static int image_usage(struct vs_store *s, const char *id, int *holds, int *names, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db,
                              "SELECT holds, (SELECT count(*) FROM image_names WHERE image_id = ?1)"
                              " FROM images WHERE id = ?1",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        r = vs_db_step(s->db, st, err);
        if (r < 0)
                return r;
        if (r == 0)
                return vs_error_set(err, ENOENT, "no such image: %s", id);
        *holds = sqlite3_column_int(st, 0);
        *names = sqlite3_column_int(st, 1);
        return 0;
}

/* After a name goes, its repository's digests go too unless another name
 * of the image is in that repository (as docker untags repo@digest). */
static int untag_repo_digests(struct vs_store *s, const char *id, const char *name, struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(name, &ref, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *repo = vs_image_ref_repository(&ref);
        vs_image_ref_free(&ref);
        if (!repo)
                return vs_error_errno(err, ENOMEM, "cannot untag %s", name);
        return db_run(
                s,
                "DELETE FROM image_repo_digests WHERE image_id = ?1 AND substr(value, 1, length(?2) + 1) = ?2 || '@'"
                " AND NOT EXISTS (SELECT 1 FROM image_names WHERE image_id = ?1"
                " AND substr(name, 1, length(?2) + 1) = ?2 || ':')",
                NULL, err, id, repo);
}

static int untag_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        struct change *c = arg;
        _cleanup_free_ char *id = NULL;
        int r = db_query_text(s, "SELECT image_id FROM image_names WHERE name = ?", c->name, &id, err);
        if (r < 0)
                return r;
        if (!id)
                return vs_error_set(err, ENOENT, "no such image: %s", c->text);
        int holds = 0, names = 0;
        r = db_run(s, "DELETE FROM image_names WHERE name = ?", NULL, err, c->name);
        if (r >= 0)
                r = untag_repo_digests(s, id, c->name, err);
        if (r >= 0)
                r = image_usage(s, id, &holds, &names, err);
        if (r >= 0 && names == 0 && holds == 0) {
                r = db_run(s, "DELETE FROM images WHERE id = ?", NULL, err, id);
                c->removed = r >= 0;
        }
        if (r >= 0)
                r = vs_store_index_write(s, err);
        return r;
}

int vs_store_image_untag(struct vs_store *s, const char *name, bool *removed_image, struct vs_error *err)
{
        _cleanup_free_ char *full = NULL;
        int r = name_normalize(name, &full, err);
        if (r < 0)
                return r;
        struct change c = {.text = name, .name = full};
        r = vs_store_transaction(s, untag_body, &c, err);
        if (r < 0)
                return r;
        if (removed_image)
                *removed_image = c.removed;
        return 0;
}

static int remove_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        struct change *c = arg;
        _cleanup_free_ char *id = NULL;
        int r = resolve(s, c->text, &id, err);
        if (r < 0)
                return r;
        int holds = 0, names = 0;
        r = image_usage(s, id, &holds, &names, err);
        if (r < 0)
                return r;
        if (holds > 0 && !c->force)
                return vs_error_set(err, EBUSY, "image %s is in use by %d container%s", id, holds,
                                    holds == 1 ? "" : "s");
        r = db_run(s, "DELETE FROM images WHERE id = ?", NULL, err, id);
        if (r < 0)
                return r;
        return vs_store_index_write(s, err);
}

int vs_store_image_remove(struct vs_store *s, const char *id, bool force, struct vs_error *err)
{
        struct change c = {.text = id, .force = force};
        int r = vs_store_transaction(s, remove_body, &c, err);
        if (r < 0)
                return vs_error_wrap(err, "cannot remove image %s", id);
        return 0;
}

static int hold_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        struct change *c = arg;
        _cleanup_free_ char *id = NULL;
        int r = resolve(s, c->text, &id, err);
        if (r == -ENOENT && c->delta < 0) {
                /* Removed by force while in use: nothing left to release. */
                vs_error_ignore(err);
                return 0;
        }
        if (r < 0)
                return r;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        r = vs_db_prepare(s->db, "UPDATE images SET holds = max(0, holds + ?) WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, c->delta);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        r = vs_db_step(s->db, st, err);
        return r < 0 ? r : 0;
}

int vs_store_image_hold(struct vs_store *s, const char *id, int delta, struct vs_error *err)
{
        struct change c = {.text = id, .delta = delta};
        int r = vs_store_transaction(s, hold_body, &c, err);
        if (r < 0)
                return vs_error_wrap(err, "cannot %s image %s", delta < 0 ? "release" : "hold", id);
        return 0;
}
