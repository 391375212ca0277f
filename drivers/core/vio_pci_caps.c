/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Walk the PCI capability list for the virtio vendor capabilities
 * (virtio 1.x spec 4.1.4).  Configuration space comes from the device:
 * the walk is bounded, every capability is checked to lie within
 * configuration space, and every region it names within its BAR.
 */

#include "vio_os.h"
#include "vio_pci.h"
#include "vio_pci_priv.h"

#define PCI_CONFIG_SIZE		256
#define PCI_CAP_FIRST		0x40
/* No more capabilities fit: a longer walk is a loop. */
#define PCI_CAP_MAX		((PCI_CONFIG_SIZE - PCI_CAP_FIRST) / 4)

/* Least sizes the core needs of each region. */
static const uint32_t vio_pci_region_min[] = {
	[VIRTIO_PCI_CAP_COMMON_CFG] = VIRTIO_PCI_COMMON_CFG_SIZE,
	[VIRTIO_PCI_CAP_NOTIFY_CFG] = 2,
	[VIRTIO_PCI_CAP_ISR_CFG] = 1,
	[VIRTIO_PCI_CAP_DEVICE_CFG] = 0,
};

static struct vio_pci_region *
vio_pci_cap_region(struct vio_pci_softc *psc, uint8_t cfg_type)
{

	switch (cfg_type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		return (&psc->sc_common);
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return (&psc->sc_notify);
	case VIRTIO_PCI_CAP_ISR_CFG:
		return (&psc->sc_isr);
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		return (&psc->sc_devcfg);
	default:
		return (NULL);
	}
}

/*
 * Take one vendor capability at ptr if it is the first usable one of its
 * type (spec 4.1.4.1: the driver uses the first it can).
 */
static void
vio_pci_vendor_cap(struct vio_pci_softc *psc, uint8_t ptr, uint32_t *found)
{
	void *os = psc->sc_vio.sc_os;
	struct vio_pci_region *r;
	uint8_t cap_len, cfg_type, bar;
	uint32_t off, len, mult = 0;
	uint64_t bar_size;

	cap_len = vio_pcicfg_read_1(os, ptr + VIRTIO_PCI_CAP_LEN);
	cfg_type = vio_pcicfg_read_1(os, ptr + VIRTIO_PCI_CAP_CFG_TYPE);
	r = vio_pci_cap_region(psc, cfg_type);
	if (r == NULL || (*found & (1U << cfg_type)) != 0)
		return;
	if (cap_len < VIRTIO_PCI_CAP_SIZE || ptr + cap_len > PCI_CONFIG_SIZE)
		return;
	bar = vio_pcicfg_read_1(os, ptr + VIRTIO_PCI_CAP_BAR);
	off = vio_pcicfg_read_4(os, ptr + VIRTIO_PCI_CAP_OFFSET);
	len = vio_pcicfg_read_4(os, ptr + VIRTIO_PCI_CAP_LENGTH);
	if (bar >= PCI_NUM_BARS || len < vio_pci_region_min[cfg_type])
		return;
	bar_size = vio_bar_size(os, bar);
	if ((uint64_t)off + len > bar_size)
		return;
	if (cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
		if (cap_len < VIRTIO_PCI_NOTIFY_CAP_SIZE)
			return;
		mult = vio_pcicfg_read_4(os, ptr + VIRTIO_PCI_NOTIFY_CAP_MULT);
		/* 0 or an even power of 2 (spec 4.1.4.4). */
		if (mult != 0 && ((mult & (mult - 1)) != 0 || (mult & 1) != 0))
			return;
		psc->sc_notify_mult = mult;
	}
	r->r_bar = bar;
	r->r_off = off;
	r->r_len = len;
	*found |= 1U << cfg_type;
}

int
vio_pci_find_caps(struct vio_pci_softc *psc)
{
	void *os = psc->sc_vio.sc_os;
	uint32_t found = 0, need;
	uint8_t ptr;
	int n;

	if ((vio_pcicfg_read_2(os, PCIR_STATUS) & PCIM_STATUS_CAPLIST) == 0)
		return (ENXIO);
	ptr = vio_pcicfg_read_1(os, PCIR_CAPPTR) & ~3;
	for (n = 0; ptr != 0 && n < PCI_CAP_MAX; n++) {
		/* Capabilities live above the standard header. */
		if (ptr < PCI_CAP_FIRST)
			break;
		if (vio_pcicfg_read_1(os, ptr) == PCI_CAP_ID_VNDR)
			vio_pci_vendor_cap(psc, ptr, &found);
		ptr = vio_pcicfg_read_1(os, ptr + 1) & ~3;
	}
	need = 1U << VIRTIO_PCI_CAP_COMMON_CFG |
	    1U << VIRTIO_PCI_CAP_NOTIFY_CFG | 1U << VIRTIO_PCI_CAP_ISR_CFG;
	if ((found & need) != need)
		return (ENXIO);
	/* Devices without configuration space (e.g. rng) have no region. */
	if ((found & 1U << VIRTIO_PCI_CAP_DEVICE_CFG) == 0)
		psc->sc_devcfg.r_len = 0;
	return (0);
}
