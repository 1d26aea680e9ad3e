/* ofproto-mpls/upcall.c: the datapath's upcalls (upcall.h). */
#include <config.h>
#include "ofproto-mpls/upcall.h"

#include "dp-packet.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/meter.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/revalidate.h"
#include "ofproto-mpls/xlate.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(upcall);

void
upcall_note_over_limit(struct ofproto *p, const struct xlate_out *xout)
{
    if (xout->over_limit) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        p->n_xlate_over_limit++;
        VLOG_WARN_RL(&rl, "%s: a translation took more than %d actions and "
                     "group buckets (chained groups?): packet dropped",
                     p->name, XLATE_MAX_WORK);
    }
}

static int
upcall_miss(void *p_, const struct dp_packet *pkt OVS_UNUSED,
            const struct dp_key *key, struct dp_key *mask,
            struct ofpbuf *actions, void **xcachep)
{
    struct ofproto *p = p_;
    struct xlate_in xin = { .ofproto = p, .key = key };
    struct xlate_out xout;

    xlate_out_init(&xout);
    int error = xlate(&xin, &xout);
    upcall_note_over_limit(p, &xout);
    if (!error) {
        ofpbuf_put(actions, xout.actions.data, xout.actions.size);
        *mask = xout.mask;
        *xcachep = revalidate_xcache_create(
            p, xout.hits, xout.n_hits,
            xout.has_region ? &xout.region : NULL);
        if (*xcachep) {
            xout.has_region = false;    /* Moved into the xcache. */
        }
    }
    xlate_out_uninit(&xout);
    return error;
}

/* Credits a datapath flow's new packets ('delta') to the tables, rules,
 * groups and buckets its translation hit. */
static void
upcall_push_stats(void *p_, void *xc_, const struct dp_flow_stats *delta)
{
    struct ofproto *p = p_;
    struct xcache *xc = xc_;

    for (size_t i = 0; i < xc->n_hits; i++) {
        struct xlate_hit *hit = &xc->hits[i];
        if (hit->group) {
            hit->group->packet_count += delta->packets;
            hit->group->byte_count += delta->bytes;
            if (hit->bucket < hit->group->n_buckets) {
                hit->group->bucket_stats[hit->bucket].packet_count
                    += delta->packets;
                hit->group->bucket_stats[hit->bucket].byte_count
                    += delta->bytes;
            }
            continue;
        }
        struct oftable *table = &p->tables[hit->table_id];
        table->lookup_count += delta->packets;
        if (hit->rule) {
            table->matched_count += delta->packets;
            if (!(hit->rule->flags & OFPUTIL_FF_NO_PKT_COUNTS)) {
                hit->rule->packet_count += delta->packets;
            }
            if (!(hit->rule->flags & OFPUTIL_FF_NO_BYT_COUNTS)) {
                hit->rule->byte_count += delta->bytes;
            }
            hit->rule->used = MAX(hit->rule->used, delta->used);
        }
    }
}

static void
upcall_free_xcache(void *p, void *xc)
{
    revalidate_xcache_destroy(p, xc);
}

static void
upcall_installed(void *p OVS_UNUSED, void *xc, struct dp_flow *flow)
{
    revalidate_xcache_installed(xc, flow);
}

struct packet_in_aux {
    struct ofputil_packet_in pin;
    size_t max_len;
};

static struct ofpbuf *
encode_packet_in(const void *aux_, enum ofputil_protocol protocol)
{
    const struct packet_in_aux *aux = aux_;
    struct ofputil_packet_in_private pin = { .base = aux->pin };
    struct ofpbuf *msg = ofputil_encode_packet_in_private(
        &pin, protocol, OFPUTIL_PACKET_IN_STD);

    /* No buffering: send at most 'max_len' bytes (OFPCML_NO_BUFFER: all),
     * with total_len still the whole frame's. */
    size_t len = aux->pin.packet_len;
    if (aux->max_len < len) {
        msg->size -= len - aux->max_len;
    }
    /* Nor more than an OpenFlow message holds: a 16-bit length that
     * wrapped would desynchronise the controller's stream. */
    if (msg->size > UINT16_MAX) {
        msg->size = UINT16_MAX;
    }
    ofpmsg_update_length(msg);
    return msg;
}

static void
send_packet_in(struct ofproto *p, const struct dp_packet *pkt,
               const struct dp_key *key, enum ofp_packet_in_reason reason,
               uint8_t table_id, ovs_be64 cookie, size_t max_len)
{
    struct packet_in_aux aux;

    memset(&aux, 0, sizeof aux);
    aux.pin.packet = CONST_CAST(void *, dp_packet_data(pkt));
    aux.pin.packet_len = dp_packet_size(pkt);
    aux.pin.reason = reason;
    aux.pin.table_id = table_id;
    aux.pin.cookie = cookie;
    match_init_catchall(&aux.pin.flow_metadata);
    match_set_in_port(&aux.pin.flow_metadata, u16_to_ofp(key->in_port));
    aux.max_len = max_len;
    p->n_packet_ins++;
    connmgr_send_async(p->connmgr, OAM_PACKET_IN, reason,
                       encode_packet_in, &aux);
}

static void
upcall_userspace(void *p_, const struct dp_packet *pkt,
                 const struct dp_key *key, const struct dp_action *a)
{
    struct ofproto *p = p_;

    if (a->type == DPA_USERSPACE) {
        send_packet_in(p, pkt, key, a->u8, ntohs(a->be16) & 0xff, a->cookie,
                       a->u32);
    } else {
        /* An invalid TTL (dec_mpls_ttl or dec_ttl on 0 or 1); the action
         * carries the cookie and table of the flow that asked for it. */
        p->n_invalid_ttl++;
        send_packet_in(p, pkt, key, OFPR_INVALID_TTL, ntohs(a->be16) & 0xff,
                       a->cookie, p->config.miss_send_len);
    }
}

static bool
upcall_meter(void *p, struct dp_packet *pkt, uint32_t meter_id)
{
    return meter_execute(p, pkt, meter_id);
}

const struct dp_upcall_ops upcall_ops = {
    .miss = upcall_miss,
    .meter = upcall_meter,
    .userspace = upcall_userspace,
    .push_stats = upcall_push_stats,
    .free_xcache = upcall_free_xcache,
    .installed = upcall_installed,
};
