/* vessel: a client of the distribution spec v2 on libcurl, for one
 * repository of one registry.
 *
 * Auth: a 401's WWW-Authenticate challenge is answered as it asks: Bearer
 * (a token fetched from its realm with service and scope, with the
 * credentials if any) or Basic. Credentials come from the options, else from
 * the auth file (Docker's config.json "auths"). TLS: system CAs, or the CA
 * and tls-verify of the registry's entry in registries.conf, or the option.
 * A registry marked insecure there is spoken to over plain HTTP. Mirrors
 * listed there are tried first for pulls. Errors name the registry, the
 * repository and the object ("pull 127.0.0.1:5000/a/b: blob sha256:..: ...").
 * Every byte is checked against its digest before the caller sees it as
 * good (manifests and small blobs here; big blobs by the store on commit). */
#ifndef VESSEL_IMAGE_REGISTRY_H
#define VESSEL_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/reference.h"
#include "util/digest.h"
#include "util/error.h"

struct vs_registry_options {
        const char *auth_file;       /* NULL: $REGISTRY_AUTH_FILE, else $HOME/.docker/config.json */
        const char *registries_conf; /* NULL: $VESSEL_REGISTRIES_CONF, else /etc/vessel/registries.conf */
        int tls_verify;              /* -1: as registries.conf says (default verify), 0: off, 1: on */
        const char *username;        /* --creds; overrides the auth file */
        const char *password;
        bool push; /* ask for pull,push scope */
};

struct vs_registry;

int vs_registry_open(const struct vs_image_ref *ref, const struct vs_registry_options *opts, struct vs_registry **ret,
                     struct vs_error *err);
void vs_registry_free(struct vs_registry *r);

/* GET a manifest by tag or digest, accepting the four manifest types. The
 * digest returned is the body's own; when `reference` is a digest the body
 * must match it. */
int vs_registry_get_manifest(struct vs_registry *r, const char *reference, char **body, size_t *len,
                             char **content_type, char digest[VS_DIGEST_MAX], struct vs_error *err);
/* GET a small blob (a config) into memory, at most `max` bytes, checked against its digest. */
int vs_registry_get_blob(struct vs_registry *r, const char *digest, size_t max, char **data, size_t *len,
                         struct vs_error *err);

/* One blob moved to or from the registry. */
struct vs_blob_transfer {
        const char *digest;
        int64_t size;   /* from the descriptor; -1 if unknown */
        int fd;         /* pull: where the bytes go (appended after `offset`); push: the source */
        int64_t offset; /* pull: bytes already in fd from an interrupted pull (a Range request resumes) */
        /* out: */
        int status; /* 0 or a negative errno */
        struct vs_error err;
};

/* Progress of transfer `index`: `done` of `total` bytes (total -1 if unknown). */
typedef void (*vs_progress_fn)(void *data, size_t index, int64_t done, int64_t total);

/* Download every blob in parallel (curl multi, at most 6 at once). Returns 0
 * when all succeeded, else the first failure (each transfer has its own
 * status). Content is not digest-checked here: the store does that on commit. */
int vs_registry_fetch_blobs(struct vs_registry *r, struct vs_blob_transfer *blobs, size_t n, vs_progress_fn progress,
                            void *progress_data, struct vs_error *err);

/* HEAD /v2/<name>/blobs/<digest>. */
int vs_registry_blob_exists(struct vs_registry *r, const char *digest, bool *ret, struct vs_error *err);
/* Upload one blob: a cross-repository mount first when `mount_from` (a
 * repository path on the same registry) is given and the registry allows it,
 * else POST + PUT (monolithic) or POST + PATCH chunks + PUT when `chunk_size` > 0. */
int vs_registry_push_blob(struct vs_registry *r, struct vs_blob_transfer *blob, const char *mount_from,
                          size_t chunk_size, vs_progress_fn progress, void *progress_data, size_t index,
                          struct vs_error *err);
/* PUT a manifest under a tag or digest. */
int vs_registry_put_manifest(struct vs_registry *r, const char *reference, const char *media_type, const char *body,
                             size_t len, struct vs_error *err);

/* The repository's tags (GET /v2/<name>/tags/list, every page), NULL-terminated. */
int vs_registry_list_tags(struct vs_registry *r, char ***ret, size_t *n, struct vs_error *err);

/* Check credentials against a registry (GET /v2/ and the auth it asks for). */
int vs_registry_login(const char *domain, const struct vs_registry_options *opts, struct vs_error *err);

#endif
