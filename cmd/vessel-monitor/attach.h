/* vessel-monitor: the attach socket.
 *
 * A unix stream socket (mode 0600) that any number of clients connect to.
 * Each gets the container's output from the moment it connects: without a
 * tty framed as docker's attach stream (8-byte header: stream 1=stdout
 * 2=stderr, 0, 0, 0, payload size uint32 big-endian; then the payload),
 * with a tty the raw bytes. Clients send frames with the same header whose
 * first byte is 0 = stdin data, 3 = resize (payload: rows, cols as uint16
 * big-endian), 4 = close stdin. A client whose unsent output passes
 * VS_ATTACH_CLIENT_BUFFER is dropped: no client ever blocks the monitor. */
#ifndef VESSEL_MONITOR_ATTACH_H
#define VESSEL_MONITOR_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "util/error.h"

#define VS_ATTACH_CLIENT_BUFFER (64 * 1024)
#define VS_ATTACH_STDIN_BUFFER 16384

enum vs_attach_frame {
        VS_ATTACH_STDIN = 0,
        VS_ATTACH_STDOUT = 1,
        VS_ATTACH_STDERR = 2,
        VS_ATTACH_RESIZE = 3,
        VS_ATTACH_CLOSE_STDIN = 4
};

struct vs_attach_client;

struct vs_attach {
        struct vs_event_source listen_src; /* VS_EV_LISTEN */
        struct vs_event_source stdin_src;  /* VS_EV_STDIN */
        int epfd;
        int listen_fd;
        const char *path;
        bool tty;
        int stdin_fd;   /* our end of the container's stdin (a dup of the pty master with a tty); -1: none */
        int pty_master; /* for resizes; -1 without a tty */
        bool stdin_watched;
        bool close_stdin; /* a client asked: close once the buffer is written */
        struct vs_attach_client *clients;
        struct vs_attach_client *dead; /* dropped, freed after the epoll batch */
        size_t in_len;
        char in[VS_ATTACH_STDIN_BUFFER];
};

/* Listen on path (replacing a stale socket; NULL: no socket) and register with epfd. */
int vs_attach_listen(struct vs_attach *a, int epfd, const char *path, bool tty, struct vs_error *err);
/* Where client input goes: stdin_fd (owned from now on; -1: dropped) and the pty master (borrowed). */
void vs_attach_set_stdin(struct vs_attach *a, int stdin_fd, int pty_master);
/* Dispatch an epoll event whose source is the listener, the stdin or a client. */
void vs_attach_handle(struct vs_attach *a, struct vs_event_source *src, uint32_t events);
/* Free the clients dropped while handling one epoll batch (call after it). */
void vs_attach_collect(struct vs_attach *a);
/* Send output to every client (framed with stream unless tty). */
void vs_attach_broadcast(struct vs_attach *a, enum vs_attach_frame stream, const char *data, size_t len);
/* True while some client still has output queued. */
bool vs_attach_pending(const struct vs_attach *a);
/* Close every client, the listener, the stdin; unlink the socket. */
void vs_attach_close(struct vs_attach *a);

#endif
