/*
 * nftc-mpls.c: netlink encoding, parsing and probing of the nf_tables
 * "mpls" expression (kmod/module).
 *
 * One expression inside a rule's NFTA_RULE_EXPRESSIONS:
 *
 *   NFTA_LIST_ELEM
 *   +-- NFTA_EXPR_NAME  "mpls\0"
 *   +-- NFTA_EXPR_DATA
 *       +-- NFTA_MPLS_OP         be32
 *       +-- NFTA_MPLS_ETHERTYPE  be16        (if given)
 *       +-- NFTA_MPLS_LABEL      be32  or  NFTA_MPLS_SREG_LABEL  be32
 *       +-- NFTA_MPLS_TC         u8    or  NFTA_MPLS_SREG_TC     be32
 *       +-- NFTA_MPLS_TTL        u8    or  NFTA_MPLS_SREG_TTL    be32
 *       +-- NFTA_MPLS_BOS        u8          (set only)
 */
#include <config.h>

#include "kmod/nftc-mpls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>

#define MPLS_LABEL_MAX 0xfffff
#define ETH_P_MPLS_UC_ 0x8847
#define ETH_P_MPLS_MC_ 0x8848

static bool
ethertype_is_mpls(uint16_t ethertype)
{
    return ethertype == ETH_P_MPLS_UC_ || ethertype == ETH_P_MPLS_MC_;
}

int
nftc_mpls_check(const struct nftc_mpls *m)
{
    uint8_t values = m->fields;

    if (m->from_reg & ~m->fields & 0xff
        || m->from_reg & NFTC_MPLS_F_BOS
        || m->fields & ~(NFTC_MPLS_F_LABEL | NFTC_MPLS_F_TC
                         | NFTC_MPLS_F_BOS | NFTC_MPLS_F_TTL)) {
        return EINVAL;
    }
    if ((m->fields & ~m->from_reg & NFTC_MPLS_F_LABEL
         && m->label > MPLS_LABEL_MAX)
        || (m->fields & ~m->from_reg & NFTC_MPLS_F_TC && m->tc > 7)
        || (m->fields & NFTC_MPLS_F_BOS && m->bos > 1)) {
        return EINVAL;
    }

    switch (m->op) {
    case NFT_MPLS_OP_PUSH:
        return (ethertype_is_mpls(m->ethertype)
                && !(values & NFTC_MPLS_F_BOS)) ? 0 : EINVAL;
    case NFT_MPLS_OP_POP:
        return m->ethertype && !values ? 0 : EINVAL;
    case NFT_MPLS_OP_SET:
        return !m->ethertype && values ? 0 : EINVAL;
    case NFT_MPLS_OP_DEC_TTL:
        return !m->ethertype && !values ? 0 : EINVAL;
    case NFT_MPLS_OP_COPY_TTL_IN:
    case NFT_MPLS_OP_COPY_TTL_OUT:
        return !values ? 0 : EINVAL;
    case __NFT_MPLS_OP_MAX:
        break;
    }
    return EINVAL;
}

void
nftc_mpls_put_expr(struct nlmsghdr *nlh, const struct nftc_mpls *m)
{
    struct nlattr *elem, *data;

    elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
    mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, NFT_MPLS_EXPR_NAME);
    data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
    mnl_attr_put_u32(nlh, NFTA_MPLS_OP, htonl(m->op));
    if (m->ethertype) {
        mnl_attr_put_u16(nlh, NFTA_MPLS_ETHERTYPE, htons(m->ethertype));
    }
    if (m->fields & NFTC_MPLS_F_LABEL) {
        if (m->from_reg & NFTC_MPLS_F_LABEL) {
            mnl_attr_put_u32(nlh, NFTA_MPLS_SREG_LABEL,
                             htonl(m->sreg_label));
        } else {
            mnl_attr_put_u32(nlh, NFTA_MPLS_LABEL, htonl(m->label));
        }
    }
    if (m->fields & NFTC_MPLS_F_TC) {
        if (m->from_reg & NFTC_MPLS_F_TC) {
            mnl_attr_put_u32(nlh, NFTA_MPLS_SREG_TC, htonl(m->sreg_tc));
        } else {
            mnl_attr_put_u8(nlh, NFTA_MPLS_TC, m->tc);
        }
    }
    if (m->fields & NFTC_MPLS_F_TTL) {
        if (m->from_reg & NFTC_MPLS_F_TTL) {
            mnl_attr_put_u32(nlh, NFTA_MPLS_SREG_TTL, htonl(m->sreg_ttl));
        } else {
            mnl_attr_put_u8(nlh, NFTA_MPLS_TTL, m->ttl);
        }
    }
    if (m->fields & NFTC_MPLS_F_BOS) {
        mnl_attr_put_u8(nlh, NFTA_MPLS_BOS, m->bos);
    }
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, elem);
}

/* Collects the attributes of one nest into 'tb' (indexed by type), with
 * their exact lengths checked; rejects duplicates and unknown types. */
struct parse_ctx {
    const struct nlattr **tb;
    int max;
    const enum mnl_attr_data_type *types;
    bool bad;
};

static int
parse_cb(const struct nlattr *attr, void *ctx_)
{
    struct parse_ctx *ctx = ctx_;
    int type = mnl_attr_get_type(attr);

    if (type <= 0 || type > ctx->max || ctx->tb[type]
        || mnl_attr_validate(attr, ctx->types[type]) < 0) {
        ctx->bad = true;
        return MNL_CB_ERROR;
    }
    ctx->tb[type] = attr;
    return MNL_CB_OK;
}

static int
parse_nest(const struct nlattr *nest, const struct nlattr **tb, int max,
           const enum mnl_attr_data_type *types)
{
    struct parse_ctx ctx = { .tb = tb, .max = max, .types = types };

    memset(tb, 0, (max + 1) * sizeof *tb);
    if (mnl_attr_parse_nested(nest, parse_cb, &ctx) < 0 || ctx.bad) {
        return EINVAL;
    }
    return 0;
}

static const enum mnl_attr_data_type expr_types[NFTA_EXPR_MAX + 1] = {
    [NFTA_EXPR_NAME] = MNL_TYPE_NUL_STRING,
    [NFTA_EXPR_DATA] = MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type mpls_types[NFTA_MPLS_MAX + 1] = {
    [NFTA_MPLS_OP] = MNL_TYPE_U32,
    [NFTA_MPLS_ETHERTYPE] = MNL_TYPE_U16,
    [NFTA_MPLS_LABEL] = MNL_TYPE_U32,
    [NFTA_MPLS_TC] = MNL_TYPE_U8,
    [NFTA_MPLS_BOS] = MNL_TYPE_U8,
    [NFTA_MPLS_TTL] = MNL_TYPE_U8,
    [NFTA_MPLS_SREG_LABEL] = MNL_TYPE_U32,
    [NFTA_MPLS_SREG_TC] = MNL_TYPE_U32,
    [NFTA_MPLS_SREG_TTL] = MNL_TYPE_U32,
};

/* One field: an immediate 'imm' or a register 'reg', never both. */
static int
parse_field(const struct nlattr **tb, int imm, int reg, uint8_t flag,
            struct nftc_mpls *m, uint32_t *sreg)
{
    if (tb[imm] && tb[reg]) {
        return EINVAL;
    }
    if (tb[imm]) {
        m->fields |= flag;
    } else if (tb[reg]) {
        m->fields |= flag;
        m->from_reg |= flag;
        *sreg = ntohl(mnl_attr_get_u32(tb[reg]));
    }
    return 0;
}

int
nftc_mpls_parse_expr(const struct nlattr *elem, struct nftc_mpls *m)
{
    const struct nlattr *etb[NFTA_EXPR_MAX + 1];
    const struct nlattr *tb[NFTA_MPLS_MAX + 1];
    uint32_t op;

    memset(m, 0, sizeof *m);
    if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM
        || parse_nest(elem, etb, NFTA_EXPR_MAX, expr_types)
        || !etb[NFTA_EXPR_NAME]) {
        return EINVAL;
    }
    if (strcmp(mnl_attr_get_str(etb[NFTA_EXPR_NAME]), NFT_MPLS_EXPR_NAME)) {
        return ENOENT;
    }
    if (!etb[NFTA_EXPR_DATA]
        || parse_nest(etb[NFTA_EXPR_DATA], tb, NFTA_MPLS_MAX, mpls_types)
        || !tb[NFTA_MPLS_OP]) {
        return EINVAL;
    }

    op = ntohl(mnl_attr_get_u32(tb[NFTA_MPLS_OP]));
    if (op > NFT_MPLS_OP_MAX) {
        return EINVAL;
    }
    m->op = op;
    if (tb[NFTA_MPLS_ETHERTYPE]) {
        m->ethertype = ntohs(mnl_attr_get_u16(tb[NFTA_MPLS_ETHERTYPE]));
    }
    if (tb[NFTA_MPLS_LABEL]) {
        m->label = ntohl(mnl_attr_get_u32(tb[NFTA_MPLS_LABEL]));
    }
    if (tb[NFTA_MPLS_TC]) {
        m->tc = mnl_attr_get_u8(tb[NFTA_MPLS_TC]);
    }
    if (tb[NFTA_MPLS_TTL]) {
        m->ttl = mnl_attr_get_u8(tb[NFTA_MPLS_TTL]);
    }
    if (tb[NFTA_MPLS_BOS]) {
        m->bos = mnl_attr_get_u8(tb[NFTA_MPLS_BOS]);
        m->fields |= NFTC_MPLS_F_BOS;
    }
    if (parse_field(tb, NFTA_MPLS_LABEL, NFTA_MPLS_SREG_LABEL,
                    NFTC_MPLS_F_LABEL, m, &m->sreg_label)
        || parse_field(tb, NFTA_MPLS_TC, NFTA_MPLS_SREG_TC,
                       NFTC_MPLS_F_TC, m, &m->sreg_tc)
        || parse_field(tb, NFTA_MPLS_TTL, NFTA_MPLS_SREG_TTL,
                       NFTC_MPLS_F_TTL, m, &m->sreg_ttl)) {
        return EINVAL;
    }
    return nftc_mpls_check(m);
}

/* Probe. */

static struct nlmsghdr *
probe_msg(char *buf, size_t *ofs, uint16_t type, uint16_t flags,
          uint32_t seq, uint16_t res_id)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *ofs);
    struct nfgenmsg *g;

    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    nlh->nlmsg_seq = seq;
    g = mnl_nlmsg_put_extra_header(nlh, sizeof *g);
    g->nfgen_family = type == NFNL_MSG_BATCH_BEGIN ? AF_UNSPEC
                                                   : NFPROTO_NETDEV;
    g->version = NFNETLINK_V0;
    g->res_id = htons(res_id);
    return nlh;
}

static uint16_t
nft_type(int msg)
{
    return (NFNL_SUBSYS_NFTABLES << 8) | msg;
}

size_t
nftc_mpls_probe_frame(void *buf_, size_t size, uint32_t seq,
                      const char *table)
{
    /* Worst case of the four messages below, names included. */
    size_t need = 4 * 64 + 3 * NLA_ALIGN(strlen(table) + 1)
                  + NFTC_MPLS_EXPR_MAX + 64;
    const struct nftc_mpls probe = { .op = NFT_MPLS_OP_DEC_TTL };
    char *buf = buf_;
    struct nlmsghdr *nlh;
    struct nlattr *list;
    size_t ofs = 0;

    if (size < need) {
        return 0;
    }
    memset(buf, 0, need);

    nlh = probe_msg(buf, &ofs, NFNL_MSG_BATCH_BEGIN, 0, seq,
                    NFNL_SUBSYS_NFTABLES);
    ofs += nlh->nlmsg_len;

    nlh = probe_msg(buf, &ofs, nft_type(NFT_MSG_NEWTABLE),
                    NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, seq + 1, 0);
    mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
    ofs += nlh->nlmsg_len;

    nlh = probe_msg(buf, &ofs, nft_type(NFT_MSG_NEWCHAIN),
                    NLM_F_CREATE | NLM_F_ACK, seq + 2, 0);
    mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, table);
    mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "probe");
    ofs += nlh->nlmsg_len;

    nlh = probe_msg(buf, &ofs, nft_type(NFT_MSG_NEWRULE),
                    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK,
                    seq + NFTC_MPLS_PROBE_RULE, 0);
    mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
    mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "probe");
    list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
    nftc_mpls_put_expr(nlh, &probe);
    mnl_attr_nest_end(nlh, list);
    ofs += nlh->nlmsg_len;

    /* No NFNL_MSG_BATCH_END: the kernel aborts the batch. */
    return ofs;
}

/* Reads answers until the rule's ack or error arrives.  Returns 0 with
 * '*rule_error' set, or an errno value. */
static int
probe_answers(struct mnl_socket *nl, uint32_t seq, int *rule_error)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    int first_error = 0;

    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        const struct nlmsghdr *nlh;
        int len;

        if (n < 0) {
            return errno == EAGAIN || errno == EWOULDBLOCK
                   ? (first_error ? first_error : ETIMEDOUT)
                   : (errno ? errno : EIO);
        }
        len = n;
        for (nlh = (const struct nlmsghdr *) buf; nftc_nlmsg_ok(nlh, len);
             nlh = mnl_nlmsg_next(nlh, &len)) {
            const struct nlmsgerr *e;
            int error;

            if (nlh->nlmsg_type != NLMSG_ERROR
                || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof *e) {
                continue;
            }
            e = mnl_nlmsg_get_payload(nlh);
            error = e->error <= 0 && e->error >= -4095 ? -e->error
                                                       : EPROTO;
            if (nlh->nlmsg_seq == seq + NFTC_MPLS_PROBE_RULE) {
                *rule_error = error;
                return 0;
            }
            if (error && !first_error
                && nlh->nlmsg_seq >= seq
                && nlh->nlmsg_seq < seq + NFTC_MPLS_PROBE_RULE) {
                first_error = error;
            }
        }
    }
}

int
nftc_mpls_probe(bool *present)
{
    struct timeval tv = { .tv_sec = 2 };
    char buf[1024], table[32];
    struct mnl_socket *nl;
    uint32_t seq = 1;
    int rule_error = 0;
    size_t len;
    int error;

    *present = false;
    nl = mnl_socket_open(NETLINK_NETFILTER);
    if (!nl) {
        return errno ? errno : EIO;
    }
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        error = errno ? errno : EIO;
        goto out;
    }
    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
               sizeof tv);

    /* The table never exists (the batch is aborted), but a name of our
     * own keeps a concurrent probe from reporting EEXIST. */
    snprintf(table, sizeof table, "mvs-probe-%ld", (long) getpid());
    len = nftc_mpls_probe_frame(buf, sizeof buf, seq, table);
    if (!len) {
        error = EMSGSIZE;
        goto out;
    }
    if (mnl_socket_sendto(nl, buf, len) < 0) {
        error = errno ? errno : EIO;
        goto out;
    }
    error = probe_answers(nl, seq, &rule_error);
    if (!error) {
        if (!rule_error) {
            *present = true;
        } else if (rule_error != ENOENT && rule_error != EOPNOTSUPP) {
            /* Not "no such expression": the probe itself failed. */
            error = rule_error;
        }
    }
out:
    mnl_socket_close(nl);
    return error;
}
