/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Modern (virtio 1.x) PCI interface: common configuration, notify, ISR
 * and device configuration regions found by vio_pci_find_caps()
 * (virtio 1.x spec 4.1.4).
 */

#include "vio_os.h"
#include "vio_pci.h"
#include "vio_vq.h"
#include "vio_pci_priv.h"

static uint32_t
vio_pci_common_read(struct vio_softc *sc, uint32_t reg, int width)
{

	return (vio_pci_read(sc, &vio_pci_softc(sc)->sc_common, reg, width));
}

static void
vio_pci_common_write(struct vio_softc *sc, uint32_t reg, int width,
    uint32_t val)
{

	vio_pci_write(sc, &vio_pci_softc(sc)->sc_common, reg, width, val);
}

static void
vio_pci_common_write_8(struct vio_softc *sc, uint32_t reg, uint64_t val)
{

	vio_pci_common_write(sc, reg, 4, (uint32_t)val);
	vio_pci_common_write(sc, reg + 4, 4, (uint32_t)(val >> 32));
}

static uint8_t
vio_pci_modern_get_status(struct vio_softc *sc)
{

	return (vio_pci_common_read(sc, VIRTIO_PCI_COMMON_STATUS, 1));
}

static void
vio_pci_modern_set_status(struct vio_softc *sc, uint8_t status)
{

	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_STATUS, 1, status);
}

static uint64_t
vio_pci_modern_read_features(struct vio_softc *sc)
{
	uint64_t lo, hi;

	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	lo = vio_pci_common_read(sc, VIRTIO_PCI_COMMON_DF, 4);
	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	hi = vio_pci_common_read(sc, VIRTIO_PCI_COMMON_DF, 4);
	return (hi << 32 | lo);
}

static void
vio_pci_modern_write_features(struct vio_softc *sc, uint64_t features)
{

	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)features);
	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_GF, 4,
	    (uint32_t)(features >> 32));
}

static uint32_t
vio_pci_modern_config_generation(struct vio_softc *sc)
{

	return (vio_pci_common_read(sc, VIRTIO_PCI_COMMON_CFGGENERATION, 1));
}

static int
vio_pci_modern_queue_max_size(struct vio_softc *sc, uint16_t idx,
    uint16_t *sizep)
{

	if (idx >= vio_pci_softc(sc)->sc_num_queues)
		return (ENOENT);
	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_Q_SELECT, 2, idx);
	*sizep = vio_pci_common_read(sc, VIRTIO_PCI_COMMON_Q_SIZE, 2);
	return (0);
}

static int
vio_pci_modern_queue_setup(struct vio_softc *sc, struct vio_vq *vq)
{
	struct vio_pci_softc *psc = vio_pci_softc(sc);
	uint64_t notify_off;

	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_Q_SELECT, 2, vq->vq_index);
	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_Q_SIZE, 2, vq->vq_num);
	if (vio_pci_common_read(sc, VIRTIO_PCI_COMMON_Q_SIZE, 2) !=
	    vq->vq_num) {
		vio_mark_broken(sc, "queue size not accepted");
		return (EIO);
	}
	/* The doorbell must lie inside the notify region. */
	notify_off = (uint64_t)vio_pci_common_read(sc,
	    VIRTIO_PCI_COMMON_Q_NOFF, 2) * psc->sc_notify_mult;
	if (notify_off + 2 > psc->sc_notify.r_len) {
		vio_mark_broken(sc, "queue notify offset out of range");
		return (EIO);
	}
	vq->vq_notify_off = (uint32_t)notify_off;
	/*
	 * The three areas of either ring format (vio_vq.h): packed rings
	 * put their event suppression structures in the driver and
	 * device areas.
	 */
	vio_pci_common_write_8(sc, VIRTIO_PCI_COMMON_Q_DESCLO, vq->vq_desc_pa);
	vio_pci_common_write_8(sc, VIRTIO_PCI_COMMON_Q_AVAILLO,
	    vq->vq_avail_pa);
	vio_pci_common_write_8(sc, VIRTIO_PCI_COMMON_Q_USEDLO, vq->vq_used_pa);
	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	if (vio_pci_common_read(sc, VIRTIO_PCI_COMMON_Q_ENABLE, 2) != 1) {
		vio_mark_broken(sc, "queue not enabled");
		return (EIO);
	}
	return (0);
}

/* A modern queue stays enabled until the device is reset. */
static void
vio_pci_modern_queue_release(struct vio_softc *sc, struct vio_vq *vq)
{

	(void)sc;
	(void)vq;
}

static void
vio_pci_modern_notify(struct vio_softc *sc, struct vio_vq *vq)
{

	vio_pci_write(sc, &vio_pci_softc(sc)->sc_notify, vq->vq_notify_off, 2,
	    vq->vq_index);
}

static int
vio_pci_modern_set_config_vector(struct vio_softc *sc, uint16_t vec)
{

	return (vio_pci_vector(sc, &vio_pci_softc(sc)->sc_common,
	    VIRTIO_PCI_COMMON_MSIX, vec));
}

static int
vio_pci_modern_set_queue_vector(struct vio_softc *sc, uint16_t idx,
    uint16_t vec)
{

	vio_pci_common_write(sc, VIRTIO_PCI_COMMON_Q_SELECT, 2, idx);
	return (vio_pci_vector(sc, &vio_pci_softc(sc)->sc_common,
	    VIRTIO_PCI_COMMON_Q_MSIX, vec));
}

static uint8_t
vio_pci_modern_read_isr(struct vio_softc *sc)
{

	return (vio_pci_read(sc, &vio_pci_softc(sc)->sc_isr, 0, 1));
}

static const struct vio_transport_ops vio_pci_modern_ops = {
	.name = "pci-modern",
	.get_status = vio_pci_modern_get_status,
	.set_status = vio_pci_modern_set_status,
	.read_device_features = vio_pci_modern_read_features,
	.write_driver_features = vio_pci_modern_write_features,
	.config_generation = vio_pci_modern_config_generation,
	.read_config = vio_pci_read_config,
	.write_config = vio_pci_write_config,
	.queue_max_size = vio_pci_modern_queue_max_size,
	.queue_setup = vio_pci_modern_queue_setup,
	.queue_release = vio_pci_modern_queue_release,
	.notify = vio_pci_modern_notify,
	.set_config_vector = vio_pci_modern_set_config_vector,
	.set_queue_vector = vio_pci_modern_set_queue_vector,
	.read_isr = vio_pci_modern_read_isr,
	.ring_used_align = VRING_USED_ALIGN,
};

int
vio_pci_modern_attach(struct vio_pci_softc *psc)
{
	struct vio_softc *sc = &psc->sc_vio;
	int error;

	if ((error = vio_pci_find_caps(psc)) != 0)
		return (error);
	sc->sc_ops = &vio_pci_modern_ops;
	sc->sc_modern = true;
	sc->sc_config_len = psc->sc_devcfg.r_len;
	psc->sc_num_queues = vio_pci_common_read(sc, VIRTIO_PCI_COMMON_NUMQ, 2);
	return (0);
}
