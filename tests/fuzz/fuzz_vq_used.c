/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: the virtqueue against a device that writes whatever it
 * likes into the used ring, its index and the notification fields.
 *
 * Input: transport byte, feature byte (bit 0 INDIRECT_DESC, bit 1
 * EVENT_IDX), then operations, one byte each plus arguments: post a
 * request, complete a held chain properly, push a raw used entry, set
 * the used index, scribble on the ring memory, dequeue,
 * disable/enable interrupts, take an interrupt.
 *
 * Invariants checked besides the sanitizers': a request comes back at
 * most once and only if posted, with no more bytes than it offered to be
 * written; the free count never exceeds the queue; after a reset every
 * request still out is reclaimed exactly once.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "sim.h"
#include "sim_loop.h"
#include "fuzz_in.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXREQ		64

struct req {
	bool		out;		/* posted, not returned */
	uint32_t	writable;
};

struct state {
	struct sim_dev	*dev;
	struct sim_loop	loop;
	struct vio_pci_softc psc;
	struct vio_vq	vq;
	struct vio_dma	buf;
	struct req	reqs[MAXREQ];
	unsigned int	next;
};

static void
post(struct state *st, struct fuzz_in *in)
{
	struct vio_seg segs[8];
	struct req *r = &st->reqs[st->next % MAXREQ];
	uint8_t shape = fuzz_u8(in);
	unsigned int i, nin = shape & 3, nout = (shape >> 2) & 7;
	uint32_t writable = 0;

	if (r->out || nin + nout == 0 || nin + nout > 8)
		return;
	for (i = 0; i < nin + nout; i++) {
		segs[i].vs_write = i >= nin;
		segs[i].vs_addr = st->buf.busaddr + 64 * i;
		segs[i].vs_len = 1 + (fuzz_u8(in) & 63);
		if (segs[i].vs_write)
			writable += segs[i].vs_len;
	}
	if (vq_enqueue(&st->vq, segs, nin + nout, r) == 0) {
		r->out = true;
		r->writable = writable;
		st->next++;
	}
	if (fuzz_u8(in) & 1)
		vq_kick(&st->vq);
}

static void
dequeue_all(struct state *st)
{
	struct req *r;
	void *cookie;
	uint32_t len;

	while (vq_dequeue(&st->vq, &cookie, &len) == 0) {
		r = cookie;
		FUZZ_ASSERT(r >= st->reqs && r < st->reqs + MAXREQ);
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
 * Any byte of the ring area: the used ring is the device's to write, and
 * the core must not depend on descriptors or the available ring keeping
 * what it wrote there (it keeps its own copy).
 */
static void
scribble(struct state *st, struct fuzz_in *in)
{
	uint8_t *ring = st->vq.vq_ring_dma.vaddr;

	ring[fuzz_u16(in) % st->vq.vq_ring_dma.size] = fuzz_u8(in);
}

static void
run(struct state *st, struct fuzz_in *in)
{
	uint8_t op;
	uint16_t q;

	while (in->n > 0) {
		op = fuzz_u8(in);
		switch (op % 10) {
		case 0:
			post(st, in);
			break;
		case 1:	/* a well-behaved completion of a held chain */
			if (st->loop.nheld > 0) {
				q = fuzz_u8(in) % st->loop.nheld;
				sim_complete(st->dev, 0, st->loop.held[q],
				    fuzz_u8(in));
				st->loop.held[q] =
				    st->loop.held[--st->loop.nheld];
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
		FUZZ_ASSERT(st->vq.vq_nfree <= st->vq.vq_num);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct state *st;
	void *cookie;
	uint64_t features = 0;
	uint8_t mode, feat;
	unsigned int i;

	st = calloc(1, sizeof(*st));
	FUZZ_ASSERT(st != NULL);
	mode = fuzz_u8(&in);
	feat = fuzz_u8(&in);
	if (feat & 1)
		features |= VIRTIO_RING_F_INDIRECT_DESC;
	if (feat & 2)
		features |= VIRTIO_RING_F_EVENT_IDX;
	sim_loop_init(&st->loop, features);
	st->loop.hold = true;
	st->dev = sim_create(&st->loop.model, (enum sim_transport)(mode % 3));
	FUZZ_ASSERT(vio_pci_attach(&st->psc, st->dev,
	    sim_pci_device_id(st->dev), 0) == 0);
	FUZZ_ASSERT(vio_init(&st->psc.sc_vio) == 0);
	FUZZ_ASSERT(vio_negotiate_features(&st->psc.sc_vio, features) == 0);
	FUZZ_ASSERT(vq_alloc(&st->psc.sc_vio, &st->vq, 0, 0, 8, "fuzz") == 0);
	st->vq.vq_done = done;
	st->vq.vq_done_arg = st;
	FUZZ_ASSERT(vio_driver_ok(&st->psc.sc_vio) == 0);
	FUZZ_ASSERT(vio_dma_alloc(st->dev, 512, 16, &st->buf) == 0);

	run(st, &in);

	FUZZ_ASSERT(vio_reset(&st->psc.sc_vio) == 0);
	while (vq_reclaim(&st->vq, &cookie) == 0) {
		FUZZ_ASSERT(((struct req *)cookie)->out);
		((struct req *)cookie)->out = false;
	}
	for (i = 0; i < MAXREQ; i++)
		FUZZ_ASSERT(!st->reqs[i].out);
	FUZZ_ASSERT(st->vq.vq_nfree == st->vq.vq_num);
	vq_free(&st->vq);
	vio_dma_free(st->dev, &st->buf);
	FUZZ_ASSERT(st->dev->hard_errors == 0);
	FUZZ_ASSERT(st->dev->dma_live == 0 && st->dev->mem_live == 0);
	sim_destroy(st->dev);
	free(st);
	return (0);
}
