/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * PCI transport: decide between the modern and the legacy interface.
 */

#include "vio_os.h"
#include "vio_pci.h"
#include "vio_pci_priv.h"

static bool
vio_pci_modern_only(uint16_t device_id)
{

	return (device_id >= VIRTIO_PCI_DEVICE_MODERN_MIN &&
	    device_id <= VIRTIO_PCI_DEVICE_MODERN_MAX);
}

uint16_t
vio_pci_device_type(uint16_t device_id, uint16_t subdevice)
{

	if (vio_pci_modern_only(device_id))
		return (device_id - VIRTIO_PCI_DEVICE_MODERN_MIN);
	/* Transitional devices name their type in the subsystem id. */
	if (device_id >= VIRTIO_PCI_DEVICE_TRANS_MIN &&
	    device_id <= VIRTIO_PCI_DEVICE_TRANS_MAX)
		return (subdevice);
	return (0);
}

int
vio_pci_attach(struct vio_pci_softc *psc, void *os, uint16_t device_id,
    int flags)
{
	struct vio_softc *sc = &psc->sc_vio;
	bool modern_only;

	vio_memset(psc, 0, sizeof(*psc));
	sc->sc_os = os;
	psc->sc_pci_device = device_id;
	modern_only = vio_pci_modern_only(device_id);
	sc->sc_device_type = vio_pci_device_type(device_id,
	    modern_only ? 0 : vio_pcicfg_read_2(os, PCIR_SUBDEV));
	if (sc->sc_device_type == 0)
		return (ENXIO);

	if (modern_only || (flags & VIO_PCI_PREFER_LEGACY) == 0) {
		if (vio_pci_modern_attach(psc) == 0)
			return (0);
		if (modern_only)
			return (ENXIO);
	}
	return (vio_pci_legacy_attach(psc));
}

void
vio_pci_set_msix(struct vio_pci_softc *psc, uint16_t nvectors)
{

	psc->sc_msix = nvectors != 0;
	psc->sc_vio.sc_nvectors = nvectors;
	if (!psc->sc_vio.sc_modern)
		vio_pci_legacy_set_msix(psc);
}

/* Both interfaces: device configuration lies in sc_devcfg. */
uint32_t
vio_pci_read_config(struct vio_softc *sc, uint32_t off, int width)
{

	return (vio_pci_read(sc, &vio_pci_softc(sc)->sc_devcfg, off, width));
}

void
vio_pci_write_config(struct vio_softc *sc, uint32_t off, int width,
    uint32_t val)
{

	vio_pci_write(sc, &vio_pci_softc(sc)->sc_devcfg, off, width, val);
}
