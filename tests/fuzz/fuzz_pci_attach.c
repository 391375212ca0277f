/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: the PCI transport against a device whose configuration
 * space, BAR sizes and register answers come from the fuzzer.
 *
 * Input: transport byte (bits 0-1 sim transport, bit 2 PREFER_LEGACY),
 * a count of configuration-space edits and that many (offset, value)
 * pairs applied to a well-formed device, a count of BAR size edits and
 * that many (bar, log2 size) pairs, then the register stream: at each
 * BAR read one control byte, odd meaning "answer the next 4 bytes"
 * instead of the simulated register.  The core then runs the whole
 * bring-up and one request.  It must never touch a register outside the
 * BAR the device described, nor misuse DMA memory; the sanitizers catch
 * the rest.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "sim.h"
#include "sim_loop.h"
#include "fuzz_in.h"
#include "fuzz_bringup.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 0-3 vectors: none, all shared, one per queue and config. */
static void
pci_vectors(struct vio_softc *sc, uint8_t n)
{

	vio_pci_set_msix((struct vio_pci_softc *)sc, n & 3);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct vio_pci_softc psc;
	struct sim_loop loop;
	struct sim_dev *dev;
	uint8_t mode, n, off, bar, shift;

	mode = fuzz_u8(&in);
	sim_loop_init(&loop, VIRTIO_RING_F_INDIRECT_DESC |
	    VIRTIO_RING_F_EVENT_IDX | VIRTIO_FEATURE(0));
	dev = sim_create(&loop.model, (enum sim_transport)((mode & 3) % 3));
	for (n = fuzz_u8(&in) % 64; n > 0; n--) {
		off = fuzz_u8(&in);
		dev->pcicfg[off] = fuzz_u8(&in);
	}
	for (n = fuzz_u8(&in) % 8; n > 0; n--) {
		bar = fuzz_u8(&in) % 6;
		shift = fuzz_u8(&in) % 34;
		dev->bar_size[bar] = shift == 0 ? 0 :
		    (uint64_t)1 << (shift - 1);
	}
	dev->read_hook = fuzz_lying_registers;
	dev->hook_arg = &in;
	if (vio_pci_attach(&psc, dev, (uint16_t)(dev->pcicfg[2] |
	    dev->pcicfg[3] << 8), (mode & 4) ? VIO_PCI_PREFER_LEGACY : 0) == 0)
		fuzz_bringup(&psc.sc_vio, dev, &in, pci_vectors);
	FUZZ_ASSERT(dev->hard_errors == 0);
	FUZZ_ASSERT(dev->dma_live == 0 && dev->mem_live == 0);
	sim_destroy(dev);
	return (0);
}
