/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_os_dragonfly.h: the DragonFly kernel binding of the virtio core.
 *
 * The core (drivers/core, blk, net, balloon) includes this header and
 * nothing else; here it gets the kernel's own types, errno values and
 * barriers.  The hooks that need a device (DMA, registers, logging) are
 * functions in vio_pci.ko (vio_pci/vio_os_dragonfly.c); their "os" cookie is the
 * struct vpci_softc of the PCI function, stored in struct vio_softc.
 */

#ifndef _DFLY_VIO_OS_H_
#define _DFLY_VIO_OS_H_

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/stdint.h>
#include <sys/bus.h>
#include <sys/bus_dma.h>
#include <cpu/cpufunc.h>

/*
 * x86 keeps stores in order and loads in order against each other, and
 * ring memory is cache coherent, so producer and consumer ordering need
 * only stop the compiler; only a store followed by a load that must not
 * pass it (event index checks) needs a fence.
 */
#define vio_membar_sync()	cpu_mfence()
#define vio_membar_producer()	cpu_sfence()
#define vio_membar_consumer()	cpu_lfence()

#define vio_memcpy(dst, src, len)	memcpy((dst), (src), (len))
#define vio_memset(dst, c, len)		memset((dst), (c), (len))

/* Ring and header memory: one coherent bus_dma allocation each. */
struct vio_dma {
	void		*vaddr;
	uint64_t	busaddr;
	size_t		size;
	bus_dma_tag_t	tag;
	bus_dmamap_t	map;
};
#define VIO_DMA_PREREAD		BUS_DMASYNC_PREREAD
#define VIO_DMA_PREWRITE	BUS_DMASYNC_PREWRITE
#define VIO_DMA_POSTREAD	BUS_DMASYNC_POSTREAD
#define VIO_DMA_POSTWRITE	BUS_DMASYNC_POSTWRITE

void	vio_dma_sync(void *os, struct vio_dma *, int ops);

#include "vio_os_funcs.h"

#define vio_delay(os, usec)	DELAY(usec)

void	vio_log(void *os, const char *fmt, ...) __printflike(2, 3);

#endif /* !_DFLY_VIO_OS_H_ */
