#-
# SPDX-License-Identifier: BSD-2-Clause
#
# Copyright (c) 2026 The dfly-virtio Project.
#

#
# vio_bus: what vio_pci(4) offers the driver of the virtio device under it
# (vioblk, vioif, viomb).  The driver runs the virtio protocol through
# the shared core (struct vio_softc, vq_*); through this interface it asks
# its parent for what depends on the PCI function and the kernel:
# feature negotiation (which resets the device), interrupts delivered
# under the driver's own serializers, and the device going live or
# stopping.
#
# Order in a driver's attach: VIO_BUS_NEGOTIATE, read the configuration and
# allocate the queues with the core, VIO_BUS_SETUP_INTR for each queue (and
# NULL for configuration changes), VIO_BUS_DRIVER_OK.  In detach: VIO_BUS_STOP,
# then vq_reclaim() and vq_free() with the core.
#

#include <sys/bus.h>
#include <sys/serialize.h>

INTERFACE vio_bus;

HEADER {
	struct vio_softc;
	struct vio_vq;
};

#
# The core's view of the device, for the protocol code and vq_* calls.
#
METHOD struct vio_softc * core {
	device_t	dev;
	device_t	child;
};

#
# Reset the device and negotiate the driver's wanted bits; the core adds
# the ring features it implements (indirect descriptors, event index)
# unless hw.vio.pci.disable_indirect or disable_event_idx is set.  The
# result is in the core softc (vio_has_feature()).
#
METHOD int negotiate {
	device_t	dev;
	device_t	child;
	uint64_t	wanted;
};

#
# Deliver the interrupts of virtqueue vq (or, with vq NULL, configuration
# changes) by calling vq_intr() (vio_config_intr()) with slz held.  The
# queue's vq_done hook (the core's sc_config_change) must be set before.
#
METHOD int setup_intr {
	device_t	dev;
	device_t	child;
	struct vio_vq	*vq;
	lwkt_serialize_t slz;
};

#
# Install the interrupt handlers and set DRIVER_OK: the device is live.
#
METHOD int driver_ok {
	device_t	dev;
	device_t	child;
};

#
# Stop the device: remove the handlers (waiting for running ones) and
# reset it, so that it no longer touches memory.  Called without any of
# the driver's serializers held.
#
METHOD void stop {
	device_t	dev;
	device_t	child;
};
