/* vessel: /etc/vessel/vessel.conf (see engine_conf.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_conf.h"
#include "util/cleanup.h"
#include "util/files.h"

const char *vs_engine_conf_path(void)
{
        const char *v = getenv("VESSEL_CONFIG");
        return v && v[0] ? v : "/etc/vessel/vessel.conf";
}

void vs_engine_conf_free(struct vs_engine_conf *c)
{
        free(c->runtime);
        c->runtime = NULL;
}

static char *trim(char *s)
{
        while (isspace((unsigned char) *s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char) s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* The value after '=': a "quoted" string, or a bare word up to a comment. */
static int parse_value(char *text, char **ret)
{
        text = trim(text);
        if (text[0] == '"') {
                char *end = strchr(text + 1, '"');
                if (!end)
                        return -EINVAL;
                const char *after = trim(end + 1);
                if (after[0] != '\0' && after[0] != '#')
                        return -EINVAL;
                *end = '\0';
                *ret = text + 1;
                return 0;
        }
        char *hash = strchr(text, '#');
        if (hash)
                *hash = '\0';
        text = trim(text);
        if (!text[0])
                return -EINVAL;
        *ret = text;
        return 0;
}

static int parse_line(char *line, const char *origin, unsigned lineno, struct vs_engine_conf *c, struct vs_error *err)
{
        line = trim(line);
        if (!line[0] || line[0] == '#' || line[0] == '[')
                return 0;
        char *eq = strchr(line, '=');
        char *value = NULL;
        if (!eq)
                return vs_error_set(err, EINVAL, "%s:%u: expected key = value", origin, lineno);
        *eq = '\0';
        const char *key = trim(line);
        if (parse_value(eq + 1, &value) < 0)
                return vs_error_set(err, EINVAL, "%s:%u: bad value for %s", origin, lineno, key);
        if (strcmp(key, "runtime") == 0) {
                free(c->runtime);
                c->runtime = strcmp(value, "vessel") == 0 ? NULL : strdup(value);
                if (strcmp(value, "vessel") != 0 && !c->runtime)
                        return vs_error_set(err, ENOMEM, "out of memory");
                if (c->runtime && c->runtime[0] != '/')
                        return vs_error_set(err, EINVAL, "%s:%u: runtime must be an absolute path or \"vessel\": %s",
                                            origin, lineno, value);
                return 0;
        }
        return vs_error_set(err, EINVAL, "%s:%u: unknown key \"%s\"", origin, lineno, key);
}

int vs_engine_conf_parse(const char *text, const char *origin, struct vs_engine_conf *ret, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return vs_error_set(err, ENOMEM, "out of memory");
        struct vs_engine_conf c = {0};
        unsigned lineno = 0;
        /* line by line, empty ones counted */
        for (char *line = copy, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                int r = parse_line(line, origin, lineno, &c, err);
                if (r < 0) {
                        vs_engine_conf_free(&c);
                        return r;
                }
        }
        *ret = c;
        return 0;
}

int vs_engine_conf_load(const char *path, struct vs_engine_conf *ret, struct vs_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct vs_error local = VS_ERROR_INIT;
        int r = vs_read_file(path, &data, &len, &local);
        if (r == -ENOENT) {
                vs_error_ignore(&local);
                *ret = (struct vs_engine_conf){0};
                return 0;
        }
        if (r < 0) {
                *err = local;
                return r;
        }
        if (memchr(data, '\0', len))
                return vs_error_set(err, EINVAL, "%s: not a text file", path);
        return vs_engine_conf_parse(data, path, ret, err);
}
