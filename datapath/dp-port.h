/*
 * datapath/dp-port.h: one switch port on a real Linux interface.
 *
 * What?
 * =====
 *
 * A 'struct dp_port' sends and receives Ethernet frames on a Linux network
 * interface, in batches of up to DP_PORT_BATCH frames, through one of two
 * back-ends (enum dp_port_io_mode):
 *
 *   - AF_XDP (dp-xsk.h): an XDP program hands received frames to AF_XDP
 *     sockets before the kernel builds an skb for them; sends go out
 *     through a packet socket, as below, so the interface's taps see
 *     them.
 *   - AF_PACKET, described below: a packet socket bound to the interface.
 *
 * The interface is put in promiscuous mode either way.
 *
 * Receive: a TPACKET_V2 ring mapped from the kernel, one slot per frame.
 * The kernel hands each frame over (and wakes a sleeping reader) as soon as
 * it wrote it, so a lone frame is not held back; a frame longer than a slot
 * is read whole from the socket's queue.  dp_port_recv() copies frames out
 * of the ring into port-owned dp_packets with DP_PORT_HEADROOM bytes of
 * headroom, and gives each slot back as soon as its frame is copied.  A VLAN tag the kernel stripped into metadata
 * is handed to the parser in port->rxmeta[].  A frame whose checksum the
 * sender left to offload (CHECKSUM_PARTIAL, e.g. from a veth with tx
 * checksumming on) has its checksum completed in software on receive, so a
 * forwarded frame always carries a valid checksum.  PACKET_IGNORE_OUTGOING
 * keeps frames the switch transmits from coming back to it.
 *
 * Receive buffers belong to the port and are reused from one batch to the
 * next: a received packet is valid until the next dp_port_recv() on the
 * same port.
 *
 * Transmit: dp_port_queue() copies a frame into the port's transmit batch
 * (so the caller may change or reuse the packet at once) and
 * dp_port_flush() hands the whole batch to the kernel with one sendmmsg().
 * A batch is also sent when it fills up.  dp_port_send() is queue + flush.
 * A frame queued on a port that is administratively down or gone is
 * counted in tx_dropped without a system call, and without a log message.
 *
 * Link state: a port whose interface goes down or goes away is noticed on
 * the next receive (the socket reports ENETDOWN) or transmit, or by
 * dp_port_refresh(), which the owner calls periodically and which reports
 * each change exactly once.  A port whose interface is gone stays gone (it
 * does not reattach to a new interface of the same name): delete it.
 *
 * Thread-safety
 * =============
 *
 * A port is used by one thread at a time.  Counters are plain integers read
 * by the owner.
 */
#ifndef DATAPATH_DP_PORT_H
#define DATAPATH_DP_PORT_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/types.h"
#include "openvswitch/packets.h"

struct dp_packet;
struct dp_port_io;

/* Frames received or processed together. */
#define DP_PORT_BATCH 32

/* Headroom reserved in front of every received frame, so pushes of MPLS
 * label stack entries and VLAN tags don't copy the packet. */
#define DP_PORT_HEADROOM 192

/* Per-port counters, as OpenFlow port stats report them. */
struct dp_port_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
};

/* One received frame's metadata. */
struct dp_port_rxmeta {
    uint16_t vlan_tci;          /* Stripped tag's TCI. */
    ovs_be16 vlan_tpid;         /* Stripped tag's TPID, 0 if no tag. */
};

/* How a port's frames reach us. */
enum dp_port_io_mode {
    DP_PORT_IO_AUTO,            /* AF_XDP where it works, else AF_PACKET. */
    DP_PORT_IO_XDP,             /* AF_XDP or fail. */
    DP_PORT_IO_PACKET,          /* AF_PACKET. */
};

/* Parses "auto", "xdp" or "packet" into '*mode'; false if it is none. */
bool dp_port_io_mode_from_string(const char *s, enum dp_port_io_mode *mode);

struct dp_port {
    uint32_t port_no;           /* Datapath = OpenFlow port number. */
    char *name;                 /* Interface name. */
    int ifindex;
    int fd;                     /* AF_PACKET socket (with AF_XDP, it only
                                 * sends and holds the promiscuous
                                 * membership). */
    char *io_desc;              /* The back-end, e.g. "xdp native copy, 1
                                 * queue" or "packet". */
    char *io_why;               /* Why AF_XDP is not used (auto), or
                                 * NULL. */
    struct eth_addr mac;        /* Interface's hardware address. */
    int mtu;

    bool admin_up;              /* IFF_UP. */
    bool carrier;               /* IFF_RUNNING (lower layer up). */
    bool gone;                  /* Interface disappeared. */

    struct dp_port_stats stats;

    /* Receive batch: buffers reused for every dp_port_recv(). */
    struct dp_packet *rx[DP_PORT_BATCH];
    struct dp_port_rxmeta rxmeta[DP_PORT_BATCH];

    struct dp_port_io *io;      /* Rings and transmit batch (dp-port.c). */
};

/* Opens interface 'name' as port 'port_no'.
 *
 * With 'n_split' > 0, frames whose ethertype is one of the 'n_split' in
 * 'split' are received by sockets bound to those protocols, which the
 * kernel serves after nf_tables ingress (so they see only what nf_tables
 * let through), and every other frame by an ETH_P_ALL socket filtered to
 * exclude them: no frame is received twice, and none the kernel forwarded
 * or dropped reaches userspace (datapath offload, kmod/nftc.h).  Without a
 * split, one ETH_P_ALL socket receives everything.  With AF_XDP, the
 * XDP program passes the split ethertypes to the stack and redirects the
 * rest, so the AF_XDP sockets take the ETH_P_ALL socket's place.
 *
 * 'mode' picks the back-end; with DP_PORT_IO_AUTO, a port on which AF_XDP
 * fails (no kernel support, another XDP program, an MTU too large...)
 * falls back to AF_PACKET and says why in the log and in 'io_why'.
 * Brings the interface up if it is down.  On success stores the port in
 * '*portp' and returns 0; returns ENODEV if no such interface exists,
 * another positive errno value on other failures. */
int dp_port_open(const char *name, uint32_t port_no,
                 enum dp_port_io_mode mode, const ovs_be16 *split,
                 size_t n_split, struct dp_port **portp);

/* Closes 'port' (NULL is fine): the socket, its buffers. */
void dp_port_close(struct dp_port *port);

/* Receives up to DP_PORT_BATCH frames into port->rx[] and port->rxmeta[],
 * returning how many (0 if none are waiting).  Counts them. */
int dp_port_recv(struct dp_port *port);

/* Transmits 'pkt' on 'port' at once, after any frames already queued on
 * 'port'.  Returns 0 or a positive errno value; counts the result either
 * way.  Does not take ownership of 'pkt'. */
int dp_port_send(struct dp_port *port, const struct dp_packet *pkt);

/* Copies 'pkt' into 'port''s transmit batch (the caller keeps 'pkt' and may
 * modify it at once), sending the batch first if it is full.  Returns 0 if
 * the frame was queued; EINVAL for a runt, ENETDOWN if the port is
 * administratively down or gone (the frame is counted in tx_dropped).
 * Errors found when the batch is sent are counted, not returned. */
int dp_port_queue(struct dp_port *port, const struct dp_packet *pkt);

/* Sends the frames queued on 'port', if any, with one system call (more
 * only if the kernel takes part of the batch).  Returns 0 or the first
 * positive errno value met; counts every frame either way. */
int dp_port_flush(struct dp_port *port);

/* Arranges for poll_block() to wake when 'port' has frames to receive. */
void dp_port_wait(const struct dp_port *port);

/* Re-reads the interface's flags, carrier, address and the receive ring's
 * drop counter.  Returns true if admin state, carrier or presence changed
 * since the last call returned (a change first noticed by a receive or a
 * transmit error is reported here too, once). */
bool dp_port_refresh(struct dp_port *port);

/* Sets the interface administratively up or down. */
int dp_port_set_admin(struct dp_port *port, bool up);

#endif /* datapath/dp-port.h */
