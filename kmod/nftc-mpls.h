/*
 * nftc-mpls: userspace side of the nf_tables "mpls" expression.
 *
 * What?
 * =====
 *
 * kmod/module/nft_mpls.ko adds an nf_tables expression, "mpls", that
 * pushes, pops and edits MPLS label stack entries in netdev chains (its
 * netlink interface is kmod/module/nft_mpls.h).  libnftnl does not know
 * it, so this module encodes and parses its netlink attributes itself with
 * libmnl, and probes whether the running kernel has it.
 *
 * It depends on libmnl and libc only (no libopenvswitch), so that the VM
 * test (tests/sys-kmod-vm.sh) runs this very code against the module.
 *
 *
 * Thread-safety
 * =============
 *
 * All functions are reentrant; nftc_mpls_probe() opens its own socket.
 */
#ifndef NFTC_MPLS_H
#define NFTC_MPLS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include "kmod/module/nft_mpls.h"

/* Is there a whole netlink message at 'nlh', within 'len' bytes?  As
 * libmnl's mnl_nlmsg_ok(), except that libmnl compares the message length
 * as an int, so a length of 2 GiB or more passes and the walk jumps out of
 * the buffer; the kernel's answers are untrusted input.  (Here, not in
 * nftc-private.h, because this file builds without libopenvswitch too: the
 * VM test, tests/sys-kmod-vm.sh.) */
static inline bool
nftc_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
    return (len >= (int) sizeof *nlh && nlh->nlmsg_len >= sizeof *nlh
            && nlh->nlmsg_len <= (unsigned int) len);
}

struct nlattr;
struct nlmsghdr;

/* Bits of nftc_mpls.fields and nftc_mpls.from_reg. */
enum nftc_mpls_field {
    NFTC_MPLS_F_LABEL = 1 << 0,
    NFTC_MPLS_F_TC = 1 << 1,
    NFTC_MPLS_F_BOS = 1 << 2,     /* Immediate only. */
    NFTC_MPLS_F_TTL = 1 << 3,
};

/* One "mpls" expression, in host byte order. */
struct nftc_mpls {
    enum nft_mpls_ops op;
    uint16_t ethertype;           /* 0: not given. */
    uint8_t fields;               /* NFTC_MPLS_F_*: fields the rule sets. */
    uint8_t from_reg;             /* NFTC_MPLS_F_*: ...from a register. */
    uint32_t label;               /* Immediates, valid per 'fields'. */
    uint8_t tc;
    uint8_t bos;
    uint8_t ttl;
    uint32_t sreg_label;          /* NFT_REG32_* (or NFT_REG_*), valid */
    uint32_t sreg_tc;             /* per 'from_reg'. */
    uint32_t sreg_ttl;
};

/* Returns 0 if 'm' is an expression the module accepts (the same rules as
 * its init function), EINVAL otherwise. */
int nftc_mpls_check(const struct nftc_mpls *m);

/* Appends to 'nlh' one NFTA_LIST_ELEM holding NFTA_EXPR_NAME "mpls" and
 * NFTA_EXPR_DATA, to be called inside an NFTA_RULE_EXPRESSIONS nest.  The
 * caller makes sure the message has room (at most NFTC_MPLS_EXPR_MAX
 * bytes are added). */
void nftc_mpls_put_expr(struct nlmsghdr *nlh, const struct nftc_mpls *m);
#define NFTC_MPLS_EXPR_MAX 128

/* Parses one NFTA_LIST_ELEM of a rule ('elem', trusted for nothing).
 * Returns 0 and fills 'm' if it is a well-formed "mpls" expression,
 * ENOENT if it is another expression, EINVAL if it is malformed. */
int nftc_mpls_parse_expr(const struct nlattr *elem, struct nftc_mpls *m);

/* Probe.
 *
 * nftc_mpls_probe_frame() frames into 'buf' (of 'size' bytes) the probe
 * batch: BEGIN, a new netdev table 'table', a regular chain in it, and a
 * rule using "mpls", each asking for an ack, and no END, so the kernel
 * validates the batch and then aborts it: nothing is ever committed.
 * Sequence numbers start at 'seq'.  Returns the length, or 0 if 'size' is
 * too small.  The rule's sequence number is 'seq' + NFTC_MPLS_PROBE_RULE.
 *
 * nftc_mpls_probe() sends it on a netlink socket of its own, in the
 * calling thread's network namespace, and sets '*present' to whether the
 * kernel accepted the rule.  Returns 0, or an errno value if the kernel
 * could not be asked (then '*present' is false). */
#define NFTC_MPLS_PROBE_RULE 3
size_t nftc_mpls_probe_frame(void *buf, size_t size, uint32_t seq,
                             const char *table);
int nftc_mpls_probe(bool *present);

#endif /* nftc-mpls.h */
