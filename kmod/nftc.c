/*
 * nftc.c: the state of one bridge's table, and what changes it: the
 * lifecycle, ports, flows with their groups and action chains, and the
 * planning of transactions.  See nftc.h for the lowering and the
 * guarantees, nftc-private.h for the state (which mirrors the kernel
 * object for object) and for the other files.
 *
 * A commit plans against the state, has nftc-msg.c frame one batch,
 * nftc-nl.c send it, and changes the state only once the kernel
 * acknowledged the batch's END.
 */
#include <config.h>

#include "kmod/nftc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>

#include "kmod/nftc-private.h"
#include "kmod/nftc-mpls.h"
#include "flow.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(nftc);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

struct nftc_txn_op {
    struct hmap_node node;        /* In nftc->txn_ops, by identity. */
    struct ovs_list list_node;    /* In nftc->txn_list, in order. */
    bool add;
    bool was_add;                 /* A delete that cancelled an add. */
    struct nftc_rflow *flow;      /* Identity (and, if 'add', content). */
};

/* ------------------------------------------------------------------ */
/* Lifecycle. */

static struct nftc *
nftc_alloc(const char *bridge, bool offline)
{
    struct nftc *nftc = xzalloc(sizeof *nftc);

    nftc->bridge = xstrdup(bridge);
    nftc->table = xasprintf("mvs-%s", bridge);
    nftc->offline = offline;
    nftc->seq = 1;
    nftc->next_id = 1;
    nftc->next_fake_handle = 1;
    hmap_init(&nftc->ports);
    hmap_init(&nftc->flows);
    hmap_init(&nftc->groups);
    ovs_list_init(&nftc->group_list);
    hmap_init(&nftc->actchains);
    hmap_init(&nftc->txn_ops);
    ovs_list_init(&nftc->txn_list);
    ofpbuf_init(&nftc->last_batch, 0);
    return nftc;
}

/* Deletes a previous run's table (if any) and creates ours, atomically:
 * "add table" first makes the delete succeed either way. */
static int
table_recreate(struct nftc *nftc)
{
    struct nftc_batch b;
    uint32_t genid;
    int error;

    error = nftc_nl_batch_start(nftc, &b, &genid);
    if (error) {
        return error;
    }
    nftc_msg_table(nftc, &b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
    nftc_msg_table(nftc, &b, NFT_MSG_DELTABLE, 0);
    nftc_msg_skeleton(nftc, &b);
    error = nftc_nl_batch_commit(nftc, &b, genid, NULL);
    nftc_batch_uninit(&b);
    return error;
}

static int
nftc_create__(const char *bridge, bool offline, struct nftc **nftcp)
{
    struct nftc *nftc;
    int error = 0;

    *nftcp = NULL;
    if (!bridge || !bridge[0] || strlen(bridge) > 200) {
        return EINVAL;
    }
    nftc = nftc_alloc(bridge, offline);
    if (!offline) {
        error = nftc_nl_open(nftc);
    }
    if (!error) {
        error = table_recreate(nftc);
    }
    if (!error && !offline) {
        /* A failed probe only means no MPLS offload, as before. */
        int perr = nftc_mpls_probe(&nftc->mpls_expr);

        VLOG_INFO("%s: nf_tables \"mpls\" expression %s%s%s", nftc->table,
                  nftc->mpls_expr ? "present: MPLS actions offloaded"
                  : "absent: MPLS actions stay in userspace",
                  perr ? ", probe failed: " : "",
                  perr ? ovs_strerror(perr) : "");
    }
    if (error) {
        VLOG_WARN("%s: cannot set up nf_tables table: %s", nftc->table,
                  ovs_strerror(error));
        nftc_destroy(nftc);
        return error;
    }
    *nftcp = nftc;
    return 0;
}

int
nftc_create(const char *bridge, struct nftc **nftcp)
{
    return nftc_create__(bridge, false, nftcp);
}

int
nftc_create_offline(const char *bridge, struct nftc **nftcp)
{
    return nftc_create__(bridge, true, nftcp);
}

static void rflow_free(struct nftc_rflow *);
static void group_free(struct nftc *, struct nftc_group *);
static void actchain_free(struct nftc *, struct nftc_actchain *);

void
nftc_destroy(struct nftc *nftc)
{
    struct nftc_rflow *f;
    struct nftc_group *g;
    struct nftc_actchain *a;
    struct nftc_port *p;

    if (!nftc) {
        return;
    }
    nftc_txn_abort(nftc);
    HMAP_FOR_EACH_POP (f, id_node, &nftc->flows) {
        rflow_free(f);
    }
    HMAP_FOR_EACH_SAFE (g, node, &nftc->groups) {
        hmap_clear(&g->elems);
        group_free(nftc, g);
    }
    HMAP_FOR_EACH_SAFE (a, node, &nftc->actchains) {
        actchain_free(nftc, a);
    }
    HMAP_FOR_EACH_POP (p, node, &nftc->ports) {
        free(p->ifname);
        free(p);
    }
    hmap_destroy(&nftc->ports);
    hmap_destroy(&nftc->flows);
    hmap_destroy(&nftc->groups);
    hmap_destroy(&nftc->actchains);
    hmap_destroy(&nftc->txn_ops);
    ofpbuf_uninit(&nftc->last_batch);
    nftc_nl_close(nftc);
    free(nftc->bridge);
    free(nftc->table);
    free(nftc);
}

int
nftc_remove_table(struct nftc *nftc)
{
    struct nftc_batch b;
    uint32_t genid;
    int error;

    error = nftc_nl_batch_start(nftc, &b, &genid);
    if (!error) {
        nftc_msg_table(nftc, &b, NFT_MSG_DELTABLE, 0);
        error = nftc_nl_batch_commit(nftc, &b, genid, NULL);
        nftc_batch_uninit(&b);
    }
    return error;
}

const char *
nftc_table_name(const struct nftc *nftc)
{
    return nftc->table;
}

/* ------------------------------------------------------------------ */
/* Ports. */

const struct nftc_port *
nftc_port_find(const struct nftc *nftc, ofp_port_t ofport)
{
    const struct nftc_port *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash_int(ofp_to_u16(ofport), 0),
                             &nftc->ports) {
        if (p->ofport == ofport) {
            return p;
        }
    }
    return NULL;
}

int
nftc_port_add(struct nftc *nftc, ofp_port_t ofport, const char *ifname,
              int ifindex)
{
    struct nftc_port *p;
    struct nftc_batch b;
    uint32_t genid;
    int error;

    if (!ifname || !ifname[0] || strlen(ifname) >= 16 || ifindex <= 0) {
        return EINVAL;
    }
    if (nftc_port_find(nftc, ofport)) {
        return EEXIST;
    }
    p = xzalloc(sizeof *p);
    p->ofport = ofport;
    p->ifname = xstrdup(ifname);
    p->ifindex = ifindex;

    error = nftc_nl_batch_start(nftc, &b, &genid);
    if (!error) {
        nftc_msg_port_chain(nftc, &b, p);
        error = nftc_nl_batch_commit(nftc, &b, genid, NULL);
        nftc_batch_uninit(&b);
    }
    if (error) {
        free(p->ifname);
        free(p);
        return error;
    }
    hmap_insert(&nftc->ports, &p->node, hash_int(ofp_to_u16(ofport), 0));
    return 0;
}

static bool
port_in_use(const struct nftc *nftc, const struct nftc_port *port)
{
    const struct nftc_rflow *f;

    HMAP_FOR_EACH (f, id_node, &nftc->flows) {
        const struct ofpact *a;
        struct match match;

        if (!f->group) {
            continue;
        }
        minimatch_expand(&f->match, &match);
        if (match.wc.masks.in_port.ofp_port
            && match.flow.in_port.ofp_port == port->ofport) {
            return true;
        }
        OFPACT_FOR_EACH (a, f->ofpacts, f->act ? f->ofpacts_len : 0) {
            if (a->type == OFPACT_OUTPUT
                && ofpact_get_OUTPUT(a)->port == port->ofport) {
                return true;
            }
        }
    }
    return false;
}

int
nftc_port_del(struct nftc *nftc, ofp_port_t ofport)
{
    struct nftc_port *p = CONST_CAST(struct nftc_port *,
                                     nftc_port_find(nftc, ofport));
    struct nftc_batch b;
    uint32_t genid;
    int error;

    if (!p) {
        return ENOENT;
    }
    if (port_in_use(nftc, p)) {
        return EBUSY;
    }
    error = nftc_nl_batch_start(nftc, &b, &genid);
    if (!error) {
        nftc_msg_port_chain_del(nftc, &b, p);
        error = nftc_nl_batch_commit(nftc, &b, genid, NULL);
        nftc_batch_uninit(&b);
    }
    if (!error) {
        hmap_remove(&nftc->ports, &p->node);
        free(p->ifname);
        free(p);
    }
    return error;
}

/* ------------------------------------------------------------------ */
/* Decision. */

bool
nftc_flow_offloadable(const struct nftc *nftc, const struct nftc_flow *flow,
                      struct ds *reason)
{
    struct ds scratch = DS_EMPTY_INITIALIZER;
    struct ds *r = reason ? reason : &scratch;
    struct nftc_l3ctx l3;
    struct nftc_key key;
    size_t start = r->length;
    bool ok;

    if (flow->table_id != 0) {
        ds_put_format(r, "table %"PRIu8": only single-table pipelines "
                      "(table 0) are offloaded; ", flow->table_id);
    } else {
        nftc_match_lower(nftc, flow->match, &key, r);
        nftc_l3ctx_from_match(flow->match, &l3);
        nftc_actions_check(nftc, flow->ofpacts, flow->ofpacts_len, &l3, r);
    }
    ok = r->length == start;
    if (!ok) {
        /* Drop the trailing "; ". */
        if (r->length >= start + 2) {
            ds_truncate(r, r->length - 2);
        }
    }
    ds_destroy(&scratch);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Flows, groups and action chains. */

static uint32_t
identity_hash(const struct minimatch *match, uint8_t table_id, int priority)
{
    return minimatch_hash(match, hash_2words(table_id, priority));
}

static uint32_t
rflow_hash(const struct nftc_rflow *f)
{
    return identity_hash(&f->match, f->table_id, f->priority);
}

static bool
rflow_same_identity(const struct nftc_rflow *a, const struct nftc_rflow *b)
{
    return (a->table_id == b->table_id && a->priority == b->priority
            && minimatch_equal(&a->match, &b->match));
}

static struct nftc_rflow *
rflow_new(uint8_t table_id, int priority, const struct match *match)
{
    struct nftc_rflow *f = xzalloc(sizeof *f);

    f->table_id = table_id;
    f->priority = priority;
    minimatch_init(&f->match, match);
    return f;
}

static void
rflow_free(struct nftc_rflow *f)
{
    if (f) {
        minimatch_destroy(&f->match);
        free(f->ofpacts);
        free(f);
    }
}

static struct nftc_rflow *
flow_find(const struct nftc *nftc, const struct nftc_rflow *key)
{
    struct nftc_rflow *f;

    HMAP_FOR_EACH_WITH_HASH (f, id_node, rflow_hash(key), &nftc->flows) {
        if (rflow_same_identity(f, key)) {
            return f;
        }
    }
    return NULL;
}

struct nftc_rflow *
nftc_rflow_find(const struct nftc *nftc, uint8_t table_id, int priority,
                const struct match *match)
{
    struct nftc_rflow *key = rflow_new(table_id, priority, match);
    struct nftc_rflow *f = flow_find(nftc, key);

    rflow_free(key);
    return f;
}

/* A group's identity: its priority and, per key member, where it is read
 * from and its mask. */
static void
group_desc(const struct nftc_key *key, int priority, struct ofpbuf *out)
{
    ofpbuf_put(out, &priority, sizeof priority);
    for (size_t i = 0; i < key->n; i++) {
        const struct nftc_kfield *kf = &key->f[i];
        uint32_t hdr[4] = { kf->src, kf->meta_key, kf->base, kf->offset };

        ofpbuf_put(out, hdr, sizeof hdr);
        ofpbuf_put(out, &kf->len, 1);
        ofpbuf_put(out, kf->mask, kf->len);
    }
}

static struct nftc_group *
group_find(const struct nftc *nftc, const void *desc, size_t len,
           uint32_t hash)
{
    struct nftc_group *g;

    HMAP_FOR_EACH_WITH_HASH (g, node, hash, &nftc->groups) {
        if (g->desc_len == len && !memcmp(g->desc, desc, len)) {
            return g;
        }
    }
    return NULL;
}

/* Creates a group (pending) and inserts it in priority order: after every
 * group of higher or equal priority. */
static struct nftc_group *
group_create(struct nftc *nftc, const struct nftc_key *key, int priority,
             const void *desc, size_t len, uint32_t hash)
{
    struct nftc_group *g = xzalloc(sizeof *g), *pos;

    g->id = nftc->next_id++;
    g->priority = priority;
    g->key = *key;
    g->key_len = nftc_key_len(key);
    g->desc = xmemdup(desc, len);
    g->desc_len = len;
    hmap_init(&g->elems);
    g->pending = true;
    hmap_insert(&nftc->groups, &g->node, hash);

    LIST_FOR_EACH (pos, list_node, &nftc->group_list) {
        if (pos->priority < priority) {
            ovs_list_insert(&pos->list_node, &g->list_node);
            return g;
        }
    }
    ovs_list_push_back(&nftc->group_list, &g->list_node);
    return g;
}

static void
group_free(struct nftc *nftc, struct nftc_group *g)
{
    hmap_remove(&nftc->groups, &g->node);
    ovs_list_remove(&g->list_node);
    hmap_destroy(&g->elems);
    free(g->desc);
    free(g);
}

static uint32_t
actchain_hash(const struct ofpact *ofpacts, size_t len,
              const struct nftc_l3ctx *l3)
{
    return hash_bytes(ofpacts, len, hash_2words(l3->dl_type, l3->nw_proto));
}

static struct nftc_actchain *
actchain_get(struct nftc *nftc, const struct ofpact *ofpacts, size_t len,
             const struct nftc_l3ctx *l3)
{
    uint32_t hash = actchain_hash(ofpacts, len, l3);
    struct nftc_actchain *a;

    HMAP_FOR_EACH_WITH_HASH (a, node, hash, &nftc->actchains) {
        if (a->ofpacts_len == len && !memcmp(a->ofpacts, ofpacts, len)
            && a->l3.dl_type == l3->dl_type
            && a->l3.nw_proto == l3->nw_proto) {
            return a;
        }
    }
    a = xzalloc(sizeof *a);
    a->id = nftc->next_id++;
    a->ofpacts = xmemdup(ofpacts, len);
    a->ofpacts_len = len;
    a->l3 = *l3;
    a->pending = true;
    hmap_insert(&nftc->actchains, &a->node, hash);
    return a;
}

static void
actchain_free(struct nftc *nftc, struct nftc_actchain *a)
{
    hmap_remove(&nftc->actchains, &a->node);
    free(a->ofpacts);
    free(a);
}


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

/* ------------------------------------------------------------------ */
/* Transactions. */

void
nftc_txn_begin(struct nftc *nftc)
{
    nftc_txn_abort(nftc);
    nftc->txn_open = true;
}

void
nftc_txn_abort(struct nftc *nftc)
{
    struct nftc_txn_op *op;

    LIST_FOR_EACH_POP (op, list_node, &nftc->txn_list) {
        hmap_remove(&nftc->txn_ops, &op->node);
        rflow_free(op->flow);
        free(op);
    }
    nftc->txn_open = false;
}

static struct nftc_txn_op *
txn_find(struct nftc *nftc, const struct nftc_rflow *key, uint32_t hash)
{
    struct nftc_txn_op *op;

    HMAP_FOR_EACH_WITH_HASH (op, node, hash, &nftc->txn_ops) {
        if (rflow_same_identity(op->flow, key)) {
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
    uint32_t hash = rflow_hash(f);
    struct nftc_txn_op *op = txn_find(nftc, f, hash);

    if (!op) {
        op = xzalloc(sizeof *op);
        hmap_insert(&nftc->txn_ops, &op->node, hash);
        ovs_list_push_back(&nftc->txn_list, &op->list_node);
    } else {
        rflow_free(op->flow);
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
    f = rflow_new(flow->table_id, flow->priority, flow->match);
    f->cookie = flow->cookie;
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
    txn_queue(nftc, rflow_new(table_id, priority, match), false);
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

/* Lowers new flow 'f' for table 0: its key, group and action chain. */
static void
txn_lower(struct nftc *nftc, struct nftc_rflow *f, struct ovs_list *groups,
          struct ovs_list *acts)
{
    struct ds reason = DS_EMPTY_INITIALIZER;
    struct nftc_l3ctx l3;
    struct nftc_key key;
    struct match match;
    struct ofpbuf desc;
    struct nftc_group *g;
    uint32_t hash;
    int error;

    minimatch_expand(&f->match, &match);
    error = nftc_match_lower(nftc, &match, &key, &reason);
    nftc_l3ctx_from_match(&match, &l3);
    if (!actions_rewrite(f->ofpacts, f->ofpacts_len)) {
        /* Only rewrites depend on the packet's protocols: let flows of
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

    ofpbuf_init(&desc, 256);
    group_desc(&key, f->priority, &desc);
    hash = hash_bytes(desc.data, desc.size, 0);
    g = group_find(nftc, desc.data, desc.size, hash);
    if (!g) {
        g = group_create(nftc, &key, f->priority, desc.data, desc.size, hash);
    }
    ofpbuf_uninit(&desc);
    f->group = g;
    nftc_key_bytes(&key, f->key);
    if (!g->in_txn) {
        g->in_txn = true;
        ovs_list_init(&g->txn_adds);
        ovs_list_init(&g->txn_dels);
        ovs_list_push_back(groups, &g->txn_node);
    }
    g->delta++;
    ovs_list_push_back(&g->txn_adds, &f->txn_node);

    if (f->offloaded) {
        f->act = actchain_get(nftc, f->ofpacts, f->ofpacts_len, &l3);
        if (!f->act->in_txn) {
            f->act->in_txn = true;
            ovs_list_push_back(acts, &f->act->txn_node);
        }
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
    if (!g->in_txn) {
        g->in_txn = true;
        ovs_list_init(&g->txn_adds);
        ovs_list_init(&g->txn_dels);
        ovs_list_push_back(groups, &g->txn_node);
    }
    g->delta--;
    ovs_list_push_back(&g->txn_dels, &old->txn_node);
    if (old->act) {
        if (!old->act->in_txn) {
            old->act->in_txn = true;
            ovs_list_push_back(acts, &old->act->txn_node);
        }
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

/* Applies a committed plan to the state, or undoes it ('ok' false). */
static void
txn_settle(struct nftc *nftc, struct ovs_list *groups, struct ovs_list *acts,
           bool ok)
{
    struct nftc_group *g;
    struct nftc_actchain *a;

    LIST_FOR_EACH_POP (g, txn_node, groups) {
        struct nftc_rflow *f;

        LIST_FOR_EACH_POP (f, txn_node, &g->txn_dels) {
            if (ok) {
                hmap_remove(&g->elems, &f->key_node);
                hmap_remove(&nftc->flows, &f->id_node);
                if (f->act) {
                    f->act->n_refs--;
                }
                rflow_free(f);
            }
        }
        LIST_FOR_EACH_POP (f, txn_node, &g->txn_adds) {
            if (ok) {
                hmap_insert(&g->elems, &f->key_node,
                            nftc_key_hash(f->key, g->key_len));
                hmap_insert(&nftc->flows, &f->id_node, rflow_hash(f));
                if (f->act) {
                    f->act->n_refs++;
                }
            } else {
                rflow_free(f);
            }
        }
        g->in_txn = false;
        g->delta = 0;
        if (g->pending && nftc->offline && ok) {
            g->handle = nftc->next_fake_handle++;
        }
        if ((g->pending && !ok) || (ok && !hmap_count(&g->elems))) {
            group_free(nftc, g);
        } else {
            g->pending = false;
        }
    }
    LIST_FOR_EACH_POP (a, txn_node, acts) {
        a->in_txn = false;
        a->delta = 0;
        if ((a->pending && !ok) || (ok && !a->n_refs)) {
            actchain_free(nftc, a);
        } else {
            a->pending = false;
        }
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

    /* Plan.  Flows of other tables are only remembered ('others_*'). */
    LIST_FOR_EACH (op, list_node, &nftc->txn_list) {
        struct nftc_rflow *old = flow_find(nftc, op->flow);

        if (!op->add && !old) {
            if (op->was_add) {
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

    /* Frame and send. */
    if (!error && lowered_changes) {
        error = nftc_nl_batch_start(nftc, &b, &genid);
        if (!error) {
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (!ovs_list_is_empty(&g->txn_dels)) {
                    nftc_msg_elems(nftc, &b, g, &g->txn_dels, false);
                }
            }
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (group_dies(g)) {
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
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (!ovs_list_is_empty(&g->txn_adds)) {
                    nftc_msg_elems(nftc, &b, g, &g->txn_adds, true);
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
    txn_detach_lowered(nftc);
    txn_settle(nftc, &groups, &acts, !error);
    if (!error) {
        LIST_FOR_EACH_POP (f, txn_node, &others_old) {
            hmap_remove(&nftc->flows, &f->id_node);
            rflow_free(f);
        }
        LIST_FOR_EACH (op, list_node, &nftc->txn_list) {
            if (op->add && op->flow) {
                hmap_insert(&nftc->flows, &op->flow->id_node,
                            rflow_hash(op->flow));
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

/* ------------------------------------------------------------------ */
/* Queries and test hooks. */

size_t
nftc_n_flows(const struct nftc *nftc)
{
    return hmap_count(&nftc->flows);
}

size_t
nftc_n_masks(const struct nftc *nftc)
{
    return hmap_count(&nftc->groups);
}

void
nftc_get_counts(const struct nftc *nftc, struct nftc_counts *counts)
{
    *counts = nftc->counts;
}

const void *
nftc_last_batch(const struct nftc *nftc, size_t *len)
{
    *len = nftc->last_batch.size;
    return nftc->last_batch.data;
}

void
nftc_set_presend_hook(struct nftc *nftc, void (*hook)(void *aux), void *aux)
{
    nftc->presend_hook = hook;
    nftc->presend_aux = aux;
}

void
nftc_set_mpls_expr(struct nftc *nftc, bool present)
{
    nftc->mpls_expr = present;
}

bool
nftc_has_mpls_expr(const struct nftc *nftc)
{
    return nftc->mpls_expr;
}
