/* vessel-monitor: attach clients, their output queues and their input frames. */
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "util/cleanup.h"

struct vs_attach_client {
        struct vs_event_source src; /* VS_EV_CLIENT; first: epoll's data.ptr */
        struct vs_attach_client *next;
        int fd;
        bool paused;     /* input waits for room in the stdin buffer */
        uint32_t events; /* as registered with epoll (0: not registered) */
        bool hung_up;    /* the peer is gone: its output is dropped, its input still read */
        unsigned char hdr[8];
        size_t hdr_len;
        uint32_t left;        /* payload bytes of the current frame still to read */
        unsigned char ctl[4]; /* a resize payload */
        size_t ctl_len;
        size_t out_len;
        char out[VS_ATTACH_CLIENT_BUFFER];
};

int vs_attach_listen(struct vs_attach *a, int epfd, const char *path, bool tty, struct vs_error *err)
{
        /* Field by field: a compound literal would zero (touch) the stdin buffer. */
        a->listen_src.kind = VS_EV_LISTEN;
        a->stdin_src.kind = VS_EV_STDIN;
        a->epfd = epfd;
        a->listen_fd = a->stdin_fd = a->pty_master = -1;
        a->path = path;
        a->tty = tty;
        a->stdin_watched = a->close_stdin = false;
        a->clients = a->dead = NULL;
        a->in_len = 0;
        if (!path)
                return 0;
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(addr.sun_path))
                return vs_error_set(err, ENAMETOOLONG, "--attach-socket %s: longer than %zu bytes", path,
                                    sizeof(addr.sun_path) - 1);
        strcpy(addr.sun_path, path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return vs_error_syscall(err, "cannot make the attach socket");
        (void) unlink(path);
        /* umask 077 while binding: the socket is never reachable by others, not even briefly. */
        mode_t old = umask(077);
        int r = bind(fd, (struct sockaddr *) &addr, sizeof(addr));
        umask(old);
        if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0)
                return vs_error_syscall(err, "--attach-socket %s", path);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &a->listen_src};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                (void) unlink(path);
                return vs_error_syscall(err, "cannot watch the attach socket");
        }
        a->listen_fd = TAKE_FD(fd);
        return 0;
}

void vs_attach_set_stdin(struct vs_attach *a, int stdin_fd, int pty_master)
{
        a->stdin_fd = stdin_fd;
        a->pty_master = pty_master;
}

/* Read while not paused, write while output is queued; a paused client
 * is taken out of epoll (a hang-up would otherwise be reported forever). */
static void watch_client(struct vs_attach *a, struct vs_attach_client *c)
{
        uint32_t want = (c->paused ? 0 : EPOLLIN) | (c->out_len && !c->hung_up ? EPOLLOUT : 0);
        if (want == c->events)
                return;
        struct epoll_event ev = {.events = want, .data.ptr = c};
        int op = c->events == 0 ? EPOLL_CTL_ADD : want == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
        if (epoll_ctl(a->epfd, op, c->fd, &ev) == 0)
                c->events = want;
}

static void drop_client(struct vs_attach *a, struct vs_attach_client *c)
{
        for (struct vs_attach_client **p = &a->clients; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        (void) epoll_ctl(a->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        c->fd = vs_safe_close(c->fd);
        /* Freed by vs_attach_collect: an event for it may still wait in this epoll batch. */
        c->next = a->dead;
        a->dead = c;
}

void vs_attach_collect(struct vs_attach *a)
{
        while (a->dead) {
                struct vs_attach_client *c = a->dead;
                a->dead = c->next;
                free(c);
        }
}

static void accept_client(struct vs_attach *a)
{
        int fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
                return;
        struct vs_attach_client *c = malloc(sizeof(*c)); /* once per client, never per line */
        if (!c) {
                close(fd);
                return;
        }
        c->src.kind = VS_EV_CLIENT;
        c->fd = fd;
        c->paused = c->hung_up = false;
        c->hdr_len = c->ctl_len = c->out_len = 0;
        c->left = 0;
        c->events = EPOLLIN;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                close(fd);
                free(c);
                return;
        }
        c->next = a->clients;
        a->clients = c;
}

/* Send what is queued; false when the client is gone. */
static bool flush_client(struct vs_attach *a, struct vs_attach_client *c)
{
        size_t off = 0;
        while (off < c->out_len) {
                ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        break;
                if (n <= 0) {
                        drop_client(a, c);
                        return false;
                }
                off += (size_t) n;
        }
        memmove(c->out, c->out + off, c->out_len - off);
        c->out_len -= off;
        watch_client(a, c);
        return true;
}

void vs_attach_broadcast(struct vs_attach *a, enum vs_attach_frame stream, const char *data, size_t len)
{
        size_t hlen = a->tty ? 0 : 8;
        struct vs_attach_client *next;
        for (struct vs_attach_client *c = a->clients; c; c = next) {
                next = c->next;
                if (c->hung_up)
                        continue;
                if (c->out_len + hlen + len > sizeof(c->out)) {
                        drop_client(a, c); /* too slow: it never holds the monitor back */
                        continue;
                }
                if (hlen) {
                        unsigned char *h = (unsigned char *) c->out + c->out_len;
                        h[0] = (unsigned char) stream;
                        h[1] = h[2] = h[3] = 0;
                        h[4] = (unsigned char) (len >> 24);
                        h[5] = (unsigned char) (len >> 16);
                        h[6] = (unsigned char) (len >> 8);
                        h[7] = (unsigned char) len;
                }
                memcpy(c->out + c->out_len + hlen, data, len);
                c->out_len += hlen + len;
                (void) flush_client(a, c);
        }
}

bool vs_attach_pending(const struct vs_attach *a)
{
        for (const struct vs_attach_client *c = a->clients; c; c = c->next)
                if (c->out_len > 0)
                        return true;
        return false;
}

/* --- input: frames from clients to the container's stdin and the pty ---------------------- */

static void watch_stdin(struct vs_attach *a, bool on)
{
        if (on == a->stdin_watched || a->stdin_fd < 0)
                return;
        struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &a->stdin_src};
        if (epoll_ctl(a->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, a->stdin_fd, &ev) == 0)
                a->stdin_watched = on;
}

static void drop_stdin(struct vs_attach *a)
{
        watch_stdin(a, false);
        a->stdin_fd = vs_safe_close(a->stdin_fd);
        a->in_len = 0;
}

/* Close stdin once everything queued is written: EOF for a pipe; for a
 * terminal, its EOF character (the line discipline then ends a read). */
static void maybe_close_stdin(struct vs_attach *a)
{
        if (!a->close_stdin || a->in_len > 0 || a->stdin_fd < 0)
                return;
        a->close_stdin = false;
        if (a->tty) {
                (void) !write(a->stdin_fd, "\x04", 1);
                return;
        }
        drop_stdin(a);
}

static void flush_stdin(struct vs_attach *a)
{
        size_t off = 0;
        while (a->stdin_fd >= 0 && off < a->in_len) {
                ssize_t n = write(a->stdin_fd, a->in + off, a->in_len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0) {
                        drop_stdin(a); /* the container closed its stdin: input is dropped */
                        break;
                }
                off += (size_t) n;
        }
        if (a->stdin_fd < 0)
                a->in_len = 0;
        memmove(a->in, a->in + off, a->in_len - off);
        a->in_len -= off;
        watch_stdin(a, a->in_len > 0);
        if (a->in_len < sizeof(a->in))
                for (struct vs_attach_client *c = a->clients; c; c = c->next)
                        if (c->paused) {
                                c->paused = false;
                                watch_client(a, c);
                        }
        maybe_close_stdin(a);
}

static void frame_done(struct vs_attach *a, struct vs_attach_client *c)
{
        if (c->hdr[0] == VS_ATTACH_RESIZE && c->ctl_len == 4 && a->pty_master >= 0) {
                struct vs_error ignored = VS_ERROR_INIT;
                unsigned short rows = (unsigned short) (c->ctl[0] << 8 | c->ctl[1]);
                unsigned short cols = (unsigned short) (c->ctl[2] << 8 | c->ctl[3]);
                if (vs_pty_set_size(a->pty_master, rows, cols, &ignored) < 0)
                        vs_error_ignore(&ignored); /* a bad size from one client changes nothing */
        } else if (c->hdr[0] == VS_ATTACH_CLOSE_STDIN) {
                a->close_stdin = true;
                maybe_close_stdin(a);
        }
        c->hdr_len = 0;
        c->ctl_len = 0;
}

/* Read one piece of the current frame; 1: go on, 0: wait, -1: the client is gone. */
static int read_frame_part(struct vs_attach *a, struct vs_attach_client *c)
{
        char junk[512];
        ssize_t n;
        if (c->hdr_len < 8) {
                n = recv(c->fd, c->hdr + c->hdr_len, 8 - c->hdr_len, MSG_DONTWAIT);
        } else if (c->hdr[0] == VS_ATTACH_STDIN && a->stdin_fd >= 0) {
                size_t room = sizeof(a->in) - a->in_len;
                if (room == 0) {
                        c->paused = true;
                        watch_client(a, c);
                        return 0;
                }
                n = recv(c->fd, a->in + a->in_len, room < c->left ? room : c->left, MSG_DONTWAIT);
                if (n > 0)
                        a->in_len += (size_t) n;
        } else if (c->hdr[0] == VS_ATTACH_RESIZE && c->ctl_len < 4) {
                n = recv(c->fd, c->ctl + c->ctl_len, 4 - c->ctl_len < c->left ? 4 - c->ctl_len : c->left, MSG_DONTWAIT);
                if (n > 0)
                        c->ctl_len += (size_t) n;
        } else {
                n = recv(c->fd, junk, sizeof(junk) < c->left ? sizeof(junk) : c->left, MSG_DONTWAIT);
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0)
                return -1;
        if (c->hdr_len < 8) {
                c->hdr_len += (size_t) n;
                if (c->hdr_len == 8)
                        c->left = (uint32_t) c->hdr[4] << 24 | (uint32_t) c->hdr[5] << 16 | (uint32_t) c->hdr[6] << 8 |
                                  c->hdr[7];
        } else {
                c->left -= (uint32_t) n;
        }
        if (c->hdr_len == 8 && c->left == 0)
                frame_done(a, c);
        return 1;
}

static void read_client(struct vs_attach *a, struct vs_attach_client *c)
{
        int r;
        /* A header of a zero-length frame completes with no payload read. */
        while ((r = read_frame_part(a, c)) > 0)
                ;
        if (a->in_len > 0)
                flush_stdin(a);
        if (r < 0)
                drop_client(a, c);
}

void vs_attach_handle(struct vs_attach *a, struct vs_event_source *src, uint32_t events)
{
        if (src->kind == VS_EV_LISTEN) {
                accept_client(a);
        } else if (src->kind == VS_EV_STDIN) {
                if (events & (EPOLLERR | EPOLLHUP))
                        drop_stdin(a);
                else
                        flush_stdin(a);
        } else if (src->kind == VS_EV_CLIENT) {
                struct vs_attach_client *c = (struct vs_attach_client *) src;
                if (c->fd < 0)
                        return; /* dropped earlier in this batch */
                if (events & (EPOLLHUP | EPOLLERR)) {
                        c->hung_up = true;
                        c->out_len = 0;
                }
                if ((events & EPOLLOUT) && !flush_client(a, c))
                        return;
                if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                        read_client(a, c);
        }
}

void vs_attach_close(struct vs_attach *a)
{
        while (a->clients)
                drop_client(a, a->clients);
        vs_attach_collect(a);
        drop_stdin(a);
        if (a->listen_fd >= 0) {
                (void) epoll_ctl(a->epfd, EPOLL_CTL_DEL, a->listen_fd, NULL);
                a->listen_fd = vs_safe_close(a->listen_fd);
                (void) unlink(a->path);
        }
}
