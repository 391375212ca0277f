/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include "mem.h"
#include "paging.h"
#include "x86.h"

#define PTE_P		0x001ULL
#define PTE_W		0x002ULL
#define PTE_PWT		0x008ULL
#define PTE_PCD		0x010ULL
#define PTE_PS		0x080ULL
#define PTE_ADDR	0x000ffffffffff000ULL
#define LARGE_PAGE	(2ULL << 20)
#define ENOMEM_PAGING	12

/* Page tables come from the allocator, which only hands out low memory. */
static uint64_t *
table_next(uint64_t *table, unsigned int idx)
{
	uint64_t pa;

	if ((table[idx] & PTE_P) == 0) {
		pa = page_alloc(1, 1);
		if (pa == 0)
			return (NULL);
		memset((void *)(uintptr_t)pa, 0, MINI_PAGE_SIZE);
		table[idx] = pa | PTE_P | PTE_W;
	}
	return ((uint64_t *)(uintptr_t)(table[idx] & PTE_ADDR));
}

int
paging_map_mmio(uint64_t pa, uint64_t size)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);
	uint64_t *pdpt, *pd, va;

	for (va = rounddown2(pa, LARGE_PAGE); va < pa + size;
	    va += LARGE_PAGE) {
		pdpt = table_next(pml4, (va >> 39) & 511);
		if (pdpt == NULL)
			return (ENOMEM_PAGING);
		pd = table_next(pdpt, (va >> 30) & 511);
		if (pd == NULL)
			return (ENOMEM_PAGING);
		pd[(va >> 21) & 511] = va | PTE_P | PTE_W | PTE_PS | PTE_PCD |
		    PTE_PWT;
	}
	write_cr3(read_cr3());
	return (0);
}
