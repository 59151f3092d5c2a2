/* vessel: the networking tables of the store's database (vessel.db):
 *   net_networks   every network; the default one ("bridge", on vessel0) is made by the schema
 *   net_endpoints  a container on a network: asked at create (--network, --ip, --mac-address,
 *                  --network-alias), its address leased at start and released at its end
 *   net_ports      a container's published ports: asked at create, bound at start
 * A lease and a port binding are taken in one BEGIN IMMEDIATE transaction,
 * so parallel `vessel run`s never get the same address or host port. */
#ifndef VESSEL_NET_STORE_H
#define VESSEL_NET_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/types.h"
#include "util/error.h"

#define VS_NET_DEFAULT "bridge"
#define VS_NET_DEFAULT_BRIDGE "vessel0"

struct vs_net_network {
        char id[65], name[128], driver[16], bridge[16];
        struct vs_cidr subnet, ip_range; /* ip_range.prefix 0: the whole subnet */
        uint32_t gateway;
        bool internal;
        unsigned mtu; /* 0: the kernel's default */
        int64_t created;
        bool ipv6; /* --ipv6: subnet6 and gateway6 are set */
        struct vs_cidr6 subnet6;
        struct in6_addr gateway6;
};

struct vs_net_endpoint {
        char container_id[65], network_id[65];
        uint32_t ip_request;              /* --ip, 0: any */
        uint32_t ip;                      /* the lease, 0: none */
        char mac[18];                     /* --mac-address, "" for docker's */
        char aliases[256];                /* --network-alias, comma-separated */
        unsigned slot;                    /* its interface: eth<slot> inside, vs<id><slot> outside */
        struct in6_addr ip6_request, ip6; /* --ip6 and the IPv6 lease; all zero: none */
};

#define VS_NET_MAX_ENDPOINTS 10

struct vs_net_port {
        char container_id[65], proto[4], host_ip[16];
        uint16_t host_port_request; /* 0: a free one at start */
        uint16_t host_port;         /* bound: the one in use; 0 while not running */
        uint16_t container_port;
};

int vs_net_store_init(sqlite3 *db, struct vs_error *err);

/* Insert a network: a taken name, or a subnet overlapping another's, fails
 * (EEXIST) and leaves nothing. n->id and n->bridge are filled here. */
int vs_net_network_insert(sqlite3 *db, struct vs_net_network *n, struct vs_error *err);
/* By name, full id or unique id prefix ("network X not found": ENOENT). */
int vs_net_network_find(sqlite3 *db, const char *text, struct vs_net_network *ret, struct vs_error *err);
int vs_net_network_list(sqlite3 *db, struct vs_net_network **ret, size_t *n, struct vs_error *err);
/* Delete a network no container is attached to (EBUSY otherwise). */
int vs_net_network_delete(sqlite3 *db, const struct vs_net_network *n, struct vs_error *err);

/* Attach a container to a network (e->slot is chosen here); EEXIST when it is on it. */
int vs_net_endpoint_add(sqlite3 *db, struct vs_net_endpoint *e, struct vs_error *err);
int vs_net_endpoint_remove(sqlite3 *db, const char *container_id, const char *network_id, struct vs_error *err);
/* The endpoints of a container (container_id) or of a network (network_id); NULL: any. */
int vs_net_endpoint_list(sqlite3 *db, const char *container_id, const char *network_id, struct vs_net_endpoint **ret,
                         size_t *n, struct vs_error *err);
/* Lease e's address on n (its --ip or the lowest free), in one transaction:
 * e->ip, and on an IPv6 network e->ip6 (its --ip6 or the lowest free). */
int vs_net_endpoint_lease(sqlite3 *db, const struct vs_net_network *n, struct vs_net_endpoint *e, struct vs_error *err);
/* Release every lease and port binding of a container. */
int vs_net_release(sqlite3 *db, const char *container_id, struct vs_error *err);
/* Delete every row of a container. */
int vs_net_forget(sqlite3 *db, const char *container_id, struct vs_error *err);
/* The number of leases held on any network. */
int vs_net_lease_count(sqlite3 *db, const char *network_id, struct vs_error *err);

int vs_net_port_add(sqlite3 *db, const struct vs_net_port *p, struct vs_error *err);
int vs_net_port_list(sqlite3 *db, const char *container_id, struct vs_net_port **ret, size_t *n, struct vs_error *err);
/* Bind a container's ports in one transaction: a host port another running
 * container holds on the same host IP, or on 0.0.0.0 ("") when either is,
 * fails (EADDRINUSE) with nothing bound; host port 0 gets a free one from
 * 49153-60999. */
int vs_net_ports_bind(sqlite3 *db, const char *container_id, struct vs_error *err);

#endif
