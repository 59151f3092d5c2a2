/* vessel: the config.json that `vessel-runtime spec` writes. */
#ifndef VESSEL_OCI_SPEC_H
#define VESSEL_OCI_SPEC_H

#include <stdbool.h>

#include "util/error.h"

/* The default config.json as `runc spec` writes it (hostname "vessel"), or
 * with rootless as `runc spec --rootless`: a user namespace mapping root to
 * the caller's effective uid and gid, no network namespace, no uid=/gid=
 * mount options, /sys bind-mounted read-only, no cgroup resources.
 * *ret_json is JSON indented by 2 spaces with a final newline; free() it. */
int vs_oci_spec_default(bool rootless, char **ret_json, struct vs_error *err);

#endif
