/*
 * ofproto-mpls/ofp-mpls.h: the OpenFlow 1.3 MPLS actions libopenvswitch
 * does not decode.
 *
 * What?
 * =====
 *
 * libopenvswitch's action decoder rejects OFPAT_COPY_TTL_OUT and
 * OFPAT_COPY_TTL_IN (Open vSwitch never implemented them) and refuses
 * set-field on OXM_OF_MPLS_BOS (it treats mpls_bos as read-only).  mvs
 * supports all three without patching the library:
 *
 *   - on the way in, ofp_mpls_decode_rewrite() copies a flow-mod or
 *     packet-out, replacing each such action by a marker that OVS's
 *     decoder accepts anywhere, action sets included: a set-field of the
 *     Nicira register reg15 to 0x6d7673KV ("mvs", then the kind K and the
 *     value V of the action), which mvs never executes as a register
 *     write;
 *   - translation recognizes the marker with ofp_mpls_marker_parse();
 *   - on the way out, ofp_mpls_encode_rewrite() turns the markers in a flow
 *     stats reply back into the real OpenFlow actions, so a controller gets
 *     back exactly what it sent.
 *
 * Wire layouts, OpenFlow 1.1+ (network byte order):
 *
 *   copy_ttl_out/in           set_field mpls_bos            marker
 *   +------+------+-------+   +------+------+-----------+   +------+------+
 *   | type | len=8| pad 4 |   |type25|len=16| OXM hdr 4 |   |type25|len=16|
 *   +------+------+-------+   +------+------+-----------+   +------+------+
 *    11=out, 12=in            | bos | pad 7             |   |NXM reg15 hdr|
 *                             +-----+-------------------+   +-------------+
 *                                                           |"mvs"|KV|pad4|
 *                                                           +-------------+
 *
 * Every length is checked; a malformed message is left for libopenvswitch's
 * decoder to reject with the precise error.
 *
 * Thread-safety: reentrant.
 */
#ifndef OFPROTO_MPLS_OFP_MPLS_H
#define OFPROTO_MPLS_OFP_MPLS_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openflow/openflow.h"
#include "openvswitch/ofp-errors.h"

struct ofpact;
struct ds;
struct ofpbuf;

/* The actions carried in markers. */
enum ofp_mpls_ext {
    OFP_MPLS_COPY_TTL_OUT = 1,
    OFP_MPLS_COPY_TTL_IN = 2,
    OFP_MPLS_SET_BOS = 3,       /* Value: the BOS bit. */
    OFP_MPLS_PUSH_PBB = 4,      /* OFPAT_PUSH_PBB (ethertype 0x88e7). */
    OFP_MPLS_POP_PBB = 5,       /* OFPAT_POP_PBB. */
};
#define OFP_MPLS_EXT_MAX OFP_MPLS_POP_PBB

/* If 'oh' (a flow-mod, packet-out or flow/aggregate stats request, OpenFlow
 * 1.1 or later) contains any of the three actions or an OXM_OF_IPV6_EXTHDR
 * match (which libopenvswitch does not know either: it travels inside mvs
 * as NXM_NX_REG14), stores in '*out' a rewritten copy the library can
 * decode (the caller frees it with ofpbuf_delete()); else stores NULL.
 * Returns OFPERR_OFPBMC_BAD_PREREQ for an ipv6_exthdr match without
 * eth_type=0x86dd, else 0. */
enum ofperr ofp_mpls_decode_rewrite(const struct ofp_header *oh,
                                    struct ofpbuf **out);

/* The reverse, in place, for a flow stats reply or a flow-removed message
 * (OpenFlow 1.1 or later): markers become the real actions, reg14 matches
 * ipv6_exthdr ones. */
void ofp_mpls_encode_rewrite(struct ofpbuf *msg);

/* If 'a' is a marker, stores its kind and value and returns true. */
bool ofp_mpls_marker_parse(const struct ofpact *a, enum ofp_mpls_ext *kind,
                           uint8_t *value);

/* Appends 'ofpacts' to 's' as ovs-ofctl would print them, but with markers
 * printed as the actions they stand for ("copy_ttl_in"). */
void ofp_mpls_format_ofpacts(const struct ofpact *ofpacts, size_t len,
                             struct ds *s);

#endif /* ofproto-mpls/ofp-mpls.h */
