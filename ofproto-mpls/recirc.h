/*
 * ofproto-mpls/recirc.h: frozen pipelines and their recirculation ids.
 *
 * What?
 * =====
 *
 * When translation needs headers the datapath key does not have (after a
 * pop_mpls to a non-MPLS ethertype, a pop_pbb, a label stack deeper than
 * the key), it freezes the rest of the pipeline: the table it was in, the
 * instructions left, the action set so far, the pipeline metadata, and
 * emits recirc(id).  The datapath re-parses the packet and the next upcall
 * finds the state by that id and resumes (xlate.h).
 *
 * The same state always gets the same id, so the datapath flows of the
 * second pass are cached like any other.  States live until
 * recirc_table_clear(), which the agent calls when it flushes every
 * datapath flow (nothing refers to an id then); recirc_table_count() lets
 * it bound the table.
 *
 * Ownership: the table copies every state it is given; pointers it
 * returns stay valid until the next recirc_table_clear().
 *
 * Thread-safety: main thread only (translation runs there).
 */
#ifndef OFPROTO_MPLS_RECIRC_H
#define OFPROTO_MPLS_RECIRC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flow.h"
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"

struct ofpact;

/* A frozen pipeline: where translation resumes after a recirculation. */
struct frozen {
    struct hmap_node id_node;   /* In the table's 'by_id'. */
    struct hmap_node hash_node; /* In the table's 'by_state'. */
    uint32_t id;
    uint32_t hash;

    uint8_t table_id;           /* Table whose instructions continue. */
    bool restart;               /* Start over at 'table_id' (lookup)
                                 * instead of continuing 'ofpacts'. */
    ovs_be64 metadata;          /* Pipeline metadata, as it was. */
    ovs_be64 tun_id;
    uint32_t regs[FLOW_N_REGS];
    struct ofpact *ofpacts;     /* Rest of the rule's instructions. */
    size_t ofpacts_len;
    struct ofpact *action_set;  /* The action set so far. */
    size_t action_set_len;
    ovs_be64 cookie;            /* The rule's, for packet-ins. */
};

/* Past this many states, the agent flushes the datapath and the table
 * (ofproto_run()). */
#define RECIRC_MAX 65536

struct recirc_table {
    struct hmap by_id;
    struct hmap by_state;
    uint32_t next_id;
};

void recirc_table_init(struct recirc_table *);
void recirc_table_uninit(struct recirc_table *);
void recirc_table_clear(struct recirc_table *);
size_t recirc_table_count(const struct recirc_table *);

/* Returns the id of a state equal to 'state' (whose hmap nodes, id and
 * hash need not be set), making one (a copy) if there is none. */
uint32_t recirc_get(struct recirc_table *, const struct frozen *state);

/* The state with 'id', or NULL. */
const struct frozen *recirc_find(const struct recirc_table *, uint32_t id);

#endif /* ofproto-mpls/recirc.h */
