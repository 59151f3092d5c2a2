/* vessel: registries.conf, the per-registry settings of the registry client:
 * insecure registries, extra CAs, TLS verification and pull mirrors.
 *
 * The file is a subset of TOML, shaped like podman's version 2 format:
 *
 *   unqualified-search-registries = ["docker.io"]
 *
 *   [[registry]]
 *   location = "127.0.0.1:5000"   # or prefix = "..."; host[:port]
 *   insecure = true                # plain HTTP allowed, no TLS verification
 *   blocked = false
 *   ca = "/path/ca.pem"            # an extra CA for this registry
 *   tls-verify = false
 *   mirrors = ["127.0.0.1:5001", "mirror.example:443/dockerhub"]
 *
 *   [[registry.mirror]]            # podman's spelling of one more mirror
 *   location = "127.0.0.1:5002"
 *   insecure = true
 *
 * Values are strings ("..." with escapes, or '...'), booleans and arrays of
 * strings (which may span lines); # starts a comment. Errors name the file,
 * the line and the key ("registries.conf:7: unknown key foo"). */
#ifndef VESSEL_IMAGE_REGISTRIES_CONF_H
#define VESSEL_IMAGE_REGISTRIES_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define VS_REGISTRIES_CONF_PATH "/etc/vessel/registries.conf"

struct vs_registry_mirror {
        char *location; /* "host[:port]" optionally followed by "/path/prefix" */
        bool insecure;
};

struct vs_registry_entry {
        char *location; /* "host[:port]" the entry is for (prefix, when only that was given) */
        bool insecure;
        bool insecure_set; /* the file says insecure = ... */
        bool blocked;
        int tls_verify; /* -1: not said, 0, 1 */
        char *ca;       /* NULL: system CAs only */
        struct vs_registry_mirror *mirrors;
        size_t n_mirrors;
};

struct vs_registries_conf {
        struct vs_registry_entry *entries;
        size_t n_entries;
        char **search; /* unqualified-search-registries, NULL-terminated (may be NULL) */
};

/* The path read: `path` if given, else $VESSEL_REGISTRIES_CONF, else the default. */
const char *vs_registries_conf_path(const char *path);
/* Read and parse the file at vs_registries_conf_path(path); a missing file
 * gives an empty configuration (every registry with the defaults). */
int vs_registries_conf_load(const char *path, struct vs_registries_conf *ret, struct vs_error *err);
/* Parse text; `origin` is the name errors give ("registries.conf"). */
int vs_registries_conf_parse(const char *text, size_t len, const char *origin, struct vs_registries_conf *ret,
                             struct vs_error *err);
void vs_registries_conf_free(struct vs_registries_conf *conf);

/* The entry whose location is the registry domain ("127.0.0.1:5000",
 * "docker.io"), or NULL. Locations are compared whole and without case; an
 * entry for a path below a registry ("quay.io/team") never matches a domain. */
const struct vs_registry_entry *vs_registries_conf_find(const struct vs_registries_conf *conf, const char *domain);

#endif
