/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-balloon statistics queue.  The driver keeps one buffer posted;
 * the device asks for fresh numbers by returning it, and the driver
 * answers by filling it again and posting it back.
 */

#include "vio_os.h"
#include "vio_le.h"
#include "viomb.h"

/* Fill the stats buffer with the tags the OS knows; returns its length. */
static uint32_t
viomb_stats_fill(struct viomb_softc *sc)
{
	struct viomb_stat_values vals;
	uint8_t *p;
	uint16_t tag;
	uint32_t n;

	vio_memset(&vals, 0, sizeof(vals));
	if (sc->sc_ops->stats != NULL)
		sc->sc_ops->stats(sc->sc_os, &vals);
	/* Total memory is known here even when the OS says nothing. */
	if ((vals.valid & (1U << VIRTIO_BALLOON_S_MEMTOT)) == 0) {
		vals.val[VIRTIO_BALLOON_S_MEMTOT] =
		    sc->sc_guest_pfns * VIRTIO_BALLOON_PAGE_SIZE;
		vals.valid |= 1U << VIRTIO_BALLOON_S_MEMTOT;
	}
	p = (uint8_t *)sc->sc_dma.vaddr + VIOMB_DMA_STATS;
	for (n = 0, tag = 0; tag < VIRTIO_BALLOON_S_NR; tag++) {
		if ((vals.valid & (1U << tag)) == 0)
			continue;
		vio_le16enc(p + VIRTIO_BALLOON_STAT_TAG, tag);
		vio_le64enc(p + VIRTIO_BALLOON_STAT_VAL, vals.val[tag]);
		p += VIRTIO_BALLOON_STAT_SIZE;
		n++;
	}
	return (n * VIRTIO_BALLOON_STAT_SIZE);
}

int
viomb_stats_post(struct viomb_softc *sc)
{
	struct vio_seg seg;
	int error;

	seg.vs_addr = sc->sc_dma.busaddr + VIOMB_DMA_STATS;
	seg.vs_len = viomb_stats_fill(sc);
	seg.vs_write = false;
	vio_dma_sync(sc->sc_vio->sc_os, &sc->sc_dma, VIO_DMA_PREWRITE);
	if ((error = vq_enqueue(&sc->sc_stats_vq, &seg, 1, sc)) != 0)
		return (error);
	sc->sc_stats_posted = true;
	vq_kick(&sc->sc_stats_vq);
	return (0);
}

/* The device returned the buffer: it wants new numbers. */
static int
viomb_stats_take(void *arg)
{
	struct viomb_softc *sc = arg;
	void *cookie;
	uint32_t len;
	int error;

	if ((error = vq_dequeue(&sc->sc_stats_vq, &cookie, &len)) != 0)
		return (error);
	sc->sc_stats_posted = false;
	sc->sc_counters.stats_sent++;
	return (viomb_stats_post(sc));
}

static void
viomb_stats_fail(void *arg, void *cookie)
{
	struct viomb_softc *sc = arg;

	(void)cookie;
	sc->sc_stats_posted = false;
}

int
viomb_stats_intr(struct viomb_softc *sc)
{

	return (vq_drain(&sc->sc_stats_vq, viomb_stats_take, viomb_stats_fail,
	    sc));
}
