/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * PCI transport (virtio 1.x spec 4.1): legacy (0.9.5 registers in I/O
 * BAR 0) and modern (regions found through vendor capabilities).  The
 * binding maps the BARs and supplies vio_bar_*() and vio_pcicfg_read_*()
 * (vio_os.h); everything read through them is checked against the BAR
 * sizes the binding reports with vio_bar_size().
 */

#ifndef _VIO_PCI_H_
#define _VIO_PCI_H_

#include "vio_os.h"
#include "vio.h"

/* One register region: offset and length within a BAR. */
struct vio_pci_region {
	int		r_bar;
	uint32_t	r_off;
	uint32_t	r_len;
};

struct vio_pci_softc {
	struct vio_softc sc_vio;	/* first: the transport-neutral part */
	uint16_t	sc_pci_device;	/* PCI device id */
	bool		sc_msix;	/* binding enabled MSI-X */
	/* Modern: the four regions of the vendor capabilities. */
	struct vio_pci_region sc_common;
	struct vio_pci_region sc_notify;
	struct vio_pci_region sc_isr;
	struct vio_pci_region sc_devcfg;
	uint32_t	sc_notify_mult;	/* notify_off_multiplier */
	uint16_t	sc_num_queues;	/* modern: from common config */
	/* Legacy: registers in BAR 0, device config at sc_devcfg.r_off. */
};

/* vio_pci_attach() flags. */
#define VIO_PCI_PREFER_LEGACY	0x0001	/* transitional device: use legacy */

/*
 * Set up the transport of the PCI function with the given device id
 * (vendor 0x1af4 already matched by the binding).  Modern-only ids
 * (0x1040-0x107f) need the vendor capabilities; transitional ids
 * (0x1000-0x103f) use them when present, else BAR 0 legacy registers,
 * and legacy at once with VIO_PCI_PREFER_LEGACY.  Touches no device
 * state.  Sets sc_device_type, sc_modern, sc_ops and sc_config_len.
 * Errors: ENXIO (not a virtio device, or a capability, BAR or region the
 * core cannot use: the function stays unattached).
 */
int	vio_pci_attach(struct vio_pci_softc *, void *os, uint16_t device_id,
	    int flags);
/*
 * The virtio device type (VIRTIO_ID_*) of a function of vendor 0x1af4
 * with this device and subsystem id, or 0 if it is not a virtio device.
 */
uint16_t vio_pci_device_type(uint16_t device_id, uint16_t subdevice);

/*
 * Tell the transport how many MSI-X vectors the binding enabled on the
 * function (0: MSI-X off); the core assigns them (vio_queue_vector()).
 * Legacy devices with MSI-X have the vector registers at 20 and the
 * device configuration at 24 instead of 20; call before reading the
 * device configuration and before vq_alloc().
 */
void	vio_pci_set_msix(struct vio_pci_softc *, uint16_t nvectors);

#endif /* !_VIO_PCI_H_ */
