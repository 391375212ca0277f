/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioif against the simulated network device: receive in mergeable and
 * big-buffer modes, transmit with offloads, the control queue, and a
 * device that lies (num_buffers, used lengths, acks, configuration).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vtest.h"
#include "vioif.h"
#include "sim_net.h"
#include "sim_stream.h"

#define BUF_SIZE	2048
#define NBUFS		256
#define BIG_BUF_SIZE	(64 * 1024 + 1024)

#define BASE_FEATURES	(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | \
	VIRTIO_NET_F_MTU | VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_RX | \
	VIRTIO_NET_F_CTRL_VLAN | VIRTIO_RING_F_INDIRECT_DESC | \
	VIRTIO_RING_F_EVENT_IDX)
#define MRG_FEATURES	(BASE_FEATURES | VIRTIO_NET_F_MRG_RXBUF)
#define OFFLOADS	(VIRTIO_NET_F_CSUM | VIRTIO_NET_F_GUEST_CSUM | \
	VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_HOST_TSO6 | \
	VIRTIO_NET_F_HOST_ECN | VIRTIO_NET_F_GUEST_TSO4 | \
	VIRTIO_NET_F_GUEST_TSO6 | VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)

struct fixture {
	struct sim_net		net;
	struct vtest		t;
	struct vioif_softc	sc;
	bool			attached;
	struct vio_dma		*rx;	/* NBUFS buffers of BUF_SIZE */
	struct vio_dma		*tx;
	uint8_t			frame[70000];
};

static const struct vioif_tunables no_tunables;

static struct fixture *
fx_new(uint64_t features, uint16_t pairs)
{
	struct fixture *fx;
	unsigned int i;

	fx = calloc(1, sizeof(*fx));
	sim_net_init(&fx->net, features, pairs);
	for (i = 0; i < sizeof(fx->frame); i++)
		fx->frame[i] = (uint8_t)(i * 13 + 1);
	return (fx);
}

static void
fx_attach_tun(struct fixture *fx, enum sim_transport t,
    const struct vioif_tunables *tun)
{
	vtest_start(&fx->t, &fx->net.model, t, vioif_features(tun));
	assert_int_equal(vioif_attach(&fx->sc, fx->t.sc, tun), 0);
	fx->attached = true;
	assert_int_equal(vio_driver_ok(fx->t.sc), 0);
	fx->rx = vtest_dma(&fx->t, (size_t)NBUFS * BUF_SIZE);
	fx->tx = vtest_dma(&fx->t, BIG_BUF_SIZE);
}

static void
fx_attach(struct fixture *fx, enum sim_transport t)
{
	fx_attach_tun(fx, t, &no_tunables);
}

static void
fx_free(struct fixture *fx)
{
	void *cookie;
	unsigned int i;

	if (fx->t.sim != NULL) {
		vio_reset(fx->t.sc);
		for (i = 0; fx->attached && i < fx->sc.sc_npairs; i++)
			while (vioif_rx_reclaim(&fx->sc.sc_rxq[i],
			    &cookie) == 0)
				;
		if (fx->attached)
			vioif_detach(&fx->sc);
		vtest_finish(&fx->t);
	}
	sim_net_fini(&fx->net);
	free(fx);
}

static int
teardown(void **state)
{
	fx_free(*state);
	return (0);
}

static int
setup_mrg(void **state)
{
	struct fixture *fx = fx_new(MRG_FEATURES | OFFLOADS, 1);

	fx_attach(fx, SIM_MODERN);
	*state = fx;
	return (0);
}

static int
setup_big(void **state)
{
	struct fixture *fx = fx_new(BASE_FEATURES, 1);

	fx_attach(fx, SIM_LEGACY);
	*state = fx;
	return (0);
}

static uint8_t *
rxbuf(struct fixture *fx, unsigned int i)
{
	return ((uint8_t *)fx->rx->vaddr + (size_t)i * BUF_SIZE);
}

/* Post n mergeable buffers; the cookie is the buffer index + 1. */
static void
post_mrg(struct fixture *fx, unsigned int first, unsigned int n)
{
	struct vioif_seg seg;
	unsigned int i;

	for (i = first; i < first + n; i++) {
		seg.busaddr = fx->rx->busaddr + (uint64_t)i * BUF_SIZE;
		seg.len = BUF_SIZE;
		assert_int_equal(vioif_rx_post(&fx->sc.sc_rxq[0], &seg, 1,
		    rxbuf(fx, i), (void *)(uintptr_t)(i + 1)), 0);
	}
	vioif_rx_kick(&fx->sc.sc_rxq[0]);
}

/* Reassemble a received frame into out; returns its length. */
static uint32_t
gather(struct fixture *fx, const struct vioif_rx_frame *f, uint8_t *out)
{
	uint32_t off, i, idx;

	for (off = 0, i = 0; i < f->nbufs; i++) {
		idx = (uint32_t)(uintptr_t)f->bufs[i].cookie - 1;
		memcpy(out + off, rxbuf(fx, idx) + (i == 0 ? f->offset : 0),
		    f->bufs[i].len);
		off += f->bufs[i].len;
	}
	return (off);
}

static void
test_rx_mergeable_every_transport(void **state)
{
	static uint8_t out[8192];
	struct vioif_rx_frame f;
	struct fixture *fx;
	unsigned int t;

	(void)state;
	for (t = 0; t < 3; t++) {
		fx = fx_new(MRG_FEATURES, 1);
		fx_attach(fx, vtest_transports[t]);
		assert_true(fx->sc.sc_rxq[0].rxq_mergeable);
		assert_int_equal(fx->sc.sc_hdrlen, 12);
		post_mrg(fx, 0, 8);
		assert_int_equal(sim_net_rx(&fx->net, fx->t.sim, 0, NULL,
		    fx->frame, 60, -1), 1);
		assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
		assert_int_equal(f.error, 0);
		assert_int_equal(f.nbufs, 1);
		assert_ptr_equal(f.bufs[0].cookie, (void *)1);
		assert_int_equal(f.offset, 12);
		assert_int_equal(f.len, 60);
		assert_int_equal(gather(fx, &f, out), 60);
		assert_memory_equal(out, fx->frame, 60);
		assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f),
		    ENOENT);
		assert_int_equal(fx->sc.sc_rxq[0].rxq_posted, 7);
		fx_free(fx);
	}
}

static unsigned int syncs;

static void
count_sync(void *arg, void *cookie)
{
	(void)arg;
	(void)cookie;
	syncs++;
}

static void
test_rx_mergeable_reassembly(void **state)
{
	static uint8_t out[16384];
	struct fixture *fx = *state;
	struct vioif_rx_frame f;

	/* The OS syncs each frame's first buffer before it is parsed. */
	fx->sc.sc_rxq[0].rxq_sync = count_sync;
	syncs = 0;
	post_mrg(fx, 0, 16);
	/* 12 + 5000 bytes: 2048 + 2048 + 916. */
	assert_int_equal(sim_net_rx(&fx->net, fx->t.sim, 0, NULL, fx->frame,
	    5000, -1), 3);
	assert_int_equal(sim_net_rx(&fx->net, fx->t.sim, 0, NULL,
	    fx->frame + 1, 9000, -1), 5);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.nbufs, 3);
	assert_int_equal(f.len, 5000);
	assert_int_equal(f.bufs[0].len, 2036);
	assert_int_equal(f.bufs[1].len, 2048);
	assert_int_equal(f.bufs[2].len, 916);
	assert_int_equal(gather(fx, &f, out), 5000);
	assert_memory_equal(out, fx->frame, 5000);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.nbufs, 5);
	assert_ptr_equal(f.bufs[0].cookie, (void *)4);
	assert_int_equal(gather(fx, &f, out), 9000);
	assert_memory_equal(out, fx->frame + 1, 9000);
	assert_int_equal(fx->sc.sc_rxq[0].rxq_stats.packets, 2);
	assert_int_equal(fx->sc.sc_rxq[0].rxq_stats.bytes, 14000);
	assert_int_equal(syncs, 2);
	assert_false(vio_is_broken(fx->t.sc));
}

/* A 64 KiB IP packet with Ethernet and VLAN headers is a legal frame. */
static void
test_rx_largest_frame(void **state)
{
	struct fixture *fx = *state;
	struct vioif_rx_frame f;
	const uint32_t len = 65535 + 14 + 4;

	post_mrg(fx, 0, 40);
	assert_int_equal(sim_net_rx(&fx->net, fx->t.sim, 0, NULL, fx->frame,
	    len, -1), 33);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.error, 0);
	assert_int_equal(f.len, len);
	assert_false(vio_is_broken(fx->t.sc));
}

/* Deliver with a lying num_buffers; the device must end up broken. */
static void
bad_num_buffers(struct fixture *fx, uint32_t len, int num_buffers,
    unsigned int expect_bufs)
{
	struct vioif_rx_frame f;

	assert_true(sim_net_rx(&fx->net, fx->t.sim, 0, NULL, fx->frame, len,
	    num_buffers) > 0);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), EIO);
	assert_int_equal(f.error, EIO);
	/* What was taken is handed back so the OS can free it. */
	assert_int_equal(f.nbufs, expect_bufs);
	assert_true(vio_is_broken(fx->t.sc));
}

static void
test_rx_num_buffers_zero(void **state)
{
	struct fixture *fx = *state;

	post_mrg(fx, 0, 8);
	bad_num_buffers(fx, 100, 0, 1);
}

static void
test_rx_num_buffers_above_posted(void **state)
{
	struct fixture *fx = *state;

	post_mrg(fx, 0, 8);
	bad_num_buffers(fx, 100, 9, 1);
}

static void
test_rx_num_buffers_above_max(void **state)
{
	struct fixture *fx = *state;

	post_mrg(fx, 0, 100);
	bad_num_buffers(fx, 100, VIOIF_RX_MAX_BUFS + 1, 1);
}

static void
test_rx_num_buffers_missing_tail(void **state)
{
	struct fixture *fx = *state;

	/* The header promises 3 buffers, only 1 is in the used ring. */
	post_mrg(fx, 0, 8);
	bad_num_buffers(fx, 100, 3, 1);
	assert_int_equal(vioif_rx_post(&fx->sc.sc_rxq[0],
	    &(struct vioif_seg){ fx->rx->busaddr, BUF_SIZE }, 1,
	    rxbuf(fx, 0), (void *)1), EIO);
}

static void
test_rx_short_used_len(void **state)
{
	struct fixture *fx = *state;
	struct vioif_rx_frame f;
	struct sim_net_held h;

	post_mrg(fx, 0, 4);
	/* Too short to hold num_buffers: the ring cannot be parsed on. */
	assert_true(sim_net_take(&fx->net, 0, &h));
	sim_complete(fx->t.sim, 0, h.head, 4);
	free(h.chain);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), EIO);
	assert_int_equal(f.nbufs, 1);
	assert_true(vio_is_broken(fx->t.sc));
}

static void
test_rx_used_len_too_long(void **state)
{
	struct fixture *fx = *state;
	struct vioif_rx_frame f;
	struct sim_net_held h;

	post_mrg(fx, 0, 4);
	assert_true(sim_net_take(&fx->net, 0, &h));
	sim_complete(fx->t.sim, 0, h.head, BUF_SIZE + 1);
	free(h.chain);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), EIO);
	assert_true(vio_is_broken(fx->t.sc));
}

static void
test_rx_runt_dropped(void **state)
{
	struct fixture *fx = *state;
	struct vioif_rx_frame f;

	post_mrg(fx, 0, 4);
	assert_int_equal(sim_net_rx(&fx->net, fx->t.sim, 0, NULL, fx->frame,
	    10, -1), 1);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.error, EIO);
	assert_int_equal(f.nbufs, 1);
	assert_int_equal(fx->sc.sc_rxq[0].rxq_stats.errors, 1);
	/* A bad frame is not a broken device. */
	assert_false(vio_is_broken(fx->t.sc));
}

static void
test_rx_offload_fields(void **state)
{
	struct fixture *fx = *state;
	struct vioif_rx_frame f;
	uint8_t hdr[12];

	post_mrg(fx, 0, 16);
	memset(hdr, 0, sizeof(hdr));
	hdr[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_DATA_VALID;
	sim_net_rx(&fx->net, fx->t.sim, 0, hdr, fx->frame, 100, -1);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.error, 0);
	assert_int_equal(f.flags, VIOIF_RX_CSUM_VALID);

	hdr[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	sim_put_le(hdr + VIRTIO_NET_HDR_CSUM_START, 34, 2);
	sim_put_le(hdr + VIRTIO_NET_HDR_CSUM_OFFSET, 16, 2);
	hdr[VIRTIO_NET_HDR_GSO_TYPE] = VIRTIO_NET_HDR_GSO_TCPV4;
	sim_put_le(hdr + VIRTIO_NET_HDR_GSO_SIZE, 1448, 2);
	sim_net_rx(&fx->net, fx->t.sim, 0, hdr, fx->frame, 6000, -1);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.error, 0);
	assert_int_equal(f.flags, VIOIF_RX_CSUM_PARTIAL);
	assert_int_equal(f.csum_start, 34);
	assert_int_equal(f.csum_offset, 16);
	assert_int_equal(f.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(f.gso_size, 1448);

	/* Checksum field beyond the frame; UDP segmentation never asked. */
	sim_put_le(hdr + VIRTIO_NET_HDR_CSUM_START, 90, 2);
	sim_net_rx(&fx->net, fx->t.sim, 0, hdr, fx->frame, 100, -1);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.error, EIO);
	sim_put_le(hdr + VIRTIO_NET_HDR_CSUM_START, 34, 2);
	hdr[VIRTIO_NET_HDR_GSO_TYPE] = VIRTIO_NET_HDR_GSO_UDP;
	sim_net_rx(&fx->net, fx->t.sim, 0, hdr, fx->frame, 100, -1);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.error, EIO);
	hdr[VIRTIO_NET_HDR_GSO_TYPE] = VIRTIO_NET_HDR_GSO_TCPV6;
	sim_put_le(hdr + VIRTIO_NET_HDR_GSO_SIZE, 0, 2);
	sim_net_rx(&fx->net, fx->t.sim, 0, hdr, fx->frame, 100, -1);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.error, EIO);
	assert_false(vio_is_broken(fx->t.sc));
}

static void
test_rx_offloads_not_negotiated(void **state)
{
	struct fixture *fx = *state;
	struct vioif_rx_frame f;
	struct vioif_seg seg = { fx->rx->busaddr, 4 * BUF_SIZE };
	uint8_t hdr[12];

	/* setup_big: no GUEST_CSUM, no GUEST_TSO. */
	assert_int_equal(vioif_rx_post(&fx->sc.sc_rxq[0], &seg, 1, NULL,
	    (void *)1), 0);
	vioif_rx_kick(&fx->sc.sc_rxq[0]);
	memset(hdr, 0, sizeof(hdr));
	hdr[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_DATA_VALID;
	hdr[VIRTIO_NET_HDR_GSO_TYPE] = VIRTIO_NET_HDR_GSO_TCPV4;
	sim_put_le(hdr + VIRTIO_NET_HDR_GSO_SIZE, 1448, 2);
	sim_net_rx(&fx->net, fx->t.sim, 0, hdr, fx->frame, 100, -1);
	assert_int_equal(vioif_rx_dequeue(&fx->sc.sc_rxq[0], &f), 0);
	assert_int_equal(f.error, EIO);
	assert_int_equal(f.flags, 0);
}

static void
test_rx_big_buffers(void **state)
{
	struct fixture *fx = *state;
	struct vioif_rxq *rxq = &fx->sc.sc_rxq[0];
	struct vioif_rx_frame f;
	struct vioif_seg segs[2];
	struct sim_net_held h;

	assert_false(rxq->rxq_mergeable);
	assert_int_equal(rxq->rxq_hdrlen, 10);
	assert_int_equal(rxq->rxq_min_buf, 1500 + 18);
	segs[0].busaddr = fx->rx->busaddr;
	segs[0].len = 1024;
	segs[1].busaddr = fx->rx->busaddr + 1024;
	segs[1].len = 1024;
	/* Too small for a full frame. */
	assert_int_equal(vioif_rx_post(rxq, segs, 1, NULL, (void *)1),
	    EINVAL);
	assert_int_equal(vioif_rx_post(rxq, segs, 2, NULL, (void *)1), 0);
	vioif_rx_kick(rxq);
	assert_int_equal(sim_net_rx(&fx->net, fx->t.sim, 0, NULL, fx->frame,
	    1400, -1), 1);
	assert_int_equal(vioif_rx_dequeue(rxq, &f), 0);
	assert_int_equal(f.error, 0);
	assert_int_equal(f.nbufs, 1);
	assert_int_equal(f.offset, 0);
	assert_int_equal(f.len, 1400);
	assert_int_equal(f.bufs[0].len, 1400);
	/* The header went to our own slot, the frame to the OS buffer. */
	assert_memory_equal(fx->rx->vaddr, fx->frame, 1400);

	/* A used length below the header: dropped, ring still fine. */
	assert_int_equal(vioif_rx_post(rxq, segs, 2, NULL, (void *)2), 0);
	vioif_rx_kick(rxq);
	assert_true(sim_net_take(&fx->net, 0, &h));
	sim_complete(fx->t.sim, 0, h.head, 5);
	free(h.chain);
	assert_int_equal(vioif_rx_dequeue(rxq, &f), 0);
	assert_int_equal(f.error, EIO);
	assert_ptr_equal(f.bufs[0].cookie, (void *)2);
	assert_false(vio_is_broken(fx->t.sc));
}

static void
test_rx_big_buffers_lro(void **state)
{
	struct fixture *fx;
	struct vioif_seg seg;

	(void)state;
	/* Large receive without mergeable buffers wants 64 KiB buffers. */
	fx = fx_new(BASE_FEATURES | OFFLOADS, 1);
	fx_attach(fx, SIM_MODERN);
	assert_int_equal(fx->sc.sc_rxq[0].rxq_min_buf, VIOIF_MAX_FRAME);
	seg.busaddr = fx->tx->busaddr;
	seg.len = 4096;
	assert_int_equal(vioif_rx_post(&fx->sc.sc_rxq[0], &seg, 1, NULL,
	    (void *)1), EINVAL);
	seg.len = VIOIF_MAX_FRAME;
	assert_int_equal(vioif_rx_post(&fx->sc.sc_rxq[0], &seg, 1, NULL,
	    (void *)1), 0);
	fx_free(fx);
}

static void
test_rx_post_checks(void **state)
{
	struct fixture *fx = *state;
	struct vioif_rxq *rxq = &fx->sc.sc_rxq[0];
	struct vioif_seg segs[2] = {
		{ 0, BUF_SIZE }, { 0, BUF_SIZE },
	};
	unsigned int n;

	segs[0].busaddr = fx->rx->busaddr;
	segs[1].busaddr = fx->rx->busaddr + BUF_SIZE;
	assert_int_equal(vioif_rx_post(rxq, segs, 2, rxbuf(fx, 0),
	    (void *)1), EINVAL);
	assert_int_equal(vioif_rx_post(rxq, segs, 0, rxbuf(fx, 0),
	    (void *)1), EINVAL);
	assert_int_equal(vioif_rx_post(rxq, segs, 1, NULL, (void *)1),
	    EINVAL);
	segs[0].len = 8;
	assert_int_equal(vioif_rx_post(rxq, segs, 1, rxbuf(fx, 0),
	    (void *)1), EINVAL);
	/* Fill every slot; one more does not fit. */
	for (n = 0; n < rxq->rxq_nslots; n++)
		post_mrg(fx, n, 1);
	segs[0].len = BUF_SIZE;
	assert_int_equal(vioif_rx_post(rxq, segs, 1, rxbuf(fx, 0),
	    (void *)1), ENOSPC);
}

static void
test_tx_plain_and_offloads(void **state)
{
	struct fixture *fx = *state;
	struct vioif_txq *txq = &fx->sc.sc_txq[0];
	struct vioif_seg segs[2];
	struct vioif_tx_offload off;
	void *cookie;

	memcpy(fx->tx->vaddr, fx->frame, 3000);
	segs[0].busaddr = fx->tx->busaddr;
	segs[0].len = 1000;
	segs[1].busaddr = fx->tx->busaddr + 1000;
	segs[1].len = 2000;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 2, NULL, (void *)7), 0);
	vioif_tx_kick(txq);
	assert_int_equal(fx->net.tx_frames, 1);
	assert_int_equal(fx->net.tx_len, 3000);
	assert_memory_equal(fx->net.tx_frame, fx->frame, 3000);
	assert_int_equal(fx->net.tx_hdr[VIRTIO_NET_HDR_FLAGS], 0);
	assert_int_equal(vioif_tx_dequeue(txq, &cookie), 0);
	assert_ptr_equal(cookie, (void *)7);
	assert_int_equal(vioif_tx_dequeue(txq, &cookie), ENOENT);

	memset(&off, 0, sizeof(off));
	off.flags = VIOIF_TX_CSUM;
	off.csum_start = 34;
	off.csum_offset = 16;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 2, &off, (void *)8), 0);
	vioif_tx_kick(txq);
	assert_int_equal(fx->net.tx_hdr[VIRTIO_NET_HDR_FLAGS],
	    VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(sim_get_le(fx->net.tx_hdr +
	    VIRTIO_NET_HDR_CSUM_START, 2), 34);
	assert_int_equal(sim_get_le(fx->net.tx_hdr +
	    VIRTIO_NET_HDR_CSUM_OFFSET, 2), 16);
	assert_int_equal(fx->net.tx_hdr[VIRTIO_NET_HDR_GSO_TYPE], 0);

	off.flags = VIOIF_TX_CSUM | VIOIF_TX_TSO4;
	off.hdr_len = 54;
	off.gso_size = 1448;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 2, &off, (void *)9), 0);
	vioif_tx_kick(txq);
	assert_int_equal(fx->net.tx_hdr[VIRTIO_NET_HDR_GSO_TYPE],
	    VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(sim_get_le(fx->net.tx_hdr + VIRTIO_NET_HDR_HDR_LEN,
	    2), 54);
	assert_int_equal(sim_get_le(fx->net.tx_hdr +
	    VIRTIO_NET_HDR_GSO_SIZE, 2), 1448);

	off.flags = VIOIF_TX_CSUM | VIOIF_TX_TSO6 | VIOIF_TX_ECN;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 2, &off, (void *)10), 0);
	vioif_tx_kick(txq);
	assert_int_equal(fx->net.tx_hdr[VIRTIO_NET_HDR_GSO_TYPE],
	    VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN);
	while (vioif_tx_dequeue(txq, &cookie) == 0)
		;
	assert_int_equal(txq->txq_nfree, txq->txq_nslots);
	assert_int_equal(txq->txq_stats.packets, 4);
}

static void
test_tx_bad_requests(void **state)
{
	struct fixture *fx = *state;
	struct vioif_txq *txq = &fx->sc.sc_txq[0];
	struct vioif_seg segs[VIOIF_TX_MAX_SEGS + 1];
	struct vioif_tx_offload off;
	unsigned int i;

	for (i = 0; i <= VIOIF_TX_MAX_SEGS; i++) {
		segs[i].busaddr = fx->tx->busaddr + i * 64;
		segs[i].len = 64;
	}
	assert_int_equal(vioif_tx_enqueue(txq, segs, 0, NULL, NULL), EINVAL);
	assert_int_equal(vioif_tx_enqueue(txq, segs, VIOIF_TX_MAX_SEGS + 1,
	    NULL, NULL), E2BIG);
	segs[0].len = 10;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 1, NULL, NULL), EINVAL);
	segs[0].len = 0;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 2, NULL, NULL), EINVAL);
	segs[0].len = 100;

	memset(&off, 0, sizeof(off));
	off.flags = VIOIF_TX_TSO4;		/* TSO without checksum */
	assert_int_equal(vioif_tx_enqueue(txq, segs, 1, &off, NULL), EINVAL);
	off.flags = VIOIF_TX_CSUM;
	off.csum_start = 90;
	off.csum_offset = 16;			/* beyond the frame */
	assert_int_equal(vioif_tx_enqueue(txq, segs, 1, &off, NULL), EINVAL);
	off.csum_start = 14;
	off.flags = VIOIF_TX_CSUM | VIOIF_TX_TSO4 | VIOIF_TX_TSO6;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 1, &off, NULL), EINVAL);
	off.flags = VIOIF_TX_CSUM | VIOIF_TX_ECN;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 1, &off, NULL), EINVAL);
	off.flags = VIOIF_TX_CSUM | VIOIF_TX_TSO4;
	off.gso_size = 0;
	off.hdr_len = 54;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 1, &off, NULL), EINVAL);
	off.gso_size = 1448;
	off.hdr_len = 100;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 1, &off, NULL), EINVAL);
	off.flags = 0x80;
	assert_int_equal(vioif_tx_enqueue(txq, segs, 1, &off, NULL), EINVAL);
	assert_int_equal(fx->net.tx_frames, 0);
	assert_int_equal(txq->txq_nfree, txq->txq_nslots);
}

static void
test_tx_offloads_not_negotiated(void **state)
{
	struct fixture *fx = *state;
	struct vioif_seg seg = { fx->tx->busaddr, 100 };
	struct vioif_tx_offload off = {
		.flags = VIOIF_TX_CSUM, .csum_start = 14, .csum_offset = 6,
	};

	assert_int_equal(vioif_tx_enqueue(&fx->sc.sc_txq[0], &seg, 1, &off,
	    NULL), EOPNOTSUPP);
	off.flags = VIOIF_TX_CSUM | VIOIF_TX_TSO4;
	assert_int_equal(vioif_tx_enqueue(&fx->sc.sc_txq[0], &seg, 1, &off,
	    NULL), EOPNOTSUPP);
}

static void
test_tx_partial_offloads(void **state)
{
	struct fixture *fx;
	struct vioif_seg seg;
	struct vioif_tx_offload off = {
		.flags = VIOIF_TX_CSUM | VIOIF_TX_TSO6, .csum_start = 14,
		.csum_offset = 6, .hdr_len = 54, .gso_size = 1000,
	};

	(void)state;
	/* Checksum and TSO4 only: TSO6 and ECN are refused. */
	fx = fx_new(MRG_FEATURES | VIRTIO_NET_F_CSUM | VIRTIO_NET_F_HOST_TSO4,
	    1);
	fx_attach(fx, SIM_MODERN);
	seg.busaddr = fx->tx->busaddr;
	seg.len = 3000;
	assert_int_equal(vioif_tx_enqueue(&fx->sc.sc_txq[0], &seg, 1, &off,
	    NULL), EOPNOTSUPP);
	off.flags = VIOIF_TX_CSUM | VIOIF_TX_TSO4 | VIOIF_TX_ECN;
	assert_int_equal(vioif_tx_enqueue(&fx->sc.sc_txq[0], &seg, 1, &off,
	    NULL), EOPNOTSUPP);
	fx_free(fx);
}

/* Send a command with the given ack and return what poll says. */
static int
ctrl_answer(struct fixture *fx, int ack)
{
	fx->net.ack_override = ack;
	return (vioif_ctrl_poll(&fx->sc.sc_ctrl));
}

static void
test_ctrl_rx_mode(void **state)
{
	struct fixture *fx = *state;
	struct vioif_ctrl *ctrl = &fx->sc.sc_ctrl;

	assert_true(fx->sc.sc_has_ctrl);
	assert_int_equal(vioif_ctrl_poll(ctrl), EINVAL);
	assert_int_equal(vioif_ctrl_rx_mode(ctrl, VIRTIO_NET_CTRL_RX_PROMISC,
	    true), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_int_equal(fx->net.ctrl_class, VIRTIO_NET_CTRL_RX);
	assert_int_equal(fx->net.ctrl_cmd, VIRTIO_NET_CTRL_RX_PROMISC);
	assert_int_equal(fx->net.ctrl_len, 1);
	assert_int_equal(fx->net.ctrl_data[0], 1);
	/* Class/command, data and ack in separate descriptors. */
	assert_int_equal(fx->net.ctrl_nsegs, 3);

	fx->net.ack_override = VIRTIO_NET_ERR;
	assert_int_equal(vioif_ctrl_rx_mode(ctrl, VIRTIO_NET_CTRL_RX_ALLMULTI,
	    false), 0);
	assert_int_equal(vioif_ctrl_poll(ctrl), EIO);
	assert_int_equal(fx->net.ctrl_data[0], 0);
	fx->net.ack_override = 0x42;
	assert_int_equal(vioif_ctrl_rx_mode(ctrl, VIRTIO_NET_CTRL_RX_PROMISC,
	    false), 0);
	assert_int_equal(vioif_ctrl_poll(ctrl), EIO);
	assert_int_equal(ctrl->ctrl_ok, 1);
	assert_int_equal(ctrl->ctrl_failed, 2);

	/* Extra modes need CTRL_RX_EXTRA; unknown ones are refused. */
	assert_int_equal(vioif_ctrl_rx_mode(ctrl, VIRTIO_NET_CTRL_RX_NOBCAST,
	    true), EOPNOTSUPP);
	assert_int_equal(vioif_ctrl_rx_mode(ctrl, 9, true), EINVAL);
}

static void
test_ctrl_pending(void **state)
{
	struct fixture *fx = *state;
	struct vioif_ctrl *ctrl = &fx->sc.sc_ctrl;

	fx->net.ctrl_hold = true;
	assert_int_equal(vioif_ctrl_vlan(ctrl, true, 5), 0);
	assert_int_equal(vioif_ctrl_poll(ctrl), EAGAIN);
	assert_int_equal(vioif_ctrl_vlan(ctrl, true, 6), EBUSY);
	/* The device answers without writing the ack byte. */
	sim_complete(fx->t.sim, 2, fx->net.ctrl_head, 0);
	assert_int_equal(vioif_ctrl_poll(ctrl), EIO);
	assert_int_equal(vioif_ctrl_poll(ctrl), EINVAL);
}

/* A command its caller stopped waiting for does not block the queue. */
static void
test_ctrl_abandoned(void **state)
{
	struct fixture *fx = *state;
	struct vioif_ctrl *ctrl = &fx->sc.sc_ctrl;

	fx->net.ctrl_hold = true;
	assert_int_equal(vioif_ctrl_vlan(ctrl, true, 5), 0);
	assert_int_equal(vioif_ctrl_poll(ctrl), EAGAIN);
	vioif_ctrl_abandon(ctrl);
	/* Still the device's: its buffers must not be reused yet. */
	assert_int_equal(vioif_ctrl_vlan(ctrl, true, 6), EBUSY);
	sim_complete(fx->t.sim, 2, fx->net.ctrl_head, 0);
	/* The late answer is collected; the next command goes out. */
	fx->net.ctrl_hold = false;
	assert_int_equal(vioif_ctrl_vlan(ctrl, true, 7), 0);
	assert_int_equal(vioif_ctrl_poll(ctrl), 0);
	assert_int_equal(sim_get_le(fx->net.ctrl_data, 2), 7);
	assert_false(ctrl->ctrl_abandoned);
	assert_int_equal(ctrl->ctrl_failed, 1);
	assert_int_equal(ctrl->ctrl_ok, 1);
}

static void
test_ctrl_mac_vlan(void **state)
{
	static const uint8_t uc[2][6] = {
		{ 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 },
	};
	static const uint8_t mc[1][6] = { { 1, 0, 0x5e, 0, 0, 1 } };
	uint8_t many[VIOIF_MAC_TABLE_MAX + 1][6];
	struct fixture *fx = *state;
	struct vioif_ctrl *ctrl = &fx->sc.sc_ctrl;

	assert_int_equal(vioif_ctrl_mac_table(ctrl, uc, 2, mc, 1), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_int_equal(fx->net.ctrl_class, VIRTIO_NET_CTRL_MAC);
	assert_int_equal(fx->net.ctrl_cmd, VIRTIO_NET_CTRL_MAC_TABLE_SET);
	assert_int_equal(fx->net.ctrl_len, 4 + 12 + 4 + 6);
	assert_int_equal(sim_get_le(fx->net.ctrl_data, 4), 2);
	assert_memory_equal(fx->net.ctrl_data + 4, uc, 12);
	assert_int_equal(sim_get_le(fx->net.ctrl_data + 16, 4), 1);
	assert_memory_equal(fx->net.ctrl_data + 20, mc, 6);

	assert_int_equal(vioif_ctrl_mac_table(ctrl, NULL, 0, NULL, 0), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_int_equal(fx->net.ctrl_len, 8);
	memset(many, 2, sizeof(many));
	assert_int_equal(vioif_ctrl_mac_table(ctrl, many,
	    VIOIF_MAC_TABLE_MAX + 1, NULL, 0), EINVAL);
	assert_int_equal(vioif_ctrl_mac_table(ctrl, NULL, 1, NULL, 0),
	    EINVAL);
	assert_int_equal(vioif_ctrl_mac_addr(ctrl, uc[0]), EOPNOTSUPP);

	assert_int_equal(vioif_ctrl_vlan(ctrl, true, 100), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_int_equal(fx->net.ctrl_class, VIRTIO_NET_CTRL_VLAN);
	assert_int_equal(fx->net.ctrl_cmd, VIRTIO_NET_CTRL_VLAN_ADD);
	assert_int_equal(sim_get_le(fx->net.ctrl_data, 2), 100);
	assert_int_equal(vioif_ctrl_vlan(ctrl, false, 4095), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_int_equal(fx->net.ctrl_cmd, VIRTIO_NET_CTRL_VLAN_DEL);
	assert_int_equal(vioif_ctrl_vlan(ctrl, true, 4096), EINVAL);
	/* Not negotiated by this device. */
	assert_int_equal(vioif_ctrl_mq_pairs(ctrl, 1), EOPNOTSUPP);
	assert_int_equal(vioif_ctrl_announce_ack(ctrl), EOPNOTSUPP);
}

static void
test_ctrl_mq_offloads_announce(void **state)
{
	struct fixture *fx;
	struct vioif_ctrl *ctrl;
	struct vioif_tunables tun = { .mq_max_pairs = 2 };
	static const uint8_t mac[6] = { 2, 1, 2, 3, 4, 5 };

	(void)state;
	fx = fx_new(MRG_FEATURES | OFFLOADS | VIRTIO_NET_F_MQ |
	    VIRTIO_NET_F_GUEST_ANNOUNCE | VIRTIO_NET_F_CTRL_MAC_ADDR, 4);
	fx_attach_tun(fx, SIM_MODERN, &tun);
	ctrl = &fx->sc.sc_ctrl;
	assert_int_equal(fx->sc.sc_npairs, 2);
	assert_int_equal(fx->sc.sc_cfg.max_pairs, 4);
	/* The control queue follows all the device's pairs. */
	assert_int_equal(ctrl->ctrl_vq.vq_index, 8);

	assert_int_equal(vioif_ctrl_mq_pairs(ctrl, 2), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_int_equal(fx->net.ctrl_class, VIRTIO_NET_CTRL_MQ);
	assert_int_equal(sim_get_le(fx->net.ctrl_data, 2), 2);
	assert_int_equal(vioif_ctrl_mq_pairs(ctrl, 0), EINVAL);
	assert_int_equal(vioif_ctrl_mq_pairs(ctrl, 0x8001), EINVAL);

	assert_int_equal(vioif_ctrl_guest_offloads(ctrl,
	    VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_GUEST_TSO4), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_int_equal(fx->net.ctrl_class, VIRTIO_NET_CTRL_GUEST_OFFLOADS);
	assert_int_equal(sim_get_le(fx->net.ctrl_data, 8),
	    VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_GUEST_TSO4);
	assert_int_equal(vioif_ctrl_guest_offloads(ctrl,
	    VIRTIO_NET_F_GUEST_UFO), EINVAL);
	assert_int_equal(vioif_ctrl_guest_offloads(ctrl, VIRTIO_NET_F_MAC),
	    EINVAL);

	assert_int_equal(vioif_ctrl_announce_ack(ctrl), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_int_equal(fx->net.ctrl_class, VIRTIO_NET_CTRL_ANNOUNCE);
	assert_int_equal(fx->net.ctrl_len, 0);
	assert_int_equal(vioif_ctrl_mac_addr(ctrl, mac), 0);
	assert_int_equal(ctrl_answer(fx, -1), 0);
	assert_memory_equal(fx->net.ctrl_data, mac, 6);
	fx_free(fx);
}

static void
test_many_pairs(void **state)
{
	static const uint16_t pairs[] = { 16, 20 };
	struct fixture *fx;
	struct vioif_ctrl *ctrl;
	unsigned int i;

	(void)state;
	/*
	 * 16 and 20 pairs: the control queue is at 32 and 40, past the
	 * queues the core has room for, but it is found there and works;
	 * the driver uses 8 pairs.
	 */
	for (i = 0; i < 2; i++) {
		fx = fx_new(MRG_FEATURES | VIRTIO_NET_F_MQ, pairs[i]);
		fx_attach(fx, SIM_MODERN);
		assert_int_equal(fx->sc.sc_cfg.max_pairs, pairs[i]);
		assert_int_equal(fx->sc.sc_npairs, VIOIF_MAX_PAIRS);
		assert_true(fx->sc.sc_has_ctrl);
		ctrl = &fx->sc.sc_ctrl;
		assert_int_equal(ctrl->ctrl_vq.vq_index, 2 * pairs[i]);
		assert_true(fx->t.sim->queues[2 * pairs[i]].enabled);
		assert_false(fx->t.sim->queues[2 * VIOIF_MAX_PAIRS].enabled);
		assert_int_equal(vioif_ctrl_mq_pairs(ctrl, VIOIF_MAX_PAIRS), 0);
		assert_int_equal(ctrl_answer(fx, -1), 0);
		assert_int_equal(fx->net.ctrl_class, VIRTIO_NET_CTRL_MQ);
		assert_int_equal(sim_get_le(fx->net.ctrl_data, 2),
		    VIOIF_MAX_PAIRS);
		post_mrg(fx, 0, 2);
		assert_int_equal(sim_net_rx(&fx->net, fx->t.sim, 0, NULL,
		    fx->frame, 60, -1), 1);
		fx_free(fx);
	}

	/* The most the specification allows: 2 * 0x8000 overflows 16 bits. */
	fx = fx_new(MRG_FEATURES | VIRTIO_NET_F_MQ, 1);
	sim_put_le(fx->net.config + VIRTIO_NET_CONFIG_MAX_VQ_PAIRS, 0x8000, 2);
	fx_attach(fx, SIM_MODERN);
	assert_int_equal(fx->sc.sc_cfg.max_pairs, 0x8000);
	assert_false(fx->sc.sc_has_ctrl);
	assert_int_equal(fx->sc.sc_npairs, 1);
	fx_free(fx);
}

static void
test_no_ctrl_queue(void **state)
{
	struct fixture *fx;

	(void)state;
	/* CTRL_RX offered without CTRL_VQ: dropped, no control queue. */
	fx = fx_new((MRG_FEATURES & ~VIRTIO_NET_F_CTRL_VQ), 1);
	fx_attach(fx, SIM_LEGACY);
	assert_false(fx->sc.sc_has_ctrl);
	assert_false(fx->sc.sc_features & VIRTIO_NET_F_CTRL_RX);
	assert_int_equal(vioif_ctrl_rx_mode(&fx->sc.sc_ctrl,
	    VIRTIO_NET_CTRL_RX_PROMISC, true), EOPNOTSUPP);
	fx_free(fx);
}

static void
test_config_change(void **state)
{
	struct fixture *fx = *state;
	uint8_t raw[2];

	assert_true(fx->sc.sc_cfg.link_up);
	sim_put_le(raw, 0, 2);
	sim_config_update(fx->t.sim, VIRTIO_NET_CONFIG_STATUS, raw, 2);
	assert_int_equal(vioif_config_update(&fx->sc), 0);
	assert_false(fx->sc.sc_cfg.link_up);
	sim_put_le(raw, 20, 2);
	sim_config_update(fx->t.sim, VIRTIO_NET_CONFIG_MTU, raw, 2);
	assert_int_equal(vioif_config_update(&fx->sc), EINVAL);
	assert_true(vio_is_broken(fx->t.sc));
	assert_false(fx->sc.sc_cfg.link_up);
}

static void
test_attach_bad_config(void **state)
{
	struct fixture *fx;

	(void)state;
	fx = fx_new(MRG_FEATURES, 1);
	sim_put_le(fx->net.config + VIRTIO_NET_CONFIG_MTU, 40, 2);
	vtest_start(&fx->t, &fx->net.model, SIM_MODERN,
	    vioif_features(&no_tunables));
	assert_int_equal(vioif_attach(&fx->sc, fx->t.sc, &no_tunables),
	    EINVAL);
	assert_true(vio_is_broken(fx->t.sc));
	fx_free(fx);
}

static void
test_attach_no_memory(void **state)
{
	struct fixture *fx;
	unsigned int k;
	int error;

	(void)state;
	/* Without indirect tables, whose loss falls back to chains. */
	for (k = 1;; k++) {
		fx = fx_new(BASE_FEATURES & ~VIRTIO_RING_F_INDIRECT_DESC, 1);
		vtest_start(&fx->t, &fx->net.model, SIM_MODERN,
		    vioif_features(&no_tunables));
		fx->t.sim->dma_fail_after = fx->t.sim->dma_allocs + k;
		error = vioif_attach(&fx->sc, fx->t.sc, &no_tunables);
		fx->attached = error == 0;
		fx_free(fx);
		if (error == 0)
			break;
		assert_int_equal(error, ENOMEM);
	}
	/* rx ring + headers, tx ring + headers, ctrl ring + buffer. */
	assert_int_equal(k, 7);
}

static void
test_reclaim_after_reset(void **state)
{
	struct fixture *fx = *state;
	struct vioif_seg seg = { fx->tx->busaddr, 100 };
	void *cookie;
	unsigned int n;

	post_mrg(fx, 0, 10);
	fx->net.model.process = NULL;	/* the device stops answering */
	assert_int_equal(vioif_tx_enqueue(&fx->sc.sc_txq[0], &seg, 1, NULL,
	    (void *)5), 0);
	vio_reset(fx->t.sc);
	for (n = 0; vioif_rx_reclaim(&fx->sc.sc_rxq[0], &cookie) == 0; n++)
		;
	assert_int_equal(n, 10);
	assert_int_equal(fx->sc.sc_rxq[0].rxq_posted, 0);
	assert_int_equal(vioif_tx_reclaim(&fx->sc.sc_txq[0], &cookie), 0);
	assert_ptr_equal(cookie, (void *)5);
	assert_int_equal(vioif_tx_reclaim(&fx->sc.sc_txq[0], &cookie),
	    ENOENT);
}

struct intr_log {
	unsigned int	frames, bufs, sent, failed;
	void		*last;
};

static void
log_frame(void *arg, struct vioif_rx_frame *f)
{
	struct intr_log *log = arg;

	log->frames++;
	log->bufs += f->nbufs;
}

static void
log_sent(void *arg, void *cookie, int error)
{
	struct intr_log *log = arg;

	if (error != 0)
		log->failed++;
	else
		log->sent++;
	log->last = cookie;
}

/*
 * The interrupt entry points end on a broken device: rx hands back the
 * frame that broke the ring and unposts the rest, tx fails its frames.
 */
static void
test_intr_entry_points_end_on_broken_device(void **state)
{
	struct fixture *fx = *state;
	struct vioif_seg seg = { fx->tx->busaddr, 100 };
	struct vioif_rx_frame f;
	struct intr_log log;

	memset(&log, 0, sizeof(log));
	post_mrg(fx, 0, 8);
	assert_true(sim_net_rx(&fx->net, fx->t.sim, 0, NULL, fx->frame, 100,
	    1) > 0);
	assert_int_equal(vioif_rx_intr(&fx->sc.sc_rxq[0], &f, log_frame,
	    &log), 0);
	assert_int_equal(log.frames, 1);
	fx->net.model.process = NULL;	/* the device holds tx frames */
	assert_int_equal(vioif_tx_enqueue(&fx->sc.sc_txq[0], &seg, 1, NULL,
	    (void *)5), 0);
	/* num_buffers 0 breaks the ring. */
	assert_true(sim_net_rx(&fx->net, fx->t.sim, 0, NULL, fx->frame, 100,
	    0) > 0);
	assert_int_equal(vioif_rx_intr(&fx->sc.sc_rxq[0], &f, log_frame,
	    &log), EIO);
	assert_int_equal(log.frames, 2);
	assert_int_equal(fx->sc.sc_rxq[0].rxq_posted, 0);
	assert_int_equal(vioif_tx_intr(&fx->sc.sc_txq[0], log_sent, &log),
	    EIO);
	assert_int_equal(log.failed, 1);
	assert_ptr_equal(log.last, (void *)5);
	assert_int_equal(vioif_tx_intr(&fx->sc.sc_txq[0], log_sent, &log),
	    EIO);
	assert_int_equal(log.failed, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_mergeable_every_transport),
		cmocka_unit_test_setup_teardown(test_rx_mergeable_reassembly,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_rx_num_buffers_zero,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(
		    test_rx_num_buffers_above_posted, setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_rx_num_buffers_above_max,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(
		    test_rx_num_buffers_missing_tail, setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_rx_short_used_len,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_rx_used_len_too_long,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_rx_runt_dropped,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_rx_offload_fields,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(
		    test_rx_offloads_not_negotiated, setup_big, teardown),
		cmocka_unit_test_setup_teardown(test_rx_big_buffers,
		    setup_big, teardown),
		cmocka_unit_test(test_rx_big_buffers_lro),
		cmocka_unit_test_setup_teardown(test_rx_post_checks,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_tx_plain_and_offloads,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_tx_bad_requests,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tx_offloads_not_negotiated, setup_big, teardown),
		cmocka_unit_test(test_tx_partial_offloads),
		cmocka_unit_test_setup_teardown(test_ctrl_rx_mode,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_pending,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_abandoned,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_rx_largest_frame,
		    setup_mrg, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_mac_vlan,
		    setup_mrg, teardown),
		cmocka_unit_test(test_ctrl_mq_offloads_announce),
		cmocka_unit_test(test_many_pairs),
		cmocka_unit_test(test_no_ctrl_queue),
		cmocka_unit_test_setup_teardown(test_config_change,
		    setup_mrg, teardown),
		cmocka_unit_test(test_attach_bad_config),
		cmocka_unit_test(test_attach_no_memory),
		cmocka_unit_test_setup_teardown(
		    test_intr_entry_points_end_on_broken_device, setup_mrg,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_after_reset,
		    setup_mrg, teardown),
	};

	return (cmocka_run_group_tests_name("net", tests, NULL, NULL));
}
