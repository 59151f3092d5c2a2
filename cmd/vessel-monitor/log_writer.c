/* vessel-monitor: json-file log records, cut and rotated as docker's. */
#include "log_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

static const char *const stream_names[] = {"stdout", "stderr"};

static int open_log(const char *path, bool truncate, struct vs_error *err)
{
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | (truncate ? O_TRUNC : 0), 0640);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open the log %s", path);
        return fd;
}

int vs_log_open(struct vs_log_writer *w, const char *path, off_t max_size, int max_files, struct vs_error *err)
{
        /* Field by field: a compound literal would zero (touch) the buffers, RSS for nothing. */
        w->fd = -1;
        w->path = path;
        w->size = 0;
        w->max_size = max_size;
        w->max_files = max_files;
        w->pending[0].len = w->pending[1].len = 0;
        if (!path)
                return 0;
        int fd = open_log(path, false, err);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0) {
                vs_error_syscall(err, "cannot stat the log %s", path);
                close(fd);
                return -err->code;
        }
        w->fd = fd;
        w->size = st.st_size;
        return 0;
}

void vs_log_close(struct vs_log_writer *w)
{
        w->fd = vs_safe_close(w->fd);
}

void vs_log_timestamp(char buf[40])
{
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, 40 - n, ".%09ldZ", ts.tv_nsec);
}

/* Length of the valid UTF-8 sequence at s (0: invalid or cut short). */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
        unsigned char c = s[0];
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf; /* the range of the second byte */
        if (c >= 0xc2 && c <= 0xdf)
                n = 2;
        else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                lo = c == 0xe0 ? 0xa0 : 0x80;
                hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                lo = c == 0xf0 ? 0x90 : 0x80;
                hi = c == 0xf4 ? 0x8f : 0xbf;
        } else
                return 0;
        if (len < n || s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        return n;
}

/* The escape of one unit at s into e (at most 6 bytes); *used: input bytes. */
static size_t escape_unit(const unsigned char *s, size_t len, char e[6], size_t *used)
{
        static const char hex[] = "0123456789abcdef";
        unsigned char c = s[0];
        *used = 1;
        switch (c) {
        case '"':
                return memcpy(e, "\\\"", 2), 2;
        case '\\':
                return memcpy(e, "\\\\", 2), 2;
        case '\n':
                return memcpy(e, "\\n", 2), 2;
        case '\r':
                return memcpy(e, "\\r", 2), 2;
        case '\t':
                return memcpy(e, "\\t", 2), 2;
        }
        if (c < 0x20) {
                memcpy(e, "\\u00", 4);
                e[4] = hex[c >> 4];
                e[5] = hex[c & 15];
                return 6;
        }
        if (c < 0x80) {
                e[0] = (char) c;
                return 1;
        }
        size_t n = utf8_sequence(s, len);
        if (n == 0)
                return memcpy(e, "\\ufffd", 6), 6; /* invalid UTF-8: U+FFFD, as docker */
        memcpy(e, s, n);
        *used = n;
        return n;
}

size_t vs_log_escape(const char *data, size_t len, char *out, size_t outsz, size_t *ret_out_len)
{
        const unsigned char *s = (const unsigned char *) data;
        size_t in = 0, o = 0;
        while (in < len) {
                char e[6];
                size_t used;
                size_t n = escape_unit(s + in, len - in, e, &used);
                if (o + n > outsz)
                        break;
                memcpy(out + o, e, n);
                o += n;
                in += used;
        }
        *ret_out_len = o;
        return in;
}

static size_t escaped_length(const char *data, size_t len)
{
        const unsigned char *s = (const unsigned char *) data;
        size_t in = 0, total = 0;
        while (in < len) {
                char e[6];
                size_t used;
                total += escape_unit(s + in, len - in, e, &used);
                in += used;
        }
        return total;
}

/* docker's max-file: log.N-1 is dropped, log.i becomes log.i+1, log becomes
 * log.1; with one file the log is truncated instead. */
static int rotate(struct vs_log_writer *w, struct vs_error *err)
{
        char from[PATH_MAX], to[PATH_MAX];
        w->fd = vs_safe_close(w->fd);
        for (int i = w->max_files - 1; i >= 1 && w->max_files > 1; i--) {
                if (i == 1)
                        snprintf(from, sizeof(from), "%s", w->path);
                else
                        snprintf(from, sizeof(from), "%s.%d", w->path, i - 1);
                snprintf(to, sizeof(to), "%s.%d", w->path, i);
                if (rename(from, to) < 0 && errno != ENOENT)
                        return vs_error_syscall(err, "cannot rotate the log %s to %s", from, to);
        }
        int fd = open_log(w->path, w->max_files <= 1, err);
        if (fd < 0)
                return fd;
        w->fd = fd;
        w->size = 0;
        return 0;
}

static int write_all(int fd, struct iovec *iov, int n, struct vs_error *err, const char *path)
{
        while (n > 0) {
                ssize_t r = writev(fd, iov, n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return vs_error_syscall(err, "cannot write the log %s", path);
                while (n > 0 && (size_t) r >= iov->iov_len) {
                        r -= (ssize_t) iov->iov_len;
                        iov++;
                        n--;
                }
                if (n > 0) {
                        iov->iov_base = (char *) iov->iov_base + r;
                        iov->iov_len -= (size_t) r;
                }
        }
        return 0;
}

static int write_record(struct vs_log_writer *w, enum vs_log_stream s, const char *data, size_t len,
                        struct vs_error *err)
{
        static const char prefix[] = "{\"log\":\"";
        char suffix[96];
        char ts[40];
        vs_log_timestamp(ts);
        int sl = snprintf(suffix, sizeof(suffix), "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream_names[s], ts);
        size_t total = sizeof(prefix) - 1 + escaped_length(data, len) + (size_t) sl;
        if (w->max_size > 0 && w->size > 0 && w->size + (off_t) total > w->max_size && rotate(w, err) < 0)
                return -err->code;
        size_t in = 0;
        bool first = true;
        do {
                size_t olen;
                in += vs_log_escape(data + in, len - in, w->escaped, sizeof(w->escaped), &olen);
                struct iovec iov[3];
                int n = 0;
                if (first)
                        iov[n++] = (struct iovec){(void *) prefix, sizeof(prefix) - 1};
                iov[n++] = (struct iovec){w->escaped, olen};
                if (in == len)
                        iov[n++] = (struct iovec){suffix, (size_t) sl};
                if (write_all(w->fd, iov, n, err, w->path) < 0)
                        return -err->code;
                first = false;
        } while (in < len);
        w->size += (off_t) total;
        return 0;
}

int vs_log_feed(struct vs_log_writer *w, enum vs_log_stream s, const char *data, size_t len, struct vs_error *err)
{
        if (w->fd < 0)
                return 0;
        struct vs_log_pending *p = &w->pending[s];
        while (len > 0) {
                size_t room = sizeof(p->buf) - p->len;
                const char *nl = memchr(data, '\n', len < room ? len : room);
                size_t take = nl ? (size_t) (nl - data) + 1 : (len < room ? len : room);
                /* A whole line with nothing pending is written from the caller's buffer. */
                if (p->len == 0 && (nl || take == sizeof(p->buf))) {
                        if (write_record(w, s, data, take, err) < 0)
                                return -err->code;
                } else {
                        memcpy(p->buf + p->len, data, take);
                        p->len += take;
                        if ((nl || p->len == sizeof(p->buf)) && vs_log_flush(w, s, err) < 0)
                                return -err->code;
                }
                data += take;
                len -= take;
        }
        return 0;
}

int vs_log_flush(struct vs_log_writer *w, enum vs_log_stream s, struct vs_error *err)
{
        struct vs_log_pending *p = &w->pending[s];
        if (w->fd < 0 || p->len == 0)
                return 0;
        size_t len = p->len;
        p->len = 0;
        return write_record(w, s, p->buf, len, err);
}
