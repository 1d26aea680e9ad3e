/*
 * nftc internals: shared by kmod/nftc*.c and the unit tests only.
 *
 * Lowering is two plug-in shapes, each an ops table with an explicit
 * registry array:
 *
 *   - struct nftc_field_ops (nftc-field.c): one per match field kind; turns
 *     the field's value and mask into one member of the concatenated key;
 *
 *   - struct nftc_action_ops (nftc-action.c): one per ofpact type that can
 *     be offloaded; checks it and turns it into rules of an action chain.
 *
 * The rest, one file each:
 *
 *   nftc.c       the state (struct nftc and what it holds, below): its
 *                lifecycle, ports, and the bookkeeping of flows, groups
 *                and action chains;
 *   nftc-txn.c   transactions: queued operations, the plan of a commit,
 *                and the state settled after the kernel's answer;
 *   nftc-msg.c   message building: expressions, the objects of our table
 *                (table, chains, rules, maps, elements) and their framing
 *                into one batch; no I/O;
 *   nftc-nl.c    netlink I/O: the socket, request/answer exchanges, batch
 *                commits with generation checks and retries, and the
 *                parsing of the kernel's answers (errors, generation ids,
 *                echoed rules, element dumps with counters);
 *   nftc-mpls.c  the "mpls" expression of kmod/module (nftc-mpls.h).
 *
 * Thread-safety: as nftc.h; the registries are constant, the rest belongs
 * to the thread that owns the "struct nftc".
 */
#ifndef NFTC_PRIVATE_H
#define NFTC_PRIVATE_H 1

#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include "kmod/nftc.h"
#include "kmod/nftc-mpls.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"

struct ds;
struct mnl_socket;

/* Answers read in one system call, and the room for each: a dump message
 * is at most 32 KiB (the kernel's cap on what it fills for a reader). */
#define NFTC_RX_VLEN 64
#define NFTC_RX_SIZE (32 * 1024 + 4096)
struct nftc_mpls;
struct nftnl_rule;
struct nftnl_set;
struct ofpact;

/* nf_tables has 16 32-bit data registers: the longest key. */
#define NFTC_KEY_MAX 64
#define NFTC_FIELD_MAX 17
#define NFTC_FIELD_LEN_MAX 16

/* Where a field is read from. */
enum nftc_src {
    NFTC_SRC_META,                /* meta expression, 'meta_key'. */
    NFTC_SRC_PAYLOAD,             /* payload expression, 'base'+'offset'. */
};

/* One member of a concatenated key. */
struct nftc_kfield {
    const struct nftc_field_ops *ops;
    enum nftc_src src;
    uint32_t meta_key;            /* NFT_META_*, for NFTC_SRC_META. */
    uint32_t base;                /* NFT_PAYLOAD_*_HEADER. */
    uint32_t offset;              /* Bytes from 'base'. */
    uint8_t len;                  /* Bytes loaded, <= NFTC_FIELD_LEN_MAX. */
    uint8_t mask[NFTC_FIELD_LEN_MAX];  /* Bits compared. */
    uint8_t value[NFTC_FIELD_LEN_MAX]; /* Already masked. */
};

/* A lowered match: fields in registry order. */
struct nftc_key {
    size_t n;
    struct nftc_kfield f[NFTC_FIELD_MAX];
};

/* Bytes 'kf' takes in registers (and in the key): a multiple of 4. */
static inline size_t
nftc_kfield_width(const struct nftc_kfield *kf)
{
    return (kf->len + 3) & ~3u;
}

size_t nftc_key_len(const struct nftc_key *);
bool nftc_kfield_is_exact(const struct nftc_kfield *);
void nftc_key_bytes(const struct nftc_key *, uint8_t out[NFTC_KEY_MAX]);

/* A port nftc knows. */
struct nftc_port {
    struct hmap_node node;        /* In nftc->ports, by 'ofport'. */
    ofp_port_t ofport;
    char *ifname;
    int ifindex;
};
const struct nftc_port *nftc_port_find(const struct nftc *, ofp_port_t);

/* Result of lowering one field. */
enum nftc_field_result {
    NFTC_FIELD_ABSENT,            /* The match does not use the field. */
    NFTC_FIELD_LOWERED,           /* 'kf' filled in. */
    NFTC_FIELD_UNSUPPORTED,       /* Used, but inexpressible: see reason. */
};

/* A match field kind. */
struct nftc_field_ops {
    const char *name;             /* For reasons and comments. */

    /* Lowers the field of 'match' into 'kf' and clears from 'residual' the
     * wildcard bits it consumed (also when UNSUPPORTED, so the caller does
     * not report them twice).  Appends to 'reason' when UNSUPPORTED. */
    enum nftc_field_result (*lower)(const struct nftc *,
                                    const struct match *match,
                                    struct flow_wildcards *residual,
                                    struct nftc_kfield *kf,
                                    struct ds *reason);
};

extern const struct nftc_field_ops *const nftc_field_registry[];
extern const size_t nftc_n_fields;

/* Lowers 'match' into 'key'.  Returns 0 if 'key' matches exactly the
 * frames 'match' does; otherwise EOPNOTSUPP and 'key' is a superset
 * (inexpressible fields left out, reason appended), or E2BIG and 'key'
 * is a superset cut to NFTC_KEY_MAX bytes. */
int nftc_match_lower(const struct nftc *, const struct match *,
                     struct nftc_key *key, struct ds *reason);

/* A payload rewrite, the common form of all set-field actions. */
struct nftc_rewrite {
    uint32_t base;                /* NFT_PAYLOAD_*_HEADER. */
    uint32_t offset;
    uint32_t len;                 /* <= NFTC_FIELD_LEN_MAX. */
    uint8_t value[NFTC_FIELD_LEN_MAX];
    uint8_t keep[NFTC_FIELD_LEN_MAX];  /* Bits kept from the packet. */
    bool partial;                 /* Some 'keep' bit is set. */
    uint32_t csum_type;           /* NFT_PAYLOAD_CSUM_*. */
    uint32_t csum_offset;         /* From 'base'. */
    uint32_t csum_flags;          /* NFT_PAYLOAD_L4CSUM_PSEUDOHDR or 0. */
};

/* What the action lowering may know of the packet: from the match. */
struct nftc_l3ctx {
    ovs_be16 dl_type;             /* 0 unless the match pins it. */
    uint8_t nw_proto;             /* 0 unless the match pins it. */
};

enum nftc_action_kind {
    NFTC_ACT_OUTPUT,              /* dup/fwd to a port. */
    NFTC_ACT_REWRITE,             /* Payload write with checksum fix-up. */
};

/* An offloadable ofpact type. */
struct nftc_action_ops {
    const char *name;
    enum nftc_action_kind kind;

    /* NFTC_ACT_OUTPUT: the port 'a' outputs to, or OFPP_NONE with reason
     * appended if it cannot be offloaded. */
    ofp_port_t (*output_port)(const struct ofpact *a, struct ds *reason);

    /* NFTC_ACT_REWRITE: fills 'rw' and returns 0, or returns EOPNOTSUPP
     * with reason appended. */
    int (*rewrite)(const struct ofpact *a, const struct nftc_l3ctx *,
                   struct nftc_rewrite *rw, struct ds *reason);
};

/* Indexed by enum ofpact_type; NULL: not offloadable. */
extern const struct nftc_action_ops *const nftc_action_registry[];
extern const size_t nftc_n_action_registry;

void nftc_l3ctx_from_match(const struct match *, struct nftc_l3ctx *);

/* Checks whether 'ofpacts' can be lowered: returns 0 or EOPNOTSUPP with a
 * reason appended. */
int nftc_actions_check(const struct nftc *, const struct ofpact *ofpacts,
                       size_t ofpacts_len, const struct nftc_l3ctx *,
                       struct ds *reason);

/* Builds the rules of action chain 'chain' for already-checked 'ofpacts'
 * and returns their number; rules go to 'rules' (caller frees with
 * nftnl_rule_free()).  'mpls' (as many entries as 'rules') says, for each
 * rule, the "mpls" expression the caller must add to it (nftc-mpls.h), or
 * has op __NFT_MPLS_OP_MAX: libnftnl cannot hold that expression. */
size_t nftc_actions_lower(const struct nftc *, const char *table,
                          const char *chain, const struct ofpact *ofpacts,
                          size_t ofpacts_len, const struct nftc_l3ctx *,
                          struct nftnl_rule **rules, struct nftc_mpls *mpls,
                          size_t max_rules);
#define NFTC_ACT_RULES_MAX 64

/* The state (nftc.c, nftc-txn.c), which mirrors the kernel object for object:
 *
 *   struct nftc_group    a (lowered mask, priority): map "mN" + its rule
 *                        in chain "flows" (kernel handle once committed);
 *   struct nftc_actchain an action list: chain "aN";
 *   struct nftc_rflow    a flow: one element of its group's map (flows of
 *                        tables other than 0 are held but not lowered).
 *
 * The members marked "Transaction scratch" are valid only while
 * nftc_txn_commit() runs. */

/* The chain every port's base chain jumps to. */
#define NFTC_FLOWS_CHAIN "flows"

struct nftc_group {
    struct hmap_node node;        /* In nftc->groups, by 'desc'. */
    struct ovs_list list_node;    /* In nftc->group_list, priority desc. */
    uint32_t id;                  /* Map "m<id>", set id, rule id. */
    int priority;
    struct nftc_key key;          /* Fields and masks; values unused. */
    size_t key_len;
    uint8_t *desc;                /* Identity: priority + masks. */
    size_t desc_len;
    struct hmap elems;            /* nftc_rflow by key bytes. */
    uint64_t handle;              /* Kernel rule handle, 0 if unknown. */

    /* Transaction scratch. */
    bool pending;                 /* Created by the open transaction. */
    bool in_txn;
    bool flushed;                 /* Every element goes (nftc_txn_flush()):
                                   * its flows are not on 'txn_dels'. */
    bool map_later;               /* Its rule goes now, its map in a batch
                                   * of its own (nftc_reap()). */
    long delta;                   /* Flows added minus removed. */
    struct ovs_list txn_node;     /* In the transaction's group list. */
    struct ovs_list txn_adds;     /* nftc_rflow.txn_node. */
    struct ovs_list txn_dels;
};

struct nftc_actchain {
    struct hmap_node node;        /* In nftc->actchains. */
    struct hmap_node id_node;     /* In nftc->actchains_by_id. */
    uint32_t id;                  /* Chain "a<id>". */
    struct ofpact *ofpacts;
    size_t ofpacts_len;
    struct nftc_l3ctx l3;
    size_t n_refs;

    /* The chain's first rule is a counter: every packet an offloaded flow
     * of table 0 sends here, as last read (nftc_table_counters()). */
    uint64_t packets, bytes;

    /* Transaction scratch. */
    bool pending;
    bool in_txn;
    long delta;
    struct ovs_list txn_node;
};

struct nftc_rflow {
    struct hmap_node id_node;     /* In nftc->flows, by identity. */
    struct hmap_node key_node;    /* In group->elems, by 'key' (and in a
                                   * commit's plan, see nftc-txn.c). */
    uint32_t id_hash;             /* nftc_rflow_hash(). */
    uint32_t key_hash;            /* nftc_key_hash() of 'key', once
                                   * lowered. */
    struct ovs_list txn_node;
    struct minimatch match;
    uint8_t table_id;
    int priority;
    ovs_be64 cookie;
    struct ofpact *ofpacts;
    size_t ofpacts_len;

    void *owner;                  /* nftc_flow's. */
    struct nftc_group *group;     /* NULL: not lowered. */
    struct nftc_actchain *act;    /* NULL: punt (accept). */
    uint8_t key[NFTC_KEY_MAX];
    bool offloaded;
    uint64_t packets, bytes;      /* Kernel counters, as last read. */

    /* Flows of one group can have equal keys: a flow that stays in
     * userspace because it matches a field the kernel cannot read lowers
     * to the key of the match without it.  They share one kernel element,
     * whose verdict is that of its owner. */
    bool in_kernel;               /* Owns its key's element. */

    /* Transaction scratch (nftc-txn.c's element plan). */
    bool dying;                   /* On its group's txn_dels. */
    bool will_own;                /* Owns the element after the commit. */
    struct ovs_list emit_node;    /* On a list of elements to frame. */
};

struct nftc {
    char *bridge;
    char *table;
    bool offline;
    struct mnl_socket *nl;        /* nftc-nl.c's, NULL offline. */
    uint8_t *rx_buf;              /* nftc-nl.c's: NFTC_RX_VLEN buffers of
                                   * NFTC_RX_SIZE bytes, or NULL. */
    uint32_t portid;
    uint32_t seq;                 /* Next netlink sequence number. */
    int sndbuf;                   /* Send buffer size set, 0 if none. */

    struct hmap ports;            /* nftc_port by ofport. */
    struct hmap flows;            /* nftc_rflow by identity. */
    struct hmap groups;           /* nftc_group by desc. */
    struct ovs_list group_list;   /* nftc_group by priority, descending. */
    struct hmap actchains;        /* nftc_actchain by content. */
    struct hmap actchains_by_id;  /* nftc_actchain by id. */
    uint64_t retired_packets;     /* Counted by action chains that are */
    uint64_t retired_bytes;       /* gone (nftc_table_counters()). */
    uint32_t next_id;
    uint64_t next_fake_handle;    /* Offline mode. */

    bool txn_open;                /* nftc-txn.c's. */
    bool txn_flush;               /* nftc_txn_flush() was called. */
    struct hmap graveyard;        /* nftc_rflow a flush removed, by
                                   * id_node: freed by nftc_reap(). */
    uint32_t *doomed_maps;        /* Ids of maps no rule uses any more, */
    size_t n_doomed, allocated_doomed; /* deleted by nftc_reap(). */
    struct hmap txn_ops;          /* nftc_txn_op by flow identity. */
    struct ovs_list txn_list;     /* nftc_txn_op in order. */

    struct nftc_counts counts;
    struct nftc_rflow **changed;  /* nftc-nl.c's: flows whose counters the */
    size_t n_changed, allocated_changed;  /* read in progress changed. */
    uint32_t known_genid;         /* Generation after our last commit or
                                   * check, see nftc_check()... */
    bool genid_known;             /* ...if set: a batch starts with it
                                   * instead of asking the kernel (a stale
                                   * one costs an ERESTART and a retry). */
    struct ofpbuf last_batch;
    void (*presend_hook)(void *aux);
    void *presend_aux;
    bool mpls_expr;               /* Kernel has the "mpls" expression. */
    bool end_acks;                /* The kernel was seen acknowledging a
                                   * batch's END (6.10 and later). */
    nftc_ext_decode_fn *ext_decode;   /* NULL: no extension actions. */
};

/* Hash of a lowered key, for nftc_group.elems. */
static inline uint32_t
nftc_key_hash(const uint8_t *key, size_t len)
{
    return hash_bytes(key, len, 0);
}

/* Bookkeeping (nftc.c).
 *
 * A flow's identity is (table id, priority, match).  nftc_rflow_new()
 * returns a flow with only its identity set (the caller owns it);
 * nftc_rflow_free() frees one (and accepts NULL); nftc_rflow_find()
 * returns the flow of nftc->flows with the identity of 'key', or NULL.
 *
 * nftc_group_get() returns the group of lowered mask 'key' (values
 * unused) and 'priority', creating it, pending, in priority order if there
 * is none; nftc_actchain_get() likewise for the action chain of 'ofpacts'
 * under 'l3'.  The *_free() functions remove one from nftc's maps and free
 * it (a group's elements must be gone already). */
struct nftc_rflow *nftc_rflow_new(uint8_t table_id, int priority,
                                  const struct match *);
void nftc_rflow_free(struct nftc_rflow *);
uint32_t nftc_rflow_hash(const struct nftc_rflow *);
bool nftc_rflow_same_identity(const struct nftc_rflow *,
                              const struct nftc_rflow *);
struct nftc_rflow *nftc_rflow_find(const struct nftc *,
                                   const struct nftc_rflow *key);
struct nftc_group *nftc_group_get(struct nftc *, const struct nftc_key *key,
                                  int priority);
void nftc_group_free(struct nftc *, struct nftc_group *);
struct nftc_actchain *nftc_actchain_get(struct nftc *,
                                        const struct ofpact *ofpacts,
                                        size_t ofpacts_len,
                                        const struct nftc_l3ctx *l3);
void nftc_actchain_free(struct nftc *, struct nftc_actchain *);
struct nftc_actchain *nftc_actchain_by_id(const struct nftc *, uint32_t id);

/* Expression builders (nftc-msg.c).  Each appends one expression to 'r';
 * libnftnl takes ownership of the expression, never of the data. */
void nftc_expr_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg);
void nftc_expr_meta_set(struct nftnl_rule *r, uint32_t key, uint32_t sreg);
void nftc_expr_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset,
                       uint32_t len, uint32_t dreg);
void nftc_expr_payload_write(struct nftnl_rule *r,
                             const struct nftc_rewrite *, uint32_t sreg);
void nftc_expr_bitwise(struct nftnl_rule *r, uint32_t reg, uint32_t len,
                       const void *mask, const void *xor);
void nftc_expr_cmp(struct nftnl_rule *r, uint32_t sreg, enum nft_cmp_ops op,
                   const void *data, uint32_t len);
void nftc_expr_imm_data(struct nftnl_rule *r, uint32_t dreg,
                        const void *data, uint32_t len);
void nftc_expr_verdict(struct nftnl_rule *r, int verdict, const char *chain);
void nftc_expr_lookup(struct nftnl_rule *r, uint32_t sreg, uint32_t dreg,
                      const char *set, uint32_t set_id);
void nftc_expr_fwd(struct nftnl_rule *r, uint32_t sreg_dev, bool dup);
void nftc_expr_counter(struct nftnl_rule *r);

/* Batch framing (nftc-msg.c).
 *
 * A batch in memory, as the kernel reads it from one sendmsg():
 *
 *   +----------------------+----------+-----+----------+--------------------+
 *   | nlmsghdr BATCH_BEGIN | nlmsghdr | ... | nlmsghdr | nlmsghdr BATCH_END |
 *   | nfgenmsg res_id=10   | NFT_MSG_ |     | NFT_MSG_ | nfgenmsg res_id=10 |
 *   | NFNL_BATCH_GENID u32 | NEW...   |     | DEL...   |  (NLM_F_ACK)       |
 *   +----------------------+----------+-----+----------+--------------------+
 *
 * GENID is in network byte order; the kernel answers ERESTART on the BEGIN
 * sequence number if the ruleset generation moved on. */
struct nftc_batch {
    struct ofpbuf buf;
    uint32_t seq;                 /* Next sequence number. */
    uint32_t begin_seq, end_seq;
    size_t n_msgs;                /* Between BEGIN and END. */
    size_t last_ofs;              /* Offset of the last message before END
                                   * in 'buf', if 'n_msgs'. */
    bool ack_last;                /* The last message asks for an ack too
                                   * (nftc_batch_end()); true by default. */
};
void nftc_batch_init(struct nftc_batch *, uint32_t first_seq, uint32_t genid);
void nftc_batch_uninit(struct nftc_batch *);
/* Reserves room and starts a message of 'type' (NFT_MSG_*) for family
 * netdev; the caller fills the payload, then calls nftc_batch_close(). */
struct nlmsghdr *nftc_batch_open(struct nftc_batch *, uint16_t type,
                                 uint16_t flags);
void nftc_batch_close(struct nftc_batch *, struct nlmsghdr *);
void nftc_batch_end(struct nftc_batch *);
/* Rewrites the generation in BEGIN, for a retry. */
void nftc_batch_set_genid(struct nftc_batch *, uint32_t genid);

/* Reads NFNL_BATCH_GENID from the BEGIN message of a framed batch.
 * Returns false if 'data' does not start with a well-formed BEGIN. */
bool nftc_batch_parse_genid(const void *data, size_t len, uint32_t *genid);

/* Object messages (nftc-msg.c): the objects of table 'nftc->table',
 * each framed into 'b' as one message or a few.  Nothing here changes the
 * state or talks to the kernel. */

/* A rule of 'chain' in 'table', without expressions; and its comment. */
struct nftnl_rule *nftc_rule_new(const char *table, const char *chain);
void nftc_rule_set_comment(struct nftnl_rule *, const char *comment);

/* NEWTABLE or DELTABLE ('type') of the table, with 'flags'. */
void nftc_msg_table(const struct nftc *, struct nftc_batch *b,
                    uint16_t type, uint16_t flags);
/* What every table holds from its creation: set "ethertypes", map
 * "actions" (with the punt element) and chain "flows". */
void nftc_msg_skeleton(const struct nftc *, struct nftc_batch *b);
/* The ingress base chain "in-IFNAME" of 'port' and its rules, or its
 * deletion. */
void nftc_msg_port_chain(const struct nftc *, struct nftc_batch *b,
                         const struct nftc_port *port);
void nftc_msg_port_chain_del(const struct nftc *, struct nftc_batch *b,
                             const struct nftc_port *port);
/* Chain "aN" of 'a', its rules and its element in map "actions"; or the
 * deletion of the element and the chain. */
void nftc_msg_actchain(const struct nftc *, struct nftc_batch *b,
                       const struct nftc_actchain *a);
void nftc_msg_actchain_del(const struct nftc *, struct nftc_batch *b,
                           const struct nftc_actchain *a);
/* Map "mN" of new group 'g' and its lookup rule in chain "flows", placed
 * right after the rule of group 'after' (by handle, or by rule id if
 * 'after' is pending too), or first in the chain if 'after' is NULL; the
 * rule asks for an echo, which tells its handle.  Or the deletion of
 * both (of the rule only if 'g''s 'map_later'); nftc_msg_map_del() deletes
 * map "m<id>". */
void nftc_msg_group(const struct nftc *, struct nftc_batch *b,
                    const struct nftc_group *g,
                    const struct nftc_group *after);
void nftc_msg_map_del(const struct nftc *, struct nftc_batch *b,
                      uint32_t id);
void nftc_msg_group_del(const struct nftc *, struct nftc_batch *b,
                        const struct nftc_group *g);
/* The elements of group 'g' for the nftc_rflows on 'flows' (by
 * emit_node), added (with their action ids and comments) or deleted. */
void nftc_msg_elems(const struct nftc *, struct nftc_batch *b,
                    const struct nftc_group *g, struct ovs_list *flows,
                    bool add);
/* The deletion of every element of group 'g''s map, in one message. */
void nftc_msg_elems_flush(const struct nftc *, struct nftc_batch *b,
                          const struct nftc_group *g);
/* The name of group 'g''s map ("m" and its id) in 'name'. */
#define NFTC_MAP_NAME_LEN 16
void nftc_map_name(const struct nftc_group *g, char name[NFTC_MAP_NAME_LEN]);
/* Names 's' as the map of 'g' (family, table, name, and set id while 'g'
 * is pending), for a message about it or its elements. */
void nftc_msg_set_name(const struct nftc *, struct nftnl_set *s,
                       const struct nftc_group *g);

/* Netlink I/O (nftc-nl.c).  Offline, nothing is sent: commits only keep
 * the batch for nftc_last_batch() and succeed.
 *
 * nftc_nl_open() opens and binds the socket in the calling thread's
 * network namespace; nftc_nl_close() closes it (if open).
 *
 * nftc_nl_batch_start() reads the ruleset generation and starts 'b' for
 * it ('*genid'); nftc_nl_batch_commit() ends 'b', sends it and reads
 * every answer, resending on ERESTART with a fresh generation (at most
 * NFTC_MAX_RESTARTS times), and resending on a fresh socket if the
 * answers were lost while the generation shows nothing committed (else
 * ESTALE: the outcome is unknown).  Rules echoed for groups on 'new_groups'
 * (pending nftc_group by txn_node, may be NULL) get their kernel handle.
 * It returns 0 only if the kernel acknowledged the batch's commit; the
 * caller still owns 'b' (nftc_batch_uninit()).  Both return 0 or a
 * positive errno value. */
int nftc_nl_open(struct nftc *);
void nftc_nl_close(struct nftc *);

/* Closes and reopens the socket (after its answers went out of step with
 * our requests), counting it. */
int nftc_nl_reopen(struct nftc *);
int nftc_nl_batch_start(struct nftc *, struct nftc_batch *b,
                        uint32_t *genid);
int nftc_nl_batch_commit(struct nftc *, struct nftc_batch *b,
                         uint32_t genid, struct ovs_list *new_groups);

/* Reads the head counter of action chain 'a' into it, or of every action
 * chain if 'a' is NULL (one dump of our table's rules).  Offline, does
 * nothing.  Returns 0 or a positive errno value. */
int nftc_nl_read_actchains(struct nftc *, const struct nftc_actchain *a);

/* Test hooks. */
/* The last batch a commit framed (also in offline mode). */
const void *nftc_last_batch(const struct nftc *, size_t *len);
/* Called after the generation is read and before the batch is sent, on
 * the first attempt of each commit only: lets a test commit something
 * else in between to provoke ERESTART. */
void nftc_set_presend_hook(struct nftc *, void (*hook)(void *aux),
                           void *aux);
/* Overrides the probe of the kernel's "mpls" expression (nftc-mpls.h), so
 * offline tests can lower MPLS actions. */
void nftc_set_mpls_expr(struct nftc *, bool present);

#endif /* nftc-private.h */
