/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: the split virtqueue against a device that writes whatever
 * it likes into the used ring, its index and the notification fields.
 *
 * Input: transport byte, feature byte (bit 0 INDIRECT_DESC, bit 1
 * EVENT_IDX), then operations, one byte each plus arguments
 * (fuzz_vq_op() in fuzz_vq.c, which also says what is checked).
 */

#include <stddef.h>
#include <stdint.h>

#include "fuzz_vq.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_vq *st;
	uint8_t mode, op;

	mode = fuzz_u8(&in);
	st = fuzz_vq_start((enum sim_transport)(mode % 3),
	    fuzz_vq_features(fuzz_u8(&in)));
	while (in.n > 0) {
		op = fuzz_u8(&in);
		fuzz_vq_op(st, &in, op % FUZZ_VQ_NOPS, op);
		fuzz_vq_check(st);
	}
	fuzz_vq_finish(st);
	return (0);
}
