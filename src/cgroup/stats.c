#include "cgroup/stats.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/layout.h"
#include "util/cleanup.h"

/* A read that may fail (file absent on this kernel): 0 then. */
static uint64_t read_u64(const struct vs_cgroup_dir *d, const char *file)
{
        uint64_t v = 0;
        struct vs_error e = VS_ERROR_INIT;
        if (vs_cgroup_read_u64(d, file, &v, &e) < 0) {
                vs_error_ignore(&e);
                return 0;
        }
        return v == UINT64_MAX ? 0 : v;
}

static char *read_text(const struct vs_cgroup_dir *d, const char *file)
{
        char *text = NULL;
        struct vs_error e = VS_ERROR_INIT;
        if (vs_cgroup_read(d, file, &text, &e) < 0)
                vs_error_ignore(&e);
        return text;
}

static uint64_t keyed(const char *text, const char *key)
{
        uint64_t v = 0;
        return text && vs_cgroup_keyed(text, key, &v) ? v : 0;
}

/* ---- cpu ---- */

static void cpu_usage(const struct vs_cgroup_layout *l, struct vs_cgroup_stats *s)
{
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_CPUACCT);
        if (!d)
                return;
        s->has_cpu = true;
        if (d->v2) {
                _cleanup_free_ char *st = read_text(d, "cpu.stat");
                s->cpu.total = keyed(st, "usage_usec") * 1000;
                s->cpu.user = keyed(st, "user_usec") * 1000;
                s->cpu.system = keyed(st, "system_usec") * 1000;
                return;
        }
        s->cpu.total = read_u64(d, "cpuacct.usage");
        s->cpu.user = read_u64(d, "cpuacct.usage_user");
        s->cpu.system = read_u64(d, "cpuacct.usage_sys");
}

static void cpu_throttling(const struct vs_cgroup_layout *l, struct vs_cgroup_stats *s)
{
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_CPU);
        if (!d)
                d = l->v2; /* v2 shows cpu.stat without the controller, with no throttling lines */
        if (!d)
                return;
        _cleanup_free_ char *st = read_text(d, "cpu.stat");
        s->cpu.periods = keyed(st, "nr_periods");
        s->cpu.throttled_periods = keyed(st, "nr_throttled");
        s->cpu.throttled_time = d->v2 ? keyed(st, "throttled_usec") * 1000 : keyed(st, "throttled_time");
}

/* ---- memory ---- */

static void memory_v1(const struct vs_cgroup_dir *d, struct vs_cgroup_stats *s)
{
        static const struct {
                const char *prefix;
                size_t offset;
        } parts[] = {
                {"memory", offsetof(struct vs_cgroup_stats, memory.usage)},
                {"memory.memsw", offsetof(struct vs_cgroup_stats, memory.swap)},
                {"memory.kmem", offsetof(struct vs_cgroup_stats, memory.kernel)},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(parts); i++) {
                struct vs_cgroup_mem_entry *e = (void *) ((char *) s + parts[i].offset);
                char f[64];
                snprintf(f, sizeof(f), "%s.usage_in_bytes", parts[i].prefix);
                e->usage = read_u64(d, f);
                snprintf(f, sizeof(f), "%s.max_usage_in_bytes", parts[i].prefix);
                e->max_usage = read_u64(d, f);
                snprintf(f, sizeof(f), "%s.limit_in_bytes", parts[i].prefix);
                e->limit = read_u64(d, f);
                snprintf(f, sizeof(f), "%s.failcnt", parts[i].prefix);
                e->failcnt = read_u64(d, f);
        }
        _cleanup_free_ char *st = read_text(d, "memory.stat");
        s->memory.cache = keyed(st, "total_cache");
        _cleanup_free_ char *oom = read_text(d, "memory.oom_control");
        s->memory.oom_kill_disabled = keyed(oom, "oom_kill_disable") == 1;
        s->memory.oom_kills = keyed(oom, "oom_kill");
}

static void memory_v2(const struct vs_cgroup_dir *d, struct vs_cgroup_stats *s)
{
        s->memory.usage.usage = read_u64(d, "memory.current");
        s->memory.usage.max_usage = read_u64(d, "memory.peak");
        s->memory.usage.limit = read_u64(d, "memory.max");
        s->memory.swap.usage = read_u64(d, "memory.swap.current");
        s->memory.swap.max_usage = read_u64(d, "memory.swap.peak");
        s->memory.swap.limit = read_u64(d, "memory.swap.max");
        _cleanup_free_ char *st = read_text(d, "memory.stat");
        s->memory.cache = keyed(st, "file");
        s->memory.kernel.usage = keyed(st, "kernel");
        _cleanup_free_ char *ev = read_text(d, "memory.events");
        s->memory.usage.failcnt = keyed(ev, "max");
        s->memory.oom_kills = keyed(ev, "oom_kill");
}

static void memory(const struct vs_cgroup_layout *l, struct vs_cgroup_stats *s)
{
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_MEMORY);
        if (!d)
                return;
        s->has_memory = true;
        if (d->v2)
                memory_v2(d, s);
        else
                memory_v1(d, s);
}

/* ---- pids, hugetlb ---- */

static void pids(const struct vs_cgroup_layout *l, struct vs_cgroup_stats *s)
{
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_PIDS);
        if (!d)
                return;
        s->has_pids = true;
        s->pids.current = read_u64(d, "pids.current");
        s->pids.limit = read_u64(d, "pids.max");
}

static void hugetlb(const struct vs_cgroup_layout *l, struct vs_cgroup_stats *s)
{
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_HUGETLB);
        _cleanup_closedir_ DIR *dir = d ? opendir(d->path) : NULL;
        const char *usage_suffix = d && d->v2 ? ".current" : ".usage_in_bytes";
        for (struct dirent *de; dir && (de = readdir(dir)) && s->n_hugetlb < VS_STATS_HUGETLB_MAX;) {
                char size[16], f[96];
                /* hugetlb.2MB.current / hugetlb.2MB.usage_in_bytes */
                if (sscanf(de->d_name, "hugetlb.%15[^.]", size) != 1)
                        continue;
                snprintf(f, sizeof(f), "hugetlb.%s%s", size, usage_suffix);
                if (strcmp(de->d_name, f) != 0)
                        continue;
                struct vs_cgroup_hugetlb_entry *e = &s->hugetlb[s->n_hugetlb++];
                snprintf(e->page_size, sizeof(e->page_size), "%s", size);
                e->usage = read_u64(d, f);
                if (d->v2) {
                        snprintf(f, sizeof(f), "hugetlb.%s.events", size);
                        _cleanup_free_ char *ev = read_text(d, f);
                        e->failcnt = keyed(ev, "max");
                } else {
                        snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", size);
                        e->max_usage = read_u64(d, f);
                        snprintf(f, sizeof(f), "hugetlb.%s.failcnt", size);
                        e->failcnt = read_u64(d, f);
                }
        }
}

/* ---- blkio ---- */

void vs_cgroup_parse_blkio_v1(const char *text, struct vs_cgroup_blkio_entry *out, size_t max, size_t *n)
{
        *n = 0;
        for (const char *p = text; p && *p && *n < max; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                struct vs_cgroup_blkio_entry e = {0};
                unsigned long long v;
                if (sscanf(p, "%" SCNu32 ":%" SCNu32 " %11s %llu", &e.major, &e.minor, e.op, &v) != 4)
                        continue; /* the closing "Total N" line */
                e.value = v;
                out[(*n)++] = e;
        }
}

static void add_io(struct vs_cgroup_blkio_entry *arr, size_t *n, uint32_t major, uint32_t minor, const char *op,
                   uint64_t v)
{
        if (*n >= VS_STATS_BLKIO_MAX)
                return;
        struct vs_cgroup_blkio_entry *e = &arr[(*n)++];
        *e = (struct vs_cgroup_blkio_entry){.major = major, .minor = minor, .value = v};
        snprintf(e->op, sizeof(e->op), "%s", op);
}

void vs_cgroup_parse_io_stat(const char *text, struct vs_cgroup_stats *s)
{
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                uint32_t major, minor;
                int used = 0;
                if (sscanf(p, "%" SCNu32 ":%" SCNu32 "%n", &major, &minor, &used) != 2)
                        continue;
                const char *end = strchr(p, '\n');
                size_t len = end ? (size_t) (end - p) : strlen(p);
                char line[512];
                snprintf(line, sizeof(line), "%.*s", (int) len, p);
                char *save = NULL;
                for (char *t = strtok_r(line + used, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                        unsigned long long v;
                        char key[16];
                        if (sscanf(t, "%15[^=]=%llu", key, &v) != 2)
                                continue;
                        if (strcmp(key, "rbytes") == 0 || strcmp(key, "wbytes") == 0)
                                add_io(s->io_bytes, &s->n_io_bytes, major, minor, key[0] == 'r' ? "Read" : "Write", v);
                        else if (strcmp(key, "rios") == 0 || strcmp(key, "wios") == 0)
                                add_io(s->io_ops, &s->n_io_ops, major, minor, key[0] == 'r' ? "Read" : "Write", v);
                }
        }
}

static void blkio(const struct vs_cgroup_layout *l, struct vs_cgroup_stats *s)
{
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_BLKIO);
        if (!d)
                return;
        s->has_blkio = true;
        if (d->v2) {
                _cleanup_free_ char *st = read_text(d, "io.stat");
                vs_cgroup_parse_io_stat(st, s);
                return;
        }
        _cleanup_free_ char *bytes = read_text(d, "blkio.throttle.io_service_bytes_recursive");
        _cleanup_free_ char *ios = read_text(d, "blkio.throttle.io_serviced_recursive");
        vs_cgroup_parse_blkio_v1(bytes, s->io_bytes, VS_STATS_BLKIO_MAX, &s->n_io_bytes);
        vs_cgroup_parse_blkio_v1(ios, s->io_ops, VS_STATS_BLKIO_MAX, &s->n_io_ops);
}

int vs_cgroup_stats(char **dirs, struct vs_cgroup_stats *out, struct vs_error *err)
{
        struct vs_cgroup_layout l;
        int r = vs_cgroup_layout_load(dirs, &l, err);
        if (r < 0)
                return r;
        if (l.n == 0)
                return vs_error_set(err, ENOENT, "cannot read cgroup stats: the container's cgroups are gone");
        struct vs_cgroup_stats s = {0};
        cpu_usage(&l, &s);
        cpu_throttling(&l, &s);
        memory(&l, &s);
        pids(&l, &s);
        blkio(&l, &s);
        hugetlb(&l, &s);
        *out = s;
        return 0;
}
