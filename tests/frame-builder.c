/* tests/frame-builder.c: see frame-builder.h. */
#include <config.h>
#include "tests/frame-builder.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "crc32c.h"
#include "csum.h"
#include "packets.h"
#include "util.h"
/* Frame builder: appends headers in wire order, then fb_finish() fills in
 * lengths and checksums the way a sender would, so that expected frames
 * are computed from scratch and never by the code under test. */

const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

void
fb_init(struct fb *f)
{
    memset(f, 0, sizeof *f);
    f->l3 = f->l4 = SIZE_MAX;
}

uint8_t *
fb_put(struct fb *f, const void *p, size_t n)
{
    uint8_t *dst = &f->b[f->n];

    assert_true(f->n + n <= FB_MAX);
    if (p) {
        memcpy(dst, p, n);
    } else {
        memset(dst, 0, n);
    }
    f->n += n;
    return dst;
}

void
fb_u8(struct fb *f, uint8_t v)
{
    fb_put(f, &v, 1);
}

void
fb_u16(struct fb *f, uint16_t v)
{
    ovs_be16 be = htons(v);

    fb_put(f, &be, 2);
}

void
fb_u32(struct fb *f, uint32_t v)
{
    ovs_be32 be = htonl(v);

    fb_put(f, &be, 4);
}

/* MAC addresses only: the caller puts tags and the ethertype. */
void
fb_macs(struct fb *f)
{
    fb_put(f, mac_dst, 6);
    fb_put(f, mac_src, 6);
}

void
fb_eth(struct fb *f, uint16_t type)
{
    fb_macs(f);
    fb_u16(f, type);
}

void
fb_vlan(struct fb *f, uint16_t tpid, uint16_t tci)
{
    fb_u16(f, tpid);
    fb_u16(f, tci);
}

void
fb_ipv4(struct fb *f, uint8_t proto, uint32_t src, uint32_t dst,
        uint8_t ttl, uint8_t tos, uint16_t frag, size_t opt_len)
{
    f->l3 = f->n;
    f->ipv = 4;
    f->l4_proto = proto;
    fb_u8(f, 0x40 | (5 + opt_len / 4));
    fb_u8(f, tos);
    fb_u16(f, 0);               /* Total length: fb_finish(). */
    fb_u16(f, 0x1234);
    fb_u16(f, frag);
    fb_u8(f, ttl);
    fb_u8(f, proto);
    fb_u16(f, 0);               /* Checksum: fb_finish(). */
    fb_u32(f, src);
    fb_u32(f, dst);
    for (size_t i = 0; i < opt_len; i++) {
        fb_u8(f, 1);            /* NOP options. */
    }
}

const uint8_t ip6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const uint8_t ip6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

void
fb_ipv6(struct fb *f, uint8_t nxt, uint8_t tc, uint32_t label,
        uint8_t hlim)
{
    f->l3 = f->n;
    f->ipv = 6;
    f->l4_proto = nxt;
    fb_u32(f, 6u << 28 | (uint32_t) tc << 20 | label);
    fb_u16(f, 0);               /* Payload length: fb_finish(). */
    fb_u8(f, nxt);
    fb_u8(f, hlim);
    fb_put(f, ip6_a, 16);
    fb_put(f, ip6_b, 16);
}

/* An IPv6 extension header of 'len' bytes whose next header is 'nxt';
 * 'ah' uses AH's length units. */
void
fb_ext(struct fb *f, uint8_t nxt, size_t len, bool ah)
{
    f->l4_proto = nxt;
    fb_u8(f, nxt);
    fb_u8(f, ah ? len / 4 - 2 : len / 8 - 1);
    fb_put(f, NULL, len - 2);
}

void
fb_frag6(struct fb *f, uint8_t nxt, uint16_t offlg)
{
    f->l4_proto = nxt;
    fb_u8(f, nxt);
    fb_u8(f, 0);
    fb_u16(f, offlg);
    fb_u32(f, 0xabcd);
}

void
fb_tcp(struct fb *f, uint16_t sport, uint16_t dport, uint16_t flags)
{
    f->l4 = f->n;
    fb_u16(f, sport);
    fb_u16(f, dport);
    fb_u32(f, 1000);
    fb_u32(f, 2000);
    fb_u16(f, 5 << 12 | flags);
    fb_u16(f, 8192);
    fb_u16(f, 0);
    fb_u16(f, 0);
}

void
fb_udp(struct fb *f, uint16_t sport, uint16_t dport)
{
    f->l4 = f->n;
    fb_u16(f, sport);
    fb_u16(f, dport);
    fb_u16(f, 0);
    fb_u16(f, 0);
}

void
fb_sctp(struct fb *f, uint16_t sport, uint16_t dport)
{
    f->l4 = f->n;
    fb_u16(f, sport);
    fb_u16(f, dport);
    fb_u32(f, 0x11223344);
    fb_u32(f, 0);
}

void
fb_icmp(struct fb *f, uint8_t type, uint8_t code)
{
    f->l4 = f->n;
    fb_u8(f, type);
    fb_u8(f, code);
    fb_u16(f, 0);
    fb_u32(f, 0x00010002);
}

void
fb_payload(struct fb *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fb_u8(f, i * 7 + 3);
    }
}

/* Fills in IP lengths and all checksums for a datagram that ends here. */
void
fb_finish(struct fb *f)
{
    uint8_t *l3 = &f->b[f->l3];
    size_t end = f->n;

    if (!f->ipv) {
        return;
    }
    if (f->ipv == 4) {
        struct ip_header *ip = (struct ip_header *) l3;

        ip->ip_tot_len = htons(end - f->l3);
    } else {
        struct ovs_16aligned_ip6_hdr *ip6 = (void *) l3;

        ip6->ip6_ctlun.ip6_un1.ip6_un1_plen = htons(end - f->l3 - 40);
    }

    if (f->l4 != SIZE_MAX) {
        uint8_t *l4 = &f->b[f->l4];
        size_t len = end - f->l4;
        ovs_be16 c;

        if (f->l4_proto == IPPROTO_UDP) {
            ((struct udp_header *) l4)->udp_len = htons(len);
        }
        if (f->l4_proto == IPPROTO_SCTP) {
            ovs_be32 crc;

            memset(l4 + 8, 0, 4);
            crc = crc32c(l4, len);
            memcpy(l4 + 8, &crc, 4);
        } else if (f->l4_proto == IPPROTO_ICMP) {
            memset(l4 + 2, 0, 2);
            c = csum(l4, len);
            memcpy(l4 + 2, &c, 2);
        } else {
            size_t csum_ofs = f->l4_proto == IPPROTO_TCP ? 16
                              : f->l4_proto == IPPROTO_UDP ? 6 : 2;

            memset(l4 + csum_ofs, 0, 2);
            if (f->ipv == 4) {
                c = csum_finish(csum_continue(
                    packet_csum_pseudoheader((struct ip_header *) l3),
                    l4, len));
            } else {
                c = packet_csum_upperlayer6((void *) l3, l4, f->l4_proto,
                                            len);
            }
            if (f->l4_proto == IPPROTO_UDP) {
                c = f->udp_no_csum ? 0 : c ? c : htons(0xffff);
            }
            memcpy(l4 + csum_ofs, &c, 2);
        }
    }

    if (f->ipv == 4) {
        struct ip_header *ip = (struct ip_header *) l3;

        ip->ip_csum = 0;
        ip->ip_csum = csum(ip, IP_IHL(ip->ip_ihl_ver) * 4);
    }
}
