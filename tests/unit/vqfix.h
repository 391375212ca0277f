/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The fixture of the virtqueue tests (test_vq.c for split rings,
 * test_vq_packed.c for packed ones): a loop device with queue 0 ready,
 * test buffers, and helpers that post, drain and check a broken ring.
 * Include after <cmocka.h>.
 */

#ifndef _VQFIX_H_
#define _VQFIX_H_

#include "vtest.h"
#include "sim_loop.h"

#define ALL_RING	(VIRTIO_RING_F_INDIRECT_DESC | VIRTIO_RING_F_EVENT_IDX)

struct fix {
	struct vtest	t;
	struct sim_loop	loop;
	struct vio_vq	vq;
	struct vio_dma	*in, *out;	/* request data, device reads/writes */
	int		done_calls;
};

/*
 * Ring features every fixture adds to what a test asks for: 0 for split
 * rings, VIRTIO_F_RING_PACKED to run the same test on packed ones (a
 * modern interface then must use them, a legacy one cannot).
 */
extern uint64_t	vqfix_ring;

/* A loop device on transport with features, queue 0 ready, DRIVER_OK. */
struct fix	*fix_new(enum sim_transport, uint64_t features);
/* The same with queue 0 of size (vq_alloc()'s max_size) and max_segs. */
struct fix	*fix_new_sized(enum sim_transport, uint64_t features,
		    uint16_t size, uint16_t max_segs);
void		fix_free(struct fix *);
/*
 * Post nin readable segments of 32 bytes and nout writable ones of 32,
 * at offset off of the test buffers.
 */
int		post(struct fix *, unsigned int nin, unsigned int nout,
		    uint32_t off, void *cookie);
/* Complete the chains the loop device holds, newest first. */
void		complete_reversed(struct fix *, uint32_t len);
/* Dequeue until nothing is left. */
void		drain(struct fix *);
/* After a malformed used entry: broken, EIO everywhere, no more kicks. */
void		assert_broken(struct fix *, const char *why);
/* One request of 2 readable + 2 writable segments, held by the device. */
struct fix	*fix_held(uint64_t features);

#endif /* !_VQFIX_H_ */
