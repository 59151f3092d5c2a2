/* vessel: linux.resources written to cgroup v2 files, converted from the
 * spec's v1 units as runc does. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup/resources_internal.h"
#include "util/cleanup.h"
#include "util/files.h"

/* ---- delegation: enable the controllers along the path ---- */

static bool word_in(const char *list, const char *word)
{
        size_t l = strlen(word);
        for (const char *p = list; p && (p = strstr(p, word)); p += l)
                if ((p == list || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\n' || p[l] == '\0'))
                        return true;
        return false;
}

static void enable_at(const char *level)
{
        char path[PATH_MAX];
        _cleanup_free_ char *avail = NULL, *on = NULL;
        struct vs_error e = VS_ERROR_INIT;
        snprintf(path, sizeof(path), "%s/cgroup.controllers", level);
        if (vs_read_file(path, &avail, NULL, &e) < 0) {
                vs_error_ignore(&e);
                return;
        }
        snprintf(path, sizeof(path), "%s/cgroup.subtree_control", level);
        if (vs_read_file(path, &on, NULL, &e) < 0)
                vs_error_ignore(&e);
        char *save = NULL;
        for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
                if (word_in(on, c))
                        continue;
                char plus[64];
                snprintf(plus, sizeof(plus), "+%s", c);
                /* A level holding processes refuses (EBUSY): the controller
                 * then stays off, and a field that needs it says so. */
                if (vs_write_existing(path, plus, &e) < 0)
                        vs_error_ignore(&e);
        }
}

int vs_cgroup_v2_enable_controllers(const struct vs_cgroup_dir *d)
{
        char path[PATH_MAX];
        struct stat self, up;
        snprintf(path, sizeof(path), "%s", d->path);
        if (stat(path, &self) < 0)
                return -errno;
        /* Find the mount's root: the highest ancestor on the same device. */
        size_t root_len = strlen(path);
        for (;;) {
                char *slash = strrchr(path, '/');
                if (!slash || slash == path)
                        break;
                *slash = '\0';
                if (stat(path, &up) < 0 || up.st_dev != self.st_dev)
                        break;
                root_len = strlen(path);
        }
        /* Enable at the root, then each level down to the parent of d. */
        snprintf(path, sizeof(path), "%s", d->path);
        for (size_t i = root_len; path[i]; i++) {
                if (path[i] != '/')
                        continue;
                path[i] = '\0';
                enable_at(path);
                path[i] = '/';
        }
        return 0;
}

/* ---- cpu ---- */

static int cpu_max(const struct vs_cgroup_dir *d, const struct vs_oci_cpu *c, struct vs_error *err)
{
        char quota[32] = "max";
        uint64_t period = c->period.set ? c->period.value : 0;
        if (c->quota.set && c->quota.value > 0)
                snprintf(quota, sizeof(quota), "%" PRId64, c->quota.value);
        if (!c->quota.set) { /* keep the current quota when only the period changes */
                _cleanup_free_ char *cur = NULL;
                if (vs_cgroup_read(d, "cpu.max", &cur, err) < 0)
                        return -err->code;
                cur[strcspn(cur, " \n")] = '\0';
                snprintf(quota, sizeof(quota), "%s", cur);
        }
        const char *field = c->quota.set ? VS_RES "cpu.quota" : VS_RES "cpu.period";
        if (period)
                return vs_cgroup_writef(d, "cpu.max", field, err, "%s %" PRIu64, quota, period);
        return vs_cgroup_writef(d, "cpu.max", field, err, "%s", quota);
}

int vs_cgroup_v2_cpu(const struct vs_cgroup_dir *d, const struct vs_oci_cpu *c, struct vs_error *err)
{
        if (c->realtime_runtime.set || c->realtime_period.set)
                return vs_error_set(err, ENOTSUP, VS_RES "cpu.%s: realtime cpu limits are not supported on cgroup v2",
                                    c->realtime_runtime.set ? "realtimeRuntime" : "realtimePeriod");
        if (c->shares.set && c->shares.value &&
            vs_cgroup_writef(d, "cpu.weight", VS_RES "cpu.shares", err, "%" PRIu64,
                             vs_cgroup_shares_to_weight(c->shares.value)) < 0)
                return -err->code;
        if ((c->quota.set || c->period.set) && cpu_max(d, c, err) < 0)
                return -err->code;
        if (c->burst.set &&
            vs_cgroup_writef(d, "cpu.max.burst", VS_RES "cpu.burst", err, "%" PRIu64, c->burst.value) < 0)
                return -err->code;
        if (c->idle.set && vs_cgroup_writef(d, "cpu.idle", VS_RES "cpu.idle", err, "%" PRId64, c->idle.value) < 0)
                return -err->code;
        return 0;
}

/* ---- memory ---- */

static int write_bytes(const struct vs_cgroup_dir *d, const char *file, const char *field, int64_t v,
                       struct vs_error *err)
{
        if (v == -1)
                return vs_cgroup_writef(d, file, field, err, "max");
        return vs_cgroup_writef(d, file, field, err, "%" PRId64, v);
}

static int check_v2_unsupported(const struct vs_oci_memory *m, struct vs_cgroup_apply *a, struct vs_error *err)
{
        if (m->swappiness.set)
                return vs_error_set(err, ENOTSUP, VS_RES "memory.swappiness: not supported on cgroup v2");
        if (m->has_disable_oom_killer && m->disable_oom_killer)
                return vs_error_set(err, ENOTSUP, VS_RES "memory.disableOOMKiller: not supported on cgroup v2");
        if (m->kernel.set && m->kernel.value)
                a->warnings |= VS_CGROUP_WARN_KERNEL_MEMORY;
        if (m->kernel_tcp.set && m->kernel_tcp.value)
                a->warnings |= VS_CGROUP_WARN_KERNEL_TCP;
        if (m->has_use_hierarchy && !m->use_hierarchy)
                a->warnings |= VS_CGROUP_WARN_USE_HIERARCHY;
        return 0;
}

int vs_cgroup_v2_memory(const struct vs_cgroup_dir *d, const struct vs_oci_memory *m, struct vs_cgroup_apply *a,
                        struct vs_error *err)
{
        if (check_v2_unsupported(m, a, err) < 0)
                return -err->code;
        int64_t limit = m->limit.set ? m->limit.value : 0, swap = 0;
        if (vs_cgroup_swap_to_v2(limit, m->swap.set ? m->swap.value : 0, &swap, err) < 0)
                return -err->code;
        if (a->update && m->check_before_update && limit > 0) {
                uint64_t usage;
                if (vs_cgroup_read_u64(d, "memory.current", &usage, err) < 0)
                        return -err->code;
                if ((uint64_t) limit < usage)
                        return vs_error_set(err, EBUSY,
                                            VS_RES "memory.limit: %" PRId64 " is below the current usage %" PRIu64
                                                   " (memory.checkBeforeUpdate)",
                                            limit, usage);
        }
        if (swap && !vs_cgroup_has(d, "memory.swap.max"))
                return vs_error_set(err, ENOTSUP, VS_RES "memory.swap: swap accounting is not enabled on this host");
        if (swap && write_bytes(d, "memory.swap.max", VS_RES "memory.swap", swap, err) < 0)
                return -err->code;
        if (limit && write_bytes(d, "memory.max", VS_RES "memory.limit", limit, err) < 0)
                return -err->code;
        if (m->reservation.set &&
            write_bytes(d, "memory.low", VS_RES "memory.reservation", m->reservation.value, err) < 0)
                return -err->code;
        return 0;
}

/* ---- io ---- */

static int io_max(const struct vs_cgroup_dir *d, const char *key, const char *field,
                  const struct vs_oci_throttle_device *t, size_t n, struct vs_error *err)
{
        for (size_t i = 0; i < n; i++) {
                char f[96];
                snprintf(f, sizeof(f), VS_RES "blockIO.%s[%zu]", field, i);
                if (vs_cgroup_writef(d, "io.max", f, err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor,
                                     key, t[i].rate) < 0)
                        return -err->code;
        }
        return 0;
}

/* BFQ takes the v1 weight (1..1000) as it is; io.weight wants 1..10000. */
static int io_weight(const struct vs_cgroup_dir *d, const char *device, uint64_t w, const char *field,
                     struct vs_error *err)
{
        if (vs_cgroup_has(d, "io.bfq.weight"))
                return vs_cgroup_writef(d, "io.bfq.weight", field, err, "%s %" PRIu64, device, w);
        return vs_cgroup_writef(d, "io.weight", field, err, "%s %" PRIu64, device, vs_cgroup_blkio_to_io_weight(w));
}

int vs_cgroup_v2_io(const struct vs_cgroup_dir *d, const struct vs_oci_block_io *b, struct vs_error *err)
{
        if (vs_weight_given(&b->leaf_weight))
                return vs_error_set(err, ENOTSUP, VS_RES "blockIO.leafWeight: not supported on cgroup v2");
        if (vs_weight_given(&b->weight) && io_weight(d, "default", b->weight.value, VS_RES "blockIO.weight", err) < 0)
                return -err->code;
        for (size_t i = 0; i < b->n_weight_device; i++) {
                const struct vs_oci_weight_device *w = &b->weight_device[i];
                char dev[48], f[96];
                snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, w->major, w->minor);
                snprintf(f, sizeof(f), VS_RES "blockIO.weightDevice[%zu].leafWeight", i);
                if (vs_weight_given(&w->leaf_weight))
                        return vs_error_set(err, ENOTSUP, "%s: not supported on cgroup v2", f);
                snprintf(f, sizeof(f), VS_RES "blockIO.weightDevice[%zu].weight", i);
                if (vs_weight_given(&w->weight) && io_weight(d, dev, w->weight.value, f, err) < 0)
                        return -err->code;
        }
        if (io_max(d, "rbps", "throttleReadBpsDevice", b->throttle_read_bps, b->n_throttle_read_bps, err) < 0 ||
            io_max(d, "wbps", "throttleWriteBpsDevice", b->throttle_write_bps, b->n_throttle_write_bps, err) < 0 ||
            io_max(d, "riops", "throttleReadIOPSDevice", b->throttle_read_iops, b->n_throttle_read_iops, err) < 0 ||
            io_max(d, "wiops", "throttleWriteIOPSDevice", b->throttle_write_iops, b->n_throttle_write_iops, err) < 0)
                return -err->code;
        return 0;
}

/* ---- unified: v2 files by name ---- */

static bool controller_enabled(const struct vs_cgroup_dir *d, const char *name)
{
        _cleanup_free_ char *list = NULL;
        struct vs_error e = VS_ERROR_INIT;
        if (vs_cgroup_read(d, "cgroup.controllers", &list, &e) < 0) {
                vs_error_ignore(&e);
                return false;
        }
        char *save = NULL;
        for (char *t = strtok_r(list, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
                if (strcmp(t, name) == 0)
                        return true;
        return false;
}

int vs_cgroup_v2_unified(const struct vs_cgroup_dir *d, const struct vs_oci_kv *kv, size_t n, struct vs_error *err)
{
        for (size_t i = 0; i < n; i++) {
                char controller[64], field[256];
                const char *key = kv[i].key;
                snprintf(controller, sizeof(controller), "%.*s", (int) strcspn(key, "."), key);
                snprintf(field, sizeof(field), VS_RES "unified[\"%s\"]", key);
                if (strcmp(controller, "cgroup") != 0 && !controller_enabled(d, controller))
                        return vs_error_set(err, ENOTSUP, "%s: the %s controller is not enabled in %s", field,
                                            controller, d->path);
                if (!vs_cgroup_has(d, key))
                        return vs_error_set(err, ENOENT, "%s: no such file in %s", field, d->path);
                if (vs_cgroup_writef(d, key, field, err, "%s", kv[i].value) < 0)
                        return -err->code;
        }
        return 0;
}
