/* vessel: the table of net/lazy_nft.h, filled once, on first use. */
#define VS_LAZY_DEFINE
#include <pthread.h>

#include "net/lazy_nft.h"
#include "vessel-config.h"

#define VS_LAZY_NAME(name) #name,

static struct vs_nft_api nft_api;
static pthread_once_t nft_once = PTHREAD_ONCE_INIT;

static void nft_load(void)
{
        static const char *const names[] = {VS_NFT_FUNCTIONS(VS_LAZY_NAME)};
        _Static_assert(sizeof(nft_api) == sizeof(names), "one pointer each");
        vs_lazy_load(VESSEL_LIBNFTABLES_SONAME, names, (void **) &nft_api, sizeof(names) / sizeof(names[0]));
}

const struct vs_nft_api *vs_nft(void)
{
        pthread_once(&nft_once, nft_load);
        return &nft_api;
}
