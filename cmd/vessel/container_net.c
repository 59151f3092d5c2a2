/* vessel: the engine's glue to src/net: a container's networks recorded at
 * create, brought up before its monitor starts, and down at its end. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine/run_options.h"
#include "image/manifest.h"
#include "net/attach.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/files.h"

int container_net_lock(const struct globals *g, struct vs_error *err)
{
        char path[600];
        mkdir(g->runroot, 0700);
        snprintf(path, sizeof(path), "%s/net.lock", g->runroot);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", path);
        while (flock(fd, LOCK_EX) < 0) {
                if (errno != EINTR) {
                        close(fd);
                        return vs_error_syscall(err, "cannot lock %s", path);
                }
        }
        return fd;
}

static bool mode_is(const char *network, const char *mode)
{
        return network && strcmp(network, mode) == 0;
}

/* The network a bridged container joins: NULL for none, host, container:. */
static const char *bridged_network(const char *network)
{
        if (!network || mode_is(network, "default"))
                return VS_NET_DEFAULT;
        if (mode_is(network, "none") || mode_is(network, "host") || strncmp(network, "container:", 10) == 0)
                return NULL;
        return network;
}

const char *container_net_ns_path(struct vs_store *s, const struct vs_run_options *o, const struct ctr_paths *p,
                                  char *buf, size_t size)
{
        if (bridged_network(o->network)) {
                snprintf(buf, size, "%s/netns", p->rundir);
                return buf;
        }
        if (!o->network || strncmp(o->network, "container:", 10) != 0)
                return NULL;
        struct vs_container other = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        const char *r = NULL;
        if (vs_container_find(s->db, o->network + 10, &other, &ignored) == 0) {
                /* its kept namespace, else its process's */
                snprintf(buf, size, "%.*s/%s/netns", (int) (strrchr(p->rundir, '/') - p->rundir), p->rundir, other.id);
                if (access(buf, F_OK) < 0 && other.pid > 0)
                        snprintf(buf, size, "/proc/%d/ns/net", other.pid);
                r = access(buf, F_OK) == 0 ? buf : NULL;
        }
        vs_error_ignore(&ignored);
        vs_container_free(&other);
        return r;
}

/* The container ports of -P: the image's ExposedPorts and --expose. */
static int publish_all(sqlite3 *db, const char *id, const struct vs_run_options *o, const struct vs_image_config *img,
                       struct vs_error *err)
{
        char **lists[2] = {img ? img->exposed_ports : NULL, o->expose};
        int r = 0;
        for (size_t l = 0; r == 0 && l < 2; l++)
                for (char **e = lists[l]; r == 0 && e && *e; e++) {
                        struct vs_port_spec spec;
                        r = vs_port_spec_parse(*e, &spec, err);
                        for (unsigned cp = spec.container_port; r == 0 && cp <= spec.container_end; cp++) {
                                struct vs_net_port port = {.container_port = (uint16_t) cp};
                                snprintf(port.container_id, sizeof(port.container_id), "%s", id);
                                snprintf(port.proto, sizeof(port.proto), "%s", spec.proto);
                                r = vs_net_port_add(db, &port, err);
                        }
                }
        return r;
}

static int record_ports(sqlite3 *db, const char *id, const struct vs_run_options *o, const struct vs_image_config *img,
                        struct vs_error *err)
{
        int r = 0;
        for (char **p = o->publish; r == 0 && p && *p; p++) {
                struct vs_port_spec spec;
                r = vs_port_spec_parse(*p, &spec, err);
                for (unsigned i = 0; r == 0 && spec.container_port + i <= spec.container_end; i++) {
                        struct vs_net_port port = {.container_port = (uint16_t) (spec.container_port + i),
                                                   .host_port_request =
                                                           spec.host_port ? (uint16_t) (spec.host_port + i) : 0};
                        snprintf(port.container_id, sizeof(port.container_id), "%s", id);
                        snprintf(port.proto, sizeof(port.proto), "%s", spec.proto);
                        snprintf(port.host_ip, sizeof(port.host_ip), "%s", /* "": 0.0.0.0 */
                                 strcmp(spec.host_ip, "0.0.0.0") != 0 ? spec.host_ip : "");
                        r = vs_net_port_add(db, &port, err);
                }
        }
        if (r == 0 && o->publish_all)
                r = publish_all(db, id, o, img, err);
        return r;
}

/* container:NAME: that container must exist, and nothing may be published. */
static int check_container_mode(struct vs_store *s, const struct vs_run_options *o, struct vs_error *err)
{
        if (!o->network || strncmp(o->network, "container:", 10) != 0)
                return 0;
        if (o->publish || o->publish_all)
                return vs_error_set(err, EINVAL,
                                    "conflicting options: port publishing and the container type network mode");
        struct vs_container other = {0};
        int r = vs_container_find(s->db, o->network + 10, &other, err);
        vs_container_free(&other);
        return r;
}

/* --ip, --mac-address, --network-alias for the endpoint on network n. */
static int endpoint_options(const struct vs_run_options *o, const struct vs_net_network *n, struct vs_net_endpoint *e,
                            struct vs_error *err)
{
        bool user_network = strcmp(n->name, VS_NET_DEFAULT) != 0;
        if (o->ip && !user_network)
                return vs_error_set(err, EINVAL,
                                    "user specified IP address is supported on user defined networks only");
        if (o->network_aliases && !user_network)
                return vs_error_set(err, EINVAL,
                                    "network-scoped alias is supported only for containers in user defined networks");
        if (o->ip) {
                int r = vs_ipv4_parse(o->ip, "--ip", &e->ip_request, err);
                if (r < 0)
                        return r;
                if (!vs_cidr_contains(&n->subnet, e->ip_request) || e->ip_request == n->gateway)
                        return vs_error_set(err, EINVAL,
                                            "invalid address %s: not a free host address of network %s (--ip)", o->ip,
                                            n->name);
        }
        if (o->ip6 && !n->ipv6)
                return vs_error_set(err, EINVAL, "invalid address %s: network %s has no IPv6 (--ip6)", o->ip6, n->name);
        if (o->ip6) {
                int r = vs_ipv6_parse(o->ip6, "--ip6", &e->ip6_request, err);
                if (r < 0)
                        return r;
                if (!vs_cidr6_contains(&n->subnet6, &e->ip6_request) ||
                    memcmp(&e->ip6_request, &n->gateway6, sizeof(e->ip6_request)) == 0 ||
                    memcmp(&e->ip6_request, &n->subnet6.addr, sizeof(e->ip6_request)) == 0)
                        return vs_error_set(err, EINVAL,
                                            "invalid address %s: not a free host address of network %s (--ip6)", o->ip6,
                                            n->name);
        }
        if (o->mac_address) {
                uint8_t mac[6];
                int r = vs_mac_parse(o->mac_address, mac, err);
                if (r < 0)
                        return r;
                snprintf(e->mac, sizeof(e->mac), "%s", o->mac_address);
        }
        size_t used = 0;
        for (char **a = o->network_aliases; a && *a; a++) {
                if (!**a || strpbrk(*a, ", \t"))
                        return vs_error_set(err, EINVAL, "invalid argument \"%s\" for \"--network-alias\" flag", *a);
                int w = snprintf(e->aliases + used, sizeof(e->aliases) - used, "%s%s", used ? "," : "", *a);
                if (w < 0 || (size_t) w >= sizeof(e->aliases) - used)
                        return vs_error_set(err, E2BIG, "--network-alias: too many aliases");
                used += (size_t) w;
        }
        return 0;
}

int container_net_create(struct vs_store *s, const struct vs_run_options *o, const struct vs_image_config *img,
                         const char *id, const struct ctr_paths *p, struct vs_error *err)
{
        int r = vs_net_store_init(s->db, err);
        if (r == 0)
                r = check_container_mode(s, o, err);
        if (r < 0)
                return r;
        const char *name = bridged_network(o->network);
        if (!name) /* none, host, container:: no endpoint; -p is ignored there, as docker does */
                return container_net_etc(p, o, 0, err);
        struct vs_net_network n;
        r = vs_net_network_find(s->db, name, &n, err);
        if (r < 0)
                return r;
        struct vs_net_endpoint e = {0};
        snprintf(e.container_id, sizeof(e.container_id), "%s", id);
        snprintf(e.network_id, sizeof(e.network_id), "%s", n.id);
        r = endpoint_options(o, &n, &e, err);
        if (r == 0)
                r = vs_net_endpoint_add(s->db, &e, err);
        if (r == 0)
                r = record_ports(s->db, id, o, img, err);
        if (r == 0)
                r = container_net_etc(p, o, n.gateway, err);
        if (r < 0) {
                struct vs_error ignored = VS_ERROR_INIT;
                vs_net_forget(s->db, id, &ignored);
                vs_error_ignore(&ignored);
        }
        return r;
}

/* Does config.json join the namespace at `ns` (a bridged container's)? */
static bool names_netns(const char *config, const char *ns)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(config, &text, &len, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        char quoted[720];
        snprintf(quoted, sizeof(quoted), "\"%s\"", ns);
        return strstr(text, quoted) != NULL;
}

int container_net_setup(const struct globals *g, struct vs_store *s, const struct vs_container *c, struct vs_error *err)
{
        int r = vs_net_store_init(s->db, err);
        if (r < 0)
                return r;
        int lock = container_net_lock(g, err);
        if (lock < 0)
                return lock;
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        char ns[700];
        snprintf(ns, sizeof(ns), "%s/netns", p.rundir);
        r = vs_net_container_setup(s->db, c->id, names_netns(p.config, ns) ? ns : NULL, err);
        if (r == 0) { /* its name to the others on its networks, theirs to it */
                char **peers = container_net_peers(s, c->id);
                container_net_hosts_refresh(g, s, peers);
                vs_strv_free(peers);
        }
        close(lock);
        return r;
}

void container_net_teardown(const struct globals *g, struct vs_store *s, const char *id)
{
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_net_store_init(s->db, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return;
        }
        int lock = container_net_lock(g, &ignored);
        vs_error_ignore(&ignored);
        struct ctr_paths p;
        ctr_paths(g, id, &p);
        char ns[700];
        snprintf(ns, sizeof(ns), "%s/netns", p.rundir);
        char **peers = container_net_peers(s, id);
        vs_net_container_teardown(s->db, id, ns);
        container_net_hosts_refresh(g, s, peers);
        vs_strv_free(peers);
        if (lock >= 0)
                close(lock);
}

void container_net_forget(const struct globals *g, struct vs_store *s, const char *id)
{
        container_net_teardown(g, s, id);
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_net_forget(s->db, id, &ignored) < 0)
                vs_error_ignore(&ignored);
}

void container_net_ps_ports(struct vs_store *s, const struct vs_container *c, struct json_t *row)
{
        _cleanup_free_ struct vs_net_port *ports = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n = 0, len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (strcmp(c->state, "running") != 0 || vs_net_store_init(s->db, &ignored) < 0 ||
            vs_net_port_list(s->db, c->id, &ports, &n, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return;
        }
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return;
        bool first = true;
        for (size_t i = 0; i < n; i++) {
                if (!ports[i].host_port)
                        continue;
                fprintf(f, "%s%s:%u->%u/%s", first ? "" : ", ", ports[i].host_ip[0] ? ports[i].host_ip : "0.0.0.0",
                        ports[i].host_port, ports[i].container_port, ports[i].proto);
                first = false;
        }
        fclose(f);
        json_object_set_new(row, "Ports", json_string(text ? text : ""));
}

/* network connect/disconnect: the container, refreshed, and the network. */
static int find_pair(const struct globals *g, struct vs_store *s, const char *network, const char *container,
                     struct vs_container *c, struct vs_net_network *n, struct vs_error *err)
{
        int r = vs_net_store_init(s->db, err);
        if (r == 0)
                r = vs_net_network_find(s->db, network, n, err);
        if (r == 0)
                r = vs_container_find(s->db, container, c, err);
        if (r == 0)
                container_refresh(g, s, c);
        return r;
}

static int connect_locked(const struct globals *g, struct vs_store *s, const struct vs_container *c,
                          struct vs_net_endpoint *e, struct vs_error *err)
{
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        char ns[700];
        snprintf(ns, sizeof(ns), "%s/netns", p.rundir);
        bool running = strcmp(c->state, "running") == 0;
        _cleanup_free_ struct vs_net_endpoint *eps = NULL;
        size_t n = 0;
        int r = vs_net_endpoint_list(s->db, c->id, NULL, &eps, &n, err);
        if (r == 0 && running && access(ns, F_OK) < 0)
                r = vs_error_set(err, EINVAL, "container %s is not on a bridge network (none, host or container: mode)",
                                 c->name);
        if (r == 0)
                r = vs_net_container_connect(s->db, e, running ? ns : NULL, err);
        if (r == 0 && running) {
                char **peers = container_net_peers(s, c->id);
                container_net_hosts_refresh(g, s, peers);
                vs_strv_free(peers);
        }
        return r;
}

int container_net_connect(const struct globals *g, struct vs_store *s, const char *network, const char *container,
                          const struct vs_run_options *o, struct vs_error *err)
{
        struct vs_container c = {0};
        struct vs_net_network n;
        struct vs_net_endpoint e = {0};
        int r = find_pair(g, s, network, container, &c, &n, err);
        if (r == 0)
                r = endpoint_options(o, &n, &e, err); /* --ip, --ip6, --alias */
        int lock = r < 0 ? r : container_net_lock(g, err);
        if (lock >= 0) {
                snprintf(e.container_id, sizeof(e.container_id), "%s", c.id);
                snprintf(e.network_id, sizeof(e.network_id), "%s", n.id);
                r = connect_locked(g, s, &c, &e, err);
                close(lock);
        } else
                r = lock;
        vs_container_free(&c);
        return r;
}

int container_net_disconnect(const struct globals *g, struct vs_store *s, const char *network, const char *container,
                             struct vs_error *err)
{
        struct vs_container c = {0};
        struct vs_net_network n;
        int r = find_pair(g, s, network, container, &c, &n, err);
        int lock = r < 0 ? r : container_net_lock(g, err);
        if (lock >= 0) {
                char **peers = container_net_peers(s, c.id);
                r = vs_net_container_disconnect(s->db, c.id, n.id, err);
                if (r == -ENOENT) {
                        vs_error_ignore(err);
                        r = vs_error_set(err, ENOENT, "container %s is not connected to network %s", c.name, n.name);
                }
                container_net_hosts_refresh(g, s, peers);
                vs_strv_free(peers);
                close(lock);
        } else
                r = lock;
        vs_container_free(&c);
        return r;
}
