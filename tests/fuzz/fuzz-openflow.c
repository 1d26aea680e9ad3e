/*
 * tests/fuzz/fuzz-openflow.c: the whole OpenFlow message handler.
 *
 * Each input creates a bridge with no ports (ofproto_create()), one
 * connection to it, and feeds it a sequence of OpenFlow messages through
 * the bridge's message handler (connmgr's ops), then destroys everything,
 * so every input runs from the same state and a finding replays alone.
 *
 * Input layout:
 *
 *   +-----+-----------------+-----------------+----
 *   | sel | OpenFlow msg 1  | OpenFlow msg 2  | ...
 *   +-----+-----------------+-----------------+----
 *
 * 'sel' picks the connection's negotiated version (mostly 1.3, sometimes
 * 1.0, 1.1 or 1.2).  Each message is delimited by its header's length,
 * clamped to at least 8 bytes and to what is left; its version and length
 * fields are then forced to what a vconn guarantees (the negotiated version,
 * the real length), as connmgr_run() never sees anything else.
 *
 * No test hook in mvs: this file includes ofproto-mpls/connmgr.c itself,
 * with OVS's rconn replaced (by macros, for connmgr.c only) by an in-memory
 * connection that is always up and checks every message the switch sends:
 *
 *   - it is a well-formed message libopenvswitch decodes
 *     (ofptype_decode()), of the negotiated version, whose length field is
 *     its size;
 *   - replies and errors carry the request's xid (an error may also carry
 *     the xid of a message added to a bundle earlier, reported at commit);
 *   - a request that asks for an answer (echo, features, get-config,
 *     barrier, role, get-async, multipart requests) gets at least one
 *     message back: a reply or an error.
 *
 * Crashes, sanitizer reports, leaks (LeakSanitizer) and hangs (libFuzzer's
 * -timeout) are findings too.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The in-memory connection. */
struct rconn {
    int version;                /* Negotiated OpenFlow version. */
    ovs_be32 xid;               /* Of the request being handled. */
    bool in_request;            /* A request is being handled. */
    unsigned int n_answers;     /* Messages sent for it. */
    ovs_be32 seen[64];          /* Xids of the requests so far. */
    size_t n_seen;
};

static bool
fz_xid_seen(const struct rconn *rc, ovs_be32 xid)
{
    for (size_t i = 0; i < rc->n_seen; i++) {
        if (rc->seen[i] == xid) {
            return true;
        }
    }
    return false;
}

static struct rconn *
fz_rconn_create(int probe OVS_UNUSED, int backoff OVS_UNUSED,
                uint8_t dscp OVS_UNUSED, uint32_t versions OVS_UNUSED)
{
    return xzalloc(sizeof(struct rconn));
}

static void
fz_rconn_destroy(struct rconn *rc)
{
    free(rc);
}

static void
fz_check_sent(struct rconn *rc, const struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;
    enum ofptype type;

    if (msg->size < sizeof *oh || ntohs(oh->length) != msg->size) {
        fprintf(stderr, "sent a message whose length field is wrong\n");
        abort();
    }
    if (oh->version != rc->version) {
        fprintf(stderr, "sent a version %d message on a version %d "
                "connection\n", oh->version, rc->version);
        abort();
    }
    enum ofperr error = ofptype_decode(&type, oh);
    if (error) {
        fprintf(stderr, "sent an undecodable message (%s)\n",
                ofperr_to_string(error));
        abort();
    }
    bool async = (type == OFPTYPE_PACKET_IN || type == OFPTYPE_FLOW_REMOVED
                  || type == OFPTYPE_PORT_STATUS
                  || type == OFPTYPE_ROLE_STATUS);
    if (rc->in_request && !async) {
        if (oh->xid != rc->xid
            && !(type == OFPTYPE_ERROR && fz_xid_seen(rc, oh->xid))) {
            fprintf(stderr, "%s reply with xid %#"PRIx32", request had "
                    "%#"PRIx32"\n", ofptype_get_name(type), ntohl(oh->xid),
                    ntohl(rc->xid));
            abort();
        }
        rc->n_answers++;
    }
}

static int
fz_rconn_send(struct rconn *rc, struct ofpbuf *msg,
              struct rconn_packet_counter *counter OVS_UNUSED)
{
    fz_check_sent(rc, msg);
    ofpbuf_delete(msg);
    return 0;
}

static int
fz_rconn_send_with_limit(struct rconn *rc, struct ofpbuf *msg,
                         struct rconn_packet_counter *counter OVS_UNUSED,
                         int limit OVS_UNUSED)
{
    return fz_rconn_send(rc, msg, NULL);
}

static int fz_rconn_get_version(const struct rconn *rc) { return rc->version; }
static bool fz_rconn_true(const struct rconn *rc OVS_UNUSED) { return true; }
static const char *
fz_rconn_get_name(const struct rconn *rc OVS_UNUSED)
{
    return "fuzz";
}
static unsigned int
fz_rconn_get_connection_seqno(const struct rconn *rc OVS_UNUSED)
{
    return 0;
}
static struct ofpbuf *fz_rconn_recv(struct rconn *rc OVS_UNUSED)
{
    return NULL;
}
static void fz_rconn_nop(struct rconn *rc OVS_UNUSED) { }
static void
fz_rconn_connect(struct rconn *rc OVS_UNUSED, const char *a OVS_UNUSED,
                 const char *b OVS_UNUSED)
{
}
static void
fz_rconn_connect_unreliably(struct rconn *rc OVS_UNUSED,
                            struct vconn *v OVS_UNUSED,
                            const char *name OVS_UNUSED)
{
}

#define rconn_create fz_rconn_create
#define rconn_destroy fz_rconn_destroy
#define rconn_send fz_rconn_send
#define rconn_send_with_limit fz_rconn_send_with_limit
#define rconn_get_version fz_rconn_get_version
#define rconn_is_connected fz_rconn_true
#define rconn_is_alive fz_rconn_true
#define rconn_get_name fz_rconn_get_name
#define rconn_get_connection_seqno fz_rconn_get_connection_seqno
#define rconn_recv fz_rconn_recv
#define rconn_run fz_rconn_nop
#define rconn_run_wait fz_rconn_nop
#define rconn_recv_wait fz_rconn_nop
#define rconn_connect fz_rconn_connect
#define rconn_connect_unreliably fz_rconn_connect_unreliably

#include "ofproto-mpls/connmgr.c"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/ofproto.h"

#define MAX_MSGS 64

int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return 0;
}

/* Whether a request of 'type' must be answered. */
static bool
wants_answer(enum ofptype type)
{
    switch (type) {
    case OFPTYPE_ECHO_REQUEST:
    case OFPTYPE_FEATURES_REQUEST:
    case OFPTYPE_GET_CONFIG_REQUEST:
    case OFPTYPE_BARRIER_REQUEST:
    case OFPTYPE_ROLE_REQUEST:
    case OFPTYPE_GET_ASYNC_REQUEST:
    case OFPTYPE_DESC_STATS_REQUEST:
    case OFPTYPE_FLOW_STATS_REQUEST:
    case OFPTYPE_AGGREGATE_STATS_REQUEST:
    case OFPTYPE_TABLE_STATS_REQUEST:
    case OFPTYPE_PORT_STATS_REQUEST:
    case OFPTYPE_PORT_DESC_STATS_REQUEST:
    case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
    case OFPTYPE_METER_STATS_REQUEST:
    case OFPTYPE_METER_CONFIG_STATS_REQUEST:
    case OFPTYPE_METER_FEATURES_STATS_REQUEST:
    case OFPTYPE_GROUP_STATS_REQUEST:
    case OFPTYPE_GROUP_DESC_STATS_REQUEST:
    case OFPTYPE_GROUP_FEATURES_STATS_REQUEST:
        return true;
    default:
        return false;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int versions[8] = {
        OFP13_VERSION, OFP13_VERSION, OFP13_VERSION, OFP13_VERSION,
        OFP13_VERSION, OFP10_VERSION, OFP11_VERSION, OFP12_VERSION,
    };

    if (size < 1) {
        return 0;
    }
    struct ofproto *p = ofproto_create("fz", 1);
    struct rconn *rc = fz_rconn_create(0, 0, 0, 0);
    rc->version = versions[data[0] & 7];
    struct ofconn *ofconn = ofconn_create(p->connmgr, rc, OFCONN_SERVICE);
    data++;
    size--;

    for (int i = 0; i < MAX_MSGS && size >= sizeof(struct ofp_header); i++) {
        struct ofp_header h;
        memcpy(&h, data, sizeof h);
        size_t len = ntohs(h.length);
        len = MIN(MAX(len, sizeof h), size);

        struct ofpbuf *msg = ofpbuf_clone_data(data, len);
        struct ofp_header *oh = msg->data;
        oh->version = rc->version;
        oh->length = htons(len);
        data += len;
        size -= len;

        enum ofptype type;
        bool decodes = !ofptype_decode(&type, oh);
        rc->xid = oh->xid;
        if (rc->n_seen < ARRAY_SIZE(rc->seen)) {
            rc->seen[rc->n_seen++] = oh->xid;
        }
        rc->in_request = true;
        rc->n_answers = 0;
        /* What connmgr_run() does with a message it read. */
        p->connmgr->ops->handle_msg(p->connmgr->aux, ofconn, msg);
        rc->in_request = false;
        if (decodes && wants_answer(type) && !rc->n_answers) {
            fprintf(stderr, "%s: no reply and no error\n",
                    ofptype_get_name(type));
            abort();
        }
        ofpbuf_delete(msg);
    }

    ofproto_destroy(p);
    ovsrcu_quiesce();
    return 0;
}
