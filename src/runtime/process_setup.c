#include "runtime/process_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/capabilities.h"
#include "linux/lsm.h"
#include "linux/process.h"
#include "linux/seccomp_filter.h"
#include "oci/names.h"
#include "runtime/seccomp_notify.h"

/* CVE-2024-21626: a working directory reached through a leaked fd lies
 * outside the root; getcwd() then reports "(unreachable)". */
static int enter_cwd(const char *cwd, struct vs_error *err)
{
        if (chdir(cwd) < 0)
                return vs_error_syscall(err, "process.cwd: cannot chdir to %s", cwd);
        char buf[4096];
        if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
                return vs_error_set(err, EPERM, "process.cwd: %s is outside the container's root", cwd);
        return 0;
}

/* Loading a seccomp filter needs no_new_privs or CAP_SYS_ADMIN. */
bool vs_process_can_load_filter_late(const struct vs_oci_process *p)
{
        if (p->no_new_privileges)
                return true;
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[2];
        if (syscall(SYS_capget, &hdr, data) < 0)
                return false;
        return data[0].effective & (1u << CAP_SYS_ADMIN);
}

/* Load the filter (freed); one with SCMP_ACT_NOTIFY rules hands its
 * listener to the runtime right away, before any other syscall. */
static int load_filter_now(void **filter, bool notify, int sync_fd, struct vs_error *err)
{
        void *f = *filter;
        *filter = NULL;
        return notify ? vs_seccomp_notify_load(f, sync_fd, err) : vs_seccomp_load(f, err);
}

/* The switch of user, with the capabilities carried across it, and the
 * filter loaded before it when the process will not be able to load it
 * last (no no_new_privs and no CAP_SYS_ADMIN left). */
static int switch_user(const struct vs_oci_process *p, void **filter, bool notify, int sync_fd, struct vs_error *err)
{
        int r = vs_caps_prepare(p->capabilities, err);
        if (r < 0)
                return r;
        if (*filter && !p->no_new_privileges) {
                bool keeps_admin =
                        p->user.uid == 0 &&
                        (!p->capabilities ||
                         vs_oci_name_in_list((const char *const *) p->capabilities->effective, "CAP_SYS_ADMIN"));
                if (!keeps_admin && (r = load_filter_now(filter, notify, sync_fd, err)) < 0)
                        return r;
        }
        r = vs_process_set_user(p, err);
        if (r == 0)
                r = vs_caps_apply(p->capabilities, err);
        return r;
}

int vs_process_setup(const struct vs_oci_process *p, const struct vs_oci_linux *l, int sync_fd, char **ret_exe,
                     void **ret_filter, struct vs_error *err)
{
        void *filter = NULL;
        bool notify = l && vs_seccomp_uses_notify(l->seccomp);
        int r = vs_process_set_rlimits(p, err);
        if (r == 0)
                r = vs_process_set_scheduling(p, l, err);
        if (r == 0)
                r = vs_process_find_executable(p, ret_exe, err);
        /* chdir before the switch of user (a directory root may enter) and
         * after it (so a directory the user cannot enter is an error). */
        if (r == 0 && chdir(p->cwd) < 0 && errno != EACCES)
                r = vs_error_syscall(err, "process.cwd: cannot chdir to %s", p->cwd);
        if (r == 0 && l && l->seccomp)
                r = vs_seccomp_build(l->seccomp, &filter, err);
        if (r == 0)
                r = switch_user(p, &filter, notify, sync_fd, err);
        if (r == 0)
                r = enter_cwd(p->cwd, err);
        if (r == 0)
                r = vs_lsm_apply_exec(p, err);
        if (r == 0 && p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                r = vs_error_syscall(err, "process.noNewPrivileges");
        /* The last step: the syscalls between here and execve are few
         * (telling the runtime READY, waiting for start, startContainer
         * hooks, execve), and all of them may be notified. */
        if (r == 0 && filter && notify && vs_process_can_load_filter_late(p))
                r = load_filter_now(&filter, true, sync_fd, err);
        if (r < 0) {
                vs_seccomp_free(filter);
                return r;
        }
        *ret_filter = filter;
        return 0;
}

/* Only stdio and --preserve-fds reach the container: everything else is
 * marked close-on-exec (CVE-2024-21626: a leaked host fd is a way out). */
static int close_inherited_fds(int preserve_fds, struct vs_error *err)
{
        for (int fd = 3; fd < 3 + preserve_fds; fd++) {
                int flags = fcntl(fd, F_GETFD);
                if (flags >= 0)
                        (void) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
        }
        if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return vs_error_syscall(err, "cannot mark inherited fds close-on-exec");
        return 0;
}

_Noreturn void vs_process_exec(const struct vs_oci_process *p, const char *exe, void *filter, int preserve_fds)
{
        struct vs_error err = VS_ERROR_INIT;
        /* The filter last, so that none of the runtime's own calls is filtered. */
        if (close_inherited_fds(preserve_fds, &err) < 0 || (filter && vs_seccomp_load(filter, &err) < 0)) {
                fprintf(stderr, "vessel-runtime: %s\n", err.msg);
                _exit(126);
        }
        /* execve keeps the signal mask: the runtime's blocked signals (run
         * blocks them all to forward them) must not reach the process. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(exe, p->args, p->env ? p->env : (char *[]){NULL});
        int e = errno;
        vs_error_errno(&err, e, "exec %s", exe); /* Go's lowercase text: engines match it */
        fprintf(stderr, "vessel-runtime: %s\n", err.msg);
        _exit(e == ENOENT ? 127 : 126);
}
