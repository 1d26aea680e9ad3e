/* datapath/datapath.c: ports + cache + upcall + execute, for one bridge. */
#include <config.h>
#include "datapath/datapath.h"

#include <errno.h>
#include <string.h>

#include "datapath/dp-parse.h"
#include "datapath/dp-port.h"
#include "dp-packet.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "hash.h"
#include "latch.h"
#include "ovs-thread.h"
#include "timeval.h"
#include <sched.h>

VLOG_DEFINE_THIS_MODULE(datapath);

/* Batches received from one port in one datapath_run(), so that a busy port
 * cannot starve the OpenFlow connections. */
#define DP_RUN_BATCHES 16

struct dp_port_node {
    struct hmap_node node;      /* In 'ports', by port number. */
    struct dp_port *port;
};

/* A forwarding thread: polls the ports whose number is 'idx' modulo the
 * number of threads. */
struct dp_thread {
    struct datapath *dp;
    int idx;
    pthread_t thread;
    struct latch wake;          /* Set when ports change or at exit. */
};

struct datapath {
    char *name;

    /* Forwarding threads (datapath_start_threads()).  'mutex' is the one
     * big lock: a forwarding thread holds it while it handles a batch, the
     * main thread while it runs (ofproto, OpenFlow, unixctl).  So every
     * datapath and OpenFlow structure is touched by one thread at a time,
     * and a flow-mod plus its cache flush is atomic to packets. */
    struct ovs_mutex mutex;
    struct dp_thread *threads;
    int n_threads;
    atomic_bool exiting;
    atomic_uint main_waiting;   /* Main thread wants 'mutex': threads
                                 * yield it. */
    struct latch main_wake;     /* A thread queued work for the main
                                 * thread (a packet-in to send)... */
    atomic_bool main_woken;     /* ...and set this first, so a pass that
                                 * nobody woke reads no pipe. */

    struct hmap ports;          /* Of struct dp_port_node. */
    struct dp_cache cache;
    const struct dp_upcall_ops *ops;
    void *aux;

    uint64_t n_upcalls;         /* Misses handed up. */
    uint64_t n_lost;            /* Misses the handler failed. */
    uint64_t n_recirc_loops;    /* Packets dropped at DP_MAX_RECIRC. */
    long long int now;          /* time_msec() of the batch in hand. */
    long long int next_reap;    /* See datapath_reap(). */
    uint64_t n_exec_errors;     /* Actions that did not apply. */
    uint64_t n_ttl_copies_skipped;  /* copy_ttl with no IP under a one-entry
                                     * stack. */

    struct ofpbuf upcall_actions;   /* Scratch for upcalls. */

    /* Bounds of the flow cache (datapath_set_flow_limits()). */
    long long int max_idle;     /* msec a flow may go unused. */
    size_t flow_limit;          /* Most flows cached. */
    long long int next_expire;  /* msec: next idle sweep. */
    long long int next_evict;   /* msec: earliest sweep at the limit. */
    uint64_t n_expired;         /* Flows removed after 'max_idle'. */
    uint64_t n_evicted;         /* Removed early, at the limit. */
    uint64_t n_uninstalled;     /* Misses handled without a flow, at the
                                 * limit. */

    const ovs_be16 *rx_split;   /* See datapath_set_rx_split(). */
    enum dp_port_io_mode port_io;   /* See datapath_set_port_io(). */
    size_t n_rx_split;
};

/* What the executor's callbacks need about the packet in flight. */
struct exec_ctx {
    struct datapath *dp;
    const struct dp_key *key;
    int depth;                  /* Recirculation pass, from 0. */
};

static void process_packet(struct datapath *, struct dp_packet *,
                           uint32_t in_port, uint32_t recirc_id,
                           const struct dp_port_rxmeta *, int depth);

struct datapath *
datapath_create(const char *name, const struct dp_upcall_ops *ops, void *aux)
{
    struct datapath *dp = xzalloc(sizeof *dp);
    dp->name = xstrdup(name);
    hmap_init(&dp->ports);
    dp_cache_init(&dp->cache);
    dp->ops = ops;
    dp->aux = aux;
    dp->max_idle = DP_MAX_IDLE_DEFAULT;
    dp->flow_limit = DP_FLOW_LIMIT_DEFAULT;
    ovs_mutex_init(&dp->mutex);
    atomic_init(&dp->exiting, false);
    atomic_init(&dp->main_waiting, 0);
    latch_init(&dp->main_wake);
    atomic_init(&dp->main_woken, false);
    ofpbuf_init(&dp->upcall_actions, 64 * sizeof(struct dp_action));
    return dp;
}

static void
free_flow_cb(void *dp_, struct dp_flow *flow)
{
    struct datapath *dp = dp_;
    struct dp_flow_stats delta = {
        .packets = flow->stats.packets - flow->pushed.packets,
        .bytes = flow->stats.bytes - flow->pushed.bytes,
        .used = flow->stats.used,
        .tcp_flags = flow->stats.tcp_flags,
    };
    if (flow->xcache) {
        if (delta.packets) {
            dp->ops->push_stats(dp->aux, flow->xcache, &delta);
        }
        dp->ops->free_xcache(dp->aux, flow->xcache);
    }
}

void
datapath_destroy(struct datapath *dp)
{
    if (dp) {
        datapath_stop_threads(dp);
        latch_destroy(&dp->main_wake);
        ovs_mutex_destroy(&dp->mutex);
        dp_cache_uninit(&dp->cache, free_flow_cb, dp);
        struct dp_port_node *pn;
        HMAP_FOR_EACH_POP (pn, node, &dp->ports) {
            dp_port_close(pn->port);
            free(pn);
        }
        hmap_destroy(&dp->ports);
        ofpbuf_uninit(&dp->upcall_actions);
        free(dp->name);
        free(dp);
    }
}

const char *
datapath_name(const struct datapath *dp)
{
    return dp->name;
}

static struct dp_port_node *
find_port(const struct datapath *dp, uint32_t port_no)
{
    struct dp_port_node *pn;
    HMAP_FOR_EACH_IN_BUCKET (pn, node, hash_int(port_no, 0), &dp->ports) {
        if (pn->port->port_no == port_no) {
            return pn;
        }
    }
    return NULL;
}

void
datapath_set_rx_split(struct datapath *dp, const ovs_be16 *types, size_t n)
{
    dp->rx_split = types;
    dp->n_rx_split = n;
}

void
datapath_set_port_io(struct datapath *dp, enum dp_port_io_mode mode)
{
    dp->port_io = mode;
}

int
datapath_port_add(struct datapath *dp, const char *ifname, uint32_t port_no)
{
    if (find_port(dp, port_no) || datapath_port_by_name(dp, ifname)) {
        return EEXIST;
    }
    struct dp_port *port;
    int error = dp_port_open(ifname, port_no, dp->port_io, dp->rx_split,
                             dp->n_rx_split, &port);
    if (error) {
        return error;
    }
    struct dp_port_node *pn = xmalloc(sizeof *pn);
    pn->port = port;
    hmap_insert(&dp->ports, &pn->node, hash_int(port_no, 0));
    for (int i = 0; i < dp->n_threads; i++) {
        latch_set(&dp->threads[i].wake);
    }
    /* Flows that flooded or dropped for lack of this port are stale. */
    datapath_flush(dp);
    return 0;
}

int
datapath_port_del(struct datapath *dp, uint32_t port_no)
{
    struct dp_port_node *pn = find_port(dp, port_no);
    if (!pn) {
        return ENOENT;
    }
    datapath_flush(dp);
    hmap_remove(&dp->ports, &pn->node);
    dp_port_close(pn->port);
    free(pn);
    for (int i = 0; i < dp->n_threads; i++) {
        latch_set(&dp->threads[i].wake);
    }
    return 0;
}

struct dp_port *
datapath_port_get(const struct datapath *dp, uint32_t port_no)
{
    struct dp_port_node *pn = find_port(dp, port_no);
    return pn ? pn->port : NULL;
}

struct dp_port *
datapath_port_by_name(const struct datapath *dp, const char *ifname)
{
    struct dp_port_node *pn;
    HMAP_FOR_EACH (pn, node, &dp->ports) {
        if (!strcmp(pn->port->name, ifname)) {
            return pn->port;
        }
    }
    return NULL;
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct dp_port *const *a = a_;
    const struct dp_port *const *b = b_;
    return (*a)->port_no < (*b)->port_no ? -1 : (*a)->port_no > (*b)->port_no;
}

size_t
datapath_ports(const struct datapath *dp, struct dp_port **ports, size_t max)
{
    size_t n = hmap_count(&dp->ports);
    struct dp_port **all = xmalloc((n ? n : 1) * sizeof *all);
    struct dp_port_node *pn;
    size_t i = 0;

    HMAP_FOR_EACH (pn, node, &dp->ports) {
        all[i++] = pn->port;
    }
    qsort(all, n, sizeof *all, compare_ports);
    memcpy(ports, all, MIN(n, max) * sizeof *all);
    free(all);
    return n;
}

void
datapath_ports_refresh(struct datapath *dp, uint32_t **changed, size_t *n)
{
    struct dp_port_node *pn;
    size_t allocated = 0;

    *changed = NULL;
    *n = 0;
    HMAP_FOR_EACH (pn, node, &dp->ports) {
        if (dp_port_refresh(pn->port)) {
            if (*n >= allocated) {
                *changed = x2nrealloc(*changed, &allocated, sizeof **changed);
            }
            (*changed)[(*n)++] = pn->port->port_no;
        }
    }
    if (*n) {
        /* Flood and fast-failover decisions depend on link state. */
        datapath_flush(dp);
    }
}

/* Executor callbacks. */

static void
exec_output(void *ctx_, const struct dp_packet *pkt, uint32_t port_no)
{
    struct exec_ctx *ctx = ctx_;
    struct dp_port *port = datapath_port_get(ctx->dp, port_no);
    if (port) {
        dp_port_queue(port, pkt);
    }
}

/* Sends what exec_output() queued, one system call per port. */
static void
flush_ports(struct datapath *dp)
{
    struct dp_port_node *pn;
    HMAP_FOR_EACH (pn, node, &dp->ports) {
        dp_port_flush(pn->port);
    }
}

static void
exec_userspace(void *ctx_, const struct dp_packet *pkt,
               const struct dp_action *action)
{
    struct exec_ctx *ctx = ctx_;
    ctx->dp->ops->userspace(ctx->dp->aux, pkt, ctx->key, action);
    if (ctx->dp->n_threads) {
        /* The packet-in waits in a connection's queue that only the main
         * thread drains. */
        datapath_wake_main(ctx->dp);
    }
}

static void
exec_recirc(void *ctx_, const struct dp_packet *pkt, uint32_t recirc_id)
{
    struct exec_ctx *ctx = ctx_;
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    if (ctx->depth + 1 >= DP_MAX_RECIRC) {
        ctx->dp->n_recirc_loops++;
        VLOG_WARN_RL(&rl, "%s: packet dropped after %d recirculations",
                     ctx->dp->name, DP_MAX_RECIRC);
        return;
    }
    struct dp_packet *clone = dp_packet_clone_with_headroom(
        pkt, DP_PORT_HEADROOM);
    struct dp_port_rxmeta meta = { 0, 0 };
    process_packet(ctx->dp, clone, ctx->key->in_port, recirc_id, &meta,
                   ctx->depth + 1);
    dp_packet_delete(clone);
}

static bool
exec_meter(void *ctx_, struct dp_packet *pkt, uint32_t meter_id)
{
    struct exec_ctx *ctx = ctx_;
    return (!ctx->dp->ops->meter
            || ctx->dp->ops->meter(ctx->dp->aux, pkt, meter_id));
}

static void
exec_skipped(void *ctx_, const struct dp_action *a OVS_UNUSED)
{
    struct exec_ctx *ctx = ctx_;
    ctx->dp->n_ttl_copies_skipped++;
}

static const struct dp_exec_ops exec_ops = {
    .output = exec_output,
    .userspace = exec_userspace,
    .recirc = exec_recirc,
    .meter = exec_meter,
    .skipped = exec_skipped,
};

static void
execute(struct datapath *dp, struct dp_packet *pkt, const struct dp_key *key,
        const struct dp_action *actions, size_t n, int depth)
{
    struct exec_ctx ctx = { .dp = dp, .key = key, .depth = depth };
    int error = dp_execute(pkt, actions, n, &exec_ops, &ctx);
    if (error && error != ETIME && error != ENOBUFS) {
        dp->n_exec_errors++;
    }
}

/* The flow cache's bounds: idle flows expire, and at the limit the ones
 * idle longest go first. */

struct idle_aux {
    struct dp_flow **flows;
    size_t n, allocated;
    long long int before;       /* Unused since before this (msec). */
};

static void
collect_idle_cb(void *a_, struct dp_flow *flow)
{
    struct idle_aux *a = a_;
    long long int used = flow->stats.used ? flow->stats.used : flow->created;

    if (used <= a->before) {
        if (a->n >= a->allocated) {
            a->flows = x2nrealloc(a->flows, &a->allocated, sizeof *a->flows);
        }
        a->flows[a->n++] = flow;
    }
}

/* Removes the flows unused for 'idle' msec or more (their counters go to
 * the upcall handler first); returns how many. */
static size_t
remove_idle(struct datapath *dp, long long int now, long long int idle)
{
    /* Collected first: removal unlinks flows from the maps walked. */
    struct idle_aux a = { .before = now - idle };
    dp_cache_for_each(&dp->cache, collect_idle_cb, &a);
    for (size_t i = 0; i < a.n; i++) {
        datapath_flow_del(dp, a.flows[i]);
    }
    free(a.flows);
    return a.n;
}

/* At the flow limit: evicts the flows idle for DP_EVICT_IDLE msec (at most
 * one sweep every DP_EVICT_INTERVAL msec, as a sweep walks every flow).
 * Returns true if there is room now. */
static bool
make_room(struct datapath *dp)
{
    long long int now = time_msec();

    if (now >= dp->next_evict) {
        dp->next_evict = now + DP_EVICT_INTERVAL;
        dp->n_evicted += remove_idle(dp, now,
                                     MIN(DP_EVICT_IDLE, dp->max_idle));
    }
    return dp->cache.n_flows < dp->flow_limit;
}

static void
process_packet(struct datapath *dp, struct dp_packet *pkt, uint32_t in_port,
               uint32_t recirc_id, const struct dp_port_rxmeta *meta,
               int depth)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct dp_key key;

    dp_parse(pkt, in_port, recirc_id, meta->vlan_tci, meta->vlan_tpid, &key);

    uint32_t hash = dp_key_hash(&key);
    struct dp_flow *flow = dp_cache_lookup(&dp->cache, &key, hash);
    if (!flow) {
        struct dp_key mask;
        void *xcache = NULL;

        memset(&mask, 0, sizeof mask);
        ofpbuf_clear(&dp->upcall_actions);
        dp->n_upcalls++;
        int error = dp->ops->miss(dp->aux, pkt, &key, &mask,
                                  &dp->upcall_actions, &xcache);
        if (error) {
            dp->n_lost++;
            VLOG_WARN_RL(&rl, "%s: upcall failed (%s)", dp->name,
                         ovs_strerror(error));
            return;
        }
        /* The datapath always tells passes and ports apart. */
        mask.recirc_id = UINT32_MAX;
        mask.in_port = UINT32_MAX;

        size_t n = dp->upcall_actions.size / sizeof(struct dp_action);
        if (dp->cache.n_flows >= dp->flow_limit && !make_room(dp)) {
            /* At the limit with nothing idle to evict: this packet is
             * forwarded as translated, counted, and nothing is cached. */
            dp->n_uninstalled++;
            if (xcache) {
                struct dp_flow_stats one = {
                    .packets = 1,
                    .bytes = dp_packet_size(pkt),
                    .used = dp->now,
                    .tcp_flags = ntohs(key.tcp_flags),
                };
                dp->ops->push_stats(dp->aux, xcache, &one);
                dp->ops->free_xcache(dp->aux, xcache);
            }
            struct dp_action *acts = xmemdup(dp->upcall_actions.data,
                                             n * sizeof *acts + 1);
            execute(dp, pkt, &key, acts, n, depth);
            free(acts);
            return;
        }
        bool unused;
        flow = dp_cache_insert(&dp->cache, &key, &mask,
                               dp->upcall_actions.data, n, xcache, &unused);
        if (unused && xcache) {
            dp->ops->free_xcache(dp->aux, xcache);
        } else if (xcache && dp->ops->installed) {
            dp->ops->installed(dp->aux, xcache, flow);
        }
    }

    flow->stats.packets++;
    flow->stats.bytes += dp_packet_size(pkt);
    flow->stats.used = dp->now;
    flow->stats.tcp_flags |= ntohs(key.tcp_flags);
    execute(dp, pkt, &key, flow->actions, flow->n_actions, depth);
}

/* True if the main thread waits for the big lock: a forwarding thread
 * then takes one batch from each of its ports and lets the lock go, so
 * that a flow-mod waits for one batch per port (32 frames), not for
 * DP_RUN_BATCHES of them. */
static bool
main_is_waiting(struct datapath *dp)
{
    unsigned int waiting;
    atomic_read_relaxed(&dp->main_waiting, &waiting);
    return waiting != 0;
}

/* Handles up to DP_RUN_BATCHES batches from 'port'; returns true if it
 * received anything. */
static bool
run_port(struct datapath *dp, struct dp_port *port)
{
    bool busy = false;
    for (int b = 0; b < DP_RUN_BATCHES; b++) {
        if (b && dp->n_threads && main_is_waiting(dp)) {
            break;              /* Still busy: the thread comes back. */
        }
        int n = dp_port_recv(port);
        if (n) {
            dp->now = time_msec();  /* Once a batch, not once a packet. */
        }
        for (int i = 0; i < n; i++) {
            process_packet(dp, port->rx[i], port->port_no, 0,
                           &port->rxmeta[i], 0);
        }
        if (n) {
            flush_ports(dp);
            busy = true;
        }
        if (n < DP_PORT_BATCH) {
            break;
        }
    }
    return busy;
}

void
datapath_wake_main(struct datapath *dp)
{
    atomic_store(&dp->main_woken, true);
    latch_set(&dp->main_wake);
}

void
datapath_run(struct datapath *dp)
{
    /* Cleared before the pipe is drained: a wake in between leaves the
     * flag set, and costs one more read next pass, never a lost wake. */
    if (atomic_exchange(&dp->main_woken, false)) {
        latch_poll(&dp->main_wake);
    }
    if (dp->n_threads) {
        return;
    }
    struct dp_port_node *pn;
    HMAP_FOR_EACH (pn, node, &dp->ports) {
        run_port(dp, pn->port);
    }
}

void
datapath_wait(struct datapath *dp)
{
    latch_wait(&dp->main_wake);
    if (dp->n_threads) {
        return;
    }
    struct dp_port_node *pn;
    HMAP_FOR_EACH (pn, node, &dp->ports) {
        dp_port_wait(pn->port);
    }
}

static void *
forwarding_main(void *t_)
{
    struct dp_thread *t = t_;
    struct datapath *dp = t->dp;

    for (;;) {
        bool exiting, busy = false;

        ovs_mutex_lock(&dp->mutex);
        atomic_read(&dp->exiting, &exiting);
        if (exiting) {
            ovs_mutex_unlock(&dp->mutex);
            break;
        }
        struct dp_port_node *pn;
        HMAP_FOR_EACH (pn, node, &dp->ports) {
            if (pn->port->port_no % dp->n_threads == t->idx) {
                busy |= run_port(dp, pn->port);
                dp_port_wait(pn->port);
            }
        }
        ovs_mutex_unlock(&dp->mutex);

        latch_wait(&t->wake);
        if (busy) {
            poll_immediate_wake();
        }
        poll_block();
        latch_poll(&t->wake);

        /* Let the main thread in: a mutex does not hand itself over to a
         * waiter, and a busy thread would otherwise take it straight
         * back. */
        unsigned int waiting;
        for (;;) {
            atomic_read(&dp->main_waiting, &waiting);
            if (!waiting) {
                break;
            }
            sched_yield();
        }
    }
    return NULL;
}

int
datapath_n_threads(const struct datapath *dp)
{
    return dp->n_threads;
}

void
datapath_start_threads(struct datapath *dp, int n)
{
    ovs_assert(!dp->n_threads && n > 0);
    dp->threads = xcalloc(n, sizeof *dp->threads);
    for (int i = 0; i < n; i++) {
        struct dp_thread *t = &dp->threads[i];
        t->dp = dp;
        t->idx = i;
        latch_init(&t->wake);
    }
    /* Set before any thread runs: they divide the ports by it. */
    dp->n_threads = n;
    for (int i = 0; i < n; i++) {
        dp->threads[i].thread = ovs_thread_create("forwarding",
                                                  forwarding_main,
                                                  &dp->threads[i]);
    }
}

void
datapath_stop_threads(struct datapath *dp)
{
    atomic_store(&dp->exiting, true);
    for (int i = 0; i < dp->n_threads; i++) {
        latch_set(&dp->threads[i].wake);
    }
    for (int i = 0; i < dp->n_threads; i++) {
        xpthread_join(dp->threads[i].thread, NULL);
        latch_destroy(&dp->threads[i].wake);
    }
    free(dp->threads);
    dp->threads = NULL;
    dp->n_threads = 0;
    atomic_store(&dp->exiting, false);
}

void
datapath_lock(struct datapath *dp)
    OVS_NO_THREAD_SAFETY_ANALYSIS
{
    atomic_add(&dp->main_waiting, 1, &(unsigned int){0});
    ovs_mutex_lock(&dp->mutex);
    atomic_sub(&dp->main_waiting, 1, &(unsigned int){0});
}

void
datapath_unlock(struct datapath *dp)
    OVS_NO_THREAD_SAFETY_ANALYSIS
{
    ovs_mutex_unlock(&dp->mutex);
}

int
datapath_execute(struct datapath *dp, struct dp_packet *pkt,
                 uint32_t in_port, const struct dp_action *actions, size_t n)
{
    struct dp_key key;
    dp_parse(pkt, in_port, 0, 0, 0, &key);
    struct exec_ctx ctx = { .dp = dp, .key = &key, .depth = 0 };
    int error = dp_execute(pkt, actions, n, &exec_ops, &ctx);
    flush_ports(dp);
    return error;
}

void
datapath_flush(struct datapath *dp)
{
    dp_cache_flush(&dp->cache, free_flow_cb, dp);
}

void
datapath_flow_del(struct datapath *dp, struct dp_flow *flow)
{
    free_flow_cb(dp, flow);
    flow->xcache = NULL;
    dp_cache_remove(&dp->cache, flow);
}

struct del_if_aux {
    bool (*pred)(void *aux, const struct dp_flow *);
    void *aux;
    struct dp_flow **flows;
    size_t n, allocated;
};

static void
collect_if_cb(void *a_, struct dp_flow *flow)
{
    struct del_if_aux *a = a_;
    if (a->pred(a->aux, flow)) {
        if (a->n >= a->allocated) {
            a->flows = x2nrealloc(a->flows, &a->allocated, sizeof *a->flows);
        }
        a->flows[a->n++] = flow;
    }
}

void
datapath_flows_del_if(struct datapath *dp,
                      bool (*pred)(void *aux, const struct dp_flow *),
                      void *aux)
{
    /* Collected first: removal unlinks flows from the maps walked. */
    struct del_if_aux a = { .pred = pred, .aux = aux };
    dp_cache_for_each(&dp->cache, collect_if_cb, &a);
    for (size_t i = 0; i < a.n; i++) {
        datapath_flow_del(dp, a.flows[i]);
    }
    free(a.flows);
}

void
datapath_set_flow_limits(struct datapath *dp, long long int max_idle,
                         size_t flow_limit)
{
    dp->max_idle = MAX(max_idle, 100);
    dp->flow_limit = MAX(flow_limit, 1);
    dp->next_expire = 0;
}

void
datapath_expire(struct datapath *dp)
{
    long long int now = time_msec();

    if (now >= dp->next_expire) {
        dp->n_expired += remove_idle(dp, now, dp->max_idle);
        /* A flow lives between max_idle and 1.5 x max_idle unused. */
        dp->next_expire = now + MAX(dp->max_idle / 2, 50);
    }
}

long long int
datapath_next_expire(const struct datapath *dp)
{
    return dp->next_expire;
}

void
datapath_reap(struct datapath *dp)
{
    long long int now = time_msec();
    if (dp->cache.n_dead
        && (dp->cache.n_dead >= DP_REAP_MAX || now >= dp->next_reap)) {
        dp_cache_reap(&dp->cache);
        dp->next_reap = now + DP_REAP_MSEC;
    }
}

static void
push_stats_cb(void *dp_, struct dp_flow *flow)
{
    struct datapath *dp = dp_;
    if (flow->xcache && flow->stats.packets != flow->pushed.packets) {
        struct dp_flow_stats delta = {
            .packets = flow->stats.packets - flow->pushed.packets,
            .bytes = flow->stats.bytes - flow->pushed.bytes,
            .used = flow->stats.used,
            .tcp_flags = flow->stats.tcp_flags,
        };
        dp->ops->push_stats(dp->aux, flow->xcache, &delta);
        flow->pushed = flow->stats;
    }
}

void
datapath_push_stats(struct datapath *dp)
{
    dp_cache_for_each(&dp->cache, push_stats_cb, dp);
}

static void
dump_flow_cb(void *s_, struct dp_flow *flow)
{
    struct ds *s = s_;
    long long int now = time_msec();

    dp_key_format(&flow->key, &flow->subtable->mask, s);
    ds_put_format(s, ", packets:%"PRIu64", bytes:%"PRIu64", used:",
                  flow->stats.packets, flow->stats.bytes);
    if (flow->stats.used) {
        ds_put_format(s, "%.3fs", (now - flow->stats.used) / 1000.0);
    } else {
        ds_put_cstr(s, "never");
    }
    ds_put_cstr(s, ", actions:");
    if (flow->n_actions) {
        dp_actions_format(flow->actions, flow->n_actions, s);
    } else {
        ds_put_cstr(s, "drop");
    }
    ds_put_char(s, '\n');
}

void
datapath_dump_flows(struct datapath *dp, struct ds *s)
{
    dp_cache_for_each(&dp->cache, dump_flow_cb, s);
}

void
datapath_show(struct datapath *dp, struct ds *s)
{
    const struct dp_cache *c = &dp->cache;
    uint64_t lookups = c->emc_hits + c->megaflow_hits + c->misses;

    ds_put_format(s, "%s:\n", dp->name);
    ds_put_format(s, "  lookups: emc-hit:%"PRIu64" megaflow-hit:%"PRIu64
                  " missed:%"PRIu64" lost:%"PRIu64"\n",
                  c->emc_hits, c->megaflow_hits, c->misses, dp->n_lost);
    if (lookups) {
        ds_put_format(s, "  hit rate: %.1f%%\n",
                      100.0 * (c->emc_hits + c->megaflow_hits) / lookups);
    }
    ds_put_format(s, "  flows: %"PRIuSIZE" (limit %"PRIuSIZE", idle "
                  "expiry %lld ms), expired: %"PRIu64", evicted at the limit: "
                  "%"PRIu64", handled uncached at the limit: %"PRIu64"\n",
                  c->n_flows, dp->flow_limit, dp->max_idle, dp->n_expired,
                  dp->n_evicted, dp->n_uninstalled);
    ds_put_format(s, "  flows revalidated away: %"PRIu64"\n", c->n_removed);
    ds_put_format(s, "  recirc loops dropped: %"PRIu64
                  ", action errors: %"PRIu64", TTL copies skipped (no IP "
                  "under the stack): %"PRIu64"\n",
                  dp->n_recirc_loops, dp->n_exec_errors,
                  dp->n_ttl_copies_skipped);

    size_t n = hmap_count(&dp->ports);
    struct dp_port **ports = xmalloc((n ? n : 1) * sizeof *ports);
    datapath_ports(dp, ports, n);
    for (size_t i = 0; i < n; i++) {
        const struct dp_port *p = ports[i];
        const struct dp_port_stats *st = &p->stats;
        ds_put_format(s, "  port %"PRIu32": %s%s%s\n", p->port_no, p->name,
                      p->gone ? " (gone)" : "",
                      !p->carrier && !p->gone ? " (link down)" : "");
        ds_put_format(s, "    RX packets:%"PRIu64" bytes:%"PRIu64
                      " dropped:%"PRIu64" errors:%"PRIu64"\n",
                      st->rx_packets, st->rx_bytes, st->rx_dropped,
                      st->rx_errors);
        ds_put_format(s, "    TX packets:%"PRIu64" bytes:%"PRIu64
                      " dropped:%"PRIu64" errors:%"PRIu64"\n",
                      st->tx_packets, st->tx_bytes, st->tx_dropped,
                      st->tx_errors);
        ds_put_format(s, "    io: %s%s%s%s\n", p->io_desc,
                      p->io_why ? " (AF_XDP not used: " : "",
                      p->io_why ? p->io_why : "", p->io_why ? ")" : "");
    }
    free(ports);
}
