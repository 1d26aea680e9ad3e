/* ofproto-mpls/meter.c: meters and their token buckets. */
#include <config.h>
#include "ofproto-mpls/meter.h"

#include <string.h>

#include "datapath/dp-actions.h"
#include "dp-packet.h"
#include "hash.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/oftable.h"
#include "ofproto-mpls/revalidate.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "timeval.h"

/* Most meters and bands per meter. */
#define METER_MAX 65536
#define METER_MAX_BANDS 8

struct meter_band {
    struct ofputil_meter_band cfg;
    uint64_t bucket;            /* Tokens: millibits (kbps) or
                                 * millipackets (pktps). */
    uint64_t capacity;          /* Most tokens the bucket holds. */
    uint64_t packet_count;
    uint64_t byte_count;
};

struct meter {
    struct hmap_node node;      /* In ofproto's 'meters'. */
    uint32_t id;
    uint16_t flags;             /* OFPMF13_*. */
    size_t n_bands;
    struct meter_band *bands;
    long long int created;      /* msec. */
    long long int used;         /* msec: last refill. */
    uint64_t packet_in;
    uint64_t byte_in;
};

static struct meter *
meter_find(const struct ofproto *p, uint32_t id)
{
    struct meter *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash_int(id, 0), &p->meters) {
        if (m->id == id) {
            return m;
        }
    }
    return NULL;
}

bool
meter_exists(const struct ofproto *p, uint32_t meter_id)
{
    return meter_find(p, meter_id) != NULL;
}

void
meter_table_init(struct ofproto *p)
{
    hmap_init(&p->meters);
}

static void
meter_free(struct meter *m)
{
    free(m->bands);
    free(m);
}

void
meter_table_destroy(struct ofproto *p)
{
    struct meter *m;
    HMAP_FOR_EACH_POP (m, node, &p->meters) {
        meter_free(m);
    }
    hmap_destroy(&p->meters);
}

/* Tokens a band earns per millisecond: 'rate' kbit/s is 'rate' bits/ms,
 * i.e. 1000 * rate millibits/ms; 'rate' packets/s is 'rate' millipackets
 * per ms. */
static uint64_t
band_fill_per_ms(const struct meter *m, const struct meter_band *b)
{
    return m->flags & OFPMF13_KBPS ? (uint64_t) b->cfg.rate * 1000
                                   : b->cfg.rate;
}

static void
meter_configure(struct meter *m, const struct ofputil_meter_config *cfg)
{
    free(m->bands);
    m->flags = cfg->flags;
    m->n_bands = cfg->n_bands;
    m->bands = xcalloc(cfg->n_bands ? cfg->n_bands : 1, sizeof *m->bands);
    for (size_t i = 0; i < cfg->n_bands; i++) {
        struct meter_band *b = &m->bands[i];
        b->cfg = cfg->bands[i];
        uint64_t per_ms = band_fill_per_ms(m, b);
        if (m->flags & OFPMF13_BURST && b->cfg.burst_size) {
            /* burst_size is in kilobits or packets. */
            b->capacity = (uint64_t) b->cfg.burst_size * 1000 * 1000;
            if (m->flags & OFPMF13_PKTPS) {
                b->capacity = (uint64_t) b->cfg.burst_size * 1000;
            }
        } else {
            b->capacity = per_ms * 100;
        }
        /* At least one full-size frame must fit. */
        b->capacity = MAX(b->capacity, m->flags & OFPMF13_KBPS
                          ? UINT64_C(1600) * 8 * 1000 : 1000);
        b->bucket = b->capacity;
    }
    m->used = time_msec();
}

static enum ofperr
meter_check(const struct ofputil_meter_config *cfg)
{
    if (!cfg->meter_id || cfg->meter_id > OFPM13_MAX) {
        return OFPERR_OFPMMFC_INVALID_METER;
    }
    bool kbps = cfg->flags & OFPMF13_KBPS;
    bool pktps = cfg->flags & OFPMF13_PKTPS;
    if (kbps == pktps
        || cfg->flags & ~(OFPMF13_KBPS | OFPMF13_PKTPS | OFPMF13_BURST
                          | OFPMF13_STATS)) {
        return OFPERR_OFPMMFC_BAD_FLAGS;
    }
    if (cfg->n_bands > METER_MAX_BANDS) {
        return OFPERR_OFPMMFC_OUT_OF_BANDS;
    }
    for (size_t i = 0; i < cfg->n_bands; i++) {
        const struct ofputil_meter_band *b = &cfg->bands[i];
        if (b->type != OFPMBT13_DROP && b->type != OFPMBT13_DSCP_REMARK) {
            return OFPERR_OFPMMFC_BAD_BAND;
        }
        if (!b->rate) {
            return OFPERR_OFPMMFC_BAD_RATE;
        }
        if (b->type == OFPMBT13_DSCP_REMARK && b->prec_level > 3) {
            return OFPERR_OFPMMFC_BAD_BAND_VALUE;
        }
        if (b->burst_size && !(cfg->flags & OFPMF13_BURST)) {
            /* A burst without the flag is ignored, as the spec allows. */
        }
    }
    return 0;
}

static bool
rule_uses_meter(const struct rule *rule, uint32_t meter_id)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, rule->ofpacts, rule->ofpacts_len) {
        if (a->type == OFPACT_METER
            && ofpact_get_METER(a)->meter_id == meter_id) {
            return true;
        }
    }
    return false;
}

static uint32_t
meter_flow_count(const struct ofproto *p, uint32_t meter_id)
{
    uint32_t n = 0;
    for (int t = 0; t < MVS_N_TABLES; t++) {
        const struct rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            n += rule_uses_meter(rule, meter_id);
        }
    }
    return n;
}

static void
delete_flows_to_meter(struct ofproto *p, uint32_t meter_id)
{
    for (int t = 0; t < MVS_N_TABLES; t++) {
        struct rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            if (rule_uses_meter(rule, meter_id)) {
                oftable_rule_delete(p, rule, OFPRR_METER_DELETE);
            }
        }
    }
}

enum ofperr
meter_handle_mod(struct ofproto *p, const struct ofp_header *oh)
{
    struct ofputil_meter_mod mm;
    uint64_t stub[256 / 8];
    struct ofpbuf bands = OFPBUF_STUB_INITIALIZER(stub);
    enum ofperr error = ofputil_decode_meter_mod(oh, &mm, &bands);
    struct meter *m;

    if (error) {
        goto exit;
    }
    uint32_t id = mm.meter.meter_id;
    switch (mm.command) {
    case OFPMC13_ADD:
        error = meter_check(&mm.meter);
        if (error) {
            break;
        }
        if (meter_find(p, id)) {
            error = OFPERR_OFPMMFC_METER_EXISTS;
            break;
        }
        if (hmap_count(&p->meters) >= METER_MAX) {
            error = OFPERR_OFPMMFC_OUT_OF_METERS;
            break;
        }
        m = xzalloc(sizeof *m);
        m->id = id;
        m->created = time_msec();
        meter_configure(m, &mm.meter);
        hmap_insert(&p->meters, &m->node, hash_int(id, 0));
        break;

    case OFPMC13_MODIFY:
        error = meter_check(&mm.meter);
        if (error) {
            break;
        }
        m = meter_find(p, id);
        if (!m) {
            error = OFPERR_OFPMMFC_UNKNOWN_METER;
            break;
        }
        meter_configure(m, &mm.meter);
        break;

    case OFPMC13_DELETE:
        if (id == OFPM13_ALL) {
            revalidate_flush(p);
            HMAP_FOR_EACH_SAFE (m, node, &p->meters) {
                delete_flows_to_meter(p, m->id);
                hmap_remove(&p->meters, &m->node);
                meter_free(m);
            }
        } else if (id && id <= OFPM13_MAX) {
            m = meter_find(p, id);
            if (m) {
                revalidate_flush(p);
                delete_flows_to_meter(p, id);
                hmap_remove(&p->meters, &m->node);
                meter_free(m);
            }
        } else {
            error = OFPERR_OFPMMFC_INVALID_METER;
        }
        break;

    default:
        error = OFPERR_OFPMMFC_BAD_COMMAND;
        break;
    }

exit:
    ofpbuf_uninit(&bands);
    return error;
}

/* The DSCP a dscp_remark band with 'prec_level' gives 'dscp'.  OpenFlow
 * 1.3.5 says the band raises the drop precedence; 1.3.0 said it lowers
 * the precedence.  Both have a meaning, on different code points:
 *
 *   - an AF code point (RFC 2597: class 1-4, drop precedence 1-3, the
 *     last bit clear) has its drop precedence raised, up to 3:
 *     AF11 (10) -> AF12 (12) -> AF13 (14);
 *
 *   - any other (class selectors, EF, best effort) has no drop
 *     precedence: its IP precedence, the top three bits, is lowered,
 *     down to 0, the rest kept: CS3 (24) -> CS2 (16), EF (46) -> 38.
 *     This is what os-ken's switch tester checks. */
uint8_t
meter_remark_dscp(uint8_t dscp, uint8_t prec_level)
{
    uint8_t class = dscp >> 3, drop = (dscp >> 1) & 3;

    if (class >= 1 && class <= 4 && drop && !(dscp & 1)) {
        drop = MIN(3, drop + prec_level);
        return (class << 3) | (drop << 1);
    }
    class = class > prec_level ? class - prec_level : 0;
    return (class << 3) | (dscp & 7);
}

/* Remarks the IPv4 or IPv6 header of 'pkt'; anything else passes as it
 * is. */
static void
remark_dscp(struct dp_packet *pkt, uint8_t prec_level)
{
    const uint8_t *l3 = dp_packet_l3(pkt);
    uint8_t dscp;

    if (!l3 || dp_packet_l3_size(pkt) < 2) {
        return;
    }
    if (IP_VER(l3[0]) == 4) {
        dscp = l3[1] >> 2;
    } else if (IP_VER(l3[0]) == 6) {
        dscp = ((l3[0] & 0x0f) << 2) | (l3[1] >> 6);
    } else {
        return;
    }
    uint8_t new = meter_remark_dscp(dscp, prec_level);
    if (new != dscp) {
        struct dp_action a = { .type = DPA_SET_IP_DSCP, .u8 = new };
        static const struct dp_exec_ops no_ops;
        dp_execute(pkt, &a, 1, &no_ops, NULL);
    }
}

bool
meter_execute(struct ofproto *p, struct dp_packet *pkt, uint32_t meter_id)
{
    struct meter *m = meter_find(p, meter_id);
    if (!m) {
        return true;
    }
    long long int now = time_msec();
    long long int elapsed = now - m->used;
    size_t len = dp_packet_size(pkt);
    uint64_t cost_kbps = (uint64_t) len * 8 * 1000;
    struct meter_band *exceeded = NULL;

    m->used = now;
    m->packet_in++;
    m->byte_in += len;
    for (size_t i = 0; i < m->n_bands; i++) {
        struct meter_band *b = &m->bands[i];
        uint64_t cost = m->flags & OFPMF13_KBPS ? cost_kbps : 1000;
        if (elapsed > 0) {
            uint64_t add = band_fill_per_ms(m, b) * MIN(elapsed, 10000);
            b->bucket = MIN(b->capacity, b->bucket + add);
        }
        if (b->bucket >= cost) {
            b->bucket -= cost;
        } else if (!exceeded || b->cfg.rate > exceeded->cfg.rate) {
            exceeded = b;
        }
    }
    if (!exceeded) {
        return true;
    }
    exceeded->packet_count++;
    exceeded->byte_count += len;
    if (exceeded->cfg.type == OFPMBT13_DSCP_REMARK) {
        remark_dscp(pkt, exceeded->cfg.prec_level);
        return true;
    }
    return false;
}

static void
append_meter(const struct ofproto *p, const struct meter *m, bool config,
             struct ovs_list *replies)
{
    if (config) {
        struct ofputil_meter_band bands[METER_MAX_BANDS];
        for (size_t i = 0; i < m->n_bands; i++) {
            bands[i] = m->bands[i].cfg;
        }
        struct ofputil_meter_config mc = {
            .meter_id = m->id,
            .flags = m->flags,
            .n_bands = m->n_bands,
            .bands = bands,
        };
        ofputil_append_meter_config(replies, &mc);
    } else {
        struct ofputil_meter_band_stats bs[METER_MAX_BANDS];
        for (size_t i = 0; i < m->n_bands; i++) {
            bs[i].packet_count = m->bands[i].packet_count;
            bs[i].byte_count = m->bands[i].byte_count;
        }
        long long int age = time_msec() - m->created;
        struct ofputil_meter_stats ms = {
            .meter_id = m->id,
            .flow_count = meter_flow_count(p, m->id),
            .packet_in_count = m->packet_in,
            .byte_in_count = m->byte_in,
            .duration_sec = age / 1000,
            .duration_nsec = (age % 1000) * 1000000,
            .n_bands = m->n_bands,
            .bands = bs,
        };
        ofputil_append_meter_stats(replies, &ms);
    }
}

enum ofperr
meter_handle_stats_request(struct ofproto *p, struct ofconn *ofconn,
                           const struct ofp_header *oh, bool config)
{
    uint32_t meter_id;
    struct ovs_list replies;

    ofputil_decode_meter_request(oh, &meter_id);
    ofpmp_init(&replies, oh);
    if (meter_id == OFPM13_ALL) {
        const struct meter *m;
        HMAP_FOR_EACH (m, node, &p->meters) {
            append_meter(p, m, config, &replies);
        }
    } else {
        const struct meter *m = meter_find(p, meter_id);
        if (m) {
            append_meter(p, m, config, &replies);
        }
    }
    ofconn_send_replies(ofconn, &replies);
    return 0;
}

enum ofperr
meter_handle_features_request(struct ofconn *ofconn,
                              const struct ofp_header *oh)
{
    struct ofputil_meter_features mf = {
        .max_meters = METER_MAX,
        .band_types = (1u << OFPMBT13_DROP) | (1u << OFPMBT13_DSCP_REMARK),
        .capabilities = (OFPMF13_KBPS | OFPMF13_PKTPS | OFPMF13_BURST
                         | OFPMF13_STATS),
        .max_bands = METER_MAX_BANDS,
        .max_color = 0,
    };
    ofconn_send_reply(ofconn, ofputil_encode_meter_features_reply(&mf, oh));
    return 0;
}
