/* vessel: a runtime-spec LinuxResources object on its own (what `update
 * --resources FILE|-` reads), parsed by the config.json parser's own code,
 * so the checks and the messages are the same: errors name
 * "linux.resources.<field>". */
#ifndef VESSEL_OCI_RESOURCES_PARSE_H
#define VESSEL_OCI_RESOURCES_PARSE_H

#include <stddef.h>

#include "oci/config.h"
#include "util/error.h"

int vs_oci_resources_parse(const char *data, size_t len, const char *origin, struct vs_oci_resources **ret,
                           struct vs_error *err);
void vs_oci_resources_free_all(struct vs_oci_resources *res);

#endif
