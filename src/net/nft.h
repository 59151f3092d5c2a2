/* vessel: vessel's own nftables tables (`ip vessel` and `ip6 vessel`), through
 * libnftables. Their rules are fixed; what changes is the content of their
 * sets and maps:
 *   bridges, samebr, nets, internal   one element per network (its bridge, its subnet)
 *   ports_tcp, ports_udp              host port -> container address . port (-p on 0.0.0.0)
 *   addrports_tcp, addrports_udp      host IP . host port -> container address . port
 * so a container's rules come and go as elements, with nothing to find by
 * handle. NAT: masquerade of the networks' traffic leaving by another link,
 * and of 127.0.0.0/8 sources DNATed to a bridge (published ports reached at
 * 127.0.0.1: route_localnet is set on the bridge); DNAT of published ports in
 * prerouting and output. Filter: no traffic between two networks' bridges,
 * none in or out of an internal network. The ip6 table has the same sets of
 * bridges, its IPv6 subnets in nets, the masquerade and the filter.
 * The set `shape` of the ip table holds VS_NFT_SHAPE: a table without it (an
 * older vessel's) is replaced. */
#ifndef VESSEL_NET_NFT_H
#define VESSEL_NET_NFT_H

#include <stdbool.h>
#include <stdint.h>

#include "net/store.h"
#include "net/types.h"
#include "util/error.h"

#define VS_NFT_TABLE "vessel"
#define VS_NFT_SHAPE "2" /* the set shape's element: the version of the tables' rules */

/* The tables with their chains, sets and rules, made when missing or of
 * another shape (replaced). *made: they are new, empty: the caller puts back
 * the elements of what runs (the tables may have been flushed or replaced
 * under running containers). */
int vs_nft_ensure(bool *made, struct vs_error *err);
/* Remove the tables (nothing to do when they are gone). */
void vs_nft_remove(void);
int vs_nft_network_add(const struct vs_net_network *n, struct vs_error *err);
void vs_nft_network_del(const struct vs_net_network *n);
/* Does the table still hold a network (another store's, in this namespace)? */
bool vs_nft_has_networks(void);
/* host_ip "": every local address (0.0.0.0). */
int vs_nft_port_add(const char *proto, const char *host_ip, uint16_t host_port, uint32_t ip, uint16_t container_port,
                    struct vs_error *err);
void vs_nft_port_del(const char *proto, const char *host_ip, uint16_t host_port);

#endif
