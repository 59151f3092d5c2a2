#include "util/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define READ_MAX_DEFAULT (64u << 20)

int vs_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len, struct vs_error *err)
{
        if (max == 0)
                max = READ_MAX_DEFAULT;
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", path);
        /* Room for max + 1 bytes: reading one byte past the limit tells a
         * file of exactly `max` bytes from a larger one. */
        size_t cap = max < 4096 ? max + 1 : 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return vs_error_errno(err, ENOMEM, "cannot read %s", path);
        for (;;) {
                if (len == cap) {
                        if (cap > max)
                                return vs_error_set(err, EFBIG, "cannot read %s: larger than %zu bytes", path, max);
                        cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
                        char *n = realloc(buf, cap + 1);
                        if (!n)
                                return vs_error_errno(err, ENOMEM, "cannot read %s", path);
                        buf = n;
                }
                ssize_t r = read(fd, buf + len, cap - len);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return vs_error_syscall(err, "cannot read %s", path);
                }
                if (r == 0)
                        break;
                len += (size_t) r;
        }
        if (len > max)
                return vs_error_set(err, EFBIG, "cannot read %s: larger than %zu bytes", path, max);
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int vs_read_file(const char *path, char **ret, size_t *ret_len, struct vs_error *err)
{
        return vs_read_file_at(AT_FDCWD, path, 0, ret, ret_len, err);
}

int vs_write_existing_at(int dirfd, const char *path, const char *data, size_t len, struct vs_error *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", path);
        ssize_t w = write(fd, data, len);
        if (w < 0)
                return vs_error_syscall(err, "cannot write to %s", path);
        if ((size_t) w != len)
                return vs_error_set(err, EIO, "cannot write to %s: short write", path);
        return 0;
}

bool vs_write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return false;
                p += w;
                len -= (size_t) w;
        }
        return true;
}

int vs_write_existing(const char *path, const char *data, struct vs_error *err)
{
        return vs_write_existing_at(AT_FDCWD, path, data, strlen(data), err);
}

static int write_and_rename(int dirfd, const char *name, const char *data, size_t len, mode_t mode, bool durable,
                            struct vs_error *err)
{
        char tmp[PATH_MAX];
        if (snprintf(tmp, sizeof(tmp), ".%s.tmp%d", name, (int) getpid()) >= (int) sizeof(tmp))
                return vs_error_set(err, ENAMETOOLONG, "cannot write %s: name too long", name);
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return vs_error_syscall(err, "cannot create %s", tmp);
        size_t off = 0;
        while (off < len) {
                ssize_t w = write(fd, data + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0) {
                        int r = vs_error_syscall(err, "cannot write %s", tmp);
                        (void) unlinkat(dirfd, tmp, 0);
                        return r;
                }
                off += (size_t) w;
        }
        if ((durable && fsync(fd) < 0) || renameat(dirfd, tmp, dirfd, name) < 0) {
                int r = vs_error_syscall(err, "cannot store %s", name);
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 0;
}

int vs_write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode, struct vs_error *err)
{
        return write_and_rename(dirfd, name, data, len, mode, true, err);
}

int vs_write_file_replace(int dirfd, const char *name, const char *data, size_t len, mode_t mode, struct vs_error *err)
{
        return write_and_rename(dirfd, name, data, len, mode, false, err);
}

static int openat2_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .mode = (flags & O_CREAT) ? mode : 0,
                /* Mounts made earlier in the same root (a tmpfs on /dev, then
                 * /dev/shm) may be crossed: they are ours. Magic links may not. */
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        for (int tries = 0; tries < 32; tries++) {
                int fd = (int) syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
                if (fd >= 0 || errno != EAGAIN)
                        return fd;
        }
        errno = EAGAIN;
        return -1;
}

int vs_open_in_root(int rootfd, const char *path, int flags, mode_t mode, struct vs_error *err)
{
        int fd = openat2_in_root(rootfd, path, flags, mode);
        if (fd >= 0)
                return fd;
        /* openat2 is missing (before 5.6) or filtered by a seccomp profile: walk by hand. */
        if (errno == ENOSYS || errno == EPERM)
                return vs_open_in_root_fallback(rootfd, path, flags, mode, err);
        return vs_error_syscall(err, "cannot open %s in the container's root", path);
}

/* The fallback walk. Directories are kept as a stack of O_PATH fds with the
 * root at the bottom: ".." pops it and never goes below the root, so no
 * ".." is ever opened; each component is opened with O_NOFOLLOW; a symlink
 * is read and its target spliced in front of the rest of the path (an
 * absolute one restarting at the root). */
struct dir_stack {
        int fds[256];
        size_t n;
};

static void stack_pop_to(struct dir_stack *st, size_t n)
{
        while (st->n > n)
                vs_safe_close(st->fds[--st->n]);
}

static int splice_link(char *rest, size_t restsz, const char *target, const char *after)
{
        char joined[PATH_MAX];
        int n = snprintf(joined, sizeof(joined), "%s%s%s", target, *after ? "/" : "", after);
        if (n < 0 || (size_t) n >= sizeof(joined) || (size_t) n >= restsz)
                return -ENAMETOOLONG;
        memcpy(rest, joined, (size_t) n + 1);
        return 0;
}

/* One component: ".", "..", a symlink to splice, a directory to enter, or
 * the last name to open. Returns 1 when *ret_fd holds the result. */
static int walk_component(struct dir_stack *st, char *rest, char **pos, int *links, int flags, mode_t mode,
                          bool want_dir, int *ret_fd)
{
        char *p = *pos, name[NAME_MAX + 1];
        size_t len = strcspn(p, "/");
        if (len > NAME_MAX)
                return -ENAMETOOLONG;
        memcpy(name, p, len);
        name[len] = '\0';
        p += len;
        while (*p == '/')
                p++;
        bool last = *p == '\0';
        *pos = p;
        if (strcmp(name, ".") == 0)
                return 0;
        if (strcmp(name, "..") == 0) {
                stack_pop_to(st, st->n > 1 ? st->n - 1 : 1);
                return 0;
        }
        int top = st->fds[st->n - 1];
        if (!last || !(flags & O_NOFOLLOW)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(top, name, target, sizeof(target) - 1);
                if (n >= 0) {
                        if (++*links > 40)
                                return -ELOOP;
                        target[n] = '\0';
                        if (target[0] == '/')
                                stack_pop_to(st, 1);
                        char after[PATH_MAX];
                        snprintf(after, sizeof(after), "%s", p);
                        int r = splice_link(rest, PATH_MAX, target, after);
                        *pos = rest;
                        return r;
                }
                if (errno != EINVAL && !(errno == ENOENT && last))
                        return -errno;
        }
        if (last) {
                int fd = openat(top, name, flags | O_NOFOLLOW | O_CLOEXEC | (want_dir ? O_DIRECTORY : 0), mode);
                if (fd < 0)
                        return -errno;
                *ret_fd = fd;
                return 1;
        }
        if (st->n == VS_ARRAY_SIZE(st->fds))
                return -ENAMETOOLONG;
        int fd = openat(top, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        st->fds[st->n++] = fd;
        return 0;
}

int vs_open_in_root_fallback(int rootfd, const char *path, int flags, mode_t mode, struct vs_error *err)
{
        size_t plen = strlen(path);
        if (plen == 0)
                return vs_error_errno(err, ENOENT, "cannot open \"\" in the container's root");
        char rest[PATH_MAX];
        if (plen >= sizeof(rest))
                return vs_error_errno(err, ENAMETOOLONG, "cannot open %s in the container's root", path);
        memcpy(rest, path, plen + 1);
        bool want_dir = path[plen - 1] == '/'; /* "file/" must be a directory, as openat2 says */
        struct dir_stack st = {.n = 0};
        st.fds[st.n] = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (st.fds[st.n] < 0)
                return vs_error_syscall(err, "cannot open the root");
        st.n++;
        char *pos = rest;
        int links = 0, fd = -1, r = 0;
        while (r == 0) {
                while (*pos == '/')
                        pos++;
                if (*pos == '\0') {
                        /* The path ended on the directory itself ("/", "a/..", "dir/."). */
                        fd = openat(st.fds[st.n - 1], ".", flags | O_CLOEXEC, mode);
                        r = fd < 0 ? -errno : 1;
                        break;
                }
                r = walk_component(&st, rest, &pos, &links, flags, mode, want_dir, &fd);
        }
        stack_pop_to(&st, 0);
        if (r < 0)
                return vs_error_errno(err, -r, "cannot open %s in the container's root", path);
        return fd;
}

int vs_mkdir_in_root(int rootfd, const char *path, bool last_is_file, struct vs_error *err)
{
        int fd = vs_open_in_root(rootfd, path, O_PATH, 0, err);
        if (fd >= 0 || err->code != ENOENT)
                return fd;
        vs_error_ignore(err);

        char parent[PATH_MAX];
        if (snprintf(parent, sizeof(parent), "%s", path) >= (int) sizeof(parent))
                return vs_error_errno(err, ENAMETOOLONG, "cannot create %s", path);
        size_t l = strlen(parent);
        while (l > 1 && parent[l - 1] == '/')
                parent[--l] = '\0';
        char *slash = strrchr(parent, '/');
        const char *name = slash ? slash + 1 : parent;
        char namebuf[NAME_MAX + 1];
        snprintf(namebuf, sizeof(namebuf), "%s", name);
        if (slash == parent)
                parent[1] = '\0';
        else if (slash)
                *slash = '\0';
        else
                strcpy(parent, ".");

        _cleanup_close_ int pfd = vs_mkdir_in_root(rootfd, parent, false, err);
        if (pfd < 0)
                return pfd;
        if (last_is_file) {
                int f = openat(pfd, namebuf, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (f < 0 && errno != EEXIST)
                        return vs_error_syscall(err, "cannot create %s", path);
                vs_safe_close(f);
        } else if (mkdirat(pfd, namebuf, 0755) < 0 && errno != EEXIST) {
                return vs_error_syscall(err, "cannot create directory %s", path);
        }
        /* Reopen through the root: whatever now stands there is resolved inside it. */
        return vs_open_in_root(rootfd, path, O_PATH, 0, err);
}

static int remove_tree_fd(int dfd, struct vs_error *err)
{
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                vs_safe_close(dfd);
                return vs_error_syscall(err, "cannot list directory");
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno == ENOENT)
                        continue;
                if (errno != EISDIR)
                        return vs_error_syscall(err, "cannot remove %s", de->d_name);
                int r = vs_remove_tree_at(dirfd(d), de->d_name, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int vs_remove_tree_at(int dirfd, const char *name, struct vs_error *err)
{
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return vs_error_syscall(err, "cannot open %s", name);
        }
        int r = remove_tree_fd(fd, err);
        if (r < 0)
                return vs_error_wrap(err, "cannot remove %s", name);
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return vs_error_syscall(err, "cannot remove %s", name);
        return 0;
}
