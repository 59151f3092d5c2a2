/* vessel: the parts of the spec generator shared between its files (private). */
#ifndef VESSEL_ENGINE_SPEC_INTERNAL_H
#define VESSEL_ENGINE_SPEC_INTERNAL_H

#include <jansson.h>

#include "engine/spec_gen.h"
#include "util/error.h"

#define VS_SPEC_OOM(err) vs_error_set(err, ENOMEM, "cannot build config.json: out of memory")

/* config.json's "linux" object (spec_linux.c). */
int vs_spec_linux(const struct vs_spec_input *in, json_t **ret, struct vs_error *err);
/* config.json's "mounts" array (spec_mounts.c). */
int vs_spec_mounts(const struct vs_spec_input *in, json_t **ret, struct vs_error *err);
/* The capability list of process.capabilities: docker's defaults, --cap-add,
 * --cap-drop, --privileged (spec_linux.c). */
int vs_spec_capabilities(const struct vs_run_options *o, json_t **ret, struct vs_error *err);
/* Docker's default seccomp profile for these capabilities, or the one of
 * --security-opt seccomp=FILE; *ret is NULL when there is none (spec_seccomp.c). */
int vs_spec_seccomp(const struct vs_spec_input *in, const json_t *capabilities, json_t **ret, struct vs_error *err);

/* Append a new reference to an array, taking it; false when out of memory. */
static inline bool vs_spec_append(json_t *array, json_t *value)
{
        return value && json_array_append_new(array, value) == 0;
}

#endif
