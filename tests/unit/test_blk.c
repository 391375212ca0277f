/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioblk against the simulated block device, on every transport: I/O,
 * flush, serial, discard and write zeroes, limits, and a device that
 * lies (status byte, used length, used id).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "blk_fixture.h"

#define FEATURES	(VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | \
	VIRTIO_BLK_F_GEOMETRY | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH | \
	VIRTIO_BLK_F_TOPOLOGY | VIRTIO_BLK_F_CONFIG_WCE | \
	VIRTIO_BLK_F_DISCARD | VIRTIO_BLK_F_WRITE_ZEROES | \
	VIRTIO_RING_F_INDIRECT_DESC | VIRTIO_RING_F_EVENT_IDX)

/* Bring the device up on transport and attach vioblk, one queue. */
static void
fx_attach(struct fixture *fx, enum sim_transport t)
{
	assert_int_equal(fx_attach_queues(fx, t, 1), 0);
}

static int
setup(void **state)
{
	*state = fx_new(FEATURES);
	return (0);
}

static int
teardown(void **state)
{
	fx_free(*state);
	return (0);
}

/* Submit one request, kick, and take its completion. */
static int
run(struct fixture *fx, struct vioblk_req *req)
{
	struct vioblk_req *done;
	int error;

	if ((error = vioblk_submit(fx->q, req)) != 0)
		return (error);
	vioblk_kick(fx->q);
	assert_int_equal(vioblk_complete(fx->q, &done), 0);
	assert_ptr_equal(done, req);
	return (done->br_error);
}

static int
rw(struct fixture *fx, enum vioblk_op op, uint64_t sector, uint32_t len)
{
	struct vioblk_seg seg = { fx->buf->busaddr, len };
	struct vioblk_req req = {
		.br_op = op, .br_sector = sector, .br_segs = &seg,
		.br_nsegs = 1,
	};

	return (run(fx, &req));
}

static void
fill(struct fixture *fx, uint8_t seed, size_t len)
{
	uint8_t *p = fx->buf->vaddr;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void
test_read_write_every_transport(void **state)
{
	struct fixture *fx;
	unsigned int t;

	(void)state;
	for (t = 0; t < 3; t++) {
		fx = fx_new(FEATURES);
		fx_attach(fx, vtest_transports[t]);
		assert_int_equal(fx->sc.sc_cfg.capacity, 16384);
		fill(fx, (uint8_t)t, 8192);
		assert_int_equal(rw(fx, VIOBLK_OP_WRITE, 100, 8192), 0);
		assert_memory_equal(fx->blk.disk + 100 * 512, fx->buf->vaddr,
		    8192);
		assert_int_equal(fx->blk.last_type, VIRTIO_BLK_T_OUT);
		assert_int_equal(fx->blk.last_sector, 100);
		memset(fx->buf->vaddr, 0, 8192);
		assert_int_equal(rw(fx, VIOBLK_OP_READ, 100, 8192), 0);
		assert_memory_equal(fx->blk.disk + 100 * 512, fx->buf->vaddr,
		    8192);
		assert_int_equal(fx->q->bq_stats.completed, 2);
		fx_free(fx);
	}
}

static void
test_each_feature_alone(void **state)
{
	static const uint64_t one[] = {
		0, VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_SEG_MAX,
		VIRTIO_BLK_F_GEOMETRY, VIRTIO_BLK_F_BLK_SIZE,
		VIRTIO_BLK_F_TOPOLOGY, VIRTIO_BLK_F_CONFIG_WCE,
		VIRTIO_BLK_F_MQ, VIRTIO_BLK_F_DISCARD,
		VIRTIO_BLK_F_WRITE_ZEROES,
	};
	struct fixture *fx;
	size_t i;

	(void)state;
	/* Each feature makes the driver read just far enough. */
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		fx = fx_new(one[i]);
		fx_attach(fx, SIM_MODERN);
		assert_int_equal(fx->sc.sc_cfg.capacity, 16384);
		assert_int_equal(rw(fx, VIOBLK_OP_WRITE, 1, 512), 0);
		fx_free(fx);
	}
}

static void
test_without_indirect(void **state)
{
	struct fixture *fx;
	struct vioblk_seg segs[8];
	struct vioblk_req req;
	unsigned int i;

	(void)state;
	fx = fx_new(FEATURES & ~VIRTIO_RING_F_INDIRECT_DESC);
	fx_attach(fx, SIM_MODERN);
	assert_false(fx->q->bq_vq.vq_indirect);
	for (i = 0; i < 8; i++) {
		segs[i].busaddr = fx->buf->busaddr + i * 4096;
		segs[i].len = 4096;
	}
	fill(fx, 9, 32768);
	memset(&req, 0, sizeof(req));
	req.br_op = VIOBLK_OP_WRITE;
	req.br_segs = segs;
	req.br_nsegs = 8;
	assert_int_equal(run(fx, &req), 0);
	assert_int_equal(fx->blk.last_data_segs, 8);
	assert_memory_equal(fx->blk.disk, fx->buf->vaddr, 32768);
	fx_free(fx);
}

static void
test_split_to_size_max(void **state)
{
	struct fixture *fx;

	(void)state;
	fx = fx_new(FEATURES);
	sim_blk_set_config(&fx->blk, VIRTIO_BLK_CONFIG_SIZE_MAX, 1024, 4);
	sim_blk_set_config(&fx->blk, VIRTIO_BLK_CONFIG_SEG_MAX, 8, 4);
	fx_attach(fx, SIM_MODERN);
	assert_int_equal(fx->sc.sc_lim.max_xfer, 8192);
	fill(fx, 3, 8192);
	/* One 8 KiB segment becomes eight of 1 KiB. */
	assert_int_equal(rw(fx, VIOBLK_OP_WRITE, 8, 8192), 0);
	assert_int_equal(fx->blk.last_data_segs, 8);
	assert_int_equal(fx->blk.max_data_seg, 1024);
	assert_memory_equal(fx->blk.disk + 8 * 512, fx->buf->vaddr, 8192);
	/* A ninth piece does not fit seg_max. */
	assert_int_equal(rw(fx, VIOBLK_OP_WRITE, 8, 8704), E2BIG);
	fx_free(fx);
}

static void
test_bad_requests(void **state)
{
	struct fixture *fx = *state;
	struct vioblk_req req;

	fx_attach(fx, SIM_MODERN);
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 16384, 512), EINVAL);
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 16383, 1024), EINVAL);
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 0, 100), EINVAL);
	assert_int_equal(rw(fx, VIOBLK_OP_READ, ~0ULL, 512), EINVAL);
	memset(&req, 0, sizeof(req));
	req.br_op = VIOBLK_OP_READ;
	assert_int_equal(vioblk_submit(fx->q, &req), EINVAL);
	req.br_op = (enum vioblk_op)42;
	assert_int_equal(vioblk_submit(fx->q, &req), EINVAL);
	assert_int_equal(fx->blk.requests, 0);
	/* The last sector is fine. */
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 16383, 512), 0);
}

static void
test_flush(void **state)
{
	struct fixture *fx;
	struct vioblk_req req = { .br_op = VIOBLK_OP_FLUSH };

	(void)state;
	fx = fx_new(FEATURES);
	fx_attach(fx, SIM_LEGACY);
	assert_int_equal(run(fx, &req), 0);
	assert_int_equal(fx->blk.flushes, 1);
	assert_int_equal(fx->blk.last_type, VIRTIO_BLK_T_FLUSH);
	fx_free(fx);

	fx = fx_new(FEATURES & ~VIRTIO_BLK_F_FLUSH);
	fx_attach(fx, SIM_LEGACY);
	assert_int_equal(vioblk_submit(fx->q, &req), EOPNOTSUPP);
	fx_free(fx);
}

static void
test_get_id(void **state)
{
	struct fixture *fx = *state;
	struct vioblk_req req = { .br_op = VIOBLK_OP_GET_ID };

	fx_attach(fx, SIM_MODERN);
	assert_int_equal(run(fx, &req), 0);
	assert_string_equal(req.br_serial, "SIM-DISK-0001");

	/* All 20 bytes used: no terminating NUL from the device. */
	memcpy(fx->blk.serial, "ABCDEFGHIJKLMNOPQRST", 20);
	assert_int_equal(run(fx, &req), 0);
	assert_string_equal(req.br_serial, "ABCDEFGHIJKLMNOPQRST");

	/* Control characters do not reach the OS's console. */
	memcpy(fx->blk.serial, "AB\nC\x01\xff", 7);
	assert_int_equal(run(fx, &req), 0);
	assert_string_equal(req.br_serial, "AB?C??");
}

/*
 * A GET_ID the OS gave up on (DragonFly's attach waits 5 s for it) keeps
 * only its own slot while the disk goes on working, and gives it back,
 * with the serial, when the answer finally comes.
 */
static void
test_get_id_answered_late(void **state)
{
	struct fixture *fx = *state;
	struct vioblk_req id = { .br_op = VIOBLK_OP_GET_ID }, *done;
	struct vioblk_queue *bq;
	unsigned int i;

	fx_attach(fx, SIM_MODERN);
	bq = &fx->sc.sc_queues[0];
	fx->blk.hold = true;
	assert_int_equal(vioblk_submit(bq, &id), 0);
	vioblk_kick(bq);
	assert_int_equal(vioblk_complete(bq, &done), ENOENT);
	fx->blk.hold = false;
	for (i = 0; i < 2 * bq->bq_nslots; i++) {
		fill(fx, (uint8_t)i, 4096);
		assert_int_equal(rw(fx, i % 2 ? VIOBLK_OP_READ :
		    VIOBLK_OP_WRITE, 8 * i, 4096), 0);
		assert_int_equal(bq->bq_nfree, bq->bq_nslots - 1);
	}
	assert_int_equal(sim_blk_answer(&fx->blk, fx->t.sim), 0);
	assert_int_equal(vioblk_complete(bq, &done), 0);
	assert_ptr_equal(done, &id);
	assert_int_equal(done->br_error, 0);
	assert_string_equal(done->br_serial, "SIM-DISK-0001");
	assert_int_equal(bq->bq_nfree, bq->bq_nslots);
	assert_int_equal(vioblk_complete(bq, &done), ENOENT);
}

static void
test_discard_write_zeroes(void **state)
{
	struct fixture *fx = *state;
	struct vioblk_req req;

	fx_attach(fx, SIM_TRANSITIONAL);
	memset(fx->blk.disk, 0xaa, 64 * 512);
	memset(&req, 0, sizeof(req));
	req.br_op = VIOBLK_OP_WRITE_ZEROES;
	req.br_sector = 8;
	req.br_nsectors = 16;
	req.br_unmap = true;
	assert_int_equal(run(fx, &req), 0);
	assert_int_equal(fx->blk.range_sector, 8);
	assert_int_equal(fx->blk.range_sectors, 16);
	assert_int_equal(fx->blk.range_flags, VIRTIO_BLK_WZ_FLAG_UNMAP);
	assert_int_equal(fx->blk.disk[8 * 512], 0);
	assert_int_equal(fx->blk.disk[24 * 512 - 1], 0);
	assert_int_equal(fx->blk.disk[24 * 512], 0xaa);

	req.br_op = VIOBLK_OP_DISCARD;
	req.br_sector = 32;
	req.br_nsectors = 8;
	assert_int_equal(run(fx, &req), 0);
	assert_int_equal(fx->blk.last_type, VIRTIO_BLK_T_DISCARD);
	assert_int_equal(fx->blk.range_sector, 32);
	assert_int_equal(fx->blk.range_flags, 0);

	/* Beyond the device's limit or the disk, or empty. */
	req.br_nsectors = 4097;
	assert_int_equal(vioblk_submit(fx->q, &req), EINVAL);
	req.br_nsectors = 0;
	assert_int_equal(vioblk_submit(fx->q, &req), EINVAL);
	req.br_sector = 16380;
	req.br_nsectors = 8;
	assert_int_equal(vioblk_submit(fx->q, &req), EINVAL);
}

static void
test_discard_unsupported(void **state)
{
	struct fixture *fx;
	struct vioblk_req req = { .br_op = VIOBLK_OP_DISCARD,
	    .br_nsectors = 1 };

	(void)state;
	fx = fx_new(FEATURES & ~(VIRTIO_BLK_F_DISCARD |
	    VIRTIO_BLK_F_WRITE_ZEROES));
	fx_attach(fx, SIM_MODERN);
	assert_int_equal(vioblk_submit(fx->q, &req), EOPNOTSUPP);
	req.br_op = VIOBLK_OP_WRITE_ZEROES;
	assert_int_equal(vioblk_submit(fx->q, &req), EOPNOTSUPP);
	fx_free(fx);
}

static void
test_read_only(void **state)
{
	struct fixture *fx;
	struct vioblk_req req = { .br_op = VIOBLK_OP_DISCARD,
	    .br_nsectors = 1 };

	(void)state;
	fx = fx_new(FEATURES | VIRTIO_BLK_F_RO);
	fx_attach(fx, SIM_MODERN);
	assert_true(fx->sc.sc_cfg.readonly);
	assert_int_equal(rw(fx, VIOBLK_OP_WRITE, 0, 512), EROFS);
	assert_int_equal(vioblk_submit(fx->q, &req), EROFS);
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 0, 512), 0);
	fx_free(fx);
}

static void
test_status_bytes(void **state)
{
	struct fixture *fx = *state;

	fx_attach(fx, SIM_MODERN);
	fx->blk.status_override = VIRTIO_BLK_S_IOERR;
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 0, 512), EIO);
	fx->blk.status_override = VIRTIO_BLK_S_UNSUPP;
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 0, 512), EOPNOTSUPP);
	fx->blk.status_override = 0x7f;
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 0, 512), EIO);
	assert_int_equal(fx->q->bq_stats.bad_status, 1);
	assert_int_equal(fx->q->bq_stats.errors, 3);
	/* A bad status fails the request, not the device. */
	fx->blk.status_override = -1;
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 0, 512), 0);
	assert_false(vio_is_broken(fx->t.sc));
}

static void
test_short_used_len(void **state)
{
	struct fixture *fx = *state;
	struct vioblk_req req = { .br_op = VIOBLK_OP_GET_ID };

	fx_attach(fx, SIM_MODERN);
	/* The status byte is last: one byte short means it is unwritten. */
	fx->blk.len_short = 1;
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 0, 4096), EIO);
	assert_int_equal(rw(fx, VIOBLK_OP_WRITE, 0, 512), EIO);
	assert_int_equal(run(fx, &req), EIO);
	assert_string_equal(req.br_serial, "");
	fx->blk.len_short = 4097;
	assert_int_equal(rw(fx, VIOBLK_OP_READ, 0, 4096), EIO);
	assert_int_equal(fx->q->bq_stats.short_len, 4);
}

static void
test_bogus_used_id(void **state)
{
	struct fixture *fx = *state;
	struct vioblk_req req, *done;
	struct vioblk_seg seg;

	fx_attach(fx, SIM_MODERN);
	fx->blk.hold = true;
	seg.busaddr = fx->buf->busaddr;
	seg.len = 512;
	memset(&req, 0, sizeof(req));
	req.br_op = VIOBLK_OP_READ;
	req.br_segs = &seg;
	req.br_nsegs = 1;
	assert_int_equal(vioblk_submit(fx->q, &req), 0);
	vioblk_kick(fx->q);
	assert_int_equal(vioblk_complete(fx->q, &done), ENOENT);
	/* A used id no request was posted under. */
	sim_push_used(fx->t.sim, 0, 77, 1);
	assert_int_equal(vioblk_complete(fx->q, &done), EIO);
	assert_true(vio_is_broken(fx->t.sc));
	assert_int_equal(vioblk_submit(fx->q, &req), EIO);
	/* After reset the request comes back failed, once. */
	vio_reset(fx->t.sc);
	assert_int_equal(vioblk_reclaim(fx->q, &done), 0);
	assert_ptr_equal(done, &req);
	assert_int_equal(done->br_error, EIO);
	assert_int_equal(vioblk_reclaim(fx->q, &done), ENOENT);
	assert_int_equal(fx->q->bq_nfree, fx->q->bq_nslots);
}

/* The interrupt entry point ends on a broken device, failing all. */
static void
test_intr_fails_everything_on_broken_device(void **state)
{
	struct fixture *fx = *state;
	struct vioblk_req req[3];
	struct vioblk_seg seg;
	struct done_log log = { 0, 0 };
	unsigned int i;

	fx_attach(fx, SIM_MODERN);
	fx->blk.hold = true;
	seg.busaddr = fx->buf->busaddr;
	seg.len = 512;
	memset(req, 0, sizeof(req));
	for (i = 0; i < 3; i++) {
		req[i].br_op = VIOBLK_OP_READ;
		req[i].br_segs = &seg;
		req[i].br_nsegs = 1;
		assert_int_equal(vioblk_submit(fx->q, &req[i]), 0);
	}
	vioblk_kick(fx->q);
	assert_int_equal(vioblk_intr(fx->q, log_done, &log), 0);
	assert_int_equal(log.n, 0);
	sim_push_used(fx->t.sim, 0, 77, 1);
	assert_int_equal(vioblk_intr(fx->q, log_done, &log), EIO);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.errors, 3);
	assert_int_equal(fx->q->bq_nfree, fx->q->bq_nslots);
	assert_int_equal(vioblk_intr(fx->q, log_done, &log), EIO);
	assert_int_equal(log.n, 3);
}

static void
test_queue_full(void **state)
{
	struct fixture *fx = *state;
	struct vioblk_req *reqs, *done;
	struct vioblk_seg seg;
	unsigned int i, n;
	int error;

	fx_attach(fx, SIM_MODERN);
	fx->blk.hold = true;
	seg.busaddr = fx->buf->busaddr;
	seg.len = 512;
	reqs = calloc(VIOBLK_MAX_SLOTS + 1, sizeof(*reqs));
	for (n = 0; n <= VIOBLK_MAX_SLOTS; n++) {
		reqs[n].br_op = VIOBLK_OP_READ;
		reqs[n].br_segs = &seg;
		reqs[n].br_nsegs = 1;
		if ((error = vioblk_submit(fx->q, &reqs[n])) != 0)
			break;
	}
	assert_int_equal(error, ENOSPC);
	assert_int_equal(n, fx->q->bq_nslots);
	vioblk_kick(fx->q);
	assert_int_equal(vioblk_complete(fx->q, &done), ENOENT);
	/* Reset: every request comes back failed, every slot is free. */
	vio_reset(fx->t.sc);
	for (i = 0; vioblk_reclaim(fx->q, &done) == 0; i++)
		assert_int_equal(done->br_error, EIO);
	assert_int_equal(i, n);
	assert_int_equal(fx->q->bq_nfree, fx->q->bq_nslots);
	free(reqs);
}

static void
test_attach_bad_config(void **state)
{
	struct fixture *fx = *state;

	sim_blk_set_config(&fx->blk, VIRTIO_BLK_CONFIG_BLK_SIZE, 1000, 4);
	vtest_start(&fx->t, &fx->blk.model, SIM_MODERN, vioblk_features());
	assert_int_equal(vioblk_attach(&fx->sc, fx->t.sc, 1), EINVAL);
	assert_true(vio_is_broken(fx->t.sc));
}

static void
test_attach_short_config(void **state)
{
	struct fixture *fx = *state;

	/* Features promise fields the configuration space does not have. */
	fx->blk.model.config_len = 20;
	vtest_start(&fx->t, &fx->blk.model, SIM_MODERN, vioblk_features());
	assert_int_not_equal(vioblk_attach(&fx->sc, fx->t.sc, 1), 0);
}

static void
test_attach_no_memory(void **state)
{
	struct fixture *fx;
	unsigned int k;
	int error;

	(void)state;
	/* Fail each DMA allocation of attach in turn: no leak, ENOMEM. */
	for (k = 1;; k++) {
		fx = fx_new(FEATURES);
		vtest_start(&fx->t, &fx->blk.model, SIM_MODERN,
		    vioblk_features());
		fx->t.sim->dma_fail_after = fx->t.sim->dma_allocs + k;
		error = vioblk_attach(&fx->sc, fx->t.sc, 1);
		fx->attached = error == 0;
		fx_free(fx);
		if (error == 0)
			break;
		assert_int_equal(error, ENOMEM);
	}
	/* The ring, then the header/status slots. */
	assert_int_equal(k, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write_every_transport),
		cmocka_unit_test(test_each_feature_alone),
		cmocka_unit_test(test_without_indirect),
		cmocka_unit_test(test_split_to_size_max),
		cmocka_unit_test_setup_teardown(test_bad_requests,
		    setup, teardown),
		cmocka_unit_test(test_flush),
		cmocka_unit_test_setup_teardown(test_get_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_id_answered_late,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard_write_zeroes,
		    setup, teardown),
		cmocka_unit_test(test_discard_unsupported),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test_setup_teardown(test_status_bytes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_used_len,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bogus_used_id,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_intr_fails_everything_on_broken_device, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_queue_full,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_bad_config,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_short_config,
		    setup, teardown),
		cmocka_unit_test(test_attach_no_memory),
	};

	return (cmocka_run_group_tests_name("blk", tests, NULL, NULL));
}
