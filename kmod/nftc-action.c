/*
 * nftc-action.c: lowering OpenFlow action lists into nf_tables action
 * chains.
 *
 * Each action is asked, in this order:
 *
 *   1. the caller's extension decoder (nftc.h, "Extension actions"): an
 *      extension action lowers to the "mpls" expression of kmod/module,
 *      or stays in userspace (see ext_action());
 *   2. MPLS push/pop/set/dec_mpls_ttl: the "mpls" expression too, only
 *      when the kernel has it (see mpls_action()), userspace otherwise;
 *   3. the registry: each offloadable ofpact type is a "struct
 *      nftc_action_ops" in nftc_action_registry[], indexed by enum
 *      ofpact_type; a NULL slot is an action that stays in userspace
 *      (goto_table, controller, group, meter, ...).
 *
 * Set-field flavours all reduce to one payload rewrite ("struct
 * nftc_rewrite") with the checksum fix-up the kernel does itself; outputs
 * become "dup" (all but the last) and "fwd" (the last).  Each "mpls"
 * expression is a rule of its own (nftc-mpls.c encodes it, since libnftnl
 * does not know it).
 *
 * An action chain reads:
 *
 *   [rewrite ...]                       payload write, csum fix-up
 *   meta iif != IFINDEX dup to IFINDEX  every output but the last
 *   [rewrite ...]
 *   meta iif != IFINDEX fwd to IFINDEX  the last output
 *   drop                                the frame stays in the kernel
 *
 * The "meta iif !=" guard is OpenFlow's rule that output to the input port
 * sends nothing (only OFPP_IN_PORT does, which is not offloaded).
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <libnftnl/rule.h>

#include "kmod/nftc-private.h"
#include "kmod/nftc-mpls.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/util.h"
#include "packets.h"

/* Output. */
static ofp_port_t
output_port(const struct ofpact *a, struct ds *reason)
{
    ofp_port_t port = ofpact_get_OUTPUT(a)->port;

    if (ofp_to_u16(port) >= ofp_to_u16(OFPP_MAX)) {
        ds_put_cstr(reason, "output to a reserved port; ");
        return OFPP_NONE;
    }
    return port;
}

static const struct nftc_action_ops output_ops = {
    .name = "output",
    .kind = NFTC_ACT_OUTPUT,
    .output_port = output_port,
};

/* Rewrites. */
static void
rw_full(struct nftc_rewrite *rw, uint32_t base, uint32_t offset,
        const void *value, uint32_t len)
{
    memset(rw, 0, sizeof *rw);
    rw->base = base;
    rw->offset = offset;
    rw->len = len;
    memcpy(rw->value, value, len);
    rw->csum_type = NFT_PAYLOAD_CSUM_NONE;
}

static bool
is_ipv4(const struct nftc_l3ctx *l3)
{
    return l3->dl_type == htons(ETH_TYPE_IP);
}

static bool
is_ipv6(const struct nftc_l3ctx *l3)
{
    return l3->dl_type == htons(ETH_TYPE_IPV6);
}

static int
rw_eth(struct nftc_rewrite *rw, const struct eth_addr *mac, bool src)
{
    rw_full(rw, NFT_PAYLOAD_LL_HEADER, src ? ETH_ADDR_LEN : 0, mac,
            ETH_ADDR_LEN);
    return 0;
}

static int
rw_ipv4_addr(struct nftc_rewrite *rw, const struct nftc_l3ctx *l3,
             ovs_be32 addr, bool src, struct ds *reason)
{
    if (!is_ipv4(l3)) {
        ds_put_cstr(reason, "IPv4 rewrite without IPv4 match; ");
        return EOPNOTSUPP;
    }
    rw_full(rw, NFT_PAYLOAD_NETWORK_HEADER, src ? 12 : 16, &addr, 4);
    rw->csum_type = NFT_PAYLOAD_CSUM_INET;
    rw->csum_offset = 10;
    rw->csum_flags = NFT_PAYLOAD_L4CSUM_PSEUDOHDR;
    return 0;
}

static int
rw_ipv6_addr(struct nftc_rewrite *rw, const struct nftc_l3ctx *l3,
             const struct in6_addr *addr, bool src, struct ds *reason)
{
    if (!is_ipv6(l3)) {
        ds_put_cstr(reason, "IPv6 rewrite without IPv6 match; ");
        return EOPNOTSUPP;
    }
    rw_full(rw, NFT_PAYLOAD_NETWORK_HEADER, src ? 8 : 24, addr, 16);
    rw->csum_flags = NFT_PAYLOAD_L4CSUM_PSEUDOHDR;
    return 0;
}

/* 'tos' bits under 'tos_mask' replace those of the TOS/traffic class. */
static int
rw_tos(struct nftc_rewrite *rw, const struct nftc_l3ctx *l3, uint8_t tos,
       uint8_t tos_mask, struct ds *reason)
{
    if (is_ipv4(l3)) {
        /* The 16-bit word of version/IHL and TOS, not the TOS byte alone:
         * the kernel sums a rewritten range as if it began on an even
         * byte, so a 1-byte write at odd offset 1 would fix the header
         * checksum by 256 times the real difference. */
        uint8_t v[2] = { 0, tos & tos_mask };

        rw_full(rw, NFT_PAYLOAD_NETWORK_HEADER, 0, v, 2);
        rw->keep[0] = 0xff;
        rw->keep[1] = ~tos_mask;
        rw->csum_type = NFT_PAYLOAD_CSUM_INET;
        rw->csum_offset = 10;
    } else if (is_ipv6(l3)) {
        ovs_be16 v = htons((tos & tos_mask) << 4);
        ovs_be16 keep = htons(~(tos_mask << 4));

        rw_full(rw, NFT_PAYLOAD_NETWORK_HEADER, 0, &v, 2);
        memcpy(rw->keep, &keep, 2);
    } else {
        ds_put_cstr(reason, "DSCP/ECN rewrite without IP match; ");
        return EOPNOTSUPP;
    }
    rw->partial = true;
    return 0;
}

static int
rw_ttl(struct nftc_rewrite *rw, const struct nftc_l3ctx *l3, uint8_t ttl,
       struct ds *reason)
{
    if (is_ipv4(l3)) {
        rw_full(rw, NFT_PAYLOAD_NETWORK_HEADER, 8, &ttl, 1);
        rw->csum_type = NFT_PAYLOAD_CSUM_INET;
        rw->csum_offset = 10;
    } else if (is_ipv6(l3)) {
        rw_full(rw, NFT_PAYLOAD_NETWORK_HEADER, 7, &ttl, 1);
    } else {
        ds_put_cstr(reason, "TTL rewrite without IP match; ");
        return EOPNOTSUPP;
    }
    return 0;
}

static int
rw_l4_port(struct nftc_rewrite *rw, const struct nftc_l3ctx *l3,
           ovs_be16 port, bool src, struct ds *reason)
{
    if (!is_ipv4(l3) && !is_ipv6(l3)) {
        ds_put_cstr(reason, "L4 rewrite without IP match; ");
        return EOPNOTSUPP;
    }
    switch (l3->nw_proto) {
    case IPPROTO_TCP:
        rw_full(rw, NFT_PAYLOAD_TRANSPORT_HEADER, src ? 0 : 2, &port, 2);
        rw->csum_type = NFT_PAYLOAD_CSUM_INET;
        rw->csum_offset = 16;
        return 0;
    case IPPROTO_UDP:
        /* Not NFT_PAYLOAD_CSUM_INET at offset 6: that would also "fix" a
         * zero (absent) UDP checksum into a wrong nonzero one.  The L4
         * checksum update of the kernel (the flag) applies the same
         * difference but leaves a zero UDP checksum alone, as OVS does. */
        rw_full(rw, NFT_PAYLOAD_TRANSPORT_HEADER, src ? 0 : 2, &port, 2);
        rw->csum_flags = NFT_PAYLOAD_L4CSUM_PSEUDOHDR;
        return 0;
    default:
        ds_put_cstr(reason, "L4 port rewrite other than TCP/UDP; ");
        return EOPNOTSUPP;
    }
}

static int
set_field_rewrite(const struct ofpact *a, const struct nftc_l3ctx *l3,
                  struct nftc_rewrite *rw, struct ds *reason)
{
    const struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
    const struct mf_field *mf = sf->field;
    const union mf_value *value = sf->value;
    const union mf_value *mask = ofpact_set_field_mask(sf);

    if (!is_all_ones(mask, mf->n_bytes)) {
        ds_put_format(reason, "masked set_field of %s; ", mf->name);
        return EOPNOTSUPP;
    }
    switch ((int) mf->id) {
    case MFF_ETH_SRC:
        return rw_eth(rw, &value->mac, true);
    case MFF_ETH_DST:
        return rw_eth(rw, &value->mac, false);
    case MFF_IPV4_SRC:
        return rw_ipv4_addr(rw, l3, value->be32, true, reason);
    case MFF_IPV4_DST:
        return rw_ipv4_addr(rw, l3, value->be32, false, reason);
    case MFF_IPV6_SRC:
        return rw_ipv6_addr(rw, l3, &value->ipv6, true, reason);
    case MFF_IPV6_DST:
        return rw_ipv6_addr(rw, l3, &value->ipv6, false, reason);
    case MFF_IP_DSCP:
        return rw_tos(rw, l3, value->u8, IP_DSCP_MASK, reason);
    case MFF_IP_DSCP_SHIFTED:
        return rw_tos(rw, l3, value->u8 << 2, IP_DSCP_MASK, reason);
    case MFF_IP_ECN:
        return rw_tos(rw, l3, value->u8, IP_ECN_MASK, reason);
    case MFF_IP_TTL:
        return rw_ttl(rw, l3, value->u8, reason);
    case MFF_TCP_SRC:
    case MFF_UDP_SRC:
        return rw_l4_port(rw, l3, value->be16, true, reason);
    case MFF_TCP_DST:
    case MFF_UDP_DST:
        return rw_l4_port(rw, l3, value->be16, false, reason);
    }
    ds_put_format(reason, "set_field of %s; ", mf->name);
    return EOPNOTSUPP;
}

static const struct nftc_action_ops set_field_ops = {
    .name = "set_field",
    .kind = NFTC_ACT_REWRITE,
    .rewrite = set_field_rewrite,
};

static int
eth_rewrite(const struct ofpact *a, const struct nftc_l3ctx *l3 OVS_UNUSED,
            struct nftc_rewrite *rw, struct ds *reason OVS_UNUSED)
{
    const struct ofpact_mac *mac = ALIGNED_CAST(const struct ofpact_mac *, a);

    return rw_eth(rw, &mac->mac, a->type == OFPACT_SET_ETH_SRC);
}

static const struct nftc_action_ops set_eth_ops = {
    .name = "mod_dl_src/dst",
    .kind = NFTC_ACT_REWRITE,
    .rewrite = eth_rewrite,
};

static int
ipv4_rewrite(const struct ofpact *a, const struct nftc_l3ctx *l3,
             struct nftc_rewrite *rw, struct ds *reason)
{
    const struct ofpact_ipv4 *ip = ALIGNED_CAST(const struct ofpact_ipv4 *,
                                                a);

    return rw_ipv4_addr(rw, l3, ip->ipv4, a->type == OFPACT_SET_IPV4_SRC,
                        reason);
}

static const struct nftc_action_ops set_ipv4_ops = {
    .name = "mod_nw_src/dst",
    .kind = NFTC_ACT_REWRITE,
    .rewrite = ipv4_rewrite,
};

static int
dscp_rewrite(const struct ofpact *a, const struct nftc_l3ctx *l3,
             struct nftc_rewrite *rw, struct ds *reason)
{
    return rw_tos(rw, l3, ofpact_get_SET_IP_DSCP(a)->dscp, IP_DSCP_MASK,
                  reason);
}

static const struct nftc_action_ops set_dscp_ops = {
    .name = "mod_nw_tos",
    .kind = NFTC_ACT_REWRITE,
    .rewrite = dscp_rewrite,
};

static int
ecn_rewrite(const struct ofpact *a, const struct nftc_l3ctx *l3,
            struct nftc_rewrite *rw, struct ds *reason)
{
    return rw_tos(rw, l3, ofpact_get_SET_IP_ECN(a)->ecn, IP_ECN_MASK,
                  reason);
}

static const struct nftc_action_ops set_ecn_ops = {
    .name = "mod_nw_ecn",
    .kind = NFTC_ACT_REWRITE,
    .rewrite = ecn_rewrite,
};

static int
ttl_rewrite(const struct ofpact *a, const struct nftc_l3ctx *l3,
            struct nftc_rewrite *rw, struct ds *reason)
{
    return rw_ttl(rw, l3, ofpact_get_SET_IP_TTL(a)->ttl, reason);
}

static const struct nftc_action_ops set_ttl_ops = {
    .name = "mod_nw_ttl",
    .kind = NFTC_ACT_REWRITE,
    .rewrite = ttl_rewrite,
};

static int
l4_port_rewrite(const struct ofpact *a, const struct nftc_l3ctx *l3,
                struct nftc_rewrite *rw, struct ds *reason)
{
    const struct ofpact_l4_port *p
        = ALIGNED_CAST(const struct ofpact_l4_port *, a);

    return rw_l4_port(rw, l3, htons(p->port),
                      a->type == OFPACT_SET_L4_SRC_PORT, reason);
}

static const struct nftc_action_ops set_l4_port_ops = {
    .name = "mod_tp_src/dst",
    .kind = NFTC_ACT_REWRITE,
    .rewrite = l4_port_rewrite,
};

/* The registry.  Everything absent stays in userspace. */
const struct nftc_action_ops *const nftc_action_registry[N_OFPACTS] = {
    [OFPACT_OUTPUT] = &output_ops,
    [OFPACT_SET_FIELD] = &set_field_ops,
    [OFPACT_SET_ETH_SRC] = &set_eth_ops,
    [OFPACT_SET_ETH_DST] = &set_eth_ops,
    [OFPACT_SET_IPV4_SRC] = &set_ipv4_ops,
    [OFPACT_SET_IPV4_DST] = &set_ipv4_ops,
    [OFPACT_SET_IP_DSCP] = &set_dscp_ops,
    [OFPACT_SET_IP_ECN] = &set_ecn_ops,
    [OFPACT_SET_IP_TTL] = &set_ttl_ops,
    [OFPACT_SET_L4_SRC_PORT] = &set_l4_port_ops,
    [OFPACT_SET_L4_DST_PORT] = &set_l4_port_ops,
};
const size_t nftc_n_action_registry = ARRAY_SIZE(nftc_action_registry);

void
nftc_l3ctx_from_match(const struct match *match, struct nftc_l3ctx *l3)
{
    l3->dl_type = (match->wc.masks.dl_type == OVS_BE16_MAX
                   ? match->flow.dl_type : 0);
    l3->nw_proto = (match->wc.masks.nw_proto == UINT8_MAX
                    ? match->flow.nw_proto : 0);
}

/* MPLS, through the kernel's "mpls" expression (kmod/module), only when
 * nftc_has_mpls_expr(): without it these actions have no registry slot
 * and stay in userspace.
 *
 * Fills 'm' and returns true if 'a' is an MPLS action the expression
 * carries: push/pop, set of label/TC/TTL (and exact set_field of them and
 * of BOS), dec_mpls_ttl. */
static bool
mpls_action(const struct ofpact *a, struct nftc_mpls *m)
{
    memset(m, 0, sizeof *m);
    switch ((int) a->type) {
    case OFPACT_PUSH_MPLS:
        m->op = NFT_MPLS_OP_PUSH;
        m->ethertype = ntohs(ofpact_get_PUSH_MPLS(a)->ethertype);
        break;
    case OFPACT_POP_MPLS:
        m->op = NFT_MPLS_OP_POP;
        m->ethertype = ntohs(ofpact_get_POP_MPLS(a)->ethertype);
        break;
    case OFPACT_SET_MPLS_LABEL:
        m->op = NFT_MPLS_OP_SET;
        m->fields = NFTC_MPLS_F_LABEL;
        m->label = ntohl(ofpact_get_SET_MPLS_LABEL(a)->label);
        break;
    case OFPACT_SET_MPLS_TC:
        m->op = NFT_MPLS_OP_SET;
        m->fields = NFTC_MPLS_F_TC;
        m->tc = ofpact_get_SET_MPLS_TC(a)->tc;
        break;
    case OFPACT_SET_MPLS_TTL:
        m->op = NFT_MPLS_OP_SET;
        m->fields = NFTC_MPLS_F_TTL;
        m->ttl = ofpact_get_SET_MPLS_TTL(a)->ttl;
        break;
    case OFPACT_DEC_MPLS_TTL:
        m->op = NFT_MPLS_OP_DEC_TTL;
        break;
    case OFPACT_SET_FIELD: {
        const struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
        const struct mf_field *mf = sf->field;

        if (!is_all_ones(ofpact_set_field_mask(sf), mf->n_bytes)) {
            return false;
        }
        m->op = NFT_MPLS_OP_SET;
        switch ((int) mf->id) {
        case MFF_MPLS_LABEL:
            m->fields = NFTC_MPLS_F_LABEL;
            m->label = ntohl(sf->value->be32);
            break;
        case MFF_MPLS_TC:
            m->fields = NFTC_MPLS_F_TC;
            m->tc = sf->value->u8;
            break;
        case MFF_MPLS_BOS:
            m->fields = NFTC_MPLS_F_BOS;
            m->bos = sf->value->u8;
            break;
        case MFF_MPLS_TTL:
            m->fields = NFTC_MPLS_F_TTL;
            m->ttl = sf->value->u8;
            break;
        default:
            return false;
        }
        break;
    }
    default:
        return false;
    }
    return !nftc_mpls_check(m);
}

static const struct nftc_action_ops *
action_ops(const struct ofpact *a)
{
    return (a->type < nftc_n_action_registry
            ? nftc_action_registry[a->type] : NULL);
}

/* The frame as the actions before the current one leave it, as far as
 * the ethertype under an MPLS stack goes.  This mirrors ofproto-mpls/
 * xlate.c, which remembers the ethertype of the frame it pushes a stack
 * onto (when its stack depth is 0) and never forgets it; where the walk
 * cannot tell what xlate.c would remember, it says so. */
struct frame_walk {
    ovs_be16 dl_type;             /* Ethertype now, 0 if unknown. */
    ovs_be16 under;               /* What xlate.c remembers, 0 if nothing. */
    bool under_unknown;           /* xlate.c may remember something else. */
    bool popped_to_mpls;          /* A pop_mpls kept the frame MPLS, so
                                   * the stack may now be empty. */
};

static void
walk_init(struct frame_walk *w, const struct nftc_l3ctx *l3)
{
    memset(w, 0, sizeof *w);
    w->dl_type = l3->dl_type;
}

/* Moves 'w' past 'a'. */
static void
walk_step(struct frame_walk *w, const struct ofpact *a)
{
    if (a->type == OFPACT_PUSH_MPLS) {
        if (!w->dl_type || (eth_type_mpls(w->dl_type) && w->popped_to_mpls)) {
            /* Maybe onto an empty stack, of an ethertype we do not know. */
            w->under_unknown = true;
        } else if (!eth_type_mpls(w->dl_type)) {
            /* Onto no stack: xlate.c remembers this type. */
            w->under = w->dl_type;
            w->under_unknown = false;
        }
        w->dl_type = ofpact_get_PUSH_MPLS(a)->ethertype;
        w->popped_to_mpls = false;
    } else if (a->type == OFPACT_POP_MPLS) {
        ovs_be16 eth_type = ofpact_get_POP_MPLS(a)->ethertype;

        if (!w->dl_type) {
            /* Skipped if the frame is not MPLS: the type stays unknown. */
            w->popped_to_mpls |= eth_type_mpls(eth_type);
        } else if (eth_type_mpls(w->dl_type)) {
            w->popped_to_mpls |= eth_type_mpls(eth_type);
            w->dl_type = eth_type;
        }
    }
}

/* The ethertype that copy_ttl 'a' (with 'rest_len' bytes of actions from
 * 'a' on) passes the "mpls" expression, as xlate.c's
 * ethertype_under_stack() picks it: the remembered one, else that of the
 * first later pop_mpls.  Returns false if it cannot be known. */
static bool
walk_under(const struct frame_walk *w, const struct ofpact *a,
           size_t rest_len, uint16_t *ethertype)
{
    const struct ofpact *b;

    *ethertype = 0;
    if (w->dl_type && !eth_type_mpls(w->dl_type)) {
        return true;            /* Not MPLS: skipped on both sides. */
    } else if (w->under_unknown) {
        return false;
    } else if (w->under) {
        *ethertype = ntohs(w->under);
        return true;
    }
    OFPACT_FOR_EACH (b, a, rest_len) {
        if (b->type == OFPACT_POP_MPLS) {
            *ethertype = ntohs(ofpact_get_POP_MPLS(b)->ethertype);
            return true;
        }
    }
    return false;
}

/* How an action lowers, before the registry is asked. */
enum special {
    SPECIAL_NO,                   /* Ordinary: ask the registry. */
    SPECIAL_MPLS,                 /* A rule with "mpls" expression 'm'. */
    SPECIAL_REFUSED,              /* Stays in userspace; reason given. */
};

/* An extension action (nftc.h): 'ea', decoded from 'a'. */
static enum special
ext_action(const struct nftc *nftc, const struct nftc_ext_action *ea,
           const struct ofpact *a, size_t rest_len,
           const struct frame_walk *w, struct nftc_mpls *m,
           struct ds *reason)
{
    memset(m, 0, sizeof *m);
    m->op = __NFT_MPLS_OP_MAX;    /* Refused below if 'ea->op' is bad. */
    switch (ea->op) {
    case NFTC_EXT_NONE:
        ds_put_cstr(reason, "extension action; ");
        return SPECIAL_REFUSED;
    case NFTC_EXT_COPY_TTL_IN:
    case NFTC_EXT_COPY_TTL_OUT:
        m->op = (ea->op == NFTC_EXT_COPY_TTL_IN ? NFT_MPLS_OP_COPY_TTL_IN
                 : NFT_MPLS_OP_COPY_TTL_OUT);
        if (nftc_has_mpls_expr(nftc)
            && !walk_under(w, a, rest_len, &m->ethertype)) {
            /* A copy that might read or write something else than
             * userspace's would: better none. */
            ds_put_cstr(reason, "copy_ttl with the payload under the stack "
                        "unknown; ");
            return SPECIAL_REFUSED;
        }
        break;
    case NFTC_EXT_SET_MPLS_BOS:
        m->op = NFT_MPLS_OP_SET;
        m->fields = NFTC_MPLS_F_BOS;
        m->bos = MIN(ea->value, UINT8_MAX);
        break;
    }
    if (!nftc_has_mpls_expr(nftc)) {
        ds_put_cstr(reason, "extension action without the kernel's "
                    "\"mpls\" expression; ");
        return SPECIAL_REFUSED;
    }
    if (nftc_mpls_check(m)) {
        ds_put_cstr(reason, "extension action with a value the \"mpls\" "
                    "expression refuses; ");
        return SPECIAL_REFUSED;
    }
    return SPECIAL_MPLS;
}

/* Classifies 'a' ('rest_len' bytes of actions from 'a' on, 'w' the frame
 * before it): the extension decoder first, then MPLS. */
static enum special
special_action(const struct nftc *nftc, const struct ofpact *a,
               size_t rest_len, const struct frame_walk *w,
               struct nftc_mpls *m, struct ds *reason)
{
    struct nftc_ext_action ea;

    if (nftc->ext_decode && nftc->ext_decode(a, &ea)) {
        return ext_action(nftc, &ea, a, rest_len, w, m, reason);
    }
    return (nftc_has_mpls_expr(nftc) && mpls_action(a, m)
            ? SPECIAL_MPLS : SPECIAL_NO);
}

/* Bytes of 'ofpacts' (of 'len' bytes) from 'a' on. */
static size_t
ofpacts_rest(const struct ofpact *ofpacts, size_t len, const struct ofpact *a)
{
    return len - ((const uint8_t *) a - (const uint8_t *) ofpacts);
}

int
nftc_actions_check(const struct nftc *nftc, const struct ofpact *ofpacts,
                   size_t ofpacts_len, const struct nftc_l3ctx *l3,
                   struct ds *reason)
{
    const struct ofpact *a;
    struct frame_walk w;
    size_t n_rules = 1;
    int error = 0;
    bool touched = false;         /* An earlier action changed or sent the
                                   * frame. */
    bool reframed = false;        /* An earlier push/pop moved the network
                                   * header. */

    walk_init(&w, l3);
    OFPACT_FOR_EACH (a, ofpacts, ofpacts_len) {
        const struct nftc_action_ops *ops = action_ops(a);
        size_t rest = ofpacts_rest(ofpacts, ofpacts_len, a);
        struct nftc_rewrite rw;
        struct nftc_mpls m;
        ofp_port_t port;
        enum special special = special_action(nftc, a, rest, &w, &m,
                                              reason);

        walk_step(&w, a);
        switch (special) {
        case SPECIAL_MPLS:
            /* An expired TTL hands the frame to userspace, which runs the
             * flow again: the frame must be as it came, and not sent. */
            if (m.op == NFT_MPLS_OP_DEC_TTL && touched) {
                ds_put_cstr(reason, "dec_mpls_ttl after an action that "
                            "changes or outputs the frame; ");
                error = EOPNOTSUPP;
            }
            if (m.op == NFT_MPLS_OP_PUSH || m.op == NFT_MPLS_OP_POP) {
                reframed = true;
            }
            touched = true;
            n_rules++;
            continue;
        case SPECIAL_REFUSED:
            touched = true;
            error = EOPNOTSUPP;
            continue;
        case SPECIAL_NO:
            break;
        }
        touched = true;
        if (!ops) {
            ds_put_format(reason, "action %s; ", ofpact_name(a->type));
            error = EOPNOTSUPP;
            continue;
        }
        switch (ops->kind) {
        case NFTC_ACT_OUTPUT:
            port = ops->output_port(a, reason);
            if (port == OFPP_NONE) {
                error = EOPNOTSUPP;
            } else if (!nftc_port_find(nftc, port)) {
                ds_put_format(reason, "output to unknown port %"PRIu16"; ",
                              ofp_to_u16(port));
                error = EOPNOTSUPP;
            }
            break;
        case NFTC_ACT_REWRITE:
            if (ops->rewrite(a, l3, &rw, reason)) {
                error = EOPNOTSUPP;
            } else if (reframed && rw.base != NFT_PAYLOAD_LL_HEADER) {
                /* Its offsets are those of the frame the match saw. */
                ds_put_format(reason, "%s after push_mpls/pop_mpls; ",
                              ofpact_name(a->type));
                error = EOPNOTSUPP;
            }
            break;
        }
        n_rules++;
    }
    if (!error && n_rules > NFTC_ACT_RULES_MAX) {
        ds_put_cstr(reason, "too many actions; ");
        error = EOPNOTSUPP;
    }
    return error;
}

static void
emit_rewrite(struct nftnl_rule *r, const struct nftc_rewrite *rw)
{
    if (rw->partial) {
        nftc_expr_payload(r, rw->base, rw->offset, rw->len, NFT_REG32_00);
        nftc_expr_bitwise(r, NFT_REG32_00, rw->len, rw->keep, rw->value);
    } else {
        nftc_expr_imm_data(r, NFT_REG32_00, rw->value, rw->len);
    }
    nftc_expr_payload_write(r, rw, NFT_REG32_00);
}

static void
emit_output(struct nftnl_rule *r, int ifindex, bool last)
{
    uint32_t idx = ifindex;

    nftc_expr_meta(r, NFT_META_IIF, NFT_REG32_00);
    nftc_expr_cmp(r, NFT_REG32_00, NFT_CMP_NEQ, &idx, sizeof idx);
    nftc_expr_imm_data(r, NFT_REG32_00, &idx, sizeof idx);
    nftc_expr_fwd(r, NFT_REG32_00, !last);
}

size_t
nftc_actions_lower(const struct nftc *nftc, const char *table,
                   const char *chain, const struct ofpact *ofpacts,
                   size_t ofpacts_len, const struct nftc_l3ctx *l3,
                   struct nftnl_rule **rules, struct nftc_mpls *mpls,
                   size_t max_rules)
{
    struct ds scratch = DS_EMPTY_INITIALIZER;
    const struct ofpact *a, *last_output = NULL;
    struct frame_walk w;
    size_t n = 0;

    OFPACT_FOR_EACH (a, ofpacts, ofpacts_len) {
        if (a->type == OFPACT_OUTPUT) {
            last_output = a;
        }
    }

    /* Actions after the last output cannot change what leaves. */
    walk_init(&w, l3);
    OFPACT_FOR_EACH (a, ofpacts, last_output ? ofpacts_len : 0) {
        const struct nftc_action_ops *ops = action_ops(a);
        struct nftc_rewrite rw;
        struct nftnl_rule *r;
        struct nftc_mpls m;
        enum special special;

        if (n + 1 >= max_rules) {
            break;
        }
        mpls[n].op = __NFT_MPLS_OP_MAX;
        special = special_action(nftc, a,
                                 ofpacts_rest(ofpacts, ofpacts_len, a), &w,
                                 &m, &scratch);
        walk_step(&w, a);
        if (special == SPECIAL_MPLS) {
            /* No libnftnl expression: the caller adds the "mpls" one. */
            mpls[n] = m;
            rules[n++] = nftc_rule_new(table, chain);
            continue;
        }
        if (special == SPECIAL_REFUSED || !ops) {
            break;              /* Checked before: cannot happen. */
        }
        r = nftc_rule_new(table, chain);
        switch (ops->kind) {
        case NFTC_ACT_OUTPUT: {
            const struct nftc_port *port
                = nftc_port_find(nftc, ops->output_port(a, &scratch));

            if (port) {
                emit_output(r, port->ifindex, a == last_output);
            }
            break;
        }
        case NFTC_ACT_REWRITE:
            if (!ops->rewrite(a, l3, &rw, &scratch)) {
                emit_rewrite(r, &rw);
            }
            break;
        }
        rules[n++] = r;
        if (a == last_output) {
            break;
        }
    }

    ds_destroy(&scratch);

    rules[n] = nftc_rule_new(table, chain);
    nftc_expr_verdict(rules[n], NF_DROP, NULL);
    mpls[n].op = __NFT_MPLS_OP_MAX;
    return n + 1;
}
