/* ofproto-mpls/ofp-ext.c: the extension table, translation's accessors and
 * the collision checks.  The wire codec is ofp-ext-wire.c, the text codec
 * ofp-ext-text.c; ofp-ext.h says what the module is. */
#include <config.h>
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofp-ext-private.h"

#include <string.h>

#include "flow.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "packets.h"

const struct ofpext ofpext_table[OFPEXT_N] = {
    [OFPEXT_COPY_TTL_OUT] = {
        .id = OFPEXT_COPY_TTL_OUT,
        .name = "copy_ttl_out",
        .form = OFPEXT_FORM_ACTION,
        .ofpat = OFPEXT_OFPAT_COPY_TTL_OUT,
        .needs = OFPEXT_NEEDS_MPLS,
        .offload = NFTC_EXT_COPY_TTL_OUT,
    },
    [OFPEXT_COPY_TTL_IN] = {
        .id = OFPEXT_COPY_TTL_IN,
        .name = "copy_ttl_in",
        .form = OFPEXT_FORM_ACTION,
        .ofpat = OFPEXT_OFPAT_COPY_TTL_IN,
        .needs = OFPEXT_NEEDS_MPLS,
        .offload = NFTC_EXT_COPY_TTL_IN,
    },
    [OFPEXT_PUSH_PBB] = {
        .id = OFPEXT_PUSH_PBB,
        .name = "push_pbb",
        .form = OFPEXT_FORM_ACTION,
        .ofpat = OFPEXT_OFPAT_PUSH_PBB,
        .max = OFPEXT_ETH_TYPE_PBB,
        .needs = OFPEXT_NEEDS_NONE,
    },
    [OFPEXT_POP_PBB] = {
        .id = OFPEXT_POP_PBB,
        .name = "pop_pbb",
        .form = OFPEXT_FORM_ACTION,
        .ofpat = OFPEXT_OFPAT_POP_PBB,
        .needs = OFPEXT_NEEDS_PBB,
    },
    [OFPEXT_SET_MPLS_BOS] = {
        .id = OFPEXT_SET_MPLS_BOS,
        .name = "mpls_bos",
        .form = OFPEXT_FORM_SET_FIELD,
        .oxm = OFPEXT_OXM_MPLS_BOS,
        .max = 1,
        .needs = OFPEXT_NEEDS_MPLS,
        .offload = NFTC_EXT_SET_MPLS_BOS,
    },
    [OFPEXT_PBB_ISID] = {
        .id = OFPEXT_PBB_ISID,
        .name = "pbb_isid",
        .form = OFPEXT_FORM_FIELD,
        .oxm = OFPEXT_OXM_PBB_ISID,
        .max = 0xffffff,
        .settable = true,
        .carrier = MFF_TUN_SRC,
        .eth_type = OFPEXT_ETH_TYPE_PBB,
        .needs = OFPEXT_NEEDS_PBB,
    },
    [OFPEXT_SET_ETH_TYPE] = {
        .id = OFPEXT_SET_ETH_TYPE,
        .name = "eth_type",
        .alias = "dl_type",
        .form = OFPEXT_FORM_SET_FIELD,
        .oxm = OFPEXT_OXM_ETH_TYPE,
        .max = 0xffff,
        .hex = true,
        .needs = OFPEXT_NEEDS_NONE,
    },
    [OFPEXT_SET_IP_PROTO] = {
        .id = OFPEXT_SET_IP_PROTO,
        .name = "ip_proto",
        .alias = "nw_proto",
        .form = OFPEXT_FORM_SET_FIELD,
        .oxm = OFPEXT_OXM_IP_PROTO,
        .max = 0xff,
        .needs = OFPEXT_NEEDS_IP,
    },
    [OFPEXT_IPV6_EXTHDR] = {
        .id = OFPEXT_IPV6_EXTHDR,
        .name = "ipv6_exthdr",
        .form = OFPEXT_FORM_FIELD,
        .oxm = OFPEXT_OXM_IPV6_EXTHDR,
        .max = 0x1ff,
        .settable = false,
        .carrier = MFF_TUN_DST,
        .eth_type = ETH_TYPE_IPV6,
    },
};

const struct ofpext *
ofpext_get(enum ofpext_id id)
{
    ovs_assert((unsigned int) id < OFPEXT_N);
    return &ofpext_table[id];
}

const struct ofpext *
ofpext_by_carrier(enum mf_field_id carrier)
{
    for (int i = 0; i < OFPEXT_N; i++) {
        if (ofpext_table[i].form == OFPEXT_FORM_FIELD
            && ofpext_table[i].carrier == carrier) {
            return &ofpext_table[i];
        }
    }
    return NULL;
}

bool
ofpext_is_carrier(enum mf_field_id id)
{
    return id == OFPEXT_MARKER_FIELD || ofpext_by_carrier(id) != NULL;
}

/* Markers. */

void
ofpext_marker_encode(enum ofpext_id id, uint32_t value, uint8_t v[16])
{
    memset(v, 0, 16);
    memcpy(v, OFPEXT_MARKER_MAGIC, 4);
    v[4] = id;
    v[8] = value >> 24;
    v[9] = value >> 16;
    v[10] = value >> 8;
    v[11] = value;
}

bool
ofpext_marker_decode(const uint8_t v[16], struct ofpext_action *ea)
{
    static const uint8_t zeros[7];

    if (memcmp(v, OFPEXT_MARKER_MAGIC, 4) || v[4] >= OFPEXT_N
        || memcmp(v + 5, zeros, 3) || memcmp(v + 12, zeros, 4)) {
        return false;
    }
    const struct ofpext *e = &ofpext_table[v[4]];
    uint32_t value = ((uint32_t) v[8] << 24) | (v[9] << 16) | (v[10] << 8)
                     | v[11];
    if (e->form == OFPEXT_FORM_FIELD || value > e->max) {
        return false;
    }
    ea->id = e->id;
    ea->value = value;
    return true;
}

void
ofpext_put_marker(struct ofpbuf *ofpacts, enum ofpext_id id, uint32_t value)
{
    const struct mf_field *mf = mf_from_id(OFPEXT_MARKER_FIELD);
    union mf_value v, mask;

    memset(&v, 0, sizeof v);
    ofpext_marker_encode(id, value, (uint8_t *) &v.ipv6);
    memset(&mask, 0xff, sizeof mask);
    ofpact_put_set_field(ofpacts, mf, &v, &mask);
}

bool
ofpext_action_parse(const struct ofpact *a, struct ofpext_action *ea)
{
    if (a->type != OFPACT_SET_FIELD) {
        return false;
    }
    const struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
    enum mf_field_id id = sf->field->id;
    if (id == OFPEXT_MARKER_FIELD) {
        return ofpext_marker_decode((const uint8_t *) &sf->value->ipv6, ea);
    }
    const struct ofpext *e = ofpext_by_carrier(id);
    if (e && e->settable) {
        ea->id = e->id;
        ea->value = ntohl(sf->value->be32) & e->max;
        return true;
    }
    return false;
}

/* Accessors. */

uint32_t
ofpext_flow_pbb_isid(const struct flow *flow)
{
    return ntohl(flow->tunnel.ip_src) & 0xffffff;
}

void
ofpext_flow_set_pbb_isid(struct flow *flow, uint32_t isid)
{
    flow->tunnel.ip_src = htonl(isid & 0xffffff);
}

uint32_t
ofpext_wc_pbb_isid(const struct flow_wildcards *wc)
{
    return ntohl(wc->masks.tunnel.ip_src) & 0xffffff;
}

uint16_t
ofpext_flow_ipv6_exthdr(const struct flow *flow)
{
    return ntohl(flow->tunnel.ip_dst) & 0x1ff;
}

void
ofpext_flow_set_ipv6_exthdr(struct flow *flow, uint16_t bits)
{
    flow->tunnel.ip_dst = htonl(bits & 0x1ff);
}

uint16_t
ofpext_wc_ipv6_exthdr(const struct flow_wildcards *wc)
{
    return ntohl(wc->masks.tunnel.ip_dst) & 0x1ff;
}

void
ofpext_match_set_pbb_isid(struct match *match, uint32_t isid, uint32_t mask)
{
    match_set_tun_src_masked(match, htonl(isid & 0xffffff),
                             htonl(mask & 0xffffff));
}

void
ofpext_match_set_ipv6_exthdr(struct match *match, uint16_t bits,
                             uint16_t mask)
{
    match_set_tun_dst_masked(match, htonl(bits & 0x1ff),
                             htonl(mask & 0x1ff));
}

/* Collision checks. */

void
ofpext_count_match(struct ofpext_count *c, const struct match *match)
{
    for (int i = 0; i < OFPEXT_N; i++) {
        const struct ofpext *e = &ofpext_table[i];
        if (e->form == OFPEXT_FORM_FIELD
            && !mf_is_all_wild(mf_from_id(e->carrier), &match->wc)) {
            c->match_fields |= 1u << i;
        }
    }
    if (!mf_is_all_wild(mf_from_id(OFPEXT_MARKER_FIELD), &match->wc)) {
        /* Never introduced: always a collision. */
        c->match_fields |= 1u << OFPEXT_N;
    }
}

static bool
subfield_is_carrier(const struct mf_subfield *sf)
{
    return sf->field && ofpext_is_carrier(sf->field->id);
}

void
ofpext_count_ofpacts(struct ofpext_count *c, const struct ofpact *ofpacts,
                     size_t len)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPACT_SET_FIELD) {
            if (ofpext_is_carrier(ofpact_get_SET_FIELD(a)->field->id)) {
                c->n_actions++;
            }
        } else if (a->type == OFPACT_REG_MOVE) {
            const struct ofpact_reg_move *m = ofpact_get_REG_MOVE(a);
            if (subfield_is_carrier(&m->src) || subfield_is_carrier(&m->dst)) {
                c->n_actions++;
            }
        } else if (a->type == OFPACT_OUTPUT_REG) {
            if (subfield_is_carrier(&ofpact_get_OUTPUT_REG(a)->src)) {
                c->n_actions++;
            }
        } else if (a->type == OFPACT_WRITE_ACTIONS
                   || a->type == OFPACT_CLONE) {
            const struct ofpact_nest *on = (a->type == OFPACT_CLONE
                                            ? ofpact_get_CLONE(a)
                                            : ofpact_get_WRITE_ACTIONS(a));
            ofpext_count_ofpacts(c, on->actions,
                                 ofpact_nest_get_action_len(on));
        }
    }
}

enum ofperr
ofpext_count_check(const struct ofpext_count *introduced,
                   const struct ofpext_count *found)
{
    if (introduced->match_fields != found->match_fields) {
        return OFPERR_OFPBMC_BAD_FIELD;
    }
    if (introduced->n_actions != found->n_actions) {
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    }
    return 0;
}

enum ofperr
ofpext_check_match(const struct match *match)
{
    for (int i = 0; i < OFPEXT_N; i++) {
        const struct ofpext *e = &ofpext_table[i];
        if (e->form == OFPEXT_FORM_FIELD
            && !mf_is_all_wild(mf_from_id(e->carrier), &match->wc)
            && (match->wc.masks.dl_type != OVS_BE16_MAX
                || match->flow.dl_type != htons(e->eth_type))) {
            return OFPERR_OFPBMC_BAD_PREREQ;
        }
    }
    return 0;
}

static bool
needs_met(enum ofpext_needs needs, ovs_be16 dl_type)
{
    switch (needs) {
    case OFPEXT_NEEDS_NONE:
        return true;
    case OFPEXT_NEEDS_MPLS:
        return eth_type_mpls(dl_type);
    case OFPEXT_NEEDS_PBB:
        return dl_type == htons(OFPEXT_ETH_TYPE_PBB);
    case OFPEXT_NEEDS_IP:
        return (dl_type == htons(ETH_TYPE_IP)
                || dl_type == htons(ETH_TYPE_IPV6));
    }
    OVS_NOT_REACHED();
}

/* Walks 'ofpacts' with the ethertype the packet has at each point
 * ('*dl_type', 0 when unknown). */
static enum ofperr
check_ofpacts__(ovs_be16 *dl_type, const struct ofpact *ofpacts, size_t len)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        struct ofpext_action ea;

        if (ofpext_action_parse(a, &ea)) {
            const struct ofpext *e = &ofpext_table[ea.id];
            if (e->form != OFPEXT_FORM_ACTION
                && !needs_met(e->needs, *dl_type)) {
                return OFPERR_OFPBAC_MATCH_INCONSISTENT;
            }
            if (ea.id == OFPEXT_PUSH_PBB) {
                *dl_type = htons(OFPEXT_ETH_TYPE_PBB);
            } else if (ea.id == OFPEXT_POP_PBB) {
                *dl_type = htons(0);
            } else if (ea.id == OFPEXT_SET_ETH_TYPE) {
                if (ea.value == ETH_TYPE_VLAN_8021Q
                    || ea.value == ETH_TYPE_VLAN_8021AD
                    || ea.value == 0x9100) {
                    /* A tag is pushed with push_vlan, not made up out of
                     * the bytes after the ethertype. */
                    return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
                }
                *dl_type = htons(ea.value);
            }
        } else if (a->type == OFPACT_PUSH_MPLS) {
            *dl_type = ofpact_get_PUSH_MPLS(a)->ethertype;
        } else if (a->type == OFPACT_POP_MPLS) {
            *dl_type = ofpact_get_POP_MPLS(a)->ethertype;
        } else if (a->type == OFPACT_WRITE_ACTIONS) {
            const struct ofpact_nest *on = ofpact_get_WRITE_ACTIONS(a);
            ovs_be16 inner = *dl_type;
            enum ofperr error = check_ofpacts__(
                &inner, on->actions, ofpact_nest_get_action_len(on));
            if (error) {
                return error;
            }
        }
    }
    return 0;
}

enum ofperr
ofpext_check_ofpacts(const struct match *match, const struct ofpact *ofpacts,
                     size_t len)
{
    ovs_be16 dl_type = (match->wc.masks.dl_type == OVS_BE16_MAX
                        ? match->flow.dl_type : htons(0));
    return check_ofpacts__(&dl_type, ofpacts, len);
}
