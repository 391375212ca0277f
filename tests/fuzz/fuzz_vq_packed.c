/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: the packed virtqueue against a device that writes
 * whatever it likes into the descriptor ring (used descriptors with any
 * id, length and AVAIL/USED bits, at any position, in any lap) and into
 * its event suppression structure.
 *
 * Input: transport byte (bit 0: transitional, else modern), feature byte
 * (bit 0 INDIRECT_DESC, bit 1 EVENT_IDX), then operations, one byte each
 * plus arguments: those of fuzz_vq_op() (fuzz_vq.c: post, complete,
 * push a used descriptor at the device's position, move that position
 * and its wrap counter, scribble, dequeue, interrupts), and: write a
 * whole descriptor anywhere in the ring, write the device event
 * suppression, kick.  Checked as fuzz_vq.h says, and the ring positions
 * stay inside the ring.
 */

#include <stddef.h>
#include <stdint.h>

#include "fuzz_vq.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A descriptor as the device would write it, or any other bytes. */
static void
write_desc(struct fuzz_vq *st, struct fuzz_in *in)
{
	volatile struct vio_packed_desc *d;

	d = &st->vq.vq_pdesc[fuzz_u16(in) % st->vq.vq_num];
	d->id = fuzz_u16(in);
	d->len = fuzz_u32(in);
	d->flags = fuzz_u16(in);
}

static void
write_device_event(struct fuzz_vq *st, struct fuzz_in *in)
{
	volatile struct vio_packed_event *ev = st->vq.vq_pdevice;

	ev->off_wrap = fuzz_u16(in);
	ev->flags = fuzz_u16(in);
}

static void
packed_op(struct fuzz_vq *st, struct fuzz_in *in, uint8_t op)
{
	unsigned int kind = op % (FUZZ_VQ_NOPS + 3);

	switch (kind) {
	case FUZZ_VQ_NOPS:
		write_desc(st, in);
		break;
	case FUZZ_VQ_NOPS + 1:
		write_device_event(st, in);
		break;
	case FUZZ_VQ_NOPS + 2:
		vq_kick(&st->vq);
		break;
	default:
		fuzz_vq_op(st, in, kind, op);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_vq *st;
	uint8_t mode;

	mode = fuzz_u8(&in);
	st = fuzz_vq_start((mode & 1) ? SIM_TRANSITIONAL : SIM_MODERN,
	    VIRTIO_F_RING_PACKED | fuzz_vq_features(fuzz_u8(&in)));
	FUZZ_ASSERT(st->vq.vq_packed);
	while (in.n > 0) {
		packed_op(st, &in, fuzz_u8(&in));
		fuzz_vq_check(st);
		FUZZ_ASSERT(st->vq.vq_avail_idx < st->vq.vq_num &&
		    st->vq.vq_used_idx < st->vq.vq_num);
	}
	fuzz_vq_finish(st);
	return (0);
}
