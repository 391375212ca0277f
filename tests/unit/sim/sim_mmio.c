/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Simulated virtio-mmio register window, version 1 (legacy) and 2, as
 * "BAR" 0 of the device.  Registers answer only 32-bit accesses (spec
 * 4.2.2.2; anything else is a driver error), registers of the other
 * version are driver errors too, and InterruptStatus stays set until the
 * driver acknowledges it.  Lies come through the read hook
 * (struct sim_dev) and queues[].max_size, as for PCI.
 */

#include <string.h>

#include "vio_os.h"
#include "virtio_reg.h"
#include "virtio_mmio_reg.h"
#include "sim.h"
#include "sim_priv.h"

static bool
sim_mmio_reg(struct sim_dev *dev, const char *reg, int width, bool legacy_only,
    bool modern_only)
{
	bool legacy = dev->transport == SIM_MMIO_LEGACY;

	if ((legacy_only && !legacy) || (modern_only && legacy)) {
		sim_driver_error(dev, "%s is not a version %d register", reg,
		    legacy ? 1 : 2);
		return (false);
	}
	return (sim_width(dev, reg, width, 4));
}

/* Version 1 ring placement: one area from the page frame (4.2.4). */
static void
sim_mmio_pfn(struct sim_dev *dev, struct sim_queue *q, uint32_t pfn)
{
	uint64_t avail_end, align = dev->mmio_queue_align;

	if (pfn == 0) {
		q->enabled = false;
		q->desc = 0;
		return;
	}
	if (dev->mmio_page_size == 0 || align == 0 ||
	    (align & (align - 1)) != 0) {
		sim_driver_error(dev, "queue pfn before page size %u and"
		    " align %u", dev->mmio_page_size, dev->mmio_queue_align);
		return;
	}
	q->desc = (uint64_t)pfn * dev->mmio_page_size;
	q->avail = q->desc + 16ULL * q->num;
	avail_end = q->avail + 4 + 2ULL * q->num + 2;
	q->used = (avail_end + align - 1) & ~(align - 1);
	q->last_avail = q->used_idx = 0;
	q->enabled = true;
}

static uint32_t
sim_mmio_queue_read(struct sim_dev *dev, struct sim_queue *q, uint32_t off,
    int width)
{

	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		if (sim_mmio_reg(dev, "QueueNumMax", width, false, false))
			return (q->max_size);
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		if (sim_mmio_reg(dev, "QueuePFN", width, true, false) &&
		    dev->mmio_page_size != 0)
			return ((uint32_t)(q->desc / dev->mmio_page_size));
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (sim_mmio_reg(dev, "QueueReady", width, false, true))
			return (q->enabled);
		break;
	default:
		sim_driver_error(dev, "mmio read at %#x", off);
		break;
	}
	return (0);
}

uint32_t
sim_mmio_read(struct sim_dev *dev, int bar, uint32_t off, int width)
{
	struct sim_queue *q = sim_selq(dev);

	if (bar != 0) {
		sim_driver_error(dev, "mmio read of \"BAR\" %d", bar);
		return (0);
	}
	if (off >= VIRTIO_MMIO_CONFIG)
		return (sim_config_read(dev, off - VIRTIO_MMIO_CONFIG, width));
	if (!sim_width(dev, "mmio register", width, 4))
		return (0);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return (VIRTIO_MMIO_MAGIC);
	case VIRTIO_MMIO_VERSION:
		return (dev->transport == SIM_MMIO_LEGACY ?
		    VIRTIO_MMIO_VERSION_LEGACY : VIRTIO_MMIO_VERSION_MODERN);
	case VIRTIO_MMIO_DEVICE_ID:
		return (dev->model->device_type);
	case VIRTIO_MMIO_VENDOR_ID:
		return (SIM_MMIO_VENDOR);
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return (dev->dfselect == 0 ? (uint32_t)dev->features :
		    dev->dfselect == 1 ? (uint32_t)(dev->features >> 32) : 0);
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return (dev->isr);
	case VIRTIO_MMIO_STATUS:
		return (sim_status_read(dev));
	case VIRTIO_MMIO_CONFIG_GENERATION:
		if (!sim_mmio_reg(dev, "ConfigGeneration", width, false, true))
			return (0);
		if (dev->generation_flaps)
			dev->generation++;
		return (dev->generation);
	}
	if (q == NULL) {
		sim_driver_error(dev, "QueueSel %u out of range",
		    dev->queue_sel);
		return (0);
	}
	return (sim_mmio_queue_read(dev, q, off, width));
}

static void
sim_mmio_driver_features(struct sim_dev *dev, uint32_t val)
{
	uint64_t mask;
	int shift;

	/* Version 1 has one word of features, as QEMU insists. */
	if (dev->gfselect > (dev->transport == SIM_MMIO_LEGACY ? 0U : 1U)) {
		sim_driver_error(dev, "DriverFeatures with DriverFeaturesSel"
		    " %u", dev->gfselect);
		return;
	}
	shift = dev->gfselect * 32;
	mask = (uint64_t)0xffffffffU << shift;
	dev->driver_features = (dev->driver_features & ~mask) |
	    (uint64_t)val << shift;
	/* Version 1 has no FEATURES_OK: check at the write. */
	if (dev->transport == SIM_MMIO_LEGACY)
		(void)sim_features_offered(dev);
}

/* Low or high half of a queue address register pair (version 2). */
static void
sim_mmio_queue_addr(struct sim_dev *dev, struct sim_queue *q, uint32_t off,
    uint32_t val)
{
	uint64_t *addr, mask;
	int shift = (off & 4) ? 32 : 0;

	if (dev->transport == SIM_MMIO_LEGACY) {
		sim_driver_error(dev, "queue address at %#x in version 1",
		    off);
		return;
	}
	if (q->enabled) {
		sim_driver_error(dev, "queue %u address written while ready",
		    dev->queue_sel);
		return;
	}
	switch (off & ~4U) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		addr = &q->desc;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		addr = &q->avail;
		break;
	default:
		addr = &q->used;
		break;
	}
	mask = (uint64_t)0xffffffffU << shift;
	*addr = (*addr & ~mask) | (uint64_t)val << shift;
}

static void
sim_mmio_queue_write(struct sim_dev *dev, struct sim_queue *q, uint32_t off,
    uint32_t val)
{

	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		if (val == 0 || val > q->max_size)
			sim_driver_error(dev, "QueueNum %u (max %u)", val,
			    q->max_size);
		else
			q->num = (uint16_t)val;
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		if (sim_mmio_reg(dev, "QueuePFN", 4, true, false))
			sim_mmio_pfn(dev, q, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!sim_mmio_reg(dev, "QueueReady", 4, false, true))
			break;
		if (val == 0)
			q->enabled = false;
		else if (!dev->refuse_queue_enable) {
			q->enabled = true;
			q->last_avail = q->used_idx = 0;
		}
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW: case VIRTIO_MMIO_QUEUE_USED_HIGH:
		sim_mmio_queue_addr(dev, q, off, val);
		break;
	default:
		sim_driver_error(dev, "mmio write at %#x", off);
		break;
	}
}

void
sim_mmio_write(struct sim_dev *dev, int bar, uint32_t off, int width,
    uint32_t val)
{
	struct sim_queue *q = sim_selq(dev);

	if (bar != 0) {
		sim_driver_error(dev, "mmio write to \"BAR\" %d", bar);
		return;
	}
	if (off >= VIRTIO_MMIO_CONFIG) {
		sim_config_write(dev, off - VIRTIO_MMIO_CONFIG, width, val);
		return;
	}
	if (!sim_width(dev, "mmio register", width, 4))
		return;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev->dfselect = val;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev->gfselect = val;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		sim_mmio_driver_features(dev, val);
		return;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		if (sim_mmio_reg(dev, "GuestPageSize", width, true, false))
			dev->mmio_page_size = val;
		return;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		if (sim_mmio_reg(dev, "QueueAlign", width, true, false))
			dev->mmio_queue_align = val;
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		dev->queue_sel = (uint16_t)val;
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		sim_notify(dev, (uint16_t)val);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		dev->isr &= ~val;
		return;
	case VIRTIO_MMIO_STATUS:
		sim_status_write(dev, (uint8_t)val);
		return;
	}
	if (q == NULL) {
		sim_driver_error(dev, "QueueSel %u out of range",
		    dev->queue_sel);
		return;
	}
	sim_mmio_queue_write(dev, q, off, val);
}
