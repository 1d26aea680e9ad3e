/*
 * datapath/dp-actions.c: datapath action executor and formatter.
 *
 * The executor trusts the layer offsets that dp_parse() set (see "Layer
 * offsets" in dp-parse.h): l3 set means a complete IPv4, IPv6 or ARP header
 * told apart by its first byte, l4 set means a complete TCP, UDP, SCTP, ICMP
 * or ICMPv6 header.  So a rewrite costs one offset test, not a re-parse.
 * Every push and pop moves the offsets with the bytes, so later actions in
 * the same list find their headers.
 */
#include <config.h>
#include "datapath/dp-actions.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "crc32c.h"
#include "csum.h"
#include "dp-packet.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "unaligned.h"
#include "util.h"

/* Headroom of a clone, for pushes in an "all" group's bucket. */
#define DP_ACTIONS_CLONE_HEADROOM 128

/* Unaligned loads and stores of wire fields.  memcpy() of a constant size
 * compiles to one move. */
static inline ovs_be16
rd16(const uint8_t *p)
{
    ovs_be16 v;

    memcpy(&v, p, sizeof v);
    return v;
}

static inline void
wr16(uint8_t *p, ovs_be16 v)
{
    memcpy(p, &v, sizeof v);
}

static inline ovs_be32
rd32(const uint8_t *p)
{
    ovs_be32 v;

    memcpy(&v, p, sizeof v);
    return v;
}

static inline void
wr32(uint8_t *p, ovs_be32 v)
{
    memcpy(p, &v, sizeof v);
}

/* Returns the offset of the end of the L2 headers of 'pkt' (where an MPLS
 * stack or the L3 header starts, just after the last ethertype), or
 * SIZE_MAX if the frame is too short to have one.  Only frames that the
 * parser did not understand at L3 pay for the walk, which does not stop at
 * DP_VLAN_MAX tags so that an MPLS push never lands inside a tag. */
static size_t
exec_l2_end(const struct dp_packet *pkt)
{
    const uint8_t *frame;
    size_t size, ofs;

    if (pkt->l2_5_ofs != UINT16_MAX) {
        return pkt->l2_5_ofs;
    }
    if (pkt->l3_ofs != UINT16_MAX) {
        return pkt->l3_ofs;
    }

    frame = dp_packet_data(pkt);
    size = dp_packet_size(pkt);
    if (size < ETH_HEADER_LEN) {
        return SIZE_MAX;
    }
    for (ofs = 2 * ETH_ADDR_LEN;
         (size - ofs >= VLAN_HEADER_LEN + 2
          && dp_eth_type_is_vlan(rd16(frame + ofs)));
         ofs += VLAN_HEADER_LEN) {
        continue;
    }
    return ofs + 2;
}

/* Returns false if growing 'pkt' by 'n' bytes could push one of its 16-bit
 * layer offsets onto the UINT16_MAX "unset" sentinel. */
static bool
exec_offsets_fit(const struct dp_packet *pkt, size_t n)
{
    return (dp_packet_size(pkt) + n < UINT16_MAX
            || (pkt->l2_5_ofs == UINT16_MAX && pkt->l3_ofs == UINT16_MAX
                && pkt->l4_ofs == UINT16_MAX));
}

/* The L3 header of 'pkt' if it is IPv4, IPv6 or ARP, else NULL. */
static struct ip_header *
exec_ipv4(const struct dp_packet *pkt)
{
    uint8_t *l3 = dp_packet_l3(pkt);

    return l3 && IP_VER(l3[0]) == IP_VERSION ? (struct ip_header *) l3 : NULL;
}

static struct ovs_16aligned_ip6_hdr *
exec_ipv6(const struct dp_packet *pkt)
{
    uint8_t *l3 = dp_packet_l3(pkt);

    return l3 && IP_VER(l3[0]) == 6
           ? (struct ovs_16aligned_ip6_hdr *) l3 : NULL;
}

static struct arp_eth_header *
exec_arp(const struct dp_packet *pkt)
{
    uint8_t *l3 = dp_packet_l3(pkt);

    return l3 && l3[0] == 0 ? (struct arp_eth_header *) l3 : NULL;
}

/* Returns the protocol of the L4 header of 'pkt', which must be set, with
 * 'l3' its L3 header.  For IPv6 with extension headers this re-walks the
 * chain, which the parser has already validated up to l4. */
static uint8_t
exec_l4_proto(const struct dp_packet *pkt, const uint8_t *l3)
{
    const uint8_t *l4 = dp_packet_l4(pkt);
    const uint8_t *p;
    uint8_t nxt;

    if (IP_VER(l3[0]) == IP_VERSION) {
        return ((const struct ip_header *) l3)->ip_proto;
    }
    nxt = l3[6];
    for (p = l3 + IPV6_HEADER_LEN; p < l4; ) {
        size_t len = (nxt == IPPROTO_FRAGMENT ? 8
                      : nxt == IPPROTO_AH ? (p[1] + 2) * 4
                      : (p[1] + 1) * 8);
        nxt = p[0];
        p += len;
    }
    return nxt;
}

/* Bytes from the L4 header to the end of the datagram, padding excluded. */
static size_t
exec_l4_size(const struct dp_packet *pkt)
{
    return dp_packet_l4_size(pkt);
}

/* Fixes the TCP or UDP checksum of 'pkt' after a 32-bit word of its IPv4
 * pseudo-header changed from 'old' to 'new'. */
static void
exec_l4_csum32(struct dp_packet *pkt, uint8_t proto, ovs_be32 old,
               ovs_be32 new)
{
    void *l4 = dp_packet_l4(pkt);
    size_t n = exec_l4_size(pkt);

    /* A header cut short has no checksum field to fix. */
    if (!l4) {
        return;
    }
    if (proto == IPPROTO_TCP && n >= TCP_HEADER_LEN) {
        struct tcp_header *tcp = l4;

        tcp->tcp_csum = recalc_csum32(tcp->tcp_csum, old, new);
    } else if (proto == IPPROTO_UDP && n >= UDP_HEADER_LEN) {
        struct udp_header *udp = l4;

        /* 0 means "no checksum" and must stay so; a computed 0 is sent as
         * 0xffff (RFC 768). */
        if (udp->udp_csum) {
            udp->udp_csum = recalc_csum32(udp->udp_csum, old, new);
            if (!udp->udp_csum) {
                udp->udp_csum = htons(0xffff);
            }
        }
    }
}

/* The IPv6 counterpart, for a 128-bit address 'old' becoming 'new'. */
static void
exec_l4_csum128(struct dp_packet *pkt, const uint8_t *l3,
                ovs_16aligned_be32 old[4], const struct in6_addr *new)
{
    void *l4 = dp_packet_l4(pkt);
    size_t n = exec_l4_size(pkt);
    uint8_t proto;

    /* A header cut short has no checksum field to fix. */
    if (!l4) {
        return;
    }
    proto = exec_l4_proto(pkt, l3);
    if (proto == IPPROTO_TCP && n >= TCP_HEADER_LEN) {
        struct tcp_header *tcp = l4;

        tcp->tcp_csum = recalc_csum128(tcp->tcp_csum, old, new);
    } else if (proto == IPPROTO_UDP && n >= UDP_HEADER_LEN) {
        struct udp_header *udp = l4;

        if (udp->udp_csum) {
            udp->udp_csum = recalc_csum128(udp->udp_csum, old, new);
            if (!udp->udp_csum) {
                udp->udp_csum = htons(0xffff);
            }
        }
    } else if (proto == IPPROTO_ICMPV6 && n >= ICMP6_HEADER_LEN) {
        struct icmp6_header *icmp6 = l4;

        icmp6->icmp6_cksum = recalc_csum128(icmp6->icmp6_cksum, old, new);
    }
}

/* Sets the TTL of IPv4 header 'ip' to 'ttl', fixing its checksum. */
static void
exec_ipv4_set_ttl(struct ip_header *ip, uint8_t ttl)
{
    ovs_be16 old = htons(ip->ip_ttl << 8 | ip->ip_proto);

    ip->ip_ttl = ttl;
    ip->ip_csum = recalc_csum16(ip->ip_csum, old,
                                htons(ttl << 8 | ip->ip_proto));
}

/* Sets the TOS byte (DSCP and ECN) of IPv4 header 'ip', fixing its
 * checksum. */
static void
exec_ipv4_set_tos(struct ip_header *ip, uint8_t tos)
{
    ovs_be16 old = htons(ip->ip_ihl_ver << 8 | ip->ip_tos);

    ip->ip_tos = tos;
    ip->ip_csum = recalc_csum16(ip->ip_csum, old,
                                htons(ip->ip_ihl_ver << 8 | tos));
}

static uint8_t
exec_ipv6_get_tc(const struct ovs_16aligned_ip6_hdr *ip6)
{
    return ntohl(get_16aligned_be32(&ip6->ip6_ctlun.ip6_un1.ip6_un1_flow))
           >> 20;
}

static void
exec_ipv6_set_tc(struct ovs_16aligned_ip6_hdr *ip6, uint8_t tc)
{
    ovs_16aligned_be32 *flow = &ip6->ip6_ctlun.ip6_un1.ip6_un1_flow;
    uint32_t vtc = ntohl(get_16aligned_be32(flow));

    put_16aligned_be32(flow, htonl((vtc & 0xf00fffff) | (uint32_t) tc << 20));
}

/* VLAN. */

/* Returns the offset of the I-TAG's ethertype (0x88e7) in 'pkt', after any
 * backbone VLAN tags, or SIZE_MAX if it has none. */
static size_t
exec_itag_ofs(const struct dp_packet *pkt)
{
    const uint8_t *frame = dp_packet_data(pkt);
    size_t size = dp_packet_size(pkt);
    size_t ofs = 2 * ETH_ADDR_LEN;

    while (ofs + 2 <= size) {
        uint16_t type = (frame[ofs] << 8) | frame[ofs + 1];
        if (type == DP_ETH_TYPE_PBB) {
            return ofs + 6 <= size ? ofs : SIZE_MAX;
        } else if (type == ETH_TYPE_VLAN_8021Q
                   || type == ETH_TYPE_VLAN_8021AD) {
            ofs += VLAN_HEADER_LEN;
        } else {
            break;
        }
    }
    return SIZE_MAX;
}

/* push_pbb: | C-DA C-SA ... |  ->  | C-DA C-SA 88e7 I-TAG | C-DA C-SA ... |
 * (OpenFlow 1.3.5 5.12: the backbone addresses start as the customer's;
 * set-field changes them.) */
static int
exec_push_pbb(struct dp_packet *pkt, ovs_be16 eth_type)
{
    if (dp_packet_size(pkt) < ETH_HEADER_LEN) {
        return EINVAL;
    }
    dp_packet_reset_offsets(pkt);
    uint8_t *frame = dp_packet_push_uninit(pkt, 2 * ETH_ADDR_LEN + 6);
    memcpy(frame, frame + 2 * ETH_ADDR_LEN + 6, 2 * ETH_ADDR_LEN);
    wr16(frame + 2 * ETH_ADDR_LEN, eth_type);
    memset(frame + 2 * ETH_ADDR_LEN + 2, 0, 4);
    return 0;
}

static int
exec_pop_pbb(struct dp_packet *pkt)
{
    size_t ofs = exec_itag_ofs(pkt);
    if (ofs == SIZE_MAX || dp_packet_size(pkt) < ofs + 6 + ETH_HEADER_LEN) {
        return EINVAL;
    }
    dp_packet_reset_offsets(pkt);
    dp_packet_pull(pkt, ofs + 6);
    return 0;
}

static int
exec_set_pbb_isid(struct dp_packet *pkt, uint32_t isid)
{
    size_t ofs = exec_itag_ofs(pkt);
    if (ofs == SIZE_MAX) {
        return EINVAL;
    }
    uint8_t *itag = (uint8_t *) dp_packet_data(pkt) + ofs + 2;
    itag[1] = isid >> 16;
    itag[2] = isid >> 8;
    itag[3] = isid;
    return 0;
}

static int
exec_push_vlan(struct dp_packet *pkt, ovs_be16 tpid, uint32_t tci)
{
    uint8_t *eth;

    if (dp_packet_size(pkt) < ETH_HEADER_LEN
        || !exec_offsets_fit(pkt, VLAN_HEADER_LEN)) {
        return EINVAL;
    }
    /* The outermost tag goes right after the MAC addresses; everything
     * after it, offsets included, moves back by 4. */
    eth = dp_packet_resize_l2(pkt, VLAN_HEADER_LEN);
    memmove(eth, eth + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
    wr16(eth + 2 * ETH_ADDR_LEN, tpid);
    /* CFI is the key's "present" marker, not the wire's DEI. */
    wr16(eth + 2 * ETH_ADDR_LEN + 2, htons(tci & ~VLAN_CFI));
    return 0;
}

/* Returns the TCI of the outer VLAN header of 'pkt', or NULL. */
static uint8_t *
exec_outer_tci(struct dp_packet *pkt)
{
    uint8_t *eth = dp_packet_data(pkt);

    return (dp_packet_size(pkt) >= ETH_HEADER_LEN + VLAN_HEADER_LEN
            && dp_eth_type_is_vlan(rd16(eth + 2 * ETH_ADDR_LEN))
            ? eth + 2 * ETH_ADDR_LEN + 2 : NULL);
}

static int
exec_pop_vlan(struct dp_packet *pkt)
{
    uint8_t *eth = dp_packet_data(pkt);

    if (!exec_outer_tci(pkt)) {
        return EINVAL;
    }
    memmove(eth + VLAN_HEADER_LEN, eth, 2 * ETH_ADDR_LEN);
    dp_packet_resize_l2(pkt, -VLAN_HEADER_LEN);
    return 0;
}

static int
exec_set_vlan(struct dp_packet *pkt, uint16_t mask, uint16_t value)
{
    uint8_t *tcip = exec_outer_tci(pkt);

    if (!tcip) {
        return EINVAL;
    }
    wr16(tcip, htons((ntohs(rd16(tcip)) & ~mask) | (value & mask)));
    return 0;
}

/* MPLS. */

/* Returns the top label stack entry of 'pkt', or NULL if it has none. */
static uint8_t *
exec_mpls_top(const struct dp_packet *pkt)
{
    if (pkt->l2_5_ofs == UINT16_MAX
        || dp_packet_size(pkt) - pkt->l2_5_ofs < MPLS_HLEN) {
        return NULL;
    }
    return dp_packet_l2_5(pkt);
}

static inline bool
exec_lse_bos(ovs_be32 lse)
{
    return (lse & htonl(MPLS_BOS_MASK)) != 0;
}

static int
exec_push_mpls(struct dp_packet *pkt, ovs_be16 eth_type)
{
    size_t at = exec_l2_end(pkt);
    uint8_t *frame;
    ovs_be32 lse;

    if (at == SIZE_MAX || !eth_type_mpls(eth_type)
        || !exec_offsets_fit(pkt, MPLS_HLEN)) {
        return EINVAL;
    }
    if (pkt->l2_5_ofs != UINT16_MAX) {
        const uint8_t *top = exec_mpls_top(pkt);

        if (!top) {
            return EINVAL;
        }
        /* Label, TC and TTL of the old top; never BOS. */
        lse = rd32(top) & ~htonl(MPLS_BOS_MASK);
    } else {
        struct ip_header *ip = exec_ipv4(pkt);
        struct ovs_16aligned_ip6_hdr *ip6 = exec_ipv6(pkt);
        uint8_t ttl = (ip ? ip->ip_ttl
                       : ip6 ? ip6->ip6_ctlun.ip6_un1.ip6_un1_hlim
                       : 0);

        lse = dp_lse_build(0, 0, 1, ttl);
    }

    /* Headroom absorbs the 4 bytes: the L2 headers move back, the rest
     * stays in place (l3 and l4 keep pointing at the same bytes, now under
     * the stack, so set-field on them still works). */
    frame = dp_packet_resize_l2_5(pkt, MPLS_HLEN);
    memmove(frame, frame + MPLS_HLEN, at);
    wr16(frame + at - 2, eth_type);
    wr32(frame + at, lse);
    pkt->l2_5_ofs = at;
    return 0;
}

static int
exec_pop_mpls(struct dp_packet *pkt, ovs_be16 eth_type)
{
    uint8_t *top = exec_mpls_top(pkt);
    size_t at = pkt->l2_5_ofs;
    uint8_t *frame;
    bool bos;

    if (!top) {
        return EINVAL;
    }
    bos = exec_lse_bos(rd32(top));
    if (bos && eth_type == htons(ETH_TYPE_TEB)) {
        /* Ethernet over MPLS: the inner frame becomes the packet; its
         * offsets are unknown until it is parsed again. */
        if (dp_packet_size(pkt) - (at + MPLS_HLEN) < ETH_HEADER_LEN) {
            return EINVAL;
        }
        dp_packet_reset_offsets(pkt);
        dp_packet_pull(pkt, at + MPLS_HLEN);
        return 0;
    }

    frame = dp_packet_data(pkt);
    memmove(frame + MPLS_HLEN, frame, at);
    frame = dp_packet_resize_l2_5(pkt, -MPLS_HLEN);
    wr16(frame + at - 2, eth_type);
    /* The stack also ends where the L3 header pushed under it starts, even
     * if a set_mpls_bos cleared the BOS bit: never pop into that header. */
    if (bos || pkt->l2_5_ofs == pkt->l3_ofs) {
        pkt->l2_5_ofs = UINT16_MAX;
    }
    return 0;
}

/* Sets the bits of the top entry in 'mask' to those of 'value'. */
static int
exec_set_lse(struct dp_packet *pkt, uint32_t mask, uint32_t value)
{
    uint8_t *top = exec_mpls_top(pkt);

    if (!top) {
        return EINVAL;
    }
    wr32(top, htonl((ntohl(rd32(top)) & ~mask) | (value & mask)));
    return 0;
}

static int
exec_dec_mpls_ttl(struct dp_packet *pkt)
{
    uint8_t *top = exec_mpls_top(pkt);
    uint8_t ttl;

    if (!top) {
        return EINVAL;
    }
    ttl = dp_lse_ttl(rd32(top));
    if (ttl <= 1) {
        return ETIME;
    }
    top[3] = ttl - 1;
    return 0;
}

/* Returns the IP header right under a one-entry stack whose top is 'top',
 * if 'eth_type' says it is IPv4 or IPv6 and it fits in 'pkt'; NULL if
 * there is nothing to copy to or from.  Sets '*error' to EINVAL if the
 * header is truncated. */
static uint8_t *
exec_ip_under(const struct dp_packet *pkt, uint8_t *top, ovs_be16 eth_type,
              int *error)
{
    size_t left = dp_packet_size(pkt) - (pkt->l2_5_ofs + MPLS_HLEN);
    size_t need;

    if (eth_type == htons(ETH_TYPE_IP)) {
        need = IP_HEADER_LEN;
    } else if (eth_type == htons(ETH_TYPE_IPV6)) {
        need = IPV6_HEADER_LEN;
    } else {
        return NULL;
    }
    if (left < need) {
        *error = EINVAL;
        return NULL;
    }
    return top + MPLS_HLEN;
}

/* copy_ttl_out ('out') and copy_ttl_in, as translation decided (dp-actions.h):
 * between the top two entries, or with the IP header of type 'eth_type'
 * under a one-entry stack.  Returns 0, EINVAL if the packet lacks what
 * translation said it has, or ENOENT if there is nothing to copy. */
static int
exec_copy_ttl(struct dp_packet *pkt, bool out, const struct dp_action *a)
{
    uint8_t *top = exec_mpls_top(pkt);
    int error = 0;

    if (!top) {
        return EINVAL;
    }
    if (a->u8 == DP_COPY_TTL_ENTRIES) {
        if (dp_packet_size(pkt) - pkt->l2_5_ofs < 2 * MPLS_HLEN) {
            return EINVAL;
        }
        if (out) {
            top[3] = top[MPLS_HLEN + 3];
        } else {
            top[MPLS_HLEN + 3] = top[3];
        }
        return 0;
    }
    if (!a->be16) {
        return ENOENT;
    }

    uint8_t *ip = exec_ip_under(pkt, top, a->be16, &error);
    if (!ip) {
        return error ? error : EINVAL;
    }
    bool ipv4 = a->be16 == htons(ETH_TYPE_IP);
    struct ip_header *ip4 = (struct ip_header *) ip;
    struct ovs_16aligned_ip6_hdr *ip6 = (struct ovs_16aligned_ip6_hdr *) ip;
    if (out) {
        top[3] = ipv4 ? ip4->ip_ttl : ip6->ip6_ctlun.ip6_un1.ip6_un1_hlim;
    } else if (ipv4) {
        exec_ipv4_set_ttl(ip4, top[3]);
    } else {
        ip6->ip6_ctlun.ip6_un1.ip6_un1_hlim = top[3];
    }
    return 0;
}

/* L3. */

static int
exec_set_eth(struct dp_packet *pkt, size_t ofs, struct eth_addr mac)
{
    if (dp_packet_size(pkt) < ETH_HEADER_LEN) {
        return EINVAL;
    }
    memcpy((uint8_t *) dp_packet_data(pkt) + ofs, &mac, ETH_ADDR_LEN);
    return 0;
}

static int
exec_set_ipv4_addr(struct dp_packet *pkt, bool src, ovs_be32 new)
{
    struct ip_header *ip = exec_ipv4(pkt);
    ovs_16aligned_be32 *field;
    ovs_be32 old;

    if (!ip) {
        return EINVAL;
    }
    field = src ? &ip->ip_src : &ip->ip_dst;
    old = get_16aligned_be32(field);
    exec_l4_csum32(pkt, ip->ip_proto, old, new);
    ip->ip_csum = recalc_csum32(ip->ip_csum, old, new);
    put_16aligned_be32(field, new);
    return 0;
}

static int
exec_set_ipv6_addr(struct dp_packet *pkt, bool src,
                   const struct in6_addr *new)
{
    struct ovs_16aligned_ip6_hdr *ip6 = exec_ipv6(pkt);
    union ovs_16aligned_in6_addr *field;

    if (!ip6) {
        return EINVAL;
    }
    field = src ? &ip6->ip6_src : &ip6->ip6_dst;
    exec_l4_csum128(pkt, (const uint8_t *) ip6, field->be32, new);
    memcpy(field, new, sizeof *field);
    return 0;
}

static int
exec_set_ipv6_label(struct dp_packet *pkt, uint32_t label)
{
    struct ovs_16aligned_ip6_hdr *ip6 = exec_ipv6(pkt);
    ovs_16aligned_be32 *flow;
    uint32_t vtc;

    if (!ip6) {
        return EINVAL;
    }
    flow = &ip6->ip6_ctlun.ip6_un1.ip6_un1_flow;
    vtc = ntohl(get_16aligned_be32(flow));
    put_16aligned_be32(flow, htonl((vtc & ~IPV6_LABEL_MASK)
                                   | (label & IPV6_LABEL_MASK)));
    return 0;
}

/* Sets the bits in 'mask' of the IPv4 TOS or IPv6 traffic class byte to
 * those of 'value'. */
static int
exec_set_tos(struct dp_packet *pkt, uint8_t mask, uint8_t value)
{
    struct ip_header *ip = exec_ipv4(pkt);
    struct ovs_16aligned_ip6_hdr *ip6;

    if (ip) {
        exec_ipv4_set_tos(ip, (ip->ip_tos & ~mask) | (value & mask));
        return 0;
    }
    ip6 = exec_ipv6(pkt);
    if (ip6) {
        exec_ipv6_set_tc(ip6, (exec_ipv6_get_tc(ip6) & ~mask)
                              | (value & mask));
        return 0;
    }
    return EINVAL;
}

/* Sets ('dec' false) or decrements ('dec' true) the IP TTL or hop limit. */
static int
exec_set_ttl(struct dp_packet *pkt, bool dec, uint8_t ttl)
{
    struct ip_header *ip = exec_ipv4(pkt);
    struct ovs_16aligned_ip6_hdr *ip6;

    if (ip) {
        if (dec) {
            if (ip->ip_ttl <= 1) {
                return ETIME;
            }
            ttl = ip->ip_ttl - 1;
        }
        exec_ipv4_set_ttl(ip, ttl);
        return 0;
    }
    ip6 = exec_ipv6(pkt);
    if (ip6) {
        uint8_t *hlim = &ip6->ip6_ctlun.ip6_un1.ip6_un1_hlim;

        if (dec) {
            if (*hlim <= 1) {
                return ETIME;
            }
            ttl = *hlim - 1;
        }
        *hlim = ttl;
        return 0;
    }
    return EINVAL;
}

/* L4. */

/* Sets the source ('src' true) or destination port of TCP, UDP or SCTP. */
static int
exec_set_tp_port(struct dp_packet *pkt, bool src, ovs_be16 port)
{
    uint8_t *l3 = dp_packet_l3(pkt);
    uint8_t *l4 = dp_packet_l4(pkt);
    uint8_t *field;
    ovs_be16 old;
    uint8_t proto;

    if (!l3 || !l4) {
        return EINVAL;
    }
    /* The ports are the first two 16-bit words of all three headers, each
     * of which must be whole (a frame cut short has no field to set). */
    proto = exec_l4_proto(pkt, l3);
    size_t need = (proto == IPPROTO_TCP ? TCP_HEADER_LEN
                   : proto == IPPROTO_UDP ? UDP_HEADER_LEN
                   : proto == IPPROTO_SCTP ? SCTP_HEADER_LEN : 0);
    if (!need || exec_l4_size(pkt) < need) {
        return EINVAL;
    }
    field = l4 + (src ? 0 : 2);
    old = rd16(field);
    if (proto == IPPROTO_TCP) {
        struct tcp_header *tcp = (struct tcp_header *) l4;

        tcp->tcp_csum = recalc_csum16(tcp->tcp_csum, old, port);
    } else if (proto == IPPROTO_UDP) {
        struct udp_header *udp = (struct udp_header *) l4;

        if (udp->udp_csum) {
            udp->udp_csum = recalc_csum16(udp->udp_csum, old, port);
            if (!udp->udp_csum) {
                udp->udp_csum = htons(0xffff);
            }
        }
    } else if (proto == IPPROTO_SCTP) {
        /* CRC32c has no incremental form, but it is linear: XORing the
         * stored value with the CRCs before and after the change keeps a
         * wrong checksum wrong, as OVS does, instead of "fixing" it. */
        struct sctp_header *sctp = (struct sctp_header *) l4;
        size_t len = exec_l4_size(pkt);
        ovs_be32 old_csum = get_16aligned_be32(&sctp->sctp_csum);
        ovs_be32 old_correct, new_correct;

        put_16aligned_be32(&sctp->sctp_csum, 0);
        old_correct = crc32c(l4, len);
        wr16(field, port);
        new_correct = crc32c(l4, len);
        put_16aligned_be32(&sctp->sctp_csum,
                           old_csum ^ old_correct ^ new_correct);
    } else {
        return EINVAL;
    }
    wr16(field, port);
    return 0;
}

/* Sets the ICMP or ICMPv6 type ('type' true) or code. */
static int
exec_set_icmp(struct dp_packet *pkt, bool type, uint8_t value)
{
    uint8_t *l3 = dp_packet_l3(pkt);
    uint8_t *l4 = dp_packet_l4(pkt);
    uint8_t proto;
    ovs_be16 old, csum;

    if (!l3 || !l4) {
        return EINVAL;
    }
    proto = exec_l4_proto(pkt, l3);
    if ((IP_VER(l3[0]) == IP_VERSION ? proto != IPPROTO_ICMP
                                     : proto != IPPROTO_ICMPV6)
        || exec_l4_size(pkt) < ICMP6_HEADER_LEN) {
        return EINVAL;
    }
    /* Type and code share the first 16-bit word; the checksum follows. */
    old = rd16(l4);
    l4[type ? 0 : 1] = value;
    csum = recalc_csum16(rd16(l4 + 2), old, rd16(l4));
    wr16(l4 + 2, csum);
    return 0;
}

/* IPv6 neighbour discovery: the ICMPv6 header (type, code, checksum,
 * 4 bytes), the 16-byte target, then options of 8-byte units:
 *
 *    +--------+--------+------------------------------+
 *    |  Type  | Length |  Link-layer address ...      |   type 1: SLL,
 *    +--------+--------+------------------------------+   type 2: TLL
 *
 * Returns the ICMPv6 header of 'pkt' if it is a neighbour solicitation or
 * advertisement with a whole target, else NULL. */
static uint8_t *
exec_nd(struct dp_packet *pkt)
{
    uint8_t *l3 = dp_packet_l3(pkt);
    uint8_t *l4 = dp_packet_l4(pkt);

    if (!l3 || !l4 || IP_VER(l3[0]) != 6
        || exec_l4_proto(pkt, l3) != IPPROTO_ICMPV6
        || exec_l4_size(pkt) < 24 || l4[1] != 0
        || (l4[0] != ND_NEIGHBOR_SOLICIT && l4[0] != ND_NEIGHBOR_ADVERT)) {
        return NULL;
    }
    return l4;
}

static int
exec_set_nd_target(struct dp_packet *pkt, const struct in6_addr *target)
{
    uint8_t *nd = exec_nd(pkt);

    if (!nd) {
        return EINVAL;
    }
    wr16(nd + 2, recalc_csum128(rd16(nd + 2),
                                (ovs_16aligned_be32 *) (nd + 8), target));
    memcpy(nd + 8, target, 16);
    return 0;
}

static int
exec_set_nd_lla(struct dp_packet *pkt, bool sll, struct eth_addr mac)
{
    uint8_t *nd = exec_nd(pkt);

    if (!nd || nd[0] != (sll ? ND_NEIGHBOR_SOLICIT : ND_NEIGHBOR_ADVERT)) {
        return EINVAL;
    }
    size_t len = exec_l4_size(pkt);
    for (size_t ofs = 24; ofs + 8 <= len; ) {
        size_t olen = nd[ofs + 1] * 8;
        if (!olen || ofs + olen > len) {
            break;
        }
        if (nd[ofs] == (sll ? 1 : 2) && olen == 8) {
            struct eth_addr old;
            memcpy(&old, nd + ofs + 2, ETH_ADDR_LEN);
            wr16(nd + 2, recalc_csum48(rd16(nd + 2), old, mac));
            memcpy(nd + ofs + 2, &mac, ETH_ADDR_LEN);
            return 0;
        }
        ofs += olen;
    }
    /* No such option: nothing to set, as in Open vSwitch. */
    return 0;
}

/* IPv6's extension headers that may come before the upper layer. */
static bool
is_ipv6_ext(uint8_t nxt)
{
    return (nxt == IPPROTO_HOPOPTS || nxt == IPPROTO_ROUTING
            || nxt == IPPROTO_FRAGMENT || nxt == IPPROTO_AH
            || nxt == IPPROTO_DSTOPTS || nxt == 135 /* Mobility. */);
}

/* Sets the IPv4 protocol, or the IPv6 next header that names the upper
 * layer (in the last extension header), fixing the IPv4 header checksum
 * and, for TCP, UDP and ICMPv6, the L4 checksum, whose pseudo-header holds
 * the protocol. */
static int
exec_set_ip_proto(struct dp_packet *pkt, uint8_t proto)
{
    struct ip_header *ip = exec_ipv4(pkt);
    uint8_t *l3 = dp_packet_l3(pkt);
    uint8_t *l4 = dp_packet_l4(pkt);
    uint8_t old;

    if (!ip && !exec_ipv6(pkt)) {
        return EINVAL;
    }
    if (ip) {
        ovs_be16 old_word = rd16(&ip->ip_ttl);
        old = ip->ip_proto;
        ip->ip_proto = proto;
        ip->ip_csum = recalc_csum16(ip->ip_csum, old_word, rd16(&ip->ip_ttl));
    } else {
        /* Walk to the header whose next-header byte names the upper
         * layer. */
        uint8_t *end = (uint8_t *) dp_packet_tail(pkt)
                       - dp_packet_l2_pad_size(pkt);
        uint8_t *nxt = l3 + 6;
        uint8_t *p = l3 + IPV6_HEADER_LEN;
        while (is_ipv6_ext(*nxt) && end - p >= 8) {
            size_t len = (*nxt == IPPROTO_FRAGMENT ? 8
                          : *nxt == IPPROTO_AH ? (p[1] + 2) * 4
                          : (p[1] + 1) * 8);
            if (len > (size_t) (end - p)) {
                break;
            }
            nxt = p;
            p += len;
        }
        old = *nxt;
        *nxt = proto;
    }
    if (l4 && old != proto) {
        /* The pseudo-header's protocol word is (0, protocol). */
        ovs_be16 o = htons(old), n = htons(proto);
        size_t len = exec_l4_size(pkt);
        if (old == IPPROTO_TCP && len >= TCP_HEADER_LEN) {
            struct tcp_header *tcp = (struct tcp_header *) l4;
            tcp->tcp_csum = recalc_csum16(tcp->tcp_csum, o, n);
        } else if (old == IPPROTO_UDP && len >= UDP_HEADER_LEN) {
            struct udp_header *udp = (struct udp_header *) l4;
            if (udp->udp_csum) {
                udp->udp_csum = recalc_csum16(udp->udp_csum, o, n);
                if (!udp->udp_csum) {
                    udp->udp_csum = htons(0xffff);
                }
            }
        } else if (old == IPPROTO_ICMPV6 && len >= ICMP6_HEADER_LEN) {
            wr16(l4 + 2, recalc_csum16(rd16(l4 + 2), o, n));
        }
    }
    return 0;
}

/* Rewrites the ethertype after the VLAN tags.  The bytes after it are now
 * of another protocol: nothing of them stays parsed. */
static int
exec_set_eth_type(struct dp_packet *pkt, ovs_be16 eth_type)
{
    size_t at = exec_l2_end(pkt);

    if (at == SIZE_MAX || at > dp_packet_size(pkt)) {
        return EINVAL;
    }
    wr16((uint8_t *) dp_packet_data(pkt) + at - 2, eth_type);
    pkt->l2_5_ofs = pkt->l3_ofs = pkt->l4_ofs = UINT16_MAX;
    return 0;
}

/* ARP. */

static int
exec_set_arp_ip(struct dp_packet *pkt, bool spa, ovs_be32 ip4)
{
    struct arp_eth_header *arp = exec_arp(pkt);

    if (!arp) {
        return EINVAL;
    }
    put_16aligned_be32(spa ? &arp->ar_spa : &arp->ar_tpa, ip4);
    return 0;
}

static int
exec_set_arp_ha(struct dp_packet *pkt, bool sha, struct eth_addr mac)
{
    struct arp_eth_header *arp = exec_arp(pkt);

    if (!arp) {
        return EINVAL;
    }
    if (sha) {
        arp->ar_sha = mac;
    } else {
        arp->ar_tha = mac;
    }
    return 0;
}

static int
exec_set_arp_op(struct dp_packet *pkt, ovs_be16 op)
{
    struct arp_eth_header *arp = exec_arp(pkt);

    if (!arp) {
        return EINVAL;
    }
    arp->ar_op = op;
    return 0;
}

int
dp_execute(struct dp_packet *pkt, const struct dp_action *actions,
           size_t n, const struct dp_exec_ops *ops, void *aux)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct dp_action *a = &actions[i];
        int error = 0;

        if (OVS_UNLIKELY(a->type >= DPA__MAX)) {
            return EINVAL;
        }
        switch ((enum dp_action_type) a->type) {
        case DPA_OUTPUT:
            if (ops->output) {
                ops->output(aux, pkt, a->u32);
            }
            break;
        case DPA_USERSPACE:
            if (ops->userspace) {
                ops->userspace(aux, pkt, a);
            }
            break;
        case DPA_RECIRC:
            if (ops->recirc) {
                ops->recirc(aux, pkt, a->u32);
            }
            break;
        case DPA_METER:
            if (ops->meter && !ops->meter(aux, pkt, a->u32)) {
                return ENOBUFS;
            }
            break;
        case DPA_CLONE: {
            size_t body = MIN(a->u32, n - i - 1);
            struct dp_packet *copy = dp_packet_clone_with_headroom(
                pkt, DP_ACTIONS_CLONE_HEADROOM);
            /* What happens to the copy (a drop, an invalid TTL) is the
             * copy's own business. */
            dp_execute(copy, &actions[i + 1], body, ops, aux);
            dp_packet_delete(copy);
            i += body;
            break;
        }

        case DPA_PUSH_VLAN:
            error = exec_push_vlan(pkt, a->be16, a->u32);
            break;
        case DPA_POP_VLAN:
            error = exec_pop_vlan(pkt);
            break;
        case DPA_SET_VLAN_VID:
            error = exec_set_vlan(pkt, VLAN_VID_MASK, a->u32);
            break;
        case DPA_SET_VLAN_PCP:
            error = exec_set_vlan(pkt, VLAN_PCP_MASK,
                                  (uint16_t) a->u8 << VLAN_PCP_SHIFT);
            break;

        case DPA_PUSH_MPLS:
            error = exec_push_mpls(pkt, a->be16);
            break;
        case DPA_POP_MPLS:
            error = exec_pop_mpls(pkt, a->be16);
            break;
        case DPA_SET_MPLS_LABEL:
            error = exec_set_lse(pkt, MPLS_LABEL_MASK,
                                 a->u32 << MPLS_LABEL_SHIFT);
            break;
        case DPA_SET_MPLS_TC:
            error = exec_set_lse(pkt, MPLS_TC_MASK,
                                 (uint32_t) a->u8 << MPLS_TC_SHIFT);
            break;
        case DPA_SET_MPLS_BOS:
            error = exec_set_lse(pkt, MPLS_BOS_MASK,
                                 (uint32_t) a->u8 << MPLS_BOS_SHIFT);
            break;
        case DPA_SET_MPLS_TTL:
            error = exec_set_lse(pkt, MPLS_TTL_MASK, a->u8);
            break;
        case DPA_DEC_MPLS_TTL:
            error = exec_dec_mpls_ttl(pkt);
            break;
        case DPA_COPY_TTL_OUT:
        case DPA_COPY_TTL_IN:
            error = exec_copy_ttl(pkt, a->type == DPA_COPY_TTL_OUT, a);
            if (error == ENOENT) {
                if (ops->skipped) {
                    ops->skipped(aux, a);
                }
                error = 0;
            }
            break;

        case DPA_SET_ETH_SRC:
            error = exec_set_eth(pkt, ETH_ADDR_LEN, a->mac);
            break;
        case DPA_SET_ETH_DST:
            error = exec_set_eth(pkt, 0, a->mac);
            break;
        case DPA_SET_IPV4_SRC:
            error = exec_set_ipv4_addr(pkt, true, a->ip4);
            break;
        case DPA_SET_IPV4_DST:
            error = exec_set_ipv4_addr(pkt, false, a->ip4);
            break;
        case DPA_SET_IPV6_SRC:
            error = exec_set_ipv6_addr(pkt, true, &a->ip6);
            break;
        case DPA_SET_IPV6_DST:
            error = exec_set_ipv6_addr(pkt, false, &a->ip6);
            break;
        case DPA_SET_IPV6_LABEL:
            error = exec_set_ipv6_label(pkt, a->u32);
            break;
        case DPA_SET_IP_DSCP:
            error = exec_set_tos(pkt, IP_DSCP_MASK, a->u8 << 2);
            break;
        case DPA_SET_IP_ECN:
            error = exec_set_tos(pkt, IP_ECN_MASK, a->u8);
            break;
        case DPA_SET_IP_TTL:
            error = exec_set_ttl(pkt, false, a->u8);
            break;
        case DPA_DEC_NW_TTL:
            error = exec_set_ttl(pkt, true, 0);
            break;
        case DPA_SET_TP_SRC:
            error = exec_set_tp_port(pkt, true, a->be16);
            break;
        case DPA_SET_TP_DST:
            error = exec_set_tp_port(pkt, false, a->be16);
            break;
        case DPA_SET_ICMP_TYPE:
            error = exec_set_icmp(pkt, true, a->u8);
            break;
        case DPA_SET_ICMP_CODE:
            error = exec_set_icmp(pkt, false, a->u8);
            break;
        case DPA_SET_ARP_OP:
            error = exec_set_arp_op(pkt, a->be16);
            break;
        case DPA_SET_ARP_SPA:
            error = exec_set_arp_ip(pkt, true, a->ip4);
            break;
        case DPA_SET_ARP_TPA:
            error = exec_set_arp_ip(pkt, false, a->ip4);
            break;
        case DPA_SET_ARP_SHA:
            error = exec_set_arp_ha(pkt, true, a->mac);
            break;
        case DPA_SET_ARP_THA:
            error = exec_set_arp_ha(pkt, false, a->mac);
            break;
        case DPA_PUSH_PBB:
            error = exec_push_pbb(pkt, a->be16);
            break;
        case DPA_POP_PBB:
            error = exec_pop_pbb(pkt);
            break;
        case DPA_SET_PBB_ISID:
            error = exec_set_pbb_isid(pkt, a->u32 & 0xffffff);
            break;
        case DPA_SET_ND_TARGET:
            error = exec_set_nd_target(pkt, &a->ip6);
            break;
        case DPA_SET_ND_SLL:
        case DPA_SET_ND_TLL:
            error = exec_set_nd_lla(pkt, a->type == DPA_SET_ND_SLL, a->mac);
            break;
        case DPA_SET_IP_PROTO:
            error = exec_set_ip_proto(pkt, a->u8);
            break;
        case DPA_SET_ETH_TYPE:
            error = exec_set_eth_type(pkt, a->be16);
            break;

        case DPA__MAX:
            OVS_NOT_REACHED();
        }

        if (OVS_UNLIKELY(error)) {
            if (error == ETIME && ops->userspace) {
                /* Invalid TTL: the controller gets the packet as it was
                 * before the dec action. */
                ops->userspace(aux, pkt, a);
            }
            return error;
        }
    }
    return 0;
}

/* What DP_ACTIONS says about each action type, indexed by type. */
struct dpa_info {
    const char *name;           /* dp_action_type_name(). */
    enum dp_action_fmt fmt;     /* How format_action() prints operands. */
};

static const struct dpa_info dpa_infos[DPA__MAX] = {
#define DPA(ENUM, NAME, FMT) [DPA_##ENUM] = { NAME, FMT },
    DP_ACTIONS(DPA)
#undef DPA
};

const char *
dp_action_type_name(enum dp_action_type type)
{
    return (unsigned int) type < DPA__MAX ? dpa_infos[type].name
                                          : "<unknown>";
}

static void
format_eth_type(ovs_be16 eth_type, struct ds *s)
{
    ds_put_format(s, "(eth_type=%#"PRIx16")", ntohs(eth_type));
}

static void
format_action(const struct dp_action *a, struct ds *s)
{
    const struct dpa_info *info;

    if (a->type >= DPA__MAX) {
        ds_put_format(s, "unknown(%"PRIu8")", a->type);
        return;
    }

    info = &dpa_infos[a->type];
    ds_put_cstr(s, info->name);
    switch (info->fmt) {
    case DPAF_NONE:
        break;
    case DPAF_U8:
        ds_put_format(s, "(%"PRIu8")", a->u8);
        break;
    case DPAF_U32:
        ds_put_format(s, "(%"PRIu32")", a->u32);
        break;
    case DPAF_U32_HEX:
        ds_put_format(s, "(%#"PRIx32")", a->u32);
        break;
    case DPAF_BE16:
        ds_put_format(s, "(%"PRIu16")", ntohs(a->be16));
        break;
    case DPAF_ETH_TYPE:
        format_eth_type(a->be16, s);
        break;
    case DPAF_ETH_TYPE_OPT:
        if (a->be16) {
            format_eth_type(a->be16, s);
        }
        break;
    case DPAF_MAC:
        ds_put_format(s, "("ETH_ADDR_FMT")", ETH_ADDR_ARGS(a->mac));
        break;
    case DPAF_IP4:
        ds_put_format(s, "("IP_FMT")", IP_ARGS(a->ip4));
        break;
    case DPAF_IP6:
        ds_put_char(s, '(');
        ipv6_format_addr(&a->ip6, s);
        ds_put_char(s, ')');
        break;
    case DPAF_TPID_TCI:
        ds_put_format(s, "(tpid=0x%04"PRIx16",vid=%"PRIu32",pcp=%"PRIu32")",
                      ntohs(a->be16), a->u32 & VLAN_VID_MASK,
                      (a->u32 & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT);
        break;
    case DPAF_PACKET_IN:
        ds_put_format(s, "(reason=%"PRIu8",max_len=%"PRIu32",table=%u,"
                      "cookie=%#"PRIx64")", a->u8, a->u32,
                      (unsigned int) (a->be16 & 0xff),
                      ntohll(a->cookie));
        break;
    }
}

void
dp_actions_format(const struct dp_action *actions, size_t n, struct ds *s)
{
    size_t i;

    if (!n) {
        ds_put_cstr(s, "drop");
        return;
    }
    for (i = 0; i < n; i++) {
        if (i) {
            ds_put_char(s, ',');
        }
        format_action(&actions[i], s);
    }
}
