/* ofproto-mpls/ofproto.c: one bridge: its lifecycle, the OpenFlow
 * messages it answers and its main loop (ofproto.h).  The state lives in
 * the modules ofproto-private.h lists; this file only dispatches to
 * them. */
#include <config.h>
#include "ofproto-mpls/ofproto.h"

#include <errno.h>
#include <string.h>

#include "datapath/dp-parse.h"
#include "datapath/dp-port.h"
#include "dp-packet.h"
#include "flow.h"
#include "hash.h"
#include "ofproto-mpls/bundle.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/meter.h"
#include "ofproto-mpls/offload.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofport.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/oftable.h"
#include "ofproto-mpls/ofproto-stats.h"
#include "ofproto-mpls/revalidate.h"
#include "ofproto-mpls/upcall.h"
#include "ofproto-mpls/validate.h"
#include "ofproto-mpls/xlate.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-match.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-parse.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ofproto);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 10);

/* How often timeouts and link states are checked, in msec. */
#define EXPIRE_INTERVAL 250
#define PORT_CHECK_INTERVAL 500

/* The bridges of this process, for unixctl commands. */
static struct shash all_ofprotos = SHASH_INITIALIZER(&all_ofprotos);

struct ofproto *
ofproto_lookup(const char *name)
{
    return shash_find_data(&all_ofprotos, name);
}

const struct shash *
ofproto_all(void)
{
    return &all_ofprotos;
}

static void handle_openflow(void *p, struct ofconn *, const struct ofpbuf *);
static void conn_reset(void *p, struct ofconn *);

static const struct connmgr_ops connmgr_ops = {
    .handle_msg = handle_openflow,
    .reset = conn_reset,
};

/* A connection closed or reconnected: what it had open goes. */
static void
conn_reset(void *p OVS_UNUSED, struct ofconn *ofconn)
{
    bundle_discard_all(ofconn_get_bundles(ofconn));
}

/* Lifecycle. */

struct ofproto *
ofproto_create(const char *name, uint64_t datapath_id)
{
    struct ofproto *p = xzalloc(sizeof *p);

    p->name = xstrdup(name);
    if (!datapath_id) {
        /* A locally administered MAC-like id derived from the name, so a
         * bridge keeps its id across restarts. */
        datapath_id = (hash_string(name, 0x6d7673) | 0x020000000000ULL)
                      & 0xffffffffffffULL;
    }
    p->datapath_id = datapath_id;
    p->dp = datapath_create(name, &upcall_ops, p);
    ovs_mutex_init(&p->control);
    p->connmgr = connmgr_create(&connmgr_ops, p);
    oftable_init_all(p);
    hmap_init(&p->ports);
    p->config.frag = OFPUTIL_FRAG_NORMAL;
    p->config.invalid_ttl_to_controller = -1;
    p->config.miss_send_len = OFP_DEFAULT_MISS_SEND_LEN;
    p->standalone = false;
    recirc_table_init(&p->recirc);
    mac_learning_init(&p->macs);
    p->max_idle_ms = DP_MAX_IDLE_DEFAULT;
    p->flow_limit = DP_FLOW_LIMIT_DEFAULT;
    p->mac_table_size = MAC_LEARNING_DEFAULT_MAX;
    p->mac_aging_ms = MAC_LEARNING_DEFAULT_IDLE_MS;
    hmap_init(&p->groups);
    meter_table_init(p);
    shash_add(&all_ofprotos, name, p);
    return p;
}

void
ofproto_destroy(struct ofproto *p)
{
    if (!p) {
        return;
    }
    shash_find_and_delete(&all_ofprotos, p->name);
    /* Nothing may forward (and call back into us) while we go. */
    datapath_stop_threads(p->dp);
    offload_destroy(p);
    connmgr_destroy(p->connmgr);
    datapath_destroy(p->dp);
    oftable_destroy_all(p);
    ofport_destroy_all(p);
    hmap_destroy(&p->ports);
    group_table_destroy(p);
    meter_table_destroy(p);
    recirc_table_uninit(&p->recirc);
    mac_learning_uninit(&p->macs);
    revalidate_destroy(p);
    ovs_mutex_destroy(&p->control);
    free(p->name);
    free(p);
}

/* Ports. */

int
ofproto_port_add(struct ofproto *p, const char *ifname, ofp_port_t ofp_port,
                 ofp_port_t *assigned)
{
    return ofport_add(p, ifname, ofp_port, assigned);
}

int
ofproto_port_del(struct ofproto *p, ofp_port_t ofp_port)
{
    return ofport_del(p, ofp_port);
}

int
ofproto_add_controller(struct ofproto *p, const char *target)
{
    return connmgr_add_controller(p->connmgr, target);
}

int
ofproto_add_listener(struct ofproto *p, const char *target)
{
    return connmgr_add_listener(p->connmgr, target);
}

int
ofproto_set_offload(struct ofproto *p, int mode, char **why)
{
    return offload_init(p, mode, why);
}

void
ofproto_set_limits(struct ofproto *p, const struct ofproto_limits *l)
{
    if (l->max_idle_ms) {
        p->max_idle_ms = l->max_idle_ms;
    }
    if (l->flow_limit) {
        p->flow_limit = l->flow_limit;
    }
    if (l->mac_table_size) {
        p->mac_table_size = l->mac_table_size;
    }
    if (l->mac_aging_ms) {
        p->mac_aging_ms = l->mac_aging_ms;
    }
    datapath_set_flow_limits(p->dp, p->max_idle_ms, p->flow_limit);
    mac_learning_set_limits(&p->macs, p->mac_table_size, p->mac_aging_ms);
}

void
ofproto_set_fail_mode(struct ofproto *p, enum ofproto_fail_mode mode)
{
    p->standalone = mode == OFPROTO_FAIL_STANDALONE;
    revalidate_flush(p);
}

void
ofproto_set_port_io(struct ofproto *p, int mode)
{
    datapath_set_port_io(p->dp, mode);
}

int
ofproto_flow_mod(struct ofproto *p, const struct ofputil_flow_mod *fm)
{
    if (fm->command == OFPFC_ADD || fm->command == OFPFC_MODIFY
        || fm->command == OFPFC_MODIFY_STRICT) {
        uint8_t table_id = fm->table_id == OFPTT_ALL ? 0 : fm->table_id;
        enum ofperr error = validate_ofpacts(fm->ofpacts, fm->ofpacts_len,
                                             table_id);
        if (error) {
            return error;
        }
    }
    return oftable_flow_mod(p, fm);
}

/* Parses flow text 'line' (extensions included, ofp-ext.h) into 'fm' and
 * checks it as a flow-mod from a controller would be.  Returns NULL or a
 * malloc'd error. */
static char *
parse_flow_line(const char *line, struct ofputil_flow_mod *fm)
{
    struct ofpext_count introduced = { 0, 0 };
    enum ofputil_protocol usable;
    char *pre;
    char *error = ofpext_text_to_carriers(line, &pre, &introduced);
    if (error) {
        return error;
    }
    error = parse_ofp_flow_mod_str(fm, pre, NULL, NULL, -2, &usable);
    free(pre);
    if (error) {
        return error;
    }
    if (fm->table_id == OFPTT_ALL && fm->command == OFPFC_ADD) {
        /* A flow without "table=" means table 0, as ovs-ofctl sends it. */
        fm->table_id = 0;
    }
    struct match match;
    minimatch_expand(&fm->match, &match);
    enum ofperr err = validate_decoded(&introduced, &match, fm->ofpacts,
                                            fm->ofpacts_len);
    if (err) {
        free(CONST_CAST(struct ofpact *, fm->ofpacts));
        minimatch_destroy(&fm->match);
        return xstrdup(ofperr_to_string(err));
    }
    return NULL;
}

char *
ofproto_load_flows(struct ofproto *p, const char *file_name)
{
    FILE *file = !strcmp(file_name, "-") ? stdin : fopen(file_name, "r");
    struct ds line = DS_EMPTY_INITIALIZER;
    int line_number = 0;
    size_t n = 0;
    char *error = NULL;

    if (!file) {
        return xasprintf("%s: open failed (%s)", file_name,
                         ovs_strerror(errno));
    }
    while (!error && !ds_get_preprocessed_line(&line, file, &line_number)) {
        struct ofputil_flow_mod fm;
        char *why = parse_flow_line(ds_cstr(&line), &fm);
        if (why) {
            error = xasprintf("%s:%d: %s", file_name, line_number, why);
            free(why);
            break;
        }
        int err = ofproto_flow_mod(p, &fm);
        if (err) {
            error = xasprintf("%s:%d: %s", file_name, line_number,
                              ofperr_to_string(err));
        }
        free(CONST_CAST(struct ofpact *, fm.ofpacts));
        minimatch_destroy(&fm.match);
        n++;
    }
    ds_destroy(&line);
    if (file != stdin) {
        fclose(file);
    }
    if (!error) {
        VLOG_INFO("%s: loaded %"PRIuSIZE" flows from %s", p->name, n,
                  file_name);
    }
    offload_commit(p);
    revalidate_run(p);
    return error;
}

/* OpenFlow message handlers. */

static enum ofperr
handle_features_request(struct ofproto *p, struct ofconn *ofconn,
                        const struct ofp_header *oh)
{
    struct ofputil_switch_features features = {
        .datapath_id = p->datapath_id,
        .n_buffers = 0,
        .n_tables = MVS_N_TABLES,
        .capabilities = (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS
                         | OFPUTIL_C_PORT_STATS | OFPUTIL_C_GROUP_STATS
                         | OFPUTIL_C_QUEUE_STATS),
        .ofpacts = (UINT64_C(1) << N_OFPACTS) - 1,
    };
    struct ofpbuf *b = ofputil_encode_switch_features(
        &features, ofconn_get_protocol(ofconn), oh->xid);
    if (ofputil_switch_features_has_ports(b)) {
        struct ofport *port;
        HMAP_FOR_EACH (port, node, &p->ports) {
            struct ofputil_phy_port pp;
            ofport_describe(port, &pp);
            ofputil_put_switch_features_port(&pp, b);
        }
    }
    ofconn_send_reply(ofconn, b);
    return 0;
}

static bool is_slave(const struct ofconn *);

/* OpenFlow 1.3.5 6.3.5: a slave's access is read-only, and the switch's
 * configuration is the switch's state. */
static enum ofperr
handle_set_config(struct ofproto *p, struct ofconn *ofconn,
                  const struct ofp_header *oh)
{
    struct ofputil_switch_config config;
    enum ofperr error = ofputil_decode_set_config(oh, &config);
    if (error) {
        return error;
    }
    if (is_slave(ofconn)) {
        return OFPERR_OFPBRC_IS_SECONDARY;
    }
    if (config.frag != OFPUTIL_FRAG_NORMAL
        && config.frag != OFPUTIL_FRAG_DROP) {
        /* Reassembly is not offered (the features reply says so). */
        config.frag = p->config.frag;
    }
    if (config.frag != p->config.frag) {
        revalidate_flush(p);
    }
    p->config.frag = config.frag;
    p->config.miss_send_len = config.miss_send_len;
    if (config.invalid_ttl_to_controller >= 0) {
        /* OpenFlow 1.1 and 1.2: this connection's invalid-TTL packet-ins
         * (1.3 has SET_ASYNC for them). */
        ofconn_set_invalid_ttl_to_controller(
            ofconn, config.invalid_ttl_to_controller);
    }
    return 0;
}

static bool
is_slave(const struct ofconn *ofconn)
{
    return ofconn_get_role(ofconn) == OFPCR12_ROLE_SECONDARY;
}

static enum ofperr handle_flow_mod(struct ofproto *, struct ofconn *,
                                   const struct ofp_header *,
                                   const struct ofpext_count *);

static enum ofperr handle_group_mod(struct ofproto *,
                                    const struct ofp_header *,
                                    const struct ofpext_count *);

/* A flow-mod or group-mod taken out of a bundle at its commit. */
static enum ofperr
bundle_apply_msg(struct ofproto *p, struct ofconn *ofconn,
                 const struct ofp_header *oh)
{
    struct ofpext_count introduced = { 0, 0 };
    struct ofpbuf *rewritten;
    enum ofptype type;
    enum ofperr error = ofptype_decode(&type, oh);
    if (!error) {
        error = ofpext_msg_to_carriers(oh, &rewritten, &introduced);
    }
    if (!error) {
        const struct ofp_header *msg = rewritten ? rewritten->data : oh;
        error = (type == OFPTYPE_GROUP_MOD
                 ? handle_group_mod(p, msg, &introduced)
                 : handle_flow_mod(p, ofconn, msg, &introduced));
        ofpbuf_delete(rewritten);
    }
    return error;
}

static enum ofperr
handle_flow_mod(struct ofproto *p, struct ofconn *ofconn,
                const struct ofp_header *oh,
                const struct ofpext_count *introduced)
{
    struct ofputil_flow_mod fm;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);

    if (is_slave(ofconn)) {
        return OFPERR_OFPBRC_IS_SECONDARY;
    }
    enum ofperr error = ofputil_decode_flow_mod(
        &fm, oh, ofconn_get_protocol(ofconn), NULL, NULL, &ofpacts,
        OFPP_MAX, MVS_N_TABLES);
    if (!error) {
        struct match match;
        minimatch_expand(&fm.match, &match);
        struct ofpact_check_params cp = {
            .match = &match,
            .max_ports = OFPP_MAX,
            .table_id = fm.table_id == OFPTT_ALL ? 0 : fm.table_id,
            .n_tables = MVS_N_TABLES,
        };
        error = validate_decoded(introduced, &match, fm.ofpacts,
                                      fm.ofpacts_len);
        if (!error) {
            error = ofpacts_check_consistency(fm.ofpacts, fm.ofpacts_len,
                                              ofconn_get_protocol(ofconn),
                                              &cp);
        }
        if (!error) {
            error = ofproto_flow_mod(p, &fm);
        }
        if (!error && fm.buffer_id != UINT32_MAX) {
            /* The flow is in; there is no buffered packet to apply it to
             * (the switch buffers none: n_buffers is 0). */
            error = OFPERR_OFPBRC_BUFFER_UNKNOWN;
        }
        minimatch_destroy(&fm.match);
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}
static enum ofperr
handle_port_mod(struct ofproto *p, struct ofconn *ofconn,
                const struct ofp_header *oh)
{
    struct ofputil_port_mod pm;
    if (is_slave(ofconn)) {
        return OFPERR_OFPBRC_IS_SECONDARY;
    }
    enum ofperr error = ofputil_decode_port_mod(oh, &pm, false);
    if (error) {
        return error;
    }
    struct ofport *port = ofport_find(p, pm.port_no);
    if (!port) {
        return OFPERR_OFPPMFC_BAD_PORT;
    }
    if (!eth_addr_equals(port->dp_port->mac, pm.hw_addr)) {
        return OFPERR_OFPPMFC_BAD_HW_ADDR;
    }
    enum ofputil_port_config old = port->config;
    port->config = (port->config & ~pm.mask) | (pm.config & pm.mask);
    if (pm.mask & OFPUTIL_PC_PORT_DOWN) {
        dp_port_set_admin(port->dp_port,
                          !(pm.config & OFPUTIL_PC_PORT_DOWN));
        dp_port_refresh(port->dp_port);
    }
    port->config &= ~OFPUTIL_PC_PORT_DOWN;
    if (old != port->config || pm.mask & OFPUTIL_PC_PORT_DOWN) {
        revalidate_flush(p);
        ofport_send_status(p, port, OFPPR_MODIFY);
    }
    return 0;
}

static enum ofperr
handle_packet_out(struct ofproto *p, struct ofconn *ofconn,
                  const struct ofp_header *oh,
                  const struct ofpext_count *introduced)
{
    struct ofputil_packet_out po;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);

    if (is_slave(ofconn)) {
        return OFPERR_OFPBRC_IS_SECONDARY;
    }
    enum ofperr error = ofputil_decode_packet_out(&po, oh, NULL, &ofpacts);
    if (error) {
        goto exit;
    }
    if (po.buffer_id != UINT32_MAX) {
        error = OFPERR_OFPBRC_BUFFER_UNKNOWN;
        goto exit;
    }
    ofp_port_t in_port = po.flow_metadata.flow.in_port.ofp_port;
    if (ofp_to_u16(in_port) >= ofp_to_u16(OFPP_MAX)
        && in_port != OFPP_CONTROLLER && in_port != OFPP_LOCAL
        && in_port != OFPP_NONE && in_port != OFPP_ANY) {
        error = OFPERR_OFPBRC_BAD_PORT;
        goto exit;
    }
    struct ofpact_check_params cp = {
        .match = &po.flow_metadata,
        .max_ports = OFPP_MAX,
        .table_id = 0,
        .n_tables = MVS_N_TABLES,
    };
    error = validate_decoded(introduced, &po.flow_metadata,
                                  po.ofpacts, po.ofpacts_len);
    if (!error) {
        error = ofpacts_check_consistency(po.ofpacts, po.ofpacts_len,
                                          ofconn_get_protocol(ofconn), &cp);
    }
    if (!error) {
        error = validate_ofpacts(po.ofpacts, po.ofpacts_len, 0);
    }
    if (!error) {
        error = oftable_check_refs(p, po.ofpacts, po.ofpacts_len);
    }
    if (error) {
        goto exit;
    }
    if (po.packet_len < ETH_HEADER_LEN
        || po.packet_len > UINT16_MAX - DP_PORT_HEADROOM) {
        /* A dp_packet holds at most 64 kB, headroom included. */
        error = OFPERR_OFPBRC_BAD_LEN;
        goto exit;
    }

    struct dp_packet *pkt = dp_packet_clone_data_with_headroom(
        po.packet, po.packet_len, DP_PORT_HEADROOM);
    struct dp_key key;
    dp_parse(pkt, ofp_to_u16(in_port), 0, 0, 0, &key);

    struct xlate_in xin = {
        .ofproto = p,
        .key = &key,
        .ofpacts = po.ofpacts,
        .ofpacts_len = po.ofpacts_len,
    };
    struct xlate_out xout;
    xlate_out_init(&xout);
    xlate(&xin, &xout);
    upcall_note_over_limit(p, &xout);
    /* A recirculation in the actions looks the packet up in the cache:
     * flow-mods that came before this packet-out count. */
    revalidate_run(p);
    datapath_execute(p->dp, pkt, ofp_to_u16(in_port), xout.actions.data,
                     xout.actions.size / sizeof(struct dp_action));
    xlate_out_uninit(&xout);
    dp_packet_delete(pkt);

exit:
    ofpbuf_uninit(&ofpacts);
    return error;
}

static enum ofperr
handle_group_mod(struct ofproto *p, const struct ofp_header *oh,
                 const struct ofpext_count *introduced)
{
    struct ofputil_group_mod gm;
    enum ofperr error = ofputil_decode_group_mod(oh, &gm);
    if (error) {
        return error;
    }

    /* The buckets' actions, against the extension codec's carriers and
     * what translation implements. */
    struct ofpext_count found = { 0, 0 };
    const struct ofputil_bucket *b;
    LIST_FOR_EACH (b, list_node, &gm.buckets) {
        ofpext_count_ofpacts(&found, b->ofpacts, b->ofpacts_len);
    }
    error = ofpext_count_check(introduced, &found);
    LIST_FOR_EACH (b, list_node, &gm.buckets) {
        if (!error) {
            error = validate_ofpacts(b->ofpacts, b->ofpacts_len, 0);
        }
    }
    if (!error) {
        error = group_mod(p, &gm);
    }
    ofputil_uninit_group_mod(&gm);
    return error;
}

static enum ofperr
handle_role_request(struct ofproto *p, struct ofconn *ofconn,
                    const struct ofp_header *oh)
{
    struct ofputil_role_request request;
    enum ofperr error = ofputil_decode_role_message(oh, &request);
    if (error) {
        return error;
    }
    if (request.role != OFPCR12_ROLE_NOCHANGE) {
        error = connmgr_change_role(p->connmgr, ofconn, request.role,
                                    request.have_generation_id,
                                    request.generation_id);
        if (error) {
            return error;
        }
    }
    struct ofputil_role_request reply = {
        .role = ofconn_get_role(ofconn),
        .have_generation_id = true,
        .generation_id = request.have_generation_id
                         ? request.generation_id : 0,
    };
    ofconn_send_reply(ofconn, ofputil_encode_role_reply(oh, &reply));
    return 0;
}

static enum ofperr
handle_set_async(struct ofconn *ofconn, const struct ofp_header *oh)
{
    struct ofputil_async_cfg ac;
    enum ofperr error = ofputil_decode_set_async_config(
        oh, false, ofconn_get_async_config(ofconn), &ac);
    if (!error) {
        ofconn_set_async_config(ofconn, &ac);
    }
    return error;
}

/* connmgr's handler for each message a connection receives. */
static void
handle_openflow(void *p_, struct ofconn *ofconn, const struct ofpbuf *msg)
{
    struct ofproto *p = p_;
    const struct ofp_header *request = msg->data;
    const struct ofp_header *oh = request;
    enum ofptype type;
    enum ofperr error = ofptype_decode(&type, oh);

    /* Extensions libopenvswitch cannot decode travel in carriers it can
     * (ofp-ext.h). */
    struct ofpext_count introduced = { 0, 0 };
    struct ofpbuf *rewritten = NULL;
    if (!error && (type == OFPTYPE_FLOW_MOD || type == OFPTYPE_PACKET_OUT
                   || type == OFPTYPE_GROUP_MOD
                   || type == OFPTYPE_FLOW_STATS_REQUEST
                   || type == OFPTYPE_AGGREGATE_STATS_REQUEST)) {
        error = ofpext_msg_to_carriers(oh, &rewritten, &introduced);
        if (rewritten) {
            oh = rewritten->data;
        }
    }

    if (!error) {
        switch (type) {
        case OFPTYPE_HELLO:
            break;
        case OFPTYPE_ECHO_REQUEST:
            ofconn_send_reply(ofconn, ofputil_encode_echo_reply(oh));
            break;
        case OFPTYPE_ECHO_REPLY:
        case OFPTYPE_ERROR:
            break;
        case OFPTYPE_FEATURES_REQUEST:
            error = handle_features_request(p, ofconn, oh);
            break;
        case OFPTYPE_GET_CONFIG_REQUEST: {
            struct ofputil_switch_config config = p->config;
            config.invalid_ttl_to_controller
                = ofconn_get_invalid_ttl_to_controller(ofconn);
            ofconn_send_reply(ofconn,
                              ofputil_encode_get_config_reply(oh, &config));
            break;
        }
        case OFPTYPE_SET_CONFIG:
            error = handle_set_config(p, ofconn, oh);
            break;
        case OFPTYPE_BARRIER_REQUEST:
            /* Every earlier message is fully applied by now (one thread,
             * in order), every cached flow was revalidated, and the
             * kernel copy is committed. */
            offload_commit_yielding(p);
            ofconn_send_reply(ofconn, ofpraw_alloc_reply(
                                  oh->version == OFP10_VERSION
                                  ? OFPRAW_OFPT10_BARRIER_REPLY
                                  : OFPRAW_OFPT11_BARRIER_REPLY, oh, 0));
            break;
        case OFPTYPE_FLOW_MOD:
            error = handle_flow_mod(p, ofconn, oh, &introduced);
            break;
        case OFPTYPE_PACKET_OUT:
            error = handle_packet_out(p, ofconn, oh, &introduced);
            break;
        case OFPTYPE_PORT_MOD:
            error = handle_port_mod(p, ofconn, oh);
            break;
        case OFPTYPE_DESC_STATS_REQUEST:
            error = ofproto_stats_desc(p, ofconn, oh);
            break;
        case OFPTYPE_FLOW_STATS_REQUEST:
            error = ofproto_stats_flow(p, ofconn, oh, false,
                                              &introduced);
            break;
        case OFPTYPE_AGGREGATE_STATS_REQUEST:
            error = ofproto_stats_flow(p, ofconn, oh, true,
                                              &introduced);
            break;
        case OFPTYPE_TABLE_STATS_REQUEST:
            error = ofproto_stats_table(p, ofconn, oh);
            break;
        case OFPTYPE_PORT_STATS_REQUEST:
            error = ofproto_stats_port(p, ofconn, oh);
            break;
        case OFPTYPE_PORT_DESC_STATS_REQUEST:
            error = ofproto_stats_port_desc(p, ofconn, oh);
            break;
        case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
            error = ofproto_stats_table_features(ofconn, oh);
            break;
        case OFPTYPE_BUNDLE_CONTROL:
            error = (is_slave(ofconn) ? OFPERR_OFPBRC_IS_SECONDARY
                     : bundle_handle_control(p, ofconn, oh,
                                             bundle_apply_msg));
            break;
        case OFPTYPE_BUNDLE_ADD_MESSAGE:
            error = (is_slave(ofconn) ? OFPERR_OFPBRC_IS_SECONDARY
                     : bundle_handle_add(p, ofconn, oh));
            break;
        case OFPTYPE_QUEUE_GET_CONFIG_REQUEST:
            error = ofproto_stats_queue_get_config(p, ofconn, oh);
            break;
        case OFPTYPE_QUEUE_STATS_REQUEST:
            error = ofproto_stats_queue(p, ofconn, oh);
            break;
        case OFPTYPE_TABLE_MOD:
            /* OpenFlow 1.3 deprecates table-miss configuration; the
             * message is accepted and changes nothing. */
            break;
        case OFPTYPE_ROLE_REQUEST:
            error = handle_role_request(p, ofconn, oh);
            break;
        case OFPTYPE_GET_ASYNC_REQUEST:
            ofconn_send_reply(ofconn, ofputil_encode_get_async_reply(
                                  oh, ofconn_get_async_config(ofconn)));
            break;
        case OFPTYPE_SET_ASYNC_CONFIG:
            error = handle_set_async(ofconn, oh);
            break;
        case OFPTYPE_GROUP_MOD:
            error = (is_slave(ofconn) ? OFPERR_OFPBRC_IS_SECONDARY
                     : handle_group_mod(p, oh, &introduced));
            break;
        case OFPTYPE_METER_MOD:
            error = (is_slave(ofconn) ? OFPERR_OFPBRC_IS_SECONDARY
                     : meter_handle_mod(p, oh));
            break;
        case OFPTYPE_METER_STATS_REQUEST:
            error = meter_handle_stats_request(p, ofconn, oh, false);
            break;
        case OFPTYPE_METER_CONFIG_STATS_REQUEST:
            error = meter_handle_stats_request(p, ofconn, oh, true);
            break;
        case OFPTYPE_METER_FEATURES_STATS_REQUEST:
            error = meter_handle_features_request(ofconn, oh);
            break;
        case OFPTYPE_GROUP_STATS_REQUEST:
            error = group_handle_stats_request(p, ofconn, oh);
            break;
        case OFPTYPE_GROUP_DESC_STATS_REQUEST:
            error = group_handle_desc_request(p, ofconn, oh);
            break;
        case OFPTYPE_GROUP_FEATURES_STATS_REQUEST:
            error = group_handle_features_request(ofconn, oh);
            break;
        /* Replies and asynchronous messages are the switch's to send, and
         * the rest is not supported (yet): say so precisely. */
        case OFPTYPE_FEATURES_REPLY:
        case OFPTYPE_GET_CONFIG_REPLY:
        case OFPTYPE_PACKET_IN:
        case OFPTYPE_FLOW_REMOVED:
        case OFPTYPE_PORT_STATUS:
        case OFPTYPE_BARRIER_REPLY:
        case OFPTYPE_QUEUE_GET_CONFIG_REPLY:
        case OFPTYPE_ROLE_REPLY:
        case OFPTYPE_GET_ASYNC_REPLY:
        case OFPTYPE_ROLE_STATUS:
        case OFPTYPE_REQUESTFORWARD:
        case OFPTYPE_TABLE_STATUS:
        case OFPTYPE_DESC_STATS_REPLY:
        case OFPTYPE_FLOW_STATS_REPLY:
        case OFPTYPE_AGGREGATE_STATS_REPLY:
        case OFPTYPE_TABLE_STATS_REPLY:
        case OFPTYPE_PORT_STATS_REPLY:
        case OFPTYPE_QUEUE_STATS_REPLY:
        case OFPTYPE_GROUP_STATS_REPLY:
        case OFPTYPE_GROUP_DESC_STATS_REPLY:
        case OFPTYPE_GROUP_FEATURES_STATS_REPLY:
        case OFPTYPE_METER_STATS_REPLY:
        case OFPTYPE_METER_CONFIG_STATS_REPLY:
        case OFPTYPE_METER_FEATURES_STATS_REPLY:
        case OFPTYPE_TABLE_FEATURES_STATS_REPLY:
        case OFPTYPE_TABLE_DESC_REQUEST:
        case OFPTYPE_TABLE_DESC_REPLY:
        case OFPTYPE_PORT_DESC_STATS_REPLY:
        case OFPTYPE_FLOW_MONITOR_STATS_REQUEST:
        case OFPTYPE_FLOW_MONITOR_STATS_REPLY:
        case OFPTYPE_SET_FLOW_FORMAT:
        case OFPTYPE_FLOW_MOD_TABLE_ID:
        case OFPTYPE_SET_PACKET_IN_FORMAT:
        case OFPTYPE_FLOW_AGE:
        case OFPTYPE_SET_CONTROLLER_ID:
        case OFPTYPE_NXT_TLV_TABLE_MOD:
        case OFPTYPE_NXT_TLV_TABLE_REQUEST:
        case OFPTYPE_NXT_TLV_TABLE_REPLY:
        case OFPTYPE_NXT_RESUME:
        case OFPTYPE_IPFIX_BRIDGE_STATS_REQUEST:
        case OFPTYPE_IPFIX_BRIDGE_STATS_REPLY:
        case OFPTYPE_IPFIX_FLOW_STATS_REQUEST:
        case OFPTYPE_IPFIX_FLOW_STATS_REPLY:
        case OFPTYPE_CT_FLUSH_ZONE:
        case OFPTYPE_CT_FLUSH:
        case OFPTYPE_FLOW_MONITOR_CANCEL:
        case OFPTYPE_FLOW_MONITOR_PAUSED:
        case OFPTYPE_FLOW_MONITOR_RESUMED:
            error = OFPERR_OFPBRC_BAD_TYPE;
            break;
        }
    }

    if (error) {
        VLOG_INFO_RL(&rl, "%s: %s", p->name, ofperr_to_string(error));
        ofconn_send_error(ofconn, request, error);
    }
    ofpbuf_delete(rewritten);
}

/* Main loop. */

/* Fail mode standalone: while controllers are configured and none is
 * connected, every packet takes output:NORMAL (the flow table is kept, as
 * in Open vSwitch's fail-open); with no controller configured at all, a
 * miss in table 0 takes NORMAL.  Fail mode secure never learns. */
static void
update_fail_open(struct ofproto *p)
{
    bool fail_open = (p->standalone
                      && connmgr_has_controllers_configured(p->connmgr)
                      && !connmgr_has_controller(p->connmgr));
    if (fail_open != p->fail_open) {
        VLOG_INFO("%s: %s fail-open (standalone learning switch)", p->name,
                  fail_open ? "entering" : "leaving");
        p->fail_open = fail_open;
        revalidate_flush(p);
    }
}

void
ofproto_run(struct ofproto *p)
{
    datapath_expire(p->dp);     /* Idle datapath flows. */
    datapath_reap(p->dp);       /* What flow-mods removed, now and then. */
    datapath_run(p->dp);
    connmgr_run(p->connmgr);
    revalidate_run(p);
    revalidate_macs(p);
    if (recirc_table_count(&p->recirc) > RECIRC_MAX) {
        /* Upcalls and packet-outs make frozen states. */
        revalidate_flush(p);
    }
    update_fail_open(p);
    offload_run(p);
    oftable_run(p);

    long long int now = time_msec();
    if (now >= p->next_expire) {
        oftable_expire(p);
        mac_learning_expire(&p->macs, now);
        p->next_expire = now + EXPIRE_INTERVAL;
    }
    if (now >= p->next_port_check) {
        ofport_check_links(p);
        p->next_port_check = now + PORT_CHECK_INTERVAL;
    }
}

void
ofproto_start_threads(struct ofproto *p, int n)
{
    if (n > 0) {
        datapath_start_threads(p->dp, n);
    }
}

void
ofproto_lock(struct ofproto *p)
    OVS_NO_THREAD_SAFETY_ANALYSIS
{
    ovs_mutex_lock(&p->control);
    datapath_lock(p->dp);
}

void
ofproto_unlock(struct ofproto *p)
    OVS_NO_THREAD_SAFETY_ANALYSIS
{
    datapath_unlock(p->dp);
    ovs_mutex_unlock(&p->control);
}

void
ofproto_io_begin(struct ofproto *p)
{
    ovs_assert(!p->io_released);
    if (datapath_n_threads(p->dp) && !p->txn) {
        /* What a barrier reply already promised: no packet takes a
         * datapath flow that this pass's adds made stale. */
        revalidate_run(p);
        p->io_released = true;
        datapath_unlock(p->dp);
    }
}

void
ofproto_io_end(struct ofproto *p)
{
    if (p->io_released) {
        datapath_lock(p->dp);
        p->io_released = false;
    }
}

void
ofproto_settle(struct ofproto *p)
{
    revalidate_run(p);
    offload_settle(p);
}

void
ofproto_wake(struct ofproto *p)
{
    datapath_wake_main(p->dp);
}

void
ofproto_accept(struct ofproto *p)
{
    connmgr_accept(p->connmgr);
}

void
ofproto_accept_wait(struct ofproto *p)
{
    connmgr_accept_wait(p->connmgr);
}

void
ofproto_wait(struct ofproto *p)
{
    /* After ofproto_run(), unixctl commands may have changed the tables;
     * this is the last call before the lock goes. */
    ofproto_settle(p);
    datapath_wait(p->dp);
    connmgr_wait(p->connmgr);
    offload_wait(p);
    oftable_wait(p);
    poll_timer_wait_until(MIN(MIN(p->next_expire, p->next_port_check),
                              datapath_next_expire(p->dp)));
}
