/* vessel: OpenSSL's libcrypto, loaded when first used (see util/lazy.h).
 * Only digests (image content) and base64 (registry credentials) use it,
 * and most commands, `run` among them, neither: linked in, its tables were
 * a third of the relocations every vessel process made at start. Code that
 * includes this header instead of <openssl/evp.h> calls each function
 * through vs_crypto(), which dlopens libcrypto once
 * (VESSEL_LIBCRYPTO_SONAME). A function used but not listed fails to link:
 * add it to the list. */
#ifndef VESSEL_UTIL_LAZY_CRYPTO_H
#define VESSEL_UTIL_LAZY_CRYPTO_H

#include <openssl/evp.h>

#include "util/lazy.h"

#define VS_CRYPTO_FUNCTIONS(X)                                                                                         \
        X(EVP_DecodeBlock)                                                                                             \
        X(EVP_DigestFinal_ex)                                                                                          \
        X(EVP_DigestInit_ex)                                                                                           \
        X(EVP_DigestUpdate)                                                                                            \
        X(EVP_EncodeBlock)                                                                                             \
        X(EVP_MD_CTX_free)                                                                                             \
        X(EVP_MD_CTX_new)                                                                                              \
        X(EVP_sha256)

struct vs_crypto_api {
        VS_CRYPTO_FUNCTIONS(VS_LAZY_MEMBER)
};
const struct vs_crypto_api *vs_crypto(void);

#ifndef VS_LAZY_DEFINE
#define EVP_DecodeBlock (*vs_crypto()->EVP_DecodeBlock)
#define EVP_DigestFinal_ex (*vs_crypto()->EVP_DigestFinal_ex)
#define EVP_DigestInit_ex (*vs_crypto()->EVP_DigestInit_ex)
#define EVP_DigestUpdate (*vs_crypto()->EVP_DigestUpdate)
#define EVP_EncodeBlock (*vs_crypto()->EVP_EncodeBlock)
#define EVP_MD_CTX_free (*vs_crypto()->EVP_MD_CTX_free)
#define EVP_MD_CTX_new (*vs_crypto()->EVP_MD_CTX_new)
#define EVP_sha256 (*vs_crypto()->EVP_sha256)
#endif

#endif
