/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Device status and feature negotiation (virtio 1.x spec 3.1.1).
 */

#include "vio_os.h"
#include "vio.h"

/* A reset normally completes at once; allow a slow device 100 ms. */
#define VIO_RESET_POLLS		1000
#define VIO_RESET_POLL_USEC	100

/*
 * Feature bits the core itself implements, accepted for every driver
 * (packed rings only from a virtio 1.x interface, below); anything else
 * in the transport range (in-order, notification data, ...) is never
 * accepted, whatever the driver asks.
 */
#define VIO_CORE_RING_FEATURES \
	(VIRTIO_RING_F_INDIRECT_DESC | VIRTIO_RING_F_EVENT_IDX)

void
vio_mark_broken(struct vio_softc *sc, const char *why)
{

	if (sc->sc_broken)
		return;
	sc->sc_broken = true;
	sc->sc_broken_why = why;
	vio_log(sc->sc_os, "vio: device broken: %s\n", why);
}

/* Status bits accumulate: each step writes everything set so far. */
static void
vio_add_status(struct vio_softc *sc, uint8_t bits)
{

	sc->sc_status |= bits;
	sc->sc_ops->set_status(sc, sc->sc_status);
}

int
vio_reset(struct vio_softc *sc)
{
	int i;

	sc->sc_status = VIRTIO_STATUS_RESET;
	sc->sc_ops->set_status(sc, VIRTIO_STATUS_RESET);
	/* Modern devices may take time; the driver must see 0 first. */
	for (i = 0; i < VIO_RESET_POLLS; i++) {
		if (sc->sc_ops->get_status(sc) == VIRTIO_STATUS_RESET)
			return (0);
		vio_delay(sc->sc_os, VIO_RESET_POLL_USEC);
	}
	vio_mark_broken(sc, "reset did not complete");
	return (ETIMEDOUT);
}

int
vio_init(struct vio_softc *sc)
{
	int error, i;

	/* Queues hold ring addresses the reset makes stale: free them first. */
	for (i = 0; i < VIO_MAX_VQS; i++)
		if (sc->sc_vqs[i] != NULL)
			return (EBUSY);
	if ((error = vio_reset(sc)) != 0)
		return (error);
	sc->sc_broken = false;
	sc->sc_broken_why = NULL;
	sc->sc_features = 0;
	vio_add_status(sc, VIRTIO_STATUS_ACKNOWLEDGE);
	vio_add_status(sc, VIRTIO_STATUS_DRIVER);
	return (0);
}

int
vio_negotiate_features(struct vio_softc *sc, uint64_t wanted)
{
	uint64_t offered, accept;

	if (sc->sc_broken)
		return (EIO);
	offered = sc->sc_ops->read_device_features(sc);
	sc->sc_device_features = offered;
	accept = (wanted & VIRTIO_F_DEVICE_TYPE_MASK) | VIO_CORE_RING_FEATURES;
	if (sc->sc_modern) {
		/* A virtio 1.x interface without VERSION_1 is contradictory. */
		if ((offered & VIRTIO_F_VERSION_1) == 0) {
			vio_log(sc->sc_os, "vio: modern without VERSION_1\n");
			vio_fail(sc);
			return (ENXIO);
		}
		/*
		 * The binding hands the core bus addresses (an IOMMU's
		 * if there is one), which is what ACCESS_PLATFORM asks for.
		 * Packed rings need VERSION_1, so a legacy device never
		 * gets them.
		 */
		accept |= VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM |
		    VIRTIO_F_RING_PACKED;
	} else
		accept &= 0xffffffffU;
	sc->sc_features = offered & accept & ~sc->sc_features_off;
	sc->sc_ops->write_driver_features(sc, sc->sc_features);
	if (!sc->sc_modern)
		return (0);	/* legacy devices have no FEATURES_OK */

	vio_add_status(sc, VIRTIO_STATUS_FEATURES_OK);
	if ((sc->sc_ops->get_status(sc) & VIRTIO_STATUS_FEATURES_OK) == 0) {
		vio_log(sc->sc_os, "vio: device refused features %x:%x\n",
		    (unsigned int)(sc->sc_features >> 32),
		    (unsigned int)sc->sc_features);
		sc->sc_features = 0;
		vio_fail(sc);
		return (EOPNOTSUPP);
	}
	return (0);
}

int
vio_driver_ok(struct vio_softc *sc)
{
	int error;

	if (sc->sc_broken)
		return (EIO);
	if (sc->sc_nvectors != 0 &&
	    (error = vio_set_config_vector(sc, VIO_CONFIG_VECTOR)) != 0)
		return (error);
	vio_add_status(sc, VIRTIO_STATUS_DRIVER_OK);
	return (0);
}

int
vio_attach_start(struct vio_softc *sc, uint64_t wanted)
{
	int error;

	if ((error = vio_init(sc)) != 0)
		return (error);
	return (vio_negotiate_features(sc, wanted));
}

int
vio_attach_finish(struct vio_softc *sc)
{
	int error;

	/* The driver gives up on the device: tell it so (spec 3.1.1). */
	if ((error = vio_driver_ok(sc)) != 0)
		vio_fail(sc);
	return (error);
}

void
vio_fail(struct vio_softc *sc)
{

	vio_add_status(sc, VIRTIO_STATUS_FAILED);
}

bool
vio_needs_reset(struct vio_softc *sc)
{

	return ((sc->sc_ops->get_status(sc) &
	    VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0);
}
