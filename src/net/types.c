/* vessel: networking values and their text (see types.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/types.h"

int vs_ipv4_parse(const char *text, const char *what, uint32_t *ret, struct vs_error *err)
{
        struct in_addr a;
        if (!text || inet_pton(AF_INET, text, &a) != 1)
                return vs_error_set(err, EINVAL, "invalid IPv4 address \"%s\" (%s)", text ? text : "", what);
        *ret = ntohl(a.s_addr);
        return 0;
}

void vs_ipv4_format(uint32_t addr, char buf[16])
{
        struct in_addr a = {.s_addr = htonl(addr)};
        inet_ntop(AF_INET, &a, buf, 16);
}

uint32_t vs_cidr_mask(const struct vs_cidr *c)
{
        return c->prefix == 0 ? 0 : 0xffffffffu << (32 - c->prefix);
}

int vs_cidr_split(const char *text, const char *what, int family, void *addr, unsigned *prefix, struct vs_error *err)
{
        char buf[64];
        const char *slash = text ? strchr(text, '/') : NULL;
        if (!slash || (size_t) (slash - text) >= sizeof(buf) || !slash[1])
                return vs_error_set(err, EINVAL, "invalid CIDR address \"%s\" (%s)", text ? text : "", what);
        snprintf(buf, sizeof(buf), "%.*s", (int) (slash - text), text);
        char *end;
        errno = 0;
        long n = strtol(slash + 1, &end, 10);
        long max = family == AF_INET6 ? 128 : 32;
        if (*end || errno || n < 0 || n > max || inet_pton(family, buf, addr) != 1)
                return vs_error_set(err, EINVAL, "invalid CIDR address \"%s\" (%s)", text, what);
        *prefix = (unsigned) n;
        return 0;
}

int vs_cidr_parse(const char *text, const char *what, struct vs_cidr *ret, struct vs_error *err)
{
        struct in_addr a;
        unsigned prefix;
        int r = vs_cidr_split(text, what, AF_INET, &a, &prefix, err);
        if (r < 0)
                return r;
        struct vs_cidr c = {.addr = ntohl(a.s_addr), .prefix = prefix};
        if (c.addr & ~vs_cidr_mask(&c))
                return vs_error_set(err, EINVAL, "invalid CIDR address \"%s\" (%s): host bits are set", text, what);
        *ret = c;
        return 0;
}

void vs_cidr_format(const struct vs_cidr *c, char buf[20])
{
        char a[16];
        vs_ipv4_format(c->addr, a);
        snprintf(buf, 20, "%s/%u", a, c->prefix);
}

bool vs_cidr_contains(const struct vs_cidr *c, uint32_t addr)
{
        return (addr & vs_cidr_mask(c)) == c->addr;
}

bool vs_cidr_overlap(const struct vs_cidr *a, const struct vs_cidr *b)
{
        return vs_cidr_contains(a, b->addr) || vs_cidr_contains(b, a->addr);
}

int vs_mac_parse(const char *text, uint8_t mac[6], struct vs_error *err)
{
        unsigned v[6];
        char tail;
        if (!text || strlen(text) != 17 ||
            sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
                return vs_error_set(err, EINVAL, "invalid MAC address \"%s\" (--mac-address)", text ? text : "");
        if (v[0] & 1)
                return vs_error_set(err, EINVAL, "invalid MAC address \"%s\" (--mac-address): a multicast address",
                                    text);
        for (int i = 0; i < 6; i++)
                mac[i] = (uint8_t) v[i];
        return 0;
}

void vs_mac_from_ipv4(uint32_t addr, uint8_t mac[6])
{
        mac[0] = 0x02;
        mac[1] = 0x42;
        for (int i = 0; i < 4; i++)
                mac[2 + i] = (uint8_t) (addr >> (24 - 8 * i));
}

/* "80" or "8000-8010": 1..65535 (0 allowed when allow_zero and empty). */
static int parse_range(const char *text, size_t len, uint16_t *lo, uint16_t *hi)
{
        char buf[32];
        if (len == 0 || len >= sizeof(buf))
                return -EINVAL;
        snprintf(buf, sizeof(buf), "%.*s", (int) len, text);
        char *dash = strchr(buf, '-'), *end;
        if (dash)
                *dash = '\0';
        errno = 0;
        long a = strtol(buf, &end, 10);
        if (*end || errno || end == buf || a < 1 || a > 65535)
                return -ERANGE;
        long b = a;
        if (dash) {
                b = strtol(dash + 1, &end, 10);
                if (*end || errno || end == dash + 1 || b < a || b > 65535)
                        return -ERANGE;
        }
        *lo = (uint16_t) a;
        *hi = (uint16_t) b;
        return 0;
}

static int bad_port(const char *text, struct vs_error *err)
{
        return vs_error_set(err, EINVAL, "invalid port specification: \"%s\" (-p, --publish)", text);
}

int vs_port_spec_parse(const char *text, struct vs_port_spec *ret, struct vs_error *err)
{
        struct vs_port_spec p = {.proto = "tcp"};
        char buf[128];
        if (!text || strlen(text) >= sizeof(buf))
                return bad_port(text ? text : "", err);
        snprintf(buf, sizeof(buf), "%s", text);
        char *slash = strrchr(buf, '/');
        if (slash) {
                *slash = '\0';
                if (strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0)
                        return vs_error_set(err, EINVAL, "invalid protocol \"%s\" in \"%s\" (-p, --publish)", slash + 1,
                                            text);
                snprintf(p.proto, sizeof(p.proto), "%s", slash + 1);
        }
        /* split on ':' from the right: container, host port, host ip */
        char *c = strrchr(buf, ':');
        const char *cport = c ? c + 1 : buf;
        if (parse_range(cport, strlen(cport), &p.container_port, &p.container_end) < 0)
                return bad_port(text, err);
        if (c) {
                *c = '\0';
                char *h = strrchr(buf, ':');
                const char *hport = h ? h + 1 : buf;
                if (h) {
                        *h = '\0';
                        uint32_t ip;
                        struct vs_error ignored = VS_ERROR_INIT;
                        if (vs_ipv4_parse(buf, "-p", &ip, &ignored) < 0) {
                                vs_error_ignore(&ignored);
                                return vs_error_set(err, EINVAL, "invalid IP address \"%s\" in \"%s\" (-p, --publish)",
                                                    buf, text);
                        }
                        snprintf(p.host_ip, sizeof(p.host_ip), "%s", buf);
                }
                if (*hport && parse_range(hport, strlen(hport), &p.host_port, &p.host_end) < 0)
                        return bad_port(text, err);
        }
        if (p.host_port && p.host_end - p.host_port != p.container_end - p.container_port)
                return vs_error_set(
                        err, EINVAL,
                        "invalid ranges in \"%s\" (-p, --publish): the host and container ranges differ in size", text);
        *ret = p;
        return 0;
}
