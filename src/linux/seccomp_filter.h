/* vessel: linux.seccomp as a libseccomp filter. */
#ifndef VESSEL_LINUX_SECCOMP_FILTER_H
#define VESSEL_LINUX_SECCOMP_FILTER_H

#include "oci/config.h"
#include "util/error.h"

struct scmp_filter_ctx_opaque;

/* Build the filter (no syscall is filtered yet). Syscall names libseccomp
 * does not know are skipped, as runc does: they may be newer than it. */
int vs_seccomp_build(const struct vs_oci_seccomp *seccomp, void **ret_ctx, struct vs_error *err);
/* Load it into the calling process; frees ctx. */
int vs_seccomp_load(void *ctx, struct vs_error *err);
void vs_seccomp_free(void *ctx);

#endif
