/* vessel: sysinfo(2) of a container. busybox's free and uptime, and many
 * programs, ask the kernel with sysinfo() rather than read /proc, so
 * vessel-procfs answers that syscall too (as a seccomp notify agent). */
#include <string.h>
#include <sys/sysinfo.h>

#include "procfs/procfs.h"

static unsigned long units(uint64_t bytes, unsigned unit)
{
        return (unsigned long) (bytes / (unit ? unit : 1));
}

void vs_procfs_sysinfo(const struct sysinfo *host, const struct vs_cgroup_figures *f, double uptime,
                       const double load[3], struct sysinfo *ret)
{
        struct sysinfo s = *host;
        unsigned unit = host->mem_unit ? host->mem_unit : 1;
        if (f->has_memory) {
                unsigned long total = units(f->mem_limit, unit);
                total = total < host->totalram ? total : host->totalram;
                unsigned long used = units(f->mem_usage, unit);
                used = used < total ? used : total;
                s.totalram = total;
                s.freeram = total - used;
                s.sharedram = units(f->mem_shmem, unit);
                s.bufferram = 0;
                if (f->has_swap && host->totalswap > 0) {
                        unsigned long swap = units(f->swap_limit, unit), swap_used = units(f->swap_usage, unit);
                        s.totalswap = swap < host->totalswap ? swap : host->totalswap;
                        s.freeswap = s.totalswap - (swap_used < s.totalswap ? swap_used : s.totalswap);
                }
        }
        if (f->has_tasks) {
                s.uptime = (long) uptime;
                s.procs = (unsigned short) (f->tasks_total > 65535 ? 65535 : f->tasks_total);
                for (int i = 0; i < 3; i++) /* fixed point, 16 bits of fraction (SI_LOAD_SHIFT) */
                        s.loads[i] = (unsigned long) (load[i] * 65536.0);
        }
        *ret = s;
}
