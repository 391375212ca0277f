/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * PCI through configuration mechanism #1 (ports 0xcf8/0xcfc), which QEMU
 * offers on both pc and q35.  BARs are used as the firmware (SeaBIOS, which
 * runs before QEMU's PVH loader) assigned them.
 */

#ifndef MINI_PCI_H
#define MINI_PCI_H

#include "types.h"

#define PCI_MAX_DEVICES		32
#define PCI_CAP_MSIX		0x11
#define PCI_CAP_VENDOR		0x09

struct pci_dev {
	uint8_t		bus, slot, func;
	uint16_t	vendor, device;
	uint16_t	subvendor, subdevice;
	uint8_t		class, subclass;
	uint8_t		irq_line, irq_pin;
	uint64_t	bar_base[6];
	uint64_t	bar_size[6];
	bool		bar_io[6];
};

uint8_t		pci_cfg_read8(const struct pci_dev *, uint32_t off);
uint16_t	pci_cfg_read16(const struct pci_dev *, uint32_t off);
uint32_t	pci_cfg_read32(const struct pci_dev *, uint32_t off);
void		pci_cfg_write16(const struct pci_dev *, uint32_t off,
		    uint16_t v);
void		pci_cfg_write32(const struct pci_dev *, uint32_t off,
		    uint32_t v);

/* Fill devs[] with every function found; returns how many. */
int		pci_scan(struct pci_dev *devs, int max);
/* Config offset of the first capability `id', or 0. */
uint32_t	pci_find_cap(const struct pci_dev *, uint8_t id);
void		pci_enable_busmaster(const struct pci_dev *);
void		pci_disable_intx(const struct pci_dev *, bool disable);

/* MSI-X: allocate `n' vectors' worth of table, route entry i to vec[i]. */
int		pci_msix_enable(struct pci_dev *, const int *vec, int n);
int		pci_msix_count(const struct pci_dev *);

#endif /* MINI_PCI_H */
