/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-net transmit.  Each frame is our header slot (always its own
 * descriptor, as legacy devices without ANY_LAYOUT require) followed by
 * the OS's segments.  Offloads are only ever requested when negotiated.
 */

#include "vio_os.h"
#include "vio_le.h"
#include "vioif.h"

#define HDR_SLOT_SIZE	16

int
vioif_txq_init(struct vioif_txq *txq, struct vio_softc *vio, uint16_t index,
    uint64_t features)
{
	unsigned int i;
	int error;

	vio_memset(txq, 0, sizeof(*txq));
	txq->txq_vio = vio;
	txq->txq_features = features;
	txq->txq_hdrlen = vioif_hdr_len(features);
	if ((error = vq_alloc(vio, &txq->txq_vq, index, 0,
	    VIOIF_TX_MAX_SEGS + 1, "vioif-tx")) != 0)
		return (error);
	txq->txq_nslots = txq->txq_vq.vq_num;
	if (txq->txq_nslots > VIOIF_SLOTS)
		txq->txq_nslots = VIOIF_SLOTS;
	error = vio_dma_alloc(vio->sc_os, txq->txq_nslots * HDR_SLOT_SIZE,
	    HDR_SLOT_SIZE, &txq->txq_hdr_dma);
	if (error != 0) {
		vq_free(&txq->txq_vq);
		return (error);
	}
	for (i = 0; i < txq->txq_nslots; i++)
		txq->txq_free[i] = txq->txq_nslots - 1 - i;
	txq->txq_nfree = txq->txq_nslots;
	return (0);
}

void
vioif_txq_fini(struct vioif_txq *txq)
{

	vio_dma_free(txq->txq_vio->sc_os, &txq->txq_hdr_dma);
	vq_free(&txq->txq_vq);
}

/* Fill the header for off, checking it against features and the frame. */
static int
vioif_tx_hdr(const struct vioif_txq *txq, const struct vioif_tx_offload *off,
    uint32_t framelen, uint8_t *hdr)
{
	uint64_t f = txq->txq_features;
	uint8_t gso;

	vio_memset(hdr, 0, txq->txq_hdrlen);
	if (off == NULL || off->flags == 0)
		return (0);
	if (off->flags & ~(VIOIF_TX_CSUM | VIOIF_TX_TSO4 | VIOIF_TX_TSO6 |
	    VIOIF_TX_ECN))
		return (EINVAL);
	/* Segmentation needs the device to fill in checksums too. */
	if ((off->flags & VIOIF_TX_CSUM) == 0)
		return (EINVAL);
	if ((f & VIRTIO_NET_F_CSUM) == 0)
		return (EOPNOTSUPP);
	if ((uint32_t)off->csum_start + off->csum_offset + 2 > framelen)
		return (EINVAL);
	hdr[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vio_le16enc(hdr + VIRTIO_NET_HDR_CSUM_START, off->csum_start);
	vio_le16enc(hdr + VIRTIO_NET_HDR_CSUM_OFFSET, off->csum_offset);

	switch (off->flags & (VIOIF_TX_TSO4 | VIOIF_TX_TSO6)) {
	case 0:
		return ((off->flags & VIOIF_TX_ECN) ? EINVAL : 0);
	case VIOIF_TX_TSO4:
		if ((f & VIRTIO_NET_F_HOST_TSO4) == 0)
			return (EOPNOTSUPP);
		gso = VIRTIO_NET_HDR_GSO_TCPV4;
		break;
	case VIOIF_TX_TSO6:
		if ((f & VIRTIO_NET_F_HOST_TSO6) == 0)
			return (EOPNOTSUPP);
		gso = VIRTIO_NET_HDR_GSO_TCPV6;
		break;
	default:
		return (EINVAL);
	}
	if (off->flags & VIOIF_TX_ECN) {
		if ((f & VIRTIO_NET_F_HOST_ECN) == 0)
			return (EOPNOTSUPP);
		gso |= VIRTIO_NET_HDR_GSO_ECN;
	}
	if (off->gso_size == 0 || off->hdr_len == 0 ||
	    off->hdr_len >= framelen)
		return (EINVAL);
	hdr[VIRTIO_NET_HDR_GSO_TYPE] = gso;
	vio_le16enc(hdr + VIRTIO_NET_HDR_HDR_LEN, off->hdr_len);
	vio_le16enc(hdr + VIRTIO_NET_HDR_GSO_SIZE, off->gso_size);
	return (0);
}

int
vioif_tx_enqueue(struct vioif_txq *txq, const struct vioif_seg *segs,
    unsigned int nsegs, const struct vioif_tx_offload *off, void *cookie)
{
	struct vio_seg *vs;
	uint8_t *hdr;
	uint32_t total;
	unsigned int i, slot;
	int error;

	if (vio_is_broken(txq->txq_vio))
		return (EIO);
	if (nsegs == 0)
		return (EINVAL);
	/* The OS should coalesce its chain and try again. */
	if (nsegs + 1 > txq->txq_vq.vq_maxsegs)
		return (E2BIG);
	for (total = 0, i = 0; i < nsegs; i++) {
		if (segs[i].len == 0 || segs[i].len > VIOIF_MAX_FRAME)
			return (EINVAL);
		total += segs[i].len;
	}
	if (total < VIRTIO_NET_ETHER_HDR_LEN || total > VIOIF_MAX_FRAME)
		return (EINVAL);
	if (txq->txq_nfree == 0)
		return (ENOSPC);

	slot = txq->txq_free[txq->txq_nfree - 1];
	hdr = (uint8_t *)txq->txq_hdr_dma.vaddr + slot * HDR_SLOT_SIZE;
	if ((error = vioif_tx_hdr(txq, off, total, hdr)) != 0)
		return (error);
	vs = txq->txq_segs;
	vs[0].vs_addr = txq->txq_hdr_dma.busaddr + slot * HDR_SLOT_SIZE;
	vs[0].vs_len = txq->txq_hdrlen;
	vs[0].vs_write = false;
	for (i = 0; i < nsegs; i++) {
		vs[i + 1].vs_addr = segs[i].busaddr;
		vs[i + 1].vs_len = segs[i].len;
		vs[i + 1].vs_write = false;
	}
	vio_dma_sync(txq->txq_vio->sc_os, &txq->txq_hdr_dma, VIO_DMA_PREWRITE);
	txq->txq_cookie[slot] = cookie;
	if ((error = vq_enqueue(&txq->txq_vq, vs, nsegs + 1,
	    &txq->txq_cookie[slot])) != 0)
		return (error);
	txq->txq_nfree--;
	txq->txq_stats.packets++;
	txq->txq_stats.bytes += total;
	return (0);
}

void
vioif_tx_kick(struct vioif_txq *txq)
{

	vq_kick(&txq->txq_vq);
}

static void
vioif_tx_release(struct vioif_txq *txq, void *cookie, void **cookiep)
{
	void **p = cookie;

	*cookiep = *p;
	txq->txq_free[txq->txq_nfree++] = p - txq->txq_cookie;
}

int
vioif_tx_dequeue(struct vioif_txq *txq, void **cookiep)
{
	void *cookie;
	uint32_t len;
	int error;

	if ((error = vq_dequeue(&txq->txq_vq, &cookie, &len)) != 0)
		return (error);
	vioif_tx_release(txq, cookie, cookiep);
	return (0);
}

/* vq_drain() callbacks of a transmit queue. */
struct vioif_tx_drain {
	struct vioif_txq	*txq;
	vioif_tx_done_fn	*done;
	void			*arg;
};

static int
vioif_tx_take(void *p)
{
	struct vioif_tx_drain *d = p;
	void *cookie;
	int error;

	if ((error = vioif_tx_dequeue(d->txq, &cookie)) == 0)
		d->done(d->arg, cookie, 0);
	return (error);
}

static void
vioif_tx_fail(void *p, void *cookie)
{
	struct vioif_tx_drain *d = p;
	void *os_cookie;

	vioif_tx_release(d->txq, cookie, &os_cookie);
	d->txq->txq_stats.errors++;
	d->done(d->arg, os_cookie, EIO);
}

int
vioif_tx_intr(struct vioif_txq *txq, vioif_tx_done_fn *done, void *arg)
{
	struct vioif_tx_drain d = { txq, done, arg };

	return (vq_drain(&txq->txq_vq, vioif_tx_take, vioif_tx_fail, &d));
}

/* After vio_reset(): hand back one frame still in flight. */
int
vioif_tx_reclaim(struct vioif_txq *txq, void **cookiep)
{
	void *cookie;
	int error;

	if ((error = vq_reclaim(&txq->txq_vq, &cookie)) != 0)
		return (error);
	vioif_tx_release(txq, cookie, cookiep);
	txq->txq_stats.errors++;
	return (0);
}
