/* Unit tests for src/image/reference.c: the reference grammar and docker's
 * normalisation (the examples of distribution/reference's tests among them). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/reference.h"
#include "util/cleanup.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST "sha256:" HEX64

static const struct {
        const char *text;
        const char *domain, *path, *tag, *digest;
        const char *familiar;
} good[] = {
        /* docker's normalisation */
        {"busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest"},
        {"debian", "docker.io", "library/debian", "latest", NULL, "debian:latest"},
        {"library/debian", "docker.io", "library/debian", "latest", NULL, "debian:latest"},
        {"docker/docker", "docker.io", "docker/docker", "latest", NULL, "docker/docker:latest"},
        {"docker.io/docker/docker", "docker.io", "docker/docker", "latest", NULL, "docker/docker:latest"},
        {"docker.io/library/debian", "docker.io", "library/debian", "latest", NULL, "debian:latest"},
        {"docker.io/debian", "docker.io", "library/debian", "latest", NULL, "debian:latest"},
        {"index.docker.io/docker/docker", "docker.io", "docker/docker", "latest", NULL, "docker/docker:latest"},
        {"index.docker.io/library/debian", "docker.io", "library/debian", "latest", NULL, "debian:latest"},
        {"index.docker.io/debian", "docker.io", "library/debian", "latest", NULL, "debian:latest"},
        {"127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", "latest", NULL,
         "127.0.0.1:5000/docker/docker:latest"},
        {"127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", "latest", NULL,
         "127.0.0.1:5000/library/debian:latest"},
        /* No library/ on other registries. */
        {"127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", "latest", NULL, "127.0.0.1:5000/debian:latest"},
        {"192.168.0.1/debian", "192.168.0.1", "debian", "latest", NULL, "192.168.0.1/debian:latest"},
        {"localhost/debian", "localhost", "debian", "latest", NULL, "localhost/debian:latest"},
        {"localhost:5000/debian:1", "localhost:5000", "debian", "1", NULL, "localhost:5000/debian:1"},
        {"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io",
         "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "latest", NULL,
         "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest"},
        /* "localhost:5000" without a path is the image localhost, tag 5000. */
        {"localhost:5000", "docker.io", "library/localhost", "5000", NULL, "localhost:5000"},
        {"foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", NULL, "foo_bar.com:8080"},
        {"foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", NULL, "foo/foo_bar.com:8080"},
        /* An upper-case first component is a registry host (as docker reads it). */
        {"Foo.Example/bar", "Foo.Example", "bar", "latest", NULL, "Foo.Example/bar:latest"},
        {"FOO/bar", "FOO", "bar", "latest", NULL, "FOO/bar:latest"},
        {"[::1]:5000/foo", "[::1]:5000", "foo", "latest", NULL, "[::1]:5000/foo:latest"},
        {"[2001:db8::1]/foo/bar:v2", "[2001:db8::1]", "foo/bar", "v2", NULL, "[2001:db8::1]/foo/bar:v2"},
        /* tags and digests */
        {"busybox:1.36", "docker.io", "library/busybox", "1.36", NULL, "busybox:1.36"},
        {"busybox:_x.Y-z", "docker.io", "library/busybox", "_x.Y-z", NULL, "busybox:_x.Y-z"},
        {"busybox@" DIGEST, "docker.io", "library/busybox", NULL, DIGEST, "busybox@" DIGEST},
        {"busybox:1.36@" DIGEST, "docker.io", "library/busybox", "1.36", DIGEST, "busybox:1.36@" DIGEST},
        {"127.0.0.1:5000/team/app@" DIGEST, "127.0.0.1:5000", "team/app", NULL, DIGEST,
         "127.0.0.1:5000/team/app@" DIGEST},
        {"ghcr.io/a/b/c/d:t", "ghcr.io", "a/b/c/d", "t", NULL, "ghcr.io/a/b/c/d:t"},
        {"docker.io/library/a/b", "docker.io", "library/a/b", "latest", NULL, "library/a/b:latest"},
        /* A docker.io path that would read as a registry keeps the full form. */
        {"docker.io/foo.com/bar", "docker.io", "foo.com/bar", "latest", NULL, "docker.io/foo.com/bar:latest"},
        {"docker.io/localhost/x", "docker.io", "localhost/x", "latest", NULL, "docker.io/localhost/x:latest"},
        /* separators in path components */
        {"foo__bar", "docker.io", "library/foo__bar", "latest", NULL, "foo__bar:latest"},
        {"foo-----bar/a.b_c", "docker.io", "foo-----bar/a.b_c", "latest", NULL, "foo-----bar/a.b_c:latest"},
        {"a-b.example.com:443/x", "a-b.example.com:443", "x", "latest", NULL, "a-b.example.com:443/x:latest"},
};

static void check_good(size_t i)
{
        struct vs_image_ref ref = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        if (vs_image_ref_parse(good[i].text, &ref, &err) < 0)
                fail_msg("%s: unexpected error: %s", good[i].text, err.msg);
        assert_string_equal(ref.domain, good[i].domain);
        assert_string_equal(ref.path, good[i].path);
        if (good[i].tag)
                assert_string_equal(ref.tag, good[i].tag);
        else
                assert_null(ref.tag);
        if (good[i].digest)
                assert_string_equal(ref.digest, good[i].digest);
        else
                assert_null(ref.digest);

        _cleanup_free_ char *familiar = vs_image_ref_familiar(&ref);
        assert_string_equal(familiar, good[i].familiar);
        struct vs_image_ref from_familiar = {NULL};
        assert_int_equal(vs_image_ref_parse(familiar, &from_familiar, &err), 0);
        assert_string_equal(from_familiar.domain, ref.domain);
        assert_string_equal(from_familiar.path, ref.path);
        vs_image_ref_free(&from_familiar);
        /* The full form names the same image and is a fixed point. */
        _cleanup_free_ char *full = vs_image_ref_full(&ref);
        struct vs_image_ref again = {NULL};
        assert_int_equal(vs_image_ref_parse(full, &again, &err), 0);
        _cleanup_free_ char *full_again = vs_image_ref_full(&again);
        assert_string_equal(full, full_again);
        assert_string_equal(again.domain, ref.domain);
        assert_string_equal(again.path, ref.path);
        vs_image_ref_free(&again);
        vs_image_ref_free(&ref);
}

static void test_good_references(void **state)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(good); i++)
                check_good(i);
}

static void test_full_and_repository(void **state)
{
        struct vs_image_ref ref = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_image_ref_parse("busybox", &ref, &err), 0);
        _cleanup_free_ char *full = vs_image_ref_full(&ref);
        _cleanup_free_ char *repo = vs_image_ref_repository(&ref);
        assert_string_equal(full, "docker.io/library/busybox:latest");
        assert_string_equal(repo, "docker.io/library/busybox");
        vs_image_ref_free(&ref);

        assert_int_equal(vs_image_ref_parse("127.0.0.1:5000/a/b:t@" DIGEST, &ref, &err), 0);
        _cleanup_free_ char *full2 = vs_image_ref_full(&ref);
        _cleanup_free_ char *repo2 = vs_image_ref_repository(&ref);
        assert_string_equal(full2, "127.0.0.1:5000/a/b:t@" DIGEST);
        assert_string_equal(repo2, "127.0.0.1:5000/a/b");
        vs_image_ref_free(&ref);
        vs_image_ref_free(&ref); /* freeing twice is harmless */
}

static void test_copy(void **state)
{
        struct vs_image_ref ref = {NULL}, copy = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_image_ref_parse("quay.io/a/b@" DIGEST, &ref, &err), 0);
        assert_int_equal(vs_image_ref_copy(&ref, &copy), 0);
        assert_ptr_not_equal(copy.domain, ref.domain);
        assert_string_equal(copy.domain, "quay.io");
        assert_string_equal(copy.path, "a/b");
        assert_null(copy.tag);
        assert_string_equal(copy.digest, DIGEST);
        vs_image_ref_free(&ref);
        vs_image_ref_free(&copy);
}

static const struct {
        const char *text;
        const char *problem;
} bad[] = {
        {"", "empty reference"},
        {":justtag", "at least one component"},
        {"@" DIGEST, "at least one component"},
        {"Uppercase:tag", "repository name must be lowercase"},
        {"Busybox", "repository name must be lowercase"},
        {"test:5000/Uppercase/lowercase:tag", "repository name must be lowercase"},
        {"docker.io/Library/busybox", "repository name must be lowercase"},
        {HEX64, "cannot specify 64-byte hexadecimal strings"},
        {"aa/asdf$$^/aa", "invalid repository name"},
        {"busy box", "invalid repository name"},
        {"a:b:c", "invalid repository name"},
        {"foo..bar", "invalid repository name"},
        {"foo___bar", "invalid repository name"},
        {"-foo", "invalid repository name"},
        {"foo-", "invalid repository name"},
        {"foo/", "invalid repository name"},
        {"foo//bar", "invalid repository name"},
        {"localhost/", "invalid repository name"},
        {"-foo.com/bar", "invalid registry host"},
        {"foo-.com/bar", "invalid registry host"},
        {"foo.com:abc/bar", "invalid registry host"},
        {"foo.com:/bar", "invalid registry host"},
        {"foo..com/bar", "invalid registry host"},
        {"[fe80::1%eth0]:5000/foo", "invalid registry host"},
        {"[]/foo", "invalid repository name"},
        {"[]:5000/foo", "invalid registry host"},
        {"repo:", "invalid tag"},
        {"repo:-tag", "invalid tag"},
        {"repo:.tag", "invalid tag"},
        {"repo:a/b", "invalid registry host"},
        {"repo:t@g", "invalid digest"},
        {"validname@invaliddigest:" HEX64, "invalid digest"},
        {"busybox@sha256:abc", "invalid digest"},
        {"busybox@", "invalid digest"},
        {"busybox@" DIGEST "@" DIGEST, "invalid digest"},
};

static void test_bad_references(void **state)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(bad); i++) {
                struct vs_image_ref ref = {NULL};
                struct vs_error err = VS_ERROR_INIT;
                int r = vs_image_ref_parse(bad[i].text, &ref, &err);
                if (r != -EINVAL)
                        fail_msg("%s: expected EINVAL, got %d (%s)", bad[i].text, r, err.msg);
                assert_null(ref.domain);
                if (strncmp(err.msg, "invalid reference format: ", 26) != 0 || !strstr(err.msg, bad[i].problem))
                        fail_msg("%s: unexpected message: %s", bad[i].text, err.msg);
                /* The message quotes the reference. */
                if (bad[i].text[0] && !strstr(err.msg, bad[i].text))
                        fail_msg("%s: message does not quote it: %s", bad[i].text, err.msg);
        }
}

static void test_header_example_message(void **state)
{
        struct vs_image_ref ref = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_image_ref_parse("Busybox", &ref, &err), -EINVAL);
        assert_string_equal(err.msg, "invalid reference format: repository name must be lowercase: Busybox");
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
        size_t n = strlen(unit);
        char *s = malloc(n * times + strlen(tail) + 1);
        assert_non_null(s);
        for (size_t i = 0; i < times; i++)
                memcpy(s + i * n, unit, n);
        strcpy(s + n * times, tail);
        return s;
}

static void test_lengths(void **state)
{
        struct vs_image_ref ref = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        /* docker.io/ (10) + 245 = 255: the longest name there is. */
        _cleanup_free_ char *longest = repeat("a", 245, "");
        memcpy(longest, "library/", 8);
        assert_int_equal(vs_image_ref_parse(longest, &ref, &err), 0);
        vs_image_ref_free(&ref);
        _cleanup_free_ char *too_long = repeat("a", 246, "");
        memcpy(too_long, "library/", 8);
        assert_int_equal(vs_image_ref_parse(too_long, &ref, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "must not be more than 255 characters"));
        /* Normalisation counts: "a" * 240 becomes docker.io/library/ + 240. */
        _cleanup_free_ char *short_but_official = repeat("a", 240, "");
        assert_int_equal(vs_image_ref_parse(short_but_official, &ref, &err), -EINVAL);

        _cleanup_free_ char *tag128 = repeat("t", 128, "");
        _cleanup_free_ char *ok = NULL, *ko = NULL;
        assert_true(asprintf(&ok, "busybox:%s", tag128) > 0);
        assert_true(asprintf(&ko, "busybox:%st", tag128) > 0);
        assert_int_equal(vs_image_ref_parse(ok, &ref, &err), 0);
        assert_string_equal(ref.tag, tag128);
        vs_image_ref_free(&ref);
        assert_int_equal(vs_image_ref_parse(ko, &ref, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "invalid tag"));
}

/* Whatever the input, the message is one line of bounded length. */
static void test_message_one_line(void **state)
{
        struct vs_image_ref ref = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_image_ref_parse("bad\nname\x1b[31m", &ref, &err), -EINVAL);
        assert_null(strchr(err.msg, '\n'));
        assert_null(strchr(err.msg, '\x1b'));
        _cleanup_free_ char *huge = repeat("A", 5000, "");
        assert_int_equal(vs_image_ref_parse(huge, &ref, &err), -EINVAL);
        assert_true(strlen(err.msg) < 400);
        assert_non_null(strstr(err.msg, "..."));
}

static void test_looks_like_id(void **state)
{
        static const struct {
                const char *text;
                bool id;
        } cases[] = {
                {HEX64, true},      {"sha256:" HEX64, true}, {"abc123", true},   {"a", true},
                {"cafe", true},     {HEX64 "0", false},      {"sha256:", false}, {"", false},
                {"busybox", false}, {"ABC123", false},       {"abc:1", false},   {"sha512:abc", false},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++)
                if (vs_image_ref_looks_like_id(cases[i].text) != cases[i].id)
                        fail_msg("%s: expected %s", cases[i].text, cases[i].id ? "an ID" : "not an ID");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good_references),
                cmocka_unit_test(test_full_and_repository),
                cmocka_unit_test(test_copy),
                cmocka_unit_test(test_bad_references),
                cmocka_unit_test(test_header_example_message),
                cmocka_unit_test(test_lengths),
                cmocka_unit_test(test_message_one_line),
                cmocka_unit_test(test_looks_like_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
