/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_os_example.h: the contract between the virtio core and an OS
 * binding.
 *
 * The core (drivers/core, blk, net, balloon) includes "vio_os.h" and its
 * own headers, nothing else, and is compiled with -ffreestanding
 * -nostdinc.  Each binding has its own header, which the build names
 * (vio_os.h includes it): tests/unit/vio_os_unit.h,
 * images/mini/vio_os_mini.h, drivers/dragonfly/vio_os_dragonfly.h.  It
 * gives everything listed here: the out-of-line hooks of
 * vio_os_funcs.h as functions, the rest as macros, inline functions or
 * extern functions as it likes.  This file is itself a valid binding
 * header for a compile-only check (make freestanding-check): types come from the
 * compiler's predefined macros, the hooks are declared extern.
 *
 * The core never allocates, sleeps, locks or prints on its own; it asks
 * through these hooks.  "os" is the cookie the binding stored in
 * struct vio_softc (sc_os) and is passed back unchanged.
 */

#ifndef _VIO_OS_EXAMPLE_H_
#define _VIO_OS_EXAMPLE_H_

/* 1. Types: fixed width, size_t, uintptr_t, bool, NULL, offsetof. */
typedef __INT8_TYPE__		int8_t;
typedef __INT16_TYPE__		int16_t;
typedef __INT32_TYPE__		int32_t;
typedef __INT64_TYPE__		int64_t;
typedef __UINT8_TYPE__		uint8_t;
typedef __UINT16_TYPE__		uint16_t;
typedef __UINT32_TYPE__		uint32_t;
typedef __UINT64_TYPE__		uint64_t;
typedef __UINTPTR_TYPE__	uintptr_t;
typedef __SIZE_TYPE__		size_t;
#ifndef __cplusplus
typedef _Bool			bool;
#define true			1
#define false			0
#endif
#define NULL			((void *)0)
#define offsetof(type, member)	__builtin_offsetof(type, member)

/*
 * 2. Error numbers the core and protocols return (the OS's own values;
 * these are the BSD ones).
 */
#define ENOENT		2
#define EIO		5
#define ENXIO		6
#define E2BIG		7
#define EAGAIN		35
#define ENOMEM		12
#define EBUSY		16
#define EINVAL		22
#define ENOSPC		28
#define EROFS		30
#define EOPNOTSUPP	45
#define ETIMEDOUT	60

/*
 * 3. Memory barriers between the CPU and the device (virtio 1.x spec
 * 2.7.13): sync orders all earlier loads and stores before all later
 * ones; producer orders stores (before publishing an index); consumer
 * orders loads (after reading an index, before reading what it covers).
 */
#define vio_membar_sync()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define vio_membar_producer()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define vio_membar_consumer()	__atomic_thread_fence(__ATOMIC_ACQUIRE)

/* 4. Memory copies. */
#define vio_memcpy(dst, src, len)	__builtin_memcpy((dst), (src), (len))
#define vio_memset(dst, c, len)		__builtin_memset((dst), (c), (len))

/*
 * 5. DMA memory for rings and request headers: physically contiguous
 * (for the device, bus-contiguous), aligned to align (a power of two,
 * at most 4096), zeroed.  vio_dma_alloc returns 0 or ENOMEM and fills
 * vaddr, busaddr and size; the binding may keep its own fields after
 * them.  vio_dma_sync makes CPU writes visible to the device (PREWRITE,
 * PREREAD before the device accesses the memory) and device writes
 * visible to the CPU (POSTREAD, POSTWRITE after); on coherent x86 it may
 * be empty.  The flag values are the binding's.
 */
struct vio_dma {
	void		*vaddr;
	uint64_t	busaddr;
	size_t		size;
	void		*priv;		/* binding's own: map, tag, ... */
};
#define VIO_DMA_PREREAD		0x01
#define VIO_DMA_PREWRITE	0x02
#define VIO_DMA_POSTREAD	0x04
#define VIO_DMA_POSTWRITE	0x08
void	vio_dma_sync(void *os, struct vio_dma *, int ops);

/*
 * 6. Driver-private memory (vio_mem_alloc/vio_mem_free, never shown to
 * the device): zeroed, NULL on failure.  Used at attach time only.
 *
 * 7. Registers (vio_bar_read_*, vio_bar_write_*, vio_bar_size,
 * vio_pcicfg_read_*).  bar is a PCI BAR index 0-5; off is a byte offset in it.
 * The binding maps I/O and memory BARs alike and performs the access at
 * the width named, little-endian.  vio_bar_size returns the mapped size
 * of a BAR, 0 if it is absent or not mapped: the core checks every
 * region a device describes against it before using it.
 * vio_pcicfg_read_* read the function's PCI configuration space
 * (offset < 256 is all the core needs).
 * The virtio-mmio transport (vio_mmio.h) uses "BAR" 0 only: the
 * device's register window, whose length vio_bar_size gives; it never
 * reads PCI configuration space.
 *
 * vio_dma_alloc/vio_dma_free (5), 6 and 7 are out-of-line functions in
 * every binding; their prototypes are shared in vio_os_funcs.h, which a
 * binding includes once struct vio_dma is defined.
 */
#include "vio_os_funcs.h"

/* 8. Busy-wait (device reset polling); may return early. */
void	vio_delay(void *os, unsigned int usec);

/*
 * 9. Log a message about the device (may do nothing).  The core uses
 * only %s, %d, %u and %x with int-sized arguments.
 */
void	vio_log(void *os, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));

#endif /* !_VIO_OS_H_ */
