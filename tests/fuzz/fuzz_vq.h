/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * What the virtqueue fuzz targets share (fuzz_vq_used for split rings,
 * fuzz_vq_packed for packed ones): a loop device whose chains are held
 * for the fuzzer, the requests posted, the operations on the ring that
 * both formats have, and the invariants checked after each of them and
 * at the end.
 *
 * Invariants besides the sanitizers': a request comes back at most once
 * and only if posted, with no more bytes than it offered to be written;
 * the free descriptors and those of requests out add up to the queue
 * size; after a reset every request still out is reclaimed exactly once.
 */

#ifndef _FUZZ_VQ_H_
#define _FUZZ_VQ_H_

#include <stdbool.h>
#include <stdint.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "sim.h"
#include "sim_loop.h"
#include "fuzz_in.h"

#define FUZZ_VQ_MAXREQ	64
/* Operations fuzz_vq_op() knows; a target numbers its own after them. */
#define FUZZ_VQ_NOPS	10

struct fuzz_vq_req {
	bool		out;		/* posted, not returned */
	uint32_t	writable;
	uint16_t	ndesc;		/* ring descriptors it takes */
};

struct fuzz_vq {
	struct sim_dev	*dev;
	struct sim_loop	loop;
	struct vio_pci_softc psc;
	struct vio_vq	vq;
	struct vio_dma	buf;
	struct fuzz_vq_req reqs[FUZZ_VQ_MAXREQ];
	unsigned int	next;
};

/* The feature byte: bit 0 INDIRECT_DESC, bit 1 EVENT_IDX. */
uint64_t	fuzz_vq_features(uint8_t);
/* A device on transport offering features, queue 0 up, DRIVER_OK. */
struct fuzz_vq	*fuzz_vq_start(enum sim_transport, uint64_t features);
/*
 * Operation kind (below FUZZ_VQ_NOPS), arguments from in: post a
 * request, complete a held chain properly, push a raw used entry, set
 * the used index, scribble on the ring memory, dequeue, disable or
 * enable interrupts, take an interrupt, change the device's notification
 * suppression (bits 0x10 and 0x20 of the op byte).
 */
void		fuzz_vq_op(struct fuzz_vq *, struct fuzz_in *, unsigned int kind,
		    uint8_t op);
/* The invariants that hold between operations. */
void		fuzz_vq_check(struct fuzz_vq *);
/* Reset, reclaim, check every request came back once, free. */
void		fuzz_vq_finish(struct fuzz_vq *);

#endif /* !_FUZZ_VQ_H_ */
