/* datapath/dp-port.c: AF_PACKET ports: TPACKET_V2 receive ring, batched
 * transmit. */
#include <config.h>
#include "datapath/dp-port.h"

#include <errno.h>
#include <net/if.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/dp-csum.h"
#include "datapath/dp-xsk.h"
#include "dp-packet.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "socket-util.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(dp_port);

/* Largest frame a port receives: a 9000-byte jumbo payload plus Ethernet,
 * two VLAN tags and slack.  Longer frames are dropped and counted as
 * errors. */
#define DP_PORT_MAX_FRAME 9216

/* The receive ring: DP_PORT_RX_BLOCKS blocks of DP_PORT_RX_BLOCK_SIZE bytes
 * (4 MiB), cut into slots of DP_PORT_RX_SLOT bytes (2,048 slots), each
 * with a status of its own.  The kernel hands over every frame as soon as
 * it is written and wakes a sleeping reader for it, so a lone frame (a
 * ping) is read at once; a busy reader finds many frames ready per poll
 * and pays no wakeups.  (TPACKET_V3 packs frames into blocks and hands a
 * block over only when it is full or after its retire timeout, at least
 * 1 ms: a millisecond per hop at low rates.)
 *
 * A slot holds the ring's header and a frame of up to about 1,970 bytes.
 * The kernel truncates a longer frame in the ring and marks it
 * TP_STATUS_COPY (PACKET_COPY_THRESH), queueing the whole frame on the
 * socket as well, where dp_port_recv() reads it.
 *
 * No PACKET_VNET_HDR: with a V1/V2 ring, a frame whose GSO type the
 * kernel cannot express in a virtio_net_hdr (UDP fragmentation offload,
 * from a tap) leaves its slot claimed but never handed over, and the ring
 * stops for good (Linux 6.18, tpacket_rcv()).  A frame left to checksum
 * offload is told by TP_STATUS_CSUMNOTREADY, and its checksum found by
 * parsing it; a TCP super-frame by TP_STATUS_GSO_TCP (kernels that have
 * it) or by its length.
 *
 * A slot per frame holds fewer small frames than V3's packed blocks:
 * the rings that take most traffic have 128 blocks (8 MiB, 4,096 slots,
 * about 7 ms at 600,000 frames/s). */
#define DP_PORT_RX_BLOCK_SIZE (64 * 1024)
#define DP_PORT_RX_BLOCKS 128
#define DP_PORT_RX_SLOT 2048

/* Set by Linux 6.7 and later for a TCP GSO super-frame. */
#ifndef TP_STATUS_GSO_TCP
#define TP_STATUS_GSO_TCP (1 << 8)
#endif

/* Receive buffer for the frames that do not fit a slot: room for dozens
 * of jumbo frames waiting to be read (SO_RCVBUFFORCE, else what
 * net.core.rmem_max allows). */
#define DP_PORT_RX_COPY_BUF (2 * 1024 * 1024)

/* Bytes of the transmit batch's buffer.  It holds DP_PORT_BATCH frames of
 * up to 2 kB, fewer jumbo frames (a full buffer sends the batch early). */
#define DP_PORT_TX_BUF (64 * 1024)

/* Receive rings of a port split by ethertype (see dp_port_open()): one
 * for all other ethertypes plus one per given ethertype. */
#define DP_PORT_MAX_RX 16

/* Blocks of the rings of a split port: for IPv4, IPv6 and MPLS unicast
 * (what nf_tables punts, and MPLS when the kernel has no "mpls"
 * expression) as many as the main ring (a burst of 3,000 frames to a
 * slow, sanitized mvsd overflowed 2,048 slots), and for the other
 * ethertypes and the catch-all 1 MiB, 512 slots. */
#define DP_PORT_RX_SPLIT_BLOCKS DP_PORT_RX_BLOCKS
#define DP_PORT_RX_SMALL_BLOCKS 16

/* One receive socket and its ring (TPACKET_V2).
 *
 *   ring: | slot 0 | slot 1 | ... | slot n_slots - 1 |
 *   slot: | tpacket2_hdr, sockaddr_ll, frame |
 *
 * (The blocks the kernel allocates are a whole number of slots, so the
 * slots are contiguous.)  A slot belongs to us from the moment its status
 * has TP_STATUS_USER until we store TP_STATUS_KERNEL back; the kernel
 * fills them in order. */
struct dp_rx_ring {
    int fd;
    uint8_t *ring;
    size_t ring_size;
    unsigned int n_slots;
    unsigned int cur;           /* Slot to read next. */
    long long int stray_since;  /* When a frame was first seen on the
                                 * socket's queue with no slot for it (see
                                 * rx_check_stray()), 0 if none is. */
};

/* What dp_port_recv() and dp_port_queue() keep between calls. */
struct dp_port_io {
    /* AF_XDP sockets, or NULL for AF_PACKET only. */
    struct dp_xsk *xsk;

    /* Without AF_XDP, rx[0] is the port's main socket (port->fd), which
     * also transmits; the split ethertypes' rings follow. */
    struct dp_rx_ring rx[DP_PORT_MAX_RX];
    int n_rx;
    int cur_rx;                 /* Ring dp_port_recv() starts with, n_rx
                                 * for the AF_XDP sockets. */
    unsigned int idle;          /* dp_port_recv() calls in a row that found
                                 * nothing, to pace socket error checks. */

    /* Transmit batch: frame i is 'tx_len[i]' bytes at 'tx_buf + tx_ofs[i]'. */
    uint8_t *tx_buf;
    size_t tx_used;             /* Bytes of 'tx_buf' in use. */
    int n_tx;                   /* Frames queued. */
    uint32_t tx_ofs[DP_PORT_BATCH];
    uint32_t tx_len[DP_PORT_BATCH];

    /* The link state dp_port_refresh() last reported. */
    bool rep_admin_up, rep_carrier, rep_gone;
};

static void port_read_state(struct dp_port *);


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

/* Maps a TPACKET_V2 receive ring on 'fd'.  The ring's parameters must be
 * set before bind(), PACKET_VNET_HDR before the ring. */
static int
setup_rx_ring(int fd, struct dp_rx_ring *r, unsigned int n_blocks)
{
    BUILD_ASSERT_DECL(DP_PORT_RX_BLOCK_SIZE % DP_PORT_RX_SLOT == 0);
    int version = TPACKET_V2;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version)) {
        return errno;
    }

    int one = 1;
    r->fd = fd;

    /* Frames longer than a slot: truncated in the ring, whole on the
     * socket's queue. */
    if (setsockopt(fd, SOL_PACKET, PACKET_COPY_THRESH, &one, sizeof one)) {
        return errno;
    }
    int rcvbuf = DP_PORT_RX_COPY_BUF;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf)) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }

    unsigned int n_slots = DP_PORT_RX_BLOCK_SIZE / DP_PORT_RX_SLOT * n_blocks;
    struct tpacket_req req = {
        .tp_block_size = DP_PORT_RX_BLOCK_SIZE,
        .tp_block_nr = n_blocks,
        .tp_frame_size = DP_PORT_RX_SLOT,
        .tp_frame_nr = n_slots,
    };
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req)) {
        return errno;
    }
    r->n_slots = n_slots;
    r->cur = 0;
    r->ring_size = (size_t) DP_PORT_RX_BLOCK_SIZE * n_blocks;
    void *ring = mmap(NULL, r->ring_size, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, fd, 0);
    if (ring == MAP_FAILED) {
        r->ring_size = 0;
        return errno;
    }
    r->ring = ring;
    return 0;
}

/* Frees 'io' and closes its sockets but the main one ('main_fd'), which the
 * caller closes. */
static void
dp_port_io_destroy(struct dp_port_io *io, int main_fd)
{
    if (io) {
        dp_xsk_close(io->xsk);
        for (int i = 0; i < io->n_rx; i++) {
            struct dp_rx_ring *r = &io->rx[i];
            if (r->ring) {
                munmap(r->ring, r->ring_size);
            }
            if (r->fd >= 0 && r->fd != main_fd) {
                close(r->fd);
            }
        }
        free(io->tx_buf);
        free(io);
    }
}

bool
dp_port_io_mode_from_string(const char *s, enum dp_port_io_mode *mode)
{
    if (!strcmp(s, "auto")) {
        *mode = DP_PORT_IO_AUTO;
    } else if (!strcmp(s, "xdp")) {
        *mode = DP_PORT_IO_XDP;
    } else if (!strcmp(s, "packet")) {
        *mode = DP_PORT_IO_PACKET;
    } else {
        return false;
    }
    return true;
}

/* Opens the AF_PACKET socket of an AF_XDP port: bound to the interface
 * with protocol 0, it receives nothing, but holds the promiscuous
 * membership and sends (see dp-xsk.h for why not through AF_XDP). */
static int
open_tx_socket(int ifindex, int *fdp)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    *fdp = fd;
    if (fd < 0) {
        return errno;
    }
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = 0,
        .sll_ifindex = ifindex,
    };
    return bind(fd, (struct sockaddr *) &sll, sizeof sll) ? errno : 0;
}

/* Attaches to 'fd' a classic BPF filter that accepts only frames whose
 * protocol (skb->protocol, after the kernel removed an outer VLAN tag) is
 * none of the 'n' ethertypes in 'types'. */
static int
filter_out_ethertypes(int fd, const ovs_be16 *types, size_t n)
{
    struct sock_filter code[DP_PORT_MAX_RX + 6];
    size_t k = 0;

    if (n > DP_PORT_MAX_RX) {
        return EINVAL;
    }
    /* A frame with a VLAN tag (stripped into metadata) is ours whatever its
     * protocol: nf_tables drops such frames at ingress (kmod/nftc.c), and
     * the per-ethertype sockets would see them without the tag. */
    code[k++] = (struct sock_filter) BPF_STMT(
        BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT);
    code[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0,
                                              1, 0);
    code[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, UINT16_MAX);
    /* A = ntohs(skb->protocol). */
    code[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
                                              SKF_AD_OFF + SKF_AD_PROTOCOL);
    for (size_t i = 0; i < n; i++) {
        /* Equal: jump to the final "drop". */
        code[k] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                                ntohs(types[i]), n - i, 0);
        k++;
    }
    code[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, UINT16_MAX);
    code[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, 0);
    struct sock_fprog prog = { .len = k, .filter = code };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog)
           ? errno : 0;
}

/* Opens a socket for 'ifindex' receiving 'proto' (network order) into a
 * ring of 'n_blocks' blocks, optionally filtered to exclude the 'n_excl'
 * ethertypes in 'excl'. */
static int
open_rx_socket(int ifindex, ovs_be16 proto, unsigned int n_blocks,
               const ovs_be16 *excl, size_t n_excl, struct dp_rx_ring *r)
{
    /* Protocol 0 until bind(): the socket must not queue frames from every
     * interface while it is being set up. */
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    r->fd = fd;

    int one = 1;
    if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING,
                   &one, sizeof one)) {
        return errno;
    }
    int error = (n_excl ? filter_out_ethertypes(fd, excl, n_excl) : 0);
    if (!error) {
        error = setup_rx_ring(fd, r, n_blocks);
    }
    if (error) {
        return error;
    }
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = proto,
        .sll_ifindex = ifindex,
    };
    return bind(fd, (struct sockaddr *) &sll, sizeof sll) ? errno : 0;
}

int
dp_port_open(const char *name, uint32_t port_no, enum dp_port_io_mode mode,
             const ovs_be16 *split, size_t n_split, struct dp_port **portp)
{
    *portp = NULL;
    if (!name[0] || strlen(name) >= IFNAMSIZ) {
        return EINVAL;
    }
    if (n_split >= DP_PORT_MAX_RX) {
        return EINVAL;
    }
    int ifindex = if_nametoindex(name);
    if (!ifindex) {
        return ENODEV;
    }

    struct dp_port_io *io = xzalloc(sizeof *io);
    for (int i = 0; i < DP_PORT_MAX_RX; i++) {
        io->rx[i].fd = -1;
    }

    /* On an AF_XDP port the XDP program takes the ETH_P_ALL socket's
     * place, and passes to nf ingress (and on to the per-ethertype sockets
     * below) what the offload owns, but no VLAN-tagged frame: the offload's
     * port chains drop those, as the ETH_P_ALL socket's (docs/offload.md),
     * so on an AF_XDP port they must stay with the program. */
    ovs_be16 pass[DP_PORT_MAX_RX];
    size_t n_pass = 0;
    for (size_t i = 0; i < n_split; i++) {
        if (!eth_type_vlan(split[i])) {
            pass[n_pass++] = split[i];
        }
    }

    char *why = NULL;
    int error = 0;
    int fd = -1;
    if (mode != DP_PORT_IO_PACKET) {
        struct ifreq ifr;
        int mtu = ifreq_ioctl(name, SIOCGIFMTU, &ifr) ? 0 : ifr.ifr_mtu;
        error = dp_xsk_open(name, ifindex, mtu, pass, n_pass,
                            mode == DP_PORT_IO_XDP, &io->xsk, &why);
        if (error && mode == DP_PORT_IO_XDP) {
            VLOG_WARN("%s: cannot open as an AF_XDP port: %s", name, why);
            goto error;
        } else if (error) {
            VLOG_INFO("%s: AF_XDP not used (%s): using AF_PACKET",
                      name, why);
        }
    }

    if (io->xsk) {
        error = open_tx_socket(ifindex, &fd);
    } else {
        /* The main socket: every ethertype, or with a split every
         * ethertype but those (an ETH_P_ALL socket runs before nf
         * ingress). */
        io->n_rx = 1;
        error = open_rx_socket(ifindex, htons(ETH_P_ALL),
                               n_split ? DP_PORT_RX_SMALL_BLOCKS
                                       : DP_PORT_RX_BLOCKS,
                               split, n_split, &io->rx[0]);
        fd = io->rx[0].fd;
    }
    if (error) {
        goto error;
    }

    /* One socket per split ethertype (per ethertype passed, on an AF_XDP
     * port): sockets bound to a protocol run after nf ingress, so they see
     * only what nf_tables let through. */
    const ovs_be16 *types = io->xsk ? pass : split;
    size_t n_types = io->xsk ? n_pass : n_split;
    for (size_t i = 0; i < n_types; i++) {
        bool big = (types[i] == htons(ETH_TYPE_IP)
                    || types[i] == htons(ETH_TYPE_IPV6)
                    || types[i] == htons(ETH_TYPE_MPLS));
        error = open_rx_socket(ifindex, types[i],
                               big ? DP_PORT_RX_SPLIT_BLOCKS
                                   : DP_PORT_RX_SMALL_BLOCKS,
                               NULL, 0, &io->rx[io->n_rx]);
        io->n_rx++;
        if (error) {
            goto error;
        }
    }

    /* No PACKET_QDISC_BYPASS: it skips the taps too, so `tcpdump -i PORT`
     * would no longer see what the switch sends, and on veth (noqueue) it
     * measured no faster. */

    /* Room for a few batches in flight to a slow receiver before send
     * fails with EAGAIN (counted as tx_dropped). */
    int sndbuf = 4 * 1024 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);

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

    io->tx_buf = xmalloc(DP_PORT_TX_BUF);

    struct dp_port *port = xzalloc(sizeof *port);
    port->port_no = port_no;
    port->name = xstrdup(name);
    port->ifindex = ifindex;
    port->fd = fd;
    port->io = io;
    port->io_desc = xstrdup(io->xsk ? dp_xsk_describe(io->xsk) : "packet");
    port->io_why = why;
    for (int i = 0; i < DP_PORT_BATCH; i++) {
        port->rx[i] = dp_packet_new_with_headroom(DP_PORT_MAX_FRAME,
                                                  DP_PORT_HEADROOM);
    }
    dp_port_refresh(port);
    *portp = port;
    return 0;

error:
    free(why);
    dp_port_io_destroy(io, fd);
    if (fd >= 0) {
        close(fd);
    }
    return error;
}

void
dp_port_close(struct dp_port *port)
{
    if (port) {
        dp_port_flush(port);
        dp_port_io_destroy(port->io, port->fd);
        close(port->fd);
        free(port->io_desc);
        free(port->io_why);
        for (int i = 0; i < DP_PORT_BATCH; i++) {
            dp_packet_delete(port->rx[i]);
        }
        free(port->name);
        free(port);
    }
}

/* Receive. */

static struct tpacket2_hdr *
rx_slot(const struct dp_rx_ring *r, unsigned int i)
{
    return ALIGNED_CAST(struct tpacket2_hdr *,
                        r->ring + (size_t) i * DP_PORT_RX_SLOT);
}

/* The status of the slot to read next, if the kernel handed it over (else
 * 0). */
static uint32_t
rx_ready(const struct dp_rx_ring *r)
{
    /* Acquire: the slot's contents are read after its status. */
    uint32_t status = __atomic_load_n(&rx_slot(r, r->cur)->tp_status,
                                      __ATOMIC_ACQUIRE);
    return status & TP_STATUS_USER ? status : 0;
}

/* Gives the current slot back to the kernel and moves to the next one. */
static void
rx_slot_release(struct dp_rx_ring *r)
{
    /* Release: our reads of the slot happen before the kernel refills
     * it. */
    __atomic_store_n(&rx_slot(r, r->cur)->tp_status, TP_STATUS_KERNEL,
                     __ATOMIC_RELEASE);
    r->cur = r->cur + 1 < r->n_slots ? r->cur + 1 : 0;
}

/* Counts or acts on 'error', which a receive socket reported. */
static void
rx_socket_error(struct dp_port *port, int error)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    if (error == ENETDOWN || error == ENXIO || error == ENODEV) {
        port_read_state(port);
    } else {
        port->stats.rx_errors++;
        VLOG_WARN_RL(&rl, "%s: receive failed (%s)",
                     port->name, ovs_strerror(error));
    }
}

/* Takes every frame off 'r''s socket queue; returns how many. */
static int
rx_drain(const struct dp_rx_ring *r)
{
    char c;
    int n = 0;
    /* (Bounded: the queue cannot hold more than the receive buffer.) */
    for (int i = 0; i < 100000; i++) {
        if (recv(r->fd, &c, 0, MSG_DONTWAIT | MSG_TRUNC) >= 0) {
            n++;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        }
        /* Else EINTR or a pending socket error, which reading cleared. */
    }
    return n;
}

/* Takes off 'r''s socket queue the whole frame that the ring holds
 * truncated (TP_STATUS_COPY), into 'data' (room for DP_PORT_MAX_FRAME
 * bytes), or discards it if 'data' is NULL.  Returns the frame's length (more
 * than DP_PORT_MAX_FRAME if it was longer), or 0 if there was none. */
static size_t
rx_copied(struct dp_port *port, const struct dp_rx_ring *r, uint8_t *data)
{
    struct iovec iov = { .iov_base = data,
                         .iov_len = data ? DP_PORT_MAX_FRAME : 0 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

    for (int tries = 0; tries < 4; tries++) {
        ssize_t n = recvmsg(r->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
        if (n >= 0) {
            return n;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        } else if (errno != EINTR) {
            /* A pending socket error (ENETDOWN: the link went down) comes
             * before the frame, and reading it clears it: note it, and
             * take the frame. */
            rx_socket_error(port, errno);
        }
    }
    return 0;
}

/* Copies the frame at 'h' (whose status is 'status') into port->rx[slot]
 * and its metadata into port->rxmeta[slot].  Returns false (and counts an
 * error or a drop) if the frame must be dropped. */
static bool
rx_frame(struct dp_port *port, const struct dp_rx_ring *r,
         const struct tpacket2_hdr *h, uint32_t status, int slot)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    const uint8_t *frame = (const uint8_t *) h + h->tp_mac;
    bool copy = (status & TP_STATUS_COPY) != 0;
    uint32_t len = h->tp_snaplen;

    /* Reset to an empty buffer with full headroom: a previous batch's pushes
     * and pops may have moved the data pointer. */
    struct dp_packet *pkt = port->rx[slot];
    uint8_t *data = (uint8_t *) dp_packet_base(pkt) + DP_PORT_HEADROOM;
    dp_packet_set_data(pkt, data);

    bool gso = (status & TP_STATUS_GSO_TCP) != 0;
    if (gso || h->tp_len > DP_PORT_MAX_FRAME) {
        /* A TSO/GSO super-frame (larger than the MTU of any port it could
         * go out of), or longer than we take.  Its copy, if any, goes
         * too. */
        if (copy) {
            rx_copied(port, r, NULL);
        }
        port->stats.rx_errors++;
        VLOG_WARN_RL(&rl, "%s: dropped a %"PRIu32"-byte %sframe, longer "
                     "than %d (turn TSO/GSO off on the peer: ethtool -K "
                     "PEER tso off gso off)", port->name, h->tp_len,
                     gso ? "GSO " : "", DP_PORT_MAX_FRAME);
        return false;
    }
    if (copy) {
        /* Longer than a slot: the whole frame waits on the socket. */
        len = rx_copied(port, r, data);
        if (len != h->tp_len) {
            /* The queue and the ring are out of step (a frame missing or
             * left over): start again from an empty queue, losing the
             * long frames it holds, so the next ones match again. */
            int n = rx_drain(r);
            port->stats.rx_errors += 1 + n;
            VLOG_WARN_RL(&rl, "%s: a %"PRIu32"-byte frame was not first on "
                         "the socket's queue (%"PRIu32" bytes were); dropped "
                         "it and %d more", port->name, h->tp_len, len, n);
            return false;
        }
    } else if (len < h->tp_len) {
        /* Longer than a slot, and no room on the socket for the whole of
         * it: the kernel kept only what fits. */
        port->stats.rx_dropped++;
        VLOG_WARN_RL(&rl, "%s: dropped a %"PRIu32"-byte frame: the "
                     "receive buffer for frames longer than %d bytes is "
                     "full", port->name, h->tp_len, DP_PORT_RX_SLOT);
        return false;
    } else {
        memcpy(data, frame, len);
    }
    dp_packet_set_size(pkt, len);

    size_t start, offset;
    if (status & TP_STATUS_CSUMNOTREADY
        && !(dp_csum_partial_offsets(data, len, h->tp_net - h->tp_mac,
                                &start, &offset)
             && dp_csum_complete(data, len, start, offset))) {
        port->stats.rx_errors++;
        VLOG_WARN_RL(&rl, "%s: dropped a %"PRIu32"-byte frame whose "
                     "checksum was left to offload, but not of TCP or UDP "
                     "over IP", port->name, len);
        return false;
    }

    struct dp_port_rxmeta *meta = &port->rxmeta[slot];
    if (status & TP_STATUS_VLAN_VALID) {
        /* A nonzero TPID marks the tag present, so a VID 0, PCP 0 tag
         * survives. */
        meta->vlan_tci = h->tp_vlan_tci;
        meta->vlan_tpid = htons(status & TP_STATUS_VLAN_TPID_VALID
                                && h->tp_vlan_tpid
                                ? h->tp_vlan_tpid
                                : ETH_TYPE_VLAN_8021Q);
    } else {
        meta->vlan_tci = 0;
        meta->vlan_tpid = 0;
    }
    port->stats.rx_packets++;
    port->stats.rx_bytes += len;
    return true;
}

/* Reads and clears the socket's pending error, which the kernel sets to
 * ENETDOWN when the interface goes down or away.  The error also makes
 * poll() report POLLERR until it is read: with a ring no recv() reads it
 * for us, so this is what keeps a dead port from spinning the main loop. */
static void
rx_check_error(struct dp_port *port, int fd)
{
    int error = 0;
    socklen_t len = sizeof error;

    if (!getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) && error) {
        rx_socket_error(port, error);
    }
}

/* A frame on 'r''s socket queue with none truncated in the ring to claim
 * it would keep poll() reporting the socket readable, and the forwarding
 * thread spinning: if one stays there for over a millisecond (the kernel
 * queues a frame a moment before it hands over its slot), it goes. */
static void
rx_check_stray(struct dp_port *port, struct dp_rx_ring *r)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    int queued = 0;

    if (rx_ready(r) || ioctl(r->fd, SIOCINQ, &queued) || !queued) {
        r->stray_since = 0;
    } else if (!r->stray_since) {
        r->stray_since = time_usec();
    } else if (time_usec() - r->stray_since > 1000) {
        int n = rx_drain(r);
        port->stats.rx_errors += n;
        r->stray_since = 0;
        VLOG_WARN_RL(&rl, "%s: dropped %d frames left on the socket's "
                     "queue", port->name, n);
    }
}

/* Reads frames from ring 'r' into port->rx[n...]; returns the new 'n'. */
static int
rx_ring_read(struct dp_port *port, struct dp_rx_ring *r, int n)
{
    while (n < DP_PORT_BATCH) {
        uint32_t status = rx_ready(r);
        if (!status) {
            break;
        }
        if (rx_frame(port, r, rx_slot(r, r->cur), status, n)) {
            n++;
        }
        rx_slot_release(r);
    }
    return n;
}

int
dp_port_recv(struct dp_port *port)
{
    struct dp_port_io *io = port->io;
    int n = 0;

    /* Round robin over the rings (and the AF_XDP sockets, source n_rx),
     * so no ethertype starves the others. */
    int n_src = io->n_rx + (io->xsk != NULL);
    for (int i = 0; i < n_src && n < DP_PORT_BATCH; i++) {
        int k = (io->cur_rx + i) % n_src;
        if (k < io->n_rx) {
            n = rx_ring_read(port, &io->rx[k], n);
        } else {
            int got = dp_xsk_recv(io->xsk, &port->rx[n], DP_PORT_BATCH - n,
                                  &port->stats);
            for (int j = n; j < n + got; j++) {
                dp_csum_complete_unmarked(port->rx[j]);
                port->rxmeta[j] = (struct dp_port_rxmeta) { 0, 0 };
            }
            n += got;
        }
    }
    io->cur_rx = (io->cur_rx + 1) % n_src;

    if (n) {
        io->idle = 0;
    } else {
        /* A pending socket error wakes poll() at once: check for one after
         * 1, 2, 4, ... 64 empty receives in a row, then every 64th, so an
         * idle port costs next to nothing and an error spins the loop a
         * bounded number of times. */
        io->idle++;
        if (!(io->idle & (io->idle - 1)) || !(io->idle % 64)) {
            for (int i = 0; i < io->n_rx; i++) {
                rx_check_error(port, io->rx[i].fd);
                rx_check_stray(port, &io->rx[i]);
            }
            int error = io->xsk ? dp_xsk_take_error(io->xsk) : 0;
            if (error) {
                rx_socket_error(port, error);
            }
        }
    }
    return n;
}

/* Transmit. */

/* True if 'port' can take frames: frames for a port that is down are
 * dropped here rather than by the kernel, one system call each.  Carrier is
 * not checked: after an interface comes up, IFF_RUNNING lags (linkwatch) by
 * up to a second, and a veth whose peer is down drops and counts by
 * itself. */
static bool
tx_port_ok(const struct dp_port *port)
{
    return port->admin_up && !port->gone;
}

int
dp_port_flush(struct dp_port *port)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct dp_port_io *io = port->io;
    int n = io->n_tx;

    if (!n) {
        return 0;
    }

    struct mmsghdr msgs[DP_PORT_BATCH];
    struct iovec iovs[DP_PORT_BATCH];
    for (int i = 0; i < n; i++) {
        iovs[i] = (struct iovec) {
            .iov_base = io->tx_buf + io->tx_ofs[i],
            .iov_len = io->tx_len[i],
        };
        msgs[i] = (struct mmsghdr) {
            .msg_hdr = { .msg_iov = &iovs[i], .msg_iovlen = 1 },
        };
    }

    int first_error = 0;
    int done = 0;
    while (done < n) {
        int sent = sendmmsg(port->fd, &msgs[done], n - done, 0);
        if (sent > 0) {
            for (int i = done; i < done + sent; i++) {
                port->stats.tx_packets++;
                port->stats.tx_bytes += io->tx_len[i];
            }
            done += sent;
            continue;
        }

        int error = sent < 0 ? errno : EIO;
        if (error == EINTR) {
            continue;
        }
        first_error = first_error ? first_error : error;
        if (error == EAGAIN || error == ENOBUFS) {
            /* Send buffer full: the receiver is slower than we are. */
            port->stats.tx_dropped += n - done;
            break;
        } else if (error == ENETDOWN || error == ENXIO || error == ENODEV) {
            /* Went down since the last refresh: drop the batch quietly and
             * let the state we read stop later frames before the kernel. */
            port->stats.tx_dropped += n - done;
            port_read_state(port);
            break;
        }
        /* This frame alone is bad (EMSGSIZE: longer than the MTU...):
         * skip it and send the rest. */
        port->stats.tx_errors++;
        VLOG_WARN_RL(&rl, "%s: send of a %"PRIu32"-byte frame failed (%s)",
                     port->name, io->tx_len[done], ovs_strerror(error));
        done++;
    }
    io->n_tx = 0;
    io->tx_used = 0;
    return first_error;
}

int
dp_port_queue(struct dp_port *port, const struct dp_packet *pkt)
{
    struct dp_port_io *io = port->io;
    size_t size = dp_packet_size(pkt);

    if (size < ETH_HEADER_LEN) {
        port->stats.tx_errors++;
        return EINVAL;
    }
    if (!tx_port_ok(port)) {
        port->stats.tx_dropped++;
        return ENETDOWN;
    }
    if (size > DP_PORT_TX_BUF) {
        /* Only a packet-out can be this long; the kernel refuses it with
         * EMSGSIZE, which the flush below counts. */
        size = DP_PORT_TX_BUF;
    }
    if (io->n_tx >= DP_PORT_BATCH || io->tx_used + size > DP_PORT_TX_BUF) {
        dp_port_flush(port);
    }
    io->tx_ofs[io->n_tx] = io->tx_used;
    io->tx_len[io->n_tx] = size;
    io->n_tx++;
    memcpy(io->tx_buf + io->tx_used, dp_packet_data(pkt), size);
    /* Keep every frame 8-byte aligned in the buffer. */
    io->tx_used += ROUND_UP(size, 8);
    return 0;
}

int
dp_port_send(struct dp_port *port, const struct dp_packet *pkt)
{
    int error = dp_port_queue(port, pkt);
    return error ? error : dp_port_flush(port);
}

void
dp_port_wait(const struct dp_port *port)
{
    const struct dp_port_io *io = port->io;

    for (int i = 0; i < io->n_rx; i++) {
        if (rx_ready(&io->rx[i])) {
            /* A frame is ready: the caller stopped early. */
            poll_immediate_wake();
            return;
        }
    }
    if (io->xsk && dp_xsk_ready(io->xsk)) {
        poll_immediate_wake();
        return;
    }
    if (!port->gone) {
        for (int i = 0; i < io->n_rx; i++) {
            poll_fd_wait(io->rx[i].fd, POLLIN);
        }
        if (io->xsk) {
            dp_xsk_wait(io->xsk);
        }
    }
}

/* Reads the interface's presence, flags, address and MTU into 'port'. */
static void
port_read_state(struct dp_port *port)
{
    struct ifreq ifr;

    if (ifreq_ioctl(port->name, SIOCGIFFLAGS, &ifr)
        || if_nametoindex(port->name) != port->ifindex) {
        port->gone = true;
        port->admin_up = port->carrier = false;
        return;
    }
    port->gone = false;
    port->admin_up = (ifr.ifr_flags & IFF_UP) != 0;
    port->carrier = (ifr.ifr_flags & IFF_RUNNING) != 0;
    if (!ifreq_ioctl(port->name, SIOCGIFHWADDR, &ifr)) {
        memcpy(&port->mac, ifr.ifr_hwaddr.sa_data, ETH_ADDR_LEN);
    }
    if (!ifreq_ioctl(port->name, SIOCGIFMTU, &ifr)) {
        port->mtu = ifr.ifr_mtu;
    }
}

bool
dp_port_refresh(struct dp_port *port)
{
    struct dp_port_io *io = port->io;

    if (!port->gone) {
        port_read_state(port);
    }

    /* Frames the kernel could not put in a full ring.  Reading the counters
     * resets them. */
    for (int i = 0; i < io->n_rx; i++) {
        struct tpacket_stats st;
        socklen_t len = sizeof st;
        if (!getsockopt(io->rx[i].fd, SOL_PACKET, PACKET_STATISTICS,
                        &st, &len)) {
            port->stats.rx_dropped += st.tp_drops;
        }
    }
    if (io->xsk) {
        dp_xsk_read_drops(io->xsk, &port->stats);
    }

    bool changed = (port->admin_up != io->rep_admin_up
                    || port->carrier != io->rep_carrier
                    || port->gone != io->rep_gone);
    io->rep_admin_up = port->admin_up;
    io->rep_carrier = port->carrier;
    io->rep_gone = port->gone;
    return changed;
}

int
dp_port_set_admin(struct dp_port *port, bool up)
{
    return set_flags(port->name, IFF_UP, up);
}
