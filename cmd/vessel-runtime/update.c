/* vessel-runtime update: change the resources of a created, running or
 * paused container. runc's flags, or --resources FILE|- with a
 * LinuxResources JSON object (what containerd and podman send); flags given
 * with --resources override its fields. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cgroup/resources.h"
#include "commands.h"
#include "oci/resources_parse.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/files.h"
#include "util/log.h"

enum {
        OPT_RESOURCES = 'r',
        OPT_BLKIO_WEIGHT = 1000,
        OPT_CPU_PERIOD,
        OPT_CPU_QUOTA,
        OPT_CPU_SHARE,
        OPT_CPU_RT_PERIOD,
        OPT_CPU_RT_RUNTIME,
        OPT_CPUSET_CPUS,
        OPT_CPUSET_MEMS,
        OPT_KERNEL_MEMORY,
        OPT_KERNEL_MEMORY_TCP,
        OPT_MEMORY,
        OPT_MEMORY_RESERVATION,
        OPT_MEMORY_SWAP,
        OPT_PIDS_LIMIT,
        OPT_L3_CACHE_SCHEMA,
        OPT_MEM_BW_SCHEMA,
};

static const struct option longopts[] = {
        {"resources", required_argument, NULL, OPT_RESOURCES},
        {"blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT},
        {"cpu-period", required_argument, NULL, OPT_CPU_PERIOD},
        {"cpu-quota", required_argument, NULL, OPT_CPU_QUOTA},
        {"cpu-share", required_argument, NULL, OPT_CPU_SHARE},
        {"cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD},
        {"cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME},
        {"cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS},
        {"cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS},
        {"kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY},
        {"kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY_TCP},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION},
        {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
        {"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
        {"l3-cache-schema", required_argument, NULL, OPT_L3_CACHE_SCHEMA},
        {"mem-bw-schema", required_argument, NULL, OPT_MEM_BW_SCHEMA},
        {0},
};

static const char *flag_name(int opt)
{
        for (const struct option *o = longopts; o->name; o++)
                if (o->val == opt)
                        return o->name;
        return "?";
}

/* A number, "-1", or for memory flags a size like "100m", "1g", "512KiB" (runc's RAMInBytes). */
static int parse_number(int opt, const char *text, bool size, int64_t *ret, struct vs_error *err)
{
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (end == text || errno)
                return vs_error_set(err, EINVAL, "update: --%s: invalid value \"%s\"", flag_name(opt), text);
        int64_t mult = 1;
        if (size && *end) {
                const char *units = "kmgtp";
                const char *u = strchr(units, tolower((unsigned char) *end));
                if (!u)
                        return vs_error_set(err, EINVAL, "update: --%s: invalid size \"%s\"", flag_name(opt), text);
                for (const char *p = units; p <= u; p++)
                        mult *= 1024;
                end++;
                if (strcasecmp(end, "ib") == 0 || strcasecmp(end, "b") == 0)
                        end += strlen(end);
        } else if (size && !*end) {
                mult = 1;
        }
        if (*end)
                return vs_error_set(err, EINVAL, "update: --%s: invalid value \"%s\"", flag_name(opt), text);
        *ret = (int64_t) v * mult;
        return 0;
}

static int read_resources(const char *path, struct vs_oci_resources **ret, struct vs_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = vs_read_file(strcmp(path, "-") == 0 ? "/dev/stdin" : path, &data, &len, err);
        if (r < 0)
                return vs_error_wrap(err, "update: --resources");
        return vs_oci_resources_parse(data, len, strcmp(path, "-") == 0 ? "--resources -" : path, ret, err);
}

static int ensure_parts(struct vs_oci_resources *res, int opt, struct vs_error *err)
{
        if (opt >= OPT_CPU_PERIOD && opt <= OPT_CPUSET_MEMS && !res->cpu && !(res->cpu = calloc(1, sizeof(*res->cpu))))
                return vs_error_errno(err, ENOMEM, "update");
        if (opt >= OPT_KERNEL_MEMORY && opt <= OPT_MEMORY_SWAP && !res->memory &&
            !(res->memory = calloc(1, sizeof(*res->memory))))
                return vs_error_errno(err, ENOMEM, "update");
        if (opt == OPT_BLKIO_WEIGHT && !res->block_io && !(res->block_io = calloc(1, sizeof(*res->block_io))))
                return vs_error_errno(err, ENOMEM, "update");
        return 0;
}

static int set_string(char **slot, const char *value, struct vs_error *err)
{
        free(*slot);
        *slot = strdup(value);
        return *slot ? 0 : vs_error_errno(err, ENOMEM, "update");
}

static int unsigned_value(int opt, int64_t v, struct vs_oci_u64 *slot, struct vs_error *err)
{
        if (v < 0)
                return vs_error_set(err, EINVAL, "update: --%s: must not be negative, got %" PRId64, flag_name(opt), v);
        *slot = (struct vs_oci_u64){true, (uint64_t) v};
        return 0;
}

/* Put one flag's value into res. */
static int apply_flag(struct vs_oci_resources *res, int opt, const char *arg, struct vs_error *err)
{
        if (opt == OPT_L3_CACHE_SCHEMA || opt == OPT_MEM_BW_SCHEMA)
                return vs_error_set(err, ENOTSUP, "update: --%s: Intel RDT is not supported by vessel-runtime",
                                    flag_name(opt));
        if (ensure_parts(res, opt, err) < 0)
                return -err->code;
        if (opt == OPT_CPUSET_CPUS)
                return set_string(&res->cpu->cpus, arg, err);
        if (opt == OPT_CPUSET_MEMS)
                return set_string(&res->cpu->mems, arg, err);
        bool size = opt >= OPT_KERNEL_MEMORY && opt <= OPT_MEMORY_SWAP;
        int64_t v = 0;
        if (parse_number(opt, arg, size, &v, err) < 0)
                return -err->code;
        struct vs_oci_i64 i64 = {true, v};
        switch (opt) {
        case OPT_BLKIO_WEIGHT:
                return unsigned_value(opt, v, &res->block_io->weight, err);
        case OPT_CPU_PERIOD:
                return unsigned_value(opt, v, &res->cpu->period, err);
        case OPT_CPU_QUOTA:
                res->cpu->quota = i64;
                return 0;
        case OPT_CPU_SHARE:
                return unsigned_value(opt, v, &res->cpu->shares, err);
        case OPT_CPU_RT_PERIOD:
                return unsigned_value(opt, v, &res->cpu->realtime_period, err);
        case OPT_CPU_RT_RUNTIME:
                res->cpu->realtime_runtime = i64;
                return 0;
        case OPT_KERNEL_MEMORY:
                res->memory->kernel = i64;
                return 0;
        case OPT_KERNEL_MEMORY_TCP:
                res->memory->kernel_tcp = i64;
                return 0;
        case OPT_MEMORY:
                res->memory->limit = i64;
                return 0;
        case OPT_MEMORY_RESERVATION:
                res->memory->reservation = i64;
                return 0;
        case OPT_MEMORY_SWAP:
                res->memory->swap = i64;
                return 0;
        case OPT_PIDS_LIMIT:
                res->has_pids_limit = true;
                res->pids_limit = v;
                return 0;
        default:
                return vs_error_set(err, EINVAL, "update: unknown flag");
        }
}

static void print_warnings(unsigned warnings)
{
        for (unsigned bit = 1; bit && bit <= warnings; bit <<= 1)
                if (warnings & bit)
                        vs_log_warning("%s", vs_cgroup_warning_text(bit));
}

static int update_container(const struct globals *g, const char *id, const struct vs_oci_resources *res,
                            struct vs_error *err)
{
        _cleanup_close_ int lockfd = -1;
        struct vs_state st;
        if (load_container(g, id, &lockfd, &st, err) < 0)
                return -err->code;
        int r = 0;
        unsigned warnings = 0;
        if (st.status == VS_STATUS_STOPPED)
                r = vs_error_set(err, EINVAL, "cannot update container %s: container not running", id);
        else
                r = vs_cgroup_apply_resources(st.cgroup_dirs, res, true, &warnings, err);
        vs_state_clear(&st);
        print_warnings(warnings);
        return r;
}

int cmd_update(const struct globals *g, int argc, char **argv)
{
        struct {
                int opt;
                const char *arg;
        } flags[32];
        size_t n = 0;
        const char *resources_file = NULL;
        int c;
        while ((c = next_option(argc, argv, "+r:", longopts, "update")) != -1) {
                if (c < 0 || c == '?')
                        return 1;
                if (c == OPT_RESOURCES)
                        resources_file = optarg;
                else if (n < VS_ARRAY_SIZE(flags))
                        flags[n++] = (typeof(flags[0])){c, optarg};
        }
        if (!want_args(argc, argv, 1, "update [--resources FILE|-] [runc's update flags] ID"))
                return 1;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_resources *res = NULL;
        if (resources_file ? read_resources(resources_file, &res, &err) < 0
                           : !(res = calloc(1, sizeof(*res))) && vs_error_errno(&err, ENOMEM, "update") < 0)
                return fail(&err);
        int r = 0;
        for (size_t i = 0; r == 0 && i < n; i++)
                r = apply_flag(res, flags[i].opt, flags[i].arg, &err);
        if (r == 0)
                r = update_container(g, argv[optind], res, &err);
        vs_oci_resources_free_all(res);
        return r < 0 ? fail(&err) : 0;
}
