/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * A simulated virtio-balloon device: keeps the set of frame numbers the
 * guest gave, answers inflate and deflate requests (or holds them, to
 * test MUST_TELL_HOST ordering) and keeps the stats buffer until the test
 * asks for fresh statistics.
 */

#ifndef _SIM_BALLOON_H_
#define _SIM_BALLOON_H_

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"
#include "viomb_reg.h"

#define SIM_BALLOON_MAX_PFNS	(1U << 17)	/* 512 MiB of guest RAM */

struct sim_balloon {
	struct sim_model model;
	uint8_t		config[VIRTIO_BALLOON_CONFIG_SIZE];

	uint8_t		*in_balloon;	/* one byte per PFN */
	uint64_t	npfns;		/* PFNs in the balloon */
	unsigned int	inflates;	/* requests answered */
	unsigned int	deflates;
	unsigned int	bad_pfns;	/* deflated but not inflated, etc. */
	unsigned int	actual_writes;

	bool		hold;		/* keep inflate/deflate requests */
	bool		held;
	uint16_t	held_q;
	struct sim_chain held_chain;

	bool		stats_held;
	uint16_t	stats_head;
	unsigned int	stats_received;
	uint8_t		stats[VIRTIO_BALLOON_S_NR * VIRTIO_BALLOON_STAT_SIZE];
	uint32_t	stats_len;
};

void	sim_balloon_init(struct sim_balloon *, uint64_t features);
void	sim_balloon_fini(struct sim_balloon *);
/* Host side: new num_pages, with a configuration interrupt. */
void	sim_balloon_set_target(struct sim_balloon *, struct sim_dev *,
	    uint32_t pages);
uint32_t sim_balloon_actual(const struct sim_dev *);
/* Answer the held inflate/deflate request; false if none. */
bool	sim_balloon_release(struct sim_balloon *, struct sim_dev *);
/* Ask the driver for statistics (return the stats buffer). */
bool	sim_balloon_want_stats(struct sim_balloon *, struct sim_dev *);
/* Value of a stats tag in the last buffer; false if absent. */
bool	sim_balloon_stat(const struct sim_balloon *, uint16_t tag,
	    uint64_t *val);

#endif /* !_SIM_BALLOON_H_ */
