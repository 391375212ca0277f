/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-net device definitions, from the OASIS virtio 1.x specification
 * ("Network Device").  Layouts are byte offsets, decoded little endian.
 */

#ifndef _VIOIF_REG_H_
#define _VIOIF_REG_H_

/* Feature bits. */
#define VIRTIO_NET_F_CSUM		(1ULL << 0)
#define VIRTIO_NET_F_GUEST_CSUM		(1ULL << 1)
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS (1ULL << 2)
#define VIRTIO_NET_F_MTU		(1ULL << 3)
#define VIRTIO_NET_F_MAC		(1ULL << 5)
#define VIRTIO_NET_F_GSO		(1ULL << 6)	/* legacy only */
#define VIRTIO_NET_F_GUEST_TSO4		(1ULL << 7)
#define VIRTIO_NET_F_GUEST_TSO6		(1ULL << 8)
#define VIRTIO_NET_F_GUEST_ECN		(1ULL << 9)
#define VIRTIO_NET_F_GUEST_UFO		(1ULL << 10)
#define VIRTIO_NET_F_HOST_TSO4		(1ULL << 11)
#define VIRTIO_NET_F_HOST_TSO6		(1ULL << 12)
#define VIRTIO_NET_F_HOST_ECN		(1ULL << 13)
#define VIRTIO_NET_F_HOST_UFO		(1ULL << 14)
#define VIRTIO_NET_F_MRG_RXBUF		(1ULL << 15)
#define VIRTIO_NET_F_STATUS		(1ULL << 16)
#define VIRTIO_NET_F_CTRL_VQ		(1ULL << 17)
#define VIRTIO_NET_F_CTRL_RX		(1ULL << 18)
#define VIRTIO_NET_F_CTRL_VLAN		(1ULL << 19)
#define VIRTIO_NET_F_CTRL_RX_EXTRA	(1ULL << 20)
#define VIRTIO_NET_F_GUEST_ANNOUNCE	(1ULL << 21)
#define VIRTIO_NET_F_MQ			(1ULL << 22)
#define VIRTIO_NET_F_CTRL_MAC_ADDR	(1ULL << 23)
#define VIRTIO_NET_F_SPEED_DUPLEX	(1ULL << 63)

/* Device configuration layout (offsets in bytes). */
#define VIRTIO_NET_CONFIG_MAC		0	/* u8[6] */
#define VIRTIO_NET_CONFIG_STATUS	6	/* le16 */
#define VIRTIO_NET_CONFIG_MAX_VQ_PAIRS	8	/* le16 */
#define VIRTIO_NET_CONFIG_MTU		10	/* le16 */
#define VIRTIO_NET_CONFIG_SPEED		12	/* le32, Mbit/s */
#define VIRTIO_NET_CONFIG_DUPLEX	16	/* u8 */
#define VIRTIO_NET_CONFIG_SIZE		17

#define VIRTIO_NET_S_LINK_UP		0x1
#define VIRTIO_NET_S_ANNOUNCE		0x2

#define VIRTIO_NET_SPEED_UNKNOWN	0xffffffffU
#define VIRTIO_NET_DUPLEX_HALF		0x00
#define VIRTIO_NET_DUPLEX_FULL		0x01
#define VIRTIO_NET_DUPLEX_UNKNOWN	0xff

/* The specification bounds both of these. */
#define VIRTIO_NET_MTU_MIN		68
#define VIRTIO_NET_MQ_PAIRS_MIN		1
#define VIRTIO_NET_MQ_PAIRS_MAX		0x8000

/*
 * Per-packet header.  Legacy devices without MRG_RXBUF use the first 10
 * bytes; num_buffers exists with MRG_RXBUF or VERSION_1.
 */
#define VIRTIO_NET_HDR_FLAGS		0	/* u8 */
#define VIRTIO_NET_HDR_GSO_TYPE		1	/* u8 */
#define VIRTIO_NET_HDR_HDR_LEN		2	/* le16 */
#define VIRTIO_NET_HDR_GSO_SIZE		4	/* le16 */
#define VIRTIO_NET_HDR_CSUM_START	6	/* le16 */
#define VIRTIO_NET_HDR_CSUM_OFFSET	8	/* le16 */
#define VIRTIO_NET_HDR_NUM_BUFFERS	10	/* le16 */
#define VIRTIO_NET_HDR_LEGACY_SIZE	10
#define VIRTIO_NET_HDR_MRG_SIZE		12

#define VIRTIO_NET_HDR_F_NEEDS_CSUM	0x1
#define VIRTIO_NET_HDR_F_DATA_VALID	0x2

#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_UDP		3
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_ECN		0x80

/* Control queue: u8 class, u8 command, data, then a device-written ack. */
#define VIRTIO_NET_CTRL_RX		0
#define  VIRTIO_NET_CTRL_RX_PROMISC	0
#define  VIRTIO_NET_CTRL_RX_ALLMULTI	1
#define  VIRTIO_NET_CTRL_RX_ALLUNI	2
#define  VIRTIO_NET_CTRL_RX_NOMULTI	3
#define  VIRTIO_NET_CTRL_RX_NOUNI	4
#define  VIRTIO_NET_CTRL_RX_NOBCAST	5
#define VIRTIO_NET_CTRL_MAC		1
#define  VIRTIO_NET_CTRL_MAC_TABLE_SET	0
#define  VIRTIO_NET_CTRL_MAC_ADDR_SET	1
#define VIRTIO_NET_CTRL_VLAN		2
#define  VIRTIO_NET_CTRL_VLAN_ADD	0
#define  VIRTIO_NET_CTRL_VLAN_DEL	1
#define VIRTIO_NET_CTRL_ANNOUNCE	3
#define  VIRTIO_NET_CTRL_ANNOUNCE_ACK	0
#define VIRTIO_NET_CTRL_MQ		4
#define  VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS	5
#define  VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET 0

#define VIRTIO_NET_OK			0
#define VIRTIO_NET_ERR			1

#define VIRTIO_NET_VLAN_ID_MAX		4095
#define VIRTIO_NET_ETHER_ADDR_LEN	6
#define VIRTIO_NET_ETHER_HDR_LEN	14

#endif /* !_VIOIF_REG_H_ */
