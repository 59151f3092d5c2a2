/* vessel: a container's NetworkSettings for inspect, as docker prints them:
 * one entry per network under Networks (its addresses, gateways, MAC,
 * aliases), the first network's values at the top (IPAddress, Gateway,
 * GlobalIPv6Address, IPv6Gateway, MacAddress) and the published ports. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "net/store.h"
#include "util/cleanup.h"

/* "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], null while not bound. */
static json_t *ports_json(struct vs_store *s, const char *id)
{
        json_t *o = json_object();
        _cleanup_free_ struct vs_net_port *ports = NULL;
        size_t n = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_net_port_list(s->db, id, &ports, &n, &ignored) < 0)
                vs_error_ignore(&ignored);
        for (size_t i = 0; i < n; i++) {
                char key[16], port[8];
                snprintf(key, sizeof(key), "%u/%s", ports[i].container_port, ports[i].proto);
                json_t *list = json_object_get(o, key);
                if (!ports[i].host_port) {
                        if (!list)
                                json_object_set_new(o, key, json_null());
                        continue;
                }
                if (!json_is_array(list)) {
                        list = json_array();
                        json_object_set_new(o, key, list);
                }
                snprintf(port, sizeof(port), "%u", ports[i].host_port);
                json_array_append_new(list,
                                      json_pack("{s:s,s:s}", "HostIp",
                                                ports[i].host_ip[0] ? ports[i].host_ip : "0.0.0.0", "HostPort", port));
        }
        return o;
}

static json_t *aliases_json(const char *aliases)
{
        if (!aliases[0])
                return json_null();
        json_t *a = json_array();
        for (const char *p = aliases, *end; *p; p = *end ? end + 1 : end) {
                end = strchrnul(p, ',');
                json_array_append_new(a, json_stringn(p, (size_t) (end - p)));
        }
        return a;
}

/* One endpoint: docker's EndpointSettings (empty addresses without a lease). */
static json_t *endpoint_json(const struct vs_net_network *n, const struct vs_net_endpoint *e)
{
        char ip[16] = "", gw[16] = "", ip6[VS_IP6_STRLEN] = "", gw6[VS_IP6_STRLEN] = "", mac[18] = "";
        if (e->ip) {
                uint8_t m[6];
                vs_ipv4_format(e->ip, ip);
                vs_ipv4_format(n->gateway, gw);
                vs_mac_from_ipv4(e->ip, m);
                snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
                if (e->mac[0])
                        snprintf(mac, sizeof(mac), "%s", e->mac);
        }
        if (!vs_ipv6_is_zero(&e->ip6)) {
                vs_ipv6_format(&e->ip6, ip6);
                vs_ipv6_format(&n->gateway6, gw6);
        }
        return json_pack("{s:n,s:n,s:o,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:i,s:s}", "IPAMConfig", "Links", "Aliases",
                         aliases_json(e->aliases), "NetworkID", n->id, "EndpointID", "", "Gateway", gw, "IPAddress", ip,
                         "IPPrefixLen", e->ip ? (int) n->subnet.prefix : 0, "IPv6Gateway", gw6, "GlobalIPv6Address",
                         ip6, "GlobalIPv6PrefixLen", ip6[0] ? (int) n->subnet6.prefix : 0, "MacAddress", mac);
}

json_t *container_net_settings_json(const struct globals *g, struct vs_store *s, const struct vs_container *c)
{
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        char ns[700];
        snprintf(ns, sizeof(ns), "%s/netns", p.rundir);
        json_t *networks = json_object(), *first = NULL;
        _cleanup_free_ struct vs_net_endpoint *eps = NULL;
        size_t n = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_net_store_init(s->db, &ignored) < 0 || vs_net_endpoint_list(s->db, c->id, NULL, &eps, &n, &ignored) < 0)
                n = 0;
        vs_error_ignore(&ignored);
        for (size_t i = 0; i < n; i++) {
                struct vs_net_network net;
                if (vs_net_network_find(s->db, eps[i].network_id, &net, &ignored) < 0) {
                        vs_error_ignore(&ignored);
                        continue;
                }
                json_t *one = endpoint_json(&net, &eps[i]);
                first = first ? first : one;
                json_object_set_new(networks, net.name, one);
        }
        json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:b,s:s,s:i,s:n,s:n}", "Bridge", "", "SandboxID", "", "SandboxKey",
                              access(ns, F_OK) == 0 ? ns : "", "Ports", ports_json(s, c->id), "HairpinMode", 0,
                              "LinkLocalIPv6Address", "", "LinkLocalIPv6PrefixLen", 0, "SecondaryIPAddresses",
                              "SecondaryIPv6Addresses");
        static const char *const top[] = {"EndpointID", "Gateway",     "GlobalIPv6Address", "GlobalIPv6PrefixLen",
                                          "IPAddress",  "IPPrefixLen", "IPv6Gateway",       "MacAddress"};
        for (size_t i = 0; i < VS_ARRAY_SIZE(top); i++) {
                json_t *v = first ? json_object_get(first, top[i]) : NULL;
                bool number = strstr(top[i], "PrefixLen") != NULL;
                json_object_set_new(o, top[i], v ? json_incref(v) : number ? json_integer(0) : json_string(""));
        }
        json_object_set_new(o, "Networks", networks);
        return o;
}
