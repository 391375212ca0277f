/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Device side of split virtqueues (packed ones: sim_packed.c, which the
 * public calls here hand over to): pop available chains (following
 * indirect tables), push used entries, decide on interrupts as a device
 * must under EVENT_IDX and the NO_INTERRUPT flag.  Whatever the driver
 * wrote is checked as strictly as QEMU does, and more.
 */

#include <errno.h>
#include <string.h>

#include "vio_os.h"
#include "virtio_reg.h"
#include "vio_le.h"
#include "sim.h"
#include "sim_priv.h"

struct sim_rings {
	struct vio_ring_desc *desc;
	struct vio_ring_avail *avail;
	struct vio_ring_used *used;
};

static int
sim_rings(struct sim_dev *dev, uint16_t qi, struct sim_rings *r)
{
	struct sim_queue *q;
	size_t num;

	if (qi >= SIM_MAX_QUEUES || !dev->queues[qi].enabled) {
		sim_driver_error(dev, "queue %u used but not enabled", qi);
		return (EINVAL);
	}
	q = &dev->queues[qi];
	num = q->num;
	r->desc = sim_translate(dev, q->desc, num * sizeof(*r->desc));
	r->avail = sim_translate(dev, q->avail, 4 + 2 * num + 2);
	r->used = sim_translate(dev, q->used, 4 + 8 * num + 2);
	if (r->desc == NULL || r->avail == NULL || r->used == NULL) {
		sim_driver_error(dev, "queue %u rings not in DMA memory", qi);
		return (EINVAL);
	}
	return (0);
}

bool
sim_event_idx(const struct sim_dev *dev)
{

	return ((dev->driver_features & VIRTIO_RING_F_EVENT_IDX) != 0);
}

bool
sim_is_packed(const struct sim_dev *dev)
{

	return ((dev->driver_features & VIRTIO_F_RING_PACKED) != 0);
}

int
sim_chain_error(struct sim_dev *dev, uint16_t qi, const char *what)
{

	sim_driver_error(dev, "queue %u: %s", qi, what);
	return (EINVAL);
}

int
sim_chain_add(struct sim_dev *dev, uint16_t qi, struct sim_chain *ch,
    uint64_t addr, uint32_t len, bool write)
{
	struct sim_seg *seg;

	if (ch->nsegs == SIM_MAX_SEGS)
		return (sim_chain_error(dev, qi, "chain too long"));
	seg = &ch->segs[ch->nsegs++];
	seg->addr = addr;
	seg->len = len;
	seg->write = write;
	seg->ptr = sim_translate(dev, addr, len);
	if (seg->ptr == NULL || len == 0)
		return (sim_chain_error(dev, qi, "buffer not in DMA memory"));
	if (write)
		ch->writable += len;
	else if (ch->writable != 0)
		return (sim_chain_error(dev, qi,
		    "readable buffer after writable one"));
	else
		ch->readable += len;
	return (0);
}

/* Follow head through the table and, once, an indirect table. */
static int
sim_walk(struct sim_dev *dev, uint16_t qi, struct sim_rings *r, uint16_t head,
    struct sim_chain *ch)
{
	const uint8_t *table = (const uint8_t *)r->desc;
	struct vio_ring_desc d;
	unsigned int tnum = dev->queues[qi].num, i = head, steps = 0;
	uint16_t flags;
	uint32_t len;

	memset(ch, 0, offsetof(struct sim_chain, segs));
	ch->queue = qi;
	ch->head = head;
	for (;;) {
		if (i >= tnum || ++steps > tnum)
			return (sim_chain_error(dev, qi, "chain out of range"));
		/* A table the driver placed anywhere: no alignment assumed. */
		memcpy(&d, table + (size_t)i * sizeof(d), sizeof(d));
		flags = vio_le16toh(d.flags);
		len = vio_le32toh(d.len);
		if (flags & VRING_DESC_F_INDIRECT) {
			if (ch->indirect || ch->nsegs != 0 ||
			    (flags & VRING_DESC_F_NEXT) ||
			    len == 0 || len % sizeof(d) != 0)
				return (sim_chain_error(dev, qi,
				    "bad indirect descriptor"));
			table = sim_translate(dev, vio_le64toh(d.addr), len);
			if (table == NULL)
				return (sim_chain_error(dev, qi,
				    "indirect table not in DMA memory"));
			ch->indirect = true;
			tnum = len / sizeof(d);
			i = 0;
			steps = 0;
			continue;
		}
		if (sim_chain_add(dev, qi, ch, vio_le64toh(d.addr), len,
		    (flags & VRING_DESC_F_WRITE) != 0) != 0)
			return (EINVAL);
		if ((flags & VRING_DESC_F_NEXT) == 0)
			return (0);
		i = vio_le16toh(d.next);
	}
}

int
sim_pop(struct sim_dev *dev, uint16_t qi, struct sim_chain *ch)
{
	struct sim_queue *q;
	struct sim_rings r;
	uint16_t avail_idx, head;

	if (sim_is_packed(dev))
		return (sim_packed_pop(dev, qi, ch));
	if (sim_rings(dev, qi, &r) != 0)
		return (EINVAL);
	q = &dev->queues[qi];
	avail_idx = vio_le16toh(*(volatile uint16_t *)&r.avail->idx);
	if (avail_idx == q->last_avail)
		return (ENOENT);
	if ((uint16_t)(avail_idx - q->last_avail) > q->num)
		return (sim_chain_error(dev, qi, "avail index ran ahead"));
	vio_membar_consumer();
	head = vio_le16toh(r.avail->ring[q->last_avail % q->num]);
	q->last_avail++;
	/* Ask to be notified when the driver posts past what we took. */
	if (sim_event_idx(dev) && !dev->no_avail_event)
		*(volatile uint16_t *)&r.used->ring[q->num] =
		    vio_htole16(q->last_avail);
	r.used->flags = vio_htole16(dev->no_notify ?
	    VRING_USED_F_NO_NOTIFY : 0);
	return (sim_walk(dev, qi, &r, head, ch));
}

void
sim_push_used(struct sim_dev *dev, uint16_t qi, uint32_t id, uint32_t len)
{
	struct sim_queue *q;
	struct sim_rings r;
	struct vio_ring_used_elem *e;
	uint16_t old, new, event;
	bool intr;

	if (sim_is_packed(dev)) {
		sim_packed_push_used(dev, qi, id, len);
		return;
	}
	if (sim_rings(dev, qi, &r) != 0)
		return;
	q = &dev->queues[qi];
	e = &r.used->ring[q->used_idx % q->num];
	e->id = vio_htole32(id);
	e->len = vio_htole32(len);
	vio_membar_producer();
	old = q->used_idx;
	new = ++q->used_idx;
	((volatile struct vio_ring_used *)r.used)->idx = vio_htole16(new);
	vio_membar_sync();
	if (sim_event_idx(dev)) {
		/* With EVENT_IDX the driver must leave flags 0 (2.7.7.1). */
		if (vio_le16toh(r.avail->flags) != 0)
			sim_driver_error(dev, "queue %u: avail flags %#x with"
			    " EVENT_IDX", qi, vio_le16toh(r.avail->flags));
		event = vio_le16toh(
		    *(volatile uint16_t *)&r.avail->ring[q->num]);
		intr = (uint16_t)(new - event - 1) < (uint16_t)(new - old);
	} else {
		intr = (vio_le16toh(r.avail->flags) &
		    VRING_AVAIL_F_NO_INTERRUPT) == 0;
	}
	if (intr) {
		dev->isr |= VIRTIO_ISR_QUEUE;
		q->interrupts++;
	}
}

void
sim_complete(struct sim_dev *dev, uint16_t qi, uint16_t head, uint32_t len)
{

	if (qi < SIM_MAX_QUEUES && dev->queues[qi].held > 0)
		dev->queues[qi].held--;
	sim_push_used(dev, qi, head, len);
}

void
sim_set_used_idx(struct sim_dev *dev, uint16_t qi, uint16_t idx)
{
	struct sim_rings r;

	if (sim_is_packed(dev)) {
		sim_packed_set_used_idx(dev, qi, idx);
		return;
	}
	if (sim_rings(dev, qi, &r) != 0)
		return;
	dev->queues[qi].used_idx = idx;
	r.used->idx = vio_htole16(idx);
}

int
sim_process(struct sim_dev *dev, uint16_t qi)
{
	struct sim_chain ch;
	int n = 0, len;

	if (dev->model->process == NULL)
		return (0);
	while (sim_pop(dev, qi, &ch) == 0) {
		len = dev->model->process(dev, qi, &ch, dev->model->arg);
		if (len == SIM_HOLD)
			dev->queues[qi].held++;
		else
			sim_push_used(dev, qi, ch.head, (uint32_t)len);
		n++;
	}
	return (n);
}

void
sim_notify(struct sim_dev *dev, uint16_t qi)
{

	if (qi >= SIM_MAX_QUEUES || !dev->queues[qi].enabled) {
		sim_driver_error(dev, "notify of queue %u, not enabled", qi);
		return;
	}
	dev->queues[qi].notifies++;
	sim_process(dev, qi);
}
