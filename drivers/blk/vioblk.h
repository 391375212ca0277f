/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vioblk: the virtio-blk protocol, independent of any OS.
 *
 * The OS binding brings the device up to FEATURES_OK with the features of
 * vioblk_features(), then calls vioblk_attach(), which reads and checks the
 * configuration and sets up the request queues, each with its own
 * per-request header/status DMA area.  Afterwards, per I/O: fill a struct
 * vioblk_req (data already DMA mapped by the OS as (bus address, length)
 * segments), vioblk_submit() and vioblk_kick() on a queue of its choice;
 * on that queue's interrupt, vioblk_complete() until ENOENT.
 *
 * Multiqueue (VIRTIO_BLK_F_MQ): the device serves num_queues request
 * queues alike, so an OS with several CPUs gives each its own queue and
 * no CPU waits for another's lock; the mini, with one CPU, spreads its
 * requests over them.  Callers serialize calls per queue; the
 * configuration (sc_cfg, sc_lim) is shared and read-only for them, but
 * for the capacity, which a configuration change may store meanwhile.
 */

#ifndef _VIOBLK_H_
#define _VIOBLK_H_

#include "vio.h"
#include "vio_vq.h"
#include "vioblk_reg.h"

#define VIOBLK_MAX_SLOTS	256	/* requests in flight per queue */
#define VIOBLK_MAX_QUEUES	16	/* request queues used at most */
#define VIOBLK_MAX_SEGS		64	/* data descriptors per request */
#define VIOBLK_MAX_XFER		(VIOBLK_MAX_SEGS * VIOBLK_OS_SEG_SIZE)
#define VIOBLK_OS_SEG_SIZE	4096	/* OS data segments are <= one page */
#define VIOBLK_SERIAL_LEN	VIRTIO_BLK_ID_BYTES

/* Decoded, validated device configuration. */
struct vioblk_config {
	uint64_t	capacity;	/* in 512-byte sectors */
	uint32_t	blk_size;	/* logical block size in bytes */
	uint32_t	size_max;	/* max bytes per segment, 0: none */
	uint32_t	seg_max;	/* max segments per request, 0: none */
	uint16_t	cylinders;
	uint8_t		heads;
	uint8_t		sectors;
	uint8_t		phys_block_exp;	/* physical block = blk_size << exp */
	uint8_t		alignment_offset; /* in logical blocks */
	uint16_t	min_io_size;	/* in logical blocks */
	uint32_t	opt_io_size;	/* in logical blocks */
	uint8_t		writeback;	/* CONFIG_WCE: 1 write-back cache */
	uint16_t	num_queues;
	uint32_t	max_discard_sectors;
	uint32_t	max_discard_seg;
	uint32_t	discard_alignment; /* in 512-byte sectors */
	uint32_t	max_wz_sectors;
	uint32_t	max_wz_seg;
	bool		wz_may_unmap;
	bool		readonly;
	bool		has_flush;
	bool		has_geometry;
	bool		has_topology;
	bool		has_discard;
	bool		has_write_zeroes;
};

/* What one read/write request may carry. */
struct vioblk_limits {
	uint32_t	max_segs;	/* data descriptors, after splitting */
	uint32_t	max_seg_size;	/* bytes per data descriptor */
	uint32_t	max_xfer;	/* bytes per request */
};

enum vioblk_op {
	VIOBLK_OP_READ,
	VIOBLK_OP_WRITE,
	VIOBLK_OP_FLUSH,
	VIOBLK_OP_GET_ID,
	VIOBLK_OP_DISCARD,
	VIOBLK_OP_WRITE_ZEROES
};

/* One data segment, DMA mapped by the OS. */
struct vioblk_seg {
	uint64_t	busaddr;
	uint32_t	len;
};

/*
 * One request.  The caller owns the memory and keeps it until
 * vioblk_complete() hands it back.
 */
struct vioblk_req {
	/* Set by the caller. */
	enum vioblk_op	 br_op;
	uint64_t	 br_sector;	/* in 512-byte sectors */
	uint32_t	 br_nsectors;	/* discard and write zeroes only */
	bool		 br_unmap;	/* write zeroes: device may unmap */
	const struct vioblk_seg *br_segs; /* read and write only */
	unsigned int	 br_nsegs;
	void		*br_cookie;	/* the OS's own */

	/* Set by vioblk_complete(). */
	int		 br_error;	/* 0 or an errno */
	char		 br_serial[VIOBLK_SERIAL_LEN + 1]; /* GET_ID answer */

	/* Private. */
	uint16_t	 br_slot;
	uint32_t	 br_datalen;	/* bytes in br_segs */
	uint32_t	 br_inlen;	/* device-writable bytes posted */
};

struct vioblk_stats {
	uint64_t	submitted;
	uint64_t	completed;
	uint64_t	errors;		/* completions with br_error != 0 */
	uint64_t	bad_status;	/* status byte not OK/IOERR/UNSUPP */
	uint64_t	short_len;	/* used length below what was posted */
};

/* One request queue and what its requests own. */
struct vioblk_queue {
	struct vioblk_softc	*bq_sc;
	struct vio_vq		 bq_vq;
	struct vio_dma		 bq_dma;	/* per-request slots */
	unsigned int		 bq_nslots;
	unsigned int		 bq_nfree;
	uint16_t		 bq_free[VIOBLK_MAX_SLOTS];
	/* Scratch for vioblk_submit(): too big for a kernel stack. */
	struct vio_seg		 bq_segs[VIOBLK_MAX_SEGS + 2];
	struct vioblk_stats	 bq_stats;
};

struct vioblk_softc {
	struct vio_softc	*sc_vio;
	struct vioblk_config	 sc_cfg;
	struct vioblk_limits	 sc_lim;	/* of every queue */
	uint16_t		 sc_nqueues;	/* queues set up */
	struct vioblk_queue	 sc_queues[VIOBLK_MAX_QUEUES];
};

uint64_t vioblk_features(void);
int	vioblk_config_parse(const uint8_t *raw, size_t rawlen,
	    uint64_t features, struct vioblk_config *cfg);
int	vioblk_limits_init(const struct vioblk_config *cfg,
	    uint32_t max_chain, struct vioblk_limits *lim);

int	vioblk_read_config(struct vio_softc *vio, struct vioblk_config *cfg);
/*
 * Queues to use: the device's num_queues (1 without MQ), at most wanted
 * (the OS's wish, e.g. its CPU count; 0 counts as 1) and
 * VIOBLK_MAX_QUEUES.
 */
uint16_t vioblk_queues_wanted(const struct vioblk_config *cfg,
	    unsigned int wanted);
/*
 * Read the configuration and set up vioblk_queues_wanted() queues.  A
 * device that has fewer queues than its num_queues said (the transport
 * answers ENOENT for one) gets as many as it has, with a log line.
 */
int	vioblk_attach(struct vioblk_softc *sc, struct vio_softc *vio,
	    unsigned int wanted);
void	vioblk_detach(struct vioblk_softc *sc);
int	vioblk_submit(struct vioblk_queue *bq, struct vioblk_req *req);
void	vioblk_kick(struct vioblk_queue *bq);
int	vioblk_complete(struct vioblk_queue *bq, struct vioblk_req **reqp);
/*
 * A queue's interrupt: done(arg, req) for each finished request (its
 * br_error set), through the core's vq_drain().  Once the device is
 * broken it is reset and every request in flight comes to done with
 * EIO; vioblk_intr() then returns EIO.
 */
typedef void	vioblk_done_fn(void *arg, struct vioblk_req *req);
int	vioblk_intr(struct vioblk_queue *bq, vioblk_done_fn *done, void *arg);
int	vioblk_reclaim(struct vioblk_queue *bq, struct vioblk_req **reqp);
int	vioblk_status_to_errno(uint8_t status);

#endif /* !_VIOBLK_H_ */
