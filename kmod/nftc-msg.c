/*
 * nftc-msg.c: nf_tables expressions and netlink batch framing.
 *
 * Expressions are built with libnftnl; messages are framed into a growing
 * ofpbuf so that one batch can carry a whole bundle of flows (100,000
 * elements is about 10 MB) and still go to the kernel in one sendmsg().
 */
#include <config.h>

#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "kmod/nftc-private.h"
#include "openvswitch/util.h"

/* Room reserved for one message before libnftnl writes it: libnftnl does
 * not bounds-check, so this must exceed the largest message we build (an
 * element message is cut well below it, see nftc.c). */
#define NFTC_MSG_ROOM 65536

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

static struct nlmsghdr *
batch_marker(struct nftc_batch *b, uint16_t type, uint16_t flags)
{
    struct nlmsghdr *nlh;
    struct nfgenmsg *nfg;

    ofpbuf_prealloc_tailroom(&b->buf, NFTC_MSG_ROOM);
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
    ofpbuf_prealloc_tailroom(&b->buf, NFTC_MSG_ROOM);
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
 * asks too, and its acknowledgement (delivered only after the commit, with
 * an error for the batch if the commit failed) does instead. */
void
nftc_batch_end(struct nftc_batch *b)
{
    struct nlmsghdr *nlh;

    if (b->n_msgs) {
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

    if (!mnl_nlmsg_ok(nlh, n) || nlh->nlmsg_type != NFNL_MSG_BATCH_BEGIN
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
