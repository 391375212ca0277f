/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The vioblk tests' fixture (test_blk.c, test_blk_mq.c): a simulated
 * disk, the core brought up on it, vioblk attached, a data buffer.
 * Include after <cmocka.h>.
 */

#ifndef _BLK_FIXTURE_H_
#define _BLK_FIXTURE_H_

#include <stdlib.h>

#include "vtest.h"
#include "vioblk.h"
#include "sim_blk.h"

struct fixture {
	struct sim_blk		blk;
	struct vtest		t;
	struct vioblk_softc	sc;
	struct vioblk_queue	*q;	/* queue 0 */
	struct vio_dma		*buf;	/* data buffer, 64 KiB */
	bool			attached;
};

static inline struct fixture *
fx_new(uint64_t features)
{
	struct fixture *fx;

	fx = calloc(1, sizeof(*fx));
	sim_blk_init(&fx->blk, features, 0);
	return (fx);
}

/*
 * Bring the device up on transport and attach vioblk with up to wanted
 * queues; on success the device is live.  Returns vioblk_attach()'s
 * answer.
 */
static inline int
fx_attach_queues(struct fixture *fx, enum sim_transport t, unsigned int wanted)
{
	int error;

	vtest_start(&fx->t, &fx->blk.model, t, vioblk_features());
	error = vioblk_attach(&fx->sc, fx->t.sc, wanted);
	if (error != 0)
		return (error);
	fx->attached = true;
	fx->q = &fx->sc.sc_queues[0];
	assert_int_equal(vio_driver_ok(fx->t.sc), 0);
	fx->buf = vtest_dma(&fx->t, 65536);
	return (0);
}

static inline void
fx_free(struct fixture *fx)
{
	if (fx->t.sim != NULL) {
		vio_reset(fx->t.sc);
		if (fx->attached)
			vioblk_detach(&fx->sc);
		vtest_finish(&fx->t);
	}
	sim_blk_fini(&fx->blk);
	free(fx);
}

/* A vioblk_intr() done hook that counts. */
struct done_log {
	unsigned int	n, errors;
};

static inline void
log_done(void *arg, struct vioblk_req *req)
{
	struct done_log *log = arg;

	log->n++;
	if (req->br_error != 0)
		log->errors++;
}

#endif /* !_BLK_FIXTURE_H_ */
