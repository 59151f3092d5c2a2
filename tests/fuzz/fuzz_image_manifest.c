/* libFuzzer target: the parsers of image metadata (a registry's or an
 * archive's bytes) must never crash, leak or hit undefined behaviour, and
 * must keep their promises: an error is one non-empty line; what parses has
 * the fields the header guarantees (validated digests, sizes >= 0,
 * NULL-terminated arrays), and what is printed from it parses again. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "image/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct vs_error *err)
{
        if (err->code <= 0 || err->msg[0] == '\0' || strchr(err->msg, '\n'))
                __builtin_trap();
}

static void check_descriptor(const struct vs_descriptor *d)
{
        if (!d->media_type || d->size < 0 || vs_digest_validate(d->digest, NULL) < 0)
                __builtin_trap();
        if (d->platform && (!d->platform->os || !d->platform->architecture))
                __builtin_trap();
        json_t *j = vs_descriptor_to_json(d);
        /* Only a string that is not UTF-8 could fail, and jansson gave us UTF-8. */
        if (!j)
                __builtin_trap();
        json_decref(j);
}

static void fuzz_manifest(const char *text, size_t size, enum vs_media_kind kind)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_manifest m = {NULL};
        if (vs_manifest_parse(text, size, "manifest", &m, &err) == 0) {
                if (!m.media_type || vs_media_kind(m.config.media_type, NULL) != VS_KIND_CONFIG)
                        __builtin_trap();
                check_descriptor(&m.config);
                for (size_t i = 0; i < m.n_layers; i++) {
                        check_descriptor(&m.layers[i]);
                        if (vs_media_kind(m.layers[i].media_type, NULL) != VS_KIND_LAYER)
                                __builtin_trap();
                }
                /* What parses as a manifest sniffs as manifest-like (a
                 * document with both "layers" and "manifests" and no
                 * mediaType is ambiguous: either kind is right). */
                if (kind != VS_KIND_MANIFEST && kind != VS_KIND_INDEX)
                        __builtin_trap();
                vs_manifest_free(&m);
        } else {
                check_error(&err);
        }
}

static void fuzz_index(const char *text, size_t size, enum vs_media_kind kind)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_index idx = {NULL};
        if (vs_index_parse(text, size, "index", &idx, &err) == 0) {
                if (!idx.media_type || (kind != VS_KIND_INDEX && kind != VS_KIND_MANIFEST))
                        __builtin_trap();
                for (size_t i = 0; i < idx.n_manifests; i++)
                        check_descriptor(&idx.manifests[i]);
                struct vs_platform want = {
                        .os = (char *) "linux", .architecture = (char *) "arm64", .variant = (char *) "v8"};
                const struct vs_descriptor *d = NULL;
                struct vs_error serr = VS_ERROR_INIT;
                if (vs_index_select(&idx, &want, "index", &d, &serr) == 0) {
                        if (d < idx.manifests || d >= idx.manifests + idx.n_manifests)
                                __builtin_trap();
                } else {
                        check_error(&serr);
                }
                vs_index_free(&idx);
        } else {
                check_error(&err);
        }
}

static void fuzz_config(const char *text, size_t size)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image_config c = {NULL};
        if (vs_image_config_parse(text, size, "config", &c, &err) == 0) {
                if (!c.architecture || !c.os || !c.raw || !c.diff_ids || c.diff_ids[c.n_diff_ids])
                        __builtin_trap();
                if ((c.label_keys == NULL) != (c.label_values == NULL))
                        __builtin_trap();
                char(*chain)[VS_DIGEST_MAX] = calloc(c.n_diff_ids + 1, VS_DIGEST_MAX);
                struct vs_error cerr = VS_ERROR_INIT;
                if (!chain || vs_chain_ids(c.diff_ids, c.n_diff_ids, chain, &cerr) < 0)
                        __builtin_trap();
                free(chain);
                vs_image_config_free(&c);
        } else {
                check_error(&err);
        }
}

/* The input as a reference and as a platform: what parses prints back to
 * text that parses to the same thing. */
static void fuzz_reference(const char *text)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image_ref ref = {NULL};
        vs_image_ref_looks_like_id(text);
        if (vs_image_ref_parse(text, &ref, &err) < 0) {
                check_error(&err);
                return;
        }
        char *full = vs_image_ref_full(&ref), *familiar = vs_image_ref_familiar(&ref);
        struct vs_image_ref again = {NULL};
        if (!full || !familiar || vs_image_ref_parse(full, &again, &err) < 0)
                __builtin_trap();
        char *full_again = vs_image_ref_full(&again);
        if (!full_again || strcmp(full, full_again) != 0)
                __builtin_trap();
        free(full_again);
        vs_image_ref_free(&again);
        if (vs_image_ref_parse(familiar, &again, &err) < 0 || strcmp(again.path, ref.path) != 0 ||
            strcmp(again.domain, ref.domain) != 0)
                __builtin_trap();
        vs_image_ref_free(&again);
        free(full);
        free(familiar);
        vs_image_ref_free(&ref);
}

static void fuzz_platform(const char *text)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_platform p = {NULL};
        if (vs_platform_parse(text, &p, &err) < 0) {
                check_error(&err);
                return;
        }
        char *s = vs_platform_string(&p);
        struct vs_platform again = {NULL};
        if (!s || vs_platform_parse(s, &again, &err) < 0 || !vs_platform_matches(&p, &again) ||
            !vs_platform_matches(&again, &p))
                __builtin_trap();
        free(s);
        vs_platform_free(&again);
        vs_platform_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *) data;
        struct vs_error err = VS_ERROR_INIT;
        enum vs_media_kind kind = VS_KIND_UNKNOWN;
        if (vs_manifest_sniff(text, size, NULL, &kind, &err) < 0)
                check_error(&err);
        fuzz_manifest(text, size, kind);
        fuzz_index(text, size, kind);
        fuzz_config(text, size);

        /* References and platforms are short NUL-terminated strings. */
        if (size > 1024)
                return 0;
        char *s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        fuzz_reference(s);
        fuzz_platform(s);
        free(s);
        return 0;
}
