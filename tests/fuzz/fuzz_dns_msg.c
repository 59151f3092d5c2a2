/* libFuzzer target: the embedded DNS server's query parser and reply
 * builder (src/net/dns_msg.c) and the hosts-file lookup (dns_hosts.c) must
 * never crash, read out of bounds or hit undefined behaviour, and must keep
 * their promises: an error is one non-empty line; a parsed name is
 * printable and within bounds; a reply starts with the query's id and
 * carries its question unchanged. The input is a query as received. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/dns_hosts.h"
#include "net/dns_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct vs_error *err)
{
        if (err->code <= 0 || err->msg[0] == '\0' || strchr(err->msg, '\n'))
                __builtin_trap();
}

static void check_query(const struct vs_dns_query *q, size_t size)
{
        size_t n = strlen(q->name);
        if (n >= VS_DNS_NAME_MAX || q->question_len < 5 || VS_DNS_HEADER_SIZE + q->question_len > size)
                __builtin_trap();
        for (size_t i = 0; i < n; i++)
                if (q->name[i] < '!' || q->name[i] > '~')
                        __builtin_trap();
}

static void check_reply(const struct vs_dns_query *q, const uint8_t *query, const uint8_t *out, size_t len)
{
        uint16_t id;
        if (len < VS_DNS_HEADER_SIZE + q->question_len || !vs_dns_get_id(out, len, &id) || id != q->id ||
            !(out[2] & 0x80) || memcmp(out + VS_DNS_HEADER_SIZE, query + VS_DNS_HEADER_SIZE, q->question_len) != 0)
                __builtin_trap();
}

/* Answer it as the monitor would: the name looked up in a small hosts text. */
static void answer(const struct vs_dns_query *q, const uint8_t *data, size_t size)
{
        static const char hosts[] = "127.0.0.1 localhost\n::1 localhost\n172.18.0.3 peer web\n"
                                    "fd00::3 peer web\n172.18.0.4 a.b.c\n";
        struct vs_dns_record rr[2 * VS_DNS_HOSTS_ADDRS_MAX + 1];
        struct vs_dns_hosts_addrs addrs;
        size_t n = 0, out_len = 0;
        uint32_t rev;
        char ptr[256];
        vs_dns_hosts_lookup(hosts, sizeof(hosts) - 1, q->name, &addrs);
        for (size_t i = 0; i < addrs.n4; i++)
                rr[n++] = (struct vs_dns_record){.type = VS_DNS_TYPE_A, .ttl = 600, .ipv4 = addrs.v4[i]};
        for (size_t i = 0; i < addrs.n6; i++) {
                rr[n] = (struct vs_dns_record){.type = VS_DNS_TYPE_AAAA, .ttl = 600};
                memcpy(rr[n++].ipv6, addrs.v6[i], 16);
        }
        if (vs_dns_reverse_ipv4(q->name, &rev) && vs_dns_hosts_reverse(hosts, sizeof(hosts) - 1, rev, ptr, sizeof(ptr)))
                rr[n++] = (struct vs_dns_record){.type = VS_DNS_TYPE_PTR, .ttl = 600, .name = ptr};
        uint8_t out[512];
        struct vs_error err = VS_ERROR_INIT;
        if (vs_dns_build_reply(q, data, VS_DNS_NOERROR, true, rr, n, out, sizeof(out), &out_len, &err) < 0)
                check_error(&err);
        else
                check_reply(q, data, out, out_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        uint8_t out[512];
        size_t out_len = 0;
        if (vs_dns_parse_query(data, size, &q, &err) < 0) {
                check_error(&err);
                if (q.has_header && (size < VS_DNS_HEADER_SIZE || q.question_len != 0))
                        __builtin_trap();
                struct vs_error ignored = VS_ERROR_INIT;
                if (q.has_header && vs_dns_build_reply(&q, data, VS_DNS_FORMERR, false, NULL, 0, out, sizeof(out),
                                                       &out_len, &ignored) == 0)
                        check_reply(&q, data, out, out_len);
                return 0;
        }
        check_query(&q, size);
        answer(&q, data, size);
        return 0;
}
