/*
 * nftc-driver: drives kmod/nftc against the running kernel, for the
 * system test tests/sys-offload-kernel.sh.  Not installed.
 *
 * Usage: nftc-driver BRIDGE [SCRIPT]
 *
 * Reads one command per line from SCRIPT (or stdin); '#' starts a comment.
 * Flows use ovs-ofctl syntax ("table=0,priority=10,cookie=0x1,ip,
 * nw_dst=10.0.0.2,actions=output:2") with mvs's extensions (copy_ttl_out,
 * copy_ttl_in, set_field:B->mpls_bos, ...: ofproto-mpls/ofp-ext.h), which
 * reach nftc as markers and its extension decoder, as in mvsd.  Exits 0
 * if every command succeeded, 1 at the first failure (after printing it).
 *
 *   port OFPORT IFNAME        register a port (ifindex looked up here)
 *   begin | commit | abort    transaction control
 *   add FLOW | del FLOW       queue in the open transaction
 *   add1 FLOW | del1 FLOW     a transaction of one operation
 *   check FLOW                print "offloadable" or the reason
 *   expect-offloadable FLOW   fail unless offloadable
 *   expect-userspace FLOW     fail if offloadable
 *   stats                     print per-flow kernel counters
 *   expect-packets COOKIE OP N  compare a flow's packets (OP: >= == <=)
 *   sh COMMAND                run COMMAND with /bin/sh; fail if nonzero
 *   race COMMAND ;; FLOW      add FLOW in a commit during which COMMAND
 *                             commits first (provokes ERESTART)
 *   counts                    print commit/restart/failure counts
 *   expect-restarts N         fail unless at least N restarts happened
 *   reopen                    destroy and create again (ports kept)
 *   remove                    delete the table
 *   bench N OFPORT            timing of single adds at 0 and N flows
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "byte-order.h"
#include "flow.h"
#include "kmod/nftc.h"
#include "kmod/nftc-private.h"
#include "ofproto-mpls/ofp-ext.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "util.h"

struct port_def {
    ofp_port_t ofport;
    char ifname[IFNAMSIZ];
};

static struct nftc *nftc;
static const char *bridge;
static struct port_def ports[64];
static size_t n_ports;

static double
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* nftc's extension decoder, as ofproto-mpls/offload.c registers it. */
static bool
ext_decode(const struct ofpact *a, struct nftc_ext_action *nea)
{
    struct ofpext_action ea;

    if (!ofpext_action_parse(a, &ea)) {
        return false;
    }
    nea->op = ofpext_get(ea.id)->offload;
    nea->value = ea.value;
    return true;
}

/* Parses 'str' into 'fm'; 'match' receives the expanded match. */
static int
parse_flow(const char *str, int command, struct ofputil_flow_mod *fm,
           struct match *match)
{
    enum ofputil_protocol usable;
    char *carriers;
    char *error;

    error = ofpext_text_to_carriers(str, &carriers, NULL);
    if (!error) {
        error = parse_ofp_flow_mod_str(fm, carriers, NULL, NULL, command,
                                       &usable);
        free(carriers);
    }
    if (error) {
        fprintf(stderr, "bad flow \"%s\": %s\n", str, error);
        free(error);
        return EINVAL;
    }
    minimatch_expand(&fm->match, match);
    if (fm->table_id == 0xff) {
        fm->table_id = 0;
    }
    return 0;
}

static void
fm_free(struct ofputil_flow_mod *fm)
{
    minimatch_destroy(&fm->match);
    free(fm->ofpacts);
}

static void
fm_to_flow(const struct ofputil_flow_mod *fm, const struct match *match,
           struct nftc_flow *flow)
{
    *flow = (struct nftc_flow) { .match = match };
    flow->ofpacts = fm->ofpacts;
    flow->ofpacts_len = fm->ofpacts_len;
    flow->table_id = fm->table_id;
    flow->priority = fm->priority;
    flow->cookie = fm->new_cookie == OVS_BE64_MAX ? 0 : fm->new_cookie;
}

static int
do_flow(const char *arg, bool add, bool own_txn)
{
    struct ofputil_flow_mod fm;
    struct match match;
    int error;

    error = parse_flow(arg, add ? OFPFC_ADD : OFPFC_DELETE_STRICT, &fm,
                       &match);
    if (error) {
        return error;
    }
    if (own_txn) {
        nftc_txn_begin(nftc);
    }
    if (add) {
        struct nftc_flow flow;

        fm_to_flow(&fm, &match, &flow);
        error = nftc_txn_flow_add(nftc, &flow);
    } else {
        error = nftc_txn_flow_del(nftc, fm.table_id, fm.priority, &match);
    }
    if (!error && own_txn) {
        error = nftc_txn_commit(nftc);
    }
    fm_free(&fm);
    return error;
}

static int
do_check(const char *arg, int expect)
{
    struct ofputil_flow_mod fm;
    struct ds reason = DS_EMPTY_INITIALIZER;
    struct nftc_flow flow;
    struct match match;
    bool ok;
    int error;

    error = parse_flow(arg, OFPFC_ADD, &fm, &match);
    if (error) {
        return error;
    }
    fm_to_flow(&fm, &match, &flow);
    ok = nftc_flow_offloadable(nftc, &flow, &reason);
    printf("%s: %s\n", arg, ok ? "offloadable" : ds_cstr(&reason));
    ds_destroy(&reason);
    fm_free(&fm);
    if ((expect == 1 && !ok) || (expect == 0 && ok)) {
        return EINVAL;
    }
    return 0;
}

struct expect {
    uint64_t cookie;
    bool found;
    uint64_t packets;
};

static void
print_stats_cb(const struct nftc_flow_stats *st, void *aux)
{
    struct expect *e = aux;
    char *m = match_to_string(st->match, NULL, OFP_DEFAULT_PRIORITY);

    if (!e) {
        printf("table=%"PRIu8" priority=%d cookie=%#"PRIx64" %s %s: "
               "packets=%"PRIu64" bytes=%"PRIu64"\n", st->table_id,
               st->priority, ntohll(st->cookie), m,
               st->offloaded ? "kernel" : "userspace", st->packets,
               st->bytes);
    } else if (ntohll(st->cookie) == e->cookie) {
        e->found = true;
        e->packets += st->packets;
    }
    free(m);
}

static int
do_expect_packets(const char *arg)
{
    char op[3];
    uint64_t cookie, n;
    struct expect e = { .found = false };
    int error;

    if (sscanf(arg, "%"SCNi64" %2s %"SCNu64, &cookie, op, &n) != 3) {
        return EINVAL;
    }
    e.cookie = cookie;
    error = nftc_stats_read(nftc, print_stats_cb, &e);
    if (error) {
        return error;
    }
    printf("cookie %#"PRIx64": packets=%"PRIu64" (want %s %"PRIu64")\n",
           cookie, e.packets, op, n);
    if (!e.found
        || (!strcmp(op, ">=") && !(e.packets >= n))
        || (!strcmp(op, "==") && !(e.packets == n))
        || (!strcmp(op, "<=") && !(e.packets <= n))) {
        return EINVAL;
    }
    return 0;
}

static void
race_hook(void *cmd_)
{
    const char *cmd = cmd_;

    if (system(cmd)) {
        fprintf(stderr, "race command failed: %s\n", cmd);
    }
}

static int
do_race(const char *arg)
{
    char *cmd = xstrdup(arg);
    char *flow = strstr(cmd, " ;; ");
    int error;

    if (!flow) {
        free(cmd);
        return EINVAL;
    }
    *flow = '\0';
    flow += 4;
    nftc_set_presend_hook(nftc, race_hook, cmd);
    error = do_flow(flow, true, true);
    nftc_set_presend_hook(nftc, NULL, NULL);
    free(cmd);
    return error;
}

static int
open_nftc(void)
{
    int error = nftc_create(bridge, &nftc);

    if (error) {
        fprintf(stderr, "nftc_create: %s\n", ovs_strerror(error));
        return error;
    }
    nftc_set_ext_decoder(nftc, ext_decode);
    for (size_t i = 0; i < n_ports; i++) {
        int ifindex = if_nametoindex(ports[i].ifname);

        error = nftc_port_add(nftc, ports[i].ofport, ports[i].ifname,
                              ifindex);
        if (error) {
            fprintf(stderr, "port %s: %s\n", ports[i].ifname,
                    ovs_strerror(error));
            return error;
        }
    }
    return 0;
}

/* Flow number 'i' of the benchmark: ip,nw_dst=10.i, exact, one mask. */
static void
bench_flow(uint32_t i, ofp_port_t out, struct match *match,
           struct ofpbuf *ofpacts, struct nftc_flow *flow, int priority)
{
    match_init_catchall(match);
    match_set_dl_type(match, htons(ETH_TYPE_IP));
    match_set_nw_dst(match, htonl(0x0a000000 | i));
    ofpbuf_clear(ofpacts);
    ofpact_put_OUTPUT(ofpacts)->port = out;
    *flow = (struct nftc_flow) { .match = match };
    flow->ofpacts = ofpacts->data;
    flow->ofpacts_len = ofpacts->size;
    flow->table_id = 0;
    flow->priority = priority;
    flow->cookie = htonll(i);
}

static int
time_one(uint32_t i, ofp_port_t out, int priority, double *add_us,
         double *del_us)
{
    struct ofpbuf ofpacts;
    struct nftc_flow flow;
    struct match match;
    double t0;
    int error;

    ofpbuf_init(&ofpacts, 64);
    bench_flow(i, out, &match, &ofpacts, &flow, priority);
    t0 = now_us();
    nftc_txn_begin(nftc);
    nftc_txn_flow_add(nftc, &flow);
    error = nftc_txn_commit(nftc);
    *add_us = now_us() - t0;
    if (!error) {
        t0 = now_us();
        nftc_txn_begin(nftc);
        nftc_txn_flow_del(nftc, 0, priority, &match);
        error = nftc_txn_commit(nftc);
        *del_us = now_us() - t0;
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}

static int
cmp_double(const void *a_, const void *b_)
{
    double a = *(const double *) a_, b = *(const double *) b_;

    return a < b ? -1 : a > b;
}

#define BENCH_REPS 31

/* Median single add/delete time over BENCH_REPS runs; 'priority' picks
 * an existing mask (100) or a new one. */
static int
time_median(const char *what, uint32_t base, ofp_port_t out, int priority)
{
    double adds[BENCH_REPS], dels[BENCH_REPS];

    for (int r = 0; r < BENCH_REPS; r++) {
        int error = time_one(base + r, out, priority, &adds[r], &dels[r]);
        if (error) {
            return error;
        }
    }
    qsort(adds, BENCH_REPS, sizeof adds[0], cmp_double);
    qsort(dels, BENCH_REPS, sizeof dels[0], cmp_double);
    printf("bench: %-44s add median %7.1f us (min %7.1f, max %7.1f), "
           "delete median %7.1f us\n", what, adds[BENCH_REPS / 2], adds[0],
           adds[BENCH_REPS - 1], dels[BENCH_REPS / 2]);
    return 0;
}

static int
do_bench(const char *arg)
{
    unsigned int n, out_u;
    struct ofpbuf ofpacts;
    struct nftc_flow flow;
    struct match match;
    ofp_port_t out;
    double t0;
    int error;

    if (sscanf(arg, "%u %u", &n, &out_u) != 2 || n >= 0xf00000) {
        return EINVAL;
    }
    out = u16_to_ofp(out_u);

    error = time_median("empty bridge, new mask:", 0xf00000, out, 100);
    if (error) {
        return error;
    }

    /* One resident flow so the mask exists. */
    ofpbuf_init(&ofpacts, 64);
    bench_flow(0xfffff0, out, &match, &ofpacts, &flow, 100);
    nftc_txn_begin(nftc);
    nftc_txn_flow_add(nftc, &flow);
    error = nftc_txn_commit(nftc);
    if (!error) {
        error = time_median("1 flow, same mask:", 0xf00000, out, 100);
    }

    /* Load N flows in one commit. */
    t0 = now_us();
    nftc_txn_begin(nftc);
    for (uint32_t i = 0; !error && i < n; i++) {
        bench_flow(i, out, &match, &ofpacts, &flow, 100);
        nftc_txn_flow_add(nftc, &flow);
    }
    if (!error) {
        error = nftc_txn_commit(nftc);
    }
    if (!error) {
        printf("bench: load of %u flows in one commit: %.1f ms "
               "(%zu flows, %zu masks held)\n", n, (now_us() - t0) / 1e3,
               nftc_n_flows(nftc), nftc_n_masks(nftc));
        error = time_median("N flows, same mask:", 0xf00000, out, 100);
    }
    if (!error) {
        error = time_median("N flows, new mask:", 0xf00000, out, 200);
    }
    if (!error) {
        t0 = now_us();
        error = nftc_stats_read(nftc, NULL, NULL);
        printf("bench: counter read-back of %zu flows: %.1f ms\n",
               nftc_n_flows(nftc), (now_us() - t0) / 1e3);
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}

static int
run_line(char *line)
{
    char *cmd, *arg;
    int error = 0;

    line[strcspn(line, "\n")] = '\0';
    cmd = line + strspn(line, " \t");
    if (!*cmd || *cmd == '#') {
        return 0;
    }
    arg = cmd + strcspn(cmd, " \t");
    if (*arg) {
        *arg++ = '\0';
        arg += strspn(arg, " \t");
    }
    printf("> %s %s\n", cmd, arg);
    fflush(stdout);

    if (!strcmp(cmd, "port")) {
        unsigned int ofport;
        char ifname[IFNAMSIZ];

        if (sscanf(arg, "%u %15s", &ofport, ifname) != 2
            || n_ports >= ARRAY_SIZE(ports)) {
            return EINVAL;
        }
        ports[n_ports].ofport = u16_to_ofp(ofport);
        ovs_strlcpy(ports[n_ports].ifname, ifname, IFNAMSIZ);
        n_ports++;
        error = nftc_port_add(nftc, u16_to_ofp(ofport), ifname,
                              if_nametoindex(ifname));
    } else if (!strcmp(cmd, "begin")) {
        nftc_txn_begin(nftc);
    } else if (!strcmp(cmd, "commit")) {
        error = nftc_txn_commit(nftc);
    } else if (!strcmp(cmd, "abort")) {
        nftc_txn_abort(nftc);
    } else if (!strcmp(cmd, "add") || !strcmp(cmd, "add1")) {
        error = do_flow(arg, true, cmd[3] == '1');
    } else if (!strcmp(cmd, "del") || !strcmp(cmd, "del1")) {
        error = do_flow(arg, false, cmd[3] == '1');
    } else if (!strcmp(cmd, "check")) {
        error = do_check(arg, -1);
    } else if (!strcmp(cmd, "expect-offloadable")) {
        error = do_check(arg, 1);
    } else if (!strcmp(cmd, "expect-userspace")) {
        error = do_check(arg, 0);
    } else if (!strcmp(cmd, "stats")) {
        error = nftc_stats_read(nftc, print_stats_cb, NULL);
    } else if (!strcmp(cmd, "expect-packets")) {
        error = do_expect_packets(arg);
    } else if (!strcmp(cmd, "sh")) {
        fflush(stdout);
        error = system(arg) ? ECHILD : 0;
    } else if (!strcmp(cmd, "race")) {
        error = do_race(arg);
    } else if (!strcmp(cmd, "counts") || !strcmp(cmd, "expect-restarts")) {
        struct nftc_counts c;

        nftc_get_counts(nftc, &c);
        printf("commits=%"PRIu64" restarts=%"PRIu64" failures=%"PRIu64"\n",
               c.n_commits, c.n_restarts, c.n_failures);
        if (cmd[0] == 'e' && c.n_restarts < strtoull(arg, NULL, 10)) {
            error = EINVAL;
        }
    } else if (!strcmp(cmd, "reopen")) {
        nftc_destroy(nftc);
        nftc = NULL;
        error = open_nftc();
    } else if (!strcmp(cmd, "remove")) {
        error = nftc_remove_table(nftc);
    } else if (!strcmp(cmd, "bench")) {
        error = do_bench(arg);
    } else {
        fprintf(stderr, "unknown command %s\n", cmd);
        error = EINVAL;
    }
    return error;
}

int
main(int argc, char *argv[])
{
    char line[4096];
    FILE *in = stdin;
    int error;

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s BRIDGE [SCRIPT]\n", argv[0]);
        return 2;
    }
    bridge = argv[1];
    if (argc == 3 && !(in = fopen(argv[2], "r"))) {
        perror(argv[2]);
        return 2;
    }
    error = open_nftc();
    while (!error && fgets(line, sizeof line, in)) {
        error = run_line(line);
        if (error) {
            printf("FAILED: %s (%s)\n", line, ovs_strerror(error));
        }
        fflush(stdout);
    }
    nftc_destroy(nftc);
    if (in != stdin) {
        fclose(in);
    }
    return error ? 1 : 0;
}
