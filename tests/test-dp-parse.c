/*
 * tests/test-dp-parse.c: unit tests for datapath/dp-parse.c.
 *
 * Key fields for every protocol the parser knows, layer offsets, and
 * hostile frames: every truncation of every protocol's frame, lying length
 * fields, deep label stacks, long IPv6 extension header chains, zero-length
 * and jumbo frames, and a fixed-seed fuzz loop.  Every parse also checks
 * that the frame's bytes are left alone.  Build with
 * -fsanitize=address,undefined to turn "no read out of bounds" into a test.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crc32c.h"
#include "csum.h"
#include "datapath/dp-key.h"
#include "datapath/dp-parse.h"
#include "dp-packet.h"
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

/* Per-group state: one scratch frame, reset before every test. */
struct ctx {
    struct fb f;
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

    fb_init(&c->f);
    memset(&c->key, 0xa5, sizeof c->key);     /* dp_parse() must zero it. */
    return 0;
}

static bool
key_l3_is_zero(const struct dp_key *k)
{
    static const struct in6_addr zero6;

    return (!k->nw_src && !k->nw_dst && !k->nw_proto && !k->nw_tos
            && !k->nw_ttl && !k->nw_frag && !k->ipv6_label
            && !k->ipv6_exthdr
            && !memcmp(&k->ipv6_src, &zero6, sizeof zero6)
            && !memcmp(&k->ipv6_dst, &zero6, sizeof zero6));
}

/* What must hold after any parse of any frame 'orig' of 'n' bytes. */
static void
check_invariants(const struct dp_packet *pkt, const uint8_t *orig, size_t n,
                 const struct dp_key *k)
{
    assert_int_equal(dp_packet_size(pkt), n);
    if (n) {
        assert_memory_equal(dp_packet_data(pkt), orig, n);
    }
    assert_true(k->n_vlans <= DP_VLAN_MAX);
    assert_true(k->n_mpls <= DP_MPLS_MAX);
    assert_true(k->mpls_deep <= 1);
    assert_true(pkt->l2_5_ofs == UINT16_MAX || pkt->l2_5_ofs <= n);
    assert_true(pkt->l3_ofs == UINT16_MAX || pkt->l3_ofs < n);
    assert_true(pkt->l4_ofs == UINT16_MAX
                || (pkt->l3_ofs != UINT16_MAX && pkt->l4_ofs > pkt->l3_ofs
                    && pkt->l4_ofs < n));
    assert_true(dp_packet_l2_pad_size(pkt) <= n);
    if (pkt->l4_ofs == UINT16_MAX) {
        assert_int_equal(k->tp_src, 0);
        assert_int_equal(k->tp_dst, 0);
        assert_int_equal(k->tcp_flags, 0);
    }
    if (k->n_mpls || pkt->l2_5_ofs != UINT16_MAX) {
        /* Nothing under a label stack is guessed. */
        assert_true(key_l3_is_zero(k));
        assert_int_equal(pkt->l3_ofs, UINT16_MAX);
        assert_int_equal(pkt->l4_ofs, UINT16_MAX);
    }
    if (pkt->l3_ofs == UINT16_MAX
        && (k->dl_type == htons(ETH_TYPE_IP)
            || k->dl_type == htons(ETH_TYPE_IPV6))) {
        assert_true(key_l3_is_zero(k));
    }
    if (k->n_mpls == 0) {
        assert_int_equal(k->mpls_deep, 0);
    }
    for (size_t i = k->n_mpls; i < DP_MPLS_MAX; i++) {
        assert_int_equal(k->mpls[i], 0);
    }
    assert_int_equal(k->pad1, 0);
    if (k->mpls_payload != DP_MPLS_PAYLOAD_NONE) {
        /* The payload is guessed only under a complete stack. */
        assert_true(k->n_mpls && !k->mpls_deep);
        assert_true(k->mpls[k->n_mpls - 1] & htonl(MPLS_BOS_MASK));
        assert_true(k->mpls_payload == DP_MPLS_PAYLOAD_IPV4
                    || k->mpls_payload == DP_MPLS_PAYLOAD_IPV6
                    || k->mpls_payload == DP_MPLS_PAYLOAD_OTHER);
    } else if (k->n_mpls) {
        assert_false(k->mpls[k->n_mpls - 1] & htonl(MPLS_BOS_MASK));
    }
    if (k->mpls_payload != DP_MPLS_PAYLOAD_IPV4
        && k->mpls_payload != DP_MPLS_PAYLOAD_IPV6) {
        assert_int_equal(k->mpls_payload_ttl, 0);
    }
}

/* Parses 'n' bytes of 'frame' in a packet of its own and checks the
 * invariants.  The caller deletes the returned packet. */
static struct dp_packet *
parse(const uint8_t *frame, size_t n, struct dp_key *key)
{
    struct dp_packet *pkt = pkt_new(frame, n, 64);

    dp_parse(pkt, 7, 0, 0, 0, key);
    assert_int_equal(key->in_port, 7);
    check_invariants(pkt, frame, n, key);
    return pkt;
}

static void
parse_only(const uint8_t *frame, size_t n, struct dp_key *key)
{
    dp_packet_delete(parse(frame, n, key));
}

static ovs_be32
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return htonl((uint32_t) a << 24 | b << 16 | c << 8 | d);
}

/* Ethernet. */

static void
test_eth_unknown_type(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    fb_eth(&c->f, 0x88cc);
    fb_payload(&c->f, 46);
    pkt = pkt_new(c->f.b, c->f.n, 64);
    dp_parse(pkt, 3, 42, 0, 0, &c->key);
    check_invariants(pkt, c->f.b, c->f.n, &c->key);

    assert_int_equal(c->key.in_port, 3);
    assert_int_equal(c->key.recirc_id, 42);
    assert_memory_equal(&c->key.dl_dst, mac_dst, 6);
    assert_memory_equal(&c->key.dl_src, mac_src, 6);
    assert_int_equal(c->key.dl_type, htons(0x88cc));
    assert_int_equal(c->key.n_vlans, 0);
    assert_true(key_l3_is_zero(&c->key));
    assert_int_equal(pkt->l2_5_ofs, UINT16_MAX);
    assert_int_equal(pkt->l3_ofs, UINT16_MAX);
    dp_packet_delete(pkt);
}

static void
test_eth_8023(void **state)
{
    struct ctx *c = *state;

    /* 802.3 length 46 with an LLC header. */
    fb_eth(&c->f, 46);
    fb_u8(&c->f, 0x42);
    fb_u8(&c->f, 0x42);
    fb_u8(&c->f, 0x03);
    fb_payload(&c->f, 43);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.dl_type, htons(FLOW_DL_TYPE_NONE));

    /* 0x5ff is still a length; 0x600 is the first ethertype. */
    c->f.b[12] = 0x05;
    c->f.b[13] = 0xff;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.dl_type, htons(FLOW_DL_TYPE_NONE));
    c->f.b[12] = 0x06;
    c->f.b[13] = 0x00;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.dl_type, htons(0x0600));

    /* 802.3 under a VLAN tag. */
    fb_init(&c->f);
    fb_macs(&c->f);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021Q, 10);
    fb_u16(&c->f, 40);
    fb_payload(&c->f, 40);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.n_vlans, 1);
    assert_int_equal(c->key.dl_type, htons(FLOW_DL_TYPE_NONE));
}

/* VLAN. */

static void
build_udp4(struct fb *f)
{
    fb_ipv4(f, IPPROTO_UDP, 0x0a000001, 0x0a000002, 64, 0, 0, 0);
    fb_udp(f, 1000, 2000);
    fb_payload(f, 10);
    fb_finish(f);
}

static void
test_vlan_tags(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    /* One C-tag. */
    fb_macs(&c->f);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021Q, 0x6005);
    fb_u16(&c->f, ETH_TYPE_IP);
    build_udp4(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.n_vlans, 1);
    assert_int_equal(c->key.vlans[0].tpid, htons(ETH_TYPE_VLAN_8021Q));
    assert_int_equal(c->key.vlans[0].tci, htons(0x6005 | VLAN_CFI));
    assert_int_equal(c->key.vlans[1].tpid, 0);
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_IP));
    assert_int_equal(c->key.nw_src, htonl(0x0a000001));
    assert_int_equal(c->key.tp_dst, htons(2000));
    assert_int_equal(pkt->l3_ofs, 18);
    assert_int_equal(pkt->l4_ofs, 38);
    dp_packet_delete(pkt);

    /* S-tag + C-tag; a VID 0 PCP 0 tag still shows as present. */
    fb_init(&c->f);
    fb_macs(&c->f);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021AD, 100);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021Q, 0);
    fb_u16(&c->f, ETH_TYPE_IP);
    build_udp4(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.n_vlans, 2);
    assert_int_equal(c->key.vlans[0].tpid, htons(ETH_TYPE_VLAN_8021AD));
    assert_int_equal(c->key.vlans[0].tci, htons(100 | VLAN_CFI));
    assert_int_equal(c->key.vlans[1].tpid, htons(ETH_TYPE_VLAN_8021Q));
    assert_int_equal(c->key.vlans[1].tci, htons(VLAN_CFI));
    assert_int_equal(pkt->l3_ofs, 22);
    assert_int_equal(c->key.tp_src, htons(1000));
    dp_packet_delete(pkt);

    /* 0x9100 as an outer tag. */
    c->f.b[12] = 0x91;
    c->f.b[13] = 0x00;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.n_vlans, 2);
    assert_int_equal(c->key.vlans[0].tpid, htons(0x9100));
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_IP));

    /* A third tag stays in the payload, unparsed. */
    fb_init(&c->f);
    fb_macs(&c->f);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021AD, 1);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021Q, 2);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021Q, 3);
    fb_u16(&c->f, ETH_TYPE_IP);
    build_udp4(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.n_vlans, 2);
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_VLAN_8021Q));
    assert_true(key_l3_is_zero(&c->key));
    assert_int_equal(pkt->l3_ofs, UINT16_MAX);
    dp_packet_delete(pkt);
}

static void
test_vlan_stripped(void **state)
{
    static const uint8_t tag_8100_2005[4] = { 0x81, 0x00, 0x20, 0x05 };
    static const uint8_t tag_88a8_0[4] = { 0x88, 0xa8, 0x00, 0x00 };
    static const uint8_t tag_8100_cfi[4] = { 0x81, 0x00, 0x10, 0x00 };
    struct ctx *c = *state;
    struct dp_packet *pkt;
    void *base;

    fb_eth(&c->f, ETH_TYPE_IP);
    build_udp4(&c->f);

    /* TCI only: TPID 0x8100, bytes re-inserted using headroom. */
    pkt = pkt_new(c->f.b, c->f.n, 64);
    base = dp_packet_base(pkt);
    dp_parse(pkt, 1, 0, 0x2005, 0, &c->key);
    assert_ptr_equal(dp_packet_base(pkt), base);
    assert_int_equal(dp_packet_size(pkt), c->f.n + 4);
    assert_memory_equal(dp_packet_data(pkt), c->f.b, 12);
    assert_memory_equal((uint8_t *) dp_packet_data(pkt) + 12,
                        tag_8100_2005, 4);
    assert_memory_equal((uint8_t *) dp_packet_data(pkt) + 16, c->f.b + 12,
                        c->f.n - 12);
    assert_int_equal(c->key.n_vlans, 1);
    assert_int_equal(c->key.vlans[0].tci, htons(0x3005));
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_IP));
    assert_int_equal(c->key.nw_dst, htonl(0x0a000002));
    assert_int_equal(pkt->l3_ofs, 18);
    dp_packet_delete(pkt);

    /* TPID given, TCI 0: a VID 0 / PCP 0 tag is kept. */
    pkt = pkt_new(c->f.b, c->f.n, 64);
    dp_parse(pkt, 1, 0, 0, htons(ETH_TYPE_VLAN_8021AD), &c->key);
    assert_memory_equal((uint8_t *) dp_packet_data(pkt) + 12, tag_88a8_0, 4);
    assert_int_equal(c->key.n_vlans, 1);
    assert_int_equal(c->key.vlans[0].tpid, htons(ETH_TYPE_VLAN_8021AD));
    assert_int_equal(c->key.vlans[0].tci, htons(VLAN_CFI));
    dp_packet_delete(pkt);

    /* The OVS-style "tci | VLAN_CFI" convention works too. */
    pkt = pkt_new(c->f.b, c->f.n, 64);
    dp_parse(pkt, 1, 0, VLAN_CFI, 0, &c->key);
    assert_memory_equal((uint8_t *) dp_packet_data(pkt) + 12,
                        tag_8100_cfi, 4);
    assert_int_equal(c->key.vlans[0].tci, htons(VLAN_CFI));
    dp_packet_delete(pkt);

    /* No headroom: still correct (reallocates). */
    pkt = pkt_new(c->f.b, c->f.n, 0);
    dp_parse(pkt, 1, 0, 0x2005, 0, &c->key);
    assert_memory_equal((uint8_t *) dp_packet_data(pkt) + 12,
                        tag_8100_2005, 4);
    assert_int_equal(c->key.n_vlans, 1);
    dp_packet_delete(pkt);

    /* Too short to hold the MAC addresses: nothing is inserted. */
    pkt = pkt_new(c->f.b, 11, 64);
    dp_parse(pkt, 1, 0, 0x2005, 0, &c->key);
    assert_int_equal(dp_packet_size(pkt), 11);
    assert_int_equal(c->key.n_vlans, 0);
    dp_packet_delete(pkt);

    /* Stripped tag outside a tagged frame: the stripped one is outer. */
    fb_init(&c->f);
    fb_macs(&c->f);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021Q, 7);
    fb_u16(&c->f, ETH_TYPE_IP);
    build_udp4(&c->f);
    pkt = pkt_new(c->f.b, c->f.n, 64);
    dp_parse(pkt, 1, 0, 100, htons(ETH_TYPE_VLAN_8021AD), &c->key);
    assert_int_equal(c->key.n_vlans, 2);
    assert_int_equal(c->key.vlans[0].tci, htons(100 | VLAN_CFI));
    assert_int_equal(c->key.vlans[1].tci, htons(7 | VLAN_CFI));
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_IP));
    dp_packet_delete(pkt);
}

/* MPLS. */

/* An MPLS frame with 'n' entries (labels 1000 + i, TC i & 7, TTL 64 - i),
 * BOS on the last, over an IPv4 UDP datagram. */
static void
build_mpls(struct fb *f, size_t n, uint16_t type)
{
    fb_eth(f, type);
    for (size_t i = 0; i < n; i++) {
        ovs_be32 lse = dp_lse_build(1000 + i, i & 7, i == n - 1,
                                    (64 - i) & 0xff);

        fb_put(f, &lse, 4);
    }
    build_udp4(f);
}

static void
test_mpls_stacks(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    /* Three labels: all in the key, nothing under them. */
    build_mpls(&c->f, 3, ETH_TYPE_MPLS);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_MPLS));
    assert_int_equal(c->key.n_mpls, 3);
    assert_int_equal(c->key.mpls_deep, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(dp_lse_label(c->key.mpls[i]), 1000 + i);
        assert_int_equal(dp_lse_tc(c->key.mpls[i]), i);
        assert_int_equal(dp_lse_ttl(c->key.mpls[i]), 64 - i);
        assert_int_equal(dp_lse_bos(c->key.mpls[i]), i == 2);
    }
    assert_int_equal(pkt->l2_5_ofs, 14);
    assert_int_equal(pkt->l3_ofs, UINT16_MAX);
    assert_true(key_l3_is_zero(&c->key));
    dp_packet_delete(pkt);

    /* Multicast MPLS under a VLAN tag. */
    fb_init(&c->f);
    fb_macs(&c->f);
    fb_vlan(&c->f, ETH_TYPE_VLAN_8021Q, 5);
    fb_u16(&c->f, ETH_TYPE_MPLS_MCAST);
    fb_u32(&c->f, 16 << 12 | 0x100 | 9);
    fb_payload(&c->f, 30);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_MPLS_MCAST));
    assert_int_equal(c->key.n_mpls, 1);
    assert_int_equal(c->key.mpls[0], htonl(16 << 12 | 0x100 | 9));
    assert_int_equal(pkt->l2_5_ofs, 18);
    dp_packet_delete(pkt);

    /* Exactly DP_MPLS_MAX entries: not deep. */
    fb_init(&c->f);
    build_mpls(&c->f, DP_MPLS_MAX, ETH_TYPE_MPLS);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.n_mpls, DP_MPLS_MAX);
    assert_int_equal(c->key.mpls_deep, 0);
    assert_int_equal(dp_lse_bos(c->key.mpls[DP_MPLS_MAX - 1]), 1);

    /* One more: deep. */
    fb_init(&c->f);
    build_mpls(&c->f, DP_MPLS_MAX + 1, ETH_TYPE_MPLS);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.n_mpls, DP_MPLS_MAX);
    assert_int_equal(c->key.mpls_deep, 1);
    for (int i = 0; i < DP_MPLS_MAX; i++) {
        assert_int_equal(dp_lse_bos(c->key.mpls[i]), 0);
    }
}

/* What lies under a complete stack is guessed as the Linux kernel does:
 * IPv4 by its first nibble, a valid IHL and header checksum; IPv6 by its
 * nibble and a whole header; anything else is "other"; nothing is
 * guessed under a truncated or deeper stack. */
static void
test_mpls_payload(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    build_mpls(&c->f, 2, ETH_TYPE_MPLS);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.mpls_payload, DP_MPLS_PAYLOAD_IPV4);
    assert_int_equal(c->key.mpls_payload_ttl, 64);
    assert_true(key_l3_is_zero(&c->key));
    dp_packet_delete(pkt);

    /* A broken header checksum: not IPv4. */
    size_t ip = 14 + 2 * 4;
    c->f.b[ip + 10] ^= 0x55;
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.mpls_payload, DP_MPLS_PAYLOAD_OTHER);
    assert_int_equal(c->key.mpls_payload_ttl, 0);
    dp_packet_delete(pkt);
    c->f.b[ip + 10] ^= 0x55;

    /* IHL 4: not IPv4. */
    c->f.b[ip] = 0x44;
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.mpls_payload, DP_MPLS_PAYLOAD_OTHER);
    dp_packet_delete(pkt);

    /* A pseudowire control word (first nibble 0). */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_MPLS);
    fb_u32(&c->f, 500 << 12 | 0x100 | 64);
    fb_u32(&c->f, 0);
    fb_payload(&c->f, 40);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.mpls_payload, DP_MPLS_PAYLOAD_OTHER);
    dp_packet_delete(pkt);

    /* IPv6: version 6 and 40 bytes; hop limit kept. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_MPLS);
    fb_u32(&c->f, 500 << 12 | 0x100 | 64);
    fb_ipv6(&c->f, IPPROTO_UDP, 0, 0, 77);
    fb_udp(&c->f, 1, 2);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.mpls_payload, DP_MPLS_PAYLOAD_IPV6);
    assert_int_equal(c->key.mpls_payload_ttl, 77);
    dp_packet_delete(pkt);

    /* 20 entries: the key holds 16, guesses nothing. */
    fb_init(&c->f);
    build_mpls(&c->f, 20, ETH_TYPE_MPLS);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.mpls_deep, 1);
    assert_int_equal(c->key.mpls_payload, DP_MPLS_PAYLOAD_NONE);
    dp_packet_delete(pkt);
}

static void
test_mpls_200(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    build_mpls(&c->f, 200, ETH_TYPE_MPLS);
    assert_int_equal(c->f.n, 14 + 200 * 4 + 20 + 8 + 10);
    pkt = parse(c->f.b, c->f.n, &c->key);    /* Checks bytes unchanged. */
    assert_int_equal(c->key.n_mpls, DP_MPLS_MAX);
    assert_int_equal(c->key.mpls_deep, 1);
    assert_int_equal(dp_lse_label(c->key.mpls[15]), 1015);
    assert_int_equal(pkt->l2_5_ofs, 14);
    assert_int_equal(pkt->l3_ofs, UINT16_MAX);
    assert_int_equal(pkt->l4_ofs, UINT16_MAX);
    dp_packet_delete(pkt);

    /* A stack with no BOS anywhere, running to the end of the frame. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_MPLS);
    for (int i = 0; i < 200; i++) {
        fb_u32(&c->f, (uint32_t) i << 12 | 64);
    }
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.n_mpls, DP_MPLS_MAX);
    assert_int_equal(c->key.mpls_deep, 1);

    /* 16 entries without BOS and nothing after them: truncated, not
     * known to be deep. */
    parse_only(c->f.b, 14 + 16 * 4 + 3, &c->key);
    assert_int_equal(c->key.n_mpls, DP_MPLS_MAX);
    assert_int_equal(c->key.mpls_deep, 0);
}

/* IPv4. */

static void
build_tcp4(struct fb *f, size_t opt_len)
{
    fb_eth(f, ETH_TYPE_IP);
    fb_ipv4(f, IPPROTO_TCP, 0xc0a80001, 0xc0a80102, 64, 0xb8, 0, opt_len);
    fb_tcp(f, 12345, 80, TCP_SYN | TCP_ACK);
    fb_payload(f, 20);
    fb_finish(f);
}

static void
test_ipv4_tcp(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    build_tcp4(&c->f, 0);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_IP));
    assert_int_equal(c->key.nw_src, ip4(192, 168, 0, 1));
    assert_int_equal(c->key.nw_dst, ip4(192, 168, 1, 2));
    assert_int_equal(c->key.nw_proto, IPPROTO_TCP);
    assert_int_equal(c->key.nw_tos, 0xb8);
    assert_int_equal(c->key.nw_ttl, 64);
    assert_int_equal(c->key.nw_frag, 0);
    assert_int_equal(c->key.tp_src, htons(12345));
    assert_int_equal(c->key.tp_dst, htons(80));
    assert_int_equal(c->key.tcp_flags, htons(TCP_SYN | TCP_ACK));
    assert_int_equal(pkt->l3_ofs, 14);
    assert_int_equal(pkt->l4_ofs, 34);
    assert_int_equal(dp_packet_l2_pad_size(pkt), 0);
    dp_packet_delete(pkt);

    /* Options: IHL 7. */
    fb_init(&c->f);
    build_tcp4(&c->f, 8);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(pkt->l4_ofs, 42);
    assert_int_equal(c->key.tp_dst, htons(80));
    dp_packet_delete(pkt);

    /* TCP data offset below 5, or past the datagram: no L4. */
    c->f.b[42 + 12] = 4 << 4;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, IPPROTO_TCP);
    assert_int_equal(c->key.tp_dst, 0);
    c->f.b[42 + 12] = 15 << 4;
    parse_only(c->f.b, 42 + 40, &c->key);
    assert_int_equal(c->key.tp_dst, 0);
}

static void
test_ipv4_padding(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    fb_eth(&c->f, ETH_TYPE_IP);
    fb_ipv4(&c->f, IPPROTO_UDP, 1, 2, 64, 0, 0, 0);
    fb_udp(&c->f, 53, 53);
    fb_finish(&c->f);
    fb_put(&c->f, NULL, 60 - c->f.n);       /* Minimum frame padding. */
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(dp_packet_l2_pad_size(pkt), 60 - 42);
    assert_int_equal(dp_packet_l4_size(pkt), 8);
    assert_int_equal(c->key.tp_src, htons(53));
    dp_packet_delete(pkt);
}

static void
test_ipv4_bad_headers(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;
    uint8_t *ip;

    build_tcp4(&c->f, 0);
    ip = &c->f.b[14];

    /* IHL below 5, whatever the rest says. */
    for (int ihl = 0; ihl < 5; ihl++) {
        ip[0] = 0x40 | ihl;
        pkt = parse(c->f.b, c->f.n, &c->key);
        assert_int_equal(c->key.dl_type, htons(ETH_TYPE_IP));
        assert_true(key_l3_is_zero(&c->key));
        assert_int_equal(pkt->l3_ofs, UINT16_MAX);
        dp_packet_delete(pkt);
    }
    /* IHL 15 past a short datagram. */
    ip[0] = 0x4f;
    parse_only(c->f.b, 14 + 40, &c->key);
    assert_true(key_l3_is_zero(&c->key));
    ip[0] = 0x45;

    /* Wrong version. */
    ip[0] = 0x65;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_true(key_l3_is_zero(&c->key));
    ip[0] = 0x45;

    /* Total length lies: longer than the frame, shorter than the
     * header. */
    ip[2] = 0;
    ip[3] = c->f.n - 14 + 1;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_true(key_l3_is_zero(&c->key));
    ip[3] = 19;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_true(key_l3_is_zero(&c->key));
    ip[2] = 0xff;
    ip[3] = 0xff;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_true(key_l3_is_zero(&c->key));

    /* Total length = header only: L3 fine, no L4, rest is padding. */
    ip[2] = 0;
    ip[3] = 20;
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, IPPROTO_TCP);
    assert_int_equal(c->key.nw_src, ip4(192, 168, 0, 1));
    assert_int_equal(pkt->l4_ofs, UINT16_MAX);
    assert_int_equal(dp_packet_l2_pad_size(pkt), c->f.n - 34);
    dp_packet_delete(pkt);
}

static void
test_ipv4_fragments(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    /* First fragment: MF set, offset 0: L4 is there. */
    fb_eth(&c->f, ETH_TYPE_IP);
    fb_ipv4(&c->f, IPPROTO_UDP, 1, 2, 64, 0, IP_MORE_FRAGMENTS, 0);
    fb_udp(&c->f, 7, 9);
    fb_payload(&c->f, 16);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_frag, DP_FRAG_ANY);
    assert_int_equal(c->key.tp_src, htons(7));
    assert_int_not_equal(pkt->l4_ofs, UINT16_MAX);
    dp_packet_delete(pkt);

    /* Later fragments (with and without MF): payload, not a header. */
    for (int mf = 0; mf < 2; mf++) {
        fb_init(&c->f);
        fb_eth(&c->f, ETH_TYPE_IP);
        fb_ipv4(&c->f, IPPROTO_UDP, 1, 2, 64, 0,
                (mf ? IP_MORE_FRAGMENTS : 0) | 3, 0);
        fb_payload(&c->f, 24);
        fb_finish(&c->f);
        pkt = parse(c->f.b, c->f.n, &c->key);
        assert_int_equal(c->key.nw_frag, DP_FRAG_ANY | DP_FRAG_LATER);
        assert_int_equal(c->key.nw_proto, IPPROTO_UDP);
        assert_int_equal(c->key.nw_src, htonl(1));
        assert_int_equal(c->key.tp_src, 0);
        assert_int_not_equal(pkt->l3_ofs, UINT16_MAX);
        assert_int_equal(pkt->l4_ofs, UINT16_MAX);
        dp_packet_delete(pkt);
    }

    /* DF alone is not a fragment. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IP);
    fb_ipv4(&c->f, IPPROTO_UDP, 1, 2, 64, 0, 0x4000, 0);
    fb_udp(&c->f, 7, 9);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_frag, 0);
    assert_int_equal(c->key.tp_dst, htons(9));
}

static void
test_ipv4_sctp_icmp(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    fb_eth(&c->f, ETH_TYPE_IP);
    fb_ipv4(&c->f, IPPROTO_SCTP, 1, 2, 64, 0, 0, 0);
    fb_sctp(&c->f, 3868, 2905);
    fb_payload(&c->f, 16);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, IPPROTO_SCTP);
    assert_int_equal(c->key.tp_src, htons(3868));
    assert_int_equal(c->key.tp_dst, htons(2905));
    assert_int_equal(pkt->l4_ofs, 34);
    dp_packet_delete(pkt);

    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IP);
    fb_ipv4(&c->f, IPPROTO_ICMP, 1, 2, 64, 0, 0, 0);
    fb_icmp(&c->f, ICMP4_DST_UNREACH, 4);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, IPPROTO_ICMP);
    assert_int_equal(c->key.tp_src, htons(3));
    assert_int_equal(c->key.tp_dst, htons(4));

    /* An unknown protocol: L3 only. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IP);
    fb_ipv4(&c->f, 47, 1, 2, 64, 0, 0, 0);
    fb_payload(&c->f, 20);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, 47);
    assert_int_equal(pkt->l4_ofs, UINT16_MAX);
    dp_packet_delete(pkt);
}

/* IPv6. */

static void
test_ipv6_tcp(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_TCP, 0xb9, 0x12345, 255);
    fb_tcp(&c->f, 443, 50000, TCP_FIN | TCP_PSH | TCP_NS);
    fb_payload(&c->f, 5);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_IPV6));
    assert_memory_equal(&c->key.ipv6_src, ip6_a, 16);
    assert_memory_equal(&c->key.ipv6_dst, ip6_b, 16);
    assert_int_equal(c->key.ipv6_label, htonl(0x12345));
    assert_int_equal(c->key.nw_tos, 0xb9);
    assert_int_equal(c->key.nw_ttl, 255);
    assert_int_equal(c->key.nw_proto, IPPROTO_TCP);
    assert_int_equal(c->key.ipv6_exthdr, 0);
    assert_int_equal(c->key.tp_src, htons(443));
    assert_int_equal(c->key.tcp_flags, htons(TCP_FIN | TCP_PSH | TCP_NS));
    assert_int_equal(pkt->l3_ofs, 14);
    assert_int_equal(pkt->l4_ofs, 54);
    dp_packet_delete(pkt);

    /* Payload length past the frame: invalid. */
    c->f.b[14 + 4] = 0x10;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_true(key_l3_is_zero(&c->key));

    /* Shorter than the frame: the rest is padding. */
    c->f.b[14 + 4] = 0;
    c->f.b[14 + 5] = 20;
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(dp_packet_l2_pad_size(pkt), 5);
    assert_int_equal(c->key.tp_dst, htons(50000));
    dp_packet_delete(pkt);
}

enum { HOP = 1 << 6, DEST = 1 << 3, ROUTER = 1 << 5, FRAG = 1 << 4,
       AUTH = 1 << 2, ESP = 1 << 1, NONEXT = 1 << 0, UNREP = 1 << 7,
       UNSEQ = 1 << 8 };

static void
test_ipv6_exthdrs(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    /* The full recommended order, then UDP. */
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_HOPOPTS, 0, 0, 64);
    fb_ext(&c->f, IPPROTO_DSTOPTS, 8, false);
    fb_ext(&c->f, IPPROTO_ROUTING, 16, false);
    fb_ext(&c->f, IPPROTO_FRAGMENT, 24, false);
    fb_frag6(&c->f, IPPROTO_AH, 1);             /* M, offset 0. */
    fb_ext(&c->f, IPPROTO_DSTOPTS, 16, true);
    fb_ext(&c->f, IPPROTO_UDP, 8, false);
    fb_udp(&c->f, 546, 547);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, HOP | DEST | ROUTER | FRAG | AUTH);
    assert_int_equal(c->key.nw_frag, DP_FRAG_ANY);
    assert_int_equal(c->key.nw_proto, IPPROTO_UDP);
    assert_int_equal(c->key.tp_src, htons(546));
    assert_int_equal(pkt->l4_ofs, 14 + 40 + 8 + 16 + 24 + 8 + 16 + 8);
    dp_packet_delete(pkt);

    /* Destination options before hop-by-hop: out of sequence. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_DSTOPTS, 0, 0, 64);
    fb_ext(&c->f, IPPROTO_HOPOPTS, 8, false);
    fb_ext(&c->f, IPPROTO_TCP, 8, false);
    fb_tcp(&c->f, 1, 2, 0);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, HOP | DEST | UNSEQ);
    assert_int_equal(c->key.tp_dst, htons(2));

    /* Repeats: two routing headers; three destination options. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_ROUTING, 0, 0, 64);
    fb_ext(&c->f, IPPROTO_ROUTING, 8, false);
    fb_ext(&c->f, IPPROTO_TCP, 8, false);
    fb_tcp(&c->f, 1, 2, 0);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, ROUTER | UNREP);

    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_DSTOPTS, 0, 0, 64);
    fb_ext(&c->f, IPPROTO_ROUTING, 8, false);
    fb_ext(&c->f, IPPROTO_DSTOPTS, 8, false);
    fb_ext(&c->f, IPPROTO_TCP, 8, false);
    fb_tcp(&c->f, 1, 2, 0);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, DEST | ROUTER);

    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_DSTOPTS, 0, 0, 64);
    fb_ext(&c->f, IPPROTO_ROUTING, 8, false);
    fb_ext(&c->f, IPPROTO_DSTOPTS, 8, false);
    fb_ext(&c->f, IPPROTO_DSTOPTS, 8, false);
    fb_ext(&c->f, IPPROTO_TCP, 8, false);
    fb_tcp(&c->f, 1, 2, 0);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, DEST | ROUTER | UNREP);
    assert_int_equal(c->key.tp_dst, htons(2));

    /* ESP stops the walk. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_HOPOPTS, 0, 0, 64);
    fb_ext(&c->f, IPPROTO_ESP, 8, false);
    fb_payload(&c->f, 40);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, HOP | ESP);
    assert_int_equal(c->key.nw_proto, IPPROTO_ESP);
    assert_int_equal(pkt->l4_ofs, UINT16_MAX);
    dp_packet_delete(pkt);

    /* No next header. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_DSTOPTS, 0, 0, 64);
    fb_ext(&c->f, IPPROTO_NONE, 8, false);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, DEST | NONEXT);
    assert_int_equal(c->key.nw_proto, IPPROTO_NONE);

    /* Later fragment: nw_proto from the fragment header, no L4. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_FRAGMENT, 0, 0, 64);
    fb_frag6(&c->f, IPPROTO_TCP, 185 << 3);
    fb_payload(&c->f, 40);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_frag, DP_FRAG_ANY | DP_FRAG_LATER);
    assert_int_equal(c->key.ipv6_exthdr, FRAG);
    assert_int_equal(c->key.nw_proto, IPPROTO_TCP);
    assert_int_equal(pkt->l4_ofs, UINT16_MAX);
    dp_packet_delete(pkt);

    /* Atomic fragment (offset 0, no M): not a fragment. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_FRAGMENT, 0, 0, 64);
    fb_frag6(&c->f, IPPROTO_UDP, 0);
    fb_udp(&c->f, 1, 2);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_frag, 0);
    assert_int_equal(c->key.ipv6_exthdr, FRAG);
    assert_int_equal(c->key.tp_dst, htons(2));
}

static void
test_ipv6_long_chain(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    /* 100 destination options headers, then TCP: the walk gives up. */
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_DSTOPTS, 0, 0, 64);
    for (int i = 0; i < 100; i++) {
        fb_ext(&c->f, i < 99 ? IPPROTO_DSTOPTS : IPPROTO_TCP, 8, false);
    }
    fb_tcp(&c->f, 1, 2, 0);
    fb_finish(&c->f);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, DEST | UNREP);
    assert_int_equal(c->key.nw_proto, 0);
    assert_int_equal(c->key.tp_dst, 0);
    assert_int_equal(pkt->l3_ofs, 14);
    assert_int_equal(pkt->l4_ofs, UINT16_MAX);
    assert_memory_equal(&c->key.ipv6_src, ip6_a, 16);
    dp_packet_delete(pkt);

    /* 100 hop-by-hop headers, each of maximal length, cut short. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_HOPOPTS, 0, 0, 64);
    for (int i = 0; i < 100 && c->f.n + 2048 < FB_MAX; i++) {
        fb_ext(&c->f, IPPROTO_HOPOPTS, 2048, false);
    }
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.ipv6_exthdr, HOP | UNREP);
    assert_int_equal(c->key.nw_proto, 0);
}

static void
build_nd(struct fb *f, uint8_t type, const uint8_t *opts, size_t opts_len)
{
    fb_eth(f, ETH_TYPE_IPV6);
    fb_ipv6(f, IPPROTO_ICMPV6, 0, 0, 255);
    f->l4 = f->n;
    fb_u8(f, type);
    fb_u8(f, 0);
    fb_u16(f, 0);
    fb_u32(f, 0);
    fb_put(f, ip6_b, 16);
    fb_put(f, opts, opts_len);
    fb_finish(f);
}

static void
test_icmpv6_nd(void **state)
{
    static const uint8_t sll[] = { 1, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
    static const uint8_t tll[] = { 2, 1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
    static const uint8_t mtu[] = { 5, 1, 0, 0, 0, 0, 5, 0xdc };
    static const uint8_t zero_len[] = { 1, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t too_long[] = { 1, 2, 0, 0, 0, 0, 0, 0 };
    struct ctx *c = *state;
    uint8_t opts[32];

    /* NS with SLL (after an MTU option). */
    memcpy(opts, mtu, 8);
    memcpy(opts + 8, sll, 8);
    build_nd(&c->f, ND_NEIGHBOR_SOLICIT, opts, 16);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, IPPROTO_ICMPV6);
    assert_int_equal(c->key.tp_src, htons(135));
    assert_int_equal(c->key.tp_dst, 0);
    assert_memory_equal(&c->key.nd_target, ip6_b, 16);
    assert_memory_equal(&c->key.arp_sha, sll + 2, 6);
    assert_true(eth_addr_is_zero(c->key.arp_tha));

    /* NA with TLL. */
    fb_init(&c->f);
    build_nd(&c->f, ND_NEIGHBOR_ADVERT, tll, 8);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.tp_src, htons(136));
    assert_memory_equal(&c->key.nd_target, ip6_b, 16);
    assert_memory_equal(&c->key.arp_tha, tll + 2, 6);

    /* Invalid options: repeated SLL, zero length, past the end.  The ND
     * fields go; type and code stay. */
    memcpy(opts, sll, 8);
    memcpy(opts + 8, sll, 8);
    fb_init(&c->f);
    build_nd(&c->f, ND_NEIGHBOR_SOLICIT, opts, 16);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.tp_src, htons(135));
    assert_true(ipv6_addr_equals(&c->key.nd_target, &in6addr_any));
    assert_true(eth_addr_is_zero(c->key.arp_sha));

    fb_init(&c->f);
    build_nd(&c->f, ND_NEIGHBOR_SOLICIT, zero_len, 8);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_true(ipv6_addr_equals(&c->key.nd_target, &in6addr_any));

    fb_init(&c->f);
    build_nd(&c->f, ND_NEIGHBOR_SOLICIT, too_long, 8);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_true(ipv6_addr_equals(&c->key.nd_target, &in6addr_any));

    /* Not ND: echo request. */
    fb_init(&c->f);
    build_nd(&c->f, 128, sll, 8);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.tp_src, htons(128));
    assert_true(ipv6_addr_equals(&c->key.nd_target, &in6addr_any));
    assert_true(eth_addr_is_zero(c->key.arp_sha));

    /* ICMP (v4's protocol number) inside IPv6 is not parsed as ICMP. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_ICMP, 0, 0, 64);
    fb_payload(&c->f, 8);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, IPPROTO_ICMP);
    assert_int_equal(c->key.tp_src, 0);
}

/* ARP. */

static void
build_arp(struct fb *f, uint16_t type, uint16_t op)
{
    static const uint8_t sha[6] = { 0x02, 0, 0, 0, 0, 0x02 };
    static const uint8_t tha[6] = { 0, 0, 0, 0, 0, 0 };

    fb_eth(f, type);
    fb_u16(f, ARP_HRD_ETHERNET);
    fb_u16(f, ARP_PRO_IP);
    fb_u8(f, 6);
    fb_u8(f, 4);
    fb_u16(f, op);
    fb_put(f, sha, 6);
    fb_u32(f, 0x0a000001);
    fb_put(f, tha, 6);
    fb_u32(f, 0x0a0000fe);
    fb_put(f, NULL, 18);
}

static void
test_arp(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    build_arp(&c->f, ETH_TYPE_ARP, ARP_OP_REQUEST);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.dl_type, htons(ETH_TYPE_ARP));
    assert_int_equal(c->key.nw_proto, ARP_OP_REQUEST);
    assert_int_equal(c->key.nw_src, ip4(10, 0, 0, 1));
    assert_int_equal(c->key.nw_dst, ip4(10, 0, 0, 254));
    assert_memory_equal(&c->key.arp_sha, mac_src, 6);
    assert_true(eth_addr_is_zero(c->key.arp_tha));
    assert_int_equal(pkt->l3_ofs, 14);
    assert_int_equal(pkt->l4_ofs, UINT16_MAX);
    dp_packet_delete(pkt);

    fb_init(&c->f);
    build_arp(&c->f, ETH_TYPE_RARP, ARP_OP_RARP);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, ARP_OP_RARP);

    /* An opcode beyond 8 bits: nw_proto 0, addresses still there. */
    c->f.b[20] = 1;
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_proto, 0);
    assert_int_equal(c->key.nw_src, ip4(10, 0, 0, 1));

    /* Not Ethernet/IPv4: nothing. */
    c->f.b[15] = 6;             /* Hardware type 6 (IEEE 802). */
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.nw_src, 0);
    assert_true(eth_addr_is_zero(c->key.arp_sha));
    assert_int_equal(pkt->l3_ofs, UINT16_MAX);
    dp_packet_delete(pkt);
}

/* Hostile frames. */

/* Builds sample frame number 'i' of every shape into 'f'; returns false
 * past the last one. */
static bool
build_sample(struct fb *f, int i)
{
    static const uint8_t sll[] = { 1, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

    fb_init(f);
    switch (i) {
    case 0:
        build_tcp4(f, 12);
        break;
    case 1:
        fb_eth(f, ETH_TYPE_IP);
        build_udp4(f);
        break;
    case 2:
        fb_eth(f, ETH_TYPE_IP);
        fb_ipv4(f, IPPROTO_SCTP, 1, 2, 64, 0, 0, 0);
        fb_sctp(f, 1, 2);
        fb_finish(f);
        break;
    case 3:
        fb_eth(f, ETH_TYPE_IP);
        fb_ipv4(f, IPPROTO_ICMP, 1, 2, 64, 0, 0, 0);
        fb_icmp(f, 8, 0);
        fb_finish(f);
        break;
    case 4:
        fb_eth(f, ETH_TYPE_IPV6);
        fb_ipv6(f, IPPROTO_HOPOPTS, 0, 0, 64);
        fb_ext(f, IPPROTO_ROUTING, 16, false);
        fb_ext(f, IPPROTO_FRAGMENT, 8, false);
        fb_frag6(f, IPPROTO_AH, 1);
        fb_ext(f, IPPROTO_TCP, 12, true);
        fb_tcp(f, 1, 2, TCP_RST);
        fb_finish(f);
        break;
    case 5:
        build_nd(f, ND_NEIGHBOR_SOLICIT, sll, 8);
        break;
    case 6:
        build_arp(f, ETH_TYPE_ARP, ARP_OP_REPLY);
        break;
    case 7:
        build_mpls(f, 3, ETH_TYPE_MPLS);
        break;
    case 8:
        fb_macs(f);
        fb_vlan(f, ETH_TYPE_VLAN_8021AD, 1);
        fb_vlan(f, ETH_TYPE_VLAN_8021Q, 2);
        fb_u16(f, ETH_TYPE_IP);
        fb_ipv4(f, IPPROTO_TCP, 1, 2, 64, 0, 0, 4);
        fb_tcp(f, 1, 2, 0);
        fb_finish(f);
        break;
    case 9:
        fb_eth(f, ETH_TYPE_IPV6);
        fb_ipv6(f, IPPROTO_UDP, 0, 0, 64);
        fb_udp(f, 1, 2);
        fb_finish(f);
        break;
    default:
        return false;
    }
    return true;
}

static void
test_truncation(void **state)
{
    struct ctx *c = *state;
    int n_parses = 0;

    for (int i = 0; build_sample(&c->f, i); i++) {
        size_t full = c->f.n;
        struct dp_key full_key;

        parse_only(c->f.b, full, &full_key);
        for (size_t len = 0; len <= full; len++) {
            struct dp_packet *pkt = parse(c->f.b, len, &c->key);

            n_parses++;
            if (len < ETH_HEADER_LEN) {
                assert_true(eth_addr_is_zero(c->key.dl_dst));
                assert_int_equal(c->key.dl_type, 0);
            }
            if (len < full && c->f.ipv) {
                /* The IP length field says 'full': any cut makes the
                 * datagram invalid, so no L3 and no L4. */
                assert_int_equal(pkt->l3_ofs, UINT16_MAX);
                assert_true(key_l3_is_zero(&c->key));
            }
            if (full_key.n_mpls && len >= ETH_HEADER_LEN) {
                assert_int_equal(c->key.n_mpls,
                                 MIN(full_key.n_mpls, (len - 14) / 4));
            }
            if (len == full) {
                assert_memory_equal(&c->key, &full_key, sizeof full_key);
            }
            dp_packet_delete(pkt);
        }
    }
    assert_true(n_parses > 500);
}

static void
test_zero_and_jumbo(void **state)
{
    struct ctx *c = *state;
    struct dp_packet *pkt;

    /* Zero-length frame: still a valid call. */
    pkt = dp_packet_new(0);
    dp_parse(pkt, 1, 0, 0, 0, &c->key);
    check_invariants(pkt, NULL, 0, &c->key);
    assert_int_equal(c->key.in_port, 1);
    assert_int_equal(c->key.dl_type, 0);
    dp_packet_delete(pkt);

    /* 9000-byte IPv4 UDP. */
    fb_eth(&c->f, ETH_TYPE_IP);
    fb_ipv4(&c->f, IPPROTO_UDP, 1, 2, 64, 0, 0, 0);
    fb_udp(&c->f, 4789, 4789);
    fb_payload(&c->f, 9000 - c->f.n);
    fb_finish(&c->f);
    assert_int_equal(c->f.n, 9000);
    pkt = parse(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.tp_dst, htons(4789));
    assert_int_equal(dp_packet_l4_size(pkt), 9000 - 34);
    dp_packet_delete(pkt);

    /* 9000-byte IPv6 TCP. */
    fb_init(&c->f);
    fb_eth(&c->f, ETH_TYPE_IPV6);
    fb_ipv6(&c->f, IPPROTO_TCP, 0, 0, 64);
    fb_tcp(&c->f, 1, 2, TCP_ACK);
    fb_payload(&c->f, 9000 - c->f.n);
    fb_finish(&c->f);
    parse_only(c->f.b, c->f.n, &c->key);
    assert_int_equal(c->key.tcp_flags, htons(TCP_ACK));

    /* Longer than 16-bit offsets can describe: L2 fields only. */
    {
        size_t big = 70000;
        uint8_t *frame = calloc(1, big);

        memcpy(frame, c->f.b, 14);
        frame[12] = 0x08;
        frame[13] = 0x00;
        frame[14] = 0x45;
        pkt = parse(frame, big, &c->key);
        assert_int_equal(c->key.dl_type, htons(ETH_TYPE_IP));
        assert_true(key_l3_is_zero(&c->key));
        assert_int_equal(pkt->l3_ofs, UINT16_MAX);
        dp_packet_delete(pkt);
        free(frame);
    }
}

/* xorshift32: a fixed sequence, the same on every run. */
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
        ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_ARP, ETH_TYPE_MPLS,
        ETH_TYPE_VLAN_8021Q, ETH_TYPE_VLAN_8021AD, 0x9100, 0x1234, 40,
    };
    struct ctx *c = *state;
    uint32_t seed = 0x6d7673;   /* "mvs" */
    int n_samples;

    for (n_samples = 0; build_sample(&c->f, n_samples); n_samples++) {
        continue;
    }
    for (int iter = 0; iter < 50000; iter++) {
        uint8_t frame[512];
        size_t n;

        if (iter & 1) {
            /* A valid frame with a few bytes changed, cut or extended. */
            build_sample(&c->f, fuzz_rand(&seed) % n_samples);
            n = MIN(c->f.n, sizeof frame);
            memcpy(frame, c->f.b, n);
            for (int k = fuzz_rand(&seed) % 6; k >= 0; k--) {
                frame[fuzz_rand(&seed) % n] = fuzz_rand(&seed);
            }
            if (fuzz_rand(&seed) % 4 == 0) {
                n = fuzz_rand(&seed) % (n + 1);
            } else if (fuzz_rand(&seed) % 4 == 0) {
                size_t more = fuzz_rand(&seed) % (sizeof frame - n + 1);

                for (size_t k = 0; k < more; k++) {
                    frame[n + k] = fuzz_rand(&seed);
                }
                n += more;
            }
        } else {
            /* Random bytes behind a plausible ethertype and version. */
            n = fuzz_rand(&seed) % sizeof frame;
            for (size_t k = 0; k < n; k++) {
                frame[k] = fuzz_rand(&seed);
            }
            if (n >= 15) {
                uint16_t t = types[fuzz_rand(&seed) % ARRAY_SIZE(types)];

                frame[12] = t >> 8;
                frame[13] = t;
                frame[14] = (frame[14] & 0x0f) | (fuzz_rand(&seed) & 1
                                                  ? 0x40 : 0x60);
            }
        }

        struct dp_packet *pkt = pkt_new(frame, n, 16);
        dp_parse(pkt, 1, 0, fuzz_rand(&seed) % 8 == 0 ? 5 : 0, 0, &c->key);
        if (dp_packet_size(pkt) == n) {
            check_invariants(pkt, frame, n, &c->key);
        }
        dp_packet_delete(pkt);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T(NAME) cmocka_unit_test_setup(NAME, test_setup)
        T(test_eth_unknown_type),
        T(test_eth_8023),
        T(test_vlan_tags),
        T(test_vlan_stripped),
        T(test_mpls_stacks),
        T(test_mpls_payload),
        T(test_mpls_200),
        T(test_ipv4_tcp),
        T(test_ipv4_padding),
        T(test_ipv4_bad_headers),
        T(test_ipv4_fragments),
        T(test_ipv4_sctp_icmp),
        T(test_ipv6_tcp),
        T(test_ipv6_exthdrs),
        T(test_ipv6_long_chain),
        T(test_icmpv6_nd),
        T(test_arp),
        T(test_truncation),
        T(test_zero_and_jumbo),
        T(test_fuzz),
#undef T
    };

    return cmocka_run_group_tests_name("dp-parse", tests, group_setup,
                                       group_teardown);
}
