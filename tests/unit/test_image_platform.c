/* Unit tests for src/image/platform.c: "os/arch/variant", the host's
 * platform, and matching. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <cmocka.h>

#include "image/manifest.h"
#include "util/cleanup.h"

static void expect_platform(const struct vs_platform *p, const char *os, const char *arch, const char *variant)
{
        assert_string_equal(p->os, os);
        assert_string_equal(p->architecture, arch);
        if (variant)
                assert_string_equal(p->variant, variant);
        else
                assert_null(p->variant);
        assert_null(p->os_version);
}

static void test_parse_good(void **state)
{
        static const struct {
                const char *text, *os, *arch, *variant, *string;
        } cases[] = {
                {"linux/amd64", "linux", "amd64", NULL, "linux/amd64"},
                {"linux/arm64/v8", "linux", "arm64", "v8", "linux/arm64/v8"},
                {"arm64", "linux", "arm64", NULL, "linux/arm64"},
                {"amd64", "linux", "amd64", NULL, "linux/amd64"},
                {"Linux/AMD64", "linux", "amd64", NULL, "linux/amd64"},
                {"linux/x86_64", "linux", "amd64", NULL, "linux/amd64"},
                {"linux/aarch64", "linux", "arm64", NULL, "linux/arm64"},
                {"linux/armhf", "linux", "arm", "v7", "linux/arm/v7"},
                {"linux/armel", "linux", "arm", "v6", "linux/arm/v6"},
                {"linux/armhf/v8", "linux", "arm", "v8", "linux/arm/v8"},
                {"linux/i686", "linux", "386", NULL, "linux/386"},
                {"linux/arm/v7", "linux", "arm", "v7", "linux/arm/v7"},
                {"linux/arm", "linux", "arm", NULL, "linux/arm"},
                {"windows/amd64", "windows", "amd64", NULL, "windows/amd64"},
                {"linux/riscv64", "linux", "riscv64", NULL, "linux/riscv64"},
                {"linux/ppc64le", "linux", "ppc64le", NULL, "linux/ppc64le"},
                {"linux/s390x", "linux", "s390x", NULL, "linux/s390x"},
                {"unknown/unknown", "unknown", "unknown", NULL, "unknown/unknown"},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++) {
                struct vs_platform p = {NULL};
                struct vs_error err = VS_ERROR_INIT;
                if (vs_platform_parse(cases[i].text, &p, &err) < 0)
                        fail_msg("%s: unexpected error: %s", cases[i].text, err.msg);
                expect_platform(&p, cases[i].os, cases[i].arch, cases[i].variant);
                _cleanup_free_ char *s = vs_platform_string(&p);
                assert_string_equal(s, cases[i].string);
                vs_platform_free(&p);
                vs_platform_free(&p);
        }
}

static void test_parse_bad(void **state)
{
        static const struct {
                const char *text, *problem;
        } cases[] = {
                {"", "empty"},
                {"/", "empty component"},
                {"linux/", "empty component"},
                {"/amd64", "empty component"},
                {"linux//v7", "empty component"},
                {"linux/arm/v7/", "expected os/architecture[/variant]"},
                {"linux/arm/v7/x", "expected os/architecture[/variant]"},
                {"linux/amd 64", "a component may only have [a-z0-9._-]"},
                {"linux/amd64\n", "a component may only have"},
                {"linux/a:b", "a component may only have"},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++) {
                struct vs_platform p = {NULL};
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_platform_parse(cases[i].text, &p, &err), -EINVAL);
                if (strncmp(err.msg, "invalid platform \"", 18) != 0 || !strstr(err.msg, cases[i].problem))
                        fail_msg("%s: unexpected message: %s", cases[i].text, err.msg);
                assert_null(strchr(err.msg, '\n'));
                assert_null(p.os);
        }
        /* A component longer than any real name is refused, and the message stays short. */
        char long_arch[300];
        memset(long_arch, 'a', sizeof(long_arch) - 1);
        long_arch[sizeof(long_arch) - 1] = '\0';
        struct vs_platform p = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_platform_parse(long_arch, &p, &err), -EINVAL);
        assert_true(strlen(err.msg) < 250);
}

static void test_from_machine(void **state)
{
        static const struct {
                const char *machine, *arch, *variant;
        } cases[] = {
                {"x86_64", "amd64", NULL},    {"aarch64", "arm64", "v8"},       {"armv7l", "arm", "v7"},
                {"armv6l", "arm", "v6"},      {"armv8l", "arm", "v7"},          {"i686", "386", NULL},
                {"i386", "386", NULL},        {"ppc64le", "ppc64le", NULL},     {"s390x", "s390x", NULL},
                {"riscv64", "riscv64", NULL}, {"loongarch64", "loong64", NULL}, {"sparc64", "sparc64", NULL},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++) {
                struct vs_platform p = {NULL};
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_platform_from_machine(cases[i].machine, &p, &err), 0);
                expect_platform(&p, "linux", cases[i].arch, cases[i].variant);
                vs_platform_free(&p);
        }
        struct vs_platform p = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_platform_from_machine("", &p, &err), -EINVAL);
}

static void test_host(void **state)
{
        struct utsname u;
        assert_int_equal(uname(&u), 0);
        struct vs_platform host = {NULL}, want = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_platform_host(&host, &err), 0);
        assert_int_equal(vs_platform_from_machine(u.machine, &want, &err), 0);
        assert_string_equal(host.os, "linux");
        assert_string_equal(host.architecture, want.architecture);
        assert_true(vs_platform_matches(&host, &want));
        vs_platform_free(&host);
        vs_platform_free(&want);
}

static void test_matches(void **state)
{
        static const struct {
                const char *want, *have;
                bool match;
        } cases[] = {
                {"linux/amd64", "linux/amd64", true},     {"linux/amd64", "linux/arm64", false},
                {"linux/amd64", "windows/amd64", false},  {"linux/arm64", "linux/arm64/v8", true},
                {"linux/arm64/v8", "linux/arm64", true},  {"linux/arm64/v8", "linux/arm64/v8", true},
                {"linux/arm64/v9", "linux/arm64", false}, {"linux/arm/v7", "linux/arm/v7", true},
                {"linux/arm/v7", "linux/arm/v6", false},  {"linux/arm/v7", "linux/arm", false},
                {"linux/arm", "linux/arm/v6", true},      {"linux/amd64/v3", "linux/amd64", false},
                {"linux/amd64", "linux/amd64/v3", true},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++) {
                struct vs_platform want = {NULL}, have = {NULL};
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_platform_parse(cases[i].want, &want, &err), 0);
                assert_int_equal(vs_platform_parse(cases[i].have, &have, &err), 0);
                if (vs_platform_matches(&want, &have) != cases[i].match)
                        fail_msg("want %s, have %s: expected %s", cases[i].want, cases[i].have,
                                 cases[i].match ? "a match" : "no match");
                vs_platform_free(&want);
                vs_platform_free(&have);
        }
        /* An index may spell the architecture as the kernel does. */
        struct vs_platform want = {.os = (char *) "linux", .architecture = (char *) "amd64"};
        struct vs_platform have = {.os = (char *) "Linux", .architecture = (char *) "x86_64"};
        assert_true(vs_platform_matches(&want, &have));
        struct vs_platform empty = {NULL};
        assert_false(vs_platform_matches(&want, &empty));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_good),   cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_from_machine), cmocka_unit_test(test_host),
                cmocka_unit_test(test_matches),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
