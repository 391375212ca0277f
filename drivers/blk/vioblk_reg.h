/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-blk device definitions, from the OASIS virtio 1.x specification
 * ("Block Device").  Wire layouts are given as byte offsets: the protocol
 * code decodes configuration space and DMA areas byte by byte in little
 * endian, so it does not depend on the host's struct packing.
 */

#ifndef _VIOBLK_REG_H_
#define _VIOBLK_REG_H_

/* Feature bits. */
#define VIRTIO_BLK_F_BARRIER		(1ULL << 0)	/* legacy only */
#define VIRTIO_BLK_F_SIZE_MAX		(1ULL << 1)
#define VIRTIO_BLK_F_SEG_MAX		(1ULL << 2)
#define VIRTIO_BLK_F_GEOMETRY		(1ULL << 4)
#define VIRTIO_BLK_F_RO			(1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE		(1ULL << 6)
#define VIRTIO_BLK_F_SCSI		(1ULL << 7)	/* legacy only */
#define VIRTIO_BLK_F_FLUSH		(1ULL << 9)	/* legacy name: WCE */
#define VIRTIO_BLK_F_TOPOLOGY		(1ULL << 10)
#define VIRTIO_BLK_F_CONFIG_WCE		(1ULL << 11)
#define VIRTIO_BLK_F_MQ			(1ULL << 12)
#define VIRTIO_BLK_F_DISCARD		(1ULL << 13)
#define VIRTIO_BLK_F_WRITE_ZEROES	(1ULL << 14)

/* Device configuration layout (offsets in bytes). */
#define VIRTIO_BLK_CONFIG_CAPACITY		0	/* le64, in 512 bytes */
#define VIRTIO_BLK_CONFIG_SIZE_MAX		8	/* le32 */
#define VIRTIO_BLK_CONFIG_SEG_MAX		12	/* le32 */
#define VIRTIO_BLK_CONFIG_CYLINDERS		16	/* le16 */
#define VIRTIO_BLK_CONFIG_HEADS			18	/* u8 */
#define VIRTIO_BLK_CONFIG_SECTORS		19	/* u8 */
#define VIRTIO_BLK_CONFIG_BLK_SIZE		20	/* le32 */
#define VIRTIO_BLK_CONFIG_PHYS_BLOCK_EXP	24	/* u8 */
#define VIRTIO_BLK_CONFIG_ALIGNMENT_OFFSET	25	/* u8 */
#define VIRTIO_BLK_CONFIG_MIN_IO_SIZE		26	/* le16, blocks */
#define VIRTIO_BLK_CONFIG_OPT_IO_SIZE		28	/* le32, blocks */
#define VIRTIO_BLK_CONFIG_WRITEBACK		32	/* u8 */
#define VIRTIO_BLK_CONFIG_NUM_QUEUES		34	/* le16 */
#define VIRTIO_BLK_CONFIG_MAX_DISCARD_SECTORS	36	/* le32 */
#define VIRTIO_BLK_CONFIG_MAX_DISCARD_SEG	40	/* le32 */
#define VIRTIO_BLK_CONFIG_DISCARD_ALIGNMENT	44	/* le32, sectors */
#define VIRTIO_BLK_CONFIG_MAX_WZ_SECTORS	48	/* le32 */
#define VIRTIO_BLK_CONFIG_MAX_WZ_SEG		52	/* le32 */
#define VIRTIO_BLK_CONFIG_WZ_MAY_UNMAP		56	/* u8 */
#define VIRTIO_BLK_CONFIG_SIZE			60

/* Request types (virtio_blk_outhdr.type). */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13

/* Request header: le32 type, le32 ioprio, le64 sector. */
#define VIRTIO_BLK_OUTHDR_TYPE		0
#define VIRTIO_BLK_OUTHDR_IOPRIO	4
#define VIRTIO_BLK_OUTHDR_SECTOR	8
#define VIRTIO_BLK_OUTHDR_SIZE		16

/* Discard / write-zeroes range: le64 sector, le32 num_sectors, le32 flags. */
#define VIRTIO_BLK_RANGE_SECTOR		0
#define VIRTIO_BLK_RANGE_NUM_SECTORS	8
#define VIRTIO_BLK_RANGE_FLAGS		12
#define VIRTIO_BLK_RANGE_SIZE		16
#define VIRTIO_BLK_WZ_FLAG_UNMAP	0x1

/* Status byte written by the device after the data. */
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

/* Size of the GET_ID answer; the string is NUL-padded, not terminated. */
#define VIRTIO_BLK_ID_BYTES		20

/* Addressing unit of capacity and of sector numbers in requests. */
#define VIRTIO_BLK_SECTOR_SIZE		512

#endif /* !_VIOBLK_REG_H_ */
