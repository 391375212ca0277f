/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */


/*
 * The virtqueue fuzz targets' shared part (see fuzz_vq.h).
 */

#include <stdlib.h>

#include "fuzz_vq.h"

static void
post(struct fuzz_vq *st, struct fuzz_in *in)
{
	struct vio_seg segs[8];
	struct fuzz_vq_req *r = &st->reqs[st->next % FUZZ_VQ_MAXREQ];
	uint8_t shape = fuzz_u8(in);
	unsigned int i, nin = shape & 3, nout = (shape >> 2) & 7, n;
	uint32_t writable = 0;

	n = nin + nout;
	if (r->out || n == 0 || n > 8)
		return;
	for (i = 0; i < n; i++) {
		segs[i].vs_write = i >= nin;
		segs[i].vs_addr = st->buf.busaddr + 64 * i;
		segs[i].vs_len = 1 + (fuzz_u8(in) & 63);
		if (segs[i].vs_write)
			writable += segs[i].vs_len;
	}
	if (vq_enqueue(&st->vq, segs, n, r) == 0) {
		r->out = true;
		r->writable = writable;
		r->ndesc = st->vq.vq_indirect && n > 1 ? 1 : n;
		st->next++;
	}
	if (fuzz_u8(in) & 1)
		vq_kick(&st->vq);
}

static void
dequeue_all(struct fuzz_vq *st)
{
	struct fuzz_vq_req *r;
	void *cookie;
	uint32_t len;

	while (vq_dequeue(&st->vq, &cookie, &len) == 0) {
		r = cookie;
		FUZZ_ASSERT(r >= st->reqs && r < st->reqs + FUZZ_VQ_MAXREQ);
		FUZZ_ASSERT(r->out && len <= r->writable);
		r->out = false;
	}
}

static int
done(struct vio_vq *vq)
{

	dequeue_all(vq->vq_done_arg);
	return (1);
}

/*
 * Any byte of the ring area: the device may write there, and the core
 * must not depend on descriptors or the available ring keeping what it
 * wrote (it keeps its own copy).
 */
static void
scribble(struct fuzz_vq *st, struct fuzz_in *in)
{
	uint8_t *ring = st->vq.vq_ring_dma.vaddr;

	ring[fuzz_u16(in) % st->vq.vq_ring_dma.size] = fuzz_u8(in);
}

void
fuzz_vq_op(struct fuzz_vq *st, struct fuzz_in *in, unsigned int kind,
    uint8_t op)
{
	uint16_t q;

	switch (kind) {
	case 0:
		post(st, in);
		break;
	case 1:	/* a well-behaved completion of a held chain */
		if (st->loop.nheld > 0) {
			q = fuzz_u8(in) % st->loop.nheld;
			sim_complete(st->dev, 0, st->loop.held[q],
			    fuzz_u8(in));
			st->loop.held[q] = st->loop.held[--st->loop.nheld];
		}
		break;
	case 2:
		sim_push_used(st->dev, 0, fuzz_u32(in), fuzz_u32(in));
		break;
	case 3:
		sim_set_used_idx(st->dev, 0, fuzz_u16(in));
		break;
	case 4:
		scribble(st, in);
		break;
	case 5:
		dequeue_all(st);
		break;
	case 6:
		vq_intr_disable(&st->vq);
		break;
	case 7:
		if (vq_intr_enable(&st->vq))
			dequeue_all(st);
		break;
	case 8:
		(void)vio_intr(&st->psc.sc_vio);
		break;
	case 9:
		st->dev->no_notify = op & 0x10;
		st->dev->no_avail_event = op & 0x20;
		break;
	}
}

void
fuzz_vq_check(struct fuzz_vq *st)
{
	unsigned int i, ndesc = 0;

	for (i = 0; i < FUZZ_VQ_MAXREQ; i++)
		if (st->reqs[i].out)
			ndesc += st->reqs[i].ndesc;
	FUZZ_ASSERT(st->vq.vq_nfree + ndesc == st->vq.vq_num);
}

uint64_t
fuzz_vq_features(uint8_t feat)
{
	uint64_t features = 0;

	if (feat & 1)
		features |= VIRTIO_RING_F_INDIRECT_DESC;
	if (feat & 2)
		features |= VIRTIO_RING_F_EVENT_IDX;
	return (features);
}

struct fuzz_vq *
fuzz_vq_start(enum sim_transport transport, uint64_t features)
{
	struct fuzz_vq *st;

	st = calloc(1, sizeof(*st));
	FUZZ_ASSERT(st != NULL);
	sim_loop_init(&st->loop, features);
	st->loop.hold = true;
	st->dev = sim_create(&st->loop.model, transport);
	FUZZ_ASSERT(vio_pci_attach(&st->psc, st->dev,
	    sim_pci_device_id(st->dev), 0) == 0);
	FUZZ_ASSERT(vio_init(&st->psc.sc_vio) == 0);
	FUZZ_ASSERT(vio_negotiate_features(&st->psc.sc_vio, features) == 0);
	FUZZ_ASSERT(vq_alloc(&st->psc.sc_vio, &st->vq, 0, 0, 8, "fuzz") == 0);
	st->vq.vq_done = done;
	st->vq.vq_done_arg = st;
	FUZZ_ASSERT(vio_driver_ok(&st->psc.sc_vio) == 0);
	FUZZ_ASSERT(vio_dma_alloc(st->dev, 512, 16, &st->buf) == 0);
	return (st);
}

void
fuzz_vq_finish(struct fuzz_vq *st)
{
	struct fuzz_vq_req *r;
	void *cookie;
	unsigned int i;

	FUZZ_ASSERT(vio_reset(&st->psc.sc_vio) == 0);
	while (vq_reclaim(&st->vq, &cookie) == 0) {
		r = cookie;
		FUZZ_ASSERT(r->out);
		r->out = false;
	}
	for (i = 0; i < FUZZ_VQ_MAXREQ; i++)
		FUZZ_ASSERT(!st->reqs[i].out);
	FUZZ_ASSERT(st->vq.vq_nfree == st->vq.vq_num);
	vq_free(&st->vq);
	vio_dma_free(st->dev, &st->buf);
	FUZZ_ASSERT(st->dev->hard_errors == 0);
	FUZZ_ASSERT(st->dev->dma_live == 0 && st->dev->mem_live == 0);
	sim_destroy(st->dev);
	free(st);
}
