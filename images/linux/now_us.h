/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* The clock of the Linux guest's load generators (blkbench, udpbench). */

#ifndef LINUX_NOW_US_H
#define LINUX_NOW_US_H

#include <stdint.h>
#include <time.h>

/* Monotonic microseconds. */
static inline uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

#endif /* LINUX_NOW_US_H */
