/*
 * ofproto-mpls/group.h: OpenFlow 1.3 group table.
 *
 * What?
 * =====
 *
 * Groups of type all, select, indirect and fast-failover, with buckets
 * whose actions are OVS ofpacts, chaining (a bucket may output to another
 * group; loops are refused), liveness (a bucket is live when its watch
 * port is up and its watch group has a live bucket), and counters per
 * group and per bucket.  Translation (xlate.c) picks buckets; this module
 * keeps the table and answers group-mods and group statistics.
 *
 * Ownership: the ofproto owns its groups; group pointers handed to
 * translation stay valid until the next group-mod, which always
 * invalidates the datapath cache first.
 *
 * Thread-safety: main thread only.
 */
#ifndef OFPROTO_MPLS_GROUP_H
#define OFPROTO_MPLS_GROUP_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-group.h"

struct ofconn;
struct ofp_header;
struct ofproto;

struct group {
    struct hmap_node node;      /* In ofproto's 'groups', by id. */
    uint32_t group_id;
    uint8_t type;               /* OFPGT11_*. */
    struct ovs_list buckets;    /* Of struct ofputil_bucket. */
    size_t n_buckets;
    long long int created;      /* msec. */
    uint64_t packet_count;
    uint64_t byte_count;
    struct bucket_counter *bucket_stats;    /* 'n_buckets' of them. */
    struct ofputil_group_props props;
};

void group_table_destroy(struct ofproto *);

struct group *group_find(const struct ofproto *, uint32_t group_id);

/* Whether a bucket, or a group as a whole, can forward now. */
bool group_bucket_is_live(const struct ofproto *,
                          const struct ofputil_bucket *);
bool group_is_live(const struct ofproto *, const struct group *);

/* Transactions, for bundle commits: between group_txn_begin() and
 * group_txn_commit() or group_txn_abort(), group_mod() logs how to undo
 * each change, and abort undoes them all (and flushes the datapath
 * cache).  One at a time. */
void group_txn_begin(struct ofproto *);
void group_txn_commit(struct ofproto *);
void group_txn_abort(struct ofproto *);

/* Message handlers; each returns 0 or an OpenFlow error. */
/* Applies a decoded group-mod whose bucket actions the caller validated
 * (validate.h); takes its buckets.  Returns 0 or an OpenFlow error. */
struct ofputil_group_mod;
enum ofperr group_mod(struct ofproto *, struct ofputil_group_mod *);
enum ofperr group_handle_stats_request(struct ofproto *, struct ofconn *,
                                       const struct ofp_header *);
enum ofperr group_handle_desc_request(struct ofproto *, struct ofconn *,
                                      const struct ofp_header *);
enum ofperr group_handle_features_request(struct ofconn *,
                                          const struct ofp_header *);

#endif /* ofproto-mpls/group.h */
