/*
 * nftc.c: the state of one bridge's table: its lifecycle, its ports, the
 * decision whether the kernel can carry a flow, and the bookkeeping of
 * flows, groups and action chains that transactions (nftc-txn.c) change.
 * See nftc.h for the lowering and the guarantees, nftc-private.h for the
 * state (which mirrors the kernel object for object) and the other files.
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
    hmap_init(&nftc->actchains_by_id);
    hmap_init(&nftc->txn_ops);
    hmap_init(&nftc->graveyard);
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
    nftc->n_doomed = 0;         /* They go with the table. */
    nftc_reap(nftc);
    hmap_destroy(&nftc->graveyard);
    free(nftc->doomed_maps);
    free(nftc->changed);
    HMAP_FOR_EACH_POP (f, id_node, &nftc->flows) {
        nftc_rflow_free(f);
    }
    HMAP_FOR_EACH_SAFE (g, node, &nftc->groups) {
        hmap_clear(&g->elems);
        nftc_group_free(nftc, g);
    }
    HMAP_FOR_EACH_SAFE (a, node, &nftc->actchains) {
        nftc_actchain_free(nftc, a);
    }
    HMAP_FOR_EACH_POP (p, node, &nftc->ports) {
        free(p->ifname);
        free(p);
    }
    hmap_destroy(&nftc->ports);
    hmap_destroy(&nftc->flows);
    hmap_destroy(&nftc->groups);
    hmap_destroy(&nftc->actchains);
    hmap_destroy(&nftc->actchains_by_id);
    hmap_destroy(&nftc->txn_ops);
    ofpbuf_uninit(&nftc->last_batch);
    nftc_nl_close(nftc);
    free(nftc->rx_buf);
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

    /* A socket whose answers went astray must not keep the table alive:
     * the second attempt runs on a fresh one. */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt && (nftc->offline || nftc_nl_reopen(nftc))) {
            break;
        }
        error = nftc_nl_batch_start(nftc, &b, &genid);
        if (!error) {
            nftc_msg_table(nftc, &b, NFT_MSG_DELTABLE, 0);
            error = nftc_nl_batch_commit(nftc, &b, genid, NULL);
            nftc_batch_uninit(&b);
        }
        if (!error || error == ENOENT) {
            return 0;
        }
    }
    VLOG_ERR("%s: cannot delete the table (%s): delete it with "
             "\"nft delete table netdev %s\"", nftc->table,
             ovs_strerror(error), nftc->table);
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

uint32_t
nftc_rflow_hash(const struct nftc_rflow *f)
{
    return f->id_hash;
}

bool
nftc_rflow_same_identity(const struct nftc_rflow *a,
                         const struct nftc_rflow *b)
{
    return (a->table_id == b->table_id && a->priority == b->priority
            && minimatch_equal(&a->match, &b->match));
}

struct nftc_rflow *
nftc_rflow_new(uint8_t table_id, int priority, const struct match *match)
{
    struct nftc_rflow *f = xzalloc(sizeof *f);

    f->table_id = table_id;
    f->priority = priority;
    minimatch_init(&f->match, match);
    f->id_hash = identity_hash(&f->match, table_id, priority);
    return f;
}

void
nftc_rflow_free(struct nftc_rflow *f)
{
    if (f) {
        minimatch_destroy(&f->match);
        free(f->ofpacts);
        free(f);
    }
}

struct nftc_rflow *
nftc_rflow_find(const struct nftc *nftc, const struct nftc_rflow *key)
{
    struct nftc_rflow *f;

    HMAP_FOR_EACH_WITH_HASH (f, id_node, nftc_rflow_hash(key),
                             &nftc->flows) {
        if (nftc_rflow_same_identity(f, key)) {
            return f;
        }
    }
    return NULL;
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

struct nftc_group *
nftc_group_get(struct nftc *nftc, const struct nftc_key *key, int priority)
{
    uint64_t stub[512 / 8];
    struct nftc_group *g;
    struct ofpbuf desc;
    uint32_t hash;

    ofpbuf_use_stub(&desc, stub, sizeof stub);
    group_desc(key, priority, &desc);
    hash = hash_bytes(desc.data, desc.size, 0);
    g = group_find(nftc, desc.data, desc.size, hash);
    if (!g) {
        g = group_create(nftc, key, priority, desc.data, desc.size, hash);
    }
    ofpbuf_uninit(&desc);
    return g;
}

void
nftc_group_free(struct nftc *nftc, struct nftc_group *g)
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

struct nftc_actchain *
nftc_actchain_get(struct nftc *nftc, const struct ofpact *ofpacts,
                  size_t len, const struct nftc_l3ctx *l3)
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
    hmap_insert(&nftc->actchains_by_id, &a->id_node, hash_int(a->id, 0));
    return a;
}

struct nftc_actchain *
nftc_actchain_by_id(const struct nftc *nftc, uint32_t id)
{
    struct nftc_actchain *a;

    HMAP_FOR_EACH_WITH_HASH (a, id_node, hash_int(id, 0),
                             &nftc->actchains_by_id) {
        if (a->id == id) {
            return a;
        }
    }
    return NULL;
}

void
nftc_actchain_free(struct nftc *nftc, struct nftc_actchain *a)
{
    hmap_remove(&nftc->actchains, &a->node);
    hmap_remove(&nftc->actchains_by_id, &a->id_node);
    free(a->ofpacts);
    free(a);
}


/* ------------------------------------------------------------------ */
/* Queries, settings and test hooks. */

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

size_t
nftc_n_actchains(const struct nftc *nftc)
{
    return hmap_count(&nftc->actchains);
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

void
nftc_set_ext_decoder(struct nftc *nftc, nftc_ext_decode_fn *decode)
{
    nftc->ext_decode = decode;
}
