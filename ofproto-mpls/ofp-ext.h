/*
 * ofproto-mpls/ofp-ext.h: the OpenFlow 1.3 fields and actions that
 * libopenvswitch lacks, in one table, for the switch and for mvs-ofctl.
 *
 * What?
 * =====
 *
 * Open vSwitch never implemented seven parts of OpenFlow 1.3.5, so
 * libopenvswitch's codecs, its text parser and its printer reject them:
 *
 *   copy_ttl_out, copy_ttl_in   OFPAT_COPY_TTL_OUT (11), OFPAT_COPY_TTL_IN (12)
 *   push_pbb, pop_pbb           OFPAT_PUSH_PBB (26), OFPAT_POP_PBB (27)
 *   set_field mpls_bos,         OFPAT_SET_FIELD on OXM_OF_MPLS_BOS,
 *   eth_type, ip_proto          OXM_OF_ETH_TYPE, OXM_OF_IP_PROTO (OVS can
 *                               match them but treats them as read-only)
 *   pbb_isid                    OXM_OF_PBB_ISID: match and set_field
 *   ipv6_exthdr                 OXM_OF_IPV6_EXTHDR: match
 *
 * Each has one row in ofpext_table[] (ofp-ext.c): its wire form, its text
 * spelling, its prerequisite and what the offload lowers it to.  Nothing
 * outside this module knows a wire code, a carrier field or a magic value
 * of an extension: translation, the offload and mvs-ofctl read them through
 * the functions below.
 *
 * Carriers
 * ========
 *
 * Between the wire and the rest of mvs, an extension travels in something
 * libopenvswitch does know: a field of OVS's 'struct flow' that mvs gives
 * no other meaning.  mvs has no tunnel ports, so the tunnel metadata other
 * than tunnel_id (which is pipeline metadata here, OXM 38) is free:
 *
 *   pbb_isid      tun_src (NXM_NX_TUN_IPV4_SRC), low 24 bits; matches
 *                 and set_field, so a later table sees a set value
 *   ipv6_exthdr   tun_dst (NXM_NX_TUN_IPV4_DST), low 9 bits; matches
 *   the actions   a "marker": set_field on tun_ipv6_src
 *                 (NXM_NX_TUN_IPV6_SRC) whose 16-byte value is
 *
 *                   0        4    5       8             12       16
 *                   +--------+----+-------+-------------+--------+
 *                   | "mvsx" | id | 0 0 0 | value (be32)|  0...  |
 *                   +--------+----+-------+-------------+--------+
 *
 * so an action set may hold them and translation meets them in place.
 * No controller can collide with a carrier: a message that names a carrier
 * field itself (a match on tun_src, set_field or reg_load to tun_dst...)
 * is refused with OFPBMC_BAD_FIELD or OFPBAC_BAD_SET_TYPE, because the
 * codec counts the carriers it introduced (struct ofpext_count) and
 * ofpext_count_check() compares them with what the decoded message holds.
 * mvs-ofctl applies the same check to the text it is given.
 *
 * The codecs:
 *
 *   wire -> carriers   ofpext_msg_to_carriers(): the switch, on every
 *                      message that carries matches or actions (flow-mod,
 *                      packet-out, group-mod, flow and aggregate stats
 *                      requests); mvs-ofctl, on replies (flow stats, group
 *                      description, flow removed)
 *   carriers -> wire   ofpext_msg_from_carriers(): the reverse, in place
 *   text -> carriers   ofpext_text_to_carriers(): mvs-ofctl, mvsd --flows
 *   carriers -> text   ofpext_text_from_carriers(): printing, traces
 *
 * Extensions ride OpenFlow 1.2 and later (OXM and OFPAT_SET_FIELD); in an
 * OpenFlow 1.0 or 1.1 message libopenvswitch's decoder refuses them.
 *
 * Thread-safety
 * =============
 *
 * No mutable state: every function may be called from any thread on
 * distinct arguments.
 */
#ifndef OFPROTO_MPLS_OFP_EXT_H
#define OFPROTO_MPLS_OFP_EXT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kmod/nftc.h"
#include "openflow/openflow.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/types.h"

struct ds;
struct flow;
struct flow_wildcards;
struct match;
struct ofpact;
struct ofpbuf;

/* The extensions, one row each in the table. */
enum ofpext_id {
    OFPEXT_COPY_TTL_OUT,
    OFPEXT_COPY_TTL_IN,
    OFPEXT_PUSH_PBB,            /* Value: the ethertype (0x88e7). */
    OFPEXT_POP_PBB,
    OFPEXT_SET_MPLS_BOS,        /* Value: the BOS bit. */
    OFPEXT_PBB_ISID,            /* A field; value: the I-SID. */
    OFPEXT_IPV6_EXTHDR,         /* A field; value: OFPIEH_* bits. */
    OFPEXT_SET_ETH_TYPE,        /* Value: the ethertype. */
    OFPEXT_SET_IP_PROTO,        /* Value: the IP protocol. */
    OFPEXT_N
};

/* What an extension is on the wire. */
enum ofpext_form {
    OFPEXT_FORM_ACTION,         /* An OpenFlow action of its own type. */
    OFPEXT_FORM_SET_FIELD,      /* OFPAT_SET_FIELD on a field the library
                                 * can match but not write. */
    OFPEXT_FORM_FIELD,          /* An OXM field the library does not know
                                 * (match; set_field if 'settable'). */
};

/* What the packet must be for an extension action to apply (translation
 * skips it otherwise, as OpenFlow 1.3.5 5.12 has it for every action). */
enum ofpext_needs {
    OFPEXT_NEEDS_NONE,
    OFPEXT_NEEDS_MPLS,          /* An MPLS label stack. */
    OFPEXT_NEEDS_PBB,           /* An I-TAG (ethertype 0x88e7). */
    OFPEXT_NEEDS_IP,            /* An IPv4 or IPv6 header. */
};

/* One extension. */
struct ofpext {
    enum ofpext_id id;
    const char *name;           /* Text: the action ("copy_ttl_out") or the
                                 * field ("mpls_bos", "pbb_isid"). */
    const char *alias;          /* Another spelling of the field, or NULL
                                 * ("nw_proto" for "ip_proto"). */
    enum ofpext_form form;
    uint16_t ofpat;             /* FORM_ACTION: the OFPAT_* type. */
    uint32_t oxm;               /* Fields: the OXM header, unmasked. */
    uint32_t max;               /* Largest value (set_field, field). */
    bool hex;                   /* FORM_SET_FIELD: printed in hex. */
    bool settable;              /* FORM_FIELD: set_field allowed. */
    enum mf_field_id carrier;   /* FORM_FIELD: the struct flow field. */
    uint16_t eth_type;          /* FORM_FIELD: match prerequisite. */
    enum ofpext_needs needs;    /* Actions and set_field. */
    enum nftc_ext_op offload;   /* Actions and set_field: what the
                                 * nf_tables offload lowers it to
                                 * (kmod/nftc.h), NFTC_EXT_NONE for
                                 * nothing (it stays in userspace). */
};

/* The row for 'id'. */
const struct ofpext *ofpext_get(enum ofpext_id);

/* Translation's view.
 * ===================
 *
 * An extension action inside mvs is a marker or a set_field of a carrier.
 * ofpext_action_parse() says which one 'a' is (storing its id and value)
 * or returns false for any other action. */
struct ofpext_action {
    enum ofpext_id id;
    uint32_t value;
};
bool ofpext_action_parse(const struct ofpact *a, struct ofpext_action *);

/* True if 'id' is one of the carrier fields (which controllers never get
 * to match or set themselves). */
bool ofpext_is_carrier(enum mf_field_id id);

/* Named accessors for the extension fields in OVS's struct flow, struct
 * flow_wildcards and struct match. */
uint32_t ofpext_flow_pbb_isid(const struct flow *);
void ofpext_flow_set_pbb_isid(struct flow *, uint32_t isid);
uint32_t ofpext_wc_pbb_isid(const struct flow_wildcards *);
uint16_t ofpext_flow_ipv6_exthdr(const struct flow *);
void ofpext_flow_set_ipv6_exthdr(struct flow *, uint16_t bits);
uint16_t ofpext_wc_ipv6_exthdr(const struct flow_wildcards *);
void ofpext_match_set_pbb_isid(struct match *, uint32_t isid, uint32_t mask);
void ofpext_match_set_ipv6_exthdr(struct match *, uint16_t bits,
                                  uint16_t mask);

/* Builds the marker for action 'id' with 'value' (an ofpact_set_field, in
 * 'ofpacts').  For tests and for mvs-ofctl's own encoder. */
void ofpext_put_marker(struct ofpbuf *ofpacts, enum ofpext_id id,
                       uint32_t value);

/* Collision checks.
 * =================
 *
 * What a codec introduced, and what a decoded message (or parsed text)
 * holds: the carrier fields its match uses, and how many of its actions
 * write a carrier (markers, set_field pbb_isid, anything else naming one). */
struct ofpext_count {
    unsigned int match_fields;  /* Bit i: carrier of row i is matched. */
    unsigned int n_actions;     /* Carrier writes in action lists. */
};

void ofpext_count_match(struct ofpext_count *, const struct match *);
void ofpext_count_ofpacts(struct ofpext_count *, const struct ofpact *,
                          size_t len);

/* Returns 0 if 'found' (counted on the decoded message) is exactly what
 * the codec 'introduced', else OFPBMC_BAD_FIELD (a match names a carrier
 * field) or OFPBAC_BAD_SET_TYPE (an action writes one). */
enum ofperr ofpext_count_check(const struct ofpext_count *introduced,
                               const struct ofpext_count *found);

/* Checks the prerequisites OpenFlow 1.3.5 gives the extension fields:
 * eth_type=0x88e7 for pbb_isid, eth_type=0x86dd for ipv6_exthdr
 * (OFPBMC_BAD_PREREQ). */
enum ofperr ofpext_check_match(const struct match *);

/* Checks that each set_field of an extension field in 'ofpacts' has its
 * prerequisite in 'match' or in an earlier push (set_field mpls_bos needs
 * MPLS, set_field pbb_isid an I-TAG): OFPBAC_MATCH_INCONSISTENT otherwise,
 * as libopenvswitch answers for the fields it knows. */
enum ofperr ofpext_check_ofpacts(const struct match *,
                                 const struct ofpact *, size_t len);

/* Wire codecs.
 * ============
 *
 * ofpext_msg_to_carriers(): if 'oh' (OpenFlow 1.2 or later: flow-mod,
 * packet-out, group-mod, flow or aggregate stats request, flow stats or
 * group description reply, flow removed) holds an extension, stores in
 * '*out' a copy with each one replaced by its carrier (the caller frees it
 * with ofpbuf_delete()), else NULL; adds what it introduced to '*count'
 * (which may be NULL).  Returns 0, or the OpenFlow error for an extension
 * with a bad value (OFPBAC_BAD_SET_ARGUMENT for mpls_bos=2,
 * OFPBAC_BAD_ARGUMENT for push_pbb of another ethertype,
 * OFPBAC_BAD_SET_MASK or OFPBAC_BAD_SET_TYPE for a masked or read-only
 * set_field).  A malformed message is left for libopenvswitch's decoder
 * to reject precisely; every length is checked first.
 *
 * ofpext_msg_from_carriers(): the reverse, in place, for any of those
 * messages. */
enum ofperr ofpext_msg_to_carriers(const struct ofp_header *oh,
                                   struct ofpbuf **out,
                                   struct ofpext_count *count);
void ofpext_msg_from_carriers(struct ofpbuf *msg);

/* True if 'msg' contains a carrier on the wire (a message from a switch
 * that is not mvs, using tunnel fields for what they are): mvs-ofctl then
 * prints it as it is. */
bool ofpext_msg_has_carriers(const struct ofpbuf *msg);

/* Text codecs.
 * ============
 *
 * ofpext_text_to_carriers() rewrites flow or action text 'text' (a flow
 * line "table=0,pbb_isid=5,actions=copy_ttl_out,..." or an action list)
 * into '*outp' (malloc'd), each extension spelled as its carrier, and adds
 * what it introduced to '*count' (may be NULL).  Returns NULL, or a
 * malloc'd error message (and '*outp' is NULL).
 *
 * Spellings: "copy_ttl_out", "copy_ttl_in", "push_pbb" or
 * "push_pbb:0x88e7", "pop_pbb", "set_field:B->mpls_bos",
 * "set_field:N->pbb_isid", "pbb_isid=N[/M]", "ipv6_exthdr=N[/M]".
 *
 * ofpext_text_from_carriers() rewrites, in place, libopenvswitch's
 * printing of carriers ("tun_src=0.0.0.5", "set_field:...->tun_ipv6_src")
 * into those spellings. */
char *ofpext_text_to_carriers(const char *text, char **outp,
                              struct ofpext_count *count);
void ofpext_text_from_carriers(struct ds *);

#endif /* ofproto-mpls/ofp-ext.h */
