/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-mmio transport, versions 1 and 2: identification of the window,
 * negotiation, queue set-up and a request through each, the interrupt
 * acknowledged, and devices that lie (bad magic, unknown version, empty
 * window, no queue, absurd queue size, a queue already live), each
 * answered with an error and no wait.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vtest.h"
#include "virtio_mmio_reg.h"
#include "sim_loop.h"

static const enum sim_transport mmio_transports[2] = {
	SIM_MMIO_LEGACY, SIM_MMIO_MODERN,
};

/* One register answering a lie. */
struct lie {
	uint32_t	off;
	uint32_t	val;
};

static bool
lie_hook(struct sim_dev *dev, int bar, uint32_t off, int width,
    uint32_t *val, void *arg)
{
	const struct lie *l = arg;

	(void)dev;
	(void)width;
	if (bar != VIO_MMIO_BAR || off != l->off)
		return (false);
	*val = l->val;
	return (true);
}

static struct sim_loop loop;

/* A device whose register off reads val; the attach's errno. */
static int
attach_lying(struct sim_dev **devp, struct vio_mmio_softc *msc,
    enum sim_transport tr, struct lie *l)
{
	struct sim_dev *dev;

	sim_loop_init(&loop, 0);
	dev = sim_create(&loop.model, tr);
	dev->read_hook = lie_hook;
	dev->hook_arg = l;
	*devp = dev;
	return (vio_mmio_attach(msc, dev));
}

static void
test_identifies_each_version(void **state)
{
	struct vtest t;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sim_loop_init(&loop, 0);
		vtest_attach(&t, &loop.model, mmio_transports[i], 0);
		assert_int_equal(t.msc.sc_version, i + 1);
		assert_int_equal(t.sc->sc_modern, i == 1);
		assert_string_equal(t.sc->sc_ops->name,
		    i == 1 ? "mmio-modern" : "mmio-legacy");
		assert_int_equal(t.sc->sc_device_type, SIM_LOOP_TYPE);
		assert_int_equal(t.msc.sc_vendor, SIM_MMIO_VENDOR);
		assert_int_equal(t.sc->sc_config_len,
		    SIM_MMIO_SIZE - VIRTIO_MMIO_CONFIG);
		/* Identification changes nothing in the device. */
		assert_int_equal(t.sim->resets, 0);
		vtest_finish(&t);
	}
}

static void
test_negotiation_per_version(void **state)
{
	uint64_t offered = VIRTIO_FEATURE(3) | VIRTIO_FEATURE(52) |
	    VIRTIO_RING_F_EVENT_IDX;
	struct vtest t;

	(void)state;
	sim_loop_init(&loop, offered);
	vtest_start(&t, &loop.model, SIM_MMIO_MODERN, offered);
	assert_int_equal(t.sc->sc_features, offered | VIRTIO_F_VERSION_1);
	assert_int_equal(t.sim->driver_features, t.sc->sc_features);
	assert_true(t.sim->status & VIRTIO_STATUS_FEATURES_OK);
	vtest_finish(&t);

	/* Version 1: 32 feature bits and no FEATURES_OK. */
	sim_loop_init(&loop, offered);
	vtest_start(&t, &loop.model, SIM_MMIO_LEGACY, offered);
	assert_int_equal(t.sc->sc_features,
	    VIRTIO_FEATURE(3) | VIRTIO_RING_F_EVENT_IDX);
	assert_false(t.sim->status & VIRTIO_STATUS_FEATURES_OK);
	vtest_finish(&t);
}

static void
test_config_reads_the_window(void **state)
{
	struct vtest t;
	uint32_t v;
	uint8_t b;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sim_loop_init(&loop, 0);
		vtest_start(&t, &loop.model, mmio_transports[i], 0);
		assert_int_equal(vio_config_read_1(t.sc, 5, &b), 0);
		assert_int_equal(b, 5);
		assert_int_equal(vio_config_read_4(t.sc, 4, &v), 0);
		assert_int_equal(v, 0x07060504);
		assert_int_equal(vio_config_write_1(t.sc, 9, 0xaa), 0);
		assert_int_equal(loop.last_config_off, 9);
		assert_int_equal(t.sim->config[9], 0xaa);
		vtest_finish(&t);
	}
}

static void
test_generation_that_never_settles(void **state)
{
	struct vtest t;
	uint8_t buf[8];

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_start(&t, &loop.model, SIM_MMIO_MODERN, 0);
	t.sim->generation_flaps = true;
	assert_int_equal(vio_config_read(t.sc, 0, buf, sizeof(buf)), EIO);
	assert_true(vio_is_broken(t.sc));
	vtest_finish(&t);
}

static void
test_request_and_interrupt(void **state)
{
	struct vtest t;
	struct vio_vq vq;
	struct vio_seg segs[2];
	struct vio_dma *in, *out;
	void *cookie;
	uint32_t len;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sim_loop_init(&loop, VIRTIO_RING_F_INDIRECT_DESC);
		vtest_start(&t, &loop.model, mmio_transports[i],
		    VIRTIO_RING_F_INDIRECT_DESC);
		assert_int_equal(vq_alloc(t.sc, &vq, 1, 0, 4, "loop1"), 0);
		assert_true(t.sim->queues[1].enabled);
		assert_int_equal(t.sim->queues[1].num, SIM_LOOP_QSIZE);
		assert_int_equal(vio_attach_finish(t.sc), 0);
		in = vtest_dma(&t, 64);
		out = vtest_dma(&t, 64);
		memset(in->vaddr, 0x5a, 64);
		segs[0] = (struct vio_seg){ in->busaddr, 64, false };
		segs[1] = (struct vio_seg){ out->busaddr, 64, true };
		assert_int_equal(vq_enqueue(&vq, segs, 2, &vq), 0);
		vq_kick(&vq);
		assert_int_equal(t.sim->queues[1].notifies, 1);
		/* The status stays up until the driver acknowledges it. */
		assert_int_equal(t.sim->isr, VIRTIO_ISR_QUEUE);
		assert_int_equal(vio_read_isr(t.sc), VIRTIO_ISR_QUEUE);
		assert_int_equal(t.sim->isr, 0);
		assert_int_equal(vq_dequeue(&vq, &cookie, &len), 0);
		assert_ptr_equal(cookie, &vq);
		assert_int_equal(len, 64);
		assert_memory_equal(out->vaddr, in->vaddr, 64);
		vtest_finish(&t);
	}
}

static void
config_changed(struct vio_softc *sc, void *arg)
{
	uint8_t b;

	/* The handler reads the new value: it must be consistent. */
	assert_int_equal(vio_config_read_1(sc, 3, &b), 0);
	*(uint8_t *)arg = b;
}

/* The shared line: vio_intr() acknowledges and runs the config hook. */
static void
test_config_change_on_the_line(void **state)
{
	struct vtest t;
	uint8_t seen, v = 0x5a;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sim_loop_init(&loop, 0);
		vtest_start(&t, &loop.model, mmio_transports[i], 0);
		t.sc->sc_config_change = config_changed;
		t.sc->sc_child = &seen;
		seen = 0;
		assert_int_equal(vio_intr(t.sc), 0);
		assert_int_equal(seen, 0);
		sim_config_update(t.sim, 3, &v, 1);
		assert_int_equal(vio_intr(t.sc), VIRTIO_ISR_CONFIG);
		assert_int_equal(seen, v);
		assert_int_equal(t.sim->isr, 0);
		assert_int_equal(t.sc->sc_config_intrs, 1);
		vtest_finish(&t);
	}
}

static void
test_no_vectors(void **state)
{
	struct vtest t;

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_start(&t, &loop.model, SIM_MMIO_MODERN, 0);
	assert_int_equal(vio_queue_vector(t.sc, 0), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(vio_set_config_vector(t.sc, 0), EINVAL);
	vtest_finish(&t);
}

static void
test_bad_magic(void **state)
{
	struct vio_mmio_softc msc;
	struct sim_dev *dev;
	struct lie l = { VIRTIO_MMIO_MAGIC_VALUE, 0x12345678 };

	(void)state;
	assert_int_equal(attach_lying(&dev, &msc, SIM_MMIO_MODERN, &l), ENXIO);
	assert_non_null(strstr(dev->last_log, "bad magic 12345678"));
	assert_null(msc.sc_vio.sc_ops);
	assert_int_equal(dev->driver_errors, 0);
	sim_destroy(dev);
}

static void
test_unknown_versions(void **state)
{
	static const uint32_t versions[] = { 0, 3, 0xffffffff };
	struct vio_mmio_softc msc;
	struct sim_dev *dev;
	struct lie l = { VIRTIO_MMIO_VERSION, 0 };
	char want[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		l.val = versions[i];
		assert_int_equal(attach_lying(&dev, &msc, SIM_MMIO_MODERN,
		    &l), ENXIO);
		snprintf(want, sizeof(want), "version %u not supported",
		    versions[i]);
		assert_non_null(strstr(dev->last_log, want));
		assert_null(msc.sc_vio.sc_ops);
		sim_destroy(dev);
	}
}

static void
test_empty_window(void **state)
{
	struct vio_mmio_softc msc;
	struct sim_dev *dev;
	struct lie l = { VIRTIO_MMIO_DEVICE_ID, 0 };

	(void)state;
	assert_int_equal(attach_lying(&dev, &msc, SIM_MMIO_LEGACY, &l),
	    ENOENT);
	assert_null(msc.sc_vio.sc_ops);
	assert_int_equal(dev->status, 0);
	sim_destroy(dev);
}

static void
test_window_too_small(void **state)
{
	struct vio_mmio_softc msc;
	struct sim_dev *dev;

	(void)state;
	sim_loop_init(&loop, 0);
	dev = sim_create(&loop.model, SIM_MMIO_MODERN);
	dev->bar_size[VIO_MMIO_BAR] = VIRTIO_MMIO_CONFIG - 4;
	assert_int_equal(vio_mmio_attach(&msc, dev), ENXIO);
	assert_non_null(strstr(dev->last_log, "too small"));
	/* Not one register was read outside the window. */
	assert_int_equal(dev->hard_errors, 0);
	sim_destroy(dev);
}

/* QueueNumMax 0 means "no such queue": the driver's attach fails. */
static void
test_queue_num_max_zero(void **state)
{
	struct vtest t;
	struct vio_vq vq;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sim_loop_init(&loop, 0);
		vtest_start(&t, &loop.model, mmio_transports[i], 0);
		t.sim->queues[0].max_size = 0;
		assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 4, "loop0"),
		    ENOENT);
		assert_false(vio_is_broken(t.sc));
		assert_null(t.sc->sc_vqs[0]);
		vtest_finish(&t);
	}
}

static void
test_queue_num_max_absurd(void **state)
{
	static const uint32_t sizes[] = { 65536, 0x80000000, 24 };
	struct vtest t;
	struct vio_vq vq;
	struct lie l = { VIRTIO_MMIO_QUEUE_NUM_MAX, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		sim_loop_init(&loop, 0);
		vtest_start(&t, &loop.model, SIM_MMIO_MODERN, 0);
		l.val = sizes[i];
		t.sim->read_hook = lie_hook;
		t.sim->hook_arg = &l;
		assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 4, "loop0"), EIO);
		assert_true(vio_is_broken(t.sc));
		assert_string_equal(t.sc->sc_broken_why, "invalid queue size");
		t.sim->read_hook = NULL;
		vtest_finish(&t);
	}
}

/* A queue that reads as live before the driver set it up. */
static void
test_queue_already_live(void **state)
{
	struct vtest t;
	struct vio_vq vq;
	struct lie l = { 0, 1 };
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sim_loop_init(&loop, 0);
		vtest_start(&t, &loop.model, mmio_transports[i], 0);
		l.off = i == 0 ? VIRTIO_MMIO_QUEUE_PFN :
		    VIRTIO_MMIO_QUEUE_READY;
		t.sim->read_hook = lie_hook;
		t.sim->hook_arg = &l;
		assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 4, "loop0"), EIO);
		assert_string_equal(t.sc->sc_broken_why,
		    "queue already in use");
		assert_int_equal(t.sim->dma_live, 0);
		t.sim->read_hook = NULL;
		vtest_finish(&t);
	}
}

static void
test_queue_not_enabled(void **state)
{
	struct vtest t;
	struct vio_vq vq;

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_start(&t, &loop.model, SIM_MMIO_MODERN, 0);
	t.sim->refuse_queue_enable = true;
	assert_int_equal(vq_alloc(t.sc, &vq, 0, 0, 4, "loop0"), EIO);
	assert_string_equal(t.sc->sc_broken_why, "queue not enabled");
	vtest_finish(&t);
}

/* A reset that never reads back 0 ends after a bounded wait. */
static void
test_reset_never_completes(void **state)
{
	struct vtest t;

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_attach(&t, &loop.model, SIM_MMIO_LEGACY, 0);
	t.sim->stuck_status = true;
	assert_int_equal(vio_init(t.sc), ETIMEDOUT);
	assert_true(vio_is_broken(t.sc));
	assert_true(t.sim->delays > 0 && t.sim->delays <= 1000);
	vtest_finish(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identifies_each_version),
		cmocka_unit_test(test_negotiation_per_version),
		cmocka_unit_test(test_config_reads_the_window),
		cmocka_unit_test(test_generation_that_never_settles),
		cmocka_unit_test(test_request_and_interrupt),
		cmocka_unit_test(test_config_change_on_the_line),
		cmocka_unit_test(test_no_vectors),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_unknown_versions),
		cmocka_unit_test(test_empty_window),
		cmocka_unit_test(test_window_too_small),
		cmocka_unit_test(test_queue_num_max_zero),
		cmocka_unit_test(test_queue_num_max_absurd),
		cmocka_unit_test(test_queue_already_live),
		cmocka_unit_test(test_queue_not_enabled),
		cmocka_unit_test(test_reset_never_completes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
