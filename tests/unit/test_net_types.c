/* Unit tests for src/net/types.c: CIDR subnets, addresses, MACs and the
 * -p port specifications, with the errors naming the flag and the value. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/types.h"

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void test_cidr(void **state)
{
        struct vs_cidr c;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_cidr_parse("172.18.0.0/16", "--subnet", &c, &err), 0);
        assert_int_equal(c.addr, 0xac120000u);
        assert_int_equal(c.prefix, 16);
        assert_int_equal(vs_cidr_mask(&c), 0xffff0000u);
        char buf[20];
        vs_cidr_format(&c, buf);
        assert_string_equal(buf, "172.18.0.0/16");
        assert_true(vs_cidr_contains(&c, 0xac12ff01u));
        assert_false(vs_cidr_contains(&c, 0xac130001u));
        assert_int_equal(vs_cidr_parse("0.0.0.0/0", "--subnet", &c, &err), 0);
        assert_int_equal(vs_cidr_mask(&c), 0);
}

static void test_cidr_bad(void **state)
{
        static const char *const bad[] = {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0/8",    "10.0.0.1/24",
                                          "banana/8", "10.0.0.0/",   "/8",          "10.0.0.0/8x", ""};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct vs_cidr c = {.addr = 7, .prefix = 7};
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_cidr_parse(bad[i], "--subnet", &c, &err), -EINVAL);
                assert_contains(err.msg, "--subnet");
                assert_contains(err.msg, bad[i]);
                assert_int_equal(c.addr, 7); /* untouched */
        }
        struct vs_error err = VS_ERROR_INIT;
        struct vs_cidr c;
        assert_int_equal(vs_cidr_parse(NULL, "--ip-range", &c, &err), -EINVAL);
}

static void test_overlap(void **state)
{
        struct vs_cidr a, b, c;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_cidr_parse("10.0.0.0/8", "x", &a, &err), 0);
        assert_int_equal(vs_cidr_parse("10.20.0.0/16", "x", &b, &err), 0);
        assert_int_equal(vs_cidr_parse("11.0.0.0/24", "x", &c, &err), 0);
        assert_true(vs_cidr_overlap(&a, &b));
        assert_true(vs_cidr_overlap(&b, &a));
        assert_false(vs_cidr_overlap(&a, &c));
        assert_false(vs_cidr_overlap(&b, &c));
}

static void test_ipv4_and_mac(void **state)
{
        uint32_t a;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_ipv4_parse("172.17.0.2", "--ip", &a, &err), 0);
        assert_int_equal(a, 0xac110002u);
        char buf[16];
        vs_ipv4_format(a, buf);
        assert_string_equal(buf, "172.17.0.2");
        assert_int_equal(vs_ipv4_parse("172.17.0", "--ip", &a, &err), -EINVAL);
        assert_contains(err.msg, "--ip");
        uint8_t mac[6];
        vs_mac_from_ipv4(0xac110002u, mac);
        assert_memory_equal(mac, ((uint8_t[]){0x02, 0x42, 0xac, 0x11, 0x00, 0x02}), 6);
        struct vs_error e2 = VS_ERROR_INIT;
        assert_int_equal(vs_mac_parse("02:42:ac:11:00:09", mac, &e2), 0);
        assert_int_equal(mac[5], 9);
        assert_int_equal(vs_mac_parse("01:42:ac:11:00:09", mac, &e2), -EINVAL); /* multicast */
        struct vs_error e3 = VS_ERROR_INIT;
        assert_int_equal(vs_mac_parse("02:42:ac:11:00", mac, &e3), -EINVAL);
        assert_contains(e3.msg, "--mac-address");
}

static void test_port_spec(void **state)
{
        struct vs_port_spec p;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_port_spec_parse("80", &p, &err), 0);
        assert_string_equal(p.proto, "tcp");
        assert_int_equal(p.host_port, 0);
        assert_int_equal(p.container_port, 80);
        assert_int_equal(p.container_end, 80);
        assert_int_equal(vs_port_spec_parse("8080:80/udp", &p, &err), 0);
        assert_string_equal(p.proto, "udp");
        assert_int_equal(p.host_port, 8080);
        assert_int_equal(p.container_port, 80);
        assert_string_equal(p.host_ip, "");
        assert_int_equal(vs_port_spec_parse("127.0.0.1:8080:80", &p, &err), 0);
        assert_string_equal(p.host_ip, "127.0.0.1");
        assert_int_equal(p.host_port, 8080);
        assert_int_equal(vs_port_spec_parse("127.0.0.1::80", &p, &err), 0);
        assert_string_equal(p.host_ip, "127.0.0.1");
        assert_int_equal(p.host_port, 0);
        assert_int_equal(vs_port_spec_parse("8000-8009:9000-9009", &p, &err), 0);
        assert_int_equal(p.host_end, 8009);
        assert_int_equal(p.container_end, 9009);
        assert_int_equal(vs_port_spec_parse("9000-9001", &p, &err), 0);
        assert_int_equal(p.container_end, 9001);
}

static void test_port_spec_bad(void **state)
{
        static const char *const bad[] = {"",        "0",           "65536",           "70000:80", "80:0",        "abc",
                                          "80/sctp", "1.2.3:80:80", "8000-8002:80-81", "90-80",    "80:80:80:80", "-1",
                                          "80/"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct vs_port_spec p = {.container_port = 7};
                struct vs_error err = VS_ERROR_INIT;
                if (vs_port_spec_parse(bad[i], &p, &err) != -EINVAL)
                        fail_msg("\"%s\" was accepted", bad[i]);
                assert_contains(err.msg, "-p, --publish");
                assert_int_equal(p.container_port, 7);
        }
}

static void test_ipv6(void **state)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_cidr6 c, d;
        char buf[VS_IP6_STRLEN + 4];
        assert_int_equal(vs_cidr6_parse("fd00:1::/64", "--subnet", &c, &err), 0);
        assert_int_equal(c.prefix, 64);
        vs_cidr6_format(&c, buf);
        assert_string_equal(buf, "fd00:1::/64");
        struct in6_addr a = vs_ipv6_add(&c.addr, 1), b;
        vs_ipv6_format(&a, buf);
        assert_string_equal(buf, "fd00:1::1");
        assert_true(vs_cidr6_contains(&c, &a));
        a = vs_ipv6_add(&c.addr, 0x1ffffffffull); /* a carry across the 32-bit words */
        vs_ipv6_format(&a, buf);
        assert_string_equal(buf, "fd00:1::1:ffff:ffff");
        assert_int_equal(vs_ipv6_parse("fd00:2::1", "--ip6", &b, &err), 0);
        assert_false(vs_cidr6_contains(&c, &b));
        assert_false(vs_ipv6_is_zero(&b));
        assert_true(vs_ipv6_is_zero(&(struct in6_addr){0}));
        /* overlap: a /65 inside, a neighbour /64 outside, a /48 around it */
        assert_int_equal(vs_cidr6_parse("fd00:1:0:0:8000::/65", "--subnet", &d, &err), 0);
        assert_true(vs_cidr6_overlap(&c, &d) && vs_cidr6_overlap(&d, &c));
        assert_int_equal(vs_cidr6_parse("fd00:1:0:1::/64", "--subnet", &d, &err), 0);
        assert_false(vs_cidr6_overlap(&c, &d));
        assert_int_equal(vs_cidr6_parse("fd00:1::/48", "--subnet", &d, &err), 0);
        assert_true(vs_cidr6_overlap(&c, &d));
        assert_int_equal(vs_cidr6_parse("fd00:1::/67", "--subnet", &d, &err), 0);
        assert_true(vs_ip_is_v6("fd00::1") && !vs_ip_is_v6("10.0.0.1"));
}

static void test_ipv6_bad(void **state)
{
        static const char *const bad[] = {"fd00::",     "fd00::/", "fd00::/129", "fd00::1/64",      "fd00:1::/-1",
                                          "10.0.0.0/8", "zz::/64", "fd00::/64x", "fd00:1::8000/112"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct vs_cidr6 c = {.prefix = 7};
                struct vs_error err = VS_ERROR_INIT;
                if (vs_cidr6_parse(bad[i], "--subnet", &c, &err) != -EINVAL)
                        fail_msg("\"%s\" was accepted", bad[i]);
                assert_contains(err.msg, "--subnet");
                assert_int_equal(c.prefix, 7);
        }
        struct in6_addr a;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_ipv6_parse("10.0.0.1", "--ip6", &a, &err), -EINVAL);
        assert_contains(err.msg, "--ip6");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cidr),      cmocka_unit_test(test_cidr_bad),
                cmocka_unit_test(test_overlap),   cmocka_unit_test(test_ipv4_and_mac),
                cmocka_unit_test(test_port_spec), cmocka_unit_test(test_port_spec_bad),
                cmocka_unit_test(test_ipv6),      cmocka_unit_test(test_ipv6_bad),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
