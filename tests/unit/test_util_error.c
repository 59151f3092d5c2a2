/* Unit tests for src/util/error.c: the error every fallible call fills. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/error.h"

/* Every message must stay NUL-terminated inside msg[]. */
static void assert_terminated(const struct vs_error *err)
{
        assert_non_null(memchr(err->msg, '\0', sizeof(err->msg)));
}

static void test_set_returns_minus_errno_and_formats(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        int r = vs_error_set(&err, EINVAL, "bad value %d for %s", 42, "memory.limit");
        assert_int_equal(r, -EINVAL);
        assert_int_equal(err.code, EINVAL);
        assert_string_equal(err.msg, "bad value 42 for memory.limit");
}

static void test_set_normalises_errnum(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        /* A negative errno is taken as its positive value. */
        assert_int_equal(vs_error_set(&err, -ENOENT, "x"), -ENOENT);
        assert_int_equal(err.code, ENOENT);
        /* No errno at all still yields a real one: a failure is never 0. */
        assert_int_equal(vs_error_set(&err, 0, "y"), -EIO);
        assert_int_equal(err.code, EIO);
}

static void test_set_null_err(void **state)
{
        (void) state;
        assert_int_equal(vs_error_set(NULL, EPERM, "nobody listens"), -EPERM);
        assert_int_equal(vs_error_errno(NULL, EACCES, "nobody listens"), -EACCES);
        assert_int_equal(vs_error_wrap(NULL, "ctx"), -EIO);
        vs_error_ignore(NULL);
}

static void test_errno_appends_strerror(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        char expected[256];
        int r = vs_error_errno(&err, ENOENT, "cannot open %s", "/etc/x");
        assert_int_equal(r, -ENOENT);
        assert_int_equal(err.code, ENOENT);
        snprintf(expected, sizeof(expected), "cannot open /etc/x: %s", "no such file or directory");
        assert_string_equal(err.msg, expected);
}

static void test_syscall_uses_errno(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        char expected[256];
        errno = EACCES;
        int r = vs_error_syscall(&err, "cannot mount %s", "proc");
        assert_int_equal(r, -EACCES);
        assert_int_equal(err.code, EACCES);
        snprintf(expected, sizeof(expected), "cannot mount proc: %s", "permission denied");
        assert_string_equal(err.msg, expected);
}

static void test_wrap_prefixes_and_keeps_code(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        vs_error_set(&err, EBUSY, "leaf");
        assert_int_equal(vs_error_wrap(&err, "middle %d", 2), -EBUSY);
        assert_string_equal(err.msg, "middle 2: leaf");
        assert_int_equal(vs_error_wrap(&err, "top"), -EBUSY);
        assert_string_equal(err.msg, "top: middle 2: leaf");
        assert_int_equal(err.code, EBUSY);
}

static void test_wrap_without_code_is_eio(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_error_wrap(&err, "ctx"), -EIO);
        assert_int_equal(err.code, EIO);
        assert_string_equal(err.msg, "ctx: ");
}

static void test_wrap_empty_prefix_is_noop(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        vs_error_set(&err, EINVAL, "leaf");
        assert_int_equal(vs_error_wrap(&err, "%s", ""), -EINVAL);
        assert_string_equal(err.msg, "leaf");
}

static char *repeat(char c, size_t n)
{
        char *s = malloc(n + 1);
        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

/* A message longer than the buffer is cut, not overflowed. */
static void test_set_truncates_long_message(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        char *big = repeat('a', 1500);
        assert_int_equal(vs_error_errno(&err, ENOSPC, "%s", big), -ENOSPC);
        assert_int_equal(err.code, ENOSPC);
        assert_terminated(&err);
        assert_int_equal(strlen(err.msg), VS_ERROR_MSG_MAX - 1);
        assert_int_equal(strspn(err.msg, "a"), VS_ERROR_MSG_MAX - 1);
        free(big);
}

/* Wrapping a message near the limit keeps the prefix and cuts the tail. */
static void test_wrap_truncates_near_limit(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        char *big = repeat('m', VS_ERROR_MSG_MAX - 10);
        vs_error_set(&err, EEXIST, "%s", big);
        assert_int_equal(vs_error_wrap(&err, "context"), -EEXIST);
        assert_terminated(&err);
        assert_true(strlen(err.msg) < VS_ERROR_MSG_MAX);
        assert_memory_equal(err.msg, "context: mmm", 12);
        assert_int_equal(strspn(err.msg + 9, "m"), strlen(err.msg) - 9);
        for (int i = 0; i < 50; i++)
                assert_int_equal(vs_error_wrap(&err, "layer %d", i), -EEXIST);
        assert_terminated(&err);
        assert_true(strlen(err.msg) < VS_ERROR_MSG_MAX);
        assert_memory_equal(err.msg, "layer 49: layer 48: ", 20);
        assert_int_equal(err.code, EEXIST);
        free(big);
}

/* A prefix as long as the buffer or longer: nothing overflows, the code stays. */
static void test_wrap_huge_prefix(void **state)
{
        (void) state;
        char *huge = repeat('p', 1200);
        size_t lens[] = {VS_ERROR_MSG_MAX - 4, VS_ERROR_MSG_MAX - 3, VS_ERROR_MSG_MAX - 2,
                         VS_ERROR_MSG_MAX - 1, VS_ERROR_MSG_MAX,     1200};
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                struct vs_error err = VS_ERROR_INIT;
                vs_error_set(&err, ERANGE, "leaf message");
                char saved = huge[lens[i]];
                huge[lens[i]] = '\0';
                assert_int_equal(vs_error_wrap(&err, "%s", huge), -ERANGE);
                huge[lens[i]] = saved;
                assert_terminated(&err);
                assert_true(strlen(err.msg) < VS_ERROR_MSG_MAX);
                assert_int_equal(err.code, ERANGE);
        }
        free(huge);
}

/* Both at once: a 1000+ char message wrapped by a 1000+ char context. */
static void test_wrap_long_message_long_prefix(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        char *msg = repeat('x', 1100);
        char *ctx = repeat('c', 1010);
        vs_error_errno(&err, EACCES, "%s", msg);
        assert_int_equal(vs_error_wrap(&err, "%s", ctx), -EACCES);
        assert_terminated(&err);
        assert_true(strlen(err.msg) < VS_ERROR_MSG_MAX);
        assert_int_equal(strspn(err.msg, "c"), 1010);
        free(msg);
        free(ctx);
}

static void test_ignore_clears(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        vs_error_errno(&err, EPERM, "cannot do %s", "it");
        vs_error_ignore(&err);
        assert_int_equal(err.code, 0);
        assert_string_equal(err.msg, "");
        /* The error is reusable after being ignored. */
        assert_int_equal(vs_error_set(&err, EAGAIN, "again"), -EAGAIN);
        assert_string_equal(err.msg, "again");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set_returns_minus_errno_and_formats),
                cmocka_unit_test(test_set_normalises_errnum),
                cmocka_unit_test(test_set_null_err),
                cmocka_unit_test(test_errno_appends_strerror),
                cmocka_unit_test(test_syscall_uses_errno),
                cmocka_unit_test(test_wrap_prefixes_and_keeps_code),
                cmocka_unit_test(test_wrap_without_code_is_eio),
                cmocka_unit_test(test_wrap_empty_prefix_is_noop),
                cmocka_unit_test(test_set_truncates_long_message),
                cmocka_unit_test(test_wrap_truncates_near_limit),
                cmocka_unit_test(test_wrap_huge_prefix),
                cmocka_unit_test(test_wrap_long_message_long_prefix),
                cmocka_unit_test(test_ignore_clears),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
