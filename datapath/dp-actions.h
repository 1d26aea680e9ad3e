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
 *   copy_ttl_out  with 'u8' DP_COPY_TTL_ENTRIES, top.ttl = next entry's
 *                 TTL; else, with 'be16' IPv4 or IPv6 (the payload under a
 *                 one-entry stack, decided by translation), top.ttl = the
 *                 IP header's TTL; else nothing, and 'ops->skipped' is
 *                 told.  Translation decides by the stack's structure, not
 *                 by the BOS bit, which a set_field may have cleared.
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

/* How dp_actions_format() prints an action's operands, after its name.
 * Each says which members of 'struct dp_action' it reads. */
enum dp_action_fmt {
    DPAF_NONE,              /* Nothing: "pop_vlan". */
    DPAF_U8,                /* u8 in decimal: "set_mpls_ttl(64)". */
    DPAF_U32,               /* u32 in decimal: "output(2)". */
    DPAF_U32_HEX,           /* u32 in hex, "0x" unless 0: "recirc(0x7)". */
    DPAF_BE16,              /* be16 in decimal: "set_tp_src(80)". */
    DPAF_ETH_TYPE,          /* be16 in hex, "0x" unless 0:
                             * "push_mpls(eth_type=0x8847)". */
    DPAF_ETH_TYPE_OPT,      /* As DPAF_ETH_TYPE, or nothing if be16 is 0:
                             * "copy_ttl_in". */
    DPAF_MAC,               /* mac: "set_eth_src(00:11:22:33:44:55)". */
    DPAF_IP4,               /* ip4: "set_ipv4_src(10.0.0.1)". */
    DPAF_IP6,               /* ip6: "set_ipv6_src(2001:db8::1)". */
    DPAF_TPID_TCI,          /* be16 as TPID, u32 as TCI:
                             * "push_vlan(tpid=0x88a8,vid=100,pcp=5)". */
    DPAF_PACKET_IN,         /* u8, u32, be16's low byte, cookie:
                             * "userspace(reason=2,max_len=65535,table=3,"
                             * "cookie=0xabc)". */
};

/* The datapath actions, one row each: DPA(ENUM, NAME, FMT) gives
 * DPA_<ENUM> in enum dp_action_type, its dp_action_type_name() NAME and
 * its enum dp_action_fmt FMT.  The comment above a row names the operands
 * its action reads (see struct dp_action); unnamed members are zero.
 *
 * The enum, the names and the formatter are all generated from this list,
 * so a new action is one row here plus its case in dp_execute()'s switch
 * (which -Wswitch-enum checks).  Rows are appended, never reordered: the
 * values are in fuzz seeds and tests. */
#define DP_ACTIONS(DPA)                                                      \
    /* u32: port. */                                                         \
    DPA(OUTPUT,             "output",           DPAF_U32)                    \
    /* To the controller: u8: reason (enum ofp_packet_in_reason),            \
     * u32: max_len, be16: table id (host order in low byte),                \
     * cookie: flow cookie. */                                               \
    DPA(USERSPACE,          "userspace",        DPAF_PACKET_IN)              \
    /* u32: recirculation id.  Re-parses the packet and looks it up          \
     * again. */                                                             \
    DPA(RECIRC,             "recirc",           DPAF_U32_HEX)                \
    /* u32: meter id; the packet may be dropped. */                          \
    DPA(METER,              "meter",            DPAF_U32)                    \
    /* u32: the next 'u32' actions run on a copy of the packet (an           \
     * "all" group's bucket); the original then continues after              \
     * them. */                                                              \
    DPA(CLONE,              "clone",            DPAF_U32)                    \
                                                                             \
    /* be16: TPID; u32: TCI (host order, VID and PCP of the new              \
     * header). */                                                           \
    DPA(PUSH_VLAN,          "push_vlan",        DPAF_TPID_TCI)               \
    DPA(POP_VLAN,           "pop_vlan",         DPAF_NONE)                   \
    /* u32: VID (12 bits) of the outer header. */                            \
    DPA(SET_VLAN_VID,       "set_vlan_vid",     DPAF_U32)                    \
    /* u8: PCP (3 bits) of the outer header. */                              \
    DPA(SET_VLAN_PCP,       "set_vlan_pcp",     DPAF_U8)                     \
                                                                             \
    /* be16: ethertype 0x8847 or 0x8848. */                                  \
    DPA(PUSH_MPLS,          "push_mpls",        DPAF_ETH_TYPE)               \
    /* be16: ethertype after the pop. */                                     \
    DPA(POP_MPLS,           "pop_mpls",         DPAF_ETH_TYPE)               \
    /* u32: label (20 bits) of the top entry. */                             \
    DPA(SET_MPLS_LABEL,     "set_mpls_label",   DPAF_U32)                    \
    /* u8: TC (3 bits). */                                                   \
    DPA(SET_MPLS_TC,        "set_mpls_tc",      DPAF_U8)                     \
    /* u8: BOS (1 bit). */                                                   \
    DPA(SET_MPLS_BOS,       "set_mpls_bos",     DPAF_U8)                     \
    /* u8: TTL. */                                                           \
    DPA(SET_MPLS_TTL,       "set_mpls_ttl",     DPAF_U8)                     \
    DPA(DEC_MPLS_TTL,       "dec_mpls_ttl",     DPAF_NONE)                   \
    /* u8: DP_COPY_TTL_ENTRIES, or be16: ethertype under a one-entry     */ \
    /* stack (IPv4, IPv6), else 0: nothing to copy.                      */ \
    DPA(COPY_TTL_OUT,       "copy_ttl_out",     DPAF_ETH_TYPE_OPT)           \
    /* As copy_ttl_out. */                                                   \
    DPA(COPY_TTL_IN,        "copy_ttl_in",      DPAF_ETH_TYPE_OPT)           \
                                                                             \
    /* mac. */                                                               \
    DPA(SET_ETH_SRC,        "set_eth_src",      DPAF_MAC)                    \
    /* mac. */                                                               \
    DPA(SET_ETH_DST,        "set_eth_dst",      DPAF_MAC)                    \
    /* ip4. */                                                               \
    DPA(SET_IPV4_SRC,       "set_ipv4_src",     DPAF_IP4)                    \
    /* ip4. */                                                               \
    DPA(SET_IPV4_DST,       "set_ipv4_dst",     DPAF_IP4)                    \
    /* ip6. */                                                               \
    DPA(SET_IPV6_SRC,       "set_ipv6_src",     DPAF_IP6)                    \
    /* ip6. */                                                               \
    DPA(SET_IPV6_DST,       "set_ipv6_dst",     DPAF_IP6)                    \
    /* u32: flow label (20 bits). */                                         \
    DPA(SET_IPV6_LABEL,     "set_ipv6_label",   DPAF_U32_HEX)                \
    /* u8: DSCP (6 bits), IPv4 or IPv6. */                                   \
    DPA(SET_IP_DSCP,        "set_ip_dscp",      DPAF_U8)                     \
    /* u8: ECN (2 bits). */                                                  \
    DPA(SET_IP_ECN,         "set_ip_ecn",       DPAF_U8)                     \
    /* u8: TTL / hop limit. */                                               \
    DPA(SET_IP_TTL,         "set_ip_ttl",       DPAF_U8)                     \
    DPA(DEC_NW_TTL,         "dec_nw_ttl",       DPAF_NONE)                   \
    /* be16: TCP, UDP or SCTP source port. */                                \
    DPA(SET_TP_SRC,         "set_tp_src",       DPAF_BE16)                   \
    /* be16: TCP, UDP or SCTP destination port. */                           \
    DPA(SET_TP_DST,         "set_tp_dst",       DPAF_BE16)                   \
    /* u8: ICMPv4 or ICMPv6 type. */                                         \
    DPA(SET_ICMP_TYPE,      "set_icmp_type",    DPAF_U8)                     \
    /* u8: ICMPv4 or ICMPv6 code. */                                         \
    DPA(SET_ICMP_CODE,      "set_icmp_code",    DPAF_U8)                     \
    /* be16: opcode. */                                                      \
    DPA(SET_ARP_OP,         "set_arp_op",       DPAF_BE16)                   \
    /* ip4. */                                                               \
    DPA(SET_ARP_SPA,        "set_arp_spa",      DPAF_IP4)                    \
    /* ip4. */                                                               \
    DPA(SET_ARP_TPA,        "set_arp_tpa",      DPAF_IP4)                    \
    /* mac. */                                                               \
    DPA(SET_ARP_SHA,        "set_arp_sha",      DPAF_MAC)                    \
    /* mac. */                                                               \
    DPA(SET_ARP_THA,        "set_arp_tha",      DPAF_MAC)                    \
    /* be16: ethertype (0x88e7).  A new backbone header: the customer        \
     * addresses copied, the ethertype, an I-TAG of zeros. */                \
    DPA(PUSH_PBB,           "push_pbb",         DPAF_ETH_TYPE)               \
    /* Removes everything up to the end of the I-TAG: the customer           \
     * frame is the packet. */                                               \
    DPA(POP_PBB,            "pop_pbb",          DPAF_NONE)                   \
    /* u32: I-SID (24 bits) of the I-TAG. */                                 \
    DPA(SET_PBB_ISID,       "set_pbb_isid",     DPAF_U32_HEX)                \
    /* ip6: target address of an IPv6 neighbour solicitation or              \
     * advertisement; ICMPv6 checksum fixed. */                              \
    DPA(SET_ND_TARGET,      "set_nd_target",    DPAF_IP6)                    \
    /* mac: the source (SLL) / target (TLL) link-layer address option of     \
     * a solicitation / an advertisement, if it has one. */                  \
    DPA(SET_ND_SLL,         "set_nd_sll",       DPAF_MAC)                    \
    DPA(SET_ND_TLL,         "set_nd_tll",       DPAF_MAC)                    \
    /* u8: IPv4 protocol or IPv6 next header after the extension headers;    \
     * the IPv4 header checksum and the L4 checksum's pseudo-header          \
     * fixed. */                                                             \
    DPA(SET_IP_PROTO,       "set_ip_proto",     DPAF_U8)                     \
    /* be16: the ethertype after the VLAN tags.  What follows is not         \
     * touched, and none of it is parsed any more (layer offsets unset). */  \
    DPA(SET_ETH_TYPE,       "set_eth_type",     DPAF_ETH_TYPE)

/* Action types, numbered in DP_ACTIONS order from DPA_OUTPUT = 0. */
enum dp_action_type {
#define DPA(ENUM, NAME, FMT) DPA_##ENUM,
    DP_ACTIONS(DPA)
#undef DPA
    DPA__MAX
};

/* 'u8' of DPA_COPY_TTL_OUT and DPA_COPY_TTL_IN: copy between the top two
 * entries of the stack. */
#define DP_COPY_TTL_ENTRIES 1

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

    /* An action that by design did nothing to 'pkt' (copy_ttl with no IP
     * header under a one-entry stack), for the datapath's counters.  May
     * be NULL. */
    void (*skipped)(void *aux, const struct dp_action *action);

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
 * parentheses as its DP_ACTIONS row's enum dp_action_fmt says; a type
 * outside enum dp_action_type is "unknown(N)" and an empty list is
 * "drop". */
void dp_actions_format(const struct dp_action *actions, size_t n,
                       struct ds *s);

/* Returns the name of action type 'type' ("push_mpls"), from DP_ACTIONS,
 * or "<unknown>" if 'type' is not in it. */
const char *dp_action_type_name(enum dp_action_type type);

#endif /* datapath/dp-actions.h */
