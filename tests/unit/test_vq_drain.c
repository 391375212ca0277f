/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The completion loop against the simulated loop device: it takes
 * everything, re-arms the queue so that a device honouring used_event
 * interrupts again, and ends on a broken device, failing what was in
 * flight, instead of spinning.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vtest.h"
#include "sim_loop.h"

/* Far more rounds than any sound loop needs: reaching it is a hang. */
#define LOOP_BOUND	1000
#define NREQ		4

struct dfix {
	struct vtest	t;
	struct sim_loop	loop;
	struct vio_vq	vq;
	struct vio_dma	*buf;
	unsigned int	taken, failed;
	uintptr_t	failed_mask;	/* cookies 1..NREQ as bits */
};

static struct dfix *
dfix_new(uint64_t features, bool hold)
{
	struct dfix *f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	sim_loop_init(&f->loop, features);
	f->loop.hold = hold;
	vtest_start(&f->t, &f->loop.model, SIM_MODERN, features);
	assert_int_equal(vq_alloc(f->t.sc, &f->vq, 0, 0, 2, "drain"), 0);
	assert_int_equal(vio_driver_ok(f->t.sc), 0);
	f->buf = vtest_dma(&f->t, 4096);
	return (f);
}

static void
dfix_free(struct dfix *f)
{
	vtest_finish(&f->t);
	free(f);
}

/* Post requests 1..n (one readable, one writable segment each). */
static void
dfix_post(struct dfix *f, unsigned int n)
{
	struct vio_seg segs[2];
	uintptr_t i;

	for (i = 1; i <= n; i++) {
		segs[0].vs_addr = f->buf->busaddr + 64 * i;
		segs[0].vs_len = 16;
		segs[0].vs_write = false;
		segs[1].vs_addr = f->buf->busaddr + 64 * i + 32;
		segs[1].vs_len = 16;
		segs[1].vs_write = true;
		assert_int_equal(vq_enqueue(&f->vq, segs, 2, (void *)i), 0);
	}
	vq_kick(&f->vq);
}

static int
dfix_take(void *arg)
{
	struct dfix *f = arg;
	void *cookie;
	uint32_t len;
	int error;

	if ((error = vq_dequeue(&f->vq, &cookie, &len)) == 0)
		f->taken++;
	return (error);
}

static void
dfix_fail(void *arg, void *cookie)
{
	struct dfix *f = arg;

	f->failed++;
	f->failed_mask |= (uintptr_t)1 << (uintptr_t)cookie;
}

/*
 * The loop vio_vq.h documented before vq_drain(), with a bound: on a
 * broken device vq_dequeue() said EIO while vq_intr_enable() kept
 * saying "more", so it never ended.
 */
static void
test_open_coded_loop_ends_on_broken_device(void **state)
{
	struct dfix *f = dfix_new(VIRTIO_RING_F_EVENT_IDX, true);
	void *cookie;
	uint32_t len;
	int rounds = 0;

	(void)state;
	dfix_post(f, NREQ);
	sim_push_used(f->t.sim, 0, 99, 0);	/* id out of range */
	vq_intr_disable(&f->vq);
	for (; rounds < LOOP_BOUND; rounds++) {
		while (vq_dequeue(&f->vq, &cookie, &len) == 0)
			;
		if (!vq_intr_enable(&f->vq))
			break;
		vq_intr_disable(&f->vq);
	}
	assert_true(vio_is_broken(f->t.sc));
	assert_int_equal(rounds, 0);
	assert_false(vq_pending(&f->vq));
	dfix_free(f);
}

/* Broken in the middle: what came before is taken, the rest failed. */
static void
test_drain_fails_inflight_on_broken_device(void **state)
{
	struct dfix *f = dfix_new(VIRTIO_RING_F_EVENT_IDX, true);

	(void)state;
	dfix_post(f, NREQ);
	sim_complete(f->t.sim, 0, f->loop.held[0], 0);
	sim_push_used(f->t.sim, 0, f->loop.held[0], 0);	/* again */
	assert_int_equal(vq_drain(&f->vq, dfix_take, dfix_fail, f), EIO);
	assert_int_equal(f->taken, 1);
	assert_int_equal(f->failed, NREQ - 1);
	assert_int_equal(f->failed_mask, 0x1c);	/* 2, 3 and 4 */
	assert_int_equal(f->vq.vq_inflight, 0);
	/* The buffers went back only after the device was reset. */
	assert_int_equal(f->t.sim->status, 0);
	/* Later calls end at once and fail nothing twice. */
	assert_int_equal(vq_drain(&f->vq, dfix_take, dfix_fail, f), EIO);
	assert_int_equal(f->failed, NREQ - 1);
	dfix_free(f);
}

/* Marked broken from outside (DEVICE_NEEDS_RESET): the same. */
static void
test_drain_after_needs_reset(void **state)
{
	struct dfix *f = dfix_new(0, true);

	(void)state;
	dfix_post(f, NREQ);
	f->t.sim->needs_reset = true;
	vio_config_intr(f->t.sc);
	assert_true(vio_is_broken(f->t.sc));
	assert_int_equal(vq_drain(&f->vq, dfix_take, dfix_fail, f), EIO);
	assert_int_equal(f->failed, NREQ);
	dfix_free(f);
}

static int
dfix_done(struct vio_vq *vq)
{
	struct dfix *f = vq->vq_done_arg;

	return (vq_drain(vq, dfix_take, dfix_fail, f));
}

/*
 * A shared line after the device broke: the queue with requests in
 * flight runs its handler (which fails them) although no used entry
 * waits, and only while something is in flight.
 */
static void
test_shared_line_runs_broken_queue(void **state)
{
	struct dfix *f = dfix_new(0, true);

	(void)state;
	f->vq.vq_done = dfix_done;
	f->vq.vq_done_arg = f;
	dfix_post(f, NREQ);
	assert_int_equal(vio_intr(f->t.sc), 0);
	assert_int_equal(f->vq.vq_interrupts, 0);
	vio_mark_broken(f->t.sc, "test");
	(void)vio_intr(f->t.sc);
	assert_int_equal(f->vq.vq_interrupts, 1);
	assert_int_equal(f->failed, NREQ);
	(void)vio_intr(f->t.sc);
	assert_int_equal(f->vq.vq_interrupts, 1);
	dfix_free(f);
}

/*
 * With EVENT_IDX the device interrupts only when its used index passes
 * used_event: after each drain the next completion must interrupt.
 */
static void
test_drain_rearms_event_idx(void **state)
{
	struct dfix *f = dfix_new(VIRTIO_RING_F_EVENT_IDX, true);
	unsigned int i, intrs;

	(void)state;
	dfix_post(f, NREQ);
	for (i = 0; i < NREQ; i++) {
		intrs = f->t.sim->queues[0].interrupts;
		sim_complete(f->t.sim, 0, f->loop.held[i], 0);
		assert_int_equal(f->t.sim->queues[0].interrupts, intrs + 1);
		assert_int_equal(vq_drain(&f->vq, dfix_take, dfix_fail, f), 0);
		assert_int_equal(f->taken, i + 1);
	}
	assert_int_equal(f->failed, 0);
	dfix_free(f);
}

static int
take_refuses(void *arg)
{

	(void)arg;
	return (EINVAL);
}

/* A protocol that stops on a sound ring leaves the queue armed. */
static void
test_drain_stops_where_the_protocol_says(void **state)
{
	struct dfix *f = dfix_new(0, true);

	(void)state;
	dfix_post(f, 1);
	assert_int_equal(vq_drain(&f->vq, take_refuses, dfix_fail, f),
	    EINVAL);
	assert_int_equal(f->vq.vq_avail->flags, 0);
	assert_false(vio_is_broken(f->t.sc));
	assert_int_equal(f->failed, 0);
	dfix_free(f);
}

/* A broken device that will not reset keeps its buffers: no reclaim. */
static void
test_drain_keeps_buffers_of_a_device_that_will_not_reset(void **state)
{
	struct dfix *f = dfix_new(0, true);

	(void)state;
	dfix_post(f, NREQ);
	sim_push_used(f->t.sim, 0, 99, 0);
	f->t.sim->stuck_status = true;
	assert_int_equal(vq_drain(&f->vq, dfix_take, dfix_fail, f), EIO);
	assert_int_equal(f->failed, 0);
	assert_int_equal(f->vq.vq_inflight, NREQ);
	dfix_free(f);
}

/* Under EVENT_IDX the strict device wants the avail flags left 0. */
static void
test_sim_rejects_avail_flags_with_event_idx(void **state)
{
	struct dfix *f = dfix_new(VIRTIO_RING_F_EVENT_IDX, true);

	(void)state;
	dfix_post(f, 1);
	f->vq.vq_avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	sim_complete(f->t.sim, 0, f->loop.held[0], 0);
	assert_int_equal(f->t.sim->driver_errors, 1);
	f->t.sim->driver_errors = 0;
	dfix_free(f);
}

/* Without EVENT_IDX: the flag is left clear and everything is taken. */
static void
test_drain_takes_everything_flag_mode(void **state)
{
	struct dfix *f = dfix_new(0, false);

	(void)state;
	dfix_post(f, NREQ);
	assert_int_equal(vq_drain(&f->vq, dfix_take, dfix_fail, f), 0);
	assert_int_equal(f->taken, NREQ);
	assert_int_equal(f->vq.vq_avail->flags, 0);
	assert_false(vq_pending(&f->vq));
	dfix_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_coded_loop_ends_on_broken_device),
		cmocka_unit_test(test_drain_fails_inflight_on_broken_device),
		cmocka_unit_test(test_drain_after_needs_reset),
		cmocka_unit_test(test_shared_line_runs_broken_queue),
		cmocka_unit_test(test_drain_rearms_event_idx),
		cmocka_unit_test(test_drain_takes_everything_flag_mode),
		cmocka_unit_test(test_drain_stops_where_the_protocol_says),
		cmocka_unit_test(test_sim_rejects_avail_flags_with_event_idx),
		cmocka_unit_test(
		    test_drain_keeps_buffers_of_a_device_that_will_not_reset),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
