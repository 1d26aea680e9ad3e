/*
 * datapath/dp-xsk-ring.h: the bookkeeping of AF_XDP rings and UMEM frames,
 * kept free of system calls so that unit tests can drive it against a fake
 * kernel side (tests/test-dp-xsk.c).
 *
 * What?
 * =====
 *
 * An AF_XDP socket shares single-producer, single-consumer rings with the
 * kernel, each a power-of-two array of entries plus a producer and a
 * consumer index that only ever grow (they wrap at 2^32, and entry i lives
 * at i & mask).  mvs uses two:
 *
 *   fill:        we produce free frame addresses, the kernel receives into
 *   rx:          the kernel produces descriptors of received frames
 *
 * (and the tx and completion rings are the same shapes the other way).
 *
 *       consumer            producer
 *          v                   v
 *   ... | done | ready | ready | free | free | ...
 *
 * Each side keeps a cached copy of the other side's index and reads the
 * shared one only when the cache says the ring is empty (consumer) or full
 * (producer), so most calls touch no shared cache line.
 *
 * Every frame of the UMEM is at any moment in exactly one of the fill ring,
 * the kernel's hands, or the rx ring (or the batch being read): the fill
 * ring gets all of them at the start (dp_xsk_fill_all()) and each one back
 * as soon as it is read.
 *
 * Thread-safety
 * =============
 *
 * Our side of a ring belongs to one thread.
 */
#ifndef DATAPATH_DP_XSK_RING_H
#define DATAPATH_DP_XSK_RING_H 1

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* Our side of one ring.  'producer', 'consumer' and 'flags' point into the
 * memory shared with the kernel (or a test's fake). */
struct dp_xsk_ring {
    uint32_t *producer;
    uint32_t *consumer;
    uint32_t *flags;            /* XDP_RING_NEED_WAKEUP lives here. */
    void *descs;                /* 'size' entries. */
    uint32_t size;              /* Power of 2. */
    uint32_t mask;              /* size - 1. */
    uint32_t cached_prod;       /* Producer: ours; consumer: last read. */
    uint32_t cached_cons;       /* Consumer: ours; producer: last read
                                 * plus 'size' (so 'cached_cons -
                                 * cached_prod' is the free room). */
};

/* Initializes 'r' over the given shared words and 'size' entries at
 * 'descs'.  'producer_side' is true for the rings we fill (fill). */
static inline void
dp_xsk_ring_init(struct dp_xsk_ring *r, uint32_t *producer,
                 uint32_t *consumer, uint32_t *flags, void *descs,
                 uint32_t size, bool producer_side)
{
    r->producer = producer;
    r->consumer = consumer;
    r->flags = flags;
    r->descs = descs;
    r->size = size;
    r->mask = size - 1;
    r->cached_prod = __atomic_load_n(producer, __ATOMIC_ACQUIRE);
    r->cached_cons = __atomic_load_n(consumer, __ATOMIC_ACQUIRE);
    if (producer_side) {
        r->cached_cons += size;
    }
}

/* Producer side: how many entries (up to 'n') may be written now, from
 * index r->cached_prod on. */
static inline uint32_t
dp_xsk_ring_prod_room(struct dp_xsk_ring *r, uint32_t n)
{
    uint32_t room = r->cached_cons - r->cached_prod;
    if (room < n) {
        /* Acquire: the kernel's reads of the entries it consumed happen
         * before we overwrite them. */
        r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE)
                         + r->size;
        room = r->cached_cons - r->cached_prod;
    }
    return room < n ? room : n;
}

/* Producer side: publishes the 'n' entries written from r->cached_prod. */
static inline void
dp_xsk_ring_prod_submit(struct dp_xsk_ring *r, uint32_t n)
{
    r->cached_prod += n;
    /* Release: the entries are written before the kernel sees them. */
    __atomic_store_n(r->producer, r->cached_prod, __ATOMIC_RELEASE);
}

/* Consumer side: how many entries (up to 'n') are ready from index
 * r->cached_cons on. */
static inline uint32_t
dp_xsk_ring_cons_ready(struct dp_xsk_ring *r, uint32_t n)
{
    uint32_t ready = r->cached_prod - r->cached_cons;
    if (ready < n) {
        /* Acquire: the entries are read after the index that covers
         * them. */
        r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
        ready = r->cached_prod - r->cached_cons;
    }
    return ready < n ? ready : n;
}

/* Consumer side: hands the 'n' entries read from r->cached_cons back. */
static inline void
dp_xsk_ring_cons_release(struct dp_xsk_ring *r, uint32_t n)
{
    r->cached_cons += n;
    /* Release: our reads of the entries happen before the kernel reuses
     * them. */
    __atomic_store_n(r->consumer, r->cached_cons, __ATOMIC_RELEASE);
}

/* Entry 'idx' of a ring of 64-bit addresses (fill). */
static inline uint64_t *
dp_xsk_ring_addr(const struct dp_xsk_ring *r, uint32_t idx)
{
    return (uint64_t *) r->descs + (idx & r->mask);
}

/* True if the kernel asked to be woken for this ring (need_wakeup). */
static inline bool
dp_xsk_ring_needs_wakeup(const struct dp_xsk_ring *r, uint32_t bit)
{
    return (__atomic_load_n(r->flags, __ATOMIC_RELAXED) & bit) != 0;
}

/* Puts frames 0, 1, ... 'n_frames' - 1 of 'frame_size' bytes (UMEM
 * offsets 0, 'frame_size', ...) on fill ring 'fill', as far as it has room,
 * and returns how many went. */
uint32_t dp_xsk_fill_all(struct dp_xsk_ring *fill, uint32_t n_frames,
                         uint32_t frame_size);

#endif /* datapath/dp-xsk-ring.h */
