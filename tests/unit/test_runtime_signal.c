/* Unit tests for vs_signal_parse (src/runtime/lifecycle.c): kill's signal argument. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/runtime.h"

static int parse_ok(const char *name)
{
        struct vs_error err = VS_ERROR_INIT;
        int signo = -1;
        int r = vs_signal_parse(name, &signo, &err);
        if (r < 0)
                fail_msg("\"%s\": unexpected error: %s", name, err.msg);
        assert_int_equal(r, 0);
        return signo;
}

static void parse_fails(const char *name)
{
        struct vs_error err = VS_ERROR_INIT;
        int signo = -12345;
        int r = vs_signal_parse(name, &signo, &err);
        if (r == 0)
                fail_msg("\"%s\" was accepted as signal %d", name, signo);
        assert_int_equal(r, -EINVAL);
        assert_int_equal(err.code, EINVAL);
        assert_true(strlen(err.msg) > 0);
        /* The output is untouched on failure. */
        assert_int_equal(signo, -12345);
}

static void test_names(void **state)
{
        (void) state;
        assert_int_equal(parse_ok("KILL"), SIGKILL);
        assert_int_equal(parse_ok("SIGKILL"), SIGKILL);
        assert_int_equal(parse_ok("kill"), SIGKILL);
        assert_int_equal(parse_ok("sigkill"), SIGKILL);
        assert_int_equal(parse_ok("TERM"), SIGTERM);
        assert_int_equal(parse_ok("SIGTERM"), SIGTERM);
        assert_int_equal(parse_ok("HUP"), SIGHUP);
        assert_int_equal(parse_ok("USR1"), SIGUSR1);
        assert_int_equal(parse_ok("WINCH"), SIGWINCH);
        assert_int_equal(parse_ok("CHLD"), SIGCHLD);
        assert_int_equal(parse_ok("STOP"), SIGSTOP);
        assert_int_equal(parse_ok("CONT"), SIGCONT);
}

static void test_numbers(void **state)
{
        (void) state;
        assert_int_equal(parse_ok("9"), 9);
        assert_int_equal(parse_ok("15"), 15);
        assert_int_equal(parse_ok("1"), 1);
        assert_int_equal(parse_ok("64"), SIGRTMAX);
}

static void test_realtime(void **state)
{
        (void) state;
        assert_int_equal(parse_ok("RTMIN"), SIGRTMIN);
        assert_int_equal(parse_ok("SIGRTMIN"), SIGRTMIN);
        assert_int_equal(parse_ok("RTMIN+2"), SIGRTMIN + 2);
        assert_int_equal(parse_ok("SIGRTMIN+1"), SIGRTMIN + 1);
        assert_int_equal(parse_ok("RTMAX"), SIGRTMAX);
        assert_int_equal(parse_ok("RTMAX-1"), SIGRTMAX - 1);
        assert_int_equal(parse_ok("rtmax-2"), SIGRTMAX - 2);
}

static void test_invalid(void **state)
{
        (void) state;
        parse_fails("");
        parse_fails("0");
        parse_fails("-9");
        parse_fails("65");
        parse_fails("99999999999999999999");
        parse_fails("FOO");
        parse_fails("SIG");
        parse_fails("SIGFOO");
        parse_fails("9x");
        parse_fails("KILLX");
        parse_fails("RTMIN+99");
        parse_fails("RTMIN-1");
        parse_fails("RTMAX+1");
        parse_fails("RTMIN+");
        parse_fails("RTMINx");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_realtime),
                cmocka_unit_test(test_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
