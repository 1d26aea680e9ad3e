// SPDX-License-Identifier: GPL-2.0-only
/*
 * nft_mpls: an nf_tables expression that edits MPLS label stacks in netdev
 * ingress and egress chains, so that mvs can offload OpenFlow's MPLS
 * actions (push/pop/set, dec_mpls_ttl, copy_ttl_in/out).
 *
 * The netlink interface is in nft_mpls.h.  The edits themselves are the
 * kernel's own helpers (skb_mpls_push/pop/update_lse/dec_ttl), the ones
 * act_mpls and openvswitch use; this file only decides what to write and
 * where the MAC header ends.
 *
 * Frame layout as seen here ('data' is moved to the MAC header first):
 *
 *   +-----------+------+------+-----+------+---------------
 *   | dst | src | type | LSE0 | ... | LSEn | IP / Ethernet
 *   +-----------+------+------+-----+------+---------------
 *   ^ mac header       ^ network header (mac_len bytes in)
 *
 *   LSE: label (20) | TC (3) | S (1) | TTL (8)
 *
 * Everything that depends on the rule (which fields, immediates or
 * registers) is decided at init; eval only reads the frame.
 */

#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mpls.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/mpls.h>
#include <net/netfilter/nf_tables.h>

#include "nft_mpls.h"

/* Bits of nft_mpls.fields. */
enum {
	NFT_MPLS_F_LABEL = 1 << 0,
	NFT_MPLS_F_TC	 = 1 << 1,
	NFT_MPLS_F_BOS	 = 1 << 2,
	NFT_MPLS_F_TTL	 = 1 << 3,
};

struct nft_mpls {
	u8	op;		/* enum nft_mpls_ops. */
	u8	fields;		/* NFT_MPLS_F_*: fields the rule sets. */
	u8	from_reg;	/* NFT_MPLS_F_*: ...read from registers. */
	u8	sreg_label;
	u8	sreg_tc;
	u8	sreg_ttl;
	u8	tc;
	u8	bos;
	u8	ttl;
	__be16	ethertype;	/* 0 if not given. */
	u32	label;
};

/* Result of an operation that did not just continue. */
#define NFT_MPLS_PUNT	NF_ACCEPT	/* Untouched, to userspace. */

static u32 nft_mpls_lse_get(const struct sk_buff *skb, int mac_len, int idx)
{
	const __be32 *p = (const __be32 *)(skb->data + mac_len) + idx;

	return be32_to_cpu(*p);
}

/* Rewrites the top entry; the caller made sure it is in the linear area. */
static int nft_mpls_set_top(struct sk_buff *skb, int mac_len, u32 lse)
{
	int err;

	/* skb_mpls_update_lse() trusts skb->mac_len, which egress paths do
	 * not always set: make the entry writable with our own length. */
	err = skb_ensure_writable(skb, mac_len + MPLS_HLEN);
	if (err)
		return err;
	return skb_mpls_update_lse(skb, cpu_to_be32(lse));
}

/* Folds the change of the 16-bit word 'from' to 'to' into a
 * CHECKSUM_COMPLETE sum.  Words live at even offsets from the MAC header
 * (mac_len is even), which csum_partial() needs. */
static void nft_mpls_rcsum_replace2(struct sk_buff *skb, __be16 from,
				    __be16 to)
{
	if (skb->ip_summed == CHECKSUM_COMPLETE) {
		__be16 diff[] = { ~from, to };

		skb->csum = csum_partial(diff, sizeof(diff), skb->csum);
	}
}

static void nft_mpls_rcsum_replace4(struct sk_buff *skb, __be32 from,
				    __be32 to)
{
	if (skb->ip_summed == CHECKSUM_COMPLETE) {
		__be32 diff[] = { ~from, to };

		skb->csum = csum_partial(diff, sizeof(diff), skb->csum);
	}
}

/* Applies the rule's label/TC/BOS/TTL to 'lse'. */
static u32 nft_mpls_apply(const struct nft_mpls *priv,
			  const struct nft_regs *regs, u32 lse)
{
	if (priv->fields & NFT_MPLS_F_LABEL) {
		u32 label = priv->from_reg & NFT_MPLS_F_LABEL
			    ? regs->data[priv->sreg_label] : priv->label;

		lse &= ~MPLS_LS_LABEL_MASK;
		lse |= (label << MPLS_LS_LABEL_SHIFT) & MPLS_LS_LABEL_MASK;
	}
	if (priv->fields & NFT_MPLS_F_TC) {
		u32 tc = priv->from_reg & NFT_MPLS_F_TC
			 ? nft_reg_load8(&regs->data[priv->sreg_tc]) : priv->tc;

		lse &= ~MPLS_LS_TC_MASK;
		lse |= (tc << MPLS_LS_TC_SHIFT) & MPLS_LS_TC_MASK;
	}
	if (priv->fields & NFT_MPLS_F_BOS) {
		lse &= ~MPLS_LS_S_MASK;
		lse |= (u32)priv->bos << MPLS_LS_S_SHIFT;
	}
	if (priv->fields & NFT_MPLS_F_TTL) {
		u32 ttl = priv->from_reg & NFT_MPLS_F_TTL
			  ? nft_reg_load8(&regs->data[priv->sreg_ttl])
			  : priv->ttl;

		lse &= ~MPLS_LS_TTL_MASK;
		lse |= (ttl << MPLS_LS_TTL_SHIFT) & MPLS_LS_TTL_MASK;
	}
	return lse;
}

/* OpenFlow push_mpls: the new entry copies label, TC and TTL of the old
 * top (never its S bit); on a frame that was not MPLS it is label 0, TC 0,
 * S 1 and the IP TTL or hop limit (0 for anything else), as mvs's
 * userspace datapath does.  The rule's fields then override. */
static int nft_mpls_push(const struct nft_mpls *priv,
			 const struct nft_regs *regs, struct sk_buff *skb,
			 int mac_len, bool ethernet)
{
	u32 lse;
	u8 ttl = 0;

	if (eth_p_mpls(skb->protocol)) {
		if (!pskb_may_pull(skb, mac_len + MPLS_HLEN))
			return NFT_MPLS_PUNT;
		lse = nft_mpls_lse_get(skb, mac_len, 0) & ~MPLS_LS_S_MASK;
	} else {
		if (skb->protocol == htons(ETH_P_IP) &&
		    pskb_may_pull(skb, mac_len + sizeof(struct iphdr)))
			ttl = ((struct iphdr *)(skb->data + mac_len))->ttl;
		else if (skb->protocol == htons(ETH_P_IPV6) &&
			 pskb_may_pull(skb, mac_len + sizeof(struct ipv6hdr)))
			ttl = ((struct ipv6hdr *)
			       (skb->data + mac_len))->hop_limit;
		lse = MPLS_LS_S_MASK | ((u32)ttl << MPLS_LS_TTL_SHIFT);
	}
	lse = nft_mpls_apply(priv, regs, lse);

	if (skb_mpls_push(skb, cpu_to_be32(lse), priv->ethertype, mac_len,
			  ethernet))
		return NF_DROP;
	return NFT_CONTINUE;
}

/* Ethernet over MPLS: popping the bottom entry to 0x6558 makes the inner
 * Ethernet frame the frame, as mvs's userspace datapath does. */
static int nft_mpls_pop_teb(struct sk_buff *skb, int *mac_len)
{
	if (!pskb_may_pull(skb, *mac_len + MPLS_HLEN + ETH_HLEN))
		return NFT_MPLS_PUNT;

	skb_pull_rcsum(skb, *mac_len + MPLS_HLEN);
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb->mac_len = ETH_HLEN;
	*mac_len = ETH_HLEN;
	/* The outer tag, if offloaded, belonged to the outer header. */
	__vlan_hwaccel_clear_tag(skb);
	skb->protocol = eth_hdr(skb)->h_proto;
	return NFT_CONTINUE;
}

static int nft_mpls_pop(const struct nft_mpls *priv, struct sk_buff *skb,
			int *mac_len, bool ethernet)
{
	u32 lse = nft_mpls_lse_get(skb, *mac_len, 0);

	if (priv->ethertype == htons(ETH_P_TEB) && (lse & MPLS_LS_S_MASK)) {
		if (!ethernet)
			return NFT_MPLS_PUNT;
		return nft_mpls_pop_teb(skb, mac_len);
	}
	if (skb_mpls_pop(skb, priv->ethertype, *mac_len, ethernet))
		return NF_DROP;
	return NFT_CONTINUE;
}

static int nft_mpls_dec_ttl(struct sk_buff *skb, int mac_len)
{
	u32 lse = nft_mpls_lse_get(skb, mac_len, 0);
	u32 ttl = (lse & MPLS_LS_TTL_MASK) >> MPLS_LS_TTL_SHIFT;

	/* skb_mpls_dec_ttl() wraps a TTL of 0 to 255; OpenFlow sends both 0
	 * and 1 to the controller as invalid_ttl. */
	if (ttl <= 1)
		return NFT_MPLS_PUNT;
	if (skb_ensure_writable(skb, mac_len + MPLS_HLEN) ||
	    skb_mpls_dec_ttl(skb))
		return NF_DROP;
	return NFT_CONTINUE;
}

/* Returns the IP header under a bottom entry, pulled 'len' bytes deep, or
 * NULL if the rule's ethertype names no IP version or the frame is too
 * short ('*verdict' says which). */
static u8 *nft_mpls_ip_under(const struct nft_mpls *priv,
			     struct sk_buff *skb, int mac_len, bool write,
			     int *verdict)
{
	unsigned int len;

	if (priv->ethertype == htons(ETH_P_IP))
		len = sizeof(struct iphdr);
	else if (priv->ethertype == htons(ETH_P_IPV6))
		len = sizeof(struct ipv6hdr);
	else {
		*verdict = NFT_CONTINUE;	/* Nothing to copy: no-op. */
		return NULL;
	}
	len += mac_len + MPLS_HLEN;
	if (!pskb_may_pull(skb, len)) {
		*verdict = NFT_MPLS_PUNT;
		return NULL;
	}
	if (write && skb_ensure_writable(skb, len)) {
		*verdict = NF_DROP;
		return NULL;
	}
	return skb->data + mac_len + MPLS_HLEN;
}

static int nft_mpls_copy_ttl_out(const struct nft_mpls *priv,
				 struct sk_buff *skb, int mac_len)
{
	u32 lse = nft_mpls_lse_get(skb, mac_len, 0);
	u32 ttl;

	if (!(lse & MPLS_LS_S_MASK)) {
		if (!pskb_may_pull(skb, mac_len + 2 * MPLS_HLEN))
			return NFT_MPLS_PUNT;
		ttl = nft_mpls_lse_get(skb, mac_len, 1) & MPLS_LS_TTL_MASK;
	} else {
		int verdict;
		u8 *ip = nft_mpls_ip_under(priv, skb, mac_len, false,
					   &verdict);

		if (!ip)
			return verdict;
		ttl = priv->ethertype == htons(ETH_P_IP)
		      ? ((struct iphdr *)ip)->ttl
		      : ((struct ipv6hdr *)ip)->hop_limit;
		ttl <<= MPLS_LS_TTL_SHIFT;
	}
	lse = (lse & ~MPLS_LS_TTL_MASK) | ttl;
	if (nft_mpls_set_top(skb, mac_len, lse))
		return NF_DROP;
	return NFT_CONTINUE;
}

static int nft_mpls_copy_ttl_in(const struct nft_mpls *priv,
				struct sk_buff *skb, int mac_len)
{
	u32 lse = nft_mpls_lse_get(skb, mac_len, 0);
	u8 ttl = (lse & MPLS_LS_TTL_MASK) >> MPLS_LS_TTL_SHIFT;
	int verdict;
	u8 *ip;

	if (!(lse & MPLS_LS_S_MASK)) {
		__be32 *next;
		__be32 old;

		if (!pskb_may_pull(skb, mac_len + 2 * MPLS_HLEN))
			return NFT_MPLS_PUNT;
		if (skb_ensure_writable(skb, mac_len + 2 * MPLS_HLEN))
			return NF_DROP;
		next = (__be32 *)(skb->data + mac_len) + 1;
		old = *next;
		*next = cpu_to_be32((be32_to_cpu(old) & ~MPLS_LS_TTL_MASK) |
				    ((u32)ttl << MPLS_LS_TTL_SHIFT));
		nft_mpls_rcsum_replace4(skb, old, *next);
		return NFT_CONTINUE;
	}

	ip = nft_mpls_ip_under(priv, skb, mac_len, true, &verdict);
	if (!ip)
		return verdict;
	if (priv->ethertype == htons(ETH_P_IP)) {
		struct iphdr *iph = (struct iphdr *)ip;
		__be16 old = *(__be16 *)&iph->ttl;

		/* TTL and protocol form one 16-bit word of the header sum.
		 * The header sum stays valid, so CHECKSUM_COMPLETE does not
		 * change. */
		iph->ttl = ttl;
		csum_replace2(&iph->check, old, *(__be16 *)&iph->ttl);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)ip;
		__be16 *word = (__be16 *)&ip6h->nexthdr;
		__be16 old = *word;

		ip6h->hop_limit = ttl;
		nft_mpls_rcsum_replace2(skb, old, *word);
	}
	return NFT_CONTINUE;
}

/* Runs the operation on 'skb', whose data starts at the MAC header and
 * whose network header is 'mac_len' bytes in.  Returns NFT_CONTINUE or a
 * verdict. */
static int nft_mpls_do(const struct nft_mpls *priv,
		       const struct nft_regs *regs, struct sk_buff *skb,
		       int *mac_len)
{
	bool ethernet = skb->dev && skb->dev->type == ARPHRD_ETHER;
	u32 lse;

	if (priv->op == NFT_MPLS_OP_PUSH)
		return nft_mpls_push(priv, regs, skb, *mac_len, ethernet);

	/* Every other operation edits an existing top entry. */
	if (!eth_p_mpls(skb->protocol))
		return NFT_BREAK;
	if (!pskb_may_pull(skb, *mac_len + MPLS_HLEN))
		return NFT_MPLS_PUNT;

	switch ((enum nft_mpls_ops)priv->op) {
	case NFT_MPLS_OP_PUSH:
		break;
	case NFT_MPLS_OP_POP:
		return nft_mpls_pop(priv, skb, mac_len, ethernet);
	case NFT_MPLS_OP_SET:
		lse = nft_mpls_apply(priv, regs,
				     nft_mpls_lse_get(skb, *mac_len, 0));
		if (nft_mpls_set_top(skb, *mac_len, lse))
			return NF_DROP;
		return NFT_CONTINUE;
	case NFT_MPLS_OP_DEC_TTL:
		return nft_mpls_dec_ttl(skb, *mac_len);
	case NFT_MPLS_OP_COPY_TTL_IN:
		return nft_mpls_copy_ttl_in(priv, skb, *mac_len);
	case NFT_MPLS_OP_COPY_TTL_OUT:
		return nft_mpls_copy_ttl_out(priv, skb, *mac_len);
	case __NFT_MPLS_OP_MAX:
		break;
	}
	return NFT_BREAK;		/* Rejected at init: unreachable. */
}

static void nft_mpls_eval(const struct nft_expr *expr, struct nft_regs *regs,
			  const struct nft_pktinfo *pkt)
{
	const struct nft_mpls *priv = nft_expr_priv(expr);
	struct sk_buff *skb = pkt->skb;
	bool ingress = nft_hook(pkt) == NF_NETDEV_INGRESS;
	int mac_len, verdict;

	/* The helpers want 'data' at the MAC header, as act_mpls arranges:
	 * ingress has pulled it, egress has not. */
	if (!skb_mac_header_was_set(skb) || skb_mac_offset(skb) > 0 ||
	    skb_network_offset(skb) < 0) {
		regs->verdict.code = NFT_BREAK;
		return;
	}
	mac_len = skb_network_offset(skb) - skb_mac_offset(skb);
	if (ingress) {
		if (skb_mac_offset(skb) + mac_len != 0) {
			regs->verdict.code = NFT_BREAK;
			return;
		}
		skb_push_rcsum(skb, mac_len);
	} else if (skb_mac_offset(skb) != 0 ||
		   (skb->dev && skb->dev->type == ARPHRD_ETHER &&
		    mac_len < ETH_HLEN)) {
		/* A frame whose network header was never set (raw packet
		 * sockets) cannot be edited safely: userspace does it. */
		regs->verdict.code = NFT_BREAK;
		return;
	}

	verdict = nft_mpls_do(priv, regs, skb, &mac_len);

	if (ingress)
		skb_pull_rcsum(skb, mac_len);
	if (verdict != NFT_CONTINUE)
		regs->verdict.code = verdict;
}

static const struct nla_policy nft_mpls_policy[NFTA_MPLS_MAX + 1] = {
	[NFTA_MPLS_UNSPEC]	= { .strict_start_type = NFTA_MPLS_OP },
	[NFTA_MPLS_OP]		= { .type = NLA_U32 },
	[NFTA_MPLS_ETHERTYPE]	= { .type = NLA_BE16 },
	[NFTA_MPLS_LABEL]	= { .type = NLA_U32 },
	[NFTA_MPLS_TC]		= NLA_POLICY_MAX(NLA_U8, 7),
	[NFTA_MPLS_BOS]		= NLA_POLICY_MAX(NLA_U8, 1),
	[NFTA_MPLS_TTL]		= { .type = NLA_U8 },
	[NFTA_MPLS_SREG_LABEL]	= { .type = NLA_U32 },
	[NFTA_MPLS_SREG_TC]	= { .type = NLA_U32 },
	[NFTA_MPLS_SREG_TTL]	= { .type = NLA_U32 },
};

/* Parses one field given as immediate 'imm' or register 'reg' (not
 * both).  'len' is what the register must hold. */
static int nft_mpls_parse_field(const struct nft_ctx *ctx,
				struct nft_mpls *priv,
				const struct nlattr * const tb[],
				int imm, int reg, u8 flag, u8 *sreg, u32 len)
{
	int err;

	if (tb[imm] && tb[reg])
		return -EINVAL;
	if (tb[imm])
		priv->fields |= flag;
	if (tb[reg]) {
		err = nft_parse_register_load(ctx, tb[reg], sreg, len);
		if (err < 0)
			return err;
		priv->fields |= flag;
		priv->from_reg |= flag;
	}
	return 0;
}

static int nft_mpls_init(const struct nft_ctx *ctx,
			 const struct nft_expr *expr,
			 const struct nlattr * const tb[])
{
	struct nft_mpls *priv = nft_expr_priv(expr);
	bool has_value;
	u32 op;
	int err;

	if (!tb[NFTA_MPLS_OP])
		return -EINVAL;
	op = ntohl(nla_get_be32(tb[NFTA_MPLS_OP]));
	if (op > NFT_MPLS_OP_MAX)
		return -EOPNOTSUPP;
	priv->op = op;

	if (tb[NFTA_MPLS_ETHERTYPE])
		priv->ethertype = nla_get_be16(tb[NFTA_MPLS_ETHERTYPE]);
	if (tb[NFTA_MPLS_LABEL]) {
		priv->label = ntohl(nla_get_be32(tb[NFTA_MPLS_LABEL]));
		if (priv->label > (MPLS_LS_LABEL_MASK >> MPLS_LS_LABEL_SHIFT))
			return -ERANGE;
	}
	if (tb[NFTA_MPLS_TC])
		priv->tc = nla_get_u8(tb[NFTA_MPLS_TC]);
	if (tb[NFTA_MPLS_TTL])
		priv->ttl = nla_get_u8(tb[NFTA_MPLS_TTL]);
	if (tb[NFTA_MPLS_BOS]) {
		priv->bos = nla_get_u8(tb[NFTA_MPLS_BOS]);
		priv->fields |= NFT_MPLS_F_BOS;
	}

	err = nft_mpls_parse_field(ctx, priv, tb, NFTA_MPLS_LABEL,
				   NFTA_MPLS_SREG_LABEL, NFT_MPLS_F_LABEL,
				   &priv->sreg_label, sizeof(u32));
	if (!err)
		err = nft_mpls_parse_field(ctx, priv, tb, NFTA_MPLS_TC,
					   NFTA_MPLS_SREG_TC, NFT_MPLS_F_TC,
					   &priv->sreg_tc, sizeof(u8));
	if (!err)
		err = nft_mpls_parse_field(ctx, priv, tb, NFTA_MPLS_TTL,
					   NFTA_MPLS_SREG_TTL, NFT_MPLS_F_TTL,
					   &priv->sreg_ttl, sizeof(u8));
	if (err)
		return err;

	/* Each operation takes exactly the attributes it uses. */
	has_value = priv->fields != 0;
	switch ((enum nft_mpls_ops)priv->op) {
	case NFT_MPLS_OP_PUSH:
		if (!eth_p_mpls(priv->ethertype) ||
		    (priv->fields & NFT_MPLS_F_BOS))
			return -EINVAL;
		break;
	case NFT_MPLS_OP_POP:
		if (!priv->ethertype || has_value)
			return -EINVAL;
		break;
	case NFT_MPLS_OP_SET:
		if (tb[NFTA_MPLS_ETHERTYPE] || !has_value)
			return -EINVAL;
		break;
	case NFT_MPLS_OP_DEC_TTL:
		if (tb[NFTA_MPLS_ETHERTYPE] || has_value)
			return -EINVAL;
		break;
	case NFT_MPLS_OP_COPY_TTL_IN:
	case NFT_MPLS_OP_COPY_TTL_OUT:
		if (has_value)
			return -EINVAL;
		break;
	case __NFT_MPLS_OP_MAX:
		return -EOPNOTSUPP;
	}
	return 0;
}

static int nft_mpls_dump_field(struct sk_buff *skb,
			       const struct nft_mpls *priv, u8 flag,
			       int imm, u8 value, int reg, u8 sreg)
{
	if (!(priv->fields & flag))
		return 0;
	if (priv->from_reg & flag)
		return nft_dump_register(skb, reg, sreg);
	return nla_put_u8(skb, imm, value);
}

static int nft_mpls_dump(struct sk_buff *skb, const struct nft_expr *expr,
			 bool reset)
{
	const struct nft_mpls *priv = nft_expr_priv(expr);

	if (nla_put_be32(skb, NFTA_MPLS_OP, htonl(priv->op)))
		return -1;
	if (priv->ethertype &&
	    nla_put_be16(skb, NFTA_MPLS_ETHERTYPE, priv->ethertype))
		return -1;
	if (priv->fields & NFT_MPLS_F_LABEL) {
		if (priv->from_reg & NFT_MPLS_F_LABEL) {
			if (nft_dump_register(skb, NFTA_MPLS_SREG_LABEL,
					      priv->sreg_label))
				return -1;
		} else if (nla_put_be32(skb, NFTA_MPLS_LABEL,
					htonl(priv->label))) {
			return -1;
		}
	}
	if (nft_mpls_dump_field(skb, priv, NFT_MPLS_F_TC, NFTA_MPLS_TC,
				priv->tc, NFTA_MPLS_SREG_TC, priv->sreg_tc) ||
	    nft_mpls_dump_field(skb, priv, NFT_MPLS_F_TTL, NFTA_MPLS_TTL,
				priv->ttl, NFTA_MPLS_SREG_TTL, priv->sreg_ttl))
		return -1;
	if ((priv->fields & NFT_MPLS_F_BOS) &&
	    nla_put_u8(skb, NFTA_MPLS_BOS, priv->bos))
		return -1;
	return 0;
}

static int nft_mpls_validate(const struct nft_ctx *ctx,
			     const struct nft_expr *expr)
{
	return nft_chain_validate_hooks(ctx->chain,
					(1 << NF_NETDEV_INGRESS) |
					(1 << NF_NETDEV_EGRESS));
}

/* The frame changes under any payload load tracked so far. */
static bool nft_mpls_reduce(struct nft_regs_track *track,
			    const struct nft_expr *expr)
{
	int i;

	for (i = 0; i < NFT_REG32_NUM; i++)
		__nft_reg_track_cancel(track, i);
	return false;
}

static struct nft_expr_type nft_mpls_type;
static const struct nft_expr_ops nft_mpls_ops = {
	.type		= &nft_mpls_type,
	.size		= NFT_EXPR_SIZE(sizeof(struct nft_mpls)),
	.eval		= nft_mpls_eval,
	.init		= nft_mpls_init,
	.dump		= nft_mpls_dump,
	.validate	= nft_mpls_validate,
	.reduce		= nft_mpls_reduce,
};

static struct nft_expr_type nft_mpls_type __read_mostly = {
	.family		= NFPROTO_NETDEV,
	.name		= NFT_MPLS_EXPR_NAME,
	.ops		= &nft_mpls_ops,
	.policy		= nft_mpls_policy,
	.maxattr	= NFTA_MPLS_MAX,
	.owner		= THIS_MODULE,
};

static int __init nft_mpls_module_init(void)
{
	return nft_register_expr(&nft_mpls_type);
}

static void __exit nft_mpls_module_exit(void)
{
	nft_unregister_expr(&nft_mpls_type);
}

module_init(nft_mpls_module_init);
module_exit(nft_mpls_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nftables MPLS label stack editing (mvs offload)");
MODULE_ALIAS_NFT_AF_EXPR(5, "mpls");
