/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-net control queue: one command in flight at a time, in a DMA
 * area of our own.  Class and command, each data part and the ack byte
 * go in separate descriptors, which legacy devices without ANY_LAYOUT
 * expect.
 */

#include "vio_os.h"
#include "vio_le.h"
#include "vioif.h"

#define CTRL_CMD	0		/* u8 class, u8 command */
#define CTRL_DATA	16		/* command data, up to two parts */
#define CTRL_DATA_MAX	(2 * (4 + VIOIF_MAC_TABLE_MAX * 6))
#define CTRL_ACK	(CTRL_DATA + CTRL_DATA_MAX)
#define CTRL_DMA_SIZE	(CTRL_ACK + 1)

/* Guest offloads that CTRL_GUEST_OFFLOADS may switch. */
#define VIOIF_GUEST_OFFLOADS	(VIRTIO_NET_F_GUEST_CSUM | \
	VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_GUEST_TSO6 | \
	VIRTIO_NET_F_GUEST_ECN | VIRTIO_NET_F_GUEST_UFO)

int
vioif_ctrl_init(struct vioif_ctrl *ctrl, struct vio_softc *vio,
    uint16_t index, uint64_t features)
{
	int error;

	vio_memset(ctrl, 0, sizeof(*ctrl));
	ctrl->ctrl_vio = vio;
	ctrl->ctrl_features = features;
	if ((error = vq_alloc(vio, &ctrl->ctrl_vq, index, 0, 4,
	    "vioif-ctrl")) != 0)
		return (error);
	error = vio_dma_alloc(vio->sc_os, CTRL_DMA_SIZE, 16, &ctrl->ctrl_dma);
	if (error != 0)
		vq_free(&ctrl->ctrl_vq);
	return (error);
}

void
vioif_ctrl_fini(struct vioif_ctrl *ctrl)
{

	vio_dma_free(ctrl->ctrl_vio->sc_os, &ctrl->ctrl_dma);
	vq_free(&ctrl->ctrl_vq);
}

static uint8_t *
ctrl_buf(struct vioif_ctrl *ctrl, unsigned int off)
{

	return ((uint8_t *)ctrl->ctrl_dma.vaddr + off);
}

static void
ctrl_seg(struct vioif_ctrl *ctrl, struct vio_seg *s, unsigned int off,
    uint32_t len, bool write)
{
	s->vs_addr = ctrl->ctrl_dma.busaddr + off;
	s->vs_len = len;
	s->vs_write = write;
}

/* Check that a command may be sent now. */
static int
ctrl_ready(struct vioif_ctrl *ctrl, uint64_t feature)
{

	if (ctrl->ctrl_vio == NULL || (ctrl->ctrl_features & feature) == 0)
		return (EOPNOTSUPP);
	if (vio_is_broken(ctrl->ctrl_vio))
		return (EIO);
	/* The answer to a command given up on may have come since. */
	if (ctrl->ctrl_busy && ctrl->ctrl_abandoned)
		(void)vioif_ctrl_poll(ctrl);
	if (ctrl->ctrl_busy)
		return (EBUSY);
	return (0);
}

/* Post the command whose data (len1 + len2 bytes) is already in place. */
static int
ctrl_send(struct vioif_ctrl *ctrl, uint8_t class, uint8_t cmd,
    uint32_t len1, uint32_t len2)
{
	struct vio_seg segs[4];
	unsigned int n;
	int error;

	ctrl_buf(ctrl, CTRL_CMD)[0] = class;
	ctrl_buf(ctrl, CTRL_CMD)[1] = cmd;
	*ctrl_buf(ctrl, CTRL_ACK) = 0xff;	/* neither OK nor ERR */
	n = 0;
	ctrl_seg(ctrl, &segs[n++], CTRL_CMD, 2, false);
	if (len1 != 0)
		ctrl_seg(ctrl, &segs[n++], CTRL_DATA, len1, false);
	if (len2 != 0)
		ctrl_seg(ctrl, &segs[n++], CTRL_DATA + len1, len2, false);
	ctrl_seg(ctrl, &segs[n++], CTRL_ACK, 1, true);
	vio_dma_sync(ctrl->ctrl_vio->sc_os, &ctrl->ctrl_dma,
	    VIO_DMA_PREWRITE | VIO_DMA_PREREAD);
	if ((error = vq_enqueue(&ctrl->ctrl_vq, segs, n, ctrl)) != 0)
		return (error);
	ctrl->ctrl_busy = true;
	vq_kick(&ctrl->ctrl_vq);
	return (0);
}

int
vioif_ctrl_rx_mode(struct vioif_ctrl *ctrl, uint8_t cmd, bool on)
{
	uint64_t need;
	int error;

	switch (cmd) {
	case VIRTIO_NET_CTRL_RX_PROMISC:
	case VIRTIO_NET_CTRL_RX_ALLMULTI:
		need = VIRTIO_NET_F_CTRL_RX;
		break;
	case VIRTIO_NET_CTRL_RX_ALLUNI:
	case VIRTIO_NET_CTRL_RX_NOMULTI:
	case VIRTIO_NET_CTRL_RX_NOUNI:
	case VIRTIO_NET_CTRL_RX_NOBCAST:
		need = VIRTIO_NET_F_CTRL_RX_EXTRA;
		break;
	default:
		return (EINVAL);
	}
	if ((error = ctrl_ready(ctrl, need)) != 0)
		return (error);
	*ctrl_buf(ctrl, CTRL_DATA) = on ? 1 : 0;
	return (ctrl_send(ctrl, VIRTIO_NET_CTRL_RX, cmd, 1, 0));
}

/* One MAC table: le32 count, then the addresses. */
static uint32_t
ctrl_put_table(uint8_t *p, const uint8_t (*mac)[VIRTIO_NET_ETHER_ADDR_LEN],
    unsigned int n)
{
	vio_le32enc(p, n);
	if (n != 0)
		vio_memcpy(p + 4, mac, n * VIRTIO_NET_ETHER_ADDR_LEN);
	return (4 + n * VIRTIO_NET_ETHER_ADDR_LEN);
}

int
vioif_ctrl_mac_table(struct vioif_ctrl *ctrl,
    const uint8_t (*uc)[VIRTIO_NET_ETHER_ADDR_LEN], unsigned int nuc,
    const uint8_t (*mc)[VIRTIO_NET_ETHER_ADDR_LEN], unsigned int nmc)
{
	uint32_t len1, len2;
	int error;

	if (nuc > VIOIF_MAC_TABLE_MAX || nmc > VIOIF_MAC_TABLE_MAX ||
	    (nuc != 0 && uc == NULL) || (nmc != 0 && mc == NULL))
		return (EINVAL);
	if ((error = ctrl_ready(ctrl, VIRTIO_NET_F_CTRL_RX)) != 0)
		return (error);
	len1 = ctrl_put_table(ctrl_buf(ctrl, CTRL_DATA), uc, nuc);
	len2 = ctrl_put_table(ctrl_buf(ctrl, CTRL_DATA + len1), mc, nmc);
	return (ctrl_send(ctrl, VIRTIO_NET_CTRL_MAC,
	    VIRTIO_NET_CTRL_MAC_TABLE_SET, len1, len2));
}

int
vioif_ctrl_mac_addr(struct vioif_ctrl *ctrl,
    const uint8_t mac[VIRTIO_NET_ETHER_ADDR_LEN])
{
	int error;

	if ((error = ctrl_ready(ctrl, VIRTIO_NET_F_CTRL_MAC_ADDR)) != 0)
		return (error);
	vio_memcpy(ctrl_buf(ctrl, CTRL_DATA), mac, VIRTIO_NET_ETHER_ADDR_LEN);
	return (ctrl_send(ctrl, VIRTIO_NET_CTRL_MAC,
	    VIRTIO_NET_CTRL_MAC_ADDR_SET, VIRTIO_NET_ETHER_ADDR_LEN, 0));
}

int
vioif_ctrl_vlan(struct vioif_ctrl *ctrl, bool add, uint16_t vid)
{
	int error;

	if (vid > VIRTIO_NET_VLAN_ID_MAX)
		return (EINVAL);
	if ((error = ctrl_ready(ctrl, VIRTIO_NET_F_CTRL_VLAN)) != 0)
		return (error);
	vio_le16enc(ctrl_buf(ctrl, CTRL_DATA), vid);
	return (ctrl_send(ctrl, VIRTIO_NET_CTRL_VLAN,
	    add ? VIRTIO_NET_CTRL_VLAN_ADD : VIRTIO_NET_CTRL_VLAN_DEL, 2, 0));
}

int
vioif_ctrl_mq_pairs(struct vioif_ctrl *ctrl, uint16_t pairs)
{
	int error;

	if (pairs < VIRTIO_NET_MQ_PAIRS_MIN || pairs > VIRTIO_NET_MQ_PAIRS_MAX)
		return (EINVAL);
	if ((error = ctrl_ready(ctrl, VIRTIO_NET_F_MQ)) != 0)
		return (error);
	vio_le16enc(ctrl_buf(ctrl, CTRL_DATA), pairs);
	return (ctrl_send(ctrl, VIRTIO_NET_CTRL_MQ,
	    VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2, 0));
}

int
vioif_ctrl_guest_offloads(struct vioif_ctrl *ctrl, uint64_t offloads)
{
	int error;

	/* Only offloads that were negotiated can be switched. */
	if ((offloads & ~(ctrl->ctrl_features & VIOIF_GUEST_OFFLOADS)) != 0)
		return (EINVAL);
	if ((error = ctrl_ready(ctrl,
	    VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)) != 0)
		return (error);
	vio_le64enc(ctrl_buf(ctrl, CTRL_DATA), offloads);
	return (ctrl_send(ctrl, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
	    VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, 8, 0));
}

int
vioif_ctrl_announce_ack(struct vioif_ctrl *ctrl)
{
	int error;

	if ((error = ctrl_ready(ctrl, VIRTIO_NET_F_GUEST_ANNOUNCE)) != 0)
		return (error);
	return (ctrl_send(ctrl, VIRTIO_NET_CTRL_ANNOUNCE,
	    VIRTIO_NET_CTRL_ANNOUNCE_ACK, 0, 0));
}

int
vioif_ctrl_poll(struct vioif_ctrl *ctrl)
{
	void *cookie;
	uint32_t len;
	uint8_t ack;
	int error;

	if (!ctrl->ctrl_busy)
		return (EINVAL);
	error = vq_dequeue(&ctrl->ctrl_vq, &cookie, &len);
	if (error == ENOENT)
		return (EAGAIN);
	ctrl->ctrl_busy = false;
	ctrl->ctrl_abandoned = false;
	if (error == 0) {
		vio_dma_sync(ctrl->ctrl_vio->sc_os, &ctrl->ctrl_dma,
		    VIO_DMA_POSTREAD | VIO_DMA_POSTWRITE);
		ack = *ctrl_buf(ctrl, CTRL_ACK);
		/* len covers the ack byte only if the device wrote it. */
		error = (len >= 1 && ack == VIRTIO_NET_OK) ? 0 : EIO;
	}
	if (error == 0)
		ctrl->ctrl_ok++;
	else
		ctrl->ctrl_failed++;
	return (error);
}

void
vioif_ctrl_abandon(struct vioif_ctrl *ctrl)
{

	if (ctrl->ctrl_busy)
		ctrl->ctrl_abandoned = true;
}
