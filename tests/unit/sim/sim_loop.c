/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The loop device model (see sim_loop.h).
 */

#include <string.h>

#include "vio_os.h"
#include "virtio_reg.h"
#include "sim_loop.h"

static int
sim_loop_process(struct sim_dev *dev, uint16_t q, struct sim_chain *ch,
    void *arg)
{
	struct sim_loop *loop = arg;
	unsigned int r = 0, w;
	uint32_t roff = 0, woff = 0, n, done = 0;

	(void)dev;
	(void)q;
	loop->chains++;
	loop->last = *ch;
	if (loop->hold) {
		if (loop->nheld < sizeof(loop->held) / sizeof(loop->held[0]))
			loop->held[loop->nheld++] = ch->head;
		return (SIM_HOLD);
	}
	for (w = 0; w < ch->nsegs; w++) {
		if (!ch->segs[w].write)
			continue;
		woff = 0;
		while (woff < ch->segs[w].len && r < ch->nsegs &&
		    !ch->segs[r].write) {
			n = ch->segs[r].len - roff;
			if (n > ch->segs[w].len - woff)
				n = ch->segs[w].len - woff;
			memcpy((uint8_t *)ch->segs[w].ptr + woff,
			    (uint8_t *)ch->segs[r].ptr + roff, n);
			woff += n;
			roff += n;
			done += n;
			if (roff == ch->segs[r].len) {
				r++;
				roff = 0;
			}
		}
	}
	return ((int)done);
}

static void
sim_loop_config_written(struct sim_dev *dev, uint32_t off, int width,
    void *arg)
{
	struct sim_loop *loop = arg;

	(void)dev;
	(void)width;
	loop->config_writes++;
	loop->last_config_off = off;
}

void
sim_loop_init(struct sim_loop *loop, uint64_t features)
{
	unsigned int i;

	memset(loop, 0, sizeof(*loop));
	for (i = 0; i < sizeof(loop->config); i++)
		loop->config[i] = (uint8_t)i;
	loop->model.name = "loop";
	loop->model.device_type = SIM_LOOP_TYPE;
	loop->model.features = features;
	loop->model.num_queues = SIM_LOOP_QUEUES;
	loop->model.queue_size = SIM_LOOP_QSIZE;
	loop->model.config = loop->config;
	loop->model.config_len = sizeof(loop->config);
	loop->model.process = sim_loop_process;
	loop->model.config_written = sim_loop_config_written;
	loop->model.arg = loop;
}
