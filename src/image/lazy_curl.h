/* vessel: libcurl, loaded when first used rather than when vessel starts.
 *
 * libcurl and its dependencies (TLS, HTTP/2, Kerberos, LDAP, ...) are some
 * forty shared objects whose loading cost every vessel command about 10 ms,
 * though only pull, push, login and search talk to a registry. Code that
 * includes this header instead of <curl/curl.h> calls each curl_* function
 * through vs_curl(), which dlopens libcurl once (VESSEL_LIBCURL_SONAME) and
 * resolves the functions listed here. A function used but not listed fails
 * to link (libcurl is not linked): add it to the list.
 *
 * If the library cannot be loaded the process exits with 127 and one line,
 * as the dynamic linker would have at start. */
#ifndef VESSEL_IMAGE_LAZY_CURL_H
#define VESSEL_IMAGE_LAZY_CURL_H

#include <curl/curl.h>

#include "util/lazy.h"

#define VS_CURL_FUNCTIONS(X)                                                                                           \
        X(curl_easy_cleanup)                                                                                           \
        X(curl_easy_escape)                                                                                            \
        X(curl_easy_getinfo)                                                                                           \
        X(curl_easy_init)                                                                                              \
        X(curl_easy_perform)                                                                                           \
        X(curl_easy_reset)                                                                                             \
        X(curl_easy_setopt)                                                                                            \
        X(curl_easy_strerror)                                                                                          \
        X(curl_free)                                                                                                   \
        X(curl_multi_add_handle)                                                                                       \
        X(curl_multi_cleanup)                                                                                          \
        X(curl_multi_info_read)                                                                                        \
        X(curl_multi_init)                                                                                             \
        X(curl_multi_perform)                                                                                          \
        X(curl_multi_poll)                                                                                             \
        X(curl_multi_remove_handle)                                                                                    \
        X(curl_slist_append)                                                                                           \
        X(curl_slist_free_all)                                                                                         \
        X(curl_url)                                                                                                    \
        X(curl_url_cleanup)                                                                                            \
        X(curl_url_get)                                                                                                \
        X(curl_url_set)

struct vs_curl_api {
        VS_CURL_FUNCTIONS(VS_LAZY_MEMBER)
};
const struct vs_curl_api *vs_curl(void);

#ifndef VS_LAZY_DEFINE
/* curl's type-checking macros call the functions by name: calls go through the table instead */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_cleanup (*vs_curl()->curl_easy_cleanup)
#define curl_easy_escape (*vs_curl()->curl_easy_escape)
#define curl_easy_getinfo (*vs_curl()->curl_easy_getinfo)
#define curl_easy_init (*vs_curl()->curl_easy_init)
#define curl_easy_perform (*vs_curl()->curl_easy_perform)
#define curl_easy_reset (*vs_curl()->curl_easy_reset)
#define curl_easy_setopt (*vs_curl()->curl_easy_setopt)
#define curl_easy_strerror (*vs_curl()->curl_easy_strerror)
#define curl_free (*vs_curl()->curl_free)
#define curl_multi_add_handle (*vs_curl()->curl_multi_add_handle)
#define curl_multi_cleanup (*vs_curl()->curl_multi_cleanup)
#define curl_multi_info_read (*vs_curl()->curl_multi_info_read)
#define curl_multi_init (*vs_curl()->curl_multi_init)
#define curl_multi_perform (*vs_curl()->curl_multi_perform)
#define curl_multi_poll (*vs_curl()->curl_multi_poll)
#define curl_multi_remove_handle (*vs_curl()->curl_multi_remove_handle)
#define curl_slist_append (*vs_curl()->curl_slist_append)
#define curl_slist_free_all (*vs_curl()->curl_slist_free_all)
#define curl_url (*vs_curl()->curl_url)
#define curl_url_cleanup (*vs_curl()->curl_url_cleanup)
#define curl_url_get (*vs_curl()->curl_url_get)
#define curl_url_set (*vs_curl()->curl_url_set)
#endif

#endif
