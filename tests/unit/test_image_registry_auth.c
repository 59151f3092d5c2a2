/* Unit tests for the WWW-Authenticate parser of src/image/registry_auth.c
 * (the network paths are tested against real registries in
 * tests/integration/registry_client.bats). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "image/registry_internal.h"

static void test_bearer(void **state)
{
        (void) state;
        struct registry_challenge c;
        assert_int_equal(registry_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
                                                  "docker.io\",scope=\"repository:library/busybox:pull\"",
                                                  &c),
                         0);
        assert_int_equal(c.kind, REGISTRY_AUTH_BEARER);
        assert_string_equal(c.realm, "https://auth.docker.io/token");
        assert_string_equal(c.service, "registry.docker.io");
        assert_string_equal(c.scope, "repository:library/busybox:pull");
        registry_challenge_clear(&c);

        /* Case, spaces, tokens without quotes, escapes, unknown parameters. */
        assert_int_equal(registry_challenge_parse("  bearer  Realm = http://h/t , error=\"insufficient_scope\", "
                                                  "service=\"a\\\"b\"",
                                                  &c),
                         0);
        assert_int_equal(c.kind, REGISTRY_AUTH_BEARER);
        assert_string_equal(c.realm, "http://h/t");
        assert_string_equal(c.service, "a\"b");
        assert_null(c.scope);
        registry_challenge_clear(&c);
}

static void test_basic_and_others(void **state)
{
        (void) state;
        struct registry_challenge c;
        assert_int_equal(registry_challenge_parse("Basic realm=\"basic-realm\"", &c), 0);
        assert_int_equal(c.kind, REGISTRY_AUTH_BASIC);
        assert_string_equal(c.realm, "basic-realm");
        registry_challenge_clear(&c);

        assert_int_equal(registry_challenge_parse("Negotiate abc==", &c), 0);
        assert_int_equal(c.kind, REGISTRY_AUTH_NONE);
        assert_null(c.realm);
        assert_int_equal(registry_challenge_parse("", &c), 0);
        assert_int_equal(c.kind, REGISTRY_AUTH_NONE);
        assert_int_equal(registry_challenge_parse("Bearer", &c), 0);
        assert_int_equal(c.kind, REGISTRY_AUTH_BEARER);
        assert_null(c.realm);
        assert_int_equal(registry_challenge_parse("Bearer realm=\"unterminated", &c), 0);
        assert_string_equal(c.realm, "unterminated");
        registry_challenge_clear(&c);
        assert_int_equal(registry_challenge_parse("Bearer token68==, realm=x", &c), 0);
        assert_string_equal(c.realm, "x");
        registry_challenge_clear(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bearer),
                cmocka_unit_test(test_basic_and_others),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
