/* vessel: the runtime-spec "features" document (`vessel-runtime features`). */
#ifndef VESSEL_OCI_FEATURES_H
#define VESSEL_OCI_FEATURES_H

#include "util/error.h"

/* What this runtime recognizes, decided at build time (features.md): versions,
 * hooks, mount options, namespaces, capabilities, cgroup, seccomp, LSMs,
 * idmapped mounts. *ret_json is JSON indented by 2 spaces with a final
 * newline; free() it. */
int vs_oci_features(char **ret_json, struct vs_error *err);

#endif
