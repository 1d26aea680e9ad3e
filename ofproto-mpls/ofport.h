/*
 * ofproto-mpls/ofport.h: a bridge's ports as OpenFlow sees them.
 *
 * What?
 * =====
 *
 * An ofport is one datapath port (datapath/dp-port.h, a Linux interface)
 * with its OpenFlow number, configuration (OFPPC_*) and age.  This module
 * adds and removes them (telling the controllers with port-status, the
 * datapath, the offload and the cache), describes them (port
 * descriptions, features replies), and notices link changes.
 *
 * struct ofport itself is in ofproto-private.h.
 *
 * Ownership: the bridge owns its ofports ('ports' in struct ofproto); the
 * datapath owns each 'dp_port'.
 *
 * Thread-safety: main thread only.
 */
#ifndef OFPROTO_MPLS_OFPORT_H
#define OFPROTO_MPLS_OFPORT_H 1

#include <stdint.h>
#include "openflow/openflow.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/types.h"

struct dp_port;
struct ofproto;

/* The port numbered 'ofp_port', or NULL. */
struct ofport *ofport_find(const struct ofproto *, ofp_port_t ofp_port);

/* Adds interface 'ifname' as port 'ofp_port' (0 or OFPP_NONE: the lowest
 * free number), stores the number in '*assigned' (if nonnull), sends
 * port-status ADD.  Returns 0 or a positive errno value (ENODEV: no such
 * interface; EEXIST: number or interface in use; EINVAL: bad number). */
int ofport_add(struct ofproto *, const char *ifname, ofp_port_t ofp_port,
               ofp_port_t *assigned);

/* Removes port 'ofp_port' (port-status DELETE first).  Returns 0 or
 * ENOENT. */
int ofport_del(struct ofproto *, ofp_port_t ofp_port);

/* Frees every ofport (the bridge goes; no messages). */
void ofport_destroy_all(struct ofproto *);

/* Describes 'port' for a features, port-desc or port-status message. */
void ofport_describe(const struct ofport *, struct ofputil_phy_port *);

/* Sends port-status 'reason' about 'port' to the controllers that want
 * it. */
void ofport_send_status(struct ofproto *, const struct ofport *,
                        enum ofp_port_reason reason);

/* Polls link states: a change sends port-status MODIFY. */
void ofport_check_links(struct ofproto *);

#endif /* ofproto-mpls/ofport.h */
