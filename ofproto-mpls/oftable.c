/* ofproto-mpls/oftable.c: the flow tables and flow-mods (oftable.h). */
#include <config.h>
#include "ofproto-mpls/oftable.h"

#include <string.h>

#include "ofproto-mpls/connmgr.h"
#include "ofproto-mpls/group.h"
#include "ofproto-mpls/meter.h"
#include "ofproto-mpls/offload.h"
#include "ofproto-mpls/ofp-ext.h"
#include "ofproto-mpls/ofproto-private.h"
#include "ofproto-mpls/revalidate.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "openvswitch/poll-loop.h"
#include "ovs-rcu.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(oftable);

void
oftable_init_all(struct ofproto *p)
{
    for (int i = 0; i < MVS_N_TABLES; i++) {
        classifier_init(&p->tables[i].cls, flow_segment_u64s);
        ovs_list_init(&p->tables[i].megaflows);
    }
    p->version = OVS_VERSION_MIN;
    ovs_list_init(&p->expirable);
}

static void
rule_free(struct rule *rule)
{
    cls_rule_destroy(&rule->cr);
    free(rule->ofpacts);
    free(rule);
}

static void reap(struct ofproto *, size_t max);

void
oftable_destroy_all(struct ofproto *p)
{
    reap(p, SIZE_MAX);
    free(p->dying);
    for (int i = 0; i < MVS_N_TABLES; i++) {
        struct rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[i].cls) {
            classifier_remove_assert(&p->tables[i].cls, &rule->cr);
            ovsrcu_postpone(rule_free, rule);
        }
        classifier_destroy(&p->tables[i].cls);
    }
}

/* The groups and meters 'ofpacts' names must exist (flows, unlike group
 * buckets, may not name a group that is not there yet). */
static enum ofperr
check_refs(const struct ofproto *p, const struct ofpact *ofpacts, size_t len)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPACT_GROUP
            && !group_find(p, ofpact_get_GROUP(a)->group_id)) {
            return OFPERR_OFPBAC_BAD_OUT_GROUP;
        } else if (a->type == OFPACT_METER
                   && !meter_exists(p, ofpact_get_METER(a)->meter_id)) {
            return OFPERR_OFPMMFC_UNKNOWN_METER;
        } else if (a->type == OFPACT_WRITE_ACTIONS) {
            const struct ofpact_nest *on = ofpact_get_WRITE_ACTIONS(a);
            enum ofperr error = check_refs(p, on->actions,
                                           ofpact_nest_get_action_len(on));
            if (error) {
                return error;
            }
        }
    }
    return 0;
}

enum ofperr
oftable_check_refs(const struct ofproto *p, const struct ofpact *ofpacts,
                   size_t len)
{
    return check_refs(p, ofpacts, len);
}

/* OpenFlow 1.3.5 5.1: goto-table only goes forward, from the rule's own
 * table (a goto to itself would loop). */
static enum ofperr
check_goto(const struct ofpact *ofpacts, size_t len, uint8_t table_id)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPACT_GOTO_TABLE
            && ofpact_get_GOTO_TABLE(a)->table_id <= table_id) {
            return OFPERR_OFPBIC_BAD_TABLE_ID;
        }
    }
    return 0;
}

/* Flow table changes. */

static void rule_remove(struct ofproto *, struct rule *,
                        enum ofp_flow_removed_reason);
static void rule_remove__(struct ofproto *, struct rule *,
                          enum ofp_flow_removed_reason, bool offload);


static bool
rule_has_out_port(const struct rule *rule, ofp_port_t out_port)
{
    return (out_port == OFPP_ANY
            || ofpacts_output_to_port(rule->ofpacts, rule->ofpacts_len,
                                      out_port));
}

static bool
rule_matches_criteria(const struct rule *rule,
                      const struct ofputil_flow_mod *fm, bool check_out)
{
    if ((rule->cookie & fm->cookie_mask) != (fm->cookie & fm->cookie_mask)) {
        return false;
    }
    if (check_out) {
        if (!rule_has_out_port(rule, fm->out_port)) {
            return false;
        }
        if (fm->out_group != OFPG_ANY
            && !ofpacts_output_to_group(rule->ofpacts, rule->ofpacts_len,
                                        fm->out_group)) {
            return false;
        }
    }
    return true;
}

/* Bundle transactions: an undo log of flow table changes. */

enum undo_type {
    UNDO_ADDED,                 /* 'rule' was added. */
    UNDO_CHANGED,               /* 'rule' was as 'saved' says. */
    UNDO_REMOVED,               /* 'rule' was removed for 'reason'. */
};

struct undo {
    enum undo_type type;
    struct rule *rule;
    struct rule saved;          /* UNDO_CHANGED: every member but 'cr' and
                                 * 'expirable'; owns 'saved.ofpacts'. */
    enum ofp_flow_removed_reason reason;
};

struct ofproto_txn {
    struct undo *undos;
    size_t n, allocated;
};

static struct undo *
txn_log(struct ofproto *p, enum undo_type type, struct rule *rule)
{
    struct ofproto_txn *txn = p->txn;
    if (txn->n >= txn->allocated) {
        txn->undos = x2nrealloc(txn->undos, &txn->allocated,
                                sizeof *txn->undos);
    }
    struct undo *u = &txn->undos[txn->n++];
    memset(u, 0, sizeof *u);
    u->type = type;
    u->rule = rule;
    return u;
}

/* Saves what a change to 'rule' is about to overwrite. */
static void
txn_save(struct ofproto *p, struct rule *rule)
{
    if (p->txn) {
        struct undo *u = txn_log(p, UNDO_CHANGED, rule);
        memcpy(&u->saved, rule, sizeof u->saved);
        u->saved.ofpacts = (rule->ofpacts_len
                            ? xmemdup(rule->ofpacts, rule->ofpacts_len)
                            : NULL);
    }
}

void
oftable_txn_begin(struct ofproto *p)
{
    ovs_assert(!p->txn);
    /* What came before the bundle commits on its own. */
    offload_commit(p);
    p->txn = xzalloc(sizeof *p->txn);
}

static void rule_finish_removal(struct ofproto *, struct rule *,
                                enum ofp_flow_removed_reason);

void
oftable_txn_commit(struct ofproto *p)
{
    struct ofproto_txn *txn = p->txn;
    p->txn = NULL;
    /* Before the removals finish: a rule the bundle added and removed
     * again is still in the pending list. */
    revalidate_run(p);
    for (size_t i = 0; i < txn->n; i++) {
        struct undo *u = &txn->undos[i];
        if (u->type == UNDO_CHANGED) {
            free(u->saved.ofpacts);
        } else if (u->type == UNDO_REMOVED) {
            rule_finish_removal(p, u->rule, u->reason);
        }
    }
    free(txn->undos);
    free(txn);
    /* The whole bundle is one kernel commit; forwarding goes on while
     * the kernel applies a big one. */
    offload_commit_yielding(p);
}

static void rule_update_expirable(struct ofproto *, struct rule *);

void
oftable_txn_abort(struct ofproto *p)
{
    struct ofproto_txn *txn = p->txn;
    p->txn = NULL;
    offload_abort(p);
    revalidate_flush(p);
    for (size_t i = txn->n; i-- > 0; ) {
        struct undo *u = &txn->undos[i];
        struct rule *rule = u->rule;
        struct classifier *cls = &p->tables[rule->table_id].cls;

        switch (u->type) {
        case UNDO_ADDED:
            classifier_remove_assert(cls, &rule->cr);
            if (!ovs_list_is_empty(&rule->expirable)) {
                ovs_list_remove(&rule->expirable);
            }
            p->tables[rule->table_id].n_rules--;
            ovsrcu_postpone(rule_free, rule);
            break;
        case UNDO_CHANGED: {
            struct cls_rule cr;
            struct ovs_list expirable;
            free(rule->ofpacts);
            /* Keep the live classifier and list linkage. */
            memcpy(&cr, &rule->cr, sizeof cr);
            memcpy(&expirable, &rule->expirable, sizeof expirable);
            memcpy(rule, &u->saved, sizeof *rule);
            memcpy(&rule->cr, &cr, sizeof cr);
            memcpy(&rule->expirable, &expirable, sizeof expirable);
            /* revalidate_flush() above removed every datapath flow. */
            ovs_list_init(&rule->megaflows);
            rule_update_expirable(p, rule);
            break;
        }
        case UNDO_REMOVED:
            classifier_insert(cls, &rule->cr, p->version, NULL, 0);
            ovs_list_init(&rule->expirable);
            rule_update_expirable(p, rule);
            p->tables[rule->table_id].n_rules++;
            break;
        }
    }
    free(txn->undos);
    free(txn);
}

static void
rule_set_actions(struct rule *rule, const struct ofpact *ofpacts, size_t len)
{
    free(rule->ofpacts);
    rule->ofpacts = len ? xmemdup(ofpacts, len) : NULL;
    rule->ofpacts_len = len;
}

static void
rule_update_expirable(struct ofproto *p, struct rule *rule)
{
    if (!ovs_list_is_empty(&rule->expirable)) {
        ovs_list_remove(&rule->expirable);
        ovs_list_init(&rule->expirable);
    }
    if (rule->idle_timeout || rule->hard_timeout) {
        ovs_list_push_back(&p->expirable, &rule->expirable);
    }
}

static enum ofperr
add_flow(struct ofproto *p, const struct ofputil_flow_mod *fm)
{
    if (fm->table_id >= MVS_N_TABLES) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    struct oftable *table = &p->tables[fm->table_id];
    struct cls_rule cr;

    cls_rule_init_from_minimatch(&cr, &fm->match, fm->priority);
    if (fm->flags & OFPUTIL_FF_CHECK_OVERLAP
        && classifier_rule_overlaps(&table->cls, &cr, p->version)) {
        cls_rule_destroy(&cr);
        return OFPERR_OFPFMFC_OVERLAP;
    }

    long long int now = time_msec();
    struct rule *old = rule_from_cls_rule(
        classifier_find_rule_exactly(&table->cls, &cr, p->version));
    if (old) {
        /* OpenFlow 1.3.5 6.4: an identical entry is replaced; its
         * counters are kept unless the new one says OFPFF_RESET_COUNTS. */
        cls_rule_destroy(&cr);
        offload_collect(p, &old, 1);
        revalidate_rule_changing(p, old);
        txn_save(p, old);
        rule_set_actions(old, fm->ofpacts, fm->ofpacts_len);
        old->cookie = fm->new_cookie;
        old->idle_timeout = fm->idle_timeout;
        old->hard_timeout = fm->hard_timeout;
        old->importance = fm->importance;
        old->flags = fm->flags;
        old->created = old->modified = old->used = now;
        if (fm->flags & OFPUTIL_FF_RESET_COUNTS) {
            old->packet_count = old->byte_count = 0;
        }
        rule_update_expirable(p, old);
        offload_rule_changed(p, old);
        return 0;
    }

    struct rule *rule = xzalloc(sizeof *rule);
    cls_rule_move(&rule->cr, &cr);
    rule->table_id = fm->table_id;
    rule->cookie = fm->new_cookie;
    rule->idle_timeout = fm->idle_timeout;
    rule->hard_timeout = fm->hard_timeout;
    rule->importance = fm->importance;
    rule->flags = fm->flags;
    rule->created = rule->modified = rule->used = now;
    rule_set_actions(rule, fm->ofpacts, fm->ofpacts_len);
    ovs_list_init(&rule->expirable);
    ovs_list_init(&rule->megaflows);
    rule_update_expirable(p, rule);
    classifier_insert(&table->cls, &rule->cr, p->version, NULL, 0);
    table->n_rules++;
    if (p->txn) {
        txn_log(p, UNDO_ADDED, rule);
    }
    /* Revalidated with the other adds of this run: ofproto_revalidate(). */
    revalidate_rule_added(p, rule);
    offload_rule_changed(p, rule);
    return 0;
}

static void
modify_rule(struct ofproto *p, struct rule *rule,
            const struct ofputil_flow_mod *fm)
{
    revalidate_rule_changing(p, rule);
    txn_save(p, rule);
    rule_set_actions(rule, fm->ofpacts, fm->ofpacts_len);
    if (fm->modify_cookie && fm->new_cookie != OVS_BE64_MAX) {
        rule->cookie = fm->new_cookie;
    }
    rule->modified = time_msec();
    if (fm->flags & OFPUTIL_FF_RESET_COUNTS) {
        rule->packet_count = rule->byte_count = 0;
    }
    offload_rule_changed(p, rule);
}

/* Collects the rules 'fm' selects, loose or strict, in 'table_id' or in
 * every table (OFPTT_ALL). */
static void
collect_rules(struct ofproto *p, const struct ofputil_flow_mod *fm,
              bool strict, bool check_out, struct rule ***rulesp, size_t *np)
{
    size_t n = 0, allocated = 0;
    struct rule **rules = NULL;
    struct cls_rule target;

    cls_rule_init_from_minimatch(&target, &fm->match, fm->priority);
    for (int t = 0; t < MVS_N_TABLES; t++) {
        if (fm->table_id != OFPTT_ALL && fm->table_id != t) {
            continue;
        }
        struct classifier *cls = &p->tables[t].cls;
        if (strict) {
            struct rule *rule = rule_from_cls_rule(
                classifier_find_rule_exactly(cls, &target, p->version));
            if (rule && rule_matches_criteria(rule, fm, check_out)) {
                if (n >= allocated) {
                    rules = x2nrealloc(rules, &allocated, sizeof *rules);
                }
                rules[n++] = rule;
            }
        } else {
            struct rule *rule;
            CLS_FOR_EACH_TARGET (rule, cr, cls, &target, p->version) {
                if (rule_matches_criteria(rule, fm, check_out)) {
                    if (n >= allocated) {
                        rules = x2nrealloc(rules, &allocated, sizeof *rules);
                    }
                    rules[n++] = rule;
                }
            }
        }
    }
    cls_rule_destroy(&target);
    *rulesp = rules;
    *np = n;
}

static enum ofperr
modify_flows(struct ofproto *p, const struct ofputil_flow_mod *fm,
             bool strict)
{
    if (fm->table_id != OFPTT_ALL && fm->table_id >= MVS_N_TABLES) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    struct rule **rules;
    size_t n;
    collect_rules(p, fm, strict, false, &rules, &n);
    if (fm->table_id == OFPTT_ALL) {
        /* oftable_flow_mod() checked goto-table against table 0: each
         * rule's own table decides. */
        for (size_t i = 0; i < n; i++) {
            enum ofperr error = check_goto(fm->ofpacts, fm->ofpacts_len,
                                           rules[i]->table_id);
            if (error) {
                free(rules);
                return error;
            }
        }
    }
    offload_collect(p, rules, n);
    for (size_t i = 0; i < n; i++) {
        modify_rule(p, rules[i], fm);
    }
    free(rules);

    if (!n && fm->cookie_mask == htonll(0)
        && fm->new_cookie != OVS_BE64_MAX && fm->table_id != OFPTT_ALL) {
        return add_flow(p, fm);
    }
    return 0;
}

static enum ofperr
delete_flows(struct ofproto *p, const struct ofputil_flow_mod *fm,
             bool strict)
{
    if (fm->table_id != OFPTT_ALL && fm->table_id >= MVS_N_TABLES) {
        return OFPERR_OFPFMFC_BAD_TABLE_ID;
    }
    struct rule **rules;
    size_t n;
    collect_rules(p, fm, strict, true, &rules, &n);
    offload_collect_removed(p, rules, n);

    /* All of table 0 goes (a delete-all, or a resync): one flush of the
     * kernel's copy instead of one deletion per flow. */
    size_t n0 = 0;
    for (size_t i = 0; i < n; i++) {
        n0 += rules[i]->table_id == 0;
    }
    bool flush = n0 > 1 && n0 == p->tables[0].n_rules;
    if (flush) {
        offload_rules_flushed(p);
    }
    for (size_t i = 0; i < n; i++) {
        rule_remove__(p, rules[i], OFPRR_DELETE,
                      !(flush && rules[i]->table_id == 0));
    }
    free(rules);
    return 0;
}

static struct ofpbuf *
encode_flow_removed(const void *fr_, enum ofputil_protocol protocol)
{
    struct ofpbuf *msg = ofputil_encode_flow_removed(fr_, protocol);
    ofpext_msg_from_carriers(msg);
    return msg;
}

/* Tells controllers that asked that 'rule' is gone. */
static void
send_flow_removed(struct ofproto *p, const struct rule *rule,
                  enum ofp_flow_removed_reason reason)
{
    if (rule->flags & OFPUTIL_FF_SEND_FLOW_REM) {
        struct ofputil_flow_removed fr;
        long long int age = time_msec() - rule->created;

        memset(&fr, 0, sizeof fr);
        minimatch_expand(&rule->cr.match, &fr.match);
        fr.cookie = rule->cookie;
        fr.priority = rule->cr.priority;
        fr.reason = reason;
        fr.table_id = rule->table_id;
        fr.duration_sec = age / 1000;
        fr.duration_nsec = (age % 1000) * 1000000;
        fr.idle_timeout = rule->idle_timeout;
        fr.hard_timeout = rule->hard_timeout;
        fr.packet_count = rule->packet_count;
        fr.byte_count = rule->byte_count;
        connmgr_send_async(p->connmgr, OAM_FLOW_REMOVED, reason,
                           encode_flow_removed, &fr);
    }
}

/* A bundle's removal, out of its classifier since: tells controllers, and
 * frees 'rule' once no classifier reader can see it. */
static void
rule_finish_removal(struct ofproto *p, struct rule *rule,
                    enum ofp_flow_removed_reason reason)
{
    send_flow_removed(p, rule, reason);
    ovsrcu_postpone(rule_free, rule);
}

/* Rules oftable_run() takes out of their classifiers in one main-loop
 * pass: classifier_remove() costs ~0.5 us a rule, so ~4 ms. */
#define OFTABLE_REAP_BATCH 8192

/* Takes up to 'max' invisible rules out of their classifiers, to be freed
 * once no reader can see them (see "Removal" in oftable.h). */
static void
reap(struct ofproto *p, size_t max)
{
    for (; p->n_dying && max; max--) {
        struct rule *rule = p->dying[--p->n_dying];
        classifier_remove_assert(&p->tables[rule->table_id].cls, &rule->cr);
        ovsrcu_postpone(rule_free, rule);
    }
    if (!p->n_dying && p->allocated_dying > OFTABLE_REAP_BATCH) {
        free(p->dying);         /* A big delete's list. */
        p->dying = NULL;
        p->allocated_dying = 0;
    }
}

void
oftable_run(struct ofproto *p)
{
    reap(p, OFTABLE_REAP_BATCH);
}

void
oftable_wait(struct ofproto *p)
{
    if (p->n_dying) {
        poll_immediate_wake();
    }
}

/* Removes 'rule' from its table, telling controllers that asked (at the
 * end of a bundle commit, if one is in progress), and from the kernel's
 * copy if 'offload' (the caller flushed that otherwise).  Outside a bundle
 * the rule only turns invisible now (see "Removal" in oftable.h). */
static void
rule_remove__(struct ofproto *p, struct rule *rule,
              enum ofp_flow_removed_reason reason, bool offload)
{
    revalidate_rule_changing(p, rule);
    if (!ovs_list_is_empty(&rule->expirable)) {
        ovs_list_remove(&rule->expirable);
        ovs_list_init(&rule->expirable);
    }
    p->tables[rule->table_id].n_rules--;
    if (offload) {
        offload_rule_removed(p, rule);
    }
    if (p->txn) {
        classifier_remove_assert(&p->tables[rule->table_id].cls, &rule->cr);
        txn_log(p, UNDO_REMOVED, rule)->reason = reason;
    } else {
        /* Lookups in the next version no longer see it. */
        cls_rule_make_invisible_in_version(&rule->cr, ++p->version);
        if (p->n_dying >= p->allocated_dying) {
            p->dying = x2nrealloc(p->dying, &p->allocated_dying,
                                  sizeof *p->dying);
        }
        p->dying[p->n_dying++] = rule;
        send_flow_removed(p, rule, reason);
    }
}

static void
rule_remove(struct ofproto *p, struct rule *rule,
            enum ofp_flow_removed_reason reason)
{
    if (rule->flags & OFPUTIL_FF_SEND_FLOW_REM) {
        offload_collect_removed(p, &rule, 1);
    }
    rule_remove__(p, rule, reason, true);
}

void
oftable_rule_delete(struct ofproto *p, struct rule *rule,
                    enum ofp_flow_removed_reason reason)
{
    rule_remove(p, rule, reason);
}

/* OpenFlow 1.3.5 6.5: deleting a group removes the flows that use it. */
void
oftable_delete_flows_to_group(struct ofproto *p, uint32_t group_id)
{
    for (int t = 0; t < MVS_N_TABLES; t++) {
        struct rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            if (ofpacts_output_to_group(rule->ofpacts, rule->ofpacts_len,
                                        group_id)) {
                rule_remove(p, rule, OFPRR_GROUP_DELETE);
            }
        }
    }
}

enum ofperr
oftable_flow_mod(struct ofproto *p, const struct ofputil_flow_mod *fm)
{
    enum ofperr error;

    if (fm->command == OFPFC_ADD || fm->command == OFPFC_MODIFY
        || fm->command == OFPFC_MODIFY_STRICT) {
        uint8_t table_id = fm->table_id == OFPTT_ALL ? 0 : fm->table_id;
        error = check_goto(fm->ofpacts, fm->ofpacts_len, table_id);
        if (!error) {
            error = check_refs(p, fm->ofpacts, fm->ofpacts_len);
        }
        if (error) {
            return error;
        }
    }

    /* The rules that change or go, and the rules a new one may take
     * packets from, remove the datapath flows they are in (see
     * "Revalidation"), pushing their counters first. */
    switch (fm->command) {
    case OFPFC_ADD:
        error = add_flow(p, fm);
        break;
    case OFPFC_MODIFY:
        error = modify_flows(p, fm, false);
        break;
    case OFPFC_MODIFY_STRICT:
        error = modify_flows(p, fm, true);
        break;
    case OFPFC_DELETE:
        error = delete_flows(p, fm, false);
        break;
    case OFPFC_DELETE_STRICT:
        error = delete_flows(p, fm, true);
        break;
    default:
        error = OFPERR_OFPFMFC_BAD_COMMAND;
        break;
    }
    return error;
}


/* Timeouts. */

void
oftable_expire(struct ofproto *p)
{
    long long int now = time_msec();
    struct rule *rule;
    bool pushed = false;

    LIST_FOR_EACH_SAFE (rule, expirable, &p->expirable) {
        /* rule_remove() removes the datapath flows that hit the rule,
         * pushing their counters into it first. */
        if (rule->hard_timeout
            && now >= rule->modified + rule->hard_timeout * 1000LL) {
            rule_remove(p, rule, OFPRR_HARD_TIMEOUT);
            continue;
        }
        if (rule->idle_timeout) {
            if (!pushed) {
                /* 'used' comes from the datapath's counters. */
                datapath_push_stats(p->dp);
                pushed = true;
            }
            if (now >= rule->used + rule->idle_timeout * 1000LL) {
                rule_remove(p, rule, OFPRR_IDLE_TIMEOUT);
            }
        }
    }
}

/* Queries. */

enum ofperr
oftable_for_each_requested(struct ofproto *p,
                           const struct ofputil_flow_stats_request *fsr,
                           void (*cb)(void *aux, const struct rule *),
                           void *aux)
{
    if (fsr->table_id != OFPTT_ALL && fsr->table_id >= MVS_N_TABLES) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    struct cls_rule target;
    cls_rule_init(&target, &fsr->match, 0);
    for (int t = 0; t < MVS_N_TABLES; t++) {
        if (fsr->table_id != OFPTT_ALL && fsr->table_id != t) {
            continue;
        }
        struct rule *rule;
        CLS_FOR_EACH_TARGET (rule, cr, &p->tables[t].cls, &target,
                             p->version) {
            if ((rule->cookie & fsr->cookie_mask)
                != (fsr->cookie & fsr->cookie_mask)) {
                continue;
            }
            if (!rule_has_out_port(rule, fsr->out_port)) {
                continue;
            }
            if (fsr->out_group != OFPG_ANY
                && !ofpacts_output_to_group(rule->ofpacts, rule->ofpacts_len,
                                            fsr->out_group)) {
                continue;
            }
            cb(aux, rule);
        }
    }
    cls_rule_destroy(&target);
    return 0;
}

