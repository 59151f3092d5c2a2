/* The image config (Docker's and OCI's are one JSON document): what a
 * container made from the image starts with, and the diff IDs of its layers.
 * The input is untrusted; errors name the document and the field. Members
 * vessel does not use are kept only in `raw`. */
#include "image/manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/json.h"
#include "util/cleanup.h"

void vs_image_config_free(struct vs_image_config *c)
{
        if (!c)
                return;
        free(c->architecture);
        free(c->os);
        free(c->variant);
        free(c->created);
        free(c->author);
        free(c->user);
        free(c->working_dir);
        free(c->stop_signal);
        vs_strv_free(c->env);
        vs_strv_free(c->entrypoint);
        vs_strv_free(c->cmd);
        vs_strv_free(c->exposed_ports);
        vs_strv_free(c->volumes);
        vs_strv_free(c->label_keys);
        vs_strv_free(c->label_values);
        vs_strv_free(c->diff_ids);
        for (size_t i = 0; c->history && i < c->n_history; i++) {
                free(c->history[i].created);
                free(c->history[i].created_by);
                free(c->history[i].author);
                free(c->history[i].comment);
        }
        free(c->history);
        if (c->raw)
                json_decref(c->raw);
        *c = (struct vs_image_config){NULL};
}

/* The keys of an object used as a set ({"80/tcp": {}}): Go decodes each
 * value into struct{}, so an object or null is accepted, nothing else. */
static int object_keys(struct vs_oci_json *j, const json_t *obj, const char *member, char ***ret)
{
        json_t *v = NULL;
        int r = vs_oci_json_object_member(j, obj, member, &v);
        if (r < 0 || !v)
                return r;
        _cleanup_strv_ char **keys = calloc(json_object_size(v) + 1, sizeof(char *));
        if (!keys)
                return vs_oci_json_oom(j);
        size_t n = 0, mark = vs_oci_json_enter(j, member);
        const char *key;
        json_t *value;
        json_object_foreach (v, key, value) {
                if (!json_is_object(value) && !json_is_null(value))
                        return vs_oci_json_fail_at(j, key, "expected an object, got %s", vs_oci_json_type_name(value));
                if (!(keys[n++] = strdup(key)))
                        return vs_oci_json_oom(j);
        }
        vs_oci_json_leave(j, mark);
        *ret = TAKE_PTR(keys);
        return 0;
}

/* Labels: string to string; a null value is "" (as Go decodes it). */
static int parse_labels(struct vs_oci_json *j, const json_t *obj, struct vs_image_config *c)
{
        json_t *v = NULL;
        int r = vs_oci_json_object_member(j, obj, "Labels", &v);
        if (r < 0 || !v)
                return r;
        size_t n = json_object_size(v), i = 0, mark = vs_oci_json_enter(j, "Labels");
        _cleanup_strv_ char **keys = calloc(n + 1, sizeof(char *));
        _cleanup_strv_ char **values = calloc(n + 1, sizeof(char *));
        if (!keys || !values)
                return vs_oci_json_oom(j);
        const char *key;
        json_t *value;
        json_object_foreach (v, key, value) {
                size_t key_mark = vs_oci_json_enter(j, key);
                if (json_is_null(value))
                        values[i] = strdup("");
                else if ((r = vs_oci_json_get_string(j, value, &values[i])) < 0)
                        return r;
                vs_oci_json_leave(j, key_mark);
                if (!values[i] || !(keys[i] = strdup(key)))
                        return vs_oci_json_oom(j);
                i++;
        }
        vs_oci_json_leave(j, mark);
        c->label_keys = TAKE_PTR(keys);
        c->label_values = TAKE_PTR(values);
        return 0;
}

static int parse_container_config(struct vs_oci_json *j, const json_t *root, struct vs_image_config *c)
{
        json_t *v = NULL;
        int r = vs_oci_json_object_member(j, root, "config", &v);
        if (r < 0 || !v)
                return r;
        size_t mark = vs_oci_json_enter(j, "config");
        if ((r = vs_oci_json_string_member(j, v, "User", &c->user)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "WorkingDir", &c->working_dir)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "StopSignal", &c->stop_signal)) < 0 ||
            (r = vs_oci_json_strv_member(j, v, "Env", &c->env, NULL)) < 0 ||
            (r = vs_oci_json_strv_member(j, v, "Entrypoint", &c->entrypoint, NULL)) < 0 ||
            (r = vs_oci_json_strv_member(j, v, "Cmd", &c->cmd, NULL)) < 0 ||
            (r = object_keys(j, v, "ExposedPorts", &c->exposed_ports)) < 0 ||
            (r = object_keys(j, v, "Volumes", &c->volumes)) < 0 || (r = parse_labels(j, v, c)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_diff_ids(struct vs_oci_json *j, const json_t *rootfs, struct vs_image_config *c)
{
        int r = vs_oci_json_require(j, rootfs, "diff_ids");
        if (r < 0)
                return r;
        _cleanup_strv_ char **ids = NULL;
        size_t n = 0;
        if ((r = vs_oci_json_strv_member(j, rootfs, "diff_ids", &ids, &n)) < 0)
                return r;
        size_t mark = vs_oci_json_enter(j, "diff_ids");
        for (size_t i = 0; i < n; i++) {
                struct vs_error derr = VS_ERROR_INIT;
                if (vs_digest_validate(ids[i], &derr) < 0) {
                        vs_oci_json_enter_index(j, i);
                        return vs_oci_json_fail(j, "%s", derr.msg);
                }
        }
        vs_oci_json_leave(j, mark);
        c->diff_ids = TAKE_PTR(ids);
        c->n_diff_ids = n;
        return 0;
}

static int parse_rootfs(struct vs_oci_json *j, const json_t *root, struct vs_image_config *c)
{
        json_t *v = NULL;
        _cleanup_free_ char *type = NULL;
        int r;
        if ((r = vs_oci_json_require(j, root, "rootfs")) < 0 ||
            (r = vs_oci_json_object_member(j, root, "rootfs", &v)) < 0)
                return r;
        size_t mark = vs_oci_json_enter(j, "rootfs");
        if ((r = vs_oci_json_require(j, v, "type")) < 0 || (r = vs_oci_json_string_member(j, v, "type", &type)) < 0)
                return r;
        if (strcmp(type, "layers") != 0)
                return vs_oci_json_fail_at(j, "type", "must be \"layers\"");
        if ((r = parse_diff_ids(j, v, c)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_history_entry(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_history_entry *h = slot;
        int r;
        if ((r = vs_oci_json_string_member(j, v, "created", &h->created)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "created_by", &h->created_by)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "author", &h->author)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "comment", &h->comment)) < 0 ||
            (r = vs_oci_json_bool_member(j, v, "empty_layer", NULL, &h->empty_layer)) < 0)
                return r;
        return 0;
}

static int parse_config_members(struct vs_oci_json *j, const json_t *root, struct vs_image_config *c)
{
        int r;
        if ((r = vs_oci_json_check_object(j, root)) < 0 || (r = vs_oci_json_require(j, root, "architecture")) < 0 ||
            (r = vs_oci_json_require(j, root, "os")) < 0 ||
            (r = vs_oci_json_string_member(j, root, "architecture", &c->architecture)) < 0 ||
            (r = vs_oci_json_string_member(j, root, "os", &c->os)) < 0 ||
            (r = vs_oci_json_string_member(j, root, "variant", &c->variant)) < 0 ||
            (r = vs_oci_json_string_member(j, root, "created", &c->created)) < 0 ||
            (r = vs_oci_json_string_member(j, root, "author", &c->author)) < 0 ||
            (r = parse_container_config(j, root, c)) < 0 || (r = parse_rootfs(j, root, c)) < 0)
                return r;
        return vs_oci_json_parse_array(j, root, "history", &c->history, &c->n_history, parse_history_entry);
}

int vs_image_config_parse(const char *data, size_t len, const char *origin, struct vs_image_config *ret,
                          struct vs_error *err)
{
        if (len > VS_IMAGE_CONFIG_MAX_SIZE)
                return vs_error_set(err, EFBIG, "%s: %zu bytes is over the limit of %u", origin, len,
                                    VS_IMAGE_CONFIG_MAX_SIZE);
        json_t *root _cleanup_oci_json_ = NULL;
        int r = vs_oci_json_load(data, len, origin, &root, err);
        if (r < 0)
                return r;
        struct vs_oci_json j;
        vs_oci_json_init(&j, origin, err);
        struct vs_image_config c = {NULL};
        r = parse_config_members(&j, root, &c);
        if (r < 0) {
                vs_image_config_free(&c);
                return r;
        }
        c.raw = TAKE_PTR(root);
        *ret = c;
        return 0;
}
