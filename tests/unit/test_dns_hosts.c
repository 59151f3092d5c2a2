/* Unit tests for src/net/dns_hosts.c: lookups in a hosts file's text as
 * the engine writes it (its base lines, --add-host, the peers' lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "net/dns_hosts.h"

static const char hosts[] = "127.0.0.1\tlocalhost\n"
                            "::1\tlocalhost ip6-localhost ip6-loopback\n"
                            "# a comment 10.0.0.9 commented\n"
                            "\n"
                            "172.18.0.2\tself 0123456789ab\n"
                            "bad-address\tbroken\n"
                            "10.1.1.1\textra # --add-host, commented tail\n"
                            "# vessel: the containers of its networks\n"
                            "172.18.0.3\tPeer 3456789abcde web\r\n"
                            "172.19.0.3\tpeer 3456789abcde\n"
                            "fd00:1::3\tpeer 3456789abcde web\n"
                            "FD00:1:0::3\tpeer\n"
                            "172.18.0.3\tpeer\n"
                            "172.18.0.4\tlast"; /* no final newline */

static size_t lookup(const char *name, struct vs_dns_hosts_addrs *a, bool *known)
{
        memset(a, 0x5a, sizeof(*a));
        *known = vs_dns_hosts_lookup(hosts, strlen(hosts), name, a);
        return a->n4;
}

static void test_lookup(void **state)
{
        struct vs_dns_hosts_addrs a;
        bool known;
        assert_int_equal(lookup("peer", &a, &known), 2);
        assert_true(known);
        assert_int_equal(a.v4[0], 0xac120003); /* in file order, no duplicate */
        assert_int_equal(a.v4[1], 0xac130003);
        assert_int_equal(a.n6, 1); /* fd00:1::3 twice, spelled two ways */
        assert_memory_equal(a.v6[0], "\xfd\x00\x00\x01\0\0\0\0\0\0\0\0\0\0\0\x03", 16);
        assert_int_equal(lookup("WEB.", &a, &known), 1);
        assert_int_equal(a.v4[0], 0xac120003);
        assert_int_equal(a.n6, 1);
        assert_int_equal(lookup("last", &a, &known), 1);
        assert_int_equal(a.v4[0], 0xac120004);
        assert_int_equal(a.n6, 0);
        assert_int_equal(lookup("extra", &a, &known), 1);
        assert_int_equal(a.v4[0], 0x0a010101);
        assert_int_equal(lookup("localhost", &a, &known), 1);
        assert_int_equal(a.v4[0], 0x7f000001);
        assert_int_equal(a.n6, 1);
}

static void test_lookup_misses(void **state)
{
        struct vs_dns_hosts_addrs a;
        bool known;
        assert_int_equal(lookup("ip6-localhost", &a, &known), 0);
        assert_true(known); /* an IPv6 line only: known, no A record */
        assert_int_equal(a.n6, 1);
        static const char *const unknown[] = {"commented", "broken", "pee", "peer2", "", ".", "tail", "--add-host"};
        for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
                assert_int_equal(lookup(unknown[i], &a, &known), 0);
                assert_false(known);
                assert_int_equal(a.n6, 0);
        }
        /* the length bounds the text: "last" is cut off */
        assert_false(vs_dns_hosts_lookup(hosts, strlen(hosts) - 2, "last", &a));
}

/* More lines than VS_DNS_HOSTS_ADDRS_MAX name it: the first ones are kept. */
static void test_lookup_many(void **state)
{
        char text[1024];
        size_t o = 0;
        for (int i = 1; i <= VS_DNS_HOSTS_ADDRS_MAX + 3; i++)
                o += (size_t) snprintf(text + o, sizeof(text) - o, "10.0.0.%d many\n", i);
        struct vs_dns_hosts_addrs a;
        assert_true(vs_dns_hosts_lookup(text, o, "many", &a));
        assert_int_equal(a.n4, VS_DNS_HOSTS_ADDRS_MAX);
        assert_int_equal(a.v4[VS_DNS_HOSTS_ADDRS_MAX - 1], 0x0a000000 + VS_DNS_HOSTS_ADDRS_MAX);
}

static void test_reverse(void **state)
{
        char buf[64];
        assert_true(vs_dns_hosts_reverse(hosts, strlen(hosts), 0xac120003, buf, sizeof(buf)));
        assert_string_equal(buf, "Peer");
        assert_true(vs_dns_hosts_reverse(hosts, strlen(hosts), 0xac120004, buf, sizeof(buf)));
        assert_string_equal(buf, "last");
        assert_false(vs_dns_hosts_reverse(hosts, strlen(hosts), 0x0a000009, buf, sizeof(buf)));
        assert_false(vs_dns_hosts_reverse(hosts, strlen(hosts), 0xac120003, buf, 4)); /* does not fit */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lookup),
                cmocka_unit_test(test_lookup_misses),
                cmocka_unit_test(test_lookup_many),
                cmocka_unit_test(test_reverse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
