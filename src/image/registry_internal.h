/* vessel: the parts of the registry client shared by registry.c (requests,
 * manifests, blobs) and registry_auth.c (endpoints, challenges, tokens).
 * Private to src/image. */
#ifndef VESSEL_IMAGE_REGISTRY_INTERNAL_H
#define VESSEL_IMAGE_REGISTRY_INTERNAL_H

#include "image/lazy_curl.h"
#include <stdbool.h>
#include <stdint.h>

#include "image/registry.h"

/* Manifests and configs are small; a larger answer is not one. */
#define REGISTRY_MANIFEST_MAX (4u << 20)
/* What is kept of an error body or a token answer. */
#define REGISTRY_SMALL_BODY_MAX (256u << 10)

enum registry_auth_kind {
        REGISTRY_AUTH_NONE,   /* the registry asked for nothing (yet) */
        REGISTRY_AUTH_BASIC,  /* send the credentials with every request */
        REGISTRY_AUTH_BEARER, /* send a token fetched from realm */
};

/* A parsed WWW-Authenticate challenge. */
struct registry_challenge {
        enum registry_auth_kind kind;
        char *realm;
        char *service;
        char *scope;
};

/* One place the repository can be read from: the registry itself or one of
 * its mirrors. Each has its own TLS settings, scheme and auth state. */
struct registry_endpoint {
        char *host;         /* host[:port] in URLs ("registry-1.docker.io" for docker.io) */
        char *path;         /* the repository's path there (a mirror may add a prefix) */
        char *name;         /* "host/path" as errors say it ("docker.io/library/busybox") */
        char *cred_domain;  /* the auth file key domain ("docker.io") */
        bool insecure;      /* plain HTTP allowed when HTTPS fails, and no TLS verification */
        bool verify;        /* verify the server's certificate */
        char *ca;           /* an extra CA file, or NULL */
        bool pinged;        /* GET /v2/ answered: scheme and auth are known */
        bool http;          /* speak plain HTTP */
        bool use_opt_creds; /* the options' --creds apply (the registry, not its mirrors) */
        bool creds_loaded;
        char *user, *password;
        struct registry_challenge challenge;
        char *token, *token_scope;
};

struct vs_registry {
        char *name;                          /* "domain/path" */
        struct registry_endpoint *endpoints; /* mirrors first, the registry last */
        size_t n_endpoints;
        size_t active;      /* where blobs are read from: the endpoint that served the manifest */
        bool active_chosen; /* else the first that answers, once asked */
        bool push;
        char *auth_file; /* NULL: the default */
        char *opt_user, *opt_password;
        CURL *curl; /* reused by sequential requests, so connections are kept */
};

/* One HTTP exchange. */
struct http_request {
        const char *method; /* GET HEAD POST PUT PATCH */
        const char *url;
        struct curl_slist *headers; /* extra headers (not owned) */
        const char *body;           /* an upload from memory ... */
        size_t body_len;
        int body_fd; /* ... or from a file (-1: none) */
        int64_t body_offset, body_size;
        size_t max_response; /* bytes of body kept; a longer body fails with EFBIG */
        bool no_redirect;
        /* upload progress */
        vs_progress_fn progress;
        void *progress_data;
        size_t progress_index;
        int64_t progress_base, progress_total;
};

struct http_response {
        long status;
        char *body;
        size_t len;
        bool truncated;
        char *content_type;
        char *location;
        char *digest; /* Docker-Content-Digest */
        char *range;  /* Range (upload progress) */
        char *content_range;
        struct registry_challenge challenge;
        int curl_code;
        char curl_error[CURL_ERROR_SIZE];
};

void http_response_free(struct http_response *resp);
/* "<scheme>://<host>/v2/<suffix>", malloc'd (NULL on ENOMEM). */
char *registry_url(const struct registry_endpoint *ep, const char *suffix);
/* Set the options every request of an endpoint has: TLS, timeouts, redirects, agent. */
void registry_setup_easy(CURL *c, const struct registry_endpoint *ep, char *errbuf);
/* The header callback: fills resp (reset at every new status line, so after
 * redirects it holds the final answer's headers). */
size_t registry_header_cb(char *buf, size_t size, size_t n, void *data);
/* Perform one request on r's easy handle, without auth handling. Fails only
 * when no HTTP answer came; the status is for the caller to judge. */
int http_perform(struct vs_registry *r, const struct registry_endpoint *ep, const struct http_request *req,
                 const char *authorization, struct http_response *resp, const char *object, struct vs_error *err);
/* An error for a failed transfer (curl) on `object` of ep. */
int registry_curl_error(const struct registry_endpoint *ep, const char *object, int code, const char *detail,
                        struct vs_error *err);
/* An error for an HTTP status that is not the expected one, with the
 * registry's error code and message when the body is the spec's JSON. */
int registry_http_error(const struct registry_endpoint *ep, const char *object, const struct http_response *resp,
                        struct vs_error *err);

/* registry_auth.c */
void registry_challenge_clear(struct registry_challenge *c);
/* Parse one WWW-Authenticate value; unknown schemes give kind NONE. */
int registry_challenge_parse(const char *value, struct registry_challenge *ret);
void registry_endpoint_clear(struct registry_endpoint *ep);
/* Fill the endpoints of r for domain/path from registries.conf and the options. */
int registry_endpoints_init(struct vs_registry *r, const char *domain, const char *path,
                            const struct vs_registry_options *opts, bool with_mirrors, struct vs_error *err);
/* GET /v2/ once, on behalf of `object` (errors name it): choose the scheme (HTTPS, or HTTP for an insecure registry
 * whose HTTPS fails) and learn the auth the registry asks for. */
int registry_ping(struct vs_registry *r, struct registry_endpoint *ep, const char *object, struct vs_error *err);
/* The Authorization header value for a request on `object` needing `scope`
 * (NULL for none): malloc'd, or NULL when the endpoint asks for no auth.
 * Errors (of the ping, of the token service) name the object. */
int registry_authorization(struct vs_registry *r, struct registry_endpoint *ep, const char *scope, const char *object,
                           char **ret, struct vs_error *err);
/* A 401 came with `challenge`: forget the token and take the new challenge. */
void registry_auth_reset(struct registry_endpoint *ep, struct registry_challenge *challenge);
/* The scope for this handle's repository ("repository:a/b:pull" or ":pull,push"). */
int registry_scope(const struct vs_registry *r, const struct registry_endpoint *ep, char **ret);

/* One request with the auth the endpoint asks for (registry.c): a 401 is
 * answered once more with what it asks; any status is then the caller's. */
int registry_request(struct vs_registry *r, struct registry_endpoint *ep, const char *scope,
                     const struct http_request *req, struct http_response *resp, const char *object,
                     struct vs_error *err);

#endif
