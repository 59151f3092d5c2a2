#include "linux/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/files.h"

static bool apparmor_enabled(void)
{
        char buf[4] = "";
        int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        return n > 0 && buf[0] == 'Y';
}

static bool selinux_enabled(void)
{
        return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int vs_lsm_check(const struct vs_oci_process *p, const struct vs_oci_linux *l, struct vs_error *err)
{
        if (p && p->apparmor_profile && p->apparmor_profile[0] && !apparmor_enabled())
                return vs_error_set(err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled on this host");
        if (p && p->selinux_label && p->selinux_label[0] && !selinux_enabled())
                return vs_error_set(err, ENOTSUP, "process.selinuxLabel: SELinux is not enabled on this host");
        if (l && l->mount_label && l->mount_label[0] && !selinux_enabled())
                return vs_error_set(err, ENOTSUP, "linux.mountLabel: SELinux is not enabled on this host");
        if (l && l->mount_label && l->mount_label[0])
                return vs_error_set(err, ENOTSUP, "linux.mountLabel: SELinux mount labels are not supported yet");
        return 0;
}

/* The label takes effect at the next execve, set through the task's own
 * attr files: the per-LSM file first (kernel 5.8+), then the shared one. */
static int write_exec_attr(const char *lsm_file, const char *value, const char *field, struct vs_error *err)
{
        int r = vs_write_existing_at(AT_FDCWD, lsm_file, value, strlen(value), err);
        if (r < 0 && err->code == ENOENT) {
                vs_error_ignore(err);
                r = vs_write_existing_at(AT_FDCWD, "/proc/thread-self/attr/exec", value, strlen(value), err);
        }
        return r < 0 ? vs_error_wrap(err, "%s", field) : 0;
}

int vs_lsm_apply_exec(const struct vs_oci_process *p, struct vs_error *err)
{
        if (p->apparmor_profile && p->apparmor_profile[0]) {
                char value[4096];
                snprintf(value, sizeof(value), "exec %s", p->apparmor_profile);
                int r = write_exec_attr("/proc/thread-self/attr/apparmor/exec", value, "process.apparmorProfile", err);
                if (r < 0)
                        return r;
        }
        if (p->selinux_label && p->selinux_label[0])
                return write_exec_attr("/proc/thread-self/attr/selinux/exec", p->selinux_label, "process.selinuxLabel",
                                       err);
        return 0;
}
