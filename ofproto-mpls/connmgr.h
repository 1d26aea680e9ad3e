/*
 * ofproto-mpls/connmgr.h: OpenFlow connections of one bridge.
 *
 * What?
 * =====
 *
 * A connmgr keeps the bridge's controller connections (active: "tcp:",
 * "ssl:", "unix:", reconnecting with backoff through OVS's rconn) and its
 * passive listeners ("ptcp:", "pssl:", "punix:"), each accepted connection
 * becoming an ofconn of its own.  It reads messages and hands them to its
 * owner's handler (struct connmgr_ops), and sends asynchronous messages
 * (packet-in, flow-removed, port-status) to the connections whose role and
 * asynchronous configuration ask for them.  It knows nothing of what the
 * messages mean: it calls nothing else in ofproto-mpls/.
 *
 * Each connection has its own negotiated protocol, role (equal, master,
 * slave) and asynchronous configuration.  A slow controller cannot make the
 * switch grow without bound: packet-ins are dropped (and counted) when a
 * connection's transmit queue is full.
 *
 * Thread-safety
 * =============
 *
 * Main thread only.
 */
#ifndef OFPROTO_MPLS_CONNMGR_H
#define OFPROTO_MPLS_CONNMGR_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openflow/openflow.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-connection.h"
#include "openvswitch/ofp-protocol.h"

struct connmgr;
struct ofconn;
struct ofpbuf;
struct ofproto;
struct ds;

/* What a connmgr's owner does for it.  Both are called from
 * connmgr_run() (and 'reset' from connmgr_destroy()) with the 'aux' given
 * to connmgr_create(). */
struct connmgr_ops {
    /* 'msg' arrived on 'ofconn' (which stays valid during the call). */
    void (*handle_msg)(void *aux, struct ofconn *, const struct ofpbuf *msg);

    /* 'ofconn' closed, reconnected or goes: per-connection state kept on
     * it (its bundles, ofconn_get_bundles()) must be freed now. */
    void (*reset)(void *aux, struct ofconn *);
};

struct connmgr *connmgr_create(const struct connmgr_ops *, void *aux);
void connmgr_destroy(struct connmgr *);

/* Adds an active controller connection or a passive listener.  Return 0 or
 * a positive errno value. */
int connmgr_add_controller(struct connmgr *, const char *target);
int connmgr_add_listener(struct connmgr *, const char *target);

/* Runs and waits for the connections (controllers and accepted
 * clients). */
void connmgr_run(struct connmgr *);
void connmgr_wait(struct connmgr *);

/* Accepts the clients waiting on the passive listeners; waits for more.
 * Apart from connmgr_run(): an accept() with no client waiting costs as
 * much as a small flow-mod (the kernel makes a socket and a file, then
 * frees them), so the caller only accepts once the listener is readable
 * (see utils/mvsd.c, "Listener thread"). */
void connmgr_accept(struct connmgr *);
void connmgr_accept_wait(struct connmgr *);

/* True if any controller (not a passive listener's client) is
 * connected. */
bool connmgr_has_controller(const struct connmgr *);

/* True if any controller is configured (connected or not). */
bool connmgr_has_controllers_configured(const struct connmgr *);

/* Sends 'msg' (built for version 'version' by 'encode') to every
 * connection that wants asynchronous message type 'type' for 'reason'.
 * 'encode' is called once per protocol in use. */
void connmgr_send_async(struct connmgr *, enum ofputil_async_msg_type type,
                        uint32_t reason,
                        struct ofpbuf *(*encode)(const void *aux,
                                                 enum ofputil_protocol),
                        const void *aux);

/* Per-connection. */
enum ofputil_protocol ofconn_get_protocol(const struct ofconn *);
enum ofp12_controller_role ofconn_get_role(const struct ofconn *);
void ofconn_set_role(struct ofconn *, enum ofp12_controller_role);
const struct ofputil_async_cfg *ofconn_get_async_config(const struct ofconn *);
void ofconn_set_async_config(struct ofconn *, const struct ofputil_async_cfg *);

/* OpenFlow 1.1 and 1.2's OFPC_INVALID_TTL_TO_CONTROLLER (SET_CONFIG): the
 * invalid-TTL packet-ins of the connection's primary (or equal) role. */
void ofconn_set_invalid_ttl_to_controller(struct ofconn *, bool enable);
bool ofconn_get_invalid_ttl_to_controller(const struct ofconn *);

/* Storage for the connection's open bundles (bundle.c's; connmgr only
 * initializes and destroys the map, once 'reset' emptied it). */
struct hmap *ofconn_get_bundles(struct ofconn *);

/* Sends 'msg' to 'ofconn' (takes ownership). */
void ofconn_send_reply(struct ofconn *, struct ofpbuf *msg);
/* Sends the multipart replies in 'replies' (a list of ofpbufs). */
void ofconn_send_replies(struct ofconn *, struct ovs_list *replies);
/* Sends an error reply for 'request'. */
void ofconn_send_error(struct ofconn *, const struct ofp_header *request,
                       enum ofperr);

/* Role arbitration (OpenFlow 1.3.5 6.3.7): checks 'generation_id' against
 * the last one seen and, when 'ofconn' becomes master, demotes the others
 * to slave.  Returns 0 or OFPERR_OFPRRFC_STALE. */
enum ofperr connmgr_change_role(struct connmgr *, struct ofconn *,
                                enum ofp12_controller_role,
                                bool have_generation_id,
                                uint64_t generation_id);

/* For appctl: connection list with roles and state. */
void connmgr_show(const struct connmgr *, struct ds *);

#endif /* ofproto-mpls/connmgr.h */
