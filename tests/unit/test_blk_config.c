/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-blk configuration decoding and request limits, without a
 * device: every value a device can put in its configuration space.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vio_os.h"
#include "vio_le.h"
#include "vioblk.h"
#include "sim_blk.h"

#define ALL_FEATURES	(VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | \
	VIRTIO_BLK_F_GEOMETRY | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH | \
	VIRTIO_BLK_F_TOPOLOGY | VIRTIO_BLK_F_CONFIG_WCE | VIRTIO_BLK_F_MQ | \
	VIRTIO_BLK_F_DISCARD | VIRTIO_BLK_F_WRITE_ZEROES)

static struct sim_blk blk;

static int
setup(void **state)
{
	(void)state;
	sim_blk_init(&blk, ALL_FEATURES, 0);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	sim_blk_fini(&blk);
	return (0);
}

static int
parse(uint64_t features, struct vioblk_config *cfg)
{
	return (vioblk_config_parse(blk.config, sizeof(blk.config), features,
	    cfg));
}

static void
test_parse_all_fields(void **state)
{
	struct vioblk_config cfg;

	(void)state;
	assert_int_equal(parse(ALL_FEATURES, &cfg), 0);
	assert_int_equal(cfg.capacity, 16384);
	assert_int_equal(cfg.blk_size, 512);
	assert_int_equal(cfg.size_max, 65536);
	assert_int_equal(cfg.seg_max, 126);
	assert_true(cfg.has_geometry);
	assert_int_equal(cfg.cylinders, 16);
	assert_int_equal(cfg.heads, 16);
	assert_int_equal(cfg.sectors, 63);
	assert_true(cfg.has_topology);
	assert_int_equal(cfg.phys_block_exp, 3);
	assert_int_equal(cfg.opt_io_size, 128);
	assert_int_equal(cfg.writeback, 1);
	assert_true(cfg.has_flush);
	assert_true(cfg.has_discard);
	assert_int_equal(cfg.max_discard_sectors, 4096);
	assert_int_equal(cfg.discard_alignment, 8);
	assert_true(cfg.has_write_zeroes);
	assert_true(cfg.wz_may_unmap);
	assert_false(cfg.readonly);
}

static void
test_parse_without_features(void **state)
{
	struct vioblk_config cfg;

	(void)state;
	/* Fields of features not negotiated are not read, even if absurd. */
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_BLK_SIZE, 1000, 4);
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_SEG_MAX, 0, 4);
	assert_int_equal(parse(VIRTIO_BLK_F_RO, &cfg), 0);
	assert_int_equal(cfg.blk_size, 512);
	assert_int_equal(cfg.seg_max, 0);
	assert_int_equal(cfg.size_max, 0);
	assert_true(cfg.readonly);
	assert_false(cfg.has_flush);
	assert_false(cfg.has_discard);
	assert_int_equal(cfg.num_queues, 1);
}

static void
test_parse_blk_size(void **state)
{
	static const struct {
		uint32_t	size;
		int		error;
	} cases[] = {
		{ 0, EINVAL }, { 256, EINVAL }, { 511, EINVAL },
		{ 1000, EINVAL }, { 4097, EINVAL }, { 131072, EINVAL },
		{ 512, 0 }, { 4096, 0 }, { 65536, 0 },
	};
	struct vioblk_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_BLK_SIZE,
		    cases[i].size, 4);
		/* Keep the physical block small enough for 64 KiB blocks. */
		blk.config[VIRTIO_BLK_CONFIG_PHYS_BLOCK_EXP] = 0;
		assert_int_equal(parse(ALL_FEATURES, &cfg), cases[i].error);
		if (cases[i].error == 0)
			assert_int_equal(cfg.blk_size, cases[i].size);
	}
}

static void
test_parse_absurd_values(void **state)
{
	struct vioblk_config cfg;

	(void)state;
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_CAPACITY, ~0ULL, 8);
	assert_int_equal(parse(ALL_FEATURES, &cfg), EINVAL);
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_CAPACITY, 100, 8);

	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_SEG_MAX, 0, 4);
	assert_int_equal(parse(ALL_FEATURES, &cfg), EINVAL);
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_SEG_MAX, 1, 4);

	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_SIZE_MAX, 0, 4);
	assert_int_equal(parse(ALL_FEATURES, &cfg), EINVAL);
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_SIZE_MAX, 4096, 4);

	blk.config[VIRTIO_BLK_CONFIG_WRITEBACK] = 2;
	assert_int_equal(parse(ALL_FEATURES, &cfg), EINVAL);
	blk.config[VIRTIO_BLK_CONFIG_WRITEBACK] = 0;

	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_NUM_QUEUES, 0, 2);
	assert_int_equal(parse(ALL_FEATURES, &cfg), EINVAL);
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_NUM_QUEUES, 4, 2);

	blk.config[VIRTIO_BLK_CONFIG_PHYS_BLOCK_EXP] = 16;
	assert_int_equal(parse(ALL_FEATURES, &cfg), EINVAL);
	blk.config[VIRTIO_BLK_CONFIG_PHYS_BLOCK_EXP] = 2;
	blk.config[VIRTIO_BLK_CONFIG_ALIGNMENT_OFFSET] = 4;
	assert_int_equal(parse(ALL_FEATURES, &cfg), EINVAL);
	blk.config[VIRTIO_BLK_CONFIG_ALIGNMENT_OFFSET] = 3;

	assert_int_equal(parse(ALL_FEATURES, &cfg), 0);
	assert_int_equal(cfg.num_queues, 4);
	assert_int_equal(cfg.alignment_offset, 3);
	assert_int_equal(vioblk_config_parse(blk.config, 8, ALL_FEATURES,
	    &cfg), EINVAL);
}

static void
test_parse_zero_discard_limits(void **state)
{
	struct vioblk_config cfg;

	(void)state;
	/* No sectors at all: the feature is dropped, the disk still works. */
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_MAX_DISCARD_SECTORS, 0, 4);
	sim_blk_set_config(&blk, VIRTIO_BLK_CONFIG_MAX_WZ_SECTORS, 0, 4);
	assert_int_equal(parse(ALL_FEATURES, &cfg), 0);
	assert_false(cfg.has_discard);
	assert_false(cfg.has_write_zeroes);
}

static void
test_limits(void **state)
{
	struct vioblk_config cfg;
	struct vioblk_limits lim;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.blk_size = 512;

	/* No limits offered: the queue and our own caps decide. */
	assert_int_equal(vioblk_limits_init(&cfg, 260, &lim), 0);
	assert_int_equal(lim.max_segs, VIOBLK_MAX_SEGS);
	assert_int_equal(lim.max_xfer, VIOBLK_MAX_XFER);

	/* Without indirect descriptors a 16-entry queue carries 14. */
	assert_int_equal(vioblk_limits_init(&cfg, 16, &lim), 0);
	assert_int_equal(lim.max_segs, 14);
	assert_int_equal(lim.max_xfer, 14 * 4096);

	/* One segment of 512 bytes: still a usable disk. */
	cfg.seg_max = 1;
	cfg.size_max = 512;
	assert_int_equal(vioblk_limits_init(&cfg, 260, &lim), 0);
	assert_int_equal(lim.max_segs, 1);
	assert_int_equal(lim.max_seg_size, 512);
	assert_int_equal(lim.max_xfer, 512);

	/* 8 segments of 1 KiB: 8 KiB, in pages split in four. */
	cfg.seg_max = 8;
	cfg.size_max = 1024;
	assert_int_equal(vioblk_limits_init(&cfg, 260, &lim), 0);
	assert_int_equal(lim.max_xfer, 8192);

	/* Too small to carry one block, or a queue too short. */
	cfg.seg_max = 1;
	cfg.size_max = 256;
	assert_int_equal(vioblk_limits_init(&cfg, 260, &lim), EINVAL);
	cfg.size_max = 0;
	assert_int_equal(vioblk_limits_init(&cfg, 2, &lim), EINVAL);
	cfg.blk_size = 4096;
	cfg.seg_max = 1;
	cfg.size_max = 2048;
	assert_int_equal(vioblk_limits_init(&cfg, 260, &lim), EINVAL);
}

static void
test_status_to_errno(void **state)
{
	int s;

	(void)state;
	assert_int_equal(vioblk_status_to_errno(VIRTIO_BLK_S_OK), 0);
	assert_int_equal(vioblk_status_to_errno(VIRTIO_BLK_S_IOERR), EIO);
	assert_int_equal(vioblk_status_to_errno(VIRTIO_BLK_S_UNSUPP),
	    EOPNOTSUPP);
	for (s = 3; s < 256; s++)
		assert_int_equal(vioblk_status_to_errno((uint8_t)s), EIO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_all_fields,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_without_features,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_blk_size,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_absurd_values,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_zero_discard_limits,
		    setup, teardown),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_status_to_errno),
	};

	return (cmocka_run_group_tests_name("blk_config", tests, NULL, NULL));
}
