/*
 * ofproto-mpls/revalidate.h: keeping the datapath's flows true to the
 * OpenFlow tables.
 *
 * What?
 * =====
 *
 * A flow-mod must not leave a datapath flow that does what the tables no
 * longer say (no packet takes a stale path after the barrier reply), and
 * should not throw away the flows it cannot change.  Each datapath flow
 * carries an xcache: its table lookups in order (struct xlate_hit), each
 * linked into the table's and the hit rule's 'megaflows' lists, and the
 * region of packets it holds for (struct xlate_out's 'region').  Then:
 *
 *   - a rule about to change or go removes the flows that hit it, pushing
 *     their counters into it first (revalidate_rule_changing()); a flow
 *     that looked at the rule and took a lower-priority one still takes
 *     it, with a mask that is still sufficient;
 *
 *   - an added rule N in table T is queued (revalidate_rule_added()) and,
 *     at the next revalidate_run(), removes the flows that looked up T,
 *     took a rule of priority <= N's (or missed), and may hold a packet N
 *     matches: any such flow unless its lookup was "pristine" (no action
 *     that may change the packet ran before it), and then only if its
 *     region does not fix a field N matches to another value;
 *
 *   - MAC learning's changes remove the flows to the addresses that
 *     changed (revalidate_macs());
 *
 *   - ports, groups, meters and configuration remove every flow
 *     (revalidate_flush()).
 *
 * The main thread calls revalidate_run() before it lets the big lock go
 * (end of ofproto_run(), ofproto_wait(), a bundle commit, before a
 * packet-out executes), so a burst of adds costs one pass; past
 * REVALIDATE_SCAN_MAX checks it flushes instead.
 *
 * Ownership: an xcache belongs to its datapath flow (the datapath frees it
 * through upcall ops, upcall.h).
 *
 * Thread-safety: main thread, with the datapath's lock held.
 */
#ifndef OFPROTO_MPLS_REVALIDATE_H
#define OFPROTO_MPLS_REVALIDATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include "openvswitch/match.h"
#include "openvswitch/list.h"

struct dp_flow;
struct group;
struct ofproto;
struct rule;

/* One step of the trip that counts packets: a table lookup ('group' is
 * NULL; 'rule' is NULL on a miss) or a group bucket ('group' and
 * 'bucket', its index).
 *
 * 'pristine': the lookup saw the packet as the pass began (no action that
 * may change it had run yet), so which packets reach it is what 'region'
 * in struct xlate_out says; revalidation relies on it. */
struct xlate_hit {
    struct rule *rule;
    struct group *group;
    uint32_t bucket;
    uint8_t table_id;
    bool pristine;
};

/* Past this many (added rules x datapath flows to check), revalidation
 * removes every datapath flow instead: scanning would cost more than
 * refilling the cache. */
#define REVALIDATE_SCAN_MAX (1000 * 1000)

/* One table lookup of a datapath flow.  What a table scan needs is here,
 * not behind 'xc' (a scan visits every datapath flow of the table). */
struct xcache_ref {
    struct ovs_list table_node; /* In the table's 'megaflows'. */
    struct ovs_list rule_node;  /* In the hit rule's, or empty on a miss. */
    struct xcache *xc;          /* NULL for a group hit (not linked). */
    int priority;               /* The hit rule's, INT_MIN on a miss. */
    bool pristine;              /* See struct xlate_hit. */
};

/* What a datapath flow's translation looked at. */
struct xcache {
    struct dp_flow *flow;       /* The datapath's flow, once installed. */
    bool doomed;                /* Being collected for removal. */
    struct minimatch region;    /* Valid if 'has_region'. */
    bool has_region;
    struct xcache_ref *refs;    /* One per hit. */
    size_t n_hits;
    struct xlate_hit hits[];
};

/* The cases above. */
void revalidate_rule_changing(struct ofproto *, struct rule *);
void revalidate_rule_added(struct ofproto *, struct rule *);
void revalidate_run(struct ofproto *);
void revalidate_macs(struct ofproto *);
void revalidate_flush(struct ofproto *);

/* Frees what revalidation keeps (the queue of added rules). */
void revalidate_destroy(struct ofproto *);

/* The xcache of a translation that hit 'hits' ('n' of them) and holds for
 * 'region' (moved from, NULL if none), linked into the tables and rules it
 * hit; NULL if it hit none. */
struct xcache *revalidate_xcache_create(struct ofproto *,
                                        const struct xlate_hit *hits,
                                        size_t n, struct minimatch *region);
void revalidate_xcache_installed(struct xcache *, struct dp_flow *);
void revalidate_xcache_destroy(struct ofproto *, struct xcache *);

#endif /* ofproto-mpls/revalidate.h */
