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
/* A queue starts (enable, reset): indexes 0, wrap counters 1. */
void	sim_queue_start(struct sim_queue *);
/* Append a buffer to ch: in DMA memory, readable ones first. */
int	sim_chain_add(struct sim_dev *, uint16_t qi, struct sim_chain *,
	    uint64_t addr, uint32_t len, bool write);
int	sim_chain_error(struct sim_dev *, uint16_t qi, const char *what);
/* Whether the driver negotiated packed rings. */
bool	sim_is_packed(const struct sim_dev *);
bool	sim_event_idx(const struct sim_dev *);
int	sim_packed_pop(struct sim_dev *, uint16_t qi, struct sim_chain *);
void	sim_packed_push_used(struct sim_dev *, uint16_t qi, uint32_t id,
	    uint32_t len);
void	sim_packed_set_used_idx(struct sim_dev *, uint16_t qi, uint16_t idx);

/* Register file pieces shared by sim_regs.c and sim_mmio.c. */
bool	sim_width(struct sim_dev *, const char *reg, int width, int want);
struct sim_queue *sim_selq(struct sim_dev *);
uint8_t	sim_status_read(struct sim_dev *);
void	sim_status_write(struct sim_dev *, uint8_t);
uint64_t sim_features_offered(struct sim_dev *);
uint32_t sim_config_read(struct sim_dev *, uint32_t off, int width);
void	sim_config_write(struct sim_dev *, uint32_t off, int width,
	    uint32_t val);
uint32_t sim_mmio_read(struct sim_dev *, int bar, uint32_t off, int width);
void	sim_mmio_write(struct sim_dev *, int bar, uint32_t off, int width,
	    uint32_t val);
void	sim_notify(struct sim_dev *, uint16_t q);
void	sim_free_regions(struct sim_dev *);

#endif /* !_SIM_PRIV_H_ */
