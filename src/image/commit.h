/* vessel: a new image from an overlay upper dir on top of an image (commit).
 *
 * The upper dir becomes one gzip layer (vs_layer_diff), stored and unpacked
 * under its chain ID like a pulled layer; the base image's config is copied
 * with a new "created", the caller's "config" object, the diff ID appended
 * to rootfs.diff_ids and an entry appended to "history"; an OCI manifest
 * lists the base's layers then the new one. Nothing is registered before
 * every blob and the layer are in place, so a failure leaves no image (the
 * blobs it did store are garbage the next gc takes). An upper dir with no
 * change gives no layer, only a history entry with "empty_layer": true, as
 * docker does. */
#ifndef VESSEL_IMAGE_COMMIT_H
#define VESSEL_IMAGE_COMMIT_H

#include <jansson.h>

#include "image/store.h"
#include "util/digest.h"
#include "util/error.h"

struct vs_commit_options {
        const char *base;         /* the base image's ID */
        int upperfd;              /* the changes: an overlay upper dir */
        const json_t *config;     /* the new config's "config" object, or NULL: the base's */
        const char *author;       /* or NULL */
        const char *message;      /* the history comment, or NULL */
        const char *created_by;   /* the history's created_by (the container's command), or NULL */
        const char *container_id; /* recorded as the config's "container", or NULL */
        const char *name;         /* REPOSITORY[:TAG] for the new image, or NULL */
};

/* Read the base image's config as JSON (for the caller to change). */
int vs_image_config_json(struct vs_store *s, const char *id, json_t **ret, struct vs_error *err);

/* Make and register the image; its ID ("sha256:...") in id. */
int vs_image_commit(struct vs_store *s, const struct vs_commit_options *opts, char id[VS_DIGEST_MAX],
                    struct vs_error *err);

#endif
