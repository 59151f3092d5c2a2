/* vessel: a process's cgroup figures for its /proc files (see figures.h). */
#include "cgroup/figures.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/layout.h"
#include "util/cleanup.h"
#include "util/files.h"

/* ---- which directories ---- */

/* The hierarchy a /proc/PID/cgroup line names: the cgroup2 mount for
 * "0::", else the v1 mount whose controllers are exactly the line's. */
static const struct vs_cgroup_hierarchy *line_hierarchy(const struct vs_cgroup_hosts *hosts, const char *ctrls,
                                                        size_t len, bool v2)
{
        for (size_t i = 0; i < hosts->n; i++) {
                const struct vs_cgroup_hierarchy *h = &hosts->h[i];
                if (v2 ? h->v2 : !h->v2 && strlen(h->controllers) == len && strncmp(h->controllers, ctrls, len) == 0)
                        return h;
        }
        return NULL;
}

static int strv_push(char ***v, size_t *n, char *s)
{
        char **grown = s ? realloc(*v, (*n + 2) * sizeof(char *)) : NULL;
        if (!grown) {
                free(s);
                return -ENOMEM;
        }
        grown[(*n)++] = s;
        grown[*n] = NULL;
        *v = grown;
        return 0;
}

int vs_cgroup_dirs_of_text(const struct vs_cgroup_hosts *hosts, const char *text, char ***ret, struct vs_error *err)
{
        _cleanup_strv_ char **dirs = calloc(1, sizeof(char *));
        size_t n = 0;
        if (!dirs)
                return vs_error_set(err, ENOMEM, "out of memory");
        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                const char *c1 = strchr(line, ':');
                const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                const char *end = strchr(line, '\n');
                if (!c2 || (end && c2 > end))
                        continue;
                size_t plen = end ? (size_t) (end - c2 - 1) : strlen(c2 + 1);
                bool v2 = c2 == c1 + 1 && strncmp(line, "0:", 2) == 0;
                const struct vs_cgroup_hierarchy *h = line_hierarchy(hosts, c1 + 1, (size_t) (c2 - c1 - 1), v2);
                if (!h || c2[1] != '/')
                        continue;
                char *dir = NULL;
                bool root = plen == 1;
                if (asprintf(&dir, "%s%.*s", h->mount_point, root ? 0 : (int) plen, c2 + 1) < 0)
                        dir = NULL;
                if (strv_push(&dirs, &n, dir) < 0)
                        return vs_error_set(err, ENOMEM, "out of memory");
        }
        *ret = TAKE_PTR(dirs);
        return 0;
}

int vs_cgroup_dirs_of_pid(const struct vs_cgroup_hosts *hosts, pid_t pid, char ***ret, struct vs_error *err)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        _cleanup_free_ char *text = NULL;
        int r = vs_read_file(path, &text, NULL, err);
        if (r < 0)
                return r;
        return vs_cgroup_dirs_of_text(hosts, text, ret, err);
}

/* ---- the directories' layout, without a read of mountinfo per call ---- */

struct place {
        struct vs_cgroup_dir dir[VS_CGROUP_DIRS_MAX];
        bool root[VS_CGROUP_DIRS_MAX]; /* the hierarchy's root: the host, which limits nothing */
        size_t n;
};

static unsigned mask_of_names(const char *csv, bool v2)
{
        unsigned mask = v2 ? 1u << VS_CG_CPUACCT : 0; /* cpu.stat needs no controller on v2 */
        char copy[512], *save = NULL;
        snprintf(copy, sizeof(copy), "%s", csv);
        for (char *t = strtok_r(copy, ", \n", &save); t; t = strtok_r(NULL, ", \n", &save))
                for (int c = 0; c < VS_CG_COUNT; c++)
                        if (strcmp(t, vs_cgroup_controller_name(c, v2)) == 0 && !(v2 && c == VS_CG_CPUACCT))
                                mask |= 1u << c;
        return mask;
}

static void place_load(const struct vs_cgroup_hosts *hosts, char **dirs, struct place *pl)
{
        for (char **d = dirs; *d && pl->n < VS_CGROUP_DIRS_MAX; d++) {
                const struct vs_cgroup_hierarchy *h = NULL;
                for (size_t i = 0; i < hosts->n; i++) {
                        size_t l = strlen(hosts->h[i].mount_point);
                        if (strncmp(*d, hosts->h[i].mount_point, l) == 0 && ((*d)[l] == '/' || (*d)[l] == '\0') &&
                            (!h || l > strlen(h->mount_point)))
                                h = &hosts->h[i];
                }
                if (!h)
                        continue;
                struct vs_cgroup_dir *e = &pl->dir[pl->n];
                e->path = *d;
                e->v2 = h->v2;
                pl->root[pl->n] = strcmp(*d, h->mount_point) == 0;
                if (h->v2) {
                        _cleanup_free_ char *list = NULL;
                        struct vs_error ignored = VS_ERROR_INIT;
                        if (vs_cgroup_read(e, "cgroup.controllers", &list, &ignored) < 0)
                                vs_error_ignore(&ignored);
                        e->controllers = mask_of_names(list ? list : "", true);
                } else {
                        e->controllers = mask_of_names(h->controllers, false);
                }
                pl->n++;
        }
}

/* The directory holding controller c: a v1 hierarchy first (on a hybrid
 * host the cgroup2 one may also list cpu.stat), else the cgroup2 one. */
static const struct vs_cgroup_dir *place_find(const struct place *pl, enum vs_cgroup_controller c, bool *root)
{
        const struct vs_cgroup_dir *found = NULL;
        for (size_t i = 0; i < pl->n; i++)
                if ((pl->dir[i].controllers & (1u << c)) && (!found || (found->v2 && !pl->dir[i].v2))) {
                        found = &pl->dir[i];
                        *root = pl->root[i];
                }
        return found;
}

/* ---- reading ---- */

static char *read_text(const struct vs_cgroup_dir *d, const char *file)
{
        char *text = NULL;
        struct vs_error e = VS_ERROR_INIT;
        if (vs_cgroup_read(d, file, &text, &e) < 0)
                vs_error_ignore(&e);
        return text;
}

/* A number file; false when absent. "max" and v1's "unlimited" (near 2^63) read as UINT64_MAX. */
static bool read_number(const struct vs_cgroup_dir *d, const char *file, uint64_t *ret)
{
        struct vs_error e = VS_ERROR_INIT;
        if (vs_cgroup_read_u64(d, file, ret, &e) < 0) {
                vs_error_ignore(&e);
                return false;
        }
        if (*ret >= (UINT64_C(1) << 62))
                *ret = UINT64_MAX;
        return true;
}

static uint64_t keyed(const char *text, const char *key)
{
        uint64_t v = 0;
        return text && vs_cgroup_keyed(text, key, &v) ? v : 0;
}

static void memory_stat(const char *st, bool v2, struct vs_cgroup_figures *f)
{
        /* v1 memory.stat has a hierarchical "total_" twin of every figure */
        f->mem_cache = keyed(st, v2 ? "file" : "total_cache");
        f->mem_anon = keyed(st, v2 ? "anon" : "total_rss");
        f->mem_shmem = keyed(st, v2 ? "shmem" : "total_shmem");
        f->mem_mapped = keyed(st, v2 ? "file_mapped" : "total_mapped_file");
        f->mem_active_anon = keyed(st, v2 ? "active_anon" : "total_active_anon");
        f->mem_inactive_anon = keyed(st, v2 ? "inactive_anon" : "total_inactive_anon");
        f->mem_active_file = keyed(st, v2 ? "active_file" : "total_active_file");
        f->mem_inactive_file = keyed(st, v2 ? "inactive_file" : "total_inactive_file");
        f->mem_unevictable = keyed(st, v2 ? "unevictable" : "total_unevictable");
        f->mem_slab_reclaimable = v2 ? keyed(st, "slab_reclaimable") : 0;
        f->mem_slab_unreclaimable = v2 ? keyed(st, "slab_unreclaimable") : 0;
}

/* The lowest memory.max of the cgroup's ancestors (v2 has no hierarchical
 * figure): a process in a sub-cgroup of a container sees the container's
 * limit. The walk stops at the root, which has no memory.max. */
static uint64_t v2_ancestors_limit(const char *path)
{
        char dir[PATH_MAX];
        uint64_t lowest = UINT64_MAX, v;
        snprintf(dir, sizeof(dir), "%s", path);
        for (char *slash; (slash = strrchr(dir, '/')) && slash != dir;) {
                *slash = '\0';
                struct vs_cgroup_dir parent = {.path = dir, .v2 = true};
                if (!read_number(&parent, "memory.max", &v))
                        break;
                lowest = v < lowest ? v : lowest;
        }
        return lowest;
}

static void memory_figures(const struct place *pl, struct vs_cgroup_figures *f)
{
        bool root = false;
        const struct vs_cgroup_dir *d = place_find(pl, VS_CG_MEMORY, &root);
        if (!d || root)
                return;
        bool ok = d->v2 ? read_number(d, "memory.max", &f->mem_limit) && read_number(d, "memory.current", &f->mem_usage)
                        : read_number(d, "memory.limit_in_bytes", &f->mem_limit) &&
                                  read_number(d, "memory.usage_in_bytes", &f->mem_usage);
        if (!ok)
                return;
        f->has_memory = true;
        _cleanup_free_ char *st = read_text(d, "memory.stat");
        memory_stat(st, d->v2, f);
        uint64_t above = d->v2 ? v2_ancestors_limit(d->path) : keyed(st, "hierarchical_memory_limit");
        if (above > 0 && above < f->mem_limit)
                f->mem_limit = above;
        if (d->v2) {
                f->has_swap = read_number(d, "memory.swap.max", &f->swap_limit) &&
                              read_number(d, "memory.swap.current", &f->swap_usage);
                return;
        }
        /* v1 counts memory and swap together (memsw): swap alone is the difference */
        uint64_t sw_limit = 0, sw_usage = 0;
        if (read_number(d, "memory.memsw.limit_in_bytes", &sw_limit) &&
            read_number(d, "memory.memsw.usage_in_bytes", &sw_usage)) {
                f->has_swap = true;
                f->swap_limit = sw_limit == UINT64_MAX || f->mem_limit == UINT64_MAX ? UINT64_MAX
                                : sw_limit > f->mem_limit                            ? sw_limit - f->mem_limit
                                                                                     : 0;
                f->swap_usage = sw_usage > f->mem_usage ? sw_usage - f->mem_usage : 0;
        }
}

static void cpuset_figures(const struct place *pl, struct vs_cgroup_figures *f)
{
        bool root = false;
        const struct vs_cgroup_dir *d = place_find(pl, VS_CG_CPUSET, &root);
        if (!d || root)
                return;
        _cleanup_free_ char *cpus = read_text(d, d->v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus");
        if (!cpus)
                cpus = read_text(d, "cpuset.cpus");
        if (!cpus || !isdigit((unsigned char) cpus[0]))
                return;
        cpus[strcspn(cpus, "\n")] = '\0';
        snprintf(f->cpus, sizeof(f->cpus), "%s", cpus);
        f->has_cpuset = true;
}

static void cpu_figures(const struct place *pl, struct vs_cgroup_figures *f, unsigned parts)
{
        bool root = false;
        const struct vs_cgroup_dir *d = parts & VS_FIGURES_CPUS ? place_find(pl, VS_CG_CPU, &root) : NULL;
        if (d && !root && d->v2) {
                _cleanup_free_ char *max = read_text(d, "cpu.max");
                unsigned long long q = 0, p = 0;
                if (max && sscanf(max, "%llu %llu", &q, &p) == 2 && p > 0) {
                        f->has_quota = true;
                        f->cfs_quota = q;
                        f->cfs_period = p;
                }
        } else if (d && !root) {
                uint64_t q = 0, p = 0;
                if (read_number(d, "cpu.cfs_quota_us", &q) && q != UINT64_MAX &&
                    read_number(d, "cpu.cfs_period_us", &p) && p > 0) {
                        f->has_quota = true;
                        f->cfs_quota = q;
                        f->cfs_period = p;
                }
        }
        d = parts & VS_FIGURES_CPU_USAGE ? place_find(pl, VS_CG_CPUACCT, &root) : NULL;
        if (!d || root)
                return;
        if (d->v2) {
                _cleanup_free_ char *st = read_text(d, "cpu.stat");
                f->has_cpu_usage = st != NULL;
                f->cpu_user_ns = keyed(st, "user_usec") * 1000;
                f->cpu_system_ns = keyed(st, "system_usec") * 1000;
                return;
        }
        f->has_cpu_usage = read_number(d, "cpuacct.usage_user", &f->cpu_user_ns) &&
                           read_number(d, "cpuacct.usage_sys", &f->cpu_system_ns);
}

/* One task's state letter and start time (clock ticks since boot), from /proc/TID/stat. */
static bool task_stat(const char *tid, char *state, unsigned long long *start)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%s/stat", tid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        const char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
        if (!p || sscanf(p + 2, "%c", state) != 1)
                return false;
        for (int field = 3; p && field <= 22; field++)
                p = strchr(p + 1, ' ');
        return p && sscanf(p + 1, "%llu", start) == 1;
}

/* The cgroup's thread ids, one a line: of the pids or else the memory
 * controller's directory (never a hierarchy's root: the whole host). */
static char *threads_text(const struct place *pl)
{
        bool root = false;
        const struct vs_cgroup_dir *d = place_find(pl, VS_CG_PIDS, &root);
        if (!d || root)
                d = place_find(pl, VS_CG_MEMORY, &root);
        if (!d || root)
                return NULL;
        return read_text(d, d->v2 ? "cgroup.threads" : "tasks");
}

char *vs_cgroup_figures_threads(const struct vs_cgroup_hosts *hosts, char **dirs)
{
        struct place pl = {0};
        place_load(hosts, dirs, &pl);
        return threads_text(&pl);
}

static void task_figures(const struct place *pl, struct vs_cgroup_figures *f)
{
        _cleanup_free_ char *tasks = threads_text(pl);
        if (!tasks)
                return;
        unsigned long long oldest = ULLONG_MAX;
        long tick = sysconf(_SC_CLK_TCK);
        char *save = NULL;
        for (char *t = strtok_r(tasks, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
                char state = 0;
                unsigned long long start = 0;
                if (!task_stat(t, &state, &start))
                        continue; /* gone since the list was read */
                f->tasks_total++;
                f->tasks_running += state == 'R' || state == 'D';
                f->last_pid = atoi(t) > f->last_pid ? atoi(t) : f->last_pid;
                oldest = start < oldest ? start : oldest;
        }
        f->has_tasks = f->tasks_total > 0;
        f->start_seconds = f->has_tasks ? (double) oldest / (double) (tick > 0 ? tick : 100) : 0;
}

static void io_figures(const struct place *pl, struct vs_cgroup_figures *f)
{
        bool root = false;
        const struct vs_cgroup_dir *d = place_find(pl, VS_CG_BLKIO, &root);
        if (!d || root)
                return;
        if (d->v2) {
                _cleanup_free_ char *st = read_text(d, "io.stat");
                if (st)
                        vs_cgroup_figures_parse_io_stat(st, f);
                return;
        }
        _cleanup_free_ char *bytes = read_text(d, "blkio.throttle.io_service_bytes_recursive");
        _cleanup_free_ char *ios = read_text(d, "blkio.throttle.io_serviced_recursive");
        if (!bytes)
                bytes = read_text(d, "blkio.throttle.io_service_bytes");
        if (!ios)
                ios = read_text(d, "blkio.throttle.io_serviced");
        if (bytes || ios)
                vs_cgroup_figures_parse_blkio(bytes, ios, f);
}

int vs_cgroup_figures_read(const struct vs_cgroup_hosts *hosts, char **dirs, unsigned parts,
                           struct vs_cgroup_figures *out, struct vs_error *err)
{
        struct place pl = {0};
        place_load(hosts, dirs, &pl);
        if (pl.n == 0)
                return vs_error_set(err, ENOENT, "no cgroup hierarchy holds %s", dirs[0] ? dirs[0] : "the process");
        struct vs_cgroup_figures f = {.mem_limit = UINT64_MAX, .swap_limit = UINT64_MAX};
        if (parts & VS_FIGURES_MEMORY)
                memory_figures(&pl, &f);
        if (parts & VS_FIGURES_CPUS)
                cpuset_figures(&pl, &f);
        if (parts & (VS_FIGURES_CPUS | VS_FIGURES_CPU_USAGE))
                cpu_figures(&pl, &f, parts);
        if (parts & VS_FIGURES_TASKS)
                task_figures(&pl, &f);
        if (parts & VS_FIGURES_IO)
                io_figures(&pl, &f);
        *out = f;
        return 0;
}

/* ---- block I/O ---- */

static struct vs_cgroup_io_figures *io_entry(struct vs_cgroup_figures *f, uint32_t major, uint32_t minor)
{
        for (size_t i = 0; i < f->n_io; i++)
                if (f->io[i].major == major && f->io[i].minor == minor)
                        return &f->io[i];
        if (f->n_io == VS_FIGURES_IO_MAX)
                return NULL;
        f->io[f->n_io] = (struct vs_cgroup_io_figures){.major = major, .minor = minor};
        return &f->io[f->n_io++];
}

static void parse_blkio_file(const char *text, bool ops, struct vs_cgroup_figures *f)
{
        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                unsigned maj, min;
                char op[16];
                unsigned long long v;
                if (sscanf(l, "%u:%u %15s %llu", &maj, &min, op, &v) != 4)
                        continue;
                struct vs_cgroup_io_figures *e = NULL;
                bool rd = strcmp(op, "Read") == 0, wr = strcmp(op, "Write") == 0;
                if ((rd || wr) && (e = io_entry(f, maj, min)))
                        *(ops ? (rd ? &e->reads : &e->writes) : (rd ? &e->read_bytes : &e->write_bytes)) = v;
        }
}

void vs_cgroup_figures_parse_blkio(const char *bytes, const char *ios, struct vs_cgroup_figures *f)
{
        parse_blkio_file(bytes, false, f);
        parse_blkio_file(ios, true, f);
        f->has_io = true;
}

void vs_cgroup_figures_parse_io_stat(const char *text, struct vs_cgroup_figures *f)
{
        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                unsigned maj, min;
                int used = 0;
                if (sscanf(l, "%u:%u%n", &maj, &min, &used) != 2)
                        continue;
                struct vs_cgroup_io_figures *e = io_entry(f, maj, min);
                const char *end = strchr(l, '\n');
                for (const char *p = l + used; e && p && *p && (!end || p < end); p = strchr(p + 1, ' ')) {
                        unsigned long long v;
                        if (sscanf(p, " rbytes=%llu", &v) == 1)
                                e->read_bytes = v;
                        else if (sscanf(p, " wbytes=%llu", &v) == 1)
                                e->write_bytes = v;
                        else if (sscanf(p, " rios=%llu", &v) == 1)
                                e->reads = v;
                        else if (sscanf(p, " wios=%llu", &v) == 1)
                                e->writes = v;
                }
        }
        f->has_io = true;
}
