/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * PCI transport: choosing legacy or modern, the capability walk against
 * malformed configuration space, MSI-X vectors and the ISR.
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

/* Capability offsets as sim_build_pcicfg() lays them out. */
#define CAP_COMMON	0x40
#define CAP_ISR		0x50
#define CAP_DEVICE	0x60
#define CAP_NOTIFY	0x70

static struct sim_loop loop;

static struct sim_dev *
new_dev(enum sim_transport tr)
{

	sim_loop_init(&loop, 0);
	return (sim_create(&loop.model, tr));
}

/* Attach, expect error; the walk must not have read out of bounds. */
static int
try_attach(struct sim_dev *dev, struct vio_pci_softc *psc, int flags)
{
	int error;

	error = vio_pci_attach(psc, dev, sim_pci_device_id(dev), flags);
	if (dev->driver_errors != 0)
		fail_msg("driver error: %s", dev->driver_error);
	return (error);
}

static void
test_modern_device_attaches_modern(void **state)
{
	struct vtest t;

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_attach(&t, &loop.model, SIM_MODERN, 0);
	assert_true(t.sc->sc_modern);
	assert_string_equal(t.sc->sc_ops->name, "pci-modern");
	assert_int_equal(t.sc->sc_device_type, SIM_LOOP_TYPE);
	assert_int_equal(t.psc.sc_common.r_bar, SIM_MODERN_BAR);
	assert_int_equal(t.psc.sc_common.r_off, SIM_COMMON_OFF);
	assert_int_equal(t.psc.sc_notify.r_off, SIM_NOTIFY_OFF);
	assert_int_equal(t.psc.sc_isr.r_off, SIM_ISR_OFF);
	assert_int_equal(t.psc.sc_devcfg.r_off, SIM_DEVCFG_OFF);
	assert_int_equal(t.psc.sc_notify_mult, SIM_NOTIFY_MULT);
	assert_int_equal(t.psc.sc_num_queues, SIM_LOOP_QUEUES);
	assert_int_equal(t.sc->sc_config_len, SIM_LOOP_CONFIG_LEN);
	vtest_finish(&t);
}

static void
test_transitional_prefers_modern_unless_asked(void **state)
{
	struct vtest t;

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_attach(&t, &loop.model, SIM_TRANSITIONAL, 0);
	assert_true(t.sc->sc_modern);
	assert_int_equal(t.sc->sc_device_type, SIM_LOOP_TYPE);
	vtest_finish(&t);
	vtest_attach(&t, &loop.model, SIM_TRANSITIONAL, VIO_PCI_PREFER_LEGACY);
	assert_false(t.sc->sc_modern);
	assert_string_equal(t.sc->sc_ops->name, "pci-legacy");
	assert_int_equal(t.sc->sc_device_type, SIM_LOOP_TYPE);
	vtest_finish(&t);
	/* No vendor capabilities: legacy it is. */
	vtest_attach(&t, &loop.model, SIM_LEGACY, 0);
	assert_false(t.sc->sc_modern);
	vtest_finish(&t);
}

static void
test_not_a_virtio_device(void **state)
{
	struct sim_dev *dev = new_dev(SIM_TRANSITIONAL);
	struct vio_pci_softc psc;
	static const uint16_t ids[] = { 0x0fff, 0x1080, 0x1040, 0xffff };
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_int_equal(vio_pci_attach(&psc, dev, ids[i], 0), ENXIO);
	/* Transitional id whose subsystem id names no device type. */
	dev->pcicfg[PCIR_SUBDEV] = dev->pcicfg[PCIR_SUBDEV + 1] = 0;
	assert_int_equal(try_attach(dev, &psc, 0), ENXIO);
	sim_destroy(dev);
}

static void
test_legacy_bar_too_small(void **state)
{
	struct sim_dev *dev = new_dev(SIM_LEGACY);
	struct vio_pci_softc psc;

	(void)state;
	dev->bar_size[0] = 20;
	assert_int_equal(try_attach(dev, &psc, 0), ENXIO);
	dev->bar_size[0] = 0;
	assert_int_equal(try_attach(dev, &psc, 0), ENXIO);
	sim_destroy(dev);
}

static void
test_legacy_bar_larger_than_io_space(void **state)
{
	struct sim_dev *dev = new_dev(SIM_LEGACY);
	struct vio_pci_softc psc;

	(void)state;
	dev->bar_size[0] = 1 << 20;
	assert_int_equal(try_attach(dev, &psc, 0), 0);
	assert_int_equal(psc.sc_vio.sc_config_len, 256 - 20);
	sim_destroy(dev);
}

/*
 * A malformed capability list: a modern-only device fails to attach, a
 * transitional one falls back to legacy.
 */
static void
malformed(void (*spoil)(struct sim_dev *))
{
	struct vio_pci_softc psc;
	struct sim_dev *dev;

	dev = new_dev(SIM_MODERN);
	spoil(dev);
	assert_int_equal(try_attach(dev, &psc, 0), ENXIO);
	sim_destroy(dev);
	dev = new_dev(SIM_TRANSITIONAL);
	spoil(dev);
	assert_int_equal(try_attach(dev, &psc, 0), 0);
	assert_false(psc.sc_vio.sc_modern);
	sim_destroy(dev);
}

static void
no_caplist(struct sim_dev *dev)
{

	dev->pcicfg[PCIR_STATUS] &= ~PCIM_STATUS_CAPLIST;
}

static void
cap_loop(struct sim_dev *dev)
{

	/* ISR capability points back at the common one: a cycle. */
	dev->pcicfg[CAP_ISR + VIRTIO_PCI_CAP_NEXT] = CAP_COMMON;
}

static void
cap_in_header(struct sim_dev *dev)
{

	dev->pcicfg[PCIR_CAPPTR] = 0x10;
}

static void
cap_past_config_space(struct sim_dev *dev)
{

	/* Move the notify capability to 0xf8: its 20 bytes do not fit. */
	memcpy(&dev->pcicfg[0xf8], &dev->pcicfg[CAP_NOTIFY], 8);
	dev->pcicfg[CAP_DEVICE + VIRTIO_PCI_CAP_NEXT] = 0xf8;
	dev->pcicfg[0xf8 + VIRTIO_PCI_CAP_NEXT] = 0;
}

static void
bad_bar_index(struct sim_dev *dev)
{

	dev->pcicfg[CAP_COMMON + VIRTIO_PCI_CAP_BAR] = 6;
}

static void
region_past_bar(struct sim_dev *dev)
{

	vio_le32enc(&dev->pcicfg[CAP_NOTIFY + VIRTIO_PCI_CAP_OFFSET],
	    SIM_MODERN_BAR_SIZE - 0x800);
}

static void
region_wraps(struct sim_dev *dev)
{

	vio_le32enc(&dev->pcicfg[CAP_ISR + VIRTIO_PCI_CAP_OFFSET], 0xfffffff0U);
	vio_le32enc(&dev->pcicfg[CAP_ISR + VIRTIO_PCI_CAP_LENGTH], 0x20);
}

static void
common_too_short(struct sim_dev *dev)
{

	vio_le32enc(&dev->pcicfg[CAP_COMMON + VIRTIO_PCI_CAP_LENGTH], 0x30);
}

static void
cap_len_too_short(struct sim_dev *dev)
{

	dev->pcicfg[CAP_COMMON + VIRTIO_PCI_CAP_LEN] = 12;
}

static void
notify_cap_too_short(struct sim_dev *dev)
{

	dev->pcicfg[CAP_NOTIFY + VIRTIO_PCI_CAP_LEN] = 16;
}

static void
notify_mult_odd(struct sim_dev *dev)
{

	vio_le32enc(&dev->pcicfg[CAP_NOTIFY + VIRTIO_PCI_NOTIFY_CAP_MULT], 3);
}

static void
notify_mult_not_power_of_two(struct sim_dev *dev)
{

	vio_le32enc(&dev->pcicfg[CAP_NOTIFY + VIRTIO_PCI_NOTIFY_CAP_MULT], 12);
}

static void
isr_missing(struct sim_dev *dev)
{

	dev->pcicfg[CAP_ISR + VIRTIO_PCI_CAP_CFG_TYPE] =
	    VIRTIO_PCI_CAP_VENDOR_CFG;
}

static void
modern_bar_unmapped(struct sim_dev *dev)
{

	dev->bar_size[SIM_MODERN_BAR] = 0;
}

static void
test_malformed_capabilities(void **state)
{

	(void)state;
	malformed(no_caplist);
	malformed(cap_loop);
	malformed(cap_in_header);
	malformed(cap_past_config_space);
	malformed(bad_bar_index);
	malformed(region_past_bar);
	malformed(region_wraps);
	malformed(common_too_short);
	malformed(cap_len_too_short);
	malformed(notify_cap_too_short);
	malformed(notify_mult_odd);
	malformed(notify_mult_not_power_of_two);
	malformed(isr_missing);
	malformed(modern_bar_unmapped);
}

static void
test_first_usable_capability_wins(void **state)
{
	struct sim_dev *dev = new_dev(SIM_MODERN);
	struct vio_pci_softc psc;

	(void)state;
	/*
	 * Turn the PCI_CFG capability (0x84) into a second ISR one at a
	 * different offset: the first, at 0x50, is used.  Then spoil the
	 * first: the second is used.
	 */
	dev->pcicfg[0x84 + VIRTIO_PCI_CAP_CFG_TYPE] = VIRTIO_PCI_CAP_ISR_CFG;
	dev->pcicfg[0x84 + VIRTIO_PCI_CAP_BAR] = SIM_MODERN_BAR;
	vio_le32enc(&dev->pcicfg[0x84 + VIRTIO_PCI_CAP_OFFSET],
	    SIM_ISR_OFF + 4);
	vio_le32enc(&dev->pcicfg[0x84 + VIRTIO_PCI_CAP_LENGTH], 4);
	assert_int_equal(try_attach(dev, &psc, 0), 0);
	assert_int_equal(psc.sc_isr.r_off, SIM_ISR_OFF);
	dev->pcicfg[CAP_ISR + VIRTIO_PCI_CAP_BAR] = 9;
	assert_int_equal(try_attach(dev, &psc, 0), 0);
	assert_int_equal(psc.sc_isr.r_off, SIM_ISR_OFF + 4);
	sim_destroy(dev);
}

static void
test_notify_multiplier_zero_shares_doorbell(void **state)
{
	struct vtest t;
	struct vio_vq vq;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.sim = new_dev(SIM_MODERN);
	vio_le32enc(&t.sim->pcicfg[CAP_NOTIFY + VIRTIO_PCI_NOTIFY_CAP_MULT], 0);
	assert_int_equal(try_attach(t.sim, &t.psc, 0), 0);
	t.sc = &t.psc.sc_vio;
	assert_int_equal(t.psc.sc_notify_mult, 0);
	assert_int_equal(vio_init(t.sc), 0);
	assert_int_equal(vio_negotiate_features(t.sc, 0), 0);
	t.sim->queues[1].notify_off = 5;	/* 5 * 0 = 0 */
	assert_int_equal(vq_alloc(t.sc, &vq, 1, 0, 1, "q"), 0);
	assert_int_equal(vq.vq_notify_off, 0);
	vtest_finish(&t);
}

static void
vectors(enum sim_transport tr)
{
	struct vtest t;
	struct vio_vq vq0, vq2, vq3;

	sim_loop_init(&loop, 0);
	vtest_start(&t, &loop.model, tr, 0);
	/* MSI-X off: vector registers do not exist (legacy: config). */
	assert_int_equal(vio_set_config_vector(t.sc, 0), EINVAL);
	assert_int_equal(vio_queue_vector(t.sc, 1), VIRTIO_MSI_NO_VECTOR);
	t.sim->msix_enabled = true;
	vio_pci_set_msix(&t.psc, 3);
	/* Entry 0 for configuration, queues round the other two. */
	assert_int_equal(vio_queue_vector(t.sc, 0), 1);
	assert_int_equal(vio_queue_vector(t.sc, 1), 2);
	assert_int_equal(vio_queue_vector(t.sc, 2), 1);
	/* vq_alloc() programs the vector, before the enable (sim checks). */
	assert_int_equal(vq_alloc(t.sc, &vq0, 0, 0, 1, "q0"), 0);
	assert_int_equal(vq_alloc(t.sc, &vq2, 2, 0, 1, "q2"), 0);
	assert_int_equal(t.sim->queues[0].msix_vector, 1);
	assert_int_equal(t.sim->queues[2].msix_vector, 1);
	assert_int_equal(vq2.vq_vector, 1);
	assert_int_equal(vio_driver_ok(t.sc), 0);
	assert_int_equal(t.sim->config_vector, 0);
	/* A device out of vectors answers NO_VECTOR: the queue fails. */
	t.sim->refuse_vectors = true;
	assert_int_equal(vq_alloc(t.sc, &vq3, 1, 0, 1, "q1"), ENOSPC);
	assert_null(vq_lookup(t.sc, 1));
	assert_int_equal(vio_set_config_vector(t.sc, 2), ENOSPC);
	assert_false(t.sc->sc_broken);
	vtest_finish(&t);
}

/* One vector: configuration and every queue share it. */
static void
test_single_msix_vector_is_shared(void **state)
{
	struct vtest t;
	struct vio_vq vq;

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_start(&t, &loop.model, SIM_MODERN, 0);
	t.sim->msix_enabled = true;
	vio_pci_set_msix(&t.psc, 1);
	assert_int_equal(vq_alloc(t.sc, &vq, 1, 0, 1, "q"), 0);
	assert_int_equal(t.sim->queues[1].msix_vector, 0);
	vtest_finish(&t);
}

/* A strict device ignores a queue vector written after the enable. */
static void
test_sim_rejects_vector_after_enable(void **state)
{
	struct vtest t;
	struct vio_vq vq;

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_start(&t, &loop.model, SIM_MODERN, 0);
	assert_int_equal(vq_alloc(t.sc, &vq, 1, 0, 1, "q"), 0);
	t.sim->msix_enabled = true;
	vio_pci_set_msix(&t.psc, 2);
	assert_int_equal(t.sc->sc_ops->set_queue_vector(t.sc, 1, 1), ENOSPC);
	assert_int_equal(t.sim->driver_errors, 1);
	t.sim->driver_errors = 0;
	vtest_finish(&t);
}

/* What vio_msix_intr_deliver() handed over, in order. */
struct delivered {
	struct vio_vq	*vqs[8];
	int		 n;
	int		 config;
};

static void
record_delivery(void *arg, struct vio_vq *vq)
{
	struct delivered *d = arg;

	if (vq == NULL)
		d->config++;
	else
		d->vqs[d->n++] = vq;
}

static struct delivered
deliver_vector(struct vio_softc *sc, uint16_t vec)
{
	struct delivered d = { .n = 0 };

	vio_msix_intr_deliver(sc, vec, record_delivery, &d);
	return (d);
}

/*
 * An MSI-X vector reaches the queues bound to it and no others, looking
 * only at the slots sc_vq_slots marks (a freed queue's slot is cleared).
 */
static void
test_msix_vector_delivers_its_queues(void **state)
{
	struct vtest t;
	struct vio_vq vq0, vq1, vq2;
	struct delivered d;

	(void)state;
	sim_loop_init(&loop, 0);
	vtest_start(&t, &loop.model, SIM_MODERN, 0);
	t.sim->msix_enabled = true;
	vio_pci_set_msix(&t.psc, 3);
	assert_int_equal(t.sc->sc_vq_slots, 0);
	assert_int_equal(vq_alloc(t.sc, &vq0, 0, 0, 1, "q0"), 0);
	assert_int_equal(vq_alloc(t.sc, &vq1, 1, 0, 1, "q1"), 0);
	assert_int_equal(vq_alloc(t.sc, &vq2, 2, 0, 1, "q2"), 0);
	assert_int_equal(t.sc->sc_vq_slots, 0x7);
	d = deliver_vector(t.sc, 1);
	assert_int_equal(d.config, 0);
	assert_int_equal(d.n, 2);
	assert_ptr_equal(d.vqs[0], &vq0);
	assert_ptr_equal(d.vqs[1], &vq2);
	d = deliver_vector(t.sc, 2);
	assert_int_equal(d.n, 1);
	assert_ptr_equal(d.vqs[0], &vq1);
	d = deliver_vector(t.sc, VIO_CONFIG_VECTOR);
	assert_int_equal(d.config, 1);
	assert_int_equal(d.n, 0);
	vq_free(&vq0);
	assert_int_equal(t.sc->sc_vq_slots, 0x6);
	d = deliver_vector(t.sc, 1);
	assert_int_equal(d.n, 1);
	assert_ptr_equal(d.vqs[0], &vq2);
	vtest_finish(&t);
}

static void
test_msix_vectors_each_transport(void **state)
{

	(void)state;
	vectors(SIM_LEGACY);
	vectors(SIM_MODERN);
	vectors(SIM_TRANSITIONAL);
}

static void
test_isr_read_acknowledges(void **state)
{
	struct vtest t;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		sim_loop_init(&loop, 0);
		vtest_attach(&t, &loop.model, vtest_transports[i], 0);
		t.sim->isr = VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG;
		assert_int_equal(vio_read_isr(t.sc), 3);
		assert_int_equal(vio_read_isr(t.sc), 0);
		vtest_finish(&t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modern_device_attaches_modern),
		cmocka_unit_test(test_transitional_prefers_modern_unless_asked),
		cmocka_unit_test(test_not_a_virtio_device),
		cmocka_unit_test(test_legacy_bar_too_small),
		cmocka_unit_test(test_legacy_bar_larger_than_io_space),
		cmocka_unit_test(test_malformed_capabilities),
		cmocka_unit_test(test_first_usable_capability_wins),
		cmocka_unit_test(test_notify_multiplier_zero_shares_doorbell),
		cmocka_unit_test(test_msix_vectors_each_transport),
		cmocka_unit_test(test_msix_vector_delivers_its_queues),
		cmocka_unit_test(test_single_msix_vector_is_shared),
		cmocka_unit_test(test_sim_rejects_vector_after_enable),
		cmocka_unit_test(test_isr_read_acknowledges),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
