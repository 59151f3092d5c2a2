/* Unit tests for src/image/progress.c: plain lines when not a terminal, and
 * in-place redraws with ANSI cursor moves on one. Output goes to a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/progress.h"

/* Everything written to the pipe so far (the write end is closed). */
static char *drain(int fds[2])
{
        close(fds[1]);
        static char buf[8192];
        size_t len = 0;
        ssize_t n;
        while ((n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
                len += (size_t) n;
        buf[len] = '\0';
        close(fds[0]);
        return buf;
}

static void test_short_digest(void **state)
{
        (void) state;
        char out[16];
        vs_progress_short_digest("sha256:0123456789abcdef0123", out);
        assert_string_equal(out, "0123456789ab");
        vs_progress_short_digest("abc", out);
        assert_string_equal(out, "abc");
}

static void test_plain(void **state)
{
        (void) state;
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        const char *labels[] = {"aaaaaaaaaaaa", "bbbbbbbbbbbb"};
        struct vs_progress *p = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_progress_new(fds[1], VS_PROGRESS_PLAIN, "Downloading", 2, labels, &p, &err), 0);
        vs_progress_update(p, 1, 0, 100);
        vs_progress_callback(p, 1, 50, 100);
        vs_progress_update(p, 0, 10, -1);
        vs_progress_update(p, 1, 100, 100);
        vs_progress_finish(p, 1, "done");
        vs_progress_update(p, 1, 100, 100); /* after finish: ignored */
        vs_progress_finish(p, 0, "failed");
        vs_progress_update(p, 7, 1, 1); /* no such transfer: ignored */
        vs_progress_free(p);
        assert_string_equal(drain(fds), "bbbbbbbbbbbb: downloading\n"
                                        "aaaaaaaaaaaa: downloading\n"
                                        "bbbbbbbbbbbb: done\n"
                                        "aaaaaaaaaaaa: failed\n");
}

static void test_tty(void **state)
{
        (void) state;
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        const char *labels[] = {"first", "second"};
        struct vs_progress *p = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_progress_new(fds[1], VS_PROGRESS_TTY, "Downloading", 2, labels, &p, &err), 0);
        vs_progress_update(p, 0, 500, 1000);
        vs_progress_update(p, 1, 2500000, -1);
        vs_progress_finish(p, 0, "Pull complete");
        vs_progress_free(p);
        char bar[64];
        memset(bar, ' ', 50);
        memset(bar, '=', 25);
        bar[25] = '>';
        bar[50] = '\0';
        char want[1024];
        snprintf(want, sizeof(want),
                 "first: Waiting\nsecond: Waiting\n"
                 "\033[2A\r\033[2Kfirst: Downloading [%s]  500B/1kB\r\033[2B"
                 "\033[1A\r\033[2Ksecond: Downloading  2.5MB\r\033[1B"
                 "\033[2A\r\033[2Kfirst: Pull complete\r\033[2B",
                 bar);
        assert_string_equal(drain(fds), want);
}

static void test_auto_on_a_pipe_is_plain(void **state)
{
        (void) state;
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        const char *labels[] = {"x"};
        struct vs_progress *p = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_progress_new(fds[1], VS_PROGRESS_AUTO, "Pushing", 1, labels, &p, &err), 0);
        vs_progress_update(p, 0, 1, 2);
        vs_progress_finish(p, 0, "Pushed");
        vs_progress_free(p);
        assert_string_equal(drain(fds), "x: pushing\nx: Pushed\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_short_digest),
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_tty),
                cmocka_unit_test(test_auto_on_a_pipe_is_plain),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
