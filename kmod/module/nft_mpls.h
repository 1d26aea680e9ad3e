/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nft_mpls.h: netlink interface of the nf_tables "mpls" expression.
 *
 * Shared by the kernel module (nft_mpls.c) and mvs's userspace encoder
 * (kmod/nftc-mpls.c): enums only, no kernel types, so both sides include
 * the same file and cannot drift apart.
 *
 * The expression edits the top of an MPLS label stack in a netdev
 * ingress or egress chain.  All integers are in network byte order on the
 * wire, as every nf_tables attribute is.
 *
 *   NFTA_MPLS_OP          u32   enum nft_mpls_ops (required)
 *   NFTA_MPLS_ETHERTYPE   be16  push: 0x8847/0x8848 (required);
 *                               pop: new ethertype (required; 0x6558 on
 *                               the bottom entry strips the outer
 *                               Ethernet header too, as mvs does);
 *                               copy_ttl_in/out: the type under the
 *                               bottom entry (0x0800/0x86dd; optional)
 *   NFTA_MPLS_LABEL       u32   immediate label (0..0xfffff)
 *   NFTA_MPLS_TC          u8    immediate traffic class (0..7)
 *   NFTA_MPLS_BOS         u8    immediate bottom-of-stack bit (set only)
 *   NFTA_MPLS_TTL         u8    immediate TTL
 *   NFTA_MPLS_SREG_LABEL  u32   source register: label as a host-order
 *                               u32 (low 20 bits), like "meta mark"
 *   NFTA_MPLS_SREG_TC     u32   source register: TC in its first byte
 *   NFTA_MPLS_SREG_TTL    u32   source register: TTL in its first byte
 *
 * A field is given as an immediate or a register, never both.
 *
 * Verdicts: a frame the operation does not apply to (pop, set, dec_ttl or
 * copy_ttl on a frame that is not MPLS) breaks the rule.  A frame whose
 * stack is too short for the operation, and dec_ttl of a TTL of 0 or 1,
 * end the chain with "accept" and the frame untouched, so that the
 * userspace datapath sees it (and sends invalid_ttl).  A memory failure
 * while editing drops the frame.
 */
#ifndef NFT_MPLS_H
#define NFT_MPLS_H 1

/* The expression's name, as in NFTA_EXPR_NAME. */
#define NFT_MPLS_EXPR_NAME "mpls"

/* What the expression does to the frame. */
enum nft_mpls_ops {
	NFT_MPLS_OP_PUSH,	  /* Push an entry: OpenFlow push_mpls. */
	NFT_MPLS_OP_POP,	  /* Pop the top entry: pop_mpls. */
	NFT_MPLS_OP_SET,	  /* Set label/TC/BOS/TTL of the top entry. */
	NFT_MPLS_OP_DEC_TTL,	  /* dec_mpls_ttl; TTL <= 1 punts. */
	NFT_MPLS_OP_COPY_TTL_IN,  /* TTL of the top -> the header under it. */
	NFT_MPLS_OP_COPY_TTL_OUT, /* TTL of the header under the top -> top. */
	__NFT_MPLS_OP_MAX
};
#define NFT_MPLS_OP_MAX (__NFT_MPLS_OP_MAX - 1)

/* Attributes inside NFTA_EXPR_DATA. */
enum nft_mpls_attributes {
	NFTA_MPLS_UNSPEC,
	NFTA_MPLS_OP,
	NFTA_MPLS_ETHERTYPE,
	NFTA_MPLS_LABEL,
	NFTA_MPLS_TC,
	NFTA_MPLS_BOS,
	NFTA_MPLS_TTL,
	NFTA_MPLS_SREG_LABEL,
	NFTA_MPLS_SREG_TC,
	NFTA_MPLS_SREG_TTL,
	__NFTA_MPLS_MAX
};
#define NFTA_MPLS_MAX (__NFTA_MPLS_MAX - 1)

#endif /* nft_mpls.h */
