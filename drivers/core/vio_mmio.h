/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-mmio transport (virtio 1.x spec 4.2): a window of 32-bit
 * registers followed by the device configuration, one per device, with
 * one interrupt line and no MSI-X.  Version 2 is the virtio 1.x
 * interface ("modern": VERSION_1, FEATURES_OK, queue addresses in three
 * register pairs); version 1 is the legacy interface (rings at a page
 * frame, guest-endian).  The binding finds the windows (a kernel command
 * line, a device tree, ACPI) and maps one per device; the core reaches
 * it with vio_bar_*(os, VIO_MMIO_BAR, off) and learns its length from
 * vio_bar_size(os, VIO_MMIO_BAR).  vio_pcicfg_*() are never called.
 */

#ifndef _VIO_MMIO_H_
#define _VIO_MMIO_H_

#include "vio_os.h"
#include "vio.h"

/* The register window in the binding's register hooks. */
#define VIO_MMIO_BAR		0

struct vio_mmio_softc {
	struct vio_softc sc_vio;	/* first: the transport-neutral part */
	uint32_t	sc_version;	/* 1 (legacy) or 2 */
	uint32_t	sc_vendor;	/* VendorID register */
};

/*
 * Identify the device in the window: the magic value, a version the core
 * speaks (1 or 2), a device id other than 0 (QEMU's microvm and others
 * leave empty windows with id 0), a window holding at least the
 * registers.  Touches no device state.  Sets sc_device_type, sc_modern,
 * sc_ops and sc_config_len (the window past VIRTIO_MMIO_CONFIG).
 * Errors: ENXIO, with the reason logged (not a virtio-mmio window, a
 * version or window the core cannot use); ENOENT for an empty window.
 */
int	vio_mmio_attach(struct vio_mmio_softc *, void *os);

#endif /* !_VIO_MMIO_H_ */
