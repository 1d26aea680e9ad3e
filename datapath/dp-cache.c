/* datapath/dp-cache.c: exact-match cache and megaflow table. */
#include <config.h>
#include "datapath/dp-cache.h"

#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "timeval.h"

static const uint64_t *
key_words(const struct dp_key *key)
{
    return (const uint64_t *) key;
}

uint32_t
dp_key_hash(const struct dp_key *key)
{
    return hash_words64(key_words(key), DP_KEY_U64S, 0);
}

/* Stores 'key' & 'mask' in 'dst' and returns its hash. */
static uint32_t
mask_key(const struct dp_key *key, const struct dp_key *mask,
         struct dp_key *dst)
{
    const uint64_t *k = key_words(key);
    const uint64_t *m = key_words(mask);
    uint64_t *d = (uint64_t *) dst;

    for (size_t i = 0; i < DP_KEY_U64S; i++) {
        d[i] = k[i] & m[i];
    }
    return hash_words64(d, DP_KEY_U64S, 0);
}

void
dp_cache_init(struct dp_cache *cache)
{
    ovs_list_init(&cache->subtables);
    cache->n_flows = 0;
    cache->dead = NULL;
    cache->n_dead = 0;
    cache->n_removed = 0;
    cache->emc_hits = cache->megaflow_hits = cache->misses = 0;
    cache->emc = xcalloc(DP_EMC_SIZE, sizeof *cache->emc);
}

void
dp_cache_uninit(struct dp_cache *cache,
                void (*free_cb)(void *aux, struct dp_flow *), void *aux)
{
    if (cache->emc) {
        dp_cache_flush(cache, free_cb, aux);
        free(cache->emc);
        cache->emc = NULL;
    }
}

struct dp_flow *
dp_cache_lookup(struct dp_cache *cache, const struct dp_key *key,
                uint32_t hash)
{
    struct dp_emc_entry *e = &cache->emc[hash & (DP_EMC_SIZE - 1)];
    if (e->flow && !e->flow->dead && !memcmp(&e->key, key, sizeof *key)) {
        cache->emc_hits++;
        return e->flow;
    }

    struct dp_subtable *st;
    LIST_FOR_EACH (st, node, &cache->subtables) {
        struct dp_key masked;
        uint32_t mhash = mask_key(key, &st->mask, &masked);
        struct dp_flow *flow;

        HMAP_FOR_EACH_WITH_HASH (flow, node, mhash, &st->flows) {
            if (!memcmp(&flow->key, &masked, sizeof masked)) {
                cache->megaflow_hits++;
                e->flow = flow;
                e->key = *key;
                return flow;
            }
        }
    }
    cache->misses++;
    return NULL;
}

static struct dp_subtable *
find_subtable(struct dp_cache *cache, const struct dp_key *mask)
{
    struct dp_subtable *st;
    LIST_FOR_EACH (st, node, &cache->subtables) {
        if (!memcmp(&st->mask, mask, sizeof *mask)) {
            return st;
        }
    }
    st = xzalloc(sizeof *st);
    st->mask = *mask;
    hmap_init(&st->flows);
    ovs_list_push_back(&cache->subtables, &st->node);
    return st;
}

struct dp_flow *
dp_cache_insert(struct dp_cache *cache, const struct dp_key *key,
                const struct dp_key *mask,
                const struct dp_action *actions, size_t n,
                void *xcache, bool *xcache_unused)
{
    struct dp_subtable *st = find_subtable(cache, mask);
    struct dp_key masked;
    uint32_t mhash = mask_key(key, mask, &masked);
    struct dp_flow *flow;

    *xcache_unused = false;
    HMAP_FOR_EACH_WITH_HASH (flow, node, mhash, &st->flows) {
        if (!memcmp(&flow->key, &masked, sizeof masked)) {
            *xcache_unused = true;
            return flow;
        }
    }

    flow = xzalloc(sizeof *flow + n * sizeof *actions);
    flow->key = masked;
    flow->subtable = st;
    flow->created = time_msec();
    flow->created_usec = time_usec();
    flow->xcache = xcache;
    flow->n_actions = n;
    memcpy(flow->actions, actions, n * sizeof *actions);
    hmap_insert(&st->flows, &flow->node, mhash);
    cache->n_flows++;
    return flow;
}

void
dp_cache_remove(struct dp_cache *cache, struct dp_flow *flow)
{
    ovs_assert(!flow->dead);
    hmap_remove(&flow->subtable->flows, &flow->node);
    cache->n_flows--;
    cache->n_removed++;
    flow->dead = true;
    flow->next_dead = cache->dead;
    cache->dead = flow;
    cache->n_dead++;
}

void
dp_cache_reap(struct dp_cache *cache)
{
    if (!cache->dead) {
        return;
    }
    for (size_t i = 0; i < DP_EMC_SIZE; i++) {
        struct dp_emc_entry *e = &cache->emc[i];
        if (e->flow && e->flow->dead) {
            e->flow = NULL;
        }
    }
    while (cache->dead) {
        struct dp_flow *flow = cache->dead;
        cache->dead = flow->next_dead;
        free(flow);
    }
    cache->n_dead = 0;
    struct dp_subtable *st;
    LIST_FOR_EACH_SAFE (st, node, &cache->subtables) {
        if (hmap_is_empty(&st->flows)) {
            ovs_list_remove(&st->node);
            hmap_destroy(&st->flows);
            free(st);
        }
    }
}

void
dp_cache_flush(struct dp_cache *cache,
               void (*free_cb)(void *aux, struct dp_flow *), void *aux)
{
    struct dp_subtable *st;

    dp_cache_reap(cache);
    if (!cache->n_flows && ovs_list_is_empty(&cache->subtables)) {
        /* Already empty, and the EMC was cleared when it got so: a burst
         * of flow-mods costs nothing here. */
        return;
    }
    LIST_FOR_EACH_POP (st, node, &cache->subtables) {
        struct dp_flow *flow;
        HMAP_FOR_EACH_POP (flow, node, &st->flows) {
            if (free_cb) {
                free_cb(aux, flow);
            }
            free(flow);
        }
        hmap_destroy(&st->flows);
        free(st);
    }
    cache->n_flows = 0;
    memset(cache->emc, 0, DP_EMC_SIZE * sizeof *cache->emc);
}

void
dp_cache_for_each(struct dp_cache *cache,
                  void (*cb)(void *aux, struct dp_flow *), void *aux)
{
    struct dp_subtable *st;
    LIST_FOR_EACH (st, node, &cache->subtables) {
        struct dp_flow *flow;
        HMAP_FOR_EACH (flow, node, &st->flows) {
            cb(aux, flow);
        }
    }
}

static bool
is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

static void
format_mac(struct ds *s, const char *name, const struct eth_addr *v,
           const struct eth_addr *m)
{
    if (!m || !eth_addr_is_zero(*m)) {
        ds_put_format(s, "%s="ETH_ADDR_FMT, name, ETH_ADDR_ARGS(*v));
        if (m && !eth_mask_is_exact(*m)) {
            ds_put_format(s, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(*m));
        }
        ds_put_char(s, ',');
    }
}

static void
format_ip4(struct ds *s, const char *name, ovs_be32 v, const ovs_be32 *m)
{
    if (!m || *m) {
        ds_put_format(s, "%s="IP_FMT, name, IP_ARGS(v));
        if (m && *m != OVS_BE32_MAX) {
            ds_put_format(s, "/"IP_FMT, IP_ARGS(*m));
        }
        ds_put_char(s, ',');
    }
}

static void
format_ip6(struct ds *s, const char *name, const struct in6_addr *v,
           const struct in6_addr *m)
{
    if (!m || !is_zero(m, sizeof *m)) {
        ds_put_format(s, "%s=", name);
        ipv6_format_addr(v, s);
        if (m && !ipv6_mask_is_exact(m)) {
            ds_put_char(s, '/');
            ipv6_format_addr(m, s);
        }
        ds_put_char(s, ',');
    }
}

static void
format_uint(struct ds *s, const char *name, uint32_t v, const uint32_t *m,
            uint32_t all)
{
    if (!m || *m) {
        ds_put_format(s, "%s=%"PRIu32, name, v);
        if (m && *m != all) {
            ds_put_format(s, "/%#"PRIx32, *m);
        }
        ds_put_char(s, ',');
    }
}

static void
end_group(struct ds *s, size_t start)
{
    if (s->length > start && s->string[s->length - 1] == ',') {
        s->length--;
        ds_put_cstr(s, "),");
    } else {
        /* Nothing in the group: remove its "name(". */
        s->length = start;
        while (s->length && s->string[s->length - 1] != ',') {
            s->length--;
        }
    }
    s->string[s->length] = '\0';
}

void
dp_key_format(const struct dp_key *key, const struct dp_key *mask,
              struct ds *s)
{
    const struct dp_key *m = mask;
    uint32_t u, um;
    size_t start;

    ds_put_format(s, "recirc_id(%#"PRIx32"),", key->recirc_id);
    ds_put_format(s, "in_port(%"PRIu32"),", key->in_port);

    ds_put_cstr(s, "eth(");
    start = s->length;
    format_mac(s, "src", &key->dl_src, m ? &m->dl_src : NULL);
    format_mac(s, "dst", &key->dl_dst, m ? &m->dl_dst : NULL);
    end_group(s, start);

    for (int i = 0; i < key->n_vlans && i < DP_VLAN_MAX; i++) {
        if (!m || m->vlans[i].tci) {
            ds_put_format(s, "vlan(tpid=%#"PRIx16",vid=%d,pcp=%d),",
                          ntohs(key->vlans[i].tpid),
                          vlan_tci_to_vid(key->vlans[i].tci),
                          vlan_tci_to_pcp(key->vlans[i].tci));
        }
    }
    if (!m || m->dl_type) {
        ds_put_format(s, "eth_type(%#06"PRIx16"),", ntohs(key->dl_type));
    }

    if (key->n_mpls) {
        for (int i = 0; i < key->n_mpls; i++) {
            if (m && !m->mpls[i]) {
                continue;
            }
            ovs_be32 lse = key->mpls[i];
            ds_put_format(s, "mpls(lse%d=label:%"PRIu32",tc:%d,ttl:%d,"
                          "bos:%d),", i, dp_lse_label(lse), dp_lse_tc(lse),
                          dp_lse_ttl(lse), dp_lse_bos(lse));
        }
        if (key->mpls_deep) {
            ds_put_cstr(s, "mpls(deeper),");
        }
    } else if (key->dl_type == htons(ETH_TYPE_IP)
               || key->dl_type == htons(ETH_TYPE_ARP)) {
        bool arp = key->dl_type == htons(ETH_TYPE_ARP);
        ds_put_cstr(s, arp ? "arp(" : "ipv4(");
        start = s->length;
        format_ip4(s, arp ? "sip" : "src", key->nw_src,
                   m ? &m->nw_src : NULL);
        format_ip4(s, arp ? "tip" : "dst", key->nw_dst,
                   m ? &m->nw_dst : NULL);
        u = key->nw_proto;
        um = m ? m->nw_proto : 0xff;
        format_uint(s, arp ? "op" : "proto", u, m ? &um : NULL, 0xff);
        if (!arp) {
            u = key->nw_tos;
            um = m ? m->nw_tos : 0xff;
            format_uint(s, "tos", u, m ? &um : NULL, 0xff);
            u = key->nw_ttl;
            um = m ? m->nw_ttl : 0xff;
            format_uint(s, "ttl", u, m ? &um : NULL, 0xff);
            u = key->nw_frag;
            um = m ? m->nw_frag : 0xff;
            format_uint(s, "frag", u, m ? &um : NULL, 0xff);
        } else {
            format_mac(s, "sha", &key->arp_sha, m ? &m->arp_sha : NULL);
            format_mac(s, "tha", &key->arp_tha, m ? &m->arp_tha : NULL);
        }
        end_group(s, start);
    } else if (key->dl_type == htons(ETH_TYPE_IPV6)) {
        ds_put_cstr(s, "ipv6(");
        start = s->length;
        format_ip6(s, "src", &key->ipv6_src, m ? &m->ipv6_src : NULL);
        format_ip6(s, "dst", &key->ipv6_dst, m ? &m->ipv6_dst : NULL);
        u = key->nw_proto;
        um = m ? m->nw_proto : 0xff;
        format_uint(s, "proto", u, m ? &um : NULL, 0xff);
        u = key->nw_ttl;
        um = m ? m->nw_ttl : 0xff;
        format_uint(s, "hlimit", u, m ? &um : NULL, 0xff);
        end_group(s, start);
    }

    if (!m || m->tp_src || m->tp_dst) {
        if (key->tp_src || key->tp_dst || m) {
            ds_put_cstr(s, "l4(");
            start = s->length;
            u = ntohs(key->tp_src);
            um = m ? ntohs(m->tp_src) : 0xffff;
            format_uint(s, "src", u, m ? &um : NULL, 0xffff);
            u = ntohs(key->tp_dst);
            um = m ? ntohs(m->tp_dst) : 0xffff;
            format_uint(s, "dst", u, m ? &um : NULL, 0xffff);
            end_group(s, start);
        }
    }
    if (s->length && s->string[s->length - 1] == ',') {
        s->length--;
        s->string[s->length] = '\0';
    }
}
