/* Unit tests for src/net/dns_msg.c: queries parsed from hand-made bytes,
 * malformed ones refused with the fault named, replies checked byte by byte. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/dns_msg.h"

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* A query for `wire_name` (wire form, with its final 0) of type `qtype`, id 0xbeef, RD set. */
static size_t make_query(uint8_t *buf, const char *wire_name, size_t name_len, uint16_t qtype)
{
        static const uint8_t header[12] = {0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
        memcpy(buf, header, 12);
        memcpy(buf + 12, wire_name, name_len);
        size_t o = 12 + name_len;
        buf[o++] = (uint8_t) (qtype >> 8);
        buf[o++] = (uint8_t) qtype;
        buf[o++] = 0;
        buf[o++] = 1;
        return o;
}

#define NAME_PEER_TEST "\x04Peer\x04test\x00"

static void test_parse_a(void **state)
{
        uint8_t buf[512];
        size_t len = make_query(buf, NAME_PEER_TEST, sizeof(NAME_PEER_TEST) - 1, VS_DNS_TYPE_A);
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), 0);
        assert_int_equal(q.id, 0xbeef);
        assert_int_equal(q.flags, VS_DNS_FLAG_RD);
        assert_int_equal(q.qtype, VS_DNS_TYPE_A);
        assert_int_equal(q.qclass, 1);
        assert_string_equal(q.name, "Peer.test");
        assert_int_equal(q.question_len, len - 12);
}

static void test_parse_root_and_escapes(void **state)
{
        uint8_t buf[512];
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        size_t len = make_query(buf, "\x00", 1, VS_DNS_TYPE_A);
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), 0);
        assert_string_equal(q.name, "");
        /* a dot and a NUL inside a label cannot pass for a name's structure */
        len = make_query(buf,
                         "\x03"
                         "a.\x00"
                         "\x01"
                         "b\x00",
                         7, VS_DNS_TYPE_A);
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), 0);
        assert_string_equal(q.name, "a\\046\\000.b");
}

static void test_parse_bad_header(void **state)
{
        uint8_t buf[512];
        size_t len = make_query(buf, NAME_PEER_TEST, sizeof(NAME_PEER_TEST) - 1, VS_DNS_TYPE_A);
        struct vs_dns_query q;
        for (size_t cut = 0; cut < 12; cut++) {
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_dns_parse_query(buf, cut, &q, &err), -EINVAL);
                assert_contains(err.msg, "truncated header");
                assert_false(q.has_header);
        }
        struct vs_error err = VS_ERROR_INIT;
        buf[2] |= 0x80; /* a response */
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -EINVAL);
        assert_contains(err.msg, "response");
        assert_true(q.has_header);
        buf[2] = 0x01 | (2 << 3); /* opcode STATUS */
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -ENOTSUP);
        assert_contains(err.msg, "opcode 2");
}

static void test_parse_qdcount(void **state)
{
        uint8_t buf[512];
        size_t len = make_query(buf, NAME_PEER_TEST, sizeof(NAME_PEER_TEST) - 1, VS_DNS_TYPE_A);
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        buf[5] = 0;
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -EINVAL);
        assert_contains(err.msg, "0 questions");
        assert_true(q.has_header);
        assert_int_equal(q.question_len, 0);
        buf[5] = 2;
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -EINVAL);
        assert_contains(err.msg, "2 questions");
}

static void test_parse_truncated_name(void **state)
{
        uint8_t buf[512];
        size_t len = make_query(buf, NAME_PEER_TEST, sizeof(NAME_PEER_TEST) - 1, VS_DNS_TYPE_A);
        struct vs_dns_query q;
        /* every cut inside the question fails, none reads past the cut */
        for (size_t cut = 12; cut < len; cut++) {
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_dns_parse_query(buf, cut, &q, &err), -EINVAL);
                assert_true(strstr(err.msg, "past the end") || strstr(err.msg, "before its type"));
                assert_string_equal(q.name, "");
        }
        /* a label longer than what follows it */
        len = make_query(buf,
                         "\x3f"
                         "abc",
                         4, VS_DNS_TYPE_A);
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_dns_parse_query(buf, 16, &q, &err), -EINVAL);
        assert_contains(err.msg, "label runs past the end");
}

static void test_parse_pointers(void **state)
{
        uint8_t buf[512];
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        /* a pointer to itself (a loop), and one to the header */
        size_t len = make_query(buf, "\xc0\x0c", 2, VS_DNS_TYPE_A);
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -EINVAL);
        assert_contains(err.msg, "compression pointer");
        len = make_query(buf,
                         "\x01"
                         "a\xc0\x00",
                         4, VS_DNS_TYPE_A);
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -EINVAL);
        assert_contains(err.msg, "compression pointer");
        len = make_query(buf,
                         "\x41"
                         "a",
                         2, VS_DNS_TYPE_A); /* extended label type 01 */
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -EINVAL);
        assert_contains(err.msg, "label type 0x40");
}

/* Wire form of labels of the given lengths, then the root. */
static size_t make_name(uint8_t *name, const size_t *labels, size_t n)
{
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                name[o++] = (uint8_t) labels[i];
                memset(name + o, 'a' + (int) i, labels[i]);
                o += labels[i];
        }
        name[o++] = 0;
        return o;
}

static void test_parse_long_name(void **state)
{
        uint8_t name[300], buf[512];
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        /* 63+63+63+62 with their lengths and the root: 256 bytes, one too many */
        size_t o = make_name(name, (size_t[]){63, 63, 63, 62}, 4);
        size_t len = make_query(buf, (const char *) name, o, VS_DNS_TYPE_A);
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -EINVAL);
        assert_contains(err.msg, "longer than 255");
        /* 63+63+63+61: 255 bytes, the most there is */
        o = make_name(name, (size_t[]){63, 63, 63, 61}, 4);
        len = make_query(buf, (const char *) name, o, VS_DNS_TYPE_A);
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), 0);
        assert_int_equal(strlen(q.name), 63 * 3 + 61 + 3);
        /* every byte escaped: the longest presentation form fits */
        memset(name, 1, 255);
        for (size_t i = 0; i < 4; i++)
                name[i * 64] = i < 3 ? 63 : 61;
        name[254] = 0;
        len = make_query(buf, (const char *) name, 255, VS_DNS_TYPE_A);
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), 0);
        assert_int_equal(strlen(q.name), (63 * 3 + 61) * 4 + 3);
}

static void test_build_a(void **state)
{
        uint8_t buf[512], out[512];
        size_t len = make_query(buf, NAME_PEER_TEST, sizeof(NAME_PEER_TEST) - 1, VS_DNS_TYPE_A);
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), 0);
        struct vs_dns_record rr[2] = {{.type = VS_DNS_TYPE_A, .ttl = 600, .ipv4 = 0x0a000002},
                                      {.type = VS_DNS_TYPE_A, .ttl = 600, .ipv4 = 0xac120003}};
        size_t out_len = 0;
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NOERROR, true, rr, 2, out, sizeof(out), &out_len, &err), 0);
        assert_int_equal(out_len, len + 2 * 16);
        static const uint8_t header[12] = {0xbe, 0xef, 0x85, 0x80, 0, 1, 0, 2, 0, 0, 0, 0};
        assert_memory_equal(out, header, 12);
        assert_memory_equal(out + 12, buf + 12, len - 12); /* the question, its case kept */
        static const uint8_t first[16] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4, 10, 0, 0, 2};
        assert_memory_equal(out + len, first, 16);
        assert_memory_equal(out + len + 28, "\xac\x12\x00\x03", 4);
        /* too small: EMSGSIZE, whatever the cut */
        for (size_t size = 0; size < out_len; size++)
                assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NOERROR, true, rr, 2, out, size, &out_len, &err),
                                 -EMSGSIZE);
}

static void test_build_errors(void **state)
{
        uint8_t buf[512], out[512];
        size_t len = make_query(buf, NAME_PEER_TEST, sizeof(NAME_PEER_TEST) - 1, VS_DNS_TYPE_AAAA);
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        size_t out_len = 0;
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), 0);
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NXDOMAIN, true, NULL, 0, out, sizeof(out), &out_len, &err),
                         0);
        assert_int_equal(out_len, len);
        assert_int_equal(out[3] & 0xf, VS_DNS_NXDOMAIN);
        assert_int_equal(out[7], 0);
        /* a FORMERR to a query with 2 questions: the header alone */
        buf[5] = 2;
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), -EINVAL);
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_FORMERR, false, NULL, 0, out, sizeof(out), &out_len, &err),
                         0);
        static const uint8_t formerr[12] = {0xbe, 0xef, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0};
        assert_int_equal(out_len, 12);
        assert_memory_equal(out, formerr, 12);
        struct vs_dns_record rr = {.type = VS_DNS_TYPE_A, .ipv4 = 1};
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NOERROR, false, &rr, 1, out, sizeof(out), &out_len, &err),
                         -EINVAL);
        /* no header: nothing to answer */
        assert_int_equal(vs_dns_parse_query(buf, 5, &q, &err), -EINVAL);
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_FORMERR, false, NULL, 0, out, sizeof(out), &out_len, &err),
                         -EINVAL);
}

static void test_build_ptr(void **state)
{
        uint8_t buf[512], out[512];
        static const char name[] = "\x01"
                                   "2\x01"
                                   "0\x02"
                                   "18\x03"
                                   "172\x07"
                                   "in-addr\x04"
                                   "arpa";
        size_t len = make_query(buf, name, sizeof(name), VS_DNS_TYPE_PTR);
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        size_t out_len = 0;
        assert_int_equal(vs_dns_parse_query(buf, len, &q, &err), 0);
        uint32_t addr = 0;
        assert_true(vs_dns_reverse_ipv4(q.name, &addr));
        assert_int_equal(addr, 0xac120002);
        struct vs_dns_record rr = {.type = VS_DNS_TYPE_PTR, .ttl = 600, .name = "web.1"};
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NOERROR, true, &rr, 1, out, sizeof(out), &out_len, &err),
                         0);
        assert_int_equal(out_len, len + 12 + 7);
        assert_memory_equal(out + len + 10,
                            "\x00\x07\x03web\x01"
                            "1\x00",
                            9);
        struct vs_dns_record six = {.type = VS_DNS_TYPE_AAAA, .ttl = 1, .ipv6 = {0xfd, [15] = 3}};
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NOERROR, true, &six, 1, out, sizeof(out), &out_len, &err),
                         0);
        assert_int_equal(out_len, len + 12 + 16);
        assert_memory_equal(out + len + 2, "\x00\x1c\x00\x01\x00\x00\x00\x01\x00\x10\xfd", 11);
        assert_int_equal(out[out_len - 1], 3);
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NOERROR, true, &six, 1, out, len + 27, &out_len, &err),
                         -EMSGSIZE);
        struct vs_dns_record mx = {.type = 15};
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NOERROR, true, &mx, 1, out, sizeof(out), &out_len, &err),
                         -EINVAL);
        rr.name = "a..b";
        assert_int_equal(vs_dns_build_reply(&q, buf, VS_DNS_NOERROR, true, &rr, 1, out, sizeof(out), &out_len, &err),
                         -EINVAL);
        assert_contains(err.msg, "a..b");
}

static void test_names(void **state)
{
        assert_true(vs_dns_name_equal("Peer", 4, "peer.", 5));
        assert_true(vs_dns_name_equal("peer.", 5, "PEER", 4));
        assert_false(vs_dns_name_equal("peer", 4, "peer2", 5));
        assert_false(vs_dns_name_equal("peer", 4, "pee", 3));
        uint32_t a = 7;
        assert_true(vs_dns_reverse_ipv4("4.3.2.1.IN-ADDR.ARPA.", &a));
        assert_int_equal(a, 0x01020304);
        static const char *const bad[] = {"4.3.2.in-addr.arpa",
                                          "256.3.2.1.in-addr.arpa",
                                          "4.3.2.1.in-addr.arpa.x",
                                          "4.3.2.1",
                                          "a.3.2.1.in-addr.arpa",
                                          "1234.3.2.1.in-addr.arpa",
                                          ""};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                a = 7;
                assert_false(vs_dns_reverse_ipv4(bad[i], &a));
                assert_int_equal(a, 7);
        }
        uint8_t msg[2] = {0x12, 0x34};
        uint16_t id = 0;
        assert_true(vs_dns_get_id(msg, 2, &id));
        assert_int_equal(id, 0x1234);
        assert_false(vs_dns_get_id(msg, 1, &id));
        vs_dns_set_id(msg, 2, 0xabcd);
        assert_int_equal(msg[0], 0xab);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_a),
                cmocka_unit_test(test_parse_root_and_escapes),
                cmocka_unit_test(test_parse_bad_header),
                cmocka_unit_test(test_parse_qdcount),
                cmocka_unit_test(test_parse_truncated_name),
                cmocka_unit_test(test_parse_pointers),
                cmocka_unit_test(test_parse_long_name),
                cmocka_unit_test(test_build_a),
                cmocka_unit_test(test_build_errors),
                cmocka_unit_test(test_build_ptr),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
