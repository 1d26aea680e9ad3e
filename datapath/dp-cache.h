/*
 * datapath/dp-cache.h: the datapath flow cache.
 *
 * What?
 * =====
 *
 * Two levels in front of the upcall:
 *
 *   1. An exact-match cache (EMC): a direct-mapped array indexed by the
 *      hash of the whole key, each slot remembering one key and the flow it
 *      hit last.  A hit costs one hash and one key compare.
 *
 *   2. The megaflow table: wildcarded flows, grouped into subtables by
 *      mask (tuple space search, as OVS's dpcls).  A lookup masks the key
 *      once per subtable and probes that subtable's hash map.
 *
 * Megaflows never overlap (translation reports the fields it looked at, and
 * every packet those fields describe takes the same path), so the first
 * subtable that matches wins.
 *
 * Ownership: the cache owns its flows and their action lists.  'xcache' is
 * an opaque pointer that belongs to whoever inserted the flow; the cache
 * hands it back through the callback given to dp_cache_flush().
 *
 * Thread-safety
 * =============
 *
 * None: one thread owns a cache.
 */
#ifndef DATAPATH_DP_CACHE_H
#define DATAPATH_DP_CACHE_H 1

#include <stddef.h>
#include <stdint.h>
#include "datapath/dp-actions.h"
#include "datapath/dp-key.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"

struct ds;

/* Counters of a datapath flow. */
struct dp_flow_stats {
    uint64_t packets;
    uint64_t bytes;
    long long int used;         /* Last hit, msec (time_msec()), or 0. */
    uint16_t tcp_flags;         /* OR of the TCP flags seen. */
};

/* A megaflow. */
struct dp_flow {
    struct hmap_node node;      /* In its subtable's 'flows'. */
    struct dp_key key;          /* Already masked. */
    struct dp_subtable *subtable;
    struct dp_flow_stats stats;
    struct dp_flow_stats pushed;/* Part of 'stats' already reported. */
    long long int created;      /* msec. */
    long long int created_usec; /* The same in usec (time_usec()), to
                                 * order it against events of the same
                                 * millisecond. */
    bool dead;                  /* Removed (dp_cache_remove()), memory
                                 * kept until dp_cache_reap(). */
    struct dp_flow *next_dead;  /* In the cache's 'dead' list. */
    void *xcache;               /* Inserter's, see above. */
    size_t n_actions;
    struct dp_action actions[]; /* 'n_actions' of them. */
};

/* Flows sharing one mask. */
struct dp_subtable {
    struct ovs_list node;       /* In 'subtables' of struct dp_cache. */
    struct dp_key mask;
    struct hmap flows;          /* Of struct dp_flow, by masked-key hash. */
};

#define DP_EMC_SIZE 8192        /* Power of 2. */

struct dp_emc_entry {
    struct dp_flow *flow;       /* NULL if the slot is empty. */
    struct dp_key key;
};

struct dp_cache {
    struct ovs_list subtables;  /* Of struct dp_subtable. */
    size_t n_flows;
    struct dp_flow *dead;       /* Removed, not yet reaped... */
    size_t n_dead;              /* ...this many. */
    uint64_t n_removed;         /* Flows removed one by one, ever. */
    uint64_t emc_hits, megaflow_hits, misses;
    struct dp_emc_entry *emc;   /* DP_EMC_SIZE entries. */
};

void dp_cache_init(struct dp_cache *);

/* Frees every flow, calling 'free_cb' for each flow first (may be NULL). */
void dp_cache_uninit(struct dp_cache *,
                     void (*free_cb)(void *aux, struct dp_flow *),
                     void *aux);

/* Returns the flow that matches 'key', or NULL.  'hash' must be
 * dp_key_hash(key). */
struct dp_flow *dp_cache_lookup(struct dp_cache *, const struct dp_key *key,
                                uint32_t hash);

/* Adds a flow matching 'key' under 'mask', with the 'n' 'actions' (copied)
 * and 'xcache' (taken).  If an identical masked flow already exists it is
 * returned instead and 'xcache' is left to the caller in '*xcache_unused'
 * set to true. */
struct dp_flow *dp_cache_insert(struct dp_cache *, const struct dp_key *key,
                                const struct dp_key *mask,
                                const struct dp_action *actions, size_t n,
                                void *xcache, bool *xcache_unused);

/* Removes 'flow' from the cache: no lookup or insert finds it from now on
 * (an EMC slot that still points to it misses).  Its memory stays valid
 * until dp_cache_reap(), so a caller may remove flows while holding
 * pointers to others. */
void dp_cache_remove(struct dp_cache *, struct dp_flow *);

/* Frees the flows dp_cache_remove() removed (clearing EMC slots that
 * point to them) and subtables left empty. */
void dp_cache_reap(struct dp_cache *);

/* Removes every flow, calling 'free_cb' first for each. */
void dp_cache_flush(struct dp_cache *,
                    void (*free_cb)(void *aux, struct dp_flow *), void *aux);

/* Calls 'cb' for every flow. */
void dp_cache_for_each(struct dp_cache *,
                       void (*cb)(void *aux, struct dp_flow *), void *aux);

/* Hash of a whole key, as dp_cache_lookup() expects it. */
uint32_t dp_key_hash(const struct dp_key *key);

/* Formats 'key' under 'mask' (NULL for exact) in a style close to OVS's
 * "dpctl/dump-flows": "recirc_id(0),in_port(1),eth(...),eth_type(0x0800),
 * ipv4(...)". */
void dp_key_format(const struct dp_key *key, const struct dp_key *mask,
                   struct ds *s);

#endif /* datapath/dp-cache.h */
