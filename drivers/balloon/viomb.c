/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-balloon: move guest pages into and out of the balloon until the
 * number the host asked for (num_pages) is reached, and tell the host
 * (actual) how far we are.
 *
 * One inflate or deflate request is in flight at a time, holding up to
 * VIOMB_BATCH_PFNS 4 KiB frame numbers.  A page counts as ballooned once
 * the host has acknowledged the inflate request.  With MUST_TELL_HOST a
 * deflated page is handed back to the OS only after the host has
 * acknowledged the deflate request; without it, at once.
 *
 * num_pages comes from the device: a target above the guest's memory is
 * a host that miscounts, not a broken device; it is clamped to the
 * guest's memory and said once (and counted in bad_target).
 */

#include "vio_os.h"
#include "vio_le.h"
#include "viomb.h"

uint64_t
viomb_features(void)
{

	return (VIRTIO_BALLOON_F_MUST_TELL_HOST | VIRTIO_BALLOON_F_STATS_VQ |
	    VIRTIO_BALLOON_F_DEFLATE_ON_OOM | VIRTIO_F_VERSION_1);
}

static int
viomb_alloc_queues(struct viomb_softc *sc)
{
	struct vio_softc *vio = sc->sc_vio;
	int error;

	if ((error = vq_alloc(vio, &sc->sc_inflate_vq,
	    VIRTIO_BALLOON_Q_INFLATE, 0, 1, "viomb-inflate")) != 0)
		return (error);
	if ((error = vq_alloc(vio, &sc->sc_deflate_vq,
	    VIRTIO_BALLOON_Q_DEFLATE, 0, 1, "viomb-deflate")) != 0)
		goto fail_inflate;
	if (sc->sc_features & VIRTIO_BALLOON_F_STATS_VQ) {
		if ((error = vq_alloc(vio, &sc->sc_stats_vq,
		    VIRTIO_BALLOON_Q_STATS, 0, 1, "viomb-stats")) != 0)
			goto fail_deflate;
	}
	return (0);

fail_deflate:
	vq_free(&sc->sc_deflate_vq);
fail_inflate:
	vq_free(&sc->sc_inflate_vq);
	return (error);
}

static void
viomb_free_queues(struct viomb_softc *sc)
{

	if (sc->sc_features & VIRTIO_BALLOON_F_STATS_VQ)
		vq_free(&sc->sc_stats_vq);
	vq_free(&sc->sc_deflate_vq);
	vq_free(&sc->sc_inflate_vq);
}

int
viomb_attach(struct viomb_softc *sc, struct vio_softc *vio,
    const struct viomb_ops *ops, void *os, uint32_t page_size,
    uint64_t guest_mem_bytes)
{
	int error;

	vio_memset(sc, 0, sizeof(*sc));
	/* A guest page must be whole 4 KiB pages, and fit one batch. */
	if (page_size < VIRTIO_BALLOON_PAGE_SIZE ||
	    (page_size & (page_size - 1)) != 0 ||
	    page_size / VIRTIO_BALLOON_PAGE_SIZE > VIOMB_BATCH_PFNS)
		return (EINVAL);
	if (ops == NULL || ops->page_alloc == NULL ||
	    ops->page_reclaim == NULL || ops->page_free == NULL)
		return (EINVAL);
	if (vio->sc_config_len < VIRTIO_BALLOON_CONFIG_SIZE)
		return (EINVAL);
	sc->sc_vio = vio;
	sc->sc_ops = ops;
	sc->sc_os = os;
	sc->sc_features = vio->sc_features;
	sc->sc_pfns_per_page = page_size / VIRTIO_BALLOON_PAGE_SIZE;
	sc->sc_batch_pages = VIOMB_BATCH_PFNS / sc->sc_pfns_per_page;
	sc->sc_guest_pfns = guest_mem_bytes / VIRTIO_BALLOON_PAGE_SIZE;
	sc->sc_inflate.dma_off = VIOMB_DMA_INFLATE;
	sc->sc_deflate.dma_off = VIOMB_DMA_DEFLATE;

	if ((error = viomb_alloc_queues(sc)) != 0)
		return (error);
	if ((error = vio_dma_alloc(vio->sc_os, VIOMB_DMA_SIZE, 16,
	    &sc->sc_dma)) != 0) {
		viomb_free_queues(sc);
		return (error);
	}
	return (0);
}

void
viomb_detach(struct viomb_softc *sc)
{

	vio_dma_free(sc->sc_vio->sc_os, &sc->sc_dma);
	viomb_free_queues(sc);
}

/* After DRIVER_OK: offer the stats buffer and read the first target. */
int
viomb_start(struct viomb_softc *sc)
{
	int error;

	if (sc->sc_features & VIRTIO_BALLOON_F_STATS_VQ) {
		if ((error = viomb_stats_post(sc)) != 0)
			return (error);
	}
	return (viomb_config_changed(sc));
}

int
viomb_config_changed(struct viomb_softc *sc)
{
	uint32_t num_pages;
	int error;

	if (vio_is_broken(sc->sc_vio))
		return (EIO);
	error = vio_config_read_4(sc->sc_vio, VIRTIO_BALLOON_CONFIG_NUM_PAGES,
	    &num_pages);
	if (error != 0)
		return (error);
	if (num_pages > sc->sc_guest_pfns) {
		if (num_pages != sc->sc_host_target) {
			sc->sc_counters.bad_target++;
			vio_log(sc->sc_vio->sc_os, "viomb: target %u pages "
			    "above guest memory, %u taken\n", num_pages,
			    (uint32_t)sc->sc_guest_pfns);
		}
		sc->sc_host_target = num_pages;
		num_pages = (uint32_t)sc->sc_guest_pfns;
	} else
		sc->sc_host_target = num_pages;
	if (num_pages != sc->sc_target) {
		sc->sc_target = num_pages;
		/* A new target from the host supersedes OOM give-backs. */
		sc->sc_oom_held = 0;
	}
	return (0);
}

uint64_t
viomb_wanted_pages(const struct viomb_softc *sc)
{
	uint64_t want;

	/* Whole guest pages, rounded up so as to cover the target. */
	want = ((uint64_t)sc->sc_target + sc->sc_pfns_per_page - 1) /
	    sc->sc_pfns_per_page;
	return (want > sc->sc_oom_held ? want - sc->sc_oom_held : 0);
}

uint32_t
viomb_actual(const struct viomb_softc *sc)
{

	return ((uint32_t)(sc->sc_held * sc->sc_pfns_per_page));
}

bool
viomb_settled(const struct viomb_softc *sc)
{

	return (!sc->sc_inflate.busy && !sc->sc_deflate.busy &&
	    sc->sc_held == viomb_wanted_pages(sc));
}

/* Write the PFNs of guest page pa as entry i of batch b. */
static void
viomb_put_pfns(struct viomb_softc *sc, struct viomb_batch *b, unsigned int i,
    uint64_t pa)
{
	uint8_t *p;
	uint32_t j, pfn;

	pfn = (uint32_t)(pa >> VIRTIO_BALLOON_PFN_SHIFT);
	p = (uint8_t *)sc->sc_dma.vaddr + b->dma_off +
	    i * sc->sc_pfns_per_page * VIRTIO_BALLOON_PFN_BYTES;
	for (j = 0; j < sc->sc_pfns_per_page; j++)
		vio_le32enc(p + j * VIRTIO_BALLOON_PFN_BYTES, pfn + j);
	b->pa[i] = pa;
}

/* Frame numbers are 32 bits: a page above 16 TiB cannot be named. */
static bool
viomb_pa_ok(const struct viomb_softc *sc, uint64_t pa)
{

	return ((pa >> VIRTIO_BALLOON_PFN_SHIFT) + sc->sc_pfns_per_page <=
	    (uint64_t)1 << 32 &&
	    (pa & (sc->sc_pfns_per_page * VIRTIO_BALLOON_PAGE_SIZE - 1)) == 0);
}

static int
viomb_send(struct viomb_softc *sc, struct vio_vq *vq, struct viomb_batch *b)
{
	struct vio_seg seg;
	int error;

	seg.vs_addr = sc->sc_dma.busaddr + b->dma_off;
	seg.vs_len = b->npages * sc->sc_pfns_per_page *
	    VIRTIO_BALLOON_PFN_BYTES;
	seg.vs_write = false;
	vio_dma_sync(sc->sc_vio->sc_os, &sc->sc_dma, VIO_DMA_PREWRITE);
	if ((error = vq_enqueue(vq, &seg, 1, b)) != 0)
		return (error);
	b->busy = true;
	vq_kick(vq);
	return (0);
}

/*
 * The host never took the inflate batch: its pages go back to the OS,
 * last first (they are the newest the OS gave).
 */
static void
viomb_inflate_undo(struct viomb_softc *sc, struct viomb_batch *b)
{

	while (b->npages > 0)
		sc->sc_ops->page_free(sc->sc_os, b->pa[--b->npages]);
	b->busy = false;
}

/*
 * The deflate batch will not be acknowledged (the device is broken and
 * reset, which empties the balloon): its pages are the guest's again.
 * Those already freed (sent without MUST_TELL_HOST) are not freed twice.
 */
static void
viomb_deflate_undo(struct viomb_softc *sc, struct viomb_batch *b,
    bool freed)
{
	sc->sc_held -= b->npages;
	while (b->npages > 0) {
		b->npages--;
		if (!freed)
			sc->sc_ops->page_free(sc->sc_os, b->pa[b->npages]);
	}
	b->busy = false;
}

static int
viomb_inflate(struct viomb_softc *sc, uint64_t n)
{
	struct viomb_batch *b = &sc->sc_inflate;
	uint64_t pa;
	int error;

	if (n > sc->sc_batch_pages)
		n = sc->sc_batch_pages;
	for (b->npages = 0; b->npages < n; b->npages++) {
		if ((error = sc->sc_ops->page_alloc(sc->sc_os, &pa)) != 0)
			break;
		if (!viomb_pa_ok(sc, pa)) {
			sc->sc_ops->page_free(sc->sc_os, pa);
			error = EINVAL;
			break;
		}
		viomb_put_pfns(sc, b, b->npages, pa);
	}
	if (b->npages == 0)
		return (error);
	if ((error = viomb_send(sc, &sc->sc_inflate_vq, b)) != 0)
		viomb_inflate_undo(sc, b);
	return (error);
}

static int
viomb_deflate(struct viomb_softc *sc, uint64_t n)
{
	struct viomb_batch *b = &sc->sc_deflate;
	uint64_t pa;
	unsigned int i;
	int error;

	if (n > sc->sc_batch_pages)
		n = sc->sc_batch_pages;
	for (b->npages = 0; b->npages < n; b->npages++) {
		if ((error = sc->sc_ops->page_reclaim(sc->sc_os, &pa)) != 0)
			break;
		viomb_put_pfns(sc, b, b->npages, pa);
	}
	if (b->npages == 0)
		return (error);
	if ((error = viomb_send(sc, &sc->sc_deflate_vq, b)) != 0) {
		/* Only a broken device refuses the request. */
		viomb_deflate_undo(sc, b, false);
		return (error);
	}
	/* Without MUST_TELL_HOST the guest may use them right away. */
	if ((sc->sc_features & VIRTIO_BALLOON_F_MUST_TELL_HOST) == 0) {
		for (i = 0; i < b->npages; i++)
			sc->sc_ops->page_free(sc->sc_os, b->pa[i]);
	}
	return (0);
}

/*
 * Start the next inflate or deflate step towards the target.  Returns 0
 * when a request was started or none is needed, ENOMEM when no page could
 * be taken (try later), EIO when the device is broken.
 */
int
viomb_work(struct viomb_softc *sc)
{
	uint64_t want;

	if (vio_is_broken(sc->sc_vio))
		return (EIO);
	if (sc->sc_inflate.busy || sc->sc_deflate.busy)
		return (0);
	want = viomb_wanted_pages(sc);
	if (sc->sc_held < want)
		return (viomb_inflate(sc, want - sc->sc_held));
	if (sc->sc_held > want)
		return (viomb_deflate(sc, sc->sc_held - want));
	return (0);
}

static int
viomb_update_actual(struct viomb_softc *sc)
{

	return (vio_config_write_4(sc->sc_vio, VIRTIO_BALLOON_CONFIG_ACTUAL,
	    viomb_actual(sc)));
}

/* The host acknowledged batch b. */
static void
viomb_acked(struct viomb_softc *sc, struct viomb_batch *b)
{
	unsigned int i;

	b->busy = false;
	if (b == &sc->sc_inflate) {
		sc->sc_held += b->npages;
		sc->sc_counters.inflated += b->npages;
		return;
	}
	sc->sc_held -= b->npages;
	sc->sc_counters.deflated += b->npages;
	if (sc->sc_features & VIRTIO_BALLOON_F_MUST_TELL_HOST) {
		for (i = 0; i < b->npages; i++)
			sc->sc_ops->page_free(sc->sc_os, b->pa[i]);
	}
}

/* vq_drain() callbacks of the inflate and deflate queues. */
static int
viomb_take(void *arg, struct vio_vq *vq)
{
	struct viomb_softc *sc = arg;
	void *cookie;
	uint32_t len;
	int error;

	if ((error = vq_dequeue(vq, &cookie, &len)) != 0)
		return (error);
	viomb_acked(sc, cookie);
	return (viomb_update_actual(sc));
}

static int
viomb_take_inflate(void *arg)
{

	return (viomb_take(arg, &((struct viomb_softc *)arg)->sc_inflate_vq));
}

static int
viomb_take_deflate(void *arg)
{

	return (viomb_take(arg, &((struct viomb_softc *)arg)->sc_deflate_vq));
}

/* A batch the broken device will never acknowledge. */
static void
viomb_fail(void *arg, void *cookie)
{
	struct viomb_softc *sc = arg;
	struct viomb_batch *b = cookie;

	if (b == &sc->sc_inflate)
		viomb_inflate_undo(sc, b);
	else
		viomb_deflate_undo(sc, b, (sc->sc_features &
		    VIRTIO_BALLOON_F_MUST_TELL_HOST) == 0);
}

/*
 * Queue interrupts: acknowledge what the device finished.  vq_drain()
 * re-arms each queue; with EVENT_IDX a queue left unarmed would never
 * interrupt again after its first completion.
 */
int
viomb_inflate_intr(struct viomb_softc *sc)
{

	return (vq_drain(&sc->sc_inflate_vq, viomb_take_inflate, viomb_fail,
	    sc));
}

int
viomb_deflate_intr(struct viomb_softc *sc)
{

	return (vq_drain(&sc->sc_deflate_vq, viomb_take_deflate, viomb_fail,
	    sc));
}

/* Every queue of the balloon (one handler for all, as on a shared line). */
int
viomb_intr(struct viomb_softc *sc)
{
	int error, e;

	error = viomb_inflate_intr(sc);
	if ((e = viomb_deflate_intr(sc)) != 0 && error == 0)
		error = e;
	if ((sc->sc_features & VIRTIO_BALLOON_F_STATS_VQ) &&
	    (e = viomb_stats_intr(sc)) != 0 && error == 0)
		error = e;
	return (error);
}

/*
 * After vio_reset() (detach): give back what was in flight, as when the
 * device broke: pages of an unacknowledged batch return to the OS.
 */
void
viomb_reclaim(struct viomb_softc *sc)
{
	void *cookie;

	while (vq_reclaim(&sc->sc_inflate_vq, &cookie) == 0)
		viomb_fail(sc, cookie);
	while (vq_reclaim(&sc->sc_deflate_vq, &cookie) == 0)
		viomb_fail(sc, cookie);
	if (sc->sc_features & VIRTIO_BALLOON_F_STATS_VQ) {
		while (vq_reclaim(&sc->sc_stats_vq, &cookie) == 0)
			sc->sc_stats_posted = false;
	}
}

/*
 * The OS is short of memory: give back up to pages guest pages beyond
 * the host's target (DEFLATE_ON_OOM), then let viomb_work() deflate.
 */
int
viomb_oom(struct viomb_softc *sc, uint64_t pages)
{
	uint64_t want;

	if ((sc->sc_features & VIRTIO_BALLOON_F_DEFLATE_ON_OOM) == 0)
		return (EOPNOTSUPP);
	want = viomb_wanted_pages(sc);
	if (pages > want)
		pages = want;
	sc->sc_oom_held += pages;
	sc->sc_counters.oom_deflated += pages;
	return (pages != 0 ? 0 : ENOENT);
}
