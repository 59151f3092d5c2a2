/* vessel: SCMP_ACT_NOTIFY, handing a process's seccomp listener to the
 * agent at linux.seccomp.listenerPath, as the runtime spec asks.
 *
 * The process (the init, or one started by exec) loads its filter, which
 * gives it the listener fd, and sends it to the runtime over the sync
 * socket: one sendmsg, VS_SYNC_SECCOMP with the fd attached. The runtime
 * connects to listenerPath, sends the container process state (JSON) with
 * the fd attached, and answers VS_SYNC_SECCOMP_DONE; the process closes its
 * copy and goes on to execve. From the sendmsg on, every syscall the rules
 * name waits for the agent, who holds the listener by the time the runtime
 * answers. */
#ifndef VESSEL_RUNTIME_SECCOMP_NOTIFY_H
#define VESSEL_RUNTIME_SECCOMP_NOTIFY_H

#include <sys/types.h>

#include "oci/config.h"
#include "runtime/state.h"
#include "util/error.h"

/* In the process, the filter built by vs_seccomp_build: load it, hand the
 * listener to the runtime over sync_fd, wait for its answer. Frees filter. */
int vs_seccomp_notify_load(void *filter, int sync_fd, struct vs_error *err);

/* In the runtime, once `listener` came with VS_SYNC_SECCOMP: send the state
 * and the listener to the agent, then answer the process over sync_fd.
 * `state` is the container's (its status as the agent should see it), `pid`
 * the process's whose listener it is. Closes listener. */
int vs_seccomp_notify_relay(int sync_fd, int listener, const struct vs_oci_seccomp *seccomp,
                            const struct vs_state *state, pid_t pid, struct vs_error *err);

/* The container process state of the spec: ociVersion, fds
 * (["seccompFd"]), pid, metadata (listenerMetadata, when set) and state. */
char *vs_seccomp_notify_state_json(const struct vs_oci_seccomp *seccomp, const struct vs_state *state, pid_t pid);

#endif
