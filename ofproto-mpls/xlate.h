/*
 * ofproto-mpls/xlate.h: one packet's trip through the OpenFlow pipeline.
 *
 * What?
 * =====
 *
 * xlate() takes a datapath key (datapath/dp-key.h) and walks the bridge's
 * flow tables the way OpenFlow 1.3.5 section 5 says: table lookup,
 * instructions in their order (meter, apply-actions, clear-actions,
 * write-actions, write-metadata, goto-table), and at the end of the
 * pipeline the action set in the spec's order.  What comes out is one
 * datapath flow: the datapath actions, and the mask of every key field the
 * outcome depended on.
 *
 * MPLS and recirculation: after a pop_mpls that leaves a non-MPLS packet,
 * the inner L3/L4 headers are unknown to the key.  The first later step
 * that needs them (a table lookup, an L3/L4 set-field, dec_nw_ttl, a
 * group...) freezes the rest of the pipeline (ofproto-private.h's 'struct
 * frozen') under a recirculation id and emits recirc(id); the datapath
 * re-parses the packet and the next upcall resumes from the frozen state.
 *
 * Thread-safety
 * =============
 *
 * Main thread only (it reads the flow tables and may create frozen
 * states).
 */
#ifndef OFPROTO_MPLS_XLATE_H
#define OFPROTO_MPLS_XLATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include "datapath/dp-key.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofpbuf.h"
#include "ofproto-mpls/revalidate.h"

struct ds;
struct flow;
struct flow_wildcards;
struct group;
struct ofpact;
struct ofproto;
struct rule;

struct xlate_in {
    struct ofproto *ofproto;
    const struct dp_key *key;

    /* Actions to run instead of a table lookup (packet-out), or NULL. */
    const struct ofpact *ofpacts;
    size_t ofpacts_len;

    /* If nonnull, a human-readable account of the trip is appended. */
    struct ds *trace;

};

/* The most actions and group buckets one translation visits: chained ALL
 * groups multiply (30 buckets 5 deep is 24 million), and translation runs
 * with the big lock held.  Past it the packet is dropped and counted. */
#define XLATE_MAX_WORK 32768

struct xlate_out {
    struct ofpbuf actions;      /* Of struct dp_action. */
    struct dp_key mask;         /* Fields the outcome depended on. */
    struct xlate_hit *hits;     /* Lookups, for table and rule counters. */
    size_t n_hits, allocated_hits;
    bool recirculated;          /* Ends in a recirc(). */
    bool over_limit;            /* Took more than XLATE_MAX_WORK actions
                                 * and buckets (chained groups): its
                                 * actions are a drop. */

    /* The packets this translation holds for: the fields the outcome
     * depended on (the wildcards behind 'mask'), with the values the
     * pass began with (after a recirculation, with the frozen metadata).
     * Every packet the datapath flow matches agrees with it on those
     * fields.  Only after a table lookup (has_region). */
    struct minimatch region;
    bool has_region;
};

void xlate_out_init(struct xlate_out *);
void xlate_out_uninit(struct xlate_out *);

/* Translates 'xin' into 'xout' (which must be initialized; its actions are
 * appended to).  Returns 0, or a positive errno value (ENOENT: the key's
 * recirculation id is unknown). */
int xlate(const struct xlate_in *xin, struct xlate_out *xout);

/* What translation implements of OpenFlow's fields: pipeline metadata
 * (metadata, tunnel_id, reg0-15 and their xreg/xxreg views: set in
 * translation's view only, matchable in later tables), the fields a rule
 * may match, and those set_field may write.  xlate_check_match() refuses
 * a match on any other field with OFPBMC_BAD_FIELD. */
bool xlate_action_supported(enum ofpact_type);
bool xlate_field_is_metadata(enum mf_field_id);
bool xlate_field_is_matchable(enum mf_field_id);
bool xlate_field_is_settable(enum mf_field_id);
enum ofperr xlate_check_match(const struct match *);

/* Converts datapath key 'key' into OVS's 'struct flow' for classifier
 * lookups (the top three MPLS entries only). */
void xlate_key_to_flow(const struct dp_key *key, struct flow *flow);

#endif /* ofproto-mpls/xlate.h */
