/* vessel: opening the image store: its directories, the OCI layout files,
 * the database and its tables, the store lock; helpers the store's other
 * files share. */
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/db.h"
#include "util/files.h"

#define OCI_LAYOUT_NAME "oci-layout"
#define OCI_LAYOUT_TEXT "{\"imageLayoutVersion\":\"1.0.0\"}"

/* The image store's tables; steps[i] moves version i to i+1. */
static const char *const store_steps[] = {
        "CREATE TABLE images("
        " id TEXT PRIMARY KEY,"
        " manifest_digest TEXT NOT NULL,"
        " manifest_media_type TEXT NOT NULL,"
        " manifest_size INTEGER NOT NULL,"
        " index_digest TEXT,"
        " created INTEGER NOT NULL DEFAULT 0,"
        " size INTEGER NOT NULL DEFAULT 0,"
        " added INTEGER NOT NULL,"
        " holds INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE image_names("
        " name TEXT PRIMARY KEY,"
        " image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);"
        "CREATE INDEX image_names_image ON image_names(image_id);"
        "CREATE TABLE image_repo_digests("
        " image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " value TEXT NOT NULL,"
        " PRIMARY KEY(image_id, value));"
        "CREATE INDEX image_repo_digests_value ON image_repo_digests(value);"
        "CREATE TABLE image_layers("
        " image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL,"
        " blob_digest TEXT NOT NULL,"
        " media_type TEXT NOT NULL,"
        " blob_size INTEGER NOT NULL,"
        " diff_id TEXT NOT NULL,"
        " chain_id TEXT NOT NULL,"
        " PRIMARY KEY(image_id, position));"
        "CREATE INDEX image_layers_blob ON image_layers(blob_digest);"
        "CREATE INDEX image_layers_chain ON image_layers(chain_id);"
        "CREATE TABLE layers("
        " chain_id TEXT PRIMARY KEY,"
        " parent TEXT,"
        " diff_id TEXT NOT NULL,"
        " blob_digest TEXT NOT NULL,"
        " size_bytes INTEGER NOT NULL,"
        " created INTEGER NOT NULL);",
};

int vs_store_digest_path(const char *dir, const char *digest, char buf[VS_STORE_PATH_MAX], struct vs_error *err)
{
        int r = vs_digest_validate(digest, err);
        if (r < 0)
                return r;
        if (strncmp(digest, "sha256:", 7) != 0)
                return vs_error_set(err, EINVAL, "blob %s: only sha256 digests are stored", digest);
        snprintf(buf, VS_STORE_PATH_MAX, "%s/%s", dir, vs_digest_hex(digest));
        return 0;
}

int vs_store_fsync_dir(struct vs_store *s, const char *dir, struct vs_error *err)
{
        _cleanup_close_ int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return vs_error_syscall(err, "cannot sync %s/%s", s->root, dir);
        return 0;
}

static int tree_size_fd(int fd, int64_t *total, struct vs_error *err)
{
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                vs_safe_close(fd);
                return vs_error_syscall(err, "cannot list directory");
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                int64_t n = 0;
                int r = vs_store_tree_size(dirfd(d), de->d_name, &n, err);
                if (r < 0)
                        return r;
                *total += n;
        }
        return 0;
}

int vs_store_tree_size(int dirfd, const char *name, int64_t *ret, struct vs_error *err)
{
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT) {
                        *ret = 0;
                        return 0;
                }
                return vs_error_syscall(err, "cannot stat %s", name);
        }
        if (!S_ISDIR(st.st_mode)) {
                *ret = S_ISREG(st.st_mode) || S_ISLNK(st.st_mode) ? (int64_t) st.st_size : 0;
                return 0;
        }
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", name);
        int64_t total = 0;
        int r = tree_size_fd(fd, &total, err);
        if (r < 0)
                return vs_error_wrap(err, "%s", name);
        *ret = total;
        return 0;
}

int vs_store_transaction(struct vs_store *s, int (*body)(struct vs_store *s, void *arg, struct vs_error *err),
                         void *arg, struct vs_error *err)
{
        int r = vs_db_begin(s->db, err);
        if (r < 0)
                return r;
        r = body(s, arg, err);
        if (r >= 0)
                r = vs_db_commit(s->db, err);
        if (r >= 0)
                return 0;
        vs_db_rollback(s->db);
        /* The body may have rewritten index.json before failing: bring it
         * back to what the database holds (best effort; the error stands). */
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_db_begin(s->db, &ignored) == 0) {
                if (vs_store_index_write(s, &ignored) == 0 && vs_db_commit(s->db, &ignored) == 0)
                        return r;
                vs_db_rollback(s->db);
        }
        vs_error_ignore(&ignored);
        return r;
}

/* mkdir -p for the root itself (an absolute or relative path). */
static int mkdir_parents(const char *path, mode_t mode, struct vs_error *err)
{
        char buf[PATH_MAX];
        if (snprintf(buf, sizeof(buf), "%s", path) >= (int) sizeof(buf))
                return vs_error_set(err, ENAMETOOLONG, "store root %s: path too long", path);
        for (char *p = buf + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char c = *p;
                *p = '\0';
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return vs_error_syscall(err, "cannot create %s", buf);
                *p = c;
                if (c == '\0')
                        return 0;
        }
}

static int make_dirs(struct vs_store *s, struct vs_error *err)
{
        static const char *const dirs[] = {STORE_OCI_DIR, "oci/blobs", STORE_BLOBS_DIR, STORE_INGEST_DIR,
                                           STORE_LAYERS_DIR};
        for (size_t i = 0; i < VS_ARRAY_SIZE(dirs); i++) {
                /* layers/ holds setuid files of images: like docker's
                 * overlay2 dir, keep other users out. */
                mode_t mode = strcmp(dirs[i], STORE_LAYERS_DIR) == 0 ? 0700 : 0755;
                if (mkdirat(s->rootfd, dirs[i], mode) < 0 && errno != EEXIST)
                        return vs_error_syscall(err, "cannot create %s/%s", s->root, dirs[i]);
        }
        return 0;
}

static int index_write_body(struct vs_store *s, void *arg, struct vs_error *err)
{
        return vs_store_index_write(s, err);
}

/* oci-layout and index.json, when missing (a new store, or a deleted file). */
static int make_layout_files(struct vs_store *s, struct vs_error *err)
{
        _cleanup_close_ int ocifd = openat(s->rootfd, STORE_OCI_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ocifd < 0)
                return vs_error_syscall(err, "cannot open %s/%s", s->root, STORE_OCI_DIR);
        if (faccessat(ocifd, OCI_LAYOUT_NAME, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                int r = vs_write_file_atomic(ocifd, OCI_LAYOUT_NAME, OCI_LAYOUT_TEXT, strlen(OCI_LAYOUT_TEXT), 0644,
                                             err);
                if (r < 0)
                        return vs_error_wrap(err, "store %s", s->root);
        }
        if (faccessat(ocifd, STORE_INDEX_NAME, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        return vs_store_transaction(s, index_write_body, NULL, err);
}

static int store_open_parts(struct vs_store *s, struct vs_error *err)
{
        int r = mkdir_parents(s->root, 0700, err);
        if (r < 0)
                return r;
        s->rootfd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->rootfd < 0)
                return vs_error_syscall(err, "cannot open store %s", s->root);
        r = make_dirs(s, err);
        if (r < 0)
                return r;
        s->lockfd = openat(s->rootfd, "store.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (s->lockfd < 0)
                return vs_error_syscall(err, "cannot open %s/store.lock", s->root);
        _cleanup_free_ char *dbpath = NULL;
        if (asprintf(&dbpath, "%s/vessel.db", s->root) < 0)
                return vs_error_errno(err, ENOMEM, "cannot open store %s", s->root);
        r = vs_db_open(dbpath, &s->db, err);
        if (r < 0)
                return r;
        r = vs_db_migrate(s->db, "image-store", store_steps, (int) VS_ARRAY_SIZE(store_steps), err);
        if (r < 0)
                return r;
        return make_layout_files(s, err);
}

int vs_store_open(const char *root, struct vs_store **ret, struct vs_error *err)
{
        struct vs_store *s = calloc(1, sizeof(*s));
        if (!s)
                return vs_error_errno(err, ENOMEM, "cannot open store %s", root);
        s->rootfd = -1;
        s->lockfd = -1;
        s->root = strdup(root);
        if (!s->root) {
                vs_store_close(s);
                return vs_error_errno(err, ENOMEM, "cannot open store %s", root);
        }
        int r = store_open_parts(s, err);
        if (r < 0) {
                vs_store_close(s);
                return r;
        }
        *ret = s;
        return 0;
}

void vs_store_close(struct vs_store *s)
{
        if (!s)
                return;
        vs_db_close(s->db);
        vs_safe_close(s->lockfd);
        vs_safe_close(s->rootfd);
        free(s->root);
        free(s);
}

int vs_store_lock_shared(struct vs_store *s, struct vs_error *err)
{
        while (flock(s->lockfd, LOCK_SH) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot lock %s/store.lock", s->root);
        return 0;
}

void vs_store_unlock(struct vs_store *s)
{
        if (s && s->lockfd >= 0)
                (void) flock(s->lockfd, LOCK_UN);
}
