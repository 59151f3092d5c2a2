/* vessel: docker's detach keys ("ctrl-p,ctrl-q", "a,ctrl-@", ...), shared by
 * attach and exec: the sequence parsed once, then recognised in the input
 * typed to the container, held back while it is being typed and let
 * through when it turns out not to be the sequence. */
#ifndef VESSEL_CMD_DETACH_KEYS_H
#define VESSEL_CMD_DETACH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
/* The most bytes detach_keys_filter adds to its input (held-back keys). */
#define DETACH_KEYS_MAX 16

struct detach_keys {
        unsigned char keys[DETACH_KEYS_MAX];
        size_t n_keys, matched; /* bytes of it typed so far, held back */
};

/* Parse text into k. Bad text: -EINVAL, "Invalid detach keys (TEXT) provided". */
int detach_keys_parse(const char *text, struct detach_keys *k, struct vs_error *err);

/* Copy the n bytes of `in` to `out` (room for n + DETACH_KEYS_MAX bytes),
 * leaving out the detach sequence, and set *out_len. True once the whole
 * sequence was typed: the bytes after it are dropped. */
bool detach_keys_filter(struct detach_keys *k, const unsigned char *in, size_t n, unsigned char *out, size_t *out_len);

#endif
