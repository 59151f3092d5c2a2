/* vessel: images in and out of tar archives, as `docker save`, `docker load`
 * and `docker import` move them.
 *
 * docker-archive: manifest.json ([{"Config":"<hex>.json","RepoTags":[..],
 * "Layers":["<hex>/layer.tar",..]}]), a legacy "repositories" file, the
 * config blob and each layer as an uncompressed tar (its digest is the
 * layer's diff ID), as docker writes them.
 * oci-archive: a tar of an OCI image layout (oci-layout, index.json naming
 * each image with org.opencontainers.image.ref.name, blobs/sha256/..)
 * holding the stored blobs as they are.
 *
 * Loading is all or nothing. The archive (plain or compressed) is read once
 * into a private directory under <root>/tmp; every document is parsed,
 * every blob checked against its digest, every new layer unpacked once there
 * (so a hostile entry or a diff ID the config does not name is refused)
 * before anything is written to the store. A bogus archive leaves the store
 * as it was; errors name the member ("manifest.json: [0].Layers[1]: ..").
 * Layers from a docker-archive are stored as they come (uncompressed tars,
 * media type application/vnd.oci.image.layer.v1.tar), so an image saved
 * and loaded again keeps its ID and its layers' digests. */
#ifndef VESSEL_IMAGE_ARCHIVE_H
#define VESSEL_IMAGE_ARCHIVE_H

#include <jansson.h>
#include <stddef.h>

#include "image/manifest.h"
#include "image/store.h"
#include "util/digest.h"
#include "util/error.h"

enum vs_archive_format {
        VS_ARCHIVE_DOCKER, /* docker-archive */
        VS_ARCHIVE_OCI,    /* oci-archive */
};

/* "docker-archive" or "oci-archive"; the error quotes the text. */
int vs_archive_format_parse(const char *text, enum vs_archive_format *ret, struct vs_error *err);

/* Write the images (names or IDs, as a user types them) to out_fd as one
 * tar. An image given by name is saved with that tag; one given by ID with
 * none, as docker does. The tar is streamed: nothing is copied first. */
int vs_archive_save(struct vs_store *s, char *const *images, size_t n, enum vs_archive_format format, int out_fd,
                    struct vs_error *err);

struct vs_loaded_image {
        char *id;     /* "sha256:.." (the config digest) */
        char **names; /* full references given to it, NULL-terminated (may be empty) */
};

struct vs_load_result {
        struct vs_loaded_image *images;
        size_t n;
};
void vs_load_result_free(struct vs_load_result *r);

/* Load every image of the archive read from in_fd (docker-archive or
 * oci-archive, detected; gzip, zstd, xz or bzip2 compressed or not). For an
 * oci-archive entry that is an index, `platform` (NULL: the host's) picks
 * the manifest. */
int vs_archive_load(struct vs_store *s, int in_fd, const struct vs_platform *platform, struct vs_load_result *ret,
                    struct vs_error *err);

struct vs_import_options {
        const char *source;                 /* named in the history: the file, or "-" */
        const char *message;                /* history comment; NULL: "Imported from <source>" */
        const struct vs_platform *platform; /* the config's os/architecture; NULL: the host's */
        const json_t *config;               /* the config's "config" object (Cmd, Env, ..) or NULL */
        const char *name;                   /* REPOSITORY[:TAG] for the new image, or NULL */
};

/* Make a one-layer image of the root filesystem tarball read from in_fd
 * (plain, gzip or zstd kept as it is; xz or bzip2 stored uncompressed).
 * `id` receives the image ID. */
int vs_archive_import(struct vs_store *s, int in_fd, const struct vs_import_options *opts, char id[VS_DIGEST_MAX],
                      struct vs_error *err);

#endif
