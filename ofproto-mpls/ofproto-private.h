/*
 * ofproto-mpls/ofproto-private.h: the bridge's OpenFlow state, shared by
 * ofproto.c (flow tables, messages), connmgr.c (connections) and xlate.c
 * (translation).  Not for use outside ofproto-mpls/.
 *
 * Thread-safety: everything here belongs to the main thread.  Rules are
 * freed through RCU (the classifier's readers may still see them) but
 * nothing else in mvs reads them from another thread.
 */
#ifndef OFPROTO_MPLS_OFPROTO_PRIVATE_H
#define OFPROTO_MPLS_OFPROTO_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "classifier.h"
#include "flow.h"
#include "datapath/datapath.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-switch.h"
#include "ofproto-mpls/ofproto.h"
#include "versions.h"

struct connmgr;
struct ofpact;

/* OpenFlow tables: 0...253 (254 and 255 are OFPTT_ALL's neighbours). */
#define MVS_N_TABLES 254

/* One OpenFlow flow entry. */
struct rule {
    struct cls_rule cr;         /* In its table's classifier. */
    uint8_t table_id;
    ovs_be64 cookie;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint16_t importance;
    enum ofputil_flow_mod_flags flags;

    long long int created;      /* msec: added, or last ADD over it. */
    long long int modified;     /* msec: last modification (hard age). */
    long long int used;         /* msec: last packet, or 'created'. */
    uint64_t packet_count;      /* Userspace and kernel, together. */
    uint64_t byte_count;
    uint64_t kernel_packets;    /* Last kernel counter read (offload.c). */
    uint64_t kernel_bytes;

    struct ofpact *ofpacts;     /* Instructions, as OVS ofpacts. */
    size_t ofpacts_len;

    struct ovs_list expirable;  /* In ofproto's 'expirable' if it has a
                                 * timeout, else empty. */
    struct ovs_list megaflows;  /* struct xcache_ref's 'rule_node': the
                                 * datapath flows that hit this rule. */
};

static inline struct rule *
rule_from_cls_rule(const struct cls_rule *cr)
{
    return cr ? CONTAINER_OF(cr, struct rule, cr) : NULL;
}

struct oftable {
    struct classifier cls;
    struct ovs_list megaflows;  /* struct xcache_ref's 'table_node': the
                                 * datapath flows that looked here. */
    size_t n_megaflows;         /* Length of 'megaflows'. */
    uint64_t lookup_count;
    uint64_t matched_count;
};

/* A switch port as OpenFlow sees it. */
struct ofport {
    struct hmap_node node;      /* In ofproto's 'ports', by number. */
    ofp_port_t ofp_port;
    struct dp_port *dp_port;    /* Owned by the datapath. */
    enum ofputil_port_config config;    /* OFPUTIL_PC_*. */
    long long int created;      /* msec, for port stats duration. */
};

/* A frozen pipeline: where translation resumes after a recirculation. */
struct frozen {
    struct hmap_node id_node;   /* In ofproto's 'frozen_by_id'. */
    struct hmap_node hash_node; /* In ofproto's 'frozen_by_state'. */
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

/* A MAC learning table entry, for output:NORMAL. */
struct mac_entry {
    struct hmap_node node;
    struct eth_addr mac;
    uint16_t vlan;
    ofp_port_t port;
    long long int used;
};

struct ofproto {
    char *name;
    uint64_t datapath_id;
    struct datapath *dp;
    struct connmgr *connmgr;

    struct oftable tables[MVS_N_TABLES];
    ovs_version_t version;      /* Rules visible to lookups. */
    struct ovs_list expirable;  /* Rules with timeouts. */
    size_t n_rules;

    struct hmap ports;          /* Of struct ofport. */

    struct ofputil_switch_config config;
    enum ofproto_fail_mode fail_mode;
    bool fail_open;             /* Standalone and every configured
                                 * controller is away: act as a learning
                                 * switch (see ofproto_run()). */

    struct hmap frozen_by_id;
    struct hmap frozen_by_state;
    uint32_t next_recirc_id;

    /* Rules added since the last revalidation (ofproto.c). */
    struct rule **added;
    size_t n_added, allocated_added;

    struct hmap macs;           /* Of struct mac_entry. */
    /* Learned since the last run (see ofproto_mac_learn()): the datapath
     * flows that flooded frames to these are stale.  'mac_moved' (or too
     * many new ones): every datapath flow may be. */
#define MVS_NEW_MACS_MAX 64
    struct eth_addr new_macs[MVS_NEW_MACS_MAX];
    size_t n_new_macs;
    bool mac_moved;
    struct hmap groups;         /* Of struct group (group.h). */
    struct hmap meters;         /* Of struct meter (meter.c). */
    struct ofproto_txn *txn;    /* Bundle commit in progress, or NULL. */
    struct offload *offload;    /* nf_tables mirror (offload.h). */

    long long int next_expire;  /* msec: next timeout check. */
    long long int next_port_check;
    uint64_t n_packet_ins;
    uint64_t n_invalid_ttl;
};

/* ofproto.c, for connmgr.c. */
void ofproto_handle_openflow(struct ofproto *, struct ofconn *,
                             const struct ofpbuf *msg);
void ofproto_fill_port_desc(const struct ofproto *, const struct ofport *,
                            struct ofputil_phy_port *);
struct ofport *ofproto_get_port(const struct ofproto *, ofp_port_t);

/* ofproto.c, for group.c. */
struct ofpext_count;
enum ofperr ofproto_check_decoded(const struct ofpext_count *introduced,
                                  const struct match *,
                                  const struct ofpact *, size_t len);
void ofproto_invalidate(struct ofproto *);
enum ofperr ofproto_check_ofpacts(const struct ofproto *,
                                  const struct ofpact *, size_t len,
                                  uint8_t table_id);
void ofproto_delete_flows_to_group(struct ofproto *, uint32_t group_id);
void ofproto_rule_delete(struct ofproto *, struct rule *,
                         enum ofp_flow_removed_reason);

/* ofproto.c, for bundle.c.  Between begin and commit or abort, every flow
 * table change is logged so abort can undo it; flow-removed messages and
 * the freeing of removed rules wait for the commit. */
void ofproto_txn_begin(struct ofproto *);
void ofproto_txn_commit(struct ofproto *);
void ofproto_txn_abort(struct ofproto *);
enum ofperr ofproto_handle_flow_mod_msg(struct ofproto *, struct ofconn *,
                                        const struct ofp_header *);

/* ofproto.c, for xlate.c. */
const struct frozen *ofproto_frozen_find(const struct ofproto *, uint32_t id);
uint32_t ofproto_frozen_get(struct ofproto *, const struct frozen *state);
void ofproto_mac_learn(struct ofproto *, const struct eth_addr mac,
                       uint16_t vlan, ofp_port_t port);
ofp_port_t ofproto_mac_lookup(const struct ofproto *, const struct eth_addr,
                              uint16_t vlan);

#endif /* ofproto-mpls/ofproto-private.h */
