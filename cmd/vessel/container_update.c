/* vessel update: new resource limits (and restart policy) for containers.
 * The values are parsed as run parses them (same checks, same words); a
 * running container's cgroups are changed first (the runtime's update path,
 * src/cgroup/resources.h), and only then are its config.json and its
 * record's HostConfig rewritten, so that a refused value changes nothing and
 * a restart keeps what was applied. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/resources.h"
#include "container_admin.h"
#include "engine/run_options.h"
#include "oci/resources_parse.h"
#include "util/cleanup.h"
#include "util/files.h"
#include "util/log.h"

#define UPDATE_USAGE "update [OPTIONS] CONTAINER [CONTAINER...]"

static const char update_help[] =
        "      --blkio-weight uint16        Block IO (relative weight), between 10 and 1000, or 0 to disable "
        "(default 0)\n"
        "      --cpu-period int             Limit CPU CFS (Completely Fair Scheduler) period\n"
        "      --cpu-quota int              Limit CPU CFS (Completely Fair Scheduler) quota\n"
        "  -c, --cpu-shares int             CPU shares (relative weight)\n"
        "      --cpus decimal               Number of CPUs\n"
        "      --cpuset-cpus string         CPUs in which to allow execution (0-3, 0,1)\n"
        "      --cpuset-mems string         MEMs in which to allow execution (0-3, 0,1)\n"
        "  -m, --memory bytes               Memory limit\n"
        "      --memory-reservation bytes   Memory soft limit\n"
        "      --memory-swap bytes          Swap limit equal to memory plus swap: -1 to enable unlimited swap\n"
        "      --pids-limit int             Tune container pids limit (set -1 for unlimited)\n"
        "      --restart string             Restart policy to apply when a container exits\n";

struct update_args {
        struct vs_run_options o;
        bool restart; /* --restart given */
};

static const struct option update_longopts[] = {
        {"blkio-weight", required_argument, NULL, 1000},
        {"cpu-period", required_argument, NULL, 1001},
        {"cpu-quota", required_argument, NULL, 1002},
        {"cpu-shares", required_argument, NULL, 'c'},
        {"cpus", required_argument, NULL, 1004},
        {"cpuset-cpus", required_argument, NULL, 1005},
        {"cpuset-mems", required_argument, NULL, 1006},
        {"memory", required_argument, NULL, 'm'},
        {"memory-reservation", required_argument, NULL, 1008},
        {"memory-swap", required_argument, NULL, 1009},
        {"pids-limit", required_argument, NULL, 1010},
        {"restart", required_argument, NULL, 1011},
        {"help", no_argument, NULL, 'h'},
        {0},
};

static const char *long_name(int c)
{
        for (const struct option *o = update_longopts; o->name; o++)
                if (o->val == c)
                        return o->name;
        return NULL;
}

/* Collect the flags as "--name" "value" pairs, then let run's parser check them. */
static int parse_update(int argc, char **argv, struct update_args *a)
{
        char *pass[130], names[64][40];
        int n = 1, c, k = 0;
        pass[0] = (char *) "update";
        while ((c = next_option(argc, argv, "c:m:h", update_longopts)) != -1) {
                if (c == 'h') {
                        print_help(UPDATE_USAGE, "Update configuration of one or more containers", update_help);
                        return 1;
                }
                if (c < 0 || !long_name(c))
                        return 125;
                if (k == 64)
                        return fail_usage("too many flags");
                a->restart |= c == 1011;
                snprintf(names[k], sizeof(names[k]), "--%s", long_name(c));
                pass[n++] = names[k++];
                pass[n++] = optarg;
        }
        if (!want_args(argc, argv, 1, -1, UPDATE_USAGE))
                return 125;
        if (n == 1)
                return fail_usage("you must provide one or more flags when using this command");
        pass[n++] = (char *) "image";
        pass[n] = NULL;
        int first = optind;
        struct vs_error err = VS_ERROR_INIT;
        optind = 0;
        int r = vs_run_options_parse(n, pass, &a->o, &err);
        optind = first;
        return r < 0 ? fail_usage("%s", err.msg) : 0;
}

static void set_i64(json_t *obj, const char *key, int64_t v)
{
        json_object_set_new(obj, key, json_integer(v));
}

/* linux.resources with only the fields the flags change. */
static json_t *resources_delta(const struct vs_run_options *o)
{
        json_t *res = json_object(), *mem = json_object(), *cpu = json_object();
        if (o->memory)
                set_i64(mem, "limit", o->memory);
        if (o->memory_reservation)
                set_i64(mem, "reservation", o->memory_reservation);
        if (o->memory_swap)
                set_i64(mem, "swap", o->memory_swap);
        if (o->cpu_shares)
                set_i64(cpu, "shares", o->cpu_shares);
        if (o->nano_cpus) {
                set_i64(cpu, "quota", o->nano_cpus / 10000);
                set_i64(cpu, "period", 100000);
        }
        if (o->cpu_quota)
                set_i64(cpu, "quota", o->cpu_quota);
        if (o->cpu_period)
                set_i64(cpu, "period", o->cpu_period);
        if (o->cpuset_cpus)
                json_object_set_new(cpu, "cpus", json_string(o->cpuset_cpus));
        if (o->cpuset_mems)
                json_object_set_new(cpu, "mems", json_string(o->cpuset_mems));
        json_object_size(mem) ? json_object_set_new(res, "memory", mem) : json_decref(mem);
        json_object_size(cpu) ? json_object_set_new(res, "cpu", cpu) : json_decref(cpu);
        if (o->has_pids_limit)
                json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t) o->pids_limit));
        if (o->blkio_weight)
                json_object_set_new(res, "blockIO", json_pack("{s:i}", "weight", o->blkio_weight));
        return res;
}

/* docker's check against what is set: memory above the swap limit already set. */
static int check_against(json_t *current, const struct vs_run_options *o, struct vs_error *err)
{
        json_int_t swap = json_integer_value(json_object_get(json_object_get(current, "memory"), "swap"));
        if (o->memory && !o->memory_swap && swap > 0 && o->memory > swap)
                return vs_error_set(err, EINVAL,
                                    "Memory limit should be smaller than already set memoryswap limit, update the "
                                    "memoryswap at the same time");
        return 0;
}

/* Write the delta into the running container's cgroups. */
static int apply_live(const struct globals *g, const struct vs_container *c, json_t *delta, struct vs_error *err)
{
        _cleanup_free_ char *text = json_dumps(delta, JSON_COMPACT);
        struct vs_oci_resources *res = NULL;
        struct vs_state st;
        int r = text ? vs_oci_resources_parse(text, strlen(text), "update", &res, err)
                     : vs_error_set(err, ENOMEM, "out of memory");
        if (r < 0)
                return r;
        r = container_runtime_state(g, c, &st, err);
        unsigned warnings = 0;
        if (r == 0) {
                r = vs_cgroup_apply_resources(st.cgroup_dirs, res, true, &warnings, err);
                vs_state_clear(&st);
        }
        for (unsigned bit = 1; bit && bit <= warnings; bit <<= 1)
                if (warnings & bit)
                        vs_log_warning("%s", vs_cgroup_warning_text(bit));
        vs_oci_resources_free_all(res);
        return r < 0 ? vs_error_wrap(err, "Cannot update container %.64s", c->id) : 0;
}

/* HostConfig as docker keeps it, for inspect and the restart policy. */
static char *host_config_update(const char *text, const struct update_args *a)
{
        static const char *const policies[] = {
                [VS_RESTART_NO] = "no",
                [VS_RESTART_ALWAYS] = "always",
                [VS_RESTART_UNLESS_STOPPED] = "unless-stopped",
                [VS_RESTART_ON_FAILURE] = "on-failure",
        };
        const struct vs_run_options *o = &a->o;
        json_t *hc = json_loads(text && text[0] ? text : "{}", 0, NULL);
        if (!json_is_object(hc)) {
                json_decref(hc);
                hc = json_object();
        }
        if (o->memory)
                set_i64(hc, "Memory", o->memory);
        if (o->memory_reservation)
                set_i64(hc, "MemoryReservation", o->memory_reservation);
        if (o->memory_swap)
                set_i64(hc, "MemorySwap", o->memory_swap);
        if (o->nano_cpus)
                set_i64(hc, "NanoCpus", o->nano_cpus);
        if (o->cpu_shares)
                set_i64(hc, "CpuShares", o->cpu_shares);
        if (o->cpu_quota)
                set_i64(hc, "CpuQuota", o->cpu_quota);
        if (o->cpu_period)
                set_i64(hc, "CpuPeriod", o->cpu_period);
        if (o->cpuset_cpus)
                json_object_set_new(hc, "CpusetCpus", json_string(o->cpuset_cpus));
        if (o->cpuset_mems)
                json_object_set_new(hc, "CpusetMems", json_string(o->cpuset_mems));
        if (o->has_pids_limit)
                set_i64(hc, "PidsLimit", o->pids_limit);
        if (o->blkio_weight)
                set_i64(hc, "BlkioWeight", o->blkio_weight);
        if (a->restart)
                json_object_set_new(hc, "RestartPolicy",
                                    json_pack("{s:s,s:i}", "Name", policies[o->restart], "MaximumRetryCount",
                                              o->restart_max_retries));
        char *out = json_dumps(hc, JSON_COMPACT);
        json_decref(hc);
        return out;
}

static int write_config(const struct ctr_paths *p, json_t *cfg, struct vs_error *err)
{
        _cleanup_free_ char *text = json_dumps(cfg, JSON_INDENT(2));
        if (!text)
                return vs_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int dirfd = open(p->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return vs_error_syscall(err, "cannot open %s", p->rundir);
        return vs_write_file_replace(dirfd, "config.json", text, strlen(text), 0600, err);
}

/* Live cgroups, then config.json, then the record. */
static int update_container(const struct globals *g, struct vs_store *s, struct vs_container *c,
                            const struct update_args *a, struct vs_error *err)
{
        if (a->restart && c->auto_remove && a->o.restart != VS_RESTART_NO)
                return vs_error_set(err, EINVAL,
                                    "Restart policy cannot be updated because AutoRemove is enabled for the container");
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        json_error_t jerr;
        json_t *cfg = json_load_file(p.config, 0, &jerr);
        if (!cfg)
                return vs_error_set(err, EINVAL, "%s: %s", p.config, jerr.text);
        json_t *linux_ = json_object_get(cfg, "linux");
        if (!json_is_object(linux_))
                json_object_set_new(cfg, "linux", linux_ = json_object());
        json_t *res = json_object_get(linux_, "resources");
        if (!json_is_object(res))
                json_object_set_new(linux_, "resources", res = json_object());
        json_t *delta = resources_delta(&a->o);
        int r = check_against(res, &a->o, err);
        if (r == 0 && json_object_size(delta) && strcmp(c->state, "running") == 0)
                r = apply_live(g, c, delta, err);
        if (r == 0 && json_object_size(delta)) {
                json_object_update_recursive(res, delta);
                r = write_config(&p, cfg, err);
        }
        json_decref(delta);
        json_decref(cfg);
        _cleanup_free_ char *hc = r == 0 ? host_config_update(c->host_config, a) : NULL;
        if (r == 0 && !hc)
                r = vs_error_set(err, ENOMEM, "out of memory");
        if (r == 0)
                r = vs_container_set_config(s->db, c->id, c->config ? c->config : "{}", hc, err);
        return r;
}

int cmd_update(const struct globals *g, int argc, char **argv)
{
        struct update_args a = {0};
        int r = parse_update(argc, argv, &a);
        if (r != 0) {
                vs_run_options_free(&a.o);
                return r == 1 ? 0 : r;
        }
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (engine_open(g, &s, &err) < 0) {
                vs_run_options_free(&a.o);
                return fail(&err);
        }
        int status = 0;
        for (int i = optind; i < argc; i++) {
                struct vs_container c = {0};
                r = vs_container_find(s->db, argv[i], &c, &err);
                if (r == 0) {
                        container_refresh(g, s, &c);
                        r = update_container(g, s, &c, &a, &err);
                }
                vs_container_free(&c);
                if (r < 0) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                } else {
                        printf("%s\n", argv[i]);
                }
        }
        vs_store_close(s);
        vs_run_options_free(&a.o);
        return status;
}
