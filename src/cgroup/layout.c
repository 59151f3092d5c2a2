#include "cgroup/layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/files.h"

static const struct {
        const char *v1, *v2;
        const char *marker; /* a file every v1 directory of this controller has */
} controllers[VS_CG_COUNT] = {
        [VS_CG_CPU] = {"cpu", "cpu", "cpu.shares"},
        [VS_CG_CPUACCT] = {"cpuacct", "cpu", "cpuacct.usage"},
        [VS_CG_CPUSET] = {"cpuset", "cpuset", "cpuset.cpus"},
        [VS_CG_MEMORY] = {"memory", "memory", "memory.limit_in_bytes"},
        [VS_CG_DEVICES] = {"devices", "devices", "devices.allow"},
        [VS_CG_FREEZER] = {"freezer", "freezer", "freezer.state"},
        [VS_CG_BLKIO] = {"blkio", "io", "blkio.throttle.read_bps_device"},
        [VS_CG_PIDS] = {"pids", "pids", "pids.max"},
        [VS_CG_HUGETLB] = {"hugetlb", "hugetlb", NULL},
        [VS_CG_NET_CLS] = {"net_cls", "net_cls", "net_cls.classid"},
        [VS_CG_NET_PRIO] = {"net_prio", "net_prio", "net_prio.ifpriomap"},
        [VS_CG_RDMA] = {"rdma", "rdma", "rdma.max"},
};

const char *vs_cgroup_controller_name(enum vs_cgroup_controller c, bool v2)
{
        return v2 ? controllers[c].v2 : controllers[c].v1;
}

static bool has_file(const char *dir, const char *file)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        return access(path, F_OK) == 0;
}

static bool has_prefix_file(const char *dir, const char *prefix)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        for (struct dirent *de; d && (de = readdir(d));)
                if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
                        return true;
        return false;
}

/* A v1 hierarchy's controllers, from its mount's options ("cpu",
 * "cpu,cpuacct", "name=systemd"): one read of mountinfo for all the
 * directories instead of probing marker files in each. */
static unsigned v1_mask_of_names(const char *csv)
{
        unsigned mask = 0;
        char copy[512], *save = NULL;
        snprintf(copy, sizeof(copy), "%s", csv);
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                for (int c = 0; c < VS_CG_COUNT; c++)
                        if (strcmp(t, controllers[c].v1) == 0)
                                mask |= 1u << c;
        return mask;
}

static const struct vs_cgroup_hierarchy *hierarchy_of(const struct vs_cgroup_hosts *hosts, const char *dir)
{
        const struct vs_cgroup_hierarchy *best = NULL;
        for (size_t i = 0; i < hosts->n; i++) {
                size_t l = strlen(hosts->h[i].mount_point);
                if (strncmp(dir, hosts->h[i].mount_point, l) == 0 && (dir[l] == '/' || dir[l] == '\0') &&
                    (!best || l > strlen(best->mount_point)))
                        best = &hosts->h[i];
        }
        return best;
}

/* The fallback when the mount is not found (a directory outside any mount
 * this process sees): probe the files each controller puts there. */
static unsigned v1_controllers(const char *dir)
{
        unsigned mask = 0;
        for (int c = 0; c < VS_CG_COUNT; c++)
                if (controllers[c].marker && has_file(dir, controllers[c].marker))
                        mask |= 1u << c;
        if (has_file(dir, "blkio.weight") || has_file(dir, "blkio.bfq.weight"))
                mask |= 1u << VS_CG_BLKIO;
        if (has_prefix_file(dir, "hugetlb."))
                mask |= 1u << VS_CG_HUGETLB;
        return mask;
}

/* On v2 a controller is usable in a cgroup when it is listed in the
 * cgroup's cgroup.controllers (that is, enabled in its parent). cpu usage
 * (cpu.stat), cgroup.freeze and device programs need no controller. */
static unsigned v2_controllers(const char *dir)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
        _cleanup_free_ char *list = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(path, &list, NULL, &ignored) < 0)
                vs_error_ignore(&ignored);
        unsigned mask = 1u << VS_CG_CPUACCT | 1u << VS_CG_DEVICES | 1u << VS_CG_FREEZER;
        char *save = NULL;
        for (char *t = list ? strtok_r(list, " \n", &save) : NULL; t; t = strtok_r(NULL, " \n", &save))
                for (int c = 0; c < VS_CG_COUNT; c++)
                        if (c != VS_CG_CPUACCT && strcmp(t, controllers[c].v2) == 0)
                                mask |= 1u << c;
        return mask;
}

static int layout_load(const struct vs_cgroup_hosts *hosts, char **dirs, struct vs_cgroup_layout *out,
                       struct vs_error *err)
{
        struct vs_cgroup_layout l = {0};
        unsigned v1_mask = 0;
        for (char **d = dirs; d && *d; d++) {
                /* The hierarchy's kind comes from its mount; statfs only for a
                 * directory outside every mount this process sees. */
                const struct vs_cgroup_hierarchy *h = hierarchy_of(hosts, *d);
                struct statfs fs = {.f_type = h ? (h->v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC) : 0};
                if (!h && statfs(*d, &fs) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return vs_error_syscall(err, "cannot inspect cgroup %s", *d);
                }
                if (l.n == VS_CGROUP_DIRS_MAX)
                        return vs_error_set(err, E2BIG, "too many cgroup hierarchies");
                struct vs_cgroup_dir *e = &l.dir[l.n++];
                e->path = *d;
                e->v2 = fs.f_type == CGROUP2_SUPER_MAGIC;
                e->controllers = e->v2 ? v2_controllers(*d) : h ? v1_mask_of_names(h->controllers) : v1_controllers(*d);
                if (!e->v2)
                        v1_mask |= e->controllers;
        }
        for (size_t i = 0; i < l.n; i++)
                if (l.dir[i].v2)
                        l.dir[i].controllers &=
                                ~(v1_mask & (1u << VS_CG_DEVICES | 1u << VS_CG_FREEZER | 1u << VS_CG_CPUACCT));
        *out = l;
        for (size_t i = 0; i < out->n; i++)
                if (out->dir[i].v2)
                        out->v2 = &out->dir[i];
        return 0;
}

int vs_cgroup_layout_load(char **dirs, struct vs_cgroup_layout *out, struct vs_error *err)
{
        struct vs_cgroup_hosts hosts = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_cgroup_hosts_detect(&hosts, &ignored) < 0)
                vs_error_ignore(&ignored); /* then every v1 directory is probed */
        int r = layout_load(&hosts, dirs, out, err);
        vs_cgroup_hosts_clear(&hosts);
        return r;
}

void vs_cgroup_layout_refresh_v2(struct vs_cgroup_layout *l)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->dir[i].v2) {
                        unsigned v1_only = 1u << VS_CG_DEVICES | 1u << VS_CG_FREEZER | 1u << VS_CG_CPUACCT;
                        unsigned kept = l->dir[i].controllers & v1_only;
                        l->dir[i].controllers = (v2_controllers(l->dir[i].path) & ~v1_only) | kept;
                }
}

const struct vs_cgroup_dir *vs_cgroup_layout_find(const struct vs_cgroup_layout *l, enum vs_cgroup_controller c)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->dir[i].controllers & (1u << c))
                        return &l->dir[i];
        return NULL;
}

bool vs_cgroup_has(const struct vs_cgroup_dir *d, const char *file)
{
        return has_file(d->path, file);
}

int vs_cgroup_writef(const struct vs_cgroup_dir *d, const char *file, const char *field, struct vs_error *err,
                     const char *fmt, ...)
{
        char value[4096], path[PATH_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(value, sizeof(value), fmt, ap);
        va_end(ap);
        snprintf(path, sizeof(path), "%s/%s", d->path, file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "%s: cannot open %s", field, path);
        if (write(fd, value, strlen(value)) < 0)
                return vs_error_syscall(err, "%s: cannot write \"%s\" to %s", field, value, path);
        return 0;
}

int vs_cgroup_read(const struct vs_cgroup_dir *d, const char *file, char **ret, struct vs_error *err)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", d->path, file);
        return vs_read_file(path, ret, NULL, err);
}

int vs_cgroup_read_u64(const struct vs_cgroup_dir *d, const char *file, uint64_t *ret, struct vs_error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = vs_cgroup_read(d, file, &text, err);
        if (r < 0)
                return r;
        if (strncmp(text, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (end == text || errno)
                return vs_error_set(err, EINVAL, "cannot read %s/%s: not a number", d->path, file);
        *ret = v < 0 ? UINT64_MAX : (uint64_t) v;
        return 0;
}

bool vs_cgroup_keyed(const char *text, const char *key, uint64_t *ret)
{
        size_t kl = strlen(key);
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
                        *ret = strtoull(p + kl + 1, NULL, 10);
                        return true;
                }
        }
        return false;
}
