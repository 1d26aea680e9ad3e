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
 *     packet-out, replacing each such action by a Nicira "note" action
 *     whose six bytes are a marker ("mvs", kind, value, 0) that OVS's
 *     decoder accepts and keeps in place as OFPACT_NOTE;
 *   - translation recognizes the marker with ofp_mpls_note_parse();
 *   - on the way out, ofp_mpls_encode_rewrite() turns the markers in a flow
 *     stats reply back into the real OpenFlow actions, so a controller gets
 *     back exactly what it sent.
 *
 * Wire layouts, OpenFlow 1.1+ (network byte order):
 *
 *   copy_ttl_out/in           set_field mpls_bos            Nicira note
 *   +------+------+-------+   +------+------+-----------+   +------+------+
 *   | type | len=8| pad 4 |   |type25|len=16| OXM hdr 4 |   |0xffff|len16 |
 *   +------+------+-------+   +------+------+-----------+   +------+------+
 *    11=out, 12=in            | bos | pad 7             |   |vendor 0x2320|
 *                             +-----+-------------------+   +------+------+
 *                                                           |sub 8 |note 6|
 *                                                           +------+------+
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

struct ofpact;
struct ofpbuf;

/* The actions carried in markers. */
enum ofp_mpls_ext {
    OFP_MPLS_COPY_TTL_OUT = 1,
    OFP_MPLS_COPY_TTL_IN = 2,
    OFP_MPLS_SET_BOS = 3,       /* Value: the BOS bit. */
};

/* If 'oh' (a flow-mod or packet-out, OpenFlow 1.1 or later) contains any
 * of the three actions, returns a rewritten copy in which they are markers
 * (the caller frees it with ofpbuf_delete()); else returns NULL. */
struct ofpbuf *ofp_mpls_decode_rewrite(const struct ofp_header *oh);

/* Turns markers in 'msg' (a flow stats reply, OpenFlow 1.1 or later) back
 * into the real actions, in place. */
void ofp_mpls_encode_rewrite(struct ofpbuf *msg);

/* If 'a' is an OFPACT_NOTE marker, stores its kind and value and returns
 * true. */
bool ofp_mpls_note_parse(const struct ofpact *a, enum ofp_mpls_ext *kind,
                         uint8_t *value);

#endif /* ofproto-mpls/ofp-mpls.h */
