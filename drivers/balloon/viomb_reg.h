/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-balloon device definitions, from the OASIS virtio 1.x
 * specification ("Traditional Memory Balloon Device").
 */

#ifndef _VIOMB_REG_H_
#define _VIOMB_REG_H_

/* Feature bits. */
#define VIRTIO_BALLOON_F_MUST_TELL_HOST	(1ULL << 0)
#define VIRTIO_BALLOON_F_STATS_VQ	(1ULL << 1)
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM	(1ULL << 2)

/* Device configuration layout (offsets in bytes). */
#define VIRTIO_BALLOON_CONFIG_NUM_PAGES	0	/* le32, read by the driver */
#define VIRTIO_BALLOON_CONFIG_ACTUAL	4	/* le32, the driver writes it */
#define VIRTIO_BALLOON_CONFIG_SIZE	8

/* Queue indices. */
#define VIRTIO_BALLOON_Q_INFLATE	0
#define VIRTIO_BALLOON_Q_DEFLATE	1
#define VIRTIO_BALLOON_Q_STATS		2

/*
 * The device counts in 4 KiB pages and takes page frame numbers as le32
 * "pa >> 12", whatever the guest's own page size.
 */
#define VIRTIO_BALLOON_PFN_SHIFT	12
#define VIRTIO_BALLOON_PAGE_SIZE	(1U << VIRTIO_BALLOON_PFN_SHIFT)
#define VIRTIO_BALLOON_PFN_BYTES	4

/* Statistics: an array of { le16 tag; le64 val; }, packed, 10 bytes each. */
#define VIRTIO_BALLOON_STAT_TAG		0
#define VIRTIO_BALLOON_STAT_VAL		2
#define VIRTIO_BALLOON_STAT_SIZE	10

#define VIRTIO_BALLOON_S_SWAP_IN	0	/* pages swapped in */
#define VIRTIO_BALLOON_S_SWAP_OUT	1	/* pages swapped out */
#define VIRTIO_BALLOON_S_MAJFLT		2	/* major page faults */
#define VIRTIO_BALLOON_S_MINFLT		3	/* minor page faults */
#define VIRTIO_BALLOON_S_MEMFREE	4	/* free memory, bytes */
#define VIRTIO_BALLOON_S_MEMTOT		5	/* total memory, bytes */
#define VIRTIO_BALLOON_S_AVAIL		6	/* available memory, bytes */
#define VIRTIO_BALLOON_S_CACHES		7	/* disk caches, bytes */
#define VIRTIO_BALLOON_S_HTLB_PGALLOC	8	/* hugetlb page allocations */
#define VIRTIO_BALLOON_S_HTLB_PGFAIL	9	/* hugetlb allocations failed */
#define VIRTIO_BALLOON_S_NR		10

#endif /* !_VIOMB_REG_H_ */
