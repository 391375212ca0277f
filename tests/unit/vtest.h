/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Helpers shared by the cmocka unit tests: bring a simulated device up
 * through the real core, and take it down checking that the core broke no
 * rule of the protocol and leaked no memory.  Include after <cmocka.h>.
 */

#ifndef _VTEST_H_
#define _VTEST_H_

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "vio_mmio.h"
#include "sim.h"

#define VTEST_MAX_DMA	8

struct vtest {
	struct sim_dev	*sim;
	struct vio_pci_softc psc;
	struct vio_mmio_softc msc;	/* virtio-mmio transports */
	struct vio_softc *sc;		/* &psc.sc_vio or &msc.sc_vio */
	struct vio_dma	dma[VTEST_MAX_DMA];	/* test buffers */
	int		ndma;
};

/*
 * Create the device and attach its transport, PCI or virtio-mmio
 * (asserts success; pci_flags are for PCI).
 */
void	vtest_attach(struct vtest *, const struct sim_model *,
	    enum sim_transport, int pci_flags);
/* vtest_attach() and vio_attach_start(wanted). */
void	vtest_start(struct vtest *, const struct sim_model *,
	    enum sim_transport, uint64_t wanted);
/*
 * Reset, reclaim and free every queue still allocated, then assert the
 * simulator saw no driver error and all memory came back.
 */
void	vtest_finish(struct vtest *);
/* A DMA buffer for request data, freed by vtest_finish(). */
struct vio_dma *vtest_dma(struct vtest *, size_t size);

/* The transports, for tests that run on each. */
extern const enum sim_transport vtest_transports[3];

#endif /* !_VTEST_H_ */
