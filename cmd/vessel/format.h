/* vessel: docker's output shapes: --format templates (a subset of Go's
 * text/template: {{.Field}}, {{.A.B}}, {{json .}}, {{json .X}},
 * {{index .Map "key"}}, {{join .List ","}}, {{upper .X}}, {{lower .X}},
 * with "table" for a header and aligned columns, and "json" for one JSON
 * object per line), tables aligned as docker's tabwriter does, and human
 * sizes and durations as go-units writes them. */
#ifndef VESSEL_ENGINE_FORMAT_H
#define VESSEL_ENGINE_FORMAT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

/* A column header for a field, e.g. {"ID", "IMAGE ID"}; unnamed fields get
 * their name in upper case. */
struct header_name {
        const char *field;
        const char *header;
};

/* Print `rows` (an array of objects) with `format` (NULL or "": default_format). */
int format_rows(FILE *out, const char *format, const char *default_format, json_t *rows,
                const struct header_name *headers, struct vs_error *err);
/* Print one value with a template (inspect -f). */
int format_value(FILE *out, const char *format, json_t *value, struct vs_error *err);

/* "4.26MB" (decimal units, 3 significant digits). */
void human_size(int64_t bytes, char *buf, size_t size);
/* "2 months" (no " ago"). */
void human_duration(int64_t seconds, char *buf, size_t size);
/* "2026-11-22 10:00:00 +0000 UTC" as docker prints CreatedAt. */
void human_time(int64_t unix_seconds, char *buf, size_t size);
/* RFC 3339 with nanoseconds, UTC: "2026-11-22T10:00:00.000000000Z". */
void rfc3339(int64_t unix_seconds, long nanoseconds, char *buf, size_t size);

#endif
