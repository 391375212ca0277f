/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The mini guest's binding of the virtio core (the contract is
 * drivers/core/vio_os_example.h).  Memory is identity-mapped and x86 is
 * cache-coherent for DMA, so a bus address is the physical address is the
 * pointer, and DMA syncs need only compiler ordering.  The "os" cookie is
 * the struct mini_vdev of the device (devices.h).
 */

#ifndef _VIO_OS_MINI_H_
#define _VIO_OS_MINI_H_

#include "types.h"

#include "errnum.h"

/*
 * x86-TSO orders stores with stores and loads with loads; only a store
 * followed by a load (publish idx, then read the device's event index)
 * needs the fence.  The compiler barrier keeps the C order.
 */
#define vio_membar_sync()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define vio_membar_producer()	__asm__ volatile("" : : : "memory")
#define vio_membar_consumer()	__asm__ volatile("" : : : "memory")

#define vio_memcpy(dst, src, len)	__builtin_memcpy((dst), (src), (len))
#define vio_memset(dst, c, len)		__builtin_memset((dst), (c), (len))

struct vio_dma {
	void		*vaddr;
	uint64_t	busaddr;
	size_t		size;
	void		*priv;		/* unused: no maps on the mini */
};

#define VIO_DMA_PREREAD		0x01
#define VIO_DMA_PREWRITE	0x02
#define VIO_DMA_POSTREAD	0x04
#define VIO_DMA_POSTWRITE	0x08

static inline void
vio_dma_sync(void *os, struct vio_dma *dma, int ops)
{
	(void)os;
	(void)dma;
	(void)ops;
	__asm__ volatile("" : : : "memory");
}

#include "vio_os_funcs.h"

void	vio_delay(void *os, unsigned int usec);
void	vio_log(void *os, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));

#endif /* !_VIO_OS_H_ */
