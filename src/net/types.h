/* vessel: the values of container networking and their text forms: IPv4
 * subnets (CIDR), addresses, MACs and published ports (-p). Pure functions,
 * unit-tested. */
#ifndef VESSEL_NET_TYPES_H
#define VESSEL_NET_TYPES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct vs_cidr {
        uint32_t addr; /* host byte order, host bits cleared */
        unsigned prefix;
};

/* "172.18.0.0/16": addr/prefix, the host bits must be zero; `what` names
 * the flag in the error ("--subnet"). */
/* Split "ADDR/N" of `family` (AF_INET or AF_INET6): the address into addr (a struct in_addr or
 * in6_addr), N (at most 32 or 128) into prefix; the error names the text and `what`. */
int vs_cidr_split(const char *text, const char *what, int family, void *addr, unsigned *prefix, struct vs_error *err);
int vs_cidr_parse(const char *text, const char *what, struct vs_cidr *ret, struct vs_error *err);
/* An IPv4 address in dotted form, host byte order. */
int vs_ipv4_parse(const char *text, const char *what, uint32_t *ret, struct vs_error *err);
void vs_ipv4_format(uint32_t addr, char buf[16]);
void vs_cidr_format(const struct vs_cidr *c, char buf[20]);
uint32_t vs_cidr_mask(const struct vs_cidr *c);
bool vs_cidr_contains(const struct vs_cidr *c, uint32_t addr);
bool vs_cidr_overlap(const struct vs_cidr *a, const struct vs_cidr *b);
/* "02:42:ac:11:00:02" */
int vs_mac_parse(const char *text, uint8_t mac[6], struct vs_error *err);
/* docker's MAC from an address: 02:42 then the 4 bytes of the IPv4 address */
void vs_mac_from_ipv4(uint32_t addr, uint8_t mac[6]);

/* IPv6 (types6.c): an address is a struct in6_addr, network byte order. */
struct vs_cidr6 {
        struct in6_addr addr; /* host bits cleared */
        unsigned prefix;
};
#define VS_IP6_STRLEN 46
int vs_ipv6_parse(const char *text, const char *what, struct in6_addr *ret, struct vs_error *err);
void vs_ipv6_format(const struct in6_addr *a, char buf[VS_IP6_STRLEN]);
/* "fd00:1::/64"; the host bits must be zero. */
int vs_cidr6_parse(const char *text, const char *what, struct vs_cidr6 *ret, struct vs_error *err);
void vs_cidr6_format(const struct vs_cidr6 *c, char buf[VS_IP6_STRLEN + 4]);
bool vs_cidr6_contains(const struct vs_cidr6 *c, const struct in6_addr *a);
bool vs_cidr6_overlap(const struct vs_cidr6 *a, const struct vs_cidr6 *b);
/* base + k (k added to the low 64 bits; a carry out of them is dropped). */
struct in6_addr vs_ipv6_add(const struct in6_addr *base, uint64_t k);
bool vs_ipv6_is_zero(const struct in6_addr *a);
/* Does text look like an IPv6 address or subnet (has a ':')? */
bool vs_ip_is_v6(const char *text);

/* One -p [ip:][hostPort[-end]:]containerPort[-end][/tcp|/udp]. */
struct vs_port_spec {
        char proto[4];      /* "tcp" or "udp" */
        char host_ip[16];   /* "" when not given */
        uint16_t host_port; /* 0: a free port is chosen */
        uint16_t host_end;  /* == host_port for one port */
        uint16_t container_port, container_end;
};
int vs_port_spec_parse(const char *text, struct vs_port_spec *ret, struct vs_error *err);

#endif
