/* vessel: IPv6 addresses and subnets and their text (see types.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/types.h"

int vs_ipv6_parse(const char *text, const char *what, struct in6_addr *ret, struct vs_error *err)
{
        if (!text || inet_pton(AF_INET6, text, ret) != 1)
                return vs_error_set(err, EINVAL, "invalid IPv6 address \"%s\" (%s)", text ? text : "", what);
        return 0;
}

void vs_ipv6_format(const struct in6_addr *a, char buf[VS_IP6_STRLEN])
{
        inet_ntop(AF_INET6, a, buf, VS_IP6_STRLEN);
}

/* Does a have a bit set past `prefix`? */
static bool host_bits(const struct in6_addr *a, unsigned prefix)
{
        for (unsigned i = 0; i < 16; i++) {
                unsigned keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
                uint8_t mask = (uint8_t) (keep == 8 ? 0xff : (0xff << (8 - keep)) & 0xff);
                if (a->s6_addr[i] & (uint8_t) ~mask)
                        return true;
        }
        return false;
}

int vs_cidr6_parse(const char *text, const char *what, struct vs_cidr6 *ret, struct vs_error *err)
{
        struct vs_cidr6 c;
        int r = vs_cidr_split(text, what, AF_INET6, &c.addr, &c.prefix, err);
        if (r < 0)
                return r;
        if (host_bits(&c.addr, c.prefix))
                return vs_error_set(err, EINVAL, "invalid CIDR address \"%s\" (%s): host bits are set", text, what);
        *ret = c;
        return 0;
}

void vs_cidr6_format(const struct vs_cidr6 *c, char buf[VS_IP6_STRLEN + 4])
{
        char a[VS_IP6_STRLEN];
        vs_ipv6_format(&c->addr, a);
        snprintf(buf, VS_IP6_STRLEN + 4, "%s/%u", a, c->prefix);
}

/* Do a and b agree on their first `prefix` bits? */
static bool same_prefix(const struct in6_addr *a, const struct in6_addr *b, unsigned prefix)
{
        unsigned bytes = prefix / 8, bits = prefix % 8;
        if (memcmp(a->s6_addr, b->s6_addr, bytes) != 0)
                return false;
        if (!bits)
                return true;
        uint8_t mask = (uint8_t) (0xff << (8 - bits));
        return (a->s6_addr[bytes] & mask) == (b->s6_addr[bytes] & mask);
}

bool vs_cidr6_contains(const struct vs_cidr6 *c, const struct in6_addr *a)
{
        return same_prefix(&c->addr, a, c->prefix);
}

bool vs_cidr6_overlap(const struct vs_cidr6 *a, const struct vs_cidr6 *b)
{
        return same_prefix(&a->addr, &b->addr, a->prefix < b->prefix ? a->prefix : b->prefix);
}

struct in6_addr vs_ipv6_add(const struct in6_addr *base, uint64_t k)
{
        struct in6_addr r = *base;
        uint64_t low = 0;
        for (int i = 8; i < 16; i++)
                low = (low << 8) | r.s6_addr[i];
        low += k;
        for (int i = 15; i >= 8; i--) {
                r.s6_addr[i] = (uint8_t) low;
                low >>= 8;
        }
        return r;
}

bool vs_ipv6_is_zero(const struct in6_addr *a)
{
        static const struct in6_addr zero;
        return memcmp(a, &zero, sizeof(zero)) == 0;
}

bool vs_ip_is_v6(const char *text)
{
        return text && strchr(text, ':') != NULL;
}
