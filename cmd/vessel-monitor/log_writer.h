/* vessel-monitor: the container's log in docker's json-file format.
 *
 * One JSON object per line: {"log":"text\n","stream":"stdout","time":"..."}.
 * Output is cut into records at '\n' or when VS_LOG_LINE_MAX bytes gather
 * without one (docker's partial lines). Records are written with one
 * writev from fixed buffers: nothing is allocated per line. */
#ifndef VESSEL_MONITOR_LOG_WRITER_H
#define VESSEL_MONITOR_LOG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

#define VS_LOG_LINE_MAX 16384

enum vs_log_stream {
        VS_LOG_STDOUT = 0,
        VS_LOG_STDERR = 1
};

struct vs_log_pending {
        char buf[VS_LOG_LINE_MAX];
        size_t len;
};

struct vs_log_writer {
        int fd; /* -1: logging off (no --log-path) */
        const char *path;
        off_t size;
        off_t max_size; /* 0: no limit */
        int max_files;  /* files kept, the current one included (docker's max-file) */
        struct vs_log_pending pending[2];
        char escaped[VS_LOG_LINE_MAX + 64]; /* a plain 16 KiB line escapes into one writev */
};

/* Open (append to) path; size limits as docker's max-size / max-file. */
int vs_log_open(struct vs_log_writer *w, const char *path, off_t max_size, int max_files, struct vs_error *err);
/* Feed bytes read from a stream: complete lines (or 16 KiB runs) are written. */
int vs_log_feed(struct vs_log_writer *w, enum vs_log_stream s, const char *data, size_t len, struct vs_error *err);
/* Write what is left of a stream's partial line (at its EOF). */
int vs_log_flush(struct vs_log_writer *w, enum vs_log_stream s, struct vs_error *err);
void vs_log_close(struct vs_log_writer *w);

/* The JSON string escape of data (no quotes) into out (at most outsz
 * bytes); returns the bytes consumed from data. Exposed for tests. */
size_t vs_log_escape(const char *data, size_t len, char *out, size_t outsz, size_t *ret_out_len);
/* RFC 3339 UTC with nanoseconds: "2026-11-22T10:00:00.123456789Z" (31 bytes + NUL). */
void vs_log_timestamp(char buf[40]);

#endif
