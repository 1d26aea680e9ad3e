/* ofproto-mpls/ofproto-stats.c: the statistics and description
 * multiparts (ofproto-stats.h). */
#include <config.h>
#include "ofproto-mpls/ofproto-stats.h"

#include <string.h>

#include "bitmap.h"
#include "datapath/dp-port.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/offload.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofport.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/oftable.h"
#include "ofproto-mpls/validate.h"
#include "nx-match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-queue.h"
#include "openvswitch/ofp-table.h"
#include "openvswitch/ofpbuf.h"
#include "timeval.h"
#include "util.h"

static void
fill_flow_stats(const struct rule *rule, long long int now,
                struct ofputil_flow_stats *fs)
{
    memset(fs, 0, sizeof *fs);
    minimatch_expand(&rule->cr.match, &fs->match);
    fs->priority = rule->cr.priority;
    fs->cookie = rule->cookie;
    fs->table_id = rule->table_id;
    long long int age = now - rule->created;
    fs->duration_sec = age / 1000;
    fs->duration_nsec = (age % 1000) * 1000000;
    fs->idle_timeout = rule->idle_timeout;
    fs->hard_timeout = rule->hard_timeout;
    fs->idle_age = (now - rule->used) / 1000;
    fs->hard_age = (now - rule->modified) / 1000;
    fs->packet_count = (rule->flags & OFPUTIL_FF_NO_PKT_COUNTS
                        ? UINT64_MAX : rule->packet_count);
    fs->byte_count = (rule->flags & OFPUTIL_FF_NO_BYT_COUNTS
                      ? UINT64_MAX : rule->byte_count);
    fs->ofpacts = rule->ofpacts;
    fs->ofpacts_len = rule->ofpacts_len;
    fs->flags = rule->flags;
    fs->importance = rule->importance;
}

struct flow_stats_aux {
    struct ovs_list replies;
    long long int now;
};

static void
append_flow_stats(void *aux_, const struct rule *rule)
{
    struct flow_stats_aux *aux = aux_;
    struct ofputil_flow_stats fs;
    fill_flow_stats(rule, aux->now, &fs);
    ofputil_append_flow_stats_reply(&fs, &aux->replies, NULL);
}

static void
add_aggregate(void *aux_, const struct rule *rule)
{
    struct ofputil_aggregate_stats *stats = aux_;
    if (!(rule->flags & OFPUTIL_FF_NO_PKT_COUNTS)) {
        stats->packet_count += rule->packet_count;
    }
    if (!(rule->flags & OFPUTIL_FF_NO_BYT_COUNTS)) {
        stats->byte_count += rule->byte_count;
    }
    stats->flow_count++;
}

/* The rules a request covers, if there are few (see
 * offload_refresh_stats()). */
struct few_rules {
    struct rule *rules[OFFLOAD_READ_EACH_MAX];
    size_t n;                   /* ARRAY_SIZE(rules) + 1: too many. */
};

static void
add_few(void *aux_, const struct rule *rule)
{
    struct few_rules *few = aux_;
    if (few->n < ARRAY_SIZE(few->rules)) {
        few->rules[few->n] = CONST_CAST(struct rule *, rule);
    }
    few->n = MIN(few->n + 1, ARRAY_SIZE(few->rules) + 1);
}

enum ofperr
ofproto_stats_flow(struct ofproto *p, struct ofconn *ofconn,
                   const struct ofp_header *oh, bool aggregate,
                   const struct ofpext_count *introduced)
{
    struct ofputil_flow_stats_request fsr;
    enum ofperr error = ofputil_decode_flow_stats_request(&fsr, oh, NULL,
                             NULL);
    if (!error) {
        error = validate_decoded(introduced, &fsr.match, NULL, 0);
    }
    if (error) {
        return error;
    }
    datapath_push_stats(p->dp);
    /* A request for a few flows of a big offloaded table reads just
     * theirs from the kernel. */
    struct few_rules few = { .n = 0 };
    error = oftable_for_each_requested(p, &fsr, add_few, &few);
    if (error) {
        return error;
    }
    offload_refresh_stats(p, few.n <= ARRAY_SIZE(few.rules) ? few.rules : NULL,
                          few.n);
    if (aggregate) {
        struct ofputil_aggregate_stats stats = { 0, 0, 0 };
        error = oftable_for_each_requested(p, &fsr, add_aggregate, &stats);
        if (!error) {
            ofconn_send_reply(ofconn,
                       ofputil_encode_aggregate_stats_reply(&stats,
                               oh));
        }
        return error;
    }

    struct flow_stats_aux aux = { .now = time_msec() };
    ofpmp_init(&aux.replies, oh);
    error = oftable_for_each_requested(p, &fsr, append_flow_stats, &aux);
    if (error) {
        ofpbuf_list_delete(&aux.replies);
        return error;
    }
    struct ofpbuf *reply;
    LIST_FOR_EACH (reply, list_node, &aux.replies) {
        ofpext_msg_from_carriers(reply);
    }
    ofconn_send_replies(ofconn, &aux.replies);
    return 0;
}

enum ofperr
ofproto_stats_desc(struct ofproto *p, struct ofconn *ofconn,
                   const struct ofp_header *oh)
{
    struct ofpbuf *msg = ofpraw_alloc_stats_reply(oh, 0);
    struct ofp_desc_stats *ods = ofpbuf_put_zeros(msg, sizeof *ods);
    ovs_strlcpy(ods->mfr_desc, "mvs developers", sizeof ods->mfr_desc);
    ovs_strlcpy(ods->hw_desc, "mvs userspace MPLS datapath",
                sizeof ods->hw_desc);
    ovs_strlcpy(ods->sw_desc, "mvs " PACKAGE_VERSION_MVS, sizeof ods->sw_desc);
    ovs_strlcpy(ods->serial_num, "None", sizeof ods->serial_num);
    ovs_strlcpy(ods->dp_desc, p->name, sizeof ods->dp_desc);
    ofconn_send_reply(ofconn, msg);
    return 0;
}

enum ofperr
ofproto_stats_table(struct ofproto *p, struct ofconn *ofconn,
                    const struct ofp_header *oh)
{
    datapath_push_stats(p->dp);
    offload_table_stats(p);
    struct ofpbuf *reply = ofputil_encode_table_stats_reply(oh);
    for (int i = 0; i < MVS_N_TABLES; i++) {
        struct ofputil_table_stats stats = {
            .table_id = i,
            .active_count = p->tables[i].n_rules,
            .lookup_count = p->tables[i].lookup_count,
            .matched_count = p->tables[i].matched_count,
        };
        struct ofputil_table_features features = {
            .table_id = i,
            .max_entries = 1000000,
            .nonmiss = {
                .instructions = ((1u << N_OVS_INSTRUCTIONS) - 1),
            },
        };
        features.miss = features.nonmiss;
        ofputil_append_table_stats_reply(reply, &stats, &features);
    }
    ofconn_send_reply(ofconn, reply);
    return 0;
}

/* What every table offers (they are all alike). */
static void
fill_table_features(uint8_t table_id, struct ofputil_table_features *f)
{
    memset(f, 0, sizeof *f);
    f->table_id = table_id;
    snprintf(f->name, sizeof f->name, "table%d", table_id);
    f->metadata_match = OVS_BE64_MAX;
    f->metadata_write = OVS_BE64_MAX;
    f->max_entries = 1000000;
    f->any_properties = true;
    f->miss_config = OFPUTIL_TABLE_MISS_DEFAULT;
    for (int j = table_id + 1; j < MVS_N_TABLES; j++) {
        bitmap_set1(f->nonmiss.next, j);
    }
    f->nonmiss.instructions = (1u << N_OVS_INSTRUCTIONS) - 1;
    if (table_id == MVS_N_TABLES - 1) {
        f->nonmiss.instructions &= ~(1u << OVSINST_OFPIT11_GOTO_TABLE);
    }
    f->nonmiss.write.ofpacts = (UINT64_C(1) << N_OFPACTS) - 1;
    f->nonmiss.write.set_fields = oxm_writable_fields();
    f->nonmiss.apply = f->nonmiss.write;
    f->miss = f->nonmiss;
    f->match = oxm_matchable_fields();
    f->mask = oxm_maskable_fields();
    f->wildcard = oxm_matchable_fields();
}

enum ofperr
ofproto_stats_table_features(struct ofconn *ofconn,
                             const struct ofp_header *oh)
{
    struct ofpbuf msg = ofpbuf_const_initializer(oh, ntohs(oh->length));
    ofpraw_pull_assert(&msg);
    if (msg.size) {
        /* Reconfiguring tables is not supported: every table is fully
         * capable already. */
        return OFPERR_OFPTFFC_EPERM;
    }
    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    for (int i = 0; i < MVS_N_TABLES; i++) {
        struct ofputil_table_features f;
        fill_table_features(i, &f);
        ofputil_append_table_features(&f, NULL, &replies);
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

/* Ports have one queue each, which OpenFlow does not number: queue
 * requests get empty answers, or BAD_PORT/BAD_QUEUE. */
enum ofperr
ofproto_stats_queue_get_config(struct ofproto *p, struct ofconn *ofconn,
                               const struct ofp_header *oh)
{
    ofp_port_t port;
    uint32_t queue;
    enum ofperr error = ofputil_decode_queue_get_config_request(oh, &port,
                            &queue);
    if (error) {
        return error;
    }
    if (port != OFPP_ANY && !ofport_find(p, port)) {
        return OFPERR_OFPQOFC_BAD_PORT;
    }
    struct ovs_list replies;
    ofputil_start_queue_get_config_reply(oh, &replies);
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

enum ofperr
ofproto_stats_queue(struct ofproto *p, struct ofconn *ofconn,
                    const struct ofp_header *oh)
{
    struct ofputil_queue_stats_request qsr;
    enum ofperr error = ofputil_decode_queue_stats_request(oh, &qsr);
    if (error) {
        return error;
    }
    if (qsr.port_no != OFPP_ANY && !ofport_find(p, qsr.port_no)) {
        return OFPERR_OFPQOFC_BAD_PORT;
    }
    if (qsr.queue_id != OFPQ_ALL) {
        return OFPERR_OFPQOFC_BAD_QUEUE;
    }
    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

static void
append_port_stats(const struct ofport *port, struct ovs_list *replies)
{
    const struct dp_port_stats *st = &port->dp_port->stats;
    struct ofputil_port_stats ops;
    long long int age = time_msec() - port->created;

    memset(&ops, 0, sizeof ops);
    ops.port_no = port->ofp_port;
    ops.stats.rx_packets = st->rx_packets;
    ops.stats.tx_packets = st->tx_packets;
    ops.stats.rx_bytes = st->rx_bytes;
    ops.stats.tx_bytes = st->tx_bytes;
    ops.stats.rx_dropped = st->rx_dropped;
    ops.stats.tx_dropped = st->tx_dropped;
    ops.stats.rx_errors = st->rx_errors;
    ops.stats.tx_errors = st->tx_errors;
    ops.stats.rx_frame_errors = UINT64_MAX;
    ops.stats.rx_over_errors = UINT64_MAX;
    ops.stats.rx_crc_errors = UINT64_MAX;
    ops.stats.collisions = UINT64_MAX;
    ops.duration_sec = age / 1000;
    ops.duration_nsec = (age % 1000) * 1000000;
    ofputil_append_port_stat(replies, &ops);
}

enum ofperr
ofproto_stats_port(struct ofproto *p, struct ofconn *ofconn,
                   const struct ofp_header *oh)
{
    ofp_port_t port_no;
    enum ofperr error = ofputil_decode_port_stats_request(oh, &port_no);
    if (error) {
        return error;
    }
    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    if (port_no != OFPP_ANY) {
        struct ofport *port = ofport_find(p, port_no);
        if (!port) {
            ofpbuf_list_delete(&replies);
            return OFPERR_OFPBRC_BAD_PORT;
        }
        append_port_stats(port, &replies);
    } else {
        struct dp_port *dps[1024];
        size_t n = datapath_ports(p->dp, dps, ARRAY_SIZE(dps));
        for (size_t i = 0; i < n && i < ARRAY_SIZE(dps); i++) {
            append_port_stats(ofport_find(p, u16_to_ofp(dps[i]->port_no)),
                       &replies);
        }
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

enum ofperr
ofproto_stats_port_desc(struct ofproto *p, struct ofconn *ofconn,
                        const struct ofp_header *oh)
{
    ofp_port_t port_no;
    enum ofperr error = ofputil_decode_port_desc_stats_request(oh, &port_no);
    if (error) {
        return error;
    }
    struct ovs_list replies;
    ofpmp_init(&replies, oh);
    struct dp_port *dps[1024];
    size_t n = datapath_ports(p->dp, dps, ARRAY_SIZE(dps));
    for (size_t i = 0; i < n && i < ARRAY_SIZE(dps); i++) {
        struct ofport *port = ofport_find(p, u16_to_ofp(dps[i]->port_no));
        if (port_no == OFPP_ANY || port_no == port->ofp_port) {
            struct ofputil_phy_port pp;
            ofport_describe(port, &pp);
            ofputil_append_port_desc_stats_reply(&pp, &replies);
        }
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

