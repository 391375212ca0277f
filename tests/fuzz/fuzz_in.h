/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The fuzzer's input as a stream of device answers: each call takes the
 * next bytes, and an exhausted input answers zeros.
 */

#ifndef _FUZZ_IN_H_
#define _FUZZ_IN_H_

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct fuzz_in {
	const uint8_t	*p;
	size_t		n;
};

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{

	if (in->n == 0)
		return (0);
	in->n--;
	return (*in->p++);
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{

	return ((uint16_t)(fuzz_u8(in) | fuzz_u8(in) << 8));
}

static inline uint32_t
fuzz_u32(struct fuzz_in *in)
{

	return ((uint32_t)fuzz_u16(in) | (uint32_t)fuzz_u16(in) << 16);
}

/*
 * Most DMA syncs one interrupt entry point may take (sim_bound()): each
 * look at the used ring syncs it, and a sound loop over a few dozen
 * requests needs a few hundred.
 */
#define FUZZ_INTR_BOUND		20000

/* Abort, so libFuzzer records the input, when the core broke a rule. */
#define FUZZ_ASSERT(cond)	do { if (!(cond)) abort(); } while (0)

#endif /* !_FUZZ_IN_H_ */
