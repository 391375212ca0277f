/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include "intr.h"
#include "mem.h"
#include "paging.h"
#include "pci.h"
#include "x86.h"

#define PCI_ADDR	0xcf8
#define PCI_DATA	0xcfc
#define PCI_COMMAND	0x04
#define CMD_IO		0x0001
#define CMD_MEM		0x0002
#define CMD_MASTER	0x0004
#define CMD_INTX_OFF	0x0400
#define PCI_STATUS_CAPS	0x0010
#define PCI_HDR_TYPE	0x0e
#define PCI_BAR0	0x10
#define PCI_SUBSYS	0x2c
#define PCI_CAP_PTR	0x34
#define PCI_INTR	0x3c
#define PCI_SECBUS	0x19
#define MSIX_CTRL	2
#define MSIX_TABLE	4
#define MSIX_ENABLE	0x8000
#define MSIX_FMASK	0x4000
#define MSI_ADDR_BASE	0xfee00000U

static uint32_t
cfg_addr(const struct pci_dev *d, uint32_t off)
{

	return (0x80000000U | (uint32_t)d->bus << 16 |
	    (uint32_t)d->slot << 11 | (uint32_t)d->func << 8 | (off & 0xfc));
}

uint32_t
pci_cfg_read32(const struct pci_dev *d, uint32_t off)
{

	outl(PCI_ADDR, cfg_addr(d, off));
	return (inl(PCI_DATA));
}

uint16_t
pci_cfg_read16(const struct pci_dev *d, uint32_t off)
{

	outl(PCI_ADDR, cfg_addr(d, off));
	return (inw(PCI_DATA + (off & 2)));
}

uint8_t
pci_cfg_read8(const struct pci_dev *d, uint32_t off)
{

	outl(PCI_ADDR, cfg_addr(d, off));
	return (inb(PCI_DATA + (off & 3)));
}

void
pci_cfg_write32(const struct pci_dev *d, uint32_t off, uint32_t v)
{

	outl(PCI_ADDR, cfg_addr(d, off));
	outl(PCI_DATA, v);
}

void
pci_cfg_write16(const struct pci_dev *d, uint32_t off, uint16_t v)
{

	outl(PCI_ADDR, cfg_addr(d, off));
	outw(PCI_DATA + (off & 2), v);
}

/* Size a BAR the usual way, with decoding off while it reads all-ones. */
static void
pci_read_bars(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);
	uint32_t off, lo, hi, szlo, szhi;
	uint64_t mask;
	int i;

	pci_cfg_write16(d, PCI_COMMAND, cmd & ~(CMD_IO | CMD_MEM));
	for (i = 0; i < 6; i++) {
		off = PCI_BAR0 + 4 * i;
		lo = pci_cfg_read32(d, off);
		pci_cfg_write32(d, off, 0xffffffff);
		szlo = pci_cfg_read32(d, off);
		pci_cfg_write32(d, off, lo);
		if (szlo == 0)
			continue;
		if (lo & 1) {
			d->bar_io[i] = true;
			d->bar_base[i] = lo & ~3U;
			d->bar_size[i] = (~(szlo & ~3U) + 1) & 0xffff;
			continue;
		}
		if ((lo & 6) == 4 && i < 5) {
			hi = pci_cfg_read32(d, off + 4);
			pci_cfg_write32(d, off + 4, 0xffffffff);
			szhi = pci_cfg_read32(d, off + 4);
			pci_cfg_write32(d, off + 4, hi);
			mask = (uint64_t)szhi << 32 | (szlo & ~0xfU);
			d->bar_base[i] = ((uint64_t)hi << 32) | (lo & ~0xfU);
			d->bar_size[i] = ~mask + 1;
			i++;
			continue;
		}
		d->bar_base[i] = lo & ~0xfU;
		d->bar_size[i] = (uint32_t)(~(szlo & ~0xfU) + 1);
	}
	pci_cfg_write16(d, PCI_COMMAND, cmd);
	for (i = 0; i < 6; i++)
		if (!d->bar_io[i] && d->bar_base[i] != 0)
			paging_map_mmio(d->bar_base[i], d->bar_size[i]);
}

static int scan_bus(uint8_t bus, struct pci_dev *devs, int n, int max);

static int
scan_function(struct pci_dev *d, struct pci_dev *devs, int n, int max)
{
	uint32_t id = pci_cfg_read32(d, 0);
	uint32_t class = pci_cfg_read32(d, 8);
	uint32_t sub, intr;

	d->vendor = id & 0xffff;
	d->device = id >> 16;
	d->class = class >> 24;
	d->subclass = (class >> 16) & 0xff;
	if ((pci_cfg_read8(d, PCI_HDR_TYPE) & 0x7f) == 1) {
		/* A bridge: what sits behind it is on its secondary bus. */
		uint8_t sec = pci_cfg_read8(d, PCI_SECBUS);

		if (sec > d->bus)
			n = scan_bus(sec, devs, n, max);
		return (n);
	}
	if (n >= max)
		return (n);
	sub = pci_cfg_read32(d, PCI_SUBSYS);
	intr = pci_cfg_read32(d, PCI_INTR);
	d->subvendor = sub & 0xffff;
	d->subdevice = sub >> 16;
	d->irq_line = intr & 0xff;
	d->irq_pin = (intr >> 8) & 0xff;
	pci_read_bars(d);
	devs[n] = *d;
	return (n + 1);
}

static int
scan_bus(uint8_t bus, struct pci_dev *devs, int n, int max)
{
	struct pci_dev d;
	uint8_t slot, func, nfunc;

	for (slot = 0; slot < 32; slot++) {
		nfunc = 1;
		for (func = 0; func < nfunc; func++) {
			memset(&d, 0, sizeof(d));
			d.bus = bus;
			d.slot = slot;
			d.func = func;
			if ((pci_cfg_read32(&d, 0) & 0xffff) == 0xffff)
				continue;
			if (func == 0 && (pci_cfg_read8(&d, PCI_HDR_TYPE) & 0x80))
				nfunc = 8;
			n = scan_function(&d, devs, n, max);
		}
	}
	return (n);
}

int
pci_scan(struct pci_dev *devs, int max)
{

	return (scan_bus(0, devs, 0, max));
}

uint32_t
pci_find_cap(const struct pci_dev *d, uint8_t id)
{
	uint32_t off;
	int guard;

	if ((pci_cfg_read16(d, 6) & PCI_STATUS_CAPS) == 0)
		return (0);
	off = pci_cfg_read8(d, PCI_CAP_PTR) & ~3U;
	for (guard = 0; off != 0 && guard < 48; guard++) {
		if (pci_cfg_read8(d, off) == id)
			return (off);
		off = pci_cfg_read8(d, off + 1) & ~3U;
	}
	return (0);
}

void
pci_enable_busmaster(const struct pci_dev *d)
{

	pci_cfg_write16(d, PCI_COMMAND, pci_cfg_read16(d, PCI_COMMAND) |
	    CMD_MASTER | CMD_IO | CMD_MEM);
}

void
pci_disable_intx(const struct pci_dev *d, bool disable)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	pci_cfg_write16(d, PCI_COMMAND, disable ? (cmd | CMD_INTX_OFF) :
	    (cmd & ~CMD_INTX_OFF));
}

int
pci_msix_count(const struct pci_dev *d)
{
	uint32_t cap = pci_find_cap(d, PCI_CAP_MSIX);

	if (cap == 0)
		return (0);
	return ((pci_cfg_read16(d, cap + MSIX_CTRL) & 0x7ff) + 1);
}

int
pci_msix_enable(struct pci_dev *d, const int *vec, int n)
{
	uint32_t cap = pci_find_cap(d, PCI_CAP_MSIX);
	uint32_t table;
	uint16_t ctrl;
	volatile uint32_t *ent;
	int bir, i;

	if (cap == 0 || n > pci_msix_count(d))
		return (-1);
	table = pci_cfg_read32(d, cap + MSIX_TABLE);
	bir = table & 7;
	if (bir > 5 || d->bar_io[bir] || d->bar_base[bir] == 0)
		return (-1);
	ctrl = pci_cfg_read16(d, cap + MSIX_CTRL);
	/* Mask the function while the table is half written. */
	pci_cfg_write16(d, cap + MSIX_CTRL, ctrl | MSIX_ENABLE | MSIX_FMASK);
	ent = (volatile uint32_t *)(uintptr_t)(d->bar_base[bir] +
	    (table & ~7U));
	for (i = 0; i < n; i++, ent += 4) {
		ent[0] = MSI_ADDR_BASE | lapic_id() << 12;
		ent[1] = 0;
		ent[2] = (uint32_t)vec[i];	/* fixed, edge */
		ent[3] = 0;			/* unmasked */
	}
	pci_cfg_write16(d, cap + MSIX_CTRL, (ctrl | MSIX_ENABLE) & ~MSIX_FMASK);
	pci_disable_intx(d, true);
	return (0);
}
