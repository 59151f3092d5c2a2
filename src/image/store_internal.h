/* vessel: what the store's files share (private to src/image/store*.c). */
#ifndef VESSEL_IMAGE_STORE_INTERNAL_H
#define VESSEL_IMAGE_STORE_INTERNAL_H

#include <stdint.h>

#include "image/store.h"
#include "util/error.h"

/* Paths relative to the store root. */
#define STORE_OCI_DIR "oci"
#define STORE_BLOBS_DIR "oci/blobs/sha256"
#define STORE_INGEST_DIR "ingest"
#define STORE_LAYERS_DIR "layers"
#define STORE_INDEX_NAME "index.json"
#define STORE_LAYER_TMP_PREFIX ".tmp-"
#define STORE_BLOB_TMP_PREFIX ".tmp-"

/* "sha256:<hex>" -> "<dir>/<hex>" in buf (size VS_STORE_PATH_MAX). Only
 * sha256 is stored; any other digest is refused with EINVAL. */
#define VS_STORE_PATH_MAX 256
int vs_store_digest_path(const char *dir, const char *digest, char buf[VS_STORE_PATH_MAX], struct vs_error *err);

/* fsync a directory under the root (after a rename into it). */
int vs_store_fsync_dir(struct vs_store *s, const char *dir, struct vs_error *err);

/* Sum of the sizes of the regular files and symlinks of the tree dirfd/name
 * (a file's size when name is not a directory). */
int vs_store_tree_size(int dirfd, const char *name, int64_t *ret, struct vs_error *err);

/* Rewrite oci/index.json from the database (inside the caller's transaction). */
int vs_store_index_write(struct vs_store *s, struct vs_error *err);

/* Whether the layers table records chain_id. */
int vs_store_layer_recorded(struct vs_store *s, const char *chain_id, bool *ret, struct vs_error *err);

/* Run body(s, arg, err) inside BEGIN IMMEDIATE .. COMMIT, rolling back on failure. */
int vs_store_transaction(struct vs_store *s, int (*body)(struct vs_store *s, void *arg, struct vs_error *err),
                         void *arg, struct vs_error *err);

#endif
