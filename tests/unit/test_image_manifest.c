/* Unit tests for src/image/manifest.c: media types, sniffing, manifests and
 * indexes (OCI and Docker), descriptors, platform selection, chain IDs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/manifest.h"
#include "util/cleanup.h"

#define HA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define HD "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define HE "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
#define ORIGIN "manifest sha256:ab12"

#define OCI_M "'application/vnd.oci.image.manifest.v1+json'"
#define DOCKER_M "'application/vnd.docker.distribution.manifest.v2+json'"
#define CFG "{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'sha256:" HA "','size':7}"
#define LAYER_B "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'sha256:" HB "','size':32}"
#define LAYER_C "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" HC "','size':0}"
#define MANIFEST(cfg, layers) "{'schemaVersion':2,'config':" cfg ",'layers':[" layers "]}"

/* Test inputs are written with single quotes, for legibility: 'a' -> "a". */
static char *dq(const char *s)
{
        char *out = strdup(s);
        assert_non_null(out);
        for (char *p = out; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return out;
}

/* ---- media types and sniffing ---- */

static void test_media_kind(void **state)
{
        static const struct {
                const char *type;
                enum vs_media_kind kind;
                enum vs_layer_compression compression;
        } cases[] = {
                {VS_MEDIA_OCI_MANIFEST, VS_KIND_MANIFEST, VS_COMPRESSION_NONE},
                {VS_MEDIA_DOCKER_MANIFEST, VS_KIND_MANIFEST, VS_COMPRESSION_NONE},
                {VS_MEDIA_OCI_INDEX, VS_KIND_INDEX, VS_COMPRESSION_NONE},
                {VS_MEDIA_DOCKER_LIST, VS_KIND_INDEX, VS_COMPRESSION_NONE},
                {VS_MEDIA_OCI_CONFIG, VS_KIND_CONFIG, VS_COMPRESSION_NONE},
                {VS_MEDIA_DOCKER_CONFIG, VS_KIND_CONFIG, VS_COMPRESSION_NONE},
                {VS_MEDIA_OCI_LAYER, VS_KIND_LAYER, VS_COMPRESSION_NONE},
                {VS_MEDIA_OCI_LAYER_GZIP, VS_KIND_LAYER, VS_COMPRESSION_GZIP},
                {VS_MEDIA_OCI_LAYER_ZSTD, VS_KIND_LAYER, VS_COMPRESSION_ZSTD},
                {VS_MEDIA_DOCKER_LAYER_GZIP, VS_KIND_LAYER, VS_COMPRESSION_GZIP},
                {VS_MEDIA_DOCKER_LAYER_FOREIGN, VS_KIND_LAYER, VS_COMPRESSION_GZIP},
                {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", VS_KIND_LAYER, VS_COMPRESSION_ZSTD},
                {"application/vnd.oci.image.layer.v1.tar+bzip2", VS_KIND_UNKNOWN, VS_COMPRESSION_NONE},
                {"application/vnd.in-toto+json", VS_KIND_UNKNOWN, VS_COMPRESSION_NONE},
                {"application/vnd.docker.distribution.manifest.v1+prettyjws", VS_KIND_UNKNOWN, VS_COMPRESSION_NONE},
                {"", VS_KIND_UNKNOWN, VS_COMPRESSION_NONE},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++) {
                enum vs_layer_compression c = VS_COMPRESSION_ZSTD + 1;
                if (vs_media_kind(cases[i].type, &c) != cases[i].kind || c != cases[i].compression)
                        fail_msg("%s: wrong kind or compression", cases[i].type);
        }
        assert_int_equal(vs_media_kind(NULL, NULL), VS_KIND_UNKNOWN);
        assert_int_equal(vs_media_kind(VS_MEDIA_OCI_INDEX, NULL), VS_KIND_INDEX);
}

static void test_sniff(void **state)
{
        static const struct {
                const char *content_type, *doc;
                enum vs_media_kind kind; /* VS_KIND_UNKNOWN: an error containing `problem` */
                const char *problem;
        } cases[] = {
                /* The Content-Type wins when it is one of the four. */
                {VS_MEDIA_OCI_INDEX, "not even json", VS_KIND_INDEX, NULL},
                {VS_MEDIA_DOCKER_MANIFEST, "{}", VS_KIND_MANIFEST, NULL},
                {" application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8", "{}", VS_KIND_INDEX,
                 NULL},
                {"Application/VND.OCI.image.manifest.v1+json", "{}", VS_KIND_MANIFEST, NULL},
                /* Else the document's mediaType, else its shape. */
                {"application/octet-stream", "{'mediaType':" OCI_M "}", VS_KIND_MANIFEST, NULL},
                {NULL, "{'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[]}", VS_KIND_INDEX, NULL},
                {"application/json", "{'schemaVersion':2,'manifests':[]}", VS_KIND_INDEX, NULL},
                {NULL, MANIFEST(CFG, LAYER_B), VS_KIND_MANIFEST, NULL},
                {"application/vnd.oci.image.config.v1+json", "{'layers':[]}", VS_KIND_MANIFEST, NULL},
                {NULL, "{'mediaType':'application/vnd.oci.image.config.v1+json'}", VS_KIND_UNKNOWN,
                 "manifest: mediaType: unsupported media type \"application/vnd.oci.image.config.v1+json\""},
                {NULL, "{'mediaType':7}", VS_KIND_UNKNOWN, "manifest: mediaType: expected a string, got integer"},
                {"application/vnd.docker.distribution.manifest.v1+prettyjws", "{'schemaVersion':1,'fsLayers':[]}",
                 VS_KIND_UNKNOWN, "manifest: schemaVersion: Docker schema1 manifests are not supported"},
                {NULL, "{'schemaVersion':2}", VS_KIND_UNKNOWN, "manifest: neither a manifest nor an index"},
                {NULL, "{'layers':{}}", VS_KIND_UNKNOWN, "neither a manifest nor an index"},
                {NULL, "[]", VS_KIND_UNKNOWN, "manifest: expected an object, got array"},
                {NULL, "{", VS_KIND_UNKNOWN, "manifest: not valid JSON"},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *doc = dq(cases[i].doc);
                enum vs_media_kind kind = VS_KIND_CONFIG;
                struct vs_error err = VS_ERROR_INIT;
                int r = vs_manifest_sniff(doc, strlen(doc), cases[i].content_type, &kind, &err);
                if (cases[i].kind != VS_KIND_UNKNOWN) {
                        if (r < 0 || kind != cases[i].kind)
                                fail_msg("case %zu (%s): r=%d kind=%d: %s", i, cases[i].doc, r, kind, err.msg);
                } else if (r != -EINVAL || kind != VS_KIND_CONFIG || !strstr(err.msg, cases[i].problem)) {
                        fail_msg("case %zu (%s): r=%d: unexpected message: %s", i, cases[i].doc, r, err.msg);
                }
        }
}

/* ---- manifests ---- */

static const char full_manifest[] =
        "{'schemaVersion':2,'mediaType':" OCI_M ","
        " 'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'sha256:" HA "','size':1470},"
        " 'layers':[" LAYER_B ","
        "  {'mediaType':'application/vnd.oci.image.layer.v1.tar+zstd','digest':'sha256:" HC "','size':9007199254740993,"
        "   'annotations':{'org.opencontainers.image.ref.name':'v1','x':'y'},'urls':['https://example.com/l']}],"
        " 'annotations':{'org.opencontainers.image.created':'2024-01-01T00:00:00Z'},"
        " 'subject':{'mediaType':" OCI_M ",'digest':'sha256:" HD "','size':3},"
        " 'artifactType':null, 'futureField':{'x':[1,2,{'y':null}]}}";

static void test_manifest_full(void **state)
{
        _cleanup_free_ char *doc = dq(full_manifest);
        struct vs_manifest m = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        if (vs_manifest_parse(doc, strlen(doc), ORIGIN, &m, &err) < 0)
                fail_msg("unexpected error: %s", err.msg);
        assert_string_equal(m.media_type, VS_MEDIA_OCI_MANIFEST);
        assert_string_equal(m.config.media_type, VS_MEDIA_OCI_CONFIG);
        assert_string_equal(m.config.digest, "sha256:" HA);
        assert_int_equal(m.config.size, 1470);
        assert_null(m.config.platform);
        assert_null(m.config.annotations);
        assert_int_equal(m.n_layers, 2);
        assert_string_equal(m.layers[0].digest, "sha256:" HB);
        assert_int_equal(m.layers[0].size, 32);
        assert_null(m.layers[0].ref_name);
        assert_string_equal(m.layers[1].media_type, VS_MEDIA_OCI_LAYER_ZSTD);
        assert_true(m.layers[1].size == 9007199254740993LL);
        assert_string_equal(m.layers[1].ref_name, "v1");
        assert_string_equal(json_string_value(json_object_get(m.layers[1].annotations, "x")), "y");
        assert_string_equal(json_string_value(json_object_get(m.annotations, "org.opencontainers.image.created")),
                            "2024-01-01T00:00:00Z");
        vs_manifest_free(&m);
        vs_manifest_free(&m);
}

static void test_manifest_docker_and_defaults(void **state)
{
        _cleanup_free_ char *docker = dq(
                "{'schemaVersion':2,'mediaType':" DOCKER_M ","
                "'config':{'mediaType':'application/vnd.docker.container.image.v1+json','size':1,'digest':'sha256:" HA
                "'},'layers':[{'mediaType':'application/vnd.docker.image.rootfs.diff.tar.gzip','size':2,'digest':"
                "'sha256:" HB "'}]}");
        struct vs_manifest m = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_manifest_parse(docker, strlen(docker), ORIGIN, &m, &err), 0);
        assert_string_equal(m.media_type, VS_MEDIA_DOCKER_MANIFEST);
        assert_string_equal(m.config.media_type, VS_MEDIA_DOCKER_CONFIG);
        assert_int_equal(m.n_layers, 1);
        vs_manifest_free(&m);

        /* No mediaType: an OCI manifest; no layers at all is allowed. */
        _cleanup_free_ char *bare = dq(MANIFEST(CFG, ""));
        assert_int_equal(vs_manifest_parse(bare, strlen(bare), ORIGIN, &m, &err), 0);
        assert_string_equal(m.media_type, VS_MEDIA_OCI_MANIFEST);
        assert_int_equal(m.n_layers, 0);
        assert_null(m.layers);
        vs_manifest_free(&m);
}

static const struct {
        const char *doc;
        const char *message; /* after "<origin>: " */
} bad_manifests[] = {
        {"{", "not valid JSON at line 1"},
        {"[" CFG "]", "expected an object, got array"},
        {"{'config':" CFG ",'layers':[]}", "schemaVersion: is required"},
        {"{'schemaVersion':1,'config':" CFG ",'layers':[]}",
         "schemaVersion: must be 2, got 1 (Docker schema1 is not supported)"},
        {"{'schemaVersion':3,'config':" CFG ",'layers':[]}", "schemaVersion: must be 2, got 3"},
        {"{'schemaVersion':'2','config':" CFG ",'layers':[]}", "schemaVersion: expected an integer, got string"},
        {"{'schemaVersion':2.0,'config':" CFG ",'layers':[]}", "schemaVersion: expected an integer, got real"},
        {"{'schemaVersion':2,'layers':[]}", "config: is required"},
        {"{'schemaVersion':2,'config':null,'layers':[]}", "config: is required"},
        {"{'schemaVersion':2,'config':" CFG "}", "layers: is required"},
        {"{'schemaVersion':2,'config':[],'layers':[]}", "config: expected an object, got array"},
        {"{'schemaVersion':2,'config':" CFG ",'layers':{}}", "layers: expected an array, got object"},
        {"{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','config':" CFG ",'layers':[]}",
         "mediaType: unsupported media type \"application/vnd.oci.image.index.v1+json\" for a manifest"},
        {"{'schemaVersion':2,'mediaType':'application/x-unknown','config':" CFG ",'layers':[]}",
         "mediaType: unsupported media type \"application/x-unknown\" for a manifest"},
        {"{'schemaVersion':2,'mediaType':true,'config':" CFG ",'layers':[]}",
         "mediaType: expected a string, got boolean"},
        {MANIFEST("{'mediaType':'application/vnd.oci.image.config.v1+json','size':7}", ""),
         "config.digest: is required"},
        {MANIFEST("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'sha256:abc','size':7}", ""),
         "config.digest: invalid digest \"sha256:abc\": sha256 needs 64 lowercase hex digits"},
        {MANIFEST("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'sha256:" HA "'}", ""),
         "config.size: is required"},
        {MANIFEST("{'digest':'sha256:" HA "','size':1}", ""), "config.mediaType: is required"},
        {MANIFEST("{'mediaType':'application/vnd.cncf.helm.config.v1+json','digest':'sha256:" HA "','size':1}", ""),
         "config.mediaType: unsupported media type \"application/vnd.cncf.helm.config.v1+json\" for an image "
         "config"},
        {MANIFEST(CFG, LAYER_B ",{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'md5:x','size':1}"),
         "layers[1].digest: invalid digest \"md5:x\": unsupported algorithm"},
        {MANIFEST(CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" HB "','size':-1}"),
         "layers[0].size: must not be negative, got -1"},
        {MANIFEST(CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" HB "','size':'1'}"),
         "layers[0].size: expected an integer, got string"},
        {MANIFEST(CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" HB "','size':1.5}"),
         "layers[0].size: expected an integer, got real"},
        {MANIFEST(CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" HB
                       "','size':18446744073709551615}"),
         "layers[0].size: 18446744073709551615 is out of range"},
        {MANIFEST(CFG, LAYER_B "," LAYER_C ",{'mediaType':'text/plain','digest':'sha256:" HB "','size':1}"),
         "layers[2].mediaType: unsupported media type \"text/plain\" for a layer"},
        {MANIFEST(CFG, "{'mediaType':1,'digest':'sha256:" HB "','size':1}"),
         "layers[0].mediaType: expected a string, got integer"},
        {MANIFEST(CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':7,'size':1}"),
         "layers[0].digest: expected a string, got integer"},
        {MANIFEST(CFG, "'sha256:" HB "'"), "layers[0]: expected an object, got string"},
        {MANIFEST(CFG, LAYER_B ",null"), "layers[1]: expected an object, got null"},
        {MANIFEST(CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" HB
                       "','size':1,'annotations':{'a':'b','c':3}}"),
         "layers[0].annotations.c: expected a string, got integer"},
        {MANIFEST(CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" HB
                       "','size':1,'annotations':['a']}"),
         "layers[0].annotations: expected an object, got array"},
        {MANIFEST(CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" HB
                       "','size':1,'urls':[1]}"),
         "layers[0].urls[0]: expected a string, got integer"},
        {"{'schemaVersion':2,'config':" CFG ",'layers':[],'annotations':{'k':null}}",
         "annotations.k: expected a string, got null"},
};

static void test_manifest_bad(void **state)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(bad_manifests); i++) {
                _cleanup_free_ char *doc = dq(bad_manifests[i].doc);
                struct vs_manifest m = {NULL};
                struct vs_error err = VS_ERROR_INIT;
                int r = vs_manifest_parse(doc, strlen(doc), ORIGIN, &m, &err);
                if (r != -EINVAL)
                        fail_msg("case %zu: expected EINVAL, got %d: %s", i, r, err.msg);
                if (strncmp(err.msg, ORIGIN ": ", strlen(ORIGIN) + 2) != 0 ||
                    strncmp(err.msg + strlen(ORIGIN) + 2, bad_manifests[i].message, strlen(bad_manifests[i].message)))
                        fail_msg("case %zu: unexpected message: %s\n   expected: %s", i, err.msg,
                                 bad_manifests[i].message);
                /* Output untouched on failure. */
                assert_null(m.media_type);
                assert_null(m.layers);
        }
}

/* The index's kind is not a manifest's, and the other way round. */
static void test_kinds_do_not_cross(void **state)
{
        _cleanup_free_ char *manifest = dq("{'schemaVersion':2,'mediaType':" DOCKER_M ",'config':" CFG ",'layers':[]}");
        struct vs_index idx = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_index_parse(manifest, strlen(manifest), "index x", &idx, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "index x: mediaType: unsupported media type"));
        assert_non_null(strstr(err.msg, "for an index"));
}

static void test_manifest_size_limit(void **state)
{
        size_t len = VS_MANIFEST_MAX_SIZE + 1;
        _cleanup_free_ char *doc = malloc(len);
        assert_non_null(doc);
        memset(doc, ' ', len);
        doc[0] = '{';
        doc[len - 1] = '}';
        struct vs_manifest m = {NULL};
        struct vs_index idx = {NULL};
        enum vs_media_kind kind;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_manifest_parse(doc, len, ORIGIN, &m, &err), -EFBIG);
        assert_non_null(strstr(err.msg, ORIGIN ": 4194305 bytes is over the limit of 4194304"));
        assert_int_equal(vs_index_parse(doc, len, "index", &idx, &err), -EFBIG);
        assert_int_equal(vs_manifest_sniff(doc, len, NULL, &kind, &err), -EFBIG);
}

/* ---- indexes and platform selection ---- */

static const char docker_list[] =
        "{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.list.v2+json','manifests':["
        "{'mediaType':" DOCKER_M ",'digest':'sha256:" HA "','size':528,"
        " 'platform':{'architecture':'amd64','os':'linux'}},"
        "{'mediaType':" DOCKER_M ",'digest':'sha256:" HB "','size':528,"
        " 'platform':{'architecture':'arm','os':'linux','variant':'v7'}},"
        "{'mediaType':" DOCKER_M ",'digest':'sha256:" HC "','size':528,"
        " 'platform':{'architecture':'arm64','os':'linux','variant':'v8'}},"
        "{'mediaType':" OCI_M ",'digest':'sha256:" HD "','size':839,"
        " 'annotations':{'vnd.docker.reference.digest':'sha256:" HA "','vnd.docker.reference.type':"
        "'attestation-manifest'},"
        " 'platform':{'architecture':'unknown','os':'unknown'}},"
        "{'mediaType':" OCI_M ",'digest':'sha256:" HE "','size':1,"
        " 'platform':{'architecture':'amd64','os':'windows','os.version':'10.0.17763.5329'}},"
        "{'mediaType':'application/vnd.example+json','digest':'sha256:" HE "','size':1,"
        " 'platform':{'architecture':'s390x','os':'linux'}}"
        "],'annotations':{'a':'b'}}";

static void parse_index(const char *squoted, struct vs_index *idx)
{
        _cleanup_free_ char *doc = dq(squoted);
        struct vs_error err = VS_ERROR_INIT;
        if (vs_index_parse(doc, strlen(doc), "index sha256:ffff", idx, &err) < 0)
                fail_msg("unexpected error: %s", err.msg);
}

static void test_index_parse(void **state)
{
        struct vs_index idx = {NULL};
        parse_index(docker_list, &idx);
        assert_string_equal(idx.media_type, VS_MEDIA_DOCKER_LIST);
        assert_int_equal(idx.n_manifests, 6);
        assert_string_equal(idx.manifests[0].digest, "sha256:" HA);
        assert_string_equal(idx.manifests[0].platform->architecture, "amd64");
        assert_string_equal(idx.manifests[0].platform->os, "linux");
        assert_null(idx.manifests[0].platform->variant);
        assert_string_equal(idx.manifests[1].platform->variant, "v7");
        assert_string_equal(idx.manifests[4].platform->os_version, "10.0.17763.5329");
        assert_string_equal(json_string_value(json_object_get(idx.annotations, "a")), "b");
        vs_index_free(&idx);
        vs_index_free(&idx);

        /* An OCI layout's index.json: no mediaType, no platforms, ref names. */
        parse_index("{'schemaVersion':2,'manifests':[{'mediaType':" OCI_M ",'digest':'sha256:" HA "','size':3,"
                    "'annotations':{'org.opencontainers.image.ref.name':'latest'}}]}",
                    &idx);
        assert_string_equal(idx.media_type, VS_MEDIA_OCI_INDEX);
        assert_null(idx.manifests[0].platform);
        assert_string_equal(idx.manifests[0].ref_name, "latest");
        vs_index_free(&idx);

        parse_index("{'schemaVersion':2,'manifests':[]}", &idx);
        assert_int_equal(idx.n_manifests, 0);
        vs_index_free(&idx);
}

static const struct {
        const char *doc;
        const char *message;
} bad_indexes[] = {
        {"{'schemaVersion':2}", "manifests: is required"},
        {"{'manifests':[]}", "schemaVersion: is required"},
        {"{'schemaVersion':2,'manifests':{}}", "manifests: expected an array, got object"},
        {"{'schemaVersion':2,'manifests':[{'mediaType':" OCI_M ",'digest':'sha256:" HA "','size':1,"
         "'platform':{'os':'linux'}}]}",
         "manifests[0].platform.architecture: is required"},
        {"{'schemaVersion':2,'manifests':[{'mediaType':" OCI_M ",'digest':'sha256:" HA "','size':1,"
         "'platform':{'os':'linux','architecture':'amd64','variant':8}}]}",
         "manifests[0].platform.variant: expected a string, got integer"},
        {"{'schemaVersion':2,'manifests':[{'mediaType':" OCI_M ",'digest':'sha256:" HA "','size':1,"
         "'platform':'linux/amd64'}]}",
         "manifests[0].platform: expected an object, got string"},
        {"{'schemaVersion':2,'manifests':[{'mediaType':" OCI_M ",'digest':'sha256:" HA "','size':1},"
         "{'mediaType':" OCI_M ",'digest':'sha256:" HA "x','size':1}]}",
         "manifests[1].digest: invalid digest"},
        {"{'schemaVersion':2,'mediaType':" OCI_M ",'manifests':[]}",
         "mediaType: unsupported media type \"application/vnd.oci.image.manifest.v1+json\" for an index"},
};

static void test_index_bad(void **state)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(bad_indexes); i++) {
                _cleanup_free_ char *doc = dq(bad_indexes[i].doc);
                struct vs_index idx = {NULL};
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_index_parse(doc, strlen(doc), "index y", &idx, &err), -EINVAL);
                if (strncmp(err.msg, "index y: ", 9) != 0 ||
                    strncmp(err.msg + 9, bad_indexes[i].message, strlen(bad_indexes[i].message)) != 0)
                        fail_msg("case %zu: unexpected message: %s", i, err.msg);
                assert_null(idx.manifests);
        }
}

static const struct vs_descriptor *select_for(const struct vs_index *idx, const char *platform, struct vs_error *err)
{
        struct vs_platform want = {NULL};
        const struct vs_descriptor *d = NULL;
        assert_int_equal(vs_platform_parse(platform, &want, err), 0);
        int r = vs_index_select(idx, &want, "index sha256:ffff", &d, err);
        vs_platform_free(&want);
        return r < 0 ? NULL : d;
}

static void test_index_select(void **state)
{
        static const struct {
                const char *want;
                const char *digest; /* NULL: no image */
        } cases[] = {
                {"linux/amd64", "sha256:" HA},
                {"amd64", "sha256:" HA},
                {"linux/x86_64", "sha256:" HA},
                {"linux/arm/v7", "sha256:" HB},
                {"linux/arm", "sha256:" HB},
                {"linux/arm/v6", NULL},
                {"linux/arm64", "sha256:" HC},
                {"linux/arm64/v8", "sha256:" HC},
                {"linux/aarch64", "sha256:" HC},
                {"windows/amd64", "sha256:" HE},
                {"linux/386", NULL},
                {"linux/s390x", NULL}, /* not a manifest type */
                {"unknown/unknown", "sha256:" HD},
        };
        struct vs_index idx = {NULL};
        parse_index(docker_list, &idx);
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++) {
                struct vs_error err = VS_ERROR_INIT;
                const struct vs_descriptor *d = select_for(&idx, cases[i].want, &err);
                if (cases[i].digest && (!d || strcmp(d->digest, cases[i].digest) != 0))
                        fail_msg("%s: wrong or no choice: %s", cases[i].want, d ? d->digest : err.msg);
                if (!cases[i].digest && d)
                        fail_msg("%s: chose %s", cases[i].want, d->digest);
                if (!cases[i].digest && err.code != ENOENT)
                        fail_msg("%s: expected ENOENT", cases[i].want);
        }
        struct vs_error err = VS_ERROR_INIT;
        assert_null(select_for(&idx, "linux/s390x", &err));
        assert_string_equal(err.msg, "no image for platform linux/s390x in index sha256:ffff (it has linux/amd64, "
                                     "linux/arm/v7, linux/arm64/v8, unknown/unknown, windows/amd64)");
        vs_index_free(&idx);
}

static void test_index_select_arm64_without_variant(void **state)
{
        struct vs_index idx = {NULL};
        parse_index("{'schemaVersion':2,'manifests':["
                    "{'mediaType':" OCI_M ",'digest':'sha256:" HA "','size':1,"
                    " 'platform':{'architecture':'arm','os':'linux','variant':'v6'}},"
                    "{'mediaType':" OCI_M ",'digest':'sha256:" HB "','size':1,"
                    " 'platform':{'architecture':'arm64','os':'linux'}}]}",
                    &idx);
        struct vs_error err = VS_ERROR_INIT;
        const struct vs_descriptor *d = select_for(&idx, "linux/arm64/v8", &err);
        assert_non_null(d);
        assert_string_equal(d->digest, "sha256:" HB);
        assert_null(select_for(&idx, "linux/arm/v7", &err));
        assert_string_equal(err.msg, "no image for platform linux/arm/v7 in index sha256:ffff (it has linux/arm/v6, "
                                     "linux/arm64)");
        vs_index_free(&idx);
}

/* An entry naming no platform is taken when none names the one wanted. */
static void test_index_select_fallback(void **state)
{
        struct vs_index idx = {NULL};
        parse_index("{'schemaVersion':2,'manifests':["
                    "{'mediaType':'application/vnd.example','digest':'sha256:" HC "','size':1},"
                    "{'mediaType':" OCI_M ",'digest':'sha256:" HA "','size':1},"
                    "{'mediaType':" OCI_M ",'digest':'sha256:" HB "','size':1,"
                    " 'platform':{'architecture':'arm64','os':'linux'}}]}",
                    &idx);
        struct vs_error err = VS_ERROR_INIT;
        const struct vs_descriptor *d = select_for(&idx, "linux/arm64", &err);
        assert_string_equal(d->digest, "sha256:" HB);
        d = select_for(&idx, "linux/amd64", &err);
        assert_non_null(d);
        assert_string_equal(d->digest, "sha256:" HA);
        vs_index_free(&idx);

        parse_index("{'schemaVersion':2,'manifests':[]}", &idx);
        assert_null(select_for(&idx, "linux/amd64", &err));
        assert_string_equal(err.msg, "no image for platform linux/amd64 in index sha256:ffff");
        vs_index_free(&idx);
}

/* Serialising a parsed descriptor gives back the JSON it came from. */
static void test_descriptor_to_json_round_trip(void **state)
{
        _cleanup_free_ char *doc = dq(docker_list);
        json_t *root = json_loads(doc, 0, NULL);
        assert_non_null(root);
        struct vs_index idx = {NULL};
        parse_index(docker_list, &idx);
        for (size_t i = 0; i < idx.n_manifests; i++) {
                json_t *back = vs_descriptor_to_json(&idx.manifests[i]);
                assert_non_null(back);
                if (!json_equal(back, json_array_get(json_object_get(root, "manifests"), i))) {
                        char *text = json_dumps(back, JSON_COMPACT);
                        fail_msg("manifests[%zu] came back as %s", i, text);
                }
                json_decref(back);
        }
        vs_index_free(&idx);
        json_decref(root);

        /* And the keys are in the spec's order. */
        struct vs_descriptor d = {
                .media_type = (char *) VS_MEDIA_OCI_LAYER, .digest = (char *) "sha256:" HA, .size = 12};
        json_t *j = vs_descriptor_to_json(&d);
        char *text = json_dumps(j, JSON_COMPACT);
        assert_string_equal(text,
                            "{\"mediaType\":\"" VS_MEDIA_OCI_LAYER "\",\"digest\":\"sha256:" HA "\",\"size\":12}");
        free(text);
        json_decref(j);
}

/* ---- chain IDs ---- */

static void test_chain_ids(void **state)
{
        char *diff_ids[] = {(char *) "sha256:" HA, (char *) "sha256:" HB, (char *) "sha256:" HC};
        char chain[3][VS_DIGEST_MAX];
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_chain_ids(diff_ids, 3, chain, &err), 0);
        assert_string_equal(chain[0], diff_ids[0]);

        char want1[VS_DIGEST_MAX], want2[VS_DIGEST_MAX];
        const char *text1 = "sha256:" HA " sha256:" HB;
        assert_int_equal(vs_digest_buffer(text1, strlen(text1), want1, &err), 0);
        assert_string_equal(chain[1], want1);
        _cleanup_free_ char *text2 = NULL;
        assert_true(asprintf(&text2, "%s sha256:" HC, want1) > 0);
        assert_int_equal(vs_digest_buffer(text2, strlen(text2), want2, &err), 0);
        assert_string_equal(chain[2], want2);

        assert_int_equal(vs_chain_ids(diff_ids, 0, chain, &err), 0);

        char *bad[] = {(char *) "sha256:" HA, (char *) "sha256:xyz"};
        assert_int_equal(vs_chain_ids(bad, 2, chain, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "diff ID 1: invalid digest \"sha256:xyz\""));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_media_kind),
                cmocka_unit_test(test_sniff),
                cmocka_unit_test(test_manifest_full),
                cmocka_unit_test(test_manifest_docker_and_defaults),
                cmocka_unit_test(test_manifest_bad),
                cmocka_unit_test(test_kinds_do_not_cross),
                cmocka_unit_test(test_manifest_size_limit),
                cmocka_unit_test(test_index_parse),
                cmocka_unit_test(test_index_bad),
                cmocka_unit_test(test_index_select),
                cmocka_unit_test(test_index_select_arm64_without_variant),
                cmocka_unit_test(test_index_select_fallback),
                cmocka_unit_test(test_descriptor_to_json_round_trip),
                cmocka_unit_test(test_chain_ids),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
