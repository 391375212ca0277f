/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The hooks of vio_os_dragonfly.h for the DragonFly kernel: coherent bus_dma
 * memory, BAR access through the resources vio_pci mapped, PCI
 * configuration reads, kmalloc and device_printf.  The cookie is always
 * the struct vpci_softc of the function.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/kernel.h>
#include <sys/malloc.h>
#include <sys/rman.h>
#include <sys/serialize.h>
#include <sys/sysctl.h>

#include <bus/pci/pcivar.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_pci.h"
#include "vio_pci_bus_var.h"

MALLOC_DEFINE(M_VIO, "vio", "virtio core bookkeeping");

int
vio_dma_alloc(void *os, size_t size, size_t align, struct vio_dma *dma)
{
	struct vpci_softc *sc = os;
	bus_dmamem_t dmem;
	int error;

	/*
	 * A legacy device takes a ring as a 32-bit number of 4 KiB pages:
	 * keep all ring and header memory below 2^44 so either interface
	 * can reach it.
	 */
	error = bus_dmamem_coherent(sc->sc_dmat, align, 0,
	    VIOPCI_DMA_LOWADDR, BUS_SPACE_MAXADDR, size,
	    BUS_DMA_WAITOK | BUS_DMA_ZERO, &dmem);
	if (error != 0)
		return (ENOMEM);
	dma->vaddr = dmem.dmem_addr;
	dma->busaddr = dmem.dmem_busaddr;
	dma->size = size;
	dma->tag = dmem.dmem_tag;
	dma->map = dmem.dmem_map;
	return (0);
}

void
vio_dma_free(void *os __unused, struct vio_dma *dma)
{

	if (dma->vaddr == NULL)
		return;
	bus_dmamap_unload(dma->tag, dma->map);
	bus_dmamem_free(dma->tag, dma->vaddr, dma->map);
	bus_dma_tag_destroy(dma->tag);
	dma->vaddr = NULL;
}

void
vio_dma_sync(void *os __unused, struct vio_dma *dma, int ops)
{

	bus_dmamap_sync(dma->tag, dma->map, ops);
}

void *
vio_mem_alloc(void *os __unused, size_t size)
{

	return (kmalloc(size, M_VIO, M_WAITOK | M_ZERO));
}

void
vio_mem_free(void *os __unused, void *ptr, size_t size __unused)
{

	kfree(ptr, M_VIO);
}

/*
 * The core checks every region against vio_bar_size() before it uses
 * it, so an absent BAR is never accessed; the KASSERTs say so.
 */
static struct resource *
vpci_bar(void *os, int bar)
{
	struct vpci_softc *sc = os;

	KASSERT(bar >= 0 && bar < PCI_NUM_BARS && sc->sc_bar[bar] != NULL,
	    ("vio_pci: access to unmapped BAR %d", bar));
	return (sc->sc_bar[bar]);
}

uint8_t
vio_bar_read_1(void *os, int bar, uint32_t off)
{

	return (bus_read_1(vpci_bar(os, bar), off));
}

uint16_t
vio_bar_read_2(void *os, int bar, uint32_t off)
{

	return (bus_read_2(vpci_bar(os, bar), off));
}

uint32_t
vio_bar_read_4(void *os, int bar, uint32_t off)
{

	return (bus_read_4(vpci_bar(os, bar), off));
}

void
vio_bar_write_1(void *os, int bar, uint32_t off, uint8_t val)
{

	bus_write_1(vpci_bar(os, bar), off, val);
}

void
vio_bar_write_2(void *os, int bar, uint32_t off, uint16_t val)
{

	bus_write_2(vpci_bar(os, bar), off, val);
}

void
vio_bar_write_4(void *os, int bar, uint32_t off, uint32_t val)
{

	bus_write_4(vpci_bar(os, bar), off, val);
}

uint64_t
vio_bar_size(void *os, int bar)
{
	struct vpci_softc *sc = os;

	if (bar < 0 || bar >= PCI_NUM_BARS || sc->sc_bar[bar] == NULL)
		return (0);
	return (rman_get_size(sc->sc_bar[bar]));
}

uint8_t
vio_pcicfg_read_1(void *os, uint32_t off)
{
	struct vpci_softc *sc = os;

	return (pci_read_config(sc->sc_dev, off, 1));
}

uint16_t
vio_pcicfg_read_2(void *os, uint32_t off)
{
	struct vpci_softc *sc = os;

	return (pci_read_config(sc->sc_dev, off, 2));
}

uint32_t
vio_pcicfg_read_4(void *os, uint32_t off)
{
	struct vpci_softc *sc = os;

	return (pci_read_config(sc->sc_dev, off, 4));
}

void
vio_log(void *os, const char *fmt, ...)
{
	struct vpci_softc *sc = os;
	__va_list ap;
	char buf[160];
	size_t len;

	__va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	__va_end(ap);
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	device_printf(sc->sc_dev, "%s\n", buf);
}
