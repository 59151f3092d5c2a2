/* vessel: lookups in the text of a hosts file (see dns_hosts.h). */
#include <arpa/inet.h>
#include <string.h>

#include "net/dns_hosts.h"
#include "net/dns_msg.h"

/* One line split into its address and its names. */
struct hosts_line {
        const char *p, *end; /* the unread rest of the line */
        bool ipv4, ipv6;
        uint32_t addr;
        uint8_t addr6[16];
};

static bool blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

/* The next word of the line into word and word_len; false at its end or at a '#'. */
static bool next_word(struct hosts_line *l, const char **word, size_t *word_len)
{
        while (l->p < l->end && blank(*l->p))
                l->p++;
        if (l->p == l->end || *l->p == '#')
                return false;
        *word = l->p;
        while (l->p < l->end && !blank(*l->p) && *l->p != '#')
                l->p++;
        *word_len = (size_t) (l->p - *word);
        return true;
}

/* Start the line at [p, end): read its address. false for a blank, comment or bad line. */
static bool open_line(struct hosts_line *l, const char *p, const char *end)
{
        l->p = p;
        l->end = end;
        l->ipv4 = l->ipv6 = false;
        const char *word;
        size_t n;
        if (!next_word(l, &word, &n))
                return false;
        char buf[INET6_ADDRSTRLEN];
        if (n >= sizeof(buf))
                return false;
        memcpy(buf, word, n);
        buf[n] = '\0';
        struct in_addr a4;
        if (inet_pton(AF_INET, buf, &a4) == 1) {
                l->ipv4 = true;
                l->addr = ntohl(a4.s_addr);
        } else if (inet_pton(AF_INET6, buf, l->addr6) == 1) {
                l->ipv6 = true;
        }
        return l->ipv4 || l->ipv6;
}

/* Call `fn` for each line with an address; stop when it returns true. */
static bool each_line(const char *text, size_t len, bool (*fn)(struct hosts_line *l, void *data), void *data)
{
        const char *end = text + len;
        for (const char *p = text; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *line_end = nl ? nl : end;
                struct hosts_line l;
                if (open_line(&l, p, line_end) && fn(&l, data))
                        return true;
                p = nl ? nl + 1 : end;
        }
        return false;
}

struct lookup {
        const char *name;
        size_t name_len;
        struct vs_dns_hosts_addrs *addrs;
        bool known;
};

static void add_address(struct vs_dns_hosts_addrs *a, const struct hosts_line *l)
{
        bool seen = false;
        if (l->ipv4) {
                for (size_t i = 0; i < a->n4 && !seen; i++)
                        seen = a->v4[i] == l->addr;
                if (!seen && a->n4 < VS_DNS_HOSTS_ADDRS_MAX)
                        a->v4[a->n4++] = l->addr;
                return;
        }
        for (size_t i = 0; i < a->n6 && !seen; i++)
                seen = memcmp(a->v6[i], l->addr6, 16) == 0;
        if (!seen && a->n6 < VS_DNS_HOSTS_ADDRS_MAX)
                memcpy(a->v6[a->n6++], l->addr6, 16);
}

static bool lookup_line(struct hosts_line *l, void *data)
{
        struct lookup *k = data;
        const char *word;
        size_t n;
        while (next_word(l, &word, &n)) {
                if (vs_dns_name_equal(word, n, k->name, k->name_len)) {
                        k->known = true;
                        add_address(k->addrs, l);
                        break;
                }
        }
        return false;
}

bool vs_dns_hosts_lookup(const char *text, size_t len, const char *name, struct vs_dns_hosts_addrs *ret)
{
        struct vs_dns_hosts_addrs addrs = {0};
        struct lookup k = {.name = name, .name_len = strlen(name), .addrs = &addrs};
        if (k.name_len > 0 && !(k.name_len == 1 && name[0] == '.'))
                each_line(text, len, lookup_line, &k);
        *ret = addrs;
        return k.known;
}

struct reverse {
        uint32_t addr;
        char *buf;
        size_t size;
        bool fits;
};

static bool reverse_line(struct hosts_line *l, void *data)
{
        struct reverse *r = data;
        const char *word;
        size_t n;
        if (!l->ipv4 || l->addr != r->addr || !next_word(l, &word, &n))
                return false;
        r->fits = n < r->size;
        if (r->fits) {
                memcpy(r->buf, word, n);
                r->buf[n] = '\0';
        }
        return true;
}

bool vs_dns_hosts_reverse(const char *text, size_t len, uint32_t addr, char *buf, size_t size)
{
        struct reverse r = {.addr = addr, .buf = buf, .size = size};
        return each_line(text, len, reverse_line, &r) && r.fits;
}
