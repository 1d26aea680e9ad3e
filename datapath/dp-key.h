/*
 * datapath/dp-key.h: the datapath's flow key.
 *
 * What?
 * =====
 *
 * A 'struct dp_key' is what the parser (dp-parse.h) extracts from one frame
 * and what the flow cache (dp-cache.h) matches on.  It is ours, not OVS's
 * 'struct flow': it keeps the whole MPLS label stack (up to DP_MPLS_MAX
 * entries, with a flag when the stack goes deeper) and nothing the datapath
 * never looks at, so a key fits in a few cache lines and masks can be applied
 * 64 bits at a time.
 *
 * What lies under an MPLS stack is never guessed: when 'n_mpls' is nonzero
 * every L3/L4 member is zero.  The inner headers become visible only after a
 * pop_mpls action names the new ethertype and the packet is recirculated.
 *
 * Layout rules
 * ============
 *
 * The struct is a multiple of 8 bytes, has no implicit padding, and every
 * member is zero when the header it describes is absent, so two keys (or a
 * key and a mask) compare and hash as flat arrays of uint64_t
 * (DP_KEY_U64S).  Multi-byte header fields are kept in network byte order
 * (ovs_be*) exactly as they appear on the wire.
 *
 * Thread-safety
 * =============
 *
 * A key is a plain value; whoever holds it owns it.
 */
#ifndef DATAPATH_DP_KEY_H
#define DATAPATH_DP_KEY_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "openvswitch/types.h"
#include "openvswitch/packets.h"
#include "packets.h"

/* Label stack entries kept in a key.  A deeper stack is still forwarded
 * intact: the parser sets 'mpls_deep' and actions work on the bytes. */
#define DP_MPLS_MAX 16

/* VLAN headers (802.1Q / 802.1ad) kept in a key, outermost first. */
#define DP_VLAN_MAX 2

/* 'nw_frag' bits. */
enum dp_frag {
    DP_FRAG_ANY = 1 << 0,       /* Any fragment: MF set or offset != 0. */
    DP_FRAG_LATER = 1 << 1,     /* Fragment offset != 0. */
};

/* One VLAN header as it sits on the wire. */
struct dp_vlan {
    ovs_be16 tpid;              /* 0x8100, 0x88a8 or 0x9100 (the
                                 * pre-802.1ad S-tag); 0 if absent. */
    ovs_be16 tci;               /* PCP, DEI, VID; CFI bit forced to 1 when
                                 * the header is present, so VID 0 with
                                 * PCP 0 still differs from "no tag". */
};

/* Returns true if 'eth_type' is one of the TPIDs that 'struct dp_vlan'
 * lists, i.e. if a VLAN header starts at it.  The parser and the executor
 * both walk tags with it, so they agree on what a tag is. */
static inline bool
dp_eth_type_is_vlan(ovs_be16 eth_type)
{
    return (eth_type == htons(ETH_TYPE_VLAN_8021Q)
            || eth_type == htons(ETH_TYPE_VLAN_8021AD)
            || eth_type == htons(0x9100));
}

/* The flow key.  8-byte aligned so it can be read as uint64_t words. */
OVS_ALIGNED_STRUCT(8, dp_key) {
    /* Metadata. */
    uint32_t recirc_id;         /* 0 on first pass, else the recirc id. */
    uint32_t in_port;           /* Datapath port number (= OpenFlow port). */

    /* Ethernet. */
    struct eth_addr dl_dst;
    struct eth_addr dl_src;
    ovs_be16 dl_type;           /* Ethertype after all VLAN headers; for a
                                 * frame of length < 1536 (802.3) this is
                                 * htons(FLOW_DL_TYPE_NONE) = 0x05ff. */
    uint8_t n_vlans;            /* Entries used in 'vlans'. */
    uint8_t n_mpls;             /* Entries used in 'mpls', <= DP_MPLS_MAX. */
    struct dp_vlan vlans[DP_VLAN_MAX];

    /* MPLS: label stack entries, top (outermost) first, as on the wire:
     *
     *     0                   1                   2                   3
     *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *    |                Label                  | TC  |S|      TTL      |
     *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    uint8_t mpls_deep;          /* 1 if the stack has more than DP_MPLS_MAX
                                 * entries (none with S set among those
                                 * kept), else 0. */
    uint8_t mpls_payload;       /* enum dp_mpls_payload: what the first
                                 * bytes under a complete stack look like. */
    uint8_t mpls_payload_ttl;   /* Its TTL or hop limit, if IPv4/IPv6. */
    uint8_t pad1;
    ovs_be32 mpls[DP_MPLS_MAX];

    /* IPv4 (and ARP: nw_src = SPA, nw_dst = TPA, nw_proto = opcode low 8
     * bits). */
    ovs_be32 nw_src;
    ovs_be32 nw_dst;

    /* IPv6. */
    struct in6_addr ipv6_src;
    struct in6_addr ipv6_dst;
    ovs_be32 ipv6_label;        /* Low 20 bits: flow label. */

    uint8_t nw_proto;           /* IP protocol (after IPv6 extension
                                 * headers), or ARP opcode. */
    uint8_t nw_tos;             /* DSCP in high 6 bits, ECN in low 2. */
    uint8_t nw_ttl;             /* IPv4 TTL or IPv6 hop limit. */
    uint8_t nw_frag;            /* enum dp_frag bits. */

    /* L4.  ICMP and ICMPv6 keep type in tp_src and code in tp_dst (low
     * byte), as OpenFlow's fields map onto them. */
    ovs_be16 tp_src;
    ovs_be16 tp_dst;
    ovs_be16 tcp_flags;         /* Low 12 bits of TCP's flags word. */
    uint16_t ipv6_exthdr;       /* OpenFlow OFPIEH_* bits seen. */

    /* ARP hardware addresses, or IPv6 ND source/target link-layer
     * addresses (arp_sha = SLL, arp_tha = TLL). */
    struct eth_addr arp_sha;
    struct eth_addr arp_tha;
    struct in6_addr nd_target;  /* IPv6 ND target address. */

    /* 802.1ah (PBB): the I-TAG's 32 bits after ethertype 0x88e7 (PCP, DEI,
     * UCA, reserved, 24-bit I-SID), as on the wire; what follows (the
     * customer frame) is parsed only after a pop_pbb and a
     * recirculation. */
    ovs_be32 pbb_itag;
    uint32_t pad2;
};

/* 'mpls_payload': the guess the Linux kernel's MPLS stack makes about a
 * label stack's payload when a route does not say (net/mpls/af_mpls.c):
 * the first nibble after the bottom of stack, 4 for IPv4 (and then a whole
 * header with a valid IHL and header checksum), 6 for IPv6 (a whole fixed
 * header).  It is a guess, not parsing: a pseudowire's control word or an
 * Ethernet frame can start with those nibbles too.  Only copy_ttl_in and
 * copy_ttl_out on a one-entry stack use it, when nothing says what is
 * under the stack (docs/mpls.md, "TTL"). */
enum dp_mpls_payload {
    DP_MPLS_PAYLOAD_NONE = 0,   /* Not MPLS, or no bottom of stack kept. */
    DP_MPLS_PAYLOAD_IPV4 = 4,
    DP_MPLS_PAYLOAD_IPV6 = 6,
    DP_MPLS_PAYLOAD_OTHER = 0xff,
};

/* Ethertype of an 802.1ah I-TAG. */
#define DP_ETH_TYPE_PBB 0x88e7

static inline uint32_t
dp_itag_isid(ovs_be32 itag)
{
    return ntohl(itag) & 0xffffff;
}

#define DP_KEY_U64S (sizeof(struct dp_key) / sizeof(uint64_t))
BUILD_ASSERT_DECL(sizeof(struct dp_key) % sizeof(uint64_t) == 0);

/* Accessors for one MPLS label stack entry 'lse' in network order. */
static inline uint32_t
dp_lse_label(ovs_be32 lse)
{
    return ntohl(lse) >> 12;
}

static inline uint8_t
dp_lse_tc(ovs_be32 lse)
{
    return (ntohl(lse) >> 9) & 7;
}

static inline uint8_t
dp_lse_bos(ovs_be32 lse)
{
    return (ntohl(lse) >> 8) & 1;
}

static inline uint8_t
dp_lse_ttl(ovs_be32 lse)
{
    return ntohl(lse) & 0xff;
}

static inline ovs_be32
dp_lse_build(uint32_t label, uint8_t tc, uint8_t bos, uint8_t ttl)
{
    return htonl(((label & 0xfffff) << 12) | ((tc & 7u) << 9)
                 | ((bos & 1u) << 8) | ttl);
}

static inline bool
dp_key_is_mpls(const struct dp_key *key)
{
    return key->n_mpls > 0;
}

#endif /* datapath/dp-key.h */
