#include "oci/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

void vs_oci_json_init(struct vs_oci_json *j, const char *origin, struct vs_error *err)
{
        j->origin = origin;
        j->err = err;
        j->len = 0;
        j->path[0] = '\0';
}

static size_t path_append(struct vs_oci_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_append(struct vs_oci_json *j, const char *fmt, ...)
{
        size_t mark = j->len;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(j->path + j->len, sizeof(j->path) - j->len, fmt, ap);
        va_end(ap);
        if (n > 0)
                j->len = strnlen(j->path, sizeof(j->path) - 1);
        return mark;
}

/* Keys come from the input: a control character in one is written as \xNN,
 * so that a message stays one line. */
size_t vs_oci_json_enter(struct vs_oci_json *j, const char *key)
{
        static const char hex[] = "0123456789abcdef";
        size_t mark = j->len;
        size_t room = sizeof(j->path) - 1, o = j->len;
        if (o > 0 && o < room)
                j->path[o++] = '.';
        for (const unsigned char *c = (const unsigned char *) key; *c && o < room; c++) {
                if (*c >= 0x20 && *c != 0x7f) {
                        j->path[o++] = (char) *c;
                } else if (o + 4 <= room) {
                        j->path[o++] = '\\';
                        j->path[o++] = 'x';
                        j->path[o++] = hex[*c >> 4];
                        j->path[o++] = hex[*c & 0xf];
                } else {
                        break;
                }
        }
        j->path[o] = '\0';
        j->len = o;
        return mark;
}

size_t vs_oci_json_enter_index(struct vs_oci_json *j, size_t index)
{
        return path_append(j, "[%zu]", index);
}

void vs_oci_json_leave(struct vs_oci_json *j, size_t mark)
{
        if (mark < sizeof(j->path)) {
                j->len = mark;
                j->path[mark] = '\0';
        }
}

/* Messages are one line whatever the input: any control character left
 * (from jansson's text, say) becomes '?'. */
static void make_one_line(char *s)
{
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        *s = '?';
}

static int json_vfail(struct vs_oci_json *j, int errnum, const char *key, const char *fmt, va_list ap)
{
        char problem[VS_ERROR_MSG_MAX];
        vsnprintf(problem, sizeof(problem), fmt, ap);
        size_t mark = key ? vs_oci_json_enter(j, key) : j->len;
        int r = j->len == 0 ? vs_error_set(j->err, errnum, "%s: %s", j->origin, problem)
                            : vs_error_set(j->err, errnum, "%s: %s: %s", j->origin, j->path, problem);
        vs_oci_json_leave(j, mark);
        if (j->err)
                make_one_line(j->err->msg);
        return r;
}

int vs_oci_json_fail(struct vs_oci_json *j, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = json_vfail(j, EINVAL, NULL, fmt, ap);
        va_end(ap);
        return r;
}

int vs_oci_json_fail_at(struct vs_oci_json *j, const char *key, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = json_vfail(j, EINVAL, key, fmt, ap);
        va_end(ap);
        return r;
}

int vs_oci_json_oom(struct vs_oci_json *j)
{
        return vs_error_set(j->err, ENOMEM, "%s: out of memory", j->origin);
}

/* ---- loading, and integers above INT64_MAX ---- */

/* jansson's integers are json_int_t (long long) and it rejects larger
 * literals. The spec's uint64 fields may hold up to UINT64_MAX, so on such an
 * overflow the text is parsed a second time with each literal in
 * (INT64_MAX, UINT64_MAX] rewritten as the string "\u0000<digits>": a NUL
 * first byte no real string value can carry past the getters (they reject
 * NULs), and the unsigned getters read it back exactly. */
#define BIG_MARK "\"\\u0000"

static bool is_big_uint_literal(const char *s, size_t n, uint64_t *ret)
{
        char buf[24];
        if (n < 19 || n > 20 || s[0] == '0')
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        memcpy(buf, s, n);
        buf[n] = '\0';
        errno = 0;
        unsigned long long v = strtoull(buf, NULL, 10);
        if (errno == ERANGE || v <= (unsigned long long) INT64_MAX)
                return false;
        if (ret)
                *ret = v;
        return true;
}

static bool is_number_char(char c)
{
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

static char *quote_big_integers(const char *in, size_t len, size_t *ret_len)
{
        if (len > (SIZE_MAX - 1) / 2)
                return NULL;
        /* A rewritten literal has at least 19 digits and grows by 9 bytes. */
        char *out = malloc(len * 2 + 1);
        if (!out)
                return NULL;
        size_t o = 0, i = 0;
        bool in_string = false;
        while (i < len) {
                char c = in[i];
                if (in_string) {
                        out[o++] = in[i++];
                        if (c == '\\' && i < len)
                                out[o++] = in[i++];
                        else if (c == '"')
                                in_string = false;
                } else if (c == '"') {
                        in_string = true;
                        out[o++] = in[i++];
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                        size_t start = i;
                        while (i < len && is_number_char(in[i]))
                                i++;
                        bool big = is_big_uint_literal(in + start, i - start, NULL);
                        if (big) {
                                memcpy(out + o, BIG_MARK, strlen(BIG_MARK));
                                o += strlen(BIG_MARK);
                        }
                        memcpy(out + o, in + start, i - start);
                        o += i - start;
                        if (big)
                                out[o++] = '"';
                } else {
                        out[o++] = in[i++];
                }
        }
        out[o] = '\0';
        *ret_len = o;
        return out;
}

int vs_oci_json_load(const char *data, size_t len, const char *origin, json_t **ret, struct vs_error *err)
{
        json_error_t jerr;
        int r;
        json_t *root = json_loadb(data, len, 0, &jerr);
        if (!root && json_error_code(&jerr) == json_error_numeric_overflow) {
                size_t text_len = 0;
                _cleanup_free_ char *text = quote_big_integers(data, len, &text_len);
                if (!text)
                        return vs_error_set(err, ENOMEM, "%s: out of memory", origin);
                root = json_loadb(text, text_len, JSON_ALLOW_NUL, &jerr);
        }
        if (!root) {
                if (json_error_code(&jerr) == json_error_out_of_memory)
                        return vs_error_set(err, ENOMEM, "%s: out of memory", origin);
                r = vs_error_set(err, EINVAL, "%s: not valid JSON at line %d, column %d: %s", origin, jerr.line,
                                 jerr.column, jerr.text);
                if (err)
                        make_one_line(err->msg);
                return r;
        }
        *ret = root;
        return 0;
}

static bool big_uint_value(const json_t *v, uint64_t *ret)
{
        if (!json_is_string(v) || json_string_length(v) < 2 || json_string_value(v)[0] != '\0')
                return false;
        return is_big_uint_literal(json_string_value(v) + 1, json_string_length(v) - 1, ret);
}

const char *vs_oci_json_type_name(const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return "object";
        case JSON_ARRAY:
                return "array";
        case JSON_STRING:
                return big_uint_value(v, NULL) ? "integer" : "string";
        case JSON_INTEGER:
                return "integer";
        case JSON_REAL:
                return "real";
        case JSON_TRUE:
        case JSON_FALSE:
                return "boolean";
        case JSON_NULL:
                return "null";
        }
        return "unknown";
}

/* ---- value getters ---- */

int vs_oci_json_get_string(struct vs_oci_json *j, const json_t *v, char **ret)
{
        if (!json_is_string(v) || big_uint_value(v, NULL))
                return vs_oci_json_fail(j, "expected a string, got %s", vs_oci_json_type_name(v));
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v))
                return vs_oci_json_fail(j, "must not contain a NUL character");
        char *copy = strdup(s);
        if (!copy)
                return vs_oci_json_oom(j);
        *ret = copy;
        return 0;
}

int vs_oci_json_get_uint(struct vs_oci_json *j, const json_t *v, uint64_t max, uint64_t *ret)
{
        uint64_t value;
        if (json_is_integer(v)) {
                json_int_t i = json_integer_value(v);
                if (i < 0)
                        return vs_oci_json_fail(j, "expected an unsigned integer, got %" PRId64, (int64_t) i);
                value = (uint64_t) i;
        } else if (!big_uint_value(v, &value)) {
                return vs_oci_json_fail(j, "expected an unsigned integer, got %s", vs_oci_json_type_name(v));
        }
        if (value > max)
                return vs_oci_json_fail(j, "%" PRIu64 " is out of range (maximum %" PRIu64 ")", value, max);
        *ret = value;
        return 0;
}

int vs_oci_json_get_int(struct vs_oci_json *j, const json_t *v, int64_t min, int64_t max, int64_t *ret)
{
        uint64_t big;
        if (big_uint_value(v, &big))
                return vs_oci_json_fail(j, "%" PRIu64 " is out of range (%" PRId64 " to %" PRId64 ")", big, min, max);
        if (!json_is_integer(v))
                return vs_oci_json_fail(j, "expected an integer, got %s", vs_oci_json_type_name(v));
        int64_t value = json_integer_value(v);
        if (value < min || value > max)
                return vs_oci_json_fail(j, "%" PRId64 " is out of range (%" PRId64 " to %" PRId64 ")", value, min, max);
        *ret = value;
        return 0;
}

int vs_oci_json_check_object(struct vs_oci_json *j, const json_t *v)
{
        if (!json_is_object(v))
                return vs_oci_json_fail(j, "expected an object, got %s", vs_oci_json_type_name(v));
        return 0;
}

int vs_oci_json_get_strv(struct vs_oci_json *j, const json_t *v, char ***ret, size_t *ret_n)
{
        if (!json_is_array(v))
                return vs_oci_json_fail(j, "expected an array, got %s", vs_oci_json_type_name(v));
        size_t n = json_array_size(v);
        _cleanup_strv_ char **strv = calloc(n + 1, sizeof(char *));
        if (!strv)
                return vs_oci_json_oom(j);
        for (size_t i = 0; i < n; i++) {
                size_t mark = vs_oci_json_enter_index(j, i);
                int r = vs_oci_json_get_string(j, json_array_get(v, i), &strv[i]);
                if (r < 0)
                        return r;
                vs_oci_json_leave(j, mark);
        }
        *ret = TAKE_PTR(strv);
        if (ret_n)
                *ret_n = n;
        return 0;
}

/* ---- member getters ---- */

json_t *vs_oci_json_member(const json_t *obj, const char *key)
{
        json_t *v = json_object_get(obj, key);
        return json_is_null(v) ? NULL : v;
}

int vs_oci_json_require(struct vs_oci_json *j, const json_t *obj, const char *key)
{
        if (!vs_oci_json_member(obj, key))
                return vs_oci_json_fail_at(j, key, "is required");
        return 0;
}

int vs_oci_json_object_member(struct vs_oci_json *j, const json_t *obj, const char *key, json_t **ret)
{
        json_t *v = vs_oci_json_member(obj, key);
        if (!v)
                return 0;
        if (!json_is_object(v))
                return vs_oci_json_fail_at(j, key, "expected an object, got %s", vs_oci_json_type_name(v));
        *ret = v;
        return 0;
}

int vs_oci_json_array_member(struct vs_oci_json *j, const json_t *obj, const char *key, json_t **ret)
{
        json_t *v = vs_oci_json_member(obj, key);
        if (!v)
                return 0;
        if (!json_is_array(v))
                return vs_oci_json_fail_at(j, key, "expected an array, got %s", vs_oci_json_type_name(v));
        *ret = v;
        return 0;
}

int vs_oci_json_string_member(struct vs_oci_json *j, const json_t *obj, const char *key, char **ret)
{
        json_t *v = vs_oci_json_member(obj, key);
        if (!v)
                return 0;
        size_t mark = vs_oci_json_enter(j, key);
        char *s = NULL;
        int r = vs_oci_json_get_string(j, v, &s);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        *ret = s;
        return 0;
}

int vs_oci_json_bool_member(struct vs_oci_json *j, const json_t *obj, const char *key, bool *has, bool *ret)
{
        json_t *v = vs_oci_json_member(obj, key);
        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return vs_oci_json_fail_at(j, key, "expected a boolean, got %s", vs_oci_json_type_name(v));
        *ret = json_is_true(v);
        if (has)
                *has = true;
        return 0;
}

int vs_oci_json_uint_member(struct vs_oci_json *j, const json_t *obj, const char *key, uint64_t max, bool *set,
                            uint64_t *ret)
{
        json_t *v = vs_oci_json_member(obj, key);
        if (!v)
                return 0;
        size_t mark = vs_oci_json_enter(j, key);
        int r = vs_oci_json_get_uint(j, v, max, ret);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        if (set)
                *set = true;
        return 0;
}

int vs_oci_json_int_member(struct vs_oci_json *j, const json_t *obj, const char *key, int64_t min, int64_t max,
                           bool *set, int64_t *ret)
{
        json_t *v = vs_oci_json_member(obj, key);
        if (!v)
                return 0;
        size_t mark = vs_oci_json_enter(j, key);
        int r = vs_oci_json_get_int(j, v, min, max, ret);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        if (set)
                *set = true;
        return 0;
}

int vs_oci_json_u32_member(struct vs_oci_json *j, const json_t *obj, const char *key, uint32_t *ret)
{
        uint64_t v;
        bool set = false;
        int r = vs_oci_json_uint_member(j, obj, key, UINT32_MAX, &set, &v);
        if (r < 0)
                return r;
        if (set)
                *ret = (uint32_t) v;
        return 0;
}

int vs_oci_json_i32_member(struct vs_oci_json *j, const json_t *obj, const char *key, int32_t *ret)
{
        int64_t v;
        bool set = false;
        int r = vs_oci_json_int_member(j, obj, key, INT32_MIN, INT32_MAX, &set, &v);
        if (r < 0)
                return r;
        if (set)
                *ret = (int32_t) v;
        return 0;
}

int vs_oci_json_u64_member(struct vs_oci_json *j, const json_t *obj, const char *key, struct vs_oci_u64 *ret)
{
        return vs_oci_json_uint_member(j, obj, key, UINT64_MAX, &ret->set, &ret->value);
}

int vs_oci_json_i64_member(struct vs_oci_json *j, const json_t *obj, const char *key, struct vs_oci_i64 *ret)
{
        return vs_oci_json_int_member(j, obj, key, INT64_MIN, INT64_MAX, &ret->set, &ret->value);
}

int vs_oci_json_strv_member(struct vs_oci_json *j, const json_t *obj, const char *key, char ***ret, size_t *ret_n)
{
        json_t *v = vs_oci_json_member(obj, key);
        if (!v)
                return 0;
        size_t mark = vs_oci_json_enter(j, key);
        char **strv = NULL;
        size_t n = 0;
        int r = vs_oci_json_get_strv(j, v, &strv, &n);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        *ret = strv;
        if (ret_n)
                *ret_n = n;
        return 0;
}

void vs_oci_kv_free(struct vs_oci_kv *kv, size_t n)
{
        for (size_t i = 0; kv && i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

static int kv_value(struct vs_oci_json *j, const json_t *v, bool stringify, char **ret)
{
        if (!stringify || json_is_string(v))
                return vs_oci_json_get_string(j, v, ret);
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
                return vs_oci_json_oom(j);
        *ret = text;
        return 0;
}

static int kv_fill(struct vs_oci_json *j, const json_t *v, bool stringify, struct vs_oci_kv *kv)
{
        const char *key;
        size_t key_len;
        json_t *value;
        size_t i = 0;
        json_object_keylen_foreach((json_t *) v, key, key_len, value)
        {
                if (strlen(key) != key_len)
                        return vs_oci_json_fail(j, "a key must not contain a NUL character");
                kv[i].key = strdup(key);
                if (!kv[i].key)
                        return vs_oci_json_oom(j);
                size_t mark = vs_oci_json_enter(j, key);
                int r = kv_value(j, value, stringify, &kv[i].value);
                if (r < 0)
                        return r;
                vs_oci_json_leave(j, mark);
                i++;
        }
        return 0;
}

int vs_oci_json_kv_member(struct vs_oci_json *j, const json_t *obj, const char *key, bool stringify,
                          struct vs_oci_kv **ret, size_t *ret_n)
{
        json_t *v = vs_oci_json_member(obj, key);
        if (!v)
                return 0;
        if (!json_is_object(v))
                return vs_oci_json_fail_at(j, key, "expected an object, got %s", vs_oci_json_type_name(v));
        size_t n = json_object_size(v);
        struct vs_oci_kv *kv = n > 0 ? calloc(n, sizeof(*kv)) : NULL;
        if (n > 0 && !kv)
                return vs_oci_json_oom(j);
        size_t mark = vs_oci_json_enter(j, key);
        int r = kv_fill(j, v, stringify, kv);
        if (r < 0) {
                vs_oci_kv_free(kv, n);
                return r;
        }
        vs_oci_json_leave(j, mark);
        *ret = kv;
        *ret_n = n;
        return 0;
}

int vs_oci_json_array_of(struct vs_oci_json *j, const json_t *obj, const char *key, size_t elem_size,
                         vs_oci_json_element_fn parse, void **ret, size_t *ret_n)
{
        json_t *arr = NULL;
        int r = vs_oci_json_array_member(j, obj, key, &arr);
        if (r < 0 || !arr)
                return r;
        size_t n = json_array_size(arr);
        if (n == 0)
                return 0;
        char *elems = calloc(n, elem_size);
        if (!elems)
                return vs_oci_json_oom(j);
        *ret = elems;
        *ret_n = n;
        size_t mark = vs_oci_json_enter(j, key);
        for (size_t i = 0; i < n; i++) {
                size_t elem_mark = vs_oci_json_enter_index(j, i);
                const json_t *v = json_array_get(arr, i);
                r = vs_oci_json_check_object(j, v);
                if (r < 0)
                        return r;
                r = parse(j, v, elems + i * elem_size);
                if (r < 0)
                        return r;
                vs_oci_json_leave(j, elem_mark);
        }
        vs_oci_json_leave(j, mark);
        return 0;
}

int vs_oci_json_dump(const json_t *v, const char *what, char **ret, struct vs_error *err)
{
        _cleanup_free_ char *text = v ? json_dumps(v, JSON_INDENT(2)) : NULL;
        if (!text)
                return vs_error_set(err, ENOMEM, "cannot write %s: out of memory", what);
        size_t len = strlen(text);
        char *with_newline = realloc(text, len + 2);
        if (!with_newline)
                return vs_error_set(err, ENOMEM, "cannot write %s: out of memory", what);
        text = NULL;
        with_newline[len] = '\n';
        with_newline[len + 1] = '\0';
        *ret = with_newline;
        return 0;
}

json_t *vs_oci_json_string_array(const char *const *strings)
{
        json_t *arr = json_array();
        for (; arr && *strings; strings++)
                if (json_array_append_new(arr, json_string(*strings)) < 0) {
                        json_decref(arr);
                        return NULL;
                }
        return arr;
}
