#include "runtime/init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/namespaces.h"
#include "linux/process.h"
#include "linux/rootfs.h"
#include "linux/terminal.h"
#include "runtime/hooks.h"
#include "runtime/process_setup.h"
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

/* process.terminal: a pty from the container's own devpts (after
 * pivot_root), made the controlling terminal and stdio of the init; the
 * master goes to the runtime, for --console-socket or its own terminal. */
static int setup_terminal(const struct vs_init_context *ctx, struct vs_error *err)
{
        const struct vs_oci_process *p = ctx->config->process;
        if (!p->terminal)
                return 0;
        int master;
        _cleanup_free_ char *slave = NULL;
        int r = vs_pty_open(&master, &slave, err);
        if (r < 0)
                return r;
        if (p->has_console_size)
                r = vs_pty_set_size(master, (unsigned short) p->console_height, (unsigned short) p->console_width, err);
        if (r == 0)
                r = vs_pty_make_controlling(slave, p->user.uid, p->user.gid, err);
        if (r == 0 && vs_sync_send(ctx->sync_fd, VS_SYNC_TERMINAL, NULL) < 0)
                r = vs_error_set(err, EPIPE, "the runtime went away");
        if (r == 0)
                r = vs_fd_send(ctx->sync_fd, master, slave, strlen(slave) + 1, err);
        vs_safe_close(master);
        return r;
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
        if (setup_terminal(ctx, &err) < 0 || join_keyring(ctx, &err) < 0 ||
            vs_process_setup(ctx->config->process, ctx->config->linux_, ctx->sync_fd, &exe, &filter, &err) < 0)
                init_fail(ctx, &err);
        if (filter && !vs_process_can_load_filter_late(ctx->config->process)) {
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
        vs_process_exec(ctx->config->process, exe, filter, ctx->preserve_fds);
}
