/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * A chain as the device reads it: the readable segments as one byte
 * stream and the writable ones as another, whatever the descriptor
 * boundaries (the protocol device models use this, as a device that
 * honours VIRTIO_F_ANY_LAYOUT would).
 */

#ifndef _SIM_STREAM_H_
#define _SIM_STREAM_H_

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* Copy len bytes at off of the readable stream; returns bytes copied. */
size_t	sim_stream_read(const struct sim_chain *ch, size_t off, void *buf,
	    size_t len);
/* Copy len bytes to off of the writable stream; returns bytes copied. */
size_t	sim_stream_write(const struct sim_chain *ch, size_t off,
	    const void *buf, size_t len);

/* Little-endian fields of width bytes (1..8) in device memory. */
void	sim_put_le(uint8_t *p, uint64_t v, int width);
uint64_t sim_get_le(const uint8_t *p, int width);

#endif /* !_SIM_STREAM_H_ */
