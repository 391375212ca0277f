/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The virtqueue tests' fixture (see vqfix.h).
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vqfix.h"

uint64_t	vqfix_ring;

static int
fix_done(struct vio_vq *vq)
{
	struct fix *f = vq->vq_done_arg;

	f->done_calls++;
	return (1);
}

struct fix *
fix_new_sized(enum sim_transport tr, uint64_t features, uint16_t size,
    uint16_t max_segs)
{
	struct fix *f;
	uint8_t *p;
	int i;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	features |= vqfix_ring;
	sim_loop_init(&f->loop, features);
	vtest_start(&f->t, &f->loop.model, tr, features);
	assert_int_equal(vq_alloc(f->t.sc, &f->vq, 0, size, max_segs,
	    "loop0"), 0);
	assert_int_equal(f->vq.vq_packed,
	    (features & VIRTIO_F_RING_PACKED) != 0 && tr != SIM_LEGACY);
	f->vq.vq_done = fix_done;
	f->vq.vq_done_arg = f;
	assert_int_equal(vio_driver_ok(f->t.sc), 0);
	f->in = vtest_dma(&f->t, 4096);
	f->out = vtest_dma(&f->t, 4096);
	for (i = 0, p = f->in->vaddr; i < 4096; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	return (f);
}

struct fix *
fix_new(enum sim_transport tr, uint64_t features)
{

	return (fix_new_sized(tr, features, 0, 8));
}

void
fix_free(struct fix *f)
{

	vtest_finish(&f->t);
	free(f);
}

int
post(struct fix *f, unsigned int nin, unsigned int nout, uint32_t off,
    void *cookie)
{
	struct vio_seg segs[16];
	unsigned int i;

	assert_true(nin + nout <= 16);
	for (i = 0; i < nin + nout; i++) {
		segs[i].vs_write = i >= nin;
		segs[i].vs_addr = (segs[i].vs_write ? f->out : f->in)->busaddr +
		    off + 32 * (segs[i].vs_write ? i - nin : i);
		segs[i].vs_len = 32;
	}
	return (vq_enqueue(&f->vq, segs, nin + nout, cookie));
}

void
complete_reversed(struct fix *f, uint32_t len)
{

	while (f->loop.nheld > 0)
		sim_complete(f->t.sim, 0, f->loop.held[--f->loop.nheld], len);
}

void
drain(struct fix *f)
{
	void *cookie;
	uint32_t len;

	while (vq_dequeue(&f->vq, &cookie, &len) == 0)
		;
}

void
assert_broken(struct fix *f, const char *why)
{
	void *cookie;
	uint32_t len;
	unsigned int kicks = f->vq.vq_kicks;

	assert_true(vio_is_broken(f->t.sc));
	assert_string_equal(f->t.sc->sc_broken_why, why);
	assert_int_equal(vq_dequeue(&f->vq, &cookie, &len), EIO);
	assert_int_equal(post(f, 1, 0, 0, NULL), EIO);
	vq_kick(&f->vq);
	assert_int_equal(f->vq.vq_kicks, kicks);
	assert_int_equal(vio_driver_ok(f->t.sc), EIO);
}

struct fix *
fix_held(uint64_t features)
{
	struct fix *f = fix_new(SIM_MODERN, features);

	f->loop.hold = true;
	assert_int_equal(post(f, 2, 2, 0, (void *)1), 0);
	vq_kick(&f->vq);
	assert_int_equal(f->loop.nheld, 1);
	return (f);
}

