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
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return vs_error_errno(err, ENOMEM, "cannot read %s", path);
        for (;;) {
                if (len == cap) {
                        if (cap >= max)
                                return vs_error_set(err, EFBIG, "cannot read %s: larger than %zu bytes", path, max);
                        cap = cap * 2 > max ? max : cap * 2;
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

int vs_write_existing(const char *path, const char *data, struct vs_error *err)
{
        return vs_write_existing_at(AT_FDCWD, path, data, strlen(data), err);
}

int vs_write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
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
        if (fsync(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
                int r = vs_error_syscall(err, "cannot store %s", name);
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 0;
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

/* The fallback walk: one component at a time with O_NOFOLLOW; a symlink is
 * read and its target spliced into the rest of the path, absolute targets
 * restarting at rootfd; ".." never climbs above rootfd. */
static int walk_step(int rootfd, int *curfd, char *work, size_t worksz, char **rest, int *links,
                     struct vs_error *err)
{
        char *comp = *rest;
        char *slash = strchr(comp, '/');
        if (slash)
                *slash = '\0';
        char *next = slash ? slash + 1 : comp + strlen(comp);
        if (comp[0] == '\0' || strcmp(comp, ".") == 0) {
                *rest = next;
                return 0;
        }
        if (strcmp(comp, "..") == 0) {
                struct stat a, b;
                if (fstat(*curfd, &a) == 0 && fstat(rootfd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
                        *rest = next; /* ".." at the root stays at the root */
                        return 0;
                }
        }
        char target[PATH_MAX];
        ssize_t n = readlinkat(*curfd, comp, target, sizeof(target) - 1);
        if (n >= 0) {
                if (++*links > 40)
                        return vs_error_errno(err, ELOOP, "cannot resolve %s", comp);
                target[n] = '\0';
                char joined[PATH_MAX];
                if (snprintf(joined, sizeof(joined), "%s/%s", target, next) >= (int) sizeof(joined))
                        return vs_error_errno(err, ENAMETOOLONG, "cannot resolve %s", comp);
                if (strlen(joined) >= worksz)
                        return vs_error_errno(err, ENAMETOOLONG, "cannot resolve %s", comp);
                strcpy(work, joined);
                if (target[0] == '/') {
                        int nfd = openat(rootfd, ".", O_PATH | O_CLOEXEC | O_DIRECTORY);
                        if (nfd < 0)
                                return vs_error_syscall(err, "cannot reopen the root");
                        vs_safe_close(*curfd);
                        *curfd = nfd;
                }
                *rest = work;
                return 0;
        }
        if (errno != EINVAL && errno != ENOENT)
                return vs_error_syscall(err, "cannot resolve %s", comp);
        if (errno == ENOENT)
                return vs_error_errno(err, ENOENT, "cannot resolve %s", comp);
        int nfd = openat(*curfd, comp, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (nfd < 0)
                return vs_error_syscall(err, "cannot open %s", comp);
        vs_safe_close(*curfd);
        *curfd = nfd;
        *rest = next;
        return 0;
}

int vs_open_in_root_fallback(int rootfd, const char *path, int flags, mode_t mode, struct vs_error *err)
{
        char work[PATH_MAX], dirpart[PATH_MAX];
        if (strlen(path) >= sizeof(work))
                return vs_error_errno(err, ENAMETOOLONG, "cannot open %s", path);
        /* Walk the directories; the last component is opened with the caller's flags. */
        strcpy(dirpart, path);
        size_t l = strlen(dirpart);
        while (l > 1 && dirpart[l - 1] == '/')
                dirpart[--l] = '\0';
        char *last = strrchr(dirpart, '/');
        const char *base = last ? last + 1 : dirpart;
        if (last)
                *last = '\0';
        else
                dirpart[0] = '\0';
        strcpy(work, dirpart);
        char lastname[NAME_MAX + 1];
        snprintf(lastname, sizeof(lastname), "%s", base);

        _cleanup_close_ int cur = openat(rootfd, ".", O_PATH | O_CLOEXEC | O_DIRECTORY);
        if (cur < 0)
                return vs_error_syscall(err, "cannot open the root");
        char *rest = work;
        int links = 0;
        for (;;) {
                while (*rest) {
                        int r = walk_step(rootfd, &cur, work, sizeof(work), &rest, &links, err);
                        if (r < 0)
                                return vs_error_wrap(err, "cannot open %s in the container's root", path);
                }
                if (lastname[0] == '\0' || strcmp(lastname, ".") == 0) {
                        int fd = openat(cur, ".", flags | O_CLOEXEC, mode);
                        if (fd < 0)
                                return vs_error_syscall(err, "cannot open %s", path);
                        return fd;
                }
                char target[PATH_MAX];
                ssize_t n = readlinkat(cur, lastname, target, sizeof(target) - 1);
                if (n < 0 || (flags & O_NOFOLLOW)) {
                        int fd = openat(cur, lastname, flags | O_CLOEXEC | O_NOFOLLOW, mode);
                        if (fd < 0)
                                return vs_error_syscall(err, "cannot open %s in the container's root", path);
                        return fd;
                }
                if (++links > 40)
                        return vs_error_errno(err, ELOOP, "cannot open %s in the container's root", path);
                /* The last component is a symlink: resolve its target the same way. */
                target[n] = '\0';
                strcpy(work, target);
                char *ls = strrchr(work, '/');
                snprintf(lastname, sizeof(lastname), "%s", ls ? ls + 1 : work);
                if (ls)
                        *ls = '\0';
                else
                        work[0] = '\0';
                if (target[0] == '/') {
                        int nfd = openat(rootfd, ".", O_PATH | O_CLOEXEC | O_DIRECTORY);
                        if (nfd < 0)
                                return vs_error_syscall(err, "cannot reopen the root");
                        vs_safe_close(cur);
                        cur = nfd;
                }
                rest = work;
        }
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
