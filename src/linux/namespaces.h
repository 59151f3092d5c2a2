/* vessel: opening namespaces by path, checked to be what config.json says. */
#ifndef VESSEL_LINUX_NAMESPACES_H
#define VESSEL_LINUX_NAMESPACES_H

#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* Open a namespace file and check that it is a namespace of `type`
 * (NS_GET_NSTYPE). Returns the fd or a negative errno. */
int vs_ns_open(const char *path, enum vs_oci_ns_type type, struct vs_error *err);
/* Join the namespace held by fd. */
int vs_ns_join(int fd, enum vs_oci_ns_type type, struct vs_error *err);

#endif
