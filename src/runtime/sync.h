/* vessel: the messages between the runtime and the container's init over a
 * SOCK_SEQPACKET socketpair (one message per send, never merged). */
#ifndef VESSEL_RUNTIME_SYNC_H
#define VESSEL_RUNTIME_SYNC_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "util/error.h"

enum vs_sync_type {
        VS_SYNC_GO = 1,  /* parent -> init: maps written, cgroup joined: set up */
        VS_SYNC_MAP_REQ, /* init -> parent: I made a user namespace, write its maps */
        VS_SYNC_MAP_DONE,
        VS_SYNC_READY,      /* init -> parent: set up; waiting to be started */
        VS_SYNC_START,      /* parent -> init (run): exec now */
        VS_SYNC_ERROR,      /* init -> parent: setup failed, with the error */
        VS_SYNC_HOOKS,      /* init -> parent: mounts made, before pivot_root: run prestart and createRuntime */
        VS_SYNC_HOOKS_DONE, /* parent -> init: done; the next message is the state JSON for the init's hooks */
        VS_SYNC_TERMINAL,   /* init -> parent: the next message carries the pty master (SCM_RIGHTS) and its name */
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

#endif
