/* vessel: network namespaces kept at a path (see netns.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/netlink.h"
#include "net/netns.h"
#include "util/cleanup.h"

/* The child: a new network namespace, bound on path. Its exit status is an errno. */
static int child_main(const char *path)
{
        if (unshare(CLONE_NEWNET) < 0)
                return errno;
        if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                return errno;
        /* its links' IPv6 addresses usable at once (best effort: no IPv6, a read-only /proc/sys) */
        int fd = open("/proc/sys/net/ipv6/conf/default/accept_dad", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                if (write(fd, "0", 1) < 0) {
                        /* addresses are added without DAD anyway (IFA_F_NODAD) */
                }
                close(fd);
        }
        return 0;
}

static int lo_up(const char *path, struct vs_error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", path);
        struct vs_nl *nl = NULL;
        int r = vs_nl_open(fd, &nl, err);
        if (r < 0)
                return r;
        int lo = vs_nl_link_index(nl, "lo");
        r = lo < 0 ? vs_error_errno(err, -lo, "no loopback link in %s", path)
                   : vs_nl_link_set(nl, lo, &(struct vs_nl_link_change){.up = true}, err);
        vs_nl_close(nl);
        return r;
}

int vs_netns_create(const char *path, struct vs_error *err)
{
        int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (fd < 0)
                return vs_error_syscall(err, "cannot create %s", path);
        close(fd);
        pid_t pid = fork();
        if (pid < 0) {
                unlink(path);
                return vs_error_syscall(err, "cannot fork");
        }
        if (pid == 0)
                _exit(child_main(path));
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                int e = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
                unlink(path);
                return vs_error_errno(err, e, "cannot make a network namespace at %s", path);
        }
        int r = lo_up(path, err);
        if (r < 0)
                vs_netns_remove(path);
        return r;
}

void vs_netns_remove(const char *path)
{
        while (umount2(path, MNT_DETACH) == 0)
                ;
        unlink(path);
}
