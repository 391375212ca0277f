/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioif data path: mbufs to and from the protocol's queues.
 *
 * Each receive queue runs under its own serializer, each transmit queue
 * under the serializer of its ifaltq subqueue; vio_pci delivers a queue's
 * interrupt with that serializer held.  A receive buffer is replaced
 * before its mbuf goes up the stack; when no mbuf can be had, the frame
 * is dropped and its buffer goes back to the device, so the ring never
 * runs dry.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/kernel.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/serialize.h>
#include <sys/socket.h>

#include <net/bpf.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/if_media.h>
#include <net/if_var.h>
#include <net/ifq_var.h>
#include <net/vlan/if_vlan_ether.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

#include "vio_os.h"
#include "vio_compat.h"
#include "vio.h"
#include "vio_vq.h"
#include "vioif.h"
#include "vioif_var.h"

MALLOC_DECLARE(M_VIOIF);

static void
vif_rx_sync(void *arg, void *cookie)
{
	struct vif_rxq *rq = arg;
	struct vif_buf *vb = cookie;

	bus_dmamap_sync(rq->rq_dmat, vb->vb_map, BUS_DMASYNC_POSTREAD);
}

int
vif_rxq_setup(struct vif_rxq *rq)
{
	struct vioif_rxq *p = rq->rq_proto;
	int error, i;

	if (p->rxq_mergeable) {
		rq->rq_clsize = VIF_RX_MRG_CLSIZE;
		rq->rq_nclusters = 1;
	} else {
		rq->rq_clsize = VIF_RX_BIG_CLSIZE;
		rq->rq_nclusters = howmany(p->rxq_min_buf, VIF_RX_BIG_CLSIZE);
		if (rq->rq_nclusters > VIOIF_RX_MAX_SEGS)
			return (EINVAL);
	}
	p->rxq_sync = vif_rx_sync;
	p->rxq_sync_arg = rq;
	lwkt_serialize_init(&rq->rq_slz);
	error = vio_dma_tag_create(bus_get_dma_tag(rq->rq_sc->sc_dev),
	    rq->rq_nclusters * rq->rq_clsize, rq->rq_nclusters, rq->rq_clsize,
	    BUS_DMA_ALLOCNOW, &rq->rq_dmat);
	if (error != 0)
		return (error);
	if ((error = bus_dmamap_create(rq->rq_dmat, 0, &rq->rq_spare)) != 0)
		return (error);
	rq->rq_nbufs = p->rxq_nslots;
	rq->rq_bufs = kmalloc(rq->rq_nbufs * sizeof(*rq->rq_bufs), M_VIOIF,
	    M_WAITOK | M_ZERO);
	for (i = 0; i < rq->rq_nbufs; i++) {
		error = bus_dmamap_create(rq->rq_dmat, 0,
		    &rq->rq_bufs[i].vb_map);
		if (error != 0)
			return (error);
	}
	return (0);
}

/* After the device is reset and the protocol gave every buffer back. */
void
vif_rxq_teardown(struct vif_rxq *rq)
{
	struct vif_buf *vb;
	int i;

	for (i = 0; rq->rq_bufs != NULL && i < rq->rq_nbufs; i++) {
		vb = &rq->rq_bufs[i];
		if (vb->vb_m != NULL) {
			bus_dmamap_unload(rq->rq_dmat, vb->vb_map);
			m_freem(vb->vb_m);
		}
		if (vb->vb_map != NULL)
			bus_dmamap_destroy(rq->rq_dmat, vb->vb_map);
	}
	if (rq->rq_bufs != NULL)
		kfree(rq->rq_bufs, M_VIOIF);
	rq->rq_bufs = NULL;
	if (rq->rq_spare != NULL)
		bus_dmamap_destroy(rq->rq_dmat, rq->rq_spare);
	rq->rq_spare = NULL;
	if (rq->rq_dmat != NULL)
		bus_dma_tag_destroy(rq->rq_dmat);
	rq->rq_dmat = NULL;
}

/* A fresh buffer: one cluster, or a chain of them in big mode. */
static struct mbuf *
vif_rx_alloc(struct vif_rxq *rq)
{
	struct mbuf *m, *n;
	int i;

	m = m_getjcl(M_NOWAIT, MT_DATA, M_PKTHDR, rq->rq_clsize);
	if (m == NULL)
		return (NULL);
	m->m_len = m->m_pkthdr.len = rq->rq_clsize;
	for (i = 1; i < rq->rq_nclusters; i++) {
		n = m_getjcl(M_NOWAIT, MT_DATA, 0, rq->rq_clsize);
		if (n == NULL) {
			m_freem(m);
			return (NULL);
		}
		n->m_len = rq->rq_clsize;
		n->m_next = m->m_next;
		m->m_next = n;
		m->m_pkthdr.len += rq->rq_clsize;
	}
	return (m);
}

/* Give vb, mapped in vb_map, to the device. */
static int
vif_rx_post(struct vif_rxq *rq, struct vif_buf *vb, bus_dma_segment_t *ds,
    int nsegs)
{
	struct vioif_seg segs[VIOIF_RX_MAX_SEGS];
	int i;

	for (i = 0; i < nsegs; i++) {
		segs[i].busaddr = ds[i].ds_addr;
		segs[i].len = ds[i].ds_len;
	}
	bus_dmamap_sync(rq->rq_dmat, vb->vb_map, BUS_DMASYNC_PREREAD);
	return (vioif_rx_post(rq->rq_proto, segs, nsegs,
	    mtod(vb->vb_m, void *), vb));
}

#ifdef INVARIANTS
/*
 * Fault injection for the tests (dev.vioif.N.fail_rxpost): true for the
 * next that many replacement buffers, whose post then fails as on a
 * broken device, after the swap, the one failure that leaves two mbufs
 * to account for.  Interrupts of several queues take the count down.
 */
static bool
vif_rx_fault(struct vif_softc *sc)
{
	u_int n;

	do {
		if ((n = sc->sc_fail_rxpost) == 0)
			return (false);
	} while (!atomic_cmpset_int(&sc->sc_fail_rxpost, n, n - 1));
	return (true);
}
#endif

/*
 * Put a new mbuf in vb and post it.  On failure vb keeps its old mbuf,
 * still mapped.
 */
static int
vif_rx_newbuf(struct vif_rxq *rq, struct vif_buf *vb)
{
	bus_dma_segment_t ds[VIOIF_RX_MAX_SEGS];
	bus_dmamap_t map;
	struct mbuf *m;
	int error, nsegs;

	if ((m = vif_rx_alloc(rq)) == NULL)
		return (ENOBUFS);
	error = bus_dmamap_load_mbuf_segment(rq->rq_dmat, rq->rq_spare, m,
	    ds, rq->rq_nclusters, &nsegs, BUS_DMA_NOWAIT);
	if (error != 0) {
		m_freem(m);
		return (error);
	}
	if (vb->vb_m != NULL)
		bus_dmamap_unload(rq->rq_dmat, vb->vb_map);
	map = vb->vb_map;
	vb->vb_map = rq->rq_spare;
	rq->rq_spare = map;
	vb->vb_m = m;
#ifdef INVARIANTS
	if (vif_rx_fault(rq->rq_sc))
		return (EIO);
#endif
	return (vif_rx_post(rq, vb, ds, nsegs));
}

/* Post the buffer vb holds once more, its data unused. */
static void
vif_rx_repost(struct vif_rxq *rq, struct vif_buf *vb)
{
	bus_dma_segment_t ds[VIOIF_RX_MAX_SEGS];
	struct mbuf *m;
	int nsegs;

	bus_dmamap_unload(rq->rq_dmat, vb->vb_map);
	vb->vb_m->m_pkthdr.len = 0;
	for (m = vb->vb_m; m != NULL; m = m->m_next) {
		m->m_data = m->m_ext.ext_buf;
		m->m_len = rq->rq_clsize;
		vb->vb_m->m_pkthdr.len += m->m_len;
	}
	if (bus_dmamap_load_mbuf_segment(rq->rq_dmat, vb->vb_map, vb->vb_m,
	    ds, rq->rq_nclusters, &nsegs, BUS_DMA_NOWAIT) != 0 ||
	    vif_rx_post(rq, vb, ds, nsegs) != 0) {
		/* The slot is lost until the interface is reattached. */
		m_freem(vb->vb_m);
		vb->vb_m = NULL;
		rq->rq_dropped++;
	}
}

/*
 * Fill the ring at attach, before DRIVER_OK: the caller notifies the
 * device once it is live.  ENOBUFS if not even one buffer could go.
 */
int
vif_rxq_fill(struct vif_rxq *rq)
{
	int i, posted;

	posted = 0;
	for (i = 0; i < rq->rq_nbufs; i++) {
		if (vif_rx_newbuf(rq, &rq->rq_bufs[i]) == 0)
			posted++;
	}
	return (posted > 0 ? 0 : ENOBUFS);
}

/*
 * Take the mbuf of one buffer of a received frame, replacing it in the
 * ring; NULL (frame lost) when no replacement could be had.
 */
static struct mbuf *
vif_rx_take(struct vif_rxq *rq, struct vif_buf *vb, bool keep)
{
	struct mbuf *m = vb->vb_m;

	bus_dmamap_sync(rq->rq_dmat, vb->vb_map, BUS_DMASYNC_POSTREAD);
	if (keep && vif_rx_newbuf(rq, vb) == 0)
		return (m);
	/*
	 * A new mbuf that took vb's place and could not be posted: the
	 * frame's own mbuf (unloaded, its map now the spare) is ours to
	 * free, and the new one goes to the device as a repost.
	 */
	if (vb->vb_m != m)
		m_freem(m);
	vif_rx_repost(rq, vb);
	return (NULL);
}

/* Cut a big-mode chain to the frame's length. */
static void
vif_rx_trim(struct mbuf *m, uint32_t len)
{
	struct mbuf *prev;

	prev = NULL;
	for (; m != NULL && len > 0; prev = m, m = m->m_next) {
		if ((uint32_t)m->m_len > len)
			m->m_len = len;
		len -= m->m_len;
	}
	if (prev != NULL && m != NULL) {
		prev->m_next = NULL;
		m_freem(m);
	}
}

/* One frame from the protocol to the stack (or to the floor). */
static void
vif_rx_frame(void *arg, struct vioif_rx_frame *f)
{
	struct vif_rxq *rq = arg;
	struct ifnet *ifp = vif_ifp(rq->rq_sc);
	struct mbuf *head, *tail, *m;
	bool keep;
	unsigned i;

	head = tail = NULL;
	keep = f->error == 0 && (ifp->if_flags & IFF_RUNNING) != 0;
	for (i = 0; i < f->nbufs; i++) {
		m = vif_rx_take(rq, f->bufs[i].cookie, keep);
		if (m == NULL) {
			keep = false;
			continue;
		}
		/*
		 * Mergeable: one cluster per buffer, the header in front of
		 * the first.  Big mode: one buffer, a chain of clusters that
		 * vif_rx_trim() cuts to the frame below.
		 */
		if (rq->rq_proto->rxq_mergeable)
			m->m_len = f->bufs[i].len;
		if (head == NULL) {
			head = m;
			m->m_data += f->offset;
		} else {
			m->m_flags &= ~M_PKTHDR;
			tail->m_next = m;
		}
		tail = m;
	}
	if (!keep) {
		if (head != NULL)
			m_freem(head);
		if (f->error != 0)
			IFNET_STAT_INC(ifp, ierrors, 1);
		else if (ifp->if_flags & IFF_RUNNING) {
			IFNET_STAT_INC(ifp, iqdrops, 1);
			rq->rq_dropped++;
		}
		return;
	}
	if (!rq->rq_proto->rxq_mergeable)
		vif_rx_trim(head, f->len);
	head->m_pkthdr.len = f->len;
	head->m_pkthdr.rcvif = ifp;
	/*
	 * DATA_VALID: the device checked the transport checksum.
	 * NEEDS_CSUM: the frame never left the host and carries only a
	 * partial checksum, which is as good.  Either way the stack must
	 * not verify it; the IP header checksum it still checks itself.
	 */
	if ((f->flags & (VIOIF_RX_CSUM_VALID | VIOIF_RX_CSUM_PARTIAL)) &&
	    (ifp->if_capenable & IFCAP_RXCSUM)) {
		head->m_pkthdr.csum_flags |= CSUM_DATA_VALID |
		    CSUM_PSEUDO_HDR;
		head->m_pkthdr.csum_data = 0xffff;
	}
	IFNET_STAT_INC(ifp, ipackets, 1);
	/* Called from the queue's interrupt thread, bound to this CPU. */
	ifp->if_input(ifp, head, NULL, mycpuid);
}

/* A receive queue's interrupt, under rq_slz. */
int
vif_rx_done(struct vio_vq *vq)
{
	struct vif_rxq *rq = vq->vq_done_arg;
	uint64_t before = rq->rq_proto->rxq_stats.packets;

	/*
	 * Completions count into the ifnet's per-CPU statistics and wake
	 * its subqueues: the device runs only while the ifnet exists
	 * (vif_attach(), vif_detach()).
	 */
	KASSERT(rq->rq_sc->sc_ifattached,
	    ("vioif: receive completion without the ifnet"));
	/* Broken: the device is reset, the buffers stay ours until detach. */
	if (vioif_rx_intr(rq->rq_proto, &rq->rq_frame, vif_rx_frame, rq) ==
	    EIO)
		device_printf(rq->rq_sc->sc_dev,
		    "device broken: receive stopped\n");
	vioif_rx_kick(rq->rq_proto);
	return ((int)(rq->rq_proto->rxq_stats.packets - before));
}

int
vif_txq_setup(struct vif_txq *tq)
{
	int error, i, maxsegs;

	lwkt_serialize_init(&tq->tq_slz);
	/* One descriptor of each request carries the virtio-net header. */
	maxsegs = tq->tq_proto->txq_vq.vq_maxsegs - 1;
	if (maxsegs > VIOIF_TX_MAX_SEGS)
		maxsegs = VIOIF_TX_MAX_SEGS;
	if (maxsegs < 1)
		return (EINVAL);
	tq->tq_maxsegs = maxsegs;
	error = vio_dma_tag_create(bus_get_dma_tag(tq->tq_sc->sc_dev),
	    VIOIF_MAX_FRAME, maxsegs, PAGE_SIZE, BUS_DMA_ALLOCNOW,
	    &tq->tq_dmat);
	if (error != 0)
		return (error);
	tq->tq_nbufs = tq->tq_proto->txq_nslots;
	tq->tq_bufs = kmalloc(tq->tq_nbufs * sizeof(*tq->tq_bufs), M_VIOIF,
	    M_WAITOK | M_ZERO);
	tq->tq_free = kmalloc(tq->tq_nbufs * sizeof(*tq->tq_free), M_VIOIF,
	    M_WAITOK | M_ZERO);
	for (i = 0; i < tq->tq_nbufs; i++) {
		error = bus_dmamap_create(tq->tq_dmat, 0,
		    &tq->tq_bufs[i].vb_map);
		if (error != 0)
			return (error);
		tq->tq_free[tq->tq_nfree++] = &tq->tq_bufs[i];
	}
	return (0);
}

static void
vif_tx_release(struct vif_txq *tq, struct vif_buf *vb)
{

	bus_dmamap_sync(tq->tq_dmat, vb->vb_map, BUS_DMASYNC_POSTWRITE);
	bus_dmamap_unload(tq->tq_dmat, vb->vb_map);
	m_freem(vb->vb_m);
	vb->vb_m = NULL;
	tq->tq_free[tq->tq_nfree++] = vb;
}

/* After the device is reset; frames still posted are freed. */
void
vif_txq_teardown(struct vif_txq *tq)
{
	void *cookie;
	int i;

	if (tq->tq_bufs != NULL && tq->tq_proto != NULL) {
		while (vioif_tx_reclaim(tq->tq_proto, &cookie) == 0)
			vif_tx_release(tq, cookie);
	}
	for (i = 0; tq->tq_bufs != NULL && i < tq->tq_nbufs; i++) {
		if (tq->tq_bufs[i].vb_map != NULL)
			bus_dmamap_destroy(tq->tq_dmat,
			    tq->tq_bufs[i].vb_map);
	}
	if (tq->tq_bufs != NULL) {
		kfree(tq->tq_bufs, M_VIOIF);
		kfree(tq->tq_free, M_VIOIF);
	}
	tq->tq_bufs = NULL;
	if (tq->tq_dmat != NULL)
		bus_dma_tag_destroy(tq->tq_dmat);
	tq->tq_dmat = NULL;
}

/* What the stack asked the hardware to do for this frame. */
static void
vif_tx_offload(const struct mbuf *m, struct vioif_tx_offload *off)
{
	int flags = m->m_pkthdr.csum_flags;

	memset(off, 0, sizeof(*off));
	if ((flags & (CSUM_TCP | CSUM_UDP | CSUM_TSO)) == 0)
		return;
	off->flags = VIOIF_TX_CSUM;
	off->csum_start = m->m_pkthdr.csum_lhlen + m->m_pkthdr.csum_iphlen;
	off->csum_offset = (flags & CSUM_UDP) != 0 ?
	    offsetof(struct udphdr, uh_sum) : offsetof(struct tcphdr, th_sum);
	if (flags & CSUM_TSO) {
		/* DragonFly segments TCP over IPv4 only. */
		off->flags |= VIOIF_TX_TSO4;
		off->hdr_len = off->csum_start + m->m_pkthdr.csum_thlen;
		off->gso_size = m->m_pkthdr.tso_segsz;
	}
}

/* 0: posted; ENOSPC: ring full, m kept; else m was freed. */
static int
vif_tx_encap(struct vif_txq *tq, struct mbuf **mp)
{
	struct vioif_tx_offload off;
	struct vif_buf *vb;
	int error, i, nsegs;

	vb = tq->tq_free[tq->tq_nfree - 1];
	error = bus_dmamap_load_mbuf_defrag(tq->tq_dmat, vb->vb_map, mp,
	    tq->tq_dsegs, tq->tq_maxsegs, &nsegs, BUS_DMA_NOWAIT);
	if (error != 0) {
		m_freem(*mp);
		*mp = NULL;
		return (error);
	}
	for (i = 0; i < nsegs; i++) {
		tq->tq_segs[i].busaddr = tq->tq_dsegs[i].ds_addr;
		tq->tq_segs[i].len = tq->tq_dsegs[i].ds_len;
	}
	bus_dmamap_sync(tq->tq_dmat, vb->vb_map, BUS_DMASYNC_PREWRITE);
	vif_tx_offload(*mp, &off);
	error = vioif_tx_enqueue(tq->tq_proto, tq->tq_segs, nsegs, &off, vb);
	if (error != 0) {
		bus_dmamap_unload(tq->tq_dmat, vb->vb_map);
		if (error != ENOSPC) {
			m_freem(*mp);
			*mp = NULL;
		}
		return (error);
	}
	tq->tq_nfree--;
	vb->vb_m = *mp;
	return (0);
}

/* vioif_tx_intr()'s hook: a frame sent, or failed by a broken device. */
static void
vif_tx_sent(void *arg, void *cookie, int error)
{
	struct vif_txq *tq = arg;

	if (error != 0)
		IFNET_STAT_INC(vif_ifp(tq->tq_sc), oerrors, 1);
	vif_tx_release(tq, cookie);
}

/* Take back the frames the device has sent, leaving its interrupt be. */
static void
vif_tx_collect(struct vif_txq *tq)
{
	void *cookie;
	int error;

	while ((error = vioif_tx_dequeue(tq->tq_proto, &cookie)) == 0)
		vif_tx_sent(tq, cookie, 0);
	/* Broken: vioif_tx_intr() resets it and fails what it still holds. */
	if (error != ENOENT)
		(void)vioif_tx_intr(tq->tq_proto, vif_tx_sent, tq);
}

/*
 * The transmit interrupt stays off while the ring has room: sent frames
 * are collected by the next if_start.  An interrupt per frame sent
 * doubled the interrupts of every ping round trip, each a wakeup of an
 * interrupt thread (DragonFly's vtnet moderates the same way).  With
 * the ring full, arm it so that vif_tx_done() restarts the queue; false
 * then, true if the device freed a slot meanwhile.
 */
static bool
vif_tx_room(struct vif_txq *tq)
{
	struct vio_vq *vq = &tq->tq_proto->txq_vq;

	for (;;) {
		vif_tx_collect(tq);
		if (tq->tq_nfree > 0)
			return (true);
		if (vio_is_broken(vq->vq_sc) || !vq_intr_enable(vq))
			return (false);
		vq_intr_disable(vq);
	}
}

/* if_start of one subqueue, under its (our queue's) serializer. */
void
vif_start(struct ifnet *ifp, struct ifaltq_subque *ifsq)
{
	struct vif_txq *tq = ifsq_get_priv(ifsq);
	struct vif_softc *sc = tq->tq_sc;
	struct mbuf *m;
	int error, posted;

	ASSERT_SERIALIZED(&tq->tq_slz);
	if ((ifp->if_flags & IFF_RUNNING) == 0 || ifsq_is_oactive(ifsq))
		return;
	if (!sc->sc_link_up || !sc->sc_live) {
		ifsq_purge(ifsq);
		return;
	}
	vif_tx_collect(tq);
	posted = 0;
	while (!ifsq_is_empty(ifsq)) {
		if (tq->tq_nfree == 0 && !vif_tx_room(tq)) {
			ifsq_set_oactive(ifsq);
			break;
		}
		if ((m = ifsq_dequeue(ifsq)) == NULL)
			break;
		error = vif_tx_encap(tq, &m);
		if (error == ENOSPC) {
			ifsq_prepend(ifsq, m);
			ifsq_set_oactive(ifsq);
			break;
		}
		if (error != 0) {
			IFNET_STAT_INC(ifp, oerrors, 1);
			continue;
		}
		IFNET_STAT_INC(ifp, opackets, 1);
		ETHER_BPF_MTAP(ifp, m);
		posted++;
	}
	if (posted > 0)
		vioif_tx_kick(tq->tq_proto);
}

/*
 * A transmit queue's interrupt, under tq_slz: armed by vif_tx_room()
 * on a full ring (or the one an EVENT_IDX device raises before the
 * first if_start); turned off again while there is room.
 */
int
vif_tx_done(struct vio_vq *vq)
{
	struct vif_txq *tq = vq->vq_done_arg;
	int n;

	/* Its subqueue is the ifnet's: see vif_rx_done(). */
	KASSERT(tq->tq_sc->sc_ifattached,
	    ("vioif: transmit completion without the ifnet"));
	n = tq->tq_nfree;
	vq_intr_disable(vq);
	if (!vif_tx_room(tq))
		return (tq->tq_nfree - n);
	n = tq->tq_nfree - n;
	if (tq->tq_ifsq != NULL) {
		ifsq_clr_oactive(tq->tq_ifsq);
		if (!ifsq_is_empty(tq->tq_ifsq))
			ifsq_devstart(tq->tq_ifsq);
	}
	return (n);
}
