/* vessel-procfs: after a restart, bring the files back in running containers.
 *
 * A container's /proc/meminfo is a bind of a file of this FUSE mount. When
 * the daemon dies the kernel aborts the connection: reads fail at once with
 * ENOTCONN (they never hang). A new daemon's mount is a new superblock that
 * the old binds, made in each container's own mount namespace, never see.
 * So the new daemon finds them (each mount namespace's mountinfo lists
 * mounts of type fuse.vessel-procfs whose source is this instance's fsname,
 * on another device than the fresh mount), and in a child that joins that
 * namespace it detaches each stale bind and attaches a clone of the fresh
 * file in its place (open_tree in the host's namespace, move_mount in the
 * container's: a bind from another namespace is refused by mount(2)). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "procfs/binds.h"

/* In a child: clone the fresh files, join the namespace, swap the binds. */
static int swap_in_namespace(const char *mountpoint, pid_t pid, const struct vs_procfs_bind *s, size_t n)
{
        pid_t child = fork();
        if (child < 0)
                return -errno;
        if (child == 0) {
                int fds[VS_PROCFS_BINDS_MAX];
                char path[64];
                int top = open(mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
                for (size_t i = 0; i < n; i++) /* root is "/proc/meminfo": relative to the mount */
                        fds[i] = open_tree(top, s[i].root + 1, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) pid);
                int ns = open(path, O_RDONLY | O_CLOEXEC);
                if (ns < 0 || setns(ns, CLONE_NEWNS) < 0)
                        _exit(100);
                int failed = 0;
                for (size_t i = 0; i < n; i++) {
                        (void) umount2(s[i].target, MNT_DETACH); /* the stale one: nothing to flush */
                        failed += fds[i] < 0 ||
                                  move_mount(fds[i], "", AT_FDCWD, s[i].target, MOVE_MOUNT_F_EMPTY_PATH) < 0;
                }
                _exit(failed);
        }
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

struct rebind {
        const char *mountpoint;
        dev_t fresh;
        int done, failed;
};

static int rebind_namespace(pid_t pid, const struct vs_procfs_bind *b, size_t n, void *data)
{
        struct rebind *rb = data;
        struct vs_procfs_bind stale[VS_PROCFS_BINDS_MAX];
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (b[i].dev != rb->fresh)
                        stale[k++] = b[i];
        if (k == 0)
                return 0;
        if (swap_in_namespace(rb->mountpoint, pid, stale, k) < 0)
                rb->failed++;
        else
                rb->done += (int) k;
        return 0;
}

int rebind_stale(const char *mountpoint, const char *fsname, struct vs_error *err)
{
        struct stat fresh;
        if (stat(mountpoint, &fresh) < 0)
                return vs_error_syscall(err, "cannot inspect %s", mountpoint);
        struct rebind rb = {.mountpoint = mountpoint, .fresh = fresh.st_dev};
        int r = vs_procfs_binds_walk(fsname, rebind_namespace, &rb, err);
        if (r < 0)
                return r;
        if (rb.failed)
                return vs_error_set(err, EIO, "cannot bind %s again in %d mount namespaces", mountpoint, rb.failed);
        return rb.done;
}
