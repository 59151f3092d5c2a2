/* vessel: rtnetlink requests through libmnl (see netlink.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/netlink.h"
#include "util/cleanup.h"

struct vs_nl {
        struct mnl_socket *sock;
        unsigned portid, seq;
};

static int nl_bind(struct vs_nl *nl, struct vs_error *err)
{
        nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl->sock)
                return vs_error_syscall(err, "cannot open a netlink socket");
        if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
                return vs_error_syscall(err, "cannot bind a netlink socket");
        nl->portid = mnl_socket_get_portid(nl->sock);
        nl->seq = (unsigned) time(NULL);
        return 0;
}

int vs_nl_open(int netns_fd, struct vs_nl **ret, struct vs_error *err)
{
        struct vs_nl *nl = calloc(1, sizeof(*nl));
        if (!nl)
                return vs_error_set(err, ENOMEM, "out of memory");
        int r;
        if (netns_fd < 0) {
                r = nl_bind(nl, err);
        } else {
                /* a socket belongs to the namespace it was made in */
                _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                if (self < 0 || setns(netns_fd, CLONE_NEWNET) < 0) {
                        free(nl);
                        return vs_error_syscall(err, "cannot enter a network namespace");
                }
                r = nl_bind(nl, err);
                if (setns(self, CLONE_NEWNET) < 0)
                        abort(); /* cannot go on in the wrong namespace */
        }
        if (r < 0) {
                vs_nl_close(nl);
                return r;
        }
        *ret = nl;
        return 0;
}

void vs_nl_close(struct vs_nl *nl)
{
        if (!nl)
                return;
        if (nl->sock)
                mnl_socket_close(nl->sock);
        free(nl);
}

/* Send one request and read its acknowledgement: 0 or a negative errno. */
static int nl_talk(struct vs_nl *nl, struct nlmsghdr *nlh)
{
        char buf[8192];
        nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = ++nl->seq;
        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
                if (n < 0)
                        return -errno;
                int r = mnl_cb_run(buf, (size_t) n, nlh->nlmsg_seq, nl->portid, NULL, NULL);
                if (r < 0)
                        return -errno;
                if (r == MNL_CB_STOP)
                        return 0;
        }
}

static struct nlmsghdr *link_msg(char *buf, int type, int flags, int ifindex)
{
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (uint16_t) type;
        nlh->nlmsg_flags = (uint16_t) flags;
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        return nlh;
}

int vs_nl_link_index(struct vs_nl *nl, const char *name)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        nlh->nlmsg_flags |= NLM_F_REQUEST;
        nlh->nlmsg_seq = ++nl->seq;
        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
        if (n < 0)
                return -errno;
        struct nlmsghdr *reply = (struct nlmsghdr *) buf;
        if (!mnl_nlmsg_ok(reply, (int) n))
                return -EIO;
        if (reply->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = mnl_nlmsg_get_payload(reply);
                return e->error < 0 ? (e->error == -ENODEV ? -ENODEV : e->error) : -ENODEV;
        }
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(reply);
        return ifi->ifi_index;
}

int vs_nl_bridge_add(struct vs_nl *nl, const char *name, unsigned mtu, struct vs_error *err)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (mtu)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(nlh, info);
        int r = nl_talk(nl, nlh);
        if (r < 0)
                return vs_error_errno(err, -r, "cannot create bridge %s", name);
        return 0;
}

int vs_nl_veth_add(struct vs_nl *nl, const char *name, const char *peer, int peer_netns_fd, unsigned mtu,
                   const uint8_t *peer_mac, struct vs_error *err)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (mtu)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
        struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        struct nlattr *peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        struct ifinfomsg *pi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pi));
        pi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
        if (mtu)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        if (peer_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
        if (peer_netns_fd >= 0)
                mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t) peer_netns_fd);
        mnl_attr_nest_end(nlh, peer_attr);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, info);
        int r = nl_talk(nl, nlh);
        if (r < 0)
                return vs_error_errno(err, -r, "cannot create veth pair %s/%s", name, peer);
        return 0;
}

int vs_nl_link_set(struct vs_nl *nl, int ifindex, const struct vs_nl_link_change *ch, struct vs_error *err)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        if (ch->up) {
                ifi->ifi_change = IFF_UP;
                ifi->ifi_flags = IFF_UP;
        }
        if (ch->master > 0)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t) ch->master);
        int r = nl_talk(nl, nlh);
        if (r < 0)
                return vs_error_errno(err, -r, "cannot change link %d", ifindex);
        return 0;
}

struct port_count {
        int master, count;
};

static int count_attr(const struct nlattr *attr, void *data)
{
        struct port_count *pc = data;
        if (mnl_attr_get_type(attr) == IFLA_MASTER && mnl_attr_get_payload_len(attr) == 4 &&
            (int) mnl_attr_get_u32(attr) == pc->master)
                pc->count++;
        return MNL_CB_OK;
}

static int count_link(const struct nlmsghdr *nlh, void *data)
{
        mnl_attr_parse(nlh, sizeof(struct ifinfomsg), count_attr, data);
        return MNL_CB_OK;
}

int vs_nl_bridge_port_count(struct vs_nl *nl, int ifindex)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0);
        nlh->nlmsg_seq = ++nl->seq;
        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        struct port_count pc = {.master = ifindex};
        unsigned seq = nlh->nlmsg_seq;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
                if (n < 0)
                        return -errno;
                int r = mnl_cb_run(buf, (size_t) n, seq, nl->portid, count_link, &pc);
                if (r < 0)
                        return -errno;
                if (r == MNL_CB_STOP)
                        return pc.count;
        }
}

int vs_nl_bridge_port_hairpin(struct vs_nl *nl, int ifindex, struct vs_error *err)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_msg(buf, RTM_SETLINK, 0, ifindex);
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        ifi->ifi_family = AF_BRIDGE;
        struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
        mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, 1);
        mnl_attr_nest_end(nlh, info);
        int r = nl_talk(nl, nlh);
        if (r < 0)
                return vs_error_errno(err, -r, "cannot set hairpin mode on link %d", ifindex);
        return 0;
}

int vs_nl_link_del(struct vs_nl *nl, const char *name, struct vs_error *err)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        int r = nl_talk(nl, nlh);
        if (r == -ENODEV)
                return r;
        if (r < 0)
                return vs_error_errno(err, -r, "cannot delete link %s", name);
        return 0;
}

/* RTM_NEWADDR of a family's address (4 or 16 bytes). */
static int addr_add(struct vs_nl *nl, int family, int ifindex, const void *addr, size_t len, unsigned prefix,
                    unsigned flags)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_NEWADDR;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (uint8_t) family;
        ifa->ifa_prefixlen = (uint8_t) prefix;
        ifa->ifa_flags = (uint8_t) flags;
        ifa->ifa_index = (unsigned) ifindex;
        mnl_attr_put(nlh, IFA_LOCAL, len, addr);
        mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
        return nl_talk(nl, nlh);
}

int vs_nl_addr_add(struct vs_nl *nl, int ifindex, struct in_addr addr, unsigned prefix, struct vs_error *err)
{
        int r = addr_add(nl, AF_INET, ifindex, &addr, sizeof(addr), prefix, 0);
        if (r < 0) {
                char text[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &addr, text, sizeof(text));
                return vs_error_errno(err, -r, "cannot add address %s/%u to link %d", text, prefix, ifindex);
        }
        return 0;
}

int vs_nl_addr6_add(struct vs_nl *nl, int ifindex, const struct in6_addr *addr, unsigned prefix, struct vs_error *err)
{
        int r = addr_add(nl, AF_INET6, ifindex, addr, sizeof(*addr), prefix, IFA_F_NODAD);
        if (r < 0) {
                char text[INET6_ADDRSTRLEN];
                inet_ntop(AF_INET6, addr, text, sizeof(text));
                return vs_error_errno(err, -r, "cannot add address %s/%u to link %d", text, prefix, ifindex);
        }
        return 0;
}

/* RTM_NEWROUTE of the default route of a family through gateway. */
static int route_default(struct vs_nl *nl, int family, int ifindex, const void *gateway, size_t len)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_NEWROUTE;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
        struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
        rt->rtm_family = (uint8_t) family;
        rt->rtm_table = RT_TABLE_MAIN;
        rt->rtm_protocol = RTPROT_BOOT;
        rt->rtm_scope = RT_SCOPE_UNIVERSE;
        rt->rtm_type = RTN_UNICAST;
        mnl_attr_put(nlh, RTA_GATEWAY, len, gateway);
        mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t) ifindex);
        return nl_talk(nl, nlh);
}

int vs_nl_route_default(struct vs_nl *nl, int ifindex, struct in_addr gateway, struct vs_error *err)
{
        int r = route_default(nl, AF_INET, ifindex, &gateway, sizeof(gateway));
        if (r < 0)
                return vs_error_errno(err, -r, "cannot add the default route on link %d", ifindex);
        return 0;
}

int vs_nl_route6_default(struct vs_nl *nl, int ifindex, const struct in6_addr *gateway, struct vs_error *err)
{
        int r = route_default(nl, AF_INET6, ifindex, gateway, sizeof(*gateway));
        if (r < 0)
                return vs_error_errno(err, -r, "cannot add the default IPv6 route on link %d", ifindex);
        return 0;
}
