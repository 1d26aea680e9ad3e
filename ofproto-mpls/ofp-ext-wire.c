/* ofproto-mpls/ofp-ext-wire.c: extensions <-> carriers in OpenFlow
 * messages (ofp-ext.h, "Wire codecs").
 *
 * Messages are walked as bytes, OpenFlow 1.2 to 1.4 layouts (every offset
 * below is from openflow-1.1.h / openflow-1.3.h):
 *
 *   flow-mod       header+40 = 48, OXM match, instructions
 *   flow-removed   header+40 = 48, OXM match
 *   packet-out     header+16 = 24 (actions_len at 16), actions, data
 *   group-mod      header+8 = 16, buckets
 *   bucket         len, weight, watch_port, watch_group, pad = 16, actions
 *   multipart      header+8 = 16 (type at 8); FLOW and AGGREGATE requests:
 *                  +32 = 48, OXM match; FLOW reply entries: 48, OXM match,
 *                  instructions; GROUP_DESC reply entries: 8, buckets
 *   instruction    type, len, pad = 8; APPLY (4) and WRITE (3) hold actions
 *
 * Every length is checked before it is used; whatever does not parse is
 * copied as it is, for libopenvswitch's decoder to reject with the precise
 * error.  A message whose rewrite would not fit 16 bits is left alone.
 */
#include <config.h>
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofp-ext-private.h"

#include <string.h>

#include "openvswitch/ofpbuf.h"
#include "util.h"
#include "openvswitch/util.h"

enum {
    OFPT_FLOW_REMOVED_ = 11,
    OFPT_PACKET_OUT_ = 13,
    OFPT_FLOW_MOD_ = 14,
    OFPT_GROUP_MOD_ = 15,
    OFPT_MULTIPART_REQUEST_ = 18,
    OFPT_MULTIPART_REPLY_ = 19,
    OFPMP_FLOW_ = 1,
    OFPMP_AGGREGATE_ = 2,
    OFPMP_GROUP_DESC_ = 7,
    OFPIT_WRITE_ACTIONS_ = 3,
    OFPIT_APPLY_ACTIONS_ = 4,

    HEADER_LEN = 8,
    FLOW_MOD_LEN = 48,          /* Also flow-removed and the stats
                                 * requests' match offset. */
    PACKET_OUT_LEN = 24,
    PACKET_OUT_ACTIONS_LEN = 16,
    GROUP_MOD_LEN = 16,
    BUCKET_LEN = 16,
    MP_LEN = 16,
    FLOW_STATS_LEN = 48,
    GROUP_DESC_LEN = 8,
    INSTRUCTION_LEN = 8,
    MARKER_LEN = 24,            /* set_field: 4 + NXM header 4 + 16. */
};

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
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* Header 'h' with its mask bit and doubled length. */
static uint32_t
masked(uint32_t h)
{
    return (h & ~0x1ffu) | OFPEXT_HDR_HASMASK | ((h & 0xff) * 2);
}

/* One rewrite in progress. */
struct rw {
    bool to;                    /* Extensions -> carriers, else back. */
    struct ofpbuf *out;
    struct ofpext_count *count; /* 'to': what was introduced. */
    enum ofperr error;          /* First bad value met. */
};

/* Actions. */

static void
put_marker(struct rw *rw, enum ofpext_id id, uint32_t value)
{
    uint8_t *a = ofpbuf_put_zeros(rw->out, MARKER_LEN);
    put16(a, OFPEXT_OFPAT_SET_FIELD);
    put16(a + 2, MARKER_LEN);
    put32(a + 4, OFPEXT_NXM_TUN_IPV6_SRC);
    ofpext_marker_encode(id, value, a + 8);
    rw->count->n_actions++;
}

static void
put_real_action(struct rw *rw, const struct ofpext_action *ea)
{
    const struct ofpext *e = ofpext_get(ea->id);
    uint8_t *a;

    if (e->form == OFPEXT_FORM_ACTION) {
        a = ofpbuf_put_zeros(rw->out, 8);
        put16(a, e->ofpat);
        put16(a + 2, 8);
        if (ea->id == OFPEXT_PUSH_PBB) {
            put16(a + 4, ea->value);
        }
    } else {
        /* set_field mpls_bos, or pbb_isid: OXM header, value, padding. */
        a = ofpbuf_put_zeros(rw->out, 16);
        put16(a, OFPEXT_OFPAT_SET_FIELD);
        put16(a + 2, 16);
        put32(a + 4, e->oxm);
        for (int i = 0, n = e->oxm & 0xff; i < n; i++) {
            a[8 + i] = ea->value >> (8 * (n - 1 - i));
        }
    }
}

/* Rewrites the action at 'p' ('len' bytes, already checked) into rw->out
 * if it is one to rewrite; returns false to have it copied. */
static bool
rw_action(struct rw *rw, const uint8_t *p, size_t len)
{
    uint16_t type = get16(p);

    if (!rw->to) {
        struct ofpext_action ea;
        if (type != OFPEXT_OFPAT_SET_FIELD) {
            return false;
        }
        if (len == MARKER_LEN && get32(p + 4) == OFPEXT_NXM_TUN_IPV6_SRC
            && ofpext_marker_decode(p + 8, &ea)) {
            put_real_action(rw, &ea);
            return true;
        }
        if (len == 16 && get32(p + 4) == OFPEXT_NXM_TUN_SRC) {
            ea.id = OFPEXT_PBB_ISID;
            ea.value = get32(p + 8) & 0xffffff;
            put_real_action(rw, &ea);
            return true;
        }
        return false;
    }

    if (len == 8) {
        for (int i = 0; i < OFPEXT_N; i++) {
            const struct ofpext *e = &ofpext_table[i];
            if (e->form == OFPEXT_FORM_ACTION && e->ofpat == type) {
                uint32_t value = 0;
                if (e->id == OFPEXT_PUSH_PBB) {
                    value = get16(p + 4);
                    if (value != OFPEXT_ETH_TYPE_PBB) {
                        /* OpenFlow 1.3.5 7.2.5: push_pbb takes 0x88e7. */
                        rw->error = rw->error ? rw->error
                                    : OFPERR_OFPBAC_BAD_ARGUMENT;
                    }
                }
                put_marker(rw, e->id, value);
                return true;
            }
        }
        return false;
    }
    if (type != OFPEXT_OFPAT_SET_FIELD || len < 8) {
        return false;
    }
    uint32_t h = get32(p + 4);
    for (int i = 0; i < OFPEXT_N; i++) {
        const struct ofpext *e = &ofpext_table[i];
        if (e->form == OFPEXT_FORM_ACTION) {
            continue;
        }
        if (h == masked(e->oxm)) {
            rw->error = rw->error ? rw->error : OFPERR_OFPBAC_BAD_SET_MASK;
            return false;
        }
        if (h != e->oxm) {
            continue;
        }
        size_t n = h & 0xff;
        if (len < 4 + 4 + n) {
            return false;       /* The decoder says OFPBAC_BAD_LEN. */
        }
        if (e->form == OFPEXT_FORM_FIELD && !e->settable) {
            rw->error = rw->error ? rw->error : OFPERR_OFPBAC_BAD_SET_TYPE;
            return false;
        }
        uint32_t value = 0;
        for (size_t j = 0; j < n; j++) {
            value = (value << 8) | p[8 + j];
        }
        if (value > e->max) {
            rw->error = rw->error ? rw->error
                        : OFPERR_OFPBAC_BAD_SET_ARGUMENT;
        }
        if (e->form == OFPEXT_FORM_SET_FIELD) {
            put_marker(rw, e->id, value & e->max);
        } else {
            uint8_t *a = ofpbuf_put_zeros(rw->out, 16);
            put16(a, OFPEXT_OFPAT_SET_FIELD);
            put16(a + 2, 16);
            put32(a + 4, ofpext_carrier_nxm(e));
            put32(a + 8, value & e->max);
            rw->count->n_actions++;
        }
        return true;
    }
    return false;
}

static void
rw_actions(struct rw *rw, const uint8_t *p, size_t len)
{
    while (len >= 8) {
        size_t alen = get16(p + 2);
        if (alen < 8 || alen % 8 || alen > len) {
            break;
        }
        if (!rw_action(rw, p, alen)) {
            ofpbuf_put(rw->out, p, alen);
        }
        p += alen;
        len -= alen;
    }
    ofpbuf_put(rw->out, p, len);
}

/* Appends 8 bytes of 'p' (an instruction or bucket header, say), the
 * rewritten actions [p + head, p + len), and fixes the 16-bit length at
 * 'len_ofs' of the copied header.  Returns false if the result would not
 * fit (nothing is appended then). */
static bool
rw_with_actions(struct rw *rw, const uint8_t *p, size_t len, size_t head,
                size_t len_ofs)
{
    size_t start = rw->out->size;
    ofpbuf_put(rw->out, p, head);
    rw_actions(rw, p + head, len - head);
    size_t new_len = rw->out->size - start;
    if (new_len > UINT16_MAX) {
        rw->out->size = start;
        return false;
    }
    put16((uint8_t *) rw->out->data + start + len_ofs, new_len);
    return true;
}

static void
rw_instructions(struct rw *rw, const uint8_t *p, size_t len)
{
    while (len >= INSTRUCTION_LEN) {
        uint16_t type = get16(p);
        size_t ilen = get16(p + 2);
        if (ilen < INSTRUCTION_LEN || ilen % 8 || ilen > len) {
            break;
        }
        if ((type != OFPIT_WRITE_ACTIONS_ && type != OFPIT_APPLY_ACTIONS_)
            || !rw_with_actions(rw, p, ilen, INSTRUCTION_LEN, 2)) {
            ofpbuf_put(rw->out, p, ilen);
        }
        p += ilen;
        len -= ilen;
    }
    ofpbuf_put(rw->out, p, len);
}

static void
rw_buckets(struct rw *rw, const uint8_t *p, size_t len)
{
    while (len >= BUCKET_LEN) {
        size_t blen = get16(p);
        if (blen < BUCKET_LEN || blen % 8 || blen > len
            || !rw_with_actions(rw, p, blen, BUCKET_LEN, 0)) {
            break;
        }
        p += blen;
        len -= blen;
    }
    ofpbuf_put(rw->out, p, len);
}

/* Matches. */

/* Length of the match at 'p' with its padding, if it is an OXM match that
 * fits in 'len' bytes, else 0. */
static size_t
oxm_match_len(const uint8_t *p, size_t len)
{
    if (len < 4 || get16(p) != 1 /* OFPMT_OXM */) {
        return 0;
    }
    size_t mlen = get16(p + 2);
    size_t padded = ROUND_UP(mlen, 8);
    return mlen >= 4 && padded <= len ? padded : 0;
}

/* Rewrites one OXM TLV (header 'h', 'n' value bytes at 'v'); returns false
 * to have it copied. */
static bool
rw_tlv(struct rw *rw, uint32_t h, const uint8_t *v, size_t n)
{
    for (int i = 0; i < OFPEXT_N; i++) {
        const struct ofpext *e = &ofpext_table[i];
        if (e->form != OFPEXT_FORM_FIELD) {
            continue;
        }
        uint32_t from = rw->to ? e->oxm : ofpext_carrier_nxm(e);
        uint32_t to = rw->to ? ofpext_carrier_nxm(e) : e->oxm;
        bool has_mask = h == masked(from);
        if (h != from && !has_mask) {
            continue;
        }
        size_t from_n = from & 0xff, to_n = to & 0xff;
        if (n != from_n * (has_mask ? 2 : 1)) {
            return false;
        }
        uint8_t *q = ofpbuf_put_zeros(rw->out, 4 + to_n * (has_mask ? 2 : 1));
        put32(q, has_mask ? masked(to) : to);
        for (int part = 0; part < (has_mask ? 2 : 1); part++) {
            const uint8_t *src = v + part * from_n;
            uint8_t *dst = q + 4 + part * to_n;
            uint32_t x = 0;
            for (size_t j = 0; j < from_n; j++) {
                x = (x << 8) | src[j];
            }
            if (rw->to && part == 0 && x > e->max) {
                rw->error = rw->error ? rw->error : OFPERR_OFPBMC_BAD_VALUE;
            }
            x &= e->max;
            for (size_t j = 0; j < to_n; j++) {
                dst[j] = x >> (8 * (to_n - 1 - j));
            }
        }
        if (rw->to) {
            rw->count->match_fields |= 1u << e->id;
        }
        return true;
    }
    return false;
}

/* Rewrites the match at 'p' (checked by oxm_match_len()), padding
 * included. */
static void
rw_match(struct rw *rw, const uint8_t *p)
{
    size_t mlen = get16(p + 2);
    size_t start = rw->out->size;
    size_t ofs = 4;

    ofpbuf_put(rw->out, p, 4);
    while (ofs + 4 <= mlen) {
        uint32_t h = get32(p + ofs);
        size_t n = h & 0xff;
        if (ofs + 4 + n > mlen) {
            break;
        }
        if (!rw_tlv(rw, h, p + ofs + 4, n)) {
            ofpbuf_put(rw->out, p + ofs, 4 + n);
        }
        ofs += 4 + n;
    }
    ofpbuf_put(rw->out, p + ofs, mlen - ofs);
    size_t new_len = rw->out->size - start;
    put16((uint8_t *) rw->out->data + start + 2, new_len);
    ofpbuf_put_zeros(rw->out, ROUND_UP(new_len, 8) - new_len);
}

/* Copies the 'len' bytes at 'p': a fixed part 'head' long, an OXM match,
 * then what follows, rewritten as 'rest' says.  False if there is no OXM
 * match there. */
enum rest { REST_NONE, REST_INSTRUCTIONS };

static bool
rw_with_match(struct rw *rw, const uint8_t *p, size_t len, size_t head,
              enum rest rest)
{
    size_t ml = len > head ? oxm_match_len(p + head, len - head) : 0;
    if (!ml) {
        return false;
    }
    ofpbuf_put(rw->out, p, head);
    rw_match(rw, p + head);
    if (rest == REST_INSTRUCTIONS) {
        rw_instructions(rw, p + head + ml, len - head - ml);
    } else {
        ofpbuf_put(rw->out, p + head + ml, len - head - ml);
    }
    return true;
}

static bool
rw_flow_stats(struct rw *rw, const uint8_t *p, size_t len)
{
    ofpbuf_put(rw->out, p, MP_LEN);
    p += MP_LEN;
    len -= MP_LEN;
    while (len >= FLOW_STATS_LEN) {
        size_t elen = get16(p);
        size_t start = rw->out->size;
        if (elen < FLOW_STATS_LEN || elen > len
            || !rw_with_match(rw, p, elen, FLOW_STATS_LEN,
                              REST_INSTRUCTIONS)
            || rw->out->size - start > UINT16_MAX) {
            return false;
        }
        put16((uint8_t *) rw->out->data + start, rw->out->size - start);
        p += elen;
        len -= elen;
    }
    ofpbuf_put(rw->out, p, len);
    return true;
}

static bool
rw_group_desc(struct rw *rw, const uint8_t *p, size_t len)
{
    ofpbuf_put(rw->out, p, MP_LEN);
    p += MP_LEN;
    len -= MP_LEN;
    while (len >= GROUP_DESC_LEN) {
        size_t elen = get16(p);
        size_t start = rw->out->size;
        if (elen < GROUP_DESC_LEN || elen > len) {
            return false;
        }
        ofpbuf_put(rw->out, p, GROUP_DESC_LEN);
        rw_buckets(rw, p + GROUP_DESC_LEN, elen - GROUP_DESC_LEN);
        if (rw->out->size - start > UINT16_MAX) {
            return false;
        }
        put16((uint8_t *) rw->out->data + start, rw->out->size - start);
        p += elen;
        len -= elen;
    }
    ofpbuf_put(rw->out, p, len);
    return true;
}

static bool
rw_packet_out(struct rw *rw, const uint8_t *p, size_t len)
{
    if (len < PACKET_OUT_LEN) {
        return false;
    }
    size_t alen = get16(p + PACKET_OUT_ACTIONS_LEN);
    if (alen > len - PACKET_OUT_LEN) {
        return false;
    }
    ofpbuf_put(rw->out, p, PACKET_OUT_LEN);
    rw_actions(rw, p + PACKET_OUT_LEN, alen);
    size_t new_alen = rw->out->size - PACKET_OUT_LEN;
    if (new_alen > UINT16_MAX) {
        return false;
    }
    put16((uint8_t *) rw->out->data + PACKET_OUT_ACTIONS_LEN, new_alen);
    ofpbuf_put(rw->out, p + PACKET_OUT_LEN + alen,
               len - PACKET_OUT_LEN - alen);
    return true;
}

/* Rewrites message 'p' ('len' bytes) into rw->out.  Returns false if it is
 * not one of ours or does not parse. */
static bool
rw_msg(struct rw *rw, const uint8_t *p, size_t len)
{
    uint8_t version = p[0], type = p[1];

    if (version < OFP12_VERSION || version > OFP14_VERSION) {
        return false;
    }
    switch (type) {
    case OFPT_FLOW_MOD_:
        return rw_with_match(rw, p, len, FLOW_MOD_LEN, REST_INSTRUCTIONS);
    case OFPT_FLOW_REMOVED_:
        return rw_with_match(rw, p, len, FLOW_MOD_LEN, REST_NONE);
    case OFPT_PACKET_OUT_:
        return rw_packet_out(rw, p, len);
    case OFPT_GROUP_MOD_:
        if (len < GROUP_MOD_LEN) {
            return false;
        }
        ofpbuf_put(rw->out, p, GROUP_MOD_LEN);
        rw_buckets(rw, p + GROUP_MOD_LEN, len - GROUP_MOD_LEN);
        return true;
    case OFPT_MULTIPART_REQUEST_:
        if (len < MP_LEN || (get16(p + 8) != OFPMP_FLOW_
                             && get16(p + 8) != OFPMP_AGGREGATE_)) {
            return false;
        }
        return rw_with_match(rw, p, len, FLOW_MOD_LEN, REST_NONE);
    case OFPT_MULTIPART_REPLY_:
        if (len < MP_LEN) {
            return false;
        }
        if (get16(p + 8) == OFPMP_FLOW_) {
            return rw_flow_stats(rw, p, len);
        } else if (get16(p + 8) == OFPMP_GROUP_DESC_) {
            return rw_group_desc(rw, p, len);
        }
        return false;
    default:
        return false;
    }
}

/* True if the 4 bytes 'w' (and what follows them, 'left' bytes in all
 * from 'q') start a pattern that a message going to libopenvswitch ('to')
 * or coming from it needs rewritten for. */
static bool
pattern_at(uint32_t w, const uint8_t *q, size_t left, bool to)
{
    if (to) {
        switch (w) {
        case 0x80004801:        /* mpls_bos (set_field). */
        case 0x80004a03:        /* pbb_isid. */
        case 0x80004b06:
        case 0x80004e02:        /* ipv6_exthdr. */
        case 0x80004f04:
        case 0x000b0008:        /* copy_ttl_out. */
        case 0x000c0008:        /* copy_ttl_in. */
        case 0x001a0008:        /* push_pbb. */
        case 0x001b0008:        /* pop_pbb. */
            return true;
        case 0x00190010:
            /* set_field eth_type and ip_proto: the whole action header,
             * since the fields alone are in nearly every match. */
            return left >= 8 && (get32(q + 4) == 0x80000a02
                                 || get32(q + 4) == 0x80001401);
        default:
            return false;
        }
    }
    switch (w) {
    case 0x00013e04:            /* tun_src. */
    case 0x00013f08:
    case 0x00014004:            /* tun_dst. */
    case 0x00014108:
    case 0x0001da10:            /* tun_ipv6_src (markers). */
        return true;
    default:
        return false;
    }
}

/* Byte patterns that a message needing a rewrite must contain; most
 * messages have none and are left alone without a copy.  One pass over
 * the message (it is on the path of every flow-mod: a bundle of 100,000
 * spent 7% of its time in eleven memmem() passes each). */
static bool
may_need(const uint8_t *p, size_t len, bool to)
{
    for (size_t i = 0; i + 4 <= len; i++) {
        /* Every pattern starts with 0x00 or 0x80. */
        if (!(p[i] & 0x7f) && pattern_at(get32(p + i), p + i, len - i, to)) {
            return true;
        }
    }
    return false;
}

/* Runs the rewrite of 'oh' in direction 'to'.  Returns the new message (or
 * NULL when nothing changed or it would not fit) and the first bad value
 * in '*errorp'. */
static struct ofpbuf *
rewrite(const struct ofp_header *oh, bool to, struct ofpext_count *count,
        enum ofperr *errorp)
{
    const uint8_t *p = (const uint8_t *) oh;
    size_t len = ntohs(oh->length);
    struct ofpext_count scratch = { 0, 0 };
    struct ofpext_count *c = count ? count : &scratch;
    struct ofpext_count before = *c;

    *errorp = 0;
    if (len < HEADER_LEN || !may_need(p, len, to)) {
        return NULL;
    }
    struct rw rw = {
        .to = to,
        .out = ofpbuf_new(len + 64),
        .count = c,
    };
    bool ok = rw_msg(&rw, p, len);
    *errorp = rw.error;
    if (!ok || rw.out->size > UINT16_MAX
        || (rw.out->size == len && !memcmp(rw.out->data, p, len))) {
        ofpbuf_delete(rw.out);
        *c = before;
        return NULL;
    }
    put16((uint8_t *) rw.out->data + 2, rw.out->size);
    return rw.out;
}

enum ofperr
ofpext_msg_to_carriers(const struct ofp_header *oh, struct ofpbuf **out,
                       struct ofpext_count *count)
{
    enum ofperr error;
    *out = rewrite(oh, true, count, &error);
    if (error) {
        ofpbuf_delete(*out);
        *out = NULL;
    }
    return error;
}

void
ofpext_msg_from_carriers(struct ofpbuf *msg)
{
    enum ofperr error;
    if (msg->size < HEADER_LEN) {
        return;
    }
    /* The header's length may lag behind a message still being built. */
    struct ofp_header *oh = msg->data;
    oh->length = htons(msg->size);
    struct ofpbuf *new = rewrite(oh, false, NULL, &error);
    if (new) {
        size_t ofs = msg->msg ? (uint8_t *) msg->msg - (uint8_t *) msg->data
                              : 0;
        ofpbuf_clear(msg);
        ofpbuf_put(msg, new->data, new->size);
        msg->header = msg->data;
        msg->msg = ofs ? (uint8_t *) msg->data + ofs : NULL;
        ofpbuf_delete(new);
    }
}

bool
ofpext_msg_has_carriers(const struct ofpbuf *msg)
{
    enum ofperr error;

    if (msg->size < HEADER_LEN || msg->size > UINT16_MAX) {
        return false;
    }
    /* A precise answer: a rewrite back changes something. */
    struct ofp_header *oh = xmemdup(msg->data, msg->size);
    oh->length = htons(msg->size);
    struct ofpbuf *new = rewrite(oh, false, NULL, &error);
    bool has = new != NULL;
    ofpbuf_delete(new);
    free(oh);
    return has;
}
