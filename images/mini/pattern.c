/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The block-I/O check pattern (harness/vmlib/pattern.py says why it is
 * built this way): in the sector at LBA L, little-endian 64-bit word i
 * (0..63) is SEED * 0x9E3779B97F4A7C15 + L * 64 + i (mod 2^64).  Shared by
 * the mini and our DragonFly init.
 */

#include "pattern.h"

#define WORDS_PER_SECTOR	(PATTERN_SECTOR / 8)
#define PATTERN_MULT		0x9E3779B97F4A7C15ULL

void
pattern_fill(uint64_t *w, uint64_t lba, uint32_t count, uint64_t seed)
{
	uint64_t base = seed * PATTERN_MULT;
	uint32_t s, i;

	for (s = 0; s < count; s++, lba++)
		for (i = 0; i < WORDS_PER_SECTOR; i++)
			*w++ = base + lba * WORDS_PER_SECTOR + i;
}

/* The first sector that differs from the pattern, or count. */
uint32_t
pattern_check(const uint64_t *w, uint64_t lba, uint32_t count, uint64_t seed)
{
	uint64_t base = seed * PATTERN_MULT;
	uint32_t s, i;

	for (s = 0; s < count; s++, lba++)
		for (i = 0; i < WORDS_PER_SECTOR; i++)
			if (*w++ != base + lba * WORDS_PER_SECTOR + i)
				return (s);
	return (count);
}
