/* vessel: a container's networks up and down (see attach.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/attach.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "net/nft.h"
#include "util/cleanup.h"

static void write_sysctl(const char *path, const char *value)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        if (write(fd, value, strlen(value)) < 0) {
                /* best effort: a read-only /proc/sys leaves NAT from 127.0.0.1 out */
        }
        close(fd);
}

/* The bridge with its gateway address, up; *made: it was not there. */
static int bridge_link(struct vs_nl *nl, const struct vs_net_network *n, bool *made, struct vs_error *err)
{
        *made = false;
        if (vs_nl_link_index(nl, n->bridge) > 0)
                return 0;
        int r = vs_nl_bridge_add(nl, n->bridge, n->mtu, err);
        if (r == -EEXIST) {
                vs_error_ignore(err);
                return 0;
        }
        int idx = r < 0 ? r : vs_nl_link_index(nl, n->bridge);
        if (r == 0 && idx < 0)
                r = vs_error_errno(err, -idx, "bridge %s is gone", n->bridge);
        if (r == 0)
                r = vs_nl_addr_add(nl, idx, (struct in_addr){.s_addr = htonl(n->gateway)}, n->subnet.prefix, err);
        if (r == 0 && n->ipv6)
                r = vs_nl_addr6_add(nl, idx, &n->gateway6, n->subnet6.prefix, err);
        if (r == 0)
                r = vs_nl_link_set(nl, idx, &(struct vs_nl_link_change){.up = true}, err);
        if (r < 0) {
                struct vs_error ignored = VS_ERROR_INIT;
                vs_nl_link_del(nl, n->bridge, &ignored);
                vs_error_ignore(&ignored);
                return r;
        }
        *made = true;
        char path[128];
        snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", n->bridge);
        write_sysctl(path, "1");
        return 0;
}

/* Every element the store knows of, in tables just made (or replaced): the
 * networks whose bridge is up here and the ports bound. */
static int nft_reinstall(sqlite3 *db, struct vs_error *err)
{
        _cleanup_free_ struct vs_net_network *nets = NULL;
        _cleanup_free_ struct vs_net_port *ports = NULL;
        size_t nn = 0, np = 0;
        int r = vs_net_network_list(db, &nets, &nn, err);
        for (size_t i = 0; r == 0 && i < nn; i++)
                if (if_nametoindex(nets[i].bridge) != 0)
                        r = vs_nft_network_add(&nets[i], err);
        if (r == 0)
                r = vs_net_port_list(db, NULL, &ports, &np, err);
        for (size_t i = 0; r == 0 && i < np; i++) {
                _cleanup_free_ struct vs_net_endpoint *eps = NULL;
                size_t ne = 0;
                if (!ports[i].host_port)
                        continue;
                r = vs_net_endpoint_list(db, ports[i].container_id, NULL, &eps, &ne, err);
                if (r == 0 && ne > 0 && eps[0].ip)
                        r = vs_nft_port_add(ports[i].proto, ports[i].host_ip, ports[i].host_port, eps[0].ip,
                                            ports[i].container_port, err);
        }
        return r;
}

/* The tables, of this vessel's shape: missing or older ones are made and filled. */
static int nft_ready(sqlite3 *db, struct vs_error *err)
{
        bool made = false;
        int r = vs_nft_ensure(&made, err);
        if (r == 0 && made)
                r = nft_reinstall(db, err);
        return r;
}

int vs_net_bridge_up(sqlite3 *db, const struct vs_net_network *n, struct vs_error *err)
{
        struct vs_nl *nl = NULL;
        bool made = false;
        int r = vs_nl_open(-1, &nl, err);
        if (r == 0)
                r = bridge_link(nl, n, &made, err);
        vs_nl_close(nl);
        if (r < 0 || !made)
                return r; /* a bridge that is there has its elements: they come and go together */
        r = nft_ready(db, err);
        if (r == 0)
                r = vs_nft_network_add(n, err);
        if (r == 0 && !n->internal)
                write_sysctl("/proc/sys/net/ipv4/ip_forward", "1");
        if (r == 0 && !n->internal && n->ipv6)
                write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1");
        if (r < 0)
                vs_net_bridge_down(n);
        return r;
}

void vs_net_bridge_down(const struct vs_net_network *n)
{
        vs_nft_network_del(n);
        struct vs_nl *nl = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_nl_open(-1, &nl, &ignored) == 0 && vs_nl_link_del(nl, n->bridge, &ignored) < 0)
                vs_error_ignore(&ignored);
        vs_error_ignore(&ignored);
        vs_nl_close(nl);
}

/* Is the bridge there, and has it ports (another store's containers in this namespace)? */
static bool bridge_state(const char *bridge, bool *in_use)
{
        struct vs_nl *nl = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        int idx = 0;
        *in_use = false;
        if (vs_nl_open(-1, &nl, &ignored) == 0) {
                idx = vs_nl_link_index(nl, bridge);
                *in_use = idx > 0 && vs_nl_bridge_port_count(nl, idx) != 0;
        }
        vs_error_ignore(&ignored);
        vs_nl_close(nl);
        return idx > 0;
}

void vs_net_gc(sqlite3 *db, bool with_default)
{
        struct vs_error ignored = VS_ERROR_INIT;
        struct vs_net_network def;
        bool have_def = vs_net_network_find(db, VS_NET_DEFAULT, &def, &ignored) == 0, def_up = false, used = false;
        if (have_def)
                def_up = bridge_state(def.bridge, &used);
        if (with_default && def_up && !used && vs_net_lease_count(db, def.id, &ignored) == 0) {
                vs_net_bridge_down(&def);
                def_up = false;
        }
        /* The default bridge, while up, keeps its elements in the table: the
         * table stays, and libnftables need not even be loaded to know it. */
        _cleanup_free_ struct vs_net_network *list = NULL;
        size_t n = 0;
        if (!def_up && vs_net_lease_count(db, NULL, &ignored) == 0 &&
            vs_net_network_list(db, &list, &n, &ignored) == 0 && n <= 1 && !vs_nft_has_networks())
                vs_nft_remove();
        vs_error_ignore(&ignored);
}

static void veth_name(const char *container_id, unsigned i, char out[16])
{
        snprintf(out, 16, "vs%.10s%c", container_id, (char) ('0' + i % 10));
}

/* One endpoint: lease, veth pair, addresses, routes. */
static int endpoint_up(sqlite3 *db, struct vs_nl *host, struct vs_nl *ctr, int nsfd, struct vs_net_endpoint *e,
                       bool first, struct vs_error *err)
{
        struct vs_net_network n;
        int r = vs_net_network_find(db, e->network_id, &n, err);
        if (r == 0)
                r = vs_net_bridge_up(db, &n, err);
        if (r == 0)
                r = vs_net_endpoint_lease(db, &n, e, err);
        if (r < 0)
                return r;
        uint8_t mac[6];
        if (!e->mac[0] || vs_mac_parse(e->mac, mac, err) < 0)
                vs_mac_from_ipv4(e->ip, mac);
        vs_error_ignore(err);
        char name[16], peer[16];
        veth_name(e->container_id, e->slot, name);
        snprintf(peer, sizeof(peer), "eth%c", (char) ('0' + e->slot % 10));
        r = vs_nl_veth_add(host, name, peer, nsfd, n.mtu, mac, err);
        int hidx = r < 0 ? r : vs_nl_link_index(host, name);
        int bidx = r < 0 ? r : vs_nl_link_index(host, n.bridge);
        if (r == 0 && (hidx < 0 || bidx < 0))
                r = vs_error_errno(err, ENODEV, "link %s or %s is gone", name, n.bridge);
        if (r == 0)
                r = vs_nl_link_set(host, hidx, &(struct vs_nl_link_change){.up = true, .master = bidx}, err);
        if (r == 0)
                r = vs_nl_bridge_port_hairpin(host, hidx, err);
        int cidx = r < 0 ? r : vs_nl_link_index(ctr, peer);
        if (r == 0 && cidx < 0)
                r = vs_error_errno(err, -cidx, "link %s is not in the container", peer);
        if (r == 0)
                r = vs_nl_addr_add(ctr, cidx, (struct in_addr){.s_addr = htonl(e->ip)}, n.subnet.prefix, err);
        if (r == 0)
                r = vs_nl_link_set(ctr, cidx, &(struct vs_nl_link_change){.up = true}, err);
        if (r == 0 && first && !n.internal)
                r = vs_nl_route_default(ctr, cidx, (struct in_addr){.s_addr = htonl(n.gateway)}, err);
        if (r == 0 && !vs_ipv6_is_zero(&e->ip6))
                r = vs_nl_addr6_add(ctr, cidx, &e->ip6, n.subnet6.prefix, err);
        if (r == 0 && !vs_ipv6_is_zero(&e->ip6) && first && !n.internal)
                r = vs_nl_route6_default(ctr, cidx, &n.gateway6, err);
        if (r < 0)
                vs_error_wrap(err, "network %s", n.name);
        return r;
}

/* One port's element; when that fails, the tables are made again (missing,
 * or an older vessel's without the addrports maps) and it is tried once more. */
static int port_up(sqlite3 *db, const struct vs_net_port *p, uint32_t ip, bool *checked, struct vs_error *err)
{
        int r = vs_nft_port_add(p->proto, p->host_ip, p->host_port, ip, p->container_port, err);
        if (r == 0 || *checked)
                return r;
        vs_error_ignore(err);
        *checked = true;
        r = nft_ready(db, err);
        return r < 0 ? r : vs_nft_port_add(p->proto, p->host_ip, p->host_port, ip, p->container_port, err);
}

static int ports_up(sqlite3 *db, const char *container_id, uint32_t ip, struct vs_error *err)
{
        int r = vs_net_ports_bind(db, container_id, err);
        _cleanup_free_ struct vs_net_port *ports = NULL;
        size_t n = 0;
        bool checked = false;
        if (r == 0)
                r = vs_net_port_list(db, container_id, &ports, &n, err);
        for (size_t i = 0; r == 0 && i < n; i++)
                r = port_up(db, &ports[i], ip, &checked, err);
        return r;
}

static int setup(sqlite3 *db, struct vs_net_endpoint *eps, size_t n, const char *ns_path, struct vs_error *err)
{
        int r = vs_netns_create(ns_path, err);
        if (r < 0)
                return r;
        _cleanup_close_ int nsfd = open(ns_path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return vs_error_syscall(err, "cannot open %s", ns_path);
        struct vs_nl *host = NULL, *ctr = NULL;
        r = vs_nl_open(-1, &host, err);
        if (r == 0)
                r = vs_nl_open(nsfd, &ctr, err);
        for (size_t i = 0; r == 0 && i < n; i++)
                r = endpoint_up(db, host, ctr, nsfd, &eps[i], i == 0, err);
        if (r == 0 && n > 0)
                r = ports_up(db, eps[0].container_id, eps[0].ip, err);
        vs_nl_close(host);
        vs_nl_close(ctr);
        return r;
}

static void teardown(sqlite3 *db, const char *container_id, const char *ns_path, bool gc);

int vs_net_container_setup(sqlite3 *db, const char *container_id, const char *ns_path, struct vs_error *err)
{
        _cleanup_free_ struct vs_net_endpoint *eps = NULL;
        size_t n = 0;
        int r = ns_path ? vs_net_endpoint_list(db, container_id, NULL, &eps, &n, err) : 0;
        if (r < 0 || !ns_path)
                return r;
        teardown(db, container_id, ns_path, false); /* what a crash may have left */
        r = setup(db, eps, n, ns_path, err);
        if (r < 0)
                vs_net_container_teardown(db, container_id, ns_path);
        return r;
}

static void teardown(sqlite3 *db, const char *container_id, const char *ns_path, bool gc)
{
        struct vs_error ignored = VS_ERROR_INIT;
        _cleanup_free_ struct vs_net_port *ports = NULL;
        _cleanup_free_ struct vs_net_endpoint *eps = NULL;
        size_t np = 0, ne = 0;
        if (vs_net_port_list(db, container_id, &ports, &np, &ignored) == 0)
                for (size_t i = 0; i < np; i++)
                        if (ports[i].host_port)
                                vs_nft_port_del(ports[i].proto, ports[i].host_ip, ports[i].host_port);
        vs_error_ignore(&ignored);
        struct vs_nl *host = NULL;
        if (vs_net_endpoint_list(db, container_id, NULL, &eps, &ne, &ignored) == 0 &&
            vs_nl_open(-1, &host, &ignored) == 0) {
                for (size_t i = 0; i < ne; i++) {
                        char name[16];
                        veth_name(container_id, eps[i].slot, name);
                        vs_nl_link_del(host, name, &ignored);
                        vs_error_ignore(&ignored);
                }
        }
        vs_nl_close(host);
        vs_error_ignore(&ignored);
        if (vs_net_release(db, container_id, &ignored) < 0)
                vs_error_ignore(&ignored);
        vs_netns_remove(ns_path);
        if (gc && ne > 0)
                vs_net_gc(db, false);
}

void vs_net_container_teardown(sqlite3 *db, const char *container_id, const char *ns_path)
{
        teardown(db, container_id, ns_path, true);
}

int vs_net_container_connect(sqlite3 *db, struct vs_net_endpoint *e, const char *ns_path, struct vs_error *err)
{
        int r = vs_net_endpoint_add(db, e, err);
        if (r < 0 || !ns_path)
                return r;
        _cleanup_close_ int nsfd = open(ns_path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                r = vs_error_syscall(err, "cannot open %s", ns_path);
        struct vs_nl *host = NULL, *ctr = NULL;
        if (r == 0)
                r = vs_nl_open(-1, &host, err);
        if (r == 0)
                r = vs_nl_open(nsfd, &ctr, err);
        if (r == 0)
                r = endpoint_up(db, host, ctr, nsfd, e, false, err);
        vs_nl_close(host);
        vs_nl_close(ctr);
        if (r < 0) {
                struct vs_error ignored = VS_ERROR_INIT;
                vs_net_container_disconnect(db, e->container_id, e->network_id, &ignored);
                vs_error_ignore(&ignored);
        }
        return r;
}

int vs_net_container_disconnect(sqlite3 *db, const char *container_id, const char *network_id, struct vs_error *err)
{
        _cleanup_free_ struct vs_net_endpoint *eps = NULL;
        size_t n = 0;
        int r = vs_net_endpoint_list(db, container_id, network_id, &eps, &n, err);
        if (r == 0 && n == 0)
                r = vs_error_set(err, ENOENT, "container %.12s is not connected to network %.12s", container_id,
                                 network_id);
        if (r < 0)
                return r;
        char name[16];
        veth_name(container_id, eps[0].slot, name);
        struct vs_nl *host = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_nl_open(-1, &host, &ignored) == 0 && vs_nl_link_del(host, name, &ignored) < 0)
                vs_error_ignore(&ignored);
        vs_error_ignore(&ignored);
        vs_nl_close(host);
        r = vs_net_endpoint_remove(db, container_id, network_id, err);
        if (r == 0)
                vs_net_gc(db, false);
        return r;
}
