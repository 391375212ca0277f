/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Device side of packed virtqueues (spec 2.8): pop available chains in
 * ring order (following indirect tables), write one used descriptor per
 * buffer at the device's used position and skip the buffer's other
 * descriptors, keep the device event suppression current and decide on
 * interrupts from the driver's.  Whatever the driver wrote is checked:
 * the AVAIL and USED bits of every descriptor against the wrap counter
 * of its position, ids, indirect tables, event suppression flags.
 */

#include <errno.h>
#include <string.h>

#include "vio_os.h"
#include "virtio_reg.h"
#include "vio_le.h"
#include "sim.h"
#include "sim_priv.h"

struct sim_packed {
	struct vio_packed_desc *desc;
	struct vio_packed_event *driver;	/* the driver writes it */
	struct vio_packed_event *device;	/* the device writes it */
};

static int
sim_packed_rings(struct sim_dev *dev, uint16_t qi, struct sim_packed *r)
{
	struct sim_queue *q;

	if (qi >= SIM_MAX_QUEUES || !dev->queues[qi].enabled) {
		sim_driver_error(dev, "queue %u used but not enabled", qi);
		return (EINVAL);
	}
	q = &dev->queues[qi];
	if (q->num > SIM_PACKED_MAX) {
		sim_driver_error(dev, "packed queue %u of %u descriptors:"
		    " more than the simulator tracks", qi, q->num);
		return (EINVAL);
	}
	r->desc = sim_translate(dev, q->desc, (size_t)q->num * 16);
	r->driver = sim_translate(dev, q->avail, 4);
	r->device = sim_translate(dev, q->used, 4);
	if (r->desc == NULL || r->driver == NULL || r->device == NULL) {
		sim_driver_error(dev, "queue %u rings not in DMA memory", qi);
		return (EINVAL);
	}
	return (0);
}

/* Available in the lap of wrap: AVAIL equals it, USED does not. */
static bool
sim_packed_avail(uint16_t flags, bool wrap)
{

	return (((flags & VRING_PACKED_DESC_F_AVAIL) != 0) == wrap &&
	    ((flags & VRING_PACKED_DESC_F_USED) != 0) != wrap);
}

static void
sim_packed_step(const struct sim_queue *q, uint16_t *posp, bool *wrapp,
    unsigned int n)
{
	unsigned int pos = *posp + n;

	if (pos >= q->num) {
		pos -= q->num;
		*wrapp = !*wrapp;
	}
	*posp = (uint16_t)pos;
}

/* Only F_WRITE is valid in an indirect table (spec 2.8). */
static int
sim_packed_indirect(struct sim_dev *dev, uint16_t qi, struct sim_chain *ch,
    const struct vio_packed_desc *d)
{
	struct vio_packed_desc t;
	const uint8_t *table;
	uint32_t len = vio_le32toh(d->len), i;
	uint16_t flags;

	if ((dev->driver_features & VIRTIO_RING_F_INDIRECT_DESC) == 0)
		return (sim_chain_error(dev, qi, "indirect not negotiated"));
	if (len == 0 || len % sizeof(t) != 0)
		return (sim_chain_error(dev, qi, "bad indirect descriptor"));
	table = sim_translate(dev, vio_le64toh(d->addr), len);
	if (table == NULL)
		return (sim_chain_error(dev, qi,
		    "indirect table not in DMA memory"));
	ch->indirect = true;
	for (i = 0; i < len / sizeof(t); i++) {
		memcpy(&t, table + i * sizeof(t), sizeof(t));
		flags = vio_le16toh(t.flags);
		if ((flags & ~VRING_DESC_F_WRITE) != 0)
			return (sim_chain_error(dev, qi,
			    "flags other than F_WRITE in an indirect table"));
		if (sim_chain_add(dev, qi, ch, vio_le64toh(t.addr),
		    vio_le32toh(t.len), (flags & VRING_DESC_F_WRITE) != 0) != 0)
			return (EINVAL);
	}
	return (0);
}

/* Walk the chain at last_avail; the id is the last descriptor's. */
static int
sim_packed_walk(struct sim_dev *dev, uint16_t qi, struct sim_packed *r,
    struct sim_chain *ch, uint16_t *ndescp)
{
	struct sim_queue *q = &dev->queues[qi];
	struct vio_packed_desc d;
	uint16_t flags, n = 0;

	for (;;) {
		if (++n > q->num)
			return (sim_chain_error(dev, qi,
			    "chain longer than the ring"));
		memcpy(&d, &r->desc[q->last_avail], sizeof(d));
		flags = vio_le16toh(d.flags);
		if (!sim_packed_avail(flags, q->avail_wrap))
			return (sim_chain_error(dev, qi,
			    "chain descriptor not available"));
		ch->head = vio_le16toh(d.id);
		sim_packed_step(q, &q->last_avail, &q->avail_wrap, 1);
		if (flags & VRING_DESC_F_INDIRECT) {
			if (n != 1 || (flags & VRING_DESC_F_NEXT))
				return (sim_chain_error(dev, qi,
				    "indirect descriptor in a chain"));
			if (sim_packed_indirect(dev, qi, ch, &d) != 0)
				return (EINVAL);
		} else if (sim_chain_add(dev, qi, ch, vio_le64toh(d.addr),
		    vio_le32toh(d.len), (flags & VRING_DESC_F_WRITE) != 0) != 0)
			return (EINVAL);
		if ((flags & VRING_DESC_F_NEXT) == 0)
			break;
	}
	*ndescp = n;
	return (0);
}

/* Ask for a notification at the next descriptor, or none at all. */
static void
sim_packed_device_event(struct sim_dev *dev, struct sim_queue *q,
    struct sim_packed *r)
{
	volatile struct vio_packed_event *ev = r->device;

	if (!sim_event_idx(dev)) {
		ev->flags = vio_htole16(dev->no_notify ?
		    VRING_PACKED_EVENT_F_DISABLE : VRING_PACKED_EVENT_F_ENABLE);
		return;
	}
	if (!dev->no_avail_event)
		ev->off_wrap = vio_htole16(q->last_avail |
		    (q->avail_wrap ? VRING_PACKED_EVENT_WRAP : 0));
	vio_membar_producer();
	ev->flags = vio_htole16(VRING_PACKED_EVENT_F_DESC);
}

int
sim_packed_pop(struct sim_dev *dev, uint16_t qi, struct sim_chain *ch)
{
	struct sim_packed r;
	struct sim_queue *q;
	uint16_t flags, ndesc;

	if (sim_packed_rings(dev, qi, &r) != 0)
		return (EINVAL);
	q = &dev->queues[qi];
	flags = vio_le16toh(((volatile struct vio_packed_desc *)
	    &r.desc[q->last_avail])->flags);
	if (!sim_packed_avail(flags, q->avail_wrap))
		return (ENOENT);
	vio_membar_consumer();
	memset(ch, 0, offsetof(struct sim_chain, segs));
	if (sim_packed_walk(dev, qi, &r, ch, &ndesc) != 0)
		return (EINVAL);
	if (ch->head >= q->num)
		return (sim_chain_error(dev, qi, "buffer id out of range"));
	if (q->ndesc[ch->head] != 0)
		return (sim_chain_error(dev, qi, "buffer id in flight"));
	q->ndesc[ch->head] = ndesc;
	sim_packed_device_event(dev, q, &r);
	return (0);
}

/* Does the driver want an interrupt for descriptors [old, new)? */
static bool
sim_packed_intr(struct sim_dev *dev, uint16_t qi, struct sim_packed *r,
    unsigned int added)
{
	struct sim_queue *q = &dev->queues[qi];
	volatile struct vio_packed_event *ev = r->driver;
	uint16_t flags = vio_le16toh(ev->flags), off_wrap, off;
	unsigned int behind;

	switch (flags) {
	case VRING_PACKED_EVENT_F_ENABLE:
		return (true);
	case VRING_PACKED_EVENT_F_DISABLE:
		return (false);
	case VRING_PACKED_EVENT_F_DESC:
		if (sim_event_idx(dev))
			break;
		/* FALLTHROUGH */
	default:
		sim_driver_error(dev, "queue %u: driver event flags %#x", qi,
		    flags);
		return (true);
	}
	off_wrap = vio_le16toh(ev->off_wrap);
	off = off_wrap & ~VRING_PACKED_EVENT_WRAP;
	if (off >= q->num) {
		sim_driver_error(dev, "queue %u: driver event offset %u", qi,
		    off);
		return (true);
	}
	behind = q->used_idx + q->num - off;
	if (((off_wrap & VRING_PACKED_EVENT_WRAP) != 0) == q->used_wrap)
		behind -= q->num;
	return (behind >= 1 && behind <= added);
}

void
sim_packed_push_used(struct sim_dev *dev, uint16_t qi, uint32_t id,
    uint32_t len)
{
	volatile struct vio_packed_desc *d;
	struct sim_packed r;
	struct sim_queue *q;
	uint16_t flags, n = 1;

	if (sim_packed_rings(dev, qi, &r) != 0)
		return;
	q = &dev->queues[qi];
	d = &r.desc[q->used_idx];
	d->id = vio_htole16((uint16_t)id);
	d->len = vio_htole32(len);
	/* As QEMU 7.2 does: no F_WRITE, whatever was written. */
	flags = q->used_wrap ?
	    VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED : 0;
	vio_membar_producer();
	d->flags = vio_htole16(flags);
	if (id < q->num && q->ndesc[id] != 0) {
		n = q->ndesc[id];
		q->ndesc[id] = 0;
	}
	sim_packed_step(q, &q->used_idx, &q->used_wrap, n);
	vio_membar_sync();
	if (sim_packed_intr(dev, qi, &r, n)) {
		dev->isr |= VIRTIO_ISR_QUEUE;
		q->interrupts++;
	}
}

void
sim_packed_set_used_idx(struct sim_dev *dev, uint16_t qi, uint16_t idx)
{
	struct sim_queue *q;
	struct sim_packed r;

	if (sim_packed_rings(dev, qi, &r) != 0)
		return;
	q = &dev->queues[qi];
	q->used_idx = (uint16_t)((idx & ~VRING_PACKED_EVENT_WRAP) % q->num);
	q->used_wrap = (idx & VRING_PACKED_EVENT_WRAP) != 0;
}
