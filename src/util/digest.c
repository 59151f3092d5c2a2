#include "util/digest.h"

#include <errno.h>
#include "util/lazy_crypto.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

#define SHA256_HEX_LEN 64
#define SHA512_HEX_LEN 128

/* "sha256:" and the hex of `md`. */
static void format_digest(const unsigned char *md, unsigned int md_len, char out[VS_DIGEST_MAX])
{
        static const char hex[] = "0123456789abcdef";
        size_t o = (size_t) snprintf(out, VS_DIGEST_MAX, "sha256:");
        for (unsigned int i = 0; i < md_len && o + 2 < VS_DIGEST_MAX; i++) {
                out[o++] = hex[md[i] >> 4];
                out[o++] = hex[md[i] & 0xf];
        }
        out[o] = '\0';
}

int vs_sha256_init(struct vs_sha256 *h, struct vs_error *err)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx)
                return vs_error_set(err, ENOMEM, "cannot start a sha256 digest: out of memory");
        if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(ctx);
                return vs_error_set(err, EIO, "cannot start a sha256 digest: libcrypto refused");
        }
        h->ctx = ctx;
        return 0;
}

void vs_sha256_update(struct vs_sha256 *h, const void *data, size_t len)
{
        /* Updating a sha256 context in memory cannot fail for valid arguments. */
        if (h->ctx && len > 0)
                (void) EVP_DigestUpdate(h->ctx, data, len);
}

void vs_sha256_final(struct vs_sha256 *h, char out[VS_DIGEST_MAX])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        out[0] = '\0';
        if (h->ctx && EVP_DigestFinal_ex(h->ctx, md, &md_len) == 1)
                format_digest(md, md_len, out);
        vs_sha256_free(h);
}

void vs_sha256_free(struct vs_sha256 *h)
{
        if (h && h->ctx) {
                EVP_MD_CTX_free(h->ctx);
                h->ctx = NULL;
        }
}

int vs_digest_buffer(const void *data, size_t len, char out[VS_DIGEST_MAX], struct vs_error *err)
{
        struct vs_sha256 h = {NULL};
        int r = vs_sha256_init(&h, err);
        if (r < 0)
                return r;
        vs_sha256_update(&h, data, len);
        vs_sha256_final(&h, out);
        return 0;
}

int vs_digest_fd(int fd, char out[VS_DIGEST_MAX], struct vs_error *err)
{
        struct vs_sha256 h = {NULL};
        _cleanup_free_ char *buf = malloc(64 * 1024);
        if (!buf)
                return vs_error_set(err, ENOMEM, "cannot digest a file: out of memory");
        int r = vs_sha256_init(&h, err);
        if (r < 0)
                return r;
        for (;;) {
                ssize_t n = read(fd, buf, 64 * 1024);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = vs_error_syscall(err, "cannot read the file to digest");
                        vs_sha256_free(&h);
                        return r;
                }
                if (n == 0)
                        break;
                vs_sha256_update(&h, buf, (size_t) n);
        }
        vs_sha256_final(&h, out);
        return 0;
}

/* The digest as it may appear in a one-line message: control characters
 * become '?', and a long one is cut with "...". The text is untrusted. */
static void quote_for_message(const char *s, char *buf, size_t size)
{
        size_t o = 0, limit = size - 4;
        for (; *s && o < limit; s++)
                buf[o++] = ((unsigned char) *s < 0x20 || *s == 0x7f) ? '?' : *s;
        if (*s) {
                memcpy(buf + o, "...", 3);
                o += 3;
        }
        buf[o] = '\0';
}

static bool is_lower_hex(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static int invalid(struct vs_error *err, const char *digest, const char *problem)
{
        char shown[160];
        quote_for_message(digest, shown, sizeof(shown));
        return vs_error_set(err, EINVAL, "invalid digest \"%s\": %s", shown, problem);
}

int vs_digest_validate(const char *digest, struct vs_error *err)
{
        if (!digest)
                return vs_error_set(err, EINVAL, "invalid digest: missing");
        const char *colon = strchr(digest, ':');
        if (!colon)
                return invalid(err, digest, "expected \"algorithm:hex\"");
        size_t alg_len = (size_t) (colon - digest), hex_len = strlen(colon + 1);
        size_t want;
        if (alg_len == 6 && memcmp(digest, "sha256", 6) == 0)
                want = SHA256_HEX_LEN;
        else if (alg_len == 6 && memcmp(digest, "sha512", 6) == 0)
                want = SHA512_HEX_LEN;
        else
                return invalid(err, digest, "unsupported algorithm (sha256 or sha512 expected)");
        if (hex_len != want || !is_lower_hex(colon + 1, hex_len))
                return invalid(err, digest,
                               want == SHA256_HEX_LEN ? "sha256 needs 64 lowercase hex digits"
                                                      : "sha512 needs 128 lowercase hex digits");
        return 0;
}

const char *vs_digest_hex(const char *digest)
{
        const char *colon = strchr(digest, ':');
        return colon ? colon + 1 : digest;
}
