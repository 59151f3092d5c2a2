/* vessel: linux.resources into cgroups: the checks, the conversions, the
 * device rule list and the dispatch of each field to the hierarchy that holds
 * its controller. The writers themselves are in resources_v1.c,
 * resources_v2.c and devices_bpf.c. */
#include "cgroup/resources.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/resources_internal.h"
#include "util/cleanup.h"

const char *vs_cgroup_warning_text(unsigned bit)
{
        switch (bit) {
        case VS_CGROUP_WARN_KERNEL_MEMORY:
                return "linux.resources.memory.kernel: kernel memory limits are not supported by this kernel, ignored";
        case VS_CGROUP_WARN_KERNEL_TCP:
                return "linux.resources.memory.kernelTCP: kernel TCP memory limits are not supported by this kernel, "
                       "ignored";
        case VS_CGROUP_WARN_USE_HIERARCHY:
                return "linux.resources.memory.useHierarchy: the kernel always uses the hierarchy, ignored";
        default:
                return "unknown cgroup warning";
        }
}

/* ---- conversions ---- */

uint64_t vs_cgroup_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t vs_cgroup_blkio_to_io_weight(uint64_t weight)
{
        if (weight == 0)
                return 0;
        if (weight < 10)
                weight = 10;
        if (weight > 1000)
                weight = 1000;
        return 1 + (weight - 10) * 9999 / 990;
}

int vs_cgroup_swap_to_v2(int64_t limit, int64_t swap, int64_t *ret, struct vs_error *err)
{
        if (limit == -1 && swap == 0) {
                *ret = -1; /* memory unlimited and swap unset: both unlimited */
                return 0;
        }
        if (swap == -1 || swap == 0) {
                *ret = swap;
                return 0;
        }
        if (limit == 0 || limit == -1)
                return vs_error_set(err, EINVAL, VS_RES "memory.swap: cannot limit swap without a memory limit");
        if (swap < limit)
                return vs_error_set(err, EINVAL,
                                    VS_RES "memory.swap: %" PRId64 " (memory+swap) is below the memory limit %" PRId64,
                                    swap, limit);
        *ret = swap - limit;
        return 0;
}

/* ---- checks ---- */

static int check_limit(const struct vs_oci_i64 *v, const char *field, struct vs_error *err)
{
        if (v->set && v->value < -1)
                return vs_error_set(err, EINVAL, VS_RES "%s: must be -1 (no limit) or a number of bytes, got %" PRId64,
                                    field, v->value);
        return 0;
}

static int check_memory(const struct vs_oci_memory *m, struct vs_error *err)
{
        if (check_limit(&m->limit, "memory.limit", err) < 0 ||
            check_limit(&m->reservation, "memory.reservation", err) < 0 ||
            check_limit(&m->swap, "memory.swap", err) < 0 || check_limit(&m->kernel, "memory.kernel", err) < 0 ||
            check_limit(&m->kernel_tcp, "memory.kernelTCP", err) < 0)
                return -err->code;
        if (m->swappiness.set && m->swappiness.value > 100)
                return vs_error_set(err, EINVAL, VS_RES "memory.swappiness: must be 0 to 100, got %" PRIu64,
                                    m->swappiness.value);
        if (m->limit.set && m->swap.set && m->limit.value > 0 && m->swap.value > 0 && m->swap.value < m->limit.value)
                return vs_error_set(err, EINVAL,
                                    VS_RES "memory.swap: %" PRId64 " (memory+swap) is below the memory limit %" PRId64,
                                    m->swap.value, m->limit.value);
        return 0;
}

/* "0-3,5": what cpuset.cpus and cpuset.mems accept. */
static int check_cpu_list(const char *list, const char *field, struct vs_error *err)
{
        for (const char *p = list; *p; p++)
                if (!isdigit((unsigned char) *p) && *p != '-' && *p != ',')
                        return vs_error_set(err, EINVAL, VS_RES "%s: expected a list like \"0-2,4\", got \"%s\"", field,
                                            list);
        return 0;
}

static int check_cpu(const struct vs_oci_cpu *c, struct vs_error *err)
{
        if (c->shares.set && c->shares.value != 0 && (c->shares.value < 2 || c->shares.value > 262144))
                return vs_error_set(err, EINVAL, VS_RES "cpu.shares: must be 2 to 262144, got %" PRIu64,
                                    c->shares.value);
        if (c->quota.set &&
            (c->quota.value == 0 || c->quota.value < -1 || (c->quota.value > 0 && c->quota.value < 1000)))
                return vs_error_set(err, EINVAL,
                                    VS_RES "cpu.quota: must be -1 (no limit) or at least 1000, got %" PRId64,
                                    c->quota.value);
        if (c->period.set && (c->period.value < 1000 || c->period.value > 1000000))
                return vs_error_set(err, EINVAL, VS_RES "cpu.period: must be 1000 to 1000000, got %" PRIu64,
                                    c->period.value);
        if (c->idle.set && c->idle.value != 0 && c->idle.value != 1)
                return vs_error_set(err, EINVAL, VS_RES "cpu.idle: must be 0 or 1, got %" PRId64, c->idle.value);
        if (c->realtime_runtime.set && c->realtime_runtime.value < -1)
                return vs_error_set(err, EINVAL, VS_RES "cpu.realtimeRuntime: must be -1 or positive, got %" PRId64,
                                    c->realtime_runtime.value);
        if ((c->cpus && check_cpu_list(c->cpus, "cpu.cpus", err) < 0) ||
            (c->mems && check_cpu_list(c->mems, "cpu.mems", err) < 0))
                return -err->code;
        return 0;
}

static int check_weight(const struct vs_oci_u64 *w, const char *field, struct vs_error *err)
{
        if (vs_weight_given(w) && (w->value < 10 || w->value > 1000))
                return vs_error_set(err, EINVAL, VS_RES "blockIO.%s: must be 10 to 1000, got %" PRIu64, field,
                                    w->value);
        return 0;
}

static int check_block_io(const struct vs_oci_block_io *b, struct vs_error *err)
{
        if (check_weight(&b->weight, "weight", err) < 0 || check_weight(&b->leaf_weight, "leafWeight", err) < 0)
                return -err->code;
        for (size_t i = 0; i < b->n_weight_device; i++) {
                char field[64];
                snprintf(field, sizeof(field), "weightDevice[%zu].weight", i);
                if (check_weight(&b->weight_device[i].weight, field, err) < 0)
                        return -err->code;
                snprintf(field, sizeof(field), "weightDevice[%zu].leafWeight", i);
                if (check_weight(&b->weight_device[i].leaf_weight, field, err) < 0)
                        return -err->code;
        }
        return 0;
}

/* "2MB", "1GB", "64KB". */
static int check_page_sizes(const struct vs_oci_resources *res, struct vs_error *err)
{
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const char *s = res->hugepage_limits[i].page_size, *p = s;
                while (isdigit((unsigned char) *p))
                        p++;
                if (p == s || (strcmp(p, "KB") != 0 && strcmp(p, "MB") != 0 && strcmp(p, "GB") != 0))
                        return vs_error_set(
                                err, EINVAL,
                                VS_RES "hugepageLimits[%zu].pageSize: expected a size like \"2MB\", got \"%s\"", i, s);
        }
        return 0;
}

static int check_unified_keys(const struct vs_oci_resources *res, struct vs_error *err)
{
        for (size_t i = 0; i < res->n_unified; i++) {
                const char *k = res->unified[i].key;
                if (strchr(k, '/') || strstr(k, "..") || k[0] == '.' || !strchr(k, '.'))
                        return vs_error_set(err, EINVAL,
                                            VS_RES "unified[\"%s\"]: not a cgroup file name (controller.file, no '/')",
                                            k);
        }
        return 0;
}

int vs_cgroup_resources_check(const struct vs_oci_resources *res, struct vs_error *err)
{
        if (!res)
                return 0;
        if ((res->memory && check_memory(res->memory, err) < 0) || (res->cpu && check_cpu(res->cpu, err) < 0) ||
            (res->block_io && check_block_io(res->block_io, err) < 0) || check_page_sizes(res, err) < 0 ||
            check_unified_keys(res, err) < 0)
                return -err->code;
        for (size_t i = 0; i < res->n_devices; i++)
                if (res->devices[i].type != 'a' && res->devices[i].type != 'b' && res->devices[i].type != 'c')
                        return vs_error_set(err, EINVAL, VS_RES "devices[%zu].type: expected a, b or c", i);
        return 0;
}

/* ---- device rules ---- */

/* What runc 1.1 allows every container after the config's own rules. */
static const struct vs_cgroup_device_rule default_rules[] = {
        {true, 'c', -1, -1, VS_DEV_MKNOD},
        {true, 'b', -1, -1, VS_DEV_MKNOD},
        {true, 'c', 1, 3, 7},    /* /dev/null */
        {true, 'c', 1, 8, 7},    /* /dev/random */
        {true, 'c', 1, 7, 7},    /* /dev/full */
        {true, 'c', 5, 0, 7},    /* /dev/tty */
        {true, 'c', 1, 5, 7},    /* /dev/zero */
        {true, 'c', 1, 9, 7},    /* /dev/urandom */
        {true, 'c', 136, -1, 7}, /* /dev/pts/N */
        {true, 'c', 5, 2, 7},    /* /dev/ptmx */
        {true, 'c', 10, 200, 7}, /* /dev/net/tun */
};

static unsigned access_bits(const char *access)
{
        unsigned bits = 0;
        for (const char *c = access ? access : "rwm"; *c; c++)
                bits |= *c == 'r' ? VS_DEV_READ : *c == 'w' ? VS_DEV_WRITE : *c == 'm' ? VS_DEV_MKNOD : 0;
        return bits;
}

int vs_cgroup_device_rules(const struct vs_oci_resources *res, const struct vs_oci_device *devices, size_t n_devices,
                           struct vs_cgroup_device_rule **ret, size_t *ret_n, struct vs_error *err)
{
        size_t n_res = res ? res->n_devices : 0, n = 0;
        struct vs_cgroup_device_rule *r = calloc(n_res + VS_ARRAY_SIZE(default_rules) + n_devices, sizeof(*r));
        if (!r)
                return vs_error_errno(err, ENOMEM, "cannot list device rules");
        for (size_t i = 0; i < n_res; i++) {
                const struct vs_oci_device_cgroup *d = &res->devices[i];
                r[n++] = (struct vs_cgroup_device_rule){
                        .allow = d->allow,
                        .type = d->type ? d->type : 'a',
                        .major = d->major.set ? d->major.value : -1,
                        .minor = d->minor.set ? d->minor.value : -1,
                        .access = access_bits(d->access),
                };
        }
        for (size_t i = 0; i < VS_ARRAY_SIZE(default_rules); i++)
                r[n++] = default_rules[i];
        for (size_t i = 0; i < n_devices; i++) {
                if (devices[i].type != 'c' && devices[i].type != 'b' && devices[i].type != 'u')
                        continue; /* fifos need no rule */
                r[n++] = (struct vs_cgroup_device_rule){true, devices[i].type == 'b' ? 'b' : 'c', devices[i].major,
                                                        devices[i].minor, 7};
        }
        *ret = r;
        *ret_n = n;
        return 0;
}

/* ---- dispatch ---- */

static const struct vs_cgroup_dir *need(const struct vs_cgroup_layout *l, enum vs_cgroup_controller c,
                                        const char *field, struct vs_error *err)
{
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, c);
        if (!d)
                vs_error_set(err, ENOTSUP,
                             VS_RES "%s: no %s cgroup controller here (no v1 hierarchy has it and it is not enabled on "
                                    "cgroup v2)",
                             field, vs_cgroup_controller_name(c, false));
        return d;
}

static int apply_cpu(struct vs_cgroup_apply *a, const struct vs_oci_cpu *c, struct vs_error *err)
{
        if (c->shares.set || c->quota.set || c->period.set || c->burst.set || c->realtime_runtime.set ||
            c->realtime_period.set || c->idle.set) {
                const struct vs_cgroup_dir *d = need(a->layout, VS_CG_CPU, "cpu", err);
                if (!d || (d->v2 ? vs_cgroup_v2_cpu(d, c, err) : vs_cgroup_v1_cpu(d, c, err)) < 0)
                        return -err->code;
        }
        if (!c->cpus && !c->mems)
                return 0;
        const struct vs_cgroup_dir *d = need(a->layout, VS_CG_CPUSET, c->cpus ? "cpu.cpus" : "cpu.mems", err);
        if (!d)
                return -err->code;
        /* mems before cpus as runc; the kernel checks each against the parent. */
        if (c->mems && vs_cgroup_writef(d, "cpuset.mems", VS_RES "cpu.mems", err, "%s", c->mems) < 0)
                return -err->code;
        if (c->cpus && vs_cgroup_writef(d, "cpuset.cpus", VS_RES "cpu.cpus", err, "%s", c->cpus) < 0)
                return -err->code;
        return 0;
}

static int apply_memory(struct vs_cgroup_apply *a, const struct vs_oci_memory *m, struct vs_error *err)
{
        if (!m->limit.set && !m->reservation.set && !m->swap.set && !m->kernel.set && !m->kernel_tcp.set &&
            !m->swappiness.set && !m->has_disable_oom_killer && !m->has_use_hierarchy)
                return 0;
        const struct vs_cgroup_dir *d = need(a->layout, VS_CG_MEMORY, "memory", err);
        if (!d)
                return -err->code;
        return d->v2 ? vs_cgroup_v2_memory(d, m, a, err) : vs_cgroup_v1_memory(d, m, a, err);
}

static int apply_pids(struct vs_cgroup_apply *a, const struct vs_oci_resources *res, struct vs_error *err)
{
        const struct vs_cgroup_dir *d = need(a->layout, VS_CG_PIDS, "pids.limit", err);
        if (!d)
                return -err->code;
        if (res->pids_limit <= 0)
                return vs_cgroup_writef(d, "pids.max", VS_RES "pids.limit", err, "max");
        return vs_cgroup_writef(d, "pids.max", VS_RES "pids.limit", err, "%" PRId64, res->pids_limit);
}

static int apply_hugetlb(struct vs_cgroup_apply *a, const struct vs_oci_resources *res, struct vs_error *err)
{
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const struct vs_oci_hugepage_limit *h = &res->hugepage_limits[i];
                char field[64], file[96];
                snprintf(field, sizeof(field), "hugepageLimits[%zu]", i);
                const struct vs_cgroup_dir *d = need(a->layout, VS_CG_HUGETLB, field, err);
                if (!d)
                        return -err->code;
                snprintf(file, sizeof(file), d->v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", h->page_size);
                if (!vs_cgroup_has(d, file))
                        return vs_error_set(err, EINVAL, VS_RES "%s.pageSize: no hugepage size \"%s\" on this host",
                                            field, h->page_size);
                snprintf(field, sizeof(field), VS_RES "hugepageLimits[%zu].limit", i);
                if (vs_cgroup_writef(d, file, field, err, "%" PRIu64, h->limit) < 0)
                        return -err->code;
        }
        return 0;
}

static int apply_rdma(struct vs_cgroup_apply *a, const struct vs_oci_resources *res, struct vs_error *err)
{
        for (size_t i = 0; i < res->n_rdma; i++) {
                const struct vs_oci_rdma *r = &res->rdma[i];
                char field[128], handles[32] = "max", objects[32] = "max";
                snprintf(field, sizeof(field), "rdma[\"%s\"]", r->device);
                const struct vs_cgroup_dir *d = need(a->layout, VS_CG_RDMA, field, err);
                if (!d)
                        return -err->code;
                if (r->hca_handles.set)
                        snprintf(handles, sizeof(handles), "%" PRIu64, r->hca_handles.value);
                if (r->hca_objects.set)
                        snprintf(objects, sizeof(objects), "%" PRIu64, r->hca_objects.value);
                snprintf(field, sizeof(field), VS_RES "rdma[\"%s\"]", r->device);
                if (vs_cgroup_writef(d, "rdma.max", field, err, "%s hca_handle=%s hca_object=%s", r->device, handles,
                                     objects) < 0)
                        return -err->code;
        }
        return 0;
}

static int apply_block_io(struct vs_cgroup_apply *a, const struct vs_oci_block_io *b, struct vs_error *err)
{
        if (!vs_weight_given(&b->weight) && !vs_weight_given(&b->leaf_weight) && !b->n_weight_device &&
            !b->n_throttle_read_bps && !b->n_throttle_write_bps && !b->n_throttle_read_iops &&
            !b->n_throttle_write_iops)
                return 0;
        const struct vs_cgroup_dir *d = need(a->layout, VS_CG_BLKIO, "blockIO", err);
        if (!d)
                return -err->code;
        return d->v2 ? vs_cgroup_v2_io(d, b, err) : vs_cgroup_v1_blkio(d, b, err);
}

static int apply_unified(struct vs_cgroup_apply *a, const struct vs_oci_resources *res, struct vs_error *err)
{
        if (!res->n_unified)
                return 0;
        if (!a->layout->v2)
                return vs_error_set(err, ENOTSUP, VS_RES "unified[\"%s\"]: there is no cgroup v2 hierarchy here",
                                    res->unified[0].key);
        return vs_cgroup_v2_unified(a->layout->v2, res->unified, res->n_unified, err);
}

static int apply_all(struct vs_cgroup_apply *a, const struct vs_oci_resources *res, struct vs_error *err)
{
        if ((res->cpu && apply_cpu(a, res->cpu, err) < 0) || (res->memory && apply_memory(a, res->memory, err) < 0) ||
            (res->has_pids_limit && apply_pids(a, res, err) < 0) ||
            (res->block_io && apply_block_io(a, res->block_io, err) < 0) || apply_hugetlb(a, res, err) < 0 ||
            (res->has_network && vs_cgroup_v1_network(a->layout, res, err) < 0) || apply_rdma(a, res, err) < 0 ||
            apply_unified(a, res, err) < 0)
                return -err->code;
        return 0;
}

/* v2 controllers must be enabled in every parent's cgroup.subtree_control
 * before the directory offers them: enable, then re-read what it offers. */
static void enable_v2(struct vs_cgroup_layout *l)
{
        if (!l->v2)
                return;
        (void) vs_cgroup_v2_enable_controllers(l->v2);
        vs_cgroup_layout_refresh_v2(l);
}

static int apply_in_layout(struct vs_cgroup_layout *l, const struct vs_oci_resources *res, bool update,
                           unsigned *warnings, struct vs_error *err)
{
        struct vs_cgroup_apply a = {.layout = l, .update = update};
        int r = apply_all(&a, res, err);
        if (warnings)
                *warnings |= a.warnings;
        return r;
}

int vs_cgroup_apply_resources(char **dirs, const struct vs_oci_resources *res, bool update, unsigned *warnings,
                              struct vs_error *err)
{
        if (!res)
                return 0;
        int r = vs_cgroup_resources_check(res, err);
        if (r < 0)
                return r;
        struct vs_cgroup_layout l;
        if ((r = vs_cgroup_layout_load(dirs, &l, err)) < 0)
                return r;
        if (!update)
                enable_v2(&l);
        return apply_in_layout(&l, res, update, warnings, err);
}

static int apply_devices(const struct vs_cgroup_layout *l, const struct vs_oci_linux *linux_, struct vs_error *err)
{
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(l, VS_CG_DEVICES);
        if (!d)
                return 0; /* no devices hierarchy and no cgroup2: nothing can filter */
        _cleanup_free_ struct vs_cgroup_device_rule *rules = NULL;
        size_t n = 0;
        int r = vs_cgroup_device_rules(linux_ ? linux_->resources : NULL, linux_ ? linux_->devices : NULL,
                                       linux_ ? linux_->n_devices : 0, &rules, &n, err);
        if (r == 0)
                r = d->v2 ? vs_cgroup_v2_devices(d, rules, n, err) : vs_cgroup_v1_devices(d, rules, n, err);
        return r;
}

/* create: one layout for all of it (each load reads mountinfo). */
int vs_cgroup_apply_config(char **dirs, const struct vs_oci_linux *linux_, unsigned *warnings, struct vs_error *err)
{
        const struct vs_oci_resources *res = linux_ ? linux_->resources : NULL;
        int r = vs_cgroup_resources_check(res, err);
        if (r < 0)
                return r;
        struct vs_cgroup_layout l;
        if ((r = vs_cgroup_layout_load(dirs, &l, err)) < 0)
                return r;
        enable_v2(&l);
        if (res && (r = apply_in_layout(&l, res, false, warnings, err)) < 0)
                return r;
        return apply_devices(&l, linux_, err);
}
