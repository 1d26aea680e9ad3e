/* utils/mvs-ofctl.c: OpenFlow command-line client for mvs.
 *
 * A focused take on OVS's utilities/ovs-ofctl.c: the same flow, group and
 * meter syntax (parsed by libopenvswitch) and the same text output (printed
 * by libopenvswitch's formatters, so it is byte-compatible with
 * `ovs-ofctl -O OpenFlow13`), plus:
 *
 *   - bare bridge names resolve to unix:RUNDIR/BRIDGE.mgmt (mvsd's socket);
 *   - --format json on every dump, for scripts (schema in mvs-ofctl(8));
 *   - the OpenFlow 1.3 fields and actions libopenvswitch rejects
 *     (copy_ttl_out, copy_ttl_in, push_pbb, pop_pbb, set_field on mpls_bos
 *     and pbb_isid, matches on pbb_isid and ipv6_exthdr), in flow, group
 *     and packet-out text, on the wire and in everything printed, through
 *     the extension module (ofproto-mpls/ofp-ext.h);
 *   - fixed exit codes: 0 success, 1 OpenFlow or connection error, 2 usage
 *     error (bad arguments or unparsable flow text), 3 diff-flows found
 *     differences.
 *
 * OpenFlow errors are printed to stderr the way ovs-ofctl prints them
 * (ofp_print of the error message), so stdout only ever carries the
 * requested output. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitmap.h"
#include "command-line.h"
#include "dp-packet.h"
#include "fatal-signal.h"
#include "ofp-version-opt.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/json.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-match.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-table.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "stream-ssl.h"
#include "timeval.h"
#include "util.h"
#include "ofproto-mpls/ofp-ext.h"

VLOG_DEFINE_THIS_MODULE(mvs_ofctl);

/* Exit codes. */
enum {
    EXIT_OF_ERROR = 1,          /* OpenFlow error, connection failure. */
    EXIT_USAGE = 2,             /* Bad command line or flow text. */
    EXIT_DIFFERENCES = 3,       /* diff-flows found differences. */
};

/* Output formats (--format). */
enum output_format {
    FMT_TEXT,
    FMT_JSON,
};

/* Options. */
static const char *rundir = "/run/mvs";         /* --rundir. */
static enum output_format out_format = FMT_TEXT; /* --format. */
static bool strict;             /* --strict. */
static bool bundle;             /* --bundle. */
static bool readd;              /* --readd. */
static bool may_create;         /* --may-create. */
static int show_stats = 1;      /* --stats, --no-stats. */
static int use_names = -1;      /* --names, --no-names; -1 = if a tty. */
static int verbosity;           /* -m, --more. */

/* --sort, --rsort. */
enum sort_order { SORT_ASC, SORT_DESC };
struct sort_criterion {
    const struct mf_field *field;   /* NULL means priority. */
    enum sort_order order;
};
static struct sort_criterion *criteria;
static size_t n_criteria, allocated_criteria;

/* Current command's target argument, as given, for messages. */
static const char *target_arg;

static void usage(void) OVS_NO_RETURN;
static void usage_error(const char *format, ...)
    OVS_PRINTF_FORMAT(1, 2) OVS_NO_RETURN;

/* Prints "mvs-ofctl: MESSAGE" and a hint, and exits with EXIT_USAGE. */
static void
usage_error(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\n(Use --help for help.)\n");
    exit(EXIT_USAGE);
}

/* Exits with EXIT_OF_ERROR, like ovs_fatal(), if 'retval' is nonzero. */
static void
run(int retval, const char *message)
{
    if (retval) {
        ovs_fatal(retval, "%s: %s", target_arg ? target_arg : "", message);
    }
}

/* Takes ownership of the error message 'error' from a libopenvswitch
 * parser: prints it and exits with EXIT_USAGE. */
static void
parse_error(char *error)
{
    usage_error("%s", error);
}

/* Returns the vconn name for the user's 'target': itself if it has a
 * "type:" prefix, otherwise the bridge's mvsd socket.  Caller frees. */
static char *
resolve_target(const char *target)
{
    if (strchr(target, ':')) {
        if (vconn_verify_name(target)) {
            usage_error("%s: not a valid OpenFlow target (use a bridge name "
                        "or unix:, tcp:, ssl:)", target);
        }
        return xstrdup(target);
    }
    if (!*target || strchr(target, '/')) {
        usage_error("%s: not a valid bridge name", target);
    }
    return xasprintf("unix:%s/%s.mgmt", rundir, target);
}

/* Opens a connection to 'target' (a bridge name or vconn name) and waits
 * for the version negotiation.  Returns the protocol in use. */
static enum ofputil_protocol
open_vconn(const char *target, struct vconn **vconnp)
{
    char *name = resolve_target(target);
    enum ofputil_protocol protocol;
    int error;

    target_arg = target;
    error = vconn_open(name, get_allowed_ofp_versions(), DSCP_DEFAULT,
                       vconnp);
    if (error) {
        ovs_fatal(0, "%s: failed to open %s (%s)", target, name,
                  ovs_strerror(error));
    }
    error = vconn_connect_block(*vconnp, -1);
    if (error) {
        ovs_fatal(0, "%s: failed to connect to %s (%s)", target, name,
                  ovs_strerror(error));
    }
    free(name);

    protocol = ofputil_protocol_from_ofp_version(vconn_get_version(*vconnp));
    if (!protocol) {
        ovs_fatal(0, "%s: unsupported OpenFlow version 0x%02x", target,
                  vconn_get_version(*vconnp));
    }
    return protocol;
}

/* Prints the OpenFlow error 'reply' to stderr and exits EXIT_OF_ERROR. */
static void
of_error_exit(const struct ofpbuf *reply, int verbose)
{
    ofp_print(stderr, reply->data, reply->size, NULL, NULL, verbose);
    exit(EXIT_OF_ERROR);
}

/* Sends 'requests' (which have no reply unless they fail), waits until all
 * are processed, and on an error reply prints it and exits.  Frees the
 * requests. */
static void
transact_multiple_noreply(struct vconn *vconn, struct ovs_list *requests)
{
    struct ofpbuf *reply;

    run(vconn_transact_multiple_noreply(vconn, requests, &reply),
        "talking to switch");
    if (reply) {
        of_error_exit(reply, verbosity + 2);
    }
}

static void
transact_noreply(struct vconn *vconn, struct ofpbuf *request)
{
    struct ovs_list requests;

    ovs_list_init(&requests);
    ovs_list_push_back(&requests, &request->list_node);
    transact_multiple_noreply(vconn, &requests);
}

/* Sends 'requests' inside one atomic, ordered bundle.  Prints every error
 * and exits if there was any.  The requests stay owned by the caller. */
static void
bundle_transact(struct vconn *vconn, struct ovs_list *requests)
{
    struct ovs_list errors;
    struct ofpbuf *error;
    bool failed = false;
    int retval;

    retval = vconn_bundle_transact(vconn, requests,
                                   OFPBF_ORDERED | OFPBF_ATOMIC, &errors);
    LIST_FOR_EACH_POP (error, list_node, &errors) {
        ofp_print(stderr, error->data, error->size, NULL, NULL,
                  verbosity + 2);
        ofpbuf_delete(error);
        failed = true;
    }
    if (failed) {
        exit(EXIT_OF_ERROR);
    }
    run(retval, "bundle transaction failed");
}

/* Sends 'requests' (flow, group or meter mods; takes ownership), in a
 * bundle if --bundle was given. */
static void
send_mods(struct vconn *vconn, struct ovs_list *requests)
{
    if (bundle) {
        bundle_transact(vconn, requests);
        ofpbuf_list_delete(requests);
    } else if (!ovs_list_is_empty(requests)) {
        transact_multiple_noreply(vconn, requests);
    }
}

/* Sends 'request' (takes ownership) and appends its replies, in order, to
 * 'replies': all the parts of a multipart reply, or the single reply of
 * another request.  On an OpenFlow error prints it and exits. */
static void
transact_dump(struct vconn *vconn, struct ofpbuf *request,
              struct ovs_list *replies)
{
    const struct ofp_header *oh = request->data;

    if (!ofpmsg_is_stat_request(oh)) {
        struct ofpbuf *reply;
        enum ofptype type;

        run(vconn_transact(vconn, request, &reply), "talking to switch");
        if (!ofptype_decode(&type, reply->data) && type == OFPTYPE_ERROR) {
            of_error_exit(reply, verbosity + 1);
        }
        ovs_list_push_back(replies, &reply->list_node);
        return;
    }

    ovs_be32 send_xid = oh->xid;
    enum ofpraw request_raw, reply_raw;
    bool done = false;

    ofpraw_decode_partial(&request_raw, request->data, request->size);
    reply_raw = ofpraw_stats_request_to_reply(request_raw, oh->version);
    run(vconn_send_block(vconn, request), "failed to send request");
    while (!done) {
        struct ofpbuf *reply;
        enum ofpraw raw;

        run(vconn_recv_block(vconn, &reply), "OpenFlow receive failed");
        if (((struct ofp_header *) reply->data)->xid != send_xid) {
            ofpbuf_delete(reply);
            continue;
        }
        if (ofpraw_decode(&raw, reply->data)) {
            ovs_fatal(0, "%s: undecodable reply", target_arg);
        }
        if (ofptype_from_ofpraw(raw) == OFPTYPE_ERROR) {
            of_error_exit(reply, verbosity + 1);
        } else if (raw != reply_raw) {
            ovs_fatal(0, "received bad reply: %s",
                      ofp_to_string(reply->data, reply->size, NULL, NULL,
                                    verbosity + 1));
        }
        done = !ofpmp_more(reply->data);
        ovs_list_push_back(replies, &reply->list_node);
    }
}

/* Extensions (ofproto-mpls/ofp-ext.h).  Text goes through
 * ofpext_text_to_carriers() before libopenvswitch parses it, and what it
 * parsed is checked against what that introduced (a user who writes a
 * carrier field such as tun_src gets an error, not a different action);
 * messages go through ofpext_msg_from_carriers() after libopenvswitch
 * encodes them; replies through ofpext_msg_to_carriers() before it decodes
 * them, and what it prints through ofpext_text_from_carriers(). */

/* Rewrites 'text' for libopenvswitch's parser into '*pre' (freed by the
 * caller), counting what it introduced in '*introduced'.  Returns NULL or
 * a malloc'd error. */
static char *
ext_preparse(const char *text, char **pre, struct ofpext_count *introduced)
{
    memset(introduced, 0, sizeof *introduced);
    return ofpext_text_to_carriers(text, pre, introduced);
}

/* Compares what libopenvswitch parsed ('found') with what ext_preparse()
 * introduced.  Returns NULL or a malloc'd error. */
static char *
ext_check_counts(const struct ofpext_count *introduced,
                 const struct ofpext_count *found)
{
    if (ofpext_count_check(introduced, found)) {
        return xstrdup("tun_src, tun_dst and tun_ipv6_src are reserved by "
                       "mvs (they carry pbb_isid, ipv6_exthdr and the "
                       "extension actions): mvs has no tunnel ports");
    }
    return NULL;
}

/* The same for a parsed match ('match' may be NULL) and actions. */
static char *
ext_check_parsed(const struct ofpext_count *introduced,
                 const struct match *match, const struct ofpact *ofpacts,
                 size_t len)
{
    struct ofpext_count found = { 0, 0 };

    if (match) {
        ofpext_count_match(&found, match);
    }
    ofpext_count_ofpacts(&found, ofpacts, len);
    return ext_check_counts(introduced, &found);
}

/* Replaces, in place, the carriers in reply 'msg' by nothing
 * libopenvswitch cannot decode.  Returns false if 'msg' carried tunnel
 * fields of its own (a switch other than mvs): its text must then not be
 * rewritten. */
static bool
ext_decode_msg(struct ofpbuf *msg)
{
    struct ofpbuf *new;

    if (ofpext_msg_has_carriers(msg)) {
        return false;
    }
    if (!ofpext_msg_to_carriers(msg->data, &new, NULL) && new) {
        ofpbuf_clear(msg);
        ofpbuf_put(msg, new->data, new->size);
        ofpbuf_delete(new);
    }
    return true;
}

/* ofp_to_string() of 'msg' (which is not changed), extensions spelled
 * out. */
static char *
msg_to_string(const struct ofpbuf *msg,
              const struct ofputil_port_map *port_map,
              const struct ofputil_table_map *table_map, int verbose)
{
    struct ofpbuf *copy = ofpbuf_clone(msg);
    bool fixup = ext_decode_msg(copy);
    struct ds s = DS_EMPTY_INITIALIZER;

    char *text = ofp_to_string(copy->data, copy->size, port_map, table_map,
                               verbose);
    ds_put_cstr(&s, text);
    free(text);
    if (fixup) {
        ofpext_text_from_carriers(&s);
    }
    ofpbuf_delete(copy);
    return ds_steal_cstr(&s);
}

/* Prints every message in 'replies' as ovs-ofctl does, then frees them. */
static void
print_replies(struct ovs_list *replies,
              const struct ofputil_port_map *port_map,
              const struct ofputil_table_map *table_map)
{
    struct ofpbuf *reply;

    LIST_FOR_EACH_POP (reply, list_node, replies) {
        char *s = msg_to_string(reply, port_map, table_map, verbosity + 1);
        fputs(s, stdout);
        free(s);
        ofpbuf_delete(reply);
    }
}

/* Prints 'json' (takes ownership) on stdout, pretty and sorted. */
static void
print_json(struct json *json)
{
    char *s = json_to_string(json, JSSF_PRETTY | JSSF_SORT);

    puts(s);
    free(s);
    json_destroy(json);
}

static struct json *
json_u64(uint64_t x)
{
    return json_integer_create(x);
}

static struct json *
json_hex64(uint64_t x)
{
    return json_string_create_nocopy(xasprintf("0x%"PRIx64, x));
}

/* Port and table names (--names). */

static bool
should_show_names(void)
{
    return use_names > 0 || (use_names < 0 && isatty(STDOUT_FILENO));
}

/* Appends the port descriptions of the switch on 'vconn' to 'replies'. */
static void
fetch_port_desc(struct vconn *vconn, ofp_port_t port,
                struct ovs_list *replies)
{
    struct ofpbuf *request
        = ofputil_encode_port_desc_stats_request(vconn_get_version(vconn),
                                                 port);
    transact_dump(vconn, request, replies);
}

/* Calls 'cb' for each port in port-desc 'replies'. */
static void
for_each_port(struct ovs_list *replies, enum ofp_version version,
              void (*cb)(const struct ofputil_phy_port *, void *aux),
              void *aux)
{
    struct ofpbuf *reply;

    LIST_FOR_EACH (reply, list_node, replies) {
        struct ofpbuf b = ofpbuf_const_initializer(reply->data, reply->size);
        struct ofputil_phy_port pp;
        enum ofptype type;

        if (ofptype_pull(&type, &b)) {
            continue;
        }
        if (type == OFPTYPE_FEATURES_REPLY) {
            struct ofputil_switch_features sf;
            if (ofputil_pull_switch_features(&b, &sf)) {
                continue;
            }
        } else if (type != OFPTYPE_PORT_DESC_STATS_REPLY) {
            continue;
        }
        while (!ofputil_pull_phy_port(version, &b, &pp)) {
            cb(&pp, aux);
        }
    }
}

static void
put_port_in_map(const struct ofputil_phy_port *pp, void *map)
{
    ofputil_port_map_put(map, pp->port_no, pp->name);
}

/* Returns the port map of the switch 'target', fetched once on a
 * connection of its own (as ovs-ofctl does). */
static const struct ofputil_port_map *
get_port_map(const char *target)
{
    static struct ofputil_port_map *map;

    if (!map) {
        struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
        struct vconn *vconn;

        map = xmalloc(sizeof *map);
        ofputil_port_map_init(map);
        open_vconn(target, &vconn);
        fetch_port_desc(vconn, OFPP_ANY, &replies);
        for_each_port(&replies, vconn_get_version(vconn), put_port_in_map,
                      map);
        ofpbuf_list_delete(&replies);
        vconn_close(vconn);
    }
    return map;
}

/* Returns the table map of 'target' (named tables only). */
static const struct ofputil_table_map *
get_table_map(const char *target)
{
    static struct ofputil_table_map *map;

    if (!map) {
        struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
        struct vconn *vconn;
        struct ofpbuf *reply;

        map = xmalloc(sizeof *map);
        ofputil_table_map_init(map);
        open_vconn(target, &vconn);
        if (vconn_get_version(vconn) >= OFP13_VERSION) {
            transact_dump(vconn, ofputil_encode_table_features_request(
                              vconn_get_version(vconn)), &replies);
        }
        LIST_FOR_EACH (reply, list_node, &replies) {
            struct ofpbuf b = ofpbuf_const_initializer(reply->data,
                                                       reply->size);
            struct ofputil_table_features tf;
            struct ofpbuf raw;

            while (!ofputil_decode_table_features(&b, &tf, &raw)) {
                if (tf.name[0]) {
                    ofputil_table_map_put(map, tf.table_id, tf.name);
                }
            }
        }
        ofpbuf_list_delete(&replies);
        vconn_close(vconn);
    }
    return map;
}

static const struct ofputil_port_map *
ports_to_show(const char *target)
{
    return should_show_names() ? get_port_map(target) : NULL;
}

static const struct ofputil_table_map *
tables_to_show(const char *target)
{
    return should_show_names() ? get_table_map(target) : NULL;
}

/* Names are accepted in input unless --no-names.  Callers parse without
 * the maps first and only ask for them when that fails, to avoid a
 * connection (and to report bad text as a usage error). */
static const struct ofputil_port_map *
ports_to_accept(const char *target)
{
    return use_names ? get_port_map(target) : NULL;
}

static const struct ofputil_table_map *
tables_to_accept(const char *target)
{
    return use_names ? get_table_map(target) : NULL;
}

static ofp_port_t
str_to_port_no(const char *target, const char *name)
{
    ofp_port_t port;

    if (ofputil_port_from_string(name, NULL, &port)
        || ofputil_port_from_string(name, ports_to_accept(target), &port)) {
        return port;
    }
    usage_error("%s: unknown port `%s'", target, name);
}

/* JSON for objects. */

struct bit_name {
    uint32_t bit;
    const char *name;
};

static struct json *
json_bits(uint32_t bits, const struct bit_name *names, size_t n)
{
    struct json *array = json_array_create_empty();

    for (size_t i = 0; i < n; i++) {
        if (bits & names[i].bit) {
            json_array_add(array, json_string_create(names[i].name));
            bits &= ~names[i].bit;
        }
    }
    for (int i = 0; i < 32; i++) {
        if (bits & (1u << i)) {
            json_array_add(array, json_string_create_nocopy(
                               xasprintf("0x%"PRIx32, 1u << i)));
        }
    }
    return array;
}

static struct json *
json_port_no(ofp_port_t port)
{
    return json_integer_create(ofp_to_u16(port));
}

static struct json *
json_phy_port(const struct ofputil_phy_port *pp)
{
    static const struct bit_name config_names[] = {
        { OFPUTIL_PC_PORT_DOWN, "PORT_DOWN" },
        { OFPUTIL_PC_NO_STP, "NO_STP" },
        { OFPUTIL_PC_NO_RECV, "NO_RECV" },
        { OFPUTIL_PC_NO_RECV_STP, "NO_RECV_STP" },
        { OFPUTIL_PC_NO_FLOOD, "NO_FLOOD" },
        { OFPUTIL_PC_NO_FWD, "NO_FWD" },
        { OFPUTIL_PC_NO_PACKET_IN, "NO_PACKET_IN" },
    };
    static const struct bit_name state_names[] = {
        { OFPUTIL_PS_LINK_DOWN, "LINK_DOWN" },
        { OFPUTIL_PS_BLOCKED, "BLOCKED" },
        { OFPUTIL_PS_LIVE, "LIVE" },
    };
    struct json *port = json_object_create();
    char mac[ETH_ADDR_STRLEN + 1];

    snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(pp->hw_addr));
    json_object_put(port, "port_no", json_port_no(pp->port_no));
    json_object_put_string(port, "name", pp->name);
    json_object_put_string(port, "hw_addr", mac);
    json_object_put(port, "config", json_bits(pp->config, config_names,
                                              ARRAY_SIZE(config_names)));
    json_object_put(port, "state", json_bits(pp->state, state_names,
                                             ARRAY_SIZE(state_names)));
    json_object_put(port, "curr", json_integer_create(pp->curr));
    json_object_put(port, "advertised", json_integer_create(pp->advertised));
    json_object_put(port, "supported", json_integer_create(pp->supported));
    json_object_put(port, "peer", json_integer_create(pp->peer));
    json_object_put(port, "curr_speed", json_integer_create(pp->curr_speed));
    json_object_put(port, "max_speed", json_integer_create(pp->max_speed));
    return port;
}

static void
add_port_to_json(const struct ofputil_phy_port *pp, void *array)
{
    json_array_add(array, json_phy_port(pp));
}

static const struct bit_name flow_flag_names[] = {
    { OFPUTIL_FF_SEND_FLOW_REM, "send_flow_rem" },
    { OFPUTIL_FF_CHECK_OVERLAP, "check_overlap" },
    { OFPUTIL_FF_RESET_COUNTS, "reset_counts" },
    { OFPUTIL_FF_NO_PKT_COUNTS, "no_packet_counts" },
    { OFPUTIL_FF_NO_BYT_COUNTS, "no_byte_counts" },
};

/* Formats 'ofpacts' as text, with the MPLS sentinels spelled out. */
static char *
format_actions(const struct ofpact *ofpacts, size_t len,
               const struct ofputil_port_map *port_map,
               const struct ofputil_table_map *table_map)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = {
        .port_map = port_map,
        .table_map = table_map,
        .s = &s,
    };

    ofpacts_format(ofpacts, len, &fp);
    ofpext_text_from_carriers(&s);
    return ds_steal_cstr(&s);
}

static struct json *
json_flow_stats(const struct ofputil_flow_stats *fs,
                const struct ofputil_port_map *port_map,
                const struct ofputil_table_map *table_map)
{
    struct json *flow = json_object_create();
    struct ds s = DS_EMPTY_INITIALIZER;

    json_object_put(flow, "table_id", json_integer_create(fs->table_id));
    json_object_put(flow, "priority", json_integer_create(fs->priority));
    json_object_put(flow, "cookie", json_hex64(ntohll(fs->cookie)));
    json_object_put(flow, "idle_timeout",
                    json_integer_create(fs->idle_timeout));
    json_object_put(flow, "hard_timeout",
                    json_integer_create(fs->hard_timeout));
    json_object_put(flow, "importance", json_integer_create(fs->importance));
    json_object_put(flow, "flags", json_bits(fs->flags, flow_flag_names,
                                             ARRAY_SIZE(flow_flag_names)));
    if (show_stats) {
        json_object_put(flow, "duration_sec",
                        json_integer_create(fs->duration_sec));
        json_object_put(flow, "duration_nsec",
                        json_integer_create(fs->duration_nsec));
        if (fs->packet_count != UINT64_MAX) {
            json_object_put(flow, "n_packets", json_u64(fs->packet_count));
        }
        if (fs->byte_count != UINT64_MAX) {
            json_object_put(flow, "n_bytes", json_u64(fs->byte_count));
        }
        if (fs->idle_age >= 0) {
            json_object_put(flow, "idle_age",
                            json_integer_create(fs->idle_age));
        }
        if (fs->hard_age >= 0) {
            json_object_put(flow, "hard_age",
                            json_integer_create(fs->hard_age));
        }
    }
    /* OFP_DEFAULT_PRIORITY keeps match_format() from printing it. */
    match_format(&fs->match, port_map, &s, OFP_DEFAULT_PRIORITY);
    ofpext_text_from_carriers(&s);
    json_object_put_string(flow, "match", ds_cstr(&s));
    ds_destroy(&s);
    json_object_put(flow, "actions", json_string_create_nocopy(
                        format_actions(fs->ofpacts, fs->ofpacts_len,
                                       port_map, table_map)));
    return flow;
}

/* Flow stats. */

/* Decodes the flow stats 'replies' into '*fsesp', '*n_fsesp' (MPLS actions
 * as sentinels).  The caller frees with free_flow_stats(). */
static void
decode_flow_stats(struct ovs_list *replies, struct ofputil_flow_stats **fsesp,
                  size_t *n_fsesp)
{
    struct ofputil_flow_stats *fses = NULL;
    size_t n = 0, allocated = 0;
    struct ofpbuf *reply;

    LIST_FOR_EACH (reply, list_node, replies) {
        struct ofpbuf ofpacts;

        ext_decode_msg(reply);
        ofpbuf_init(&ofpacts, 0);
        for (;;) {
            if (n >= allocated) {
                fses = x2nrealloc(fses, &allocated, sizeof *fses);
            }
            int retval = ofputil_decode_flow_stats_reply(&fses[n], reply,
                                                         false, &ofpacts);
            if (retval) {
                if (retval != EOF) {
                    ovs_fatal(0, "%s: parse error in flow stats reply (%s)",
                              target_arg, ofperr_to_string(retval));
                }
                break;
            }
            /* The actions point into 'ofpacts', which the next call
             * overwrites: give each flow its own copy. */
            fses[n].ofpacts = xmemdup(fses[n].ofpacts, fses[n].ofpacts_len);
            n++;
        }
        ofpbuf_uninit(&ofpacts);
    }
    *fsesp = fses;
    *n_fsesp = n;
}

static void
free_flow_stats(struct ofputil_flow_stats *fses, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(CONST_CAST(struct ofpact *, fses[i].ofpacts));
    }
    free(fses);
}

/* Brings 'vconn' to a protocol in 'usable'; returns it.  (With -O
 * OpenFlow13, the only choice, this is the negotiated one.) */
static enum ofputil_protocol
set_protocol(struct vconn *vconn, enum ofputil_protocol cur,
             enum ofputil_protocol usable)
{
    uint32_t allowed = ofputil_protocols_from_version_bitmap(
        get_allowed_ofp_versions());

    if (usable & cur) {
        return cur;
    }
    for (int i = 0; i < ofputil_n_flow_dump_protocols; i++) {
        enum ofputil_protocol want = ofputil_flow_dump_protocols[i];
        enum ofputil_protocol next = cur;

        if (!(want & usable & allowed)) {
            continue;
        }
        for (;;) {
            struct ofpbuf *request, *reply;

            request = ofputil_encode_set_protocol(next, want, &next);
            if (!request) {
                break;
            }
            run(vconn_transact_noreply(vconn, request, &reply),
                "talking to switch");
            if (reply) {
                ofpbuf_delete(reply);
                break;
            }
        }
        if (next == want) {
            return want;
        }
    }
    char *s = ofputil_protocols_to_string(usable);
    usage_error("none of the usable flow formats (%s) is supported by the "
                "switch with the enabled OpenFlow versions", s);
}

static void
get_match_field(const struct mf_field *field, const struct match *match,
                union mf_value *value)
{
    mf_get_value(field, &match->flow, value);
}

static int
compare_flows(const void *afs_, const void *bfs_)
{
    const struct ofputil_flow_stats *afs = afs_;
    const struct ofputil_flow_stats *bfs = bfs_;
    const struct match *a = &afs->match;
    const struct match *b = &bfs->match;

    for (const struct sort_criterion *sc = criteria;
         sc < &criteria[n_criteria]; sc++) {
        const struct mf_field *f = sc->field;
        int ret;

        if (!f) {
            ret = (afs->priority < bfs->priority ? -1
                   : afs->priority > bfs->priority);
        } else {
            bool ina = (mf_are_prereqs_ok(f, &a->flow, NULL)
                        && !mf_is_all_wild(f, &a->wc));
            bool inb = (mf_are_prereqs_ok(f, &b->flow, NULL)
                        && !mf_is_all_wild(f, &b->wc));
            if (ina != inb) {
                /* Missing fields sort last in either order. */
                return ina ? -1 : 1;
            }
            union mf_value aval, bval;
            get_match_field(f, a, &aval);
            get_match_field(f, b, &bval);
            ret = memcmp(&aval, &bval, f->n_bytes);
        }
        if (ret) {
            return sc->order == SORT_ASC ? ret : -ret;
        }
    }
    return a < b ? -1 : 1;
}

/* Parses the dump-flows/dump-aggregate filter and opens the switch. */
/* ofputil_encode_flow_stats_request(), extensions included. */
static struct ofpbuf *
encode_flow_stats_request(const struct ofputil_flow_stats_request *fsr,
                          enum ofputil_protocol protocol)
{
    struct ofpbuf *msg = ofputil_encode_flow_stats_request(fsr, protocol);
    ofpext_msg_from_carriers(msg);
    return msg;
}

static struct vconn *
prepare_dump_flows(int argc, char *argv[], bool aggregate,
                   struct ofputil_flow_stats_request *fsr,
                   enum ofputil_protocol *protocolp)
{
    const char *target = argv[1];
    const char *match = argc > 2 ? argv[2] : "";
    enum ofputil_protocol usable, protocol;
    struct vconn *vconn;
    char *error;

    /* Like ovs-ofctl, fetch the maps (over connections of their own)
     * before the dump whenever there is a filter: besides accepting names,
     * this keeps the reply's xid, and so the text, identical. */
    const struct ofputil_port_map *port_map
        = *match ? ports_to_accept(target) : NULL;
    const struct ofputil_table_map *table_map
        = *match ? tables_to_accept(target) : NULL;
    struct ofpext_count introduced;
    char *pre;
    error = ext_preparse(match, &pre, &introduced);
    if (error) {
        parse_error(error);
    }
    error = parse_ofp_flow_stats_request_str(fsr, aggregate, pre, port_map,
                                             table_map, &usable);
    free(pre);
    if (!error) {
        error = ext_check_parsed(&introduced, &fsr->match, NULL, 0);
    }
    if (error) {
        parse_error(error);
    }
    protocol = open_vconn(target, &vconn);
    *protocolp = set_protocol(vconn, protocol, usable);
    return vconn;
}

static void
cmd_dump_flows(int argc, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct ofputil_flow_stats_request fsr;
    enum ofputil_protocol protocol;
    struct vconn *vconn;

    vconn = prepare_dump_flows(argc, argv, false, &fsr, &protocol);
    transact_dump(vconn, encode_flow_stats_request(&fsr, protocol),
                  &replies);
    vconn_close(vconn);

    if (out_format == FMT_TEXT && !n_criteria && !should_show_names()
        && show_stats) {
        /* ovs-ofctl's plain path: the replies as ofp_print() shows them. */
        struct ofpbuf *reply;

        LIST_FOR_EACH_POP (reply, list_node, &replies) {
            char *text = msg_to_string(reply, NULL, NULL, verbosity + 1);
            fputs(text, stdout);
            free(text);
            ofpbuf_delete(reply);
        }
        return;
    }

    struct ofputil_flow_stats *fses;
    size_t n_fses;
    decode_flow_stats(&replies, &fses, &n_fses);
    ofpbuf_list_delete(&replies);
    if (n_criteria) {
        qsort(fses, n_fses, sizeof *fses, compare_flows);
    }

    const struct ofputil_port_map *port_map = ports_to_show(argv[1]);
    const struct ofputil_table_map *table_map = tables_to_show(argv[1]);
    if (out_format == FMT_JSON) {
        struct json *flows = json_array_create_empty();
        for (size_t i = 0; i < n_fses; i++) {
            json_array_add(flows, json_flow_stats(&fses[i], port_map,
                                                  table_map));
        }
        struct json *top = json_object_create();
        json_object_put(top, "flows", flows);
        print_json(top);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < n_fses; i++) {
            ds_clear(&s);
            ofputil_flow_stats_format(&s, &fses[i], port_map, table_map,
                                      show_stats);
            ofpext_text_from_carriers(&s);
            printf(" %s\n", ds_cstr(&s));
        }
        ds_destroy(&s);
    }
    free_flow_stats(fses, n_fses);
}

static void
cmd_dump_aggregate(int argc, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct ofputil_flow_stats_request fsr;
    enum ofputil_protocol protocol;
    struct vconn *vconn;

    vconn = prepare_dump_flows(argc, argv, true, &fsr, &protocol);
    transact_dump(vconn, encode_flow_stats_request(&fsr, protocol),
                  &replies);
    vconn_close(vconn);

    if (out_format == FMT_TEXT) {
        print_replies(&replies, NULL, NULL);
        return;
    }

    struct ofputil_aggregate_stats as;
    struct ofpbuf *reply = CONTAINER_OF(ovs_list_front(&replies),
                                        struct ofpbuf, list_node);
    enum ofperr error = ofputil_decode_aggregate_stats_reply(&as,
                                                             reply->data);
    if (error) {
        ovs_fatal(0, "%s: bad aggregate reply (%s)", argv[1],
                  ofperr_to_string(error));
    }
    struct json *top = json_object_create();
    json_object_put(top, "packet_count", json_u64(as.packet_count));
    json_object_put(top, "byte_count", json_u64(as.byte_count));
    json_object_put(top, "flow_count", json_integer_create(as.flow_count));
    print_json(top);
    ofpbuf_list_delete(&replies);
}

/* Switch description, features, tables, ports. */

static struct json *
json_switch_config(const struct ofpbuf *reply)
{
    struct ofputil_switch_config config;
    struct json *json = json_object_create();

    ofputil_decode_get_config_reply(reply->data, &config);
    json_object_put_string(json, "frag",
                           ofputil_frag_handling_to_string(config.frag));
    json_object_put(json, "miss_send_len",
                    json_integer_create(config.miss_send_len));
    json_object_put(json, "invalid_ttl_to_controller",
                    json_boolean_create(config.invalid_ttl_to_controller > 0));
    return json;
}

static void
cmd_show(int argc OVS_UNUSED, char *argv[])
{
    static const struct bit_name cap_names[] = {
        { OFPUTIL_C_FLOW_STATS, "FLOW_STATS" },
        { OFPUTIL_C_TABLE_STATS, "TABLE_STATS" },
        { OFPUTIL_C_PORT_STATS, "PORT_STATS" },
        { OFPUTIL_C_IP_REASM, "IP_REASM" },
        { OFPUTIL_C_QUEUE_STATS, "QUEUE_STATS" },
        { OFPUTIL_C_ARP_MATCH_IP, "ARP_MATCH_IP" },
        { OFPUTIL_C_STP, "STP" },
        { OFPUTIL_C_GROUP_STATS, "GROUP_STATS" },
        { OFPUTIL_C_PORT_BLOCKED, "PORT_BLOCKED" },
        { OFPUTIL_C_BUNDLES, "BUNDLES" },
        { OFPUTIL_C_FLOW_MONITORING, "FLOW_MONITORING" },
    };
    struct ovs_list features = OVS_LIST_INITIALIZER(&features);
    struct ovs_list ports = OVS_LIST_INITIALIZER(&ports);
    struct ovs_list config = OVS_LIST_INITIALIZER(&config);
    struct vconn *vconn;
    enum ofp_version version;

    open_vconn(argv[1], &vconn);
    version = vconn_get_version(vconn);
    transact_dump(vconn, ofpraw_alloc(OFPRAW_OFPT_FEATURES_REQUEST, version,
                                      0), &features);
    struct ofpbuf *freply = CONTAINER_OF(ovs_list_front(&features),
                                         struct ofpbuf, list_node);
    if (!ofputil_switch_features_has_ports(freply)) {
        fetch_port_desc(vconn, OFPP_ANY, &ports);
    }
    vconn_close(vconn);

    /* Like ovs-ofctl, the configuration comes over a second connection. */
    open_vconn(argv[1], &vconn);
    transact_dump(vconn, ofpraw_alloc(OFPRAW_OFPT_GET_CONFIG_REQUEST,
                                      version, 0), &config);
    vconn_close(vconn);

    if (out_format == FMT_TEXT) {
        print_replies(&features, NULL, NULL);
        print_replies(&ports, ports_to_show(argv[1]), NULL);
        print_replies(&config, NULL, NULL);
        return;
    }

    struct ofputil_switch_features sf;
    struct ofpbuf b = ofpbuf_const_initializer(freply->data, freply->size);
    enum ofperr error = ofputil_pull_switch_features(&b, &sf);
    if (error) {
        ovs_fatal(0, "%s: bad features reply (%s)", argv[1],
                  ofperr_to_string(error));
    }
    struct json *top = json_object_create();
    json_object_put_format(top, "dpid", "%016"PRIx64, sf.datapath_id);
    json_object_put(top, "n_tables", json_integer_create(sf.n_tables));
    json_object_put(top, "n_buffers", json_integer_create(sf.n_buffers));
    json_object_put(top, "auxiliary_id",
                    json_integer_create(sf.auxiliary_id));
    json_object_put(top, "capabilities",
                    json_bits(sf.capabilities, cap_names,
                              ARRAY_SIZE(cap_names)));
    json_object_put_string(top, "version", ofputil_version_to_string(
                               version));
    struct json *array = json_array_create_empty();
    if (ovs_list_is_empty(&ports)) {
        for_each_port(&features, version, add_port_to_json, array);
    } else {
        for_each_port(&ports, version, add_port_to_json, array);
    }
    json_object_put(top, "ports", array);
    json_object_put(top, "config", json_switch_config(
                        CONTAINER_OF(ovs_list_front(&config), struct ofpbuf,
                                     list_node)));
    print_json(top);
    ofpbuf_list_delete(&features);
    ofpbuf_list_delete(&ports);
    ofpbuf_list_delete(&config);
}

/* Copies the NUL-padded string field 'src' of 'n' bytes to JSON. */
static struct json *
json_fixed_string(const char *src, size_t n)
{
    return json_string_create_nocopy(xmemdup0(src, strnlen(src, n)));
}

static void
cmd_dump_desc(int argc OVS_UNUSED, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct vconn *vconn;

    open_vconn(argv[1], &vconn);
    transact_dump(vconn, ofpraw_alloc(OFPRAW_OFPST_DESC_REQUEST,
                                      vconn_get_version(vconn), 0),
                  &replies);
    vconn_close(vconn);
    if (out_format == FMT_TEXT) {
        print_replies(&replies, NULL, NULL);
        return;
    }

    struct ofpbuf *reply = CONTAINER_OF(ovs_list_front(&replies),
                                        struct ofpbuf, list_node);
    struct ofpbuf b = ofpbuf_const_initializer(reply->data, reply->size);
    ofpraw_pull_assert(&b);
    const struct ofp_desc_stats *ods = ofpbuf_try_pull(&b, sizeof *ods);
    if (!ods) {
        ovs_fatal(0, "%s: short description reply", argv[1]);
    }
    struct json *top = json_object_create();
    json_object_put(top, "mfr_desc", json_fixed_string(ods->mfr_desc,
                                                       DESC_STR_LEN));
    json_object_put(top, "hw_desc", json_fixed_string(ods->hw_desc,
                                                      DESC_STR_LEN));
    json_object_put(top, "sw_desc", json_fixed_string(ods->sw_desc,
                                                      DESC_STR_LEN));
    json_object_put(top, "serial_num", json_fixed_string(ods->serial_num,
                                                         SERIAL_NUM_LEN));
    json_object_put(top, "dp_desc", json_fixed_string(ods->dp_desc,
                                                      DESC_STR_LEN));
    print_json(top);
    ofpbuf_list_delete(&replies);
}

static void
cmd_dump_tables(int argc OVS_UNUSED, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct vconn *vconn;
    struct ofpbuf *reply;

    open_vconn(argv[1], &vconn);
    transact_dump(vconn, ofpraw_alloc(OFPRAW_OFPST_TABLE_REQUEST,
                                      vconn_get_version(vconn), 0),
                  &replies);
    vconn_close(vconn);
    if (out_format == FMT_TEXT) {
        print_replies(&replies, NULL, tables_to_show(argv[1]));
        return;
    }

    struct json *tables = json_array_create_empty();
    LIST_FOR_EACH (reply, list_node, &replies) {
        struct ofpbuf b = ofpbuf_const_initializer(reply->data, reply->size);
        struct ofputil_table_features tf;
        struct ofputil_table_stats ts;

        while (!ofputil_decode_table_stats_reply(&b, &ts, &tf)) {
            struct json *t = json_object_create();
            json_object_put(t, "table_id", json_integer_create(ts.table_id));
            json_object_put(t, "active_count",
                            json_integer_create(ts.active_count));
            json_object_put(t, "lookup_count", json_u64(ts.lookup_count));
            json_object_put(t, "matched_count", json_u64(ts.matched_count));
            json_array_add(tables, t);
        }
    }
    struct json *top = json_object_create();
    json_object_put(top, "tables", tables);
    print_json(top);
    ofpbuf_list_delete(&replies);
}

static struct json *
json_fields(const struct mf_bitmap *bm)
{
    struct json *array = json_array_create_empty();
    int i;

    BITMAP_FOR_EACH_1 (i, MFF_N_IDS, bm->bm) {
        json_array_add(array, json_string_create(mf_from_id(i)->name));
    }
    return array;
}

static void
cmd_dump_table_features(int argc OVS_UNUSED, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct ofputil_table_features prev;
    int first_ditto = -1, last_ditto = -1;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct json *tables = json_array_create_empty();
    struct vconn *vconn;
    struct ofpbuf *reply;
    int n = 0;

    open_vconn(argv[1], &vconn);
    transact_dump(vconn, ofputil_encode_table_features_request(
                      vconn_get_version(vconn)), &replies);
    vconn_close(vconn);

    /* As in ovs-ofctl, 'prev' carries across replies so that repeated
     * tables are abbreviated the same way. */
    LIST_FOR_EACH (reply, list_node, &replies) {
        struct ofpbuf b = ofpbuf_const_initializer(reply->data, reply->size);
        struct ofputil_table_features tf;
        struct ofpbuf raw;
        int retval;

        while (!(retval = ofputil_decode_table_features(&b, &tf, &raw))) {
            if (out_format == FMT_TEXT) {
                ofputil_table_features_format(&s, &tf, n ? &prev : NULL,
                                              NULL, NULL, &first_ditto,
                                              &last_ditto);
            } else {
                struct json *t = json_object_create();
                json_object_put(t, "table_id",
                                json_integer_create(tf.table_id));
                json_object_put_string(t, "name", tf.name);
                json_object_put(t, "metadata_match",
                                json_hex64(ntohll(tf.metadata_match)));
                json_object_put(t, "metadata_write",
                                json_hex64(ntohll(tf.metadata_write)));
                json_object_put(t, "max_entries",
                                json_integer_create(tf.max_entries));
                json_object_put(t, "match", json_fields(&tf.match));
                json_object_put(t, "wildcard", json_fields(&tf.wildcard));
                json_object_put(t, "mask", json_fields(&tf.mask));
                json_array_add(tables, t);
            }
            prev = tf;
            n++;
        }
        if (retval != EOF) {
            ovs_fatal(0, "%s: decode error in table features (%s)", argv[1],
                      ofperr_get_name(retval));
        }
    }
    ofpbuf_list_delete(&replies);

    if (out_format == FMT_TEXT) {
        ofputil_table_features_format_finish(&s, first_ditto, last_ditto);
        const char *p = ds_cstr(&s);
        puts(p + (*p == '\n'));
        json_destroy(tables);
    } else {
        struct json *top = json_object_create();
        json_object_put(top, "tables", tables);
        print_json(top);
    }
    ds_destroy(&s);
}

static void
cmd_dump_ports(int argc, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct vconn *vconn;
    struct ofpbuf *reply;
    ofp_port_t port;

    port = argc > 2 ? str_to_port_no(argv[1], argv[2]) : OFPP_ANY;
    open_vconn(argv[1], &vconn);
    transact_dump(vconn, ofputil_encode_dump_ports_request(
                      vconn_get_version(vconn), port), &replies);
    vconn_close(vconn);
    if (out_format == FMT_TEXT) {
        print_replies(&replies, ports_to_show(argv[1]), NULL);
        return;
    }

    struct json *ports = json_array_create_empty();
    LIST_FOR_EACH (reply, list_node, &replies) {
        struct ofpbuf b = ofpbuf_const_initializer(reply->data, reply->size);
        struct ofputil_port_stats ps;

        while (!ofputil_decode_port_stats(&ps, &b)) {
            struct json *p = json_object_create();
            const struct netdev_stats *st = &ps.stats;

            json_object_put(p, "port_no", json_port_no(ps.port_no));
#define PUT_STAT(NAME)                                          \
            if (st->NAME != UINT64_MAX) {                       \
                json_object_put(p, #NAME, json_u64(st->NAME));  \
            }
            PUT_STAT(rx_packets);
            PUT_STAT(tx_packets);
            PUT_STAT(rx_bytes);
            PUT_STAT(tx_bytes);
            PUT_STAT(rx_dropped);
            PUT_STAT(tx_dropped);
            PUT_STAT(rx_errors);
            PUT_STAT(tx_errors);
            PUT_STAT(rx_frame_errors);
            PUT_STAT(rx_over_errors);
            PUT_STAT(rx_crc_errors);
            PUT_STAT(collisions);
#undef PUT_STAT
            if (ps.duration_sec != UINT32_MAX) {
                json_object_put(p, "duration_sec",
                                json_integer_create(ps.duration_sec));
                json_object_put(p, "duration_nsec",
                                json_integer_create(ps.duration_nsec));
            }
            netdev_free_custom_stats_counters(&ps.custom_stats);
            json_array_add(ports, p);
        }
    }
    struct json *top = json_object_create();
    json_object_put(top, "ports", ports);
    print_json(top);
    ofpbuf_list_delete(&replies);
}

static void
cmd_dump_ports_desc(int argc, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct vconn *vconn;
    ofp_port_t port;

    port = argc > 2 ? str_to_port_no(argv[1], argv[2]) : OFPP_ANY;
    open_vconn(argv[1], &vconn);
    fetch_port_desc(vconn, port, &replies);
    if (out_format == FMT_TEXT) {
        vconn_close(vconn);
        print_replies(&replies, ports_to_show(argv[1]), NULL);
        return;
    }

    struct json *ports = json_array_create_empty();
    for_each_port(&replies, vconn_get_version(vconn), add_port_to_json,
                  ports);
    vconn_close(vconn);
    struct json *top = json_object_create();
    json_object_put(top, "ports", ports);
    print_json(top);
    ofpbuf_list_delete(&replies);
}

struct find_port_aux {
    const char *name;
    ofp_port_t port_no;         /* OFPP_NONE when looking up by name. */
    struct ofputil_phy_port pp;
    bool found;
};

static void
find_port_cb(const struct ofputil_phy_port *pp, void *aux_)
{
    struct find_port_aux *aux = aux_;

    if (!aux->found && (aux->port_no != OFPP_NONE
                        ? aux->port_no == pp->port_no
                        : !strcmp(pp->name, aux->name))) {
        aux->pp = *pp;
        aux->found = true;
    }
}

static void
cmd_mod_port(int argc OVS_UNUSED, char *argv[])
{
    struct ofp_config_flag {
        const char *name;             /* The flag's name. */
        enum ofputil_port_config bit; /* Bit to turn on or off. */
        bool on;                      /* Value to set the bit to. */
    };
    static const struct ofp_config_flag flags[] = {
        { "up",          OFPUTIL_PC_PORT_DOWN,    false },
        { "down",        OFPUTIL_PC_PORT_DOWN,    true  },
        { "stp",         OFPUTIL_PC_NO_STP,       false },
        { "receive",     OFPUTIL_PC_NO_RECV,      false },
        { "receive-stp", OFPUTIL_PC_NO_RECV_STP,  false },
        { "flood",       OFPUTIL_PC_NO_FLOOD,     false },
        { "forward",     OFPUTIL_PC_NO_FWD,       false },
        { "packet-in",   OFPUTIL_PC_NO_PACKET_IN, false },
    };
    const struct ofp_config_flag *flag = NULL;
    struct ofputil_port_mod pm;
    const char *command = argv[3];
    bool not = false;

    if (!strncasecmp(command, "no-", 3)) {
        command += 3;
        not = true;
    } else if (!strncasecmp(command, "no", 2)) {
        command += 2;
        not = true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        if (!strcasecmp(command, flags[i].name)) {
            flag = &flags[i];
            break;
        }
    }
    if (!flag) {
        usage_error("unknown mod-port command '%s'", argv[3]);
    }

    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct find_port_aux aux = { .name = argv[2] };
    enum ofputil_protocol protocol;
    struct vconn *vconn;
    unsigned int n;

    aux.port_no = (str_to_uint(argv[2], 10, &n) && n <= UINT16_MAX
                   ? u16_to_ofp(n) : OFPP_NONE);
    protocol = open_vconn(argv[1], &vconn);
    fetch_port_desc(vconn, OFPP_ANY, &replies);
    for_each_port(&replies, vconn_get_version(vconn), find_port_cb, &aux);
    ofpbuf_list_delete(&replies);
    if (!aux.found) {
        usage_error("%s: couldn't find port `%s'", argv[1], argv[2]);
    }

    pm.port_no = aux.pp.port_no;
    pm.hw_addr = aux.pp.hw_addr;
    pm.mask = flag->bit;
    pm.config = flag->on ^ not ? flag->bit : 0;
    pm.advertise = 0;
    transact_noreply(vconn, ofputil_encode_port_mod(&pm, protocol));
    vconn_close(vconn);
}

/* Flow mods. */

static void free_flow_mod(struct ofputil_flow_mod *);

/* Parses one line of flow text 'text' (extensions included) into 'fm'
 * for 'command' (-2: a leading add/modify/delete word picks it).  Returns
 * NULL or a malloc'd error. */
static char *
parse_flow_mod(struct ofputil_flow_mod *fm, const char *text, int command,
               const char *target, enum ofputil_protocol *usable)
{
    struct ofpext_count introduced;
    char *pre, *error;

    error = ext_preparse(text, &pre, &introduced);
    if (error) {
        return error;
    }
    /* Numbers first, so that bad text is reported without connecting;
     * only then port and table names, which need the switch. */
    error = parse_ofp_flow_mod_str(fm, pre, NULL, NULL, command, usable);
    if (error && use_names && target) {
        free(error);
        error = parse_ofp_flow_mod_str(fm, pre, ports_to_accept(target),
                                       tables_to_accept(target), command,
                                       usable);
    }
    free(pre);
    if (!error) {
        struct match match;
        minimatch_expand(&fm->match, &match);
        error = ext_check_parsed(&introduced, &match, fm->ofpacts,
                                 fm->ofpacts_len);
        if (error) {
            free_flow_mod(fm);
        }
    }
    return error;
}

/* Encodes 'fm' for 'protocol', with the real MPLS actions, and frees the
 * parts of 'fm' that the parser allocated. */
static struct ofpbuf *
encode_flow_mod(struct ofputil_flow_mod *fm, enum ofputil_protocol protocol)
{
    struct ofpbuf *msg = ofputil_encode_flow_mod(fm, protocol);

    ofpext_msg_from_carriers(msg);
    return msg;
}

static void
free_flow_mod(struct ofputil_flow_mod *fm)
{
    free(CONST_CAST(struct ofpact *, fm->ofpacts));
    minimatch_destroy(&fm->match);
}

/* Reads flow text lines from 'file_name' ("-" for stdin) into '*fmsp'. */
static void
read_flow_mods(const char *file_name, const char *target, int command,
               struct ofputil_flow_mod **fmsp, size_t *n_fmsp,
               enum ofputil_protocol *usablep)
{
    struct ofputil_flow_mod *fms = NULL;
    size_t n = 0, allocated = 0;
    struct ds s = DS_EMPTY_INITIALIZER;
    int line_number = 0;
    FILE *file;

    file = !strcmp(file_name, "-") ? stdin : fopen(file_name, "r");
    if (!file) {
        usage_error("%s: open failed (%s)", file_name, ovs_strerror(errno));
    }
    *usablep = OFPUTIL_P_ANY;
    while (!ds_get_preprocessed_line(&s, file, &line_number)) {
        enum ofputil_protocol usable;
        char *error;

        if (n >= allocated) {
            fms = x2nrealloc(fms, &allocated, sizeof *fms);
        }
        error = parse_flow_mod(&fms[n], ds_cstr(&s), command, target,
                               &usable);
        if (error) {
            usage_error("%s:%d: %s", file_name, line_number, error);
        }
        *usablep &= usable;
        n++;
    }
    ds_destroy(&s);
    if (file != stdin) {
        fclose(file);
    }
    *fmsp = fms;
    *n_fmsp = n;
}

/* Sends the 'n' flow mods 'fms' to 'target' and frees them. */
static void
send_flow_mods(const char *target, struct ofputil_flow_mod *fms, size_t n,
               enum ofputil_protocol usable)
{
    struct ovs_list requests = OVS_LIST_INITIALIZER(&requests);
    enum ofputil_protocol protocol;
    struct vconn *vconn;

    if (bundle) {
        usable &= OFPUTIL_P_OF13_UP;
    }
    protocol = open_vconn(target, &vconn);
    protocol = set_protocol(vconn, protocol, usable);
    for (size_t i = 0; i < n; i++) {
        struct ofpbuf *msg = encode_flow_mod(&fms[i], protocol);
        ovs_list_push_back(&requests, &msg->list_node);
        free_flow_mod(&fms[i]);
    }
    send_mods(vconn, &requests);
    vconn_close(vconn);
}

static void
flow_mod_cmd(int argc, char *argv[], int command)
{
    if (argc > 2 && !strcmp(argv[2], "-")) {
        struct ofputil_flow_mod *fms;
        enum ofputil_protocol usable;
        size_t n;

        read_flow_mods("-", argv[1], command, &fms, &n, &usable);
        send_flow_mods(argv[1], fms, n, usable);
        free(fms);
    } else {
        struct ofputil_flow_mod fm;
        enum ofputil_protocol usable;
        char *error = parse_flow_mod(&fm, argc > 2 ? argv[2] : "", command,
                                     argv[1], &usable);
        if (error) {
            parse_error(error);
        }
        send_flow_mods(argv[1], &fm, 1, usable);
    }
}

static void
cmd_add_flow(int argc, char *argv[])
{
    flow_mod_cmd(argc, argv, OFPFC_ADD);
}

static void
cmd_add_flows(int argc OVS_UNUSED, char *argv[])
{
    struct ofputil_flow_mod *fms;
    enum ofputil_protocol usable;
    size_t n;

    /* -2: each line may start with add, modify, delete... */
    read_flow_mods(argv[2], argv[1], -2, &fms, &n, &usable);
    send_flow_mods(argv[1], fms, n, usable);
    free(fms);
}

static void
cmd_mod_flows(int argc, char *argv[])
{
    flow_mod_cmd(argc, argv, strict ? OFPFC_MODIFY_STRICT : OFPFC_MODIFY);
}

static void
cmd_del_flows(int argc, char *argv[])
{
    flow_mod_cmd(argc, argv, strict ? OFPFC_DELETE_STRICT : OFPFC_DELETE);
}

/* replace-flows and diff-flows: flow tables compared by identity, that is
 * (table, priority, match). */

struct fte_version {
    ovs_be64 cookie;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint16_t importance;
    uint16_t flags;
    struct ofpact *ofpacts;     /* Owned. */
    size_t ofpacts_len;
};

struct fte {
    struct hmap_node node;      /* In struct fte_table's 'flows'. */
    uint8_t table_id;
    int priority;
    struct minimatch match;
    struct fte_version *versions[2];
};

struct fte_table {
    struct hmap flows;
    const struct ofputil_port_map *port_map;    /* For diff-flows output. */
};

static uint32_t
fte_hash(uint8_t table_id, int priority, const struct minimatch *match)
{
    return minimatch_hash(match, hash_2words(table_id, priority));
}

/* Records 'version' (takes ownership) as version 'index' of the flow with
 * the given identity. */
static void
fte_insert(struct fte_table *t, uint8_t table_id, int priority,
           const struct minimatch *match, struct fte_version *version,
           int index)
{
    uint32_t hash = fte_hash(table_id, priority, match);
    struct fte *fte;

    HMAP_FOR_EACH_WITH_HASH (fte, node, hash, &t->flows) {
        if (fte->table_id == table_id && fte->priority == priority
            && minimatch_equal(&fte->match, match)) {
            goto found;
        }
    }
    fte = xzalloc(sizeof *fte);
    fte->table_id = table_id;
    fte->priority = priority;
    minimatch_clone(&fte->match, match);
    hmap_insert(&t->flows, &fte->node, hash);
found:
    if (fte->versions[index]) {
        free(fte->versions[index]->ofpacts);
        free(fte->versions[index]);
    }
    fte->versions[index] = version;
}

static void
fte_table_destroy(struct fte_table *t)
{
    struct fte *fte;

    HMAP_FOR_EACH_POP (fte, node, &t->flows) {
        for (int i = 0; i < 2; i++) {
            if (fte->versions[i]) {
                free(fte->versions[i]->ofpacts);
                free(fte->versions[i]);
            }
        }
        minimatch_destroy(&fte->match);
        free(fte);
    }
    hmap_destroy(&t->flows);
}

/* Flags are not compared: a switch does not report them all back. */
static bool
fte_version_equals(const struct fte_version *a, const struct fte_version *b)
{
    return (a->cookie == b->cookie
            && a->idle_timeout == b->idle_timeout
            && a->hard_timeout == b->hard_timeout
            && a->importance == b->importance
            && ofpacts_equal_stringwise(a->ofpacts, a->ofpacts_len,
                                        b->ofpacts, b->ofpacts_len));
}

static void
read_flows_from_file(const char *file_name, const char *target,
                     struct fte_table *t, int index,
                     enum ofputil_protocol *usablep)
{
    struct ofputil_flow_mod *fms;
    size_t n;

    read_flow_mods(file_name, target, OFPFC_ADD, &fms, &n, usablep);
    for (size_t i = 0; i < n; i++) {
        struct ofputil_flow_mod *fm = &fms[i];
        struct fte_version *v = xmalloc(sizeof *v);

        v->cookie = fm->new_cookie;
        v->idle_timeout = fm->idle_timeout;
        v->hard_timeout = fm->hard_timeout;
        v->importance = fm->importance;
        v->flags = fm->flags & OFPUTIL_FF_SEND_FLOW_REM;
        v->ofpacts = fm->ofpacts;
        v->ofpacts_len = fm->ofpacts_len;
        fte_insert(t, fm->table_id != OFPTT_ALL ? fm->table_id : 0,
                   fm->priority, &fm->match, v, index);
        minimatch_destroy(&fm->match);
    }
    free(fms);
}

static void
read_flows_from_switch(struct vconn *vconn, enum ofputil_protocol protocol,
                       struct fte_table *t, int index)
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct ofputil_flow_stats_request fsr = {
        .aggregate = false,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    struct ofputil_flow_stats *fses;
    size_t n;

    match_init_catchall(&fsr.match);
    transact_dump(vconn, encode_flow_stats_request(&fsr, protocol),
                  &replies);
    decode_flow_stats(&replies, &fses, &n);
    ofpbuf_list_delete(&replies);
    for (size_t i = 0; i < n; i++) {
        const struct ofputil_flow_stats *fs = &fses[i];
        struct fte_version *v = xmalloc(sizeof *v);
        struct minimatch match;

        v->cookie = fs->cookie;
        v->idle_timeout = fs->idle_timeout;
        v->hard_timeout = fs->hard_timeout;
        v->importance = fs->importance;
        v->flags = 0;
        v->ofpacts = xmemdup(fs->ofpacts, fs->ofpacts_len);
        v->ofpacts_len = fs->ofpacts_len;
        minimatch_init(&match, &fs->match);
        fte_insert(t, fs->table_id, fs->priority, &match, v, index);
        minimatch_destroy(&match);
    }
    free_flow_stats(fses, n);
}

static void
fte_make_flow_mod(const struct fte *fte, int index, uint16_t command,
                  enum ofputil_protocol protocol, struct ovs_list *requests)
{
    const struct fte_version *v = fte->versions[index];
    struct ofputil_flow_mod fm = {
        .priority = fte->priority,
        .new_cookie = v->cookie,
        .modify_cookie = true,
        .table_id = fte->table_id,
        .command = command,
        .idle_timeout = v->idle_timeout,
        .hard_timeout = v->hard_timeout,
        .importance = v->importance,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .flags = v->flags,
    };
    struct ofpbuf *msg;

    minimatch_clone(&fm.match, &fte->match);
    if (command == OFPFC_ADD) {
        fm.ofpacts = v->ofpacts;
        fm.ofpacts_len = v->ofpacts_len;
    }
    msg = encode_flow_mod(&fm, protocol);
    minimatch_destroy(&fm.match);
    ovs_list_push_back(requests, &msg->list_node);
}

static void
cmd_replace_flows(int argc OVS_UNUSED, char *argv[])
{
    enum { FILE_IDX = 0, SWITCH_IDX = 1 };
    struct ovs_list requests = OVS_LIST_INITIALIZER(&requests);
    struct fte_table t = { .flows = HMAP_INITIALIZER(&t.flows) };
    enum ofputil_protocol usable, protocol;
    struct vconn *vconn;
    struct fte *fte;

    read_flows_from_file(argv[2], argv[1], &t, FILE_IDX, &usable);
    protocol = open_vconn(argv[1], &vconn);
    protocol = set_protocol(vconn, protocol, usable);
    read_flows_from_switch(vconn, protocol, &t, SWITCH_IDX);

    /* Deletions first, then additions and changes, so that the table
     * never holds more flows than either version. */
    HMAP_FOR_EACH (fte, node, &t.flows) {
        if (fte->versions[SWITCH_IDX] && !fte->versions[FILE_IDX]) {
            fte_make_flow_mod(fte, SWITCH_IDX, OFPFC_DELETE_STRICT, protocol,
                              &requests);
        }
    }
    HMAP_FOR_EACH (fte, node, &t.flows) {
        struct fte_version *file_ver = fte->versions[FILE_IDX];
        struct fte_version *sw_ver = fte->versions[SWITCH_IDX];

        if (file_ver && (readd || !sw_ver
                         || !fte_version_equals(sw_ver, file_ver))) {
            fte_make_flow_mod(fte, FILE_IDX, OFPFC_ADD, protocol, &requests);
        }
    }
    VLOG_INFO("replace-flows: sending %"PRIuSIZE" flow mods",
              ovs_list_size(&requests));
    send_mods(vconn, &requests);
    vconn_close(vconn);
    fte_table_destroy(&t);
}

/* A diff-flows source is a file if it names an existing file (or starts
 * with '/' or '.', or is "-"), otherwise a switch. */
static void
read_flows_from_source(const char *source, struct fte_table *t, int index)
{
    struct stat st;

    if (!strcmp(source, "-") || source[0] == '/' || source[0] == '.'
        || (!strchr(source, ':') && !stat(source, &st))) {
        enum ofputil_protocol usable;
        read_flows_from_file(source, NULL, t, index, &usable);
    } else {
        enum ofputil_protocol protocol;
        struct vconn *vconn;

        protocol = open_vconn(source, &vconn);
        protocol = set_protocol(vconn, protocol, OFPUTIL_P_ANY);
        read_flows_from_switch(vconn, protocol, t, index);
        vconn_close(vconn);
        if (!t->port_map) {
            t->port_map = ports_to_show(source);
        }
    }
}

static void
fte_version_format(const struct fte_table *t, const struct fte *fte,
                   int index, struct ds *s)
{
    const struct fte_version *v = fte->versions[index];

    ds_clear(s);
    if (!v) {
        return;
    }
    if (fte->table_id) {
        ds_put_format(s, "table=%"PRIu8" ", fte->table_id);
    }
    minimatch_format(&fte->match, NULL, t->port_map, s, fte->priority);
    if (v->cookie != htonll(0)) {
        ds_put_format(s, " cookie=0x%"PRIx64, ntohll(v->cookie));
    }
    if (v->idle_timeout != OFP_FLOW_PERMANENT) {
        ds_put_format(s, " idle_timeout=%"PRIu16, v->idle_timeout);
    }
    if (v->hard_timeout != OFP_FLOW_PERMANENT) {
        ds_put_format(s, " hard_timeout=%"PRIu16, v->hard_timeout);
    }
    if (v->importance != 0) {
        ds_put_format(s, " importance=%"PRIu16, v->importance);
    }
    ds_put_cstr(s, " actions=");
    char *actions = format_actions(v->ofpacts, v->ofpacts_len, t->port_map,
                                   NULL);
    ds_put_cstr(s, actions);
    free(actions);
    ds_put_char(s, '\n');
}

static void
cmd_diff_flows(int argc OVS_UNUSED, char *argv[])
{
    struct fte_table t = { .flows = HMAP_INITIALIZER(&t.flows) };
    struct ds a_s = DS_EMPTY_INITIALIZER, b_s = DS_EMPTY_INITIALIZER;
    bool differences = false;
    struct fte *fte;

    read_flows_from_source(argv[1], &t, 0);
    read_flows_from_source(argv[2], &t, 1);
    HMAP_FOR_EACH (fte, node, &t.flows) {
        struct fte_version *a = fte->versions[0];
        struct fte_version *b = fte->versions[1];

        if (!a || !b || !fte_version_equals(a, b)) {
            fte_version_format(&t, fte, 0, &a_s);
            fte_version_format(&t, fte, 1, &b_s);
            if (a_s.length) {
                printf("-%s", ds_cstr(&a_s));
            }
            if (b_s.length) {
                printf("+%s", ds_cstr(&b_s));
            }
            differences = true;
        }
    }
    ds_destroy(&a_s);
    ds_destroy(&b_s);
    fte_table_destroy(&t);
    if (differences) {
        exit(EXIT_DIFFERENCES);
    }
}

/* packet-out. */

static void
cmd_packet_out(int argc OVS_UNUSED, char *argv[])
{
    enum ofputil_protocol usable, protocol;
    struct ofputil_packet_out po;
    struct vconn *vconn;
    struct ofpext_count introduced;
    struct ofpbuf *msg;
    char *pre, *error;

    error = ext_preparse(argv[2], &pre, &introduced);
    if (error) {
        parse_error(error);
    }
    error = parse_ofp_packet_out_str(&po, pre, NULL, NULL, &usable);
    if (error && use_names) {
        free(error);
        error = parse_ofp_packet_out_str(&po, pre, ports_to_accept(argv[1]),
                                         tables_to_accept(argv[1]), &usable);
    }
    free(pre);
    if (!error) {
        error = ext_check_parsed(&introduced, NULL, po.ofpacts,
                                 po.ofpacts_len);
    }
    if (error) {
        parse_error(error);
    }
    protocol = open_vconn(argv[1], &vconn);
    protocol = set_protocol(vconn, protocol, usable);
    msg = ofputil_encode_packet_out(&po, protocol);
    ofpext_msg_from_carriers(msg);
    transact_noreply(vconn, msg);
    vconn_close(vconn);
    free(CONST_CAST(void *, po.packet));
    free(po.ofpacts);
}

/* Groups. */

static void
send_group_mods(const char *target, struct ofputil_group_mod *gms, size_t n,
                enum ofputil_protocol usable)
{
    struct ovs_list requests = OVS_LIST_INITIALIZER(&requests);
    enum ofputil_protocol protocol;
    struct vconn *vconn;

    protocol = open_vconn(target, &vconn);
    protocol = set_protocol(vconn, protocol, usable);
    for (size_t i = 0; i < n; i++) {
        struct ofpbuf *msg = ofputil_encode_group_mod(
            ofputil_protocol_to_ofp_version(protocol), &gms[i], NULL, -1);
        ofpext_msg_from_carriers(msg);
        ovs_list_push_back(&requests, &msg->list_node);
        ofputil_uninit_group_mod(&gms[i]);
    }
    send_mods(vconn, &requests);
    vconn_close(vconn);
}

/* Parses group text 'text' (extensions included) into 'gm'.  Returns NULL
 * or a malloc'd error. */
static char *
parse_group_mod(struct ofputil_group_mod *gm, int command, const char *text,
                const char *target, enum ofputil_protocol *usable)
{
    struct ofpext_count introduced;
    char *pre, *error;

    error = ext_preparse(text, &pre, &introduced);
    if (error) {
        return error;
    }
    error = parse_ofp_group_mod_str(gm, command, pre, ports_to_accept(target),
                                    tables_to_accept(target), usable);
    free(pre);
    if (!error) {
        struct ofpext_count found = { 0, 0 };
        const struct ofputil_bucket *b;
        LIST_FOR_EACH (b, list_node, &gm->buckets) {
            ofpext_count_ofpacts(&found, b->ofpacts, b->ofpacts_len);
        }
        error = ext_check_counts(&introduced, &found);
        if (error) {
            ofputil_uninit_group_mod(gm);
        }
    }
    return error;
}

static void
group_mod_cmd(int argc, char *argv[], int command, bool from_file)
{
    enum ofputil_protocol usable;
    char *error;

    if (from_file || (argc > 2 && !strcmp(argv[2], "-"))) {
        struct ofputil_group_mod *gms = NULL;
        size_t n = 0, allocated = 0;
        struct ds s = DS_EMPTY_INITIALIZER;
        int line_number = 0;
        FILE *file = !strcmp(argv[2], "-") ? stdin : fopen(argv[2], "r");

        if (!file) {
            usage_error("%s: open failed (%s)", argv[2], ovs_strerror(errno));
        }
        usable = OFPUTIL_P_ANY;
        while (!ds_get_preprocessed_line(&s, file, &line_number)) {
            enum ofputil_protocol u;
            if (n >= allocated) {
                gms = x2nrealloc(gms, &allocated, sizeof *gms);
            }
            /* Like ovs-ofctl, "add-groups" lines may start with a
             * command word (-2). */
            error = parse_group_mod(&gms[n], command == OFPGC11_ADD
                                    ? -2 : command, ds_cstr(&s), argv[1],
                                    &u);
            if (error) {
                usage_error("%s:%d: %s", argv[2], line_number, error);
            }
            usable &= u;
            n++;
        }
        ds_destroy(&s);
        if (file != stdin) {
            fclose(file);
        }
        send_group_mods(argv[1], gms, n, usable);
        free(gms);
    } else {
        struct ofputil_group_mod gm;

        error = parse_group_mod(&gm, command, argc > 2 ? argv[2] : "",
                                argv[1], &usable);
        if (error) {
            parse_error(error);
        }
        send_group_mods(argv[1], &gm, 1, usable);
    }
}

static void
cmd_add_group(int argc, char *argv[])
{
    group_mod_cmd(argc, argv, OFPGC11_ADD, false);
}

static void
cmd_add_groups(int argc, char *argv[])
{
    group_mod_cmd(argc, argv, OFPGC11_ADD, true);
}

static void
cmd_mod_group(int argc, char *argv[])
{
    group_mod_cmd(argc, argv,
                  may_create ? OFPGC11_ADD_OR_MOD : OFPGC11_MODIFY, false);
}

static void
cmd_del_groups(int argc, char *argv[])
{
    group_mod_cmd(argc, argv, OFPGC11_DELETE, false);
}

static const char *
group_type_name(uint8_t type)
{
    switch (type) {
    case OFPGT11_ALL: return "all";
    case OFPGT11_SELECT: return "select";
    case OFPGT11_INDIRECT: return "indirect";
    case OFPGT11_FF: return "fast_failover";
    default: return "unknown";
    }
}

static void
cmd_dump_groups(int argc, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct vconn *vconn;
    struct ofpbuf *reply;
    uint32_t group_id;

    if (argc < 3 || !ofputil_group_from_string(argv[2], &group_id)) {
        group_id = OFPG_ALL;
    }
    open_vconn(argv[1], &vconn);
    enum ofp_version version = vconn_get_version(vconn);
    transact_dump(vconn, ofputil_encode_group_desc_request(version, group_id),
                  &replies);
    vconn_close(vconn);
    if (out_format == FMT_TEXT) {
        print_replies(&replies, ports_to_show(argv[1]),
                      tables_to_show(argv[1]));
        return;
    }

    struct json *groups = json_array_create_empty();
    LIST_FOR_EACH (reply, list_node, &replies) {
        ext_decode_msg(reply);
        struct ofpbuf b = ofpbuf_const_initializer(reply->data, reply->size);
        struct ofputil_group_desc gd;

        while (!ofputil_decode_group_desc_reply(&gd, &b, version)) {
            struct json *g = json_object_create();
            struct json *buckets = json_array_create_empty();
            struct ofputil_bucket *bucket;

            json_object_put(g, "group_id", json_integer_create(gd.group_id));
            json_object_put_string(g, "type", group_type_name(gd.type));
            LIST_FOR_EACH (bucket, list_node, &gd.buckets) {
                struct json *jb = json_object_create();
                json_object_put(jb, "bucket_id",
                                json_integer_create(bucket->bucket_id));
                json_object_put(jb, "weight",
                                json_integer_create(bucket->weight));
                json_object_put(jb, "watch_port",
                                json_port_no(bucket->watch_port));
                json_object_put(jb, "watch_group",
                                json_integer_create(bucket->watch_group));
                json_object_put(jb, "actions", json_string_create_nocopy(
                                    format_actions(bucket->ofpacts,
                                                   bucket->ofpacts_len,
                                                   NULL, NULL)));
                json_array_add(buckets, jb);
            }
            json_object_put(g, "buckets", buckets);
            json_array_add(groups, g);
            ofputil_uninit_group_desc(&gd);
        }
    }
    struct json *top = json_object_create();
    json_object_put(top, "groups", groups);
    print_json(top);
    ofpbuf_list_delete(&replies);
}

static void
cmd_dump_group_stats(int argc, char *argv[])
{
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    struct vconn *vconn;
    struct ofpbuf *reply;
    uint32_t group_id = OFPG_ALL;

    if (argc > 2) {
        struct ofputil_group_mod gm;
        enum ofputil_protocol usable;
        char *error = parse_ofp_group_mod_str(&gm, OFPGC11_DELETE, argv[2],
                                              NULL, NULL, &usable);
        if (error) {
            parse_error(error);
        }
        group_id = gm.group_id;
        ofputil_uninit_group_mod(&gm);
    }
    open_vconn(argv[1], &vconn);
    transact_dump(vconn, ofputil_encode_group_stats_request(
                      vconn_get_version(vconn), group_id), &replies);
    vconn_close(vconn);
    if (out_format == FMT_TEXT) {
        print_replies(&replies, NULL, NULL);
        return;
    }

    struct json *groups = json_array_create_empty();
    LIST_FOR_EACH (reply, list_node, &replies) {
        struct ofpbuf b = ofpbuf_const_initializer(reply->data, reply->size);
        struct ofputil_group_stats gs;

        while (!ofputil_decode_group_stats_reply(&b, &gs)) {
            struct json *g = json_object_create();
            struct json *buckets = json_array_create_empty();

            json_object_put(g, "group_id", json_integer_create(gs.group_id));
            json_object_put(g, "ref_count",
                            json_integer_create(gs.ref_count));
            json_object_put(g, "packet_count", json_u64(gs.packet_count));
            json_object_put(g, "byte_count", json_u64(gs.byte_count));
            if (gs.duration_sec != UINT32_MAX) {
                json_object_put(g, "duration_sec",
                                json_integer_create(gs.duration_sec));
                json_object_put(g, "duration_nsec",
                                json_integer_create(gs.duration_nsec));
            }
            for (uint32_t i = 0; i < gs.n_buckets; i++) {
                struct json *jb = json_object_create();
                json_object_put(jb, "packet_count",
                                json_u64(gs.bucket_stats[i].packet_count));
                json_object_put(jb, "byte_count",
                                json_u64(gs.bucket_stats[i].byte_count));
                json_array_add(buckets, jb);
            }
            json_object_put(g, "buckets", buckets);
            json_array_add(groups, g);
            free(gs.bucket_stats);
        }
    }
    struct json *top = json_object_create();
    json_object_put(top, "group_stats", groups);
    print_json(top);
    ofpbuf_list_delete(&replies);
}

/* Meters. */

static void
meter_mod_cmd(int argc, char *argv[], int command)
{
    struct ovs_list requests = OVS_LIST_INITIALIZER(&requests);
    enum ofputil_protocol usable, protocol;
    struct ofputil_meter_mod mm;
    struct vconn *vconn;

    memset(&mm, 0, sizeof mm);
    if (argc > 2) {
        char *error = parse_ofp_meter_mod_str(&mm, argv[2], command, &usable);
        if (error) {
            parse_error(error);
        }
    } else if (command == OFPMC13_DELETE) {
        usable = OFPUTIL_P_OF13_UP;
        mm.command = command;
        mm.meter.meter_id = OFPM13_ALL;
    } else {
        usage_error("missing meter specification");
    }
    protocol = open_vconn(argv[1], &vconn);
    protocol = set_protocol(vconn, protocol, usable);
    struct ofpbuf *msg = ofputil_encode_meter_mod(
        ofputil_protocol_to_ofp_version(protocol), &mm);
    ovs_list_push_back(&requests, &msg->list_node);
    send_mods(vconn, &requests);
    free(mm.meter.bands);
    vconn_close(vconn);
}

static void
cmd_add_meter(int argc, char *argv[])
{
    meter_mod_cmd(argc, argv, OFPMC13_ADD);
}

static void
cmd_mod_meter(int argc, char *argv[])
{
    meter_mod_cmd(argc, argv, OFPMC13_MODIFY);
}

static void
cmd_del_meters(int argc, char *argv[])
{
    meter_mod_cmd(argc, argv, OFPMC13_DELETE);
}

static void
meter_bands_json(struct json *obj, const struct ofputil_meter_band *bands,
                 size_t n)
{
    struct json *array = json_array_create_empty();

    for (size_t i = 0; i < n; i++) {
        struct json *jb = json_object_create();
        json_object_put_string(jb, "type",
                               (bands[i].type == OFPMBT13_DROP ? "drop"
                                : bands[i].type == OFPMBT13_DSCP_REMARK
                                ? "dscp_remark" : "experimenter"));
        json_object_put(jb, "rate", json_integer_create(bands[i].rate));
        json_object_put(jb, "burst_size",
                        json_integer_create(bands[i].burst_size));
        if (bands[i].type == OFPMBT13_DSCP_REMARK) {
            json_object_put(jb, "prec_level",
                            json_integer_create(bands[i].prec_level));
        }
        json_array_add(array, jb);
    }
    json_object_put(obj, "bands", array);
}

static void
meter_request_cmd(int argc, char *argv[], enum ofputil_meter_request_type type)
{
    static const struct bit_name meter_flag_names[] = {
        { OFPMF13_KBPS, "kbps" },
        { OFPMF13_PKTPS, "pktps" },
        { OFPMF13_BURST, "burst" },
        { OFPMF13_STATS, "stats" },
    };
    struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
    enum ofputil_protocol usable = OFPUTIL_P_OF13_UP, protocol;
    struct ofputil_meter_mod mm;
    struct vconn *vconn;
    struct ofpbuf *reply;

    memset(&mm, 0, sizeof mm);
    mm.meter.meter_id = OFPM13_ALL;
    if (argc > 2) {
        char *error = parse_ofp_meter_mod_str(&mm, argv[2], -1, &usable);
        if (error) {
            parse_error(error);
        }
    }
    protocol = open_vconn(argv[1], &vconn);
    protocol = set_protocol(vconn, protocol, usable);
    transact_dump(vconn, ofputil_encode_meter_request(
                      ofputil_protocol_to_ofp_version(protocol), type,
                      mm.meter.meter_id), &replies);
    free(mm.meter.bands);
    vconn_close(vconn);
    if (out_format == FMT_TEXT) {
        print_replies(&replies, NULL, NULL);
        return;
    }

    struct json *meters = json_array_create_empty();
    LIST_FOR_EACH (reply, list_node, &replies) {
        struct ofpbuf b = ofpbuf_const_initializer(reply->data, reply->size);
        struct ofpbuf bands;

        ofpbuf_init(&bands, 64);
        if (type == OFPUTIL_METER_CONFIG) {
            struct ofputil_meter_config mc;
            while (!ofputil_decode_meter_config(&b, &mc, &bands)) {
                struct json *m = json_object_create();
                json_object_put(m, "meter_id",
                                json_integer_create(mc.meter_id));
                json_object_put(m, "flags",
                                json_bits(mc.flags, meter_flag_names,
                                          ARRAY_SIZE(meter_flag_names)));
                meter_bands_json(m, mc.bands, mc.n_bands);
                json_array_add(meters, m);
            }
        } else {
            struct ofputil_meter_stats ms;
            while (!ofputil_decode_meter_stats(&b, &ms, &bands)) {
                struct json *m = json_object_create();
                struct json *array = json_array_create_empty();
                json_object_put(m, "meter_id",
                                json_integer_create(ms.meter_id));
                json_object_put(m, "flow_count",
                                json_integer_create(ms.flow_count));
                json_object_put(m, "packet_in_count",
                                json_u64(ms.packet_in_count));
                json_object_put(m, "byte_in_count",
                                json_u64(ms.byte_in_count));
                json_object_put(m, "duration_sec",
                                json_integer_create(ms.duration_sec));
                json_object_put(m, "duration_nsec",
                                json_integer_create(ms.duration_nsec));
                for (uint16_t i = 0; i < ms.n_bands; i++) {
                    struct json *jb = json_object_create();
                    json_object_put(jb, "packet_count",
                                    json_u64(ms.bands[i].packet_count));
                    json_object_put(jb, "byte_count",
                                    json_u64(ms.bands[i].byte_count));
                    json_array_add(array, jb);
                }
                json_object_put(m, "bands", array);
                json_array_add(meters, m);
            }
        }
        ofpbuf_uninit(&bands);
    }
    struct json *top = json_object_create();
    json_object_put(top, (type == OFPUTIL_METER_CONFIG
                          ? "meters" : "meter_stats"), meters);
    print_json(top);
    ofpbuf_list_delete(&replies);
}

static void
cmd_dump_meters(int argc, char *argv[])
{
    meter_request_cmd(argc, argv, OFPUTIL_METER_CONFIG);
}

static void
cmd_meter_stats(int argc, char *argv[])
{
    meter_request_cmd(argc, argv, OFPUTIL_METER_STATS);
}

/* monitor. */

static void
cmd_monitor(int argc, char *argv[])
{
    struct vconn *vconn;

    open_vconn(argv[1], &vconn);
    for (int i = 2; i < argc; i++) {
        struct ovs_list replies = OVS_LIST_INITIALIZER(&replies);
        struct ofputil_switch_config config;
        unsigned int miss_send_len;

        if (!str_to_uint(argv[i], 10, &miss_send_len)
            || miss_send_len > UINT16_MAX) {
            usage_error("%s: unsupported \"monitor\" argument (only "
                        "MISS_LEN is)", argv[i]);
        }
        transact_dump(vconn, ofpraw_alloc(OFPRAW_OFPT_GET_CONFIG_REQUEST,
                                          vconn_get_version(vconn), 0),
                      &replies);
        ofputil_decode_get_config_reply(
            CONTAINER_OF(ovs_list_front(&replies), struct ofpbuf,
                         list_node)->data, &config);
        ofpbuf_list_delete(&replies);
        config.miss_send_len = miss_send_len;
        transact_noreply(vconn, ofputil_encode_set_config(
                             &config, vconn_get_version(vconn)));
    }
    printf("monitoring %s\n", argv[1]);
    fflush(stdout);

    for (;;) {
        struct ofpbuf *msg;
        enum ofptype type;

        run(vconn_recv_block(vconn, &msg), "receive failed");
        if (!ofptype_decode(&type, msg->data)
            && type == OFPTYPE_ECHO_REQUEST) {
            run(vconn_send_block(vconn, ofputil_encode_echo_reply(msg->data)),
                "failed to send echo reply");
        } else {
            char *text = msg_to_string(msg, ports_to_show(argv[1]),
                                       tables_to_show(argv[1]),
                                       verbosity + 2);
            fputs(text, stdout);
            fflush(stdout);
            free(text);
        }
        ofpbuf_delete(msg);
    }
}

/* Command table and main. */

struct command {
    const char *name;
    int min_args, max_args;     /* Not counting the command name. */
    void (*handler)(int argc, char *argv[]);
};

static const struct command commands[] = {
    { "show", 1, 1, cmd_show },
    { "dump-desc", 1, 1, cmd_dump_desc },
    { "dump-tables", 1, 1, cmd_dump_tables },
    { "dump-table-features", 1, 1, cmd_dump_table_features },
    { "dump-flows", 1, 2, cmd_dump_flows },
    { "dump-aggregate", 1, 2, cmd_dump_aggregate },
    { "add-flow", 2, 2, cmd_add_flow },
    { "add-flows", 2, 2, cmd_add_flows },
    { "mod-flows", 2, 2, cmd_mod_flows },
    { "del-flows", 1, 2, cmd_del_flows },
    { "replace-flows", 2, 2, cmd_replace_flows },
    { "diff-flows", 2, 2, cmd_diff_flows },
    { "dump-ports", 1, 2, cmd_dump_ports },
    { "dump-ports-desc", 1, 2, cmd_dump_ports_desc },
    { "mod-port", 3, 3, cmd_mod_port },
    { "packet-out", 2, 2, cmd_packet_out },
    { "add-group", 2, 2, cmd_add_group },
    { "add-groups", 2, 2, cmd_add_groups },
    { "mod-group", 2, 2, cmd_mod_group },
    { "del-groups", 1, 2, cmd_del_groups },
    { "dump-groups", 1, 2, cmd_dump_groups },
    { "dump-group-stats", 1, 2, cmd_dump_group_stats },
    { "add-meter", 2, 2, cmd_add_meter },
    { "mod-meter", 2, 2, cmd_mod_meter },
    { "del-meters", 1, 2, cmd_del_meters },
    { "dump-meters", 1, 2, cmd_dump_meters },
    { "meter-stats", 1, 2, cmd_meter_stats },
    { "monitor", 1, 2, cmd_monitor },
};

static void
usage(void)
{
    printf("%s: OpenFlow client for the mvs switch\n"
           "usage: %s [OPTIONS] COMMAND SWITCH [ARG...]\n"
           "SWITCH is a bridge name (unix:RUNDIR/BRIDGE.mgmt) or a unix:,\n"
           "tcp: or ssl: target.\n"
           "\nCommands:\n"
           "  show, dump-desc, dump-tables, dump-table-features SWITCH\n"
           "  dump-flows SWITCH [FLOW]        dump-aggregate SWITCH [FLOW]\n"
           "  add-flow SWITCH FLOW            add-flows SWITCH FILE|-\n"
           "  mod-flows SWITCH FLOW           del-flows SWITCH [FLOW]\n"
           "  replace-flows SWITCH FILE|-     diff-flows SOURCE1 SOURCE2\n"
           "  dump-ports SWITCH [PORT]        dump-ports-desc SWITCH [PORT]\n"
           "  mod-port SWITCH PORT ACTION     (up down [no-]flood "
           "[no-]receive\n"
           "                                   [no-]forward [no-]packet-in "
           "[no-]stp)\n"
           "  packet-out SWITCH \"in_port=P packet=HEX actions=...\"\n"
           "  add-group SWITCH GROUP          add-groups SWITCH FILE|-\n"
           "  mod-group SWITCH GROUP          del-groups SWITCH [GROUP]\n"
           "  dump-groups SWITCH [GROUP]      dump-group-stats SWITCH "
           "[GROUP]\n"
           "  add-meter SWITCH METER          mod-meter SWITCH METER\n"
           "  del-meters SWITCH [METER]       dump-meters SWITCH [METER]\n"
           "  meter-stats SWITCH [METER]      monitor SWITCH [MISS_LEN]\n"
           "\nOptions:\n"
           "  -O, --protocols=VERSIONS    OpenFlow versions (default "
           "OpenFlow13)\n"
           "  --rundir=DIR                bridge sockets' directory "
           "(default /run/mvs)\n"
           "  --format=text|json          output format of dumps\n"
           "  --strict                    strict matching (mod/del-flows)\n"
           "  --bundle                    send changes in one atomic "
           "bundle\n"
           "  --readd                     replace-flows re-adds unchanged "
           "flows\n"
           "  --may-create                mod-group creates missing groups\n"
           "  --sort[=FIELD], --rsort[=FIELD]  sort dump-flows output\n"
           "  --names, --no-names         show port and table names\n"
           "  --no-stats                  omit statistics in dump-flows\n"
           "  -t, --timeout=SECS          give up after SECS seconds\n"
           "  -m, --more                  more verbose output\n"
           "  -v, --verbose=SPEC          set logging levels\n"
           "  -h, --help                  this help\n"
           "  -V, --version               version\n"
           "Exit status: 0 success, 1 OpenFlow or connection error, 2 usage "
           "error,\n3 diff-flows found differences.  See mvs-ofctl(8).\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

static void
add_sort_criterion(enum sort_order order, const char *field)
{
    struct sort_criterion *sc;

    if (n_criteria >= allocated_criteria) {
        criteria = x2nrealloc(criteria, &allocated_criteria, sizeof *criteria);
    }
    sc = &criteria[n_criteria++];
    if (!field || !strcasecmp(field, "priority")) {
        sc->field = NULL;
    } else {
        sc->field = mf_from_name(field);
        if (!sc->field) {
            usage_error("%s: unknown field name", field);
        }
    }
    sc->order = order;
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_STRICT = UCHAR_MAX + 1,
        OPT_READD,
        OPT_SORT,
        OPT_RSORT,
        OPT_BUNDLE,
        OPT_MAY_CREATE,
        OPT_RUNDIR,
        OPT_FORMAT,
        VLOG_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"timeout", required_argument, NULL, 't'},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"readd", no_argument, NULL, OPT_READD},
        {"more", no_argument, NULL, 'm'},
        {"sort", optional_argument, NULL, OPT_SORT},
        {"rsort", optional_argument, NULL, OPT_RSORT},
        {"names", no_argument, &use_names, 1},
        {"no-names", no_argument, &use_names, 0},
        {"stats", no_argument, &show_stats, 1},
        {"no-stats", no_argument, &show_stats, 0},
        {"bundle", no_argument, NULL, OPT_BUNDLE},
        {"may-create", no_argument, NULL, OPT_MAY_CREATE},
        {"rundir", required_argument, NULL, OPT_RUNDIR},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"protocols", required_argument, NULL, 'O'},
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);
    unsigned int timeout = 0;

    set_allowed_ofp_versions("OpenFlow13");
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case 't':
            if (!str_to_uint(optarg, 10, &timeout) || !timeout) {
                usage_error("value %s on -t or --timeout is invalid", optarg);
            }
            break;
        case 'm':
            verbosity++;
            break;
        case 'h':
            usage();
        case 'V':
            ovs_print_version(OFP10_VERSION, OFP15_VERSION);
            exit(EXIT_SUCCESS);
        case 'O': {
            uint32_t versions = ofputil_versions_from_string(optarg);
            if (!versions) {
                usage_error("%s: invalid OpenFlow version(s)", optarg);
            }
            set_allowed_ofp_versions(optarg);
            break;
        }
        case OPT_STRICT:
            strict = true;
            break;
        case OPT_READD:
            readd = true;
            break;
        case OPT_SORT:
            add_sort_criterion(SORT_ASC, optarg);
            break;
        case OPT_RSORT:
            add_sort_criterion(SORT_DESC, optarg);
            break;
        case OPT_BUNDLE:
            bundle = true;
            break;
        case OPT_MAY_CREATE:
            may_create = true;
            break;
        case OPT_RUNDIR:
            rundir = optarg;
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "json")) {
                out_format = FMT_JSON;
            } else if (!strcmp(optarg, "text")) {
                out_format = FMT_TEXT;
            } else {
                usage_error("%s: unknown --format (use text or json)",
                            optarg);
            }
            break;

        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            usage_error("%s: unknown or incomplete option",
                        argv[optind - 1]);
        case 0:
            break;
        default:
            abort();
        }
    }
    free(short_options);

    ctl_timeout_setup(timeout);
    if (n_criteria) {
        /* Final tie-break on priority, as ovs-ofctl does. */
        add_sort_criterion(SORT_DESC, "priority");
    }
    if (bundle && !(get_allowed_ofp_versions()
                    & ofputil_protocols_to_version_bitmap(
                        OFPUTIL_P_OF13_UP))) {
        usage_error("--bundle needs OpenFlow 1.3 or later (-O)");
    }
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    parse_options(argc, argv);
    fatal_ignore_sigpipe();

    argc -= optind;
    argv += optind;
    if (argc < 1) {
        usage_error("missing command name");
    }
    for (const struct command *c = commands;
         c < &commands[ARRAY_SIZE(commands)]; c++) {
        if (!strcmp(c->name, argv[0])) {
            int n_args = argc - 1;
            if (n_args < c->min_args) {
                usage_error("'%s' command requires at least %d arguments",
                            c->name, c->min_args);
            } else if (n_args > c->max_args) {
                usage_error("'%s' command takes at most %d arguments",
                            c->name, c->max_args);
            }
            c->handler(argc, argv);
            return 0;
        }
    }
    usage_error("unknown command '%s'", argv[0]);
}
