/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * viomb: the virtio-balloon protocol, independent of any OS.
 *
 * The OS gives and takes guest pages through struct viomb_ops; it keeps
 * the list of pages that are in the balloon (the core cannot: it must not
 * touch a page the host may have taken away).  Sequence: negotiate
 * viomb_features(), viomb_attach(), DRIVER_OK, viomb_start().  Then on a
 * configuration-change interrupt viomb_config_changed(), on a queue
 * interrupt viomb_intr(), and from the OS's balloon thread viomb_work()
 * until viomb_settled().  Callers serialize calls on one softc.
 *
 * Sizes: the device counts 4 KiB balloon pages; a guest page of N KiB is
 * N/4 balloon pages and is always moved whole.
 */

#ifndef _VIOMB_H_
#define _VIOMB_H_

#include "vio.h"
#include "vio_vq.h"
#include "viomb_reg.h"

#define VIOMB_BATCH_PFNS	256	/* PFNs per inflate/deflate request */

/* Layout of sc_dma: two PFN arrays, then the stats buffer. */
#define VIOMB_DMA_INFLATE	0
#define VIOMB_DMA_DEFLATE	(VIOMB_BATCH_PFNS * VIRTIO_BALLOON_PFN_BYTES)
#define VIOMB_DMA_STATS		(2 * VIOMB_DMA_DEFLATE)
#define VIOMB_DMA_SIZE		(VIOMB_DMA_STATS + \
	VIRTIO_BALLOON_S_NR * VIRTIO_BALLOON_STAT_SIZE)

struct viomb_stat_values {
	uint32_t	valid;			/* bit (1 << tag) per tag set */
	uint64_t	val[VIRTIO_BALLOON_S_NR];
};

struct viomb_ops {
	/* Take one free guest page out of use; ENOMEM when there is none. */
	int	(*page_alloc)(void *os, uint64_t *pap);
	/* Pick one page that is in the balloon; it is not usable yet. */
	int	(*page_reclaim)(void *os, uint64_t *pap);
	/* The page, reclaimed earlier, may be used by the guest again. */
	void	(*page_free)(void *os, uint64_t pa);
	/* Fill in memory statistics; may be NULL. */
	void	(*stats)(void *os, struct viomb_stat_values *vals);
};

struct viomb_batch {
	uint32_t	 dma_off;		/* its le32 PFNs in sc_dma */
	bool		 busy;
	unsigned int	 npages;		/* guest pages */
	uint64_t	 pa[VIOMB_BATCH_PFNS];
};

struct viomb_counters {
	uint64_t	inflated;		/* guest pages, total */
	uint64_t	deflated;
	uint64_t	oom_deflated;
	uint64_t	stats_sent;
	uint64_t	bad_target;		/* num_pages refused */
};

struct viomb_softc {
	struct vio_softc	*sc_vio;
	struct vio_vq		 sc_inflate_vq;
	struct vio_vq		 sc_deflate_vq;
	struct vio_vq		 sc_stats_vq;		/* with STATS_VQ */
	const struct viomb_ops	*sc_ops;
	void			*sc_os;
	uint64_t		 sc_features;
	uint32_t		 sc_pfns_per_page;	/* guest page / 4 KiB */
	uint32_t		 sc_batch_pages;	/* per batch */
	uint64_t		 sc_guest_pfns;		/* guest RAM, 4 KiB */
	uint32_t		 sc_target;		/* num_pages, 4 KiB */
	uint32_t		 sc_host_target;	/* before clamping */
	uint64_t		 sc_held;		/* guest pages in */
	uint64_t		 sc_oom_held;		/* given back on OOM */
	struct viomb_batch	 sc_inflate;
	struct viomb_batch	 sc_deflate;
	struct vio_dma		 sc_dma;	/* PFN arrays, stats buffer */
	bool			 sc_stats_posted;
	struct viomb_counters	 sc_counters;
};

uint64_t viomb_features(void);
int	viomb_attach(struct viomb_softc *sc, struct vio_softc *vio,
	    const struct viomb_ops *ops, void *os, uint32_t page_size,
	    uint64_t guest_mem_bytes);
void	viomb_detach(struct viomb_softc *sc);
int	viomb_start(struct viomb_softc *sc);
int	viomb_config_changed(struct viomb_softc *sc);
int	viomb_work(struct viomb_softc *sc);
/*
 * Interrupt entry points, one per queue (or viomb_intr() for all), each
 * running the core's vq_drain(); EIO once the device is broken, after
 * the batches in flight went back (their pages to the OS).
 */
int	viomb_intr(struct viomb_softc *sc);
int	viomb_inflate_intr(struct viomb_softc *sc);
int	viomb_deflate_intr(struct viomb_softc *sc);
/* Detach, after vio_reset(): give back what was in flight. */
void	viomb_reclaim(struct viomb_softc *sc);
int	viomb_oom(struct viomb_softc *sc, uint64_t pages);
bool	viomb_settled(const struct viomb_softc *sc);
uint32_t viomb_actual(const struct viomb_softc *sc);
uint64_t viomb_wanted_pages(const struct viomb_softc *sc);

/* Statistics queue (viomb_stats.c). */
int	viomb_stats_post(struct viomb_softc *sc);
int	viomb_stats_intr(struct viomb_softc *sc);

#endif /* !_VIOMB_H_ */
