/*
 * mpls-vm-check: checks of the nf_tables "mpls" expression (kmod/module)
 * that run inside the test VM (tests/sys-kmod-vm.sh), as root, after
 * nf_tables, nft_fwd_netdev, veth and nft_mpls are loaded.
 *
 * Rules are framed with a few lines of raw netlink of its own, an encoder
 * independent of mvs's; mvs's own (kmod/nftc-mpls.c, linked in, with
 * libmnl) is checked too: its probe, with and without the module, and one
 * rule it encodes.
 *
 * "mpls-vm-check probe-absent" runs only the probe, expecting no module.
 * "mpls-vm-check e2e" sends frames through the flows that the VM script
 * installed with mvs's nftc (tests/nftc-driver, bridge "br0", port 1 = a1,
 * port 2 = b0; see tests/sys-kmod-vm.sh) and checks what comes out: MPLS
 * actions, and mvs's copy_ttl_out/copy_ttl_in extensions, offloaded end
 * to end.
 *
 * Wiring, all in the VM's one namespace:
 *
 *   send -> a0 ==veth== a1 [ingress chain: rule under test; fwd to b0]
 *                       b0 ==veth== b1 -> capture (ETH_P_ALL)
 *
 * A punted frame ("accept" verdict) is seen instead by a packet socket on
 * a1 bound to ETH_P_MPLS_UC, which runs after nf ingress.
 *
 * Prints one line per check, "MPLSVM PASS name" or "MPLSVM FAIL name:
 * why", then "MPLSVM: N passed, M failed".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "kmod/nftc-mpls.h"

#define TABLE "mvsvm"
#define CHAIN "in"

static int n_pass, n_fail;

static void
result(bool ok, const char *name, const char *fmt, ...)
{
    if (ok) {
        printf("MPLSVM PASS %s\n", name);
        n_pass++;
    } else {
        va_list args;

        printf("MPLSVM FAIL %s: ", name);
        va_start(args, fmt);
        vprintf(fmt, args);
        va_end(args);
        printf("\n");
        n_fail++;
    }
    fflush(stdout);
}

/* Netlink message building. */

struct buf {
    uint8_t data[65536];
    size_t len;
};

static void *
buf_put(struct buf *b, const void *p, size_t len)
{
    void *at = b->data + b->len;

    memset(at, 0, NLMSG_ALIGN(len));
    if (p) {
        memcpy(at, p, len);
    }
    b->len += NLMSG_ALIGN(len);
    return at;
}

static struct nlmsghdr *
msg_open(struct buf *b, uint16_t type, uint16_t flags, uint32_t seq)
{
    struct nlmsghdr *nlh = buf_put(b, NULL, NLMSG_HDRLEN);

    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    nlh->nlmsg_seq = seq;
    return nlh;
}

static void
msg_close(struct buf *b, struct nlmsghdr *nlh)
{
    nlh->nlmsg_len = b->data + b->len - (uint8_t *) nlh;
}

static struct nlmsghdr *
nft_open(struct buf *b, uint16_t type, uint16_t flags, uint32_t seq,
         uint8_t family, uint16_t res_id)
{
    struct nlmsghdr *nlh = msg_open(b, type, flags, seq);
    struct nfgenmsg *g = buf_put(b, NULL, sizeof *g);

    g->nfgen_family = family;
    g->version = NFNETLINK_V0;
    g->res_id = htons(res_id);
    return nlh;
}

static void
attr_put(struct buf *b, uint16_t type, const void *p, size_t len)
{
    struct nlattr *nla = buf_put(b, NULL, NLA_HDRLEN);

    nla->nla_type = type;
    nla->nla_len = NLA_HDRLEN + len;
    buf_put(b, p, len);
}

static void attr_str(struct buf *b, uint16_t t, const char *s)
{ attr_put(b, t, s, strlen(s) + 1); }
static void attr_be32(struct buf *b, uint16_t t, uint32_t v)
{ v = htonl(v); attr_put(b, t, &v, 4); }
static void attr_be16(struct buf *b, uint16_t t, uint16_t v)
{ v = htons(v); attr_put(b, t, &v, 2); }
static void attr_u8(struct buf *b, uint16_t t, uint8_t v)
{ attr_put(b, t, &v, 1); }

static struct nlattr *
nest_open(struct buf *b, uint16_t type)
{
    struct nlattr *nla = buf_put(b, NULL, NLA_HDRLEN);

    nla->nla_type = NLA_F_NESTED | type;
    return nla;
}

static void
nest_close(struct buf *b, struct nlattr *nla)
{
    nla->nla_len = b->data + b->len - (uint8_t *) nla;
}

/* One "mpls" expression.  'label', 'tc', 'ttl', 'bos' < 0: not given. */
struct mpls_expr {
    int op;
    int ethertype;              /* 0: not given. */
    long label;
    int tc, ttl, bos;
    int sreg_label;             /* 0: not given. */
    const struct nftc_mpls *nftc;   /* Nonnull: encode this with nftc. */
};

#define MPLS_EXPR(OP, ...) \
    ((struct mpls_expr) { .op = OP, .label = -1, .tc = -1, .ttl = -1, \
                          .bos = -1, __VA_ARGS__ })

static void
expr_mpls_data(struct buf *b, const struct mpls_expr *e)
{
    attr_be32(b, NFTA_MPLS_OP, e->op);
    if (e->ethertype) {
        attr_be16(b, NFTA_MPLS_ETHERTYPE, e->ethertype);
    }
    if (e->label >= 0) {
        attr_be32(b, NFTA_MPLS_LABEL, e->label);
    }
    if (e->tc >= 0) {
        attr_u8(b, NFTA_MPLS_TC, e->tc);
    }
    if (e->ttl >= 0) {
        attr_u8(b, NFTA_MPLS_TTL, e->ttl);
    }
    if (e->bos >= 0) {
        attr_u8(b, NFTA_MPLS_BOS, e->bos);
    }
    if (e->sreg_label) {
        attr_be32(b, NFTA_MPLS_SREG_LABEL, e->sreg_label);
    }
}

static void
expr_mpls(struct buf *b, const struct mpls_expr *e)
{
    struct nlattr *elem = nest_open(b, NFTA_LIST_ELEM);
    struct nlattr *data;

    attr_str(b, NFTA_EXPR_NAME, NFT_MPLS_EXPR_NAME);
    data = nest_open(b, NFTA_EXPR_DATA);
    expr_mpls_data(b, e);
    nest_close(b, data);
    nest_close(b, elem);
}

/* immediate 'ifindex' -> reg 1; fwd to reg 1. */
static void
expr_fwd(struct buf *b, int ifindex)
{
    struct nlattr *elem, *data, *d;
    uint32_t idx = ifindex;

    elem = nest_open(b, NFTA_LIST_ELEM);
    attr_str(b, NFTA_EXPR_NAME, "immediate");
    data = nest_open(b, NFTA_EXPR_DATA);
    attr_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_1);
    d = nest_open(b, NFTA_IMMEDIATE_DATA);
    attr_put(b, NFTA_DATA_VALUE, &idx, 4);
    nest_close(b, d);
    nest_close(b, data);
    nest_close(b, elem);

    elem = nest_open(b, NFTA_LIST_ELEM);
    attr_str(b, NFTA_EXPR_NAME, "fwd");
    data = nest_open(b, NFTA_EXPR_DATA);
    attr_be32(b, NFTA_FWD_SREG_DEV, NFT_REG_1);
    nest_close(b, data);
    nest_close(b, elem);
}

/* Register 'reg32' (NFT_REG32_xx) = 'value' (host order u32). */
static void
expr_imm32(struct buf *b, int reg32, uint32_t value)
{
    struct nlattr *elem, *data, *d;

    elem = nest_open(b, NFTA_LIST_ELEM);
    attr_str(b, NFTA_EXPR_NAME, "immediate");
    data = nest_open(b, NFTA_EXPR_DATA);
    attr_be32(b, NFTA_IMMEDIATE_DREG, reg32);
    d = nest_open(b, NFTA_IMMEDIATE_DATA);
    attr_put(b, NFTA_DATA_VALUE, &value, 4);
    nest_close(b, d);
    nest_close(b, data);
    nest_close(b, elem);
}

static int nl_fd;
static void drain(int fd);
static uint32_t nl_seq = 1;

/* Sends 'b' and waits for the ack of 'last_seq'; returns 0 or the first
 * error (positive errno). */
static int
nl_talk(struct buf *b, uint32_t last_seq)
{
    uint8_t rx[65536];
    int error = 0;

    if (send(nl_fd, b->data, b->len, 0) < 0) {
        return errno;
    }
    for (;;) {
        ssize_t n = recv(nl_fd, rx, sizeof rx, 0);
        struct nlmsghdr *nlh;

        if (n < 0) {
            return error ? error : ETIMEDOUT;
        }
        for (nlh = (struct nlmsghdr *) rx; NLMSG_OK(nlh, n);
             nlh = NLMSG_NEXT(nlh, n)) {
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(nlh);

                if (e->error && !error) {
                    error = -e->error;
                }
                if (nlh->nlmsg_seq == last_seq || e->error) {
                    /* A failed batch acks nothing more. */
                    if (e->error) {
                        struct timeval tv = { 0, 200000 };

                        setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
                                   sizeof tv);
                        continue;
                    }
                    return error;
                }
            }
        }
    }
}

/* Runs a batch: 'fill' adds messages between BEGIN and END. */
static void
batch_begin(struct buf *b)
{
    struct nlmsghdr *nlh;

    b->len = 0;
    nlh = nft_open(b, NFNL_MSG_BATCH_BEGIN, 0, nl_seq++, AF_UNSPEC,
                   NFNL_SUBSYS_NFTABLES);
    msg_close(b, nlh);
}

static int
batch_end(struct buf *b)
{
    struct timeval tv = { 2, 0 };
    struct nlmsghdr *nlh;
    uint32_t last = nl_seq - 1;     /* Last message that wants an ack. */

    /* Acks (and errors) come after the whole batch is processed; older
     * kernels do not ack END itself, so wait for the last message's. */
    nlh = nft_open(b, NFNL_MSG_BATCH_END, 0, nl_seq++, AF_UNSPEC,
                   NFNL_SUBSYS_NFTABLES);
    msg_close(b, nlh);
    drain(nl_fd);
    setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return nl_talk(b, last);
}

static uint16_t
nft_type(int msg)
{
    return (NFNL_SUBSYS_NFTABLES << 8) | msg;
}

static void
add_table(struct buf *b, const char *name, int family)
{
    struct nlmsghdr *nlh = nft_open(b, nft_type(NFT_MSG_NEWTABLE),
                                    NLM_F_CREATE | NLM_F_ACK, nl_seq++,
                                    family, 0);
    attr_str(b, NFTA_TABLE_NAME, name);
    msg_close(b, nlh);
}

static void
del_table(struct buf *b, const char *name, int family)
{
    struct nlmsghdr *nlh = nft_open(b, nft_type(NFT_MSG_DELTABLE),
                                    NLM_F_ACK, nl_seq++, family, 0);
    attr_str(b, NFTA_TABLE_NAME, name);
    msg_close(b, nlh);
}

static void
add_chain(struct buf *b, const char *dev, int hooknum)
{
    struct nlmsghdr *nlh = nft_open(b, nft_type(NFT_MSG_NEWCHAIN),
                                    NLM_F_CREATE | NLM_F_ACK, nl_seq++,
                                    NFPROTO_NETDEV, 0);
    struct nlattr *hook;

    attr_str(b, NFTA_CHAIN_TABLE, TABLE);
    attr_str(b, NFTA_CHAIN_NAME, CHAIN);
    hook = nest_open(b, NFTA_CHAIN_HOOK);
    attr_be32(b, NFTA_HOOK_HOOKNUM, hooknum);
    attr_be32(b, NFTA_HOOK_PRIORITY, 0);
    attr_str(b, NFTA_HOOK_DEV, dev);
    nest_close(b, hook);
    attr_be32(b, NFTA_CHAIN_POLICY, NF_ACCEPT);
    attr_str(b, NFTA_CHAIN_TYPE, "filter");
    msg_close(b, nlh);
}

/* Replaces our table with one whose chain, on 'dev' at 'hooknum', has one
 * rule: the 'n' expressions, then (if 'fwd_ifindex') fwd.  Returns 0 or
 * the kernel's error. */
static int
install(const char *dev, int hooknum, const struct mpls_expr *e, int n,
        int fwd_ifindex)
{
    static struct buf b;
    struct nlmsghdr *nlh;
    struct nlattr *list;
    int i;

    batch_begin(&b);
    add_table(&b, TABLE, NFPROTO_NETDEV);
    del_table(&b, TABLE, NFPROTO_NETDEV);
    add_table(&b, TABLE, NFPROTO_NETDEV);
    add_chain(&b, dev, hooknum);
    nlh = nft_open(&b, nft_type(NFT_MSG_NEWRULE),
                   NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, nl_seq++,
                   NFPROTO_NETDEV, 0);
    attr_str(&b, NFTA_RULE_TABLE, TABLE);
    attr_str(&b, NFTA_RULE_CHAIN, CHAIN);
    list = nest_open(&b, NFTA_RULE_EXPRESSIONS);
    for (i = 0; i < n; i++) {
        if (e[i].nftc) {
            /* mvs's encoder appends at the message's tail. */
            nlh->nlmsg_len = b.data + b.len - (uint8_t *) nlh;
            nftc_mpls_put_expr(nlh, e[i].nftc);
            b.len = (uint8_t *) nlh + nlh->nlmsg_len - b.data;
        } else if (e[i].op == -1) {
            expr_imm32(&b, e[i].sreg_label, e[i].label);
        } else {
            expr_mpls(&b, &e[i]);
        }
    }
    if (fwd_ifindex) {
        expr_fwd(&b, fwd_ifindex);
    }
    nest_close(&b, list);
    msg_close(&b, nlh);
    return batch_end(&b);
}

static void
remove_table(void)
{
    static struct buf b;

    batch_begin(&b);
    add_table(&b, TABLE, NFPROTO_NETDEV);
    del_table(&b, TABLE, NFPROTO_NETDEV);
    batch_end(&b);
}

/* Links. */

static int
veth_add(const char *name, const char *peer)
{
    static struct buf b;
    struct nlmsghdr *nlh;
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    struct nlattr *li, *data, *p;
    uint32_t seq = nl_seq++;
    int fd, error;
    struct timeval tv = { 2, 0 };

    b.len = 0;
    nlh = msg_open(&b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
                   seq);
    buf_put(&b, &ifi, sizeof ifi);
    attr_str(&b, IFLA_IFNAME, name);
    li = nest_open(&b, IFLA_LINKINFO);
    attr_str(&b, IFLA_INFO_KIND, "veth");
    data = nest_open(&b, IFLA_INFO_DATA);
    p = nest_open(&b, VETH_INFO_PEER);
    buf_put(&b, &ifi, sizeof ifi);
    attr_str(&b, IFLA_IFNAME, peer);
    nest_close(&b, p);
    nest_close(&b, data);
    nest_close(&b, li);
    msg_close(&b, nlh);

    fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int save = nl_fd;
    nl_fd = fd;
    error = nl_talk(&b, seq);
    nl_fd = save;
    close(fd);
    return error;
}

static int
link_up(const char *name)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int error = 0;

    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        error = errno;
    } else {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
            error = errno;
        }
    }
    close(fd);
    return error;
}

/* Frames. */

static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0xbb };
static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0xaa };

struct frame {
    uint8_t d[2048];
    size_t len;
};

static void
frame_eth(struct frame *f, uint16_t type)
{
    memcpy(f->d, mac_dst, 6);
    memcpy(f->d + 6, mac_src, 6);
    f->d[12] = type >> 8;
    f->d[13] = type;
    f->len = 14;
}

static void
frame_lse(struct frame *f, uint32_t label, int tc, int bos, int ttl)
{
    uint32_t lse = htonl(label << 12 | tc << 9 | bos << 8 | ttl);

    memcpy(f->d + f->len, &lse, 4);
    f->len += 4;
}

static uint16_t
ip_csum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    size_t i;

    for (i = 0; i < len; i += 2) {
        sum += p[i] << 8 | p[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum;
}

/* IPv4/UDP with a recognisable payload. */
static void
frame_ipv4(struct frame *f, int ttl)
{
    uint8_t *ip = f->d + f->len;
    uint16_t c;

    memset(ip, 0, 36);
    ip[0] = 0x45;
    ip[3] = 36;
    ip[8] = ttl;
    ip[9] = 17;
    memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    c = ip_csum(ip, 20);
    ip[10] = c >> 8;
    ip[11] = c;
    memcpy(ip + 20, "\x30\x39\x30\x3a\x00\x10\x00\x00mvs-mpls", 16);
    f->len += 36;
}

static int tx_fd, rx_fd, punt_fd;

static int
packet_socket(const char *dev, int proto)
{
    struct sockaddr_ll sll = { .sll_family = AF_PACKET };
    int fd = socket(AF_PACKET, SOCK_RAW, htons(proto));

    sll.sll_protocol = htons(proto);
    sll.sll_ifindex = if_nametoindex(dev);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        perror("packet socket");
        exit(1);
    }
    return fd;
}

static void
drain(int fd)
{
    uint8_t junk[2048];

    while (recv(fd, junk, sizeof junk, MSG_DONTWAIT) >= 0) {
        continue;
    }
}

/* Receives our next frame (source mac_src, not outgoing) on 'fd' within
 * 'ms'; returns false if none came. */
static bool
frame_recv(int fd, struct frame *f, int ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    while (poll(&pfd, 1, ms) > 0) {
        struct sockaddr_ll sll;
        socklen_t sl = sizeof sll;
        ssize_t n = recvfrom(fd, f->d, sizeof f->d, 0,
                             (struct sockaddr *) &sll, &sl);

        if (n >= 12 && sll.sll_pkttype != PACKET_OUTGOING
            && !memcmp(f->d + 6, mac_src, 6)) {
            f->len = n;
            return true;
        }
    }
    return false;
}

static void
hex(char *out, size_t size, const struct frame *f)
{
    size_t i, n = 0;

    out[0] = '\0';
    for (i = 0; i < f->len && n + 3 < size; i++) {
        n += snprintf(out + n, size - n, "%02x", f->d[i]);
    }
}

/* Sends 'in' on a0 and checks what b1 gets ('want', or nothing if NULL)
 * and what the punt socket on a1 gets ('punt', or nothing if NULL). */
static void
expect(const char *name, const struct frame *in, const struct frame *want,
       const struct frame *punt)
{
    struct frame got, got_punt;
    bool have, have_punt;
    char h1[1024], h2[1024];

    drain(rx_fd);
    drain(punt_fd);
    if (send(tx_fd, in->d, in->len, 0) != (ssize_t) in->len) {
        result(false, name, "send: %s", strerror(errno));
        return;
    }
    have = frame_recv(rx_fd, &got, want ? 1000 : 300);
    have_punt = frame_recv(punt_fd, &got_punt, punt ? 1000 : 100);

    if (want && !have) {
        result(false, name, "nothing forwarded");
    } else if (!want && have) {
        hex(h1, sizeof h1, &got);
        result(false, name, "forwarded %s", h1);
    } else if (want && (got.len != want->len
                        || memcmp(got.d, want->d, want->len))) {
        hex(h1, sizeof h1, &got);
        hex(h2, sizeof h2, want);
        result(false, name, "got %s want %s", h1, h2);
    } else if (punt && !have_punt) {
        result(false, name, "not handed up");
    } else if (punt && (got_punt.len != punt->len
                        || memcmp(got_punt.d, punt->d, punt->len))) {
        hex(h1, sizeof h1, &got_punt);
        hex(h2, sizeof h2, punt);
        result(false, name, "handed up modified: %s want %s", h1, h2);
    } else {
        result(true, name, NULL);
    }
}

static int b0_index;

static void
check_install(const char *name, const struct mpls_expr *e, int n)
{
    int error = install("a1", NF_NETDEV_INGRESS, e, n, b0_index);

    if (error) {
        result(false, name, "install: %s", strerror(error));
    }
}

/* Checks: push. */

static void
test_push_one(void)
{
    struct mpls_expr e = MPLS_EXPR(NFT_MPLS_OP_PUSH, .ethertype = 0x8847,
                                   .label = 100, .tc = 3, .ttl = 64);
    struct frame in, want;

    check_install("push-one", &e, 1);
    frame_eth(&in, 0x0800);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 100, 3, 1, 64);
    frame_ipv4(&want, 77);
    expect("push-one", &in, &want, NULL);

    /* OpenFlow push_mpls: label 0, TTL from IP. */
    e = MPLS_EXPR(NFT_MPLS_OP_PUSH, .ethertype = 0x8847);
    check_install("push-inherit-ip", &e, 1);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 0, 0, 1, 77);
    frame_ipv4(&want, 77);
    expect("push-inherit-ip", &in, &want, NULL);

    /* Onto MPLS: copies the old top, S=0. */
    frame_eth(&in, 0x8847);
    frame_lse(&in, 555, 5, 1, 9);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 555, 5, 0, 9);
    frame_lse(&want, 555, 5, 1, 9);
    frame_ipv4(&want, 77);
    expect("push-inherit-mpls", &in, &want, NULL);

    /* Label from a register (immediate -> NFT_REG32_00). */
    struct mpls_expr r[2] = {
        { .op = -1, .sreg_label = NFT_REG32_00, .label = 0xabcde },
        MPLS_EXPR(NFT_MPLS_OP_PUSH, .ethertype = 0x8848,
                  .sreg_label = NFT_REG32_00, .ttl = 5),
    };
    check_install("push-sreg", r, 2);
    frame_eth(&in, 0x0800);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8848);
    frame_lse(&want, 0xabcde, 0, 1, 5);
    frame_ipv4(&want, 77);
    expect("push-sreg", &in, &want, NULL);
}

/* The same push, encoded by mvs's kmod/nftc-mpls.c. */
static void
test_nftc_encoded(void)
{
    const struct nftc_mpls m = {
        .op = NFT_MPLS_OP_PUSH, .ethertype = 0x8847,
        .fields = NFTC_MPLS_F_LABEL | NFTC_MPLS_F_TC | NFTC_MPLS_F_TTL,
        .label = 100, .tc = 3, .ttl = 64,
    };
    struct mpls_expr e = { .nftc = &m };
    struct frame in, want;

    check_install("nftc-encoded-push", &e, 1);
    frame_eth(&in, 0x0800);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 100, 3, 1, 64);
    frame_ipv4(&want, 77);
    expect("nftc-encoded-push", &in, &want, NULL);
}

/* mvs's probe: present iff the module is loaded; never leaves a table. */
static void
test_probe(bool want)
{
    const char *name = want ? "probe-present" : "probe-absent";
    static struct buf b;
    struct nlmsghdr *nlh;
    char table[32];
    bool present;
    int error = nftc_mpls_probe(&present);

    if (error || present != want) {
        result(false, name, "error %d, present %d", error, present);
        return;
    }
    snprintf(table, sizeof table, "mvs-probe-%ld", (long) getpid());
    b.len = 0;
    nlh = nft_open(&b, nft_type(NFT_MSG_GETTABLE), NLM_F_ACK, nl_seq,
                   NFPROTO_NETDEV, 0);
    attr_str(&b, NFTA_TABLE_NAME, table);
    msg_close(&b, nlh);
    drain(nl_fd);
    error = nl_talk(&b, nl_seq++);
    result(error == ENOENT, name, "probe table left behind (%d)", error);
}

static void
test_stack16(void)
{
    struct mpls_expr e[16];
    struct frame in, want, stacked;
    int i;

    for (i = 0; i < 16; i++) {
        e[i] = MPLS_EXPR(NFT_MPLS_OP_PUSH, .ethertype = 0x8847,
                         .label = 1000 + i, .tc = i & 7, .ttl = 64 - i);
    }
    check_install("push-16", e, 16);
    frame_eth(&in, 0x0800);
    frame_ipv4(&in, 77);
    frame_eth(&stacked, 0x8847);
    for (i = 15; i >= 0; i--) {
        frame_lse(&stacked, 1000 + i, i & 7, i == 0, 64 - i);
    }
    frame_ipv4(&stacked, 77);
    expect("push-16", &in, &stacked, NULL);

    for (i = 0; i < 16; i++) {
        e[i] = MPLS_EXPR(NFT_MPLS_OP_POP,
                         .ethertype = i == 15 ? 0x0800 : 0x8847);
    }
    check_install("pop-16", e, 16);
    want = in;
    expect("pop-16", &stacked, &want, NULL);
}

static void
test_swap_ttl(void)
{
    struct mpls_expr e[2] = {
        MPLS_EXPR(NFT_MPLS_OP_SET, .label = 200),
        MPLS_EXPR(NFT_MPLS_OP_DEC_TTL),
    };
    struct frame in, want;

    check_install("swap-dec-ttl", e, 2);
    frame_eth(&in, 0x8847);
    frame_lse(&in, 100, 2, 1, 64);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 200, 2, 1, 63);
    frame_ipv4(&want, 77);
    expect("swap-dec-ttl", &in, &want, NULL);

    e[0] = MPLS_EXPR(NFT_MPLS_OP_SET, .tc = 7, .bos = 0, .ttl = 3);
    check_install("set-tc-bos-ttl", e, 1);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 100, 7, 0, 3);
    frame_ipv4(&want, 77);
    expect("set-tc-bos-ttl", &in, &want, NULL);

    /* TTL 1 and 0: accept, untouched, nothing forwarded. */
    check_install("ttl-expiry", &e[1], 1);
    frame_eth(&in, 0x8847);
    frame_lse(&in, 100, 0, 1, 1);
    frame_ipv4(&in, 77);
    expect("ttl-expiry-1", &in, NULL, &in);
    frame_eth(&in, 0x8847);
    frame_lse(&in, 100, 0, 1, 0);
    frame_ipv4(&in, 77);
    expect("ttl-expiry-0", &in, NULL, &in);

    /* A non-MPLS frame breaks the rule: no fwd, the chain accepts. */
    frame_eth(&in, 0x0800);
    frame_ipv4(&in, 77);
    expect("dec-ttl-not-mpls", &in, NULL, NULL);
}

static void
test_copy_ttl(void)
{
    struct mpls_expr e = MPLS_EXPR(NFT_MPLS_OP_COPY_TTL_IN,
                                   .ethertype = 0x0800);
    struct frame in, want;

    check_install("copy-ttl-in-ip", &e, 1);
    frame_eth(&in, 0x8847);
    frame_lse(&in, 100, 0, 1, 20);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 100, 0, 1, 20);
    frame_ipv4(&want, 20);              /* Checksum recomputed too. */
    expect("copy-ttl-in-ip", &in, &want, NULL);

    frame_eth(&in, 0x8847);
    frame_lse(&in, 100, 0, 0, 20);
    frame_lse(&in, 101, 0, 1, 99);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 100, 0, 0, 20);
    frame_lse(&want, 101, 0, 1, 20);
    frame_ipv4(&want, 77);
    expect("copy-ttl-in-mpls", &in, &want, NULL);

    e = MPLS_EXPR(NFT_MPLS_OP_COPY_TTL_OUT, .ethertype = 0x0800);
    check_install("copy-ttl-out-ip", &e, 1);
    frame_eth(&in, 0x8847);
    frame_lse(&in, 100, 0, 1, 20);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 100, 0, 1, 77);
    frame_ipv4(&want, 77);
    expect("copy-ttl-out-ip", &in, &want, NULL);
}

static void
test_pop_teb(void)
{
    struct mpls_expr e = MPLS_EXPR(NFT_MPLS_OP_POP, .ethertype = 0x6558);
    struct frame in, inner;

    check_install("pop-teb", &e, 1);
    frame_eth(&inner, 0x0800);
    inner.d[0] = 0x02;          /* Inner dst; src stays mac_src. */
    inner.d[5] = 0xcc;
    frame_ipv4(&inner, 33);
    frame_eth(&in, 0x8847);
    in.d[0] = 0x02;
    frame_lse(&in, 300, 0, 1, 64);
    memcpy(in.d + in.len, inner.d, inner.len);
    in.len += inner.len;
    expect("pop-teb", &in, &inner, NULL);
}

static void
test_malformed(void)
{
    struct mpls_expr ops[] = {
        MPLS_EXPR(NFT_MPLS_OP_POP, .ethertype = 0x0800),
        MPLS_EXPR(NFT_MPLS_OP_SET, .label = 1),
        MPLS_EXPR(NFT_MPLS_OP_DEC_TTL),
        MPLS_EXPR(NFT_MPLS_OP_COPY_TTL_IN, .ethertype = 0x0800),
        MPLS_EXPR(NFT_MPLS_OP_COPY_TTL_OUT, .ethertype = 0x86dd),
        MPLS_EXPR(NFT_MPLS_OP_PUSH, .ethertype = 0x8847),
        MPLS_EXPR(NFT_MPLS_OP_POP, .ethertype = 0x6558),
    };
    static const char *names[] = {
        "pop", "set", "dec-ttl", "copy-ttl-in", "copy-ttl-out", "push",
        "pop-teb",
    };
    size_t i;

    for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char name[64];
        struct frame in;

        snprintf(name, sizeof name, "malformed-%s", names[i]);
        check_install(name, &ops[i], 1);

        /* Two bytes where a label stack entry should be. */
        frame_eth(&in, 0x8847);
        in.d[in.len++] = 0x12;
        in.d[in.len++] = 0x34;
        if (ops[i].op == NFT_MPLS_OP_PUSH) {
            /* Push reads the old top only to copy it: punted too. */
            expect(name, &in, NULL, &in);
            continue;
        }
        snprintf(name, sizeof name, "malformed-%s-short", names[i]);
        expect(name, &in, NULL, &in);

        /* Truncated stack: no bottom entry, then the frame ends. */
        frame_eth(&in, 0x8847);
        frame_lse(&in, 7, 0, 0, 64);
        snprintf(name, sizeof name, "malformed-%s-nobos", names[i]);
        if (ops[i].op == NFT_MPLS_OP_COPY_TTL_IN
            || ops[i].op == NFT_MPLS_OP_COPY_TTL_OUT) {
            expect(name, &in, NULL, &in);       /* Needs the 2nd entry. */
        } else {
            /* Valid edits of the top entry; just no crash. */
            struct frame got;

            drain(rx_fd);
            send(tx_fd, in.d, in.len, 0);
            frame_recv(rx_fd, &got, 300);
            result(true, name, NULL);
        }
    }

    /* Pop on a BOS entry with a truncated IP header under it. */
    struct mpls_expr e[2] = {
        MPLS_EXPR(NFT_MPLS_OP_POP, .ethertype = 0x0800),
        MPLS_EXPR(NFT_MPLS_OP_POP, .ethertype = 0x0800),
    };
    struct frame in;

    check_install("malformed-pop-twice", e, 2);
    frame_eth(&in, 0x8847);
    frame_lse(&in, 7, 0, 1, 64);
    expect("malformed-pop-twice", &in, NULL, NULL);
}

/* Rules the module must refuse at init. */
static void
test_init_checks(void)
{
    static const struct {
        const char *name;
        struct mpls_expr e;
    } bad[] = {
        { "reject-push-ip-ethertype",
          MPLS_EXPR(NFT_MPLS_OP_PUSH, .ethertype = 0x0800) },
        { "reject-push-no-ethertype", MPLS_EXPR(NFT_MPLS_OP_PUSH) },
        { "reject-label-range",
          MPLS_EXPR(NFT_MPLS_OP_SET, .label = 0x100000) },
        { "reject-tc-range", MPLS_EXPR(NFT_MPLS_OP_SET, .tc = 8) },
        { "reject-bos-range", MPLS_EXPR(NFT_MPLS_OP_SET, .bos = 2) },
        { "reject-op-range", MPLS_EXPR(99) },
        { "reject-set-nothing", MPLS_EXPR(NFT_MPLS_OP_SET) },
        { "reject-pop-with-label",
          MPLS_EXPR(NFT_MPLS_OP_POP, .ethertype = 0x0800, .label = 1) },
        { "reject-dec-ttl-with-ttl",
          MPLS_EXPR(NFT_MPLS_OP_DEC_TTL, .ttl = 1) },
        { "reject-sreg-out-of-bounds",
          MPLS_EXPR(NFT_MPLS_OP_SET, .sreg_label = NFT_REG32_15 + 1) },
        { "reject-label-imm-and-sreg",
          MPLS_EXPR(NFT_MPLS_OP_SET, .label = 1,
                    .sreg_label = NFT_REG32_00) },
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int error = install("a1", NF_NETDEV_INGRESS, &bad[i].e, 1, 0);

        result(error != 0, bad[i].name, "accepted by the kernel");
    }
}

/* Dumps the rule back and compares the expression's attributes. */
static void
test_dump(void)
{
    struct mpls_expr e = MPLS_EXPR(NFT_MPLS_OP_PUSH, .ethertype = 0x8848,
                                   .label = 0x12345, .tc = 6, .ttl = 200);
    static struct buf b, want;
    uint8_t rx[65536];
    struct nlmsghdr *nlh;
    ssize_t n;
    bool found = false;
    int error = install("a1", NF_NETDEV_INGRESS, &e, 1, 0);

    if (error) {
        result(false, "dump", "install: %s", strerror(error));
        return;
    }
    want.len = 0;
    expr_mpls_data(&want, &e);

    b.len = 0;
    nlh = nft_open(&b, nft_type(NFT_MSG_GETRULE), NLM_F_DUMP, nl_seq++,
                   NFPROTO_NETDEV, 0);
    attr_str(&b, NFTA_RULE_TABLE, TABLE);
    attr_str(&b, NFTA_RULE_CHAIN, CHAIN);
    msg_close(&b, nlh);
    send(nl_fd, b.data, b.len, 0);
    while (!found && (n = recv(nl_fd, rx, sizeof rx, 0)) > 0) {
        bool done = false;

        for (nlh = (struct nlmsghdr *) rx; NLMSG_OK(nlh, n);
             nlh = NLMSG_NEXT(nlh, n)) {
            if (nlh->nlmsg_type == NLMSG_DONE
                || nlh->nlmsg_type == NLMSG_ERROR) {
                done = true;
                break;
            }
            /* The expression's bytes appear verbatim in the rule. */
            if (memmem(nlh, nlh->nlmsg_len, want.data, want.len)) {
                found = true;
            }
        }
        if (done) {
            break;
        }
    }
    drain(nl_fd);
    result(found, "dump", "mpls attributes not found in the dump");
}

/* The egress hook: set the label on the way out of b0. */
static void
test_egress(void)
{
    struct mpls_expr e = MPLS_EXPR(NFT_MPLS_OP_SET, .label = 4242);
    struct frame in, want;
    int error;

    /* Ingress on a1 forwards untouched (an empty-effect copy_ttl_out
     * with no IP type is a no-op), egress on b0 rewrites. */
    static struct buf b;
    struct nlmsghdr *nlh;
    struct nlattr *list;
    struct mpls_expr noop = MPLS_EXPR(NFT_MPLS_OP_COPY_TTL_OUT);

    error = install("a1", NF_NETDEV_INGRESS, &noop, 1, b0_index);
    if (!error) {
        batch_begin(&b);
        nlh = nft_open(&b, nft_type(NFT_MSG_NEWCHAIN),
                       NLM_F_CREATE | NLM_F_ACK, nl_seq++, NFPROTO_NETDEV,
                       0);
        attr_str(&b, NFTA_CHAIN_TABLE, TABLE);
        attr_str(&b, NFTA_CHAIN_NAME, "out");
        struct nlattr *hook = nest_open(&b, NFTA_CHAIN_HOOK);
        attr_be32(&b, NFTA_HOOK_HOOKNUM, NF_NETDEV_EGRESS);
        attr_be32(&b, NFTA_HOOK_PRIORITY, 0);
        attr_str(&b, NFTA_HOOK_DEV, "b0");
        nest_close(&b, hook);
        attr_be32(&b, NFTA_CHAIN_POLICY, NF_ACCEPT);
        attr_str(&b, NFTA_CHAIN_TYPE, "filter");
        msg_close(&b, nlh);
        nlh = nft_open(&b, nft_type(NFT_MSG_NEWRULE),
                       NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, nl_seq++,
                       NFPROTO_NETDEV, 0);
        attr_str(&b, NFTA_RULE_TABLE, TABLE);
        attr_str(&b, NFTA_RULE_CHAIN, "out");
        list = nest_open(&b, NFTA_RULE_EXPRESSIONS);
        expr_mpls(&b, &e);
        nest_close(&b, list);
        msg_close(&b, nlh);
        error = batch_end(&b);
    }
    if (error) {
        result(false, "egress-set", "install: %s", strerror(error));
        return;
    }
    frame_eth(&in, 0x8847);
    frame_lse(&in, 100, 1, 1, 64);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 4242, 1, 1, 64);
    frame_ipv4(&want, 77);
    expect("egress-set", &in, &want, NULL);
}

/* Frames through flows lowered by nftc (see the top of the file). */
static void
test_e2e(void)
{
    struct frame in, want;

    /* in_port=1,ip: push_mpls, set label 100, set TTL 9, output:2. */
    frame_eth(&in, 0x0800);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 100, 0, 1, 9);
    frame_ipv4(&want, 77);
    expect("e2e-push", &in, &want, NULL);

    /* mpls_label=200: dec_mpls_ttl, set label 201, output:2. */
    frame_eth(&in, 0x8847);
    frame_lse(&in, 200, 0, 1, 64);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 201, 0, 1, 63);
    frame_ipv4(&want, 77);
    expect("e2e-swap", &in, &want, NULL);

    frame_eth(&in, 0x8847);
    frame_lse(&in, 200, 0, 1, 1);
    frame_ipv4(&in, 77);
    expect("e2e-ttl-expiry", &in, NULL, &in);

    /* mpls_label=300,mpls_bos=1: pop_mpls:0x0800, output:2. */
    frame_eth(&in, 0x8847);
    frame_lse(&in, 300, 0, 1, 64);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x0800);
    frame_ipv4(&want, 77);
    expect("e2e-pop", &in, &want, NULL);

    /* in_port=1,ip,nw_ttl=33: push_mpls, set label 400, set TTL 9,
     * copy_ttl_out (mvs's extension, from IPv4: the type nftc took from
     * the match), output:2. */
    frame_eth(&in, 0x0800);
    frame_ipv4(&in, 33);
    frame_eth(&want, 0x8847);
    frame_lse(&want, 400, 0, 1, 33);
    frame_ipv4(&want, 33);
    expect("e2e-copy-ttl-out", &in, &want, NULL);

    /* mpls_label=500,mpls_bos=1: copy_ttl_in (into IPv4: the type of the
     * later pop), pop_mpls:0x0800, output:2. */
    frame_eth(&in, 0x8847);
    frame_lse(&in, 500, 0, 1, 20);
    frame_ipv4(&in, 77);
    frame_eth(&want, 0x0800);
    frame_ipv4(&want, 20);              /* Checksum recomputed too. */
    expect("e2e-copy-ttl-in", &in, &want, NULL);
}

int
main(int argc, char *argv[])
{
    bool probe_only = argc > 1 && !strcmp(argv[1], "probe-absent");
    bool e2e = argc > 1 && !strcmp(argv[1], "e2e");
    struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
    FILE *f;
    int error;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (probe_only) {
        struct timeval tv = { 2, 0 };

        nl_fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
        bind(nl_fd, (struct sockaddr *) &snl, sizeof snl);
        setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        test_probe(false);
        return n_fail != 0;
    }
    if (e2e) {
        tx_fd = packet_socket("a0", ETH_P_ALL);
        rx_fd = packet_socket("b1", ETH_P_ALL);
        punt_fd = packet_socket("a1", ETH_P_MPLS_UC);
        test_e2e();
        printf("MPLSVM: %d passed, %d failed (e2e)\n", n_pass, n_fail);
        return n_fail != 0;
    }
    f = fopen("/proc/sys/net/ipv6/conf/default/disable_ipv6", "w");
    if (f) {
        fputs("1\n", f);
        fclose(f);
    }
    if ((error = veth_add("a0", "a1")) || (error = veth_add("b0", "b1"))) {
        result(false, "setup", "veth: %s", strerror(error));
        return 1;
    }
    link_up("a0");
    link_up("a1");
    link_up("b0");
    link_up("b1");
    b0_index = if_nametoindex("b0");

    nl_fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
    if (nl_fd < 0 || bind(nl_fd, (struct sockaddr *) &snl, sizeof snl)) {
        result(false, "setup", "netlink: %s", strerror(errno));
        return 1;
    }
    tx_fd = packet_socket("a0", ETH_P_ALL);
    rx_fd = packet_socket("b1", ETH_P_ALL);
    punt_fd = packet_socket("a1", ETH_P_MPLS_UC);
    usleep(200000);

    test_probe(true);
    test_init_checks();
    test_dump();
    test_push_one();
    test_nftc_encoded();
    test_stack16();
    test_swap_ttl();
    test_copy_ttl();
    test_pop_teb();
    test_malformed();
    test_egress();
    remove_table();

    printf("MPLSVM: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail != 0;
}
