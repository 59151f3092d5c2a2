/* vessel: the flags of `vessel run` and `vessel create`, Docker's, parsed
 * into one struct. Pure: nothing here touches the store or the host beyond
 * reading the --env-file / --label-file files and the caller's environment
 * (a bare `-e NAME` takes NAME's value from it, as docker's client does).
 *
 * Every bad value fails with one line naming the flag in docker's words:
 *   invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'
 * The front prints it after "vessel: " and exits 125 (a usage error). */
#ifndef VESSEL_ENGINE_RUN_OPTIONS_H
#define VESSEL_ENGINE_RUN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum vs_restart_policy {
        VS_RESTART_NO,
        VS_RESTART_ALWAYS,
        VS_RESTART_UNLESS_STOPPED,
        VS_RESTART_ON_FAILURE,
};

enum vs_pull_policy {
        VS_PULL_MISSING,
        VS_PULL_ALWAYS,
        VS_PULL_NEVER,
};

/* --pid, --ipc, --uts, --cgroupns. */
enum vs_ns_mode {
        VS_NS_MODE_PRIVATE,   /* a new namespace (default) */
        VS_NS_MODE_HOST,      /* the host's: no namespace entry */
        VS_NS_MODE_CONTAINER, /* another container's: `container` names it */
        VS_NS_MODE_SHAREABLE, /* --ipc shareable: private, others may join */
        VS_NS_MODE_NONE,      /* --ipc none: private, and no /dev/shm */
};

struct vs_run_namespace {
        enum vs_ns_mode mode;
        bool set;        /* the flag was given */
        char *container; /* VS_NS_MODE_CONTAINER: the name or id after "container:" */
};

enum vs_run_mount_type {
        VS_RUN_MOUNT_BIND,
        VS_RUN_MOUNT_VOLUME,
        VS_RUN_MOUNT_TMPFS,
};

/* One -v, --mount or --tmpfs, in command-line order. */
struct vs_run_mount {
        enum vs_run_mount_type type;
        char *source;      /* bind: absolute host path; volume: its name, NULL when anonymous; tmpfs: NULL */
        char *destination; /* absolute, not "/" */
        bool readonly;
        bool nocopy;            /* volume: do not copy the image's content into a new volume */
        bool bind_nonrecursive; /* bind: "bind" instead of "rbind" */
        char *propagation;      /* bind: "rprivate", "shared", ...; NULL: the default (rprivate) */
        char relabel;           /* 'z', 'Z' or 0: accepted as docker does, SELinux relabel not done */
        char **options;         /* tmpfs: mount options ("size=65536k", "mode=1777", "exec"), NULL-terminated */
        char **volume_options;  /* --mount volume-opt=K=V, for the volume driver, NULL-terminated */
};

/* --device HOST[:CONTAINER][:PERMISSIONS] */
struct vs_run_device {
        char *host_path;
        char *container_path; /* HOST when not given */
        char *permissions;    /* subset of "rwm"; "rwm" when not given */
};

/* --device-read-bps PATH:RATE and its kin. */
struct vs_run_throttle {
        char *path;
        uint64_t rate; /* bytes or operations per second */
};

/* --ulimit NAME=SOFT[:HARD] */
struct vs_run_ulimit {
        char *name;    /* "nofile" */
        char *type;    /* "RLIMIT_NOFILE" */
        uint64_t soft; /* UINT64_MAX: unlimited ("-1" or "unlimited") */
        uint64_t hard;
};

struct vs_run_options {
        bool help; /* --help was given: nothing else is filled */

        /* the positional part: IMAGE [COMMAND] [ARG...] */
        char *image;
        char **command; /* NULL-terminated, NULL when no COMMAND was given */

        /* the container's life */
        char *name;
        bool detach, interactive, tty, remove, init;
        bool sig_proxy; /* default true */
        bool procfs;    /* --procfs: vessel-procfs's files over /proc and /sys (default true) */
        char **attach;  /* "stdin", "stdout", "stderr" (lower case) */
        char *detach_keys;
        enum vs_restart_policy restart;
        int restart_max_retries; /* on-failure:N; 0 = no limit */
        enum vs_pull_policy pull;
        char *platform;
        char *stop_signal; /* as given ("SIGTERM", "15") after validation, or NULL */
        bool has_stop_timeout;
        int stop_timeout;

        /* the process */
        bool has_entrypoint; /* --entrypoint given, possibly "" (which resets the image's) */
        char *entrypoint;
        char *workdir, *user, *hostname, *domainname;
        char **env;       /* -e and --env-file in order: "K=V", or a bare "K" (unset K) */
        char **labels;    /* -l and --label-file in order: "K=V" */
        char **group_add; /* names or gids */

        /* security */
        bool privileged, read_only, no_new_privileges;
        char **cap_add, **cap_drop; /* "CAP_CHOWN" (upper case, prefixed) or "ALL" */
        bool seccomp_unconfined;
        char *seccomp_profile; /* --security-opt seccomp=FILE: the file's path */
        char *apparmor_profile;
        char **label_opts; /* --security-opt label=...: "user:U", "role:R", "type:T", "level:L", "disable" */
        bool systempaths_unconfined;
        bool userns_host; /* --userns host */

        /* namespaces */
        struct vs_run_namespace pid, ipc, uts, cgroupns;
        char *network; /* --network/--net as given; NULL = the default (bridge) */
        char **publish, **expose, **dns, **dns_search, **dns_options, **add_hosts;
        char *ip, *mac_address; /* --ip, --mac-address on the (first) bridged network */
        char *ip6;              /* --ip6 on it (an IPv6 network) */
        char **network_aliases; /* --network-alias */
        bool publish_all;

        /* storage */
        struct vs_run_mount *mounts;
        size_t n_mounts;
        char **volumes_from;
        int64_t shm_size; /* 0: the default (64 MiB) */

        /* resources; 0 means unset unless said otherwise */
        int64_t memory, memory_reservation;
        int64_t memory_swap;       /* -1: unlimited */
        int64_t memory_swappiness; /* -1: unset */
        bool oom_kill_disable;
        bool has_oom_score_adj;
        int oom_score_adj;
        int64_t nano_cpus; /* --cpus x 1e9 */
        int64_t cpu_shares, cpu_quota, cpu_period;
        char *cpuset_cpus, *cpuset_mems;
        bool has_pids_limit;
        int64_t pids_limit;
        uint16_t blkio_weight;
        struct vs_run_throttle *read_bps, *write_bps, *read_iops, *write_iops;
        size_t n_read_bps, n_write_bps, n_read_iops, n_write_iops;
        struct vs_run_device *devices;
        size_t n_devices;
        struct vs_run_ulimit *ulimits;
        size_t n_ulimits;
        char **sysctls; /* "net.ipv4.ip_forward=1" */
        char *cgroup_parent;

        /* logging */
        char *log_driver; /* "json-file" (default) or "none" */
        char **log_opts;  /* "max-size=10m" */
        int64_t log_max_size;
        int log_max_file; /* 0: unset */

        /* --runtime: an OCI runtime binary's path, "vessel" (in-process), NULL: vessel.conf's default */
        char *runtime;
};

/* Parse the arguments of `run` / `create`: argv[0] is the command's name
 * ("run" or "create", used in messages), the flags follow, then IMAGE and
 * the container's command. Parsing stops at IMAGE ("+" getopt): what
 * follows belongs to the container. On success *ret is filled (free it with
 * vs_run_options_free); on failure *ret is left zeroed and err holds one
 * line. Uses getopt_long, so it is not reentrant (resets optind itself). */
int vs_run_options_parse(int argc, char **argv, struct vs_run_options *ret, struct vs_error *err);
void vs_run_options_free(struct vs_run_options *o);

/* The "Options:" text of `vessel run --help`, docker's layout. */
const char *vs_run_options_help(void);

/* Docker's size syntax: "512", "512k", "1.5g", "64mb", "1GiB" (binary
 * multiples). Returns -EINVAL for anything else (err unset: callers name the flag). */
int vs_parse_size(const char *text, int64_t *ret);

#endif
