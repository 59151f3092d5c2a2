/* vessel: the OCI runtime-spec (v1.2) config.json as C structs.
 *
 * vs_oci_config_parse() turns JSON into these structs and validates them;
 * every error names the file and the field, e.g.
 *   config.json: linux.namespaces[2].type: unknown namespace "pidd"
 * Absent optional numbers have .set == false; absent strings are NULL;
 * absent arrays have n_* == 0 and a NULL pointer. */
#ifndef VESSEL_OCI_CONFIG_H
#define VESSEL_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct vs_oci_i64 {
        bool set;
        int64_t value;
};

struct vs_oci_u64 {
        bool set;
        uint64_t value;
};

/* A JSON object of string to string (annotations, sysctl, unified, ...), in file order. */
struct vs_oci_kv {
        char *key;
        char *value;
};

struct vs_oci_idmap {
        uint32_t container_id;
        uint32_t host_id;
        uint32_t size;
};

struct vs_oci_mount {
        char *destination; /* required, absolute on Linux */
        char *type;        /* may be NULL: then "bind" if options say so */
        char *source;
        char **options; /* NULL-terminated, may be NULL */
        size_t n_options;
        struct vs_oci_idmap *uid_mappings; /* idmapped mounts */
        size_t n_uid_mappings;
        struct vs_oci_idmap *gid_mappings;
        size_t n_gid_mappings;
};

struct vs_oci_rlimit {
        char *type;   /* "RLIMIT_NOFILE", ... as written */
        int resource; /* the RLIMIT_* number */
        uint64_t hard;
        uint64_t soft;
};

struct vs_oci_capabilities {
        /* NULL-terminated name lists ("CAP_CHOWN"); NULL when the key is absent. */
        char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct vs_oci_scheduler {
        char *policy; /* "SCHED_OTHER", ... */
        int policy_value;
        int32_t nice;
        int32_t priority;
        char **flags; /* NULL-terminated */
        uint64_t runtime, deadline, period;
};

struct vs_oci_io_priority {
        char *class_name; /* "IOPRIO_CLASS_RT" | "IOPRIO_CLASS_BE" | "IOPRIO_CLASS_IDLE" */
        int class_value;  /* IOPRIO_CLASS_* number (1, 2, 3) */
        int32_t priority;
};

struct vs_oci_user {
        uint32_t uid;
        uint32_t gid;
        struct vs_oci_u64 umask;
        uint32_t *additional_gids;
        size_t n_additional_gids;
        char *username;
};

struct vs_oci_process {
        bool terminal;
        bool has_console_size;
        uint32_t console_height, console_width;
        struct vs_oci_user user;
        char **args; /* NULL-terminated, at least one entry after validation */
        size_t n_args;
        char *command_line;
        char **env; /* NULL-terminated, may be NULL */
        size_t n_env;
        char *cwd;                                /* required, absolute */
        struct vs_oci_capabilities *capabilities; /* NULL when absent */
        struct vs_oci_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        struct vs_oci_i64 oom_score_adj;
        struct vs_oci_scheduler *scheduler;
        char *selinux_label;
        struct vs_oci_io_priority *io_priority;
        char *exec_cpu_affinity_initial;
        char *exec_cpu_affinity_final;
};

struct vs_oci_hook {
        char *path; /* required, absolute */
        char **args;
        char **env;
        struct vs_oci_i64 timeout; /* seconds, > 0 when set */
};

struct vs_oci_hooks {
        struct vs_oci_hook *prestart, *create_runtime, *create_container, *start_container, *poststart, *poststop;
        size_t n_prestart, n_create_runtime, n_create_container, n_start_container, n_poststart, n_poststop;
};

enum vs_oci_ns_type {
        VS_NS_PID,
        VS_NS_NETWORK,
        VS_NS_MOUNT,
        VS_NS_IPC,
        VS_NS_UTS,
        VS_NS_USER,
        VS_NS_CGROUP,
        VS_NS_TIME,
        VS_NS_COUNT,
};

struct vs_oci_namespace {
        enum vs_oci_ns_type type;
        char *path; /* NULL: make a new one */
};

struct vs_oci_device {
        char type; /* 'c', 'b', 'u' or 'p' */
        char *path;
        int64_t major, minor; /* required for c, b, u */
        struct vs_oci_u64 file_mode;
        struct vs_oci_u64 uid;
        struct vs_oci_u64 gid;
};

struct vs_oci_device_cgroup {
        bool allow;
        char type;                      /* 'a', 'c' or 'b'; 'a' when absent */
        struct vs_oci_i64 major, minor; /* unset = wildcard */
        char *access;                   /* subset of "rwm", NULL = "rwm" */
};

struct vs_oci_memory {
        struct vs_oci_i64 limit, reservation, swap, kernel, kernel_tcp;
        struct vs_oci_u64 swappiness;
        bool has_disable_oom_killer, disable_oom_killer;
        bool has_use_hierarchy, use_hierarchy;
        bool has_check_before_update, check_before_update;
};

struct vs_oci_cpu {
        struct vs_oci_u64 shares, period, realtime_period, burst;
        struct vs_oci_i64 quota, realtime_runtime, idle;
        char *cpus;
        char *mems;
};

struct vs_oci_weight_device {
        int64_t major, minor;
        struct vs_oci_u64 weight, leaf_weight;
};

struct vs_oci_throttle_device {
        int64_t major, minor;
        uint64_t rate;
};

struct vs_oci_block_io {
        struct vs_oci_u64 weight, leaf_weight;
        struct vs_oci_weight_device *weight_device;
        size_t n_weight_device;
        struct vs_oci_throttle_device *throttle_read_bps, *throttle_write_bps, *throttle_read_iops,
                *throttle_write_iops;
        size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops, n_throttle_write_iops;
};

struct vs_oci_hugepage_limit {
        char *page_size; /* "2MB" */
        uint64_t limit;
};

struct vs_oci_net_priority {
        char *name;
        uint32_t priority;
};

struct vs_oci_rdma {
        char *device;
        struct vs_oci_u64 hca_handles, hca_objects;
};

struct vs_oci_resources {
        struct vs_oci_device_cgroup *devices;
        size_t n_devices;
        struct vs_oci_memory *memory; /* NULL when absent */
        struct vs_oci_cpu *cpu;
        bool has_pids_limit;
        int64_t pids_limit;
        struct vs_oci_block_io *block_io;
        struct vs_oci_hugepage_limit *hugepage_limits;
        size_t n_hugepage_limits;
        bool has_network;
        struct vs_oci_u64 net_class_id;
        struct vs_oci_net_priority *net_priorities;
        size_t n_net_priorities;
        struct vs_oci_rdma *rdma;
        size_t n_rdma;
        struct vs_oci_kv *unified;
        size_t n_unified;
};

struct vs_oci_seccomp_arg {
        uint32_t index;
        uint64_t value;
        uint64_t value_two;
        char *op; /* "SCMP_CMP_EQ", ... validated */
};

struct vs_oci_seccomp_syscall {
        char **names; /* NULL-terminated, at least one */
        char *action; /* "SCMP_ACT_ERRNO", ... validated */
        struct vs_oci_u64 errno_ret;
        struct vs_oci_seccomp_arg *args;
        size_t n_args;
};

struct vs_oci_seccomp {
        char *default_action;
        struct vs_oci_u64 default_errno_ret;
        char **architectures; /* "SCMP_ARCH_X86_64", ... validated */
        char **flags;         /* "SECCOMP_FILTER_FLAG_LOG", ... validated */
        char *listener_path;
        char *listener_metadata;
        struct vs_oci_seccomp_syscall *syscalls;
        size_t n_syscalls;
        /* Not from the JSON: the runtime's compiled program (struct
         * vs_seccomp_program, one allocation freed with the config), made
         * before it clones so that the process only loads it. */
        void *compiled;
};

struct vs_oci_time_offset {
        bool set;
        int64_t secs;
        uint32_t nanosecs;
};

struct vs_oci_personality {
        char *domain; /* "LINUX" or "LINUX32" */
        char **flags;
};

struct vs_oci_linux {
        struct vs_oci_namespace *namespaces;
        size_t n_namespaces;
        struct vs_oci_idmap *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        struct vs_oci_time_offset time_monotonic, time_boottime;
        struct vs_oci_device *devices;
        size_t n_devices;
        char *cgroups_path;
        struct vs_oci_resources *resources; /* NULL when absent */
        char *rootfs_propagation;           /* "private" | "shared" | "slave" | "unbindable" | r* variants, validated */
        struct vs_oci_seccomp *seccomp;
        struct vs_oci_kv *sysctl;
        size_t n_sysctl;
        char **masked_paths;
        char **readonly_paths;
        char *mount_label;
        struct vs_oci_personality *personality;
        struct vs_oci_kv *intel_rdt; /* kept raw: closID etc, unsupported here */
        size_t n_intel_rdt;
};

struct vs_oci_config {
        char *oci_version;
        char *root_path; /* as written (relative to the bundle or absolute) */
        bool root_readonly;
        struct vs_oci_mount *mounts;
        size_t n_mounts;
        struct vs_oci_process *process; /* NULL when absent */
        char *hostname;
        char *domainname;
        struct vs_oci_hooks hooks;
        struct vs_oci_kv *annotations;
        size_t n_annotations;
        struct vs_oci_linux *linux_; /* NULL when absent */
};

/* Parse and validate a config.json held in memory. `origin` names the
 * source in errors ("config.json"). On success *ret owns the config. */
int vs_oci_config_parse(const char *data, size_t len, const char *origin, struct vs_oci_config **ret,
                        struct vs_error *err);
/* Read `path` and parse it; errors name the file's base name as origin. */
int vs_oci_config_load(const char *path, struct vs_oci_config **ret, struct vs_error *err);
void vs_oci_config_free(struct vs_oci_config *config);

/* Parse a runtime-spec "process" object on its own (for `exec --process FILE`). */
int vs_oci_process_parse(const char *data, size_t len, const char *origin, struct vs_oci_process **ret,
                         struct vs_error *err);
void vs_oci_process_free(struct vs_oci_process *process);

/* The namespace's name in config.json ("pid", "network", ...) and its CLONE_NEW* flag. */
const char *vs_oci_ns_name(enum vs_oci_ns_type type);
int vs_oci_ns_clone_flag(enum vs_oci_ns_type type);
/* The namespace entry of that type, or NULL. */
const struct vs_oci_namespace *vs_oci_config_namespace(const struct vs_oci_config *config, enum vs_oci_ns_type type);

static inline void vs_oci_config_freep(struct vs_oci_config **c)
{
        vs_oci_config_free(*c);
}
#define _cleanup_config_ __attribute__((cleanup(vs_oci_config_freep)))

#endif
