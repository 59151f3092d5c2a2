/* Platforms in GOOS/GOARCH terms, as image indexes name them: parsing the
 * "os/arch/variant" form users write, and the host's own platform. */
#include "image/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "util/cleanup.h"

#define PLATFORM_COMPONENT_MAX 64

/* Names the kernel (uname -m) or Debian use for an architecture, and what
 * Go, hence image indexes, call it. armv8l is a 32-bit userland on a 64-bit
 * kernel: its images are the arm/v7 ones. */
static const struct {
        const char *alias;
        const char *arch;
        const char *variant;
} arch_aliases[] = {
        {"x86_64", "amd64", NULL},      {"x86-64", "amd64", NULL},
        {"aarch64", "arm64", "v8"},     {"armv8l", "arm", "v7"},
        {"armv7l", "arm", "v7"},        {"armv7", "arm", "v7"},
        {"armhf", "arm", "v7"},         {"armv6l", "arm", "v6"},
        {"armv6", "arm", "v6"},         {"armel", "arm", "v6"},
        {"armv5tel", "arm", "v5"},      {"armv5l", "arm", "v5"},
        {"i386", "386", NULL},          {"i486", "386", NULL},
        {"i586", "386", NULL},          {"i686", "386", NULL},
        {"x86", "386", NULL},           {"ppc64le", "ppc64le", NULL},
        {"ppc64el", "ppc64le", NULL},   {"s390x", "s390x", NULL},
        {"riscv64", "riscv64", NULL},   {"loongarch64", "loong64", NULL},
        {"mips64el", "mips64le", NULL},
};

void vs_platform_free(struct vs_platform *p)
{
        if (!p)
                return;
        free(p->os);
        free(p->architecture);
        free(p->variant);
        free(p->os_version);
        p->os = p->architecture = p->variant = p->os_version = NULL;
}

static int fill(struct vs_platform *ret, const char *os, const char *arch, const char *variant)
{
        struct vs_platform p = {NULL};
        p.os = strdup(os);
        p.architecture = strdup(arch);
        p.variant = variant ? strdup(variant) : NULL;
        if (!p.os || !p.architecture || (variant && !p.variant)) {
                vs_platform_free(&p);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

int vs_platform_from_machine(const char *machine, struct vs_platform *ret, struct vs_error *err)
{
        const char *arch = machine, *variant = NULL;
        if (!machine || !*machine)
                return vs_error_set(err, EINVAL, "cannot tell the host's platform: empty machine name");
        for (size_t i = 0; i < VS_ARRAY_SIZE(arch_aliases); i++)
                if (strcmp(machine, arch_aliases[i].alias) == 0) {
                        arch = arch_aliases[i].arch;
                        variant = arch_aliases[i].variant;
                        break;
                }
        if (fill(ret, "linux", arch, variant) < 0)
                return vs_error_set(err, ENOMEM, "cannot tell the host's platform: out of memory");
        return 0;
}

int vs_platform_host(struct vs_platform *ret, struct vs_error *err)
{
        struct utsname u;
        if (uname(&u) < 0)
                return vs_error_syscall(err, "cannot tell the host's platform: uname");
        return vs_platform_from_machine(u.machine, ret, err);
}

/* A component is [a-z0-9._-]+ after lowering: what GOOS, GOARCH and the
 * variants use. */
static bool valid_component(const char *s, size_t n)
{
        if (n == 0 || n > PLATFORM_COMPONENT_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(islower((unsigned char) s[i]) || isdigit((unsigned char) s[i]) || s[i] == '.' || s[i] == '_' ||
                      s[i] == '-'))
                        return false;
        return true;
}

static void shown(const char *text, char *buf, size_t size)
{
        size_t o = 0;
        for (; *text && o + 4 < size; text++)
                buf[o++] = ((unsigned char) *text < 0x20 || *text == 0x7f) ? '?' : *text;
        if (*text) {
                memcpy(buf + o, "...", 3);
                o += 3;
        }
        buf[o] = '\0';
}

static int invalid(struct vs_error *err, const char *text, const char *problem)
{
        char s[160];
        shown(text, s, sizeof(s));
        return vs_error_set(err, EINVAL, "invalid platform \"%s\": %s", s, problem);
}

/* Split the lowered text at '/' into at most three checked components. */
static int split_components(const char *text, char *lowered, char *parts[3], size_t *ret_n, struct vs_error *err)
{
        size_t n = 0;
        for (char *c = lowered;; n++) {
                char *slash = strchr(c, '/');
                if (n == 3)
                        return invalid(err, text, "expected os/architecture[/variant]");
                if (slash)
                        *slash = '\0';
                if (!valid_component(c, strlen(c)))
                        return invalid(err, text, *c ? "a component may only have [a-z0-9._-]" : "empty component");
                parts[n] = c;
                if (!slash)
                        break;
                c = slash + 1;
        }
        *ret_n = n + 1;
        return 0;
}

int vs_platform_parse(const char *text, struct vs_platform *ret, struct vs_error *err)
{
        if (!text || !*text)
                return vs_error_set(err, EINVAL, "invalid platform \"\": empty");
        _cleanup_free_ char *lowered = strdup(text);
        if (!lowered)
                return vs_error_set(err, ENOMEM, "cannot parse platform: out of memory");
        for (char *c = lowered; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        char *parts[3] = {NULL};
        size_t n = 0;
        int r = split_components(text, lowered, parts, &n, err);
        if (r < 0)
                return r;
        const char *os = n == 1 ? "linux" : parts[0];
        const char *arch = n == 1 ? parts[0] : parts[1];
        const char *variant = n == 3 ? parts[2] : NULL;
        /* Kernel and Debian names are accepted for the architecture; an
         * alias with an implied variant (armhf) gives it unless one is written. */
        for (size_t i = 0; i < VS_ARRAY_SIZE(arch_aliases); i++)
                if (strcmp(arch, arch_aliases[i].alias) == 0 && strcmp(arch, arch_aliases[i].arch) != 0) {
                        arch = arch_aliases[i].arch;
                        if (!variant && strcmp(arch, "arm") == 0)
                                variant = arch_aliases[i].variant;
                        break;
                }
        if (fill(ret, os, arch, variant) < 0)
                return vs_error_set(err, ENOMEM, "cannot parse platform: out of memory");
        return 0;
}

char *vs_platform_string(const struct vs_platform *p)
{
        char *out = NULL;
        if (asprintf(&out, "%s/%s%s%s", p->os ? p->os : "unknown", p->architecture ? p->architecture : "unknown",
                     p->variant ? "/" : "", p->variant ? p->variant : "") < 0)
                return NULL;
        return out;
}

/* The architecture's Go name, for a kernel or Debian alias an index may use. */
static const char *canonical_arch(const char *arch)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(arch_aliases); i++)
                if (strcmp(arch, arch_aliases[i].alias) == 0)
                        return arch_aliases[i].arch;
        return arch;
}

/* For arm64, "v8" is the only variant there is: absent and "v8" are alike. */
static const char *canonical_variant(const char *arch, const char *variant)
{
        if (variant && strcmp(arch, "arm64") == 0 && strcmp(variant, "v8") == 0)
                return NULL;
        return variant;
}

bool vs_platform_matches(const struct vs_platform *want, const struct vs_platform *have)
{
        if (!want->os || !want->architecture || !have->os || !have->architecture)
                return false;
        if (strcasecmp(want->os, have->os) != 0)
                return false;
        const char *want_arch = canonical_arch(want->architecture), *have_arch = canonical_arch(have->architecture);
        if (strcmp(want_arch, have_arch) != 0)
                return false;
        if (!want->variant)
                return true;
        const char *want_variant = canonical_variant(want_arch, want->variant);
        const char *have_variant = canonical_variant(have_arch, have->variant);
        if (!want_variant || !have_variant)
                return want_variant == have_variant;
        return strcmp(want_variant, have_variant) == 0;
}
