/* Unit tests for src/image/registries_conf.c: the TOML subset, lookups by
 * domain, and errors that name the file, the line and the key. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/registries_conf.h"

static int parse(const char *text, struct vs_registries_conf *conf, struct vs_error *err)
{
        return vs_registries_conf_parse(text, strlen(text), "registries.conf", conf, err);
}

static void expect_error(const char *text, const char *msg)
{
        struct vs_registries_conf conf = {0};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(parse(text, &conf, &err), -EINVAL);
        assert_string_equal(err.msg, msg);
        assert_null(conf.entries);
}

static void test_full_entry(void **state)
{
        (void) state;
        const char *text = "# vessel registries\n"
                           "unqualified-search-registries = [\"docker.io\", 'quay.io']\n"
                           "\n"
                           "[[registry]]\n"
                           "location = \"127.0.0.1:5000\"   # the local one\n"
                           "insecure = true\n"
                           "ca = \"/etc/vessel/ca.pem\"\n"
                           "tls-verify = false\n"
                           "mirrors = [\n"
                           "  \"127.0.0.1:5001\",  # first\n"
                           "  \"mirror.example:443/hub\",\n"
                           "]\n"
                           "[[registry.mirror]]\n"
                           "location = \"127.0.0.1:5002\"\n"
                           "insecure = true\n"
                           "\n"
                           "[[registry]]\n"
                           "prefix = \"docker.io\"\n"
                           "blocked = true\n";
        struct vs_registries_conf conf = {0};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(parse(text, &conf, &err), 0);
        assert_non_null(conf.search);
        assert_string_equal(conf.search[0], "docker.io");
        assert_string_equal(conf.search[1], "quay.io");
        assert_null(conf.search[2]);
        assert_int_equal(conf.n_entries, 2);

        const struct vs_registry_entry *e = vs_registries_conf_find(&conf, "127.0.0.1:5000");
        assert_non_null(e);
        assert_true(e->insecure);
        assert_true(e->insecure_set);
        assert_int_equal(e->tls_verify, 0);
        assert_string_equal(e->ca, "/etc/vessel/ca.pem");
        assert_int_equal(e->n_mirrors, 3);
        assert_string_equal(e->mirrors[0].location, "127.0.0.1:5001");
        assert_false(e->mirrors[0].insecure);
        assert_string_equal(e->mirrors[1].location, "mirror.example:443/hub");
        assert_string_equal(e->mirrors[2].location, "127.0.0.1:5002");
        assert_true(e->mirrors[2].insecure);

        e = vs_registries_conf_find(&conf, "DOCKER.IO");
        assert_non_null(e);
        assert_true(e->blocked);
        assert_false(e->insecure_set);
        assert_int_equal(e->tls_verify, -1);
        assert_null(e->ca);
        assert_null(vs_registries_conf_find(&conf, "127.0.0.1:5001"));
        assert_null(vs_registries_conf_find(&conf, "127.0.0.1"));
        vs_registries_conf_free(&conf);
}

static void test_empty_and_last_wins(void **state)
{
        (void) state;
        struct vs_registries_conf conf = {0};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(parse("", &conf, &err), 0);
        assert_int_equal(conf.n_entries, 0);
        assert_null(vs_registries_conf_find(&conf, "docker.io"));
        vs_registries_conf_free(&conf);

        const char *text = "[[registry]]\nlocation = \"a.example\"\ninsecure = true\n"
                           "[[registry]]\nlocation = \"a.example\"\ninsecure = false\n";
        assert_int_equal(parse(text, &conf, &err), 0);
        assert_false(vs_registries_conf_find(&conf, "a.example")->insecure);
        vs_registries_conf_free(&conf);
}

static void test_strings(void **state)
{
        (void) state;
        struct vs_registries_conf conf = {0};
        struct vs_error err = VS_ERROR_INIT;
        const char *text = "[[registry]]\nlocation = \"h.example\"\nca = \"/a \\\"b\\\"\\\\c#d\"\n";
        assert_int_equal(parse(text, &conf, &err), 0);
        assert_string_equal(conf.entries[0].ca, "/a \"b\"\\c#d");
        vs_registries_conf_free(&conf);
        text = "[[registry]]\nlocation = 'h.example'\nca = '/x\\y'\n";
        assert_int_equal(parse(text, &conf, &err), 0);
        assert_string_equal(conf.entries[0].ca, "/x\\y");
        vs_registries_conf_free(&conf);
}

static void test_errors(void **state)
{
        (void) state;
        expect_error("[[registry]]\nlocation = \"a\"\n\n\n\n\nfoo = 1\n",
                     "registries.conf:7: unsupported value 1 (strings, booleans and arrays of strings only)");
        expect_error("[[registry]]\nlocation = \"a\"\nfoo = true\n", "registries.conf:3: unknown key foo");
        expect_error("foo = true\n", "registries.conf:1: unknown key foo");
        expect_error("[[registry]]\ninsecure = true\n", "registries.conf:1: [[registry]] needs a location or a prefix");
        expect_error("[[registry]]\nlocation = true\n", "registries.conf:2: location: expected a string");
        expect_error("[[registry]]\nlocation = \"a\"\ninsecure = \"yes\"\n",
                     "registries.conf:3: insecure: expected a boolean");
        expect_error("[[registry]]\nlocation = \"a\"\nmirrors = \"b\"\n",
                     "registries.conf:3: mirrors: expected an array of strings");
        expect_error("[[registry]]\nlocation = \"https://a\"\n",
                     "registries.conf:2: location: invalid location \"https://a\" (host[:port][/path], no scheme)");
        expect_error("[[registry]]\nlocation = \"a\nb\"\n", "registries.conf:2: unterminated string");
        expect_error("[[registry]]\nlocation = \"a\"\nmirrors = [\"b\",\n\"c\"\n",
                     "registries.conf:3: unterminated array (no ']')");
        expect_error("[registries.search]\n", "registries.conf:1: unknown table [registries.search]");
        expect_error("[[registry.mirror]]\n", "registries.conf:1: [[registry.mirror]] before any [[registry]]");
        expect_error("[[registry]]\nlocation = \"a\" junk\n",
                     "registries.conf:2: unexpected text after the value: junk");
        expect_error("[[registry]]\nlocation = \"a\"\nca = \"relative.pem\"\n",
                     "registries.conf:3: ca: \"relative.pem\" is not an absolute path");
        expect_error("[[registry]]\nlocation = \"a\"\n[[registry.mirror]]\ninsecure = true\n",
                     "registries.conf:3: [[registry.mirror]] needs a location");
        expect_error("[[registry]]\nlocation = \"a\"\nmirrors = [\n\"b\",\n]\nbogus = [\n\"x\"]\n",
                     "registries.conf:6: unknown key bogus");
        expect_error("[[registry]]\nlocation\n", "registries.conf:2: location: expected '=' after the key");
        expect_error("= 1\n", "registries.conf:1: expected a key or a [[table]], found = 1");
}

static void test_load(void **state)
{
        (void) state;
        char dir[] = "/tmp/vessel-regconf-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[128];
        snprintf(path, sizeof(path), "%s/registries.conf", dir);
        struct vs_registries_conf conf = {0};
        struct vs_error err = VS_ERROR_INIT;

        /* Missing: the defaults, no error. */
        assert_int_equal(vs_registries_conf_load(path, &conf, &err), 0);
        assert_int_equal(conf.n_entries, 0);

        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("[[registry]]\nlocation = \"x.example\"\n\nnope = true\n", f);
        fclose(f);
        assert_int_equal(vs_registries_conf_load(path, &conf, &err), -EINVAL);
        char want[256];
        snprintf(want, sizeof(want), "%s:4: unknown key nope", path);
        assert_string_equal(err.msg, want);

        /* The environment names the file when the caller does not. */
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("[[registry]]\nlocation = \"x.example\"\n", f);
        fclose(f);
        setenv("VESSEL_REGISTRIES_CONF", path, 1);
        assert_string_equal(vs_registries_conf_path(NULL), path);
        assert_string_equal(vs_registries_conf_path("/other"), "/other");
        assert_int_equal(vs_registries_conf_load(NULL, &conf, &err), 0);
        assert_non_null(vs_registries_conf_find(&conf, "x.example"));
        vs_registries_conf_free(&conf);
        unsetenv("VESSEL_REGISTRIES_CONF");
        assert_string_equal(vs_registries_conf_path(NULL), VS_REGISTRIES_CONF_PATH);

        unlink(path);
        rmdir(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_entry), cmocka_unit_test(test_empty_and_last_wins),
                cmocka_unit_test(test_strings),    cmocka_unit_test(test_errors),
                cmocka_unit_test(test_load),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
