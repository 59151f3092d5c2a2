/* vessel: the table of util/lazy_crypto.h, filled once, on first use, by
 * whichever thread comes first. */
#define VS_LAZY_DEFINE
#include <pthread.h>

#include "util/lazy.h"
#include "util/lazy_crypto.h"
#include "vessel-config.h"

#define VS_LAZY_NAME(name) #name,
#define VS_LAZY_COUNT(name) +1

static struct vs_crypto_api crypto_api;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_load(void)
{
        static const char *const names[] = {VS_CRYPTO_FUNCTIONS(VS_LAZY_NAME)};
        _Static_assert(sizeof(crypto_api) == sizeof(void *) * (0 VS_CRYPTO_FUNCTIONS(VS_LAZY_COUNT)),
                       "one pointer each");
        vs_lazy_load(VESSEL_LIBCRYPTO_SONAME, names, (void **) &crypto_api, sizeof(names) / sizeof(names[0]));
}

const struct vs_crypto_api *vs_crypto(void)
{
        pthread_once(&crypto_once, crypto_load);
        return &crypto_api;
}
