/* vessel: config.json's "linux" object: namespaces, id mappings, time
 * offsets, devices, paths, personality, and the checks between them.
 * Resources and seccomp have their own files. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "oci/config_internal.h"
#include "oci/json.h"
#include "oci/names.h"
#include "util/cleanup.h"

/* The kernel accepts at most this many lines in uid_map and gid_map
 * (UID_GID_MAP_MAX_EXTENTS); checking it here also bounds the overlap test. */
#define IDMAP_MAX_ENTRIES 340

/* ---- id mappings ---- */

static int parse_idmap(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_idmap *m = slot;
        int r;
        if ((r = vs_oci_json_require(j, v, "containerID")) < 0 || (r = vs_oci_json_require(j, v, "hostID")) < 0 ||
            (r = vs_oci_json_require(j, v, "size")) < 0)
                return r;
        if ((r = vs_oci_json_u32_member(j, v, "containerID", &m->container_id)) < 0 ||
            (r = vs_oci_json_u32_member(j, v, "hostID", &m->host_id)) < 0 ||
            (r = vs_oci_json_u32_member(j, v, "size", &m->size)) < 0)
                return r;
        if (m->size == 0)
                return vs_oci_json_fail_at(j, "size", "must be greater than zero");
        if ((uint64_t) m->container_id + m->size - 1 > UINT32_MAX)
                return vs_oci_json_fail(j, "containerID %" PRIu32 " + size %" PRIu32 " goes past the 32-bit IDs",
                                        m->container_id, m->size);
        if ((uint64_t) m->host_id + m->size - 1 > UINT32_MAX)
                return vs_oci_json_fail(j, "hostID %" PRIu32 " + size %" PRIu32 " goes past the 32-bit IDs", m->host_id,
                                        m->size);
        return 0;
}

static bool ranges_overlap(uint32_t a, uint32_t b, uint32_t size_a, uint32_t size_b)
{
        return (uint64_t) a < (uint64_t) b + size_b && (uint64_t) b < (uint64_t) a + size_a;
}

static int check_idmap_overlaps(struct vs_oci_json *j, const char *key, const struct vs_oci_idmap *maps, size_t n)
{
        for (size_t i = 1; i < n; i++)
                for (size_t k = 0; k < i; k++) {
                        const struct vs_oci_idmap *a = &maps[i], *b = &maps[k];
                        const char *which = NULL;
                        uint32_t start = 0;
                        if (ranges_overlap(a->container_id, b->container_id, a->size, b->size)) {
                                which = "container";
                                start = a->container_id;
                        } else if (ranges_overlap(a->host_id, b->host_id, a->size, b->size)) {
                                which = "host";
                                start = a->host_id;
                        }
                        if (!which)
                                continue;
                        vs_oci_json_enter(j, key);
                        vs_oci_json_enter_index(j, i);
                        return vs_oci_json_fail(j, "%s IDs %" PRIu32 "-%" PRIu64 " overlap those of %s[%zu]", which,
                                                start, (uint64_t) start + a->size - 1, key, k);
                }
        return 0;
}

int vs_oci_parse_idmaps(struct vs_oci_json *j, const json_t *obj, const char *key, struct vs_oci_idmap **ret,
                        size_t *ret_n)
{
        int r = vs_oci_json_parse_array(j, obj, key, ret, ret_n, parse_idmap);
        if (r < 0)
                return r;
        if (*ret_n > IDMAP_MAX_ENTRIES)
                return vs_oci_json_fail_at(j, key, "too many mappings (%zu; the kernel takes at most %d)", *ret_n,
                                           IDMAP_MAX_ENTRIES);
        return check_idmap_overlaps(j, key, *ret, *ret_n);
}

/* ---- namespaces ---- */

static int namespace_type(const char *name, enum vs_oci_ns_type *ret)
{
        for (int t = 0; t < VS_NS_COUNT; t++)
                if (strcmp(vs_oci_ns_name((enum vs_oci_ns_type) t), name) == 0) {
                        *ret = (enum vs_oci_ns_type) t;
                        return 0;
                }
        return -EINVAL;
}

static int parse_namespace(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_namespace *ns = slot;
        _cleanup_free_ char *type = NULL;
        int r = vs_oci_json_require(j, v, "type");
        if (r < 0)
                return r;
        r = vs_oci_json_string_member(j, v, "type", &type);
        if (r < 0)
                return r;
        if (namespace_type(type, &ns->type) < 0)
                return vs_oci_json_fail_at(j, "type", "unknown namespace %s", VS_OCI_QUOTE(type));
        r = vs_oci_json_string_member(j, v, "path", &ns->path);
        if (r < 0)
                return r;
        /* An empty path is an absent one, as in runc: make a new namespace. */
        if (ns->path && ns->path[0] == '\0') {
                free(ns->path);
                ns->path = NULL;
        }
        if (ns->path)
                return vs_oci_check_absolute(j, "path", ns->path);
        return 0;
}

static int parse_namespaces(struct vs_oci_json *j, const json_t *obj, struct vs_oci_linux *l)
{
        int r = vs_oci_json_parse_array(j, obj, "namespaces", &l->namespaces, &l->n_namespaces, parse_namespace);
        if (r < 0)
                return r;
        for (size_t i = 1; i < l->n_namespaces; i++)
                for (size_t k = 0; k < i; k++)
                        if (l->namespaces[i].type == l->namespaces[k].type) {
                                vs_oci_json_enter(j, "namespaces");
                                vs_oci_json_enter_index(j, i);
                                return vs_oci_json_fail_at(j, "type", "duplicate namespace \"%s\"",
                                                           vs_oci_ns_name(l->namespaces[i].type));
                        }
        return 0;
}

static const struct vs_oci_namespace *find_namespace(const struct vs_oci_linux *l, enum vs_oci_ns_type type)
{
        for (size_t i = 0; i < l->n_namespaces; i++)
                if (l->namespaces[i].type == type)
                        return &l->namespaces[i];
        return NULL;
}

/* Mappings belong to a user namespace, and a new user namespace needs them
 * (as runc: with neither mappings nor a namespace to join, nobody would be
 * root inside); time offsets belong to a new time namespace. */
static int check_namespace_needs(struct vs_oci_json *j, const struct vs_oci_linux *l)
{
        const struct vs_oci_namespace *user = find_namespace(l, VS_NS_USER);
        const struct vs_oci_namespace *time = find_namespace(l, VS_NS_TIME);
        if (!user && l->n_uid_mappings > 0)
                return vs_oci_json_fail_at(j, "uidMappings", "requires a user namespace in linux.namespaces");
        if (!user && l->n_gid_mappings > 0)
                return vs_oci_json_fail_at(j, "gidMappings", "requires a user namespace in linux.namespaces");
        if (user && !user->path && l->n_uid_mappings == 0)
                return vs_oci_json_fail_at(j, "uidMappings", "is required for a new user namespace");
        if (user && !user->path && l->n_gid_mappings == 0)
                return vs_oci_json_fail_at(j, "gidMappings", "is required for a new user namespace");
        if ((l->time_monotonic.set || l->time_boottime.set) && (!time || time->path))
                return vs_oci_json_fail_at(j, "timeOffsets", "requires a new time namespace in linux.namespaces");
        return 0;
}

/* ---- time offsets ---- */

static int parse_time_offset(struct vs_oci_json *j, const json_t *v, struct vs_oci_time_offset *t)
{
        int r = vs_oci_json_check_object(j, v);
        if (r < 0)
                return r;
        uint32_t nanosecs = 0;
        if ((r = vs_oci_json_int_member(j, v, "secs", INT64_MIN, INT64_MAX, NULL, &t->secs)) < 0 ||
            (r = vs_oci_json_u32_member(j, v, "nanosecs", &nanosecs)) < 0)
                return r;
        if (nanosecs >= 1000000000u)
                return vs_oci_json_fail_at(j, "nanosecs", "must be less than 1000000000, got %" PRIu32, nanosecs);
        t->nanosecs = nanosecs;
        t->set = true;
        return 0;
}

static int parse_time_offsets(struct vs_oci_json *j, const json_t *obj, struct vs_oci_linux *l)
{
        json_t *offsets = NULL;
        int r = vs_oci_json_object_member(j, obj, "timeOffsets", &offsets);
        if (r < 0 || !offsets)
                return r;
        size_t mark = vs_oci_json_enter(j, "timeOffsets");
        const char *clock;
        json_t *v;
        json_object_foreach (offsets, clock, v) {
                struct vs_oci_time_offset *t = strcmp(clock, "monotonic") == 0  ? &l->time_monotonic
                                               : strcmp(clock, "boottime") == 0 ? &l->time_boottime
                                                                                : NULL;
                /* The kernel's timens_offsets takes only these two clocks. */
                if (!t)
                        return vs_oci_json_fail_at(j, clock, "unknown clock (expected monotonic or boottime)");
                size_t clock_mark = vs_oci_json_enter(j, clock);
                r = parse_time_offset(j, v, t);
                if (r < 0)
                        return r;
                vs_oci_json_leave(j, clock_mark);
        }
        vs_oci_json_leave(j, mark);
        return 0;
}

/* ---- devices, personality ---- */

static int parse_device(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_device *d = slot;
        _cleanup_free_ char *type = NULL;
        int r;
        if ((r = vs_oci_json_require(j, v, "type")) < 0 || (r = vs_oci_json_string_member(j, v, "type", &type)) < 0)
                return r;
        if (strlen(type) != 1 || !strchr("cbup", type[0]))
                return vs_oci_json_fail_at(j, "type", "unknown device type %s (expected c, b, u or p)",
                                           VS_OCI_QUOTE(type));
        d->type = type[0];
        if ((r = vs_oci_json_require(j, v, "path")) < 0 ||
            (r = vs_oci_json_string_member(j, v, "path", &d->path)) < 0 ||
            (r = vs_oci_check_absolute(j, "path", d->path)) < 0)
                return r;
        bool has_major = false, has_minor = false;
        if ((r = vs_oci_json_int_member(j, v, "major", INT64_MIN, INT64_MAX, &has_major, &d->major)) < 0 ||
            (r = vs_oci_json_int_member(j, v, "minor", INT64_MIN, INT64_MAX, &has_minor, &d->minor)) < 0)
                return r;
        /* A FIFO has no device number; every other node needs one. */
        if (d->type != 'p' && !has_major)
                return vs_oci_json_fail_at(j, "major", "is required for a device of type %c", d->type);
        if (d->type != 'p' && !has_minor)
                return vs_oci_json_fail_at(j, "minor", "is required for a device of type %c", d->type);
        if ((r = vs_oci_json_uint_member(j, v, "fileMode", UINT32_MAX, &d->file_mode.set, &d->file_mode.value)) < 0 ||
            (r = vs_oci_json_uint_member(j, v, "uid", UINT32_MAX, &d->uid.set, &d->uid.value)) < 0 ||
            (r = vs_oci_json_uint_member(j, v, "gid", UINT32_MAX, &d->gid.set, &d->gid.value)) < 0)
                return r;
        return 0;
}

static int parse_personality(struct vs_oci_json *j, const json_t *obj, struct vs_oci_linux *l)
{
        json_t *pers = NULL;
        int r = vs_oci_json_object_member(j, obj, "personality", &pers);
        if (r < 0 || !pers)
                return r;
        l->personality = calloc(1, sizeof(*l->personality));
        if (!l->personality)
                return vs_oci_json_oom(j);
        struct vs_oci_personality *p = l->personality;
        size_t mark = vs_oci_json_enter(j, "personality");
        if ((r = vs_oci_json_require(j, pers, "domain")) < 0 ||
            (r = vs_oci_json_string_member(j, pers, "domain", &p->domain)) < 0)
                return r;
        if (strcmp(p->domain, "LINUX") != 0 && strcmp(p->domain, "LINUX32") != 0)
                return vs_oci_json_fail_at(j, "domain", "unknown personality domain %s (expected LINUX or LINUX32)",
                                           VS_OCI_QUOTE(p->domain));
        /* The spec defines no flags yet: keep them for the runtime to refuse or ignore. */
        r = vs_oci_json_strv_member(j, pers, "flags", &p->flags, NULL);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_rootfs_propagation(struct vs_oci_json *j, const json_t *obj, struct vs_oci_linux *l)
{
        int r = vs_oci_json_string_member(j, obj, "rootfsPropagation", &l->rootfs_propagation);
        if (r < 0 || !l->rootfs_propagation)
                return r;
        /* Empty means unset, as in runc. */
        if (l->rootfs_propagation[0] == '\0') {
                free(l->rootfs_propagation);
                l->rootfs_propagation = NULL;
                return 0;
        }
        if (!vs_oci_name_in_list(vs_oci_rootfs_propagations, l->rootfs_propagation))
                return vs_oci_json_fail_at(j, "rootfsPropagation", "unknown propagation %s",
                                           VS_OCI_QUOTE(l->rootfs_propagation));
        return 0;
}

/* ---- the linux object ---- */

static int parse_linux_object(struct vs_oci_json *j, const json_t *obj, struct vs_oci_linux *l)
{
        int r;
        if ((r = parse_namespaces(j, obj, l)) < 0 ||
            (r = vs_oci_parse_idmaps(j, obj, "uidMappings", &l->uid_mappings, &l->n_uid_mappings)) < 0 ||
            (r = vs_oci_parse_idmaps(j, obj, "gidMappings", &l->gid_mappings, &l->n_gid_mappings)) < 0 ||
            (r = parse_time_offsets(j, obj, l)) < 0 ||
            (r = vs_oci_json_parse_array(j, obj, "devices", &l->devices, &l->n_devices, parse_device)) < 0 ||
            (r = vs_oci_json_string_member(j, obj, "cgroupsPath", &l->cgroups_path)) < 0 ||
            (r = vs_oci_parse_resources(j, obj, &l->resources)) < 0 || (r = parse_rootfs_propagation(j, obj, l)) < 0 ||
            (r = vs_oci_parse_seccomp(j, obj, &l->seccomp)) < 0 ||
            (r = vs_oci_json_kv_member(j, obj, "sysctl", false, &l->sysctl, &l->n_sysctl)) < 0 ||
            (r = vs_oci_json_strv_member(j, obj, "maskedPaths", &l->masked_paths, NULL)) < 0 ||
            (r = vs_oci_json_strv_member(j, obj, "readonlyPaths", &l->readonly_paths, NULL)) < 0 ||
            (r = vs_oci_json_string_member(j, obj, "mountLabel", &l->mount_label)) < 0 ||
            (r = parse_personality(j, obj, l)) < 0 ||
            /* closID, schemata, enableMonitoring, ...: kept as text; booleans and arrays as JSON. */
            (r = vs_oci_json_kv_member(j, obj, "intelRdt", true, &l->intel_rdt, &l->n_intel_rdt)) < 0)
                return r;
        return check_namespace_needs(j, l);
}

int vs_oci_parse_linux(struct vs_oci_json *j, const json_t *root, struct vs_oci_linux **ret)
{
        json_t *obj = NULL;
        int r = vs_oci_json_object_member(j, root, "linux", &obj);
        if (r < 0 || !obj)
                return r;
        *ret = calloc(1, sizeof(**ret));
        if (!*ret)
                return vs_oci_json_oom(j);
        size_t mark = vs_oci_json_enter(j, "linux");
        r = parse_linux_object(j, obj, *ret);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

void vs_oci_linux_free(struct vs_oci_linux *l)
{
        if (!l)
                return;
        for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
                free(l->namespaces[i].path);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; l->devices && i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        vs_oci_resources_free(l->resources);
        free(l->rootfs_propagation);
        vs_oci_seccomp_free(l->seccomp);
        vs_oci_kv_free(l->sysctl, l->n_sysctl);
        vs_strv_free(l->masked_paths);
        vs_strv_free(l->readonly_paths);
        free(l->mount_label);
        if (l->personality) {
                free(l->personality->domain);
                vs_strv_free(l->personality->flags);
                free(l->personality);
        }
        vs_oci_kv_free(l->intel_rdt, l->n_intel_rdt);
        free(l);
}
