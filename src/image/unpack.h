/* vessel: unpacking a layer (a tar, plain, gzip or zstd) into a directory
 * with libarchive, and nothing outside it.
 *
 * Entries keep ownership, modes, xattrs, hardlinks, device nodes and
 * timestamps. Whiteouts become overlay whiteouts: ".wh.NAME" a 0:0 character
 * device NAME, ".wh..wh..opq" the xattr trusted.overlay.opaque=y on its
 * directory. Hostile entries never write outside the layer directory: an
 * absolute path is taken relative to it, ".." that would climb out is an
 * error, every parent is opened under the layer root (RESOLVE_IN_ROOT) so a
 * symlink in the layer cannot redirect a write, a hardlink must point at an
 * entry inside the layer, device nodes are refused when the options say so.
 * Errors name the layer and the entry ("layer sha256:..: entry ../x: ...").
 * On failure the directory is left for the caller to remove. */
#ifndef VESSEL_IMAGE_UNPACK_H
#define VESSEL_IMAGE_UNPACK_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/digest.h"
#include "util/error.h"

struct vs_unpack_options {
        const char *origin; /* names the layer in errors, e.g. its digest */
        bool no_devices;    /* refuse block/char device entries (not whiteouts) */
        bool ignore_owner;  /* rootless: keep files owned by the caller */
};

/* Unpack the layer read from fd (compression detected) into the directory
 * dirfd (empty). When diff_id is not NULL, it receives the digest of the
 * uncompressed tar stream, computed in the same pass. */
int vs_layer_unpack(int fd, int dirfd, const struct vs_unpack_options *opts, char diff_id[VS_DIGEST_MAX],
                    struct vs_error *err);

/* Write a layer tar of the changes an overlay upper dir holds (for commit and
 * build): overlay whiteouts (0:0 char devices, opaque xattrs) become ".wh."
 * entries. Gzip-compressed when `gzip`. The tar goes to out_fd; diff_id (the
 * uncompressed digest) and digest (of the bytes written) are returned. */
int vs_layer_diff(int upperfd, int out_fd, bool gzip, char diff_id[VS_DIGEST_MAX], char digest[VS_DIGEST_MAX],
                  struct vs_error *err);
/* The same, leaving out the empty regular files named in `skip` ("etc/hosts"):
 * the mount points the engine makes for its per-container files (commit). */
int vs_layer_diff_skip(int upperfd, int out_fd, bool gzip, const char *const *skip, char diff_id[VS_DIGEST_MAX],
                       char digest[VS_DIGEST_MAX], struct vs_error *err);

#endif
