/* vessel: file trees as tar entries (see fs_tree.h). */
#include "fs_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

#define COPY_SIZE (256u << 10)

struct inode_name {
        dev_t dev;
        ino_t ino;
        char *name;
};

struct walker {
        struct tree_sink *sink;
        struct vs_error *err;
        char *buf;
        struct inode_name *inodes; /* regular files with more than one link */
        size_t n_inodes;
};

static void archive_entry_freep(struct archive_entry **e)
{
        if (*e)
                archive_entry_free(*e);
}
#define _cleanup_entry_ _cleanup_(archive_entry_freep)

static int tar_failed(struct archive *a, struct vs_error *err, const char *what, const char *name)
{
        const char *msg = archive_error_string(a);
        return vs_error_set(err, archive_errno(a) > 0 ? archive_errno(a) : EIO, "cannot %s %s: %s", what, name,
                            msg ? msg : "libarchive failed");
}

int tree_tar_open(int fd, struct archive **ret, struct vs_error *err)
{
        struct archive *a = archive_write_new();
        if (!a)
                return vs_error_set(err, ENOMEM, "out of memory");
        if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK || archive_write_open_fd(a, fd) != ARCHIVE_OK) {
                int r = tar_failed(a, err, "start", "the tar");
                archive_write_free(a);
                return r;
        }
        *ret = a;
        return 0;
}

int tree_tar_close(struct archive *tar, struct vs_error *err)
{
        int r = archive_write_close(tar) == ARCHIVE_OK ? 0 : tar_failed(tar, err, "finish", "the tar");
        archive_write_free(tar);
        return r;
}

/* --- the sinks ---------------------------------------------------------- */

/* Read the next chunk of an entry's data from fd or from the tar being read. */
static ssize_t data_read(int fd, struct archive *from, char *buf, size_t size)
{
        if (from)
                return archive_read_data(from, buf, size);
        ssize_t n;
        while ((n = read(fd, buf, size)) < 0 && errno == EINTR)
                ;
        return n;
}

static int tar_put(struct tree_sink *s, struct archive_entry *e, int fd, char *buf, struct vs_error *err)
{
        const char *name = archive_entry_pathname(e);
        if (archive_write_header(s->tar, e) < ARCHIVE_WARN)
                return tar_failed(s->tar, err, "write", name);
        if (fd < 0 || archive_entry_size(e) <= 0)
                return 0;
        for (int64_t left = archive_entry_size(e); left > 0;) {
                ssize_t n = data_read(fd, NULL, buf, left < COPY_SIZE ? (size_t) left : COPY_SIZE);
                if (n < 0)
                        return vs_error_syscall(err, "cannot read %s", name);
                if (n == 0) /* the file shrank while it was read: pad with zeros, as tar does */
                        n = (ssize_t) (memset(buf, 0, left < COPY_SIZE ? (size_t) left : COPY_SIZE),
                                       left < COPY_SIZE ? left : COPY_SIZE);
                if (archive_write_data(s->tar, buf, (size_t) n) < 0)
                        return tar_failed(s->tar, err, "write", name);
                left -= n;
                s->bytes += n;
        }
        return 0;
}

/* Remove what is at pfd/leaf unless it is a directory; ENOENT is fine. */
static int clear_leaf(int pfd, const char *leaf, const char *path, bool want_dir, bool *is_dir, struct vs_error *err)
{
        struct stat st;
        *is_dir = false;
        if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : vs_error_syscall(err, "cannot stat %s", path);
        if (S_ISDIR(st.st_mode)) {
                *is_dir = true;
                return want_dir ? 0
                                : vs_error_set(err, EISDIR, "cannot overwrite directory %s with non-directory", path);
        }
        if (want_dir)
                return vs_error_set(err, ENOTDIR, "cannot overwrite non-directory %s with directory", path);
        if (unlinkat(pfd, leaf, 0) < 0)
                return vs_error_syscall(err, "cannot replace %s", path);
        return 0;
}

static int write_data(int out, int fd, struct archive *from, char *buf, const char *path, int64_t *bytes,
                      struct vs_error *err)
{
        for (;;) {
                ssize_t n = data_read(fd, from, buf, COPY_SIZE);
                if (n < 0)
                        return from ? tar_failed(from, err, "read", path)
                                    : vs_error_syscall(err, "cannot read %s", path);
                if (n == 0)
                        return 0;
                for (ssize_t done = 0; done < n;) {
                        ssize_t w = write(out, buf + done, (size_t) (n - done));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return vs_error_syscall(err, "cannot write %s", path);
                        done += w;
                }
                *bytes += n;
        }
}

/* Owner, mode and times of pfd/leaf as the entry says. */
static int set_meta(struct tree_sink *s, int pfd, const char *leaf, struct archive_entry *e, const char *path,
                    struct vs_error *err)
{
        bool link = archive_entry_filetype(e) == AE_IFLNK;
        if (s->keep_owner &&
            fchownat(pfd, leaf, (uid_t) archive_entry_uid(e), (gid_t) archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
                return vs_error_syscall(err, "cannot change the owner of %s", path);
        /* after the chown, which clears set-id bits */
        if (!link && fchmodat(pfd, leaf, archive_entry_perm(e), 0) < 0)
                return vs_error_syscall(err, "cannot change the mode of %s", path);
        struct timespec ts[2] = {{archive_entry_atime(e), 0}, {archive_entry_mtime(e), 0}};
        if (!archive_entry_atime_is_set(e))
                ts[0] = ts[1];
        (void) utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW); /* times are best effort, as in cp -a */
        return 0;
}

/* "dir/name" split at its last slash: the parent's fd under the root, and the leaf. */
static int open_parent(struct tree_sink *s, char *path, const char **leaf, struct vs_error *err)
{
        char *slash = strrchr(path, '/');
        *leaf = slash ? slash + 1 : path;
        if (slash)
                *slash = '\0';
        int fd = vs_open_in_root(s->rootfd, slash ? (path[0] ? path : "/") : ".", O_PATH | O_DIRECTORY, 0, err);
        if (slash)
                *slash = '/';
        return fd;
}

static int make_entry(struct tree_sink *s, int pfd, const char *leaf, const char *path, struct archive_entry *e, int fd,
                      struct archive *from, char *buf, struct vs_error *err)
{
        mode_t type = archive_entry_filetype(e);
        bool is_dir;
        int r = clear_leaf(pfd, leaf, path, type == AE_IFDIR, &is_dir, err);
        if (r < 0)
                return r;
        if (type == AE_IFDIR)
                return is_dir || mkdirat(pfd, leaf, 0700) == 0 ? 0 : vs_error_syscall(err, "cannot create %s", path);
        if (type == AE_IFLNK)
                return symlinkat(archive_entry_symlink(e), pfd, leaf) == 0
                               ? 0
                               : vs_error_syscall(err, "cannot create %s", path);
        if (type == AE_IFREG) {
                _cleanup_close_ int out = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (out < 0)
                        return vs_error_syscall(err, "cannot create %s", path);
                return write_data(out, fd, from, buf, path, &s->bytes, err);
        }
        if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO)
                return mknodat(pfd, leaf, type | 0600, archive_entry_rdev(e)) == 0
                               ? 0
                               : vs_error_syscall(err, "cannot create %s", path);
        return 0; /* sockets and the like are not copied */
}

static int extract_put(struct tree_sink *s, struct archive_entry *e, int fd, struct archive *from, char *buf,
                       struct vs_error *err)
{
        char path[PATH_MAX];
        const char *name = archive_entry_pathname(e);
        size_t n = (size_t) snprintf(path, sizeof(path), "%s/%s", s->dir, name);
        if (n >= sizeof(path))
                return vs_error_set(err, ENAMETOOLONG, "%s/%s: file name too long", s->dir, name);
        while (n > 1 && path[n - 1] == '/')
                path[--n] = '\0';
        const char *leaf;
        _cleanup_close_ int pfd = open_parent(s, path, &leaf, err);
        if (pfd < 0)
                return pfd;
        const char *hard = archive_entry_hardlink(e);
        if (hard) {
                char target[PATH_MAX];
                if ((size_t) snprintf(target, sizeof(target), "%s/%s", s->dir, hard) >= sizeof(target))
                        return vs_error_set(err, ENAMETOOLONG, "%s: link target too long", path);
                const char *tleaf;
                _cleanup_close_ int tfd = open_parent(s, target, &tleaf, err);
                bool is_dir;
                int r = tfd < 0 ? tfd : clear_leaf(pfd, leaf, path, false, &is_dir, err);
                if (r == 0 && linkat(tfd, tleaf, pfd, leaf, 0) < 0)
                        r = vs_error_syscall(err, "cannot link %s to %s", path, target);
                return r;
        }
        int r = make_entry(s, pfd, leaf, path, e, fd, from, buf, err);
        if (r == 0 && archive_entry_filetype(e) != AE_IFSOCK)
                r = set_meta(s, pfd, leaf, e, path, err);
        return r;
}

static int sink_put(struct tree_sink *s, struct archive_entry *e, int fd, struct archive *from, char *buf,
                    struct vs_error *err)
{
        return s->tar ? tar_put(s, e, fd, buf, err) : extract_put(s, e, fd, from, buf, err);
}

/* --- the walk ----------------------------------------------------------- */

static const char *hardlink_of(struct walker *w, const struct stat *st, const char *name)
{
        for (size_t i = 0; i < w->n_inodes; i++)
                if (w->inodes[i].dev == st->st_dev && w->inodes[i].ino == st->st_ino)
                        return w->inodes[i].name;
        struct inode_name *n = realloc(w->inodes, (w->n_inodes + 1) * sizeof(*n));
        char *copy = strdup(name);
        if (n)
                w->inodes = n;
        if (!n || !copy) {
                free(copy);
                return NULL; /* not remembered: the next link is copied whole */
        }
        w->inodes[w->n_inodes++] = (struct inode_name){st->st_dev, st->st_ino, copy};
        return NULL;
}

/* The entry for an O_PATH fd, and an fd on its data for a regular file. */
static int describe(struct walker *w, int fd, const struct stat *st, const char *name, struct archive_entry *e,
                    int *data)
{
        archive_entry_copy_stat(e, st);
        archive_entry_set_pathname(e, name);
        *data = -1;
        if (S_ISLNK(st->st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
                if (n < 0)
                        return vs_error_syscall(w->err, "cannot read the symlink %s", name);
                target[n] = '\0';
                archive_entry_set_symlink(e, target);
        } else if (S_ISREG(st->st_mode)) {
                const char *link = st->st_nlink > 1 ? hardlink_of(w, st, name) : NULL;
                if (link) {
                        archive_entry_set_hardlink(e, link);
                        archive_entry_set_size(e, 0);
                        return 0;
                }
                char proc[64];
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                *data = open(proc, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
                if (*data < 0)
                        return vs_error_syscall(w->err, "cannot open %s", name);
        } else if (!S_ISDIR(st->st_mode)) {
                archive_entry_set_size(e, 0);
        }
        return 0;
}

static int emit(struct walker *w, int fd, const struct stat *st, const char *name)
{
        if (S_ISSOCK(st->st_mode))
                return 0; /* a tar cannot hold a socket */
        _cleanup_entry_ struct archive_entry *e = archive_entry_new();
        if (!e)
                return vs_error_set(w->err, ENOMEM, "out of memory");
        _cleanup_close_ int data = -1;
        int r = describe(w, fd, st, name, e, &data);
        if (r == 0)
                r = sink_put(w->sink, e, data, NULL, w->buf, w->err);
        return r;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in a directory (O_PATH fd), sorted, NULL-terminated. */
static int list_names(struct walker *w, int fd, const char *name, char ***ret, bool *skip)
{
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        int dfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct statfs sfs;
        if (dfd >= 0 && fstatfs(dfd, &sfs) == 0 &&
            (sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC || sfs.f_type == CGROUP_SUPER_MAGIC ||
             sfs.f_type == CGROUP2_SUPER_MAGIC)) {
                *skip = true; /* the kernel's files, not the container's */
                close(dfd);
                return 0;
        }
        _cleanup_closedir_ DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!dir) {
                vs_safe_close(dfd);
                return vs_error_syscall(w->err, "cannot list %s", name[0] ? name : "/");
        }
        _cleanup_strv_ char **names = calloc(1, sizeof(char *));
        size_t n = 0;
        struct dirent *de;
        while (names && (errno = 0, de = readdir(dir))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                char **grown = realloc(names, (n + 2) * sizeof(char *));
                if (!grown)
                        return vs_error_set(w->err, ENOMEM, "out of memory");
                names = grown;
                names[n + 1] = NULL;
                if (!(names[n++] = strdup(de->d_name)))
                        return vs_error_set(w->err, ENOMEM, "out of memory");
        }
        if (!names)
                return vs_error_set(w->err, ENOMEM, "out of memory");
        if (errno != 0)
                return vs_error_syscall(w->err, "cannot list %s", name[0] ? name : "/");
        qsort(names, n, sizeof(char *), compare_names);
        *ret = TAKE_PTR(names);
        return 0;
}

static int walk_tree(struct walker *w, int fd, const struct stat *st, const char *name, bool top_skipped)
{
        int r = top_skipped ? 0 : emit(w, fd, st, name);
        if (r < 0 || !S_ISDIR(st->st_mode))
                return r;
        _cleanup_strv_ char **names = NULL;
        bool skip = false;
        r = list_names(w, fd, name, &names, &skip);
        for (char **child = names; r == 0 && !skip && *child; child++) {
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s%s%s", name, name[0] ? "/" : "", *child) < 0)
                        return vs_error_set(w->err, ENOMEM, "out of memory");
                /* one component, not followed: a swapped-in symlink is copied as a symlink */
                _cleanup_close_ int cfd = openat(fd, *child, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                struct stat cst;
                if (cfd < 0 && errno == ENOENT)
                        continue; /* gone while we looked */
                if (cfd < 0 || fstat(cfd, &cst) < 0)
                        return vs_error_syscall(w->err, "cannot open %s", sub);
                r = walk_tree(w, cfd, &cst, sub, false);
        }
        return r;
}

int tree_walk(int rootfd, const char *path, const char *name, bool follow, struct tree_sink *sink, struct vs_error *err)
{
        struct walker w = {.sink = sink, .err = err, .buf = malloc(COPY_SIZE)};
        if (!w.buf)
                return vs_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int fd = vs_open_in_root(rootfd, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, err);
        struct stat st;
        int r = fd;
        if (fd >= 0)
                r = fstat(fd, &st) < 0 ? vs_error_syscall(err, "cannot stat %s", path) : 0;
        if (r == 0)
                r = walk_tree(&w, fd, &st, name, name[0] == '\0');
        for (size_t i = 0; i < w.n_inodes; i++)
                free(w.inodes[i].name);
        free(w.inodes);
        free(w.buf);
        return r < 0 ? r : 0;
}

/* --- a tar stream in ---------------------------------------------------- */

/* The entry's name made relative: no leading "/" or "./", no "." parts;
 * ".." is refused (it would climb out of the destination). */
static int clean_name(const char *name, char *out, size_t size, struct vs_error *err)
{
        size_t n = 0;
        out[0] = '\0';
        _cleanup_free_ char *copy = strdup(name);
        if (!copy)
                return vs_error_set(err, ENOMEM, "out of memory");
        char *save = NULL;
        for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
                if (strcmp(part, ".") == 0)
                        continue;
                if (strcmp(part, "..") == 0)
                        return vs_error_set(err, EINVAL, "tar entry %s: a path with \"..\" is refused", name);
                int w = snprintf(out + n, size - n, "%s%s", n ? "/" : "", part);
                if (w < 0 || (size_t) w >= size - n)
                        return vs_error_set(err, ENAMETOOLONG, "tar entry %s: name too long", name);
                n += (size_t) w;
        }
        return 0;
}

int tree_extract_stream(int in_fd, struct tree_sink *sink, struct vs_error *err)
{
        struct archive *a = archive_read_new();
        _cleanup_free_ char *buf = malloc(COPY_SIZE);
        if (!a || !buf) {
                if (a)
                        archive_read_free(a);
                return vs_error_set(err, ENOMEM, "out of memory");
        }
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        archive_read_support_filter_all(a);
        int r = archive_read_open_fd(a, in_fd, 64 << 10) == ARCHIVE_OK ? 0 : tar_failed(a, err, "read", "the tar");
        struct archive_entry *e;
        while (r == 0) {
                int h = archive_read_next_header(a, &e);
                if (h == ARCHIVE_EOF)
                        break;
                if (h < ARCHIVE_WARN) {
                        r = tar_failed(a, err, "read", "the tar");
                        break;
                }
                char name[PATH_MAX], link[PATH_MAX];
                r = clean_name(archive_entry_pathname(e), name, sizeof(name), err);
                if (r == 0 && archive_entry_hardlink(e))
                        r = clean_name(archive_entry_hardlink(e), link, sizeof(link), err);
                if (r < 0 || name[0] == '\0')
                        continue; /* the top directory itself: it exists */
                archive_entry_set_pathname(e, name);
                if (archive_entry_hardlink(e))
                        archive_entry_set_hardlink(e, link);
                r = sink_put(sink, e, -1, a, buf, err);
        }
        archive_read_free(a);
        return r;
}
