/* vessel: a container's /proc/uptime, loadavg, diskstats and swaps. */
#include <inttypes.h>
#include <string.h>

#include "procfs/memstream.h"
#include "procfs/procfs.h"

double vs_procfs_container_uptime(double host_uptime, const struct vs_cgroup_figures *f)
{
        if (!f->has_tasks || f->start_seconds > host_uptime)
                return host_uptime;
        return host_uptime - f->start_seconds;
}

int vs_procfs_uptime(double host_uptime, double host_idle, const struct vs_cgroup_figures *f, unsigned ncpus,
                     char **ret, struct vs_error *err)
{
        double up = vs_procfs_container_uptime(host_uptime, f), idle = host_idle;
        if (f->has_tasks) {
                double busy = f->has_cpu_usage ? (double) (f->cpu_user_ns + f->cpu_system_ns) / 1e9 : 0;
                idle = up * (ncpus ? ncpus : 1) - busy;
                idle = idle < 0 ? 0 : idle;
        }
        struct vs_text t;
        int r = vs_text_open(&t, err);
        if (r < 0)
                return r;
        fprintf(t.f, "%.2f %.2f\n", up, idle);
        return vs_text_finish(&t, ret, err);
}

void vs_procfs_load_update(double load[3], unsigned active)
{
        /* exp(-5 s / 1, 5 and 15 min): the kernel's EXP_1, EXP_5, EXP_15 (kernel/sched/loadavg.c) */
        static const double decay[3] = {0.920044415, 0.983471454, 0.994459848};
        for (int i = 0; i < 3; i++)
                load[i] = load[i] * decay[i] + (double) active * (1 - decay[i]);
}

int vs_procfs_loadavg(const char *host, const double load[3], const struct vs_cgroup_figures *f, char **ret,
                      struct vs_error *err)
{
        struct vs_text t;
        int r = vs_text_open(&t, err);
        if (r < 0)
                return r;
        if (f->has_tasks)
                fprintf(t.f, "%.2f %.2f %.2f %u/%u %d\n", load[0], load[1], load[2], f->tasks_running, f->tasks_total,
                        f->last_pid);
        else
                fputs(host, t.f);
        return vs_text_finish(&t, ret, err);
}

static const struct vs_cgroup_io_figures *io_of(const struct vs_cgroup_figures *f, unsigned major, unsigned minor)
{
        for (size_t i = 0; i < f->n_io; i++)
                if (f->io[i].major == major && f->io[i].minor == minor)
                        return &f->io[i];
        return NULL;
}

int vs_procfs_diskstats(const char *host, const struct vs_cgroup_figures *f, char **ret, struct vs_error *err)
{
        struct vs_text t;
        int r = vs_text_open(&t, err);
        if (r < 0)
                return r;
        VS_FOREACH_LINE(host, line, len)
        {
                unsigned major, minor;
                char name[64];
                int used = 0;
                if (!f->has_io) {
                        fprintf(t.f, "%.*s\n", (int) len, line);
                        continue;
                }
                if (sscanf(line, "%u %u %63s%n", &major, &minor, name, &used) != 3)
                        continue;
                const struct vs_cgroup_io_figures *e = io_of(f, major, minor);
                if (!e || (e->reads | e->writes | e->read_bytes | e->write_bytes) == 0)
                        continue;
                int fields = 0; /* the host's count: 11, 15 or 17 by kernel version */
                for (const char *p = line + used; p < line + len; p++)
                        fields += (p[0] == ' ' && p[1] != ' ' && p + 1 < line + len);
                fprintf(t.f, "%4u %7u %s %" PRIu64 " 0 %" PRIu64 " 0 %" PRIu64 " 0 %" PRIu64 " 0 0 0 0", major, minor,
                        name, e->reads, e->read_bytes / 512, e->writes, e->write_bytes / 512);
                for (int i = 11; i < fields; i++)
                        fputs(" 0", t.f);
                fputc('\n', t.f);
        }
        return vs_text_finish(&t, ret, err);
}

int vs_procfs_swaps(const char *host, uint64_t host_swap_kb, const struct vs_cgroup_figures *f, char **ret,
                    struct vs_error *err)
{
        struct vs_text t;
        int r = vs_text_open(&t, err);
        if (r < 0)
                return r;
        if (!f->has_memory || !f->has_swap || host_swap_kb == 0) {
                fputs(host, t.f);
                return vs_text_finish(&t, ret, err);
        }
        uint64_t size = f->swap_limit / 1024 < host_swap_kb ? f->swap_limit / 1024 : host_swap_kb;
        uint64_t used = f->swap_usage / 1024 < size ? f->swap_usage / 1024 : size;
        fprintf(t.f, "%.*s\n", (int) strcspn(host, "\n"), host);
        fprintf(t.f, "%-40s%-16s%-16" PRIu64 "%-16" PRIu64 "%d\n", "none", "virtual", size, used, 0);
        return vs_text_finish(&t, ret, err);
}
