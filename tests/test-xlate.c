/* tests/test-xlate.c: unit tests for translation (ofproto-mpls/xlate.h).
 *
 * A bridge without interfaces (as tests/fuzz/fuzz-openflow.c makes it),
 * with ports 1-4 put in its port table by hand (no sockets: nothing is
 * sent), flows added through the same path as mvsd --flows, and frames
 * built byte by byte and parsed by the datapath's parser.  Each case
 * checks what a datapath flow would be: its actions, its mask, and where
 * translation splits into recirculation passes, for the MPLS cases
 * docs/architecture.md describes. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-cache.h"
#include "datapath/dp-parse.h"
#include "datapath/dp-port.h"
#include "dp-packet.h"
#include "hash.h"
#include "kmod/nftc-private.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/meter.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofport.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/ofproto.h"
#include "ofproto-mpls/validate.h"
#include "ofproto-mpls/xlate.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "tests/frame-builder.h"
#include "util.h"

#define N_PORTS 4

struct bridge {
    struct ofproto *p;
    struct dp_port dp_ports[N_PORTS];
};

static int
setup(void **state)
{
    struct bridge *b = xzalloc(sizeof *b);
    b->p = ofproto_create("tx", 1);
    for (int i = 0; i < N_PORTS; i++) {
        struct dp_port *dpp = &b->dp_ports[i];
        dpp->port_no = i + 1;
        dpp->name = xasprintf("p%d", i + 1);
        dpp->admin_up = dpp->carrier = true;
        struct ofport *port = xzalloc(sizeof *port);
        port->ofp_port = u16_to_ofp(i + 1);
        port->dp_port = dpp;
        hmap_insert(&b->p->ports, &port->node, hash_int(i + 1, 0));
    }
    *state = b;
    return 0;
}

static int
teardown(void **state)
{
    struct bridge *b = *state;
    ofproto_destroy(b->p);
    for (int i = 0; i < N_PORTS; i++) {
        free(b->dp_ports[i].name);
    }
    free(b);
    ovsrcu_quiesce();
    return 0;
}

/* Adds the flow in 'text' (ovs-ofctl syntax, extensions included) as a
 * controller's flow-mod would be. */
static void
add_flow(struct bridge *b, const char *text)
{
    struct ofpext_count introduced = { 0, 0 };
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *pre, *error;

    error = ofpext_text_to_carriers(text, &pre, &introduced);
    if (error) {
        fail_msg("%s: %s", text, error);
    }
    error = parse_ofp_flow_mod_str(&fm, pre, NULL, NULL, OFPFC_ADD, &usable);
    if (error) {
        fail_msg("%s: %s", pre, error);
    }
    free(pre);
    if (fm.table_id == OFPTT_ALL) {
        fm.table_id = 0;
    }
    struct match match;
    minimatch_expand(&fm.match, &match);
    assert_int_equal(validate_decoded(&introduced, &match, fm.ofpacts,
                                      fm.ofpacts_len), 0);
    assert_int_equal(ofproto_flow_mod(b->p, &fm), 0);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    minimatch_destroy(&fm.match);
}

/* One translation's outcome, as text. */
struct outcome {
    struct dp_key key, mask;
    char *actions;              /* dp_actions_format(). */
    char *megaflow;             /* dp_key_format() of key under mask. */
    uint32_t recirc_id;         /* Of a final recirc(), else 0. */
    struct dp_action *acts;
    size_t n_acts;
};

static void
outcome_free(struct outcome *o)
{
    free(o->actions);
    free(o->megaflow);
    free(o->acts);
}

/* Translates the frame in 'f' received on 'in_port' in pass 'recirc_id'. */
static void
translate(struct bridge *b, const struct dp_packet *frame, uint32_t in_port,
          uint32_t recirc_id, struct outcome *o)
{
    struct dp_packet *pkt = dp_packet_clone_with_headroom(frame,
                                                          DP_PORT_HEADROOM);
    struct dp_key key;
    dp_parse(pkt, in_port, recirc_id, 0, 0, &key);

    struct xlate_in xin = { .ofproto = b->p, .key = &key };
    struct xlate_out xout;
    xlate_out_init(&xout);
    assert_int_equal(xlate(&xin, &xout), 0);

    struct ds s = DS_EMPTY_INITIALIZER;
    o->n_acts = xout.actions.size / sizeof(struct dp_action);
    o->acts = xmemdup(xout.actions.data, xout.actions.size + 1);
    dp_actions_format(o->acts, o->n_acts, &s);
    o->actions = ds_steal_cstr(&s);
    dp_key_format(&key, &xout.mask, &s);
    o->megaflow = ds_steal_cstr(&s);
    o->key = key;
    o->mask = xout.mask;
    o->recirc_id = (o->n_acts && o->acts[o->n_acts - 1].type == DPA_RECIRC
                    ? o->acts[o->n_acts - 1].u32 : 0);
    xlate_out_uninit(&xout);
    dp_packet_delete(pkt);
}

/* Runs the actions of 'o' on a copy of 'frame' without the outputs, as
 * ofproto/trace does, to get what the next pass parses. */
static struct dp_packet *
next_pass(const struct dp_packet *frame, const struct outcome *o)
{
    struct dp_packet *pkt = dp_packet_clone_with_headroom(frame,
                                                          DP_PORT_HEADROOM);
    struct dp_key key;
    dp_parse(pkt, 1, 0, 0, 0, &key);
    struct dp_action *copy = xmemdup(o->acts, o->n_acts * sizeof *copy + 1);
    size_t m = 0;
    for (size_t i = 0; i < o->n_acts; i++) {
        if (copy[i].type != DPA_OUTPUT && copy[i].type != DPA_RECIRC
            && copy[i].type != DPA_USERSPACE) {
            copy[m++] = copy[i];
        }
    }
    static const struct dp_exec_ops no_ops;
    assert_int_equal(dp_execute(pkt, copy, m, &no_ops, NULL), 0);
    free(copy);
    return pkt;
}

/* Frames. */

enum { IP_A = 0x0a000001, IP_B = 0x0a000002 };

static struct dp_packet *
frame_udp(const uint32_t *labels, size_t n_labels, uint8_t ip_ttl,
          uint16_t dport)
{
    struct fb f;
    fb_init(&f);
    fb_eth(&f, n_labels ? 0x8847 : 0x0800);
    for (size_t i = 0; i < n_labels; i++) {
        /* label, TC 0, BOS on the last, TTL 64 - i. */
        fb_u32(&f, (labels[i] << 12) | ((i == n_labels - 1) << 8)
                   | (64 - i));
    }
    fb_ipv4(&f, 17, IP_A, IP_B, ip_ttl, 0, 0, 0);
    fb_udp(&f, 1000, dport);
    fb_payload(&f, 18);
    fb_finish(&f);
    struct dp_packet *pkt = dp_packet_clone_data(f.b, f.n);
    return pkt;
}

/* An LSR swap: the label is matched and rewritten, nothing under the
 * stack is looked at, no recirculation; TTL and TC stay out of the mask
 * (dec_mpls_ttl checks each packet's TTL in the datapath). */
static void
test_swap(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "in_port=1,mpls,mpls_label=100,actions=set_field:200->mpls_label,dec_mpls_ttl,output:2");

    static const uint32_t stack[] = { 100 };
    struct dp_packet *frame = frame_udp(stack, 1, 64, 5);
    struct outcome o;
    translate(b, frame, 1, 0, &o);
    assert_string_equal(o.actions, "set_mpls_label(200),dec_mpls_ttl,output(2)");
    assert_int_equal(o.recirc_id, 0);
    assert_int_equal(ntohl(o.mask.mpls[0]) & MPLS_LABEL_MASK, MPLS_LABEL_MASK);
    assert_int_equal(ntohl(o.mask.mpls[0]) & (MPLS_TTL_MASK | MPLS_TC_MASK),
                     0);
    assert_int_equal(o.mask.n_mpls, 0xff);
    assert_int_equal(o.mask.nw_dst, 0);
    outcome_free(&o);
    dp_packet_delete(frame);
}

/* Egress LER: a pop to IPv4 followed by a lookup on the inner headers
 * splits in two passes: pop and recirc(id); then, on the re-parsed
 * packet, the IP lookup with its own mask. */
static void
test_pop_recirculates(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "in_port=1,mpls,mpls_label=200,actions=pop_mpls:0x0800,goto_table:1");
    add_flow(b, "table=1,priority=20,udp,nw_dst=10.0.0.2,tp_dst=5,actions=output:2");
    add_flow(b, "table=1,priority=10,actions=output:3");

    static const uint32_t stack[] = { 200 };
    for (int dport = 5; dport <= 6; dport++) {
        struct dp_packet *frame = frame_udp(stack, 1, 64, dport);
        struct outcome o1, o2;
        translate(b, frame, 1, 0, &o1);
        assert_true(o1.recirc_id != 0);
        char *want = xasprintf("pop_mpls(eth_type=0x800),recirc(%#"PRIx32
                               ")", o1.recirc_id);
        assert_string_equal(o1.actions, want);
        free(want);
        /* Pass 1 does not look under the stack. */
        assert_int_equal(o1.mask.nw_dst, 0);

        struct dp_packet *inner = next_pass(frame, &o1);
        translate(b, inner, 1, o1.recirc_id, &o2);
        assert_string_equal(o2.actions, dport == 5 ? "output(2)"
                                                   : "output(3)");
        assert_int_equal(o2.mask.recirc_id, UINT32_MAX);
        /* The port decides: all of it where the rule matched, at least
         * the bits that tell it from 5 where it did not. */
        assert_int_equal(o2.mask.nw_dst, OVS_BE32_MAX);
        if (dport == 5) {
            assert_int_equal(o2.mask.tp_dst, OVS_BE16_MAX);
        } else {
            assert_true(o2.mask.tp_dst & htons(5 ^ dport));
        }
        assert_int_equal(o2.key.dl_type, htons(ETH_TYPE_IP));
        outcome_free(&o1);
        outcome_free(&o2);
        dp_packet_delete(inner);
        dp_packet_delete(frame);
    }
}

/* Ingress LER: a label pushed onto IPv4 takes the IP TTL, which the
 * datapath's push reads from each packet: the TTL stays out of the mask
 * unless a later lookup matches the label's TTL, which then is the IP
 * TTL. */
static void
test_push_onto_ip(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "in_port=1,udp,tp_dst=5,actions=push_mpls:0x8847,set_field:100->mpls_label,output:2");
    add_flow(b, "in_port=1,udp,tp_dst=6,actions=push_mpls:0x8847,goto_table:1");
    add_flow(b, "table=1,priority=10,mpls,mpls_ttl=33,actions=output:2");
    add_flow(b, "table=1,priority=0,actions=output:3");

    struct dp_packet *frame = frame_udp(NULL, 0, 33, 5);
    struct outcome o;
    translate(b, frame, 1, 0, &o);
    assert_string_equal(o.actions, "push_mpls(eth_type=0x8847),"
                        "set_mpls_label(100),output(2)");
    assert_int_equal(o.mask.nw_ttl, 0);
    assert_int_equal(o.mask.nw_dst, 0);
    outcome_free(&o);
    dp_packet_delete(frame);

    for (int ttl = 33; ttl <= 34; ttl++) {
        frame = frame_udp(NULL, 0, ttl, 6);
        translate(b, frame, 1, 0, &o);
        assert_string_equal(o.actions, ttl == 33
                            ? "push_mpls(eth_type=0x8847),output(2)"
                            : "push_mpls(eth_type=0x8847),output(3)");
        assert_int_equal(o.mask.nw_ttl, 0xff);
        outcome_free(&o);
        dp_packet_delete(frame);
    }
}

/* A lookup on the MPLS packet after a push may look at any entry, and
 * flow entry i is no longer key entry i: the whole stack is exact. */
static void
test_lookup_after_push(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "in_port=1,mpls,mpls_label=100,actions=push_mpls:0x8847,set_field:300->mpls_label,goto_table:1");
    add_flow(b, "table=1,mpls,mpls_label=300,actions=output:2");

    static const uint32_t stack[] = { 100, 101 };
    struct dp_packet *frame = frame_udp(stack, 2, 64, 5);
    struct outcome o;
    translate(b, frame, 1, 0, &o);
    assert_string_equal(o.actions, "push_mpls(eth_type=0x8847),"
                        "set_mpls_label(300),output(2)");
    assert_int_equal(o.mask.mpls[0], OVS_BE32_MAX);
    assert_int_equal(o.mask.mpls[1], OVS_BE32_MAX);
    outcome_free(&o);
    dp_packet_delete(frame);
}

/* The action set runs in OpenFlow 1.3.5's order (5.10), whatever order it
 * was written in: copy_ttl_in, pop, push_mpls, copy_ttl_out, dec TTL,
 * set-fields, output. */
static void
test_action_set_order(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "in_port=1,mpls,actions=write_actions(output:2,"
             "set_field:7->mpls_label,copy_ttl_out,dec_mpls_ttl,"
             "push_mpls:0x8847,copy_ttl_in)");

    static const uint32_t stack[] = { 100, 101 };
    struct dp_packet *frame = frame_udp(stack, 2, 64, 5);
    struct outcome o;
    translate(b, frame, 1, 0, &o);
    assert_string_equal(o.actions, "copy_ttl_in,push_mpls(eth_type=0x8847),"
                        "copy_ttl_out,dec_mpls_ttl,set_mpls_label(7),"
                        "output(2)");
    outcome_free(&o);
    dp_packet_delete(frame);
}

/* Registers are pipeline metadata: set in one table, matched in the next,
 * never part of the datapath mask (the datapath flow's packets all get
 * the same value); the match that set it is. */
static void
test_registers(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "in_port=1,udp,tp_dst=7,actions=set_field:5->reg3,goto_table:1");
    add_flow(b, "in_port=1,udp,tp_dst=8,actions=set_field:6->reg3,goto_table:1");
    add_flow(b, "table=1,priority=20,reg3=5,actions=output:2");
    add_flow(b, "table=1,priority=10,actions=output:3");

    for (int dport = 7; dport <= 8; dport++) {
        struct dp_packet *frame = frame_udp(NULL, 0, 64, dport);
        struct outcome o;
        translate(b, frame, 1, 0, &o);
        assert_string_equal(o.actions, dport == 7 ? "output(2)" : "output(3)");
        assert_int_equal(o.mask.tp_dst, OVS_BE16_MAX);
        outcome_free(&o);
        dp_packet_delete(frame);
    }
}

/* dec_ttl carries the cookie and table of the flow that asked, for the
 * invalid-TTL packet-in; from the action set the cookie is -1 (OpenFlow
 * 1.3.5 A.4.1). */
static void
test_invalid_ttl_context(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "cookie=0x77,in_port=1,udp,tp_dst=7,actions=dec_ttl,goto_table:3");
    add_flow(b, "table=3,cookie=0x88,actions=write_actions(dec_ttl,output:2)");

    struct dp_packet *frame = frame_udp(NULL, 0, 64, 7);
    struct outcome o;
    translate(b, frame, 1, 0, &o);
    assert_string_equal(o.actions, "dec_nw_ttl,dec_nw_ttl,output(2)");
    assert_int_equal(o.acts[0].cookie, htonll(0x77));
    assert_int_equal(ntohs(o.acts[0].be16) & 0xff, 0);
    assert_int_equal(o.acts[1].cookie, OVS_BE64_MAX);
    assert_int_equal(ntohs(o.acts[1].be16) & 0xff, 3);
    outcome_free(&o);
    dp_packet_delete(frame);
}

static struct dp_packet *
frame_l4(int ipv, uint8_t proto, uint8_t a, uint8_t b_)
{
    struct fb f;
    fb_init(&f);
    fb_eth(&f, ipv == 6 ? 0x86dd : 0x0800);
    if (ipv == 6) {
        fb_ipv6(&f, proto, 0, 0, 64);
    } else {
        fb_ipv4(&f, proto, IP_A, IP_B, 64, 0, 0, 0);
    }
    if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
        fb_icmp(&f, a, b_);
    } else if (proto == IPPROTO_SCTP) {
        fb_sctp(&f, a, b_);
    } else {
        fb_tcp(&f, a, b_, 0x002);
    }
    fb_payload(&f, 16);
    fb_finish(&f);
    return dp_packet_clone_data(f.b, f.n);
}

/* Every L4 match OpenFlow 1.3 has hits its packets and only those:
 * ICMPv4 and ICMPv6 type and code, SCTP ports, TCP ports and flags. */
static void
test_l4_matches(void **state)
{
    static const struct {
        const char *match;
        int ipv;
        uint8_t proto, a, b;      /* type/code or ports. */
        bool hit;
    } cases[] = {
        { "icmp,icmp_type=8", 4, IPPROTO_ICMP, 8, 0, true },
        { "icmp,icmp_type=8", 4, IPPROTO_ICMP, 0, 0, false },
        { "icmp,icmp_code=3", 4, IPPROTO_ICMP, 3, 3, true },
        { "icmp,icmp_code=3", 4, IPPROTO_ICMP, 3, 1, false },
        { "icmp6,icmp_type=128", 6, IPPROTO_ICMPV6, 128, 0, true },
        { "icmp6,icmp_type=128", 6, IPPROTO_ICMPV6, 129, 0, false },
        { "icmp6,icmp_code=4", 6, IPPROTO_ICMPV6, 1, 4, true },
        { "icmp6,icmp_code=4", 6, IPPROTO_ICMPV6, 1, 3, false },
        { "sctp,tp_src=11,tp_dst=12", 4, IPPROTO_SCTP, 11, 12, true },
        { "sctp,tp_src=11,tp_dst=12", 4, IPPROTO_SCTP, 11, 13, false },
        { "sctp6,tp_dst=12", 6, IPPROTO_SCTP, 1, 12, true },
        { "tcp,tcp_flags=+syn", 4, IPPROTO_TCP, 1, 2, true },
    };
    struct bridge *b = *state;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *text = xasprintf("priority=%"PRIuSIZE",in_port=1,%s,"
                               "actions=output:2", 100 + i, cases[i].match);
        add_flow(b, text);
        free(text);
        struct dp_packet *frame = frame_l4(cases[i].ipv, cases[i].proto,
                                           cases[i].a, cases[i].b);
        struct outcome o;
        translate(b, frame, 1, 0, &o);
        if (strcmp(o.actions, cases[i].hit ? "output(2)" : "drop")) {
            fail_msg("%s on a %s packet %u/%u: %s", cases[i].match,
                     cases[i].hit ? "matching" : "different", cases[i].a,
                     cases[i].b, o.actions);
        }
        outcome_free(&o);
        dp_packet_delete(frame);
        /* Start the next case from an empty table. */
        struct ofputil_flow_mod fm;
        enum ofputil_protocol usable;
        char *error = parse_ofp_flow_mod_str(&fm, "", NULL, NULL,
                                             OFPFC_DELETE, &usable);
        assert_null(error);
        assert_int_equal(ofproto_flow_mod(b->p, &fm), 0);
        minimatch_destroy(&fm.match);
        free(CONST_CAST(struct ofpact *, fm.ofpacts));
    }
}

static void
add_group(struct bridge *b, const char *text)
{
    struct ofputil_group_mod gm;
    enum ofputil_protocol usable;
    char *error = parse_ofp_group_mod_str(&gm, OFPGC11_ADD, text, NULL, NULL,
                                          &usable);
    if (error) {
        fail_msg("%s: %s", text, error);
    }
    assert_int_equal(group_mod(b->p, &gm), 0);
    ofputil_uninit_group_mod(&gm);
}

/* The output port a translation ends in, 0 if none. */
/* Applies group-mod 'text' (command 'cmd') and returns the error. */
static enum ofperr
try_group(struct bridge *b, uint16_t cmd, const char *text)
{
    struct ofputil_group_mod gm;
    enum ofputil_protocol usable;
    char *error = parse_ofp_group_mod_str(&gm, cmd, text, NULL, NULL,
                                          &usable);
    if (error) {
        fail_msg("%s: %s", text, error);
    }
    enum ofperr e = group_mod(b->p, &gm);
    ofputil_uninit_group_mod(&gm);
    return e;
}

/* Chains of groups (issue 15 item 3): at most 16 groups deep, counted
 * through the groups above a modified one too; no loop; a check linear in
 * the graph however many paths it has (30 buckets to the group below,
 * 12 deep, is 30^11 paths: an exponential check would never finish); and
 * a translation through it stops at XLATE_MAX_WORK with a drop. */
static void
test_group_chains(void **state)
{
    struct bridge *b = *state;

    for (int i = 1; i <= 16; i++) {
        char *t = i == 1 ? xstrdup("group_id=1,type=all,bucket=output:1")
                  : xasprintf("group_id=%d,type=all,bucket=output:1,"
                              "bucket=group:%d", i, i - 1);
        assert_int_equal(try_group(b, OFPGC11_ADD, t), 0);
        free(t);
    }
    /* A 17th above, or below the bottom one, is one too many. */
    assert_int_equal(try_group(b, OFPGC11_ADD, "group_id=17,type=all,"
                               "bucket=group:16"), OFPERR_OFPGMFC_LOOP);
    assert_int_equal(try_group(b, OFPGC11_ADD, "group_id=100,type=all,"
                               "bucket=output:2"), 0);
    assert_int_equal(try_group(b, OFPGC11_MODIFY, "group_id=1,type=all,"
                               "bucket=group:100"), OFPERR_OFPGMFC_LOOP);
    /* A loop, directly or through the chain. */
    assert_int_equal(try_group(b, OFPGC11_MODIFY, "group_id=1,type=all,"
                               "bucket=group:1"), OFPERR_OFPGMFC_LOOP);
    assert_int_equal(try_group(b, OFPGC11_MODIFY, "group_id=1,type=all,"
                               "bucket=group:9"), OFPERR_OFPGMFC_LOOP);
    /* Moving the middle of the chain elsewhere is fine. */
    assert_int_equal(try_group(b, OFPGC11_MODIFY, "group_id=8,type=all,"
                               "bucket=group:100"), 0);

    /* The fan: 30 buckets, each to the group below. */
    struct ds t = DS_EMPTY_INITIALIZER;
    assert_int_equal(try_group(b, OFPGC11_ADD, "group_id=200,type=all,"
                               "bucket=output:1"), 0);
    for (int i = 201; i <= 211; i++) {
        ds_clear(&t);
        ds_put_format(&t, "group_id=%d,type=all", i);
        for (int k = 0; k < 30; k++) {
            ds_put_format(&t, ",bucket=group:%d", i - 1);
        }
        assert_int_equal(try_group(b, OFPGC11_ADD, ds_cstr(&t)), 0);
    }
    ds_clear(&t);
    ds_put_cstr(&t, "group_id=211,type=all");
    for (int k = 0; k < 30; k++) {
        ds_put_cstr(&t, ",bucket=group:210");
    }
    ds_put_cstr(&t, ",bucket=group:211");
    assert_int_equal(try_group(b, OFPGC11_MODIFY, ds_cstr(&t)),
                     OFPERR_OFPGMFC_LOOP);
    ds_destroy(&t);

    add_flow(b, "in_port=1,actions=group:211");
    static const uint32_t none[] = { 0 };
    struct dp_packet *frame = frame_udp(none, 0, 64, 5);
    struct outcome o;
    translate(b, frame, 1, 0, &o);
    assert_string_equal(o.actions, "drop");
    outcome_free(&o);
    dp_packet_delete(frame);
}

static uint32_t
out_port(const struct outcome *o)
{
    for (size_t i = o->n_acts; i-- > 0; ) {
        if (o->acts[i].type == DPA_OUTPUT) {
            return o->acts[i].u32;
        }
    }
    return 0;
}

/* A select group shares flows by weight (0 gets none) with a hash of the
 * 5-tuple that the datapath flow's mask carries, and a flow keeps its
 * bucket. */
static void
test_select_ip(void **state)
{
    struct bridge *b = *state;
    add_group(b, "group_id=1,type=select,bucket=weight:1,output:1,"
              "bucket=weight:2,output:2,bucket=weight:0,output:3");
    add_flow(b, "in_port=4,ip,actions=group:1");

    int count[N_PORTS + 1] = { 0 };
    enum { N = 3000 };
    for (int i = 0; i < N; i++) {
        struct fb f;
        fb_init(&f);
        fb_eth(&f, 0x0800);
        fb_ipv4(&f, 17, IP_A + i % 7, IP_B, 64, 0, 0, 0);
        fb_udp(&f, 1000 + i, 53);
        fb_payload(&f, 8);
        fb_finish(&f);
        struct dp_packet *frame = dp_packet_clone_data(f.b, f.n);
        struct outcome o, again;
        translate(b, frame, 4, 0, &o);
        translate(b, frame, 4, 0, &again);
        assert_int_equal(out_port(&o), out_port(&again));
        count[out_port(&o)]++;
        assert_int_equal(o.mask.nw_src, OVS_BE32_MAX);
        assert_int_equal(o.mask.tp_src, OVS_BE16_MAX);
        assert_int_equal(o.mask.tp_dst, OVS_BE16_MAX);
        outcome_free(&o);
        outcome_free(&again);
        dp_packet_delete(frame);
    }
    /* 1:2, each within 10%; weight 0 nothing. */
    assert_int_equal(count[0], 0);
    assert_int_equal(count[1] + count[2], N);
    assert_int_equal(count[3], 0);
    assert_in_range(count[1], N / 3 * 9 / 10, N / 3 * 11 / 10);
    assert_in_range(count[2], N * 2 / 3 * 9 / 10, N * 2 / 3 * 11 / 10);

    /* One 5-tuple from many hosts (their MACs differ): shared too, as
     * os-ken's switch tester checks. */
    memset(count, 0, sizeof count);
    for (int i = 0; i < N; i++) {
        struct fb f;
        fb_init(&f);
        fb_eth(&f, 0x0800);
        f.b[10] = i >> 8;
        f.b[11] = i;
        fb_ipv4(&f, 17, IP_A, IP_B, 64, 0, 0, 0);
        fb_udp(&f, 1000, 53);
        fb_payload(&f, 8);
        fb_finish(&f);
        struct dp_packet *frame = dp_packet_clone_data(f.b, f.n);
        struct outcome o;
        translate(b, frame, 4, 0, &o);
        count[out_port(&o)]++;
        assert_true(eth_addr_is_broadcast(o.mask.dl_src));
        outcome_free(&o);
        dp_packet_delete(frame);
    }
    assert_in_range(count[1], N / 3 * 9 / 10, N / 3 * 11 / 10);
    assert_in_range(count[2], N * 2 / 3 * 9 / 10, N * 2 / 3 * 11 / 10);
}

/* MPLS: the labels are hashed; with an entropy label (ELI 7, then the
 * EL) only the EL. */
static void
test_select_mpls(void **state)
{
    struct bridge *b = *state;
    add_group(b, "group_id=1,type=select,bucket=output:1,bucket=output:2");
    add_flow(b, "in_port=3,mpls,actions=group:1");

    int count[N_PORTS + 1] = { 0 };
    uint32_t by_el[4] = { 0 };
    for (int i = 0; i < 400; i++) {
        /* Plain stacks that differ in the bottom label spread. */
        uint32_t plain[] = { 100, 2000 + i };
        struct dp_packet *frame = frame_udp(plain, 2, 64, 5);
        struct outcome o;
        translate(b, frame, 3, 0, &o);
        count[out_port(&o)]++;
        assert_int_equal(ntohl(o.mask.mpls[1]) & MPLS_LABEL_MASK,
                         MPLS_LABEL_MASK);
        outcome_free(&o);
        dp_packet_delete(frame);

        /* With an entropy label: the EL decides, not the labels above
         * it. */
        uint32_t el = 5000 + i % 4;
        uint32_t with_el[] = { 300 + i, 7, el, 400 };
        frame = frame_udp(with_el, 4, 64, 5);
        translate(b, frame, 3, 0, &o);
        uint32_t port = out_port(&o);
        if (!by_el[i % 4]) {
            by_el[i % 4] = port;
        }
        assert_int_equal(port, by_el[i % 4]);
        outcome_free(&o);
        dp_packet_delete(frame);
    }
    assert_in_range(count[1], 160, 240);
    assert_in_range(count[2], 160, 240);
}

/* copy_ttl on a one-entry stack nothing else describes: the payload is
 * guessed as Linux does (the key's 'mpls_payload'), which the mask then
 * holds; translation's view of the label TTL follows copy_ttl_out, so a
 * later table matches the TTL the packet carries (issue 15 item 8); a
 * cleared BOS bit does not make the IPv4 header a label (item 10). */
static void
test_copy_ttl_one_entry(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "in_port=1,mpls,mpls_label=10,actions=copy_ttl_in,output:2");
    add_flow(b, "in_port=1,mpls,mpls_label=11,actions=set_mpls_ttl:200,copy_ttl_out,goto_table:1");
    add_flow(b, "table=1,priority=10,mpls,mpls_ttl=33,actions=output:2");
    add_flow(b, "table=1,priority=0,actions=output:3");
    add_flow(b, "in_port=1,mpls,mpls_label=12,actions=set_field:0->mpls_bos,copy_ttl_in,output:2");

    static const uint32_t l10[] = { 10 }, l11[] = { 11 }, l12[] = { 12 };
    struct dp_packet *frame = frame_udp(l10, 1, 33, 5);
    struct outcome o;
    translate(b, frame, 1, 0, &o);
    assert_string_equal(o.actions, "copy_ttl_in(eth_type=0x800),output(2)");
    assert_int_equal(o.mask.mpls_payload, 0xff);
    outcome_free(&o);

    /* Not IPv4 under the stack (a broken header checksum): skipped. */
    struct dp_packet *bad = dp_packet_clone(frame);
    ((uint8_t *) dp_packet_data(bad))[14 + 4 + 10] ^= 0xff;
    translate(b, bad, 1, 0, &o);
    assert_string_equal(o.actions, "copy_ttl_in,output(2)");
    assert_int_equal(o.key.mpls_payload, DP_MPLS_PAYLOAD_OTHER);
    assert_int_equal(o.mask.mpls_payload, 0xff);
    outcome_free(&o);
    dp_packet_delete(bad);
    dp_packet_delete(frame);

    for (int ttl = 33; ttl <= 34; ttl++) {
        frame = frame_udp(l11, 1, ttl, 5);
        translate(b, frame, 1, 0, &o);
        char *want = xasprintf("set_mpls_ttl(200),copy_ttl_out(eth_type=0x800)"
                               ",output(%d)", ttl == 33 ? 2 : 3);
        assert_string_equal(o.actions, want);
        free(want);
        assert_int_equal(o.mask.mpls_payload_ttl, 0xff);
        outcome_free(&o);
        dp_packet_delete(frame);
    }

    frame = frame_udp(l12, 1, 33, 5);
    translate(b, frame, 1, 0, &o);
    assert_string_equal(o.actions, "set_mpls_bos(0),copy_ttl_in(eth_type=0x800),"
                        "output(2)");
    assert_int_equal(o.acts[1].u8, 0);  /* Not DP_COPY_TTL_ENTRIES. */
    outcome_free(&o);
    dp_packet_delete(frame);
}

/* A stack deeper than the key: when pops run past the 16 entries the key
 * holds, the next step that needs the top entry recirculates, and the
 * re-parsed packet's key holds the rest of the stack (issue 15 item 6). */
static void
test_deep_stack(void **state)
{
    struct bridge *b = *state;
    struct ds pops = DS_EMPTY_INITIALIZER;
    for (int i = 0; i < 16; i++) {
        ds_put_cstr(&pops, "pop_mpls:0x8847,");
    }
    char *text = xasprintf("in_port=1,mpls,mpls_label=100,actions=%s"
                           "goto_table:1", ds_cstr(&pops));
    add_flow(b, text);
    free(text);
    ds_destroy(&pops);
    add_flow(b, "table=1,priority=10,mpls,mpls_label=116,actions=output:2");
    add_flow(b, "table=1,priority=0,actions=output:3");

    uint32_t stack[17];
    for (int i = 0; i < 17; i++) {
        stack[i] = 100 + i;
    }
    for (int last = 116; last <= 117; last++) {
        stack[16] = last;
        struct dp_packet *frame = frame_udp(stack, 17, 64, 5);
        struct outcome o1, o2;
        translate(b, frame, 1, 0, &o1);
        assert_true(o1.recirc_id != 0);
        assert_int_equal(o1.key.mpls_deep, 1);
        struct dp_packet *rest = next_pass(frame, &o1);
        translate(b, rest, 1, o1.recirc_id, &o2);
        assert_int_equal(o2.key.n_mpls, 1);
        assert_string_equal(o2.actions, last == 116 ? "output(2)"
                                                    : "output(3)");
        assert_int_equal(ntohl(o2.mask.mpls[0]) & MPLS_LABEL_MASK,
                         MPLS_LABEL_MASK);
        outcome_free(&o1);
        outcome_free(&o2);
        dp_packet_delete(rest);
        dp_packet_delete(frame);
    }
}

/* set_field ip_proto and eth_type make what follows another protocol:
 * a later lookup sees the re-parsed packet (issue 12 item 1). */
static void
test_set_proto_recirculates(void **state)
{
    struct bridge *b = *state;
    add_flow(b, "in_port=1,udp,tp_dst=5,actions=set_field:6->ip_proto,goto_table:1");
    add_flow(b, "in_port=1,udp,tp_dst=6,actions=set_field:0x86dd->eth_type,goto_table:1");
    add_flow(b, "in_port=1,udp,tp_dst=7,actions=set_field:0x8847->eth_type,goto_table:1");
    add_flow(b, "table=1,priority=20,ip,nw_proto=6,actions=output:2");
    add_flow(b, "table=1,priority=20,ipv6,actions=output:3");
    add_flow(b, "table=1,priority=20,mpls,actions=output:4");
    add_flow(b, "table=1,priority=0,actions=drop");

    static const char *const first[] = {
        "set_ip_proto(6)", "set_eth_type(eth_type=0x86dd)",
        "set_eth_type(eth_type=0x8847)",
    };
    static const char *const second[] = {
        "output(2)", "output(3)", "output(4)",
    };
    for (int i = 0; i < 3; i++) {
        struct dp_packet *frame = frame_udp(NULL, 0, 64, 5 + i);
        struct outcome o1, o2;
        translate(b, frame, 1, 0, &o1);
        assert_true(o1.recirc_id != 0);
        char *want = xasprintf("%s,recirc(%#"PRIx32")", first[i],
                               o1.recirc_id);
        assert_string_equal(o1.actions, want);
        free(want);
        struct dp_packet *next = next_pass(frame, &o1);
        translate(b, next, 1, o1.recirc_id, &o2);
        assert_string_equal(o2.actions, second[i]);
        outcome_free(&o1);
        outcome_free(&o2);
        dp_packet_delete(next);
        dp_packet_delete(frame);
    }
}

/* Every OpenFlow 1.3 field mvs matches is accepted exact and masked, in
 * the mask conventions libopenvswitch uses (an exact ipv6_label sets 32
 * mask bits for its 20). */
static void
test_matches_accepted(void **state)
{
    struct bridge *b = *state;
    static const char *texts[] = {
        "ipv6,ipv6_label=0x12345,actions=output:2",
        "ipv6,ipv6_label=0x12345/0xfffff,actions=output:2",
        "ipv6,ipv6_label=0x12300/0xfff00,actions=output:2",
        "arp,arp_op=2,actions=output:2",
        "icmp,icmp_type=8,icmp_code=0,actions=output:2",
        "icmp6,icmp_type=135,nd_target=2001:db8::1,actions=output:2",
        "tcp,tcp_flags=+syn,actions=output:2",
        "ip,nw_frag=later,actions=output:2",
        "dl_vlan_pcp=3,vlan_tci=0x1000/0x1000,actions=output:2",
        "mpls,mpls_label=5,mpls_tc=1,mpls_bos=1,mpls_ttl=9,actions=output:2",
    };
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        add_flow(b, texts[i]);
    }
}

/* What translation does not implement is refused before it is stored. */
static void
test_unsupported_refused(void **state OVS_UNUSED)
{
    static const char *texts[] = {
        "actions=ct(commit)",
        "actions=learn(table=1,output:NXM_OF_IN_PORT[])",
        "actions=resubmit(,2)",
        "actions=set_field:1->ct_mark",
    };
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        struct ofputil_flow_mod fm;
        enum ofputil_protocol usable;
        char *error = parse_ofp_flow_mod_str(&fm, texts[i], NULL, NULL,
                                             OFPFC_ADD, &usable);
        if (error) {
            /* The library refuses some of them itself. */
            free(error);
            continue;
        }
        assert_true(validate_ofpacts(fm.ofpacts, fm.ofpacts_len, 0) != 0);
        free(CONST_CAST(struct ofpact *, fm.ofpacts));
        minimatch_destroy(&fm.match);
    }
    assert_false(xlate_action_supported(OFPACT_CT));
    assert_true(xlate_action_supported(OFPACT_PUSH_MPLS));
}

/* The offload never lowers what translation would refuse: each ofpact
 * type nftc's registry lowers is one translation supports, and each field
 * nftc's set_field rewrite takes is one translation sets (issue 16
 * item 3: validation and translation read xlate_action_table[]; the
 * offload's lowering lives in kmod/, which reads nothing above it, and
 * this keeps the two in step). */
static void
test_offload_within_xlate(void **state OVS_UNUSED)
{
    for (size_t t = 0; t < nftc_n_action_registry; t++) {
        if (nftc_action_registry[t]) {
            assert_true(xlate_action_supported(t));
        }
    }

    const struct nftc_action_ops *sf = nftc_action_registry[OFPACT_SET_FIELD];
    static const struct nftc_l3ctx ctxs[] = {
        { CONSTANT_HTONS(ETH_TYPE_IP), IPPROTO_TCP },
        { CONSTANT_HTONS(ETH_TYPE_IP), IPPROTO_UDP },
        { CONSTANT_HTONS(ETH_TYPE_IPV6), IPPROTO_TCP },
        { CONSTANT_HTONS(ETH_TYPE_IPV6), IPPROTO_UDP },
    };
    int n_lowered = 0;
    for (int id = 0; id < MFF_N_IDS; id++) {
        const struct mf_field *mf = mf_from_id(id);
        union mf_value v;
        struct ofpbuf b;

        memset(&v, 0, sizeof v);
        ofpbuf_init(&b, 64);
        ofpact_put_set_field(&b, mf, &v, NULL);
        for (size_t i = 0; i < ARRAY_SIZE(ctxs); i++) {
            struct ds reason = DS_EMPTY_INITIALIZER;
            struct nftc_rewrite rw;
            memset(&rw, 0, sizeof rw);
            if (!sf->rewrite(b.data, &ctxs[i], &rw, &reason)) {
                if (!xlate_field_is_settable(id)) {
                    fail_msg("nftc lowers set_field %s, translation "
                             "cannot set it", mf->name);
                }
                n_lowered++;
            }
            ds_destroy(&reason);
        }
        ofpbuf_uninit(&b);
    }
    assert_true(n_lowered > 10);
}

/* dscp_remark: AF code points get a higher drop precedence (OpenFlow
 * 1.3.5), the others a lower IP precedence (1.3.0, os-ken's tester). */
static void
test_meter_remark(void **state OVS_UNUSED)
{
    static const uint8_t cases[][3] = {
        /* dscp, prec_level, result */
        { 10, 1, 12 }, { 10, 2, 14 }, { 12, 5, 14 }, { 14, 1, 14 },
        { 34, 1, 36 },                          /* AF41 -> AF42. */
        { 24, 1, 16 }, { 24, 3, 0 }, { 24, 4, 0 },
        { 46, 1, 38 },                          /* EF. */
        { 0, 1, 0 }, { 56, 2, 40 }, { 26 + 1, 1, 19 },
        { 10, 0, 10 }, { 24, 0, 24 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t got = meter_remark_dscp(cases[i][0], cases[i][1]);
        if (got != cases[i][2]) {
            fail_msg("remark of %d by %d: %d, want %d", cases[i][0],
                     cases[i][1], got, cases[i][2]);
        }
    }
}

int
main(void)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pop_recirculates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_push_onto_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_after_push, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_action_set_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_ttl_context, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_l4_matches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_select_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_select_mpls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_ttl_one_entry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deep_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_proto_recirculates, setup,
                                        teardown),
        cmocka_unit_test(test_unsupported_refused),
        cmocka_unit_test_setup_teardown(test_matches_accepted, setup,
                                        teardown),
        cmocka_unit_test(test_offload_within_xlate),
        cmocka_unit_test(test_meter_remark),
        cmocka_unit_test_setup_teardown(test_group_chains, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
