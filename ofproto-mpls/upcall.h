/*
 * ofproto-mpls/upcall.h: what the datapath asks of the OpenFlow agent.
 *
 * What?
 * =====
 *
 * The datapath (datapath/datapath.h) calls back through one ops table for
 * everything it cannot do alone: a miss (translate the key through the
 * tables, xlate.h, and hand back the mask, the actions and an xcache,
 * revalidate.h), a userspace action (a packet-in: to the controller, or an
 * invalid TTL), a meter (meter.h), and the life of each flow's xcache
 * (installed, counters pushed, freed).
 *
 * Thread-safety: the datapath calls these with its lock held, from the
 * thread that forwards the packet; that lock is what makes the agent's
 * state safe to touch there.
 */
#ifndef OFPROTO_MPLS_UPCALL_H
#define OFPROTO_MPLS_UPCALL_H 1

#include "datapath/datapath.h"

/* The ops to give datapath_create(), with the bridge as 'aux'. */
extern const struct dp_upcall_ops upcall_ops;

/* Counts (and logs, rate-limited) a translation that went over
 * XLATE_MAX_WORK; a miss and a packet-out both call it. */
struct ofproto;
struct xlate_out;
void upcall_note_over_limit(struct ofproto *, const struct xlate_out *);

#endif /* ofproto-mpls/upcall.h */
