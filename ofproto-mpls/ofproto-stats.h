/*
 * ofproto-mpls/ofproto-stats.h: the statistics and description replies.
 *
 * What?
 * =====
 *
 * The multipart requests that read a bridge's state: switch description,
 * flow and aggregate statistics (with the kernel's counters read in
 * first, offload.h), table statistics and features, port statistics and
 * descriptions, queue configuration and statistics.  (Groups and meters
 * answer their own: group.h, meter.h.)  Each handler sends its replies on
 * 'ofconn' and returns 0, or returns the OpenFlow error to send instead.
 *
 * Thread-safety: main thread only.
 */
#ifndef OFPROTO_MPLS_OFPROTO_STATS_H
#define OFPROTO_MPLS_OFPROTO_STATS_H 1

#include <stdbool.h>
#include "openvswitch/ofp-errors.h"

struct ofconn;
struct ofp_header;
struct ofpext_count;
struct ofproto;

/* 'introduced': what ofpext_msg_to_carriers() put in the request. */
enum ofperr ofproto_stats_flow(struct ofproto *, struct ofconn *,
                               const struct ofp_header *, bool aggregate,
                               const struct ofpext_count *introduced);
enum ofperr ofproto_stats_desc(struct ofproto *, struct ofconn *,
                               const struct ofp_header *);
enum ofperr ofproto_stats_table(struct ofproto *, struct ofconn *,
                                const struct ofp_header *);
enum ofperr ofproto_stats_table_features(struct ofconn *,
                                         const struct ofp_header *);
enum ofperr ofproto_stats_queue_get_config(struct ofproto *, struct ofconn *,
                                           const struct ofp_header *);
enum ofperr ofproto_stats_queue(struct ofproto *, struct ofconn *,
                                const struct ofp_header *);
enum ofperr ofproto_stats_port(struct ofproto *, struct ofconn *,
                               const struct ofp_header *);
enum ofperr ofproto_stats_port_desc(struct ofproto *, struct ofconn *,
                                    const struct ofp_header *);

#endif /* ofproto-mpls/ofproto-stats.h */
