/* ofproto-mpls/ofp-mpls.c: copy_ttl_in/out and set mpls_bos on the wire. */
#include <config.h>
#include "ofproto-mpls/ofp-mpls.h"

#include <string.h>

#include "byte-order.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "packets.h"
#include "datapath/dp-key.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"

#define OFPAT_COPY_TTL_OUT_ 11
#define OFPAT_COPY_TTL_IN_ 12
#define OFPAT_SET_FIELD_ 25
#define OXM_MPLS_BOS_HEADER 0x80004801u /* OXM_OF_MPLS_BOS, 1 byte. */
#define OXM_ETH_TYPE_HEADER 0x80000a02u /* OXM_OF_ETH_TYPE. */
#define OXM_IPV6_EXTHDR 0x80004e02u     /* OXM_OF_IPV6_EXTHDR. */
#define OXM_IPV6_EXTHDR_W 0x80004f04u   /* ...with a mask. */
#define NXM_REG14_HEADER 0x00011c04u    /* NXM_NX_REG14. */
#define OXM_PBB_ISID 0x80004a03u        /* OXM_OF_PBB_ISID, 3 bytes. */
#define OXM_PBB_ISID_W 0x80004b06u
#define NXM_REG13_HEADER 0x00011a04u    /* NXM_NX_REG13: I-SID inside mvs. */
#define NXM_REG13_W 0x00011b08u
#define OFPAT_PUSH_PBB_ 26
#define OFPAT_POP_PBB_ 27
#define NXM_REG14_W 0x00011d08u         /* ...with a mask. */
#define OFPT11_FLOW_REMOVED_ 11
#define OFPT13_MULTIPART_REQUEST_ 18
#define OFPMP_FLOW_ 1
#define OFPMP_AGGREGATE_ 2
#define NXM_REG15_HEADER 0x00011e04u    /* NXM_NX_REG15, 4 bytes. */
#define OFPIT_WRITE_ACTIONS_ 3
#define OFPIT_APPLY_ACTIONS_ 4
#define OFPT11_PACKET_OUT_ 13
#define OFPT11_FLOW_MOD_ 14

/* Offsets in OpenFlow 1.1+ messages. */
#define FLOW_MOD_FIXED 48       /* ofp_header + ofp11_flow_mod. */
#define PACKET_OUT_FIXED 24     /* ofp_header + ofp11_packet_out. */
#define PACKET_OUT_ACTIONS_LEN 16
#define MP_REPLY_FIXED 16       /* ofp_header + multipart reply header. */
#define FLOW_STATS_FIXED 48     /* ofp11_flow_stats before the match. */

static const uint8_t marker_magic[3] = { 'm', 'v', 's' };

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static void
put16_at(struct ofpbuf *b, size_t ofs, uint16_t v)
{
    uint8_t *p = (uint8_t *) b->data + ofs;
    p[0] = v >> 8;
    p[1] = v;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void
put_marker(struct ofpbuf *out, enum ofp_mpls_ext kind, uint8_t value)
{
    uint8_t *p = ofpbuf_put_zeros(out, 16);
    p[1] = OFPAT_SET_FIELD_;
    p[3] = 16;
    put_be32(p + 4, NXM_REG15_HEADER);
    memcpy(p + 8, marker_magic, 3);
    p[11] = (kind << 4) | (value & 0xf);
}

static bool
is_marker(const uint8_t *p, size_t len, enum ofp_mpls_ext *kind,
          uint8_t *value)
{
    if (len == 16 && get16(p) == OFPAT_SET_FIELD_ && get16(p + 2) == 16
        && get32(p + 4) == NXM_REG15_HEADER
        && !memcmp(p + 8, marker_magic, 3)
        && (p[11] >> 4) >= OFP_MPLS_COPY_TTL_OUT
        && (p[11] >> 4) <= OFP_MPLS_EXT_MAX) {
        *kind = p[11] >> 4;
        *value = p[11] & 0xf;
        return true;
    }
    return false;
}

/* Rewrites the action list [p, p + len) into 'out'.  Malformed tails are
 * copied as they are (the decoder will reject them precisely). */
static void
rewrite_actions(const uint8_t *p, size_t len, struct ofpbuf *out,
                bool to_marker, bool *changed)
{
    if (!out) {
        /* Detection only. */
        while (len >= 8) {
            uint16_t type = get16(p);
            uint16_t alen = get16(p + 2);
            enum ofp_mpls_ext kind;
            uint8_t value;

            if (alen < 8 || alen % 8 || alen > len) {
                return;
            }
            if ((to_marker && alen == 8
                 && (type == OFPAT_COPY_TTL_OUT_
                     || type == OFPAT_COPY_TTL_IN_
                     || type == OFPAT_PUSH_PBB_ || type == OFPAT_POP_PBB_))
                || (to_marker && type == OFPAT_SET_FIELD_ && alen == 16
                    && (get32(p + 4) == OXM_MPLS_BOS_HEADER
                        || get32(p + 4) == OXM_PBB_ISID))
                || (!to_marker && is_marker(p, alen, &kind, &value))) {
                *changed = true;
                return;
            }
            p += alen;
            len -= alen;
        }
        return;
    }
    while (len >= 8) {
        uint16_t type = get16(p);
        uint16_t alen = get16(p + 2);
        enum ofp_mpls_ext kind;
        uint8_t value;

        if (alen < 8 || alen % 8 || alen > len) {
            break;
        }
        if (to_marker && alen == 8 && (type == OFPAT_COPY_TTL_OUT_
                                       || type == OFPAT_COPY_TTL_IN_)) {
            put_marker(out, type == OFPAT_COPY_TTL_OUT_
                       ? OFP_MPLS_COPY_TTL_OUT : OFP_MPLS_COPY_TTL_IN, 0);
            *changed = true;
        } else if (to_marker && type == OFPAT_SET_FIELD_ && alen == 16
                   && get32(p + 4) == OXM_MPLS_BOS_HEADER) {
            put_marker(out, OFP_MPLS_SET_BOS, p[8]);
            *changed = true;
        } else if (to_marker && alen == 8 && (type == OFPAT_PUSH_PBB_
                                              || type == OFPAT_POP_PBB_)) {
            put_marker(out, type == OFPAT_PUSH_PBB_
                       ? OFP_MPLS_PUSH_PBB : OFP_MPLS_POP_PBB, 0);
            *changed = true;
        } else if (to_marker && type == OFPAT_SET_FIELD_ && alen == 16
                   && get32(p + 4) == OXM_PBB_ISID) {
            /* set_field pbb_isid travels as set_field reg13. */
            uint8_t *a = ofpbuf_put_zeros(out, 16);
            a[1] = OFPAT_SET_FIELD_;
            a[3] = 16;
            put_be32(a + 4, NXM_REG13_HEADER);
            memcpy(a + 9, p + 8, 3);
            *changed = true;
        } else if (!to_marker && type == OFPAT_SET_FIELD_ && alen == 16
                   && get32(p + 4) == NXM_REG13_HEADER) {
            uint8_t *a = ofpbuf_put_zeros(out, 16);
            a[1] = OFPAT_SET_FIELD_;
            a[3] = 16;
            put_be32(a + 4, OXM_PBB_ISID);
            memcpy(a + 8, p + 9, 3);
            *changed = true;
        } else if (!to_marker && is_marker(p, alen, &kind, &value)) {
            if (kind == OFP_MPLS_PUSH_PBB || kind == OFP_MPLS_POP_PBB) {
                uint8_t *a = ofpbuf_put_zeros(out, 8);
                a[1] = (kind == OFP_MPLS_PUSH_PBB
                        ? OFPAT_PUSH_PBB_ : OFPAT_POP_PBB_);
                a[3] = 8;
                if (kind == OFP_MPLS_PUSH_PBB) {
                    a[4] = DP_ETH_TYPE_PBB >> 8;
                    a[5] = DP_ETH_TYPE_PBB & 0xff;
                }
            } else if (kind == OFP_MPLS_SET_BOS) {
                uint8_t *a = ofpbuf_put_zeros(out, 16);
                a[1] = OFPAT_SET_FIELD_;
                a[3] = 16;
                put_be32(a + 4, OXM_MPLS_BOS_HEADER);
                a[8] = value;
            } else {
                uint8_t *a = ofpbuf_put_zeros(out, 8);
                a[1] = (kind == OFP_MPLS_COPY_TTL_OUT
                        ? OFPAT_COPY_TTL_OUT_ : OFPAT_COPY_TTL_IN_);
                a[3] = 8;
            }
            *changed = true;
        } else {
            ofpbuf_put(out, p, alen);
        }
        p += alen;
        len -= alen;
    }
    ofpbuf_put(out, p, len);
}

static void
rewrite_instructions(const uint8_t *p, size_t len, struct ofpbuf *out,
                     bool to_marker, bool *changed)
{
    while (len >= 8) {
        uint16_t type = get16(p);
        uint16_t ilen = get16(p + 2);

        if (ilen < 8 || ilen % 8 || ilen > len) {
            break;
        }
        if (!out) {
            if (type == OFPIT_WRITE_ACTIONS_ || type == OFPIT_APPLY_ACTIONS_) {
                rewrite_actions(p + 8, ilen - 8, NULL, to_marker, changed);
            }
        } else if (type == OFPIT_WRITE_ACTIONS_
                   || type == OFPIT_APPLY_ACTIONS_) {
            size_t start = out->size;
            ofpbuf_put(out, p, 8);
            rewrite_actions(p + 8, ilen - 8, out, to_marker, changed);
            if (out->size - start > UINT16_MAX) {
                /* Cannot grow past the field; leave it to the decoder. */
                out->size = start;
                ofpbuf_put(out, p, ilen);
            } else {
                put16_at(out, start + 2, out->size - start);
            }
        } else {
            ofpbuf_put(out, p, ilen);
        }
        p += ilen;
        len -= ilen;
    }
    if (out) {
        ofpbuf_put(out, p, len);
    }
}

/* Length of the ofp11_match or OXM match at 'p', 0 if malformed. */
static size_t
match_len(const uint8_t *p, size_t len)
{
    if (len < 4) {
        return 0;
    }
    uint16_t type = get16(p);
    uint16_t mlen = get16(p + 2);
    size_t padded = type == 0 ? 88 : ROUND_UP(mlen, 8);
    return (type <= 1 && mlen >= 4 && padded <= len) ? padded : 0;
}

/* OXM_OF_IPV6_EXTHDR, which libopenvswitch does not know, travels inside
 * mvs as the Nicira register reg14 (the datapath key's ipv6_exthdr is put
 * there for lookups).  Rewrites the OXM match at 'p' ('ml' bytes with its
 * padding) into 'out' (NULL: only look), one way or the other.  Returns an
 * OpenFlow error for an ipv6_exthdr match without eth_type=0x86dd (the
 * field's prerequisite), else 0; sets '*changed' if there is anything to
 * rewrite. */
/* OXM fields libopenvswitch does not know travel inside mvs as Nicira
 * registers: ipv6_exthdr as reg14, pbb_isid as reg13 (the datapath key's
 * fields are put there for lookups).  Each needs its ethertype. */
struct oxm_alias {
    uint32_t oxm, oxm_w;        /* OXM headers, without and with mask. */
    uint32_t nxm, nxm_w;        /* Register headers. */
    size_t n;                   /* Bytes of the OXM value. */
    uint16_t eth_type;          /* Prerequisite. */
};

static const struct oxm_alias oxm_aliases[] = {
    { OXM_IPV6_EXTHDR, OXM_IPV6_EXTHDR_W, NXM_REG14_HEADER, NXM_REG14_W,
      2, ETH_TYPE_IPV6 },
    { OXM_PBB_ISID, OXM_PBB_ISID_W, NXM_REG13_HEADER, NXM_REG13_W,
      3, DP_ETH_TYPE_PBB },
};

static const struct oxm_alias *
find_alias(uint32_t h, bool to_reg, bool *masked)
{
    for (size_t i = 0; i < ARRAY_SIZE(oxm_aliases); i++) {
        const struct oxm_alias *al = &oxm_aliases[i];
        uint32_t plain = to_reg ? al->oxm : al->nxm;
        uint32_t w = to_reg ? al->oxm_w : al->nxm_w;
        if (h == plain || h == w) {
            *masked = h == w;
            return al;
        }
    }
    return NULL;
}

/* Rewrites the OXM match at 'p' ('ml' bytes with its padding) into 'out'
 * (NULL: only look), OXM to register or back.  Returns an OpenFlow error
 * for an aliased field without its eth_type prerequisite, else 0; sets
 * '*changed' if there is anything to rewrite. */
static enum ofperr
rewrite_match(const uint8_t *p, size_t ml, struct ofpbuf *out, bool to_reg,
              bool *changed)
{
    uint16_t mlen = get16(p + 2);
    bool found = false;
    uint16_t eth_type = 0;
    bool masked;

    if (get16(p) != 1 || mlen < 4 || mlen > ml) {
        if (out) {
            ofpbuf_put(out, p, ml);
        }
        return 0;
    }
    for (size_t ofs = 4; ofs + 4 <= mlen; ) {
        uint32_t h = get32(p + ofs);
        size_t flen = h & 0xff;
        if (ofs + 4 + flen > mlen) {
            break;
        }
        if (h == OXM_ETH_TYPE_HEADER) {
            eth_type = get16(p + ofs + 4);
        }
        ofs += 4 + flen;
    }
    for (size_t ofs = 4; ofs + 4 <= mlen; ) {
        uint32_t h = get32(p + ofs);
        size_t flen = h & 0xff;
        if (ofs + 4 + flen > mlen) {
            break;
        }
        const struct oxm_alias *al = find_alias(h, to_reg, &masked);
        if (al) {
            if (to_reg && eth_type != al->eth_type) {
                return OFPERR_OFPBMC_BAD_PREREQ;
            }
            found = true;
        }
        ofs += 4 + flen;
    }
    if (!found) {
        if (out) {
            ofpbuf_put(out, p, ml);
        }
        return 0;
    }
    *changed = true;
    if (!out) {
        return 0;
    }

    size_t start = out->size;
    ofpbuf_put(out, p, 4);
    for (size_t ofs = 4; ofs + 4 <= mlen; ) {
        uint32_t h = get32(p + ofs);
        size_t flen = h & 0xff;
        const uint8_t *v = p + ofs + 4;
        if (ofs + 4 + flen > mlen) {
            break;
        }
        const struct oxm_alias *al = find_alias(h, to_reg, &masked);
        if (al && to_reg) {
            /* OXM value (and mask) of 'n' bytes -> 4-byte register ones,
             * zero-extended. */
            uint8_t *q = ofpbuf_put_zeros(out, masked ? 12 : 8);
            put_be32(q, masked ? al->nxm_w : al->nxm);
            memcpy(q + 8 - al->n, v, al->n);
            if (masked) {
                memcpy(q + 12 - al->n, v + al->n, al->n);
            }
        } else if (al) {
            uint8_t *q = ofpbuf_put_zeros(out, 4 + (masked ? 2 : 1) * al->n);
            put_be32(q, masked ? al->oxm_w : al->oxm);
            memcpy(q + 4, v + 4 - al->n, al->n);
            if (masked) {
                memcpy(q + 4 + al->n, v + 8 - al->n, al->n);
            }
        } else {
            ofpbuf_put(out, p + ofs, 4 + flen);
        }
        ofs += 4 + flen;
    }
    size_t new_len = out->size - start;
    put16_at(out, start + 2, new_len);
    ofpbuf_put_zeros(out, ROUND_UP(new_len, 8) - new_len);
    return 0;
}

static bool
finish(struct ofpbuf *out)
{
    if (out->size > UINT16_MAX) {
        return false;
    }
    put16_at(out, 2, out->size);
    return true;
}

enum ofperr
ofp_mpls_decode_rewrite(const struct ofp_header *oh, struct ofpbuf **outp)
{
    const uint8_t *p = (const uint8_t *) oh;
    size_t len = ntohs(oh->length);
    bool changed = false;
    struct ofpbuf *out;
    enum ofperr error;

    *outp = NULL;
    if (oh->version < OFP11_VERSION) {
        return 0;
    }
    bool flow_mod = oh->type == OFPT11_FLOW_MOD_;
    bool stats_req = (oh->type == OFPT13_MULTIPART_REQUEST_
                      && oh->version >= OFP13_VERSION
                      && len >= FLOW_MOD_FIXED
                      && (get16(p + 8) == OFPMP_FLOW_
                          || get16(p + 8) == OFPMP_AGGREGATE_));
    if ((flow_mod || stats_req) && len >= FLOW_MOD_FIXED) {
        /* A flow-mod and a flow stats request both have their match at
         * byte 48. */
        size_t ml = match_len(p + FLOW_MOD_FIXED, len - FLOW_MOD_FIXED);
        if (!ml) {
            return 0;
        }
        size_t head = FLOW_MOD_FIXED + ml;
        /* Most messages have none of this: look before copying. */
        error = rewrite_match(p + FLOW_MOD_FIXED, ml, NULL, true, &changed);
        if (error) {
            return error;
        }
        if (flow_mod) {
            rewrite_instructions(p + head, len - head, NULL, true, &changed);
        }
        if (!changed) {
            return 0;
        }
        changed = false;
        out = ofpbuf_new(len + 64);
        ofpbuf_put(out, p, FLOW_MOD_FIXED);
        rewrite_match(p + FLOW_MOD_FIXED, ml, out, true, &changed);
        if (flow_mod) {
            rewrite_instructions(p + head, len - head, out, true, &changed);
        } else {
            ofpbuf_put(out, p + head, len - head);
        }
    } else if (oh->type == OFPT11_PACKET_OUT_ && len >= PACKET_OUT_FIXED) {
        size_t alen = get16(p + PACKET_OUT_ACTIONS_LEN);
        if (alen > len - PACKET_OUT_FIXED) {
            return 0;
        }
        out = ofpbuf_new(len + 64);
        ofpbuf_put(out, p, PACKET_OUT_FIXED);
        rewrite_actions(p + PACKET_OUT_FIXED, alen, out, true, &changed);
        size_t new_alen = out->size - PACKET_OUT_FIXED;
        if (new_alen > UINT16_MAX) {
            ofpbuf_delete(out);
            return 0;
        }
        put16_at(out, PACKET_OUT_ACTIONS_LEN, new_alen);
        ofpbuf_put(out, p + PACKET_OUT_FIXED + alen,
                   len - PACKET_OUT_FIXED - alen);
    } else {
        return 0;
    }

    if (!changed || !finish(out)) {
        ofpbuf_delete(out);
        return 0;
    }
    *outp = out;
    return 0;
}

void
ofp_mpls_encode_rewrite(struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;
    const uint8_t *p = msg->data;
    size_t len = msg->size;
    bool changed = false;

    if (len < MP_REPLY_FIXED || oh->version < OFP11_VERSION) {
        return;
    }
    /* A marker's OXM header and magic, and reg14 (ipv6_exthdr), as they
     * sit on the wire: replies without them (almost all) are left alone
     * without a copy. */
    static const uint8_t sig[7] = { 0x00, 0x01, 0x1e, 0x04, 'm', 'v', 's' };
    static const uint8_t reg14[3] = { 0x00, 0x01, 0x1c };
    static const uint8_t reg14w[3] = { 0x00, 0x01, 0x1d };
    static const uint8_t reg13[3] = { 0x00, 0x01, 0x1a };
    static const uint8_t reg13w[3] = { 0x00, 0x01, 0x1b };
    if (!memmem(p, len, sig, sizeof sig) && !memmem(p, len, reg14, 3)
        && !memmem(p, len, reg14w, 3) && !memmem(p, len, reg13, 3)
        && !memmem(p, len, reg13w, 3)) {
        return;
    }
    struct ofpbuf *out = ofpbuf_new(len);
    if (oh->type == OFPT11_FLOW_REMOVED_) {
        /* Check the length before subtracting from it. */
        size_t ml = (len >= FLOW_MOD_FIXED
                     ? match_len(p + FLOW_MOD_FIXED, len - FLOW_MOD_FIXED)
                     : 0);
        if (ml) {
            ofpbuf_put(out, p, FLOW_MOD_FIXED);
            rewrite_match(p + FLOW_MOD_FIXED, ml, out, false, &changed);
            ofpbuf_put(out, p + FLOW_MOD_FIXED + ml,
                       len - FLOW_MOD_FIXED - ml);
        }
        if (changed && finish(out)) {
            ofpbuf_clear(msg);
            ofpbuf_put(msg, out->data, out->size);
            msg->header = msg->data;
            msg->msg = (uint8_t *) msg->data + sizeof(struct ofp_header);
        }
        ofpbuf_delete(out);
        return;
    }
    ofpbuf_put(out, p, MP_REPLY_FIXED);
    size_t ofs = MP_REPLY_FIXED;
    while (ofs + FLOW_STATS_FIXED <= len) {
        size_t elen = get16(p + ofs);
        if (elen < FLOW_STATS_FIXED || elen > len - ofs) {
            break;
        }
        size_t ml = match_len(p + ofs + FLOW_STATS_FIXED,
                              elen - FLOW_STATS_FIXED);
        if (!ml) {
            break;
        }
        size_t start = out->size;
        size_t head = FLOW_STATS_FIXED + ml;
        ofpbuf_put(out, p + ofs, FLOW_STATS_FIXED);
        rewrite_match(p + ofs + FLOW_STATS_FIXED, ml, out, false, &changed);
        rewrite_instructions(p + ofs + head, elen - head, out, false,
                             &changed);
        put16_at(out, start, out->size - start);
        ofs += elen;
    }
    ofpbuf_put(out, p + ofs, len - ofs);

    if (changed && finish(out)) {
        ofpbuf_clear(msg);
        ofpbuf_put(msg, out->data, out->size);
        msg->header = msg->data;
        msg->msg = (uint8_t *) msg->data + MP_REPLY_FIXED;
    }
    ofpbuf_delete(out);
}

bool
ofp_mpls_marker_parse(const struct ofpact *a, enum ofp_mpls_ext *kind,
                      uint8_t *value)
{
    if (a->type != OFPACT_SET_FIELD) {
        return false;
    }
    const struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
    if (sf->field->id != MFF_REG15) {
        return false;
    }
    uint32_t v = ntohl(sf->value->be32);
    uint8_t k = (v >> 4) & 0xf;
    if ((v >> 8) != 0x6d7673 || k < OFP_MPLS_COPY_TTL_OUT
        || k > OFP_MPLS_EXT_MAX) {
        return false;
    }
    *kind = k;
    *value = v & 0xf;
    return true;
}

void
ofp_mpls_format_ofpacts(const struct ofpact *ofpacts, size_t len,
                        struct ds *s)
{
    const struct ofpact *a;
    bool first = true;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        enum ofp_mpls_ext kind;
        uint8_t value;

        if (!first) {
            ds_put_char(s, ',');
        }
        first = false;
        if (ofp_mpls_marker_parse(a, &kind, &value)) {
            if (kind == OFP_MPLS_SET_BOS) {
                ds_put_format(s, "set_field:%d->mpls_bos", value & 1);
            } else {
                ds_put_cstr(s, (kind == OFP_MPLS_COPY_TTL_IN ? "copy_ttl_in"
                                : kind == OFP_MPLS_COPY_TTL_OUT
                                ? "copy_ttl_out"
                                : kind == OFP_MPLS_PUSH_PBB
                                ? "push_pbb:0x88e7" : "pop_pbb"));
            }
        } else if (a->type == OFPACT_SET_FIELD
                   && ofpact_get_SET_FIELD(a)->field->id == MFF_REG13) {
            ds_put_format(s, "set_field:%#"PRIx32"->pbb_isid",
                          ntohl(ofpact_get_SET_FIELD(a)->value->be32));
        } else if (a->type == OFPACT_WRITE_ACTIONS) {
            const struct ofpact_nest *on = ofpact_get_WRITE_ACTIONS(a);
            ds_put_cstr(s, "write_actions(");
            ofp_mpls_format_ofpacts(on->actions,
                                    ofpact_nest_get_action_len(on), s);
            ds_put_char(s, ')');
        } else {
            struct ofpact_format_params fp = { .s = s };
            ofpacts_format(a, OFPACT_ALIGN(a->len), &fp);
        }
    }
    if (first) {
        ds_put_cstr(s, "drop");
    }
}
