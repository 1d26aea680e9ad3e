/*
 * tests/fuzz/fuzz-ofp-ext.c: the extension module's codecs
 * (ofproto-mpls/ofp-ext.h) on random input.
 *
 * The input is one OpenFlow message; its header's length is set to the
 * input's size, as a vconn guarantees before anything reads it.  Then:
 *
 *   - ofpext_msg_to_carriers() on it, whatever its type (it must check
 *     for itself): a rewritten copy must carry its own length, decode as
 *     the same message type, and never be rewritten again;
 *   - a decoded flow-mod, packet-out or group-mod is checked with the
 *     collision counters (ofpext_count_*()) against what the codec
 *     introduced, its actions parsed with ofpext_action_parse() and
 *     printed with ofpext_text_from_carriers();
 *   - a flow-mod's actions re-encoded in a flow stats reply and taken back
 *     with ofpext_msg_from_carriers() keep the length right, and so does
 *     the raw input taken back;
 *   - the input as text, through ofpext_text_to_carriers() and
 *     ofpext_text_from_carriers().
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto-mpls/ofp-ext.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "util.h"

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

static void
print_actions(const struct ofpact *ofpacts, size_t len)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        struct ofpext_action ea;
        if (ofpext_action_parse(a, &ea)
            && ofpext_get(ea.id)->form == OFPEXT_FORM_FIELD
            && !ofpext_get(ea.id)->settable) {
            abort();
        }
    }
    ofpacts_format(ofpacts, len, &fp);
    ofpext_text_from_carriers(&s);
    ds_destroy(&s);
}

static void
flow_stats_back(const struct ofp_header *oh, struct ofputil_flow_mod *fm,
                const struct ofpbuf *ofpacts)
{
    struct ovs_list replies;
    struct ofputil_flow_stats fs;

    memset(&fs, 0, sizeof fs);
    minimatch_expand(&fm->match, &fs.match);
    fs.priority = fm->priority;
    fs.table_id = fm->table_id == 255 ? 0 : fm->table_id;
    fs.ofpacts = ofpacts->data;
    fs.ofpacts_len = ofpacts->size;
    struct ofpbuf *req = ofpraw_alloc(OFPRAW_OFPST11_FLOW_REQUEST,
                                      oh->version, 0);
    ofpmp_init(&replies, req->data);
    ofputil_append_flow_stats_reply(&fs, &replies, NULL);
    struct ofpbuf *reply;
    LIST_FOR_EACH_POP (reply, list_node, &replies) {
        ofpmsg_update_length(reply);
        ofpext_msg_from_carriers(reply);
        check_length(reply, "from_carriers (flow stats)");
        ofpbuf_delete(reply);
    }
    ofpbuf_delete(req);
}

static void
decode_and_check(const struct ofp_header *oh, enum ofptype type,
                 const struct ofpext_count *introduced)
{
    enum ofputil_protocol proto
        = ofputil_protocol_from_ofp_version(oh->version);
    struct ofpext_count found = { 0, 0 };
    struct ofpbuf ofpacts;

    ofpbuf_init(&ofpacts, 0);
    if (type == OFPTYPE_FLOW_MOD) {
        struct ofputil_flow_mod fm;
        if (!ofputil_decode_flow_mod(&fm, oh, proto, NULL, NULL, &ofpacts,
                                     OFPP_MAX, 255)) {
            struct match match;
            minimatch_expand(&fm.match, &match);
            ofpext_count_match(&found, &match);
            ofpext_count_ofpacts(&found, fm.ofpacts, fm.ofpacts_len);
            if (!ofpext_count_check(introduced, &found)) {
                (void) ofpext_check_match(&match);
                (void) ofpext_check_ofpacts(&match, fm.ofpacts,
                                            fm.ofpacts_len);
            }
            print_actions(fm.ofpacts, fm.ofpacts_len);
            if (oh->version >= OFP12_VERSION) {
                flow_stats_back(oh, &fm, &ofpacts);
            }
            minimatch_destroy(&fm.match);
        }
    } else if (type == OFPTYPE_PACKET_OUT) {
        struct ofputil_packet_out po;
        if (!ofputil_decode_packet_out(&po, oh, NULL, &ofpacts)) {
            ofpext_count_ofpacts(&found, po.ofpacts, po.ofpacts_len);
            (void) ofpext_count_check(introduced, &found);
            print_actions(po.ofpacts, po.ofpacts_len);
        }
    } else if (type == OFPTYPE_GROUP_MOD) {
        struct ofputil_group_mod gm;
        if (!ofputil_decode_group_mod(oh, &gm)) {
            const struct ofputil_bucket *b;
            LIST_FOR_EACH (b, list_node, &gm.buckets) {
                ofpext_count_ofpacts(&found, b->ofpacts, b->ofpacts_len);
                print_actions(b->ofpacts, b->ofpacts_len);
            }
            (void) ofpext_count_check(introduced, &found);
            ofputil_uninit_group_mod(&gm);
        }
    }
    ofpbuf_uninit(&ofpacts);
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

    struct ofpext_count introduced = { 0, 0 };
    struct ofpbuf *rw = NULL;
    enum ofperr error = ofpext_msg_to_carriers(oh, &rw, &introduced);
    const struct ofp_header *use = oh;
    if (rw) {
        if (error) {
            fprintf(stderr, "an error and a rewrite\n");
            abort();
        }
        check_length(rw, "to_carriers");
        use = rw->data;
        enum ofptype t1, t2;
        if (!ofptype_decode(&t1, oh)
            && (ofptype_decode(&t2, use) || t1 != t2)) {
            fprintf(stderr, "rewritten message no longer a %s\n",
                    ofptype_get_name(t1));
            abort();
        }
        struct ofpbuf *rw2 = NULL;
        (void) ofpext_msg_to_carriers(use, &rw2, NULL);
        if (rw2) {
            fprintf(stderr, "to_carriers rewrote its own output\n");
            abort();
        }
    }
    enum ofptype type;
    if (!error && !ofptype_decode(&type, use)) {
        decode_and_check(use, type, &introduced);
    }
    ofpbuf_delete(rw);

    /* The raw bytes taken back (as a reply would be). */
    struct ofpbuf *back = ofpbuf_clone(msg);
    ofpext_msg_from_carriers(back);
    check_length(back, "from_carriers (raw)");
    (void) ofpext_msg_has_carriers(back);
    ofpbuf_delete(back);

    /* The bytes as text. */
    char *text = xmemdup0((const char *) data, size);
    char *pre = NULL;
    char *terror = ofpext_text_to_carriers(text, &pre, NULL);
    if (!terror) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&s, pre);
        ofpext_text_from_carriers(&s);
        ds_destroy(&s);
    }
    free(terror);
    free(pre);
    free(text);

    ofpbuf_delete(msg);
    return 0;
}
