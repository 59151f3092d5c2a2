/* vessel: the error type every fallible call fills.
 *
 * A function that can fail returns 0 or a negative errno and fills a
 * struct vs_error: the leaf names the operation and the object (and adds
 * strerror when a syscall failed); each caller may prefix its own context
 * with vs_error_wrap(); the command front prints the message once. */
#ifndef VESSEL_UTIL_ERROR_H
#define VESSEL_UTIL_ERROR_H

#include <stdarg.h>

#define VS_ERROR_MSG_MAX 1024

struct vs_error {
        int code; /* positive errno, 0 when no error is held */
        char msg[VS_ERROR_MSG_MAX];
};

#define VS_ERROR_INIT                                                                                                  \
        {                                                                                                              \
                0                                                                                                      \
        }

/* Store a message with errnum; returns -errnum so callers can `return vs_error_set(...)`. */
int vs_error_set(struct vs_error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* As vs_error_set, with ": strerror(errnum)" appended, first letter lowered
 * as Go and runc spell it ("no such file or directory"): for failed syscalls. */
int vs_error_errno(struct vs_error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* As vs_error_errno with the current errno. */
int vs_error_syscall(struct vs_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the held message with "context: "; returns -code. */
int vs_error_wrap(struct vs_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop an error on purpose (an ignored failure is marked by this call). */
void vs_error_ignore(struct vs_error *err);

#endif
