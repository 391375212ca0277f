/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-net features, header length and configuration decoding,
 * without a device.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vio_os.h"
#include "vio_le.h"
#include "vioif.h"
#include "sim_net.h"
#include "sim_stream.h"

#define CFG_FEATURES	(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | \
	VIRTIO_NET_F_MQ | VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_MTU | \
	VIRTIO_NET_F_SPEED_DUPLEX)

static struct sim_net net;

static int
setup(void **state)
{
	(void)state;
	sim_net_init(&net, CFG_FEATURES, 4);
	return (0);
}

static int
parse(uint64_t features, struct vioif_config *cfg)
{
	return (vioif_config_parse(net.config, sizeof(net.config), features,
	    cfg));
}

static void
test_hdr_len(void **state)
{
	(void)state;
	assert_int_equal(vioif_hdr_len(0), 10);
	assert_int_equal(vioif_hdr_len(VIRTIO_NET_F_CSUM), 10);
	assert_int_equal(vioif_hdr_len(VIRTIO_NET_F_MRG_RXBUF), 12);
	assert_int_equal(vioif_hdr_len(VIRTIO_F_VERSION_1), 12);
	assert_int_equal(vioif_hdr_len(VIRTIO_F_VERSION_1 |
	    VIRTIO_NET_F_MRG_RXBUF), 12);
}

static void
test_features_tunables(void **state)
{
	struct vioif_tunables tun;
	uint64_t f;

	(void)state;
	memset(&tun, 0, sizeof(tun));
	f = vioif_features(&tun);
	assert_true(f & VIRTIO_NET_F_CSUM);
	assert_true(f & VIRTIO_NET_F_HOST_TSO4);
	assert_true(f & VIRTIO_NET_F_GUEST_TSO6);
	assert_true(f & VIRTIO_NET_F_MQ);
	assert_true(f & VIRTIO_NET_F_MRG_RXBUF);
	assert_true(f & VIRTIO_NET_F_CTRL_VQ);

	tun.tso_disable = true;
	f = vioif_features(&tun);
	assert_false(f & (VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_HOST_TSO6));
	assert_true(f & VIRTIO_NET_F_GUEST_TSO4);

	tun.lro_disable = true;
	f = vioif_features(&tun);
	assert_false(f & (VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_GUEST_TSO6));
	assert_true(f & VIRTIO_NET_F_GUEST_CSUM);
	/* Receive checksums can still be turned off at run time. */
	assert_true(f & VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);

	tun.csum_disable = true;
	tun.tso_disable = tun.lro_disable = false;
	f = vioif_features(&tun);
	/* No checksum offload means no segmentation offload either. */
	assert_false(f & (VIRTIO_NET_F_CSUM | VIRTIO_NET_F_GUEST_CSUM |
	    VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_GUEST_TSO4));

	tun.mq_disable = true;
	assert_false(vioif_features(&tun) & VIRTIO_NET_F_MQ);
	tun.mq_disable = false;
	tun.mq_max_pairs = 1;
	assert_false(vioif_features(&tun) & VIRTIO_NET_F_MQ);
}

static void
test_features_fixup(void **state)
{
	uint64_t f;

	(void)state;
	/* The device accepted the dependants but not what they need. */
	f = vioif_features_fixup(VIRTIO_NET_F_HOST_ECN |
	    VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_GUEST_TSO4 |
	    VIRTIO_NET_F_CTRL_RX | VIRTIO_NET_F_MQ | VIRTIO_NET_F_MAC);
	assert_int_equal(f, VIRTIO_NET_F_MAC);
	f = vioif_features_fixup(VIRTIO_NET_F_HOST_ECN |
	    VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_CSUM | VIRTIO_NET_F_CTRL_VQ |
	    VIRTIO_NET_F_CTRL_VLAN);
	assert_int_equal(f, VIRTIO_NET_F_HOST_ECN | VIRTIO_NET_F_HOST_TSO4 |
	    VIRTIO_NET_F_CSUM | VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_VLAN);
}

static void
test_config_fields(void **state)
{
	struct vioif_config cfg;

	(void)state;
	assert_int_equal(parse(CFG_FEATURES, &cfg), 0);
	assert_true(cfg.has_mac);
	assert_int_equal(cfg.mac[0], 0x52);
	assert_int_equal(cfg.mac[5], 0x56);
	assert_true(cfg.link_up);
	assert_int_equal(cfg.max_pairs, 4);
	assert_int_equal(cfg.mtu, 1500);
	assert_int_equal(cfg.speed, 10000);
	assert_int_equal(cfg.duplex, VIRTIO_NET_DUPLEX_FULL);

	/* Without the features: defaults, whatever the bytes say. */
	assert_int_equal(parse(0, &cfg), 0);
	assert_false(cfg.has_mac);
	assert_true(cfg.link_up);
	assert_int_equal(cfg.max_pairs, 1);
	assert_int_equal(cfg.mtu, VIOIF_MTU_DEFAULT);
	assert_int_equal(cfg.speed, VIRTIO_NET_SPEED_UNKNOWN);

	sim_put_le(net.config + VIRTIO_NET_CONFIG_STATUS, 0, 2);
	net.config[VIRTIO_NET_CONFIG_DUPLEX] = 7;
	assert_int_equal(parse(CFG_FEATURES, &cfg), 0);
	assert_false(cfg.link_up);
	assert_int_equal(cfg.duplex, VIRTIO_NET_DUPLEX_UNKNOWN);
	assert_int_equal(vioif_config_parse(net.config, 8, CFG_FEATURES,
	    &cfg), EINVAL);
}

static void
test_config_bad_mac(void **state)
{
	struct vioif_config cfg;

	(void)state;
	net.config[0] = 0x01;	/* multicast */
	assert_int_equal(parse(CFG_FEATURES, &cfg), EINVAL);
	memset(net.config, 0, 6);
	assert_int_equal(parse(CFG_FEATURES, &cfg), EINVAL);
	assert_int_equal(parse(CFG_FEATURES & ~VIRTIO_NET_F_MAC, &cfg), 0);
}

static void
test_config_mtu_range(void **state)
{
	struct vioif_config cfg;

	(void)state;
	sim_put_le(net.config + VIRTIO_NET_CONFIG_MTU, 67, 2);
	assert_int_equal(parse(CFG_FEATURES, &cfg), EINVAL);
	sim_put_le(net.config + VIRTIO_NET_CONFIG_MTU, 0, 2);
	assert_int_equal(parse(CFG_FEATURES, &cfg), EINVAL);
	sim_put_le(net.config + VIRTIO_NET_CONFIG_MTU, 68, 2);
	assert_int_equal(parse(CFG_FEATURES, &cfg), 0);
	sim_put_le(net.config + VIRTIO_NET_CONFIG_MTU, 65535, 2);
	assert_int_equal(parse(CFG_FEATURES, &cfg), 0);
	assert_int_equal(cfg.mtu, 65535);
}

static void
test_config_queue_pairs(void **state)
{
	struct vioif_config cfg;
	struct vioif_tunables tun;

	(void)state;
	sim_put_le(net.config + VIRTIO_NET_CONFIG_MAX_VQ_PAIRS, 0, 2);
	assert_int_equal(parse(CFG_FEATURES, &cfg), EINVAL);
	sim_put_le(net.config + VIRTIO_NET_CONFIG_MAX_VQ_PAIRS, 0x8001, 2);
	assert_int_equal(parse(CFG_FEATURES, &cfg), EINVAL);
	sim_put_le(net.config + VIRTIO_NET_CONFIG_MAX_VQ_PAIRS, 0xffff, 2);
	assert_int_equal(parse(CFG_FEATURES, &cfg), EINVAL);
	sim_put_le(net.config + VIRTIO_NET_CONFIG_MAX_VQ_PAIRS, 0x8000, 2);
	assert_int_equal(parse(CFG_FEATURES, &cfg), 0);

	/* The driver uses at most VIOIF_MAX_PAIRS and what it is told. */
	memset(&tun, 0, sizeof(tun));
	assert_int_equal(vioif_pairs_wanted(&cfg, &tun), VIOIF_MAX_PAIRS);
	tun.mq_max_pairs = 3;
	assert_int_equal(vioif_pairs_wanted(&cfg, &tun), 3);
	tun.mq_disable = true;
	assert_int_equal(vioif_pairs_wanted(&cfg, &tun), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_len),
		cmocka_unit_test(test_features_tunables),
		cmocka_unit_test(test_features_fixup),
		cmocka_unit_test_setup(test_config_fields, setup),
		cmocka_unit_test_setup(test_config_bad_mac, setup),
		cmocka_unit_test_setup(test_config_mtu_range, setup),
		cmocka_unit_test_setup(test_config_queue_pairs, setup),
	};

	return (cmocka_run_group_tests_name("net_config", tests, NULL, NULL));
}
