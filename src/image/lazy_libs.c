/* vessel: the tables of image/lazy_curl.h and image/lazy_archive.h, filled
 * once, on first use, by whichever thread comes first. */
#define VS_LAZY_DEFINE
#include <pthread.h>

#include "image/lazy_archive.h"
#include "image/lazy_curl.h"
#include "util/lazy.h"
#include "vessel-config.h"

#define VS_LAZY_NAME(name) #name,
#define VS_LAZY_COUNT(name) +1

static struct vs_curl_api curl_api;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_load(void)
{
        static const char *const names[] = {VS_CURL_FUNCTIONS(VS_LAZY_NAME)};
        _Static_assert(sizeof(curl_api) == sizeof(void *) * (0 VS_CURL_FUNCTIONS(VS_LAZY_COUNT)), "one pointer each");
        vs_lazy_load(VESSEL_LIBCURL_SONAME, names, (void **) &curl_api, sizeof(names) / sizeof(names[0]));
}

const struct vs_curl_api *vs_curl(void)
{
        pthread_once(&curl_once, curl_load);
        return &curl_api;
}

static struct vs_archive_api archive_api;
static pthread_once_t archive_once = PTHREAD_ONCE_INIT;

static void archive_load(void)
{
        static const char *const names[] = {VS_ARCHIVE_FUNCTIONS(VS_LAZY_NAME)};
        _Static_assert(sizeof(archive_api) == sizeof(void *) * (0 VS_ARCHIVE_FUNCTIONS(VS_LAZY_COUNT)),
                       "one pointer each");
        vs_lazy_load(VESSEL_LIBARCHIVE_SONAME, names, (void **) &archive_api, sizeof(names) / sizeof(names[0]));
}

const struct vs_archive_api *vs_archive(void)
{
        pthread_once(&archive_once, archive_load);
        return &archive_api;
}
