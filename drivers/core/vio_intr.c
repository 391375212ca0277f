/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Interrupt entry points and MSI-X vector assignment.
 */

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"

uint8_t
vio_read_isr(struct vio_softc *sc)
{

	return (sc->sc_ops->read_isr(sc));
}

void
vio_config_intr(struct vio_softc *sc)
{

	sc->sc_config_intrs++;
	/*
	 * A device that hit an internal error says so here (spec 2.1.2);
	 * stop I/O and let the driver decide whether to reinitialize.
	 */
	if (vio_needs_reset(sc))
		vio_mark_broken(sc, "device needs reset");
	if (sc->sc_config_change != NULL)
		sc->sc_config_change(sc, sc->sc_child);
}

uint8_t
vio_intr(struct vio_softc *sc)
{
	struct vio_vq *vq;
	uint8_t isr;
	int i;

	isr = vio_read_isr(sc) & (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG);
	/* The ISR does not say which queue: look at each. */
	if (isr & VIRTIO_ISR_QUEUE) {
		for (i = 0; i < VIO_MAX_VQS; i++) {
			vq = sc->sc_vqs[i];
			if (vq != NULL && vq_pending(vq))
				vq_intr(vq);
		}
	}
	if (isr & VIRTIO_ISR_CONFIG)
		vio_config_intr(sc);
	return (isr);
}

int
vio_set_config_vector(struct vio_softc *sc, uint16_t vec)
{

	return (sc->sc_ops->set_config_vector(sc, vec));
}

int
vio_set_queue_vector(struct vio_softc *sc, uint16_t idx, uint16_t vec)
{

	if (idx >= VIO_MAX_VQS || sc->sc_vqs[idx] == NULL)
		return (EINVAL);
	return (sc->sc_ops->set_queue_vector(sc, idx, vec));
}
