/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioif: the DragonFly Ethernet driver of a virtio network device, a
 * child of vio_pci.  Attach negotiates with vtnet(4)-style tunables,
 * lets the protocol code (drivers/net) set up the queue pairs and the
 * control queue, and builds an ifnet with one ifaltq subqueue per
 * transmit queue; see vioif(4).  The data path is in vioif_rxtx.c.
 *
 * Serializers: sc_slz for the control queue and configuration changes,
 * one per receive queue and one per transmit queue; ioctls hold all.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/kernel.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/module.h>
#include <sys/serialize.h>
#include <sys/socket.h>
#include <sys/sockio.h>
#include <sys/sysctl.h>

#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/if_dl.h>
#include <net/if_media.h>
#include <net/if_var.h>
#include <net/ifq_var.h>

#include <netinet/in.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vioif.h"
#include "vioif_var.h"
#include "vio_bus_if.h"

MALLOC_DEFINE(M_VIOIF, "vioif", "vioif buffers");

/*
 * vtnet(4)'s knobs under our name; dev.vioif.X.name (or hw.vioifX.name)
 * overrides per unit, read as DragonFly's drivers read theirs.
 */
static int vif_csum_disable = 0;
TUNABLE_INT("hw.vioif.csum_disable", &vif_csum_disable);
static int vif_tso_disable = 0;
TUNABLE_INT("hw.vioif.tso_disable", &vif_tso_disable);
static int vif_lro_disable = 0;
TUNABLE_INT("hw.vioif.lro_disable", &vif_lro_disable);
static int vif_mq_disable = 0;
TUNABLE_INT("hw.vioif.mq_disable", &vif_mq_disable);
static int vif_mq_max_pairs = 0;
TUNABLE_INT("hw.vioif.mq_max_pairs", &vif_mq_max_pairs);
static int vif_vlan_filter = 0;
TUNABLE_INT("hw.vioif.vlan_filter", &vif_vlan_filter);

static int
vif_tunable(device_t dev, const char *knob, int global)
{

	return (device_getenv_int(dev, knob, global));
}

static void
vif_read_tunables(struct vif_softc *sc)
{
	device_t dev = sc->sc_dev;
	int pairs;

	sc->sc_tun.csum_disable = vif_tunable(dev, "csum_disable",
	    vif_csum_disable) != 0;
	sc->sc_tun.tso_disable = vif_tunable(dev, "tso_disable",
	    vif_tso_disable) != 0;
	sc->sc_tun.lro_disable = vif_tunable(dev, "lro_disable",
	    vif_lro_disable) != 0;
	sc->sc_tun.mq_disable = vif_tunable(dev, "mq_disable",
	    vif_mq_disable) != 0;
	/* More queue pairs than CPUs only adds interrupts. */
	pairs = vif_tunable(dev, "mq_max_pairs", vif_mq_max_pairs);
	if (pairs <= 0 || pairs > ncpus)
		pairs = ncpus;
	if (pairs > VIOIF_MAX_PAIRS)
		pairs = VIOIF_MAX_PAIRS;
	sc->sc_tun.mq_max_pairs = pairs;
	sc->sc_vlan_filter = vif_tunable(dev, "vlan_filter",
	    vif_vlan_filter) != 0;
}

/* Wait for the answer to the control command just posted. */
static int
vif_ctrl_wait(struct vif_softc *sc, int error)
{
	int us;

	if (error != 0)
		return (error);
	for (us = 0; us < VIF_CTRL_TIMEOUT_US; us += VIF_CTRL_POLL_US) {
		error = vioif_ctrl_poll(&sc->sc_net.sc_ctrl);
		if (error != EAGAIN)
			return (error);
		DELAY(VIF_CTRL_POLL_US);
	}
	/* The next command collects the answer, should it still come. */
	vioif_ctrl_abandon(&sc->sc_net.sc_ctrl);
	device_printf(sc->sc_dev, "control command not answered\n");
	return (ETIMEDOUT);
}

/*
 * Receive filter through the control queue: promiscuous and
 * all-multicast modes, and the multicast addresses in the MAC table
 * (all-multicast when they do not fit).  Under all serializers.
 */
static void
vif_set_rxfilter(struct vif_softc *sc)
{
	struct ifnet *ifp = vif_ifp(sc);
	struct vioif_ctrl *ctrl = &sc->sc_net.sc_ctrl;
	struct ifmultiaddr *ifma;
	bool allmulti;
	int error, nmc;

	if (!sc->sc_has_ctrl ||
	    (sc->sc_net.sc_features & VIRTIO_NET_F_CTRL_RX) == 0)
		return;
	allmulti = (ifp->if_flags & IFF_ALLMULTI) != 0;
	nmc = 0;
	TAILQ_FOREACH(ifma, &ifp->if_multiaddrs, ifma_link) {
		if (ifma->ifma_addr->sa_family != AF_LINK)
			continue;
		if (nmc == VIOIF_MAC_TABLE_MAX) {
			allmulti = true;
			break;
		}
		memcpy(sc->sc_mc[nmc++],
		    LLADDR((struct sockaddr_dl *)ifma->ifma_addr),
		    ETHER_ADDR_LEN);
	}
	error = vif_ctrl_wait(sc, vioif_ctrl_rx_mode(ctrl,
	    VIRTIO_NET_CTRL_RX_PROMISC, (ifp->if_flags & IFF_PROMISC) != 0));
	if (error == 0)
		error = vif_ctrl_wait(sc, vioif_ctrl_rx_mode(ctrl,
		    VIRTIO_NET_CTRL_RX_ALLMULTI, allmulti));
	if (error == 0 && !allmulti)
		error = vif_ctrl_wait(sc, vioif_ctrl_mac_table(ctrl, NULL, 0,
		    (const uint8_t (*)[VIRTIO_NET_ETHER_ADDR_LEN])sc->sc_mc,
		    nmc));
	if (error != 0)
		device_printf(sc->sc_dev, "cannot set receive filter (%d)\n",
		    error);
}

/*
 * The receive offloads of large segments.  DragonFly has no IFCAP_LRO:
 * they follow IFCAP_RXCSUM (a segment the stack cannot trust the
 * checksum of is no use to it), and hw.vioif.lro_disable keeps them off.
 */
#define VIF_LRO_OFFLOADS	(VIRTIO_NET_F_GUEST_TSO4 | \
	VIRTIO_NET_F_GUEST_TSO6 | VIRTIO_NET_F_GUEST_ECN | \
	VIRTIO_NET_F_GUEST_UFO)

/*
 * Tell the device which receive offloads the stack takes: without it,
 * -rxcsum would still let partially checksummed frames through, which
 * the stack then drops.  Under all serializers.
 */
static int
vif_set_offloads(struct vif_softc *sc)
{
	struct ifnet *ifp = vif_ifp(sc);
	uint64_t f = sc->sc_net.sc_features, want;
	int error;

	if ((f & VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) == 0 || !sc->sc_live)
		return (0);
	want = 0;
	if (ifp->if_capenable & IFCAP_RXCSUM)
		want |= f & (VIRTIO_NET_F_GUEST_CSUM | VIF_LRO_OFFLOADS);
	if (want == sc->sc_offloads)
		return (0);
	error = vif_ctrl_wait(sc, vioif_ctrl_guest_offloads(
	    &sc->sc_net.sc_ctrl, want));
	if (error == 0)
		sc->sc_offloads = want;
	return (error);
}

/*
 * The address the stack uses (ifconfig lladdr, or the random one of
 * attach) is the one the device must filter for.  Under all serializers.
 */
static void
vif_set_mac(struct vif_softc *sc)
{
	struct ifnet *ifp = vif_ifp(sc);
	int error;

	if ((sc->sc_net.sc_features & VIRTIO_NET_F_CTRL_MAC_ADDR) == 0 ||
	    !sc->sc_has_ctrl)
		return;
	error = vif_ctrl_wait(sc, vioif_ctrl_mac_addr(&sc->sc_net.sc_ctrl,
	    IF_LLADDR(ifp)));
	if (error != 0)
		device_printf(sc->sc_dev, "cannot set the MAC address (%d)\n",
		    error);
}

static void
vif_set_hwassist(struct vif_softc *sc)
{
	struct ifnet *ifp = vif_ifp(sc);

	ifp->if_hwassist = 0;
	if (ifp->if_capenable & IFCAP_TXCSUM)
		ifp->if_hwassist |= CSUM_TCP | CSUM_UDP;
	if (ifp->if_capenable & IFCAP_TSO4)
		ifp->if_hwassist |= CSUM_TSO;
}

/* Link state from the status field; always up without it. */
static void
vif_update_link(struct vif_softc *sc)
{
	struct ifnet *ifp = vif_ifp(sc);
	bool up;
	int i;

	up = (sc->sc_net.sc_features & VIRTIO_NET_F_STATUS) == 0 ||
	    sc->sc_net.sc_cfg.link_up;
	if (up == sc->sc_link_up && ifp->if_link_state != LINK_STATE_UNKNOWN)
		return;
	sc->sc_link_up = up;
	ifp->if_link_state = up ? LINK_STATE_UP : LINK_STATE_DOWN;
	if_link_state_change(ifp);
	for (i = 0; up && i < sc->sc_npairs; i++)
		ifsq_devstart_sched(sc->sc_txq[i].tq_ifsq);
}

/*
 * The device asks to be announced (after a migration): the switches
 * learn where our address is now from a gratuitous ARP, and the
 * acknowledgement clears the request.  Under sc_slz.
 */
static void
vif_announce(struct vif_softc *sc)
{
	struct ifnet *ifp = vif_ifp(sc);
	struct ifaddr_container *ifac;
	int error;

	TAILQ_FOREACH(ifac, &ifp->if_addrheads[mycpuid], ifa_link) {
		if (ifac->ifa->ifa_addr->sa_family == AF_INET)
			arp_gratuitous(ifp, ifac->ifa);
	}
	error = vif_ctrl_wait(sc, vioif_ctrl_announce_ack(
	    &sc->sc_net.sc_ctrl));
	sc->sc_announced++;
	if (error != 0)
		device_printf(sc->sc_dev, "announce not acknowledged (%d)\n",
		    error);
}

/* Configuration change interrupt, under sc_slz. */
static void
vif_config_change(struct vio_softc *vio __unused, void *arg)
{
	struct vif_softc *sc = arg;

	/* Until the ifnet exists attach reads the state itself. */
	if (vioif_config_update(&sc->sc_net) != 0 || !sc->sc_ifattached)
		return;
	vif_update_link(sc);
	if ((sc->sc_net.sc_cfg.status & VIRTIO_NET_S_ANNOUNCE) && sc->sc_live)
		vif_announce(sc);
}

static void
vif_init(void *arg)
{
	struct vif_softc *sc = arg;
	struct ifnet *ifp = vif_ifp(sc);
	int i;

	ASSERT_IFNET_SERIALIZED_ALL(ifp);
	if (!sc->sc_live)
		return;
	ifp->if_flags |= IFF_RUNNING;
	vif_set_mac(sc);
	vif_set_rxfilter(sc);
	for (i = 0; i < sc->sc_npairs; i++) {
		ifsq_clr_oactive(sc->sc_txq[i].tq_ifsq);
		ifsq_devstart_sched(sc->sc_txq[i].tq_ifsq);
	}
}

/* Down: frames still arriving are handed back to the device. */
static void
vif_stop(struct vif_softc *sc)
{
	struct ifnet *ifp = vif_ifp(sc);
	int i;

	ASSERT_IFNET_SERIALIZED_ALL(ifp);
	ifp->if_flags &= ~IFF_RUNNING;
	for (i = 0; i < sc->sc_npairs; i++)
		ifsq_clr_oactive(sc->sc_txq[i].tq_ifsq);
	ifq_purge_all(&ifp->if_snd);
}

static int
vif_ioctl(struct ifnet *ifp, u_long cmd, caddr_t data,
    struct ucred *cr __unused)
{
	struct vif_softc *sc = ifp->if_softc;
	struct ifreq *ifr = (struct ifreq *)data;
	int error, mask;

	ASSERT_IFNET_SERIALIZED_ALL(ifp);
	error = 0;
	switch (cmd) {
	case SIOCSIFFLAGS:
		if ((ifp->if_flags & IFF_UP) == 0) {
			if (ifp->if_flags & IFF_RUNNING)
				vif_stop(sc);
		} else if (ifp->if_flags & IFF_RUNNING)
			vif_set_rxfilter(sc);
		else
			vif_init(sc);
		break;
	case SIOCADDMULTI:
	case SIOCDELMULTI:
		if (ifp->if_flags & IFF_RUNNING)
			vif_set_rxfilter(sc);
		break;
	case SIOCSIFMTU:
		/* Receive buffers are sized for sc_max_mtu already. */
		if (ifr->ifr_mtu < ETHERMIN || ifr->ifr_mtu > sc->sc_max_mtu)
			error = EINVAL;
		else
			ifp->if_mtu = ifr->ifr_mtu;
		break;
	case SIOCSIFMEDIA:
	case SIOCGIFMEDIA:
		error = ifmedia_ioctl(ifp, ifr, &sc->sc_media, cmd);
		break;
	case SIOCSIFCAP:
		mask = (ifr->ifr_reqcap ^ ifp->if_capenable) &
		    ifp->if_capabilities;
		ifp->if_capenable ^= mask;
		vif_set_hwassist(sc);
		error = vif_set_offloads(sc);
		break;
	default:
		error = ether_ioctl(ifp, cmd, data);
		break;
	}
	return (error);
}

static int
vif_media_change(struct ifnet *ifp __unused)
{

	return (0);
}

static void
vif_media_status(struct ifnet *ifp, struct ifmediareq *ifmr)
{
	struct vif_softc *sc = ifp->if_softc;

	ifmr->ifm_status = IFM_AVALID;
	ifmr->ifm_active = IFM_ETHER | IFM_AUTO;
	if (sc->sc_link_up)
		ifmr->ifm_status |= IFM_ACTIVE;
}

static void
vif_serialize(struct ifnet *ifp, enum ifnet_serialize slz)
{
	struct vif_softc *sc = ifp->if_softc;

	ifnet_serialize_array_enter(sc->sc_slzs, sc->sc_nslzs, slz);
}

static void
vif_deserialize(struct ifnet *ifp, enum ifnet_serialize slz)
{
	struct vif_softc *sc = ifp->if_softc;

	ifnet_serialize_array_exit(sc->sc_slzs, sc->sc_nslzs, slz);
}

static int
vif_tryserialize(struct ifnet *ifp, enum ifnet_serialize slz)
{
	struct vif_softc *sc = ifp->if_softc;

	return (ifnet_serialize_array_try(sc->sc_slzs, sc->sc_nslzs, slz));
}

#ifdef INVARIANTS
static void
vif_serialize_assert(struct ifnet *ifp, enum ifnet_serialize slz,
    boolean_t serialized)
{
	struct vif_softc *sc = ifp->if_softc;

	ifnet_serialize_array_assert(sc->sc_slzs, sc->sc_nslzs, slz,
	    serialized);
}
#endif

/* Write a VLAN id to add it to (or remove it from) the device filter. */
static int
vif_sysctl_vlan(SYSCTL_HANDLER_ARGS)
{
	struct vif_softc *sc = arg1;
	struct ifnet *ifp = vif_ifp(sc);
	int error, vid;

	vid = -1;
	error = sysctl_handle_int(oidp, &vid, 0, req);
	if (error != 0 || req->newptr == NULL)
		return (error);
	if (vid < 0 || vid > VIRTIO_NET_VLAN_ID_MAX)
		return (EINVAL);
	ifnet_serialize_all(ifp);
	/* Detach resets the device before it frees the control queue. */
	if (sc->sc_live)
		error = vif_ctrl_wait(sc, vioif_ctrl_vlan(&sc->sc_net.sc_ctrl,
		    arg2 != 0, vid));
	else
		error = ENXIO;
	ifnet_deserialize_all(ifp);
	return (error);
}

static int
vif_sysctl_rx_dropped(SYSCTL_HANDLER_ARGS)
{
	struct vif_softc *sc = arg1;
	uint64_t n;
	int i;

	for (n = 0, i = 0; i < sc->sc_npairs; i++)
		n += sc->sc_rxq[i].rq_dropped;
	return (sysctl_handle_64(oidp, &n, 0, req));
}

static void
vif_add_sysctls(struct vif_softc *sc)
{
	struct sysctl_ctx_list *ctx = device_get_sysctl_ctx(sc->sc_dev);
	struct sysctl_oid_list *list =
	    SYSCTL_CHILDREN(device_get_sysctl_tree(sc->sc_dev));

	SYSCTL_ADD_INT(ctx, list, OID_AUTO, "queue_pairs", CTLFLAG_RD,
	    &sc->sc_npairs, 0, "queue pairs in use");
	SYSCTL_ADD_INT(ctx, list, OID_AUTO, "ctrl_queue", CTLFLAG_RD,
	    &sc->sc_has_ctrl, 0, "control queue negotiated");
	SYSCTL_ADD_U64(ctx, list, OID_AUTO, "guest_offloads", CTLFLAG_RD,
	    &sc->sc_offloads, "receive offloads the device was told");
	SYSCTL_ADD_INT(ctx, list, OID_AUTO, "announced", CTLFLAG_RD,
	    &sc->sc_announced, 0, "announcements the device asked for");
	SYSCTL_ADD_PROC(ctx, list, OID_AUTO, "rx_dropped",
	    CTLTYPE_U64 | CTLFLAG_RD, sc, 0, vif_sysctl_rx_dropped, "QU",
	    "frames dropped for want of an mbuf");
#ifdef INVARIANTS
	SYSCTL_ADD_UINT(ctx, list, OID_AUTO, "fail_rxpost", CTLFLAG_RW,
	    &sc->sc_fail_rxpost, 0, "test: fail the post of this many "
	    "replacement receive buffers");
#endif
	if (sc->sc_net.sc_features & VIRTIO_NET_F_CTRL_VLAN) {
		SYSCTL_ADD_PROC(ctx, list, OID_AUTO, "vlan_add",
		    CTLTYPE_INT | CTLFLAG_WR, sc, 1, vif_sysctl_vlan, "I",
		    "let the device pass frames of this VLAN id");
		SYSCTL_ADD_PROC(ctx, list, OID_AUTO, "vlan_del",
		    CTLTYPE_INT | CTLFLAG_WR, sc, 0, vif_sysctl_vlan, "I",
		    "stop the device passing frames of this VLAN id");
	}
}

/* The largest MTU the receive buffers and the device allow. */
static int
vif_max_mtu(struct vif_softc *sc)
{
	const struct vioif_rxq *rxq = &sc->sc_net.sc_rxq[0];
	uint32_t mtu;

	if (rxq->rxq_mergeable || rxq->rxq_min_buf >= VIOIF_MAX_FRAME)
		mtu = VIOIF_MTU_MAX;
	else
		mtu = rxq->rxq_min_buf - VIOIF_VLAN_ETHER_HDR_LEN;
	if ((sc->sc_net.sc_features & VIRTIO_NET_F_MTU) &&
	    sc->sc_net.sc_cfg.mtu < mtu)
		mtu = sc->sc_net.sc_cfg.mtu;
	return (mtu);
}

static void
vif_setup_ifnet(struct vif_softc *sc)
{
	struct ifnet *ifp = vif_ifp(sc);
	uint64_t f = sc->sc_net.sc_features;
	struct vif_rxq *rq;
	int i;

	if_initname(ifp, device_get_name(sc->sc_dev),
	    device_get_unit(sc->sc_dev));
	ifp->if_softc = sc;
	ifp->if_flags = IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST;
	ifp->if_init = vif_init;
	ifp->if_ioctl = vif_ioctl;
	ifp->if_start = vif_start;
	ifp->if_serialize = vif_serialize;
	ifp->if_deserialize = vif_deserialize;
	ifp->if_tryserialize = vif_tryserialize;
#ifdef INVARIANTS
	ifp->if_serialize_assert = vif_serialize_assert;
#endif
	ifp->if_mtu = ETHERMTU;
	/*
	 * A TSO packet is one IP packet (at most IP_MAXPACKET bytes) before
	 * the device cuts it: leave room for the largest IP and TCP headers
	 * around the payload, and for Ethernet and VLAN headers as before.
	 */
	ifp->if_tsolen = IP_MAXPACKET - VIOIF_VLAN_ETHER_HDR_LEN -
	    2 * VIF_MAX_L3L4_HDR;
	ifp->if_data.ifi_hdrlen = ETHER_HDR_LEN + ETHER_VLAN_ENCAP_LEN;
	ifq_set_maxlen(&ifp->if_snd, sc->sc_net.sc_txq[0].txq_nslots);
	ifq_set_ready(&ifp->if_snd);
	ifq_set_subq_cnt(&ifp->if_snd, sc->sc_npairs);
	ifp->if_mapsubq = ifq_mapsubq_modulo;
	ifq_set_subq_divisor(&ifp->if_snd, sc->sc_npairs);

	/*
	 * The receive buffers sit in the rings for as long as no frame
	 * comes: if_attach() raises the system's cluster limits by them.
	 */
	for (i = 0; i < sc->sc_npairs; i++) {
		rq = &sc->sc_rxq[i];
		if (rq->rq_clsize == MCLBYTES)
			ifp->if_nmbclusters += rq->rq_nbufs * rq->rq_nclusters;
		else
			ifp->if_nmbjclusters += rq->rq_nbufs *
			    rq->rq_nclusters;
	}

	sc->sc_max_mtu = vif_max_mtu(sc);
	ifp->if_capabilities = IFCAP_VLAN_MTU;
	if (sc->sc_max_mtu > ETHERMTU)
		ifp->if_capabilities |= IFCAP_JUMBO_MTU;
	if (f & VIRTIO_NET_F_CSUM)
		ifp->if_capabilities |= IFCAP_TXCSUM;
	if (f & VIRTIO_NET_F_GUEST_CSUM)
		ifp->if_capabilities |= IFCAP_RXCSUM;
	if (f & VIRTIO_NET_F_HOST_TSO4)
		ifp->if_capabilities |= IFCAP_TSO4;
	ifp->if_capenable = ifp->if_capabilities;
	/* The device starts with every negotiated offload on. */
	sc->sc_offloads = f & (VIRTIO_NET_F_GUEST_CSUM | VIF_LRO_OFFLOADS);
	vif_set_hwassist(sc);

	ifmedia_init(&sc->sc_media, 0, vif_media_change, vif_media_status);
	ifmedia_add(&sc->sc_media, IFM_ETHER | IFM_AUTO, 0, NULL);
	ifmedia_set(&sc->sc_media, IFM_ETHER | IFM_AUTO);
}

/* Queue pairs: our side of each, its interrupt and its serializer. */
static int
vif_setup_queues(struct vif_softc *sc)
{
	device_t dev = sc->sc_dev, parent = device_get_parent(dev);
	struct vif_rxq *rq;
	struct vif_txq *tq;
	int error, i;

	sc->sc_nslzs = 0;
	sc->sc_slzs[sc->sc_nslzs++] = &sc->sc_slz;
	for (i = 0; i < sc->sc_npairs; i++) {
		rq = &sc->sc_rxq[i];
		rq->rq_sc = sc;
		rq->rq_proto = &sc->sc_net.sc_rxq[i];
		if ((error = vif_rxq_setup(rq)) != 0)
			return (error);
		rq->rq_proto->rxq_vq.vq_done = vif_rx_done;
		rq->rq_proto->rxq_vq.vq_done_arg = rq;
		sc->sc_slzs[sc->sc_nslzs++] = &rq->rq_slz;
		error = VIO_BUS_SETUP_INTR(parent, dev, &rq->rq_proto->rxq_vq,
		    &rq->rq_slz);
		if (error != 0)
			return (error);
	}
	for (i = 0; i < sc->sc_npairs; i++) {
		tq = &sc->sc_txq[i];
		tq->tq_sc = sc;
		tq->tq_proto = &sc->sc_net.sc_txq[i];
		if ((error = vif_txq_setup(tq)) != 0)
			return (error);
		tq->tq_proto->txq_vq.vq_done = vif_tx_done;
		tq->tq_proto->txq_vq.vq_done_arg = tq;
		sc->sc_slzs[sc->sc_nslzs++] = &tq->tq_slz;
		error = VIO_BUS_SETUP_INTR(parent, dev, &tq->tq_proto->txq_vq,
		    &tq->tq_slz);
		if (error != 0)
			return (error);
	}
	/* Commands are polled: the control queue needs no interrupt. */
	if (sc->sc_has_ctrl)
		vq_intr_disable(&sc->sc_net.sc_ctrl.ctrl_vq);
	sc->sc_net.sc_vio->sc_config_change = vif_config_change;
	sc->sc_net.sc_vio->sc_child = sc;
	return (VIO_BUS_SETUP_INTR(parent, dev, NULL, &sc->sc_slz));
}

/* The device's address, or a random locally administered unicast one. */
static void
vif_mac(struct vif_softc *sc, uint8_t *mac)
{

	if (sc->sc_net.sc_cfg.has_mac) {
		memcpy(mac, sc->sc_net.sc_cfg.mac, ETHER_ADDR_LEN);
		return;
	}
	karc4rand(mac, ETHER_ADDR_LEN);
	mac[0] = (mac[0] & ~0x01) | 0x02;
}

static int
vif_probe(device_t dev)
{
	struct vio_softc *vio = VIO_BUS_CORE(device_get_parent(dev), dev);

	if (vio->sc_device_type != VIRTIO_ID_NET)
		return (ENXIO);
	device_set_desc(dev, "VirtIO network device");
	return (BUS_PROBE_DEFAULT);
}

static int vif_detach(device_t);

static int
vif_attach(device_t dev)
{
	struct vif_softc *sc = device_get_softc(dev);
	device_t parent = device_get_parent(dev);
	struct vio_softc *vio = VIO_BUS_CORE(parent, dev);
	struct ifnet *ifp = vif_ifp(sc);
	uint8_t mac[ETHER_ADDR_LEN];
	uint64_t wanted;
	int error, i;

	sc->sc_dev = dev;
	lwkt_serialize_init(&sc->sc_slz);
	vif_read_tunables(sc);
	wanted = vioif_features(&sc->sc_tun);
	/*
	 * With CTRL_VLAN the device drops every tagged frame until told
	 * its id, and DragonFly's vlan(4) tells its parent nothing: the
	 * filter is for administrators who ask for it (vioif(4)).
	 */
	if (!sc->sc_vlan_filter)
		wanted &= ~VIRTIO_NET_F_CTRL_VLAN;
	if ((error = VIO_BUS_NEGOTIATE(parent, dev, wanted)) != 0) {
		device_printf(dev, "feature negotiation failed\n");
		return (error);
	}
	if ((error = vioif_attach(&sc->sc_net, vio, &sc->sc_tun)) != 0) {
		device_printf(dev, "cannot set up the device (%d)\n", error);
		VIO_BUS_STOP(parent, dev);
		return (error);
	}
	sc->sc_attached = true;
	sc->sc_npairs = sc->sc_net.sc_npairs;
	sc->sc_has_ctrl = sc->sc_net.sc_has_ctrl;
	if ((error = vif_setup_queues(sc)) != 0)
		goto fail;
	vif_setup_ifnet(sc);
	for (i = 0; i < sc->sc_npairs; i++) {
		if ((error = vif_rxq_fill(&sc->sc_rxq[i])) != 0)
			goto fail;
	}

	/*
	 * The ifnet exists before the device may complete anything: the
	 * completion paths count into its per-CPU statistics and wake its
	 * subqueues, which ether_ifattach() allocates.
	 */
	vif_mac(sc, mac);
	ether_ifattach(ifp, mac, NULL);
	for (i = 0; i < sc->sc_npairs; i++) {
		struct ifaltq_subque *ifsq = ifq_get_subq(&ifp->if_snd, i);

		ifsq_set_cpuid(ifsq, i % ncpus);
		ifsq_set_priv(ifsq, &sc->sc_txq[i]);
		ifsq_set_hw_serialize(ifsq, &sc->sc_txq[i].tq_slz);
		sc->sc_txq[i].tq_ifsq = ifsq;
	}
	sc->sc_ifattached = true;

	if ((error = VIO_BUS_DRIVER_OK(parent, dev)) != 0)
		goto fail;
	/* Interrupts run from here on: the kicks take their serializers. */
	ifnet_serialize_all(ifp);
	sc->sc_live = true;
	for (i = 0; i < sc->sc_npairs; i++)
		vioif_rx_kick(sc->sc_rxq[i].rq_proto);
	ifnet_deserialize_all(ifp);

	lwkt_serialize_enter(&sc->sc_slz);
	if (sc->sc_npairs > 1 && vif_ctrl_wait(sc,
	    vioif_ctrl_mq_pairs(&sc->sc_net.sc_ctrl, sc->sc_npairs)) != 0) {
		/* The device keeps using the first pair only. */
		device_printf(dev, "device refused %d queue pairs\n",
		    sc->sc_npairs);
		ifq_set_subq_divisor(&ifp->if_snd, 1);
	}
	vif_config_change(vio, sc);
	lwkt_serialize_exit(&sc->sc_slz);
	vif_add_sysctls(sc);
	device_printf(dev, "%d queue pair%s, mtu up to %d, %s%s%s\n",
	    sc->sc_npairs, sc->sc_npairs > 1 ? "s" : "", sc->sc_max_mtu,
	    sc->sc_net.sc_rxq[0].rxq_mergeable ? "mergeable rx" : "big rx",
	    (ifp->if_capabilities & IFCAP_TXCSUM) ? ", csum" : "",
	    (ifp->if_capabilities & IFCAP_TSO4) ? ", tso" : "");
	return (0);

fail:
	vif_detach(dev);
	return (error);
}

static int
vif_detach(device_t dev)
{
	struct vif_softc *sc = device_get_softc(dev);
	struct ifnet *ifp = vif_ifp(sc);
	void *cookie;
	int i;

	if (sc->sc_ifattached) {
		ifnet_serialize_all(ifp);
		vif_stop(sc);
		sc->sc_live = false;
		ifnet_deserialize_all(ifp);
	}
	/*
	 * No interrupts after this (running handlers are waited for), and
	 * the device is reset: only then may ether_ifdetach() free the
	 * subqueues and statistics that completions touch.
	 */
	VIO_BUS_STOP(device_get_parent(dev), dev);
	sc->sc_live = false;
	if (sc->sc_ifattached) {
		ether_ifdetach(ifp);
		sc->sc_ifattached = false;
	}
	if (sc->sc_attached) {
		for (i = 0; i < sc->sc_npairs; i++) {
			while (vioif_rx_reclaim(&sc->sc_net.sc_rxq[i],
			    &cookie) == 0)
				continue;
			vif_txq_teardown(&sc->sc_txq[i]);
			vif_rxq_teardown(&sc->sc_rxq[i]);
		}
		vioif_detach(&sc->sc_net);
		sc->sc_attached = false;
	}
	ifmedia_removeall(&sc->sc_media);
	return (0);
}

static device_method_t vif_methods[] = {
	DEVMETHOD(device_probe,		vif_probe),
	DEVMETHOD(device_attach,	vif_attach),
	DEVMETHOD(device_detach,	vif_detach),
	DEVMETHOD_END
};

static driver_t vif_driver = {
	"vioif",
	vif_methods,
	sizeof(struct vif_softc)
};

static devclass_t vif_devclass;

DRIVER_MODULE(vioif, vio_pci, vif_driver, vif_devclass, NULL, NULL);
MODULE_VERSION(vioif, 1);
MODULE_DEPEND(vioif, vio_pci, 1, 1, 1);
