/*
 * ofproto-mpls/offload.h: keeping the kernel's nf_tables copy of a
 * bridge's flow table (kmod/nftc.h) in step with OpenFlow.
 *
 * What?
 * =====
 *
 * With offload on, every change to table 0 is queued to nftc as it
 * happens and committed as one netlink batch at the next barrier, at the
 * end of a bundle commit, before anything reads kernel counters, or
 * OFFLOAD_COMMIT_DELAY ms after the first change was queued (sooner once
 * OFFLOAD_COMMIT_OPS are, and before the main loop blocks if a rule was
 * removed, since removed rules are freed after it), whichever comes first: the flow-mods before a
 * barrier become one atomic kernel commit, a barrier reply is never sent
 * before the kernel agrees, and a stream of flow-mods without barriers
 * costs a commit per few milliseconds rather than one per flow-mod.
 * (Until a change is committed, frames it concerns still meet the old
 * kernel table or, missing it, userspace's new one: OpenFlow promises
 * nothing about a flow-mod before the barrier that follows it.)
 *
 * Kernel counters are read back every OFFLOAD_STATS_INTERVAL (and before
 * flow statistics are answered) and added to the rules' own, so OpenFlow
 * statistics and idle timeouts see kernel-forwarded traffic.  Table 0's
 * lookup and matched counts come from the action chains' counters, read
 * before every table statistics reply; they survive the flows, so
 * deleting flows reads only the counters a flow-removed message needs.
 *
 * If the kernel ever refuses a commit, the kernel copy could disagree with
 * OpenFlow; rather than forward by a stale copy, offload removes its
 * table and turns itself off (logged, shown by offload/show), and the
 * userspace datapath carries everything.
 *
 * Thread-safety: main thread only.
 */
#ifndef OFPROTO_MPLS_OFFLOAD_H
#define OFPROTO_MPLS_OFFLOAD_H 1

#include <stdbool.h>
#include <stddef.h>

struct ds;
struct ofport;
struct ofproto;
struct rule;

enum offload_mode {
    OFFLOAD_OFF,                /* Never. */
    OFFLOAD_AUTO,               /* When nf_tables can be used. */
    OFFLOAD_REQUIRE,            /* Refuse to start without it. */
};

/* Starts offload for 'p' in 'mode'.  Returns 0, or (only with
 * OFFLOAD_REQUIRE) a positive errno value with a message in '*why' that
 * the caller frees. */
int offload_init(struct ofproto *p, enum offload_mode mode, char **why);

/* Removes the kernel table (a clean exit leaves nothing behind). */
void offload_destroy(struct ofproto *p);

bool offload_is_on(const struct ofproto *p);

/* 'port' was added to / removed from the bridge's ports ('p->ports'
 * already reflects the change). */
void offload_port_added(struct ofproto *p, const struct ofport *port);
void offload_port_deleted(struct ofproto *p, const struct ofport *port);

/* A rule was added or changed / is being removed. */
void offload_rule_changed(struct ofproto *p, const struct rule *rule);
void offload_rule_removed(struct ofproto *p, const struct rule *rule);

/* Every rule of table 0 is being removed (the caller then skips
 * offload_rule_removed() for them): queues one flush of the kernel table,
 * a handful of messages whatever the number of flows. */
void offload_rules_flushed(struct ofproto *p);

/* The 'n' 'rules' are about to be modified: collects what their kernel
 * elements counted, which the new elements do not carry over.  Reads what
 * the kernel holds, committing nothing (within a bundle, nothing reaches
 * the kernel before the bundle commits).
 *
 * offload_collect_removed() is the same for rules about to be removed; it
 * reads only the counters of those that will send a flow-removed message:
 * table 0's totals come from the action chains' counters (nftc.h,
 * nftc_table_counters()), which outlive the flows. */
void offload_collect(struct ofproto *p, struct rule **rules, size_t n);
void offload_collect_removed(struct ofproto *p, struct rule **rules,
                             size_t n);

/* Commits what is queued (one netlink batch). */
void offload_commit(struct ofproto *p);
/* The same, but a big commit (a bundle of thousands of flows takes the
 * kernel up to a second) lets the forwarding threads run while the
 * kernel works (ofproto_io_begin()): only where nothing is half-changed,
 * between two OpenFlow messages' worth of work. */
void offload_commit_yielding(struct ofproto *p);
/* Drops what is queued (a bundle rolled back). */
void offload_abort(struct ofproto *p);

/* Up to this many flows are read one by one (a flow-mod's, a statistics
 * request's); more, and one full read is cheaper. */
#define OFFLOAD_READ_EACH_MAX 64

/* Reads kernel counters into the rules now / when it is time.
 * offload_refresh_stats() is for a statistics request about the 'n'
 * 'rules' ('rules' NULL: more than OFFLOAD_READ_EACH_MAX): it reads those
 * rules' counters one by one when they are few, all of them when the
 * table is small, and otherwise leaves them to the periodic read (a
 * table of 100,000 flows takes about 0.3 s to read, and is read every
 * OFFLOAD_STATS_INTERVAL or 20 times that, whichever is longer). */
void offload_read_stats(struct ofproto *p);
void offload_refresh_stats(struct ofproto *p, struct rule *const *rules,
                           size_t n);
void offload_run(struct ofproto *p);
void offload_wait(struct ofproto *p);

/* Commits what is due now (removals always are): ofproto_settle() does
 * it, before offload_wait() and before any other release of the lock
 * after the tables changed. */
void offload_settle(struct ofproto *p);

/* Brings table 0's lookup and matched counts up to date with what the
 * kernel forwarded (before a table statistics reply): one dump of the
 * action chains' counters, skipped when there are more than
 * OFFLOAD_SYNC_STATS_MAX of them (then the periodic read does it). */
void offload_table_stats(struct ofproto *p);

/* offload/show: the state, then each table-0 flow offloaded with its
 * kernel counters, or why it stayed in userspace. */
void offload_show(struct ofproto *p, struct ds *s);

#endif /* ofproto-mpls/offload.h */
