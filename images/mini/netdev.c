/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-net on the mini: vioif (drivers/net) does the protocol; this
 * file keeps one page per receive buffer and per transmit frame, feeds
 * received frames to the stack (net.c), and implements `net' and `ping'.
 * The mini asks for no offloads and a single queue pair.
 */

#include "commands.h"
#include "console.h"
#include "devices.h"
#include "errnum.h"
#include "intr.h"
#include "mem.h"
#include "net.h"
#include "shell.h"
#include "vioif.h"

#define RX_BUFS		64
#define TX_BUFS		16
#define PING_TIMEOUT_US	1000000
#define PING_COUNT_MAX	100

struct mini_net {
	struct vioif_softc	 sc;
	struct mini_vdev	*vd;
	uint64_t		 rx_page[RX_BUFS];
	uint64_t		 tx_page[TX_BUFS];
	bool			 tx_busy[TX_BUFS];
	uint8_t			 linear[VIOIF_MAX_FRAME];
};

static struct mini_net the_net;

static const struct vioif_tunables net_tunables = {
	.csum_disable = true,
	.tso_disable = true,
	.lro_disable = true,
	.mq_disable = true,
	.mq_max_pairs = 1,
};

static uint64_t
net_features(void)
{

	return (vioif_features(&net_tunables));
}

static int
rx_post(struct mini_net *mn, unsigned int i)
{
	struct vioif_seg seg;

	seg.busaddr = mn->rx_page[i];
	seg.len = MINI_PAGE_SIZE;
	return (vioif_rx_post(&mn->sc.sc_rxq[0], &seg, 1,
	    (void *)(uintptr_t)mn->rx_page[i], (void *)(uintptr_t)(i + 1)));
}

static unsigned int
cookie_index(void *cookie)
{

	return ((unsigned int)(uintptr_t)cookie - 1);
}

/* Hand one frame to the stack, then give its buffers back. */
static void
rx_frame(void *arg, struct vioif_rx_frame *f)
{
	struct mini_net *mn = arg;
	const uint8_t *data;
	uint32_t off, n;
	unsigned int b, idx;

	if (f->error == 0 && f->nbufs == 1) {
		idx = cookie_index(f->bufs[0].cookie);
		data = (const uint8_t *)(uintptr_t)mn->rx_page[idx];
		net_input(data + f->offset, f->len);
	} else if (f->error == 0 && f->len <= sizeof(mn->linear)) {
		/* Mergeable buffers: gather the pieces first. */
		for (b = 0, off = 0; b < f->nbufs; b++) {
			idx = cookie_index(f->bufs[b].cookie);
			data = (const uint8_t *)(uintptr_t)mn->rx_page[idx];
			if (b == 0)
				data += f->offset;
			n = f->bufs[b].len;
			if (off + n > sizeof(mn->linear))
				break;
			memcpy(mn->linear + off, data, n);
			off += n;
		}
		if (off == f->len)
			net_input(mn->linear, f->len);
	}
	for (b = 0; b < f->nbufs; b++)
		(void)rx_post(mn, cookie_index(f->bufs[b].cookie));
}

static int
rx_done(struct vio_vq *vq)
{
	static struct vioif_rx_frame f;
	struct mini_net *mn = vq->vq_done_arg;

	(void)vioif_rx_intr(&mn->sc.sc_rxq[0], &f, rx_frame, mn);
	vioif_rx_kick(&mn->sc.sc_rxq[0]);
	return (0);
}

/* Sent or failed, the frame's buffer is free again. */
static void
tx_sent(void *arg, void *cookie, int error)
{
	struct mini_net *mn = arg;

	(void)error;
	mn->tx_busy[cookie_index(cookie)] = false;
}

static int
tx_done(struct vio_vq *vq)
{
	struct mini_net *mn = vq->vq_done_arg;

	(void)vioif_tx_intr(&mn->sc.sc_txq[0], tx_sent, mn);
	return (0);
}

int
net_output(const void *frame, size_t len)
{
	struct mini_net *mn = &the_net;
	struct vioif_seg seg;
	unsigned int i;
	int error;

	if (mn->vd == NULL)
		return (ENXIO);
	if (len > MINI_PAGE_SIZE)
		return (E2BIG);
	(void)vioif_tx_intr(&mn->sc.sc_txq[0], tx_sent, mn);
	for (i = 0; i < TX_BUFS && mn->tx_busy[i]; i++)
		continue;
	if (i == TX_BUFS)
		return (ENOSPC);
	memcpy((void *)(uintptr_t)mn->tx_page[i], frame, len);
	seg.busaddr = mn->tx_page[i];
	seg.len = (uint32_t)len;
	error = vioif_tx_enqueue(&mn->sc.sc_txq[0], &seg, 1, NULL,
	    (void *)(uintptr_t)(i + 1));
	if (error != 0)
		return (error);
	mn->tx_busy[i] = true;
	vioif_tx_kick(&mn->sc.sc_txq[0]);
	return (0);
}

static int
net_attach(struct mini_vdev *vd)
{
	struct mini_net *mn = &the_net;
	unsigned int i;
	int error;

	if (mn->vd != NULL) {
		vd->why = "only one net device is supported";
		return (EBUSY);
	}
	error = vioif_attach(&mn->sc, mini_vio(vd), &net_tunables);
	if (error != 0)
		return (error);
	for (i = 0; i < RX_BUFS; i++)
		if ((mn->rx_page[i] = page_alloc(1, 1)) == 0)
			return (ENOMEM);
	for (i = 0; i < TX_BUFS; i++)
		if ((mn->tx_page[i] = page_alloc(1, 1)) == 0)
			return (ENOMEM);
	mn->sc.sc_rxq[0].rxq_vq.vq_done = rx_done;
	mn->sc.sc_rxq[0].rxq_vq.vq_done_arg = mn;
	mn->sc.sc_txq[0].txq_vq.vq_done = tx_done;
	mn->sc.sc_txq[0].txq_vq.vq_done_arg = mn;
	mn->vd = vd;
	vd->softc = mn;
	return (0);
}

static void
net_start(struct mini_vdev *vd)
{
	struct mini_net *mn = vd->softc;
	unsigned int i;

	for (i = 0; i < RX_BUFS; i++)
		if (rx_post(mn, i) != 0)
			break;
	vioif_rx_kick(&mn->sc.sc_rxq[0]);
	net_init(mn->sc.sc_cfg.mac);
}

static void
net_config_changed(struct mini_vdev *vd)
{
	struct mini_net *mn = vd->softc;

	if (mn != NULL)
		(void)vioif_config_update(&mn->sc);
}

int
cmd_net(int argc, char **argv)
{
	struct mini_net *mn = &the_net;
	const struct vioif_config *c = &mn->sc.sc_cfg;
	const struct net_counters *nc = net_counters();
	uint64_t f = mn->sc.sc_features;

	if (argc != 2 || strcmp(argv[1], "info") != 0)
		return (CMD_USAGE);
	if (!devices_usable(mn->vd, "net"))
		return (CMD_FAIL);
	printf("net: mac %02x:%02x:%02x:%02x:%02x:%02x link %s mtu %u "
	    "offloads%s%s%s%s%s features %#lx\n",
	    c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5],
	    c->link_up ? "up" : "down", c->mtu,
	    (f & VIRTIO_NET_F_CSUM) ? " csum" : "",
	    (f & VIRTIO_NET_F_GUEST_CSUM) ? " guest_csum" : "",
	    (f & VIRTIO_NET_F_HOST_TSO4) ? " tso4" : "",
	    (f & VIRTIO_NET_F_MRG_RXBUF) ? " mrg_rxbuf" : "",
	    (f & (VIRTIO_NET_F_CSUM | VIRTIO_NET_F_GUEST_CSUM |
	    VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_MRG_RXBUF)) ? "" : " none",
	    f);
	printf("net: ip 10.0.2.15/24 gateway 10.0.2.2, frames rx %lu tx %lu, "
	    "answered arp %lu echo %lu\n", nc->rx_frames, nc->tx_frames,
	    nc->arp_requests_answered, nc->echo_requests_answered);
	return (CMD_OK);
}

int
cmd_ping(int argc, char **argv)
{
	struct mini_net *mn = &the_net;
	uint64_t count = 3, rtt, seq, replies = 0;
	uint32_t ip;
	int error;

	if (argc < 2 || argc > 3 || !parse_ipv4(argv[1], &ip) ||
	    (argc == 3 && (!parse_u64(argv[2], &count) || count == 0 ||
	    count > PING_COUNT_MAX)))
		return (CMD_USAGE);
	if (!devices_usable(mn->vd, "net"))
		return (CMD_FAIL);
	for (seq = 1; seq <= count; seq++) {
		error = net_ping(ip, (uint16_t)seq, PING_TIMEOUT_US, &rtt);
		if (error == 0) {
			replies++;
			printf("reply from %s: seq=%lu time=%lu us\n", argv[1],
			    seq, rtt);
		} else if (error == ETIMEDOUT) {
			printf("no reply from %s: seq=%lu timeout\n", argv[1],
			    seq);
		} else {
			printf("ping %s: seq=%lu failed: %s\n", argv[1], seq,
			    error == EHOSTUNREACH ? "no ARP reply" :
			    "send failed");
		}
	}
	printf("%lu/%lu replies\n", replies, count);
	return (replies > 0 ? CMD_OK : CMD_FAIL);
}

const struct mini_driver mini_net_driver = {
	.name = "net",
	.device_type = VIRTIO_ID_NET,
	.features = net_features,
	.attach = net_attach,
	.start = net_start,
	.config_changed = net_config_changed,
};
