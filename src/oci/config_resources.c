/* vessel: config.json's linux.resources: the cgroup settings. Values are
 * type- and range-checked here; whether the host's cgroups can apply them is
 * the cgroup layer's question. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "oci/config_internal.h"
#include "oci/json.h"
#include "util/cleanup.h"

/* ---- devices ---- */

static int check_access(struct vs_oci_json *j, const char *access)
{
        for (const char *c = access; *c; c++)
                if (*c != 'r' && *c != 'w' && *c != 'm')
                        return vs_oci_json_fail_at(j, "access", "must be made of r, w and m, got %s",
                                                   VS_OCI_QUOTE(access));
        return 0;
}

static int parse_device_cgroup(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_device_cgroup *d = slot;
        _cleanup_free_ char *type = NULL;
        int r;
        if ((r = vs_oci_json_require(j, v, "allow")) < 0 ||
            (r = vs_oci_json_bool_member(j, v, "allow", NULL, &d->allow)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "type", &type)) < 0)
                return r;
        d->type = 'a';
        if (type && type[0]) {
                if (strlen(type) != 1 || !strchr("acb", type[0]))
                        return vs_oci_json_fail_at(j, "type", "unknown device type %s (expected a, c or b)",
                                                   VS_OCI_QUOTE(type));
                d->type = type[0];
        }
        if ((r = vs_oci_json_i64_member(j, v, "major", &d->major)) < 0 ||
            (r = vs_oci_json_i64_member(j, v, "minor", &d->minor)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "access", &d->access)) < 0)
                return r;
        return d->access ? check_access(j, d->access) : 0;
}

/* ---- memory, cpu, pids ---- */

static int parse_memory(struct vs_oci_json *j, const json_t *obj, struct vs_oci_resources *res)
{
        json_t *mem = NULL;
        int r = vs_oci_json_object_member(j, obj, "memory", &mem);
        if (r < 0 || !mem)
                return r;
        res->memory = calloc(1, sizeof(*res->memory));
        if (!res->memory)
                return vs_oci_json_oom(j);
        struct vs_oci_memory *m = res->memory;
        size_t mark = vs_oci_json_enter(j, "memory");
        if ((r = vs_oci_json_i64_member(j, mem, "limit", &m->limit)) < 0 ||
            (r = vs_oci_json_i64_member(j, mem, "reservation", &m->reservation)) < 0 ||
            (r = vs_oci_json_i64_member(j, mem, "swap", &m->swap)) < 0 ||
            (r = vs_oci_json_i64_member(j, mem, "kernel", &m->kernel)) < 0 ||
            (r = vs_oci_json_i64_member(j, mem, "kernelTCP", &m->kernel_tcp)) < 0 ||
            (r = vs_oci_json_u64_member(j, mem, "swappiness", &m->swappiness)) < 0 ||
            (r = vs_oci_json_bool_member(j, mem, "disableOOMKiller", &m->has_disable_oom_killer,
                                         &m->disable_oom_killer)) < 0 ||
            (r = vs_oci_json_bool_member(j, mem, "useHierarchy", &m->has_use_hierarchy, &m->use_hierarchy)) < 0 ||
            (r = vs_oci_json_bool_member(j, mem, "checkBeforeUpdate", &m->has_check_before_update,
                                         &m->check_before_update)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_cpu(struct vs_oci_json *j, const json_t *obj, struct vs_oci_resources *res)
{
        json_t *cpu = NULL;
        int r = vs_oci_json_object_member(j, obj, "cpu", &cpu);
        if (r < 0 || !cpu)
                return r;
        res->cpu = calloc(1, sizeof(*res->cpu));
        if (!res->cpu)
                return vs_oci_json_oom(j);
        struct vs_oci_cpu *c = res->cpu;
        size_t mark = vs_oci_json_enter(j, "cpu");
        if ((r = vs_oci_json_u64_member(j, cpu, "shares", &c->shares)) < 0 ||
            (r = vs_oci_json_i64_member(j, cpu, "quota", &c->quota)) < 0 ||
            (r = vs_oci_json_u64_member(j, cpu, "burst", &c->burst)) < 0 ||
            (r = vs_oci_json_u64_member(j, cpu, "period", &c->period)) < 0 ||
            (r = vs_oci_json_i64_member(j, cpu, "realtimeRuntime", &c->realtime_runtime)) < 0 ||
            (r = vs_oci_json_u64_member(j, cpu, "realtimePeriod", &c->realtime_period)) < 0 ||
            (r = vs_oci_json_string_member(j, cpu, "cpus", &c->cpus)) < 0 ||
            (r = vs_oci_json_string_member(j, cpu, "mems", &c->mems)) < 0 ||
            (r = vs_oci_json_i64_member(j, cpu, "idle", &c->idle)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_pids(struct vs_oci_json *j, const json_t *obj, struct vs_oci_resources *res)
{
        json_t *pids = NULL;
        int r = vs_oci_json_object_member(j, obj, "pids", &pids);
        if (r < 0 || !pids)
                return r;
        size_t mark = vs_oci_json_enter(j, "pids");
        /* Required in v1.2; 0 or -1 mean no limit. */
        if ((r = vs_oci_json_require(j, pids, "limit")) < 0 ||
            (r = vs_oci_json_int_member(j, pids, "limit", INT64_MIN, INT64_MAX, &res->has_pids_limit,
                                        &res->pids_limit)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

/* ---- block I/O ---- */

/* Weights are uint16 in the spec (10 to 1000 in cgroup v1, 1 to 10000 in v2). */
static int parse_weight(struct vs_oci_json *j, const json_t *obj, const char *key, struct vs_oci_u64 *ret)
{
        return vs_oci_json_uint_member(j, obj, key, UINT16_MAX, &ret->set, &ret->value);
}

static int parse_device_numbers(struct vs_oci_json *j, const json_t *v, int64_t *major, int64_t *minor)
{
        int r;
        if ((r = vs_oci_json_require(j, v, "major")) < 0 || (r = vs_oci_json_require(j, v, "minor")) < 0)
                return r;
        if ((r = vs_oci_json_int_member(j, v, "major", INT64_MIN, INT64_MAX, NULL, major)) < 0 ||
            (r = vs_oci_json_int_member(j, v, "minor", INT64_MIN, INT64_MAX, NULL, minor)) < 0)
                return r;
        return 0;
}

static int parse_weight_device(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_weight_device *d = slot;
        int r;
        if ((r = parse_device_numbers(j, v, &d->major, &d->minor)) < 0 ||
            (r = parse_weight(j, v, "weight", &d->weight)) < 0 ||
            (r = parse_weight(j, v, "leafWeight", &d->leaf_weight)) < 0)
                return r;
        return 0;
}

static int parse_throttle_device(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_throttle_device *d = slot;
        int r;
        if ((r = parse_device_numbers(j, v, &d->major, &d->minor)) < 0 || (r = vs_oci_json_require(j, v, "rate")) < 0 ||
            (r = vs_oci_json_uint_member(j, v, "rate", UINT64_MAX, NULL, &d->rate)) < 0)
                return r;
        return 0;
}

static int parse_block_io(struct vs_oci_json *j, const json_t *obj, struct vs_oci_resources *res)
{
        json_t *bio = NULL;
        int r = vs_oci_json_object_member(j, obj, "blockIO", &bio);
        if (r < 0 || !bio)
                return r;
        res->block_io = calloc(1, sizeof(*res->block_io));
        if (!res->block_io)
                return vs_oci_json_oom(j);
        struct vs_oci_block_io *b = res->block_io;
        size_t mark = vs_oci_json_enter(j, "blockIO");
        if ((r = parse_weight(j, bio, "weight", &b->weight)) < 0 ||
            (r = parse_weight(j, bio, "leafWeight", &b->leaf_weight)) < 0 ||
            (r = vs_oci_json_parse_array(j, bio, "weightDevice", &b->weight_device, &b->n_weight_device,
                                         parse_weight_device)) < 0 ||
            (r = vs_oci_json_parse_array(j, bio, "throttleReadBpsDevice", &b->throttle_read_bps,
                                         &b->n_throttle_read_bps, parse_throttle_device)) < 0 ||
            (r = vs_oci_json_parse_array(j, bio, "throttleWriteBpsDevice", &b->throttle_write_bps,
                                         &b->n_throttle_write_bps, parse_throttle_device)) < 0 ||
            (r = vs_oci_json_parse_array(j, bio, "throttleReadIOPSDevice", &b->throttle_read_iops,
                                         &b->n_throttle_read_iops, parse_throttle_device)) < 0 ||
            (r = vs_oci_json_parse_array(j, bio, "throttleWriteIOPSDevice", &b->throttle_write_iops,
                                         &b->n_throttle_write_iops, parse_throttle_device)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static void block_io_free(struct vs_oci_block_io *b)
{
        if (!b)
                return;
        free(b->weight_device);
        free(b->throttle_read_bps);
        free(b->throttle_write_bps);
        free(b->throttle_read_iops);
        free(b->throttle_write_iops);
        free(b);
}

/* ---- hugepages, network, rdma ---- */

static int parse_hugepage_limit(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_hugepage_limit *h = slot;
        int r;
        if ((r = vs_oci_json_require(j, v, "pageSize")) < 0 ||
            (r = vs_oci_json_string_member(j, v, "pageSize", &h->page_size)) < 0 ||
            (r = vs_oci_json_require(j, v, "limit")) < 0 ||
            (r = vs_oci_json_uint_member(j, v, "limit", UINT64_MAX, NULL, &h->limit)) < 0)
                return r;
        return 0;
}

static int parse_net_priority(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_net_priority *p = slot;
        int r;
        if ((r = vs_oci_json_require(j, v, "name")) < 0 ||
            (r = vs_oci_json_string_member(j, v, "name", &p->name)) < 0 ||
            (r = vs_oci_json_require(j, v, "priority")) < 0 ||
            (r = vs_oci_json_u32_member(j, v, "priority", &p->priority)) < 0)
                return r;
        return 0;
}

static int parse_network(struct vs_oci_json *j, const json_t *obj, struct vs_oci_resources *res)
{
        json_t *net = NULL;
        int r = vs_oci_json_object_member(j, obj, "network", &net);
        if (r < 0 || !net)
                return r;
        res->has_network = true;
        size_t mark = vs_oci_json_enter(j, "network");
        if ((r = vs_oci_json_uint_member(j, net, "classID", UINT32_MAX, &res->net_class_id.set,
                                         &res->net_class_id.value)) < 0 ||
            (r = vs_oci_json_parse_array(j, net, "priorities", &res->net_priorities, &res->n_net_priorities,
                                         parse_net_priority)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_rdma_entries(struct vs_oci_json *j, const json_t *rdma, struct vs_oci_resources *res)
{
        const char *device;
        json_t *v;
        size_t i = 0;
        json_object_foreach ((json_t *) rdma, device, v) {
                struct vs_oci_rdma *e = &res->rdma[i++];
                e->device = strdup(device);
                if (!e->device)
                        return vs_oci_json_oom(j);
                size_t mark = vs_oci_json_enter(j, device);
                int r = vs_oci_json_check_object(j, v);
                if (r < 0)
                        return r;
                if ((r = vs_oci_json_uint_member(j, v, "hcaHandles", UINT32_MAX, &e->hca_handles.set,
                                                 &e->hca_handles.value)) < 0 ||
                    (r = vs_oci_json_uint_member(j, v, "hcaObjects", UINT32_MAX, &e->hca_objects.set,
                                                 &e->hca_objects.value)) < 0)
                        return r;
                vs_oci_json_leave(j, mark);
        }
        return 0;
}

/* An object keyed by device name: {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}}. */
static int parse_rdma(struct vs_oci_json *j, const json_t *obj, struct vs_oci_resources *res)
{
        json_t *rdma = NULL;
        int r = vs_oci_json_object_member(j, obj, "rdma", &rdma);
        if (r < 0 || !rdma || json_object_size(rdma) == 0)
                return r;
        size_t n = json_object_size(rdma);
        res->rdma = calloc(n, sizeof(*res->rdma));
        if (!res->rdma)
                return vs_oci_json_oom(j);
        res->n_rdma = n;
        size_t mark = vs_oci_json_enter(j, "rdma");
        r = parse_rdma_entries(j, rdma, res);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

/* ---- resources ---- */

static int parse_resources_object(struct vs_oci_json *j, const json_t *obj, struct vs_oci_resources *res)
{
        int r;
        if ((r = vs_oci_json_parse_array(j, obj, "devices", &res->devices, &res->n_devices, parse_device_cgroup)) < 0 ||
            (r = parse_memory(j, obj, res)) < 0 || (r = parse_cpu(j, obj, res)) < 0 ||
            (r = parse_pids(j, obj, res)) < 0 || (r = parse_block_io(j, obj, res)) < 0 ||
            (r = vs_oci_json_parse_array(j, obj, "hugepageLimits", &res->hugepage_limits, &res->n_hugepage_limits,
                                         parse_hugepage_limit)) < 0 ||
            (r = parse_network(j, obj, res)) < 0 || (r = parse_rdma(j, obj, res)) < 0 ||
            (r = vs_oci_json_kv_member(j, obj, "unified", false, &res->unified, &res->n_unified)) < 0)
                return r;
        return 0;
}

int vs_oci_parse_resources(struct vs_oci_json *j, const json_t *linux_obj, struct vs_oci_resources **ret)
{
        json_t *obj = NULL;
        int r = vs_oci_json_object_member(j, linux_obj, "resources", &obj);
        if (r < 0 || !obj)
                return r;
        *ret = calloc(1, sizeof(**ret));
        if (!*ret)
                return vs_oci_json_oom(j);
        size_t mark = vs_oci_json_enter(j, "resources");
        r = parse_resources_object(j, obj, *ret);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

void vs_oci_resources_free(struct vs_oci_resources *res)
{
        if (!res)
                return;
        for (size_t i = 0; res->devices && i < res->n_devices; i++)
                free(res->devices[i].access);
        free(res->devices);
        free(res->memory);
        if (res->cpu) {
                free(res->cpu->cpus);
                free(res->cpu->mems);
        }
        free(res->cpu);
        block_io_free(res->block_io);
        for (size_t i = 0; res->hugepage_limits && i < res->n_hugepage_limits; i++)
                free(res->hugepage_limits[i].page_size);
        free(res->hugepage_limits);
        for (size_t i = 0; res->net_priorities && i < res->n_net_priorities; i++)
                free(res->net_priorities[i].name);
        free(res->net_priorities);
        for (size_t i = 0; res->rdma && i < res->n_rdma; i++)
                free(res->rdma[i].device);
        free(res->rdma);
        vs_oci_kv_free(res->unified, res->n_unified);
        free(res);
}
