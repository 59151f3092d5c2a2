/* vessel: the copy-up of an image's content into a new (empty) volume, as
 * docker does on first use: every file with its owner, mode, timestamps
 * and extended attributes. Everything goes through directory fds and
 * O_NOFOLLOW, so a symlink in the image is copied as a symlink and never
 * followed out of the container's root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/volumes.h"
#include "util/cleanup.h"

#define MAX_DEPTH 512

static int copy_tree(int srcfd, int dstfd, int depth, struct vs_error *err);

/* Every extended attribute of src onto dst. A filesystem that has no
 * extended attributes of a namespace (ENOTSUP) is not an error. */
static int copy_xattrs(int src, int dst, const char *name, struct vs_error *err)
{
        char names[16384];
        ssize_t len = flistxattr(src, names, sizeof(names));
        if (len < 0)
                return errno == ENOTSUP ? 0 : vs_error_syscall(err, "cannot list the extended attributes of %s", name);
        for (char *n = names; n < names + len; n += strlen(n) + 1) {
                char value[65536];
                ssize_t vlen = fgetxattr(src, n, value, sizeof(value));
                if (vlen < 0)
                        return vs_error_syscall(err, "cannot read %s of %s", n, name);
                if (fsetxattr(dst, n, value, (size_t) vlen, 0) < 0 && errno != ENOTSUP)
                        return vs_error_syscall(err, "cannot set %s on %s", n, name);
        }
        return 0;
}

/* Owner, then mode (a chown clears set-id bits), attributes, times. */
static int copy_meta(int src, int dst, const struct stat *st, const char *name, struct vs_error *err)
{
        if (fchown(dst, st->st_uid, st->st_gid) < 0)
                return vs_error_syscall(err, "cannot change the owner of %s", name);
        if (fchmod(dst, st->st_mode & 07777) < 0)
                return vs_error_syscall(err, "cannot change the mode of %s", name);
        int r = copy_xattrs(src, dst, name, err);
        if (r < 0)
                return r;
        struct timespec times[2] = {st->st_atim, st->st_mtim};
        if (futimens(dst, times) < 0)
                return vs_error_syscall(err, "cannot set the times of %s", name);
        return 0;
}

static int copy_data(int src, int dst, const char *name, struct vs_error *err)
{
        for (;;) {
                ssize_t n = copy_file_range(src, NULL, dst, NULL, 1 << 30, 0);
                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
                        return vs_error_syscall(err, "cannot copy %s", name);
                break;
        }
        char buf[65536];
        ssize_t n;
        while ((n = read(src, buf, sizeof(buf))) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return vs_error_syscall(err, "cannot read %s", name);
                for (ssize_t done = 0; done < n;) {
                        ssize_t w = write(dst, buf + done, (size_t) (n - done));
                        if (w < 0 && errno != EINTR)
                                return vs_error_syscall(err, "cannot write %s", name);
                        done += w > 0 ? w : 0;
                }
        }
        return 0;
}

static int copy_file(int srcdir, int dstdir, const char *name, const struct stat *st, struct vs_error *err)
{
        _cleanup_close_ int src = openat(srcdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (src < 0)
                return vs_error_syscall(err, "cannot open %s", name);
        _cleanup_close_ int dst = openat(dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (dst < 0)
                return vs_error_syscall(err, "cannot make %s", name);
        int r = copy_data(src, dst, name, err);
        return r < 0 ? r : copy_meta(src, dst, st, name, err);
}

static int copy_dir(int srcdir, int dstdir, const char *name, const struct stat *st, int depth, struct vs_error *err)
{
        if (depth >= MAX_DEPTH)
                return vs_error_set(err, ELOOP, "cannot copy %s: more than %d directories deep", name, MAX_DEPTH);
        if (mkdirat(dstdir, name, 0700) < 0)
                return vs_error_syscall(err, "cannot make %s", name);
        _cleanup_close_ int src = openat(srcdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int dst = openat(dstdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (src < 0 || dst < 0)
                return vs_error_syscall(err, "cannot open %s", name);
        int r = copy_tree(src, dst, depth + 1, err);
        return r < 0 ? vs_error_wrap(err, "%s", name) : copy_meta(src, dst, st, name, err);
}

/* A symlink, device, fifo or socket: made anew, owner and times set on the
 * node itself (no fd to hold: a symlink cannot be opened, a fifo would block). */
static int copy_node(int srcdir, int dstdir, const char *name, const struct stat *st, struct vs_error *err)
{
        if (S_ISLNK(st->st_mode)) {
                char target[4096];
                ssize_t n = readlinkat(srcdir, name, target, sizeof(target) - 1);
                if (n < 0)
                        return vs_error_syscall(err, "cannot read the link %s", name);
                target[n] = '\0';
                if (symlinkat(target, dstdir, name) < 0)
                        return vs_error_syscall(err, "cannot make the link %s", name);
        } else if (mknodat(dstdir, name, st->st_mode & (S_IFMT | 0777), st->st_rdev) < 0) {
                return vs_error_syscall(err, "cannot make the node %s", name);
        }
        if (fchownat(dstdir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return vs_error_syscall(err, "cannot change the owner of %s", name);
        if (!S_ISLNK(st->st_mode) && fchmodat(dstdir, name, st->st_mode & 07777, 0) < 0)
                return vs_error_syscall(err, "cannot change the mode of %s", name);
        struct timespec times[2] = {st->st_atim, st->st_mtim};
        if (utimensat(dstdir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
                return vs_error_syscall(err, "cannot set the times of %s", name);
        return 0;
}

static int copy_tree(int srcfd, int dstfd, int depth, struct vs_error *err)
{
        int fd = dup(srcfd); /* fdopendir takes the fd: the caller keeps its own */
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                vs_safe_close(fd);
                return vs_error_syscall(err, "cannot read a directory");
        }
        _cleanup_closedir_ DIR *dir = d;
        rewinddir(dir);
        struct dirent *e;
        int r = 0;
        while (r == 0 && (errno = 0, e = readdir(dir))) {
                struct stat st;
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (fstatat(srcfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return vs_error_syscall(err, "cannot stat %s", e->d_name);
                if (S_ISDIR(st.st_mode))
                        r = copy_dir(srcfd, dstfd, e->d_name, &st, depth, err);
                else if (S_ISREG(st.st_mode))
                        r = copy_file(srcfd, dstfd, e->d_name, &st, err);
                else
                        r = copy_node(srcfd, dstfd, e->d_name, &st, err);
        }
        if (r == 0 && errno)
                return vs_error_syscall(err, "cannot read a directory");
        return r;
}

static bool is_empty(int dirfd)
{
        int fd = dup(dirfd);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                vs_safe_close(fd);
                return false;
        }
        struct dirent *e;
        bool empty = true;
        rewinddir(d); /* the dup shares the caller's offset */
        while (empty && (e = readdir(d)))
                empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        closedir(d);
        return empty;
}

static int copy_up_locked(int srcfd, int dstfd, struct vs_error *err)
{
        if (!is_empty(dstfd))
                return 0;
        struct stat st;
        if (fstat(srcfd, &st) < 0)
                return vs_error_syscall(err, "cannot stat the image's directory");
        int r = copy_tree(srcfd, dstfd, 0, err);
        if (r == 0)
                r = copy_meta(srcfd, dstfd, &st, ".", err);
        return r;
}

int vs_volume_copy_up(int srcfd, int dstfd, struct vs_error *err)
{
        /* Two first uses at once (two `run -v new:/data`) would both see the
         * volume empty: one copy would fail on the other's files (EEXIST),
         * or a container would start on half a copy. The lock on the data
         * directory makes the second wait, then find it full. flock, not a
         * lock file: nothing the container would see is added to the volume. */
        while (flock(dstfd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot lock the volume for its copy-up");
        int r = copy_up_locked(srcfd, dstfd, err);
        (void) flock(dstfd, LOCK_UN);
        return r;
}
