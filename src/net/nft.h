/* vessel: vessel's own nftables table (`ip vessel`), through libnftables.
 * Its rules are fixed; what changes is the content of its sets and maps:
 *   bridges, samebr, nets, internal   one element per network (its bridge, its subnet)
 *   ports_tcp, ports_udp              host port -> container address . port
 * so a container's rules come and go as elements, with nothing to find by
 * handle. NAT: masquerade of the networks' traffic leaving by another link,
 * and of 127.0.0.0/8 sources DNATed to a bridge (published ports reached at
 * 127.0.0.1: route_localnet is set on the bridge); DNAT of published ports in
 * prerouting and output. Filter: no traffic between two networks' bridges,
 * none in or out of an internal network. */
#ifndef VESSEL_NET_NFT_H
#define VESSEL_NET_NFT_H

#include <stdbool.h>
#include <stdint.h>

#include "net/types.h"
#include "util/error.h"

#define VS_NFT_TABLE "vessel"

/* The table with its chains, sets and rules, made when missing. */
int vs_nft_ensure(struct vs_error *err);
/* Remove the table (nothing to do when it is gone). */
void vs_nft_remove(void);
int vs_nft_network_add(const char *bridge, const struct vs_cidr *subnet, bool internal, struct vs_error *err);
void vs_nft_network_del(const char *bridge, const struct vs_cidr *subnet, bool internal);
/* Does the table still hold a network (another store's, in this namespace)? */
bool vs_nft_has_networks(void);
int vs_nft_port_add(const char *proto, uint16_t host_port, uint32_t ip, uint16_t container_port, struct vs_error *err);
void vs_nft_port_del(const char *proto, uint16_t host_port);

#endif
