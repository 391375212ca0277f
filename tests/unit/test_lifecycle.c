/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Device initialization (virtio 1.x spec 3.1.1): reset, status bits,
 * feature negotiation and its refusals, DRIVER_OK, needs-reset.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vtest.h"
#include "sim_loop.h"

#define DEV_BITS	(VIRTIO_FEATURE(0) | VIRTIO_FEATURE(5) | \
			 VIRTIO_FEATURE(23))
/* Device-specific bits of the upper range (spec 6: 50-127). */
#define HIGH_BITS	(VIRTIO_FEATURE(50) | VIRTIO_FEATURE(63))
#define OFFERED		(DEV_BITS | VIRTIO_RING_F_INDIRECT_DESC | \
			 VIRTIO_RING_F_EVENT_IDX | VIRTIO_F_RING_PACKED | \
			 VIRTIO_F_IN_ORDER | VIRTIO_F_ACCESS_PLATFORM | \
			 VIRTIO_F_NOTIFICATION_DATA)

static void
attach(struct vtest *t, struct sim_loop *loop, enum sim_transport tr,
    uint64_t offered)
{

	sim_loop_init(loop, offered);
	vtest_attach(t, &loop->model, tr, 0);
}

static void
test_init_sets_acknowledge_and_driver(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		attach(&t, &loop, vtest_transports[i], 0);
		t.sim->status = VIRTIO_STATUS_DRIVER_OK;	/* stale */
		assert_int_equal(vio_init(t.sc), 0);
		assert_int_equal(t.sim->resets, 1);
		assert_int_equal(t.sim->status,
		    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
		vtest_finish(&t);
	}
}

static void
test_modern_negotiation(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint64_t want = DEV_BITS | HIGH_BITS | VIRTIO_FEATURE(7) |
	    VIRTIO_F_RING_PACKED | VIRTIO_F_IN_ORDER;

	(void)state;
	attach(&t, &loop, SIM_MODERN, OFFERED | HIGH_BITS |
	    VIRTIO_FEATURE(51));
	assert_int_equal(vio_init(t.sc), 0);
	/* The binding's tunable turned indirect descriptors off. */
	t.sc->sc_features_off = VIRTIO_RING_F_INDIRECT_DESC;
	assert_int_equal(vio_negotiate_features(t.sc, want), 0);
	/*
	 * Device bits asked and offered (high ones too); EVENT_IDX,
	 * VERSION_1, ACCESS_PLATFORM and RING_PACKED added by the core;
	 * in-order and notification data never.
	 */
	assert_int_equal(t.sc->sc_features, DEV_BITS | HIGH_BITS |
	    VIRTIO_RING_F_EVENT_IDX | VIRTIO_F_VERSION_1 |
	    VIRTIO_F_ACCESS_PLATFORM | VIRTIO_F_RING_PACKED);
	assert_int_equal(t.sim->driver_features, t.sc->sc_features);
	assert_int_equal(t.sc->sc_device_features, OFFERED | HIGH_BITS |
	    VIRTIO_FEATURE(51) | VIRTIO_F_VERSION_1);
	assert_true(t.sim->status & VIRTIO_STATUS_FEATURES_OK);
	assert_true(vio_has_feature(t.sc, VIRTIO_F_VERSION_1));
	assert_false(vio_has_feature(t.sc, VIRTIO_RING_F_INDIRECT_DESC));
	assert_int_equal(vio_driver_ok(t.sc), 0);
	assert_int_equal(t.sim->status, VIRTIO_STATUS_ACKNOWLEDGE |
	    VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	    VIRTIO_STATUS_DRIVER_OK);
	vtest_finish(&t);
}

static void
test_legacy_negotiation_has_no_features_ok(void **state)
{
	struct vtest t;
	struct sim_loop loop;

	(void)state;
	attach(&t, &loop, SIM_LEGACY, OFFERED);
	assert_int_equal(vio_init(t.sc), 0);
	assert_int_equal(vio_negotiate_features(t.sc, ~(uint64_t)0), 0);
	/* 32 feature bits, no VERSION_1, ACCESS_PLATFORM or RING_PACKED. */
	assert_int_equal(t.sc->sc_features, DEV_BITS |
	    VIRTIO_RING_F_INDIRECT_DESC | VIRTIO_RING_F_EVENT_IDX);
	assert_false(t.sim->status & VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(vio_driver_ok(t.sc), 0);
	assert_true(t.sim->status & VIRTIO_STATUS_DRIVER_OK);
	vtest_finish(&t);
}

static void
test_device_refuses_features(void **state)
{
	struct vtest t;
	struct sim_loop loop;

	(void)state;
	attach(&t, &loop, SIM_TRANSITIONAL, OFFERED);
	t.sim->refuse_features_ok = true;
	assert_int_equal(vio_init(t.sc), 0);
	assert_int_equal(vio_negotiate_features(t.sc, DEV_BITS), EOPNOTSUPP);
	assert_int_equal(t.sc->sc_features, 0);
	assert_true(t.sim->status & VIRTIO_STATUS_FAILED);
	assert_false(t.sim->status & VIRTIO_STATUS_FEATURES_OK);
	vtest_finish(&t);
}

/*
 * The simulated device is strict: a feature it did not offer is a driver
 * error (and FEATURES_OK is refused), on either interface.
 */
static void
test_sim_rejects_features_not_offered(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		attach(&t, &loop, i == 0 ? SIM_LEGACY : SIM_MODERN, DEV_BITS);
		assert_int_equal(vio_init(t.sc), 0);
		t.sc->sc_ops->write_driver_features(t.sc,
		    DEV_BITS | VIRTIO_FEATURE(3));
		/* Modern: checked when the driver sets FEATURES_OK. */
		if (i == 1) {
			t.sc->sc_ops->set_status(t.sc,
			    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			    VIRTIO_STATUS_FEATURES_OK);
			assert_false(t.sim->status &
			    VIRTIO_STATUS_FEATURES_OK);
		}
		assert_int_equal(t.sim->driver_errors, 1);
		t.sim->driver_errors = 0;
		vtest_finish(&t);
	}
}

/* A device broken before DRIVER_OK: the driver says FAILED instead. */
static void
test_attach_finish_fails_a_broken_device(void **state)
{
	struct vtest t;
	struct sim_loop loop;

	(void)state;
	attach(&t, &loop, SIM_MODERN, OFFERED);
	assert_int_equal(vio_attach_start(t.sc, DEV_BITS), 0);
	vio_mark_broken(t.sc, "test");
	assert_int_equal(vio_attach_finish(t.sc), EIO);
	assert_true(t.sim->status & VIRTIO_STATUS_FAILED);
	assert_false(t.sim->status & VIRTIO_STATUS_DRIVER_OK);
	vtest_finish(&t);
}

static void
test_modern_device_without_version_1(void **state)
{
	struct vtest t;
	struct sim_loop loop;

	(void)state;
	attach(&t, &loop, SIM_MODERN, OFFERED);
	t.sim->features &= ~VIRTIO_F_VERSION_1;
	assert_int_equal(vio_init(t.sc), 0);
	assert_int_equal(vio_negotiate_features(t.sc, DEV_BITS), ENXIO);
	assert_true(t.sim->status & VIRTIO_STATUS_FAILED);
	assert_false(t.sim->status & VIRTIO_STATUS_FEATURES_OK);
	vtest_finish(&t);
}

static void
test_reset_that_never_completes(void **state)
{
	struct vtest t;
	struct sim_loop loop;

	(void)state;
	attach(&t, &loop, SIM_MODERN, 0);
	t.sim->stuck_status = true;
	assert_int_equal(vio_init(t.sc), ETIMEDOUT);
	assert_true(t.sc->sc_broken);
	assert_string_equal(t.sc->sc_broken_why, "reset did not complete");
	assert_true(t.sim->delays > 0);
	assert_int_equal(vio_negotiate_features(t.sc, 0), EIO);
	assert_int_equal(vio_driver_ok(t.sc), EIO);
	/* A reset that works clears the broken state. */
	t.sim->stuck_status = false;
	assert_int_equal(vio_init(t.sc), 0);
	assert_false(t.sc->sc_broken);
	assert_null(t.sc->sc_broken_why);
	vtest_finish(&t);
}

static void
test_init_refused_while_queues_exist(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	struct vio_vq vq;

	(void)state;
	attach(&t, &loop, SIM_LEGACY, 0);
	assert_int_equal(vio_init(t.sc), 0);
	assert_int_equal(vio_negotiate_features(t.sc, 0), 0);
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 1, "q"), 0);
	assert_int_equal(vio_init(t.sc), EBUSY);
	vtest_finish(&t);
}

static int config_calls;

static void
config_change(struct vio_softc *sc, void *arg)
{

	(void)sc;
	assert_ptr_equal(arg, &config_calls);
	config_calls++;
}

static void
test_needs_reset_marks_broken(void **state)
{
	struct vtest t;
	struct sim_loop loop;

	(void)state;
	attach(&t, &loop, SIM_MODERN, 0);
	assert_int_equal(vio_init(t.sc), 0);
	assert_int_equal(vio_negotiate_features(t.sc, 0), 0);
	assert_int_equal(vio_driver_ok(t.sc), 0);
	t.sc->sc_config_change = config_change;
	t.sc->sc_child = &config_calls;
	config_calls = 0;
	assert_false(vio_needs_reset(t.sc));
	t.sim->needs_reset = true;
	t.sim->isr |= VIRTIO_ISR_CONFIG;
	assert_int_equal(vio_intr(t.sc), VIRTIO_ISR_CONFIG);
	assert_true(vio_needs_reset(t.sc));
	assert_true(t.sc->sc_broken);
	assert_string_equal(t.sc->sc_broken_why, "device needs reset");
	assert_int_equal(config_calls, 1);
	assert_int_equal(t.sc->sc_config_intrs, 1);
	/* Recovery: a full re-initialization. */
	t.sim->needs_reset = false;
	assert_int_equal(vio_init(t.sc), 0);
	assert_false(t.sc->sc_broken);
	vtest_finish(&t);
}

static void
test_config_change_interrupt(void **state)
{
	struct vtest t;
	struct sim_loop loop;
	uint8_t v = 0x5a;

	(void)state;
	attach(&t, &loop, SIM_LEGACY, 0);
	assert_int_equal(vio_init(t.sc), 0);
	t.sc->sc_config_change = config_change;
	t.sc->sc_child = &config_calls;
	config_calls = 0;
	sim_config_update(t.sim, 3, &v, 1);
	assert_int_equal(vio_intr(t.sc), VIRTIO_ISR_CONFIG);
	assert_int_equal(config_calls, 1);
	assert_false(t.sc->sc_broken);
	/* MSI-X configuration vector: no ISR involved. */
	vio_config_intr(t.sc);
	assert_int_equal(config_calls, 2);
	t.sc->sc_config_change = NULL;
	vio_config_intr(t.sc);
	assert_int_equal(t.sc->sc_config_intrs, 3);
	vtest_finish(&t);
}

static void
test_mark_broken_keeps_first_reason(void **state)
{
	struct vtest t;
	struct sim_loop loop;

	(void)state;
	attach(&t, &loop, SIM_MODERN, 0);
	vio_mark_broken(t.sc, "first");
	vio_mark_broken(t.sc, "second");
	assert_string_equal(t.sc->sc_broken_why, "first");
	assert_string_equal(t.sim->last_log, "vio: device broken: first\n");
	vtest_finish(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sets_acknowledge_and_driver),
		cmocka_unit_test(test_modern_negotiation),
		cmocka_unit_test(test_legacy_negotiation_has_no_features_ok),
		cmocka_unit_test(test_device_refuses_features),
		cmocka_unit_test(test_sim_rejects_features_not_offered),
		cmocka_unit_test(test_attach_finish_fails_a_broken_device),
		cmocka_unit_test(test_modern_device_without_version_1),
		cmocka_unit_test(test_reset_that_never_completes),
		cmocka_unit_test(test_init_refused_while_queues_exist),
		cmocka_unit_test(test_needs_reset_marks_broken),
		cmocka_unit_test(test_config_change_interrupt),
		cmocka_unit_test(test_mark_broken_keeps_first_reason),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
