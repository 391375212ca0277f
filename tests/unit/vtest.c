/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Helpers shared by the unit tests (see vtest.h).
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vtest.h"

const enum sim_transport vtest_transports[3] = {
	SIM_LEGACY, SIM_MODERN, SIM_TRANSITIONAL,
};

void
vtest_attach(struct vtest *t, const struct sim_model *model,
    enum sim_transport transport, int pci_flags)
{

	memset(t, 0, sizeof(*t));
	t->sim = sim_create(model, transport);
	if (sim_is_mmio(transport)) {
		t->sc = &t->msc.sc_vio;
		assert_int_equal(vio_mmio_attach(&t->msc, t->sim), 0);
		return;
	}
	t->sc = &t->psc.sc_vio;
	assert_int_equal(vio_pci_attach(&t->psc, t->sim,
	    sim_pci_device_id(t->sim), pci_flags), 0);
}

void
vtest_start(struct vtest *t, const struct sim_model *model,
    enum sim_transport transport, uint64_t wanted)
{

	vtest_attach(t, model, transport, 0);
	assert_int_equal(vio_attach_start(t->sc, wanted), 0);
}

struct vio_dma *
vtest_dma(struct vtest *t, size_t size)
{
	struct vio_dma *dma;

	assert_true(t->ndma < VTEST_MAX_DMA);
	dma = &t->dma[t->ndma++];
	assert_int_equal(vio_dma_alloc(t->sim, size, 16, dma), 0);
	return (dma);
}

void
vtest_finish(struct vtest *t)
{
	struct vio_vq *vq;
	void *cookie;
	int i;

	t->sim->stuck_status = false;
	vio_reset(t->sc);
	for (i = 0; i < VIO_MAX_VQS; i++) {
		if ((vq = t->sc->sc_vqs[i]) == NULL)
			continue;
		while (vq_reclaim(vq, &cookie) == 0)
			;
		assert_int_equal(vq->vq_nfree, vq->vq_num);
		vq_free(vq);
	}
	while (t->ndma > 0)
		vio_dma_free(t->sim, &t->dma[--t->ndma]);
	assert_int_equal(t->sim->dma_live, 0);
	assert_int_equal(t->sim->mem_live, 0);
	if (t->sim->driver_errors != 0)
		fail_msg("driver error: %s", t->sim->driver_error);
	sim_destroy(t->sim);
	t->sim = NULL;
}
