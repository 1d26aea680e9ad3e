/* ofproto-mpls/ofport.c: OpenFlow ports (ofport.h). */
#include <config.h>
#include "ofproto-mpls/ofport.h"

#include <errno.h>
#include <string.h>

#include "datapath/datapath.h"
#include "datapath/dp-port.h"
#include "hash.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/mac-learning.h"
#include "ofproto-mpls/offload.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/revalidate.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ofport);

struct ofport *
ofport_find(const struct ofproto *p, ofp_port_t ofp_port)
{
    struct ofport *port;
    HMAP_FOR_EACH_IN_BUCKET (port, node, hash_int(ofp_to_u16(ofp_port), 0),
                             &p->ports) {
        if (port->ofp_port == ofp_port) {
            return port;
        }
    }
    return NULL;
}

int
ofport_add(struct ofproto *p, const char *ifname, ofp_port_t ofp_port,
           ofp_port_t *assigned)
{
    if (ofp_port == OFPP_NONE || !ofp_to_u16(ofp_port)) {
        uint16_t n = 1;
        while (ofport_find(p, u16_to_ofp(n))) {
            n++;
        }
        ofp_port = u16_to_ofp(n);
    } else if (ofp_to_u16(ofp_port) >= ofp_to_u16(OFPP_MAX)) {
        return EINVAL;
    } else if (ofport_find(p, ofp_port)) {
        return EEXIST;
    }

    revalidate_flush(p);
    int error = datapath_port_add(p->dp, ifname, ofp_to_u16(ofp_port));
    if (error) {
        return error;
    }
    struct ofport *port = xzalloc(sizeof *port);
    port->ofp_port = ofp_port;
    port->dp_port = datapath_port_get(p->dp, ofp_to_u16(ofp_port));
    port->created = time_msec();
    hmap_insert(&p->ports, &port->node, hash_int(ofp_to_u16(ofp_port), 0));
    if (assigned) {
        *assigned = ofp_port;
    }
    VLOG_INFO("%s: added interface %s as port %"PRIu16,
              p->name, ifname, ofp_to_u16(ofp_port));
    offload_port_added(p, port);
    ofport_send_status(p, port, OFPPR_ADD);
    return 0;
}

int
ofport_del(struct ofproto *p, ofp_port_t ofp_port)
{
    struct ofport *port = ofport_find(p, ofp_port);
    if (!port) {
        return ENOENT;
    }
    revalidate_flush(p);
    /* Describe it while it still exists. */
    ofport_send_status(p, port, OFPPR_DELETE);
    VLOG_INFO("%s: removed port %"PRIu16" (%s)", p->name,
              ofp_to_u16(ofp_port), port->dp_port->name);
    hmap_remove(&p->ports, &port->node);
    offload_port_deleted(p, port);
    mac_learning_flush(&p->macs, ofp_port);
    datapath_port_del(p->dp, ofp_to_u16(ofp_port));
    free(port);
    return 0;
}

void
ofport_destroy_all(struct ofproto *p)
{
    struct ofport *port;
    HMAP_FOR_EACH_POP (port, node, &p->ports) {
        free(port);
    }
}

void
ofport_describe(const struct ofport *port, struct ofputil_phy_port *pp)
{
    const struct dp_port *dp_port = port->dp_port;

    memset(pp, 0, sizeof *pp);
    pp->port_no = port->ofp_port;
    pp->hw_addr = dp_port->mac;
    ovs_strzcpy(pp->name, dp_port->name, sizeof pp->name);
    pp->config = port->config;
    if (!dp_port->admin_up) {
        pp->config |= OFPUTIL_PC_PORT_DOWN;
    }
    pp->state = dp_port->carrier && !dp_port->gone ? OFPUTIL_PS_LIVE
                                                   : OFPUTIL_PS_LINK_DOWN;
    /* veth and most virtual links report 10 Gb/s. */
    pp->curr = NETDEV_F_10GB_FD | NETDEV_F_COPPER;
    pp->supported = pp->curr;
    pp->curr_speed = 10000000;
    pp->max_speed = 10000000;
}

struct port_status_aux {
    const struct ofport *port;
    enum ofp_port_reason reason;
};

static struct ofpbuf *
encode_port_status(const void *aux_, enum ofputil_protocol protocol)
{
    const struct port_status_aux *aux = aux_;
    struct ofputil_port_status ps = { .reason = aux->reason };
    ofport_describe(aux->port, &ps.desc);
    return ofputil_encode_port_status(&ps, protocol);
}

void
ofport_send_status(struct ofproto *p, const struct ofport *port,
                   enum ofp_port_reason reason)
{
    struct port_status_aux aux = { port, reason };
    connmgr_send_async(p->connmgr, OAM_PORT_STATUS, reason,
                       encode_port_status, &aux);
}

void
ofport_check_links(struct ofproto *p)
{
    uint32_t *changed;
    size_t n;

    datapath_ports_refresh(p->dp, &changed, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofport *port = ofport_find(p, u16_to_ofp(changed[i]));
        if (port) {
            VLOG_INFO("%s: port %"PRIu32" (%s) is now %s", p->name,
                      changed[i], port->dp_port->name,
                      port->dp_port->gone ? "gone"
                      : port->dp_port->carrier ? "up" : "down");
            ofport_send_status(p, port, OFPPR_MODIFY);
        }
    }
    if (n) {
        /* The datapath removed its flows (ports_refresh): nothing refers
         * to a recirculation id any more. */
        recirc_table_clear(&p->recirc);
    }
    free(changed);
}
