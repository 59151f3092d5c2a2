/* vessel: /proc/meminfo of a container: the lines its memory cgroup knows
 * are replaced, the others are the host's (lxcfs does the same). */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "procfs/memstream.h"
#include "procfs/procfs.h"

bool vs_procfs_meminfo_value(const char *text, const char *key, uint64_t *ret)
{
        size_t kl = strlen(key);
        VS_FOREACH_LINE(text, line, len)
        {
                if (len > kl && strncmp(line, key, kl) == 0 && line[kl] == ':') {
                        *ret = strtoull(line + kl + 1, NULL, 10);
                        return true;
                }
        }
        return false;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
        return a < b ? a : b;
}

struct mem_line {
        const char *key;
        uint64_t kb;
};

/* The container's values, in kB, of the keys it replaces. */
static size_t container_values(const char *host, const struct vs_cgroup_figures *f, struct mem_line *out)
{
        uint64_t host_total = 0, host_swap = 0;
        vs_procfs_meminfo_value(host, "MemTotal", &host_total);
        vs_procfs_meminfo_value(host, "SwapTotal", &host_swap);
        uint64_t total = min_u64(f->mem_limit / 1024, host_total);
        uint64_t used = min_u64(f->mem_usage / 1024, total);
        uint64_t cache = min_u64(f->mem_cache / 1024, used);
        size_t n = 0;
        out[n++] = (struct mem_line){"MemTotal", total};
        out[n++] = (struct mem_line){"MemFree", total - used};
        out[n++] = (struct mem_line){"MemAvailable", total - used + cache};
        out[n++] = (struct mem_line){"Buffers", 0};
        out[n++] = (struct mem_line){"Cached", cache};
        out[n++] = (struct mem_line){"SwapCached", 0};
        out[n++] = (struct mem_line){"Active", (f->mem_active_anon + f->mem_active_file) / 1024};
        out[n++] = (struct mem_line){"Inactive", (f->mem_inactive_anon + f->mem_inactive_file) / 1024};
        out[n++] = (struct mem_line){"Active(anon)", f->mem_active_anon / 1024};
        out[n++] = (struct mem_line){"Inactive(anon)", f->mem_inactive_anon / 1024};
        out[n++] = (struct mem_line){"Active(file)", f->mem_active_file / 1024};
        out[n++] = (struct mem_line){"Inactive(file)", f->mem_inactive_file / 1024};
        out[n++] = (struct mem_line){"Unevictable", f->mem_unevictable / 1024};
        out[n++] = (struct mem_line){"AnonPages", f->mem_anon / 1024};
        out[n++] = (struct mem_line){"Mapped", f->mem_mapped / 1024};
        out[n++] = (struct mem_line){"Shmem", f->mem_shmem / 1024};
        /* free(1) counts SReclaimable as cache: the host's would exceed the container's total */
        uint64_t reclaimable = f->mem_slab_reclaimable / 1024, unreclaimable = f->mem_slab_unreclaimable / 1024;
        out[n++] = (struct mem_line){"Slab", reclaimable + unreclaimable};
        out[n++] = (struct mem_line){"SReclaimable", reclaimable};
        out[n++] = (struct mem_line){"SUnreclaim", unreclaimable};
        out[n++] = (struct mem_line){"KReclaimable", reclaimable};
        if (f->has_swap && host_swap > 0) {
                uint64_t swap = min_u64(f->swap_limit / 1024, host_swap);
                out[n++] = (struct mem_line){"SwapTotal", swap};
                out[n++] = (struct mem_line){"SwapFree", swap - min_u64(f->swap_usage / 1024, swap)};
        }
        return n;
}

int vs_procfs_meminfo(const char *host, const struct vs_cgroup_figures *f, char **ret, struct vs_error *err)
{
        struct mem_line values[32];
        size_t n = f->has_memory ? container_values(host, f, values) : 0;
        struct vs_text t;
        int r = vs_text_open(&t, err);
        if (r < 0)
                return r;
        VS_FOREACH_LINE(host, line, len)
        {
                size_t kl = strcspn(line, ":\n");
                const struct mem_line *v = NULL;
                for (size_t i = 0; i < n && !v; i++)
                        if (strlen(values[i].key) == kl && strncmp(line, values[i].key, kl) == 0)
                                v = &values[i];
                if (v) { /* the kernel's layout: "Key:" in 16 columns, the number in 8 */
                        char key[40];
                        snprintf(key, sizeof(key), "%s:", v->key);
                        fprintf(t.f, "%-16s%8" PRIu64 " kB\n", key, v->kb);
                } else
                        fprintf(t.f, "%.*s\n", (int) len, line);
        }
        return vs_text_finish(&t, ret, err);
}
