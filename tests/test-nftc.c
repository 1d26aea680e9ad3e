/*
 * tests/test-nftc.c: kmod/nftc without a kernel.
 *
 * An offline nftc frames its batches into a buffer; the tests parse them
 * back with libnftnl (as libnftnl's own tests/nft-expr_*-test.c do) and
 * check the messages and the expressions, the batch framing with its
 * generation id, and rows of the offload decision table.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "flow.h"
#include "kmod/nftc.h"
#include "kmod/nftc-private.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/vlog.h"
#include "util.h"

#define MSG(T) ((NFNL_SUBSYS_NFTABLES << 8) | (T))

/* One parsed batch. */
struct parsed {
    size_t n;
    const struct nlmsghdr *msgs[256];
};

static void
parse_batch(const struct nftc *nftc, struct parsed *p)
{
    size_t len;
    const void *data = nftc_last_batch(nftc, &len);
    const struct nlmsghdr *nlh = data;
    int rem = len;

    p->n = 0;
    for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
        assert_true(p->n < ARRAY_SIZE(p->msgs));
        p->msgs[p->n++] = nlh;
    }
    assert_int_equal(rem, 0);
    assert_true(p->n >= 2);
    assert_int_equal(p->msgs[0]->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
    assert_int_equal(p->msgs[p->n - 1]->nlmsg_type, NFNL_MSG_BATCH_END);
}

static size_t
count_type(const struct parsed *p, uint16_t type)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n; i++) {
        n += p->msgs[i]->nlmsg_type == MSG(type);
    }
    return n;
}

static const struct nlmsghdr *find_type(const struct parsed *, uint16_t,
                                        size_t);

/* The 'nth' NEWRULE for chain 'chain'. */
static const struct nlmsghdr *
find_rule(const struct parsed *p, const char *chain, size_t nth)
{
    const struct nlmsghdr *nlh;

    for (size_t i = 0; (nlh = find_type(p, NFT_MSG_NEWRULE, i)); i++) {
        struct nftnl_rule *r = nftnl_rule_alloc();
        bool match;

        assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
        match = !strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain);
        nftnl_rule_free(r);
        if (match && !nth--) {
            return nlh;
        }
    }
    return NULL;
}

static const struct nlmsghdr *
find_type(const struct parsed *p, uint16_t type, size_t nth)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->msgs[i]->nlmsg_type == MSG(type) && !nth--) {
            return p->msgs[i];
        }
    }
    return NULL;
}

struct fixture {
    struct nftc *nftc;
};

static int
setup(void **state)
{
    struct fixture *fx = xzalloc(sizeof *fx);

    assert_int_equal(nftc_create_offline("br0", &fx->nftc), 0);
    assert_int_equal(nftc_port_add(fx->nftc, u16_to_ofp(1), "veth1", 7), 0);
    assert_int_equal(nftc_port_add(fx->nftc, u16_to_ofp(2), "veth2", 8), 0);
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *fx = *state;

    nftc_destroy(fx->nftc);
    free(fx);
    return 0;
}

/* Queues the addition (or deletion) of the ovs-ofctl flow 's' in the open
 * transaction. */
static void
flow_queue(struct nftc *nftc, const char *s, bool add)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    struct match match;
    char *err;

    err = parse_ofp_flow_mod_str(&fm, s, NULL, NULL,
                                 add ? OFPFC_ADD : OFPFC_DELETE_STRICT,
                                 &usable);
    if (err) {
        fail_msg("%s: %s", s, err);
    }
    minimatch_expand(&fm.match, &match);
    if (add) {
        struct nftc_flow flow = {
            .match = &match, .ofpacts = fm.ofpacts,
            .ofpacts_len = fm.ofpacts_len,
            .table_id = fm.table_id == 0xff ? 0 : fm.table_id,
            .priority = fm.priority, .cookie = fm.new_cookie,
        };
        nftc_txn_flow_add(nftc, &flow);
    } else {
        nftc_txn_flow_del(nftc, 0, fm.priority, &match);
    }
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
}

/* Adds (or deletes) the ovs-ofctl flow 's' in a transaction of its own. */
static int
flow_op(struct nftc *nftc, const char *s, bool add)
{
    nftc_txn_begin(nftc);
    flow_queue(nftc, s, add);
    return nftc_txn_commit(nftc);
}

static bool
decide(struct nftc *nftc, const char *s, struct ds *reason)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    struct match match;
    char *err;
    bool ok;

    err = parse_ofp_flow_mod_str(&fm, s, NULL, NULL, OFPFC_ADD, &usable);
    if (err) {
        fail_msg("%s: %s", s, err);
    }
    minimatch_expand(&fm.match, &match);
    struct nftc_flow flow = {
        .match = &match, .ofpacts = fm.ofpacts,
        .ofpacts_len = fm.ofpacts_len,
        .table_id = fm.table_id == 0xff ? 0 : fm.table_id,
        .priority = fm.priority,
    };
    ok = nftc_flow_offloadable(nftc, &flow, reason);
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
    return ok;
}

/* The decision table: NULL reason = offloadable. */
static void
test_decision(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *flow;
        const char *reason;
    } rows[] = {
        { "ip,nw_dst=10.0.0.0/8,actions=output:2", NULL },
        { "in_port=1,dl_src=00:00:00:00:00:01,actions=output:2", NULL },
        { "dl_vlan=10,ip,actions=output:2", NULL },
        { "ipv6,ipv6_src=2001:db8::/32,actions=drop", NULL },
        { "tcp,nw_tos=32,nw_ttl=64,tp_src=1000,tp_dst=80,actions=output:1",
          NULL },
        { "icmp,icmp_type=8,icmp_code=0,actions=output:1", NULL },
        { "sctp,tp_dst=9,actions=output:1", NULL },
        { "mpls,mpls_label=16,mpls_tc=1,actions=output:2", NULL },
        { "ip,actions=output:1,output:2", NULL },
        { "udp,actions=mod_nw_src:1.2.3.4,mod_tp_dst:53,output:2", NULL },
        { "ipv6,actions=set_field:2001:db8::1->ipv6_dst,output:2", NULL },
        { "ip,actions=mod_nw_tos:32,mod_nw_ttl:9,output:2", NULL },
        { "actions=drop", NULL },
        { "ip,actions=goto_table:1", "action goto_table" },
        { "ip,actions=CONTROLLER:65535", "reserved port" },
        { "ip,actions=group:1", "action group" },
        { "ip,actions=meter:1,output:2", "action meter" },
        { "ip,actions=push_mpls:0x8847,output:2", "action push_mpls" },
        { "mpls,actions=pop_mpls:0x0800,output:2", "action pop_mpls" },
        { "ip,actions=output:9", "unknown port 9" },
        { "in_port=9,actions=output:1", "in_port 9" },
        { "reg0=1,actions=output:1", "match on reg0" },
        { "ip,nw_frag=later,actions=output:1", "match on ip_frag" },
        { "tcp,tp_dst=0,actions=output:1", "all-zero" },
        { "icmp,icmp_type=0,icmp_code=0,actions=output:1", "all-zero" },
        { "ip,nw_frag=no,tcp,tp_dst=0,actions=output:1", "ip_frag" },
        { "sctp,actions=mod_tp_dst:9,output:1", "other than TCP/UDP" },
        { "table=3,ip,actions=output:1", "table 3" },
        { "tcp6,ipv6_src=::1,ipv6_dst=::2,dl_src=00:00:00:00:00:01,"
          "dl_dst=00:00:00:00:00:02,in_port=1,tp_src=1,tp_dst=2,"
          "actions=output:2", "exceeds" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        struct ds reason = DS_EMPTY_INITIALIZER;
        bool ok = decide(fx->nftc, rows[i].flow, &reason);

        if (ok != !rows[i].reason
            || (rows[i].reason && !strstr(ds_cstr(&reason),
                                          rows[i].reason))) {
            fail_msg("%s: got %s \"%s\", want %s", rows[i].flow,
                     ok ? "offloadable" : "not offloadable",
                     ds_cstr(&reason),
                     rows[i].reason ? rows[i].reason : "offloadable");
        }
        ds_destroy(&reason);
    }
}

/* BEGIN carries GENID in network order; END asks for an ack. */
static void
test_batch_framing(void **state OVS_UNUSED)
{
    struct nftc_batch b;
    const struct nlmsghdr *end;
    const struct nfgenmsg *nfg;
    uint32_t genid = 0;

    nftc_batch_init(&b, 100, 0x01020304);
    nftc_batch_end(&b);
    assert_true(nftc_batch_parse_genid(b.buf.data, b.buf.size, &genid));
    assert_int_equal(genid, 0x01020304);
    /* The attribute's bytes are big endian on the wire. */
    assert_memory_equal((const uint8_t *) b.buf.data
                        + MNL_NLMSG_HDRLEN + sizeof *nfg + MNL_ATTR_HDRLEN,
                        "\x01\x02\x03\x04", 4);
    nfg = mnl_nlmsg_get_payload(b.buf.data);
    assert_int_equal(nfg->res_id, htons(NFNL_SUBSYS_NFTABLES));
    assert_int_equal(((const struct nlmsghdr *) b.buf.data)->nlmsg_seq, 100);

    nftc_batch_set_genid(&b, 77);
    assert_true(nftc_batch_parse_genid(b.buf.data, b.buf.size, &genid));
    assert_int_equal(genid, 77);

    end = (const struct nlmsghdr *)
          ((const uint8_t *) b.buf.data
           + NLMSG_ALIGN(((const struct nlmsghdr *) b.buf.data)->nlmsg_len));
    assert_int_equal(end->nlmsg_type, NFNL_MSG_BATCH_END);
    assert_true(end->nlmsg_flags & NLM_F_ACK);
    assert_int_equal(end->nlmsg_seq, b.end_seq);
    nftc_batch_uninit(&b);

    /* Garbage is refused, not trusted. */
    assert_false(nftc_batch_parse_genid("\x01\x00", 2, &genid));
}

struct expr_seen {
    size_t n;
    char names[32][16];
    struct nftnl_expr *exprs[32];
};

static int
collect_expr(struct nftnl_expr *e, void *seen_)
{
    struct expr_seen *seen = seen_;

    if (seen->n < ARRAY_SIZE(seen->names)) {
        ovs_strlcpy(seen->names[seen->n],
                    nftnl_expr_get_str(e, NFTNL_EXPR_NAME), 16);
        seen->exprs[seen->n++] = e;
    }
    return 0;
}

static struct nftnl_rule *
parse_rule(const struct nlmsghdr *nlh, struct expr_seen *seen)
{
    struct nftnl_rule *r = nftnl_rule_alloc();

    assert_non_null(nlh);
    assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
    memset(seen, 0, sizeof *seen);
    nftnl_expr_foreach(r, collect_expr, seen);
    return r;
}

/* A prefix match: one map, one lookup rule with the masked key, one
 * element keyed by the masked value, and an action chain. */
static void
test_lower_prefix(void **state)
{
    struct fixture *fx = *state;
    struct parsed p;
    struct expr_seen seen;
    struct nftnl_rule *r;
    struct nftnl_set *s;
    struct nftnl_set_elem *e;
    struct nftnl_set_elems_iter *it;
    const struct nlmsghdr *nlh;
    uint32_t len;
    const void *data;
    static const uint8_t mask[4] = { 0xff, 0xff, 0, 0 };
    static const uint8_t key[8] = { 0x08, 0x00, 0, 0, 10, 1, 0, 0 };

    assert_int_equal(flow_op(fx->nftc, "priority=100,cookie=0x42,ip,"
                             "nw_src=10.1.2.3/16,actions=output:2", true), 0);
    parse_batch(fx->nftc, &p);

    /* The map. */
    s = nftnl_set_alloc();
    assert_int_equal(nftnl_set_nlmsg_parse(find_type(&p, NFT_MSG_NEWSET, 0),
                                           s), 0);
    assert_true(nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_MAP);
    assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), 8);
    assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN), 4);
    nftnl_set_free(s);

    /* The lookup rule in "flows". */
    r = parse_rule(find_rule(&p, "flows", 0), &seen);
    assert_int_equal(seen.n, 7);
    assert_string_equal(seen.names[0], "meta");
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[0], NFTNL_EXPR_META_KEY),
                     NFT_META_PROTOCOL);
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[0], NFTNL_EXPR_META_DREG),
                     NFT_REG32_00);
    assert_string_equal(seen.names[1], "payload");
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[1],
                                        NFTNL_EXPR_PAYLOAD_BASE),
                     NFT_PAYLOAD_NETWORK_HEADER);
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[1],
                                        NFTNL_EXPR_PAYLOAD_OFFSET), 12);
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[1],
                                        NFTNL_EXPR_PAYLOAD_LEN), 4);
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[1],
                                        NFTNL_EXPR_PAYLOAD_DREG),
                     NFT_REG32_01);
    assert_string_equal(seen.names[2], "bitwise");
    data = nftnl_expr_get(seen.exprs[2], NFTNL_EXPR_BITWISE_MASK, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(data, mask, 4);
    assert_string_equal(seen.names[3], "lookup");
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[3],
                                        NFTNL_EXPR_LOOKUP_SREG),
                     NFT_REG32_00);
    assert_string_equal(seen.names[4], "meta");   /* mark set */
    assert_string_equal(seen.names[5], "meta");   /* mark load */
    assert_string_equal(seen.names[6], "lookup");
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[6],
                                        NFTNL_EXPR_LOOKUP_DREG),
                     NFT_REG_VERDICT);
    assert_string_equal(nftnl_expr_get_str(seen.exprs[6],
                                           NFTNL_EXPR_LOOKUP_SET), "actions");
    data = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
    assert_non_null(data);
    assert_non_null(memmem(data, len, "priority=100", 12));
    nftnl_rule_free(r);

    /* The element: masked key, the action id, a comment. */
    nlh = find_type(&p, NFT_MSG_NEWSETELEM, 1);
    s = nftnl_set_alloc();
    assert_int_equal(nftnl_set_elems_nlmsg_parse(nlh, s), 0);
    it = nftnl_set_elems_iter_create(s);
    e = nftnl_set_elems_iter_next(it);
    assert_non_null(e);
    data = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(data, key, 8);
    data = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
    assert_non_null(memmem(data, len, "cookie=0x42", 11));
    assert_null(nftnl_set_elems_iter_next(it));
    nftnl_set_elems_iter_destroy(it);
    nftnl_set_free(s);

    /* The action chain: a counter (table 0's matched total, which
     * outlives the flows) with the actions as a comment, then guard, fwd
     * to ifindex 8, then drop. */
    r = parse_rule(find_type(&p, NFT_MSG_NEWRULE, 0), &seen);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.names[0], "counter");
    data = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
    assert_non_null(data);
    assert_non_null(memmem(data, len, "actions=output:2", 16));
    nftnl_rule_free(r);
    r = parse_rule(find_type(&p, NFT_MSG_NEWRULE, 1), &seen);
    assert_int_equal(seen.n, 4);
    assert_string_equal(seen.names[1], "cmp");
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[1], NFTNL_EXPR_CMP_OP),
                     NFT_CMP_NEQ);
    assert_string_equal(seen.names[2], "immediate");
    data = nftnl_expr_get(seen.exprs[2], NFTNL_EXPR_IMM_DATA, &len);
    assert_int_equal(*(const uint32_t *) data, 8);
    assert_string_equal(seen.names[3], "fwd");
    nftnl_rule_free(r);
    r = parse_rule(find_type(&p, NFT_MSG_NEWRULE, 2), &seen);
    assert_int_equal(seen.n, 1);
    assert_int_equal(nftnl_expr_get_u32(seen.exprs[0], NFTNL_EXPR_IMM_VERDICT),
                     NF_DROP);
    nftnl_rule_free(r);
}

/* A second flow of the same mask is one element and nothing else; the
 * last flow's deletion removes the rule (by handle), map and chain. */
static void
test_incremental(void **state)
{
    struct fixture *fx = *state;
    struct parsed p;

    assert_int_equal(flow_op(fx->nftc, "priority=5,ip,nw_dst=10.0.0.1,"
                             "actions=output:1", true), 0);
    assert_int_equal(flow_op(fx->nftc, "priority=5,ip,nw_dst=10.0.0.2,"
                             "actions=output:1", true), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(p.n, 3);
    assert_int_equal(count_type(&p, NFT_MSG_NEWSETELEM), 1);
    assert_int_equal(nftc_n_masks(fx->nftc), 1);

    assert_int_equal(flow_op(fx->nftc, "priority=5,ip,nw_dst=10.0.0.1",
                             false), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(p.n, 3);
    assert_int_equal(count_type(&p, NFT_MSG_DELSETELEM), 1);

    assert_int_equal(flow_op(fx->nftc, "priority=5,ip,nw_dst=10.0.0.2",
                             false), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(count_type(&p, NFT_MSG_DELRULE), 1);
    assert_int_equal(count_type(&p, NFT_MSG_DELSET), 1);
    assert_int_equal(count_type(&p, NFT_MSG_DELCHAIN), 1);
    assert_int_equal(nftc_n_masks(fx->nftc), 0);
    assert_int_equal(nftc_n_flows(fx->nftc), 0);

    /* Deleting what is not there fails and changes nothing. */
    assert_int_equal(flow_op(fx->nftc, "priority=5,ip,nw_dst=10.0.0.2",
                             false), ENOENT);
}

/* Priorities: a new rule goes after the nearest higher priority. */
static void
test_priority_position(void **state)
{
    struct fixture *fx = *state;
    struct parsed p;
    struct expr_seen seen;
    struct nftnl_rule *r;

    assert_int_equal(flow_op(fx->nftc, "priority=300,ip,actions=drop", true),
                     0);
    assert_int_equal(flow_op(fx->nftc, "priority=100,udp,actions=drop",
                             true), 0);
    /* Priority 200, a third mask: after the 300 rule, by handle. */
    assert_int_equal(flow_op(fx->nftc, "priority=200,tcp,actions=drop",
                             true), 0);
    parse_batch(fx->nftc, &p);
    r = parse_rule(find_rule(&p, "flows", 0), &seen);
    assert_true(nftnl_rule_is_set(r, NFTNL_RULE_POSITION));
    assert_true(find_rule(&p, "flows", 0)->nlmsg_flags & NLM_F_APPEND);
    nftnl_rule_free(r);

    /* Priority 400: first in the chain (no position, no append). */
    assert_int_equal(flow_op(fx->nftc, "priority=400,arp,actions=drop",
                             true), 0);
    parse_batch(fx->nftc, &p);
    r = parse_rule(find_rule(&p, "flows", 0), &seen);
    assert_false(nftnl_rule_is_set(r, NFTNL_RULE_POSITION));
    assert_false(find_rule(&p, "flows", 0)->nlmsg_flags & NLM_F_APPEND);
    nftnl_rule_free(r);
}

/* Set-field: payload write with the kernel's checksum fix-up. */
static void
test_rewrite(void **state)
{
    struct fixture *fx = *state;
    struct parsed p;
    struct expr_seen seen;
    struct nftnl_rule *r;
    struct nftnl_expr *w;

    assert_int_equal(flow_op(fx->nftc, "priority=1,tcp,actions="
                             "mod_nw_dst:10.9.9.9,output:1", true), 0);
    parse_batch(fx->nftc, &p);
    r = parse_rule(find_type(&p, NFT_MSG_NEWRULE, 1), &seen);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.names[0], "immediate");
    w = seen.exprs[1];
    assert_string_equal(seen.names[1], "payload");
    assert_int_equal(nftnl_expr_get_u32(w, NFTNL_EXPR_PAYLOAD_OFFSET), 16);
    assert_int_equal(nftnl_expr_get_u32(w, NFTNL_EXPR_PAYLOAD_CSUM_TYPE),
                     NFT_PAYLOAD_CSUM_INET);
    assert_int_equal(nftnl_expr_get_u32(w, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET),
                     10);
    assert_int_equal(nftnl_expr_get_u32(w, NFTNL_EXPR_PAYLOAD_FLAGS),
                     NFT_PAYLOAD_L4CSUM_PSEUDOHDR);
    nftnl_rule_free(r);

    /* DSCP keeps ECN: load, bitwise, write. */
    assert_int_equal(flow_op(fx->nftc, "priority=1,ip,actions="
                             "mod_nw_tos:32,output:1", true), 0);
    parse_batch(fx->nftc, &p);
    r = parse_rule(find_type(&p, NFT_MSG_NEWRULE, 1), &seen);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.names[0], "payload");
    assert_string_equal(seen.names[1], "bitwise");
    assert_string_equal(seen.names[2], "payload");
    nftnl_rule_free(r);
}

/* A non-offloadable table-0 flow still gets an element, whose action id
 * is the punt (0); flows of other tables are held, not lowered. */
static void
test_punt(void **state)
{
    struct fixture *fx = *state;
    struct parsed p;
    struct nftnl_set *s = nftnl_set_alloc();
    struct nftnl_set_elems_iter *it;
    uint32_t len;
    const void *data;

    assert_int_equal(flow_op(fx->nftc, "priority=9,ip,actions=controller",
                             true), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(count_type(&p, NFT_MSG_NEWCHAIN), 0);
    assert_int_equal(nftnl_set_elems_nlmsg_parse(
                         find_type(&p, NFT_MSG_NEWSETELEM, 0), s), 0);
    it = nftnl_set_elems_iter_create(s);
    data = nftnl_set_elem_get(nftnl_set_elems_iter_next(it),
                              NFTNL_SET_ELEM_DATA, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "\0\0\0\0", 4);
    nftnl_set_elems_iter_destroy(it);
    nftnl_set_free(s);

    assert_int_equal(flow_op(fx->nftc, "table=1,priority=9,ip,actions=drop",
                             true), 0);
    assert_int_equal(nftc_n_flows(fx->nftc), 2);
    assert_int_equal(nftc_n_masks(fx->nftc), 1);
}

/* Messages of 'type' about elements of flow maps ("m<id>"), not of the
 * "actions" map. */
static size_t
count_flow_elems(const struct parsed *p, uint16_t type)
{
    size_t n = 0;
    const struct nlmsghdr *nlh;

    for (size_t i = 0; (nlh = find_type(p, type, i)); i++) {
        struct nftnl_set *s = nftnl_set_alloc();
        assert_int_equal(nftnl_set_elems_nlmsg_parse(nlh, s), 0);
        const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
        n += name && name[0] == 'm';
        nftnl_set_free(s);
    }
    return n;
}

/* The action id of the only element of the batch's only NEWSETELEM. */
static uint32_t
added_verdict(const struct parsed *p)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nftnl_set_elems_iter *it;
    uint32_t len, id;
    const void *data;

    assert_int_equal(count_type(p, NFT_MSG_NEWSETELEM), 1);
    assert_int_equal(nftnl_set_elems_nlmsg_parse(
                         find_type(p, NFT_MSG_NEWSETELEM, 0), s), 0);
    it = nftnl_set_elems_iter_create(s);
    data = nftnl_set_elem_get(nftnl_set_elems_iter_next(it),
                              NFTNL_SET_ELEM_DATA, &len);
    assert_int_equal(len, 4);
    memcpy(&id, data, 4);
    nftnl_set_elems_iter_destroy(it);
    nftnl_set_free(s);
    return ntohl(id);
}

/* Flows whose keys are equal share one element: two that stay in
 * userspace because they match ipv6_label (which the kernel cannot read)
 * lower to the key of their ipv6_dst, as does an offloadable flow of that
 * ipv6_dst at the same priority.  The element passes from owner to owner
 * as they go, with a new verdict only when it changes, and goes with the
 * last of them (before, the second one made the kernel refuse the commit
 * with EEXIST and offload turned off). */
static void
test_shared_key(void **state)
{
    struct fixture *fx = *state;
    struct parsed p;
    const char *a = "priority=7,ipv6,ipv6_dst=2001:db8::1,"
                    "ipv6_label=0x12300/0xfff00";
    const char *b = "priority=7,ipv6,ipv6_dst=2001:db8::1,"
                    "ipv6_label=0x45600/0xfff00";
    const char *c = "priority=7,ipv6,ipv6_dst=2001:db8::1";
    char *add_a = xasprintf("%s,actions=output:1", a);
    char *add_b = xasprintf("%s,actions=output:1", b);
    char *add_c = xasprintf("%s,actions=output:2", c);

    assert_int_equal(flow_op(fx->nftc, add_a, true), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(added_verdict(&p), 0);             /* Punt. */
    assert_int_equal(flow_op(fx->nftc, add_b, true), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(count_flow_elems(&p, NFT_MSG_NEWSETELEM), 0);
    assert_int_equal(flow_op(fx->nftc, add_c, true), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(count_flow_elems(&p, NFT_MSG_NEWSETELEM), 0);
    assert_int_equal(nftc_n_flows(fx->nftc), 3);
    assert_int_equal(nftc_n_masks(fx->nftc), 1);

    /* a goes: b punts the same, nothing to send. */
    assert_int_equal(flow_op(fx->nftc, a, false), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(count_flow_elems(&p, NFT_MSG_DELSETELEM), 0);
    assert_int_equal(count_flow_elems(&p, NFT_MSG_NEWSETELEM), 0);
    /* b goes: c forwards, the element is replaced. */
    assert_int_equal(flow_op(fx->nftc, b, false), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(count_flow_elems(&p, NFT_MSG_DELSETELEM), 1);
    assert_true(added_verdict(&p) != 0);
    /* c goes, and with it the map (its element with it: no message of
     * its own) and the rule. */
    assert_int_equal(flow_op(fx->nftc, c, false), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(count_flow_elems(&p, NFT_MSG_DELSETELEM), 0);
    assert_int_equal(count_type(&p, NFT_MSG_DELSET), 1);
    assert_int_equal(count_type(&p, NFT_MSG_DELRULE), 1);
    assert_int_equal(nftc_n_flows(fx->nftc), 0);
    free(add_a);
    free(add_b);
    free(add_c);
}

/* The elements a NEWSETELEM/DELSETELEM message lists. */
static size_t
n_listed(const struct nlmsghdr *nlh)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nftnl_set_elems_iter *it;
    size_t n = 0;

    assert_non_null(nlh);
    assert_int_equal(nftnl_set_elems_nlmsg_parse(nlh, s), 0);
    it = nftnl_set_elems_iter_create(s);
    while (nftnl_set_elems_iter_next(it)) {
        n++;
    }
    nftnl_set_elems_iter_destroy(it);
    nftnl_set_free(s);
    return n;
}

/* Commits a flush of everything and parses its batch into 'p'. */
static void
flush_commit(struct nftc *nftc, struct parsed *p)
{
    nftc_txn_begin(nftc);
    nftc_txn_flush(nftc);
    assert_int_equal(nftc_txn_commit(nftc), 0);
    parse_batch(nftc, p);
    assert_int_equal(count_flow_elems(p, NFT_MSG_DELSETELEM), 0);
    assert_int_equal(count_type(p, NFT_MSG_DELRULE), 1);
    assert_int_equal(nftc_n_flows(nftc), 0);
    assert_int_equal(nftc_n_masks(nftc), 0);
}

/* A flush deletes whole maps and chains, never element by element: a map
 * that flows added after the flush keep loses its elements to one message
 * without a list; what was queued before the flush is dropped; an
 * abandoned flush changes nothing.  A big map's rule goes with the commit
 * and the map itself with nftc_reap()'s batch after it. */
static void
test_flush(void **state)
{
    struct fixture *fx = *state;
    struct parsed p;

    assert_int_equal(flow_op(fx->nftc, "priority=5,ip,nw_dst=10.0.0.1,"
                             "actions=output:1", true), 0);
    assert_int_equal(flow_op(fx->nftc, "priority=5,ip,nw_dst=10.0.0.2,"
                             "actions=output:1", true), 0);
    assert_int_equal(flow_op(fx->nftc, "priority=6,ip,nw_src=10.0.0.3,"
                             "actions=output:2", true), 0);
    assert_int_equal(nftc_n_flows(fx->nftc), 3);
    assert_int_equal(nftc_n_masks(fx->nftc), 2);
    assert_int_equal(nftc_n_actchains(fx->nftc), 2);

    nftc_txn_begin(fx->nftc);
    flow_queue(fx->nftc, "priority=7,ip,actions=drop", true);
    nftc_txn_flush(fx->nftc);
    nftc_txn_abort(fx->nftc);
    assert_int_equal(nftc_n_flows(fx->nftc), 3);
    assert_int_equal(nftc_n_masks(fx->nftc), 2);

    nftc_txn_begin(fx->nftc);
    flow_queue(fx->nftc, "priority=8,tcp,actions=drop", true);
    nftc_txn_flush(fx->nftc);
    flow_queue(fx->nftc, "priority=5,ip,nw_dst=10.0.0.9,actions=output:2",
               true);
    assert_int_equal(nftc_txn_commit(fx->nftc), 0);
    parse_batch(fx->nftc, &p);
    assert_int_equal(count_flow_elems(&p, NFT_MSG_DELSETELEM), 1);
    assert_int_equal(n_listed(find_type(&p, NFT_MSG_DELSETELEM, 0)), 0);
    assert_int_equal(count_flow_elems(&p, NFT_MSG_NEWSETELEM), 1);
    assert_int_equal(count_type(&p, NFT_MSG_DELSET), 1);
    assert_int_equal(count_type(&p, NFT_MSG_DELRULE), 1);
    assert_int_equal(count_type(&p, NFT_MSG_NEWSET), 0);
    assert_int_equal(count_type(&p, NFT_MSG_DELCHAIN), 1);  /* output:1 */
    assert_int_equal(nftc_n_flows(fx->nftc), 1);
    assert_int_equal(nftc_n_masks(fx->nftc), 1);
    assert_int_equal(nftc_n_actchains(fx->nftc), 1);

    /* Everything goes: a rule, a map, a chain, no element message. */
    flush_commit(fx->nftc, &p);
    assert_int_equal(count_type(&p, NFT_MSG_DELSET), 1);
    assert_int_equal(count_type(&p, NFT_MSG_DELCHAIN), 1);
    assert_int_equal(nftc_n_actchains(fx->nftc), 0);
    nftc_reap(fx->nftc);

    /* A big map: its rule now, the map after. */
    nftc_txn_begin(fx->nftc);
    for (int i = 0; i < 1100; i++) {
        char *flow = xasprintf("priority=5,ip,nw_dst=10.1.%d.%d,"
                               "actions=output:1", i / 256, i % 256);
        flow_queue(fx->nftc, flow, true);
        free(flow);
    }
    assert_int_equal(nftc_txn_commit(fx->nftc), 0);
    assert_int_equal(nftc_n_flows(fx->nftc), 1100);
    flush_commit(fx->nftc, &p);
    assert_int_equal(count_type(&p, NFT_MSG_DELSET), 0);
    nftc_reap(fx->nftc);
    parse_batch(fx->nftc, &p);
    assert_int_equal(p.n, 3);       /* BEGIN, DELSET, END. */
    assert_int_equal(count_type(&p, NFT_MSG_DELSET), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decision, setup, teardown),
        cmocka_unit_test(test_batch_framing),
        cmocka_unit_test_setup_teardown(test_lower_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_position, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rewrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_punt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
    };

    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
