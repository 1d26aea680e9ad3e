/*
 * datapath/dp-port.h: one switch port on a real Linux interface.
 *
 * What?
 * =====
 *
 * A 'struct dp_port' sends and receives Ethernet frames on a Linux network
 * interface through an AF_PACKET socket bound to it, in batches of up to
 * DP_PORT_BATCH frames.  The socket sets PACKET_IGNORE_OUTGOING so that
 * frames the switch transmits never come back to it as received frames,
 * puts the interface in promiscuous mode, and asks for PACKET_AUXDATA so a
 * VLAN tag the kernel stripped into metadata is handed to the parser.
 *
 * Receive buffers belong to the port and are reused from one batch to the
 * next: a received packet is valid until the next dp_port_recv() on the
 * same port.
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

struct dp_port {
    uint32_t port_no;           /* Datapath = OpenFlow port number. */
    char *name;                 /* Interface name. */
    int ifindex;
    int fd;                     /* AF_PACKET socket. */
    struct eth_addr mac;        /* Interface's hardware address. */
    int mtu;

    bool admin_up;              /* IFF_UP. */
    bool carrier;               /* IFF_RUNNING (lower layer up). */
    bool gone;                  /* Interface disappeared. */

    struct dp_port_stats stats;

    /* Receive batch: buffers reused for every dp_port_recv(). */
    struct dp_packet *rx[DP_PORT_BATCH];
    struct dp_port_rxmeta rxmeta[DP_PORT_BATCH];
};

/* Opens interface 'name' as port 'port_no'.  Brings the interface up if it
 * is down.  On success stores the port in '*portp' and returns 0; returns
 * ENODEV if no such interface exists, another positive errno value on
 * other failures. */
int dp_port_open(const char *name, uint32_t port_no, struct dp_port **portp);

/* Closes 'port' (NULL is fine): the socket, its buffers. */
void dp_port_close(struct dp_port *port);

/* Receives up to DP_PORT_BATCH frames into port->rx[] and port->rxmeta[],
 * returning how many (0 if none are waiting).  Counts them. */
int dp_port_recv(struct dp_port *port);

/* Transmits 'pkt' on 'port'.  Returns 0 or a positive errno value; counts
 * the result either way.  Does not take ownership of 'pkt'. */
int dp_port_send(struct dp_port *port, const struct dp_packet *pkt);

/* Arranges for poll_block() to wake when 'port' has frames to receive. */
void dp_port_wait(const struct dp_port *port);

/* Re-reads the interface's flags, carrier and address.  Returns true if
 * admin state, carrier or presence changed since the last call. */
bool dp_port_refresh(struct dp_port *port);

/* Sets the interface administratively up or down. */
int dp_port_set_admin(struct dp_port *port, bool up);

#endif /* datapath/dp-port.h */
