/* vessel: the registries.conf parser (see registries_conf.h). A small
 * recursive reader of the TOML subset the file uses: it keeps the line number
 * so every error points at the line and the key. */
#include "image/registries_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"
#include "util/files.h"

/* A registries.conf larger than this is not a configuration file. */
#define CONF_MAX (1u << 20)

enum section {
        SECTION_TOP,
        SECTION_REGISTRY,
        SECTION_MIRROR
};

struct parser {
        const char *p, *end;
        const char *origin;
        unsigned line;
        enum section section;
        unsigned section_line; /* where the current [[registry]] started */
        unsigned mirror_line;  /* where the current [[registry.mirror]] started */
        struct vs_registries_conf *conf;
        struct vs_error *err;
};

enum value_type {
        VALUE_STRING,
        VALUE_BOOL,
        VALUE_ARRAY
};

struct value {
        enum value_type type;
        char *string;
        bool boolean;
        char **array; /* NULL-terminated */
        size_t n;
};

static void value_clear(struct value *v)
{
        free(v->string);
        vs_strv_free(v->array);
        memset(v, 0, sizeof(*v));
}

static int fail(struct parser *ps, const char *fmt, const char *what)
{
        char msg[VS_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), fmt, what);
        return vs_error_set(ps->err, EINVAL, "%s:%u: %s", ps->origin, ps->line, msg);
}

/* The text at the parser up to the end of its line (at most 24 bytes), for errors. */
static const char *snippet(const struct parser *ps, char buf[32])
{
        size_t n = 0;
        for (const char *q = ps->p; q < ps->end && *q != '\n' && *q != '\r' && n < 24; q++)
                buf[n++] = *q;
        buf[n] = '\0';
        return buf;
}

static int oom(struct parser *ps)
{
        return vs_error_set(ps->err, ENOMEM, "%s: out of memory", ps->origin);
}

/* Skip blanks and a comment on the current line (not the newline). */
static void skip_blanks(struct parser *ps)
{
        while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
                ps->p++;
        if (ps->p < ps->end && *ps->p == '#')
                while (ps->p < ps->end && *ps->p != '\n')
                        ps->p++;
}

/* Skip blanks, comments and newlines (inside arrays and between statements). */
static void skip_space(struct parser *ps)
{
        for (;;) {
                skip_blanks(ps);
                if (ps->p < ps->end && *ps->p == '\n') {
                        ps->p++;
                        ps->line++;
                        continue;
                }
                return;
        }
}

/* After a statement only blanks and a comment may follow on its line. */
static int expect_line_end(struct parser *ps)
{
        skip_blanks(ps);
        if (ps->p < ps->end && *ps->p != '\n') {
                char buf[32];
                return fail(ps, "unexpected text after the value: %s", snippet(ps, buf));
        }
        return 0;
}

static int append_char(struct parser *ps, char **buf, size_t *len, size_t *cap, char c)
{
        if (*len + 2 > *cap) {
                size_t ncap = *cap ? *cap * 2 : 32;
                char *n = realloc(*buf, ncap);
                if (!n)
                        return oom(ps);
                *buf = n;
                *cap = ncap;
        }
        (*buf)[(*len)++] = c;
        (*buf)[*len] = '\0';
        return 0;
}

/* The character an escape in a basic string stands for; \uXXXX is not
 * needed by any value this file holds (paths and host names). */
static int unescape(struct parser *ps, char c, char *ret)
{
        switch (c) {
        case '"':
        case '\\':
                *ret = c;
                return 0;
        case 'n':
                *ret = '\n';
                return 0;
        case 't':
                *ret = '\t';
                return 0;
        default: {
                char s[2] = {c, 0};
                return fail(ps, "unsupported escape \\%s in a string", s);
        }
        }
}

/* A "basic" or 'literal' string on one line. */
static int parse_string(struct parser *ps, char **ret)
{
        char quote = *ps->p++;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        int r = append_char(ps, &buf, &len, &cap, 'x');
        if (r < 0)
                return r;
        len = 0;
        buf[0] = '\0';
        for (;;) {
                if (ps->p >= ps->end || *ps->p == '\n')
                        return fail(ps, "%s", "unterminated string");
                char c = *ps->p++;
                if (c == quote)
                        break;
                if (c == '\\' && quote == '"') {
                        if (ps->p >= ps->end)
                                return fail(ps, "%s", "unterminated string");
                        r = unescape(ps, *ps->p++, &c);
                        if (r < 0)
                                return r;
                }
                r = append_char(ps, &buf, &len, &cap, c);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(buf);
        return 0;
}

static int parse_array(struct parser *ps, struct value *v)
{
        ps->p++; /* '[' */
        unsigned start_line = ps->line;
        v->type = VALUE_ARRAY;
        v->array = calloc(1, sizeof(char *));
        if (!v->array)
                return oom(ps);
        for (;;) {
                skip_space(ps);
                if (ps->p >= ps->end) {
                        ps->line = start_line;
                        return fail(ps, "%s", "unterminated array (no ']')");
                }
                if (*ps->p == ']') {
                        ps->p++;
                        return 0;
                }
                if (*ps->p != '"' && *ps->p != '\'')
                        return fail(ps, "%s", "arrays may only hold strings");
                char *s = NULL;
                int r = parse_string(ps, &s);
                if (r < 0)
                        return r;
                char **n = realloc(v->array, (v->n + 2) * sizeof(char *));
                if (!n) {
                        free(s);
                        return oom(ps);
                }
                v->array = n;
                v->array[v->n++] = s;
                v->array[v->n] = NULL;
                skip_space(ps);
                if (ps->p < ps->end && *ps->p == ',')
                        ps->p++;
                else if (ps->p < ps->end && *ps->p != ']')
                        return fail(ps, "%s", "expected ',' or ']' in an array");
        }
}

static int parse_value(struct parser *ps, struct value *v)
{
        skip_blanks(ps);
        if (ps->p >= ps->end || *ps->p == '\n')
                return fail(ps, "%s", "a value is missing after '='");
        if (*ps->p == '"' || *ps->p == '\'') {
                v->type = VALUE_STRING;
                return parse_string(ps, &v->string);
        }
        if (*ps->p == '[')
                return parse_array(ps, v);
        size_t left = (size_t) (ps->end - ps->p);
        if (left >= 4 && strncmp(ps->p, "true", 4) == 0) {
                ps->p += 4;
                v->type = VALUE_BOOL;
                v->boolean = true;
                return 0;
        }
        if (left >= 5 && strncmp(ps->p, "false", 5) == 0) {
                ps->p += 5;
                v->type = VALUE_BOOL;
                v->boolean = false;
                return 0;
        }
        char buf[32];
        return fail(ps, "unsupported value %s (strings, booleans and arrays of strings only)", snippet(ps, buf));
}

static struct vs_registry_entry *current_entry(struct parser *ps)
{
        return &ps->conf->entries[ps->conf->n_entries - 1];
}

static int check_entry_done(struct parser *ps)
{
        if (ps->section == SECTION_TOP)
                return 0;
        struct vs_registry_entry *e = current_entry(ps);
        if (!e->location)
                return vs_error_set(ps->err, EINVAL, "%s:%u: [[registry]] needs a location or a prefix", ps->origin,
                                    ps->section_line);
        if (ps->section == SECTION_MIRROR && !e->mirrors[e->n_mirrors - 1].location)
                return vs_error_set(ps->err, EINVAL, "%s:%u: [[registry.mirror]] needs a location", ps->origin,
                                    ps->mirror_line);
        return 0;
}

static int add_mirror(struct parser *ps, struct vs_registry_entry *e, const char *location, bool insecure)
{
        struct vs_registry_mirror *n = realloc(e->mirrors, (e->n_mirrors + 1) * sizeof(*n));
        if (!n)
                return oom(ps);
        e->mirrors = n;
        char *copy = NULL;
        if (location && !(copy = strdup(location)))
                return oom(ps);
        e->mirrors[e->n_mirrors++] = (struct vs_registry_mirror){.location = copy, .insecure = insecure};
        return 0;
}

/* "[[registry]]" or "[[registry.mirror]]". */
static int parse_table(struct parser *ps)
{
        int r = check_entry_done(ps);
        if (r < 0)
                return r;
        const char *start = ps->p;
        while (ps->p < ps->end && *ps->p != '\n' && *ps->p != '#')
                ps->p++;
        char name[64];
        size_t n = 0;
        for (const char *q = start; q < ps->p && n + 1 < sizeof(name); q++)
                if (*q != ' ' && *q != '\t' && *q != '\r')
                        name[n++] = *q;
        name[n] = '\0';
        if (strcmp(name, "[[registry]]") == 0) {
                struct vs_registries_conf *c = ps->conf;
                struct vs_registry_entry *e = realloc(c->entries, (c->n_entries + 1) * sizeof(*e));
                if (!e)
                        return oom(ps);
                c->entries = e;
                c->entries[c->n_entries++] = (struct vs_registry_entry){.tls_verify = -1};
                ps->section = SECTION_REGISTRY;
                ps->section_line = ps->line;
                return 0;
        }
        if (strcmp(name, "[[registry.mirror]]") == 0) {
                if (ps->section == SECTION_TOP)
                        return fail(ps, "%s", "[[registry.mirror]] before any [[registry]]");
                ps->section = SECTION_MIRROR;
                ps->mirror_line = ps->line;
                return add_mirror(ps, current_entry(ps), NULL, false);
        }
        return fail(ps, "unknown table %s", name);
}

static int want_type(struct parser *ps, const char *key, const struct value *v, enum value_type type)
{
        static const char *const names[] = {"a string", "a boolean", "an array of strings"};
        if (v->type == type)
                return 0;
        char msg[128];
        snprintf(msg, sizeof(msg), "%s: expected %s", key, names[type]);
        return fail(ps, "%s", msg);
}

/* A location is host[:port] with an optional path, and never a URL. */
static int check_location(struct parser *ps, const char *key, const char *s)
{
        char msg[VS_ERROR_MSG_MAX / 2];
        if (!*s || strstr(s, "://") || strchr(s, ' ') || s[strlen(s) - 1] == '/') {
                snprintf(msg, sizeof(msg), "%s: invalid location \"%.200s\" (host[:port][/path], no scheme)", key, s);
                return fail(ps, "%s", msg);
        }
        return 0;
}

static int set_string(struct parser *ps, char **field, struct value *v)
{
        free(*field);
        *field = TAKE_PTR(v->string);
        return 0;
}

static int apply_registry_key(struct parser *ps, const char *key, struct value *v)
{
        struct vs_registry_entry *e = current_entry(ps);
        int r;
        if (strcmp(key, "location") == 0 || strcmp(key, "prefix") == 0) {
                if ((r = want_type(ps, key, v, VALUE_STRING)) < 0 || (r = check_location(ps, key, v->string)) < 0)
                        return r;
                /* location wins over prefix: it is where the bytes are. */
                if (strcmp(key, "prefix") == 0 && e->location)
                        return 0;
                return set_string(ps, &e->location, v);
        }
        if (strcmp(key, "insecure") == 0) {
                if ((r = want_type(ps, key, v, VALUE_BOOL)) < 0)
                        return r;
                e->insecure = v->boolean;
                e->insecure_set = true;
                return 0;
        }
        if (strcmp(key, "blocked") == 0) {
                if ((r = want_type(ps, key, v, VALUE_BOOL)) < 0)
                        return r;
                e->blocked = v->boolean;
                return 0;
        }
        if (strcmp(key, "tls-verify") == 0) {
                if ((r = want_type(ps, key, v, VALUE_BOOL)) < 0)
                        return r;
                e->tls_verify = v->boolean ? 1 : 0;
                return 0;
        }
        if (strcmp(key, "ca") == 0) {
                if ((r = want_type(ps, key, v, VALUE_STRING)) < 0)
                        return r;
                if (v->string[0] != '/')
                        return fail(ps, "ca: \"%.200s\" is not an absolute path", v->string);
                return set_string(ps, &e->ca, v);
        }
        if (strcmp(key, "mirrors") == 0) {
                if ((r = want_type(ps, key, v, VALUE_ARRAY)) < 0)
                        return r;
                for (size_t i = 0; i < v->n; i++)
                        if ((r = check_location(ps, key, v->array[i])) < 0 ||
                            (r = add_mirror(ps, e, v->array[i], false)) < 0)
                                return r;
                return 0;
        }
        return fail(ps, "unknown key %s", key);
}

static int apply_mirror_key(struct parser *ps, const char *key, struct value *v)
{
        struct vs_registry_entry *e = current_entry(ps);
        struct vs_registry_mirror *m = &e->mirrors[e->n_mirrors - 1];
        int r;
        if (strcmp(key, "location") == 0) {
                if ((r = want_type(ps, key, v, VALUE_STRING)) < 0 || (r = check_location(ps, key, v->string)) < 0)
                        return r;
                return set_string(ps, &m->location, v);
        }
        if (strcmp(key, "insecure") == 0) {
                if ((r = want_type(ps, key, v, VALUE_BOOL)) < 0)
                        return r;
                m->insecure = v->boolean;
                return 0;
        }
        return fail(ps, "unknown key %s in [[registry.mirror]]", key);
}

static int apply_top_key(struct parser *ps, const char *key, struct value *v)
{
        int r;
        if (strcmp(key, "unqualified-search-registries") == 0) {
                if ((r = want_type(ps, key, v, VALUE_ARRAY)) < 0)
                        return r;
                vs_strv_free(ps->conf->search);
                ps->conf->search = TAKE_PTR(v->array);
                return 0;
        }
        /* Podman's knob for short names: vessel resolves them as docker does. */
        if (strcmp(key, "short-name-mode") == 0)
                return want_type(ps, key, v, VALUE_STRING);
        return fail(ps, "unknown key %s", key);
}

static bool is_key_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int parse_key_value(struct parser *ps)
{
        char key[64];
        size_t n = 0;
        while (ps->p < ps->end && is_key_char(*ps->p)) {
                if (n + 1 >= sizeof(key))
                        return fail(ps, "%s", "key too long");
                key[n++] = *ps->p++;
        }
        key[n] = '\0';
        if (n == 0) {
                char buf[32];
                return fail(ps, "expected a key or a [[table]], found %s", snippet(ps, buf));
        }
        skip_blanks(ps);
        if (ps->p >= ps->end || *ps->p != '=')
                return fail(ps, "%s: expected '=' after the key", key);
        ps->p++;
        struct value v = {0};
        unsigned key_line = ps->line;
        int r = parse_value(ps, &v);
        if (r >= 0)
                r = expect_line_end(ps);
        if (r >= 0) {
                /* An array may have spanned lines: errors about the key name its line. */
                unsigned end_line = ps->line;
                ps->line = key_line;
                if (ps->section == SECTION_REGISTRY)
                        r = apply_registry_key(ps, key, &v);
                else if (ps->section == SECTION_MIRROR)
                        r = apply_mirror_key(ps, key, &v);
                else
                        r = apply_top_key(ps, key, &v);
                if (r >= 0)
                        ps->line = end_line;
        }
        value_clear(&v);
        return r;
}

int vs_registries_conf_parse(const char *text, size_t len, const char *origin, struct vs_registries_conf *ret,
                             struct vs_error *err)
{
        struct vs_registries_conf conf = {0};
        struct parser ps = {.p = text, .end = text + len, .origin = origin, .line = 1, .conf = &conf, .err = err};
        int r = 0;
        for (;;) {
                skip_space(&ps);
                if (ps.p >= ps.end)
                        break;
                r = *ps.p == '[' ? parse_table(&ps) : parse_key_value(&ps);
                if (r < 0)
                        break;
        }
        if (r >= 0)
                r = check_entry_done(&ps);
        if (r < 0) {
                vs_registries_conf_free(&conf);
                return r;
        }
        *ret = conf;
        return 0;
}

void vs_registries_conf_free(struct vs_registries_conf *conf)
{
        if (!conf)
                return;
        for (size_t i = 0; i < conf->n_entries; i++) {
                struct vs_registry_entry *e = &conf->entries[i];
                free(e->location);
                free(e->ca);
                for (size_t j = 0; j < e->n_mirrors; j++)
                        free(e->mirrors[j].location);
                free(e->mirrors);
        }
        free(conf->entries);
        vs_strv_free(conf->search);
        memset(conf, 0, sizeof(*conf));
}

const char *vs_registries_conf_path(const char *path)
{
        if (path && *path)
                return path;
        const char *env = getenv("VESSEL_REGISTRIES_CONF");
        if (env && *env)
                return env;
        return VS_REGISTRIES_CONF_PATH;
}

int vs_registries_conf_load(const char *path, struct vs_registries_conf *ret, struct vs_error *err)
{
        const char *file = vs_registries_conf_path(path);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = vs_read_file_at(AT_FDCWD, file, CONF_MAX, &text, &len, err);
        if (r == -ENOENT) {
                vs_error_ignore(err);
                *ret = (struct vs_registries_conf){0};
                return 0;
        }
        if (r < 0)
                return r;
        if (memchr(text, '\0', len))
                return vs_error_set(err, EINVAL, "%s: not a text file", file);
        return vs_registries_conf_parse(text, len, file, ret, err);
}

const struct vs_registry_entry *vs_registries_conf_find(const struct vs_registries_conf *conf, const char *domain)
{
        if (!conf || !domain)
                return NULL;
        /* The last entry wins, as a later line overrides an earlier one. */
        for (size_t i = conf->n_entries; i-- > 0;)
                if (strcasecmp(conf->entries[i].location, domain) == 0)
                        return &conf->entries[i];
        return NULL;
}
