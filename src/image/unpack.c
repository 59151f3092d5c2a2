/* vessel: unpacking a layer into a directory, every write through an fd
 * opened under the layer root.
 *
 * One pass over the blob, on two threads: the feeder reads the fd, lets
 * libarchive's "raw" format undo the compression (detected), hashes the
 * uncompressed bytes (the diff ID) and hands them over in 1 MiB chunks; the
 * caller's thread reads those chunks as a tar and makes each entry. So the
 * decompression and hashing overlap the file system work, as `tar -xzf`
 * overlaps gzip and tar.
 *
 * libarchive's archive_write_disk is not used: it resolves paths itself. Here
 * each entry's parent is opened with vs_open_in_root (RESOLVE_IN_ROOT), and
 * the entry is made by name relative to that fd (openat, mkdirat, mknodat,
 * symlinkat, linkat), so a symlink in the layer ("link -> /etc") can never
 * send a later entry ("link/passwd") outside it. */
#include "image/unpack.h"

#include "image/lazy_archive.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

#define CHUNK_SIZE (1u << 20)
#define CHUNKS 4
#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/* ---- the feeder: compressed fd -> uncompressed chunks, hashed ---- */

struct feeder {
        int fd;
        bool hashing;
        struct vs_sha256 hash;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        char *bufs[CHUNKS];
        size_t lens[CHUNKS];
        /* Chunks filled by the feeder, handed to the reader, released by it. */
        uint64_t filled, taken, released;
        bool done, cancel;
        int error; /* positive errno once the feeder failed */
        char errmsg[512];
};

static void feeder_fail(struct feeder *f, int errnum, const char *msg)
{
        pthread_mutex_lock(&f->lock);
        f->error = errnum > 0 ? errnum : EIO;
        snprintf(f->errmsg, sizeof(f->errmsg), "%s", msg ? msg : "unknown error");
        pthread_mutex_unlock(&f->lock);
}

/* Fill one chunk from the decompressor; returns its length (0 at the end). */
static ssize_t fill_chunk(struct archive *raw, char *buf)
{
        size_t len = 0;
        while (len < CHUNK_SIZE) {
                la_ssize_t n = archive_read_data(raw, buf + len, CHUNK_SIZE - len);
                if (n < 0)
                        return -1;
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        return (ssize_t) len;
}

static struct archive *open_decompressor(struct feeder *f)
{
        struct archive *raw = archive_read_new();
        if (!raw) {
                feeder_fail(f, ENOMEM, "cannot start the decompressor");
                return NULL;
        }
        /* The compressions a layer may have; "raw" takes whatever is left
         * (uncompressed) as one stream. */
        archive_read_support_filter_gzip(raw);
        archive_read_support_filter_zstd(raw);
        archive_read_support_filter_xz(raw);
        archive_read_support_filter_bzip2(raw);
        archive_read_support_format_raw(raw);
        struct archive_entry *entry;
        if (archive_read_open_fd(raw, f->fd, CHUNK_SIZE) != ARCHIVE_OK ||
            archive_read_next_header(raw, &entry) != ARCHIVE_OK) {
                feeder_fail(f, archive_errno(raw), archive_error_string(raw));
                archive_read_free(raw);
                return NULL;
        }
        return raw;
}

static void *feeder_main(void *arg)
{
        struct feeder *f = arg;
        struct archive *raw = open_decompressor(f);
        for (bool end = raw == NULL; !end;) {
                pthread_mutex_lock(&f->lock);
                while (f->filled - f->released == CHUNKS && !f->cancel)
                        pthread_cond_wait(&f->cond, &f->lock);
                bool cancel = f->cancel;
                pthread_mutex_unlock(&f->lock);
                if (cancel)
                        break;
                unsigned slot = (unsigned) (f->filled % CHUNKS);
                ssize_t len = fill_chunk(raw, f->bufs[slot]);
                if (len < 0) {
                        feeder_fail(f, archive_errno(raw), archive_error_string(raw));
                        break;
                }
                end = len == 0;
                if (f->hashing && len > 0)
                        vs_sha256_update(&f->hash, f->bufs[slot], (size_t) len);
                pthread_mutex_lock(&f->lock);
                f->lens[slot] = (size_t) len;
                if (!end)
                        f->filled++;
                pthread_cond_broadcast(&f->cond);
                pthread_mutex_unlock(&f->lock);
        }
        if (raw)
                archive_read_free(raw);
        pthread_mutex_lock(&f->lock);
        f->done = true;
        pthread_cond_broadcast(&f->cond);
        pthread_mutex_unlock(&f->lock);
        return NULL;
}

/* The next chunk for the reader (the previous one is released): its length,
 * 0 at the end, -1 when the feeder failed. */
static ssize_t feeder_next(struct feeder *f, const void **buf)
{
        pthread_mutex_lock(&f->lock);
        if (f->taken > f->released) {
                f->released++;
                pthread_cond_broadcast(&f->cond);
        }
        while (f->taken == f->filled && !f->done)
                pthread_cond_wait(&f->cond, &f->lock);
        ssize_t len;
        if (f->taken < f->filled) {
                unsigned slot = (unsigned) (f->taken++ % CHUNKS);
                *buf = f->bufs[slot];
                len = (ssize_t) f->lens[slot];
        } else {
                len = f->error ? -1 : 0;
        }
        pthread_mutex_unlock(&f->lock);
        return len;
}

static la_ssize_t tar_read_cb(struct archive *a, void *data, const void **buf)
{
        struct feeder *f = data;
        ssize_t len = feeder_next(f, buf);
        if (len < 0) {
                archive_set_error(a, f->error, "%s", f->errmsg);
                return -1;
        }
        return len;
}

static int feeder_start(struct feeder *f, pthread_t *thread, int fd, bool hashing, struct vs_error *err)
{
        *f = (struct feeder){.fd = fd, .hashing = hashing};
        for (unsigned i = 0; i < CHUNKS; i++) {
                f->bufs[i] = malloc(CHUNK_SIZE);
                if (!f->bufs[i])
                        return vs_error_errno(err, ENOMEM, "cannot allocate the read buffers");
        }
        if (hashing && vs_sha256_init(&f->hash, err) < 0)
                return -err->code;
        pthread_mutex_init(&f->lock, NULL);
        pthread_cond_init(&f->cond, NULL);
        int r = pthread_create(thread, NULL, feeder_main, f);
        if (r != 0) {
                pthread_mutex_destroy(&f->lock);
                pthread_cond_destroy(&f->cond);
                return vs_error_errno(err, r, "cannot start the decompression thread");
        }
        return 0;
}

/* Stop the feeder (after a failure) or let it finish (after the last
 * entry: the rest of the stream, tar padding included, still counts for
 * the diff ID), then join it. */
static int feeder_finish(struct feeder *f, pthread_t thread, bool drain)
{
        if (drain) {
                const void *buf;
                ssize_t len;
                while ((len = feeder_next(f, &buf)) > 0)
                        ;
        } else {
                pthread_mutex_lock(&f->lock);
                f->cancel = true;
                pthread_cond_broadcast(&f->cond);
                pthread_mutex_unlock(&f->lock);
        }
        pthread_join(thread, NULL);
        pthread_mutex_destroy(&f->lock);
        pthread_cond_destroy(&f->cond);
        return f->error ? -f->error : 0;
}

static void feeder_free(struct feeder *f)
{
        for (unsigned i = 0; i < CHUNKS; i++)
                free(f->bufs[i]);
        vs_sha256_free(&f->hash);
}

static const char *archive_message(struct archive *a)
{
        const char *msg = archive_error_string(a);
        return msg ? msg : "unreadable archive";
}

/* ---- paths ---- */

/* The entry's path made relative to the layer root: leading "/" dropped,
 * "." and empty components skipped, ".." taking back the previous one and an
 * error (EXDEV) when there is none. "" is the root itself. */
static int clean_path(const char *in, char out[PATH_MAX])
{
        size_t len = 0;
        const char *p = in;
        while (*p) {
                while (*p == '/')
                        p++;
                size_t n = strcspn(p, "/");
                if (n == 0)
                        break;
                if (n == 1 && p[0] == '.') {
                        /* skip */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        if (len == 0)
                                return -EXDEV;
                        while (len > 0 && out[len - 1] != '/')
                                len--;
                        if (len > 0)
                                len--;
                } else {
                        if (n > NAME_MAX)
                                return -ENAMETOOLONG;
                        if (len + (len > 0) + n >= PATH_MAX)
                                return -ENAMETOOLONG;
                        if (len > 0)
                                out[len++] = '/';
                        memcpy(out + len, p, n);
                        len += n;
                }
                p += n;
        }
        out[len] = '\0';
        return 0;
}

/* Split a clean path into its parent ("" for the root) and last name. */
static void split_path(char *path, const char **parent, const char **name)
{
        char *slash = strrchr(path, '/');
        if (slash) {
                *slash = '\0';
                *parent = path;
                *name = slash + 1;
        } else {
                *parent = "";
                *name = path;
        }
}

/* ---- the unpacker ---- */

struct dir_meta {
        char *path;
        mode_t mode;
        struct timespec times[2];
};

struct unpack {
        int rootfd;
        const struct vs_unpack_options *opts;
        struct archive *tar;
        struct archive_entry *entry;
        const char *entry_name; /* as the tar spells it, for errors; NULL before the first */
        char name_buf[PATH_MAX];
        /* The last parent opened, reused only by the entry right after when
         * it has the same parent (they mostly do). An entry only changes a
         * name below its own parent, never that parent or its ancestors, so
         * the fd is still the right directory for the next one; an entry
         * with another parent replaces (or drops) it. */
        char parent_path[PATH_MAX];
        int parentfd;
        /* Directory modes and times are set at the end: after their
         * contents are written (which changes mtime) and without a
         * read-only mode in the way meanwhile. */
        struct dir_meta *dirs;
        size_t ndirs, dirs_cap;
};

static int entry_error(struct unpack *u, struct vs_error *err, int errnum, const char *what)
{
        return vs_error_errno(err, errnum, "entry %s: %s", u->entry_name, what);
}

/* A refusal by policy: no syscall failed, so no strerror. */
static int entry_refuse(struct unpack *u, struct vs_error *err, int errnum, const char *what)
{
        return vs_error_set(err, errnum, "entry %s: %s", u->entry_name, what);
}

/* The deepest existing directory of `path` (cut at a '/'), opened under the
 * root; *done is where the missing part starts. */
static int open_existing_ancestor(int rootfd, char *path, size_t *done)
{
        size_t len = strlen(path);
        for (;;) {
                while (len > 0 && path[len - 1] != '/')
                        len--;
                if (len-- == 0) {
                        *done = 0;
                        int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        return fd < 0 ? -errno : fd;
                }
                path[len] = '\0';
                struct vs_error e = VS_ERROR_INIT;
                int fd = vs_open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0, &e);
                path[len] = '/';
                int code = e.code;
                vs_error_ignore(&e);
                if (fd >= 0) {
                        *done = len + 1;
                        return fd;
                }
                if (code != ENOENT)
                        return -code;
        }
}

/* Open a directory under the layer root, making what is missing (0755), one
 * level after the other (no recursion: a hostile path may be 2,000 levels
 * deep). What is made is a fresh directory, entered with O_NOFOLLOW. The
 * result is an O_PATH fd; the caller closes it; a negative errno on failure. */
static int open_dir_in_layer(int rootfd, const char *path)
{
        struct vs_error e = VS_ERROR_INIT;
        int fd = vs_open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0, &e);
        int code = e.code;
        vs_error_ignore(&e);
        if (fd >= 0 || code != ENOENT)
                return fd >= 0 ? fd : -code;
        char buf[PATH_MAX];
        snprintf(buf, sizeof(buf), "%s", path);
        size_t done;
        int cur = open_existing_ancestor(rootfd, buf, &done);
        for (char *name = buf + done; cur >= 0 && *name;) {
                size_t n = strcspn(name, "/");
                bool last = name[n] == '\0';
                name[n] = '\0';
                int next = mkdirat(cur, name, 0755) < 0 && errno != EEXIST
                                   ? -1
                                   : openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int saved = errno;
                vs_safe_close(cur);
                cur = next >= 0 ? next : -saved;
                name += n + !last;
        }
        return cur;
}

/* The fd of the entry's parent directory (borrowed: owned by the cache). */
static int get_parent(struct unpack *u, const char *parent, struct vs_error *err)
{
        if (parent[0] == '\0') {
                /* Dropped: this entry may replace an ancestor of the cached one. */
                u->parentfd = vs_safe_close(u->parentfd);
                return u->rootfd;
        }
        if (u->parentfd >= 0 && strcmp(u->parent_path, parent) == 0)
                return u->parentfd;
        int fd = open_dir_in_layer(u->rootfd, parent);
        if (fd < 0) {
                char what[PATH_MAX + 64];
                snprintf(what, sizeof(what), "cannot open its directory %s in the layer", parent);
                return entry_error(u, err, -fd, what);
        }
        u->parentfd = vs_safe_close(u->parentfd);
        u->parentfd = fd;
        snprintf(u->parent_path, sizeof(u->parent_path), "%s", parent);
        return fd;
}

/* Remove what stands at pfd/name, a whole tree if it is a directory (a
 * later entry replaces an earlier one, as tar does). */
static int remove_existing(struct unpack *u, int pfd, const char *name, struct vs_error *err)
{
        if (unlinkat(pfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR)
                return entry_error(u, err, errno, "cannot replace the existing file");
        struct vs_error e = VS_ERROR_INIT;
        if (vs_remove_tree_at(pfd, name, &e) < 0) {
                int r = entry_error(u, err, e.code, "cannot replace the existing directory");
                vs_error_ignore(&e);
                return r;
        }
        return 0;
}

static void entry_times(struct archive_entry *e, struct timespec times[2])
{
        times[1] = (struct timespec){.tv_sec = archive_entry_mtime(e), .tv_nsec = archive_entry_mtime_nsec(e)};
        if (archive_entry_atime_is_set(e))
                times[0] = (struct timespec){.tv_sec = archive_entry_atime(e), .tv_nsec = archive_entry_atime_nsec(e)};
        else
                times[0] = times[1];
}

/* Overlay's own xattrs are never taken from a layer: a forged
 * trusted.overlay.redirect, .metacopy or .whiteout would make the merged
 * view show files of other layers where the layer has none. Whiteouts and
 * opaque directories come from the ".wh." entries only. */
static bool xattr_allowed(const char *name)
{
        return strncmp(name, "trusted.overlay.", 16) != 0 && strncmp(name, "user.overlay.", 13) != 0;
}

/* Set the entry's xattrs on fd, or on pfd/name when fd < 0 (through
 * /proc/self/fd: no fd-based call reaches a symlink or a device). */
static int apply_xattrs(struct unpack *u, int fd, int pfd, const char *name, struct vs_error *err)
{
        if (archive_entry_xattr_reset(u->entry) == 0)
                return 0;
        char path[PATH_MAX + 64];
        if (fd < 0)
                snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", pfd, name);
        const char *xname;
        const void *value;
        size_t size;
        while (archive_entry_xattr_next(u->entry, &xname, &value, &size) == ARCHIVE_OK) {
                if (!xattr_allowed(xname))
                        continue;
                int r = fd >= 0 ? fsetxattr(fd, xname, value, size, 0) : lsetxattr(path, xname, value, size, 0);
                if (r < 0) {
                        char what[512];
                        snprintf(what, sizeof(what), "cannot set xattr %s", xname);
                        return entry_error(u, err, errno, what);
                }
        }
        return 0;
}

/* Owner, then mode (chown clears setuid/setgid and file capabilities, so
 * mode and xattrs come after it), then xattrs, then times. fd >= 0 for a
 * regular file or directory; else pfd/name is a node or symlink. */
static int apply_metadata(struct unpack *u, int fd, int pfd, const char *name, bool set_times, struct vs_error *err)
{
        struct archive_entry *e = u->entry;
        bool symlink = archive_entry_filetype(e) == AE_IFLNK;
        uid_t uid = (uid_t) archive_entry_uid(e);
        gid_t gid = (gid_t) archive_entry_gid(e);
        if (!u->opts->ignore_owner) {
                int r = fd >= 0 ? fchown(fd, uid, gid) : fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
                if (r < 0)
                        return entry_error(u, err, errno, "cannot set its owner");
        }
        mode_t mode = archive_entry_perm(e) & 07777;
        if (!symlink && set_times) {
                int r = fd >= 0 ? fchmod(fd, mode) : fchmodat(pfd, name, mode, 0);
                if (r < 0)
                        return entry_error(u, err, errno, "cannot set its mode");
        }
        int r = apply_xattrs(u, fd, pfd, name, err);
        if (r < 0 || !set_times)
                return r;
        struct timespec times[2];
        entry_times(e, times);
        r = fd >= 0 ? futimens(fd, times) : utimensat(pfd, name, times, AT_SYMLINK_NOFOLLOW);
        if (r < 0)
                return entry_error(u, err, errno, "cannot set its times");
        return 0;
}

static int write_all_at(int fd, const char *buf, size_t len, off_t off)
{
        while (len > 0) {
                ssize_t w = pwrite(fd, buf, len, off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                buf += w;
                len -= (size_t) w;
                off += w;
        }
        return 0;
}

/* Copy the entry's data (holes of a sparse entry stay holes). */
static int write_data(struct unpack *u, int fd, struct vs_error *err)
{
        off_t end = 0;
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t offset;
                int r = archive_read_data_block(u->tar, &buf, &size, &offset);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return vs_error_set(err, archive_errno(u->tar) > 0 ? archive_errno(u->tar) : EIO,
                                            "entry %s: %s", u->entry_name, archive_message(u->tar));
                r = write_all_at(fd, buf, size, (off_t) offset);
                if (r < 0)
                        return entry_error(u, err, -r, "cannot write its data");
                end = (off_t) offset + (off_t) size;
        }
        off_t size = (off_t) archive_entry_size(u->entry);
        if (end < size && ftruncate(fd, size) < 0)
                return entry_error(u, err, errno, "cannot write its data");
        return 0;
}

static int make_regular(struct unpack *u, int pfd, const char *name, struct vs_error *err)
{
        int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        _cleanup_close_ int fd = openat(pfd, name, flags, 0600);
        if (fd < 0 && errno == EEXIST) {
                int r = remove_existing(u, pfd, name, err);
                if (r < 0)
                        return r;
                fd = openat(pfd, name, flags, 0600);
        }
        if (fd < 0)
                return entry_error(u, err, errno, "cannot create it");
        int r = write_data(u, fd, err);
        if (r < 0)
                return r;
        r = apply_metadata(u, fd, pfd, name, true, err);
        if (r < 0)
                return r;
        if (close(TAKE_FD(fd)) < 0)
                return entry_error(u, err, errno, "cannot write its data");
        return 0;
}

static int defer_dir(struct unpack *u, const char *path, struct vs_error *err)
{
        if (u->ndirs == u->dirs_cap) {
                size_t cap = u->dirs_cap ? u->dirs_cap * 2 : 256;
                struct dir_meta *n = realloc(u->dirs, cap * sizeof(*n));
                if (!n)
                        return entry_error(u, err, ENOMEM, "cannot remember the directory");
                u->dirs = n;
                u->dirs_cap = cap;
        }
        struct dir_meta *d = &u->dirs[u->ndirs];
        d->path = strdup(path);
        if (!d->path)
                return entry_error(u, err, ENOMEM, "cannot remember the directory");
        d->mode = archive_entry_perm(u->entry) & 07777;
        entry_times(u->entry, d->times);
        u->ndirs++;
        return 0;
}

/* A directory entry: made (0700 until the end) unless one is there, which is
 * kept with its contents, as tar does. */
static int make_dir(struct unpack *u, int pfd, const char *name, const char *path, struct vs_error *err)
{
        if (name[0] != '\0' && mkdirat(pfd, name, 0700) < 0) {
                struct stat st;
                if (errno != EEXIST)
                        return entry_error(u, err, errno, "cannot create it");
                if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return entry_error(u, err, errno, "cannot create it");
                if (!S_ISDIR(st.st_mode)) {
                        int r = remove_existing(u, pfd, name, err);
                        if (r < 0)
                                return r;
                        if (mkdirat(pfd, name, 0700) < 0)
                                return entry_error(u, err, errno, "cannot create it");
                }
        }
        _cleanup_close_ int fd = openat(pfd, name[0] ? name : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return entry_error(u, err, errno, "cannot open it");
        int r = apply_metadata(u, fd, pfd, name, false, err);
        if (r < 0)
                return r;
        return defer_dir(u, path, err);
}

static int make_symlink(struct unpack *u, int pfd, const char *name, struct vs_error *err)
{
        const char *target = archive_entry_symlink(u->entry);
        if (!target)
                return entry_refuse(u, err, EINVAL, "symlink without a target");
        int r = symlinkat(target, pfd, name);
        if (r < 0 && errno == EEXIST) {
                r = remove_existing(u, pfd, name, err);
                if (r < 0)
                        return r;
                r = symlinkat(target, pfd, name);
        }
        if (r < 0)
                return entry_error(u, err, errno, "cannot create it");
        return apply_metadata(u, -1, pfd, name, true, err);
}

/* A hardlink's target is resolved like any entry: inside the layer, and it
 * must already be there (an earlier entry). */
static int make_hardlink(struct unpack *u, int pfd, const char *name, const char *link, struct vs_error *err)
{
        char target[PATH_MAX];
        char what[PATH_MAX + 64];
        int r = clean_path(link, target);
        if (r == -EXDEV || (r == 0 && target[0] == '\0')) {
                snprintf(what, sizeof(what), "hardlink target %s is outside the layer", link);
                return entry_refuse(u, err, EXDEV, what);
        }
        if (r < 0)
                return entry_error(u, err, -r, "bad hardlink target");
        const char *tparent, *tname;
        split_path(target, &tparent, &tname);
        struct vs_error e = VS_ERROR_INIT;
        _cleanup_close_ int tpfd = tparent[0] ? vs_open_in_root(u->rootfd, tparent, O_PATH | O_DIRECTORY, 0, &e)
                                              : openat(u->rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        r = tpfd < 0 ? -1 : linkat(tpfd, tname, pfd, name, 0);
        if (r < 0 && tpfd >= 0 && errno == EEXIST) {
                r = remove_existing(u, pfd, name, err);
                if (r < 0)
                        return r;
                r = linkat(tpfd, tname, pfd, name, 0);
        }
        if (r < 0) {
                int code = tpfd < 0 ? (e.code ? e.code : errno) : errno;
                vs_error_ignore(&e);
                snprintf(what, sizeof(what), "cannot link it to %s in the layer", link);
                return entry_error(u, err, code, what);
        }
        return 0;
}

static int make_node(struct unpack *u, int pfd, const char *name, struct vs_error *err)
{
        unsigned type = archive_entry_filetype(u->entry);
        bool device = type == AE_IFCHR || type == AE_IFBLK;
        if (device && u->opts->no_devices)
                return entry_refuse(u, err, EPERM, "device nodes are not allowed in this layer");
        mode_t mode = (mode_t) type | (archive_entry_perm(u->entry) & 07777);
        dev_t dev = device ? makedev(archive_entry_rdevmajor(u->entry), archive_entry_rdevminor(u->entry)) : 0;
        int r = mknodat(pfd, name, mode, dev);
        if (r < 0 && errno == EEXIST) {
                r = remove_existing(u, pfd, name, err);
                if (r < 0)
                        return r;
                r = mknodat(pfd, name, mode, dev);
        }
        if (r < 0)
                return entry_error(u, err, errno, "cannot create it");
        return apply_metadata(u, -1, pfd, name, true, err);
}

/* ".wh..wh..opq": the directory hides the layers below; ".wh.NAME": NAME is
 * deleted, an overlay whiteout (a 0:0 character device) in its place. */
static int make_whiteout(struct unpack *u, int pfd, const char *name, struct vs_error *err)
{
        if (strcmp(name, WHITEOUT_OPAQUE) == 0) {
                _cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0 || fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        return entry_error(u, err, errno, "cannot mark its directory opaque");
                return 0;
        }
        if (strncmp(name, WHITEOUT_META_PREFIX, strlen(WHITEOUT_META_PREFIX)) == 0)
                return 0; /* other aufs metadata (.wh..wh.plnk, .wh..wh.aufs) */
        const char *victim = name + strlen(WHITEOUT_PREFIX);
        if (victim[0] == '\0' || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
                return entry_refuse(u, err, EINVAL, "whiteout of no name");
        int r = remove_existing(u, pfd, victim, err);
        if (r < 0)
                return r;
        if (mknodat(pfd, victim, S_IFCHR, makedev(0, 0)) < 0)
                return entry_error(u, err, errno, "cannot create the whiteout");
        /* The entry's time, so a layer unpacked twice is the same tree. */
        struct timespec times[2];
        entry_times(u->entry, times);
        if (utimensat(pfd, victim, times, AT_SYMLINK_NOFOLLOW) < 0)
                return entry_error(u, err, errno, "cannot set the whiteout's times");
        return 0;
}

static int extract_entry(struct unpack *u, struct vs_error *err)
{
        struct archive_entry *e = u->entry;
        char path[PATH_MAX];
        int r = clean_path(u->entry_name, path);
        if (r == -EXDEV)
                return entry_refuse(u, err, EXDEV, "path climbs out of the layer");
        if (r < 0)
                return entry_error(u, err, -r, "bad path");
        unsigned type = archive_entry_filetype(e);
        const char *hardlink = archive_entry_hardlink(e);
        if (path[0] == '\0') {
                if (type != AE_IFDIR || hardlink)
                        return entry_refuse(u, err, EINVAL, "the layer root must be a directory");
                return make_dir(u, u->rootfd, "", "", err);
        }
        char full[PATH_MAX];
        memcpy(full, path, strlen(path) + 1);
        const char *parent, *name;
        split_path(path, &parent, &name);
        int pfd = get_parent(u, parent, err);
        if (pfd < 0)
                return pfd;
        if (strncmp(name, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0)
                return make_whiteout(u, pfd, name, err);
        if (hardlink)
                return make_hardlink(u, pfd, name, hardlink, err);
        switch (type) {
        case AE_IFREG:
                return make_regular(u, pfd, name, err);
        case AE_IFDIR:
                return make_dir(u, pfd, name, full, err);
        case AE_IFLNK:
                return make_symlink(u, pfd, name, err);
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
                return make_node(u, pfd, name, err);
        default:
                return entry_refuse(u, err, EINVAL, "unsupported entry type");
        }
}

/* Directory modes and times, in the tar's order so that a directory given
 * twice ends as its last entry says. A directory replaced since (by a file or
 * symlink) is skipped. Setting them changes no parent's mtime. */
static int finish_dirs(struct unpack *u, struct vs_error *err)
{
        for (size_t i = 0; i < u->ndirs; i++) {
                struct dir_meta *d = &u->dirs[i];
                struct vs_error e = VS_ERROR_INIT;
                _cleanup_close_ int fd =
                        d->path[0] ? vs_open_in_root(u->rootfd, d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, &e)
                                   : openat(u->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        int code = d->path[0] ? e.code : errno;
                        vs_error_ignore(&e);
                        if (code == ENOENT || code == ENOTDIR || code == ELOOP)
                                continue;
                        return vs_error_errno(err, code, "directory %s: cannot open it", d->path);
                }
                if (fchmod(fd, d->mode) < 0 || futimens(fd, d->times) < 0)
                        return vs_error_errno(err, errno, "directory %s: cannot set its mode and times",
                                              d->path[0] ? d->path : "/");
        }
        return 0;
}

static void unpack_free(struct unpack *u)
{
        for (size_t i = 0; i < u->ndirs; i++)
                free(u->dirs[i].path);
        free(u->dirs);
        vs_safe_close(u->parentfd);
        if (u->tar)
                archive_read_free(u->tar);
}

static int extract_all(struct unpack *u, struct feeder *f, struct vs_error *err)
{
        u->tar = archive_read_new();
        if (!u->tar)
                return vs_error_errno(err, ENOMEM, "cannot start the tar reader");
        archive_read_support_format_tar(u->tar);
        if (archive_read_open(u->tar, f, NULL, tar_read_cb, NULL) != ARCHIVE_OK)
                return vs_error_set(err, archive_errno(u->tar) > 0 ? archive_errno(u->tar) : EINVAL, "%s",
                                    archive_message(u->tar));
        for (;;) {
                int r = archive_read_next_header(u->tar, &u->entry);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        int code = archive_errno(u->tar) > 0 ? archive_errno(u->tar) : EINVAL;
                        if (u->entry_name)
                                return vs_error_set(err, code, "after entry %s: %s", u->entry_name,
                                                    archive_message(u->tar));
                        return vs_error_set(err, code, "cannot read it as a tar: %s", archive_message(u->tar));
                }
                const char *name = archive_entry_pathname(u->entry);
                if (!name)
                        return vs_error_set(err, EINVAL, "an entry has no path");
                /* Kept: libarchive reuses the entry, and an error after the
                 * next header still names this one. */
                snprintf(u->name_buf, sizeof(u->name_buf), "%s", name);
                u->entry_name = u->name_buf;
                r = extract_entry(u, err);
                if (r < 0)
                        return r;
        }
        return finish_dirs(u, err);
}

int vs_layer_unpack(int fd, int dirfd, const struct vs_unpack_options *opts, char diff_id[VS_DIGEST_MAX],
                    struct vs_error *err)
{
        static const struct vs_unpack_options defaults = {0};
        if (!opts)
                opts = &defaults;
        const char *origin = opts->origin ? opts->origin : "(unnamed)";
        struct unpack u = {.rootfd = dirfd, .opts = opts, .parentfd = -1};
        struct feeder f;
        pthread_t thread;
        int r = feeder_start(&f, &thread, fd, diff_id != NULL, err);
        if (r < 0) {
                feeder_free(&f);
                return vs_error_wrap(err, "layer %s", origin);
        }
        r = extract_all(&u, &f, err);
        int fr = feeder_finish(&f, thread, r == 0);
        if (fr < 0 && (r == 0 || u.entry_name == NULL)) {
                /* The feeder's own words ("truncated gzip input") over the
                 * reader's echo of them. */
                vs_error_ignore(err);
                r = vs_error_set(err, -fr, "%s", f.errmsg);
        }
        if (r == 0 && diff_id)
                vs_sha256_final(&f.hash, diff_id);
        unpack_free(&u);
        feeder_free(&f);
        if (r < 0)
                return vs_error_wrap(err, "layer %s", origin);
        return 0;
}
