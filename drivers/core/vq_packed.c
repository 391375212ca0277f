/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The packed ring format (virtio 1.x spec 2.8): one descriptor ring the
 * driver fills in order and the device overwrites with used descriptors,
 * in the order it completes them.  A buffer takes a free id (the slots'
 * free list) and as many consecutive ring descriptors as it has
 * segments, or one with an indirect table; the device writes one used
 * descriptor per buffer and both sides then skip the buffer's other
 * descriptors, so vq_used_idx advances by the count kept in the slot,
 * never by anything the device wrote.
 *
 * Who owns a descriptor shows in its AVAIL and USED bits, read against
 * the ring wrap counters, which flip each time a position passes the
 * end of the ring.  A descriptor counts as used only when both bits equal the
 * used wrap counter: a stale one (a chain's second descriptor from the
 * last lap, an old used one) or one still available never does.
 */

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vq_priv.h"

/* Descriptors, driver event suppression, device event suppression. */
static void
vq_packed_layout(const struct vio_vq *vq, size_t *driverp, size_t *devicep,
    size_t *totalp, size_t *alignp)
{

	*driverp = (size_t)vq->vq_num * sizeof(struct vio_packed_desc);
	*devicep = *driverp + sizeof(struct vio_packed_event);
	*totalp = *devicep + sizeof(struct vio_packed_event);
	*alignp = VRING_DESC_ALIGN;
}

static void
vq_packed_init(struct vio_vq *vq, uint8_t *va, size_t driver_off,
    size_t device_off)
{

	vq->vq_pdesc = (struct vio_packed_desc *)va;
	vq->vq_pdriver = (struct vio_packed_event *)(va + driver_off);
	vq->vq_pdevice = (struct vio_packed_event *)(va + device_off);
	/* Both wrap counters start at 1 (spec 2.8, "Ring Wrap Counters"). */
	vq->vq_avail_wrap = true;
	vq->vq_used_wrap = true;
}

/* AVAIL and USED bits that make a descriptor available in lap wrap. */
static uint16_t
vq_packed_avail_bits(bool wrap)
{

	return (wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED);
}

/* Step a ring position, flipping its wrap counter at the end. */
static void
vq_packed_advance(const struct vio_vq *vq, uint16_t *posp, bool *wrapp,
    uint16_t n)
{
	uint32_t pos = (uint32_t)*posp + n;

	if (pos >= vq->vq_num) {
		pos -= vq->vq_num;
		*wrapp = !*wrapp;
	}
	*posp = (uint16_t)pos;
}

static void
vq_packed_fill(volatile struct vio_packed_desc *d, uint64_t addr,
    uint32_t len, uint16_t id)
{

	d->addr = vio_htole64(addr);
	d->len = vio_htole32(len);
	d->id = vio_htole16(id);
}

/* The segments in id's indirect table; only F_WRITE is valid there. */
static uint32_t
vq_packed_fill_table(struct vio_vq *vq, uint16_t id,
    const struct vio_seg *segs, unsigned int nsegs, uint64_t *busaddrp)
{
	struct vio_packed_desc *table;
	unsigned int i;

	table = vq_indirect_table(vq, id, busaddrp);
	for (i = 0; i < nsegs; i++) {
		vq_packed_fill(&table[i], segs[i].vs_addr, segs[i].vs_len, 0);
		table[i].flags = vio_htole16(segs[i].vs_write ?
		    VRING_DESC_F_WRITE : 0);
	}
	vio_dma_sync(vq->vq_sc->sc_os, &vq->vq_indirect_dma, VIO_DMA_PREWRITE);
	return (nsegs * sizeof(struct vio_packed_desc));
}

/*
 * The request as one descriptor with id's indirect table; returns the
 * descriptor's flags, for the caller to write last.
 */
static uint16_t
vq_packed_put_indirect(struct vio_vq *vq, uint16_t id,
    const struct vio_seg *segs, unsigned int nsegs)
{
	uint16_t flags = vq_packed_avail_bits(vq->vq_avail_wrap) |
	    VRING_DESC_F_INDIRECT;
	uint64_t table;
	uint32_t len;

	len = vq_packed_fill_table(vq, id, segs, nsegs, &table);
	vq_packed_fill(&vq->vq_pdesc[vq->vq_avail_idx], table, len, id);
	vq_packed_advance(vq, &vq->vq_avail_idx, &vq->vq_avail_wrap, 1);
	return (flags);
}

/*
 * The request as a chain of consecutive descriptors, each available in
 * the lap of its own position; returns the first one's flags, for the
 * caller to write last.
 */
static uint16_t
vq_packed_put_chain(struct vio_vq *vq, uint16_t id,
    const struct vio_seg *segs, unsigned int nsegs)
{
	volatile struct vio_packed_desc *d;
	uint16_t flags, head_flags = 0;
	unsigned int i;

	for (i = 0; i < nsegs; i++) {
		d = &vq->vq_pdesc[vq->vq_avail_idx];
		vq_packed_fill(d, segs[i].vs_addr, segs[i].vs_len, id);
		flags = vq_packed_avail_bits(vq->vq_avail_wrap);
		if (segs[i].vs_write)
			flags |= VRING_DESC_F_WRITE;
		if (i + 1 < nsegs)
			flags |= VRING_DESC_F_NEXT;
		if (i == 0)
			head_flags = flags;
		else
			d->flags = vio_htole16(flags);
		vq_packed_advance(vq, &vq->vq_avail_idx, &vq->vq_avail_wrap, 1);
	}
	return (head_flags);
}

/*
 * The first descriptor's flags go last: once they change, the device
 * may read the whole chain (spec 2.8, "Next Flag: Descriptor Chaining").
 */
static void
vq_packed_post(struct vio_vq *vq, const struct vio_seg *segs,
    unsigned int nsegs, bool indirect)
{
	volatile struct vio_packed_desc *first;
	uint16_t id = vq->vq_free_head, flags, n = indirect ? 1 : nsegs;

	first = &vq->vq_pdesc[vq->vq_avail_idx];
	if (indirect)
		flags = vq_packed_put_indirect(vq, id, segs, nsegs);
	else
		flags = vq_packed_put_chain(vq, id, segs, nsegs);
	vio_membar_producer();
	first->flags = vio_htole16(flags);
	vq_sync(vq, VIO_DMA_PREWRITE);

	vq->vq_free_head = vq->vq_slots[id].sl_next;
	vq->vq_slots[id].sl_ndesc = n;
	/* A whole lap or more covers any event offset: stop counting. */
	vq->vq_unkicked += n;
	if (vq->vq_unkicked > vq->vq_num)
		vq->vq_unkicked = vq->vq_num;
}

/*
 * The device's event suppression says whether it wants to hear of the
 * last added descriptors.  Its flags and offset are the device's to
 * write and are checked like a used entry.
 */
static bool
vq_packed_notify_wanted(struct vio_vq *vq)
{
	volatile struct vio_packed_event *ev = vq->vq_pdevice;
	uint32_t added = vq->vq_unkicked, num = vq->vq_num, off, behind;
	uint16_t flags, off_wrap;

	if (added == 0)
		return (false);
	vq->vq_unkicked = 0;
	/* Publish the descriptors before reading the device's wish. */
	vio_membar_sync();
	vq_sync(vq, VIO_DMA_POSTREAD);
	flags = vio_le16toh(ev->flags);
	if (flags == VRING_PACKED_EVENT_F_ENABLE)
		return (true);
	if (flags == VRING_PACKED_EVENT_F_DISABLE)
		return (false);
	if (flags != VRING_PACKED_EVENT_F_DESC || !vq->vq_event_idx) {
		(void)vq_bad_device(vq, "device event flags invalid");
		return (false);
	}
	off_wrap = vio_le16toh(ev->off_wrap);
	off = off_wrap & ~VRING_PACKED_EVENT_WRAP;
	if (off >= num) {
		(void)vq_bad_device(vq, "device event offset out of range");
		return (false);
	}
	/*
	 * Notify if the event descriptor is among the added ones: count
	 * how far it lies behind the next available position, a lap back
	 * if its wrap counter is the previous one.
	 */
	behind = vq->vq_avail_idx + num - off;
	if (((off_wrap & VRING_PACKED_EVENT_WRAP) != 0) == vq->vq_avail_wrap)
		behind -= num;
	return (behind >= 1 && behind <= added);
}

/* Whether the descriptor at vq_used_idx is used in the current lap. */
static bool
vq_packed_is_used(uint16_t flags, bool wrap)
{
	bool avail = (flags & VRING_PACKED_DESC_F_AVAIL) != 0;
	bool used = (flags & VRING_PACKED_DESC_F_USED) != 0;

	return (avail == wrap && used == wrap);
}

static int
vq_packed_peek_used(struct vio_vq *vq, uint32_t *idp, uint32_t *lenp)
{
	volatile struct vio_packed_desc *d = &vq->vq_pdesc[vq->vq_used_idx];
	uint16_t flags;

	flags = vio_le16toh(d->flags);
	if (!vq_packed_is_used(flags, vq->vq_used_wrap))
		return (ENOENT);
	/* Read the entry only after seeing the flags that publish it. */
	vio_membar_consumer();
	*idp = vio_le16toh(d->id);
	/*
	 * The specification ties the length to F_WRITE in the used
	 * descriptor, but QEMU (7.2) never sets that flag: take the length
	 * as written.  vq_dequeue() bounds it by the writable bytes posted.
	 */
	*lenp = vio_le32toh(d->len);
	return (0);
}

static void
vq_packed_consume_used(struct vio_vq *vq, uint16_t id)
{

	vq_packed_advance(vq, &vq->vq_used_idx, &vq->vq_used_wrap,
	    vq->vq_slots[id].sl_ndesc);
}

static void
vq_packed_release(struct vio_vq *vq, uint16_t id)
{

	vq->vq_slots[id].sl_next = vq->vq_free_head;
	vq->vq_free_head = id;
}

static bool
vq_packed_used_pending(struct vio_vq *vq)
{
	volatile struct vio_packed_desc *d = &vq->vq_pdesc[vq->vq_used_idx];

	return (vq_packed_is_used(vio_le16toh(d->flags), vq->vq_used_wrap));
}

/* Unlike the split ring's, DISABLE is valid with EVENT_IDX too. */
static void
vq_packed_intr_disable(struct vio_vq *vq)
{
	volatile struct vio_packed_event *ev = vq->vq_pdriver;

	ev->flags = vio_htole16(VRING_PACKED_EVENT_F_DISABLE);
	vq_sync(vq, VIO_DMA_PREWRITE);
}

static void
vq_packed_intr_arm(struct vio_vq *vq)
{
	volatile struct vio_packed_event *ev = vq->vq_pdriver;

	if (!vq->vq_event_idx) {
		ev->flags = vio_htole16(VRING_PACKED_EVENT_F_ENABLE);
		return;
	}
	ev->off_wrap = vio_htole16(vq->vq_used_idx |
	    (vq->vq_used_wrap ? VRING_PACKED_EVENT_WRAP : 0));
	/* The offset must be in place when the device sees DESC. */
	vio_membar_producer();
	ev->flags = vio_htole16(VRING_PACKED_EVENT_F_DESC);
}

const struct vq_ring_ops vq_packed_ops = {
	.layout = vq_packed_layout,
	.init = vq_packed_init,
	.post = vq_packed_post,
	.notify_wanted = vq_packed_notify_wanted,
	.peek_used = vq_packed_peek_used,
	.consume_used = vq_packed_consume_used,
	.release = vq_packed_release,
	.used_pending = vq_packed_used_pending,
	.intr_disable = vq_packed_intr_disable,
	.intr_arm = vq_packed_intr_arm,
};
