/* vessel: rtnetlink through libmnl, in-process: the links, addresses and
 * routes of a container's network (a bridge, a veth pair with one end in
 * the container's namespace, its address and default route). One socket is
 * bound to one network namespace: the one current when it was opened, or
 * the namespace of `netns_fd`. */
#ifndef VESSEL_NET_NETLINK_H
#define VESSEL_NET_NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct vs_nl;

/* A socket in the current namespace (netns_fd < 0) or in netns_fd's. */
int vs_nl_open(int netns_fd, struct vs_nl **ret, struct vs_error *err);
void vs_nl_close(struct vs_nl *nl);

/* The index of link `name`, or -ENODEV. */
int vs_nl_link_index(struct vs_nl *nl, const char *name);

/* A bridge (mtu 0: the kernel's default); EEXIST when it exists. */
int vs_nl_bridge_add(struct vs_nl *nl, const char *name, unsigned mtu, struct vs_error *err);
/* A veth pair: `name` here, `peer` in the namespace of peer_netns_fd. */
int vs_nl_veth_add(struct vs_nl *nl, const char *name, const char *peer, int peer_netns_fd, unsigned mtu,
                   const uint8_t *peer_mac, struct vs_error *err);

struct vs_nl_link_change {
        bool up;
        int master; /* > 0: enslave to this ifindex */
};
int vs_nl_link_set(struct vs_nl *nl, int ifindex, const struct vs_nl_link_change *ch, struct vs_error *err);
/* The number of links enslaved to ifindex, or a negative errno. */
int vs_nl_bridge_port_count(struct vs_nl *nl, int ifindex);
/* Hairpin mode on a bridge port: a frame may leave by the port it came in
 * (a container reaching its own published port). */
int vs_nl_bridge_port_hairpin(struct vs_nl *nl, int ifindex, struct vs_error *err);
/* Delete link `name`: 0, or -ENODEV when there is none (err untouched). */
int vs_nl_link_del(struct vs_nl *nl, const char *name, struct vs_error *err);

/* An IPv4 address: addr/prefix on ifindex. */
int vs_nl_addr_add(struct vs_nl *nl, int ifindex, struct in_addr addr, unsigned prefix, struct vs_error *err);
/* The default IPv4 route through gateway on ifindex. */
int vs_nl_route_default(struct vs_nl *nl, int ifindex, struct in_addr gateway, struct vs_error *err);
/* An IPv6 address, usable at once (no duplicate address detection). */
int vs_nl_addr6_add(struct vs_nl *nl, int ifindex, const struct in6_addr *addr, unsigned prefix, struct vs_error *err);
/* The default IPv6 route through gateway on ifindex. */
int vs_nl_route6_default(struct vs_nl *nl, int ifindex, const struct in6_addr *gateway, struct vs_error *err);

#endif
