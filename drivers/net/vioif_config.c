/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-net features and configuration: which features to ask for given
 * the OS's tunables, the dependencies between them, the header length they
 * imply, and a checked decode of the configuration space.
 */

#include "vio_os.h"
#include "vio_le.h"
#include "vioif.h"

/* Feature -> what it requires (virtio 1.x "Feature bit requirements"). */
static const struct {
	uint64_t	feature;
	uint64_t	requires;
} vioif_feature_deps[] = {
	{ VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_CSUM },
	{ VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_CSUM },
	{ VIRTIO_NET_F_GUEST_ECN, VIRTIO_NET_F_GUEST_TSO4 },
	{ VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_CSUM },
	{ VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_CSUM },
	{ VIRTIO_NET_F_HOST_ECN, VIRTIO_NET_F_HOST_TSO4 },
	{ VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_CTRL_VQ },
	{ VIRTIO_NET_F_CTRL_VLAN, VIRTIO_NET_F_CTRL_VQ },
	{ VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, VIRTIO_NET_F_CTRL_VQ },
	{ VIRTIO_NET_F_GUEST_ANNOUNCE, VIRTIO_NET_F_CTRL_VQ },
	{ VIRTIO_NET_F_MQ, VIRTIO_NET_F_CTRL_VQ },
	{ VIRTIO_NET_F_CTRL_MAC_ADDR, VIRTIO_NET_F_CTRL_VQ },
};
#define VIOIF_NDEPS	\
	(sizeof(vioif_feature_deps) / sizeof(vioif_feature_deps[0]))

uint64_t
vioif_features(const struct vioif_tunables *tun)
{
	uint64_t f;

	f = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_MTU |
	    VIRTIO_NET_F_MRG_RXBUF | VIRTIO_NET_F_CTRL_VQ |
	    VIRTIO_NET_F_CTRL_RX | VIRTIO_NET_F_CTRL_RX_EXTRA |
	    VIRTIO_NET_F_CTRL_VLAN | VIRTIO_NET_F_CTRL_MAC_ADDR |
	    VIRTIO_NET_F_GUEST_ANNOUNCE | VIRTIO_NET_F_SPEED_DUPLEX;
	if (!tun->csum_disable) {
		/* GUEST_OFFLOADS: ifconfig -rxcsum must reach the device. */
		f |= VIRTIO_NET_F_CSUM | VIRTIO_NET_F_GUEST_CSUM |
		    VIRTIO_NET_F_CTRL_GUEST_OFFLOADS;
		if (!tun->tso_disable)
			f |= VIRTIO_NET_F_HOST_TSO4 |
			    VIRTIO_NET_F_HOST_TSO6 | VIRTIO_NET_F_HOST_ECN;
		if (!tun->lro_disable)
			f |= VIRTIO_NET_F_GUEST_TSO4 |
			    VIRTIO_NET_F_GUEST_TSO6 | VIRTIO_NET_F_GUEST_ECN;
	}
	if (!tun->mq_disable && tun->mq_max_pairs != 1)
		f |= VIRTIO_NET_F_MQ;
	return (vioif_features_fixup(f));
}

/*
 * Drop every feature whose prerequisite is missing, until stable: the
 * dependencies chain (HOST_ECN -> HOST_TSO4 -> CSUM).
 */
uint64_t
vioif_features_fixup(uint64_t f)
{
	uint64_t prev;
	size_t i;

	do {
		prev = f;
		for (i = 0; i < VIOIF_NDEPS; i++) {
			if ((f & vioif_feature_deps[i].requires) == 0)
				f &= ~vioif_feature_deps[i].feature;
		}
	} while (f != prev);
	return (f);
}

/*
 * The header precedes every packet: 10 bytes on legacy devices, 12 with
 * num_buffers, which VERSION_1 always has.
 */
uint32_t
vioif_hdr_len(uint64_t features)
{

	if (features & (VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MRG_RXBUF))
		return (VIRTIO_NET_HDR_MRG_SIZE);
	return (VIRTIO_NET_HDR_LEGACY_SIZE);
}

static bool
vioif_mac_valid(const uint8_t *mac)
{
	uint8_t any;
	int i;

	/* A station address is neither multicast nor all zeroes. */
	if (mac[0] & 0x01)
		return (false);
	for (any = 0, i = 0; i < VIRTIO_NET_ETHER_ADDR_LEN; i++)
		any |= mac[i];
	return (any != 0);
}

int
vioif_config_parse(const uint8_t *raw, size_t rawlen, uint64_t features,
    struct vioif_config *cfg)
{
	vio_memset(cfg, 0, sizeof(*cfg));
	if (rawlen < VIRTIO_NET_CONFIG_SIZE)
		return (EINVAL);

	if (features & VIRTIO_NET_F_MAC) {
		vio_memcpy(cfg->mac, raw + VIRTIO_NET_CONFIG_MAC,
		    VIRTIO_NET_ETHER_ADDR_LEN);
		if (!vioif_mac_valid(cfg->mac))
			return (EINVAL);
		cfg->has_mac = true;
	}

	/* Without STATUS the link is taken as always up. */
	cfg->link_up = true;
	if (features & VIRTIO_NET_F_STATUS) {
		cfg->status = vio_le16dec(raw + VIRTIO_NET_CONFIG_STATUS);
		cfg->link_up = (cfg->status & VIRTIO_NET_S_LINK_UP) != 0;
	}

	cfg->max_pairs = 1;
	if (features & VIRTIO_NET_F_MQ) {
		cfg->max_pairs =
		    vio_le16dec(raw + VIRTIO_NET_CONFIG_MAX_VQ_PAIRS);
		if (cfg->max_pairs < VIRTIO_NET_MQ_PAIRS_MIN ||
		    cfg->max_pairs > VIRTIO_NET_MQ_PAIRS_MAX)
			return (EINVAL);
	}

	cfg->mtu = VIOIF_MTU_DEFAULT;
	if (features & VIRTIO_NET_F_MTU) {
		cfg->mtu = vio_le16dec(raw + VIRTIO_NET_CONFIG_MTU);
		if (cfg->mtu < VIRTIO_NET_MTU_MIN)
			return (EINVAL);
	}

	cfg->speed = VIRTIO_NET_SPEED_UNKNOWN;
	cfg->duplex = VIRTIO_NET_DUPLEX_UNKNOWN;
	if (features & VIRTIO_NET_F_SPEED_DUPLEX) {
		cfg->speed = vio_le32dec(raw + VIRTIO_NET_CONFIG_SPEED);
		cfg->duplex = raw[VIRTIO_NET_CONFIG_DUPLEX];
		/* Informational only: an odd value just means unknown. */
		if (cfg->duplex != VIRTIO_NET_DUPLEX_HALF &&
		    cfg->duplex != VIRTIO_NET_DUPLEX_FULL)
			cfg->duplex = VIRTIO_NET_DUPLEX_UNKNOWN;
	}
	return (0);
}

/*
 * Queue pairs to use: what the device allows, bounded by the OS's wish
 * and by what this driver supports.
 */
uint16_t
vioif_pairs_wanted(const struct vioif_config *cfg,
    const struct vioif_tunables *tun)
{
	uint16_t n;

	n = cfg->max_pairs;
	if (tun->mq_disable)
		n = 1;
	if (tun->mq_max_pairs != 0 && tun->mq_max_pairs < n)
		n = tun->mq_max_pairs;
	if (n > VIOIF_MAX_PAIRS)
		n = VIOIF_MAX_PAIRS;
	return (n);
}
