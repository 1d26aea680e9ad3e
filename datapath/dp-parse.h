/*
 * datapath/dp-parse.h: frame parser, frame -> struct dp_key.
 *
 * What?
 * =====
 *
 * dp_parse() reads one Ethernet frame and fills a 'struct dp_key' and the
 * packet's layer offsets (l2 = Ethernet, l2_5 = first MPLS entry, l3, l4),
 * which the action executor relies on.  It understands Ethernet II and
 * 802.3 framing (dl_type 0x05ff), up to DP_VLAN_MAX 802.1Q/802.1ad tags
 * (TPID 0x8100, 0x88a8, or 0x9100 taken as an S-tag; a deeper tag is left
 * unparsed with 'dl_type' its TPID), plus a tag the kernel stripped into
 * metadata, passed in 'vlan_tci'; ARP (Ethernet/IPv4 only) and RARP; IPv4
 * (options, fragments: no L4 for later fragments); IPv6 (extension headers,
 * at most 16 walked, 'ipv6_exthdr' as OpenFlow's OFPIEH_* bits, ESP and "no
 * next header" end the chain with 'nw_proto' 50 or 59; a truncated or
 * overlong chain leaves 'nw_proto' 0); TCP, UDP, SCTP, ICMP, ICMPv6 with
 * neighbour discovery; and MPLS label stacks.
 *
 * Hostile frames: every read is bounds-checked against the frame's length.
 * A truncated or malformed header ends parsing at the last complete layer;
 * the fields of the broken layer stay zero and its offset stays unset, so
 * the frame can still be forwarded by L2 fields.  Nothing is ever read past
 * the end of the frame, and the frame's bytes are never modified (except for
 * the re-insertion of a stripped VLAN tag, below).  Frames longer than
 * UINT16_MAX bytes (which the 16-bit layer offsets cannot describe) get
 * their Ethernet and VLAN fields only.
 *
 * MPLS: the first DP_MPLS_MAX entries go into the key.  Nothing under the
 * stack is parsed (the first nibble is not a protocol indicator); l3 and l4
 * stay unset until a pop and a recirculation.  Only the first DP_MPLS_MAX + 1
 * entries are read, so a stack of any depth costs the same.
 *
 * Layer offsets
 * =============
 *
 * The executor (dp-actions.h) trusts these, so each one promises something:
 *
 *   l2_5   set iff the ethertype after the VLAN headers is MPLS (0x8847 or
 *          0x8848): the first label stack entry, i.e. the end of the L2
 *          headers, even when the stack is truncated to no complete entry.
 *   l3     set iff the key holds a complete, sane ARP (Ethernet/IPv4),
 *          IPv4 or IPv6 header (never under MPLS).  Which one is told by
 *          the header's first byte: version 4, version 6, or 0x00 (ARP's
 *          hardware type 1).  For other frames (802.3, LLDP, a truncated
 *          IPv4 header...) it stays unset, and the end of the L2 headers is
 *          found by walking the VLAN headers.
 *   l4     set iff the key holds a complete TCP (data offset checked), UDP,
 *          SCTP, ICMP (IPv4) or ICMPv6 header of a first or only fragment.
 *   l2_pad_size  the Ethernet padding after the IPv4 total length or the
 *          IPv6 payload length, so checksums stop at the datagram's end.
 *
 * Packet data must be 2-byte aligned, as everywhere in OVS (the headers are
 * read through OVS's ovs_16aligned_* types).
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
 * 'recirc_id' from the arguments) and sets the layer offsets of 'pkt'.
 *
 * 'vlan_tci' and 'vlan_tpid' describe a tag the kernel stripped off on
 * receive (TP_STATUS_VLAN_VALID semantics).  The tag is present iff either
 * is nonzero: the kernel reports both as 0 when it stripped nothing, and a
 * caller that has TP_STATUS_VLAN_VALID should pass the TPID (tp_vlan_tpid,
 * or htons(ETH_TYPE_VLAN) on a kernel without TP_STATUS_VLAN_TPID_VALID), so
 * that a VID 0 / PCP 0 tag is not lost.  'vlan_tpid' 0 means 0x8100.  When
 * present, the tag is inserted back into the frame's bytes (using headroom;
 * 'vlan_tci' in host order is written exactly as given) before parsing, so
 * that the packet and the key agree.  A caller that has only a TCI may pass
 * 'vlan_tci' | VLAN_CFI with a 0 TPID, as OVS's key does; the DEI bit of the
 * re-inserted tag is then set.  A tag is not inserted into a frame too short
 * to hold two MAC addresses.  On recirculation pass 0 for both: the tag is
 * already in the bytes. */
void dp_parse(struct dp_packet *pkt, uint32_t in_port, uint32_t recirc_id,
              uint16_t vlan_tci, ovs_be16 vlan_tpid, struct dp_key *key);

#endif /* datapath/dp-parse.h */
