/* vessel: /dev inside the container: the default devices, linux.devices,
 * the standard links and /dev/pts/ptmx. */
#ifndef VESSEL_LINUX_DEVICES_H
#define VESSEL_LINUX_DEVICES_H

#include <stdbool.h>

#include "oci/config.h"
#include "util/error.h"

/* Create the devices under rootfd (the container's root, before pivot).
 * `bind_only`: in a user namespace mknod is refused, so bind the host's node. */
int vs_devices_create(int rootfd, const struct vs_oci_config *config, bool bind_only, struct vs_error *err);
/* /dev/fd, stdin, stdout, stderr, ptmx, core links. */
int vs_devices_links(int rootfd, struct vs_error *err);

#endif
