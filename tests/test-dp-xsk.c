/*
 * tests/test-dp-xsk.c: unit tests for the AF_XDP ring and UMEM bookkeeping
 * (datapath/dp-xsk-ring.h), against a fake kernel side.
 *
 * The producer and consumer indices are free-running 32-bit counters: the
 * rings here start a few entries short of 2^32 so every test crosses the
 * wrap.  Checked: a producer never gets more room than the consumer freed,
 * a consumer never sees more than was produced, cached indices are
 * refreshed only when they run short, the fill ring gets every frame in
 * order at the start and no more than it holds, and over a long random run of
 * receives (the kernel taking fill entries and handing frames back on the
 * rx ring, us giving each frame back to the fill ring as dp-xsk.c does)
 * the fill ring always has room for what we give back and no frame is
 * lost or duplicated.
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

/* The start: every frame on the fill ring, in order, across the wrap;
 * nothing more once it is full. */
static void
test_fill_all(void **state)
{
    (void) state;
    struct fake_ring f;

    fake_init(&f, UINT32_MAX - 3, true);
    assert_int_equal(dp_xsk_fill_all(&f.r, RING_SIZE, FRAME), RING_SIZE);
    assert_int_equal(f.producer - f.consumer, RING_SIZE);
    for (uint32_t i = 0; i < RING_SIZE; i++) {
        assert_int_equal(f.descs[(UINT32_MAX - 3 + i) & (RING_SIZE - 1)],
                         i * FRAME);
    }
    assert_int_equal(dp_xsk_fill_all(&f.r, RING_SIZE, FRAME), 0);
    assert_int_equal(f.producer - f.consumer, RING_SIZE);

    /* More frames than room: as many as fit. */
    fake_init(&f, 5, true);
    assert_int_equal(dp_xsk_fill_all(&f.r, 3 * RING_SIZE, FRAME), RING_SIZE);
}

/* The receive cycle of dp-xsk.c: all frames start in the fill ring; the
 * kernel takes some, and later hands them back on the rx ring; we read a
 * batch and put each frame straight back on the fill ring, which must
 * always have room for it; in any interleaving every frame is in exactly
 * one place. */
static void
test_frames_conserved(void **state)
{
    (void) state;
    enum { N_FRAMES = RING_SIZE };
    struct fake_ring fill, rx;
    uint64_t in_kernel[64];
    uint32_t k_head = 0, k_tail = 0;
    int seen[N_FRAMES];

    fake_init(&fill, UINT32_MAX - 5, true);
    fake_init(&rx, UINT32_MAX - 2, false);
    assert_int_equal(dp_xsk_fill_all(&fill.r, N_FRAMES, FRAME), N_FRAMES);
    srand(7);
    for (int step = 0; step < 20000; step++) {
        switch (rand() % 3) {
        case 0: {
            /* The kernel takes up to 3 fill entries to receive into. */
            uint32_t n = rand() % 4;
            while (n-- && fill.consumer != fill.producer) {
                in_kernel[k_tail++ % 64]
                    = fill.descs[fill.consumer++ & (RING_SIZE - 1)];
            }
            break;
        }
        case 1: {
            /* It hands up to 3 received frames over. */
            uint32_t n = rand() % 4;
            while (n-- && k_head != k_tail
                   && rx.producer - rx.consumer < RING_SIZE) {
                rx.descs[rx.producer++ & (RING_SIZE - 1)]
                    = in_kernel[k_head++ % 64];
            }
            break;
        }
        case 2: {
            /* We read a batch and give every frame back at once. */
            uint32_t n = dp_xsk_ring_cons_ready(&rx.r, rand() % 5);
            assert_int_equal(dp_xsk_ring_prod_room(&fill.r, n), n);
            for (uint32_t i = 0; i < n; i++) {
                *dp_xsk_ring_addr(&fill.r, fill.r.cached_prod + i)
                    = *dp_xsk_ring_addr(&rx.r, rx.r.cached_cons + i);
            }
            dp_xsk_ring_cons_release(&rx.r, n);
            dp_xsk_ring_prod_submit(&fill.r, n);
            break;
        }
        }

        /* Every frame is in exactly one place. */
        memset(seen, 0, sizeof seen);
        for (uint32_t i = fill.consumer; i != fill.producer; i++) {
            seen[fill.descs[i & (RING_SIZE - 1)] / FRAME]++;
        }
        for (uint32_t i = k_head; i != k_tail; i++) {
            seen[in_kernel[i % 64] / FRAME]++;
        }
        for (uint32_t i = rx.consumer; i != rx.producer; i++) {
            seen[rx.descs[i & (RING_SIZE - 1)] / FRAME]++;
        }
        for (int i = 0; i < N_FRAMES; i++) {
            assert_int_equal(seen[i], 1);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_producer_wraps),
        cmocka_unit_test(test_producer_cache),
        cmocka_unit_test(test_consumer_wraps),
        cmocka_unit_test(test_need_wakeup),
        cmocka_unit_test(test_fill_all),
        cmocka_unit_test(test_frames_conserved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
