/* vessel: ps --filter and -s, logs --since/--until (container_filter.c). */
#ifndef VESSEL_CMD_CONTAINER_FILTER_H
#define VESSEL_CMD_CONTAINER_FILTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

struct ps_filter_item {
        char *key, *value;
};
struct ps_filter {
        struct ps_filter_item *items;
        size_t n;
};

/* Add one --filter KEY=VALUE; an unknown key or a bad value fails in docker's words. */
int ps_filter_add(struct ps_filter *f, const char *spec, struct vs_error *err);
void ps_filter_free(struct ps_filter *f);
/* status= and exited= show stopped containers without -a, as docker. */
bool ps_filter_implies_all(const struct ps_filter *f);
bool ps_filter_match(const struct ps_filter *f, struct vs_store *s, const struct vs_container *c);
/* ps -s: "Size": "0B (virtual 4.26MB)" (the upper dir, and with the image). */
void ps_row_add_size(struct vs_store *s, const struct vs_container *c, const char *upper, json_t *row);

/* logs --since/--until: RFC 3339, unix seconds ("1700000000.5") or a
 * duration back from `now` ("10m", "1h30m"); unix nanoseconds. */
int log_time_parse(const char *text, int64_t now, int64_t *ret, struct vs_error *err);
/* RFC 3339 (Z or +hh:mm, optional fraction) to unix nanoseconds; 0 if it is not one. */
int64_t rfc3339_ns(const char *text);
/* A log record's "time" within [since, until] (0: no bound). */
bool log_time_within(const char *when, int64_t since, int64_t until);
/* EINVAL when the container logs nowhere (--log-driver none), in docker's words. */
int logs_readable(const struct vs_container *c, struct vs_error *err);

#endif
