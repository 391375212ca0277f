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

#define MB_INFO_MMAP	0x40
#define MB_INFO_CMDLINE	0x04
#define MB_MEM_AVAIL	1
#define NPAGES_MAX	(MEM_MAX_PHYS / MINI_PAGE_SIZE)
#define LOW_RESERVED	(1ULL << 20)	/* BIOS data, option ROMs, VGA */

struct mb_info {
	uint32_t	flags;
	uint32_t	mem_lower;
	uint32_t	mem_upper;
	uint32_t	boot_device;
	uint32_t	cmdline;
	uint32_t	mods_count;
	uint32_t	mods_addr;
	uint32_t	syms[4];
	uint32_t	mmap_length;
	uint32_t	mmap_addr;
} __attribute__((packed));

struct mb_mmap_entry {
	uint32_t	size;		/* of the rest of the entry */
	uint64_t	base;
	uint64_t	length;
	uint32_t	type;
} __attribute__((packed));

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

void
mem_init(uint32_t mbi_addr)
{
	const struct mb_info *mbi = (const struct mb_info *)(uintptr_t)mbi_addr;
	const struct mb_mmap_entry *e;
	uint64_t off, first, last, pfn, kstart, kend;
	size_t i;

	if ((mbi->flags & MB_INFO_CMDLINE) && mbi->cmdline != 0) {
		const char *src = (const char *)(uintptr_t)mbi->cmdline;

		for (i = 0; i + 1 < sizeof(cmdline) && src[i] != '\0'; i++)
			cmdline[i] = src[i];
	}
	if ((mbi->flags & MB_INFO_MMAP) == 0)
		panic("boot loader gave no memory map");

	/* Read the whole map before freeing a page that may hold it. */
	kstart = (uint64_t)(uintptr_t)__kernel_start / MINI_PAGE_SIZE;
	kend = roundup2((uint64_t)(uintptr_t)__kernel_end, MINI_PAGE_SIZE) /
	    MINI_PAGE_SIZE;
	for (off = 0; off < mbi->mmap_length; off += e->size + 4) {
		e = (const struct mb_mmap_entry *)(uintptr_t)
		    (mbi->mmap_addr + off);
		if (e->type != MB_MEM_AVAIL)
			continue;
		first = roundup2(e->base, MINI_PAGE_SIZE) / MINI_PAGE_SIZE;
		last = rounddown2(e->base + e->length, MINI_PAGE_SIZE) /
		    MINI_PAGE_SIZE;
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
	/*
	 * QEMU puts the multiboot info right after the kernel; keep those
	 * pages out until we no longer need the map (i.e. never: cheap).
	 */
	for (pfn = kend; pfn < kend + 16 && pfn < NPAGES_MAX; pfn++) {
		if (page_is_free(pfn)) {
			page_set(pfn, false);
			total_pages--;
		}
	}
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
