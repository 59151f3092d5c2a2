/* vessel: jansson helpers for the config.json parser (private to src/oci).
 *
 * A struct vs_oci_json carries the origin ("config.json") and the JSON path
 * of the value being parsed ("linux.namespaces[2]"), so that every error
 * reads "<origin>: <path>: <problem>". Descend with vs_oci_json_enter() and
 * climb back with vs_oci_json_leave(); on an error the path is left where the
 * error was, which is harmless: the message is already written.
 *
 * Member getters treat an absent member and a JSON null alike (as Go's
 * encoding/json does for runc): they return 0 and leave *ret untouched. */
#ifndef VESSEL_OCI_JSON_H
#define VESSEL_OCI_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"
#include "util/error.h"

#define VS_OCI_JSON_PATH_MAX 256

struct vs_oci_json {
        const char *origin;
        struct vs_error *err;
        size_t len;                      /* strlen(path) */
        char path[VS_OCI_JSON_PATH_MAX]; /* "" at the top level */
};

static inline void vs_oci_json_decrefp(json_t **v)
{
        if (*v)
                json_decref(*v);
}
#define _cleanup_oci_json_ __attribute__((cleanup(vs_oci_json_decrefp)))

void vs_oci_json_init(struct vs_oci_json *j, const char *origin, struct vs_error *err);
/* Descend into the member `key` or the element `index`; returns the mark to leave with. */
size_t vs_oci_json_enter(struct vs_oci_json *j, const char *key);
size_t vs_oci_json_enter_index(struct vs_oci_json *j, size_t index);
void vs_oci_json_leave(struct vs_oci_json *j, size_t mark);
/* Fail with EINVAL at the current path; returns -EINVAL. */
int vs_oci_json_fail(struct vs_oci_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail with EINVAL at the member `key` of the current path. */
int vs_oci_json_fail_at(struct vs_oci_json *j, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int vs_oci_json_oom(struct vs_oci_json *j);

/* Parse JSON text. Integers above INT64_MAX (up to UINT64_MAX) are kept
 * exactly: the unsigned getters read them back (a rlimit of
 * 18446744073709551615 is common, and jansson's integers are signed). */
int vs_oci_json_load(const char *data, size_t len, const char *origin, json_t **ret, struct vs_error *err);

/* "object", "array", "string", "integer", "real", "boolean", "null". */
const char *vs_oci_json_type_name(const json_t *v);

/* Value getters: errors name the current path. */
int vs_oci_json_get_string(struct vs_oci_json *j, const json_t *v, char **ret);
int vs_oci_json_get_uint(struct vs_oci_json *j, const json_t *v, uint64_t max, uint64_t *ret);
int vs_oci_json_get_int(struct vs_oci_json *j, const json_t *v, int64_t min, int64_t max, int64_t *ret);
int vs_oci_json_get_strv(struct vs_oci_json *j, const json_t *v, char ***ret, size_t *ret_n);
int vs_oci_json_check_object(struct vs_oci_json *j, const json_t *v);

/* The member `key` of obj, or NULL when it is absent or null. */
json_t *vs_oci_json_member(const json_t *obj, const char *key);
/* Fail with "is required" unless obj has a non-null member `key`. */
int vs_oci_json_require(struct vs_oci_json *j, const json_t *obj, const char *key);

/* Member getters. `set`/`has` may be NULL; they become true when the member is there. */
int vs_oci_json_object_member(struct vs_oci_json *j, const json_t *obj, const char *key, json_t **ret);
int vs_oci_json_array_member(struct vs_oci_json *j, const json_t *obj, const char *key, json_t **ret);
int vs_oci_json_string_member(struct vs_oci_json *j, const json_t *obj, const char *key, char **ret);
int vs_oci_json_bool_member(struct vs_oci_json *j, const json_t *obj, const char *key, bool *has, bool *ret);
int vs_oci_json_uint_member(struct vs_oci_json *j, const json_t *obj, const char *key, uint64_t max, bool *set,
                            uint64_t *ret);
int vs_oci_json_int_member(struct vs_oci_json *j, const json_t *obj, const char *key, int64_t min, int64_t max,
                           bool *set, int64_t *ret);
int vs_oci_json_u32_member(struct vs_oci_json *j, const json_t *obj, const char *key, uint32_t *ret);
int vs_oci_json_i32_member(struct vs_oci_json *j, const json_t *obj, const char *key, int32_t *ret);
int vs_oci_json_u64_member(struct vs_oci_json *j, const json_t *obj, const char *key, struct vs_oci_u64 *ret);
int vs_oci_json_i64_member(struct vs_oci_json *j, const json_t *obj, const char *key, struct vs_oci_i64 *ret);
/* An array of strings, NULL-terminated; present but empty gives a one-slot {NULL} array. */
int vs_oci_json_strv_member(struct vs_oci_json *j, const json_t *obj, const char *key, char ***ret, size_t *ret_n);
/* An object of string to string. With stringify, a non-string value is kept as its compact JSON text. */
int vs_oci_json_kv_member(struct vs_oci_json *j, const json_t *obj, const char *key, bool stringify,
                          struct vs_oci_kv **ret, size_t *ret_n);
void vs_oci_kv_free(struct vs_oci_kv *kv, size_t n);

/* Parse the array member `key` of objects into a calloc'ed array of elem_size
 * elements, calling parse(j, element, slot) for each with the path on the
 * element. The array is stored in *ret / *ret_n before the elements are
 * parsed, so that on failure the caller's free function releases the part
 * already parsed. An absent member leaves both untouched. */
typedef int (*vs_oci_json_element_fn)(struct vs_oci_json *j, const json_t *v, void *slot);
int vs_oci_json_array_of(struct vs_oci_json *j, const json_t *obj, const char *key, size_t elem_size,
                         vs_oci_json_element_fn parse, void **ret, size_t *ret_n);
#define vs_oci_json_parse_array(j, obj, key, ptr, n, fn)                                                               \
        vs_oci_json_array_of((j), (obj), (key), sizeof(**(ptr)), (fn), (void **) (ptr), (n))

/* A new JSON array of the NULL-terminated strings, or NULL when out of memory. */
json_t *vs_oci_json_string_array(const char *const *strings);
/* The text of v, indented by 2 spaces, with a final newline; errors name `what`. */
int vs_oci_json_dump(const json_t *v, const char *what, char **ret, struct vs_error *err);

#endif
