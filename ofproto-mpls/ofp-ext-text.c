/* ofproto-mpls/ofp-ext-text.c: extensions <-> carriers in flow text
 * (ofp-ext.h, "Text codecs").
 *
 * Flow text is ovs-ofctl's: comma-separated "field=value" matches, then
 * "actions=" and comma-separated actions, "write_actions(...)" nesting.  A
 * word is rewritten only where a match field or an action can begin (at
 * the start, or after ',', '(', '=' or white space) and only when it ends
 * where one ends, so "xcopy_ttl_in" or an address containing "pop_pbb"
 * stay as they are.
 *
 *   extension text            carrier text (what libopenvswitch parses)
 *   copy_ttl_out              set_field:6d76:7378::->tun_ipv6_src
 *   copy_ttl_in               set_field:6d76:7378:100::->tun_ipv6_src
 *   push_pbb[:0x88e7]         set_field:6d76:7378:200:0:0:88e7::->...
 *   pop_pbb                   set_field:6d76:7378:300::->tun_ipv6_src
 *   set_field:B->mpls_bos     set_field:6d76:7378:400:0:0:B::->...
 *   set_field:N->pbb_isid     set_field:N as an IPv4 address->tun_src
 *   pbb_isid=N[/M]            tun_src=N[/M] as IPv4 addresses
 *   ipv6_exthdr=N[/M]         tun_dst=N[/M] as IPv4 addresses
 */
#include <config.h>
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofp-ext-private.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"

static bool
word_may_start(const char *text, const char *p)
{
    return (p == text || p[-1] == ',' || p[-1] == '(' || p[-1] == '='
            || isspace((unsigned char) p[-1]));
}

static bool
word_ends(char c)
{
    return c == '\0' || c == ',' || c == ')' || isspace((unsigned char) c);
}

/* If 'p' starts with 'word' followed by the end of a word, returns the
 * length of 'word', else 0. */
static size_t
match_word(const char *p, const char *word)
{
    size_t n = strlen(word);
    return !strncmp(p, word, n) && word_ends(p[n]) ? n : 0;
}

/* The extent of a value at 'p': up to the next ',', ')' or white space. */
static size_t
value_len(const char *p)
{
    size_t n = 0;
    while (!word_ends(p[n])) {
        n++;
    }
    return n;
}

/* Parses the unsigned number in the 'n' bytes at 'p'. */
static bool
parse_number(const char *p, size_t n, uint32_t max, uint32_t *value)
{
    char *s = xmemdup0(p, n);
    unsigned long long int x;
    bool ok = str_to_ullong(s, 0, &x) && x <= max;
    free(s);
    *value = x;
    return ok;
}

static void
put_marker_text(struct ds *out, enum ofpext_id id, uint32_t value,
                struct ofpext_count *count)
{
    struct in6_addr a;
    ofpext_marker_encode(id, value, (uint8_t *) &a);
    ds_put_cstr(out, "set_field:");
    ipv6_format_addr(&a, out);
    ds_put_cstr(out, "->tun_ipv6_src");
    count->n_actions++;
}

static void
put_ip(struct ds *out, uint32_t x)
{
    ds_put_format(out, IP_FMT, IP_ARGS(htonl(x)));
}

/* "set_field:VALUE->FIELD" at 'p' for extension field 'e': returns the
 * length used (0 if 'p' is not that), or SIZE_MAX with '*errorp' set. */
static size_t
to_set_field(const char *p, const struct ofpext *e, struct ds *out,
             struct ofpext_count *count, char **errorp)
{
    static const char prefix[] = "set_field:";
    const char *value = p + strlen(prefix);

    if (strncmp(p, prefix, strlen(prefix))) {
        return 0;
    }
    const char *arrow = strstr(value, "->");
    if (!arrow || memchr(value, ',', arrow - value)
        || memchr(value, ')', arrow - value)) {
        return 0;
    }
    size_t fn = match_word(arrow + 2, e->name);
    if (!fn && e->alias) {
        fn = match_word(arrow + 2, e->alias);
    }
    if (!fn) {
        return 0;
    }
    uint32_t x;
    if (!parse_number(value, arrow - value, e->max, &x)) {
        *errorp = xasprintf("%.*s: invalid value for %s (0 to %#"PRIx32")",
                            (int) (arrow - value), value, e->name, e->max);
        return SIZE_MAX;
    }
    if (!e->settable && e->form == OFPEXT_FORM_FIELD) {
        *errorp = xasprintf("%s is read-only", e->name);
        return SIZE_MAX;
    }
    if (e->form == OFPEXT_FORM_SET_FIELD) {
        put_marker_text(out, e->id, x, count);
    } else {
        ds_put_cstr(out, "set_field:");
        put_ip(out, x);
        ds_put_format(out, "->%s", mf_from_id(e->carrier)->name);
        count->n_actions++;
    }
    return arrow + 2 + fn - p;
}

/* "FIELD=VALUE[/MASK]" at 'p' for extension field 'e'. */
static size_t
to_match(const char *p, const struct ofpext *e, struct ds *out,
         struct ofpext_count *count, char **errorp)
{
    size_t fn = strlen(e->name);
    if (strncmp(p, e->name, fn) || p[fn] != '=') {
        return 0;
    }
    const char *value = p + fn + 1;
    size_t n = value_len(value);
    const char *slash = memchr(value, '/', n);
    size_t vn = slash ? slash - value : n;
    uint32_t x, mask = e->max;

    if (!parse_number(value, vn, e->max, &x)
        || (slash && !parse_number(slash + 1, n - vn - 1, e->max, &mask))) {
        *errorp = xasprintf("%.*s: invalid value for %s (0 to %#"PRIx32")",
                            (int) n, value, e->name, e->max);
        return SIZE_MAX;
    }
    ds_put_format(out, "%s=", mf_from_id(e->carrier)->name);
    put_ip(out, x);
    if (slash) {
        ds_put_char(out, '/');
        put_ip(out, mask);
    }
    count->match_fields |= 1u << e->id;
    return fn + 1 + n;
}

char *
ofpext_text_to_carriers(const char *text, char **outp,
                        struct ofpext_count *countp)
{
    struct ofpext_count scratch = { 0, 0 };
    struct ofpext_count *count = countp ? countp : &scratch;
    struct ds out = DS_EMPTY_INITIALIZER;
    const char *p = text;

    *outp = NULL;
    while (*p) {
        size_t n = 0;
        char *error = NULL;

        if (word_may_start(text, p)) {
            for (int i = 0; i < OFPEXT_N && !n; i++) {
                const struct ofpext *e = ofpext_get(i);
                if (e->form == OFPEXT_FORM_ACTION) {
                    n = match_word(p, e->name);
                    if (n) {
                        put_marker_text(&out, e->id, e->max, count);
                    } else if (e->id == OFPEXT_PUSH_PBB
                               && !strncmp(p, "push_pbb:", 9)) {
                        uint32_t x;
                        size_t vn = value_len(p + 9);
                        if (!parse_number(p + 9, vn, UINT16_MAX, &x)
                            || x != OFPEXT_ETH_TYPE_PBB) {
                            error = xasprintf("%.*s: push_pbb takes "
                                              "ethertype 0x88e7",
                                              (int) vn, p + 9);
                            n = SIZE_MAX;
                        } else {
                            put_marker_text(&out, e->id, x, count);
                            n = 9 + vn;
                        }
                    }
                } else {
                    n = to_set_field(p, e, &out, count, &error);
                    if (!n && e->form == OFPEXT_FORM_FIELD) {
                        n = to_match(p, e, &out, count, &error);
                    }
                }
            }
        }
        if (n == SIZE_MAX) {
            ds_destroy(&out);
            return error;
        } else if (n) {
            p += n;
        } else {
            ds_put_char(&out, *p++);
        }
    }
    *outp = ds_steal_cstr(&out);
    return NULL;
}

/* Carriers -> text. */

/* "NAME=IP[/MASK]" at 'p' (NAME a carrier field's name). */
static size_t
from_match(const char *p, const struct ofpext *e, struct ds *out)
{
    const char *name = mf_from_id(e->carrier)->name;
    size_t fn = strlen(name);
    if (strncmp(p, name, fn) || p[fn] != '=') {
        return 0;
    }
    /* Only what an address with a mask is made of reaches the parser. */
    size_t n = value_len(p + fn + 1);
    if (!n || strspn(p + fn + 1, "0123456789./") < n) {
        return 0;
    }
    char *value = xmemdup0(p + fn + 1, n);
    ovs_be32 ip, mask;
    char *error = ip_parse_masked(value, &ip, &mask);
    free(value);
    if (error) {
        free(error);
        return 0;
    }
    ds_put_format(out, "%s=%#"PRIx32, e->name, ntohl(ip) & e->max);
    if (mask != OVS_BE32_MAX) {
        ds_put_format(out, "/%#"PRIx32, ntohl(mask) & e->max);
    }
    return fn + 1 + n;
}

/* "set_field:VALUE->FIELD" at 'p', FIELD a carrier of actions. */
static size_t
from_set_field(const char *p, struct ds *out)
{
    static const char prefix[] = "set_field:";
    if (strncmp(p, prefix, strlen(prefix))) {
        return 0;
    }
    const char *value = p + strlen(prefix);
    const char *arrow = strstr(value, "->");
    if (!arrow || memchr(value, ',', arrow - value)) {
        return 0;
    }
    const char *field = arrow + 2;
    size_t fn = value_len(field);
    if (strspn(value, "0123456789abcdefABCDEF.:") < (size_t) (arrow - value)) {
        return 0;
    }
    char *v = xmemdup0(value, arrow - value);
    size_t used = 0;

    if (fn == strlen("tun_ipv6_src") && !strncmp(field, "tun_ipv6_src", fn)) {
        struct in6_addr a;
        struct ofpext_action ea;
        if (ipv6_parse(v, &a) && ofpext_marker_decode((uint8_t *) &a, &ea)) {
            const struct ofpext *e = ofpext_get(ea.id);
            if (e->form == OFPEXT_FORM_SET_FIELD) {
                ds_put_format(out, e->hex ? "set_field:%#"PRIx32"->%s"
                              : "set_field:%"PRIu32"->%s", ea.value,
                              e->name);
            } else if (ea.id == OFPEXT_PUSH_PBB) {
                ds_put_format(out, "%s:%#"PRIx32, e->name, ea.value);
            } else {
                ds_put_cstr(out, e->name);
            }
            used = field + fn - p;
        }
    } else {
        for (int i = 0; i < OFPEXT_N; i++) {
            const struct ofpext *e = ofpext_get(i);
            const char *name;
            ovs_be32 ip;
            if (e->form != OFPEXT_FORM_FIELD || !e->settable) {
                continue;
            }
            name = mf_from_id(e->carrier)->name;
            if (fn == strlen(name) && !strncmp(field, name, fn)
                && ip_parse(v, &ip)) {
                ds_put_format(out, "set_field:%#"PRIx32"->%s",
                              ntohl(ip) & e->max, e->name);
                used = field + fn - p;
                break;
            }
        }
    }
    free(v);
    return used;
}

void
ofpext_text_from_carriers(struct ds *s)
{
    const char *text = ds_cstr(s);
    if (!strstr(text, "tun_")) {
        return;
    }
    struct ds out = DS_EMPTY_INITIALIZER;
    const char *p = text;
    while (*p) {
        size_t n = 0;
        if (word_may_start(text, p)) {
            n = from_set_field(p, &out);
            for (int i = 0; i < OFPEXT_N && !n; i++) {
                const struct ofpext *e = ofpext_get(i);
                if (e->form == OFPEXT_FORM_FIELD) {
                    n = from_match(p, e, &out);
                }
            }
        }
        if (n) {
            p += n;
        } else {
            ds_put_char(&out, *p++);
        }
    }
    ds_swap(s, &out);
    ds_destroy(&out);
}
