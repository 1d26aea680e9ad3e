/* ofproto-mpls/bundle.c: OpenFlow bundles. */
#include <config.h>
#include "ofproto-mpls/bundle.h"

#include "hash.h"
#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/oftable.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(of_bundle);

/* Open bundles per connection, messages per bundle, bytes per
 * connection (all its bundles together) and for all connections: a client
 * cannot make the switch hold more than BUNDLE_MAX_BYTES for it, nor all
 * of them more than BUNDLE_TOTAL_MAX_BYTES. */
#define BUNDLE_MAX 16
#define BUNDLE_MAX_MSGS 1000000
#define BUNDLE_MAX_BYTES (256 * 1024 * 1024)
#define BUNDLE_TOTAL_MAX_BYTES (1024 * 1024 * 1024)

/* Bytes held by the bundles of every connection (main thread only). */
static size_t bundle_total_bytes;

enum bundle_state {
    BS_OPEN,
    BS_CLOSED,
};

struct bundle {
    struct hmap_node node;      /* In the connection's bundles. */
    uint32_t id;
    uint16_t flags;
    enum bundle_state state;
    struct ovs_list msgs;       /* Of struct ofpbuf (copies of the inner
                                 * messages). */
    size_t n_msgs;
    size_t n_bytes;
};

static struct bundle *
bundle_find(struct hmap *bundles, uint32_t id)
{
    struct bundle *b;
    HMAP_FOR_EACH_WITH_HASH (b, node, hash_int(id, 0), bundles) {
        if (b->id == id) {
            return b;
        }
    }
    return NULL;
}

static struct bundle *
bundle_open(struct hmap *bundles, uint32_t id, uint16_t flags)
{
    struct bundle *b = xzalloc(sizeof *b);
    b->id = id;
    b->flags = flags;
    b->state = BS_OPEN;
    ovs_list_init(&b->msgs);
    hmap_insert(bundles, &b->node, hash_int(id, 0));
    return b;
}

static void
bundle_free(struct hmap *bundles, struct bundle *b)
{
    bundle_total_bytes -= b->n_bytes;
    hmap_remove(bundles, &b->node);
    ofpbuf_list_delete(&b->msgs);
    free(b);
}

void
bundle_discard_all(struct hmap *bundles)
{
    struct bundle *b;
    HMAP_FOR_EACH_SAFE (b, node, bundles) {
        bundle_free(bundles, b);
    }
}

static enum ofperr
bundle_commit(struct ofproto *p, struct ofconn *ofconn, struct bundle *b,
              bundle_apply_fn *apply)
{
    struct ofpbuf *msg;
    enum ofperr error = 0;

    oftable_txn_begin(p);
    group_txn_begin(p);
    LIST_FOR_EACH (msg, list_node, &b->msgs) {
        error = apply(p, ofconn, msg->data);
        if (error) {
            /* The client learns which message failed, by its xid. */
            ofconn_send_error(ofconn, msg->data, error);
            break;
        }
    }
    if (error) {
        /* Groups first: the flows a group delete took go back after. */
        group_txn_abort(p);
        oftable_txn_abort(p);
        return OFPERR_OFPBFC_MSG_FAILED;
    }
    group_txn_commit(p);
    oftable_txn_commit(p);
    return 0;
}

enum ofperr
bundle_handle_control(struct ofproto *p, struct ofconn *ofconn,
                      const struct ofp_header *oh, bundle_apply_fn *apply)
{
    struct ofputil_bundle_ctrl_msg bctrl;
    enum ofperr error = ofputil_decode_bundle_ctrl(oh, &bctrl);
    if (error) {
        return error;
    }
    if (bctrl.flags & ~(OFPBF_ATOMIC | OFPBF_ORDERED)) {
        return OFPERR_OFPBFC_BAD_FLAGS;
    }

    struct hmap *bundles = ofconn_get_bundles(ofconn);
    struct bundle *b = bundle_find(bundles, bctrl.bundle_id);
    struct ofputil_bundle_ctrl_msg reply = {
        .bundle_id = bctrl.bundle_id,
        .flags = bctrl.flags,
    };

    switch (bctrl.type) {
    case OFPBCT_OPEN_REQUEST:
        if (b) {
            return OFPERR_OFPBFC_BUNDLE_EXIST;
        }
        if (hmap_count(bundles) >= BUNDLE_MAX) {
            return OFPERR_OFPBFC_OUT_OF_BUNDLES;
        }
        bundle_open(bundles, bctrl.bundle_id, bctrl.flags);
        reply.type = OFPBCT_OPEN_REPLY;
        break;

    case OFPBCT_CLOSE_REQUEST:
        if (!b) {
            return OFPERR_OFPBFC_BAD_ID;
        }
        if (b->state == BS_CLOSED) {
            bundle_free(bundles, b);
            return OFPERR_OFPBFC_BUNDLE_CLOSED;
        }
        if (b->flags != bctrl.flags) {
            bundle_free(bundles, b);
            return OFPERR_OFPBFC_BAD_FLAGS;
        }
        b->state = BS_CLOSED;
        reply.type = OFPBCT_CLOSE_REPLY;
        break;

    case OFPBCT_COMMIT_REQUEST:
        if (!b) {
            return OFPERR_OFPBFC_BAD_ID;
        }
        if (b->flags != bctrl.flags) {
            bundle_free(bundles, b);
            return OFPERR_OFPBFC_BAD_FLAGS;
        }
        error = bundle_commit(p, ofconn, b, apply);
        /* Committed or not, the bundle is gone (OpenFlow 1.4 7.3.9.4). */
        bundle_free(bundles, b);
        if (error) {
            return error;
        }
        reply.type = OFPBCT_COMMIT_REPLY;
        break;

    case OFPBCT_DISCARD_REQUEST:
        if (!b) {
            return OFPERR_OFPBFC_BAD_ID;
        }
        bundle_free(bundles, b);
        reply.type = OFPBCT_DISCARD_REPLY;
        break;

    default:
        return OFPERR_OFPBFC_BAD_TYPE;
    }

    ofconn_send_reply(ofconn, ofputil_encode_bundle_ctrl_reply(oh, &reply));
    return 0;
}

enum ofperr
bundle_handle_add(struct ofproto *p OVS_UNUSED, struct ofconn *ofconn,
                  const struct ofp_header *oh)
{
    struct ofputil_bundle_add_msg badd;
    enum ofptype type;
    enum ofperr error = ofputil_decode_bundle_add(oh, &badd, &type);
    if (error) {
        return error;
    }
    if (type != OFPTYPE_FLOW_MOD && type != OFPTYPE_GROUP_MOD) {
        return OFPERR_OFPBFC_MSG_UNSUP;
    }

    struct hmap *bundles = ofconn_get_bundles(ofconn);
    struct bundle *b = bundle_find(bundles, badd.bundle_id);
    if (!b) {
        if (hmap_count(bundles) >= BUNDLE_MAX) {
            return OFPERR_OFPBFC_OUT_OF_BUNDLES;
        }
        b = bundle_open(bundles, badd.bundle_id, badd.flags);
    } else if (b->state == BS_CLOSED) {
        bundle_free(bundles, b);
        return OFPERR_OFPBFC_BUNDLE_CLOSED;
    } else if (b->flags != badd.flags) {
        bundle_free(bundles, b);
        return OFPERR_OFPBFC_BAD_FLAGS;
    }
    size_t len = ntohs(badd.msg->length);
    size_t conn_bytes = 0;
    struct bundle *other;
    HMAP_FOR_EACH (other, node, bundles) {
        conn_bytes += other->n_bytes;
    }
    if (b->n_msgs >= BUNDLE_MAX_MSGS
        || conn_bytes + len > BUNDLE_MAX_BYTES
        || bundle_total_bytes + len > BUNDLE_TOTAL_MAX_BYTES) {
        return OFPERR_OFPBFC_MSG_TOO_MANY;
    }
    if (badd.msg->version != oh->version) {
        return OFPERR_OFPBFC_BAD_VERSION;
    }
    struct ofpbuf *copy = ofpbuf_clone_data(badd.msg, ntohs(badd.msg->length));
    ovs_list_push_back(&b->msgs, &copy->list_node);
    b->n_msgs++;
    b->n_bytes += copy->size;
    bundle_total_bytes += copy->size;
    return 0;
}
