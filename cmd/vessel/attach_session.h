/* vessel: a terminal session on a monitor's attach socket (docker's stream
 * frames, see vessel-monitor(8)), shared by attach and run: stdin to the
 * container (raw, with a tty), its output to stdout and stderr, the window
 * size followed, docker's detach keys recognised, and without a tty the
 * signals proxied to the container. */
#ifndef VESSEL_CMD_ATTACH_SESSION_H
#define VESSEL_CMD_ATTACH_SESSION_H

#include <stdbool.h>

#include "detach_keys.h"
#include "engine.h"

struct attach_session {
        int sock;
        bool tty, with_stdin, sig_proxy;
        struct detach_keys keys;
        const char *runtime_root, *id; /* where proxied signals go (sig_proxy) */
};

/* Until the container's output ends (false) or the detach keys were typed
 * (true). The terminal's settings and the signal mask are restored. */
bool attach_session_run(struct attach_session *a);

/* run --rm after its session: an exited container goes with its anonymous
 * volumes; one the detach keys left running is handed to its monitor's
 * exit command, as `run -d --rm` is (and removed here if it exited
 * meanwhile). */
int attach_remove_after(const struct globals *g, struct vs_store *s, struct vs_container *c, struct vs_error *err);

#endif
