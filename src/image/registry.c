/* vessel: the registry client (see registry.h): HTTP on libcurl, manifests,
 * blobs pulled in parallel with resume, and pushes. Endpoints, schemes and
 * auth are registry_auth.c's. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/registry_internal.h"
#include "util/cleanup.h"
#include "vessel-config.h"

#define CONNECT_TIMEOUT_S 30L
/* A registry that stops sending (killed, hung, cut off) fails the transfer
 * after this long below one byte a second, instead of hanging the pull. */
#define LOW_SPEED_TIME_S 60L
#define MAX_PARALLEL 6
#define PROGRESS_INTERVAL_NS (100 * 1000 * 1000LL)

static const char MANIFEST_ACCEPT[] = "Accept: application/vnd.oci.image.manifest.v1+json, "
                                      "application/vnd.oci.image.index.v1+json, "
                                      "application/vnd.docker.distribution.manifest.v2+json, "
                                      "application/vnd.docker.distribution.manifest.list.v2+json";

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- HTTP plumbing --------------------------------------------------------------------- */

static void response_reset_headers(struct http_response *resp)
{
        free(resp->content_type);
        free(resp->location);
        free(resp->digest);
        free(resp->range);
        free(resp->content_range);
        resp->content_type = resp->location = resp->digest = resp->range = resp->content_range = NULL;
        registry_challenge_clear(&resp->challenge);
}

void http_response_free(struct http_response *resp)
{
        response_reset_headers(resp);
        free(resp->body);
        resp->body = NULL;
        resp->len = 0;
}

char *registry_url(const struct registry_endpoint *ep, const char *suffix)
{
        char *url = NULL;
        if (asprintf(&url, "%s://%s/v2/%s", ep->http ? "http" : "https", ep->host, suffix) < 0)
                return NULL;
        return url;
}

static int keep_header(char **field, const char *value, size_t len)
{
        char *v = strndup(value, len);
        if (!v)
                return -ENOMEM;
        free(*field);
        *field = v;
        return 0;
}

size_t registry_header_cb(char *buf, size_t size, size_t n, void *data)
{
        struct http_response *resp = data;
        size_t total = size * n, len = total;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                len--;
        /* A new status line: a redirect or a 100-continue came before; start over. */
        if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
                response_reset_headers(resp);
                return total;
        }
        const char *colon = memchr(buf, ':', len);
        if (!colon)
                return total;
        size_t klen = (size_t) (colon - buf);
        const char *v = colon + 1;
        while (v < buf + len && (*v == ' ' || *v == '\t'))
                v++;
        size_t vlen = (size_t) (buf + len - v);
#define IS(name) (klen == sizeof(name) - 1 && strncasecmp(buf, name, klen) == 0)
        int r = 0;
        if (IS("Content-Type"))
                r = keep_header(&resp->content_type, v, vlen);
        else if (IS("Location"))
                r = keep_header(&resp->location, v, vlen);
        else if (IS("Docker-Content-Digest"))
                r = keep_header(&resp->digest, v, vlen);
        else if (IS("Range"))
                r = keep_header(&resp->range, v, vlen);
        else if (IS("Content-Range"))
                r = keep_header(&resp->content_range, v, vlen);
        else if (IS("WWW-Authenticate") && resp->challenge.kind != REGISTRY_AUTH_BEARER) {
                /* Several challenges: Bearer is the better one. */
                _cleanup_free_ char *value = strndup(v, vlen);
                struct registry_challenge c = {0};
                r = value ? registry_challenge_parse(value, &c) : -ENOMEM;
                if (r >= 0 && c.kind != REGISTRY_AUTH_NONE) {
                        registry_challenge_clear(&resp->challenge);
                        resp->challenge = c;
                } else
                        registry_challenge_clear(&c);
        }
#undef IS
        return r < 0 ? 0 : total;
}

/* Keep a body in memory, up to the request's limit. */
struct body_sink {
        struct http_response *resp;
        size_t max;
};

static size_t body_cb(char *buf, size_t size, size_t n, void *data)
{
        struct body_sink *sink = data;
        struct http_response *resp = sink->resp;
        size_t len = size * n;
        if (resp->len + len > sink->max) {
                resp->truncated = true;
                return 0;
        }
        char *grown = realloc(resp->body, resp->len + len + 1);
        if (!grown)
                return 0;
        resp->body = grown;
        memcpy(resp->body + resp->len, buf, len);
        resp->len += len;
        resp->body[resp->len] = '\0';
        return len;
}

/* An upload's body, from memory or read from a file with pread. */
struct upload {
        const struct http_request *req;
        int64_t sent;
        int64_t reported_at;
        int read_errno; /* the file could not be read, or ended early */
};

static int64_t upload_size(const struct http_request *req)
{
        return req->body_fd >= 0 ? req->body_size : (int64_t) req->body_len;
}

static void upload_progress(struct upload *u, bool force)
{
        const struct http_request *req = u->req;
        int64_t t = now_ns();
        if (!req->progress || (!force && t - u->reported_at < PROGRESS_INTERVAL_NS))
                return;
        u->reported_at = t;
        req->progress(req->progress_data, req->progress_index, req->progress_base + u->sent, req->progress_total);
}

static size_t read_cb(char *buf, size_t size, size_t n, void *data)
{
        struct upload *u = data;
        const struct http_request *req = u->req;
        int64_t left = upload_size(req) - u->sent;
        size_t want = size * n;
        if (left <= 0)
                return 0;
        if ((int64_t) want > left)
                want = (size_t) left;
        ssize_t got;
        if (req->body_fd >= 0) {
                do
                        got = pread(req->body_fd, buf, want, req->body_offset + u->sent);
                while (got < 0 && errno == EINTR);
                if (got <= 0) {
                        u->read_errno = got < 0 ? errno : ENODATA;
                        return CURL_READFUNC_ABORT;
                }
        } else {
                memcpy(buf, req->body + u->sent, want);
                got = (ssize_t) want;
        }
        u->sent += got;
        upload_progress(u, u->sent == upload_size(req));
        return (size_t) got;
}

/* curl rewinds the body to send it again (after a redirect or a 401). */
static int seek_cb(void *data, curl_off_t offset, int origin)
{
        struct upload *u = data;
        if (origin != SEEK_SET || offset < 0 || offset > upload_size(u->req))
                return CURL_SEEKFUNC_CANTSEEK;
        u->sent = offset;
        return CURL_SEEKFUNC_OK;
}

void registry_setup_easy(CURL *c, const struct registry_endpoint *ep, char *errbuf)
{
        errbuf[0] = '\0';
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "vessel/" VESSEL_VERSION);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME_S);
        /* Blob storage may redirect (to S3, a CDN); never to another protocol. */
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, ep->verify ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, ep->verify ? 2L : 0L);
        /* The extra CA replaces the bundle file; the system's CA directory stays. */
        if (ep->ca)
                curl_easy_setopt(c, CURLOPT_CAINFO, ep->ca);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, registry_header_cb);
}

static int method_setup(CURL *c, const struct http_request *req, struct upload *up)
{
        const char *m = req->method;
        if (strcmp(m, "GET") == 0)
                return curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        if (strcmp(m, "HEAD") == 0)
                return curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        if (strcmp(m, "POST") == 0) {
                curl_easy_setopt(c, CURLOPT_POST, 1L);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
                return curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        }
        /* PUT and PATCH send a body from the read callback. */
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(c, CURLOPT_READDATA, up);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, seek_cb);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, up);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t) upload_size(req));
        if (strcmp(m, "PUT") != 0)
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
        return CURLE_OK;
}

int http_perform(struct vs_registry *r, const struct registry_endpoint *ep, const struct http_request *req,
                 const char *authorization, struct http_response *resp, const char *object, struct vs_error *err)
{
        CURL *c = r->curl;
        curl_easy_reset(c);
        registry_setup_easy(c, ep, resp->curl_error);
        struct curl_slist *headers = NULL;
        _cleanup_free_ char *auth_header = NULL;
        bool ok = true;
        for (struct curl_slist *h = req->headers; h && ok; h = h->next)
                ok = (headers = curl_slist_append(headers, h->data)) != NULL;
        if (ok && authorization)
                ok = asprintf(&auth_header, "Authorization: %s", authorization) >= 0 &&
                     (headers = curl_slist_append(headers, auth_header)) != NULL;
        /* No "Expect: 100-continue" round trip before a body. */
        if (ok)
                ok = (headers = curl_slist_append(headers, "Expect:")) != NULL;
        if (!ok) {
                curl_slist_free_all(headers);
                return vs_error_errno(err, ENOMEM, "%s: %s", ep->name, object);
        }
        struct body_sink sink = {.resp = resp, .max = req->max_response};
        struct upload up = {.req = req};
        curl_easy_setopt(c, CURLOPT_URL, req->url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req->no_redirect ? 0L : 1L);
        method_setup(c, req, &up);
        CURLcode code = curl_easy_perform(c);
        curl_slist_free_all(headers);
        resp->curl_code = code;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
        if (code == CURLE_OK)
                return 0;
        if (resp->truncated)
                return vs_error_set(err, EFBIG, "%s: %s: the answer is larger than %zu bytes", ep->name, object,
                                    req->max_response);
        if (up.read_errno)
                return vs_error_errno(err, up.read_errno, "%s: %s: cannot read what to send", ep->name, object);
        return registry_curl_error(ep, object, code, resp->curl_error, err);
}

/* --- errors ---------------------------------------------------------------------------- */

static int curl_code_errno(int code)
{
        switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return EHOSTUNREACH;
        case CURLE_COULDNT_CONNECT:
                return ECONNREFUSED;
        case CURLE_OPERATION_TIMEDOUT:
                return ETIMEDOUT;
        case CURLE_OUT_OF_MEMORY:
                return ENOMEM;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
                return EPROTO;
        default:
                return EIO;
        }
}

int registry_curl_error(const struct registry_endpoint *ep, const char *object, int code, const char *detail,
                        struct vs_error *err)
{
        const char *text = detail && *detail ? detail : curl_easy_strerror((CURLcode) code);
        if (code == CURLE_OPERATION_TIMEDOUT)
                return vs_error_set(err, ETIMEDOUT, "%s: %s: the registry stopped answering (%s)", ep->name, object,
                                    text);
        return vs_error_set(err, curl_code_errno(code), "%s: %s: %s", ep->name, object, text);
}

static const char *status_phrase(long status)
{
        switch (status) {
        case 400:
                return "bad request";
        case 401:
                return "unauthorized";
        case 403:
                return "denied";
        case 404:
                return "not found";
        case 405:
                return "method not allowed";
        case 409:
                return "conflict";
        case 416:
                return "range not satisfiable";
        case 429:
                return "too many requests";
        default:
                return status >= 500 ? "registry error" : "unexpected answer";
        }
}

static int status_errno(long status)
{
        switch (status) {
        case 401:
        case 403:
                return EACCES;
        case 404:
                return ENOENT;
        case 405:
                return EOPNOTSUPP;
        case 429:
                return EBUSY;
        case 400:
                return EINVAL;
        default:
                return status >= 500 ? EIO : EPROTO;
        }
}

/* "CODE: message" of the spec's {"errors":[{"code","message"}]}, or "". */
static void error_body_text(const struct http_response *resp, char *buf, size_t sz)
{
        buf[0] = '\0';
        if (!resp->body || resp->len == 0)
                return;
        json_t *root = json_loadb(resp->body, resp->len, 0, NULL);
        json_t *first = json_array_get(json_object_get(root, "errors"), 0);
        const char *code = json_string_value(json_object_get(first, "code"));
        const char *message = json_string_value(json_object_get(first, "message"));
        if (code && message)
                snprintf(buf, sz, ": %s: %s", code, message);
        else if (code || message)
                snprintf(buf, sz, ": %s", code ? code : message);
        json_decref(root);
}

int registry_http_error(const struct registry_endpoint *ep, const char *object, const struct http_response *resp,
                        struct vs_error *err)
{
        char detail[512], hint[256] = "";
        error_body_text(resp, detail, sizeof(detail));
        if (resp->status == 401 && ep->user)
                snprintf(hint, sizeof(hint), " (the credentials of %s were refused)", ep->user);
        else if (resp->status == 401)
                snprintf(hint, sizeof(hint), " (no credentials for %s: log in first)", ep->cred_domain);
        return vs_error_set(err, status_errno(resp->status), "%s: %s: HTTP %ld %s%s%s", ep->name, object, resp->status,
                            status_phrase(resp->status), detail, hint);
}

/* --- the handle ------------------------------------------------------------------------ */

int vs_registry_open(const struct vs_image_ref *ref, const struct vs_registry_options *opts, struct vs_registry **ret,
                     struct vs_error *err)
{
        struct vs_registry *r = calloc(1, sizeof(*r));
        if (!r)
                return vs_error_errno(err, ENOMEM, "cannot open %s/%s", ref->domain, ref->path);
        r->push = opts && opts->push;
        bool ok = asprintf(&r->name, "%s/%s", ref->domain, ref->path) >= 0;
        if (!ok)
                r->name = NULL;
        if (ok && opts && opts->auth_file)
                ok = (r->auth_file = strdup(opts->auth_file)) != NULL;
        if (ok && opts && opts->username)
                ok = (r->opt_user = strdup(opts->username)) &&
                     (r->opt_password = strdup(opts->password ? opts->password : ""));
        if (ok)
                ok = (r->curl = curl_easy_init()) != NULL;
        if (!ok) {
                vs_registry_free(r);
                return vs_error_errno(err, ENOMEM, "cannot open %s/%s", ref->domain, ref->path);
        }
        int rc = registry_endpoints_init(r, ref->domain, ref->path, opts, !r->push, err);
        if (rc < 0) {
                vs_registry_free(r);
                return rc;
        }
        *ret = r;
        return 0;
}

void vs_registry_free(struct vs_registry *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_endpoints; i++)
                registry_endpoint_clear(&r->endpoints[i]);
        free(r->endpoints);
        free(r->name);
        free(r->auth_file);
        free(r->opt_user);
        if (r->opt_password)
                explicit_bzero(r->opt_password, strlen(r->opt_password));
        free(r->opt_password);
        if (r->curl)
                curl_easy_cleanup(r->curl);
        free(r);
}

/* One request with the auth the endpoint asks for. A 401 is answered once
 * more with what it asks (a new challenge, or a fresh token for an expired
 * one); any status is then the caller's to judge. */
int registry_request(struct vs_registry *r, struct registry_endpoint *ep, const char *scope,
                     const struct http_request *req, struct http_response *resp, const char *object,
                     struct vs_error *err)
{
        for (int attempt = 0;; attempt++) {
                _cleanup_free_ char *authorization = NULL;
                int rc = registry_authorization(r, ep, scope, object, &authorization, err);
                if (rc < 0)
                        return rc;
                http_response_free(resp);
                rc = http_perform(r, ep, req, authorization, resp, object, err);
                if (rc < 0 || resp->status != 401 || attempt > 0)
                        return rc;
                bool new_challenge =
                        resp->challenge.kind != REGISTRY_AUTH_NONE &&
                        (resp->challenge.kind != ep->challenge.kind || resp->challenge.kind == REGISTRY_AUTH_BEARER);
                if (!new_challenge)
                        return 0;
                registry_auth_reset(ep, &resp->challenge);
        }
}

/* The endpoint blobs are read from: the one that served the manifest, else
 * the first (mirrors first) that answers at all. */
static int active_endpoint(struct vs_registry *r, const char *object, struct registry_endpoint **ret,
                           struct vs_error *err)
{
        int rc = 0;
        for (size_t i = 0; !r->active_chosen && i < r->n_endpoints; i++) {
                rc = registry_ping(r, &r->endpoints[i], object, err);
                if (rc >= 0) {
                        r->active = i;
                        r->active_chosen = true;
                } else if (i + 1 < r->n_endpoints)
                        vs_error_ignore(err);
        }
        if (rc < 0)
                return rc;
        *ret = &r->endpoints[r->active];
        return 0;
}

static bool is_digest_reference(const char *reference)
{
        return strchr(reference, ':') != NULL;
}

/* A tag as the distribution spec has it, [A-Za-z0-9_][A-Za-z0-9_.-]{0,127},
 * or a digest: nothing else goes into a URL. */
static int check_reference(const char *name, const char *reference, struct vs_error *err)
{
        if (is_digest_reference(reference)) {
                if (vs_digest_validate(reference, err) < 0)
                        return vs_error_wrap(err, "%s: manifest %s", name, reference);
                return 0;
        }
        size_t len = strlen(reference);
        bool ok = len > 0 && len <= 128 && reference[0] != '.' && reference[0] != '-';
        for (size_t i = 0; ok && i < len; i++) {
                char c = reference[i];
                ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                     c == '.' || c == '-';
        }
        if (!ok)
                return vs_error_set(err, EINVAL, "%s: manifest %s: invalid tag", name, reference);
        return 0;
}

/* --- manifests ------------------------------------------------------------------------- */

/* The media type of a manifest: the Content-Type without parameters, or
 * the document's own mediaType when the registry sent a generic one. */
static char *manifest_media_type(const struct http_response *resp)
{
        _cleanup_free_ char *ct = NULL;
        if (resp->content_type) {
                size_t len = strcspn(resp->content_type, "; \t");
                ct = strndup(resp->content_type, len);
                if (!ct)
                        return NULL;
        }
        if (ct && strcmp(ct, "application/json") != 0 && strcmp(ct, "text/plain") != 0 &&
            strcmp(ct, "application/octet-stream") != 0)
                return TAKE_PTR(ct);
        json_t *root = json_loadb(resp->body, resp->len, 0, NULL);
        const char *mt = json_string_value(json_object_get(root, "mediaType"));
        char *out = strdup(mt ? mt : ct ? ct : "application/octet-stream");
        json_decref(root);
        return out;
}

static int get_manifest_from(struct vs_registry *r, struct registry_endpoint *ep, const char *reference,
                             struct http_response *resp, char digest[VS_DIGEST_MAX], struct vs_error *err)
{
        char object[VS_DIGEST_MAX + 160];
        snprintf(object, sizeof(object), "manifest %s", reference);
        int rc = registry_ping(r, ep, object, err);
        if (rc < 0)
                return rc;
        _cleanup_free_ char *suffix = NULL, *url = NULL, *scope = NULL;
        if (asprintf(&suffix, "%s/manifests/%s", ep->path, reference) < 0 || !(url = registry_url(ep, suffix)) ||
            registry_scope(r, ep, &scope) < 0)
                return vs_error_errno(err, ENOMEM, "%s: %s", ep->name, object);
        struct curl_slist accept = {.data = (char *) MANIFEST_ACCEPT};
        struct http_request req = {
                .method = "GET", .url = url, .headers = &accept, .body_fd = -1, .max_response = REGISTRY_MANIFEST_MAX};
        rc = registry_request(r, ep, scope, &req, resp, object, err);
        if (rc < 0)
                return rc;
        if (resp->status != 200)
                return registry_http_error(ep, object, resp, err);
        rc = vs_digest_buffer(resp->body ? resp->body : "", resp->len, digest, err);
        if (rc < 0)
                return vs_error_wrap(err, "%s: %s", ep->name, object);
        if (is_digest_reference(reference) && strcmp(digest, reference) != 0)
                return vs_error_set(err, EBADMSG, "%s: %s: the registry sent content whose digest is %s", ep->name,
                                    object, digest);
        return 0;
}

int vs_registry_get_manifest(struct vs_registry *r, const char *reference, char **body, size_t *len,
                             char **content_type, char digest[VS_DIGEST_MAX], struct vs_error *err)
{
        int rc = check_reference(r->name, reference, err);
        if (rc < 0)
                return rc;
        /* Mirrors first (they come first in the list), the registry last; the
         * one that answers serves the blobs too. */
        for (size_t i = 0; i < r->n_endpoints; i++) {
                struct http_response resp = {0};
                char d[VS_DIGEST_MAX];
                rc = get_manifest_from(r, &r->endpoints[i], reference, &resp, d, err);
                char *ct = rc >= 0 ? manifest_media_type(&resp) : NULL;
                if (rc >= 0 && !ct)
                        rc = vs_error_errno(err, ENOMEM, "%s: manifest %s", r->endpoints[i].name, reference);
                if (rc >= 0) {
                        r->active = i;
                        r->active_chosen = true;
                        *body = resp.body ? TAKE_PTR(resp.body) : strdup("");
                        *len = resp.len;
                        *content_type = ct;
                        memcpy(digest, d, VS_DIGEST_MAX);
                        http_response_free(&resp);
                        if (!*body) {
                                free(ct);
                                return vs_error_errno(err, ENOMEM, "%s: manifest %s", r->name, reference);
                        }
                        return 0;
                }
                http_response_free(&resp);
                if (i + 1 < r->n_endpoints)
                        vs_error_ignore(err);
        }
        return rc;
}

int vs_registry_put_manifest(struct vs_registry *r, const char *reference, const char *media_type, const char *body,
                             size_t len, struct vs_error *err)
{
        struct registry_endpoint *ep = &r->endpoints[r->n_endpoints - 1];
        char object[VS_DIGEST_MAX + 160];
        snprintf(object, sizeof(object), "manifest %s", reference);
        char digest[VS_DIGEST_MAX];
        int rc = check_reference(ep->name, reference, err);
        if (rc < 0)
                return rc;
        if ((rc = vs_digest_buffer(body, len, digest, err)) < 0)
                return vs_error_wrap(err, "%s: %s", ep->name, object);
        if (is_digest_reference(reference) && strcmp(reference, digest) != 0)
                return vs_error_set(err, EINVAL, "%s: %s: the manifest's digest is %s", ep->name, object, digest);
        if ((rc = registry_ping(r, ep, object, err)) < 0)
                return rc;
        _cleanup_free_ char *suffix = NULL, *url = NULL, *scope = NULL, *ct = NULL;
        if (asprintf(&suffix, "%s/manifests/%s", ep->path, reference) < 0 || !(url = registry_url(ep, suffix)) ||
            registry_scope(r, ep, &scope) < 0 || asprintf(&ct, "Content-Type: %s", media_type) < 0)
                return vs_error_errno(err, ENOMEM, "%s: %s", ep->name, object);
        struct curl_slist type = {.data = ct};
        struct http_request req = {.method = "PUT",
                                   .url = url,
                                   .headers = &type,
                                   .body = body,
                                   .body_len = len,
                                   .body_fd = -1,
                                   .max_response = REGISTRY_SMALL_BODY_MAX};
        struct http_response resp = {0};
        rc = registry_request(r, ep, scope, &req, &resp, object, err);
        if (rc >= 0 && resp.status != 201 && resp.status != 200)
                rc = registry_http_error(ep, object, &resp, err);
        if (rc >= 0 && resp.digest && strcmp(resp.digest, digest) != 0)
                rc = vs_error_set(err, EBADMSG, "%s: %s: the registry stored it as %s, not %s", ep->name, object,
                                  resp.digest, digest);
        http_response_free(&resp);
        return rc;
}

/* --- small blobs ----------------------------------------------------------------------- */

/* The blob's URL (once the endpoint's scheme is known) and the scope to read it. */
static int blob_url(struct vs_registry *r, struct registry_endpoint *ep, const char *object, const char *digest,
                    char **url, char **scope, struct vs_error *err)
{
        int rc = registry_ping(r, ep, object, err);
        if (rc < 0)
                return rc;
        _cleanup_free_ char *suffix = NULL;
        if (asprintf(&suffix, "%s/blobs/%s", ep->path, digest) < 0 || !(*url = registry_url(ep, suffix)))
                return vs_error_errno(err, ENOMEM, "%s: %s", ep->name, object);
        if (registry_scope(r, ep, scope) < 0) {
                free(*url);
                *url = NULL;
                return vs_error_errno(err, ENOMEM, "%s: %s", ep->name, object);
        }
        return 0;
}

int vs_registry_get_blob(struct vs_registry *r, const char *digest, size_t max, char **data, size_t *len,
                         struct vs_error *err)
{
        struct registry_endpoint *ep = NULL;
        char object[VS_DIGEST_MAX + 16];
        snprintf(object, sizeof(object), "blob %s", digest);
        if (vs_digest_validate(digest, err) < 0)
                return vs_error_wrap(err, "%s", r->name);
        _cleanup_free_ char *url = NULL, *scope = NULL;
        int rc = active_endpoint(r, object, &ep, err);
        if (rc >= 0)
                rc = blob_url(r, ep, object, digest, &url, &scope, err);
        if (rc < 0)
                return rc;
        struct http_request req = {.method = "GET", .url = url, .body_fd = -1, .max_response = max};
        struct http_response resp = {0};
        rc = registry_request(r, ep, scope, &req, &resp, object, err);
        char got[VS_DIGEST_MAX];
        if (rc >= 0 && resp.status != 200)
                rc = registry_http_error(ep, object, &resp, err);
        if (rc >= 0 && (rc = vs_digest_buffer(resp.body ? resp.body : "", resp.len, got, err)) < 0)
                vs_error_wrap(err, "%s: %s", ep->name, object);
        if (rc >= 0 && strcmp(got, digest) != 0)
                rc = vs_error_set(err, EBADMSG, "%s: %s: the registry sent content whose digest is %s", ep->name,
                                  object, got);
        if (rc >= 0) {
                *data = resp.body ? TAKE_PTR(resp.body) : strdup("");
                *len = resp.len;
                if (!*data)
                        rc = vs_error_errno(err, ENOMEM, "%s: %s", ep->name, object);
        }
        http_response_free(&resp);
        return rc;
}

int vs_registry_blob_exists(struct vs_registry *r, const char *digest, bool *ret, struct vs_error *err)
{
        struct registry_endpoint *ep = NULL;
        char object[VS_DIGEST_MAX + 16];
        snprintf(object, sizeof(object), "blob %s", digest);
        if (vs_digest_validate(digest, err) < 0)
                return vs_error_wrap(err, "%s", r->name);
        _cleanup_free_ char *url = NULL, *scope = NULL;
        int rc = active_endpoint(r, object, &ep, err);
        if (rc >= 0)
                rc = blob_url(r, ep, object, digest, &url, &scope, err);
        if (rc < 0)
                return rc;
        struct http_request req = {
                .method = "HEAD", .url = url, .body_fd = -1, .max_response = REGISTRY_SMALL_BODY_MAX};
        struct http_response resp = {0};
        rc = registry_request(r, ep, scope, &req, &resp, object, err);
        if (rc >= 0 && resp.status != 200 && resp.status != 404)
                rc = registry_http_error(ep, object, &resp, err);
        if (rc >= 0)
                *ret = resp.status == 200;
        http_response_free(&resp);
        return rc;
}

/* --- pulling blobs in parallel --------------------------------------------------------- */

/* One blob download in the curl multi. */
struct fetch {
        struct registry_endpoint *ep;
        struct vs_blob_transfer *blob;
        size_t index;
        CURL *easy;
        struct curl_slist *headers;
        struct http_response resp; /* headers, and the body when it is an error */
        int64_t pos;               /* where the next byte goes in blob->fd */
        long status;
        bool checked;   /* the status was looked at when the body began */
        bool failed;    /* blob->err holds why */
        bool need_auth; /* a 401 to answer in the next round */
        int64_t reported_at;
        vs_progress_fn progress;
        void *progress_data;
        char object[VS_DIGEST_MAX + 16];
};

static size_t fetch_fail(struct fetch *f, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Record why transfer f failed (errnum 0: a protocol error); returns 0, which aborts it. */
static size_t fetch_fail(struct fetch *f, int errnum, const char *fmt, ...)
{
        char what[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        if (errnum == 0)
                vs_error_set(&f->blob->err, EPROTO, "%s: %s: %s", f->ep->name, f->object, what);
        else
                vs_error_errno(&f->blob->err, errnum, "%s: %s: %s", f->ep->name, f->object, what);
        f->failed = true;
        return 0;
}

static void fetch_report(struct fetch *f, bool force)
{
        int64_t t = now_ns();
        if (!f->progress || (!force && t - f->reported_at < PROGRESS_INTERVAL_NS))
                return;
        f->reported_at = t;
        f->progress(f->progress_data, f->index, f->pos, f->blob->size);
}

/* The status is known when the body begins: a 200 to a Range request means
 * the server starts over, so does the file; a 206 must resume where we are. */
static size_t fetch_check_status(struct fetch *f)
{
        f->checked = true;
        curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
        if (f->status == 200 && f->pos > 0) {
                if (ftruncate(f->blob->fd, 0) < 0)
                        return fetch_fail(f, errno, "cannot restart the download");
                f->pos = 0;
        } else if (f->status == 206) {
                long long start = -1;
                if (!f->resp.content_range || sscanf(f->resp.content_range, "bytes %lld-", &start) != 1 ||
                    start != f->pos)
                        return fetch_fail(f, 0, "the registry resumed at byte %lld, not %lld", start,
                                          (long long) f->pos);
        }
        return 1;
}

static size_t fetch_write_cb(char *buf, size_t size, size_t n, void *data)
{
        struct fetch *f = data;
        size_t len = size * n;
        if (!f->checked && fetch_check_status(f) == 0)
                return 0;
        if (f->status != 200 && f->status != 206) {
                /* An error's body, kept for its message. */
                if (f->resp.len + len <= REGISTRY_SMALL_BODY_MAX) {
                        char *grown = realloc(f->resp.body, f->resp.len + len + 1);
                        if (!grown)
                                return 0;
                        f->resp.body = grown;
                        memcpy(f->resp.body + f->resp.len, buf, len);
                        f->resp.len += len;
                        f->resp.body[f->resp.len] = '\0';
                }
                return len;
        }
        if (f->blob->size >= 0 && f->pos + (int64_t) len > f->blob->size)
                return fetch_fail(f, 0, "the registry sends more than its size of %lld bytes",
                                  (long long) f->blob->size);
        for (size_t off = 0; off < len;) {
                ssize_t w = pwrite(f->blob->fd, buf + off, len - off, f->pos);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return fetch_fail(f, w < 0 ? errno : EIO, "cannot write byte %lld of it", (long long) f->pos);
                off += (size_t) w;
                f->pos += w;
        }
        fetch_report(f, false);
        return len;
}

static int fetch_start(struct fetch *f, CURLM *m, const char *authorization)
{
        struct vs_blob_transfer *b = f->blob;
        _cleanup_free_ char *suffix = NULL, *url = NULL, *auth = NULL;
        char range[32];
        f->pos = b->offset;
        f->checked = f->failed = f->need_auth = false;
        http_response_free(&f->resp);
        if (asprintf(&suffix, "%s/blobs/%s", f->ep->path, b->digest) < 0 || !(url = registry_url(f->ep, suffix)) ||
            !(f->easy = curl_easy_init()) ||
            (authorization && asprintf(&auth, "Authorization: %s", authorization) < 0) ||
            (auth && !(f->headers = curl_slist_append(NULL, auth))))
                return vs_error_errno(&b->err, ENOMEM, "%s: %s", f->ep->name, f->object);
        registry_setup_easy(f->easy, f->ep, f->resp.curl_error);
        curl_easy_setopt(f->easy, CURLOPT_URL, url);
        curl_easy_setopt(f->easy, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(f->easy, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->headers);
        curl_easy_setopt(f->easy, CURLOPT_HEADERDATA, &f->resp);
        curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, fetch_write_cb);
        curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
        curl_easy_setopt(f->easy, CURLOPT_PRIVATE, f);
        if (f->pos > 0) {
                snprintf(range, sizeof(range), "%lld-", (long long) f->pos);
                curl_easy_setopt(f->easy, CURLOPT_RANGE, range);
        }
        if (curl_multi_add_handle(m, f->easy) != CURLM_OK)
                return vs_error_set(&b->err, EIO, "%s: %s: cannot start the download", f->ep->name, f->object);
        fetch_report(f, true);
        return 0;
}

static void fetch_cleanup(struct fetch *f, CURLM *m)
{
        if (f->easy) {
                if (m)
                        curl_multi_remove_handle(m, f->easy);
                curl_easy_cleanup(f->easy);
                f->easy = NULL;
        }
        curl_slist_free_all(f->headers);
        f->headers = NULL;
}

/* A transfer ended: judge it, and set blob->status. */
static void fetch_done(struct fetch *f, CURLcode code, bool may_retry_auth)
{
        struct vs_blob_transfer *b = f->blob;
        if (!f->checked)
                curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
        if (f->failed)
                ;
        else if (code == CURLE_PARTIAL_FILE && b->size >= 0)
                fetch_fail(f, 0, "truncated: the registry sent %lld of %lld bytes", (long long) f->pos,
                           (long long) b->size);
        else if (code != CURLE_OK)
                registry_curl_error(f->ep, f->object, code, f->resp.curl_error, &b->err);
        else if (f->status == 401 && may_retry_auth)
                f->need_auth = true;
        else if (f->status != 200 && f->status != 206) {
                f->resp.status = f->status;
                registry_http_error(f->ep, f->object, &f->resp, &b->err);
        } else if (b->size >= 0 && f->pos != b->size)
                fetch_fail(f, 0, "truncated: the registry sent %lld of %lld bytes", (long long) f->pos,
                           (long long) b->size);
        else
                fetch_report(f, true);
        b->status = f->need_auth ? 0 : -b->err.code;
}

/* Run the transfers listed in `todo`, at most MAX_PARALLEL at once. */
static void fetch_round(struct fetch *fetches, const size_t *todo, size_t n, const char *authorization,
                        bool may_retry_auth)
{
        CURLM *m = curl_multi_init();
        size_t next = 0, active = 0;
        while (next < n || active > 0) {
                while (m && active < MAX_PARALLEL && next < n) {
                        struct fetch *f = &fetches[todo[next++]];
                        if (fetch_start(f, m, authorization) < 0) {
                                f->blob->status = -f->blob->err.code;
                                fetch_cleanup(f, NULL);
                        } else
                                active++;
                }
                if (!m || active == 0)
                        break;
                int still = 0, left = 0;
                curl_multi_perform(m, &still);
                CURLMsg *msg;
                while ((msg = curl_multi_info_read(m, &left))) {
                        if (msg->msg != CURLMSG_DONE)
                                continue;
                        struct fetch *f = NULL;
                        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &f);
                        fetch_done(f, msg->data.result, may_retry_auth);
                        fetch_cleanup(f, m);
                        active--;
                }
                if (active > 0 && still > 0)
                        curl_multi_poll(m, NULL, 0, 1000, NULL);
        }
        for (size_t i = 0; !m && i < n; i++) {
                struct vs_blob_transfer *b = fetches[todo[i]].blob;
                b->status = vs_error_set(&b->err, ENOMEM, "cannot start downloads");
        }
        if (m)
                curl_multi_cleanup(m);
}

/* Check a transfer before asking for it; false when there is nothing to ask
 * (a bad digest, already failed; or every byte already there). */
static bool fetch_prepare(struct vs_registry *r, struct fetch *f)
{
        struct vs_blob_transfer *b = f->blob;
        snprintf(f->object, sizeof(f->object), "blob %s", b->digest);
        b->status = 0;
        b->err = (struct vs_error) VS_ERROR_INIT;
        if (vs_digest_validate(b->digest, &b->err) < 0) {
                b->status = vs_error_wrap(&b->err, "%s", r->name);
                return false;
        }
        /* More bytes than the blob has: the file is not it, start over. */
        if (b->size >= 0 && b->offset > b->size) {
                if (ftruncate(b->fd, 0) < 0) {
                        b->status = vs_error_syscall(&b->err, "%s: %s: cannot restart the download", f->ep->name,
                                                     f->object);
                        return false;
                }
                b->offset = 0;
        }
        f->pos = b->offset;
        /* An interrupted pull that had every byte: nothing to ask for. */
        if (b->size >= 0 && b->offset == b->size) {
                fetch_report(f, true);
                return false;
        }
        return true;
}

/* Two rounds: the second answers the 401s of the first (a token that
 * expired meanwhile, a new challenge). */
static void fetch_rounds(struct vs_registry *r, struct registry_endpoint *ep, const char *scope, const char *object,
                         struct fetch *fetches, size_t *todo, size_t count)
{
        for (int round = 0; round < 2 && count > 0; round++) {
                _cleanup_free_ char *authorization = NULL;
                struct vs_error aerr = VS_ERROR_INIT;
                if (registry_authorization(r, ep, scope, object, &authorization, &aerr) < 0) {
                        for (size_t i = 0; i < count; i++) {
                                fetches[todo[i]].blob->err = aerr;
                                fetches[todo[i]].blob->status = -aerr.code;
                        }
                        return;
                }
                fetch_round(fetches, todo, count, authorization, round == 0);
                size_t again = 0;
                for (size_t i = 0; i < count; i++) {
                        struct fetch *f = &fetches[todo[i]];
                        if (f->need_auth) {
                                registry_auth_reset(ep, &f->resp.challenge);
                                todo[again++] = todo[i];
                        }
                }
                count = again;
        }
}

int vs_registry_fetch_blobs(struct vs_registry *r, struct vs_blob_transfer *blobs, size_t n, vs_progress_fn progress,
                            void *progress_data, struct vs_error *err)
{
        /* What errors before any transfer (no registry, no token) are about. */
        char object[VS_DIGEST_MAX + 32];
        if (n == 1)
                snprintf(object, sizeof(object), "blob %s", blobs[0].digest);
        else
                snprintf(object, sizeof(object), "%zu blobs", n);
        struct registry_endpoint *ep = NULL;
        int rc = active_endpoint(r, object, &ep, err);
        if (rc < 0) {
                for (size_t i = 0; i < n; i++) {
                        blobs[i].err = *err;
                        blobs[i].status = rc;
                }
                return rc;
        }
        _cleanup_free_ struct fetch *fetches = calloc(n ? n : 1, sizeof(*fetches));
        _cleanup_free_ size_t *todo = calloc(n ? n : 1, sizeof(*todo));
        _cleanup_free_ char *scope = NULL;
        if (!fetches || !todo || registry_scope(r, ep, &scope) < 0)
                return vs_error_errno(err, ENOMEM, "%s: cannot download blobs", r->name);
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
                fetches[i] = (struct fetch){
                        .ep = ep, .blob = &blobs[i], .index = i, .progress = progress, .progress_data = progress_data};
                if (fetch_prepare(r, &fetches[i]))
                        todo[count++] = i;
        }
        fetch_rounds(r, ep, scope, object, fetches, todo, count);
        for (size_t i = 0; i < n; i++) {
                http_response_free(&fetches[i].resp);
                if (rc == 0 && blobs[i].status < 0) {
                        *err = blobs[i].err;
                        rc = blobs[i].status;
                }
        }
        return rc;
}
