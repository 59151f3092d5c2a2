/* vessel stats: docker's live table of a container's use of CPU, memory,
 * network, block I/O and pids, from its cgroups (src/cgroup/stats.h) and
 * its init's /proc/PID/net/dev. CPU % is the container's CPU time over
 * the host's in the same interval, times the host's CPUs, as docker's. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/stats.h"
#include "container_admin.h"
#include "format.h"
#include "util/cleanup.h"

#define STATS_USAGE "stats [OPTIONS] [CONTAINER...]"
#define STATS_TABLE                                                                                                    \
        "table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}"

static const struct header_name stats_headers[] = {
        {"ID", "CONTAINER ID"}, {"Container", "CONTAINER"},        {"Name", "NAME"},
        {"CPUPerc", "CPU %"},   {"MemUsage", "MEM USAGE / LIMIT"}, {"MemPerc", "MEM %"},
        {"NetIO", "NET I/O"},   {"BlockIO", "BLOCK I/O"},          {"PIDs", "PIDS"},
        {NULL, NULL},
};

struct sample {
        bool live;
        uint64_t cpu, system; /* ns: the container's, the host's */
        uint64_t mem, limit, net_rx, net_tx, blk_read, blk_write, pids;
};

/* The host's CPU time in ns (the "cpu" line of /proc/stat) and its CPUs. */
static uint64_t host_cpu(unsigned *ncpu)
{
        FILE *f = fopen("/proc/stat", "re");
        if (!f)
                return 0;
        char line[512];
        uint64_t total = 0;
        *ncpu = 0;
        while (fgets(line, sizeof(line), f)) {
                if (strncmp(line, "cpu ", 4) == 0) {
                        char *p = line + 4, *end;
                        for (uint64_t v; (v = strtoull(p, &end, 10)), end != p; p = end)
                                total += v;
                } else if (strncmp(line, "cpu", 3) == 0) {
                        (*ncpu)++;
                }
        }
        fclose(f);
        return total * (1000000000 / (uint64_t) sysconf(_SC_CLK_TCK));
}

static uint64_t host_memory(void)
{
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        return pages > 0 && size > 0 ? (uint64_t) pages * (uint64_t) size : 0;
}

/* Bytes received and sent on every interface but lo, in the init's network namespace. */
static void net_io(int pid, uint64_t *rx, uint64_t *tx)
{
        char path[64], line[512];
        snprintf(path, sizeof(path), "/proc/%d/net/dev", pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                char *name = line + strspn(line, " ");
                unsigned long long v[9];
                if (strcmp(name, "lo") == 0 || sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                                                      &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) != 9)
                        continue;
                *rx += v[0];
                *tx += v[8];
        }
        fclose(f);
}

static void take_sample(const struct globals *g, const struct vs_container *c, struct sample *out)
{
        memset(out, 0, sizeof(*out));
        struct vs_state st;
        struct vs_error err = VS_ERROR_INIT;
        if (strcmp(c->state, "running") != 0 || container_runtime_state(g, c, &st, &err) < 0) {
                vs_error_ignore(&err);
                return;
        }
        struct vs_cgroup_stats cs = {0};
        if (vs_cgroup_stats(st.cgroup_dirs, &cs, &err) == 0) {
                out->live = true;
                unsigned n;
                out->system = host_cpu(&n);
                out->cpu = cs.cpu.total;
                uint64_t usage = cs.memory.usage.usage;
                out->mem = usage > cs.memory.cache ? usage - cs.memory.cache : usage;
                out->limit = cs.memory.usage.limit;
                uint64_t host = host_memory();
                if (!out->limit || (host && out->limit > host))
                        out->limit = host;
                for (size_t i = 0; i < cs.n_io_bytes; i++) {
                        if (strcmp(cs.io_bytes[i].op, "Read") == 0)
                                out->blk_read += cs.io_bytes[i].value;
                        else if (strcmp(cs.io_bytes[i].op, "Write") == 0)
                                out->blk_write += cs.io_bytes[i].value;
                }
                out->pids = cs.pids.current;
                net_io(st.pid, &out->net_rx, &out->net_tx);
        }
        vs_error_ignore(&err);
        vs_state_clear(&st);
}

/* go-units' BytesSize: binary units, 4 significant digits. */
static void bytes_size(uint64_t bytes, char *buf, size_t size)
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = (double) bytes;
        size_t u = 0;
        while (v >= 1024.0 && u + 1 < VS_ARRAY_SIZE(units)) {
                v /= 1024.0;
                u++;
        }
        snprintf(buf, size, "%.4g%s", v, units[u]);
}

static json_t *stats_row(const struct vs_container *c, const struct sample *a, const struct sample *b, unsigned ncpu,
                         bool no_trunc)
{
        char id[80], cpu[32] = "0.00%", mem[80], memp[32] = "0.00%", net[80], blk[80], pids[32];
        snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, c->id);
        if (b->live && a->live && b->system > a->system && b->cpu >= a->cpu)
                snprintf(cpu, sizeof(cpu), "%.2f%%",
                         (double) (b->cpu - a->cpu) / (double) (b->system - a->system) * ncpu * 100.0);
        char u[32], l[32], x[32], y[32];
        bytes_size(b->mem, u, sizeof(u));
        bytes_size(b->limit, l, sizeof(l));
        snprintf(mem, sizeof(mem), "%s / %s", u, l);
        if (b->limit)
                snprintf(memp, sizeof(memp), "%.2f%%", (double) b->mem / (double) b->limit * 100.0);
        human_size((int64_t) b->net_rx, x, sizeof(x));
        human_size((int64_t) b->net_tx, y, sizeof(y));
        snprintf(net, sizeof(net), "%s / %s", x, y);
        human_size((int64_t) b->blk_read, x, sizeof(x));
        human_size((int64_t) b->blk_write, y, sizeof(y));
        snprintf(blk, sizeof(blk), "%s / %s", x, y);
        snprintf(pids, sizeof(pids), "%" PRIu64, b->pids);
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id, "Container", c->name, "Name", c->name,
                         "CPUPerc", cpu, "MemUsage", mem, "MemPerc", memp, "NetIO", net, "BlockIO", blk, "PIDs", pids);
}

struct stats_opts {
        bool all, no_stream, no_trunc;
        const char *format;
        char **names; /* the containers asked for, or NULL: every running one (-a: every one) */
        int n_names;
};

/* The containers to show, reconciled; an unknown name is an error. */
static int stats_targets(const struct globals *g, struct vs_store *s, const struct stats_opts *o,
                         struct vs_container **ret, size_t *n, struct vs_error *err)
{
        if (!o->names) {
                int r = vs_container_list(s->db, ret, n, err);
                for (size_t i = 0; r == 0 && i < *n; i++)
                        container_refresh(g, s, &(*ret)[i]);
                size_t kept = 0;
                for (size_t i = 0; r == 0 && i < *n; i++) {
                        if (o->all || strcmp((*ret)[i].state, "running") == 0)
                                (*ret)[kept++] = (*ret)[i];
                        else
                                vs_container_free(&(*ret)[i]);
                }
                *n = r == 0 ? kept : *n;
                return r;
        }
        struct vs_container *cs = calloc((size_t) o->n_names, sizeof(*cs));
        if (!cs)
                return vs_error_set(err, ENOMEM, "out of memory");
        for (int i = 0; i < o->n_names; i++) {
                int r = vs_container_find(s->db, o->names[i], &cs[i], err);
                if (r < 0) {
                        vs_container_list_free(cs, (size_t) i);
                        return r;
                }
                container_refresh(g, s, &cs[i]);
        }
        *ret = cs;
        *n = (size_t) o->n_names;
        return 0;
}

/* One table: samples `interval_ms` apart, the second printed. */
static int stats_once(const struct globals *g, struct vs_store *s, const struct stats_opts *o, struct sample **prev,
                      int interval_ms, bool clear, struct vs_error *err)
{
        struct vs_container *cs = NULL;
        size_t n = 0;
        int r = stats_targets(g, s, o, &cs, &n, err);
        if (r < 0)
                return r;
        struct sample *a = *prev ? *prev : calloc(n + 1, sizeof(*a)), *b = calloc(n + 1, sizeof(*b));
        unsigned ncpu = 1;
        host_cpu(&ncpu);
        if (!*prev)
                for (size_t i = 0; a && i < n; i++)
                        take_sample(g, &cs[i], &a[i]);
        if (interval_ms)
                usleep((useconds_t) interval_ms * 1000);
        json_t *rows = json_array();
        for (size_t i = 0; a && b && i < n; i++) {
                take_sample(g, &cs[i], &b[i]);
                json_array_append_new(rows, stats_row(&cs[i], &a[i], &b[i], ncpu, o->no_trunc));
        }
        if (clear)
                fputs("\033[2J\033[H", stdout);
        r = a && b ? format_rows(stdout, o->format, STATS_TABLE, rows, stats_headers, err)
                   : vs_error_set(err, ENOMEM, "out of memory");
        fflush(stdout);
        json_decref(rows);
        free(a);
        *prev = NULL;
        /* the next round reuses these samples when the set of containers is the same */
        if (o->names)
                *prev = b;
        else
                free(b);
        vs_container_list_free(cs, n);
        return r;
}

static int parse_stats(int argc, char **argv, struct stats_opts *o)
{
        enum {
                OPT_NO_STREAM = 1000,
                OPT_NO_TRUNC,
                OPT_FORMAT
        };
        static const struct option longopts[] = {
                {"all", no_argument, NULL, 'a'},
                {"no-stream", no_argument, NULL, OPT_NO_STREAM},
                {"no-trunc", no_argument, NULL, OPT_NO_TRUNC},
                {"format", required_argument, NULL, OPT_FORMAT},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "ah", longopts)) != -1) {
                switch (c) {
                case 'a':
                        o->all = true;
                        break;
                case OPT_NO_STREAM:
                        o->no_stream = true;
                        break;
                case OPT_NO_TRUNC:
                        o->no_trunc = true;
                        break;
                case OPT_FORMAT:
                        o->format = optarg;
                        break;
                case 'h':
                        print_help(STATS_USAGE, "Display a live stream of container(s) resource usage statistics",
                                   "  -a, --all             Show all containers (default shows just running)\n"
                                   "      --format string   Format output using a custom template\n"
                                   "      --no-stream       Disable streaming stats and only pull the first result\n"
                                   "      --no-trunc        Do not truncate output\n");
                        return 1;
                default:
                        return 125;
                }
        }
        if (optind < argc) {
                o->names = argv + optind;
                o->n_names = argc - optind;
        }
        return 0;
}

int cmd_stats(const struct globals *g, int argc, char **argv)
{
        struct stats_opts o = {0};
        int r = parse_stats(argc, argv, &o);
        if (r != 0)
                return r == 1 ? 0 : r;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        r = engine_open(g, &s, &err);
        bool tty = isatty(STDOUT_FILENO);
        struct sample *prev = NULL;
        if (r == 0)
                r = stats_once(g, s, &o, &prev, 500, !o.no_stream && tty, &err);
        /* streaming: a table a second until interrupted (SIGINT ends the process) */
        while (r == 0 && !o.no_stream)
                r = stats_once(g, s, &o, &prev, 1000, tty, &err);
        free(prev);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}
