/*
 * ofproto-mpls/ofproto-private.h: one bridge's OpenFlow state, shared by
 * the modules of ofproto-mpls/.  Not for use outside ofproto-mpls/.
 *
 * What?
 * =====
 *
 * struct ofproto is the bridge: its flow tables (oftable.h), ports
 * (ofport.h), groups (group.h), meters (meter.h), recirculation states
 * (recirc.h), MAC learning table (mac-learning.h), connections
 * (connmgr.h), nf_tables offload (offload.h) and datapath
 * (datapath/datapath.h).  Each member says which module keeps it; the
 * others only read it.  ofproto.c creates and destroys the bridge, answers
 * OpenFlow messages and runs the main loop; no other module calls into
 * ofproto.c.
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
#include "ofproto-mpls/oftable.h"
#include "ofproto-mpls/ofproto.h"
#include "ofproto-mpls/recirc.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-switch.h"
#include "versions.h"

struct connmgr;
struct ofproto_txn;

struct ofproto {
    char *name;
    uint64_t datapath_id;
    struct datapath *dp;
    struct connmgr *connmgr;

    /* oftable.c. */
    struct oftable tables[MVS_N_TABLES];
    ovs_version_t version;      /* Rules visible to lookups. */
    struct ovs_list expirable;  /* Rules with timeouts. */
    size_t n_rules;
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
    struct hmap meters;         /* meter.c: of struct meter. */
    struct offload *offload;    /* offload.c: the nf_tables mirror. */

    /* ofproto.c. */
    struct ofputil_switch_config config;
    enum ofproto_fail_mode fail_mode;
    bool fail_open;             /* Standalone and every configured
                                 * controller is away: act as a learning
                                 * switch (see ofproto_run()). */

    /* upcall.c. */
    uint64_t n_packet_ins;
    uint64_t n_invalid_ttl;
};

/* ofproto.c: what unixctl commands (ofproto-unixctl.c) need beyond
 * ofproto.h: the bridges of this process by name. */
struct ofproto *ofproto_lookup(const char *name);
struct shash;
const struct shash *ofproto_all(void);

#endif /* ofproto-mpls/ofproto-private.h */
