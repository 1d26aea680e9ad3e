/*
 * tests/fuzz/fuzz-groups.c: group graphs (issue 15 item 3).
 *
 * Each input builds a bridge with four fake ports and no datapath
 * (ofproto_create(), as tests/test-xlate.c does) and applies a sequence of
 * group-mods to it, then translates packets through its groups.
 *
 * Input layout: records, each
 *
 *   +-----+----+------+-----------+--------------------------------+
 *   | cmd | id | type | n_buckets | buckets                        |
 *   +-----+----+------+-----------+--------------------------------+
 *   bucket: | weight | watch_port | watch_group | n_acts | acts...  |
 *   act:    | kind | value |   kind % 4: 0 output:value % 6 (5:
 *                              in_port), 1 group:value % 40, 2 set a
 *                              register, 3 push_vlan
 *
 * 'cmd' % 4 is add, modify, delete or translate; group ids are
 * 'id' % 40 (39: OFPG_ALL for a delete); types 'type' % 5 (4: not a type);
 * at most 8 buckets of 6 actions.  Translate runs a packet-out
 * ("group:id") of a UDP frame through translation.
 *
 * Checks besides crashes, sanitizers, leaks and hangs: after every
 * group-mod, an independent walk (its own memo, nothing shared with
 * group.c) finds no loop through output:group and no chain longer than 16
 * groups; a translation returns with at most a bounded number of datapath
 * actions, and over_limit set whenever its work reached XLATE_MAX_WORK.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-parse.h"
#include "datapath/dp-port.h"
#include "dp-packet.h"
#include "flow.h"
#include "hash.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/ofport.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/ofproto.h"
#include "ofproto-mpls/xlate.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "packets.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define N_PORTS 4
#define N_IDS 40
#define MAX_CHAIN 16

int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return 0;
}

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t
take(struct input *in)
{
    if (!in->n) {
        return 0;
    }
    in->n--;
    return *in->p++;
}

/* The independent check: a depth-first walk with its own memo (state 1:
 * on the walk's path, 2: done, depth in 'memo_depth'): the longest chain
 * from 'id' (groups counted), or -1 on a loop. */
static int
longest(const struct ofproto *p, uint32_t id, uint8_t *state, int *memo)
{
    const struct group *g = group_find(p, id);
    if (!g || id >= N_IDS) {
        return 0;
    }
    if (state[id] == 1) {
        return -1;
    } else if (state[id] == 2) {
        return memo[id];
    }
    state[id] = 1;
    int most = 0;
    const struct ofputil_bucket *b;
    LIST_FOR_EACH (b, list_node, &g->buckets) {
        const struct ofpact *a;
        OFPACT_FOR_EACH (a, b->ofpacts, b->ofpacts_len) {
            if (a->type == OFPACT_GROUP) {
                int d = longest(p, ofpact_get_GROUP(a)->group_id, state,
                                memo);
                if (d < 0) {
                    return -1;
                }
                most = MAX(most, d);
            }
        }
    }
    state[id] = 2;
    memo[id] = most + 1;
    return most + 1;
}

static void
check_graph(const struct ofproto *p)
{
    uint8_t state[N_IDS] = { 0 };
    int memo[N_IDS];
    for (uint32_t id = 0; id < N_IDS; id++) {
        int d = longest(p, id, state, memo);
        if (d < 0 || d > MAX_CHAIN) {
            fprintf(stderr, "group %u: %s\n", id,
                    d < 0 ? "a loop was accepted" : "chain too deep");
            abort();
        }
    }
}

static void
group_record(struct ofproto *p, struct input *in, uint8_t cmd)
{
    struct ofputil_group_mod gm;
    memset(&gm, 0, sizeof gm);
    ovs_list_init(&gm.buckets);
    gm.command = cmd == 0 ? OFPGC11_ADD : cmd == 1 ? OFPGC11_MODIFY
                 : OFPGC11_DELETE;
    uint8_t id = take(in) % N_IDS;
    gm.group_id = id == N_IDS - 1 && cmd == 2 ? OFPG_ALL : id;
    static const uint8_t types[] = { OFPGT11_ALL, OFPGT11_SELECT,
                                     OFPGT11_INDIRECT, OFPGT11_FF, 9 };
    gm.type = types[take(in) % 5];
    int n_buckets = take(in) % 9;
    for (int i = 0; i < n_buckets; i++) {
        struct ofputil_bucket *b = xzalloc(sizeof *b);
        struct ofpbuf acts;
        b->weight = take(in) % 4;
        uint8_t wp = take(in) % 6;
        b->watch_port = wp == 5 ? OFPP_ANY : u16_to_ofp(wp);
        uint8_t wg = take(in) % (N_IDS + 1);
        b->watch_group = wg == N_IDS ? OFPG_ANY : wg;
        b->bucket_id = i;
        ofpbuf_init(&acts, 64);
        int n_acts = take(in) % 7;
        for (int k = 0; k < n_acts; k++) {
            uint8_t kind = take(in) % 4, v = take(in);
            switch (kind) {
            case 0:
                ofpact_put_OUTPUT(&acts)->port = (v % 6 == 5 ? OFPP_IN_PORT
                                                  : u16_to_ofp(v % 6));
                break;
            case 1:
                ofpact_put_GROUP(&acts)->group_id = v % N_IDS;
                break;
            case 2: {
                union mf_value value = { .be32 = htonl(v) };
                ofpact_put_set_field(&acts, mf_from_id(MFF_REG0 + v % 4),
                                     &value, NULL);
                break;
            }
            default:
                ofpact_put_PUSH_VLAN(&acts)->ethertype
                    = htons(ETH_TYPE_VLAN_8021Q);
                break;
            }
        }
        b->ofpacts_len = acts.size;
        b->ofpacts = ofpbuf_steal_data(&acts);
        ovs_list_push_back(&gm.buckets, &b->list_node);
    }
    group_mod(p, &gm);
    ofputil_uninit_group_mod(&gm);
    check_graph(p);
}

static void
translate(struct ofproto *p, uint32_t group_id)
{
    static const uint8_t frame[] = {
        0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
        0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0, 9, 0, 9, 0, 8, 0, 0,
    };
    struct dp_packet *pkt = dp_packet_clone_data(frame, sizeof frame);
    struct dp_key key;
    dp_parse(pkt, 1, 0, 0, 0, &key);

    struct ofpbuf acts;
    ofpbuf_init(&acts, 64);
    ofpact_put_GROUP(&acts)->group_id = group_id;
    struct xlate_in xin = {
        .ofproto = p,
        .key = &key,
        .ofpacts = acts.data,
        .ofpacts_len = acts.size,
    };
    struct xlate_out xout;
    xlate_out_init(&xout);
    xlate(&xin, &xout);
    size_t n = xout.actions.size / sizeof(struct dp_action);
    /* Each action or bucket visited adds at most a few. */
    if (n > 8 * (size_t) XLATE_MAX_WORK) {
        fprintf(stderr, "%zu datapath actions\n", n);
        abort();
    }
    if (xout.over_limit && n) {
        fprintf(stderr, "over the limit, yet %zu actions\n", n);
        abort();
    }
    xlate_out_uninit(&xout);
    ofpbuf_uninit(&acts);
    dp_packet_delete(pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ofproto *p = ofproto_create("fz", 1);
    struct dp_port dp_ports[N_PORTS];
    char names[N_PORTS][8];

    memset(dp_ports, 0, sizeof dp_ports);
    for (int i = 0; i < N_PORTS; i++) {
        struct dp_port *dpp = &dp_ports[i];
        snprintf(names[i], sizeof names[i], "p%d", i + 1);
        dpp->port_no = i + 1;
        dpp->name = names[i];
        dpp->admin_up = dpp->carrier = i != 3;     /* Port 4 is down. */
        struct ofport *port = xzalloc(sizeof *port);
        port->ofp_port = u16_to_ofp(i + 1);
        port->dp_port = dpp;
        hmap_insert(&p->ports, &port->node, hash_int(i + 1, 0));
    }

    struct input in = { data, size };
    for (int records = 0; in.n && records < 64; records++) {
        uint8_t cmd = take(&in) % 4;
        if (cmd == 3) {
            translate(p, take(&in) % N_IDS);
        } else {
            group_record(p, &in, cmd);
        }
    }
    ofproto_destroy(p);
    /* What the classifier postponed is freed now, input by input. */
    ovsrcu_quiesce();
    return 0;
}
