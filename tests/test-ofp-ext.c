/* tests/test-ofp-ext.c: unit tests for the extension module
 * (ofproto-mpls/ofp-ext.h).  OpenFlow 1.3 messages are built byte by byte
 * as a controller sends them, taken to carriers, decoded by
 * libopenvswitch, checked, re-encoded and taken back: the bytes must come
 * back exactly.  Flow text goes the way mvs-ofctl sends it.  No switch
 * needed. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ofproto-mpls/ofp-ext.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "util.h"

/* Byte builders. */

static void
put8(struct ofpbuf *b, uint8_t v)
{
    ofpbuf_put(b, &v, 1);
}

static void
put16(struct ofpbuf *b, uint16_t v)
{
    ovs_be16 x = htons(v);
    ofpbuf_put(b, &x, 2);
}

static void
put32(struct ofpbuf *b, uint32_t v)
{
    ovs_be32 x = htonl(v);
    ofpbuf_put(b, &x, 4);
}

static void
pad8(struct ofpbuf *b, size_t start)
{
    ofpbuf_put_zeros(b, ROUND_UP(b->size - start, 8) - (b->size - start));
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static void
set16(struct ofpbuf *b, size_t ofs, uint16_t v)
{
    uint8_t *p = (uint8_t *) b->data + ofs;
    p[0] = v >> 8;
    p[1] = v;
}

/* An OpenFlow 1.3 flow-mod (add, table 0, priority 100) with the OXM match
 * TLVs 'oxm' ('oxm_len' bytes) and one APPLY_ACTIONS instruction holding
 * 'actions' ('actions_len' bytes). */
static struct ofpbuf *
flow_mod(const uint8_t *oxm, size_t oxm_len, const uint8_t *actions,
         size_t actions_len)
{
    struct ofpbuf *b = ofpbuf_new(256);
    put8(b, OFP13_VERSION);
    put8(b, 14);                /* OFPT_FLOW_MOD. */
    put16(b, 0);
    put32(b, 7);                /* xid. */
    ofpbuf_put_zeros(b, 16);    /* cookie, cookie_mask. */
    put8(b, 0);                 /* table_id. */
    put8(b, 0);                 /* OFPFC_ADD. */
    put16(b, 0);
    put16(b, 0);
    put16(b, 100);
    put32(b, UINT32_MAX);       /* buffer_id. */
    put32(b, UINT32_MAX);       /* out_port. */
    put32(b, UINT32_MAX);       /* out_group. */
    put16(b, 0);
    put16(b, 0);
    size_t m = b->size;
    put16(b, 1);                /* OFPMT_OXM. */
    put16(b, 4 + oxm_len);
    ofpbuf_put(b, oxm, oxm_len);
    pad8(b, m);
    put16(b, 4);                /* OFPIT_APPLY_ACTIONS. */
    put16(b, 8 + actions_len);
    put32(b, 0);
    ofpbuf_put(b, actions, actions_len);
    set16(b, 2, b->size);
    return b;
}

/* OXM eth_type=VALUE. */
#define OXM_ETH_TYPE(T) 0x80, 0x00, 0x0a, 0x02, (T) >> 8, (T) & 0xff

static const uint8_t all_actions[] = {
    0x00, 0x0b, 0x00, 0x08, 0, 0, 0, 0,             /* copy_ttl_out. */
    0x00, 0x0c, 0x00, 0x08, 0, 0, 0, 0,             /* copy_ttl_in. */
    0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x48, 0x01, /* mpls_bos=1. */
    0x01, 0, 0, 0, 0, 0, 0, 0,
    0x00, 0x1a, 0x00, 0x08, 0x88, 0xe7, 0, 0,       /* push_pbb. */
    0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x4a, 0x03, /* pbb_isid. */
    0x12, 0x34, 0x56, 0, 0, 0, 0, 0,
    0x00, 0x1b, 0x00, 0x08, 0, 0, 0, 0,             /* pop_pbb. */
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02, /* output:2. */
    0x00, 0x00, 0, 0, 0, 0, 0, 0,
};

static const uint8_t isid_match[] = {
    OXM_ETH_TYPE(0x88e7),
    0x80, 0x00, 0x4b, 0x06, 0x65, 0x43, 0x00, 0xff, 0xff, 0x00,
};

/* Takes 'msg' to carriers and decodes it as a flow-mod into 'fm' (actions
 * in 'ofpacts'), checking what the codec introduced.  Returns the check's
 * result. */
static enum ofperr
decode_flow_mod(const struct ofpbuf *msg, struct ofputil_flow_mod *fm,
                struct ofpbuf *ofpacts, struct match *match)
{
    struct ofpext_count introduced = { 0, 0 }, found = { 0, 0 };
    struct ofpbuf *rw;

    enum ofperr error = ofpext_msg_to_carriers(msg->data, &rw, &introduced);
    if (error) {
        return error;
    }
    const struct ofp_header *oh = rw ? rw->data : msg->data;
    error = ofputil_decode_flow_mod(fm, oh, OFPUTIL_P_OF13_OXM, NULL, NULL,
                                    ofpacts, OFPP_MAX, 255);
    ofpbuf_delete(rw);
    if (error) {
        return error;
    }
    minimatch_expand(&fm->match, match);
    minimatch_destroy(&fm->match);
    ofpext_count_match(&found, match);
    ofpext_count_ofpacts(&found, fm->ofpacts, fm->ofpacts_len);
    error = ofpext_count_check(&introduced, &found);
    if (!error) {
        error = ofpext_check_match(match);
    }
    return error;
}

/* The extension actions of 'ofpacts' in order, as "id:value" text. */
static char *
ext_list(const struct ofpact *ofpacts, size_t len)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        struct ofpext_action ea;
        if (ofpext_action_parse(a, &ea)) {
            ds_put_format(&s, "%s:%#"PRIx32",", ofpext_get(ea.id)->name,
                          ea.value);
        } else {
            ds_put_format(&s, "%s,", ofpact_name(a->type));
        }
    }
    return ds_steal_cstr(&s);
}

/* Every extension action and the pbb_isid match survive the trip to
 * carriers and libopenvswitch's decoder, in order, with their values. */
static void
test_wire_to_carriers(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = flow_mod(isid_match, sizeof isid_match, all_actions,
                                  sizeof all_actions);
    struct ofputil_flow_mod fm;
    struct ofpbuf ofpacts;
    struct match match;

    ofpbuf_init(&ofpacts, 0);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match), 0);
    char *list = ext_list(fm.ofpacts, fm.ofpacts_len);
    assert_string_equal(list, "copy_ttl_out:0,copy_ttl_in:0,mpls_bos:0x1,"
                        "push_pbb:0x88e7,pbb_isid:0x123456,pop_pbb:0,"
                        "output,");
    free(list);
    assert_int_equal(ofpext_flow_pbb_isid(&match.flow), 0x654300);
    assert_int_equal(ofpext_wc_pbb_isid(&match.wc), 0xffff00);
    ofpbuf_uninit(&ofpacts);
    ofpbuf_delete(msg);
}

/* Decoded, re-encoded by libopenvswitch and taken back, a flow-mod is the
 * bytes the controller sent. */
static void
test_wire_round_trip(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = flow_mod(isid_match, sizeof isid_match, all_actions,
                                  sizeof all_actions);
    struct ofputil_flow_mod fm;
    struct ofpbuf ofpacts;
    struct match match;

    ofpbuf_init(&ofpacts, 0);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match), 0);
    minimatch_init(&fm.match, &match);
    fm.ofpacts = ofpacts.data;
    fm.ofpacts_len = ofpacts.size;
    struct ofpbuf *back = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF13_OXM);
    minimatch_destroy(&fm.match);
    ofpext_msg_from_carriers(back);
    ((struct ofp_header *) back->data)->xid = htonl(7);
    assert_int_equal(back->size, msg->size);
    assert_memory_equal(back->data, msg->data, msg->size);
    ofpbuf_delete(back);
    ofpbuf_uninit(&ofpacts);
    ofpbuf_delete(msg);
}

/* A controller that names a carrier itself is refused, precisely. */
static void
test_collisions(void **state OVS_UNUSED)
{
    static const uint8_t tun_src_match[] = {
        0x00, 0x01, 0x3e, 0x04, 0x0a, 0x00, 0x00, 0x01,    /* tun_src. */
    };
    static const uint8_t out2[] = {
        0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02,
        0xff, 0xff, 0, 0, 0, 0, 0, 0,
    };
    static const uint8_t set_tun_dst[] = {
        0x00, 0x19, 0x00, 0x10, 0x00, 0x01, 0x40, 0x04,    /* tun_dst. */
        0x0a, 0x00, 0x00, 0x01, 0, 0, 0, 0,
    };
    /* A marker, exactly as mvs builds them inside, sent from outside. */
    uint8_t marker[24] = {
        0x00, 0x19, 0x00, 0x18, 0x00, 0x01, 0xda, 0x10,
        'm', 'v', 's', 'x', OFPEXT_COPY_TTL_IN,
    };
    struct ofputil_flow_mod fm;
    struct ofpbuf ofpacts;
    struct match match;
    struct ofpbuf *msg;

    ofpbuf_init(&ofpacts, 0);
    msg = flow_mod(tun_src_match, sizeof tun_src_match, out2, sizeof out2);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match),
                     OFPERR_OFPBMC_BAD_FIELD);
    ofpbuf_delete(msg);

    ofpbuf_clear(&ofpacts);
    msg = flow_mod(NULL, 0, set_tun_dst, sizeof set_tun_dst);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match),
                     OFPERR_OFPBAC_BAD_SET_TYPE);
    ofpbuf_delete(msg);

    ofpbuf_clear(&ofpacts);
    msg = flow_mod(NULL, 0, marker, sizeof marker);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match),
                     OFPERR_OFPBAC_BAD_SET_TYPE);
    ofpbuf_delete(msg);

    /* The same marker next to a real copy_ttl_in: still one too many. */
    uint8_t both[32];
    memcpy(both, all_actions + 8, 8);
    memcpy(both + 8, marker, sizeof marker);
    ofpbuf_clear(&ofpacts);
    msg = flow_mod(NULL, 0, both, sizeof both);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match),
                     OFPERR_OFPBAC_BAD_SET_TYPE);
    ofpbuf_delete(msg);
    ofpbuf_uninit(&ofpacts);
}

/* Bad values get the error OpenFlow 1.3.5 names. */
static void
test_bad_values(void **state OVS_UNUSED)
{
    static const struct {
        uint8_t action[16];
        size_t len;
        enum ofperr error;
    } cases[] = {
        { { 0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x48, 0x01, 0x02 }, 16,
          OFPERR_OFPBAC_BAD_SET_ARGUMENT },         /* mpls_bos=2. */
        { { 0x00, 0x1a, 0x00, 0x08, 0x81, 0x00 }, 8,
          OFPERR_OFPBAC_BAD_ARGUMENT },             /* push_pbb 0x8100. */
        { { 0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x4b, 0x06, 1, 2, 3,
            0xff, 0xff, 0xff }, 16,
          OFPERR_OFPBAC_BAD_SET_MASK },             /* pbb_isid/mask. */
        { { 0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x4e, 0x02, 0, 1 }, 16,
          OFPERR_OFPBAC_BAD_SET_TYPE },             /* ipv6_exthdr. */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofpbuf *msg = flow_mod(NULL, 0, cases[i].action, cases[i].len);
        struct ofpbuf *rw;
        assert_int_equal(ofpext_msg_to_carriers(msg->data, &rw, NULL),
                         cases[i].error);
        assert_null(rw);
        ofpbuf_delete(msg);
    }

    /* pbb_isid without eth_type=0x88e7. */
    static const uint8_t bare_isid[] = {
        0x80, 0x00, 0x4a, 0x03, 0x00, 0x00, 0x05,
    };
    struct ofpbuf *msg = flow_mod(bare_isid, sizeof bare_isid, NULL, 0);
    struct ofputil_flow_mod fm;
    struct ofpbuf ofpacts;
    struct match match;
    ofpbuf_init(&ofpacts, 0);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match),
                     OFPERR_OFPBMC_BAD_PREREQ);
    ofpbuf_uninit(&ofpacts);
    ofpbuf_delete(msg);
}

/* Parses flow text as mvs-ofctl does and returns the OpenFlow 1.3
 * flow-mod it sends. */
static struct ofpbuf *
encode_text(const char *text)
{
    struct ofpext_count introduced = { 0, 0 }, found = { 0, 0 };
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *pre, *error;

    error = ofpext_text_to_carriers(text, &pre, &introduced);
    if (error) {
        fail_msg("%s: %s", text, error);
    }
    error = parse_ofp_flow_mod_str(&fm, pre, NULL, NULL, OFPFC_ADD, &usable);
    if (error) {
        fail_msg("%s: %s", pre, error);
    }
    free(pre);
    struct match match;
    minimatch_expand(&fm.match, &match);
    ofpext_count_match(&found, &match);
    ofpext_count_ofpacts(&found, fm.ofpacts, fm.ofpacts_len);
    assert_int_equal(ofpext_count_check(&introduced, &found), 0);
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF13_OXM);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    minimatch_destroy(&fm.match);
    ofpext_msg_from_carriers(msg);
    return msg;
}

/* The text spellings give the controller's bytes. */
static void
test_text_to_wire(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = encode_text(
        "priority=100,dl_type=0x88e7,pbb_isid=0x654300/0xffff00,"
        "actions=copy_ttl_out,copy_ttl_in,set_field:1->mpls_bos,"
        "push_pbb:0x88e7,set_field:0x123456->pbb_isid,pop_pbb,output:2");
    struct ofpbuf *want = flow_mod(isid_match, sizeof isid_match,
                                   all_actions, sizeof all_actions);
    /* The instructions: the same bytes. */
    const uint8_t *p = msg->data, *q = want->data;
    size_t pm = 48 + ROUND_UP(get16(p + 50), 8);
    size_t qm = 48 + ROUND_UP(get16(q + 50), 8);
    assert_int_equal(msg->size - pm, want->size - qm);
    assert_memory_equal(p + pm, q + qm, want->size - qm);
    /* The match: eth_type and pbb_isid, as OXM. */
    assert_non_null(memmem(p + 48, pm - 48, isid_match + 6, 10));
    ofpbuf_delete(want);
    ofpbuf_delete(msg);

    /* ipv6_exthdr and write_actions. */
    msg = encode_text("ipv6,ipv6_exthdr=0x40/0x40,actions=write_actions("
                      "copy_ttl_in,set_field:0->mpls_bos)");
    static const uint8_t exthdr[] = { 0x80, 0x00, 0x4f, 0x04, 0x00, 0x40,
                                      0x00, 0x40 };
    static const uint8_t wr[] = {
        0x00, 0x03, 0x00, 0x20, 0, 0, 0, 0,             /* write_actions */
        0x00, 0x0c, 0x00, 0x08, 0, 0, 0, 0,
        0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x48, 0x01,
        0x00, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_non_null(memmem(msg->data, msg->size, exthdr, sizeof exthdr));
    assert_non_null(memmem(msg->data, msg->size, wr, sizeof wr));
    ofpbuf_delete(msg);
}

/* Text errors, and carrier names in text. */
static void
test_text_errors(void **state OVS_UNUSED)
{
    static const char *bad[] = {
        "actions=set_field:2->mpls_bos",
        "actions=push_pbb:0x8100",
        "dl_type=0x88e7,pbb_isid=0x1000000,actions=drop",
        "ipv6,ipv6_exthdr=0x200,actions=drop",
        "actions=set_field:1->ipv6_exthdr",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *pre = NULL;
        char *error = ofpext_text_to_carriers(bad[i], &pre, NULL);
        if (!error) {
            fail_msg("%s: accepted as %s", bad[i], pre);
        }
        assert_null(pre);
        free(error);
    }

    /* Words are rewritten only whole. */
    char *pre;
    assert_null(ofpext_text_to_carriers("note:copy_ttl_inx,actions=drop",
                                        &pre, NULL));
    assert_string_equal(pre, "note:copy_ttl_inx,actions=drop");
    free(pre);

    /* A user's own tun_src is counted as found, never introduced. */
    struct ofpext_count introduced = { 0, 0 }, found = { 0, 0 };
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    assert_null(ofpext_text_to_carriers("tun_src=1.2.3.4,actions=drop", &pre,
                                        &introduced));
    assert_null(parse_ofp_flow_mod_str(&fm, pre, NULL, NULL, OFPFC_ADD,
                                       &usable));
    free(pre);
    struct match match;
    minimatch_expand(&fm.match, &match);
    ofpext_count_match(&found, &match);
    assert_int_equal(ofpext_count_check(&introduced, &found),
                     OFPERR_OFPBMC_BAD_FIELD);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    minimatch_destroy(&fm.match);
}

/* What libopenvswitch prints of carriers reads back as the extensions. */
static void
test_text_from_carriers(void **state OVS_UNUSED)
{
    static const char text[] =
        "dl_type=0x88e7,pbb_isid=0x654300/0xffff00,actions=copy_ttl_out,"
        "copy_ttl_in,set_field:1->mpls_bos,push_pbb:0x88e7,"
        "set_field:0x123456->pbb_isid,pop_pbb,output:2,"
        "write_actions(copy_ttl_in,output:3)";
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *pre;

    assert_null(ofpext_text_to_carriers(text, &pre, NULL));
    assert_null(parse_ofp_flow_mod_str(&fm, pre, NULL, NULL, OFPFC_ADD,
                                       &usable));
    free(pre);

    struct ds s = DS_EMPTY_INITIALIZER;
    struct match match;
    minimatch_expand(&fm.match, &match);
    match_format(&match, NULL, &s, OFP_DEFAULT_PRIORITY);
    ds_put_cstr(&s, ",actions=");
    struct ofpact_format_params fp = { .s = &s };
    ofpacts_format(fm.ofpacts, fm.ofpacts_len, &fp);
    ofpext_text_from_carriers(&s);
    assert_string_equal(ds_cstr(&s),
        "pbb_isid=0x654300/0xffff00,dl_type=0x88e7,actions=copy_ttl_out,"
        "copy_ttl_in,set_field:1->mpls_bos,push_pbb:0x88e7,"
        "set_field:0x123456->pbb_isid,pop_pbb,output:2,"
        "write_actions(copy_ttl_in,output:3)");
    ds_destroy(&s);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    minimatch_destroy(&fm.match);
}

/* Group-mods carry extension actions in their buckets, both ways. */
static void
test_group_mod(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = ofpbuf_new(128);
    put8(msg, OFP13_VERSION);
    put8(msg, 15);              /* OFPT_GROUP_MOD. */
    put16(msg, 0);
    put32(msg, 9);
    put16(msg, 0);              /* OFPGC_ADD. */
    put8(msg, 0);               /* OFPGT_ALL. */
    put8(msg, 0);
    put32(msg, 1);
    for (int i = 0; i < 2; i++) {
        size_t start = msg->size;
        put16(msg, 0);
        put16(msg, 0);
        put32(msg, UINT32_MAX);
        put32(msg, UINT32_MAX);
        put32(msg, 0);
        ofpbuf_put(msg, all_actions, sizeof all_actions);
        set16(msg, start, msg->size - start);
    }
    set16(msg, 2, msg->size);

    struct ofpext_count introduced = { 0, 0 }, found = { 0, 0 };
    struct ofpbuf *rw;
    assert_int_equal(ofpext_msg_to_carriers(msg->data, &rw, &introduced), 0);
    assert_non_null(rw);
    assert_int_equal(introduced.n_actions, 12);
    struct ofputil_group_mod gm;
    assert_int_equal(ofputil_decode_group_mod(rw->data, &gm), 0);
    ofpbuf_delete(rw);
    const struct ofputil_bucket *b;
    LIST_FOR_EACH (b, list_node, &gm.buckets) {
        ofpext_count_ofpacts(&found, b->ofpacts, b->ofpacts_len);
    }
    assert_int_equal(ofpext_count_check(&introduced, &found), 0);

    struct ofpbuf *back = ofputil_encode_group_mod(OFP13_VERSION, &gm, NULL,
                                                   -1);
    ofpext_msg_from_carriers(back);
    ((struct ofp_header *) back->data)->xid = htonl(9);
    assert_int_equal(back->size, msg->size);
    assert_memory_equal(back->data, msg->data, msg->size);

    /* The group description reply too. */
    struct ovs_list replies;
    struct ofpbuf *req = ofputil_encode_group_desc_request(OFP13_VERSION,
                                                           OFPG_ALL);
    ofpmp_init(&replies, req->data);
    struct ofputil_group_desc gd = { .type = OFPGT11_ALL, .group_id = 1 };
    ofputil_append_group_desc_reply(&gd, &gm.buckets, &replies);
    struct ofpbuf *reply = CONTAINER_OF(ovs_list_front(&replies),
                                        struct ofpbuf, list_node);
    ofpext_msg_from_carriers(reply);
    assert_non_null(memmem(reply->data, reply->size, all_actions,
                           sizeof all_actions));
    ofpbuf_list_delete(&replies);
    ofpbuf_delete(req);
    ofpbuf_delete(back);
    ofputil_uninit_group_mod(&gm);
    ofpbuf_delete(msg);
}

/* Packet-outs carry them too. */
static void
test_packet_out(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = ofpbuf_new(128);
    put8(msg, OFP13_VERSION);
    put8(msg, 13);              /* OFPT_PACKET_OUT. */
    put16(msg, 0);
    put32(msg, 3);
    put32(msg, UINT32_MAX);
    put32(msg, 0xfffffffd);     /* OFPP_CONTROLLER. */
    put16(msg, sizeof all_actions);
    ofpbuf_put_zeros(msg, 6);
    ofpbuf_put(msg, all_actions, sizeof all_actions);
    static const uint8_t frame[60] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                       0x88, 0x47 };
    ofpbuf_put(msg, frame, sizeof frame);
    set16(msg, 2, msg->size);

    struct ofpext_count introduced = { 0, 0 };
    struct ofpbuf *rw;
    assert_int_equal(ofpext_msg_to_carriers(msg->data, &rw, &introduced), 0);
    assert_non_null(rw);
    struct ofputil_packet_out po;
    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 0);
    assert_int_equal(ofputil_decode_packet_out(&po, rw->data, NULL,
                                               &ofpacts), 0);
    assert_int_equal(po.packet_len, sizeof frame);
    assert_memory_equal(po.packet, frame, sizeof frame);
    char *list = ext_list(po.ofpacts, po.ofpacts_len);
    assert_string_equal(list, "copy_ttl_out:0,copy_ttl_in:0,mpls_bos:0x1,"
                        "push_pbb:0x88e7,pbb_isid:0x123456,pop_pbb:0,"
                        "output,");
    free(list);
    ofpbuf_delete(rw);
    ofpbuf_uninit(&ofpacts);
    ofpbuf_delete(msg);
}

/* set_field mpls_bos and pbb_isid need their packet, as libopenvswitch
 * checks set_field for the fields it knows. */
static void
test_prerequisites(void **state OVS_UNUSED)
{
    struct ofpbuf ofpacts;
    struct match match;

    ofpbuf_init(&ofpacts, 0);
    match_init_catchall(&match);
    ofpext_put_marker(&ofpacts, OFPEXT_SET_MPLS_BOS, 1);
    assert_int_equal(ofpext_check_ofpacts(&match, ofpacts.data,
                                          ofpacts.size),
                     OFPERR_OFPBAC_MATCH_INCONSISTENT);

    /* After a push_mpls it has one. */
    ofpbuf_clear(&ofpacts);
    ofpact_put_PUSH_MPLS(&ofpacts)->ethertype = htons(0x8847);
    ofpext_put_marker(&ofpacts, OFPEXT_SET_MPLS_BOS, 1);
    assert_int_equal(ofpext_check_ofpacts(&match, ofpacts.data,
                                          ofpacts.size), 0);

    /* A match says so too; copy_ttl_in needs nothing at flow-mod time. */
    ofpbuf_clear(&ofpacts);
    match_set_dl_type(&match, htons(0x8847));
    ofpext_put_marker(&ofpacts, OFPEXT_SET_MPLS_BOS, 0);
    ofpext_put_marker(&ofpacts, OFPEXT_COPY_TTL_IN, 0);
    assert_int_equal(ofpext_check_ofpacts(&match, ofpacts.data,
                                          ofpacts.size), 0);
    ofpbuf_uninit(&ofpacts);
}

/* set_field eth_type and ip_proto, which libopenvswitch's decoder takes
 * for read-only: both ways on the wire and in text, with their
 * prerequisites. */
static void
test_set_eth_type_ip_proto(void **state OVS_UNUSED)
{
    static const uint8_t ip_match[] = { OXM_ETH_TYPE(0x0800) };
    static const uint8_t acts[] = {
        0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x14, 0x01, /* ip_proto=17. */
        0x11, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x0a, 0x02, /* eth_type. */
        0x86, 0xdd, 0, 0, 0, 0, 0, 0,
    };
    struct ofputil_flow_mod fm;
    struct ofpbuf ofpacts;
    struct match match;

    ofpbuf_init(&ofpacts, 0);
    struct ofpbuf *msg = flow_mod(ip_match, sizeof ip_match, acts,
                                  sizeof acts);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match), 0);
    char *list = ext_list(fm.ofpacts, fm.ofpacts_len);
    assert_string_equal(list, "ip_proto:0x11,eth_type:0x86dd,");
    free(list);
    assert_int_equal(ofpext_check_ofpacts(&match, fm.ofpacts,
                                          fm.ofpacts_len), 0);

    /* Back to the controller's bytes. */
    minimatch_init(&fm.match, &match);
    fm.ofpacts = ofpacts.data;
    fm.ofpacts_len = ofpacts.size;
    struct ofpbuf *back = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF13_OXM);
    minimatch_destroy(&fm.match);
    ofpext_msg_from_carriers(back);
    ((struct ofp_header *) back->data)->xid = htonl(7);
    assert_int_equal(back->size, msg->size);
    assert_memory_equal(back->data, msg->data, msg->size);
    ofpbuf_delete(back);
    ofpbuf_delete(msg);

    /* A match on eth_type alone is nothing to rewrite (no copy made). */
    struct ofpbuf *rw;
    msg = flow_mod(ip_match, sizeof ip_match, all_actions + 64, 16);
    assert_int_equal(ofpext_msg_to_carriers(msg->data, &rw, NULL), 0);
    assert_null(rw);
    ofpbuf_delete(msg);

    /* A mask is refused (OpenFlow 1.3's set_field has none). */
    static const uint8_t masked_proto[] = {
        0x00, 0x19, 0x00, 0x10, 0x80, 0x00, 0x15, 0x02, 0x11, 0xff,
        0, 0, 0, 0, 0, 0,
    };
    msg = flow_mod(ip_match, sizeof ip_match, masked_proto,
                   sizeof masked_proto);
    ofpbuf_clear(&ofpacts);
    assert_int_equal(decode_flow_mod(msg, &fm, &ofpacts, &match),
                     OFPERR_OFPBAC_BAD_SET_MASK);
    ofpbuf_delete(msg);

    /* Text: both spellings in, OpenFlow's names out. */
    char *pre;
    assert_null(ofpext_text_to_carriers(
        "ip,actions=set_field:17->nw_proto,set_field:0x86dd->dl_type", &pre,
        NULL));
    enum ofputil_protocol usable;
    assert_null(parse_ofp_flow_mod_str(&fm, pre, NULL, NULL, OFPFC_ADD,
                                       &usable));
    free(pre);
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };
    ofpacts_format(fm.ofpacts, fm.ofpacts_len, &fp);
    ofpext_text_from_carriers(&s);
    assert_string_equal(ds_cstr(&s),
                        "set_field:17->ip_proto,set_field:0x86dd->eth_type");
    ds_destroy(&s);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    minimatch_destroy(&fm.match);

    /* ip_proto needs an IP header, which a set eth_type can give; a VLAN
     * TPID is not an ethertype to set. */
    match_init_catchall(&match);
    ofpbuf_clear(&ofpacts);
    ofpext_put_marker(&ofpacts, OFPEXT_SET_IP_PROTO, 6);
    assert_int_equal(ofpext_check_ofpacts(&match, ofpacts.data,
                                          ofpacts.size),
                     OFPERR_OFPBAC_MATCH_INCONSISTENT);
    ofpbuf_clear(&ofpacts);
    ofpext_put_marker(&ofpacts, OFPEXT_SET_ETH_TYPE, 0x86dd);
    ofpext_put_marker(&ofpacts, OFPEXT_SET_IP_PROTO, 6);
    assert_int_equal(ofpext_check_ofpacts(&match, ofpacts.data,
                                          ofpacts.size), 0);
    ofpbuf_clear(&ofpacts);
    ofpext_put_marker(&ofpacts, OFPEXT_SET_ETH_TYPE, 0x8100);
    assert_int_equal(ofpext_check_ofpacts(&match, ofpacts.data,
                                          ofpacts.size),
                     OFPERR_OFPBAC_BAD_SET_ARGUMENT);
    ofpbuf_uninit(&ofpacts);
}

/* Truncations of a message with extensions never crash and never produce
 * a rewrite that claims more bytes than it has. */
static void
test_truncated(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = flow_mod(isid_match, sizeof isid_match, all_actions,
                                  sizeof all_actions);
    for (size_t n = 8; n < msg->size; n++) {
        uint8_t *copy = xmemdup(msg->data, n);
        ((struct ofp_header *) copy)->length = htons(n);
        struct ofpbuf *rw = NULL;
        (void) ofpext_msg_to_carriers((struct ofp_header *) copy, &rw, NULL);
        if (rw) {
            assert_int_equal(ntohs(((struct ofp_header *) rw->data)->length),
                             rw->size);
            ofpbuf_delete(rw);
        }
        free(copy);
    }
    ofpbuf_delete(msg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_to_carriers),
        cmocka_unit_test(test_wire_round_trip),
        cmocka_unit_test(test_collisions),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_text_to_wire),
        cmocka_unit_test(test_text_errors),
        cmocka_unit_test(test_text_from_carriers),
        cmocka_unit_test(test_group_mod),
        cmocka_unit_test(test_packet_out),
        cmocka_unit_test(test_prerequisites),
        cmocka_unit_test(test_set_eth_type_ip_proto),
        cmocka_unit_test(test_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
