/* ofproto-mpls/validate.c: checks of decoded messages (validate.h). */
#include <config.h>
#include "ofproto-mpls/validate.h"

#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/xlate.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"

enum ofperr
validate_ofpacts(const struct ofpact *ofpacts, size_t len, uint8_t table_id)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (!xlate_action_supported(a->type)) {
            return OFPERR_OFPBAC_BAD_TYPE;
        }
        if (a->type == OFPACT_GOTO_TABLE) {
            uint8_t next = ofpact_get_GOTO_TABLE(a)->table_id;
            /* OpenFlow 1.3.5 5.1: goto-table only goes forward. */
            if (next <= table_id || next >= MVS_N_TABLES) {
                return OFPERR_OFPBIC_BAD_TABLE_ID;
            }
        } else if (a->type == OFPACT_WRITE_ACTIONS) {
            const struct ofpact_nest *on = ofpact_get_WRITE_ACTIONS(a);
            enum ofperr error = validate_ofpacts(
                on->actions, ofpact_nest_get_action_len(on), table_id);
            if (error) {
                return error;
            }
        } else if (a->type == OFPACT_SET_FIELD) {
            const struct mf_field *mf = ofpact_get_SET_FIELD(a)->field;
            if (!xlate_field_is_settable(mf->id)
                && !ofpext_is_carrier(mf->id)) {
                return OFPERR_OFPBAC_BAD_SET_TYPE;
            }
        } else if (a->type == OFPACT_REG_MOVE) {
            const struct ofpact_reg_move *m = ofpact_get_REG_MOVE(a);
            if (!xlate_field_is_matchable(m->src.field->id)
                || !xlate_field_is_settable(m->dst.field->id)) {
                return OFPERR_OFPBAC_BAD_SET_TYPE;
            }
        }
    }
    return 0;
}

enum ofperr
validate_decoded(const struct ofpext_count *introduced,
                 const struct match *match,
                 const struct ofpact *ofpacts, size_t len)
{
    struct ofpext_count found = { 0, 0 };
    enum ofperr error;

    if (match) {
        ofpext_count_match(&found, match);
    }
    ofpext_count_ofpacts(&found, ofpacts, len);
    error = ofpext_count_check(introduced, &found);
    if (!error && match) {
        error = xlate_check_match(match);
    }
    if (!error && match) {
        error = ofpext_check_match(match);
    }
    if (!error && match) {
        error = ofpext_check_ofpacts(match, ofpacts, len);
    }
    return error;
}
