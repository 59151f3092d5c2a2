/* vessel: the container's init, from its birth by clone3 to execve of the
 * user's process. It runs as the runtime's child, in its new namespaces. */
#ifndef VESSEL_RUNTIME_INIT_H
#define VESSEL_RUNTIME_INIT_H

#include <stdbool.h>

#include "oci/config.h"

struct vs_init_context {
        const struct vs_oci_config *config;
        const char *bundle;
        const char *rootfs;
        int sync_fd;
        int fifo_fd;               /* -1 when started over sync_fd (run) */
        int join_fds[VS_NS_COUNT]; /* namespaces the init joins itself; -1 for none */
        int unshare_flags;         /* namespaces the init makes itself (when it joins some) */
        bool new_user_ns;
        bool new_cgroup_ns; /* made by the init once it is in its cgroup */
        bool no_pivot;
        bool no_new_keyring;
        const char *keyring_name;
        int preserve_fds;
        char **cgroup_dirs;
};

/* Never returns: execs the user's process or _exits (after telling the
 * runtime why over sync_fd). */
_Noreturn void vs_init_main(const struct vs_init_context *ctx);

#endif
