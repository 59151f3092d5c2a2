/* vessel: a container's volumes: the spec generator's volume callback
 * (find or make the volume, mount it, copy the image's content up, record
 * the use), --volumes-from, and the removal of a container's anonymous
 * volumes (rm -v, --rm). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "engine/run_options.h"
#include "engine/volumes.h"
#include "util/cleanup.h"
#include "util/files.h"

#define OOM(err) vs_error_set(err, ENOMEM, "out of memory")

void container_volumes_done(struct container_volumes *cv)
{
        for (size_t i = 0; i < cv->n_extra; i++) { /* add_extra sets these two only */
                free(cv->extra[i].source);
                free(cv->extra[i].destination);
        }
        free(cv->extra);
        vs_strv_free(cv->paths);
        vs_safe_close(cv->rootfd);
        *cv = (struct container_volumes){.rootfd = -1};
}

static bool covered(const struct vs_run_options *o, const struct container_volumes *cv, const char *destination)
{
        for (size_t i = 0; i < o->n_mounts; i++)
                if (strcmp(o->mounts[i].destination, destination) == 0)
                        return true;
        for (size_t i = 0; i < cv->n_extra; i++)
                if (strcmp(cv->extra[i].destination, destination) == 0)
                        return true;
        return false;
}

/* One use of the other container as a mount of this one. */
static int add_extra(struct container_volumes *cv, const struct vs_volume_use *u, int readonly, struct vs_error *err)
{
        struct vs_run_mount *grown = realloc(cv->extra, (cv->n_extra + 1) * sizeof(*grown));
        if (!grown)
                return OOM(err);
        cv->extra = grown;
        struct vs_run_mount *m = &cv->extra[cv->n_extra];
        *m = (struct vs_run_mount){
                .type = u->volume ? VS_RUN_MOUNT_VOLUME : VS_RUN_MOUNT_BIND,
                .source = strdup(u->volume ? u->volume : u->source),
                .destination = strdup(u->destination),
                .readonly = readonly < 0 ? u->readonly : readonly,
                .nocopy = true, /* the other container's volume has its content already */
        };
        cv->n_extra++;
        return m->source && m->destination ? 0 : OOM(err);
}

/* --volumes-from CONTAINER[:ro|rw]: its volumes and bind mounts, at the same
 * paths; this container's own -v/--mount on a path wins, as docker's. */
static int volumes_from(struct vs_store *s, const char *spec, const struct vs_run_options *o,
                        struct container_volumes *cv, struct vs_error *err)
{
        _cleanup_free_ char *name = strdup(spec);
        if (!name)
                return OOM(err);
        char *mode = strchr(name, ':');
        int readonly = -1;
        if (mode) {
                *mode++ = '\0';
                if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
                        return vs_error_set(err, EINVAL, "--volumes-from %s: invalid mode: %s", spec, mode);
                readonly = mode[0] == 'r' && mode[1] == 'o';
        }
        struct vs_container other = {0};
        int r = vs_container_find(s->db, name, &other, err);
        struct vs_volume_use *uses = NULL;
        size_t n = 0;
        if (r == 0)
                r = vs_volume_uses(s->db, other.id, &uses, &n, err);
        for (size_t i = 0; r == 0 && i < n; i++)
                if (!covered(o, cv, uses[i].destination))
                        r = add_extra(cv, &uses[i], readonly, err);
        vs_volume_uses_free(uses, n);
        vs_container_free(&other);
        return r < 0 ? vs_error_wrap(err, "--volumes-from %s", spec) : 0;
}

/* Bind mounts are recorded for --volumes-from; volumes by the callback. */
static int record_binds(struct vs_store *s, const char *id, const struct vs_run_mount *m, size_t n,
                        struct vs_error *err)
{
        for (size_t i = 0; i < n; i++) {
                if (m[i].type != VS_RUN_MOUNT_BIND)
                        continue;
                struct vs_volume_use u = {
                        .source = m[i].source, .destination = m[i].destination, .readonly = m[i].readonly};
                int r = vs_volume_use_add(s->db, id, &u, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int container_volumes_prepare(struct vs_store *s, const char *id, const struct vs_run_options *o, const char *rootfs,
                              struct container_volumes *ret, struct vs_error *err)
{
        *ret = (struct container_volumes){.s = s, .id = id, .rootfd = -1};
        ret->rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ret->rootfd < 0)
                return vs_error_syscall(err, "cannot open %s", rootfs);
        int r = 0;
        for (char **v = o->volumes_from; r == 0 && v && *v; v++)
                r = volumes_from(s, *v, o, ret, err);
        if (r == 0)
                r = record_binds(s, id, o->mounts, o->n_mounts, err);
        if (r == 0)
                r = record_binds(s, id, ret->extra, ret->n_extra, err);
        return r;
}

/* The named volume, made when missing (docker's -v and --mount both do), or
 * a new anonymous one. */
static int find_or_make(struct container_volumes *cv, const struct vs_run_mount *m, struct vs_volume *v,
                        struct vs_error *err)
{
        char random[65];
        char *anonymous_labels[] = {VS_VOLUME_ANONYMOUS_LABEL "=", NULL};
        const char *name = m->source;
        if (!name) {
                int r = vs_volume_random_name(random, err);
                if (r < 0)
                        return r;
                name = random;
        } else {
                int r = vs_volume_find(cv->s->db, name, v, err);
                if (r != -ENOENT)
                        return r;
                vs_error_ignore(err);
        }
        struct vs_volume fresh = {.name = (char *) name,
                                  .driver = (char *) "local",
                                  .options = m->volume_options,
                                  .labels = m->source ? NULL : anonymous_labels,
                                  .anonymous = !m->source};
        int r = vs_volume_create(cv->s->db, cv->s->root, &fresh, err);
        if (r == -EEXIST && m->source) /* made meanwhile by another command */
                vs_error_ignore(err);
        else if (r < 0)
                return r;
        return vs_volume_find(cv->s->db, name, v, err);
}

/* docker's copy-up: the image's directory at the mount's path, if there is one. */
static int copy_up(struct container_volumes *cv, const struct vs_run_mount *m, const char *data, struct vs_error *err)
{
        int src = vs_open_in_root(cv->rootfd, m->destination, O_RDONLY | O_DIRECTORY, 0, err);
        if (src == -ENOENT || src == -ENOTDIR) {
                vs_error_ignore(err);
                return 0;
        }
        if (src < 0)
                return src;
        _cleanup_close_ int srcfd = src;
        _cleanup_close_ int dst = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return vs_error_syscall(err, "cannot open %s", data);
        return vs_volume_copy_up(srcfd, dst, err);
}

static const char *keep_path(struct container_volumes *cv, char *path, struct vs_error *err)
{
        char **grown = path ? realloc(cv->paths, (cv->n_paths + 2) * sizeof(char *)) : NULL;
        if (!grown) {
                free(path);
                OOM(err);
                return NULL;
        }
        cv->paths = grown;
        grown[cv->n_paths++] = path;
        grown[cv->n_paths] = NULL;
        return path;
}

const char *container_volume_path(void *data, const struct vs_run_mount *m, struct vs_error *err)
{
        struct container_volumes *cv = data;
        struct vs_volume v = {0};
        int r = find_or_make(cv, m, &v, err);
        if (r == 0) {
                struct vs_volume_use u = {.volume = v.name, .destination = m->destination, .readonly = m->readonly};
                r = vs_volume_use_add(cv->s->db, cv->id, &u, err);
        }
        if (r == 0)
                r = vs_volume_mount(cv->s->root, &v, err);
        char *path = r == 0 ? vs_volume_data_path(cv->s->root, v.name) : NULL;
        if (r == 0 && !path)
                r = OOM(err);
        if (r == 0 && !m->nocopy && (r = copy_up(cv, m, path, err)) < 0)
                vs_error_wrap(err, "volume %s: copy of the image's %s", v.name, m->destination);
        vs_volume_free(&v);
        if (r < 0) {
                free(path);
                return NULL;
        }
        return keep_path(cv, path, err);
}

int container_volumes_mount(const struct globals *g, struct vs_store *s, const char *id, struct vs_error *err)
{
        struct vs_volume_use *uses = NULL;
        size_t n = 0;
        int r = vs_volume_uses(s->db, id, &uses, &n, err);
        for (size_t i = 0; r == 0 && i < n; i++) {
                struct vs_volume v = {0};
                if (!uses[i].volume)
                        continue;
                r = vs_volume_find(s->db, uses[i].volume, &v, err);
                if (r == 0)
                        r = vs_volume_mount(g->root, &v, err);
                vs_volume_free(&v);
        }
        vs_volume_uses_free(uses, n);
        return r;
}

void container_volumes_release(const struct globals *g, struct vs_store *s)
{
        vs_volume_unmount_unused(s->db, g->root);
}

int container_remove_volumes(const struct globals *g, struct vs_store *s, const struct vs_container *c,
                             struct vs_error *err)
{
        struct vs_volume_use *uses = NULL;
        size_t n = 0;
        int r = vs_volume_uses(s->db, c->id, &uses, &n, err);
        if (r == 0)
                r = container_remove(g, s, c, err);
        for (size_t i = 0; r == 0 && i < n; i++) {
                struct vs_volume v = {0};
                struct vs_error ignored = VS_ERROR_INIT;
                /* Only anonymous volumes go; one another container still
                 * uses (--volumes-from) stays, as docker keeps it. */
                if (uses[i].volume && vs_volume_find(s->db, uses[i].volume, &v, &ignored) == 0 && v.anonymous &&
                    vs_volume_remove(s->db, g->root, v.name, &ignored) < 0)
                        vs_error_ignore(&ignored);
                vs_error_ignore(&ignored);
                vs_volume_free(&v);
        }
        vs_volume_uses_free(uses, n);
        return r;
}
