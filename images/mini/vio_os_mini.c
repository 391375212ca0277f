/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The hooks of vio_os_mini.h over the mini's allocator, PCI (or a virtio-mmio
 * window, the core's "BAR" 0) and console.
 */

#include "console.h"
#include "devices.h"
#include "mem.h"
#include "timer.h"
#include "vio_os.h"
#include "x86.h"

static inline struct pci_dev *
os_pci(void *os)
{

	return (&((struct mini_vdev *)os)->pci);
}

int
vio_dma_alloc(void *os, size_t size, size_t align, struct vio_dma *dma)
{
	size_t npages = roundup2(size, MINI_PAGE_SIZE) / MINI_PAGE_SIZE;
	uint64_t pa;

	(void)os;
	/* Pages are 4 KiB aligned, which covers every align the core asks. */
	if (size == 0 || align > MINI_PAGE_SIZE)
		return (EINVAL);
	pa = page_alloc(npages, 1);
	if (pa == 0)
		return (ENOMEM);
	memset((void *)(uintptr_t)pa, 0, npages * MINI_PAGE_SIZE);
	dma->vaddr = (void *)(uintptr_t)pa;
	dma->busaddr = pa;
	dma->size = size;
	dma->priv = NULL;
	return (0);
}

void
vio_dma_free(void *os, struct vio_dma *dma)
{

	(void)os;
	if (dma->vaddr == NULL)
		return;
	page_free(dma->busaddr, roundup2(dma->size, MINI_PAGE_SIZE) /
	    MINI_PAGE_SIZE);
	dma->vaddr = NULL;
}

void *
vio_mem_alloc(void *os, size_t size)
{
	struct vio_dma dma;

	if (vio_dma_alloc(os, size, 1, &dma) != 0)
		return (NULL);
	return (dma.vaddr);
}

void
vio_mem_free(void *os, void *ptr, size_t size)
{

	(void)os;
	if (ptr != NULL)
		page_free((uint64_t)(uintptr_t)ptr,
		    roundup2(size, MINI_PAGE_SIZE) / MINI_PAGE_SIZE);
}

/* Where a register region starts, and whether in I/O space. */
static uint64_t
os_bar(void *os, int bar, bool *io)
{
	struct mini_vdev *vd = os;

	if (vd->is_mmio) {
		*io = false;
		return (vd->mmio.base);
	}
	*io = vd->pci.bar_io[bar];
	return (vd->pci.bar_base[bar]);
}

/*
 * I/O BARs go through port instructions, memory BARs and virtio-mmio
 * windows through uncached identity mappings; the core has checked off
 * against vio_bar_size().
 */
#define BAR_ACCESS(width, type, in, out)				\
type									\
vio_bar_read_##width(void *os, int bar, uint32_t off)			\
{									\
	bool io;							\
	uint64_t base = os_bar(os, bar, &io);				\
									\
	if (io)								\
		return (in((uint16_t)(base + off)));			\
	return (*(volatile type *)(uintptr_t)(base + off));		\
}									\
									\
void									\
vio_bar_write_##width(void *os, int bar, uint32_t off, type val)	\
{									\
	bool io;							\
	uint64_t base = os_bar(os, bar, &io);				\
									\
	if (io)								\
		out((uint16_t)(base + off), val);			\
	else								\
		*(volatile type *)(uintptr_t)(base + off) = val;	\
}

BAR_ACCESS(1, uint8_t, inb, outb)
BAR_ACCESS(2, uint16_t, inw, outw)
BAR_ACCESS(4, uint32_t, inl, outl)

uint64_t
vio_bar_size(void *os, int bar)
{
	struct mini_vdev *vd = os;
	struct pci_dev *d = &vd->pci;

	if (vd->is_mmio)
		return (bar == VIO_MMIO_BAR ? vd->mmio.size : 0);
	if (bar < 0 || bar > 5 || d->bar_base[bar] == 0)
		return (0);
	return (d->bar_size[bar]);
}

uint8_t
vio_pcicfg_read_1(void *os, uint32_t off)
{

	return (pci_cfg_read8(os_pci(os), off));
}

uint16_t
vio_pcicfg_read_2(void *os, uint32_t off)
{

	return (pci_cfg_read16(os_pci(os), off));
}

uint32_t
vio_pcicfg_read_4(void *os, uint32_t off)
{

	return (pci_cfg_read32(os_pci(os), off));
}

void
vio_delay(void *os, unsigned int usec)
{

	(void)os;
	timer_udelay(usec);
}

void
vio_log(void *os, const char *fmt, ...)
{
	struct mini_vdev *vd = os;
	char msg[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(msg) && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	printf("%s: %s\n", vd->where, msg);
}
