/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#ifndef _VIF_VAR_H_
#define _VIF_VAR_H_

/*
 * Receive buffers: with mergeable buffers one standard cluster each (a
 * frame spans several); without, a chain of page clusters large enough
 * for the biggest frame the device may deliver.
 */
#define VIF_RX_MRG_CLSIZE	MCLBYTES
#define VIF_RX_BIG_CLSIZE	MJUMPAGESIZE

/* The longest IPv4 (or TCP) header, options included. */
#define VIF_MAX_L3L4_HDR	60

/*
 * How long a control command may take before it counts as lost.  The
 * wait spins with every serializer of the interface held, so it is
 * short: a late answer is collected by the next command (the protocol's
 * vioif_ctrl_abandon()), and QEMU answers as the command is posted.
 */
#define VIF_CTRL_TIMEOUT_US	100000
#define VIF_CTRL_POLL_US	50

struct vif_softc;

struct vif_buf {
	struct mbuf		*vb_m;
	bus_dmamap_t		 vb_map;
};

struct vif_rxq {
	struct vif_softc	*rq_sc;
	struct vioif_rxq	*rq_proto;
	struct lwkt_serialize	 rq_slz;
	bus_dma_tag_t		 rq_dmat;
	bus_dmamap_t		 rq_spare;	/* swapped in on refill */
	struct vif_buf		*rq_bufs;	/* one per protocol slot */
	int			 rq_nbufs;
	int			 rq_clsize;
	int			 rq_nclusters;	/* per buffer (big mode) */
	uint64_t		 rq_dropped;	/* no mbuf for a refill */
	struct vioif_rx_frame	 rq_frame;
};

struct vif_txq {
	struct vif_softc	*tq_sc;
	struct vioif_txq	*tq_proto;
	struct lwkt_serialize	 tq_slz;
	bus_dma_tag_t		 tq_dmat;
	struct ifaltq_subque	*tq_ifsq;
	int			 tq_maxsegs;	/* data segments per frame */
	struct vif_buf		*tq_bufs;
	int			 tq_nbufs;
	int			 tq_nfree;
	struct vif_buf		**tq_free;
	bus_dma_segment_t	 tq_dsegs[VIOIF_TX_MAX_SEGS];
	struct vioif_seg	 tq_segs[VIOIF_TX_MAX_SEGS];
};

struct vif_softc {
	struct arpcom		 sc_arpcom;	/* first: the ifnet */
	device_t		 sc_dev;
	struct ifmedia		 sc_media;
	struct vioif_softc	 sc_net;	/* the protocol state */
	struct vioif_tunables	 sc_tun;
	int			 sc_vlan_filter; /* want CTRL_VLAN */
	struct lwkt_serialize	 sc_slz;	/* control queue, config */
	lwkt_serialize_t	 sc_slzs[1 + 2 * VIOIF_MAX_PAIRS];
	int			 sc_nslzs;
	int			 sc_npairs;	/* queue pairs in use */
	struct vif_rxq		 sc_rxq[VIOIF_MAX_PAIRS];
	struct vif_txq		 sc_txq[VIOIF_MAX_PAIRS];
	bool			 sc_attached;	/* vioif_attach() done */
	bool			 sc_live;
	bool			 sc_ifattached;	/* ether_ifattach() done */
	bool			 sc_link_up;
	int			 sc_has_ctrl;
	int			 sc_max_mtu;
	uint64_t		 sc_offloads;	/* GUEST_* the device uses */
	int			 sc_announced;
#ifdef INVARIANTS
	u_int			 sc_fail_rxpost; /* test: posts to fail */
#endif
	uint8_t			 sc_mc[VIOIF_MAC_TABLE_MAX]
				     [VIRTIO_NET_ETHER_ADDR_LEN];
};

#define vif_ifp(sc)	(&(sc)->sc_arpcom.ac_if)

/* vioif_rxtx.c */
int	vif_rxq_setup(struct vif_rxq *);
void	vif_rxq_teardown(struct vif_rxq *);
int	vif_rxq_fill(struct vif_rxq *);
int	vif_rx_done(struct vio_vq *);
int	vif_txq_setup(struct vif_txq *);
void	vif_txq_teardown(struct vif_txq *);
int	vif_tx_done(struct vio_vq *);
void	vif_start(struct ifnet *, struct ifaltq_subque *);

#endif /* !_VIF_VAR_H_ */
