/* ofproto-mpls/xlate.c: OpenFlow pipeline -> one datapath flow: the
 * tables, instructions, action set and freezing (xlate-private.h). */
#include <config.h>
#include "ofproto-mpls/xlate.h"
#include "ofproto-mpls/xlate-private.h"

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

static void do_xlate_instructions(struct xlate_ctx *,
                                  const struct ofpact *, size_t len);

struct dp_action *
xlate_put_action(struct xlate_ctx *ctx, enum dp_action_type type)
{
    struct ofpbuf *b = &ctx->xout->actions;

    /* ofpbuf grows by what is asked only: double it, so long action lists
     * (groups of many buckets) cost linear time. */
    if (ofpbuf_tailroom(b) < sizeof(struct dp_action)) {
        ofpbuf_prealloc_tailroom(b, MAX(b->size,
                                        16 * sizeof(struct dp_action)));
    }
    struct dp_action *a = ofpbuf_put_zeros(b, sizeof *a);
    a->type = type;
    return a;
}

void
xlate_trace(struct xlate_ctx *ctx, const char *format, ...)
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

void
xlate_add_group_hit(struct xlate_ctx *ctx, struct group *group,
                    uint32_t bucket)
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
    if (ctx->mpls_payload_read) {
        mask->mpls_payload = 0xff;
    }
    if (ctx->mpls_payload_ttl_read) {
        mask->mpls_payload_ttl = 0xff;
    }
    if (ctx->mpls_labels_read) {
        for (int i = 0; i < key->n_mpls; i++) {
            mask->mpls[i] |= htonl(MPLS_LABEL_MASK);
        }
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
void
xlate_sync_flow_mpls(struct xlate_ctx *ctx)
{
    for (int i = 0; i < FLOW_MAX_MPLS_LABELS; i++) {
        ctx->flow.mpls_lse[i] = (i < ctx->mpls_known ? ctx->mpls[i] : 0);
    }
}

/* Freezing and recirculation. */

/* Stops translation here: the rest of the pipeline is 'ofpacts' (the
 * remaining instructions of the current rule, or of the action set), to be
 * resumed after the datapath re-parses the packet. */
void
xlate_freeze(struct xlate_ctx *ctx, const struct ofpact *ofpacts, size_t len,
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
    struct dp_action *a = xlate_put_action(ctx, DPA_RECIRC);
    a->u32 = id;
    xlate_trace(ctx, "recirc(%#"PRIx32"): the rest of the pipeline needs the "
          "re-parsed packet", id);
    ctx->exit = true;
    ctx->xout->recirculated = true;
}

void
xlate_set_top_lse(struct xlate_ctx *ctx, ovs_be32 lse)
{
    if (ctx->mpls_known > 0) {
        ctx->mpls[0] = lse;
        xlate_sync_flow_mpls(ctx);
    }
}

enum xlate_slot
xlate_slot_of(const struct ofpact *a)
{
    const struct xlate_action_info *info = &xlate_action_table[a->type];
    return info->slot_of ? info->slot_of(a) : info->slot;
}

bool
xlate_needs_l3(const struct ofpact *a)
{
    const struct xlate_action_info *info = &xlate_action_table[a->type];
    return info->needs_l3_of ? info->needs_l3_of(a) : info->needs_l3;
}

bool
xlate_needs_mpls(const struct ofpact *a)
{
    const struct xlate_action_info *info = &xlate_action_table[a->type];
    return info->needs_mpls_of ? info->needs_mpls_of(a) : info->needs_mpls;
}

/* Executes one action list ('ofpacts' of 'len' bytes) in order: an
 * apply-actions instruction, a bucket, or the ordered action set. */
void
xlate_actions(struct xlate_ctx *ctx, const struct ofpact *ofpacts, size_t len)
{
    const struct ofpact *end = ofpact_end(ofpacts, len);
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        const struct xlate_action_info *info = &xlate_action_table[a->type];

        if (ctx->exit || !xlate_work(ctx)) {
            return;
        }
        if ((ctx->l3_unknown && xlate_needs_l3(a))
            || (ctx->mpls_top_unknown && xlate_needs_mpls(a))) {
            size_t done = (const char *) a - (const char *) ofpacts;
            xlate_freeze(ctx, a, len - done, false);
            return;
        }
        ctx->touched |= info->changes_packet;
        if (info->xlate) {
            info->xlate(ctx, a, end);
        } else {
            /* Refused when the flow was added (validate.h). */
            xlate_trace(ctx, "%s: not supported, skipped",
                        ofpact_name(a->type));
        }
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
    const struct ofpact *slots[SLOT_NONE][3];
    const struct ofpact *a;

    ofpbuf_init(&ctx->action_set, 0);
    if (!set.size) {
        ofpbuf_uninit(&set);
        return;
    }
    memset(slots, 0, sizeof slots);
    ofpbuf_init(&ordered, set.size);
    OFPACT_FOR_EACH (a, set.data, set.size) {
        enum xlate_slot slot = xlate_slot_of(a);
        if (slot == SLOT_SET || slot == SLOT_NONE) {
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
    for (int slot = 0; slot < SLOT_NONE; slot++) {
        if (slot == SLOT_SET) {
            OFPACT_FOR_EACH (a, set.data, set.size) {
                if (xlate_slot_of(a) == SLOT_SET) {
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
    xlate_trace(ctx, "action set:");
    ctx->indent++;
    ctx->in_action_set = true;
    xlate_actions(ctx, ordered.data, ordered.size);
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
    xlate_actions(ctx, ofpacts, len);
    if (!has_goto && !ctx->exit) {
        execute_action_set(ctx);
    }
}

bool
xlate_work(struct xlate_ctx *ctx)
{
    if (++ctx->work <= XLATE_MAX_WORK) {
        return true;
    }
    if (!ctx->xout->over_limit) {
        xlate_trace(ctx, "more than %d actions and buckets: translation "
                    "stops, the packet is dropped", XLATE_MAX_WORK);
        ctx->xout->over_limit = true;
    }
    ctx->exit = true;
    return false;
}

void
xlate_table(struct xlate_ctx *ctx, uint8_t table_id)
{
    struct ofproto *ofproto = ctx->ofproto;

    if (table_id >= MVS_N_TABLES || ++ctx->depth > XLATE_MAX_DEPTH) {
        xlate_trace(ctx, "table %d: out of range, dropped", table_id);
        ctx->exit = true;
        return;
    }
    if (ctx->l3_unknown || ctx->mpls_top_unknown) {
        /* The lookup may match L3/L4 fields or the top entry: resume there
         * after a re-parse. */
        ctx->table_id = table_id;
        xlate_freeze(ctx, NULL, 0, true);
        return;
    }

    if (table_id == 0 && ofproto->fail_open) {
        xlate_trace(ctx, "fail-open: no controller, acting as a learning switch");
        xlate_output_normal(ctx);
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
        && ofproto->standalone
        && !connmgr_has_controllers_configured(ofproto->connmgr)) {
        xlate_trace(ctx, "table 0: no match: standalone, output:NORMAL");
        xlate_output_normal(ctx);
        return;
    }
    if (!rule) {
        xlate_trace(ctx, "table %d: no match: drop (no table-miss flow)",
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
        xlate_trace(ctx, "table %d: priority %d, cookie %#"PRIx64": %s",
              table_id, rule->cr.priority, ntohll(rule->cookie),
              ds_cstr(&s));
        ds_clear(&s);
        struct ofpact_format_params fp = { .s = &s };
        ofpacts_format(rule->ofpacts, rule->ofpacts_len, &fp);
        ofpext_text_from_carriers(&s);
        xlate_trace(ctx, "  instructions: %s", ds_cstr(&s));
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
        xlate_actions(&ctx, xin->ofpacts, xin->ofpacts_len);
    } else if (key->recirc_id) {
        const struct frozen *f = recirc_find(&ctx.ofproto->recirc,
                                             key->recirc_id);
        if (!f) {
            ofpbuf_uninit(&ctx.action_set);
            return ENOENT;
        }
        xlate_trace(&ctx, "resume after recirculation %#"PRIx32" in table %d",
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

    if (xout->over_limit) {
        /* Nothing of it runs: the same work would stop the same way for
         * every packet the mask covers. */
        xout->actions.size = 0;
        xout->recirculated = false;
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
