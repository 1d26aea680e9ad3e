/*
 * nftc-nl.c: nftc's netlink I/O with the kernel's nf_tables.
 *
 * One NETLINK_NETFILTER socket per struct nftc, in the namespace of the
 * thread that created it.  Two kinds of exchange:
 *
 *   - a request and its answers (nl_talk()): the ruleset generation
 *     (NFT_MSG_GETGEN), dumps of our rules and of our maps' elements with
 *     their counters;
 *
 *   - a batch (nftc_nl_batch_commit()), built by nftc-msg.c, sent in one
 *     sendmsg(), during which the kernel applies it and queues every
 *     answer; the commit succeeded only if the kernel acknowledged its END
 *     (see nftc_batch_end()).
 *
 * Every answer comes from the kernel but is parsed as untrusted input:
 * lengths are checked, values out of range are protocol errors, malformed
 * dumps are skipped and logged with rate limiting.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "byte-order.h"
#include "kmod/nftc-private.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(nftc_nl);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* The socket. */

/* libmnl reports -1 and errno; turn that into a positive errno now. */
static int
mnl_error(void)
{
    return errno ? errno : EIO;
}

int
nftc_nl_open(struct nftc *nftc)
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
    /* An answer that has not come in this long never will. */
    struct timeval tv = { .tv_sec = NFTC_ANSWER_TIMEOUT_MS / 1000,
                          .tv_usec = NFTC_ANSWER_TIMEOUT_MS % 1000 * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    nftc->sndbuf = 0;
    return 0;
}

void
nftc_nl_close(struct nftc *nftc)
{
    if (nftc->nl) {
        mnl_socket_close(nftc->nl);
        nftc->nl = NULL;
    }
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

/* Exchanges and their answers. */

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

/* Attribute walks.
 *
 * libnftnl's parsers end the process (exit()) on an attribute they find
 * malformed ("kernel ABI breakage"), so nftc walks the kernel's answers
 * itself, with libmnl's bounds checks, and takes only the attributes it
 * needs; anything malformed is skipped. */

struct attr_table {
    const struct nlattr **tb;
    int max;
};

static int
attr_table_cb(const struct nlattr *a, void *t_)
{
    struct attr_table *t = t_;
    int type = mnl_attr_get_type(a);

    if (type <= t->max) {
        t->tb[type] = a;
    }
    return MNL_CB_OK;
}

/* Fills 'tb' (max + 1 entries) with the attributes of 'nlh' after the
 * nfgenmsg header.  Returns false if they are malformed. */
static bool
attrs_of_msg(const struct nlmsghdr *nlh, const struct nlattr **tb, int max)
{
    struct attr_table t = { tb, max };
    memset(tb, 0, (max + 1) * sizeof *tb);
    return (nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg)
            && mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_table_cb,
                              &t) >= 0);
}

static bool
attrs_of_nest(const struct nlattr *nest, const struct nlattr **tb, int max)
{
    struct attr_table t = { tb, max };
    memset(tb, 0, (max + 1) * sizeof *tb);
    return nest && mnl_attr_parse_nested(nest, attr_table_cb, &t) >= 0;
}

static bool
attr_be32(const struct nlattr *a, uint32_t *v)
{
    if (!a || mnl_attr_get_payload_len(a) != 4) {
        return false;
    }
    ovs_be32 x;
    memcpy(&x, mnl_attr_get_payload(a), 4);
    *v = ntohl(x);
    return true;
}

static bool
attr_be64(const struct nlattr *a, uint64_t *v)
{
    if (!a || mnl_attr_get_payload_len(a) != 8) {
        return false;
    }
    ovs_be64 x;
    memcpy(&x, mnl_attr_get_payload(a), 8);
    *v = ntohll(x);
    return true;
}

static int
gen_cb(const struct nlmsghdr *nlh, void *genid_)
{
    const struct nlattr *tb[NFTA_GEN_MAX + 1];
    uint32_t *genid = genid_;
    uint32_t id;

    if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWGEN
        && attrs_of_msg(nlh, tb, NFTA_GEN_MAX)
        && attr_be32(tb[NFTA_GEN_ID], &id)) {
        *genid = id;
    }
    return MNL_CB_OK;
}

/* Reads the answers to request 'seq' until the kernel says it is done
 * (NLMSG_DONE, or an error message: 0 is the ack), feeding the others to
 * 'cb'.  Answers to any other request, which an exchange that failed
 * half-way may have left in the socket, are skipped.  If the kernel
 * interrupted a dump (NLM_F_DUMP_INTR: someone changed the ruleset during
 * it), '*intr' is set and the rest is read to its end without 'cb'. */
static int
nl_answers(struct nftc *nftc, uint32_t seq, mnl_cb_t cb, void *aux,
           bool *intr)
{
    int fd = mnl_socket_get_fd(nftc->nl);
    struct mmsghdr mm[NFTC_RX_VLEN];
    struct iovec iov[NFTC_RX_VLEN];
    bool done = false;
    int error = 0;

    if (!nftc->rx_buf) {
        nftc->rx_buf = xmalloc(NFTC_RX_VLEN * NFTC_RX_SIZE);
    }
    for (int i = 0; i < NFTC_RX_VLEN; i++) {
        iov[i].iov_base = nftc->rx_buf + i * NFTC_RX_SIZE;
        iov[i].iov_len = NFTC_RX_SIZE;
        memset(&mm[i], 0, sizeof mm[i]);
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }

    *intr = false;
    while (!done) {
        /* Many answers a system call: a counter read by key is one
         * message per flow. */
        int n = recvmmsg(fd, mm, NFTC_RX_VLEN, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            /* A timeout (SO_RCVTIMEO) is an answer that never came. */
            error = (errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT
                     : errno);
            break;
        }
        for (int i = 0; i < n && !done; i++) {
            const struct nlmsghdr *nlh = iov[i].iov_base;
            int len = mm[i].msg_len;

            if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
                len = 0;        /* Reported below, after the rest. */
                if (!error) {
                    VLOG_WARN_RL(&rl, "%s: truncated netlink answer",
                                 nftc->table);
                    error = EPROTO;
                }
            }
            for (; nftc_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
                if (nlh->nlmsg_seq != seq
                    || (nlh->nlmsg_pid && nlh->nlmsg_pid != nftc->portid)) {
                    nftc->counts.n_stale++;
                    continue;
                }
                if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
                    *intr = true;
                }
                if (nlh->nlmsg_type == NLMSG_DONE) {
                    done = true;
                    break;
                } else if (nlh->nlmsg_type == NLMSG_ERROR) {
                    int err = nlmsg_err(nlh);
                    if (!error) {
                        error = err < 0 ? EPROTO : err;
                    }
                    done = true;
                    break;
                } else if (nlh->nlmsg_type < NLMSG_MIN_TYPE) {
                    continue;   /* NLMSG_NOOP, NLMSG_OVERRUN. */
                }
                if (!*intr && !error && cb) {
                    errno = 0;
                    if (cb(nlh, aux) == MNL_CB_ERROR) {
                        error = errno ? errno : EPROTO;
                    }
                }
            }
            if (!done && len > 0 && !error) {
                VLOG_WARN_RL(&rl, "%s: truncated netlink answer",
                             nftc->table);
                error = EPROTO;
            }
        }
    }
    return error;
}

/* Is 'error' one after which the socket may hold answers out of step with
 * our requests, or have lost some? */
static bool
nl_desync(int error)
{
    return (error == EPROTO || error == ENOBUFS || error == ETIMEDOUT
            || error == ESRCH);
}

int
nftc_nl_reopen(struct nftc *nftc)
{
    nftc_nl_close(nftc);
    nftc->counts.n_reopens++;
    int error = nftc_nl_open(nftc);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: cannot reopen the netlink socket (%s)",
                     nftc->table, ovs_strerror(error));
    }
    return error;
}

/* Runs one request/answer exchange: sends 'nlh' and feeds the answers to
 * 'cb' until the kernel says done.  A dump the kernel interrupted is asked
 * again (with 'restart', if nonnull, called first to forget what 'cb'
 * gathered), up to NFTC_DUMP_RETRIES times; after an error that leaves the
 * socket out of step the socket is reopened and the request sent once
 * more. */
static int
nl_talk(struct nftc *nftc, struct nlmsghdr *nlh, mnl_cb_t cb,
        void (*restart)(void *aux), void *aux)
{
    bool reopened = false;
    int error;

    for (int attempt = 0; ; attempt++) {
        bool intr = false;

        if (!nftc->nl) {
            return ENOTCONN;
        }
        nlh->nlmsg_seq = nftc->seq++;
        if (mnl_socket_sendto(nftc->nl, nlh, nlh->nlmsg_len) < 0) {
            error = mnl_error();
        } else {
            error = nl_answers(nftc, nlh->nlmsg_seq, cb, aux, &intr);
        }
        if (!error && intr && attempt < NFTC_DUMP_RETRIES) {
            nftc->counts.n_dump_retries++;
        } else if (nl_desync(error) && !reopened) {
            reopened = true;
            VLOG_INFO_RL(&rl, "%s: netlink answers out of step (%s), "
                         "reopening the socket", nftc->table,
                         ovs_strerror(error));
            if (nftc_nl_reopen(nftc)) {
                return error;
            }
        } else {
            return error ? error : intr ? EINTR : 0;
        }
        if (restart) {
            restart(aux);
        }
    }
}

static int
nl_get_genid(struct nftc *nftc, uint32_t *genid)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh;

    nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC,
                                NLM_F_ACK, nftc->seq++);
    *genid = 0;
    return nl_talk(nftc, nlh, gen_cb, NULL, genid);
}

/* Batches. */

/* Echoed NEWRULE of a new group: learn its kernel handle from the comment
 * "mN ...", which is how a rule names its group. */
static void
echo_rule(struct nftc *nftc OVS_UNUSED, const struct nlmsghdr *nlh,
          struct ovs_list *groups)
{
    const struct nlattr *tb[NFTA_RULE_MAX + 1];
    uint64_t handle;
    uint32_t id;

    if (!attrs_of_msg(nlh, tb, NFTA_RULE_MAX)
        || !attr_be64(tb[NFTA_RULE_HANDLE], &handle)
        || !tb[NFTA_RULE_USERDATA]) {
        return;
    }
    /* User data: type-length-value records of one byte each. */
    const uint8_t *ud = mnl_attr_get_payload(tb[NFTA_RULE_USERDATA]);
    size_t ud_len = mnl_attr_get_payload_len(tb[NFTA_RULE_USERDATA]);
    const char *comment = NULL;
    for (size_t i = 0; i + 2 <= ud_len && i + 2 + ud[i + 1] <= ud_len;
         i += 2 + ud[i + 1]) {
        const char *v = (const char *) &ud[i + 2];
        if (ud[i] == NFTNL_UDATA_RULE_COMMENT && ud[i + 1]
            && memchr(v, '\0', ud[i + 1])) {
            comment = v;
        }
    }
    if (!comment || sscanf(comment, "m%"SCNu32, &id) != 1) {
        return;
    }
    struct nftc_group *g;
    LIST_FOR_EACH (g, txn_node, groups) {
        if (g->id == id && g->pending) {
            g->handle = handle;
            break;
        }
    }
}

/* Sends batch 'b' and reads every answer; the kernel processes a batch
 * inside sendmsg(), so all answers are queued when it returns.  Returns 0
 * only if END was acknowledged, i.e. the batch committed. */
static int
nl_send_batch(struct nftc *nftc, struct nftc_batch *b,
              struct ovs_list *new_groups)
{
    size_t bufsize = NFTC_RX_VLEN * NFTC_RX_SIZE;
    uint8_t *buf;
    bool end_acked = false;
    int first_error = 0;
    int error;

    if (!nftc->nl) {
        return ENOTCONN;        /* A reopen failed. */
    }
    error = nl_ensure_sndbuf(nftc, b->buf.size);
    if (error) {
        return error;
    }
    if (mnl_socket_sendto(nftc->nl, b->buf.data, b->buf.size) < 0) {
        return mnl_error();
    }

    if (!nftc->rx_buf) {
        nftc->rx_buf = xmalloc(bufsize);
    }
    buf = nftc->rx_buf;
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
        for (nlh = (const struct nlmsghdr *) buf; nftc_nlmsg_ok(nlh, len);
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
                } else if (!err && nlh->nlmsg_seq == b->end_seq) {
                    end_acked = true;       /* END's acknowledgement. */
                    nftc->end_acks = true;
                } else if (!err && b->ack_last && b->n_msgs
                           && nlh->nlmsg_seq == b->end_seq - 1) {
                    /* On kernels that do not acknowledge END, the last
                     * message's (nftc_batch_end()). */
                    end_acked = true;
                }
            } else if (nlh->nlmsg_type
                       == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE)
                       && new_groups) {
                echo_rule(nftc, nlh, new_groups);
            }
        }
    }
    if (first_error) {
        return first_error;
    }
    return end_acked ? 0 : EPROTO;
}

int
nftc_nl_batch_start(struct nftc *nftc, struct nftc_batch *b, uint32_t *genid)
{
    int error = 0;

    *genid = 0;
    if (!nftc->offline) {
        if (nftc->genid_known) {
            /* The generation our last commit made: one round trip per
             * commit, not three.  If someone committed since, the kernel
             * says ERESTART and the commit asks for the generation. */
            *genid = nftc->known_genid;
        } else {
            error = nl_get_genid(nftc, genid);
            if (error) {
                return error;
            }
        }
    }
    nftc_batch_init(b, nftc->seq, *genid);
    /* A kernel that acknowledges END needs no second acknowledgement. */
    b->ack_last = !nftc->end_acks;
    return 0;
}

/* Retries on ERESTART with a fresh generation: our batches name only our
 * own objects, so a foreign commit never invalidates them and the same
 * messages are resent. */
int
nftc_nl_batch_commit(struct nftc *nftc, struct nftc_batch *b, uint32_t genid,
                     struct ovs_list *new_groups)
{
    int error;

    nftc_batch_end(b);
    nftc->seq = b->seq;
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
        if (nl_desync(error)) {
            /* Answers were lost or out of step: did the batch commit?  If
             * the ruleset is still at the generation it was sent for,
             * nothing committed (ours or anyone's) and it can be resent;
             * otherwise nobody can tell. */
            uint32_t now;
            int error2 = nftc_nl_reopen(nftc);
            if (!error2) {
                error2 = nl_get_genid(nftc, &now);
            }
            if (error2 || now != genid || attempt >= NFTC_MAX_RESTARTS) {
                VLOG_WARN("%s: the kernel's answers to a commit were lost "
                          "(%s): its outcome is unknown", nftc->table,
                          ovs_strerror(error));
                error = ESTALE;
                break;
            }
            nftc->counts.n_restarts++;
            continue;
        }
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
        nftc->genid_known = false;
    } else {
        nftc->counts.n_commits++;
        /* Remember the generation our commit made (the kernel counts one
         * per commit and took ours at 'genid'), so nftc_check() can tell
         * at the cost of one message whether anyone came after, and the
         * next batch can start without asking. */
        nftc->known_genid = genid + 1 ? genid + 1 : 1;
        nftc->genid_known = true;
    }
    return error;
}

/* Dumps the rules of our table's chain 'chain' (of every chain if NULL)
 * to 'cb' (see nl_talk()). */
static int
dump_rules(struct nftc *nftc, const char *chain, mnl_cb_t cb,
           void (*restart)(void *aux), void *aux)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nftnl_rule *r = nftnl_rule_alloc();

    nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nftc->table);
    if (chain) {
        nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
    }
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE,
                                                 NFPROTO_NETDEV, NLM_F_DUMP,
                                                 nftc->seq++);
    nftnl_rule_nlmsg_build_payload(nlh, r);
    nftnl_rule_free(r);
    return nl_talk(nftc, nlh, cb, restart, aux);
}

/* Checks: is our table as we left it? */

static int
count_rules_cb(const struct nlmsghdr *nlh, void *n_)
{
    size_t *n = n_;
    if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWRULE) {
        (*n)++;
    }
    return MNL_CB_OK;
}

static void
count_rules_restart(void *n_)
{
    size_t *n = n_;
    *n = 0;
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
    size_t n = 0;
    error = dump_rules(nftc, NFTC_FLOWS_CHAIN, count_rules_cb,
                       count_rules_restart, &n);
    if (error == ENOENT || (!error && n != hmap_count(&nftc->groups))) {
        VLOG_WARN("table netdev %s was changed by someone else (%s)",
                  nftc->table, error ? "deleted"
                  : "its rules differ");
        return ESTALE;
    }
    if (!error) {
        nftc->known_genid = genid;
        nftc->genid_known = true;
    }
    return error;
}

/* Counters. */

struct stats_ctx {
    struct nftc *nftc;
    struct nftc_group *group;
    bool collect;                 /* Note changed flows in nftc->changed. */
};

/* The counter of expression 'expr' (NFTA_EXPR_*), if it is one. */
static bool
expr_counter(const struct nlattr *expr, uint64_t *packets, uint64_t *bytes)
{
    const struct nlattr *tb[NFTA_EXPR_MAX + 1];
    const struct nlattr *ctr[NFTA_COUNTER_MAX + 1];

    return (attrs_of_nest(expr, tb, NFTA_EXPR_MAX)
            && tb[NFTA_EXPR_NAME]
            && mnl_attr_get_payload_len(tb[NFTA_EXPR_NAME]) >= 8
            && !memcmp(mnl_attr_get_payload(tb[NFTA_EXPR_NAME]),
                       "counter", 8)
            && attrs_of_nest(tb[NFTA_EXPR_DATA], ctr, NFTA_COUNTER_MAX)
            && attr_be64(ctr[NFTA_COUNTER_PACKETS], packets)
            && attr_be64(ctr[NFTA_COUNTER_BYTES], bytes));
}

/* One element of a dump of group 'g' (NFTA_SET_ELEM_*): its key's flow
 * takes the counter. */
static bool
elem_counter(struct stats_ctx *ctx, const struct nlattr *elem)
{
    const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1];
    const struct nlattr *key[NFTA_DATA_MAX + 1];
    struct nftc_group *g = ctx->group;
    uint64_t packets = 0, bytes = 0;
    bool found = false;

    if (!attrs_of_nest(elem, tb, NFTA_SET_ELEM_MAX)
        || !attrs_of_nest(tb[NFTA_SET_ELEM_KEY], key, NFTA_DATA_MAX)
        || !key[NFTA_DATA_VALUE]) {
        return false;
    }
    size_t len = mnl_attr_get_payload_len(key[NFTA_DATA_VALUE]);
    if (len != MAX(g->key_len, 1) || len > NFTC_KEY_MAX) {
        return false;
    }
    if (tb[NFTA_SET_ELEM_EXPR]) {
        found = expr_counter(tb[NFTA_SET_ELEM_EXPR], &packets, &bytes);
    } else if (tb[NFTA_SET_ELEM_EXPRESSIONS]) {
        const struct nlattr *e;
        mnl_attr_for_each_nested (e, tb[NFTA_SET_ELEM_EXPRESSIONS]) {
            if (mnl_attr_get_type(e) == NFTA_LIST_ELEM
                && expr_counter(e, &packets, &bytes)) {
                found = true;
                break;
            }
        }
    }

    /* The element's owner counted it (flows sharing a key, see
     * nftc_rflow).  Keys are 'key_len' bytes (a key of none is sent as
     * one zero byte). */
    const uint8_t *kbuf = mnl_attr_get_payload(key[NFTA_DATA_VALUE]);
    struct nftc_rflow *f;
    HMAP_FOR_EACH_WITH_HASH (f, key_node, nftc_key_hash(kbuf, g->key_len),
                             &g->elems) {
        if (f->in_kernel && !memcmp(f->key, kbuf, g->key_len)) {
            if (found && (f->packets != packets || f->bytes != bytes)) {
                f->packets = packets;
                f->bytes = bytes;
                if (ctx->collect) {
                    struct nftc *nftc = ctx->nftc;
                    if (nftc->n_changed >= nftc->allocated_changed) {
                        nftc->changed = x2nrealloc(nftc->changed,
                                                   &nftc->allocated_changed,
                                                   sizeof *nftc->changed);
                    }
                    nftc->changed[nftc->n_changed++] = f;
                }
            }
            break;
        }
    }
    return true;
}

static int
elems_cb(const struct nlmsghdr *nlh, void *ctx_)
{
    const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1];
    struct stats_ctx *ctx = ctx_;
    bool bad = false;

    if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWSETELEM
        || !attrs_of_msg(nlh, tb, NFTA_SET_ELEM_LIST_MAX)) {
        bad = true;
    } else if (tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
        const struct nlattr *e;
        mnl_attr_for_each_nested (e, tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
            if (mnl_attr_get_type(e) != NFTA_LIST_ELEM
                || !elem_counter(ctx, e)) {
                bad = true;
            }
        }
    }
    if (bad) {
        VLOG_WARN_RL(&rl, "%s: malformed element in a dump, skipped",
                     ctx->nftc->table);
    }
    return MNL_CB_OK;
}

int
nftc_flow_counters(struct nftc *nftc, uint8_t table_id, int priority,
                   const struct match *match, uint64_t *packets,
                   uint64_t *bytes)
{
    struct nftc_rflow *key = nftc_rflow_new(table_id, priority, match);
    struct nftc_rflow *f = nftc_rflow_find(nftc, key);
    nftc_rflow_free(key);

    if (!f || !f->group || f->group->pending || !f->act) {
        return ENOENT;
    }
    if (!nftc->offline) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct stats_ctx ctx = { .nftc = nftc, .group = f->group };
        struct nftnl_set *s = nftnl_set_alloc();
        struct nftnl_set_elem *e = nftnl_set_elem_alloc();

        nftc_msg_set_name(nftc, s, f->group);
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, f->key,
                           MAX(f->group->key_len, 1));
        nftnl_set_elem_add(s, e);
        struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(
            buf, NFT_MSG_GETSETELEM, NFPROTO_NETDEV, NLM_F_ACK,
            nftc->seq++);
        nftnl_set_elems_nlmsg_build_payload(nlh, s);
        nftnl_set_free(s);
        int error = nl_talk(nftc, nlh, elems_cb, NULL, &ctx);
        if (error) {
            return error;
        }
    }
    *packets = f->packets;
    *bytes = f->bytes;
    return 0;
}

/* A map with more elements than this has its counters read by key: a
 * dump costs less per element, but each message it fills walks the map
 * from the start again. */
#define NFTC_DUMP_MAX_ELEMS 16384

/* Keys per counter-read request: the nest of their attributes must stay
 * within the 16-bit attribute length (each key is at most about 90 bytes
 * of attributes). */
#define NFTC_GET_BATCH 512

/* Reads the counters of group 'g''s elements (those a flow owns) by asking
 * for them by key, NFTC_GET_BATCH keys a request: the kernel answers each
 * key with a message of its own, which costs a hash lookup, where a dump
 * of a hash set walks it again from the start for every message it fills
 * (quadratic: 2 s for 100,000 elements). */
static int
read_group_counters(struct nftc *nftc, struct nftc_group *g)
{
    size_t bufsize = 2 * NFTC_GET_BATCH * (NFTC_KEY_MAX + 32) + 4096;
    uint8_t *buf = xmalloc(bufsize);
    struct stats_ctx ctx = { .nftc = nftc, .group = g, .collect = true };
    struct nlmsghdr *nlh = NULL;
    struct nlattr *list = NULL;
    char name[NFTC_MAP_NAME_LEN];
    size_t n = 0;
    int error = 0;

    nftc_map_name(g, name);
    struct nftc_rflow *f;
    HMAP_FOR_EACH (f, key_node, &g->elems) {
        if (!f->in_kernel) {
            continue;           /* It shares the key of a flow that is. */
        }
        if (!nlh) {
            nlh = nftnl_nlmsg_build_hdr((char *) buf, NFT_MSG_GETSETELEM,
                                        NFPROTO_NETDEV, NLM_F_ACK, 0);
            mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, nftc->table);
            mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, name);
            list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
        }
        struct nlattr *e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
        struct nlattr *k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
        mnl_attr_put(nlh, NFTA_DATA_VALUE, MAX(g->key_len, 1), f->key);
        mnl_attr_nest_end(nlh, k);
        mnl_attr_nest_end(nlh, e);
        if (++n == NFTC_GET_BATCH) {
            mnl_attr_nest_end(nlh, list);
            error = nl_talk(nftc, nlh, elems_cb, NULL, &ctx);
            nlh = NULL;
            n = 0;
            if (error) {
                break;
            }
        }
    }
    if (!error && n) {
        mnl_attr_nest_end(nlh, list);
        error = nl_talk(nftc, nlh, elems_cb, NULL, &ctx);
    }
    free(buf);
    return error;
}

static void
report_flow(const struct nftc_rflow *f, nftc_stats_cb *cb, void *aux)
{
    struct nftc_flow_stats st;
    struct match match;

    if (f->owner) {
        st.match = NULL;
    } else {
        minimatch_expand(&f->match, &match);
        st.match = &match;
    }
    st.owner = f->owner;
    st.table_id = f->table_id;
    st.priority = f->priority;
    st.cookie = f->cookie;
    st.offloaded = f->offloaded && f->in_kernel;
    st.packets = f->packets;
    st.bytes = f->bytes;
    cb(&st, aux);
}

int
nftc_stats_read(struct nftc *nftc, nftc_stats_cb *cb, void *aux)
{
    struct nftc_rflow *f;
    int error = nftc_stats_fetch(nftc);

    if (error || !cb) {
        return error;
    }
    HMAP_FOR_EACH (f, id_node, &nftc->flows) {
        if (f->group) {
            report_flow(f, cb, aux);
        }
    }
    return 0;
}

int
nftc_stats_read_changed(struct nftc *nftc, nftc_stats_cb *cb, void *aux)
{
    int error = nftc_stats_fetch(nftc);

    if (!error) {
        nftc_stats_report_changed(nftc, cb, aux);
    }
    return error;
}

void
nftc_stats_report_changed(struct nftc *nftc, nftc_stats_cb *cb, void *aux)
{
    for (size_t i = 0; i < nftc->n_changed; i++) {
        report_flow(nftc->changed[i], cb, aux);
    }
    nftc->n_changed = 0;
}

/* Reads the counters of every lowered flow into it, noting in
 * nftc->changed those that changed (none, after an error). */
int
nftc_stats_fetch(struct nftc *nftc)
{
    struct nftc_group *g;
    int error = 0;

    nftc->n_changed = 0;

    if (!nftc->offline) {
        char buf[MNL_SOCKET_BUFFER_SIZE];

        HMAP_FOR_EACH (g, node, &nftc->groups) {
            struct stats_ctx ctx = { .nftc = nftc, .group = g,
                                     .collect = true };
            struct nftnl_set *s;
            struct nlmsghdr *nlh;

            /* A big map by key (if one is missing, someone changed our
             * table: nftc_check() will notice), a small one, and a big one
             * then, by a dump. */
            if (hmap_count(&g->elems) > NFTC_DUMP_MAX_ELEMS) {
                error = read_group_counters(nftc, g);
                if (error == ENOENT) {
                    error = 0;  /* A key is missing: read by a dump. */
                } else if (error) {
                    break;
                } else {
                    continue;
                }
            }
            s = nftnl_set_alloc();
            nftc_msg_set_name(nftc, s, g);
            nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM,
                                        NFPROTO_NETDEV, NLM_F_DUMP,
                                        nftc->seq++);
            nftnl_set_elems_nlmsg_build_payload(nlh, s);
            nftnl_set_free(s);
            error = nl_talk(nftc, nlh, elems_cb, NULL, &ctx);
            if (error) {
                break;
            }
        }
    }
    if (error) {
        nftc->n_changed = 0;
    }
    return error;
}

/* Action chain counters. */

/* The id of action chain name 'attr' ("a<id>"), if it is one. */
static bool
attr_actchain_id(const struct nlattr *attr, uint32_t *id)
{
    if (!attr || mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) {
        return false;
    }
    const char *name = mnl_attr_get_str(attr);
    char *end;
    if (name[0] != 'a' || name[1] < '0' || name[1] > '9') {
        return false;
    }
    unsigned long v = strtoul(name + 1, &end, 10);
    if (*end || v > UINT32_MAX) {
        return false;
    }
    *id = v;
    return true;
}

/* One rule of a dump: if it is in an action chain and has a counter, the
 * chain takes it (only a chain's first rule has one). */
static int
chain_counter_cb(const struct nlmsghdr *nlh, void *nftc_)
{
    const struct nlattr *tb[NFTA_RULE_MAX + 1];
    struct nftc *nftc = nftc_;
    struct nftc_actchain *a;
    uint32_t id;

    if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWRULE
        || !attrs_of_msg(nlh, tb, NFTA_RULE_MAX)
        || !attr_actchain_id(tb[NFTA_RULE_CHAIN], &id)
        || !(a = nftc_actchain_by_id(nftc, id))
        || !tb[NFTA_RULE_EXPRESSIONS]) {
        return MNL_CB_OK;
    }
    const struct nlattr *e;
    mnl_attr_for_each_nested (e, tb[NFTA_RULE_EXPRESSIONS]) {
        uint64_t packets, bytes;
        if (mnl_attr_get_type(e) == NFTA_LIST_ELEM
            && expr_counter(e, &packets, &bytes)) {
            a->packets = packets;
            a->bytes = bytes;
            break;
        }
    }
    return MNL_CB_OK;
}

/* Reads the counters of action chain 'a', or of all of them if 'a' is
 * NULL (one dump of our table's rules). */
int
nftc_nl_read_actchains(struct nftc *nftc, const struct nftc_actchain *a)
{
    char name[16];

    if (nftc->offline) {
        return 0;
    }
    if (a) {
        snprintf(name, sizeof name, "a%"PRIu32, a->id);
    }
    return dump_rules(nftc, a ? name : NULL, chain_counter_cb, NULL, nftc);
}

int
nftc_table_counters(struct nftc *nftc, uint64_t *packets, uint64_t *bytes)
{
    int error = hmap_is_empty(&nftc->actchains)
                ? 0 : nftc_nl_read_actchains(nftc, NULL);
    const struct nftc_actchain *a;

    *packets = nftc->retired_packets;
    *bytes = nftc->retired_bytes;
    HMAP_FOR_EACH (a, node, &nftc->actchains) {
        *packets += a->packets;
        *bytes += a->bytes;
    }
    return error;
}
