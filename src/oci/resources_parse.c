#include "oci/resources_parse.h"

#include <errno.h>
#include <stdlib.h>

#include "oci/config_internal.h"
#include "oci/json.h"

int vs_oci_resources_parse(const char *data, size_t len, const char *origin, struct vs_oci_resources **ret,
                           struct vs_error *err)
{
        if (!origin)
                origin = "resources.json";
        _cleanup_oci_json_ json_t *top = NULL;
        int r = vs_oci_json_load(data, len, origin, &top, err);
        if (r < 0)
                return r;
        if (!json_is_object(top))
                return vs_error_set(err, EINVAL, "%s: expected a JSON object at the top level, got %s", origin,
                                    vs_oci_json_type_name(top));
        /* The parser reads "resources" inside the linux object: give it one,
         * and the path "linux" so that errors read as in config.json. */
        _cleanup_oci_json_ json_t *wrapper = json_object();
        if (!wrapper || json_object_set(wrapper, "resources", top) < 0)
                return vs_error_set(err, ENOMEM, "%s: out of memory", origin);
        struct vs_oci_json j;
        vs_oci_json_init(&j, origin, err);
        vs_oci_json_enter(&j, "linux");
        struct vs_oci_resources *res = NULL;
        r = vs_oci_parse_resources(&j, wrapper, &res);
        if (r < 0) {
                vs_oci_resources_free(res);
                return r;
        }
        if (!res) /* cannot happen: "resources" is there */
                res = calloc(1, sizeof(*res));
        if (!res)
                return vs_error_set(err, ENOMEM, "%s: out of memory", origin);
        *ret = res;
        return 0;
}

void vs_oci_resources_free_all(struct vs_oci_resources *res)
{
        vs_oci_resources_free(res);
}
