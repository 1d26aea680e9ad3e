/* ofproto-mpls/xlate-actions.c: what each OpenFlow action does to a
 * packet's trip through the pipeline (xlate-private.h), and the one table
 * of the actions mvs implements. */
#include <config.h>
#include "ofproto-mpls/xlate-private.h"

#include <string.h>

#include "datapath/dp-port.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/mac-learning.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofport.h"
#include "ofproto-mpls/ofproto-private.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-port.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

/* Output. */

static void
output_port(struct xlate_ctx *ctx, ofp_port_t port)
{
    struct ofport *ofport = ofport_find(ctx->ofproto, port);
    if (!ofport) {
        xlate_trace(ctx, "output:%"PRIu32": no such port, dropped",
              ofp_to_u16(port));
        return;
    }
    if (port == ctx->flow.in_port.ofp_port) {
        xlate_trace(ctx, "output:%"PRIu32": is the input port, skipped "
              "(use in_port)", ofp_to_u16(port));
        return;
    }
    if (ofport->config & OFPUTIL_PC_NO_FWD) {
        xlate_trace(ctx, "output:%"PRIu32": port has no_fwd, dropped",
              ofp_to_u16(port));
        return;
    }
    struct dp_action *a = xlate_put_action(ctx, DPA_OUTPUT);
    a->u32 = ofp_to_u16(port);
    xlate_trace(ctx, "output:%"PRIu32, ofp_to_u16(port));
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
        a = xlate_put_action(ctx, DPA_OUTPUT);
        a->u32 = ofp_to_u16(ofport->ofp_port);
    }
    xlate_trace(ctx, "%s", all ? "output:ALL" : "output:FLOOD");
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
    struct dp_action *a = xlate_put_action(ctx, DPA_USERSPACE);
    a->u8 = reason;
    a->u32 = max_len;
    a->be16 = htons(ctx->table_id);
    a->cookie = packet_in_cookie(ctx);
    xlate_trace(ctx, "output:CONTROLLER (max_len %"PRIu16")", max_len);
}

void
xlate_output_normal(struct xlate_ctx *ctx)
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
        xlate_trace(ctx, "NORMAL: flood");
        output_flood(ctx, false);
    } else {
        xlate_trace(ctx, "NORMAL: learned port %"PRIu32, ofp_to_u16(port));
        output_port(ctx, port);
    }
}

static void
xlate_output(struct xlate_ctx *ctx, ofp_port_t port, uint16_t max_len)
{
    switch (port) {
    case OFPP_IN_PORT: {
        struct dp_action *a = xlate_put_action(ctx, DPA_OUTPUT);
        a->u32 = ofp_to_u16(ctx->flow.in_port.ofp_port);
        xlate_trace(ctx, "output:IN_PORT");
        break;
    }
    case OFPP_TABLE:
        /* Packet-out to the pipeline: a fresh trip from table 0. */
        ctx->table_id = 0;
        xlate_freeze(ctx, NULL, 0, true);
        ctx->exit = false;      /* Later actions still apply. */
        break;
    case OFPP_NORMAL:
        xlate_output_normal(ctx);
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
        xlate_trace(ctx, "output:%s: no such port here, dropped",
              port == OFPP_LOCAL ? "LOCAL" : "NONE");
        break;
    default:
        output_port(ctx, port);
        break;
    }
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
    struct dp_action *d = xlate_put_action(ctx, DPA_PUSH_VLAN);
    d->be16 = htons(ETH_TYPE_VLAN_8021Q);
    flow_push_vlan_uninit(&ctx->flow, NULL);
    ctx->flow.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
    ctx->flow.vlans[0].tci = htons(VLAN_CFI);
    return true;
}

static bool
flow_is_ip(const struct flow *flow)
{
    return (flow->dl_type == htons(ETH_TYPE_IP)
            || flow->dl_type == htons(ETH_TYPE_IPV6));
}


/* The handlers of xlate_action_table[], one per ofpact type. */

static void
x_output(struct xlate_ctx *ctx, const struct ofpact *a,
         const struct ofpact *end OVS_UNUSED)
{
    const struct ofpact_output *o = ofpact_get_OUTPUT(a);
    xlate_output(ctx, o->port, o->max_len);
}

static void
x_controller(struct xlate_ctx *ctx, const struct ofpact *a,
             const struct ofpact *end OVS_UNUSED)
{
    const struct ofpact_controller *c = ofpact_get_CONTROLLER(a);
    output_controller(ctx, c->max_len, c->reason);
}

static void
x_group(struct xlate_ctx *ctx, const struct ofpact *a,
        const struct ofpact *end)
{
    /* In the action set the group is the last action. */
    bool last = ctx->in_action_set && ofpact_next(a) >= end;
    xlate_group(ctx, ofpact_get_GROUP(a)->group_id, last);
}

static void
x_set_field(struct xlate_ctx *ctx, const struct ofpact *a,
            const struct ofpact *end)
{
    struct ofpext_action ea;
    if (ofpext_action_parse(a, &ea)) {
        xlate_ext(ctx, &ea, a, (const char *) end - (const char *) a);
    } else {
        xlate_set_field(ctx, ofpact_get_SET_FIELD(a));
    }
}

static void
x_reg_move(struct xlate_ctx *ctx, const struct ofpact *a,
           const struct ofpact *end OVS_UNUSED)
{
    xlate_reg_move(ctx, ofpact_get_REG_MOVE(a));
}

static void
x_set_tunnel(struct xlate_ctx *ctx, const struct ofpact *a,
             const struct ofpact *end OVS_UNUSED)
{
    /* tunnel_id is metadata on a switch without tunnel ports. */
    ctx->flow.tunnel.tun_id = htonll(ofpact_get_SET_TUNNEL(a)->tun_id);
}

static void
x_set_vlan_vid(struct xlate_ctx *ctx, const struct ofpact *a,
               const struct ofpact *end OVS_UNUSED)
{
    const struct ofpact_vlan_vid *v = ofpact_get_SET_VLAN_VID(a);
    if (vlan_for_set(ctx, v->push_vlan_if_needed)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_VLAN_VID);
        d->u32 = v->vlan_vid;
        ctx->flow.vlans[0].tci &= ~htons(VLAN_VID_MASK);
        ctx->flow.vlans[0].tci |= htons(d->u32);
    }
}

static void
x_set_vlan_pcp(struct xlate_ctx *ctx, const struct ofpact *a,
               const struct ofpact *end OVS_UNUSED)
{
    const struct ofpact_vlan_pcp *v = ofpact_get_SET_VLAN_PCP(a);
    if (vlan_for_set(ctx, v->push_vlan_if_needed)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_VLAN_PCP);
        d->u8 = v->vlan_pcp;
        ctx->flow.vlans[0].tci &= ~htons(VLAN_PCP_MASK);
        ctx->flow.vlans[0].tci |= htons(d->u8 << VLAN_PCP_SHIFT);
    }
}

static void
x_strip_vlan(struct xlate_ctx *ctx, const struct ofpact *a OVS_UNUSED,
             const struct ofpact *end OVS_UNUSED)
{
    if (ctx->flow.vlans[0].tci & htons(VLAN_CFI)) {
        xlate_put_action(ctx, DPA_POP_VLAN);
        flow_pop_vlan(&ctx->flow, NULL);
        xlate_trace(ctx, "pop_vlan");
    }
}

static void
x_push_vlan(struct xlate_ctx *ctx, const struct ofpact *a,
            const struct ofpact *end OVS_UNUSED)
{
    ovs_be16 tpid = ofpact_get_PUSH_VLAN(a)->ethertype;
    /* The action carries the outer tag's VID and PCP. */
    ctx->wc.masks.vlans[0].tci |= htons(VLAN_VID_MASK | VLAN_PCP_MASK
                                        | VLAN_CFI);
    ovs_be16 tci = (ctx->flow.vlans[0].tci & htons(VLAN_CFI)
                    ? ctx->flow.vlans[0].tci : htons(VLAN_CFI));
    struct dp_action *d = xlate_put_action(ctx, DPA_PUSH_VLAN);
    d->be16 = tpid;
    /* OpenFlow 1.3: VID and PCP copied from an existing outer tag, else
     * zero. */
    d->u32 = ntohs(tci) & ~VLAN_CFI;
    flow_push_vlan_uninit(&ctx->flow, NULL);
    ctx->flow.vlans[0].tpid = tpid;
    ctx->flow.vlans[0].tci = tci;
    xlate_trace(ctx, "push_vlan:%#06"PRIx16, ntohs(tpid));
}

static void
x_set_eth_src(struct xlate_ctx *ctx, const struct ofpact *a,
              const struct ofpact *end OVS_UNUSED)
{
    struct dp_action *d = xlate_put_action(ctx, DPA_SET_ETH_SRC);
    d->mac = ofpact_get_SET_ETH_SRC(a)->mac;
    ctx->flow.dl_src = d->mac;
}

static void
x_set_eth_dst(struct xlate_ctx *ctx, const struct ofpact *a,
              const struct ofpact *end OVS_UNUSED)
{
    struct dp_action *d = xlate_put_action(ctx, DPA_SET_ETH_DST);
    d->mac = ofpact_get_SET_ETH_DST(a)->mac;
    ctx->flow.dl_dst = d->mac;
}

static void
x_set_ipv4_src(struct xlate_ctx *ctx, const struct ofpact *a,
               const struct ofpact *end OVS_UNUSED)
{
    if (ctx->flow.dl_type == htons(ETH_TYPE_IP)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_IPV4_SRC);
        d->ip4 = ofpact_get_SET_IPV4_SRC(a)->ipv4;
        ctx->flow.nw_src = d->ip4;
    }
}

static void
x_set_ipv4_dst(struct xlate_ctx *ctx, const struct ofpact *a,
               const struct ofpact *end OVS_UNUSED)
{
    if (ctx->flow.dl_type == htons(ETH_TYPE_IP)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_IPV4_DST);
        d->ip4 = ofpact_get_SET_IPV4_DST(a)->ipv4;
        ctx->flow.nw_dst = d->ip4;
    }
}

static void
x_set_ip_dscp(struct xlate_ctx *ctx, const struct ofpact *a,
              const struct ofpact *end OVS_UNUSED)
{
    if (flow_is_ip(&ctx->flow)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_IP_DSCP);
        d->u8 = ofpact_get_SET_IP_DSCP(a)->dscp >> 2;
        ctx->flow.nw_tos = (ctx->flow.nw_tos & ~IP_DSCP_MASK) | (d->u8 << 2);
    }
}

static void
x_set_ip_ecn(struct xlate_ctx *ctx, const struct ofpact *a,
             const struct ofpact *end OVS_UNUSED)
{
    if (flow_is_ip(&ctx->flow)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_IP_ECN);
        d->u8 = ofpact_get_SET_IP_ECN(a)->ecn & 3;
        ctx->flow.nw_tos = (ctx->flow.nw_tos & ~IP_ECN_MASK) | d->u8;
    }
}

static void
x_set_ip_ttl(struct xlate_ctx *ctx, const struct ofpact *a,
             const struct ofpact *end OVS_UNUSED)
{
    if (flow_is_ip(&ctx->flow)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_IP_TTL);
        d->u8 = ofpact_get_SET_IP_TTL(a)->ttl;
        ctx->flow.nw_ttl = d->u8;
    }
}

static void
x_set_l4_src(struct xlate_ctx *ctx, const struct ofpact *a,
             const struct ofpact *end OVS_UNUSED)
{
    struct dp_action *d = xlate_put_action(ctx, DPA_SET_TP_SRC);
    d->be16 = htons(ofpact_get_SET_L4_SRC_PORT(a)->port);
    ctx->flow.tp_src = d->be16;
}

static void
x_set_l4_dst(struct xlate_ctx *ctx, const struct ofpact *a,
             const struct ofpact *end OVS_UNUSED)
{
    struct dp_action *d = xlate_put_action(ctx, DPA_SET_TP_DST);
    d->be16 = htons(ofpact_get_SET_L4_DST_PORT(a)->port);
    ctx->flow.tp_dst = d->be16;
}

static void
x_dec_ttl(struct xlate_ctx *ctx, const struct ofpact *a OVS_UNUSED,
          const struct ofpact *end OVS_UNUSED)
{
    if (flow_is_ip(&ctx->flow)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_DEC_NW_TTL);
        /* For an invalid-TTL packet-in: the flow that asked. */
        d->cookie = packet_in_cookie(ctx);
        d->be16 = htons(ctx->table_id);
        xlate_trace(ctx, "dec_ttl");
        if (ctx->flow.nw_ttl > 1) {
            ctx->flow.nw_ttl--;
        }
    }
}

static void
x_set_mpls_label(struct xlate_ctx *ctx, const struct ofpact *a,
                 const struct ofpact *end OVS_UNUSED)
{
    if (eth_type_mpls(ctx->flow.dl_type)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_MPLS_LABEL);
        d->u32 = ntohl(ofpact_get_SET_MPLS_LABEL(a)->label);
        xlate_set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_LABEL_MASK))
                          | htonl(d->u32 << MPLS_LABEL_SHIFT));
    }
}

static void
x_set_mpls_tc(struct xlate_ctx *ctx, const struct ofpact *a,
              const struct ofpact *end OVS_UNUSED)
{
    if (eth_type_mpls(ctx->flow.dl_type)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_MPLS_TC);
        d->u8 = ofpact_get_SET_MPLS_TC(a)->tc & 7;
        xlate_set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TC_MASK))
                          | htonl(d->u8 << MPLS_TC_SHIFT));
    }
}

static void
x_set_mpls_ttl(struct xlate_ctx *ctx, const struct ofpact *a,
               const struct ofpact *end OVS_UNUSED)
{
    if (eth_type_mpls(ctx->flow.dl_type)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_SET_MPLS_TTL);
        d->u8 = ofpact_get_SET_MPLS_TTL(a)->ttl;
        xlate_set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TTL_MASK))
                          | htonl(d->u8));
    }
}

static void
x_dec_mpls_ttl(struct xlate_ctx *ctx, const struct ofpact *a OVS_UNUSED,
               const struct ofpact *end OVS_UNUSED)
{
    if (eth_type_mpls(ctx->flow.dl_type)) {
        struct dp_action *d = xlate_put_action(ctx, DPA_DEC_MPLS_TTL);
        d->cookie = packet_in_cookie(ctx);
        d->be16 = htons(ctx->table_id);
        xlate_trace(ctx, "dec_mpls_ttl");
        uint8_t ttl = dp_lse_ttl(ctx->mpls[0]);
        if (ttl > 1) {
            xlate_set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TTL_MASK))
                              | htonl(ttl - 1));
        }
    }
}

static void
x_push_mpls(struct xlate_ctx *ctx, const struct ofpact *a,
            const struct ofpact *end OVS_UNUSED)
{
    xlate_push_mpls(ctx, ofpact_get_PUSH_MPLS(a)->ethertype);
}

static void
x_pop_mpls(struct xlate_ctx *ctx, const struct ofpact *a,
           const struct ofpact *end OVS_UNUSED)
{
    xlate_pop_mpls(ctx, ofpact_get_POP_MPLS(a)->ethertype);
}

/* A note, set_queue and pop_queue do nothing: ports have one queue. */
static void
x_nothing(struct xlate_ctx *ctx OVS_UNUSED, const struct ofpact *a OVS_UNUSED,
          const struct ofpact *end OVS_UNUSED)
{
}

static void
x_meter(struct xlate_ctx *ctx, const struct ofpact *a,
        const struct ofpact *end OVS_UNUSED)
{
    struct dp_action *d = xlate_put_action(ctx, DPA_METER);
    d->u32 = ofpact_get_METER(a)->meter_id;
}

static void
x_clear_actions(struct xlate_ctx *ctx, const struct ofpact *a OVS_UNUSED,
                const struct ofpact *end OVS_UNUSED)
{
    ofpbuf_clear(&ctx->action_set);
    xlate_trace(ctx, "clear_actions");
}

static void
x_write_actions(struct xlate_ctx *ctx, const struct ofpact *a,
                const struct ofpact *end OVS_UNUSED)
{
    const struct ofpact_nest *on = ofpact_get_WRITE_ACTIONS(a);
    ofpbuf_put(&ctx->action_set, on->actions,
               ofpact_nest_get_action_len(on));
    xlate_trace(ctx, "write_actions");
}

static void
x_write_metadata(struct xlate_ctx *ctx, const struct ofpact *a,
                 const struct ofpact *end OVS_UNUSED)
{
    const struct ofpact_metadata *md = ofpact_get_WRITE_METADATA(a);
    ctx->flow.metadata = ((ctx->flow.metadata & ~md->mask)
                          | (md->metadata & md->mask));
}

static void
x_goto_table(struct xlate_ctx *ctx, const struct ofpact *a,
             const struct ofpact *end OVS_UNUSED)
{
    /* Instructions in a rule always end here. */
    xlate_table(ctx, ofpact_get_GOTO_TABLE(a)->table_id);
}

/* set_field: the extension actions carried in it have slots of their
 * own (ofp-ext.h), and only L3/L4 fields need the inner headers. */
static enum xlate_slot
set_field_slot(const struct ofpact *a)
{
    struct ofpext_action ea;

    if (!ofpext_action_parse(a, &ea)) {
        return SLOT_SET;
    }
    switch (ea.id) {
    case OFPEXT_COPY_TTL_IN:
        return SLOT_COPY_TTL_IN;
    case OFPEXT_COPY_TTL_OUT:
        return SLOT_COPY_TTL_OUT;
    case OFPEXT_PUSH_PBB:
        return SLOT_PUSH_PBB;
    case OFPEXT_POP_PBB:
        return SLOT_POP;
    case OFPEXT_SET_MPLS_BOS:
    case OFPEXT_PBB_ISID:
    case OFPEXT_IPV6_EXTHDR:
    case OFPEXT_SET_ETH_TYPE:
    case OFPEXT_SET_IP_PROTO:
        return SLOT_SET;
    case OFPEXT_N:
        break;
    }
    OVS_NOT_REACHED();
}

static bool
set_field_needs_l3(const struct ofpact *a)
{
    struct ofpext_action ea;

    if (ofpext_action_parse(a, &ea)) {
        return ofpext_get(ea.id)->needs == OFPEXT_NEEDS_IP;
    }
    return xlate_field_needs_l3(ofpact_get_SET_FIELD(a)->field);
}

/* The MPLS fields, and the extension actions that read or write the top
 * entry. */
static bool
set_field_needs_mpls(const struct ofpact *a)
{
    struct ofpext_action ea;

    if (ofpext_action_parse(a, &ea)) {
        return ofpext_get(ea.id)->needs == OFPEXT_NEEDS_MPLS;
    }
    return ofpact_get_SET_FIELD(a)->field->prereqs == MFP_MPLS;
}

static bool
reg_move_needs_l3(const struct ofpact *a)
{
    const struct ofpact_reg_move *m = ofpact_get_REG_MOVE(a);
    return (xlate_field_needs_l3(m->src.field)
            || xlate_field_needs_l3(m->dst.field));
}

/* The one list of the OpenFlow actions mvs implements.  Validation
 * refuses every other type (xlate_action_supported()).  Each entry: the
 * handler, the action set slot, whether it may change the packet, its
 * metadata or the label stack, and whether it needs the L3/L4 headers. */
#define X(HANDLER, SLOT, CHANGES, L3) \
    { .xlate = HANDLER, .slot = SLOT, .changes_packet = CHANGES, \
      .needs_l3 = L3 }
#define XM(HANDLER, SLOT, CHANGES, L3) \
    { .xlate = HANDLER, .slot = SLOT, .changes_packet = CHANGES, \
      .needs_l3 = L3, .needs_mpls = true }
const struct xlate_action_info xlate_action_table[N_OFPACTS] = {
    [OFPACT_OUTPUT] = X(x_output, SLOT_OUTPUT, false, false),
    [OFPACT_CONTROLLER] = X(x_controller, SLOT_OUTPUT, false, false),
    [OFPACT_GROUP] = XM(x_group, SLOT_GROUP, true, true),
    [OFPACT_SET_FIELD] = {
        .xlate = x_set_field, .changes_packet = true,
        .slot_of = set_field_slot, .needs_l3_of = set_field_needs_l3,
        .needs_mpls_of = set_field_needs_mpls,
    },
    [OFPACT_REG_MOVE] = {
        .xlate = x_reg_move, .slot = SLOT_SET, .changes_packet = true,
        .needs_l3_of = reg_move_needs_l3,
    },
    [OFPACT_SET_TUNNEL] = X(x_set_tunnel, SLOT_SET, true, false),
    [OFPACT_SET_VLAN_VID] = X(x_set_vlan_vid, SLOT_SET, true, false),
    [OFPACT_SET_VLAN_PCP] = X(x_set_vlan_pcp, SLOT_SET, true, false),
    [OFPACT_STRIP_VLAN] = X(x_strip_vlan, SLOT_POP, true, false),
    [OFPACT_PUSH_VLAN] = X(x_push_vlan, SLOT_PUSH_VLAN, true, false),
    [OFPACT_SET_ETH_SRC] = X(x_set_eth_src, SLOT_SET, true, false),
    [OFPACT_SET_ETH_DST] = X(x_set_eth_dst, SLOT_SET, true, false),
    [OFPACT_SET_IPV4_SRC] = X(x_set_ipv4_src, SLOT_SET, true, true),
    [OFPACT_SET_IPV4_DST] = X(x_set_ipv4_dst, SLOT_SET, true, true),
    [OFPACT_SET_IP_DSCP] = X(x_set_ip_dscp, SLOT_SET, true, true),
    [OFPACT_SET_IP_ECN] = X(x_set_ip_ecn, SLOT_SET, true, true),
    [OFPACT_SET_IP_TTL] = X(x_set_ip_ttl, SLOT_SET, true, true),
    [OFPACT_SET_L4_SRC_PORT] = X(x_set_l4_src, SLOT_SET, true, true),
    [OFPACT_SET_L4_DST_PORT] = X(x_set_l4_dst, SLOT_SET, true, true),
    [OFPACT_DEC_TTL] = X(x_dec_ttl, SLOT_DEC_TTL, true, true),
    [OFPACT_SET_MPLS_LABEL] = XM(x_set_mpls_label, SLOT_SET, true, false),
    [OFPACT_SET_MPLS_TC] = XM(x_set_mpls_tc, SLOT_SET, true, false),
    [OFPACT_SET_MPLS_TTL] = XM(x_set_mpls_ttl, SLOT_SET, true, false),
    [OFPACT_DEC_MPLS_TTL] = XM(x_dec_mpls_ttl, SLOT_DEC_TTL, true, false),
    [OFPACT_PUSH_MPLS] = XM(x_push_mpls, SLOT_PUSH_MPLS, true, true),
    [OFPACT_POP_MPLS] = X(x_pop_mpls, SLOT_POP, true, false),
    [OFPACT_SET_QUEUE] = X(x_nothing, SLOT_QOS, false, false),
    [OFPACT_POP_QUEUE] = X(x_nothing, SLOT_QOS, false, false),
    [OFPACT_NOTE] = X(x_nothing, SLOT_NONE, false, false),
    [OFPACT_METER] = X(x_meter, SLOT_SET, false, false),
    [OFPACT_CLEAR_ACTIONS] = X(x_clear_actions, SLOT_NONE, false, false),
    [OFPACT_WRITE_ACTIONS] = X(x_write_actions, SLOT_NONE, false, false),
    [OFPACT_WRITE_METADATA] = X(x_write_metadata, SLOT_NONE, true, false),
    [OFPACT_GOTO_TABLE] = XM(x_goto_table, SLOT_NONE, false, true),
};
#undef X
#undef XM

bool
xlate_action_supported(enum ofpact_type type)
{
    return ((unsigned int) type < (unsigned int) N_OFPACTS
            && xlate_action_table[type].xlate != NULL);
}
