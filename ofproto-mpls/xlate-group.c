/* ofproto-mpls/xlate-group.c: a packet through a group: which buckets
 * run, and each one's actions on a copy of the packet (xlate-private.h). */
#include <config.h>
#include "ofproto-mpls/xlate-private.h"

#include <string.h>

#include "hash.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/ofproto-private.h"
#include "openvswitch/ofp-group.h"
#include "packets.h"
#include "util.h"

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
    bool old_top_unknown = ctx->mpls_top_unknown;
    bool old_in_set = ctx->in_action_set;
    struct ofpbuf old_set = ctx->action_set;
    size_t clone_ofs = SIZE_MAX;

    if (!xlate_work(ctx)) {
        return;
    }
    memcpy(old_mpls, ctx->mpls, sizeof old_mpls);
    xlate_add_group_hit(ctx, g, idx);
    xlate_trace(ctx, "group %"PRIu32" bucket %"PRIu32":", g->group_id, idx);
    if (!last) {
        clone_ofs = ctx->xout->actions.size;
        xlate_put_action(ctx, DPA_CLONE);
    }
    /* A bucket has actions, not an action set of its own. */
    ofpbuf_init(&ctx->action_set, 0);
    ctx->in_action_set = false;
    ctx->indent++;
    xlate_actions(ctx, b->ofpacts, b->ofpacts_len);
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
        ctx->mpls_top_unknown = old_top_unknown;
        /* A recirculation inside the bucket ends only the copy. */
        ctx->exit = ctx->xout->over_limit;
    }
}

/* The hash a select group picks its bucket by, with everything it read
 * made part of the datapath flow's mask (else a cached flow would send
 * every flow it carries to one bucket):
 *
 *   IPv4, IPv6   the 5-tuple (addresses, protocol, and the TCP, UDP or
 *                SCTP ports) and the MAC addresses: a router's traffic,
 *                with one pair of MACs, spreads by the 5-tuple, and hosts
 *                that share one IP flow's addresses (os-ken's switch
 *                tester sends such) by their MACs;
 *   ARP          the sender and target protocol addresses and MACs;
 *   MPLS         with an entropy label (RFC 6790: the Entropy Label
 *                Indicator, label 7, then the EL) the EL alone, which its
 *                ingress LER computed from the flow; else every label of
 *                the stack (TC, TTL and what lies under the stack, which
 *                an LSR does not parse, are not read);
 *   anything     the MAC addresses and the ethertype.
 *   else
 *
 * The basis is fixed, so a flow keeps its bucket across restarts and
 * bridges. */
#define SELECT_HASH_BASIS 0x6d767373

/* RFC 6790: the Entropy Label Indicator. */
#define MPLS_LABEL_ELI 7

static uint32_t
select_hash_mpls(struct xlate_ctx *ctx)
{
    uint32_t hash = SELECT_HASH_BASIS;

    /* Hashing the labels as the packet has them here: translation's view
     * of the stack (after any push, pop or set), with every key entry
     * exact, since which key entry is which view entry depends on the
     * actions. */
    ctx->mpls_labels_read = true;
    for (int i = 0; i < ctx->mpls_known; i++) {
        uint32_t label = dp_lse_label(ctx->mpls[i]);
        if (label == MPLS_LABEL_ELI && i + 1 < ctx->mpls_known) {
            return hash_int(dp_lse_label(ctx->mpls[i + 1]),
                            SELECT_HASH_BASIS);
        }
        hash = hash_int(label, hash);
    }
    return hash;
}

static uint32_t
select_hash(struct xlate_ctx *ctx)
{
    const struct flow *flow = &ctx->flow;
    struct flow_wildcards *wc = &ctx->wc;

    if (eth_type_mpls(flow->dl_type)) {
        return select_hash_mpls(ctx);
    }
    if (!ctx->l3_unknown && (flow->dl_type == htons(ETH_TYPE_IP)
                             || flow->dl_type == htons(ETH_TYPE_IPV6))) {
        uint32_t hash = SELECT_HASH_BASIS;
        memset(&wc->masks.dl_src, 0xff, sizeof wc->masks.dl_src);
        memset(&wc->masks.dl_dst, 0xff, sizeof wc->masks.dl_dst);
        hash = hash_bytes(&flow->dl_src, sizeof flow->dl_src, hash);
        hash = hash_bytes(&flow->dl_dst, sizeof flow->dl_dst, hash);
        if (flow->dl_type == htons(ETH_TYPE_IP)) {
            wc->masks.nw_src = wc->masks.nw_dst = OVS_BE32_MAX;
            hash = hash_add(hash, (OVS_FORCE uint32_t) flow->nw_src);
            hash = hash_add(hash, (OVS_FORCE uint32_t) flow->nw_dst);
        } else {
            memset(&wc->masks.ipv6_src, 0xff, sizeof wc->masks.ipv6_src);
            memset(&wc->masks.ipv6_dst, 0xff, sizeof wc->masks.ipv6_dst);
            hash = hash_bytes(&flow->ipv6_src, sizeof flow->ipv6_src, hash);
            hash = hash_bytes(&flow->ipv6_dst, sizeof flow->ipv6_dst, hash);
        }
        wc->masks.nw_proto = 0xff;
        hash = hash_add(hash, flow->nw_proto);
        if (flow->nw_proto == IPPROTO_TCP || flow->nw_proto == IPPROTO_UDP
            || flow->nw_proto == IPPROTO_SCTP) {
            wc->masks.tp_src = wc->masks.tp_dst = OVS_BE16_MAX;
            hash = hash_add(hash, ((uint32_t) ntohs(flow->tp_src) << 16)
                                  | ntohs(flow->tp_dst));
        }
        return hash_finish(hash, 0);
    }

    uint32_t hash = SELECT_HASH_BASIS;
    memset(&wc->masks.dl_src, 0xff, sizeof wc->masks.dl_src);
    memset(&wc->masks.dl_dst, 0xff, sizeof wc->masks.dl_dst);
    hash = hash_bytes(&flow->dl_src, sizeof flow->dl_src, hash);
    hash = hash_bytes(&flow->dl_dst, sizeof flow->dl_dst, hash);
    hash = hash_add(hash, ntohs(flow->dl_type));
    if (!ctx->l3_unknown && flow->dl_type == htons(ETH_TYPE_ARP)) {
        wc->masks.nw_src = wc->masks.nw_dst = OVS_BE32_MAX;
        hash = hash_add(hash, (OVS_FORCE uint32_t) flow->nw_src);
        hash = hash_add(hash, (OVS_FORCE uint32_t) flow->nw_dst);
    }
    return hash_finish(hash, 0);
}

void
xlate_group(struct xlate_ctx *ctx, uint32_t group_id, bool last)
{
    struct group *g = group_find(ctx->ofproto, group_id);
    const struct ofputil_bucket *b;
    uint32_t idx = 0;

    if (!g) {
        xlate_trace(ctx, "group:%"PRIu32": no such group, dropped", group_id);
        return;
    }
    if (ctx->group_depth >= 16) {
        xlate_trace(ctx, "group:%"PRIu32": chained too deep, dropped", group_id);
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
            xlate_trace(ctx, "group %"PRIu32": no live bucket, dropped", group_id);
        }
        break;

    case OFPGT11_SELECT: {
        /* OpenFlow 1.3.5 5.6.1: weights share the traffic; weight 0 gets
         * none.  Every packet of a flow takes the same bucket. */
        uint32_t hash = select_hash(ctx);
        uint64_t total = 0;
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            if (group_bucket_is_live(ctx->ofproto, b)) {
                total += b->weight;
            }
        }
        if (!total) {
            xlate_trace(ctx, "group %"PRIu32": no live bucket with a weight, "
                        "dropped", group_id);
            break;
        }
        /* Multiply-shift rather than modulo: each bucket's share of the
         * 2^32 hash values is exactly proportional to its weight, up to
         * one value. */
        uint64_t pick = ((uint64_t) hash * total) >> 32;
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            if (group_bucket_is_live(ctx->ofproto, b) && b->weight) {
                if (pick < b->weight) {
                    xlate_trace(ctx, "group %"PRIu32": hash %#"PRIx32
                                " picks bucket %"PRIu32, group_id, hash,
                                idx);
                    xlate_bucket(ctx, g, b, idx, last);
                    break;
                }
                pick -= b->weight;
            }
            idx++;
        }
        break;
    }

    default:
        xlate_trace(ctx, "group %"PRIu32": unknown type", group_id);
        break;
    }
    ctx->group_depth--;
}

