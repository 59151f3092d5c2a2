/* vessel: unpacked layers, layers/<chain hex>/diff, shared by every image
 * that has the layer. A layer is unpacked into layers/.tmp-XXXXXX, its diff
 * ID checked, then renamed into place and recorded in the layers table: the
 * row is what makes it count, so a directory left by a crash between the
 * rename and the row is replaced by a fresh unpack. Callers hold the store
 * lock shared, so garbage collection never sees a half-made layer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/store.h"
#include "image/store_internal.h"
#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/db.h"
#include "util/files.h"

char *vs_store_layer_path(struct vs_store *s, const char *chain_id)
{
        const char *hex = strchr(chain_id, ':');
        char *p = NULL;
        if (asprintf(&p, "%s/%s/%s/diff", s->root, STORE_LAYERS_DIR, hex ? hex + 1 : chain_id) < 0)
                return NULL;
        return p;
}

int vs_store_layer_recorded(struct vs_store *s, const char *chain_id, bool *ret, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db, "SELECT 1 FROM layers WHERE chain_id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, chain_id, -1, SQLITE_STATIC);
        r = vs_db_step(s->db, st, err);
        if (r < 0)
                return r;
        *ret = r == 1;
        return 0;
}

struct layer_row {
        const char *chain_id, *parent, *diff_id, *blob_digest;
        int64_t size;
};

static int layer_record(struct vs_store *s, const struct layer_row *row, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(s->db,
                              "INSERT OR REPLACE INTO layers(chain_id, parent, diff_id, blob_digest, size_bytes,"
                              " created) VALUES(?, ?, ?, ?, ?, ?)",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, row->chain_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, row->parent, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, row->diff_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, row->blob_digest, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, row->size);
        sqlite3_bind_int64(st, 6, (int64_t) time(NULL));
        r = vs_db_step(s->db, st, err);
        if (r < 0)
                return vs_error_wrap(err, "cannot record layer %s", row->chain_id);
        return 0;
}

/* Unpack the blob into tmpname/diff (tmpname under layers/) and check its diff ID. */
static int layer_unpack_tmp(struct vs_store *s, int layersfd, const char *tmpname, const char *blob_digest,
                            const char *diff_id, struct vs_error *err)
{
        _cleanup_close_ int blobfd = -1;
        int r = vs_store_blob_open(s, blob_digest, &blobfd, err);
        if (r < 0)
                return r;
        _cleanup_close_ int tmpfd = openat(layersfd, tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tmpfd < 0)
                return vs_error_syscall(err, "cannot open %s/%s/%s", s->root, STORE_LAYERS_DIR, tmpname);
        if (mkdirat(tmpfd, "diff", 0755) < 0)
                return vs_error_syscall(err, "cannot create %s/%s/%s/diff", s->root, STORE_LAYERS_DIR, tmpname);
        _cleanup_close_ int difffd = openat(tmpfd, "diff", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (difffd < 0)
                return vs_error_syscall(err, "cannot open %s/%s/%s/diff", s->root, STORE_LAYERS_DIR, tmpname);
        struct vs_unpack_options opts = {
                .origin = blob_digest,
                /* Unprivileged, chown to the image's owners would fail. */
                .ignore_owner = geteuid() != 0,
        };
        char got[VS_DIGEST_MAX];
        r = vs_layer_unpack(blobfd, difffd, &opts, got, err);
        if (r < 0)
                return r;
        if (strcmp(got, diff_id) != 0)
                return vs_error_set(err, EBADMSG, "layer %s: diff ID mismatch: the image says %s, the layer is %s",
                                    blob_digest, diff_id, got);
        return 0;
}

struct publish {
        int layersfd;
        const char *tmpname, *hex;
        const struct layer_row *row;
};

/* Move tmpname to <hex> and record it, under the database's write lock so
 * that the row and the directory change together. A recorded directory
 * already there may be in use: ours is dropped. An unrecorded one was put by
 * a process about to record it, or left by one that crashed before that:
 * ours (checked) is swapped in and the other dropped. */
static int layer_publish(struct vs_store *s, void *arg, struct vs_error *err)
{
        const struct publish *p = arg;
        bool recorded = false;
        int r = vs_store_layer_recorded(s, p->row->chain_id, &recorded, err);
        if (r < 0)
                return r;
        if (renameat(p->layersfd, p->tmpname, p->layersfd, p->hex) < 0) {
                if (errno != EEXIST && errno != ENOTEMPTY)
                        return vs_error_syscall(err, "cannot move layer into %s/%s/%s", s->root, STORE_LAYERS_DIR,
                                                p->hex);
                if (recorded)
                        return 0;
                if (renameat2(p->layersfd, p->tmpname, p->layersfd, p->hex, RENAME_EXCHANGE) < 0)
                        return vs_error_syscall(err, "cannot move layer into %s/%s/%s", s->root, STORE_LAYERS_DIR,
                                                p->hex);
        }
        return layer_record(s, p->row, err);
}

static int layer_build(struct vs_store *s, const struct layer_row *row, struct vs_error *err)
{
        _cleanup_close_ int layersfd = openat(s->rootfd, STORE_LAYERS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (layersfd < 0)
                return vs_error_syscall(err, "cannot open %s/%s", s->root, STORE_LAYERS_DIR);
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof(tmp), "%s/%s/%sXXXXXX", s->root, STORE_LAYERS_DIR, STORE_LAYER_TMP_PREFIX);
        if (!mkdtemp(tmp))
                return vs_error_syscall(err, "cannot create a directory in %s/%s", s->root, STORE_LAYERS_DIR);
        const char *tmpname = strrchr(tmp, '/') + 1;
        struct layer_row done = *row;
        struct publish p = {layersfd, tmpname, vs_digest_hex(row->chain_id), &done};
        int r = layer_unpack_tmp(s, layersfd, tmpname, row->blob_digest, row->diff_id, err);
        if (r >= 0)
                r = vs_store_tree_size(layersfd, tmpname, &done.size, err);
        if (r >= 0)
                r = vs_store_transaction(s, layer_publish, &p, err);
        /* Whatever is left at tmpname: our failed unpack, our copy that lost,
         * or the directory ours replaced. */
        struct vs_error rm = VS_ERROR_INIT;
        if (vs_remove_tree_at(layersfd, tmpname, &rm) < 0)
                vs_error_ignore(&rm);
        return r;
}

int vs_store_layer_ensure(struct vs_store *s, const char *chain_id, const char *parent_chain_id,
                          const char *blob_digest, const char *diff_id, struct vs_error *err)
{
        char path[VS_STORE_PATH_MAX];
        int r = vs_store_digest_path(STORE_LAYERS_DIR, chain_id, path, err);
        if (r < 0)
                return vs_error_wrap(err, "layer");
        if ((parent_chain_id && (r = vs_digest_validate(parent_chain_id, err)) < 0) ||
            (r = vs_digest_validate(blob_digest, err)) < 0 || (r = vs_digest_validate(diff_id, err)) < 0)
                return vs_error_wrap(err, "layer %s", chain_id);
        bool recorded = false;
        r = vs_store_layer_recorded(s, chain_id, &recorded, err);
        if (r < 0)
                return r;
        struct stat st;
        if (recorded && fstatat(s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
                return 0;
        struct layer_row row = {chain_id, parent_chain_id, diff_id, blob_digest, 0};
        r = layer_build(s, &row, err);
        if (r < 0)
                return vs_error_wrap(err, "cannot unpack layer %s", chain_id);
        return 0;
}
