/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The vio_os.h hooks of the test binding.  The os cookie is the
 * struct sim_dev.  Every register access is checked to lie inside the
 * BAR (or configuration space) it names: a core that reads out of bounds
 * fails the test as a driver error instead of going unnoticed.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vio_os.h"
#include "sim.h"
#include "sim_priv.h"

static void
sim_hard_error(struct sim_dev *dev, const char *what)
{

	dev->hard_errors++;
	sim_driver_error(dev, "%s", what);
}

static bool
sim_bar_ok(struct sim_dev *dev, int bar, uint32_t off, int width)
{

	char msg[80];

	if (bar < 0 || bar >= 6 || (uint64_t)off + width > dev->bar_size[bar]) {
		snprintf(msg, sizeof(msg), "access to BAR %d at %#x width %d"
		    " is out of bounds", bar, off, width);
		sim_hard_error(dev, msg);
		return (false);
	}
	return (true);
}

#define SIM_BAR_READ(name, type, width)					\
type									\
name(void *os, int bar, uint32_t off)					\
{									\
	struct sim_dev *dev = os;					\
									\
	if (!sim_bar_ok(dev, bar, off, width))				\
		return ((type)~0U);					\
	return ((type)sim_bar_read(dev, bar, off, width));		\
}

#define SIM_BAR_WRITE(name, type, width)				\
void									\
name(void *os, int bar, uint32_t off, type val)				\
{									\
	struct sim_dev *dev = os;					\
									\
	if (sim_bar_ok(dev, bar, off, width))				\
		sim_bar_write(dev, bar, off, width, val);		\
}

#define SIM_CFG_READ(name, type, width)					\
type									\
name(void *os, uint32_t off)						\
{									\
	struct sim_dev *dev = os;					\
									\
	if (off + width > sizeof(dev->pcicfg)) {			\
		sim_hard_error(dev, "config space read out of bounds");	\
		return ((type)~0U);					\
	}								\
	return ((type)sim_pcicfg_read(dev, off, width));		\
}

SIM_BAR_READ(vio_bar_read_1, uint8_t, 1)
SIM_BAR_READ(vio_bar_read_2, uint16_t, 2)
SIM_BAR_READ(vio_bar_read_4, uint32_t, 4)
SIM_BAR_WRITE(vio_bar_write_1, uint8_t, 1)
SIM_BAR_WRITE(vio_bar_write_2, uint16_t, 2)
SIM_BAR_WRITE(vio_bar_write_4, uint32_t, 4)
SIM_CFG_READ(vio_pcicfg_read_1, uint8_t, 1)
SIM_CFG_READ(vio_pcicfg_read_2, uint16_t, 2)
SIM_CFG_READ(vio_pcicfg_read_4, uint32_t, 4)

uint64_t
vio_bar_size(void *os, int bar)
{
	struct sim_dev *dev = os;

	return (bar >= 0 && bar < 6 ? dev->bar_size[bar] : 0);
}

/*
 * DMA memory: heap memory of exactly the size asked (so ASan catches an
 * overrun), at a bus address of our own, with a gap between regions so
 * that a device access running past one does not land in the next.
 */
int
vio_dma_alloc(void *os, size_t size, size_t align, struct vio_dma *dma)
{
	struct sim_dev *dev = os;
	struct sim_region *r;
	void *p;

	dev->dma_allocs++;
	if (dev->dma_fail_after != 0 && dev->dma_allocs == dev->dma_fail_after)
		return (ENOMEM);
	if (size == 0 || align == 0 || (align & (align - 1)) != 0) {
		sim_hard_error(dev, "dma_alloc of no size or bad alignment");
		return (EINVAL);
	}
	if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align,
	    size) != 0)
		return (ENOMEM);
	memset(p, 0, size);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		abort();
	dev->next_busaddr = (dev->next_busaddr + align - 1) &
	    ~(uint64_t)(align - 1);
	r->vaddr = p;
	r->busaddr = dev->next_busaddr;
	r->size = size;
	r->next = dev->regions;
	dev->regions = r;
	dev->next_busaddr += size + 4096;
	dma->vaddr = p;
	dma->busaddr = r->busaddr;
	dma->size = size;
	dma->priv = r;
	dev->dma_live++;
	return (0);
}

void
vio_dma_free(void *os, struct vio_dma *dma)
{
	struct sim_dev *dev = os;
	struct sim_region **rp;

	for (rp = &dev->regions; *rp != NULL; rp = &(*rp)->next) {
		if (*rp == dma->priv) {
			*rp = (*rp)->next;
			free(dma->vaddr);
			free(dma->priv);
			dma->vaddr = dma->priv = NULL;
			dev->dma_live--;
			return;
		}
	}
	sim_hard_error(dev, "dma_free of unknown region");
}

void
vio_dma_sync(void *os, struct vio_dma *dma, int ops)
{
	struct sim_dev *dev = os;
	struct sim_region *r;

	for (r = dev->regions; r != NULL; r = r->next)
		if (r == dma->priv)
			break;
	if (r == NULL || ops == 0 || (ops & ~0x0f) != 0)
		sim_hard_error(dev, "dma_sync of unknown region or bad ops");
	if (dev->sync_limit != 0 && ++dev->syncs > dev->sync_limit) {
		fprintf(stderr, "sim: more than %u DMA syncs in one call:"
		    " the driver loops\n", dev->sync_limit);
		abort();
	}
}

/* The longest bounded call of the process, said at exit (fuzz logs). */
static unsigned int sim_longest_bounded;

static void __attribute__((__destructor__))
sim_say_longest_bounded(void)
{

	if (sim_longest_bounded != 0)
		fprintf(stderr, "sim: longest bounded call: %u DMA syncs\n",
		    sim_longest_bounded);
}

void
sim_bound(struct sim_dev *dev, unsigned int limit)
{

	if (dev->sync_limit != 0 && dev->syncs > sim_longest_bounded)
		sim_longest_bounded = dev->syncs;
	dev->syncs = 0;
	dev->sync_limit = limit;
}

void *
sim_translate(struct sim_dev *dev, uint64_t addr, size_t len)
{
	struct sim_region *r;

	for (r = dev->regions; r != NULL; r = r->next) {
		if (addr >= r->busaddr && addr - r->busaddr <= r->size &&
		    len <= r->size - (addr - r->busaddr))
			return ((uint8_t *)r->vaddr + (addr - r->busaddr));
	}
	return (NULL);
}

void
sim_free_regions(struct sim_dev *dev)
{
	struct sim_region *r;

	while ((r = dev->regions) != NULL) {
		dev->regions = r->next;
		free(r->vaddr);
		free(r);
	}
}

void *
vio_mem_alloc(void *os, size_t size)
{
	struct sim_dev *dev = os;
	void *p;

	dev->mem_allocs++;
	if (dev->mem_fail_after != 0 && dev->mem_allocs == dev->mem_fail_after)
		return (NULL);
	if ((p = calloc(1, size)) != NULL)
		dev->mem_live++;
	return (p);
}

void
vio_mem_free(void *os, void *ptr, size_t size)
{
	struct sim_dev *dev = os;

	(void)size;
	if (ptr == NULL)
		return;
	free(ptr);
	dev->mem_live--;
}

void
vio_delay(void *os, unsigned int usec)
{
	struct sim_dev *dev = os;

	(void)usec;
	dev->delays++;
}

void
vio_log(void *os, const char *fmt, ...)
{
	struct sim_dev *dev = os;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->last_log, sizeof(dev->last_log), fmt, ap);
	va_end(ap);
	if (getenv("SIM_VERBOSE") != NULL)
		fprintf(stderr, "vio_log: %s", dev->last_log);
}
