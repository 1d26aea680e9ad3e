/*
 * tests/test-dp-xsk.c: unit tests for the AF_XDP ring and UMEM bookkeeping
 * (datapath/dp-xsk-ring.h), against a fake kernel side.
 *
 * The producer and consumer indices are free-running 32-bit counters: the
 * rings here start a few entries short of 2^32 so every test crosses the
 * wrap.  Checked: a producer never gets more room than the consumer freed,
 * a consumer never sees more than was produced, cached indices are
 * refreshed only when they run short, the pool hands out each frame once
 * and refuses addresses that are not its own or come back twice, the fill
 * ring is refilled from the pool in order, completions go back to the
 * pool with bad addresses counted, and over a long random run of sends and
 * completions no frame is lost or duplicated.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/dp-xsk-ring.h"

#define RING_SIZE 8
#define FRAME 2048

/* The memory a ring shares with the kernel, and the kernel's side. */
struct fake_ring {
    uint32_t producer, consumer, flags;
    uint64_t descs[RING_SIZE];
    struct dp_xsk_ring r;
};

static void
fake_init(struct fake_ring *f, uint32_t start, bool producer_side)
{
    memset(f, 0, sizeof *f);
    f->producer = f->consumer = start;
    dp_xsk_ring_init(&f->r, &f->producer, &f->consumer, &f->flags,
                     f->descs, RING_SIZE, producer_side);
}

/* The kernel consumes 'n' entries of a ring we produce. */
static void
kernel_consume(struct fake_ring *f, uint32_t n)
{
    assert_true(f->producer - f->consumer >= n);
    f->consumer += n;
}

/* The kernel produces 'n' entries with addresses from 'addr' on. */
static void
kernel_produce(struct fake_ring *f, uint32_t n, uint64_t addr)
{
    assert_true(f->producer - f->consumer + n <= RING_SIZE);
    for (uint32_t i = 0; i < n; i++) {
        f->descs[(f->producer + i) & (RING_SIZE - 1)] = addr + i * FRAME;
    }
    f->producer += n;
}

static void
test_producer_wraps(void **state)
{
    (void) state;
    struct fake_ring f;
    fake_init(&f, UINT32_MAX - 2, true);

    /* Empty ring: all of it is room, but never more than asked. */
    assert_int_equal(dp_xsk_ring_prod_room(&f.r, 3), 3);
    assert_int_equal(dp_xsk_ring_prod_room(&f.r, 100), RING_SIZE);
    dp_xsk_ring_prod_submit(&f.r, 5);
    assert_int_equal(f.producer, (uint32_t) (UINT32_MAX - 2 + 5));
    assert_int_equal(dp_xsk_ring_prod_room(&f.r, RING_SIZE), 3);
    dp_xsk_ring_prod_submit(&f.r, 3);
    assert_int_equal(dp_xsk_ring_prod_room(&f.r, 1), 0);

    /* The kernel frees 4 (across the wrap): room again, and exactly 4. */
    kernel_consume(&f, 4);
    assert_int_equal(dp_xsk_ring_prod_room(&f.r, RING_SIZE), 4);
    dp_xsk_ring_prod_submit(&f.r, 4);
    assert_int_equal(dp_xsk_ring_prod_room(&f.r, 1), 0);
    assert_int_equal(f.producer - f.consumer, RING_SIZE);
}

static void
test_producer_cache(void **state)
{
    (void) state;
    struct fake_ring f;
    fake_init(&f, 0, true);

    dp_xsk_ring_prod_submit(&f.r, RING_SIZE);
    kernel_consume(&f, RING_SIZE);
    /* Asking for no more than the cache says is free reads nothing: the
     * cache still says full, so a request for 1 must re-read. */
    assert_int_equal(dp_xsk_ring_prod_room(&f.r, 1), 1);
    /* Now the cache knows of all 8. */
    f.consumer = 0xdeadbeef;      /* Not read while the cache suffices. */
    assert_int_equal(dp_xsk_ring_prod_room(&f.r, RING_SIZE), RING_SIZE);
}

static void
test_consumer_wraps(void **state)
{
    (void) state;
    struct fake_ring f;
    fake_init(&f, UINT32_MAX - 1, false);

    assert_int_equal(dp_xsk_ring_cons_ready(&f.r, RING_SIZE), 0);
    kernel_produce(&f, 6, 0);
    assert_int_equal(dp_xsk_ring_cons_ready(&f.r, 4), 4);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(*dp_xsk_ring_addr(&f.r, f.r.cached_cons + i),
                         i * FRAME);
    }
    dp_xsk_ring_cons_release(&f.r, 4);
    assert_int_equal(f.consumer, (uint32_t) (UINT32_MAX - 1 + 4));
    assert_int_equal(dp_xsk_ring_cons_ready(&f.r, RING_SIZE), 2);
    assert_int_equal(*dp_xsk_ring_addr(&f.r, f.r.cached_cons + 1),
                     5 * FRAME);
    dp_xsk_ring_cons_release(&f.r, 2);
    assert_int_equal(dp_xsk_ring_cons_ready(&f.r, RING_SIZE), 0);

    /* A full ring is all ready. */
    kernel_produce(&f, RING_SIZE, 0);
    assert_int_equal(dp_xsk_ring_cons_ready(&f.r, 100), RING_SIZE);
}

static void
test_need_wakeup(void **state)
{
    (void) state;
    struct fake_ring f;
    fake_init(&f, 0, true);

    assert_false(dp_xsk_ring_needs_wakeup(&f.r, 1));
    f.flags = 1;
    assert_true(dp_xsk_ring_needs_wakeup(&f.r, 1));
    assert_false(dp_xsk_ring_needs_wakeup(&f.r, 2));
}

static void
test_pool(void **state)
{
    (void) state;
    struct dp_umem_pool pool;
    uint64_t addr;

    dp_umem_pool_init(&pool, 16 * FRAME, 4, FRAME);
    assert_int_equal(pool.n, 4);
    /* Lowest address first, each frame once. */
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(dp_umem_pool_get(&pool, &addr));
        assert_int_equal(addr, (16 + i) * FRAME);
    }
    assert_false(dp_umem_pool_get(&pool, &addr));

    /* Not the pool's frames: below, above, misaligned. */
    assert_false(dp_umem_pool_put(&pool, 15 * FRAME));
    assert_false(dp_umem_pool_put(&pool, 20 * FRAME));
    assert_false(dp_umem_pool_put(&pool, 17 * FRAME + 256));
    assert_int_equal(pool.n, 0);

    for (uint32_t i = 0; i < 4; i++) {
        assert_true(dp_umem_pool_put(&pool, (16 + i) * FRAME));
    }
    /* A fifth return is a frame returned twice. */
    assert_false(dp_umem_pool_put(&pool, 16 * FRAME));
    assert_int_equal(pool.n, 4);
    dp_umem_pool_uninit(&pool);
}

static void
test_fill_refill(void **state)
{
    (void) state;
    struct dp_umem_pool pool;
    struct fake_ring f;

    fake_init(&f, UINT32_MAX - 3, true);
    dp_umem_pool_init(&pool, 0, 12, FRAME);

    /* Bounded by 'max', then by the ring's room, then by the pool. */
    assert_int_equal(dp_xsk_fill_refill(&f.r, &pool, 3), 3);
    assert_int_equal(f.producer - f.consumer, 3);
    assert_int_equal(dp_xsk_fill_refill(&f.r, &pool, 100), RING_SIZE - 3);
    assert_int_equal(pool.n, 12 - RING_SIZE);
    assert_int_equal(dp_xsk_fill_refill(&f.r, &pool, 100), 0);
    for (uint32_t i = 0; i < RING_SIZE; i++) {
        assert_int_equal(f.descs[(UINT32_MAX - 3 + i) & (RING_SIZE - 1)],
                         i * FRAME);
    }
    kernel_consume(&f, RING_SIZE);
    assert_int_equal(dp_xsk_fill_refill(&f.r, &pool, 100), 4);
    assert_int_equal(pool.n, 0);
    dp_umem_pool_uninit(&pool);
}

static void
test_comp_reap(void **state)
{
    (void) state;
    struct dp_umem_pool pool;
    struct fake_ring f;
    uint64_t addr, bad = 0;

    fake_init(&f, UINT32_MAX, false);
    dp_umem_pool_init(&pool, 8 * FRAME, 4, FRAME);
    for (int i = 0; i < 4; i++) {
        assert_true(dp_umem_pool_get(&pool, &addr));
    }

    /* Three good completions, one address that is not the pool's. */
    kernel_produce(&f, 3, 8 * FRAME);
    kernel_produce(&f, 1, 100 * FRAME);
    assert_int_equal(dp_xsk_comp_reap(&f.r, &pool, &bad), 4);
    assert_int_equal(bad, 1);
    assert_int_equal(pool.n, 3);
    assert_int_equal(f.consumer, f.producer);

    /* The last frame, then the same frame again: the pool is full. */
    kernel_produce(&f, 1, 11 * FRAME);
    kernel_produce(&f, 1, 11 * FRAME);
    assert_int_equal(dp_xsk_comp_reap(&f.r, &pool, &bad), 2);
    assert_int_equal(bad, 2);
    assert_int_equal(pool.n, 4);
    assert_int_equal(dp_xsk_comp_reap(&f.r, &pool, &bad), 0);
    dp_umem_pool_uninit(&pool);
}

/* Frames taken from the pool go out on a tx ring (modeled by the fake
 * kernel consuming them into its own queue) and come back through the
 * completion ring in the order sent; in any interleaving, every frame is
 * in exactly one place. */
static void
test_frames_conserved(void **state)
{
    (void) state;
    enum { N_FRAMES = 12 };
    struct dp_umem_pool pool;
    struct fake_ring tx, comp;
    uint64_t in_kernel[64];
    uint32_t k_head = 0, k_tail = 0;
    uint64_t bad = 0;
    int seen[N_FRAMES];

    fake_init(&tx, UINT32_MAX - 5, true);
    fake_init(&comp, UINT32_MAX - 2, false);
    dp_umem_pool_init(&pool, 0, N_FRAMES, FRAME);
    srand(7);
    for (int step = 0; step < 20000; step++) {
        switch (rand() % 3) {
        case 0: {
            /* We send up to 3 frames. */
            uint32_t n = dp_xsk_ring_prod_room(&tx.r, rand() % 4);
            uint32_t k = 0;
            for (; k < n; k++) {
                if (!dp_umem_pool_get(&pool,
                                      dp_xsk_ring_addr(&tx.r,
                                                       tx.r.cached_prod
                                                       + k))) {
                    break;
                }
            }
            dp_xsk_ring_prod_submit(&tx.r, k);
            break;
        }
        case 1: {
            /* The kernel takes what was submitted and later completes
             * some of it, as room in the completion ring allows. */
            while (tx.consumer != tx.producer) {
                in_kernel[k_tail++ % 64] = tx.descs[tx.consumer
                                                    & (RING_SIZE - 1)];
                tx.consumer++;
            }
            uint32_t n = rand() % 4;
            while (n-- && k_head != k_tail
                   && comp.producer - comp.consumer < RING_SIZE) {
                comp.descs[comp.producer++ & (RING_SIZE - 1)]
                    = in_kernel[k_head++ % 64];
            }
            break;
        }
        case 2:
            dp_xsk_comp_reap(&comp.r, &pool, &bad);
            break;
        }

        /* Every frame is in exactly one place. */
        memset(seen, 0, sizeof seen);
        for (uint32_t i = 0; i < pool.n; i++) {
            seen[pool.addrs[i] / FRAME]++;
        }
        for (uint32_t i = tx.consumer; i != tx.producer; i++) {
            seen[tx.descs[i & (RING_SIZE - 1)] / FRAME]++;
        }
        for (uint32_t i = k_head; i != k_tail; i++) {
            seen[in_kernel[i % 64] / FRAME]++;
        }
        for (uint32_t i = comp.consumer; i != comp.producer; i++) {
            seen[comp.descs[i & (RING_SIZE - 1)] / FRAME]++;
        }
        for (int i = 0; i < N_FRAMES; i++) {
            assert_int_equal(seen[i], 1);
        }
    }
    assert_int_equal(bad, 0);
    dp_umem_pool_uninit(&pool);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_producer_wraps),
        cmocka_unit_test(test_producer_cache),
        cmocka_unit_test(test_consumer_wraps),
        cmocka_unit_test(test_need_wakeup),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_fill_refill),
        cmocka_unit_test(test_comp_reap),
        cmocka_unit_test(test_frames_conserved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
