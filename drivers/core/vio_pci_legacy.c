/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Legacy (virtio 0.9.5) PCI interface: registers in I/O BAR 0
 * (virtio 1.x spec 4.1.4.8).
 */

#include "vio_os.h"
#include "vio_pci.h"
#include "vio_vq.h"
#include "vio_pci_priv.h"

#define VIRTIO_LEGACY_BAR_MAX	256

/* The whole register file, BAR 0 from offset 0. */
static const struct vio_pci_region vio_pci_legacy_regs = {
	.r_bar = VIRTIO_LEGACY_BAR, .r_off = 0, .r_len = VIRTIO_LEGACY_CONFIG,
};

static uint32_t
vio_pci_legacy_read(struct vio_softc *sc, uint32_t reg, int width)
{

	return (vio_pci_read(sc, &vio_pci_legacy_regs, reg, width));
}

static void
vio_pci_legacy_write(struct vio_softc *sc, uint32_t reg, int width,
    uint32_t val)
{

	vio_pci_write(sc, &vio_pci_legacy_regs, reg, width, val);
}

static uint8_t
vio_pci_legacy_get_status(struct vio_softc *sc)
{

	return (vio_pci_legacy_read(sc, VIRTIO_LEGACY_STATUS, 1));
}

static void
vio_pci_legacy_set_status(struct vio_softc *sc, uint8_t status)
{

	vio_pci_legacy_write(sc, VIRTIO_LEGACY_STATUS, 1, status);
}

static uint64_t
vio_pci_legacy_read_features(struct vio_softc *sc)
{

	return (vio_pci_legacy_read(sc, VIRTIO_LEGACY_HOST_FEATURES, 4));
}

static void
vio_pci_legacy_write_features(struct vio_softc *sc, uint64_t features)
{

	vio_pci_legacy_write(sc, VIRTIO_LEGACY_GUEST_FEATURES, 4,
	    (uint32_t)features);
}

static int
vio_pci_legacy_queue_max_size(struct vio_softc *sc, uint16_t idx,
    uint16_t *sizep)
{

	vio_pci_legacy_write(sc, VIRTIO_LEGACY_QUEUE_SEL, 2, idx);
	*sizep = vio_pci_legacy_read(sc, VIRTIO_LEGACY_QUEUE_NUM, 2);
	return (0);
}

static int
vio_pci_legacy_queue_setup(struct vio_softc *sc, struct vio_vq *vq)
{
	uint64_t pfn = vq->vq_desc_pa >> VIRTIO_LEGACY_PFN_SHIFT;

	/* The ring's page frame must fit the 32-bit register. */
	if ((vq->vq_desc_pa & (VRING_LEGACY_ALIGN - 1)) != 0 ||
	    pfn > 0xffffffffU || pfn == 0)
		return (EINVAL);
	vio_pci_legacy_write(sc, VIRTIO_LEGACY_QUEUE_SEL, 2, vq->vq_index);
	vio_pci_legacy_write(sc, VIRTIO_LEGACY_QUEUE_PFN, 4, (uint32_t)pfn);
	return (0);
}

static void
vio_pci_legacy_queue_release(struct vio_softc *sc, struct vio_vq *vq)
{

	vio_pci_legacy_write(sc, VIRTIO_LEGACY_QUEUE_SEL, 2, vq->vq_index);
	vio_pci_legacy_write(sc, VIRTIO_LEGACY_QUEUE_PFN, 4, 0);
}

static void
vio_pci_legacy_notify(struct vio_softc *sc, struct vio_vq *vq)
{

	vio_pci_legacy_write(sc, VIRTIO_LEGACY_QUEUE_NOTIFY, 2, vq->vq_index);
}

static int
vio_pci_legacy_set_config_vector(struct vio_softc *sc, uint16_t vec)
{

	return (vio_pci_vector(sc, &vio_pci_legacy_regs,
	    VIRTIO_LEGACY_MSIX_CONFIG, vec));
}

static int
vio_pci_legacy_set_queue_vector(struct vio_softc *sc, uint16_t idx,
    uint16_t vec)
{

	vio_pci_legacy_write(sc, VIRTIO_LEGACY_QUEUE_SEL, 2, idx);
	return (vio_pci_vector(sc, &vio_pci_legacy_regs,
	    VIRTIO_LEGACY_MSIX_QUEUE, vec));
}

static uint8_t
vio_pci_legacy_read_isr(struct vio_softc *sc)
{

	return (vio_pci_legacy_read(sc, VIRTIO_LEGACY_ISR, 1));
}

static const struct vio_transport_ops vio_pci_legacy_ops = {
	.name = "pci-legacy",
	.get_status = vio_pci_legacy_get_status,
	.set_status = vio_pci_legacy_set_status,
	.read_device_features = vio_pci_legacy_read_features,
	.write_driver_features = vio_pci_legacy_write_features,
	.config_generation = NULL,
	.read_config = vio_pci_read_config,
	.write_config = vio_pci_write_config,
	.queue_max_size = vio_pci_legacy_queue_max_size,
	.queue_setup = vio_pci_legacy_queue_setup,
	.queue_release = vio_pci_legacy_queue_release,
	.notify = vio_pci_legacy_notify,
	.set_config_vector = vio_pci_legacy_set_config_vector,
	.set_queue_vector = vio_pci_legacy_set_queue_vector,
	.read_isr = vio_pci_legacy_read_isr,
	.ring_used_align = VRING_LEGACY_ALIGN,
};

/* Device configuration follows the registers, which MSI-X extends. */
void
vio_pci_legacy_set_msix(struct vio_pci_softc *psc)
{
	uint64_t bar_size = vio_bar_size(psc->sc_vio.sc_os, VIRTIO_LEGACY_BAR);
	uint32_t off;

	/* An I/O BAR spans at most 256 bytes; ignore any larger claim. */
	if (bar_size > VIRTIO_LEGACY_BAR_MAX)
		bar_size = VIRTIO_LEGACY_BAR_MAX;
	off = psc->sc_msix ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;
	psc->sc_devcfg.r_bar = VIRTIO_LEGACY_BAR;
	psc->sc_devcfg.r_off = off;
	psc->sc_devcfg.r_len = bar_size > off ? (uint32_t)(bar_size - off) : 0;
	psc->sc_vio.sc_config_len = psc->sc_devcfg.r_len;
}

int
vio_pci_legacy_attach(struct vio_pci_softc *psc)
{
	uint64_t bar_size = vio_bar_size(psc->sc_vio.sc_os, VIRTIO_LEGACY_BAR);

	/* The registers, MSI-X ones included, need 24 bytes. */
	if (bar_size < VIRTIO_LEGACY_CONFIG_MSIX)
		return (ENXIO);
	psc->sc_vio.sc_ops = &vio_pci_legacy_ops;
	psc->sc_vio.sc_modern = false;
	vio_pci_legacy_set_msix(psc);
	return (0);
}
