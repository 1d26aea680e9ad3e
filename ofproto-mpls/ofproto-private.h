/*
 * ofproto-mpls/ofproto-private.h: one bridge's OpenFlow state, shared by
 * the modules of ofproto-mpls/.  Not for use outside ofproto-mpls/.
 *
 * What?
 * =====
 *
 * The data every module of ofproto-mpls/ reads: struct ofproto, the
 * bridge, with its flow tables and rules (kept by oftable.c), ports
 * (ofport.c), groups (group.c), meters (meter.c), recirculation states
 * (recirc.c), MAC learning table (mac-learning.c), connections
 * (connmgr.c), nf_tables offload (offload.c) and datapath
 * (datapath/datapath.h).  Each member says which module keeps it; the
 * others only read it.  A module calls another only through that one's
 * header, and no call goes back up: ofproto.c (creation, the OpenFlow
 * messages, the main loop) calls everything and nothing calls it;
 * OpenFlow itself ties flows and groups or meters both ways (a flow names
 * a group; deleting the group deletes the flow).
 *
 * Thread-safety
 * =============
 *
 * Everything here belongs to the main thread (with forwarding threads,
 * the caller of ofproto_run() holds the datapath's lock, see ofproto.h).
 * Rules are freed through RCU (the classifier's readers may still see
 * them) but nothing else in mvs reads them from another thread.
 */
#ifndef OFPROTO_MPLS_OFPROTO_PRIVATE_H
#define OFPROTO_MPLS_OFPROTO_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "datapath/datapath.h"
#include "ofproto-mpls/mac-learning.h"
#include "ofproto-mpls/recirc.h"
#include "classifier.h"
#include "openvswitch/hmap.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-switch.h"
#include "ovs-thread.h"
#include "versions.h"

/* OpenFlow tables: 0...253 (254 and 255 are OFPTT_ALL's neighbours). */
#define MVS_N_TABLES 254

struct connmgr;
struct dp_port;
struct ofpact;
struct ofproto_txn;

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
                                 * datapath flows that hit this rule
                                 * (revalidate.c). */
};

static inline struct rule *
rule_from_cls_rule(const struct cls_rule *cr)
{
    return cr ? CONTAINER_OF(cr, struct rule, cr) : NULL;
}

struct oftable {
    struct classifier cls;
    size_t n_rules;             /* Visible rules: not those that
                                 * 'ofproto->dying' holds. */
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


struct ofproto {
    char *name;
    uint64_t datapath_id;
    struct datapath *dp;
    struct ovs_mutex control;   /* ofproto_lock()'s outer lock: see
                                 * ofproto_io_begin(). */
    bool io_released;           /* Between ofproto_io_begin() and _end(),
                                 * the datapath's lock is let go. */
    struct connmgr *connmgr;

    /* oftable.c. */
    struct oftable tables[MVS_N_TABLES];
    ovs_version_t version;      /* Rules visible to lookups. */
    struct ovs_list expirable;  /* Rules with timeouts. */
    struct rule **dying;        /* Removed, invisible in 'version', still
                                 * in their classifier (oftable_run()). */
    size_t n_dying, allocated_dying;
    struct ofproto_txn *txn;    /* Bundle commit in progress, or NULL. */
    long long int next_expire;  /* msec: next timeout check. */

    /* revalidate.c: rules added since the last revalidation. */
    struct rule **added;
    size_t n_added, allocated_added;

    struct hmap ports;          /* ofport.c: of struct ofport. */
    long long int next_port_check;

    struct recirc_table recirc; /* recirc.c. */
    struct mac_learning macs;   /* mac-learning.c. */
    struct hmap groups;         /* group.c: of struct group. */
    bool group_txn;             /* group.c: a bundle commit is open... */
    struct ovs_list group_undo; /* ...with this undo log. */
    struct hmap meters;         /* meter.c: of struct meter. */
    struct offload *offload;    /* offload.c: the nf_tables mirror. */

    /* ofproto.c. */
    struct ofputil_switch_config config;
    bool standalone;            /* Fail mode standalone, not secure. */
    bool fail_open;             /* Standalone and every configured
                                 * controller is away: act as a learning
                                 * switch (see ofproto_run()). */

    /* ofproto_set_limits(). */
    long long int max_idle_ms, mac_aging_ms;
    size_t flow_limit, mac_table_size;

    /* upcall.c. */
    uint64_t n_packet_ins;
    uint64_t n_invalid_ttl;
    uint64_t n_xlate_over_limit;    /* Translations past XLATE_MAX_WORK
                                     * (packet-outs included). */
};

/* ofproto.c: what unixctl commands (ofproto-unixctl.c) need beyond
 * ofproto.h: the bridges of this process by name. */
struct ofproto *ofproto_lookup(const char *name);
struct shash;
const struct shash *ofproto_all(void);

/* ofproto_lock() is two locks: the control lock, which serializes the
 * threads that run OpenFlow and unixctl (the main and listener threads),
 * then the datapath's, which the forwarding threads take for each batch.
 * Between these two calls the caller keeps the first and lets the
 * forwarding threads have the second, while it waits for the kernel
 * (offload.c's counter reads); it may touch nothing they share (rules,
 * tables, the datapath) in between.  ofproto_io_begin() first revalidates
 * what this pass added, as any release of the lock does.  Without
 * forwarding threads, or inside a bundle's commit, both do nothing. */
void ofproto_io_begin(struct ofproto *);
void ofproto_io_end(struct ofproto *);

#endif /* ofproto-mpls/ofproto-private.h */
