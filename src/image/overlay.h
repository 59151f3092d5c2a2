/* vessel: the container root: an overlay of an image's layer chain with a
 * writable upper and a work dir. Chains of any depth: the lower dirs are
 * given one by one with the new mount API (fsconfig "lowerdir+", Linux 6.8)
 * where the kernel has it, else as one option string of paths relative to a
 * common directory, as podman does with its short links. */
#ifndef VESSEL_IMAGE_OVERLAY_H
#define VESSEL_IMAGE_OVERLAY_H

#include <stddef.h>

#include "util/error.h"

/* lowerdirs[0] is the top layer (the image's last), lowerdirs[n-1] the base.
 * With upper == NULL the mount is read-only (no work dir). `options` (may be
 * NULL) is a comma-separated list added as is (e.g. "volatile"). */
int vs_overlay_mount(const char *const *lowerdirs, size_t n, const char *upper, const char *work, const char *target,
                     const char *options, struct vs_error *err);
/* The same with mount(2) and one option string, as on kernels before 6.8;
 * vs_overlay_mount falls back to it. Exposed so tests force it. */
int vs_overlay_mount_legacy(const char *const *lowerdirs, size_t n, const char *upper, const char *work,
                            const char *target, const char *options, struct vs_error *err);

#endif
