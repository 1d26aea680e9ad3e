/*
 * ofproto-mpls/mac-learning.h: the MAC learning table behind
 * output:NORMAL and fail mode standalone.
 *
 * What?
 * =====
 *
 * (MAC, VLAN) -> port, learned from the source addresses of frames that
 * take output:NORMAL.  Entries age out 'idle_ms' after they were last
 * learned (Open vSwitch's mac-aging-time, 300 s by default), and the table
 * holds at most 'max_entries' (Open vSwitch's mac-table-size, 2048 by
 * default): at the cap, learning a new address evicts the least recently
 * learned one, so a host that floods random source addresses costs a
 * bounded amount of memory and never a flush of everything.
 *
 * Changes
 * =======
 *
 * A datapath flow made by output:NORMAL is exact on the destination MAC
 * (and on the input port and source MAC, so a host that moves simply
 * misses).  When an address is learned, moves, ages out or is evicted, the
 * flows *to* it are stale: they flooded, or sent to a port that is no
 * longer right.  The table remembers those addresses, with the time of
 * their latest change, until the caller has removed the flows made before
 * it (mac_learning_changed_since(), mac_learning_clear_changes()): a flow
 * made after the change already used the new state;
 * past MAC_LEARNING_MAX_CHANGES of them it only says "everything"
 * (mac_learning_all_changed()).
 *
 * Thread-safety: main thread only (translation runs there).
 */
#ifndef OFPROTO_MPLS_MAC_LEARNING_H
#define OFPROTO_MPLS_MAC_LEARNING_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/types.h"
#include "packets.h"

struct ds;

#define MAC_LEARNING_DEFAULT_MAX 2048
#define MAC_LEARNING_DEFAULT_IDLE_MS (300 * 1000)
#define MAC_LEARNING_MAX_CHANGES 65536

struct mac_learning {
    struct hmap table;          /* Of struct mac_entry, by (mac, vlan). */
    struct ovs_list lru;        /* Least recently learned first. */
    size_t max_entries;
    long long int idle_ms;

    struct hmap changed;        /* Of struct mac_change, by mac. */
    bool all_changed;           /* Too many to keep. */

    /* Counters since creation. */
    uint64_t n_learned;
    uint64_t n_moved;
    uint64_t n_expired;
    uint64_t n_evicted;
};

void mac_learning_init(struct mac_learning *);
void mac_learning_uninit(struct mac_learning *);
void mac_learning_set_limits(struct mac_learning *, size_t max_entries,
                             long long int idle_ms);

/* Learns that 'mac' on 'vlan' is behind 'port', at 'now' (msec). */
void mac_learning_learn(struct mac_learning *, const struct eth_addr mac,
                        uint16_t vlan, ofp_port_t port, long long int now);

/* The port 'mac' on 'vlan' was learned on, or OFPP_NONE. */
ofp_port_t mac_learning_lookup(const struct mac_learning *,
                               const struct eth_addr mac, uint16_t vlan,
                               long long int now);

/* Frees the entries idle since before 'now - idle_ms'. */
void mac_learning_expire(struct mac_learning *, long long int now);

/* Forgets every entry on 'port' (a port that went away), or all of them
 * with OFPP_NONE; each counts as a change. */
void mac_learning_flush(struct mac_learning *, ofp_port_t port);

size_t mac_learning_count(const struct mac_learning *);

/* Changes since the last mac_learning_clear_changes(). */
bool mac_learning_has_changes(const struct mac_learning *);
bool mac_learning_all_changed(const struct mac_learning *);
/* Did 'mac' change at or after 'since' (usec, time_usec())? */
bool mac_learning_changed_since(const struct mac_learning *,
                                const struct eth_addr mac,
                                long long int since);
void mac_learning_clear_changes(struct mac_learning *);

/* For dpctl/show. */
void mac_learning_show(const struct mac_learning *, struct ds *);

#endif /* ofproto-mpls/mac-learning.h */
