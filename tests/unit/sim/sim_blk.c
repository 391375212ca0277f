/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_blk.h"
#include "sim_stream.h"
#include "virtio_reg.h"

#define SIM_BLK_DEFAULT_SECTORS	16384	/* 8 MiB */

void
sim_blk_set_config(struct sim_blk *b, uint32_t off, uint64_t val, int width)
{
	sim_put_le(b->config + off, val, width);
}

static bool
range_ok(const struct sim_blk *b, uint64_t sector, uint64_t n)
{
	return (sector <= b->sectors && n <= b->sectors - sector);
}

static uint8_t
blk_rw(struct sim_blk *b, struct sim_chain *ch, uint32_t type, uint64_t sector)
{
	uint64_t len;
	unsigned int i;

	b->last_data_segs = 0;
	for (i = 1; i + 1 < ch->nsegs; i++) {
		b->last_data_segs++;
		if (ch->segs[i].len > b->max_data_seg)
			b->max_data_seg = ch->segs[i].len;
	}
	if (type == VIRTIO_BLK_T_IN)
		len = ch->writable - 1;
	else
		len = ch->readable - VIRTIO_BLK_OUTHDR_SIZE;
	if (len % 512 != 0 || !range_ok(b, sector, len / 512))
		return (VIRTIO_BLK_S_IOERR);
	if (type == VIRTIO_BLK_T_IN)
		sim_stream_write(ch, 0, b->disk + sector * 512, len);
	else
		sim_stream_read(ch, VIRTIO_BLK_OUTHDR_SIZE,
		    b->disk + sector * 512, len);
	return (VIRTIO_BLK_S_OK);
}

static uint8_t
blk_range(struct sim_blk *b, struct sim_chain *ch, uint32_t type)
{
	uint8_t r[VIRTIO_BLK_RANGE_SIZE];

	if (sim_stream_read(ch, VIRTIO_BLK_OUTHDR_SIZE, r, sizeof(r)) !=
	    sizeof(r))
		return (VIRTIO_BLK_S_IOERR);
	b->range_sector = sim_get_le(r + VIRTIO_BLK_RANGE_SECTOR, 8);
	b->range_sectors = sim_get_le(r + VIRTIO_BLK_RANGE_NUM_SECTORS, 4);
	b->range_flags = sim_get_le(r + VIRTIO_BLK_RANGE_FLAGS, 4);
	if (!range_ok(b, b->range_sector, b->range_sectors))
		return (VIRTIO_BLK_S_IOERR);
	if (type == VIRTIO_BLK_T_WRITE_ZEROES)
		memset(b->disk + b->range_sector * 512, 0,
		    (size_t)b->range_sectors * 512);
	return (VIRTIO_BLK_S_OK);
}

static int
blk_process(struct sim_dev *dev, uint16_t q, struct sim_chain *ch, void *arg)
{
	struct sim_blk *b = arg;
	uint8_t hdr[VIRTIO_BLK_OUTHDR_SIZE], status;
	uint32_t type;

	(void)dev;
	if (b->hold) {
		if (b->nheld == SIM_BLK_MAX_HELD)
			return (0);
		b->held[b->nheld] = malloc(sizeof(*ch));
		memcpy(b->held[b->nheld++], ch, sizeof(*ch));
		return (SIM_HOLD);
	}
	b->requests++;
	b->queue_requests[q]++;
	if (ch->writable == 0 ||
	    sim_stream_read(ch, 0, hdr, sizeof(hdr)) != sizeof(hdr))
		return (0);
	type = sim_get_le(hdr + VIRTIO_BLK_OUTHDR_TYPE, 4);
	b->last_type = type;
	b->last_sector = sim_get_le(hdr + VIRTIO_BLK_OUTHDR_SECTOR, 8);
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		status = blk_rw(b, ch, type, b->last_sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		b->flushes++;
		status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		sim_stream_write(ch, 0, b->serial,
		    ch->writable - 1 < sizeof(b->serial) ?
		    ch->writable - 1 : sizeof(b->serial));
		status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = blk_range(b, ch, type);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (b->status_override >= 0)
		status = (uint8_t)b->status_override;
	sim_stream_write(ch, ch->writable - 1, &status, 1);
	return (ch->writable > b->len_short ? ch->writable - b->len_short : 0);
}

struct sim_chain *
sim_blk_take(struct sim_blk *b)
{
	struct sim_chain *ch;

	if (b->nheld == 0)
		return (NULL);
	ch = b->held[0];
	memmove(&b->held[0], &b->held[1], --b->nheld * sizeof(b->held[0]));
	return (ch);
}

int
sim_blk_answer(struct sim_blk *b, struct sim_dev *dev)
{
	struct sim_chain *ch;
	bool hold = b->hold;
	int len;

	if ((ch = sim_blk_take(b)) == NULL)
		return (ENOENT);
	b->hold = false;
	len = blk_process(dev, 0, ch, b);
	b->hold = hold;
	sim_complete(dev, 0, ch->head, (uint32_t)len);
	free(ch);
	return (0);
}

static void
blk_reset(struct sim_dev *dev, void *arg)
{
	struct sim_blk *b = arg;

	(void)dev;
	while (b->nheld > 0)
		free(b->held[--b->nheld]);
}

void
sim_blk_init(struct sim_blk *b, uint64_t features, uint64_t sectors)
{
	memset(b, 0, sizeof(*b));
	b->sectors = sectors != 0 ? sectors : SIM_BLK_DEFAULT_SECTORS;
	b->disk = calloc(b->sectors, 512);
	b->status_override = -1;
	memcpy(b->serial, "SIM-DISK-0001", 13);

	sim_put_le(b->config + VIRTIO_BLK_CONFIG_CAPACITY, b->sectors, 8);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_SIZE_MAX, 65536, 4);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_SEG_MAX, 126, 4);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_CYLINDERS, 16, 2);
	b->config[VIRTIO_BLK_CONFIG_HEADS] = 16;
	b->config[VIRTIO_BLK_CONFIG_SECTORS] = 63;
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_BLK_SIZE, 512, 4);
	b->config[VIRTIO_BLK_CONFIG_PHYS_BLOCK_EXP] = 3;
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_MIN_IO_SIZE, 1, 2);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_OPT_IO_SIZE, 128, 4);
	b->config[VIRTIO_BLK_CONFIG_WRITEBACK] = 1;
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_NUM_QUEUES, 1, 2);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_MAX_DISCARD_SECTORS, 4096, 4);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_MAX_DISCARD_SEG, 1, 4);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_DISCARD_ALIGNMENT, 8, 4);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_MAX_WZ_SECTORS, 4096, 4);
	sim_put_le(b->config + VIRTIO_BLK_CONFIG_MAX_WZ_SEG, 1, 4);
	b->config[VIRTIO_BLK_CONFIG_WZ_MAY_UNMAP] = 1;

	b->model.name = "sim-blk";
	b->model.device_type = VIRTIO_ID_BLOCK;
	b->model.features = features;
	b->model.num_queues = 1;
	b->model.queue_size = 128;
	b->model.config = b->config;
	b->model.config_len = sizeof(b->config);
	b->model.process = blk_process;
	b->model.reset = blk_reset;
	b->model.arg = b;
}

void
sim_blk_fini(struct sim_blk *b)
{
	blk_reset(NULL, b);
	free(b->disk);
	b->disk = NULL;
}
