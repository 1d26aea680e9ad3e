/* ofproto-mpls/group.c: the group table. */
#include <config.h>
#include "ofproto-mpls/group.h"

#include <limits.h>
#include <string.h>

#include "datapath/dp-port.h"
#include "flow.h"
#include "hash.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/oftable.h"
#include "ofproto-mpls/revalidate.h"
#include "ofproto-mpls/ofport.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(group);

/* Chains of groups deeper than this are refused (and never followed). */
#define GROUP_MAX_DEPTH 16

/* Most groups one bridge keeps. */
#define GROUP_MAX 65536

static uint32_t
group_hash(uint32_t group_id)
{
    return hash_int(group_id, 0);
}

struct group *
group_find(const struct ofproto *p, uint32_t group_id)
{
    struct group *g;
    HMAP_FOR_EACH_WITH_HASH (g, node, group_hash(group_id), &p->groups) {
        if (g->group_id == group_id) {
            return g;
        }
    }
    return NULL;
}

static void
group_free(struct group *g)
{
    ofputil_bucket_list_destroy(&g->buckets);
    ofputil_group_properties_destroy(&g->props);
    free(g->bucket_stats);
    free(g);
}

void
group_table_destroy(struct ofproto *p)
{
    struct group *g;
    HMAP_FOR_EACH_POP (g, node, &p->groups) {
        group_free(g);
    }
    hmap_destroy(&p->groups);
}

/* Transactions (bundle commits).
 *
 * While one is open, every group-mod logs how to undo it: an added group
 * is removed, a modified one gets its buckets, type, properties and
 * counters back, a deleted one is kept aside and reinserted.  Group
 * pointers stay what they were, so translation's view is consistent
 * again once the datapath cache is flushed. */
enum group_undo_kind {
    GU_ADDED,
    GU_MODIFIED,
    GU_DELETED,
};

struct group_undo {
    struct ovs_list node;       /* In ofproto's 'group_undo'. */
    enum group_undo_kind kind;
    struct group *g;            /* The group (GU_DELETED: out of the
                                 * table). */
    struct group *saved;        /* GU_MODIFIED: what it was. */
};

static void
group_undo_log(struct ofproto *p, enum group_undo_kind kind,
               struct group *g, struct group *saved)
{
    if (p->group_txn) {
        struct group_undo *u = xmalloc(sizeof *u);
        u->kind = kind;
        u->g = g;
        u->saved = saved;
        ovs_list_push_back(&p->group_undo, &u->node);
    }
}

/* Moves what a modify replaces out of 'g' into a new struct. */
static struct group *
group_save(struct group *g)
{
    struct group *saved = xmemdup(g, sizeof *g);
    ovs_list_init(&saved->buckets);
    ovs_list_splice(&saved->buckets, g->buckets.next, &g->buckets);
    ovs_list_init(&g->buckets);
    g->bucket_stats = NULL;
    g->n_buckets = 0;
    memset(&g->props, 0, sizeof g->props);
    return saved;
}

void
group_txn_begin(struct ofproto *p)
{
    ovs_assert(!p->group_txn);
    p->group_txn = true;
    ovs_list_init(&p->group_undo);
}

void
group_txn_commit(struct ofproto *p)
{
    struct group_undo *u;
    LIST_FOR_EACH_POP (u, node, &p->group_undo) {
        if (u->kind == GU_DELETED) {
            group_free(u->g);
        } else if (u->kind == GU_MODIFIED) {
            group_free(u->saved);
        }
        free(u);
    }
    p->group_txn = false;
}

void
group_txn_abort(struct ofproto *p)
{
    struct group_undo *u;
    bool changed = false;

    while (!ovs_list_is_empty(&p->group_undo)) {
        u = CONTAINER_OF(ovs_list_pop_back(&p->group_undo),
                         struct group_undo, node);
        struct group *g = u->g;
        changed = true;
        switch (u->kind) {
        case GU_ADDED:
            hmap_remove(&p->groups, &g->node);
            group_free(g);
            break;
        case GU_MODIFIED:
            ofputil_bucket_list_destroy(&g->buckets);
            ofputil_group_properties_destroy(&g->props);
            free(g->bucket_stats);
            ovs_list_init(&g->buckets);
            ovs_list_splice(&g->buckets, u->saved->buckets.next,
                            &u->saved->buckets);
            g->type = u->saved->type;
            g->n_buckets = u->saved->n_buckets;
            g->bucket_stats = u->saved->bucket_stats;
            g->props = u->saved->props;
            g->packet_count = u->saved->packet_count;
            g->byte_count = u->saved->byte_count;
            free(u->saved);
            break;
        case GU_DELETED:
            hmap_insert(&p->groups, &g->node, group_hash(g->group_id));
            break;
        }
        free(u);
    }
    p->group_txn = false;
    if (changed) {
        revalidate_flush(p);
    }
}

static bool
port_is_live(const struct ofproto *p, ofp_port_t port_no)
{
    const struct ofport *port = ofport_find(p, port_no);
    return (port && port->dp_port->carrier && port->dp_port->admin_up
            && !port->dp_port->gone
            && !(port->config & OFPUTIL_PC_PORT_DOWN));
}

/* Liveness follows watch groups, which may watch each other: one answer
 * visits at most this many buckets, and a group whose answer would take
 * more is taken for dead. */
#define GROUP_LIVENESS_BUDGET 1024

static bool group_is_live__(const struct ofproto *, const struct group *,
                            int depth, int *budget);

static bool
bucket_is_live__(const struct ofproto *p, const struct ofputil_bucket *b,
                 int depth, int *budget)
{
    if (--*budget < 0) {
        return false;
    }
    if (b->watch_port != OFPP_ANY && !port_is_live(p, b->watch_port)) {
        return false;
    }
    if (b->watch_group != OFPG_ANY) {
        const struct group *g = group_find(p, b->watch_group);
        if (!g || depth >= GROUP_MAX_DEPTH
            || !group_is_live__(p, g, depth + 1, budget)) {
            return false;
        }
    }
    return true;
}

static bool
group_is_live__(const struct ofproto *p, const struct group *g, int depth,
                int *budget)
{
    const struct ofputil_bucket *b;
    LIST_FOR_EACH (b, list_node, &g->buckets) {
        if (bucket_is_live__(p, b, depth, budget)) {
            return true;
        }
    }
    return false;
}

bool
group_bucket_is_live(const struct ofproto *p, const struct ofputil_bucket *b)
{
    int budget = GROUP_LIVENESS_BUDGET;
    return bucket_is_live__(p, b, 0, &budget);
}

bool
group_is_live(const struct ofproto *p, const struct group *g)
{
    int budget = GROUP_LIVENESS_BUDGET;
    return group_is_live__(p, g, 0, &budget);
}

/* The chaining check.
 *
 * Groups chained by output:group form a graph that every group-mod keeps
 * acyclic and at most GROUP_MAX_DEPTH groups deep (translation drops a
 * packet at the next group).  A group-mod on 'target' with new buckets
 * changes only the chains through 'target', so the check measures the
 * longest chain of groups above it (groups that reach it) and below it
 * (through its new buckets), visiting every group at most once each way:
 * linear in groups and buckets, however many paths they form. */
struct chain_walk {
    const struct ofproto *p;
    uint32_t target;
    const struct ovs_list *target_buckets;
    struct hmap memo;           /* Of struct chain_memo. */
};

struct chain_memo {
    struct hmap_node node;
    uint32_t group_id;
    int value;                  /* CHAIN_VISITING while on the path. */
};

#define CHAIN_VISITING INT_MIN
#define CHAIN_LOOP (-1)         /* Reaches 'target' from below: a loop. */

static struct chain_memo *
chain_memo_find(struct chain_walk *w, uint32_t group_id)
{
    struct chain_memo *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash_int(group_id, 0), &w->memo) {
        if (m->group_id == group_id) {
            return m;
        }
    }
    return NULL;
}

static struct chain_memo *
chain_memo_add(struct chain_walk *w, uint32_t group_id)
{
    struct chain_memo *m = xmalloc(sizeof *m);
    m->group_id = group_id;
    m->value = CHAIN_VISITING;
    hmap_insert(&w->memo, &m->node, hash_int(group_id, 0));
    return m;
}

static void
chain_walk_reset(struct chain_walk *w)
{
    struct chain_memo *m;
    HMAP_FOR_EACH_POP (m, node, &w->memo) {
        free(m);
    }
}

/* The most groups on a chain starting at group 'group_id' (itself
 * included), 'depth' groups down from 'target'; CHAIN_LOOP if it reaches
 * 'target' again.  Past GROUP_MAX_DEPTH the answer is only "too deep". */
static int
chain_below(struct chain_walk *w, uint32_t group_id,
            const struct ovs_list *buckets, int depth)
{
    struct chain_memo *m = NULL;

    if (depth > 0) {
        if (group_id == w->target) {
            return CHAIN_LOOP;
        }
        m = chain_memo_find(w, group_id);
        if (m) {
            /* On the path: a loop among the others, which the invariant
             * excludes; count it as one. */
            return m->value == CHAIN_VISITING ? CHAIN_LOOP : m->value;
        }
        const struct group *g = group_find(w->p, group_id);
        if (!g) {
            return 1;
        }
        buckets = &g->buckets;
        m = chain_memo_add(w, group_id);
    }
    int most = 0;
    if (depth <= GROUP_MAX_DEPTH) {
        const struct ofputil_bucket *b;
        LIST_FOR_EACH (b, list_node, buckets) {
            const struct ofpact *a;
            OFPACT_FOR_EACH (a, b->ofpacts, b->ofpacts_len) {
                if (a->type == OFPACT_GROUP) {
                    int d = chain_below(w, ofpact_get_GROUP(a)->group_id,
                                        NULL, depth + 1);
                    if (d == CHAIN_LOOP) {
                        if (m) {
                            m->value = CHAIN_LOOP;
                        }
                        return CHAIN_LOOP;
                    }
                    most = MAX(most, d);
                }
            }
        }
    } else {
        most = GROUP_MAX_DEPTH;     /* Too deep already. */
    }
    if (m) {
        m->value = most + 1;
    }
    return most + 1;
}

/* The most groups on a chain from group 'g' down to 'target', 'target'
 * excluded; 0 if 'g' does not reach it. */
static int
chain_above(struct chain_walk *w, const struct group *g, int depth)
{
    struct chain_memo *m = chain_memo_find(w, g->group_id);
    if (m) {
        return m->value == CHAIN_VISITING ? 0 : m->value;
    }
    m = chain_memo_add(w, g->group_id);
    int most = 0;
    if (depth <= GROUP_MAX_DEPTH) {
        const struct ofputil_bucket *b;
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            const struct ofpact *a;
            OFPACT_FOR_EACH (a, b->ofpacts, b->ofpacts_len) {
                if (a->type != OFPACT_GROUP) {
                    continue;
                }
                uint32_t next = ofpact_get_GROUP(a)->group_id;
                const struct group *n = group_find(w->p, next);
                int d = (next == w->target ? 1
                         : n ? chain_above(w, n, depth + 1) : 0);
                if (d) {
                    most = MAX(most, next == w->target ? 1 : d + 1);
                }
            }
        }
    } else {
        most = GROUP_MAX_DEPTH;
    }
    m->value = most;
    return most;
}

/* Would 'group_id' with 'buckets' reach itself through output:group
 * actions, or make a chain longer than GROUP_MAX_DEPTH groups? */
static bool
group_loops(const struct ofproto *p, uint32_t group_id,
            const struct ovs_list *buckets)
{
    struct chain_walk w = {
        .p = p,
        .target = group_id,
        .target_buckets = buckets,
        .memo = HMAP_INITIALIZER(&w.memo),
    };
    int below = chain_below(&w, group_id, buckets, 0);
    int above = 0;
    if (below != CHAIN_LOOP) {
        chain_walk_reset(&w);
        const struct group *g;
        HMAP_FOR_EACH (g, node, &p->groups) {
            if (g->group_id != group_id) {
                above = MAX(above, chain_above(&w, g, 0));
            }
        }
    }
    chain_walk_reset(&w);
    hmap_destroy(&w.memo);
    return below == CHAIN_LOOP || above + below > GROUP_MAX_DEPTH;
}

static enum ofperr
check_buckets(struct ofproto *p, const struct ofputil_group_mod *gm)
{
    const struct ofputil_bucket *b;
    size_t n = 0;

    LIST_FOR_EACH (b, list_node, &gm->buckets) {
        n++;
        if (gm->type == OFPGT11_FF) {
            if (b->watch_port == OFPP_ANY && b->watch_group == OFPG_ANY) {
                return OFPERR_OFPGMFC_BAD_WATCH;
            }
            if (b->watch_port != OFPP_ANY
                && ofp_to_u16(b->watch_port) >= ofp_to_u16(OFPP_MAX)) {
                return OFPERR_OFPGMFC_BAD_WATCH;
            }
            if (b->watch_group != OFPG_ANY
                && (b->watch_group > OFPG_MAX
                    || b->watch_group == gm->group_id)) {
                return OFPERR_OFPGMFC_BAD_WATCH;
            }
        } else if (gm->type != OFPGT11_SELECT && b->weight > 1) {
            return OFPERR_OFPGMFC_WEIGHT_UNSUPPORTED;
        }
        const struct ofpact *a;
        OFPACT_FOR_EACH (a, b->ofpacts, b->ofpacts_len) {
            if (a->type == OFPACT_GROUP
                && !group_find(p, ofpact_get_GROUP(a)->group_id)) {
                return OFPERR_OFPGMFC_CHAINING_UNSUPPORTED;
            }
        }
    }
    if (gm->type == OFPGT11_INDIRECT && n != 1) {
        return OFPERR_OFPGMFC_INVALID_GROUP;
    }
    if (group_loops(p, gm->group_id, &gm->buckets)) {
        return OFPERR_OFPGMFC_LOOP;
    }
    return 0;
}

static void
group_set_buckets(struct group *g, struct ofputil_group_mod *gm)
{
    ofputil_bucket_list_destroy(&g->buckets);
    ovs_list_init(&g->buckets);
    ovs_list_splice(&g->buckets, gm->buckets.next, &gm->buckets);
    ovs_list_init(&gm->buckets);
    g->n_buckets = ovs_list_size(&g->buckets);
    free(g->bucket_stats);
    g->bucket_stats = xcalloc(g->n_buckets ? g->n_buckets : 1,
                              sizeof *g->bucket_stats);
    g->type = gm->type;
    ofputil_group_properties_destroy(&g->props);
    ofputil_group_properties_copy(&g->props, &gm->props);
}

/* Is 'group_id' the target of a bucket of another group? */
static bool
group_is_chained_to(const struct ofproto *p, uint32_t group_id)
{
    const struct group *g;
    HMAP_FOR_EACH (g, node, &p->groups) {
        const struct ofputil_bucket *b;
        LIST_FOR_EACH (b, list_node, &g->buckets) {
            if (g->group_id != group_id
                && (ofpacts_output_to_group(b->ofpacts, b->ofpacts_len,
                                            group_id)
                    || b->watch_group == group_id)) {
                return true;
            }
        }
    }
    return false;
}

static enum ofperr
group_delete(struct ofproto *p, uint32_t group_id)
{
    if (group_id == OFPG_ALL) {
        revalidate_flush(p);
        struct group *g;
        HMAP_FOR_EACH_SAFE (g, node, &p->groups) {
            oftable_delete_flows_to_group(p, g->group_id);
            hmap_remove(&p->groups, &g->node);
            if (p->group_txn) {
                group_undo_log(p, GU_DELETED, g, NULL);
            } else {
                group_free(g);
            }
        }
        return 0;
    }
    struct group *g = group_find(p, group_id);
    if (!g) {
        /* OpenFlow 1.3.5: deleting a group that does not exist is not an
         * error. */
        return 0;
    }
    if (group_is_chained_to(p, group_id)) {
        return OFPERR_OFPGMFC_CHAINED_GROUP;
    }
    revalidate_flush(p);
    oftable_delete_flows_to_group(p, group_id);
    hmap_remove(&p->groups, &g->node);
    if (p->group_txn) {
        group_undo_log(p, GU_DELETED, g, NULL);
    } else {
        group_free(g);
    }
    return 0;
}

enum ofperr
group_mod(struct ofproto *p, struct ofputil_group_mod *gm)
{
    enum ofperr error = 0;

    if (gm->command != OFPGC11_DELETE
        && (gm->group_id > OFPG_MAX)) {
        error = OFPERR_OFPGMFC_INVALID_GROUP;
        goto exit;
    }
    if (gm->command != OFPGC11_DELETE
        && gm->type != OFPGT11_ALL && gm->type != OFPGT11_SELECT
        && gm->type != OFPGT11_INDIRECT && gm->type != OFPGT11_FF) {
        error = OFPERR_OFPGMFC_BAD_TYPE;
        goto exit;
    }

    struct group *g;
    switch (gm->command) {
    case OFPGC11_ADD:
        if (group_find(p, gm->group_id)) {
            error = OFPERR_OFPGMFC_GROUP_EXISTS;
            break;
        }
        if (hmap_count(&p->groups) >= GROUP_MAX) {
            error = OFPERR_OFPGMFC_OUT_OF_GROUPS;
            break;
        }
        error = check_buckets(p, gm);
        if (error) {
            break;
        }
        g = xzalloc(sizeof *g);
        g->group_id = gm->group_id;
        g->created = time_msec();
        ovs_list_init(&g->buckets);
        group_set_buckets(g, gm);
        hmap_insert(&p->groups, &g->node, group_hash(g->group_id));
        group_undo_log(p, GU_ADDED, g, NULL);
        break;

    case OFPGC11_MODIFY:
        g = group_find(p, gm->group_id);
        if (!g) {
            error = OFPERR_OFPGMFC_UNKNOWN_GROUP;
            break;
        }
        error = check_buckets(p, gm);
        if (error) {
            break;
        }
        revalidate_flush(p);
        if (p->group_txn) {
            group_undo_log(p, GU_MODIFIED, g, group_save(g));
        }
        group_set_buckets(g, gm);
        break;

    case OFPGC11_DELETE:
        error = group_delete(p, gm->group_id);
        break;

    default:
        error = OFPERR_OFPGMFC_BAD_COMMAND;
        break;
    }

exit:
    return error;
}

/* Statistics. */

static uint32_t
group_ref_count(const struct ofproto *p, uint32_t group_id)
{
    uint32_t n = 0;
    for (int t = 0; t < MVS_N_TABLES; t++) {
        const struct rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            if (ofpacts_output_to_group(rule->ofpacts, rule->ofpacts_len,
                                        group_id)) {
                n++;
            }
        }
    }
    return n;
}

static void
append_group_stats(const struct ofproto *p, const struct group *g,
                   struct ovs_list *replies)
{
    long long int age = time_msec() - g->created;
    struct ofputil_group_stats gs = {
        .group_id = g->group_id,
        .ref_count = group_ref_count(p, g->group_id),
        .packet_count = g->packet_count,
        .byte_count = g->byte_count,
        .duration_sec = age / 1000,
        .duration_nsec = (age % 1000) * 1000000,
        .n_buckets = g->n_buckets,
        .bucket_stats = g->bucket_stats,
    };
    ofputil_append_group_stats(replies, &gs);
}

enum ofperr
group_handle_stats_request(struct ofproto *p, struct ofconn *ofconn,
                           const struct ofp_header *oh)
{
    uint32_t group_id;
    enum ofperr error = ofputil_decode_group_stats_request(oh, &group_id);
    if (error) {
        return error;
    }
    datapath_push_stats(p->dp);

    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    if (group_id == OFPG_ALL) {
        const struct group *g;
        HMAP_FOR_EACH (g, node, &p->groups) {
            append_group_stats(p, g, &replies);
        }
    } else {
        const struct group *g = group_find(p, group_id);
        if (g) {
            append_group_stats(p, g, &replies);
        }
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

enum ofperr
group_handle_desc_request(struct ofproto *p, struct ofconn *ofconn,
                          const struct ofp_header *oh)
{
    uint32_t group_id = ofputil_decode_group_desc_request(oh);
    struct ovs_list replies;
    const struct group *g;

    ofpmp_init(&replies, oh);
    HMAP_FOR_EACH (g, node, &p->groups) {
        if (group_id != OFPG_ALL && g->group_id != group_id) {
            continue;
        }
        struct ofputil_group_desc gd = {
            .type = g->type,
            .group_id = g->group_id,
            .props = g->props,
        };
        ofputil_append_group_desc_reply(&gd, &g->buckets, &replies);
    }
    struct ofpbuf *reply;
    LIST_FOR_EACH (reply, list_node, &replies) {
        ofpext_msg_from_carriers(reply);
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

enum ofperr
group_handle_features_request(struct ofconn *ofconn,
                              const struct ofp_header *oh)
{
    struct ofputil_group_features gf;
    uint64_t ofpacts = 0;

    memset(&gf, 0, sizeof gf);
    gf.types = ((1u << OFPGT11_ALL) | (1u << OFPGT11_SELECT)
                | (1u << OFPGT11_INDIRECT) | (1u << OFPGT11_FF));
    gf.capabilities = (OFPGFC_SELECT_WEIGHT | OFPGFC_SELECT_LIVENESS
                       | OFPGFC_CHAINING | OFPGFC_CHAINING_CHECKS);
    ofpacts = ((UINT64_C(1) << OFPACT_OUTPUT) | (UINT64_C(1) << OFPACT_GROUP)
               | (UINT64_C(1) << OFPACT_SET_FIELD)
               | (UINT64_C(1) << OFPACT_PUSH_VLAN)
               | (UINT64_C(1) << OFPACT_STRIP_VLAN)
               | (UINT64_C(1) << OFPACT_PUSH_MPLS)
               | (UINT64_C(1) << OFPACT_POP_MPLS)
               | (UINT64_C(1) << OFPACT_SET_MPLS_TTL)
               | (UINT64_C(1) << OFPACT_DEC_MPLS_TTL)
               | (UINT64_C(1) << OFPACT_SET_IP_TTL)
               | (UINT64_C(1) << OFPACT_DEC_TTL)
               | (UINT64_C(1) << OFPACT_SET_QUEUE)
               | (UINT64_C(1) << OFPACT_CONTROLLER));
    for (int i = 0; i < 4; i++) {
        gf.max_groups[i] = GROUP_MAX;
        gf.ofpacts[i] = ofpacts;
    }
    ofconn_send_reply(ofconn, ofputil_encode_group_features_reply(&gf, oh));
    return 0;
}
