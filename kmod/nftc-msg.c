/*
 * nftc-msg.c: building nf_tables messages: expressions, the objects of
 * our table, and their framing into one netlink batch.
 *
 * Expressions and objects are built with libnftnl (the "mpls" expression
 * with nftc-mpls.c); messages are framed into a growing ofpbuf so that one
 * batch can carry a whole bundle of flows (100,000 elements is about
 * 10 MB) and still go to the kernel in one sendmsg().  Nothing here talks
 * to the kernel (nftc-nl.c does) or changes nftc's state (nftc.c does).
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "kmod/nftc-private.h"
#include "kmod/nftc-mpls.h"
#include "byte-order.h"
#include "packets.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/util.h"

/* Room reserved for one message before libnftnl writes it: libnftnl does
 * not bounds-check, so this must exceed the largest message we build (an
 * element message is cut well below it, see ELEMS_PER_MSG). */
#define NFTC_MSG_ROOM 65536

#define ETHERTYPES_SET "ethertypes"
#define ACTIONS_MAP "actions"

/* Action id of elements that punt to userspace ("accept"). */
#define PUNT_ID 0

/* Elements per NEWSETELEM/DELSETELEM message, at most: the element list
 * is one netlink attribute, whose length is 16 bits, so a message also
 * ends when its list reaches ELEMS_LIST_MAX bytes (an element is at most
 * about 200). */
#define ELEMS_PER_MSG 256
#define ELEMS_LIST_MAX 60000

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

static struct nftnl_expr *
expr_new(const char *name)
{
    struct nftnl_expr *e = nftnl_expr_alloc(name);

    ovs_assert(e);
    return e;
}

void
nftc_expr_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
    struct nftnl_expr *e = expr_new("meta");

    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_meta_set(struct nftnl_rule *r, uint32_t key, uint32_t sreg)
{
    struct nftnl_expr *e = expr_new("meta");

    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, sreg);
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset,
                  uint32_t len, uint32_t dreg)
{
    struct nftnl_expr *e = expr_new("payload");

    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_payload_write(struct nftnl_rule *r, const struct nftc_rewrite *rw,
                        uint32_t sreg)
{
    struct nftnl_expr *e = expr_new("payload");

    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, rw->base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, rw->offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, rw->len);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_SREG, sreg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, rw->csum_type);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, rw->csum_offset);
    if (rw->csum_flags) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_FLAGS, rw->csum_flags);
    }
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_bitwise(struct nftnl_rule *r, uint32_t reg, uint32_t len,
                  const void *mask, const void *xor)
{
    static const uint8_t zeros[NFTC_FIELD_LEN_MAX];
    struct nftnl_expr *e = expr_new("bitwise");

    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
    nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
    nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_XOR, xor ? xor : zeros, len);
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_cmp(struct nftnl_rule *r, uint32_t sreg, enum nft_cmp_ops op,
              const void *data, uint32_t len)
{
    struct nftnl_expr *e = expr_new("cmp");

    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
    nftnl_expr_set_data(e, NFTNL_EXPR_CMP_DATA, data, len);
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_imm_data(struct nftnl_rule *r, uint32_t dreg, const void *data,
                   uint32_t len)
{
    struct nftnl_expr *e = expr_new("immediate");

    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
    nftnl_expr_set_data(e, NFTNL_EXPR_IMM_DATA, data, len);
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_verdict(struct nftnl_rule *r, int verdict, const char *chain)
{
    struct nftnl_expr *e = expr_new("immediate");

    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, verdict);
    if (chain) {
        nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
    }
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_lookup(struct nftnl_rule *r, uint32_t sreg, uint32_t dreg,
                 const char *set, uint32_t set_id)
{
    struct nftnl_expr *e = expr_new("lookup");

    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
    if (dreg != UINT32_MAX) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg);
    }
    nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
    if (set_id) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
    }
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_fwd(struct nftnl_rule *r, uint32_t sreg_dev, bool dup)
{
    struct nftnl_expr *e = expr_new(dup ? "dup" : "fwd");

    nftnl_expr_set_u32(e, dup ? NFTNL_EXPR_DUP_SREG_DEV
                              : NFTNL_EXPR_FWD_SREG_DEV, sreg_dev);
    nftnl_rule_add_expr(r, e);
}

void
nftc_expr_counter(struct nftnl_rule *r)
{
    nftnl_rule_add_expr(r, expr_new("counter"));
}

/* Batch framing. */

/* Room for one more message: the buffer at least doubles when it grows,
 * so a batch of N messages is copied O(log N) times, not N. */
static void
batch_room(struct nftc_batch *b)
{
    if (ofpbuf_tailroom(&b->buf) < NFTC_MSG_ROOM) {
        ofpbuf_prealloc_tailroom(&b->buf, MAX(NFTC_MSG_ROOM, b->buf.size));
    }
}

static struct nlmsghdr *
batch_marker(struct nftc_batch *b, uint16_t type, uint16_t flags)
{
    struct nlmsghdr *nlh;
    struct nfgenmsg *nfg;

    batch_room(b);
    nlh = mnl_nlmsg_put_header(ofpbuf_tail(&b->buf));
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    nlh->nlmsg_seq = b->seq++;
    nfg = mnl_nlmsg_put_extra_header(nlh, sizeof *nfg);
    nfg->nfgen_family = AF_UNSPEC;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = htons(NFNL_SUBSYS_NFTABLES);
    return nlh;
}

void
nftc_batch_init(struct nftc_batch *b, uint32_t first_seq, uint32_t genid)
{
    struct nlmsghdr *nlh;

    ofpbuf_init(&b->buf, NFTC_MSG_ROOM);
    b->seq = first_seq;
    b->n_msgs = 0;
    b->begin_seq = b->seq;
    b->end_seq = 0;
    b->ack_last = true;
    nlh = batch_marker(b, NFNL_MSG_BATCH_BEGIN, 0);
    mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
    ofpbuf_put_uninit(&b->buf, NLMSG_ALIGN(nlh->nlmsg_len));
}

void
nftc_batch_uninit(struct nftc_batch *b)
{
    if (b) {
        ofpbuf_uninit(&b->buf);
    }
}

struct nlmsghdr *
nftc_batch_open(struct nftc_batch *b, uint16_t type, uint16_t flags)
{
    batch_room(b);
    return nftnl_nlmsg_build_hdr(ofpbuf_tail(&b->buf), type, NFPROTO_NETDEV,
                                 flags, b->seq++);
}

void
nftc_batch_close(struct nftc_batch *b, struct nlmsghdr *nlh)
{
    ovs_assert(nlh->nlmsg_len <= NFTC_MSG_ROOM);
    b->last_ofs = (uint8_t *) nlh - (uint8_t *) b->buf.data;
    ofpbuf_put_uninit(&b->buf, NLMSG_ALIGN(nlh->nlmsg_len));
    b->n_msgs++;
}

/* END asks for an acknowledgement: the kernel sends it only if the whole
 * batch committed, which is how a commit knows it succeeded.  Kernels
 * before 6.10 or so never acknowledge END; for them the last message
 * asks too ('ack_last'), and its acknowledgement (delivered only after
 * the commit, with an error for the batch if the commit failed) does
 * instead.  Once nftc has seen END acknowledged it stops asking twice: an
 * acknowledgement is a message to allocate, send and read per commit. */
void
nftc_batch_end(struct nftc_batch *b)
{
    struct nlmsghdr *nlh;

    if (b->n_msgs && b->ack_last) {
        nlh = ofpbuf_at_assert(&b->buf, b->last_ofs, sizeof *nlh);
        nlh->nlmsg_flags |= NLM_F_ACK;
    }
    b->end_seq = b->seq;
    nlh = batch_marker(b, NFNL_MSG_BATCH_END, NLM_F_ACK);
    ofpbuf_put_uninit(&b->buf, NLMSG_ALIGN(nlh->nlmsg_len));
}

void
nftc_batch_set_genid(struct nftc_batch *b, uint32_t genid)
{
    struct nlmsghdr *nlh = b->buf.data;
    struct nlattr *attr = mnl_nlmsg_get_payload_offset(
        nlh, sizeof(struct nfgenmsg));

    ovs_assert(nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN
               && mnl_attr_get_type(attr) == NFNL_BATCH_GENID);
    *(ovs_be32 *) mnl_attr_get_payload(attr) = htonl(genid);
}

bool
nftc_batch_parse_genid(const void *data, size_t len, uint32_t *genid)
{
    const struct nlmsghdr *nlh = data;
    const struct nfgenmsg *nfg;
    const struct nlattr *attr;
    int n = len;

    if (!nftc_nlmsg_ok(nlh, n) || nlh->nlmsg_type != NFNL_MSG_BATCH_BEGIN
        || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof *nfg) {
        return false;
    }
    nfg = mnl_nlmsg_get_payload(nlh);
    if (nfg->res_id != htons(NFNL_SUBSYS_NFTABLES)) {
        return false;
    }
    mnl_attr_for_each (attr, nlh, sizeof *nfg) {
        if (mnl_attr_get_type(attr) == NFNL_BATCH_GENID
            && mnl_attr_get_payload_len(attr) == sizeof(uint32_t)) {
            *genid = ntohl(mnl_attr_get_u32(attr));
            return true;
        }
    }
    return false;
}

/* Objects of our table. */

struct nftnl_rule *
nftc_rule_new(const char *table, const char *chain)
{
    struct nftnl_rule *r = nftnl_rule_alloc();

    nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
    return r;
}

void
nftc_rule_set_comment(struct nftnl_rule *r, const char *comment)
{
    struct nftnl_udata_buf *udbuf = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

    nftnl_udata_put_strz(udbuf, NFTNL_UDATA_RULE_COMMENT, comment);
    nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(udbuf),
                        nftnl_udata_buf_len(udbuf));
    nftnl_udata_buf_free(udbuf);
}

void
nftc_msg_table(const struct nftc *nftc, struct nftc_batch *b, uint16_t type,
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

/* NEWCHAIN or DELCHAIN ('type') of chain 'name'; a new chain with 'dev' is
 * that device's ingress base chain. */
static void
msg_chain(const struct nftc *nftc, struct nftc_batch *b, uint16_t type,
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

/* Frames one element of map "actions": 'id' -> goto "a<id>" (or accept
 * for PUNT_ID), or its deletion.  's' names the map. */
static void
msg_action_elem(struct nftc_batch *b, struct nftnl_set *s, uint32_t id,
                bool add)
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
msg_actions_map_elem(const struct nftc *nftc, struct nftc_batch *b,
                     uint32_t id, bool add)
{
    struct nftnl_set *s = nftnl_set_alloc();

    nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
    nftnl_set_set_str(s, NFTNL_SET_TABLE, nftc->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, ACTIONS_MAP);
    msg_action_elem(b, s, id, add);
    nftnl_set_free(s);
}

void
nftc_msg_skeleton(const struct nftc *nftc, struct nftc_batch *b)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nlmsghdr *nlh;

    nftc_msg_table(nftc, b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
    msg_chain(nftc, b, NFT_MSG_NEWCHAIN, NFTC_FLOWS_CHAIN, NULL);

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
    msg_action_elem(b, s, PUNT_ID, true);
    nftnl_set_free(s);
}

/* Port base chain: frames of a known ethertype go to "flows". */
void
nftc_msg_port_chain(const struct nftc *nftc, struct nftc_batch *b,
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
        r = nftc_rule_new(nftc->table, name);
        nftc_expr_payload(r, NFT_PAYLOAD_LL_HEADER, 12, 2, NFT_REG32_00);
        nftc_expr_cmp(r, NFT_REG32_00, NFT_CMP_EQ, &tpid, sizeof tpid);
        nftc_expr_verdict(r, NF_DROP, NULL);
        nftc_rule_set_comment(r, "tagged frames are userspace's");
        msg_rule_take(b, r, NLM_F_APPEND);
    }

    r = nftc_rule_new(nftc->table, name);
    nftc_expr_meta(r, NFT_META_PROTOCOL, NFT_REG32_00);
    nftc_expr_lookup(r, NFT_REG32_00, UINT32_MAX, ETHERTYPES_SET, 0);
    nftc_expr_verdict(r, NFT_JUMP, NFTC_FLOWS_CHAIN);
    nftc_rule_set_comment(r, "known ethertypes only: the rest is "
                          "userspace's");
    msg_rule_take(b, r, NLM_F_APPEND);
    free(name);
}

void
nftc_msg_port_chain_del(const struct nftc *nftc, struct nftc_batch *b,
                        const struct nftc_port *port)
{
    char *name = xasprintf("in-%s", port->ifname);

    msg_chain(nftc, b, NFT_MSG_DELCHAIN, name, NULL);
    free(name);
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

void
nftc_msg_actchain(const struct nftc *nftc, struct nftc_batch *b,
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
    /* First, a counter of every packet sent here: table 0's matched
     * total, which outlives the flows (nftc_table_counters()). */
    struct nftnl_rule *counter = nftc_rule_new(nftc->table, name);
    nftc_expr_counter(counter);
    nftc_rule_set_comment(counter, ds_cstr(&comment));
    ds_destroy(&comment);
    msg_rule_take(b, counter, NLM_F_APPEND);
    for (size_t i = 0; i < n; i++) {
        if (mpls[i].op != __NFT_MPLS_OP_MAX) {
            msg_rule_take_mpls(b, rules[i], &mpls[i]);
        } else {
            msg_rule_take(b, rules[i], NLM_F_APPEND);
        }
    }
    msg_actions_map_elem(nftc, b, a->id, true);
}

void
nftc_msg_actchain_del(const struct nftc *nftc, struct nftc_batch *b,
                      const struct nftc_actchain *a)
{
    char name[16];

    snprintf(name, sizeof name, "a%"PRIu32, a->id);
    msg_actions_map_elem(nftc, b, a->id, false);
    msg_chain(nftc, b, NFT_MSG_DELCHAIN, name, NULL);
}

void
nftc_map_name(const struct nftc_group *g, char name[NFTC_MAP_NAME_LEN])
{
    snprintf(name, NFTC_MAP_NAME_LEN, "m%"PRIu32, g->id);
}

/* Names map "m<id>" of our table in 's'. */
static void
set_name_id(const struct nftc *nftc, struct nftnl_set *s, uint32_t id)
{
    char name[NFTC_MAP_NAME_LEN];

    snprintf(name, sizeof name, "m%"PRIu32, id);
    nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
    nftnl_set_set_str(s, NFTNL_SET_TABLE, nftc->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, name);
}

void
nftc_msg_set_name(const struct nftc *nftc, struct nftnl_set *s,
                  const struct nftc_group *g)
{
    set_name_id(nftc, s, g->id);
    if (g->pending) {
        nftnl_set_set_u32(s, NFTNL_SET_ID, g->id);
    }
}

/* The nft datatype of 'key', or 0 (untyped). */
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

void
nftc_msg_group(const struct nftc *nftc, struct nftc_batch *b,
               const struct nftc_group *g, const struct nftc_group *after)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nftnl_rule *r;
    struct nlmsghdr *nlh;
    struct ds comment = DS_EMPTY_INITIALIZER;
    uint32_t reg = NFT_REG32_00;
    char name[NFTC_MAP_NAME_LEN];

    nftc_msg_set_name(nftc, s, g);
    nftc_map_name(g, name);
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

    r = nftc_rule_new(nftc->table, NFTC_FLOWS_CHAIN);
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
    nftc_rule_set_comment(r, ds_cstr(&comment));
    ds_destroy(&comment);
    nftnl_rule_set_u32(r, NFTNL_RULE_ID, g->id);

    if (!after) {
        msg_rule_take(b, r, NLM_F_ECHO);   /* Insert at the head. */
    } else {
        if (after->pending) {
            nftnl_rule_set_u32(r, NFTNL_RULE_POSITION_ID, after->id);
        } else {
            nftnl_rule_set_u64(r, NFTNL_RULE_POSITION, after->handle);
        }
        msg_rule_take(b, r, NLM_F_APPEND | NLM_F_ECHO);
    }
}

void
nftc_msg_map_del(const struct nftc *nftc, struct nftc_batch *b, uint32_t id)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nlmsghdr *nlh;

    set_name_id(nftc, s, id);
    nlh = nftc_batch_open(b, NFT_MSG_DELSET, 0);
    nftnl_set_nlmsg_build_payload(nlh, s);
    nftc_batch_close(b, nlh);
    nftnl_set_free(s);
}

void
nftc_msg_group_del(const struct nftc *nftc, struct nftc_batch *b,
                   const struct nftc_group *g)
{
    struct nftnl_rule *r = nftc_rule_new(nftc->table, NFTC_FLOWS_CHAIN);
    struct nlmsghdr *nlh;

    nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, g->handle);
    nlh = nftc_batch_open(b, NFT_MSG_DELRULE, 0);
    nftnl_rule_nlmsg_build_payload(nlh, r);
    nftc_batch_close(b, nlh);
    nftnl_rule_free(r);

    /* A dying group is never pending: its map goes by name. */
    if (!g->map_later) {
        nftc_msg_map_del(nftc, b, g->id);
    }
}

void
nftc_msg_elems_flush(const struct nftc *nftc, struct nftc_batch *b,
                     const struct nftc_group *g)
{
    struct nftnl_set *s = nftnl_set_alloc();
    struct nlmsghdr *nlh;

    /* DELSETELEM without an element list flushes the set. */
    nftc_msg_set_name(nftc, s, g);
    nlh = nftc_batch_open(b, NFT_MSG_DELSETELEM, 0);
    nftnl_set_elems_nlmsg_build_payload(nlh, s);
    nftc_batch_close(b, nlh);
    nftnl_set_free(s);
}

/* Appends to 'nlh' the element comment of 'f', as nft stores it (one
 * NFTNL_UDATA_SET_ELEM_COMMENT string in the element's user data), built
 * in 'ud', which it empties first. */
static void
put_elem_comment(struct nlmsghdr *nlh, struct nftnl_udata_buf *ud,
                 const struct nftc_rflow *f)
{
    char comment[128];

    if (f->act) {
        snprintf(comment, sizeof comment, "table=%"PRIu8" priority=%d "
                 "cookie=%#"PRIx64" actions=a%"PRIu32, f->table_id,
                 f->priority, ntohll(f->cookie), f->act->id);
    } else {
        snprintf(comment, sizeof comment, "table=%"PRIu8" priority=%d "
                 "cookie=%#"PRIx64" userspace", f->table_id, f->priority,
                 ntohll(f->cookie));
    }
    nftnl_udata_buf_put(ud, "", 0);     /* Empties it. */
    nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_ELEM_COMMENT, comment);
    mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA, nftnl_udata_buf_len(ud),
                 nftnl_udata_buf_data(ud));
}

/* Encoded straight into the batch, no libnftnl object per element. */
void
nftc_msg_elems(const struct nftc *nftc, struct nftc_batch *b,
               const struct nftc_group *g, struct ovs_list *list, bool add)
{
    struct nftnl_udata_buf *ud = add ? nftnl_udata_buf_alloc(256) : NULL;
    char name[NFTC_MAP_NAME_LEN];
    struct nlmsghdr *nlh = NULL;
    struct nlattr *elems = NULL;
    size_t klen = MAX(g->key_len, 1);
    struct nftc_rflow *f;
    size_t n = 0;

    nftc_map_name(g, name);
    LIST_FOR_EACH (f, emit_node, list) {
        if (!nlh) {
            nlh = nftc_batch_open(b, add ? NFT_MSG_NEWSETELEM
                                         : NFT_MSG_DELSETELEM,
                                  add ? NLM_F_CREATE | NLM_F_EXCL : 0);
            mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, nftc->table);
            mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, name);
            if (g->pending) {
                mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID,
                                 htonl(g->id));
            }
            elems = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
        }
        struct nlattr *e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
        struct nlattr *k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
        mnl_attr_put(nlh, NFTA_DATA_VALUE, klen, f->key);
        mnl_attr_nest_end(nlh, k);
        if (add) {
            ovs_be32 id = htonl(f->act ? f->act->id : PUNT_ID);
            struct nlattr *d = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_DATA);
            mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof id, &id);
            mnl_attr_nest_end(nlh, d);
            put_elem_comment(nlh, ud, f);
        }
        mnl_attr_nest_end(nlh, e);
        size_t list_len = ((char *) mnl_nlmsg_get_payload_tail(nlh)
                           - (char *) elems);
        if (++n == ELEMS_PER_MSG || list_len > ELEMS_LIST_MAX
            || f->emit_node.next == list) {
            mnl_attr_nest_end(nlh, elems);
            nftc_batch_close(b, nlh);
            nlh = NULL;
            n = 0;
        }
    }
    if (ud) {
        nftnl_udata_buf_free(ud);
    }
}
