/* vessel: the layer tar of an overlay upper directory (for commit and build).
 *
 * The upper dir is walked in name order (so the same tree gives the same
 * tar) and written as a pax tar by libarchive. Overlay's own markers become
 * the image spec's: a whiteout (a 0:0 character device) the empty regular
 * file ".wh.NAME", an opaque directory (trusted.overlay.opaque=y) the entry
 * "DIR/.wh..wh..opq" after it; overlay's other xattrs (origin, impure, nlink)
 * are its bookkeeping and stay out.
 *
 * One pass gives both digests: the tar writer's output (uncompressed) is
 * hashed for the diff ID, then, when compressing, fed to a second libarchive
 * writer (format "raw", gzip filter) whose output is hashed for the digest
 * and written to out_fd. */
#include "image/unpack.h"

#include "image/lazy_archive.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

#define COPY_SIZE (1u << 20)
#define XATTR_LIST_MAX_LEN (64u << 10)

struct inode_seen {
        dev_t dev;
        ino_t ino;
        char *path;
};

struct differ {
        int upperfd;
        int out_fd;
        struct archive *tar; /* pax, uncompressed: to tar_write_cb */
        struct archive *gz;  /* raw + gzip, or NULL: to out_write_cb */
        struct vs_sha256 diff_hash, digest_hash;
        struct vs_error *err;
        int error; /* set by the callbacks: the reason libarchive failed */
        char *copybuf;
        struct inode_seen *inodes; /* files with more than one link */
        size_t ninodes, inodes_cap;
        const char *const *skip; /* empty regular files to leave out ("etc/hosts"), or NULL */
};

static bool skipped(const struct differ *d, const char *path, const struct stat *st)
{
        for (const char *const *p = d->skip; p && *p && S_ISREG(st->st_mode) && st->st_size == 0; p++)
                if (strcmp(*p, path) == 0)
                        return true;
        return false;
}

static la_ssize_t out_write_cb(struct archive *a, void *data, const void *buf, size_t len)
{
        struct differ *d = data;
        vs_sha256_update(&d->digest_hash, buf, len);
        for (size_t off = 0; off < len;) {
                ssize_t w = write(d->out_fd, (const char *) buf + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0) {
                        d->error = vs_error_syscall(d->err, "cannot write the layer");
                        return -1;
                }
                off += (size_t) w;
        }
        return (la_ssize_t) len;
}

static la_ssize_t tar_write_cb(struct archive *a, void *data, const void *buf, size_t len)
{
        struct differ *d = data;
        vs_sha256_update(&d->diff_hash, buf, len);
        if (!d->gz)
                return out_write_cb(a, data, buf, len);
        if (archive_write_data(d->gz, buf, len) != (la_ssize_t) len) {
                if (!d->error)
                        d->error =
                                vs_error_set(d->err, EIO, "cannot compress the layer: %s", archive_error_string(d->gz));
                return -1;
        }
        return (la_ssize_t) len;
}

/* A libarchive failure, or the callback's error behind it. */
static int archive_failed(struct differ *d, struct archive *a, const char *what, const char *path)
{
        if (d->error)
                return vs_error_wrap(d->err, "%s %s", what, path);
        const char *msg = archive_error_string(a);
        return vs_error_set(d->err, archive_errno(a) > 0 ? archive_errno(a) : EIO, "%s %s: %s", what, path,
                            msg ? msg : "libarchive failed");
}

static bool overlay_xattr(const char *name)
{
        return strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0;
}

/* Copy dfd/name's xattrs (but overlay's) into the entry; *opaque tells
 * whether it is an opaque directory. Through /proc/self/fd/N/name with the
 * l* calls: this reaches symlinks and device nodes too. */
static int add_xattrs(struct differ *d, struct archive_entry *e, int dfd, const char *name, const char *path,
                      bool *opaque)
{
        char proc[PATH_MAX + 64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dfd, name);
        _cleanup_free_ char *list = malloc(XATTR_LIST_MAX_LEN);
        _cleanup_free_ char *value = malloc(XATTR_LIST_MAX_LEN);
        if (!list || !value)
                return vs_error_errno(d->err, ENOMEM, "cannot read the xattrs of %s", path);
        ssize_t n = llistxattr(proc, list, XATTR_LIST_MAX_LEN);
        if (n < 0) {
                if (errno == ENOTSUP)
                        return 0;
                return vs_error_syscall(d->err, "cannot list the xattrs of %s", path);
        }
        for (char *x = list; x < list + n; x += strlen(x) + 1) {
                ssize_t len = lgetxattr(proc, x, value, XATTR_LIST_MAX_LEN);
                if (len < 0) {
                        if (errno == ENODATA)
                                continue;
                        return vs_error_syscall(d->err, "cannot read xattr %s of %s", x, path);
                }
                if (overlay_xattr(x)) {
                        if (opaque && strcmp(x + strcspn(x, ".") + 1, "overlay.opaque") == 0 && len == 1 &&
                            value[0] == 'y')
                                *opaque = true;
                        continue;
                }
                archive_entry_xattr_add_entry(e, x, value, (size_t) len);
        }
        return 0;
}

static struct archive_entry *new_entry(const char *path, const struct stat *st)
{
        struct archive_entry *e = archive_entry_new();
        if (!e)
                return NULL;
        archive_entry_set_pathname(e, path);
        archive_entry_set_uid(e, st->st_uid);
        archive_entry_set_gid(e, st->st_gid);
        archive_entry_set_perm(e, st->st_mode & 07777);
        /* Whole seconds, as docker and buildkit write them: the same tree
         * touched at another instant gives the same layer. */
        archive_entry_set_mtime(e, st->st_mtim.tv_sec, 0);
        return e;
}

/* An empty regular file entry: a whiteout or the opaque marker. */
static int write_marker(struct differ *d, const char *path, const struct stat *st, mode_t perm)
{
        struct archive_entry *e = new_entry(path, st);
        if (!e)
                return vs_error_errno(d->err, ENOMEM, "cannot write %s", path);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, perm);
        archive_entry_set_size(e, 0);
        int r = archive_write_header(d->tar, e);
        archive_entry_free(e);
        if (r < ARCHIVE_WARN)
                return archive_failed(d, d->tar, "cannot write", path);
        return 0;
}

/* The path of an earlier entry for the same inode, or NULL (then it is
 * remembered under `path`). */
static const char *hardlink_of(struct differ *d, const struct stat *st, const char *path)
{
        for (size_t i = 0; i < d->ninodes; i++)
                if (d->inodes[i].dev == st->st_dev && d->inodes[i].ino == st->st_ino)
                        return d->inodes[i].path;
        if (d->ninodes == d->inodes_cap) {
                size_t cap = d->inodes_cap ? d->inodes_cap * 2 : 64;
                struct inode_seen *n = realloc(d->inodes, cap * sizeof(*n));
                if (!n)
                        return NULL; /* not remembered: the next link is written whole */
                d->inodes = n;
                d->inodes_cap = cap;
        }
        char *copy = strdup(path);
        if (copy)
                d->inodes[d->ninodes++] = (struct inode_seen){st->st_dev, st->st_ino, copy};
        return NULL;
}

static int write_file_data(struct differ *d, int dfd, const char *name, const char *path)
{
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(d->err, "cannot open %s", path);
        for (;;) {
                ssize_t n = read(fd, d->copybuf, COPY_SIZE);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return vs_error_syscall(d->err, "cannot read %s", path);
                if (n == 0)
                        return 0;
                if (archive_write_data(d->tar, d->copybuf, (size_t) n) < 0)
                        return archive_failed(d, d->tar, "cannot write", path);
        }
}

/* The type-specific part of an entry: size or hardlink, symlink target, device. */
static int set_entry_type(struct differ *d, struct archive_entry *e, int dfd, const char *name, const char *path,
                          const struct stat *st, bool *has_data)
{
        archive_entry_set_filetype(e, st->st_mode & S_IFMT);
        *has_data = false;
        if (S_ISREG(st->st_mode)) {
                const char *link = st->st_nlink > 1 ? hardlink_of(d, st, path) : NULL;
                if (link)
                        archive_entry_set_hardlink(e, link);
                archive_entry_set_size(e, link ? 0 : st->st_size);
                *has_data = !link && st->st_size > 0;
        } else if (S_ISLNK(st->st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
                if (n < 0)
                        return vs_error_syscall(d->err, "cannot read the symlink %s", path);
                target[n] = '\0';
                archive_entry_set_symlink(e, target);
        } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
                archive_entry_set_rdev(e, st->st_rdev);
        }
        return 0;
}

/* One name of the upper dir: its entry (or a whiteout), its data, the
 * opaque marker of a directory. Returns 1 for a directory to descend into,
 * its path ("a/b/") in *ret_dir. Nothing of it stays on the stack while
 * the walk goes deeper: a container's tree may be as deep as PATH_MAX. */
static int write_one(struct differ *d, int dfd, const char *name, const char *prefix, char **ret_dir)
{
        struct stat st;
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s%s", prefix, name) >= (int) sizeof(path) - 16)
                return vs_error_errno(d->err, ENAMETOOLONG, "cannot write %s%s", prefix, name);
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return vs_error_syscall(d->err, "cannot stat %s", path);
        if (S_ISSOCK(st.st_mode) || skipped(d, path, &st))
                return 0; /* a tar cannot hold a socket; docker drops them too */
        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
                snprintf(path, sizeof(path), "%s.wh.%s", prefix, name);
                return write_marker(d, path, &st, 0600);
        }
        bool dir = S_ISDIR(st.st_mode), opaque = false, has_data = false;
        if (dir)
                strcat(path, "/");
        struct archive_entry *e = new_entry(path, &st);
        if (!e)
                return vs_error_errno(d->err, ENOMEM, "cannot write %s", path);
        int r = add_xattrs(d, e, dfd, name, path, dir ? &opaque : NULL);
        if (r == 0)
                r = set_entry_type(d, e, dfd, name, path, &st, &has_data);
        if (r == 0 && archive_write_header(d->tar, e) < ARCHIVE_WARN)
                r = archive_failed(d, d->tar, "cannot write", path);
        archive_entry_free(e);
        if (r < 0 || !dir)
                return r < 0 || !has_data ? r : write_file_data(d, dfd, name, path);
        if (opaque) {
                size_t len = strlen(path);
                snprintf(path + len, sizeof(path) - len, ".wh..wh..opq");
                r = write_marker(d, path, &st, st.st_mode & 0777);
                if (r < 0)
                        return r;
                path[len] = '\0';
        }
        *ret_dir = strdup(path);
        if (!*ret_dir)
                return vs_error_errno(d->err, ENOMEM, "cannot write %s", path);
        return 1;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in a directory, sorted (a NULL-terminated array). */
static int list_dir(struct differ *d, int dfd, const char *prefix, char ***ret)
{
        const char *shown = prefix[0] ? prefix : "/";
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(d->err, "cannot open %s", shown);
        _cleanup_closedir_ DIR *dir = fdopendir(fd);
        if (!dir) {
                vs_safe_close(fd);
                return vs_error_syscall(d->err, "cannot list %s", shown);
        }
        _cleanup_strv_ char **names = calloc(1, sizeof(char *));
        size_t n = 0, cap = 1;
        if (!names)
                return vs_error_errno(d->err, ENOMEM, "cannot list %s", shown);
        struct dirent *de;
        while ((errno = 0, de = readdir(dir))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (n + 1 == cap) {
                        char **grown = realloc(names, cap * 2 * sizeof(char *));
                        if (!grown)
                                return vs_error_errno(d->err, ENOMEM, "cannot list %s", shown);
                        names = grown;
                        cap *= 2;
                }
                names[n] = strdup(de->d_name);
                if (!names[n])
                        return vs_error_errno(d->err, ENOMEM, "cannot list %s", shown);
                names[++n] = NULL;
        }
        if (errno != 0)
                return vs_error_syscall(d->err, "cannot list %s", shown);
        qsort(names, n, sizeof(char *), compare_names);
        *ret = TAKE_PTR(names);
        return 0;
}

static int open_dir(struct differ *d, const char *prefix)
{
        struct vs_error e = VS_ERROR_INIT;
        /* Under the upper dir as root: a directory swapped for a symlink by a
         * running container cannot lead the walk out of it. */
        int fd = vs_open_in_root(d->upperfd, prefix[0] ? prefix : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, &e);
        if (fd < 0) {
                int code = e.code;
                vs_error_ignore(&e);
                return vs_error_errno(d->err, code, "cannot open %s", prefix[0] ? prefix : "/");
        }
        return fd;
}

/* A directory's entries, then each subdirectory's. Its fd is closed while a
 * subdirectory is walked and opened again after, so the walk holds a few
 * fds at any depth. */
static int walk_dir(struct differ *d, const char *prefix)
{
        _cleanup_close_ int dfd = open_dir(d, prefix);
        if (dfd < 0)
                return dfd;
        _cleanup_strv_ char **names = NULL;
        int r = list_dir(d, dfd, prefix, &names);
        if (r < 0)
                return r;
        for (char **name = names; *name; name++) {
                if (dfd < 0) {
                        dfd = open_dir(d, prefix);
                        if (dfd < 0)
                                return dfd;
                }
                _cleanup_free_ char *sub = NULL;
                r = write_one(d, dfd, *name, prefix, &sub);
                if (r <= 0) {
                        if (r < 0)
                                return r;
                        continue;
                }
                dfd = vs_safe_close(dfd);
                r = walk_dir(d, sub);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int open_writers(struct differ *d, bool gzip)
{
        if (gzip) {
                d->gz = archive_write_new();
                if (!d->gz)
                        return vs_error_errno(d->err, ENOMEM, "cannot start the compressor");
                /* No time stamp in the gzip header: the same tree gives the
                 * same blob (an older libarchive lacks the option: ignored). */
                if (archive_write_set_format_raw(d->gz) != ARCHIVE_OK ||
                    archive_write_add_filter_gzip(d->gz) != ARCHIVE_OK)
                        return archive_failed(d, d->gz, "cannot start", "the compressor");
                (void) archive_write_set_filter_option(d->gz, "gzip", "timestamp", NULL);
                archive_write_set_bytes_in_last_block(d->gz, 1);
                if (archive_write_open(d->gz, d, NULL, out_write_cb, NULL) != ARCHIVE_OK)
                        return archive_failed(d, d->gz, "cannot start", "the compressor");
                struct archive_entry *e = archive_entry_new();
                if (!e)
                        return vs_error_errno(d->err, ENOMEM, "cannot start the compressor");
                archive_entry_set_pathname(e, "layer.tar");
                archive_entry_set_filetype(e, AE_IFREG);
                int r = archive_write_header(d->gz, e);
                archive_entry_free(e);
                if (r != ARCHIVE_OK)
                        return archive_failed(d, d->gz, "cannot start", "the compressor");
        }
        d->tar = archive_write_new();
        if (!d->tar)
                return vs_error_errno(d->err, ENOMEM, "cannot start the tar writer");
        /* pax "restricted": an extended header only where ustar cannot say
         * it (long names, xattrs, big ids), as Go's archive/tar writes. */
        if (archive_write_set_format_pax_restricted(d->tar) != ARCHIVE_OK ||
            archive_write_set_bytes_per_block(d->tar, 64 * 1024) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(d->tar, 1) != ARCHIVE_OK ||
            archive_write_open(d->tar, d, NULL, tar_write_cb, NULL) != ARCHIVE_OK)
                return archive_failed(d, d->tar, "cannot start", "the tar writer");
        return 0;
}

static int close_writers(struct differ *d)
{
        if (archive_write_close(d->tar) != ARCHIVE_OK)
                return archive_failed(d, d->tar, "cannot finish", "the tar");
        if (d->gz && archive_write_close(d->gz) != ARCHIVE_OK)
                return archive_failed(d, d->gz, "cannot finish", "the compressed layer");
        return 0;
}

static void differ_free(struct differ *d)
{
        if (d->tar)
                archive_write_free(d->tar);
        if (d->gz)
                archive_write_free(d->gz);
        vs_sha256_free(&d->diff_hash);
        vs_sha256_free(&d->digest_hash);
        free(d->copybuf);
        for (size_t i = 0; i < d->ninodes; i++)
                free(d->inodes[i].path);
        free(d->inodes);
}

int vs_layer_diff(int upperfd, int out_fd, bool gzip, char diff_id[VS_DIGEST_MAX], char digest[VS_DIGEST_MAX],
                  struct vs_error *err)
{
        return vs_layer_diff_skip(upperfd, out_fd, gzip, NULL, diff_id, digest, err);
}

int vs_layer_diff_skip(int upperfd, int out_fd, bool gzip, const char *const *skip, char diff_id[VS_DIGEST_MAX],
                       char digest[VS_DIGEST_MAX], struct vs_error *err)
{
        struct differ d = {.upperfd = upperfd, .out_fd = out_fd, .err = err, .skip = skip};
        int r = vs_sha256_init(&d.diff_hash, err);
        if (r == 0)
                r = vs_sha256_init(&d.digest_hash, err);
        d.copybuf = malloc(COPY_SIZE);
        if (r == 0 && !d.copybuf)
                r = vs_error_errno(err, ENOMEM, "cannot allocate the copy buffer");
        if (r == 0)
                r = open_writers(&d, gzip);
        if (r == 0)
                r = walk_dir(&d, "");
        if (r == 0)
                r = close_writers(&d);
        if (r == 0) {
                vs_sha256_final(&d.diff_hash, diff_id);
                vs_sha256_final(&d.digest_hash, digest);
        }
        differ_free(&d);
        if (r < 0)
                return vs_error_wrap(err, "cannot write the layer diff");
        return 0;
}
