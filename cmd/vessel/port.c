/* vessel port: a container's published ports, as docker prints them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "net/store.h"
#include "util/cleanup.h"

/* "80", "80/tcp": does port p match? */
static bool port_matches(const struct vs_net_port *p, const char *want)
{
        if (!want)
                return true;
        char buf[32];
        snprintf(buf, sizeof(buf), "%s", want);
        char *slash = strchr(buf, '/');
        const char *proto = "tcp";
        if (slash) {
                *slash = '\0';
                proto = slash + 1;
        }
        return atoi(buf) == p->container_port && strcmp(proto, p->proto) == 0;
}

static int print_ports(const struct globals *g, struct vs_store *s, const char *name, const char *want,
                       struct vs_error *err)
{
        struct vs_container c = {0};
        int r = vs_container_find(s->db, name, &c, err);
        if (r < 0)
                return r;
        container_refresh(g, s, &c);
        _cleanup_free_ struct vs_net_port *ports = NULL;
        size_t n = 0;
        r = vs_net_port_list(s->db, c.id, &ports, &n, err);
        bool any = false;
        for (size_t i = 0; r == 0 && i < n; i++) {
                if (!ports[i].host_port || !port_matches(&ports[i], want))
                        continue;
                any = true;
                if (want)
                        printf("%s:%u\n", ports[i].host_ip[0] ? ports[i].host_ip : "0.0.0.0", ports[i].host_port);
                else
                        printf("%u/%s -> %s:%u\n", ports[i].container_port, ports[i].proto,
                               ports[i].host_ip[0] ? ports[i].host_ip : "0.0.0.0", ports[i].host_port);
        }
        if (r == 0 && want && !any)
                r = vs_error_set(err, ENOENT, "No public port '%s%s' published for %s", want,
                                 strchr(want, '/') ? "" : "/tcp", name);
        vs_container_free(&c);
        return r;
}

int cmd_port(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        int c;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                if (c == 'h') {
                        print_help("port CONTAINER [PRIVATE_PORT[/PROTO]]",
                                   "List port mappings or a specific mapping for the container", "");
                        return 0;
                }
                return 125;
        }
        if (!want_args(argc, argv, 1, 2, "port CONTAINER [PRIVATE_PORT[/PROTO]]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        int r = engine_open(g, &s, &err);
        if (r == 0)
                r = vs_net_store_init(s->db, &err);
        if (r == 0)
                r = print_ports(g, s, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &err);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}
