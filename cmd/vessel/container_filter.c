/* vessel ps --filter (docker's keys: id, name, label, status, exited,
 * ancestor, before, since), ps -s sizes, and the times of logs
 * --since/--until (RFC 3339, unix seconds, or a Go duration back from now). */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container_filter.h"
#include "engine/run_json.h"
#include "format.h"
#include "util/cleanup.h"

static const char *const keys[] = {"id", "name", "label", "status", "exited", "ancestor", "before", "since"};
static const char *const statuses[] = {"created", "restarting", "running", "removing", "paused", "exited", "dead"};

void ps_filter_free(struct ps_filter *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free(f->items[i].key);
                free(f->items[i].value);
        }
        free(f->items);
        *f = (struct ps_filter){0};
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(list[i], s) == 0)
                        return true;
        return false;
}

static int check_value(const char *key, const char *value, struct vs_error *err)
{
        if (strcmp(key, "status") == 0 && !in_list(statuses, VS_ARRAY_SIZE(statuses), value))
                return vs_error_set(err, EINVAL, "invalid filter 'status=%s'", value);
        if (strcmp(key, "exited") == 0) {
                char *end;
                errno = 0;
                long v = strtol(value, &end, 10);
                if (errno || end == value || *end || v < -1 || v > 255)
                        return vs_error_set(err, EINVAL, "invalid filter 'exited=%s'", value);
        }
        if ((strcmp(key, "id") == 0 || strcmp(key, "name") == 0)) {
                regex_t re;
                if (regcomp(&re, value, REG_EXTENDED | REG_NOSUB) != 0)
                        return vs_error_set(err, EINVAL, "invalid filter '%s=%s': bad regular expression", key, value);
                regfree(&re);
        }
        return 0;
}

int ps_filter_add(struct ps_filter *f, const char *spec, struct vs_error *err)
{
        const char *eq = strchr(spec, '=');
        if (!eq || eq == spec)
                return vs_error_set(err, EINVAL, "bad format of filter (expected name=value)");
        _cleanup_free_ char *key = strndup(spec, (size_t) (eq - spec));
        if (!key)
                return vs_error_set(err, ENOMEM, "out of memory");
        if (!in_list(keys, VS_ARRAY_SIZE(keys), key))
                return vs_error_set(err, EINVAL, "invalid filter '%s'", key);
        int r = check_value(key, eq + 1, err);
        if (r < 0)
                return r;
        struct ps_filter_item *more = realloc(f->items, (f->n + 1) * sizeof(*more));
        if (!more)
                return vs_error_set(err, ENOMEM, "out of memory");
        f->items = more;
        f->items[f->n].value = strdup(eq + 1);
        if (!f->items[f->n].value)
                return vs_error_set(err, ENOMEM, "out of memory");
        f->items[f->n++].key = TAKE_PTR(key);
        return 0;
}

bool ps_filter_implies_all(const struct ps_filter *f)
{
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->items[i].key, "status") == 0 || strcmp(f->items[i].key, "exited") == 0)
                        return true;
        return false;
}

static bool regex_match(const char *pattern, const char *text)
{
        regex_t re;
        if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
                return false;
        bool m = regexec(&re, text, 0, NULL, 0) == 0;
        regfree(&re);
        return m;
}

/* label=KEY or label=KEY=VALUE against Config.Labels. */
static bool label_match(const struct vs_container *c, const char *want)
{
        json_t *config = json_loads(c->config ? c->config : "{}", 0, NULL);
        json_t *labels = json_object_get(config, "Labels");
        const char *eq = strchr(want, '=');
        _cleanup_free_ char *key = eq ? strndup(want, (size_t) (eq - want)) : strdup(want);
        json_t *v = key ? json_object_get(labels, key) : NULL;
        bool m = v && (!eq || (json_is_string(v) && strcmp(json_string_value(v), eq + 1) == 0));
        json_decref(config);
        return m;
}

/* ancestor=IMAGE: the container's image is IMAGE (by any name or ID). */
static bool ancestor_match(struct vs_store *s, const struct vs_container *c, const char *want)
{
        if (strcmp(c->image_name, want) == 0)
                return true;
        struct vs_image img = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_store_image_lookup(s, want, &img, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        bool m = strcmp(img.id, c->image_id) == 0;
        vs_image_free(&img);
        return m;
}

/* before/since=CONTAINER: created before or after it. */
static bool time_match(struct vs_store *s, const struct vs_container *c, const char *other, bool before)
{
        struct vs_container o = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_container_find(s->db, other, &o, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        bool m = before ? c->created < o.created : c->created > o.created;
        vs_container_free(&o);
        return m;
}

static bool item_match(struct vs_store *s, const struct vs_container *c, const struct ps_filter_item *it)
{
        const char *k = it->key, *v = it->value;
        if (strcmp(k, "id") == 0)
                return regex_match(v, c->id);
        if (strcmp(k, "name") == 0) {
                char slashed[300];
                snprintf(slashed, sizeof(slashed), "/%s", c->name);
                return regex_match(v, c->name) || regex_match(v, slashed);
        }
        if (strcmp(k, "label") == 0)
                return label_match(c, v);
        if (strcmp(k, "status") == 0)
                return strcmp(c->state, v) == 0;
        if (strcmp(k, "exited") == 0)
                return strcmp(c->state, "exited") == 0 && c->exit_code == atoi(v);
        if (strcmp(k, "ancestor") == 0)
                return ancestor_match(s, c, v);
        return time_match(s, c, v, strcmp(k, "before") == 0);
}

/* docker's rule: values of one key are OR'ed, keys AND'ed. */
bool ps_filter_match(const struct ps_filter *f, struct vs_store *s, const struct vs_container *c)
{
        for (size_t i = 0; i < f->n; i++) {
                bool seen = false, any = false;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = strcmp(f->items[j].key, f->items[i].key) == 0;
                if (seen)
                        continue;
                for (size_t j = i; j < f->n && !any; j++)
                        if (strcmp(f->items[j].key, f->items[i].key) == 0)
                                any = item_match(s, c, &f->items[j]);
                if (!any)
                        return false;
        }
        return true;
}

void ps_row_add_size(struct vs_store *s, const struct vs_container *c, const char *upper, json_t *row)
{
        struct vs_image img = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_store_image_lookup(s, c->image_id, &img, &ignored) < 0)
                vs_error_ignore(&ignored);
        int64_t rw = container_dir_size(upper);
        char a[32], b[32], text[80];
        human_size(rw, a, sizeof(a));
        human_size(rw + img.unpacked_size, b, sizeof(b));
        snprintf(text, sizeof(text), "%s (virtual %s)", a, b);
        json_object_set_new(row, "Size", json_string(text));
        vs_image_free(&img);
}

/* --- times --- */

/* A Go duration: "1h30m", "10m", "45s", "1.5h", "300ms". */
static int parse_duration(const char *text, int64_t *ret)
{
        static const struct {
                const char *unit;
                double ns;
        } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
        const char *p = text;
        double total = 0;
        if (!*p)
                return -EINVAL;
        while (*p) {
                char *end;
                double v = strtod(p, &end);
                if (end == p || v < 0)
                        return -EINVAL;
                size_t ulen = 0;
                while (isalpha((unsigned char) end[ulen]))
                        ulen++;
                size_t u = 0;
                while (u < VS_ARRAY_SIZE(units) && (strlen(units[u].unit) != ulen || strncmp(units[u].unit, end, ulen)))
                        u++;
                if (u == VS_ARRAY_SIZE(units))
                        return -EINVAL;
                total += v * units[u].ns;
                p = end + ulen;
        }
        *ret = (int64_t) total;
        return 0;
}

int log_time_parse(const char *text, int64_t now, int64_t *ret, struct vs_error *err)
{
        int64_t d;
        if (parse_duration(text, &d) == 0) {
                *ret = now - d;
                return 0;
        }
        char *end;
        errno = 0;
        double secs = strtod(text, &end);
        if (!errno && end != text && *end == '\0' && isdigit((unsigned char) text[0])) {
                *ret = (int64_t) (secs * 1e9);
                return 0;
        }
        int64_t t = rfc3339_ns(text);
        if (t > 0) {
                *ret = t;
                return 0;
        }
        return vs_error_set(err, EINVAL,
                            "invalid value for \"since/until\": \"%s\" (want RFC 3339, unix seconds or a duration "
                            "like 10m)",
                            text);
}

int64_t rfc3339_ns(const char *text)
{
        struct tm tm = {0};
        const char *rest = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
        if (!rest)
                return 0;
        int64_t ns = 0;
        if (*rest == '.') {
                int64_t scale = 100000000;
                for (rest++; isdigit((unsigned char) *rest); rest++, scale /= 10)
                        ns += (*rest - '0') * scale;
        }
        int64_t offset = 0;
        if (*rest == '+' || *rest == '-') {
                int h = 0, m = 0;
                if (sscanf(rest + 1, "%2d:%2d", &h, &m) != 2)
                        return 0;
                offset = (int64_t) (h * 3600 + m * 60) * (*rest == '+' ? 1 : -1);
                rest += 6;
        } else if (*rest == 'Z') {
                rest++;
        } else {
                return 0;
        }
        if (*rest)
                return 0;
        return ((int64_t) timegm(&tm) - offset) * 1000000000 + ns;
}

bool log_time_within(const char *when, int64_t since, int64_t until)
{
        if (!since && !until)
                return true;
        int64_t t = rfc3339_ns(when);
        return (!since || t >= since) && (!until || t <= until);
}

int logs_readable(const struct vs_container *c, struct vs_error *err)
{
        struct vs_run_host_summary h;
        int r = vs_run_host_summary(c->host_config, &h, err);
        if (r == 0 && h.log_none)
                r = vs_error_set(err, EINVAL, "configured logging driver does not support reading");
        return r;
}
