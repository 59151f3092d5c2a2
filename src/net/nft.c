/* vessel: the `ip vessel` nftables table (see nft.h). */
#include <errno.h>
#include "net/lazy_nft.h"
#include <stdio.h>
#include <string.h>

#include "net/nft.h"

static const char table_text[] = "table ip " VS_NFT_TABLE " {\n"
                                 " set bridges { type ifname; }\n"
                                 " set internal { type ifname; }\n"
                                 " set samebr { type ifname . ifname; }\n"
                                 " set nets { type ipv4_addr; flags interval; }\n"
                                 " map ports_tcp { type inet_service : ipv4_addr . inet_service; }\n"
                                 " map ports_udp { type inet_service : ipv4_addr . inet_service; }\n"
                                 " chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
                                 "  fib daddr type local meta l4proto tcp dnat ip to tcp dport map @ports_tcp\n"
                                 "  fib daddr type local meta l4proto udp dnat ip to udp dport map @ports_udp\n"
                                 " }\n"
                                 " chain output { type nat hook output priority -100; policy accept;\n"
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

int vs_nft_ensure(struct vs_error *err)
{
        if (nft_run("list table ip " VS_NFT_TABLE, "list", NULL) == 0)
                return 0;
        return nft_run(table_text, "create table ip " VS_NFT_TABLE, err);
}

void vs_nft_remove(void)
{
        nft_run("delete table ip " VS_NFT_TABLE, "delete", NULL);
}

static void network_cmds(char *buf, size_t size, const char *verb, const char *bridge, const struct vs_cidr *subnet,
                         bool internal)
{
        char cidr[20];
        vs_cidr_format(subnet, cidr);
        int n = snprintf(buf, size,
                         "%s element ip " VS_NFT_TABLE " bridges { \"%s\" }\n"
                         "%s element ip " VS_NFT_TABLE " samebr { \"%s\" . \"%s\" }\n"
                         "%s element ip " VS_NFT_TABLE " nets { %s }\n",
                         verb, bridge, verb, bridge, bridge, verb, cidr);
        if (internal && n > 0 && (size_t) n < size)
                snprintf(buf + n, size - (size_t) n, "%s element ip " VS_NFT_TABLE " internal { \"%s\" }\n", verb,
                         bridge);
}

int vs_nft_network_add(const char *bridge, const struct vs_cidr *subnet, bool internal, struct vs_error *err)
{
        char cmds[1024];
        network_cmds(cmds, sizeof(cmds), "add", bridge, subnet, internal);
        return nft_run(cmds, "add the network's elements", err);
}

void vs_nft_network_del(const char *bridge, const struct vs_cidr *subnet, bool internal)
{
        char cmds[1024];
        network_cmds(cmds, sizeof(cmds), "delete", bridge, subnet, internal);
        /* one command at a time: one missing element does not keep the others */
        for (char *line = strtok(cmds, "\n"); line; line = strtok(NULL, "\n"))
                nft_run(line, "delete", NULL);
}

int vs_nft_port_add(const char *proto, uint16_t host_port, uint32_t ip, uint16_t container_port, struct vs_error *err)
{
        char cmd[256], addr[16];
        vs_ipv4_format(ip, addr);
        snprintf(cmd, sizeof(cmd), "add element ip " VS_NFT_TABLE " ports_%s { %u : %s . %u }", proto, host_port, addr,
                 container_port);
        return nft_run(cmd, "publish a port", err);
}

void vs_nft_port_del(const char *proto, uint16_t host_port)
{
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "delete element ip " VS_NFT_TABLE " ports_%s { %u }", proto, host_port);
        nft_run(cmd, "delete", NULL);
}

bool vs_nft_has_networks(void)
{
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return true; /* when in doubt, keep the table */
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        bool has = true;
        if (nft_run_cmd_from_buffer(ctx, "list set ip " VS_NFT_TABLE " bridges") == 0) {
                const char *out = nft_ctx_get_output_buffer(ctx);
                has = out && strstr(out, "elements") != NULL;
        } else
                has = false; /* no table, or no set: nothing to keep */
        nft_ctx_free(ctx);
        return has;
}
