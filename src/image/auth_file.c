/* vessel: Docker's config.json credentials (see auth_file.h). */
#include "image/auth_file.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include "util/lazy_crypto.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

#define AUTH_FILE_MAX (4u << 20)

#define _cleanup_json_ _cleanup_(json_decrefp)

int vs_auth_file_path(const char *path, char **ret, struct vs_error *err)
{
        char *p = NULL;
        const char *env = getenv("REGISTRY_AUTH_FILE");
        if (path && *path)
                p = strdup(path);
        else if (env && *env)
                p = strdup(env);
        else {
                const char *home = getenv("HOME");
                if (!home || !*home)
                        return vs_error_set(err, ENOENT, "cannot find the auth file: $HOME is not set");
                if (asprintf(&p, "%s/.docker/config.json", home) < 0)
                        p = NULL;
        }
        if (!p)
                return vs_error_errno(err, ENOMEM, "cannot find the auth file");
        *ret = p;
        return 0;
}

static bool is_docker_hub(const char *host, size_t len)
{
        static const char *const names[] = {"docker.io", "index.docker.io", "registry-1.docker.io"};
        for (size_t i = 0; i < VS_ARRAY_SIZE(names); i++)
                if (strlen(names[i]) == len && strncasecmp(host, names[i], len) == 0)
                        return true;
        return false;
}

const char *vs_auth_file_key(const char *domain)
{
        return is_docker_hub(domain, strlen(domain)) ? VS_AUTH_FILE_DOCKER_HUB_KEY : domain;
}

/* Does a key of "auths" name `domain`? The scheme and any path are ignored,
 * as docker's ConvertToHostname does. */
static bool key_matches(const char *key, const char *domain)
{
        if (strncasecmp(key, "https://", 8) == 0)
                key += 8;
        else if (strncasecmp(key, "http://", 7) == 0)
                key += 7;
        size_t len = strcspn(key, "/");
        size_t dlen = strlen(domain);
        if (is_docker_hub(domain, dlen))
                return is_docker_hub(key, len);
        return len == dlen && strncasecmp(key, domain, len) == 0;
}

/* Load the file; a missing one is an empty object. */
static int load(const char *file, json_t **ret, struct vs_error *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = vs_read_file_at(AT_FDCWD, file, AUTH_FILE_MAX, &text, &len, err);
        if (r == -ENOENT) {
                vs_error_ignore(err);
                json_t *o = json_object();
                if (!o)
                        return vs_error_errno(err, ENOMEM, "cannot read %s", file);
                *ret = o;
                return 0;
        }
        if (r < 0)
                return r;
        json_error_t jerr;
        _cleanup_json_ json_t *root = json_loadb(text, len, 0, &jerr);
        if (!root)
                return vs_error_set(err, EINVAL, "%s:%d: %s", file, jerr.line, jerr.text);
        if (!json_is_object(root))
                return vs_error_set(err, EINVAL, "%s: not a JSON object", file);
        json_t *auths = json_object_get(root, "auths");
        if (auths && !json_is_object(auths) && !json_is_null(auths))
                return vs_error_set(err, EINVAL, "%s: auths: expected an object", file);
        *ret = TAKE_PTR(root);
        return 0;
}

/* "user:password" from base64, split at the first ':'. */
static int decode_auth(const char *file, const char *key, const char *b64, char **user, char **password,
                       struct vs_error *err)
{
        size_t len = strlen(b64);
        if (len % 4 != 0 || len > INT_MAX)
                return vs_error_set(err, EINVAL, "%s: auths.%s.auth: invalid base64", file, key);
        _cleanup_free_ char *out = malloc(len / 4 * 3 + 1);
        if (!out)
                return vs_error_errno(err, ENOMEM, "cannot read %s", file);
        int n = EVP_DecodeBlock((unsigned char *) out, (const unsigned char *) b64, (int) len);
        if (n < 0)
                return vs_error_set(err, EINVAL, "%s: auths.%s.auth: invalid base64", file, key);
        /* EVP_DecodeBlock counts the bytes the padding stands for. */
        for (size_t i = len; i > 0 && b64[i - 1] == '='; i--)
                n--;
        out[n] = '\0';
        char *colon = memchr(out, ':', (size_t) n);
        if (!colon || strlen(out) != (size_t) n)
                return vs_error_set(err, EINVAL, "%s: auths.%s.auth: not \"user:password\"", file, key);
        *colon = '\0';
        char *u = strdup(out), *p = strdup(colon + 1);
        if (!u || !p) {
                free(u);
                free(p);
                return vs_error_errno(err, ENOMEM, "cannot read %s", file);
        }
        *user = u;
        *password = p;
        return 0;
}

/* The entry for domain: the key docker would write first, then any key naming it. */
static json_t *find_entry(json_t *auths, const char *domain, const char **ret_key)
{
        const char *key = vs_auth_file_key(domain);
        json_t *v = json_object_get(auths, key);
        if (v) {
                *ret_key = key;
                return v;
        }
        json_object_foreach (auths, key, v)
                if (key_matches(key, domain)) {
                        *ret_key = key;
                        return v;
                }
        return NULL;
}

int vs_auth_file_get(const char *path, const char *domain, char **user, char **password, struct vs_error *err)
{
        _cleanup_free_ char *file = NULL;
        int r = vs_auth_file_path(path, &file, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *root = NULL;
        r = load(file, &root, err);
        if (r < 0)
                return r;
        *user = *password = NULL;
        json_t *auths = json_object_get(root, "auths");
        const char *key = NULL;
        json_t *entry = auths ? find_entry(auths, domain, &key) : NULL;
        if (!entry)
                return 0;
        if (!json_is_object(entry))
                return vs_error_set(err, EINVAL, "%s: auths.%s: expected an object", file, key);
        json_t *auth = json_object_get(entry, "auth");
        if (auth && !json_is_string(auth))
                return vs_error_set(err, EINVAL, "%s: auths.%s.auth: expected a string", file, key);
        if (auth && json_string_length(auth) > 0)
                return decode_auth(file, key, json_string_value(auth), user, password, err);
        /* Some tools write username and password in clear beside (or instead of) auth. */
        const char *u = json_string_value(json_object_get(entry, "username"));
        const char *p = json_string_value(json_object_get(entry, "password"));
        if (!u || !p)
                return 0;
        _cleanup_free_ char *uc = strdup(u), *pc = strdup(p);
        if (!uc || !pc)
                return vs_error_errno(err, ENOMEM, "cannot read %s", file);
        *user = TAKE_PTR(uc);
        *password = TAKE_PTR(pc);
        return 0;
}

/* Write root to file: a temporary file in the same directory, mode 0600,
 * fsynced and renamed over it. The directory is made (0700) if missing. */
static int save(const char *file, json_t *root, struct vs_error *err)
{
        _cleanup_free_ char *dir = strdup(file);
        if (!dir)
                return vs_error_errno(err, ENOMEM, "cannot write %s", file);
        char *slash = strrchr(dir, '/');
        const char *name = file;
        if (slash) {
                *slash = '\0';
                name = file + (slash - dir) + 1;
        }
        const char *dirpath = !slash ? "." : *dir ? dir : "/";
        if (mkdir(dirpath, 0700) < 0 && errno != EEXIST)
                return vs_error_syscall(err, "cannot create %s", dirpath);
        _cleanup_close_ int dirfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return vs_error_syscall(err, "cannot open %s", dirpath);
        _cleanup_free_ char *text = json_dumps(root, JSON_INDENT(8) | JSON_PRESERVE_ORDER);
        if (!text)
                return vs_error_errno(err, ENOMEM, "cannot write %s", file);
        _cleanup_free_ char *line = NULL;
        int n = asprintf(&line, "%s\n", text);
        if (n < 0)
                return vs_error_errno(err, ENOMEM, "cannot write %s", file);
        return vs_write_file_atomic(dirfd, name, line, (size_t) n, 0600, err);
}

/* Drop every key of auths that names domain; returns how many there were. */
static size_t remove_entries(json_t *auths, const char *domain)
{
        size_t n = 0;
        const char *key;
        json_t *v;
        void *tmp;
        json_object_foreach_safe (auths, tmp, key, v)
                if (key_matches(key, domain)) {
                        json_object_del(auths, key);
                        n++;
                }
        return n;
}

static int encode_auth(const char *user, const char *password, char **ret)
{
        _cleanup_free_ char *plain = NULL;
        int n = asprintf(&plain, "%s:%s", user, password);
        if (n < 0)
                return -ENOMEM;
        char *out = malloc(((size_t) n + 2) / 3 * 4 + 1);
        if (!out)
                return -ENOMEM;
        EVP_EncodeBlock((unsigned char *) out, (const unsigned char *) plain, n);
        explicit_bzero(plain, (size_t) n);
        *ret = out;
        return 0;
}

int vs_auth_file_store(const char *path, const char *domain, const char *user, const char *password,
                       struct vs_error *err)
{
        if (strchr(user, ':'))
                return vs_error_set(err, EINVAL, "cannot store credentials for %s: the user name has a ':'", domain);
        _cleanup_free_ char *file = NULL;
        int r = vs_auth_file_path(path, &file, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *root = NULL;
        r = load(file, &root, err);
        if (r < 0)
                return r;
        json_t *auths = json_object_get(root, "auths");
        if (!json_is_object(auths)) {
                auths = json_object();
                if (!auths || json_object_set_new(root, "auths", auths) < 0)
                        return vs_error_errno(err, ENOMEM, "cannot write %s", file);
        }
        remove_entries(auths, domain);
        _cleanup_free_ char *b64 = NULL;
        if (encode_auth(user, password, &b64) < 0 ||
            json_object_set_new(auths, vs_auth_file_key(domain), json_pack("{s:s}", "auth", b64)) < 0)
                return vs_error_errno(err, ENOMEM, "cannot write %s", file);
        return save(file, root, err);
}

int vs_auth_file_remove(const char *path, const char *domain, struct vs_error *err)
{
        _cleanup_free_ char *file = NULL;
        int r = vs_auth_file_path(path, &file, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *root = NULL;
        r = load(file, &root, err);
        if (r < 0)
                return r;
        json_t *auths = json_object_get(root, "auths");
        if (!json_is_object(auths) || remove_entries(auths, domain) == 0)
                return vs_error_set(err, ENOENT, "not logged in to %s (no credentials in %s)", domain, file);
        return save(file, root, err);
}
