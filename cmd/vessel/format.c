/* vessel: --format templates, tables and human units (see format.h). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "util/cleanup.h"

/* --- human units --- */

void human_size(int64_t bytes, char *buf, size_t size)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = (double) bytes;
        size_t u = 0;
        while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000.0;
                u++;
        }
        snprintf(buf, size, "%.3g%s", v, units[u]);
}

void human_duration(int64_t seconds, char *buf, size_t size)
{
        int64_t minutes = seconds / 60;
        int64_t hours = (seconds + 1800) / 3600; /* rounded, as go-units */
        if (seconds < 1)
                snprintf(buf, size, "Less than a second");
        else if (seconds == 1)
                snprintf(buf, size, "1 second");
        else if (seconds < 60)
                snprintf(buf, size, "%lld seconds", (long long) seconds);
        else if (minutes == 1)
                snprintf(buf, size, "About a minute");
        else if (minutes < 60)
                snprintf(buf, size, "%lld minutes", (long long) minutes);
        else if (hours == 1)
                snprintf(buf, size, "About an hour");
        else if (hours < 48)
                snprintf(buf, size, "%lld hours", (long long) hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, size, "%lld days", (long long) (hours / 24));
        else if (hours < 24 * 30 * 2)
                snprintf(buf, size, "%lld weeks", (long long) (hours / 24 / 7));
        else if (hours < 24 * 365 * 2)
                snprintf(buf, size, "%lld months", (long long) (hours / 24 / 30));
        else
                snprintf(buf, size, "%lld years", (long long) (hours / 24 / 365));
}

void human_time(int64_t unix_seconds, char *buf, size_t size)
{
        time_t t = (time_t) unix_seconds;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, size, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
}

void rfc3339(int64_t unix_seconds, long nanoseconds, char *buf, size_t size)
{
        time_t t = (time_t) unix_seconds;
        struct tm tm;
        gmtime_r(&t, &tm);
        size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, size - n, ".%09ldZ", nanoseconds);
}

/* --- templates --- */

/* Print a value as Go's template does for the common types. */
static void print_plain(FILE *out, json_t *v)
{
        if (!v) {
                fputs("<no value>", out);
        } else if (json_is_string(v)) {
                fputs(json_string_value(v), out);
        } else if (json_is_integer(v)) {
                fprintf(out, "%lld", (long long) json_integer_value(v));
        } else if (json_is_real(v)) {
                fprintf(out, "%g", json_real_value(v));
        } else if (json_is_true(v) || json_is_false(v)) {
                fputs(json_is_true(v) ? "true" : "false", out);
        } else if (json_is_null(v)) {
                fputs("<nil>", out);
        } else if (json_is_array(v)) {
                fputc('[', out);
                for (size_t i = 0; i < json_array_size(v); i++) {
                        if (i)
                                fputc(' ', out);
                        print_plain(out, json_array_get(v, i));
                }
                fputc(']', out);
        } else {
                const char *key;
                json_t *member;
                bool first = true;
                fputs("map[", out);
                json_object_foreach (v, key, member) {
                        fprintf(out, "%s%s:", first ? "" : " ", key);
                        print_plain(out, member);
                        first = false;
                }
                fputc(']', out);
        }
}

/* Resolve ".", ".A" or ".A.B" against the row. Borrowed reference or NULL. */
static int resolve_path(const char *path, size_t len, json_t *row, json_t **ret, struct vs_error *err)
{
        if (len == 0 || path[0] != '.')
                return vs_error_set(err, EINVAL, "template: unsupported expression \"%.*s\"", (int) len, path);
        json_t *v = row;
        size_t i = 1;
        while (i < len) {
                size_t j = i;
                while (j < len && path[j] != '.')
                        j++;
                char key[128];
                if (j - i == 0 || j - i >= sizeof(key))
                        return vs_error_set(err, EINVAL, "template: bad field \"%.*s\"", (int) len, path);
                memcpy(key, path + i, j - i);
                key[j - i] = '\0';
                if (!json_is_object(v))
                        return vs_error_set(err, EINVAL, "template: can't evaluate field %s in \"%.*s\"", key,
                                            (int) len, path);
                v = json_object_get(v, key);
                i = j + 1;
        }
        *ret = v;
        return 0;
}

/* Split an action's text into words; a quoted "string" is one word (quotes kept). */
static size_t split_words(char *text, char **words, size_t max)
{
        size_t n = 0;
        char *p = text;
        while (*p && n < max) {
                while (isspace((unsigned char) *p))
                        p++;
                if (!*p)
                        break;
                words[n++] = p;
                if (*p == '"') {
                        p = strchr(p + 1, '"');
                        if (!p)
                                return n;
                        p++;
                } else {
                        while (*p && !isspace((unsigned char) *p))
                                p++;
                }
                if (*p)
                        *p++ = '\0';
        }
        return n;
}

static int unquote(char *word, struct vs_error *err)
{
        size_t l = strlen(word);
        if (l < 2 || word[0] != '"' || word[l - 1] != '"')
                return vs_error_set(err, EINVAL, "template: expected a quoted string, got %s", word);
        memmove(word, word + 1, l - 2);
        word[l - 2] = '\0';
        return 0;
}

static void print_case(FILE *out, json_t *v, int (*conv)(int))
{
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        for (; *s; s++)
                fputc(conv((unsigned char) *s), out);
}

/* One {{ action }}: a field, or a function applied to fields. */
static int eval_action(FILE *out, char *text, json_t *row, struct vs_error *err)
{
        char *w[4];
        size_t n = split_words(text, w, 4);
        json_t *v = NULL;
        int r;
        if (n == 1)
                r = resolve_path(w[0], strlen(w[0]), row, &v, err);
        else if (n >= 2)
                r = resolve_path(w[1], strlen(w[1]), row, &v, err);
        else
                return vs_error_set(err, EINVAL, "template: empty action");
        if (r < 0)
                return r;
        if (n == 1) {
                print_plain(out, v);
        } else if (n == 2 && strcmp(w[0], "json") == 0) {
                _cleanup_free_ char *s = json_dumps(v ? v : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
                fputs(s ? s : "null", out);
        } else if (n == 2 && (strcmp(w[0], "upper") == 0 || strcmp(w[0], "lower") == 0)) {
                print_case(out, v, strcmp(w[0], "upper") == 0 ? toupper : tolower);
        } else if (n == 3 && strcmp(w[0], "index") == 0 && isdigit((unsigned char) w[2][0])) {
                /* {{index .List 0}}: an element of a list */
                char *end;
                unsigned long i = strtoul(w[2], &end, 10);
                if (*end)
                        return vs_error_set(err, EINVAL, "template: bad index %s", w[2]);
                print_plain(out, json_is_array(v) ? json_array_get(v, i) : NULL);
        } else if (n == 3 && strcmp(w[0], "index") == 0) {
                if ((r = unquote(w[2], err)) < 0)
                        return r;
                print_plain(out, json_is_object(v) ? json_object_get(v, w[2]) : NULL);
        } else if (n == 3 && strcmp(w[0], "join") == 0) {
                if ((r = unquote(w[2], err)) < 0)
                        return r;
                for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++) {
                        if (i)
                                fputs(w[2], out);
                        print_plain(out, json_array_get(v, i));
                }
        } else {
                return vs_error_set(err, EINVAL, "template: function \"%s\" not defined", w[0]);
        }
        return 0;
}

/* Render `tmpl` for one row; "\t" and "\n" written as two characters become
 * tab and newline, as docker's formatter does. */
static int render(FILE *out, const char *tmpl, json_t *row, struct vs_error *err)
{
        const char *p = tmpl;
        while (*p) {
                if (p[0] == '{' && p[1] == '{') {
                        const char *end = strstr(p + 2, "}}");
                        if (!end)
                                return vs_error_set(err, EINVAL, "template: unclosed action in \"%s\"", tmpl);
                        _cleanup_free_ char *text = strndup(p + 2, (size_t) (end - p - 2));
                        if (!text)
                                return vs_error_set(err, ENOMEM, "out of memory");
                        int r = eval_action(out, text, row, err);
                        if (r < 0)
                                return r;
                        p = end + 2;
                } else if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
                        fputc(p[1] == 't' ? '\t' : '\n', out);
                        p += 2;
                } else {
                        fputc(*p++, out);
                }
        }
        return 0;
}

int format_value(FILE *out, const char *format, json_t *value, struct vs_error *err)
{
        int r = render(out, format, value, err);
        if (r == 0)
                fputc('\n', out);
        return r;
}

/* --- tables --- */

/* The header row of a table template: each {{.Field}} becomes its header. */
static char *header_line(const char *tmpl, const struct header_name *headers)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        const char *p = tmpl;
        while (*p) {
                if (p[0] == '{' && p[1] == '{' && strstr(p, "}}")) {
                        const char *end = strstr(p, "}}");
                        const char *dot = memchr(p, '.', (size_t) (end - p));
                        size_t flen = 0;
                        const char *field = dot ? dot + 1 : p + 2;
                        while (field + flen < end && (isalnum((unsigned char) field[flen]) || field[flen] == '_'))
                                flen++;
                        const char *name = NULL;
                        for (const struct header_name *h = headers; h && h->field; h++)
                                if (strlen(h->field) == flen && strncmp(h->field, field, flen) == 0)
                                        name = h->header;
                        if (name)
                                fputs(name, f);
                        else
                                for (size_t i = 0; i < flen; i++)
                                        fputc(toupper((unsigned char) field[i]), f);
                        p = end + 2;
                } else if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
                        fputc(p[1] == 't' ? '\t' : '\n', f);
                        p += 2;
                } else {
                        fputc(*p++, f);
                }
        }
        fclose(f);
        return buf;
}

/* A cell's width on the terminal, in characters as docker's tabwriter
 * counts them (runes): a UTF-8 continuation byte adds none, so the "…" of
 * a cut command is one column, not three. */
static size_t cell_width(const char *cell, size_t len)
{
        size_t w = 0;
        for (size_t i = 0; i < len; i++)
                w += ((unsigned char) cell[i] & 0xC0) != 0x80;
        return w;
}

/* Align tab-separated cells as docker's tabwriter (minwidth 10, padding 3):
 * every cell but a line's last is padded to its column's width. */
static void print_aligned(FILE *out, char *text)
{
        size_t widths[64] = {0};
        for (char *line = text; *line;) {
                char *nl = strchrnul(line, '\n');
                size_t col = 0, start = 0, i;
                for (i = 0; line + i < nl; i++)
                        if (line[i] == '\t' && col < 64) {
                                size_t w = cell_width(line + start, i - start) + 3;
                                widths[col] = widths[col] > w ? widths[col] : w;
                                col++;
                                start = i + 1;
                        }
                line = *nl ? nl + 1 : nl;
        }
        for (char *line = text; *line;) {
                char *nl = strchrnul(line, '\n');
                size_t col = 0, start = 0;
                for (size_t i = 0; line + i <= nl; i++) {
                        if (line + i == nl || line[i] == '\t') {
                                fwrite(line + start, 1, i - start, out);
                                if (line + i != nl && col < 64) {
                                        size_t w = widths[col] < 10 ? 10 : widths[col];
                                        for (size_t k = cell_width(line + start, i - start); k < w; k++)
                                                fputc(' ', out);
                                        col++;
                                }
                                start = i + 1;
                        }
                }
                fputc('\n', out);
                line = *nl ? nl + 1 : nl;
        }
}

int format_rows(FILE *out, const char *format, const char *default_format, json_t *rows,
                const struct header_name *headers, struct vs_error *err)
{
        if (!format || !format[0])
                format = default_format;
        size_t i;
        json_t *row;
        if (strcmp(format, "json") == 0) {
                json_array_foreach (rows, i, row) {
                        _cleanup_free_ char *s = json_dumps(row, JSON_COMPACT);
                        fprintf(out, "%s\n", s ? s : "{}");
                }
                return 0;
        }
        bool table = strncmp(format, "table", 5) == 0 && (format[5] == '\0' || isspace((unsigned char) format[5]));
        if (!table) {
                json_array_foreach (rows, i, row) {
                        int r = format_value(out, format, row, err);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        const char *tmpl = format[5] ? format + 6 : default_format + 6;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        _cleanup_free_ char *head = header_line(tmpl, headers);
        if (!f || !head) {
                if (f)
                        fclose(f);
                free(buf);
                return vs_error_set(err, ENOMEM, "out of memory");
        }
        fprintf(f, "%s\n", head);
        int r = 0;
        json_array_foreach (rows, i, row) {
                r = render(f, tmpl, row, err);
                if (r < 0)
                        break;
                fputc('\n', f);
        }
        fclose(f);
        if (r == 0)
                print_aligned(out, buf);
        free(buf);
        return r;
}
