/* ofproto-mpls/offload.c: OpenFlow table 0 mirrored into nf_tables. */
#include <config.h>
#include "ofproto-mpls/offload.h"

#include <errno.h>
#include <string.h>

#include "datapath/dp-port.h"
#include "kmod/nftc.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofproto-private.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/vlog.h"
#include "fatal-signal.h"
#include "openvswitch/poll-loop.h"
#include "packets.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(offload);

/* Kernel counters are read this often (msec) while flows are offloaded:
 * often enough for idle timeouts of a few seconds, rarely enough that a
 * table of 100,000 flows (0.8 s to read) does not eat the main loop. */
#define OFFLOAD_STATS_INTERVAL 5000

/* How often (msec) offload checks that its table is still in the kernel
 * as it left it: one netlink message when nothing changed. */
#define OFFLOAD_CHECK_INTERVAL 1000

/* A queued change waits at most this long (msec) for more to share its
 * commit, and at most this many changes wait (see offload.h). */
#define OFFLOAD_COMMIT_DELAY 2
#define OFFLOAD_COMMIT_OPS 4096

/* A commit of this many changes or more lets the forwarding threads run
 * while the kernel applies it (offload_commit_yielding()). */
#define OFFLOAD_YIELD_OPS 1024

/* Flows up to which a statistics request reads kernel counters first. */
#define OFFLOAD_SYNC_STATS_MAX 4096

struct offload {
    enum offload_mode mode;
    struct nftc *nftc;          /* NULL when off. */
    bool pending;               /* An nftc transaction is open... */
    long long int commit_at;    /* ...to commit by then (msec)... */
    bool removals;              /* ...or before the main loop blocks, if it
                                 * removes rules: a removed rule is freed
                                 * after the next RCU grace period, and
                                 * nftc's copy of it points at it until
                                 * the commit. */
    char *off_reason;           /* Why offload is off, if it is. */
    long long int next_stats;   /* msec. */
    long long int stats_cost;   /* msec the last counter read took. */
    long long int next_check;   /* msec: next nftc_check(). */
    uint64_t n_resyncs;         /* Tables rebuilt after someone else's
                                 * change. */
    struct ofproto **exit_cell; /* The exit hook's bridge, NULL once
                                 * destroyed (OVS cannot remove a hook, so
                                 * the cell outlives the bridge). */
    uint64_t n_commit_failures;
    bool resyncing;             /* In offload_resync(): a commit whose
                                 * outcome is unknown turns offload off
                                 * rather than rebuilding again. */
    uint64_t table_packets;     /* nftc_table_counters() credited to table
                                 * 0 so far. */

    /* Rules offload_collect() read for a change still queued: their
     * elements are replaced by the commit, and count from zero after. */
    struct rule **replaced;
    size_t n_replaced, allocated_replaced;
};

/* nftc's decoder of extension actions (kmod/nftc.h): mvs's markers
 * (ofp-ext.h), lowered as the extension table's 'offload' column says. */
static bool
offload_ext_decode(const struct ofpact *a, struct nftc_ext_action *nea)
{
    struct ofpext_action ea;

    if (!ofpext_action_parse(a, &ea)) {
        return false;
    }
    nea->op = ofpext_get(ea.id)->offload;
    nea->value = ea.value;
    return true;
}

/* Opens the kernel table of bridge 'p' into '*nftcp'. */
static int
offload_nftc_create(const struct ofproto *p, struct nftc **nftcp)
{
    int error = nftc_create(p->name, nftcp);
    if (!error) {
        nftc_set_ext_decoder(*nftcp, offload_ext_decode);
    }
    return error;
}

static void
offload_turn_off(struct ofproto *p, const char *why)
{
    struct offload *o = p->offload;
    if (o->nftc) {
        nftc_remove_table(o->nftc);
        nftc_destroy(o->nftc);
        o->nftc = NULL;
    }
    o->pending = false;
    o->removals = false;
    o->n_replaced = 0;
    free(o->off_reason);
    o->off_reason = xstrdup(why);
    VLOG_WARN("%s: offload off: %s; the userspace datapath carries all "
              "traffic", p->name, why);
}

/* SIGTERM and friends exit() from the main loop without destroying the
 * bridge: the kernel table must not outlive the switch that keeps it in
 * step with OpenFlow. */
static void
offload_exit_hook(void *cell_)
{
    struct ofproto **cell = cell_;
    struct ofproto *p = *cell;
    if (p && p->offload && p->offload->nftc) {
        nftc_remove_table(p->offload->nftc);
    }
}

/* Rebuilds the kernel table from OpenFlow's table 0, after someone else
 * deleted or changed it.  Until the rebuild, userspace receives (and
 * forwards) everything: the per-ethertype sockets see all frames when no
 * nf_tables rule takes them. */
static void
offload_resync(struct ofproto *p)
{
    struct offload *o = p->offload;
    struct nftc *nftc;

    nftc_destroy(o->nftc);
    o->nftc = NULL;
    o->pending = false;
    o->removals = false;
    o->n_replaced = 0;
    o->table_packets = 0;       /* The new table counts from zero. */
    int error = offload_nftc_create(p, &nftc);
    if (error) {
        char *why = xasprintf("cannot recreate the table (%s)",
                              ovs_strerror(error));
        offload_turn_off(p, why);
        free(why);
        return;
    }
    o->nftc = nftc;
    o->n_resyncs++;

    struct ofport *port;
    HMAP_FOR_EACH (port, node, &p->ports) {
        error = nftc_port_add(o->nftc, port->ofp_port, port->dp_port->name,
                              port->dp_port->ifindex);
        if (error) {
            char *why = xasprintf("port %s: %s", port->dp_port->name,
                                  ovs_strerror(error));
            offload_turn_off(p, why);
            free(why);
            return;
        }
    }
    struct rule *rule;
    CLS_FOR_EACH (rule, cr, &p->tables[0].cls) {
        offload_rule_changed(p, rule);
    }
    o->resyncing = true;
    offload_commit(p);
    o->resyncing = false;
    if (o->nftc) {
        /* The new elements count from zero. */
        CLS_FOR_EACH (rule, cr, &p->tables[0].cls) {
            rule->kernel_packets = rule->kernel_bytes = 0;
        }
        VLOG_INFO("%s: restored table netdev %s with %"PRIuSIZE" flows",
                  p->name, nftc_table_name(o->nftc), nftc_n_flows(o->nftc));
    }
}

int
offload_init(struct ofproto *p, enum offload_mode mode, char **why)
{
    struct offload *o = xzalloc(sizeof *o);
    p->offload = o;
    o->mode = mode;
    *why = NULL;

    if (mode == OFFLOAD_OFF) {
        o->off_reason = xstrdup("disabled (--offload off)");
        return 0;
    }
    int error = offload_nftc_create(p, &o->nftc);
    if (error) {
        char *msg = xasprintf("cannot use nf_tables (%s)",
                              ovs_strerror(error));
        if (mode == OFFLOAD_REQUIRE) {
            *why = msg;
            return error;
        }
        VLOG_INFO("%s: offload off: %s", p->name, msg);
        o->off_reason = msg;
        return 0;
    }
    VLOG_INFO("%s: offloading table 0 into nf_tables table netdev %s",
              p->name, nftc_table_name(o->nftc));
    o->exit_cell = xmalloc(sizeof *o->exit_cell);
    *o->exit_cell = p;
    fatal_signal_add_hook(offload_exit_hook, NULL, o->exit_cell, true);
    /* Userspace must then receive after nf ingress, so that it never also
     * handles what the kernel forwarded. */
    datapath_set_rx_split(p->dp, nftc_known_ethertypes,
                          nftc_n_known_ethertypes);
    return 0;
}

void
offload_destroy(struct ofproto *p)
{
    struct offload *o = p->offload;
    if (o) {
        if (o->nftc) {
            nftc_remove_table(o->nftc);
            nftc_destroy(o->nftc);
        }
        if (o->exit_cell) {
            *o->exit_cell = NULL;
        }
        free(o->off_reason);
        free(o->replaced);
        free(o);
        p->offload = NULL;
    }
}

bool
offload_is_on(const struct ofproto *p)
{
    return p->offload && p->offload->nftc;
}

void
offload_port_added(struct ofproto *p, const struct ofport *port)
{
    if (!offload_is_on(p)) {
        return;
    }
    offload_commit(p);
    if (nftc_n_flows(p->offload->nftc)) {
        /* Flows that name the port were lowered without it (as punts):
         * lower everything again, now with it. */
        offload_resync(p);
        return;
    }
    int error = nftc_port_add(p->offload->nftc, port->ofp_port,
                              port->dp_port->name, port->dp_port->ifindex);
    if (error) {
        char *why = xasprintf("port %s: %s", port->dp_port->name,
                              ovs_strerror(error));
        offload_turn_off(p, why);
        free(why);
    }
}

void
offload_port_deleted(struct ofproto *p, const struct ofport *port)
{
    if (!offload_is_on(p)) {
        return;
    }
    offload_commit(p);
    int error = nftc_port_del(p->offload->nftc, port->ofp_port);
    if (error == EBUSY) {
        /* Flows still name the port (OpenFlow lets them): lower everything
         * again without it, so they become punts. */
        offload_resync(p);
    } else if (error && error != ENOENT) {
        char *why = xasprintf("removing port %s: %s", port->dp_port->name,
                              ovs_strerror(error));
        offload_turn_off(p, why);
        free(why);
    }
}

static void
begin(struct offload *o)
{
    if (!o->pending) {
        nftc_txn_begin(o->nftc);
        o->pending = true;
        o->commit_at = time_msec() + OFFLOAD_COMMIT_DELAY;
    }
}

void
offload_rule_changed(struct ofproto *p, const struct rule *rule)
{
    if (!offload_is_on(p) || rule->table_id != 0) {
        return;
    }
    struct match match;
    minimatch_expand(&rule->cr.match, &match);
    struct nftc_flow flow = {
        .match = &match,
        .ofpacts = rule->ofpacts,
        .ofpacts_len = rule->ofpacts_len,
        .table_id = rule->table_id,
        .priority = rule->cr.priority,
        .cookie = rule->cookie,
        .owner = CONST_CAST(struct rule *, rule),
    };
    begin(p->offload);
    nftc_txn_flow_add(p->offload->nftc, &flow);
}

void
offload_rule_removed(struct ofproto *p, const struct rule *rule)
{
    if (!offload_is_on(p) || rule->table_id != 0) {
        return;
    }
    struct match match;
    minimatch_expand(&rule->cr.match, &match);
    begin(p->offload);
    p->offload->removals = true;
    nftc_txn_flow_del(p->offload->nftc, rule->table_id, rule->cr.priority,
                      &match);
}

void
offload_rules_flushed(struct ofproto *p)
{
    if (offload_is_on(p)) {
        begin(p->offload);
        p->offload->removals = true;
        nftc_txn_flush(p->offload->nftc);
    }
}

static void
commit(struct ofproto *p, bool yield)
{
    struct offload *o = p->offload;
    if (!o || !o->nftc || !o->pending) {
        return;
    }
    o->pending = o->removals = false;
    yield = yield && nftc_txn_n_ops(o->nftc) >= OFFLOAD_YIELD_OPS;
    if (yield) {
        ofproto_io_begin(p);
    }
    int error = nftc_txn_commit(o->nftc);
    if (yield) {
        ofproto_io_end(p);
    }
    if (!error) {
        for (size_t i = 0; i < o->n_replaced; i++) {
            o->replaced[i]->kernel_packets = o->replaced[i]->kernel_bytes = 0;
        }
    }
    o->n_replaced = 0;
    if (error == ESTALE && !o->resyncing) {
        /* Nobody knows what the kernel holds: build it again. */
        o->n_commit_failures++;
        offload_resync(p);
    } else if (error) {
        o->n_commit_failures++;
        char *why = xasprintf("the kernel refused a commit (%s)",
                              ovs_strerror(error));
        offload_turn_off(p, why);
        free(why);
    }
}

void
offload_abort(struct ofproto *p)
{
    struct offload *o = p->offload;
    if (o && o->nftc && o->pending) {
        nftc_txn_abort(o->nftc);
        o->pending = false;
    }
    if (o) {
        /* Their elements stay, and so do the counts read from them. */
        o->removals = false;
        o->n_replaced = 0;
    }
}

void
offload_commit(struct ofproto *p)
{
    commit(p, false);
}

void
offload_commit_yielding(struct ofproto *p)
{
    commit(p, true);
}

static void credit_rule(struct rule *, uint64_t packets, uint64_t bytes);

/* A flow's counters: its owner is its rule (offload_rule_changed()).  A
 * read finds the flows nftc committed; a rule whose removal is queued but
 * not committed is still alive: rules are freed after an RCU grace period,
 * and a queue with removals is committed before the main loop blocks
 * ('removals'). */
static void
stats_cb(const struct nftc_flow_stats *fs, void *aux OVS_UNUSED)
{
    struct rule *rule = fs->owner;
    if (!rule || !fs->offloaded || fs->table_id != 0) {
        return;
    }
    credit_rule(rule, fs->packets, fs->bytes);
}

/* Credits 'rule' with what its kernel element counted since
 * the last read: 'packets' and 'bytes' are the element's totals. */
static void
credit_rule(struct rule *rule, uint64_t packets, uint64_t bytes)
{
    /* A replaced element starts counting from zero again. */
    uint64_t dp = (packets >= rule->kernel_packets
                   ? packets - rule->kernel_packets : packets);
    uint64_t db = (bytes >= rule->kernel_bytes
                   ? bytes - rule->kernel_bytes : bytes);
    rule->kernel_packets = packets;
    rule->kernel_bytes = bytes;
    /* At netdev ingress the skb starts at the network header: nf_tables
     * counts frames without their Ethernet header, OpenFlow with it (and
     * tagged frames are never offloaded). */
    db += dp * ETH_HEADER_LEN;
    if (dp) {
        if (!(rule->flags & OFPUTIL_FF_NO_PKT_COUNTS)) {
            rule->packet_count += dp;
        }
        if (!(rule->flags & OFPUTIL_FF_NO_BYT_COUNTS)) {
            rule->byte_count += db;
        }
        rule->used = time_msec();
    }
    /* Table 0's counts come from credit_table(). */
}

/* Adds to table 0's lookup and matched counts what the kernel forwarded
 * since the last call (the action chains' counters). */
static void
credit_table(struct ofproto *p)
{
    struct offload *o = p->offload;
    uint64_t packets, bytes;

    if (o->nftc && !nftc_table_counters(o->nftc, &packets, &bytes)
        && packets > o->table_packets) {
        uint64_t delta = packets - o->table_packets;
        p->tables[0].lookup_count += delta;
        p->tables[0].matched_count += delta;
        o->table_packets = packets;
    }
}

void
offload_table_stats(struct ofproto *p)
{
    struct offload *o = p->offload;
    if (o && o->nftc && nftc_n_actchains(o->nftc) <= OFFLOAD_SYNC_STATS_MAX) {
        credit_table(p);
    }
}

/* Reads every kernel counter into the rules and table 0, committing
 * nothing: what the kernel holds now. */
static void
read_all(struct ofproto *p)
{
    struct offload *o = p->offload;
    long long int start = time_msec();
    /* 100,000 counters take ~0.3 s of netlink: the forwarding threads
     * run meanwhile (ofproto_io_begin()); the rules take the counters
     * once they are held again. */
    ofproto_io_begin(p);
    int error = nftc_stats_fetch(o->nftc);
    ofproto_io_end(p);
    if (!error) {
        nftc_stats_report_changed(o->nftc, stats_cb, p);
        credit_table(p);
    }
    o->stats_cost = time_msec() - start;
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: reading kernel counters failed (%s)",
                     p->name, ovs_strerror(error));
    }
}

void
offload_read_stats(struct ofproto *p)
{
    struct offload *o = p->offload;
    if (o && o->nftc && nftc_n_flows(o->nftc)) {
        offload_commit(p);
        if (o->nftc) {
            read_all(p);
        }
    }
}

/* Reads the kernel counters of the 'n' 'rules' one by one (table-0 rules
 * only: no other table is offloaded). */
static void
read_each(struct ofproto *p, struct rule *const *rules, size_t n)
{
    struct offload *o = p->offload;
    for (size_t i = 0; i < n && o->nftc; i++) {
        struct rule *rule = rules[i];
        struct match match;
        uint64_t packets, bytes;

        if (rule->table_id != 0) {
            continue;
        }
        minimatch_expand(&rule->cr.match, &match);
        if (!nftc_flow_counters(o->nftc, 0, rule->cr.priority, &match,
                                &packets, &bytes)) {
            credit_rule(rule, packets, bytes);
        }
    }
}

/* Reads the counters of the 'n' 'rules' from the elements the kernel
 * holds (a change still queued has not replaced them yet). */
static void
read_rules(struct ofproto *p, struct rule **rules, size_t n)
{
    if (n > OFFLOAD_READ_EACH_MAX) {
        read_all(p);
    } else {
        read_each(p, rules, n);
    }
}

void
offload_collect(struct ofproto *p, struct rule **rules, size_t n)
{
    struct offload *o = p->offload;
    if (!o || !o->nftc || !n) {
        return;
    }
    read_rules(p, rules, n);
    /* Their elements are replaced by the next commit: what comes after
     * counts from zero (offload_commit()).  Until then a second read finds
     * the same elements, and credits only what they counted since. */
    for (size_t i = 0; i < n; i++) {
        if (rules[i]->table_id == 0) {
            if (o->n_replaced >= o->allocated_replaced) {
                o->replaced = x2nrealloc(o->replaced, &o->allocated_replaced,
                                         sizeof *o->replaced);
            }
            o->replaced[o->n_replaced++] = rules[i];
        }
    }
}

void
offload_collect_removed(struct ofproto *p, struct rule **rules, size_t n)
{
    struct offload *o = p->offload;
    if (!o || !o->nftc || !n) {
        return;
    }
    struct rule **want = NULL;
    size_t n_want = 0;
    for (size_t i = 0; i < n; i++) {
        if (rules[i]->table_id == 0
            && rules[i]->flags & OFPUTIL_FF_SEND_FLOW_REM) {
            if (!want) {
                want = xmalloc(n * sizeof *want);
            }
            want[n_want++] = rules[i];
        }
    }
    if (n_want) {
        read_rules(p, want, n_want);
    }
    free(want);
}

void
offload_refresh_stats(struct ofproto *p, struct rule *const *rules,
                      size_t n)
{
    struct offload *o = p->offload;
    if (!o || !o->nftc || !nftc_n_flows(o->nftc)) {
        return;
    }
    if (rules && n <= OFFLOAD_READ_EACH_MAX) {
        offload_commit(p);
        read_each(p, rules, n);
    } else if (nftc_n_flows(o->nftc) <= OFFLOAD_SYNC_STATS_MAX) {
        offload_read_stats(p);
    }
}

/* Whether the queued changes may wait no longer (see offload.h). */
static bool
commit_due(const struct offload *o)
{
    return (o->pending
            && (o->removals || time_msec() >= o->commit_at
                || nftc_txn_n_ops(o->nftc) >= OFFLOAD_COMMIT_OPS));
}

void
offload_run(struct ofproto *p)
{
    struct offload *o = p->offload;
    if (!o || !o->nftc) {
        return;
    }
    if (commit_due(o)) {
        offload_commit_yielding(p);
    }
    if (o->nftc) {
        nftc_reap(o->nftc);     /* After the replies a flush held up. */
    }
    long long int now = time_msec();
    if (now >= o->next_check && o->nftc) {
        o->next_check = now + OFFLOAD_CHECK_INTERVAL;
        if (nftc_check(o->nftc) == ESTALE) {
            offload_resync(p);
        }
    }
    if (now >= o->next_stats && o->nftc) {
        offload_read_stats(p);
        /* Reading 100,000 counters takes ~0.3 s of the main thread (the
         * forwarding threads go on meanwhile, see read_all()): space
         * reads so they take at most 1/20 of its time.  Statistics and
         * idle timeouts of huge offloaded tables lag accordingly. */
        o->next_stats = time_msec() + MAX(OFFLOAD_STATS_INTERVAL,
                                          20 * o->stats_cost);
    }
}

void
offload_settle(struct ofproto *p)
{
    struct offload *o = p->offload;
    if (o && o->nftc && commit_due(o)) {
        /* Changes queued after offload_run() (by a unixctl command):
         * removals may not wait past the loop's quiescent state. */
        offload_commit(p);
    }
}

void
offload_wait(struct ofproto *p)
{
    struct offload *o = p->offload;
    if (o && o->nftc && o->pending) {
        poll_timer_wait_until(o->commit_at);
    }
}

struct show_aux {
    struct ofproto *p;
    struct ds *s;
};

void
offload_show(struct ofproto *p, struct ds *s)
{
    struct offload *o = p->offload;

    if (o && o->nftc) {
        offload_read_stats(p);  /* May find that offload has to go. */
    }
    ds_put_format(s, "%s: offload %s", p->name,
                  o && o->nftc ? "on" : "off");
    if (o && o->nftc) {
        struct nftc_counts c;
        nftc_get_counts(o->nftc, &c);
        ds_put_format(s, " (table netdev %s, %"PRIuSIZE" flows, %"PRIuSIZE
                      " masks, %"PRIu64" commits, %"PRIu64" restarts, "
                      "%"PRIu64" restores, %"PRIu64" dumps retried, "
                      "%"PRIu64" sockets reopened, counters read in %lld ms; "
                      "\"mpls\" expression %s)\n",
                      nftc_table_name(o->nftc), nftc_n_flows(o->nftc),
                      nftc_n_masks(o->nftc), c.n_commits, c.n_restarts,
                      o->n_resyncs, c.n_dump_retries, c.n_reopens,
                      o->stats_cost,
                      nftc_has_mpls_expr(o->nftc)
                      ? "present: MPLS push/pop offloaded"
                      : "absent: MPLS push/pop stay in userspace");
    } else {
        ds_put_format(s, ": %s\n", o && o->off_reason ? o->off_reason : "");
        return;
    }
    if (!o->nftc) {
        return;
    }

    struct rule *rule;
    CLS_FOR_EACH (rule, cr, &p->tables[0].cls) {
        struct match match;
        minimatch_expand(&rule->cr.match, &match);
        struct nftc_flow flow = {
            .match = &match,
            .ofpacts = rule->ofpacts,
            .ofpacts_len = rule->ofpacts_len,
            .table_id = 0,
            .priority = rule->cr.priority,
            .cookie = rule->cookie,
        };
        struct ds reason = DS_EMPTY_INITIALIZER;
        bool ok = nftc_flow_offloadable(o->nftc, &flow, &reason);

        ds_put_format(s, "  %s table=0, priority=%d, cookie=%#"PRIx64", ",
                      ok ? "kernel   " : "userspace", rule->cr.priority,
                      ntohll(rule->cookie));
        match_format(&match, NULL, s, OFP_DEFAULT_PRIORITY);
        if (ok) {
            ds_put_format(s, ": kernel packets=%"PRIu64" bytes=%"PRIu64"\n",
                          rule->kernel_packets, rule->kernel_bytes);
        } else {
            ds_put_format(s, ": %s\n", ds_cstr(&reason));
        }
        ds_destroy(&reason);
    }
}
