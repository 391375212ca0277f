/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Physical page allocator over the boot loader's memory map.  Memory is
 * identity-mapped, so a physical address is also the kernel's pointer and
 * (without an IOMMU) the device's bus address.
 */

#ifndef MINI_MEM_H
#define MINI_MEM_H

#include "types.h"

#define MEM_MAX_PHYS	(4ULL << 30)	/* what the boot page tables map */

/* From the PVH loader's struct hvm_start_info (boot.S). */
void		mem_init(uint32_t start_info);
/* npages contiguous pages aligned to align_pages; 0 when none. */
uint64_t	page_alloc(size_t npages, size_t align_pages);
void		page_free(uint64_t pa, size_t npages);
uint64_t	mem_total_pages(void);
uint64_t	mem_free_pages(void);
const char	*mem_cmdline(void);

void		*memcpy(void *dst, const void *src, size_t n);
void		*memset(void *dst, int c, size_t n);
int		 memcmp(const void *a, const void *b, size_t n);
size_t		 strlen(const char *s);
int		 strcmp(const char *a, const char *b);

#endif /* MINI_MEM_H */
