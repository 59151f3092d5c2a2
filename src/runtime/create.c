/* vessel: create. Parse and check everything first, then make the state
 * directory, the cgroups and the init; on any failure undo all of it, so a
 * failed create leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cgroup/cgroup.h"
#include "cgroup/resources.h"
#include "linux/idmap.h"
#include "linux/lsm.h"
#include "linux/namespaces.h"
#include "linux/sealed_exe.h"
#include "linux/terminal.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/runtime.h"
#include "runtime/seccomp_notify.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/files.h"

struct create_plan {
        struct vs_oci_config *config;
        char bundle[PATH_MAX];
        char rootfs[PATH_MAX];
        int join_fds[VS_NS_COUNT];
        uint64_t clone_flags; /* namespaces made by clone3 */
        int unshare_flags;    /* namespaces the init makes itself (join path) */
        bool new_user, new_cgroup;
};

static void plan_clear(struct create_plan *plan)
{
        vs_oci_config_free(plan->config);
        for (int t = 0; t < VS_NS_COUNT; t++)
                vs_safe_close(plan->join_fds[t]);
}

static int plan_load(const struct vs_create_options *opts, bool foreground, struct create_plan *plan,
                     struct vs_error *err)
{
        for (int t = 0; t < VS_NS_COUNT; t++)
                plan->join_fds[t] = -1;
        plan->config = opts->config; /* taken: plan_clear frees it */
        const char *bundle = opts->bundle && opts->bundle[0] ? opts->bundle : ".";
        if (!realpath(bundle, plan->bundle))
                return vs_error_syscall(err, "bundle %s", bundle);
        char path[PATH_MAX + 16];
        snprintf(path, sizeof(path), "%s/config.json", plan->bundle);
        int r = plan->config ? 0 : vs_oci_config_load(path, &plan->config, err);
        if (r < 0)
                return r;
        const struct vs_oci_config *c = plan->config;
        if (!c->process)
                return vs_error_set(err, EINVAL, "config.json: process: missing, nothing to run");
        /* A detached container's terminal must go somewhere: to the console socket. */
        if (c->process->terminal && !opts->console_socket && !foreground)
                return vs_error_set(err, EINVAL,
                                    "config.json: process.terminal: a detached container's terminal needs "
                                    "--console-socket (or set \"terminal\": false to inherit stdio)");
        if (c->process->terminal && opts->console_socket && vs_console_socket_check(opts->console_socket, err) < 0)
                return -err->code;
        if (vs_lsm_check(c->process, c->linux_, err) < 0)
                return vs_error_wrap(err, "config.json");
        if (c->linux_ && c->linux_->seccomp && vs_runtime_compile_seccomp(opts->root, c->linux_->seccomp, err) < 0)
                return vs_error_wrap(err, "config.json");
        char root[PATH_MAX + PATH_MAX];
        if (c->root_path[0] == '/')
                snprintf(root, sizeof(root), "%s", c->root_path);
        else
                snprintf(root, sizeof(root), "%s/%s", plan->bundle, c->root_path);
        struct stat st;
        if (!realpath(root, plan->rootfs) || stat(plan->rootfs, &st) < 0)
                return vs_error_syscall(err, "config.json: root.path: %s", root);
        if (!S_ISDIR(st.st_mode))
                return vs_error_set(err, ENOTDIR, "config.json: root.path: %s is not a directory", root);
        return 0;
}

/* Decide who makes each namespace. The common case, all new, is one
 * clone3. A namespace to join must be entered before new ones are made
 * (a new user namespace would lose the right to enter it), so then the init
 * joins and unshares itself. pid and time namespaces apply to children: the
 * runtime enters or makes them before clone3. */
static int plan_namespaces(struct create_plan *plan, struct vs_error *err)
{
        const struct vs_oci_linux *l = plan->config->linux_;
        bool joins = false;
        for (size_t i = 0; l && i < l->n_namespaces; i++) {
                const struct vs_oci_namespace *ns = &l->namespaces[i];
                if (!ns->path)
                        continue;
                int fd = vs_ns_open(ns->path, ns->type, err);
                if (fd < 0)
                        return vs_error_wrap(err, "config.json: linux.namespaces[%zu].path", i);
                plan->join_fds[ns->type] = fd;
                if (ns->type != VS_NS_PID && ns->type != VS_NS_TIME)
                        joins = true;
        }
        for (size_t i = 0; l && i < l->n_namespaces; i++) {
                const struct vs_oci_namespace *ns = &l->namespaces[i];
                if (ns->path)
                        continue;
                if (ns->type == VS_NS_USER)
                        plan->new_user = true;
                if (ns->type == VS_NS_CGROUP) {
                        plan->new_cgroup = true; /* made by the init once it is in its cgroup */
                        continue;
                }
                if (ns->type == VS_NS_TIME)
                        continue; /* made by the runtime, see prepare_time_ns */
                int flag = vs_oci_ns_clone_flag(ns->type);
                if (!joins || ns->type == VS_NS_PID)
                        plan->clone_flags |= (uint64_t) flag;
                else
                        plan->unshare_flags |= flag;
        }
        if (joins && plan->new_user && (plan->clone_flags & CLONE_NEWPID))
                return vs_error_set(err, ENOTSUP,
                                    "config.json: linux.namespaces: a new user and pid namespace together with "
                                    "a joined namespace is not supported yet");
        return 0;
}

/* CVE-2019-5736: until its execve, the init is a copy of the runtime, and
 * its /proc/PID/exe the runtime's binary. In a new pid namespace nothing
 * else can see it (it is alone there until it execs the user's program);
 * in a joined one, or in none, other processes can, and the runtime must
 * run from a sealed copy of itself. exec always does. */
static bool new_pid_namespace(const struct create_plan *plan)
{
        const struct vs_oci_namespace *ns = vs_oci_config_namespace(plan->config, VS_NS_PID);
        return ns && !ns->path;
}

/* Time offsets can only be written before a process enters the namespace:
 * the runtime makes it for its children, writes them, then clones. */
static int prepare_time_ns(const struct create_plan *plan, struct vs_error *err)
{
        const struct vs_oci_namespace *ns = vs_oci_config_namespace(plan->config, VS_NS_TIME);
        if (!ns)
                return 0;
        if (ns->path)
                return vs_ns_join(plan->join_fds[VS_NS_TIME], VS_NS_TIME, err);
        if (unshare(CLONE_NEWTIME) < 0)
                return vs_error_syscall(err, "cannot create the time namespace");
        const struct vs_oci_linux *l = plan->config->linux_;
        char buf[128] = "";
        size_t off = 0;
        if (l->time_monotonic.set)
                off += (size_t) snprintf(buf + off, sizeof(buf) - off, "monotonic %lld %u\n",
                                         (long long) l->time_monotonic.secs, l->time_monotonic.nanosecs);
        if (l->time_boottime.set)
                off += (size_t) snprintf(buf + off, sizeof(buf) - off, "boottime %lld %u\n",
                                         (long long) l->time_boottime.secs, l->time_boottime.nanosecs);
        if (off && vs_write_existing_at(AT_FDCWD, "/proc/self/timens_offsets", buf, off, err) < 0)
                return vs_error_wrap(err, "config.json: linux.timeOffsets");
        return 0;
}

static int write_maps(const struct create_plan *plan, pid_t pid, struct vs_error *err)
{
        const struct vs_oci_linux *l = plan->config->linux_;
        return vs_idmap_write(pid, l->uid_mappings, l->n_uid_mappings, l->gid_mappings, l->n_gid_mappings,
                              geteuid() != 0, err);
}

static pid_t spawn_init(struct create_plan *plan, const struct vs_create_options *opts, int fifo_fd, char **cgroup_dirs,
                        int *ret_sync, struct vs_error *err)
{
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return vs_error_syscall(err, "cannot create the sync socket");
        struct clone_args args = {.flags = plan->clone_flags, .exit_signal = SIGCHLD};
        pid_t pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0) {
                int r = vs_error_syscall(err, "cannot create the container's init (clone3)");
                vs_safe_close(sv[0]);
                vs_safe_close(sv[1]);
                return r;
        }
        if (pid == 0) {
                vs_safe_close(sv[0]);
                char keyring[128];
                snprintf(keyring, sizeof(keyring), "_ses.%s", opts->id);
                struct vs_init_context ctx = {
                        .config = plan->config,
                        .bundle = plan->bundle,
                        .rootfs = plan->rootfs,
                        .sync_fd = sv[1],
                        .fifo_fd = fifo_fd,
                        .unshare_flags = plan->unshare_flags,
                        .new_user_ns = plan->new_user,
                        .new_cgroup_ns = plan->new_cgroup,
                        .no_pivot = opts->no_pivot,
                        .no_new_keyring = opts->no_new_keyring,
                        .keyring_name = keyring,
                        .preserve_fds = opts->preserve_fds,
                        .cgroup_dirs = cgroup_dirs,
                };
                for (int t = 0; t < VS_NS_COUNT; t++)
                        ctx.join_fds[t] = (t == VS_NS_PID || t == VS_NS_TIME) ? -1 : plan->join_fds[t];
                vs_init_main(&ctx);
        }
        vs_safe_close(sv[1]);
        *ret_sync = sv[0];
        return pid;
}

/* The state JSON hooks read on their stdin. */
static char *hook_state(const struct create_plan *plan, const char *id, pid_t pid, enum vs_status status)
{
        struct vs_state st = {
                .id = (char *) id,
                .bundle = (char *) plan->bundle,
                .rootfs = (char *) plan->rootfs,
                .pid = pid,
                .status = status,
        };
        return vs_state_to_json(&st, false);
}

/* prestart (deprecated, still run) then createRuntime, in the runtime's
 * namespaces; then the init gets the state for its own hooks. */
static int run_create_hooks(const struct create_plan *plan, const char *id, pid_t pid, int sync_fd,
                            struct vs_error *err)
{
        const struct vs_oci_hooks *h = &plan->config->hooks;
        _cleanup_free_ char *state = hook_state(plan, id, pid, VS_STATUS_CREATING);
        if (!state)
                return vs_error_errno(err, ENOMEM, "cannot encode the state for hooks");
        int r = vs_hooks_run("prestart", h->prestart, h->n_prestart, state, err);
        if (r == 0)
                r = vs_hooks_run("createRuntime", h->create_runtime, h->n_create_runtime, state, err);
        if (r < 0)
                return r;
        if (vs_sync_send(sync_fd, VS_SYNC_HOOKS_DONE, NULL) < 0 || vs_sync_send_text(sync_fd, state) < 0)
                return vs_error_set(err, EPIPE, "the container's init died while hooks ran");
        return 0;
}

static int receive_terminal(int sync_fd, struct vs_created *created, struct vs_error *err)
{
        size_t len = 0;
        int fd = -1;
        int r = vs_fd_recv(sync_fd, &fd, created->terminal_name, sizeof(created->terminal_name) - 1, &len, err);
        if (r < 0)
                return vs_error_wrap(err, "cannot receive the container's terminal");
        created->terminal_name[len] = '\0';
        created->terminal_master = fd;
        return 0;
}

static void format_now(char *buf, size_t sz)
{
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, sz - n, ".%09ldZ", ts.tv_nsec);
}

/* The config's annotations as a JSON object's text; NULL when none. */
static char *annotations_json(const struct vs_oci_config *config)
{
        if (!config->n_annotations)
                return NULL;
        json_t *o = json_object();
        for (size_t i = 0; i < config->n_annotations; i++)
                json_object_set_new(o, config->annotations[i].key, json_string(config->annotations[i].value));
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return text;
}

/* SCMP_ACT_NOTIFY: the init's listener goes to the agent, with the state of
 * a container being created. */
static int relay_listener(const struct create_plan *plan, const char *id, pid_t pid, int sync_fd, int listener,
                          struct vs_error *err)
{
        char created[64];
        format_now(created, sizeof(created));
        _cleanup_free_ char *annotations = annotations_json(plan->config);
        struct vs_state st = {
                .id = (char *) id,
                .bundle = (char *) plan->bundle,
                .rootfs = (char *) plan->rootfs,
                .pid = pid,
                .created = created,
                .annotations_json = annotations,
                .status = VS_STATUS_CREATING,
        };
        const struct vs_oci_linux *l = plan->config->linux_;
        return vs_seccomp_notify_relay(sync_fd, listener, l ? l->seccomp : NULL, &st, pid, err);
}

/* One message of the init; 1 when it said READY. `fd` came with it. */
static int handle_message(struct create_plan *plan, const char *id, pid_t pid, int sync_fd, const struct vs_sync_msg *m,
                          int fd, struct vs_created *created, struct vs_error *err)
{
        _cleanup_close_ int attached = fd;
        switch (m->type) {
        case VS_SYNC_READY:
                return 1;
        case VS_SYNC_ERROR:
                snprintf(err->msg, sizeof(err->msg), "%s", m->msg);
                err->code = m->code ? m->code : EIO;
                return -err->code;
        case VS_SYNC_TERMINAL:
                return receive_terminal(sync_fd, created, err);
        case VS_SYNC_SECCOMP:
                if (attached < 0)
                        return vs_error_set(err, EPROTO, "the container's init sent no seccomp listener");
                return relay_listener(plan, id, pid, sync_fd, TAKE_FD(attached), err);
        case VS_SYNC_HOOKS:
                return run_create_hooks(plan, id, pid, sync_fd, err);
        case VS_SYNC_MAP_REQ:
                if (write_maps(plan, pid, err) < 0)
                        return -err->code;
                (void) vs_sync_send(sync_fd, VS_SYNC_MAP_DONE, NULL);
                return 0;
        default:
                return vs_error_set(err, EPROTO, "unexpected message %d from the container's init", m->type);
        }
}

/* Talk the init through its setup: maps, cgroup, GO, hooks, its seccomp
 * listener, until READY. */
static int handshake(struct create_plan *plan, const char *id, pid_t pid, int sync_fd, struct vs_created *created,
                     struct vs_error *err)
{
        char **cgroup_dirs = created->cgroup_dirs;
        if (plan->new_user && (plan->clone_flags & CLONE_NEWUSER) && write_maps(plan, pid, err) < 0)
                return -err->code;
        if (vs_cgroup_enter(cgroup_dirs, pid, err) < 0)
                return -err->code;
        if (vs_sync_send(sync_fd, VS_SYNC_GO, NULL) < 0)
                return vs_error_set(err, EPIPE, "the container's init died before setup");
        for (;;) {
                struct vs_sync_msg m;
                int fd = -1;
                if (vs_sync_recv_fd(sync_fd, &m, &fd) < 0)
                        return vs_error_set(err, EPIPE, "the container's init exited during setup");
                int r = handle_message(plan, id, pid, sync_fd, &m, fd, created, err);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
}

static int record_state(const struct create_plan *plan, const struct vs_create_options *opts, int statefd, pid_t pid,
                        char **cgroup_dirs, struct vs_error *err)
{
        char created[64];
        format_now(created, sizeof(created));
        _cleanup_free_ char *annotations = annotations_json(plan->config);
        struct vs_state st = {
                .id = (char *) opts->id,
                .bundle = (char *) plan->bundle,
                .rootfs = (char *) plan->rootfs,
                .pid = pid,
                .pid_start_time = vs_proc_start_time(pid),
                .created = created,
                .owner = geteuid(),
                .cgroup_dirs = cgroup_dirs,
                .systemd_cgroup = opts->systemd_cgroup,
                .annotations_json = annotations,
                .has_hooks = plan->config->hooks.n_poststart || plan->config->hooks.n_poststop,
        };
        int r = vs_state_write(statefd, &st, err);
        if (r == 0 && opts->pid_file)
                r = vs_write_pid_file(opts->pid_file, pid, err);
        return r;
}

/* Whether the config asks a cgroup for anything beyond the device rules. */
static bool asks_for_resources(const struct vs_oci_linux *l)
{
        const struct vs_oci_resources *r = l ? l->resources : NULL;
        return r && (r->memory || r->cpu || r->has_pids_limit || r->block_io || r->n_hugepage_limits ||
                     r->has_network || r->n_rdma || r->n_unified);
}

static void destroy_quietly(char **dirs)
{
        struct vs_error ignored = VS_ERROR_INIT;
        (void) vs_cgroup_destroy(dirs, &ignored);
        vs_error_ignore(&ignored);
}

static int make_cgroups(const struct create_plan *plan, const char *id, char ***ret_dirs, struct vs_error *err)
{
        struct vs_cgroup_hosts hosts = {0};
        const struct vs_oci_linux *l = plan->config->linux_;
        int r = vs_cgroup_hosts_detect(&hosts, err);
        if (r == 0)
                r = vs_cgroup_resolve(&hosts, l ? l->cgroups_path : NULL, id, ret_dirs, err);
        vs_cgroup_hosts_clear(&hosts);
        if (r < 0)
                return r;
        r = vs_cgroup_create(*ret_dirs, err);
        /* Rootless, as runc: where no cgroup was delegated to the user and
         * none of its limits is asked for, the container runs in the
         * caller's cgroups; asking for limits there is an error. */
        if (r < 0 && geteuid() != 0 && (err->code == EACCES || err->code == EPERM || err->code == EROFS)) {
                destroy_quietly(*ret_dirs);
                if (asks_for_resources(l))
                        return vs_error_wrap(err, "config.json: linux.resources: rootless, and no cgroup delegated");
                vs_error_ignore(err);
                vs_strv_free(*ret_dirs);
                *ret_dirs = calloc(1, sizeof(char *));
                return *ret_dirs ? 0 : vs_error_errno(err, ENOMEM, "cannot resolve cgroups");
        }
        if (r == 0)
                r = vs_cgroup_apply_config(*ret_dirs, l, NULL, err);
        if (r < 0)
                destroy_quietly(*ret_dirs);
        return r;
}

/* Everything from the state directory on; on failure the caller undoes it. */
static int create_in_state(struct create_plan *plan, const struct vs_create_options *opts, bool foreground, int statefd,
                           struct vs_created *created, struct vs_error *err)
{
        _cleanup_close_ int fifo_fd = -1;
        if (!foreground) {
                if (mkfifoat(statefd, "exec.fifo", 0600) < 0)
                        return vs_error_syscall(err, "cannot create the exec fifo");
                /* Opened here, read-write so it never blocks, and inherited by
                 * the init: it needs no path to it from inside the container. */
                fifo_fd = openat(statefd, "exec.fifo", O_RDWR | O_CLOEXEC);
                if (fifo_fd < 0)
                        return vs_error_syscall(err, "cannot open the exec fifo");
        }
        int r = make_cgroups(plan, opts->id, &created->cgroup_dirs, err);
        if (r < 0)
                return r;
        if (prepare_time_ns(plan, err) < 0)
                return -err->code;
        /* A joined pid namespace applies to the init only: the runtime goes
         * back to its own right after the clone, so that nothing it forks
         * later (hooks, LeakSanitizer's tracer at exit) lands in it. */
        _cleanup_close_ int own_pid =
                plan->join_fds[VS_NS_PID] >= 0 ? open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC) : -1;
        if (plan->join_fds[VS_NS_PID] >= 0 && vs_ns_join(plan->join_fds[VS_NS_PID], VS_NS_PID, err) < 0)
                return -err->code;
        int sync_fd = -1;
        pid_t pid = spawn_init(plan, opts, fifo_fd, created->cgroup_dirs, &sync_fd, err);
        if (own_pid >= 0)
                (void) setns(own_pid, CLONE_NEWPID);
        if (pid < 0)
                return pid;
        created->pid = pid;
        created->sync_fd = sync_fd;
        r = handshake(plan, opts->id, pid, sync_fd, created, err);
        if (r == 0)
                r = record_state(plan, opts, statefd, pid, created->cgroup_dirs, err);
        /* The terminal goes to the console socket now; in the foreground run keeps it. */
        if (r == 0 && created->terminal_master >= 0 && opts->console_socket) {
                r = vs_console_socket_send(opts->console_socket, created->terminal_master, created->terminal_name, err);
                created->terminal_master = vs_safe_close(created->terminal_master);
        }
        return r;
}

static void undo_create(int rootfd, const char *id, struct vs_created *created)
{
        struct vs_error ignored = VS_ERROR_INIT;
        if (created->pid > 0) {
                vs_killp(&created->pid);
                created->pid = 0;
        }
        (void) vs_cgroup_destroy(created->cgroup_dirs, &ignored);
        vs_error_ignore(&ignored);
        (void) vs_state_remove(rootfd, id, &ignored);
        vs_error_ignore(&ignored);
}

int vs_container_create(const struct vs_create_options *opts, bool foreground, struct vs_created *created,
                        struct vs_error *err)
{
        *created = (struct vs_created){.sync_fd = -1, .rootfd = -1, .terminal_master = -1};
        int r = vs_state_check_id(opts->id, err);
        if (r < 0) {
                vs_oci_config_free(opts->config); /* taken, as on every other path */
                return r;
        }
        struct create_plan plan = {0};
        r = plan_load(opts, foreground, &plan, err);
        if (r == 0)
                r = plan_namespaces(&plan, err);
        if (r == 0 && opts->reexec_argv && !new_pid_namespace(&plan))
                r = vs_sealed_exe_reexec(opts->reexec_argv, opts->reexec_envp, err); /* returns when already safe */
        _cleanup_close_ int rootfd = r == 0 ? vs_state_open_root(opts->root, true, err) : -1;
        if (r == 0 && rootfd < 0)
                r = rootfd;
        _cleanup_close_ int statefd = r == 0 ? vs_state_create_dir(rootfd, opts->id, err) : -1;
        if (r == 0 && statefd < 0)
                r = statefd;
        if (r == 0) {
                r = create_in_state(&plan, opts, foreground, statefd, created, err);
                if (r < 0)
                        undo_create(rootfd, opts->id, created);
        }
        plan_clear(&plan);
        if (r < 0) {
                vs_safe_close(created->sync_fd);
                vs_safe_close(created->terminal_master);
                vs_strv_free(created->cgroup_dirs);
                *created = (struct vs_created){.sync_fd = -1, .rootfd = -1, .terminal_master = -1};
                return r;
        }
        created->rootfd = TAKE_FD(rootfd);
        created->id = strdup(opts->id);
        return 0;
}
