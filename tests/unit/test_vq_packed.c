/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * What only packed virtqueues have, against the simulated loop device
 * in its packed mode: negotiation (modern interfaces only), chains and
 * indirect tables across many laps of the ring, sizes that are not a
 * power of two, the two event suppression structures, wrap counters, and
 * malformed device events.  What both formats share runs on packed
 * rings in test_vq.c.
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

#define PK		VIRTIO_F_RING_PACKED

static void
test_packed_only_on_a_modern_interface(void **state)
{
	static const struct {
		enum sim_transport tr;
		int		flags;
		bool		packed;
	} cases[] = {
		{ SIM_MODERN, 0, true },
		{ SIM_TRANSITIONAL, 0, true },
		{ SIM_TRANSITIONAL, VIO_PCI_PREFER_LEGACY, false },
		{ SIM_LEGACY, 0, false },
	};
	struct sim_loop loop;
	struct vtest t;
	struct vio_vq vq;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sim_loop_init(&loop, PK | ALL_RING);
		vtest_attach(&t, &loop.model, cases[i].tr, cases[i].flags);
		/* The core asks for packed rings itself, as for EVENT_IDX. */
		assert_int_equal(vio_attach_start(t.sc, 0), 0);
		assert_int_equal(vio_has_feature(t.sc, PK), cases[i].packed);
		assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 4, "q"), 0);
		assert_int_equal(vq.vq_packed, cases[i].packed);
		vtest_finish(&t);
	}
}

/*
 * Chains of 3 in a ring of 16 straddle its end and flip the wrap
 * counters: every lap must copy the bytes and leave the ring whole.
 */
static void
test_packed_chains_across_many_laps(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, PK | VIRTIO_RING_F_EVENT_IDX);
	unsigned int round, i, posted = 0;
	uint8_t *out = f->out->vaddr;
	void *cookie;
	uint32_t len;

	(void)state;
	for (round = 0; round < 40; round++) {
		memset(out, 0, 4096);
		for (i = 0; i < 3; i++)
			assert_int_equal(post(f, 1, 2, 256 * i,
			    (void *)(uintptr_t)(i + 1)), 0);
		posted += 9;
		vq_kick(&f->vq);
		for (i = 0; i < 3; i++) {
			assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), 0);
			assert_ptr_equal(cookie, (void *)(uintptr_t)(i + 1));
			assert_int_equal(len, 32);
			assert_memory_equal(out + 256 * i,
			    (uint8_t *)f->in->vaddr + 256 * i, 32);
		}
		assert_int_equal(f->vq.vq_nfree, 16);
		assert_int_equal(f->vq.vq_avail_idx, posted % 16);
		assert_int_equal(f->vq.vq_avail_wrap, (posted / 16) % 2 == 0);
		assert_int_equal(f->vq.vq_used_wrap, f->vq.vq_avail_wrap);
	}
	assert_int_equal(f->vq.vq_requests, 120);
	fix_free(f);
}

/* A packed queue of 12: any size is valid; ids and positions cope. */
static void
test_packed_size_not_power_of_two(void **state)
{
	struct sim_loop loop;
	struct vtest t;
	struct vio_vq vq;
	struct vio_dma *buf;
	struct vio_seg segs[2];
	void *cookie;
	uint32_t len;
	unsigned int i, round;

	(void)state;
	sim_loop_init(&loop, PK);
	loop.model.queue_size = 12;
	loop.hold = true;
	vtest_start(&t, &loop.model, SIM_MODERN, 0);
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 2, "q12"), 0);
	assert_int_equal(vq.vq_num, 12);
	assert_int_equal(vio_driver_ok(t.sc), 0);
	buf = vtest_dma(&t, 4096);
	for (round = 0; round < 7; round++) {
		for (i = 0; i < 6; i++) {
			segs[0].vs_addr = buf->busaddr + 64 * i;
			segs[0].vs_len = 8;
			segs[0].vs_write = false;
			segs[1] = segs[0];
			segs[1].vs_addr += 32;
			segs[1].vs_write = true;
			assert_int_equal(vq_enqueue(&vq, segs, 2,
			    (void *)(uintptr_t)(i + 1)), 0);
		}
		assert_int_equal(vq_enqueue(&vq, segs, 1, NULL), ENOSPC);
		vq_kick(&vq);
		/* Odd ids first, then even ones. */
		for (i = 0; i < 6; i += 2)
			sim_complete(t.sim, 0, loop.held[i], 8);
		for (i = 1; i < 6; i += 2)
			sim_complete(t.sim, 0, loop.held[i], 8);
		loop.nheld = 0;
		for (i = 0; i < 6; i++) {
			assert_int_equal(vq_dequeue(&vq, &cookie, &len), 0);
			assert_int_equal((uintptr_t)cookie,
			    i < 3 ? 2 * i + 1 : 2 * (i - 3) + 2);
		}
		assert_int_equal(vq.vq_nfree, 12);
	}
	assert_false(vio_is_broken(t.sc));
	vtest_finish(&t);
}

static void
test_packed_indirect_fills_one_descriptor_per_request(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, PK | VIRTIO_RING_F_INDIRECT_DESC);
	void *cookie;
	uint32_t len;
	int n, round;

	(void)state;
	f->loop.hold = true;
	for (round = 0; round < 3; round++) {
		for (n = 0; post(f, 4, 4, 0, (void *)(uintptr_t)1) == 0; n++)
			;
		assert_int_equal(n, 16);
		assert_int_equal(f->vq.vq_nfree, 0);
		vq_kick(&f->vq);
		assert_true(f->loop.last.indirect);
		assert_int_equal(f->loop.last.nsegs, 8);
		assert_int_equal(f->loop.last.writable, 128);
		complete_reversed(f, 128);
		while (vq_dequeue(&f->vq, &cookie, &len) == 0)
			n--;
		assert_int_equal(n, 0);
	}
	assert_int_equal(f->loop.chains, 48);
	fix_free(f);
}

static void
test_packed_kick_event_in_the_previous_lap(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, PK | VIRTIO_RING_F_EVENT_IDX);
	int i;

	(void)state;
	for (i = 0; i < 15; i++)
		assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	drain(f);
	/* The device wants to hear of position 15, wrap 1; then 0, wrap 0. */
	f->t.sim->no_avail_event = true;
	f->vq.vq_pdevice->off_wrap = 15 | VRING_PACKED_EVENT_WRAP;
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);	/* position 15 */
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);	/* 0, next lap */
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 2);
	f->vq.vq_pdevice->off_wrap = 1;		/* position 1, wrap 0 */
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);	/* position 1 */
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 3);
	f->vq.vq_pdevice->off_wrap = 3;		/* ahead: not yet */
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);	/* position 2 */
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 3);
	drain(f);
	assert_false(vio_is_broken(f->t.sc));
	fix_free(f);
}

static void
test_packed_kick_honours_disable(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, PK);

	(void)state;
	f->t.sim->no_notify = true;
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);	/* the device says DISABLE as it pops */
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 1);
	f->t.sim->no_notify = false;
	sim_process(f->t.sim, 0);	/* the device enables them again */
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, 2);
	drain(f);
	fix_free(f);
}

/*
 * Only AVAIL == USED == the used wrap counter is used: an available
 * descriptor, one from the last lap, or one the device wrote with the
 * wrong wrap counter is not (nothing taken, nothing broken).
 */
static void
test_packed_wrong_wrap_is_not_used(void **state)
{
	static const uint16_t bits[] = { 0, VRING_PACKED_DESC_F_AVAIL,
	    VRING_PACKED_DESC_F_USED };
	struct fix *f = fix_held(PK);
	void *cookie;
	uint32_t len;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		f->vq.vq_pdesc[0].flags = bits[i];
		assert_false(vq_pending(&f->vq));
		assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), ENOENT);
	}
	/* A used descriptor written as if in lap 0. */
	sim_set_used_idx(f->t.sim, 0, 0);
	sim_push_used(f->t.sim, 0, f->loop.held[0], 0);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), ENOENT);
	assert_false(vio_is_broken(f->t.sc));
	assert_int_equal(f->vq.vq_inflight, 1);
	/* The right one is taken. */
	sim_set_used_idx(f->t.sim, 0, VRING_PACKED_EVENT_WRAP);
	sim_push_used(f->t.sim, 0, f->loop.held[0], 0);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), 0);
	assert_ptr_equal(cookie, (void *)1);
	fix_free(f);
}

/* The device event suppression is the device's to write: checked. */
static void
bad_device_event(uint64_t features, uint16_t flags, uint16_t off_wrap,
    const char *why)
{
	struct fix *f = fix_held(PK | features);
	unsigned int notifies = f->t.sim->queues[0].notifies;

	f->vq.vq_pdevice->flags = flags;
	f->vq.vq_pdevice->off_wrap = off_wrap;
	assert_int_equal(post(f, 1, 0, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].notifies, notifies);
	assert_broken(f, why);
	fix_free(f);
}

static void
test_packed_device_event_checked(void **state)
{

	(void)state;
	bad_device_event(0, 3, 0, "device event flags invalid");
	bad_device_event(0, 0x8000, 0, "device event flags invalid");
	/* DESC is for EVENT_IDX only. */
	bad_device_event(0, VRING_PACKED_EVENT_F_DESC, 1,
	    "device event flags invalid");
	bad_device_event(VIRTIO_RING_F_EVENT_IDX, VRING_PACKED_EVENT_F_DESC,
	    16, "device event offset out of range");
	bad_device_event(VIRTIO_RING_F_EVENT_IDX, VRING_PACKED_EVENT_F_DESC,
	    0x7fff | VRING_PACKED_EVENT_WRAP,
	    "device event offset out of range");
}

static int
take_one(void *arg)
{
	struct fix *f = arg;
	void *cookie;
	uint32_t len;

	return (vq_dequeue(&f->vq, &cookie, &len));
}

static void
count_failed(void *arg, void *cookie)
{
	struct fix *f = arg;

	(void)cookie;
	f->done_calls++;
}

/* Broken in the middle of a drain: the rest is failed, nothing hangs. */
static void
test_packed_drain_fails_inflight_on_broken_device(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, PK | VIRTIO_RING_F_EVENT_IDX);
	int i;

	(void)state;
	f->loop.hold = true;
	for (i = 0; i < 4; i++)
		assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	sim_complete(f->t.sim, 0, f->loop.held[2], 0);
	sim_push_used(f->t.sim, 0, 99, 0);
	assert_int_equal(vq_drain(&f->vq, take_one, count_failed, f), EIO);
	assert_int_equal(f->done_calls, 3);
	assert_int_equal(f->vq.vq_inflight, 0);
	assert_int_equal(f->vq.vq_nfree, 16);
	assert_false(vq_pending(&f->vq));
	fix_free(f);
}

/* Everything taken and the queue re-armed at the right position. */
static void
test_packed_drain_rearms(void **state)
{
	struct fix *f = fix_new(SIM_MODERN, PK | VIRTIO_RING_F_EVENT_IDX);
	unsigned int intrs;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	intrs = f->t.sim->queues[0].interrupts;
	assert_int_equal(vq_drain(&f->vq, take_one, count_failed, f), 0);
	assert_int_equal(f->vq.vq_inflight, 0);
	assert_int_equal(f->vq.vq_pdriver->off_wrap,
	    6 | VRING_PACKED_EVENT_WRAP);
	assert_int_equal(post(f, 1, 1, 0, NULL), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->t.sim->queues[0].interrupts, intrs + 1);
	drain(f);
	fix_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packed_only_on_a_modern_interface),
		cmocka_unit_test(test_packed_chains_across_many_laps),
		cmocka_unit_test(test_packed_size_not_power_of_two),
		cmocka_unit_test(
		    test_packed_indirect_fills_one_descriptor_per_request),
		cmocka_unit_test(test_packed_kick_event_in_the_previous_lap),
		cmocka_unit_test(test_packed_kick_honours_disable),
		cmocka_unit_test(test_packed_wrong_wrap_is_not_used),
		cmocka_unit_test(test_packed_device_event_checked),
		cmocka_unit_test(
		    test_packed_drain_fails_inflight_on_broken_device),
		cmocka_unit_test(test_packed_drain_rearms),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
