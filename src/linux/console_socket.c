/* vessel: passing fds over unix sockets, and runc's --console-socket protocol
 * (see terminal.h). */
#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/cleanup.h"

int vs_fd_send(int sock, int fd, const void *data, size_t len, struct vs_error *err)
{
        if (fd < 0)
                return vs_error_set(err, EBADF, "cannot send fd %d: not an open fd", fd);
        /* A stream socket carries no control data without data. */
        static const char nul = '\0';
        struct iovec iov = {.iov_base = (void *) (len ? data : &nul), .iov_len = len ? len : 1};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control;
        memset(&control, 0, sizeof(control));
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control.buf,
                .msg_controllen = sizeof(control.buf),
        };
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        ssize_t n;
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return vs_error_syscall(err, "cannot send fd %d over socket %d", fd, sock);
        /* The fd went with the first byte; a short write would leave the
         * peer with half a name and no way to ask for the rest. */
        if ((size_t) n != iov.iov_len)
                return vs_error_set(err, EMSGSIZE, "cannot send fd %d over socket %d: %zd of %zu bytes sent", fd, sock,
                                    n, iov.iov_len);
        return 0;
}

/* Take the fds out of the control messages: exactly one expected. The
 * extras (and the one, when there are extras) are closed, so nothing leaks
 * whatever a peer sends. */
static int take_one_fd(struct msghdr *msg, int sock, int *ret_fd, struct vs_error *err)
{
        int found = -1, count = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (count++ == 0)
                                found = fd;
                        else
                                vs_safe_close(fd);
                }
        }
        if (msg->msg_flags & MSG_CTRUNC) {
                vs_safe_close(found);
                return vs_error_set(err, EMSGSIZE, "cannot receive an fd over socket %d: control data truncated", sock);
        }
        if (count != 1) {
                vs_safe_close(found);
                return vs_error_set(err, EBADMSG, "cannot receive an fd over socket %d: %d fds in the message, not 1",
                                    sock, count);
        }
        *ret_fd = found;
        return 0;
}

int vs_fd_recv(int sock, int *ret_fd, void *buf, size_t bufsz, size_t *ret_len, struct vs_error *err)
{
        char dummy;
        struct iovec iov = {.iov_base = bufsz ? buf : &dummy, .iov_len = bufsz ? bufsz : 1};
        /* Room for a few fds, so that a peer sending more gets a clear error
         * (and its fds closed) rather than MSG_CTRUNC dropping them. */
        union {
                char buf[CMSG_SPACE(sizeof(int) * 8)];
                struct cmsghdr align;
        } control;
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control.buf,
                .msg_controllen = sizeof(control.buf),
        };
        ssize_t n;
        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return vs_error_syscall(err, "cannot receive an fd over socket %d", sock);
        int fd = -1;
        if (n == 0 && msg.msg_controllen == 0)
                return vs_error_set(err, EPIPE, "cannot receive an fd over socket %d: the peer closed it", sock);
        int r = take_one_fd(&msg, sock, &fd, err);
        if (r < 0)
                return r;
        /* With no buffer the caller wants the fd only: a payload is dropped. */
        if ((msg.msg_flags & MSG_TRUNC) && bufsz) {
                vs_safe_close(fd);
                return vs_error_set(err, EMSGSIZE, "cannot receive an fd over socket %d: payload larger than %zu bytes",
                                    sock, bufsz);
        }
        *ret_fd = fd;
        if (ret_len)
                *ret_len = bufsz ? (size_t) n : 0;
        return 0;
}

int vs_console_socket_check(const char *path, struct vs_error *err)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return vs_error_syscall(err, "--console-socket %s", path);
        if (!S_ISSOCK(st.st_mode))
                return vs_error_set(err, ENOTSOCK, "--console-socket %s is not a socket", path);
        return 0;
}

/* Connect to path; one longer than sun_path is reached through an O_PATH
 * fd on it (connect follows /proc/self/fd/N to the socket's inode). */
static int console_connect(const char *path, int sock, struct vs_error *err)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        _cleanup_close_ int path_fd = -1;
        if (strlen(path) < sizeof(addr.sun_path)) {
                memcpy(addr.sun_path, path, strlen(path) + 1);
        } else {
                path_fd = open(path, O_PATH | O_CLOEXEC);
                if (path_fd < 0)
                        return vs_error_syscall(err, "--console-socket %s", path);
                snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d", path_fd);
        }
        int r;
        do
                r = connect(sock, (struct sockaddr *) &addr, sizeof(addr));
        while (r < 0 && errno == EINTR);
        if (r == 0)
                return 0;
        int e = errno;
        /* A regular file answers ECONNREFUSED like a socket nobody listens
         * on: say which it is. */
        r = vs_console_socket_check(path, err);
        if (r < 0)
                return r;
        return vs_error_errno(err, e, "--console-socket %s: cannot connect", path);
}

int vs_console_socket_send(const char *path, int master, const char *name, struct vs_error *err)
{
        size_t len = strlen(name);
        if (len == 0 || len >= VS_CONSOLE_NAME_MAX)
                return vs_error_set(err, EINVAL, "--console-socket %s: a pty name of %zu bytes cannot be sent", path,
                                    len);
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return vs_error_syscall(err, "--console-socket %s: cannot create a socket", path);
        int r = console_connect(path, sock, err);
        if (r < 0)
                return r;
        r = vs_fd_send(sock, master, name, len, err);
        if (r < 0)
                return vs_error_wrap(err, "--console-socket %s", path);
        return 0;
}
