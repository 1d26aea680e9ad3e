/*
 * tests/test-dp-actions.c: unit tests for datapath/dp-actions.c.
 *
 * Each action runs on a parsed frame and the result is compared byte for
 * byte with a frame built from scratch by the builder below, with every
 * length and checksum computed in full, so an incremental checksum fix-up
 * that is off by one bit fails.  Then: offsets across pushes and pops,
 * TTL semantics, the callbacks, actions that do not apply, formatting, and
 * a fixed-seed fuzz loop of random action lists on random frames.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crc32c.h"
#include "csum.h"
#include "datapath/dp-actions.h"
#include "datapath/dp-key.h"
#include "datapath/dp-parse.h"
#include "dp-packet.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"

#include "tests/frame-builder.h"

/* A dp_packet holding exactly 'n' bytes of 'p' after 'headroom' bytes:
 * one allocation that ends where the frame ends, so that AddressSanitizer
 * catches any read past it. */
static struct dp_packet *
pkt_new(const void *p, size_t n, size_t headroom)
{
    struct dp_packet *pkt = dp_packet_new_with_headroom(n, headroom);

    dp_packet_put(pkt, p, n);
    return pkt;
}

/* An IP datagram, described once and built as many times as needed. */
struct ipspec {
    int ipv;                    /* 4 or 6. */
    uint8_t proto;              /* IPPROTO_TCP, _UDP, _SCTP, _ICMP(V6). */
    uint32_t src4, dst4;
    const uint8_t *src6, *dst6; /* NULL: ip6_a, ip6_b. */
    uint8_t ttl, tos;
    uint32_t label;
    uint16_t sport, dport;      /* ICMP: type, code. */
    bool udp_no_csum;
    bool hop;                   /* IPv6: a hop-by-hop header first. */
    uint32_t sctp_xor;          /* XORed into a correct SCTP CRC. */
};

static void
app_ip(struct fb *f, const struct ipspec *s)
{
    if (s->ipv == 4) {
        fb_ipv4(f, s->proto, s->src4, s->dst4, s->ttl, s->tos, 0, 0);
    } else {
        fb_ipv6(f, s->hop ? IPPROTO_HOPOPTS : s->proto, s->tos, s->label,
                s->ttl);
        if (s->src6) {
            memcpy(&f->b[f->l3 + 8], s->src6, 16);
        }
        if (s->dst6) {
            memcpy(&f->b[f->l3 + 24], s->dst6, 16);
        }
        if (s->hop) {
            fb_ext(f, s->proto, 8, false);
        }
    }
    switch (s->proto) {
    case IPPROTO_TCP:
        fb_tcp(f, s->sport, s->dport, TCP_ACK);
        break;
    case IPPROTO_UDP:
        fb_udp(f, s->sport, s->dport);
        break;
    case IPPROTO_SCTP:
        fb_sctp(f, s->sport, s->dport);
        break;
    default:
        fb_icmp(f, s->sport, s->dport);
        break;
    }
    fb_payload(f, 13);
    f->udp_no_csum = s->udp_no_csum;
    fb_finish(f);
    if (s->sctp_xor) {
        for (int i = 0; i < 4; i++) {
            f->b[f->l4 + 8 + i] ^= s->sctp_xor >> (24 - 8 * i);
        }
    }
}

/* Ethernet + 'ip'. */
static void
mk_ip(struct fb *f, const struct ipspec *s)
{
    fb_init(f);
    fb_eth(f, s->ipv == 4 ? ETH_TYPE_IP : ETH_TYPE_IPV6);
    app_ip(f, s);
}

static ovs_be32
lse(uint32_t label, uint8_t tc, uint8_t bos, uint8_t ttl)
{
    return dp_lse_build(label, tc, bos, ttl);
}

static void
fb_lse(struct fb *f, ovs_be32 v)
{
    fb_put(f, &v, 4);
}

/* What the callbacks saw. */
struct rec {
    int n_output;
    uint32_t ports[8];
    size_t out_len;
    uint8_t out[FB_MAX];        /* The last packet output. */
    int n_userspace;
    const struct dp_action *userspace_action;
    int n_recirc;
    uint32_t recirc_id;
    int n_meter;
    bool meter_pass;
};

static void
rec_output(void *aux, const struct dp_packet *pkt, uint32_t port)
{
    struct rec *r = aux;

    if (r->n_output < 8) {
        r->ports[r->n_output] = port;
    }
    r->n_output++;
    r->out_len = dp_packet_size(pkt);
    if (r->out_len) {
        memcpy(r->out, dp_packet_data(pkt), r->out_len);
    }
}

static void
rec_userspace(void *aux, const struct dp_packet *pkt OVS_UNUSED,
              const struct dp_action *action)
{
    struct rec *r = aux;

    r->n_userspace++;
    r->userspace_action = action;
}

static void
rec_recirc(void *aux, const struct dp_packet *pkt OVS_UNUSED, uint32_t id)
{
    struct rec *r = aux;

    r->n_recirc++;
    r->recirc_id = id;
}

static bool
rec_meter(void *aux, struct dp_packet *pkt OVS_UNUSED,
          uint32_t meter_id OVS_UNUSED)
{
    struct rec *r = aux;

    r->n_meter++;
    return r->meter_pass;
}

static const struct dp_exec_ops rec_ops = {
    .output = rec_output,
    .userspace = rec_userspace,
    .recirc = rec_recirc,
    .meter = rec_meter,
};

/* Per-group state: input and expected frames, callback records. */
struct ctx {
    struct fb in, exp;
    struct rec rec;
    struct dp_key key;
};

static int
group_setup(void **state)
{
    *state = calloc(1, sizeof(struct ctx));
    return *state ? 0 : -1;
}

static int
group_teardown(void **state)
{
    free(*state);
    return 0;
}

static int
test_setup(void **state)
{
    struct ctx *c = *state;

    fb_init(&c->in);
    fb_init(&c->exp);
    memset(&c->rec, 0, sizeof c->rec);
    c->rec.meter_pass = true;
    return 0;
}

#define ACT(TYPE, ...) ((struct dp_action) { .type = (TYPE), __VA_ARGS__ })

/* Parses 'c->in' into a packet with 64 bytes of headroom and runs the 'n'
 * actions in 'acts', expecting 'error'.  Returns the packet. */
static struct dp_packet *
run(struct ctx *c, const struct dp_action *acts, size_t n, int error)
{
    struct dp_packet *pkt = pkt_new(c->in.b, c->in.n, 64);

    dp_parse(pkt, 1, 0, 0, 0, &c->key);
    assert_int_equal(dp_execute(pkt, acts, n, &rec_ops, &c->rec), error);
    return pkt;
}

static void
expect_frame(const struct dp_packet *pkt, const struct fb *exp)
{
    assert_int_equal(dp_packet_size(pkt), exp->n);
    assert_memory_equal(dp_packet_data(pkt), exp->b, exp->n);
}

/* Runs 'acts' on 'c->in', expects 'c->exp' and success, deletes. */
static void
run_expect(struct ctx *c, const struct dp_action *acts, size_t n)
{
    struct dp_packet *pkt = run(c, acts, n, 0);

    expect_frame(pkt, &c->exp);
    dp_packet_delete(pkt);
}

/* Runs 'acts' on 'c->in', expects 'error' and the frame unchanged. */
static void
run_fail(struct ctx *c, const struct dp_action *acts, size_t n, int error)
{
    struct dp_packet *pkt = run(c, acts, n, error);

    expect_frame(pkt, &c->in);
    dp_packet_delete(pkt);
}

static const struct ipspec tcp4 = {
    .ipv = 4, .proto = IPPROTO_TCP, .src4 = 0x0a000001, .dst4 = 0x0a000002,
    .ttl = 64, .tos = 0x10, .sport = 1234, .dport = 80,
};

/* MPLS push. */

static void
test_push_mpls_ipv4(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;
    size_t headroom;
    void *base;
    struct dp_action acts[] = {
        ACT(DPA_PUSH_MPLS, .be16 = htons(ETH_TYPE_MPLS)),
    };

    mk_ip(&c->in, &tcp4);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(0, 0, 1, 64));          /* TTL from IPv4. */
    app_ip(&c->exp, &tcp4);

    pkt = pkt_new(c->in.b, c->in.n, 64);
    dp_parse(pkt, 1, 0, 0, 0, &c->key);
    base = dp_packet_base(pkt);
    headroom = dp_packet_headroom(pkt);
    assert_int_equal(dp_execute(pkt, acts, 1, &rec_ops, &c->rec), 0);
    expect_frame(pkt, &c->exp);
    /* Headroom, not a copy. */
    assert_ptr_equal(dp_packet_base(pkt), base);
    assert_int_equal(dp_packet_headroom(pkt), headroom - 4);
    assert_int_equal(pkt->l2_5_ofs, 14);
    assert_int_equal(pkt->l3_ofs, 18);
    assert_int_equal(pkt->l4_ofs, 38);
    dp_packet_delete(pkt);

    /* No headroom at all: reallocated, same bytes. */
    pkt = pkt_new(c->in.b, c->in.n, 0);
    dp_parse(pkt, 1, 0, 0, 0, &c->key);
    assert_int_equal(dp_execute(pkt, acts, 1, &rec_ops, &c->rec), 0);
    expect_frame(pkt, &c->exp);
    dp_packet_delete(pkt);
}

static void
test_push_mpls_then_set(void **state)
{
    struct ctx *c = *state;
    struct ipspec ip = tcp4;
    struct dp_action acts[] = {
        ACT(DPA_PUSH_MPLS, .be16 = htons(ETH_TYPE_MPLS)),
        ACT(DPA_SET_MPLS_LABEL, .u32 = 100),
        ACT(DPA_SET_MPLS_TC, .u8 = 5),
        ACT(DPA_SET_MPLS_TTL, .u8 = 9),
        ACT(DPA_COPY_TTL_OUT, .be16 = htons(ETH_TYPE_IP)),
        ACT(DPA_PUSH_MPLS, .be16 = htons(ETH_TYPE_MPLS)),
        ACT(DPA_SET_MPLS_LABEL, .u32 = 200),
        ACT(DPA_DEC_MPLS_TTL),
        ACT(DPA_SET_IPV4_DST, .ip4 = htonl(0xc0a80101)),
        ACT(DPA_OUTPUT, .u32 = 2),
    };

    mk_ip(&c->in, &tcp4);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(200, 5, 0, 63));        /* Copied, then dec. */
    fb_lse(&c->exp, lse(100, 5, 1, 64));
    ip.dst4 = 0xc0a80101;                       /* l3 survives pushes. */
    app_ip(&c->exp, &ip);
    run_expect(c, acts, ARRAY_SIZE(acts));
    assert_int_equal(c->rec.n_output, 1);
    assert_int_equal(c->rec.ports[0], 2);
    assert_int_equal(c->rec.out_len, c->exp.n);
    assert_memory_equal(c->rec.out, c->exp.b, c->exp.n);
}

static void
test_push_mpls_other(void **state)
{
    struct ctx *c = *state;
    struct ipspec ip6 = { .ipv = 6, .proto = IPPROTO_UDP, .ttl = 33,
                          .sport = 1, .dport = 2 };
    struct dp_action push = ACT(DPA_PUSH_MPLS,
                                .be16 = htons(ETH_TYPE_MPLS_MCAST));

    /* IPv6: TTL from the hop limit. */
    mk_ip(&c->in, &ip6);
    fb_eth(&c->exp, ETH_TYPE_MPLS_MCAST);
    fb_lse(&c->exp, lse(0, 0, 1, 33));
    app_ip(&c->exp, &ip6);
    run_expect(c, &push, 1);

    /* After VLAN tags (OpenFlow 1.3 order). */
    fb_init(&c->in);
    fb_macs(&c->in);
    fb_vlan(&c->in, ETH_TYPE_VLAN_8021AD, 7);
    fb_vlan(&c->in, ETH_TYPE_VLAN_8021Q, 8);
    fb_u16(&c->in, ETH_TYPE_IP);
    app_ip(&c->in, &tcp4);
    fb_init(&c->exp);
    fb_macs(&c->exp);
    fb_vlan(&c->exp, ETH_TYPE_VLAN_8021AD, 7);
    fb_vlan(&c->exp, ETH_TYPE_VLAN_8021Q, 8);
    fb_u16(&c->exp, ETH_TYPE_MPLS_MCAST);
    fb_lse(&c->exp, lse(0, 0, 1, 64));
    app_ip(&c->exp, &tcp4);
    run_expect(c, &push, 1);

    /* Onto a non-IP frame (LLDP): TTL 0. */
    fb_init(&c->in);
    fb_eth(&c->in, 0x88cc);
    fb_payload(&c->in, 30);
    fb_init(&c->exp);
    fb_eth(&c->exp, ETH_TYPE_MPLS_MCAST);
    fb_lse(&c->exp, lse(0, 0, 1, 0));
    fb_payload(&c->exp, 30);
    run_expect(c, &push, 1);

    /* Onto an MPLS stack: copies label, TC and TTL, never BOS. */
    fb_init(&c->in);
    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(1000, 3, 0, 50));
    fb_lse(&c->in, lse(1001, 1, 1, 49));
    fb_payload(&c->in, 30);
    fb_init(&c->exp);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(1000, 3, 0, 50));
    fb_lse(&c->exp, lse(1000, 3, 0, 50));
    fb_lse(&c->exp, lse(1001, 1, 1, 49));
    fb_payload(&c->exp, 30);
    push.be16 = htons(ETH_TYPE_MPLS);
    run_expect(c, &push, 1);
}

/* MPLS pop. */

static void
test_pop_mpls(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;
    struct ipspec udp4 = { .ipv = 4, .proto = IPPROTO_UDP, .src4 = 1,
                           .dst4 = 2, .ttl = 9, .sport = 5, .dport = 6 };
    struct dp_action pop_ip = ACT(DPA_POP_MPLS, .be16 = htons(ETH_TYPE_IP));
    struct dp_action pop_mpls = ACT(DPA_POP_MPLS,
                                    .be16 = htons(ETH_TYPE_MPLS));
    struct dp_action acts[3];

    /* Last entry: the IPv4 datagram is the payload again. */
    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(16, 0, 1, 10));
    app_ip(&c->in, &udp4);
    mk_ip(&c->exp, &udp4);
    pkt = run(c, &pop_ip, 1, 0);
    expect_frame(pkt, &c->exp);
    assert_int_equal(pkt->l2_5_ofs, UINT16_MAX);
    dp_packet_delete(pkt);

    /* ...but its headers are unknown until recirculation. */
    acts[0] = pop_ip;
    acts[1] = ACT(DPA_SET_IPV4_SRC, .ip4 = htonl(3));
    pkt = run(c, acts, 2, EINVAL);
    expect_frame(pkt, &c->exp);
    dp_packet_delete(pkt);

    /* Not the last entry: still MPLS, offsets follow. */
    fb_init(&c->in);
    fb_macs(&c->in);
    fb_vlan(&c->in, ETH_TYPE_VLAN_8021Q, 99);
    fb_u16(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(16, 0, 0, 10));
    fb_lse(&c->in, lse(17, 0, 1, 11));
    app_ip(&c->in, &udp4);
    fb_init(&c->exp);
    fb_macs(&c->exp);
    fb_vlan(&c->exp, ETH_TYPE_VLAN_8021Q, 99);
    fb_u16(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(17, 0, 1, 11));
    app_ip(&c->exp, &udp4);
    pkt = run(c, &pop_mpls, 1, 0);
    expect_frame(pkt, &c->exp);
    assert_int_equal(pkt->l2_5_ofs, 18);
    dp_packet_delete(pkt);

    /* Both, then a set on the (new) top in between. */
    acts[0] = pop_mpls;
    acts[1] = ACT(DPA_SET_MPLS_TTL, .u8 = 77);
    acts[2] = pop_ip;
    fb_init(&c->exp);
    fb_macs(&c->exp);
    fb_vlan(&c->exp, ETH_TYPE_VLAN_8021Q, 99);
    fb_u16(&c->exp, ETH_TYPE_IP);
    app_ip(&c->exp, &udp4);
    run_expect(c, acts, 3);

    /* Nothing to pop. */
    mk_ip(&c->in, &udp4);
    run_fail(c, &pop_ip, 1, EINVAL);
}

static void
test_pop_mpls_ethernet(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;
    struct ipspec udp4 = { .ipv = 4, .proto = IPPROTO_UDP, .src4 = 1,
                           .dst4 = 2, .ttl = 9, .sport = 5, .dport = 6 };
    struct dp_action pop = ACT(DPA_POP_MPLS, .be16 = htons(ETH_TYPE_TEB));
    struct dp_action acts[] = {
        pop,
        ACT(DPA_SET_ETH_DST, .mac = ETH_ADDR_C(aa, bb, cc, dd, ee, ff)),
    };
    static const uint8_t new_dst[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

    /* A pseudowire: outer Ethernet, one label, inner Ethernet frame. */
    mk_ip(&c->exp, &udp4);
    c->exp.b[0] = 0x04;         /* Tell inner from outer MACs. */
    fb_macs(&c->in);
    c->in.b[5] = 0x77;
    fb_u16(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(555, 0, 1, 255));
    fb_put(&c->in, c->exp.b, c->exp.n);
    pkt = run(c, &pop, 1, 0);
    expect_frame(pkt, &c->exp);
    assert_int_equal(pkt->l2_5_ofs, UINT16_MAX);
    assert_int_equal(pkt->l3_ofs, UINT16_MAX);
    dp_packet_delete(pkt);

    /* L2 actions still apply to the inner frame. */
    memcpy(c->exp.b, new_dst, 6);
    run_expect(c, acts, 2);

    /* An inner frame too short for Ethernet. */
    c->in.n = 14 + 4 + 13;
    run_fail(c, &pop, 1, EINVAL);
}

/* MPLS fields and TTL. */

static void
test_mpls_fields(void **state)
{
    struct ctx *c = *state;
    struct dp_action acts[] = {
        ACT(DPA_SET_MPLS_LABEL, .u32 = 0xfffff),
        ACT(DPA_SET_MPLS_TC, .u8 = 7),
        ACT(DPA_SET_MPLS_BOS, .u8 = 0),
        ACT(DPA_DEC_MPLS_TTL),
    };
    struct dp_action bad[] = {
        ACT(DPA_SET_MPLS_LABEL, .u32 = 5),
        ACT(DPA_SET_MPLS_TC, .u8 = 1),
        ACT(DPA_SET_MPLS_BOS, .u8 = 1),
        ACT(DPA_SET_MPLS_TTL, .u8 = 1),
        ACT(DPA_DEC_MPLS_TTL),
        ACT(DPA_COPY_TTL_IN),
        ACT(DPA_COPY_TTL_OUT),
    };

    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(3, 0, 1, 64));
    fb_payload(&c->in, 20);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(0xfffff, 7, 0, 63));
    fb_payload(&c->exp, 20);
    run_expect(c, acts, ARRAY_SIZE(acts));

    /* None of them applies without MPLS. */
    mk_ip(&c->in, &tcp4);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        run_fail(c, &bad[i], 1, EINVAL);
    }
}

static void
test_invalid_ttl(void **state)
{
    struct ctx *c = *state;
    struct ipspec ip = tcp4;
    struct dp_action acts[] = {
        ACT(DPA_SET_ETH_SRC, .mac = ETH_ADDR_C(02, 00, 00, 00, 00, 09)),
        ACT(DPA_DEC_MPLS_TTL),
        ACT(DPA_OUTPUT, .u32 = 1),
    };

    for (int ttl = 0; ttl <= 1; ttl++) {
        test_setup(state);
        fb_eth(&c->in, ETH_TYPE_MPLS);
        fb_lse(&c->in, lse(3, 0, 1, ttl));
        fb_payload(&c->in, 20);
        fb_eth(&c->exp, ETH_TYPE_MPLS);
        c->exp.b[11] = 9;
        fb_lse(&c->exp, lse(3, 0, 1, ttl));
        fb_payload(&c->exp, 20);
        struct dp_packet *pkt = run(c, acts, 3, ETIME);
        expect_frame(pkt, &c->exp);
        dp_packet_delete(pkt);
        assert_int_equal(c->rec.n_userspace, 1);
        assert_ptr_equal(c->rec.userspace_action, &acts[1]);
        assert_int_equal(c->rec.n_output, 0);
    }

    /* IPv4 and IPv6. */
    acts[1] = ACT(DPA_DEC_NW_TTL);
    for (int v = 4; v <= 6; v += 2) {
        for (int ttl = 0; ttl <= 2; ttl++) {
            test_setup(state);
            ip.ipv = v;
            ip.ttl = ttl;
            mk_ip(&c->in, &ip);
            ip.ttl = ttl > 1 ? ttl - 1 : ttl;
            mk_ip(&c->exp, &ip);
            c->exp.b[11] = 9;
            struct dp_packet *pkt = run(c, acts, 3, ttl > 1 ? 0 : ETIME);
            expect_frame(pkt, &c->exp);
            dp_packet_delete(pkt);
            assert_int_equal(c->rec.n_userspace, ttl <= 1);
            assert_int_equal(c->rec.n_output, ttl > 1);
        }
    }
}

static void
test_copy_ttl(void **state)
{
    struct ctx *c = *state;
    struct ipspec ip = tcp4;
    struct dp_action out = ACT(DPA_COPY_TTL_OUT);
    struct dp_action in = ACT(DPA_COPY_TTL_IN);

    /* MPLS <-> MPLS: translation says so (DP_COPY_TTL_ENTRIES). */
    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(1, 0, 0, 64));
    fb_lse(&c->in, lse(2, 0, 1, 10));
    fb_payload(&c->in, 20);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(1, 0, 0, 10));
    fb_lse(&c->exp, lse(2, 0, 1, 10));
    fb_payload(&c->exp, 20);
    out.u8 = in.u8 = DP_COPY_TTL_ENTRIES;
    run_expect(c, &out, 1);
    c->exp.b[14 + 3] = 64;      /* Input top TTL, copied inwards. */
    c->exp.b[14 + 7] = 64;
    run_expect(c, &in, 1);
    out.u8 = in.u8 = 0;

    /* The BOS bit does not decide: a one-entry stack whose BOS was
     * cleared still copies with the IPv4 header under it, never into it
     * as if it were a label (issue 15 item 10). */
    fb_init(&c->in);
    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(1, 0, 0, 20));
    app_ip(&c->in, &tcp4);
    fb_init(&c->exp);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(1, 0, 0, 20));
    ip.ttl = 20;
    app_ip(&c->exp, &ip);
    ip.ttl = tcp4.ttl;
    in.be16 = htons(ETH_TYPE_IP);
    run_expect(c, &in, 1);

    /* MPLS <-> IPv4, checksum fixed. */
    fb_init(&c->in);
    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(1, 0, 1, 20));
    app_ip(&c->in, &tcp4);
    fb_init(&c->exp);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(1, 0, 1, 20));
    ip.ttl = 20;
    app_ip(&c->exp, &ip);
    in.be16 = htons(ETH_TYPE_IP);
    run_expect(c, &in, 1);
    fb_init(&c->exp);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(1, 0, 1, 64));
    app_ip(&c->exp, &tcp4);
    out.be16 = htons(ETH_TYPE_IP);
    run_expect(c, &out, 1);

    /* Without an IP ethertype: no change (and the datapath counts it). */
    in.be16 = out.be16 = 0;
    fb_init(&c->in);
    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(1, 0, 1, 20));
    app_ip(&c->in, &tcp4);
    memcpy(c->exp.b, c->in.b, c->in.n);
    c->exp.n = c->in.n;
    run_expect(c, &in, 1);
    run_expect(c, &out, 1);

    /* MPLS <-> IPv6. */
    ip = (struct ipspec) { .ipv = 6, .proto = IPPROTO_UDP, .ttl = 200,
                           .sport = 1, .dport = 2 };
    fb_init(&c->in);
    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(1, 0, 1, 20));
    app_ip(&c->in, &ip);
    fb_init(&c->exp);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(1, 0, 1, 200));
    app_ip(&c->exp, &ip);
    out.be16 = in.be16 = htons(ETH_TYPE_IPV6);
    run_expect(c, &out, 1);
    fb_init(&c->exp);
    fb_eth(&c->exp, ETH_TYPE_MPLS);
    fb_lse(&c->exp, lse(1, 0, 1, 20));
    ip.ttl = 20;
    app_ip(&c->exp, &ip);
    run_expect(c, &in, 1);

    /* A truncated IP header under the stack. */
    c->in.n = 14 + 4 + 30;
    run_fail(c, &in, 1, EINVAL);
}

/* VLAN. */

static void
test_vlan(void **state)
{
    struct ctx *c = *state;
    struct ipspec ip = tcp4;
    struct dp_action push = ACT(DPA_PUSH_VLAN,
                                .be16 = htons(ETH_TYPE_VLAN_8021Q),
                                .u32 = 3 << 13 | VLAN_CFI | 10);
    struct dp_action pop = ACT(DPA_POP_VLAN);
    struct dp_action acts[4];
    struct dp_packet *pkt;

    /* Push (CFI not written), and the offsets move with the bytes. */
    mk_ip(&c->in, &tcp4);
    fb_macs(&c->exp);
    fb_vlan(&c->exp, ETH_TYPE_VLAN_8021Q, 3 << 13 | 10);
    fb_u16(&c->exp, ETH_TYPE_IP);
    app_ip(&c->exp, &tcp4);
    pkt = run(c, &push, 1, 0);
    expect_frame(pkt, &c->exp);
    assert_int_equal(pkt->l3_ofs, 18);
    assert_int_equal(pkt->l4_ofs, 38);
    dp_packet_delete(pkt);

    acts[0] = push;
    acts[1] = ACT(DPA_PUSH_VLAN, .be16 = htons(ETH_TYPE_VLAN_8021AD),
                  .u32 = 100);
    acts[2] = ACT(DPA_SET_IPV4_SRC, .ip4 = htonl(0x01020304));
    acts[3] = ACT(DPA_SET_TP_DST, .be16 = htons(8080));
    fb_init(&c->exp);
    fb_macs(&c->exp);
    fb_vlan(&c->exp, ETH_TYPE_VLAN_8021AD, 100);
    fb_vlan(&c->exp, ETH_TYPE_VLAN_8021Q, 3 << 13 | 10);
    fb_u16(&c->exp, ETH_TYPE_IP);
    ip.src4 = 0x01020304;
    ip.dport = 8080;
    app_ip(&c->exp, &ip);
    run_expect(c, acts, 4);

    /* Set VID and PCP of the outer tag, then pop it. */
    memcpy(&c->in, &c->exp, sizeof c->in);
    acts[0] = ACT(DPA_SET_VLAN_VID, .u32 = 0xabc);
    acts[1] = ACT(DPA_SET_VLAN_PCP, .u8 = 5);
    c->exp.b[14] = 0xaa;
    c->exp.b[15] = 0xbc;
    run_expect(c, acts, 2);
    fb_init(&c->exp);
    fb_macs(&c->exp);
    fb_vlan(&c->exp, ETH_TYPE_VLAN_8021Q, 3 << 13 | 10);
    fb_u16(&c->exp, ETH_TYPE_IP);
    app_ip(&c->exp, &ip);
    pkt = run(c, &pop, 1, 0);
    expect_frame(pkt, &c->exp);
    assert_int_equal(pkt->l3_ofs, 18);
    dp_packet_delete(pkt);

    /* Pop both, then an L4 rewrite still finds its header. */
    acts[0] = pop;
    acts[1] = pop;
    acts[2] = ACT(DPA_SET_TP_SRC, .be16 = htons(1));
    ip.sport = 1;
    mk_ip(&c->exp, &ip);
    run_expect(c, acts, 3);

    /* Untagged: nothing to pop or set. */
    mk_ip(&c->in, &tcp4);
    run_fail(c, &pop, 1, EINVAL);
    run_fail(c, &acts[0], 0, 0);
    run_fail(c, &ACT(DPA_SET_VLAN_VID, .u32 = 1), 1,
             EINVAL);
    run_fail(c, &ACT(DPA_SET_VLAN_PCP, .u8 = 1), 1,
             EINVAL);
}

/* Ethernet and IP set-field. */

static void
test_set_eth(void **state)
{
    struct ctx *c = *state;
    struct dp_action acts[] = {
        ACT(DPA_SET_ETH_SRC, .mac = ETH_ADDR_C(00, 11, 22, 33, 44, 55)),
        ACT(DPA_SET_ETH_DST, .mac = ETH_ADDR_C(66, 77, 88, 99, aa, bb)),
    };
    static const uint8_t macs[12] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                                      0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };

    mk_ip(&c->in, &tcp4);
    mk_ip(&c->exp, &tcp4);
    memcpy(c->exp.b, macs, 12);
    run_expect(c, acts, 2);

    c->in.n = 13;
    run_fail(c, acts, 1, EINVAL);
}

static void
test_set_ipv4(void **state)
{
    struct ctx *c = *state;
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
                                      IPPROTO_ICMP, IPPROTO_SCTP };
    struct dp_action acts[] = {
        ACT(DPA_SET_IPV4_SRC, .ip4 = htonl(0xc0000201)),
        ACT(DPA_SET_IPV4_DST, .ip4 = htonl(0xcb007172)),
    };

    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        for (int no_csum = 0; no_csum < 2; no_csum++) {
            struct ipspec ip = tcp4;

            ip.proto = protos[i];
            ip.udp_no_csum = no_csum;
            mk_ip(&c->in, &ip);
            ip.src4 = 0xc0000201;
            ip.dst4 = 0xcb007172;
            mk_ip(&c->exp, &ip);
            run_expect(c, acts, 2);
        }
    }
}

static const uint8_t ip6_c[16] = { 0xfe, 0x80, [14] = 0xab, [15] = 0xcd };
static const uint8_t ip6_d[16] = { 0xff, 0x02, [12] = 0xde, [15] = 0x01 };

static void
test_set_ipv6(void **state)
{
    struct ctx *c = *state;
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
                                      IPPROTO_ICMPV6, IPPROTO_SCTP };
    struct dp_action acts[2];

    acts[0] = ACT(DPA_SET_IPV6_SRC);
    memcpy(&acts[0].ip6, ip6_c, 16);
    acts[1] = ACT(DPA_SET_IPV6_DST);
    memcpy(&acts[1].ip6, ip6_d, 16);

    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        for (int hop = 0; hop < 2; hop++) {
            struct ipspec ip = { .ipv = 6, .proto = protos[i], .ttl = 64,
                                 .sport = 135, .dport = 0, .hop = hop };

            mk_ip(&c->in, &ip);
            ip.src6 = ip6_c;
            ip.dst6 = ip6_d;
            mk_ip(&c->exp, &ip);
            run_expect(c, acts, 2);
        }
    }
}

static void
test_set_ip_misc(void **state)
{
    struct ctx *c = *state;
    struct dp_action acts[] = {
        ACT(DPA_SET_IP_DSCP, .u8 = 46),
        ACT(DPA_SET_IP_ECN, .u8 = 1),
        ACT(DPA_SET_IP_TTL, .u8 = 200),
        ACT(DPA_DEC_NW_TTL),
    };
    struct dp_action label = ACT(DPA_SET_IPV6_LABEL, .u32 = 0xabcde);

    for (int v = 4; v <= 6; v += 2) {
        struct ipspec ip = tcp4;

        ip.ipv = v;
        ip.tos = 0x03;          /* ECN 3, to see DSCP and ECN apart. */
        ip.label = 0x12345;
        mk_ip(&c->in, &ip);
        ip.tos = 46 << 2 | 1;
        ip.ttl = 199;
        mk_ip(&c->exp, &ip);
        run_expect(c, acts, ARRAY_SIZE(acts));
    }

    /* Flow label: IPv6 only. */
    struct ipspec ip = { .ipv = 6, .proto = IPPROTO_UDP, .tos = 0xff,
                         .label = 0x12345, .ttl = 1 };
    mk_ip(&c->in, &ip);
    ip.label = 0xabcde;
    mk_ip(&c->exp, &ip);
    run_expect(c, &label, 1);
    mk_ip(&c->in, &tcp4);
    run_fail(c, &label, 1, EINVAL);
}

/* L4. */

static void
test_set_tp(void **state)
{
    struct ctx *c = *state;
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
                                      IPPROTO_SCTP };
    struct dp_action acts[] = {
        ACT(DPA_SET_TP_SRC, .be16 = htons(4321)),
        ACT(DPA_SET_TP_DST, .be16 = htons(65535)),
    };

    for (int v = 4; v <= 6; v += 2) {
        for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
            for (int no_csum = 0; no_csum < 2; no_csum++) {
                struct ipspec ip = tcp4;

                ip.ipv = v;
                ip.proto = protos[i];
                ip.udp_no_csum = no_csum;
                mk_ip(&c->in, &ip);
                ip.sport = 4321;
                ip.dport = 65535;
                mk_ip(&c->exp, &ip);
                run_expect(c, acts, 2);
            }
        }
    }

    /* A wrong SCTP checksum stays exactly as wrong. */
    struct ipspec ip = tcp4;
    ip.proto = IPPROTO_SCTP;
    ip.sctp_xor = 0x00ff0001;
    mk_ip(&c->in, &ip);
    ip.sport = 4321;
    ip.dport = 65535;
    mk_ip(&c->exp, &ip);
    run_expect(c, acts, 2);

    /* SCTP with Ethernet padding: the CRC covers the datagram only. */
    ip.sctp_xor = 0;
    ip.sport = 1234;
    ip.dport = 80;
    mk_ip(&c->in, &ip);
    fb_put(&c->in, NULL, 17);
    ip.sport = 4321;
    ip.dport = 65535;
    mk_ip(&c->exp, &ip);
    fb_put(&c->exp, NULL, 17);
    run_expect(c, acts, 2);

    /* ICMP has no ports. */
    ip.proto = IPPROTO_ICMP;
    mk_ip(&c->in, &ip);
    run_fail(c, acts, 1, EINVAL);
}

static void
test_set_icmp(void **state)
{
    struct ctx *c = *state;
    struct dp_action acts[] = {
        ACT(DPA_SET_ICMP_TYPE, .u8 = 3),
        ACT(DPA_SET_ICMP_CODE, .u8 = 13),
    };

    for (int v = 4; v <= 6; v += 2) {
        struct ipspec ip = { .ipv = v, .ttl = 64, .src4 = 1, .dst4 = 2,
                             .proto = v == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
                             .sport = 8, .dport = 0 };

        mk_ip(&c->in, &ip);
        ip.sport = 3;
        ip.dport = 13;
        mk_ip(&c->exp, &ip);
        run_expect(c, acts, 2);
    }
    mk_ip(&c->in, &tcp4);
    run_fail(c, acts, 1, EINVAL);
}

/* ARP. */

static void
build_arp(struct fb *f, uint16_t op, uint32_t spa, uint32_t tpa,
          const uint8_t sha[6], const uint8_t tha[6])
{
    fb_init(f);
    fb_eth(f, ETH_TYPE_ARP);
    fb_u16(f, ARP_HRD_ETHERNET);
    fb_u16(f, ARP_PRO_IP);
    fb_u8(f, 6);
    fb_u8(f, 4);
    fb_u16(f, op);
    fb_put(f, sha, 6);
    fb_u32(f, spa);
    fb_put(f, tha, 6);
    fb_u32(f, tpa);
}

static void
test_set_arp(void **state)
{
    static const uint8_t zero[6];
    static const uint8_t m1[6] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05 };
    static const uint8_t m2[6] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15 };
    struct ctx *c = *state;
    struct dp_action acts[] = {
        ACT(DPA_SET_ARP_OP, .be16 = htons(ARP_OP_REPLY)),
        ACT(DPA_SET_ARP_SPA, .ip4 = htonl(0x0a000002)),
        ACT(DPA_SET_ARP_TPA, .ip4 = htonl(0x0a000001)),
        ACT(DPA_SET_ARP_SHA, .mac = ETH_ADDR_C(00, 01, 02, 03, 04, 05)),
        ACT(DPA_SET_ARP_THA, .mac = ETH_ADDR_C(10, 11, 12, 13, 14, 15)),
    };

    build_arp(&c->in, ARP_OP_REQUEST, 0x0a000001, 0x0a000002, mac_src,
              zero);
    build_arp(&c->exp, ARP_OP_REPLY, 0x0a000002, 0x0a000001, m1, m2);
    run_expect(c, acts, ARRAY_SIZE(acts));

    mk_ip(&c->in, &tcp4);
    for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
        run_fail(c, &acts[i], 1, EINVAL);
    }
}

/* IPv6 neighbour discovery: a solicitation (135) or advertisement (136)
 * for 'target', with a link-layer address option of type 'opt' (1 SLL,
 * 2 TLL; 0 for none) holding 'lla'. */
static void
build_nd(struct fb *f, uint8_t type, const uint8_t target[16], uint8_t opt,
         const uint8_t lla[6])
{
    fb_init(f);
    fb_eth(f, ETH_TYPE_IPV6);
    fb_ipv6(f, IPPROTO_ICMPV6, 0, 0, 255);
    fb_icmp(f, type, 0);
    fb_put(f, target, 16);
    if (opt) {
        fb_u8(f, opt);
        fb_u8(f, 1);
        fb_put(f, lla, 6);
    }
    fb_finish(f);
}

static void
test_set_nd(void **state)
{
    static const uint8_t m1[6] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05 };
    static const uint8_t m2[6] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15 };
    struct ctx *c = *state;
    struct dp_action target = ACT(DPA_SET_ND_TARGET);
    struct dp_action sll = ACT(DPA_SET_ND_SLL,
                               .mac = ETH_ADDR_C(10, 11, 12, 13, 14, 15));
    struct dp_action tll = ACT(DPA_SET_ND_TLL,
                               .mac = ETH_ADDR_C(10, 11, 12, 13, 14, 15));
    memcpy(&target.ip6, ip6_c, 16);

    /* Solicitation: target and SLL, the ICMPv6 checksum right after. */
    struct dp_action ns[] = { target, sll };
    build_nd(&c->in, 135, ip6_b, 1, m1);
    build_nd(&c->exp, 135, ip6_c, 1, m2);
    run_expect(c, ns, 2);

    /* Advertisement: target and TLL. */
    struct dp_action na[] = { target, tll };
    build_nd(&c->in, 136, ip6_b, 2, m1);
    build_nd(&c->exp, 136, ip6_c, 2, m2);
    run_expect(c, na, 2);

    /* No option: nothing to set, as in Open vSwitch. */
    build_nd(&c->in, 135, ip6_b, 0, NULL);
    build_nd(&c->exp, 135, ip6_b, 0, NULL);
    run_expect(c, &sll, 1);

    /* A solicitation has no TLL; an advertisement, no SLL. */
    build_nd(&c->in, 135, ip6_b, 1, m1);
    run_fail(c, &tll, 1, EINVAL);
    build_nd(&c->in, 136, ip6_b, 2, m1);
    run_fail(c, &sll, 1, EINVAL);

    /* Not ND at all: an echo request, a cut solicitation, TCP. */
    struct ipspec echo = { .ipv = 6, .proto = IPPROTO_ICMPV6, .ttl = 64,
                           .sport = 128 };
    mk_ip(&c->in, &echo);
    run_fail(c, &target, 1, EINVAL);
    build_nd(&c->in, 135, ip6_b, 0, NULL);
    c->in.n -= 1;
    run_fail(c, &target, 1, EINVAL);
    mk_ip(&c->in, &tcp4);
    run_fail(c, &target, 1, EINVAL);
}

/* Recomputes the L4 checksum at 'csum_ofs' of 'f' as for protocol
 * 'proto' (which the IP header already says). */
static void
fb_fix_l4_csum(struct fb *f, size_t csum_ofs, uint8_t proto)
{
    uint8_t *l3 = &f->b[f->l3];
    uint8_t *l4 = &f->b[f->l4];
    size_t len = f->n - f->l4;
    ovs_be16 c;

    memset(l4 + csum_ofs, 0, 2);
    if (f->ipv == 4) {
        c = csum_finish(csum_continue(
            packet_csum_pseudoheader((struct ip_header *) l3), l4, len));
    } else {
        c = packet_csum_upperlayer6((void *) l3, l4, proto, len);
    }
    memcpy(l4 + csum_ofs, &c, 2);
}

static void
test_set_ip_proto(void **state)
{
    struct ctx *c = *state;
    struct dp_action to_udp = ACT(DPA_SET_IP_PROTO, .u8 = IPPROTO_UDP);
    struct dp_action to_253 = ACT(DPA_SET_IP_PROTO, .u8 = 253);

    /* IPv4 TCP becomes UDP: header checksum and the TCP checksum's
     * pseudo-header follow. */
    mk_ip(&c->in, &tcp4);
    mk_ip(&c->exp, &tcp4);
    c->exp.b[c->exp.l3 + 9] = IPPROTO_UDP;
    c->exp.b[c->exp.l3 + 10] = c->exp.b[c->exp.l3 + 11] = 0;
    ovs_be16 hc = csum(&c->exp.b[c->exp.l3], 20);
    memcpy(&c->exp.b[c->exp.l3 + 10], &hc, 2);
    fb_fix_l4_csum(&c->exp, 16, IPPROTO_UDP);
    run_expect(c, &to_udp, 1);

    /* IPv6 behind a hop-by-hop header: the next header of the last
     * extension header changes. */
    for (int hop = 0; hop < 2; hop++) {
        struct ipspec ip = { .ipv = 6, .proto = IPPROTO_UDP, .ttl = 9,
                             .sport = 5, .dport = 6, .hop = hop };
        mk_ip(&c->in, &ip);
        mk_ip(&c->exp, &ip);
        c->exp.b[hop ? c->exp.l3 + 40 : c->exp.l3 + 6] = 253;
        fb_fix_l4_csum(&c->exp, 6, 253);
        run_expect(c, &to_253, 1);
    }

    /* UDP without a checksum keeps none; ICMPv4 has no pseudo-header. */
    struct ipspec udp = tcp4;
    udp.proto = IPPROTO_UDP;
    udp.udp_no_csum = true;
    mk_ip(&c->in, &udp);
    mk_ip(&c->exp, &udp);
    c->exp.b[c->exp.l3 + 9] = 253;
    c->exp.b[c->exp.l3 + 10] = c->exp.b[c->exp.l3 + 11] = 0;
    hc = csum(&c->exp.b[c->exp.l3], 20);
    memcpy(&c->exp.b[c->exp.l3 + 10], &hc, 2);
    run_expect(c, &to_253, 1);

    struct ipspec icmp = { .ipv = 4, .proto = IPPROTO_ICMP, .ttl = 64,
                           .src4 = 1, .dst4 = 2, .sport = 8 };
    mk_ip(&c->in, &icmp);
    mk_ip(&c->exp, &icmp);
    c->exp.b[c->exp.l3 + 9] = 253;
    c->exp.b[c->exp.l3 + 10] = c->exp.b[c->exp.l3 + 11] = 0;
    hc = csum(&c->exp.b[c->exp.l3], 20);
    memcpy(&c->exp.b[c->exp.l3 + 10], &hc, 2);
    run_expect(c, &to_253, 1);

    /* Not IP. */
    build_arp(&c->in, 1, 1, 2, mac_src, mac_dst);
    run_fail(c, &to_udp, 1, EINVAL);
}

static void
test_set_eth_type(void **state)
{
    struct ctx *c = *state;
    struct dp_action acts[] = {
        ACT(DPA_SET_ETH_TYPE, .be16 = htons(ETH_TYPE_IPV6)),
        ACT(DPA_SET_IPV4_SRC, .ip4 = htonl(1)),
    };

    /* Only the ethertype changes, after the VLAN tag, and nothing after it
     * is parsed any more. */
    fb_init(&c->in);
    fb_macs(&c->in);
    fb_vlan(&c->in, ETH_TYPE_VLAN_8021Q, 5);
    fb_u16(&c->in, ETH_TYPE_IP);
    app_ip(&c->in, &tcp4);
    c->exp = c->in;
    c->exp.b[16] = 0x86;
    c->exp.b[17] = 0xdd;
    struct dp_packet *pkt = run(c, acts, 2, EINVAL);
    expect_frame(pkt, &c->exp);
    dp_packet_delete(pkt);

    c->in.n = 13;
    run_fail(c, acts, 1, EINVAL);
}

/* Actions that do not apply, and callbacks. */

static void
test_not_applicable(void **state)
{
    static const uint8_t zero[6];
    struct ctx *c = *state;
    struct dp_action v4 = ACT(DPA_SET_IPV4_SRC, .ip4 = htonl(1));
    struct dp_action v6 = ACT(DPA_SET_IPV6_SRC);
    struct dp_action ttl = ACT(DPA_DEC_NW_TTL);
    struct dp_action tp = ACT(DPA_SET_TP_SRC, .be16 = htons(1));
    struct dp_action icmp = ACT(DPA_SET_ICMP_TYPE, .u8 = 1);
    struct dp_action bad_push = ACT(DPA_PUSH_MPLS, .be16 = htons(0x0800));
    struct dp_action unknown = { .type = 200 };
    struct dp_action max = { .type = DPA__MAX };
    struct ipspec ip = tcp4;

    build_arp(&c->in, 1, 1, 2, mac_src, zero);
    run_fail(c, &v4, 1, EINVAL);
    run_fail(c, &v6, 1, EINVAL);
    run_fail(c, &ttl, 1, EINVAL);
    run_fail(c, &tp, 1, EINVAL);

    mk_ip(&c->in, &tcp4);
    run_fail(c, &v6, 1, EINVAL);
    run_fail(c, &icmp, 1, EINVAL);
    run_fail(c, &bad_push, 1, EINVAL);
    run_fail(c, &unknown, 1, EINVAL);
    run_fail(c, &max, 1, EINVAL);

    ip.ipv = 6;
    mk_ip(&c->in, &ip);
    run_fail(c, &v4, 1, EINVAL);

    /* Under a parsed label stack, nothing at L3 or L4 is known. */
    fb_init(&c->in);
    fb_eth(&c->in, ETH_TYPE_MPLS);
    fb_lse(&c->in, lse(1, 0, 1, 64));
    app_ip(&c->in, &tcp4);
    run_fail(c, &v4, 1, EINVAL);
    run_fail(c, &ttl, 1, EINVAL);
    run_fail(c, &tp, 1, EINVAL);

    /* A broken IPv4 header (IHL 4) is not rewritten. */
    mk_ip(&c->in, &tcp4);
    c->in.b[14] = 0x44;
    run_fail(c, &v4, 1, EINVAL);

    /* Runts. */
    c->in.n = 12;
    run_fail(c, &bad_push, 1, EINVAL);
    run_fail(c, &ACT(DPA_PUSH_MPLS,
                                        .be16 = htons(ETH_TYPE_MPLS)),
             1, EINVAL);
    run_fail(c, &ACT(DPA_PUSH_VLAN,
                                        .be16 = htons(ETH_TYPE_VLAN)),
             1, EINVAL);
}

static void
test_callbacks(void **state)
{
    struct ctx *c = *state;
    struct dp_action acts[] = {
        ACT(DPA_OUTPUT, .u32 = 1),
        ACT(DPA_USERSPACE, .u8 = 1, .u32 = 128, .cookie = htonll(5)),
        ACT(DPA_METER, .u32 = 3),
        ACT(DPA_RECIRC, .u32 = 0x42),
        ACT(DPA_OUTPUT, .u32 = 2),
    };
    struct dp_exec_ops no_meter = rec_ops;
    struct dp_exec_ops none = { .meter = NULL };
    struct dp_packet *pkt;

    mk_ip(&c->in, &tcp4);
    run_fail(c, acts, ARRAY_SIZE(acts), 0);
    assert_int_equal(c->rec.n_output, 2);
    assert_int_equal(c->rec.ports[0], 1);
    assert_int_equal(c->rec.ports[1], 2);
    assert_int_equal(c->rec.n_userspace, 1);
    assert_ptr_equal(c->rec.userspace_action, &acts[1]);
    assert_int_equal(c->rec.n_meter, 1);
    assert_int_equal(c->rec.n_recirc, 1);
    assert_int_equal(c->rec.recirc_id, 0x42);

    /* A meter drop stops the list. */
    test_setup(state);
    mk_ip(&c->in, &tcp4);
    c->rec.meter_pass = false;
    run_fail(c, acts, ARRAY_SIZE(acts), ENOBUFS);
    assert_int_equal(c->rec.n_output, 1);
    assert_int_equal(c->rec.n_recirc, 0);

    /* No meter callback: everything passes; no callbacks at all: fine. */
    test_setup(state);
    no_meter.meter = NULL;
    pkt = pkt_new(c->in.b, c->in.n, 64);
    dp_parse(pkt, 1, 0, 0, 0, &c->key);
    assert_int_equal(dp_execute(pkt, acts, ARRAY_SIZE(acts), &no_meter,
                                &c->rec), 0);
    assert_int_equal(c->rec.n_output, 2);
    assert_int_equal(dp_execute(pkt, acts, ARRAY_SIZE(acts), &none, NULL),
                     0);
    assert_int_equal(dp_execute(pkt, acts, 0, &none, NULL), 0);
    dp_packet_delete(pkt);
}

static void
test_format(void **state OVS_UNUSED)
{
    struct dp_action acts[] = {
        ACT(DPA_PUSH_MPLS, .be16 = htons(ETH_TYPE_MPLS)),
        ACT(DPA_SET_MPLS_LABEL, .u32 = 100),
        ACT(DPA_OUTPUT, .u32 = 2),
    };
    struct dp_action all[] = {
        ACT(DPA_USERSPACE, .u8 = 2, .u32 = 65535, .be16 = 3,
            .cookie = htonll(0xabc)),
        ACT(DPA_RECIRC, .u32 = 7),
        ACT(DPA_METER, .u32 = 4),
        ACT(DPA_PUSH_VLAN, .be16 = htons(0x88a8), .u32 = 5 << 13 | 100),
        ACT(DPA_POP_VLAN),
        ACT(DPA_SET_VLAN_VID, .u32 = 10),
        ACT(DPA_SET_VLAN_PCP, .u8 = 3),
        ACT(DPA_POP_MPLS, .be16 = htons(ETH_TYPE_IP)),
        ACT(DPA_SET_MPLS_TC, .u8 = 1),
        ACT(DPA_SET_MPLS_BOS, .u8 = 1),
        ACT(DPA_SET_MPLS_TTL, .u8 = 64),
        ACT(DPA_DEC_MPLS_TTL),
        ACT(DPA_COPY_TTL_OUT, .be16 = htons(ETH_TYPE_IP)),
        ACT(DPA_COPY_TTL_IN),
        ACT(DPA_SET_ETH_SRC, .mac = ETH_ADDR_C(00, 11, 22, 33, 44, 55)),
        ACT(DPA_SET_ETH_DST, .mac = ETH_ADDR_C(ff, ff, ff, ff, ff, ff)),
        ACT(DPA_SET_IPV4_SRC, .ip4 = htonl(0x0a000001)),
        ACT(DPA_SET_IPV4_DST, .ip4 = htonl(0xc0a80101)),
        ACT(DPA_SET_IPV6_SRC),
        ACT(DPA_SET_IPV6_DST),
        ACT(DPA_SET_IPV6_LABEL, .u32 = 0x12345),
        ACT(DPA_SET_IP_DSCP, .u8 = 46),
        ACT(DPA_SET_IP_ECN, .u8 = 2),
        ACT(DPA_SET_IP_TTL, .u8 = 1),
        ACT(DPA_DEC_NW_TTL),
        ACT(DPA_SET_TP_SRC, .be16 = htons(80)),
        ACT(DPA_SET_TP_DST, .be16 = htons(443)),
        ACT(DPA_SET_ICMP_TYPE, .u8 = 8),
        ACT(DPA_SET_ICMP_CODE, .u8 = 0),
        ACT(DPA_SET_ARP_OP, .be16 = htons(2)),
        ACT(DPA_SET_ARP_SPA, .ip4 = htonl(0x01020304)),
        ACT(DPA_SET_ARP_TPA, .ip4 = htonl(0x05060708)),
        ACT(DPA_SET_ARP_SHA, .mac = ETH_ADDR_C(00, 00, 00, 00, 00, 01)),
        ACT(DPA_SET_ARP_THA, .mac = ETH_ADDR_C(00, 00, 00, 00, 00, 02)),
        ACT(DPA_CLONE, .u32 = 3),
        ACT(DPA_PUSH_PBB, .be16 = htons(DP_ETH_TYPE_PBB)),
        ACT(DPA_POP_PBB),
        ACT(DPA_SET_PBB_ISID, .u32 = 0x123456),
        { .type = 99 },
    };
    struct ds s = DS_EMPTY_INITIALIZER;

    memcpy(&all[18].ip6, ip6_a, 16);
    memcpy(&all[19].ip6, ip6_c, 16);

    dp_actions_format(acts, ARRAY_SIZE(acts), &s);
    assert_string_equal(ds_cstr(&s),
                        "push_mpls(eth_type=0x8847),set_mpls_label(100),"
                        "output(2)");
    ds_clear(&s);
    dp_actions_format(NULL, 0, &s);
    assert_string_equal(ds_cstr(&s), "drop");
    ds_clear(&s);
    dp_actions_format(all, ARRAY_SIZE(all), &s);
    assert_string_equal(ds_cstr(&s),
        "userspace(reason=2,max_len=65535,table=3,cookie=0xabc),"
        "recirc(0x7),meter(4),push_vlan(tpid=0x88a8,vid=100,pcp=5),"
        "pop_vlan,set_vlan_vid(10),set_vlan_pcp(3),"
        "pop_mpls(eth_type=0x800),set_mpls_tc(1),set_mpls_bos(1),"
        "set_mpls_ttl(64),dec_mpls_ttl,copy_ttl_out(eth_type=0x800),"
        "copy_ttl_in,set_eth_src(00:11:22:33:44:55),"
        "set_eth_dst(ff:ff:ff:ff:ff:ff),set_ipv4_src(10.0.0.1),"
        "set_ipv4_dst(192.168.1.1),set_ipv6_src(2001:db8::1),"
        "set_ipv6_dst(fe80::abcd),set_ipv6_label(0x12345),"
        "set_ip_dscp(46),set_ip_ecn(2),set_ip_ttl(1),dec_nw_ttl,"
        "set_tp_src(80),set_tp_dst(443),set_icmp_type(8),"
        "set_icmp_code(0),set_arp_op(2),set_arp_spa(1.2.3.4),"
        "set_arp_tpa(5.6.7.8),set_arp_sha(00:00:00:00:00:01),"
        "set_arp_tha(00:00:00:00:00:02),clone(3),"
        "push_pbb(eth_type=0x88e7),pop_pbb,set_pbb_isid(0x123456),"
        "unknown(99)");
    ds_destroy(&s);
}

/* Every type has a row in DP_ACTIONS: a name of its own, which is how its
 * formatted text starts, followed by its operands or nothing. */
static void
test_type_names(void **state OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (int t = 0; t < DPA__MAX; t++) {
        const char *name = dp_action_type_name(t);
        struct dp_action a = { .type = t };
        size_t len;

        assert_non_null(name);
        assert_true(name[0] != '\0');
        assert_string_not_equal(name, "<unknown>");
        for (int u = 0; u < t; u++) {
            assert_string_not_equal(name, dp_action_type_name(u));
        }

        ds_clear(&s);
        dp_actions_format(&a, 1, &s);
        len = strlen(name);
        assert_int_equal(strncmp(ds_cstr(&s), name, len), 0);
        assert_true(ds_cstr(&s)[len] == '\0' || ds_cstr(&s)[len] == '(');
    }
    assert_string_equal(dp_action_type_name(DPA__MAX), "<unknown>");
    ds_destroy(&s);
}

/* Fuzz: random action lists on valid and mangled frames. */

static uint32_t
fuzz_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void
test_fuzz(void **state)
{
    static const uint16_t types[] = {
        ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_MPLS, ETH_TYPE_TEB,
        ETH_TYPE_VLAN,
    };
    struct ctx *c = *state;
    uint32_t seed = 0x6d767321;
    int n_ok = 0;

    for (int iter = 0; iter < 30000; iter++) {
        struct dp_action acts[8];
        size_t n_acts = 1 + fuzz_rand(&seed) % 8;
        struct ipspec ip = tcp4;
        struct dp_packet *pkt;
        size_t n;

        /* An IP, MPLS, VLAN or ARP frame, maybe cut or mangled. */
        ip.ipv = fuzz_rand(&seed) & 1 ? 4 : 6;
        ip.proto = (uint8_t[]) { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP,
                                 IPPROTO_ICMP, IPPROTO_ICMPV6 }
                   [fuzz_rand(&seed) % 5];
        ip.hop = fuzz_rand(&seed) & 1;
        fb_init(&c->in);
        switch (fuzz_rand(&seed) % 4) {
        case 0:
            fb_eth(&c->in, ip.ipv == 4 ? ETH_TYPE_IP : ETH_TYPE_IPV6);
            break;
        case 1:
            fb_eth(&c->in, ETH_TYPE_MPLS);
            for (int k = fuzz_rand(&seed) % 20; k >= 0; k--) {
                fb_lse(&c->in, lse(k, 0, !k, fuzz_rand(&seed) % 3));
            }
            break;
        case 2:
            fb_macs(&c->in);
            for (int k = fuzz_rand(&seed) % 4; k >= 0; k--) {
                fb_vlan(&c->in, ETH_TYPE_VLAN_8021Q, k);
            }
            fb_u16(&c->in, ip.ipv == 4 ? ETH_TYPE_IP : ETH_TYPE_IPV6);
            break;
        default:
            build_arp(&c->in, 1, 1, 2, mac_src, mac_dst);
            break;
        }
        if (c->in.n < 30) {
            app_ip(&c->in, &ip);
        }
        n = c->in.n;
        if (fuzz_rand(&seed) % 3 == 0) {
            n = fuzz_rand(&seed) % (n + 1);
        }
        for (int k = fuzz_rand(&seed) % 3; k > 0 && n; k--) {
            c->in.b[fuzz_rand(&seed) % n] = fuzz_rand(&seed);
        }

        for (size_t k = 0; k < n_acts; k++) {
            struct dp_action *a = &acts[k];

            memset(a, 0, sizeof *a);
            a->type = fuzz_rand(&seed) % (DPA__MAX + 1);
            a->u8 = fuzz_rand(&seed);
            a->be16 = (fuzz_rand(&seed) & 1
                       ? htons(types[fuzz_rand(&seed) % ARRAY_SIZE(types)])
                       : (ovs_be16) fuzz_rand(&seed));
            a->u32 = fuzz_rand(&seed);
            for (int b = 0; b < 16; b++) {
                a->ip6.s6_addr[b] = fuzz_rand(&seed);
            }
        }

        pkt = pkt_new(c->in.b, n, fuzz_rand(&seed) % 2 ? 64 : 0);
        dp_parse(pkt, 1, 0, 0, 0, &c->key);
        if (!dp_execute(pkt, acts, n_acts, &rec_ops, &c->rec)) {
            n_ok++;
        }
        /* Whatever happened, the offsets still describe the bytes. */
        assert_true(pkt->l2_5_ofs == UINT16_MAX
                    || pkt->l2_5_ofs <= dp_packet_size(pkt));
        assert_true(pkt->l3_ofs == UINT16_MAX
                    || pkt->l3_ofs < dp_packet_size(pkt));
        assert_true(pkt->l4_ofs == UINT16_MAX
                    || pkt->l4_ofs < dp_packet_size(pkt));
        dp_packet_delete(pkt);
    }
    assert_true(n_ok > 100);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(NAME) cmocka_unit_test_setup(NAME, test_setup)
        T(test_push_mpls_ipv4),
        T(test_push_mpls_then_set),
        T(test_push_mpls_other),
        T(test_pop_mpls),
        T(test_pop_mpls_ethernet),
        T(test_mpls_fields),
        T(test_invalid_ttl),
        T(test_copy_ttl),
        T(test_vlan),
        T(test_set_eth),
        T(test_set_eth_type),
        T(test_set_ipv4),
        T(test_set_ipv6),
        T(test_set_ip_misc),
        T(test_set_tp),
        T(test_set_icmp),
        T(test_set_arp),
        T(test_set_nd),
        T(test_set_ip_proto),
        T(test_not_applicable),
        T(test_callbacks),
        T(test_format),
        T(test_type_names),
        T(test_fuzz),
#undef T
    };

    return cmocka_run_group_tests_name("dp-actions", tests, group_setup,
                                       group_teardown);
}
