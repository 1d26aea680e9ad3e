/* utils/ofctl-mpls.c: OpenFlow 1.3 MPLS actions that libopenvswitch rejects
 * (copy_ttl_out, copy_ttl_in, set_field:N->mpls_bos), encoded and decoded
 * around it through sentinel actions.  See ofctl-mpls.h. */
#include <config.h>
#include "utils/ofctl-mpls.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "byte-order.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "util.h"

/* Fixed parts of the OpenFlow 1.1+ messages we walk (bytes, header
 * included), from openflow-1.1.h. */
enum {
    OFH_LEN = 8,                /* struct ofp_header. */
    OFH_TYPE_OFS = 1,
    OFPT11_FLOW_MOD = 14,
    OFPT11_PACKET_OUT = 13,
    OFPT11_MULTIPART_REPLY = 19,
    OFPMP_FLOW = 1,
    FLOW_MOD_LEN = 48,          /* struct ofp11_flow_mod. */
    PACKET_OUT_LEN = 24,        /* struct ofp11_packet_out. */
    PACKET_OUT_ACTLEN_OFS = 16,
    MP_REPLY_LEN = 16,          /* ofp_header + ofp11_stats_msg. */
    FLOW_STATS_LEN = 48,        /* struct ofp11_flow_stats. */
    OFPIT_WRITE_ACTIONS = 3,
    OFPIT_APPLY_ACTIONS = 4,
    INSTR_ACTIONS_LEN = 8,      /* struct ofp11_instruction_actions. */
    SENTINEL_LEN = 16,
    COPY_TTL_LEN = 8,
    SET_BOS_LEN = 16,
};

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* Text. */

struct mpls_word {
    const char *name;
    enum ofctl_mpls_action action;
};

static const struct mpls_word mpls_words[] = {
    { "copy_ttl_out", OFCTL_MPLS_COPY_TTL_OUT },
    { "copy_ttl_in", OFCTL_MPLS_COPY_TTL_IN },
};

/* True if 'c' may end an action in flow text. */
static bool
is_action_end(char c)
{
    return c == '\0' || c == ',' || c == ')' || isspace((unsigned char) c);
}

/* True if 'c' may come right before an action in flow text. */
static bool
is_action_start(const char *text, const char *p)
{
    return p == text || p[-1] == ',' || p[-1] == '(' || p[-1] == '='
           || isspace((unsigned char) p[-1]);
}

static void
put_sentinel(struct ds *out, enum ofctl_mpls_action a)
{
    ds_put_format(out, "set_field:0x%08"PRIx32"->reg15",
                  OFCTL_MPLS_MAGIC | a);
}

/* Parses "set_field:VALUE->mpls_bos" at 'p'.  Returns the length parsed
 * and sets '*bos', 0 if 'p' is not such an action, or -1 for a bad value
 * (with '*errorp' set). */
static int
parse_set_bos(const char *p, int *bos, char **errorp)
{
    static const char prefix[] = "set_field:";
    static const char target[] = "->mpls_bos";
    const char *value, *arrow;

    if (strncmp(p, prefix, strlen(prefix))) {
        return 0;
    }
    value = p + strlen(prefix);
    arrow = strstr(value, "->");
    if (!arrow || strncmp(arrow, target, strlen(target))
        || !is_action_end(arrow[strlen(target)])) {
        return 0;
    }
    /* The value must not itself contain an action separator. */
    for (const char *q = value; q < arrow; q++) {
        if (*q == ',' || *q == ')' || *q == '(') {
            return 0;
        }
    }

    char *s = xmemdup0(value, arrow - value);
    unsigned int v;
    bool ok = (str_to_uint(s, 0, &v) && v <= 1);
    if (!ok) {
        *errorp = xasprintf("%s: invalid value for mpls_bos (must be 0 or 1)",
                            s);
        free(s);
        return -1;
    }
    free(s);
    *bos = v;
    return arrow + strlen(target) - p;
}

char *
ofctl_mpls_preparse(const char *text, char **outp)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    const char *p = text;

    *outp = NULL;
    while (*p) {
        if (is_action_start(text, p)) {
            const struct mpls_word *w;
            bool done = false;

            for (w = mpls_words; w < &mpls_words[ARRAY_SIZE(mpls_words)];
                 w++) {
                size_t n = strlen(w->name);
                if (!strncmp(p, w->name, n) && is_action_end(p[n])) {
                    put_sentinel(&out, w->action);
                    p += n;
                    done = true;
                    break;
                }
            }
            if (done) {
                continue;
            }

            char *error = NULL;
            int bos;
            int n = parse_set_bos(p, &bos, &error);
            if (n < 0) {
                ds_destroy(&out);
                return error;
            } else if (n > 0) {
                put_sentinel(&out, bos ? OFCTL_MPLS_SET_BOS1
                                       : OFCTL_MPLS_SET_BOS0);
                p += n;
                continue;
            }
        }
        ds_put_char(&out, *p++);
    }
    *outp = ds_steal_cstr(&out);
    return NULL;
}

void
ofctl_mpls_format_fixup(struct ds *s)
{
    static const struct {
        enum ofctl_mpls_action action;
        const char *text;
    } names[] = {
        { OFCTL_MPLS_COPY_TTL_OUT, "copy_ttl_out" },
        { OFCTL_MPLS_COPY_TTL_IN, "copy_ttl_in" },
        { OFCTL_MPLS_SET_BOS0, "set_field:0->mpls_bos" },
        { OFCTL_MPLS_SET_BOS1, "set_field:1->mpls_bos" },
    };
    struct ds out = DS_EMPTY_INITIALIZER;
    const char *p = ds_cstr(s);

    if (!strstr(p, "->reg15")) {
        return;
    }
    while (*p) {
        bool done = false;
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
            char pattern[64];

            snprintf(pattern, sizeof pattern, "set_field:0x%08"PRIx32
                     "->reg15", OFCTL_MPLS_MAGIC | names[i].action);
            if (!strncmp(p, pattern, strlen(pattern))) {
                ds_put_cstr(&out, names[i].text);
                p += strlen(pattern);
                done = true;
                break;
            }
        }
        if (!done) {
            ds_put_char(&out, *p++);
        }
    }
    ds_swap(s, &out);
    ds_destroy(&out);
}

/* Action lists. */

/* Returns the sentinel action at 'a' ('len' bytes), or 0 if it is none. */
static enum ofctl_mpls_action
sentinel_action(const uint8_t *a, size_t len)
{
    if (len == SENTINEL_LEN && get16(a) == OFCTL_MPLS_OFPAT_SET_FIELD
        && get32(a + 4) == OFCTL_MPLS_NXM_REG15
        && (get32(a + 8) & ~0xffu) == OFCTL_MPLS_MAGIC) {
        uint8_t code = a[11];
        if (code >= OFCTL_MPLS_COPY_TTL_OUT && code <= OFCTL_MPLS_SET_BOS1) {
            return code;
        }
    }
    return 0;
}

static void
put_real_action(struct ofpbuf *out, enum ofctl_mpls_action action)
{
    uint8_t *a;

    switch (action) {
    case OFCTL_MPLS_COPY_TTL_OUT:
    case OFCTL_MPLS_COPY_TTL_IN:
        a = ofpbuf_put_zeros(out, COPY_TTL_LEN);
        put16(a, (action == OFCTL_MPLS_COPY_TTL_OUT
                  ? OFCTL_MPLS_OFPAT_COPY_TTL_OUT
                  : OFCTL_MPLS_OFPAT_COPY_TTL_IN));
        put16(a + 2, COPY_TTL_LEN);
        break;

    case OFCTL_MPLS_SET_BOS0:
    case OFCTL_MPLS_SET_BOS1:
        a = ofpbuf_put_zeros(out, SET_BOS_LEN);
        put16(a, OFCTL_MPLS_OFPAT_SET_FIELD);
        put16(a + 2, SET_BOS_LEN);
        put32(a + 4, OFCTL_MPLS_OXM_MPLS_BOS);
        a[8] = action == OFCTL_MPLS_SET_BOS1;
        break;
    }
}

static void
put_sentinel_action(struct ofpbuf *out, enum ofctl_mpls_action action)
{
    uint8_t *a = ofpbuf_put_zeros(out, SENTINEL_LEN);

    put16(a, OFCTL_MPLS_OFPAT_SET_FIELD);
    put16(a + 2, SENTINEL_LEN);
    put32(a + 4, OFCTL_MPLS_NXM_REG15);
    put32(a + 8, OFCTL_MPLS_MAGIC | action);
}

/* Walks the action list 'actions' ('len' bytes), appending each action to
 * 'out' either as is or, when 'encode', with sentinels replaced by real
 * actions, otherwise with real actions replaced by sentinels. */
static int
rewrite_actions(const void *actions, size_t len, bool encode,
                struct ofpbuf *out)
{
    const uint8_t *p = actions;
    const uint8_t *end = p + len;

    while (p < end) {
        if (end - p < 8) {
            return EINVAL;
        }
        uint16_t type = get16(p);
        uint16_t alen = get16(p + 2);
        if (alen < 8 || alen % 8 || alen > end - p) {
            return EINVAL;
        }

        if (encode) {
            enum ofctl_mpls_action a = sentinel_action(p, alen);
            if (a) {
                put_real_action(out, a);
            } else {
                ofpbuf_put(out, p, alen);
            }
        } else if ((type == OFCTL_MPLS_OFPAT_COPY_TTL_OUT
                    || type == OFCTL_MPLS_OFPAT_COPY_TTL_IN)
                   && alen == COPY_TTL_LEN) {
            put_sentinel_action(out, (type == OFCTL_MPLS_OFPAT_COPY_TTL_OUT
                                      ? OFCTL_MPLS_COPY_TTL_OUT
                                      : OFCTL_MPLS_COPY_TTL_IN));
        } else if (type == OFCTL_MPLS_OFPAT_SET_FIELD && alen >= 16
                   && get32(p + 4) == OFCTL_MPLS_OXM_MPLS_BOS) {
            if (p[8] > 1) {
                return EINVAL;
            }
            put_sentinel_action(out, (p[8] ? OFCTL_MPLS_SET_BOS1
                                      : OFCTL_MPLS_SET_BOS0));
        } else {
            ofpbuf_put(out, p, alen);
        }
        p += alen;
    }
    return 0;
}

int
ofctl_mpls_encode_actions(const void *actions, size_t len,
                          struct ofpbuf *out)
{
    return rewrite_actions(actions, len, true, out);
}

int
ofctl_mpls_decode_actions(const void *actions, size_t len,
                          struct ofpbuf *out)
{
    return rewrite_actions(actions, len, false, out);
}

/* Instructions. */

/* Appends the instructions 'instrs' ('len' bytes) to 'out', rewriting the
 * action lists of APPLY_ACTIONS and WRITE_ACTIONS. */
static int
rewrite_instructions(const uint8_t *instrs, size_t len, bool encode,
                     struct ofpbuf *out)
{
    const uint8_t *p = instrs;
    const uint8_t *end = p + len;

    while (p < end) {
        if (end - p < 4) {
            return EINVAL;
        }
        uint16_t type = get16(p);
        uint16_t ilen = get16(p + 2);
        if (ilen < 4 || ilen > end - p) {
            return EINVAL;
        }
        if ((type == OFPIT_APPLY_ACTIONS || type == OFPIT_WRITE_ACTIONS)
            && ilen >= INSTR_ACTIONS_LEN) {
            size_t start = out->size;
            ofpbuf_put(out, p, INSTR_ACTIONS_LEN);
            int error = rewrite_actions(p + INSTR_ACTIONS_LEN,
                                        ilen - INSTR_ACTIONS_LEN, encode, out);
            if (error) {
                return error;
            }
            if (out->size - start > UINT16_MAX) {
                return EINVAL;
            }
            put16((uint8_t *) out->data + start + 2, out->size - start);
        } else {
            ofpbuf_put(out, p, ilen);
        }
        p += ilen;
    }
    return 0;
}

/* Length of the OXM match at 'm', padded, or 0 if it does not fit in
 * 'len' bytes. */
static size_t
match_len(const uint8_t *m, size_t len)
{
    if (len < 4) {
        return 0;
    }
    size_t mlen = ROUND_UP(get16(m + 2), 8);
    return mlen >= 4 && mlen <= len ? mlen : 0;
}

/* Messages. */

/* Replaces the contents of 'msg' by 'new' and fixes the header length. */
static int
finish_msg(struct ofpbuf *msg, struct ofpbuf *new)
{
    if (new->size > UINT16_MAX) {
        ofpbuf_uninit(new);
        return EINVAL;
    }
    put16((uint8_t *) new->data + 2, new->size);
    ofpbuf_clear(msg);
    ofpbuf_put(msg, new->data, new->size);
    ofpbuf_uninit(new);
    return 0;
}

static int
encode_flow_mod(struct ofpbuf *msg)
{
    const uint8_t *p = msg->data;
    size_t mlen;

    if (msg->size < FLOW_MOD_LEN
        || !(mlen = match_len(p + FLOW_MOD_LEN, msg->size - FLOW_MOD_LEN))) {
        return EINVAL;
    }

    struct ofpbuf new;
    size_t ofs = FLOW_MOD_LEN + mlen;
    ofpbuf_init(&new, msg->size + 64);
    ofpbuf_put(&new, p, ofs);
    int error = rewrite_instructions(p + ofs, msg->size - ofs, true, &new);
    if (error) {
        ofpbuf_uninit(&new);
        return error;
    }
    return finish_msg(msg, &new);
}

static int
encode_packet_out(struct ofpbuf *msg)
{
    const uint8_t *p = msg->data;

    if (msg->size < PACKET_OUT_LEN) {
        return EINVAL;
    }
    size_t alen = get16(p + PACKET_OUT_ACTLEN_OFS);
    if (alen > msg->size - PACKET_OUT_LEN) {
        return EINVAL;
    }

    struct ofpbuf new;
    ofpbuf_init(&new, msg->size + 64);
    ofpbuf_put(&new, p, PACKET_OUT_LEN);
    int error = rewrite_actions(p + PACKET_OUT_LEN, alen, true, &new);
    if (error || new.size - PACKET_OUT_LEN > UINT16_MAX) {
        ofpbuf_uninit(&new);
        return error ? error : EINVAL;
    }
    put16((uint8_t *) new.data + PACKET_OUT_ACTLEN_OFS,
          new.size - PACKET_OUT_LEN);
    ofpbuf_put(&new, p + PACKET_OUT_LEN + alen,
               msg->size - PACKET_OUT_LEN - alen);
    return finish_msg(msg, &new);
}

int
ofctl_mpls_encode_msg(struct ofpbuf *msg)
{
    const uint8_t *p = msg->data;

    if (msg->size < OFH_LEN || p[0] < 0x02 /* OF1.1 */) {
        return 0;
    }
    switch (p[OFH_TYPE_OFS]) {
    case OFPT11_FLOW_MOD:
        return encode_flow_mod(msg);
    case OFPT11_PACKET_OUT:
        return encode_packet_out(msg);
    default:
        return 0;
    }
}

int
ofctl_mpls_decode_msg(struct ofpbuf *msg)
{
    const uint8_t *p = msg->data;

    if (msg->size < MP_REPLY_LEN || p[0] < 0x02
        || p[OFH_TYPE_OFS] != OFPT11_MULTIPART_REPLY
        || get16(p + OFH_LEN) != OFPMP_FLOW) {
        return 0;
    }

    struct ofpbuf new;
    ofpbuf_init(&new, msg->size + 64);
    ofpbuf_put(&new, p, MP_REPLY_LEN);

    const uint8_t *fs = p + MP_REPLY_LEN;
    const uint8_t *end = p + msg->size;
    while (fs < end) {
        size_t flen, mlen;

        if (end - fs < FLOW_STATS_LEN
            || (flen = get16(fs)) < FLOW_STATS_LEN || flen > end - fs
            || !(mlen = match_len(fs + FLOW_STATS_LEN,
                                  flen - FLOW_STATS_LEN))) {
            ofpbuf_uninit(&new);
            return EINVAL;
        }

        size_t start = new.size;
        size_t ofs = FLOW_STATS_LEN + mlen;
        ofpbuf_put(&new, fs, ofs);
        int error = rewrite_instructions(fs + ofs, flen - ofs, false, &new);
        if (error || new.size - start > UINT16_MAX) {
            ofpbuf_uninit(&new);
            return error ? error : EINVAL;
        }
        put16((uint8_t *) new.data + start, new.size - start);
        fs += flen;
    }
    return finish_msg(msg, &new);
}
