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
