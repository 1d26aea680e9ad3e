/*
 * ofproto-mpls/validate.h: what a flow-mod, packet-out or group-mod may
 * ask of mvs, checked once it is decoded.
 *
 * What?
 * =====
 *
 * libopenvswitch's decoder and ofpacts_check_consistency() check what
 * OpenFlow says of every switch.  These check what mvs implements (the
 * actions and fields translation knows, xlate.h) and the extension
 * carriers (ofp-ext.h), so that nothing a controller sends is accepted and
 * then silently skipped or misread: an action translation does not
 * implement is OFPBAC_BAD_TYPE, a field it cannot match OFPBMC_BAD_FIELD,
 * one it cannot write OFPBAC_BAD_SET_TYPE.
 *
 * Whether named groups and meters exist is the flow tables' question
 * (oftable_check_ofpacts()): group buckets may name groups that a later
 * group-mod adds.
 *
 * Thread-safety: reentrant.
 */
#ifndef OFPROTO_MPLS_VALIDATE_H
#define OFPROTO_MPLS_VALIDATE_H 1

#include <stddef.h>
#include <stdint.h>
#include "openvswitch/ofp-errors.h"

struct match;
struct ofpact;
struct ofpext_count;

/* Checks instructions or actions ('len' bytes) for a rule in 'table_id'
 * (0 for a packet-out or a bucket): every action implemented, goto-table
 * forward and in range, set_field and move only on fields translation
 * can read and write.  Returns 0 or an OpenFlow error. */
enum ofperr validate_ofpacts(const struct ofpact *, size_t len,
                             uint8_t table_id);

/* Checks a decoded match (NULL if the message has none) and actions
 * against the extension codec: 'introduced' is what
 * ofpext_msg_to_carriers() put in the message, and anything else naming a
 * carrier came from the controller.  Then the match's fields (all
 * matchable, extension prerequisites met) and the extension set_fields'
 * prerequisites.  Returns 0 or an OpenFlow error. */
enum ofperr validate_decoded(const struct ofpext_count *introduced,
                             const struct match *,
                             const struct ofpact *, size_t len);

#endif /* ofproto-mpls/validate.h */
