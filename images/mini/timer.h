/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* Time from the TSC, calibrated against the PIT. */

#ifndef MINI_TIMER_H
#define MINI_TIMER_H

#include "types.h"

void		timer_init(void);
uint64_t	timer_usec(void);		/* since timer_init() */
uint64_t	timer_tsc_hz(void);
void		timer_udelay(uint64_t usec);

/* PIT channel 2 as a one-shot stopwatch, for calibrating other clocks. */
void		pit_oneshot_start(uint32_t usec);
bool		pit_oneshot_done(void);

#endif /* MINI_TIMER_H */
