/* vessel: the capability sets of process.capabilities. */
#ifndef VESSEL_LINUX_CAPABILITIES_H
#define VESSEL_LINUX_CAPABILITIES_H

#include "oci/config.h"
#include "util/error.h"

/* Before the switch of user: drop what is not in the bounding set and keep
 * the permitted set across setuid (PR_SET_KEEPCAPS). */
int vs_caps_prepare(const struct vs_oci_capabilities *caps, struct vs_error *err);
/* After the switch of user: set effective, permitted and inheritable
 * exactly, then raise the ambient ones. */
int vs_caps_apply(const struct vs_oci_capabilities *caps, struct vs_error *err);

#endif
