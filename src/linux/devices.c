#include "linux/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

/* The devices every container has (runtime-spec "Default Devices"). */
static const struct vs_oci_device default_devices[] = {
        {.type = 'c', .path = "/dev/null", .major = 1, .minor = 3, .file_mode = {true, 0666}},
        {.type = 'c', .path = "/dev/zero", .major = 1, .minor = 5, .file_mode = {true, 0666}},
        {.type = 'c', .path = "/dev/full", .major = 1, .minor = 7, .file_mode = {true, 0666}},
        {.type = 'c', .path = "/dev/random", .major = 1, .minor = 8, .file_mode = {true, 0666}},
        {.type = 'c', .path = "/dev/urandom", .major = 1, .minor = 9, .file_mode = {true, 0666}},
        {.type = 'c', .path = "/dev/tty", .major = 5, .minor = 0, .file_mode = {true, 0666}},
};

static int bind_host_device(int rootfd, const struct vs_oci_device *dev, struct vs_error *err)
{
        _cleanup_close_ int target = vs_mkdir_in_root(rootfd, dev->path, true, err);
        if (target < 0)
                return target;
        char fdpath[64];
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", target);
        /* Mount through the fd opened inside the root, never a re-resolved
         * path: a symlink swapped in meanwhile cannot redirect it (CVE-2021-30465). */
        if (mount(dev->path, fdpath, NULL, MS_BIND, NULL) < 0)
                return vs_error_syscall(err, "cannot bind-mount device %s", dev->path);
        return 0;
}

static int make_device(int rootfd, const struct vs_oci_device *dev, struct vs_error *err)
{
        mode_t kind = dev->type == 'b' ? S_IFBLK : dev->type == 'p' ? S_IFIFO : S_IFCHR;
        mode_t perm = dev->file_mode.set ? (mode_t) dev->file_mode.value & 07777 : 0666;
        dev_t devno = dev->type == 'p' ? 0 : makedev((unsigned) dev->major, (unsigned) dev->minor);

        const char *slash = strrchr(dev->path, '/');
        char parent[4096];
        snprintf(parent, sizeof(parent), "%.*s", slash == dev->path ? 1 : (int) (slash - dev->path), dev->path);
        _cleanup_close_ int pfd = vs_mkdir_in_root(rootfd, parent, false, err);
        if (pfd < 0)
                return pfd;
        /* An O_PATH fd serves as the dirfd of the *at() calls below. */
        int dir = pfd;
        (void) unlinkat(dir, slash + 1, 0);
        if (mknodat(dir, slash + 1, kind | perm, devno) < 0)
                return vs_error_syscall(err, "cannot create device %s", dev->path);
        /* mknod is subject to the umask; chmod gives the mode asked for. */
        if (fchmodat(dir, slash + 1, perm, 0) < 0)
                return vs_error_syscall(err, "cannot chmod device %s", dev->path);
        uid_t uid = dev->uid.set ? (uid_t) dev->uid.value : 0;
        gid_t gid = dev->gid.set ? (gid_t) dev->gid.value : 0;
        if (fchownat(dir, slash + 1, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return vs_error_syscall(err, "cannot chown device %s", dev->path);
        return 0;
}

static int create_one(int rootfd, const struct vs_oci_device *dev, bool bind_only, struct vs_error *err)
{
        int r = bind_only ? bind_host_device(rootfd, dev, err) : make_device(rootfd, dev, err);
        return r < 0 ? vs_error_wrap(err, "linux.devices") : 0;
}

static bool listed(const struct vs_oci_linux *linux_, const char *path)
{
        for (size_t i = 0; linux_ && i < linux_->n_devices; i++)
                if (strcmp(linux_->devices[i].path, path) == 0)
                        return true;
        return false;
}

int vs_devices_create(int rootfd, const struct vs_oci_config *config, bool bind_only, struct vs_error *err)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(default_devices); i++) {
                if (listed(config->linux_, default_devices[i].path))
                        continue; /* the config's own entry wins */
                int r = create_one(rootfd, &default_devices[i], bind_only, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; config->linux_ && i < config->linux_->n_devices; i++) {
                int r = create_one(rootfd, &config->linux_->devices[i], bind_only, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int vs_devices_links(int rootfd, struct vs_error *err)
{
        static const struct {
                const char *target, *link;
        } links[] = {
                {"/proc/self/fd", "dev/fd"},       {"/proc/self/fd/0", "dev/stdin"}, {"/proc/self/fd/1", "dev/stdout"},
                {"/proc/self/fd/2", "dev/stderr"}, {"pts/ptmx", "dev/ptmx"},
        };
        _cleanup_close_ int dev = vs_open_in_root(rootfd, "/dev", O_RDONLY | O_DIRECTORY, 0, err);
        if (dev < 0)
                return dev;
        for (size_t i = 0; i < VS_ARRAY_SIZE(links); i++) {
                const char *name = links[i].link + strlen("dev/");
                if (strcmp(name, "ptmx") == 0)
                        (void) unlinkat(dev, name, 0); /* the ptmx of the container's own devpts */
                if (symlinkat(links[i].target, dev, name) < 0 && errno != EEXIST)
                        return vs_error_syscall(err, "cannot create /%s", links[i].link);
        }
        if (faccessat(AT_FDCWD, "/proc/kcore", F_OK, 0) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 &&
            errno != EEXIST)
                return vs_error_syscall(err, "cannot create /dev/core");
        return 0;
}
