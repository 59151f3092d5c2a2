/* vessel: DNS query parsing and reply building (see dns_msg.h). Every read
 * of the message is checked against its length before it is made. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/dns_msg.h"

#define DNS_WIRE_NAME_MAX 255
#define DNS_LABEL_MAX 63
#define DNS_CLASS_IN 1

static uint16_t get16(const uint8_t *p)
{
        return (uint16_t) (p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t) (v >> 8);
        p[1] = (uint8_t) v;
}

static void put32(uint8_t *p, uint32_t v)
{
        put16(p, (uint16_t) (v >> 16));
        put16(p + 2, (uint16_t) v);
}

/* A byte kept as is in presentation form; any other becomes "\DDD", so that
 * no label byte (a dot, a NUL) can change the name's meaning. */
static bool plain_byte(uint8_t c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* The uncompressed name at *off into out[VS_DNS_NAME_MAX]; *off moves past it. */
static int parse_name(const uint8_t *msg, size_t len, size_t *off, char *out, struct vs_error *err)
{
        size_t p = *off, wire = 0, o = 0;
        for (;;) {
                if (p >= len)
                        return vs_error_set(err, EINVAL, "DNS query: the name runs past the end of the message");
                uint8_t l = msg[p++];
                if ((l & 0xc0) == 0xc0)
                        return vs_error_set(err, EINVAL, "DNS query: a compression pointer in the question's name");
                if (l > DNS_LABEL_MAX)
                        return vs_error_set(err, EINVAL, "DNS query: label type 0x%02x is not supported", l & 0xc0);
                wire += (size_t) l + 1;
                if (wire > DNS_WIRE_NAME_MAX)
                        return vs_error_set(err, EINVAL, "DNS query: the name is longer than 255 bytes");
                if (l == 0)
                        break;
                if (len - p < l)
                        return vs_error_set(err, EINVAL, "DNS query: a label runs past the end of the message");
                if (o)
                        out[o++] = '.';
                /* at most 4 bytes out per wire byte: 4 * 255 < VS_DNS_NAME_MAX */
                for (size_t i = 0; i < l; i++, p++) {
                        if (plain_byte(msg[p]))
                                out[o++] = (char) msg[p];
                        else
                                o += (size_t) snprintf(out + o, VS_DNS_NAME_MAX - o, "\\%03u", msg[p]);
                }
        }
        out[o] = '\0';
        *off = p;
        return 0;
}

int vs_dns_parse_query(const uint8_t *msg, size_t len, struct vs_dns_query *q, struct vs_error *err)
{
        q->has_header = false;
        q->question_len = 0;
        q->name[0] = '\0';
        if (len < VS_DNS_HEADER_SIZE)
                return vs_error_set(err, EINVAL, "DNS query: truncated header (%zu bytes)", len);
        q->id = get16(msg);
        q->flags = get16(msg + 2);
        q->has_header = true;
        if (q->flags & VS_DNS_FLAG_QR)
                return vs_error_set(err, EINVAL, "DNS query: the message is a response (QR set)");
        if (VS_DNS_OPCODE(q->flags) != 0)
                return vs_error_set(err, ENOTSUP, "DNS query: opcode %u is not supported",
                                    (unsigned) VS_DNS_OPCODE(q->flags));
        uint16_t qdcount = get16(msg + 4);
        if (qdcount != 1)
                return vs_error_set(err, EINVAL, "DNS query: %u questions, want 1", (unsigned) qdcount);
        size_t off = VS_DNS_HEADER_SIZE;
        int r = parse_name(msg, len, &off, q->name, err);
        if (r < 0) {
                q->name[0] = '\0';
                return r;
        }
        if (len - off < 4) {
                q->name[0] = '\0';
                return vs_error_set(err, EINVAL, "DNS query: the question ends before its type and class");
        }
        q->qtype = get16(msg + off);
        q->qclass = get16(msg + off + 2);
        q->question_len = off + 4 - VS_DNS_HEADER_SIZE;
        return 0;
}

/* A name in presentation form (no escapes: the names of a hosts file) to wire form. */
static int encode_name(const char *name, uint8_t *out, size_t size, size_t *ret_len, struct vs_error *err)
{
        size_t o = 0, n = strlen(name);
        if (n && name[n - 1] == '.')
                n--;
        for (size_t i = 0; i < n;) {
                size_t l = strcspn(name + i, ".");
                if (l > n - i)
                        l = n - i;
                if (l == 0 || l > DNS_LABEL_MAX)
                        return vs_error_set(err, EINVAL, "DNS name \"%s\": a label is empty or over 63 bytes", name);
                if (o + 1 + l + 1 > DNS_WIRE_NAME_MAX)
                        return vs_error_set(err, EINVAL, "DNS name \"%s\" is longer than 255 bytes", name);
                if (o + 1 + l + 1 > size)
                        return vs_error_set(err, EMSGSIZE, "DNS reply: no room for the name \"%s\"", name);
                out[o++] = (uint8_t) l;
                memcpy(out + o, name + i, l);
                o += l;
                i += l + 1;
        }
        if (o + 1 > size)
                return vs_error_set(err, EMSGSIZE, "DNS reply: no room for the name \"%s\"", name);
        out[o++] = 0;
        *ret_len = o;
        return 0;
}

/* One record at out[*off]: owner = the question's name (a pointer to offset 12). */
static int put_record(const struct vs_dns_record *rr, uint8_t *out, size_t size, size_t *off, struct vs_error *err)
{
        size_t o = *off;
        if (size - o < 12)
                return vs_error_set(err, EMSGSIZE, "DNS reply: no room for a record");
        put16(out + o, 0xc000 | VS_DNS_HEADER_SIZE);
        put16(out + o + 2, rr->type);
        put16(out + o + 4, DNS_CLASS_IN);
        put32(out + o + 6, rr->ttl);
        size_t rdlen = 0;
        if (rr->type == VS_DNS_TYPE_A) {
                if (size - o - 12 < 4)
                        return vs_error_set(err, EMSGSIZE, "DNS reply: no room for a record");
                put32(out + o + 12, rr->ipv4);
                rdlen = 4;
        } else if (rr->type == VS_DNS_TYPE_AAAA) {
                if (size - o - 12 < 16)
                        return vs_error_set(err, EMSGSIZE, "DNS reply: no room for a record");
                memcpy(out + o + 12, rr->ipv6, 16);
                rdlen = 16;
        } else if (rr->type == VS_DNS_TYPE_PTR && rr->name) {
                int r = encode_name(rr->name, out + o + 12, size - o - 12, &rdlen, err);
                if (r < 0)
                        return r;
        } else {
                return vs_error_set(err, EINVAL, "DNS reply: record type %u is not supported", rr->type);
        }
        put16(out + o + 10, (uint16_t) rdlen);
        *off = o + 12 + rdlen;
        return 0;
}

int vs_dns_build_reply(const struct vs_dns_query *q, const uint8_t *query, enum vs_dns_rcode rcode, bool authoritative,
                       const struct vs_dns_record *records, size_t n_records, uint8_t *out, size_t size,
                       size_t *ret_len, struct vs_error *err)
{
        if (!q->has_header)
                return vs_error_set(err, EINVAL, "DNS reply: the query has no header to answer");
        if (n_records && !q->question_len)
                return vs_error_set(err, EINVAL, "DNS reply: records need a question");
        if (n_records > 0xffff)
                return vs_error_set(err, EINVAL, "DNS reply: too many records");
        size_t off = VS_DNS_HEADER_SIZE + q->question_len;
        if (size < off)
                return vs_error_set(err, EMSGSIZE, "DNS reply: no room for the header and question");
        uint16_t flags = VS_DNS_FLAG_QR | VS_DNS_FLAG_RA | (q->flags & (0x7800 | VS_DNS_FLAG_RD)) | (rcode & 0xf);
        if (authoritative)
                flags |= VS_DNS_FLAG_AA;
        put16(out, q->id);
        put16(out + 2, flags);
        put16(out + 4, q->question_len ? 1 : 0);
        put16(out + 6, (uint16_t) n_records);
        put16(out + 8, 0);
        put16(out + 10, 0);
        memcpy(out + VS_DNS_HEADER_SIZE, query + VS_DNS_HEADER_SIZE, q->question_len);
        for (size_t i = 0; i < n_records; i++) {
                int r = put_record(&records[i], out, size, &off, err);
                if (r < 0)
                        return r;
        }
        *ret_len = off;
        return 0;
}

bool vs_dns_name_equal(const char *a, size_t a_len, const char *b, size_t b_len)
{
        if (a_len && a[a_len - 1] == '.')
                a_len--;
        if (b_len && b[b_len - 1] == '.')
                b_len--;
        return a_len == b_len && strncasecmp(a, b, a_len) == 0;
}

bool vs_dns_reverse_ipv4(const char *name, uint32_t *ret)
{
        static const char suffix[] = "in-addr.arpa";
        uint32_t addr = 0;
        const char *p = name;
        for (int i = 0; i < 4; i++) {
                unsigned v = 0;
                int digits = 0;
                while (*p >= '0' && *p <= '9' && digits < 4) {
                        v = v * 10 + (unsigned) (*p++ - '0');
                        digits++;
                }
                if (digits == 0 || digits > 3 || v > 255 || *p++ != '.')
                        return false;
                addr |= v << (8 * i); /* the first label is the last octet */
        }
        size_t rest = strlen(p);
        if (rest && p[rest - 1] == '.')
                rest--;
        if (!vs_dns_name_equal(p, rest, suffix, sizeof(suffix) - 1))
                return false;
        *ret = addr;
        return true;
}

bool vs_dns_get_id(const uint8_t *msg, size_t len, uint16_t *ret)
{
        if (len < 2)
                return false;
        *ret = get16(msg);
        return true;
}

void vs_dns_set_id(uint8_t *msg, size_t len, uint16_t id)
{
        if (len >= 2)
                put16(msg, id);
}
