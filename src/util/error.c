#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The errno text as Go (runc) spells it: strerror with its first letter in
 * lower case. Engines match these phrases in a runtime's errors ("no such
 * file or directory" means 127, "permission denied" 126), some of them
 * case-sensitively (dockerd). */
static void append_errno_text(char *buf, size_t sz, int errnum)
{
        int n = snprintf(buf, sz, ": %s", strerror(errnum));
        if (n > 2 && (size_t) n < sz && buf[2] >= 'A' && buf[2] <= 'Z')
                buf[2] = (char) (buf[2] - 'A' + 'a');
}

static int error_vset(struct vs_error *err, int errnum, int add_strerror, const char *fmt, va_list ap)
{
        if (errnum <= 0)
                errnum = errnum < 0 ? -errnum : EIO;
        if (err) {
                int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                if (add_strerror && n >= 0 && (size_t) n < sizeof(err->msg))
                        append_errno_text(err->msg + n, sizeof(err->msg) - (size_t) n, errnum);
                err->code = errnum;
        }
        return -errnum;
}

int vs_error_set(struct vs_error *err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_vset(err, errnum, 0, fmt, ap);
        va_end(ap);
        return r;
}

int vs_error_errno(struct vs_error *err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_vset(err, errnum, 1, fmt, ap);
        va_end(ap);
        return r;
}

int vs_error_syscall(struct vs_error *err, const char *fmt, ...)
{
        int errnum = errno;
        va_list ap;
        va_start(ap, fmt);
        int r = error_vset(err, errnum, 1, fmt, ap);
        va_end(ap);
        return r;
}

int vs_error_wrap(struct vs_error *err, const char *fmt, ...)
{
        if (!err)
                return -EIO;
        char prefix[VS_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        if (n > 0) {
                size_t plen = strlen(prefix), mlen = strlen(err->msg);
                if (plen + 2 + mlen >= sizeof(err->msg))
                        mlen = sizeof(err->msg) - plen - 3;
                if (plen + 3 < sizeof(err->msg)) {
                        memmove(err->msg + plen + 2, err->msg, mlen);
                        err->msg[plen + 2 + mlen] = '\0';
                        memcpy(err->msg, prefix, plen);
                        err->msg[plen] = ':';
                        err->msg[plen + 1] = ' ';
                }
        }
        if (err->code == 0)
                err->code = EIO;
        return -err->code;
}

void vs_error_ignore(struct vs_error *err)
{
        if (err) {
                err->code = 0;
                err->msg[0] = '\0';
        }
}
