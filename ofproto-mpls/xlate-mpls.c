/* ofproto-mpls/xlate-mpls.c: the label stack as translation tracks it
 * (push, pop, copy_ttl between the stack and what lies under it) and the
 * extension actions of ofp-ext.h (xlate-private.h). */
#include <config.h>
#include "ofproto-mpls/xlate-private.h"

#include <string.h>

#include "datapath/dp-key.h"
#include "ofproto-mpls/ofp-ext.h"
#include "openvswitch/meta-flow.h"
#include "packets.h"
#include "util.h"

/* MPLS. */

void
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
    xlate_sync_flow_mpls(ctx);

    struct dp_action *a = xlate_put_action(ctx, DPA_PUSH_MPLS);
    a->be16 = eth_type;
    xlate_trace(ctx, "push_mpls:%#06"PRIx16, ntohs(eth_type));
}

void
xlate_pop_mpls(struct xlate_ctx *ctx, ovs_be16 eth_type)
{
    if (!eth_type_mpls(ctx->flow.dl_type)) {
        xlate_trace(ctx, "pop_mpls: packet has no MPLS, skipped");
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
    } else if (!ctx->mpls_known && ctx->n_mpls) {
        /* The stack goes on below what the key holds: the next entry is
         * known only by re-parsing. */
        ctx->mpls_top_unknown = true;
    }
    xlate_sync_flow_mpls(ctx);

    struct dp_action *a = xlate_put_action(ctx, DPA_POP_MPLS);
    a->be16 = eth_type;
    xlate_trace(ctx, "pop_mpls:%#06"PRIx16, ntohs(eth_type));
}

/* The ethertype under a one-entry stack, for copy_ttl_in/out: known if
 * translation pushed the stack itself, or if 'rest' (the actions from the
 * copy onwards) pops the entry with an explicit ethertype. */
static ovs_be16
ethertype_under_stack(struct xlate_ctx *ctx, const struct ofpact *rest,
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
    /* The Linux kernel's guess (dp-key.h, enum dp_mpls_payload), which the
     * datapath flow then depends on.  The stack under translation's top is
     * the key's (pushes and pops change only entries above it). */
    const struct dp_key *key = ctx->xin->key;
    if (key->n_mpls) {
        ctx->mpls_payload_read = true;
        return (key->mpls_payload == DP_MPLS_PAYLOAD_IPV4 ? htons(ETH_TYPE_IP)
                : key->mpls_payload == DP_MPLS_PAYLOAD_IPV6
                ? htons(ETH_TYPE_IPV6) : htons(0));
    }
    return htons(0);
}

/* The IP TTL under a one-entry stack whose payload is 'eth_type', for
 * translation's view of copy_ttl_out; -1 if unknown. */
static int
ttl_under_stack(struct xlate_ctx *ctx, ovs_be16 eth_type)
{
    if (ctx->under_mpls && !ctx->l3_unknown) {
        /* Translation pushed the stack onto the IP header it knows. */
        return ctx->flow.nw_ttl;
    }
    const struct dp_key *key = ctx->xin->key;
    if (key->n_mpls && eth_type
        && (key->mpls_payload == DP_MPLS_PAYLOAD_IPV4
            || key->mpls_payload == DP_MPLS_PAYLOAD_IPV6)) {
        ctx->mpls_payload_read = ctx->mpls_payload_ttl_read = true;
        return key->mpls_payload_ttl;
    }
    return -1;
}

/* copy_ttl_out and copy_ttl_in.  Which way they go is decided here, from
 * the stack's structure as translation tracks it, never from the BOS bit
 * (a set_field may have cleared it): between the top two entries of a
 * deeper stack, else between the one entry and the IP header under it if
 * there is one (OpenFlow 1.3.5 5.12), else nothing (counted by the
 * datapath). */
void
xlate_copy_ttl(struct xlate_ctx *ctx, bool out, const struct ofpact *a,
               size_t rest_len)
{
    struct dp_action *d = xlate_put_action(ctx, out ? DPA_COPY_TTL_OUT
                                                    : DPA_COPY_TTL_IN);
    if (ctx->n_mpls != 1) {
        d->u8 = DP_COPY_TTL_ENTRIES;
        if (ctx->mpls_known >= 2 && out) {
            xlate_set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TTL_MASK))
                              | (ctx->mpls[1] & htonl(MPLS_TTL_MASK)));
        } else if (ctx->mpls_known >= 2) {
            ctx->mpls[1] = ((ctx->mpls[1] & ~htonl(MPLS_TTL_MASK))
                            | (ctx->mpls[0] & htonl(MPLS_TTL_MASK)));
            xlate_sync_flow_mpls(ctx);
        }
        xlate_trace(ctx, "%s: between the top two entries",
                    out ? "copy_ttl_out" : "copy_ttl_in");
        return;
    }

    d->be16 = ethertype_under_stack(ctx, a, rest_len);
    if (d->be16 != htons(ETH_TYPE_IP) && d->be16 != htons(ETH_TYPE_IPV6)) {
        d->be16 = htons(0);
        xlate_trace(ctx, "%s: no IP header under the stack, skipped",
                    out ? "copy_ttl_out" : "copy_ttl_in");
        return;
    }
    if (out) {
        int ttl = ttl_under_stack(ctx, d->be16);
        if (ttl >= 0 && ctx->mpls_known >= 1) {
            xlate_set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_TTL_MASK))
                              | htonl(ttl));
        }
    } else if (ctx->under_mpls && !ctx->l3_unknown
               && ctx->mpls_known >= 1) {
        ctx->flow.nw_ttl = dp_lse_ttl(ctx->mpls[0]);
    }
    xlate_trace(ctx, "%s: with the %s header under the stack",
                out ? "copy_ttl_out" : "copy_ttl_in",
                d->be16 == htons(ETH_TYPE_IP) ? "IPv4" : "IPv6");
}

/* set_field eth_type: the bytes after the ethertype are another
 * protocol's now, known only by re-parsing them. */
static void
xlate_set_eth_type(struct xlate_ctx *ctx, ovs_be16 eth_type)
{
    struct dp_action *d = xlate_put_action(ctx, DPA_SET_ETH_TYPE);
    d->be16 = eth_type;
    xlate_trace(ctx, "set_field:%#"PRIx16"->eth_type", ntohs(eth_type));
    if (eth_type == ctx->flow.dl_type) {
        return;
    }
    ctx->flow.dl_type = eth_type;
    ctx->l3_unknown = true;
    ctx->mpls_known = 0;
    ctx->under_mpls = htons(0);
    if (eth_type_mpls(eth_type)) {
        ctx->n_mpls = -1;
        ctx->mpls_top_unknown = true;
    } else {
        ctx->n_mpls = 0;
        ctx->mpls_top_unknown = false;
    }
    ctx->mpls_moved = true;
    xlate_sync_flow_mpls(ctx);
}

/* An extension action (ofp-ext.h): copy_ttl_out, copy_ttl_in, push_pbb,
 * pop_pbb, set_field mpls_bos, pbb_isid, eth_type or ip_proto.  'rest_len'
 * bytes of actions start at 'a'. */
void
xlate_ext(struct xlate_ctx *ctx, const struct ofpext_action *ea,
          const struct ofpact *a, size_t rest_len)
{
    const struct ofpext *e = ofpext_get(ea->id);
    struct dp_action *d;

    ovs_be16 dl_type = ctx->flow.dl_type;
    static const char *const needs_names[] = {
        [OFPEXT_NEEDS_MPLS] = "MPLS",
        [OFPEXT_NEEDS_PBB] = "I-TAG",
        [OFPEXT_NEEDS_IP] = "IP header",
    };
    if ((e->needs == OFPEXT_NEEDS_MPLS && !eth_type_mpls(dl_type))
        || (e->needs == OFPEXT_NEEDS_PBB
            && dl_type != htons(DP_ETH_TYPE_PBB))
        || (e->needs == OFPEXT_NEEDS_IP && dl_type != htons(ETH_TYPE_IP)
            && dl_type != htons(ETH_TYPE_IPV6))) {
        xlate_trace(ctx, "%s: packet has no %s, skipped", e->name,
                    needs_names[e->needs]);
        return;
    }
    switch (ea->id) {
    case OFPEXT_COPY_TTL_OUT:
    case OFPEXT_COPY_TTL_IN:
        xlate_copy_ttl(ctx, ea->id == OFPEXT_COPY_TTL_OUT, a, rest_len);
        break;
    case OFPEXT_SET_MPLS_BOS:
        d = xlate_put_action(ctx, DPA_SET_MPLS_BOS);
        d->u8 = ea->value & 1;
        xlate_set_top_lse(ctx, (ctx->mpls[0] & ~htonl(MPLS_BOS_MASK))
                    | htonl((ea->value & 1) << MPLS_BOS_SHIFT));
        xlate_trace(ctx, "set_field:%d->mpls_bos", d->u8);
        break;
    case OFPEXT_PUSH_PBB:
        d = xlate_put_action(ctx, DPA_PUSH_PBB);
        d->be16 = htons(DP_ETH_TYPE_PBB);
        ctx->flow.dl_type = htons(DP_ETH_TYPE_PBB);
        ofpext_flow_set_pbb_isid(&ctx->flow, 0);
        xlate_trace(ctx, "push_pbb:0x88e7");
        break;
    case OFPEXT_POP_PBB:
        xlate_put_action(ctx, DPA_POP_PBB);
        /* The customer frame is known only by re-parsing it. */
        ctx->l3_unknown = true;
        xlate_trace(ctx, "pop_pbb");
        break;
    case OFPEXT_PBB_ISID:
        d = xlate_put_action(ctx, DPA_SET_PBB_ISID);
        d->u32 = ea->value;
        ofpext_flow_set_pbb_isid(&ctx->flow, ea->value);
        xlate_trace(ctx, "set_field:%#"PRIx32"->pbb_isid", ea->value);
        break;
    case OFPEXT_SET_ETH_TYPE:
        xlate_set_eth_type(ctx, htons(ea->value));
        break;
    case OFPEXT_SET_IP_PROTO:
        d = xlate_put_action(ctx, DPA_SET_IP_PROTO);
        d->u8 = ea->value;
        ctx->flow.nw_proto = ea->value;
        /* The L4 header is now of another protocol. */
        ctx->l3_unknown = true;
        xlate_trace(ctx, "set_field:%"PRIu32"->ip_proto", ea->value);
        break;
    case OFPEXT_IPV6_EXTHDR:
        /* Read-only: refused when the flow was added. */
    case OFPEXT_N:
        OVS_NOT_REACHED();
    }
}
