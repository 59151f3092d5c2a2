/* vessel: mounting a container root as an overlay of its image's layers.
 *
 * The new mount API first: fsopen("overlay"), one fsconfig "lowerdir+" per
 * layer (Linux 6.8), so a chain of any depth fits (an option string passed to
 * mount(2) is limited to one page). The first "lowerdir+" is the top layer,
 * as the leftmost entry of "lowerdir=a:b:c" is (Documentation/filesystems/
 * overlayfs.rst; the unit test proves the order on a merged view).
 *
 * Where the kernel lacks the new API or "lowerdir+", the classic option
 * string, in the shortest of three forms that fits a page: absolute paths;
 * paths relative to their common directory (the mount made by a child that
 * chdir()s there, so the caller's cwd is untouched, as podman mounts from
 * its "l/" short links); or, for the deepest chains, the numbers of fds open
 * on the layers, relative to /proc/self/fd. */
#include "image/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"

/* mount(2) copies at most one page of option data. */
#define MOUNT_DATA_MAX 4096

static int sys_fsopen(const char *fs, unsigned flags)
{
        return (int) syscall(SYS_fsopen, fs, flags);
}

static int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
        return (int) syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static int check_args(const char *const *lowerdirs, size_t n, const char *upper, const char *work, const char *target,
                      struct vs_error *err)
{
        if (n == 0)
                return vs_error_set(err, EINVAL, "cannot mount an overlay on %s: no lower layer", target);
        if (upper && !work)
                return vs_error_set(err, EINVAL, "cannot mount an overlay on %s: an upper dir needs a work dir",
                                    target);
        for (size_t i = 0; i < n; i++)
                if (!lowerdirs[i] || !lowerdirs[i][0])
                        return vs_error_set(err, EINVAL, "cannot mount an overlay on %s: lower layer %zu is empty",
                                            target, i);
        return 0;
}

/* The kernel's own words on a failed fsconfig ("e overlay: ..."), joined. */
static void fs_log(int fsfd, char *out, size_t size)
{
        size_t len = 0;
        out[0] = '\0';
        char msg[512];
        ssize_t n;
        while ((n = read(fsfd, msg, sizeof(msg) - 1)) > 0 && len + 4 < size) {
                while (n > 0 && msg[n - 1] == '\n')
                        n--;
                msg[n] = '\0';
                const char *text = n > 2 && msg[1] == ' ' ? msg + 2 : msg;
                len += (size_t) snprintf(out + len, size - len, "%s%s", len ? "; " : " (", text);
        }
        if (len > 0 && len + 1 < size)
                strcat(out, ")");
}

/* "key=value" becomes a string parameter, "key" a flag. */
static int config_options(int fsfd, const char *options)
{
        if (!options || !options[0])
                return 0;
        _cleanup_free_ char *copy = strdup(options);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(opt, '=');
                if (eq)
                        *eq = '\0';
                int r = eq ? sys_fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0)
                           : sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
                if (r < 0)
                        return -errno;
        }
        return 0;
}

/* Configure and create the superblock; `step` says what failed. Returns 1
 * when the kernel cannot do it this way (no new mount API, no "lowerdir+"):
 * the caller falls back. */
static int new_api_create(int fsfd, const char *const *lowerdirs, size_t n, const char *upper, const char *work,
                          const char *options, char *step, size_t step_size)
{
        for (size_t i = 0; i < n; i++) {
                snprintf(step, step_size, "lower layer %s", lowerdirs[i]);
                if (sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", lowerdirs[i], 0) < 0)
                        return i == 0 && errno == EINVAL ? 1 : -errno;
        }
        snprintf(step, step_size, "upper dir %s", upper ? upper : "");
        if (upper && sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0)
                return -errno;
        snprintf(step, step_size, "work dir %s", work ? work : "");
        if (work && upper && sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
                return -errno;
        snprintf(step, step_size, "options %s", options ? options : "");
        int r = config_options(fsfd, options);
        if (r < 0)
                return r;
        snprintf(step, step_size, "cannot create it");
        if (sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        return 0;
}

static int attach(int mntfd, const char *target, struct vs_error *err)
{
        if (syscall(SYS_move_mount, mntfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return vs_error_syscall(err, "cannot attach the overlay on %s", target);
        return 0;
}

/* Returns 1 to fall back to mount(2). */
static int mount_new_api(const char *const *lowerdirs, size_t n, const char *upper, const char *work,
                         const char *target, const char *options, struct vs_error *err)
{
        _cleanup_close_ int fsfd = sys_fsopen("overlay", FSOPEN_CLOEXEC);
        if (fsfd < 0) {
                if (errno == ENOSYS || errno == EPERM)
                        return 1; /* before 5.2, or filtered by seccomp */
                return vs_error_syscall(err, "cannot mount an overlay on %s: fsopen", target);
        }
        char step[PATH_MAX + 32] = "";
        int r = new_api_create(fsfd, lowerdirs, n, upper, work, options, step, sizeof(step));
        if (r > 0)
                return 1;
        if (r < 0) {
                char log[1024];
                fs_log(fsfd, log, sizeof(log));
                /* Before 6.5 overlay took fsconfig's parameters as one legacy
                 * option string and said nothing here: "lowerdir+" is
                 * refused only now, with EINVAL and no message. */
                if (r == -EINVAL && strcmp(step, "cannot create it") == 0 && log[0] == '\0')
                        return 1;
                return vs_error_errno(err, -r, "cannot mount an overlay on %s: %s%s", target, step, log);
        }
        _cleanup_close_ int mntfd = (int) syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, upper ? 0 : MOUNT_ATTR_RDONLY);
        if (mntfd < 0)
                return vs_error_syscall(err, "cannot mount an overlay on %s: fsmount", target);
        return attach(mntfd, target, err);
}

/* ---- the classic mount(2) option string ---- */

enum legacy_form {
        FORM_ABSOLUTE, /* the paths as given */
        FORM_RELATIVE, /* relative to their common directory */
        FORM_FDS,      /* fd numbers, relative to /proc/self/fd */
};

struct opt_buf {
        char data[MOUNT_DATA_MAX];
        size_t len;
        bool overflow;
};

/* Append text; with `escape`, the characters the option parser splits on. */
static void opt_add(struct opt_buf *b, const char *text, bool escape)
{
        for (const char *p = text; *p; p++) {
                if (b->len + 3 >= sizeof(b->data)) {
                        b->overflow = true;
                        return;
                }
                if (escape && (*p == ':' || *p == ',' || *p == '\\'))
                        b->data[b->len++] = '\\';
                b->data[b->len++] = *p;
        }
        b->data[b->len] = '\0';
}

/* The name of one layer in the given form. */
static void opt_add_dir(struct opt_buf *b, enum legacy_form form, const char *path, size_t base_len, int fd)
{
        char num[16];
        if (form == FORM_FDS) {
                snprintf(num, sizeof(num), "%d", fd);
                opt_add(b, num, false);
        } else if (form == FORM_RELATIVE) {
                opt_add(b, path[base_len] ? path + base_len + (path[base_len] == '/') : ".", true);
        } else {
                opt_add(b, path, true);
        }
}

struct legacy {
        const char *const *lowerdirs;
        size_t n;
        const char *upper, *work, *target, *options;
        /* FORM_RELATIVE: the common directory; FORM_FDS: the fds, upper's and
         * work's at n and n + 1. */
        char base[PATH_MAX];
        size_t base_len;
        int *fds;
};

static void build_options(const struct legacy *l, enum legacy_form form, struct opt_buf *b)
{
        b->len = 0;
        b->overflow = false;
        opt_add(b, "lowerdir=", false);
        for (size_t i = 0; i < l->n; i++) {
                if (i > 0)
                        opt_add(b, ":", false);
                opt_add_dir(b, form, l->lowerdirs[i], l->base_len, l->fds ? l->fds[i] : -1);
        }
        if (l->upper) {
                opt_add(b, ",upperdir=", false);
                opt_add_dir(b, form, l->upper, l->base_len, l->fds ? l->fds[l->n] : -1);
                opt_add(b, ",workdir=", false);
                opt_add_dir(b, form, l->work, l->base_len, l->fds ? l->fds[l->n + 1] : -1);
        }
        if (l->options && l->options[0]) {
                opt_add(b, ",", false);
                opt_add(b, l->options, false);
        }
}

static const char *legacy_path(const struct legacy *l, size_t i)
{
        return i < l->n ? l->lowerdirs[i] : i == l->n ? l->upper : l->work;
}

/* Whether every path has a directory boundary at `len`. */
static bool boundary_all(const struct legacy *l, size_t len)
{
        for (size_t i = 0; i < l->n + 2; i++) {
                const char *p = legacy_path(l, i);
                if (p && p[len] != '\0' && p[len] != '/')
                        return false;
        }
        return true;
}

/* The deepest directory every path lies in (all must be absolute). */
static bool common_base(struct legacy *l)
{
        const char *first = l->lowerdirs[0];
        size_t len = strlen(first);
        for (size_t i = 0; i < l->n + 2; i++) {
                const char *p = legacy_path(l, i);
                if (!p)
                        continue;
                if (p[0] != '/')
                        return false;
                size_t k = 0;
                while (k < len && p[k] == first[k])
                        k++;
                len = k;
        }
        /* Back to a whole directory: "/a/bc" and "/a/bd" share "/a". */
        while (len > 0 && !boundary_all(l, len))
                len--;
        if (len >= sizeof(l->base))
                return false;
        if (len == 0) {
                strcpy(l->base, "/");
        } else {
                memcpy(l->base, first, len);
                l->base[len] = '\0';
        }
        l->base_len = len;
        return true;
}

/* mount(2) from a child that first enters `dir`: the relative names in the
 * options are resolved there, and the caller's cwd stays as it was. The
 * child only makes async-signal-safe calls. */
static int mount_in_dir(const char *dir, const char *target, unsigned long flags, const char *data)
{
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (chdir(dir) < 0 || mount("overlay", target, "overlay", flags, data) < 0)
                        _exit(errno & 0xff);
                _exit(0);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status))
                return -EIO;
        return -WEXITSTATUS(status);
}

static void close_fds(int *fds, size_t n)
{
        for (size_t i = 0; fds && i < n; i++)
                vs_safe_close(fds[i]);
        free(fds);
}

/* Open every layer (O_PATH) and the target for the fd form. */
static int open_all(struct legacy *l, char target_path[64], struct vs_error *err)
{
        size_t count = l->n + 3;
        l->fds = malloc(count * sizeof(int));
        if (!l->fds)
                return vs_error_errno(err, ENOMEM, "cannot mount an overlay on %s", l->target);
        for (size_t i = 0; i < count; i++)
                l->fds[i] = -1;
        for (size_t i = 0; i < count; i++) {
                const char *p = i < l->n + 2 ? legacy_path(l, i) : l->target;
                if (!p)
                        continue;
                l->fds[i] = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (l->fds[i] < 0)
                        return vs_error_syscall(err, "cannot mount an overlay on %s: cannot open %s", l->target, p);
        }
        snprintf(target_path, 64, "/proc/self/fd/%d", l->fds[l->n + 2]);
        return 0;
}

/* mount(2) does not say which path is missing: find it. */
static int legacy_error(const struct legacy *l, int errnum, const char *how, struct vs_error *err)
{
        if (errnum == ENOENT || errnum == ENOTDIR)
                for (size_t i = 0; i < l->n + 3; i++) {
                        const char *p = i < l->n + 2 ? legacy_path(l, i) : l->target;
                        struct stat st;
                        if (p && stat(p, &st) < 0)
                                return vs_error_errno(err, errno, "cannot mount an overlay on %s: %s", l->target, p);
                }
        return vs_error_errno(err, errnum, "cannot mount an overlay on %s%s", l->target, how);
}

static int legacy_mount(struct legacy *l, struct vs_error *err)
{
        unsigned long flags = l->upper ? 0 : MS_RDONLY;
        struct opt_buf b;
        build_options(l, FORM_ABSOLUTE, &b);
        if (!b.overflow) {
                if (mount("overlay", l->target, "overlay", flags, b.data) < 0)
                        return legacy_error(l, errno, "", err);
                return 0;
        }
        int r;
        if (l->target[0] == '/' && common_base(l)) {
                build_options(l, FORM_RELATIVE, &b);
                if (!b.overflow) {
                        r = mount_in_dir(l->base, l->target, flags, b.data);
                        if (r < 0)
                                return legacy_error(l, -r, " (layers relative to their directory)", err);
                        return 0;
                }
        }
        char target_path[64];
        r = open_all(l, target_path, err);
        if (r < 0)
                return r;
        build_options(l, FORM_FDS, &b);
        if (b.overflow)
                return vs_error_set(err, E2BIG, "cannot mount an overlay on %s: %zu layers do not fit in a page",
                                    l->target, l->n);
        r = mount_in_dir("/proc/self/fd", target_path, flags, b.data);
        if (r < 0)
                return legacy_error(l, -r, " (layers by fd)", err);
        return 0;
}

/* One lower layer and no upper: overlay wants two layers at least, so the
 * layer itself is bind-mounted read-only. A base layer's whiteouts (if any)
 * then show as what they are, 0:0 devices; they have nothing to hide. */
static int mount_single(const char *lower, const char *target, struct vs_error *err)
{
        if (mount(lower, target, NULL, MS_BIND, NULL) < 0)
                return vs_error_syscall(err, "cannot bind %s on %s", lower, target);
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
                int r = vs_error_syscall(err, "cannot make %s read-only", target);
                (void) umount2(target, MNT_DETACH);
                return r;
        }
        return 0;
}

int vs_overlay_mount_legacy(const char *const *lowerdirs, size_t n, const char *upper, const char *work,
                            const char *target, const char *options, struct vs_error *err)
{
        int r = check_args(lowerdirs, n, upper, work, target, err);
        if (r < 0)
                return r;
        if (n == 1 && !upper)
                return mount_single(lowerdirs[0], target, err);
        struct legacy l = {
                .lowerdirs = lowerdirs, .n = n, .upper = upper, .work = work, .target = target, .options = options};
        r = legacy_mount(&l, err);
        close_fds(l.fds, n + 3);
        return r;
}

int vs_overlay_mount(const char *const *lowerdirs, size_t n, const char *upper, const char *work, const char *target,
                     const char *options, struct vs_error *err)
{
        int r = check_args(lowerdirs, n, upper, work, target, err);
        if (r < 0)
                return r;
        if (n == 1 && !upper)
                return mount_single(lowerdirs[0], target, err);
        r = mount_new_api(lowerdirs, n, upper, work, target, options, err);
        if (r <= 0)
                return r;
        return vs_overlay_mount_legacy(lowerdirs, n, upper, work, target, options, err);
}
