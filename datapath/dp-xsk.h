/*
 * datapath/dp-xsk.h: AF_XDP receive sockets for a port (dp-port.c's other
 * back-end).
 *
 * What?
 * =====
 *
 * A 'struct dp_xsk' receives and sends one interface's frames through
 * AF_XDP: one XDP program on the interface redirects each frame to an
 * AF_XDP socket of its receive queue (one socket and one UMEM per queue),
 * so a frame crosses from the driver to us without an skb, the stack or a
 * tap.  The program is built here, as eBPF instructions, and attached with
 * a BPF link: it detaches when the link's last descriptor closes, so an
 * mvsd that dies leaves no program behind.
 *
 * Frames whose ethertype is one of the 'pass' ethertypes given to
 * dp_xsk_open() go on to the stack (XDP_PASS): the caller's choice (dp-port.c
 * passes those the nf_tables offload handles at ingress, which runs after
 * XDP, and receives what nf_tables leaves of them on packet sockets).
 *
 * The program is attached in native (driver) mode where the driver has
 * it, veth included, else, if the caller allows it, in generic mode (which
 * runs after GRO, so frames may be too large for a UMEM frame); the
 * sockets are bound
 * zero-copy where the driver allows it, else in copy mode.  Received
 * frames are copied out of the UMEM into the caller's packets, which keep
 * their headroom, and their frames go straight back to the fill ring.
 *
 * Only receive: a port sends through its packet socket, not through an
 * AF_XDP tx ring.  An AF_XDP send skips the interface's taps (the kernel's
 * direct transmit), so `tcpdump -i PORT` would not see what the switch
 * sends; and on veth, where AF_XDP runs in copy mode, it measured no
 * cheaper than sendmmsg() (bench/README.md).
 *
 * Thread-safety
 * =============
 *
 * A 'struct dp_xsk' is used by one thread at a time.
 */
#ifndef DATAPATH_DP_XSK_H
#define DATAPATH_DP_XSK_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/types.h"

struct dp_packet;
struct dp_port_stats;
struct dp_xsk;

/* Largest frame an AF_XDP port receives: a UMEM frame (2,048 bytes) less
 * the kernel's XDP headroom (256). */
#define DP_XSK_MAX_FRAME 1792

/* Attaches the XDP program to interface 'ifindex' ('name', whose MTU is
 * 'mtu'), passing the 'n_pass' ethertypes in 'pass' to the stack, and
 * opens a socket per receive queue.  On success stores the sockets in
 * '*xskp' and returns 0.  On failure returns a positive errno value and
 * stores in '*why' (which the caller frees) a sentence saying what failed
 * and why, for the log: no AF_XDP in the kernel, another XDP program on
 * the interface, an MTU too large for a UMEM frame... */
int dp_xsk_open(const char *name, int ifindex, int mtu, const ovs_be16 *pass,
                size_t n_pass, bool allow_generic, struct dp_xsk **xskp,
                char **why);

/* Detaches the program and closes the sockets ('xsk' may be NULL). */
void dp_xsk_close(struct dp_xsk *xsk);

/* How the port is attached, e.g. "xdp native copy, 1 queue". */
const char *dp_xsk_describe(const struct dp_xsk *xsk);

/* Copies up to 'max' received frames into 'pkts[0...]' (each with room for
 * DP_XSK_MAX_FRAME bytes after its data pointer) and returns how many. */
int dp_xsk_recv(struct dp_xsk *xsk, struct dp_packet **pkts, int max,
                struct dp_port_stats *stats);

/* Arranges for poll_block() to wake when frames are waiting. */
void dp_xsk_wait(const struct dp_xsk *xsk);

/* True if received frames are waiting. */
bool dp_xsk_ready(struct dp_xsk *xsk);

/* Reads and clears a pending socket error (ENETDOWN when the interface
 * goes away); returns it or 0. */
int dp_xsk_take_error(struct dp_xsk *xsk);

/* Adds the kernel's drop counters (full rx or fill ring, bad descriptors)
 * since the last call to 'stats'. */
void dp_xsk_read_drops(struct dp_xsk *xsk, struct dp_port_stats *stats);

#endif /* datapath/dp-xsk.h */
