/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-net receive: posting the OS's buffers and turning used buffers
 * back into frames.
 *
 * Two modes, chosen by MRG_RXBUF.  Mergeable: each posting is one buffer
 * whose first bytes receive the header, and a frame may span num_buffers
 * consecutive used entries.  Big buffers: each posting is a chain, our
 * own header slot followed by the OS's segments, large enough for the
 * biggest frame the device may send; one used entry is one frame.
 *
 * num_buffers comes from the device: it is checked against what is
 * actually posted, and a frame whose tail is missing from the used ring
 * marks the device broken, because the ring can no longer be parsed.
 */

#include "vio_os.h"
#include "vio_le.h"
#include "vioif.h"

#define HDR_SLOT_SIZE	16	/* per-slot header, big-buffer mode */

int
vioif_rxq_init(struct vioif_rxq *rxq, struct vio_softc *vio, uint16_t index,
    uint64_t features, uint16_t mtu)
{
	unsigned int i, maxsegs;
	int error;

	vio_memset(rxq, 0, sizeof(*rxq));
	rxq->rxq_vio = vio;
	rxq->rxq_features = features;
	rxq->rxq_mergeable = (features & VIRTIO_NET_F_MRG_RXBUF) != 0;
	rxq->rxq_hdrlen = vioif_hdr_len(features);
	if (mtu > VIOIF_MTU_MAX)
		mtu = VIOIF_MTU_MAX;
	if (rxq->rxq_mergeable)
		rxq->rxq_min_buf = rxq->rxq_hdrlen;
	else if (features & (VIRTIO_NET_F_GUEST_TSO4 |
	    VIRTIO_NET_F_GUEST_TSO6 | VIRTIO_NET_F_GUEST_UFO))
		rxq->rxq_min_buf = VIOIF_MAX_FRAME;
	else
		rxq->rxq_min_buf = mtu + VIOIF_VLAN_ETHER_HDR_LEN;
	maxsegs = rxq->rxq_mergeable ? 1 : VIOIF_RX_MAX_SEGS + 1;

	if ((error = vq_alloc(vio, &rxq->rxq_vq, index, 0, maxsegs,
	    "vioif-rx")) != 0)
		return (error);
	rxq->rxq_nslots = rxq->rxq_vq.vq_num;
	if (rxq->rxq_nslots > VIOIF_SLOTS)
		rxq->rxq_nslots = VIOIF_SLOTS;
	if (!rxq->rxq_mergeable) {
		error = vio_dma_alloc(vio->sc_os,
		    rxq->rxq_nslots * HDR_SLOT_SIZE, HDR_SLOT_SIZE,
		    &rxq->rxq_hdr_dma);
		if (error != 0) {
			vq_free(&rxq->rxq_vq);
			return (error);
		}
	}
	for (i = 0; i < rxq->rxq_nslots; i++)
		rxq->rxq_free[i] = rxq->rxq_nslots - 1 - i;
	rxq->rxq_nfree = rxq->rxq_nslots;
	return (0);
}

void
vioif_rxq_fini(struct vioif_rxq *rxq)
{

	if (!rxq->rxq_mergeable)
		vio_dma_free(rxq->rxq_vio->sc_os, &rxq->rxq_hdr_dma);
	vq_free(&rxq->rxq_vq);
}

int
vioif_rx_post(struct vioif_rxq *rxq, const struct vioif_seg *segs,
    unsigned int nsegs, void *vaddr, void *cookie)
{
	struct vioif_rx_slot *s;
	struct vio_seg *vs;
	uint32_t total;
	unsigned int i, n, slot;
	int error;

	if (vio_is_broken(rxq->rxq_vio))
		return (EIO);
	if (nsegs == 0 || nsegs > (rxq->rxq_mergeable ? 1 : VIOIF_RX_MAX_SEGS))
		return (EINVAL);
	if (rxq->rxq_mergeable && vaddr == NULL)
		return (EINVAL);
	for (total = 0, i = 0; i < nsegs; i++) {
		if (segs[i].len == 0 || segs[i].len > VIOIF_MAX_FRAME * 2)
			return (EINVAL);
		total += segs[i].len;
	}
	if (total < rxq->rxq_min_buf)
		return (EINVAL);
	if (rxq->rxq_nfree == 0)
		return (ENOSPC);

	slot = rxq->rxq_free[--rxq->rxq_nfree];
	vs = rxq->rxq_segs;
	n = 0;
	if (!rxq->rxq_mergeable) {
		vs[n].vs_addr = rxq->rxq_hdr_dma.busaddr + slot * HDR_SLOT_SIZE;
		vs[n].vs_len = rxq->rxq_hdrlen;
		vs[n++].vs_write = true;
	}
	for (i = 0; i < nsegs; i++, n++) {
		vs[n].vs_addr = segs[i].busaddr;
		vs[n].vs_len = segs[i].len;
		vs[n].vs_write = true;
	}
	s = &rxq->rxq_slot[slot];
	s->cookie = cookie;
	s->vaddr = vaddr;
	if ((error = vq_enqueue(&rxq->rxq_vq, vs, n, s)) != 0) {
		rxq->rxq_free[rxq->rxq_nfree++] = slot;
		return (error);
	}
	s->posted = true;
	rxq->rxq_posted++;
	return (0);
}

void
vioif_rx_kick(struct vioif_rxq *rxq)
{

	vq_kick(&rxq->rxq_vq);
}

/* Give a used slot's buffer to the frame and free the slot. */
static void
vioif_rx_take(struct vioif_rxq *rxq, struct vioif_rx_slot *s, uint32_t len,
    struct vioif_rx_frame *f)
{
	f->bufs[f->nbufs].cookie = s->cookie;
	f->bufs[f->nbufs].len = len;
	f->nbufs++;
	s->posted = false;
	rxq->rxq_posted--;
	rxq->rxq_free[rxq->rxq_nfree++] = s - rxq->rxq_slot;
}

static int
vioif_rx_broken(struct vioif_rxq *rxq, struct vioif_rx_frame *f,
    const char *why)
{
	vio_mark_broken(rxq->rxq_vio, why);
	rxq->rxq_stats.errors++;
	f->error = EIO;
	return (EIO);
}

/* A frame we cannot use; the ring itself is still sound. */
static int
vioif_rx_drop(struct vioif_rxq *rxq, struct vioif_rx_frame *f)
{

	rxq->rxq_stats.errors++;
	f->error = EIO;
	return (0);
}

/* Decode the offload fields of a received header. */
static int
vioif_rx_hdr(const struct vioif_rxq *rxq, const uint8_t *hdr,
    struct vioif_rx_frame *f)
{
	uint8_t flags;

	flags = hdr[VIRTIO_NET_HDR_FLAGS];
	if ((rxq->rxq_features & VIRTIO_NET_F_GUEST_CSUM) != 0) {
		if (flags & VIRTIO_NET_HDR_F_DATA_VALID)
			f->flags |= VIOIF_RX_CSUM_VALID;
		if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			f->csum_start =
			    vio_le16dec(hdr + VIRTIO_NET_HDR_CSUM_START);
			f->csum_offset =
			    vio_le16dec(hdr + VIRTIO_NET_HDR_CSUM_OFFSET);
			if ((uint32_t)f->csum_start + f->csum_offset + 2 >
			    f->len)
				return (EIO);
			f->flags |= VIOIF_RX_CSUM_PARTIAL;
		}
	}
	f->gso_type = hdr[VIRTIO_NET_HDR_GSO_TYPE];
	if (f->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return (0);
	/* Large receive: only when we asked for it. */
	switch (f->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if ((rxq->rxq_features & VIRTIO_NET_F_GUEST_TSO4) == 0)
			return (EIO);
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if ((rxq->rxq_features & VIRTIO_NET_F_GUEST_TSO6) == 0)
			return (EIO);
		break;
	default:
		return (EIO);
	}
	f->gso_size = vio_le16dec(hdr + VIRTIO_NET_HDR_GSO_SIZE);
	return (f->gso_size == 0 ? EIO : 0);
}

/*
 * The rest of a mergeable frame: num_buffers - 1 more used entries, all
 * of which the device must have published with the first.
 */
static int
vioif_rx_merge(struct vioif_rxq *rxq, unsigned int nbufs,
    struct vioif_rx_frame *f, uint32_t *totalp)
{
	void *cookie;
	uint32_t len;
	int error;

	while (f->nbufs < nbufs) {
		error = vq_dequeue(&rxq->rxq_vq, &cookie, &len);
		if (error == ENOENT)
			return (vioif_rx_broken(rxq, f,
			    "vioif: mergeable frame incomplete"));
		if (error != 0)
			return (vioif_rx_broken(rxq, f, "vioif: rx dequeue"));
		vioif_rx_take(rxq, cookie, len, f);
		*totalp += len;
	}
	return (0);
}

int
vioif_rx_dequeue(struct vioif_rxq *rxq, struct vioif_rx_frame *f)
{
	struct vioif_rx_slot *s;
	const uint8_t *hdr;
	void *cookie, *vaddr;
	uint32_t len, total, slot;
	unsigned int nbufs, posted;
	int error;

	vio_memset(f, 0, offsetof(struct vioif_rx_frame, bufs));
	if ((error = vq_dequeue(&rxq->rxq_vq, &cookie, &len)) != 0)
		return (error);
	s = cookie;
	slot = s - rxq->rxq_slot;
	vaddr = s->vaddr;
	posted = rxq->rxq_posted;
	vioif_rx_take(rxq, s, len, f);
	if (len < rxq->rxq_hdrlen) {
		/* Mergeable: without num_buffers the ring is unparsable. */
		if (rxq->rxq_mergeable)
			return (vioif_rx_broken(rxq, f,
			    "vioif: rx shorter than header"));
		return (vioif_rx_drop(rxq, f));
	}
	total = len;

	if (rxq->rxq_mergeable) {
		if (rxq->rxq_sync != NULL)
			rxq->rxq_sync(rxq->rxq_sync_arg, f->bufs[0].cookie);
		hdr = vaddr;
		nbufs = vio_le16dec(hdr + VIRTIO_NET_HDR_NUM_BUFFERS);
		if (nbufs == 0 || nbufs > VIOIF_RX_MAX_BUFS || nbufs > posted)
			return (vioif_rx_broken(rxq, f,
			    "vioif: bad num_buffers"));
		if ((error = vioif_rx_merge(rxq, nbufs, f, &total)) != 0)
			return (error);
		f->offset = rxq->rxq_hdrlen;
	} else {
		vio_dma_sync(rxq->rxq_vio->sc_os, &rxq->rxq_hdr_dma,
		    VIO_DMA_POSTREAD);
		hdr = (const uint8_t *)rxq->rxq_hdr_dma.vaddr +
		    slot * HDR_SLOT_SIZE;
		f->offset = 0;
	}
	f->bufs[0].len -= rxq->rxq_hdrlen;
	f->len = total - rxq->rxq_hdrlen;
	if (f->len < VIRTIO_NET_ETHER_HDR_LEN || f->len > VIOIF_MAX_FRAME ||
	    vioif_rx_hdr(rxq, hdr, f) != 0)
		return (vioif_rx_drop(rxq, f));
	rxq->rxq_stats.packets++;
	rxq->rxq_stats.bytes += f->len;
	return (0);
}

/* A posted buffer the device will not fill: its slot is free again. */
static void *
vioif_rx_unpost(struct vioif_rxq *rxq, struct vioif_rx_slot *s)
{

	s->posted = false;
	rxq->rxq_posted--;
	rxq->rxq_free[rxq->rxq_nfree++] = s - rxq->rxq_slot;
	return (s->cookie);
}

/* After vio_reset(): hand back one buffer still posted. */
int
vioif_rx_reclaim(struct vioif_rxq *rxq, void **cookiep)
{
	void *cookie;
	int error;

	if ((error = vq_reclaim(&rxq->rxq_vq, &cookie)) != 0)
		return (error);
	*cookiep = vioif_rx_unpost(rxq, cookie);
	return (0);
}

/* vq_drain() callbacks of a receive queue. */
struct vioif_rx_drain {
	struct vioif_rxq	*rxq;
	struct vioif_rx_frame	*f;
	vioif_rx_input_fn	*input;
	void			*arg;
};

static int
vioif_rx_drain_one(void *p)
{
	struct vioif_rx_drain *d = p;
	int error;

	error = vioif_rx_dequeue(d->rxq, d->f);
	/* Even a frame that broke the ring has buffers to recycle. */
	if (error != ENOENT && d->f->nbufs > 0)
		d->input(d->arg, d->f);
	return (error);
}

static void
vioif_rx_fail(void *p, void *cookie)
{
	struct vioif_rx_drain *d = p;

	(void)vioif_rx_unpost(d->rxq, cookie);
}

int
vioif_rx_intr(struct vioif_rxq *rxq, struct vioif_rx_frame *f,
    vioif_rx_input_fn *input, void *arg)
{
	struct vioif_rx_drain d = { rxq, f, input, arg };

	return (vq_drain(&rxq->rxq_vq, vioif_rx_drain_one, vioif_rx_fail,
	    &d));
}
