/*
 * nftc-txn.c: nftc's transactions (nftc.h, "Transactions").
 *
 * Operations are queued by identity (a later one on the same flow
 * replaces an earlier one).  nftc_txn_commit() then
 *
 *   1. plans: lowers each new flow of table 0 into its group and action
 *      chain (nftc.c's bookkeeping, creating them "pending" if new) and
 *      counts, per group and chain, the flows the transaction adds and
 *      removes, so it knows which objects appear and which die;
 *   2. frames one batch of just those changes (nftc-msg.c), in an order
 *      the kernel accepts: deleted elements, dead maps, new chains, new
 *      maps in priority order, new elements, dead chains;
 *   3. commits it (nftc-nl.c);
 *   4. settles: on success the state takes the plan, on failure the plan
 *      is undone and the state is as before.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kmod/nftc-private.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(nftc_txn);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

struct nftc_txn_op {
    struct hmap_node node;        /* In nftc->txn_ops, by identity. */
    struct ovs_list list_node;    /* In nftc->txn_list, in order. */
    bool add;
    bool was_add;                 /* A delete that cancelled an add. */
    struct nftc_rflow *flow;      /* Identity (and, if 'add', content). */
};

/* libopenvswitch leaves the padding after a set-field's value and mask
 * uninitialised; zero it so equal action lists are equal bytes. */
static void
ofpacts_zero_padding(struct ofpact *ofpacts, size_t len)
{
    struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPACT_SET_FIELD) {
            struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
            size_t n = sf->field->n_bytes;
            size_t pad = ROUND_UP(n, OFPACT_ALIGNTO) - n;
            memset((uint8_t *) sf->value + n, 0, pad);
            memset((uint8_t *) ofpact_set_field_mask(sf) + n, 0, pad);
        }
    }
}

void
nftc_txn_begin(struct nftc *nftc)
{
    nftc_txn_abort(nftc);
    nftc->txn_open = true;
}

size_t
nftc_txn_n_ops(const struct nftc *nftc)
{
    return hmap_count(&nftc->txn_ops);
}

/* Drops every queued operation. */
static void
txn_drop_ops(struct nftc *nftc)
{
    struct nftc_txn_op *op;

    LIST_FOR_EACH_POP (op, list_node, &nftc->txn_list) {
        hmap_remove(&nftc->txn_ops, &op->node);
        nftc_rflow_free(op->flow);
        free(op);
    }
}

void
nftc_txn_abort(struct nftc *nftc)
{
    txn_drop_ops(nftc);
    nftc->txn_open = false;
    nftc->txn_flush = false;
}

void
nftc_txn_flush(struct nftc *nftc)
{
    if (nftc->txn_open) {
        /* Whatever was queued concerned flows that go now. */
        txn_drop_ops(nftc);
        nftc->txn_flush = true;
    }
}

/* Maps with at least this many elements are deleted after the commit
 * that removed their rule (see nftc_reap()). */
#define NFTC_MAP_LATER_MIN 1024

void
nftc_reap(struct nftc *nftc)
{
    struct nftc_rflow *f;

    if (nftc->n_doomed && !nftc->txn_open) {
        /* Nothing uses them: their deletion changes no verdict, and if it
         * fails they are only clutter, gone with the table. */
        struct nftc_batch b;
        uint32_t genid;
        int error = nftc_nl_batch_start(nftc, &b, &genid);
        if (!error) {
            for (size_t i = 0; i < nftc->n_doomed; i++) {
                nftc_msg_map_del(nftc, &b, nftc->doomed_maps[i]);
            }
            error = nftc_nl_batch_commit(nftc, &b, genid, NULL);
            nftc_batch_uninit(&b);
        }
        if (error) {
            VLOG_WARN_RL(&rl, "%s: deleting %"PRIuSIZE" unused maps failed "
                         "(%s)", nftc->table, nftc->n_doomed,
                         ovs_strerror(error));
        }
        nftc->n_doomed = 0;
    }

    HMAP_FOR_EACH_SAFE (f, id_node, &nftc->graveyard) {
        nftc_rflow_free(f);
    }
    hmap_clear(&nftc->graveyard);
    hmap_shrink(&nftc->graveyard);
}

static struct nftc_txn_op *
txn_find(struct nftc *nftc, const struct nftc_rflow *key, uint32_t hash)
{
    struct nftc_txn_op *op;

    HMAP_FOR_EACH_WITH_HASH (op, node, hash, &nftc->txn_ops) {
        if (nftc_rflow_same_identity(op->flow, key)) {
            return op;
        }
    }
    return NULL;
}

/* Queues 'f' (taking ownership).  A later operation on the same identity
 * replaces an earlier one: add+add = the last add, add+del = del (or
 * nothing, if the flow did not exist before), del+add = add. */
static void
txn_queue(struct nftc *nftc, struct nftc_rflow *f, bool add)
{
    uint32_t hash = nftc_rflow_hash(f);
    struct nftc_txn_op *op = txn_find(nftc, f, hash);

    if (!op) {
        op = xzalloc(sizeof *op);
        hmap_insert(&nftc->txn_ops, &op->node, hash);
        ovs_list_push_back(&nftc->txn_list, &op->list_node);
    } else {
        nftc_rflow_free(op->flow);
        op->was_add = op->was_add || op->add;
    }
    op->add = add;
    op->flow = f;
}

int
nftc_txn_flow_add(struct nftc *nftc, const struct nftc_flow *flow)
{
    struct nftc_rflow *f;

    if (!nftc->txn_open) {
        return EINVAL;
    }
    f = nftc_rflow_new(flow->table_id, flow->priority, flow->match);
    f->cookie = flow->cookie;
    f->owner = flow->owner;
    f->ofpacts = xmemdup(flow->ofpacts, flow->ofpacts_len);
    /* Action lists are hashed and compared as bytes to share chains. */
    ofpacts_zero_padding(f->ofpacts, flow->ofpacts_len);
    f->ofpacts_len = flow->ofpacts_len;
    txn_queue(nftc, f, true);
    return 0;
}

int
nftc_txn_flow_del(struct nftc *nftc, uint8_t table_id, int priority,
                  const struct match *match)
{
    if (!nftc->txn_open) {
        return EINVAL;
    }
    txn_queue(nftc, nftc_rflow_new(table_id, priority, match), false);
    return 0;
}

static bool
actions_rewrite(const struct ofpact *ofpacts, size_t len)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type != OFPACT_OUTPUT) {
            return true;
        }
    }
    return false;
}

/* Puts group 'g' / action chain 'a' on the transaction's list, once. */
static void
group_join_txn(struct nftc_group *g, struct ovs_list *groups)
{
    if (!g->in_txn) {
        g->in_txn = true;
        ovs_list_init(&g->txn_adds);
        ovs_list_init(&g->txn_dels);
        ovs_list_push_back(groups, &g->txn_node);
    }
}

static void
actchain_join_txn(struct nftc_actchain *a, struct ovs_list *acts)
{
    if (!a->in_txn) {
        a->in_txn = true;
        ovs_list_push_back(acts, &a->txn_node);
    }
}

/* Lowers new flow 'f' for table 0: its key, group and action chain. */
static void
txn_lower(struct nftc *nftc, struct nftc_rflow *f, struct ovs_list *groups,
          struct ovs_list *acts)
{
    struct ds reason = DS_EMPTY_INITIALIZER;
    struct nftc_l3ctx l3;
    struct nftc_key key;
    struct match match;
    struct nftc_group *g;
    int error;

    minimatch_expand(&f->match, &match);
    error = nftc_match_lower(nftc, &match, &key, &reason);
    nftc_l3ctx_from_match(&match, &l3);
    if (!actions_rewrite(f->ofpacts, f->ofpacts_len)) {
        /* Only outputs lower the same whatever the packet's protocols
         * (rewrites and MPLS copies depend on them): let flows of
         * different protocols share the chain. */
        memset(&l3, 0, sizeof l3);
    }
    if (!error) {
        error = nftc_actions_check(nftc, f->ofpacts, f->ofpacts_len, &l3,
                                   &reason);
    }
    f->offloaded = !error;
    if (error) {
        VLOG_DBG("table %"PRIu8" priority %d stays in userspace: %s",
                 f->table_id, f->priority, ds_cstr(&reason));
    }
    ds_destroy(&reason);

    g = nftc_group_get(nftc, &key, f->priority);
    f->group = g;
    nftc_key_bytes(&key, f->key);
    f->key_hash = nftc_key_hash(f->key, g->key_len);
    group_join_txn(g, groups);
    g->delta++;
    ovs_list_push_back(&g->txn_adds, &f->txn_node);

    if (f->offloaded) {
        f->act = nftc_actchain_get(nftc, f->ofpacts, f->ofpacts_len, &l3);
        actchain_join_txn(f->act, acts);
        f->act->delta++;
    }
}

static void
txn_unlower(struct nftc_rflow *old, struct ovs_list *groups,
            struct ovs_list *acts)
{
    struct nftc_group *g = old->group;

    if (!g) {
        return;
    }
    group_join_txn(g, groups);
    g->delta--;
    ovs_list_push_back(&g->txn_dels, &old->txn_node);
    if (old->act) {
        actchain_join_txn(old->act, acts);
        old->act->delta--;
    }
}

static bool
group_dies(const struct nftc_group *g)
{
    return !g->pending && (long) hmap_count(&g->elems) + g->delta == 0;
}

static bool
actchain_dies(const struct nftc_actchain *a)
{
    return !a->pending && (long) a->n_refs + a->delta == 0;
}


/* The group whose rule new group 'g' goes right after: the nearest one of
 * higher or equal priority that survives the transaction, or NULL (then
 * 'g' goes first in "flows"). */
static const struct nftc_group *
group_after(const struct nftc *nftc, const struct nftc_group *g)
{
    const struct nftc_group *pos = g;

    while (pos->list_node.prev != &nftc->group_list) {
        pos = CONTAINER_OF(pos->list_node.prev, struct nftc_group,
                           list_node);
        if (!group_dies(pos)) {
            return pos;
        }
    }
    return NULL;
}

/* The element plan.
 *
 * Flows of one group with equal keys share one kernel element (see
 * nftc_rflow's 'in_kernel').  For each group in a transaction the plan
 * decides which element messages to frame: the elements to delete
 * ('dels', by emit_node) and to add ('adds'), marking the flows that own
 * an element after the commit ('will_own').  An element whose owner goes
 * passes to a flow that stays (new messages only if its verdict differs)
 * or else to a flow added with the same key; one that nobody has any more
 * is deleted; an added flow whose key already has an element adds
 * nothing. */
struct elem_plan {
    bool flush;                   /* One message deletes every element. */
    struct ovs_list dels, adds;
};

/* What the plans of one transaction share. */
struct elem_plans {
    struct elem_plan *by_group;   /* In the order of the groups list. */
    struct nftc_rflow **touched;  /* Staying flows marked will_own. */
    size_t n_touched, allocated_touched;
    struct hmap claimed;          /* Added flows that got an element, by
                                   * key_node: a new flow is in no group's
                                   * 'elems' before the settle (which
                                   * reuses the node). */
};

static bool
same_key(const struct nftc_group *g, const struct nftc_rflow *a,
         const struct nftc_rflow *b)
{
    return !memcmp(a->key, b->key, g->key_len);
}

/* A flow of 'g' that stays, with the key of 'f': the owner if one is,
 * else one with the verdict of 'f' (the element can stay as it is), else
 * any. */
static struct nftc_rflow *
staying_with_key(struct nftc_group *g, const struct nftc_rflow *f)
{
    struct nftc_rflow *s, *same = NULL, *found = NULL;

    HMAP_FOR_EACH_WITH_HASH (s, key_node, f->key_hash, &g->elems) {
        if (s != f && !s->dying && same_key(g, s, f)) {
            if (s->in_kernel) {
                return s;
            }
            if (s->act == f->act && !same) {
                same = s;
            }
            found = found ? found : s;
        }
    }
    return same ? same : found;
}

static bool
key_claimed(const struct elem_plans *ps, const struct nftc_group *g,
            const struct nftc_rflow *f)
{
    const struct nftc_rflow *c;

    HMAP_FOR_EACH_WITH_HASH (c, key_node, f->key_hash, &ps->claimed) {
        if (c->group == g && same_key(g, c, f)) {
            return true;
        }
    }
    return false;
}

static void
plan_add(struct elem_plans *ps, struct elem_plan *plan, struct nftc_rflow *f)
{
    hmap_insert(&ps->claimed, &f->key_node, f->key_hash);
    f->will_own = true;
    ovs_list_push_back(&plan->adds, &f->emit_node);
}

static void
plan_touch(struct elem_plans *ps, struct nftc_rflow *s)
{
    if (ps->n_touched >= ps->allocated_touched) {
        ps->touched = x2nrealloc(ps->touched, &ps->allocated_touched,
                                 sizeof *ps->touched);
    }
    ps->touched[ps->n_touched++] = s;
    s->will_own = true;
}

static void
plan_group(struct elem_plans *ps, struct elem_plan *plan,
           struct nftc_group *g)
{
    struct nftc_rflow *f;

    ovs_list_init(&plan->dels);
    ovs_list_init(&plan->adds);
    plan->flush = false;
    if (g->flushed) {
        /* Every element goes; the map stays for flows added after the
         * flush, if there are any.  Nobody stays to share a key with. */
        if (!group_dies(g)) {
            plan->flush = true;
            LIST_FOR_EACH (f, txn_node, &g->txn_adds) {
                if (!key_claimed(ps, g, f)) {
                    plan_add(ps, plan, f);
                }
            }
        }
        return;
    }
    LIST_FOR_EACH (f, txn_node, &g->txn_dels) {
        f->dying = true;
    }
    if (group_dies(g)) {
        /* Its map goes, and its elements with it: no message for each
         * (a delete of every flow is a handful of messages, not one
         * element per flow). */
        return;
    }
    /* Elements whose owner goes. */
    LIST_FOR_EACH (f, txn_node, &g->txn_dels) {
        if (!f->in_kernel) {
            continue;
        }
        struct nftc_rflow *s = staying_with_key(g, f);
        if (s && (s->in_kernel || s->will_own)) {
            continue;
        } else if (s) {
            plan_touch(ps, s);
            if (s->act == f->act) {
                continue;       /* The same verdict: nothing to send. */
            }
            ovs_list_push_back(&plan->adds, &s->emit_node);
        }
        ovs_list_push_back(&plan->dels, &f->emit_node);
    }
    /* Added flows: an element of their own unless their key has one. */
    LIST_FOR_EACH (f, txn_node, &g->txn_adds) {
        struct nftc_rflow *s = staying_with_key(g, f);
        if (!(s && (s->in_kernel || s->will_own))
            && !key_claimed(ps, g, f)) {
            plan_add(ps, plan, f);
        }
    }
}

static void
plans_make(struct elem_plans *ps, struct ovs_list *groups)
{
    struct nftc_group *g;
    size_t i = 0;

    ps->by_group = xmalloc(MAX(ovs_list_size(groups), 1)
                           * sizeof *ps->by_group);
    ps->touched = NULL;
    ps->n_touched = ps->allocated_touched = 0;
    hmap_init(&ps->claimed);
    LIST_FOR_EACH (g, txn_node, groups) {
        plan_group(ps, &ps->by_group[i++], g);
    }
}

/* The marks become the state if the commit went through ('ok'), and are
 * forgotten either way. */
static void
plans_finish(struct elem_plans *ps, struct ovs_list *groups, bool ok)
{
    struct nftc_group *g;
    struct nftc_rflow *f;

    LIST_FOR_EACH (g, txn_node, groups) {
        LIST_FOR_EACH (f, txn_node, &g->txn_adds) {
            if (ok) {
                f->in_kernel = f->will_own;
            }
            f->will_own = false;
        }
        LIST_FOR_EACH (f, txn_node, &g->txn_dels) {
            f->dying = f->will_own = false;
        }
    }
    for (size_t i = 0; i < ps->n_touched; i++) {
        f = ps->touched[i];
        f->in_kernel |= ok;
        f->will_own = false;
    }
    free(ps->touched);
    free(ps->by_group);
    hmap_destroy(&ps->claimed);     /* The flows' nodes are reused. */
}

/* Applies a committed plan to the state, or undoes it ('ok' false). */
static void
txn_settle(struct nftc *nftc, struct ovs_list *groups, struct ovs_list *acts,
           bool ok)
{
    struct nftc_group *g;
    struct nftc_actchain *a;

    if (ok && nftc->txn_flush) {
        /* Every flow that was goes, without a look at each: they are freed
         * later (nftc_reap()), and so are their references. */
        ovs_assert(hmap_is_empty(&nftc->graveyard));
        hmap_swap(&nftc->flows, &nftc->graveyard);
        HMAP_FOR_EACH (a, node, &nftc->actchains) {
            a->n_refs = 0;
        }
    }
    LIST_FOR_EACH_POP (g, txn_node, groups) {
        struct nftc_rflow *f;

        if (ok && g->flushed) {
            hmap_clear(&g->elems);
        }
        g->flushed = false;

        LIST_FOR_EACH_POP (f, txn_node, &g->txn_dels) {
            if (ok) {
                hmap_remove(&g->elems, &f->key_node);
                hmap_remove(&nftc->flows, &f->id_node);
                if (f->act) {
                    f->act->n_refs--;
                }
                nftc_rflow_free(f);
            }
        }
        LIST_FOR_EACH_POP (f, txn_node, &g->txn_adds) {
            if (ok) {
                hmap_insert(&g->elems, &f->key_node, f->key_hash);
                hmap_insert(&nftc->flows, &f->id_node, nftc_rflow_hash(f));
                if (f->act) {
                    f->act->n_refs++;
                }
            } else {
                nftc_rflow_free(f);
            }
        }
        if (ok && g->map_later && !hmap_count(&g->elems)) {
            if (nftc->n_doomed >= nftc->allocated_doomed) {
                nftc->doomed_maps = x2nrealloc(nftc->doomed_maps,
                                               &nftc->allocated_doomed,
                                               sizeof *nftc->doomed_maps);
            }
            nftc->doomed_maps[nftc->n_doomed++] = g->id;
        }
        g->map_later = false;
        g->in_txn = false;
        g->delta = 0;
        if (g->pending && nftc->offline && ok) {
            g->handle = nftc->next_fake_handle++;
        }
        if ((g->pending && !ok) || (ok && !hmap_count(&g->elems))) {
            nftc_group_free(nftc, g);
        } else {
            g->pending = false;
        }
    }
    LIST_FOR_EACH_POP (a, txn_node, acts) {
        a->in_txn = false;
        a->delta = 0;
        if ((a->pending && !ok) || (ok && !a->n_refs)) {
            /* What it counted stays in table 0's totals. */
            nftc->retired_packets += a->packets;
            nftc->retired_bytes += a->bytes;
            nftc_actchain_free(nftc, a);
        } else {
            a->pending = false;
        }
    }
}

/* Most action chains read one by one before they go; more than this, and
 * one dump of all of them. */
#define NFTC_READ_CHAINS_EACH_MAX 8

/* Reads the counters of the action chains on 'acts' that the plan deletes,
 * so that what they counted survives them. */
static void
read_dying_actchains(struct nftc *nftc, struct ovs_list *acts)
{
    struct nftc_actchain *a;
    size_t n = 0;
    int error = 0;

    LIST_FOR_EACH (a, txn_node, acts) {
        n += actchain_dies(a);
    }
    if (n > NFTC_READ_CHAINS_EACH_MAX) {
        error = nftc_nl_read_actchains(nftc, NULL);
    } else if (n) {
        LIST_FOR_EACH (a, txn_node, acts) {
            if (actchain_dies(a) && !error) {
                error = nftc_nl_read_actchains(nftc, a);
            }
        }
    }
    if (error) {
        VLOG_WARN_RL(&rl, "%s: reading the counters of action chains about "
                     "to go failed (%s): table 0's totals miss what they "
                     "counted since the last read", nftc->table,
                     ovs_strerror(error));
    }
}

/* Takes lowered new flows away from their ops: txn_settle() either
 * moves them into the state or frees them. */
static void
txn_detach_lowered(struct nftc *nftc)
{
    struct nftc_txn_op *op;

    LIST_FOR_EACH (op, list_node, &nftc->txn_list) {
        if (op->add && op->flow && op->flow->group) {
            op->flow = NULL;
        }
    }
}

int
nftc_txn_commit(struct nftc *nftc)
{
    struct ovs_list groups = OVS_LIST_INITIALIZER(&groups);
    struct ovs_list acts = OVS_LIST_INITIALIZER(&acts);
    struct ovs_list others_old = OVS_LIST_INITIALIZER(&others_old);
    struct ovs_list others_new = OVS_LIST_INITIALIZER(&others_new);
    struct nftc_txn_op *op;
    struct nftc_group *g;
    struct nftc_actchain *a;
    struct nftc_rflow *f;
    struct nftc_batch b;
    uint32_t genid;
    bool lowered_changes = false;
    int error = 0;

    if (!nftc->txn_open) {
        return EINVAL;
    }

    /* Plan.  Flows of other tables are only remembered ('others_*').  A
     * flush takes every group and chain whole, with no look at any flow:
     * a map dies unless flows added after the flush revive it, and then
     * loses all its elements in one message. */
    if (nftc->txn_flush) {
        if (!hmap_is_empty(&nftc->graveyard)) {
            nftc_reap(nftc);
        }
        HMAP_FOR_EACH (g, node, &nftc->groups) {
            group_join_txn(g, &groups);
            g->flushed = true;
            g->delta = -(long) hmap_count(&g->elems);
            lowered_changes = true;
        }
        HMAP_FOR_EACH (a, node, &nftc->actchains) {
            actchain_join_txn(a, &acts);
            a->delta = -(long) a->n_refs;
        }
    }
    LIST_FOR_EACH (op, list_node, &nftc->txn_list) {
        struct nftc_rflow *old = (nftc->txn_flush ? NULL
                                  : nftc_rflow_find(nftc, op->flow));

        if (!op->add && !old) {
            if (op->was_add || nftc->txn_flush) {
                continue;       /* Added and deleted within the bundle. */
            }
            error = ENOENT;
            break;
        }
        if (old) {
            if (old->group) {
                txn_unlower(old, &groups, &acts);
                lowered_changes = true;
            } else {
                ovs_list_push_back(&others_old, &old->txn_node);
            }
        }
        if (op->add) {
            if (op->flow->table_id == 0) {
                txn_lower(nftc, op->flow, &groups, &acts);
                lowered_changes = true;
            } else {
                ovs_list_push_back(&others_new, &op->flow->txn_node);
            }
        }
    }

    /* Which elements change. */
    struct elem_plans plans;
    plans_make(&plans, &groups);

    /* Frame and send. */
    if (!error && lowered_changes) {
        read_dying_actchains(nftc, &acts);
        error = nftc_nl_batch_start(nftc, &b, &genid);
        if (!error) {
            size_t k = 0;
            LIST_FOR_EACH (g, txn_node, &groups) {
                struct elem_plan *plan = &plans.by_group[k++];
                if (plan->flush) {
                    nftc_msg_elems_flush(nftc, &b, g);
                } else if (!ovs_list_is_empty(&plan->dels)) {
                    nftc_msg_elems(nftc, &b, g, &plan->dels, false);
                }
            }
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (group_dies(g)) {
                    /* A big map's deletion walks all its elements: the
                     * commit only unhooks it, a batch after the answer
                     * deletes it. */
                    g->map_later = (hmap_count(&g->elems)
                                    >= NFTC_MAP_LATER_MIN);
                    nftc_msg_group_del(nftc, &b, g);
                }
            }
            LIST_FOR_EACH (a, txn_node, &acts) {
                if (a->pending) {
                    nftc_msg_actchain(nftc, &b, a);
                }
            }
            /* In priority order, so a new rule's predecessor is either
             * committed (handle) or already framed (rule id). */
            LIST_FOR_EACH (g, list_node, &nftc->group_list) {
                if (g->pending) {
                    nftc_msg_group(nftc, &b, g, group_after(nftc, g));
                }
            }
            k = 0;
            LIST_FOR_EACH (g, txn_node, &groups) {
                struct elem_plan *plan = &plans.by_group[k++];
                if (!ovs_list_is_empty(&plan->adds)) {
                    nftc_msg_elems(nftc, &b, g, &plan->adds, true);
                }
            }
            LIST_FOR_EACH (a, txn_node, &acts) {
                if (actchain_dies(a)) {
                    nftc_msg_actchain_del(nftc, &b, a);
                }
            }
            error = nftc_nl_batch_commit(nftc, &b, genid, &groups);
            nftc_batch_uninit(&b);
        }
        if (!error) {
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (g->pending && !g->handle && !nftc->offline) {
                    VLOG_WARN_RL(&rl, "%s: no handle echoed for m%"PRIu32,
                                 nftc->table, g->id);
                }
            }
        }
    }

    /* Settle: the state follows the kernel. */
    plans_finish(&plans, &groups, !error);
    txn_detach_lowered(nftc);
    txn_settle(nftc, &groups, &acts, !error);
    if (!error) {
        LIST_FOR_EACH_POP (f, txn_node, &others_old) {
            hmap_remove(&nftc->flows, &f->id_node);
            nftc_rflow_free(f);
        }
        LIST_FOR_EACH (op, list_node, &nftc->txn_list) {
            if (op->add && op->flow) {
                hmap_insert(&nftc->flows, &op->flow->id_node,
                            nftc_rflow_hash(op->flow));
                op->flow = NULL;
            }
        }
    } else {
        VLOG_WARN_RL(&rl, "%s: commit failed: %s", nftc->table,
                     ovs_strerror(error));
    }
    nftc_txn_abort(nftc);
    return error;
}

