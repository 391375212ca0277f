/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include <stdlib.h>
#include <string.h>

#include "sim_balloon.h"
#include "sim_stream.h"
#include "virtio_reg.h"

/* Apply an inflate or deflate chain to the set of ballooned PFNs. */
static void
balloon_apply(struct sim_balloon *b, uint16_t q, const struct sim_chain *ch)
{
	uint8_t raw[4];
	uint32_t i, pfn;

	for (i = 0; i + 4 <= ch->readable; i += 4) {
		sim_stream_read(ch, i, raw, 4);
		pfn = (uint32_t)sim_get_le(raw, 4);
		if (pfn >= SIM_BALLOON_MAX_PFNS ||
		    b->in_balloon[pfn] == (q == VIRTIO_BALLOON_Q_INFLATE)) {
			b->bad_pfns++;
			continue;
		}
		b->in_balloon[pfn] = q == VIRTIO_BALLOON_Q_INFLATE;
		if (q == VIRTIO_BALLOON_Q_INFLATE)
			b->npfns++;
		else
			b->npfns--;
	}
	if (q == VIRTIO_BALLOON_Q_INFLATE)
		b->inflates++;
	else
		b->deflates++;
}

static int
balloon_process(struct sim_dev *dev, uint16_t q, struct sim_chain *ch,
    void *arg)
{
	struct sim_balloon *b = arg;

	(void)dev;
	if (q == VIRTIO_BALLOON_Q_STATS) {
		b->stats_received++;
		b->stats_len = sim_stream_read(ch, 0, b->stats,
		    sizeof(b->stats));
		b->stats_held = true;
		b->stats_head = ch->head;
		return (SIM_HOLD);
	}
	if (b->hold) {
		b->held = true;
		b->held_q = q;
		memcpy(&b->held_chain, ch, sizeof(*ch));
		return (SIM_HOLD);
	}
	balloon_apply(b, q, ch);
	return (0);
}

static void
balloon_config_written(struct sim_dev *dev, uint32_t off, int width,
    void *arg)
{
	struct sim_balloon *b = arg;

	(void)dev;
	(void)width;
	if (off == VIRTIO_BALLOON_CONFIG_ACTUAL)
		b->actual_writes++;
}

static void
balloon_reset(struct sim_dev *dev, void *arg)
{
	struct sim_balloon *b = arg;

	(void)dev;
	b->held = false;
	b->stats_held = false;
}

void
sim_balloon_init(struct sim_balloon *b, uint64_t features)
{
	memset(b, 0, sizeof(*b));
	b->in_balloon = calloc(SIM_BALLOON_MAX_PFNS, 1);
	b->model.name = "sim-balloon";
	b->model.device_type = VIRTIO_ID_BALLOON;
	b->model.features = features;
	b->model.num_queues = (features & VIRTIO_BALLOON_F_STATS_VQ) ? 3 : 2;
	b->model.queue_size = 128;
	b->model.config = b->config;
	b->model.config_len = sizeof(b->config);
	b->model.process = balloon_process;
	b->model.config_written = balloon_config_written;
	b->model.reset = balloon_reset;
	b->model.arg = b;
}

void
sim_balloon_fini(struct sim_balloon *b)
{
	free(b->in_balloon);
	b->in_balloon = NULL;
}

void
sim_balloon_set_target(struct sim_balloon *b, struct sim_dev *dev,
    uint32_t pages)
{
	uint8_t raw[4];

	(void)b;
	sim_put_le(raw, pages, 4);
	sim_config_update(dev, VIRTIO_BALLOON_CONFIG_NUM_PAGES, raw, 4);
}

uint32_t
sim_balloon_actual(const struct sim_dev *dev)
{
	return ((uint32_t)sim_get_le(dev->config +
	    VIRTIO_BALLOON_CONFIG_ACTUAL, 4));
}

bool
sim_balloon_release(struct sim_balloon *b, struct sim_dev *dev)
{
	if (!b->held)
		return (false);
	b->held = false;
	balloon_apply(b, b->held_q, &b->held_chain);
	sim_complete(dev, b->held_q, b->held_chain.head, 0);
	return (true);
}

bool
sim_balloon_want_stats(struct sim_balloon *b, struct sim_dev *dev)
{
	if (!b->stats_held)
		return (false);
	b->stats_held = false;
	sim_complete(dev, VIRTIO_BALLOON_Q_STATS, b->stats_head, 0);
	return (true);
}

bool
sim_balloon_stat(const struct sim_balloon *b, uint16_t tag, uint64_t *val)
{
	uint32_t off;

	for (off = 0; off + VIRTIO_BALLOON_STAT_SIZE <= b->stats_len;
	    off += VIRTIO_BALLOON_STAT_SIZE) {
		if (sim_get_le(b->stats + off + VIRTIO_BALLOON_STAT_TAG, 2) ==
		    tag) {
			*val = sim_get_le(b->stats + off +
			    VIRTIO_BALLOON_STAT_VAL, 8);
			return (true);
		}
	}
	return (false);
}
