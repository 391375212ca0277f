/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#ifndef MINI_PATTERN_H
#define MINI_PATTERN_H

#include "types.h"

#define PATTERN_SECTOR	512

/* Fill COUNT sectors at W with the pattern for LBA.. and SEED. */
void		pattern_fill(uint64_t *w, uint64_t lba, uint32_t count,
		    uint64_t seed);
/* The index of the first sector that differs from the pattern, or COUNT. */
uint32_t	pattern_check(const uint64_t *w, uint64_t lba, uint32_t count,
		    uint64_t seed);

#endif /* MINI_PATTERN_H */
