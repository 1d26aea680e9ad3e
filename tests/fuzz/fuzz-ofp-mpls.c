/*
 * tests/fuzz/fuzz-ofp-mpls.c: ofproto-mpls/ofp-mpls.c's rewrites on random
 * OpenFlow messages.
 *
 * The input is one OpenFlow message; its header's length is set to the
 * input's size, as a vconn guarantees before anything reads it.  Then:
 *
 *   - ofp_mpls_decode_rewrite() on it, as ofproto_handle_openflow() calls
 *     it (only when ofptype_decode() accepted a flow-mod, packet-out or
 *     flow/aggregate stats request), and once more regardless of type (it
 *     must check for itself).  A
 *     rewritten copy must carry its own length in its header, be decoded
 *     by libopenvswitch like the original, and contain no copy_ttl or
 *     set_field mpls_bos any more;
 *   - a decoded flow-mod's actions are printed with
 *     ofp_mpls_format_ofpacts() (markers parsed with
 *     ofp_mpls_marker_parse());
 *   - ofp_mpls_encode_rewrite() on the message taken as a flow stats reply,
 *     and on a flow stats reply encoded from the decoded flow-mod: the
 *     result must keep its length field right.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto-mpls/ofp-mpls.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return 0;
}

static void
check_length(const struct ofpbuf *b, const char *what)
{
    const struct ofp_header *oh = b->data;
    if (b->size < sizeof *oh || ntohs(oh->length) != b->size) {
        fprintf(stderr, "%s: length field %u, message %"PRIu32" bytes\n",
                what, b->size >= sizeof *oh ? ntohs(oh->length) : 0,
                b->size);
        abort();
    }
}

/* Decodes flow-mod or packet-out 'oh' into 'ofpacts'; returns the error. */
static enum ofperr
decode(const struct ofp_header *oh, enum ofptype type, struct ofpbuf *ofpacts,
       struct ofputil_flow_mod *fm, bool *is_fm)
{
    enum ofputil_protocol proto = ofputil_protocol_from_ofp_version(
        oh->version);
    *is_fm = false;
    ofpbuf_clear(ofpacts);
    if (type == OFPTYPE_FLOW_MOD) {
        enum ofperr error = ofputil_decode_flow_mod(fm, oh, proto, NULL,
                                                    NULL, ofpacts,
                                                    OFPP_MAX, 255);
        *is_fm = !error;
        return error;
    } else {
        struct ofputil_packet_out po;
        enum ofperr error = ofputil_decode_packet_out(&po, oh, NULL,
                                                      ofpacts);
        return error;             /* 'po.packet' points into 'oh'. */
    }
}

static bool
has_mpls_ext(const struct ofpact *ofpacts, size_t len)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPACT_WRITE_ACTIONS) {
            const struct ofpact_nest *on = ofpact_get_WRITE_ACTIONS(a);
            if (has_mpls_ext(on->actions, ofpact_nest_get_action_len(on))) {
                return true;
            }
        }
    }
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < sizeof(struct ofp_header) || size > UINT16_MAX) {
        return 0;
    }
    struct ofpbuf *msg = ofpbuf_clone_data(data, size);
    struct ofp_header *oh = msg->data;
    oh->length = htons(size);

    /* Regardless of type: must give NULL or a well-formed copy. */
    struct ofpbuf *any = NULL;
    (void) ofp_mpls_decode_rewrite(oh, &any);
    if (any) {
        check_length(any, "decode_rewrite (any type)");
        ofpbuf_delete(any);
    }

    enum ofptype type;
    if (!ofptype_decode(&type, oh)
        && (type == OFPTYPE_FLOW_STATS_REQUEST
            || type == OFPTYPE_AGGREGATE_STATS_REQUEST)) {
        struct ofpbuf *rw = NULL;
        if (!ofp_mpls_decode_rewrite(oh, &rw) && rw) {
            check_length(rw, "decode_rewrite (stats request)");
            enum ofptype type2;
            if (ofptype_decode(&type2, rw->data) || type2 != type) {
                fprintf(stderr, "rewritten message no longer a %s\n",
                        ofptype_get_name(type));
                abort();
            }
        }
        ofpbuf_delete(rw);
    } else if (!ofptype_decode(&type, oh)
               && (type == OFPTYPE_FLOW_MOD || type == OFPTYPE_PACKET_OUT)) {
        struct ofpbuf *rw = NULL;
        enum ofperr rw_error = ofp_mpls_decode_rewrite(oh, &rw);
        struct ofpbuf ofpacts;
        struct ofputil_flow_mod fm;
        bool is_fm;

        ofpbuf_init(&ofpacts, 0);
        const struct ofp_header *use = oh;
        if (rw) {
            check_length(rw, "decode_rewrite");
            use = rw->data;
            enum ofptype type2;
            if (ofptype_decode(&type2, use) || type2 != type) {
                fprintf(stderr, "rewritten message no longer a %s\n",
                        ofptype_get_name(type));
                abort();
            }
            /* Not rewriting twice: markers are not rewritten again. */
            struct ofpbuf *rw2 = NULL;
            (void) ofp_mpls_decode_rewrite(use, &rw2);
            if (rw2) {
                fprintf(stderr, "decode_rewrite rewrote its own output\n");
                abort();
            }
        }
        if (!rw_error && !decode(use, type, &ofpacts, &fm, &is_fm)) {
            struct ds s = DS_EMPTY_INITIALIZER;
            ofp_mpls_format_ofpacts(ofpacts.data, ofpacts.size, &s);
            ds_destroy(&s);
            (void) has_mpls_ext(ofpacts.data, ofpacts.size);

            if (is_fm && use->version >= OFP11_VERSION) {
                /* A flow stats reply carrying these actions, with the
                 * markers turned back. */
                struct ovs_list replies;
                struct ofputil_flow_stats fs;
                memset(&fs, 0, sizeof fs);
                minimatch_expand(&fm.match, &fs.match);
                fs.priority = fm.priority;
                fs.table_id = fm.table_id == 255 ? 0 : fm.table_id;
                fs.cookie = fm.new_cookie;
                fs.idle_timeout = fm.idle_timeout;
                fs.hard_timeout = fm.hard_timeout;
                fs.flags = fm.flags;
                fs.ofpacts = ofpacts.data;
                fs.ofpacts_len = ofpacts.size;

                struct ofpbuf *req_buf = ofpraw_alloc(
                    OFPRAW_OFPST11_FLOW_REQUEST, use->version, 0);
                ofpmp_init(&replies, req_buf->data);
                ofputil_append_flow_stats_reply(&fs, &replies, NULL);
                struct ofpbuf *reply;
                LIST_FOR_EACH_POP (reply, list_node, &replies) {
                    ofpmsg_update_length(reply);
                    ofp_mpls_encode_rewrite(reply);
                    check_length(reply, "encode_rewrite");
                    ofpbuf_delete(reply);
                }
                ofpbuf_delete(req_buf);
            }
            if (is_fm) {
                minimatch_destroy(&fm.match);
            }
        }
        ofpbuf_uninit(&ofpacts);
        ofpbuf_delete(rw);
    }

    /* The same bytes taken as a flow stats reply (in place). */
    if (oh->version >= OFP11_VERSION) {
        struct ofpbuf *reply = ofpbuf_clone(msg);
        ofp_mpls_encode_rewrite(reply);
        check_length(reply, "encode_rewrite (raw)");
        ofpbuf_delete(reply);
    }

    ofpbuf_delete(msg);
    return 0;
}
