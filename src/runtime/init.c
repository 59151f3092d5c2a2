#include "runtime/init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/capabilities.h"
#include "linux/namespaces.h"
#include "linux/process.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "oci/names.h"
#include "runtime/hooks.h"
#include "runtime/sync.h"
#include "util/cleanup.h"

static _Noreturn void init_fail(const struct vs_init_context *ctx, struct vs_error *err)
{
        (void) vs_sync_send(ctx->sync_fd, VS_SYNC_ERROR, err);
        _exit(1);
}

static int wait_for(int fd, int type, struct vs_error *err)
{
        struct vs_sync_msg m;
        int r = vs_sync_recv(fd, &m);
        if (r < 0 || m.type != type)
                return vs_error_set(err, EPIPE, "the runtime went away during setup");
        return 0;
}

/* The join path: enter the given namespaces (the user namespace first, as it
 * grants the rights to enter the others), then make the new ones. */
static int join_and_unshare(const struct vs_init_context *ctx, struct vs_error *err)
{
        if (ctx->join_fds[VS_NS_USER] >= 0 && vs_ns_join(ctx->join_fds[VS_NS_USER], VS_NS_USER, err) < 0)
                return -err->code;
        for (int t = 0; t < VS_NS_COUNT; t++) {
                if (t == VS_NS_USER || ctx->join_fds[t] < 0)
                        continue;
                if (vs_ns_join(ctx->join_fds[t], (enum vs_oci_ns_type) t, err) < 0)
                        return -err->code;
        }
        if (ctx->unshare_flags == 0)
                return 0;
        if (unshare(ctx->unshare_flags) < 0)
                return vs_error_syscall(err, "cannot create namespaces");
        if (ctx->unshare_flags & CLONE_NEWUSER) {
                (void) vs_sync_send(ctx->sync_fd, VS_SYNC_MAP_REQ, NULL);
                return wait_for(ctx->sync_fd, VS_SYNC_MAP_DONE, err);
        }
        return 0;
}

static int become_namespace_root(struct vs_error *err)
{
        /* The maps are written: become the namespace's root, keeping every
         * capability the new namespace granted. */
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return vs_error_syscall(err, "cannot become root in the user namespace");
        return 0;
}

static int join_keyring(const struct vs_init_context *ctx, struct vs_error *err)
{
        if (ctx->no_new_keyring)
                return 0;
        /* A session keyring of its own, so the container cannot read the host's keys. */
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ctx->keyring_name) < 0 && errno != ENOSYS)
                return vs_error_syscall(err, "cannot join a new session keyring");
        return 0;
}

static bool has_init_hooks(const struct vs_oci_hooks *h)
{
        return h->n_prestart || h->n_create_runtime || h->n_create_container || h->n_start_container;
}

/* The mounts are made, pivot_root is next: the runtime runs prestart and
 * createRuntime hooks now (in its namespaces), then the init runs the
 * createContainer ones here (in the container's). The state JSON for the
 * init's hooks comes from the runtime: it knows the host pid. */
static int hooks_before_pivot(const struct vs_init_context *ctx, char **ret_state, struct vs_error *err)
{
        const struct vs_oci_hooks *h = &ctx->config->hooks;
        if (!has_init_hooks(h))
                return 0;
        if (vs_sync_send(ctx->sync_fd, VS_SYNC_HOOKS, NULL) < 0 || wait_for(ctx->sync_fd, VS_SYNC_HOOKS_DONE, err) < 0)
                return vs_error_set(err, EPIPE, "the runtime went away while running hooks");
        _cleanup_free_ char *state = malloc(VS_SYNC_TEXT_MAX);
        if (!state || vs_sync_recv_text(ctx->sync_fd, state) < 0)
                return vs_error_set(err, EPIPE, "cannot receive the state for hooks");
        int r = vs_hooks_run("createContainer", h->create_container, h->n_create_container, state, err);
        if (r == 0)
                *ret_state = TAKE_PTR(state);
        return r;
}

static int setup_root(const struct vs_init_context *ctx, char **ret_hook_state, struct vs_error *err)
{
        const struct vs_oci_config *config = ctx->config;
        /* Relative bind sources are relative to the bundle, as in runc. */
        if (chdir(ctx->bundle) < 0)
                return vs_error_syscall(err, "cannot chdir to the bundle %s", ctx->bundle);
        struct vs_rootfs_options ro = {
                .rootfs = ctx->rootfs,
                .no_pivot = ctx->no_pivot,
                .in_user_ns = ctx->new_user_ns,
                .new_cgroup_ns = ctx->new_cgroup_ns,
                .cgroup_dirs = ctx->cgroup_dirs,
        };
        if (vs_oci_config_namespace(config, VS_NS_MOUNT)) {
                int r = vs_rootfs_prepare(config, &ro, err);
                if (r == 0)
                        r = hooks_before_pivot(ctx, ret_hook_state, err);
                if (r == 0)
                        r = vs_rootfs_pivot(&ro, err);
                if (r < 0)
                        return r;
        } else {
                int r = hooks_before_pivot(ctx, ret_hook_state, err);
                if (r < 0)
                        return r;
                if (chroot(ctx->rootfs) < 0 || chdir("/") < 0)
                        return vs_error_syscall(err, "cannot chroot to %s", ctx->rootfs);
        }
        /* sysctl first: readonlyPaths may cover /proc/sys. */
        int r = vs_process_set_sysctl(config->linux_, err);
        if (r == 0 && vs_oci_config_namespace(config, VS_NS_MOUNT))
                r = vs_rootfs_finish(config, err);
        return r;
}

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
static bool can_load_filter_late(const struct vs_oci_process *p)
{
        if (p->no_new_privileges)
                return true;
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[2];
        if (syscall(SYS_capget, &hdr, data) < 0)
                return false;
        return data[0].effective & (1u << CAP_SYS_ADMIN);
}

/* The switch of user, with the capabilities carried across it, and the
 * filter loaded before it when the process will not be able to load it
 * last (no no_new_privs and no CAP_SYS_ADMIN left). */
static int switch_user(const struct vs_oci_process *p, void **filter, struct vs_error *err)
{
        int r = vs_caps_prepare(p->capabilities, err);
        if (r < 0)
                return r;
        if (*filter && !p->no_new_privileges) {
                bool keeps_admin =
                        p->user.uid == 0 &&
                        (!p->capabilities ||
                         vs_oci_name_in_list((const char *const *) p->capabilities->effective, "CAP_SYS_ADMIN"));
                if (!keeps_admin) {
                        r = vs_seccomp_load(*filter, err);
                        *filter = NULL;
                        if (r < 0)
                                return r;
                }
        }
        r = vs_process_set_user(p, err);
        if (r == 0)
                r = vs_caps_apply(p->capabilities, err);
        return r;
}

static int setup_process(const struct vs_init_context *ctx, char **ret_exe, void **ret_filter, struct vs_error *err)
{
        const struct vs_oci_process *p = ctx->config->process;
        const struct vs_oci_linux *l = ctx->config->linux_;
        void *filter = NULL;
        int r = vs_process_set_rlimits(p, err);
        if (r == 0)
                r = vs_process_set_scheduling(ctx->config, err);
        if (r == 0)
                r = join_keyring(ctx, err);
        if (r == 0)
                r = vs_process_find_executable(p, ret_exe, err);
        /* chdir before the switch of user (a directory root may enter) and
         * after it (so a directory the user cannot enter is an error). */
        if (r == 0 && chdir(p->cwd) < 0 && errno != EACCES)
                r = vs_error_syscall(err, "process.cwd: cannot chdir to %s", p->cwd);
        if (r == 0 && l && l->seccomp)
                r = vs_seccomp_build(l->seccomp, &filter, err);
        if (r == 0)
                r = switch_user(p, &filter, err);
        if (r == 0)
                r = enter_cwd(p->cwd, err);
        if (r == 0 && p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                r = vs_error_syscall(err, "process.noNewPrivileges");
        if (r < 0) {
                vs_seccomp_free(filter);
                return r;
        }
        *ret_filter = filter;
        return 0;
}

static int wait_start(const struct vs_init_context *ctx, struct vs_error *err)
{
        if (ctx->fifo_fd < 0)
                return wait_for(ctx->sync_fd, VS_SYNC_START, err);
        char c;
        ssize_t n;
        do
                n = read(ctx->fifo_fd, &c, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
                return vs_error_syscall(err, "cannot read the exec fifo");
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

static int cmp_int(const void *a, const void *b)
{
        return *(const int *) a - *(const int *) b;
}

/* At birth the init holds copies of every fd of the runtime (the locked
 * state directory among them): close all but those it needs, so no lock is
 * held and nothing of the host's leaks into the container. */
static void close_unneeded_fds(const struct vs_init_context *ctx)
{
        int keep[VS_NS_COUNT + 3], n = 0;
        keep[n++] = ctx->sync_fd;
        if (ctx->fifo_fd >= 0)
                keep[n++] = ctx->fifo_fd;
        for (int t = 0; t < VS_NS_COUNT; t++)
                if (ctx->join_fds[t] >= 0)
                        keep[n++] = ctx->join_fds[t];
        qsort(keep, (size_t) n, sizeof(int), cmp_int);
        unsigned int from = 3u + (unsigned) ctx->preserve_fds;
        for (int i = 0; i < n; i++) {
                if (keep[i] < (int) from)
                        continue;
                if ((unsigned) keep[i] > from)
                        (void) syscall(SYS_close_range, from, (unsigned) keep[i] - 1, 0);
                from = (unsigned) keep[i] + 1;
        }
        (void) syscall(SYS_close_range, from, ~0U, 0);
}

_Noreturn void vs_init_main(const struct vs_init_context *ctx)
{
        struct vs_error err = VS_ERROR_INIT;
        close_unneeded_fds(ctx);
        /* Die with the runtime while it still sets us up. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (wait_for(ctx->sync_fd, VS_SYNC_GO, &err) < 0)
                _exit(1);
        if (join_and_unshare(ctx, &err) < 0)
                init_fail(ctx, &err);
        if (ctx->new_user_ns && become_namespace_root(&err) < 0)
                init_fail(ctx, &err);
        if (ctx->new_cgroup_ns && unshare(CLONE_NEWCGROUP) < 0) {
                vs_error_syscall(&err, "cannot create the cgroup namespace");
                init_fail(ctx, &err);
        }
        if (vs_process_set_hostname(ctx->config, &err) < 0)
                init_fail(ctx, &err);
        _cleanup_free_ char *hook_state = NULL;
        if (setup_root(ctx, &hook_state, &err) < 0)
                init_fail(ctx, &err);
        _cleanup_free_ char *exe = NULL;
        void *filter = NULL;
        if (setup_process(ctx, &exe, &filter, &err) < 0)
                init_fail(ctx, &err);
        if (filter && !can_load_filter_late(ctx->config->process)) {
                vs_error_set(&err, EPERM,
                             "linux.seccomp: the process can load no filter (no noNewPrivileges, no CAP_SYS_ADMIN)");
                init_fail(ctx, &err);
        }
        /* The runtime exits once it reads READY (create returned): stop
         * dying with it before saying so. */
        (void) prctl(PR_SET_PDEATHSIG, 0);
        if (vs_sync_send(ctx->sync_fd, VS_SYNC_READY, NULL) < 0)
                _exit(1);
        if (wait_start(ctx, &err) < 0)
                _exit(1);
        /* startContainer: in the container, after start, before the user's process. */
        const struct vs_oci_hooks *h = &ctx->config->hooks;
        if (h->n_start_container &&
            vs_hooks_run("startContainer", h->start_container, h->n_start_container, hook_state, &err) < 0) {
                fprintf(stderr, "vessel-runtime: %s\n", err.msg);
                _exit(1);
        }
        /* The filter last, so that none of the runtime's own calls is filtered. */
        if (close_inherited_fds(ctx->preserve_fds, &err) < 0 || (filter && vs_seccomp_load(filter, &err) < 0)) {
                fprintf(stderr, "vessel-runtime: %s\n", err.msg);
                _exit(126);
        }
        execve(exe, ctx->config->process->args,
               ctx->config->process->env ? ctx->config->process->env : (char *[]){NULL});
        int e = errno;
        fprintf(stderr, "vessel-runtime: exec %s: %s\n", exe, strerror(e));
        _exit(e == ENOENT ? 127 : 126);
}
