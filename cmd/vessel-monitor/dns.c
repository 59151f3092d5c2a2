/* vessel-monitor: the embedded DNS server (see dns.h): its sockets and
 * upstream servers. Answering and forwarding are in dns_serve.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "dns.h"
#include "util/cleanup.h"
#include "util/files.h"

void monitor_dns_init(struct monitor_dns *d)
{
        d->query_fd = d->upstream_fd = -1;
        d->query_src.kind = VS_EV_DNS_QUERY;
        d->upstream_src.kind = VS_EV_DNS_UPSTREAM;
        d->hosts = NULL;
        d->hosts_len = 0;
        d->hosts_read = false;
        d->n_upstream = 0;
}

void monitor_dns_close(struct monitor_dns *d)
{
        d->query_fd = vs_safe_close(d->query_fd);
        d->upstream_fd = vs_safe_close(d->upstream_fd);
        free(d->hosts);
        d->hosts = NULL;
        d->hosts_read = false;
}

/* A UDP socket bound to 127.0.0.11:53 in the network namespace of `pid`.
 * The monitor joins it only for the socket and bind, then returns to its
 * own: the socket keeps the namespace it was made in. */
static int bind_in_netns(pid_t pid, struct vs_error *err)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
        _cleanup_close_ int target = open(path, O_RDONLY | O_CLOEXEC);
        if (target < 0)
                return vs_error_syscall(err, "cannot open %s", path);
        _cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (own < 0)
                return vs_error_syscall(err, "cannot open /proc/self/ns/net");
        if (setns(target, CLONE_NEWNET) < 0)
                return vs_error_syscall(err, "cannot join the network namespace %s", path);
        int r = 0;
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
        inet_pton(AF_INET, MONITOR_DNS_ADDRESS, &sa.sin_addr);
        int one = 1;
        if (fd < 0)
                r = vs_error_syscall(err, "cannot make a UDP socket");
        else if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) < 0 ||
                 bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                r = vs_error_syscall(err, "cannot bind %s:53 in the container's network namespace",
                                     MONITOR_DNS_ADDRESS);
        /* Without this the monitor would forward from inside the container. */
        if (setns(own, CLONE_NEWNET) < 0)
                return vs_error_syscall(err, "cannot return to the monitor's network namespace");
        return r < 0 ? r : TAKE_FD(fd);
}

/* One upstream server by its address text, port 53, in the family of the
 * forwarding socket (IPv4 ones mapped into a dual-stack IPv6 socket). */
static bool add_upstream(struct monitor_dns *d, int family, const char *ip)
{
        if (d->n_upstream == MONITOR_DNS_UPSTREAM_MAX)
                return false;
        struct sockaddr_storage *ss = &d->upstream[d->n_upstream];
        memset(ss, 0, sizeof(*ss));
        struct in_addr a4;
        struct in6_addr a6;
        if (inet_pton(AF_INET, ip, &a4) == 1 && family == AF_INET) {
                struct sockaddr_in *sa = (struct sockaddr_in *) ss;
                *sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(53), .sin_addr = a4};
                d->upstream_len[d->n_upstream++] = sizeof(*sa);
                return true;
        }
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *) ss;
        *sa = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = htons(53)};
        if (inet_pton(AF_INET, ip, &a4) == 1) {
                sa->sin6_addr.s6_addr[10] = sa->sin6_addr.s6_addr[11] = 0xff; /* ::ffff:a.b.c.d */
                memcpy(&sa->sin6_addr.s6_addr[12], &a4, 4);
        } else if (family == AF_INET6 && inet_pton(AF_INET6, ip, &a6) == 1) {
                sa->sin6_addr = a6;
        } else {
                return false; /* IPv6 without an IPv6 socket, or a scoped address */
        }
        d->upstream_len[d->n_upstream++] = sizeof(*sa);
        return true;
}

/* No --dns: the host's nameservers, loopback ones included (the monitor
 * forwards from the host's namespace, where they listen), else Google's,
 * as the engine's resolv.conf falls back to. */
static void host_upstreams(struct monitor_dns *d, int family)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file("/etc/resolv.conf", &text, &len, &ignored) < 0)
                vs_error_ignore(&ignored);
        for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                char ip[INET6_ADDRSTRLEN + 1];
                if (sscanf(line, " nameserver %46s", ip) == 1)
                        (void) add_upstream(d, family, ip);
        }
        if (d->n_upstream == 0) {
                (void) add_upstream(d, family, "8.8.8.8");
                (void) add_upstream(d, family, "8.8.4.4");
        }
}

/* The forwarding socket: dual-stack IPv6, or IPv4 where the host has no IPv6. */
static int upstream_socket(int *ret_family, struct vs_error *err)
{
        int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int off = 0;
        if (fd >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) == 0) {
                *ret_family = AF_INET6;
                return fd;
        }
        fd = vs_safe_close(fd);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return vs_error_syscall(err, "cannot make a UDP socket for the upstream DNS servers");
        *ret_family = AF_INET;
        return fd;
}

int monitor_dns_open(struct monitor_dns *d, int epfd, pid_t pid, const char *hosts_path, const char *const *upstream,
                     size_t n_upstream, struct vs_error *err)
{
        int family = AF_INET;
        _cleanup_close_ int up = upstream_socket(&family, err);
        if (up < 0)
                return up;
        d->n_upstream = 0;
        for (size_t i = 0; i < n_upstream; i++)
                if (!add_upstream(d, family, upstream[i]))
                        return vs_error_set(err, EINVAL, "--dns-upstream %s: not a usable address", upstream[i]);
        if (n_upstream == 0)
                host_upstreams(d, family);
        _cleanup_close_ int query = bind_in_netns(pid, err);
        if (query < 0)
                return vs_error_wrap(err, "embedded DNS server");
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &d->query_src};
        struct epoll_event ev_up = {.events = EPOLLIN, .data.ptr = &d->upstream_src};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, query, &ev) < 0)
                return vs_error_syscall(err, "cannot watch the DNS socket");
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, up, &ev_up) < 0) {
                (void) epoll_ctl(epfd, EPOLL_CTL_DEL, query, NULL);
                return vs_error_syscall(err, "cannot watch the upstream DNS socket");
        }
        d->hosts_path = hosts_path;
        d->query_fd = TAKE_FD(query);
        d->upstream_fd = TAKE_FD(up);
        return 0;
}
