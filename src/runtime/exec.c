/* vessel: exec. The runtime enters the container's pid and time namespaces
 * for its children, forks one child, and that child joins the cgroups, the
 * user namespace first and then the others, and becomes the process. */
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/layout.h"
#include "linux/lsm.h"
#include "linux/namespaces.h"
#include "linux/terminal.h"
#include "oci/config.h"
#include "runtime/process_setup.h"
#include "runtime/runtime.h"
#include "runtime/seccomp_notify.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/files.h"

struct exec_plan {
        struct vs_state st;
        struct vs_oci_config *config;
        struct vs_oci_process *process;
        int ns_fds[VS_NS_COUNT];
};

static void plan_clear(struct exec_plan *p)
{
        vs_state_clear(&p->st);
        vs_oci_config_free(p->config);
        vs_oci_process_free(p->process);
        for (int t = 0; t < VS_NS_COUNT; t++)
                vs_safe_close(p->ns_fds[t]);
}

/* The init's namespaces, opened by /proc/PID/ns: the kinds config.json
 * gave the container, whether made or joined. */
static int open_namespaces(struct exec_plan *p, struct vs_error *err)
{
        static const char *const proc_names[VS_NS_COUNT] = {
                [VS_NS_PID] = "pid", [VS_NS_NETWORK] = "net", [VS_NS_MOUNT] = "mnt",     [VS_NS_IPC] = "ipc",
                [VS_NS_UTS] = "uts", [VS_NS_USER] = "user",   [VS_NS_CGROUP] = "cgroup", [VS_NS_TIME] = "time",
        };
        const struct vs_oci_linux *l = p->config->linux_;
        for (size_t i = 0; l && i < l->n_namespaces; i++) {
                enum vs_oci_ns_type t = l->namespaces[i].type;
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) p->st.pid, proc_names[t]);
                p->ns_fds[t] = vs_ns_open(path, t, err);
                if (p->ns_fds[t] < 0)
                        return vs_error_wrap(err, "cannot enter container %s", p->st.id);
        }
        /* The fds pin the namespaces; make sure they are the init's, not a reused pid's. */
        if (vs_proc_start_time(p->st.pid) != p->st.pid_start_time)
                return vs_error_set(err, ESRCH, "container %s: container not running", p->st.id);
        return 0;
}

static int load_plan(const struct vs_exec_options *o, struct exec_plan *p, struct vs_error *err)
{
        for (int t = 0; t < VS_NS_COUNT; t++)
                p->ns_fds[t] = -1;
        _cleanup_close_ int rootfd = vs_state_open_root(o->root, false, err);
        if (rootfd < 0)
                return vs_error_set(err, ENOENT, "container %s does not exist", o->id);
        int r = vs_state_load(rootfd, o->id, &p->st, err);
        if (r < 0)
                return r;
        if (p->st.status == VS_STATUS_STOPPED)
                return vs_error_set(err, ESRCH, "cannot exec in container %s: container not running", o->id);
        if (p->st.status == VS_STATUS_PAUSED)
                return vs_error_set(err, EBUSY, "cannot exec in container %s: it is paused", o->id);
        char path[4096];
        snprintf(path, sizeof(path), "%s/config.json", p->st.bundle);
        r = vs_oci_config_load(path, &p->config, err);
        if (r < 0)
                return vs_error_wrap(err, "container %s", o->id);
        r = vs_oci_process_parse(o->process_json, strlen(o->process_json), o->origin, &p->process, err);
        if (r < 0)
                return r;
        if (vs_lsm_check(p->process, NULL, err) < 0)
                return vs_error_wrap(err, "%s", o->origin);
        const struct vs_oci_linux *l = p->config->linux_;
        if (l && l->seccomp && vs_runtime_compile_seccomp(o->root, l->seccomp, err) < 0)
                return vs_error_wrap(err, "container %s: config.json", o->id);
        if (p->process->terminal && !o->console_socket && o->detach)
                return vs_error_set(err, EINVAL, "cannot allocate a terminal when detached without --console-socket");
        if (p->process->terminal && o->console_socket && vs_console_socket_check(o->console_socket, err) < 0)
                return -err->code;
        return open_namespaces(p, err);
}

/* In the child: the cgroups first (writing "0" moves the writer), while its
 * credentials are still the runtime's; then the user namespace, which
 * grants the rights over the others; then the rest. */
static bool names_controller(const struct vs_cgroup_dir *d, const char *list, size_t len)
{
        for (int c = 0; c < VS_CG_COUNT; c++) {
                const char *name = vs_cgroup_controller_name((enum vs_cgroup_controller) c, d->v2);
                for (const char *p = list; p < list + len;) {
                        size_t l = strcspn(p, ",:");
                        if (l == strlen(name) && strncmp(p, name, l) == 0 && (d->controllers & (1u << c)))
                                return true;
                        p += l + 1;
                }
        }
        return false;
}

/* The sub-cgroup of hierarchy d that --cgroup asks for, or "" for the container's own. */
static int sub_cgroup_of(const struct vs_exec_options *o, const struct vs_cgroup_dir *d, const char **ret,
                         struct vs_error *err)
{
        *ret = "";
        for (size_t i = 0; i < o->n_sub_cgroups; i++) {
                const char *spec = o->sub_cgroups[i], *colon = strchr(spec, ':');
                const char *path = colon ? colon + 1 : spec;
                if (!*path || strstr(path, "..") || path[0] == '/')
                        return vs_error_set(err, EINVAL, "--cgroup %s: expected a relative path without \"..\"", spec);
                if (!colon || names_controller(d, spec, (size_t) (colon - spec)))
                        *ret = path;
        }
        return 0;
}

/* The container's cgroups, or the --cgroup sub-cgroups of them, which must exist. */
static int join_cgroups(const struct exec_plan *p, const struct vs_exec_options *o, struct vs_error *err)
{
        struct vs_cgroup_layout l = {0};
        if (o->n_sub_cgroups && vs_cgroup_layout_load(p->st.cgroup_dirs, &l, err) < 0)
                return -err->code;
        size_t i = 0;
        for (char **d = p->st.cgroup_dirs; d && *d; d++, i++) {
                const char *sub = "";
                for (size_t k = 0; k < l.n; k++)
                        if (strcmp(l.dir[k].path, *d) == 0 && sub_cgroup_of(o, &l.dir[k], &sub, err) < 0)
                                return -err->code;
                char procs[4096];
                snprintf(procs, sizeof(procs), "%s%s%s/cgroup.procs", *d, *sub ? "/" : "", sub);
                if (vs_write_existing(procs, "0", err) < 0)
                        return vs_error_wrap(
                                err, *sub ? "--cgroup %s: cannot join it" : "cannot join the container's cgroup", sub);
        }
        return 0;
}

static int enter_container(const struct exec_plan *p, const struct vs_exec_options *o, struct vs_error *err)
{
        if (join_cgroups(p, o, err) < 0)
                return -err->code;
        if (p->ns_fds[VS_NS_USER] >= 0 && vs_ns_join(p->ns_fds[VS_NS_USER], VS_NS_USER, err) < 0)
                return -err->code;
        for (int t = 0; t < VS_NS_COUNT; t++) {
                if (t == VS_NS_USER || t == VS_NS_PID || t == VS_NS_TIME || p->ns_fds[t] < 0)
                        continue;
                if (vs_ns_join(p->ns_fds[t], (enum vs_oci_ns_type) t, err) < 0)
                        return -err->code;
        }
        if (chdir("/") < 0)
                return vs_error_syscall(err, "cannot chdir to the container's root");
        return 0;
}

/* A pty from the container's own devpts; the master goes to the runtime. */
static int open_terminal(const struct exec_plan *p, int sync_fd, struct vs_error *err)
{
        int master;
        _cleanup_free_ char *slave = NULL;
        int r = vs_pty_open(&master, &slave, err);
        if (r < 0)
                return r;
        if (p->process->has_console_size)
                (void) vs_pty_set_size(master, (unsigned short) p->process->console_height,
                                       (unsigned short) p->process->console_width, err);
        /* The slave is opened (and made ours) before the master leaves: a
         * master with no slave holder reads as hung up at once. */
        r = vs_pty_make_controlling(slave, p->process->user.uid, p->process->user.gid, err);
        if (r == 0)
                r = vs_fd_send(sync_fd, master, slave, strlen(slave) + 1, err);
        vs_safe_close(master);
        return r;
}

static _Noreturn void exec_child(const struct exec_plan *p, const struct vs_exec_options *o, int sync_fd)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_free_ char *exe = NULL;
        void *filter = NULL;
        int r = enter_container(p, o, &err);
        if (r == 0 && p->process->terminal)
                r = open_terminal(p, sync_fd, &err);
        if (r == 0)
                r = vs_process_setup(p->process, p->config->linux_, sync_fd, &exe, &filter, &err);
        if (r == 0 && filter && !vs_process_can_load_filter_late(p->process))
                r = vs_error_set(&err, EPERM, "linux.seccomp: the process can load no filter");
        if (r < 0) {
                (void) vs_sync_send(sync_fd, VS_SYNC_ERROR, &err);
                _exit(1);
        }
        if (vs_sync_send(sync_fd, VS_SYNC_READY, NULL) < 0)
                _exit(1);
        vs_process_exec(p->process, exe, filter, o->preserve_fds);
}

/* With a terminal, the master and the pty's name come first. */
static int receive_terminal(int sync_fd, int *ret_master, char *pty_name, size_t name_sz, struct vs_error *err)
{
        struct vs_sync_msg m;
        int fd = -1;
        size_t len = 0;
        int r = vs_fd_recv(sync_fd, &fd, &m, sizeof(m), &len, err);
        if (r < 0)
                return vs_error_set(err, EPIPE, "the exec'd process died during setup");
        if (fd < 0) { /* no fd: it is the child's error */
                m.msg[sizeof(m.msg) - 1] = '\0';
                snprintf(err->msg, sizeof(err->msg), "%s", m.msg);
                err->code = m.code ? m.code : EIO;
                return -err->code;
        }
        snprintf(pty_name, name_sz, "%.*s", (int) len, (const char *) &m);
        *ret_master = fd;
        return 0;
}

/* Wait for READY, handing the process's seccomp listener to the agent on
 * the way (SCMP_ACT_NOTIFY), with the container's state and its own pid. */
static int wait_ready(const struct exec_plan *p, pid_t pid, int sync_fd, struct vs_error *err)
{
        for (;;) {
                struct vs_sync_msg m;
                int fd = -1;
                if (vs_sync_recv_fd(sync_fd, &m, &fd) < 0)
                        return vs_error_set(err, EPIPE, "the exec'd process died during setup");
                if (m.type == VS_SYNC_SECCOMP && fd >= 0) {
                        const struct vs_oci_linux *l = p->config->linux_;
                        if (vs_seccomp_notify_relay(sync_fd, fd, l ? l->seccomp : NULL, &p->st, pid, err) < 0)
                                return -err->code;
                        continue;
                }
                vs_safe_close(fd);
                if (m.type == VS_SYNC_READY)
                        return 0;
                snprintf(err->msg, sizeof(err->msg), "%s", m.type == VS_SYNC_ERROR ? m.msg : "unexpected message");
                err->code = m.code ? m.code : EPROTO;
                return -err->code;
        }
}

/* The terminal goes to --console-socket, or is driven from ours. */
static int serve_terminal(const struct vs_exec_options *o, int master, const char *pty_name, const struct exec_plan *p,
                          struct vs_error *err)
{
        if (o->console_socket)
                return vs_console_socket_send(o->console_socket, master, pty_name, err);
        return vs_pty_proxy(master, (unsigned short) p->process->console_height,
                            (unsigned short) p->process->console_width, err);
}

static int wait_exit(pid_t pid, int *exit_status, struct vs_error *err)
{
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot wait for the exec'd process");
        *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

/* fork with the child in the container's pid and time namespaces (they
 * apply to children only). The runtime goes back to its own right after:
 * whatever it forks later (LeakSanitizer's tracer at exit, among others)
 * must not land in the container's. */
static pid_t fork_in_namespaces(const struct exec_plan *p, struct vs_error *err)
{
        _cleanup_close_ int own_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int own_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
        if (p->ns_fds[VS_NS_PID] >= 0 && vs_ns_join(p->ns_fds[VS_NS_PID], VS_NS_PID, err) < 0)
                return -err->code;
        if (p->ns_fds[VS_NS_TIME] >= 0 && vs_ns_join(p->ns_fds[VS_NS_TIME], VS_NS_TIME, err) < 0)
                return -err->code;
        pid_t pid = fork();
        int saved = errno;
        if (pid != 0) {
                if (own_pid >= 0 && p->ns_fds[VS_NS_PID] >= 0)
                        (void) setns(own_pid, CLONE_NEWPID);
                if (own_time >= 0 && p->ns_fds[VS_NS_TIME] >= 0)
                        (void) setns(own_time, CLONE_NEWTIME);
        }
        if (pid < 0)
                return vs_error_errno(err, saved, "cannot fork");
        return pid;
}

static int run_exec(const struct vs_exec_options *o, struct exec_plan *p, const sigset_t *signals, int *exit_status,
                    struct vs_error *err)
{
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return vs_error_syscall(err, "cannot create the sync socket");
        _cleanup_child_ pid_t pid = fork_in_namespaces(p, err);
        if (pid < 0) {
                vs_safe_close(sv[0]);
                vs_safe_close(sv[1]);
                return pid;
        }
        if (pid == 0) {
                vs_safe_close(sv[0]);
                exec_child(p, o, sv[1]);
        }
        vs_safe_close(sv[1]);
        _cleanup_close_ int sync_fd = sv[0];
        _cleanup_close_ int master = -1;
        char pty_name[256] = "";
        int r = p->process->terminal ? receive_terminal(sync_fd, &master, pty_name, sizeof(pty_name), err) : 0;
        if (r == 0)
                r = wait_ready(p, pid, sync_fd, err);
        if (r == 0 && o->pid_file)
                r = vs_write_pid_file(o->pid_file, pid, err);
        if (r == 0 && master >= 0)
                r = serve_terminal(o, master, pty_name, p, err);
        if (r < 0)
                return r;
        if (o->detach) {
                (void) TAKE_PID(pid); /* it lives on, under the caller's subreaper */
                return 0;
        }
        /* Without a terminal of ours, forward signals as run does. */
        if (master >= 0 && !o->console_socket)
                r = wait_exit(pid, exit_status, err);
        else
                r = vs_wait_forwarding(pid, signals, exit_status, err);
        (void) TAKE_PID(pid);
        return r;
}

int vs_container_exec(const struct vs_exec_options *o, int *exit_status, struct vs_error *err)
{
        struct exec_plan p = {0};
        int r = load_plan(o, &p, err);
        sigset_t all, old;
        bool forwarding = r == 0 && !o->detach;
        if (forwarding)
                vs_block_signals(&all, &old);
        if (r == 0)
                r = run_exec(o, &p, forwarding ? &all : NULL, exit_status, err);
        if (forwarding)
                sigprocmask(SIG_SETMASK, &old, NULL);
        plan_clear(&p);
        return r;
}
