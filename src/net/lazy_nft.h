/* vessel: libnftables, loaded when first used rather than when vessel starts
 * (it brings libnftnl, libxtables and libgmp; only the network code that
 * changes the `vessel` table needs it). Code that includes this header
 * instead of <nftables/libnftables.h> calls each nft_* function through
 * vs_nft(), which dlopens libnftables once (VESSEL_LIBNFTABLES_SONAME); see
 * util/lazy.h. A function used but not listed fails to link: add it. */
#ifndef VESSEL_NET_LAZY_NFT_H
#define VESSEL_NET_LAZY_NFT_H

#include <nftables/libnftables.h>

#include "util/lazy.h"

#define VS_NFT_FUNCTIONS(X)                                                                                            \
        X(nft_ctx_buffer_error)                                                                                        \
        X(nft_ctx_buffer_output)                                                                                       \
        X(nft_ctx_free)                                                                                                \
        X(nft_ctx_get_error_buffer)                                                                                    \
        X(nft_ctx_get_output_buffer)                                                                                   \
        X(nft_ctx_new)                                                                                                 \
        X(nft_run_cmd_from_buffer)

struct vs_nft_api {
        VS_NFT_FUNCTIONS(VS_LAZY_MEMBER)
};
const struct vs_nft_api *vs_nft(void);

#ifndef VS_LAZY_DEFINE
#define nft_ctx_buffer_error (*vs_nft()->nft_ctx_buffer_error)
#define nft_ctx_buffer_output (*vs_nft()->nft_ctx_buffer_output)
#define nft_ctx_free (*vs_nft()->nft_ctx_free)
#define nft_ctx_get_error_buffer (*vs_nft()->nft_ctx_get_error_buffer)
#define nft_ctx_get_output_buffer (*vs_nft()->nft_ctx_get_output_buffer)
#define nft_ctx_new (*vs_nft()->nft_ctx_new)
#define nft_run_cmd_from_buffer (*vs_nft()->nft_run_cmd_from_buffer)
#endif

#endif
