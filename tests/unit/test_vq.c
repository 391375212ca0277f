/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueues against the simulated loop device: enqueue and dequeue
 * (chains and indirect tables), the free list, notification and
 * interrupt suppression, and every kind of malformed used ring.  What
 * holds of both ring formats runs twice, split and packed (vqfix_ring);
 * what only the packed ring has is in test_vq_packed.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vtest.h"
#include "vqfix.h"

static void
roundtrip(enum sim_transport tr, uint64_t features)
{
	struct fix *f = fix_new(tr, features);
	void *cookie;
	uint32_t len;

	assert_int_equal(post(f, 2, 2, 0, &len), 0);
	assert_int_equal(f->vq.vq_inflight, 1);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].notifies, 1);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), 0);
	assert_ptr_equal(cookie, &len);
	assert_int_equal(len, 64);
	assert_memory_equal(f->out->vaddr, f->in->vaddr, 64);
	assert_int_equal(f->loop.last.nsegs, 4);
	assert_int_equal(f->loop.last.indirect,
	    (features & VIRTIO_RING_F_INDIRECT_DESC) != 0);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), ENOENT);
	assert_int_equal(f->vq.vq_requests, 1);
	assert_int_equal(f->vq.vq_kicks, 1);
	assert_int_equal(f->vq.vq_nfree, f->vq.vq_num);
	fix_free(f);
}

static void
test_roundtrip_each_transport_and_ring_feature(void **state)
{
	static const uint64_t feats[] = { 0, VIRTIO_RING_F_INDIRECT_DESC,
	    VIRTIO_RING_F_EVENT_IDX, ALL_RING };
	unsigned int i, j;

	(void)state;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			roundtrip(vtest_transports[i], feats[j]);
}

static void
test_single_segment_never_indirect(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, ALL_RING);
	void *cookie;
	uint32_t len;

	(void)state;
	assert_true(f->vq.vq_indirect);
	assert_int_equal(post(f, 0, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_false(f->loop.last.indirect);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), 0);
	assert_int_equal(len, 0);
	fix_free(f);
}

static void
test_fill_queue_then_reuse_free_list(void **state)
{
	struct fix *f;
	void *cookie;
	uint32_t len;
	int n, i, round, nsegs, expect;

	(void)state;
	for (nsegs = 1; nsegs <= 5; nsegs++) {
		f = fix_new(SIM_MODERN, 0);
		f->loop.hold = true;
		expect = 16 / nsegs;
		for (round = 0; round < 4; round++) {
			for (n = 0; post(f, 1, nsegs - 1, 0,
			    (void *)(uintptr_t)(n + 1)) == 0; n++)
				;
			assert_int_equal(n, expect);
			assert_int_equal(f->vq.vq_nfree, 16 - expect * nsegs);
			vq_kick(&f->vq);
			assert_int_equal(f->loop.nheld, expect);
			/* Out of order completion: the free list must cope. */
			complete_reversed(f, 0);
			for (i = 0; i < n; i++) {
				assert_int_equal(vq_dequeue(&f->vq, &cookie,
				    &len), 0);
				assert_ptr_equal(cookie,
				    (void *)(uintptr_t)(n - i));
			}
			/* Nothing more: no stale chain looks used. */
			assert_int_equal(vq_dequeue(&f->vq, &cookie, &len),
			    ENOENT);
			assert_int_equal(f->vq.vq_nfree, 16);
		}
		fix_free(f);
	}
}

static void
test_indirect_fills_one_descriptor_per_request(void **state)
{
	struct fix *f = fix_new(SIM_LEGACY, VIRTIO_RING_F_INDIRECT_DESC);
	int n;

	(void)state;
	f->loop.hold = true;
	for (n = 0; post(f, 4, 4, 0, NULL) == 0; n++)
		;
	assert_int_equal(n, 16);
	assert_int_equal(f->vq.vq_nfree, 0);
	vq_kick(&f->vq);
	assert_int_equal(f->loop.chains, 16);
	assert_true(f->loop.last.indirect);
	assert_int_equal(f->loop.last.nsegs, 8);
	fix_free(f);
}

static void
test_enqueue_rejects_malformed_requests(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, 0);
	struct vio_seg segs[9];
	unsigned int i;

	(void)state;
	for (i = 0; i < 9; i++) {
		segs[i].vs_addr = f->in->busaddr;
		segs[i].vs_len = 16;
		segs[i].vs_write = false;
	}
	assert_int_equal(vq_enqueue(&f->vq, segs, 0, NULL), EINVAL);
	assert_int_equal(vq_enqueue(&f->vq, segs, 9, NULL), EINVAL);
	segs[1].vs_len = 0;
	assert_int_equal(vq_enqueue(&f->vq, segs, 2, NULL), EINVAL);
	segs[1].vs_len = 16;
	segs[0].vs_write = true;	/* readable after writable */
	assert_int_equal(vq_enqueue(&f->vq, segs, 2, NULL), EINVAL);
	segs[1].vs_write = true;	/* writable bytes beyond 32 bits */
	segs[0].vs_len = segs[1].vs_len = 0x80000000U;
	assert_int_equal(vq_enqueue(&f->vq, segs, 2, NULL), EINVAL);
	assert_int_equal(f->vq.vq_nfree, 16);
	assert_int_equal(f->vq.vq_requests, 0);
	assert_false(f->t.sc->sc_broken);
	fix_free(f);
}

static void
test_kick_event_idx_suppresses_notify(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, VIRTIO_RING_F_EVENT_IDX);

	(void)state;
	f->loop.hold = true;
	/* The device asks for a notify past what it popped: always told. */
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 2);
	/* A device that stops moving avail_event is not told again. */
	f->t.sim->no_avail_event = true;
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 3);
	assert_int_equal(f->t.sim->queues[0].notifies, 3);
	/* Nothing new: no kick at all. */
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 3);
	assert_int_equal(f->vq.vq_requests, 4);
	fix_free(f);
}

static void
test_kick_honours_no_notify_flag(void **state)
{
	struct fix *f = fix_new(SIM_LEGACY, 0);

	(void)state;
	f->t.sim->no_notify = true;
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);	/* the device sets NO_NOTIFY as it pops */
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 1);
	f->t.sim->no_notify = false;
	sim_process(f->t.sim, 0);	/* device clears the flag */
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 2);
	fix_free(f);
}

static void
test_intr_disable_enable_flag_mode(void **state)
{
	struct fix *f = fix_new(SIM_TRANSITIONAL, 0);

	(void)state;
	vq_intr_disable(&f->vq);
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].interrupts, 0);
	/* Used while disabled: enable must say so (no lost wakeup). */
	assert_true(vq_intr_enable(&f->vq));
	drain(f);
	assert_false(vq_intr_enable(&f->vq));
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].interrupts, 1);
	drain(f);
	fix_free(f);
}

/*
 * What the driver wrote for the device after vq_intr_disable() (off)
 * or vq_intr_enable() with nentries used entries of ndesc descriptors
 * taken.  Split: the flags stay 0 under EVENT_IDX (2.7.7.2), used_event
 * counts entries; packed: DISABLE, or DESC at the next used position.
 */
static void
assert_event_idx_arm(struct fix *f, bool off, uint16_t nentries,
    uint16_t ndesc)
{

	if (!f->vq.vq_packed) {
		assert_int_equal(f->vq.vq_avail->flags, 0);
		if (!off)
			assert_int_equal(*f->vq.vq_used_event, nentries);
		return;
	}
	assert_int_equal(f->vq.vq_pdriver->flags, off ?
	    VRING_PACKED_EVENT_F_DISABLE : VRING_PACKED_EVENT_F_DESC);
	if (!off)
		assert_int_equal(f->vq.vq_pdriver->off_wrap,
		    ndesc | VRING_PACKED_EVENT_WRAP);
}

static void
test_intr_disable_enable_event_idx(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, VIRTIO_RING_F_EVENT_IDX);

	(void)state;
	/* Nothing armed yet (zeroed): the first completion interrupts. */
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].interrupts, 1);
	vq_intr_disable(&f->vq);
	assert_event_idx_arm(f, true, 0, 0);
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].interrupts, 1);
	assert_true(vq_intr_enable(&f->vq));
	drain(f);
	assert_false(vq_intr_enable(&f->vq));
	assert_event_idx_arm(f, false, 2, 4);
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].interrupts, 2);
	/* Not re-armed: the next completion stays silent. */
	drain(f);
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].interrupts, 2);
	drain(f);
	fix_free(f);
}

static void
test_vq_intr_and_vio_intr_dispatch(void **state)
{
	struct fix *f = fix_new(SIM_LEGACY, 0);

	(void)state;
	assert_int_equal(vio_intr(f->t.sc), 0);	/* not ours */
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(vio_intr(f->t.sc), VIRTIO_ISR_QUEUE);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->vq.vq_interrupts, 1);
	drain(f);
	assert_int_equal(vio_intr(f->t.sc), 0);	/* read cleared the ISR */
	assert_int_equal(vq_intr(&f->vq), 1);	/* MSI-X path */
	assert_int_equal(f->vq.vq_interrupts, 2);
	f->vq.vq_done = NULL;
	assert_int_equal(vq_intr(&f->vq), 0);
	fix_free(f);
}

static int idle_done_calls;

static int
idle_done(struct vio_vq *vq)
{

	(void)vq;
	idle_done_calls++;
	return (1);
}

static void
test_vio_intr_runs_only_queues_with_work(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, 0);
	struct vio_vq idle;

	(void)state;
	assert_int_equal(vq_alloc(f->t.sc, &idle, 2, 0, 1, "idle"), 0);
	idle.vq_done = idle_done;
	idle_done_calls = 0;
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(vio_intr(f->t.sc), VIRTIO_ISR_QUEUE);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(idle_done_calls, 0);
	assert_int_equal(idle.vq_interrupts, 0);
	drain(f);
	fix_free(f);
}

static void
test_reclaim_after_reset(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, VIRTIO_RING_F_INDIRECT_DESC);
	void *cookie;
	int n = 0;

	(void)state;
	f->loop.hold = true;
	assert_int_equal(post(f, 2, 2, 0, (void *)1), 0);
	assert_int_equal(post(f, 1, 0, 0, (void *)2), 0);
	vq_kick(&f->vq);
	assert_int_equal(vio_reset(f->t.sc), 0);
	while (vq_reclaim(&f->vq, &cookie) == 0) {
		assert_true(cookie == (void *)1 || cookie == (void *)2);
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(f->vq.vq_nfree, 16);
	assert_int_equal(f->vq.vq_inflight, 0);
	fix_free(f);
}

static void
test_reclaim_wraps_around(void **state)
{
	struct fix *f = fix_new(SIM_LEGACY, 0);
	void *cookie;

	(void)state;
	f->loop.hold = true;
	assert_int_equal(post(f, 1, 0, 0, (void *)1), 0);
	assert_int_equal(post(f, 1, 0, 0, (void *)2), 0);
	assert_int_equal(post(f, 1, 0, 0, (void *)3), 0);
	vq_kick(&f->vq);
	assert_int_equal(vio_reset(f->t.sc), 0);
	assert_int_equal(vq_reclaim(&f->vq, &cookie), 0);
	assert_int_equal(vq_reclaim(&f->vq, &cookie), 0);
	assert_int_equal(vq_reclaim(&f->vq, &cookie), 0);
	assert_ptr_equal(cookie, (void *)3);
	assert_int_equal(vq_reclaim(&f->vq, &cookie), ENOENT);
	/* The freed slot 2 went to the head of the free list. */
	assert_int_equal(post(f, 1, 0, 0, (void *)4), 0);
	assert_int_equal(post(f, 1, 0, 0, (void *)5), 0);
	assert_int_equal(vq_reclaim(&f->vq, &cookie), 0);
	assert_int_equal(vq_reclaim(&f->vq, &cookie), 0);
	assert_int_equal(vq_reclaim(&f->vq, &cookie), ENOENT);
	assert_int_equal(f->vq.vq_nfree, 16);
	fix_free(f);
}

static void
test_used_id_out_of_range(void **state)
{
	struct fix *f = fix_held(0);
	void *cookie = NULL;
	uint32_t len;

	(void)state;
	sim_push_used(f->t.sim, 0, 16, 0);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), EIO);
	assert_null(cookie);
	assert_broken(f, "used id out of range");
	fix_free(f);
}

static void
test_used_id_huge(void **state)
{
	struct fix *f = fix_held(VIRTIO_RING_F_INDIRECT_DESC);
	void *cookie;
	uint32_t len;

	(void)state;
	sim_push_used(f->t.sim, 0, 0xffffffffU, 0);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), EIO);
	assert_broken(f, "used id out of range");
	fix_free(f);
}

static void
test_used_id_not_a_head(void **state)
{
	struct fix *f = fix_held(0);
	void *cookie;
	uint32_t len;

	(void)state;
	/* Descriptor 1 is the middle of the chain headed by 0. */
	assert_int_equal(f->loop.held[0], 0);
	sim_push_used(f->t.sim, 0, 1, 0);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), EIO);
	assert_broken(f, "used id not in flight");
	fix_free(f);
}

static void
test_used_id_completed_twice(void **state)
{
	struct fix *f = fix_held(0);
	void *cookie;
	uint32_t len;

	(void)state;
	assert_int_equal(post(f, 1, 0, 0, (void *)2), 0);
	vq_kick(&f->vq);
	sim_push_used(f->t.sim, 0, f->loop.held[0], 64);
	sim_push_used(f->t.sim, 0, f->loop.held[0], 64);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), 0);
	assert_ptr_equal(cookie, (void *)1);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), EIO);
	assert_broken(f, "used id not in flight");
	fix_free(f);
}

static void
test_used_len_beyond_writable(void **state)
{
	struct fix *f = fix_held(VIRTIO_RING_F_INDIRECT_DESC);
	void *cookie;
	uint32_t len;

	(void)state;
	sim_push_used(f->t.sim, 0, f->loop.held[0], 65);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), EIO);
	assert_broken(f, "used length exceeds buffers");
	fix_free(f);
}

static void
test_used_len_exact_is_fine(void **state)
{
	struct fix *f = fix_held(0);
	void *cookie;
	uint32_t len;

	(void)state;
	sim_push_used(f->t.sim, 0, f->loop.held[0], 64);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), 0);
	assert_int_equal(len, 64);
	assert_false(vio_is_broken(f->t.sc));
	fix_free(f);
}

static void
test_used_idx_runs_ahead(void **state)
{
	static const uint16_t jumps[] = { 2, 17, 0x8000, 0xffff };
	struct fix *f;
	void *cookie;
	uint32_t len;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
		f = fix_held(0);
		sim_set_used_idx(f->t.sim, 0, jumps[i]);
		assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), EIO);
		assert_broken(f, "used index ran ahead");
		fix_free(f);
	}
}

/* A packed ring sees the spurious entry as an id not in flight. */
static void
test_used_entry_with_nothing_in_flight(void **state)
{
	struct fix *f = fix_new(vqfix_ring ? SIM_MODERN : SIM_LEGACY, 0);
	void *cookie;
	uint32_t len;

	(void)state;
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	drain(f);
	sim_push_used(f->t.sim, 0, 0, 0);	/* spurious */
	assert_true(vq_pending(&f->vq));
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), EIO);
	assert_broken(f, vqfix_ring ? "used id not in flight" :
	    "used index ran ahead");
	fix_free(f);
}

int
main(void)
{
	const struct CMUnitTest split_only[] = {
		cmocka_unit_test(
		    test_indirect_fills_one_descriptor_per_request),
		cmocka_unit_test(test_kick_honours_no_notify_flag),
		cmocka_unit_test(test_vq_intr_and_vio_intr_dispatch),
		cmocka_unit_test(test_reclaim_wraps_around),
		cmocka_unit_test(test_used_idx_runs_ahead),
	};
	/* What holds of both formats runs again on packed rings. */
	const struct CMUnitTest both[] = {
		cmocka_unit_test(
		    test_roundtrip_each_transport_and_ring_feature),
		cmocka_unit_test(test_single_segment_never_indirect),
		cmocka_unit_test(test_fill_queue_then_reuse_free_list),
		cmocka_unit_test(test_enqueue_rejects_malformed_requests),
		cmocka_unit_test(test_kick_event_idx_suppresses_notify),
		cmocka_unit_test(test_intr_disable_enable_flag_mode),
		cmocka_unit_test(test_intr_disable_enable_event_idx),
		cmocka_unit_test(test_vio_intr_runs_only_queues_with_work),
		cmocka_unit_test(test_reclaim_after_reset),
		cmocka_unit_test(test_used_id_out_of_range),
		cmocka_unit_test(test_used_id_huge),
		cmocka_unit_test(test_used_id_not_a_head),
		cmocka_unit_test(test_used_id_completed_twice),
		cmocka_unit_test(test_used_len_beyond_writable),
		cmocka_unit_test(test_used_len_exact_is_fine),
		cmocka_unit_test(test_used_entry_with_nothing_in_flight),
	};
	int failed;

	failed = cmocka_run_group_tests_name("split", split_only, NULL, NULL);
	failed += cmocka_run_group_tests_name("split and packed: split", both,
	    NULL, NULL);
	vqfix_ring = VIRTIO_F_RING_PACKED;
	failed += cmocka_run_group_tests_name("split and packed: packed",
	    both, NULL, NULL);
	return (failed);
}
