/*
 * ofproto-mpls/ofproto.h: one OpenFlow 1.3 bridge.
 *
 * What?
 * =====
 *
 * An ofproto is the OpenFlow side of one bridge: its flow tables (OVS's
 * classifier, one per table), its ports, its connections to controllers and
 * passive listeners (connmgr.h), and its datapath (datapath/datapath.h), to
 * which it answers upcalls by translating packets through the tables
 * (xlate.h).
 *
 * Thread-safety
 * =============
 *
 * One thread at a time, with the lock (ofproto_lock()) held once
 * forwarding threads or a listener thread (ofproto_accept()) run;
 * ofproto_wake() from any thread.
 */
#ifndef OFPROTO_MPLS_OFPROTO_H
#define OFPROTO_MPLS_OFPROTO_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openflow/openflow.h"
#include "openvswitch/types.h"

struct ofconn;
struct ofproto;
struct ofputil_flow_mod;

enum ofproto_fail_mode {
    OFPROTO_FAIL_SECURE,        /* Keep flows, learn nothing (default). */
    OFPROTO_FAIL_STANDALONE,    /* Act as a learning switch while no
                                 * controller is connected. */
};

/* Creates bridge 'name' with datapath id 'datapath_id' (0: derived from
 * the name).  Never fails. */
struct ofproto *ofproto_create(const char *name, uint64_t datapath_id);
void ofproto_destroy(struct ofproto *);

/* Adds interface 'ifname' as OpenFlow port 'ofp_port' (0 picks the lowest
 * free number).  On success stores the number in '*assigned' (if
 * nonnull) and returns 0; else a positive errno value (ENODEV: no such
 * interface; EEXIST: number or interface already in use). */
int ofproto_port_add(struct ofproto *, const char *ifname,
                     ofp_port_t ofp_port, ofp_port_t *assigned);
int ofproto_port_del(struct ofproto *, ofp_port_t);

/* Connections: 'target' as in OVS ("tcp:IP:PORT", "ptcp:PORT",
 * "punix:PATH"...).  Return 0 or a positive errno value. */
int ofproto_add_controller(struct ofproto *, const char *target);
int ofproto_add_listener(struct ofproto *, const char *target);
void ofproto_set_fail_mode(struct ofproto *, enum ofproto_fail_mode);

/* Bounds of what the bridge caches (see datapath.h and mac-learning.h):
 * datapath flows unused for 'max_idle_ms' expire, at most 'flow_limit'
 * are cached; the MAC table holds 'mac_table_size' addresses, each for
 * 'mac_aging_ms' after it was last learned.  0 keeps a value as it is. */
struct ofproto_limits {
    long long int max_idle_ms;
    size_t flow_limit;
    size_t mac_table_size;
    long long int mac_aging_ms;
};
void ofproto_set_limits(struct ofproto *, const struct ofproto_limits *);

/* Sets up nf_tables offload ('mode' is an enum offload_mode from
 * ofproto-mpls/offload.h); call before adding ports.  Returns 0, or an
 * errno value and a message in '*why' (caller frees) when the mode
 * requires offload and it cannot be had. */
int ofproto_set_offload(struct ofproto *, int mode, char **why);

/* Ports added from now on use port back-end 'mode' (enum dp_port_io_mode,
 * datapath/dp-port.h). */
void ofproto_set_port_io(struct ofproto *, int mode);

/* Applies flow-mod 'fm' as if a controller had sent it.  Returns 0 or an
 * OpenFlow error (enum ofperr). */
int ofproto_flow_mod(struct ofproto *, const struct ofputil_flow_mod *);

/* Reads ovs-ofctl add-flows syntax from 'file_name' and adds the flows.
 * Returns NULL, or an error message the caller frees. */
char *ofproto_load_flows(struct ofproto *, const char *file_name);

void ofproto_run(struct ofproto *);
void ofproto_wait(struct ofproto *);

/* The passive OpenFlow listeners, apart from ofproto_run(): accepts the
 * clients waiting, and waits for more (connmgr_accept()).  A caller that
 * runs them in a thread of its own holds the lock around both and wakes
 * the main loop after, so it runs the new connections. */
void ofproto_accept(struct ofproto *);
void ofproto_accept_wait(struct ofproto *);

/* Wakes the thread blocked after ofproto_wait(), from any thread. */
void ofproto_wake(struct ofproto *);

/* Finishes what a change to the tables made outside ofproto_run() (a
 * unixctl command) started: revalidation, and the kernel commit of
 * removals, which may not wait past the caller's next quiescent state.
 * ofproto_wait() does it; call it before letting the lock go otherwise. */
void ofproto_settle(struct ofproto *);

/* Forwarding threads (datapath/datapath.h): with 'n' > 0, packets are
 * forwarded by 'n' threads of their own, and the caller must hold the lock
 * (ofproto_lock()) around ofproto_run(), ofproto_wait() and anything else
 * that touches the bridge, unixctl commands included. */
void ofproto_start_threads(struct ofproto *, int n);
void ofproto_lock(struct ofproto *);
void ofproto_unlock(struct ofproto *);

/* Registers this process's unixctl commands (ofproto/trace, dpctl/...,
 * port/...); call once. */
void ofproto_unixctl_init(void);

#endif /* ofproto-mpls/ofproto.h */
