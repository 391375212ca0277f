/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * What the transport fuzz targets (fuzz_pci_attach, fuzz_mmio_attach)
 * share once their transport is attached: registers that lie where the
 * input says so, and the whole bring-up with one request.
 */

#ifndef _FUZZ_BRINGUP_H_
#define _FUZZ_BRINGUP_H_

#include <stdbool.h>
#include <stdint.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "sim.h"
#include "fuzz_in.h"

/*
 * The read hook: at each register read one control byte, odd meaning
 * "answer the next 4 bytes" instead of the simulated register.
 */
static inline bool
fuzz_lying_registers(struct sim_dev *dev, int bar, uint32_t off, int width,
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

/*
 * Bring the device up, post and complete one request, take an
 * interrupt, reset and free everything.  vectors (NULL: none) is the
 * transport's MSI-X step, given a byte of input.
 */
static inline void
fuzz_bringup(struct vio_softc *sc, struct sim_dev *dev, struct fuzz_in *in,
    void (*vectors)(struct vio_softc *, uint8_t))
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
	if (vectors != NULL)
		vectors(sc, fuzz_u8(in));
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

#endif /* !_FUZZ_BRINGUP_H_ */
