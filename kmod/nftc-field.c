/*
 * nftc-field.c: lowering OpenFlow match fields into members of an
 * nf_tables concatenated key.
 *
 * Each field kind is a "struct nftc_field_ops"; nftc_field_registry[]
 * lists them in key order.  A field's value is loaded into registers by a
 * meta or payload expression, masked with a bitwise expression unless the
 * mask is all ones, and looked up with the other members of the key.  All
 * flows of one lookup share one mask, so masked keys are exact and a hash
 * map serves prefixes and arbitrary bit masks alike.
 */
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "kmod/nftc-private.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/util.h"
#include "packets.h"

/* Frames nf_tables may take: see nftc.h.  ETH_P_8021Q/8021AD appear
 * because the kernel strips the outer tag before nf ingress, so a
 * double-tagged frame shows its inner TPID as protocol. */
const ovs_be16 nftc_known_ethertypes[] = {
    CONSTANT_HTONS(ETH_P_IP),
    CONSTANT_HTONS(ETH_P_IPV6),
    CONSTANT_HTONS(ETH_P_ARP),
    CONSTANT_HTONS(ETH_P_MPLS_UC),
    CONSTANT_HTONS(ETH_P_MPLS_MC),
    CONSTANT_HTONS(ETH_P_8021Q),
    CONSTANT_HTONS(ETH_P_8021AD),
};
const size_t nftc_n_known_ethertypes = ARRAY_SIZE(nftc_known_ethertypes);

/* Offset of 'p', a pointer into 'match->wc.masks', inside struct flow. */
#define MASK_OFS(MATCH, P) ((const uint8_t *) (P) \
                            - (const uint8_t *) &(MATCH)->wc.masks)

static bool
bytes_zero(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static void
residual_clear(struct flow_wildcards *residual, size_t ofs, size_t n)
{
    memset((uint8_t *) &residual->masks + ofs, 0, n);
}

/* Fills 'kf' as a payload field from 'len' bytes of 'value'/'mask'. */
static void
kf_payload(struct nftc_kfield *kf, uint32_t base, uint32_t offset,
           const void *value, const void *mask, size_t len)
{
    const uint8_t *v = value, *m = mask;

    memset(kf, 0, sizeof *kf);
    kf->src = NFTC_SRC_PAYLOAD;
    kf->base = base;
    kf->offset = offset;
    kf->len = len;
    for (size_t i = 0; i < len; i++) {
        kf->mask[i] = m[i];
        kf->value[i] = v[i] & m[i];
    }
}

static void
kf_meta(struct nftc_kfield *kf, uint32_t key, const void *value,
        const void *mask, size_t len)
{
    kf_payload(kf, 0, 0, value, mask, len);
    kf->src = NFTC_SRC_META;
    kf->meta_key = key;
}

/* Lowers a struct flow member of 'len' bytes at 'flow_ofs' as payload
 * 'base'+'offset' verbatim. */
static enum nftc_field_result
lower_member(const struct match *match, struct flow_wildcards *residual,
             struct nftc_kfield *kf, size_t flow_ofs, size_t len,
             uint32_t base, uint32_t offset)
{
    const uint8_t *m = (const uint8_t *) &match->wc.masks + flow_ofs;
    const uint8_t *v = (const uint8_t *) &match->flow + flow_ofs;

    if (bytes_zero(m, len)) {
        return NFTC_FIELD_ABSENT;
    }
    kf_payload(kf, base, offset, v, m, len);
    residual_clear(residual, flow_ofs, len);
    return NFTC_FIELD_LOWERED;
}

static bool
dl_type_is(const struct match *match, uint16_t type)
{
    return match->wc.masks.dl_type == OVS_BE16_MAX
           && match->flow.dl_type == htons(type);
}

static bool
nw_proto_pinned(const struct match *match)
{
    return match->wc.masks.nw_proto == UINT8_MAX;
}

/* in_port: "meta iif", host byte order ifindex. */
static enum nftc_field_result
in_port_lower(const struct nftc *nftc, const struct match *match,
              struct flow_wildcards *residual, struct nftc_kfield *kf,
              struct ds *reason)
{
    ofp_port_t ofport = match->flow.in_port.ofp_port;
    const struct nftc_port *port;
    uint32_t ifindex, ones = UINT32_MAX;

    if (!match->wc.masks.in_port.ofp_port) {
        return NFTC_FIELD_ABSENT;
    }
    residual_clear(residual, offsetof(struct flow, in_port),
                   sizeof match->flow.in_port);
    port = nftc_port_find(nftc, ofport);
    if (match->wc.masks.in_port.ofp_port != u16_to_ofp(UINT16_MAX)
        || !port) {
        ds_put_format(reason, "in_port %"PRIu32" is not a port of the "
                      "bridge; ", ofp_to_u16(ofport));
        return NFTC_FIELD_UNSUPPORTED;
    }
    ifindex = port->ifindex;
    kf_meta(kf, NFT_META_IIF, &ifindex, &ones, sizeof ifindex);
    return NFTC_FIELD_LOWERED;
}

static const struct nftc_field_ops in_port_ops = {
    .name = "in_port",
    .lower = in_port_lower,
};

static enum nftc_field_result
eth_dst_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
              struct flow_wildcards *residual, struct nftc_kfield *kf,
              struct ds *reason OVS_UNUSED)
{
    return lower_member(match, residual, kf, offsetof(struct flow, dl_dst),
                        ETH_ADDR_LEN, NFT_PAYLOAD_LL_HEADER, 0);
}

static const struct nftc_field_ops eth_dst_ops = {
    .name = "eth_dst",
    .lower = eth_dst_lower,
};

static enum nftc_field_result
eth_src_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
              struct flow_wildcards *residual, struct nftc_kfield *kf,
              struct ds *reason OVS_UNUSED)
{
    return lower_member(match, residual, kf, offsetof(struct flow, dl_src),
                        ETH_ADDR_LEN, NFT_PAYLOAD_LL_HEADER, ETH_ADDR_LEN);
}

static const struct nftc_field_ops eth_src_ops = {
    .name = "eth_src",
    .lower = eth_src_lower,
};

/* VLAN: the kernel keeps a received tag out of the frame (skb->vlan_tci)
 * but the payload expression rebuilds it for link-layer reads, so bytes
 * 12..15 of the link-layer header are TPID and TCI when a tag is present
 * and the ethertype otherwise.  OVS's VLAN_CFI bit means "tag present". */
static enum nftc_field_result
vlan_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
           struct flow_wildcards *residual, struct nftc_kfield *kf,
           struct ds *reason)
{
    const union flow_vlan_hdr *vm = &match->wc.masks.vlans[0];
    const union flow_vlan_hdr *vv = &match->flow.vlans[0];
    uint16_t tci_mask = ntohs(vm->tci);
    uint8_t value[4], mask[4];

    if (!bytes_zero(&match->wc.masks.vlans[1],
                    sizeof match->wc.masks.vlans
                    - sizeof match->wc.masks.vlans[0])) {
        residual_clear(residual, offsetof(struct flow, vlans),
                       sizeof match->flow.vlans);
        ds_put_cstr(reason, "match on a second VLAN tag; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    if (!vm->qtag) {
        return NFTC_FIELD_ABSENT;
    }
    residual_clear(residual, offsetof(struct flow, vlans),
                   sizeof match->flow.vlans);
    if (!(tci_mask & VLAN_CFI)) {
        ds_put_cstr(reason, "VLAN match without tag presence; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    if (!(ntohs(vv->tci) & VLAN_CFI)) {
        /* No tag: bytes 12..13 are the ethertype itself. */
        if (match->wc.masks.dl_type != OVS_BE16_MAX
            || eth_type_vlan(match->flow.dl_type)) {
            ds_put_cstr(reason, "match on absent VLAN without eth_type; ");
            return NFTC_FIELD_UNSUPPORTED;
        }
        kf_payload(kf, NFT_PAYLOAD_LL_HEADER, 12, &match->flow.dl_type,
                   &match->wc.masks.dl_type, 2);
        return NFTC_FIELD_LOWERED;
    }

    ovs_be16 tpid = vm->tpid == OVS_BE16_MAX ? vv->tpid
                                             : htons(ETH_TYPE_VLAN_8021Q);
    uint16_t tci = ntohs(vv->tci) & ~VLAN_CFI;
    tci_mask &= ~VLAN_CFI;
    memcpy(value, &tpid, 2);
    mask[0] = mask[1] = 0xff;
    value[2] = tci >> 8;
    value[3] = tci & 0xff;
    mask[2] = tci_mask >> 8;
    mask[3] = tci_mask & 0xff;
    kf_payload(kf, NFT_PAYLOAD_LL_HEADER, 12, value, mask, 4);
    return NFTC_FIELD_LOWERED;
}

static const struct nftc_field_ops vlan_ops = {
    .name = "vlan",
    .lower = vlan_lower,
};

/* eth_type: "meta protocol", which is the inner type of a tagged frame,
 * as OVS's dl_type is. */
static enum nftc_field_result
dl_type_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
              struct flow_wildcards *residual, struct nftc_kfield *kf,
              struct ds *reason)
{
    if (!match->wc.masks.dl_type) {
        return NFTC_FIELD_ABSENT;
    }
    residual_clear(residual, offsetof(struct flow, dl_type), 2);
    if (match->wc.masks.dl_type != OVS_BE16_MAX) {
        ds_put_cstr(reason, "masked eth_type; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    kf_meta(kf, NFT_META_PROTOCOL, &match->flow.dl_type,
            &match->wc.masks.dl_type, 2);
    return NFTC_FIELD_LOWERED;
}

static const struct nftc_field_ops dl_type_ops = {
    .name = "eth_type",
    .lower = dl_type_lower,
};

/* MPLS: the top label stack entry, raw, at the network header (the kernel
 * sets it right after the Ethernet header for any protocol). */
static enum nftc_field_result
mpls_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
           struct flow_wildcards *residual, struct nftc_kfield *kf,
           struct ds *reason)
{
    const ovs_be32 *m = match->wc.masks.mpls_lse;

    if (!bytes_zero(&m[1], sizeof match->wc.masks.mpls_lse - sizeof m[0])) {
        residual_clear(residual, offsetof(struct flow, mpls_lse),
                       sizeof match->flow.mpls_lse);
        ds_put_cstr(reason, "match below the top MPLS label; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    if (!m[0]) {
        return NFTC_FIELD_ABSENT;
    }
    return lower_member(match, residual, kf,
                        offsetof(struct flow, mpls_lse), 4,
                        NFT_PAYLOAD_NETWORK_HEADER, 0);
}

static const struct nftc_field_ops mpls_ops = {
    .name = "mpls_lse",
    .lower = mpls_lower,
};

/* nw_src and nw_dst hold IPv4 addresses or ARP SPA/TPA. */
static enum nftc_field_result
nw_addr_lower(const struct match *match, struct flow_wildcards *residual,
              struct nftc_kfield *kf, struct ds *reason, bool src)
{
    size_t ofs = src ? offsetof(struct flow, nw_src)
                     : offsetof(struct flow, nw_dst);

    if (bytes_zero((const uint8_t *) &match->wc.masks + ofs, 4)) {
        return NFTC_FIELD_ABSENT;
    }
    if (dl_type_is(match, ETH_TYPE_IP)) {
        return lower_member(match, residual, kf, ofs, 4,
                            NFT_PAYLOAD_NETWORK_HEADER, src ? 12 : 16);
    } else if (dl_type_is(match, ETH_TYPE_ARP)) {
        return lower_member(match, residual, kf, ofs, 4,
                            NFT_PAYLOAD_NETWORK_HEADER, src ? 14 : 24);
    }
    residual_clear(residual, ofs, 4);
    ds_put_cstr(reason, "nw address without IPv4/ARP eth_type; ");
    return NFTC_FIELD_UNSUPPORTED;
}

static enum nftc_field_result
nw_src_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
             struct flow_wildcards *residual, struct nftc_kfield *kf,
             struct ds *reason)
{
    return nw_addr_lower(match, residual, kf, reason, true);
}

static const struct nftc_field_ops nw_src_ops = {
    .name = "nw_src",
    .lower = nw_src_lower,
};

static enum nftc_field_result
nw_dst_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
             struct flow_wildcards *residual, struct nftc_kfield *kf,
             struct ds *reason)
{
    return nw_addr_lower(match, residual, kf, reason, false);
}

static const struct nftc_field_ops nw_dst_ops = {
    .name = "nw_dst",
    .lower = nw_dst_lower,
};

static enum nftc_field_result
ipv6_addr_lower(const struct match *match, struct flow_wildcards *residual,
                struct nftc_kfield *kf, struct ds *reason, bool src)
{
    size_t ofs = src ? offsetof(struct flow, ipv6_src)
                     : offsetof(struct flow, ipv6_dst);

    if (bytes_zero((const uint8_t *) &match->wc.masks + ofs, 16)) {
        return NFTC_FIELD_ABSENT;
    }
    if (!dl_type_is(match, ETH_TYPE_IPV6)) {
        residual_clear(residual, ofs, 16);
        ds_put_cstr(reason, "IPv6 address without IPv6 eth_type; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    return lower_member(match, residual, kf, ofs, 16,
                        NFT_PAYLOAD_NETWORK_HEADER, src ? 8 : 24);
}

static enum nftc_field_result
ipv6_src_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
               struct flow_wildcards *residual, struct nftc_kfield *kf,
               struct ds *reason)
{
    return ipv6_addr_lower(match, residual, kf, reason, true);
}

static const struct nftc_field_ops ipv6_src_ops = {
    .name = "ipv6_src",
    .lower = ipv6_src_lower,
};

static enum nftc_field_result
ipv6_dst_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
               struct flow_wildcards *residual, struct nftc_kfield *kf,
               struct ds *reason)
{
    return ipv6_addr_lower(match, residual, kf, reason, false);
}

static const struct nftc_field_ops ipv6_dst_ops = {
    .name = "ipv6_dst",
    .lower = ipv6_dst_lower,
};

/* nw_proto: "meta l4proto" for IP (the protocol after IPv6 extension
 * headers, as OVS's); for ARP the opcode, of which OpenFlow's key keeps
 * the low byte and only if the high one is zero (an opcode over 255 is
 * 0).  So arp_op=V (V nonzero under the mask) is the whole 16-bit opcode
 * compared with V; a match any 0 satisfies would also take opcodes over
 * 255, which the kernel cannot express alongside: it stays in
 * userspace. */
static enum nftc_field_result
nw_proto_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
               struct flow_wildcards *residual, struct nftc_kfield *kf,
               struct ds *reason)
{
    if (!match->wc.masks.nw_proto) {
        return NFTC_FIELD_ABSENT;
    }
    if (dl_type_is(match, ETH_TYPE_ARP)) {
        uint8_t m = match->wc.masks.nw_proto;
        uint8_t v = match->flow.nw_proto & m;
        residual_clear(residual, offsetof(struct flow, nw_proto), 1);
        if (!v) {
            ds_put_cstr(reason, "arp_op matched against 0 (opcodes over 255 "
                        "are 0 in OpenFlow's key); ");
            return NFTC_FIELD_UNSUPPORTED;
        }
        const uint8_t value[2] = { 0, v }, mask[2] = { 0xff, m };
        kf_payload(kf, NFT_PAYLOAD_NETWORK_HEADER, 6, value, mask, 2);
        return NFTC_FIELD_LOWERED;
    }
    residual_clear(residual, offsetof(struct flow, nw_proto), 1);
    if (!dl_type_is(match, ETH_TYPE_IP) && !dl_type_is(match, ETH_TYPE_IPV6)) {
        ds_put_cstr(reason, "nw_proto without IP/ARP eth_type; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    kf_meta(kf, NFT_META_L4PROTO, &match->flow.nw_proto,
            &match->wc.masks.nw_proto, 1);
    return NFTC_FIELD_LOWERED;
}

static const struct nftc_field_ops nw_proto_ops = {
    .name = "nw_proto",
    .lower = nw_proto_lower,
};

/* DSCP and ECN: the IPv4 TOS byte; in IPv6 the traffic class straddles
 * bytes 0 and 1, so it is read as a 16-bit word shifted left by 4. */
static enum nftc_field_result
nw_tos_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
             struct flow_wildcards *residual, struct nftc_kfield *kf,
             struct ds *reason)
{
    uint8_t m = match->wc.masks.nw_tos, v = match->flow.nw_tos;

    if (!m) {
        return NFTC_FIELD_ABSENT;
    }
    residual_clear(residual, offsetof(struct flow, nw_tos), 1);
    if (dl_type_is(match, ETH_TYPE_IP)) {
        kf_payload(kf, NFT_PAYLOAD_NETWORK_HEADER, 1, &v, &m, 1);
    } else if (dl_type_is(match, ETH_TYPE_IPV6)) {
        ovs_be16 v16 = htons(v << 4), m16 = htons(m << 4);
        kf_payload(kf, NFT_PAYLOAD_NETWORK_HEADER, 0, &v16, &m16, 2);
    } else {
        ds_put_cstr(reason, "DSCP/ECN without IP eth_type; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    return NFTC_FIELD_LOWERED;
}

static const struct nftc_field_ops nw_tos_ops = {
    .name = "nw_tos",
    .lower = nw_tos_lower,
};

static enum nftc_field_result
nw_ttl_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
             struct flow_wildcards *residual, struct nftc_kfield *kf,
             struct ds *reason)
{
    if (!match->wc.masks.nw_ttl) {
        return NFTC_FIELD_ABSENT;
    }
    if (dl_type_is(match, ETH_TYPE_IP) || dl_type_is(match, ETH_TYPE_IPV6)) {
        return lower_member(match, residual, kf,
                            offsetof(struct flow, nw_ttl), 1,
                            NFT_PAYLOAD_NETWORK_HEADER,
                            dl_type_is(match, ETH_TYPE_IP) ? 8 : 7);
    }
    residual_clear(residual, offsetof(struct flow, nw_ttl), 1);
    ds_put_cstr(reason, "TTL without IP eth_type; ");
    return NFTC_FIELD_UNSUPPORTED;
}

static const struct nftc_field_ops nw_ttl_ops = {
    .name = "nw_ttl",
    .lower = nw_ttl_lower,
};

/* L4 fields.  See l4_zero_ambiguous() for fragments. */
static enum nftc_field_result
tp_lower(const struct match *match, struct flow_wildcards *residual,
         struct nftc_kfield *kf, struct ds *reason, bool src)
{
    size_t ofs = src ? offsetof(struct flow, tp_src)
                     : offsetof(struct flow, tp_dst);
    ovs_be16 m = src ? match->wc.masks.tp_src : match->wc.masks.tp_dst;
    ovs_be16 v = src ? match->flow.tp_src : match->flow.tp_dst;
    uint8_t proto = match->flow.nw_proto;

    if (!m) {
        return NFTC_FIELD_ABSENT;
    }
    residual_clear(residual, ofs, 2);
    if (!nw_proto_pinned(match)
        || !(dl_type_is(match, ETH_TYPE_IP)
             || dl_type_is(match, ETH_TYPE_IPV6))) {
        ds_put_cstr(reason, "L4 field without IP protocol; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    switch (proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        kf_payload(kf, NFT_PAYLOAD_TRANSPORT_HEADER, src ? 0 : 2, &v, &m, 2);
        return NFTC_FIELD_LOWERED;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: {
        /* OVS keeps the ICMP type in tp_src, the code in tp_dst. */
        uint8_t v8 = ntohs(v) & 0xff, m8 = ntohs(m) & 0xff;

        kf_payload(kf, NFT_PAYLOAD_TRANSPORT_HEADER, src ? 0 : 1,
                   &v8, &m8, 1);
        return NFTC_FIELD_LOWERED;
    }
    default:
        ds_put_format(reason, "L4 field of IP protocol %u; ", proto);
        return NFTC_FIELD_UNSUPPORTED;
    }
}

static enum nftc_field_result
tp_src_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
             struct flow_wildcards *residual, struct nftc_kfield *kf,
             struct ds *reason)
{
    return tp_lower(match, residual, kf, reason, true);
}

static const struct nftc_field_ops tp_src_ops = {
    .name = "tp_src",
    .lower = tp_src_lower,
};

static enum nftc_field_result
tp_dst_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
             struct flow_wildcards *residual, struct nftc_kfield *kf,
             struct ds *reason)
{
    return tp_lower(match, residual, kf, reason, false);
}

static const struct nftc_field_ops tp_dst_ops = {
    .name = "tp_dst",
    .lower = tp_dst_lower,
};

/* tcp_flags: the low 12 bits of TCP header bytes 12..13. */
static enum nftc_field_result
tcp_flags_lower(const struct nftc *nftc OVS_UNUSED, const struct match *match,
                struct flow_wildcards *residual, struct nftc_kfield *kf,
                struct ds *reason)
{
    ovs_be16 m = match->wc.masks.tcp_flags & htons(0x0fff);

    if (!match->wc.masks.tcp_flags) {
        return NFTC_FIELD_ABSENT;
    }
    residual_clear(residual, offsetof(struct flow, tcp_flags), 2);
    if (!nw_proto_pinned(match) || match->flow.nw_proto != IPPROTO_TCP) {
        ds_put_cstr(reason, "tcp_flags without TCP; ");
        return NFTC_FIELD_UNSUPPORTED;
    }
    kf_payload(kf, NFT_PAYLOAD_TRANSPORT_HEADER, 12, &match->flow.tcp_flags,
               &m, 2);
    return NFTC_FIELD_LOWERED;
}

static const struct nftc_field_ops tcp_flags_ops = {
    .name = "tcp_flags",
    .lower = tcp_flags_lower,
};

/* An IPv4 flow matching L4 fields: OpenFlow's key has them 0 in a later
 * fragment, and the kernel reads a later fragment's payload as if it were
 * the L4 header at ingress (IPv6's it does not), so the key also requires
 * a fragment offset of 0.  (A match that 0 satisfies is not offloaded at
 * all, see l4_zero_ambiguous().) */
static enum nftc_field_result
ipv4_not_later_lower(const struct nftc *nftc OVS_UNUSED,
                     const struct match *match,
                     struct flow_wildcards *residual OVS_UNUSED,
                     struct nftc_kfield *kf, struct ds *reason OVS_UNUSED)
{
    const struct flow_wildcards *wc = &match->wc;

    if (!dl_type_is(match, ETH_TYPE_IP) || wc->masks.nw_frag
        || !(wc->masks.tp_src || wc->masks.tp_dst || wc->masks.tcp_flags)) {
        return NFTC_FIELD_ABSENT;
    }
    static const uint8_t zero[2] = { 0, 0 }, offset[2] = { 0x1f, 0xff };
    kf_payload(kf, NFT_PAYLOAD_NETWORK_HEADER, 6, zero, offset, 2);
    return NFTC_FIELD_LOWERED;
}

static const struct nftc_field_ops ipv4_not_later_ops = {
    .name = "ipv4 fragment offset",
    .lower = ipv4_not_later_lower,
};

/* The registry, in key order. */
const struct nftc_field_ops *const nftc_field_registry[] = {
    &in_port_ops,
    &eth_dst_ops,
    &eth_src_ops,
    &vlan_ops,
    &dl_type_ops,
    &mpls_ops,
    &nw_src_ops,
    &nw_dst_ops,
    &ipv6_src_ops,
    &ipv6_dst_ops,
    &nw_proto_ops,
    &nw_tos_ops,
    &nw_ttl_ops,
    &tp_src_ops,
    &tp_dst_ops,
    &tcp_flags_ops,
    &ipv4_not_later_ops,
};
const size_t nftc_n_fields = ARRAY_SIZE(nftc_field_registry);
BUILD_ASSERT_DECL(ARRAY_SIZE(nftc_field_registry) <= NFTC_FIELD_MAX);

size_t
nftc_key_len(const struct nftc_key *key)
{
    size_t len = 0;

    for (size_t i = 0; i < key->n; i++) {
        len += nftc_kfield_width(&key->f[i]);
    }
    return len;
}

bool
nftc_kfield_is_exact(const struct nftc_kfield *kf)
{
    for (size_t i = 0; i < kf->len; i++) {
        if (kf->mask[i] != 0xff) {
            return false;
        }
    }
    return true;
}

/* The key as the kernel compares it: each member padded with zeros to a
 * multiple of 4 bytes (the payload and meta expressions zero the rest of
 * their last register). */
void
nftc_key_bytes(const struct nftc_key *key, uint8_t out[NFTC_KEY_MAX])
{
    size_t pos = 0;

    memset(out, 0, NFTC_KEY_MAX);
    for (size_t i = 0; i < key->n; i++) {
        const struct nftc_kfield *kf = &key->f[i];

        memcpy(out + pos, kf->value, kf->len);
        pos += nftc_kfield_width(kf);
    }
}

/* nf_tables does not read the transport header of a later IPv4/IPv6
 * fragment (the payload expression breaks), where OVS sees L4 fields of
 * zero.  A match that any later fragment satisfies in OpenFlow (every L4
 * field it uses matched against zero, fragments not excluded) would then
 * differ, and a lower-priority offloaded flow could take the fragment. */
static bool
l4_zero_ambiguous(const struct match *match)
{
    const struct flow_wildcards *wc = &match->wc;
    const struct flow *flow = &match->flow;

    if (!(wc->masks.tp_src || wc->masks.tp_dst || wc->masks.tcp_flags)
        || wc->masks.nw_frag) {
        return false;
    }
    return !((flow->tp_src & wc->masks.tp_src)
             || (flow->tp_dst & wc->masks.tp_dst)
             || (flow->tcp_flags & wc->masks.tcp_flags));
}

/* Name of some field of 'residual' that is not all-wildcarded. */
static const char *
residual_field_name(const struct flow_wildcards *residual)
{
    for (int id = 0; id < MFF_N_IDS; id++) {
        const struct mf_field *mf = mf_from_id(id);

        if (!mf_is_all_wild(mf, residual)) {
            return mf->name;
        }
    }
    return "an unnamed field";
}

int
nftc_match_lower(const struct nftc *nftc, const struct match *match,
                 struct nftc_key *key, struct ds *reason)
{
    struct flow_wildcards residual = match->wc;
    int error = 0;

    key->n = 0;
    for (size_t i = 0; i < nftc_n_fields; i++) {
        const struct nftc_field_ops *ops = nftc_field_registry[i];
        struct nftc_kfield *kf = &key->f[key->n];

        switch (ops->lower(nftc, match, &residual, kf, reason)) {
        case NFTC_FIELD_ABSENT:
            break;
        case NFTC_FIELD_LOWERED:
            kf->ops = ops;
            key->n++;
            break;
        case NFTC_FIELD_UNSUPPORTED:
            error = EOPNOTSUPP;
            break;
        }
    }

    if (l4_zero_ambiguous(match)) {
        ds_put_cstr(reason, "L4 match on all-zero values (a later fragment "
                    "would match in OpenFlow, not in nf_tables); ");
        error = EOPNOTSUPP;
    }

    /* An Ethernet packet_type is what a netdev ingress hook sees. */
    if (residual.masks.packet_type
        && match->flow.packet_type == htonl(PT_ETH)) {
        residual.masks.packet_type = 0;
    }
    if (!flow_wildcards_is_catchall(&residual)) {
        ds_put_format(reason, "match on %s; ",
                      residual_field_name(&residual));
        error = EOPNOTSUPP;
    }

    if (nftc_key_len(key) > NFTC_KEY_MAX) {
        ds_put_format(reason, "key of %"PRIuSIZE" bytes exceeds the %d "
                      "bytes of nf_tables registers; ",
                      nftc_key_len(key), NFTC_KEY_MAX);
        while (nftc_key_len(key) > NFTC_KEY_MAX) {
            key->n--;
        }
        error = E2BIG;
    }
    return error;
}
