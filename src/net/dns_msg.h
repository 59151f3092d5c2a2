/* vessel: DNS messages (RFC 1035) as the embedded DNS server needs them:
 * parse a query's header and question, build a reply to it. Pure functions
 * over untrusted bytes: every read is bounds-checked, and a compression
 * pointer in a query's name is refused (stub resolvers never send one). */
#ifndef VESSEL_NET_DNS_MSG_H
#define VESSEL_NET_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define VS_DNS_HEADER_SIZE 12
/* A name in presentation form: 255 wire bytes, each as "\DDD" at worst. */
#define VS_DNS_NAME_MAX 1024

enum vs_dns_type {
        VS_DNS_TYPE_A = 1,
        VS_DNS_TYPE_PTR = 12,
        VS_DNS_TYPE_AAAA = 28,
        VS_DNS_TYPE_ANY = 255,
};

enum vs_dns_rcode {
        VS_DNS_NOERROR = 0,
        VS_DNS_FORMERR = 1,
        VS_DNS_SERVFAIL = 2,
        VS_DNS_NXDOMAIN = 3,
        VS_DNS_NOTIMP = 4,
        VS_DNS_REFUSED = 5,
};

#define VS_DNS_FLAG_QR 0x8000
#define VS_DNS_FLAG_AA 0x0400
#define VS_DNS_FLAG_TC 0x0200
#define VS_DNS_FLAG_RD 0x0100
#define VS_DNS_FLAG_RA 0x0080
#define VS_DNS_OPCODE(flags) (((flags) >> 11) & 0xf)

struct vs_dns_query {
        uint16_t id;
        uint16_t flags;  /* as received */
        bool has_header; /* the 12 header bytes were there: an error reply is possible */
        uint16_t qtype, qclass;
        size_t question_len; /* wire bytes of the question (name, type, class); 0: none parsed */
        /* The name in presentation form, without the trailing dot ("" for the
         * root); bytes other than letters, digits, '-' and '_' are "\DDD". */
        char name[VS_DNS_NAME_MAX];
};

/* Parse a query: its header and its one question. Fails with EINVAL naming
 * the fault for a response (QR set), an opcode other than QUERY (ENOTSUP),
 * a question count other than 1, a name running past the end, a label over
 * 63 bytes, a name over 255 bytes or a compression pointer. Even then,
 * q->has_header says whether an error reply (vs_dns_build_reply with
 * FORMERR or NOTIMP) can be made. */
int vs_dns_parse_query(const uint8_t *msg, size_t len, struct vs_dns_query *q, struct vs_error *err);

/* One resource record of an answer, its owner being the question's name. */
struct vs_dns_record {
        uint16_t type; /* VS_DNS_TYPE_A: ipv4; VS_DNS_TYPE_AAAA: ipv6; VS_DNS_TYPE_PTR: name */
        uint32_t ttl;
        uint32_t ipv4;    /* host byte order */
        uint8_t ipv6[16]; /* network byte order */
        const char *name; /* presentation form, dots between labels */
};

/* Build the reply to the query q (whose bytes are `query`) in out[size]:
 * the header (QR, RA, AA when `authoritative`; the id, opcode and RD
 * echoed), the question copied as received (its letters' case kept, as
 * 0x20-randomizing clients check), then the records. *ret_len: its length.
 * Fails with EMSGSIZE when out is too small, EINVAL for a bad record name. */
int vs_dns_build_reply(const struct vs_dns_query *q, const uint8_t *query, enum vs_dns_rcode rcode, bool authoritative,
                       const struct vs_dns_record *records, size_t n_records, uint8_t *out, size_t size,
                       size_t *ret_len, struct vs_error *err);

/* Case-insensitive comparison of two names in presentation form, a
 * trailing dot on either ignored. */
bool vs_dns_name_equal(const char *a, size_t a_len, const char *b, size_t b_len);

/* "D.C.B.A.in-addr.arpa" -> A.B.C.D (host byte order); false for any other name. */
bool vs_dns_reverse_ipv4(const char *name, uint32_t *ret);

/* The id of a message (first two bytes), and setting it: false/no-op if len < 2. */
bool vs_dns_get_id(const uint8_t *msg, size_t len, uint16_t *ret);
void vs_dns_set_id(uint8_t *msg, size_t len, uint16_t id);

#endif
