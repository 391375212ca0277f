/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-blk configuration: decode a snapshot of the device configuration
 * space, refuse values no real device would offer, and derive the request
 * limits the OS must respect.
 */

#include "vio_os.h"
#include "vio_le.h"
#include "vioblk.h"

/* Largest logical block we accept; the specification sets no bound. */
#define VIOBLK_BLK_SIZE_MAX	65536
/* Largest physical block (blk_size << phys_block_exp) we accept. */
#define VIOBLK_PHYS_SIZE_MAX	(16U * 1024 * 1024)

static bool
is_pow2(uint32_t v)
{

	return (v != 0 && (v & (v - 1)) == 0);
}

static int
vioblk_parse_topology(const uint8_t *raw, struct vioblk_config *cfg)
{

	cfg->phys_block_exp = raw[VIRTIO_BLK_CONFIG_PHYS_BLOCK_EXP];
	cfg->alignment_offset = raw[VIRTIO_BLK_CONFIG_ALIGNMENT_OFFSET];
	cfg->min_io_size = vio_le16dec(raw + VIRTIO_BLK_CONFIG_MIN_IO_SIZE);
	cfg->opt_io_size = vio_le32dec(raw + VIRTIO_BLK_CONFIG_OPT_IO_SIZE);

	/* Both are in logical blocks; keep the shift in range. */
	if (cfg->phys_block_exp > 15 ||
	    ((uint64_t)cfg->blk_size << cfg->phys_block_exp) >
	    VIOBLK_PHYS_SIZE_MAX)
		return (EINVAL);
	if (cfg->alignment_offset >= (1U << cfg->phys_block_exp))
		return (EINVAL);
	return (0);
}

/*
 * Discard and write zeroes: a zero sector limit means the device cannot
 * do it at all, so the feature is dropped rather than the disk refused.
 * We send one range per request, so a zero segment limit is harmless.
 */
static void
vioblk_parse_discard(const uint8_t *raw, struct vioblk_config *cfg)
{

	if (cfg->has_discard) {
		cfg->max_discard_sectors =
		    vio_le32dec(raw + VIRTIO_BLK_CONFIG_MAX_DISCARD_SECTORS);
		cfg->max_discard_seg =
		    vio_le32dec(raw + VIRTIO_BLK_CONFIG_MAX_DISCARD_SEG);
		cfg->discard_alignment =
		    vio_le32dec(raw + VIRTIO_BLK_CONFIG_DISCARD_ALIGNMENT);
		if (cfg->max_discard_sectors == 0)
			cfg->has_discard = false;
	}
	if (cfg->has_write_zeroes) {
		cfg->max_wz_sectors =
		    vio_le32dec(raw + VIRTIO_BLK_CONFIG_MAX_WZ_SECTORS);
		cfg->max_wz_seg =
		    vio_le32dec(raw + VIRTIO_BLK_CONFIG_MAX_WZ_SEG);
		cfg->wz_may_unmap = raw[VIRTIO_BLK_CONFIG_WZ_MAY_UNMAP] != 0;
		if (cfg->max_wz_sectors == 0)
			cfg->has_write_zeroes = false;
	}
}

int
vioblk_config_parse(const uint8_t *raw, size_t rawlen, uint64_t features,
    struct vioblk_config *cfg)
{
	int error;

	vio_memset(cfg, 0, sizeof(*cfg));
	if (rawlen < VIRTIO_BLK_CONFIG_SIZE)
		return (EINVAL);

	cfg->capacity = vio_le64dec(raw + VIRTIO_BLK_CONFIG_CAPACITY);
	/* The OS computes byte offsets from sectors: keep them in 64 bits. */
	if (cfg->capacity > ~(uint64_t)0 / VIRTIO_BLK_SECTOR_SIZE)
		return (EINVAL);

	cfg->blk_size = VIRTIO_BLK_SECTOR_SIZE;
	if (features & VIRTIO_BLK_F_BLK_SIZE) {
		cfg->blk_size = vio_le32dec(raw + VIRTIO_BLK_CONFIG_BLK_SIZE);
		if (!is_pow2(cfg->blk_size) ||
		    cfg->blk_size < VIRTIO_BLK_SECTOR_SIZE ||
		    cfg->blk_size > VIOBLK_BLK_SIZE_MAX)
			return (EINVAL);
	}
	if (features & VIRTIO_BLK_F_SIZE_MAX) {
		cfg->size_max = vio_le32dec(raw + VIRTIO_BLK_CONFIG_SIZE_MAX);
		if (cfg->size_max == 0)
			return (EINVAL);
	}
	if (features & VIRTIO_BLK_F_SEG_MAX) {
		cfg->seg_max = vio_le32dec(raw + VIRTIO_BLK_CONFIG_SEG_MAX);
		if (cfg->seg_max == 0)
			return (EINVAL);
	}
	if (features & VIRTIO_BLK_F_GEOMETRY) {
		cfg->has_geometry = true;
		cfg->cylinders = vio_le16dec(raw + VIRTIO_BLK_CONFIG_CYLINDERS);
		cfg->heads = raw[VIRTIO_BLK_CONFIG_HEADS];
		cfg->sectors = raw[VIRTIO_BLK_CONFIG_SECTORS];
	}
	if (features & VIRTIO_BLK_F_TOPOLOGY) {
		cfg->has_topology = true;
		if ((error = vioblk_parse_topology(raw, cfg)) != 0)
			return (error);
	}
	if (features & VIRTIO_BLK_F_CONFIG_WCE) {
		cfg->writeback = raw[VIRTIO_BLK_CONFIG_WRITEBACK];
		if (cfg->writeback > 1)
			return (EINVAL);
	}
	cfg->num_queues = 1;
	if (features & VIRTIO_BLK_F_MQ) {
		cfg->num_queues =
		    vio_le16dec(raw + VIRTIO_BLK_CONFIG_NUM_QUEUES);
		if (cfg->num_queues == 0)
			return (EINVAL);
	}
	cfg->readonly = (features & VIRTIO_BLK_F_RO) != 0;
	cfg->has_flush = (features & VIRTIO_BLK_F_FLUSH) != 0;
	cfg->has_discard = (features & VIRTIO_BLK_F_DISCARD) != 0;
	cfg->has_write_zeroes = (features & VIRTIO_BLK_F_WRITE_ZEROES) != 0;
	vioblk_parse_discard(raw, cfg);
	return (0);
}

/*
 * Derive what one request may carry.  A device with a small seg_max or
 * size_max is still usable: the OS gets a smaller maximum transfer and
 * vioblk_submit() splits segments longer than size_max.  max_chain is how
 * many descriptors one request may use in the queue (with indirect
 * descriptors, the indirect table size).
 */
int
vioblk_limits_init(const struct vioblk_config *cfg, uint32_t max_chain,
    struct vioblk_limits *lim)
{
	uint32_t per_page, xfer, segs;

	/* Two descriptors go to the header and the status byte. */
	if (max_chain < 3)
		return (EINVAL);
	segs = max_chain - 2;
	if (segs > VIOBLK_MAX_SEGS)
		segs = VIOBLK_MAX_SEGS;
	if (cfg->seg_max != 0 && cfg->seg_max < segs)
		segs = cfg->seg_max;
	lim->max_segs = segs;
	lim->max_seg_size = cfg->size_max != 0 ? cfg->size_max : ~(uint32_t)0;

	/*
	 * The OS hands us segments of at most one 4 KiB page each; each
	 * one becomes per_page pieces once split to size_max.
	 */
	per_page = 1;
	if (lim->max_seg_size < VIOBLK_OS_SEG_SIZE)
		per_page = (VIOBLK_OS_SEG_SIZE + lim->max_seg_size - 1) /
		    lim->max_seg_size;
	if (per_page <= segs)
		xfer = (segs / per_page) * VIOBLK_OS_SEG_SIZE;
	else
		xfer = segs * lim->max_seg_size;
	if (xfer > VIOBLK_MAX_XFER)
		xfer = VIOBLK_MAX_XFER;
	xfer -= xfer % cfg->blk_size;
	if (xfer == 0)
		return (EINVAL);
	lim->max_xfer = xfer;
	return (0);
}

uint16_t
vioblk_queues_wanted(const struct vioblk_config *cfg, unsigned int wanted)
{
	unsigned int n;

	n = cfg->num_queues;
	if (wanted < n)
		n = wanted;
	/* The core's queue table bounds VIOBLK_MAX_QUEUES in turn. */
	if (n > VIOBLK_MAX_QUEUES)
		n = VIOBLK_MAX_QUEUES;
	return (n > 0 ? (uint16_t)n : 1);
}
