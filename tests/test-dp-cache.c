/*
 * tests/test-dp-cache.c: unit tests for datapath/dp-cache.c.
 *
 * The exact-match cache and the megaflow table: which flow a key finds
 * under which mask, that the EMC remembers the last hit and is never
 * trusted over a removed flow, that identical inserts return the existing
 * flow, that one flow can be removed while the others keep working
 * (revalidation), that reaping frees what was removed and drops empty
 * subtables, that a flush hands every flow to its callback, and the
 * hit/miss counters dpctl/show reports.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/dp-cache.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "packets.h"

/* A UDP key from 10.0.0.'src' port 'sport' to 10.1.0.2:2000 on port 1. */
static struct dp_key
udp_key(uint8_t src, uint16_t sport)
{
    struct dp_key k;

    memset(&k, 0, sizeof k);
    k.in_port = 1;
    k.dl_src = (struct eth_addr) { { { 2, 0, 0, 0, 0, 1 } } };
    k.dl_dst = (struct eth_addr) { { { 2, 0, 0, 0, 0, 2 } } };
    k.dl_type = htons(ETH_TYPE_IP);
    k.nw_src = htonl(0x0a000000 | src);
    k.nw_dst = htonl(0x0a010002);
    k.nw_proto = IPPROTO_UDP;
    k.nw_ttl = 64;
    k.tp_src = htons(sport);
    k.tp_dst = htons(2000);
    return k;
}

/* Masks: metadata + ethertype + IPv4 destination ("route"), and that plus
 * source address and port ("5-tuple"). */
static struct dp_key
route_mask(void)
{
    struct dp_key m;

    memset(&m, 0, sizeof m);
    m.recirc_id = UINT32_MAX;
    m.in_port = UINT32_MAX;
    m.dl_type = OVS_BE16_MAX;
    m.nw_dst = OVS_BE32_MAX;
    return m;
}

static struct dp_key
tuple_mask(void)
{
    struct dp_key m = route_mask();

    m.nw_src = OVS_BE32_MAX;
    m.nw_proto = UINT8_MAX;
    m.tp_src = OVS_BE16_MAX;
    m.tp_dst = OVS_BE16_MAX;
    return m;
}

static struct dp_action
output(uint32_t port)
{
    struct dp_action a;

    memset(&a, 0, sizeof a);
    a.type = DPA_OUTPUT;
    a.u32 = port;
    return a;
}

static struct dp_flow *
insert(struct dp_cache *c, const struct dp_key *key, const struct dp_key *mask,
       uint32_t port, void *xcache)
{
    struct dp_action a = output(port);
    bool unused;
    struct dp_flow *flow = dp_cache_insert(c, key, mask, &a, 1, xcache,
                                           &unused);
    assert_non_null(flow);
    assert_false(unused);
    return flow;
}

static struct dp_flow *
lookup(struct dp_cache *c, const struct dp_key *key)
{
    return dp_cache_lookup(c, key, dp_key_hash(key));
}

static size_t
n_subtables(const struct dp_cache *c)
{
    return ovs_list_size(&c->subtables);
}

static int
setup(void **state)
{
    struct dp_cache *c = calloc(1, sizeof *c);
    if (!c) {
        return -1;
    }
    dp_cache_init(c);
    *state = c;
    return 0;
}

static int
teardown(void **state)
{
    struct dp_cache *c = *state;
    dp_cache_uninit(c, NULL, NULL);
    free(c);
    return 0;
}

/* A miss, then a megaflow hit for every key the mask covers, then an EMC
 * hit for the same key; keys outside the mask miss. */
static void
test_lookup_levels(void **state)
{
    struct dp_cache *c = *state;
    struct dp_key k1 = udp_key(1, 1000), k2 = udp_key(2, 1001);
    struct dp_key m = route_mask();

    assert_null(lookup(c, &k1));
    assert_int_equal(c->misses, 1);

    struct dp_flow *f = insert(c, &k1, &m, 2, NULL);
    assert_int_equal(c->n_flows, 1);
    assert_ptr_equal(lookup(c, &k1), f);
    assert_int_equal(c->megaflow_hits, 1);
    assert_ptr_equal(lookup(c, &k1), f);
    assert_int_equal(c->emc_hits, 1);

    /* Another source: same megaflow (source is wildcarded). */
    assert_ptr_equal(lookup(c, &k2), f);
    assert_int_equal(c->megaflow_hits, 2);

    /* The stored key is masked: nothing outside the mask survives. */
    assert_int_equal(f->key.nw_src, 0);
    assert_int_equal(f->key.tp_src, 0);
    assert_true(f->key.nw_dst == k1.nw_dst);

    /* Another destination, another in_port: misses. */
    struct dp_key k3 = k1;
    k3.nw_dst = htonl(0x0a010003);
    assert_null(lookup(c, &k3));
    k3 = k1;
    k3.in_port = 2;
    assert_null(lookup(c, &k3));
    assert_int_equal(c->misses, 3);
}

/* Inserting the same masked flow twice returns the first one and leaves
 * the second xcache to the caller. */
static void
test_insert_identical(void **state)
{
    struct dp_cache *c = *state;
    struct dp_key k1 = udp_key(1, 1000), k2 = udp_key(9, 4242);
    struct dp_key m = route_mask();
    int xc1, xc2;

    struct dp_flow *f = insert(c, &k1, &m, 2, &xc1);
    struct dp_action a = output(3);
    bool unused;
    struct dp_flow *g = dp_cache_insert(c, &k2, &m, &a, 1, &xc2, &unused);
    assert_ptr_equal(f, g);
    assert_true(unused);
    assert_ptr_equal(f->xcache, &xc1);
    assert_int_equal(f->actions[0].u32, 2);
    assert_int_equal(c->n_flows, 1);
    assert_int_equal(n_subtables(c), 1);
}

/* Three flows in two subtables: k[0] and k[1] (two sources) under the
 * 5-tuple mask, outputs 2 and 3; k[2] (another destination) under the
 * route mask, output 4.  Each key finds its own flow (and is then in the
 * EMC). */
static void
three_flows(struct dp_cache *c, struct dp_key k[3], struct dp_flow *f[3])
{
    struct dp_key route = route_mask(), tuple = tuple_mask();

    k[0] = udp_key(1, 1000);
    k[1] = udp_key(2, 1000);
    k[2] = udp_key(1, 1000);
    k[2].nw_dst = htonl(0x0a010009);
    f[0] = insert(c, &k[0], &tuple, 2, NULL);
    f[1] = insert(c, &k[1], &tuple, 3, NULL);
    f[2] = insert(c, &k[2], &route, 4, NULL);
    for (int i = 0; i < 3; i++) {
        assert_ptr_equal(lookup(c, &k[i]), f[i]);
    }
}

static void
test_subtables(void **state)
{
    struct dp_cache *c = *state;
    struct dp_key k[3];
    struct dp_flow *f[3];

    three_flows(c, k, f);
    assert_int_equal(n_subtables(c), 2);
    assert_int_equal(c->n_flows, 3);
    struct dp_key k4 = udp_key(4, 1000);
    assert_null(lookup(c, &k4));
}

/* Removing a flow: it is found no more, neither through the megaflow
 * table nor through an EMC slot that still points to it; the other flows
 * are untouched; a new flow for the same masked key can be inserted at
 * once; reaping frees it, clears its EMC slots and drops the subtable it
 * left empty. */
static void
test_remove_and_reap(void **state)
{
    struct dp_cache *c = *state;
    struct dp_key tuple = tuple_mask();
    struct dp_key k[3];
    struct dp_flow *f[3];

    three_flows(c, k, f);
    struct dp_key k1 = k[0], k2 = k[1], far = k[2];
    struct dp_flow *f1 = f[0], *f2 = f[1];

    dp_cache_remove(c, f1);
    dp_cache_remove(c, f[2]);
    assert_true(f1->dead);
    assert_int_equal(c->n_flows, 1);
    assert_int_equal(c->n_removed, 2);
    assert_int_equal(c->n_dead, 2);
    uint64_t emc_hits = c->emc_hits;
    assert_null(lookup(c, &k1));
    assert_null(lookup(c, &far));
    assert_int_equal(c->emc_hits, emc_hits);
    assert_ptr_equal(lookup(c, &k2), f2);

    /* The same masked key again, before the reap: a new flow. */
    struct dp_flow *f1b = insert(c, &k1, &tuple, 5, NULL);
    assert_ptr_not_equal(f1b, f1);
    assert_ptr_equal(lookup(c, &k1), f1b);
    assert_int_equal(lookup(c, &k1)->actions[0].u32, 5);

    dp_cache_reap(c);
    assert_null(c->dead);
    assert_int_equal(c->n_dead, 0);
    for (size_t i = 0; i < DP_EMC_SIZE; i++) {
        /* Nothing points at freed memory (ASan would also say so). */
        assert_true(!c->emc[i].flow || c->emc[i].flow == f2
                    || c->emc[i].flow == f1b);
    }
    assert_int_equal(n_subtables(c), 1);   /* The route subtable went. */
    assert_ptr_equal(lookup(c, &k2), f2);
    assert_ptr_equal(lookup(c, &k1), f1b);
    assert_null(lookup(c, &far));

    /* Reaping with nothing removed changes nothing. */
    dp_cache_reap(c);
    assert_int_equal(c->n_flows, 2);
}

static void
count_cb(void *n_, struct dp_flow *flow)
{
    size_t *n = n_;
    assert_false(flow->dead);
    (*n)++;
}

/* A flush hands every live flow (not the removed ones) to the callback
 * once and leaves an empty cache whose EMC finds nothing. */
static void
test_flush(void **state)
{
    struct dp_cache *c = *state;
    struct dp_key tuple = tuple_mask();
    struct dp_flow *flows[16];

    for (int i = 0; i < 16; i++) {
        struct dp_key k = udp_key(i + 1, 1000 + i);
        flows[i] = insert(c, &k, &tuple, 2, NULL);
        assert_ptr_equal(lookup(c, &k), flows[i]);
    }
    dp_cache_remove(c, flows[3]);

    size_t n = 0;
    dp_cache_for_each(c, count_cb, &n);
    assert_int_equal(n, 15);

    n = 0;
    dp_cache_flush(c, count_cb, &n);
    assert_int_equal(n, 15);
    assert_int_equal(c->n_flows, 0);
    assert_int_equal(n_subtables(c), 0);
    for (int i = 0; i < 16; i++) {
        struct dp_key k = udp_key(i + 1, 1000 + i);
        assert_null(lookup(c, &k));
    }
}

/* The hash covers every word of the key: keys differing in one bit of the
 * last word or of the first hash differently (so the EMC tells them
 * apart), and the EMC never answers for a key that differs. */
static void
test_emc_exact(void **state)
{
    struct dp_cache *c = *state;
    struct dp_key k1 = udp_key(1, 1000), m;
    memset(&m, 0xff, sizeof m);

    struct dp_flow *f = insert(c, &k1, &m, 2, NULL);
    assert_ptr_equal(lookup(c, &k1), f);
    assert_ptr_equal(lookup(c, &k1), f);

    struct dp_key k2 = k1;
    k2.pbb_itag = htonl(1);
    assert_true(dp_key_hash(&k1) != dp_key_hash(&k2));
    assert_null(lookup(c, &k2));
    k2 = k1;
    k2.recirc_id = 1;
    assert_null(lookup(c, &k2));
}

/* dp_key_format() shows what a mask keeps and nothing else. */
static void
test_format(void **state OVS_UNUSED)
{
    struct dp_key k = udp_key(1, 1000), m = route_mask();
    struct ds s = DS_EMPTY_INITIALIZER;

    dp_key_format(&k, &m, &s);
    assert_string_equal(ds_cstr(&s),
                        "recirc_id(0),in_port(1),eth_type(0x0800),"
                        "ipv4(dst=10.1.0.2)");
    ds_destroy(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lookup_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_identical, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_subtables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_and_reap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_emc_exact, setup, teardown),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests_name("dp-cache", tests, NULL, NULL);
}
