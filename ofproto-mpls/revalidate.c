/* ofproto-mpls/revalidate.c: datapath flows kept true to the tables
 * (revalidate.h). */
#include <config.h>
#include "ofproto-mpls/revalidate.h"

#include <string.h>

#include "datapath/datapath.h"
#include "ofproto-mpls/mac-learning.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/recirc.h"
#include "util.h"

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

void
revalidate_rule_changing(struct ofproto *p, struct rule *rule)
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


void
revalidate_rule_added(struct ofproto *p, struct rule *rule)
{
    if (p->n_added >= p->allocated_added) {
        p->added = x2nrealloc(p->added, &p->allocated_added, sizeof *p->added);
    }
    p->added[p->n_added++] = rule;
}

/* A rule removed since it was queued is still allocated (RCU, or the
 * bundle's undo log): scanning for it is merely conservative. */
void
revalidate_run(struct ofproto *p)
{
    if (!p->n_added) {
        return;
    }
    size_t work = 0;
    for (size_t i = 0; i < p->n_added && work <= REVALIDATE_SCAN_MAX; i++) {
        work += p->tables[p->added[i]->table_id].n_megaflows;
    }
    if (work > REVALIDATE_SCAN_MAX) {
        revalidate_flush(p);
    } else {
        for (size_t i = 0; i < p->n_added; i++) {
            rule_added_kill_megaflows(p, p->added[i]);
        }
    }
    p->n_added = 0;
}

static bool
flow_to_changed_mac(void *p_, const struct dp_flow *flow)
{
    const struct ofproto *p = p_;
    /* A flow made after the change already used the new state. */
    return mac_learning_changed_since(&p->macs, flow->key.dl_dst,
                                      flow->created_usec);
}

void
revalidate_macs(struct ofproto *p)
{
    if (!mac_learning_has_changes(&p->macs)) {
        return;
    }
    if (mac_learning_all_changed(&p->macs)) {
        revalidate_flush(p);
    } else {
        datapath_flows_del_if(p->dp, flow_to_changed_mac, p);
    }
    mac_learning_clear_changes(&p->macs);
}

/* An OpenFlow state change other than a flow table's (ports, groups,
 * meters, configuration) goes through here before it takes effect: cached
 * datapath flows may embody the old state, and their counters belong to
 * rules that may be about to go. */
void
revalidate_flush(struct ofproto *p)
{
    datapath_flush(p->dp);
    recirc_table_clear(&p->recirc);
    p->n_added = 0;             /* Nothing left to revalidate. */
}

void
revalidate_destroy(struct ofproto *p)
{
    free(p->added);
    p->added = NULL;
    p->n_added = p->allocated_added = 0;
}

/* Xcaches. */

struct xcache *
revalidate_xcache_create(struct ofproto *p, const struct xlate_hit *hits,
                         size_t n, struct minimatch *region)
{
    if (!n) {
        return NULL;
    }
    struct xcache *xc = xmalloc(sizeof *xc + n * sizeof *xc->hits);
    xc->flow = NULL;
    xc->doomed = false;
    xc->has_region = region != NULL;
    if (region) {
        minimatch_move(&xc->region, region);
    }
    xc->n_hits = n;
    memcpy(xc->hits, hits, n * sizeof *xc->hits);
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
            ovs_list_push_back(&hit->rule->megaflows, &ref->rule_node);
        } else {
            ovs_list_init(&ref->rule_node);
        }
    }
    return xc;
}

void
revalidate_xcache_installed(struct xcache *xc, struct dp_flow *flow)
{
    xc->flow = flow;
}

void
revalidate_xcache_destroy(struct ofproto *p, struct xcache *xc)
{
    xcache_unlink(p, xc);
    if (xc->has_region) {
        minimatch_destroy(&xc->region);
    }
    free(xc->refs);
    free(xc);
}
