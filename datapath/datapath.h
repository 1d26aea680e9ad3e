/*
 * datapath/datapath.h: the packet engine of one bridge.
 *
 * What?
 * =====
 *
 * A datapath owns ports (dp-port.h) and a flow cache (dp-cache.h).  Every
 * frame received on a port is parsed into a key (dp-parse.h), looked up in
 * the cache, and on a miss handed up to the upcall handler (the OpenFlow
 * layer), which translates it into a mask and an action list; the datapath
 * caches that as a megaflow and executes the actions (dp-actions.h).
 *
 * Recirculation: a DPA_RECIRC action re-parses the packet with the recirc
 * id in its key and runs the whole lookup again; each pass is a datapath
 * flow of its own.  Passes are bounded by DP_MAX_RECIRC.
 *
 * Statistics: megaflows count packets and bytes; the upcall handler learns
 * them through 'push_stats' with the 'xcache' it attached to each flow
 * (which OpenFlow rules the flow went through), when it asks with
 * datapath_push_stats() and when a flow is flushed.
 *
 * Thread-safety
 * =============
 *
 * Without forwarding threads, the main thread calls everything here and
 * the upcall callbacks run in it, from inside datapath_run().
 *
 * With datapath_start_threads(), forwarding threads receive and process
 * packets, and the upcall callbacks run in them.  One big lock makes that
 * safe: a forwarding thread holds it for each batch, and the main thread
 * must hold it (datapath_lock()) around everything it does to the datapath
 * or to what the callbacks touch (the OpenFlow tables).  datapath_run()
 * and datapath_wait() then only wake the main thread for work the threads
 * queued for it.
 */
#ifndef DATAPATH_DATAPATH_H
#define DATAPATH_DATAPATH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/dp-actions.h"
#include "datapath/dp-cache.h"
#include "datapath/dp-key.h"
#include "datapath/dp-port.h"

struct datapath;
struct dp_packet;
struct dp_port;
struct ds;
struct ofpbuf;

/* Recirculation passes one packet may take. */
#define DP_MAX_RECIRC 64

/* The upcall handler: the layer above. */
struct dp_upcall_ops {
    /* A cache miss on 'key' ('pkt' is the packet, for reference only).
     * Translates it: stores the fields that decided the outcome in 'mask'
     * (zeroed on entry), appends 'struct dp_action's to 'actions', and may
     * set '*xcache' to an object 'push_stats' and 'free_xcache' take.
     * Returns 0, or a positive errno value to drop the packet uncached. */
    int (*miss)(void *aux, const struct dp_packet *pkt,
                const struct dp_key *key, struct dp_key *mask,
                struct ofpbuf *actions, void **xcache);

    /* A DPA_USERSPACE action, or an invalid TTL (see dp-actions.h).  'key'
     * is the packet's key for this pass. */
    void (*userspace)(void *aux, const struct dp_packet *pkt,
                      const struct dp_key *key,
                      const struct dp_action *action);

    /* Counters of a flow whose 'xcache' this is grew by 'delta'. */
    void (*push_stats)(void *aux, void *xcache,
                       const struct dp_flow_stats *delta);

    /* 'xcache' is no longer referenced by the datapath. */
    void (*free_xcache)(void *aux, void *xcache);

    /* The flow 'miss' made is in the cache as 'flow', until
     * 'free_xcache' (may be NULL).  The handler may remove it with
     * datapath_flow_del(). */
    void (*installed)(void *aux, void *xcache, struct dp_flow *flow);

    /* DPA_METER (may be NULL: no metering); may remark 'pkt''s DSCP. */
    bool (*meter)(void *aux, struct dp_packet *pkt, uint32_t meter_id);
};

struct datapath *datapath_create(const char *name,
                                 const struct dp_upcall_ops *ops, void *aux);
void datapath_destroy(struct datapath *);

const char *datapath_name(const struct datapath *);

/* Ports. */

/* Ports opened from now on receive the 'n' ethertypes in 'types' on
 * sockets of their own, after nf_tables ingress (dp-port.h); 'types' must
 * outlive the datapath. */
void datapath_set_rx_split(struct datapath *, const ovs_be16 *types,
                           size_t n);
/* Ports opened from now on use back-end 'mode' (dp-port.h); the default is
 * DP_PORT_IO_AUTO. */
void datapath_set_port_io(struct datapath *, enum dp_port_io_mode mode);
int datapath_port_add(struct datapath *, const char *ifname,
                      uint32_t port_no);
int datapath_port_del(struct datapath *, uint32_t port_no);
struct dp_port *datapath_port_get(const struct datapath *, uint32_t port_no);
struct dp_port *datapath_port_by_name(const struct datapath *,
                                      const char *ifname);
/* Fills 'ports' with up to 'max' ports in port-number order; returns the
 * number of ports (which may exceed 'max'). */
size_t datapath_ports(const struct datapath *, struct dp_port **ports,
                      size_t max);
/* Re-reads every port's link state; returns the port numbers whose state
 * changed in '*changed' (caller frees), their count in '*n'. */
void datapath_ports_refresh(struct datapath *, uint32_t **changed, size_t *n);

/* Main loop. */
void datapath_run(struct datapath *);
void datapath_wait(struct datapath *);

/* Wakes the thread in datapath_wait()'s poll, from any thread. */
void datapath_wake_main(struct datapath *);

/* Starts 'n' forwarding threads (call once, with the lock not held). */
void datapath_start_threads(struct datapath *, int n);
/* How many run (0: the main thread forwards). */
int datapath_n_threads(const struct datapath *);
/* Stops them (call without the lock): the main thread forwards again. */
void datapath_stop_threads(struct datapath *);
/* The big lock, for the main thread. */
void datapath_lock(struct datapath *);
void datapath_unlock(struct datapath *);

/* Executes 'n' 'actions' on 'pkt' as if it had been received on 'in_port'
 * (packet-out).  'pkt' is modified in place and stays the caller's. */
int datapath_execute(struct datapath *, struct dp_packet *pkt,
                     uint32_t in_port, const struct dp_action *actions,
                     size_t n);

/* Removes every cached flow (after pushing their statistics): what the
 * OpenFlow layer decides changed as a whole (ports, groups...).  After
 * this returns no packet takes a stale path. */
void datapath_flush(struct datapath *);

/* Removes one cached flow (after pushing its statistics and freeing its
 * xcache): what it does is no longer what the OpenFlow tables say.  No
 * packet takes it from now on. */
void datapath_flow_del(struct datapath *, struct dp_flow *);
/* datapath_flow_del() of every flow for which 'pred' returns true. */
void datapath_flows_del_if(struct datapath *,
                           bool (*pred)(void *aux, const struct dp_flow *),
                           void *aux);

/* Frees the memory of removed flows.  That walks the whole exact-match
 * cache, so it happens at most every DP_REAP_MSEC or when DP_REAP_MAX
 * flows wait.  Call it from time to time. */
#define DP_REAP_MSEC 100
#define DP_REAP_MAX 1024
void datapath_reap(struct datapath *);

/* Bounds of the flow cache.  A flow unused for 'max_idle' msec (default
 * DP_MAX_IDLE_DEFAULT, as Open vSwitch's max-idle) is removed by
 * datapath_expire(), which the owner calls from its main loop (and again
 * at datapath_next_expire()); its counters reach the upcall handler
 * first.  At most 'flow_limit' flows are cached (default
 * DP_FLOW_LIMIT_DEFAULT, as Open vSwitch's flow-limit): a miss at the
 * limit first evicts the flows idle for DP_EVICT_IDLE msec (a sweep at
 * most every DP_EVICT_INTERVAL msec), and if none can go, the packet is
 * forwarded as translated without caching a flow.  dpctl/show counts
 * each. */
#define DP_MAX_IDLE_DEFAULT 10000
#define DP_FLOW_LIMIT_DEFAULT 200000
#define DP_EVICT_IDLE 1000
#define DP_EVICT_INTERVAL 100
void datapath_set_flow_limits(struct datapath *, long long int max_idle,
                              size_t flow_limit);
void datapath_expire(struct datapath *);
long long int datapath_next_expire(const struct datapath *);

/* Pushes every flow's counters to the upcall handler. */
void datapath_push_stats(struct datapath *);

/* Introspection, for dpctl/dump-flows and dpctl/show. */
void datapath_dump_flows(struct datapath *, struct ds *);
void datapath_show(struct datapath *, struct ds *);

#endif /* datapath/datapath.h */
