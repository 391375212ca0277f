/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Simulated register files: legacy registers in BAR 0, the modern
 * common configuration, ISR, device configuration and notify regions in
 * BAR 4, and PCI configuration space (virtio-mmio: sim_mmio.c).  An
 * access of the wrong width to a register is a driver error, as on a
 * strict device.
 */

#include <stdlib.h>
#include <string.h>

#include "vio_os.h"
#include "virtio_reg.h"
#include "sim.h"
#include "sim_priv.h"

static uint32_t
get_le(const uint8_t *p, int width)
{
	uint32_t v = 0;
	int i;

	for (i = width - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

static void
put_le(uint8_t *p, int width, uint32_t v)
{
	int i;

	for (i = 0; i < width; i++, v >>= 8)
		p[i] = v & 0xff;
}

bool
sim_width(struct sim_dev *dev, const char *reg, int width, int want)
{

	if (width == want)
		return (true);
	sim_driver_error(dev, "%s accessed with width %d", reg, width);
	return (false);
}

struct sim_queue *
sim_selq(struct sim_dev *dev)
{

	if (dev->queue_sel >= SIM_MAX_QUEUES)
		return (NULL);
	return (&dev->queues[dev->queue_sel]);
}

uint8_t
sim_status_read(struct sim_dev *dev)
{

	if (dev->stuck_status)
		return (VIRTIO_STATUS_ACKNOWLEDGE);
	return (dev->status |
	    (dev->needs_reset ? VIRTIO_STATUS_DEVICE_NEEDS_RESET : 0));
}

/*
 * A driver must accept only features the device offered (spec 2.2.1);
 * QEMU merely refuses FEATURES_OK, a strict device calls it a driver
 * error.  Returns the bits that were not offered.
 */
uint64_t
sim_features_offered(struct sim_dev *dev)
{
	uint64_t extra = dev->driver_features & ~dev->features;

	if (extra != 0)
		sim_driver_error(dev, "driver accepted features %#llx that"
		    " were not offered", (unsigned long long)extra);
	return (extra);
}

void
sim_status_write(struct sim_dev *dev, uint8_t val)
{

	if (val == 0) {
		sim_reset(dev);
		return;
	}
	if ((val & ~dev->status & VIRTIO_STATUS_FEATURES_OK) != 0) {
		/* As QEMU: refuse features the device never offered. */
		if (dev->refuse_features_ok ||
		    sim_features_offered(dev) != 0)
			val &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	dev->status = val;
}

uint32_t
sim_config_read(struct sim_dev *dev, uint32_t off, int width)
{
	uint8_t buf[4] = { 0 };
	uint32_t v;

	if (off < dev->config_len)
		memcpy(buf, dev->config + off,
		    off + width <= dev->config_len ? (size_t)width :
		    dev->config_len - off);
	v = get_le(buf, width);
	if (dev->config_flaps)
		v ^= ++dev->config_reads;
	return (v);
}

void
sim_config_write(struct sim_dev *dev, uint32_t off, int width, uint32_t val)
{

	if (off + width > dev->config_len) {
		sim_driver_error(dev, "config write at %u beyond %zu", off,
		    dev->config_len);
		return;
	}
	put_le(dev->config + off, width, val);
	if (dev->model->config_written != NULL)
		dev->model->config_written(dev, off, width, dev->model->arg);
}

static uint16_t
sim_vector(struct sim_dev *dev, uint32_t val)
{

	return (dev->refuse_vectors ? VIRTIO_MSI_NO_VECTOR : (uint16_t)val);
}

/* Legacy ring placement, derived from the page frame (spec 2.7.2). */
static void
sim_legacy_pfn(struct sim_dev *dev, struct sim_queue *q, uint32_t pfn)
{
	uint64_t avail_end;

	if (pfn == 0) {
		q->enabled = false;
		return;
	}
	q->num = q->max_size;
	q->desc = (uint64_t)pfn << VIRTIO_LEGACY_PFN_SHIFT;
	q->avail = q->desc + 16ULL * q->num;
	avail_end = q->avail + 4 + 2ULL * q->num + 2;
	q->used = (avail_end + VRING_LEGACY_ALIGN - 1) &
	    ~(uint64_t)(VRING_LEGACY_ALIGN - 1);
	sim_queue_start(q);
	q->enabled = q->max_size != 0;
	(void)dev;
}

static uint32_t
sim_legacy_read(struct sim_dev *dev, uint32_t off, int width)
{
	struct sim_queue *q = sim_selq(dev);
	uint32_t cfg = dev->msix_enabled ? VIRTIO_LEGACY_CONFIG_MSIX :
	    VIRTIO_LEGACY_CONFIG;
	uint8_t isr;

	if (off >= cfg)
		return (sim_config_read(dev, off - cfg, width));
	switch (off) {
	case VIRTIO_LEGACY_HOST_FEATURES:
		if (sim_width(dev, "host_features", width, 4))
			return ((uint32_t)dev->features);
		break;
	case VIRTIO_LEGACY_GUEST_FEATURES:
		if (sim_width(dev, "guest_features", width, 4))
			return ((uint32_t)dev->driver_features);
		break;
	case VIRTIO_LEGACY_QUEUE_PFN:
		if (sim_width(dev, "queue_pfn", width, 4) && q != NULL)
			return ((uint32_t)(q->desc >> VIRTIO_LEGACY_PFN_SHIFT));
		break;
	case VIRTIO_LEGACY_QUEUE_NUM:
		if (sim_width(dev, "queue_num", width, 2) && q != NULL)
			return (q->max_size);
		break;
	case VIRTIO_LEGACY_QUEUE_SEL:
		if (sim_width(dev, "queue_sel", width, 2))
			return (dev->queue_sel);
		break;
	case VIRTIO_LEGACY_STATUS:
		if (sim_width(dev, "status", width, 1))
			return (sim_status_read(dev));
		break;
	case VIRTIO_LEGACY_ISR:
		if (sim_width(dev, "isr", width, 1)) {
			isr = dev->isr;
			dev->isr = 0;
			return (isr);
		}
		break;
	case VIRTIO_LEGACY_MSIX_CONFIG:
		if (sim_width(dev, "config_vector", width, 2))
			return (dev->config_vector);
		break;
	case VIRTIO_LEGACY_MSIX_QUEUE:
		if (sim_width(dev, "queue_vector", width, 2) && q != NULL)
			return (q->msix_vector);
		break;
	default:
		sim_driver_error(dev, "legacy read at %u", off);
		break;
	}
	return (0);
}

static void
sim_legacy_write(struct sim_dev *dev, uint32_t off, int width, uint32_t val)
{
	struct sim_queue *q = sim_selq(dev);
	uint32_t cfg = dev->msix_enabled ? VIRTIO_LEGACY_CONFIG_MSIX :
	    VIRTIO_LEGACY_CONFIG;

	if (off >= cfg) {
		sim_config_write(dev, off - cfg, width, val);
		return;
	}
	switch (off) {
	case VIRTIO_LEGACY_GUEST_FEATURES:
		if (sim_width(dev, "guest_features", width, 4)) {
			dev->driver_features = val;
			/* Legacy has no FEATURES_OK: check at the write. */
			(void)sim_features_offered(dev);
		}
		break;
	case VIRTIO_LEGACY_QUEUE_PFN:
		if (sim_width(dev, "queue_pfn", width, 4) && q != NULL)
			sim_legacy_pfn(dev, q, val);
		break;
	case VIRTIO_LEGACY_QUEUE_SEL:
		if (sim_width(dev, "queue_sel", width, 2))
			dev->queue_sel = (uint16_t)val;
		break;
	case VIRTIO_LEGACY_QUEUE_NOTIFY:
		if (sim_width(dev, "queue_notify", width, 2))
			sim_notify(dev, (uint16_t)val);
		break;
	case VIRTIO_LEGACY_STATUS:
		if (sim_width(dev, "status", width, 1))
			sim_status_write(dev, (uint8_t)val);
		break;
	case VIRTIO_LEGACY_MSIX_CONFIG:
		if (sim_width(dev, "config_vector", width, 2))
			dev->config_vector = sim_vector(dev, val);
		break;
	case VIRTIO_LEGACY_MSIX_QUEUE:
		if (sim_width(dev, "queue_vector", width, 2) && q != NULL)
			q->msix_vector = sim_vector(dev, val);
		break;
	default:
		sim_driver_error(dev, "legacy write at %u", off);
		break;
	}
}

/* Low or high half of a 64-bit queue address register. */
static uint64_t *
sim_queue_addr(struct sim_queue *q, uint32_t off, int *shift)
{

	*shift = (off & 4) ? 32 : 0;
	switch (off & ~4U) {
	case VIRTIO_PCI_COMMON_Q_DESCLO:
		return (&q->desc);
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
		return (&q->avail);
	default:
		return (&q->used);
	}
}

static uint32_t
sim_common_read(struct sim_dev *dev, uint32_t off, int width)
{
	struct sim_queue *q = sim_selq(dev);
	uint64_t *addr;
	int shift;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return (dev->dfselect);
	case VIRTIO_PCI_COMMON_DF:
		if (!sim_width(dev, "device_feature", width, 4))
			return (0);
		return (dev->dfselect == 0 ? (uint32_t)dev->features :
		    dev->dfselect == 1 ? (uint32_t)(dev->features >> 32) : 0);
	case VIRTIO_PCI_COMMON_GFSELECT:
		return (dev->gfselect);
	case VIRTIO_PCI_COMMON_MSIX:
		return (dev->config_vector);
	case VIRTIO_PCI_COMMON_NUMQ:
		return (dev->model->num_queues);
	case VIRTIO_PCI_COMMON_STATUS:
		if (sim_width(dev, "device_status", width, 1))
			return (sim_status_read(dev));
		return (0);
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		if (dev->generation_flaps)
			dev->generation++;
		return (dev->generation);
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return (dev->queue_sel);
	}
	if (q == NULL)
		return (0);
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return (q->num);
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return (q->msix_vector);
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return (q->enabled);
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return (q->notify_off);
	case VIRTIO_PCI_COMMON_Q_DESCLO: case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO: case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO: case VIRTIO_PCI_COMMON_Q_USEDHI:
		addr = sim_queue_addr(q, off, &shift);
		return ((uint32_t)(*addr >> shift));
	}
	sim_driver_error(dev, "common cfg read at %u", off);
	return (0);
}

static void
sim_common_queue_size(struct sim_dev *dev, struct sim_queue *q, uint32_t val)
{

	if (dev->refuse_queue_size)
		return;
	/* Only split rings need a power of two (spec 2.7; 2.8). */
	if (val == 0 || val > q->max_size ||
	    (!sim_is_packed(dev) && (val & (val - 1)) != 0)) {
		sim_driver_error(dev, "queue size %u (max %u)", val,
		    q->max_size);
		return;
	}
	q->num = (uint16_t)val;
}

static void
sim_common_write(struct sim_dev *dev, uint32_t off, int width, uint32_t val)
{
	struct sim_queue *q = sim_selq(dev);
	uint64_t *addr, mask;
	int shift;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		dev->dfselect = val;
		return;
	case VIRTIO_PCI_COMMON_GFSELECT:
		dev->gfselect = val;
		return;
	case VIRTIO_PCI_COMMON_GF:
		if (!sim_width(dev, "driver_feature", width, 4) ||
		    dev->gfselect > 1)
			return;
		shift = dev->gfselect * 32;
		mask = (uint64_t)0xffffffffU << shift;
		dev->driver_features = (dev->driver_features & ~mask) |
		    (uint64_t)val << shift;
		return;
	case VIRTIO_PCI_COMMON_MSIX:
		dev->config_vector = sim_vector(dev, val);
		return;
	case VIRTIO_PCI_COMMON_STATUS:
		if (sim_width(dev, "device_status", width, 1))
			sim_status_write(dev, (uint8_t)val);
		return;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		dev->queue_sel = (uint16_t)val;
		return;
	}
	if (q == NULL) {
		sim_driver_error(dev, "queue_select %u out of range",
		    dev->queue_sel);
		return;
	}
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		sim_common_queue_size(dev, q, val);
		return;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		/*
		 * Every field of a queue is set before queue_enable (spec
		 * 4.1.4.3.2); a strict device ignores a late vector.
		 */
		if (q->enabled) {
			sim_driver_error(dev, "queue %u vector written after"
			    " queue_enable", dev->queue_sel);
			return;
		}
		q->msix_vector = sim_vector(dev, val);
		return;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (val == 1 && !dev->refuse_queue_enable) {
			q->enabled = true;
			sim_queue_start(q);
		}
		return;
	case VIRTIO_PCI_COMMON_Q_DESCLO: case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO: case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO: case VIRTIO_PCI_COMMON_Q_USEDHI:
		if (!sim_width(dev, "queue address", width, 4))
			return;
		addr = sim_queue_addr(q, off, &shift);
		mask = (uint64_t)0xffffffffU << shift;
		*addr = (*addr & ~mask) | (uint64_t)val << shift;
		return;
	}
	sim_driver_error(dev, "common cfg write at %u", off);
}

static void
sim_notify_write(struct sim_dev *dev, uint32_t off, int width, uint32_t val)
{
	int i;

	if (!sim_width(dev, "notify", width, 2))
		return;
	for (i = 0; i < dev->model->num_queues; i++) {
		if ((uint32_t)dev->queues[i].notify_off * SIM_NOTIFY_MULT ==
		    off) {
			if (val != (uint32_t)i)
				sim_driver_error(dev, "notify %u at queue %d's"
				    " doorbell", val, i);
			sim_notify(dev, (uint16_t)i);
			return;
		}
	}
	sim_driver_error(dev, "notify at %u: no queue", off);
}

static uint32_t
sim_modern_read(struct sim_dev *dev, uint32_t off, int width)
{
	uint8_t isr;

	if (off >= SIM_DEVCFG_OFF && off < SIM_NOTIFY_OFF)
		return (sim_config_read(dev, off - SIM_DEVCFG_OFF, width));
	if (off >= SIM_ISR_OFF && off < SIM_DEVCFG_OFF) {
		isr = dev->isr;
		dev->isr = 0;
		return (isr);
	}
	if (off < VIRTIO_PCI_COMMON_CFG_SIZE)
		return (sim_common_read(dev, off, width));
	sim_driver_error(dev, "modern read at %#x", off);
	return (0);
}

static void
sim_modern_write(struct sim_dev *dev, uint32_t off, int width, uint32_t val)
{

	if (off >= SIM_NOTIFY_OFF)
		sim_notify_write(dev, off - SIM_NOTIFY_OFF, width, val);
	else if (off >= SIM_DEVCFG_OFF)
		sim_config_write(dev, off - SIM_DEVCFG_OFF, width, val);
	else if (off < VIRTIO_PCI_COMMON_CFG_SIZE)
		sim_common_write(dev, off, width, val);
	else
		sim_driver_error(dev, "modern write at %#x", off);
}

uint32_t
sim_bar_read(struct sim_dev *dev, int bar, uint32_t off, int width)
{
	uint32_t val;

	if (dev->read_hook != NULL &&
	    dev->read_hook(dev, bar, off, width, &val, dev->hook_arg))
		return (val);
	if (sim_is_mmio(dev->transport))
		return (sim_mmio_read(dev, bar, off, width));
	if (bar == VIRTIO_LEGACY_BAR && dev->transport != SIM_MODERN)
		return (sim_legacy_read(dev, off, width));
	if (bar == SIM_MODERN_BAR && dev->transport != SIM_LEGACY)
		return (sim_modern_read(dev, off, width));
	sim_driver_error(dev, "read of unmapped BAR %d", bar);
	return (0);
}

void
sim_bar_write(struct sim_dev *dev, int bar, uint32_t off, int width,
    uint32_t val)
{

	if (sim_is_mmio(dev->transport))
		sim_mmio_write(dev, bar, off, width, val);
	else if (bar == VIRTIO_LEGACY_BAR && dev->transport != SIM_MODERN)
		sim_legacy_write(dev, off, width, val);
	else if (bar == SIM_MODERN_BAR && dev->transport != SIM_LEGACY)
		sim_modern_write(dev, off, width, val);
	else
		sim_driver_error(dev, "write to unmapped BAR %d", bar);
}

uint32_t
sim_pcicfg_read(struct sim_dev *dev, uint32_t off, int width)
{
	uint32_t val;

	if (dev->read_hook != NULL &&
	    dev->read_hook(dev, -1, off, width, &val, dev->hook_arg))
		return (val);
	return (get_le(&dev->pcicfg[off], width));
}
