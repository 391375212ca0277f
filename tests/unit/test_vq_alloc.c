/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueue set-up: ring layout per transport, size limits, absurd queue
 * sizes and registers from the device, memory failures.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vtest.h"
#include "sim_loop.h"

static void
start(struct vtest *t, struct sim_loop *loop, enum sim_transport tr,
    uint64_t features)
{

	sim_loop_init(loop, features);
	vtest_start(t, &loop->model, tr, features);
}

static void
test_legacy_layout_is_one_aligned_area(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	(void)state;
	start(&t, &loop, SIM_LEGACY, 0);
	assert_int_equal(vq_alloc(t.sc, &vq, 1, 0, 4, "q1"), 0);
	assert_int_equal(vq.vq_desc_pa % 4096, 0);
	assert_int_equal(vq.vq_avail_pa, vq.vq_desc_pa + 16 * 16);
	assert_int_equal(vq.vq_used_pa, vq.vq_desc_pa + 4096);
	/* The simulated device derived the same places from the PFN. */
	assert_int_equal(t.sim->queues[1].desc, vq.vq_desc_pa);
	assert_int_equal(t.sim->queues[1].used, vq.vq_used_pa);
	assert_true(t.sim->queues[1].enabled);
	vtest_finish(&t);
	assert_int_equal(t.sim, NULL);
}

static void
test_modern_layout_programs_three_areas(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	(void)state;
	start(&t, &loop, SIM_MODERN, 0);
	assert_int_equal(vq_alloc(t.sc, &vq, 2, 8, 4, "q2"), 0);
	assert_int_equal(vq.vq_num, 8);		/* driver asked for less */
	assert_int_equal(t.sim->queues[2].num, 8);
	assert_int_equal(t.sim->queues[2].desc, vq.vq_desc_pa);
	assert_int_equal(t.sim->queues[2].avail, vq.vq_avail_pa);
	assert_int_equal(t.sim->queues[2].used, vq.vq_used_pa);
	assert_int_equal(vq.vq_used_pa % 4, 0);
	assert_true(vq.vq_used_pa < vq.vq_desc_pa + 4096);
	assert_true(t.sim->queues[2].enabled);
	assert_ptr_equal(vq_lookup(t.sc, 2), &vq);
	vtest_finish(&t);
}

static void
test_legacy_ignores_smaller_size(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	(void)state;
	start(&t, &loop, SIM_LEGACY, 0);
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 4, 4, "q0"), 0);
	assert_int_equal(vq.vq_num, 16);
	vtest_finish(&t);
}

static void
test_maxsegs_capped_to_queue_size(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq a, b;

	(void)state;
	start(&t, &loop, SIM_MODERN, VIRTIO_RING_F_INDIRECT_DESC);
	assert_int_equal(vq_alloc(t.sc, &a, 0, 0, 100, "a"), 0);
	assert_int_equal(a.vq_maxsegs, 16);
	assert_true(a.vq_indirect);
	assert_int_equal(vq_alloc(t.sc, &b, 1, 0, 1, "b"), 0);
	assert_false(b.vq_indirect);	/* nothing to gain */
	vtest_finish(&t);
}

static void
test_bad_arguments(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq, dup;

	(void)state;
	start(&t, &loop, SIM_MODERN, 0);
	/* An index the device does not have. */
	assert_int_equal(vq_alloc(t.sc, &vq, VIO_MAX_VQS, 0, 1, "x"), ENOENT);
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 0, "x"), EINVAL);
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 12, 1, "x"), EINVAL);
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 1, "x"), 0);
	assert_int_equal(vq_alloc(t.sc, &dup, 0, 0, 1, "x"), EINVAL);
	assert_false(t.sc->sc_broken);
	vtest_finish(&t);
}

static void
test_missing_queue_is_enoent(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		start(&t, &loop, vtest_transports[i], 0);
		/* Beyond num_queues (modern) or size 0 (legacy). */
		assert_int_equal(vq_alloc(t.sc, &vq, SIM_LOOP_QUEUES, 0, 1,
		    "x"), ENOENT);
		assert_false(t.sc->sc_broken);
		vtest_finish(&t);
	}
}

static void
test_zero_size_within_num_queues_is_enoent(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	(void)state;
	start(&t, &loop, SIM_MODERN, 0);
	t.sim->queues[1].max_size = t.sim->queues[1].num = 0;
	assert_int_equal(vq_alloc(t.sc, &vq, 1, 0, 1, "x"), ENOENT);
	vtest_finish(&t);
}

static void
absurd_size(enum sim_transport tr, uint16_t size)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	start(&t, &loop, tr, 0);
	t.sim->queues[0].max_size = t.sim->queues[0].num = size;
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 1, "x"), EIO);
	assert_true(t.sc->sc_broken);
	assert_string_equal(t.sc->sc_broken_why, "invalid queue size");
	assert_null(vq_lookup(t.sc, 0));
	/* Broken: no further queue is set up. */
	assert_int_equal(vq_alloc(t.sc, &vq, 1, 0, 1, "x"), EIO);
	vtest_finish(&t);
}

static void
test_queue_size_not_power_of_two(void **state)
{

	(void)state;
	absurd_size(SIM_LEGACY, 12);
	absurd_size(SIM_MODERN, 3);
	/* Above the maximum 32768 no 16-bit size is a power of two. */
	absurd_size(SIM_TRANSITIONAL, 0xffff);
	absurd_size(SIM_MODERN, 0x8001);
	absurd_size(SIM_LEGACY, 0xc000);
}

static void
modern_refusal(void (*inject)(struct sim_dev *), const char *why)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	start(&t, &loop, SIM_MODERN, 0);
	inject(t.sim);
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 8, 1, "x"), EIO);
	assert_string_equal(t.sc->sc_broken_why, why);
	assert_int_equal(t.sim->dma_live, 0);
	assert_int_equal(t.sim->mem_live, 0);
	vtest_finish(&t);
}

static void
refuse_size(struct sim_dev *dev)
{

	dev->refuse_queue_size = true;
}

static void
refuse_enable(struct sim_dev *dev)
{

	dev->refuse_queue_enable = true;
}

static void
bad_notify_off(struct sim_dev *dev)
{

	/* 0x400 * 4 = 0x1000: the doorbell would sit past the region. */
	dev->queues[0].notify_off = 0x400;
}

static void
test_modern_queue_registers_checked(void **state)
{

	(void)state;
	modern_refusal(refuse_size, "queue size not accepted");
	modern_refusal(refuse_enable, "queue not enabled");
	modern_refusal(bad_notify_off, "queue notify offset out of range");
}

static void
test_notify_offset_multiplier_used(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	(void)state;
	start(&t, &loop, SIM_MODERN, 0);
	t.sim->queues[2].notify_off = 7;
	assert_int_equal(vq_alloc(t.sc, &vq, 2, 0, 1, "x"), 0);
	assert_int_equal(vq.vq_notify_off, 7 * SIM_NOTIFY_MULT);
	vtest_finish(&t);
}

static void
test_legacy_ring_above_16tb_refused(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	(void)state;
	start(&t, &loop, SIM_LEGACY, 0);
	/* A page frame number needs more than the register's 32 bits. */
	t.sim->next_busaddr = (uint64_t)1 << 45;
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 1, "x"), EINVAL);
	assert_int_equal(t.sim->dma_live, 0);
	vtest_finish(&t);
}

static void
test_memory_failures(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	(void)state;
	start(&t, &loop, SIM_MODERN, VIRTIO_RING_F_INDIRECT_DESC);
	t.sim->dma_fail_after = t.sim->dma_allocs + 1;	/* rings */
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 4, "x"), ENOMEM);
	t.sim->mem_fail_after = t.sim->mem_allocs + 1;	/* bookkeeping */
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 4, "x"), ENOMEM);
	assert_int_equal(t.sim->dma_live, 0);
	/* No memory for indirect tables: chains still work. */
	t.sim->dma_fail_after = t.sim->dma_allocs + 2;
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 4, "x"), 0);
	assert_false(vq.vq_indirect);
	assert_false(t.sc->sc_broken);
	vtest_finish(&t);
}

static void
test_free_then_alloc_again(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;
	int i;

	(void)state;
	start(&t, &loop, SIM_LEGACY, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 2, "x"), 0);
		assert_int_equal(vio_reset(t.sc), 0);
		vq_free(&vq);
		assert_null(vq_lookup(t.sc, 0));
		assert_int_equal(t.sim->queues[0].desc, 0);
	}
	assert_int_equal(t.sim->dma_live, 0);
	assert_int_equal(t.sim->mem_live, 0);
	vtest_finish(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_layout_is_one_aligned_area),
		cmocka_unit_test(test_modern_layout_programs_three_areas),
		cmocka_unit_test(test_legacy_ignores_smaller_size),
		cmocka_unit_test(test_maxsegs_capped_to_queue_size),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_missing_queue_is_enoent),
		cmocka_unit_test(test_zero_size_within_num_queues_is_enoent),
		cmocka_unit_test(test_queue_size_not_power_of_two),
		cmocka_unit_test(test_modern_queue_registers_checked),
		cmocka_unit_test(test_notify_offset_multiplier_used),
		cmocka_unit_test(test_legacy_ring_above_16tb_refused),
		cmocka_unit_test(test_memory_failures),
		cmocka_unit_test(test_free_then_alloc_again),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
