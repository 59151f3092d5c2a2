/* vessel: listing a repository's tags (GET /v2/<name>/tags/list), for
 * `pull --all-tags`. Pages of up to 1000 tags are asked for with ?n=&last=
 * until a short page, so no Link header is needed. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry_internal.h"
#include "util/cleanup.h"

#define TAGS_PAGE 1000
#define TAGS_MAX (4u << 20)

/* Append the tags of one page; *got is how many it had. */
static int add_page(const struct http_response *resp, char ***tags, size_t *n, size_t *got, const char *object,
                    const char *name, struct vs_error *err)
{
        json_error_t jerr;
        json_t *doc = json_loadb(resp->body ? resp->body : "", resp->len, 0, &jerr);
        json_t *list = json_object_get(doc, "tags");
        if (!doc || !(json_is_array(list) || json_is_null(list) || !list)) {
                json_decref(doc);
                return vs_error_set(err, EBADMSG, "%s: %s: not a tag list", name, object);
        }
        size_t i;
        json_t *t;
        *got = json_array_size(list);
        json_array_foreach (list, i, t) {
                char **more = realloc(*tags, (*n + 2) * sizeof(char *));
                if (!more || !json_is_string(t)) {
                        if (more)
                                *tags = more;
                        json_decref(doc);
                        return more ? vs_error_set(err, EBADMSG, "%s: %s: tags[%zu] is not a string", name, object, i)
                                    : vs_error_set(err, ENOMEM, "out of memory");
                }
                *tags = more;
                (*tags)[*n] = strdup(json_string_value(t));
                (*tags)[++*n] = NULL;
        }
        json_decref(doc);
        return 0;
}

int vs_registry_list_tags(struct vs_registry *r, char ***ret, size_t *ret_n, struct vs_error *err)
{
        struct registry_endpoint *ep = &r->endpoints[r->n_endpoints - 1];
        const char *object = "tags";
        int rc = registry_ping(r, ep, object, err);
        if (rc < 0)
                return rc;
        _cleanup_free_ char *scope = NULL;
        if (registry_scope(r, ep, &scope) < 0)
                return vs_error_set(err, ENOMEM, "out of memory");
        char **tags = NULL;
        size_t n = 0, got = TAGS_PAGE;
        while (rc == 0 && got == TAGS_PAGE) {
                _cleanup_free_ char *suffix = NULL, *url = NULL;
                int w = n == 0 ? asprintf(&suffix, "%s/tags/list?n=%d", ep->path, TAGS_PAGE)
                               : asprintf(&suffix, "%s/tags/list?n=%d&last=%s", ep->path, TAGS_PAGE, tags[n - 1]);
                if (w < 0 || !(url = registry_url(ep, suffix))) {
                        rc = vs_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                struct http_request req = {.method = "GET", .url = url, .body_fd = -1, .max_response = TAGS_MAX};
                struct http_response resp = {0};
                rc = registry_request(r, ep, scope, &req, &resp, object, err);
                if (rc == 0 && resp.status != 200)
                        rc = registry_http_error(ep, object, &resp, err);
                if (rc == 0)
                        rc = add_page(&resp, &tags, &n, &got, object, ep->name, err);
                http_response_free(&resp);
        }
        if (rc < 0) {
                vs_strv_free(tags);
                return rc;
        }
        *ret = tags;
        *ret_n = n;
        return 0;
}
