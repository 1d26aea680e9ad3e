/* tests/test-ofctl-mpls.c: unit tests for utils/ofctl-mpls.c.  Flow text
 * goes through ofctl_mpls_preparse() and libopenvswitch's parser and
 * encoder, then ofctl_mpls_encode_msg(); the bytes are checked against the
 * OpenFlow 1.3 layout and parsed back with ofctl_mpls_decode_msg() and
 * libopenvswitch's decoder.  No switch needed. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "util.h"
#include "utils/ofctl-mpls.h"

/* Fixed layouts (bytes), as in ofctl-mpls.c. */
enum { FLOW_MOD_LEN = 48, FLOW_STATS_LEN = 48, MP_LEN = 16 };

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) get16(p) << 16) | get16(p + 2);
}

/* Parses 'text' with the MPLS pre-pass and encodes an OF1.3 flow mod. */
static struct ofpbuf *
encode_flow(const char *text)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *pre, *error;

    error = ofctl_mpls_preparse(text, &pre);
    assert_null(error);
    error = parse_ofp_flow_mod_str(&fm, pre, NULL, NULL, OFPFC_ADD, &usable);
    if (error) {
        fail_msg("%s: %s", pre, error);
    }
    free(pre);
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF13_OXM);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    minimatch_destroy(&fm.match);
    assert_int_equal(ofctl_mpls_encode_msg(msg), 0);
    return msg;
}

/* Returns the first instruction of the OF1.3 flow mod 'msg'. */
static const uint8_t *
first_instruction(const struct ofpbuf *msg)
{
    const uint8_t *p = msg->data;
    size_t mlen = ROUND_UP(get16(p + FLOW_MOD_LEN + 2), 8);
    return p + FLOW_MOD_LEN + mlen;
}

static void
test_preparse(void **state OVS_UNUSED)
{
    char *out, *error;

    error = ofctl_mpls_preparse("ip,actions=copy_ttl_out,copy_ttl_in,"
                                "set_field:0->mpls_bos,"
                                "write_actions(set_field:1->mpls_bos)", &out);
    assert_null(error);
    assert_string_equal(out, "ip,actions=set_field:0x6d767301->reg15,"
                        "set_field:0x6d767302->reg15,"
                        "set_field:0x6d767303->reg15,"
                        "write_actions(set_field:0x6d767304->reg15)");
    free(out);

    /* Lookalikes are left alone. */
    error = ofctl_mpls_preparse("actions=set_field:5->mpls_tc,"
                                "note:copy_ttl_inx", &out);
    assert_null(error);
    assert_string_equal(out, "actions=set_field:5->mpls_tc,"
                        "note:copy_ttl_inx");
    free(out);

    /* The bottom-of-stack bit is one bit. */
    error = ofctl_mpls_preparse("actions=set_field:2->mpls_bos", &out);
    assert_non_null(error);
    assert_null(out);
    free(error);
}

static void
test_encode_apply(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = encode_flow("priority=7,mpls,actions=copy_ttl_out,"
                                     "set_field:1->mpls_bos,copy_ttl_in,"
                                     "output:2");
    const uint8_t *p = msg->data;
    const uint8_t *i = first_instruction(msg);

    assert_int_equal(get16(p + 2), msg->size);
    assert_int_equal(get16(i), 4);             /* OFPIT_APPLY_ACTIONS. */
    /* 8 header + 8 copy_ttl_out + 16 set_field + 8 copy_ttl_in + 16 out. */
    assert_int_equal(get16(i + 2), 56);
    assert_int_equal(i + 56 - p, msg->size);

    const uint8_t *a = i + 8;
    assert_int_equal(get16(a), OFCTL_MPLS_OFPAT_COPY_TTL_OUT);
    assert_int_equal(get16(a + 2), 8);
    assert_int_equal(get32(a + 4), 0);
    a += 8;
    assert_int_equal(get16(a), OFCTL_MPLS_OFPAT_SET_FIELD);
    assert_int_equal(get16(a + 2), 16);
    assert_int_equal(get32(a + 4), OFCTL_MPLS_OXM_MPLS_BOS);
    assert_int_equal(a[8], 1);
    for (int k = 9; k < 16; k++) {
        assert_int_equal(a[k], 0);
    }
    a += 16;
    assert_int_equal(get16(a), OFCTL_MPLS_OFPAT_COPY_TTL_IN);
    assert_int_equal(get16(a + 2), 8);
    a += 8;
    assert_int_equal(get16(a), 0);              /* OFPAT_OUTPUT. */
    assert_int_equal(get32(a + 4), 2);
    ofpbuf_delete(msg);
}

static void
test_encode_write_actions(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = encode_flow("actions=write_actions("
                                     "set_field:0->mpls_bos,output:1)");
    const uint8_t *i = first_instruction(msg);

    assert_int_equal(get16(i), 3);             /* OFPIT_WRITE_ACTIONS. */
    assert_int_equal(get16(i + 2), 8 + 16 + 16);
    assert_int_equal(get16(i + 8), OFCTL_MPLS_OFPAT_SET_FIELD);
    assert_int_equal(get32(i + 12), OFCTL_MPLS_OXM_MPLS_BOS);
    assert_int_equal(i[16], 0);
    ofpbuf_delete(msg);
}

/* Plain flows come out byte for byte as libopenvswitch made them. */
static void
test_encode_untouched(void **state OVS_UNUSED)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    const char *text = "in_port=1,actions=set_field:5->reg15,output:2";

    assert_null(parse_ofp_flow_mod_str(&fm, text, NULL, NULL, OFPFC_ADD,
                                       &usable));
    struct ofpbuf *ref = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF13_OXM);
    struct ofpbuf *msg = ofpbuf_clone(ref);
    assert_int_equal(ofctl_mpls_encode_msg(msg), 0);
    assert_int_equal(msg->size, ref->size);
    assert_memory_equal(msg->data, ref->data, ref->size);
    ofpbuf_delete(msg);
    ofpbuf_delete(ref);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    minimatch_destroy(&fm.match);
}

/* Builds an OF1.3 flow stats reply holding the flow mod 'fm_msg''s match
 * and instructions, as a switch would return them. */
static struct ofpbuf *
reply_from_flow_mod(const struct ofpbuf *fm_msg)
{
    const uint8_t *p = fm_msg->data;
    size_t body = fm_msg->size - FLOW_MOD_LEN;
    struct ofpbuf *reply = ofpbuf_new(0);
    uint8_t *h = ofpbuf_put_zeros(reply, MP_LEN);
    uint8_t *fs;

    h[0] = 4;
    h[1] = 19;                                  /* OFPT_MULTIPART_REPLY. */
    h[9] = 1;                                   /* OFPMP_FLOW. */
    fs = ofpbuf_put_zeros(reply, FLOW_STATS_LEN);
    fs[0] = (FLOW_STATS_LEN + body) >> 8;
    fs[1] = FLOW_STATS_LEN + body;
    fs[12] = 0;
    fs[13] = 7;                                 /* priority. */
    ofpbuf_put(reply, p + FLOW_MOD_LEN, body);
    h = reply->data;
    h[2] = reply->size >> 8;
    h[3] = reply->size;
    return reply;
}

static void
test_decode_round_trip(void **state OVS_UNUSED)
{
    struct ofpbuf *msg = encode_flow("priority=7,mpls,actions=copy_ttl_in,"
                                     "set_field:0->mpls_bos,output:2,"
                                     "write_actions(copy_ttl_out)");
    struct ofpbuf *reply = reply_from_flow_mod(msg);

    /* libopenvswitch alone cannot decode it... */
    struct ofputil_flow_stats fs;
    struct ofpbuf ofpacts;
    struct ofpbuf copy = ofpbuf_const_initializer(reply->data, reply->size);
    ofpbuf_init(&ofpacts, 0);
    assert_int_not_equal(ofputil_decode_flow_stats_reply(&fs, &copy, false,
                                                         &ofpacts), 0);

    /* ...but after ofctl_mpls_decode_msg() it can. */
    assert_int_equal(ofctl_mpls_decode_msg(reply), 0);
    assert_int_equal(ofputil_decode_flow_stats_reply(&fs, reply, false,
                                                     &ofpacts), 0);
    assert_int_equal(fs.priority, 7);

    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };
    ofpacts_format(fs.ofpacts, fs.ofpacts_len, &fp);
    ofctl_mpls_format_fixup(&s);
    assert_string_equal(ds_cstr(&s), "copy_ttl_in,set_field:0->mpls_bos,"
                        "output:2,write_actions(copy_ttl_out)");
    ds_destroy(&s);
    ofpbuf_uninit(&ofpacts);
    ofpbuf_delete(reply);
    ofpbuf_delete(msg);
}

static void
test_actions_malformed(void **state OVS_UNUSED)
{
    static const uint8_t short_action[] = { 0, 12, 0, 4, 0, 0, 0, 0 };
    static const uint8_t bad_bos[] = {
        0, 25, 0, 16, 0x80, 0x00, 0x48, 0x01, 2, 0, 0, 0, 0, 0, 0, 0,
    };
    struct ofpbuf out;

    ofpbuf_init(&out, 0);
    assert_int_equal(ofctl_mpls_decode_actions(short_action,
                                               sizeof short_action, &out),
                     EINVAL);
    assert_int_equal(ofctl_mpls_decode_actions(bad_bos, sizeof bad_bos, &out),
                     EINVAL);
    assert_int_equal(ofctl_mpls_encode_actions(short_action, 3, &out),
                     EINVAL);
    ofpbuf_uninit(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preparse),
        cmocka_unit_test(test_encode_apply),
        cmocka_unit_test(test_encode_write_actions),
        cmocka_unit_test(test_encode_untouched),
        cmocka_unit_test(test_decode_round_trip),
        cmocka_unit_test(test_actions_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
