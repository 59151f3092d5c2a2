/* vessel: uploading blobs to a registry: a cross-repository mount when
 * allowed, else POST + PUT (monolithic) or POST + PATCH chunks + PUT. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/registry_internal.h"
#include "util/cleanup.h"

/* --- pushing blobs --------------------------------------------------------------------- */

/* The URL to continue an upload at: Location resolved against the request's
 * URL (it may be relative), with ?digest= added for the final PUT. */
static int upload_location(const char *base, const char *location, const char *digest, char **ret)
{
        CURLU *u = curl_url();
        char *out = NULL;
        int rc = -EPROTO;
        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
            curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK) {
                _cleanup_free_ char *query = NULL;
                if (digest && asprintf(&query, "digest=%s", digest) < 0)
                        query = NULL, rc = -ENOMEM;
                else if (!digest ||
                         curl_url_set(u, CURLUPART_QUERY, query, CURLU_APPENDQUERY | CURLU_URLENCODE) == CURLUE_OK)
                        if (curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK) {
                                *ret = strdup(out);
                                rc = *ret ? 0 : -ENOMEM;
                        }
        }
        curl_free(out);
        curl_url_cleanup(u);
        return rc;
}

/* What a push of one blob needs along the way. */
struct push {
        struct vs_registry *r;
        struct registry_endpoint *ep;
        struct vs_blob_transfer *blob;
        char *scope;
        char object[VS_DIGEST_MAX + 16];
        vs_progress_fn progress;
        void *progress_data;
        size_t index;
};

/* Send one request of an upload and check its status; on success *next
 * (when asked for) is the upload's next URL, from Location. */
static int push_step(struct push *p, struct http_request *req, long want_status, char **next, struct vs_error *err)
{
        struct http_response resp = {0};
        int rc = registry_request(p->r, p->ep, p->scope, req, &resp, p->object, err);
        if (rc >= 0 && resp.status != want_status)
                rc = registry_http_error(p->ep, p->object, &resp, err);
        if (rc >= 0 && next) {
                if (!resp.location)
                        rc = vs_error_set(err, EPROTO, "%s: %s: the registry gave no upload location", p->ep->name,
                                          p->object);
                else if ((rc = upload_location(req->url, resp.location, NULL, next)) < 0)
                        vs_error_errno(err, -rc, "%s: %s: bad upload location %s", p->ep->name, p->object,
                                       resp.location);
        }
        if (rc >= 0 && resp.digest && strcmp(resp.digest, p->blob->digest) != 0 && want_status == 201)
                rc = vs_error_set(err, EBADMSG, "%s: %s: the registry stored it as %s", p->ep->name, p->object,
                                  resp.digest);
        http_response_free(&resp);
        return rc;
}

/* PATCH the blob in chunks of chunk_size, each with its Content-Range. */
static int push_chunks(struct push *p, char **location, int64_t size, size_t chunk_size, struct vs_error *err)
{
        static const char *const octets = "Content-Type: application/octet-stream";
        for (int64_t off = 0; off < size;) {
                int64_t len = size - off < (int64_t) chunk_size ? size - off : (int64_t) chunk_size;
                char range[64];
                snprintf(range, sizeof(range), "Content-Range: %lld-%lld", (long long) off,
                         (long long) (off + len - 1));
                struct curl_slist h2 = {.data = (char *) octets}, h1 = {.data = range, .next = &h2};
                struct http_request req = {.method = "PATCH",
                                           .url = *location,
                                           .headers = &h1,
                                           .body_fd = p->blob->fd,
                                           .body_offset = off,
                                           .body_size = len,
                                           .max_response = REGISTRY_SMALL_BODY_MAX,
                                           .progress = p->progress,
                                           .progress_data = p->progress_data,
                                           .progress_index = p->index,
                                           .progress_base = off,
                                           .progress_total = size};
                char *next = NULL;
                int rc = push_step(p, &req, 202, &next, err);
                if (rc < 0)
                        return rc;
                free(*location);
                *location = next;
                off += len;
        }
        return 0;
}

/* Finish an upload at `location`: the PUT with ?digest=, with the whole blob
 * (monolithic) or nothing (after the chunks). */
static int push_finish(struct push *p, const char *location, int64_t size, bool with_body, struct vs_error *err)
{
        _cleanup_free_ char *url = NULL;
        int rc = upload_location(location, location, p->blob->digest, &url);
        if (rc < 0)
                return vs_error_errno(err, -rc, "%s: %s: bad upload location %s", p->ep->name, p->object, location);
        struct curl_slist octets = {.data = (char *) "Content-Type: application/octet-stream"};
        struct http_request req = {.method = "PUT",
                                   .url = url,
                                   .headers = &octets,
                                   .body_fd = -1,
                                   .max_response = REGISTRY_SMALL_BODY_MAX,
                                   .progress = p->progress,
                                   .progress_data = p->progress_data,
                                   .progress_index = p->index,
                                   .progress_total = size};
        if (with_body) {
                req.body_fd = p->blob->fd;
                req.body_size = size;
        }
        return push_step(p, &req, 201, NULL, err);
}

/* POST to start an upload, or to mount the blob from another repository:
 * 201 is a mount done (*location stays NULL), 202 an upload to continue. */
static int push_start(struct push *p, const char *mount_from, char **location, struct vs_error *err)
{
        _cleanup_free_ char *suffix = NULL, *url = NULL;
        char *from = mount_from ? curl_easy_escape(p->r->curl, mount_from, 0) : NULL;
        int n = from ? asprintf(&suffix, "%s/blobs/uploads/?mount=%s&from=%s", p->ep->path, p->blob->digest, from)
                     : asprintf(&suffix, "%s/blobs/uploads/", p->ep->path);
        curl_free(from);
        if (n < 0 || (mount_from && !from) || !(url = registry_url(p->ep, suffix)))
                return vs_error_errno(err, ENOMEM, "%s: %s", p->ep->name, p->object);
        struct http_request req = {
                .method = "POST", .url = url, .body_fd = -1, .max_response = REGISTRY_SMALL_BODY_MAX};
        struct http_response resp = {0};
        int rc = registry_request(p->r, p->ep, p->scope, &req, &resp, p->object, err);
        *location = NULL;
        if (rc >= 0 && mount_from && resp.status == 201)
                ;
        else if (rc >= 0 && resp.status != 202)
                rc = registry_http_error(p->ep, p->object, &resp, err);
        else if (rc >= 0 && !resp.location)
                rc = vs_error_set(err, EPROTO, "%s: %s: the registry gave no upload location", p->ep->name, p->object);
        else if (rc >= 0 && (rc = upload_location(url, resp.location, NULL, location)) < 0)
                vs_error_errno(err, -rc, "%s: %s: bad upload location %s", p->ep->name, p->object, resp.location);
        http_response_free(&resp);
        return rc;
}

static int push_blob(struct push *p, const char *mount_from, size_t chunk_size, struct vs_error *err)
{
        struct vs_blob_transfer *b = p->blob;
        int64_t size = b->size;
        struct stat st;
        if (size < 0) {
                if (fstat(b->fd, &st) < 0)
                        return vs_error_syscall(err, "%s: %s: cannot read it", p->ep->name, p->object);
                size = st.st_size;
        }
        int n = mount_from ? asprintf(&p->scope, "repository:%s:pull,push repository:%s:pull", p->ep->path, mount_from)
                           : asprintf(&p->scope, "repository:%s:pull,push", p->ep->path);
        if (n < 0) {
                p->scope = NULL;
                return vs_error_errno(err, ENOMEM, "%s: %s", p->ep->name, p->object);
        }
        _cleanup_free_ char *location = NULL;
        int rc = registry_ping(p->r, p->ep, p->object, err);
        if (rc >= 0)
                rc = push_start(p, mount_from, &location, err);
        if (rc < 0)
                return rc;
        if (location && chunk_size > 0) {
                rc = push_chunks(p, &location, size, chunk_size, err);
                if (rc >= 0)
                        rc = push_finish(p, location, size, false, err);
        } else if (location)
                rc = push_finish(p, location, size, true, err);
        if (rc >= 0 && p->progress)
                p->progress(p->progress_data, p->index, size, size);
        return rc;
}

int vs_registry_push_blob(struct vs_registry *r, struct vs_blob_transfer *blob, const char *mount_from,
                          size_t chunk_size, vs_progress_fn progress, void *progress_data, size_t index,
                          struct vs_error *err)
{
        struct push p = {.r = r,
                         .ep = &r->endpoints[r->n_endpoints - 1],
                         .blob = blob,
                         .progress = progress,
                         .progress_data = progress_data,
                         .index = index};
        snprintf(p.object, sizeof(p.object), "blob %s", blob->digest);
        blob->err = (struct vs_error) VS_ERROR_INIT;
        int rc = vs_digest_validate(blob->digest, err);
        if (rc < 0)
                vs_error_wrap(err, "%s", r->name);
        else
                rc = push_blob(&p, mount_from, chunk_size, err);
        free(p.scope);
        blob->status = rc;
        if (rc < 0)
                blob->err = *err;
        return rc;
}
