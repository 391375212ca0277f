/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Simulator internals shared by the sim/ sources.
 */

#ifndef _SIM_PRIV_H_
#define _SIM_PRIV_H_

#include <stdarg.h>

#include "sim.h"

/* One DMA allocation of the driver, reachable by the device. */
struct sim_region {
	struct sim_region *next;
	void		*vaddr;
	uint64_t	busaddr;
	size_t		size;
};

void	sim_reset(struct sim_dev *);
void	sim_notify(struct sim_dev *, uint16_t q);
void	sim_free_regions(struct sim_dev *);

#endif /* !_SIM_PRIV_H_ */
