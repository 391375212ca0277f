/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#ifndef MINI_PAGING_H
#define MINI_PAGING_H

#include "types.h"

/*
 * Identity-map [pa, pa + size) uncached, with 2 MiB pages.  The boot
 * tables map the low 4 GiB write-back; this marks MMIO there uncached and
 * adds mappings for BARs the firmware put above 4 GiB.  0 or ENOMEM.
 */
int	paging_map_mmio(uint64_t pa, uint64_t size);

#endif /* MINI_PAGING_H */
