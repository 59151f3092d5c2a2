/* vessel: per-layer progress of pulls and pushes, rendered as docker does.
 *
 * On a terminal there is a line per transfer ("3f4d90098f5b: Downloading
 * [=====>      ]  1.2MB/3.4MB"), redrawn in place by moving the cursor up
 * (ANSI escapes) and at most every 100 ms per line. Elsewhere (a pipe, a
 * log) each transfer gives plain lines: "3f4d90098f5b: downloading" when it
 * starts and "3f4d90098f5b: <status>" when it ends. Nothing here knows about
 * HTTP: the registry client reports bytes through vs_progress_callback. */
#ifndef VESSEL_IMAGE_PROGRESS_H
#define VESSEL_IMAGE_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum vs_progress_mode {
        VS_PROGRESS_AUTO,  /* a terminal when isatty(fd) */
        VS_PROGRESS_TTY,   /* bars redrawn in place */
        VS_PROGRESS_PLAIN, /* one line per event */
};

struct vs_progress;

/* Progress of `n` transfers written to fd. `action` names what they do
 * ("Downloading", "Pushing"); labels[i] names transfer i (see
 * vs_progress_short_digest). Both are copied. */
int vs_progress_new(int fd, enum vs_progress_mode mode, const char *action, size_t n, const char *const *labels,
                    struct vs_progress **ret, struct vs_error *err);
/* Transfer `index` has moved `done` of `total` bytes (total -1: unknown). */
void vs_progress_update(struct vs_progress *p, size_t index, int64_t done, int64_t total);
/* Transfer `index` has ended with `status` ("Pull complete", "Already exists", "failed"). */
void vs_progress_finish(struct vs_progress *p, size_t index, const char *status);
void vs_progress_free(struct vs_progress *p);

/* A vs_progress_fn (image/registry.h) that forwards to vs_progress_update;
 * pass the struct vs_progress as its data. */
void vs_progress_callback(void *data, size_t index, int64_t done, int64_t total);

/* Docker's short form of a digest for labels: its first 12 hex digits. */
void vs_progress_short_digest(const char *digest, char out[16]);

#endif
