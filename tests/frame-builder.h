/*
 * tests/frame-builder.h: builds test frames from scratch.
 *
 * Appends headers in wire order; fb_finish() then fills in lengths and
 * checksums the way a sender would, so that the frames the datapath tests
 * expect are computed independently of the code under test.  Shared by
 * tests/test-dp-parse.c and tests/test-dp-actions.c.
 */
#ifndef TESTS_FRAME_BUILDER_H
#define TESTS_FRAME_BUILDER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FB_MAX 12000

struct fb {
    uint8_t b[FB_MAX];
    size_t n;
    size_t l3;                  /* IPv4/IPv6 header, or SIZE_MAX. */
    size_t l4;                  /* L4 header, or SIZE_MAX. */
    int ipv;                    /* 4, 6 or 0. */
    uint8_t l4_proto;
    bool udp_no_csum;           /* Leave a UDP checksum of 0. */
};

extern const uint8_t mac_dst[6];
extern const uint8_t mac_src[6];
extern const uint8_t ip6_a[16];
extern const uint8_t ip6_b[16];

void fb_init(struct fb *f);
uint8_t * fb_put(struct fb *f, const void *p, size_t n);
void fb_u8(struct fb *f, uint8_t v);
void fb_u16(struct fb *f, uint16_t v);
void fb_u32(struct fb *f, uint32_t v);
void fb_macs(struct fb *f);
void fb_eth(struct fb *f, uint16_t type);
void fb_vlan(struct fb *f, uint16_t tpid, uint16_t tci);
void fb_ipv4(struct fb *f, uint8_t proto, uint32_t src, uint32_t dst, uint8_t ttl, uint8_t tos, uint16_t frag, size_t opt_len);
void fb_ipv6(struct fb *f, uint8_t nxt, uint8_t tc, uint32_t label, uint8_t hlim);
void fb_ext(struct fb *f, uint8_t nxt, size_t len, bool ah);
void fb_frag6(struct fb *f, uint8_t nxt, uint16_t offlg);
void fb_tcp(struct fb *f, uint16_t sport, uint16_t dport, uint16_t flags);
void fb_udp(struct fb *f, uint16_t sport, uint16_t dport);
void fb_sctp(struct fb *f, uint16_t sport, uint16_t dport);
void fb_icmp(struct fb *f, uint8_t type, uint8_t code);
void fb_payload(struct fb *f, size_t n);
void fb_finish(struct fb *f);

#endif /* tests/frame-builder.h */
