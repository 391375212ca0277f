/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Device configuration space: field reads and writes, bounds and
 * alignment, consistent snapshots under the generation counter (modern)
 * or repeated passes (legacy), and devices that never settle.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vtest.h"
#include "vio_le.h"
#include "sim_loop.h"

static void
start(struct vtest *t, struct sim_loop *loop, enum sim_transport tr)
{

	sim_loop_init(loop, 0);
	vtest_start(t, &loop->model, tr, 0);
}

static void
test_field_reads_each_transport(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint8_t v1, buf[7];
	uint16_t v2;
	uint32_t v4;
	uint64_t v8;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		start(&t, &loop, vtest_transports[i]);
		assert_int_equal(vio_config_read_1(t.sc, 3, &v1), 0);
		assert_int_equal(v1, 3);
		assert_int_equal(vio_config_read_2(t.sc, 6, &v2), 0);
		assert_int_equal(v2, 0x0706);
		assert_int_equal(vio_config_read_4(t.sc, 4, &v4), 0);
		assert_int_equal(v4, 0x07060504);
		assert_int_equal(vio_config_read_8(t.sc, 8, &v8), 0);
		assert_int_equal(v8, 0x0f0e0d0c0b0a0908ULL);
		/* An unaligned snapshot is read in aligned pieces. */
		assert_int_equal(vio_config_read(t.sc, 1, buf, sizeof(buf)), 0);
		assert_memory_equal(buf, loop.config + 1, sizeof(buf));
		vtest_finish(&t);
	}
}

static void
test_misaligned_reads_refused(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint16_t v2;
	uint32_t v4;
	uint64_t v8;

	(void)state;
	start(&t, &loop, SIM_MODERN);
	assert_int_equal(vio_config_read_2(t.sc, 1, &v2), EINVAL);
	assert_int_equal(vio_config_read_4(t.sc, 2, &v4), EINVAL);
	assert_int_equal(vio_config_read_8(t.sc, 2, &v8), EINVAL);
	assert_int_equal(vio_config_write_2(t.sc, 3, 0), EINVAL);
	assert_int_equal(vio_config_write_4(t.sc, 6, 0), EINVAL);
	assert_false(t.sc->sc_broken);
	vtest_finish(&t);
}

static void
test_reads_outside_config_refused(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint8_t v1, buf[40];
	uint32_t v4;
	uint64_t v8;

	(void)state;
	start(&t, &loop, SIM_MODERN);
	assert_int_equal(t.sc->sc_config_len, SIM_LOOP_CONFIG_LEN);
	assert_int_equal(vio_config_read_4(t.sc, 28, &v4), 0);
	assert_int_equal(vio_config_read_4(t.sc, 32, &v4), EINVAL);
	assert_int_equal(vio_config_read_8(t.sc, 28, &v8), EINVAL);
	assert_int_equal(vio_config_read_1(t.sc, 0xffffffffU, &v1), EINVAL);
	assert_int_equal(vio_config_read(t.sc, 0, buf, 33), EINVAL);
	assert_int_equal(vio_config_read(t.sc, 0xfffffff0U, buf, 32), EINVAL);
	assert_int_equal(vio_config_write_1(t.sc, 32, 0), EINVAL);
	vtest_finish(&t);
	/* Legacy: the configuration runs to the end of BAR 0. */
	start(&t, &loop, SIM_LEGACY);
	assert_int_equal(t.sc->sc_config_len, SIM_LEGACY_BAR_SIZE - 20);
	assert_int_equal(vio_config_read_4(t.sc, SIM_LEGACY_BAR_SIZE - 24,
	    &v4), 0);
	assert_int_equal(vio_config_read_4(t.sc, SIM_LEGACY_BAR_SIZE - 20,
	    &v4), EINVAL);
	vtest_finish(&t);
}

static void
test_device_without_config(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint8_t v1;

	(void)state;
	sim_loop_init(&loop, 0);
	loop.model.config_len = 0;
	vtest_start(&t, &loop.model, SIM_MODERN, 0);
	assert_int_equal(t.sc->sc_config_len, 0);
	assert_int_equal(vio_config_read_1(t.sc, 0, &v1), EINVAL);
	vtest_finish(&t);
}

static void
test_writes_reach_the_device(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		start(&t, &loop, vtest_transports[i]);
		assert_int_equal(vio_config_write_1(t.sc, 1, 0xa1), 0);
		assert_int_equal(vio_config_write_2(t.sc, 2, 0xb2c3), 0);
		assert_int_equal(vio_config_write_4(t.sc, 4, 0xd4e5f607), 0);
		assert_int_equal(t.sim->config[1], 0xa1);
		assert_int_equal(vio_le16dec(t.sim->config + 2), 0xb2c3);
		assert_int_equal(vio_le32dec(t.sim->config + 4), 0xd4e5f607);
		assert_int_equal(loop.config_writes, 3);
		assert_int_equal(loop.last_config_off, 4);
		vtest_finish(&t);
	}
}

static void
test_legacy_msix_moves_config(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint32_t v4;

	(void)state;
	start(&t, &loop, SIM_LEGACY);
	t.sim->msix_enabled = true;	/* what the binding did */
	vio_pci_set_msix(&t.psc, 2);
	assert_int_equal(t.psc.sc_devcfg.r_off, 24);
	assert_int_equal(t.sc->sc_config_len, SIM_LEGACY_BAR_SIZE - 24);
	assert_int_equal(vio_config_read_4(t.sc, 0, &v4), 0);
	assert_int_equal(v4, 0x03020100);
	t.sim->msix_enabled = false;
	vio_pci_set_msix(&t.psc, 0);
	assert_int_equal(vio_config_read_4(t.sc, 4, &v4), 0);
	assert_int_equal(v4, 0x07060504);
	vtest_finish(&t);
}

/* Change the configuration under the driver's feet, once. */
static int hook_reads;

static bool
change_once(struct sim_dev *dev, int bar, uint32_t off, int width,
    uint32_t *val, void *arg)
{
	static const uint8_t fresh[8] = { 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
	    0xf6, 0xf7 };
	uint32_t devcfg = dev->transport == SIM_LEGACY ? 20 : SIM_DEVCFG_OFF;

	(void)width;
	(void)val;
	(void)arg;
	if (bar >= 0 && off == devcfg + 12 && hook_reads++ == 0) {
		dev->read_hook = NULL;
		sim_config_update(dev, 8, fresh, sizeof(fresh));
		dev->read_hook = change_once;
	}
	return (false);
}

static void
test_snapshot_retried_after_change(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint64_t v8;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		start(&t, &loop, vtest_transports[i]);
		hook_reads = 0;
		t.sim->read_hook = change_once;
		/*
		 * The high half was read after the update, the low half
		 * before: only a retry gives the new value whole.
		 */
		assert_int_equal(vio_config_read_8(t.sc, 8, &v8), 0);
		assert_int_equal(v8, 0xf7f6f5f4f3f2f1f0ULL);
		assert_false(t.sc->sc_broken);
		vtest_finish(&t);
	}
}

static void
test_generation_counter_visible(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint8_t v = 1;
	uint32_t gen;

	(void)state;
	start(&t, &loop, SIM_MODERN);
	gen = vio_config_generation(t.sc);
	assert_int_equal(vio_config_generation(t.sc), gen);
	sim_config_update(t.sim, 0, &v, 1);
	assert_int_equal(vio_config_generation(t.sc), (gen + 1) & 0xff);
	vtest_finish(&t);
	start(&t, &loop, SIM_LEGACY);
	sim_config_update(t.sim, 0, &v, 1);
	assert_int_equal(vio_config_generation(t.sc), 0);
	vtest_finish(&t);
}

static void
test_generation_never_settles(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint64_t v8;

	(void)state;
	start(&t, &loop, SIM_MODERN);
	t.sim->generation_flaps = true;
	assert_int_equal(vio_config_read_8(t.sc, 0, &v8), EIO);
	assert_true(t.sc->sc_broken);
	assert_string_equal(t.sc->sc_broken_why, "configuration never stable");
	vtest_finish(&t);
}

static void
test_legacy_config_never_settles(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint8_t buf[3];

	(void)state;
	start(&t, &loop, SIM_LEGACY);
	t.sim->config_flaps = true;
	assert_int_equal(vio_config_read(t.sc, 5, buf, sizeof(buf)), EIO);
	assert_string_equal(t.sc->sc_broken_why, "configuration never stable");
	vtest_finish(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_reads_each_transport),
		cmocka_unit_test(test_misaligned_reads_refused),
		cmocka_unit_test(test_reads_outside_config_refused),
		cmocka_unit_test(test_device_without_config),
		cmocka_unit_test(test_writes_reach_the_device),
		cmocka_unit_test(test_legacy_msix_moves_config),
		cmocka_unit_test(test_snapshot_retried_after_change),
		cmocka_unit_test(test_generation_counter_visible),
		cmocka_unit_test(test_generation_never_settles),
		cmocka_unit_test(test_legacy_config_never_settles),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
