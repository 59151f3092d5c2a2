/* Image manifests and indexes (OCI, and Docker schema2 with its manifest
 * list), their descriptors, platform selection and chain IDs. Every input is
 * untrusted: each field is checked for its type, each digest for its form,
 * and an error names the document and the JSON path of the field. Unknown
 * members are ignored, as the spec asks of readers. */
#include "image/manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci/json.h"
#include "util/cleanup.h"

#define ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"
#define OCI_NONDISTRIBUTABLE_LAYER "application/vnd.oci.image.layer.nondistributable.v1.tar"

/* ---- media types ---- */

static const struct {
        const char *media_type;
        enum vs_media_kind kind;
        enum vs_layer_compression compression;
} media_types[] = {
        {VS_MEDIA_OCI_MANIFEST, VS_KIND_MANIFEST, VS_COMPRESSION_NONE},
        {VS_MEDIA_DOCKER_MANIFEST, VS_KIND_MANIFEST, VS_COMPRESSION_NONE},
        {VS_MEDIA_OCI_INDEX, VS_KIND_INDEX, VS_COMPRESSION_NONE},
        {VS_MEDIA_DOCKER_LIST, VS_KIND_INDEX, VS_COMPRESSION_NONE},
        {VS_MEDIA_OCI_CONFIG, VS_KIND_CONFIG, VS_COMPRESSION_NONE},
        {VS_MEDIA_DOCKER_CONFIG, VS_KIND_CONFIG, VS_COMPRESSION_NONE},
        {VS_MEDIA_OCI_LAYER, VS_KIND_LAYER, VS_COMPRESSION_NONE},
        {VS_MEDIA_OCI_LAYER_GZIP, VS_KIND_LAYER, VS_COMPRESSION_GZIP},
        {VS_MEDIA_OCI_LAYER_ZSTD, VS_KIND_LAYER, VS_COMPRESSION_ZSTD},
        {OCI_NONDISTRIBUTABLE_LAYER, VS_KIND_LAYER, VS_COMPRESSION_NONE},
        {OCI_NONDISTRIBUTABLE_LAYER "+gzip", VS_KIND_LAYER, VS_COMPRESSION_GZIP},
        {OCI_NONDISTRIBUTABLE_LAYER "+zstd", VS_KIND_LAYER, VS_COMPRESSION_ZSTD},
        {VS_MEDIA_DOCKER_LAYER_GZIP, VS_KIND_LAYER, VS_COMPRESSION_GZIP},
        {VS_MEDIA_DOCKER_LAYER_FOREIGN, VS_KIND_LAYER, VS_COMPRESSION_GZIP},
};

enum vs_media_kind vs_media_kind(const char *media_type, enum vs_layer_compression *compression)
{
        if (compression)
                *compression = VS_COMPRESSION_NONE;
        for (size_t i = 0; media_type && i < VS_ARRAY_SIZE(media_types); i++)
                if (strcmp(media_type, media_types[i].media_type) == 0) {
                        if (compression)
                                *compression = media_types[i].compression;
                        return media_types[i].kind;
                }
        return VS_KIND_UNKNOWN;
}

/* The kind a Content-Type names, when it is one of the four manifest types:
 * parameters (";charset=utf-8") are dropped, and case does not matter. */
static enum vs_media_kind content_type_kind(const char *content_type)
{
        while (*content_type == ' ' || *content_type == '\t')
                content_type++;
        size_t n = strcspn(content_type, "; \t");
        for (size_t i = 0; i < VS_ARRAY_SIZE(media_types); i++) {
                const char *m = media_types[i].media_type;
                if (strlen(m) == n && strncasecmp(content_type, m, n) == 0 &&
                    (media_types[i].kind == VS_KIND_MANIFEST || media_types[i].kind == VS_KIND_INDEX))
                        return media_types[i].kind;
        }
        return VS_KIND_UNKNOWN;
}

/* From the document: its mediaType, else its shape. */
static int sniff_document(struct vs_oci_json *j, const json_t *root, enum vs_media_kind *ret)
{
        _cleanup_free_ char *media_type = NULL;
        int r = vs_oci_json_check_object(j, root);
        if (r < 0)
                return r;
        r = vs_oci_json_string_member(j, root, "mediaType", &media_type);
        if (r < 0)
                return r;
        if (media_type) {
                enum vs_media_kind kind = vs_media_kind(media_type, NULL);
                if (kind != VS_KIND_MANIFEST && kind != VS_KIND_INDEX)
                        return vs_oci_json_fail_at(j, "mediaType", "unsupported media type \"%s\"", media_type);
                *ret = kind;
                return 0;
        }
        json_t *version = json_object_get(root, "schemaVersion");
        if (json_is_integer(version) && json_integer_value(version) == 1)
                return vs_oci_json_fail_at(j, "schemaVersion", "Docker schema1 manifests are not supported");
        if (json_is_array(json_object_get(root, "manifests")))
                *ret = VS_KIND_INDEX;
        else if (json_is_array(json_object_get(root, "layers")))
                *ret = VS_KIND_MANIFEST;
        else
                return vs_oci_json_fail(j, "neither a manifest nor an index (no mediaType, layers or manifests)");
        return 0;
}

int vs_manifest_sniff(const char *data, size_t len, const char *content_type, enum vs_media_kind *ret,
                      struct vs_error *err)
{
        enum vs_media_kind kind = content_type ? content_type_kind(content_type) : VS_KIND_UNKNOWN;
        if (kind != VS_KIND_UNKNOWN) {
                *ret = kind;
                return 0;
        }
        if (len > VS_MANIFEST_MAX_SIZE)
                return vs_error_set(err, EFBIG, "manifest: %zu bytes is over the limit of %u", len,
                                    VS_MANIFEST_MAX_SIZE);
        json_t *root _cleanup_oci_json_ = NULL;
        int r = vs_oci_json_load(data, len, "manifest", &root, err);
        if (r < 0)
                return r;
        struct vs_oci_json j;
        vs_oci_json_init(&j, "manifest", err);
        r = sniff_document(&j, root, &kind);
        if (r < 0)
                return r;
        *ret = kind;
        return 0;
}

/* ---- descriptors ---- */

void vs_descriptor_free(struct vs_descriptor *d)
{
        if (!d)
                return;
        free(d->media_type);
        free(d->digest);
        if (d->platform) {
                vs_platform_free(d->platform);
                free(d->platform);
        }
        free(d->ref_name);
        if (d->annotations)
                json_decref(d->annotations);
        *d = (struct vs_descriptor){NULL};
}

static int check_size(struct vs_oci_json *j, const json_t *obj, int64_t *ret)
{
        json_t *v = vs_oci_json_member(obj, "size");
        if (json_is_integer(v) && json_integer_value(v) < 0)
                return vs_oci_json_fail_at(j, "size", "must not be negative, got %" PRId64,
                                           (int64_t) json_integer_value(v));
        return vs_oci_json_int_member(j, obj, "size", 0, INT64_MAX, NULL, ret);
}

static int check_digest(struct vs_oci_json *j, const json_t *obj, char **ret)
{
        _cleanup_free_ char *digest = NULL;
        int r = vs_oci_json_string_member(j, obj, "digest", &digest);
        if (r < 0)
                return r;
        struct vs_error derr = VS_ERROR_INIT;
        if (vs_digest_validate(digest, &derr) < 0)
                return vs_oci_json_fail_at(j, "digest", "%s", derr.msg);
        *ret = TAKE_PTR(digest);
        return 0;
}

/* An object of string to string; kept as JSON. */
static int parse_annotations(struct vs_oci_json *j, const json_t *obj, json_t **ret)
{
        json_t *v = NULL;
        int r = vs_oci_json_object_member(j, obj, "annotations", &v);
        if (r < 0 || !v)
                return r;
        const char *key;
        json_t *value;
        size_t mark = vs_oci_json_enter(j, "annotations");
        json_object_foreach (v, key, value) {
                /* The type name tells a string from a large integer kept as one. */
                if (strcmp(vs_oci_json_type_name(value), "string") != 0)
                        return vs_oci_json_fail_at(j, key, "expected a string, got %s", vs_oci_json_type_name(value));
                if (strlen(json_string_value(value)) != json_string_length(value))
                        return vs_oci_json_fail_at(j, key, "must not contain a NUL character");
        }
        vs_oci_json_leave(j, mark);
        *ret = json_incref(v);
        return 0;
}

static int parse_platform(struct vs_oci_json *j, const json_t *obj, struct vs_platform **ret)
{
        json_t *v = NULL;
        int r = vs_oci_json_object_member(j, obj, "platform", &v);
        if (r < 0 || !v)
                return r;
        _cleanup_free_ struct vs_platform *p = calloc(1, sizeof(*p));
        if (!p)
                return vs_oci_json_oom(j);
        size_t mark = vs_oci_json_enter(j, "platform");
        if ((r = vs_oci_json_require(j, v, "architecture")) < 0 || (r = vs_oci_json_require(j, v, "os")) < 0 ||
            (r = vs_oci_json_string_member(j, v, "architecture", &p->architecture)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "os", &p->os)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "variant", &p->variant)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "os.version", &p->os_version)) < 0) {
                vs_platform_free(p);
                return r;
        }
        vs_oci_json_leave(j, mark);
        *ret = TAKE_PTR(p);
        return 0;
}

/* urls are not used (vessel fetches from the registry only) but must be
 * what the spec says they are. */
static int check_urls(struct vs_oci_json *j, const json_t *obj)
{
        _cleanup_strv_ char **urls = NULL;
        return vs_oci_json_strv_member(j, obj, "urls", &urls, NULL);
}

/* Parse a descriptor into d (zeroed); on failure the caller frees d. With
 * `kind` other than VS_KIND_UNKNOWN, the media type must be of that kind. */
static int parse_descriptor(struct vs_oci_json *j, const json_t *v, enum vs_media_kind kind, struct vs_descriptor *d)
{
        int r;
        if ((r = vs_oci_json_check_object(j, v)) < 0 || (r = vs_oci_json_require(j, v, "mediaType")) < 0 ||
            (r = vs_oci_json_require(j, v, "digest")) < 0 || (r = vs_oci_json_require(j, v, "size")) < 0)
                return r;
        if ((r = vs_oci_json_string_member(j, v, "mediaType", &d->media_type)) < 0 ||
            (r = check_digest(j, v, &d->digest)) < 0 || (r = check_size(j, v, &d->size)) < 0 ||
            (r = check_urls(j, v)) < 0 || (r = parse_annotations(j, v, &d->annotations)) < 0 ||
            (r = parse_platform(j, v, &d->platform)) < 0)
                return r;
        if (kind != VS_KIND_UNKNOWN && vs_media_kind(d->media_type, NULL) != kind)
                return vs_oci_json_fail_at(j, "mediaType", "unsupported media type \"%s\" for %s", d->media_type,
                                           kind == VS_KIND_CONFIG ? "an image config" : "a layer");
        const char *ref_name = json_string_value(json_object_get(d->annotations, ANNOTATION_REF_NAME));
        if (ref_name && !(d->ref_name = strdup(ref_name)))
                return vs_oci_json_oom(j);
        return 0;
}

static int parse_config_descriptor(struct vs_oci_json *j, const json_t *v, void *slot)
{
        return parse_descriptor(j, v, VS_KIND_CONFIG, slot);
}

static int parse_layer_descriptor(struct vs_oci_json *j, const json_t *v, void *slot)
{
        return parse_descriptor(j, v, VS_KIND_LAYER, slot);
}

static int parse_index_entry(struct vs_oci_json *j, const json_t *v, void *slot)
{
        return parse_descriptor(j, v, VS_KIND_UNKNOWN, slot);
}

static json_t *platform_to_json(const struct vs_platform *p)
{
        json_t *o = json_object();
        if (!o || json_object_set_new(o, "architecture", json_string(p->architecture ? p->architecture : "")) < 0 ||
            json_object_set_new(o, "os", json_string(p->os ? p->os : "")) < 0 ||
            (p->os_version && json_object_set_new(o, "os.version", json_string(p->os_version)) < 0) ||
            (p->variant && json_object_set_new(o, "variant", json_string(p->variant)) < 0)) {
                json_decref(o);
                return NULL;
        }
        return o;
}

json_t *vs_descriptor_to_json(const struct vs_descriptor *d)
{
        json_t *o = json_object();
        if (!o || !d->media_type || !d->digest || json_object_set_new(o, "mediaType", json_string(d->media_type)) < 0 ||
            json_object_set_new(o, "digest", json_string(d->digest)) < 0 ||
            json_object_set_new(o, "size", json_integer(d->size)) < 0 ||
            (d->annotations && json_object_set_new(o, "annotations", json_deep_copy(d->annotations)) < 0) ||
            (d->platform && json_object_set_new(o, "platform", platform_to_json(d->platform)) < 0)) {
                json_decref(o);
                return NULL;
        }
        return o;
}

/* ---- documents ---- */

/* Load the text, check it is an object with schemaVersion 2 and, when it
 * names one, a media type of `kind`; *media_type is set to that type, or to
 * `default_type` when the document names none. */
static int load_document(struct vs_oci_json *j, const char *data, size_t len, enum vs_media_kind kind,
                         const char *default_type, json_t **ret_root, char **media_type)
{
        if (len > VS_MANIFEST_MAX_SIZE)
                return vs_error_set(j->err, EFBIG, "%s: %zu bytes is over the limit of %u", j->origin, len,
                                    VS_MANIFEST_MAX_SIZE);
        json_t *root _cleanup_oci_json_ = NULL;
        int64_t version = 0;
        int r = vs_oci_json_load(data, len, j->origin, &root, j->err);
        if (r < 0)
                return r;
        if ((r = vs_oci_json_check_object(j, root)) < 0 || (r = vs_oci_json_require(j, root, "schemaVersion")) < 0 ||
            (r = vs_oci_json_int_member(j, root, "schemaVersion", INT64_MIN, INT64_MAX, NULL, &version)) < 0)
                return r;
        if (version != 2)
                return vs_oci_json_fail_at(j, "schemaVersion", "must be 2, got %" PRId64 "%s", version,
                                           version == 1 ? " (Docker schema1 is not supported)" : "");
        if ((r = vs_oci_json_string_member(j, root, "mediaType", media_type)) < 0)
                return r;
        if (*media_type && vs_media_kind(*media_type, NULL) != kind)
                return vs_oci_json_fail_at(j, "mediaType", "unsupported media type \"%s\" for %s", *media_type,
                                           kind == VS_KIND_INDEX ? "an index" : "a manifest");
        if (!*media_type && !(*media_type = strdup(default_type)))
                return vs_oci_json_oom(j);
        *ret_root = TAKE_PTR(root);
        return 0;
}

void vs_manifest_free(struct vs_manifest *m)
{
        if (!m)
                return;
        free(m->media_type);
        vs_descriptor_free(&m->config);
        for (size_t i = 0; m->layers && i < m->n_layers; i++)
                vs_descriptor_free(&m->layers[i]);
        free(m->layers);
        if (m->annotations)
                json_decref(m->annotations);
        *m = (struct vs_manifest){NULL};
}

static int parse_manifest_members(struct vs_oci_json *j, const json_t *root, struct vs_manifest *m)
{
        int r;
        if ((r = vs_oci_json_require(j, root, "config")) < 0 || (r = vs_oci_json_require(j, root, "layers")) < 0)
                return r;
        size_t mark = vs_oci_json_enter(j, "config");
        if ((r = parse_config_descriptor(j, json_object_get(root, "config"), &m->config)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        if ((r = vs_oci_json_parse_array(j, root, "layers", &m->layers, &m->n_layers, parse_layer_descriptor)) < 0)
                return r;
        return parse_annotations(j, root, &m->annotations);
}

int vs_manifest_parse(const char *data, size_t len, const char *origin, struct vs_manifest *ret, struct vs_error *err)
{
        struct vs_oci_json j;
        vs_oci_json_init(&j, origin, err);
        struct vs_manifest m = {NULL};
        json_t *root _cleanup_oci_json_ = NULL;
        int r = load_document(&j, data, len, VS_KIND_MANIFEST, VS_MEDIA_OCI_MANIFEST, &root, &m.media_type);
        if (r >= 0)
                r = parse_manifest_members(&j, root, &m);
        if (r < 0) {
                vs_manifest_free(&m);
                return r;
        }
        *ret = m;
        return 0;
}

void vs_index_free(struct vs_index *idx)
{
        if (!idx)
                return;
        free(idx->media_type);
        for (size_t i = 0; idx->manifests && i < idx->n_manifests; i++)
                vs_descriptor_free(&idx->manifests[i]);
        free(idx->manifests);
        if (idx->annotations)
                json_decref(idx->annotations);
        *idx = (struct vs_index){NULL};
}

int vs_index_parse(const char *data, size_t len, const char *origin, struct vs_index *ret, struct vs_error *err)
{
        struct vs_oci_json j;
        vs_oci_json_init(&j, origin, err);
        struct vs_index idx = {NULL};
        json_t *root _cleanup_oci_json_ = NULL;
        int r = load_document(&j, data, len, VS_KIND_INDEX, VS_MEDIA_OCI_INDEX, &root, &idx.media_type);
        if (r >= 0)
                r = vs_oci_json_require(&j, root, "manifests");
        if (r >= 0)
                r = vs_oci_json_parse_array(&j, root, "manifests", &idx.manifests, &idx.n_manifests, parse_index_entry);
        if (r >= 0)
                r = parse_annotations(&j, root, &idx.annotations);
        if (r < 0) {
                vs_index_free(&idx);
                return r;
        }
        *ret = idx;
        return 0;
}

/* ---- platform selection ---- */

static bool selectable(const struct vs_descriptor *d)
{
        enum vs_media_kind kind = vs_media_kind(d->media_type, NULL);
        return kind == VS_KIND_MANIFEST || kind == VS_KIND_INDEX;
}

/* "linux/amd64, linux/arm/v7" for the error; cut if long. */
static void list_platforms(const struct vs_index *idx, char *buf, size_t size)
{
        size_t o = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < idx->n_manifests && o + 1 < size; i++) {
                const struct vs_platform *p = idx->manifests[i].platform;
                if (!p || !selectable(&idx->manifests[i]))
                        continue;
                _cleanup_free_ char *s = vs_platform_string(p);
                int n = snprintf(buf + o, size - o, "%s%s", o ? ", " : "", s ? s : "?");
                if (n < 0)
                        break;
                o += (size_t) n;
        }
        /* The names come from the index: keep the message one line. */
        for (char *c = buf; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        *c = '?';
}

int vs_index_select(const struct vs_index *idx, const struct vs_platform *want, const char *origin,
                    const struct vs_descriptor **ret, struct vs_error *err)
{
        const struct vs_descriptor *fallback = NULL;
        for (size_t i = 0; i < idx->n_manifests; i++) {
                const struct vs_descriptor *d = &idx->manifests[i];
                if (!selectable(d))
                        continue;
                if (d->platform && vs_platform_matches(want, d->platform)) {
                        *ret = d;
                        return 0;
                }
                /* An entry naming no platform is for any, as containerd
                 * reads it; taken only when none names this one. */
                if (!d->platform && !fallback)
                        fallback = d;
        }
        if (fallback) {
                *ret = fallback;
                return 0;
        }
        _cleanup_free_ char *name = vs_platform_string(want);
        char have[512];
        list_platforms(idx, have, sizeof(have));
        return vs_error_set(err, ENOENT, "no image for platform %s in %s%s%s%s", name ? name : "?", origin,
                            have[0] ? " (it has " : "", have, have[0] ? ")" : "");
}

/* ---- chain IDs ---- */

int vs_chain_ids(char *const *diff_ids, size_t n, char (*ret)[VS_DIGEST_MAX], struct vs_error *err)
{
        for (size_t i = 0; i < n; i++) {
                int r = vs_digest_validate(diff_ids[i], err);
                if (r < 0)
                        return vs_error_wrap(err, "diff ID %zu", i);
        }
        for (size_t i = 0; i < n; i++) {
                if (i == 0) {
                        snprintf(ret[0], VS_DIGEST_MAX, "%s", diff_ids[0]);
                        continue;
                }
                struct vs_sha256 h = {NULL};
                int r = vs_sha256_init(&h, err);
                if (r < 0)
                        return r;
                vs_sha256_update(&h, ret[i - 1], strlen(ret[i - 1]));
                vs_sha256_update(&h, " ", 1);
                vs_sha256_update(&h, diff_ids[i], strlen(diff_ids[i]));
                vs_sha256_final(&h, ret[i]);
        }
        return 0;
}
