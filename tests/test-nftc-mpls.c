/*
 * tests/test-nftc-mpls.c: kmod/nftc-mpls without a kernel.
 *
 * Builds "mpls" expressions into a buffer and parses them back, checks
 * the wire bytes of one against the kernel module's interface
 * (kmod/module/nft_mpls.h), that malformed or meaningless expressions are
 * refused, that the probe batch has no END (so the kernel aborts it), and
 * how an offline nftc lowers MPLS actions with and without the expression,
 * and mvs's extension actions (markers, ofproto-mpls/ofp-ext.h) through
 * an extension decoder like ofproto-mpls/offload.c's.  The kernel side is
 * tests/sys-kmod-vm.sh.
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

#include "kmod/nftc.h"
#include "kmod/nftc-mpls.h"
#include "kmod/nftc-private.h"
#include "ofproto-mpls/ofp-ext.h"
#include "openvswitch/compiler.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/vlog.h"
#include "flow.h"
#include "util.h"


#define MSG(T) ((NFNL_SUBSYS_NFTABLES << 8) | (T))

/* A rule message holding one expression list. */
struct rule_buf {
    char buf[4096];
    struct nlmsghdr *nlh;
    struct nlattr *list;
};

static void
rule_start(struct rule_buf *rb)
{
    memset(rb->buf, 0, sizeof rb->buf);
    rb->nlh = mnl_nlmsg_put_header(rb->buf);
    rb->nlh->nlmsg_type = MSG(NFT_MSG_NEWRULE);
    rb->list = mnl_attr_nest_start(rb->nlh, NFTA_RULE_EXPRESSIONS);
}

static void
rule_finish(struct rule_buf *rb)
{
    mnl_attr_nest_end(rb->nlh, rb->list);
}

/* The first list element of 'rb'. */
static const struct nlattr *
first_elem(const struct rule_buf *rb)
{
    const struct nlattr *list = mnl_nlmsg_get_payload(rb->nlh);
    const struct nlattr *elem;

    assert_int_equal(mnl_attr_get_type(list), NFTA_RULE_EXPRESSIONS);
    mnl_attr_for_each_nested(elem, list) {
        return elem;
    }
    fail_msg("empty expression list");
    return NULL;
}

static void
round_trip(const struct nftc_mpls *m)
{
    struct nftc_mpls back;
    struct rule_buf rb;

    assert_int_equal(nftc_mpls_check(m), 0);
    rule_start(&rb);
    nftc_mpls_put_expr(rb.nlh, m);
    rule_finish(&rb);
    assert_true(rb.nlh->nlmsg_len <= MNL_NLMSG_HDRLEN + MNL_ATTR_HDRLEN
                                     + NFTC_MPLS_EXPR_MAX);
    assert_int_equal(nftc_mpls_parse_expr(first_elem(&rb), &back), 0);
    assert_int_equal(back.op, m->op);
    assert_int_equal(back.ethertype, m->ethertype);
    assert_int_equal(back.fields, m->fields);
    assert_int_equal(back.from_reg, m->from_reg);
    if (m->fields & NFTC_MPLS_F_LABEL) {
        if (m->from_reg & NFTC_MPLS_F_LABEL) {
            assert_int_equal(back.sreg_label, m->sreg_label);
        } else {
            assert_int_equal(back.label, m->label);
        }
    }
    if (m->fields & NFTC_MPLS_F_TC) {
        if (m->from_reg & NFTC_MPLS_F_TC) {
            assert_int_equal(back.sreg_tc, m->sreg_tc);
        } else {
            assert_int_equal(back.tc, m->tc);
        }
    }
    if (m->fields & NFTC_MPLS_F_TTL) {
        if (m->from_reg & NFTC_MPLS_F_TTL) {
            assert_int_equal(back.sreg_ttl, m->sreg_ttl);
        } else {
            assert_int_equal(back.ttl, m->ttl);
        }
    }
    if (m->fields & NFTC_MPLS_F_BOS) {
        assert_int_equal(back.bos, m->bos);
    }
}

static void
test_round_trip(void **state OVS_UNUSED)
{
    const struct nftc_mpls cases[] = {
        { .op = NFT_MPLS_OP_PUSH, .ethertype = 0x8847 },
        { .op = NFT_MPLS_OP_PUSH, .ethertype = 0x8848,
          .fields = NFTC_MPLS_F_LABEL | NFTC_MPLS_F_TC | NFTC_MPLS_F_TTL,
          .label = 0xfffff, .tc = 7, .ttl = 255 },
        { .op = NFT_MPLS_OP_PUSH, .ethertype = 0x8847,
          .fields = NFTC_MPLS_F_LABEL | NFTC_MPLS_F_TC | NFTC_MPLS_F_TTL,
          .from_reg = NFTC_MPLS_F_LABEL | NFTC_MPLS_F_TC | NFTC_MPLS_F_TTL,
          .sreg_label = NFT_REG32_00, .sreg_tc = NFT_REG32_01,
          .sreg_ttl = NFT_REG32_15 },
        { .op = NFT_MPLS_OP_POP, .ethertype = 0x0800 },
        { .op = NFT_MPLS_OP_POP, .ethertype = 0x6558 },
        { .op = NFT_MPLS_OP_SET, .fields = NFTC_MPLS_F_BOS, .bos = 1 },
        { .op = NFT_MPLS_OP_SET,
          .fields = NFTC_MPLS_F_LABEL | NFTC_MPLS_F_TTL,
          .from_reg = NFTC_MPLS_F_TTL, .label = 16, .sreg_ttl = NFT_REG_2 },
        { .op = NFT_MPLS_OP_DEC_TTL },
        { .op = NFT_MPLS_OP_COPY_TTL_IN, .ethertype = 0x86dd },
        { .op = NFT_MPLS_OP_COPY_TTL_OUT },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        round_trip(&cases[i]);
    }
}

/* The bytes the kernel module reads: name, nested data, big endian. */
static void
test_wire(void **state OVS_UNUSED)
{
    const struct nftc_mpls m = {
        .op = NFT_MPLS_OP_PUSH, .ethertype = 0x8847,
        .fields = NFTC_MPLS_F_LABEL | NFTC_MPLS_F_TTL,
        .label = 0x12345, .ttl = 64,
    };
    const struct nlattr *elem, *attr, *data = NULL;
    struct rule_buf rb;
    int n = 0;

    rule_start(&rb);
    nftc_mpls_put_expr(rb.nlh, &m);
    rule_finish(&rb);
    elem = first_elem(&rb);
    assert_int_equal(mnl_attr_get_type(elem), NFTA_LIST_ELEM);
    mnl_attr_for_each_nested(attr, elem) {
        if (mnl_attr_get_type(attr) == NFTA_EXPR_NAME) {
            assert_string_equal(mnl_attr_get_str(attr), "mpls");
        } else if (mnl_attr_get_type(attr) == NFTA_EXPR_DATA) {
            data = attr;
        }
    }
    assert_non_null(data);
    assert_true(data->nla_type & NLA_F_NESTED);
    mnl_attr_for_each_nested(attr, data) {
        const uint8_t *p = mnl_attr_get_payload(attr);

        switch (mnl_attr_get_type(attr)) {
        case NFTA_MPLS_OP:
            assert_int_equal(mnl_attr_get_payload_len(attr), 4);
            assert_int_equal(ntohl(mnl_attr_get_u32(attr)),
                             NFT_MPLS_OP_PUSH);
            break;
        case NFTA_MPLS_ETHERTYPE:
            assert_int_equal(mnl_attr_get_payload_len(attr), 2);
            assert_int_equal(p[0], 0x88);
            assert_int_equal(p[1], 0x47);
            break;
        case NFTA_MPLS_LABEL:
            assert_int_equal(mnl_attr_get_payload_len(attr), 4);
            assert_memory_equal(p, "\x00\x01\x23\x45", 4);
            break;
        case NFTA_MPLS_TTL:
            assert_int_equal(mnl_attr_get_payload_len(attr), 1);
            assert_int_equal(p[0], 64);
            break;
        default:
            fail_msg("unexpected attribute %d", mnl_attr_get_type(attr));
        }
        n++;
    }
    assert_int_equal(n, 4);
}

/* Expressions the module refuses are refused here first. */
static void
test_check(void **state OVS_UNUSED)
{
    const struct nftc_mpls bad[] = {
        { .op = NFT_MPLS_OP_PUSH },                         /* No type. */
        { .op = NFT_MPLS_OP_PUSH, .ethertype = 0x0800 },
        { .op = NFT_MPLS_OP_PUSH, .ethertype = 0x8847,
          .fields = NFTC_MPLS_F_BOS },
        { .op = NFT_MPLS_OP_POP },
        { .op = NFT_MPLS_OP_POP, .ethertype = 0x0800,
          .fields = NFTC_MPLS_F_TTL },
        { .op = NFT_MPLS_OP_SET },
        { .op = NFT_MPLS_OP_SET, .ethertype = 0x8847,
          .fields = NFTC_MPLS_F_TTL },
        { .op = NFT_MPLS_OP_SET, .fields = NFTC_MPLS_F_LABEL,
          .label = 0x100000 },
        { .op = NFT_MPLS_OP_SET, .fields = NFTC_MPLS_F_TC, .tc = 8 },
        { .op = NFT_MPLS_OP_SET, .fields = NFTC_MPLS_F_BOS, .bos = 2 },
        { .op = NFT_MPLS_OP_SET, .fields = NFTC_MPLS_F_BOS,
          .from_reg = NFTC_MPLS_F_BOS },
        { .op = NFT_MPLS_OP_SET, .from_reg = NFTC_MPLS_F_TTL },
        { .op = NFT_MPLS_OP_DEC_TTL, .fields = NFTC_MPLS_F_TTL },
        { .op = NFT_MPLS_OP_COPY_TTL_IN, .fields = NFTC_MPLS_F_TTL },
        { .op = __NFT_MPLS_OP_MAX },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(nftc_mpls_check(&bad[i]), EINVAL);
    }
}

/* Builds an element from raw attributes for the parser. */
static const struct nlattr *
raw_elem(struct rule_buf *rb, const char *name,
         void (*fill)(struct nlmsghdr *))
{
    struct nlattr *elem, *data;

    rule_start(rb);
    elem = mnl_attr_nest_start(rb->nlh, NFTA_LIST_ELEM);
    mnl_attr_put_strz(rb->nlh, NFTA_EXPR_NAME, name);
    data = mnl_attr_nest_start(rb->nlh, NFTA_EXPR_DATA);
    fill(rb->nlh);
    mnl_attr_nest_end(rb->nlh, data);
    mnl_attr_nest_end(rb->nlh, elem);
    rule_finish(rb);
    return first_elem(rb);
}

static void fill_ok(struct nlmsghdr *nlh)
{ mnl_attr_put_u32(nlh, NFTA_MPLS_OP, htonl(NFT_MPLS_OP_DEC_TTL)); }
static void fill_no_op(struct nlmsghdr *nlh)
{ mnl_attr_put_u8(nlh, NFTA_MPLS_TTL, 1); }
static void fill_short_op(struct nlmsghdr *nlh)
{ mnl_attr_put_u16(nlh, NFTA_MPLS_OP, 0); }
static void fill_bad_op(struct nlmsghdr *nlh)
{ mnl_attr_put_u32(nlh, NFTA_MPLS_OP, htonl(NFT_MPLS_OP_MAX + 1)); }
static void
fill_twice(struct nlmsghdr *nlh)
{
    fill_ok(nlh);
    fill_ok(nlh);
}
static void
fill_unknown(struct nlmsghdr *nlh)
{
    fill_ok(nlh);
    mnl_attr_put_u32(nlh, NFTA_MPLS_MAX + 1, 0);
}
static void
fill_imm_and_reg(struct nlmsghdr *nlh)
{
    mnl_attr_put_u32(nlh, NFTA_MPLS_OP, htonl(NFT_MPLS_OP_SET));
    mnl_attr_put_u8(nlh, NFTA_MPLS_TTL, 1);
    mnl_attr_put_u32(nlh, NFTA_MPLS_SREG_TTL, htonl(NFT_REG32_00));
}
static void
fill_long_label(struct nlmsghdr *nlh)
{
    mnl_attr_put_u32(nlh, NFTA_MPLS_OP, htonl(NFT_MPLS_OP_SET));
    mnl_attr_put_u32(nlh, NFTA_MPLS_LABEL, htonl(0x100000));
}

static void
test_parse_refuses(void **state OVS_UNUSED)
{
    struct nftc_mpls m;
    struct rule_buf rb;

    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "mpls", fill_ok),
                                          &m), 0);
    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "cmp", fill_ok),
                                          &m), ENOENT);
    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "mpls",
                                                   fill_no_op), &m),
                     EINVAL);
    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "mpls",
                                                   fill_short_op), &m),
                     EINVAL);
    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "mpls",
                                                   fill_bad_op), &m),
                     EINVAL);
    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "mpls",
                                                   fill_twice), &m),
                     EINVAL);
    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "mpls",
                                                   fill_unknown), &m),
                     EINVAL);
    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "mpls",
                                                   fill_imm_and_reg), &m),
                     EINVAL);
    assert_int_equal(nftc_mpls_parse_expr(raw_elem(&rb, "mpls",
                                                   fill_long_label), &m),
                     EINVAL);
}

/* A parse of a truncated element stays inside it. */
static void
test_parse_truncated(void **state OVS_UNUSED)
{
    const struct nftc_mpls m = { .op = NFT_MPLS_OP_POP, .ethertype = 0x800 };
    struct nftc_mpls back;
    struct rule_buf rb;
    struct nlattr *elem;
    size_t len, cut;

    rule_start(&rb);
    nftc_mpls_put_expr(rb.nlh, &m);
    rule_finish(&rb);
    elem = (struct nlattr *) first_elem(&rb);
    len = elem->nla_len;
    for (cut = MNL_ATTR_HDRLEN; cut < len; cut++) {
        elem->nla_len = cut;
        assert_int_not_equal(nftc_mpls_parse_expr(elem, &back), 0);
    }
    elem->nla_len = len;
    assert_int_equal(nftc_mpls_parse_expr(elem, &back), 0);
}

/* BEGIN, table, chain, rule with "mpls", each acked; never END. */
static void
test_probe_frame(void **state OVS_UNUSED)
{
    static const uint16_t types[] = {
        NFNL_MSG_BATCH_BEGIN, MSG(NFT_MSG_NEWTABLE), MSG(NFT_MSG_NEWCHAIN),
        MSG(NFT_MSG_NEWRULE),
    };
    char buf[1024];
    const struct nlmsghdr *nlh;
    size_t len = nftc_mpls_probe_frame(buf, sizeof buf, 100, "mvs-probe-1");
    int n = 0, left;
    bool seen_mpls = false;

    assert_true(len > 0);
    assert_int_equal(nftc_mpls_probe_frame(buf, 64, 100, "mvs-probe-1"), 0);
    left = len;
    for (nlh = (const struct nlmsghdr *) buf; mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left)) {
        const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *attr;

        assert_true(n < (int) ARRAY_SIZE(types));
        assert_int_equal(nlh->nlmsg_type, types[n]);
        assert_int_equal(nlh->nlmsg_seq, 100 + n);
        assert_int_not_equal(nlh->nlmsg_type, NFNL_MSG_BATCH_END);
        if (n == 0) {
            assert_int_equal(ntohs(g->res_id), NFNL_SUBSYS_NFTABLES);
        } else {
            assert_true(nlh->nlmsg_flags & NLM_F_ACK);
            assert_int_equal(g->nfgen_family, NFPROTO_NETDEV);
        }
        if (n == NFTC_MPLS_PROBE_RULE) {
            mnl_attr_for_each(attr, nlh, sizeof *g) {
                const struct nlattr *elem;

                if (mnl_attr_get_type(attr) != NFTA_RULE_EXPRESSIONS) {
                    continue;
                }
                mnl_attr_for_each_nested(elem, attr) {
                    struct nftc_mpls m;

                    assert_int_equal(nftc_mpls_parse_expr(elem, &m), 0);
                    seen_mpls = true;
                }
            }
        }
        n++;
    }
    assert_int_equal(left, 0);
    assert_int_equal(n, 4);
    assert_true(seen_mpls);
}

/* Offline nftc: the decision and the lowering of MPLS actions. */

static struct nftc *
offline_nftc(bool mpls)
{
    struct nftc *nftc;

    assert_int_equal(nftc_create_offline("br0", &nftc), 0);
    assert_int_equal(nftc_port_add(nftc, u16_to_ofp(1), "veth1", 7), 0);
    assert_int_equal(nftc_port_add(nftc, u16_to_ofp(2), "veth2", 8), 0);
    assert_false(nftc_has_mpls_expr(nftc));     /* Offline never probes. */
    nftc_set_mpls_expr(nftc, mpls);
    return nftc;
}

/* Decides, and if 'commit', adds the ovs-ofctl flow 's' in a transaction
 * of its own.  Returns whether it is offloadable; 'reason' gets why not. */
static bool
flow_try(struct nftc *nftc, const char *s, bool commit, struct ds *reason)
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
        .ofpacts_len = fm.ofpacts_len, .priority = fm.priority,
    };
    ok = nftc_flow_offloadable(nftc, &flow, reason);
    if (commit) {
        nftc_txn_begin(nftc);
        nftc_txn_flow_add(nftc, &flow);
        assert_int_equal(nftc_txn_commit(nftc), 0);
    }
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
    return ok;
}

/* The "mpls" expressions of the last batch's NEWRULE messages, in order;
 * also counts the rules that hold one, which must hold nothing else. */
static size_t
batch_mpls(const struct nftc *nftc, struct nftc_mpls *out, size_t max)
{
    size_t len, n = 0;
    const void *data = nftc_last_batch(nftc, &len);
    const struct nlmsghdr *nlh;
    int left = len;

    for (nlh = data; mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left)) {
        const struct nlattr *attr;
        int n_lists = 0;

        if (nlh->nlmsg_type != MSG(NFT_MSG_NEWRULE)) {
            continue;
        }
        mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
            const struct nlattr *elem;
            size_t n_elems = 0, n_mpls = 0;

            if (mnl_attr_get_type(attr) != NFTA_RULE_EXPRESSIONS) {
                continue;
            }
            n_lists++;
            mnl_attr_for_each_nested(elem, attr) {
                struct nftc_mpls m;
                int error = nftc_mpls_parse_expr(elem, &m);

                n_elems++;
                if (error != ENOENT) {
                    /* Every "mpls" expression must be well formed. */
                    assert_int_equal(error, 0);
                    assert_true(n < max);
                    out[n++] = m;
                    n_mpls++;
                }
            }
            assert_true(n_mpls == 0 || n_elems == 1);
        }
        assert_true(n_lists <= 1);
    }
    return n;
}

static void
test_lower_without_expr(void **state OVS_UNUSED)
{
    struct nftc *nftc = offline_nftc(false);
    struct nftc_mpls m[8];
    struct ds reason = DS_EMPTY_INITIALIZER;

    /* As before the module existed: punted, reason names the action. */
    assert_false(flow_try(nftc, "in_port=1,ip,actions=push_mpls:0x8847,"
                          "set_field:100->mpls_label,output:2", true,
                          &reason));
    assert_non_null(strstr(ds_cstr(&reason), "push_mpls"));
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 0);
    ds_destroy(&reason);
    nftc_destroy(nftc);
}

static void
test_lower_push_pop(void **state OVS_UNUSED)
{
    struct nftc *nftc = offline_nftc(true);
    struct nftc_mpls m[8];
    struct ds reason = DS_EMPTY_INITIALIZER;
    size_t n;

    assert_true(flow_try(nftc, "in_port=1,ip,actions=push_mpls:0x8847,"
                         "set_field:100->mpls_label,set_mpls_ttl(9),"
                         "output:2", true, &reason));
    n = batch_mpls(nftc, m, ARRAY_SIZE(m));
    assert_int_equal(n, 3);
    assert_int_equal(m[0].op, NFT_MPLS_OP_PUSH);
    assert_int_equal(m[0].ethertype, 0x8847);
    assert_int_equal(m[1].op, NFT_MPLS_OP_SET);
    assert_int_equal(m[1].fields, NFTC_MPLS_F_LABEL);
    assert_int_equal(m[1].label, 100);
    assert_int_equal(m[2].op, NFT_MPLS_OP_SET);
    assert_int_equal(m[2].fields, NFTC_MPLS_F_TTL);
    assert_int_equal(m[2].ttl, 9);

    /* LSR: dec_mpls_ttl first (an expired TTL punts an untouched frame),
     * then swap. */
    assert_true(flow_try(nftc, "in_port=1,mpls,mpls_label=100,"
                         "actions=dec_mpls_ttl,set_mpls_label(200),"
                         "output:2", true, &reason));
    n = batch_mpls(nftc, m, ARRAY_SIZE(m));
    assert_int_equal(n, 2);
    assert_int_equal(m[0].op, NFT_MPLS_OP_DEC_TTL);
    assert_int_equal(m[1].op, NFT_MPLS_OP_SET);
    assert_int_equal(m[1].label, 200);

    /* Egress LER: pop to IP. */
    assert_true(flow_try(nftc, "in_port=1,mpls,mpls_label=300,mpls_bos=1,"
                         "actions=pop_mpls:0x0800,output:2", true,
                         &reason));
    n = batch_mpls(nftc, m, ARRAY_SIZE(m));
    assert_int_equal(n, 1);
    assert_int_equal(m[0].op, NFT_MPLS_OP_POP);
    assert_int_equal(m[0].ethertype, 0x0800);
    assert_string_equal(ds_cstr(&reason), "");
    ds_destroy(&reason);
    nftc_destroy(nftc);
}

static void
test_lower_refused(void **state OVS_UNUSED)
{
    struct nftc *nftc = offline_nftc(true);
    struct ds reason = DS_EMPTY_INITIALIZER;

    /* An expired TTL after the label changed would punt a changed frame. */
    assert_false(flow_try(nftc, "in_port=1,mpls,actions="
                          "set_mpls_label(200),dec_mpls_ttl,output:2",
                          false, &reason));
    assert_non_null(strstr(ds_cstr(&reason), "dec_mpls_ttl after"));
    ds_clear(&reason);

    /* Or after a copy went out. */
    assert_false(flow_try(nftc, "in_port=1,mpls,actions=output:2,"
                          "dec_mpls_ttl,output:1", false, &reason));
    ds_clear(&reason);

    /* An Ethernet rewrite after a push is fine (L2 offsets do not move). */
    assert_true(flow_try(nftc, "in_port=1,ip,actions=push_mpls:0x8847,"
                         "mod_dl_dst:02:00:00:00:00:01,output:2", false,
                         &reason));

    /* An L3 rewrite after a pop: offsets of the frame the match saw. */
    assert_false(flow_try(nftc, "in_port=1,mpls,actions=pop_mpls:0x0800,"
                          "mod_nw_ttl:5,output:2", false, &reason));
    ds_destroy(&reason);
    nftc_destroy(nftc);
}

/* Extension actions. */

/* What ofproto-mpls/offload.c registers. */
static bool
ext_decode(const struct ofpact *a, struct nftc_ext_action *nea)
{
    struct ofpext_action ea;

    if (!ofpext_action_parse(a, &ea)) {
        return false;
    }
    nea->op = ofpext_get(ea.id)->offload;
    nea->value = ea.value;
    return true;
}

/* One piece of an action list: ovs-ofctl action text, or a marker. */
struct piece {
    const char *text;             /* NULL: the marker of 'id'. */
    enum ofpext_id id;
    uint32_t value;
};
#define TEXT(S) { .text = (S) }
#define EXT(ID, VALUE) { .text = NULL, .id = (ID), .value = (VALUE) }

/* Like flow_try(), for the flow of match 'm' (ovs-ofctl syntax) whose
 * action list is the 'n' 'pieces', always committed. */
static bool
ext_try(struct nftc *nftc, const char *m, const struct piece *pieces,
        size_t n, struct ds *reason)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    struct ofpbuf ofpacts;
    struct match match;
    char *s = xasprintf("%s,actions=drop", m);
    char *err;
    bool ok;

    err = parse_ofp_flow_mod_str(&fm, s, NULL, NULL, OFPFC_ADD, &usable);
    if (err) {
        fail_msg("%s: %s", s, err);
    }
    minimatch_expand(&fm.match, &match);
    ofpbuf_init(&ofpacts, 64);
    for (size_t i = 0; i < n; i++) {
        if (pieces[i].text) {
            struct ofpact_parse_params pp = {
                .ofpacts = &ofpacts, .usable_protocols = &usable,
            };

            err = ofpacts_parse_actions(pieces[i].text, &pp);
            if (err) {
                fail_msg("%s: %s", pieces[i].text, err);
            }
        } else {
            ofpext_put_marker(&ofpacts, pieces[i].id, pieces[i].value);
        }
    }
    struct nftc_flow flow = {
        .match = &match, .ofpacts = ofpacts.data,
        .ofpacts_len = ofpacts.size, .priority = fm.priority,
    };
    ok = nftc_flow_offloadable(nftc, &flow, reason);
    nftc_txn_begin(nftc);
    nftc_txn_flow_add(nftc, &flow);
    assert_int_equal(nftc_txn_commit(nftc), 0);
    ofpbuf_uninit(&ofpacts);
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
    free(s);
    return ok;
}

static struct nftc *
ext_nftc(bool mpls)
{
    struct nftc *nftc = offline_nftc(mpls);

    nftc_set_ext_decoder(nftc, ext_decode);
    return nftc;
}

/* Ingress LER, uniform TTL model: push, then copy the IP TTL out. */
static void
test_ext_copy_ttl_out(void **state OVS_UNUSED)
{
    struct nftc *nftc = ext_nftc(true);
    struct ds reason = DS_EMPTY_INITIALIZER;
    struct nftc_mpls m[8];
    const struct piece ler[] = {
        TEXT("push_mpls:0x8847,set_field:100->mpls_label"),
        EXT(OFPEXT_COPY_TTL_OUT, 0),
        TEXT("output:2"),
    };

    assert_true(ext_try(nftc, "priority=10,in_port=1,ip", ler,
                        ARRAY_SIZE(ler), &reason));
    assert_string_equal(ds_cstr(&reason), "");
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 3);
    assert_int_equal(m[0].op, NFT_MPLS_OP_PUSH);
    assert_int_equal(m[1].op, NFT_MPLS_OP_SET);
    assert_int_equal(m[1].label, 100);
    assert_int_equal(m[2].op, NFT_MPLS_OP_COPY_TTL_OUT);
    assert_int_equal(m[2].ethertype, 0x0800);  /* What the match pins. */
    assert_int_equal(m[2].fields, 0);

    /* The same actions on IPv6 frames: a chain of their own, 0x86dd. */
    assert_true(ext_try(nftc, "priority=10,in_port=1,ipv6", ler,
                        ARRAY_SIZE(ler), &reason));
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 3);
    assert_int_equal(m[2].op, NFT_MPLS_OP_COPY_TTL_OUT);
    assert_int_equal(m[2].ethertype, 0x86dd);

    /* A second push: the payload is still the IP packet under the first. */
    const struct piece deep[] = {
        TEXT("push_mpls:0x8847,push_mpls:0x8847"),
        EXT(OFPEXT_COPY_TTL_OUT, 0),
        TEXT("output:2"),
    };
    assert_true(ext_try(nftc, "priority=11,in_port=1,ip", deep,
                        ARRAY_SIZE(deep), &reason));
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 3);
    assert_int_equal(m[2].ethertype, 0x0800);
    ds_destroy(&reason);
    nftc_destroy(nftc);
}

/* Egress LER: copy the TTL in, then pop to the type the pop names. */
static void
test_ext_copy_ttl_in(void **state OVS_UNUSED)
{
    struct nftc *nftc = ext_nftc(true);
    struct ds reason = DS_EMPTY_INITIALIZER;
    struct nftc_mpls m[8];
    const struct piece egress[] = {
        EXT(OFPEXT_COPY_TTL_IN, 0),
        TEXT("pop_mpls:0x0800,output:2"),
    };
    const struct piece php[] = {
        TEXT("pop_mpls:0x8847"),
        EXT(OFPEXT_COPY_TTL_IN, 0),
        TEXT("pop_mpls:0x86dd,output:2"),
    };

    assert_true(ext_try(nftc, "in_port=1,mpls,mpls_label=2001", egress,
                        ARRAY_SIZE(egress), &reason));
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 2);
    assert_int_equal(m[0].op, NFT_MPLS_OP_COPY_TTL_IN);
    assert_int_equal(m[0].ethertype, 0x0800);
    assert_int_equal(m[1].op, NFT_MPLS_OP_POP);

    /* The first later pop counts, as in ofproto-mpls/xlate.c. */
    assert_true(ext_try(nftc, "in_port=1,mpls,mpls_label=3001", php,
                        ARRAY_SIZE(php), &reason));
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 3);
    assert_int_equal(m[1].op, NFT_MPLS_OP_COPY_TTL_IN);
    assert_int_equal(m[1].ethertype, 0x86dd);
    assert_string_equal(ds_cstr(&reason), "");
    ds_destroy(&reason);
    nftc_destroy(nftc);
}

/* Where userspace's choice of ethertype cannot be known, no offload. */
static void
test_ext_copy_ttl_unknown(void **state OVS_UNUSED)
{
    struct nftc *nftc = ext_nftc(true);
    struct ds reason = DS_EMPTY_INITIALIZER;
    const struct piece lsr[] = {
        EXT(OFPEXT_COPY_TTL_OUT, 0), TEXT("output:2"),
    };
    const struct piece any[] = {
        TEXT("push_mpls:0x8847"), EXT(OFPEXT_COPY_TTL_OUT, 0),
        TEXT("output:2"),
    };
    const struct piece repush[] = {
        TEXT("pop_mpls:0x8847,push_mpls:0x8847"),
        EXT(OFPEXT_COPY_TTL_IN, 0), TEXT("output:2"),
    };
    const char *why = "copy_ttl with the payload under the stack unknown";

    /* MPLS in, no pop after: whatever is under is unknown. */
    assert_false(ext_try(nftc, "in_port=1,mpls", lsr, ARRAY_SIZE(lsr),
                         &reason));
    assert_string_equal(ds_cstr(&reason), why);
    ds_clear(&reason);

    /* A push onto a frame the match does not pin. */
    assert_false(ext_try(nftc, "in_port=1", any, ARRAY_SIZE(any),
                         &reason));
    assert_string_equal(ds_cstr(&reason), why);
    ds_clear(&reason);

    /* A push onto a stack that a pop may have emptied. */
    assert_false(ext_try(nftc, "priority=5,in_port=1,mpls", repush,
                         ARRAY_SIZE(repush), &reason));
    assert_string_equal(ds_cstr(&reason), why);

    /* Held as punts (their elements accept), with no "mpls" rules. */
    struct nftc_mpls m[8];
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 0);
    assert_int_equal(nftc_n_flows(nftc), 3);
    ds_destroy(&reason);
    nftc_destroy(nftc);
}

static void
test_ext_set_mpls_bos(void **state OVS_UNUSED)
{
    struct nftc *nftc = ext_nftc(true);
    struct ds reason = DS_EMPTY_INITIALIZER;
    struct nftc_mpls m[8];

    for (uint32_t bos = 0; bos <= 1; bos++) {
        const struct piece set_bos[] = {
            TEXT("set_field:16->mpls_label"),
            EXT(OFPEXT_SET_MPLS_BOS, bos),
            TEXT("output:2"),
        };

        assert_true(ext_try(nftc, "in_port=1,mpls", set_bos,
                            ARRAY_SIZE(set_bos), &reason));
        assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 2);
        assert_int_equal(m[1].op, NFT_MPLS_OP_SET);
        assert_int_equal(m[1].fields, NFTC_MPLS_F_BOS);
        assert_int_equal(m[1].bos, bos);
    }
    assert_string_equal(ds_cstr(&reason), "");
    ds_destroy(&reason);
    nftc_destroy(nftc);
}

/* What stays in userspace, and why. */
static void
test_ext_refused(void **state OVS_UNUSED)
{
    struct ds reason = DS_EMPTY_INITIALIZER;
    struct nftc_mpls m[8];
    struct nftc *nftc;
    const struct piece pbb[] = {
        EXT(OFPEXT_PUSH_PBB, 0x88e7), TEXT("output:2"),
    };
    const struct piece copy[] = {
        TEXT("push_mpls:0x8847"), EXT(OFPEXT_COPY_TTL_OUT, 0),
        TEXT("output:2"),
    };

    /* The kernel has nothing for PBB. */
    nftc = ext_nftc(true);
    assert_false(ext_try(nftc, "in_port=1", pbb, ARRAY_SIZE(pbb), &reason));
    assert_string_equal(ds_cstr(&reason), "extension action");
    ds_clear(&reason);
    nftc_destroy(nftc);

    /* Without the module, no MPLS at all. */
    nftc = ext_nftc(false);
    assert_false(ext_try(nftc, "in_port=1,ip", copy, ARRAY_SIZE(copy),
                         &reason));
    assert_non_null(strstr(ds_cstr(&reason), "extension action without "
                           "the kernel's \"mpls\" expression"));
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 0);
    ds_clear(&reason);
    nftc_destroy(nftc);

    /* Without a decoder, a marker is the set_field it looks like. */
    nftc = offline_nftc(true);
    assert_false(ext_try(nftc, "in_port=1,ip", copy, ARRAY_SIZE(copy),
                         &reason));
    assert_null(strstr(ds_cstr(&reason), "extension"));
    assert_int_equal(batch_mpls(nftc, m, ARRAY_SIZE(m)), 0);
    ds_destroy(&reason);
    nftc_destroy(nftc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_wire),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_parse_truncated),
        cmocka_unit_test(test_probe_frame),
        cmocka_unit_test(test_lower_without_expr),
        cmocka_unit_test(test_lower_push_pop),
        cmocka_unit_test(test_lower_refused),
        cmocka_unit_test(test_ext_copy_ttl_out),
        cmocka_unit_test(test_ext_copy_ttl_in),
        cmocka_unit_test(test_ext_copy_ttl_unknown),
        cmocka_unit_test(test_ext_set_mpls_bos),
        cmocka_unit_test(test_ext_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
