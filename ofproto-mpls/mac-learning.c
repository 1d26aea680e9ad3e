/* ofproto-mpls/mac-learning.c: the MAC learning table (mac-learning.h). */
#include <config.h>
#include "ofproto-mpls/mac-learning.h"

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/util.h"
#include "timeval.h"
#include "util.h"

struct mac_entry {
    struct hmap_node node;      /* In 'table'. */
    struct ovs_list lru_node;   /* In 'lru'. */
    struct eth_addr mac;
    uint16_t vlan;
    ofp_port_t port;
    long long int used;         /* msec: last learned. */
};

struct mac_change {
    struct hmap_node node;
    struct eth_addr mac;
    long long int when;         /* usec (time_usec()) of the latest
                                 * change. */
};

static uint32_t
mac_hash(const struct eth_addr mac, uint16_t vlan)
{
    return hash_bytes(&mac, sizeof mac, vlan);
}

void
mac_learning_init(struct mac_learning *ml)
{
    hmap_init(&ml->table);
    ovs_list_init(&ml->lru);
    hmap_init(&ml->changed);
    ml->all_changed = false;
    ml->max_entries = MAC_LEARNING_DEFAULT_MAX;
    ml->idle_ms = MAC_LEARNING_DEFAULT_IDLE_MS;
    ml->n_learned = ml->n_moved = ml->n_expired = ml->n_evicted = 0;
}

void
mac_learning_uninit(struct mac_learning *ml)
{
    if (ml) {
        struct mac_entry *e;
        HMAP_FOR_EACH_POP (e, node, &ml->table) {
            free(e);
        }
        hmap_destroy(&ml->table);
        mac_learning_clear_changes(ml);
        hmap_destroy(&ml->changed);
    }
}

void
mac_learning_set_limits(struct mac_learning *ml, size_t max_entries,
                        long long int idle_ms)
{
    ml->max_entries = MAX(max_entries, 1);
    ml->idle_ms = MAX(idle_ms, 1);
}

static void
note_change(struct mac_learning *ml, const struct eth_addr mac)
{
    long long int now = time_usec();
    struct mac_change *c;

    if (ml->all_changed) {
        return;
    }
    HMAP_FOR_EACH_WITH_HASH (c, node, mac_hash(mac, 0), &ml->changed) {
        if (eth_addr_equals(c->mac, mac)) {
            c->when = now;
            return;
        }
    }
    if (hmap_count(&ml->changed) >= MAC_LEARNING_MAX_CHANGES) {
        mac_learning_clear_changes(ml);
        ml->all_changed = true;
        return;
    }
    c = xmalloc(sizeof *c);
    c->mac = mac;
    c->when = now;
    hmap_insert(&ml->changed, &c->node, mac_hash(mac, 0));
}

static void
entry_remove(struct mac_learning *ml, struct mac_entry *e)
{
    note_change(ml, e->mac);
    hmap_remove(&ml->table, &e->node);
    ovs_list_remove(&e->lru_node);
    free(e);
}

static struct mac_entry *
entry_find(const struct mac_learning *ml, const struct eth_addr mac,
           uint16_t vlan)
{
    struct mac_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, mac_hash(mac, vlan), &ml->table) {
        if (eth_addr_equals(e->mac, mac) && e->vlan == vlan) {
            return e;
        }
    }
    return NULL;
}

void
mac_learning_learn(struct mac_learning *ml, const struct eth_addr mac,
                   uint16_t vlan, ofp_port_t port, long long int now)
{
    struct mac_entry *e = entry_find(ml, mac, vlan);

    if (!e) {
        if (hmap_count(&ml->table) >= ml->max_entries) {
            entry_remove(ml, CONTAINER_OF(ovs_list_front(&ml->lru),
                                          struct mac_entry, lru_node));
            ml->n_evicted++;
        }
        e = xmalloc(sizeof *e);
        e->mac = mac;
        e->vlan = vlan;
        e->port = port;
        hmap_insert(&ml->table, &e->node, mac_hash(mac, vlan));
        ovs_list_push_back(&ml->lru, &e->lru_node);
        ml->n_learned++;
        note_change(ml, mac);
    } else {
        if (e->port != port) {
            e->port = port;
            ml->n_moved++;
            note_change(ml, mac);
        }
        ovs_list_remove(&e->lru_node);
        ovs_list_push_back(&ml->lru, &e->lru_node);
    }
    e->used = now;
}

ofp_port_t
mac_learning_lookup(const struct mac_learning *ml, const struct eth_addr mac,
                    uint16_t vlan, long long int now)
{
    const struct mac_entry *e = entry_find(ml, mac, vlan);
    return e && now - e->used < ml->idle_ms ? e->port : OFPP_NONE;
}

void
mac_learning_expire(struct mac_learning *ml, long long int now)
{
    while (!ovs_list_is_empty(&ml->lru)) {
        struct mac_entry *e = CONTAINER_OF(ovs_list_front(&ml->lru),
                                           struct mac_entry, lru_node);
        if (now - e->used < ml->idle_ms) {
            break;
        }
        entry_remove(ml, e);
        ml->n_expired++;
    }
}

void
mac_learning_flush(struct mac_learning *ml, ofp_port_t port)
{
    struct mac_entry *e;
    HMAP_FOR_EACH_SAFE (e, node, &ml->table) {
        if (port == OFPP_NONE || e->port == port) {
            entry_remove(ml, e);
        }
    }
}

size_t
mac_learning_count(const struct mac_learning *ml)
{
    return hmap_count(&ml->table);
}

bool
mac_learning_has_changes(const struct mac_learning *ml)
{
    return ml->all_changed || !hmap_is_empty(&ml->changed);
}

bool
mac_learning_all_changed(const struct mac_learning *ml)
{
    return ml->all_changed;
}

bool
mac_learning_changed_since(const struct mac_learning *ml,
                           const struct eth_addr mac, long long int since)
{
    const struct mac_change *c;
    HMAP_FOR_EACH_WITH_HASH (c, node, mac_hash(mac, 0), &ml->changed) {
        if (eth_addr_equals(c->mac, mac)) {
            return c->when >= since;
        }
    }
    return false;
}

void
mac_learning_clear_changes(struct mac_learning *ml)
{
    struct mac_change *c;
    HMAP_FOR_EACH_POP (c, node, &ml->changed) {
        free(c);
    }
    ml->all_changed = false;
}

void
mac_learning_show(const struct mac_learning *ml, struct ds *s)
{
    ds_put_format(s, "  MAC table: %"PRIuSIZE" entries (max %"PRIuSIZE
                  ", aging %lld s), learned %"PRIu64", moved %"PRIu64
                  ", expired %"PRIu64", evicted %"PRIu64"\n",
                  hmap_count(&ml->table), ml->max_entries,
                  ml->idle_ms / 1000, ml->n_learned, ml->n_moved,
                  ml->n_expired, ml->n_evicted);
}
