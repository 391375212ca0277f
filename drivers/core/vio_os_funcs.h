/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The out-of-line half of the binding contract: DMA and driver memory,
 * BAR and PCI configuration-space access.  Every binding implements
 * these as functions, so their prototypes live here once; a binding's
 * header (vio_os_NAME.h) includes this file after it has defined its fixed-width
 * types and struct vio_dma.  The rest of the contract (barriers,
 * vio_memcpy/vio_memset, vio_dma_sync, vio_delay, vio_log) may be
 * macros or inlines and stays in each binding's header.  Meaning and
 * rules of each hook: vio_os_example.h.
 */

#ifndef _VIO_OS_FUNCS_H_
#define _VIO_OS_FUNCS_H_

struct vio_dma;

int	vio_dma_alloc(void *os, size_t size, size_t align, struct vio_dma *);
void	vio_dma_free(void *os, struct vio_dma *);

void	*vio_mem_alloc(void *os, size_t size);
void	vio_mem_free(void *os, void *ptr, size_t size);

uint8_t		vio_bar_read_1(void *os, int bar, uint32_t off);
uint16_t	vio_bar_read_2(void *os, int bar, uint32_t off);
uint32_t	vio_bar_read_4(void *os, int bar, uint32_t off);
void		vio_bar_write_1(void *os, int bar, uint32_t off, uint8_t val);
void		vio_bar_write_2(void *os, int bar, uint32_t off, uint16_t val);
void		vio_bar_write_4(void *os, int bar, uint32_t off, uint32_t val);
uint64_t	vio_bar_size(void *os, int bar);
uint8_t		vio_pcicfg_read_1(void *os, uint32_t off);
uint16_t	vio_pcicfg_read_2(void *os, uint32_t off);
uint32_t	vio_pcicfg_read_4(void *os, uint32_t off);

#endif /* !_VIO_OS_FUNCS_H_ */
