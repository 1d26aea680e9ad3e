/* utils/ofctl-mpls.h: OpenFlow 1.3 MPLS actions that libopenvswitch rejects.
 *
 * What?
 * =====
 *
 * OpenFlow 1.3 defines OFPAT_COPY_TTL_OUT (11), OFPAT_COPY_TTL_IN (12) and
 * OFPAT_SET_FIELD on OXM_OF_MPLS_BOS, but libopenvswitch's action parser
 * and decoder refuse all three.  mvs-ofctl still accepts them in flow text
 * ("copy_ttl_out", "copy_ttl_in", "set_field:N->mpls_bos") and prints them
 * back, in three steps around libopenvswitch:
 *
 *   1. ofctl_mpls_preparse() rewrites each of them in the text into a
 *      sentinel action that libopenvswitch does accept and keeps in place:
 *      "set_field:0x6d7673NN->reg15", where 0x6d7673 is "mvs" and NN is an
 *      enum ofctl_mpls_action.  (A real flow that loads exactly such a
 *      value into reg15 would be misread; nothing in mvs uses reg15.)
 *
 *   2. After ofputil_encode_*() built the message, ofctl_mpls_encode_msg()
 *      replaces each sentinel by the real OpenFlow 1.3 action, in the same
 *      position of the same action list, and fixes every length around it.
 *
 *   3. On the way back, ofctl_mpls_decode_msg() turns the real actions in a
 *      flow stats reply into sentinels again so libopenvswitch can decode
 *      it, and ofctl_mpls_format_fixup() rewrites the sentinels' text into
 *      the user's spelling.
 *
 * Wire layout of the actions written, all 8-byte aligned:
 *
 *     0        2        4                8
 *     +--------+--------+----------------+
 *     | type   | len=8  |   pad (zero)   |   OFPAT_COPY_TTL_OUT/IN
 *     +--------+--------+----------------+
 *
 *     0        2        4                8     9                16
 *     +--------+--------+----------------+-----+-----------------+
 *     | 25     | len=16 | OXM 0x80004801 | bos |   pad (zero)    |
 *     +--------+--------+----------------+-----+-----------------+
 *
 * Thread-safety
 * =============
 *
 * No global state: every function may be called from any thread on
 * distinct arguments.
 */
#ifndef UTILS_OFCTL_MPLS_H
#define UTILS_OFCTL_MPLS_H 1

#include <stddef.h>
#include <stdint.h>

struct ds;
struct ofpbuf;

/* The actions this module adds; the value is the sentinel's low byte. */
enum ofctl_mpls_action {
    OFCTL_MPLS_COPY_TTL_OUT = 1,    /* OFPAT_COPY_TTL_OUT. */
    OFCTL_MPLS_COPY_TTL_IN = 2,     /* OFPAT_COPY_TTL_IN. */
    OFCTL_MPLS_SET_BOS0 = 3,        /* set_field:0->mpls_bos. */
    OFCTL_MPLS_SET_BOS1 = 4,        /* set_field:1->mpls_bos. */
};

/* OpenFlow 1.3 action type codes written on the wire. */
enum {
    OFCTL_MPLS_OFPAT_COPY_TTL_OUT = 11,
    OFCTL_MPLS_OFPAT_COPY_TTL_IN = 12,
    OFCTL_MPLS_OFPAT_SET_FIELD = 25,
};

/* OXM_OF_MPLS_BOS: class 0x8000, field 36, no mask, 1 byte. */
#define OFCTL_MPLS_OXM_MPLS_BOS 0x80004801u

/* Sentinel: NXM_NX_REG15 (class 1, field 15, 4 bytes) in a set_field. */
#define OFCTL_MPLS_NXM_REG15 0x00011e04u
#define OFCTL_MPLS_MAGIC     0x6d767300u

/* Rewrites the flow, packet-out or action text 'text' into '*outp'
 * (malloc'd, the caller frees it) with every copy_ttl_out, copy_ttl_in and
 * set_field:N->mpls_bos replaced by its sentinel.  Returns NULL on success,
 * otherwise a malloc'd error message (and '*outp' is NULL). */
char *ofctl_mpls_preparse(const char *text, char **outp);

/* Appends to 'out' the OpenFlow 1.1+ action list 'actions' ('len' bytes)
 * with sentinels replaced by real actions.  Returns 0, or EINVAL if the
 * list is malformed. */
int ofctl_mpls_encode_actions(const void *actions, size_t len,
                              struct ofpbuf *out);

/* The inverse: appends 'actions' to 'out' with the real actions replaced
 * by sentinels.  Returns 0, or EINVAL if the list is malformed (including
 * a set_field:N->mpls_bos with N > 1). */
int ofctl_mpls_decode_actions(const void *actions, size_t len,
                              struct ofpbuf *out);

/* Rewrites, in place, the OpenFlow 1.1+ OFPT_FLOW_MOD or OFPT_PACKET_OUT
 * in 'msg' with ofctl_mpls_encode_actions() applied to every action list
 * (in APPLY_ACTIONS and WRITE_ACTIONS instructions), and updates the
 * lengths.  Other messages and OpenFlow 1.0 are left alone.  Returns 0 or
 * EINVAL. */
int ofctl_mpls_encode_msg(struct ofpbuf *msg);

/* Rewrites, in place, an OpenFlow 1.1+ OFPST_FLOW reply in 'msg' with
 * ofctl_mpls_decode_actions() applied to every action list.  Other
 * messages are left alone.  Returns 0 or EINVAL. */
int ofctl_mpls_decode_msg(struct ofpbuf *msg);

/* Replaces, in 's', each sentinel's text as libopenvswitch formats it
 * ("set_field:0x6d767301->reg15") by the action's own spelling. */
void ofctl_mpls_format_fixup(struct ds *s);

#endif /* utils/ofctl-mpls.h */
