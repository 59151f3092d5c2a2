/* vessel-monitor: what an epoll event belongs to. Every registered object
 * starts with a struct vs_event_source; epoll_event.data.ptr points to it. */
#ifndef VESSEL_MONITOR_EVENT_H
#define VESSEL_MONITOR_EVENT_H

enum vs_event_kind {
        VS_EV_SIGNAL,
        VS_EV_STDOUT,
        VS_EV_STDERR,
        VS_EV_STDIN,        /* the container's stdin became writable */
        VS_EV_LISTEN,       /* the attach socket */
        VS_EV_CLIENT,       /* an attach client */
        VS_EV_DNS_QUERY,    /* the embedded DNS server's socket (dns.h) */
        VS_EV_DNS_UPSTREAM, /* its socket to the upstream servers */
};

struct vs_event_source {
        enum vs_event_kind kind;
};

#endif
