/*
 * datapath/dp-parse.c: frame parser, frame -> struct dp_key.
 *
 * One pass, front to back, each layer bounds-checked against what is left
 * of the frame (or of the IP datagram, once a length field says so).  Every
 * layer fills the key only once it is known to be complete and sane, so a
 * broken layer leaves its fields zero, as dp-key.h promises.
 */
#include <config.h>
#include "datapath/dp-parse.h"

#include <string.h>
#include <netinet/icmp6.h>
#include "csum.h"
#include "datapath/dp-key.h"
#include "dp-packet.h"
#include "packets.h"
#include "unaligned.h"
#include "util.h"

/* IPv6 extension headers walked before giving up.  A legitimate chain
 * (RFC 8200 4.1) has at most 7, so a longer one is hostile or repeats
 * itself; the bound keeps a 100-header chain from costing 100 steps. */
#define DP_IPV6_EXTHDR_MAX 16

/* OpenFlow's OFPIEH_* bits (OpenFlow 1.3.5, 7.2.3.8), for 'ipv6_exthdr'. */
enum dp_ieh {
    DP_IEH_NONEXT = 1 << 0,     /* "No next header" (59) encountered. */
    DP_IEH_ESP = 1 << 1,        /* Encapsulating Security Payload. */
    DP_IEH_AUTH = 1 << 2,       /* Authentication header. */
    DP_IEH_DEST = 1 << 3,       /* 1 or 2 destination options headers. */
    DP_IEH_FRAG = 1 << 4,       /* Fragment header. */
    DP_IEH_ROUTER = 1 << 5,     /* Routing header. */
    DP_IEH_HOP = 1 << 6,        /* Hop-by-hop options header. */
    DP_IEH_UNREP = 1 << 7,      /* Unexpected repeats. */
    DP_IEH_UNSEQ = 1 << 8,      /* Unexpected sequencing. */
};

/* Position of each extension header in RFC 8200's recommended order, used
 * to detect OFPIEH_UNSEQ and OFPIEH_UNREP.  Destination options may appear
 * twice: before a routing header and as the last header. */
enum dp_ieh_rank {
    RANK_HOP,
    RANK_DEST1,
    RANK_ROUTER,
    RANK_FRAG,
    RANK_AUTH,
    RANK_ESP,
    RANK_DEST2,
    RANK_N
};

static inline ovs_be16
rd_be16(const uint8_t *p)
{
    ovs_be16 v;

    memcpy(&v, p, sizeof v);
    return v;
}

/* Puts a tag that the kernel stripped back between the MAC addresses and
 * the ethertype, so that actions and output see the frame as it was on the
 * wire. */
static void
parse_insert_vlan(struct dp_packet *pkt, uint16_t tci, ovs_be16 tpid)
{
    uint8_t *eth;

    if (dp_packet_size(pkt) < 2 * ETH_ADDR_LEN) {
        return;
    }
    eth = dp_packet_push_uninit(pkt, VLAN_HEADER_LEN);
    memmove(eth, eth + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
    tpid = tpid ? tpid : htons(ETH_TYPE_VLAN_8021Q);
    memcpy(eth + 2 * ETH_ADDR_LEN, &tpid, sizeof tpid);
    tci = htons(tci);
    memcpy(eth + 2 * ETH_ADDR_LEN + 2, &tci, sizeof tci);
}

/* MPLS label stack, each entry 4 bytes, top first, until S is set:
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                Label                  | TC  |S|      TTL      |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Keeps the complete entries among the first DP_MPLS_MAX.  Looks only one
 * entry further to tell "deeper" from "truncated", so the cost does not
 * grow with the stack. */
static void guess_mpls_payload(const uint8_t *p, size_t left,
                               struct dp_key *);

static void
parse_mpls(const uint8_t *p, size_t left, struct dp_key *key)
{
    size_t n = MIN(left / MPLS_HLEN, DP_MPLS_MAX);
    size_t i;

    for (i = 0; i < n; i++) {
        ovs_be32 lse;

        memcpy(&lse, p + i * MPLS_HLEN, sizeof lse);
        key->mpls[i] = lse;
        if (lse & htonl(MPLS_BOS_MASK)) {
            key->n_mpls = i + 1;
            guess_mpls_payload(p + key->n_mpls * MPLS_HLEN,
                               left - key->n_mpls * MPLS_HLEN, key);
            return;
        }
    }
    key->n_mpls = n;
    key->mpls_deep = n == DP_MPLS_MAX && left >= (n + 1) * MPLS_HLEN;
}

/* The payload under a complete stack, as dp-key.h's enum dp_mpls_payload
 * says: 'p' is what follows the bottom of stack ('left' bytes). */
static void
guess_mpls_payload(const uint8_t *p, size_t left, struct dp_key *key)
{
    key->mpls_payload = DP_MPLS_PAYLOAD_OTHER;
    if (!left) {
        return;
    }
    if (p[0] >> 4 == 4) {
        size_t ihl = (p[0] & 0xf) * 4;
        if (ihl >= IP_HEADER_LEN && ihl <= left && !csum(p, ihl)) {
            key->mpls_payload = DP_MPLS_PAYLOAD_IPV4;
            key->mpls_payload_ttl = p[8];
        }
    } else if (p[0] >> 4 == 6 && left >= IPV6_HEADER_LEN) {
        key->mpls_payload = DP_MPLS_PAYLOAD_IPV6;
        key->mpls_payload_ttl = p[7];
    }
}

/* Neighbour solicitation or advertisement at 'l4' ('left' bytes): the
 * target address, then options in 8-byte units:
 *
 *    +--------+--------+------------------------------------+
 *    |  Type  | Length |  Link-layer address (Length*8 - 2) |
 *    +--------+--------+------------------------------------+
 *
 * A zero length, an option past the end, or a repeated link-layer option
 * makes the whole ND part invalid (zero), as in OVS; the ICMPv6 type and
 * code stay. */
static void
parse_nd(const uint8_t *l4, size_t left, struct dp_key *key)
{
    const struct ovs_nd_msg *nd = (const struct ovs_nd_msg *) l4;
    const uint8_t *opt = l4 + ND_MSG_LEN;
    size_t opt_left;

    if (left < ND_MSG_LEN) {
        return;
    }
    opt_left = left - ND_MSG_LEN;
    memcpy(&key->nd_target, &nd->target, sizeof key->nd_target);
    while (opt_left >= ND_LLA_OPT_LEN) {
        size_t opt_len = opt[1] * 8;
        struct eth_addr *lla = NULL;

        if (!opt_len || opt_len > opt_left) {
            goto invalid;
        }
        if (opt_len == ND_LLA_OPT_LEN) {
            if (opt[0] == ND_OPT_SOURCE_LINKADDR) {
                lla = &key->arp_sha;
            } else if (opt[0] == ND_OPT_TARGET_LINKADDR) {
                lla = &key->arp_tha;
            }
        }
        if (lla) {
            if (!eth_addr_is_zero(*lla)) {
                goto invalid;
            }
            memcpy(lla, opt + 2, ETH_ADDR_LEN);
        }
        opt += opt_len;
        opt_left -= opt_len;
    }
    return;

invalid:
    memset(&key->nd_target, 0, sizeof key->nd_target);
    key->arp_sha = eth_addr_zero;
    key->arp_tha = eth_addr_zero;
}

/* Parses the L4 header of 'proto' at 'l4' ('left' bytes, up to the end of
 * the IP datagram) into 'key' and sets the l4 offset of 'pkt' if the header
 * is complete.  'ipv6' selects ICMPv6 over ICMP. */
static void
parse_l4(struct dp_packet *pkt, const uint8_t *l4, size_t left,
         uint8_t proto, bool ipv6, struct dp_key *key)
{
    if (proto == IPPROTO_TCP) {
        const struct tcp_header *tcp = (const struct tcp_header *) l4;
        size_t hlen;

        if (left < TCP_HEADER_LEN) {
            return;
        }
        hlen = TCP_OFFSET(tcp->tcp_ctl) * 4;
        if (hlen < TCP_HEADER_LEN || hlen > left) {
            return;
        }
        key->tp_src = tcp->tcp_src;
        key->tp_dst = tcp->tcp_dst;
        key->tcp_flags = TCP_FLAGS_BE16(tcp->tcp_ctl);
    } else if (proto == IPPROTO_UDP) {
        const struct udp_header *udp = (const struct udp_header *) l4;

        if (left < UDP_HEADER_LEN) {
            return;
        }
        key->tp_src = udp->udp_src;
        key->tp_dst = udp->udp_dst;
    } else if (proto == IPPROTO_SCTP) {
        const struct sctp_header *sctp = (const struct sctp_header *) l4;

        if (left < SCTP_HEADER_LEN) {
            return;
        }
        key->tp_src = sctp->sctp_src;
        key->tp_dst = sctp->sctp_dst;
    } else if (proto == IPPROTO_ICMP && !ipv6) {
        /* Only type, code and checksum are ever read or rewritten. */
        if (left < ICMP6_HEADER_LEN) {
            return;
        }
        key->tp_src = htons(l4[0]);
        key->tp_dst = htons(l4[1]);
    } else if (proto == IPPROTO_ICMPV6 && ipv6) {
        if (left < ICMP6_HEADER_LEN) {
            return;
        }
        key->tp_src = htons(l4[0]);
        key->tp_dst = htons(l4[1]);
        if (l4[1] == 0 && (l4[0] == ND_NEIGHBOR_SOLICIT
                           || l4[0] == ND_NEIGHBOR_ADVERT)) {
            parse_nd(l4, left, key);
        }
    } else {
        return;
    }
    dp_packet_set_l4(pkt, CONST_CAST(uint8_t *, l4));
}

/* IPv4 header:
 *
 *    +-------+-------+---------------+-------------------------------+
 *    |Version|  IHL  |    DSCP/ECN   |         Total Length          |
 *    +-------+-------+---------------+-----+-------------------------+
 *    |         Identification        |Flags|     Fragment Offset     |
 *    +---------------+---------------+-----+-------------------------+
 *    |      TTL      |    Protocol   |        Header Checksum        |
 *    +---------------+---------------+-------------------------------+
 *    |                 Source, Destination, options...               |
 *
 * IHL < 5, a header longer than the frame, or a total length shorter than
 * the header or longer than the frame makes the header invalid.  Bytes after
 * the total length are Ethernet padding. */
static void
parse_ipv4(struct dp_packet *pkt, const uint8_t *l3, size_t left,
           struct dp_key *key)
{
    const struct ip_header *ip = (const struct ip_header *) l3;
    size_t hlen, tot_len;
    ovs_be16 frag_off;

    if (left < IP_HEADER_LEN || IP_VER(ip->ip_ihl_ver) != IP_VERSION) {
        return;
    }
    hlen = IP_IHL(ip->ip_ihl_ver) * 4;
    tot_len = ntohs(ip->ip_tot_len);
    if (hlen < IP_HEADER_LEN || tot_len < hlen || tot_len > left) {
        return;
    }

    dp_packet_set_l3(pkt, CONST_CAST(uint8_t *, l3));
    dp_packet_set_l2_pad_size(pkt, left - tot_len);
    key->nw_src = get_16aligned_be32(&ip->ip_src);
    key->nw_dst = get_16aligned_be32(&ip->ip_dst);
    key->nw_proto = ip->ip_proto;
    key->nw_tos = ip->ip_tos;
    key->nw_ttl = ip->ip_ttl;

    frag_off = ip->ip_frag_off;
    if (OVS_UNLIKELY(IP_IS_FRAGMENT(frag_off))) {
        key->nw_frag = DP_FRAG_ANY;
        if (frag_off & htons(IP_FRAG_OFF_MASK)) {
            /* Later fragments carry no L4 header. */
            key->nw_frag |= DP_FRAG_LATER;
            return;
        }
    }
    parse_l4(pkt, l3 + hlen, tot_len - hlen, ip->ip_proto, false, key);
}

/* Walks the extension headers of an IPv6 datagram whose payload is 'p',
 * 'left' bytes, first header type 'nxt'.  Sets 'ipv6_exthdr', 'nw_frag' and
 * 'nw_proto' in 'key' and parses L4.  The common shapes:
 *
 *    Hop-by-hop, routing, destination options ((Len + 1) * 8 bytes):
 *    +--------+--------+--------------------------------------------+
 *    |  Next  |  Len   |  options or routing data ...               |
 *    +--------+--------+--------------------------------------------+
 *
 *    Authentication header ((Len + 2) * 4 bytes):
 *    +--------+--------+-----------------+--------------------------+
 *    |  Next  |  Len   |    Reserved     |  SPI, sequence, ICV ...  |
 *    +--------+--------+-----------------+--------------------------+
 *
 *    Fragment header (8 bytes):
 *    +--------+--------+-------------------------+-----+-+
 *    |  Next  |Reserved|  Fragment Offset (13)   | Res |M|
 *    +--------+--------+-------------------------+-----+-+
 *    |                 Identification                    |
 *    +---------------------------------------------------+
 *
 * ESP encrypts what follows and "no next header" ends the chain: both stop
 * parsing with 'nw_proto' set to them.  A truncated header, or a chain
 * longer than DP_IPV6_EXTHDR_MAX, leaves 'nw_proto' 0 and L4 unparsed. */
static void
parse_ipv6_payload(struct dp_packet *pkt, const uint8_t *p, size_t left,
                   uint8_t nxt, struct dp_key *key)
{
    int last_rank = -1;
    unsigned int seen = 0;      /* 1 << enum dp_ieh_rank. */
    uint16_t ieh = 0;
    int i;

    for (i = 0; ; i++) {
        enum dp_ieh_rank rank;
        size_t len;

        switch (nxt) {
        case IPPROTO_HOPOPTS:
            rank = RANK_HOP;
            ieh |= DP_IEH_HOP;
            break;
        case IPPROTO_DSTOPTS:
            rank = (last_rank < RANK_ROUTER && !(seen & (1u << RANK_DEST1))
                    ? RANK_DEST1 : RANK_DEST2);
            ieh |= DP_IEH_DEST;
            break;
        case IPPROTO_ROUTING:
            rank = RANK_ROUTER;
            ieh |= DP_IEH_ROUTER;
            break;
        case IPPROTO_FRAGMENT:
            rank = RANK_FRAG;
            ieh |= DP_IEH_FRAG;
            break;
        case IPPROTO_AH:
            rank = RANK_AUTH;
            ieh |= DP_IEH_AUTH;
            break;
        case IPPROTO_ESP:
            rank = RANK_ESP;
            ieh |= DP_IEH_ESP;
            break;
        case IPPROTO_NONE:
            key->ipv6_exthdr = ieh | DP_IEH_NONEXT;
            key->nw_proto = nxt;
            return;
        default:
            key->ipv6_exthdr = ieh;
            key->nw_proto = nxt;
            parse_l4(pkt, p, left, nxt, true, key);
            return;
        }

        if (seen & (1u << rank)) {
            ieh |= DP_IEH_UNREP;
        }
        if ((int) rank < last_rank) {
            ieh |= DP_IEH_UNSEQ;
        }
        seen |= 1u << rank;
        last_rank = rank;

        if (rank == RANK_ESP) {
            /* Nothing after the SPI is readable. */
            key->ipv6_exthdr = ieh;
            key->nw_proto = nxt;
            return;
        }
        if (i >= DP_IPV6_EXTHDR_MAX || left < 8) {
            key->ipv6_exthdr = ieh;
            return;
        }
        if (rank == RANK_FRAG) {
            const struct ovs_16aligned_ip6_frag *frag
                = (const struct ovs_16aligned_ip6_frag *) p;

            len = sizeof *frag;
            /* Offset in the top 13 bits, M in the lowest. */
            if (frag->ip6f_offlg & htons(0xfff9)) {
                key->nw_frag = DP_FRAG_ANY;
                if (frag->ip6f_offlg & htons(0xfff8)) {
                    /* Later fragment: what follows is payload, not
                     * headers. */
                    key->nw_frag |= DP_FRAG_LATER;
                    key->ipv6_exthdr = ieh;
                    key->nw_proto = frag->ip6f_nxt;
                    return;
                }
            }
        } else if (rank == RANK_AUTH) {
            len = (p[1] + 2) * 4;
        } else {
            len = (p[1] + 1) * 8;
        }
        if (len > left) {
            key->ipv6_exthdr = ieh;
            return;
        }
        nxt = p[0];
        p += len;
        left -= len;
    }
}

/* IPv6 fixed header:
 *
 *    +-------+---------------+---------------------------------------+
 *    |Version| Traffic Class |              Flow Label               |
 *    +-------+-------+-------+-------+---------------+---------------+
 *    |         Payload Length        |  Next Header  |   Hop Limit   |
 *    +-------------------------------+---------------+---------------+
 *    |             Source Address, Destination Address               |
 *
 * A payload length past the end of the frame makes the header invalid (a
 * jumbogram's 0 is taken literally, as OVS does).  Bytes after the payload
 * are Ethernet padding. */
static void
parse_ipv6(struct dp_packet *pkt, const uint8_t *l3, size_t left,
           struct dp_key *key)
{
    const struct ovs_16aligned_ip6_hdr *ip6
        = (const struct ovs_16aligned_ip6_hdr *) l3;
    ovs_be32 vtc_flow;
    size_t plen;

    if (left < IPV6_HEADER_LEN) {
        return;
    }
    vtc_flow = get_16aligned_be32(&ip6->ip6_ctlun.ip6_un1.ip6_un1_flow);
    plen = ntohs(ip6->ip6_ctlun.ip6_un1.ip6_un1_plen);
    if ((ntohl(vtc_flow) >> 28) != 6 || plen > left - IPV6_HEADER_LEN) {
        return;
    }

    dp_packet_set_l3(pkt, CONST_CAST(uint8_t *, l3));
    dp_packet_set_l2_pad_size(pkt, left - IPV6_HEADER_LEN - plen);
    memcpy(&key->ipv6_src, &ip6->ip6_src, sizeof key->ipv6_src);
    memcpy(&key->ipv6_dst, &ip6->ip6_dst, sizeof key->ipv6_dst);
    key->ipv6_label = vtc_flow & htonl(IPV6_LABEL_MASK);
    key->nw_tos = ntohl(vtc_flow) >> 20;
    key->nw_ttl = ip6->ip6_ctlun.ip6_un1.ip6_un1_hlim;

    parse_ipv6_payload(pkt, l3 + IPV6_HEADER_LEN, plen,
                       ip6->ip6_ctlun.ip6_un1.ip6_un1_nxt, key);
}

/* ARP, Ethernet/IPv4 only: anything else leaves the ARP fields zero. */
static void
parse_arp(struct dp_packet *pkt, const uint8_t *l3, size_t left,
          struct dp_key *key)
{
    const struct arp_eth_header *arp = (const struct arp_eth_header *) l3;

    if (left < ARP_ETH_HEADER_LEN
        || arp->ar_hrd != htons(ARP_HRD_ETHERNET)
        || arp->ar_pro != htons(ARP_PRO_IP)
        || arp->ar_hln != ETH_ADDR_LEN
        || arp->ar_pln != 4) {
        return;
    }
    dp_packet_set_l3(pkt, CONST_CAST(uint8_t *, l3));
    /* OpenFlow's arp_op is 16 bits but the key keeps 8, like OVS: an opcode
     * that does not fit is 0. */
    if (!(arp->ar_op & htons(0xff00))) {
        key->nw_proto = ntohs(arp->ar_op);
    }
    key->nw_src = get_16aligned_be32(&arp->ar_spa);
    key->nw_dst = get_16aligned_be32(&arp->ar_tpa);
    key->arp_sha = arp->ar_sha;
    key->arp_tha = arp->ar_tha;
}

void
dp_parse(struct dp_packet *pkt, uint32_t in_port, uint32_t recirc_id,
         uint16_t vlan_tci, ovs_be16 vlan_tpid, struct dp_key *key)
{
    const uint8_t *frame;
    size_t size, ofs;
    ovs_be16 type;
    int n;

    memset(key, 0, sizeof *key);
    key->in_port = in_port;
    key->recirc_id = recirc_id;
    dp_packet_reset_offsets(pkt);

    if (OVS_UNLIKELY(vlan_tci || vlan_tpid)) {
        parse_insert_vlan(pkt, vlan_tci, vlan_tpid);
    }

    frame = dp_packet_data(pkt);
    size = dp_packet_size(pkt);
    if (OVS_UNLIKELY(size < ETH_HEADER_LEN)) {
        return;
    }

    /* Ethernet, then up to DP_VLAN_MAX VLAN headers.  A deeper tag is left
     * in the payload with 'dl_type' its TPID, as OVS does. */
    memcpy(&key->dl_dst, frame, ETH_ADDR_LEN);
    memcpy(&key->dl_src, frame + ETH_ADDR_LEN, ETH_ADDR_LEN);
    ofs = 2 * ETH_ADDR_LEN;
    type = rd_be16(frame + ofs);
    for (n = 0; n < DP_VLAN_MAX && dp_eth_type_is_vlan(type); n++) {
        if (size - ofs < VLAN_HEADER_LEN + 2) {
            /* Truncated tag: unparsed, like the rest. */
            break;
        }
        key->vlans[n].tpid = type;
        key->vlans[n].tci = rd_be16(frame + ofs + 2) | htons(VLAN_CFI);
        ofs += VLAN_HEADER_LEN;
        type = rd_be16(frame + ofs);
    }
    key->n_vlans = n;
    ofs += 2;

    if (OVS_UNLIKELY(ntohs(type) < ETH_TYPE_MIN)) {
        /* 802.3: a length, not an ethertype. */
        key->dl_type = htons(FLOW_DL_TYPE_NONE);
        return;
    }
    key->dl_type = type;
    if (OVS_UNLIKELY(size > UINT16_MAX)) {
        /* The layer offsets are 16 bits. */
        return;
    }

    if (type == htons(ETH_TYPE_IP)) {
        parse_ipv4(pkt, frame + ofs, size - ofs, key);
    } else if (type == htons(ETH_TYPE_IPV6)) {
        parse_ipv6(pkt, frame + ofs, size - ofs, key);
    } else if (eth_type_mpls(type)) {
        dp_packet_set_l2_5(pkt, CONST_CAST(uint8_t *, frame + ofs));
        parse_mpls(frame + ofs, size - ofs, key);
    } else if (type == htons(ETH_TYPE_ARP) || type == htons(ETH_TYPE_RARP)) {
        parse_arp(pkt, frame + ofs, size - ofs, key);
    } else if (type == htons(DP_ETH_TYPE_PBB) && size - ofs >= 4) {
        memcpy(&key->pbb_itag, frame + ofs, 4);
    }
}
