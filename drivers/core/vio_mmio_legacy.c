/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-mmio version 1, the legacy interface (virtio 1.x spec 4.2.4):
 * the driver tells the page size, and a queue is one area found from its
 * page frame, the used ring aligned as QueueAlign says.
 */

#include "vio_os.h"
#include "vio_mmio.h"
#include "vio_vq.h"
#include "vio_mmio_priv.h"

static int
vio_mmio_legacy_queue_setup(struct vio_softc *sc, struct vio_vq *vq)
{
	uint64_t pfn = vq->vq_desc_pa >> VIRTIO_MMIO_LEGACY_PFN_SHIFT;

	/* The ring's page frame must fit the 32-bit register. */
	if ((vq->vq_desc_pa & (VIRTIO_MMIO_LEGACY_PAGE_SIZE - 1)) != 0 ||
	    pfn > 0xffffffffU || pfn == 0)
		return (EINVAL);
	vio_mmio_write(sc, VIRTIO_MMIO_GUEST_PAGE_SIZE,
	    VIRTIO_MMIO_LEGACY_PAGE_SIZE);
	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_SEL, vq->vq_index);
	/* A page frame other than 0 means the queue is in use (4.2.4). */
	if (vio_mmio_read(sc, VIRTIO_MMIO_QUEUE_PFN) != 0) {
		vio_mark_broken(sc, "queue already in use");
		return (EIO);
	}
	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_NUM, vq->vq_num);
	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_ALIGN, VRING_LEGACY_ALIGN);
	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)pfn);
	if (vio_mmio_read(sc, VIRTIO_MMIO_QUEUE_PFN) != (uint32_t)pfn) {
		vio_mark_broken(sc, "queue address not accepted");
		return (EIO);
	}
	return (0);
}

static void
vio_mmio_legacy_queue_release(struct vio_softc *sc, struct vio_vq *vq)
{

	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_SEL, vq->vq_index);
	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_PFN, 0);
}

const struct vio_transport_ops vio_mmio_legacy_ops = {
	.name = "mmio-legacy",
	.get_status = vio_mmio_get_status,
	.set_status = vio_mmio_set_status,
	.read_device_features = vio_mmio_read_features,
	.write_driver_features = vio_mmio_write_features,
	.config_generation = NULL,
	.read_config = vio_mmio_read_config,
	.write_config = vio_mmio_write_config,
	.queue_max_size = vio_mmio_queue_max_size,
	.queue_setup = vio_mmio_legacy_queue_setup,
	.queue_release = vio_mmio_legacy_queue_release,
	.notify = vio_mmio_notify,
	.set_config_vector = vio_mmio_set_config_vector,
	.set_queue_vector = vio_mmio_set_queue_vector,
	.read_isr = vio_mmio_read_isr,
	.ring_used_align = VRING_LEGACY_ALIGN,
};
