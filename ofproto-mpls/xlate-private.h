/*
 * ofproto-mpls/xlate-private.h: what the parts of translation share.
 * Not for use outside xlate*.c.
 *
 *   xlate.c          the pipeline: tables, instructions, the action set,
 *                    freezing, the key <-> flow and wildcards -> mask
 *                    conversions, and the entry point
 *   xlate-actions.c  what each OpenFlow action does: xlate_action_table[],
 *                    the one list of the actions translation implements
 *   xlate-group.c    groups: which buckets run, each on a copy
 *   xlate-fields.c   the fields translation can match and set
 *
 * Thread-safety: main thread only (xlate.h).
 */
#ifndef OFPROTO_MPLS_XLATE_PRIVATE_H
#define OFPROTO_MPLS_XLATE_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "datapath/dp-actions.h"
#include "flow.h"
#include "ofproto-mpls/xlate.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"

struct rule;

/* Deepest label stack translation tracks; pushes beyond it still work in
 * the datapath, but their values are not known to later matches. */
#define XLATE_MPLS_MAX 64

/* Nested table visits (goto_table only goes forward, so 254 suffices) and
 * group nesting. */
#define XLATE_MAX_DEPTH 300


struct xlate_ctx {
    const struct xlate_in *xin;
    struct xlate_out *xout;
    struct ofproto *ofproto;

    struct flow flow;           /* The packet as the pipeline sees it now. */
    struct flow base;           /* ...and as this pass began. */
    struct flow_wildcards wc;   /* What the outcome depended on. */

    /* The MPLS label stack as translation knows it, top first.  The key
     * knows DP_MPLS_MAX entries; 'mpls_known' counts how many of 'mpls'
     * hold real values (pops past them leave unknown entries). */
    ovs_be32 mpls[XLATE_MPLS_MAX];
    int n_mpls;                 /* Depth, or -1 if unknown (deep stack). */
    int mpls_known;
    ovs_be16 under_mpls;        /* Ethertype under the stack, 0 if
                                 * unknown. */

    /* After a pop to a non-MPLS ethertype, L3/L4 fields are unknown until
     * the packet is re-parsed. */
    bool l3_unknown;

    /* Pops went past the DP_MPLS_MAX entries the key holds and the stack
     * goes on: its top is known only by re-parsing. */
    bool mpls_top_unknown;

    /* An action ran that may have changed the packet, its metadata or
     * the label stack translation tracks: later lookups are not
     * "pristine" (xlate.h).  Set by action type, not by comparing
     * values: an action can leave this packet as it was and change
     * others the same datapath flow carries (a pop exposing an equal
     * label). */
    bool touched;

    /* A push_mpls or pop_mpls moved the label stack: flow.mpls_lse[i] no
     * longer sits over the key's mpls[i].  A table lookup on the MPLS
     * packet after that ('mpls_looked') may look at any of its entries
     * (the same wildcard bits as before the move, but other key
     * entries), so the mask takes the whole stack exact (wc_to_mask()). */
    bool mpls_moved;
    bool mpls_looked;

    /* Something read the labels of the stack as the packet has them at
     * that point (a select group's hash): every key entry's label is part
     * of the mask. */
    bool mpls_labels_read;

    /* copy_ttl went by the guess of what lies under the key's stack (and
     * by the IP TTL there): dp-key.h's 'mpls_payload' (and
     * 'mpls_payload_ttl') are part of the mask. */
    bool mpls_payload_read;
    bool mpls_payload_ttl_read;

    struct ofpbuf action_set;   /* Of ofpacts. */
    uint8_t table_id;           /* Current table. */
    const struct rule *rule;    /* Current rule, NULL if none. */
    ovs_be64 cookie;
    bool exit;                  /* Translation is over (recirculated). */
    bool in_action_set;         /* Executing the action set. */
    int group_depth;
    int depth;
    size_t work;                /* Actions and buckets visited. */
    int indent;
};

/* OpenFlow 1.3.5, 5.10: the action set's order. */
enum xlate_slot {
    SLOT_COPY_TTL_IN,
    SLOT_POP,
    SLOT_PUSH_MPLS,
    SLOT_PUSH_PBB,
    SLOT_PUSH_VLAN,
    SLOT_COPY_TTL_OUT,
    SLOT_DEC_TTL,
    SLOT_SET,                   /* Any number, in the order written. */
    SLOT_QOS,
    SLOT_GROUP,
    SLOT_OUTPUT,
    SLOT_NONE,                  /* Not kept in an action set (a note). */
};

/* Translates action 'a' of a list that ends at 'end' (a bucket, an
 * apply-actions instruction or the ordered action set). */
typedef void xlate_action_fn(struct xlate_ctx *, const struct ofpact *a,
                             const struct ofpact *end);

/* What translation does with the actions of one OVS ofpact type.  An
 * all-zero entry (no 'xlate') is an action mvs does not implement: flows
 * and packet-outs holding it are refused (validate.h). */
struct xlate_action_info {
    xlate_action_fn *xlate;
    enum xlate_slot slot;       /* Its place in an action set. */
    bool changes_packet;        /* May change the packet, its metadata or
                                 * the label stack ('touched'). */
    bool needs_l3;              /* Needs the L3/L4 headers, which a pop
                                 * hides until a re-parse. */
    bool needs_mpls;            /* Needs the top entry, which pops past
                                 * the key's entries hide until then. */

    /* For set_field and move, which the above depend on the field (and
     * the extension it may carry): NULL to use the members. */
    enum xlate_slot (*slot_of)(const struct ofpact *);
    bool (*needs_l3_of)(const struct ofpact *);
    bool (*needs_mpls_of)(const struct ofpact *);
};

extern const struct xlate_action_info xlate_action_table[N_OFPACTS];

/* Helpers, xlate.c. */
struct dp_action *xlate_put_action(struct xlate_ctx *, enum dp_action_type);
void xlate_trace(struct xlate_ctx *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
void xlate_add_group_hit(struct xlate_ctx *, struct group *,
                         uint32_t bucket);
void xlate_sync_flow_mpls(struct xlate_ctx *);
void xlate_set_top_lse(struct xlate_ctx *, ovs_be32 lse);
void xlate_freeze(struct xlate_ctx *, const struct ofpact *ofpacts,
                  size_t len, bool restart);
void xlate_actions(struct xlate_ctx *, const struct ofpact *, size_t len);
enum xlate_slot xlate_slot_of(const struct ofpact *);
bool xlate_needs_l3(const struct ofpact *);
bool xlate_needs_mpls(const struct ofpact *);

void xlate_table(struct xlate_ctx *, uint8_t table_id);

/* Counts one unit of work; returns false (translation is over, its
 * actions dropped) past XLATE_MAX_WORK. */
bool xlate_work(struct xlate_ctx *);

/* xlate-actions.c. */
void xlate_output_normal(struct xlate_ctx *);

/* xlate-mpls.c: the label stack and the extension actions.  'rest' is
 * the action list from the current action on ('rest_len' bytes): a
 * copy_ttl on a bare stack looks ahead for the pop that names what lies
 * under it. */
struct ofpext_action;
void xlate_push_mpls(struct xlate_ctx *, ovs_be16 eth_type);
void xlate_pop_mpls(struct xlate_ctx *, ovs_be16 eth_type);
void xlate_copy_ttl(struct xlate_ctx *, bool out, const struct ofpact *rest,
                    size_t rest_len);
void xlate_ext(struct xlate_ctx *, const struct ofpext_action *,
               const struct ofpact *rest, size_t rest_len);

/* xlate-group.c: runs group 'group_id'; 'last': nothing runs after it (the
 * group of an action set), so its final bucket needs no copy. */
void xlate_group(struct xlate_ctx *, uint32_t group_id, bool last);

/* xlate-fields.c. */
void xlate_set_field_value(struct xlate_ctx *, const struct mf_field *,
                           const union mf_value *value,
                           const union mf_value *mask);
bool xlate_field_needs_l3(const struct mf_field *);

#endif /* ofproto-mpls/xlate-private.h */
