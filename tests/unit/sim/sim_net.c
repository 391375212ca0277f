/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include <stdlib.h>
#include <string.h>

#include "sim_net.h"
#include "sim_stream.h"
#include "virtio_reg.h"

static uint32_t
net_hdrlen(const struct sim_dev *dev)
{
	if (dev->driver_features & (VIRTIO_F_VERSION_1 |
	    VIRTIO_NET_F_MRG_RXBUF))
		return (VIRTIO_NET_HDR_MRG_SIZE);
	return (VIRTIO_NET_HDR_LEGACY_SIZE);
}

static int
net_tx(struct sim_net *n, struct sim_dev *dev, struct sim_chain *ch)
{
	uint32_t hdrlen = net_hdrlen(dev);

	n->tx_frames++;
	memset(n->tx_hdr, 0, sizeof(n->tx_hdr));
	sim_stream_read(ch, 0, n->tx_hdr, hdrlen);
	n->tx_len = ch->readable > hdrlen ? ch->readable - hdrlen : 0;
	if (n->tx_len > sizeof(n->tx_frame))
		n->tx_len = sizeof(n->tx_frame);
	sim_stream_read(ch, hdrlen, n->tx_frame, n->tx_len);
	return (0);
}

static int
net_ctrl(struct sim_net *n, struct sim_chain *ch)
{
	uint8_t cmd[2], ack;

	n->ctrl_head = ch->head;
	if (n->ctrl_hold)
		return (SIM_HOLD);
	n->ctrl_cmds++;
	n->ctrl_nsegs = ch->nsegs;
	sim_stream_read(ch, 0, cmd, 2);
	n->ctrl_class = cmd[0];
	n->ctrl_cmd = cmd[1];
	n->ctrl_len = ch->readable > 2 ? ch->readable - 2 : 0;
	if (n->ctrl_len > sizeof(n->ctrl_data))
		n->ctrl_len = sizeof(n->ctrl_data);
	sim_stream_read(ch, 2, n->ctrl_data, n->ctrl_len);
	ack = n->ack_override >= 0 ? (uint8_t)n->ack_override : VIRTIO_NET_OK;
	if (ch->writable == 0)
		return (0);
	sim_stream_write(ch, ch->writable - 1, &ack, 1);
	return (ch->writable);
}

static int
net_process(struct sim_dev *dev, uint16_t q, struct sim_chain *ch, void *arg)
{
	struct sim_net *n = arg;
	struct sim_net_held *h;

	if (q >= 2 * n->pairs)
		return (net_ctrl(n, ch));
	if (q % 2 == 1)
		return (net_tx(n, dev, ch));
	if (n->nheld == SIM_NET_MAX_HELD)
		return (0);
	h = &n->held[n->nheld++];
	h->q = q;
	h->head = ch->head;
	h->writable = ch->writable;
	h->chain = malloc(sizeof(*ch));
	memcpy(h->chain, ch, sizeof(*ch));
	return (SIM_HOLD);
}

static void
net_reset(struct sim_dev *dev, void *arg)
{
	struct sim_net *n = arg;

	(void)dev;
	while (n->nheld > 0)
		free(n->held[--n->nheld].chain);
}

void
sim_net_init(struct sim_net *n, uint64_t features, uint16_t pairs)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(n, 0, sizeof(*n));
	n->pairs = pairs;
	n->ack_override = -1;
	memcpy(n->config + VIRTIO_NET_CONFIG_MAC, mac, sizeof(mac));
	sim_put_le(n->config + VIRTIO_NET_CONFIG_STATUS, VIRTIO_NET_S_LINK_UP,
	    2);
	sim_put_le(n->config + VIRTIO_NET_CONFIG_MAX_VQ_PAIRS, pairs, 2);
	sim_put_le(n->config + VIRTIO_NET_CONFIG_MTU, 1500, 2);
	sim_put_le(n->config + VIRTIO_NET_CONFIG_SPEED, 10000, 4);
	n->config[VIRTIO_NET_CONFIG_DUPLEX] = VIRTIO_NET_DUPLEX_FULL;

	n->model.name = "sim-net";
	n->model.device_type = VIRTIO_ID_NET;
	n->model.features = features;
	n->model.num_queues = 2 * pairs +
	    ((features & VIRTIO_NET_F_CTRL_VQ) ? 1 : 0);
	n->model.queue_size = 256;
	n->model.config = n->config;
	n->model.config_len = sizeof(n->config);
	n->model.process = net_process;
	n->model.reset = net_reset;
	n->model.arg = n;
}

void
sim_net_fini(struct sim_net *n)
{
	net_reset(NULL, n);
}

unsigned int
sim_net_held_count(const struct sim_net *n, uint16_t q)
{
	unsigned int i, c;

	for (c = 0, i = 0; i < n->nheld; i++)
		c += n->held[i].q == q;
	return (c);
}

bool
sim_net_take(struct sim_net *n, uint16_t q, struct sim_net_held *out)
{
	unsigned int i;

	for (i = 0; i < n->nheld; i++) {
		if (n->held[i].q != q)
			continue;
		*out = n->held[i];
		memmove(&n->held[i], &n->held[i + 1],
		    (n->nheld - i - 1) * sizeof(n->held[0]));
		n->nheld--;
		return (true);
	}
	return (false);
}

/* How many held buffers of q, oldest first, hold need bytes (0: not enough). */
static unsigned int
net_bufs_needed(const struct sim_net *n, uint16_t q, uint32_t need,
    bool mergeable)
{
	unsigned int i, c;
	uint32_t have;

	for (c = 0, have = 0, i = 0; i < n->nheld && have < need; i++) {
		if (n->held[i].q != q)
			continue;
		c++;
		have += n->held[i].writable;
		if (!mergeable)
			break;
	}
	return (have >= need ? c : 0);
}

int
sim_net_rx(struct sim_net *n, struct sim_dev *dev, uint16_t q,
    const uint8_t *hdr, const void *frame, uint32_t len, int num_buffers)
{
	uint8_t *buf;
	struct sim_net_held h;
	uint32_t hdrlen, total, off, chunk;
	unsigned int nbufs, i;
	bool mergeable;

	mergeable = (dev->driver_features & VIRTIO_NET_F_MRG_RXBUF) != 0;
	hdrlen = net_hdrlen(dev);
	total = hdrlen + len;
	if ((nbufs = net_bufs_needed(n, q, total, mergeable)) == 0)
		return (-1);
	buf = calloc(1, total);
	if (hdr != NULL)
		memcpy(buf, hdr, hdrlen);
	if (hdrlen == VIRTIO_NET_HDR_MRG_SIZE)
		sim_put_le(buf + VIRTIO_NET_HDR_NUM_BUFFERS,
		    num_buffers >= 0 ? (unsigned int)num_buffers : nbufs, 2);
	memcpy(buf + hdrlen, frame, len);
	for (off = 0, i = 0; i < nbufs; i++, off += chunk) {
		sim_net_take(n, q, &h);
		chunk = total - off < h.writable ? total - off : h.writable;
		sim_stream_write(h.chain, 0, buf + off, chunk);
		sim_complete(dev, q, h.head, chunk);
		free(h.chain);
	}
	free(buf);
	return ((int)nbufs);
}
