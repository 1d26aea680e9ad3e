/*
 * nftc.c: the table of one bridge, its ports, flows, transactions and
 * counters.  See nftc.h for the lowering and the guarantees.
 *
 * State mirrors the kernel object for object:
 *
 *   struct nftc_group    a (lowered mask, priority): map "mN" + its rule
 *                        in chain "flows" (kernel handle once committed);
 *   struct nftc_actchain an action list: chain "aN";
 *   struct nftc_rflow    a flow: one element of its group's map (flows of
 *                        tables other than 0 are held but not lowered).
 *
 * A commit plans against this state, frames one batch, and changes the
 * state only once the kernel acknowledged the batch's END.
 */
#include <config.h>

#include "kmod/nftc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "kmod/nftc-private.h"
#include "kmod/nftc-mpls.h"
#include "hash.h"
#include "byte-order.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(nftc);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define FLOWS_CHAIN "flows"
#define ETHERTYPES_SET "ethertypes"
#define ACTIONS_MAP "actions"

/* Action id of elements that punt to userspace ("accept"). */
#define PUNT_ID 0

/* Elements per NEWSETELEM/DELSETELEM message: the element list is one
 * netlink attribute, whose length is 16 bits. */
#define ELEMS_PER_MSG 128

/* nft's datatype numbers (nftables src/datatype.h), so that `nft list`
 * prints keys by type.  Key types concatenate 6 bits per member. */
enum nft_dtype {
    DTYPE_INTEGER = 4,
    DTYPE_IPADDR = 7,
    DTYPE_IP6ADDR = 8,
    DTYPE_ETHERADDR = 9,
    DTYPE_ETHERTYPE = 10,
    DTYPE_INET_PROTOCOL = 12,
    DTYPE_INET_SERVICE = 13,
    DTYPE_MARK = 19,              /* 32 bits: action ids. */
    DTYPE_IFINDEX = 20,
};
#define DTYPE_BITS 6

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
    long delta;                   /* Flows added minus removed. */
    struct ovs_list txn_node;     /* In the transaction's group list. */
    struct ovs_list txn_adds;     /* nftc_rflow.txn_node. */
    struct ovs_list txn_dels;
};

struct nftc_actchain {
    struct hmap_node node;        /* In nftc->actchains. */
    uint32_t id;                  /* Chain "a<id>". */
    struct ofpact *ofpacts;
    size_t ofpacts_len;
    struct nftc_l3ctx l3;
    size_t n_refs;

    bool pending;
    bool in_txn;
    long delta;
    struct ovs_list txn_node;
};

struct nftc_rflow {
    struct hmap_node id_node;     /* In nftc->flows, by identity. */
    struct hmap_node key_node;    /* In group->elems, by 'key'. */
    struct ovs_list txn_node;
    struct minimatch match;
    uint8_t table_id;
    int priority;
    ovs_be64 cookie;
    struct ofpact *ofpacts;
    size_t ofpacts_len;

    struct nftc_group *group;     /* NULL: not lowered. */
    struct nftc_actchain *act;    /* NULL: punt (accept). */
    uint8_t key[NFTC_KEY_MAX];
    bool offloaded;
    uint64_t packets, bytes;
};

struct nftc_txn_op {
    struct hmap_node node;        /* In nftc->txn_ops, by identity. */
    struct ovs_list list_node;    /* In nftc->txn_list, in order. */
    bool add;
    bool was_add;                 /* A delete that cancelled an add. */
    struct nftc_rflow *flow;      /* Identity (and, if 'add', content). */
};

struct nftc {
    char *bridge;
    char *table;
    bool offline;
    struct mnl_socket *nl;
    uint32_t portid;
    uint32_t seq;
    int sndbuf;

    struct hmap ports;            /* nftc_port by ofport. */
    struct hmap flows;            /* nftc_rflow by identity. */
    struct hmap groups;           /* nftc_group by desc. */
    struct ovs_list group_list;   /* nftc_group by priority, descending. */
    struct hmap actchains;        /* nftc_actchain by content. */
    uint32_t next_id;
    uint64_t next_fake_handle;    /* Offline mode. */

    bool txn_open;
    struct hmap txn_ops;
    struct ovs_list txn_list;

    struct nftc_counts counts;
    uint32_t known_genid;         /* Generation after our last commit or
                                   * check, see nftc_check(). */
    struct ofpbuf last_batch;
    void (*presend_hook)(void *aux);
    void *presend_aux;
    bool mpls_expr;               /* Kernel has the "mpls" expression. */
};

/* ------------------------------------------------------------------ */
/* Netlink I/O. */

/* libmnl reports -1 and errno; turn that into a positive errno now. */
static int
mnl_error(void)
{
    return errno ? errno : EIO;
}

static int
nl_open(struct nftc *nftc)
{
    int one = 1, size = 16 << 20;
    int fd;

    nftc->nl = mnl_socket_open(NETLINK_NETFILTER);
    if (!nftc->nl) {
        return mnl_error();
    }
    if (mnl_socket_bind(nftc->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        int error = mnl_error();
        mnl_socket_close(nftc->nl);
        nftc->nl = NULL;
        return error;
    }
    nftc->portid = mnl_socket_get_portid(nftc->nl);
    fd = mnl_socket_get_fd(nftc->nl);
    /* Errors without the request echoed back; big buffers so a large
     * batch's answers are never dropped (root may exceed rmem_max). */
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size)) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    nftc->sndbuf = 0;
    return 0;
}

static int
nl_ensure_sndbuf(struct nftc *nftc, size_t len)
{
    int fd = mnl_socket_get_fd(nftc->nl);
    int size;

    if (len + 4096 <= (size_t) nftc->sndbuf) {
        return 0;
    }
    if (len > INT_MAX / 4) {
        return EMSGSIZE;
    }
    size = MAX(len * 2, 1 << 20);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size)
        && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size)) {
        return errno;
    }
    nftc->sndbuf = size;
    return 0;
}

/* Validated view of an NLMSG_ERROR message: the errno value (0 for an
 * ack), or -1 if 'nlh' is too short to be one. */
static int
nlmsg_err(const struct nlmsghdr *nlh)
{
    const struct nlmsgerr *e;

    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof *e) {
        return -1;
    }
    e = mnl_nlmsg_get_payload(nlh);
    /* The kernel sends 0 or -errno; anything else (INT_MIN would overflow
     * the negation) is a protocol error. */
    return e->error <= 0 && e->error >= -4095 ? -e->error : EPROTO;
}

static int
gen_cb(const struct nlmsghdr *nlh, void *genid_)
{
    uint32_t *genid = genid_;
    struct nftnl_gen *gen = nftnl_gen_alloc();

    if (gen && !nftnl_gen_nlmsg_parse(nlh, gen)
        && nftnl_gen_is_set(gen, NFTNL_GEN_ID)) {
        *genid = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
    }
    nftnl_gen_free(gen);
    return MNL_CB_OK;
}

/* Runs one request/answer exchange: sends 'nlh' and feeds answers to 'cb'
 * until the kernel says done (an ack, NLMSG_DONE or an error). */
static int
nl_talk(struct nftc *nftc, struct nlmsghdr *nlh, mnl_cb_t cb, void *aux)
{
    uint8_t *buf = xmalloc((256 * 1024));
    uint32_t seq = nlh->nlmsg_seq;
    int error = 0;
    int ret;

    if (mnl_socket_sendto(nftc->nl, nlh, nlh->nlmsg_len) < 0) {
        free(buf);
        return mnl_error();
    }
    for (;;) {
        ret = mnl_socket_recvfrom(nftc->nl, buf, (256 * 1024));
        if (ret < 0) {
            if (errno == EINTR) {
                continue;
            }
            error = mnl_error();
            break;
        }
        errno = 0;
        ret = mnl_cb_run(buf, ret, seq, nftc->portid, cb, aux);
        if (ret < 0) {
            error = mnl_error();
            break;
        } else if (ret == MNL_CB_STOP) {
            break;
        }
    }
    free(buf);
    return error;
}

static int
nl_get_genid(struct nftc *nftc, uint32_t *genid)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh;

    nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC,
                                NLM_F_ACK, nftc->seq++);
    *genid = 0;
    return nl_talk(nftc, nlh, gen_cb, genid);
}

/* Echoed NEWRULE of a new group: learn its kernel handle from the comment
 * "mN ...", which is how a rule names its group. */
static void
echo_rule(struct nftc *nftc, const struct nlmsghdr *nlh,
          struct ovs_list *groups)
{
    struct nftnl_rule *r = nftnl_rule_alloc();
    const char *comment = NULL;
    const void *ud;
    uint32_t ud_len = 0, id;
    struct nftc_group *g;

    if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0
        || !nftnl_rule_is_set(r, NFTNL_RULE_HANDLE)) {
        goto out;
    }
    ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &ud_len);
    if (ud) {
        const struct nftnl_udata *attr;

        nftnl_udata_for_each_data (ud, ud_len, attr) {
            if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT
                && nftnl_udata_len(attr) > 0) {
                const char *s = nftnl_udata_get(attr);
                if (memchr(s, '\0', nftnl_udata_len(attr))) {
                    comment = s;
                }
            }
        }
    }
    if (!comment || sscanf(comment, "m%"SCNu32, &id) != 1) {
        goto out;
    }
    LIST_FOR_EACH (g, txn_node, groups) {
        if (g->id == id && g->pending) {
            g->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
            break;
        }
    }
out:
    nftnl_rule_free(r);
    (void) nftc;
}

/* Sends batch 'b' and reads every answer; the kernel processes a batch
 * inside sendmsg(), so all answers are queued when it returns.  Returns 0
 * only if END was acknowledged, i.e. the batch committed. */
static int
nl_send_batch(struct nftc *nftc, struct nftc_batch *b,
              struct ovs_list *new_groups)
{
    size_t bufsize = (512 * 1024);
    uint8_t *buf;
    bool end_acked = false;
    int first_error = 0;
    int error;

    error = nl_ensure_sndbuf(nftc, b->buf.size);
    if (error) {
        return error;
    }
    if (mnl_socket_sendto(nftc->nl, b->buf.data, b->buf.size) < 0) {
        return mnl_error();
    }

    buf = xmalloc(bufsize);
    for (;;) {
        ssize_t n = recv(mnl_socket_get_fd(nftc->nl), buf, bufsize,
                         MSG_DONTWAIT);
        const struct nlmsghdr *nlh;
        int len;

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            } else if (errno != EAGAIN && !first_error) {
                /* ENOBUFS: answers were lost; we cannot know. */
                first_error = errno;
            }
            break;
        }
        len = n;
        for (nlh = (const struct nlmsghdr *) buf; mnl_nlmsg_ok(nlh, len);
             nlh = mnl_nlmsg_next(nlh, &len)) {
            if (nlh->nlmsg_seq < b->begin_seq
                || nlh->nlmsg_seq > b->end_seq) {
                continue;
            }
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                int err = nlmsg_err(nlh);

                if (err < 0) {
                    VLOG_WARN_RL(&rl, "short netlink error message");
                    err = EPROTO;
                }
                if (err && !first_error) {
                    first_error = err;
                } else if (!err && (nlh->nlmsg_seq == b->end_seq
                                    || (b->n_msgs
                                        && nlh->nlmsg_seq == b->end_seq - 1))) {
                    /* END's acknowledgement, or on kernels that do not
                     * send one, the last message's (nftc_batch_end()). */
                    end_acked = true;
                }
            } else if (nlh->nlmsg_type
                       == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE)
                       && new_groups) {
                echo_rule(nftc, nlh, new_groups);
            }
        }
    }
    free(buf);
    if (first_error) {
        return first_error;
    }
    return end_acked ? 0 : EPROTO;
}

/* Sends 'b' (built for generation 'genid') and retries on ERESTART with a
 * fresh generation: our batches name only our own objects, so a foreign
 * commit never invalidates them and the same messages are resent. */
static int
commit_batch(struct nftc *nftc, struct nftc_batch *b, uint32_t genid,
             struct ovs_list *new_groups)
{
    int error;

    ofpbuf_clear(&nftc->last_batch);
    ofpbuf_put(&nftc->last_batch, b->buf.data, b->buf.size);
    if (nftc->offline) {
        nftc->counts.n_commits++;
        return 0;
    }
    if (nftc->presend_hook) {
        nftc->presend_hook(nftc->presend_aux);
    }
    for (int attempt = 0; ; attempt++) {
        error = nl_send_batch(nftc, b, new_groups);
        if (error != ERESTART || attempt >= NFTC_MAX_RESTARTS) {
            break;
        }
        nftc->counts.n_restarts++;
        VLOG_DBG("generation %"PRIu32" is stale, retrying", genid);
        error = nl_get_genid(nftc, &genid);
        if (error) {
            break;
        }
        nftc_batch_set_genid(b, genid);
    }
    if (error) {
        nftc->counts.n_failures++;
    } else {
        nftc->counts.n_commits++;
        /* Remember the generation our commit made, so nftc_check() can
         * tell at the cost of one message whether anyone came after. */
        nl_get_genid(nftc, &nftc->known_genid);
    }
    return error;
}

/* Starts a batch against the current generation. */
static int
batch_start(struct nftc *nftc, struct nftc_batch *b, uint32_t *genid)
{
    int error = 0;

    *genid = 0;
    if (!nftc->offline) {
        error = nl_get_genid(nftc, genid);
        if (error) {
            return error;
        }
    }
    nftc_batch_init(b, nftc->seq, *genid);
    return 0;
}

static void
batch_finish(struct nftc *nftc, struct nftc_batch *b)
{
    nftc_batch_end(b);
    nftc->seq = b->seq;
}

/* ------------------------------------------------------------------ */
/* Object messages. */

static void
put_comment(struct nftnl_udata_buf *udbuf, uint8_t type, const char *s)
{
    nftnl_udata_put_strz(udbuf, type, s);
}

static void
msg_table(struct nftc *nftc, struct nftc_batch *b, uint16_t type,
          uint16_t flags)
{
    struct nftnl_table *t = nftnl_table_alloc();
    struct nlmsghdr *nlh;

    nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_NETDEV);
    nftnl_table_set_str(t, NFTNL_TABLE_NAME, nftc->table);
    nlh = nftc_batch_open(b, type, flags);
    nftnl_table_nlmsg_build_payload(nlh, t);
    nftc_batch_close(b, nlh);
    nftnl_table_free(t);
}

static void
msg_chain(struct nftc *nftc, struct nftc_batch *b, uint16_t type,
          const char *name, const char *dev)
{
    struct nftnl_chain *c = nftnl_chain_alloc();
    struct nlmsghdr *nlh;

    nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_NETDEV);
    nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, nftc->table);
    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
    if (dev && type == NFT_MSG_NEWCHAIN) {
        nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_NETDEV_INGRESS);
        nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
        nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, dev);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
    }
    nlh = nftc_batch_open(b, type, type == NFT_MSG_NEWCHAIN
                                   ? NLM_F_CREATE | NLM_F_EXCL : 0);
    nftnl_chain_nlmsg_build_payload(nlh, c);
    nftc_batch_close(b, nlh);
    nftnl_chain_free(c);
}

/* Frames 'r' as NEWRULE; frees it. */
static void
msg_rule_take(struct nftc_batch *b, struct nftnl_rule *r, uint16_t flags)
{
    struct nlmsghdr *nlh = nftc_batch_open(b, NFT_MSG_NEWRULE,
                                           NLM_F_CREATE | flags);
    nftnl_rule_nlmsg_build_payload(nlh, r);
    nftc_batch_close(b, nlh);
    nftnl_rule_free(r);
}

/* Frames 'r' (table, chain, comment: no libnftnl expressions) as NEWRULE
 * appended to its chain, with the one "mpls" expression 'm' that libnftnl
 * cannot hold; frees 'r'. */
/* libopenvswitch leaves the padding after a set-field's value and mask
 * uninitialised; zero it so equal action lists are equal bytes. */
static void
nftc_ofpacts_zero_padding(struct ofpact *ofpacts, size_t len)
{
    struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type == OFPACT_SET_FIELD) {
            struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
            size_t n = sf->field->n_bytes;
            size_t pad = ROUND_UP(n, OFPACT_ALIGNTO) - n;
            memset((uint8_t *) sf->value + n, 0, pad);
            memset((uint8_t *) ofpact_set_field_mask(sf) + n, 0, pad);
        }
    }
}

static void
msg_rule_take_mpls(struct nftc_batch *b, struct nftnl_rule *r,
                   const struct nftc_mpls *m)
{
    struct nlmsghdr *nlh = nftc_batch_open(b, NFT_MSG_NEWRULE,
                                           NLM_F_CREATE | NLM_F_APPEND);
    struct nlattr *list;

    nftnl_rule_nlmsg_build_payload(nlh, r);
    /* libnftnl wrote an empty expression list: cut it out, ours replaces
     * it (the kernel would keep only the last of two). */
    struct nlattr *attr;
    mnl_attr_for_each (attr, nlh, sizeof(struct nfgenmsg)) {
        if (mnl_attr_get_type(attr) == NFTA_RULE_EXPRESSIONS) {
            char *tail = (char *) nlh + nlh->nlmsg_len;
            char *next = (char *) attr + MNL_ALIGN(attr->nla_len);

            memmove(attr, next, tail - next);
            nlh->nlmsg_len -= next - (char *) attr;
            break;
        }
    }
    list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
    nftc_mpls_put_expr(nlh, m);
    mnl_attr_nest_end(nlh, list);
    nftc_batch_close(b, nlh);
    nftnl_rule_free(r);
}

static void
rule_set_comment(struct nftnl_rule *r, const char *comment)
{
    struct nftnl_udata_buf *udbuf = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

    put_comment(udbuf, NFTNL_UDATA_RULE_COMMENT, comment);
    nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(udbuf),
                        nftnl_udata_buf_len(udbuf));
    nftnl_udata_buf_free(udbuf);
}

static struct nftnl_rule *
rule_new(struct nftc *nftc, const char *chain)
{
    struct nftnl_rule *r = nftnl_rule_alloc();

    nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nftc->table);
    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
    return r;
}

/* Frames one element of map "actions": 'id' -> goto "a<id>" (or accept
 * for PUNT_ID), or its deletion.  's' names the map. */
static void
msg_action_elem(struct nftc *nftc OVS_UNUSED, struct nftc_batch *b,
                struct nftnl_set *s, uint32_t id, bool add)
{
    struct nftnl_set_elem *e = nftnl_set_elem_alloc();
    struct nlmsghdr *nlh;
    char chain[16];

    ovs_be32 key = htonl(id);   /* Big endian: nft prints it as is. */

    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, sizeof key);
    if (add && id == PUNT_ID) {
        nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NF_ACCEPT);
    } else if (add) {
        snprintf(chain, sizeof chain, "a%"PRIu32, id);
        nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NFT_GOTO);
        nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
    }
    nftnl_set_elem_add(s, e);
    nlh = nftc_batch_open(b, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
                          add ? NLM_F_CREATE | NLM_F_EXCL : 0);
    nftnl_set_elems_nlmsg_build_payload(nlh, s);
    nftc_batch_close(b, nlh);
}

static void
msg_actions_map_elem(struct nftc *nftc, struct nftc_batch *b, uint32_t id,
                     bool add)
{
    struct nftnl_set *s = nftnl_set_alloc();

    nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
    nftnl_set_set_str(s, NFTNL_SET_TABLE, nftc->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, ACTIONS_MAP);
    msg_action_elem(nftc, b, s, id, add);
    nftnl_set_free(s);
}

/* The static part of the table: ethertype set, action map and chain
 * "flows". */
static void
msg_table_skeleton(struct nftc *nftc, struct nftc_batch *b)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nlmsghdr *nlh;

    msg_table(nftc, b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
    msg_chain(nftc, b, NFT_MSG_NEWCHAIN, FLOWS_CHAIN, NULL);

    nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
    nftnl_set_set_str(s, NFTNL_SET_TABLE, nftc->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, ETHERTYPES_SET);
    nftnl_set_set_u32(s, NFTNL_SET_ID, UINT32_MAX);
    nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_CONSTANT);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, DTYPE_ETHERTYPE);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sizeof(ovs_be16));
    nlh = nftc_batch_open(b, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL);
    nftnl_set_nlmsg_build_payload(nlh, s);
    nftc_batch_close(b, nlh);

    for (size_t i = 0; i < nftc_n_known_ethertypes; i++) {
        struct nftnl_set_elem *e = nftnl_set_elem_alloc();

        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &nftc_known_ethertypes[i],
                           sizeof nftc_known_ethertypes[i]);
        nftnl_set_elem_add(s, e);
    }
    nlh = nftc_batch_open(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL);
    nftnl_set_elems_nlmsg_build_payload(nlh, s);
    nftc_batch_close(b, nlh);
    nftnl_set_free(s);

    /* Action id -> action chain; id PUNT_ID accepts. */
    s = nftnl_set_alloc();
    nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
    nftnl_set_set_str(s, NFTNL_SET_TABLE, nftc->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, ACTIONS_MAP);
    nftnl_set_set_u32(s, NFTNL_SET_ID, UINT32_MAX - 1);
    nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, DTYPE_MARK);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sizeof(uint32_t));
    nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
    nlh = nftc_batch_open(b, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL);
    nftnl_set_nlmsg_build_payload(nlh, s);
    nftc_batch_close(b, nlh);
    msg_action_elem(nftc, b, s, PUNT_ID, true);
    nftnl_set_free(s);
}

/* Port base chain: frames of a known ethertype go to "flows". */
static void
msg_port_chain(struct nftc *nftc, struct nftc_batch *b,
               const struct nftc_port *port)
{
    char *name = xasprintf("in-%s", port->ifname);
    struct nftnl_rule *r;

    msg_chain(nftc, b, NFT_MSG_NEWCHAIN, name, port->ifname);

    /* VLAN-tagged frames are userspace's: the ETH_P_ALL socket has taken
     * them with their tag (it runs before nf ingress and accepts every
     * tagged frame), whereas the per-ethertype sockets that see what this
     * chain lets through would get them with the tag already gone.  So
     * they are dropped here, never handled twice, and never offloaded.
     * A payload read at LL offset 12 sees a tag the kernel stripped into
     * metadata, as nft's "vlan" matches do. */
    static const uint16_t tpids[] = { ETH_TYPE_VLAN_8021Q,
                                      ETH_TYPE_VLAN_8021AD };
    for (size_t i = 0; i < ARRAY_SIZE(tpids); i++) {
        ovs_be16 tpid = htons(tpids[i]);
        r = rule_new(nftc, name);
        nftc_expr_payload(r, NFT_PAYLOAD_LL_HEADER, 12, 2, NFT_REG32_00);
        nftc_expr_cmp(r, NFT_REG32_00, NFT_CMP_EQ, &tpid, sizeof tpid);
        nftc_expr_verdict(r, NF_DROP, NULL);
        rule_set_comment(r, "tagged frames are userspace's");
        msg_rule_take(b, r, NLM_F_APPEND);
    }

    r = rule_new(nftc, name);
    nftc_expr_meta(r, NFT_META_PROTOCOL, NFT_REG32_00);
    nftc_expr_lookup(r, NFT_REG32_00, UINT32_MAX, ETHERTYPES_SET, 0);
    nftc_expr_verdict(r, NFT_JUMP, FLOWS_CHAIN);
    rule_set_comment(r, "known ethertypes only: the rest is userspace's");
    msg_rule_take(b, r, NLM_F_APPEND);
    free(name);
}

/* ------------------------------------------------------------------ */
/* Lifecycle. */

static struct nftc *
nftc_alloc(const char *bridge, bool offline)
{
    struct nftc *nftc = xzalloc(sizeof *nftc);

    nftc->bridge = xstrdup(bridge);
    nftc->table = xasprintf("mvs-%s", bridge);
    nftc->offline = offline;
    nftc->seq = 1;
    nftc->next_id = 1;
    nftc->next_fake_handle = 1;
    hmap_init(&nftc->ports);
    hmap_init(&nftc->flows);
    hmap_init(&nftc->groups);
    ovs_list_init(&nftc->group_list);
    hmap_init(&nftc->actchains);
    hmap_init(&nftc->txn_ops);
    ovs_list_init(&nftc->txn_list);
    ofpbuf_init(&nftc->last_batch, 0);
    return nftc;
}

/* Deletes a previous run's table (if any) and creates ours, atomically:
 * "add table" first makes the delete succeed either way. */
static int
table_recreate(struct nftc *nftc)
{
    struct nftc_batch b;
    uint32_t genid;
    int error;

    error = batch_start(nftc, &b, &genid);
    if (error) {
        return error;
    }
    msg_table(nftc, &b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
    msg_table(nftc, &b, NFT_MSG_DELTABLE, 0);
    msg_table_skeleton(nftc, &b);
    batch_finish(nftc, &b);
    error = commit_batch(nftc, &b, genid, NULL);
    nftc_batch_uninit(&b);
    return error;
}

static int
nftc_create__(const char *bridge, bool offline, struct nftc **nftcp)
{
    struct nftc *nftc;
    int error = 0;

    *nftcp = NULL;
    if (!bridge || !bridge[0] || strlen(bridge) > 200) {
        return EINVAL;
    }
    nftc = nftc_alloc(bridge, offline);
    if (!offline) {
        error = nl_open(nftc);
    }
    if (!error) {
        error = table_recreate(nftc);
    }
    if (!error && !offline) {
        /* A failed probe only means no MPLS offload, as before. */
        int perr = nftc_mpls_probe(&nftc->mpls_expr);

        VLOG_INFO("%s: nf_tables \"mpls\" expression %s%s%s", nftc->table,
                  nftc->mpls_expr ? "present: MPLS actions offloaded"
                  : "absent: MPLS actions stay in userspace",
                  perr ? ", probe failed: " : "",
                  perr ? ovs_strerror(perr) : "");
    }
    if (error) {
        VLOG_WARN("%s: cannot set up nf_tables table: %s", nftc->table,
                  ovs_strerror(error));
        nftc_destroy(nftc);
        return error;
    }
    *nftcp = nftc;
    return 0;
}

int
nftc_create(const char *bridge, struct nftc **nftcp)
{
    return nftc_create__(bridge, false, nftcp);
}

int
nftc_create_offline(const char *bridge, struct nftc **nftcp)
{
    return nftc_create__(bridge, true, nftcp);
}

static void rflow_free(struct nftc_rflow *);
static void group_free(struct nftc *, struct nftc_group *);
static void actchain_free(struct nftc *, struct nftc_actchain *);

void
nftc_destroy(struct nftc *nftc)
{
    struct nftc_rflow *f;
    struct nftc_group *g;
    struct nftc_actchain *a;
    struct nftc_port *p;

    if (!nftc) {
        return;
    }
    nftc_txn_abort(nftc);
    HMAP_FOR_EACH_POP (f, id_node, &nftc->flows) {
        rflow_free(f);
    }
    HMAP_FOR_EACH_SAFE (g, node, &nftc->groups) {
        hmap_clear(&g->elems);
        group_free(nftc, g);
    }
    HMAP_FOR_EACH_SAFE (a, node, &nftc->actchains) {
        actchain_free(nftc, a);
    }
    HMAP_FOR_EACH_POP (p, node, &nftc->ports) {
        free(p->ifname);
        free(p);
    }
    hmap_destroy(&nftc->ports);
    hmap_destroy(&nftc->flows);
    hmap_destroy(&nftc->groups);
    hmap_destroy(&nftc->actchains);
    hmap_destroy(&nftc->txn_ops);
    ofpbuf_uninit(&nftc->last_batch);
    if (nftc->nl) {
        mnl_socket_close(nftc->nl);
    }
    free(nftc->bridge);
    free(nftc->table);
    free(nftc);
}

int
nftc_remove_table(struct nftc *nftc)
{
    struct nftc_batch b;
    uint32_t genid;
    int error;

    error = batch_start(nftc, &b, &genid);
    if (!error) {
        msg_table(nftc, &b, NFT_MSG_DELTABLE, 0);
        batch_finish(nftc, &b);
        error = commit_batch(nftc, &b, genid, NULL);
        nftc_batch_uninit(&b);
    }
    return error;
}

const char *
nftc_table_name(const struct nftc *nftc)
{
    return nftc->table;
}

/* ------------------------------------------------------------------ */
/* Ports. */

const struct nftc_port *
nftc_port_find(const struct nftc *nftc, ofp_port_t ofport)
{
    const struct nftc_port *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash_int(ofp_to_u16(ofport), 0),
                             &nftc->ports) {
        if (p->ofport == ofport) {
            return p;
        }
    }
    return NULL;
}

int
nftc_port_add(struct nftc *nftc, ofp_port_t ofport, const char *ifname,
              int ifindex)
{
    struct nftc_port *p;
    struct nftc_batch b;
    uint32_t genid;
    int error;

    if (!ifname || !ifname[0] || strlen(ifname) >= 16 || ifindex <= 0) {
        return EINVAL;
    }
    if (nftc_port_find(nftc, ofport)) {
        return EEXIST;
    }
    p = xzalloc(sizeof *p);
    p->ofport = ofport;
    p->ifname = xstrdup(ifname);
    p->ifindex = ifindex;

    error = batch_start(nftc, &b, &genid);
    if (!error) {
        msg_port_chain(nftc, &b, p);
        batch_finish(nftc, &b);
        error = commit_batch(nftc, &b, genid, NULL);
        nftc_batch_uninit(&b);
    }
    if (error) {
        free(p->ifname);
        free(p);
        return error;
    }
    hmap_insert(&nftc->ports, &p->node, hash_int(ofp_to_u16(ofport), 0));
    return 0;
}

static bool
port_in_use(const struct nftc *nftc, const struct nftc_port *port)
{
    const struct nftc_rflow *f;

    HMAP_FOR_EACH (f, id_node, &nftc->flows) {
        const struct ofpact *a;
        struct match match;

        if (!f->group) {
            continue;
        }
        minimatch_expand(&f->match, &match);
        if (match.wc.masks.in_port.ofp_port
            && match.flow.in_port.ofp_port == port->ofport) {
            return true;
        }
        OFPACT_FOR_EACH (a, f->ofpacts, f->act ? f->ofpacts_len : 0) {
            if (a->type == OFPACT_OUTPUT
                && ofpact_get_OUTPUT(a)->port == port->ofport) {
                return true;
            }
        }
    }
    return false;
}

int
nftc_port_del(struct nftc *nftc, ofp_port_t ofport)
{
    struct nftc_port *p = CONST_CAST(struct nftc_port *,
                                     nftc_port_find(nftc, ofport));
    struct nftc_batch b;
    uint32_t genid;
    int error;

    if (!p) {
        return ENOENT;
    }
    if (port_in_use(nftc, p)) {
        return EBUSY;
    }
    error = batch_start(nftc, &b, &genid);
    if (!error) {
        char *name = xasprintf("in-%s", p->ifname);

        msg_chain(nftc, &b, NFT_MSG_DELCHAIN, name, NULL);
        free(name);
        batch_finish(nftc, &b);
        error = commit_batch(nftc, &b, genid, NULL);
        nftc_batch_uninit(&b);
    }
    if (!error) {
        hmap_remove(&nftc->ports, &p->node);
        free(p->ifname);
        free(p);
    }
    return error;
}

/* ------------------------------------------------------------------ */
/* Decision. */

bool
nftc_flow_offloadable(const struct nftc *nftc, const struct nftc_flow *flow,
                      struct ds *reason)
{
    struct ds scratch = DS_EMPTY_INITIALIZER;
    struct ds *r = reason ? reason : &scratch;
    struct nftc_l3ctx l3;
    struct nftc_key key;
    size_t start = r->length;
    bool ok;

    if (flow->table_id != 0) {
        ds_put_format(r, "table %"PRIu8": only single-table pipelines "
                      "(table 0) are offloaded; ", flow->table_id);
    } else {
        nftc_match_lower(nftc, flow->match, &key, r);
        nftc_l3ctx_from_match(flow->match, &l3);
        nftc_actions_check(nftc, flow->ofpacts, flow->ofpacts_len, &l3, r);
    }
    ok = r->length == start;
    if (!ok) {
        /* Drop the trailing "; ". */
        if (r->length >= start + 2) {
            ds_truncate(r, r->length - 2);
        }
    }
    ds_destroy(&scratch);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Flows, groups and action chains. */

static uint32_t
identity_hash(const struct minimatch *match, uint8_t table_id, int priority)
{
    return minimatch_hash(match, hash_2words(table_id, priority));
}

static uint32_t
rflow_hash(const struct nftc_rflow *f)
{
    return identity_hash(&f->match, f->table_id, f->priority);
}

static bool
rflow_same_identity(const struct nftc_rflow *a, const struct nftc_rflow *b)
{
    return (a->table_id == b->table_id && a->priority == b->priority
            && minimatch_equal(&a->match, &b->match));
}

static struct nftc_rflow *
rflow_new(uint8_t table_id, int priority, const struct match *match)
{
    struct nftc_rflow *f = xzalloc(sizeof *f);

    f->table_id = table_id;
    f->priority = priority;
    minimatch_init(&f->match, match);
    return f;
}

static void
rflow_free(struct nftc_rflow *f)
{
    if (f) {
        minimatch_destroy(&f->match);
        free(f->ofpacts);
        free(f);
    }
}

static struct nftc_rflow *
flow_find(const struct nftc *nftc, const struct nftc_rflow *key)
{
    struct nftc_rflow *f;

    HMAP_FOR_EACH_WITH_HASH (f, id_node, rflow_hash(key), &nftc->flows) {
        if (rflow_same_identity(f, key)) {
            return f;
        }
    }
    return NULL;
}

/* A group's identity: its priority and, per key member, where it is read
 * from and its mask. */
static void
group_desc(const struct nftc_key *key, int priority, struct ofpbuf *out)
{
    ofpbuf_put(out, &priority, sizeof priority);
    for (size_t i = 0; i < key->n; i++) {
        const struct nftc_kfield *kf = &key->f[i];
        uint32_t hdr[4] = { kf->src, kf->meta_key, kf->base, kf->offset };

        ofpbuf_put(out, hdr, sizeof hdr);
        ofpbuf_put(out, &kf->len, 1);
        ofpbuf_put(out, kf->mask, kf->len);
    }
}

static struct nftc_group *
group_find(const struct nftc *nftc, const void *desc, size_t len,
           uint32_t hash)
{
    struct nftc_group *g;

    HMAP_FOR_EACH_WITH_HASH (g, node, hash, &nftc->groups) {
        if (g->desc_len == len && !memcmp(g->desc, desc, len)) {
            return g;
        }
    }
    return NULL;
}

/* Creates a group (pending) and inserts it in priority order: after every
 * group of higher or equal priority. */
static struct nftc_group *
group_create(struct nftc *nftc, const struct nftc_key *key, int priority,
             const void *desc, size_t len, uint32_t hash)
{
    struct nftc_group *g = xzalloc(sizeof *g), *pos;

    g->id = nftc->next_id++;
    g->priority = priority;
    g->key = *key;
    g->key_len = nftc_key_len(key);
    g->desc = xmemdup(desc, len);
    g->desc_len = len;
    hmap_init(&g->elems);
    g->pending = true;
    hmap_insert(&nftc->groups, &g->node, hash);

    LIST_FOR_EACH (pos, list_node, &nftc->group_list) {
        if (pos->priority < priority) {
            ovs_list_insert(&pos->list_node, &g->list_node);
            return g;
        }
    }
    ovs_list_push_back(&nftc->group_list, &g->list_node);
    return g;
}

static void
group_free(struct nftc *nftc, struct nftc_group *g)
{
    hmap_remove(&nftc->groups, &g->node);
    ovs_list_remove(&g->list_node);
    hmap_destroy(&g->elems);
    free(g->desc);
    free(g);
}

static uint32_t
actchain_hash(const struct ofpact *ofpacts, size_t len,
              const struct nftc_l3ctx *l3)
{
    return hash_bytes(ofpacts, len, hash_2words(l3->dl_type, l3->nw_proto));
}

static struct nftc_actchain *
actchain_get(struct nftc *nftc, const struct ofpact *ofpacts, size_t len,
             const struct nftc_l3ctx *l3)
{
    uint32_t hash = actchain_hash(ofpacts, len, l3);
    struct nftc_actchain *a;

    HMAP_FOR_EACH_WITH_HASH (a, node, hash, &nftc->actchains) {
        if (a->ofpacts_len == len && !memcmp(a->ofpacts, ofpacts, len)
            && a->l3.dl_type == l3->dl_type
            && a->l3.nw_proto == l3->nw_proto) {
            return a;
        }
    }
    a = xzalloc(sizeof *a);
    a->id = nftc->next_id++;
    a->ofpacts = xmemdup(ofpacts, len);
    a->ofpacts_len = len;
    a->l3 = *l3;
    a->pending = true;
    hmap_insert(&nftc->actchains, &a->node, hash);
    return a;
}

static void
actchain_free(struct nftc *nftc, struct nftc_actchain *a)
{
    hmap_remove(&nftc->actchains, &a->node);
    free(a->ofpacts);
    free(a);
}

static uint32_t
key_hash(const uint8_t *key, size_t len)
{
    return hash_bytes(key, len, 0);
}

/* ------------------------------------------------------------------ */
/* Transactions. */

void
nftc_txn_begin(struct nftc *nftc)
{
    nftc_txn_abort(nftc);
    nftc->txn_open = true;
}

void
nftc_txn_abort(struct nftc *nftc)
{
    struct nftc_txn_op *op;

    LIST_FOR_EACH_POP (op, list_node, &nftc->txn_list) {
        hmap_remove(&nftc->txn_ops, &op->node);
        rflow_free(op->flow);
        free(op);
    }
    nftc->txn_open = false;
}

static struct nftc_txn_op *
txn_find(struct nftc *nftc, const struct nftc_rflow *key, uint32_t hash)
{
    struct nftc_txn_op *op;

    HMAP_FOR_EACH_WITH_HASH (op, node, hash, &nftc->txn_ops) {
        if (rflow_same_identity(op->flow, key)) {
            return op;
        }
    }
    return NULL;
}

/* Queues 'f' (taking ownership).  A later operation on the same identity
 * replaces an earlier one: add+add = the last add, add+del = del (or
 * nothing, if the flow did not exist before), del+add = add. */
static void
txn_queue(struct nftc *nftc, struct nftc_rflow *f, bool add)
{
    uint32_t hash = rflow_hash(f);
    struct nftc_txn_op *op = txn_find(nftc, f, hash);

    if (!op) {
        op = xzalloc(sizeof *op);
        hmap_insert(&nftc->txn_ops, &op->node, hash);
        ovs_list_push_back(&nftc->txn_list, &op->list_node);
    } else {
        rflow_free(op->flow);
        op->was_add = op->was_add || op->add;
    }
    op->add = add;
    op->flow = f;
}

int
nftc_txn_flow_add(struct nftc *nftc, const struct nftc_flow *flow)
{
    struct nftc_rflow *f;

    if (!nftc->txn_open) {
        return EINVAL;
    }
    f = rflow_new(flow->table_id, flow->priority, flow->match);
    f->cookie = flow->cookie;
    f->ofpacts = xmemdup(flow->ofpacts, flow->ofpacts_len);
    /* Action lists are hashed and compared as bytes to share chains. */
    nftc_ofpacts_zero_padding(f->ofpacts, flow->ofpacts_len);
    f->ofpacts_len = flow->ofpacts_len;
    txn_queue(nftc, f, true);
    return 0;
}

int
nftc_txn_flow_del(struct nftc *nftc, uint8_t table_id, int priority,
                  const struct match *match)
{
    if (!nftc->txn_open) {
        return EINVAL;
    }
    txn_queue(nftc, rflow_new(table_id, priority, match), false);
    return 0;
}

static bool
actions_rewrite(const struct ofpact *ofpacts, size_t len)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type != OFPACT_OUTPUT) {
            return true;
        }
    }
    return false;
}

/* Lowers new flow 'f' for table 0: its key, group and action chain. */
static void
txn_lower(struct nftc *nftc, struct nftc_rflow *f, struct ovs_list *groups,
          struct ovs_list *acts)
{
    struct ds reason = DS_EMPTY_INITIALIZER;
    struct nftc_l3ctx l3;
    struct nftc_key key;
    struct match match;
    struct ofpbuf desc;
    struct nftc_group *g;
    uint32_t hash;
    int error;

    minimatch_expand(&f->match, &match);
    error = nftc_match_lower(nftc, &match, &key, &reason);
    nftc_l3ctx_from_match(&match, &l3);
    if (!actions_rewrite(f->ofpacts, f->ofpacts_len)) {
        /* Only rewrites depend on the packet's protocols: let flows of
         * different protocols share the chain. */
        memset(&l3, 0, sizeof l3);
    }
    if (!error) {
        error = nftc_actions_check(nftc, f->ofpacts, f->ofpacts_len, &l3,
                                   &reason);
    }
    f->offloaded = !error;
    if (error) {
        VLOG_DBG("table %"PRIu8" priority %d stays in userspace: %s",
                 f->table_id, f->priority, ds_cstr(&reason));
    }
    ds_destroy(&reason);

    ofpbuf_init(&desc, 256);
    group_desc(&key, f->priority, &desc);
    hash = hash_bytes(desc.data, desc.size, 0);
    g = group_find(nftc, desc.data, desc.size, hash);
    if (!g) {
        g = group_create(nftc, &key, f->priority, desc.data, desc.size, hash);
    }
    ofpbuf_uninit(&desc);
    f->group = g;
    nftc_key_bytes(&key, f->key);
    if (!g->in_txn) {
        g->in_txn = true;
        ovs_list_init(&g->txn_adds);
        ovs_list_init(&g->txn_dels);
        ovs_list_push_back(groups, &g->txn_node);
    }
    g->delta++;
    ovs_list_push_back(&g->txn_adds, &f->txn_node);

    if (f->offloaded) {
        f->act = actchain_get(nftc, f->ofpacts, f->ofpacts_len, &l3);
        if (!f->act->in_txn) {
            f->act->in_txn = true;
            ovs_list_push_back(acts, &f->act->txn_node);
        }
        f->act->delta++;
    }
}

static void
txn_unlower(struct nftc_rflow *old, struct ovs_list *groups,
            struct ovs_list *acts)
{
    struct nftc_group *g = old->group;

    if (!g) {
        return;
    }
    if (!g->in_txn) {
        g->in_txn = true;
        ovs_list_init(&g->txn_adds);
        ovs_list_init(&g->txn_dels);
        ovs_list_push_back(groups, &g->txn_node);
    }
    g->delta--;
    ovs_list_push_back(&g->txn_dels, &old->txn_node);
    if (old->act) {
        if (!old->act->in_txn) {
            old->act->in_txn = true;
            ovs_list_push_back(acts, &old->act->txn_node);
        }
        old->act->delta--;
    }
}

static bool
group_dies(const struct nftc_group *g)
{
    return !g->pending && (long) hmap_count(&g->elems) + g->delta == 0;
}

static bool
actchain_dies(const struct nftc_actchain *a)
{
    return !a->pending && (long) a->n_refs + a->delta == 0;
}

static uint32_t
key_dtype(const struct nftc_key *key)
{
    uint32_t type = 0;

    if (key->n * DTYPE_BITS > 32) {
        return 0;
    }
    for (size_t i = 0; i < key->n; i++) {
        const struct nftc_kfield *kf = &key->f[i];
        uint32_t t = DTYPE_INTEGER;

        if (kf->src == NFTC_SRC_META) {
            t = (kf->meta_key == NFT_META_IIF ? DTYPE_IFINDEX
                 : kf->meta_key == NFT_META_PROTOCOL ? DTYPE_ETHERTYPE
                 : DTYPE_INET_PROTOCOL);
        } else if (kf->len == 6) {
            t = DTYPE_ETHERADDR;
        } else if (kf->len == 16) {
            t = DTYPE_IP6ADDR;
        } else if (kf->len == 4 && kf->base == NFT_PAYLOAD_NETWORK_HEADER
                   && kf->offset >= 12) {
            t = DTYPE_IPADDR;
        } else if (kf->len == 2 && kf->base == NFT_PAYLOAD_TRANSPORT_HEADER
                   && kf->offset <= 2) {
            t = DTYPE_INET_SERVICE;
        } else {
            /* No nft datatype of this size: the key stays untyped. */
            return 0;
        }
        type = (type << DTYPE_BITS) | t;
    }
    return type;
}

static void
put_ofpacts(struct ds *s, const struct ofpact *ofpacts, size_t len)
{
    struct ofpact_format_params fp = { .s = s };

    if (len) {
        ofpacts_format(ofpacts, len, &fp);
    } else {
        ds_put_cstr(s, "drop");
    }
}

static void
msg_actchain(struct nftc *nftc, struct nftc_batch *b,
             const struct nftc_actchain *a)
{
    struct nftnl_rule *rules[NFTC_ACT_RULES_MAX + 1];
    struct nftc_mpls mpls[NFTC_ACT_RULES_MAX + 1];
    char name[16];
    struct ds comment = DS_EMPTY_INITIALIZER;
    size_t n;

    snprintf(name, sizeof name, "a%"PRIu32, a->id);
    msg_chain(nftc, b, NFT_MSG_NEWCHAIN, name, NULL);
    n = nftc_actions_lower(nftc, nftc->table, name, a->ofpacts,
                           a->ofpacts_len, &a->l3, rules, mpls,
                           ARRAY_SIZE(rules));
    ds_put_cstr(&comment, "actions=");
    put_ofpacts(&comment, a->ofpacts, a->ofpacts_len);
    if (comment.length >= NFT_USERDATA_MAXLEN - 8) {
        ds_truncate(&comment, NFT_USERDATA_MAXLEN - 8);
    }
    rule_set_comment(rules[0], ds_cstr(&comment));
    ds_destroy(&comment);
    for (size_t i = 0; i < n; i++) {
        if (mpls[i].op != __NFT_MPLS_OP_MAX) {
            msg_rule_take_mpls(b, rules[i], &mpls[i]);
        } else {
            msg_rule_take(b, rules[i], NLM_F_APPEND);
        }
    }
    msg_actions_map_elem(nftc, b, a->id, true);
}

static void
set_fill(struct nftc *nftc, struct nftnl_set *s, const struct nftc_group *g)
{
    char name[16];

    snprintf(name, sizeof name, "m%"PRIu32, g->id);
    nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
    nftnl_set_set_str(s, NFTNL_SET_TABLE, nftc->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, name);
    if (g->pending) {
        nftnl_set_set_u32(s, NFTNL_SET_ID, g->id);
    }
}

/* Map "mN" and its lookup rule, placed after the nearest surviving group
 * of higher or equal priority, or first in "flows". */
static void
msg_group(struct nftc *nftc, struct nftc_batch *b, struct nftc_group *g)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nftnl_rule *r;
    struct nlmsghdr *nlh;
    struct ds comment = DS_EMPTY_INITIALIZER;
    struct nftc_group *prev = NULL, *pos;
    uint32_t reg = NFT_REG32_00;
    char name[16];

    set_fill(nftc, s, g);
    snprintf(name, sizeof name, "m%"PRIu32, g->id);
    nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_dtype(&g->key));
    nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, MAX(g->key_len, 1));
    if (g->key.n == 1 && g->key.f[0].src == NFTC_SRC_META
        && g->key.f[0].meta_key == NFT_META_IIF) {
        /* nft assumes big endian keys unless told; ifindex is not. */
        struct nftnl_udata_buf *udbuf = nftnl_udata_buf_alloc(64);

        nftnl_udata_put_u32(udbuf, NFTNL_UDATA_SET_KEYBYTEORDER,
                            1 /* nft's BYTEORDER_HOST_ENDIAN */);
        nftnl_set_set_data(s, NFTNL_SET_USERDATA,
                           nftnl_udata_buf_data(udbuf),
                           nftnl_udata_buf_len(udbuf));
        nftnl_udata_buf_free(udbuf);
    }
    nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, DTYPE_MARK);
    nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, sizeof(uint32_t));
    nftnl_set_add_expr(s, nftnl_expr_alloc("counter"));
    nlh = nftc_batch_open(b, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL);
    nftnl_set_nlmsg_build_payload(nlh, s);
    nftc_batch_close(b, nlh);
    nftnl_set_free(s);

    r = rule_new(nftc, FLOWS_CHAIN);
    for (size_t i = 0; i < g->key.n; i++) {
        const struct nftc_kfield *kf = &g->key.f[i];

        if (kf->src == NFTC_SRC_META) {
            nftc_expr_meta(r, kf->meta_key, reg);
        } else {
            nftc_expr_payload(r, kf->base, kf->offset, kf->len, reg);
        }
        if (!nftc_kfield_is_exact(kf)) {
            nftc_expr_bitwise(r, reg, kf->len, kf->mask, NULL);
        }
        reg += nftc_kfield_width(kf) / 4;
    }
    if (!g->key.n) {
        /* A catch-all flow: the key is one constant zero byte. */
        uint8_t zero = 0;
        nftc_expr_imm_data(r, NFT_REG32_00, &zero, 1);
    }
    /* Two lookups: key -> action id (the big map: no jumps in it, so
     * adding an element does not make the kernel re-validate every
     * element), then action id -> chain.  The id passes through the
     * packet mark so that `nft list` can print the rule. */
    nftc_expr_lookup(r, NFT_REG32_00, NFT_REG32_00, name, g->id);
    nftc_expr_meta_set(r, NFT_META_MARK, NFT_REG32_00);
    nftc_expr_meta(r, NFT_META_MARK, NFT_REG32_00);
    nftc_expr_lookup(r, NFT_REG32_00, NFT_REG_VERDICT, ACTIONS_MAP, 0);

    ds_put_format(&comment, "m%"PRIu32" priority=%d key=", g->id,
                  g->priority);
    for (size_t i = 0; i < g->key.n; i++) {
        ds_put_format(&comment, "%s%s", i ? "." : "", g->key.f[i].ops->name);
    }
    if (!g->key.n) {
        ds_put_cstr(&comment, "any");
    }
    rule_set_comment(r, ds_cstr(&comment));
    ds_destroy(&comment);
    nftnl_rule_set_u32(r, NFTNL_RULE_ID, g->id);

    for (pos = g; pos->list_node.prev != &nftc->group_list; ) {
        pos = CONTAINER_OF(pos->list_node.prev, struct nftc_group,
                           list_node);
        if (!group_dies(pos)) {
            prev = pos;
            break;
        }
    }
    if (!prev) {
        msg_rule_take(b, r, NLM_F_ECHO);   /* Insert at the head. */
    } else {
        if (prev->pending) {
            nftnl_rule_set_u32(r, NFTNL_RULE_POSITION_ID, prev->id);
        } else {
            nftnl_rule_set_u64(r, NFTNL_RULE_POSITION, prev->handle);
        }
        msg_rule_take(b, r, NLM_F_APPEND | NLM_F_ECHO);
    }
}

static void
elem_comment(const struct nftc_rflow *f, struct ds *s)
{
    ds_put_format(s, "table=%"PRIu8" priority=%d cookie=%#"PRIx64,
                  f->table_id, f->priority, ntohll(f->cookie));
    if (f->act) {
        ds_put_format(s, " actions=a%"PRIu32, f->act->id);
    } else {
        ds_put_cstr(s, " userspace");
    }
}

/* Elements of 'g' for the flows on 'list', ELEMS_PER_MSG per message. */
static void
msg_elems(struct nftc *nftc, struct nftc_batch *b, const struct nftc_group *g,
          struct ovs_list *list, bool add)
{
    struct nftc_rflow *f;
    struct nftnl_set *s = NULL;
    size_t n = 0;

    LIST_FOR_EACH (f, txn_node, list) {
        struct nftnl_set_elem *e = nftnl_set_elem_alloc();

        if (!s) {
            s = nftnl_set_alloc();
            set_fill(nftc, s, g);
        }
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, f->key,
                           MAX(g->key_len, 1));
        if (add) {
            struct nftnl_udata_buf *udbuf
                = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
            struct ds comment = DS_EMPTY_INITIALIZER;
            ovs_be32 id = htonl(f->act ? f->act->id : PUNT_ID);

            nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &id, sizeof id);
            elem_comment(f, &comment);
            put_comment(udbuf, NFTNL_UDATA_SET_ELEM_COMMENT,
                        ds_cstr(&comment));
            nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA,
                               nftnl_udata_buf_data(udbuf),
                               nftnl_udata_buf_len(udbuf));
            nftnl_udata_buf_free(udbuf);
            ds_destroy(&comment);
        }
        nftnl_set_elem_add(s, e);
        if (++n == ELEMS_PER_MSG || f->txn_node.next == list) {
            struct nlmsghdr *nlh;

            nlh = nftc_batch_open(b, add ? NFT_MSG_NEWSETELEM
                                         : NFT_MSG_DELSETELEM,
                                  add ? NLM_F_CREATE | NLM_F_EXCL : 0);
            nftnl_set_elems_nlmsg_build_payload(nlh, s);
            nftc_batch_close(b, nlh);
            nftnl_set_free(s);
            s = NULL;
            n = 0;
        }
    }
}

static void
msg_group_del(struct nftc *nftc, struct nftc_batch *b,
              const struct nftc_group *g)
{
    struct nftnl_rule *r = rule_new(nftc, FLOWS_CHAIN);
    struct nftnl_set *s = nftnl_set_alloc();
    struct nlmsghdr *nlh;

    nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, g->handle);
    nlh = nftc_batch_open(b, NFT_MSG_DELRULE, 0);
    nftnl_rule_nlmsg_build_payload(nlh, r);
    nftc_batch_close(b, nlh);
    nftnl_rule_free(r);

    set_fill(nftc, s, g);
    nlh = nftc_batch_open(b, NFT_MSG_DELSET, 0);
    nftnl_set_nlmsg_build_payload(nlh, s);
    nftc_batch_close(b, nlh);
    nftnl_set_free(s);
}

/* Applies a committed plan to the state, or undoes it ('ok' false). */
static void
txn_settle(struct nftc *nftc, struct ovs_list *groups, struct ovs_list *acts,
           bool ok)
{
    struct nftc_group *g;
    struct nftc_actchain *a;

    LIST_FOR_EACH_POP (g, txn_node, groups) {
        struct nftc_rflow *f;

        LIST_FOR_EACH_POP (f, txn_node, &g->txn_dels) {
            if (ok) {
                hmap_remove(&g->elems, &f->key_node);
                hmap_remove(&nftc->flows, &f->id_node);
                if (f->act) {
                    f->act->n_refs--;
                }
                rflow_free(f);
            }
        }
        LIST_FOR_EACH_POP (f, txn_node, &g->txn_adds) {
            if (ok) {
                hmap_insert(&g->elems, &f->key_node,
                            key_hash(f->key, g->key_len));
                hmap_insert(&nftc->flows, &f->id_node, rflow_hash(f));
                if (f->act) {
                    f->act->n_refs++;
                }
            } else {
                rflow_free(f);
            }
        }
        g->in_txn = false;
        g->delta = 0;
        if (g->pending && nftc->offline && ok) {
            g->handle = nftc->next_fake_handle++;
        }
        if ((g->pending && !ok) || (ok && !hmap_count(&g->elems))) {
            group_free(nftc, g);
        } else {
            g->pending = false;
        }
    }
    LIST_FOR_EACH_POP (a, txn_node, acts) {
        a->in_txn = false;
        a->delta = 0;
        if ((a->pending && !ok) || (ok && !a->n_refs)) {
            actchain_free(nftc, a);
        } else {
            a->pending = false;
        }
    }
}

/* Takes lowered new flows away from their ops: txn_settle() either
 * moves them into the state or frees them. */
static void
txn_detach_lowered(struct nftc *nftc)
{
    struct nftc_txn_op *op;

    LIST_FOR_EACH (op, list_node, &nftc->txn_list) {
        if (op->add && op->flow && op->flow->group) {
            op->flow = NULL;
        }
    }
}

int
nftc_txn_commit(struct nftc *nftc)
{
    struct ovs_list groups = OVS_LIST_INITIALIZER(&groups);
    struct ovs_list acts = OVS_LIST_INITIALIZER(&acts);
    struct ovs_list others_old = OVS_LIST_INITIALIZER(&others_old);
    struct ovs_list others_new = OVS_LIST_INITIALIZER(&others_new);
    struct nftc_txn_op *op;
    struct nftc_group *g;
    struct nftc_actchain *a;
    struct nftc_rflow *f;
    struct nftc_batch b;
    uint32_t genid;
    bool lowered_changes = false;
    int error = 0;

    if (!nftc->txn_open) {
        return EINVAL;
    }

    /* Plan.  Flows of other tables are only remembered ('others_*'). */
    LIST_FOR_EACH (op, list_node, &nftc->txn_list) {
        struct nftc_rflow *old = flow_find(nftc, op->flow);

        if (!op->add && !old) {
            if (op->was_add) {
                continue;       /* Added and deleted within the bundle. */
            }
            error = ENOENT;
            break;
        }
        if (old) {
            if (old->group) {
                txn_unlower(old, &groups, &acts);
                lowered_changes = true;
            } else {
                ovs_list_push_back(&others_old, &old->txn_node);
            }
        }
        if (op->add) {
            if (op->flow->table_id == 0) {
                txn_lower(nftc, op->flow, &groups, &acts);
                lowered_changes = true;
            } else {
                ovs_list_push_back(&others_new, &op->flow->txn_node);
            }
        }
    }

    /* Frame and send. */
    if (!error && lowered_changes) {
        error = batch_start(nftc, &b, &genid);
        if (!error) {
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (!ovs_list_is_empty(&g->txn_dels)) {
                    msg_elems(nftc, &b, g, &g->txn_dels, false);
                }
            }
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (group_dies(g)) {
                    msg_group_del(nftc, &b, g);
                }
            }
            LIST_FOR_EACH (a, txn_node, &acts) {
                if (a->pending) {
                    msg_actchain(nftc, &b, a);
                }
            }
            /* In priority order, so a new rule's predecessor is either
             * committed (handle) or already framed (rule id). */
            LIST_FOR_EACH (g, list_node, &nftc->group_list) {
                if (g->pending) {
                    msg_group(nftc, &b, g);
                }
            }
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (!ovs_list_is_empty(&g->txn_adds)) {
                    msg_elems(nftc, &b, g, &g->txn_adds, true);
                }
            }
            LIST_FOR_EACH (a, txn_node, &acts) {
                if (actchain_dies(a)) {
                    char name[16];

                    snprintf(name, sizeof name, "a%"PRIu32, a->id);
                    msg_actions_map_elem(nftc, &b, a->id, false);
                    msg_chain(nftc, &b, NFT_MSG_DELCHAIN, name, NULL);
                }
            }
            batch_finish(nftc, &b);
            error = commit_batch(nftc, &b, genid, &groups);
            nftc_batch_uninit(&b);
        }
        if (!error) {
            LIST_FOR_EACH (g, txn_node, &groups) {
                if (g->pending && !g->handle && !nftc->offline) {
                    VLOG_WARN_RL(&rl, "%s: no handle echoed for m%"PRIu32,
                                 nftc->table, g->id);
                }
            }
        }
    }

    /* Settle: the state follows the kernel. */
    txn_detach_lowered(nftc);
    txn_settle(nftc, &groups, &acts, !error);
    if (!error) {
        LIST_FOR_EACH_POP (f, txn_node, &others_old) {
            hmap_remove(&nftc->flows, &f->id_node);
            rflow_free(f);
        }
        LIST_FOR_EACH (op, list_node, &nftc->txn_list) {
            if (op->add && op->flow) {
                hmap_insert(&nftc->flows, &op->flow->id_node,
                            rflow_hash(op->flow));
                op->flow = NULL;
            }
        }
    } else {
        VLOG_WARN_RL(&rl, "%s: commit failed: %s", nftc->table,
                     ovs_strerror(error));
    }
    nftc_txn_abort(nftc);
    return error;
}

/* ------------------------------------------------------------------ */
/* Queries. */

static int
count_rules_cb(const struct nlmsghdr *nlh, void *n_)
{
    size_t *n = n_;
    if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWRULE) {
        (*n)++;
    }
    return MNL_CB_OK;
}

int
nftc_check(struct nftc *nftc)
{
    uint32_t genid;

    if (nftc->offline) {
        return 0;
    }
    int error = nl_get_genid(nftc, &genid);
    if (error) {
        return error;
    }
    if (genid == nftc->known_genid) {
        return 0;
    }

    /* Someone committed: is our table still there, with one lookup rule
     * per group in chain "flows"? */
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nftnl_rule *r = nftnl_rule_alloc();
    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nftc->table);
    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "flows");
    nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE,
                                                 NFPROTO_NETDEV, NLM_F_DUMP,
                                                 nftc->seq++);
    nftnl_rule_nlmsg_build_payload(nlh, r);
    nftnl_rule_free(r);

    size_t n = 0;
    error = nl_talk(nftc, nlh, count_rules_cb, &n);
    if (error == ENOENT || (!error && n != hmap_count(&nftc->groups))) {
        VLOG_WARN("table netdev %s was changed by someone else (%s)",
                  nftc->table, error ? "deleted"
                  : "its rules differ");
        return ESTALE;
    }
    if (!error) {
        nftc->known_genid = genid;
    }
    return error;
}

size_t
nftc_n_flows(const struct nftc *nftc)
{
    return hmap_count(&nftc->flows);
}

size_t
nftc_n_masks(const struct nftc *nftc)
{
    return hmap_count(&nftc->groups);
}

void
nftc_get_counts(const struct nftc *nftc, struct nftc_counts *counts)
{
    *counts = nftc->counts;
}

const void *
nftc_last_batch(const struct nftc *nftc, size_t *len)
{
    *len = nftc->last_batch.size;
    return nftc->last_batch.data;
}

void
nftc_set_presend_hook(struct nftc *nftc, void (*hook)(void *aux), void *aux)
{
    nftc->presend_hook = hook;
    nftc->presend_aux = aux;
}

void
nftc_set_mpls_expr(struct nftc *nftc, bool present)
{
    nftc->mpls_expr = present;
}

bool
nftc_has_mpls_expr(const struct nftc *nftc)
{
    return nftc->mpls_expr;
}

/* ------------------------------------------------------------------ */
/* Counters. */

struct stats_ctx {
    struct nftc *nftc;
    struct nftc_group *group;
};

static int
counter_cb(struct nftnl_expr *e, void *f_)
{
    struct nftc_rflow *f = f_;
    const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

    if (name && !strcmp(name, "counter")) {
        f->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
        f->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
    }
    return 0;
}

static int
elems_cb(const struct nlmsghdr *nlh, void *ctx_)
{
    struct stats_ctx *ctx = ctx_;
    struct nftc_group *g = ctx->group;
    struct nftnl_set *s = nftnl_set_alloc();
    struct nftnl_set_elems_iter *it;
    struct nftnl_set_elem *e;

    if (!s || nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
        VLOG_WARN_RL(&rl, "%s: unparsable element dump", ctx->nftc->table);
        nftnl_set_free(s);
        return MNL_CB_OK;
    }
    it = nftnl_set_elems_iter_create(s);
    while (it && (e = nftnl_set_elems_iter_next(it))) {
        uint32_t len = 0;
        const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
        uint8_t kbuf[NFTC_KEY_MAX];
        struct nftc_rflow *f;

        if (!key || len != MAX(g->key_len, 1) || len > NFTC_KEY_MAX) {
            VLOG_WARN_RL(&rl, "%s: element of unexpected size %"PRIu32,
                         ctx->nftc->table, len);
            continue;
        }
        memset(kbuf, 0, sizeof kbuf);
        memcpy(kbuf, key, len);
        HMAP_FOR_EACH_WITH_HASH (f, key_node, key_hash(kbuf, g->key_len),
                                 &g->elems) {
            if (!memcmp(f->key, kbuf, g->key_len)) {
                nftnl_set_elem_expr_foreach(e, counter_cb, f);
                break;
            }
        }
    }
    nftnl_set_elems_iter_destroy(it);
    nftnl_set_free(s);
    return MNL_CB_OK;
}

int
nftc_flow_counters(struct nftc *nftc, uint8_t table_id, int priority,
                   const struct match *match, uint64_t *packets,
                   uint64_t *bytes)
{
    struct nftc_rflow *key = rflow_new(table_id, priority, match);
    struct nftc_rflow *f = flow_find(nftc, key);
    rflow_free(key);

    if (!f || !f->group || f->group->pending || !f->act) {
        return ENOENT;
    }
    if (!nftc->offline) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct stats_ctx ctx = { .nftc = nftc, .group = f->group };
        struct nftnl_set *s = nftnl_set_alloc();
        struct nftnl_set_elem *e = nftnl_set_elem_alloc();

        set_fill(nftc, s, f->group);
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, f->key,
                           MAX(f->group->key_len, 1));
        nftnl_set_elem_add(s, e);
        struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(
            buf, NFT_MSG_GETSETELEM, NFPROTO_NETDEV, NLM_F_ACK,
            nftc->seq++);
        nftnl_set_elems_nlmsg_build_payload(nlh, s);
        nftnl_set_free(s);
        int error = nl_talk(nftc, nlh, elems_cb, &ctx);
        if (error) {
            return error;
        }
    }
    *packets = f->packets;
    *bytes = f->bytes;
    return 0;
}

int
nftc_stats_read(struct nftc *nftc, nftc_stats_cb *cb, void *aux)
{
    struct nftc_group *g;
    struct nftc_rflow *f;
    int error = 0;

    if (!nftc->offline) {
        char buf[MNL_SOCKET_BUFFER_SIZE];

        HMAP_FOR_EACH (g, node, &nftc->groups) {
            struct stats_ctx ctx = { .nftc = nftc, .group = g };
            struct nftnl_set *s = nftnl_set_alloc();
            struct nlmsghdr *nlh;

            set_fill(nftc, s, g);
            nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM,
                                        NFPROTO_NETDEV, NLM_F_DUMP,
                                        nftc->seq++);
            nftnl_set_elems_nlmsg_build_payload(nlh, s);
            nftnl_set_free(s);
            error = nl_talk(nftc, nlh, elems_cb, &ctx);
            if (error) {
                break;
            }
        }
    }
    if (error || !cb) {
        return error;
    }
    HMAP_FOR_EACH (f, id_node, &nftc->flows) {
        struct nftc_flow_stats st;
        struct match match;

        if (!f->group) {
            continue;
        }
        minimatch_expand(&f->match, &match);
        st.table_id = f->table_id;
        st.priority = f->priority;
        st.cookie = f->cookie;
        st.match = &match;
        st.offloaded = f->offloaded;
        st.packets = f->packets;
        st.bytes = f->bytes;
        cb(&st, aux);
    }
    return 0;
}
