/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: the virtio-mmio transport against a device whose window
 * size and register answers come from the fuzzer.
 *
 * Input: a mode byte (bit 0: version 2, else 1), the log2 of the window
 * size (0: QEMU's 512 bytes), then the register stream as in
 * fuzz_pci_attach: at each register read one control byte, odd meaning
 * "answer the next 4 bytes".  The core runs the whole bring-up and one
 * request.  It must never touch the window outside its size, nor misuse
 * DMA memory, nor wait without bound; the sanitizers catch the rest.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_mmio.h"
#include "sim.h"
#include "sim_loop.h"
#include "fuzz_in.h"
#include "fuzz_bringup.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct vio_mmio_softc msc;
	struct sim_loop loop;
	struct sim_dev *dev;
	uint8_t mode, shift;

	mode = fuzz_u8(&in);
	sim_loop_init(&loop, VIRTIO_RING_F_INDIRECT_DESC |
	    VIRTIO_RING_F_EVENT_IDX | VIRTIO_FEATURE(0));
	dev = sim_create(&loop.model, (mode & 1) ? SIM_MMIO_MODERN :
	    SIM_MMIO_LEGACY);
	shift = fuzz_u8(&in) % 34;
	if (shift != 0)
		dev->bar_size[VIO_MMIO_BAR] = (uint64_t)1 << (shift - 1);
	dev->read_hook = fuzz_lying_registers;
	dev->hook_arg = &in;
	if (vio_mmio_attach(&msc, dev) == 0)
		fuzz_bringup(&msc.sc_vio, dev, &in, NULL);
	FUZZ_ASSERT(dev->hard_errors == 0);
	FUZZ_ASSERT(dev->dma_live == 0 && dev->mem_live == 0);
	sim_destroy(dev);
	return (0);
}
