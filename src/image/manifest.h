/* vessel: the image spec's JSON documents: OCI image manifest and index,
 * Docker schema2 manifest and manifest list, the image config; platform
 * selection and chain IDs. Parsers take untrusted bytes (a registry's, an
 * archive's) and fail with "<origin>: <field>: <problem>". */
#ifndef VESSEL_IMAGE_MANIFEST_H
#define VESSEL_IMAGE_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/digest.h"
#include "util/error.h"

#define VS_MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define VS_MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define VS_MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define VS_MEDIA_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define VS_MEDIA_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define VS_MEDIA_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define VS_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define VS_MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define VS_MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define VS_MEDIA_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define VS_MEDIA_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* Documents larger than these are refused before they are parsed: the
 * distribution spec's and containerd's limit for a manifest; a config (with
 * its history) may be larger. Readers of untrusted sources use them too. */
#define VS_MANIFEST_MAX_SIZE (4u << 20)
#define VS_IMAGE_CONFIG_MAX_SIZE (8u << 20)

enum vs_media_kind {
        VS_KIND_UNKNOWN,
        VS_KIND_MANIFEST, /* OCI manifest or Docker schema2 manifest */
        VS_KIND_INDEX,    /* OCI index or Docker manifest list */
        VS_KIND_CONFIG,
        VS_KIND_LAYER,
};
enum vs_layer_compression {
        VS_COMPRESSION_NONE,
        VS_COMPRESSION_GZIP,
        VS_COMPRESSION_ZSTD,
};

/* What a media type is; layer types also give their compression. */
enum vs_media_kind vs_media_kind(const char *media_type, enum vs_layer_compression *compression);
/* The kind of a manifest-like payload: from the Content-Type when it is one
 * of the four manifest types, else from the document's own mediaType, else
 * from its shape ("manifests" vs "layers"); errors name the media type. */
int vs_manifest_sniff(const char *data, size_t len, const char *content_type, enum vs_media_kind *ret,
                      struct vs_error *err);

struct vs_platform {
        char *os;           /* "linux" */
        char *architecture; /* GOARCH: "amd64", "arm64", "arm", "386", ... */
        char *variant;      /* "v8", "v7", or NULL */
        char *os_version;   /* or NULL */
};

struct vs_descriptor {
        char *media_type;
        char *digest;                 /* validated */
        int64_t size;                 /* >= 0 */
        struct vs_platform *platform; /* only in an index; NULL if absent */
        char *ref_name;               /* annotation org.opencontainers.image.ref.name, or NULL */
        json_t *annotations;          /* or NULL */
};

struct vs_manifest {
        char *media_type; /* of the document (from mediaType or the caller's content type) */
        struct vs_descriptor config;
        struct vs_descriptor *layers;
        size_t n_layers;
        json_t *annotations; /* or NULL */
};

struct vs_index {
        char *media_type;
        struct vs_descriptor *manifests;
        size_t n_manifests;
        json_t *annotations; /* or NULL */
};

/* `origin` names the document in errors ("manifest sha256:ab12.."). */
int vs_manifest_parse(const char *data, size_t len, const char *origin, struct vs_manifest *ret, struct vs_error *err);
void vs_manifest_free(struct vs_manifest *m);
int vs_index_parse(const char *data, size_t len, const char *origin, struct vs_index *ret, struct vs_error *err);
void vs_index_free(struct vs_index *idx);
void vs_descriptor_free(struct vs_descriptor *d);
/* Serialise a descriptor as the spec writes it. New reference. */
json_t *vs_descriptor_to_json(const struct vs_descriptor *d);

/* "linux/arm64/v8", "linux/amd64", "arm64" (os defaults to linux). */
int vs_platform_parse(const char *text, struct vs_platform *ret, struct vs_error *err);
/* The host's platform in GOOS/GOARCH terms (uname machine mapped). */
int vs_platform_host(struct vs_platform *ret, struct vs_error *err);
/* The platform "linux/<GOARCH>[/variant]" for a uname machine name: x86_64 ->
 * amd64, aarch64 -> arm64/v8, armv7l -> arm/v7, i686 -> 386; an unknown name
 * is kept as it is. */
int vs_platform_from_machine(const char *machine, struct vs_platform *ret, struct vs_error *err);
/* Whether an image for `have` runs where `want` is asked for: os and
 * architecture equal (kernel aliases such as x86_64 understood), variant equal
 * when `want` names one, arm64 treating absent and "v8" alike. */
bool vs_platform_matches(const struct vs_platform *want, const struct vs_platform *have);
void vs_platform_free(struct vs_platform *p);
/* "linux/amd64" or "linux/arm64/v8". malloc'd. */
char *vs_platform_string(const struct vs_platform *p);
/* Pick the manifest for `want` (os and architecture equal; variant equal when
 * `want` names one, with arm64 treating absent and "v8" alike). The error
 * says "no image for platform linux/arm64 in <origin>". */
int vs_index_select(const struct vs_index *idx, const struct vs_platform *want, const char *origin,
                    const struct vs_descriptor **ret, struct vs_error *err);

struct vs_history_entry {
        char *created, *created_by, *author, *comment;
        bool empty_layer;
};

/* The image config (Docker's and OCI's are the same JSON). */
struct vs_image_config {
        char *architecture, *os, *variant;
        char *created, *author; /* or NULL */
        /* config: */
        char *user, *working_dir, *stop_signal; /* or NULL */
        char **env, **entrypoint, **cmd;        /* NULL-terminated, or NULL when absent */
        char **exposed_ports;                   /* keys: "80/tcp" */
        char **volumes;                         /* keys: "/data" */
        char **label_keys, **label_values;      /* parallel, NULL-terminated */
        /* rootfs: */
        char **diff_ids; /* validated digests */
        size_t n_diff_ids;
        struct vs_history_entry *history;
        size_t n_history;
        json_t *raw; /* the whole document, for inspect */
};

int vs_image_config_parse(const char *data, size_t len, const char *origin, struct vs_image_config *ret,
                          struct vs_error *err);
void vs_image_config_free(struct vs_image_config *c);

/* Chain IDs from diff IDs: chain[0] = diff[0],
 * chain[i] = sha256(chain[i-1] + " " + diff[i]). `ret` has n entries. */
int vs_chain_ids(char *const *diff_ids, size_t n, char (*ret)[VS_DIGEST_MAX], struct vs_error *err);

#endif
