/* vessel: save (see archive.h): images of the store written to one tar
 * as a docker-archive (manifest.json, repositories, the config and each
 * layer uncompressed) or an oci-archive (an OCI image layout holding the
 * stored blobs as they are), streamed with nothing copied first. */
#include "image/lazy_archive.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/archive_internal.h"
#include "image/reference.h"
#include "util/cleanup.h"

#define OCI_LAYOUT_TEXT "{\"imageLayoutVersion\":\"1.0.0\"}"

int vs_archive_format_parse(const char *text, enum vs_archive_format *ret, struct vs_error *err)
{
        if (strcmp(text, "docker-archive") == 0)
                *ret = VS_ARCHIVE_DOCKER;
        else if (strcmp(text, "oci-archive") == 0)
                *ret = VS_ARCHIVE_OCI;
        else
                return vs_error_set(err, EINVAL, "invalid archive format \"%s\": use docker-archive or oci-archive",
                                    text);
        return 0;
}

struct saved_image {
        struct vs_image img;
        char **names; /* full references to save it under, NULL-terminated */
        size_t n_names;
};

struct save_plan {
        struct saved_image *v;
        size_t n;
};

static void save_plan_free(struct save_plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                vs_image_free(&p->v[i].img);
                vs_strv_free(p->v[i].names);
        }
        free(p->v);
}

/* The name an image is saved under when the user named it (not by ID, and
 * with a tag: "busybox@sha256:.." names no tag). NULL otherwise. */
static int save_name(const char *text, const struct vs_image *img, char **ret, struct vs_error *err)
{
        *ret = NULL;
        const char *hex = strncmp(text, "sha256:", 7) == 0 ? text + 7 : text;
        if (vs_image_ref_looks_like_id(text) && strncmp(vs_digest_hex(img->id), hex, strlen(hex)) == 0)
                return 0;
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(text, &ref, err);
        if (r < 0)
                return r;
        if (ref.tag && !ref.digest && !(*ret = vs_image_ref_full(&ref)))
                r = archive_oom(err);
        vs_image_ref_free(&ref);
        return r;
}

static int save_plan_add(struct vs_store *s, const char *text, struct save_plan *p, struct vs_error *err)
{
        struct vs_image img = {0};
        int r = vs_store_image_lookup(s, text, &img, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *name = NULL;
        r = save_name(text, &img, &name, err);
        struct saved_image *it = NULL;
        for (size_t i = 0; r == 0 && i < p->n && !it; i++)
                if (strcmp(p->v[i].img.id, img.id) == 0)
                        it = &p->v[i];
        if (r == 0 && !it) {
                struct saved_image *nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
                if (!nv)
                        r = archive_oom(err);
                else {
                        p->v = nv;
                        it = &p->v[p->n++];
                        *it = (struct saved_image){.img = img};
                        img = (struct vs_image){0};
                }
        }
        vs_image_free(&img);
        if (r < 0)
                return r;
        if (name && !archive_strv_contains(it->names, name)) {
                if (archive_strv_push(&it->names, &it->n_names, name) < 0)
                        return archive_oom(err);
                name = NULL;
        }
        return 0;
}

/* The layer as an uncompressed tar named "<diff hex>/layer.tar". */
static int save_docker_layer(struct vs_store *s, struct archive *a, const struct vs_image_layer *l, const char *name,
                             struct vs_error *err)
{
        _cleanup_close_ int fd = -1;
        int r = vs_store_blob_open(s, l->blob_digest, &fd, err);
        if (r < 0)
                return r;
        enum vs_layer_compression c = VS_COMPRESSION_NONE;
        if (vs_media_kind(l->media_type, &c) != VS_KIND_LAYER)
                return vs_error_set(err, ENOTSUP, "layer %s: unsupported media type %s", l->blob_digest, l->media_type);
        if (c == VS_COMPRESSION_NONE) {
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return vs_error_syscall(err, "cannot stat blob %s", l->blob_digest);
                return archive_tar_write_fd(a, name, fd, st.st_size, err);
        }
        int64_t size = 0;
        r = archive_layer_measure(fd, l->diff_id, l->blob_digest, &size, err);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return vs_error_syscall(err, "cannot rewind blob %s", l->blob_digest);
        return archive_tar_write_decompressed(a, name, fd, size, err);
}

/* repositories[repo][tag] = top layer, as docker's legacy loader reads it. */
static int repositories_add(json_t *repos, const char *name, const char *top, struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(name, &ref, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *tag = ref.tag ? strdup(ref.tag) : NULL;
        free(ref.tag);
        ref.tag = NULL;
        _cleanup_free_ char *repo = vs_image_ref_familiar(&ref);
        vs_image_ref_free(&ref);
        if (!repo || !tag)
                return archive_oom(err);
        json_t *tags = json_object_get(repos, repo);
        if (!tags && json_object_set_new(repos, repo, tags = json_object()) < 0)
                return archive_oom(err);
        if (json_object_set_new(tags, tag, json_string(top)) < 0)
                return archive_oom(err);
        return 0;
}

static int save_docker_image(struct vs_store *s, struct archive *a, const struct saved_image *it, char ***written,
                             size_t *n_written, json_t *manifest, json_t *repos, struct vs_error *err)
{
        _cleanup_free_ char *config = NULL;
        size_t len = 0;
        int r = vs_store_blob_read(s, it->img.id, VS_IMAGE_CONFIG_MAX_SIZE, &config, &len, err);
        char name[VS_DIGEST_MAX + 16];
        snprintf(name, sizeof(name), "%s.json", vs_digest_hex(it->img.id));
        if (r == 0 && !archive_strv_contains(*written, name))
                r = archive_tar_write_buffer(a, name, config, len, err);
        json_t *entry = json_pack("{s:s, s:o, s:[]}", "Config", name, "RepoTags",
                                  it->n_names ? json_array() : json_null(), "Layers");
        if (r < 0 || !entry || json_array_append_new(manifest, entry) < 0)
                return r < 0 ? r : archive_oom(err);
        for (size_t i = 0; i < it->img.n_layers; i++) {
                const struct vs_image_layer *l = &it->img.layers[i];
                snprintf(name, sizeof(name), "%s/layer.tar", vs_digest_hex(l->diff_id));
                if (!archive_strv_contains(*written, name)) {
                        r = save_docker_layer(s, a, l, name, err);
                        if (r < 0)
                                return r;
                        _cleanup_free_ char *copy = strdup(name);
                        if (!copy || archive_strv_push(written, n_written, copy) < 0)
                                return archive_oom(err);
                        copy = NULL;
                }
                if (json_array_append_new(json_object_get(entry, "Layers"), json_string(name)) < 0)
                        return archive_oom(err);
        }
        const char *top = it->img.n_layers ? vs_digest_hex(it->img.layers[it->img.n_layers - 1].diff_id) : "";
        for (size_t i = 0; i < it->n_names; i++) {
                struct vs_image_ref ref = {0};
                r = vs_image_ref_parse(it->names[i], &ref, err);
                _cleanup_free_ char *familiar = r == 0 ? vs_image_ref_familiar(&ref) : NULL;
                vs_image_ref_free(&ref);
                if (r < 0 || (r = repositories_add(repos, it->names[i], top, err)) < 0)
                        return r;
                if (!familiar || json_array_append_new(json_object_get(entry, "RepoTags"), json_string(familiar)))
                        return archive_oom(err);
        }
        return 0;
}

static int save_docker(struct vs_store *s, struct archive *a, const struct save_plan *p, struct vs_error *err)
{
        _cleanup_json_ json_t *manifest = json_array();
        _cleanup_json_ json_t *repos = json_object();
        _cleanup_strv_ char **written = NULL;
        size_t n_written = 0;
        if (!manifest || !repos)
                return archive_oom(err);
        for (size_t i = 0; i < p->n; i++) {
                int r = save_docker_image(s, a, &p->v[i], &written, &n_written, manifest, repos, err);
                if (r < 0)
                        return vs_error_wrap(err, "image %s", p->v[i].img.id);
        }
        int r = archive_tar_write_json(a, "manifest.json", manifest, err);
        if (r == 0 && json_object_size(repos) > 0)
                r = archive_tar_write_json(a, "repositories", repos, err);
        return r;
}

/* blobs/sha256/<hex>, once per archive; *size gets the blob's size. */
static int save_oci_blob(struct vs_store *s, struct archive *a, const char *digest, char ***written, size_t *n_written,
                         int64_t *size, struct vs_error *err)
{
        _cleanup_close_ int fd = -1;
        int r = vs_store_blob_open(s, digest, &fd, err);
        if (r < 0)
                return r;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return vs_error_syscall(err, "cannot stat blob %s", digest);
        if (size)
                *size = st.st_size;
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "blobs/sha256/%s", vs_digest_hex(digest)) < 0)
                return archive_oom(err);
        if (archive_strv_contains(*written, name))
                return 0;
        r = archive_tar_write_fd(a, name, fd, st.st_size, err);
        if (r < 0)
                return r;
        if (archive_strv_push(written, n_written, name) < 0)
                return archive_oom(err);
        name = NULL;
        return 0;
}

static json_t *oci_index_entry(const struct vs_image *img, int64_t size, const char *name)
{
        json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", img->manifest_media_type, "digest", img->manifest_digest,
                              "size", (json_int_t) size);
        if (d && name &&
            json_object_set_new(d, "annotations",
                                json_pack("{s:s, s:s}", ANNOTATION_CONTAINERD_NAME, name, ANNOTATION_REF_NAME, name)) <
                    0) {
                json_decref(d);
                return NULL;
        }
        return d;
}

static int save_oci(struct vs_store *s, struct archive *a, const struct save_plan *p, struct vs_error *err)
{
        _cleanup_json_ json_t *manifests = json_array();
        _cleanup_strv_ char **written = NULL;
        size_t n_written = 0;
        if (!manifests)
                return archive_oom(err);
        int r = archive_tar_write_buffer(a, "oci-layout", OCI_LAYOUT_TEXT, strlen(OCI_LAYOUT_TEXT), err);
        if (r == 0)
                r = archive_tar_header(a, "blobs/", AE_IFDIR, 0, err);
        if (r == 0)
                r = archive_tar_header(a, "blobs/sha256/", AE_IFDIR, 0, err);
        for (size_t i = 0; i < p->n && r == 0; i++) {
                const struct vs_image *img = &p->v[i].img;
                int64_t size = 0;
                r = save_oci_blob(s, a, img->manifest_digest, &written, &n_written, &size, err);
                if (r == 0)
                        r = save_oci_blob(s, a, img->id, &written, &n_written, NULL, err);
                for (size_t j = 0; j < img->n_layers && r == 0; j++)
                        r = save_oci_blob(s, a, img->layers[j].blob_digest, &written, &n_written, NULL, err);
                for (size_t j = 0; j < (p->v[i].n_names ? p->v[i].n_names : 1) && r == 0; j++)
                        if (json_array_append_new(
                                    manifests, oci_index_entry(img, size, p->v[i].names ? p->v[i].names[j] : NULL)) < 0)
                                r = archive_oom(err);
                if (r < 0)
                        return vs_error_wrap(err, "image %s", img->id);
        }
        if (r < 0)
                return r;
        _cleanup_json_ json_t *index = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", VS_MEDIA_OCI_INDEX,
                                                 "manifests", manifests);
        if (!index)
                return archive_oom(err);
        return archive_tar_write_json(a, "index.json", index, err);
}

int vs_archive_save(struct vs_store *s, char *const *images, size_t n, enum vs_archive_format format, int out_fd,
                    struct vs_error *err)
{
        int r = vs_store_lock_shared(s, err); /* no garbage collection while blobs are read */
        if (r < 0)
                return r;
        struct save_plan plan = {0};
        for (size_t i = 0; i < n && r == 0; i++)
                r = save_plan_add(s, images[i], &plan, err);
        struct archive *a = r == 0 ? archive_write_new() : NULL;
        if (r == 0 && !a)
                r = archive_oom(err);
        if (r == 0 &&
            (archive_write_set_format_pax_restricted(a) < ARCHIVE_OK || archive_write_open_fd(a, out_fd) < ARCHIVE_OK))
                r = archive_fail(a, err, "cannot write the archive");
        if (r == 0)
                r = format == VS_ARCHIVE_OCI ? save_oci(s, a, &plan, err) : save_docker(s, a, &plan, err);
        if (r == 0 && archive_write_close(a) < ARCHIVE_OK)
                r = archive_fail(a, err, "cannot write the archive");
        if (a)
                archive_free(a);
        save_plan_free(&plan);
        vs_store_unlock(s);
        return r;
}
