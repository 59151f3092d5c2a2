/* vessel: content digests ("sha256:<64 hex>"), as the OCI image spec writes
 * them, computed with OpenSSL's libcrypto. */
#ifndef VESSEL_UTIL_DIGEST_H
#define VESSEL_UTIL_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* "sha256:" + 64 hex digits + NUL, with room for sha512 ("sha512:" + 128). */
#define VS_DIGEST_MAX 136

/* A running sha256; opaque state from libcrypto. */
struct vs_sha256 {
        void *ctx;
};

int vs_sha256_init(struct vs_sha256 *h, struct vs_error *err);
void vs_sha256_update(struct vs_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" and frees the state (vs_sha256_free is then a no-op). */
void vs_sha256_final(struct vs_sha256 *h, char out[VS_DIGEST_MAX]);
void vs_sha256_free(struct vs_sha256 *h);

/* The digest of a buffer, "sha256:<hex>". */
int vs_digest_buffer(const void *data, size_t len, char out[VS_DIGEST_MAX], struct vs_error *err);
/* The digest of everything readable from fd (from its current offset). */
int vs_digest_fd(int fd, char out[VS_DIGEST_MAX], struct vs_error *err);
/* Check the form "algorithm:encoded": sha256 with 64 lowercase hex digits
 * (sha512 with 128 is accepted too); the error names the digest. */
int vs_digest_validate(const char *digest, struct vs_error *err);
/* The encoded part (after ':'); `digest` must have passed vs_digest_validate. */
const char *vs_digest_hex(const char *digest);

#endif
