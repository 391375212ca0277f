/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Register and ring layouts of the virtio 1.x specification (OASIS
 * "Virtual I/O Device (VIRTIO) Version 1.2") and of the legacy 0.9.5
 * PCI interface, as the core needs them.  Names follow the specification
 * so that a reader can look each one up there.
 */

#ifndef _VIRTIO_REG_H_
#define _VIRTIO_REG_H_

#include "vio_os.h"

/* Device status (spec 2.1). */
#define VIRTIO_STATUS_RESET		0x00
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Device types (spec 5); PCI modern device id is 0x1040 + type. */
#define VIRTIO_ID_NET			1
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_CONSOLE		3
#define VIRTIO_ID_RNG			4
#define VIRTIO_ID_BALLOON		5
#define VIRTIO_ID_SCSI			8

/*
 * Feature bits are 64-bit masks.  Bits 0-23 and 50-127 belong to the
 * device type, 24-49 to the transport and ring (spec 6); no device
 * defines a bit above 63 yet, so 64 bits carry them all.
 */
#define VIRTIO_FEATURE(bit)		((uint64_t)1 << (bit))
#define VIRTIO_F_NOTIFY_ON_EMPTY	VIRTIO_FEATURE(24)	/* legacy */
#define VIRTIO_F_ANY_LAYOUT		VIRTIO_FEATURE(27)	/* legacy */
#define VIRTIO_RING_F_INDIRECT_DESC	VIRTIO_FEATURE(28)
#define VIRTIO_RING_F_EVENT_IDX		VIRTIO_FEATURE(29)
#define VIRTIO_F_BAD_FEATURE		VIRTIO_FEATURE(30)	/* legacy */
#define VIRTIO_F_VERSION_1		VIRTIO_FEATURE(32)
#define VIRTIO_F_ACCESS_PLATFORM	VIRTIO_FEATURE(33)
#define VIRTIO_F_RING_PACKED		VIRTIO_FEATURE(34)
#define VIRTIO_F_IN_ORDER		VIRTIO_FEATURE(35)
#define VIRTIO_F_ORDER_PLATFORM		VIRTIO_FEATURE(36)
#define VIRTIO_F_SR_IOV			VIRTIO_FEATURE(37)
#define VIRTIO_F_NOTIFICATION_DATA	VIRTIO_FEATURE(38)
#define VIRTIO_F_DEVICE_TYPE_MASK	((VIRTIO_FEATURE(24) - 1) | \
	~(VIRTIO_FEATURE(50) - 1))

/*
 * Split virtqueue (spec 2.7).  All fields are little-endian for virtio 1.x
 * devices and guest-endian for legacy ones; the core runs on
 * little-endian machines only, where the two agree.
 */
#define VIRTIO_QUEUE_SIZE_MAX		32768

struct vio_ring_desc {
	uint64_t	addr;		/* bus address of the buffer */
	uint32_t	len;
	uint16_t	flags;		/* VRING_DESC_F_* */
	uint16_t	next;		/* valid if VRING_DESC_F_NEXT */
};
#define VRING_DESC_F_NEXT		0x0001
#define VRING_DESC_F_WRITE		0x0002	/* device writes the buffer */
#define VRING_DESC_F_INDIRECT		0x0004	/* buffer: a descriptor table */

/* Driver area; used_event (EVENT_IDX) follows ring[size]. */
struct vio_ring_avail {
	uint16_t	flags;		/* VRING_AVAIL_F_* */
	uint16_t	idx;
	uint16_t	ring[];
};
#define VRING_AVAIL_F_NO_INTERRUPT	0x0001

struct vio_ring_used_elem {
	uint32_t	id;		/* head descriptor of the chain */
	uint32_t	len;		/* bytes the device wrote */
};

/* Device area; avail_event (EVENT_IDX) follows ring[size]. */
struct vio_ring_used {
	uint16_t	flags;		/* VRING_USED_F_* */
	uint16_t	idx;
	struct vio_ring_used_elem ring[];
};
#define VRING_USED_F_NO_NOTIFY		0x0001

/*
 * Packed virtqueue (spec 2.8), negotiated by VIRTIO_F_RING_PACKED: one
 * ring of descriptors that the driver makes available and the device
 * overwrites with used ones, told apart by the AVAIL and USED bits
 * against each side's ring wrap counter (both start at 1).  The driver
 * area and the device area each hold an event suppression structure.
 */
struct vio_packed_desc {
	uint64_t	addr;		/* available: bus address; used: unused */
	uint32_t	len;		/* used: bytes written (if F_WRITE) */
	uint16_t	id;		/* buffer id, in the last of a chain */
	uint16_t	flags;		/* VRING_DESC_F_* and the two below */
};
#define VRING_PACKED_DESC_F_AVAIL	0x0080
#define VRING_PACKED_DESC_F_USED	0x8000

struct vio_packed_event {
	uint16_t	off_wrap;	/* offset (bits 0-14) and wrap (15) */
	uint16_t	flags;		/* VRING_PACKED_EVENT_F_* */
};
#define VRING_PACKED_EVENT_F_ENABLE	0x0
#define VRING_PACKED_EVENT_F_DISABLE	0x1
#define VRING_PACKED_EVENT_F_DESC	0x2	/* only with EVENT_IDX */
#define VRING_PACKED_EVENT_WRAP		0x8000

/* Alignments of the three areas (spec 2.7, "Virtqueue Part Alignment"). */
#define VRING_DESC_ALIGN		16
#define VRING_AVAIL_ALIGN		2
#define VRING_USED_ALIGN		4
/* Legacy: one area, used ring on the next 4096-byte boundary. */
#define VRING_LEGACY_ALIGN		4096

/* PCI identification (spec 4.1.2). */
#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_DEVICE_TRANS_MIN	0x1000	/* transitional */
#define VIRTIO_PCI_DEVICE_TRANS_MAX	0x103f
#define VIRTIO_PCI_DEVICE_MODERN_MIN	0x1040	/* 0x1040 + device type */
#define VIRTIO_PCI_DEVICE_MODERN_MAX	0x107f

/* Generic PCI configuration space offsets the transport reads. */
#define PCIR_VENDOR			0x00
#define PCIR_DEVICE			0x02
#define PCIR_STATUS			0x06
#define PCIM_STATUS_CAPLIST		0x0010
#define PCIR_REVID			0x08
#define PCIR_SUBDEV			0x2e	/* transitional: device type */
#define PCIR_CAPPTR			0x34
#define PCI_CAP_ID_MSIX			0x11
#define PCI_CAP_ID_VNDR			0x09
#define PCI_NUM_BARS			6

/* Virtio vendor capability (struct virtio_pci_cap, spec 4.1.4). */
#define VIRTIO_PCI_CAP_VNDR		0	/* u8 PCI_CAP_ID_VNDR */
#define VIRTIO_PCI_CAP_NEXT		1	/* u8 */
#define VIRTIO_PCI_CAP_LEN		2	/* u8 */
#define VIRTIO_PCI_CAP_CFG_TYPE		3	/* u8 VIRTIO_PCI_CAP_*_CFG */
#define VIRTIO_PCI_CAP_BAR		4	/* u8 */
#define VIRTIO_PCI_CAP_ID		5	/* u8 */
#define VIRTIO_PCI_CAP_OFFSET		8	/* u32 */
#define VIRTIO_PCI_CAP_LENGTH		12	/* u32 */
#define VIRTIO_PCI_CAP_SIZE		16
#define VIRTIO_PCI_NOTIFY_CAP_MULT	16	/* u32 notify_off_multiplier */
#define VIRTIO_PCI_NOTIFY_CAP_SIZE	20

#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5
#define VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8
#define VIRTIO_PCI_CAP_VENDOR_CFG	9

/* Common configuration structure (struct virtio_pci_common_cfg). */
#define VIRTIO_PCI_COMMON_DFSELECT	0	/* u32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF		4	/* u32 device_feature */
#define VIRTIO_PCI_COMMON_GFSELECT	8	/* u32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF		12	/* u32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX		16	/* u16 config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ		18	/* u16 num_queues */
#define VIRTIO_PCI_COMMON_STATUS	20	/* u8 device_status */
#define VIRTIO_PCI_COMMON_CFGGENERATION	21	/* u8 config_generation */
#define VIRTIO_PCI_COMMON_Q_SELECT	22	/* u16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE	24	/* u16 queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX	26	/* u16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE	28	/* u16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF	30	/* u16 queue_notify_off */
#define VIRTIO_PCI_COMMON_Q_DESCLO	32	/* u64 queue_desc, low half */
#define VIRTIO_PCI_COMMON_Q_DESCHI	36
#define VIRTIO_PCI_COMMON_Q_AVAILLO	40	/* u64 queue_driver */
#define VIRTIO_PCI_COMMON_Q_AVAILHI	44
#define VIRTIO_PCI_COMMON_Q_USEDLO	48	/* u64 queue_device */
#define VIRTIO_PCI_COMMON_Q_USEDHI	52
#define VIRTIO_PCI_COMMON_CFG_SIZE	56

/* ISR status bits (spec 4.1.4.5); reading the ISR clears it. */
#define VIRTIO_ISR_QUEUE		0x01
#define VIRTIO_ISR_CONFIG		0x02

#define VIRTIO_MSI_NO_VECTOR		0xffff

/* Legacy interface: registers in I/O BAR 0 (spec 4.1.4.8). */
#define VIRTIO_LEGACY_BAR		0
#define VIRTIO_LEGACY_HOST_FEATURES	0	/* u32, device features */
#define VIRTIO_LEGACY_GUEST_FEATURES	4	/* u32, driver features */
#define VIRTIO_LEGACY_QUEUE_PFN		8	/* u32, ring address >> 12 */
#define VIRTIO_LEGACY_QUEUE_NUM		12	/* u16, queue size, read-only */
#define VIRTIO_LEGACY_QUEUE_SEL		14	/* u16 */
#define VIRTIO_LEGACY_QUEUE_NOTIFY	16	/* u16 */
#define VIRTIO_LEGACY_STATUS		18	/* u8 */
#define VIRTIO_LEGACY_ISR		19	/* u8 */
/* Present only while MSI-X is enabled on the function: */
#define VIRTIO_LEGACY_MSIX_CONFIG	20	/* u16 config vector */
#define VIRTIO_LEGACY_MSIX_QUEUE	22	/* u16 queue vector */
/* Device-specific configuration starts here: */
#define VIRTIO_LEGACY_CONFIG		20
#define VIRTIO_LEGACY_CONFIG_MSIX	24
#define VIRTIO_LEGACY_PFN_SHIFT		12

#endif /* !_VIRTIO_REG_H_ */
