/* vessel: the `ip vessel` and `ip6 vessel` nftables tables (see nft.h). */
#include <errno.h>
#include "net/lazy_nft.h"
#include <stdio.h>
#include <string.h>

#include "net/nft.h"

static const char table_text[] =
        "table ip " VS_NFT_TABLE " {\n"
        " set shape { type inet_service; elements = { " VS_NFT_SHAPE " }; }\n"
        " set bridges { type ifname; }\n"
        " set internal { type ifname; }\n"
        " set samebr { type ifname . ifname; }\n"
        " set nets { type ipv4_addr; flags interval; }\n"
        " map ports_tcp { type inet_service : ipv4_addr . inet_service; }\n"
        " map ports_udp { type inet_service : ipv4_addr . inet_service; }\n"
        " map addrports_tcp { type ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
        " map addrports_udp { type ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
        " chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
        "  fib daddr type local meta l4proto tcp dnat ip to ip daddr . tcp dport map @addrports_tcp\n"
        "  fib daddr type local meta l4proto udp dnat ip to ip daddr . udp dport map @addrports_udp\n"
        "  fib daddr type local meta l4proto tcp dnat ip to tcp dport map @ports_tcp\n"
        "  fib daddr type local meta l4proto udp dnat ip to udp dport map @ports_udp\n"
        " }\n"
        " chain output { type nat hook output priority -100; policy accept;\n"
        "  fib daddr type local meta l4proto tcp dnat ip to ip daddr . tcp dport map @addrports_tcp\n"
        "  fib daddr type local meta l4proto udp dnat ip to ip daddr . udp dport map @addrports_udp\n"
        "  fib daddr type local meta l4proto tcp dnat ip to tcp dport map @ports_tcp\n"
        "  fib daddr type local meta l4proto udp dnat ip to udp dport map @ports_udp\n"
        " }\n"
        " chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
        "  ip saddr @nets oifname != @bridges masquerade\n"
        "  ip saddr 127.0.0.0/8 oifname @bridges masquerade\n"
        "  ct status dnat ip saddr @nets oifname @bridges masquerade\n"
        " }\n"
        " chain forward { type filter hook forward priority filter; policy accept;\n"
        "  iifname . oifname @samebr accept\n"
        "  iifname @internal drop\n"
        "  oifname @internal drop\n"
        "  iifname @bridges oifname @bridges drop\n"
        " }\n"
        "}\n"
        "table ip6 " VS_NFT_TABLE " {\n"
        " set bridges { type ifname; }\n"
        " set internal { type ifname; }\n"
        " set samebr { type ifname . ifname; }\n"
        " set nets { type ipv6_addr; flags interval; }\n"
        " chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
        "  ip6 saddr @nets oifname != @bridges masquerade\n"
        " }\n"
        " chain forward { type filter hook forward priority filter; policy accept;\n"
        "  iifname . oifname @samebr accept\n"
        "  iifname @internal drop\n"
        "  oifname @internal drop\n"
        "  iifname @bridges oifname @bridges drop\n"
        " }\n"
        "}\n";

/* Run commands; on failure err (when not NULL) quotes nft's first error line. */
static int nft_run(const char *cmds, const char *what, struct vs_error *err)
{
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return err ? vs_error_set(err, ENOMEM, "cannot start libnftables") : -ENOMEM;
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        int rc = nft_run_cmd_from_buffer(ctx, cmds);
        int r = 0;
        if (rc != 0) {
                const char *e = nft_ctx_get_error_buffer(ctx);
                size_t len = e ? strcspn(e, "\n") : 0;
                r = err ? vs_error_set(err, EIO, "nftables: cannot %s: %.*s", what, (int) len, e ? e : "") : -EIO;
        }
        nft_ctx_free(ctx);
        return r;
}

/* Run cmds and match out against its output: 1 when it has `want`, 0 when
 * not, a negative errno when cmds failed. */
static int nft_query(const char *cmds, const char *want)
{
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        int r = -ENOENT;
        if (nft_run_cmd_from_buffer(ctx, cmds) == 0) {
                const char *out = nft_ctx_get_output_buffer(ctx);
                r = out && strstr(out, want) != NULL;
        }
        nft_ctx_free(ctx);
        return r;
}

int vs_nft_ensure(bool *made, struct vs_error *err)
{
        *made = false;
        int r = nft_query("list set ip " VS_NFT_TABLE " shape\nlist set ip6 " VS_NFT_TABLE " nets",
                          "elements = { " VS_NFT_SHAPE " }");
        if (r == 1)
                return 0;
        /* none, half (no ip6 table), or of another shape (an older vessel's) */
        vs_nft_remove();
        r = nft_run(table_text, "create the tables " VS_NFT_TABLE, err);
        *made = r == 0;
        return r;
}

void vs_nft_remove(void)
{
        nft_run("delete table ip " VS_NFT_TABLE, "delete", NULL);
        nft_run("delete table ip6 " VS_NFT_TABLE, "delete", NULL);
}

/* The commands that add or delete n's elements, one a line. */
static void network_cmds(char *buf, size_t size, const char *verb, const struct vs_net_network *n)
{
        char cidr[VS_IP6_STRLEN + 4];
        vs_cidr_format(&n->subnet, cidr);
        FILE *f = fmemopen(buf, size, "w");
        if (!f) {
                buf[0] = '\0';
                return;
        }
        for (int v6 = 0; v6 < 2; v6++) {
                const char *family = v6 ? "ip6" : "ip";
                fprintf(f, "%s element %s " VS_NFT_TABLE " bridges { \"%s\" }\n", verb, family, n->bridge);
                fprintf(f, "%s element %s " VS_NFT_TABLE " samebr { \"%s\" . \"%s\" }\n", verb, family, n->bridge,
                        n->bridge);
                if (n->internal)
                        fprintf(f, "%s element %s " VS_NFT_TABLE " internal { \"%s\" }\n", verb, family, n->bridge);
        }
        fprintf(f, "%s element ip " VS_NFT_TABLE " nets { %s }\n", verb, cidr);
        if (n->ipv6) {
                vs_cidr6_format(&n->subnet6, cidr);
                fprintf(f, "%s element ip6 " VS_NFT_TABLE " nets { %s }\n", verb, cidr);
        }
        fputc('\0', f);
        fclose(f);
}

int vs_nft_network_add(const struct vs_net_network *n, struct vs_error *err)
{
        char cmds[2048];
        network_cmds(cmds, sizeof(cmds), "add", n);
        return nft_run(cmds, "add the network's elements", err);
}

void vs_nft_network_del(const struct vs_net_network *n)
{
        char cmds[2048];
        network_cmds(cmds, sizeof(cmds), "delete", n);
        /* one command at a time: one missing element does not keep the others */
        for (char *save = NULL, *line = strtok_r(cmds, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                nft_run(line, "delete", NULL);
}

/* The key of a published port: "80" in ports_tcp, or "127.0.0.1 . 80" in addrports_tcp. */
static void port_key(char *buf, size_t size, const char *proto, const char *host_ip, uint16_t host_port)
{
        if (host_ip && host_ip[0])
                snprintf(buf, size, "ip " VS_NFT_TABLE " addrports_%s { %s . %u", proto, host_ip, host_port);
        else
                snprintf(buf, size, "ip " VS_NFT_TABLE " ports_%s { %u", proto, host_port);
}

int vs_nft_port_add(const char *proto, const char *host_ip, uint16_t host_port, uint32_t ip, uint16_t container_port,
                    struct vs_error *err)
{
        char cmd[256], key[128], addr[16];
        vs_ipv4_format(ip, addr);
        port_key(key, sizeof(key), proto, host_ip, host_port);
        snprintf(cmd, sizeof(cmd), "add element %s : %s . %u }", key, addr, container_port);
        return nft_run(cmd, "publish a port", err);
}

void vs_nft_port_del(const char *proto, const char *host_ip, uint16_t host_port)
{
        char cmd[256], key[128];
        port_key(key, sizeof(key), proto, host_ip, host_port);
        snprintf(cmd, sizeof(cmd), "delete element %s }", key);
        nft_run(cmd, "delete", NULL);
}

bool vs_nft_has_networks(void)
{
        /* no table, or no set: nothing to keep; when in doubt (no memory), keep it */
        int r = nft_query("list set ip " VS_NFT_TABLE " bridges", "elements");
        return r == 1 || r == -ENOMEM;
}
