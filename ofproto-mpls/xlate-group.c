/* ofproto-mpls/xlate-group.c: a packet through a group: which buckets
 * run, and each one's actions on a copy of the packet (xlate-private.h). */
#include <config.h>
#include "ofproto-mpls/xlate-private.h"

#include <string.h>

#include "ofproto-mpls/group.h"
#include "ofproto-mpls/ofproto-private.h"
#include "openvswitch/ofp-group.h"
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
    bool old_in_set = ctx->in_action_set;
    struct ofpbuf old_set = ctx->action_set;
    size_t clone_ofs = SIZE_MAX;

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
        /* A recirculation inside the bucket ends only the copy. */
        ctx->exit = false;
    }
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
            xlate_trace(ctx, "group %"PRIu32": no live bucket, dropped", group_id);
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
        xlate_trace(ctx, "group %"PRIu32": unknown type", group_id);
        break;
    }
    ctx->group_depth--;
}

