#include "runtime/seccomp_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/seccomp_filter.h"
#include "linux/terminal.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "vessel-config.h"

/* --- in the process ------------------------------------------------------ */

int vs_seccomp_notify_load(void *filter, int sync_fd, struct vs_error *err)
{
        int listener = -1;
        int r = vs_seccomp_load_notify(filter, &listener, err);
        /* From here on the filter is live: the message with the listener is
         * one sendmsg (which no rule may notify, see vs_seccomp_build), so
         * nothing waits on an agent that cannot have the listener yet. */
        if (r == 0) {
                struct vs_sync_msg m = {.type = VS_SYNC_SECCOMP};
                r = vs_fd_send(sync_fd, listener, &m, sizeof(m.type) + sizeof(m.code), err);
                if (r < 0)
                        (void) vs_error_wrap(err, "linux.seccomp: cannot hand the listener to the runtime");
        }
        if (r == 0) {
                struct vs_sync_msg m;
                if (vs_sync_recv(sync_fd, &m) < 0 || m.type != VS_SYNC_SECCOMP_DONE)
                        r = vs_error_set(err, EPIPE, "linux.seccomp: the runtime went away with the listener");
        }
        /* Only the agent keeps the listener: were the process to keep a copy,
         * its notified syscalls would wait for ever once the agent is gone,
         * instead of failing with ENOSYS. */
        vs_safe_close(listener);
        vs_seccomp_free(filter);
        return r;
}

/* --- in the runtime ------------------------------------------------------ */

char *vs_seccomp_notify_state_json(const struct vs_oci_seccomp *seccomp, const struct vs_state *state, pid_t pid)
{
        _cleanup_free_ char *text = vs_state_to_json(state, false);
        json_t *st = text ? json_loads(text, 0, NULL) : NULL;
        if (!st)
                return NULL;
        json_t *o = json_pack("{s:s, s:[s], s:I, s:o}", "ociVersion", VESSEL_OCI_VERSION, "fds", "seccompFd", "pid",
                              (json_int_t) pid, "state", st);
        if (!o)
                return NULL;
        const char *metadata = seccomp->listener_metadata;
        if (metadata && metadata[0] && json_object_set_new(o, "metadata", json_string(metadata)) < 0) {
                json_decref(o);
                return NULL;
        }
        char *out = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return out;
}

/* Connect to path; one longer than sun_path is reached through an O_PATH
 * fd on it (connect follows /proc/self/fd/N to the socket's inode). */
static int agent_connect(const char *path, int sock, struct vs_error *err)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        _cleanup_close_ int path_fd = -1;
        if (strlen(path) < sizeof(addr.sun_path)) {
                memcpy(addr.sun_path, path, strlen(path) + 1);
        } else {
                path_fd = open(path, O_PATH | O_CLOEXEC);
                if (path_fd < 0)
                        return vs_error_syscall(err, "config.json: linux.seccomp.listenerPath: cannot open %s", path);
                snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d", path_fd);
        }
        int r;
        do
                r = connect(sock, (struct sockaddr *) &addr, sizeof(addr));
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return vs_error_syscall(
                        err, "config.json: linux.seccomp.listenerPath: cannot connect to the agent at %s", path);
        return 0;
}

int vs_seccomp_notify_relay(int sync_fd, int listener, const struct vs_oci_seccomp *seccomp,
                            const struct vs_state *state, pid_t pid, struct vs_error *err)
{
        _cleanup_close_ int fd = listener;
        if (!seccomp || !seccomp->listener_path)
                return vs_error_set(err, EPROTO, "a seccomp listener came with no linux.seccomp.listenerPath");
        _cleanup_free_ char *text = vs_seccomp_notify_state_json(seccomp, state, pid);
        if (!text)
                return vs_error_errno(err, ENOMEM, "linux.seccomp: cannot encode the container process state");
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return vs_error_syscall(err, "linux.seccomp.listenerPath: cannot create a socket");
        int r = agent_connect(seccomp->listener_path, sock, err);
        if (r < 0)
                return r;
        /* The state and the listener in one sendmsg, as runc and crun send them. */
        r = vs_fd_send(sock, fd, text, strlen(text), err);
        if (r < 0)
                return vs_error_wrap(err, "config.json: linux.seccomp.listenerPath %s", seccomp->listener_path);
        if (vs_sync_send(sync_fd, VS_SYNC_SECCOMP_DONE, NULL) < 0)
                return vs_error_set(err, EPIPE,
                                    "the container's process died while its seccomp listener was handed over");
        return 0;
}
