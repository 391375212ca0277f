/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-mmio version 2, the virtio 1.x interface (spec 4.2.3): the
 * three areas of a queue at their own addresses, QueueReady to enable
 * it, and a configuration generation counter.
 */

#include "vio_os.h"
#include "vio_mmio.h"
#include "vio_vq.h"
#include "vio_mmio_priv.h"

static uint32_t
vio_mmio_modern_config_generation(struct vio_softc *sc)
{

	return (vio_mmio_read(sc, VIRTIO_MMIO_CONFIG_GENERATION));
}

static int
vio_mmio_modern_queue_setup(struct vio_softc *sc, struct vio_vq *vq)
{

	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_SEL, vq->vq_index);
	/* The driver must find the queue not ready (4.2.3.2). */
	if (vio_mmio_read(sc, VIRTIO_MMIO_QUEUE_READY) != 0) {
		vio_mark_broken(sc, "queue already in use");
		return (EIO);
	}
	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_NUM, vq->vq_num);
	vio_mmio_write_8(sc, VIRTIO_MMIO_QUEUE_DESC_LOW, vq->vq_desc_pa);
	vio_mmio_write_8(sc, VIRTIO_MMIO_QUEUE_AVAIL_LOW, vq->vq_avail_pa);
	vio_mmio_write_8(sc, VIRTIO_MMIO_QUEUE_USED_LOW, vq->vq_used_pa);
	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_READY, 1);
	if (vio_mmio_read(sc, VIRTIO_MMIO_QUEUE_READY) != 1) {
		vio_mark_broken(sc, "queue not enabled");
		return (EIO);
	}
	return (0);
}

/* A ready queue stays so until the device is reset. */
static void
vio_mmio_modern_queue_release(struct vio_softc *sc, struct vio_vq *vq)
{

	(void)sc;
	(void)vq;
}

const struct vio_transport_ops vio_mmio_modern_ops = {
	.name = "mmio-modern",
	.get_status = vio_mmio_get_status,
	.set_status = vio_mmio_set_status,
	.read_device_features = vio_mmio_read_features,
	.write_driver_features = vio_mmio_write_features,
	.config_generation = vio_mmio_modern_config_generation,
	.read_config = vio_mmio_read_config,
	.write_config = vio_mmio_write_config,
	.queue_max_size = vio_mmio_queue_max_size,
	.queue_setup = vio_mmio_modern_queue_setup,
	.queue_release = vio_mmio_modern_queue_release,
	.notify = vio_mmio_notify,
	.set_config_vector = vio_mmio_set_config_vector,
	.set_queue_vector = vio_mmio_set_queue_vector,
	.read_isr = vio_mmio_read_isr,
	.ring_used_align = VRING_USED_ALIGN,
};
