/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_pci interrupts.
 *
 * MSI-X first: vector 0 for configuration changes, the others shared
 * round-robin by the queues (one each when the device has enough), a
 * per-CPU queue's vector on its CPU (vpci_vector_cpu()).  Without
 * MSI-X (hw.vio.pci.disable_msix, too few vectors, or none granted) one
 * MSI message, else the INTx line; there the ISR register says what
 * happened and reading it acknowledges the interrupt.
 *
 * Handlers are installed without a serializer and take the child's own
 * one per queue (vio_bus_if.m setup_intr), so a vector shared by queues of
 * different serializers stays correct.  Handlers exist only while the
 * device is live: bindings change only while none is installed, so the
 * handlers read them without a lock.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/kernel.h>
#include <sys/rman.h>
#include <sys/serialize.h>
#include <sys/sysctl.h>

#include <bus/pci/pcireg.h>
#include <bus/pci/pcivar.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "vio_pci_bus_var.h"

const char *
vpci_intr_mode_name(const struct vpci_softc *sc)
{

	switch (sc->sc_intr_mode) {
	case VIOPCI_INTR_MSIX:
		return ("msix");
	case VIOPCI_INTR_MSI:
		return ("msi");
	default:
		return ("intx");
	}
}

/*
 * The CPU MSI-X vector vec interrupts.  Vector 1 + q serves queue q (the
 * core's policy, vio_queue_vector()); a child with queues per CPU
 * submits to queue q from CPU q / sc_queues_per_cpu, so its completions
 * come back to that CPU.  The configuration vector, and the queues of a
 * child with a fixed count, spread by unit.
 */
static int
vpci_vector_cpu(struct vpci_softc *sc, int vec)
{

	if (vec == VIO_CONFIG_VECTOR || sc->sc_queues_per_cpu == 0)
		return ((device_get_unit(sc->sc_dev) + vec) % ncpus);
	return ((vec - 1) / sc->sc_queues_per_cpu % ncpus);
}

/* 0 with sc_nvecs >= 2 MSI-X vectors allocated, else an errno. */
static int
vpci_alloc_msix(struct vpci_softc *sc)
{
	device_t dev = sc->sc_dev;
	int i, n, rid;

	/* Vectors the child has no use for stay with the system. */
	n = pci_msix_count(dev);
	if (n > sc->sc_vecs_wanted)
		n = sc->sc_vecs_wanted;
	if (n > VIOPCI_MAX_VECS)
		n = VIOPCI_MAX_VECS;
	if (n < 2)
		return (ENXIO);
	if (pci_setup_msix(dev) != 0)
		return (ENXIO);
	for (i = 0; i < n; i++) {
		if (pci_alloc_msix_vector(dev, i, &rid,
		    vpci_vector_cpu(sc, i)) != 0)
			break;
		sc->sc_vecs[i].vv_rid = rid;
	}
	/* The configuration vector and at least one for the queues. */
	if (i < 2) {
		while (i-- > 0)
			pci_release_msix_vector(dev, sc->sc_vecs[i].vv_rid);
		pci_teardown_msix(dev);
		return (ENXIO);
	}
	sc->sc_nvecs = i;
	sc->sc_intr_mode = VIOPCI_INTR_MSIX;
	return (0);
}

/* The interrupt resources of the sc_nvecs vectors; 0 or ENXIO. */
static int
vpci_alloc_irqs(struct vpci_softc *sc, u_int flags)
{
	struct vpci_vec *vv;
	int i;

	for (i = 0; i < sc->sc_nvecs; i++) {
		vv = &sc->sc_vecs[i];
		vv->vv_sc = sc;
		vv->vv_irq = bus_alloc_resource_any(sc->sc_dev, SYS_RES_IRQ,
		    &vv->vv_rid, flags);
		if (vv->vv_irq == NULL)
			return (ENXIO);
	}
	return (0);
}

/* One MSI message (if MSI), else the INTx line. */
static int
vpci_alloc_1intr(struct vpci_softc *sc, int msi)
{
	u_int flags;

	flags = RF_ACTIVE;
	sc->sc_nvecs = 1;
	sc->sc_vecs[0].vv_rid = 0;
	if (pci_alloc_1intr(sc->sc_dev, msi, &sc->sc_vecs[0].vv_rid,
	    &flags) == PCI_INTR_TYPE_MSI)
		sc->sc_intr_mode = VIOPCI_INTR_MSI;
	else
		sc->sc_intr_mode = VIOPCI_INTR_INTX;
	return (vpci_alloc_irqs(sc, flags));
}

/*
 * MSI-X, MSI, INTx: each mode whose vectors or resources cannot all be
 * had is given back whole before the next is tried.
 */
int
vpci_intr_alloc(struct vpci_softc *sc)
{
	device_t dev = sc->sc_dev;

	if (!vpci_disable_msix && vpci_alloc_msix(sc) == 0) {
		if (vpci_alloc_irqs(sc, RF_ACTIVE) == 0) {
			pci_enable_msix(dev);
			return (0);
		}
		device_printf(dev, "MSI-X vectors without interrupt "
		    "resources, trying MSI and INTx\n");
		vpci_intr_release(sc);
	}
	if (vpci_alloc_1intr(sc, 1) == 0)
		return (0);
	if (sc->sc_intr_mode == VIOPCI_INTR_MSI) {
		/* The MSI message has no resource: the line may. */
		vpci_intr_release(sc);
		if (vpci_alloc_1intr(sc, 0) == 0)
			return (0);
	}
	vpci_intr_release(sc);
	return (ENXIO);
}

void
vpci_intr_release(struct vpci_softc *sc)
{
	device_t dev = sc->sc_dev;
	struct vpci_vec *vv;
	int i;

	for (i = 0; i < sc->sc_nvecs; i++) {
		vv = &sc->sc_vecs[i];
		if (vv->vv_irq != NULL) {
			bus_release_resource(dev, SYS_RES_IRQ, vv->vv_rid,
			    vv->vv_irq);
			vv->vv_irq = NULL;
		}
		if (sc->sc_intr_mode == VIOPCI_INTR_MSIX)
			pci_release_msix_vector(dev, vv->vv_rid);
	}
	if (sc->sc_intr_mode == VIOPCI_INTR_MSIX && sc->sc_nvecs > 0) {
		pci_disable_msix(dev);
		pci_teardown_msix(dev);
	} else if (sc->sc_intr_mode == VIOPCI_INTR_MSI) {
		pci_release_msi(dev);
	}
	sc->sc_nvecs = 0;
	sc->sc_intr_mode = VIOPCI_INTR_INTX;
}

/*
 * Deliver the interrupts of queue vq (configuration changes when NULL)
 * under slz; with MSI-X on the vector vq_alloc() gave the queue.
 */
int
vpci_intr_bind(struct vpci_softc *sc, struct vio_vq *vq,
    lwkt_serialize_t slz)
{

	if (sc->sc_live || slz == NULL)
		return (EINVAL);
	if (vq == NULL)
		sc->sc_config_slz = slz;
	else
		sc->sc_vq_slz[vq->vq_slot] = slz;
	return (0);
}

/* The core's delivery hook: run the handler under its serializer. */
static void
vpci_deliver(void *arg, struct vio_vq *vq)
{
	struct vpci_softc *sc = arg;
	lwkt_serialize_t slz;

	slz = vq != NULL ? sc->sc_vq_slz[vq->vq_slot] : sc->sc_config_slz;
	if (slz == NULL)
		return;			/* the driver did not ask for it */
	lwkt_serialize_enter(slz);
	if (vq != NULL)
		vq_intr(vq);
	else
		vio_config_intr(vpci_vio(sc));
	lwkt_serialize_exit(slz);
}

/* An MSI-X vector: everything the core routed to it, no ISR to read. */
static void
vpci_msix_intr(void *arg)
{
	struct vpci_vec *vv = arg;
	struct vpci_softc *sc = vv->vv_sc;

	vio_msix_intr_deliver(vpci_vio(sc), (uint16_t)(vv - sc->sc_vecs),
	    vpci_deliver, sc);
}

/* INTx or MSI: the ISR says whether queues, configuration or neither. */
static void
vpci_isr_intr(void *arg)
{
	struct vpci_vec *vv = arg;

	(void)vio_intr_deliver(vpci_vio(vv->vv_sc), vpci_deliver,
	    vv->vv_sc);
}

int
vpci_intr_start(struct vpci_softc *sc)
{
	struct vpci_vec *vv;
	driver_intr_t *handler;
	int error, i;

	if (sc->sc_live)
		return (EBUSY);
	handler = sc->sc_intr_mode == VIOPCI_INTR_MSIX ? vpci_msix_intr :
	    vpci_isr_intr;
	for (i = 0; i < sc->sc_nvecs; i++) {
		vv = &sc->sc_vecs[i];
		error = bus_setup_intr(sc->sc_dev, vv->vv_irq, INTR_MPSAFE,
		    handler, vv, &vv->vv_cookie, NULL);
		if (error != 0) {
			sc->sc_live = true;
			vpci_intr_stop(sc);
			return (error);
		}
	}
	sc->sc_live = true;
	return (0);
}

/* Remove the handlers, waiting for running ones, and forget bindings. */
void
vpci_intr_stop(struct vpci_softc *sc)
{
	struct vpci_vec *vv;
	int i;

	for (i = 0; i < sc->sc_nvecs; i++) {
		vv = &sc->sc_vecs[i];
		if (vv->vv_cookie != NULL) {
			bus_teardown_intr(sc->sc_dev, vv->vv_irq,
			    vv->vv_cookie);
			vv->vv_cookie = NULL;
		}
	}
	sc->sc_live = false;
	memset(sc->sc_vq_slz, 0, sizeof(sc->sc_vq_slz));
	sc->sc_config_slz = NULL;
}
