/* ofproto-mpls/ofproto.c: flow tables, ports and OpenFlow messages. */
#include <config.h>
#include "ofproto-mpls/ofproto.h"

#include <errno.h>
#include <string.h>

#include "datapath/dp-parse.h"
#include "datapath/dp-port.h"
#include "dp-packet.h"
#include "flow.h"
#include "bitmap.h"
#include "hash.h"
#include "nx-match.h"
#include "ofproto-mpls/bundle.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/meter.h"
#include "ofproto-mpls/offload.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/xlate.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-match.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-parse.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-queue.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-table.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "openvswitch/shash.h"

VLOG_DEFINE_THIS_MODULE(ofproto);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 10);

/* How often timeouts and link states are checked, in msec. */
#define EXPIRE_INTERVAL 250
#define PORT_CHECK_INTERVAL 500

/* MAC learning entries age out after this many msec. */
#define MAC_AGE 300000

/* The bridges of this process, for unixctl commands. */
static struct shash all_ofprotos = SHASH_INITIALIZER(&all_ofprotos);

static const struct dp_upcall_ops upcall_ops;
static void send_port_status(struct ofproto *, const struct ofport *,
                             enum ofp_port_reason);
static void rule_remove(struct ofproto *, struct rule *,
                        enum ofp_flow_removed_reason);
static void rule_added_kill_megaflows(struct ofproto *, const struct rule *);
static void ofproto_revalidate(struct ofproto *);

/* Lifecycle. */

struct ofproto *
ofproto_create(const char *name, uint64_t datapath_id)
{
    struct ofproto *p = xzalloc(sizeof *p);

    p->name = xstrdup(name);
    if (!datapath_id) {
        /* A locally administered MAC-like id derived from the name, so a
         * bridge keeps its id across restarts. */
        datapath_id = (hash_string(name, 0x6d7673) | 0x020000000000ULL)
                      & 0xffffffffffffULL;
    }
    p->datapath_id = datapath_id;
    p->dp = datapath_create(name, &upcall_ops, p);
    p->connmgr = connmgr_create(p);
    for (int i = 0; i < MVS_N_TABLES; i++) {
        classifier_init(&p->tables[i].cls, flow_segment_u64s);
        ovs_list_init(&p->tables[i].megaflows);
    }
    p->version = OVS_VERSION_MIN;
    ovs_list_init(&p->expirable);
    hmap_init(&p->ports);
    p->config.frag = OFPUTIL_FRAG_NORMAL;
    p->config.invalid_ttl_to_controller = -1;
    p->config.miss_send_len = OFP_DEFAULT_MISS_SEND_LEN;
    p->fail_mode = OFPROTO_FAIL_SECURE;
    hmap_init(&p->frozen_by_id);
    hmap_init(&p->frozen_by_state);
    p->next_recirc_id = 1;
    hmap_init(&p->macs);
    hmap_init(&p->groups);
    meter_table_init(p);
    shash_add(&all_ofprotos, name, p);
    return p;
}

static void
frozen_clear(struct ofproto *p)
{
    struct frozen *f;
    HMAP_FOR_EACH_POP (f, id_node, &p->frozen_by_id) {
        hmap_remove(&p->frozen_by_state, &f->hash_node);
        free(f->ofpacts);
        free(f->action_set);
        free(f);
    }
}

static void
rule_free(struct rule *rule)
{
    cls_rule_destroy(&rule->cr);
    free(rule->ofpacts);
    free(rule);
}

void
ofproto_destroy(struct ofproto *p)
{
    if (!p) {
        return;
    }
    shash_find_and_delete(&all_ofprotos, p->name);
    /* Nothing may forward (and call back into us) while we go. */
    datapath_stop_threads(p->dp);
    offload_destroy(p);
    connmgr_destroy(p->connmgr);
    datapath_destroy(p->dp);
    for (int i = 0; i < MVS_N_TABLES; i++) {
        struct rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[i].cls) {
            classifier_remove_assert(&p->tables[i].cls, &rule->cr);
            ovsrcu_postpone(rule_free, rule);
        }
        classifier_destroy(&p->tables[i].cls);
    }
    struct ofport *port;
    HMAP_FOR_EACH_POP (port, node, &p->ports) {
        free(port);
    }
    hmap_destroy(&p->ports);
    frozen_clear(p);
    group_table_destroy(p);
    meter_table_destroy(p);
    hmap_destroy(&p->frozen_by_id);
    hmap_destroy(&p->frozen_by_state);
    struct mac_entry *e;
    HMAP_FOR_EACH_POP (e, node, &p->macs) {
        free(e);
    }
    hmap_destroy(&p->macs);
    free(p->added);
    free(p->name);
    free(p);
}

/* An OpenFlow state change other than a flow table's (ports, groups,
 * meters, configuration) goes through here before it takes effect: cached
 * datapath flows may embody the old state, and their counters belong to
 * rules that may be about to go.  Flow table changes remove only the
 * datapath flows they may change (see "Revalidation" below). */
void
ofproto_invalidate(struct ofproto *p)
{
    datapath_flush(p->dp);
    frozen_clear(p);
    p->n_added = 0;             /* Nothing left to revalidate. */
}

/* Past this many (added rules x datapath flows to check), revalidation
 * removes every datapath flow instead (what every flow-mod did before
 * revalidation): scanning would cost more than refilling the cache. */
#define REVALIDATE_SCAN_MAX (1000 * 1000)

/* Revalidates the datapath for the rules added since the last call.  The
 * main thread calls it before it lets the big lock go (ofproto_run(),
 * ofproto_wait(), a bundle commit), so no packet meets a stale flow; a
 * controller's burst of adds (or a bundle) costs one pass, not one per
 * add.  A rule removed meanwhile is still allocated (RCU, or the bundle's
 * undo log): scanning for it is merely conservative. */
static void
ofproto_revalidate(struct ofproto *p)
{
    if (!p->n_added) {
        return;
    }
    size_t work = 0;
    for (size_t i = 0; i < p->n_added && work <= REVALIDATE_SCAN_MAX; i++) {
        work += p->tables[p->added[i]->table_id].n_megaflows;
    }
    if (work > REVALIDATE_SCAN_MAX) {
        ofproto_invalidate(p);
    } else {
        for (size_t i = 0; i < p->n_added; i++) {
            rule_added_kill_megaflows(p, p->added[i]);
        }
    }
    p->n_added = 0;
}

/* Ports. */

struct ofport *
ofproto_get_port(const struct ofproto *p, ofp_port_t ofp_port)
{
    struct ofport *port;
    HMAP_FOR_EACH_IN_BUCKET (port, node, hash_int(ofp_to_u16(ofp_port), 0),
                             &p->ports) {
        if (port->ofp_port == ofp_port) {
            return port;
        }
    }
    return NULL;
}

int
ofproto_port_add(struct ofproto *p, const char *ifname, ofp_port_t ofp_port,
                 ofp_port_t *assigned)
{
    if (ofp_port == OFPP_NONE || !ofp_to_u16(ofp_port)) {
        uint16_t n = 1;
        while (ofproto_get_port(p, u16_to_ofp(n))) {
            n++;
        }
        ofp_port = u16_to_ofp(n);
    } else if (ofp_to_u16(ofp_port) >= ofp_to_u16(OFPP_MAX)) {
        return EINVAL;
    } else if (ofproto_get_port(p, ofp_port)) {
        return EEXIST;
    }

    ofproto_invalidate(p);
    int error = datapath_port_add(p->dp, ifname, ofp_to_u16(ofp_port));
    if (error) {
        return error;
    }
    struct ofport *port = xzalloc(sizeof *port);
    port->ofp_port = ofp_port;
    port->dp_port = datapath_port_get(p->dp, ofp_to_u16(ofp_port));
    port->created = time_msec();
    hmap_insert(&p->ports, &port->node, hash_int(ofp_to_u16(ofp_port), 0));
    if (assigned) {
        *assigned = ofp_port;
    }
    VLOG_INFO("%s: added interface %s as port %"PRIu16,
              p->name, ifname, ofp_to_u16(ofp_port));
    offload_port_added(p, port);
    send_port_status(p, port, OFPPR_ADD);
    return 0;
}

int
ofproto_port_del(struct ofproto *p, ofp_port_t ofp_port)
{
    struct ofport *port = ofproto_get_port(p, ofp_port);
    if (!port) {
        return ENOENT;
    }
    ofproto_invalidate(p);
    /* Describe it while it still exists. */
    send_port_status(p, port, OFPPR_DELETE);
    VLOG_INFO("%s: removed port %"PRIu16" (%s)", p->name,
              ofp_to_u16(ofp_port), port->dp_port->name);
    hmap_remove(&p->ports, &port->node);
    offload_port_deleted(p, port);
    datapath_port_del(p->dp, ofp_to_u16(ofp_port));
    free(port);
    return 0;
}

void
ofproto_fill_port_desc(const struct ofproto *p OVS_UNUSED,
                       const struct ofport *port, struct ofputil_phy_port *pp)
{
    const struct dp_port *dp_port = port->dp_port;

    memset(pp, 0, sizeof *pp);
    pp->port_no = port->ofp_port;
    pp->hw_addr = dp_port->mac;
    ovs_strzcpy(pp->name, dp_port->name, sizeof pp->name);
    pp->config = port->config;
    if (!dp_port->admin_up) {
        pp->config |= OFPUTIL_PC_PORT_DOWN;
    }
    pp->state = dp_port->carrier && !dp_port->gone ? OFPUTIL_PS_LIVE
                                                   : OFPUTIL_PS_LINK_DOWN;
    /* veth and most virtual links report 10 Gb/s. */
    pp->curr = NETDEV_F_10GB_FD | NETDEV_F_COPPER;
    pp->supported = pp->curr;
    pp->curr_speed = 10000000;
    pp->max_speed = 10000000;
}

struct port_status_aux {
    const struct ofproto *ofproto;
    const struct ofport *port;
    enum ofp_port_reason reason;
};

static struct ofpbuf *
encode_port_status(const void *aux_, enum ofputil_protocol protocol)
{
    const struct port_status_aux *aux = aux_;
    struct ofputil_port_status ps = { .reason = aux->reason };
    ofproto_fill_port_desc(aux->ofproto, aux->port, &ps.desc);
    return ofputil_encode_port_status(&ps, protocol);
}

static void
send_port_status(struct ofproto *p, const struct ofport *port,
                 enum ofp_port_reason reason)
{
    struct port_status_aux aux = { p, port, reason };
    connmgr_send_async(p->connmgr, OAM_PORT_STATUS, reason,
                       encode_port_status, &aux);
}

/* Connections. */

int
ofproto_add_controller(struct ofproto *p, const char *target)
{
    return connmgr_add_controller(p->connmgr, target);
}

int
ofproto_add_listener(struct ofproto *p, const char *target)
{
    return connmgr_add_listener(p->connmgr, target);
}

int
ofproto_set_offload(struct ofproto *p, int mode, char **why)
{
    return offload_init(p, mode, why);
}

void
ofproto_set_fail_mode(struct ofproto *p, enum ofproto_fail_mode mode)
{
    p->fail_mode = mode;
    ofproto_invalidate(p);
}

/* Frozen states (recirculation). */

static uint32_t
frozen_hash(const struct frozen *f)
{
    uint32_t hash = hash_bytes(f->ofpacts, f->ofpacts_len, f->table_id);
    hash = hash_bytes(f->action_set, f->action_set_len, hash);
    hash = hash_uint64_basis(f->metadata, hash);
    hash = hash_uint64_basis(f->tun_id, hash);
    hash = hash_bytes(f->regs, sizeof f->regs, hash);
    hash = hash_uint64_basis(f->cookie, hash);
    return hash_int(f->restart, hash);
}

static bool
frozen_equal(const struct frozen *a, const struct frozen *b)
{
    return (a->table_id == b->table_id && a->restart == b->restart
            && a->metadata == b->metadata && a->cookie == b->cookie
            && a->tun_id == b->tun_id
            && !memcmp(a->regs, b->regs, sizeof a->regs)
            && a->ofpacts_len == b->ofpacts_len
            && a->action_set_len == b->action_set_len
            /* An empty list may be NULL, which memcmp() must not get. */
            && (!a->ofpacts_len
                || !memcmp(a->ofpacts, b->ofpacts, a->ofpacts_len))
            && (!a->action_set_len
                || !memcmp(a->action_set, b->action_set,
                           a->action_set_len)));
}

uint32_t
ofproto_frozen_get(struct ofproto *p, const struct frozen *state)
{
    uint32_t hash = frozen_hash(state);
    struct frozen *f;

    HMAP_FOR_EACH_WITH_HASH (f, hash_node, hash, &p->frozen_by_state) {
        if (frozen_equal(f, state)) {
            return f->id;
        }
    }
    f = xmemdup(state, sizeof *state);
    f->ofpacts = state->ofpacts_len
                 ? xmemdup(state->ofpacts, state->ofpacts_len) : NULL;
    f->action_set = state->action_set_len
                    ? xmemdup(state->action_set, state->action_set_len)
                    : NULL;
    f->id = p->next_recirc_id++;
    if (!p->next_recirc_id) {
        p->next_recirc_id = 1;
    }
    f->hash = hash;
    hmap_insert(&p->frozen_by_state, &f->hash_node, hash);
    hmap_insert(&p->frozen_by_id, &f->id_node, hash_int(f->id, 0));
    return f->id;
}

const struct frozen *
ofproto_frozen_find(const struct ofproto *p, uint32_t id)
{
    struct frozen *f;
    HMAP_FOR_EACH_WITH_HASH (f, id_node, hash_int(id, 0), &p->frozen_by_id) {
        if (f->id == id) {
            return f;
        }
    }
    return NULL;
}

/* MAC learning, for output:NORMAL and fail-mode standalone. */

static uint32_t
mac_hash(const struct eth_addr mac, uint16_t vlan)
{
    return hash_bytes(&mac, sizeof mac, vlan);
}

static struct mac_entry *
mac_find(const struct ofproto *p, const struct eth_addr mac, uint16_t vlan)
{
    struct mac_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, mac_hash(mac, vlan), &p->macs) {
        if (eth_addr_equals(e->mac, mac) && e->vlan == vlan) {
            return e;
        }
    }
    return NULL;
}

void
ofproto_mac_learn(struct ofproto *p, const struct eth_addr mac,
                  uint16_t vlan, ofp_port_t port)
{
    struct mac_entry *e = mac_find(p, mac, vlan);
    /* The caller is mid-translation: stale datapath flows go at the next
     * ofproto_run(), see mac_revalidate(). */
    if (!e) {
        e = xzalloc(sizeof *e);
        e->mac = mac;
        e->vlan = vlan;
        hmap_insert(&p->macs, &e->node, mac_hash(mac, vlan));
        /* A new host: flows that flooded frames to it would flood for
         * ever. */
        if (p->n_new_macs < MVS_NEW_MACS_MAX) {
            p->new_macs[p->n_new_macs++] = mac;
        } else {
            p->mac_moved = true;
        }
    } else if (e->port != port) {
        /* A moved host: flows that send to its old port are stale. */
        p->mac_moved = true;
    }
    e->port = port;
    e->used = time_msec();
}

static bool
flow_to_new_mac(void *p_, const struct dp_flow *flow)
{
    const struct ofproto *p = p_;
    for (size_t i = 0; i < p->n_new_macs; i++) {
        if (eth_addr_equals(flow->key.dl_dst, p->new_macs[i])) {
            return true;
        }
    }
    return false;
}

/* What MAC learning changed since the last run: output:NORMAL flows are
 * exact on the destination MAC, so a new host's stale (flooding) flows
 * are those to its address; a host that moved may be in any flow. */
static void
mac_revalidate(struct ofproto *p)
{
    if (p->mac_moved) {
        ofproto_invalidate(p);
    } else if (p->n_new_macs) {
        datapath_flows_del_if(p->dp, flow_to_new_mac, p);
    }
    p->mac_moved = false;
    p->n_new_macs = 0;
}

ofp_port_t
ofproto_mac_lookup(const struct ofproto *p, const struct eth_addr mac,
                   uint16_t vlan)
{
    const struct mac_entry *e = mac_find(p, mac, vlan);
    return e && time_msec() - e->used < MAC_AGE ? e->port : OFPP_NONE;
}

/* Upcalls from the datapath. */

/* Revalidation.
 *
 * A flow-mod must not leave a datapath flow that does what the tables no
 * longer say (issue 3: no packet takes a stale path after the barrier
 * reply), and should not throw away the ones it cannot change.  Each
 * datapath flow's xcache records its table lookups ('hits', in order),
 * each linked into the table's and the hit rule's 'megaflows' lists, and
 * the region of packets it holds for (xlate_out's 'region').  Then:
 *
 *   - modifying or removing rule R removes the flows that hit R (their
 *     counters go to R first); a flow that looked at R and took a
 *     lower-priority rule still takes it, with a mask that is still
 *     sufficient;
 *
 *   - adding rule N to table T removes the flows that looked up T, took a
 *     rule of priority <= N's (or missed), and may contain a packet N
 *     matches: unless the lookup was 'pristine' (no action that may change
 *     the packet ran before it), any flow; if it was, a flow whose region fixes a
 *     field N matches to another value is safe.
 *
 * Ports, groups, meters and configuration still flush everything
 * (ofproto_invalidate()). */

/* One table lookup of a datapath flow.  What a table scan needs is here,
 * not behind 'xc' (a scan visits every datapath flow of the table). */
struct xcache_ref {
    struct ovs_list table_node; /* In the table's 'megaflows'. */
    struct ovs_list rule_node;  /* In the hit rule's, or empty on a miss. */
    struct xcache *xc;          /* NULL for a group hit (not linked). */
    int priority;               /* The hit rule's, INT_MIN on a miss. */
    bool pristine;              /* See struct xlate_hit. */
};

struct xcache {
    struct dp_flow *flow;       /* The datapath's flow, once installed. */
    bool doomed;                /* Being collected for removal. */
    struct minimatch region;    /* Valid if 'has_region'. */
    bool has_region;
    struct xcache_ref *refs;    /* One per hit. */
    size_t n_hits;
    struct xlate_hit hits[];
};

/* Frozen states are kept across flow-mods (datapath flows that survive
 * refer to them by id); past this many, ofproto_run() flushes everything
 * and starts over. */
#define FROZEN_MAX 65536

static void
xcache_unlink(struct ofproto *p, struct xcache *xc)
{
    for (size_t i = 0; i < xc->n_hits; i++) {
        struct xcache_ref *ref = &xc->refs[i];
        if (ref->xc) {
            p->tables[xc->hits[i].table_id].n_megaflows--;
            ovs_list_remove(&ref->table_node);
            ovs_list_remove(&ref->rule_node);
            ovs_list_init(&ref->table_node);
            ovs_list_init(&ref->rule_node);
            ref->xc = NULL;
        }
    }
}

/* Removes the datapath flow of 'xc' (which frees 'xc').  Only installed
 * xcaches are in the lists: nothing changes the tables between an
 * upcall's translation and its install. */
static void
megaflow_kill(struct ofproto *p, struct xcache *xc)
{
    ovs_assert(xc->flow);
    datapath_flow_del(p->dp, xc->flow);
}

/* Before 'rule' changes or goes: removes the datapath flows that hit it,
 * pushing their counters into it. */
static void
rule_kill_megaflows(struct ofproto *p, struct rule *rule)
{
    while (!ovs_list_is_empty(&rule->megaflows)) {
        struct xcache_ref *ref = CONTAINER_OF(ovs_list_front(&rule->megaflows),
                                              struct xcache_ref, rule_node);
        megaflow_kill(p, ref->xc);
    }
}

/* May a packet that 'region' describes match 'm'?  False only if the
 * region fixes a bit that 'm' matches to the other value: the overlap
 * test of OVS's classifier_rule_overlaps(), without the priorities. */
static bool
region_may_match(const struct minimatch *region, const struct minimatch *m)
{
    struct {
        struct minimask mask;
        uint64_t storage[FLOW_U64S];
    } both;

    minimask_combine(&both.mask, region->mask, m->mask, both.storage);
    return miniflow_equal_in_minimask(region->flow, m->flow, &both.mask);
}

/* After 'rule' was added to its table: removes the datapath flows whose
 * lookup there it may now win. */
static void
rule_added_kill_megaflows(struct ofproto *p, const struct rule *rule)
{
    struct ovs_list *list = &p->tables[rule->table_id].megaflows;
    struct xcache **doomed = NULL;
    size_t n = 0, allocated = 0;
    struct xcache_ref *ref;

    /* Collected first: a datapath flow with two lookups in this table
     * (which goto-table's checks rule out) would otherwise free the
     * node the walk holds next. */
    LIST_FOR_EACH (ref, table_node, list) {
        if (rule->cr.priority >= ref->priority
            && (!ref->pristine || !ref->xc->has_region
                || region_may_match(&ref->xc->region, &rule->cr.match))
            && !ref->xc->doomed) {
            ref->xc->doomed = true;
            if (n >= allocated) {
                doomed = x2nrealloc(doomed, &allocated, sizeof *doomed);
            }
            doomed[n++] = ref->xc;
        }
    }
    for (size_t i = 0; i < n; i++) {
        megaflow_kill(p, doomed[i]);
    }
    free(doomed);
}

static int
upcall_miss(void *p_, const struct dp_packet *pkt OVS_UNUSED,
            const struct dp_key *key, struct dp_key *mask,
            struct ofpbuf *actions, void **xcachep)
{
    struct ofproto *p = p_;
    struct xlate_in xin = { .ofproto = p, .key = key };
    struct xlate_out xout;

    xlate_out_init(&xout);
    int error = xlate(&xin, &xout);
    if (!error) {
        ofpbuf_put(actions, xout.actions.data, xout.actions.size);
        *mask = xout.mask;
        if (xout.n_hits) {
            size_t n = xout.n_hits;
            struct xcache *xc = xmalloc(sizeof *xc + n * sizeof *xc->hits);
            xc->flow = NULL;
            xc->doomed = false;
            xc->has_region = xout.has_region;
            if (xout.has_region) {
                minimatch_move(&xc->region, &xout.region);
                xout.has_region = false;
            }
            xc->n_hits = n;
            memcpy(xc->hits, xout.hits, n * sizeof *xc->hits);
            xc->refs = xcalloc(n, sizeof *xc->refs);
            for (size_t i = 0; i < n; i++) {
                struct xcache_ref *ref = &xc->refs[i];
                const struct xlate_hit *hit = &xc->hits[i];
                if (hit->group) {
                    continue;
                }
                ref->xc = xc;
                ref->priority = hit->rule ? hit->rule->cr.priority : INT_MIN;
                ref->pristine = hit->pristine;
                ovs_list_push_back(&p->tables[hit->table_id].megaflows,
                                   &ref->table_node);
                p->tables[hit->table_id].n_megaflows++;
                if (hit->rule) {
                    ovs_list_push_back(&hit->rule->megaflows,
                                       &ref->rule_node);
                } else {
                    ovs_list_init(&ref->rule_node);
                }
            }
            *xcachep = xc;
        }
    }
    xlate_out_uninit(&xout);
    return error;
}

static void
upcall_push_stats(void *p_, void *xc_, const struct dp_flow_stats *delta)
{
    struct ofproto *p = p_;
    struct xcache *xc = xc_;

    for (size_t i = 0; i < xc->n_hits; i++) {
        struct xlate_hit *hit = &xc->hits[i];
        if (hit->group) {
            hit->group->packet_count += delta->packets;
            hit->group->byte_count += delta->bytes;
            if (hit->bucket < hit->group->n_buckets) {
                hit->group->bucket_stats[hit->bucket].packet_count
                    += delta->packets;
                hit->group->bucket_stats[hit->bucket].byte_count
                    += delta->bytes;
            }
            continue;
        }
        struct oftable *table = &p->tables[hit->table_id];
        table->lookup_count += delta->packets;
        if (hit->rule) {
            table->matched_count += delta->packets;
            if (!(hit->rule->flags & OFPUTIL_FF_NO_PKT_COUNTS)) {
                hit->rule->packet_count += delta->packets;
            }
            if (!(hit->rule->flags & OFPUTIL_FF_NO_BYT_COUNTS)) {
                hit->rule->byte_count += delta->bytes;
            }
            hit->rule->used = MAX(hit->rule->used, delta->used);
        }
    }
}

static void
upcall_free_xcache(void *p, void *xc_)
{
    struct xcache *xc = xc_;
    xcache_unlink(p, xc);
    if (xc->has_region) {
        minimatch_destroy(&xc->region);
    }
    free(xc->refs);
    free(xc);
}

static void
upcall_installed(void *p OVS_UNUSED, void *xc_, struct dp_flow *flow)
{
    struct xcache *xc = xc_;
    xc->flow = flow;
}

struct packet_in_aux {
    struct ofputil_packet_in pin;
    size_t max_len;
};

static struct ofpbuf *
encode_packet_in(const void *aux_, enum ofputil_protocol protocol)
{
    const struct packet_in_aux *aux = aux_;
    struct ofputil_packet_in_private pin = { .base = aux->pin };
    struct ofpbuf *msg = ofputil_encode_packet_in_private(
        &pin, protocol, OFPUTIL_PACKET_IN_STD);

    /* No buffering: send at most 'max_len' bytes (OFPCML_NO_BUFFER: all),
     * with total_len still the whole frame's. */
    size_t len = aux->pin.packet_len;
    if (aux->max_len < len) {
        msg->size -= len - aux->max_len;
    }
    /* Nor more than an OpenFlow message holds: a 16-bit length that
     * wrapped would desynchronise the controller's stream. */
    if (msg->size > UINT16_MAX) {
        msg->size = UINT16_MAX;
    }
    ofpmsg_update_length(msg);
    return msg;
}

static void
send_packet_in(struct ofproto *p, const struct dp_packet *pkt,
               const struct dp_key *key, enum ofp_packet_in_reason reason,
               uint8_t table_id, ovs_be64 cookie, size_t max_len)
{
    struct packet_in_aux aux;

    memset(&aux, 0, sizeof aux);
    aux.pin.packet = CONST_CAST(void *, dp_packet_data(pkt));
    aux.pin.packet_len = dp_packet_size(pkt);
    aux.pin.reason = reason;
    aux.pin.table_id = table_id;
    aux.pin.cookie = cookie;
    match_init_catchall(&aux.pin.flow_metadata);
    match_set_in_port(&aux.pin.flow_metadata, u16_to_ofp(key->in_port));
    aux.max_len = max_len;
    p->n_packet_ins++;
    connmgr_send_async(p->connmgr, OAM_PACKET_IN, reason,
                       encode_packet_in, &aux);
}

static void
upcall_userspace(void *p_, const struct dp_packet *pkt,
                 const struct dp_key *key, const struct dp_action *a)
{
    struct ofproto *p = p_;

    if (a->type == DPA_USERSPACE) {
        send_packet_in(p, pkt, key, a->u8, ntohs(a->be16) & 0xff, a->cookie,
                       a->u32);
    } else {
        /* An invalid TTL (dec_mpls_ttl or dec_ttl on 0 or 1); the action
         * carries the cookie and table of the flow that asked for it. */
        p->n_invalid_ttl++;
        send_packet_in(p, pkt, key, OFPR_INVALID_TTL, ntohs(a->be16) & 0xff,
                       a->cookie, p->config.miss_send_len);
    }
}

static bool
upcall_meter(void *p, struct dp_packet *pkt, uint32_t meter_id)
{
    return meter_execute(p, pkt, meter_id);
}

static const struct dp_upcall_ops upcall_ops = {
    .miss = upcall_miss,
    .meter = upcall_meter,
    .userspace = upcall_userspace,
    .push_stats = upcall_push_stats,
    .free_xcache = upcall_free_xcache,
    .installed = upcall_installed,
};

/* Flow table changes. */

/* Checks instructions or actions against what this switch supports,
 * beyond what libopenvswitch's decoder checked. */
static enum ofperr
check_ofpacts(const struct ofproto *p, const struct ofpact *ofpacts,
              size_t len, uint8_t table_id)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, len) {
        switch (a->type) {
        case OFPACT_OUTPUT:
            /* OpenFlow lets flows name ports that don't exist yet: packets
             * to them are dropped (xlate.c). */
            break;
        case OFPACT_GOTO_TABLE:
            if (ofpact_get_GOTO_TABLE(a)->table_id <= table_id) {
                /* OpenFlow 1.3.5 5.1: goto-table only goes forward. */
                return OFPERR_OFPBIC_BAD_TABLE_ID;
            }
            if (ofpact_get_GOTO_TABLE(a)->table_id >= MVS_N_TABLES) {
                return OFPERR_OFPBIC_BAD_TABLE_ID;
            }
            break;
        case OFPACT_GROUP:
            if (!group_find(p, ofpact_get_GROUP(a)->group_id)) {
                return OFPERR_OFPBAC_BAD_OUT_GROUP;
            }
            break;
        case OFPACT_METER:
            if (!meter_exists(p, ofpact_get_METER(a)->meter_id)) {
                return OFPERR_OFPMMFC_UNKNOWN_METER;
            }
            break;
        case OFPACT_WRITE_ACTIONS: {
            const struct ofpact_nest *on = ofpact_get_WRITE_ACTIONS(a);
            enum ofperr error = check_ofpacts(p, on->actions,
                                              ofpact_nest_get_action_len(on),
                                              table_id);
            if (error) {
                return error;
            }
            break;
        }
        case OFPACT_SET_FIELD: {
            const struct mf_field *mf = ofpact_get_SET_FIELD(a)->field;
            if (!xlate_field_is_settable(mf->id)
                && !ofpext_is_carrier(mf->id)) {
                return OFPERR_OFPBAC_BAD_SET_TYPE;
            }
            break;
        }
        case OFPACT_REG_MOVE: {
            const struct ofpact_reg_move *m = ofpact_get_REG_MOVE(a);
            if (!xlate_field_is_matchable(m->src.field->id)
                || !xlate_field_is_settable(m->dst.field->id)) {
                return OFPERR_OFPBAC_BAD_SET_TYPE;
            }
            break;
        }
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
            return OFPERR_OFPBAC_BAD_TYPE;
        }
    }
    return 0;
}

enum ofperr
ofproto_check_ofpacts(const struct ofproto *p, const struct ofpact *ofpacts,
                      size_t len, uint8_t table_id)
{
    return check_ofpacts(p, ofpacts, len, table_id);
}

static bool
rule_has_out_port(const struct rule *rule, ofp_port_t out_port)
{
    return (out_port == OFPP_ANY
            || ofpacts_output_to_port(rule->ofpacts, rule->ofpacts_len,
                                      out_port));
}

static bool
rule_matches_criteria(const struct rule *rule,
                      const struct ofputil_flow_mod *fm, bool check_out)
{
    if ((rule->cookie & fm->cookie_mask) != (fm->cookie & fm->cookie_mask)) {
        return false;
    }
    if (check_out) {
        if (!rule_has_out_port(rule, fm->out_port)) {
            return false;
        }
        if (fm->out_group != OFPG_ANY
            && !ofpacts_output_to_group(rule->ofpacts, rule->ofpacts_len,
                                        fm->out_group)) {
            return false;
        }
    }
    return true;
}

/* Bundle transactions: an undo log of flow table changes. */

enum undo_type {
    UNDO_ADDED,                 /* 'rule' was added. */
    UNDO_CHANGED,               /* 'rule' was as 'saved' says. */
    UNDO_REMOVED,               /* 'rule' was removed for 'reason'. */
};

struct undo {
    enum undo_type type;
    struct rule *rule;
    struct rule saved;          /* UNDO_CHANGED: every member but 'cr' and
                                 * 'expirable'; owns 'saved.ofpacts'. */
    enum ofp_flow_removed_reason reason;
};

struct ofproto_txn {
    struct undo *undos;
    size_t n, allocated;
};

static struct undo *
txn_log(struct ofproto *p, enum undo_type type, struct rule *rule)
{
    struct ofproto_txn *txn = p->txn;
    if (txn->n >= txn->allocated) {
        txn->undos = x2nrealloc(txn->undos, &txn->allocated,
                                sizeof *txn->undos);
    }
    struct undo *u = &txn->undos[txn->n++];
    memset(u, 0, sizeof *u);
    u->type = type;
    u->rule = rule;
    return u;
}

/* Saves what a change to 'rule' is about to overwrite. */
static void
txn_save(struct ofproto *p, struct rule *rule)
{
    if (p->txn) {
        struct undo *u = txn_log(p, UNDO_CHANGED, rule);
        memcpy(&u->saved, rule, sizeof u->saved);
        u->saved.ofpacts = (rule->ofpacts_len
                            ? xmemdup(rule->ofpacts, rule->ofpacts_len)
                            : NULL);
    }
}

void
ofproto_txn_begin(struct ofproto *p)
{
    ovs_assert(!p->txn);
    /* What came before the bundle commits on its own. */
    offload_commit(p);
    p->txn = xzalloc(sizeof *p->txn);
}

static void rule_finish_removal(struct ofproto *, struct rule *,
                                enum ofp_flow_removed_reason);

void
ofproto_txn_commit(struct ofproto *p)
{
    struct ofproto_txn *txn = p->txn;
    p->txn = NULL;
    /* Before the removals finish: a rule the bundle added and removed
     * again is still in the pending list. */
    ofproto_revalidate(p);
    for (size_t i = 0; i < txn->n; i++) {
        struct undo *u = &txn->undos[i];
        if (u->type == UNDO_CHANGED) {
            free(u->saved.ofpacts);
        } else if (u->type == UNDO_REMOVED) {
            rule_finish_removal(p, u->rule, u->reason);
        }
    }
    free(txn->undos);
    free(txn);
    /* The whole bundle is one kernel commit. */
    offload_commit(p);
}

static void rule_update_expirable(struct ofproto *, struct rule *);

void
ofproto_txn_abort(struct ofproto *p)
{
    struct ofproto_txn *txn = p->txn;
    p->txn = NULL;
    offload_abort(p);
    ofproto_invalidate(p);
    for (size_t i = txn->n; i-- > 0; ) {
        struct undo *u = &txn->undos[i];
        struct rule *rule = u->rule;
        struct classifier *cls = &p->tables[rule->table_id].cls;

        switch (u->type) {
        case UNDO_ADDED:
            classifier_remove_assert(cls, &rule->cr);
            if (!ovs_list_is_empty(&rule->expirable)) {
                ovs_list_remove(&rule->expirable);
            }
            p->n_rules--;
            ovsrcu_postpone(rule_free, rule);
            break;
        case UNDO_CHANGED: {
            struct cls_rule cr;
            struct ovs_list expirable;
            free(rule->ofpacts);
            /* Keep the live classifier and list linkage. */
            memcpy(&cr, &rule->cr, sizeof cr);
            memcpy(&expirable, &rule->expirable, sizeof expirable);
            memcpy(rule, &u->saved, sizeof *rule);
            memcpy(&rule->cr, &cr, sizeof cr);
            memcpy(&rule->expirable, &expirable, sizeof expirable);
            /* ofproto_invalidate() above removed every datapath flow. */
            ovs_list_init(&rule->megaflows);
            rule_update_expirable(p, rule);
            break;
        }
        case UNDO_REMOVED:
            classifier_insert(cls, &rule->cr, p->version, NULL, 0);
            ovs_list_init(&rule->expirable);
            rule_update_expirable(p, rule);
            p->n_rules++;
            break;
        }
    }
    free(txn->undos);
    free(txn);
}

static void
rule_set_actions(struct rule *rule, const struct ofpact *ofpacts, size_t len)
{
    free(rule->ofpacts);
    rule->ofpacts = len ? xmemdup(ofpacts, len) : NULL;
    rule->ofpacts_len = len;
}

static void
rule_update_expirable(struct ofproto *p, struct rule *rule)
{
    if (!ovs_list_is_empty(&rule->expirable)) {
        ovs_list_remove(&rule->expirable);
        ovs_list_init(&rule->expirable);
    }
    if (rule->idle_timeout || rule->hard_timeout) {
        ovs_list_push_back(&p->expirable, &rule->expirable);
    }
}

static enum ofperr
add_flow(struct ofproto *p, const struct ofputil_flow_mod *fm)
{
    if (fm->table_id >= MVS_N_TABLES) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    struct oftable *table = &p->tables[fm->table_id];
    struct cls_rule cr;

    cls_rule_init_from_minimatch(&cr, &fm->match, fm->priority);
    if (fm->flags & OFPUTIL_FF_CHECK_OVERLAP
        && classifier_rule_overlaps(&table->cls, &cr, p->version)) {
        cls_rule_destroy(&cr);
        return OFPERR_OFPFMFC_OVERLAP;
    }

    long long int now = time_msec();
    struct rule *old = rule_from_cls_rule(
        classifier_find_rule_exactly(&table->cls, &cr, p->version));
    if (old) {
        /* OpenFlow 1.3.5 6.4: an identical entry is replaced; its
         * counters are kept unless the new one says OFPFF_RESET_COUNTS. */
        cls_rule_destroy(&cr);
        offload_collect(p, &old, 1);
        rule_kill_megaflows(p, old);
        txn_save(p, old);
        rule_set_actions(old, fm->ofpacts, fm->ofpacts_len);
        old->cookie = fm->new_cookie;
        old->idle_timeout = fm->idle_timeout;
        old->hard_timeout = fm->hard_timeout;
        old->importance = fm->importance;
        old->flags = fm->flags;
        old->created = old->modified = old->used = now;
        if (fm->flags & OFPUTIL_FF_RESET_COUNTS) {
            old->packet_count = old->byte_count = 0;
        }
        rule_update_expirable(p, old);
        offload_rule_changed(p, old);
        return 0;
    }

    struct rule *rule = xzalloc(sizeof *rule);
    cls_rule_move(&rule->cr, &cr);
    rule->table_id = fm->table_id;
    rule->cookie = fm->new_cookie;
    rule->idle_timeout = fm->idle_timeout;
    rule->hard_timeout = fm->hard_timeout;
    rule->importance = fm->importance;
    rule->flags = fm->flags;
    rule->created = rule->modified = rule->used = now;
    rule_set_actions(rule, fm->ofpacts, fm->ofpacts_len);
    ovs_list_init(&rule->expirable);
    ovs_list_init(&rule->megaflows);
    rule_update_expirable(p, rule);
    classifier_insert(&table->cls, &rule->cr, p->version, NULL, 0);
    p->n_rules++;
    if (p->txn) {
        txn_log(p, UNDO_ADDED, rule);
    }
    /* Revalidated with the other adds of this run: ofproto_revalidate(). */
    if (p->n_added >= p->allocated_added) {
        p->added = x2nrealloc(p->added, &p->allocated_added, sizeof *p->added);
    }
    p->added[p->n_added++] = rule;
    offload_rule_changed(p, rule);
    return 0;
}

static void
modify_rule(struct ofproto *p, struct rule *rule,
            const struct ofputil_flow_mod *fm)
{
    rule_kill_megaflows(p, rule);
    txn_save(p, rule);
    rule_set_actions(rule, fm->ofpacts, fm->ofpacts_len);
    if (fm->modify_cookie && fm->new_cookie != OVS_BE64_MAX) {
        rule->cookie = fm->new_cookie;
    }
    rule->modified = time_msec();
    if (fm->flags & OFPUTIL_FF_RESET_COUNTS) {
        rule->packet_count = rule->byte_count = 0;
    }
    offload_rule_changed(p, rule);
}

/* Collects the rules 'fm' selects, loose or strict, in 'table_id' or in
 * every table (OFPTT_ALL). */
static void
collect_rules(struct ofproto *p, const struct ofputil_flow_mod *fm,
              bool strict, bool check_out, struct rule ***rulesp, size_t *np)
{
    size_t n = 0, allocated = 0;
    struct rule **rules = NULL;
    struct cls_rule target;

    cls_rule_init_from_minimatch(&target, &fm->match, fm->priority);
    for (int t = 0; t < MVS_N_TABLES; t++) {
        if (fm->table_id != OFPTT_ALL && fm->table_id != t) {
            continue;
        }
        struct classifier *cls = &p->tables[t].cls;
        if (strict) {
            struct rule *rule = rule_from_cls_rule(
                classifier_find_rule_exactly(cls, &target, p->version));
            if (rule && rule_matches_criteria(rule, fm, check_out)) {
                if (n >= allocated) {
                    rules = x2nrealloc(rules, &allocated, sizeof *rules);
                }
                rules[n++] = rule;
            }
        } else {
            struct rule *rule;
            CLS_FOR_EACH_TARGET (rule, cr, cls, &target, p->version) {
                if (rule_matches_criteria(rule, fm, check_out)) {
                    if (n >= allocated) {
                        rules = x2nrealloc(rules, &allocated, sizeof *rules);
                    }
                    rules[n++] = rule;
                }
            }
        }
    }
    cls_rule_destroy(&target);
    *rulesp = rules;
    *np = n;
}

static enum ofperr
modify_flows(struct ofproto *p, const struct ofputil_flow_mod *fm,
             bool strict)
{
    if (fm->table_id != OFPTT_ALL && fm->table_id >= MVS_N_TABLES) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    struct rule **rules;
    size_t n;
    collect_rules(p, fm, strict, false, &rules, &n);
    if (fm->table_id == OFPTT_ALL) {
        /* ofproto_flow_mod() checked goto-table against table 0: each
         * rule's own table decides (a goto to itself would loop). */
        for (size_t i = 0; i < n; i++) {
            enum ofperr error = check_ofpacts(p, fm->ofpacts,
                                              fm->ofpacts_len,
                                              rules[i]->table_id);
            if (error) {
                free(rules);
                return error;
            }
        }
    }
    offload_collect(p, rules, n);
    for (size_t i = 0; i < n; i++) {
        modify_rule(p, rules[i], fm);
    }
    free(rules);

    if (!n && fm->cookie_mask == htonll(0)
        && fm->new_cookie != OVS_BE64_MAX && fm->table_id != OFPTT_ALL) {
        return add_flow(p, fm);
    }
    return 0;
}

static enum ofperr
delete_flows(struct ofproto *p, const struct ofputil_flow_mod *fm,
             bool strict)
{
    if (fm->table_id != OFPTT_ALL && fm->table_id >= MVS_N_TABLES) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    struct rule **rules;
    size_t n;
    collect_rules(p, fm, strict, true, &rules, &n);
    offload_collect(p, rules, n);
    for (size_t i = 0; i < n; i++) {
        rule_remove(p, rules[i], OFPRR_DELETE);
    }
    free(rules);
    return 0;
}

static struct ofpbuf *
encode_flow_removed(const void *fr_, enum ofputil_protocol protocol)
{
    struct ofpbuf *msg = ofputil_encode_flow_removed(fr_, protocol);
    ofpext_msg_from_carriers(msg);
    return msg;
}

/* Tells controllers that asked that 'rule' is gone, and frees it once no
 * classifier reader can see it. */
static void
rule_finish_removal(struct ofproto *p, struct rule *rule,
                    enum ofp_flow_removed_reason reason)
{
    if (rule->flags & OFPUTIL_FF_SEND_FLOW_REM) {
        struct ofputil_flow_removed fr;
        long long int age = time_msec() - rule->created;

        memset(&fr, 0, sizeof fr);
        minimatch_expand(&rule->cr.match, &fr.match);
        fr.cookie = rule->cookie;
        fr.priority = rule->cr.priority;
        fr.reason = reason;
        fr.table_id = rule->table_id;
        fr.duration_sec = age / 1000;
        fr.duration_nsec = (age % 1000) * 1000000;
        fr.idle_timeout = rule->idle_timeout;
        fr.hard_timeout = rule->hard_timeout;
        fr.packet_count = rule->packet_count;
        fr.byte_count = rule->byte_count;
        connmgr_send_async(p->connmgr, OAM_FLOW_REMOVED, reason,
                           encode_flow_removed, &fr);
    }
    ovsrcu_postpone(rule_free, rule);
}

/* Removes 'rule' from its table, telling controllers that asked (at the
 * end of a bundle commit, if one is in progress). */
static void
rule_remove(struct ofproto *p, struct rule *rule,
            enum ofp_flow_removed_reason reason)
{
    rule_kill_megaflows(p, rule);
    if (!ovs_list_is_empty(&rule->expirable)) {
        ovs_list_remove(&rule->expirable);
        ovs_list_init(&rule->expirable);
    }
    classifier_remove_assert(&p->tables[rule->table_id].cls, &rule->cr);
    p->n_rules--;
    offload_rule_removed(p, rule);
    if (p->txn) {
        txn_log(p, UNDO_REMOVED, rule)->reason = reason;
    } else {
        rule_finish_removal(p, rule, reason);
    }
}

void
ofproto_rule_delete(struct ofproto *p, struct rule *rule,
                    enum ofp_flow_removed_reason reason)
{
    rule_remove(p, rule, reason);
}

/* OpenFlow 1.3.5 6.5: deleting a group removes the flows that use it. */
void
ofproto_delete_flows_to_group(struct ofproto *p, uint32_t group_id)
{
    for (int t = 0; t < MVS_N_TABLES; t++) {
        struct rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            if (ofpacts_output_to_group(rule->ofpacts, rule->ofpacts_len,
                                        group_id)) {
                rule_remove(p, rule, OFPRR_GROUP_DELETE);
            }
        }
    }
}

int
ofproto_flow_mod(struct ofproto *p, const struct ofputil_flow_mod *fm)
{
    enum ofperr error;

    if (fm->command == OFPFC_ADD || fm->command == OFPFC_MODIFY
        || fm->command == OFPFC_MODIFY_STRICT) {
        uint8_t table_id = fm->table_id == OFPTT_ALL ? 0 : fm->table_id;
        error = check_ofpacts(p, fm->ofpacts, fm->ofpacts_len, table_id);
        if (error) {
            return error;
        }
    }

    /* The rules that change or go, and the rules a new one may take
     * packets from, remove the datapath flows they are in (see
     * "Revalidation"), pushing their counters first. */
    switch (fm->command) {
    case OFPFC_ADD:
        error = add_flow(p, fm);
        break;
    case OFPFC_MODIFY:
        error = modify_flows(p, fm, false);
        break;
    case OFPFC_MODIFY_STRICT:
        error = modify_flows(p, fm, true);
        break;
    case OFPFC_DELETE:
        error = delete_flows(p, fm, false);
        break;
    case OFPFC_DELETE_STRICT:
        error = delete_flows(p, fm, true);
        break;
    default:
        error = OFPERR_OFPFMFC_BAD_COMMAND;
        break;
    }
    return error;
}

/* Parses flow text 'line' (extensions included, ofp-ext.h) into 'fm' and
 * checks it as a flow-mod from a controller would be.  Returns NULL or a
 * malloc'd error. */
static char *
parse_flow_line(const char *line, struct ofputil_flow_mod *fm)
{
    struct ofpext_count introduced = { 0, 0 };
    enum ofputil_protocol usable;
    char *pre;
    char *error = ofpext_text_to_carriers(line, &pre, &introduced);
    if (error) {
        return error;
    }
    error = parse_ofp_flow_mod_str(fm, pre, NULL, NULL, -2, &usable);
    free(pre);
    if (error) {
        return error;
    }
    if (fm->table_id == OFPTT_ALL && fm->command == OFPFC_ADD) {
        /* A flow without "table=" means table 0, as ovs-ofctl sends it. */
        fm->table_id = 0;
    }
    struct match match;
    minimatch_expand(&fm->match, &match);
    enum ofperr err = ofproto_check_decoded(&introduced, &match, fm->ofpacts,
                                            fm->ofpacts_len);
    if (err) {
        free(CONST_CAST(struct ofpact *, fm->ofpacts));
        minimatch_destroy(&fm->match);
        return xstrdup(ofperr_to_string(err));
    }
    return NULL;
}

char *
ofproto_load_flows(struct ofproto *p, const char *file_name)
{
    FILE *file = !strcmp(file_name, "-") ? stdin : fopen(file_name, "r");
    struct ds line = DS_EMPTY_INITIALIZER;
    int line_number = 0;
    size_t n = 0;
    char *error = NULL;

    if (!file) {
        return xasprintf("%s: open failed (%s)", file_name,
                         ovs_strerror(errno));
    }
    while (!error && !ds_get_preprocessed_line(&line, file, &line_number)) {
        struct ofputil_flow_mod fm;
        char *why = parse_flow_line(ds_cstr(&line), &fm);
        if (why) {
            error = xasprintf("%s:%d: %s", file_name, line_number, why);
            free(why);
            break;
        }
        int err = ofproto_flow_mod(p, &fm);
        if (err) {
            error = xasprintf("%s:%d: %s", file_name, line_number,
                              ofperr_to_string(err));
        }
        free(CONST_CAST(struct ofpact *, fm.ofpacts));
        minimatch_destroy(&fm.match);
        n++;
    }
    ds_destroy(&line);
    if (file != stdin) {
        fclose(file);
    }
    if (!error) {
        VLOG_INFO("%s: loaded %"PRIuSIZE" flows from %s", p->name, n,
                  file_name);
    }
    offload_commit(p);
    ofproto_revalidate(p);
    return error;
}

/* Timeouts. */

static void
expire_rules(struct ofproto *p)
{
    long long int now = time_msec();
    struct rule *rule;
    bool pushed = false;

    LIST_FOR_EACH_SAFE (rule, expirable, &p->expirable) {
        /* rule_remove() removes the datapath flows that hit the rule,
         * pushing their counters into it first. */
        if (rule->hard_timeout
            && now >= rule->modified + rule->hard_timeout * 1000LL) {
            rule_remove(p, rule, OFPRR_HARD_TIMEOUT);
            continue;
        }
        if (rule->idle_timeout) {
            if (!pushed) {
                /* 'used' comes from the datapath's counters. */
                datapath_push_stats(p->dp);
                pushed = true;
            }
            if (now >= rule->used + rule->idle_timeout * 1000LL) {
                rule_remove(p, rule, OFPRR_IDLE_TIMEOUT);
            }
        }
    }
}

/* OpenFlow message handlers. */

static enum ofperr
handle_features_request(struct ofproto *p, struct ofconn *ofconn,
                        const struct ofp_header *oh)
{
    struct ofputil_switch_features features = {
        .datapath_id = p->datapath_id,
        .n_buffers = 0,
        .n_tables = MVS_N_TABLES,
        .capabilities = (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS
                         | OFPUTIL_C_PORT_STATS | OFPUTIL_C_GROUP_STATS
                         | OFPUTIL_C_QUEUE_STATS),
        .ofpacts = (UINT64_C(1) << N_OFPACTS) - 1,
    };
    struct ofpbuf *b = ofputil_encode_switch_features(
        &features, ofconn_get_protocol(ofconn), oh->xid);
    if (ofputil_switch_features_has_ports(b)) {
        struct ofport *port;
        HMAP_FOR_EACH (port, node, &p->ports) {
            struct ofputil_phy_port pp;
            ofproto_fill_port_desc(p, port, &pp);
            ofputil_put_switch_features_port(&pp, b);
        }
    }
    ofconn_send_reply(ofconn, b);
    return 0;
}

static enum ofperr
handle_set_config(struct ofproto *p, const struct ofp_header *oh)
{
    struct ofputil_switch_config config;
    enum ofperr error = ofputil_decode_set_config(oh, &config);
    if (error) {
        return error;
    }
    if (config.frag != OFPUTIL_FRAG_NORMAL
        && config.frag != OFPUTIL_FRAG_DROP) {
        /* Reassembly is not offered (the features reply says so). */
        config.frag = p->config.frag;
    }
    if (config.frag != p->config.frag) {
        ofproto_invalidate(p);
    }
    p->config.frag = config.frag;
    p->config.miss_send_len = config.miss_send_len;
    if (config.invalid_ttl_to_controller >= 0) {
        p->config.invalid_ttl_to_controller
            = config.invalid_ttl_to_controller;
    }
    return 0;
}

static bool
is_slave(const struct ofconn *ofconn)
{
    return ofconn_get_role(ofconn) == OFPCR12_ROLE_SECONDARY;
}

static enum ofperr handle_flow_mod(struct ofproto *, struct ofconn *,
                                   const struct ofp_header *,
                                   const struct ofpext_count *);

enum ofperr
ofproto_handle_flow_mod_msg(struct ofproto *p, struct ofconn *ofconn,
                            const struct ofp_header *oh)
{
    struct ofpext_count introduced = { 0, 0 };
    struct ofpbuf *rewritten;
    enum ofperr error = ofpext_msg_to_carriers(oh, &rewritten, &introduced);
    if (!error) {
        error = handle_flow_mod(p, ofconn, rewritten ? rewritten->data : oh,
                                &introduced);
    }
    ofpbuf_delete(rewritten);
    return error;
}

/* Checks a decoded match (NULL if none) and actions against what mvs
 * implements and against the extension codec's carriers: 'introduced' is
 * what ofpext_msg_to_carriers() put there, and anything else naming a
 * carrier came from the controller (ofp-ext.h). */
enum ofperr
ofproto_check_decoded(const struct ofpext_count *introduced,
                      const struct match *match,
                      const struct ofpact *ofpacts, size_t len)
{
    struct ofpext_count found = { 0, 0 };
    enum ofperr error;

    if (match) {
        ofpext_count_match(&found, match);
    }
    ofpext_count_ofpacts(&found, ofpacts, len);
    error = ofpext_count_check(introduced, &found);
    if (!error && match) {
        error = xlate_check_match(match);
    }
    if (!error && match) {
        error = ofpext_check_match(match);
    }
    if (!error && match) {
        error = ofpext_check_ofpacts(match, ofpacts, len);
    }
    return error;
}

static enum ofperr
handle_flow_mod(struct ofproto *p, struct ofconn *ofconn,
                const struct ofp_header *oh,
                const struct ofpext_count *introduced)
{
    struct ofputil_flow_mod fm;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);

    if (is_slave(ofconn)) {
        return OFPERR_OFPBRC_IS_SECONDARY;
    }
    enum ofperr error = ofputil_decode_flow_mod(
        &fm, oh, ofconn_get_protocol(ofconn), NULL, NULL, &ofpacts,
        OFPP_MAX, MVS_N_TABLES);
    if (!error) {
        struct match match;
        minimatch_expand(&fm.match, &match);
        struct ofpact_check_params cp = {
            .match = &match,
            .max_ports = OFPP_MAX,
            .table_id = fm.table_id == OFPTT_ALL ? 0 : fm.table_id,
            .n_tables = MVS_N_TABLES,
        };
        error = ofproto_check_decoded(introduced, &match, fm.ofpacts,
                                      fm.ofpacts_len);
        if (!error) {
            error = ofpacts_check_consistency(fm.ofpacts, fm.ofpacts_len,
                                              ofconn_get_protocol(ofconn),
                                              &cp);
        }
        if (!error) {
            error = ofproto_flow_mod(p, &fm);
        }
        if (!error && fm.buffer_id != UINT32_MAX) {
            /* The flow is in; there is no buffered packet to apply it to
             * (the switch buffers none: n_buffers is 0). */
            error = OFPERR_OFPBRC_BUFFER_UNKNOWN;
        }
        minimatch_destroy(&fm.match);
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}

static void
fill_flow_stats(const struct rule *rule, long long int now,
                struct ofputil_flow_stats *fs)
{
    memset(fs, 0, sizeof *fs);
    minimatch_expand(&rule->cr.match, &fs->match);
    fs->priority = rule->cr.priority;
    fs->cookie = rule->cookie;
    fs->table_id = rule->table_id;
    long long int age = now - rule->created;
    fs->duration_sec = age / 1000;
    fs->duration_nsec = (age % 1000) * 1000000;
    fs->idle_timeout = rule->idle_timeout;
    fs->hard_timeout = rule->hard_timeout;
    fs->idle_age = (now - rule->used) / 1000;
    fs->hard_age = (now - rule->modified) / 1000;
    fs->packet_count = (rule->flags & OFPUTIL_FF_NO_PKT_COUNTS
                        ? UINT64_MAX : rule->packet_count);
    fs->byte_count = (rule->flags & OFPUTIL_FF_NO_BYT_COUNTS
                      ? UINT64_MAX : rule->byte_count);
    fs->ofpacts = rule->ofpacts;
    fs->ofpacts_len = rule->ofpacts_len;
    fs->flags = rule->flags;
    fs->importance = rule->importance;
}

/* Calls 'cb' for every rule a flow or aggregate stats request selects. */
static enum ofperr
for_each_requested_rule(struct ofproto *p,
                        const struct ofputil_flow_stats_request *fsr,
                        void (*cb)(void *aux, const struct rule *),
                        void *aux)
{
    if (fsr->table_id != OFPTT_ALL && fsr->table_id >= MVS_N_TABLES) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    struct cls_rule target;
    cls_rule_init(&target, &fsr->match, 0);
    for (int t = 0; t < MVS_N_TABLES; t++) {
        if (fsr->table_id != OFPTT_ALL && fsr->table_id != t) {
            continue;
        }
        struct rule *rule;
        CLS_FOR_EACH_TARGET (rule, cr, &p->tables[t].cls, &target,
                             p->version) {
            if ((rule->cookie & fsr->cookie_mask)
                != (fsr->cookie & fsr->cookie_mask)) {
                continue;
            }
            if (!rule_has_out_port(rule, fsr->out_port)) {
                continue;
            }
            if (fsr->out_group != OFPG_ANY
                && !ofpacts_output_to_group(rule->ofpacts, rule->ofpacts_len,
                                            fsr->out_group)) {
                continue;
            }
            cb(aux, rule);
        }
    }
    cls_rule_destroy(&target);
    return 0;
}

struct flow_stats_aux {
    struct ovs_list replies;
    long long int now;
};

static void
append_flow_stats(void *aux_, const struct rule *rule)
{
    struct flow_stats_aux *aux = aux_;
    struct ofputil_flow_stats fs;
    fill_flow_stats(rule, aux->now, &fs);
    ofputil_append_flow_stats_reply(&fs, &aux->replies, NULL);
}

static void
add_aggregate(void *aux_, const struct rule *rule)
{
    struct ofputil_aggregate_stats *stats = aux_;
    if (!(rule->flags & OFPUTIL_FF_NO_PKT_COUNTS)) {
        stats->packet_count += rule->packet_count;
    }
    if (!(rule->flags & OFPUTIL_FF_NO_BYT_COUNTS)) {
        stats->byte_count += rule->byte_count;
    }
    stats->flow_count++;
}

static enum ofperr
handle_flow_stats_request(struct ofproto *p, struct ofconn *ofconn,
                          const struct ofp_header *oh, bool aggregate,
                          const struct ofpext_count *introduced)
{
    struct ofputil_flow_stats_request fsr;
    enum ofperr error = ofputil_decode_flow_stats_request(&fsr, oh, NULL,
                                                          NULL);
    if (!error) {
        error = ofproto_check_decoded(introduced, &fsr.match, NULL, 0);
    }
    if (error) {
        return error;
    }
    datapath_push_stats(p->dp);
    offload_refresh_stats(p);
    if (aggregate) {
        struct ofputil_aggregate_stats stats = { 0, 0, 0 };
        error = for_each_requested_rule(p, &fsr, add_aggregate, &stats);
        if (!error) {
            ofconn_send_reply(ofconn,
                              ofputil_encode_aggregate_stats_reply(&stats,
                                                                   oh));
        }
        return error;
    }

    struct flow_stats_aux aux = { .now = time_msec() };
    ofpmp_init(&aux.replies, oh);
    error = for_each_requested_rule(p, &fsr, append_flow_stats, &aux);
    if (error) {
        ofpbuf_list_delete(&aux.replies);
        return error;
    }
    struct ofpbuf *reply;
    LIST_FOR_EACH (reply, list_node, &aux.replies) {
        ofpext_msg_from_carriers(reply);
    }
    ofconn_send_replies(ofconn, &aux.replies);
    return 0;
}

static enum ofperr
handle_desc_stats_request(struct ofproto *p, struct ofconn *ofconn,
                          const struct ofp_header *oh)
{
    struct ofpbuf *msg = ofpraw_alloc_stats_reply(oh, 0);
    struct ofp_desc_stats *ods = ofpbuf_put_zeros(msg, sizeof *ods);
    ovs_strlcpy(ods->mfr_desc, "mvs developers", sizeof ods->mfr_desc);
    ovs_strlcpy(ods->hw_desc, "mvs userspace MPLS datapath",
                sizeof ods->hw_desc);
    ovs_strlcpy(ods->sw_desc, "mvs " PACKAGE_VERSION_MVS, sizeof ods->sw_desc);
    ovs_strlcpy(ods->serial_num, "None", sizeof ods->serial_num);
    ovs_strlcpy(ods->dp_desc, p->name, sizeof ods->dp_desc);
    ofconn_send_reply(ofconn, msg);
    return 0;
}

static enum ofperr
handle_table_stats_request(struct ofproto *p, struct ofconn *ofconn,
                           const struct ofp_header *oh)
{
    datapath_push_stats(p->dp);
    struct ofpbuf *reply = ofputil_encode_table_stats_reply(oh);
    for (int i = 0; i < MVS_N_TABLES; i++) {
        struct ofputil_table_stats stats = {
            .table_id = i,
            .active_count = classifier_count(&p->tables[i].cls),
            .lookup_count = p->tables[i].lookup_count,
            .matched_count = p->tables[i].matched_count,
        };
        struct ofputil_table_features features = {
            .table_id = i,
            .max_entries = 1000000,
            .nonmiss = {
                .instructions = ((1u << N_OVS_INSTRUCTIONS) - 1),
            },
        };
        features.miss = features.nonmiss;
        ofputil_append_table_stats_reply(reply, &stats, &features);
    }
    ofconn_send_reply(ofconn, reply);
    return 0;
}

/* What every table offers (they are all alike). */
static void
fill_table_features(uint8_t table_id, struct ofputil_table_features *f)
{
    memset(f, 0, sizeof *f);
    f->table_id = table_id;
    snprintf(f->name, sizeof f->name, "table%d", table_id);
    f->metadata_match = OVS_BE64_MAX;
    f->metadata_write = OVS_BE64_MAX;
    f->max_entries = 1000000;
    f->any_properties = true;
    f->miss_config = OFPUTIL_TABLE_MISS_DEFAULT;
    for (int j = table_id + 1; j < MVS_N_TABLES; j++) {
        bitmap_set1(f->nonmiss.next, j);
    }
    f->nonmiss.instructions = (1u << N_OVS_INSTRUCTIONS) - 1;
    if (table_id == MVS_N_TABLES - 1) {
        f->nonmiss.instructions &= ~(1u << OVSINST_OFPIT11_GOTO_TABLE);
    }
    f->nonmiss.write.ofpacts = (UINT64_C(1) << N_OFPACTS) - 1;
    f->nonmiss.write.set_fields = oxm_writable_fields();
    f->nonmiss.apply = f->nonmiss.write;
    f->miss = f->nonmiss;
    f->match = oxm_matchable_fields();
    f->mask = oxm_maskable_fields();
    f->wildcard = oxm_matchable_fields();
}

static enum ofperr
handle_table_features_request(struct ofconn *ofconn,
                              const struct ofp_header *oh)
{
    struct ofpbuf msg = ofpbuf_const_initializer(oh, ntohs(oh->length));
    ofpraw_pull_assert(&msg);
    if (msg.size) {
        /* Reconfiguring tables is not supported: every table is fully
         * capable already. */
        return OFPERR_OFPTFFC_EPERM;
    }
    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    for (int i = 0; i < MVS_N_TABLES; i++) {
        struct ofputil_table_features f;
        fill_table_features(i, &f);
        ofputil_append_table_features(&f, NULL, &replies);
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

/* Ports have one queue each, which OpenFlow does not number: queue
 * requests get empty answers, or BAD_PORT/BAD_QUEUE. */
static enum ofperr
handle_queue_get_config(struct ofproto *p, struct ofconn *ofconn,
                        const struct ofp_header *oh)
{
    ofp_port_t port;
    uint32_t queue;
    enum ofperr error = ofputil_decode_queue_get_config_request(oh, &port,
                                                                &queue);
    if (error) {
        return error;
    }
    if (port != OFPP_ANY && !ofproto_get_port(p, port)) {
        return OFPERR_OFPQOFC_BAD_PORT;
    }
    struct ovs_list replies;
    ofputil_start_queue_get_config_reply(oh, &replies);
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

static enum ofperr
handle_queue_stats_request(struct ofproto *p, struct ofconn *ofconn,
                           const struct ofp_header *oh)
{
    struct ofputil_queue_stats_request qsr;
    enum ofperr error = ofputil_decode_queue_stats_request(oh, &qsr);
    if (error) {
        return error;
    }
    if (qsr.port_no != OFPP_ANY && !ofproto_get_port(p, qsr.port_no)) {
        return OFPERR_OFPQOFC_BAD_PORT;
    }
    if (qsr.queue_id != OFPQ_ALL) {
        return OFPERR_OFPQOFC_BAD_QUEUE;
    }
    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

static void
append_port_stats(const struct ofport *port, struct ovs_list *replies)
{
    const struct dp_port_stats *st = &port->dp_port->stats;
    struct ofputil_port_stats ops;
    long long int age = time_msec() - port->created;

    memset(&ops, 0, sizeof ops);
    ops.port_no = port->ofp_port;
    ops.stats.rx_packets = st->rx_packets;
    ops.stats.tx_packets = st->tx_packets;
    ops.stats.rx_bytes = st->rx_bytes;
    ops.stats.tx_bytes = st->tx_bytes;
    ops.stats.rx_dropped = st->rx_dropped;
    ops.stats.tx_dropped = st->tx_dropped;
    ops.stats.rx_errors = st->rx_errors;
    ops.stats.tx_errors = st->tx_errors;
    ops.stats.rx_frame_errors = UINT64_MAX;
    ops.stats.rx_over_errors = UINT64_MAX;
    ops.stats.rx_crc_errors = UINT64_MAX;
    ops.stats.collisions = UINT64_MAX;
    ops.duration_sec = age / 1000;
    ops.duration_nsec = (age % 1000) * 1000000;
    ofputil_append_port_stat(replies, &ops);
}

static enum ofperr
handle_port_stats_request(struct ofproto *p, struct ofconn *ofconn,
                          const struct ofp_header *oh)
{
    ofp_port_t port_no;
    enum ofperr error = ofputil_decode_port_stats_request(oh, &port_no);
    if (error) {
        return error;
    }
    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    if (port_no != OFPP_ANY) {
        struct ofport *port = ofproto_get_port(p, port_no);
        if (!port) {
            ofpbuf_list_delete(&replies);
            return OFPERR_OFPBRC_BAD_PORT;
        }
        append_port_stats(port, &replies);
    } else {
        struct dp_port *dps[1024];
        size_t n = datapath_ports(p->dp, dps, ARRAY_SIZE(dps));
        for (size_t i = 0; i < n && i < ARRAY_SIZE(dps); i++) {
            append_port_stats(ofproto_get_port(p, u16_to_ofp(dps[i]->port_no)),
                              &replies);
        }
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

static enum ofperr
handle_port_desc_stats_request(struct ofproto *p, struct ofconn *ofconn,
                               const struct ofp_header *oh)
{
    ofp_port_t port_no;
    enum ofperr error = ofputil_decode_port_desc_stats_request(oh, &port_no);
    if (error) {
        return error;
    }
    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    struct dp_port *dps[1024];
    size_t n = datapath_ports(p->dp, dps, ARRAY_SIZE(dps));
    for (size_t i = 0; i < n && i < ARRAY_SIZE(dps); i++) {
        struct ofport *port = ofproto_get_port(p, u16_to_ofp(dps[i]->port_no));
        if (port_no == OFPP_ANY || port_no == port->ofp_port) {
            struct ofputil_phy_port pp;
            ofproto_fill_port_desc(p, port, &pp);
            ofputil_append_port_desc_stats_reply(&pp, &replies);
        }
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

static enum ofperr
handle_port_mod(struct ofproto *p, struct ofconn *ofconn,
                const struct ofp_header *oh)
{
    struct ofputil_port_mod pm;
    if (is_slave(ofconn)) {
        return OFPERR_OFPBRC_IS_SECONDARY;
    }
    enum ofperr error = ofputil_decode_port_mod(oh, &pm, false);
    if (error) {
        return error;
    }
    struct ofport *port = ofproto_get_port(p, pm.port_no);
    if (!port) {
        return OFPERR_OFPPMFC_BAD_PORT;
    }
    if (!eth_addr_equals(port->dp_port->mac, pm.hw_addr)) {
        return OFPERR_OFPPMFC_BAD_HW_ADDR;
    }
    enum ofputil_port_config old = port->config;
    port->config = (port->config & ~pm.mask) | (pm.config & pm.mask);
    if (pm.mask & OFPUTIL_PC_PORT_DOWN) {
        dp_port_set_admin(port->dp_port,
                          !(pm.config & OFPUTIL_PC_PORT_DOWN));
        dp_port_refresh(port->dp_port);
    }
    port->config &= ~OFPUTIL_PC_PORT_DOWN;
    if (old != port->config || pm.mask & OFPUTIL_PC_PORT_DOWN) {
        ofproto_invalidate(p);
        send_port_status(p, port, OFPPR_MODIFY);
    }
    return 0;
}

static enum ofperr
handle_packet_out(struct ofproto *p, struct ofconn *ofconn,
                  const struct ofp_header *oh,
                  const struct ofpext_count *introduced)
{
    struct ofputil_packet_out po;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);

    if (is_slave(ofconn)) {
        return OFPERR_OFPBRC_IS_SECONDARY;
    }
    enum ofperr error = ofputil_decode_packet_out(&po, oh, NULL, &ofpacts);
    if (error) {
        goto exit;
    }
    if (po.buffer_id != UINT32_MAX) {
        error = OFPERR_OFPBRC_BUFFER_UNKNOWN;
        goto exit;
    }
    ofp_port_t in_port = po.flow_metadata.flow.in_port.ofp_port;
    if (ofp_to_u16(in_port) >= ofp_to_u16(OFPP_MAX)
        && in_port != OFPP_CONTROLLER && in_port != OFPP_LOCAL
        && in_port != OFPP_NONE && in_port != OFPP_ANY) {
        error = OFPERR_OFPBRC_BAD_PORT;
        goto exit;
    }
    struct ofpact_check_params cp = {
        .match = &po.flow_metadata,
        .max_ports = OFPP_MAX,
        .table_id = 0,
        .n_tables = MVS_N_TABLES,
    };
    error = ofproto_check_decoded(introduced, &po.flow_metadata,
                                  po.ofpacts, po.ofpacts_len);
    if (!error) {
        error = ofpacts_check_consistency(po.ofpacts, po.ofpacts_len,
                                          ofconn_get_protocol(ofconn), &cp);
    }
    if (!error) {
        error = check_ofpacts(p, po.ofpacts, po.ofpacts_len, 0);
    }
    if (error) {
        goto exit;
    }
    if (po.packet_len < ETH_HEADER_LEN
        || po.packet_len > UINT16_MAX - DP_PORT_HEADROOM) {
        /* A dp_packet holds at most 64 kB, headroom included. */
        error = OFPERR_OFPBRC_BAD_LEN;
        goto exit;
    }

    struct dp_packet *pkt = dp_packet_clone_data_with_headroom(
        po.packet, po.packet_len, DP_PORT_HEADROOM);
    struct dp_key key;
    dp_parse(pkt, ofp_to_u16(in_port), 0, 0, 0, &key);

    struct xlate_in xin = {
        .ofproto = p,
        .key = &key,
        .ofpacts = po.ofpacts,
        .ofpacts_len = po.ofpacts_len,
    };
    struct xlate_out xout;
    xlate_out_init(&xout);
    xlate(&xin, &xout);
    /* A recirculation in the actions looks the packet up in the cache:
     * flow-mods that came before this packet-out count. */
    ofproto_revalidate(p);
    datapath_execute(p->dp, pkt, ofp_to_u16(in_port), xout.actions.data,
                     xout.actions.size / sizeof(struct dp_action));
    xlate_out_uninit(&xout);
    dp_packet_delete(pkt);

exit:
    ofpbuf_uninit(&ofpacts);
    return error;
}

static enum ofperr
handle_role_request(struct ofproto *p, struct ofconn *ofconn,
                    const struct ofp_header *oh)
{
    struct ofputil_role_request request;
    enum ofperr error = ofputil_decode_role_message(oh, &request);
    if (error) {
        return error;
    }
    if (request.role != OFPCR12_ROLE_NOCHANGE) {
        error = connmgr_change_role(p->connmgr, ofconn, request.role,
                                    request.have_generation_id,
                                    request.generation_id);
        if (error) {
            return error;
        }
    }
    struct ofputil_role_request reply = {
        .role = ofconn_get_role(ofconn),
        .have_generation_id = true,
        .generation_id = request.have_generation_id
                         ? request.generation_id : 0,
    };
    ofconn_send_reply(ofconn, ofputil_encode_role_reply(oh, &reply));
    return 0;
}

static enum ofperr
handle_set_async(struct ofconn *ofconn, const struct ofp_header *oh)
{
    struct ofputil_async_cfg ac;
    enum ofperr error = ofputil_decode_set_async_config(
        oh, false, ofconn_get_async_config(ofconn), &ac);
    if (!error) {
        ofconn_set_async_config(ofconn, &ac);
    }
    return error;
}

void
ofproto_handle_openflow(struct ofproto *p, struct ofconn *ofconn,
                        const struct ofpbuf *msg)
{
    const struct ofp_header *request = msg->data;
    const struct ofp_header *oh = request;
    enum ofptype type;
    enum ofperr error = ofptype_decode(&type, oh);

    /* Extensions libopenvswitch cannot decode travel in carriers it can
     * (ofp-ext.h). */
    struct ofpext_count introduced = { 0, 0 };
    struct ofpbuf *rewritten = NULL;
    if (!error && (type == OFPTYPE_FLOW_MOD || type == OFPTYPE_PACKET_OUT
                   || type == OFPTYPE_GROUP_MOD
                   || type == OFPTYPE_FLOW_STATS_REQUEST
                   || type == OFPTYPE_AGGREGATE_STATS_REQUEST)) {
        error = ofpext_msg_to_carriers(oh, &rewritten, &introduced);
        if (rewritten) {
            oh = rewritten->data;
        }
    }

    if (!error) {
        switch (type) {
        case OFPTYPE_HELLO:
            break;
        case OFPTYPE_ECHO_REQUEST:
            ofconn_send_reply(ofconn, ofputil_encode_echo_reply(oh));
            break;
        case OFPTYPE_ECHO_REPLY:
        case OFPTYPE_ERROR:
            break;
        case OFPTYPE_FEATURES_REQUEST:
            error = handle_features_request(p, ofconn, oh);
            break;
        case OFPTYPE_GET_CONFIG_REQUEST:
            ofconn_send_reply(ofconn,
                              ofputil_encode_get_config_reply(oh,
                                                              &p->config));
            break;
        case OFPTYPE_SET_CONFIG:
            error = handle_set_config(p, oh);
            break;
        case OFPTYPE_BARRIER_REQUEST:
            /* Every earlier message is fully applied by now (one thread,
             * in order), every cached flow was revalidated, and the
             * kernel copy is committed. */
            offload_commit(p);
            ofconn_send_reply(ofconn, ofpraw_alloc_reply(
                                  oh->version == OFP10_VERSION
                                  ? OFPRAW_OFPT10_BARRIER_REPLY
                                  : OFPRAW_OFPT11_BARRIER_REPLY, oh, 0));
            break;
        case OFPTYPE_FLOW_MOD:
            error = handle_flow_mod(p, ofconn, oh, &introduced);
            break;
        case OFPTYPE_PACKET_OUT:
            error = handle_packet_out(p, ofconn, oh, &introduced);
            break;
        case OFPTYPE_PORT_MOD:
            error = handle_port_mod(p, ofconn, oh);
            break;
        case OFPTYPE_DESC_STATS_REQUEST:
            error = handle_desc_stats_request(p, ofconn, oh);
            break;
        case OFPTYPE_FLOW_STATS_REQUEST:
            error = handle_flow_stats_request(p, ofconn, oh, false,
                                              &introduced);
            break;
        case OFPTYPE_AGGREGATE_STATS_REQUEST:
            error = handle_flow_stats_request(p, ofconn, oh, true,
                                              &introduced);
            break;
        case OFPTYPE_TABLE_STATS_REQUEST:
            error = handle_table_stats_request(p, ofconn, oh);
            break;
        case OFPTYPE_PORT_STATS_REQUEST:
            error = handle_port_stats_request(p, ofconn, oh);
            break;
        case OFPTYPE_PORT_DESC_STATS_REQUEST:
            error = handle_port_desc_stats_request(p, ofconn, oh);
            break;
        case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
            error = handle_table_features_request(ofconn, oh);
            break;
        case OFPTYPE_BUNDLE_CONTROL:
            error = (is_slave(ofconn) ? OFPERR_OFPBRC_IS_SECONDARY
                     : bundle_handle_control(p, ofconn, oh));
            break;
        case OFPTYPE_BUNDLE_ADD_MESSAGE:
            error = (is_slave(ofconn) ? OFPERR_OFPBRC_IS_SECONDARY
                     : bundle_handle_add(p, ofconn, oh));
            break;
        case OFPTYPE_QUEUE_GET_CONFIG_REQUEST:
            error = handle_queue_get_config(p, ofconn, oh);
            break;
        case OFPTYPE_QUEUE_STATS_REQUEST:
            error = handle_queue_stats_request(p, ofconn, oh);
            break;
        case OFPTYPE_TABLE_MOD:
            /* OpenFlow 1.3 deprecates table-miss configuration; the
             * message is accepted and changes nothing. */
            break;
        case OFPTYPE_ROLE_REQUEST:
            error = handle_role_request(p, ofconn, oh);
            break;
        case OFPTYPE_GET_ASYNC_REQUEST:
            ofconn_send_reply(ofconn, ofputil_encode_get_async_reply(
                                  oh, ofconn_get_async_config(ofconn)));
            break;
        case OFPTYPE_SET_ASYNC_CONFIG:
            error = handle_set_async(ofconn, oh);
            break;
        case OFPTYPE_GROUP_MOD:
            error = (is_slave(ofconn) ? OFPERR_OFPBRC_IS_SECONDARY
                     : group_handle_mod(p, oh, &introduced));
            break;
        case OFPTYPE_METER_MOD:
            error = (is_slave(ofconn) ? OFPERR_OFPBRC_IS_SECONDARY
                     : meter_handle_mod(p, oh));
            break;
        case OFPTYPE_METER_STATS_REQUEST:
            error = meter_handle_stats_request(p, ofconn, oh, false);
            break;
        case OFPTYPE_METER_CONFIG_STATS_REQUEST:
            error = meter_handle_stats_request(p, ofconn, oh, true);
            break;
        case OFPTYPE_METER_FEATURES_STATS_REQUEST:
            error = meter_handle_features_request(ofconn, oh);
            break;
        case OFPTYPE_GROUP_STATS_REQUEST:
            error = group_handle_stats_request(p, ofconn, oh);
            break;
        case OFPTYPE_GROUP_DESC_STATS_REQUEST:
            error = group_handle_desc_request(p, ofconn, oh);
            break;
        case OFPTYPE_GROUP_FEATURES_STATS_REQUEST:
            error = group_handle_features_request(ofconn, oh);
            break;
        /* Replies and asynchronous messages are the switch's to send, and
         * the rest is not supported (yet): say so precisely. */
        case OFPTYPE_FEATURES_REPLY:
        case OFPTYPE_GET_CONFIG_REPLY:
        case OFPTYPE_PACKET_IN:
        case OFPTYPE_FLOW_REMOVED:
        case OFPTYPE_PORT_STATUS:
        case OFPTYPE_BARRIER_REPLY:
        case OFPTYPE_QUEUE_GET_CONFIG_REPLY:
        case OFPTYPE_ROLE_REPLY:
        case OFPTYPE_GET_ASYNC_REPLY:
        case OFPTYPE_ROLE_STATUS:
        case OFPTYPE_REQUESTFORWARD:
        case OFPTYPE_TABLE_STATUS:
        case OFPTYPE_DESC_STATS_REPLY:
        case OFPTYPE_FLOW_STATS_REPLY:
        case OFPTYPE_AGGREGATE_STATS_REPLY:
        case OFPTYPE_TABLE_STATS_REPLY:
        case OFPTYPE_PORT_STATS_REPLY:
        case OFPTYPE_QUEUE_STATS_REPLY:
        case OFPTYPE_GROUP_STATS_REPLY:
        case OFPTYPE_GROUP_DESC_STATS_REPLY:
        case OFPTYPE_GROUP_FEATURES_STATS_REPLY:
        case OFPTYPE_METER_STATS_REPLY:
        case OFPTYPE_METER_CONFIG_STATS_REPLY:
        case OFPTYPE_METER_FEATURES_STATS_REPLY:
        case OFPTYPE_TABLE_FEATURES_STATS_REPLY:
        case OFPTYPE_TABLE_DESC_REQUEST:
        case OFPTYPE_TABLE_DESC_REPLY:
        case OFPTYPE_PORT_DESC_STATS_REPLY:
        case OFPTYPE_FLOW_MONITOR_STATS_REQUEST:
        case OFPTYPE_FLOW_MONITOR_STATS_REPLY:
        case OFPTYPE_SET_FLOW_FORMAT:
        case OFPTYPE_FLOW_MOD_TABLE_ID:
        case OFPTYPE_SET_PACKET_IN_FORMAT:
        case OFPTYPE_FLOW_AGE:
        case OFPTYPE_SET_CONTROLLER_ID:
        case OFPTYPE_NXT_TLV_TABLE_MOD:
        case OFPTYPE_NXT_TLV_TABLE_REQUEST:
        case OFPTYPE_NXT_TLV_TABLE_REPLY:
        case OFPTYPE_NXT_RESUME:
        case OFPTYPE_IPFIX_BRIDGE_STATS_REQUEST:
        case OFPTYPE_IPFIX_BRIDGE_STATS_REPLY:
        case OFPTYPE_IPFIX_FLOW_STATS_REQUEST:
        case OFPTYPE_IPFIX_FLOW_STATS_REPLY:
        case OFPTYPE_CT_FLUSH_ZONE:
        case OFPTYPE_CT_FLUSH:
        case OFPTYPE_FLOW_MONITOR_CANCEL:
        case OFPTYPE_FLOW_MONITOR_PAUSED:
        case OFPTYPE_FLOW_MONITOR_RESUMED:
            error = OFPERR_OFPBRC_BAD_TYPE;
            break;
        }
    }

    if (error) {
        VLOG_INFO_RL(&rl, "%s: %s", p->name, ofperr_to_string(error));
        ofconn_send_error(ofconn, request, error);
    }
    ofpbuf_delete(rewritten);
}

/* Main loop. */

static void
check_ports(struct ofproto *p)
{
    uint32_t *changed;
    size_t n;

    datapath_ports_refresh(p->dp, &changed, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofport *port = ofproto_get_port(p, u16_to_ofp(changed[i]));
        if (port) {
            VLOG_INFO("%s: port %"PRIu32" (%s) is now %s", p->name,
                      changed[i], port->dp_port->name,
                      port->dp_port->gone ? "gone"
                      : port->dp_port->carrier ? "up" : "down");
            send_port_status(p, port, OFPPR_MODIFY);
        }
    }
    if (n) {
        frozen_clear(p);
    }
    free(changed);
}

/* Fail mode standalone: while controllers are configured and none is
 * connected, every packet takes output:NORMAL (the flow table is kept, as
 * in Open vSwitch's fail-open); with no controller configured at all, a
 * miss in table 0 takes NORMAL.  Fail mode secure never learns. */
static void
update_fail_open(struct ofproto *p)
{
    bool fail_open = (p->fail_mode == OFPROTO_FAIL_STANDALONE
                      && connmgr_has_controllers_configured(p->connmgr)
                      && !connmgr_has_controller(p->connmgr));
    if (fail_open != p->fail_open) {
        VLOG_INFO("%s: %s fail-open (standalone learning switch)", p->name,
                  fail_open ? "entering" : "leaving");
        p->fail_open = fail_open;
        ofproto_invalidate(p);
    }
}

void
ofproto_run(struct ofproto *p)
{
    datapath_reap(p->dp);       /* What flow-mods removed, now and then. */
    datapath_run(p->dp);
    connmgr_run(p->connmgr);
    ofproto_revalidate(p);
    mac_revalidate(p);
    if (hmap_count(&p->frozen_by_id) > FROZEN_MAX) {
        /* Upcalls and packet-outs make frozen states. */
        ofproto_invalidate(p);
    }
    update_fail_open(p);
    offload_run(p);

    long long int now = time_msec();
    if (now >= p->next_expire) {
        expire_rules(p);
        p->next_expire = now + EXPIRE_INTERVAL;
    }
    if (now >= p->next_port_check) {
        check_ports(p);
        p->next_port_check = now + PORT_CHECK_INTERVAL;
    }
}

void
ofproto_start_threads(struct ofproto *p, int n)
{
    if (n > 0) {
        datapath_start_threads(p->dp, n);
    }
}

void
ofproto_lock(struct ofproto *p)
{
    datapath_lock(p->dp);
}

void
ofproto_unlock(struct ofproto *p)
{
    datapath_unlock(p->dp);
}

void
ofproto_wait(struct ofproto *p)
{
    /* After ofproto_run(), unixctl commands may have changed the tables;
     * this is the last call before the lock goes. */
    ofproto_revalidate(p);
    datapath_wait(p->dp);
    connmgr_wait(p->connmgr);
    poll_timer_wait_until(MIN(p->next_expire, p->next_port_check));
}

/* unixctl commands. */

static struct ofproto *
find_bridge(struct unixctl_conn *conn, const char *name)
{
    struct ofproto *p = shash_find_data(&all_ofprotos, name);
    if (!p) {
        unixctl_command_reply_error(conn, "no such bridge");
    }
    return p;
}

/* Replies to 'conn' with what 'cb' writes for each bridge, or only for the
 * one named in the optional argv[1]. */
static void
reply_for_bridges(struct unixctl_conn *conn, int argc, const char *argv[],
                  void (*cb)(struct ofproto *, struct ds *))
{
    struct shash_node *node;
    struct ds s = DS_EMPTY_INITIALIZER;

    SHASH_FOR_EACH (node, &all_ofprotos) {
        struct ofproto *p = node->data;
        if (argc < 2 || !strcmp(argv[1], p->name)) {
            cb(p, &s);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
dump_flows_cb(struct ofproto *p, struct ds *s)
{
    datapath_dump_flows(p->dp, s);
}

static void
unixctl_dump_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                   void *aux OVS_UNUSED)
{
    reply_for_bridges(conn, argc, argv, dump_flows_cb);
}

static void
dp_show_cb(struct ofproto *p, struct ds *s)
{
    datapath_show(p->dp, s);
    ds_put_format(s, "  packet-ins: %"PRIu64", invalid TTL: %"PRIu64"\n",
                  p->n_packet_ins, p->n_invalid_ttl);
    connmgr_show(p->connmgr, s);
}

static void
unixctl_dp_show(struct unixctl_conn *conn, int argc, const char *argv[],
                void *aux OVS_UNUSED)
{
    reply_for_bridges(conn, argc, argv, dp_show_cb);
}

static void
unixctl_offload_show(struct unixctl_conn *conn, int argc, const char *argv[],
                     void *aux OVS_UNUSED)
{
    reply_for_bridges(conn, argc, argv, offload_show);
}

static void
unixctl_port_add(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    struct ofproto *p = find_bridge(conn, argv[1]);
    if (!p) {
        return;
    }
    char *name = xstrdup(argv[2]);
    char *eq = strchr(name, '=');
    ofp_port_t ofp_port = OFPP_NONE;
    if (eq) {
        *eq = '\0';
        unsigned int n;
        if (!str_to_uint(eq + 1, 10, &n) || !n || n >= 0xff00) {
            unixctl_command_reply_error(conn, "bad port number");
            free(name);
            return;
        }
        ofp_port = u16_to_ofp(n);
    }
    ofp_port_t assigned;
    int error = ofproto_port_add(p, name, ofp_port, &assigned);
    if (error) {
        char *msg = xasprintf("%s: %s", name, error == ENODEV
                              ? "no such interface" : ovs_strerror(error));
        unixctl_command_reply_error(conn, msg);
        free(msg);
    } else {
        char *msg = xasprintf("%s: port %"PRIu16, name,
                              ofp_to_u16(assigned));
        unixctl_command_reply(conn, msg);
        free(msg);
    }
    free(name);
}

static void
unixctl_port_del(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    struct ofproto *p = find_bridge(conn, argv[1]);
    if (!p) {
        return;
    }
    struct ofport *port = NULL;
    unsigned int n;
    if (str_to_uint(argv[2], 10, &n) && n < 0xff00) {
        port = ofproto_get_port(p, u16_to_ofp(n));
    } else {
        struct dp_port *dp_port = datapath_port_by_name(p->dp, argv[2]);
        port = dp_port ? ofproto_get_port(p, u16_to_ofp(dp_port->port_no))
                       : NULL;
    }
    if (!port) {
        unixctl_command_reply_error(conn, "no such port");
        return;
    }
    ofproto_port_del(p, port->ofp_port);
    unixctl_command_reply(conn, NULL);
}

/* ofproto/trace BRIDGE FLOW | ofproto/trace BRIDGE in_port=N HEXFRAME */
static void
unixctl_trace(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    struct ofproto *p = find_bridge(conn, argv[1]);
    if (!p) {
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    struct dp_packet *pkt = NULL;
    struct flow flow;

    if (argc == 4) {
        /* A frame in hex. */
        struct ofpbuf frame;
        ofpbuf_init(&frame, 0);
        if (ofpbuf_put_hex(&frame, argv[3], NULL)[0] != '\0'
            || frame.size < ETH_HEADER_LEN
            || frame.size > UINT16_MAX - DP_PORT_HEADROOM) {
            unixctl_command_reply_error(conn, "bad hex frame");
            ofpbuf_uninit(&frame);
            return;
        }
        char *error = parse_ofp_exact_flow(&flow, NULL, NULL, argv[2], NULL);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            ofpbuf_uninit(&frame);
            return;
        }
        pkt = dp_packet_clone_data_with_headroom(frame.data, frame.size,
                                                 DP_PORT_HEADROOM);
        ofpbuf_uninit(&frame);
    } else {
        char *error = parse_ofp_exact_flow(&flow, NULL, NULL, argv[2], NULL);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            return;
        }
        pkt = dp_packet_new_with_headroom(128, DP_PORT_HEADROOM);
        flow_compose(pkt, &flow, NULL, 0);
    }

    uint32_t in_port = ofp_to_u16(flow.in_port.ofp_port);
    uint32_t recirc_id = 0;
    for (int pass = 0; pass < DP_MAX_RECIRC; pass++) {
        struct dp_key key;
        dp_parse(pkt, in_port, recirc_id, 0, 0, &key);

        ds_put_format(&s, "%sPass %d: ", pass ? "\n" : "", pass);
        dp_key_format(&key, NULL, &s);
        ds_put_cstr(&s, "\n");

        struct xlate_in xin = { .ofproto = p, .key = &key, .trace = &s };
        struct xlate_out xout;
        xlate_out_init(&xout);
        if (xlate(&xin, &xout)) {
            ds_put_cstr(&s, "unknown recirculation id\n");
            xlate_out_uninit(&xout);
            break;
        }
        const struct dp_action *acts = xout.actions.data;
        size_t n = xout.actions.size / sizeof *acts;
        ds_put_cstr(&s, "Megaflow: ");
        dp_key_format(&key, &xout.mask, &s);
        ds_put_cstr(&s, "\nDatapath actions: ");
        if (n) {
            dp_actions_format(acts, n, &s);
        } else {
            ds_put_cstr(&s, "drop");
        }
        ds_put_char(&s, '\n');

        /* Run the actions on the packet, without output, to see what the
         * next pass parses. */
        recirc_id = 0;
        struct dp_action *copy = xmemdup(acts, n * sizeof *acts);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (copy[i].type == DPA_RECIRC) {
                recirc_id = copy[i].u32;
                break;
            }
            if (copy[i].type != DPA_OUTPUT && copy[i].type != DPA_USERSPACE
                && copy[i].type != DPA_METER) {
                copy[m++] = copy[i];
            }
        }
        static const struct dp_exec_ops no_ops;
        int error = dp_execute(pkt, copy, m, &no_ops, NULL);
        free(copy);
        xlate_out_uninit(&xout);
        if (error == ETIME) {
            ds_put_cstr(&s, "(invalid TTL: packet punted, not forwarded)\n");
            break;
        }
        if (!recirc_id) {
            break;
        }
    }
    dp_packet_delete(pkt);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
ofproto_unixctl_init(void)
{
    unixctl_command_register("dpctl/dump-flows", "[BRIDGE]", 0, 1,
                             unixctl_dump_flows, NULL);
    unixctl_command_register("dpctl/show", "[BRIDGE]", 0, 1,
                             unixctl_dp_show, NULL);
    unixctl_command_register("offload/show", "[BRIDGE]", 0, 1,
                             unixctl_offload_show, NULL);
    unixctl_command_register("port/add", "BRIDGE IFNAME[=OFPORT]", 2, 2,
                             unixctl_port_add, NULL);
    unixctl_command_register("port/del", "BRIDGE IFNAME|OFPORT", 2, 2,
                             unixctl_port_del, NULL);
    unixctl_command_register("ofproto/trace",
                             "BRIDGE FLOW | BRIDGE in_port=N HEXFRAME", 2, 3,
                             unixctl_trace, NULL);
}
