/* vessel-monitor: the per-container monitor (conmon's job). See docs/vessel-monitor.8. */
#ifndef VESSEL_MONITOR_MONITOR_H
#define VESSEL_MONITOR_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "attach.h"
#include "dns.h"
#include "log_writer.h"
#include "util/error.h"

struct monitor_options {
        const char *id;
        const char *bundle;
        const char *runtime_root;
        const char *exit_file;
        const char *log_path;
        off_t log_max_size; /* 0: no limit */
        int log_max_files;
        const char *attach_socket;
        bool terminal;
        bool stdin_open;
        const char *runtime; /* an OCI runtime binary; NULL: libvessel in-process */
        const char *pid_file;
        const char *monitor_pid_file;
        int sync_fd;   /* -1: none */
        int stderr_fd; /* the caller's stderr, kept for the error line until the sync report */
        bool foreground;
        const char *exit_command;
        const char *exit_lock;        /* a foreground engine holds it until it has removed the container itself */
        int exit_lock_fd;             /* -1: none */
        char **exit_command_args;     /* NULL-terminated, argv[0] first */
        char **argv;                  /* our own command line, for the sealed re-exec */
        struct vs_oci_config *config; /* config.json, loaded by monitor_needs_sealed_copy for the create */
        const char *dns_hosts;        /* --dns-hosts: serve DNS at 127.0.0.11 from this hosts file; NULL: none */
        const char *dns_upstream[MONITOR_DNS_UPSTREAM_MAX]; /* --dns-upstream */
        size_t n_dns_upstream;
};

/* The container's stdio as the monitor holds it once the container exists. */
struct monitor_stdio {
        int stdin_fd;  /* our end of its stdin (pipe write end, or a dup of the pty master); -1: none */
        int stdout_fd; /* its stdout pipe's read end, or the pty master */
        int stderr_fd; /* its stderr pipe's read end; -1 with a tty */
};

/* spawn.c: make the pipes, create the container (in-process or through
 * --runtime), take the pty master with -t; *ret_pid is the init's pid. On
 * failure nothing is left (the runtime's create undoes its own work; what
 * the monitor did after it is undone here). */
int monitor_spawn(const struct monitor_options *o, struct monitor_stdio *ret_stdio, pid_t *ret_pid,
                  struct vs_error *err);
/* Whether the in-process create needs the monitor to run from a sealed
 * copy of itself (CVE-2019-5736; see spawn.c). */
bool monitor_needs_sealed_copy(struct monitor_options *o);
/* Undo a created container whose monitor cannot go on: kill, delete. */
void monitor_destroy(const struct monitor_options *o, pid_t pid);

/* event_loop.c: serve until the container's init exits; then drain its
 * output. Returns its wait status. */
struct monitor_loop {
        int epfd;
        int sigfd;
        struct vs_event_source sig_src, out_src, err_src;
        int out_fd, err_fd; /* -1 once at EOF */
        bool tty;
        pid_t pid;
        bool exited;
        int status;
        struct vs_log_writer log;
        struct vs_attach attach;
        struct monitor_dns dns;
        char buf[8192]; /* one read of the container's output */
};
int monitor_loop_init(struct monitor_loop *l, const struct monitor_options *o, struct vs_error *err);
int monitor_loop_run(struct monitor_loop *l, const struct monitor_stdio *stdio, pid_t pid, int *ret_status,
                     struct vs_error *err);
void monitor_loop_close(struct monitor_loop *l);

/* trim.c: after the create, before the loop: return the create's heap and
 * drop the code pages only it used from our RSS. */
void monitor_trim_memory(void);

/* exit_status.c: the exit file (atomically) and the exit command. */
int monitor_write_exit_file(const char *path, int wait_status, struct vs_error *err);
void monitor_run_exit_command(const struct monitor_options *o);

#endif
