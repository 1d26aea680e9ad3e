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
 * A 'struct dp_umem_pool' owns the UMEM's frames that are in none of the
 * rings: every frame is at any moment in exactly one of the pool, the fill
 * ring, the kernel's hands, or the rx ring (or the batch being read).
 *
 * Thread-safety
 * =============
 *
 * Our side of a ring, and a pool, belong to one thread.
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

/* The UMEM's frames that no ring holds: a stack of frame addresses. */
struct dp_umem_pool {
    uint64_t *addrs;
    uint32_t n;                 /* Frames in the pool. */
    uint32_t n_frames;          /* Frames the pool owns. */
    uint64_t base;              /* They are at 'base', 'base' +
                                 * 'frame_size'... */
    uint32_t frame_size;
};

/* Initializes 'pool' with the 'n_frames' frames of 'frame_size' bytes from
 * UMEM offset 'base' on, all free. */
void dp_umem_pool_init(struct dp_umem_pool *pool, uint64_t base,
                       uint32_t n_frames, uint32_t frame_size);
void dp_umem_pool_uninit(struct dp_umem_pool *pool);

/* Takes a frame into '*addr'; false if the pool is empty. */
static inline bool
dp_umem_pool_get(struct dp_umem_pool *pool, uint64_t *addr)
{
    if (!pool->n) {
        return false;
    }
    *addr = pool->addrs[--pool->n];
    return true;
}

/* Gives frame 'addr' back.  Returns false (and keeps nothing) if 'addr'
 * is not one of the pool's frames, or if the pool is already full, which
 * means a frame was returned twice. */
static inline bool
dp_umem_pool_put(struct dp_umem_pool *pool, uint64_t addr)
{
    if (pool->n >= pool->n_frames || addr < pool->base
        || (addr - pool->base) % pool->frame_size
        || (addr - pool->base) / pool->frame_size >= pool->n_frames) {
        return false;
    }
    pool->addrs[pool->n++] = addr;
    return true;
}

/* Moves up to 'max' frames from 'pool' to fill ring 'fill'; returns how
 * many. */
uint32_t dp_xsk_fill_refill(struct dp_xsk_ring *fill,
                            struct dp_umem_pool *pool, uint32_t max);

#endif /* datapath/dp-xsk-ring.h */
