/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueue set-up and teardown: ring layout, memory, free list.
 */

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vq_priv.h"

#define VQ_ROUNDUP(x, a)	(((x) + (a) - 1) & ~((size_t)(a) - 1))
#define VQ_POWEROF2(x)		((x) != 0 && ((x) & ((x) - 1)) == 0)

/*
 * One DMA area: descriptors, then the driver area (flags, idx, ring,
 * used_event), then the device area (flags, idx, ring, avail_event) at
 * the transport's alignment: 4096 for legacy devices, which locate
 * everything from the page frame of the descriptors.
 */
static void
vq_layout(struct vio_vq *vq, size_t *availp, size_t *usedp, size_t *totalp)
{
	uint32_t align = vq->vq_sc->sc_ops->ring_used_align;
	size_t num = vq->vq_num;

	*availp = num * sizeof(struct vio_ring_desc);
	*usedp = VQ_ROUNDUP(*availp + sizeof(struct vio_ring_avail) +
	    (num + 1) * sizeof(uint16_t), align);
	*totalp = VQ_ROUNDUP(*usedp + sizeof(struct vio_ring_used) +
	    num * sizeof(struct vio_ring_used_elem) + sizeof(uint16_t),
	    VRING_LEGACY_ALIGN);
}

static int
vq_alloc_rings(struct vio_vq *vq)
{
	void *os = vq->vq_sc->sc_os;
	size_t avail_off, used_off, total;
	uint8_t *va;
	int error;

	vq_layout(vq, &avail_off, &used_off, &total);
	error = vio_dma_alloc(os, total, VRING_LEGACY_ALIGN, &vq->vq_ring_dma);
	if (error != 0)
		return (ENOMEM);
	va = vq->vq_ring_dma.vaddr;
	vio_memset(va, 0, total);
	vq->vq_desc = (struct vio_ring_desc *)va;
	vq->vq_avail = (struct vio_ring_avail *)(va + avail_off);
	vq->vq_used = (struct vio_ring_used *)(va + used_off);
	vq->vq_used_event = &vq->vq_avail->ring[vq->vq_num];
	vq->vq_avail_event =
	    (volatile uint16_t *)&vq->vq_used->ring[vq->vq_num];
	vq->vq_desc_pa = vq->vq_ring_dma.busaddr;
	vq->vq_avail_pa = vq->vq_desc_pa + avail_off;
	vq->vq_used_pa = vq->vq_desc_pa + used_off;

	vq->vq_slots = vio_mem_alloc(os, vq->vq_num * sizeof(*vq->vq_slots));
	if (vq->vq_slots == NULL) {
		vio_dma_free(os, &vq->vq_ring_dma);
		return (ENOMEM);
	}
	return (0);
}

/*
 * One indirect table of vq_maxsegs descriptors per possible head.  If the
 * memory is not there, plain chains still work: fall back to them.
 */
static void
vq_alloc_indirect(struct vio_vq *vq)
{
	void *os = vq->vq_sc->sc_os;
	uint64_t size;

	if (!vq->vq_indirect)
		return;
	size = (uint64_t)vq->vq_num * vq->vq_maxsegs *
	    sizeof(struct vio_ring_desc);
	if (size != (size_t)size || vio_dma_alloc(os, (size_t)size,
	    VRING_DESC_ALIGN, &vq->vq_indirect_dma) != 0) {
		vio_log(os, "vio: %s: no memory for indirect tables\n",
		    vq->vq_name);
		vq->vq_indirect = false;
		return;
	}
	vq->vq_have_indirect_dma = true;
}

static void
vq_release_memory(struct vio_vq *vq)
{
	void *os = vq->vq_sc->sc_os;

	if (vq->vq_have_indirect_dma)
		vio_dma_free(os, &vq->vq_indirect_dma);
	vio_mem_free(os, vq->vq_slots, vq->vq_num * sizeof(*vq->vq_slots));
	vio_dma_free(os, &vq->vq_ring_dma);
}

struct vio_vq *
vq_lookup(struct vio_softc *sc, uint16_t index)
{
	unsigned int i;

	for (i = 0; i < VIO_MAX_VQS; i++) {
		if (sc->sc_vqs[i] != NULL && sc->sc_vqs[i]->vq_index == index)
			return (sc->sc_vqs[i]);
	}
	return (NULL);
}

/* A free place in sc_vqs[], or VIO_MAX_VQS. */
static uint16_t
vq_free_slot(const struct vio_softc *sc)
{
	uint16_t i;

	for (i = 0; i < VIO_MAX_VQS && sc->sc_vqs[i] != NULL; i++)
		;
	return (i);
}

int
vq_alloc(struct vio_softc *sc, struct vio_vq *vq, uint16_t index,
    uint16_t max_size, uint16_t max_segs, const char *name)
{
	uint16_t size, slot, i;
	int error;

	if (vq_lookup(sc, index) != NULL || max_segs == 0 ||
	    (max_size != 0 && !VQ_POWEROF2(max_size)))
		return (EINVAL);
	if ((slot = vq_free_slot(sc)) == VIO_MAX_VQS)
		return (ENOSPC);
	if (sc->sc_broken)
		return (EIO);
	if ((error = sc->sc_ops->queue_max_size(sc, index, &size)) != 0)
		return (error);
	/* Size 0 is how a device says the queue does not exist. */
	if (size == 0)
		return (ENOENT);
	if (!VQ_POWEROF2(size) || size > VIRTIO_QUEUE_SIZE_MAX) {
		vio_mark_broken(sc, "invalid queue size");
		return (EIO);
	}
	/* Legacy devices fix the size; modern ones take a smaller one. */
	if (sc->sc_modern && max_size != 0 && size > max_size)
		size = max_size;

	vio_memset(vq, 0, sizeof(*vq));
	vq->vq_sc = sc;
	vq->vq_name = name;
	vq->vq_index = index;
	vq->vq_slot = slot;
	vq->vq_num = size;
	/* No chain may be longer than the queue (spec 2.7.5.3.1). */
	vq->vq_maxsegs = max_segs < size ? max_segs : size;
	vq->vq_indirect = vio_has_feature(sc, VIRTIO_RING_F_INDIRECT_DESC) &&
	    vq->vq_maxsegs > 1;
	vq->vq_event_idx = vio_has_feature(sc, VIRTIO_RING_F_EVENT_IDX);
	if ((error = vq_alloc_rings(vq)) != 0)
		return (error);
	vq_alloc_indirect(vq);

	for (i = 0; i < size; i++)
		vq->vq_slots[i].sl_next = i + 1;
	vq->vq_free_head = 0;
	vq->vq_nfree = size;
	vq_sync(vq, VIO_DMA_PREWRITE | VIO_DMA_PREREAD);

	/* The vector is part of the queue's set-up: before the enable. */
	vq->vq_vector = vio_queue_vector(sc, index);
	error = 0;
	if (vq->vq_vector != VIRTIO_MSI_NO_VECTOR)
		error = sc->sc_ops->set_queue_vector(sc, index, vq->vq_vector);
	if (error == 0)
		error = sc->sc_ops->queue_setup(sc, vq);
	if (error != 0) {
		vq_release_memory(vq);
		return (error);
	}
	sc->sc_vqs[slot] = vq;
	return (0);
}

void
vq_free(struct vio_vq *vq)
{
	struct vio_softc *sc = vq->vq_sc;

	sc->sc_ops->queue_release(sc, vq);
	vq_release_memory(vq);
	sc->sc_vqs[vq->vq_slot] = NULL;
	vq->vq_sc = NULL;
}
