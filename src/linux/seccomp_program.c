/* vessel: linux.seccomp compiled to BPF once, before the runtime clones,
 * and kept in a cache under the runtime's state root.
 *
 * Building a filter with libseccomp is the slowest step of starting a
 * container with Docker's profile (hundreds of rules to sort and lay out).
 * The result depends only on the seccomp section, libseccomp's version and
 * the machine, so it is compiled once and stored as a file named by a hash
 * of all of that; the file also holds the whole key, compared in full on
 * every read, so that a collision of the (non-cryptographic) name is a
 * miss, never someone else's filter. */
#include "linux/seccomp_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

#define MAX_INSNS 65535u /* BPF_MAXINSNS is 4096; the kernel checks, not us */

static void key_strv(FILE *f, const char *what, char **v)
{
        fprintf(f, "%s", what);
        for (char **p = v; p && *p; p++)
                fprintf(f, " %s", *p);
        fputc('\n', f);
}

/* Everything the compiled program depends on, as text. */
static char *program_key(const struct vs_oci_seccomp *s, size_t *len)
{
        char *buf = NULL;
        FILE *f = open_memstream(&buf, len);
        if (!f)
                return NULL;
        const struct scmp_version *v = seccomp_version();
        fprintf(f, "libseccomp %u.%u.%u api %u arch %u\n", v->major, v->minor, v->micro, seccomp_api_get(),
                seccomp_arch_native());
        fprintf(f, "default %s %d %" PRIu64 "\n", s->default_action, s->default_errno_ret.set,
                s->default_errno_ret.value);
        key_strv(f, "architectures", s->architectures);
        key_strv(f, "flags", s->flags);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const struct vs_oci_seccomp_syscall *sc = &s->syscalls[i];
                key_strv(f, "names", sc->names);
                fprintf(f, " %s %d %" PRIu64 "\n", sc->action, sc->errno_ret.set, sc->errno_ret.value);
                for (size_t k = 0; k < sc->n_args; k++)
                        fprintf(f, " arg %u %" PRIu64 " %" PRIu64 " %s\n", sc->args[k].index, sc->args[k].value,
                                sc->args[k].value_two, sc->args[k].op);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static uint64_t fnv1a(const char *p, size_t len)
{
        uint64_t h = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char) p[i]) * 0x100000001b3ull;
        return h;
}

static unsigned int kernel_flags(char **flags)
{
        unsigned int r = 0;
        for (char **f = flags; f && *f; f++) {
                if (strcmp(*f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
                        r |= SECCOMP_FILTER_FLAG_TSYNC;
                else if (strcmp(*f, "SECCOMP_FILTER_FLAG_LOG") == 0)
                        r |= SECCOMP_FILTER_FLAG_LOG;
                else if (strcmp(*f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
                        r |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        }
        return r;
}

static struct vs_seccomp_program *program_new(const void *insns, size_t bytes, unsigned int flags)
{
        if (bytes == 0 || bytes % sizeof(struct sock_filter) != 0 || bytes / sizeof(struct sock_filter) > MAX_INSNS)
                return NULL;
        struct vs_seccomp_program *p = malloc(sizeof(*p) + bytes);
        if (!p)
                return NULL;
        p->flags = flags;
        p->len = (unsigned short) (bytes / sizeof(struct sock_filter));
        memcpy(p->insns, insns, bytes);
        return p;
}

/* The cached program for key, or NULL (missing, stale, or another key). */
static struct vs_seccomp_program *cache_read(int dirfd, const char *name, const char *key, size_t key_len,
                                             unsigned int flags)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file_at(dirfd, name, key_len + 1 + MAX_INSNS * sizeof(struct sock_filter), &data, &len, &ignored) <
            0) {
                vs_error_ignore(&ignored);
                return NULL;
        }
        if (len <= key_len + 1 || memcmp(data, key, key_len) != 0 || data[key_len] != '\0')
                return NULL;
        return program_new(data + key_len + 1, len - key_len - 1, flags);
}

static void cache_write(int dirfd, const char *name, const char *key, size_t key_len,
                        const struct vs_seccomp_program *p)
{
        size_t bytes = p->len * sizeof(struct sock_filter);
        _cleanup_free_ char *data = malloc(key_len + 1 + bytes);
        if (!data)
                return;
        memcpy(data, key, key_len);
        data[key_len] = '\0';
        memcpy(data + key_len + 1, p->insns, bytes);
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_write_file_atomic(dirfd, name, data, key_len + 1 + bytes, 0600, &ignored) < 0)
                vs_error_ignore(&ignored); /* a cache: the next start compiles again */
}

/* libseccomp's program for s, through a memfd (seccomp_export_bpf writes to an fd). */
static int compile(const struct vs_oci_seccomp *s, unsigned int flags, struct vs_seccomp_program **ret,
                   struct vs_error *err)
{
        void *ctx = NULL;
        int r = vs_seccomp_build_ctx(s, &ctx, err);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = memfd_create("vessel-seccomp", MFD_CLOEXEC);
        if (fd < 0) {
                seccomp_release(ctx);
                return vs_error_syscall(err, "linux.seccomp: cannot make a memfd for the filter");
        }
        r = seccomp_export_bpf(ctx, fd);
        seccomp_release(ctx);
        if (r < 0)
                return vs_error_errno(err, -r, "linux.seccomp: cannot compile the filter");
        off_t size = lseek(fd, 0, SEEK_END);
        _cleanup_free_ char *data = size > 0 ? malloc((size_t) size) : NULL;
        if (!data || pread(fd, data, (size_t) size, 0) != size)
                return vs_error_set(err, EIO, "linux.seccomp: cannot read the compiled filter");
        *ret = program_new(data, (size_t) size, flags);
        if (!*ret)
                return vs_error_set(err, E2BIG, "linux.seccomp: the compiled filter is empty or too long");
        return 0;
}

int vs_seccomp_compile(const struct vs_oci_seccomp *s, const char *cache_dir, struct vs_seccomp_program **ret,
                       struct vs_error *err)
{
        unsigned int flags = kernel_flags(s->flags);
        size_t key_len = 0;
        _cleanup_free_ char *key = cache_dir ? program_key(s, &key_len) : NULL;
        _cleanup_close_ int dirfd = -1;
        char name[32];
        if (key) {
                snprintf(name, sizeof(name), VS_SECCOMP_CACHE_PREFIX "%016" PRIx64 ".bpf", fnv1a(key, key_len));
                dirfd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (dirfd >= 0 && (*ret = cache_read(dirfd, name, key, key_len, flags)))
                        return 0;
        }
        int r = compile(s, flags, ret, err);
        if (r == 0 && dirfd >= 0)
                cache_write(dirfd, name, key, key_len, *ret);
        return r;
}
