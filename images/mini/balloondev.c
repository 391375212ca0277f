/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-balloon on the mini: viomb (drivers/balloon) runs the protocol;
 * this file lends it pages from the allocator and keeps the list of pages
 * in the balloon (never inside them: the host may have taken them away).
 * Work is event driven: a configuration change or a finished batch runs
 * viomb_work() until it has nothing to do without the device.
 */

#include "commands.h"
#include "console.h"
#include "devices.h"
#include "errnum.h"
#include "mem.h"
#include "shell.h"
#include "viomb.h"

#define WORK_ROUNDS	64	/* batches per event, so the shell stays live */

struct mini_balloon {
	struct viomb_softc	 sc;
	struct mini_vdev	*vd;
	uint32_t		*pfns;	/* pages in the balloon, a stack */
	uint64_t		 npfns;
	uint64_t		 maxpfns;
};

static struct mini_balloon the_balloon;

static int
mb_page_alloc(void *os, uint64_t *pap)
{
	struct mini_balloon *mb = os;
	uint64_t pa;

	if (mb->npfns == mb->maxpfns)
		return (ENOMEM);
	pa = page_alloc(1, 1);
	if (pa == 0)
		return (ENOMEM);
	mb->pfns[mb->npfns++] = (uint32_t)(pa / MINI_PAGE_SIZE);
	*pap = pa;
	return (0);
}

static int
mb_page_reclaim(void *os, uint64_t *pap)
{
	struct mini_balloon *mb = os;

	if (mb->npfns == 0)
		return (ENOENT);
	*pap = (uint64_t)mb->pfns[--mb->npfns] * MINI_PAGE_SIZE;
	return (0);
}

static void
mb_page_free(void *os, uint64_t pa)
{

	(void)os;
	page_free(pa, 1);
}

static void
mb_stats(void *os, struct viomb_stat_values *v)
{

	(void)os;
	v->val[VIRTIO_BALLOON_S_MEMFREE] = mem_free_pages() * MINI_PAGE_SIZE;
	v->val[VIRTIO_BALLOON_S_MEMTOT] = mem_total_pages() * MINI_PAGE_SIZE;
	v->val[VIRTIO_BALLOON_S_AVAIL] = mem_free_pages() * MINI_PAGE_SIZE;
	v->valid = 1U << VIRTIO_BALLOON_S_MEMFREE |
	    1U << VIRTIO_BALLOON_S_MEMTOT | 1U << VIRTIO_BALLOON_S_AVAIL;
}

static const struct viomb_ops mb_ops = {
	.page_alloc = mb_page_alloc,
	.page_reclaim = mb_page_reclaim,
	.page_free = mb_page_free,
	.stats = mb_stats,
};

static void
balloon_work(struct mini_balloon *mb)
{
	int i;

	for (i = 0; i < WORK_ROUNDS && !viomb_settled(&mb->sc); i++)
		if (viomb_work(&mb->sc) != 0)
			break;
}

static int
balloon_vq_done(struct vio_vq *vq)
{
	struct mini_balloon *mb = vq->vq_done_arg;

	(void)viomb_intr(&mb->sc);
	balloon_work(mb);
	return (0);
}

static uint64_t
balloon_features(void)
{

	return (viomb_features());
}

static int
balloon_attach(struct mini_vdev *vd)
{
	struct mini_balloon *mb = &the_balloon;
	struct vio_softc *sc = mini_vio(vd);
	uint64_t bytes;
	int error, q;

	if (mb->vd != NULL) {
		vd->why = "only one balloon device is supported";
		return (EBUSY);
	}
	mb->maxpfns = mem_total_pages();
	bytes = mb->maxpfns * sizeof(*mb->pfns);
	mb->pfns = (uint32_t *)(uintptr_t)page_alloc(
	    roundup2(bytes, MINI_PAGE_SIZE) / MINI_PAGE_SIZE, 1);
	if (mb->pfns == NULL)
		return (ENOMEM);
	error = viomb_attach(&mb->sc, sc, &mb_ops, mb, MINI_PAGE_SIZE,
	    mem_total_pages() * MINI_PAGE_SIZE);
	if (error != 0)
		return (error);
	for (q = 0; q < VIO_MAX_VQS; q++) {
		if (sc->sc_vqs[q] != NULL) {
			sc->sc_vqs[q]->vq_done = balloon_vq_done;
			sc->sc_vqs[q]->vq_done_arg = mb;
		}
	}
	mb->vd = vd;
	vd->softc = mb;
	return (0);
}

static void
balloon_start(struct mini_vdev *vd)
{
	struct mini_balloon *mb = vd->softc;

	(void)viomb_start(&mb->sc);
	balloon_work(mb);
}

static void
balloon_config_changed(struct mini_vdev *vd)
{
	struct mini_balloon *mb = vd->softc;

	if (mb == NULL)
		return;
	(void)viomb_config_changed(&mb->sc);
	balloon_work(mb);
}

int
cmd_balloon(int argc, char **argv)
{
	struct mini_balloon *mb = &the_balloon;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	if (!devices_usable(mb->vd, "balloon"))
		return (CMD_FAIL);
	printf("balloon: target %u pages actual %u pages held %lu pages "
	    "free %lu KiB\n", mb->sc.sc_target, viomb_actual(&mb->sc),
	    mb->npfns, mem_free_pages() * MINI_PAGE_SIZE / 1024);
	return (CMD_OK);
}

const struct mini_driver mini_balloon_driver = {
	.name = "balloon",
	.device_type = VIRTIO_ID_BALLOON,
	.features = balloon_features,
	.attach = balloon_attach,
	.start = balloon_start,
	.config_changed = balloon_config_changed,
};
