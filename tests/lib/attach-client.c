/* attach-client: a client of vessel-monitor's attach socket, for tests.
 *
 *   attach-client [--tty] [--stdin] [--resize ROWS COLS] [--ready FILE] SOCKET
 *
 * Connects to SOCKET and copies the container's output until the monitor
 * closes the connection: without --tty the frames are demultiplexed (stream
 * 1 to stdout, 2 to stderr; a malformed frame is an error), with --tty the
 * raw bytes go to stdout. --resize sends one resize frame first. --stdin
 * sends its own stdin as stdin frames and, at its EOF, a close-stdin frame.
 * --ready FILE is created once connected. Exit status 0 at the monitor's
 * EOF, 1 on an error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct options {
        bool tty, send_stdin, resize;
        unsigned rows, cols;
        const char *ready, *path;
};

static int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

static int send_frame(int sock, unsigned type, const void *data, uint32_t len)
{
        unsigned char h[8] = {(unsigned char) type,
                              0,
                              0,
                              0,
                              (unsigned char) (len >> 24),
                              (unsigned char) (len >> 16),
                              (unsigned char) (len >> 8),
                              (unsigned char) len};
        return write_all(sock, h, 8) < 0 || (len && write_all(sock, data, len) < 0) ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
        static const struct option longopts[] = {
                {"tty", no_argument, NULL, 't'},
                {"stdin", no_argument, NULL, 'i'},
                {"resize", required_argument, NULL, 'r'},
                {"ready", required_argument, NULL, 'R'},
                {NULL, 0, NULL, 0},
        };
        *o = (struct options){0};
        int c;
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                if (c == 't')
                        o->tty = true;
                else if (c == 'i')
                        o->send_stdin = true;
                else if (c == 'R')
                        o->ready = optarg;
                else if (c == 'r' && optind < argc) {
                        o->resize = true;
                        o->rows = (unsigned) atoi(optarg);
                        o->cols = (unsigned) atoi(argv[optind++]);
                } else
                        return -1;
        }
        if (optind + 1 != argc)
                return -1;
        o->path = argv[optind];
        return 0;
}

static int connect_to(const char *path)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
        int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0 || connect(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
                fprintf(stderr, "attach-client: cannot connect to %s: %s\n", path, strerror(errno));
                return -1;
        }
        return sock;
}

/* Demultiplex: a stream of [stream 0 0 0 size32be] payload frames. */
struct demux {
        unsigned char hdr[8];
        size_t hdr_len;
        uint32_t left;
};

static int demux_feed(struct demux *d, const char *buf, size_t len)
{
        while (len > 0) {
                if (d->hdr_len < 8) {
                        d->hdr[d->hdr_len++] = (unsigned char) *buf++;
                        len--;
                        if (d->hdr_len == 8) {
                                if ((d->hdr[0] != 1 && d->hdr[0] != 2) || d->hdr[1] || d->hdr[2] || d->hdr[3]) {
                                        fprintf(stderr, "attach-client: bad frame header (stream %u)\n", d->hdr[0]);
                                        return -1;
                                }
                                d->left = (uint32_t) d->hdr[4] << 24 | (uint32_t) d->hdr[5] << 16 |
                                          (uint32_t) d->hdr[6] << 8 | d->hdr[7];
                                if (d->left == 0)
                                        d->hdr_len = 0;
                        }
                        continue;
                }
                size_t n = len < d->left ? len : d->left;
                if (write_all(d->hdr[0] == 1 ? STDOUT_FILENO : STDERR_FILENO, buf, n) < 0)
                        return -1;
                buf += n;
                len -= n;
                d->left -= (uint32_t) n;
                if (d->left == 0)
                        d->hdr_len = 0;
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct options o;
        if (parse_args(argc, argv, &o) < 0) {
                fputs("usage: attach-client [--tty] [--stdin] [--resize ROWS COLS] [--ready FILE] SOCKET\n", stderr);
                return 2;
        }
        int sock = connect_to(o.path);
        if (sock < 0)
                return 1;
        if (o.resize) {
                unsigned char sz[4] = {(unsigned char) (o.rows >> 8), (unsigned char) o.rows,
                                       (unsigned char) (o.cols >> 8), (unsigned char) o.cols};
                if (send_frame(sock, 3, sz, 4) < 0)
                        return 1;
        }
        if (o.ready)
                close(open(o.ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        struct demux d = {0};
        bool in_open = o.send_stdin;
        char buf[8192];
        for (;;) {
                struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = in_open ? 0 : -1, .events = POLLIN}};
                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        return 1;
                if (p[1].revents) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n > 0 && send_frame(sock, 0, buf, (uint32_t) n) < 0)
                                return 1;
                        if (n <= 0) {
                                in_open = false;
                                if (send_frame(sock, 4, NULL, 0) < 0)
                                        return 1;
                        }
                }
                if (p[0].revents) {
                        ssize_t n = read(sock, buf, sizeof(buf));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return 1;
                        if (n == 0)
                                return d.hdr_len == 0 ? 0 : (fputs("attach-client: truncated frame\n", stderr), 1);
                        if (o.tty ? write_all(STDOUT_FILENO, buf, (size_t) n) < 0 : demux_feed(&d, buf, (size_t) n) < 0)
                                return 1;
                }
        }
}
