/* vessel: linux.resources written to cgroup v1 files, one small writer per
 * controller (crun's write_* functions are the model). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/resources_internal.h"
#include "util/cleanup.h"

/* ---- cpu ---- */

static int cfs(const struct vs_cgroup_dir *d, const struct vs_oci_cpu *c, struct vs_error *err)
{
        /* The kernel checks quota against period: when the new period
         * is refused next to the old quota, write the quota first. */
        if (c->period.set &&
            vs_cgroup_writef(d, "cpu.cfs_period_us", VS_RES "cpu.period", err, "%" PRIu64, c->period.value) < 0) {
                if (!c->quota.set || err->code != EINVAL)
                        return -err->code;
                vs_error_ignore(err);
                if (vs_cgroup_writef(d, "cpu.cfs_quota_us", VS_RES "cpu.quota", err, "%" PRId64, c->quota.value) < 0 ||
                    vs_cgroup_writef(d, "cpu.cfs_period_us", VS_RES "cpu.period", err, "%" PRIu64, c->period.value) < 0)
                        return -err->code;
        } else if (c->quota.set &&
                   vs_cgroup_writef(d, "cpu.cfs_quota_us", VS_RES "cpu.quota", err, "%" PRId64, c->quota.value) < 0) {
                return -err->code;
        }
        if (c->burst.set &&
            vs_cgroup_writef(d, "cpu.cfs_burst_us", VS_RES "cpu.burst", err, "%" PRIu64, c->burst.value) < 0)
                return -err->code;
        return 0;
}

int vs_cgroup_v1_cpu(const struct vs_cgroup_dir *d, const struct vs_oci_cpu *c, struct vs_error *err)
{
        if (c->shares.set && c->shares.value &&
            vs_cgroup_writef(d, "cpu.shares", VS_RES "cpu.shares", err, "%" PRIu64, c->shares.value) < 0)
                return -err->code;
        if (cfs(d, c, err) < 0)
                return -err->code;
        /* rt period before runtime: a runtime above the old period is refused. */
        if (c->realtime_period.set && vs_cgroup_writef(d, "cpu.rt_period_us", VS_RES "cpu.realtimePeriod", err,
                                                       "%" PRIu64, c->realtime_period.value) < 0)
                return -err->code;
        if (c->realtime_runtime.set && vs_cgroup_writef(d, "cpu.rt_runtime_us", VS_RES "cpu.realtimeRuntime", err,
                                                        "%" PRId64, c->realtime_runtime.value) < 0)
                return -err->code;
        if (c->idle.set && vs_cgroup_writef(d, "cpu.idle", VS_RES "cpu.idle", err, "%" PRId64, c->idle.value) < 0)
                return -err->code;
        return 0;
}

/* ---- memory ---- */

static int check_usage(const struct vs_cgroup_dir *d, const char *usage_file, int64_t limit, struct vs_error *err)
{
        uint64_t usage;
        if (limit <= 0 || vs_cgroup_read_u64(d, usage_file, &usage, err) < 0) {
                vs_error_ignore(err);
                return 0;
        }
        if ((uint64_t) limit < usage)
                return vs_error_set(err, EBUSY,
                                    VS_RES "memory.limit: %" PRId64 " is below the current usage %" PRIu64
                                           " (memory.checkBeforeUpdate)",
                                    limit, usage);
        return 0;
}

/* The kernel refuses memory.limit above memsw.limit, and memsw below the
 * limit: write them in the order that never crosses (runc's order). */
static int limit_and_swap(const struct vs_cgroup_dir *d, const struct vs_oci_memory *m, struct vs_error *err)
{
        int64_t limit = m->limit.set ? m->limit.value : 0, swap = m->swap.set ? m->swap.value : 0;
        if (limit == -1 && !swap)
                swap = -1; /* unlimited memory and unset swap: both unlimited */
        if (swap && !vs_cgroup_has(d, "memory.memsw.limit_in_bytes"))
                return vs_error_set(err, ENOTSUP, VS_RES "memory.swap: swap accounting is not enabled on this host");
        bool swap_first = false;
        if (limit && swap) {
                uint64_t cur = 0;
                if (vs_cgroup_read_u64(d, "memory.limit_in_bytes", &cur, err) < 0)
                        return -err->code;
                swap_first = swap == -1 || cur < (uint64_t) swap;
        }
        if (swap && swap_first &&
            vs_cgroup_writef(d, "memory.memsw.limit_in_bytes", VS_RES "memory.swap", err, "%" PRId64, swap) < 0)
                return -err->code;
        if (limit && vs_cgroup_writef(d, "memory.limit_in_bytes", VS_RES "memory.limit", err, "%" PRId64, limit) < 0)
                return -err->code;
        if (swap && !swap_first &&
            vs_cgroup_writef(d, "memory.memsw.limit_in_bytes", VS_RES "memory.swap", err, "%" PRId64, swap) < 0)
                return -err->code;
        return 0;
}

/* kmem limits: gone from the kernel (the file may remain and refuse writes). */
static void kernel_limit(const struct vs_cgroup_dir *d, const char *file, const struct vs_oci_i64 *v, unsigned bit,
                         struct vs_cgroup_apply *a)
{
        struct vs_error e = VS_ERROR_INIT;
        if (!v->set || v->value == 0)
                return;
        uint64_t now = 0;
        /* Since 5.16 the kernel accepts kmem.limit_in_bytes and ignores it:
         * read the value back to tell (it may round down to a page). */
        if (!vs_cgroup_has(d, file) || vs_cgroup_writef(d, file, "", &e, "%" PRId64, v->value) < 0 ||
            (v->value > 0 && vs_cgroup_read_u64(d, file, &now, &e) == 0 && now > (uint64_t) v->value))
                a->warnings |= bit;
        vs_error_ignore(&e);
}

static int memory_flags(const struct vs_cgroup_dir *d, const struct vs_oci_memory *m, struct vs_cgroup_apply *a,
                        struct vs_error *err)
{
        if (m->swappiness.set && vs_cgroup_writef(d, "memory.swappiness", VS_RES "memory.swappiness", err, "%" PRIu64,
                                                  m->swappiness.value) < 0)
                return -err->code;
        if (m->has_disable_oom_killer && m->disable_oom_killer &&
            vs_cgroup_writef(d, "memory.oom_control", VS_RES "memory.disableOOMKiller", err, "1") < 0)
                return -err->code;
        if (m->has_use_hierarchy) {
                struct vs_error e = VS_ERROR_INIT;
                if (vs_cgroup_writef(d, "memory.use_hierarchy", "", &e, "%d", m->use_hierarchy ? 1 : 0) < 0)
                        a->warnings |= VS_CGROUP_WARN_USE_HIERARCHY;
                vs_error_ignore(&e);
        }
        return 0;
}

int vs_cgroup_v1_memory(const struct vs_cgroup_dir *d, const struct vs_oci_memory *m, struct vs_cgroup_apply *a,
                        struct vs_error *err)
{
        if (a->update && m->check_before_update && m->limit.set &&
            check_usage(d, "memory.usage_in_bytes", m->limit.value, err) < 0)
                return -err->code;
        if (limit_and_swap(d, m, err) < 0)
                return -err->code;
        if (m->reservation.set && vs_cgroup_writef(d, "memory.soft_limit_in_bytes", VS_RES "memory.reservation", err,
                                                   "%" PRId64, m->reservation.value) < 0)
                return -err->code;
        kernel_limit(d, "memory.kmem.limit_in_bytes", &m->kernel, VS_CGROUP_WARN_KERNEL_MEMORY, a);
        kernel_limit(d, "memory.kmem.tcp.limit_in_bytes", &m->kernel_tcp, VS_CGROUP_WARN_KERNEL_TCP, a);
        return memory_flags(d, m, a, err);
}

/* ---- blkio ---- */

/* CFQ had blkio.weight; BFQ shows blkio.bfq.weight. Use what exists. */
static const char *weight_file(const struct vs_cgroup_dir *d, bool per_device)
{
        if (vs_cgroup_has(d, per_device ? "blkio.weight_device" : "blkio.weight"))
                return per_device ? "blkio.weight_device" : "blkio.weight";
        return per_device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
}

static int throttle(const struct vs_cgroup_dir *d, const char *file, const char *field,
                    const struct vs_oci_throttle_device *t, size_t n, struct vs_error *err)
{
        for (size_t i = 0; i < n; i++) {
                char f[96];
                snprintf(f, sizeof(f), VS_RES "blockIO.%s[%zu]", field, i);
                if (vs_cgroup_writef(d, file, f, err, "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major, t[i].minor,
                                     t[i].rate) < 0)
                        return -err->code;
        }
        return 0;
}

static int weight_devices(const struct vs_cgroup_dir *d, const struct vs_oci_block_io *b, struct vs_error *err)
{
        for (size_t i = 0; i < b->n_weight_device; i++) {
                const struct vs_oci_weight_device *w = &b->weight_device[i];
                char f[96];
                snprintf(f, sizeof(f), VS_RES "blockIO.weightDevice[%zu].weight", i);
                if (vs_weight_given(&w->weight) &&
                    vs_cgroup_writef(d, weight_file(d, true), f, err, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major,
                                     w->minor, w->weight.value) < 0)
                        return -err->code;
                snprintf(f, sizeof(f), VS_RES "blockIO.weightDevice[%zu].leafWeight", i);
                if (vs_weight_given(&w->leaf_weight) &&
                    vs_cgroup_writef(d, "blkio.leaf_weight_device", f, err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                                     w->major, w->minor, w->leaf_weight.value) < 0)
                        return -err->code;
        }
        return 0;
}

int vs_cgroup_v1_blkio(const struct vs_cgroup_dir *d, const struct vs_oci_block_io *b, struct vs_error *err)
{
        if (vs_weight_given(&b->weight) &&
            vs_cgroup_writef(d, weight_file(d, false), VS_RES "blockIO.weight", err, "%" PRIu64, b->weight.value) < 0)
                return -err->code;
        if (vs_weight_given(&b->leaf_weight) && vs_cgroup_writef(d, "blkio.leaf_weight", VS_RES "blockIO.leafWeight",
                                                                 err, "%" PRIu64, b->leaf_weight.value) < 0)
                return -err->code;
        if (weight_devices(d, b, err) < 0 ||
            throttle(d, "blkio.throttle.read_bps_device", "throttleReadBpsDevice", b->throttle_read_bps,
                     b->n_throttle_read_bps, err) < 0 ||
            throttle(d, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice", b->throttle_write_bps,
                     b->n_throttle_write_bps, err) < 0 ||
            throttle(d, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice", b->throttle_read_iops,
                     b->n_throttle_read_iops, err) < 0 ||
            throttle(d, "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice", b->throttle_write_iops,
                     b->n_throttle_write_iops, err) < 0)
                return -err->code;
        return 0;
}

/* ---- devices ---- */

static void rule_text(const struct vs_cgroup_device_rule *r, char *buf, size_t size)
{
        char major[24] = "*", minor[24] = "*", access[4] = "";
        size_t k = 0;
        if (r->major >= 0)
                snprintf(major, sizeof(major), "%" PRId64, r->major);
        if (r->minor >= 0)
                snprintf(minor, sizeof(minor), "%" PRId64, r->minor);
        if (r->access & VS_DEV_READ)
                access[k++] = 'r';
        if (r->access & VS_DEV_WRITE)
                access[k++] = 'w';
        if (r->access & VS_DEV_MKNOD)
                access[k++] = 'm';
        access[k] = '\0';
        snprintf(buf, size, "%c %s:%s %s", r->type, major, minor, access);
}

/* Start from "deny everything"; an "a" rule for every device resets the
 * default (devices.allow "a" / devices.deny "a"); other rules are exceptions. */
int vs_cgroup_v1_devices(const struct vs_cgroup_dir *d, const struct vs_cgroup_device_rule *rules, size_t n,
                         struct vs_error *err)
{
        if (vs_cgroup_writef(d, "devices.deny", VS_RES "devices", err, "a") < 0)
                return -err->code;
        for (size_t i = 0; i < n; i++) {
                const struct vs_cgroup_device_rule *r = &rules[i];
                char text[64], field[64];
                bool everything = r->type == 'a' && r->major < 0 && r->minor < 0 && r->access == 7;
                if (everything)
                        snprintf(text, sizeof(text), "a");
                else
                        rule_text(r, text, sizeof(text));
                snprintf(field, sizeof(field), VS_RES "devices[%zu]", i);
                if (vs_cgroup_writef(d, r->allow ? "devices.allow" : "devices.deny", field, err, "%s", text) < 0)
                        return -err->code;
        }
        return 0;
}

/* ---- network: net_cls and net_prio exist only as v1 controllers ---- */

int vs_cgroup_v1_network(const struct vs_cgroup_layout *l, const struct vs_oci_resources *res, struct vs_error *err)
{
        if (res->net_class_id.set) {
                const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_NET_CLS);
                if (!d)
                        return vs_error_set(err, ENOTSUP, VS_RES "network.classID: no net_cls cgroup hierarchy here");
                if (vs_cgroup_writef(d, "net_cls.classid", VS_RES "network.classID", err, "%" PRIu64,
                                     res->net_class_id.value) < 0)
                        return -err->code;
        }
        for (size_t i = 0; i < res->n_net_priorities; i++) {
                const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_NET_PRIO);
                char field[64];
                snprintf(field, sizeof(field), VS_RES "network.priorities[%zu]", i);
                if (!d)
                        return vs_error_set(err, ENOTSUP, "%s: no net_prio cgroup hierarchy here", field);
                if (vs_cgroup_writef(d, "net_prio.ifpriomap", field, err, "%s %u", res->net_priorities[i].name,
                                     res->net_priorities[i].priority) < 0)
                        return -err->code;
        }
        return 0;
}
