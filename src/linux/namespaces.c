#include "linux/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>

#include "util/cleanup.h"

int vs_ns_open(const char *path, enum vs_oci_ns_type type, struct vs_error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s namespace %s", vs_oci_ns_name(type), path);
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0)
                return vs_error_syscall(err, "cannot stat %s", path);
        /* A plain file, or a bind of one, is no namespace: refuse before setns. */
        if (sfs.f_type != NSFS_MAGIC)
                return vs_error_set(err, EINVAL, "%s is not a namespace", path);
        int kind = ioctl(fd, NS_GET_NSTYPE);
        if (kind < 0)
                return vs_error_syscall(err, "cannot read the type of namespace %s", path);
        if (kind != vs_oci_ns_clone_flag(type))
                return vs_error_set(err, EINVAL, "%s is not a %s namespace", path, vs_oci_ns_name(type));
        return TAKE_FD(fd);
}

int vs_ns_join(int fd, enum vs_oci_ns_type type, struct vs_error *err)
{
        if (setns(fd, vs_oci_ns_clone_flag(type)) < 0)
                return vs_error_syscall(err, "cannot join the %s namespace", vs_oci_ns_name(type));
        return 0;
}
