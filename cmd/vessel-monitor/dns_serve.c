/* vessel-monitor: the embedded DNS server's answers (see dns.h). A query
 * for a name of the container's hosts file is answered here; a query for
 * another name with a dot is forwarded to every upstream server at once,
 * under a new random id, and the first useful reply is relayed back; an
 * unknown name without a dot is NXDOMAIN (it is never sent off the host,
 * as dnsmasq's domain-needed). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "dns.h"
#include "net/dns_hosts.h"
#include "net/dns_msg.h"
#include "util/cleanup.h"
#include "util/files.h"

#define ANSWER_TTL 600
#define DNS_CLASS_IN 1
#define DNS_CLASS_ANY 255
/* Datagrams read per wake-up, so that a flood cannot starve the container's output. */
#define READS_PER_EVENT 16

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Re-read the hosts file when it changed (the engine rewrites it in place
 * as peers come and go). stat comes first, so a change during the read is
 * seen at the next query. */
static void refresh_hosts(struct monitor_dns *d)
{
        struct stat st;
        if (stat(d->hosts_path, &st) < 0) {
                free(d->hosts);
                d->hosts = NULL;
                d->hosts_len = 0;
                d->hosts_read = false;
                return;
        }
        if (d->hosts_read && st.st_size == d->hosts_size && st.st_mtim.tv_sec == d->hosts_mtime.tv_sec &&
            st.st_mtim.tv_nsec == d->hosts_mtime.tv_nsec)
                return;
        char *text = NULL;
        size_t len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(d->hosts_path, &text, &len, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return; /* the last text stays */
        }
        free(d->hosts);
        d->hosts = text;
        d->hosts_len = len;
        d->hosts_size = st.st_size;
        d->hosts_mtime = st.st_mtim;
        d->hosts_read = true;
}

static void send_reply(struct monitor_dns *d, const struct vs_dns_query *q, const uint8_t *query,
                       enum vs_dns_rcode rcode, const struct vs_dns_record *rr, size_t n, const struct sockaddr_in *to)
{
        uint8_t out[512];
        size_t len = 0;
        struct vs_error err = VS_ERROR_INIT;
        /* authoritative for the names it knows, and for those it knows are not */
        bool authoritative = rcode == VS_DNS_NOERROR || rcode == VS_DNS_NXDOMAIN;
        if (vs_dns_build_reply(q, query, rcode, authoritative, rr, n, out, sizeof(out), &len, &err) < 0) {
                vs_error_ignore(&err);
                if (rcode == VS_DNS_SERVFAIL ||
                    vs_dns_build_reply(q, query, VS_DNS_SERVFAIL, false, NULL, 0, out, sizeof(out), &len, &err) < 0) {
                        vs_error_ignore(&err);
                        return;
                }
        }
        /* A full socket buffer drops the reply: the client asks again. */
        (void) sendto(d->query_fd, out, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *) to, sizeof(*to));
}

/* The answer from the hosts file, if the name is its to answer. */
static bool answer_local(struct monitor_dns *d, const struct vs_dns_query *q, const struct sockaddr_in *from)
{
        if (q->qclass != DNS_CLASS_IN && q->qclass != DNS_CLASS_ANY)
                return false; /* CHAOS and the rest: the upstream's to answer */
        refresh_hosts(d);
        struct vs_dns_record rr[VS_DNS_HOSTS_ADDRS_MAX];
        uint32_t addr;
        char name[256];
        if (q->qtype == VS_DNS_TYPE_PTR && vs_dns_reverse_ipv4(q->name, &addr) &&
            vs_dns_hosts_reverse(d->hosts, d->hosts_len, addr, name, sizeof(name))) {
                rr[0] = (struct vs_dns_record){.type = VS_DNS_TYPE_PTR, .ttl = ANSWER_TTL, .name = name};
                send_reply(d, q, d->buf, VS_DNS_NOERROR, rr, 1, from);
                return true;
        }
        struct vs_dns_hosts_addrs addrs;
        if (!vs_dns_hosts_lookup(d->hosts, d->hosts_len, q->name, &addrs)) {
                if (q->name[0] && !strchr(q->name, '.')) {
                        send_reply(d, q, d->buf, VS_DNS_NXDOMAIN, NULL, 0, from);
                        return true;
                }
                return false;
        }
        /* A known name: its A (also for ANY) or AAAA records; other types
         * are empty (NODATA), never NXDOMAIN. At most 8 records: with the
         * longest question the reply stays within 512 bytes. */
        size_t n = 0;
        if (q->qtype == VS_DNS_TYPE_A || q->qtype == VS_DNS_TYPE_ANY)
                for (; n < addrs.n4; n++)
                        rr[n] = (struct vs_dns_record){.type = VS_DNS_TYPE_A, .ttl = ANSWER_TTL, .ipv4 = addrs.v4[n]};
        if (q->qtype == VS_DNS_TYPE_AAAA)
                for (; n < addrs.n6; n++) {
                        rr[n] = (struct vs_dns_record){.type = VS_DNS_TYPE_AAAA, .ttl = ANSWER_TTL};
                        memcpy(rr[n].ipv6, addrs.v6[n], 16);
                }
        send_reply(d, q, d->buf, VS_DNS_NOERROR, rr, n, from);
        return true;
}

static struct monitor_dns_pending *find_pending(struct monitor_dns *d, uint16_t id)
{
        for (size_t i = 0; i < MONITOR_DNS_PENDING_MAX; i++)
                if (d->pending[i].used && d->pending[i].upstream_id == id)
                        return &d->pending[i];
        return NULL;
}

/* An id no waiting query has, random so that a host process cannot guess it
 * and slip a forged reply in. */
static uint16_t new_id(struct monitor_dns *d)
{
        uint16_t id = 0;
        for (int tries = 0; tries < 16; tries++) {
                if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
                        id = (uint16_t) (now_ms() * 7919 + tries);
                if (!find_pending(d, id))
                        break;
        }
        return id;
}

static void forward(struct monitor_dns *d, const struct vs_dns_query *q, size_t len, const struct sockaddr_in *from)
{
        struct monitor_dns_pending *p = NULL;
        for (size_t i = 0; i < MONITOR_DNS_PENDING_MAX && !p; i++)
                if (!d->pending[i].used)
                        p = &d->pending[i];
        size_t query_len = VS_DNS_HEADER_SIZE + q->question_len;
        if (!p || query_len > sizeof(p->query)) {
                send_reply(d, q, d->buf, VS_DNS_SERVFAIL, NULL, 0, from);
                return;
        }
        memcpy(p->query, d->buf, query_len);
        p->query_len = query_len;
        p->client = *from;
        p->upstream_id = new_id(d);
        vs_dns_set_id(d->buf, len, p->upstream_id);
        unsigned sent = 0;
        for (size_t i = 0; i < d->n_upstream; i++)
                if (sendto(d->upstream_fd, d->buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
                           (const struct sockaddr *) &d->upstream[i], d->upstream_len[i]) == (ssize_t) len)
                        sent++;
        if (sent == 0) {
                send_reply(d, q, p->query, VS_DNS_SERVFAIL, NULL, 0, from);
                return;
        }
        p->outstanding = (uint8_t) sent;
        p->deadline_ms = now_ms() + MONITOR_DNS_TIMEOUT_MS;
        p->used = true;
        d->n_pending++;
}

static void handle_query(struct monitor_dns *d, size_t len, const struct sockaddr_in *from)
{
        struct vs_dns_query q;
        struct vs_error err = VS_ERROR_INIT;
        if (vs_dns_parse_query(d->buf, len, &q, &err) < 0) {
                /* Never answer a response: two servers would bounce it forever. */
                bool answer = q.has_header && !(q.flags & VS_DNS_FLAG_QR);
                enum vs_dns_rcode rcode = err.code == ENOTSUP ? VS_DNS_NOTIMP : VS_DNS_FORMERR;
                vs_error_ignore(&err);
                if (answer)
                        send_reply(d, &q, d->buf, rcode, NULL, 0, from);
                return;
        }
        if (!answer_local(d, &q, from))
                forward(d, &q, len, from);
}

static void read_queries(struct monitor_dns *d)
{
        for (int i = 0; i < READS_PER_EVENT; i++) {
                struct sockaddr_in from;
                socklen_t from_len = sizeof(from);
                ssize_t n = recvfrom(d->query_fd, d->buf, sizeof(d->buf), MSG_DONTWAIT, (struct sockaddr *) &from,
                                     &from_len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return;
                if (from_len == sizeof(from) && from.sin_family == AF_INET)
                        handle_query(d, (size_t) n, &from);
        }
}

static bool from_upstream(const struct monitor_dns *d, const struct sockaddr_storage *from, socklen_t len)
{
        for (size_t i = 0; i < d->n_upstream; i++)
                if (len == d->upstream_len[i] && memcmp(from, &d->upstream[i], len) == 0)
                        return true;
        return false;
}

/* Its question, compared without case, is the one asked. */
static bool same_question(const struct monitor_dns_pending *p, const uint8_t *msg, size_t len)
{
        if (len < p->query_len || memcmp(msg + 4, p->query + 4, 2) != 0) /* qdcount */
                return false;
        for (size_t i = VS_DNS_HEADER_SIZE; i < p->query_len; i++) {
                uint8_t a = msg[i], b = p->query[i];
                if (a != b && !((a | 0x20) == (b | 0x20) && (a | 0x20) >= 'a' && (a | 0x20) <= 'z'))
                        return false;
        }
        return true;
}

static void handle_upstream_reply(struct monitor_dns *d, size_t len)
{
        uint16_t id;
        struct monitor_dns_pending *p = vs_dns_get_id(d->buf, len, &id) ? find_pending(d, id) : NULL;
        if (!p || !same_question(p, d->buf, len))
                return;
        uint8_t rcode = d->buf[3] & 0xf;
        p->outstanding--;
        /* Another server may still know better. */
        if ((rcode == VS_DNS_SERVFAIL || rcode == VS_DNS_REFUSED) && p->outstanding > 0)
                return;
        uint16_t client_id = 0;
        (void) vs_dns_get_id(p->query, p->query_len, &client_id);
        vs_dns_set_id(d->buf, len, client_id);
        (void) sendto(d->query_fd, d->buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *) &p->client,
                      sizeof(p->client));
        p->used = false;
        d->n_pending--;
}

static void read_upstream(struct monitor_dns *d)
{
        for (int i = 0; i < READS_PER_EVENT; i++) {
                struct sockaddr_storage from;
                socklen_t from_len = sizeof(from);
                ssize_t n = recvfrom(d->upstream_fd, d->buf, sizeof(d->buf), MSG_DONTWAIT, (struct sockaddr *) &from,
                                     &from_len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return;
                if (from_upstream(d, &from, from_len))
                        handle_upstream_reply(d, (size_t) n);
        }
}

void monitor_dns_handle(struct monitor_dns *d, struct vs_event_source *src)
{
        if (src == &d->query_src)
                read_queries(d);
        else
                read_upstream(d);
}

int monitor_dns_timeout(const struct monitor_dns *d)
{
        long long first = -1;
        if (d->n_pending == 0)
                return -1;
        for (size_t i = 0; i < MONITOR_DNS_PENDING_MAX; i++)
                if (d->pending[i].used && (first < 0 || d->pending[i].deadline_ms < first))
                        first = d->pending[i].deadline_ms;
        if (first < 0)
                return -1;
        long long left = first - now_ms();
        return left < 0 ? 0 : (int) left;
}

void monitor_dns_expire(struct monitor_dns *d)
{
        if (d->n_pending == 0)
                return;
        long long now = now_ms();
        for (size_t i = 0; i < MONITOR_DNS_PENDING_MAX; i++) {
                struct monitor_dns_pending *p = &d->pending[i];
                if (!p->used || p->deadline_ms > now)
                        continue;
                p->used = false;
                d->n_pending--;
                struct vs_dns_query q;
                struct vs_error err = VS_ERROR_INIT;
                if (vs_dns_parse_query(p->query, p->query_len, &q, &err) < 0) {
                        vs_error_ignore(&err);
                        continue;
                }
                send_reply(d, &q, p->query, VS_DNS_SERVFAIL, NULL, 0, &p->client);
        }
}
