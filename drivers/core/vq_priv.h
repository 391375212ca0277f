/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueue internals shared by vq_alloc.c, vq_io.c and the two ring
 * formats, vq_split.c and vq_packed.c.
 */

#ifndef _VQ_PRIV_H_
#define _VQ_PRIV_H_

#include "vio_os.h"
#include "vio_vq.h"
#include "vio_le.h"

/*
 * Bookkeeping per descriptor (split) or buffer id (packed), in driver
 * memory the device cannot reach: chain links and lengths are kept here
 * rather than read back from the ring.
 */
struct vio_vq_slot {
	void		*sl_cookie;	/* driver's request */
	uint32_t	sl_writable;	/* device-writable bytes posted */
	uint16_t	sl_ndesc;	/* ring descriptors; 0: not in flight */
	uint16_t	sl_next;	/* free list and chain link */
};

/*
 * What differs between the split and the packed ring.  The common code
 * (vq_io.c) checks requests, counts, and checks what every used entry
 * says against the slots; a format only reads and writes its rings.
 */
struct vq_ring_ops {
	/* Offsets of the driver and device areas, total size, alignment. */
	void	(*layout)(const struct vio_vq *, size_t *driverp,
		    size_t *devicep, size_t *totalp, size_t *alignp);
	/* Point the ring fields into the zeroed area at va. */
	void	(*init)(struct vio_vq *, uint8_t *va, size_t driver_off,
		    size_t device_off);
	/*
	 * Write a checked request under the head of the free list (split:
	 * a descriptor; packed: a buffer id) and make it available; set
	 * the head's sl_ndesc and take it off the free list.
	 */
	void	(*post)(struct vio_vq *, const struct vio_seg *,
		    unsigned int nsegs, bool indirect);
	/* Something was posted since the last kick and the device asks. */
	bool	(*notify_wanted)(struct vio_vq *);
	/*
	 * The next used entry, not consumed: 0 with the id and length the
	 * device wrote, ENOENT if there is none, or EIO with the device
	 * marked broken.
	 */
	int	(*peek_used)(struct vio_vq *, uint32_t *idp, uint32_t *lenp);
	/* Step past the used entry of id, which the common code checked. */
	void	(*consume_used)(struct vio_vq *, uint16_t id);
	/* Put id's descriptors back on the free list. */
	void	(*release)(struct vio_vq *, uint16_t id);
	/* Whether a used entry waits (a look only, nothing checked). */
	bool	(*used_pending)(struct vio_vq *);
	void	(*intr_disable)(struct vio_vq *);
	/* Ask for an interrupt at the next used entry. */
	void	(*intr_arm)(struct vio_vq *);
};

extern const struct vq_ring_ops vq_split_ops;
extern const struct vq_ring_ops vq_packed_ops;

#define VQ_ROUNDUP(x, a)	(((x) + (a) - 1) & ~((size_t)(a) - 1))

static inline void
vq_sync(struct vio_vq *vq, int ops)
{

	vio_dma_sync(vq->vq_sc->sc_os, &vq->vq_ring_dma, ops);
}

/* Mark the device broken for why; EIO, for the caller to return. */
static inline int
vq_bad_device(struct vio_vq *vq, const char *why)
{

	vio_mark_broken(vq->vq_sc, why);
	return (EIO);
}

/*
 * Slot id's indirect table (vq_maxsegs descriptors of 16 bytes, which
 * both formats' descriptors are) and its bus address.
 */
static inline void *
vq_indirect_table(struct vio_vq *vq, uint16_t id, uint64_t *busaddrp)
{
	size_t off = (size_t)id * vq->vq_maxsegs *
	    sizeof(struct vio_ring_desc);

	*busaddrp = vq->vq_indirect_dma.busaddr + off;
	return ((uint8_t *)vq->vq_indirect_dma.vaddr + off);
}

#endif /* !_VQ_PRIV_H_ */
