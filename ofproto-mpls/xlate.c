/* ofproto-mpls/xlate.c: OpenFlow pipeline -> one datapath flow. */
#include <config.h>
#include "ofproto-mpls/xlate.h"

#include <errno.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-port.h"
#include "flow.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/ofport.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(xlate);

/* Deepest label stack translation tracks; pushes beyond it still work in
 * the datapath, but their values are not known to later matches. */
#define XLATE_MPLS_MAX 64

/* Nested table visits (goto_table only goes forward, so 254 suffices) and
 * group nesting. */
#define XLATE_MAX_DEPTH 300

struct xlate_ctx {
    const struct xlate_in *xin;
    struct xlate_out *xout;
    struct ofproto *ofproto;

    struct flow flow;           /* The packet as the pipeline sees it now. */
    struct flow base;           /* ...and as this pass began. */
    struct flow_wildcards wc;   /* What the outcome depended on. */

    /* The MPLS label stack as translation knows it, top first.  The key
     * knows DP_MPLS_MAX entries; 'mpls_known' counts how many of 'mpls'
     * hold real values (pops past them leave unknown entries). */
    ovs_be32 mpls[XLATE_MPLS_MAX];
    int n_mpls;                 /* Depth, or -1 if unknown (deep stack). */
    int mpls_known;
    ovs_be16 under_mpls;        /* Ethertype under the stack, 0 if
                                 * unknown. */

    /* After a pop to a non-MPLS ethertype, L3/L4 fields are unknown until
     * the packet is re-parsed. */
    bool l3_unknown;

    /* An action ran that may have changed the packet, its metadata or
     * the label stack translation tracks: later lookups are not
     * "pristine" (xlate.h).  Set by action type, not by comparing
     * values: an action can leave this packet as it was and change
     * others the same datapath flow carries (a pop exposing an equal
     * label). */
    bool touched;

    /* A push_mpls or pop_mpls moved the label stack: flow.mpls_lse[i] no
     * longer sits over the key's mpls[i].  A table lookup on the MPLS
     * packet after that ('mpls_looked') may look at any of its entries
     * (the same wildcard bits as before the move, but other key
     * entries), so the mask takes the whole stack exact (wc_to_mask()). */
    bool mpls_moved;
    bool mpls_looked;

    struct ofpbuf action_set;   /* Of ofpacts. */
    uint8_t table_id;           /* Current table. */
    const struct rule *rule;    /* Current rule, NULL if none. */
    ovs_be64 cookie;
    bool exit;                  /* Translation is over (recirculated). */
    bool in_action_set;         /* Executing the action set. */
    int group_depth;
    int depth;
    int indent;
};

static void do_xlate_instructions(struct xlate_ctx *,
                                  const struct ofpact *, size_t len);
static void xlate_table(struct xlate_ctx *, uint8_t table_id);

static struct dp_action *
put_action(struct xlate_ctx *ctx, enum dp_action_type type)
{
    struct dp_action *a = ofpbuf_put_zeros(&ctx->xout->actions, sizeof *a);
    a->type = type;
    return a;
}

static void OVS_PRINTF_FORMAT(2, 3)
trace(struct xlate_ctx *ctx, const char *format, ...)
{
    struct ds *s = ctx->xin->trace;
    if (s) {
        va_list args;
        ds_put_char_multiple(s, ' ', ctx->indent * 4);
        va_start(args, format);
        ds_put_format_valist(s, format, args);
        va_end(args);
        ds_put_char(s, '\n');
    }
}

void
xlate_out_init(struct xlate_out *xout)
{
    memset(xout, 0, sizeof *xout);
    ofpbuf_init(&xout->actions, 16 * sizeof(struct dp_action));
}

void
xlate_out_uninit(struct xlate_out *xout)
{
    if (xout) {
        ofpbuf_uninit(&xout->actions);
        free(xout->hits);
        if (xout->has_region) {
            minimatch_destroy(&xout->region);
        }
    }
}

static void
put_hit(struct xlate_ctx *ctx, const struct xlate_hit *hit)
{
    struct xlate_out *xout = ctx->xout;
    if (xout->n_hits >= xout->allocated_hits) {
        xout->hits = x2nrealloc(xout->hits, &xout->allocated_hits,
                                sizeof *xout->hits);
    }
    xout->hits[xout->n_hits++] = *hit;
}

static void
add_hit(struct xlate_ctx *ctx, struct rule *rule, uint8_t table_id,
        bool pristine)
{
    put_hit(ctx, &(struct xlate_hit) { .rule = rule, .table_id = table_id,
                                       .pristine = pristine });
}

static void
add_group_hit(struct xlate_ctx *ctx, struct group *group, uint32_t bucket)
{
    put_hit(ctx, &(struct xlate_hit) { .group = group, .bucket = bucket });
}

void
xlate_key_to_flow(const struct dp_key *key, struct flow *flow)
{
    memset(flow, 0, sizeof *flow);
    flow->in_port.ofp_port = u16_to_ofp(key->in_port);
    flow->recirc_id = key->recirc_id;
    flow->packet_type = htonl(PT_ETH);
    flow->dl_dst = key->dl_dst;
    flow->dl_src = key->dl_src;
    flow->dl_type = key->dl_type;
    for (int i = 0; i < key->n_vlans && i < FLOW_MAX_VLAN_HEADERS; i++) {
        flow->vlans[i].tpid = key->vlans[i].tpid;
        flow->vlans[i].tci = key->vlans[i].tci | htons(VLAN_CFI);
    }
    for (int i = 0; i < key->n_mpls && i < FLOW_MAX_MPLS_LABELS; i++) {
        flow->mpls_lse[i] = key->mpls[i];
    }
    if (key->n_mpls) {
        return;
    }
    flow->nw_src = key->nw_src;
    flow->nw_dst = key->nw_dst;
    flow->ipv6_src = key->ipv6_src;
    flow->ipv6_dst = key->ipv6_dst;
    flow->ipv6_label = key->ipv6_label;
    flow->nw_proto = key->nw_proto;
    flow->nw_tos = key->nw_tos;
    flow->nw_ttl = key->nw_ttl;
    flow->nw_frag = key->nw_frag;
    flow->tp_src = key->tp_src;
    flow->tp_dst = key->tp_dst;
    flow->tcp_flags = key->tcp_flags;
    flow->arp_sha = key->arp_sha;
    flow->arp_tha = key->arp_tha;
    flow->nd_target = key->nd_target;
    ofpext_flow_set_ipv6_exthdr(flow, key->ipv6_exthdr);
}

/* The I-TAG is parsed whatever else the key has. */
static void
key_to_flow_pbb(const struct dp_key *key, struct flow *flow)
{
    ofpext_flow_set_pbb_isid(flow, dp_itag_isid(key->pbb_itag));
}

/* Builds the datapath mask from what the classifier and the actions looked
 * at. */
static void
wc_to_mask(const struct xlate_ctx *ctx, struct dp_key *mask)
{
    const struct flow *m = &ctx->wc.masks;
    const struct dp_key *key = ctx->xin->key;

    mask->recirc_id = UINT32_MAX;
    mask->in_port = UINT32_MAX;
    mask->dl_dst = m->dl_dst;
    mask->dl_src = m->dl_src;
    /* The header structure is always exact: it decides where every later
     * field sits and what the executor may do to the frame. */
    mask->dl_type = OVS_BE16_MAX;
    mask->n_vlans = 0xff;
    mask->n_mpls = 0xff;
    mask->mpls_deep = 0xff;
    for (int i = 0; i < key->n_vlans && i < FLOW_MAX_VLAN_HEADERS; i++) {
        mask->vlans[i].tpid = OVS_BE16_MAX;
        mask->vlans[i].tci = m->vlans[i].tci & ~htons(VLAN_CFI);
    }
    for (int i = 0; i < key->n_mpls && i < FLOW_MAX_MPLS_LABELS; i++) {
        mask->mpls[i] = m->mpls_lse[i];
    }
    if (ctx->mpls_looked) {
        /* Which key entry a flow entry came from depends on the pushes
         * and pops: take them all. */
        for (int i = 0; i < key->n_mpls; i++) {
            mask->mpls[i] = OVS_BE32_MAX;
        }
    }
    if (key->n_mpls) {
        return;
    }
    mask->nw_src = m->nw_src;
    mask->nw_dst = m->nw_dst;
    mask->ipv6_src = m->ipv6_src;
    mask->ipv6_dst = m->ipv6_dst;
    mask->ipv6_label = m->ipv6_label;
    mask->nw_proto = m->nw_proto;
    mask->nw_tos = m->nw_tos;
    mask->nw_ttl = m->nw_ttl;
    /* Fragments decide whether L4 is present. */
    mask->nw_frag = 0xff;
    mask->tp_src = m->tp_src;
    mask->tp_dst = m->tp_dst;
    mask->tcp_flags = m->tcp_flags;
    mask->arp_sha = m->arp_sha;
    mask->arp_tha = m->arp_tha;
    mask->nd_target = m->nd_target;
    mask->ipv6_exthdr = ofpext_wc_ipv6_exthdr(&ctx->wc);
    for (int i = 0; i < FLOW_MAX_MPLS_LABELS; i++) {
        if (m->mpls_lse[i] & htonl(MPLS_TTL_MASK)) {
            /* A label pushed onto IP took its TTL from the IP header (an
             * IP key has no MPLS wildcards but those after the push). */
            mask->nw_ttl = 0xff;
        }
    }
}

static void
wc_to_mask_pbb(const struct xlate_ctx *ctx, struct dp_key *mask)
{
    mask->pbb_itag = htonl(ofpext_wc_pbb_isid(&ctx->wc));
}

/* Keeps ctx->flow's three MPLS entries in step with ctx->mpls. */
static void
sync_flow_mpls(struct xlate_ctx *ctx)
{
    for (int i = 0; i < FLOW_MAX_MPLS_LABELS; i++) {
        ctx->flow.mpls_lse[i] = (i < ctx->mpls_known ? ctx->mpls[i] : 0);
    }
}

/* Freezing and recirculation. */

/* Stops translation here: the rest of the pipeline is 'ofpacts' (the
 * remaining instructions of the current rule, or of the action set), to be
 * resumed after the datapath re-parses the packet. */
static void
freeze(struct xlate_ctx *ctx, const struct ofpact *ofpacts, size_t len,
       bool restart)
{
    struct frozen state = {
        .table_id = ctx->table_id,
        .restart = restart,
        .metadata = ctx->flow.metadata,
        .tun_id = ctx->flow.tunnel.tun_id,
        .ofpacts = CONST_CAST(struct ofpact *, ofpacts),
        .ofpacts_len = len,
        .action_set = ctx->action_set.data,
        .action_set_len = ctx->action_set.size,
        .cookie = ctx->cookie,
    };
    memcpy(state.regs, ctx->flow.regs, sizeof state.regs);
    uint32_t id = recirc_get(&ctx->ofproto->recirc, &state);
    struct dp_action *a = put_action(ctx, DPA_RECIRC);
    a->u32 = id;
    trace(ctx, "recirc(%#"PRIx32"): the rest of the pipeline needs the "
          "re-parsed packet", id);
    ctx->exit = true;
    ctx->xout->recirculated = true;
}

static bool
field_needs_l3(const struct mf_field *mf)
{
    return (mf->prereqs != MFP_NONE && mf->prereqs != MFP_MPLS
            && mf->prereqs != MFP_VLAN_VID);
}

/* Does 'a' need L3/L4 fields that are unknown after a pop? */
static bool
needs_l3(const struct ofpact *a)
{
    if (a->type == OFPACT_SET_FIELD) {
        return field_needs_l3(ofpact_get_SET_FIELD(a)->field);
    } else if (a->type == OFPACT_REG_MOVE) {
        const struct ofpact_reg_move *m = ofpact_get_REG_MOVE(a);
        return field_needs_l3(m->src.field) || field_needs_l3(m->dst.field);
    }
    return (a->type == OFPACT_SET_IPV4_SRC || a->type == OFPACT_SET_IPV4_DST
            || a->type == OFPACT_SET_IP_DSCP || a->type == OFPACT_SET_IP_ECN
            || a->type == OFPACT_SET_IP_TTL
            || a->type == OFPACT_SET_L4_SRC_PORT
            || a->type == OFPACT_SET_L4_DST_PORT
            || a->type == OFPACT_DEC_TTL || a->type == OFPACT_GROUP
            || a->type == OFPACT_GOTO_TABLE
            || a->type == OFPACT_PUSH_MPLS);
}

/* Output. */

static void
output_port(struct xlate_ctx *ctx, ofp_port_t port)
{
    struct ofport *ofport = ofport_find(ctx->ofproto, port);
    if (!ofport) {
        trace(ctx, "output:%"PRIu32": no such port, dropped",
              ofp_to_u16(port));
        return;
    }
    if (port == ctx->flow.in_port.ofp_port) {
        trace(ctx, "output:%"PRIu32": is the input port, skipped "
              "(use in_port)", ofp_to_u16(port));
        return;
    }
    if (ofport->config & OFPUTIL_PC_NO_FWD) {
        trace(ctx, "output:%"PRIu32": port has no_fwd, dropped",
              ofp_to_u16(port));
        return;
    }
    struct dp_action *a = put_action(ctx, DPA_OUTPUT);
    a->u32 = ofp_to_u16(port);
    trace(ctx, "output:%"PRIu32, ofp_to_u16(port));
}

static void
output_flood(struct xlate_ctx *ctx, bool all)
{
    struct ofport *ofport;
    struct dp_action *a;

    HMAP_FOR_EACH (ofport, node, &ctx->ofproto->ports) {
        if (ofport->ofp_port == ctx->flow.in_port.ofp_port
            || ofport->config & OFPUTIL_PC_NO_FWD
            || (!all && (ofport->config & (OFPUTIL_PC_NO_FLOOD
                                           | OFPUTIL_PC_PORT_DOWN)))) {
            continue;
        }
        a = put_action(ctx, DPA_OUTPUT);
        a->u32 = ofp_to_u16(ofport->ofp_port);
    }
    trace(ctx, "%s", all ? "output:ALL" : "output:FLOOD");
}

/* The cookie a packet-in carries: the flow's, or -1 from the action set
 * (OpenFlow 1.3.5 A.4.1). */
static ovs_be64
packet_in_cookie(const struct xlate_ctx *ctx)
{
    return ctx->in_action_set ? OVS_BE64_MAX : ctx->cookie;
}

static void
output_controller(struct xlate_ctx *ctx, uint16_t max_len,
                  enum ofp_packet_in_reason reason)
{
    if (reason == OFPR_ACTION && ctx->rule
        && ctx->rule->cr.priority == 0
        && cls_rule_is_catchall(&ctx->rule->cr)) {
        /* OpenFlow 1.3: a table-miss flow entry's packet-ins say so. */
        reason = OFPR_NO_MATCH;
    }
    struct dp_action *a = put_action(ctx, DPA_USERSPACE);
    a->u8 = reason;
    a->u32 = max_len;
    a->be16 = htons(ctx->table_id);
    a->cookie = packet_in_cookie(ctx);
    trace(ctx, "output:CONTROLLER (max_len %"PRIu16")", max_len);
}

static void
output_normal(struct xlate_ctx *ctx)
{
    struct flow *flow = &ctx->flow;
    uint16_t vlan = vlan_tci_to_vid(flow->vlans[0].tci);

    /* Learning and forwarding both depend on these. */
    memset(&ctx->wc.masks.dl_src, 0xff, sizeof ctx->wc.masks.dl_src);
    memset(&ctx->wc.masks.dl_dst, 0xff, sizeof ctx->wc.masks.dl_dst);
    ctx->wc.masks.vlans[0].tci |= htons(VLAN_VID_MASK | VLAN_CFI);

    long long int now = time_msec();
    if (!eth_addr_is_multicast(flow->dl_src)) {
        /* The caller is mid-translation: the datapath flows this makes
         * stale go at the next ofproto_run() (revalidate_macs()). */
        mac_learning_learn(&ctx->ofproto->macs, flow->dl_src, vlan,
                           flow->in_port.ofp_port, now);
    }
    ofp_port_t port = (eth_addr_is_multicast(flow->dl_dst)
                       ? OFPP_NONE
                       : mac_learning_lookup(&ctx->ofproto->macs,
                                             flow->dl_dst, vlan, now));
    if (port == OFPP_NONE) {
        trace(ctx, "NORMAL: flood");
        output_flood(ctx, false);
    } else {
        trace(ctx, "NORMAL: learned port %"PRIu32, ofp_to_u16(port));
        output_port(ctx, port);
    }
}

static void
xlate_output(struct xlate_ctx *ctx, ofp_port_t port, uint16_t max_len)
{
    switch (port) {
    case OFPP_IN_PORT: {
        struct dp_action *a = put_action(ctx, DPA_OUTPUT);
        a->u32 = ofp_to_u16(ctx->flow.in_port.ofp_port);
        trace(ctx, "output:IN_PORT");
        break;
    }
    case OFPP_TABLE:
        /* Packet-out to the pipeline: a fresh trip from table 0. */
        ctx->table_id = 0;
        freeze(ctx, NULL, 0, true);
        ctx->exit = false;      /* Later actions still apply. */
        break;
    case OFPP_NORMAL:
        output_normal(ctx);
        break;
    case OFPP_FLOOD:
        output_flood(ctx, false);
        break;
    case OFPP_ALL:
        output_flood(ctx, true);
        break;
    case OFPP_CONTROLLER:
        output_controller(ctx, max_len, OFPR_ACTION);
        break;
    case OFPP_LOCAL:
    case OFPP_NONE:
        trace(ctx, "output:%s: no such port here, dropped",
              port == OFPP_LOCAL ? "LOCAL" : "NONE");
        break;
    default:
        output_port(ctx, port);
        break;
    }
}

/* MPLS. */

static void
xlate_push_mpls(struct xlate_ctx *ctx, ovs_be16 eth_type)
{
    ovs_be32 lse;
    if (ctx->n_mpls > 0 && ctx->mpls_known > 0) {
        /* Label, TC and TTL from the old top entry; BOS clear. */
        lse = ctx->mpls[0] & ~htonl(MPLS_BOS_MASK);
    } else {
        uint8_t ttl = 0;
        if (ctx->n_mpls == 0 && !ctx->l3_unknown
            && (ctx->flow.dl_type == htons(ETH_TYPE_IP)
                || ctx->flow.dl_type == htons(ETH_TYPE_IPV6))) {
            ttl = ctx->flow.nw_ttl;
        }
        lse = dp_lse_build(0, 0, ctx->n_mpls == 0, ttl);
    }
    if (ctx->n_mpls == 0) {
        ctx->under_mpls = ctx->l3_unknown ? ctx->flow.dl_type
                                          : ctx->flow.dl_type;
    }
    int n = ctx->mpls_known < XLATE_MPLS_MAX ? ctx->mpls_known
                                             : XLATE_MPLS_MAX - 1;
    memmove(&ctx->mpls[1], &ctx->mpls[0], n * sizeof ctx->mpls[0]);
    ctx->mpls[0] = lse;
    ctx->mpls_known = n + 1;
    if (ctx->n_mpls >= 0) {
        ctx->n_mpls++;
    }
    ctx->flow.dl_type = eth_type;
    ctx->mpls_moved = true;
    sync_flow_mpls(ctx);

    struct dp_action *a = put_action(ctx, DPA_PUSH_MPLS);
    a->be16 = eth_type;
    trace(ctx, "push_mpls:%#06"PRIx16, ntohs(eth_type));
}

static void
xlate_pop_mpls(struct xlate_ctx *ctx, ovs_be16 eth_type)
{
    if (!eth_type_mpls(ctx->flow.dl_type)) {
        trace(ctx, "pop_mpls: packet has no MPLS, skipped");
        return;
    }
    if (ctx->mpls_known > 0) {
        memmove(&ctx->mpls[0], &ctx->mpls[1],
                (ctx->mpls_known - 1) * sizeof ctx->mpls[0]);
        ctx->mpls_known--;
    }
    if (ctx->n_mpls > 0) {
        ctx->n_mpls--;
    }
    ctx->flow.dl_type = eth_type;
    ctx->mpls_moved = true;
    if (!eth_type_mpls(eth_type)) {
        /* Whatever is under the stack is known only by re-parsing. */
        ctx->l3_unknown = true;
        ctx->n_mpls = 0;
        ctx->mpls_known = 0;
    }
    sync_flow_mpls(ctx);

    struct dp_action *a = put_action(ctx, DPA_POP_MPLS);
    a->be16 = eth_type;
    trace(ctx, "pop_mpls:%#06"PRIx16, ntohs(eth_type));
}

static void
set_top_lse(struct xlate_ctx *ctx, ovs_be32 lse)
{
    if (ctx->mpls_known > 0) {
        ctx->mpls[0] = lse;
        sync_flow_mpls(ctx);
    }
}

/* Set-field and the OpenFlow 1.0-style set actions. */

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

/* Whether translation implements actions of 'type'. */
bool
xlate_action_supported(enum ofpact_type type)
{
    switch (type) {
    case OFPACT_OUTPUT:
    case OFPACT_GOTO_TABLE:
    case OFPACT_GROUP:
    case OFPACT_METER:
    case OFPACT_WRITE_ACTIONS:
    case OFPACT_SET_FIELD:
    case OFPACT_REG_MOVE:
    case OFPACT_CONTROLLER:
    case OFPACT_SET_TUNNEL:
    case OFPACT_SET_VLAN_VID:
    case OFPACT_SET_VLAN_PCP:
    case OFPACT_STRIP_VLAN:
    case OFPACT_PUSH_VLAN:
    case OFPACT_SET_ETH_SRC:
    case OFPACT_SET_ETH_DST:
    case OFPACT_SET_IPV4_SRC:
    case OFPACT_SET_IPV4_DST:
    case OFPACT_SET_IP_DSCP:
    case OFPACT_SET_IP_ECN:
    case OFPACT_SET_IP_TTL:
    case OFPACT_SET_L4_SRC_PORT:
    case OFPACT_SET_L4_DST_PORT:
    case OFPACT_DEC_TTL:
    case OFPACT_SET_MPLS_LABEL:
    case OFPACT_SET_MPLS_TC:
    case OFPACT_SET_MPLS_TTL:
    case OFPACT_DEC_MPLS_TTL:
    case OFPACT_PUSH_MPLS:
    case OFPACT_POP_MPLS:
    case OFPACT_SET_QUEUE:
    case OFPACT_CLEAR_ACTIONS:
    case OFPACT_WRITE_METADATA:
    case OFPACT_NOTE:
        return true;
    case OFPACT_ENQUEUE:
    case OFPACT_OUTPUT_REG:
    case OFPACT_BUNDLE:
    case OFPACT_STACK_PUSH:
    case OFPACT_STACK_POP:
    case OFPACT_DEC_NSH_TTL:
    case OFPACT_DELETE_FIELD:
    case OFPACT_ENCAP:
    case OFPACT_DECAP:
    case OFPACT_POP_QUEUE:
    case OFPACT_FIN_TIMEOUT:
    case OFPACT_RESUBMIT:
    case OFPACT_LEARN:
    case OFPACT_CONJUNCTION:
    case OFPACT_MULTIPATH:
    case OFPACT_EXIT:
    case OFPACT_SAMPLE:
    case OFPACT_UNROLL_XLATE:
    case OFPACT_CT:
    case OFPACT_CT_CLEAR:
    case OFPACT_NAT:
    case OFPACT_OUTPUT_TRUNC:
    case OFPACT_CLONE:
    case OFPACT_CHECK_PKT_LARGER:
    case OFPACT_DEBUG_RECIRC:
    case OFPACT_DEBUG_SLOW:
        return false;
    }
    OVS_NOT_REACHED();
}

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
                struct flow_wildcards one;
                flow_wildcards_init_catchall(&one);
                mf_mask_field(mf_from_id(id), &one);
                flow_wildcards_or(&allowed, &allowed, &one);
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
        trace(ctx, "set_field:%s->%s", ds_cstr(&s), mf->name);
        ds_destroy(&s);
    }
}

/* Sets field 'mf' to 'v' under 'mask': metadata in translation's view
 * only, packet fields with a datapath action too. */
static void
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
        trace(ctx, "set_field:%s: prerequisites not met, skipped", mf->name);
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
        trace(ctx, "set_field:%s: not supported by the datapath, skipped",
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
    a = put_action(ctx, x->type);
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
        set_top_lse(ctx, ctx->flow.mpls_lse[0]);
    }
    trace_set_field(ctx, mf, v, NULL);
}

static void
xlate_set_field(struct xlate_ctx *ctx, const struct ofpact_set_field *sf)
{
    xlate_set_field_value(ctx, sf->field, sf->value,
                          ofpact_set_field_mask(sf));
}

/* Open vSwitch's move (OpenFlow 1.5 copy_field): the source bits become
 * part of the datapath flow's match (the value moved is then the same for
 * every packet of it), the destination is set as by set_field. */
static void
xlate_reg_move(struct xlate_ctx *ctx, const struct ofpact_reg_move *m)
{
    union mf_value v, mask;
    struct flow copy = ctx->flow;

    mf_subfield_copy(&m->src, &m->dst, &copy, &ctx->wc);
    mf_get_value(m->dst.field, &copy, &v);
    memset(&mask, 0, sizeof mask);
    bitwise_one(&mask, m->dst.field->n_bytes, m->dst.ofs, m->dst.n_bits);
    xlate_set_field_value(ctx, m->dst.field, &v, &mask);
}

/* The ethertype under a one-entry stack, for copy_ttl_in/out: known if
 * translation pushed the stack itself, or if 'rest' (the actions from the
 * copy onwards) pops the entry with an explicit ethertype. */
static ovs_be16
ethertype_under_stack(const struct xlate_ctx *ctx, const struct ofpact *rest,
                      size_t rest_len)
{
    if (ctx->under_mpls) {
        return ctx->under_mpls;
    }
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, rest, rest_len) {
        if (a->type == OFPACT_POP_MPLS) {
            return ofpact_get_POP_MPLS(a)->ethertype;
        }
    }
    return htons(0);
}

/* An extension action (ofp-ext.h): copy_ttl_out, copy_ttl_in, push_pbb,
 * pop_pbb, set_field mpls_bos or pbb_isid.  'rest_len' bytes of actions
 * start at 'a'. */
static void
xlate_ext(struct xlate_ctx *ctx, const struct ofpext_action *ea,
          const struct ofpact *a, size_t rest_len)
{
    const struct ofpext *e = ofpext_get(ea->id);
    struct dp_action *d;

    if ((e->needs == OFPEXT_NEEDS_MPLS && !eth_type_mpls(ctx->flow.dl_type))
        || (e->needs == OFPEXT_NEEDS_PBB
            && ctx->flow.dl_type != htons(DP_ETH_TYPE_PBB))) {
        trace(ctx, "%s: packet has no %s, skipped", e->name,
              e->needs == OFPEXT_NEEDS_MPLS ? "MPLS" : "I-TAG");
        return;
    }
    switch (ea->id) {
    case OFPEXT_COPY_TTL_OUT:
        d = put_action(ctx, DPA_COPY_TTL_OUT);
        d->be16 = ethertype_under_stack(ctx, a, rest_len);
        if (ctx->mpls_known >= 2) {
            set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TTL_MASK))
                        | (ctx->mpls[1] & htonl(MPLS_TTL_MASK)));
        }
        trace(ctx, "copy_ttl_out");
        break;
    case OFPEXT_COPY_TTL_IN:
        d = put_action(ctx, DPA_COPY_TTL_IN);
        d->be16 = ethertype_under_stack(ctx, a, rest_len);
        if (ctx->mpls_known >= 2) {
            ctx->mpls[1] = ((ctx->mpls[1] & ~htonl(MPLS_TTL_MASK))
                            | (ctx->mpls[0] & htonl(MPLS_TTL_MASK)));
            sync_flow_mpls(ctx);
        }
        trace(ctx, "copy_ttl_in");
        break;
    case OFPEXT_SET_MPLS_BOS:
        d = put_action(ctx, DPA_SET_MPLS_BOS);
        d->u8 = ea->value & 1;
        set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_BOS_MASK))
                    | htonl((ea->value & 1) << MPLS_BOS_SHIFT));
        trace(ctx, "set_field:%d->mpls_bos", d->u8);
        break;
    case OFPEXT_PUSH_PBB:
        d = put_action(ctx, DPA_PUSH_PBB);
        d->be16 = htons(DP_ETH_TYPE_PBB);
        ctx->flow.dl_type = htons(DP_ETH_TYPE_PBB);
        ofpext_flow_set_pbb_isid(&ctx->flow, 0);
        trace(ctx, "push_pbb:0x88e7");
        break;
    case OFPEXT_POP_PBB:
        put_action(ctx, DPA_POP_PBB);
        /* The customer frame is known only by re-parsing it. */
        ctx->l3_unknown = true;
        trace(ctx, "pop_pbb");
        break;
    case OFPEXT_PBB_ISID:
        d = put_action(ctx, DPA_SET_PBB_ISID);
        d->u32 = ea->value;
        ofpext_flow_set_pbb_isid(&ctx->flow, ea->value);
        trace(ctx, "set_field:%#"PRIx32"->pbb_isid", ea->value);
        break;
    case OFPEXT_IPV6_EXTHDR:
        /* Read-only: refused when the flow was added. */
    case OFPEXT_N:
        OVS_NOT_REACHED();
    }
}

static void do_xlate_actions(struct xlate_ctx *, const struct ofpact *,
                             size_t len);

/* Runs bucket number 'idx' of 'g'.  Unless 'last' (nothing runs after it),
 * the bucket works on a copy of the packet (DPA_CLONE) and on a copy of
 * translation's view of it, so what it changes stays in the bucket. */
static void
xlate_bucket(struct xlate_ctx *ctx, struct group *g,
             const struct ofputil_bucket *b, uint32_t idx, bool last)
{
    struct flow old_flow = ctx->flow;
    ovs_be32 old_mpls[XLATE_MPLS_MAX];
    int old_n_mpls = ctx->n_mpls, old_known = ctx->mpls_known;
    ovs_be16 old_under = ctx->under_mpls;
    bool old_l3_unknown = ctx->l3_unknown;
    bool old_in_set = ctx->in_action_set;
    struct ofpbuf old_set = ctx->action_set;
    size_t clone_ofs = SIZE_MAX;

    memcpy(old_mpls, ctx->mpls, sizeof old_mpls);
    add_group_hit(ctx, g, idx);
    trace(ctx, "group %"PRIu32" bucket %"PRIu32":", g->group_id, idx);
    if (!last) {
        clone_ofs = ctx->xout->actions.size;
        put_action(ctx, DPA_CLONE);
    }
    /* A bucket has actions, not an action set of its own. */
    ofpbuf_init(&ctx->action_set, 0);
    ctx->in_action_set = false;
    ctx->indent++;
    do_xlate_actions(ctx, b->ofpacts, b->ofpacts_len);
    ctx->indent--;
    ofpbuf_uninit(&ctx->action_set);
    ctx->action_set = old_set;
    ctx->in_action_set = old_in_set;

    if (!last) {
        struct dp_action *c = ofpbuf_at_assert(&ctx->xout->actions, clone_ofs,
                                               sizeof *c);
        c->u32 = ((ctx->xout->actions.size - clone_ofs) / sizeof *c) - 1;
        ctx->flow = old_flow;
        memcpy(ctx->mpls, old_mpls, sizeof old_mpls);
        ctx->n_mpls = old_n_mpls;
        ctx->mpls_known = old_known;
        ctx->under_mpls = old_under;
        ctx->l3_unknown = old_l3_unknown;
        /* A recirculation inside the bucket ends only the copy. */
        ctx->exit = false;
    }
}

static void
xlate_group(struct xlate_ctx *ctx, uint32_t group_id, bool last)
{
    struct group *g = group_find(ctx->ofproto, group_id);
    const struct ofputil_bucket *b;
    uint32_t idx = 0;

    if (!g) {
        trace(ctx, "group:%"PRIu32": no such group, dropped", group_id);
        return;
    }
    if (ctx->group_depth >= 16) {
        trace(ctx, "group:%"PRIu32": chained too deep, dropped", group_id);
        return;
    }
    ctx->group_depth++;
    switch (g->type) {
    case OFPGT11_ALL:
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            bool final = last && b->list_node.next == &g->buckets;
            xlate_bucket(ctx, g, b, idx++, final);
            if (ctx->exit) {
                break;
            }
        }
        break;

    case OFPGT11_INDIRECT:
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            xlate_bucket(ctx, g, b, 0, last);
            break;
        }
        break;

    case OFPGT11_FF:
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            if (group_bucket_is_live(ctx->ofproto, b)) {
                xlate_bucket(ctx, g, b, idx, last);
                break;
            }
            idx++;
        }
        if (idx == g->n_buckets) {
            trace(ctx, "group %"PRIu32": no live bucket, dropped", group_id);
        }
        break;

    case OFPGT11_SELECT: {
        /* Hash over L2-L4 so every packet of a flow takes one bucket. */
        flow_mask_hash_fields(&ctx->flow, &ctx->wc,
                              NX_HASH_FIELDS_SYMMETRIC_L4);
        uint32_t hash = flow_hash_symmetric_l4(&ctx->flow, 0);
        uint64_t total = 0;
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            if (group_bucket_is_live(ctx->ofproto, b)) {
                total += b->weight ? b->weight : 1;
            }
        }
        if (!total) {
            trace(ctx, "group %"PRIu32": no live bucket, dropped", group_id);
            break;
        }
        uint64_t pick = hash % total;
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            if (group_bucket_is_live(ctx->ofproto, b)) {
                uint64_t w = b->weight ? b->weight : 1;
                if (pick < w) {
                    xlate_bucket(ctx, g, b, idx, last);
                    break;
                }
                pick -= w;
            }
            idx++;
        }
        break;
    }

    default:
        trace(ctx, "group %"PRIu32": unknown type", group_id);
        break;
    }
    ctx->group_depth--;
}

/* OpenFlow 1.0's set_vlan_vid/pcp on an untagged packet push a tag first
 * when 'push_if_needed'.  Returns true if the packet now has a tag to set
 * (it had one, or got one). */
static bool
vlan_for_set(struct xlate_ctx *ctx, bool push_if_needed)
{
    if (ctx->flow.vlans[0].tci & htons(VLAN_CFI)) {
        return true;
    }
    if (!push_if_needed) {
        return false;
    }
    struct dp_action *d = put_action(ctx, DPA_PUSH_VLAN);
    d->be16 = htons(ETH_TYPE_VLAN_8021Q);
    flow_push_vlan_uninit(&ctx->flow, NULL);
    ctx->flow.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
    ctx->flow.vlans[0].tci = htons(VLAN_CFI);
    return true;
}

/* May an action of 'type' change the packet, its metadata or the label
 * stack translation tracks (see 'touched')?  Everything but what only
 * sends it, meters it, or edits the action set or the pipeline. */
static bool
may_change_packet(enum ofpact_type type)
{
    return !(type == OFPACT_OUTPUT || type == OFPACT_CONTROLLER
             || type == OFPACT_METER || type == OFPACT_GOTO_TABLE
             || type == OFPACT_CLEAR_ACTIONS || type == OFPACT_WRITE_ACTIONS
             || type == OFPACT_NOTE);
}

static bool
flow_is_ip(const struct flow *flow)
{
    return (flow->dl_type == htons(ETH_TYPE_IP)
            || flow->dl_type == htons(ETH_TYPE_IPV6));
}

/* Executes one action list ('ofpacts' of 'len' bytes) in order: an
 * apply-actions instruction, or the ordered action set. */
static void
do_xlate_actions(struct xlate_ctx *ctx, const struct ofpact *ofpacts,
                 size_t len)
{
    const struct ofpact *a;
    struct dp_action *d;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (ctx->exit) {
            return;
        }
        if (ctx->l3_unknown && needs_l3(a)) {
            size_t done = (const char *) a - (const char *) ofpacts;
            freeze(ctx, a, len - done, false);
            return;
        }
        ctx->touched |= may_change_packet(a->type);

        switch (a->type) {
        case OFPACT_OUTPUT: {
            const struct ofpact_output *o = ofpact_get_OUTPUT(a);
            xlate_output(ctx, o->port, o->max_len);
            break;
        }
        case OFPACT_CONTROLLER: {
            const struct ofpact_controller *c = ofpact_get_CONTROLLER(a);
            output_controller(ctx, c->max_len, c->reason);
            break;
        }
        case OFPACT_GROUP: {
            /* In the action set the group is the last action. */
            const struct ofpact *next = ofpact_next(a);
            bool last = (ctx->in_action_set
                         && (const char *) next
                            >= (const char *) ofpacts + len);
            xlate_group(ctx, ofpact_get_GROUP(a)->group_id, last);
            break;
        }
        case OFPACT_SET_FIELD: {
            struct ofpext_action ea;
            if (ofpext_action_parse(a, &ea)) {
                xlate_ext(ctx, &ea, a, len - ((const char *) a
                                              - (const char *) ofpacts));
            } else {
                xlate_set_field(ctx, ofpact_get_SET_FIELD(a));
            }
            break;
        }
        case OFPACT_SET_VLAN_VID:
            if (!vlan_for_set(ctx,
                              ofpact_get_SET_VLAN_VID(a)->push_vlan_if_needed)) {
                break;
            }
            d = put_action(ctx, DPA_SET_VLAN_VID);
            d->u32 = ofpact_get_SET_VLAN_VID(a)->vlan_vid;
            ctx->flow.vlans[0].tci &= ~htons(VLAN_VID_MASK);
            ctx->flow.vlans[0].tci |= htons(d->u32);
            break;
        case OFPACT_SET_VLAN_PCP:
            if (!vlan_for_set(ctx,
                              ofpact_get_SET_VLAN_PCP(a)->push_vlan_if_needed)) {
                break;
            }
            d = put_action(ctx, DPA_SET_VLAN_PCP);
            d->u8 = ofpact_get_SET_VLAN_PCP(a)->vlan_pcp;
            ctx->flow.vlans[0].tci &= ~htons(VLAN_PCP_MASK);
            ctx->flow.vlans[0].tci |= htons(d->u8 << VLAN_PCP_SHIFT);
            break;
        case OFPACT_STRIP_VLAN:
            if (ctx->flow.vlans[0].tci & htons(VLAN_CFI)) {
                put_action(ctx, DPA_POP_VLAN);
                flow_pop_vlan(&ctx->flow, NULL);
                trace(ctx, "pop_vlan");
            }
            break;
        case OFPACT_PUSH_VLAN: {
            ovs_be16 tpid = ofpact_get_PUSH_VLAN(a)->ethertype;
            /* The action carries the outer tag's VID and PCP. */
            ctx->wc.masks.vlans[0].tci |= htons(VLAN_VID_MASK | VLAN_PCP_MASK
                                                | VLAN_CFI);
            ovs_be16 tci = ctx->flow.vlans[0].tci & htons(VLAN_CFI)
                           ? ctx->flow.vlans[0].tci : htons(VLAN_CFI);
            d = put_action(ctx, DPA_PUSH_VLAN);
            d->be16 = tpid;
            /* OpenFlow 1.3: VID and PCP copied from an existing outer tag,
             * else zero. */
            d->u32 = ntohs(tci) & ~VLAN_CFI;
            flow_push_vlan_uninit(&ctx->flow, NULL);
            ctx->flow.vlans[0].tpid = tpid;
            ctx->flow.vlans[0].tci = tci;
            trace(ctx, "push_vlan:%#06"PRIx16, ntohs(tpid));
            break;
        }
        case OFPACT_SET_ETH_SRC:
            d = put_action(ctx, DPA_SET_ETH_SRC);
            d->mac = ofpact_get_SET_ETH_SRC(a)->mac;
            ctx->flow.dl_src = d->mac;
            break;
        case OFPACT_SET_ETH_DST:
            d = put_action(ctx, DPA_SET_ETH_DST);
            d->mac = ofpact_get_SET_ETH_DST(a)->mac;
            ctx->flow.dl_dst = d->mac;
            break;
        case OFPACT_SET_IPV4_SRC:
            if (ctx->flow.dl_type == htons(ETH_TYPE_IP)) {
                d = put_action(ctx, DPA_SET_IPV4_SRC);
                d->ip4 = ofpact_get_SET_IPV4_SRC(a)->ipv4;
                ctx->flow.nw_src = d->ip4;
            }
            break;
        case OFPACT_SET_IPV4_DST:
            if (ctx->flow.dl_type == htons(ETH_TYPE_IP)) {
                d = put_action(ctx, DPA_SET_IPV4_DST);
                d->ip4 = ofpact_get_SET_IPV4_DST(a)->ipv4;
                ctx->flow.nw_dst = d->ip4;
            }
            break;
        case OFPACT_SET_IP_DSCP:
            if (flow_is_ip(&ctx->flow)) {
                d = put_action(ctx, DPA_SET_IP_DSCP);
                d->u8 = ofpact_get_SET_IP_DSCP(a)->dscp >> 2;
            }
            break;
        case OFPACT_SET_IP_ECN:
            if (flow_is_ip(&ctx->flow)) {
                d = put_action(ctx, DPA_SET_IP_ECN);
                d->u8 = ofpact_get_SET_IP_ECN(a)->ecn & 3;
            }
            break;
        case OFPACT_SET_IP_TTL:
            if (flow_is_ip(&ctx->flow)) {
                d = put_action(ctx, DPA_SET_IP_TTL);
                d->u8 = ofpact_get_SET_IP_TTL(a)->ttl;
                ctx->flow.nw_ttl = d->u8;
            }
            break;
        case OFPACT_SET_L4_SRC_PORT:
            d = put_action(ctx, DPA_SET_TP_SRC);
            d->be16 = htons(ofpact_get_SET_L4_SRC_PORT(a)->port);
            ctx->flow.tp_src = d->be16;
            break;
        case OFPACT_SET_L4_DST_PORT:
            d = put_action(ctx, DPA_SET_TP_DST);
            d->be16 = htons(ofpact_get_SET_L4_DST_PORT(a)->port);
            ctx->flow.tp_dst = d->be16;
            break;
        case OFPACT_DEC_TTL:
            if (flow_is_ip(&ctx->flow)) {
                d = put_action(ctx, DPA_DEC_NW_TTL);
                /* For an invalid-TTL packet-in: the flow that asked. */
                d->cookie = packet_in_cookie(ctx);
                d->be16 = htons(ctx->table_id);
                trace(ctx, "dec_ttl");
                if (ctx->flow.nw_ttl > 1) {
                    ctx->flow.nw_ttl--;
                }
            }
            break;
        case OFPACT_SET_MPLS_LABEL:
            if (eth_type_mpls(ctx->flow.dl_type)) {
                d = put_action(ctx, DPA_SET_MPLS_LABEL);
                d->u32 = ntohl(ofpact_get_SET_MPLS_LABEL(a)->label);
                set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_LABEL_MASK))
                            | htonl(d->u32 << MPLS_LABEL_SHIFT));
            }
            break;
        case OFPACT_SET_MPLS_TC:
            if (eth_type_mpls(ctx->flow.dl_type)) {
                d = put_action(ctx, DPA_SET_MPLS_TC);
                d->u8 = ofpact_get_SET_MPLS_TC(a)->tc & 7;
                set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TC_MASK))
                            | htonl(d->u8 << MPLS_TC_SHIFT));
            }
            break;
        case OFPACT_SET_MPLS_TTL:
            if (eth_type_mpls(ctx->flow.dl_type)) {
                d = put_action(ctx, DPA_SET_MPLS_TTL);
                d->u8 = ofpact_get_SET_MPLS_TTL(a)->ttl;
                set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TTL_MASK))
                            | htonl(d->u8));
            }
            break;
        case OFPACT_DEC_MPLS_TTL:
            if (eth_type_mpls(ctx->flow.dl_type)) {
                d = put_action(ctx, DPA_DEC_MPLS_TTL);
                d->cookie = packet_in_cookie(ctx);
                d->be16 = htons(ctx->table_id);
                trace(ctx, "dec_mpls_ttl");
                uint8_t ttl = dp_lse_ttl(ctx->mpls[0]);
                if (ttl > 1) {
                    set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TTL_MASK))
                                | htonl(ttl - 1));
                }
            }
            break;
        case OFPACT_PUSH_MPLS:
            xlate_push_mpls(ctx, ofpact_get_PUSH_MPLS(a)->ethertype);
            break;
        case OFPACT_POP_MPLS:
            xlate_pop_mpls(ctx, ofpact_get_POP_MPLS(a)->ethertype);
            break;
        case OFPACT_NOTE:
            break;
        case OFPACT_SET_QUEUE:
        case OFPACT_POP_QUEUE:
            /* No queues: the packet goes out the port's only one. */
            break;
        case OFPACT_METER:
            d = put_action(ctx, DPA_METER);
            d->u32 = ofpact_get_METER(a)->meter_id;
            break;
        case OFPACT_CLEAR_ACTIONS:
            ofpbuf_clear(&ctx->action_set);
            trace(ctx, "clear_actions");
            break;
        case OFPACT_WRITE_ACTIONS: {
            const struct ofpact_nest *on = ofpact_get_WRITE_ACTIONS(a);
            ofpbuf_put(&ctx->action_set, on->actions,
                       ofpact_nest_get_action_len(on));
            trace(ctx, "write_actions");
            break;
        }
        case OFPACT_WRITE_METADATA: {
            const struct ofpact_metadata *md = ofpact_get_WRITE_METADATA(a);
            ctx->flow.metadata = ((ctx->flow.metadata & ~md->mask)
                                  | (md->metadata & md->mask));
            break;
        }
        case OFPACT_GOTO_TABLE:
            /* Instructions in a rule always end here. */
            xlate_table(ctx, ofpact_get_GOTO_TABLE(a)->table_id);
            break;

        case OFPACT_REG_MOVE:
            xlate_reg_move(ctx, ofpact_get_REG_MOVE(a));
            break;
        case OFPACT_SET_TUNNEL:
            /* tunnel_id is metadata on a switch without tunnel ports. */
            ctx->flow.tunnel.tun_id = htonll(ofpact_get_SET_TUNNEL(a)
                                             ->tun_id);
            break;

        case OFPACT_ENQUEUE:
        case OFPACT_OUTPUT_REG:
        case OFPACT_BUNDLE:
        case OFPACT_STACK_PUSH:
        case OFPACT_STACK_POP:
        case OFPACT_DEC_NSH_TTL:
        case OFPACT_DELETE_FIELD:
        case OFPACT_ENCAP:
        case OFPACT_DECAP:
        case OFPACT_FIN_TIMEOUT:
        case OFPACT_RESUBMIT:
        case OFPACT_LEARN:
        case OFPACT_CONJUNCTION:
        case OFPACT_MULTIPATH:
        case OFPACT_EXIT:
        case OFPACT_SAMPLE:
        case OFPACT_UNROLL_XLATE:
        case OFPACT_CT:
        case OFPACT_CT_CLEAR:
        case OFPACT_NAT:
        case OFPACT_OUTPUT_TRUNC:
        case OFPACT_CLONE:
        case OFPACT_CHECK_PKT_LARGER:
        case OFPACT_DEBUG_RECIRC:
        case OFPACT_DEBUG_SLOW:
            /* Rejected when the flow was added (ofproto.c). */
            trace(ctx, "%s: not supported, skipped",
                  ofpact_name(a->type));
            break;
        }
    }
}

/* OpenFlow 1.3.5, 5.10: the action set's order. */
enum set_slot {
    SLOT_COPY_TTL_IN,
    SLOT_POP,
    SLOT_PUSH_MPLS,
    SLOT_PUSH_PBB,
    SLOT_PUSH_VLAN,
    SLOT_COPY_TTL_OUT,
    SLOT_DEC_TTL,
    SLOT_SET,               /* Any number, in the order written. */
    SLOT_QOS,
    SLOT_GROUP,
    SLOT_OUTPUT,
    SLOT_INVALID,
};

static enum set_slot
set_slot(const struct ofpact *a)
{
    enum ofpact_type t = a->type;
    struct ofpext_action ea;

    if (ofpext_action_parse(a, &ea)) {
        return (ea.id == OFPEXT_COPY_TTL_IN ? SLOT_COPY_TTL_IN
                : ea.id == OFPEXT_COPY_TTL_OUT ? SLOT_COPY_TTL_OUT
                : ea.id == OFPEXT_PUSH_PBB ? SLOT_PUSH_PBB
                : ea.id == OFPEXT_POP_PBB ? SLOT_POP
                : SLOT_SET);
    } else if (t == OFPACT_STRIP_VLAN || t == OFPACT_POP_MPLS) {
        return SLOT_POP;
    } else if (t == OFPACT_PUSH_MPLS) {
        return SLOT_PUSH_MPLS;
    } else if (t == OFPACT_PUSH_VLAN) {
        return SLOT_PUSH_VLAN;
    } else if (t == OFPACT_DEC_TTL || t == OFPACT_DEC_MPLS_TTL) {
        return SLOT_DEC_TTL;
    } else if (t == OFPACT_SET_QUEUE) {
        return SLOT_QOS;
    } else if (t == OFPACT_GROUP) {
        return SLOT_GROUP;
    } else if (t == OFPACT_OUTPUT || t == OFPACT_CONTROLLER) {
        return SLOT_OUTPUT;
    } else if (t == OFPACT_NOTE) {
        return SLOT_INVALID;
    } else {
        return SLOT_SET;
    }
}

/* Runs the action set: one action per slot (the last written wins; the two
 * decrements and the two pops are separate types, so both may be there),
 * set-fields in the order written, output ignored when a group is there. */
static void
execute_action_set(struct xlate_ctx *ctx)
{
    struct ofpbuf set = ctx->action_set;   /* Steal. */
    struct ofpbuf ordered;
    const struct ofpact *slots[SLOT_INVALID][3];
    const struct ofpact *a;

    ofpbuf_init(&ctx->action_set, 0);
    if (!set.size) {
        ofpbuf_uninit(&set);
        return;
    }
    memset(slots, 0, sizeof slots);
    ofpbuf_init(&ordered, set.size);
    OFPACT_FOR_EACH (a, set.data, set.size) {
        enum set_slot slot = set_slot(a);
        if (slot == SLOT_SET || slot == SLOT_INVALID) {
            continue;
        }
        /* Kinds that share the pop and dec-TTL slots each keep their own
         * place (pop_vlan, pop_mpls, pop_pbb). */
        struct ofpext_action ea;
        int i = (a->type == OFPACT_POP_MPLS || a->type == OFPACT_DEC_MPLS_TTL);
        if (ofpext_action_parse(a, &ea) && ea.id == OFPEXT_POP_PBB) {
            i = 2;
        }
        slots[slot][i] = a;
    }
    for (int slot = 0; slot < SLOT_INVALID; slot++) {
        if (slot == SLOT_SET) {
            OFPACT_FOR_EACH (a, set.data, set.size) {
                if (set_slot(a) == SLOT_SET) {
                    ofpbuf_put(&ordered, a, OFPACT_ALIGN(a->len));
                }
            }
            continue;
        }
        if (slot == SLOT_OUTPUT && slots[SLOT_GROUP][0]) {
            continue;
        }
        for (int i = 0; i < 3; i++) {
            if (slots[slot][i]) {
                ofpbuf_put(&ordered, slots[slot][i],
                           OFPACT_ALIGN(slots[slot][i]->len));
            }
        }
    }
    trace(ctx, "action set:");
    ctx->indent++;
    ctx->in_action_set = true;
    do_xlate_actions(ctx, ordered.data, ordered.size);
    ctx->in_action_set = false;
    ctx->indent--;
    ofpbuf_uninit(&ordered);
    ofpbuf_uninit(&set);
}

/* A rule's instructions (or the frozen rest of them), then the action set
 * if they end without a goto_table. */
static void
do_xlate_instructions(struct xlate_ctx *ctx, const struct ofpact *ofpacts,
                      size_t len)
{
    const struct ofpact *a;
    bool has_goto = false;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPACT_GOTO_TABLE) {
            has_goto = true;
        }
    }
    do_xlate_actions(ctx, ofpacts, len);
    if (!has_goto && !ctx->exit) {
        execute_action_set(ctx);
    }
}

static void
xlate_table(struct xlate_ctx *ctx, uint8_t table_id)
{
    struct ofproto *ofproto = ctx->ofproto;

    if (table_id >= MVS_N_TABLES || ++ctx->depth > XLATE_MAX_DEPTH) {
        trace(ctx, "table %d: out of range, dropped", table_id);
        ctx->exit = true;
        return;
    }
    if (ctx->l3_unknown) {
        /* The lookup may match L3/L4 fields: resume there after a
         * re-parse. */
        ctx->table_id = table_id;
        freeze(ctx, NULL, 0, true);
        return;
    }

    if (table_id == 0 && ofproto->fail_open) {
        trace(ctx, "fail-open: no controller, acting as a learning switch");
        output_normal(ctx);
        return;
    }

    struct oftable *table = &ofproto->tables[table_id];
    bool pristine = !ctx->touched;
    if (ctx->mpls_moved && eth_type_mpls(ctx->flow.dl_type)) {
        ctx->mpls_looked = true;
    }
    const struct cls_rule *cr = classifier_lookup(&table->cls,
                                                  ofproto->version,
                                                  &ctx->flow, &ctx->wc);
    struct rule *rule = rule_from_cls_rule(cr);

    ctx->table_id = table_id;
    add_hit(ctx, rule, table_id, pristine);
    if (!rule && table_id == 0
        && ofproto->fail_mode == OFPROTO_FAIL_STANDALONE
        && !connmgr_has_controllers_configured(ofproto->connmgr)) {
        trace(ctx, "table 0: no match: standalone, output:NORMAL");
        output_normal(ctx);
        return;
    }
    if (!rule) {
        trace(ctx, "table %d: no match: drop (no table-miss flow)",
              table_id);
        if (ctx->xin->trace) {
            ctx->indent++;
            execute_action_set(ctx);
            ctx->indent--;
        } else {
            execute_action_set(ctx);
        }
        return;
    }

    if (ctx->xin->trace) {
        struct ds s = DS_EMPTY_INITIALIZER;
        cls_rule_format(&rule->cr, NULL, NULL, &s);
        ofpext_text_from_carriers(&s);
        trace(ctx, "table %d: priority %d, cookie %#"PRIx64": %s",
              table_id, rule->cr.priority, ntohll(rule->cookie),
              ds_cstr(&s));
        ds_clear(&s);
        struct ofpact_format_params fp = { .s = &s };
        ofpacts_format(rule->ofpacts, rule->ofpacts_len, &fp);
        ofpext_text_from_carriers(&s);
        trace(ctx, "  instructions: %s", ds_cstr(&s));
        ds_destroy(&s);
    }
    const struct rule *old_rule = ctx->rule;
    ctx->rule = rule;
    ctx->cookie = rule->cookie;
    ctx->indent++;
    do_xlate_instructions(ctx, rule->ofpacts, rule->ofpacts_len);
    ctx->indent--;
    ctx->rule = old_rule;
}

int
xlate(const struct xlate_in *xin, struct xlate_out *xout)
{
    struct xlate_ctx ctx;
    const struct dp_key *key = xin->key;

    memset(&ctx, 0, sizeof ctx);
    ctx.xin = xin;
    ctx.xout = xout;
    ctx.ofproto = xin->ofproto;
    xlate_key_to_flow(key, &ctx.flow);
    key_to_flow_pbb(key, &ctx.flow);
    flow_wildcards_init_catchall(&ctx.wc);
    ofpbuf_init(&ctx.action_set, 0);

    ctx.n_mpls = key->mpls_deep ? -1 : key->n_mpls;
    ctx.mpls_known = key->n_mpls;
    memcpy(ctx.mpls, key->mpls, key->n_mpls * sizeof key->mpls[0]);

    if (xin->ofpacts) {
        /* Packet-out: the given actions, then nothing (no action set). */
        ctx.table_id = 0xff;
        ctx.cookie = OVS_BE64_MAX;
        do_xlate_actions(&ctx, xin->ofpacts, xin->ofpacts_len);
    } else if (key->recirc_id) {
        const struct frozen *f = recirc_find(&ctx.ofproto->recirc,
                                             key->recirc_id);
        if (!f) {
            ofpbuf_uninit(&ctx.action_set);
            return ENOENT;
        }
        trace(&ctx, "resume after recirculation %#"PRIx32" in table %d",
              key->recirc_id, f->table_id);
        ctx.flow.metadata = f->metadata;
        ctx.flow.tunnel.tun_id = f->tun_id;
        memcpy(ctx.flow.regs, f->regs, sizeof ctx.flow.regs);
        ctx.base = ctx.flow;
        ctx.table_id = f->table_id;
        ctx.cookie = f->cookie;
        ofpbuf_put(&ctx.action_set, f->action_set, f->action_set_len);
        if (f->restart) {
            xlate_table(&ctx, f->table_id);
        } else {
            do_xlate_instructions(&ctx, f->ofpacts, f->ofpacts_len);
        }
    } else {
        ctx.base = ctx.flow;
        xlate_table(&ctx, 0);
    }

    wc_to_mask(&ctx, &xout->mask);
    wc_to_mask_pbb(&ctx, &xout->mask);
    if (!xin->ofpacts && xout->n_hits && !xout->has_region) {
        struct match region;
        match_init(&region, &ctx.base, &ctx.wc);
        minimatch_init(&xout->region, &region);
        xout->has_region = true;
    }
    ofpbuf_uninit(&ctx.action_set);
    return 0;
}
