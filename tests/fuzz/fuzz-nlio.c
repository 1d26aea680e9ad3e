/*
 * tests/fuzz/fuzz-nlio.c: nftc's netlink exchanges (kmod/nftc-nl.c)
 * against a kernel that answers anything: dumps interrupted
 * (NLM_F_DUMP_INTR), answers to other requests left in the socket,
 * truncated and reordered messages, error acks of any value, lost
 * answers (ENOBUFS), answers that never come, a socket that cannot be
 * reopened.
 *
 * Input layout:
 *
 *   +---+-----------+--------------------------------------------------+
 *   | n | op 1 .. n | answers: [flags][len (2 bytes, big-endian)][bytes] |
 *   +---+-----------+--------------------------------------------------+
 *
 * An nftc is built offline with two ports and four flows in two masks
 * (so it has lookup maps whose elements dumps return), then switched to
 * a fake socket: this file includes kmod/nftc-nl.c with libmnl's socket
 * calls, recv(), recvmmsg() and setsockopt() replaced by the functions below (no test
 * hook in mvs).  Then 'n' % 16 operations run, each 'op' % 10:
 *
 *   0 read the generation      1 nftc_check()     2 read all counters
 *   3 read one flow's counters 4 remove the table 5 add a flow, commit
 *   6 reopen the socket (failing if the op byte's bit 7 is set)
 *   7 read the action chains' counters (table 0's totals)
 *   8 flush every flow, commit, reap
 *   9 read the counters that changed
 *
 * Every recv() takes the next answer: 'flags' bit 0 sets each message's
 * sequence number to the last request's (bit 1: the last message of the
 * last batch sent; bits 2-3 add 0-3, so neighbours are hit too), bit 4 sets
 * NLM_F_DUMP_INTR on each, bit 5 makes the recv() fail with ENOBUFS
 * instead, bit 6 makes the answer a datagram of at most 64 bytes (cut);
 * no answer left is a timeout (EAGAIN).  sendto() fails (EPERM) while the
 * next answer's bit 7 is set.
 *
 * Checks besides crashes, sanitizers, leaks and hangs: every exchange
 * returns 0 or an errno value; a framed batch walks from BATCH_BEGIN to
 * BATCH_END; counters read stay those of known flows; the nftc can always
 * be destroyed.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <libmnl/libmnl.h>

/* The fake socket layer, declared before nftc-nl.c's own includes so that
 * the renamed prototypes match. */
struct mnl_socket;
static struct mnl_socket *fake_open(int bus);
static int fake_bind(struct mnl_socket *, unsigned int groups, pid_t pid);
static unsigned int fake_portid(const struct mnl_socket *);
static int fake_fd(const struct mnl_socket *);
static int fake_close(struct mnl_socket *);
static ssize_t fake_sendto(const struct mnl_socket *, const void *, size_t);
static ssize_t fake_recv(int fd, void *buf, size_t len, int flags);
static int fake_recvmmsg(int fd, struct mmsghdr *, unsigned int vlen,
                         int flags, struct timespec *);
static int fake_setsockopt(int fd, int level, int name, const void *v,
                           socklen_t len);
#define mnl_socket_open fake_open
#define mnl_socket_bind fake_bind
#define mnl_socket_get_portid fake_portid
#define mnl_socket_get_fd fake_fd
#define mnl_socket_close fake_close
#define mnl_socket_sendto fake_sendto
#define recv fake_recv
#define recvmmsg fake_recvmmsg
#define setsockopt fake_setsockopt

#include "kmod/nftc-nl.c"

#undef recv
#undef recvmmsg
#undef setsockopt

#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "flow.h"
#include "packets.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { FAKE_PORTID = 4242, FAKE_FD = 99 };

static struct {
    const uint8_t *data;        /* Answers not yet taken. */
    size_t size;
    uint32_t last_seq;          /* Of the last request sent. */
    uint32_t batch_last_seq;    /* Of the last message of the last batch. */
    bool open_fails;
    int n_open;                 /* Open fake sockets (0 or 1). */
} fk;

static struct mnl_socket *
fake_open(int bus OVS_UNUSED)
{
    static char sock;
    if (fk.open_fails) {
        errno = EMFILE;
        return NULL;
    }
    if (fk.n_open) {
        fprintf(stderr, "a second socket opened without closing the first\n");
        abort();
    }
    fk.n_open++;
    return (struct mnl_socket *) &sock;
}

static int
fake_bind(struct mnl_socket *s OVS_UNUSED, unsigned int groups OVS_UNUSED,
          pid_t pid OVS_UNUSED)
{
    return 0;
}

static unsigned int
fake_portid(const struct mnl_socket *s OVS_UNUSED)
{
    return FAKE_PORTID;
}

static int
fake_fd(const struct mnl_socket *s OVS_UNUSED)
{
    return FAKE_FD;
}

static int
fake_close(struct mnl_socket *s OVS_UNUSED)
{
    fk.n_open--;
    return 0;
}

static int
fake_setsockopt(int fd OVS_UNUSED, int level OVS_UNUSED, int name OVS_UNUSED,
                const void *v OVS_UNUSED, socklen_t len OVS_UNUSED)
{
    return 0;
}

static ssize_t
fake_sendto(const struct mnl_socket *s OVS_UNUSED, const void *buf,
            size_t len)
{
    if (fk.size && fk.data[0] & 0x80) {
        errno = EPERM;
        return -1;
    }
    const struct nlmsghdr *nlh = buf;
    int rem = len;
    bool first = true;
    for (; nftc_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
        if (first) {
            fk.last_seq = nlh->nlmsg_seq;
            first = false;
        }
        fk.batch_last_seq = nlh->nlmsg_seq;
    }
    return len;
}

static ssize_t
fake_recv(int fd OVS_UNUSED, void *buf, size_t len, int flags OVS_UNUSED)
{
    if (fk.size < 3) {
        errno = EAGAIN;
        return -1;
    }
    uint8_t f = fk.data[0];
    size_t n = MIN((size_t) (fk.data[1] << 8 | fk.data[2]), fk.size - 3);
    const uint8_t *p = fk.data + 3;
    fk.data += 3 + n;
    fk.size -= 3 + n;
    if (f & 0x20) {
        errno = ENOBUFS;
        return -1;
    }
    if (f & 0x40) {
        n = MIN(n, 64);
    }
    n = MIN(n, len);
    memcpy(buf, p, n);

    uint32_t seq = ((f & 2 ? fk.batch_last_seq : fk.last_seq)
                    + ((f >> 2) & 3));
    struct nlmsghdr *nlh = buf;
    int rem = n;
    for (; nftc_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
        if (f & 1) {
            nlh->nlmsg_seq = seq;
            nlh->nlmsg_pid = FAKE_PORTID;
        }
        if (f & 0x10) {
            nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
        }
    }
    return n;
}

/* One answer a call, as a datagram socket may return (the kernel answers
 * requests one at a time here). */
static int
fake_recvmmsg(int fd, struct mmsghdr *mm, unsigned int vlen,
              int flags OVS_UNUSED, struct timespec *t OVS_UNUSED)
{
    if (!vlen) {
        return 0;
    }
    const struct iovec *iov = mm[0].msg_hdr.msg_iov;
    ssize_t n = fake_recv(fd, iov->iov_base, iov->iov_len, 0);
    if (n < 0) {
        return -1;
    }
    mm[0].msg_len = n;
    mm[0].msg_hdr.msg_flags = 0;
    return 1;
}

int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return 0;
}

static void
check_error(const char *what, int error)
{
    if (error < 0 || error > 4095) {
        fprintf(stderr, "%s returned %d\n", what, error);
        abort();
    }
}

static void
check_batch(const struct nftc *nftc)
{
    size_t len = 0;
    const void *data = nftc_last_batch(nftc, &len);
    uint32_t genid;

    if (!data || !len) {
        return;
    }
    if (!nftc_batch_parse_genid(data, len, &genid)) {
        fprintf(stderr, "framed batch does not start with BATCH_BEGIN\n");
        abort();
    }
    const struct nlmsghdr *nlh = data, *last = NULL;
    int rem = len;
    for (; nftc_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
        last = nlh;
    }
    if (rem != 0 || !last || last->nlmsg_type != NFNL_MSG_BATCH_END) {
        fprintf(stderr, "framed batch: %d bytes left, or no BATCH_END\n",
                rem);
        abort();
    }
}

/* Flow 'i': in_port=1, ip, nw_src=10.0.X.i, (i odd: /24 else exact), to
 * port 2. */
static void
make_flow(int i, struct match *match, struct ofpbuf *ofpacts,
          struct nftc_flow *flow)
{
    match_init_catchall(match);
    match_set_in_port(match, u16_to_ofp(1));
    match_set_dl_type(match, htons(ETH_TYPE_IP));
    match_set_nw_src_masked(match, htonl(0x0a000000 | (i & 0xffff)),
                            htonl(i & 1 ? 0xffffff00 : 0xffffffff));
    ofpbuf_clear(ofpacts);
    ofpact_put_OUTPUT(ofpacts)->port = u16_to_ofp(2);
    *flow = (struct nftc_flow) {
        .match = match,
        .ofpacts = ofpacts->data,
        .ofpacts_len = ofpacts->size,
        .table_id = 0,
        .priority = 100 + (i & 1),
    };
}

static void
stats_cb(const struct nftc_flow_stats *st OVS_UNUSED, void *n_)
{
    size_t *n = n_;
    (*n)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nftc *nftc;
    struct ofpbuf ofpacts;
    struct nftc_flow flow;
    struct match match;

    if (size < 1) {
        return 0;
    }
    memset(&fk, 0, sizeof fk);
    if (nftc_create_offline("fz", &nftc)) {
        return 0;
    }
    nftc_port_add(nftc, u16_to_ofp(1), "veth1", 7);
    nftc_port_add(nftc, u16_to_ofp(2), "veth2", 8);
    ofpbuf_init(&ofpacts, 64);
    nftc_txn_begin(nftc);
    for (int i = 0; i < 4; i++) {
        make_flow(i, &match, &ofpacts, &flow);
        nftc_txn_flow_add(nftc, &flow);
    }
    check_error("offline commit", nftc_txn_commit(nftc));

    /* Online from here, on the fake socket. */
    nftc->offline = false;
    check_error("open", nftc_nl_open(nftc));

    size_t n_ops = data[0] % 16;
    const uint8_t *ops = data + 1;
    n_ops = MIN(n_ops, size - 1);
    fk.data = ops + n_ops;
    fk.size = size - 1 - n_ops;

    for (size_t k = 0; k < n_ops; k++) {
        uint32_t genid;
        uint64_t packets, bytes;
        size_t n_stats = 0;
        int error = 0;

        switch (ops[k] % 10) {
        case 0:
            error = nl_get_genid(nftc, &genid);
            break;
        case 1:
            error = nftc_check(nftc);
            break;
        case 2:
            error = nftc_stats_read(nftc, stats_cb, &n_stats);
            if (n_stats > nftc_n_flows(nftc)) {
                fprintf(stderr, "%zu stats for %zu flows\n", n_stats,
                        nftc_n_flows(nftc));
                abort();
            }
            break;
        case 3:
            make_flow(ops[k] >> 3 & 3, &match, &ofpacts, &flow);
            error = nftc_flow_counters(nftc, 0, flow.priority, &match,
                                       &packets, &bytes);
            break;
        case 4:
            error = nftc_remove_table(nftc);
            check_batch(nftc);
            break;
        case 5:
            make_flow(4 + (ops[k] >> 3), &match, &ofpacts, &flow);
            nftc_txn_begin(nftc);
            nftc_txn_flow_add(nftc, &flow);
            error = nftc_txn_commit(nftc);
            check_batch(nftc);
            break;
        case 6:
            fk.open_fails = ops[k] & 0x80;
            error = nftc_nl_reopen(nftc);
            fk.open_fails = false;
            break;
        case 7:
            error = nftc_table_counters(nftc, &packets, &bytes);
            break;
        case 8:
            nftc_txn_begin(nftc);
            nftc_txn_flush(nftc);
            error = nftc_txn_commit(nftc);
            check_batch(nftc);
            nftc_reap(nftc);
            break;
        case 9:
            error = nftc_stats_read_changed(nftc, stats_cb, &n_stats);
            if (n_stats > nftc_n_flows(nftc)) {
                fprintf(stderr, "%zu changed stats for %zu flows\n",
                        n_stats, nftc_n_flows(nftc));
                abort();
            }
            break;
        }
        check_error("operation", error);
    }
    ofpbuf_uninit(&ofpacts);
    nftc_destroy(nftc);
    if (fk.n_open) {
        fprintf(stderr, "the socket was not closed\n");
        abort();
    }
    return 0;
}
