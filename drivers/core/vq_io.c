/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueue I/O: post requests, notify, take completions, interrupts.
 */

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vq_priv.h"

/*
 * Check a request: 1..vq_maxsegs non-empty segments, device-readable
 * ones first (spec 2.7.4.2), writable total within 32 bits.
 */
static int
vq_check_segs(const struct vio_vq *vq, const struct vio_seg *segs,
    unsigned int nsegs, uint32_t *writablep)
{
	uint64_t writable = 0;
	unsigned int i;

	if (nsegs == 0 || nsegs > vq->vq_maxsegs)
		return (EINVAL);
	for (i = 0; i < nsegs; i++) {
		if (segs[i].vs_len == 0)
			return (EINVAL);
		if (segs[i].vs_write)
			writable += segs[i].vs_len;
		else if (writable != 0)
			return (EINVAL);
	}
	if (writable > 0xffffffffU)
		return (EINVAL);
	*writablep = (uint32_t)writable;
	return (0);
}

static void
vq_fill_desc(struct vio_ring_desc *d, const struct vio_seg *seg,
    uint16_t flags, uint16_t next)
{

	d->addr = vio_htole64(seg->vs_addr);
	d->len = vio_htole32(seg->vs_len);
	if (seg->vs_write)
		flags |= VRING_DESC_F_WRITE;
	d->flags = vio_htole16(flags);
	d->next = vio_htole16(next);
}

/* Build the request in head's indirect table; one ring descriptor. */
static void
vq_post_indirect(struct vio_vq *vq, uint16_t head,
    const struct vio_seg *segs, unsigned int nsegs)
{
	size_t table_off = (size_t)head * vq->vq_maxsegs *
	    sizeof(struct vio_ring_desc);
	struct vio_ring_desc *table = (struct vio_ring_desc *)
	    ((uint8_t *)vq->vq_indirect_dma.vaddr + table_off);
	struct vio_seg ind;
	unsigned int i;

	for (i = 0; i + 1 < nsegs; i++)
		vq_fill_desc(&table[i], &segs[i], VRING_DESC_F_NEXT, i + 1);
	vq_fill_desc(&table[i], &segs[i], 0, 0);
	vio_dma_sync(vq->vq_sc->sc_os, &vq->vq_indirect_dma, VIO_DMA_PREWRITE);

	ind.vs_addr = vq->vq_indirect_dma.busaddr + table_off;
	ind.vs_len = nsegs * sizeof(struct vio_ring_desc);
	ind.vs_write = false;
	vq_fill_desc(&vq->vq_desc[head], &ind, VRING_DESC_F_INDIRECT, 0);
	vq->vq_free_head = vq->vq_slots[head].sl_next;
	vq->vq_slots[head].sl_ndesc = 1;
}

/* Build the request as a chain along the free list. */
static void
vq_post_chain(struct vio_vq *vq, uint16_t head, const struct vio_seg *segs,
    unsigned int nsegs)
{
	uint16_t idx = head, next;
	unsigned int i;

	for (i = 0; i < nsegs; i++) {
		next = vq->vq_slots[idx].sl_next;
		if (i + 1 < nsegs)
			vq_fill_desc(&vq->vq_desc[idx], &segs[i],
			    VRING_DESC_F_NEXT, next);
		else
			vq_fill_desc(&vq->vq_desc[idx], &segs[i], 0, 0);
		idx = next;
	}
	vq->vq_free_head = idx;
	vq->vq_slots[head].sl_ndesc = nsegs;
}

int
vq_enqueue(struct vio_vq *vq, const struct vio_seg *segs,
    unsigned int nsegs, void *cookie)
{
	volatile struct vio_ring_avail *avail = vq->vq_avail;
	uint32_t writable;
	uint16_t head;
	bool indirect;
	int error;

	if (vq->vq_sc->sc_broken)
		return (EIO);
	if ((error = vq_check_segs(vq, segs, nsegs, &writable)) != 0)
		return (error);
	indirect = vq->vq_indirect && nsegs > 1;
	if (vq->vq_nfree < (indirect ? 1 : nsegs))
		return (ENOSPC);

	head = vq->vq_free_head;
	if (indirect)
		vq_post_indirect(vq, head, segs, nsegs);
	else
		vq_post_chain(vq, head, segs, nsegs);
	vq->vq_nfree -= vq->vq_slots[head].sl_ndesc;
	vq->vq_slots[head].sl_cookie = cookie;
	vq->vq_slots[head].sl_writable = writable;

	avail->ring[vq->vq_avail_idx & (vq->vq_num - 1)] = vio_htole16(head);
	/* The device may act on the index at once: descriptors first. */
	vio_membar_producer();
	vq->vq_avail_idx++;
	avail->idx = vio_htole16(vq->vq_avail_idx);
	vq_sync(vq, VIO_DMA_PREWRITE);
	vq->vq_inflight++;
	vq->vq_requests++;
	return (0);
}

void
vq_kick(struct vio_vq *vq)
{
	uint16_t old = vq->vq_kicked_idx, new = vq->vq_avail_idx, event;
	bool notify;

	if (vq->vq_sc->sc_broken || old == new)
		return;
	vq->vq_kicked_idx = new;
	/* Publish avail idx before reading the device's wish (spec 2.7.10). */
	vio_membar_sync();
	vq_sync(vq, VIO_DMA_POSTREAD);
	if (vq->vq_event_idx) {
		/* Notify if avail_event lies in [old, new) (spec 2.7.10). */
		event = vio_le16toh(*vq->vq_avail_event);
		notify = (uint16_t)(new - event - 1) < (uint16_t)(new - old);
	} else {
		notify = (vio_le16toh(((volatile struct vio_ring_used *)
		    vq->vq_used)->flags) & VRING_USED_F_NO_NOTIFY) == 0;
	}
	if (notify) {
		vq->vq_sc->sc_ops->notify(vq->vq_sc, vq);
		vq->vq_kicks++;
	}
}

/* Return head's descriptors to the free list. */
static void *
vq_release_chain(struct vio_vq *vq, uint16_t head)
{
	struct vio_vq_slot *slot = &vq->vq_slots[head];
	void *cookie = slot->sl_cookie;
	uint16_t last = head, i;

	for (i = 1; i < slot->sl_ndesc; i++)
		last = vq->vq_slots[last].sl_next;
	vq->vq_slots[last].sl_next = vq->vq_free_head;
	vq->vq_free_head = head;
	vq->vq_nfree += slot->sl_ndesc;
	slot->sl_ndesc = 0;
	slot->sl_cookie = NULL;
	vq->vq_inflight--;
	return (cookie);
}

static int
vq_bad_device(struct vio_vq *vq, const char *why)
{

	vio_mark_broken(vq->vq_sc, why);
	return (EIO);
}

int
vq_dequeue(struct vio_vq *vq, void **cookiep, uint32_t *lenp)
{
	volatile struct vio_ring_used_elem *elem;
	uint16_t used_idx;
	uint32_t id, len;

	if (vq->vq_sc->sc_broken)
		return (EIO);
	vq_sync(vq, VIO_DMA_POSTREAD);
	used_idx = vq_used_idx_read(vq);
	if (used_idx == vq->vq_used_idx)
		return (ENOENT);
	if ((uint16_t)(used_idx - vq->vq_used_idx) > vq->vq_inflight)
		return (vq_bad_device(vq, "used index ran ahead"));
	/* Read the entry only after seeing the index that covers it. */
	vio_membar_consumer();
	elem = &vq->vq_used->ring[vq->vq_used_idx & (vq->vq_num - 1)];
	id = vio_le32toh(elem->id);
	len = vio_le32toh(elem->len);
	if (id >= vq->vq_num)
		return (vq_bad_device(vq, "used id out of range"));
	if (vq->vq_slots[id].sl_ndesc == 0)
		return (vq_bad_device(vq, "used id not in flight"));
	if (len > vq->vq_slots[id].sl_writable)
		return (vq_bad_device(vq, "used length exceeds buffers"));
	vq->vq_used_idx++;
	*lenp = len;
	*cookiep = vq_release_chain(vq, (uint16_t)id);
	return (0);
}

int
vq_reclaim(struct vio_vq *vq, void **cookiep)
{
	uint16_t i, n;

	/* Resume where the last call stopped: one pass over the ring in all. */
	for (n = 0; n < vq->vq_num; n++) {
		i = (vq->vq_reclaim_next + n) & (vq->vq_num - 1);
		if (vq->vq_slots[i].sl_ndesc != 0) {
			vq->vq_reclaim_next = i;
			*cookiep = vq_release_chain(vq, i);
			return (0);
		}
	}
	return (ENOENT);
}

bool
vq_pending(struct vio_vq *vq)
{

	/* vq_dequeue() would only say EIO: report nothing to take. */
	if (vq->vq_sc->sc_broken)
		return (false);
	vq_sync(vq, VIO_DMA_POSTREAD);
	return (vq_used_idx_read(vq) != vq->vq_used_idx);
}

bool
vq_wants_intr(struct vio_vq *vq)
{

	return (vq_pending(vq) ||
	    (vq->vq_sc->sc_broken && vq->vq_inflight != 0));
}

void
vq_intr_disable(struct vio_vq *vq)
{
	volatile struct vio_ring_avail *avail = vq->vq_avail;

	vq->vq_intr_off = true;
	/*
	 * With EVENT_IDX the flags must stay 0 (spec 2.7.7.2); used_event
	 * is simply not advanced, so the device interrupts at most once.
	 */
	if (!vq->vq_event_idx) {
		avail->flags = vio_htole16(VRING_AVAIL_F_NO_INTERRUPT);
		vq_sync(vq, VIO_DMA_PREWRITE);
	}
}

bool
vq_intr_enable(struct vio_vq *vq)
{
	volatile struct vio_ring_avail *avail = vq->vq_avail;

	vq->vq_intr_off = false;
	if (vq->vq_event_idx)
		*vq->vq_used_event = vio_htole16(vq->vq_used_idx);
	else
		avail->flags = vio_htole16(0);
	vq_sync(vq, VIO_DMA_PREWRITE);
	/*
	 * An entry used before the device saw the store above raised no
	 * interrupt: look again after a full barrier.
	 */
	vio_membar_sync();
	return (vq_pending(vq));
}

int
vq_intr(struct vio_vq *vq)
{

	vq->vq_interrupts++;
	if (vq->vq_done == NULL)
		return (0);
	return (vq->vq_done(vq));
}
