/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioblk multiqueue (VIRTIO_BLK_F_MQ) against the simulated block device:
 * how many queues are set up, a device whose num_queues is 0 or more than
 * it has, and each queue carrying and completing its own requests.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "blk_fixture.h"

#define FEATURES	(VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | \
	VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_MQ | VIRTIO_RING_F_INDIRECT_DESC | \
	VIRTIO_RING_F_EVENT_IDX)

/*
 * A disk offering features whose transport has nq queues and whose
 * configuration says num_queues (they differ when the device lies).
 */
static struct fixture *
fx_new_mq(uint64_t features, uint16_t nq, uint16_t num_queues)
{
	struct fixture *fx;

	fx = fx_new(features);
	fx->blk.model.num_queues = nq;
	sim_blk_set_config(&fx->blk, VIRTIO_BLK_CONFIG_NUM_QUEUES, num_queues,
	    2);
	return (fx);
}

/* Queues the device has enabled, as the device sees them. */
static unsigned int
sim_enabled_queues(const struct fixture *fx)
{
	unsigned int i, n;

	for (i = n = 0; i < SIM_MAX_QUEUES; i++)
		if (fx->t.sim->queues[i].enabled)
			n++;
	return (n);
}

/* Write 512 bytes of seed to sector on queue bq and take the completion. */
static void
write_on(struct vioblk_queue *bq, struct vio_dma *buf, uint64_t sector,
    uint8_t seed)
{
	struct vioblk_seg seg = { buf->busaddr, 512 };
	struct vioblk_req req = {
		.br_op = VIOBLK_OP_WRITE, .br_sector = sector, .br_segs = &seg,
		.br_nsegs = 1,
	};
	struct vioblk_req *done;

	memset(buf->vaddr, seed, 512);
	assert_int_equal(vioblk_submit(bq, &req), 0);
	vioblk_kick(bq);
	assert_int_equal(vioblk_complete(bq, &done), 0);
	assert_ptr_equal(done, &req);
	assert_int_equal(done->br_error, 0);
}

static void
test_queues_are_min_of_device_and_wanted(void **state)
{
	static const struct {
		unsigned int	wanted, expect;
	} cases[] = {
		{ 8, 4 }, { 4, 4 }, { 2, 2 }, { 1, 1 }, { 0, 1 },
	};
	struct fixture *fx;
	unsigned int c, t;

	(void)state;
	for (t = 0; t < 3; t++) {
		for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			fx = fx_new_mq(FEATURES, 4, 4);
			assert_int_equal(fx_attach_queues(fx,
			    vtest_transports[t], cases[c].wanted), 0);
			assert_true(vio_has_feature(fx->t.sc,
			    VIRTIO_BLK_F_MQ));
			assert_int_equal(fx->sc.sc_cfg.num_queues, 4);
			assert_int_equal(fx->sc.sc_nqueues, cases[c].expect);
			assert_int_equal(sim_enabled_queues(fx),
			    cases[c].expect);
			fx_free(fx);
		}
	}
}

static void
test_without_mq_one_queue(void **state)
{
	struct fixture *fx;

	(void)state;
	/* num_queues means nothing unless MQ was negotiated. */
	fx = fx_new_mq(FEATURES & ~VIRTIO_BLK_F_MQ, 4, 4);
	assert_int_equal(fx_attach_queues(fx, SIM_MODERN, 4), 0);
	assert_false(vio_has_feature(fx->t.sc, VIRTIO_BLK_F_MQ));
	assert_int_equal(fx->sc.sc_cfg.num_queues, 1);
	assert_int_equal(fx->sc.sc_nqueues, 1);
	assert_int_equal(sim_enabled_queues(fx), 1);
	fx_free(fx);
}

static void
test_num_queues_zero_is_refused(void **state)
{
	struct fixture *fx;
	unsigned int t;

	(void)state;
	for (t = 0; t < 3; t++) {
		fx = fx_new_mq(FEATURES, 4, 0);
		assert_int_equal(fx_attach_queues(fx, vtest_transports[t], 4),
		    EINVAL);
		assert_true(vio_is_broken(fx->t.sc));
		assert_string_equal(fx->t.sc->sc_broken_why,
		    "vioblk: bad configuration");
		assert_int_equal(sim_enabled_queues(fx), 0);
		fx_free(fx);
	}
}

/*
 * num_queues above what the transport has: the queues that exist are
 * used, and the log says why there are fewer; above what the driver
 * takes: VIOBLK_MAX_QUEUES.
 */
static void
test_num_queues_above_the_transport(void **state)
{
	struct fixture *fx;
	unsigned int q, t;

	(void)state;
	for (t = 0; t < 3; t++) {
		fx = fx_new_mq(FEATURES, 3, 0xffff);
		assert_int_equal(fx_attach_queues(fx, vtest_transports[t],
		    64), 0);
		assert_false(vio_is_broken(fx->t.sc));
		assert_int_equal(fx->sc.sc_nqueues, 3);
		assert_non_null(strstr(fx->t.sim->last_log,
		    "num_queues 65535, but the device has 3 queues"));
		for (q = 0; q < 3; q++)
			write_on(&fx->sc.sc_queues[q], fx->buf, q, 0x40 + q);
		fx_free(fx);
	}

	fx = fx_new_mq(FEATURES, SIM_MAX_QUEUES, 0xffff);
	assert_int_equal(fx_attach_queues(fx, SIM_MODERN, 1000), 0);
	assert_int_equal(fx->sc.sc_nqueues, VIOBLK_MAX_QUEUES);
	assert_int_equal(sim_enabled_queues(fx), VIOBLK_MAX_QUEUES);
	fx_free(fx);
}

/* Each queue carries its requests; each completes on its own queue. */
static void
test_completions_on_each_queue(void **state)
{
	struct fixture *fx;
	struct vioblk_req *done;
	unsigned int q, other, t;

	(void)state;
	for (t = 0; t < 3; t++) {
		fx = fx_new_mq(FEATURES, 4, 4);
		assert_int_equal(fx_attach_queues(fx, vtest_transports[t],
		    4), 0);
		for (q = 0; q < 4; q++) {
			write_on(&fx->sc.sc_queues[q], fx->buf, 10 + q,
			    0xa0 + q);
			/* Nothing of it shows up on the other queues. */
			for (other = 0; other < 4; other++)
				assert_int_equal(vioblk_complete(
				    &fx->sc.sc_queues[other], &done), ENOENT);
		}
		for (q = 0; q < 4; q++) {
			assert_int_equal(fx->blk.queue_requests[q], 1);
			assert_int_equal(fx->t.sim->queues[q].notifies, 1);
			assert_int_equal(fx->sc.sc_queues[q].bq_stats.completed,
			    1);
			assert_int_equal(fx->blk.disk[(10 + q) * 512],
			    0xa0 + q);
			assert_int_equal(fx->blk.disk[(10 + q) * 512 + 511],
			    0xa0 + q);
		}
		fx_free(fx);
	}
}

/*
 * A bad used entry on one queue breaks the device: every queue's
 * interrupt then fails its own requests, and no queue's twice.
 */
static void
test_broken_device_fails_every_queue(void **state)
{
	struct fixture *fx;
	struct vioblk_req req[4];
	struct vioblk_seg seg;
	struct done_log log[4];
	unsigned int q;

	(void)state;
	fx = fx_new_mq(FEATURES, 4, 4);
	assert_int_equal(fx_attach_queues(fx, SIM_MODERN, 4), 0);
	seg.busaddr = fx->buf->busaddr;
	seg.len = 512;
	fx->blk.hold = true;
	memset(req, 0, sizeof(req));
	memset(log, 0, sizeof(log));
	for (q = 0; q < 4; q++) {
		req[q].br_op = VIOBLK_OP_READ;
		req[q].br_segs = &seg;
		req[q].br_nsegs = 1;
		assert_int_equal(vioblk_submit(&fx->sc.sc_queues[q], &req[q]),
		    0);
		vioblk_kick(&fx->sc.sc_queues[q]);
	}
	sim_push_used(fx->t.sim, 2, 77, 1);
	assert_int_equal(vioblk_intr(&fx->sc.sc_queues[2], log_done, &log[2]),
	    EIO);
	assert_true(vio_is_broken(fx->t.sc));
	for (q = 0; q < 4; q++) {
		if (q != 2)
			assert_int_equal(vioblk_intr(&fx->sc.sc_queues[q],
			    log_done, &log[q]), EIO);
		assert_int_equal(log[q].n, 1);
		assert_int_equal(log[q].errors, 1);
		assert_int_equal(fx->sc.sc_queues[q].bq_nfree,
		    fx->sc.sc_queues[q].bq_nslots);
	}
	fx_free(fx);
}

/*
 * Fail each DMA allocation of attach in turn: ENOMEM and nothing kept,
 * or (an indirect table) a working attach without it.
 */
static void
test_attach_no_memory(void **state)
{
	struct fixture *fx;
	unsigned int k, nomem;
	int error;

	(void)state;
	nomem = 0;
	for (k = 1; k <= 12; k++) {
		fx = fx_new_mq(FEATURES, 4, 4);
		vtest_start(&fx->t, &fx->blk.model, SIM_MODERN,
		    vioblk_features());
		fx->t.sim->dma_fail_after = fx->t.sim->dma_allocs + k;
		error = vioblk_attach(&fx->sc, fx->t.sc, 4);
		fx->attached = error == 0;
		if (error != 0) {
			assert_int_equal(error, ENOMEM);
			assert_int_equal(fx->sc.sc_nqueues, 0);
			nomem++;
		} else {
			assert_int_equal(fx->sc.sc_nqueues, 4);
		}
		fx_free(fx);
	}
	/* Per queue: the ring and the header/status slots are needed. */
	assert_int_equal(nomem, 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queues_are_min_of_device_and_wanted),
		cmocka_unit_test(test_without_mq_one_queue),
		cmocka_unit_test(test_num_queues_zero_is_refused),
		cmocka_unit_test(test_num_queues_above_the_transport),
		cmocka_unit_test(test_completions_on_each_queue),
		cmocka_unit_test(test_broken_device_fails_every_queue),
		cmocka_unit_test(test_attach_no_memory),
	};

	return (cmocka_run_group_tests_name("blk_mq", tests, NULL, NULL));
}
