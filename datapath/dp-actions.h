/*
 * datapath/dp-actions.h: datapath actions and their executor.
 *
 * What?
 * =====
 *
 * A datapath flow's actions are a flat array of fixed-size 'struct
 * dp_action's, produced by translation (ofproto-mpls/xlate.h) and executed
 * here on one packet at a time, in order.  There is no OpenFlow in this
 * layer: by the time actions get here, the action set has been ordered,
 * groups resolved, and output to OFPP_IN_PORT, OFPP_ALL... expanded into
 * port numbers.
 *
 * The executor keeps the packet's layer offsets (dp_packet's l2_5/l3/l4)
 * correct across pushes and pops, and fixes IPv4 and L4 checksums
 * incrementally on every rewrite.  Pushes use the packet's headroom (a
 * packet without 4 bytes of it is reallocated).  It trusts the offsets as
 * dp_parse() sets them (dp-parse.h, "Layer offsets"): an L3 or L4 rewrite
 * applies iff l3 (l4) is set and holds the right protocol.  After
 * push_mpls, l3 and l4 keep pointing at the headers now under the stack, so
 * set-field actions that the action set orders after the push still apply;
 * after the pop of the last entry of a parsed MPLS packet they stay unset,
 * so L3/L4 actions need a recirculation (EINVAL otherwise).
 *
 * VLAN: push_vlan inserts the new outermost header right after the MAC
 * addresses; the CFI/DEI bit of its TCI is always written as 0 (in keys it
 * is the "present" marker).  pop_vlan and set_vlan_* act on the outermost
 * header (TPID 0x8100, 0x88a8 or 0x9100).  push_mpls goes after all VLAN
 * headers (OpenFlow 1.3 order), set_eth_* needs a complete Ethernet header.
 *
 * MPLS semantics (OpenFlow 1.3.5, section 5.12 and 7.2.4):
 *
 *   push_mpls     new top entry: label and TC from the old top entry if
 *                 there is one, else 0; TTL from the old top entry, else
 *                 from the IPv4/IPv6 header right under Ethernet/VLAN,
 *                 else 0; BOS set iff the packet had no MPLS before.
 *   pop_mpls      removes the top entry and writes 'eth_type' as the new
 *                 ethertype.  Popping the last entry with eth_type 0x6558
 *                 (Ethernet over MPLS) drops the outer Ethernet header and
 *                 label stack: the inner frame becomes the packet.
 *   dec_mpls_ttl  and dec_nw_ttl: a TTL of 0 or 1 cannot be decremented;
 *                 the executor calls 'ops->userspace' with the dec action
 *                 itself (reason invalid TTL) and stops: the packet is not
 *                 forwarded.
 *   copy_ttl_out  top.ttl = next entry's TTL; with a single entry, the IP
 *                 header's TTL if 'be16' (the ethertype under the stack,
 *                 known to translation) is IPv4 or IPv6; else no change.
 *   copy_ttl_in   the reverse: next entry's (or the IP header's) TTL =
 *                 top.ttl, with IPv4's checksum fixed.
 *
 * Thread-safety
 * =============
 *
 * dp_execute() is reentrant: it touches only the packet it is given and
 * calls back through 'ops'.
 */
#ifndef DATAPATH_DP_ACTIONS_H
#define DATAPATH_DP_ACTIONS_H 1

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "openvswitch/types.h"
#include "openvswitch/packets.h"
#include "datapath/dp-key.h"

struct dp_packet;
struct ds;

/* Action types.  Operands are named per type; unnamed members are zero. */
enum dp_action_type {
    DPA_OUTPUT,             /* u32: port. */
    DPA_USERSPACE,          /* To the controller: u8: reason (enum
                             * ofp_packet_in_reason), u32: max_len,
                             * be16: table id (host order in low byte),
                             * cookie: flow cookie. */
    DPA_RECIRC,             /* u32: recirculation id.  Re-parses the
                             * packet and looks it up again. */
    DPA_METER,              /* u32: meter id; the packet may be dropped. */
    DPA_CLONE,              /* u32: the next 'u32' actions run on a copy of
                             * the packet (an "all" group's bucket); the
                             * original then continues after them. */

    DPA_PUSH_VLAN,          /* be16: TPID; u32: TCI (host order, VID and
                             * PCP of the new header). */
    DPA_POP_VLAN,
    DPA_SET_VLAN_VID,       /* u32: VID (12 bits) of the outer header. */
    DPA_SET_VLAN_PCP,       /* u8: PCP (3 bits) of the outer header. */

    DPA_PUSH_MPLS,          /* be16: ethertype 0x8847 or 0x8848. */
    DPA_POP_MPLS,           /* be16: ethertype after the pop. */
    DPA_SET_MPLS_LABEL,     /* u32: label (20 bits) of the top entry. */
    DPA_SET_MPLS_TC,        /* u8: TC (3 bits). */
    DPA_SET_MPLS_BOS,       /* u8: BOS (1 bit). */
    DPA_SET_MPLS_TTL,       /* u8: TTL. */
    DPA_DEC_MPLS_TTL,
    DPA_COPY_TTL_OUT,       /* be16: ethertype under the stack, or 0. */
    DPA_COPY_TTL_IN,        /* be16: ethertype under the stack, or 0. */

    DPA_SET_ETH_SRC,        /* mac. */
    DPA_SET_ETH_DST,        /* mac. */
    DPA_SET_IPV4_SRC,       /* ip4. */
    DPA_SET_IPV4_DST,       /* ip4. */
    DPA_SET_IPV6_SRC,       /* ip6. */
    DPA_SET_IPV6_DST,       /* ip6. */
    DPA_SET_IPV6_LABEL,     /* u32: flow label (20 bits). */
    DPA_SET_IP_DSCP,        /* u8: DSCP (6 bits), IPv4 or IPv6. */
    DPA_SET_IP_ECN,         /* u8: ECN (2 bits). */
    DPA_SET_IP_TTL,         /* u8: TTL / hop limit. */
    DPA_DEC_NW_TTL,
    DPA_SET_TP_SRC,         /* be16: TCP, UDP or SCTP source port. */
    DPA_SET_TP_DST,         /* be16: TCP, UDP or SCTP destination port. */
    DPA_SET_ICMP_TYPE,      /* u8: ICMPv4 or ICMPv6 type. */
    DPA_SET_ICMP_CODE,      /* u8: ICMPv4 or ICMPv6 code. */
    DPA_SET_ARP_OP,         /* be16: opcode. */
    DPA_SET_ARP_SPA,        /* ip4. */
    DPA_SET_ARP_TPA,        /* ip4. */
    DPA_SET_ARP_SHA,        /* mac. */
    DPA_SET_ARP_THA,        /* mac. */
    DPA_PUSH_PBB,           /* be16: ethertype (0x88e7).  A new backbone
                             * header: the customer addresses copied, the
                             * ethertype, an I-TAG of zeros. */
    DPA_POP_PBB,            /* Removes everything up to the end of the
                             * I-TAG: the customer frame is the packet. */
    DPA_SET_PBB_ISID,       /* u32: I-SID (24 bits) of the I-TAG. */

    DPA__MAX
};

/* One datapath action: 24 bytes, no pointers, so an action list can be
 * copied, hashed and compared as bytes. */
struct dp_action {
    uint8_t type;           /* enum dp_action_type. */
    uint8_t u8;             /* Small operand. */
    ovs_be16 be16;          /* Ethertype, TPID or L4 port operand. */
    uint32_t u32;           /* Port, label, VID, recirc id, max_len... */
    union {
        struct eth_addr mac;
        ovs_be32 ip4;
        struct in6_addr ip6;
        ovs_be64 cookie;
    };
};
BUILD_ASSERT_DECL(sizeof(struct dp_action) == 24);

/* Callbacks through which the executor hands packets out.  None of them
 * may keep 'pkt' after returning (copy it to keep it), and none may modify
 * it.  A NULL 'output', 'userspace' or 'recirc' silently skips that
 * action; execution goes on after each of them. */
struct dp_exec_ops {
    /* Transmit 'pkt' on datapath port 'port'. */
    void (*output)(void *aux, const struct dp_packet *pkt, uint32_t port);

    /* DPA_USERSPACE, and DPA_DEC_MPLS_TTL / DPA_DEC_NW_TTL on an invalid
     * TTL ('action' is then the dec action itself). */
    void (*userspace)(void *aux, const struct dp_packet *pkt,
                      const struct dp_action *action);

    /* DPA_RECIRC: re-inject 'pkt' with 'recirc_id'. */
    void (*recirc)(void *aux, const struct dp_packet *pkt,
                   uint32_t recirc_id);

    /* DPA_METER: returns true if 'pkt' may pass meter 'meter_id', false if
     * it must be dropped.  The only callback that may modify 'pkt' (a
     * meter band may remark its DSCP).  May be NULL: every packet
     * passes. */
    bool (*meter)(void *aux, struct dp_packet *pkt, uint32_t meter_id);
};

/* Executes the 'n' actions in 'actions' on 'pkt', in order.  'pkt' must
 * have been through dp_parse() (its layer offsets are used and kept up to
 * date).  The caller keeps ownership of 'pkt'; it is modified in place.
 *
 * Returns 0 when every action ran, or a positive errno value when the
 * executor stopped early: EINVAL for an action that does not apply to the
 * packet (pop_mpls on a packet without MPLS, set IPv4 field on ARP...; the
 * packet is then dropped and the caller counts it), ETIME for an invalid
 * TTL (after calling 'ops->userspace'), ENOBUFS for a meter drop.  An
 * action 'type' outside enum dp_action_type is EINVAL too. */
int dp_execute(struct dp_packet *pkt, const struct dp_action *actions,
               size_t n, const struct dp_exec_ops *ops, void *aux);

/* Appends a human-readable form of 'actions' to 's', in the style of OVS's
 * "datapath actions":
 *
 *     push_mpls(eth_type=0x8847),set_mpls_label(100),output(2)
 *
 * Each action is its dp_action_type_name(), followed by its operands in
 * parentheses if it has any; an empty list is "drop". */
void dp_actions_format(const struct dp_action *actions, size_t n,
                       struct ds *s);

/* Returns the name of action type 'type' ("push_mpls"). */
const char *dp_action_type_name(enum dp_action_type type);

#endif /* datapath/dp-actions.h */
