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

/*
 * The next queue set up, from a copy of sc_vq_slots that this clears
 * bit by bit; NULL when none is left.  A handler run meanwhile may have
 * freed a later queue: its slot then reads NULL and is passed over.
 */
static struct vio_vq *
vio_next_vq(struct vio_softc *sc, uint32_t *slots)
{
	struct vio_vq *vq;
	int i;

	while (*slots != 0) {
		i = __builtin_ctz(*slots);
		*slots &= *slots - 1;
		if ((vq = sc->sc_vqs[i]) != NULL)
			return (vq);
	}
	return (NULL);
}

/* Delivery without a lock: the caller serializes everything. */
static void
vio_deliver_direct(void *arg, struct vio_vq *vq)
{

	if (vq != NULL)
		vq_intr(vq);
	else
		vio_config_intr(arg);
}

uint8_t
vio_intr_deliver(struct vio_softc *sc, vio_deliver_fn *deliver, void *arg)
{
	struct vio_vq *vq;
	uint32_t slots;
	uint8_t isr;

	isr = vio_read_isr(sc) & (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG);
	if (isr & VIRTIO_ISR_CONFIG)
		deliver(arg, NULL);
	/*
	 * The ISR does not say which queue: look at each.  On a broken
	 * device (a moment ago, perhaps) each queue with requests in
	 * flight runs its handler, whose vq_drain() fails them.
	 */
	if ((isr & VIRTIO_ISR_QUEUE) || sc->sc_broken) {
		slots = sc->sc_vq_slots;
		while ((vq = vio_next_vq(sc, &slots)) != NULL) {
			if (vq_wants_intr(vq))
				deliver(arg, vq);
		}
	}
	return (isr);
}

uint8_t
vio_intr(struct vio_softc *sc)
{

	return (vio_intr_deliver(sc, vio_deliver_direct, sc));
}

void
vio_msix_intr_deliver(struct vio_softc *sc, uint16_t vec,
    vio_deliver_fn *deliver, void *arg)
{
	struct vio_vq *vq;
	uint32_t slots;

	if (vec == VIO_CONFIG_VECTOR)
		deliver(arg, NULL);
	slots = sc->sc_vq_slots;
	while ((vq = vio_next_vq(sc, &slots)) != NULL) {
		if (vq->vq_vector == vec)
			deliver(arg, vq);
	}
}

void
vio_msix_intr(struct vio_softc *sc, uint16_t vec)
{

	vio_msix_intr_deliver(sc, vec, vio_deliver_direct, sc);
}

int
vio_set_config_vector(struct vio_softc *sc, uint16_t vec)
{

	return (sc->sc_ops->set_config_vector(sc, vec));
}

uint16_t
vio_queue_vector(const struct vio_softc *sc, uint16_t idx)
{

	if (sc->sc_nvectors == 0)
		return (VIRTIO_MSI_NO_VECTOR);
	if (sc->sc_nvectors == 1)
		return (VIO_CONFIG_VECTOR);
	return (1 + idx % (sc->sc_nvectors - 1));
}
