/* ofproto-mpls/ofproto-unixctl.c: the runtime control commands
 * (mvs-appctl): dpctl/dump-flows, dpctl/show, offload/show, port/add,
 * port/del and ofproto/trace, registered by ofproto_unixctl_init()
 * (ofproto.h).  Main thread only, with the bridge's lock held (mvsd takes
 * it around unixctl_server_run()). */
#include <config.h>
#include "ofproto-mpls/ofproto.h"

#include <errno.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-parse.h"
#include "datapath/dp-port.h"
#include "dp-packet.h"
#include "flow.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/mac-learning.h"
#include "ofproto-mpls/offload.h"
#include "ofproto-mpls/ofport.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/xlate.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-parse.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/shash.h"
#include "unixctl.h"
#include "util.h"

static struct ofproto *
find_bridge(struct unixctl_conn *conn, const char *name)
{
    struct ofproto *p = ofproto_lookup(name);
    if (!p) {
        unixctl_command_reply_error(conn, "no such bridge");
    }
    return p;
}

/* Replies to 'conn' with what 'cb' writes for each bridge, or only for the
 * one named in the optional argv[1]. */
static void
reply_for_bridges(struct unixctl_conn *conn, int argc, const char *argv[],
                  void (*cb)(struct ofproto *, struct ds *))
{
    struct shash_node *node;
    struct ds s = DS_EMPTY_INITIALIZER;

    SHASH_FOR_EACH (node, ofproto_all()) {
        struct ofproto *p = node->data;
        if (argc < 2 || !strcmp(argv[1], p->name)) {
            cb(p, &s);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
dump_flows_cb(struct ofproto *p, struct ds *s)
{
    datapath_dump_flows(p->dp, s);
}

static void
unixctl_dump_flows(struct unixctl_conn *conn, int argc, const char *argv[],
                   void *aux OVS_UNUSED)
{
    reply_for_bridges(conn, argc, argv, dump_flows_cb);
}

static void
dp_show_cb(struct ofproto *p, struct ds *s)
{
    datapath_show(p->dp, s);
    ds_put_format(s, "  packet-ins: %"PRIu64", invalid TTL: %"PRIu64
                  ", translations over the work limit (dropped): %"PRIu64
                  "\n", p->n_packet_ins, p->n_invalid_ttl,
                  p->n_xlate_over_limit);
    mac_learning_show(&p->macs, s);
    connmgr_show(p->connmgr, s);
}

static void
unixctl_dp_show(struct unixctl_conn *conn, int argc, const char *argv[],
                void *aux OVS_UNUSED)
{
    reply_for_bridges(conn, argc, argv, dp_show_cb);
}

static void
unixctl_offload_show(struct unixctl_conn *conn, int argc, const char *argv[],
                     void *aux OVS_UNUSED)
{
    reply_for_bridges(conn, argc, argv, offload_show);
}

static void
unixctl_port_add(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    struct ofproto *p = find_bridge(conn, argv[1]);
    if (!p) {
        return;
    }
    char *name = xstrdup(argv[2]);
    char *eq = strchr(name, '=');
    ofp_port_t ofp_port = OFPP_NONE;
    if (eq) {
        *eq = '\0';
        unsigned int n;
        if (!str_to_uint(eq + 1, 10, &n) || !n || n >= 0xff00) {
            unixctl_command_reply_error(conn, "bad port number");
            free(name);
            return;
        }
        ofp_port = u16_to_ofp(n);
    }
    ofp_port_t assigned;
    int error = ofproto_port_add(p, name, ofp_port, &assigned);
    if (error) {
        char *msg = xasprintf("%s: %s", name, error == ENODEV
                              ? "no such interface" : ovs_strerror(error));
        unixctl_command_reply_error(conn, msg);
        free(msg);
    } else {
        char *msg = xasprintf("%s: port %"PRIu16, name,
                              ofp_to_u16(assigned));
        unixctl_command_reply(conn, msg);
        free(msg);
    }
    free(name);
}

static void
unixctl_port_del(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    struct ofproto *p = find_bridge(conn, argv[1]);
    if (!p) {
        return;
    }
    struct ofport *port = NULL;
    unsigned int n;
    if (str_to_uint(argv[2], 10, &n) && n < 0xff00) {
        port = ofport_find(p, u16_to_ofp(n));
    } else {
        struct dp_port *dp_port = datapath_port_by_name(p->dp, argv[2]);
        port = dp_port ? ofport_find(p, u16_to_ofp(dp_port->port_no))
                       : NULL;
    }
    if (!port) {
        unixctl_command_reply_error(conn, "no such port");
        return;
    }
    ofproto_port_del(p, port->ofp_port);
    unixctl_command_reply(conn, NULL);
}

/* ofproto/trace BRIDGE FLOW | ofproto/trace BRIDGE in_port=N HEXFRAME */
static void
unixctl_trace(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    struct ofproto *p = find_bridge(conn, argv[1]);
    if (!p) {
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    struct dp_packet *pkt = NULL;
    struct flow flow;

    if (argc == 4) {
        /* A frame in hex. */
        struct ofpbuf frame;
        ofpbuf_init(&frame, 0);
        if (ofpbuf_put_hex(&frame, argv[3], NULL)[0] != '\0'
            || frame.size < ETH_HEADER_LEN
            || frame.size > UINT16_MAX - DP_PORT_HEADROOM) {
            unixctl_command_reply_error(conn, "bad hex frame");
            ofpbuf_uninit(&frame);
            return;
        }
        char *error = parse_ofp_exact_flow(&flow, NULL, NULL, argv[2], NULL);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            ofpbuf_uninit(&frame);
            return;
        }
        pkt = dp_packet_clone_data_with_headroom(frame.data, frame.size,
                                                 DP_PORT_HEADROOM);
        ofpbuf_uninit(&frame);
    } else {
        char *error = parse_ofp_exact_flow(&flow, NULL, NULL, argv[2], NULL);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            return;
        }
        pkt = dp_packet_new_with_headroom(128, DP_PORT_HEADROOM);
        flow_compose(pkt, &flow, NULL, 0);
    }

    uint32_t in_port = ofp_to_u16(flow.in_port.ofp_port);
    uint32_t recirc_id = 0;
    for (int pass = 0; pass < DP_MAX_RECIRC; pass++) {
        struct dp_key key;
        dp_parse(pkt, in_port, recirc_id, 0, 0, &key);

        ds_put_format(&s, "%sPass %d: ", pass ? "\n" : "", pass);
        dp_key_format(&key, NULL, &s);
        ds_put_cstr(&s, "\n");

        struct xlate_in xin = { .ofproto = p, .key = &key, .trace = &s };
        struct xlate_out xout;
        xlate_out_init(&xout);
        if (xlate(&xin, &xout)) {
            ds_put_cstr(&s, "unknown recirculation id\n");
            xlate_out_uninit(&xout);
            break;
        }
        const struct dp_action *acts = xout.actions.data;
        size_t n = xout.actions.size / sizeof *acts;
        ds_put_cstr(&s, "Megaflow: ");
        dp_key_format(&key, &xout.mask, &s);
        ds_put_cstr(&s, "\nDatapath actions: ");
        if (n) {
            dp_actions_format(acts, n, &s);
        } else {
            ds_put_cstr(&s, "drop");
        }
        ds_put_char(&s, '\n');

        /* Run the actions on the packet, without output, to see what the
         * next pass parses. */
        recirc_id = 0;
        struct dp_action *copy = xmemdup(acts, n * sizeof *acts);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (copy[i].type == DPA_RECIRC) {
                recirc_id = copy[i].u32;
                break;
            }
            if (copy[i].type != DPA_OUTPUT && copy[i].type != DPA_USERSPACE
                && copy[i].type != DPA_METER) {
                copy[m++] = copy[i];
            }
        }
        static const struct dp_exec_ops no_ops;
        int error = dp_execute(pkt, copy, m, &no_ops, NULL);
        free(copy);
        xlate_out_uninit(&xout);
        if (error == ETIME) {
            ds_put_cstr(&s, "(invalid TTL: packet punted, not forwarded)\n");
            break;
        }
        if (!recirc_id) {
            break;
        }
    }
    dp_packet_delete(pkt);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
ofproto_unixctl_init(void)
{
    unixctl_command_register("dpctl/dump-flows", "[BRIDGE]", 0, 1,
                             unixctl_dump_flows, NULL);
    unixctl_command_register("dpctl/show", "[BRIDGE]", 0, 1,
                             unixctl_dp_show, NULL);
    unixctl_command_register("offload/show", "[BRIDGE]", 0, 1,
                             unixctl_offload_show, NULL);
    unixctl_command_register("port/add", "BRIDGE IFNAME[=OFPORT]", 2, 2,
                             unixctl_port_add, NULL);
    unixctl_command_register("port/del", "BRIDGE IFNAME|OFPORT", 2, 2,
                             unixctl_port_del, NULL);
    unixctl_command_register("ofproto/trace",
                             "BRIDGE FLOW | BRIDGE in_port=N HEXFRAME", 2, 3,
                             unixctl_trace, NULL);
}

