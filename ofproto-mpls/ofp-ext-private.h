/*
 * ofproto-mpls/ofp-ext-private.h: what ofp-ext.c, ofp-ext-wire.c and
 * ofp-ext-text.c share.  Not for use outside the extension module: the
 * rest of mvs asks ofp-ext.h.
 *
 * Thread-safety: constants and pure functions only.
 */
#ifndef OFPROTO_MPLS_OFP_EXT_PRIVATE_H
#define OFPROTO_MPLS_OFP_EXT_PRIVATE_H 1

#include "ofproto-mpls/ofp-ext.h"

/* Wire codes (openflow-1.3.h numbering; the library has no names for the
 * PBB actions or the two OXM fields). */
enum {
    OFPEXT_OFPAT_COPY_TTL_OUT = 11,
    OFPEXT_OFPAT_COPY_TTL_IN = 12,
    OFPEXT_OFPAT_SET_FIELD = 25,
    OFPEXT_OFPAT_PUSH_PBB = 26,
    OFPEXT_OFPAT_POP_PBB = 27,
};

#define OFPEXT_ETH_TYPE_PBB 0x88e7

/* OXM and NXM headers: class << 16 | field << 9 | hasmask << 8 | length. */
#define OFPEXT_OXM_MPLS_BOS    0x80004801u  /* OXM_OF_MPLS_BOS, 1 byte. */
#define OFPEXT_OXM_ETH_TYPE    0x80000a02u  /* OXM_OF_ETH_TYPE, 2 bytes. */
#define OFPEXT_OXM_IP_PROTO    0x80001401u  /* OXM_OF_IP_PROTO, 1 byte. */
#define OFPEXT_OXM_PBB_ISID    0x80004a03u  /* OXM_OF_PBB_ISID, 3 bytes. */
#define OFPEXT_OXM_IPV6_EXTHDR 0x80004e02u  /* OXM_OF_IPV6_EXTHDR, 2. */
#define OFPEXT_NXM_TUN_SRC     0x00013e04u  /* NXM_NX_TUN_IPV4_SRC. */
#define OFPEXT_NXM_TUN_DST     0x00014004u  /* NXM_NX_TUN_IPV4_DST. */
#define OFPEXT_NXM_TUN_IPV6_SRC 0x0001da10u /* NXM_NX_TUN_IPV6_SRC. */
#define OFPEXT_HDR_HASMASK     0x00000100u

/* The markers' field and the first bytes of their value. */
#define OFPEXT_MARKER_FIELD MFF_TUN_IPV6_SRC
#define OFPEXT_MARKER_MAGIC "mvsx"

extern const struct ofpext ofpext_table[OFPEXT_N];

/* The extension field whose carrier is 'carrier', or NULL. */
const struct ofpext *ofpext_by_carrier(enum mf_field_id carrier);

/* The NXM header (unmasked) of row 'e''s carrier field. */
static inline uint32_t
ofpext_carrier_nxm(const struct ofpext *e)
{
    return e->carrier == MFF_TUN_SRC ? OFPEXT_NXM_TUN_SRC : OFPEXT_NXM_TUN_DST;
}

/* A marker's 16-byte value, as ofp-ext.h draws it. */
void ofpext_marker_encode(enum ofpext_id, uint32_t value, uint8_t v[16]);
bool ofpext_marker_decode(const uint8_t v[16], struct ofpext_action *);

#endif /* ofproto-mpls/ofp-ext-private.h */
