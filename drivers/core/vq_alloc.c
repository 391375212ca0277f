/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueue set-up and teardown: queue size, memory, free list; the
 * ring format's own layout is in vq_split.c or vq_packed.c.
 */

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vq_priv.h"

#define VQ_POWEROF2(x)		((x) != 0 && ((x) & ((x) - 1)) == 0)

/* One DMA area holds the format's three parts (vq_ring_ops.layout). */
static int
vq_alloc_rings(struct vio_vq *vq)
{
	void *os = vq->vq_sc->sc_os;
	size_t driver_off, device_off, total, align;
	uint8_t *va;
	int error;

	vq->vq_ops->layout(vq, &driver_off, &device_off, &total, &align);
	error = vio_dma_alloc(os, total, align, &vq->vq_ring_dma);
	if (error != 0)
		return (ENOMEM);
	va = vq->vq_ring_dma.vaddr;
	vio_memset(va, 0, total);
	vq->vq_ops->init(vq, va, driver_off, device_off);
	vq->vq_desc_pa = vq->vq_ring_dma.busaddr;
	vq->vq_avail_pa = vq->vq_desc_pa + driver_off;
	vq->vq_used_pa = vq->vq_desc_pa + device_off;

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

/* sc_vq_slots has a bit for each place in sc_vqs[]. */
typedef char vq_slots_fit[VIO_MAX_VQS <= 32 ? 1 : -1];

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
	bool packed;
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
	packed = vio_has_feature(sc, VIRTIO_F_RING_PACKED);
	/* Packed rings may have any size (spec 2.8, "Structure Size"). */
	if ((!packed && !VQ_POWEROF2(size)) || size > VIRTIO_QUEUE_SIZE_MAX) {
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
	/* No chain may be longer than the queue (spec 2.7.5.3.1; 2.8). */
	vq->vq_maxsegs = max_segs < size ? max_segs : size;
	vq->vq_indirect = vio_has_feature(sc, VIRTIO_RING_F_INDIRECT_DESC) &&
	    vq->vq_maxsegs > 1;
	vq->vq_event_idx = vio_has_feature(sc, VIRTIO_RING_F_EVENT_IDX);
	vq->vq_packed = packed;
	vq->vq_ops = packed ? &vq_packed_ops : &vq_split_ops;
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
	sc->sc_vq_slots |= (uint32_t)1 << slot;
	return (0);
}

void
vq_free(struct vio_vq *vq)
{
	struct vio_softc *sc = vq->vq_sc;

	sc->sc_ops->queue_release(sc, vq);
	vq_release_memory(vq);
	sc->sc_vqs[vq->vq_slot] = NULL;
	sc->sc_vq_slots &= ~((uint32_t)1 << vq->vq_slot);
	vq->vq_sc = NULL;
}
