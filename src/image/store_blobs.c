/* vessel: the store's blobs (oci/blobs/sha256/<hex>) and the ingest files
 * downloads append to. A blob appears under its name only with the content
 * its digest names: it is written to a temporary name in the same directory,
 * checked, fsynced and renamed, and the directory is fsynced. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/store.h"
#include "image/store_internal.h"
#include "util/cleanup.h"
#include "util/files.h"

#define COPY_BUF 65536

int vs_store_blob_exists(struct vs_store *s, const char *digest, bool *ret, struct vs_error *err)
{
        char path[VS_STORE_PATH_MAX];
        int r = vs_store_digest_path(STORE_BLOBS_DIR, digest, path, err);
        if (r < 0)
                return r;
        struct stat st;
        if (fstatat(s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                *ret = S_ISREG(st.st_mode);
                return 0;
        }
        if (errno != ENOENT)
                return vs_error_syscall(err, "cannot stat blob %s", digest);
        *ret = false;
        return 0;
}

int vs_store_blob_open(struct vs_store *s, const char *digest, int *ret, struct vs_error *err)
{
        char path[VS_STORE_PATH_MAX];
        int r = vs_store_digest_path(STORE_BLOBS_DIR, digest, path, err);
        if (r < 0)
                return r;
        int fd = openat(s->rootfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return vs_error_set(err, ENOENT, "blob %s is not in the store", digest);
                return vs_error_syscall(err, "cannot open blob %s", digest);
        }
        *ret = fd;
        return 0;
}

int vs_store_blob_read(struct vs_store *s, const char *digest, size_t max, char **data, size_t *len,
                       struct vs_error *err)
{
        char path[VS_STORE_PATH_MAX];
        int r = vs_store_digest_path(STORE_BLOBS_DIR, digest, path, err);
        if (r < 0)
                return r;
        bool exists = false;
        r = vs_store_blob_exists(s, digest, &exists, err);
        if (r < 0)
                return r;
        if (!exists)
                return vs_error_set(err, ENOENT, "blob %s is not in the store", digest);
        r = vs_read_file_at(s->rootfd, path, max, data, len, err);
        if (r < 0)
                return vs_error_wrap(err, "blob %s", digest);
        return 0;
}

/* A new temporary file in blobs/ ("<prefix><random>"), O_EXCL. */
static int blob_tmp_create(struct vs_store *s, int dirfd, char name[64], struct vs_error *err)
{
        for (int tries = 0; tries < 100; tries++) {
                uint64_t rnd = 0;
                if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                        rnd = ((uint64_t) getpid() << 32) ^ (uint64_t) tries;
                snprintf(name, 64, "%s%d-%016llx", STORE_BLOB_TMP_PREFIX, (int) getpid(), (unsigned long long) rnd);
                int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd >= 0)
                        return fd;
                if (errno != EEXIST)
                        return vs_error_syscall(err, "cannot create a file in %s/%s", s->root, STORE_BLOBS_DIR);
        }
        return vs_error_set(err, EEXIST, "cannot create a file in %s/%s: every name tried exists", s->root,
                            STORE_BLOBS_DIR);
}

static int write_all(int fd, const void *data, size_t len)
{
        const char *p = data;
        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                p += w;
                len -= (size_t) w;
        }
        return 0;
}

/* fsync tmp's fd, rename it to <hex>, fsync the directory. On failure the
 * temporary file is removed. */
static int blob_tmp_publish(struct vs_store *s, int dirfd, int fd, const char *tmp, const char *digest,
                            struct vs_error *err)
{
        if (fsync(fd) < 0 || renameat(dirfd, tmp, dirfd, vs_digest_hex(digest)) < 0) {
                int r = vs_error_syscall(err, "cannot store blob %s", digest);
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        if (fsync(dirfd) < 0)
                return vs_error_syscall(err, "cannot sync %s/%s", s->root, STORE_BLOBS_DIR);
        return 0;
}

static int blobs_dir_open(struct vs_store *s, struct vs_error *err)
{
        int fd = openat(s->rootfd, STORE_BLOBS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s/%s", s->root, STORE_BLOBS_DIR);
        return fd;
}

int vs_store_blob_write(struct vs_store *s, const void *data, size_t len, char digest[VS_DIGEST_MAX],
                        struct vs_error *err)
{
        char d[VS_DIGEST_MAX];
        int r = vs_digest_buffer(data, len, d, err);
        if (r < 0)
                return r;
        bool exists = false;
        r = vs_store_blob_exists(s, d, &exists, err);
        if (r < 0)
                return r;
        if (!exists) {
                _cleanup_close_ int dirfd = blobs_dir_open(s, err);
                if (dirfd < 0)
                        return dirfd;
                char tmp[64];
                _cleanup_close_ int fd = blob_tmp_create(s, dirfd, tmp, err);
                if (fd < 0)
                        return fd;
                r = write_all(fd, data, len);
                if (r < 0) {
                        (void) unlinkat(dirfd, tmp, 0);
                        return vs_error_errno(err, -r, "cannot write blob %s", d);
                }
                r = blob_tmp_publish(s, dirfd, fd, tmp, d, err);
                if (r < 0)
                        return r;
        }
        memcpy(digest, d, strlen(d) + 1);
        return 0;
}

/* Copy fd to out while hashing; returns the byte count or a negative errno. */
static int copy_hashing(int fd, int out, struct vs_sha256 *h, int64_t *size, struct vs_error *err)
{
        _cleanup_free_ char *buf = malloc(COPY_BUF);
        if (!buf)
                return vs_error_errno(err, ENOMEM, "cannot import blob");
        int64_t total = 0;
        for (;;) {
                ssize_t n = read(fd, buf, COPY_BUF);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return vs_error_syscall(err, "cannot read blob to import");
                if (n == 0)
                        break;
                vs_sha256_update(h, buf, (size_t) n);
                int r = write_all(out, buf, (size_t) n);
                if (r < 0)
                        return vs_error_errno(err, -r, "cannot write blob to import");
                total += n;
        }
        *size = total;
        return 0;
}

int vs_store_blob_import(struct vs_store *s, int fd, char digest[VS_DIGEST_MAX], int64_t *size, struct vs_error *err)
{
        _cleanup_close_ int dirfd = blobs_dir_open(s, err);
        if (dirfd < 0)
                return dirfd;
        char tmp[64];
        _cleanup_close_ int out = blob_tmp_create(s, dirfd, tmp, err);
        if (out < 0)
                return out;
        struct vs_sha256 h = {0};
        int r = vs_sha256_init(&h, err);
        int64_t n = 0;
        if (r >= 0)
                r = copy_hashing(fd, out, &h, &n, err);
        if (r < 0) {
                vs_sha256_free(&h);
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        char d[VS_DIGEST_MAX];
        vs_sha256_final(&h, d);
        r = blob_tmp_publish(s, dirfd, out, tmp, d, err);
        if (r < 0)
                return r;
        memcpy(digest, d, strlen(d) + 1);
        if (size)
                *size = n;
        return 0;
}

/* Take the ingest file's lock; false when the file was renamed or removed
 * while we waited (a concurrent download finished it): open again. */
static int ingest_lock(int fd, const char *path, int rootfd, bool *current, struct vs_error *err)
{
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot lock %s", path);
        struct stat a, b;
        if (fstat(fd, &a) < 0)
                return vs_error_syscall(err, "cannot stat %s", path);
        if (fstatat(rootfd, path, &b, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return vs_error_syscall(err, "cannot stat %s", path);
                *current = false;
                return 0;
        }
        *current = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
        return 0;
}

int vs_store_ingest_open(struct vs_store *s, const char *digest, int *fd, int64_t *offset, struct vs_error *err)
{
        char path[VS_STORE_PATH_MAX];
        int r = vs_store_digest_path(STORE_INGEST_DIR, digest, path, err);
        if (r < 0)
                return r;
        /* Two pulls of one blob must not append to one file: the fd holds
         * an exclusive flock until it is closed (keep it open until
         * vs_store_ingest_commit). */
        for (;;) {
                _cleanup_close_ int f =
                        openat(s->rootfd, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (f < 0)
                        return vs_error_syscall(err, "cannot open %s/%s", s->root, path);
                bool current = false;
                r = ingest_lock(f, path, s->rootfd, &current, err);
                if (r < 0)
                        return r;
                if (!current)
                        continue;
                struct stat st;
                if (fstat(f, &st) < 0)
                        return vs_error_syscall(err, "cannot stat %s/%s", s->root, path);
                *offset = st.st_size;
                *fd = TAKE_FD(f);
                return 0;
        }
}

/* Check the ingest file's size and digest; on a mismatch remove it. */
static int ingest_verify(struct vs_store *s, const char *path, const char *digest, int64_t size, struct vs_error *err)
{
        _cleanup_close_ int fd = openat(s->rootfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return vs_error_set(err, ENOENT, "blob %s: nothing was downloaded", digest);
                return vs_error_syscall(err, "cannot open %s/%s", s->root, path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return vs_error_syscall(err, "cannot stat %s/%s", s->root, path);
        if (size >= 0 && st.st_size != size) {
                (void) unlinkat(s->rootfd, path, 0);
                return vs_error_set(err, EBADMSG, "blob %s: size mismatch: expected %lld bytes, got %lld", digest,
                                    (long long) size, (long long) st.st_size);
        }
        char got[VS_DIGEST_MAX];
        int r = vs_digest_fd(fd, got, err);
        if (r < 0)
                return vs_error_wrap(err, "blob %s", digest);
        if (strcmp(got, digest) != 0) {
                (void) unlinkat(s->rootfd, path, 0);
                return vs_error_set(err, EBADMSG, "blob %s: digest mismatch: got %s", digest, got);
        }
        if (fdatasync(fd) < 0)
                return vs_error_syscall(err, "cannot sync %s/%s", s->root, path);
        return 0;
}

int vs_store_ingest_commit(struct vs_store *s, const char *digest, int64_t size, struct vs_error *err)
{
        char path[VS_STORE_PATH_MAX], dest[VS_STORE_PATH_MAX];
        int r = vs_store_digest_path(STORE_INGEST_DIR, digest, path, err);
        if (r < 0)
                return r;
        r = vs_store_digest_path(STORE_BLOBS_DIR, digest, dest, err);
        if (r < 0)
                return r;
        r = ingest_verify(s, path, digest, size, err);
        if (r < 0)
                return r;
        if (renameat(s->rootfd, path, s->rootfd, dest) < 0)
                return vs_error_syscall(err, "cannot store blob %s", digest);
        r = vs_store_fsync_dir(s, STORE_BLOBS_DIR, err);
        if (r < 0)
                return r;
        return vs_store_fsync_dir(s, STORE_INGEST_DIR, err);
}
