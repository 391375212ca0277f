/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueue I/O: post requests, notify, take completions, interrupts;
 * the checks common to both ring formats (vq_ring_ops in vq_priv.h).
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

int
vq_enqueue(struct vio_vq *vq, const struct vio_seg *segs,
    unsigned int nsegs, void *cookie)
{
	struct vio_vq_slot *slot;
	uint32_t writable;
	bool indirect;
	int error;

	if (vq->vq_sc->sc_broken)
		return (EIO);
	if ((error = vq_check_segs(vq, segs, nsegs, &writable)) != 0)
		return (error);
	indirect = vq->vq_indirect && nsegs > 1;
	if (vq->vq_nfree < (indirect ? 1 : nsegs))
		return (ENOSPC);

	slot = &vq->vq_slots[vq->vq_free_head];
	slot->sl_cookie = cookie;
	slot->sl_writable = writable;
	vq->vq_ops->post(vq, segs, nsegs, indirect);
	vq->vq_nfree -= slot->sl_ndesc;
	vq->vq_inflight++;
	vq->vq_requests++;
	return (0);
}

void
vq_kick(struct vio_vq *vq)
{

	if (vq->vq_sc->sc_broken || !vq->vq_ops->notify_wanted(vq))
		return;
	/* notify_wanted() may have found the device lying. */
	if (vq->vq_sc->sc_broken)
		return;
	vq->vq_sc->sc_ops->notify(vq->vq_sc, vq);
	vq->vq_kicks++;
}

/* Hand id's request back: its descriptors to the free list. */
static void *
vq_release(struct vio_vq *vq, uint16_t id)
{
	struct vio_vq_slot *slot = &vq->vq_slots[id];
	void *cookie = slot->sl_cookie;

	vq->vq_ops->release(vq, id);
	vq->vq_nfree += slot->sl_ndesc;
	slot->sl_ndesc = 0;
	slot->sl_cookie = NULL;
	vq->vq_inflight--;
	return (cookie);
}

/* What every used entry must satisfy, whatever the ring format. */
int
vq_dequeue(struct vio_vq *vq, void **cookiep, uint32_t *lenp)
{
	uint32_t id, len;
	int error;

	if (vq->vq_sc->sc_broken)
		return (EIO);
	vq_sync(vq, VIO_DMA_POSTREAD);
	if ((error = vq->vq_ops->peek_used(vq, &id, &len)) != 0)
		return (error);
	if (id >= vq->vq_num)
		return (vq_bad_device(vq, "used id out of range"));
	if (vq->vq_slots[id].sl_ndesc == 0)
		return (vq_bad_device(vq, "used id not in flight"));
	if (len > vq->vq_slots[id].sl_writable)
		return (vq_bad_device(vq, "used length exceeds buffers"));
	vq->vq_ops->consume_used(vq, (uint16_t)id);
	*lenp = len;
	*cookiep = vq_release(vq, (uint16_t)id);
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
			*cookiep = vq_release(vq, i);
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
	return (vq->vq_ops->used_pending(vq));
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

	vq->vq_intr_off = true;
	vq->vq_ops->intr_disable(vq);
}

bool
vq_intr_enable(struct vio_vq *vq)
{

	vq->vq_intr_off = false;
	vq->vq_ops->intr_arm(vq);
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
