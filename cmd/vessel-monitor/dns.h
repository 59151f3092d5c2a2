/* vessel-monitor: the embedded DNS server of a container on a user network
 * (docker's 127.0.0.11). A UDP socket bound to 127.0.0.11:53 inside the
 * container's network namespace answers the names of its hosts file (the
 * engine keeps it current) and forwards other names, from the monitor's
 * own (the host's) namespace, to the upstream servers; see
 * docs/vessel-monitor.8. No threads, no blocking: forwarded queries wait
 * in a fixed table until a reply or their deadline. */
#ifndef VESSEL_MONITOR_DNS_H
#define VESSEL_MONITOR_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "event.h"
#include "util/error.h"

#define MONITOR_DNS_ADDRESS "127.0.0.11"
#define MONITOR_DNS_UPSTREAM_MAX 3 /* as resolv.conf's MAXNS */
#define MONITOR_DNS_PENDING_MAX 64
#define MONITOR_DNS_TIMEOUT_MS 2000
/* A query's header and question: 12 + 255 + 4 bytes at most. */
#define MONITOR_DNS_QUESTION_MAX 272

struct monitor_dns_pending {
        bool used;
        uint16_t upstream_id; /* the id it was forwarded with */
        uint8_t outstanding;  /* upstream servers yet to answer */
        struct sockaddr_in client;
        long long deadline_ms;
        size_t query_len; /* bytes of query (header and question, the client's id) */
        uint8_t query[MONITOR_DNS_QUESTION_MAX];
};

struct monitor_dns {
        struct vs_event_source query_src;    /* VS_EV_DNS_QUERY */
        struct vs_event_source upstream_src; /* VS_EV_DNS_UPSTREAM */
        int query_fd;                        /* in the container's namespace; -1: no DNS */
        int upstream_fd;                     /* in ours */
        const char *hosts_path;
        char *hosts; /* the hosts file's text as last read */
        size_t hosts_len;
        bool hosts_read;
        off_t hosts_size;
        struct timespec hosts_mtime;
        struct sockaddr_storage upstream[MONITOR_DNS_UPSTREAM_MAX];
        socklen_t upstream_len[MONITOR_DNS_UPSTREAM_MAX];
        size_t n_upstream;
        size_t n_pending;
        struct monitor_dns_pending pending[MONITOR_DNS_PENDING_MAX];
        uint8_t buf[65536]; /* one datagram; in BSS, its untouched pages cost no RSS */
};

/* No DNS yet: every fd -1. d is zeroed (it lives in BSS): the table is
 * left untouched, so that a monitor without DNS never maps its pages. */
void monitor_dns_init(struct monitor_dns *d);
/* Serve for the container whose init is pid: bind 127.0.0.11:53 in its
 * network namespace, answer from hosts_path, forward to `upstream` (IP
 * addresses; none: the host's resolv.conf nameservers). Registers with epfd. */
int monitor_dns_open(struct monitor_dns *d, int epfd, pid_t pid, const char *hosts_path, const char *const *upstream,
                     size_t n_upstream, struct vs_error *err);
/* An epoll event on one of its sockets. */
void monitor_dns_handle(struct monitor_dns *d, struct vs_event_source *src);
/* Milliseconds until the next forwarded query's deadline; -1: none waits. */
int monitor_dns_timeout(const struct monitor_dns *d);
/* Answer SERVFAIL to the forwarded queries past their deadline. */
void monitor_dns_expire(struct monitor_dns *d);
void monitor_dns_close(struct monitor_dns *d);

#endif
