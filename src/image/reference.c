/* Image references: the grammar of github.com/distribution/reference and the
 * normalisation docker and podman apply (docker.io, library/). The checks are
 * written as small scanners, one per production, rather than one regex, so
 * that each failure can say which part is wrong. */
#include "image/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/digest.h"

/* distribution/reference's NameTotalLengthMax: the whole name, domain
 * included, as it is after normalisation. */
#define NAME_TOTAL_MAX 255
#define TAG_MAX 128
#define LEGACY_DEFAULT_DOMAIN "index.docker.io"
#define OFFICIAL_PREFIX "library/"

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
        return is_alnum(c) || c == '_';
}

static bool is_upper(char c)
{
        return c >= 'A' && c <= 'Z';
}

/* The reference as it may appear in a one-line message: control characters
 * become '?' and a very long one is cut. */
static void shown(const char *text, char *buf, size_t size)
{
        size_t o = 0;
        for (; *text && o + 4 < size; text++)
                buf[o++] = ((unsigned char) *text < 0x20 || *text == 0x7f) ? '?' : *text;
        if (*text) {
                memcpy(buf + o, "...", 3);
                o += 3;
        }
        buf[o] = '\0';
}

static int invalid(struct vs_error *err, const char *text, const char *problem)
{
        char s[300];
        shown(text, s, sizeof(s));
        return vs_error_set(err, EINVAL, "invalid reference format: %s: %s", problem, s);
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+ */
static bool valid_path_component(const char *s, size_t n)
{
        size_t i = 0;
        for (;;) {
                size_t start = i;
                while (i < n && is_lower_alnum(s[i]))
                        i++;
                if (i == start)
                        return false;
                if (i == n)
                        return true;
                if (s[i] == '.' || (s[i] == '_' && (i + 1 >= n || s[i + 1] != '_')))
                        i++;
                else if (s[i] == '_')
                        i += 2;
                else if (s[i] == '-')
                        while (i < n && s[i] == '-')
                                i++;
                else
                        return false;
        }
}

static bool valid_path(const char *path)
{
        for (const char *c = path;;) {
                const char *slash = strchr(c, '/');
                size_t n = slash ? (size_t) (slash - c) : strlen(c);
                if (!valid_path_component(c, n))
                        return false;
                if (!slash)
                        return true;
                c = slash + 1;
        }
}

/* domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool valid_host(const char *s, size_t n)
{
        if (n >= 2 && s[0] == '[') {
                if (s[n - 1] != ']')
                        return false;
                for (size_t i = 1; i + 1 < n; i++)
                        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                              (s[i] >= 'A' && s[i] <= 'F') || s[i] == ':'))
                                return false;
                return n > 2;
        }
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i < n && s[i] != '.') {
                        if (!is_alnum(s[i]) && s[i] != '-')
                                return false;
                        continue;
                }
                if (i == start || s[start] == '-' || s[i - 1] == '-')
                        return false;
                start = i + 1;
        }
        return true;
}

/* domain := host [':' port-number] */
static bool valid_domain(const char *domain)
{
        size_t n = strlen(domain);
        const char *colon = strrchr(domain, ':');
        if (colon && !(domain[0] == '[' && strchr(colon, ']'))) {
                const char *port = colon + 1;
                if (*port == '\0' || strspn(port, "0123456789") != strlen(port))
                        return false;
                n = (size_t) (colon - domain);
        }
        return n > 0 && valid_host(domain, n);
}

/* tag := [\w][\w.-]{0,127} */
static bool valid_tag(const char *tag)
{
        size_t n = strlen(tag);
        if (n == 0 || n > TAG_MAX || !is_word(tag[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!is_word(tag[i]) && tag[i] != '.' && tag[i] != '-')
                        return false;
        return true;
}

static bool is_hex64(const char *s)
{
        if (strlen(s) != 64)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

static bool first_component_is_registry(const char *name, size_t n)
{
        if (memchr(name, '.', n) || memchr(name, ':', n) || (n == 9 && memcmp(name, "localhost", 9) == 0))
                return true;
        for (size_t i = 0; i < n; i++)
                if (is_upper(name[i]))
                        return true;
        return false;
}

/* Docker's splitDockerDomain: the first component is a registry when it has
 * a '.' or a ':', is "localhost", or has an upper-case letter (a path never
 * may). Fills domain and path, both malloc'd. */
static int split_domain(const char *name, char **ret_domain, char **ret_path)
{
        const char *slash = strchr(name, '/');
        _cleanup_free_ char *domain = NULL, *path = NULL;
        if (slash && first_component_is_registry(name, (size_t) (slash - name))) {
                domain = strndup(name, (size_t) (slash - name));
                path = strdup(slash + 1);
        } else {
                domain = strdup(VS_IMAGE_DEFAULT_DOMAIN);
                path = strdup(name);
        }
        if (!domain || !path)
                return -ENOMEM;
        if (strcmp(domain, LEGACY_DEFAULT_DOMAIN) == 0) {
                free(domain);
                domain = strdup(VS_IMAGE_DEFAULT_DOMAIN);
                if (!domain)
                        return -ENOMEM;
        }
        if (strcmp(domain, VS_IMAGE_DEFAULT_DOMAIN) == 0 && !strchr(path, '/')) {
                char *official = NULL;
                if (asprintf(&official, OFFICIAL_PREFIX "%s", path) < 0)
                        return -ENOMEM;
                free(path);
                path = official;
        }
        *ret_domain = TAKE_PTR(domain);
        *ret_path = TAKE_PTR(path);
        return 0;
}

/* Split "name[:tag][@digest]" in place: the tag is after the last ':' that
 * follows the last '/' ("host:5000/app" has none). */
static void split_tag_digest(char *s, char **name, char **tag, char **digest)
{
        *digest = NULL;
        *tag = NULL;
        char *at = strchr(s, '@');
        if (at) {
                *at = '\0';
                *digest = at + 1;
        }
        char *slash = strrchr(s, '/');
        char *colon = strrchr(slash ? slash : s, ':');
        if (colon) {
                *colon = '\0';
                *tag = colon + 1;
        }
        *name = s;
}

static int check_name(const char *text, const char *domain, const char *path, struct vs_error *err)
{
        for (const char *c = path; *c; c++)
                if (is_upper(*c))
                        return invalid(err, text, "repository name must be lowercase");
        if (!valid_domain(domain))
                return invalid(err, text, "invalid registry host");
        if (!valid_path(path))
                return invalid(err, text, "invalid repository name");
        if (strlen(domain) + 1 + strlen(path) > NAME_TOTAL_MAX)
                return invalid(err, text, "repository name must not be more than 255 characters");
        return 0;
}

static int check_tag_digest(const char *text, const char *tag, const char *digest, struct vs_error *err)
{
        if (tag && !valid_tag(tag))
                return invalid(err, text, "invalid tag (1 to 128 of [A-Za-z0-9_.-], not starting with '.' or '-')");
        if (digest) {
                struct vs_error derr = VS_ERROR_INIT;
                if (vs_digest_validate(digest, &derr) < 0)
                        return invalid(err, text, "invalid digest");
        }
        return 0;
}

int vs_image_ref_parse(const char *text, struct vs_image_ref *ret, struct vs_error *err)
{
        if (!text || !*text)
                return vs_error_set(err, EINVAL, "invalid reference format: empty reference");
        if (is_hex64(text))
                return invalid(err, text, "cannot specify 64-byte hexadecimal strings");
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return vs_error_set(err, ENOMEM, "cannot parse reference: out of memory");
        char *name, *tag, *digest;
        split_tag_digest(copy, &name, &tag, &digest);
        if (*name == '\0')
                return invalid(err, text, "repository name must have at least one component");
        int r = check_tag_digest(text, tag, digest, err);
        if (r < 0)
                return r;
        struct vs_image_ref ref = {NULL};
        r = split_domain(name, &ref.domain, &ref.path);
        if (r < 0)
                return vs_error_set(err, ENOMEM, "cannot parse reference: out of memory");
        r = check_name(text, ref.domain, ref.path, err);
        if (r < 0) {
                vs_image_ref_free(&ref);
                return r;
        }
        if (tag || !digest)
                ref.tag = strdup(tag ? tag : VS_IMAGE_DEFAULT_TAG);
        ref.digest = digest ? strdup(digest) : NULL;
        if ((!ref.tag && (tag || !digest)) || (digest && !ref.digest)) {
                vs_image_ref_free(&ref);
                return vs_error_set(err, ENOMEM, "cannot parse reference: out of memory");
        }
        *ret = ref;
        return 0;
}

void vs_image_ref_free(struct vs_image_ref *ref)
{
        if (!ref)
                return;
        free(ref->domain);
        free(ref->path);
        free(ref->tag);
        free(ref->digest);
        ref->domain = ref->path = ref->tag = ref->digest = NULL;
}

static int dup_or_null(const char *s, char **ret)
{
        *ret = NULL;
        if (s && !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

int vs_image_ref_copy(const struct vs_image_ref *src, struct vs_image_ref *ret)
{
        struct vs_image_ref copy = {NULL};
        if (dup_or_null(src->domain, &copy.domain) < 0 || dup_or_null(src->path, &copy.path) < 0 ||
            dup_or_null(src->tag, &copy.tag) < 0 || dup_or_null(src->digest, &copy.digest) < 0) {
                vs_image_ref_free(&copy);
                return -ENOMEM;
        }
        *ret = copy;
        return 0;
}

/* name + ":tag" + "@digest", each suffix when set. */
static char *with_suffixes(const char *name, const struct vs_image_ref *ref)
{
        char *out = NULL;
        if (asprintf(&out, "%s%s%s%s%s", name, ref->tag ? ":" : "", ref->tag ? ref->tag : "", ref->digest ? "@" : "",
                     ref->digest ? ref->digest : "") < 0)
                return NULL;
        return out;
}

char *vs_image_ref_full(const struct vs_image_ref *ref)
{
        _cleanup_free_ char *repo = vs_image_ref_repository(ref);
        return repo ? with_suffixes(repo, ref) : NULL;
}

char *vs_image_ref_repository(const struct vs_image_ref *ref)
{
        char *out = NULL;
        if (asprintf(&out, "%s/%s", ref->domain, ref->path) < 0)
                return NULL;
        return out;
}

char *vs_image_ref_familiar(const struct vs_image_ref *ref)
{
        if (strcmp(ref->domain, VS_IMAGE_DEFAULT_DOMAIN) != 0)
                return vs_image_ref_full(ref);
        const char *name = ref->path, *first_slash = strchr(name, '/');
        const char *second_slash = first_slash ? strchr(first_slash + 1, '/') : NULL;
        if (first_slash && !second_slash && (size_t) (first_slash + 1 - name) == strlen(OFFICIAL_PREFIX) &&
            memcmp(name, OFFICIAL_PREFIX, strlen(OFFICIAL_PREFIX)) == 0)
                name = first_slash + 1;
        /* docker.io/foo.com/app must not become "foo.com/app", which names
         * another registry: such a path keeps the full form. */
        const char *slash = strchr(name, '/');
        if (slash && first_component_is_registry(name, (size_t) (slash - name)))
                return vs_image_ref_full(ref);
        return with_suffixes(name, ref);
}

bool vs_image_ref_looks_like_id(const char *text)
{
        if (strncmp(text, "sha256:", 7) == 0)
                text += 7;
        size_t n = strlen(text);
        if (n == 0 || n > 64)
                return false;
        for (; *text; text++)
                if (!((*text >= '0' && *text <= '9') || (*text >= 'a' && *text <= 'f')))
                        return false;
        return true;
}

char *vs_image_ref_familiar_text(const char *text)
{
        struct vs_image_ref ref = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_image_ref_parse(text, &ref, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return strdup(text);
        }
        char *familiar = vs_image_ref_familiar(&ref);
        vs_image_ref_free(&ref);
        return familiar;
}
