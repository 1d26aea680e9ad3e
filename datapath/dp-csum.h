/*
 * datapath/dp-csum.h: completing the TCP/UDP checksums that a sender left
 * to offload.
 *
 * What?
 * =====
 *
 * A Linux sender with tx checksum offload (a veth's default) hands the
 * kernel TCP and UDP frames whose checksum field holds only the sum of the
 * pseudo-header (CHECKSUM_PARTIAL): the NIC, or the kernel for a
 * software device, is to finish it.  A switch that takes such a frame off
 * a veth and forwards it must finish it itself, or every receiver drops
 * it.  The packet back-end learns which frames these are from the ring
 * (TP_STATUS_CSUMNOTREADY); AF_XDP has no such flag, so its frames are
 * recognised by their contents (dp_csum_complete_unmarked()).
 *
 * Everything here reads frames from the wire: every offset is checked
 * against the frame's length (tests/fuzz/fuzz-dp-parse.c drives it).
 *
 * Thread-safety
 * =============
 *
 * Pure functions of their arguments.
 */
#ifndef DATAPATH_DP_CSUM_H
#define DATAPATH_DP_CSUM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp_packet;

/* For the 'len'-byte 'frame' whose network header starts at offset 'net':
 * where the checksum a sender left to offload runs from ('*start', to the
 * end) and where it goes ('*start' + '*offset').  False for anything but
 * unfragmented TCP and UDP over IPv4 and IPv6, the only protocols a Linux
 * sender leaves to offload this way. */
bool dp_csum_partial_offsets(const uint8_t *frame, size_t len, size_t net,
                             size_t *start, size_t *offset);

/* Completes, as the sender's NIC would have, the checksum whose partial
 * sum 'frame' holds at 'start' + 'offset' over 'frame'[start, len).
 * False if the offsets are out of bounds. */
bool dp_csum_complete(uint8_t *frame, size_t len, size_t start,
                      size_t offset);

/* Completes the TCP or UDP checksum of 'pkt' (an Ethernet frame, with up
 * to two VLAN tags in it) if its checksum field holds exactly the sum of
 * its own pseudo-header and does not verify, which is what a frame left to
 * offload looks like.  Returns true if it completed one. */
bool dp_csum_complete_unmarked(struct dp_packet *pkt);

#endif /* datapath/dp-csum.h */
