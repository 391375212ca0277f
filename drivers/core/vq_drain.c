/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The completion loop every interrupt handler runs (see vio_vq.h).  It
 * lives here once so that no handler can forget to re-arm the queue
 * (with EVENT_IDX a queue not re-armed never interrupts again) or spin
 * on a device that has been marked broken.
 */

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"

/*
 * The device is broken: hand every request still posted back to the
 * protocol, but only once a reset has stopped the device from writing
 * into the buffers.  A device that will not reset keeps them.
 */
static void
vq_fail_inflight(struct vio_vq *vq, vq_fail_fn *fail, void *arg)
{
	struct vio_softc *sc = vq->vq_sc;
	void *cookie;

	if (sc->sc_status != VIRTIO_STATUS_RESET && vio_reset(sc) != 0)
		return;
	while (vq_reclaim(vq, &cookie) == 0)
		fail(arg, cookie);
}

int
vq_drain(struct vio_vq *vq, vq_take_fn *take, vq_fail_fn *fail, void *arg)
{
	int error;

	vq_intr_disable(vq);
	for (;;) {
		while ((error = take(arg)) == 0)
			;
		if (error != ENOENT || vio_is_broken(vq->vq_sc))
			break;
		/* Entries used while interrupts were off: go round again. */
		if (!vq_intr_enable(vq))
			return (0);
		vq_intr_disable(vq);
	}
	if (!vio_is_broken(vq->vq_sc)) {
		/* The protocol gave up on a sound ring: keep it armed. */
		(void)vq_intr_enable(vq);
		return (error);
	}
	vq_fail_inflight(vq, fail, arg);
	return (EIO);
}
