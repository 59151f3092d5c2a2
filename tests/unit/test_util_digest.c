/* Unit tests for src/util/digest.c: sha256 digests and their validation. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/digest.h"

/* FIPS 180-2 test vectors. */
static const struct {
        const char *input;
        const char *digest;
} vectors[] = {
        {"", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

static void test_buffer_vectors(void **state)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(vectors); i++) {
                char out[VS_DIGEST_MAX];
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_digest_buffer(vectors[i].input, strlen(vectors[i].input), out, &err), 0);
                assert_string_equal(out, vectors[i].digest);
                assert_int_equal(vs_digest_validate(out, &err), 0);
        }
}

/* A million 'a's, fed in uneven pieces, is the third FIPS vector. */
static void test_streaming_million_a(void **state)
{
        struct vs_sha256 h = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        char chunk[7919];
        memset(chunk, 'a', sizeof(chunk));
        assert_int_equal(vs_sha256_init(&h, &err), 0);
        size_t left = 1000000;
        while (left > 0) {
                size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
                vs_sha256_update(&h, chunk, n);
                left -= n;
        }
        char out[VS_DIGEST_MAX];
        vs_sha256_final(&h, out);
        assert_string_equal(out, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        assert_null(h.ctx);
        vs_sha256_free(&h); /* a no-op after final */
}

static void test_free_without_final(void **state)
{
        struct vs_sha256 h = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_sha256_init(&h, &err), 0);
        vs_sha256_update(&h, "abc", 3);
        vs_sha256_free(&h);
        assert_null(h.ctx);
        vs_sha256_free(&h);
}

static void test_fd_from_current_offset(void **state)
{
        _cleanup_close_ int fd = memfd_create("digest-test", MFD_CLOEXEC);
        assert_true(fd >= 0);
        /* Larger than the read buffer, so several reads are needed. */
        size_t len = 200 * 1024 + 17;
        _cleanup_free_ char *data = malloc(len);
        assert_non_null(data);
        for (size_t i = 0; i < len; i++)
                data[i] = (char) (i * 7 + i / 251);
        assert_int_equal(write(fd, data, len), (ssize_t) len);

        char want[VS_DIGEST_MAX], got[VS_DIGEST_MAX];
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(vs_digest_fd(fd, got, &err), 0);
        assert_int_equal(vs_digest_buffer(data, len, want, &err), 0);
        assert_string_equal(got, want);

        assert_int_equal(lseek(fd, 100, SEEK_SET), 100);
        assert_int_equal(vs_digest_fd(fd, got, &err), 0);
        assert_int_equal(vs_digest_buffer(data + 100, len - 100, want, &err), 0);
        assert_string_equal(got, want);
}

static void test_fd_error(void **state)
{
        char out[VS_DIGEST_MAX];
        struct vs_error err = VS_ERROR_INIT;
        int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(vs_digest_fd(fd, out, &err), -EISDIR);
        close(fd);
        assert_non_null(strstr(err.msg, "cannot read"));
        assert_non_null(strstr(err.msg, "is a directory"));
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_validate_good(void **state)
{
        static const char *const good[] = {
                "sha256:" HEX64,
                "sha512:" HEX64 HEX64,
                "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(good); i++) {
                struct vs_error err = VS_ERROR_INIT;
                if (vs_digest_validate(good[i], &err) < 0)
                        fail_msg("%s: %s", good[i], err.msg);
                assert_int_equal(err.code, 0);
        }
        assert_string_equal(vs_digest_hex("sha256:" HEX64), HEX64);
}

static void test_validate_bad(void **state)
{
        static const struct {
                const char *digest;
                const char *problem;
        } bad[] = {
                {"", "expected \"algorithm:hex\""},
                {HEX64, "expected \"algorithm:hex\""},
                {"sha256:", "64 lowercase hex"},
                {"sha256:" HEX64 "0", "64 lowercase hex"},
                {"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", "64 lowercase hex"},
                {"sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "64 lowercase hex"},
                {"sha256:0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef", "64 lowercase hex"},
                {"sha256: " HEX64, "64 lowercase hex"},
                {"sha512:" HEX64, "128 lowercase hex"},
                {"SHA256:" HEX64, "unsupported algorithm"},
                {"md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported algorithm"},
                {"sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "unsupported algorithm"},
                {":" HEX64, "unsupported algorithm"},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(bad); i++) {
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_digest_validate(bad[i].digest, &err), -EINVAL);
                if (!strstr(err.msg, bad[i].problem) || strncmp(err.msg, "invalid digest \"", 16) != 0)
                        fail_msg("%s: unexpected message: %s", bad[i].digest, err.msg);
        }
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_digest_validate(NULL, &err), -EINVAL);
        /* NULL err is allowed: only the answer is wanted. */
        assert_int_equal(vs_digest_validate("sha256:x", NULL), -EINVAL);
}

/* The digest comes from untrusted input: the message stays one short line. */
static void test_validate_message_is_one_line(void **state)
{
        char long_digest[4096];
        memset(long_digest, 'a', sizeof(long_digest) - 1);
        long_digest[sizeof(long_digest) - 1] = '\0';
        long_digest[3] = '\n';
        long_digest[10] = ':';
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_digest_validate(long_digest, &err), -EINVAL);
        assert_null(strchr(err.msg, '\n'));
        assert_non_null(strstr(err.msg, "aaa?aaa"));
        assert_non_null(strstr(err.msg, "...\""));
        assert_true(strlen(err.msg) < 300);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_buffer_vectors),     cmocka_unit_test(test_streaming_million_a),
                cmocka_unit_test(test_free_without_final), cmocka_unit_test(test_fd_from_current_offset),
                cmocka_unit_test(test_fd_error),           cmocka_unit_test(test_validate_good),
                cmocka_unit_test(test_validate_bad),       cmocka_unit_test(test_validate_message_is_one_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
