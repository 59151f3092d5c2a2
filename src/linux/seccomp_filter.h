/* vessel: linux.seccomp as a libseccomp filter. */
#ifndef VESSEL_LINUX_SECCOMP_FILTER_H
#define VESSEL_LINUX_SECCOMP_FILTER_H

#include <stdbool.h>

#include "oci/config.h"
#include "util/error.h"

struct scmp_filter_ctx_opaque;

/* Build the filter (no syscall is filtered yet). Syscall names libseccomp
 * does not know are skipped, as runc does: they may be newer than it. */
int vs_seccomp_build(const struct vs_oci_seccomp *seccomp, void **ret_ctx, struct vs_error *err);
/* Load it into the calling process; frees ctx. */
int vs_seccomp_load(void *ctx, struct vs_error *err);
void vs_seccomp_free(void *ctx);

/* Whether an action of the profile is SCMP_ACT_NOTIFY: its filter comes
 * with a listener fd for the agent at listenerPath. */
bool vs_seccomp_uses_notify(const struct vs_oci_seccomp *seccomp);
/* Load a filter with SCMP_ACT_NOTIFY rules and return its listener
 * (close-on-exec) in *ret_listener. ctx is NOT freed: the caller frees it
 * once the listener is handed over, so that no free() (which may unmap
 * memory: a syscall the filter may notify) comes before. */
int vs_seccomp_load_notify(void *ctx, int *ret_listener, struct vs_error *err);

#endif
