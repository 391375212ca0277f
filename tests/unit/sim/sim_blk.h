/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * A simulated virtio-blk device: an in-memory disk behind the generic
 * simulator, with knobs to make it misbehave.
 */

#ifndef _SIM_BLK_H_
#define _SIM_BLK_H_

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"
#include "vioblk_reg.h"

#define SIM_BLK_MAX_HELD	256

struct sim_blk {
	struct sim_model model;
	uint8_t		config[VIRTIO_BLK_CONFIG_SIZE];
	uint8_t		*disk;
	uint64_t	sectors;
	uint8_t		serial[VIRTIO_BLK_ID_BYTES];

	/* Misbehaviour. */
	int		status_override;	/* >= 0: write this status */
	uint32_t	len_short;	/* report this many bytes fewer */
	bool		hold;		/* leave requests to the test */
	struct sim_chain *held[SIM_BLK_MAX_HELD]; /* copies, oldest first */
	unsigned int	nheld;

	/* What the driver sent. */
	unsigned int	requests;
	unsigned int	queue_requests[SIM_MAX_QUEUES];	/* by queue */
	uint32_t	last_type;
	uint64_t	last_sector;
	unsigned int	last_data_segs;
	uint32_t	max_data_seg;	/* longest data segment seen */
	uint64_t	range_sector;	/* last discard/write-zeroes range */
	uint32_t	range_sectors;
	uint32_t	range_flags;
	unsigned int	flushes;
};

/* An 8 MiB disk (unless sectors says otherwise) offering features. */
void	sim_blk_init(struct sim_blk *, uint64_t features, uint64_t sectors);
void	sim_blk_fini(struct sim_blk *);
/* Take the oldest held request (free() it when done); NULL if none. */
struct sim_chain *sim_blk_take(struct sim_blk *);
/* Answer the oldest held request now, as the device would have: ENOENT
 * if none is held. */
int	sim_blk_answer(struct sim_blk *, struct sim_dev *);
/* Configuration field setters, before sim_create(). */
void	sim_blk_set_config(struct sim_blk *, uint32_t off, uint64_t val,
	    int width);

#endif /* !_SIM_BLK_H_ */
