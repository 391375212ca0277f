/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The split ring format (virtio 1.x spec 2.7): a descriptor table whose
 * free entries are chained in the slots, an available ring the driver
 * writes and a used ring the device writes, each with a free-running
 * 16-bit index.
 */

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vq_priv.h"

/*
 * Descriptors, then the driver area (flags, idx, ring, used_event), then
 * the device area (flags, idx, ring, avail_event) at the transport's
 * alignment: 4096 for legacy devices, which locate everything from the
 * page frame of the descriptors.
 */
static void
vq_split_layout(const struct vio_vq *vq, size_t *driverp, size_t *devicep,
    size_t *totalp, size_t *alignp)
{
	uint32_t align = vq->vq_sc->sc_ops->ring_used_align;
	size_t num = vq->vq_num;

	*driverp = num * sizeof(struct vio_ring_desc);
	*devicep = VQ_ROUNDUP(*driverp + sizeof(struct vio_ring_avail) +
	    (num + 1) * sizeof(uint16_t), align);
	*totalp = VQ_ROUNDUP(*devicep + sizeof(struct vio_ring_used) +
	    num * sizeof(struct vio_ring_used_elem) + sizeof(uint16_t),
	    VRING_LEGACY_ALIGN);
	*alignp = VRING_LEGACY_ALIGN;
}

static void
vq_split_init(struct vio_vq *vq, uint8_t *va, size_t driver_off,
    size_t device_off)
{

	vq->vq_desc = (struct vio_ring_desc *)va;
	vq->vq_avail = (struct vio_ring_avail *)(va + driver_off);
	vq->vq_used = (struct vio_ring_used *)(va + device_off);
	vq->vq_used_event = &vq->vq_avail->ring[vq->vq_num];
	vq->vq_avail_event =
	    (volatile uint16_t *)&vq->vq_used->ring[vq->vq_num];
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
	struct vio_ring_desc *table;
	struct vio_seg ind;
	unsigned int i;

	table = vq_indirect_table(vq, head, &ind.vs_addr);
	for (i = 0; i + 1 < nsegs; i++)
		vq_fill_desc(&table[i], &segs[i], VRING_DESC_F_NEXT, i + 1);
	vq_fill_desc(&table[i], &segs[i], 0, 0);
	vio_dma_sync(vq->vq_sc->sc_os, &vq->vq_indirect_dma, VIO_DMA_PREWRITE);

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

static void
vq_split_post(struct vio_vq *vq, const struct vio_seg *segs,
    unsigned int nsegs, bool indirect)
{
	volatile struct vio_ring_avail *avail = vq->vq_avail;
	uint16_t head = vq->vq_free_head;

	if (indirect)
		vq_post_indirect(vq, head, segs, nsegs);
	else
		vq_post_chain(vq, head, segs, nsegs);
	avail->ring[vq->vq_avail_idx & (vq->vq_num - 1)] = vio_htole16(head);
	/* The device may act on the index at once: descriptors first. */
	vio_membar_producer();
	vq->vq_avail_idx++;
	avail->idx = vio_htole16(vq->vq_avail_idx);
	vq_sync(vq, VIO_DMA_PREWRITE);
}

static bool
vq_split_notify_wanted(struct vio_vq *vq)
{
	uint16_t old = vq->vq_kicked_idx, new = vq->vq_avail_idx, event;

	if (old == new)
		return (false);
	vq->vq_kicked_idx = new;
	/* Publish avail idx before reading the device's wish (spec 2.7.10). */
	vio_membar_sync();
	vq_sync(vq, VIO_DMA_POSTREAD);
	if (vq->vq_event_idx) {
		/* Notify if avail_event lies in [old, new) (spec 2.7.10). */
		event = vio_le16toh(*vq->vq_avail_event);
		return ((uint16_t)(new - event - 1) < (uint16_t)(new - old));
	}
	return ((vio_le16toh(((volatile struct vio_ring_used *)
	    vq->vq_used)->flags) & VRING_USED_F_NO_NOTIFY) == 0);
}

/* The device writes the used ring at any time: read it exactly once. */
static uint16_t
vq_used_idx_read(const struct vio_vq *vq)
{
	volatile struct vio_ring_used *used = vq->vq_used;

	return (vio_le16toh(used->idx));
}

static int
vq_split_peek_used(struct vio_vq *vq, uint32_t *idp, uint32_t *lenp)
{
	volatile struct vio_ring_used_elem *elem;
	uint16_t used_idx;

	used_idx = vq_used_idx_read(vq);
	if (used_idx == vq->vq_used_idx)
		return (ENOENT);
	if ((uint16_t)(used_idx - vq->vq_used_idx) > vq->vq_inflight)
		return (vq_bad_device(vq, "used index ran ahead"));
	/* Read the entry only after seeing the index that covers it. */
	vio_membar_consumer();
	elem = &vq->vq_used->ring[vq->vq_used_idx & (vq->vq_num - 1)];
	*idp = vio_le32toh(elem->id);
	*lenp = vio_le32toh(elem->len);
	return (0);
}

static void
vq_split_consume_used(struct vio_vq *vq, uint16_t id)
{

	(void)id;
	vq->vq_used_idx++;
}

/* Return head's chain to the free list. */
static void
vq_split_release(struct vio_vq *vq, uint16_t head)
{
	uint16_t last = head, i;

	for (i = 1; i < vq->vq_slots[head].sl_ndesc; i++)
		last = vq->vq_slots[last].sl_next;
	vq->vq_slots[last].sl_next = vq->vq_free_head;
	vq->vq_free_head = head;
}

static bool
vq_split_used_pending(struct vio_vq *vq)
{

	return (vq_used_idx_read(vq) != vq->vq_used_idx);
}

static void
vq_split_intr_disable(struct vio_vq *vq)
{
	volatile struct vio_ring_avail *avail = vq->vq_avail;

	/*
	 * With EVENT_IDX the flags must stay 0 (spec 2.7.7.2); used_event
	 * is simply not advanced, so the device interrupts at most once.
	 */
	if (!vq->vq_event_idx) {
		avail->flags = vio_htole16(VRING_AVAIL_F_NO_INTERRUPT);
		vq_sync(vq, VIO_DMA_PREWRITE);
	}
}

static void
vq_split_intr_arm(struct vio_vq *vq)
{
	volatile struct vio_ring_avail *avail = vq->vq_avail;

	if (vq->vq_event_idx)
		*vq->vq_used_event = vio_htole16(vq->vq_used_idx);
	else
		avail->flags = vio_htole16(0);
}

const struct vq_ring_ops vq_split_ops = {
	.layout = vq_split_layout,
	.init = vq_split_init,
	.post = vq_split_post,
	.notify_wanted = vq_split_notify_wanted,
	.peek_used = vq_split_peek_used,
	.consume_used = vq_split_consume_used,
	.release = vq_split_release,
	.used_pending = vq_split_used_pending,
	.intr_disable = vq_split_intr_disable,
	.intr_arm = vq_split_intr_arm,
};
