/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueue internals shared by vq_alloc.c and vq_io.c.
 */

#ifndef _VQ_PRIV_H_
#define _VQ_PRIV_H_

#include "vio_os.h"
#include "vio_vq.h"
#include "vio_le.h"

/*
 * Bookkeeping per descriptor, in driver memory the device cannot reach:
 * chain links are kept here rather than read back from the ring.
 */
struct vio_vq_slot {
	void		*sl_cookie;	/* driver's request */
	uint32_t	sl_writable;	/* device-writable bytes posted */
	uint16_t	sl_ndesc;	/* chain length; 0: not a head */
	uint16_t	sl_next;	/* free list and chain link */
};

/* The device writes the used ring at any time: read it exactly once. */
static inline uint16_t
vq_used_idx_read(const struct vio_vq *vq)
{

	volatile struct vio_ring_used *used = vq->vq_used;

	return (vio_le16toh(used->idx));
}

static inline void
vq_sync(struct vio_vq *vq, int ops)
{

	vio_dma_sync(vq->vq_sc->sc_os, &vq->vq_ring_dma, ops);
}

#endif /* !_VQ_PRIV_H_ */
