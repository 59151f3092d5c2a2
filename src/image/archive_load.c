/* vessel: load (see archive.h): a docker-archive (manifest.json) or an
 * oci-archive (index.json, blobs/) read into the working directory, each of
 * its images staged from the members (documents parsed, blobs checked
 * against their digests), then committed to the store all together or not
 * at all. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/archive_internal.h"
#include "util/cleanup.h"

/* ------------------------------------------------------------------------
 * load: docker-archive (manifest.json)
 * ------------------------------------------------------------------------ */

/* The compression of a layer file from its first bytes. */
static const char *layer_media_type(int fd)
{
        unsigned char magic[4] = {0};
        if (pread(fd, magic, sizeof(magic), 0) == (ssize_t) sizeof(magic)) {
                if (magic[0] == 0x1f && magic[1] == 0x8b)
                        return VS_MEDIA_OCI_LAYER_GZIP;
                if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
                        return VS_MEDIA_OCI_LAYER_ZSTD;
        }
        return VS_MEDIA_OCI_LAYER;
}

static int docker_config(const struct members *m, const json_t *entry, const char *origin, struct staged *st,
                         struct vs_error *err)
{
        const char *path = json_string_value(json_object_get(entry, "Config"));
        if (!path)
                return vs_error_set(err, EINVAL, "%s.Config: a string is required", origin);
        const struct member *mb = NULL;
        int r = archive_member_lookup(m, path, &mb, err);
        if (r == 0)
                r = archive_member_read(m, mb, VS_IMAGE_CONFIG_MAX_SIZE, &st->config, &st->config_len, err);
        if (r < 0)
                return vs_error_wrap(err, "%s.Config", origin);
        memcpy(st->id, mb->digest, sizeof(st->id));
        _cleanup_free_ char *where = NULL;
        if (asprintf(&where, "%s.Config (%s)", origin, path) < 0)
                return archive_oom(err);
        return vs_image_config_parse(st->config, st->config_len, where, &st->cfg, err);
}

static int docker_layer(const struct members *m, const json_t *value, const char *origin, size_t i, struct staged *st,
                        struct vs_error *err)
{
        struct staged_layer *l = &st->layers[i];
        const char *path = json_string_value(value);
        if (asprintf(&l->origin, "%s.Layers[%zu]", origin, i) < 0 || !(l->member = strdup(path ? path : "")))
                return archive_oom(err);
        if (!path)
                return vs_error_set(err, EINVAL, "%s: a string is required", l->origin);
        const struct member *mb = NULL;
        int r = archive_member_lookup(m, path, &mb, err);
        if (r < 0)
                return vs_error_wrap(err, "%s", l->origin);
        l->fd = archive_member_open(m, mb, err);
        if (l->fd < 0)
                return vs_error_wrap(err, "%s", l->origin);
        memcpy(l->digest, mb->digest, sizeof(l->digest));
        l->size = mb->size;
        l->media_type = layer_media_type(l->fd);
        /* Cheap to tell now: an uncompressed layer is its own diff ID. */
        if (strcmp(l->media_type, VS_MEDIA_OCI_LAYER) == 0 && strcmp(l->digest, st->cfg.diff_ids[i]) != 0)
                return vs_error_set(err, EBADMSG, "%s: %s: diff ID mismatch: the config says %s, the layer is %s",
                                    l->origin, path, st->cfg.diff_ids[i], l->digest);
        return 0;
}

static int docker_entry(const struct members *m, const json_t *entry, size_t index, struct staged *st,
                        struct vs_error *err)
{
        char origin[64];
        snprintf(origin, sizeof(origin), "manifest.json: [%zu]", index);
        if (!json_is_object(entry))
                return vs_error_set(err, EINVAL, "%s: an object is required", origin);
        int r = docker_config(m, entry, origin, st, err);
        if (r < 0)
                return r;
        const json_t *layers = json_object_get(entry, "Layers");
        if (!json_is_array(layers))
                return vs_error_set(err, EINVAL, "%s.Layers: an array is required", origin);
        if (json_array_size(layers) != st->cfg.n_diff_ids)
                return vs_error_set(err, EINVAL, "%s.Layers: %zu layers, but the config has %zu diff IDs", origin,
                                    json_array_size(layers), st->cfg.n_diff_ids);
        st->layers = calloc(st->cfg.n_diff_ids ? st->cfg.n_diff_ids : 1, sizeof(*st->layers));
        if (!st->layers)
                return archive_oom(err);
        for (size_t i = 0; i < st->cfg.n_diff_ids; i++)
                st->layers[i].fd = -1;
        st->n_layers = st->cfg.n_diff_ids;
        for (size_t i = 0; i < st->n_layers; i++)
                if ((r = docker_layer(m, json_array_get(layers, i), origin, i, st, err)) < 0)
                        return r;
        const json_t *tags = json_object_get(entry, "RepoTags");
        if (tags && !json_is_null(tags) && !json_is_array(tags))
                return vs_error_set(err, EINVAL, "%s.RepoTags: an array is required", origin);
        for (size_t i = 0; i < json_array_size(tags); i++) {
                const char *tag = json_string_value(json_array_get(tags, i));
                char where[96];
                snprintf(where, sizeof(where), "%s.RepoTags[%zu]", origin, i);
                if (!tag)
                        return vs_error_set(err, EINVAL, "%s: a string is required", where);
                if ((r = archive_staged_add_name(st, tag, where, err)) < 0)
                        return r;
        }
        return archive_manifest_build(st, VS_MEDIA_OCI_CONFIG, err);
}

static int stage_docker(const struct members *m, const struct member *manifest, struct staged_list *l,
                        struct vs_error *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = archive_member_read(m, manifest, VS_MANIFEST_MAX_SIZE, &text, &len, err);
        if (r < 0)
                return r;
        json_error_t jerr;
        _cleanup_json_ json_t *doc = json_loadb(text, len, 0, &jerr);
        if (!doc)
                return vs_error_set(err, EINVAL, "manifest.json: line %d: %s", jerr.line, jerr.text);
        if (!json_is_array(doc) || json_array_size(doc) == 0)
                return vs_error_set(err, EINVAL, "manifest.json: a non-empty array is required");
        for (size_t i = 0; i < json_array_size(doc); i++) {
                struct staged *st = archive_staged_list_add(l, err);
                if (!st)
                        return -err->code;
                r = docker_entry(m, json_array_get(doc, i), i, st, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ------------------------------------------------------------------------
 * load: oci-archive (oci-layout, index.json, blobs/)
 * ------------------------------------------------------------------------ */

/* The blob a descriptor names, checked against its digest and size. */
static int oci_blob(const struct members *m, const struct vs_descriptor *d, const char *origin,
                    const struct member **ret, struct vs_error *err)
{
        if (strncmp(d->digest, "sha256:", 7) != 0)
                return vs_error_set(err, ENOTSUP, "%s: %s: only sha256 digests are supported", origin, d->digest);
        char path[VS_DIGEST_MAX + 16];
        snprintf(path, sizeof(path), "blobs/sha256/%s", vs_digest_hex(d->digest));
        const struct member *mb = NULL;
        int r = archive_member_lookup(m, path, &mb, err);
        if (r < 0)
                return vs_error_wrap(err, "%s", origin);
        if (strcmp(mb->digest, d->digest) != 0)
                return vs_error_set(err, EBADMSG, "%s: %s: digest mismatch: the file is %s", origin, path, mb->digest);
        if (mb->size != d->size)
                return vs_error_set(err, EBADMSG, "%s: %s: size mismatch: %lld bytes, the descriptor says %lld", origin,
                                    path, (long long) mb->size, (long long) d->size);
        *ret = mb;
        return 0;
}

static int oci_blob_read(const struct members *m, const struct vs_descriptor *d, const char *origin, size_t max,
                         char **data, size_t *len, struct vs_error *err)
{
        const struct member *mb = NULL;
        int r = oci_blob(m, d, origin, &mb, err);
        if (r == 0 && (r = archive_member_read(m, mb, max, data, len, err)) < 0)
                return vs_error_wrap(err, "%s", origin);
        return r;
}

static int oci_layers(const struct members *m, const struct vs_manifest *man, const char *origin, struct staged *st,
                      struct vs_error *err)
{
        if (man->n_layers != st->cfg.n_diff_ids)
                return vs_error_set(err, EINVAL, "%s: %zu layers, but config %s has %zu diff IDs", origin,
                                    man->n_layers, st->id, st->cfg.n_diff_ids);
        st->layers = calloc(man->n_layers ? man->n_layers : 1, sizeof(*st->layers));
        if (!st->layers)
                return archive_oom(err);
        for (size_t i = 0; i < man->n_layers; i++)
                st->layers[i].fd = -1;
        st->n_layers = man->n_layers;
        for (size_t i = 0; i < man->n_layers; i++) {
                struct staged_layer *l = &st->layers[i];
                const struct vs_descriptor *d = &man->layers[i];
                enum vs_layer_compression c;
                if (asprintf(&l->origin, "%s: layers[%zu]", origin, i) < 0 ||
                    asprintf(&l->member, "blobs/sha256/%s", vs_digest_hex(d->digest)) < 0)
                        return archive_oom(err);
                if (vs_media_kind(d->media_type, &c) != VS_KIND_LAYER)
                        return vs_error_set(err, ENOTSUP, "%s: unsupported layer media type %s", l->origin,
                                            d->media_type);
                l->media_type = c == VS_COMPRESSION_GZIP   ? VS_MEDIA_OCI_LAYER_GZIP
                                : c == VS_COMPRESSION_ZSTD ? VS_MEDIA_OCI_LAYER_ZSTD
                                                           : VS_MEDIA_OCI_LAYER;
                const struct member *mb = NULL;
                int r = oci_blob(m, d, l->origin, &mb, err);
                if (r < 0)
                        return r;
                if ((l->fd = archive_member_open(m, mb, err)) < 0)
                        return vs_error_wrap(err, "%s", l->origin);
                snprintf(l->digest, sizeof(l->digest), "%s", d->digest);
                l->size = d->size;
        }
        return 0;
}

/* The manifest a descriptor names: the config and layers it lists. */
static int oci_manifest(const struct members *m, const struct vs_descriptor *d, const char *origin, struct staged *st,
                        struct vs_error *err)
{
        int r = oci_blob_read(m, d, origin, VS_MANIFEST_MAX_SIZE, &st->manifest, &st->manifest_len, err);
        if (r < 0)
                return r;
        struct vs_manifest man = {0};
        _cleanup_free_ char *where = NULL;
        if (asprintf(&where, "%s (manifest %s)", origin, d->digest) < 0)
                return archive_oom(err);
        r = vs_manifest_parse(st->manifest, st->manifest_len, where, &man, err);
        if (r < 0)
                return r;
        snprintf(st->manifest_media_type, sizeof(st->manifest_media_type), "%s", man.media_type);
        snprintf(st->id, sizeof(st->id), "%s", man.config.digest);
        r = oci_blob_read(m, &man.config, where, VS_IMAGE_CONFIG_MAX_SIZE, &st->config, &st->config_len, err);
        if (r == 0) {
                char cfg_origin[VS_DIGEST_MAX + 16];
                snprintf(cfg_origin, sizeof(cfg_origin), "config %s", man.config.digest);
                r = vs_image_config_parse(st->config, st->config_len, cfg_origin, &st->cfg, err);
                if (r < 0)
                        vs_error_wrap(err, "%s", where);
        }
        if (r == 0)
                r = oci_layers(m, &man, where, st, err);
        vs_manifest_free(&man);
        return r;
}

/* An index entry: a manifest, or an index to choose one from by platform. */
static int oci_entry(const struct members *m, const struct vs_descriptor *d, const struct vs_platform *platform,
                     const char *origin, struct staged *st, struct vs_error *err)
{
        enum vs_media_kind kind = vs_media_kind(d->media_type, NULL);
        if (kind == VS_KIND_MANIFEST)
                return oci_manifest(m, d, origin, st, err);
        if (kind != VS_KIND_INDEX)
                return vs_error_set(err, ENOTSUP, "%s: unsupported media type %s", origin, d->media_type);
        int r = oci_blob_read(m, d, origin, VS_MANIFEST_MAX_SIZE, &st->index, &st->index_len, err);
        if (r < 0)
                return r;
        struct vs_index idx = {0};
        char where[VS_DIGEST_MAX + 96];
        snprintf(where, sizeof(where), "%s (index %s)", origin, d->digest);
        r = vs_index_parse(st->index, st->index_len, where, &idx, err);
        const struct vs_descriptor *chosen = NULL;
        if (r == 0)
                r = vs_index_select(&idx, platform, where, &chosen, err);
        if (r == 0 && vs_media_kind(chosen->media_type, NULL) != VS_KIND_MANIFEST)
                r = vs_error_set(err, ENOTSUP, "%s: %s: an index within an index is not supported", where,
                                 chosen->digest);
        if (r == 0)
                r = oci_manifest(m, chosen, where, st, err);
        vs_index_free(&idx);
        return r;
}

/* The name an index entry gives its image: containerd's full name, else the
 * OCI ref.name when it reads as a reference; NULL when none. */
static const char *oci_entry_name(const struct vs_descriptor *d)
{
        const char *full = json_string_value(json_object_get(d->annotations, ANNOTATION_CONTAINERD_NAME));
        return full ? full : d->ref_name;
}

static int stage_oci(const struct members *m, const struct member *index, const struct vs_platform *platform,
                     struct staged_list *l, struct vs_error *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = archive_member_read(m, index, VS_MANIFEST_MAX_SIZE, &text, &len, err);
        struct vs_index idx = {0};
        if (r == 0)
                r = vs_index_parse(text, len, "index.json", &idx, err);
        if (r == 0 && idx.n_manifests == 0)
                r = vs_error_set(err, EINVAL, "index.json: manifests: no image in the archive");
        for (size_t i = 0; i < idx.n_manifests && r == 0; i++) {
                char origin[64];
                snprintf(origin, sizeof(origin), "index.json: manifests[%zu]", i);
                struct staged *st = archive_staged_list_add(l, err);
                if (!st)
                        r = -err->code;
                if (r == 0)
                        r = oci_entry(m, &idx.manifests[i], platform, origin, st, err);
                const char *name = oci_entry_name(&idx.manifests[i]);
                if (r == 0 && name)
                        r = archive_staged_add_name(st, name, origin, err);
        }
        vs_index_free(&idx);
        return r;
}

/* ------------------------------------------------------------------------
 * load
 * ------------------------------------------------------------------------ */

static int load_stage(struct members *m, const struct vs_platform *platform, struct staged_list *l,
                      struct vs_error *err)
{
        const struct member *manifest = archive_member_find(m, "manifest.json");
        const struct member *index = archive_member_find(m, "index.json");
        /* manifest.json first: docker 25 writes both, and its index.json
         * names images by tag only. */
        if (manifest)
                return stage_docker(m, manifest, l, err);
        if (index)
                return stage_oci(m, index, platform, l, err);
        return vs_error_set(err, EINVAL, "not a docker-archive or oci-archive: no manifest.json or index.json");
}

static int load_result_fill(const struct staged_list *l, struct vs_load_result *ret, struct vs_error *err)
{
        ret->images = calloc(l->n ? l->n : 1, sizeof(*ret->images));
        if (!ret->images)
                return archive_oom(err);
        ret->n = l->n;
        for (size_t i = 0; i < l->n; i++) {
                size_t n = 0;
                ret->images[i].id = strdup(l->v[i].id);
                ret->images[i].names = calloc(1, sizeof(char *));
                if (!ret->images[i].id || !ret->images[i].names)
                        return archive_oom(err);
                for (size_t j = 0; j < l->v[i].n_names; j++) {
                        char *copy = strdup(l->v[i].names[j]);
                        if (!copy || archive_strv_push(&ret->images[i].names, &n, copy) < 0) {
                                free(copy);
                                return archive_oom(err);
                        }
                }
        }
        return 0;
}

int vs_archive_load(struct vs_store *s, int in_fd, const struct vs_platform *platform, struct vs_load_result *ret,
                    struct vs_error *err)
{
        struct vs_platform host = {0};
        struct workdir w = {0};
        struct members m = {0};
        struct staged_list l = {0};
        struct vs_load_result res = {0};
        int r = 0;
        if (!platform) {
                r = vs_platform_host(&host, err);
                platform = &host;
        }
        if (r == 0)
                r = archive_workdir_make(s, "load-", &w, err);
        m.dirfd = w.fd;
        if (r == 0)
                r = archive_members_read(in_fd, &m, err);
        if (r == 0)
                r = load_stage(&m, platform, &l, err);
        if (r == 0)
                r = archive_staged_commit(s, w.fd, &l, err);
        if (r == 0)
                r = load_result_fill(&l, &res, err);
        if (r == 0)
                *ret = res;
        else
                vs_load_result_free(&res);
        archive_staged_list_free(&l);
        archive_members_free(&m);
        archive_workdir_remove(&w);
        vs_platform_free(&host);
        return r;
}

void vs_load_result_free(struct vs_load_result *r)
{
        for (size_t i = 0; i < r->n; i++) {
                free(r->images[i].id);
                vs_strv_free(r->images[i].names);
        }
        free(r->images);
        r->images = NULL;
        r->n = 0;
}
