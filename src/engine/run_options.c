/* vessel: `run`/`create`'s command line: docker's flag names, shorthands and
 * repeatable flags, read with getopt_long in "+" mode so that everything
 * after IMAGE is the container's command. The values are parsed in
 * run_values.c and run_mounts.c; this file names the flag in errors and
 * checks the flags against each other, as docker's client and daemon do. */
#include "engine/run_options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/run_internal.h"
#include "oci/names.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define OOM(err) vs_error_set(err, ENOMEM, "out of memory")

/* Long-only flags; the ones with a shorthand use the letter. */
enum {
        OPT_RM = 256,
        OPT_INIT,
        OPT_SIG_PROXY,
        OPT_PROCFS,
        OPT_PRIVILEGED,
        OPT_READ_ONLY,
        OPT_OOM_KILL_DISABLE,
        OPT_HELP,
        OPT_NAME,
        OPT_ENTRYPOINT,
        OPT_PLATFORM,
        OPT_PULL,
        OPT_RESTART,
        OPT_STOP_SIGNAL,
        OPT_STOP_TIMEOUT,
        OPT_NETWORK,
        OPT_USERNS,
        OPT_PID,
        OPT_IPC,
        OPT_UTS,
        OPT_CGROUPNS,
        OPT_CGROUP_PARENT,
        OPT_LOG_DRIVER,
        OPT_LOG_OPT,
        OPT_DETACH_KEYS,
        OPT_DOMAINNAME,
        OPT_ENV_FILE,
        OPT_LABEL_FILE,
        OPT_MOUNT,
        OPT_TMPFS,
        OPT_DEVICE,
        OPT_CAP_ADD,
        OPT_CAP_DROP,
        OPT_SECURITY_OPT,
        OPT_ULIMIT,
        OPT_SYSCTL,
        OPT_GROUP_ADD,
        OPT_EXPOSE,
        OPT_DNS,
        OPT_DNS_SEARCH,
        OPT_DNS_OPTION,
        OPT_ADD_HOST,
        OPT_IP,
        OPT_IP6,
        OPT_MAC_ADDRESS,
        OPT_NETWORK_ALIAS,
        OPT_VOLUMES_FROM,
        OPT_MEMORY_SWAP,
        OPT_MEMORY_RESERVATION,
        OPT_MEMORY_SWAPPINESS,
        OPT_SHM_SIZE,
        OPT_CPUS,
        OPT_CPU_QUOTA,
        OPT_CPU_PERIOD,
        OPT_CPUSET_CPUS,
        OPT_CPUSET_MEMS,
        OPT_PIDS_LIMIT,
        OPT_BLKIO_WEIGHT,
        OPT_OOM_SCORE_ADJ,
        OPT_READ_BPS,
        OPT_WRITE_BPS,
        OPT_READ_IOPS,
        OPT_WRITE_IOPS,
        OPT_RUNTIME,
};

#define BOOL optional_argument /* --rm or --rm=false, as docker's boolean flags */
#define ARG required_argument

static const struct option longopts[] = {
        {"detach", BOOL, NULL, 'd'},
        {"interactive", BOOL, NULL, 'i'},
        {"tty", BOOL, NULL, 't'},
        {"rm", BOOL, NULL, OPT_RM},
        {"init", BOOL, NULL, OPT_INIT},
        {"sig-proxy", BOOL, NULL, OPT_SIG_PROXY},
        {"procfs", BOOL, NULL, OPT_PROCFS},
        {"privileged", BOOL, NULL, OPT_PRIVILEGED},
        {"read-only", BOOL, NULL, OPT_READ_ONLY},
        {"oom-kill-disable", BOOL, NULL, OPT_OOM_KILL_DISABLE},
        {"publish-all", BOOL, NULL, 'P'},
        {"help", no_argument, NULL, OPT_HELP},
        {"name", ARG, NULL, OPT_NAME},
        {"hostname", ARG, NULL, 'h'},
        {"domainname", ARG, NULL, OPT_DOMAINNAME},
        {"workdir", ARG, NULL, 'w'},
        {"user", ARG, NULL, 'u'},
        {"entrypoint", ARG, NULL, OPT_ENTRYPOINT},
        {"platform", ARG, NULL, OPT_PLATFORM},
        {"pull", ARG, NULL, OPT_PULL},
        {"restart", ARG, NULL, OPT_RESTART},
        {"stop-signal", ARG, NULL, OPT_STOP_SIGNAL},
        {"stop-timeout", ARG, NULL, OPT_STOP_TIMEOUT},
        {"network", ARG, NULL, OPT_NETWORK},
        {"net", ARG, NULL, OPT_NETWORK},
        {"userns", ARG, NULL, OPT_USERNS},
        {"pid", ARG, NULL, OPT_PID},
        {"ipc", ARG, NULL, OPT_IPC},
        {"uts", ARG, NULL, OPT_UTS},
        {"cgroupns", ARG, NULL, OPT_CGROUPNS},
        {"cgroup-parent", ARG, NULL, OPT_CGROUP_PARENT},
        {"log-driver", ARG, NULL, OPT_LOG_DRIVER},
        {"log-opt", ARG, NULL, OPT_LOG_OPT},
        {"runtime", ARG, NULL, OPT_RUNTIME},
        {"detach-keys", ARG, NULL, OPT_DETACH_KEYS},
        {"attach", ARG, NULL, 'a'},
        {"env", ARG, NULL, 'e'},
        {"env-file", ARG, NULL, OPT_ENV_FILE},
        {"label", ARG, NULL, 'l'},
        {"label-file", ARG, NULL, OPT_LABEL_FILE},
        {"volume", ARG, NULL, 'v'},
        {"mount", ARG, NULL, OPT_MOUNT},
        {"tmpfs", ARG, NULL, OPT_TMPFS},
        {"volumes-from", ARG, NULL, OPT_VOLUMES_FROM},
        {"device", ARG, NULL, OPT_DEVICE},
        {"cap-add", ARG, NULL, OPT_CAP_ADD},
        {"cap-drop", ARG, NULL, OPT_CAP_DROP},
        {"security-opt", ARG, NULL, OPT_SECURITY_OPT},
        {"ulimit", ARG, NULL, OPT_ULIMIT},
        {"sysctl", ARG, NULL, OPT_SYSCTL},
        {"group-add", ARG, NULL, OPT_GROUP_ADD},
        {"publish", ARG, NULL, 'p'},
        {"expose", ARG, NULL, OPT_EXPOSE},
        {"dns", ARG, NULL, OPT_DNS},
        {"dns-search", ARG, NULL, OPT_DNS_SEARCH},
        {"dns-option", ARG, NULL, OPT_DNS_OPTION},
        {"add-host", ARG, NULL, OPT_ADD_HOST},
        {"ip", ARG, NULL, OPT_IP},
        {"ip6", ARG, NULL, OPT_IP6},
        {"mac-address", ARG, NULL, OPT_MAC_ADDRESS},
        {"network-alias", ARG, NULL, OPT_NETWORK_ALIAS},
        {"memory", ARG, NULL, 'm'},
        {"memory-swap", ARG, NULL, OPT_MEMORY_SWAP},
        {"memory-reservation", ARG, NULL, OPT_MEMORY_RESERVATION},
        {"memory-swappiness", ARG, NULL, OPT_MEMORY_SWAPPINESS},
        {"shm-size", ARG, NULL, OPT_SHM_SIZE},
        {"cpus", ARG, NULL, OPT_CPUS},
        {"cpu-shares", ARG, NULL, 'c'},
        {"cpu-quota", ARG, NULL, OPT_CPU_QUOTA},
        {"cpu-period", ARG, NULL, OPT_CPU_PERIOD},
        {"cpuset-cpus", ARG, NULL, OPT_CPUSET_CPUS},
        {"cpuset-mems", ARG, NULL, OPT_CPUSET_MEMS},
        {"pids-limit", ARG, NULL, OPT_PIDS_LIMIT},
        {"blkio-weight", ARG, NULL, OPT_BLKIO_WEIGHT},
        {"oom-score-adj", ARG, NULL, OPT_OOM_SCORE_ADJ},
        {"device-read-bps", ARG, NULL, OPT_READ_BPS},
        {"device-write-bps", ARG, NULL, OPT_WRITE_BPS},
        {"device-read-iops", ARG, NULL, OPT_READ_IOPS},
        {"device-write-iops", ARG, NULL, OPT_WRITE_IOPS},
        {0},
};

/* ":" first: a missing argument returns ':' and no message is printed. */
static const char shortopts[] = "+:ditPh:w:u:a:e:l:v:p:m:c:";

/* "-m, --memory" or "--cpus", as docker names a flag in its errors. */
static void flag_name(int id, char *buf, size_t size)
{
        const char *name = "?";
        for (const struct option *o = longopts; o->name; o++)
                if (o->val == id) {
                        name = o->name;
                        break;
                }
        if (id < 256)
                snprintf(buf, size, "-%c, --%s", id, name);
        else
                snprintf(buf, size, "--%s", name);
}

/* Rewrite the reason held in err as docker's complaint about the flag's value. */
static int bad_value(struct vs_error *err, int id, const char *value)
{
        char flag[64], reason[VS_ERROR_MSG_MAX];
        flag_name(id, flag, sizeof(flag));
        snprintf(reason, sizeof(reason), "%s", err->msg);
        return vs_error_set(err, err->code == ENOMEM ? ENOMEM : EINVAL, "invalid argument \"%s\" for \"%s\" flag: %s",
                            value, flag, reason);
}

static int bad_size(struct vs_error *err, int id, const char *value)
{
        vs_error_set(err, EINVAL, "invalid size: '%s'", value);
        return bad_value(err, id, value);
}

/* ---- one flag ---- */

static int set_bool(bool *field, int id, const char *value, struct vs_error *err)
{
        static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
        static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
        if (!value || vs_oci_name_in_list(yes, value))
                *field = true;
        else if (vs_oci_name_in_list(no, value))
                *field = false;
        else {
                vs_error_set(err, EINVAL, "strconv.ParseBool: parsing \"%s\": invalid syntax", value);
                return bad_value(err, id, value);
        }
        return 0;
}

static bool *bool_field(struct vs_run_options *o, int id)
{
        switch (id) {
        case 'd':
                return &o->detach;
        case 'i':
                return &o->interactive;
        case 't':
                return &o->tty;
        case 'P':
                return &o->publish_all;
        case OPT_RM:
                return &o->remove;
        case OPT_INIT:
                return &o->init;
        case OPT_SIG_PROXY:
                return &o->sig_proxy;
        case OPT_PROCFS:
                return &o->procfs;
        case OPT_PRIVILEGED:
                return &o->privileged;
        case OPT_READ_ONLY:
                return &o->read_only;
        case OPT_OOM_KILL_DISABLE:
                return &o->oom_kill_disable;
        default:
                return NULL;
        }
}

static char **string_field(struct vs_run_options *o, int id)
{
        switch (id) {
        case OPT_NAME:
                return &o->name;
        case 'h':
                return &o->hostname;
        case OPT_DOMAINNAME:
                return &o->domainname;
        case 'w':
                return &o->workdir;
        case 'u':
                return &o->user;
        case OPT_ENTRYPOINT:
                o->has_entrypoint = true;
                return &o->entrypoint;
        case OPT_PLATFORM:
                return &o->platform;
        case OPT_NETWORK:
                return &o->network;
        case OPT_IP:
                return &o->ip;
        case OPT_IP6:
                return &o->ip6;
        case OPT_MAC_ADDRESS:
                return &o->mac_address;
        case OPT_CGROUP_PARENT:
                return &o->cgroup_parent;
        case OPT_DETACH_KEYS:
                return &o->detach_keys;
        default:
                return NULL;
        }
}

static char ***list_field(struct vs_run_options *o, int id)
{
        switch (id) {
        case OPT_GROUP_ADD:
                return &o->group_add;
        case 'p':
                return &o->publish;
        case OPT_EXPOSE:
                return &o->expose;
        case OPT_DNS:
                return &o->dns;
        case OPT_DNS_SEARCH:
                return &o->dns_search;
        case OPT_DNS_OPTION:
                return &o->dns_options;
        case OPT_ADD_HOST:
                return &o->add_hosts;
        case OPT_NETWORK_ALIAS:
                return &o->network_aliases;
        case OPT_VOLUMES_FROM:
                return &o->volumes_from;
        default:
                return NULL;
        }
}

static int set_string(char **field, const char *value, struct vs_error *err)
{
        char *copy = strdup(value);
        if (!copy)
                return OOM(err);
        free(*field);
        *field = copy;
        return 0;
}

/* Grow an array of structs by one zeroed element; returns it or NULL. */
static void *grow(void *array_ptr, size_t *n, size_t elem)
{
        void **array = array_ptr;
        char *grown = realloc(*array, (*n + 1) * elem);
        if (!grown)
                return NULL;
        memset(grown + *n * elem, 0, elem);
        *array = grown;
        return grown + (*n)++ * elem;
}

static int add_mount(struct vs_run_options *o, int id, const char *value, struct vs_error *err)
{
        struct vs_run_mount m;
        int r = id == 'v'         ? vs_run_parse_volume(value, &m, err)
                : id == OPT_MOUNT ? vs_run_parse_mount(value, &m, err)
                                  : vs_run_parse_tmpfs(value, &m, err);
        if (r < 0)
                return bad_value(err, id, value);
        struct vs_run_mount *slot = grow(&o->mounts, &o->n_mounts, sizeof(*slot));
        if (!slot) {
                vs_run_mount_clear(&m);
                return OOM(err);
        }
        *slot = m;
        return 0;
}

static int add_throttle(struct vs_run_options *o, int id, const char *value, struct vs_error *err)
{
        struct vs_run_throttle t = {0}, **array;
        size_t *n;
        switch (id) {
        case OPT_READ_BPS:
                array = &o->read_bps, n = &o->n_read_bps;
                break;
        case OPT_WRITE_BPS:
                array = &o->write_bps, n = &o->n_write_bps;
                break;
        case OPT_READ_IOPS:
                array = &o->read_iops, n = &o->n_read_iops;
                break;
        default:
                array = &o->write_iops, n = &o->n_write_iops;
                break;
        }
        if (vs_run_parse_throttle(value, id == OPT_READ_BPS || id == OPT_WRITE_BPS, &t, err) < 0) {
                free(t.path);
                return bad_value(err, id, value);
        }
        struct vs_run_throttle *slot = grow(array, n, sizeof(*slot));
        if (!slot) {
                free(t.path);
                return OOM(err);
        }
        *slot = t;
        return 0;
}

static int add_device(struct vs_run_options *o, const char *value, struct vs_error *err)
{
        struct vs_run_device *d = grow(&o->devices, &o->n_devices, sizeof(*d));
        if (!d)
                return OOM(err);
        if (vs_run_parse_device(value, d, err) < 0)
                return bad_value(err, OPT_DEVICE, value);
        return 0;
}

static int add_ulimit(struct vs_run_options *o, const char *value, struct vs_error *err)
{
        struct vs_run_ulimit u = {0};
        if (vs_run_parse_ulimit(value, &u, err) < 0) {
                free(u.name);
                free(u.type);
                return bad_value(err, OPT_ULIMIT, value);
        }
        /* A later --ulimit of the same name replaces the earlier one. */
        for (size_t i = 0; i < o->n_ulimits; i++)
                if (strcmp(o->ulimits[i].name, u.name) == 0) {
                        free(o->ulimits[i].name);
                        free(o->ulimits[i].type);
                        o->ulimits[i] = u;
                        return 0;
                }
        struct vs_run_ulimit *slot = grow(&o->ulimits, &o->n_ulimits, sizeof(*slot));
        if (!slot) {
                free(u.name);
                free(u.type);
                return OOM(err);
        }
        *slot = u;
        return 0;
}

static int add_capability(char ***list, int id, const char *value, struct vs_error *err)
{
        _cleanup_free_ char *name = NULL;
        if (vs_run_parse_capability(value, &name, err) < 0)
                return bad_value(err, id, value);
        for (char **p = *list; p && *p; p++)
                if (strcmp(*p, name) == 0)
                        return 0;
        return vs_run_strv_add(list, name) < 0 ? OOM(err) : 0;
}

static int add_env(char ***list, const char *value, struct vs_error *err)
{
        _cleanup_free_ char *entry = NULL;
        if (value[0] == '=' || !value[0]) {
                vs_error_set(err, EINVAL, "invalid environment variable: %s", value);
                return bad_value(err, 'e', value);
        }
        if (vs_run_env_value(value, &entry) < 0 || vs_run_strv_add(list, entry) < 0)
                return OOM(err);
        return 0;
}

static int add_label(char ***list, const char *value, struct vs_error *err)
{
        _cleanup_free_ char *entry = NULL;
        if (value[0] == '=' || !value[0]) {
                vs_error_set(err, EINVAL, "invalid label: %s", value);
                return bad_value(err, 'l', value);
        }
        if (asprintf(&entry, "%s%s", value, strchr(value, '=') ? "" : "=") < 0)
                return OOM(err);
        return vs_run_strv_add(list, entry) < 0 ? OOM(err) : 0;
}

static int add_attach(struct vs_run_options *o, const char *value, struct vs_error *err)
{
        static const char *const streams[] = {"stdin", "stdout", "stderr", NULL};
        char lower[8] = "";
        for (size_t i = 0; value[i] && i < sizeof(lower) - 1; i++)
                lower[i] = (char) (value[i] | 0x20);
        if (strlen(value) >= sizeof(lower) || !vs_oci_name_in_list(streams, lower)) {
                vs_error_set(err, EINVAL, "valid streams are STDIN, STDOUT and STDERR");
                return bad_value(err, 'a', value);
        }
        return vs_run_strv_add(&o->attach, lower) < 0 ? OOM(err) : 0;
}

static int add_sysctl(struct vs_run_options *o, const char *value, struct vs_error *err)
{
        if (vs_run_parse_sysctl(value, err) < 0)
                return bad_value(err, OPT_SYSCTL, value);
        return vs_run_strv_add(&o->sysctls, value) < 0 ? OOM(err) : 0;
}

/* -e, -l, files of them, mounts, devices, capabilities, ... (repeatable). */
static int handle_repeated(struct vs_run_options *o, int id, const char *value, struct vs_error *err)
{
        int r;
        switch (id) {
        case 'e':
                return add_env(&o->env, value, err);
        case 'l':
                return add_label(&o->labels, value, err);
        case OPT_ENV_FILE:
        case OPT_LABEL_FILE:
                r = vs_run_read_kv_file(value, id == OPT_ENV_FILE, id == OPT_ENV_FILE ? &o->env : &o->labels, err);
                return r < 0 ? bad_value(err, id, value) : 0;
        case 'v':
        case OPT_MOUNT:
        case OPT_TMPFS:
                return add_mount(o, id, value, err);
        case OPT_DEVICE:
                return add_device(o, value, err);
        case OPT_CAP_ADD:
        case OPT_CAP_DROP:
                return add_capability(id == OPT_CAP_ADD ? &o->cap_add : &o->cap_drop, id, value, err);
        case OPT_ULIMIT:
                return add_ulimit(o, value, err);
        case OPT_SYSCTL:
                return add_sysctl(o, value, err);
        case 'a':
                return add_attach(o, value, err);
        case OPT_SECURITY_OPT:
                return vs_run_parse_security_opt(value, o, err) < 0 ? bad_value(err, id, value) : 0;
        case OPT_LOG_OPT:
                return vs_run_parse_log_opt(value, o, err) < 0 ? bad_value(err, id, value) : 0;
        case OPT_READ_BPS:
        case OPT_WRITE_BPS:
        case OPT_READ_IOPS:
        case OPT_WRITE_IOPS:
                return add_throttle(o, id, value, err);
        default:
                return -ENOENT;
        }
}

/* Sizes and numbers. */
static int handle_resource(struct vs_run_options *o, int id, const char *value, struct vs_error *err)
{
        int64_t v = 0;
        switch (id) {
        case 'm':
        case OPT_MEMORY_RESERVATION:
        case OPT_SHM_SIZE:
                if (vs_parse_size(value, &v) < 0)
                        return bad_size(err, id, value);
                *(id == 'm' ? &o->memory : id == OPT_SHM_SIZE ? &o->shm_size : &o->memory_reservation) = v;
                return 0;
        case OPT_MEMORY_SWAP:
                if (strcmp(value, "-1") != 0 && vs_parse_size(value, &v) < 0)
                        return bad_size(err, id, value);
                o->memory_swap = strcmp(value, "-1") == 0 ? -1 : v;
                return 0;
        case OPT_CPUS:
                return vs_run_parse_cpus(value, &o->nano_cpus, err) < 0 ? bad_value(err, id, value) : 0;
        case OPT_CPUSET_CPUS:
        case OPT_CPUSET_MEMS:
                if (vs_run_parse_cpuset(value, err) < 0)
                        return bad_value(err, id, value);
                return set_string(id == OPT_CPUSET_CPUS ? &o->cpuset_cpus : &o->cpuset_mems, value, err);
        default:
                return -ENOENT;
        }
}

static int handle_number(struct vs_run_options *o, int id, const char *value, struct vs_error *err)
{
        static const struct {
                int id;
                int64_t min, max;
        } ranges[] = {
                {'c', 0, INT64_MAX},
                {OPT_CPU_QUOTA, -1, INT64_MAX},
                {OPT_CPU_PERIOD, 0, 1000000},
                {OPT_PIDS_LIMIT, -1, INT64_MAX},
                {OPT_BLKIO_WEIGHT, 0, 1000},
                {OPT_OOM_SCORE_ADJ, -1000, 1000},
                {OPT_STOP_TIMEOUT, -1, INT32_MAX},
                {OPT_MEMORY_SWAPPINESS, -1, 100},
        };
        size_t i = 0;
        while (i < VS_ARRAY_SIZE(ranges) && ranges[i].id != id)
                i++;
        if (i == VS_ARRAY_SIZE(ranges))
                return -ENOENT;
        int64_t v;
        if (vs_run_parse_int(value, ranges[i].min, ranges[i].max, &v, err) < 0)
                return bad_value(err, id, value);
        if (id == OPT_BLKIO_WEIGHT && v > 0 && v < 10) {
                vs_error_set(err, EINVAL, "range of blkio weight is from 10 to 1000");
                return bad_value(err, id, value);
        }
        switch (id) {
        case 'c':
                o->cpu_shares = v;
                break;
        case OPT_CPU_QUOTA:
                o->cpu_quota = v;
                break;
        case OPT_CPU_PERIOD:
                o->cpu_period = v;
                break;
        case OPT_PIDS_LIMIT:
                o->has_pids_limit = true, o->pids_limit = v;
                break;
        case OPT_BLKIO_WEIGHT:
                o->blkio_weight = (uint16_t) v;
                break;
        case OPT_OOM_SCORE_ADJ:
                o->has_oom_score_adj = true, o->oom_score_adj = (int) v;
                break;
        case OPT_STOP_TIMEOUT:
                o->has_stop_timeout = true, o->stop_timeout = (int) v;
                break;
        default:
                o->memory_swappiness = v;
        }
        return 0;
}

static int handle_enum(struct vs_run_options *o, int id, const char *value, struct vs_error *err)
{
        static const char *const pid_modes[] = {"host", "container:", NULL};
        static const char *const ipc_modes[] = {"host", "container:", "private", "shareable", "none", NULL};
        static const char *const cgroupns_modes[] = {"host", "private", NULL};
        static const char *const pulls[] = {"missing", "always", "never", NULL};
        static const char *const drivers[] = {"json-file", "none", NULL};
        int r = 0, signo;
        switch (id) {
        case OPT_PID:
        case OPT_UTS:
                r = vs_run_parse_namespace(value, pid_modes, id == OPT_PID ? &o->pid : &o->uts, err);
                break;
        case OPT_IPC:
                r = vs_run_parse_namespace(value, ipc_modes, &o->ipc, err);
                break;
        case OPT_CGROUPNS:
                r = vs_run_parse_namespace(value, cgroupns_modes, &o->cgroupns, err);
                break;
        case OPT_RESTART:
                r = vs_run_parse_restart(value, &o->restart, &o->restart_max_retries, err);
                break;
        case OPT_PULL:
                for (o->pull = 0; pulls[o->pull] && strcmp(pulls[o->pull], value) != 0; o->pull++)
                        ;
                if (!pulls[o->pull])
                        r = vs_error_set(err, EINVAL, "must be one of \"always\", \"missing\" or \"never\"");
                break;
        case OPT_LOG_DRIVER:
                if (!vs_oci_name_in_list(drivers, value))
                        r = vs_error_set(err, EINVAL, "logging driver %s is not supported (json-file, none)", value);
                return r < 0 ? bad_value(err, id, value) : set_string(&o->log_driver, value, err);
        case OPT_USERNS:
                if (strcmp(value, "host") != 0 && value[0])
                        r = vs_error_set(err, EINVAL, "invalid USER mode (host is the only one)");
                o->userns_host = value[0] != '\0';
                break;
        case OPT_RUNTIME: /* an OCI runtime binary's absolute path, or "vessel" (in-process) */
                if (value[0] != '/' && strcmp(value, "vessel") != 0)
                        r = vs_error_set(err, EINVAL, "must be an absolute path or \"vessel\"");
                return r < 0 ? bad_value(err, id, value) : set_string(&o->runtime, value, err);
        case OPT_STOP_SIGNAL:
                if (vs_signal_parse(value, &signo, err) < 0)
                        return bad_value(err, id, value);
                return set_string(&o->stop_signal, value, err);
        default:
                return -ENOENT;
        }
        return r < 0 ? bad_value(err, id, value) : 0;
}

static int handle_option(struct vs_run_options *o, int id, const char *value, struct vs_error *err)
{
        bool *b = bool_field(o, id);
        if (b)
                return set_bool(b, id, value, err);
        char **s = string_field(o, id);
        if (s)
                return set_string(s, value, err);
        char ***list = list_field(o, id);
        if (list)
                return vs_run_strv_add(list, value) < 0 ? OOM(err) : 0;
        int r = handle_repeated(o, id, value, err);
        if (r == -ENOENT)
                r = handle_resource(o, id, value, err);
        if (r == -ENOENT)
                r = handle_number(o, id, value, err);
        if (r == -ENOENT)
                r = handle_enum(o, id, value, err);
        if (r == -ENOENT)
                r = vs_error_set(err, EINVAL, "unhandled flag %d", id);
        return r;
}

/* ---- the command line ---- */

/* getopt's complaint in docker's words. */
static int getopt_error(int c, char **argv, struct vs_error *err)
{
        const char *arg = argv[optind - 1];
        bool is_long = strncmp(arg, "--", 2) == 0;
        if (c == ':' && is_long)
                return vs_error_set(err, EINVAL, "flag needs an argument: %.*s", (int) strcspn(arg, "="), arg);
        if (c == ':')
                return vs_error_set(err, EINVAL, "flag needs an argument: '%c' in -%c", optopt, optopt);
        if (is_long && optopt)
                return vs_error_set(err, EINVAL, "bad flag syntax: %s (the flag takes no value)", arg);
        if (is_long)
                return vs_error_set(err, EINVAL, "unknown flag: %.*s", (int) strcspn(arg, "="), arg);
        return vs_error_set(err, EINVAL, "unknown shorthand flag: '%c' in %s", optopt, arg);
}

static int positional(int argc, char **argv, struct vs_run_options *o, struct vs_error *err)
{
        if (optind >= argc)
                return vs_error_set(err, EINVAL,
                                    "\"%s\" requires at least 1 argument (usage: vessel %s [OPTIONS] IMAGE [COMMAND] "
                                    "[ARG...])",
                                    argv[0], argv[0]);
        if (!(o->image = strdup(argv[optind++])))
                return OOM(err);
        for (int i = optind; i < argc; i++)
                if (vs_run_strv_add(&o->command, argv[i]) < 0)
                        return OOM(err);
        return 0;
}

/* Docker's checks of one flag against another (client and daemon). */
static int check_conflicts(const struct vs_run_options *o, struct vs_error *err)
{
        if (o->detach && o->attach)
                return vs_error_set(err, EINVAL, "conflicting options: -a and -d");
        if (o->remove && o->restart != VS_RESTART_NO)
                return vs_error_set(err, EINVAL, "conflicting options: --restart and --rm");
        if (o->nano_cpus && (o->cpu_quota || o->cpu_period))
                return vs_error_set(err, EINVAL,
                                    "conflicting options: --cpus and --cpu-quota/--cpu-period cannot "
                                    "both be set");
        if (o->memory && o->memory < 6 * 1024 * 1024)
                return vs_error_set(err, EINVAL, "minimum memory limit allowed is 6MB (-m, --memory)");
        if (o->memory_swap > 0 && !o->memory)
                return vs_error_set(err, EINVAL,
                                    "you should always set the memory limit when using the memoryswap "
                                    "limit (--memory-swap needs -m, --memory)");
        if (o->memory_swap > 0 && o->memory_swap < o->memory)
                return vs_error_set(err, EINVAL,
                                    "minimum memoryswap limit should be larger than memory limit "
                                    "(--memory-swap)");
        if (o->memory && o->memory_reservation > o->memory)
                return vs_error_set(err, EINVAL,
                                    "minimum memory limit can not be less than memory reservation limit "
                                    "(--memory-reservation)");
        if (o->cpu_period && o->cpu_period < 1000)
                return vs_error_set(err, EINVAL,
                                    "CPU cfs period can not be less than 1ms (i.e. 1000) "
                                    "(--cpu-period)");
        if (o->cpu_quota > 0 && o->cpu_quota < 1000)
                return vs_error_set(err, EINVAL, "CPU cfs quota can not be less than 1ms (i.e. 1000) (--cpu-quota)");
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        if (ncpu > 0 && o->nano_cpus > ncpu * 1000000000LL)
                return vs_error_set(err, EINVAL,
                                    "range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available "
                                    "(--cpus)",
                                    ncpu, ncpu);
        if (o->network && strcmp(o->network, "host") == 0 && o->hostname)
                return vs_error_set(err, EINVAL, "conflicting options: hostname and the network mode");
        return 0;
}

static int parse_flags(int argc, char **argv, struct vs_run_options *o, struct vs_error *err)
{
        int c;
        optind = 0; /* a full re-initialisation of glibc's getopt */
        opterr = 0;
        int before = 1, index = -1;
        while ((c = getopt_long(argc, argv, shortopts, longopts, &index)) != -1) {
                if (c == '?' || c == ':')
                        return getopt_error(c, argv, err);
                /* getopt_long takes "--mem" for --memory; docker does not. */
                const char *arg = argv[before];
                if (index >= 0 && strcspn(arg + 2, "=") != strlen(longopts[index].name))
                        return vs_error_set(err, EINVAL, "unknown flag: %.*s", (int) strcspn(arg, "="), arg);
                index = -1;
                before = optind;
                if (c == OPT_HELP) {
                        o->help = true;
                        return 0;
                }
                int r = handle_option(o, c, optarg, err);
                if (r < 0)
                        return r;
        }
        int r = positional(argc, argv, o, err);
        return r < 0 ? r : check_conflicts(o, err);
}

int vs_run_options_parse(int argc, char **argv, struct vs_run_options *ret, struct vs_error *err)
{
        struct vs_run_options o = {.sig_proxy = true, .procfs = true, .memory_swappiness = -1};
        int r = parse_flags(argc, argv, &o, err);
        if (r < 0) {
                vs_run_options_free(&o);
                *ret = (struct vs_run_options){0};
                return r;
        }
        *ret = o;
        return 0;
}

static void free_throttles(struct vs_run_throttle *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].path);
        free(t);
}

static void free_lists(struct vs_run_options *o)
{
        char **lists[] = {o->command,     o->attach,     o->env,          o->labels,  o->group_add, o->cap_add,
                          o->cap_drop,    o->label_opts, o->publish,      o->expose,  o->dns,       o->dns_search,
                          o->dns_options, o->add_hosts,  o->volumes_from, o->sysctls, o->log_opts,  o->network_aliases};
        for (size_t i = 0; i < VS_ARRAY_SIZE(lists); i++)
                vs_strv_free(lists[i]);
}

void vs_run_options_free(struct vs_run_options *o)
{
        char *strings[] = {o->image,
                           o->name,
                           o->detach_keys,
                           o->platform,
                           o->stop_signal,
                           o->entrypoint,
                           o->workdir,
                           o->user,
                           o->hostname,
                           o->domainname,
                           o->seccomp_profile,
                           o->apparmor_profile,
                           o->network,
                           o->ip,
                           o->ip6,
                           o->mac_address,
                           o->cpuset_cpus,
                           o->cpuset_mems,
                           o->cgroup_parent,
                           o->log_driver,
                           o->pid.container,
                           o->ipc.container,
                           o->uts.container,
                           o->cgroupns.container};
        for (size_t i = 0; i < VS_ARRAY_SIZE(strings); i++)
                free(strings[i]);
        free(o->runtime);
        free_lists(o);
        for (size_t i = 0; i < o->n_mounts; i++)
                vs_run_mount_clear(&o->mounts[i]);
        free(o->mounts);
        for (size_t i = 0; i < o->n_devices; i++) {
                free(o->devices[i].host_path);
                free(o->devices[i].container_path);
                free(o->devices[i].permissions);
        }
        free(o->devices);
        for (size_t i = 0; i < o->n_ulimits; i++) {
                free(o->ulimits[i].name);
                free(o->ulimits[i].type);
        }
        free(o->ulimits);
        free_throttles(o->read_bps, o->n_read_bps);
        free_throttles(o->write_bps, o->n_write_bps);
        free_throttles(o->read_iops, o->n_read_iops);
        free_throttles(o->write_iops, o->n_write_iops);
        *o = (struct vs_run_options){0};
}
