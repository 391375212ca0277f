/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioblk I/O: bios in, virtio-blk requests out.
 *
 * The disk has a request queue per CPU (as many as the device has, see
 * vioblk(4)); strategy puts a bio on the queue of the CPU it runs on.
 * Everything about one queue runs under that queue's serializer,
 * vbq_slz: strategy takes it, and vio_pci delivers the queue's
 * interrupts with it held, so CPUs submitting to different queues never
 * wait for each other.  biodone() is called with it released, since the
 * buffer layer may start the next I/O from there.  The devstat entry is
 * the disk's, shared by the queues: its busy count is atomic, as for
 * DragonFly's nvme(4), and its totals are statistics.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/buf.h>
#include <sys/buf2.h>
#include <sys/conf.h>
#include <sys/devicestat.h>
#include <sys/disk.h>
#include <sys/serialize.h>
#include <sys/taskqueue.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vioblk.h"
#include "vioblk_var.h"

TAILQ_HEAD(vblk_bios, bio);

static void
vblk_bio_error(struct bio *bio, int error)
{
	struct buf *bp = bio->bio_buf;

	bp->b_error = error;
	bp->b_resid = bp->b_bcount;
	if (error != 0)
		bp->b_flags |= B_ERROR;
}

static void
vblk_map_cb(void *arg, bus_dma_segment_t *segs, int nsegs, int error)
{
	struct vblk_req *vr = arg;
	int i;

	if (error != 0)
		return;
	for (i = 0; i < nsegs; i++) {
		vr->vr_segs[i].busaddr = segs[i].ds_addr;
		vr->vr_segs[i].len = segs[i].ds_len;
	}
	vr->vr_req.br_segs = vr->vr_segs;
	vr->vr_req.br_nsegs = nsegs;
}

/* Turn bio into request vr: 0, or an errno for the bio. */
static int
vblk_build(struct vblk_softc *sc, struct vblk_req *vr, struct bio *bio)
{
	struct vioblk_req *req = &vr->vr_req;
	struct buf *bp = bio->bio_buf;
	int error;

	memset(req, 0, sizeof(*req));
	req->br_cookie = vr;
	req->br_sector = bio->bio_offset / VIRTIO_BLK_SECTOR_SIZE;
	vr->vr_bio = bio;
	switch (bp->b_cmd) {
	case BUF_CMD_READ:
	case BUF_CMD_WRITE:
		req->br_op = bp->b_cmd == BUF_CMD_READ ? VIOBLK_OP_READ :
		    VIOBLK_OP_WRITE;
		error = bus_dmamap_load(sc->sc_dmat, vr->vr_map, bp->b_data,
		    bp->b_bcount, vblk_map_cb, vr, BUS_DMA_NOWAIT);
		if (error != 0 || req->br_nsegs == 0)
			return (error != 0 ? error : EIO);
		bus_dmamap_sync(sc->sc_dmat, vr->vr_map,
		    bp->b_cmd == BUF_CMD_READ ? BUS_DMASYNC_PREREAD :
		    BUS_DMASYNC_PREWRITE);
		vr->vr_mapped = true;
		return (0);
	case BUF_CMD_FLUSH:
		req->br_op = VIOBLK_OP_FLUSH;
		req->br_sector = 0;
		return (0);
	case BUF_CMD_FREEBLKS:
		req->br_op = VIOBLK_OP_DISCARD;
		req->br_nsectors = bp->b_bcount / VIRTIO_BLK_SECTOR_SIZE;
		/* Freeing is advice: do what the device takes at once. */
		if (req->br_nsectors > sc->sc_blk.sc_cfg.max_discard_sectors)
			req->br_nsectors =
			    sc->sc_blk.sc_cfg.max_discard_sectors;
		return (0);
	default:
		return (EOPNOTSUPP);
	}
}

static void
vblk_unmap(struct vblk_softc *sc, struct vblk_req *vr)
{

	if (!vr->vr_mapped)
		return;
	bus_dmamap_sync(sc->sc_dmat, vr->vr_map,
	    vr->vr_req.br_op == VIOBLK_OP_READ ? BUS_DMASYNC_POSTREAD :
	    BUS_DMASYNC_POSTWRITE);
	bus_dmamap_unload(sc->sc_dmat, vr->vr_map);
	vr->vr_mapped = false;
}

static void vblk_biodone_all(struct vblk_queue *, struct vblk_bios *);

/*
 * Post q's queued bios while requests and descriptors last.  A bio
 * stays at the head of the queue when the ring is full and goes out
 * after the next completion.
 */
void
vblk_start(struct vblk_queue *q)
{
	struct vblk_softc *sc = q->vbq_sc;
	struct vblk_bios failed;
	struct vblk_req *vr;
	struct bio *bio;
	int error, posted;

	TAILQ_INIT(&failed);
	posted = 0;
	while ((bio = bioq_first(&q->vbq_bioq)) != NULL &&
	    (vr = TAILQ_FIRST(&q->vbq_free)) != NULL) {
		error = vblk_build(sc, vr, bio);
		if (error == 0)
			error = vioblk_submit(q->vbq_blk, &vr->vr_req);
		if (error == ENOSPC) {
			vblk_unmap(sc, vr);
			break;
		}
		bioq_remove(&q->vbq_bioq, bio);
		if (error != 0) {
			vblk_unmap(sc, vr);
			vblk_bio_error(bio, error);
			TAILQ_INSERT_TAIL(&failed, bio, bio_act);
			continue;
		}
		TAILQ_REMOVE(&q->vbq_free, vr, vr_link);
		devstat_start_transaction(&sc->sc_stats);
		posted++;
	}
	if (posted > 0)
		vioblk_kick(q->vbq_blk);
	vblk_biodone_all(q, &failed);
}

/* Hand a finished request's bio to the caller's list; recycle vr. */
static void
vblk_finish(struct vblk_queue *q, struct vblk_req *vr,
    struct vblk_bios *done)
{
	struct vblk_softc *sc = q->vbq_sc;
	struct bio *bio = vr->vr_bio;
	struct buf *bp;

	vblk_unmap(sc, vr);
	if (bio == NULL) {
		/* The identification request of attach. */
		if (vr->vr_req.br_error == 0)
			strlcpy(sc->sc_serial, vr->vr_req.br_serial,
			    sizeof(sc->sc_serial));
		sc->sc_id_done = true;
		wakeup(&sc->sc_id_done);
	} else {
		bp = bio->bio_buf;
		if (vr->vr_req.br_error != 0) {
			vblk_bio_error(bio, vr->vr_req.br_error);
			if (vr->vr_req.br_error == EIO)
				device_printf(sc->sc_dev, "device error on "
				    "block %ju\n",
				    (uintmax_t)vr->vr_req.br_sector);
		} else {
			bp->b_resid = 0;
		}
		devstat_end_transaction_buf(&sc->sc_stats, bp);
		TAILQ_INSERT_TAIL(done, bio, bio_act);
	}
	vr->vr_bio = NULL;
	TAILQ_INSERT_HEAD(&q->vbq_free, vr, vr_link);
}

/* biodone() each bio of done, with q's serializer (held) released. */
static void
vblk_biodone_all(struct vblk_queue *q, struct vblk_bios *done)
{
	struct bio *bio;

	if (TAILQ_EMPTY(done))
		return;
	lwkt_serialize_exit(&q->vbq_slz);
	while ((bio = TAILQ_FIRST(done)) != NULL) {
		TAILQ_REMOVE(done, bio, bio_act);
		biodone(bio);
	}
	lwkt_serialize_enter(&q->vbq_slz);
}

/* vioblk_intr()'s hook: collect the bio, biodone() it after the loop. */
struct vblk_intr {
	struct vblk_queue	*q;
	struct vblk_bios	 done;
	int			 n;
};

static void
vblk_req_done(void *arg, struct vioblk_req *req)
{
	struct vblk_intr *vi = arg;

	vblk_finish(vi->q, req->br_cookie, &vi->done);
	vi->n++;
}

/* A queue's interrupt, under its vbq_slz (vq_done hook). */
int
vblk_vq_done(struct vio_vq *vq)
{
	struct vblk_queue *q = vq->vq_done_arg;
	struct vblk_softc *sc = q->vbq_sc;
	struct vblk_intr vi;

	vi.q = q;
	vi.n = 0;
	TAILQ_INIT(&vi.done);
	q->vbq_intr_cpu = mycpuid;
	/*
	 * A broken device has been reset and its requests failed; every
	 * queue finds out, one of them says so.
	 */
	if (vioblk_intr(q->vbq_blk, vblk_req_done, &vi) == EIO &&
	    atomic_cmpset_int(&sc->sc_broken_said, 0, 1)) {
		device_printf(sc->sc_dev, "device broken (%s): failing all"
		    " I/O\n", sc->sc_blk.sc_vio->sc_broken_why);
	}
	vblk_start(q);
	vblk_biodone_all(q, &vi.done);
	return (vi.n);
}

/*
 * Configuration change, under sc_slz.  A new capacity (QEMU's
 * block_resize) is taken at once for the bounds the protocol checks
 * (one aligned 64-bit store: the queues read it without sc_slz), and
 * given to the disk layer from a task: disk_setdiskinfo() may sleep,
 * which an interrupt thread must not.  A device that asked for a reset
 * will not interrupt for its queues again: run their handlers, each
 * under its serializer (taken inside sc_slz, never the other way), so
 * that the requests in flight fail now rather than at detach.
 */
void
vblk_config_change(struct vio_softc *vio, void *arg)
{
	struct vblk_softc *sc = arg;
	struct vioblk_config cfg;
	struct vblk_queue *q;
	int i;

	if (vio_is_broken(vio)) {
		for (i = 0; sc->sc_live && i < sc->sc_nqueues; i++) {
			q = &sc->sc_queues[i];
			lwkt_serialize_enter(&q->vbq_slz);
			vblk_vq_done(&q->vbq_blk->bq_vq);
			lwkt_serialize_exit(&q->vbq_slz);
		}
		return;
	}
	if (vioblk_read_config(vio, &cfg) != 0 ||
	    cfg.capacity == sc->sc_blk.sc_cfg.capacity)
		return;
	sc->sc_blk.sc_cfg.capacity = cfg.capacity;
	if (sc->sc_live && !sc->sc_detaching)
		taskqueue_enqueue(taskqueue_thread[0], &sc->sc_resize_task);
}

/* Detach: the device is reset; fail everything each queue still holds. */
void
vblk_fail_all(struct vblk_softc *sc)
{
	struct vblk_bios done;
	struct vioblk_req *req;
	struct vblk_queue *q;
	struct bio *bio;
	int i;

	for (i = 0; i < sc->sc_nqueues; i++) {
		q = &sc->sc_queues[i];
		TAILQ_INIT(&done);
		lwkt_serialize_enter(&q->vbq_slz);
		while (vioblk_reclaim(q->vbq_blk, &req) == 0)
			vblk_finish(q, req->br_cookie, &done);
		while ((bio = bioq_takefirst(&q->vbq_bioq)) != NULL) {
			vblk_bio_error(bio, ENXIO);
			TAILQ_INSERT_TAIL(&done, bio, bio_act);
		}
		vblk_biodone_all(q, &done);
		lwkt_serialize_exit(&q->vbq_slz);
	}
}

int
vblk_strategy(struct dev_strategy_args *ap)
{
	struct vblk_softc *sc = ap->a_head.a_dev->si_drv1;
	struct bio *bio = ap->a_bio;
	struct buf *bp = bio->bio_buf;
	struct vblk_queue *q;
	int error;

	error = 0;
	switch (bp->b_cmd) {
	case BUF_CMD_READ:
		break;
	case BUF_CMD_WRITE:
	case BUF_CMD_FREEBLKS:
		if (sc->sc_readonly)
			error = EROFS;
		/* Without discard, freeing is advice we cannot take. */
		else if (bp->b_cmd == BUF_CMD_FREEBLKS && !sc->sc_discard)
			goto done;
		break;
	case BUF_CMD_FLUSH:
		/* Without the feature the device has no volatile cache. */
		if (!sc->sc_flush)
			goto done;
		break;
	default:
		error = EOPNOTSUPP;
		break;
	}
	if (error == 0 && bp->b_bcount == 0 && bp->b_cmd != BUF_CMD_FLUSH)
		goto done;
	if (error != 0) {
		vblk_bio_error(bio, error);
		biodone(bio);
		return (0);
	}
	/*
	 * The queue of this CPU.  Should the thread move to another CPU
	 * meanwhile, the bio merely takes a queue that is not its CPU's.
	 */
	q = &sc->sc_queues[mycpuid % sc->sc_nqueues];
	lwkt_serialize_enter(&q->vbq_slz);
	if (sc->sc_detaching || !sc->sc_live) {
		lwkt_serialize_exit(&q->vbq_slz);
		vblk_bio_error(bio, ENXIO);
		biodone(bio);
		return (0);
	}
	bioqdisksort(&q->vbq_bioq, bio);
	vblk_start(q);
	lwkt_serialize_exit(&q->vbq_slz);
	return (0);

done:
	bp->b_resid = 0;
	biodone(bio);
	return (0);
}
