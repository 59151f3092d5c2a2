/* vessel: a text built with fprintf into memory, for the renderers. Private to src/procfs. */
#ifndef VESSEL_PROCFS_MEMSTREAM_H
#define VESSEL_PROCFS_MEMSTREAM_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "util/error.h"

struct vs_text {
        FILE *f;
        char *buf;
        size_t len;
};

static inline int vs_text_open(struct vs_text *t, struct vs_error *err)
{
        *t = (struct vs_text){0};
        t->f = open_memstream(&t->buf, &t->len);
        return t->f ? 0 : vs_error_errno(err, ENOMEM, "cannot render a /proc file");
}

/* Close the stream and hand its text to *ret (or free it on a write error). */
static inline int vs_text_finish(struct vs_text *t, char **ret, struct vs_error *err)
{
        bool bad = ferror(t->f) != 0;
        if (fclose(t->f) != 0 || bad) {
                free(t->buf);
                return vs_error_errno(err, ENOMEM, "cannot render a /proc file");
        }
        *ret = t->buf;
        return 0;
}

/* Each line of `text` in turn: `line` points at it, `len` excludes the newline. */
#define VS_FOREACH_LINE(text, line, len)                                                                               \
        for (const char *line = (text), *_nl = NULL; line && *line;                                                    \
             line = (_nl = strchr(line, '\n')) ? _nl + 1 : NULL)                                                       \
                for (size_t len = strcspn(line, "\n"), _once = 1; _once; _once = 0)

#endif
