/* vessel: names and addresses in the text of a hosts file (hosts(5)), as the
 * embedded DNS server answers them: a pure lookup over the text, which need
 * not end with a NUL. */
#ifndef VESSEL_NET_DNS_HOSTS_H
#define VESSEL_NET_DNS_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_DNS_HOSTS_ADDRS_MAX 8

/* The addresses of a name, in file order, no duplicates, at most
 * VS_DNS_HOSTS_ADDRS_MAX of each family. */
struct vs_dns_hosts_addrs {
        size_t n4, n6;
        uint32_t v4[VS_DNS_HOSTS_ADDRS_MAX];    /* host byte order */
        uint8_t v6[VS_DNS_HOSTS_ADDRS_MAX][16]; /* network byte order */
};

/* The addresses of the lines naming `name`, compared without case, a
 * trailing dot on either side ignored. Returns whether any line names it
 * (a known name with no address of a family has no record of that type,
 * yet is no NXDOMAIN). */
bool vs_dns_hosts_lookup(const char *text, size_t len, const char *name, struct vs_dns_hosts_addrs *ret);

/* The first name of the first line with the IPv4 address `addr` into
 * buf[size] (for a PTR answer). false if none, or if it does not fit. */
bool vs_dns_hosts_reverse(const char *text, size_t len, uint32_t addr, char *buf, size_t size);

#endif
