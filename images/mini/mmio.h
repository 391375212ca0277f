/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-mmio devices, as the kernel command line describes them.
 *
 * QEMU's microvm machine appends virtio_mmio.device=SIZE@BASE:IRQ for
 * every virtio-mmio transport that has a device (the syntax of Linux's
 * virtio_mmio driver), but only with acpi=off: with ACPI it describes
 * them in its DSDT alone, which would need an AML reader.  So the
 * harness boots microvm with acpi=off and we read the command line.
 * IRQ is a GSI: a pin of the one I/O APIC (5 + transport number).
 */

#ifndef MINI_MMIO_H
#define MINI_MMIO_H

#include "types.h"

struct mmio_window {
	uint64_t	base;		/* physical address of the registers */
	uint64_t	size;
	int		irq;		/* I/O APIC pin */
};

/* Fill w[] with the windows named on the command line (mapped uncached). */
int	mmio_scan(struct mmio_window *w, int max);

#endif /* MINI_MMIO_H */
