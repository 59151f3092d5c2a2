#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/devices.h"
#include "linux/mounts.h"
#include "oci/mount_options.h"
#include "util/cleanup.h"
#include "util/files.h"

static unsigned long root_propagation(const struct vs_oci_config *config)
{
        const char *p = config->linux_ ? config->linux_->rootfs_propagation : NULL;
        struct vs_oci_mount_option_info info;
        if (p && vs_oci_mount_option_lookup(p, &info) && info.kind == VS_OCI_MOUNT_OPT_PROPAGATION)
                return info.flags;
        return 0;
}

static bool dev_is_bound(const struct vs_oci_config *config)
{
        for (size_t i = 0; i < config->n_mounts; i++) {
                const struct vs_oci_mount *m = &config->mounts[i];
                if (strcmp(m->destination, "/dev") != 0)
                        continue;
                struct vs_mount_plan plan;
                struct vs_error ignored = VS_ERROR_INIT;
                if (vs_mount_plan_parse(m, &plan, &ignored) < 0) {
                        vs_error_ignore(&ignored);
                        return false;
                }
                return plan.bind;
        }
        return false;
}

int vs_rootfs_prepare(const struct vs_oci_config *config, const struct vs_rootfs_options *opts, struct vs_error *err)
{
        /* Nothing mounted in here may propagate back to the host: make the
         * whole tree a slave first (or private, if asked for). Shared
         * propagation, if asked for, is applied to the new root at the end. */
        unsigned long prop = root_propagation(config);
        unsigned long first = (prop & (MS_PRIVATE | MS_UNBINDABLE)) ? MS_PRIVATE : MS_SLAVE;
        if (mount(NULL, "/", NULL, MS_REC | first, NULL) < 0)
                return vs_error_syscall(err, "cannot make / a slave mount");
        /* pivot_root needs the new root to be a mount point. */
        if (mount(opts->rootfs, opts->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return vs_error_syscall(err, "cannot bind the root %s", opts->rootfs);
        _cleanup_close_ int rootfd = open(opts->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return vs_error_syscall(err, "cannot open the root %s", opts->rootfs);

        struct vs_mount_context ctx = {
                .rootfd = rootfd,
                .in_user_ns = opts->in_user_ns,
                .new_cgroup_ns = opts->new_cgroup_ns,
                .cgroup_dirs = opts->cgroup_dirs,
        };
        int r = vs_mounts_apply(&ctx, config, err);
        if (r < 0)
                return r;
        if (!dev_is_bound(config)) {
                r = vs_devices_create(rootfd, config, opts->in_user_ns, err);
                if (r == 0)
                        r = vs_devices_links(rootfd, err);
        }
        return r;
}

static int chroot_into(const char *rootfs, struct vs_error *err)
{
        if (chdir(rootfs) < 0)
                return vs_error_syscall(err, "cannot chdir to %s", rootfs);
        if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
                return vs_error_syscall(err, "cannot move the root %s to /", rootfs);
        if (chroot(".") < 0)
                return vs_error_syscall(err, "cannot chroot to %s", rootfs);
        if (chdir("/") < 0)
                return vs_error_syscall(err, "cannot chdir to /");
        return 0;
}

int vs_rootfs_pivot(const struct vs_rootfs_options *opts, struct vs_error *err)
{
        if (opts->no_pivot)
                return chroot_into(opts->rootfs, err);
        _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int newroot = open(opts->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (oldroot < 0 || newroot < 0)
                return vs_error_syscall(err, "cannot open the roots for pivot_root");
        if (fchdir(newroot) < 0)
                return vs_error_syscall(err, "cannot chdir to %s", opts->rootfs);
        /* pivot_root(".", "."): the old root is stacked under the new one and
         * detached below, so no directory for it is needed in the image. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return vs_error_syscall(err, "pivot_root into %s", opts->rootfs);
        if (fchdir(oldroot) < 0)
                return vs_error_syscall(err, "cannot chdir to the old root");
        /* The old root's mounts are slaves already; make sure the unmount
         * cannot propagate to the host before detaching it. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return vs_error_syscall(err, "cannot make the old root a slave");
        if (umount2(".", MNT_DETACH) < 0)
                return vs_error_syscall(err, "cannot detach the old root");
        if (chdir("/") < 0)
                return vs_error_syscall(err, "cannot chdir to the new root");
        return 0;
}

/* CVE-2025-31133: /dev/null may be anything the image or a bound /dev put
 * there (a symlink to a host file, a regular file). Masking binds it, so it
 * must be the 1:3 character device, and it is bound from this fd. */
static int open_dev_null(struct vs_error *err)
{
        _cleanup_close_ int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "linux.maskedPaths: cannot open /dev/null");
        struct stat st;
        if (fstat(fd, &st) < 0)
                return vs_error_syscall(err, "linux.maskedPaths: cannot inspect /dev/null");
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
                return vs_error_set(err, EPERM, "linux.maskedPaths: /dev/null is not the null device (1:3)");
        return TAKE_FD(fd);
}

/* CVE-2019-16884: a path masked under /proc must be on procfs, or the mask
 * would hide a fake file while the real one stays reachable. */
static int check_on_procfs(int fd, const char *path, struct vs_error *err)
{
        struct statfs sfs;
        if (strncmp(path, "/proc/", 6) != 0)
                return 0;
        if (fstatfs(fd, &sfs) < 0)
                return vs_error_syscall(err, "linux.maskedPaths: cannot inspect %s", path);
        if (sfs.f_type != PROC_SUPER_MAGIC)
                return vs_error_set(err, EPERM, "linux.maskedPaths: %s is not on procfs", path);
        return 0;
}

/* A masked directory gets an empty read-only tmpfs; a masked file, /dev/null. */
static int mask_path(const char *path, int *null_fd, struct vs_error *err)
{
        _cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return vs_error_syscall(err, "linux.maskedPaths: cannot open %s", path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return vs_error_syscall(err, "linux.maskedPaths: cannot stat %s", path);
        int r = check_on_procfs(fd, path, err);
        if (r < 0)
                return r;
        char target[32], source[32];
        snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
        if (S_ISDIR(st.st_mode)) {
                if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0k") < 0)
                        return vs_error_syscall(err, "linux.maskedPaths: cannot mask %s", path);
                return 0;
        }
        if (*null_fd < 0 && (*null_fd = open_dev_null(err)) < 0)
                return *null_fd;
        snprintf(source, sizeof(source), "/proc/self/fd/%d", *null_fd);
        if (mount(source, target, NULL, MS_BIND, NULL) < 0)
                return vs_error_syscall(err, "linux.maskedPaths: cannot mask %s", path);
        return 0;
}

static int readonly_path(const char *path, struct vs_error *err)
{
        _cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return vs_error_syscall(err, "linux.readonlyPaths: cannot open %s", path);
        }
        char target[32];
        snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
        if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return vs_error_syscall(err, "linux.readonlyPaths: cannot bind %s", path);
        /* The fd still names the directory under the new bind: reopen it. */
        _cleanup_close_ int mnt = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (mnt < 0)
                return vs_error_syscall(err, "linux.readonlyPaths: cannot open %s", path);
        snprintf(target, sizeof(target), "/proc/self/fd/%d", mnt);
        int r = vs_mount_remount_ro(target, err);
        return r < 0 ? vs_error_wrap(err, "linux.readonlyPaths") : 0;
}

int vs_rootfs_finish(const struct vs_oci_config *config, struct vs_error *err)
{
        const struct vs_oci_linux *l = config->linux_;
        for (char **p = l ? l->readonly_paths : NULL; p && *p; p++) {
                int r = readonly_path(*p, err);
                if (r < 0)
                        return r;
        }
        _cleanup_close_ int null_fd = -1;
        for (char **p = l ? l->masked_paths : NULL; p && *p; p++) {
                int r = mask_path(*p, &null_fd, err);
                if (r < 0)
                        return r;
        }
        if (config->root_readonly) {
                int r = vs_mount_remount_ro("/", err);
                if (r < 0)
                        return vs_error_wrap(err, "root.readonly");
        }
        unsigned long prop = root_propagation(config);
        if (prop && mount(NULL, "/", NULL, prop, NULL) < 0)
                return vs_error_syscall(err, "linux.rootfsPropagation: cannot apply %s", l->rootfs_propagation);
        return 0;
}
