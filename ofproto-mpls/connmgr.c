/* ofproto-mpls/connmgr.c: controller connections and listeners. */
#include <config.h>
#include "ofproto-mpls/connmgr.h"

#include <errno.h>
#include <inttypes.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "openvswitch/util.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(connmgr);

/* OpenFlow versions offered in hello: 1.3 first, and the older ones every
 * libopenvswitch codec here speaks (ovs-ofctl without -O uses 1.0). */
#define MVS_OF_VERSIONS ((1u << OFP10_VERSION) | (1u << OFP11_VERSION) \
                         | (1u << OFP12_VERSION) | (1u << OFP13_VERSION))

/* Seconds of silence before an echo probe, and most seconds between
 * reconnection attempts. */
#define PROBE_INTERVAL 5
#define MAX_BACKOFF 8

/* Messages handled per connection per run, so no one starves the rest. */
#define MSGS_PER_RUN 50

/* Packet-ins queued to one connection before new ones are dropped. */
#define MAX_PIN_QUEUE 100

/* Other asynchronous messages (flow-removed, port-status) queued to one
 * connection before new ones are dropped: a controller that never reads
 * costs a bounded amount of memory. */
#define MAX_ASYNC_QUEUE 1000

/* Replies queued to one connection before the switch stops reading its
 * requests: a client that sends and never reads gets back-pressure (its
 * socket fills), not a switch whose memory grows without bound. */
#define MAX_REPLY_QUEUE 100

enum ofconn_type {
    OFCONN_PRIMARY,             /* To a configured controller. */
    OFCONN_SERVICE,             /* Accepted on a passive listener. */
};

struct ofconn {
    struct ovs_list node;       /* In connmgr's 'conns'. */
    struct connmgr *connmgr;
    struct rconn *rconn;
    enum ofconn_type type;
    enum ofp12_controller_role role;
    bool async_set;             /* 'async' set by the controller. */
    struct ofputil_async_cfg async;
    struct rconn_packet_counter *pin_counter;
    struct rconn_packet_counter *async_counter;
    struct rconn_packet_counter *reply_counter;
    struct hmap bundles;        /* Open bundles (bundle.c). */
    unsigned int seqno;         /* rconn connection seqno seen. */
    uint64_t n_pin_dropped;
    uint64_t n_async_dropped;
};

struct listener {
    struct ovs_list node;
    char *target;
    struct pvconn *pvconn;
};

struct connmgr {
    const struct connmgr_ops *ops;
    void *aux;
    struct ovs_list conns;      /* Of struct ofconn. */
    struct ovs_list listeners;  /* Of struct listener. */
    bool have_generation_id;
    uint64_t master_generation_id;
};

struct connmgr *
connmgr_create(const struct connmgr_ops *ops, void *aux)
{
    struct connmgr *mgr = xzalloc(sizeof *mgr);
    mgr->ops = ops;
    mgr->aux = aux;
    ovs_list_init(&mgr->conns);
    ovs_list_init(&mgr->listeners);
    return mgr;
}

static void
ofconn_destroy(struct ofconn *ofconn)
{
    ovs_list_remove(&ofconn->node);
    ofconn->connmgr->ops->reset(ofconn->connmgr->aux, ofconn);
    hmap_destroy(&ofconn->bundles);
    rconn_destroy(ofconn->rconn);
    rconn_packet_counter_destroy(ofconn->pin_counter);
    rconn_packet_counter_destroy(ofconn->async_counter);
    rconn_packet_counter_destroy(ofconn->reply_counter);
    free(ofconn);
}

void
connmgr_destroy(struct connmgr *mgr)
{
    if (mgr) {
        struct ofconn *ofconn;
        LIST_FOR_EACH_SAFE (ofconn, node, &mgr->conns) {
            ofconn_destroy(ofconn);
        }
        struct listener *l;
        LIST_FOR_EACH_POP (l, node, &mgr->listeners) {
            pvconn_close(l->pvconn);
            free(l->target);
            free(l);
        }
        free(mgr);
    }
}

static struct ofconn *
ofconn_create(struct connmgr *mgr, struct rconn *rconn,
              enum ofconn_type type)
{
    struct ofconn *ofconn = xzalloc(sizeof *ofconn);
    ofconn->connmgr = mgr;
    ofconn->rconn = rconn;
    ofconn->type = type;
    ofconn->role = OFPCR12_ROLE_EQUAL;
    ofconn->pin_counter = rconn_packet_counter_create();
    ofconn->async_counter = rconn_packet_counter_create();
    ofconn->reply_counter = rconn_packet_counter_create();
    hmap_init(&ofconn->bundles);
    ovs_list_push_back(&mgr->conns, &ofconn->node);
    return ofconn;
}

int
connmgr_add_controller(struct connmgr *mgr, const char *target)
{
    int error = vconn_verify_name(target);
    if (error) {
        return error;
    }
    struct rconn *rconn = rconn_create(PROBE_INTERVAL, MAX_BACKOFF,
                                       0, MVS_OF_VERSIONS);
    rconn_connect(rconn, target, target);
    ofconn_create(mgr, rconn, OFCONN_PRIMARY);
    return 0;
}

int
connmgr_add_listener(struct connmgr *mgr, const char *target)
{
    struct pvconn *pvconn;
    int error = pvconn_open(target, MVS_OF_VERSIONS, 0, &pvconn);
    if (error) {
        return error;
    }
    struct listener *l = xmalloc(sizeof *l);
    l->target = xstrdup(target);
    l->pvconn = pvconn;
    ovs_list_push_back(&mgr->listeners, &l->node);
    return 0;
}

static void
ofconn_reset(struct ofconn *ofconn)
{
    /* A new connection starts over: equal role, default async config. */
    ofconn->role = OFPCR12_ROLE_EQUAL;
    ofconn->async_set = false;
    ofconn->connmgr->ops->reset(ofconn->connmgr->aux, ofconn);
}

struct hmap *
ofconn_get_bundles(struct ofconn *ofconn)
{
    return &ofconn->bundles;
}

void
connmgr_accept(struct connmgr *mgr)
{
    struct listener *l;
    LIST_FOR_EACH (l, node, &mgr->listeners) {
        for (int i = 0; i < 10; i++) {
            struct vconn *vconn;
            int error = pvconn_accept(l->pvconn, &vconn);
            if (error) {
                if (error != EAGAIN) {
                    static struct vlog_rate_limit rl
                        = VLOG_RATE_LIMIT_INIT(1, 5);
                    VLOG_WARN_RL(&rl, "%s: accept failed (%s)", l->target,
                                 ovs_strerror(error));
                }
                break;
            }
            struct rconn *rconn = rconn_create(PROBE_INTERVAL, 0, 0,
                                               MVS_OF_VERSIONS);
            rconn_connect_unreliably(rconn, vconn, NULL);
            ofconn_create(mgr, rconn, OFCONN_SERVICE);
        }
    }
}

void
connmgr_accept_wait(struct connmgr *mgr)
{
    struct listener *l;
    LIST_FOR_EACH (l, node, &mgr->listeners) {
        pvconn_wait(l->pvconn);
    }
}

void
connmgr_run(struct connmgr *mgr)
{
    struct ofconn *ofconn;
    LIST_FOR_EACH_SAFE (ofconn, node, &mgr->conns) {
        rconn_run(ofconn->rconn);

        unsigned int seqno = rconn_get_connection_seqno(ofconn->rconn);
        if (seqno != ofconn->seqno) {
            ofconn->seqno = seqno;
            ofconn_reset(ofconn);
        }

        for (int i = 0; i < MSGS_PER_RUN; i++) {
            if (rconn_packet_counter_n_packets(ofconn->reply_counter)
                >= MAX_REPLY_QUEUE) {
                break;
            }
            struct ofpbuf *msg = rconn_recv(ofconn->rconn);
            if (!msg) {
                break;
            }
            mgr->ops->handle_msg(mgr->aux, ofconn, msg);
            ofpbuf_delete(msg);
        }

        if (ofconn->type == OFCONN_SERVICE
            && !rconn_is_alive(ofconn->rconn)) {
            ofconn_destroy(ofconn);
        }
    }
}

void
connmgr_wait(struct connmgr *mgr)
{
    struct ofconn *ofconn;
    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        rconn_run_wait(ofconn->rconn);
        if (rconn_packet_counter_n_packets(ofconn->reply_counter)
            < MAX_REPLY_QUEUE) {
            rconn_recv_wait(ofconn->rconn);
        }
    }
}

bool
connmgr_has_controller(const struct connmgr *mgr)
{
    const struct ofconn *ofconn;
    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        if (ofconn->type == OFCONN_PRIMARY
            && rconn_is_connected(ofconn->rconn)) {
            return true;
        }
    }
    return false;
}

bool
connmgr_has_controllers_configured(const struct connmgr *mgr)
{
    const struct ofconn *ofconn;
    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        if (ofconn->type == OFCONN_PRIMARY) {
            return true;
        }
    }
    return false;
}

enum ofputil_protocol
ofconn_get_protocol(const struct ofconn *ofconn)
{
    int version = rconn_get_version(ofconn->rconn);
    return (version > 0
            ? ofputil_protocol_from_ofp_version(version)
            : OFPUTIL_P_OF13_OXM);
}

enum ofp12_controller_role
ofconn_get_role(const struct ofconn *ofconn)
{
    return ofconn->role;
}

void
ofconn_set_role(struct ofconn *ofconn, enum ofp12_controller_role role)
{
    ofconn->role = role;
}

const struct ofputil_async_cfg *
ofconn_get_async_config(const struct ofconn *ofconn)
{
    if (!ofconn->async_set) {
        struct ofconn *o = CONST_CAST(struct ofconn *, ofconn);
        int version = rconn_get_version(ofconn->rconn);
        o->async = ofputil_async_cfg_default(version > 0 ? version
                                             : OFP13_VERSION);
    }
    return &ofconn->async;
}

void
ofconn_set_async_config(struct ofconn *ofconn,
                        const struct ofputil_async_cfg *ac)
{
    ofconn->async = *ac;
    ofconn->async_set = true;
}

void
ofconn_send_reply(struct ofconn *ofconn, struct ofpbuf *msg)
{
    ofpmsg_update_length(msg);
    rconn_send(ofconn->rconn, msg, ofconn->reply_counter);
}

void
ofconn_send_replies(struct ofconn *ofconn, struct ovs_list *replies)
{
    struct ofpbuf *reply;
    LIST_FOR_EACH_POP (reply, list_node, replies) {
        ofconn_send_reply(ofconn, reply);
    }
}

void
ofconn_send_error(struct ofconn *ofconn, const struct ofp_header *request,
                  enum ofperr error)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 10);
    struct ofpbuf *reply = ofperr_encode_reply(error, request);
    if (reply) {
        enum ofptype type;
        VLOG_INFO_RL(&rl, "%s: sending %s error reply to %s message",
                     rconn_get_name(ofconn->rconn), ofperr_to_string(error),
                     ofptype_decode(&type, request)
                     ? "an undecodable" : ofptype_get_name(type));
        rconn_send(ofconn->rconn, reply, ofconn->reply_counter);
    }
}

/* Returns whether 'ofconn' wants asynchronous message 'type' for
 * 'reason'. */
static bool
ofconn_wants(const struct ofconn *ofconn, enum ofputil_async_msg_type type,
             uint32_t reason)
{
    if (!rconn_is_connected(ofconn->rconn)
        || rconn_get_version(ofconn->rconn) <= 0) {
        return false;
    }
    const struct ofputil_async_cfg *ac = ofconn_get_async_config(ofconn);
    uint32_t mask = (ofconn->role == OFPCR12_ROLE_SECONDARY
                     ? ac->secondary[type] : ac->primary[type]);
    return (mask & (1u << reason)) != 0;
}

void
connmgr_send_async(struct connmgr *mgr, enum ofputil_async_msg_type type,
                   uint32_t reason,
                   struct ofpbuf *(*encode)(const void *aux,
                                            enum ofputil_protocol),
                   const void *aux)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofconn *ofconn;

    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        if (!ofconn_wants(ofconn, type, reason)) {
            continue;
        }
        struct ofpbuf *msg = encode(aux, ofconn_get_protocol(ofconn));
        if (!msg) {
            continue;
        }
        ofpmsg_update_length(msg);
        if (type == OAM_PACKET_IN) {
            /* Packet-ins are the only messages a packet storm can make:
             * bound them per connection. */
            int error = rconn_send_with_limit(ofconn->rconn, msg,
                                              ofconn->pin_counter,
                                              MAX_PIN_QUEUE);
            if (error) {
                ofconn->n_pin_dropped++;
                VLOG_WARN_RL(&rl, "%s: packet-in queue full, dropped",
                             rconn_get_name(ofconn->rconn));
            }
        } else {
            int error = rconn_send_with_limit(ofconn->rconn, msg,
                                              ofconn->async_counter,
                                              MAX_ASYNC_QUEUE);
            if (error) {
                ofconn->n_async_dropped++;
                VLOG_WARN_RL(&rl, "%s: %d asynchronous messages queued, "
                             "dropped one", rconn_get_name(ofconn->rconn),
                             MAX_ASYNC_QUEUE);
            }
        }
    }
}

void
ofconn_set_invalid_ttl_to_controller(struct ofconn *ofconn, bool enable)
{
    struct ofputil_async_cfg ac = *ofconn_get_async_config(ofconn);
    uint32_t bit = 1u << OFPR_INVALID_TTL;

    if (enable) {
        ac.primary[OAM_PACKET_IN] |= bit;
    } else {
        ac.primary[OAM_PACKET_IN] &= ~bit;
    }
    ofconn_set_async_config(ofconn, &ac);
}

bool
ofconn_get_invalid_ttl_to_controller(const struct ofconn *ofconn)
{
    const struct ofputil_async_cfg *ac = ofconn_get_async_config(ofconn);
    return (ac->primary[OAM_PACKET_IN] & (1u << OFPR_INVALID_TTL)) != 0;
}

enum ofperr
connmgr_change_role(struct connmgr *mgr, struct ofconn *ofconn,
                    enum ofp12_controller_role role,
                    bool have_generation_id, uint64_t generation_id)
{
    if ((role == OFPCR12_ROLE_PRIMARY || role == OFPCR12_ROLE_SECONDARY)
        && have_generation_id) {
        if (mgr->have_generation_id
            && (int64_t) (generation_id - mgr->master_generation_id) < 0) {
            return OFPERR_OFPRRFC_STALE;
        }
        mgr->have_generation_id = true;
        mgr->master_generation_id = generation_id;
    }

    if (role == OFPCR12_ROLE_PRIMARY) {
        struct ofconn *other;
        LIST_FOR_EACH (other, node, &mgr->conns) {
            if (other != ofconn && other->role == OFPCR12_ROLE_PRIMARY) {
                other->role = OFPCR12_ROLE_SECONDARY;
            }
        }
    }
    ofconn->role = role;
    return 0;
}

void
connmgr_show(const struct connmgr *mgr, struct ds *s)
{
    static const char *roles[] = { "nochange", "equal", "master", "slave" };
    const struct listener *l;
    LIST_FOR_EACH (l, node, &mgr->listeners) {
        ds_put_format(s, "listening: %s\n", l->target);
    }
    const struct ofconn *ofconn;
    LIST_FOR_EACH (ofconn, node, &mgr->conns) {
        int version = rconn_get_version(ofconn->rconn);
        ds_put_format(s, "%s: %s, %s, role %s, OpenFlow %s, "
                      "packet-ins dropped %"PRIu64", other asynchronous "
                      "messages dropped %"PRIu64"\n",
                      ofconn->type == OFCONN_PRIMARY ? "controller" : "client",
                      rconn_get_name(ofconn->rconn),
                      rconn_is_connected(ofconn->rconn)
                      ? "connected" : "not connected",
                      ofconn->role < ARRAY_SIZE(roles)
                      ? roles[ofconn->role] : "?",
                      version > 0 ? ofputil_version_to_string(version) : "-",
                      ofconn->n_pin_dropped, ofconn->n_async_dropped);
    }
}
