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

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
lying_registers(struct sim_dev *dev, int bar, uint32_t off, int width,
    uint32_t *val, void *arg)
{
	struct fuzz_in *in = arg;

	(void)dev;
	(void)off;
	if (bar < 0 || (fuzz_u8(in) & 1) == 0)
		return (false);
	*val = fuzz_u32(in);
	if (width < 4)
		*val &= (1U << (8 * width)) - 1;
	return (true);
}

static void
exercise(struct vio_softc *sc, struct sim_dev *dev, struct fuzz_in *in)
{
	struct vio_vq vqs[2];
	struct vio_dma buf;
	struct vio_seg segs[2];
	uint8_t cfg[16];
	void *cookie;
	uint32_t len;
	int i;

	if (vio_init(sc) != 0 || vio_negotiate_features(sc, ~(uint64_t)0) != 0)
		return;
	(void)vio_config_read(sc, fuzz_u8(in), cfg, fuzz_u8(in) % sizeof(cfg));
	/* 0-3 vectors: none, all shared, one per queue and config. */
	vio_pci_set_msix((struct vio_pci_softc *)sc, fuzz_u8(in) & 3);
	for (i = 0; i < 2; i++)
		(void)vq_alloc(sc, &vqs[i], (uint16_t)i, fuzz_u8(in) & 0x18, 4,
		    "fuzz");
	if (vq_lookup(sc, 0) != NULL && vio_driver_ok(sc) == 0 &&
	    vio_dma_alloc(dev, 64, 16, &buf) == 0) {
		segs[0].vs_addr = buf.busaddr;
		segs[0].vs_len = 32;
		segs[0].vs_write = false;
		segs[1].vs_addr = buf.busaddr + 32;
		segs[1].vs_len = 32;
		segs[1].vs_write = true;
		if (vq_enqueue(&vqs[0], segs, 2, &buf) == 0) {
			vq_kick(&vqs[0]);
			if (vq_dequeue(&vqs[0], &cookie, &len) == 0)
				FUZZ_ASSERT(cookie == &buf && len <= 32);
		}
		(void)vio_intr(sc);
		(void)vio_reset(sc);
		while (vq_reclaim(&vqs[0], &cookie) == 0)
			FUZZ_ASSERT(cookie == &buf);
		vio_dma_free(dev, &buf);
	}
	(void)vio_reset(sc);
	for (i = 0; i < VIO_MAX_VQS; i++)
		if (sc->sc_vqs[i] != NULL)
			vq_free(sc->sc_vqs[i]);
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
	dev->read_hook = lying_registers;
	dev->hook_arg = &in;
	if (vio_pci_attach(&psc, dev, (uint16_t)(dev->pcicfg[2] |
	    dev->pcicfg[3] << 8), (mode & 4) ? VIO_PCI_PREFER_LEGACY : 0) == 0)
		exercise(&psc.sc_vio, dev, &in);
	FUZZ_ASSERT(dev->hard_errors == 0);
	FUZZ_ASSERT(dev->dma_live == 0 && dev->mem_live == 0);
	sim_destroy(dev);
	return (0);
}
