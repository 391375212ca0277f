/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_os_unit.h: the binding for the unit tests and fuzz targets: the core runs in a
 * user process against the simulated device of sim/.  libc is allowed
 * here (and only here).  The hooks are implemented in sim/sim_os.c; the
 * contract is drivers/core/vio_os_example.h.
 */

#ifndef _VIO_OS_UNIT_H_
#define _VIO_OS_UNIT_H_

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define vio_membar_sync()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define vio_membar_producer()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define vio_membar_consumer()	__atomic_thread_fence(__ATOMIC_ACQUIRE)

#define vio_memcpy(dst, src, len)	memcpy((dst), (src), (len))
#define vio_memset(dst, c, len)		memset((dst), (c), (len))

struct vio_dma {
	void		*vaddr;
	uint64_t	busaddr;
	size_t		size;
	void		*priv;		/* the simulator's region record */
};
#define VIO_DMA_PREREAD		0x01
#define VIO_DMA_PREWRITE	0x02
#define VIO_DMA_POSTREAD	0x04
#define VIO_DMA_POSTWRITE	0x08
void	vio_dma_sync(void *os, struct vio_dma *, int ops);

#include "vio_os_funcs.h"

void	vio_delay(void *os, unsigned int usec);
void	vio_log(void *os, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));

#endif /* !_VIO_OS_H_ */
