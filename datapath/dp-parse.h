/*
 * datapath/dp-parse.h: frame parser, frame -> struct dp_key.
 *
 * What?
 * =====
 *
 * dp_parse() reads one Ethernet frame and fills a 'struct dp_key' and the
 * packet's layer offsets (l2 = Ethernet, l2_5 = first MPLS entry, l3, l4),
 * which the action executor relies on.  It understands Ethernet II and
 * 802.3 framing, up to DP_VLAN_MAX 802.1Q/802.1ad tags (plus a tag the
 * kernel stripped into metadata, passed in 'vlan_tci'), ARP, IPv4 (options,
 * fragments), IPv6 (extension headers, bounded), TCP, UDP, SCTP, ICMP,
 * ICMPv6 with neighbour discovery, and MPLS label stacks.
 *
 * Hostile frames: every read is bounds-checked against the frame's length.
 * A truncated or malformed header ends parsing at the last complete layer;
 * the fields of the broken layer stay zero and its offset stays unset, so
 * the frame can still be forwarded by L2 fields.  Nothing is ever read past
 * the end of the frame, and the frame's bytes are never modified.
 *
 * MPLS: the first DP_MPLS_MAX entries go into the key.  Nothing under the
 * stack is parsed (the first nibble is not a protocol indicator); l3 and l4
 * stay unset until a pop and a recirculation.
 *
 * Thread-safety
 * =============
 *
 * Reentrant.
 */
#ifndef DATAPATH_DP_PARSE_H
#define DATAPATH_DP_PARSE_H 1

#include <stdint.h>
#include "openvswitch/types.h"

struct dp_key;
struct dp_packet;

/* Parses 'pkt' into 'key' (which it zeroes first, then sets 'in_port' and
 * 'recirc_id' from the arguments).  'vlan_tci' is a tag the kernel stripped
 * off on receive (host order, with TP_STATUS_VLAN_VALID semantics: 0 for
 * none); when nonzero, it is inserted back into the frame's bytes first, so
 * that the packet and the key agree.  Sets the offsets of 'pkt'. */
void dp_parse(struct dp_packet *pkt, uint32_t in_port, uint32_t recirc_id,
              uint16_t vlan_tci, ovs_be16 vlan_tpid, struct dp_key *key);

#endif /* datapath/dp-parse.h */
