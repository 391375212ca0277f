/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Virtqueues: split (virtio 1.x spec 2.7) or packed (2.8), whichever
 * was negotiated (VIRTIO_F_RING_PACKED, modern devices only), behind one
 * interface; vq_split.c and vq_packed.c hold what differs.
 *
 * A request is a list of segments (bus address, length, device-writable),
 * device-readable ones first.  vq_enqueue() turns it into a descriptor
 * chain, or into one indirect table when VIRTIO_RING_F_INDIRECT_DESC was
 * negotiated and the request has more than one segment, and makes it
 * available to the device.  vq_kick() tells the device, unless it asked
 * not to be told (EVENT_IDX, VRING_USED_F_NO_NOTIFY, or the packed
 * ring's device event suppression).  vq_dequeue() returns completed
 * requests by the cookie given at enqueue time, in whatever order the
 * device completes them.
 *
 * The device is not trusted: vq_dequeue() checks each used entry (id in
 * range and a request in flight, length within the writable bytes
 * posted; split: used index not running ahead of what is in flight;
 * packed: only a descriptor whose AVAIL and USED bits both equal the
 * used wrap counter counts as used), and vq_kick() the packed ring's
 * device event suppression (known flags, offset inside the ring).  On
 * violation the device is marked broken and EIO is returned; the driver
 * then resets the device and fails every request vq_reclaim() hands back.
 * The core keeps its own copy of chain links and never reads descriptors
 * back from shared memory.
 *
 * Interrupt handling without lost wakeups is vq_drain(): interrupts
 * off, take completions until none is left, interrupts on (with
 * EVENT_IDX this re-arms used_event, without which the device stays
 * silent), and again if entries arrived meanwhile.  Once the device is
 * broken the loop ends and every request still in flight is failed back
 * to the protocol; vq_pending() and vq_intr_enable() answer "nothing"
 * then, so no caller can spin on a broken ring.
 */

#ifndef _VIO_VQ_H_
#define _VIO_VQ_H_

#include "vio_os.h"
#include "vio.h"

struct vio_seg {
	uint64_t	vs_addr;	/* bus address */
	uint32_t	vs_len;		/* bytes, > 0 */
	bool		vs_write;	/* device writes (else reads) it */
};

struct vio_vq_slot;			/* private, per descriptor */
struct vq_ring_ops;			/* private: split or packed */

struct vio_vq {
	/* Set by vq_alloc(); read-only for the driver. */
	struct vio_softc *vq_sc;
	const char	*vq_name;
	uint16_t	vq_index;	/* the device's queue number */
	uint16_t	vq_slot;	/* where in sc_vqs[] */
	uint16_t	vq_num;		/* queue size (descriptors) */
	uint16_t	vq_maxsegs;	/* most segments vq_enqueue() takes */
	uint16_t	vq_nfree;	/* free descriptors */
	bool		vq_indirect;	/* multi-segment requests go indirect */
	bool		vq_event_idx;	/* VIRTIO_RING_F_EVENT_IDX in use */
	bool		vq_packed;	/* VIRTIO_F_RING_PACKED in use */
	uint16_t	vq_vector;	/* MSI-X entry, vio_queue_vector() */

	/* Set by the driver before interrupts can arrive. */
	int		(*vq_done)(struct vio_vq *);	/* from vq_intr() */
	void		*vq_done_arg;

	/* Statistics. */
	uint64_t	vq_requests;	/* requests enqueued */
	uint64_t	vq_kicks;	/* notifications sent to the device */
	uint64_t	vq_interrupts;	/* vq_intr() calls */

	/*
	 * Private to the core and its transport.  The transport programs
	 * the three areas: descriptors, driver area (split: avail ring;
	 * packed: driver event suppression), device area (split: used
	 * ring; packed: device event suppression).
	 */
	const struct vq_ring_ops *vq_ops;
	struct vio_dma	vq_ring_dma;	/* the three areas */
	struct vio_dma	vq_indirect_dma;	/* a table per descriptor */
	bool		vq_have_indirect_dma;
	uint64_t	vq_desc_pa;
	uint64_t	vq_avail_pa;	/* driver area */
	uint64_t	vq_used_pa;	/* device area */
	struct vio_vq_slot *vq_slots;	/* vq_num entries, driver memory */
	uint16_t	vq_free_head;	/* split: descriptors; packed: ids */
	uint16_t	vq_inflight;	/* requests posted, not yet used */
	/* split: free-running indexes; packed: ring positions. */
	uint16_t	vq_avail_idx;	/* next avail index to publish */
	uint16_t	vq_kicked_idx;	/* avail index at the last kick */
	uint16_t	vq_used_idx;	/* next used index to consume */
	uint16_t	vq_reclaim_next;	/* vq_reclaim() looks here */
	bool		vq_intr_off;	/* driver asked for no interrupts */
	uint32_t	vq_notify_off;	/* transport: where to notify */

	/* Split ring. */
	struct vio_ring_desc *vq_desc;
	struct vio_ring_avail *vq_avail;
	struct vio_ring_used *vq_used;
	volatile uint16_t *vq_used_event;	/* in the avail ring */
	volatile uint16_t *vq_avail_event;	/* in the used ring */

	/* Packed ring. */
	struct vio_packed_desc *vq_pdesc;
	struct vio_packed_event *vq_pdriver;	/* driver event suppression */
	struct vio_packed_event *vq_pdevice;	/* device event suppression */
	bool		vq_avail_wrap;	/* driver ring wrap counter */
	bool		vq_used_wrap;	/* wrap counter of vq_used_idx */
	uint32_t	vq_unkicked;	/* descriptors posted since the kick */
};

/*
 * Allocate queue index: rings in DMA memory, bookkeeping in driver
 * memory, then program the transport.  The ring format follows the
 * negotiated features (packed with VIRTIO_F_RING_PACKED, whose queue
 * size need not be a power of two).  max_size (a power of two, 0 for
 * no limit) caps the queue size where the transport allows a smaller one
 * (modern); max_segs is the longest request the driver will post: it is
 * capped to the queue size when indirect descriptors are not available
 * (read the result in vq_maxsegs).  With MSI-X the queue's vector
 * (vio_queue_vector()) is programmed before the queue is enabled.
 * Errors: ENOENT (no such queue), EINVAL (the index already set up),
 * ENOMEM, ENOSPC (the device refused the vector, or VIO_MAX_VQS queues
 * are set up), EIO (absurd queue size: device marked broken).
 */
int	vq_alloc(struct vio_softc *, struct vio_vq *, uint16_t index,
	    uint16_t max_size, uint16_t max_segs, const char *name);
/* Release rings and memory; the device must be reset first. */
void	vq_free(struct vio_vq *);
/* The queue set up with index, NULL if none. */
struct vio_vq *vq_lookup(struct vio_softc *, uint16_t index);

/*
 * Post one request.  0 on success; ENOSPC when too few descriptors are
 * free (retry after completions); EINVAL for a malformed list (no
 * segments, more than vq_maxsegs, zero length, readable after writable);
 * EIO if the device is broken.
 */
int	vq_enqueue(struct vio_vq *, const struct vio_seg *segs,
	    unsigned int nsegs, void *cookie);
/* Notify the device of what was enqueued, if it wants to be told. */
void	vq_kick(struct vio_vq *);

/*
 * Take one completed request: 0 with its cookie and the byte count the
 * device wrote; ENOENT if none is pending; EIO if the device is broken.
 */
int	vq_dequeue(struct vio_vq *, void **cookiep, uint32_t *lenp);

/*
 * After vio_reset(): hand back one request still in flight (0), or
 * ENOENT when none is left, so the driver can fail it.
 */
int	vq_reclaim(struct vio_vq *, void **cookiep);

/*
 * The completion loop.  take(arg) handles one completion of the queue
 * (it may consume several used entries, as a mergeable rx frame does):
 * 0 when it took one, ENOENT when none is left, EIO when the device is
 * broken.  Once the device is broken, vq_drain() resets it (so it no
 * longer writes to memory) and calls fail(arg, cookie) for each request
 * still in flight.  Returns 0, EIO (device broken), or take's other
 * error, with interrupts enabled.
 */
typedef int	vq_take_fn(void *arg);
typedef void	vq_fail_fn(void *arg, void *cookie);
int	vq_drain(struct vio_vq *, vq_take_fn *take, vq_fail_fn *fail,
	    void *arg);

/* Ask the device not to interrupt for this queue (a hint). */
void	vq_intr_disable(struct vio_vq *);
/*
 * Ask for interrupts again (with EVENT_IDX: at the next used entry).
 * Returns true if used entries arrived meanwhile: dequeue again.  False
 * on a broken device, whose used ring is no longer read.
 */
bool	vq_intr_enable(struct vio_vq *);
/* Interrupt for this queue: count it and call vq_done (its result). */
int	vq_intr(struct vio_vq *);
/* True if the device has used entries not yet dequeued (and works). */
bool	vq_pending(struct vio_vq *);
/*
 * Whether a shared-line interrupt should run the queue's handler: used
 * entries wait, or the device broke with requests in flight (which the
 * handler's vq_drain() then fails).
 */
bool	vq_wants_intr(struct vio_vq *);

#endif /* !_VIO_VQ_H_ */
