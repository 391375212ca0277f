/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The loop device: the model of the core's own tests.  Every queue copies
 * the bytes of a chain's readable segments into its writable ones and
 * reports how many it wrote.  It remembers the last chain it saw.
 */

#ifndef _SIM_LOOP_H_
#define _SIM_LOOP_H_

#include "sim.h"

#define SIM_LOOP_TYPE		VIRTIO_ID_CONSOLE
#define SIM_LOOP_QUEUES		3
#define SIM_LOOP_QSIZE		16
#define SIM_LOOP_CONFIG_LEN	32

struct sim_loop {
	struct sim_model model;
	uint8_t		config[SIM_LOOP_CONFIG_LEN];
	bool		hold;		/* keep chains for the test */
	uint16_t	held[64];	/* heads of chains kept, in order */
	unsigned int	nheld;
	unsigned int	chains;		/* chains processed */
	struct sim_chain last;		/* the last one */
	unsigned int	config_writes;
	uint32_t	last_config_off;
};

/* A loop device offering features; the config holds bytes 0, 1, 2, ... */
void	sim_loop_init(struct sim_loop *, uint64_t features);

#endif /* !_SIM_LOOP_H_ */
