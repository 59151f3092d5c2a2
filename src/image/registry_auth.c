/* vessel: where and how the registry client speaks to a registry: its
 * endpoints (mirrors, then the registry) with their TLS settings from
 * registries.conf, the scheme each speaks, and the auth each asks for
 * (WWW-Authenticate: Basic, or Bearer with a token from the realm). */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include "util/lazy_crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/auth_file.h"
#include "image/registries_conf.h"
#include "image/registry_internal.h"
#include "util/cleanup.h"

#define DOCKER_HUB_ENDPOINT "registry-1.docker.io"

/* --- WWW-Authenticate ----------------------------------------------------------------- */

void registry_challenge_clear(struct registry_challenge *c)
{
        free(c->realm);
        free(c->service);
        free(c->scope);
        memset(c, 0, sizeof(*c));
}

/* One auth-param value: a quoted-string (with \ escapes) or a token. */
static const char *parse_param_value(const char *p, char **ret)
{
        size_t cap = strlen(p) + 1, n = 0;
        char *out = malloc(cap);
        if (!out)
                return NULL;
        if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                        if (*p == '\\' && p[1])
                                p++;
                        out[n++] = *p;
                }
                if (*p == '"')
                        p++;
        } else {
                while (*p && *p != ',' && *p != ' ' && *p != '\t')
                        out[n++] = *p++;
        }
        out[n] = '\0';
        *ret = out;
        return p;
}

int registry_challenge_parse(const char *value, struct registry_challenge *ret)
{
        struct registry_challenge c = {0};
        const char *p = value + strspn(value, " \t");
        size_t len = strcspn(p, " \t");
        if (len == 6 && strncasecmp(p, "Bearer", 6) == 0)
                c.kind = REGISTRY_AUTH_BEARER;
        else if (len == 5 && strncasecmp(p, "Basic", 5) == 0)
                c.kind = REGISTRY_AUTH_BASIC;
        else {
                *ret = c;
                return 0;
        }
        p += len;
        for (;;) {
                p += strspn(p, " \t,");
                if (!*p)
                        break;
                size_t klen = strcspn(p, "= \t,");
                const char *key = p;
                p += klen;
                p += strspn(p, " \t");
                if (*p != '=')
                        continue; /* a token68 or junk: nothing we use */
                p++;
                p += strspn(p, " \t");
                char *v = NULL;
                p = parse_param_value(p, &v);
                if (!p) {
                        registry_challenge_clear(&c);
                        return -ENOMEM;
                }
                char **field = klen == 5 && strncasecmp(key, "realm", 5) == 0     ? &c.realm
                               : klen == 7 && strncasecmp(key, "service", 7) == 0 ? &c.service
                               : klen == 5 && strncasecmp(key, "scope", 5) == 0   ? &c.scope
                                                                                  : NULL;
                if (field) {
                        free(*field);
                        *field = v;
                } else
                        free(v);
        }
        *ret = c;
        return 0;
}

/* --- endpoints ------------------------------------------------------------------------ */

void registry_endpoint_clear(struct registry_endpoint *ep)
{
        free(ep->host);
        free(ep->path);
        free(ep->name);
        free(ep->cred_domain);
        free(ep->ca);
        if (ep->password)
                explicit_bzero(ep->password, strlen(ep->password));
        free(ep->user);
        free(ep->password);
        registry_challenge_clear(&ep->challenge);
        free(ep->token);
        free(ep->token_scope);
        memset(ep, 0, sizeof(*ep));
}

/* Docker treats 127.0.0.0/8 (and localhost) as insecure registries by default. */
static bool is_loopback(const char *host)
{
        char name[256];
        if (host[0] == '[') {
                size_t len = strcspn(host + 1, "]");
                snprintf(name, sizeof(name), "%.*s", (int) len, host + 1);
                return strcmp(name, "::1") == 0;
        }
        snprintf(name, sizeof(name), "%.*s", (int) strcspn(host, ":"), host);
        if (strcasecmp(name, "localhost") == 0)
                return true;
        struct in_addr a;
        return inet_pton(AF_INET, name, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* TLS and scheme of an endpoint: the registries.conf entry for its host when
 * there is one, else docker's defaults; the options' tls_verify overrides. */
static int endpoint_security(struct registry_endpoint *ep, const struct vs_registry_entry *e, bool mirror_insecure,
                             int tls_verify)
{
        if (e) {
                ep->insecure = e->insecure || mirror_insecure;
                ep->verify = e->tls_verify >= 0 ? e->tls_verify == 1 : !ep->insecure;
                if (e->ca && !(ep->ca = strdup(e->ca)))
                        return -ENOMEM;
        } else {
                ep->insecure = mirror_insecure || is_loopback(ep->host);
                ep->verify = !ep->insecure;
        }
        if (tls_verify == 1) {
                ep->verify = true;
                ep->insecure = false;
        } else if (tls_verify == 0) {
                ep->verify = false;
                ep->insecure = true;
        }
        return 0;
}

/* One endpoint at `location` ("host[:port][/prefix]") serving `path`. */
static int endpoint_init(struct registry_endpoint *ep, const char *location, const char *path, const char *cred_domain,
                         const char *display, const struct vs_registries_conf *conf, bool mirror_insecure,
                         int tls_verify)
{
        size_t hlen = strcspn(location, "/");
        const char *prefix = location[hlen] ? location + hlen + 1 : NULL;
        ep->host = strndup(location, hlen);
        if (!ep->host)
                return -ENOMEM;
        char *domain_key = ep->host;
        if (strcasecmp(ep->host, VS_IMAGE_DEFAULT_DOMAIN) == 0 || strcasecmp(ep->host, "index.docker.io") == 0) {
                free(ep->host);
                if (!(ep->host = strdup(DOCKER_HUB_ENDPOINT)))
                        return -ENOMEM;
                domain_key = VS_IMAGE_DEFAULT_DOMAIN;
        }
        if (prefix && *path)
                (void) !asprintf(&ep->path, "%s/%s", prefix, path);
        else
                ep->path = strdup(prefix ? prefix : path);
        ep->cred_domain = strdup(cred_domain ? cred_domain : domain_key);
        if (*path)
                (void) !asprintf(&ep->name, "%s/%s", display ? display : location, path);
        else
                ep->name = strdup(display ? display : location);
        if (!ep->path || !ep->cred_domain || !ep->name)
                return -ENOMEM;
        const struct vs_registry_entry *e = vs_registries_conf_find(conf, domain_key);
        return endpoint_security(ep, e, mirror_insecure, tls_verify);
}

static int add_endpoint(struct vs_registry *r, const char *location, const char *path, const char *cred_domain,
                        const char *display, const struct vs_registries_conf *conf, bool mirror_insecure,
                        int tls_verify)
{
        struct registry_endpoint *n = realloc(r->endpoints, (r->n_endpoints + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        r->endpoints = n;
        struct registry_endpoint *ep = &r->endpoints[r->n_endpoints++];
        *ep = (struct registry_endpoint){0};
        return endpoint_init(ep, location, path, cred_domain, display, conf, mirror_insecure, tls_verify);
}

int registry_endpoints_init(struct vs_registry *r, const char *domain, const char *path,
                            const struct vs_registry_options *opts, bool with_mirrors, struct vs_error *err)
{
        struct vs_registries_conf conf = {0};
        int rc = vs_registries_conf_load(opts ? opts->registries_conf : NULL, &conf, err);
        if (rc < 0)
                return rc;
        int tls_verify = opts ? opts->tls_verify : -1;
        const struct vs_registry_entry *e = vs_registries_conf_find(&conf, domain);
        if (e && e->blocked) {
                vs_registries_conf_free(&conf);
                return vs_error_set(err, EPERM, "%s/%s: the registry %s is blocked in registries.conf", domain, path,
                                    domain);
        }
        /* Mirrors serve pulls only: a push goes to the registry itself. */
        for (size_t i = 0; e && with_mirrors && i < e->n_mirrors && rc >= 0; i++)
                rc = add_endpoint(r, e->mirrors[i].location, path, NULL, NULL, &conf, e->mirrors[i].insecure, -1);
        if (rc >= 0)
                rc = add_endpoint(r, domain, path, domain, domain, &conf, false, tls_verify);
        vs_registries_conf_free(&conf);
        if (rc < 0)
                return vs_error_errno(err, -rc, "cannot open %s/%s", domain, path);
        r->endpoints[r->n_endpoints - 1].use_opt_creds = true;
        r->active = r->n_endpoints - 1;
        return 0;
}

/* --- the scheme and the challenge ----------------------------------------------------- */

/* Errors after which an insecure registry is tried over plain HTTP: its
 * HTTPS failed, not the host (a refused or timed-out connection fails the same way). */
static bool http_may_help(int code)
{
        return code != CURLE_COULDNT_RESOLVE_HOST && code != CURLE_COULDNT_CONNECT &&
               code != CURLE_OPERATION_TIMEDOUT && code != CURLE_OUT_OF_MEMORY;
}

int registry_ping(struct vs_registry *r, struct registry_endpoint *ep, const char *object, struct vs_error *err)
{
        if (ep->pinged)
                return 0;
        struct http_response resp = {0};
        for (;;) {
                _cleanup_free_ char *url = registry_url(ep, "");
                if (!url)
                        return vs_error_errno(err, ENOMEM, "cannot reach %s", ep->name);
                struct http_request req = {
                        .method = "GET", .url = url, .body_fd = -1, .max_response = REGISTRY_SMALL_BODY_MAX};
                http_response_free(&resp);
                int rc = http_perform(r, ep, &req, NULL, &resp, object, err);
                if (rc >= 0)
                        break;
                if (ep->http || !ep->insecure || !http_may_help(resp.curl_code)) {
                        http_response_free(&resp);
                        return rc;
                }
                /* As docker does for an insecure registry: HTTPS first, then HTTP. */
                vs_error_ignore(err);
                ep->http = true;
        }
        registry_challenge_clear(&ep->challenge);
        if (resp.status == 401) {
                ep->challenge = resp.challenge;
                memset(&resp.challenge, 0, sizeof(resp.challenge));
        }
        http_response_free(&resp);
        ep->pinged = true;
        return 0;
}

void registry_auth_reset(struct registry_endpoint *ep, struct registry_challenge *challenge)
{
        free(ep->token);
        free(ep->token_scope);
        ep->token = ep->token_scope = NULL;
        if (challenge && challenge->kind != REGISTRY_AUTH_NONE) {
                registry_challenge_clear(&ep->challenge);
                ep->challenge = *challenge;
                memset(challenge, 0, sizeof(*challenge));
        }
}

/* --- credentials and tokens ----------------------------------------------------------- */

static int load_credentials(struct vs_registry *r, struct registry_endpoint *ep, struct vs_error *err)
{
        if (ep->creds_loaded)
                return 0;
        if (ep->use_opt_creds && r->opt_user) {
                ep->user = strdup(r->opt_user);
                ep->password = strdup(r->opt_password ? r->opt_password : "");
                if (!ep->user || !ep->password)
                        return vs_error_errno(err, ENOMEM, "cannot read the credentials for %s", ep->cred_domain);
        } else {
                int rc = vs_auth_file_get(r->auth_file, ep->cred_domain, &ep->user, &ep->password, err);
                if (rc < 0)
                        return vs_error_wrap(err, "%s: cannot read the credentials", ep->name);
        }
        ep->creds_loaded = true;
        return 0;
}

static char *basic_authorization(const char *user, const char *password)
{
        _cleanup_free_ char *plain = NULL;
        int n = asprintf(&plain, "%s:%s", user, password);
        if (n < 0)
                return NULL;
        size_t prefix = strlen("Basic ");
        char *out = malloc(prefix + ((size_t) n + 2) / 3 * 4 + 1);
        if (out) {
                memcpy(out, "Basic ", prefix);
                EVP_EncodeBlock((unsigned char *) out + prefix, (const unsigned char *) plain, n);
        }
        explicit_bzero(plain, (size_t) n);
        return out;
}

/* Append "&key=<escaped value>" (or "?" first) to *url. */
static int url_add_param(CURL *c, char **url, const char *key, const char *value)
{
        char *esc = curl_easy_escape(c, value, 0);
        if (!esc)
                return -ENOMEM;
        char *n = NULL;
        int rc = asprintf(&n, "%s%c%s=%s", *url, strchr(*url, '?') ? '&' : '?', key, esc);
        curl_free(esc);
        if (rc < 0)
                return -ENOMEM;
        free(*url);
        *url = n;
        return 0;
}

/* The token URL: realm?service=..&scope=..&scope=.. (one scope parameter per
 * space-separated scope, as docker sends them) and account= for a login. */
static int token_url(struct vs_registry *r, const struct registry_endpoint *ep, const char *scope, char **ret)
{
        _cleanup_free_ char *url = strdup(ep->challenge.realm);
        if (!url)
                return -ENOMEM;
        int rc = 0;
        if (ep->challenge.service)
                rc = url_add_param(r->curl, &url, "service", ep->challenge.service);
        if (rc >= 0 && !scope && ep->user)
                rc = url_add_param(r->curl, &url, "account", ep->user);
        for (const char *p = scope; rc >= 0 && p && *p;) {
                size_t len = strcspn(p, " ");
                _cleanup_free_ char *one = strndup(p, len);
                rc = one ? url_add_param(r->curl, &url, "scope", one) : -ENOMEM;
                p += len + strspn(p + len, " ");
        }
        if (rc < 0)
                return rc;
        *ret = TAKE_PTR(url);
        return 0;
}

static int token_rejected(const struct registry_endpoint *ep, const char *object, struct vs_error *err)
{
        if (ep->user)
                return vs_error_set(err, EACCES,
                                    "%s: %s: unauthorized: the token service %s rejected the credentials of %s",
                                    ep->name, object, ep->challenge.realm, ep->user);
        return vs_error_set(err, EACCES, "%s: %s: unauthorized: the token service %s refused anonymous access",
                            ep->name, object, ep->challenge.realm);
}

/* GET a token for scope (NULL: no scope, as a login asks) from the realm. */
static int fetch_token(struct vs_registry *r, struct registry_endpoint *ep, const char *scope, const char *object,
                       char **ret, struct vs_error *err)
{
        if (!ep->challenge.realm)
                return vs_error_set(err, EPROTO, "%s: %s: the registry asks for a bearer token but names no realm",
                                    ep->name, object);
        _cleanup_free_ char *url = NULL, *authorization = NULL;
        if (token_url(r, ep, scope, &url) < 0 ||
            (ep->user && !(authorization = basic_authorization(ep->user, ep->password))))
                return vs_error_errno(err, ENOMEM, "%s: %s: cannot ask for a token", ep->name, object);
        struct http_request req = {.method = "GET", .url = url, .body_fd = -1, .max_response = REGISTRY_SMALL_BODY_MAX};
        struct http_response resp = {0};
        char token_object[256];
        snprintf(token_object, sizeof(token_object), "%s: token from %s", object, ep->challenge.realm);
        int rc = http_perform(r, ep, &req, authorization, &resp, token_object, err);
        if (rc >= 0 && (resp.status == 401 || resp.status == 403))
                rc = token_rejected(ep, object, err);
        else if (rc >= 0 && resp.status != 200)
                rc = registry_http_error(ep, token_object, &resp, err);
        json_t *root = rc >= 0 ? json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL) : NULL;
        const char *token = json_string_value(json_object_get(root, "token"));
        if (!token || !*token)
                token = json_string_value(json_object_get(root, "access_token"));
        if (rc >= 0 && (!token || !*token))
                rc = vs_error_set(err, EPROTO, "%s: %s: the token service %s answered no token", ep->name, object,
                                  ep->challenge.realm);
        char *copy = rc >= 0 ? strdup(token) : NULL;
        if (rc >= 0 && !copy)
                rc = vs_error_errno(err, ENOMEM, "%s: cannot keep the token", ep->name);
        json_decref(root);
        http_response_free(&resp);
        if (rc >= 0)
                *ret = copy;
        return rc;
}

/* Does the cached token's scope hold every scope of `want`? */
static bool scope_covers(const char *have, const char *want)
{
        for (const char *p = want; *p;) {
                size_t len = strcspn(p, " ");
                bool found = false;
                for (const char *q = have; *q && !found;) {
                        size_t qlen = strcspn(q, " ");
                        found = qlen == len && strncmp(p, q, len) == 0;
                        q += qlen + strspn(q + qlen, " ");
                }
                if (!found)
                        return false;
                p += len + strspn(p + len, " ");
        }
        return true;
}

int registry_authorization(struct vs_registry *r, struct registry_endpoint *ep, const char *scope, const char *object,
                           char **ret, struct vs_error *err)
{
        int rc = registry_ping(r, ep, object, err);
        if (rc < 0)
                return rc;
        *ret = NULL;
        if (ep->challenge.kind == REGISTRY_AUTH_NONE)
                return 0;
        if ((rc = load_credentials(r, ep, err)) < 0)
                return rc;
        if (ep->challenge.kind == REGISTRY_AUTH_BASIC) {
                /* Without credentials the request goes out as is and its 401 says why. */
                if (ep->user && !(*ret = basic_authorization(ep->user, ep->password)))
                        return vs_error_errno(err, ENOMEM, "%s: cannot authenticate", ep->name);
                return 0;
        }
        if (!ep->token || !ep->token_scope || !scope_covers(ep->token_scope, scope ? scope : "")) {
                char *token = NULL;
                if ((rc = fetch_token(r, ep, scope, object, &token, err)) < 0)
                        return rc;
                free(ep->token);
                free(ep->token_scope);
                ep->token = token;
                ep->token_scope = strdup(scope ? scope : "");
                if (!ep->token_scope)
                        return vs_error_errno(err, ENOMEM, "%s: cannot keep the token", ep->name);
        }
        if (asprintf(ret, "Bearer %s", ep->token) < 0) {
                *ret = NULL;
                return vs_error_errno(err, ENOMEM, "%s: cannot authenticate", ep->name);
        }
        return 0;
}

int registry_scope(const struct vs_registry *r, const struct registry_endpoint *ep, char **ret)
{
        if (asprintf(ret, "repository:%s:%s", ep->path, r->push ? "pull,push" : "pull") < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* --- login ---------------------------------------------------------------------------- */

/* Basic: GET /v2/ with the credentials must answer 200. */
static int login_basic(struct vs_registry *r, struct registry_endpoint *ep, struct vs_error *err)
{
        _cleanup_free_ char *url = registry_url(ep, "");
        _cleanup_free_ char *authorization = basic_authorization(ep->user, ep->password);
        if (!url || !authorization)
                return vs_error_errno(err, ENOMEM, "cannot log in to %s", ep->name);
        struct http_request req = {.method = "GET", .url = url, .body_fd = -1, .max_response = REGISTRY_SMALL_BODY_MAX};
        struct http_response resp = {0};
        int rc = http_perform(r, ep, &req, authorization, &resp, "login", err);
        if (rc >= 0 && resp.status == 401)
                rc = vs_error_set(err, EACCES, "%s: unauthorized: incorrect username or password", ep->name);
        else if (rc >= 0 && resp.status != 200)
                rc = registry_http_error(ep, "login", &resp, err);
        http_response_free(&resp);
        return rc;
}

int vs_registry_login(const char *domain, const struct vs_registry_options *opts, struct vs_error *err)
{
        struct vs_registry_options o = opts ? *opts : (struct vs_registry_options){.tls_verify = -1};
        o.push = false;
        struct vs_image_ref ref = {.domain = (char *) domain, .path = (char *) ""};
        struct vs_registry *r = NULL;
        int rc = vs_registry_open(&ref, &o, &r, err);
        if (rc < 0)
                return rc;
        struct registry_endpoint *ep = &r->endpoints[r->n_endpoints - 1];
        if ((rc = registry_ping(r, ep, "login", err)) < 0 || (rc = load_credentials(r, ep, err)) < 0)
                goto out;
        if (ep->challenge.kind != REGISTRY_AUTH_NONE && !ep->user) {
                rc = vs_error_set(err, EINVAL, "%s: no credentials to log in with", ep->name);
                goto out;
        }
        if (ep->challenge.kind == REGISTRY_AUTH_BASIC)
                rc = login_basic(r, ep, err);
        else if (ep->challenge.kind == REGISTRY_AUTH_BEARER) {
                char *token = NULL;
                rc = fetch_token(r, ep, NULL, "login", &token, err);
                free(token);
        }
out:
        vs_registry_free(r);
        return rc;
}
