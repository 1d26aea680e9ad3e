/* ofproto-mpls/xlate-fields.c: the OpenFlow fields translation matches
 * and sets (xlate.h, "What translation implements"). */
#include <config.h>
#include "ofproto-mpls/xlate-private.h"

#include <string.h>

#include "ofproto-mpls/ofp-ext.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(xlate_fields);

/* How a set-field's value becomes a datapath action's operand. */
enum set_field_op {
    OP_MAC,                     /* 'mac'. */
    OP_IP4,                     /* 'ip4'. */
    OP_IP6,                     /* 'ip6'. */
    OP_BE16,                    /* 'be16'. */
    OP_U8,                      /* 'u8', masked. */
    OP_DSCP,                    /* 'u8' from the TOS byte's DSCP bits. */
    OP_U32_FROM_BE16,           /* 'u32', masked. */
    OP_U32_FROM_BE32,           /* 'u32', masked. */
};

static const struct set_field_xlate {
    enum mf_field_id field;
    enum dp_action_type type;
    enum set_field_op op;
    uint32_t mask;
} set_field_map[] = {
    { MFF_ETH_SRC, DPA_SET_ETH_SRC, OP_MAC, 0 },
    { MFF_ETH_DST, DPA_SET_ETH_DST, OP_MAC, 0 },
    { MFF_VLAN_VID, DPA_SET_VLAN_VID, OP_U32_FROM_BE16, VLAN_VID_MASK },
    { MFF_DL_VLAN, DPA_SET_VLAN_VID, OP_U32_FROM_BE16, VLAN_VID_MASK },
    { MFF_VLAN_PCP, DPA_SET_VLAN_PCP, OP_U8, 7 },
    { MFF_DL_VLAN_PCP, DPA_SET_VLAN_PCP, OP_U8, 7 },
    { MFF_MPLS_LABEL, DPA_SET_MPLS_LABEL, OP_U32_FROM_BE32, 0xfffff },
    { MFF_MPLS_TC, DPA_SET_MPLS_TC, OP_U8, 7 },
    { MFF_MPLS_BOS, DPA_SET_MPLS_BOS, OP_U8, 1 },
    { MFF_MPLS_TTL, DPA_SET_MPLS_TTL, OP_U8, 0xff },
    { MFF_IPV4_SRC, DPA_SET_IPV4_SRC, OP_IP4, 0 },
    { MFF_IPV4_DST, DPA_SET_IPV4_DST, OP_IP4, 0 },
    { MFF_IPV6_SRC, DPA_SET_IPV6_SRC, OP_IP6, 0 },
    { MFF_IPV6_DST, DPA_SET_IPV6_DST, OP_IP6, 0 },
    { MFF_IPV6_LABEL, DPA_SET_IPV6_LABEL, OP_U32_FROM_BE32, 0xfffff },
    { MFF_IP_DSCP, DPA_SET_IP_DSCP, OP_DSCP, 0 },
    { MFF_IP_DSCP_SHIFTED, DPA_SET_IP_DSCP, OP_U8, 0x3f },
    { MFF_IP_ECN, DPA_SET_IP_ECN, OP_U8, 3 },
    { MFF_IP_TTL, DPA_SET_IP_TTL, OP_U8, 0xff },
    { MFF_TCP_SRC, DPA_SET_TP_SRC, OP_BE16, 0 },
    { MFF_UDP_SRC, DPA_SET_TP_SRC, OP_BE16, 0 },
    { MFF_SCTP_SRC, DPA_SET_TP_SRC, OP_BE16, 0 },
    { MFF_TCP_DST, DPA_SET_TP_DST, OP_BE16, 0 },
    { MFF_UDP_DST, DPA_SET_TP_DST, OP_BE16, 0 },
    { MFF_SCTP_DST, DPA_SET_TP_DST, OP_BE16, 0 },
    { MFF_ICMPV4_TYPE, DPA_SET_ICMP_TYPE, OP_U8, 0xff },
    { MFF_ICMPV6_TYPE, DPA_SET_ICMP_TYPE, OP_U8, 0xff },
    { MFF_ICMPV4_CODE, DPA_SET_ICMP_CODE, OP_U8, 0xff },
    { MFF_ICMPV6_CODE, DPA_SET_ICMP_CODE, OP_U8, 0xff },
    { MFF_ARP_OP, DPA_SET_ARP_OP, OP_BE16, 0 },
    { MFF_ARP_SPA, DPA_SET_ARP_SPA, OP_IP4, 0 },
    { MFF_ARP_TPA, DPA_SET_ARP_TPA, OP_IP4, 0 },
    { MFF_ARP_SHA, DPA_SET_ARP_SHA, OP_MAC, 0 },
    { MFF_ARP_THA, DPA_SET_ARP_THA, OP_MAC, 0 },
    { MFF_ND_TARGET, DPA_SET_ND_TARGET, OP_IP6, 0 },
    { MFF_ND_SLL, DPA_SET_ND_SLL, OP_MAC, 0 },
    { MFF_ND_TLL, DPA_SET_ND_TLL, OP_MAC, 0 },
};

/* Is 'id' pipeline metadata, which set_field changes in translation's
 * view only (the packet never carries it)?  OpenFlow's metadata and
 * tunnel_id (mvs has no tunnel ports: it is a 64-bit register), and
 * Open vSwitch's registers reg0-15, xreg0-7 and xxreg0-3. */
bool
xlate_field_is_metadata(enum mf_field_id id)
{
    return (id == MFF_METADATA || id == MFF_TUN_ID
            || (id >= MFF_REG0 && id < MFF_REG0 + FLOW_N_REGS)
            || (id >= MFF_XREG0 && id < MFF_XREG0 + FLOW_N_XREGS)
            || (id >= MFF_XXREG0 && id < MFF_XXREG0 + FLOW_N_XXREGS));
}

bool
xlate_field_is_settable(enum mf_field_id id)
{
    if (xlate_field_is_metadata(id)) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(set_field_map); i++) {
        if (set_field_map[i].field == id) {
            return true;
        }
    }
    return false;
}

/* The fields a rule may match: what translation fills in from a datapath
 * key, the pipeline metadata, and the extension fields' carriers (whose
 * use ofp-ext.h polices).  A match on anything else would compare it with
 * zero, so it is refused. */
static const enum mf_field_id matchable_fields[] = {
    MFF_TUN_ID, MFF_METADATA, MFF_IN_PORT, MFF_IN_PORT_OXM, MFF_PACKET_TYPE,
    MFF_TUN_SRC, MFF_TUN_DST,
    MFF_ETH_SRC, MFF_ETH_DST, MFF_ETH_TYPE,
    MFF_VLAN_TCI, MFF_DL_VLAN, MFF_VLAN_VID, MFF_DL_VLAN_PCP, MFF_VLAN_PCP,
    MFF_MPLS_LABEL, MFF_MPLS_TC, MFF_MPLS_BOS, MFF_MPLS_TTL,
    MFF_IPV4_SRC, MFF_IPV4_DST, MFF_IPV6_SRC, MFF_IPV6_DST, MFF_IPV6_LABEL,
    MFF_IP_PROTO, MFF_IP_DSCP, MFF_IP_DSCP_SHIFTED, MFF_IP_ECN, MFF_IP_TTL,
    MFF_IP_FRAG,
    MFF_ARP_OP, MFF_ARP_SPA, MFF_ARP_TPA, MFF_ARP_SHA, MFF_ARP_THA,
    MFF_TCP_SRC, MFF_TCP_DST, MFF_TCP_FLAGS, MFF_UDP_SRC, MFF_UDP_DST,
    MFF_SCTP_SRC, MFF_SCTP_DST,
    MFF_ICMPV4_TYPE, MFF_ICMPV4_CODE, MFF_ICMPV6_TYPE, MFF_ICMPV6_CODE,
    MFF_ND_TARGET, MFF_ND_SLL, MFF_ND_TLL,
};

bool
xlate_field_is_matchable(enum mf_field_id id)
{
    if (xlate_field_is_metadata(id)) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(matchable_fields); i++) {
        if (matchable_fields[i] == id) {
            return true;
        }
    }
    return false;
}

enum ofperr
xlate_check_match(const struct match *match)
{
    static struct flow_wildcards allowed;
    static bool inited;

    if (!inited) {
        /* mf_mask_field() sets a field's mask bits to exactly its own,
         * clearing the others of a shared member (tp_src holds both the
         * TCP port and the ICMP type): each goes in on its own. */
        flow_wildcards_init_catchall(&allowed);
        for (int id = 0; id < MFF_N_IDS; id++) {
            if (xlate_field_is_matchable(id)) {
                const struct mf_field *mf = mf_from_id(id);
                struct flow_wildcards one;
                flow_wildcards_init_catchall(&one);
                mf_mask_field(mf, &one);
                flow_wildcards_or(&allowed, &allowed, &one);

                /* An exact match may set more mask bits than the field
                 * has (ipv6_label: 32 for 20): take what mf_set() sets
                 * for an all-ones mask too. */
                union mf_value value, mask;
                struct match m;
                memset(&value, 0, sizeof value);
                memset(&mask, 0xff, sizeof mask);
                match_init_catchall(&m);
                mf_set(mf, &value, &mask, &m, NULL);
                flow_wildcards_or(&allowed, &allowed, &m.wc);
            }
        }
        inited = true;
    }
    const uint64_t *m = (const uint64_t *) &match->wc.masks;
    const uint64_t *ok = (const uint64_t *) &allowed.masks;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (m[i] & ~ok[i]) {
            for (int id = 0; id < MFF_N_IDS; id++) {
                const struct mf_field *mf = mf_from_id(id);
                if (!xlate_field_is_matchable(id)
                    && !mf_is_all_wild(mf, &match->wc)) {
                    static struct vlog_rate_limit rl
                        = VLOG_RATE_LIMIT_INIT(5, 5);
                    VLOG_INFO_RL(&rl, "match on %s: not supported by mvs",
                                 mf->name);
                    break;
                }
            }
            return OFPERR_OFPBMC_BAD_FIELD;
        }
    }
    return 0;
}

static void
trace_set_field(struct xlate_ctx *ctx, const struct mf_field *mf,
                const union mf_value *v, const union mf_value *mask)
{
    if (ctx->xin->trace) {
        struct ds s = DS_EMPTY_INITIALIZER;
        mf_format(mf, v, mask, NULL, &s);
        xlate_trace(ctx, "set_field:%s->%s", ds_cstr(&s), mf->name);
        ds_destroy(&s);
    }
}

/* Sets field 'mf' to 'v' under 'mask': metadata in translation's view
 * only, packet fields with a datapath action too. */
void
xlate_set_field_value(struct xlate_ctx *ctx, const struct mf_field *mf,
                      const union mf_value *v, const union mf_value *mask)
{
    struct dp_action *a;

    if (xlate_field_is_metadata(mf->id)) {
        mf_set_flow_value_masked(mf, v, mask, &ctx->flow);
        trace_set_field(ctx, mf, v, mask);
        return;
    }
    if (!mf_are_prereqs_ok(mf, &ctx->flow, NULL)) {
        xlate_trace(ctx, "set_field:%s: prerequisites not met, skipped", mf->name);
        return;
    }

    const struct set_field_xlate *x = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(set_field_map); i++) {
        if (set_field_map[i].field == mf->id) {
            x = &set_field_map[i];
            break;
        }
    }
    if (!x) {
        /* Refused when the flow was added (validate_ofpacts()). */
        xlate_trace(ctx, "set_field:%s: not supported by the datapath, skipped",
              mf->name);
        return;
    }

    /* The datapath writes whole fields: under a partial mask the bits kept
     * are those of the packet, which the datapath flow must then match. */
    union mf_value full;
    mf_set_flow_value_masked(mf, v, mask, &ctx->flow);
    mf_get_value(mf, &ctx->flow, &full);
    if (!is_all_ones(mask, mf->n_bytes)) {
        mf_mask_field(mf, &ctx->wc);
    }
    v = &full;
    a = xlate_put_action(ctx, x->type);
    switch (x->op) {
    case OP_MAC:
        a->mac = v->mac;
        break;
    case OP_IP4:
        a->ip4 = v->be32;
        break;
    case OP_IP6:
        a->ip6 = v->ipv6;
        break;
    case OP_BE16:
        a->be16 = v->be16;
        break;
    case OP_U8:
        a->u8 = v->u8 & x->mask;
        break;
    case OP_DSCP:
        a->u8 = v->u8 >> 2;
        break;
    case OP_U32_FROM_BE16:
        a->u32 = ntohs(v->be16) & x->mask;
        break;
    case OP_U32_FROM_BE32:
        a->u32 = ntohl(v->be32) & x->mask;
        break;
    }
    if (mf->id == MFF_MPLS_LABEL || mf->id == MFF_MPLS_TC
        || mf->id == MFF_MPLS_BOS || mf->id == MFF_MPLS_TTL) {
        xlate_set_top_lse(ctx, ctx->flow.mpls_lse[0]);
    }
    trace_set_field(ctx, mf, v, NULL);
}


bool
xlate_field_needs_l3(const struct mf_field *mf)
{
    return (mf->prereqs != MFP_NONE && mf->prereqs != MFP_MPLS
            && mf->prereqs != MFP_VLAN_VID);
}
