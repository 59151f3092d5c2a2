/* vessel: the image store under the root (default /var/lib/vessel):
 *
 *   oci/               an OCI image layout (oci-layout, index.json,
 *                      blobs/sha256/<hex>) that skopeo's oci: transport and
 *                      umoci read; index.json lists every tagged image with
 *                      the annotation org.opencontainers.image.ref.name set
 *                      to its full reference.
 *   ingest/<hex>       blobs being downloaded; kept after an interruption so
 *                      that the next pull resumes them.
 *   layers/<hex>/      unpacked layers keyed by chain ID (diff/ is the tree),
 *                      shared between images.
 *   vessel.db          SQLite metadata: images, names, layers, holds.
 *   store.lock         flock: shared by writers of new content, exclusive
 *                      by garbage collection.
 *
 * A blob becomes visible only after its digest is checked (temporary name,
 * fsync, rename); an image is registered in one transaction after all its
 * blobs and layers exist, so an interrupted pull leaves no image behind. */
#ifndef VESSEL_IMAGE_STORE_H
#define VESSEL_IMAGE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/manifest.h"
#include "util/digest.h"
#include "util/error.h"

struct vs_store {
        int rootfd;
        char *root;
        sqlite3 *db;
        int lockfd;
};

/* Open (creating what is missing) the store at root. */
int vs_store_open(const char *root, struct vs_store **ret, struct vs_error *err);
void vs_store_close(struct vs_store *s);

/* --- blobs --- */
int vs_store_blob_exists(struct vs_store *s, const char *digest, bool *ret, struct vs_error *err);
/* Open an O_RDONLY fd on a stored blob. */
int vs_store_blob_open(struct vs_store *s, const char *digest, int *ret, struct vs_error *err);
int vs_store_blob_read(struct vs_store *s, const char *digest, size_t max, char **data, size_t *len,
                       struct vs_error *err);
/* Store a small blob from memory (manifest, config); its digest is returned. */
int vs_store_blob_write(struct vs_store *s, const void *data, size_t len, char digest[VS_DIGEST_MAX],
                        struct vs_error *err);
/* Open ingest/<hex> for appending; *offset is what an earlier attempt left. */
int vs_store_ingest_open(struct vs_store *s, const char *digest, int *fd, int64_t *offset, struct vs_error *err);
/* Check the ingested file against digest (and size when >= 0), then move it
 * into blobs/. On a mismatch the partial file is removed and the error
 * names the digest ("blob sha256:..: digest mismatch: got sha256:.."). */
int vs_store_ingest_commit(struct vs_store *s, const char *digest, int64_t size, struct vs_error *err);
/* Store a blob from an fd (load, import, commit), computing its digest. */
int vs_store_blob_import(struct vs_store *s, int fd, char digest[VS_DIGEST_MAX], int64_t *size, struct vs_error *err);

/* --- layers --- */
/* Make sure the layer with this chain ID is unpacked: if not, unpack blob
 * `blob_digest` (already stored) into a temporary directory and rename it to
 * layers/<chain hex>; checks that the unpacked diff ID equals `diff_id`.
 * Safe against a concurrent vessel doing the same. */
int vs_store_layer_ensure(struct vs_store *s, const char *chain_id, const char *parent_chain_id,
                          const char *blob_digest, const char *diff_id, struct vs_error *err);
/* "<root>/layers/<hex>/diff". malloc'd. */
char *vs_store_layer_path(struct vs_store *s, const char *chain_id);

/* --- images --- */
struct vs_image_layer {
        char *blob_digest;
        char *media_type;
        int64_t blob_size;
        char *diff_id;
        char *chain_id;
        int64_t unpacked_size; /* bytes of the unpacked layer (filled by lookup and list) */
};

struct vs_image {
        char *id;              /* the config digest */
        char *manifest_digest; /* of the manifest stored for it */
        char *manifest_media_type;
        char *index_digest;    /* the index it was chosen from, or NULL */
        char **names;          /* full references "docker.io/library/busybox:latest", NULL-terminated */
        char **repo_digests;   /* "docker.io/library/busybox@sha256:..", NULL-terminated */
        int64_t created;       /* unix seconds, from the config (0 if none) */
        int64_t size;          /* sum of compressed layer sizes */
        int64_t unpacked_size; /* sum of the unpacked layers' sizes: docker's SIZE (filled by lookup and list) */
        int64_t added;         /* unix seconds when stored */
        struct vs_image_layer *layers;
        size_t n_layers;
        int holds; /* containers using it */
};
void vs_image_free(struct vs_image *img);
void vs_image_list_free(struct vs_image *imgs, size_t n);

/* Register an image whose manifest, config, layer blobs and unpacked layers
 * are stored, in one transaction; `name` (a full reference, may be NULL)
 * moves to it from any other image; `repo_digest` (may be NULL) is added.
 * Also records the manifest in index.json. Idempotent. */
int vs_store_image_add(struct vs_store *s, const struct vs_image *img, const char *name, const char *repo_digest,
                       struct vs_error *err);
/* Find by full ID, ID prefix (at least 1 hex digit, must be unique), or by
 * name (a reference text, normalised: "busybox" finds
 * docker.io/library/busybox:latest). ENOENT: "no such image: <text>". */
int vs_store_image_lookup(struct vs_store *s, const char *text, struct vs_image *ret, struct vs_error *err);
int vs_store_image_list(struct vs_store *s, struct vs_image **ret, size_t *n, struct vs_error *err);
/* Add a name (full reference) to an image, moving it from another. */
int vs_store_image_tag(struct vs_store *s, const char *id, const char *name, struct vs_error *err);
/* Remove one name; *removed_image tells whether that was its last name and the
 * image itself went (only if not held). */
int vs_store_image_untag(struct vs_store *s, const char *name, bool *removed_image, struct vs_error *err);
/* Remove an image and all its names. Held images: EBUSY unless force (then
 * only the names go... as docker: force removes the image record anyway). */
int vs_store_image_remove(struct vs_store *s, const char *id, bool force, struct vs_error *err);
/* A container starts or stops using an image. */
int vs_store_image_hold(struct vs_store *s, const char *id, int delta, struct vs_error *err);
/* Remove blobs, layers and ingest files that no image references; returns
 * bytes reclaimed. Takes the store lock exclusively. */
int vs_store_gc(struct vs_store *s, int64_t *reclaimed, struct vs_error *err);

/* Shared lock for commands adding content (pull, load, import, commit). */
int vs_store_lock_shared(struct vs_store *s, struct vs_error *err);
void vs_store_unlock(struct vs_store *s);

#endif
