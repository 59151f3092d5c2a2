/* vessel: linux.seccomp as a libseccomp filter. */
#ifndef VESSEL_LINUX_SECCOMP_FILTER_H
#define VESSEL_LINUX_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>

#include "oci/config.h"
#include "util/error.h"

/* A filter compiled to BPF (one allocation: free() it). */
struct vs_seccomp_program {
        unsigned int flags; /* SECCOMP_FILTER_FLAG_* of linux.seccomp.flags */
        unsigned short len; /* instructions */
        struct sock_filter insns[];
};

/* Compile linux.seccomp to BPF, or take it from cache_dir (made if
 * missing; NULL: no cache) where an earlier start left it. The runtime does
 * this before it clones and stores the result in seccomp->compiled, so that
 * the container's process only loads it. Errors name the field. */
/* The cache's files in cache_dir: files, not directories, so that runc
 * (whose `list` reads every directory of a shared state root) skips them. */
#define VS_SECCOMP_CACHE_PREFIX ".seccomp-"
int vs_seccomp_compile(const struct vs_oci_seccomp *seccomp, const char *cache_dir, struct vs_seccomp_program **ret,
                       struct vs_error *err);
/* libseccomp's filter context for linux.seccomp (seccomp_release it).
 * Syscall names libseccomp does not know are skipped, as runc does: they
 * may be newer than it. */
int vs_seccomp_build_ctx(const struct vs_oci_seccomp *seccomp, void **ret_ctx, struct vs_error *err);

/* The filter the process will load (no syscall is filtered yet):
 * seccomp->compiled when the runtime compiled it, else built here. */
int vs_seccomp_build(const struct vs_oci_seccomp *seccomp, void **ret_filter, struct vs_error *err);
/* Load it into the calling process; frees the filter. */
int vs_seccomp_load(void *filter, struct vs_error *err);
void vs_seccomp_free(void *filter);

/* Whether an action of the profile is SCMP_ACT_NOTIFY: its filter comes
 * with a listener fd for the agent at listenerPath. */
bool vs_seccomp_uses_notify(const struct vs_oci_seccomp *seccomp);
/* Load a filter with SCMP_ACT_NOTIFY rules and return its listener
 * (close-on-exec) in *ret_listener. ctx is NOT freed: the caller frees it
 * once the listener is handed over, so that no free() (which may unmap
 * memory: a syscall the filter may notify) comes before. */
int vs_seccomp_load_notify(void *filter, int *ret_listener, struct vs_error *err);

#endif
