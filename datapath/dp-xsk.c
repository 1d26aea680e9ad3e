/* datapath/dp-xsk.c: AF_XDP receive sockets, their UMEMs and the XDP
 * program that feeds them. */
#include <config.h>
#include "datapath/dp-xsk.h"

#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "datapath/dp-port.h"
#include "datapath/dp-xsk-ring.h"
#include "dp-packet.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dp_xsk);

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/* One UMEM per queue: DP_XSK_FRAMES frames of DP_XSK_FRAME_SIZE bytes
 * (4 MiB), all of them in the fill ring or the rx ring: a received frame
 * is copied out and its frame refilled at once.  The kernel wants a
 * completion ring even for a socket that never transmits: a small one. */
#define DP_XSK_FRAME_SIZE 2048
#define DP_XSK_FRAMES 2048
#define DP_XSK_RX_RING DP_XSK_FRAMES    /* Also the fill ring. */
#define DP_XSK_COMP_RING 64

/* Most ethertypes the program passes to the stack. */
#define DP_XSK_MAX_PASS 16

/* Receive queues an interface may have to be opened this way. */
#define DP_XSK_MAX_QUEUES 16

BUILD_ASSERT_DECL(DP_XSK_MAX_FRAME
                  == DP_XSK_FRAME_SIZE - XDP_PACKET_HEADROOM);

/* One AF_XDP socket, bound to one receive queue, with its own UMEM. */
struct dp_xsk_sock {
    int fd;
    uint32_t queue;
    uint8_t *umem;              /* DP_XSK_FRAMES * DP_XSK_FRAME_SIZE. */
    struct dp_xsk_ring fill, comp, rx;
    void *maps[3];              /* Ring mappings, for munmap(). */
    size_t map_sizes[3];
    struct xdp_statistics last; /* XDP_STATISTICS at the last read. */
};

struct dp_xsk {
    int ifindex;
    int map_fd;                 /* XSKMAP: queue -> socket. */
    int prog_fd;
    int link_fd;                /* The attachment; closing it detaches. */
    bool native;                /* Driver mode, else generic. */
    bool zerocopy;
    char *desc;                 /* dp_xsk_describe(). */
    struct dp_xsk_sock *socks;
    size_t n_socks;
    size_t cur;                 /* Socket dp_xsk_recv() starts with. */
};

/* The fill ring at the start (dp-xsk-ring.h). */

uint32_t
dp_xsk_fill_all(struct dp_xsk_ring *fill, uint32_t n_frames,
                uint32_t frame_size)
{
    uint32_t n = dp_xsk_ring_prod_room(fill, n_frames);
    for (uint32_t i = 0; i < n; i++) {
        *dp_xsk_ring_addr(fill, fill->cached_prod + i)
            = (uint64_t) i * frame_size;
    }
    dp_xsk_ring_prod_submit(fill, n);
    return n;
}

/* The XDP program.
 *
 * In C it would read:
 *
 *     if (data + 14 <= data_end) {
 *         ethertype = *(u16 *) (data + 12);
 *         if (ethertype == pass[0] || ... || ethertype == pass[n - 1])
 *             return XDP_PASS;
 *     }
 *     return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
 *
 * A runt goes to us, to be counted.  A frame of a queue without a socket
 * (none: we open one per queue) would pass to the stack.  The ethertype
 * tested is the outer one: a VLAN-tagged frame passes only if its TPID is
 * in 'pass' (dp-port.c never puts it there). */

static struct bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn) { .code = code, .dst_reg = dst, .src_reg = src,
                               .off = off, .imm = imm };
}

static size_t
build_prog(struct bpf_insn *p, int map_fd, const ovs_be16 *pass,
           size_t n_pass)
{
    enum { R0, R1, R2, R3, R4, R5, R6 };
    size_t n = 0;

    p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, R6, R1, 0, 0);
    if (n_pass) {
        p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, R2, R6,
                      offsetof(struct xdp_md, data), 0);
        p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, R3, R6,
                      offsetof(struct xdp_md, data_end), 0);
        p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, R4, R2, 0, 0);
        p[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, R4, 0, 0, ETH_HLEN);
        /* if r4 > r3: skip the ethertype tests. */
        p[n++] = insn(BPF_JMP | BPF_JGT | BPF_X, R4, R3, 1 + n_pass, 0);
        p[n++] = insn(BPF_LDX | BPF_MEM | BPF_H, R5, R2, 12, 0);
    }
    for (size_t i = 0; i < n_pass; i++) {
        /* The halfword is compared as loaded, in the host's order, with
         * the ethertype as it sits in memory: same on any host.  Jump to
         * "return XDP_PASS", past the other tests and the 6-instruction
         * redirect. */
        uint16_t raw;
        memcpy(&raw, &pass[i], sizeof raw);
        p[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, R5, 0,
                      n_pass - 1 - i + 6, raw);
    }
    p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, R2, R6,
                  offsetof(struct xdp_md, rx_queue_index), 0);
    p[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, R1, BPF_PSEUDO_MAP_FD, 0,
                  map_fd);
    p[n++] = insn(0, 0, 0, 0, 0);
    p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, R3, 0, 0, XDP_PASS);
    p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map);
    p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    if (n_pass) {
        p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, XDP_PASS);
        p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
    return n;
}

static int
sys_bpf(int cmd, union bpf_attr *attr)
{
    int fd = syscall(__NR_bpf, cmd, attr, sizeof *attr);
    return fd < 0 ? -errno : fd;
}

/* Counts the interface's receive queues (/sys/class/net/NAME/queues). */
static size_t
count_rx_queues(const char *name)
{
    char *path = xasprintf("/sys/class/net/%s/queues", name);
    DIR *dir = opendir(path);
    size_t n = 0;

    free(path);
    if (dir) {
        struct dirent *de;
        while ((de = readdir(dir))) {
            n += !strncmp(de->d_name, "rx-", 3);
        }
        closedir(dir);
    }
    return n ? n : 1;
}

static void
sock_close(struct dp_xsk_sock *s)
{
    for (int i = 0; i < ARRAY_SIZE(s->maps); i++) {
        if (s->maps[i]) {
            munmap(s->maps[i], s->map_sizes[i]);
        }
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->umem) {
        munmap(s->umem, (size_t) DP_XSK_FRAMES * DP_XSK_FRAME_SIZE);
    }
}

static int
map_ring(struct dp_xsk_sock *s, int i, struct dp_xsk_ring *r,
         const struct xdp_ring_offset *off, uint64_t pgoff, uint32_t size,
         size_t entry_size, bool producer_side)
{
    size_t len = off->desc + size * entry_size;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_POPULATE, s->fd, pgoff);
    if (map == MAP_FAILED) {
        return errno;
    }
    s->maps[i] = map;
    s->map_sizes[i] = len;
    uint8_t *base = map;
    dp_xsk_ring_init(r, ALIGNED_CAST(uint32_t *, base + off->producer),
                     ALIGNED_CAST(uint32_t *, base + off->consumer),
                     ALIGNED_CAST(uint32_t *, base + off->flags),
                     base + off->desc, size, producer_side);
    return 0;
}

/* Opens socket 's' for queue 's->queue' of 'xsk', bound in the mode the
 * program was attached in; tries zero-copy first when 'try_zc'. */
static int
sock_open(struct dp_xsk *xsk, struct dp_xsk_sock *s, bool try_zc,
          const char **what)
{
    s->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        *what = "socket(AF_XDP)";
        return errno;
    }
    size_t umem_len = (size_t) DP_XSK_FRAMES * DP_XSK_FRAME_SIZE;
    void *umem = mmap(NULL, umem_len, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (umem == MAP_FAILED) {
        *what = "UMEM mmap";
        return errno;
    }
    s->umem = umem;

    struct xdp_umem_reg reg = {
        .addr = (uintptr_t) umem,
        .len = umem_len,
        .chunk_size = DP_XSK_FRAME_SIZE,
        .headroom = 0,
    };
    int fill = DP_XSK_RX_RING, comp = DP_XSK_COMP_RING, rx = DP_XSK_RX_RING;
    if (setsockopt(s->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof reg)
        || setsockopt(s->fd, SOL_XDP, XDP_UMEM_FILL_RING, &fill, sizeof fill)
        || setsockopt(s->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING,
                      &comp, sizeof comp)
        || setsockopt(s->fd, SOL_XDP, XDP_RX_RING, &rx, sizeof rx)) {
        *what = "UMEM and ring setup";
        return errno;
    }

    struct xdp_mmap_offsets off;
    socklen_t optlen = sizeof off;
    if (getsockopt(s->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen)) {
        *what = "XDP_MMAP_OFFSETS";
        return errno;
    }
    int error = map_ring(s, 0, &s->fill, &off.fr, XDP_UMEM_PGOFF_FILL_RING,
                         DP_XSK_RX_RING, sizeof(uint64_t), true);
    if (!error) {
        error = map_ring(s, 1, &s->comp, &off.cr,
                         XDP_UMEM_PGOFF_COMPLETION_RING, DP_XSK_COMP_RING,
                         sizeof(uint64_t), false);
    }
    if (!error) {
        error = map_ring(s, 2, &s->rx, &off.rx, XDP_PGOFF_RX_RING,
                         DP_XSK_RX_RING, sizeof(struct xdp_desc), false);
    }
    if (error) {
        *what = "ring mmap";
        return error;
    }

    /* Every frame goes to the fill ring, for good: a received frame's
     * slot is refilled as soon as it is read. */
    dp_xsk_fill_all(&s->fill, DP_XSK_FRAMES, DP_XSK_FRAME_SIZE);

    struct sockaddr_xdp sxdp = {
        .sxdp_family = AF_XDP,
        .sxdp_ifindex = xsk->ifindex,
        .sxdp_queue_id = s->queue,
    };
    error = EOPNOTSUPP;
    if (try_zc) {
        sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY;
        error = bind(s->fd, (struct sockaddr *) &sxdp, sizeof sxdp)
                ? errno : 0;
    }
    if (error) {
        sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP | XDP_COPY;
        /* A socket closed on this queue a moment ago (port/del, then
         * port/add) leaves it busy until the kernel's deferred release
         * runs: wait for that, up to 200 ms. */
        for (int tries = 0; tries < 100; tries++) {
            error = bind(s->fd, (struct sockaddr *) &sxdp, sizeof sxdp)
                    ? errno : 0;
            if (error != EBUSY) {
                break;
            }
            xnanosleep(2 * 1000 * 1000);
        }
        if (error) {
            *what = "bind";
            return error;
        }
        xsk->zerocopy = false;
    } else {
        xsk->zerocopy = true;
    }

    union bpf_attr attr = {
        .map_fd = xsk->map_fd,
        .key = (uintptr_t) &s->queue,
        .value = (uintptr_t) &s->fd,
    };
    error = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
    if (error < 0) {
        *what = "XSKMAP update";
        return -error;
    }
    return 0;
}

/* Loads the program and attaches it to 'xsk''s interface, native mode
 * first.  Leaves the sockets to the caller. */
static int
attach_prog(struct dp_xsk *xsk, const ovs_be16 *pass, size_t n_pass,
            bool allow_generic, const char **what, char *log,
            size_t log_size)
{
    struct bpf_insn prog[32 + DP_XSK_MAX_PASS];
    size_t n = build_prog(prog, xsk->map_fd, pass, n_pass);

    /* Without a log first: a log that overflows 'log' fails the load
     * (ENOSPC).  With one only to say why a load failed. */
    int fd = -1;
    for (int verbose = 0; verbose < 2 && fd < 0; verbose++) {
        union bpf_attr attr = {
            .prog_type = BPF_PROG_TYPE_XDP,
            .insns = (uintptr_t) prog,
            .insn_cnt = n,
            .license = (uintptr_t) "Dual BSD/GPL",
            .log_buf = verbose ? (uintptr_t) log : 0,
            .log_size = verbose ? log_size : 0,
            .log_level = verbose,
            .expected_attach_type = BPF_XDP,
        };
        ovs_strlcpy(attr.prog_name, "mvs_xsk", sizeof attr.prog_name);
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd < 0 && verbose) {
            *what = "BPF_PROG_LOAD";
            return -fd;
        }
    }
    xsk->prog_fd = fd;
    log[0] = '\0';

    /* Native mode, then generic. */
    int error = 0;
    for (int native = 1; native >= !allow_generic; native--) {
        union bpf_attr attr = {
            .link_create = {
                .prog_fd = xsk->prog_fd,
                .target_ifindex = xsk->ifindex,
                .attach_type = BPF_XDP,
                .flags = native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE,
            },
        };
        fd = sys_bpf(BPF_LINK_CREATE, &attr);
        if (fd >= 0) {
            xsk->link_fd = fd;
            xsk->native = native;
            return 0;
        }
        error = -fd;
        if (error == EBUSY || error == EEXIST) {
            /* Someone else's program: not ours to replace. */
            break;
        }
    }
    *what = (error == EBUSY || error == EEXIST
             ? "BPF_LINK_CREATE (the interface has another XDP program)"
             : allow_generic
             ? "BPF_LINK_CREATE"
             : error == ERANGE
             ? "BPF_LINK_CREATE in native mode (the MTU is too large for "
               "native XDP; on a veth, the peer's MTU counts)"
             : "BPF_LINK_CREATE in native mode (the driver has no native "
               "XDP; generic XDP, which sees GRO super-frames, is used "
               "only with --port-io xdp)");
    return error;
}

int
dp_xsk_open(const char *name, int ifindex, int mtu, const ovs_be16 *pass,
            size_t n_pass, bool allow_generic, struct dp_xsk **xskp,
            char **why)
{
    *xskp = NULL;
    *why = NULL;
    if (mtu + ETH_HLEN + 8 > DP_XSK_MAX_FRAME) {
        *why = xasprintf("MTU %d is larger than an AF_XDP frame holds (%d)",
                         mtu, DP_XSK_MAX_FRAME - ETH_HLEN - 8);
        return EMSGSIZE;
    }
    if (n_pass > DP_XSK_MAX_PASS) {
        *why = xasprintf("%"PRIuSIZE" ethertypes to pass, more than %d",
                         n_pass, DP_XSK_MAX_PASS);
        return E2BIG;
    }
    size_t n_queues = count_rx_queues(name);
    if (n_queues > DP_XSK_MAX_QUEUES) {
        *why = xasprintf("%"PRIuSIZE" receive queues, more than %d",
                         n_queues, DP_XSK_MAX_QUEUES);
        return E2BIG;
    }

    struct dp_xsk *xsk = xzalloc(sizeof *xsk);
    const char *what = NULL;
    size_t log_size = 64 * 1024;
    char *log = xzalloc(log_size);
    int error;

    xsk->ifindex = ifindex;
    xsk->map_fd = xsk->prog_fd = xsk->link_fd = -1;

    union bpf_attr attr = {
        .map_type = BPF_MAP_TYPE_XSKMAP,
        .key_size = sizeof(uint32_t),
        .value_size = sizeof(int),
        .max_entries = n_queues,
    };
    ovs_strlcpy(attr.map_name, "mvs_xsks", sizeof attr.map_name);
    xsk->map_fd = sys_bpf(BPF_MAP_CREATE, &attr);
    if (xsk->map_fd < 0) {
        error = -xsk->map_fd;
        what = "BPF_MAP_CREATE (XSKMAP)";
        goto error;
    }

    error = attach_prog(xsk, pass, n_pass, allow_generic, &what,
                        log, log_size);
    if (error) {
        goto error;
    }

    xsk->socks = xcalloc(n_queues, sizeof *xsk->socks);
    for (size_t i = 0; i < n_queues; i++) {
        struct dp_xsk_sock *s = &xsk->socks[i];
        s->fd = -1;
        s->queue = i;
        xsk->n_socks++;
        error = sock_open(xsk, s, xsk->native, &what);
        if (error) {
            goto error;
        }
    }
    xsk->desc = xasprintf("xdp %s %s, %"PRIuSIZE" queue%s",
                          xsk->native ? "native" : "generic",
                          xsk->zerocopy ? "zero-copy" : "copy",
                          xsk->n_socks, xsk->n_socks == 1 ? "" : "s");
    *xskp = xsk;
    free(log);
    return 0;

error:
    /* The verifier's first line says what it refused. */
    log[strcspn(log, "\n")] = '\0';
    *why = xasprintf("%s failed (%s)%s%s%s", what, ovs_strerror(error),
                     error == EPERM ? ": AF_XDP needs CAP_BPF, which "
                     "mvsd --user does not keep, so ports added after "
                     "the drop use AF_PACKET" : "",
                     log[0] ? ": " : "", log);
    free(log);
    dp_xsk_close(xsk);
    return error;
}

void
dp_xsk_close(struct dp_xsk *xsk)
{
    if (xsk) {
        /* The link first: no frame is redirected to a closing socket. */
        if (xsk->link_fd >= 0) {
            close(xsk->link_fd);
        }
        for (size_t i = 0; i < xsk->n_socks; i++) {
            sock_close(&xsk->socks[i]);
        }
        if (xsk->prog_fd >= 0) {
            close(xsk->prog_fd);
        }
        if (xsk->map_fd >= 0) {
            close(xsk->map_fd);
        }
        free(xsk->socks);
        free(xsk->desc);
        free(xsk);
    }
}

const char *
dp_xsk_describe(const struct dp_xsk *xsk)
{
    return xsk->desc;
}

/* Receive. */

static const struct xdp_desc *
rx_desc(const struct dp_xsk_ring *r, uint32_t idx)
{
    return (const struct xdp_desc *) r->descs + (idx & r->mask);
}

/* Reads up to 'max' frames of socket 's' into 'pkts'. */
static int
sock_recv(struct dp_xsk_sock *s, struct dp_packet **pkts, int max,
          struct dp_port_stats *stats)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    uint32_t n = dp_xsk_ring_cons_ready(&s->rx, max);
    int got = 0;

    if (!n) {
        return 0;
    }
    /* Every frame read goes back to the fill ring, which has room for all
     * of them: the fill ring holds DP_XSK_FRAMES entries, and these frames
     * are not in it. */
    dp_xsk_ring_prod_room(&s->fill, n);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct xdp_desc *d = rx_desc(&s->rx, s->rx.cached_cons + i);

        if (d->addr >= (uint64_t) DP_XSK_FRAMES * DP_XSK_FRAME_SIZE
            || d->addr % DP_XSK_FRAME_SIZE + d->len > DP_XSK_FRAME_SIZE) {
            /* Not one of our receive frames: never seen, but never
             * trusted either. */
            stats->rx_errors++;
            VLOG_WARN_RL(&rl, "AF_XDP receive descriptor out of bounds "
                         "(addr %"PRIu64", len %"PRIu32")",
                         (uint64_t) d->addr, d->len);
            continue;
        }
        if (d->len < ETH_HLEN) {
            stats->rx_errors++;
        } else {
            struct dp_packet *pkt = pkts[got++];
            uint8_t *data = (uint8_t *) dp_packet_base(pkt)
                            + DP_PORT_HEADROOM;
            dp_packet_set_data(pkt, data);
            memcpy(data, s->umem + d->addr, d->len);
            dp_packet_set_size(pkt, d->len);
            stats->rx_packets++;
            stats->rx_bytes += d->len;
        }
        *dp_xsk_ring_addr(&s->fill, s->fill.cached_prod + k++)
            = d->addr - d->addr % DP_XSK_FRAME_SIZE;
    }
    dp_xsk_ring_cons_release(&s->rx, n);
    dp_xsk_ring_prod_submit(&s->fill, k);
    if (dp_xsk_ring_needs_wakeup(&s->fill, XDP_RING_NEED_WAKEUP)) {
        /* A zero-copy driver that ran out of fill entries waits to be
         * told there are more. */
        recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
    }
    return got;
}

int
dp_xsk_recv(struct dp_xsk *xsk, struct dp_packet **pkts, int max,
            struct dp_port_stats *stats)
{
    int n = 0;

    for (size_t i = 0; i < xsk->n_socks && n < max; i++) {
        struct dp_xsk_sock *s = &xsk->socks[(xsk->cur + i) % xsk->n_socks];
        n += sock_recv(s, pkts + n, max - n, stats);
    }
    xsk->cur = (xsk->cur + 1) % xsk->n_socks;
    return n;
}

bool
dp_xsk_ready(struct dp_xsk *xsk)
{
    for (size_t i = 0; i < xsk->n_socks; i++) {
        if (dp_xsk_ring_cons_ready(&xsk->socks[i].rx, 1)) {
            return true;
        }
    }
    return false;
}

void
dp_xsk_wait(const struct dp_xsk *xsk)
{
    for (size_t i = 0; i < xsk->n_socks; i++) {
        poll_fd_wait(xsk->socks[i].fd, POLLIN);
    }
}

int
dp_xsk_take_error(struct dp_xsk *xsk)
{
    for (size_t i = 0; i < xsk->n_socks; i++) {
        int error = 0;
        socklen_t len = sizeof error;
        if (!getsockopt(xsk->socks[i].fd, SOL_SOCKET, SO_ERROR, &error, &len)
            && error) {
            return error;
        }
    }
    return 0;
}

void
dp_xsk_read_drops(struct dp_xsk *xsk, struct dp_port_stats *stats)
{
    for (size_t i = 0; i < xsk->n_socks; i++) {
        struct dp_xsk_sock *s = &xsk->socks[i];
        struct xdp_statistics st;
        socklen_t len = sizeof st;

        memset(&st, 0, sizeof st);
        if (getsockopt(s->fd, SOL_XDP, XDP_STATISTICS, &st, &len)) {
            continue;
        }
        stats->rx_dropped += (st.rx_dropped - s->last.rx_dropped)
                             + (st.rx_ring_full - s->last.rx_ring_full);
        stats->rx_errors += st.rx_invalid_descs - s->last.rx_invalid_descs;
        s->last = st;
    }
}
