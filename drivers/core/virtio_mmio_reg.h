/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Register layout of the virtio-mmio transport (OASIS virtio 1.2, 4.2.2
 * for version 2 and 4.2.4 for the legacy version 1).  Every register is
 * 32 bits wide and must be accessed as such (4.2.2.2); the device
 * configuration space follows at VIRTIO_MMIO_CONFIG.
 */

#ifndef _VIRTIO_MMIO_REG_H_
#define _VIRTIO_MMIO_REG_H_

#define VIRTIO_MMIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_MMIO_VERSION_LEGACY	1
#define VIRTIO_MMIO_VERSION_MODERN	2

#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008	/* 0: no device here */
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE	0x028	/* version 1 */
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034	/* 0: no such queue */
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_ALIGN		0x03c	/* version 1 */
#define VIRTIO_MMIO_QUEUE_PFN		0x040	/* version 1 */
#define VIRTIO_MMIO_QUEUE_READY		0x044	/* version 2 */
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060	/* VIRTIO_ISR_* bits */
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080	/* version 2, as the rest */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW	0x090	/* "driver area" */
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW	0x0a0	/* "device area" */
#define VIRTIO_MMIO_QUEUE_USED_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

/* Version 1 rings: one area, located by page frame (4.2.4). */
#define VIRTIO_MMIO_LEGACY_PAGE_SIZE	4096
#define VIRTIO_MMIO_LEGACY_PFN_SHIFT	12

#endif /* !_VIRTIO_MMIO_REG_H_ */
