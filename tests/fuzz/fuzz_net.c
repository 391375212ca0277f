/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: vioif against a network device that chooses its
 * configuration space, the headers and lengths of received frames
 * (num_buffers included), raw used entries on every queue, and the
 * control queue's acks.
 *
 * Input: transport byte, feature byte, 17 configuration bytes, then
 * operations: deliver a frame (12 header bytes, length, num_buffers
 * override), answer a held receive buffer with a raw length, push a raw
 * used entry, receive, repost, transmit (with offload request), take
 * transmit completions, send a control command and poll it.
 *
 * Invariants besides the sanitizers': every buffer the OS posted comes
 * back at most once, as part of one frame; a good frame's length is the
 * sum of its pieces, each within the buffer; after a reset every buffer
 * and frame still out is reclaimed exactly once.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "vioif.h"
#include "sim.h"
#include "sim_net.h"
#include "sim_stream.h"
#include "fuzz_in.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NBUF		32
#define BUF_SIZE	2048
#define NTX		8

static const uint64_t feature_bits[8] = {
	VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_GUEST_CSUM,
	VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_GUEST_TSO6,
	VIRTIO_NET_F_CSUM | VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_HOST_TSO6,
	VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_RX | VIRTIO_NET_F_CTRL_VLAN,
	VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_MTU,
	VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_RING_F_EVENT_IDX,
};

struct state {
	struct sim_net		net;
	struct sim_dev		*dev;
	struct vio_pci_softc	psc;
	struct vioif_softc	sc;
	struct vio_dma		rx;	/* NBUF buffers */
	struct vio_dma		tx;
	bool			posted[NBUF];
	bool			tx_out[NTX];
	struct vioif_rx_frame	f;
	uint8_t			frame[20000];
};

static void
post(struct state *st, unsigned int i)
{
	struct vioif_rxq *rxq = &st->sc.sc_rxq[0];
	struct vioif_seg seg;

	if (st->posted[i])
		return;
	seg.busaddr = st->rx.busaddr + (uint64_t)i * BUF_SIZE;
	seg.len = BUF_SIZE;
	/* Big-buffer mode wants more than one buffer: give it two. */
	if (!rxq->rxq_mergeable) {
		if (i % 2 == 1 || st->posted[i + 1])
			return;
		seg.len = 2 * BUF_SIZE;
	}
	if (rxq->rxq_min_buf > seg.len)
		return;
	if (vioif_rx_post(rxq, &seg, 1, (uint8_t *)st->rx.vaddr +
	    (size_t)i * BUF_SIZE, (void *)(uintptr_t)(i + 1)) == 0) {
		st->posted[i] = true;
		if (!rxq->rxq_mergeable)
			st->posted[i + 1] = true;
	}
}

static void
give_back(struct state *st, void *cookie)
{
	uintptr_t i = (uintptr_t)cookie;

	FUZZ_ASSERT(i >= 1 && i <= NBUF && st->posted[i - 1]);
	st->posted[i - 1] = false;
	if (!st->sc.sc_rxq[0].rxq_mergeable)
		st->posted[i] = false;
}

/* vioif_rx_intr()'s hook: one frame, whole or to be dropped. */
static void
rx_frame(void *arg, struct vioif_rx_frame *f)
{
	struct state *st = arg;
	uint32_t sum, cap;
	unsigned int i;

	cap = st->sc.sc_rxq[0].rxq_mergeable ? BUF_SIZE : 2 * BUF_SIZE;
	FUZZ_ASSERT(f->nbufs >= 1 && f->nbufs <= VIOIF_RX_MAX_BUFS);
	for (sum = 0, i = 0; i < f->nbufs; i++) {
		give_back(st, f->bufs[i].cookie);
		sum += f->bufs[i].len;
	}
	if (f->error == 0) {
		FUZZ_ASSERT(sum == f->len);
		FUZZ_ASSERT(f->offset + f->bufs[0].len <= cap);
		for (i = 1; i < f->nbufs; i++)
			FUZZ_ASSERT(f->bufs[i].len <= cap);
	}
}

/* The receive interrupt, which must end whatever the device did. */
static void
receive(struct state *st)
{
	unsigned int i;
	int error;

	sim_bound(st->dev, FUZZ_INTR_BOUND);
	error = vioif_rx_intr(&st->sc.sc_rxq[0], &st->f, rx_frame, st);
	sim_bound(st->dev, 0);
	FUZZ_ASSERT(error == 0 || error == EIO);
	/* Broken: the device was reset and every buffer unposted. */
	if (error == EIO) {
		FUZZ_ASSERT(st->sc.sc_rxq[0].rxq_posted == 0);
		for (i = 0; i < NBUF; i++)
			st->posted[i] = false;
	}
}

/* The device answers its oldest held rx buffer with a raw length. */
static void
answer_raw(struct state *st, struct fuzz_in *in)
{
	struct sim_net_held h;
	uint8_t hdr[12];
	unsigned int i;

	if (!sim_net_take(&st->net, 0, &h))
		return;
	for (i = 0; i < sizeof(hdr); i++)
		hdr[i] = fuzz_u8(in);
	sim_stream_write(h.chain, 0, hdr, sizeof(hdr));
	sim_complete(st->dev, 0, h.head, fuzz_u16(in));
	free(h.chain);
}

static void
deliver(struct state *st, struct fuzz_in *in)
{
	uint8_t hdr[12];
	unsigned int i;
	uint16_t len;
	int nb;

	for (i = 0; i < sizeof(hdr); i++)
		hdr[i] = fuzz_u8(in);
	len = fuzz_u16(in) % sizeof(st->frame);
	nb = (fuzz_u8(in) & 1) ? fuzz_u8(in) : -1;
	(void)sim_net_rx(&st->net, st->dev, 0, hdr, st->frame, len, nb);
}

static void
transmit(struct state *st, struct fuzz_in *in)
{
	struct vioif_tx_offload off;
	struct vioif_seg seg;
	unsigned int k;

	for (k = 0; k < NTX && st->tx_out[k]; k++)
		;
	if (k == NTX)
		return;
	seg.busaddr = st->tx.busaddr;
	seg.len = 1 + fuzz_u16(in) % 9000;
	off.flags = fuzz_u8(in);
	off.csum_start = fuzz_u16(in);
	off.csum_offset = fuzz_u16(in);
	off.hdr_len = fuzz_u16(in);
	off.gso_size = fuzz_u16(in);
	if (vioif_tx_enqueue(&st->sc.sc_txq[0], &seg, 1, &off,
	    (void *)(uintptr_t)(k + 1)) == 0)
		st->tx_out[k] = true;
	vioif_tx_kick(&st->sc.sc_txq[0]);
}

static void
tx_done(struct state *st, void *cookie)
{
	uintptr_t k = (uintptr_t)cookie;

	FUZZ_ASSERT(k >= 1 && k <= NTX && st->tx_out[k - 1]);
	st->tx_out[k - 1] = false;
}

static void
tx_sent(void *arg, void *cookie, int error)
{
	FUZZ_ASSERT(error == 0 || error == EIO);
	tx_done(arg, cookie);
}

/* The transmit interrupt, bounded like the receive one. */
static void
transmitted(struct state *st)
{
	int error;

	sim_bound(st->dev, FUZZ_INTR_BOUND);
	error = vioif_tx_intr(&st->sc.sc_txq[0], tx_sent, st);
	sim_bound(st->dev, 0);
	FUZZ_ASSERT(error == 0 || error == EIO);
}

static void
control(struct state *st, struct fuzz_in *in)
{
	struct vioif_ctrl *ctrl = &st->sc.sc_ctrl;
	uint8_t op = fuzz_u8(in);
	int error;

	if (!st->sc.sc_has_ctrl)
		return;
	st->net.ack_override = (op & 0x80) ? fuzz_u8(in) : -1;
	st->net.ctrl_hold = (op & 0x40) != 0;
	switch (op % 4) {
	case 0:
		(void)vioif_ctrl_rx_mode(ctrl, fuzz_u8(in) % 8, op & 8);
		break;
	case 1:
		(void)vioif_ctrl_vlan(ctrl, op & 8, fuzz_u16(in));
		break;
	case 2:
		(void)vioif_ctrl_mq_pairs(ctrl, fuzz_u16(in));
		break;
	default:
		(void)vioif_ctrl_guest_offloads(ctrl, fuzz_u8(in));
		break;
	}
	error = vioif_ctrl_poll(ctrl);
	FUZZ_ASSERT(error == 0 || error == EIO || error == EAGAIN ||
	    error == EINVAL);
}

static void
run(struct state *st, struct fuzz_in *in)
{
	unsigned int i;
	uint8_t op;

	for (i = 0; i < NBUF; i++)
		post(st, i);
	vioif_rx_kick(&st->sc.sc_rxq[0]);
	while (in->n > 0) {
		op = fuzz_u8(in);
		switch (op % 8) {
		case 0:
			deliver(st, in);
			break;
		case 1:
			answer_raw(st, in);
			break;
		case 2:
			sim_push_used(st->dev, op & 0x10 ? 1 : 0, fuzz_u16(in),
			    fuzz_u16(in));
			break;
		case 3:
			receive(st);
			break;
		case 4:
			for (i = 0; i < NBUF; i++)
				post(st, i);
			vioif_rx_kick(&st->sc.sc_rxq[0]);
			break;
		case 5:
			transmit(st, in);
			break;
		case 6:
			transmitted(st);
			break;
		default:
			control(st, in);
			break;
		}
	}
	receive(st);
}

static void
teardown(struct state *st)
{
	void *cookie;
	unsigned int i;

	vio_reset(&st->psc.sc_vio);
	while (vioif_rx_reclaim(&st->sc.sc_rxq[0], &cookie) == 0)
		give_back(st, cookie);
	while (vioif_tx_reclaim(&st->sc.sc_txq[0], &cookie) == 0)
		tx_done(st, cookie);
	for (i = 0; i < NBUF; i++)
		FUZZ_ASSERT(!st->posted[i]);
	for (i = 0; i < NTX; i++)
		FUZZ_ASSERT(!st->tx_out[i]);
	FUZZ_ASSERT(st->sc.sc_rxq[0].rxq_posted == 0);
	vioif_detach(&st->sc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vioif_tunables tun = { .mq_disable = true };
	static struct state st;
	struct fuzz_in in = { data, size };
	uint64_t features;
	unsigned int i;
	uint8_t t, fb;

	memset(&st, 0, sizeof(st));
	t = fuzz_u8(&in);
	fb = fuzz_u8(&in);
	for (features = 0, i = 0; i < 8; i++)
		if (fb & (1U << i))
			features |= feature_bits[i];
	sim_net_init(&st.net, features, 1);
	for (i = 0; i < sizeof(st.net.config); i++)
		st.net.config[i] = fuzz_u8(&in);
	for (i = 0; i < sizeof(st.frame); i++)
		st.frame[i] = (uint8_t)i;

	st.dev = sim_create(&st.net.model, (enum sim_transport)(t % 3));
	if (vio_pci_attach(&st.psc, st.dev, sim_pci_device_id(st.dev), 0) ==
	    0 && vio_init(&st.psc.sc_vio) == 0 &&
	    vio_negotiate_features(&st.psc.sc_vio, vioif_features(&tun)) == 0 &&
	    vioif_attach(&st.sc, &st.psc.sc_vio, &tun) == 0) {
		if (vio_dma_alloc(st.dev, NBUF * BUF_SIZE, 4096, &st.rx) == 0 &&
		    vio_dma_alloc(st.dev, 9000, 4096, &st.tx) == 0) {
			if (vio_driver_ok(&st.psc.sc_vio) == 0)
				run(&st, &in);
			vio_dma_free(st.dev, &st.tx);
		}
		teardown(&st);
		if (st.rx.vaddr != NULL)
			vio_dma_free(st.dev, &st.rx);
	}
	FUZZ_ASSERT(st.dev->dma_live == 0 && st.dev->mem_live == 0);
	sim_destroy(st.dev);
	sim_net_fini(&st.net);
	return (0);
}
