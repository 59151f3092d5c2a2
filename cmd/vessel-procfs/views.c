/* vessel-procfs: each file's text for the process reading it: its cgroup's
 * figures, the host's file, and a renderer of src/procfs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/figures.h"
#include "daemon.h"
#include "procfs/procfs.h"
#include "util/cleanup.h"
#include "util/files.h"

static const struct {
        const char *path;
        const char *host; /* the host's file it stands for */
        unsigned parts;   /* the figures it needs */
} views[VIEW_COUNT] = {
        [VIEW_MEMINFO] = {"/proc/meminfo", "/proc/meminfo", VS_FIGURES_MEMORY},
        [VIEW_CPUINFO] = {"/proc/cpuinfo", "/proc/cpuinfo", VS_FIGURES_CPUS},
        [VIEW_STAT] = {"/proc/stat", "/proc/stat", VS_FIGURES_CPUS | VS_FIGURES_CPU_USAGE | VS_FIGURES_TASKS},
        [VIEW_UPTIME] = {"/proc/uptime", "/proc/uptime", VS_FIGURES_CPUS | VS_FIGURES_CPU_USAGE | VS_FIGURES_TASKS},
        [VIEW_LOADAVG] = {"/proc/loadavg", "/proc/loadavg", VS_FIGURES_TASKS},
        [VIEW_DISKSTATS] = {"/proc/diskstats", "/proc/diskstats", VS_FIGURES_IO},
        [VIEW_SWAPS] = {"/proc/swaps", "/proc/swaps", VS_FIGURES_MEMORY},
        [VIEW_CPU_ONLINE] = {"/sys/devices/system/cpu/online", "/sys/devices/system/cpu/online", VS_FIGURES_CPUS},
};

const char *view_path(enum view v)
{
        return views[v].path;
}

static char *host_text(const char *path)
{
        char *text = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(path, &text, NULL, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return strdup("");
        }
        return text;
}

static void visible(const struct daemon *d, const struct vs_cgroup_figures *f, struct vs_procfs_cpus *cpus)
{
        _cleanup_free_ char *online = host_text("/sys/devices/system/cpu/online");
        vs_procfs_visible_cpus(online ? online : "0", f, d->enable_cfs, cpus);
}

static int render_times(const struct daemon *d, enum view v, const struct vs_cgroup_figures *f, const char *host,
                        char **ret, struct vs_error *err)
{
        struct vs_procfs_cpus cpus;
        visible(d, f, &cpus);
        _cleanup_free_ char *up = host_text("/proc/uptime");
        double host_up = 0, host_idle = 0;
        if (!up || sscanf(up, "%lf %lf", &host_up, &host_idle) != 2)
                return vs_error_set(err, EIO, "cannot read /proc/uptime");
        if (v == VIEW_UPTIME)
                return vs_procfs_uptime(host_up, host_idle, f, cpus.n, ret, err);
        long tick = sysconf(_SC_CLK_TCK);
        return vs_procfs_stat(host, f, &cpus, vs_procfs_container_uptime(host_up, f), tick > 0 ? tick : 100, ret, err);
}

static int render(struct daemon *d, enum view v, char **dirs, const struct vs_cgroup_figures *f, const char *host,
                  char **ret, struct vs_error *err)
{
        struct vs_procfs_cpus cpus;
        switch (v) {
        case VIEW_MEMINFO:
                return vs_procfs_meminfo(host, f, ret, err);
        case VIEW_CPUINFO:
        case VIEW_CPU_ONLINE:
                visible(d, f, &cpus);
                return v == VIEW_CPUINFO ? vs_procfs_cpuinfo(host, &cpus, ret, err)
                                         : vs_procfs_cpu_online(&cpus, ret, err);
        case VIEW_STAT:
        case VIEW_UPTIME:
                return render_times(d, v, f, host, ret, err);
        case VIEW_LOADAVG: {
                double load[3] = {0};
                if (f->has_tasks && dirs)
                        loads_get(d->loads, dirs, load);
                return vs_procfs_loadavg(host, load, f, ret, err);
        }
        case VIEW_DISKSTATS:
                return vs_procfs_diskstats(host, f, ret, err);
        case VIEW_SWAPS: {
                _cleanup_free_ char *meminfo = host_text("/proc/meminfo");
                uint64_t swap = 0;
                vs_procfs_meminfo_value(meminfo, "SwapTotal", &swap);
                return vs_procfs_swaps(host, swap, f, ret, err);
        }
        default:
                return vs_error_set(err, ENOENT, "no such view");
        }
}

int view_render(struct daemon *d, enum view v, pid_t pid, char **ret, size_t *len, struct vs_error *err)
{
        _cleanup_strv_ char **dirs = NULL;
        struct vs_cgroup_figures f = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        /* A process whose cgroup cannot be read (gone already) sees the host's file. */
        if (vs_cgroup_dirs_of_pid(&d->hosts, pid, &dirs, &ignored) < 0 ||
            vs_cgroup_figures_read(&d->hosts, dirs, views[v].parts, &f, &ignored) < 0) {
                vs_error_ignore(&ignored);
                f = (struct vs_cgroup_figures){0};
        }
        _cleanup_free_ char *host = host_text(views[v].host);
        if (!host)
                return vs_error_set(err, ENOMEM, "out of memory");
        char *text = NULL;
        int r = render(d, v, dirs, &f, host, &text, err);
        if (r < 0)
                return r;
        *len = strlen(text);
        *ret = text;
        return 0;
}
