/* vessel: pull and push, an image between a registry and the store.
 *
 * Pull: resolve the reference to a manifest (choosing from an index by
 * platform), fetch the config and every layer not yet stored in parallel,
 * check each against its digest, unpack each layer once (keyed by chain ID)
 * and register the image in one transaction. An interrupted pull leaves only
 * resumable ingest files behind; the next pull picks them up.
 * Push: every blob the registry lacks (a HEAD first), then the manifest. */
#ifndef VESSEL_IMAGE_PULL_H
#define VESSEL_IMAGE_PULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/manifest.h"
#include "image/registry.h"
#include "image/store.h"
#include "util/error.h"

/* What the front shows while a transfer runs. Every member may be NULL. */
struct vs_transfer_events {
        void *data;
        /* The manifest is known: its layer blobs (n of them); present[i] when already stored. */
        void (*layers)(void *data, size_t n, const struct vs_descriptor *layers, const bool *present);
        void (*progress)(void *data, size_t index, int64_t done, int64_t total);
        /* A layer finished a phase: "Download complete", "Pull complete", "Pushed", "Layer already exists". */
        void (*layer_state)(void *data, size_t index, const char *state);
};

struct vs_pull_options {
        const struct vs_platform *platform; /* NULL: the host's */
        struct vs_registry_options registry;
        const struct vs_transfer_events *events;
};

struct vs_pull_result {
        char *name;     /* the full reference now naming the image (NULL when pulled by digest only) */
        char *image_id; /* config digest */
        char *digest;   /* the digest the reference resolved to (index or manifest) */
        bool newer;     /* false when the store already had exactly this image under this name */
};
void vs_pull_result_free(struct vs_pull_result *r);

int vs_image_pull(struct vs_store *s, const char *reference, const struct vs_pull_options *opts,
                  struct vs_pull_result *ret, struct vs_error *err);

struct vs_push_options {
        struct vs_registry_options registry;
        const struct vs_transfer_events *events;
        size_t chunk_size; /* 0: monolithic uploads */
};

/* Push the stored image `source` (a name or ID) to `destination` (a
 * reference; NULL: the source's name). *digest receives the manifest digest. */
int vs_image_push(struct vs_store *s, const char *source, const char *destination, const struct vs_push_options *opts,
                  char digest[VS_DIGEST_MAX], struct vs_error *err);

#endif
