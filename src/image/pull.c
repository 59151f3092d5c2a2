/* vessel: pulling an image from a registry into the store (see pull.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/pull.h"
#include "image/reference.h"
#include "util/cleanup.h"

#define MANIFEST_MAX (4u << 20)
#define CONFIG_MAX (8u << 20)

void vs_pull_result_free(struct vs_pull_result *r)
{
        free(r->name);
        free(r->image_id);
        free(r->digest);
        memset(r, 0, sizeof(*r));
}

/* A manifest document fetched from the registry, with what it is. */
struct fetched {
        char *body;
        size_t len;
        char *media_type;
        char digest[VS_DIGEST_MAX];
};

static void fetched_free(struct fetched *f)
{
        free(f->body);
        free(f->media_type);
        memset(f, 0, sizeof(*f));
}

/* GET reference; when it is an index, choose the platform's manifest and GET
 * that by digest. `index` keeps the index when there was one. */
static int resolve_manifest(struct vs_registry *reg, const char *full, const char *reference,
                            const struct vs_platform *platform, struct fetched *index, struct fetched *manifest,
                            struct vs_error *err)
{
        struct fetched first = {0};
        int r = vs_registry_get_manifest(reg, reference, &first.body, &first.len, &first.media_type, first.digest, err);
        if (r < 0)
                return r;
        enum vs_media_kind kind;
        r = vs_manifest_sniff(first.body, first.len, first.media_type, &kind, err);
        if (r < 0) {
                fetched_free(&first);
                return vs_error_wrap(err, "%s", full);
        }
        if (kind == VS_KIND_MANIFEST) {
                *manifest = first;
                return 0;
        }
        struct vs_index idx = {0};
        char origin[VS_DIGEST_MAX + 16];
        snprintf(origin, sizeof(origin), "index %s", first.digest);
        r = vs_index_parse(first.body, first.len, origin, &idx, err);
        if (r < 0) {
                fetched_free(&first);
                return r;
        }
        const struct vs_descriptor *chosen = NULL;
        r = vs_index_select(&idx, platform, full, &chosen, err);
        if (r == 0)
                r = vs_registry_get_manifest(reg, chosen->digest, &manifest->body, &manifest->len,
                                             &manifest->media_type, manifest->digest, err);
        vs_index_free(&idx);
        if (r < 0) {
                fetched_free(&first);
                return r;
        }
        *index = first;
        return 0;
}

/* The blobs of the layers not yet stored, fetched in parallel into ingest
 * files and committed (digest-checked) one by one. */
static int fetch_layers(struct vs_store *s, struct vs_registry *reg, const struct vs_manifest *m,
                        const struct vs_transfer_events *ev, struct vs_error *err)
{
        size_t n = m->n_layers;
        _cleanup_free_ bool *present = calloc(n ? n : 1, sizeof(bool));
        _cleanup_free_ struct vs_blob_transfer *xfers = calloc(n ? n : 1, sizeof(*xfers));
        _cleanup_free_ size_t *index_of = calloc(n ? n : 1, sizeof(size_t));
        if (!present || !xfers || !index_of)
                return vs_error_set(err, ENOMEM, "out of memory");
        int r = 0;
        size_t want = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                r = vs_store_blob_exists(s, m->layers[i].digest, &present[i], err);
                for (size_t j = 0; j < i && r == 0 && !present[i]; j++)
                        present[i] = strcmp(m->layers[j].digest, m->layers[i].digest) == 0; /* twice in one image */
        }
        if (r < 0)
                return r;
        if (ev && ev->layers)
                ev->layers(ev->data, n, m->layers, present);
        for (size_t i = 0; i < n; i++) {
                if (present[i])
                        continue;
                struct vs_blob_transfer *x = &xfers[want];
                x->digest = m->layers[i].digest;
                x->size = m->layers[i].size;
                x->fd = -1;
                r = vs_store_ingest_open(s, x->digest, &x->fd, &x->offset, err);
                if (r < 0)
                        break;
                index_of[want++] = i;
        }
        if (r == 0 && want > 0)
                r = vs_registry_fetch_blobs(reg, xfers, want, ev ? ev->progress : NULL, ev ? ev->data : NULL, err);
        for (size_t k = 0; k < want; k++)
                vs_safe_close(xfers[k].fd);
        for (size_t k = 0; k < want && r == 0; k++) {
                r = vs_store_ingest_commit(s, xfers[k].digest, xfers[k].size, err);
                if (r == 0 && ev && ev->layer_state)
                        ev->layer_state(ev->data, index_of[k], "Download complete");
        }
        return r;
}

/* Unpack every layer (once per chain ID) in order. */
static int unpack_layers(struct vs_store *s, const struct vs_manifest *m, const struct vs_image_config *cfg,
                         char (*chain)[VS_DIGEST_MAX], const struct vs_transfer_events *ev, struct vs_error *err)
{
        for (size_t i = 0; i < m->n_layers; i++) {
                int r = vs_store_layer_ensure(s, chain[i], i ? chain[i - 1] : NULL, m->layers[i].digest,
                                              cfg->diff_ids[i], err);
                if (r < 0)
                        return r;
                if (ev && ev->layer_state)
                        ev->layer_state(ev->data, i, "Pull complete");
        }
        return 0;
}

/* Seconds since the epoch of an RFC 3339 time ("2026-11-22T10:00:00.5Z"), 0 if none. */
static int64_t created_seconds(const char *text)
{
        struct tm tm = {0};
        if (!text || !strptime(text, "%Y-%m-%dT%H:%M:%S", &tm))
                return 0;
        return (int64_t) timegm(&tm);
}

/* Fill the record vs_store_image_add takes. */
static int describe_image(const struct fetched *manifest, const struct fetched *index, const struct vs_manifest *m,
                          const struct vs_image_config *cfg, char (*chain)[VS_DIGEST_MAX], struct vs_image *img,
                          struct vs_error *err)
{
        img->id = strdup(m->config.digest);
        img->manifest_digest = strdup(manifest->digest);
        img->manifest_media_type = strdup(m->media_type);
        img->index_digest = index->body ? strdup(index->digest) : NULL;
        img->layers = calloc(m->n_layers ? m->n_layers : 1, sizeof(*img->layers));
        if (!img->id || !img->manifest_digest || !img->manifest_media_type || (index->body && !img->index_digest) ||
            !img->layers)
                return vs_error_set(err, ENOMEM, "out of memory");
        img->n_layers = m->n_layers;
        img->created = created_seconds(cfg->created);
        for (size_t i = 0; i < m->n_layers; i++) {
                struct vs_image_layer *l = &img->layers[i];
                l->blob_digest = strdup(m->layers[i].digest);
                l->media_type = strdup(m->layers[i].media_type);
                l->blob_size = m->layers[i].size;
                l->diff_id = strdup(cfg->diff_ids[i]);
                l->chain_id = strdup(chain[i]);
                if (!l->blob_digest || !l->media_type || !l->diff_id || !l->chain_id)
                        return vs_error_set(err, ENOMEM, "out of memory");
                img->size += m->layers[i].size;
        }
        return 0;
}

/* Keep the documents: index (if any), manifest and config, each checked. */
static int store_documents(struct vs_store *s, const struct fetched *index, const struct fetched *manifest,
                           const char *config, size_t config_len, struct vs_error *err)
{
        char got[VS_DIGEST_MAX];
        int r = 0;
        if (index->body)
                r = vs_store_blob_write(s, index->body, index->len, got, err);
        if (r == 0)
                r = vs_store_blob_write(s, manifest->body, manifest->len, got, err);
        if (r == 0)
                r = vs_store_blob_write(s, config, config_len, got, err);
        return r;
}

/* The layers' media types must be ones vessel can unpack, and the config's
 * diff IDs must match them one to one. */
static int check_layers(const char *full, const struct vs_manifest *m, const struct vs_image_config *cfg,
                        struct vs_error *err)
{
        for (size_t i = 0; i < m->n_layers; i++) {
                enum vs_layer_compression c;
                if (vs_media_kind(m->layers[i].media_type, &c) != VS_KIND_LAYER)
                        return vs_error_set(err, ENOTSUP, "%s: layers[%zu]: unsupported layer media type %s", full, i,
                                            m->layers[i].media_type);
        }
        if (cfg->n_diff_ids != m->n_layers)
                return vs_error_set(err, EINVAL, "%s: config %s has %zu diff IDs for %zu layers", full,
                                    m->config.digest, cfg->n_diff_ids, m->n_layers);
        return 0;
}

struct pull_work {
        struct fetched index, manifest;
        struct vs_manifest m;
        char *config;
        size_t config_len;
        struct vs_image_config cfg;
        char (*chain)[VS_DIGEST_MAX];
        struct vs_image img;
};

static void pull_work_free(struct pull_work *w)
{
        fetched_free(&w->index);
        fetched_free(&w->manifest);
        vs_manifest_free(&w->m);
        free(w->config);
        vs_image_config_free(&w->cfg);
        free(w->chain);
        vs_image_free(&w->img);
}

static int pull_image(struct vs_store *s, struct vs_registry *reg, const struct vs_image_ref *ref, const char *full,
                      const struct vs_pull_options *opts, const struct vs_platform *platform, struct pull_work *w,
                      struct vs_error *err)
{
        const char *reference = ref->digest ? ref->digest : ref->tag;
        int r = resolve_manifest(reg, full, reference, platform, &w->index, &w->manifest, err);
        if (r < 0)
                return r;
        char origin[VS_DIGEST_MAX + 16];
        snprintf(origin, sizeof(origin), "manifest %s", w->manifest.digest);
        r = vs_manifest_parse(w->manifest.body, w->manifest.len, origin, &w->m, err);
        if (r < 0)
                return r;
        r = vs_registry_get_blob(reg, w->m.config.digest, CONFIG_MAX, &w->config, &w->config_len, err);
        if (r < 0)
                return r;
        snprintf(origin, sizeof(origin), "config %s", w->m.config.digest);
        r = vs_image_config_parse(w->config, w->config_len, origin, &w->cfg, err);
        if (r < 0)
                return r;
        r = check_layers(full, &w->m, &w->cfg, err);
        if (r < 0)
                return r;
        w->chain = calloc(w->m.n_layers ? w->m.n_layers : 1, sizeof(*w->chain));
        if (!w->chain)
                return vs_error_set(err, ENOMEM, "out of memory");
        r = vs_chain_ids(w->cfg.diff_ids, w->cfg.n_diff_ids, w->chain, err);
        if (r < 0)
                return r;
        r = vs_store_lock_shared(s, err);
        if (r < 0)
                return r;
        r = fetch_layers(s, reg, &w->m, opts->events, err);
        if (r == 0)
                r = unpack_layers(s, &w->m, &w->cfg, w->chain, opts->events, err);
        if (r == 0)
                r = store_documents(s, &w->index, &w->manifest, w->config, w->config_len, err);
        if (r == 0)
                r = describe_image(&w->manifest, &w->index, &w->m, &w->cfg, w->chain, &w->img, err);
        vs_store_unlock(s);
        return r;
}

/* Did the store already have this image under this name? */
static bool already_named(struct vs_store *s, const char *name, const char *id)
{
        struct vs_image old = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        if (!name || vs_store_image_lookup(s, name, &old, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        bool same = strcmp(old.id, id) == 0;
        vs_image_free(&old);
        return same;
}

static int register_image(struct vs_store *s, const struct vs_image_ref *ref, struct pull_work *w,
                          struct vs_pull_result *ret, struct vs_error *err)
{
        _cleanup_free_ char *repo = vs_image_ref_repository(ref);
        _cleanup_free_ char *name = NULL;
        if (ref->tag && !ref->digest) { /* by digest: no name, as docker */
                struct vs_image_ref tagged = *ref;
                tagged.digest = NULL;
                name = vs_image_ref_full(&tagged);
        }
        const char *resolved = w->index.body ? w->index.digest : w->manifest.digest;
        _cleanup_free_ char *repo_digest = NULL;
        if (!repo || (ref->tag && !ref->digest && !name) || asprintf(&repo_digest, "%s@%s", repo, resolved) < 0)
                return vs_error_set(err, ENOMEM, "out of memory");
        bool newer = !already_named(s, name, w->img.id);
        int r = vs_store_image_add(s, &w->img, name, repo_digest, err);
        if (r < 0)
                return r;
        ret->name = TAKE_PTR(name);
        ret->image_id = strdup(w->img.id);
        ret->digest = strdup(resolved);
        ret->newer = newer;
        if (!ret->image_id || !ret->digest) {
                vs_pull_result_free(ret);
                return vs_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

int vs_image_pull(struct vs_store *s, const char *reference, const struct vs_pull_options *opts,
                  struct vs_pull_result *ret, struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(reference, &ref, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *full = vs_image_ref_full(&ref);
        struct vs_platform host = {0};
        const struct vs_platform *platform = opts->platform;
        struct vs_registry *reg = NULL;
        struct pull_work w = {0};
        if (!full)
                r = vs_error_set(err, ENOMEM, "out of memory");
        if (r == 0 && !platform) {
                r = vs_platform_host(&host, err);
                platform = &host;
        }
        if (r == 0)
                r = vs_registry_open(&ref, &opts->registry, &reg, err);
        if (r == 0)
                r = pull_image(s, reg, &ref, full, opts, platform, &w, err);
        if (r == 0)
                r = register_image(s, &ref, &w, ret, err);
        pull_work_free(&w);
        if (reg)
                vs_registry_free(reg);
        vs_platform_free(&host);
        vs_image_ref_free(&ref);
        return r;
}
