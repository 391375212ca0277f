/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioblk: the DragonFly disk(9) driver of a virtio block device, a child
 * of vio_pci.  Attach negotiates, lets the protocol code (drivers/blk)
 * read the configuration and set up the queues (one per CPU, as many as
 * the device has), maps data with bus_dma, asks the device for its
 * serial number and creates the disk; see vioblk(4).  The I/O path is in
 * vioblk_io.c.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/buf.h>
#include <sys/buf2.h>
#include <sys/conf.h>
#include <sys/devicestat.h>
#include <sys/disk.h>
#include <sys/kernel.h>
#include <sys/malloc.h>
#include <sys/module.h>
#include <sys/serialize.h>
#include <sys/sysctl.h>
#include <sys/taskqueue.h>

#include "vio_os.h"
#include "vio_compat.h"
#include "vio.h"
#include "vio_vq.h"
#include "vioblk.h"
#include "vioblk_var.h"
#include "vio_bus_if.h"

MALLOC_DEFINE(M_VIOBLK, "vioblk", "vioblk requests");

static int vblk_discard_disable = 0;
TUNABLE_INT("hw.vioblk.discard_disable", &vblk_discard_disable);
static int vblk_mq_disable = 0;
TUNABLE_INT("hw.vioblk.mq_disable", &vblk_mq_disable);

/* How long attach waits for the device's serial number. */
#define VBLK_ID_TIMEOUT		(5 * hz)

static struct dev_ops vblk_ops = {
	{ "vioblk", 0, D_DISK | D_MPSAFE },
	.d_open =	nullopen,
	.d_close =	nullclose,
	.d_read =	physread,
	.d_write =	physwrite,
	.d_strategy =	vblk_strategy,
};

/* The same, for devices that can discard: BUF_CMD_FREEBLKS comes down. */
static struct dev_ops vblk_discard_ops = {
	{ "vioblk", 0, D_DISK | D_MPSAFE | D_CANFREE },
	.d_open =	nullopen,
	.d_close =	nullclose,
	.d_read =	physread,
	.d_write =	physwrite,
	.d_strategy =	vblk_strategy,
};

static int
vblk_probe(device_t dev)
{
	struct vio_softc *vio = VIO_BUS_CORE(device_get_parent(dev), dev);

	if (vio->sc_device_type != VIRTIO_ID_BLOCK)
		return (ENXIO);
	device_set_desc(dev, "VirtIO block device");
	return (BUS_PROBE_DEFAULT);
}

/*
 * The queues the protocol set up, each with its serializer and with no
 * request yet.
 */
static void
vblk_init_queues(struct vblk_softc *sc)
{
	struct vblk_queue *q;
	int i;

	sc->sc_nqueues = sc->sc_blk.sc_nqueues;
	for (i = 0; i < sc->sc_nqueues; i++) {
		q = &sc->sc_queues[i];
		q->vbq_sc = sc;
		q->vbq_blk = &sc->sc_blk.sc_queues[i];
		lwkt_serialize_init(&q->vbq_slz);
		TAILQ_INIT(&q->vbq_free);
		bioq_init(&q->vbq_bioq);
		q->vbq_intr_cpu = -1;
	}
}

/*
 * Requests and their DMA maps, as many for each queue as it has slots.
 * The protocol takes max_xfer bytes in page-sized segments (it splits
 * them further for size_max itself), so a map has max_xfer / 4 KiB
 * segments; the largest transfer is what fits in them wherever the
 * buffer starts in its first page, within MAXPHYS.
 * The disk layer cuts every read and write to that (physio and devfs's
 * strategy both chunk to si_iosize_max), unless it is below a page:
 * then physio takes MAXPHYS instead.  So a one-segment device gets a
 * page, which is whole in one segment because those buffers (physio's
 * own, the buffer cache's) start on a page.
 *
 * bus_dma joins physically contiguous pages into one segment (the
 * tag's maxsegsz is the whole transfer), as DragonFly's own vtblk does
 * with sglist(9): a 128 KiB physio buffer came out as 32 descriptors
 * a request, now mostly 11 (README, `make bench'), and each segment
 * saved is a descriptor the device maps and a turn less of every loop
 * of the submit path.  A joined segment still splits at size_max into
 * no more pieces than its pages would, so the bound above holds.
 */
static int
vblk_alloc_requests(struct vblk_softc *sc)
{
	const struct vioblk_limits *lim = &sc->sc_blk.sc_lim;
	struct vblk_queue *q;
	uint32_t blksize, iosize, nsegs;
	int error, i, left;

	blksize = sc->sc_blk.sc_cfg.blk_size;
	nsegs = lim->max_xfer / VIOBLK_OS_SEG_SIZE;
	if (nsegs > lim->max_segs)
		nsegs = lim->max_segs;
	if (nsegs == 0)
		nsegs = 1;
	iosize = (nsegs > 1 ? nsegs - 1 : 1) * VIOBLK_OS_SEG_SIZE;
	if (iosize > lim->max_xfer)
		iosize = lim->max_xfer;
	if (iosize > MAXPHYS)
		iosize = MAXPHYS;
	iosize -= iosize % blksize;
	if (iosize == 0)
		return (EINVAL);
	sc->sc_iosize_max = iosize;

	error = vio_dma_tag_create(bus_get_dma_tag(sc->sc_dev), iosize, nsegs,
	    iosize, BUS_DMA_ALLOCNOW, &sc->sc_dmat);
	if (error != 0)
		return (error);
	sc->sc_nreqs = 0;
	for (i = 0; i < sc->sc_nqueues; i++)
		sc->sc_nreqs += sc->sc_blk.sc_queues[i].bq_nslots;
	sc->sc_reqs = kmalloc(sc->sc_nreqs * sizeof(*sc->sc_reqs),
	    M_VIOBLK, M_WAITOK | M_ZERO);
	sc->sc_segs = kmalloc(sc->sc_nreqs * nsegs * sizeof(*sc->sc_segs),
	    M_VIOBLK, M_WAITOK | M_ZERO);
	q = &sc->sc_queues[0];
	left = q->vbq_blk->bq_nslots;
	for (i = 0; i < sc->sc_nreqs; i++) {
		/* Queue by queue, each its bq_nslots requests. */
		if (left-- == 0) {
			q++;
			left = q->vbq_blk->bq_nslots - 1;
		}
		sc->sc_reqs[i].vr_segs = &sc->sc_segs[i * nsegs];
		error = bus_dmamap_create(sc->sc_dmat, 0,
		    &sc->sc_reqs[i].vr_map);
		if (error != 0)
			return (error);
		TAILQ_INSERT_TAIL(&q->vbq_free, &sc->sc_reqs[i], vr_link);
	}
	return (0);
}

static void
vblk_free_requests(struct vblk_softc *sc)
{
	int i;

	if (sc->sc_reqs != NULL) {
		for (i = 0; i < sc->sc_nreqs; i++) {
			if (sc->sc_reqs[i].vr_map != NULL)
				bus_dmamap_destroy(sc->sc_dmat,
				    sc->sc_reqs[i].vr_map);
		}
		kfree(sc->sc_reqs, M_VIOBLK);
		kfree(sc->sc_segs, M_VIOBLK);
		sc->sc_reqs = NULL;
	}
	if (sc->sc_dmat != NULL) {
		bus_dma_tag_destroy(sc->sc_dmat);
		sc->sc_dmat = NULL;
	}
}

/*
 * Ask for the serial number, on queue 0; a device without one leaves it
 * empty.
 */
static void
vblk_get_id(struct vblk_softc *sc)
{
	struct vblk_queue *q = &sc->sc_queues[0];
	struct vblk_req *vr;
	int error;

	lwkt_serialize_enter(&q->vbq_slz);
	vr = TAILQ_FIRST(&q->vbq_free);
	TAILQ_REMOVE(&q->vbq_free, vr, vr_link);
	memset(&vr->vr_req, 0, sizeof(vr->vr_req));
	vr->vr_req.br_op = VIOBLK_OP_GET_ID;
	vr->vr_req.br_cookie = vr;
	vr->vr_bio = NULL;
	error = vioblk_submit(q->vbq_blk, &vr->vr_req);
	if (error != 0) {
		TAILQ_INSERT_HEAD(&q->vbq_free, vr, vr_link);
		lwkt_serialize_exit(&q->vbq_slz);
		return;
	}
	vioblk_kick(q->vbq_blk);
	while (!sc->sc_id_done) {
		if (zsleep(&sc->sc_id_done, &q->vbq_slz, 0, "vioblkid",
		    VBLK_ID_TIMEOUT) == EWOULDBLOCK) {
			device_printf(sc->sc_dev, "no answer to GET_ID\n");
			break;
		}
	}
	lwkt_serialize_exit(&q->vbq_slz);
}

/* What the disk layer is told of the device, its capacity CAPACITY. */
static void
vblk_disk_info(struct vblk_softc *sc, uint64_t capacity,
    struct disk_info *infop)
{
	const struct vioblk_config *cfg = &sc->sc_blk.sc_cfg;
	struct disk_info info;

	bzero(&info, sizeof(info));
	info.d_media_blksize = cfg->blk_size;
	info.d_media_blocks = capacity /
	    (cfg->blk_size / VIRTIO_BLK_SECTOR_SIZE);
	if (cfg->has_geometry && cfg->heads != 0 && cfg->sectors != 0) {
		info.d_nheads = cfg->heads;
		info.d_secpertrack = cfg->sectors;
		info.d_ncylinders = cfg->cylinders;
	} else {
		/* No geometry: one made up, as DragonFly's own drivers do. */
		info.d_nheads = 1;
		info.d_secpertrack = 1024;
		info.d_ncylinders = (u_int)(info.d_media_blocks / 1024);
	}
	info.d_secpercyl = info.d_secpertrack * info.d_nheads;
	if (sc->sc_serial[0] != '\0')
		info.d_serialno = sc->sc_serial;
	*infop = info;
}

static void
vblk_create_disk(struct vblk_softc *sc)
{
	struct disk_info info;
	int unit = device_get_unit(sc->sc_dev);

	devstat_add_entry(&sc->sc_stats, "vioblk", unit,
	    sc->sc_blk.sc_cfg.blk_size, DEVSTAT_NO_ORDERED_TAGS,
	    DEVSTAT_TYPE_DIRECT | DEVSTAT_TYPE_IF_OTHER,
	    DEVSTAT_PRIORITY_DISK);
	sc->sc_cdev = disk_create(unit, &sc->sc_disk,
	    sc->sc_discard ? &vblk_discard_ops : &vblk_ops);
	sc->sc_cdev->si_drv1 = sc;
	sc->sc_cdev->si_iosize_max = sc->sc_iosize_max;
	vblk_disk_info(sc, sc->sc_blk.sc_cfg.capacity, &info);
	disk_setdiskinfo(&sc->sc_disk, &info);
}

/* The capacity changed (vblk_config_change): tell the disk layer. */
static void
vblk_resize_task(void *arg, int pending __unused)
{
	struct vblk_softc *sc = arg;
	struct disk_info info;
	uint64_t capacity;

	lwkt_serialize_enter(&sc->sc_slz);
	capacity = sc->sc_blk.sc_cfg.capacity;
	lwkt_serialize_exit(&sc->sc_slz);
	if (sc->sc_cdev == NULL)
		return;
	vblk_disk_info(sc, capacity, &info);
	disk_setdiskinfo(&sc->sc_disk, &info);
	device_printf(sc->sc_dev, "capacity now %ju sectors\n",
	    (uintmax_t)capacity);
}

/*
 * dev.vioblk.N.queue.Q: what each queue carried, and where its
 * completions ran (with MSI-X, the CPU of its vector).
 */
static void
vblk_add_queue_sysctls(struct vblk_softc *sc)
{
	struct sysctl_ctx_list *ctx = device_get_sysctl_ctx(sc->sc_dev);
	struct sysctl_oid *queues, *node;
	char name[8];
	int i;

	queues = SYSCTL_ADD_NODE(ctx,
	    SYSCTL_CHILDREN(device_get_sysctl_tree(sc->sc_dev)), OID_AUTO,
	    "queue", CTLFLAG_RD, 0, "request queues");
	for (i = 0; queues != NULL && i < sc->sc_nqueues; i++) {
		ksnprintf(name, sizeof(name), "%d", i);
		node = SYSCTL_ADD_NODE(ctx, SYSCTL_CHILDREN(queues), OID_AUTO,
		    name, CTLFLAG_RD, 0, "request queue");
		if (node == NULL)
			continue;
		SYSCTL_ADD_U64(ctx, SYSCTL_CHILDREN(node), OID_AUTO,
		    "requests", CTLFLAG_RD,
		    &sc->sc_queues[i].vbq_blk->bq_stats.submitted,
		    "requests posted to the device");
		SYSCTL_ADD_INT(ctx, SYSCTL_CHILDREN(node), OID_AUTO,
		    "intr_cpu", CTLFLAG_RD, &sc->sc_queues[i].vbq_intr_cpu, 0,
		    "CPU of the last interrupt, -1 before the first");
	}
}

static void
vblk_add_sysctls(struct vblk_softc *sc)
{
	struct sysctl_ctx_list *ctx = device_get_sysctl_ctx(sc->sc_dev);
	struct sysctl_oid_list *list =
	    SYSCTL_CHILDREN(device_get_sysctl_tree(sc->sc_dev));

	SYSCTL_ADD_STRING(ctx, list, OID_AUTO, "serial", CTLFLAG_RD,
	    sc->sc_serial, 0, "serial number reported by the device");
	SYSCTL_ADD_INT(ctx, list, OID_AUTO, "readonly", CTLFLAG_RD,
	    &sc->sc_readonly, 0, "device is read-only");
	SYSCTL_ADD_INT(ctx, list, OID_AUTO, "discard", CTLFLAG_RD,
	    &sc->sc_discard, 0, "discard negotiated");
	SYSCTL_ADD_INT(ctx, list, OID_AUTO, "flush", CTLFLAG_RD,
	    &sc->sc_flush, 0, "device has a cache to flush");
	SYSCTL_ADD_UINT(ctx, list, OID_AUTO, "seg_max", CTLFLAG_RD,
	    &sc->sc_seg_max, 0, "data segments one request carries");
	SYSCTL_ADD_UINT(ctx, list, OID_AUTO, "iosize_max", CTLFLAG_RD,
	    &sc->sc_iosize_max, 0, "largest transfer the disk layer sends");
	SYSCTL_ADD_INT(ctx, list, OID_AUTO, "queues", CTLFLAG_RD,
	    &sc->sc_nqueues, 0, "request queues in use");
	vblk_add_queue_sysctls(sc);
}

/* Each queue's interrupts, delivered under its own serializer. */
static int
vblk_setup_queue_intrs(struct vblk_softc *sc)
{
	device_t parent = device_get_parent(sc->sc_dev);
	struct vblk_queue *q;
	int error, i;

	for (i = 0; i < sc->sc_nqueues; i++) {
		q = &sc->sc_queues[i];
		q->vbq_blk->bq_vq.vq_done = vblk_vq_done;
		q->vbq_blk->bq_vq.vq_done_arg = q;
		error = VIO_BUS_SETUP_INTR(parent, sc->sc_dev, &q->vbq_blk->bq_vq,
		    &q->vbq_slz);
		if (error != 0)
			return (error);
	}
	return (0);
}

/*
 * No new bio from now on.  Strategy reads sc_detaching under its
 * queue's serializer: passing through each one after the store makes
 * every later strategy see it, and every earlier one has posted its bio,
 * which the reset of detach then fails.
 */
static void
vblk_set_detaching(struct vblk_softc *sc)
{
	int i;

	lwkt_serialize_enter(&sc->sc_slz);
	sc->sc_detaching = true;
	lwkt_serialize_exit(&sc->sc_slz);
	for (i = 0; i < sc->sc_nqueues; i++) {
		lwkt_serialize_enter(&sc->sc_queues[i].vbq_slz);
		lwkt_serialize_exit(&sc->sc_queues[i].vbq_slz);
	}
}

static int vblk_detach(device_t);

static int
vblk_attach(device_t dev)
{
	struct vblk_softc *sc = device_get_softc(dev);
	device_t parent = device_get_parent(dev);
	struct vio_softc *vio = VIO_BUS_CORE(parent, dev);
	const struct vioblk_config *cfg;
	uint64_t wanted;
	int error;

	sc->sc_dev = dev;
	lwkt_serialize_init(&sc->sc_slz);
	TASK_INIT(&sc->sc_resize_task, 0, vblk_resize_task, sc);

	wanted = vioblk_features();
	if (vblk_discard_disable)
		wanted &= ~VIRTIO_BLK_F_DISCARD;
	if ((error = VIO_BUS_NEGOTIATE(parent, dev, wanted)) != 0) {
		device_printf(dev, "feature negotiation failed\n");
		return (error);
	}
	/* A queue per CPU, as many as the device has. */
	error = vioblk_attach(&sc->sc_blk, vio, vblk_mq_disable ? 1 : ncpus);
	if (error != 0) {
		device_printf(dev, "cannot set up the device (%d)\n", error);
		VIO_BUS_STOP(parent, dev);
		return (error);
	}
	sc->sc_attached = true;
	vblk_init_queues(sc);
	cfg = &sc->sc_blk.sc_cfg;
	sc->sc_readonly = cfg->readonly;
	sc->sc_discard = cfg->has_discard && cfg->max_discard_sectors > 0;
	sc->sc_flush = cfg->has_flush;
	sc->sc_seg_max = sc->sc_blk.sc_lim.max_segs;

	if ((error = vblk_alloc_requests(sc)) != 0)
		goto fail;
	if ((error = vblk_setup_queue_intrs(sc)) != 0)
		goto fail;
	sc->sc_blk.sc_vio->sc_config_change = vblk_config_change;
	sc->sc_blk.sc_vio->sc_child = sc;
	if ((error = VIO_BUS_SETUP_INTR(parent, dev, NULL, &sc->sc_slz)) != 0)
		goto fail;
	if ((error = VIO_BUS_DRIVER_OK(parent, dev)) != 0)
		goto fail;
	sc->sc_live = true;

	vblk_get_id(sc);
	vblk_create_disk(sc);
	vblk_add_sysctls(sc);
	device_printf(dev, "%ju sectors of %u bytes, %d queue%s%s%s%s%s%s\n",
	    (uintmax_t)cfg->capacity, cfg->blk_size, sc->sc_nqueues,
	    sc->sc_nqueues > 1 ? "s" : "",
	    sc->sc_readonly ? ", read-only" : "",
	    sc->sc_flush ? ", flush" : "", sc->sc_discard ? ", discard" : "",
	    sc->sc_serial[0] != '\0' ? ", serial " : "", sc->sc_serial);
	return (0);

fail:
	vblk_detach(dev);
	return (error);
}

static int
vblk_detach(device_t dev)
{
	struct vblk_softc *sc = device_get_softc(dev);

	/*
	 * An open or mounted disk stays: kldunload answers EBUSY rather
	 * than pull it from under its user.
	 */
	if (sc->sc_cdev != NULL && disk_getopencount(&sc->sc_disk) > 0)
		return (EBUSY);
	vblk_set_detaching(sc);
	/*
	 * No interrupts after this, and the device is reset; the requests
	 * it held fail while their devstat entry still exists.
	 */
	VIO_BUS_STOP(device_get_parent(dev), dev);
	sc->sc_live = false;
	/* No configuration interrupt queues it again. */
	taskqueue_drain(taskqueue_thread[0], &sc->sc_resize_task);
	if (sc->sc_attached) {
		vblk_fail_all(sc);
		vioblk_detach(&sc->sc_blk);
		sc->sc_attached = false;
	}
	if (sc->sc_cdev != NULL) {
		disk_destroy(&sc->sc_disk);
		devstat_remove_entry(&sc->sc_stats);
		sc->sc_cdev = NULL;
	}
	vblk_free_requests(sc);
	return (0);
}

static device_method_t vblk_methods[] = {
	DEVMETHOD(device_probe,		vblk_probe),
	DEVMETHOD(device_attach,	vblk_attach),
	DEVMETHOD(device_detach,	vblk_detach),
	DEVMETHOD_END
};

static driver_t vblk_driver = {
	"vioblk",
	vblk_methods,
	sizeof(struct vblk_softc)
};

static devclass_t vblk_devclass;

DRIVER_MODULE(vioblk, vio_pci, vblk_driver, vblk_devclass, NULL, NULL);
MODULE_VERSION(vioblk, 1);
MODULE_DEPEND(vioblk, vio_pci, 1, 1, 1);
