/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-blk requests: attach, build, complete.
 *
 * Every request gets a slot in its queue's DMA area holding what the
 * driver owns of it: the header, a discard/write-zeroes range, the GET_ID
 * answer and the status byte.  Each queue has its own slots, so queues
 * share nothing a caller would have to lock.  Data buffers are the OS's,
 * already mapped.
 */

#include "vio_os.h"
#include "vio_le.h"
#include "vioblk.h"

/* Layout of one slot in bq_dma. */
#define SLOT_HDR	0
#define SLOT_RANGE	(SLOT_HDR + VIRTIO_BLK_OUTHDR_SIZE)
#define SLOT_ID		(SLOT_RANGE + VIRTIO_BLK_RANGE_SIZE)
#define SLOT_STATUS	(SLOT_ID + VIRTIO_BLK_ID_BYTES)
#define SLOT_SIZE	64

/* Header and status around the data (or a range, or the GET_ID answer). */
#define VIOBLK_OWN_SEGS	2

uint64_t
vioblk_features(void)
{

	return (VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX |
	    VIRTIO_BLK_F_GEOMETRY | VIRTIO_BLK_F_RO | VIRTIO_BLK_F_BLK_SIZE |
	    VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_TOPOLOGY |
	    VIRTIO_BLK_F_CONFIG_WCE | VIRTIO_BLK_F_MQ | VIRTIO_BLK_F_DISCARD |
	    VIRTIO_BLK_F_WRITE_ZEROES | VIRTIO_F_VERSION_1);
}

/* The configuration bytes the negotiated features make us read. */
static uint32_t
vioblk_config_needed(uint64_t f)
{

	if (f & VIRTIO_BLK_F_WRITE_ZEROES)
		return (VIRTIO_BLK_CONFIG_WZ_MAY_UNMAP + 1);
	if (f & VIRTIO_BLK_F_DISCARD)
		return (VIRTIO_BLK_CONFIG_MAX_WZ_SECTORS);
	if (f & VIRTIO_BLK_F_MQ)
		return (VIRTIO_BLK_CONFIG_NUM_QUEUES + 2);
	if (f & VIRTIO_BLK_F_CONFIG_WCE)
		return (VIRTIO_BLK_CONFIG_WRITEBACK + 1);
	if (f & VIRTIO_BLK_F_TOPOLOGY)
		return (VIRTIO_BLK_CONFIG_WRITEBACK);
	if (f & VIRTIO_BLK_F_BLK_SIZE)
		return (VIRTIO_BLK_CONFIG_PHYS_BLOCK_EXP);
	if (f & VIRTIO_BLK_F_GEOMETRY)
		return (VIRTIO_BLK_CONFIG_BLK_SIZE);
	if (f & VIRTIO_BLK_F_SEG_MAX)
		return (VIRTIO_BLK_CONFIG_CYLINDERS);
	if (f & VIRTIO_BLK_F_SIZE_MAX)
		return (VIRTIO_BLK_CONFIG_SEG_MAX);
	return (VIRTIO_BLK_CONFIG_SIZE_MAX);
}

/* Read a consistent snapshot of the configuration and decode it. */
int
vioblk_read_config(struct vio_softc *vio, struct vioblk_config *cfg)
{
	uint8_t raw[VIRTIO_BLK_CONFIG_SIZE];
	uint32_t need;
	int error;

	/* A configuration space too short for the features: EINVAL. */
	need = vioblk_config_needed(vio->sc_features);
	vio_memset(raw, 0, sizeof(raw));
	if ((error = vio_config_read(vio, 0, raw, need)) == 0)
		error = vioblk_config_parse(raw, sizeof(raw),
		    vio->sc_features, cfg);
	if (error != 0)
		vio_log(vio->sc_os, "vioblk: bad device configuration\n");
	return (error);
}

/* The queues' names, for the core's log and the OS's counters. */
static const char *const vioblk_vq_names[VIOBLK_MAX_QUEUES] = {
	"req0", "req1", "req2", "req3", "req4", "req5", "req6", "req7",
	"req8", "req9", "req10", "req11", "req12", "req13", "req14", "req15"
};

/* Queue index: its ring and its slots. */
static int
vioblk_queue_init(struct vioblk_softc *sc, uint16_t index)
{
	struct vioblk_queue *bq = &sc->sc_queues[index];
	unsigned int i;
	int error;

	bq->bq_sc = sc;
	error = vq_alloc(sc->sc_vio, &bq->bq_vq, index, 0,
	    VIOBLK_MAX_SEGS + VIOBLK_OWN_SEGS, vioblk_vq_names[index]);
	if (error != 0)
		return (error);
	bq->bq_nslots = bq->bq_vq.vq_num;
	if (bq->bq_nslots > VIOBLK_MAX_SLOTS)
		bq->bq_nslots = VIOBLK_MAX_SLOTS;
	error = vio_dma_alloc(sc->sc_vio->sc_os, bq->bq_nslots * SLOT_SIZE,
	    SLOT_SIZE, &bq->bq_dma);
	if (error != 0) {
		vq_free(&bq->bq_vq);
		return (error);
	}
	for (i = 0; i < bq->bq_nslots; i++)
		bq->bq_free[i] = bq->bq_nslots - 1 - i;
	bq->bq_nfree = bq->bq_nslots;
	return (0);
}

/*
 * Set up the queues, queue 0 first.  The device may have fewer than its
 * num_queues promised: a queue the transport does not have (ENOENT) ends
 * the list there.
 */
static int
vioblk_queues_init(struct vioblk_softc *sc, unsigned int wanted)
{
	uint16_t i, n;
	int error;

	n = vioblk_queues_wanted(&sc->sc_cfg, wanted);
	for (i = 0; i < n; i++) {
		error = vioblk_queue_init(sc, i);
		if (error == ENOENT && i > 0) {
			vio_log(sc->sc_vio->sc_os, "vioblk: num_queues %u, but "
			    "the device has %u queues\n",
			    sc->sc_cfg.num_queues, i);
			break;
		}
		if (error != 0)
			return (error);
		sc->sc_nqueues++;
	}
	return (0);
}

/* One limit for every queue: the smallest chain any of them takes. */
static uint32_t
vioblk_max_chain(const struct vioblk_softc *sc)
{
	uint32_t n;
	uint16_t i;

	n = sc->sc_queues[0].bq_vq.vq_maxsegs;
	for (i = 1; i < sc->sc_nqueues; i++)
		if (sc->sc_queues[i].bq_vq.vq_maxsegs < n)
			n = sc->sc_queues[i].bq_vq.vq_maxsegs;
	return (n);
}

int
vioblk_attach(struct vioblk_softc *sc, struct vio_softc *vio,
    unsigned int wanted)
{
	int error;

	vio_memset(sc, 0, sizeof(*sc));
	sc->sc_vio = vio;
	if ((error = vioblk_read_config(vio, &sc->sc_cfg)) != 0)
		goto broken;
	if ((error = vioblk_queues_init(sc, wanted)) != 0) {
		vioblk_detach(sc);
		return (error);
	}
	if ((error = vioblk_limits_init(&sc->sc_cfg, vioblk_max_chain(sc),
	    &sc->sc_lim)) != 0) {
		vio_log(vio->sc_os, "vioblk: queue too small for a block\n");
		vioblk_detach(sc);
		goto broken;
	}
	return (0);

broken:
	vio_mark_broken(vio, "vioblk: bad configuration");
	return (error);
}

void
vioblk_detach(struct vioblk_softc *sc)
{
	struct vioblk_queue *bq;

	while (sc->sc_nqueues > 0) {
		bq = &sc->sc_queues[--sc->sc_nqueues];
		vio_dma_free(sc->sc_vio->sc_os, &bq->bq_dma);
		vq_free(&bq->bq_vq);
	}
}

static uint8_t *
slot_ptr(struct vioblk_queue *bq, unsigned int slot, unsigned int off)
{

	return ((uint8_t *)bq->bq_dma.vaddr + slot * SLOT_SIZE + off);
}

static uint64_t
slot_addr(struct vioblk_queue *bq, unsigned int slot, unsigned int off)
{

	return (bq->bq_dma.busaddr + slot * SLOT_SIZE + off);
}

static void
seg_set(struct vio_seg *s, uint64_t addr, uint32_t len, bool write)
{

	s->vs_addr = addr;
	s->vs_len = len;
	s->vs_write = write;
}

/* Check a request against the device's configuration. */
static int
vioblk_check(const struct vioblk_softc *sc, struct vioblk_req *req)
{
	const struct vioblk_config *cfg = &sc->sc_cfg;
	uint64_t capacity, nsect;
	unsigned int i;

	req->br_datalen = 0;
	switch (req->br_op) {
	case VIOBLK_OP_READ:
	case VIOBLK_OP_WRITE:
		if (req->br_op == VIOBLK_OP_WRITE && cfg->readonly)
			return (EROFS);
		if (req->br_nsegs == 0 || req->br_segs == NULL)
			return (EINVAL);
		for (i = 0; i < req->br_nsegs; i++) {
			if (req->br_segs[i].len == 0 ||
			    req->br_segs[i].len > VIOBLK_MAX_XFER)
				return (EINVAL);
			req->br_datalen += req->br_segs[i].len;
			if (req->br_datalen > VIOBLK_MAX_XFER)
				return (E2BIG);
		}
		if (req->br_datalen % VIRTIO_BLK_SECTOR_SIZE != 0)
			return (EINVAL);
		nsect = req->br_datalen / VIRTIO_BLK_SECTOR_SIZE;
		break;
	case VIOBLK_OP_FLUSH:
		return (cfg->has_flush ? 0 : EOPNOTSUPP);
	case VIOBLK_OP_GET_ID:
		return (0);
	case VIOBLK_OP_DISCARD:
	case VIOBLK_OP_WRITE_ZEROES:
		if (req->br_op == VIOBLK_OP_DISCARD ? !cfg->has_discard :
		    !cfg->has_write_zeroes)
			return (EOPNOTSUPP);
		if (cfg->readonly)
			return (EROFS);
		nsect = req->br_nsectors;
		if (nsect == 0 || nsect > (req->br_op == VIOBLK_OP_DISCARD ?
		    cfg->max_discard_sectors : cfg->max_wz_sectors))
			return (EINVAL);
		break;
	default:
		return (EINVAL);
	}
	/*
	 * One read of the capacity: a configuration change may store a new
	 * one meanwhile (vioblk.h), and both bounds must hold for the same.
	 */
	capacity = *(volatile const uint64_t *)&cfg->capacity;
	if (req->br_sector > capacity || nsect > capacity - req->br_sector)
		return (EINVAL);
	return (0);
}

/* Append the OS's data segments, split to the device's size_max. */
static int
vioblk_add_data(struct vioblk_queue *bq, const struct vioblk_req *req,
    unsigned int *nsegp)
{
	const struct vioblk_limits *lim = &bq->bq_sc->sc_lim;
	const struct vioblk_seg *s;
	uint64_t addr;
	uint32_t left, piece;
	unsigned int i, n, ndata;
	bool write;

	write = req->br_op == VIOBLK_OP_READ;
	n = *nsegp;
	ndata = 0;
	for (i = 0; i < req->br_nsegs; i++) {
		s = &req->br_segs[i];
		addr = s->busaddr;
		for (left = s->len; left > 0; left -= piece) {
			if (ndata == lim->max_segs)
				return (E2BIG);
			piece = left;
			if (piece > lim->max_seg_size)
				piece = lim->max_seg_size;
			seg_set(&bq->bq_segs[n++], addr, piece, write);
			addr += piece;
			ndata++;
		}
	}
	*nsegp = n;
	return (0);
}

static uint32_t
vioblk_type(enum vioblk_op op)
{

	switch (op) {
	case VIOBLK_OP_READ:
		return (VIRTIO_BLK_T_IN);
	case VIOBLK_OP_WRITE:
		return (VIRTIO_BLK_T_OUT);
	case VIOBLK_OP_FLUSH:
		return (VIRTIO_BLK_T_FLUSH);
	case VIOBLK_OP_GET_ID:
		return (VIRTIO_BLK_T_GET_ID);
	case VIOBLK_OP_DISCARD:
		return (VIRTIO_BLK_T_DISCARD);
	default:
		return (VIRTIO_BLK_T_WRITE_ZEROES);
	}
}

/* Build the segment list of req in its slot; returns the count. */
static int
vioblk_build(struct vioblk_queue *bq, struct vioblk_req *req, unsigned int *np)
{
	uint8_t *hdr, *range;
	unsigned int slot, n;
	int error;
	bool rw;

	slot = req->br_slot;
	rw = req->br_op == VIOBLK_OP_READ || req->br_op == VIOBLK_OP_WRITE;
	hdr = slot_ptr(bq, slot, SLOT_HDR);
	vio_le32enc(hdr + VIRTIO_BLK_OUTHDR_TYPE, vioblk_type(req->br_op));
	vio_le32enc(hdr + VIRTIO_BLK_OUTHDR_IOPRIO, 0);
	vio_le64enc(hdr + VIRTIO_BLK_OUTHDR_SECTOR, rw ? req->br_sector : 0);
	*slot_ptr(bq, slot, SLOT_STATUS) = 0xff;	/* not a valid status */

	n = 0;
	seg_set(&bq->bq_segs[n++], slot_addr(bq, slot, SLOT_HDR),
	    VIRTIO_BLK_OUTHDR_SIZE, false);
	req->br_inlen = 1;
	if (rw) {
		if ((error = vioblk_add_data(bq, req, &n)) != 0)
			return (error);
		if (req->br_op == VIOBLK_OP_READ)
			req->br_inlen += req->br_datalen;
	} else if (req->br_op == VIOBLK_OP_DISCARD ||
	    req->br_op == VIOBLK_OP_WRITE_ZEROES) {
		range = slot_ptr(bq, slot, SLOT_RANGE);
		vio_le64enc(range + VIRTIO_BLK_RANGE_SECTOR, req->br_sector);
		vio_le32enc(range + VIRTIO_BLK_RANGE_NUM_SECTORS,
		    req->br_nsectors);
		vio_le32enc(range + VIRTIO_BLK_RANGE_FLAGS,
		    req->br_op == VIOBLK_OP_WRITE_ZEROES && req->br_unmap ?
		    VIRTIO_BLK_WZ_FLAG_UNMAP : 0);
		seg_set(&bq->bq_segs[n++], slot_addr(bq, slot, SLOT_RANGE),
		    VIRTIO_BLK_RANGE_SIZE, false);
	} else if (req->br_op == VIOBLK_OP_GET_ID) {
		vio_memset(slot_ptr(bq, slot, SLOT_ID), 0,
		    VIRTIO_BLK_ID_BYTES);
		seg_set(&bq->bq_segs[n++], slot_addr(bq, slot, SLOT_ID),
		    VIRTIO_BLK_ID_BYTES, true);
		req->br_inlen += VIRTIO_BLK_ID_BYTES;
	}
	seg_set(&bq->bq_segs[n++], slot_addr(bq, slot, SLOT_STATUS), 1, true);
	*np = n;
	return (0);
}

int
vioblk_submit(struct vioblk_queue *bq, struct vioblk_req *req)
{
	struct vio_softc *vio = bq->bq_sc->sc_vio;
	unsigned int nsegs;
	int error;

	if (vio_is_broken(vio))
		return (EIO);
	if ((error = vioblk_check(bq->bq_sc, req)) != 0)
		return (error);
	if (bq->bq_nfree == 0)
		return (ENOSPC);
	req->br_slot = bq->bq_free[--bq->bq_nfree];
	req->br_error = 0;
	req->br_serial[0] = '\0';
	if ((error = vioblk_build(bq, req, &nsegs)) == 0) {
		vio_dma_sync(vio->sc_os, &bq->bq_dma,
		    VIO_DMA_PREWRITE | VIO_DMA_PREREAD);
		error = vq_enqueue(&bq->bq_vq, bq->bq_segs, nsegs, req);
	}
	if (error != 0) {
		bq->bq_free[bq->bq_nfree++] = req->br_slot;
		return (error);
	}
	bq->bq_stats.submitted++;
	return (0);
}

void
vioblk_kick(struct vioblk_queue *bq)
{

	vq_kick(&bq->bq_vq);
}

int
vioblk_status_to_errno(uint8_t status)
{

	switch (status) {
	case VIRTIO_BLK_S_OK:
		return (0);
	case VIRTIO_BLK_S_UNSUPP:
		return (EOPNOTSUPP);
	case VIRTIO_BLK_S_IOERR:
	default:
		return (EIO);
	}
}

/* The serial is NUL-padded ASCII; keep it printable. */
static void
vioblk_copy_serial(char *dst, const uint8_t *src)
{
	unsigned int i;

	for (i = 0; i < VIRTIO_BLK_ID_BYTES && src[i] != '\0'; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

static void
vioblk_finish(struct vioblk_queue *bq, struct vioblk_req *req, uint32_t len)
{
	uint8_t status;

	vio_dma_sync(bq->bq_sc->sc_vio->sc_os, &bq->bq_dma,
	    VIO_DMA_POSTWRITE | VIO_DMA_POSTREAD);
	status = *slot_ptr(bq, req->br_slot, SLOT_STATUS);
	if (len < req->br_inlen) {
		/* The device did not say it wrote the status byte. */
		bq->bq_stats.short_len++;
		req->br_error = EIO;
	} else {
		if (status > VIRTIO_BLK_S_UNSUPP)
			bq->bq_stats.bad_status++;
		req->br_error = vioblk_status_to_errno(status);
	}
	if (req->br_error == 0 && req->br_op == VIOBLK_OP_GET_ID)
		vioblk_copy_serial(req->br_serial,
		    slot_ptr(bq, req->br_slot, SLOT_ID));
	if (req->br_error != 0)
		bq->bq_stats.errors++;
	bq->bq_stats.completed++;
	bq->bq_free[bq->bq_nfree++] = req->br_slot;
}

int
vioblk_complete(struct vioblk_queue *bq, struct vioblk_req **reqp)
{
	void *cookie;
	uint32_t len;
	int error;

	if ((error = vq_dequeue(&bq->bq_vq, &cookie, &len)) != 0)
		return (error);
	*reqp = cookie;
	vioblk_finish(bq, *reqp, len);
	return (0);
}

/* A request the device will never complete: it fails with EIO. */
static void
vioblk_fail_req(struct vioblk_queue *bq, struct vioblk_req *req)
{

	req->br_error = EIO;
	bq->bq_stats.errors++;
	bq->bq_free[bq->bq_nfree++] = req->br_slot;
}

/* After vio_reset(): fail one request still in flight with EIO. */
int
vioblk_reclaim(struct vioblk_queue *bq, struct vioblk_req **reqp)
{
	void *cookie;
	int error;

	if ((error = vq_reclaim(&bq->bq_vq, &cookie)) != 0)
		return (error);
	*reqp = cookie;
	vioblk_fail_req(bq, *reqp);
	return (0);
}

/* vq_drain() callbacks: the OS's done hook for each request. */
struct vioblk_drain {
	struct vioblk_queue	*bq;
	vioblk_done_fn		*done;
	void			*arg;
};

static int
vioblk_take(void *p)
{
	struct vioblk_drain *d = p;
	struct vioblk_req *req;
	int error;

	if ((error = vioblk_complete(d->bq, &req)) == 0)
		d->done(d->arg, req);
	return (error);
}

static void
vioblk_fail(void *p, void *cookie)
{
	struct vioblk_drain *d = p;

	vioblk_fail_req(d->bq, cookie);
	d->done(d->arg, cookie);
}

int
vioblk_intr(struct vioblk_queue *bq, vioblk_done_fn *done, void *arg)
{
	struct vioblk_drain d = { bq, done, arg };

	return (vq_drain(&bq->bq_vq, vioblk_take, vioblk_fail, &d));
}
