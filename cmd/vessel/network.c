/* vessel network create, ls, inspect, rm, prune: docker's flags and output. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "engine/run_options.h"
#include "format.h"
#include "net/attach.h"
#include "net/store.h"
#include "util/cleanup.h"

#define LS_TABLE "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}"

static const struct header_name ls_headers[] = {{"ID", "NETWORK ID"}, {NULL, NULL}};

/* The store with the container and network tables. */
static int net_open(const struct globals *g, struct vs_store **s, struct vs_error *err)
{
        int r = engine_open(g, s, err);
        if (r == 0 && (r = vs_net_store_init((*s)->db, err)) < 0) {
                vs_store_close(*s);
                *s = NULL;
        }
        return r;
}

struct create_args {
        const char *driver, *subnet, *gateway, *ip_range;
        const char *subnet6, *gateway6; /* --subnet, --gateway given an IPv6 address */
        bool internal, ipv6;
        unsigned mtu;
};

/* --subnet or --gateway: the IPv4 one, or the IPv6 one; each at most once. */
static int set_address_arg(const char **v4, const char **v6, const char *flag, const char *value, struct vs_error *err)
{
        const char **slot = vs_ip_is_v6(value) ? v6 : v4;
        if (*slot)
                return vs_error_set(err, EINVAL, "%s: one IPv4 and one IPv6 value at most (\"%s\", \"%s\")", flag,
                                    *slot, value);
        *slot = value;
        return 0;
}

static bool valid_name(const char *name)
{
        if (!isalnum((unsigned char) name[0]) || strlen(name) > 100)
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
                        return false;
        return true;
}

static int parse_opt(const char *opt, struct create_args *a, struct vs_error *err)
{
        const char *eq = strchr(opt, '=');
        if (!eq)
                return vs_error_set(err, EINVAL, "invalid option \"%s\" (-o, --opt): KEY=VALUE", opt);
        size_t klen = (size_t) (eq - opt);
        if ((klen == 3 && strncmp(opt, "mtu", 3) == 0) ||
            strncmp(opt, "com.docker.network.driver.mtu=", klen + 1) == 0) {
                char *end;
                long v = strtol(eq + 1, &end, 10);
                if (*end || end == eq + 1 || v < 68 || v > 65535)
                        return vs_error_set(err, EINVAL, "invalid MTU \"%s\" (-o, --opt): 68-65535", eq + 1);
                a->mtu = (unsigned) v;
                return 0;
        }
        return vs_error_set(err, EINVAL, "unknown option \"%.*s\" (-o, --opt)", (int) klen, opt);
}

/* A /16 of 172.18-31.0.0, then a /20 of 192.168.0.0/16, free of every other network. */
static int pick_subnet(sqlite3 *db, struct vs_cidr *ret, struct vs_error *err)
{
        _cleanup_free_ struct vs_net_network *list = NULL;
        size_t n = 0;
        int r = vs_net_network_list(db, &list, &n, err);
        if (r < 0)
                return r;
        for (unsigned k = 0; k < 14 + 16; k++) {
                struct vs_cidr c = k < 14 ? (struct vs_cidr){(172u << 24) | ((18u + k) << 16), 16}
                                          : (struct vs_cidr){(192u << 24) | (168u << 16) | ((k - 14) << 12), 20};
                bool taken = false;
                for (size_t i = 0; i < n && !taken; i++)
                        taken = vs_cidr_overlap(&c, &list[i].subnet);
                if (!taken) {
                        *ret = c;
                        return 0;
                }
        }
        return vs_error_set(err, ENOSPC, "could not find an available, non-overlapping IPv4 address pool");
}

static int network_fill(sqlite3 *db, const char *name, const struct create_args *a, struct vs_net_network *n,
                        struct vs_error *err)
{
        if (!valid_name(name))
                return vs_error_set(err, EINVAL, "invalid network name \"%s\": [a-zA-Z0-9][a-zA-Z0-9_.-]*", name);
        if (a->driver && strcmp(a->driver, "bridge") != 0)
                return vs_error_set(err, EINVAL, "plugin \"%s\" not found (-d, --driver: bridge is the only one)",
                                    a->driver);
        snprintf(n->name, sizeof(n->name), "%s", name);
        snprintf(n->driver, sizeof(n->driver), "bridge");
        n->internal = a->internal;
        n->mtu = a->mtu;
        n->created = now_ns();
        int r = a->subnet ? vs_cidr_parse(a->subnet, "--subnet", &n->subnet, err) : pick_subnet(db, &n->subnet, err);
        if (r == 0 && n->subnet.prefix > 30)
                r = vs_error_set(err, EINVAL, "subnet %s is too small (--subnet: at most /30)", a->subnet);
        if (r == 0 && (a->gateway || a->ip_range) && !a->subnet)
                r = vs_error_set(err, EINVAL, "%s needs --subnet", a->gateway ? "--gateway" : "--ip-range");
        uint32_t bcast = n->subnet.addr | ~vs_cidr_mask(&n->subnet);
        n->gateway = n->subnet.addr + 1;
        if (r == 0 && a->gateway && (r = vs_ipv4_parse(a->gateway, "--gateway", &n->gateway, err)) == 0 &&
            (!vs_cidr_contains(&n->subnet, n->gateway) || n->gateway == n->subnet.addr || n->gateway == bcast))
                r = vs_error_set(err, EINVAL, "gateway %s is not a host address of subnet %s (--gateway)", a->gateway,
                                 a->subnet);
        if (r == 0 && a->ip_range && (r = vs_cidr_parse(a->ip_range, "--ip-range", &n->ip_range, err)) == 0 &&
            (!vs_cidr_contains(&n->subnet, n->ip_range.addr) || n->ip_range.prefix < n->subnet.prefix))
                r = vs_error_set(err, EINVAL, "ip range %s is not inside subnet %s (--ip-range)", a->ip_range,
                                 a->subnet);
        return r;
}

/* --ipv6 with --subnet IPV6/N [--gateway IPV6]. */
static int network_fill6(const struct create_args *a, struct vs_net_network *n, struct vs_error *err)
{
        if (!a->ipv6 && (a->subnet6 || a->gateway6))
                return vs_error_set(err, EINVAL, "IPv6 address %s needs --ipv6", a->subnet6 ? a->subnet6 : a->gateway6);
        if (!a->ipv6)
                return 0;
        if (!a->subnet6)
                return vs_error_set(err, EINVAL, "--ipv6 needs an IPv6 --subnet (e.g. --subnet fd00:1::/64)");
        int r = vs_cidr6_parse(a->subnet6, "--subnet", &n->subnet6, err);
        if (r == 0 && n->subnet6.prefix > 124)
                r = vs_error_set(err, EINVAL, "subnet %s is too small (--subnet: at most /124)", a->subnet6);
        if (r < 0)
                return r;
        n->ipv6 = true;
        n->gateway6 = vs_ipv6_add(&n->subnet6.addr, 1);
        if (a->gateway6 && (r = vs_ipv6_parse(a->gateway6, "--gateway", &n->gateway6, err)) == 0 &&
            (!vs_cidr6_contains(&n->subnet6, &n->gateway6) ||
             memcmp(&n->gateway6, &n->subnet6.addr, sizeof(n->gateway6)) == 0))
                r = vs_error_set(err, EINVAL, "gateway %s is not a host address of subnet %s (--gateway)", a->gateway6,
                                 a->subnet6);
        return r;
}

static int network_create(const struct globals *g, const char *name, const struct create_args *a, struct vs_error *err)
{
        struct vs_store *s = NULL;
        int r = net_open(g, &s, err);
        if (r < 0)
                return r;
        int lock = container_net_lock(g, err);
        struct vs_net_network n = {0};
        r = lock < 0 ? lock : network_fill(s->db, name, a, &n, err);
        if (r == 0)
                r = network_fill6(a, &n, err);
        if (r == 0)
                r = vs_net_network_insert(s->db, &n, err);
        if (r == 0 && (r = vs_net_bridge_up(s->db, &n, err)) < 0) {
                struct vs_error ignored = VS_ERROR_INIT;
                vs_net_network_delete(s->db, &n, &ignored);
                vs_error_ignore(&ignored);
                vs_net_gc(s->db, false);
        }
        if (r == 0)
                printf("%s\n", n.id);
        if (lock >= 0)
                close(lock);
        vs_store_close(s);
        return r;
}

static int cmd_network_create(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"driver", required_argument, NULL, 'd'},
                {"subnet", required_argument, NULL, 'S'},
                {"gateway", required_argument, NULL, 'G'},
                {"ip-range", required_argument, NULL, 'R'},
                {"internal", no_argument, NULL, 'I'},
                {"opt", required_argument, NULL, 'o'},
                {"ipv6", no_argument, NULL, '6'},
                {"label", required_argument, NULL, 'L'},
                {"attachable", no_argument, NULL, 'A'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct create_args a = {0};
        struct vs_error err = VS_ERROR_INIT;
        int c;
        while ((c = next_option(argc, argv, "d:o:h", longopts)) != -1) {
                switch (c) {
                case 'd':
                        a.driver = optarg;
                        break;
                case 'S':
                        if (set_address_arg(&a.subnet, &a.subnet6, "--subnet", optarg, &err) < 0)
                                return fail(&err);
                        break;
                case 'G':
                        if (set_address_arg(&a.gateway, &a.gateway6, "--gateway", optarg, &err) < 0)
                                return fail(&err);
                        break;
                case 'R':
                        a.ip_range = optarg;
                        break;
                case 'I':
                        a.internal = true;
                        break;
                case '6':
                        a.ipv6 = true;
                        break;
                case 'o':
                        if (parse_opt(optarg, &a, &err) < 0)
                                return fail(&err);
                        break;
                case 'L':
                case 'A':
                        break;
                case 'h':
                        print_help(
                                "network create [OPTIONS] NETWORK", "Create a network",
                                "  -d, --driver string     Driver to manage the Network (default \"bridge\")\n"
                                "      --gateway string    IPv4 or IPv6 Gateway for the master subnet\n"
                                "      --internal          Restrict external access to the network\n"
                                "      --ipv6              Enable IPv6 networking (with an IPv6 --subnet)\n"
                                "      --ip-range string   Allocate container ip from a sub-range\n"
                                "  -o, --opt map           Set driver specific options (mtu=N)\n"
                                "      --subnet string     Subnet in CIDR format that represents a network segment\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, 1, "network create [OPTIONS] NETWORK"))
                return 125;
        return network_create(g, argv[optind], &a, &err) < 0 ? fail(&err) : 0;
}

static json_t *ls_row(const struct vs_net_network *n)
{
        char id[13];
        snprintf(id, sizeof(id), "%.12s", n->id);
        return json_pack("{s:s,s:s,s:s,s:s,s:b}", "ID", id, "Name", n->name, "Driver", n->driver, "Scope", "local",
                         "Internal", n->internal);
}

static int cmd_network_ls(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"quiet", no_argument, NULL, 'q'},
                {"format", required_argument, NULL, 'F'},
                {"no-trunc", no_argument, NULL, 'T'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        bool quiet = false;
        const char *format = NULL;
        int c;
        while ((c = next_option(argc, argv, "qh", longopts)) != -1) {
                if (c == 'q')
                        quiet = true;
                else if (c == 'F')
                        format = optarg;
                else if (c == 'T')
                        continue;
                else if (c == 'h') {
                        print_help("network ls [OPTIONS]", "List networks",
                                   "      --format string   Format output using a custom template\n"
                                   "  -q, --quiet           Only display network IDs\n");
                        return 0;
                } else
                        return 125;
        }
        if (!want_args(argc, argv, 0, 0, "network ls [OPTIONS]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        _cleanup_free_ struct vs_net_network *list = NULL;
        size_t n = 0;
        int r = net_open(g, &s, &err);
        if (r == 0)
                r = vs_net_network_list(s->db, &list, &n, &err);
        json_t *rows = json_array();
        for (size_t i = 0; r == 0 && i < n; i++)
                json_array_append_new(rows, ls_row(&list[i]));
        if (r == 0)
                r = format_rows(stdout, quiet ? "{{.ID}}" : format, LS_TABLE, rows, ls_headers, &err);
        json_decref(rows);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}

static json_t *inspect_containers(struct vs_store *s, const struct vs_net_network *n)
{
        json_t *o = json_object();
        _cleanup_free_ struct vs_net_endpoint *eps = NULL;
        size_t count = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_net_endpoint_list(s->db, NULL, n->id, &eps, &count, &ignored) < 0)
                vs_error_ignore(&ignored);
        for (size_t i = 0; i < count; i++) {
                if (!eps[i].ip)
                        continue;
                struct vs_container c = {0};
                char ip[16], addr[24];
                vs_ipv4_format(eps[i].ip, ip);
                snprintf(addr, sizeof(addr), "%s/%u", ip, n->subnet.prefix);
                bool found = vs_container_find(s->db, eps[i].container_id, &c, &ignored) == 0;
                vs_error_ignore(&ignored);
                char ip6[VS_IP6_STRLEN], addr6[VS_IP6_STRLEN + 4] = "";
                if (!vs_ipv6_is_zero(&eps[i].ip6)) {
                        vs_ipv6_format(&eps[i].ip6, ip6);
                        snprintf(addr6, sizeof(addr6), "%s/%u", ip6, n->subnet6.prefix);
                }
                json_object_set_new(o, eps[i].container_id,
                                    json_pack("{s:s,s:s,s:s}", "Name", found ? c.name : "", "IPv4Address", addr,
                                              "IPv6Address", addr6));
                vs_container_free(&c);
        }
        return o;
}

static json_t *inspect_one(struct vs_store *s, const struct vs_net_network *n)
{
        char subnet[20], gateway[16], range[20], created[64];
        vs_cidr_format(&n->subnet, subnet);
        vs_ipv4_format(n->gateway, gateway);
        rfc3339(n->created / 1000000000, (long) (n->created % 1000000000), created, sizeof(created));
        json_t *cfg = json_pack("{s:s,s:s}", "Subnet", subnet, "Gateway", gateway);
        if (n->ip_range.prefix) {
                vs_cidr_format(&n->ip_range, range);
                json_object_set_new(cfg, "IPRange", json_string(range));
        }
        json_t *configs = json_pack("[o]", cfg);
        if (n->ipv6) {
                char subnet6[VS_IP6_STRLEN + 4], gateway6[VS_IP6_STRLEN];
                vs_cidr6_format(&n->subnet6, subnet6);
                vs_ipv6_format(&n->gateway6, gateway6);
                json_array_append_new(configs, json_pack("{s:s,s:s}", "Subnet", subnet6, "Gateway", gateway6));
        }
        json_t *opts = json_pack("{s:s}", "com.docker.network.bridge.name", n->bridge);
        if (n->mtu)
                json_object_set_new(opts, "com.docker.network.driver.mtu", json_sprintf("%u", n->mtu));
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:{s:s,s:o},s:b,s:o,s:o,s:{}}", "Name", n->name, "Id", n->id,
                         "Created", created, "Scope", "local", "Driver", n->driver, "EnableIPv6", n->ipv6, "IPAM",
                         "Driver", "default", "Config", configs, "Internal", n->internal, "Containers",
                         inspect_containers(s, n), "Options", opts, "Labels");
}

static int cmd_network_inspect(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"format", required_argument, NULL, 'f'},
                {"verbose", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *format = NULL;
        int c;
        while ((c = next_option(argc, argv, "f:vh", longopts)) != -1) {
                if (c == 'f')
                        format = optarg;
                else if (c == 'h') {
                        print_help("network inspect [OPTIONS] NETWORK [NETWORK...]",
                                   "Display detailed information on one or more networks",
                                   "  -f, --format string   Format output using a custom template\n");
                        return 0;
                } else if (c != 'v')
                        return 125;
        }
        if (!want_args(argc, argv, 1, -1, "network inspect [OPTIONS] NETWORK [NETWORK...]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (net_open(g, &s, &err) < 0)
                return fail(&err);
        json_t *all = json_array();
        int status = 0;
        for (int i = optind; i < argc; i++) {
                struct vs_net_network n;
                if (vs_net_network_find(s->db, argv[i], &n, &err) < 0) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                        continue;
                }
                json_t *one = inspect_one(s, &n);
                if (format) {
                        if (format_value(stdout, format, one, &err) < 0)
                                status = fail(&err);
                        json_decref(one);
                } else
                        json_array_append_new(all, one);
        }
        if (!format) {
                _cleanup_free_ char *text = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
                printf("%s\n", text ? text : "[]");
        }
        json_decref(all);
        vs_store_close(s);
        return status;
}

/* Remove one network (not the default); err filled on failure. */
static int network_remove(const struct globals *g, struct vs_store *s, const char *text, struct vs_error *err)
{
        struct vs_net_network n;
        int r = vs_net_network_find(s->db, text, &n, err);
        if (r == 0 && strcmp(n.name, VS_NET_DEFAULT) == 0)
                r = vs_error_set(err, EPERM, "%s is a pre-defined network and cannot be removed", n.name);
        if (r < 0)
                return r;
        int lock = container_net_lock(g, err);
        if (lock < 0)
                return lock;
        r = vs_net_network_delete(s->db, &n, err);
        if (r == 0) {
                vs_net_bridge_down(&n);
                vs_net_gc(s->db, false);
        }
        close(lock);
        return r;
}

static int cmd_network_rm(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"force", no_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "fh", longopts)) != -1) {
                if (c == 'h') {
                        print_help("network rm NETWORK [NETWORK...]", "Remove one or more networks", "");
                        return 0;
                } else if (c != 'f')
                        return 125;
        }
        if (!want_args(argc, argv, 1, -1, "network rm NETWORK [NETWORK...]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (net_open(g, &s, &err) < 0)
                return fail(&err);
        int status = 0;
        for (int i = optind; i < argc; i++) {
                if (network_remove(g, s, argv[i], &err) < 0) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                } else
                        printf("%s\n", argv[i]);
        }
        vs_store_close(s);
        return status;
}

static int cmd_network_prune(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"force", no_argument, NULL, 'f'},
                {"filter", required_argument, NULL, 'F'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "fh", longopts)) != -1) {
                if (c == 'h') {
                        print_help("network prune [OPTIONS]", "Remove all unused networks",
                                   "  -f, --force   Do not prompt for confirmation\n");
                        return 0;
                } else if (c != 'f')
                        return 125;
        }
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        _cleanup_free_ struct vs_net_network *list = NULL;
        size_t n = 0;
        if (net_open(g, &s, &err) < 0 || vs_net_network_list(s->db, &list, &n, &err) < 0) {
                if (s)
                        vs_store_close(s);
                return fail(&err);
        }
        bool header = false;
        for (size_t i = 0; i < n; i++) {
                if (strcmp(list[i].name, VS_NET_DEFAULT) == 0)
                        continue;
                _cleanup_free_ struct vs_net_endpoint *eps = NULL;
                size_t ne = 0;
                if (vs_net_endpoint_list(s->db, NULL, list[i].id, &eps, &ne, &err) < 0 || ne > 0 ||
                    network_remove(g, s, list[i].id, &err) < 0) {
                        vs_error_ignore(&err);
                        continue;
                }
                if (!header)
                        printf("Deleted Networks:\n");
                header = true;
                printf("%s\n", list[i].name);
        }
        int lock = container_net_lock(g, &err); /* and the default bridge, when no container uses it */
        if (lock >= 0) {
                vs_net_gc(s->db, true);
                close(lock);
        }
        vs_error_ignore(&err);
        vs_store_close(s);
        return 0;
}

static int cmd_network_connect(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"ip", required_argument, NULL, 'I'},
                {"ip6", required_argument, NULL, '6'},
                {"alias", required_argument, NULL, 'A'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct vs_run_options o = {0};
        _cleanup_free_ char **aliases = calloc((size_t) argc + 1, sizeof(char *));
        size_t naliases = 0;
        int c;
        if (!aliases)
                return 125;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                if (c == 'I')
                        o.ip = optarg;
                else if (c == '6')
                        o.ip6 = optarg;
                else if (c == 'A')
                        aliases[naliases++] = optarg;
                else if (c == 'h') {
                        print_help("network connect [OPTIONS] NETWORK CONTAINER", "Connect a container to a network",
                                   "      --alias strings   Add network-scoped alias for the container\n"
                                   "      --ip string       IPv4 address (e.g., \"172.30.100.104\")\n"
                                   "      --ip6 string      IPv6 address (e.g., \"2001:db8::33\")\n");
                        return 0;
                } else
                        return 125;
        }
        o.network_aliases = naliases ? aliases : NULL;
        if (!want_args(argc, argv, 2, 2, "network connect [OPTIONS] NETWORK CONTAINER"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        int r = net_open(g, &s, &err);
        if (r == 0)
                r = container_net_connect(g, s, argv[optind], argv[optind + 1], &o, &err);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}

static int cmd_network_disconnect(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"force", no_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "fh", longopts)) != -1) {
                if (c == 'h') {
                        print_help("network disconnect [OPTIONS] NETWORK CONTAINER",
                                   "Disconnect a container from a network", "");
                        return 0;
                } else if (c != 'f')
                        return 125;
        }
        if (!want_args(argc, argv, 2, 2, "network disconnect [OPTIONS] NETWORK CONTAINER"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        int r = net_open(g, &s, &err);
        if (r == 0)
                r = container_net_disconnect(g, s, argv[optind], argv[optind + 1], &err);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}

int cmd_network(const struct globals *g, int argc, char **argv)
{
        static const struct {
                const char *name, *alias;
                int (*run)(const struct globals *g, int argc, char **argv);
                const char *summary;
        } subs[] = {
                {"connect", NULL, cmd_network_connect, "Connect a container to a network"},
                {"create", NULL, cmd_network_create, "Create a network"},
                {"disconnect", NULL, cmd_network_disconnect, "Disconnect a container from a network"},
                {"inspect", NULL, cmd_network_inspect, "Display detailed information on one or more networks"},
                {"ls", "list", cmd_network_ls, "List networks"},
                {"prune", NULL, cmd_network_prune, "Remove all unused networks"},
                {"rm", "remove", cmd_network_rm, "Remove one or more networks"},
        };
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                printf("\nUsage:  vessel network COMMAND\n\nManage networks\n\nCommands:\n");
                for (size_t i = 0; i < VS_ARRAY_SIZE(subs); i++)
                        printf("  %-9s %s\n", subs[i].name, subs[i].summary);
                printf("\nRun 'vessel network COMMAND --help' for more information on a command.\n");
                return 0;
        }
        for (size_t i = 0; i < VS_ARRAY_SIZE(subs); i++)
                if (strcmp(argv[1], subs[i].name) == 0 || (subs[i].alias && strcmp(argv[1], subs[i].alias) == 0)) {
                        optind = 0;
                        return subs[i].run(g, argc - 1, argv + 1);
                }
        return fail_usage("'network %s' is not a vessel command (see 'vessel network --help')", argv[1]);
}
