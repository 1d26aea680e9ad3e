/*
 * ofproto-mpls/oftable.h: a bridge's OpenFlow flow tables.
 *
 * What?
 * =====
 *
 * MVS_N_TABLES tables, each an OVS classifier of struct rule with the
 * OpenFlow 1.3.5 semantics of flow-mods (section 6.4): add (replacing an
 * identical entry, counters kept unless OFPFF_RESET_COUNTS; overlap check),
 * modify and delete, loose and strict, by cookie, out_port and out_group;
 * idle and hard timeouts; flow-removed messages; and a rule's packet and
 * byte counters, which the datapath's and the kernel's counters feed.
 *
 * Every change keeps the caches right: a rule about to change or go
 * removes the datapath flows that hit it (revalidate.h), an added rule is
 * queued for revalidation, and table 0's changes are mirrored into the
 * kernel (offload.h).
 *
 * Transactions
 * ============
 *
 * Between oftable_txn_begin() and oftable_txn_commit() or _abort() (a
 * bundle), every change is logged so that abort can undo it exactly; the
 * flow-removed messages and the freeing of removed rules wait for the
 * commit, so a rolled-back bundle never told anyone anything.
 *
 * Removal
 * =======
 *
 * A rule removed outside a bundle turns invisible at once: it is made
 * invisible in a new version of the tables (ofproto's 'version', the one
 * every lookup, flow-mod and dump uses), its datapath flows and its
 * kernel copy go, and the flow-removed message is sent.  Taking it out of
 * its classifier, most of the work of a large delete, waits for
 * oftable_run(), a batch per main-loop pass, so the reply to a delete of
 * 100,000 flows does not wait for it and neither do the next messages.
 * Inside a bundle, removals take effect at once (the undo log restores
 * them).
 *
 * The rules and tables themselves (struct rule, struct oftable) are in
 * ofproto-private.h, which every module reads.
 *
 * Ownership: the bridge owns its rules; a removed rule is freed through
 * RCU, once no classifier reader can see it.
 *
 * Thread-safety: main thread only.
 */
#ifndef OFPROTO_MPLS_OFTABLE_H
#define OFPROTO_MPLS_OFTABLE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"

struct ofpact;
struct ofproto;
struct rule;
struct ofputil_flow_stats_request;

/* The bridge's tables, empty / freed (rules through RCU). */
void oftable_init_all(struct ofproto *);
void oftable_destroy_all(struct ofproto *);

/* Applies flow-mod 'fm', decoded and validated (validate.h) for table 0
 * if it names OFPTT_ALL: goto-table is checked here against each rule's
 * own table, and the groups and meters named must exist.  Returns 0 or an
 * OpenFlow error. */
enum ofperr oftable_flow_mod(struct ofproto *, const struct ofputil_flow_mod *);

/* Checks that the groups and meters instructions or actions name exist
 * (flows, unlike group buckets, may not name one that is not there).
 * Returns 0 or an OpenFlow error. */
enum ofperr oftable_check_refs(const struct ofproto *,
                               const struct ofpact *, size_t len);

/* Removes 'rule', sending flow-removed with 'reason' if it asked. */
void oftable_rule_delete(struct ofproto *, struct rule *,
                         enum ofp_flow_removed_reason reason);

/* OpenFlow 1.3.5 6.5: deleting a group removes the flows that use it. */
void oftable_delete_flows_to_group(struct ofproto *, uint32_t group_id);

/* Hard and idle timeouts, when due. */
void oftable_expire(struct ofproto *);

/* Calls 'cb' for every rule a flow or aggregate stats request selects.
 * Returns 0 or OFPBRC_BAD_TABLE_ID. */
enum ofperr oftable_for_each_requested(
    struct ofproto *, const struct ofputil_flow_stats_request *,
    void (*cb)(void *aux, const struct rule *), void *aux);

/* Takes the removed, invisible rules out of their classifiers, a batch
 * per call; oftable_wait() wakes the loop while some are left (see
 * "Removal"). */
void oftable_run(struct ofproto *);
void oftable_wait(struct ofproto *);

/* Transactions (bundles), see "Transactions". */
void oftable_txn_begin(struct ofproto *);
void oftable_txn_commit(struct ofproto *);
void oftable_txn_abort(struct ofproto *);

#endif /* ofproto-mpls/oftable.h */
