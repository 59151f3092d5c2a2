/* Unit tests for cmd/vessel/detach_keys.c: docker's detach keys, parsed
 * and recognised in typed input (attach, run -it, exec -it). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* The command front is not a library: its one module is built in here. */
#include "cmd/vessel/detach_keys.c"

static void test_parse_docker_forms(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        struct detach_keys k;
        assert_int_equal(detach_keys_parse(DETACH_KEYS_DEFAULT, &k, &err), 0);
        assert_int_equal(k.n_keys, 2);
        assert_int_equal(k.keys[0], 16); /* ctrl-p */
        assert_int_equal(k.keys[1], 17); /* ctrl-q */
        assert_int_equal(detach_keys_parse("a,ctrl-@,ctrl-[,ctrl-_,ctrl-z", &k, &err), 0);
        assert_int_equal(k.n_keys, 5);
        assert_memory_equal(k.keys, "a\0\x1b\x1f\x1a", 5);
        assert_int_equal(detach_keys_parse("CTRL-P,Ctrl-q", &k, &err), 0);
        assert_memory_equal(k.keys, "\x10\x11", 2);
}

static void test_parse_rejects_bad_keys_untouched(void **state)
{
        (void) state;
        static const char *const bad[] = {
                "", ",", "ctrl-", "ctrl-1", "ctrl-pp", "ab", "a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct vs_error err = VS_ERROR_INIT;
                struct detach_keys k = {.n_keys = 99};
                assert_int_equal(detach_keys_parse(bad[i], &k, &err), -EINVAL);
                assert_int_equal(k.n_keys, 99); /* output untouched on failure */
                char want[128];
                snprintf(want, sizeof(want), "Invalid detach keys (%s) provided", bad[i]);
                assert_string_equal(err.msg, want);
        }
}

static void test_filter_holds_back_and_detaches(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        struct detach_keys k;
        assert_int_equal(detach_keys_parse("x,y", &k, &err), 0);
        unsigned char out[64];
        size_t len = 0;
        /* "x" alone is held back, then let through when "z" follows */
        assert_false(detach_keys_filter(&k, (const unsigned char *) "abx", 3, out, &len));
        assert_int_equal(len, 2);
        assert_memory_equal(out, "ab", 2);
        assert_false(detach_keys_filter(&k, (const unsigned char *) "z", 1, out, &len));
        assert_int_equal(len, 2);
        assert_memory_equal(out, "xz", 2);
        /* "xx": the first x is typed through, the second may still start the sequence */
        assert_false(detach_keys_filter(&k, (const unsigned char *) "xx", 2, out, &len));
        assert_int_equal(len, 1);
        assert_memory_equal(out, "x", 1);
        /* ... and does, across reads; what follows the sequence is dropped */
        assert_true(detach_keys_filter(&k, (const unsigned char *) "yq", 2, out, &len));
        assert_int_equal(len, 0);
}

static void test_filter_single_key(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        struct detach_keys k;
        assert_int_equal(detach_keys_parse("ctrl-a", &k, &err), 0);
        unsigned char out[64];
        size_t len = 0;
        assert_true(detach_keys_filter(&k, (const unsigned char *) "hi\x01", 3, out, &len));
        assert_int_equal(len, 2);
        assert_memory_equal(out, "hi", 2);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_docker_forms),
                cmocka_unit_test(test_parse_rejects_bad_keys_untouched),
                cmocka_unit_test(test_filter_holds_back_and_detaches),
                cmocka_unit_test(test_filter_single_key),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
