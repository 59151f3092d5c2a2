/* vessel: config.json's mounts, as docker makes them: its default
 * filesystems (/proc, /dev, /dev/pts, /sys, /sys/fs/cgroup, /dev/mqueue,
 * /dev/shm), then the per-container files, -v, --mount, --tmpfs and the
 * image's VOLUMEs, sorted so that a parent is mounted before what lies
 * under it. A user mount on a default's destination replaces the default. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/spec_internal.h"
#include "oci/json.h"
#include "util/cleanup.h"

#define DEFAULT_SHM_SIZE (INT64_C(64) << 20)

static const struct {
        const char *destination, *type, *source;
        const char *options[7];
} default_mounts[] = {
        {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev", NULL}},
        {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
        {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
        {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
        {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
        {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
};

static json_t *mount_json(const char *destination, const char *type, const char *source, json_t *options)
{
        json_t *m = json_pack("{s:s, s:s, s:s, s:o}", "destination", destination, "type", type, "source", source,
                              "options", options);
        return m;
}

static json_t *strings(const char *const *list, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; a && i < n && list[i]; i++)
                if (!vs_spec_append(a, json_string(list[i]))) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

/* ---- the user's mounts, gathered then sorted ---- */

struct planned {
        char *destination;
        json_t *mount;
        size_t order; /* the command line's, to keep it among mounts of equal depth */
};

struct plan {
        struct planned *items;
        size_t n;
};

static void plan_free(struct plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->items[i].destination);
                json_decref(p->items[i].mount);
        }
        free(p->items);
}

static bool plan_has(const struct plan *p, const char *destination)
{
        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->items[i].destination, destination) == 0)
                        return true;
        return false;
}

static int plan_add(struct plan *p, json_t *mount, struct vs_error *err)
{
        if (!mount)
                return VS_SPEC_OOM(err);
        const char *dest = json_string_value(json_object_get(mount, "destination"));
        if (plan_has(p, dest)) {
                vs_error_set(err, EINVAL, "duplicate mount point: %s", dest);
                json_decref(mount);
                return -EINVAL;
        }
        struct planned *grown = realloc(p->items, (p->n + 1) * sizeof(*grown));
        char *copy = strdup(dest);
        if (!grown || !copy) {
                if (grown)
                        p->items = grown;
                free(copy);
                json_decref(mount);
                return VS_SPEC_OOM(err);
        }
        p->items = grown;
        p->items[p->n] = (struct planned){copy, mount, p->n};
        p->n++;
        return 0;
}

static json_t *bind_json(const char *destination, const char *source, const struct vs_run_mount *m)
{
        const char *options[3] = {m && m->bind_nonrecursive ? "bind" : "rbind",
                                  m && m->propagation ? m->propagation : "rprivate", m && m->readonly ? "ro" : NULL};
        return mount_json(destination, "bind", source, strings(options, 3));
}

/* nosuid, nodev, noexec unless the user asked otherwise, then the user's options. */
static json_t *tmpfs_options(const struct vs_run_mount *m)
{
        static const char *const defaults[][2] = {{"nosuid", "suid"}, {"nodev", "dev"}, {"noexec", "exec"}};
        json_t *options = json_array();
        for (size_t i = 0; options && i < VS_ARRAY_SIZE(defaults); i++) {
                bool overridden = false;
                for (char **o = m->options; o && *o; o++)
                        overridden |= strcmp(*o, defaults[i][1]) == 0 || strcmp(*o, defaults[i][0]) == 0;
                if (!overridden && !vs_spec_append(options, json_string(defaults[i][0])))
                        goto oom;
        }
        for (char **o = m->options; options && o && *o; o++)
                if (!vs_spec_append(options, json_string(*o)))
                        goto oom;
        if (options && m->readonly && !vs_spec_append(options, json_string("ro")))
                goto oom;
        return options;
oom:
        json_decref(options);
        return NULL;
}

static int user_mount(const struct vs_spec_input *in, const struct vs_run_mount *m, struct plan *p,
                      struct vs_error *err)
{
        if (m->type == VS_RUN_MOUNT_TMPFS)
                return plan_add(p, mount_json(m->destination, "tmpfs", "tmpfs", tmpfs_options(m)), err);
        if (m->type == VS_RUN_MOUNT_BIND)
                return plan_add(p, bind_json(m->destination, m->source, m), err);
        if (!in->volume_path)
                return vs_error_set(err, EINVAL, "volume %s on %s: no volume resolver given",
                                    m->source ? m->source : "(anonymous)", m->destination);
        const char *path = in->volume_path(in->volume_data, m, err);
        if (!path)
                return -(err->code ? err->code : EIO);
        return plan_add(p, bind_json(m->destination, path, m), err);
}

/* The image's VOLUMEs that no flag covers become anonymous volumes. */
static int image_volumes(const struct vs_spec_input *in, struct plan *p, struct vs_error *err)
{
        for (char **v = in->image ? in->image->volumes : NULL; v && *v; v++) {
                if (plan_has(p, *v))
                        continue;
                struct vs_run_mount anonymous = {.type = VS_RUN_MOUNT_VOLUME, .destination = *v};
                int r = user_mount(in, &anonymous, p, err);
                if (r < 0)
                        return vs_error_wrap(err, "image volume %s", *v);
        }
        return 0;
}

static int container_files(const struct vs_spec_input *in, struct plan *p, struct vs_error *err)
{
        const char *files[][2] = {{"/etc/resolv.conf", in->resolv_conf_path},
                                  {"/etc/hostname", in->hostname_path},
                                  {"/etc/hosts", in->hosts_path}};
        struct vs_run_mount ro = {.readonly = in->options->read_only};
        for (size_t i = 0; i < VS_ARRAY_SIZE(files); i++) {
                /* The user's own mount on the same file wins, as docker's. */
                if (!files[i][1] || plan_has(p, files[i][0]))
                        continue;
                int r = plan_add(p, bind_json(files[i][0], files[i][1], &ro), err);
                if (r < 0)
                        return r;
        }
        if (in->options->init) {
                if (!in->init_path)
                        return vs_error_set(err, EINVAL, "--init: the path of vessel-init is not known");
                struct vs_run_mount init = {.readonly = true, .bind_nonrecursive = true};
                return plan_add(p, bind_json("/sbin/vessel-init", in->init_path, &init), err);
        }
        return 0;
}

static size_t depth(const char *path)
{
        size_t n = 0;
        for (const char *c = path; *c; c++)
                n += *c == '/' && c[1];
        return n;
}

static int by_depth(const void *a, const void *b)
{
        const struct planned *x = a, *y = b;
        size_t dx = depth(x->destination), dy = depth(y->destination);
        if (dx != dy)
                return dx < dy ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

static int user_plan(const struct vs_spec_input *in, struct plan *p, struct vs_error *err)
{
        const struct vs_run_options *o = in->options;
        int r = 0;
        for (size_t i = 0; r == 0 && i < o->n_mounts; i++)
                r = user_mount(in, &o->mounts[i], p, err);
        for (size_t i = 0; r == 0 && i < in->n_extra_mounts; i++)
                r = user_mount(in, &in->extra_mounts[i], p, err);
        if (r == 0)
                r = image_volumes(in, p, err);
        if (r == 0)
                r = container_files(in, p, err);
        if (r == 0 && p->n > 1)
                qsort(p->items, p->n, sizeof(*p->items), by_depth);
        return r;
}

/* ---- defaults ---- */

static json_t *default_mount(const struct vs_run_options *o, size_t i)
{
        json_t *options = strings(default_mounts[i].options, VS_ARRAY_SIZE(default_mounts[i].options));
        /* A privileged container may write /sys and its cgroups, as docker's. */
        if (options && o->privileged && strncmp(default_mounts[i].destination, "/sys", 4) == 0)
                json_array_remove(options, json_array_size(options) - 1);
        return mount_json(default_mounts[i].destination, default_mounts[i].type, default_mounts[i].source, options);
}

static json_t *shm_mount(const struct vs_spec_input *in)
{
        const struct vs_run_options *o = in->options;
        if (in->shm_path || o->ipc.mode == VS_NS_MODE_HOST)
                return bind_json("/dev/shm", in->shm_path ? in->shm_path : "/dev/shm", NULL);
        char size[64];
        snprintf(size, sizeof(size), "size=%lldk",
                 (long long) ((o->shm_size ? o->shm_size : DEFAULT_SHM_SIZE) + 1023) / 1024);
        const char *options[] = {"nosuid", "noexec", "nodev", "mode=1777", size};
        return mount_json("/dev/shm", "tmpfs", "shm", strings(options, VS_ARRAY_SIZE(options)));
}

static int add_defaults(const struct vs_spec_input *in, const struct plan *p, json_t *mounts, struct vs_error *err)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(default_mounts); i++)
                if (!plan_has(p, default_mounts[i].destination) &&
                    !vs_spec_append(mounts, default_mount(in->options, i)))
                        return VS_SPEC_OOM(err);
        if (in->options->ipc.mode != VS_NS_MODE_NONE && !plan_has(p, "/dev/shm") &&
            !vs_spec_append(mounts, shm_mount(in)))
                return VS_SPEC_OOM(err);
        return 0;
}

int vs_spec_mounts(const struct vs_spec_input *in, json_t **ret, struct vs_error *err)
{
        struct plan p = {0};
        json_t *mounts = json_array();
        int r = mounts ? user_plan(in, &p, err) : VS_SPEC_OOM(err);
        if (r == 0)
                r = add_defaults(in, &p, mounts, err);
        for (size_t i = 0; r == 0 && i < p.n; i++)
                if (json_array_append(mounts, p.items[i].mount) < 0)
                        r = VS_SPEC_OOM(err);
        plan_free(&p);
        if (r < 0) {
                json_decref(mounts);
                return r;
        }
        *ret = mounts;
        return 0;
}
