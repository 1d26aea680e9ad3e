/*
 * tests/test-dp-csum.c: unit tests for datapath/dp-csum.c.
 *
 * A frame left to checksum offload carries in its TCP or UDP checksum
 * field only the folded sum of its pseudo-header.  The frames here are
 * built by tests/frame-builder.c with valid checksums; the partial form is
 * computed here, from the bytes, with a one's complement sum of its own.
 * Checked: dp_csum_complete_unmarked() turns the partial form of TCP and
 * UDP over IPv4 and IPv6 (also under a VLAN tag, and with Ethernet
 * padding) back into exactly the valid frame, leaves valid frames, UDP
 * without a checksum, fragments and non-IP alone, and reads nothing past
 * the end of a frame cut at any length.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "datapath/dp-csum.h"
#include "dp-packet.h"
#include "frame-builder.h"

/* One's complement sum of 'n' bytes in network order, folded. */
static uint32_t
sum16(uint32_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        acc += (p[i] << 8) | p[i + 1];
    }
    if (n & 1) {
        acc += p[n - 1] << 8;
    }
    while (acc >> 16) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    return acc;
}

/* Rewrites 'f''s finished TCP/UDP checksum into the partial form a sender
 * leaves to offload: the folded pseudo-header sum, not complemented. */
static void
make_partial(struct fb *f)
{
    const uint8_t *ip = &f->b[f->l3];
    size_t l4_len = f->n - f->l4;
    uint8_t pseudo[40];
    uint32_t acc;

    if (f->ipv == 4) {
        acc = sum16(0, ip + 12, 8);
    } else {
        acc = sum16(0, ip + 8, 32);
    }
    memset(pseudo, 0, sizeof pseudo);
    pseudo[1] = f->l4_proto;
    pseudo[2] = l4_len >> 8;
    pseudo[3] = l4_len;
    acc = sum16(acc, pseudo, 4);
    size_t ofs = f->l4 + (f->l4_proto == IPPROTO_TCP ? 16 : 6);
    f->b[ofs] = acc >> 8;
    f->b[ofs + 1] = acc;
}

/* Runs dp_csum_complete_unmarked() on a copy of the 'n' bytes at 'frame';
 * returns its result and leaves the copy in 'out'. */
static bool
run(const uint8_t *frame, size_t n, uint8_t *out)
{
    struct dp_packet *pkt = dp_packet_new(n);
    dp_packet_put(pkt, frame, n);
    bool done = dp_csum_complete_unmarked(pkt);
    if (n) {
        memcpy(out, dp_packet_data(pkt), n);
    }
    dp_packet_delete(pkt);
    return done;
}

static void
build(struct fb *f, int ipv, uint8_t proto, bool vlan)
{
    fb_init(f);
    fb_macs(f);
    if (vlan) {
        fb_vlan(f, 0x8100, 10);
    }
    if (ipv == 4) {
        fb_u16(f, 0x0800);
        fb_ipv4(f, proto, 0x0a000001, 0x0a000002, 64, 0, 0, 0);
    } else {
        fb_u16(f, 0x86dd);
        fb_ipv6(f, proto, 0, 0, 64);
    }
    if (proto == IPPROTO_TCP) {
        fb_tcp(f, 1000, 2000, 0x18);
    } else {
        fb_udp(f, 1000, 2000);
    }
    fb_payload(f, 333);
    fb_finish(f);
}

static void
check_completes(int ipv, uint8_t proto, bool vlan)
{
    struct fb f;
    uint8_t valid[FB_MAX], out[FB_MAX];

    build(&f, ipv, proto, vlan);
    memcpy(valid, f.b, f.n);

    /* Valid: left alone. */
    assert_false(run(f.b, f.n, out));
    assert_memory_equal(out, valid, f.n);

    /* Partial: completed to exactly the valid frame. */
    make_partial(&f);
    assert_memory_not_equal(f.b, valid, f.n);
    assert_true(run(f.b, f.n, out));
    assert_memory_equal(out, valid, f.n);
}

static void
test_ipv4(void **state)
{
    (void) state;
    check_completes(4, IPPROTO_UDP, false);
    check_completes(4, IPPROTO_TCP, false);
    check_completes(4, IPPROTO_TCP, true);
}

static void
test_ipv6(void **state)
{
    (void) state;
    check_completes(6, IPPROTO_UDP, false);
    check_completes(6, IPPROTO_TCP, false);
    check_completes(6, IPPROTO_UDP, true);
}

/* Ethernet padding after the IP datagram is not summed. */
static void
test_padding(void **state)
{
    (void) state;
    struct fb f;
    uint8_t valid[FB_MAX], out[FB_MAX];

    build(&f, 4, IPPROTO_UDP, false);
    memcpy(valid, f.b, f.n);
    make_partial(&f);
    size_t n = f.n;
    memset(f.b + n, 0xa5, 20);
    memset(valid + n, 0xa5, 20);
    assert_true(run(f.b, n + 20, out));
    assert_memory_equal(out, valid, n + 20);
}

static void
test_left_alone(void **state)
{
    (void) state;
    struct fb f;
    uint8_t out[FB_MAX];

    /* UDP without a checksum (0): never "partial". */
    fb_init(&f);
    f.udp_no_csum = true;
    fb_macs(&f);
    fb_u16(&f, 0x0800);
    fb_ipv4(&f, IPPROTO_UDP, 0x0a000001, 0x0a000002, 64, 0, 0, 0);
    fb_udp(&f, 1, 2);
    fb_payload(&f, 40);
    fb_finish(&f);
    assert_false(run(f.b, f.n, out));
    assert_memory_equal(out, f.b, f.n);

    /* A fragment, even in partial form. */
    build(&f, 4, IPPROTO_UDP, false);
    make_partial(&f);
    f.b[f.l3 + 6] |= 0x20;      /* More fragments. */
    assert_false(run(f.b, f.n, out));

    /* Not IP. */
    build(&f, 4, IPPROTO_UDP, false);
    make_partial(&f);
    f.b[12] = 0x88;
    f.b[13] = 0x47;
    assert_false(run(f.b, f.n, out));
}

/* Cut at every length: never completes (the IP length no longer fits) and
 * reads nothing past the end (ASan in the sanitized unit run). */
static void
test_truncated(void **state)
{
    (void) state;
    struct fb f;
    uint8_t out[FB_MAX];

    for (int ipv = 4; ipv <= 6; ipv += 2) {
        build(&f, ipv, IPPROTO_TCP, true);
        make_partial(&f);
        for (size_t n = 0; n < f.n; n++) {
            assert_false(run(f.b, n, out));
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_padding),
        cmocka_unit_test(test_left_alone),
        cmocka_unit_test(test_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
