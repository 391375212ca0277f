/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: vioblk against a block device that chooses its
 * configuration space, the status bytes and data it writes back, the
 * used lengths it reports, and raw used entries.
 *
 * Input: transport byte, two feature bytes, 60 configuration bytes, then
 * operations: submit a request (type, sector, length), complete the
 * oldest held request (status byte, used length), push a raw used entry,
 * take completions.  The transport has FUZZ_QUEUES queues and vioblk
 * wants as many: with MQ the configuration's num_queues (0, fewer, more)
 * decides how many it sets up; an operation byte's upper part picks the
 * queue a request or a raw used entry goes to.
 *
 * Invariants besides the sanitizers': a request comes back at most once
 * and only if submitted; its error is 0, EIO or EOPNOTSUPP; a GET_ID
 * serial is printable and terminated; after a reset every request still
 * out is reclaimed exactly once and every slot is free again.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "vioblk.h"
#include "sim.h"
#include "sim_blk.h"
#include "sim_stream.h"
#include "fuzz_in.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXREQ		32
#define FUZZ_QUEUES	3

static const uint64_t feature_bits[16] = {
	VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_GEOMETRY,
	VIRTIO_BLK_F_RO, VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH,
	VIRTIO_BLK_F_TOPOLOGY, VIRTIO_BLK_F_CONFIG_WCE, VIRTIO_BLK_F_MQ,
	VIRTIO_BLK_F_DISCARD, VIRTIO_BLK_F_WRITE_ZEROES,
	VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_RING_F_EVENT_IDX, 0, 0, 0,
};

struct state {
	struct sim_blk		blk;
	struct sim_dev		*dev;
	struct vio_pci_softc	psc;
	struct vioblk_softc	sc;
	struct vio_dma		buf;
	struct vioblk_seg	segs[4];
	struct vioblk_req	reqs[MAXREQ];
	bool			out[MAXREQ];
};

static void
check_done(struct state *st, struct vioblk_req *req)
{
	size_t i;

	FUZZ_ASSERT(req >= st->reqs && req < st->reqs + MAXREQ);
	FUZZ_ASSERT(st->out[req - st->reqs]);
	st->out[req - st->reqs] = false;
	FUZZ_ASSERT(req->br_error == 0 || req->br_error == EIO ||
	    req->br_error == EOPNOTSUPP);
	for (i = 0; req->br_serial[i] != '\0'; i++)
		FUZZ_ASSERT(i < VIOBLK_SERIAL_LEN &&
		    req->br_serial[i] >= 0x20 && req->br_serial[i] < 0x7f);
}

/* The queue an operation byte picks. */
static struct vioblk_queue *
pick_queue(struct state *st, uint8_t op)
{

	return (&st->sc.sc_queues[op / 6 % st->sc.sc_nqueues]);
}

static void
submit(struct state *st, struct fuzz_in *in, struct vioblk_queue *bq)
{
	struct vioblk_req *req;
	unsigned int i, k;
	uint8_t op;

	for (k = 0; k < MAXREQ && st->out[k]; k++)
		;
	if (k == MAXREQ)
		return;
	req = &st->reqs[k];
	memset(req, 0, sizeof(*req));
	op = fuzz_u8(in);
	req->br_op = (enum vioblk_op)(op % 7);
	req->br_unmap = (op & 0x80) != 0;
	req->br_sector = fuzz_u16(in);
	if (op & 0x40)
		req->br_sector |= (uint64_t)fuzz_u32(in) << 16;
	req->br_nsectors = fuzz_u16(in);
	req->br_nsegs = 1 + (fuzz_u8(in) & 3);
	req->br_segs = st->segs;
	for (i = 0; i < req->br_nsegs; i++) {
		st->segs[i].busaddr = st->buf.busaddr + i * 16384;
		st->segs[i].len = 512 * (1 + (fuzz_u8(in) & 31));
	}
	if (vioblk_submit(bq, req) == 0)
		st->out[k] = true;
	vioblk_kick(bq);
}

/* The device answers its oldest held request as it likes. */
static void
answer(struct state *st, struct fuzz_in *in)
{
	struct sim_chain *ch;
	uint8_t status, ctl;
	uint32_t len;

	if ((ch = sim_blk_take(&st->blk)) == NULL)
		return;
	ctl = fuzz_u8(in);
	status = fuzz_u8(in);
	if (ch->writable > 0)
		sim_stream_write(ch, ch->writable - 1, &status, 1);
	if (ctl & 1) {
		uint8_t junk[20];

		memset(junk, fuzz_u8(in), sizeof(junk));
		sim_stream_write(ch, 0, junk, sizeof(junk));
	}
	len = (ctl & 2) ? fuzz_u16(in) : ch->writable;
	sim_complete(st->dev, ch->queue, ch->head, len);
	free(ch);
}

static void
intr_done(void *arg, struct vioblk_req *req)
{
	check_done(arg, req);
}

/* Each queue's interrupt, which must end whatever the device did. */
static void
take_all(struct state *st)
{
	uint16_t q;
	int error;

	for (q = 0; q < st->sc.sc_nqueues; q++) {
		sim_bound(st->dev, FUZZ_INTR_BOUND);
		error = vioblk_intr(&st->sc.sc_queues[q], intr_done, st);
		sim_bound(st->dev, 0);
		FUZZ_ASSERT(error == 0 || error == EIO);
	}
}

static void
run(struct state *st, struct fuzz_in *in)
{
	uint8_t op;

	while (in->n > 0) {
		op = fuzz_u8(in);
		switch (op % 6) {
		case 0:
			submit(st, in, pick_queue(st, op));
			break;
		case 1:
			answer(st, in);
			break;
		case 2:
			sim_push_used(st->dev,
			    pick_queue(st, op)->bq_vq.vq_index, fuzz_u16(in),
			    fuzz_u16(in));
			break;
		case 3:
			st->blk.hold = !st->blk.hold;
			break;
		case 4:
			/* The device asks for a reset: I/O fails, no hang. */
			st->dev->needs_reset = true;
			vio_config_intr(&st->psc.sc_vio);
			break;
		default:
			take_all(st);
			break;
		}
	}
	take_all(st);
}

static void
teardown(struct state *st)
{
	struct vioblk_queue *bq;
	struct vioblk_req *req;
	unsigned int k;
	uint16_t q;

	vio_reset(&st->psc.sc_vio);
	for (q = 0; q < st->sc.sc_nqueues; q++) {
		bq = &st->sc.sc_queues[q];
		while (vioblk_reclaim(bq, &req) == 0) {
			FUZZ_ASSERT(req->br_error == EIO);
			check_done(st, req);
		}
		FUZZ_ASSERT(bq->bq_nfree == bq->bq_nslots);
	}
	for (k = 0; k < MAXREQ; k++)
		FUZZ_ASSERT(!st->out[k]);
	vioblk_detach(&st->sc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	struct fuzz_in in = { data, size };
	uint64_t features;
	uint16_t fbits;
	unsigned int i;
	uint8_t t;

	memset(&st, 0, sizeof(st));
	sim_blk_init(&st.blk, 0, 64);
	t = fuzz_u8(&in);
	fbits = fuzz_u16(&in);
	for (features = 0, i = 0; i < 16; i++)
		if (fbits & (1U << i))
			features |= feature_bits[i];
	st.blk.model.features = features;
	for (i = 0; i < sizeof(st.blk.config); i++)
		st.blk.config[i] = fuzz_u8(&in);
	st.blk.hold = true;
	st.blk.model.num_queues = FUZZ_QUEUES;

	st.dev = sim_create(&st.blk.model, (enum sim_transport)(t % 3));
	if (vio_pci_attach(&st.psc, st.dev, sim_pci_device_id(st.dev), 0) ==
	    0 && vio_init(&st.psc.sc_vio) == 0 &&
	    vio_negotiate_features(&st.psc.sc_vio, vioblk_features()) == 0 &&
	    vioblk_attach(&st.sc, &st.psc.sc_vio, FUZZ_QUEUES) == 0) {
		FUZZ_ASSERT(st.sc.sc_nqueues >= 1 &&
		    st.sc.sc_nqueues <= FUZZ_QUEUES);
		if (vio_dma_alloc(st.dev, 4 * 16384, 4096, &st.buf) == 0) {
			if (vio_driver_ok(&st.psc.sc_vio) == 0)
				run(&st, &in);
			teardown(&st);
			vio_dma_free(st.dev, &st.buf);
		} else
			vioblk_detach(&st.sc);
	}
	FUZZ_ASSERT(st.dev->dma_live == 0 && st.dev->mem_live == 0);
	sim_destroy(st.dev);
	sim_blk_fini(&st.blk);
	return (0);
}
