/* vessel: docker's detach keys, for attach and exec (see detach_keys.h). */
#include "detach_keys.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"

/* One key: a character, or ctrl- and a letter or one of @[\]^_ (in either
 * case, as docker reads them). */
static int key_value(const char *k)
{
        if (strlen(k) == 1)
                return (unsigned char) k[0];
        if (strncasecmp(k, "ctrl-", 5) != 0 || strlen(k) != 6)
                return -1;
        char ch = (char) tolower((unsigned char) k[5]);
        if (ch >= 'a' && ch <= 'z')
                return ch - 'a' + 1;
        if (ch == '@')
                return 0;
        if (ch >= '[' && ch <= '_')
                return ch - '[' + 27;
        return -1;
}

int detach_keys_parse(const char *text, struct detach_keys *k, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return vs_error_set(err, ENOMEM, "out of memory");
        struct detach_keys parsed = {0};
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                int v = key_value(t);
                if (v < 0 || parsed.n_keys == sizeof(parsed.keys))
                        return vs_error_set(err, EINVAL, "Invalid detach keys (%s) provided", text);
                parsed.keys[parsed.n_keys++] = (unsigned char) v;
        }
        if (parsed.n_keys == 0)
                return vs_error_set(err, EINVAL, "Invalid detach keys (%s) provided", text);
        *k = parsed;
        return 0;
}

bool detach_keys_filter(struct detach_keys *k, const unsigned char *in, size_t n, unsigned char *out, size_t *out_len)
{
        size_t len = 0;
        for (size_t i = 0; i < n; i++) {
                if (in[i] == k->keys[k->matched]) {
                        if (++k->matched == k->n_keys) {
                                *out_len = len;
                                return true;
                        }
                        continue;
                }
                memcpy(out + len, k->keys, k->matched); /* not the sequence after all */
                len += k->matched;
                k->matched = in[i] == k->keys[0] ? 1 : 0;
                if (!k->matched)
                        out[len++] = in[i];
        }
        *out_len = len;
        return false;
}
