/*
 * ofproto-mpls/bundle.h: OpenFlow bundles (OpenFlow 1.4, and the ONF
 * extension OpenFlow 1.3 clients such as `ovs-ofctl --bundle` use).
 *
 * What?
 * =====
 *
 * A bundle collects flow-mods and group-mods on one connection and
 * applies them all or none at commit.  Commit runs them in order against
 * the live tables with undo logs (oftable.h's and group.h's
 * transactions); if one fails, everything it did is
 * rolled back, its error goes to the client with the failing message's
 * xid, and the commit itself fails with OFPBFC_MSG_FAILED.  Nothing else
 * runs during a commit (one thread), so no packet sees half a bundle.
 *
 * Ownership: bundles belong to their connection and die with it.
 *
 * Thread-safety: main thread only.
 */
#ifndef OFPROTO_MPLS_BUNDLE_H
#define OFPROTO_MPLS_BUNDLE_H 1

#include "openvswitch/hmap.h"
#include "openvswitch/ofp-errors.h"

struct ofconn;
struct ofp_header;
struct ofproto;

/* Applies one message of a bundle being committed (a flow-mod or a
 * group-mod), inside the tables' transactions: returns 0 or its OpenFlow
 * error. */
typedef enum ofperr bundle_apply_fn(struct ofproto *, struct ofconn *,
                                    const struct ofp_header *);

/* OFPT_BUNDLE_CONTROL; a commit applies each message with 'apply'. */
enum ofperr bundle_handle_control(struct ofproto *, struct ofconn *,
                                  const struct ofp_header *,
                                  bundle_apply_fn *apply);
enum ofperr bundle_handle_add(struct ofproto *, struct ofconn *,
                              const struct ofp_header *);

/* Frees every bundle in 'bundles' (a connection closed). */
void bundle_discard_all(struct hmap *bundles);

#endif /* ofproto-mpls/bundle.h */
