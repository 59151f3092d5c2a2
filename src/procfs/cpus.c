/* vessel: the cpus a container sees: /proc/cpuinfo, /proc/stat's cpu lines
 * and /sys/devices/system/cpu/online, from its cpuset and CFS quota. */
#include <ctype.h>
#include <inttypes.h>
#include <sched.h>
#include <string.h>

#include "procfs/memstream.h"
#include "procfs/procfs.h"

int vs_procfs_cpus_parse(const char *list, struct vs_procfs_cpus *ret)
{
        struct vs_procfs_cpus s = {0};
        bool seen[VS_PROCFS_CPUS_MAX] = {0};
        const char *p = list;
        while (*p && *p != '\n') {
                char *end;
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                unsigned long a = strtoul(p, &end, 10), b = a;
                if (*end == '-') {
                        if (!isdigit((unsigned char) end[1]))
                                return -EINVAL;
                        b = strtoul(end + 1, &end, 10);
                }
                if (b < a || b >= VS_PROCFS_CPUS_MAX)
                        return -EINVAL;
                for (unsigned long c = a; c <= b; c++)
                        seen[c] = true;
                p = end;
                if (*p == ',')
                        p++;
                else if (*p && *p != '\n')
                        return -EINVAL;
        }
        for (unsigned c = 0; c < VS_PROCFS_CPUS_MAX; c++)
                if (seen[c])
                        s.id[s.n++] = (uint16_t) c;
        if (s.n == 0)
                return -EINVAL;
        *ret = s;
        return 0;
}

static bool cpus_have(const struct vs_procfs_cpus *s, unsigned id)
{
        for (unsigned i = 0; i < s->n; i++)
                if (s->id[i] == id)
                        return true;
        return false;
}

void vs_procfs_visible_cpus(const char *host_online, const struct vs_cgroup_figures *f, bool use_quota,
                            struct vs_procfs_cpus *ret)
{
        struct vs_procfs_cpus host = {0}, set = {0};
        if (vs_procfs_cpus_parse(host_online, &host) < 0)
                host = (struct vs_procfs_cpus){.n = 1};
        if (!f->has_cpuset || vs_procfs_cpus_parse(f->cpus, &set) < 0)
                set = host;
        struct vs_procfs_cpus out = {0};
        for (unsigned i = 0; i < host.n; i++)
                if (cpus_have(&set, host.id[i]))
                        out.id[out.n++] = host.id[i];
        if (out.n == 0)
                out = host;
        unsigned n = use_quota ? vs_procfs_quota_cpus(f) : 0;
        if (n >= 1 && n < out.n)
                out.n = n;
        *ret = out;
}

unsigned vs_procfs_quota_cpus(const struct vs_cgroup_figures *f)
{
        if (!f->has_quota || f->cfs_period == 0)
                return 0;
        uint64_t n = (f->cfs_quota + f->cfs_period - 1) / f->cfs_period;
        return n < 1 ? 1 : n > VS_PROCFS_CPUS_MAX ? VS_PROCFS_CPUS_MAX : (unsigned) n;
}

unsigned vs_procfs_affinity_limit(void *mask, size_t size, unsigned n)
{
        unsigned kept = 0;
        for (size_t cpu = 0; cpu < size * 8; cpu++) {
                if (!CPU_ISSET_S(cpu, size, (cpu_set_t *) mask))
                        continue;
                if (kept < n)
                        kept++;
                else
                        CPU_CLR_S(cpu, size, (cpu_set_t *) mask);
        }
        return kept;
}

/* A cpuinfo block's "processor : N", or -1. */
static long block_processor(const char *line, size_t len)
{
        if (len < 9 || strncmp(line, "processor", 9) != 0)
                return -1;
        const char *colon = memchr(line, ':', len);
        return colon ? strtol(colon + 1, NULL, 10) : -1;
}

/* The host's blocks (separated by blank lines) of the visible cpus, renumbered. */
int vs_procfs_cpuinfo(const char *host, const struct vs_procfs_cpus *cpus, char **ret, struct vs_error *err)
{
        struct vs_text t;
        int r = vs_text_open(&t, err);
        if (r < 0)
                return r;
        bool keep = true;
        long index = -1;
        VS_FOREACH_LINE(host, line, len)
        {
                long cpu = block_processor(line, len);
                if (cpu >= 0) {
                        keep = cpus_have(cpus, (unsigned) cpu);
                        if (keep)
                                fprintf(t.f, "processor\t: %ld\n", ++index);
                        continue;
                }
                if (keep)
                        fprintf(t.f, "%.*s\n", (int) len, line);
        }
        return vs_text_finish(&t, ret, err);
}

int vs_procfs_cpu_online(const struct vs_procfs_cpus *cpus, char **ret, struct vs_error *err)
{
        struct vs_text t;
        int r = vs_text_open(&t, err);
        if (r < 0)
                return r;
        if (cpus->n <= 1)
                fprintf(t.f, "0\n");
        else
                fprintf(t.f, "0-%u\n", cpus->n - 1);
        return vs_text_finish(&t, ret, err);
}

static void cpu_line(FILE *f, const char *name, uint64_t user, uint64_t system, uint64_t idle)
{
        fprintf(f, "%s %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0\n", name, user, system, idle);
}

/* The host's "cpuN" line of a visible cpu, renamed to its index; other cpu lines are dropped. */
static void host_cpu_line(FILE *out, const char *line, size_t len, const struct vs_procfs_cpus *cpus)
{
        unsigned long id = strtoul(line + 3, NULL, 10);
        const char *rest = memchr(line, ' ', len);
        for (unsigned i = 0; rest && i < cpus->n; i++)
                if (cpus->id[i] == id)
                        fprintf(out, "cpu%u%.*s\n", i, (int) (len - (size_t) (rest - line)), rest);
}

int vs_procfs_stat(const char *host, const struct vs_cgroup_figures *f, const struct vs_procfs_cpus *cpus,
                   double uptime, long tick, char **ret, struct vs_error *err)
{
        struct vs_text t;
        int r = vs_text_open(&t, err);
        if (r < 0)
                return r;
        unsigned n = cpus->n ? cpus->n : 1;
        uint64_t user = f->cpu_user_ns / (1000000000 / (uint64_t) tick);
        uint64_t system = f->cpu_system_ns / (1000000000 / (uint64_t) tick);
        uint64_t span = (uint64_t) (uptime * (double) tick) * n;
        uint64_t idle = span > user + system ? span - user - system : 0;
        VS_FOREACH_LINE(host, line, len)
        {
                bool total = len > 4 && strncmp(line, "cpu ", 4) == 0;
                bool one = !total && len > 3 && strncmp(line, "cpu", 3) == 0 && isdigit((unsigned char) line[3]);
                if (total && f->has_cpu_usage) {
                        cpu_line(t.f, "cpu ", user, system, idle);
                        for (unsigned i = 0; i < n; i++) {
                                char name[16];
                                snprintf(name, sizeof(name), "cpu%u", i);
                                cpu_line(t.f, name, user / n, system / n, idle / n);
                        }
                } else if (one && !f->has_cpu_usage) {
                        host_cpu_line(t.f, line, len, cpus);
                } else if (one) {
                        continue; /* written with the total */
                } else if (f->has_tasks && len > 14 && strncmp(line, "procs_running ", 14) == 0) {
                        fprintf(t.f, "procs_running %u\n", f->tasks_running ? f->tasks_running : 1);
                } else if (f->has_tasks && len > 14 && strncmp(line, "procs_blocked ", 14) == 0) {
                        fprintf(t.f, "procs_blocked 0\n");
                } else {
                        fprintf(t.f, "%.*s\n", (int) len, line);
                }
        }
        return vs_text_finish(&t, ret, err);
}
