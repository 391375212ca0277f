/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-net device attach: read the configuration, then set up the
 * receive/transmit queue pairs and the control queue (queue indexes per
 * the specification: rx0 tx0 rx1 tx1 ... then control at 2 * max_pairs).
 */

#include "vio_os.h"
#include "vio_le.h"
#include "vioif.h"

/* The configuration bytes the negotiated features make us read. */
static uint32_t
vioif_config_needed(uint64_t f)
{

	if (f & VIRTIO_NET_F_SPEED_DUPLEX)
		return (VIRTIO_NET_CONFIG_DUPLEX + 1);
	if (f & VIRTIO_NET_F_MTU)
		return (VIRTIO_NET_CONFIG_MTU + 2);
	if (f & VIRTIO_NET_F_MQ)
		return (VIRTIO_NET_CONFIG_MAX_VQ_PAIRS + 2);
	if (f & VIRTIO_NET_F_STATUS)
		return (VIRTIO_NET_CONFIG_STATUS + 2);
	if (f & VIRTIO_NET_F_MAC)
		return (VIRTIO_NET_ETHER_ADDR_LEN);
	return (0);
}

int
vioif_read_config(struct vio_softc *vio, struct vioif_config *cfg)
{
	uint8_t raw[VIRTIO_NET_CONFIG_SIZE];
	uint64_t features;
	uint32_t need;
	int error;

	/* A configuration space too short for the features: EINVAL. */
	features = vioif_features_fixup(vio->sc_features);
	need = vioif_config_needed(features);
	vio_memset(raw, 0, sizeof(raw));
	error = need != 0 ? vio_config_read(vio, 0, raw, need) : 0;
	if (error == 0)
		error = vioif_config_parse(raw, sizeof(raw), features, cfg);
	if (error != 0)
		vio_log(vio->sc_os, "vioif: bad device configuration\n");
	return (error);
}

int
vioif_attach(struct vioif_softc *sc, struct vio_softc *vio,
    const struct vioif_tunables *tun)
{
	uint32_t ctrl_index;
	uint16_t i;
	int error;

	vio_memset(sc, 0, sizeof(*sc));
	sc->sc_vio = vio;
	/* A feature whose prerequisite is missing is as good as absent. */
	sc->sc_features = vioif_features_fixup(vio->sc_features);
	sc->sc_hdrlen = vioif_hdr_len(sc->sc_features);
	if ((error = vioif_read_config(vio, &sc->sc_cfg)) != 0) {
		vio_mark_broken(vio, "vioif: bad configuration");
		return (error);
	}
	/*
	 * The control queue follows all of the device's pairs, however
	 * few of them are used (at most VIOIF_MAX_PAIRS).  Only an index
	 * past 16 bits (the specification's 0x8000 pairs) cannot be
	 * selected: then do without it, and the device uses one pair and
	 * its default receive filter.
	 */
	ctrl_index = 2 * sc->sc_cfg.max_pairs;
	sc->sc_has_ctrl = (sc->sc_features & VIRTIO_NET_F_CTRL_VQ) != 0;
	if (sc->sc_has_ctrl && ctrl_index > 0xffff) {
		vio_log(vio->sc_os, "vioif: control queue %u out of reach\n",
		    ctrl_index);
		sc->sc_has_ctrl = false;
	}
	sc->sc_npairs = 1;
	if (sc->sc_has_ctrl)
		sc->sc_npairs = vioif_pairs_wanted(&sc->sc_cfg, tun);
	for (i = 0; i < sc->sc_npairs; i++) {
		error = vioif_rxq_init(&sc->sc_rxq[i], vio, 2 * i,
		    sc->sc_features, sc->sc_cfg.mtu);
		if (error != 0)
			goto fail;
		error = vioif_txq_init(&sc->sc_txq[i], vio, 2 * i + 1,
		    sc->sc_features);
		if (error != 0) {
			vioif_rxq_fini(&sc->sc_rxq[i]);
			goto fail;
		}
	}
	if (sc->sc_has_ctrl && (error = vioif_ctrl_init(&sc->sc_ctrl, vio,
	    (uint16_t)ctrl_index, sc->sc_features)) != 0)
		goto fail;
	return (0);

fail:
	sc->sc_has_ctrl = false;
	while (i-- > 0) {
		vioif_txq_fini(&sc->sc_txq[i]);
		vioif_rxq_fini(&sc->sc_rxq[i]);
	}
	sc->sc_npairs = 0;
	return (error);
}

void
vioif_detach(struct vioif_softc *sc)
{
	uint16_t i;

	if (sc->sc_has_ctrl)
		vioif_ctrl_fini(&sc->sc_ctrl);
	for (i = 0; i < sc->sc_npairs; i++) {
		vioif_txq_fini(&sc->sc_txq[i]);
		vioif_rxq_fini(&sc->sc_rxq[i]);
	}
	sc->sc_has_ctrl = false;
	sc->sc_npairs = 0;
}

/*
 * Configuration-change interrupt: re-read link status (and whatever
 * else changed).  A device whose configuration turned invalid is broken.
 */
int
vioif_config_update(struct vioif_softc *sc)
{
	struct vioif_config cfg;
	int error;

	if ((error = vioif_read_config(sc->sc_vio, &cfg)) != 0) {
		vio_mark_broken(sc->sc_vio, "vioif: bad configuration");
		return (error);
	}
	sc->sc_cfg = cfg;
	return (0);
}
