/* vessel: the messages between the runtime and the container's init over a
 * SOCK_SEQPACKET socketpair (one message per send, never merged). */
#ifndef VESSEL_RUNTIME_SYNC_H
#define VESSEL_RUNTIME_SYNC_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/error.h"

enum vs_sync_type {
        VS_SYNC_GO = 1,  /* parent -> init: maps written, cgroup joined: set up */
        VS_SYNC_MAP_REQ, /* init -> parent: I made a user namespace, write its maps */
        VS_SYNC_MAP_DONE,
        VS_SYNC_READY,        /* init -> parent: set up; waiting to be started */
        VS_SYNC_START,        /* parent -> init (run): exec now */
        VS_SYNC_ERROR,        /* init -> parent: setup failed, with the error */
        VS_SYNC_HOOKS,        /* init -> parent: mounts made, before pivot_root: run prestart and createRuntime */
        VS_SYNC_HOOKS_DONE,   /* parent -> init: done; the next message is the state JSON for the init's hooks */
        VS_SYNC_TERMINAL,     /* init -> parent: the next message carries the pty master (SCM_RIGHTS) and its name */
        VS_SYNC_SECCOMP,      /* process -> parent, with its seccomp listener attached (SCM_RIGHTS) */
        VS_SYNC_SECCOMP_DONE, /* parent -> process: the listener reached the agent at listenerPath */
};

#define VS_SYNC_TEXT_MAX (64 * 1024)

/* A text message (the state JSON the init's hooks get on stdin). */
static inline int vs_sync_send_text(int fd, const char *text)
{
        ssize_t r;
        do
                r = send(fd, text, strlen(text) + 1, MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : 0;
}

/* Receive a text message into buf (VS_SYNC_TEXT_MAX bytes). */
static inline int vs_sync_recv_text(int fd, char *buf)
{
        ssize_t r;
        do
                r = recv(fd, buf, VS_SYNC_TEXT_MAX - 1, 0);
        while (r < 0 && errno == EINTR);
        if (r <= 0)
                return r < 0 ? -errno : -EPIPE;
        buf[r] = '\0';
        return 0;
}

struct vs_sync_msg {
        int type;
        int code;
        char msg[VS_ERROR_MSG_MAX];
};

static inline int vs_sync_send(int fd, int type, const struct vs_error *e)
{
        struct vs_sync_msg m = {.type = type};
        size_t len = sizeof(m.type) + sizeof(m.code);
        if (e) {
                m.code = e->code;
                size_t l = strnlen(e->msg, sizeof(m.msg) - 1);
                memcpy(m.msg, e->msg, l);
                len += l + 1;
        }
        ssize_t r;
        do
                r = send(fd, &m, len, MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : 0;
}

/* Receive one message; 0 on success, -EPIPE when the peer is gone. */
static inline int vs_sync_recv(int fd, struct vs_sync_msg *m)
{
        memset(m, 0, sizeof(*m));
        ssize_t r;
        do
                r = recv(fd, m, sizeof(*m), 0);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        if (r < (ssize_t) (sizeof(m->type) + sizeof(m->code)))
                return -EPIPE;
        m->msg[sizeof(m->msg) - 1] = '\0';
        return 0;
}

/* Receive one message and the fd that came with it (close-on-exec), -1 in
 * *ret_fd when none did; any further fd is closed. 0, or -EPIPE when the
 * peer is gone. */
static inline int vs_sync_recv_fd(int fd, struct vs_sync_msg *m, int *ret_fd)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * 4)];
                struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
        memset(m, 0, sizeof(*m));
        *ret_fd = -1;
        ssize_t r;
        do
                r = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int got;
                        memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (*ret_fd < 0)
                                *ret_fd = got;
                        else
                                close(got);
                }
        }
        if (r < (ssize_t) (sizeof(m->type) + sizeof(m->code))) {
                if (*ret_fd >= 0)
                        close(*ret_fd);
                *ret_fd = -1;
                return -EPIPE;
        }
        m->msg[sizeof(m->msg) - 1] = '\0';
        return 0;
}

#endif
