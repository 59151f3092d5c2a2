/* vessel: commit (see commit.h). */
#include "image/commit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/manifest.h"
#include "image/reference.h"
#include "image/unpack.h"
#include "util/cleanup.h"

/* The diff ID of a tar with no entry (1024 zero bytes): nothing changed. */
#define EMPTY_TAR_DIFF_ID "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
#define CONFIG_MAX (16u << 20)

static void json_freep(json_t **j)
{
        json_decref(*j);
}
#define _cleanup_json_ _cleanup_(json_freep)

static int oom(struct vs_error *err)
{
        return vs_error_set(err, ENOMEM, "out of memory");
}

int vs_image_config_json(struct vs_store *s, const char *id, json_t **ret, struct vs_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = vs_store_blob_read(s, id, CONFIG_MAX, &data, &len, err);
        if (r < 0)
                return vs_error_wrap(err, "config of image %s", id);
        json_error_t je;
        json_t *doc = json_loadb(data, len, 0, &je);
        if (!json_is_object(doc)) {
                json_decref(doc);
                return vs_error_set(err, EINVAL, "config of image %s: not a JSON object: %s", id, je.text);
        }
        *ret = doc;
        return 0;
}

/* A temporary file on the store's filesystem, already unlinked. */
static int open_temp(struct vs_store *s, struct vs_error *err)
{
        if (mkdirat(s->rootfd, "tmp", 0700) < 0 && errno != EEXIST)
                return vs_error_syscall(err, "cannot create %s/tmp", s->root);
        int fd = openat(s->rootfd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
                return fd >= 0 ? fd : vs_error_syscall(err, "cannot create a file in %s/tmp", s->root);
        char name[64];
        snprintf(name, sizeof(name), "tmp/commit-%d-%ld", getpid(), (long) time(NULL));
        fd = openat(s->rootfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return vs_error_syscall(err, "cannot create %s/%s", s->root, name);
        unlinkat(s->rootfd, name, 0);
        return fd;
}

/* The changes as a stored blob (gzip tar); *empty when there are none. */
static int store_diff(struct vs_store *s, int upperfd, struct vs_image_layer *l, bool *empty, struct vs_error *err)
{
        _cleanup_close_ int fd = open_temp(s, err);
        if (fd < 0)
                return fd;
        char diff_id[VS_DIGEST_MAX], digest[VS_DIGEST_MAX], got[VS_DIGEST_MAX];
        /* the empty mount points of the engine's per-container files are not changes */
        static const char *const skip[] = {"etc/hosts", "etc/hostname", "etc/resolv.conf", NULL};
        int r = vs_layer_diff_skip(upperfd, fd, true, skip, diff_id, digest, err);
        if (r < 0)
                return r;
        *empty = strcmp(diff_id, EMPTY_TAR_DIFF_ID) == 0;
        if (*empty)
                return 0;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return vs_error_syscall(err, "cannot rewind the new layer");
        r = vs_store_blob_import(s, fd, got, &l->blob_size, err);
        if (r == 0 && strcmp(got, digest) != 0)
                r = vs_error_set(err, EIO, "the new layer changed while it was stored");
        if (r < 0)
                return r;
        l->blob_digest = strdup(digest);
        l->diff_id = strdup(diff_id);
        l->media_type = strdup(VS_MEDIA_OCI_LAYER_GZIP);
        return l->blob_digest && l->diff_id && l->media_type ? 0 : oom(err);
}

static void rfc3339_now(char buf[64], int64_t *unix_seconds)
{
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, 64, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, 64 - n, ".%09ldZ", ts.tv_nsec);
        *unix_seconds = ts.tv_sec;
}

static int set_str(json_t *o, const char *key, const char *value)
{
        return value ? json_object_set_new(o, key, json_string(value)) : 0;
}

/* The base's config with the commit's changes, serialised. */
static int new_config(json_t *doc, const struct vs_commit_options *o, const char *created, const char *diff_id,
                      char **ret, struct vs_error *err)
{
        json_t *rootfs = json_object_get(doc, "rootfs");
        json_t *diff_ids = json_object_get(rootfs, "diff_ids");
        if (!json_is_array(diff_ids)) {
                if (!json_is_object(rootfs) && json_object_set_new(doc, "rootfs", rootfs = json_object()) < 0)
                        return oom(err);
                if (json_object_set_new(rootfs, "type", json_string("layers")) < 0 ||
                    json_object_set_new(rootfs, "diff_ids", diff_ids = json_array()) < 0)
                        return oom(err);
        }
        json_t *history = json_object_get(doc, "history");
        if (!json_is_array(history) && json_object_set_new(doc, "history", history = json_array()) < 0)
                return oom(err);
        json_t *h = json_pack("{s:s}", "created", created);
        if (!h || set_str(h, "author", o->author) < 0 || set_str(h, "created_by", o->created_by) < 0 ||
            set_str(h, "comment", o->message && o->message[0] ? o->message : NULL) < 0 ||
            (!diff_id && json_object_set_new(h, "empty_layer", json_true()) < 0) ||
            json_array_append_new(history, h) < 0)
                return oom(err);
        if ((diff_id && json_array_append_new(diff_ids, json_string(diff_id)) < 0) ||
            json_object_set_new(doc, "created", json_string(created)) < 0 || set_str(doc, "author", o->author) < 0 ||
            set_str(doc, "container", o->container_id) < 0 ||
            set_str(doc, "comment", o->message && o->message[0] ? o->message : NULL) < 0 ||
            (o->config && json_object_set_new(doc, "config", json_deep_copy(o->config)) < 0))
                return oom(err);
        *ret = json_dumps(doc, JSON_COMPACT);
        return *ret ? 0 : oom(err);
}

static int new_manifest(const struct vs_image *img, const char *config_digest, size_t config_len, char **ret,
                        struct vs_error *err)
{
        _cleanup_json_ json_t *layers = json_array();
        for (size_t i = 0; layers && i < img->n_layers; i++)
                if (json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType", img->layers[i].media_type,
                                                            "digest", img->layers[i].blob_digest, "size",
                                                            (json_int_t) img->layers[i].blob_size)) < 0)
                        return oom(err);
        _cleanup_json_ json_t *m =
                json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType", VS_MEDIA_OCI_MANIFEST,
                          "config", "mediaType", VS_MEDIA_OCI_CONFIG, "digest", config_digest, "size",
                          (json_int_t) config_len, "layers", layers);
        *ret = m ? json_dumps(m, JSON_COMPACT) : NULL;
        return *ret ? 0 : oom(err);
}

/* The base's layers plus the new one (when there is one), chain IDs filled. */
static int layer_list(const struct vs_image *base, struct vs_image_layer *new_layer, bool empty, struct vs_image *img,
                      struct vs_error *err)
{
        size_t n = base->n_layers + (empty ? 0 : 1);
        img->layers = calloc(n + 1, sizeof(*img->layers));
        char **diff_ids = calloc(n + 1, sizeof(char *));
        char(*chain)[VS_DIGEST_MAX] = calloc(n + 1, VS_DIGEST_MAX);
        int r = img->layers && diff_ids && chain ? 0 : oom(err);
        for (size_t i = 0; r == 0 && i < n; i++) {
                const struct vs_image_layer *from = i < base->n_layers ? &base->layers[i] : new_layer;
                struct vs_image_layer *to = &img->layers[i];
                img->n_layers = i + 1;
                to->blob_digest = strdup(from->blob_digest);
                to->media_type = strdup(from->media_type);
                to->diff_id = strdup(from->diff_id);
                to->blob_size = from->blob_size;
                diff_ids[i] = to->diff_id;
                if (!to->blob_digest || !to->media_type || !to->diff_id)
                        r = oom(err);
                img->size += to->blob_size;
        }
        if (r == 0)
                r = vs_chain_ids(diff_ids, n, chain, err);
        for (size_t i = 0; r == 0 && i < n; i++)
                if (!(img->layers[i].chain_id = strdup(chain[i])))
                        r = oom(err);
        free(diff_ids);
        free(chain);
        return r;
}

static int full_name(const char *text, char **ret, struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(text, &ref, err);
        if (r < 0)
                return r;
        if (ref.digest)
                r = vs_error_set(err, EINVAL, "invalid reference format: %s: a digest cannot name a new image", text);
        else if (!(*ret = vs_image_ref_full(&ref)))
                r = oom(err);
        vs_image_ref_free(&ref);
        return r;
}

/* Store the documents and register the image, under the shared store lock
 * so that gc cannot take the new blobs and layer in between. */
static int register_image(struct vs_store *s, struct vs_image *img, const char *config, const char *name,
                          struct vs_error *err)
{
        char config_digest[VS_DIGEST_MAX], manifest_digest[VS_DIGEST_MAX];
        _cleanup_free_ char *manifest = NULL;
        int r = vs_store_blob_write(s, config, strlen(config), config_digest, err);
        if (r == 0)
                r = new_manifest(img, config_digest, strlen(config), &manifest, err);
        if (r == 0)
                r = vs_store_blob_write(s, manifest, strlen(manifest), manifest_digest, err);
        if (r < 0)
                return r;
        img->id = strdup(config_digest);
        img->manifest_digest = strdup(manifest_digest);
        img->manifest_media_type = strdup(VS_MEDIA_OCI_MANIFEST);
        if (!img->id || !img->manifest_digest || !img->manifest_media_type)
                return oom(err);
        return vs_store_image_add(s, img, name, NULL, err);
}

static int commit_locked(struct vs_store *s, const struct vs_commit_options *o, const struct vs_image *base,
                         json_t *doc, const char *name, struct vs_image *img, struct vs_error *err)
{
        struct vs_image_layer layer = {0};
        bool empty = true;
        char created[64];
        _cleanup_free_ char *config = NULL;
        rfc3339_now(created, &img->created);
        int r = store_diff(s, o->upperfd, &layer, &empty, err);
        if (r == 0)
                r = layer_list(base, &layer, empty, img, err);
        for (size_t i = base->n_layers; r == 0 && i < img->n_layers; i++)
                r = vs_store_layer_ensure(s, img->layers[i].chain_id, i ? img->layers[i - 1].chain_id : NULL,
                                          img->layers[i].blob_digest, img->layers[i].diff_id, err);
        if (r == 0)
                r = new_config(doc, o, created, empty ? NULL : layer.diff_id, &config, err);
        if (r == 0)
                r = register_image(s, img, config, name, err);
        free(layer.blob_digest);
        free(layer.diff_id);
        free(layer.media_type);
        return r;
}

int vs_image_commit(struct vs_store *s, const struct vs_commit_options *o, char id[VS_DIGEST_MAX], struct vs_error *err)
{
        struct vs_image base = {0}, img = {0};
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *name = NULL;
        int r = o->name ? full_name(o->name, &name, err) : 0;
        if (r == 0)
                r = vs_store_image_lookup(s, o->base, &base, err);
        if (r == 0)
                r = vs_image_config_json(s, base.id, &doc, err);
        if (r == 0 && (r = vs_store_lock_shared(s, err)) == 0) {
                r = commit_locked(s, o, &base, doc, name, &img, err);
                vs_store_unlock(s);
        }
        if (r == 0)
                snprintf(id, VS_DIGEST_MAX, "%s", img.id);
        vs_image_free(&base);
        vs_image_free(&img);
        return r;
}
