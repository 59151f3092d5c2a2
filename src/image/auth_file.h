/* vessel: registry credentials in Docker's config.json format, as `docker
 * login` writes them and podman, skopeo and buildah read them:
 *
 *   {"auths": {"127.0.0.1:5000": {"auth": "<base64 of user:password>"}}, ...}
 *
 * The file is $REGISTRY_AUTH_FILE, else $HOME/.docker/config.json. Keys are
 * matched as docker does: a scheme and a path are ignored
 * ("https://127.0.0.1:5000/v1/" is 127.0.0.1:5000), and Docker Hub is
 * stored under "https://index.docker.io/v1/" (docker.io, index.docker.io and
 * registry-1.docker.io are read as that too). Writes keep every other key of
 * the file, replace it atomically and leave it mode 0600. Credential helpers
 * (credsStore, credHelpers) are not run. */
#ifndef VESSEL_IMAGE_AUTH_FILE_H
#define VESSEL_IMAGE_AUTH_FILE_H

#include "util/error.h"

#define VS_AUTH_FILE_DOCKER_HUB_KEY "https://index.docker.io/v1/"

/* The file used: `path` if given, else $REGISTRY_AUTH_FILE, else
 * $HOME/.docker/config.json. malloc'd. */
int vs_auth_file_path(const char *path, char **ret, struct vs_error *err);
/* The key credentials for `domain` are stored under. */
const char *vs_auth_file_key(const char *domain);

/* The credentials for a registry domain. A missing file or entry is no
 * error: *user and *password are then NULL. */
int vs_auth_file_get(const char *path, const char *domain, char **user, char **password, struct vs_error *err);
/* Store (replace) the credentials for `domain`. */
int vs_auth_file_store(const char *path, const char *domain, const char *user, const char *password,
                       struct vs_error *err);
/* Remove the credentials for `domain`; -ENOENT ("not logged in to ...") when there were none. */
int vs_auth_file_remove(const char *path, const char *domain, struct vs_error *err);

#endif
