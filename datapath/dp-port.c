/* datapath/dp-port.c: AF_PACKET ports. */
#include <config.h>
#include "datapath/dp-port.h"

#include <errno.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp-packet.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "socket-util.h"

VLOG_DEFINE_THIS_MODULE(dp_port);

/* Largest frame a port receives: a 9000-byte jumbo payload plus Ethernet,
 * two VLAN tags and slack.  Longer frames are truncated by the kernel and
 * counted as errors. */
#define DP_PORT_MAX_FRAME 9216

static int
ifreq_ioctl(const char *name, unsigned long cmd, struct ifreq *ifr)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    memset(ifr, 0, sizeof *ifr);
    ovs_strzcpy(ifr->ifr_name, name, sizeof ifr->ifr_name);
    int error = ioctl(fd, cmd, ifr) < 0 ? errno : 0;
    close(fd);
    return error;
}

static int
set_flags(const char *name, int flags, bool on)
{
    struct ifreq ifr;
    int error = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);
    if (error) {
        return error;
    }
    int old = ifr.ifr_flags;
    ifr.ifr_flags = on ? old | flags : old & ~flags;
    if (ifr.ifr_flags == old) {
        return 0;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    error = ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? errno : 0;
    close(fd);
    return error;
}

int
dp_port_open(const char *name, uint32_t port_no, struct dp_port **portp)
{
    *portp = NULL;
    if (!name[0] || strlen(name) >= IFNAMSIZ) {
        return EINVAL;
    }
    int ifindex = if_nametoindex(name);
    if (!ifindex) {
        return ENODEV;
    }

    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    htons(ETH_P_ALL));
    if (fd < 0) {
        return errno;
    }

    int one = 1;
    int error = 0;
    if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one)
        || setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING,
                      &one, sizeof one)) {
        error = errno;
        goto error;
    }

    /* A larger receive buffer absorbs bursts while the main loop is busy
     * with OpenFlow work. */
    int rcvbuf = 4 * 1024 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = ifindex,
    };
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll)) {
        error = errno;
        goto error;
    }

    struct packet_mreq mreq = {
        .mr_ifindex = ifindex,
        .mr_type = PACKET_MR_PROMISC,
    };
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP,
                   &mreq, sizeof mreq)) {
        error = errno;
        goto error;
    }

    error = set_flags(name, IFF_UP, true);
    if (error) {
        goto error;
    }

    struct dp_port *port = xzalloc(sizeof *port);
    port->port_no = port_no;
    port->name = xstrdup(name);
    port->ifindex = ifindex;
    port->fd = fd;
    for (int i = 0; i < DP_PORT_BATCH; i++) {
        port->rx[i] = dp_packet_new_with_headroom(DP_PORT_MAX_FRAME,
                                                  DP_PORT_HEADROOM);
    }
    dp_port_refresh(port);
    *portp = port;
    return 0;

error:
    close(fd);
    return error;
}

void
dp_port_close(struct dp_port *port)
{
    if (port) {
        close(port->fd);
        for (int i = 0; i < DP_PORT_BATCH; i++) {
            dp_packet_delete(port->rx[i]);
        }
        free(port->name);
        free(port);
    }
}

int
dp_port_recv(struct dp_port *port)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct mmsghdr msgs[DP_PORT_BATCH];
    struct iovec iovs[DP_PORT_BATCH];
    union {
        struct cmsghdr cm;
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } cmsgs[DP_PORT_BATCH];

    for (int i = 0; i < DP_PORT_BATCH; i++) {
        struct dp_packet *pkt = port->rx[i];

        /* Reset to an empty buffer with full headroom: a previous batch's
         * pushes and pops may have moved the data pointer. */
        dp_packet_set_data(pkt, (char *) dp_packet_base(pkt)
                           + DP_PORT_HEADROOM);
        dp_packet_set_size(pkt, 0);
        iovs[i].iov_base = dp_packet_data(pkt);
        iovs[i].iov_len = DP_PORT_MAX_FRAME;
        msgs[i].msg_hdr = (struct msghdr) {
            .msg_iov = &iovs[i],
            .msg_iovlen = 1,
            .msg_control = &cmsgs[i],
            .msg_controllen = sizeof cmsgs[i],
        };
        msgs[i].msg_len = 0;
    }

    int n = recvmmsg(port->fd, msgs, DP_PORT_BATCH, MSG_TRUNC, NULL);
    if (n < 0) {
        if (errno == ENETDOWN || errno == ENXIO || errno == ENODEV) {
            port->gone = errno != ENETDOWN;
        } else if (errno != EAGAIN && errno != EINTR) {
            port->stats.rx_errors++;
            VLOG_WARN_RL(&rl, "%s: receive failed (%s)",
                         port->name, ovs_strerror(errno));
        }
        return 0;
    }

    int good = 0;
    for (int i = 0; i < n; i++) {
        struct msghdr *mh = &msgs[i].msg_hdr;
        size_t len = msgs[i].msg_len;
        struct dp_port_rxmeta meta = { 0, 0 };

        if (len > DP_PORT_MAX_FRAME || mh->msg_flags & MSG_TRUNC) {
            port->stats.rx_errors++;
            VLOG_WARN_RL(&rl, "%s: dropped a %"PRIuSIZE"-byte frame, longer "
                         "than %d (is TSO/GRO on for the peer?)",
                         port->name, len, DP_PORT_MAX_FRAME);
            continue;
        }
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
             cm = CMSG_NXTHDR(mh, cm)) {
            if (cm->cmsg_level == SOL_PACKET
                && cm->cmsg_type == PACKET_AUXDATA
                && cm->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
                struct tpacket_auxdata aux;
                memcpy(&aux, CMSG_DATA(cm), sizeof aux);
                if (aux.tp_status & TP_STATUS_VLAN_VALID) {
                    /* A nonzero TPID marks the tag present, so a VID 0,
                     * PCP 0 tag survives. */
                    meta.vlan_tci = aux.tp_vlan_tci;
                    meta.vlan_tpid = htons(aux.tp_status
                                           & TP_STATUS_VLAN_TPID_VALID
                                           ? aux.tp_vlan_tpid
                                           : ETH_TYPE_VLAN_8021Q);
                }
            }
        }

        /* Compact good frames to the front of the batch. */
        if (good != i) {
            struct dp_packet *tmp = port->rx[good];
            port->rx[good] = port->rx[i];
            port->rx[i] = tmp;
        }
        dp_packet_set_size(port->rx[good], len);
        port->rxmeta[good] = meta;
        port->stats.rx_packets++;
        port->stats.rx_bytes += len;
        good++;
    }
    return good;
}

int
dp_port_send(struct dp_port *port, const struct dp_packet *pkt)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    size_t size = dp_packet_size(pkt);

    if (size < ETH_HEADER_LEN) {
        port->stats.tx_errors++;
        return EINVAL;
    }
    ssize_t n;
    do {
        n = send(port->fd, dp_packet_data(pkt), size, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        int error = errno;
        if (error == ENOBUFS || error == EAGAIN) {
            port->stats.tx_dropped++;
        } else {
            port->stats.tx_errors++;
            if (error != ENETDOWN && error != ENXIO) {
                VLOG_WARN_RL(&rl, "%s: send failed (%s)",
                             port->name, ovs_strerror(error));
            }
        }
        return error;
    }
    port->stats.tx_packets++;
    port->stats.tx_bytes += size;
    return 0;
}

void
dp_port_wait(const struct dp_port *port)
{
    poll_fd_wait(port->fd, POLLIN);
}

bool
dp_port_refresh(struct dp_port *port)
{
    bool admin_up = false, carrier = false, gone = false;
    struct ifreq ifr;

    if (ifreq_ioctl(port->name, SIOCGIFFLAGS, &ifr)
        || if_nametoindex(port->name) != port->ifindex) {
        gone = true;
    } else {
        admin_up = (ifr.ifr_flags & IFF_UP) != 0;
        carrier = (ifr.ifr_flags & IFF_RUNNING) != 0;
        if (!ifreq_ioctl(port->name, SIOCGIFHWADDR, &ifr)) {
            memcpy(&port->mac, ifr.ifr_hwaddr.sa_data, ETH_ADDR_LEN);
        }
        if (!ifreq_ioctl(port->name, SIOCGIFMTU, &ifr)) {
            port->mtu = ifr.ifr_mtu;
        }
    }

    bool changed = (admin_up != port->admin_up || carrier != port->carrier
                    || gone != port->gone);
    port->admin_up = admin_up;
    port->carrier = carrier;
    port->gone = gone;
    return changed;
}

int
dp_port_set_admin(struct dp_port *port, bool up)
{
    return set_flags(port->name, IFF_UP, up);
}
