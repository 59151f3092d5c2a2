/* vessel: pushing a stored image to a registry (see pull.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/pull.h"
#include "image/reference.h"
#include "util/cleanup.h"

#define MANIFEST_MAX (4u << 20)

/* A repository of the same registry that already has the image's blobs
 * (from where it was pulled), for a cross-repository mount; or NULL. */
static const char *mount_source(const struct vs_image *img, const struct vs_image_ref *dest, char *buf, size_t size)
{
        for (char **d = img->repo_digests; d && *d; d++) {
                struct vs_image_ref from = {0};
                struct vs_error ignored = VS_ERROR_INIT;
                if (vs_image_ref_parse(*d, &from, &ignored) < 0) {
                        vs_error_ignore(&ignored);
                        continue;
                }
                bool usable = strcmp(from.domain, dest->domain) == 0 && strcmp(from.path, dest->path) != 0;
                if (usable)
                        snprintf(buf, size, "%s", from.path);
                vs_image_ref_free(&from);
                if (usable)
                        return buf;
        }
        return NULL;
}

static int push_one_blob(struct vs_store *s, struct vs_registry *reg, const char *digest, int64_t size,
                         const char *mount_from, const struct vs_push_options *opts, size_t index, struct vs_error *err)
{
        const struct vs_transfer_events *ev = opts->events;
        bool exists = false;
        int r = vs_registry_blob_exists(reg, digest, &exists, err);
        if (r < 0)
                return r;
        if (exists) {
                if (ev && ev->layer_state)
                        ev->layer_state(ev->data, index, "Layer already exists");
                return 0;
        }
        _cleanup_close_ int fd = -1;
        r = vs_store_blob_open(s, digest, &fd, err);
        if (r < 0)
                return r;
        if (size < 0) {
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return vs_error_syscall(err, "stat blob %s", digest);
                size = st.st_size;
        }
        struct vs_blob_transfer x = {.digest = digest, .size = size, .fd = fd};
        r = vs_registry_push_blob(reg, &x, mount_from, opts->chunk_size, ev ? ev->progress : NULL, ev ? ev->data : NULL,
                                  index, err);
        if (r == 0 && ev && ev->layer_state)
                ev->layer_state(ev->data, index, "Pushed");
        return r;
}

static int push_blobs(struct vs_store *s, struct vs_registry *reg, const struct vs_manifest *m, const char *mount_from,
                      const struct vs_push_options *opts, struct vs_error *err)
{
        const struct vs_transfer_events *ev = opts->events;
        if (ev && ev->layers) {
                _cleanup_free_ bool *present = calloc(m->n_layers ? m->n_layers : 1, sizeof(bool));
                if (!present)
                        return vs_error_set(err, ENOMEM, "out of memory");
                ev->layers(ev->data, m->n_layers, m->layers, present);
        }
        for (size_t i = 0; i < m->n_layers; i++) {
                int r = push_one_blob(s, reg, m->layers[i].digest, m->layers[i].size, mount_from, opts, i, err);
                if (r < 0)
                        return r;
        }
        struct vs_push_options quiet = *opts;
        quiet.events = NULL; /* the config is not a layer line */
        return push_one_blob(s, reg, m->config.digest, m->config.size, mount_from, &quiet, 0, err);
}

static int push_image(struct vs_store *s, const struct vs_image *img, const struct vs_image_ref *dest,
                      const struct vs_push_options *opts, struct vs_error *err)
{
        _cleanup_free_ char *body = NULL;
        size_t len = 0;
        int r = vs_store_blob_read(s, img->manifest_digest, MANIFEST_MAX, &body, &len, err);
        if (r < 0)
                return r;
        struct vs_manifest m = {0};
        char origin[VS_DIGEST_MAX + 16];
        snprintf(origin, sizeof(origin), "manifest %s", img->manifest_digest);
        r = vs_manifest_parse(body, len, origin, &m, err);
        if (r < 0)
                return r;
        struct vs_registry_options ropts = opts->registry;
        ropts.push = true;
        struct vs_registry *reg = NULL;
        r = vs_registry_open(dest, &ropts, &reg, err);
        char mount_buf[512];
        const char *mount_from = mount_source(img, dest, mount_buf, sizeof(mount_buf));
        if (r == 0)
                r = push_blobs(s, reg, &m, mount_from, opts, err);
        if (r == 0)
                r = vs_registry_put_manifest(reg, dest->tag ? dest->tag : dest->digest, img->manifest_media_type, body,
                                             len, err);
        if (reg)
                vs_registry_free(reg);
        vs_manifest_free(&m);
        return r;
}

int vs_image_push(struct vs_store *s, const char *source, const char *destination, const struct vs_push_options *opts,
                  char digest[VS_DIGEST_MAX], struct vs_error *err)
{
        struct vs_image img = {0};
        int r = vs_store_image_lookup(s, source, &img, err);
        if (r < 0)
                return r;
        if (!destination)
                destination = img.names && img.names[0] ? img.names[0] : NULL;
        if (!destination) {
                vs_image_free(&img);
                return vs_error_set(err, EINVAL, "push %s: the image has no name: give a destination reference",
                                    source);
        }
        struct vs_image_ref dest = {0};
        r = vs_image_ref_parse(destination, &dest, err);
        if (r == 0 && dest.digest && strcmp(dest.digest, img.manifest_digest) != 0)
                r = vs_error_set(err, EINVAL, "push %s: digest %s is not the image's manifest %s", destination,
                                 dest.digest, img.manifest_digest);
        if (r == 0)
                r = push_image(s, &img, &dest, opts, err);
        if (r == 0)
                snprintf(digest, VS_DIGEST_MAX, "%s", img.manifest_digest);
        vs_image_ref_free(&dest);
        vs_image_free(&img);
        return r;
}
