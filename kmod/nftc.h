/*
 * nftc: the nf_tables classifier, mvs's kernel fast path.
 *
 * What?
 * =====
 *
 * nftc lowers OpenFlow flows (an OVS "struct match", an OVS ofpact list,
 * a table id, a priority and a cookie) into the kernel's register-based
 * classifier, nf_tables, and keeps the kernel in sync through netlink
 * transactions (libnftnl + libmnl).
 *
 * One bridge is one table, family netdev, named "mvs-BRIDGE":
 *
 *   - one base chain "in-IFNAME" per port, hook ingress on that device,
 *     whose single rule sends frames whose ethertype is in
 *     nftc_known_ethertypes[] to the chain "flows" and lets every other
 *     frame through untouched;
 *
 *   - chain "flows": one rule per distinct (lowered mask, priority),
 *     ordered by OpenFlow priority, highest first.  The rule loads the
 *     masked fields into registers and looks their concatenation up in a
 *     hash map "mN" (per-element counter); each element is one OpenFlow
 *     flow and maps to an action id, which map "actions" turns into a
 *     goto to the action chain.  So the kernel's per-packet cost grows
 *     with the number of masks, not of flows, and no big map holds jumps
 *     (adding a jump element makes the kernel re-validate them all);
 *
 *   - one chain "aN" per distinct action list: payload rewrites with
 *     checksum fix-up, MPLS edits (one rule each, holding the "mpls"
 *     expression of kmod/module, only where the kernel has it: see
 *     nftc_has_mpls_expr()), "dup"/"fwd" to ports, and a final "drop", so
 *     a frame the kernel took never reaches userspace.
 *
 * The action id travels in the packet mark (so `nft list` can print the
 * rule): a frame that matches a flow has its mark overwritten.
 *
 * Flows of table 0 that cannot be offloaded still get an element, whose
 * verdict is "accept" (pass the frame to userspace): a lower-priority
 * offloaded flow must never steal a frame that OpenFlow gives to a
 * higher-priority flow that runs in userspace.  When such a flow's match
 * uses fields nf_tables cannot express, the element matches a superset
 * (those fields left out), which only sends more frames to userspace.
 * Flows of other tables are reached only through goto_table, which is
 * never offloaded, so they are remembered but not lowered.
 *
 * Every element and rule carries a comment naming the OpenFlow table,
 * priority and cookie, so `nft list table netdev mvs-br0` reads back.
 *
 * Actions that have no ofpact of their own in libopenvswitch (mvs's
 * copy_ttl_in/out, set_field mpls_bos, PBB) reach nftc disguised as other
 * ofpacts; nftc tells them apart only through the decoder its caller
 * registers, see "Extension actions" below.
 *
 * Internals, and the file of each part, are in nftc-private.h.
 *
 *
 * Transactions
 * ============
 *
 * Changes are queued between nftc_txn_begin() and nftc_txn_commit(); the
 * commit sends ONE netlink batch (NFNL_MSG_BATCH_BEGIN ... END) that the
 * kernel applies atomically.  BEGIN carries NFNL_BATCH_GENID, the ruleset
 * generation read with NFT_MSG_GETGEN just before; if another program
 * committed meanwhile the kernel refuses the batch with ERESTART, and the
 * commit re-reads the generation and resends (at most NFTC_MAX_RESTARTS
 * times).  A batch only names objects of our own table, created and
 * numbered by us, so it never needs recomputing after a foreign commit.
 * Adding or deleting one flow adds or deletes one element, plus a map and
 * a rule when a (mask, priority) appears or disappears, plus an action
 * chain when an action list does; nothing else is rewritten.
 *
 * On failure the in-memory state is left as it was before the commit.
 *
 *
 * Thread-safety
 * =============
 *
 * None: a "struct nftc" belongs to one thread, which is also the thread
 * that its extension decoder runs in.  Different "struct nftc" (different
 * bridges) are independent.
 *
 *
 * Ownership
 * =========
 *
 * nftc copies everything it is given (matches, ofpacts, names); callers
 * keep ownership of their arguments.  nftc_destroy() frees memory only: the
 * kernel table stays, so a restarted daemon finds it; nftc_create() then
 * replaces it (never duplicates it).  Tables that are not named
 * "mvs-BRIDGE" are never read, flushed or touched.
 */
#ifndef NFTC_H
#define NFTC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/types.h"

struct ds;
struct match;
struct nftc;
struct ofpact;

/* Ethertypes (network byte order) whose frames the kernel may take.  The
 * userspace datapath receives these with packet sockets bound to each of
 * them, which run after nf ingress and so see only what nf_tables let
 * through; it receives every other ethertype with an ETH_P_ALL socket,
 * which runs before nf ingress.  Offloaded rules never touch the second
 * kind, so no frame is handled twice. */
extern const ovs_be16 nftc_known_ethertypes[];
extern const size_t nftc_n_known_ethertypes;

/* Bounded retries of a commit that the kernel refused with ERESTART. */
#define NFTC_MAX_RESTARTS 8

/* Bounded retries of a dump that the kernel interrupted (NLM_F_DUMP_INTR:
 * someone changed the ruleset while it ran): the dump is read to its end
 * and asked again. */
#define NFTC_DUMP_RETRIES 10

/* How long nftc waits for the kernel's answer to a request. */
#define NFTC_ANSWER_TIMEOUT_MS 5000

/* One OpenFlow flow, as nftc's input.  Nothing here is retained. */
struct nftc_flow {
    const struct match *match;    /* OpenFlow match (incl. in_port). */
    const struct ofpact *ofpacts; /* Actions; empty list is drop. */
    size_t ofpacts_len;           /* In bytes. */
    uint8_t table_id;             /* OpenFlow table. */
    int priority;                 /* OpenFlow priority. */
    ovs_be64 cookie;              /* OpenFlow cookie, for comments. */
    void *owner;                  /* The caller's, handed back with the
                                   * flow's counters (kept, never
                                   * dereferenced); may be NULL. */
};

/* Per-flow counters, as read back from the kernel. */
struct nftc_flow_stats {
    uint8_t table_id;
    int priority;
    ovs_be64 cookie;
    void *owner;                  /* As given with the flow. */
    const struct match *match;    /* Only if 'owner' is NULL: valid during
                                   * the callback only. */
    bool offloaded;               /* False: the element only punts. */
    uint64_t packets;             /* Frames the element matched. */
    uint64_t bytes;
};

/* Commit statistics, cumulative since nftc_create(). */
struct nftc_counts {
    uint64_t n_commits;           /* Batches the kernel accepted. */
    uint64_t n_restarts;          /* ERESTART answers (retried). */
    uint64_t n_failures;          /* Commits that returned an error. */
    uint64_t n_dump_retries;      /* Interrupted dumps asked again. */
    uint64_t n_reopens;           /* Sockets reopened after answers went
                                   * out of step (lost or left over). */
    uint64_t n_stale;             /* Answers to an earlier request,
                                   * skipped. */
};

/* Lifecycle.
 *
 * nftc_create() opens a netlink socket in the calling thread's network
 * namespace and (re)creates table "mvs-'bridge'": a table of that name left
 * by a previous run is deleted and recreated in the same batch.
 * nftc_create_offline() does not touch the kernel: commits are framed into
 * a buffer that tests read with nftc_last_batch() (nftc-private.h).
 * nftc_destroy() accepts NULL and leaves the kernel table in place;
 * nftc_remove_table() deletes it (and only it). */
int nftc_create(const char *bridge, struct nftc **nftcp);
int nftc_create_offline(const char *bridge, struct nftc **nftcp);
void nftc_destroy(struct nftc *);
int nftc_remove_table(struct nftc *);
const char *nftc_table_name(const struct nftc *);

/* Ports.  nftc_port_add() maps OpenFlow port 'ofport' to Linux interface
 * 'ifname' (index 'ifindex' in nftc's namespace) and creates its ingress
 * base chain, in a batch of its own.  nftc_port_del() deletes the chain;
 * it fails with EBUSY while an offloaded flow outputs to or matches on the
 * port, EEXIST/ENOENT as names say. */
int nftc_port_add(struct nftc *, ofp_port_t ofport, const char *ifname,
                  int ifindex);
int nftc_port_del(struct nftc *, ofp_port_t ofport);

/* Decision.  Returns true if the kernel can carry 'flow' entirely (match
 * and actions), given the ports known now.  Otherwise returns false and, if
 * 'reason' is nonnull, appends to it a human-readable reason. */
bool nftc_flow_offloadable(const struct nftc *, const struct nftc_flow *flow,
                           struct ds *reason);

/* Transactions.  Only one transaction is open at a time.
 *
 * nftc_txn_flow_add() adds 'flow', replacing a flow with the same identity
 * (table id, priority, match), and nftc_txn_flow_del() deletes the flow with
 * that identity (ENOENT at commit time if there is none); within a
 * transaction operations apply in order.  They return 0 or EINVAL (no open
 * transaction).  A non-offloadable flow is accepted too (it becomes a punt
 * element, see "What?").
 *
 * nftc_txn_commit() sends the batch and waits for the kernel's answer;
 * it returns 0, ERESTART if the generation kept changing for
 * NFTC_MAX_RESTARTS retries, ESTALE if the kernel's answers were lost and
 * nobody can tell whether the batch committed (the caller must rebuild the
 * table: nftc_destroy(), nftc_create()), or another errno value (EINVAL,
 * ENOENT,
 * E2BIG: a lowered key longer than the 64 bytes of nf_tables registers...)
 * in which case nothing changed.  An empty transaction commits nothing.
 * nftc_txn_abort() drops queued operations. */
void nftc_txn_begin(struct nftc *);
size_t nftc_txn_n_ops(const struct nftc *);   /* Operations queued. */
int nftc_txn_flow_add(struct nftc *, const struct nftc_flow *flow);
int nftc_txn_flow_del(struct nftc *, uint8_t table_id, int priority,
                      const struct match *match);
int nftc_txn_commit(struct nftc *);
void nftc_txn_abort(struct nftc *);

/* Queues the deletion of every flow nftc holds, those the open
 * transaction added included, in place of what was queued before: the
 * commit then deletes each map and action chain with one message, never
 * one message per flow.  Operations queued after it apply on top (a
 * bundle that deletes everything and adds a new table). */
void nftc_txn_flush(struct nftc *);

/* Frees what a flush's commit left to free later (its flows: a delete of
 * 100,000 flows answers first and frees after).  Cheap when there is
 * nothing to free; call it from the main loop. */
void nftc_reap(struct nftc *);

/* Checks that the kernel still holds our table as we left it.  Costs one
 * netlink message when nobody else committed since our last commit or
 * check, a dump of our lookup rules otherwise.  Returns 0, ESTALE if the
 * table is gone or its rules were changed (the caller should rebuild with
 * a new nftc_create()), or another errno value on a netlink failure. */
int nftc_check(struct nftc *);

/* Whether the kernel has the "mpls" expression of kmod/module (probed by
 * nftc_create() with a batch the kernel aborts, see nftc-mpls.h).  Only
 * then are MPLS actions offloaded (push/pop/set/dec_mpls_ttl, and the
 * extension actions copy_ttl_in/out and set_field mpls_bos); without it
 * they stay in userspace. */
bool nftc_has_mpls_expr(const struct nftc *);

/* Extension actions.
 *
 * A caller may carry actions that libopenvswitch has no ofpact for (mvs:
 * copy_ttl_in, copy_ttl_out, set_field mpls_bos, push_pbb, pop_pbb,
 * set_field pbb_isid) inside ofpacts of another type, as markers; nftc
 * cannot tell a marker from the action it looks like.  A decoder, set
 * with nftc_set_ext_decoder(), tells it: nftc asks the decoder first about
 * every action of a flow, before its own registry.
 *
 * The decoder returns false if 'a' is an ordinary ofpact, true if it is an
 * extension action, in which case it fills '*ea' with what the kernel can
 * do of it ('op' NFTC_EXT_NONE: nothing, the flow stays in userspace).
 * The ops are those of the "mpls" expression, used only when
 * nftc_has_mpls_expr():
 *
 *   NFTC_EXT_COPY_TTL_IN    copy_ttl_in
 *   NFTC_EXT_COPY_TTL_OUT   copy_ttl_out
 *   NFTC_EXT_SET_MPLS_BOS   set_field mpls_bos, 'value' the bit (0 or 1)
 *
 * With a one-entry stack, a copy needs the ethertype of the payload under
 * it.  nftc supplies the one the caller's own translation uses: the
 * ethertype the match pins when the action list pushed the stack itself,
 * else that of a later pop_mpls in the list; if neither is known, the flow
 * stays in userspace.
 *
 * The decoder must answer the same for the same action every time, and
 * must not call nftc.  Set it right after nftc_create(), before any flow
 * is added: flows already lowered are not lowered again.  Without a
 * decoder (the default, or NULL), every action is ordinary. */
enum nftc_ext_op {
    NFTC_EXT_NONE,                /* The kernel cannot carry it. */
    NFTC_EXT_COPY_TTL_IN,
    NFTC_EXT_COPY_TTL_OUT,
    NFTC_EXT_SET_MPLS_BOS,
};

struct nftc_ext_action {
    enum nftc_ext_op op;
    uint32_t value;               /* NFTC_EXT_SET_MPLS_BOS: the bit. */
};

typedef bool nftc_ext_decode_fn(const struct ofpact *a,
                                struct nftc_ext_action *ea);
void nftc_set_ext_decoder(struct nftc *, nftc_ext_decode_fn *);

/* Queries. */
size_t nftc_n_flows(const struct nftc *);     /* Flows held (all tables). */
size_t nftc_n_masks(const struct nftc *);     /* Lookup rules in "flows". */
size_t nftc_n_actchains(const struct nftc *); /* Action chains "aN". */
void nftc_get_counts(const struct nftc *, struct nftc_counts *);

/* Counters.  Reads the per-element counters of all flow maps in one
 * netlink round trip (one dump request per map, sent together) and calls
 * 'cb' once per lowered flow.  Returns 0 or an errno value; a malformed
 * reply is skipped and logged (rate limited), never trusted. */
/* Reads the kernel counters of the one offloaded flow with this identity
 * (one netlink round trip): for a flow about to be replaced or removed,
 * whose counter would otherwise be lost.  Returns 0, ENOENT if the flow is
 * not lowered, or another errno value. */
int nftc_flow_counters(struct nftc *, uint8_t table_id, int priority,
                       const struct match *, uint64_t *packets,
                       uint64_t *bytes);

typedef void nftc_stats_cb(const struct nftc_flow_stats *, void *aux);
int nftc_stats_read(struct nftc *, nftc_stats_cb *cb, void *aux);
/* The same read, but 'cb' is called only for the flows whose counters
 * changed since they were last read: a read of an idle table of 100,000
 * flows costs the netlink exchange and no per-flow callback. */
int nftc_stats_read_changed(struct nftc *, nftc_stats_cb *cb, void *aux);
/* The same in two steps, for a caller that lets other threads run during
 * the netlink exchange: nftc_stats_fetch() reads the counters into the
 * flows (and touches nothing of the caller's), then
 * nftc_stats_report_changed() calls 'cb' for those that changed.  Nothing
 * may change the nftc in between. */
int nftc_stats_fetch(struct nftc *);
void nftc_stats_report_changed(struct nftc *, nftc_stats_cb *cb, void *aux);

/* Packets and bytes (as nf_tables counts them: from the network header)
 * that offloaded flows of table 0 matched in the kernel since
 * nftc_create(), read from the counter at the head of each action chain:
 * one dump of our table's rules, whose size grows with the number of
 * distinct action lists, not of flows.  Chains outlive the flows that use
 * them, and a commit that deletes a chain reads its counter first, so
 * deleting flows never needs a counter read for these totals.  Returns 0
 * or an errno value (then the totals are those of the last read). */
int nftc_table_counters(struct nftc *, uint64_t *packets, uint64_t *bytes);

#endif /* nftc.h */
