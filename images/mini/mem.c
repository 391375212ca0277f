/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * A bitmap of free 4 KiB pages below 4 GiB.  First fit with a moving
 * hint is plenty for a test kernel: rings want a few contiguous pages,
 * the balloon takes and gives back single pages.
 */

#include "console.h"
#include "mem.h"

#define PVH_START_MAGIC	0x336ec578	/* struct hvm_start_info */
#define PVH_MEMMAP_VERSION 1		/* first version with the map */
#define E820_RAM	1
#define NPAGES_MAX	(MEM_MAX_PHYS / MINI_PAGE_SIZE)
#define LOW_RESERVED	(1ULL << 20)	/* BIOS data, option ROMs, VGA */

/* Xen's public arch-x86/hvm/start_info.h, the PVH boot ABI. */
struct hvm_start_info {
	uint32_t	magic;
	uint32_t	version;
	uint32_t	flags;
	uint32_t	nr_modules;
	uint64_t	modlist_paddr;
	uint64_t	cmdline_paddr;
	uint64_t	rsdp_paddr;
	uint64_t	memmap_paddr;		/* version 1 */
	uint32_t	memmap_entries;
	uint32_t	reserved;
};

struct hvm_memmap_table_entry {
	uint64_t	addr;
	uint64_t	size;
	uint32_t	type;			/* E820 types */
	uint32_t	reserved;
};

extern char __kernel_start[], __kernel_end[];

static uint64_t free_bitmap[NPAGES_MAX / 64];	/* 1 = free */
static uint64_t total_pages, free_pages, hint;
static char cmdline[256];

static inline bool
page_is_free(uint64_t pfn)
{

	return ((free_bitmap[pfn / 64] >> (pfn % 64)) & 1);
}

static inline void
page_set(uint64_t pfn, bool isfree)
{

	if (isfree)
		free_bitmap[pfn / 64] |= 1UL << (pfn % 64);
	else
		free_bitmap[pfn / 64] &= ~(1UL << (pfn % 64));
}

static void
mem_add_ram(uint64_t base, uint64_t length, uint64_t kstart, uint64_t kend)
{
	uint64_t first, last, pfn;

	first = roundup2(base, MINI_PAGE_SIZE) / MINI_PAGE_SIZE;
	last = rounddown2(base + length, MINI_PAGE_SIZE) / MINI_PAGE_SIZE;
	if (first < LOW_RESERVED / MINI_PAGE_SIZE)
		first = LOW_RESERVED / MINI_PAGE_SIZE;
	if (last > NPAGES_MAX)
		last = NPAGES_MAX;
	for (pfn = first; pfn < last; pfn++) {
		if (pfn >= kstart && pfn < kend)
			continue;
		if (!page_is_free(pfn)) {
			page_set(pfn, true);
			total_pages++;
		}
	}
}

void
mem_init(uint32_t start_info)
{
	const struct hvm_start_info *si =
	    (const struct hvm_start_info *)(uintptr_t)start_info;
	const struct hvm_memmap_table_entry *e;
	uint64_t kstart, kend;
	size_t i;

	if (si->magic != PVH_START_MAGIC)
		panic("not started by a PVH loader (magic %#x)", si->magic);
	if (si->version < PVH_MEMMAP_VERSION || si->memmap_paddr == 0)
		panic("PVH loader gave no memory map (version %u)",
		    si->version);
	if (si->cmdline_paddr != 0) {
		const char *src = (const char *)(uintptr_t)si->cmdline_paddr;

		for (i = 0; i + 1 < sizeof(cmdline) && src[i] != '\0'; i++)
			cmdline[i] = src[i];
	}
	/* What start_info points to is read before a page is given out. */
	kstart = (uint64_t)(uintptr_t)__kernel_start / MINI_PAGE_SIZE;
	kend = roundup2((uint64_t)(uintptr_t)__kernel_end, MINI_PAGE_SIZE) /
	    MINI_PAGE_SIZE;
	e = (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
	for (i = 0; i < si->memmap_entries; i++)
		if (e[i].type == E820_RAM)
			mem_add_ram(e[i].addr, e[i].size, kstart, kend);
	free_pages = total_pages;
	hint = kend;
}

uint64_t
page_alloc(size_t npages, size_t align_pages)
{
	uint64_t start, pfn, pass_start;
	int pass;

	if (npages == 0 || npages > free_pages)
		return (0);
	if (align_pages == 0)
		align_pages = 1;
	for (pass = 0; pass < 2; pass++) {
		pass_start = pass == 0 ? hint : 0;
		start = roundup2(pass_start, align_pages);
		while (start + npages <= NPAGES_MAX) {
			if (!page_is_free(start)) {
				/* Skip whole empty words fast. */
				if (free_bitmap[start / 64] == 0)
					start = roundup2(start + 1, 64);
				else
					start++;
				start = roundup2(start, align_pages);
				continue;
			}
			for (pfn = start; pfn < start + npages; pfn++)
				if (!page_is_free(pfn))
					break;
			if (pfn == start + npages) {
				for (pfn = start; pfn < start + npages; pfn++)
					page_set(pfn, false);
				free_pages -= npages;
				hint = start + npages;
				return (start * MINI_PAGE_SIZE);
			}
			start = roundup2(pfn + 1, align_pages);
		}
	}
	return (0);
}

void
page_free(uint64_t pa, size_t npages)
{
	uint64_t pfn = pa / MINI_PAGE_SIZE;
	size_t i;

	for (i = 0; i < npages; i++, pfn++) {
		if (pfn >= NPAGES_MAX || page_is_free(pfn))
			panic("page_free: bad page %#lx", pfn * MINI_PAGE_SIZE);
		page_set(pfn, true);
	}
	free_pages += npages;
}

uint64_t
mem_total_pages(void)
{

	return (total_pages);
}

uint64_t
mem_free_pages(void)
{

	return (free_pages);
}

const char *
mem_cmdline(void)
{

	return (cmdline);
}
