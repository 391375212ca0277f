/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioif: the virtio-net protocol, independent of any OS.
 *
 * The OS binding negotiates vioif_features(&tunables) (then
 * vioif_features_fixup() of what the device accepted), calls
 * vioif_attach(), posts receive buffers with vioif_rx_post(), brings the
 * device to DRIVER_OK and, with several queue pairs, sends
 * vioif_ctrl_mq_pairs().  Receive: vioif_rx_dequeue() returns one frame
 * (one or, with mergeable buffers, several of the OS's buffers, each
 * given back exactly once, even when the frame is bad).  Transmit:
 * vioif_tx_enqueue() with an optional offload request, vioif_tx_dequeue()
 * to reclaim.  Callers serialize per queue.
 */

#ifndef _VIOIF_H_
#define _VIOIF_H_

#include "vio.h"
#include "vio_vq.h"
#include "vioif_reg.h"

#define VIOIF_MAX_PAIRS		8
#define VIOIF_SLOTS		256	/* most buffers in flight per queue */
#define VIOIF_MTU_DEFAULT	1500
#define VIOIF_MTU_MAX		9216	/* jumbo frames we size buffers for */
#define VIOIF_RX_MAX_BUFS	64	/* mergeable buffers per frame */
#define VIOIF_TX_MAX_SEGS	64	/* data segments per frame */
#define VIOIF_RX_MAX_SEGS	32	/* segments per big-mode buffer */
/*
 * The largest frame, header excluded: the room the specification has a
 * driver give a receive buffer for large receive (65562 bytes), which a
 * 64 KiB IP packet with its Ethernet and VLAN headers fits in.
 */
#define VIOIF_MAX_FRAME		65562
#define VIOIF_MAC_TABLE_MAX	64	/* addresses per MAC filter table */
#define VIOIF_VLAN_ETHER_HDR_LEN (VIRTIO_NET_ETHER_HDR_LEN + 4)

/* OS knobs, as vtnet(4)'s loader tunables. */
struct vioif_tunables {
	bool		csum_disable;
	bool		tso_disable;
	bool		lro_disable;
	bool		mq_disable;
	uint16_t	mq_max_pairs;	/* 0: as many as the device has */
};

struct vioif_config {
	uint8_t		mac[VIRTIO_NET_ETHER_ADDR_LEN];
	bool		has_mac;	/* else the OS picks one */
	bool		link_up;
	uint16_t	status;
	uint16_t	max_pairs;
	uint16_t	mtu;		/* device's maximum */
	uint32_t	speed;		/* Mbit/s or VIRTIO_NET_SPEED_UNKNOWN */
	uint8_t		duplex;
};

/* One segment of an OS buffer, DMA mapped by the OS. */
struct vioif_seg {
	uint64_t	busaddr;
	uint32_t	len;
};

/* What the device told us about a received frame. */
#define VIOIF_RX_CSUM_VALID	0x01	/* DATA_VALID: checksum verified */
#define VIOIF_RX_CSUM_PARTIAL	0x02	/* NEEDS_CSUM: csum_start/offset */

struct vioif_rx_frame {
	int		error;		/* 0, or EIO: drop, but recycle bufs */
	uint32_t	len;		/* frame bytes, header excluded */
	uint32_t	offset;		/* frame starts here in bufs[0] */
	uint8_t		flags;		/* VIOIF_RX_CSUM_* */
	uint8_t		gso_type;	/* LRO: VIRTIO_NET_HDR_GSO_* */
	uint16_t	gso_size;
	uint16_t	csum_start;
	uint16_t	csum_offset;
	unsigned int	nbufs;
	struct {
		void		*cookie;
		uint32_t	 len;	/* frame bytes in this buffer */
	} bufs[VIOIF_RX_MAX_BUFS];	/* last: not cleared per frame */
};

/* Transmit offload requests. */
#define VIOIF_TX_CSUM		0x01	/* device computes csum_start/offset */
#define VIOIF_TX_TSO4		0x02
#define VIOIF_TX_TSO6		0x04
#define VIOIF_TX_ECN		0x08

struct vioif_tx_offload {
	uint8_t		flags;		/* VIOIF_TX_* */
	uint16_t	csum_start;	/* from the start of the frame */
	uint16_t	csum_offset;	/* from csum_start */
	uint16_t	hdr_len;	/* TSO: L2+L3+L4 header bytes */
	uint16_t	gso_size;	/* TSO: payload bytes per segment */
};

struct vioif_queue_stats {
	uint64_t	packets;
	uint64_t	bytes;
	uint64_t	errors;		/* frames failed or dropped */
};

struct vioif_rx_slot {
	void		*cookie;
	void		*vaddr;		/* mergeable: header is read here */
	bool		 posted;
};

struct vioif_rxq {
	struct vio_softc	*rxq_vio;
	struct vio_vq		 rxq_vq;
	uint64_t		 rxq_features;
	bool			 rxq_mergeable;
	uint32_t		 rxq_hdrlen;
	uint32_t		 rxq_min_buf;	/* smallest buffer accepted */
	struct vio_dma		 rxq_hdr_dma;	/* big mode: header per slot */
	unsigned int		 rxq_nslots;
	unsigned int		 rxq_nfree;
	unsigned int		 rxq_posted;
	uint16_t		 rxq_free[VIOIF_SLOTS];
	struct vioif_rx_slot	 rxq_slot[VIOIF_SLOTS];
	struct vio_seg		 rxq_segs[VIOIF_RX_MAX_SEGS + 1];
	/* Makes an OS buffer's header visible to the CPU; may be NULL. */
	void			(*rxq_sync)(void *arg, void *cookie);
	void			*rxq_sync_arg;
	struct vioif_queue_stats rxq_stats;
};

struct vioif_txq {
	struct vio_softc	*txq_vio;
	struct vio_vq		 txq_vq;
	uint64_t		 txq_features;
	uint32_t		 txq_hdrlen;
	struct vio_dma		 txq_hdr_dma;	/* header per slot */
	unsigned int		 txq_nslots;
	unsigned int		 txq_nfree;
	uint16_t		 txq_free[VIOIF_SLOTS];
	void			*txq_cookie[VIOIF_SLOTS];
	struct vio_seg		 txq_segs[VIOIF_TX_MAX_SEGS + 1];
	struct vioif_queue_stats txq_stats;
};

struct vioif_ctrl {
	struct vio_softc	*ctrl_vio;
	struct vio_vq		 ctrl_vq;
	uint64_t		 ctrl_features;
	struct vio_dma		 ctrl_dma;	/* command, data, ack */
	bool			 ctrl_busy;
	bool			 ctrl_abandoned; /* nobody polls */
	uint64_t		 ctrl_ok;
	uint64_t		 ctrl_failed;
};

struct vioif_softc {
	struct vio_softc	*sc_vio;
	uint64_t		 sc_features;
	uint32_t		 sc_hdrlen;
	struct vioif_config	 sc_cfg;
	uint16_t		 sc_npairs;	/* queue pairs set up */
	bool			 sc_has_ctrl;
	struct vioif_rxq	 sc_rxq[VIOIF_MAX_PAIRS];
	struct vioif_txq	 sc_txq[VIOIF_MAX_PAIRS];
	struct vioif_ctrl	 sc_ctrl;
};

/* Features and configuration (vioif_config.c). */
uint64_t vioif_features(const struct vioif_tunables *tun);
uint64_t vioif_features_fixup(uint64_t features);
uint32_t vioif_hdr_len(uint64_t features);
int	vioif_config_parse(const uint8_t *raw, size_t rawlen,
	    uint64_t features, struct vioif_config *cfg);
uint16_t vioif_pairs_wanted(const struct vioif_config *cfg,
	    const struct vioif_tunables *tun);

/* Device (vioif.c). */
int	vioif_read_config(struct vio_softc *vio, struct vioif_config *cfg);
int	vioif_attach(struct vioif_softc *sc, struct vio_softc *vio,
	    const struct vioif_tunables *tun);
void	vioif_detach(struct vioif_softc *sc);
int	vioif_config_update(struct vioif_softc *sc);

/* Receive (vioif_rx.c). */
int	vioif_rxq_init(struct vioif_rxq *rxq, struct vio_softc *vio,
	    uint16_t index, uint64_t features, uint16_t mtu);
void	vioif_rxq_fini(struct vioif_rxq *rxq);
int	vioif_rx_post(struct vioif_rxq *rxq, const struct vioif_seg *segs,
	    unsigned int nsegs, void *vaddr, void *cookie);
void	vioif_rx_kick(struct vioif_rxq *rxq);
int	vioif_rx_dequeue(struct vioif_rxq *rxq, struct vioif_rx_frame *f);
int	vioif_rx_reclaim(struct vioif_rxq *rxq, void **cookiep);
/*
 * The receive queue's interrupt: input(arg, f) for each frame taken
 * (f->error set: drop it, but recycle f->bufs), through the core's
 * vq_drain(); then the caller refills and kicks.  Once the device is
 * broken it is reset and the posted buffers are unposted (the OS still
 * owns them); EIO.
 */
typedef void	vioif_rx_input_fn(void *arg, struct vioif_rx_frame *f);
int	vioif_rx_intr(struct vioif_rxq *rxq, struct vioif_rx_frame *f,
	    vioif_rx_input_fn *input, void *arg);

/* Transmit (vioif_tx.c). */
int	vioif_txq_init(struct vioif_txq *txq, struct vio_softc *vio,
	    uint16_t index, uint64_t features);
void	vioif_txq_fini(struct vioif_txq *txq);
int	vioif_tx_enqueue(struct vioif_txq *txq, const struct vioif_seg *segs,
	    unsigned int nsegs, const struct vioif_tx_offload *off,
	    void *cookie);
void	vioif_tx_kick(struct vioif_txq *txq);
int	vioif_tx_dequeue(struct vioif_txq *txq, void **cookiep);
int	vioif_tx_reclaim(struct vioif_txq *txq, void **cookiep);
/*
 * The transmit queue's interrupt: done(arg, cookie, error) for each
 * frame sent (0) or, once the device is broken and reset, failed (EIO).
 */
typedef void	vioif_tx_done_fn(void *arg, void *cookie, int error);
int	vioif_tx_intr(struct vioif_txq *txq, vioif_tx_done_fn *done,
	    void *arg);

/*
 * Control queue (vioif_ctrl.c): one command at a time.  A vioif_ctrl_*()
 * call posts it and notifies the device (EBUSY while one is pending,
 * EOPNOTSUPP without the feature it needs); vioif_ctrl_poll() then
 * returns EAGAIN until the device answers, 0 for VIRTIO_NET_OK, EIO for
 * anything else.  A caller that stops waiting calls vioif_ctrl_abandon():
 * the buffers stay the device's until it answers, and the next command
 * collects that late answer first (EBUSY while there is none).
 */
int	vioif_ctrl_init(struct vioif_ctrl *ctrl, struct vio_softc *vio,
	    uint16_t index, uint64_t features);
void	vioif_ctrl_fini(struct vioif_ctrl *ctrl);
int	vioif_ctrl_rx_mode(struct vioif_ctrl *ctrl, uint8_t cmd, bool on);
int	vioif_ctrl_mac_table(struct vioif_ctrl *ctrl,
	    const uint8_t (*uc)[VIRTIO_NET_ETHER_ADDR_LEN], unsigned int nuc,
	    const uint8_t (*mc)[VIRTIO_NET_ETHER_ADDR_LEN], unsigned int nmc);
int	vioif_ctrl_mac_addr(struct vioif_ctrl *ctrl,
	    const uint8_t mac[VIRTIO_NET_ETHER_ADDR_LEN]);
int	vioif_ctrl_vlan(struct vioif_ctrl *ctrl, bool add, uint16_t vid);
int	vioif_ctrl_mq_pairs(struct vioif_ctrl *ctrl, uint16_t pairs);
int	vioif_ctrl_guest_offloads(struct vioif_ctrl *ctrl, uint64_t offloads);
int	vioif_ctrl_announce_ack(struct vioif_ctrl *ctrl);
int	vioif_ctrl_poll(struct vioif_ctrl *ctrl);
void	vioif_ctrl_abandon(struct vioif_ctrl *ctrl);

#endif /* !_VIOIF_H_ */
