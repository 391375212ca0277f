/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Simulated device: creation, PCI configuration space, reset.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vio_os.h"
#include "virtio_reg.h"
#include "sim.h"
#include "sim_priv.h"

static void
put16(uint8_t *p, uint16_t v)
{

	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
put32(uint8_t *p, uint32_t v)
{

	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* One virtio vendor capability at ptr, chained to next. */
static void
sim_vendor_cap(struct sim_dev *dev, uint8_t ptr, uint8_t next, uint8_t type,
    uint8_t len, uint32_t off, uint32_t length)
{
	uint8_t *c = &dev->pcicfg[ptr];

	c[VIRTIO_PCI_CAP_VNDR] = PCI_CAP_ID_VNDR;
	c[VIRTIO_PCI_CAP_NEXT] = next;
	c[VIRTIO_PCI_CAP_LEN] = len;
	c[VIRTIO_PCI_CAP_CFG_TYPE] = type;
	c[VIRTIO_PCI_CAP_BAR] = SIM_MODERN_BAR;
	put32(c + VIRTIO_PCI_CAP_OFFSET, off);
	put32(c + VIRTIO_PCI_CAP_LENGTH, length);
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		put32(c + VIRTIO_PCI_NOTIFY_CAP_MULT, SIM_NOTIFY_MULT);
}

uint16_t
sim_pci_device_id(const struct sim_dev *dev)
{
	static const uint16_t trans_ids[] = {
		[VIRTIO_ID_NET] = 0x1000, [VIRTIO_ID_BLOCK] = 0x1001,
		[VIRTIO_ID_CONSOLE] = 0x1003, [VIRTIO_ID_RNG] = 0x1005,
		[VIRTIO_ID_BALLOON] = 0x1002,
	};
	uint16_t type = dev->model->device_type;

	if (dev->transport == SIM_MODERN)
		return (VIRTIO_PCI_DEVICE_MODERN_MIN + type);
	if (type < sizeof(trans_ids) / sizeof(trans_ids[0]) &&
	    trans_ids[type] != 0)
		return (trans_ids[type]);
	return (0x103f);
}

/*
 * Configuration space as QEMU lays it out: vendor capabilities for the
 * common, ISR, device and notify regions and a PCI_CFG one the core must
 * skip, then MSI-X.  A legacy device has MSI-X only.
 */
void
sim_build_pcicfg(struct sim_dev *dev)
{
	uint8_t *cfg = dev->pcicfg;
	uint8_t msix;

	memset(cfg, 0, sizeof(dev->pcicfg));
	memset(dev->bar_size, 0, sizeof(dev->bar_size));
	/* A virtio-mmio device is its register window, nothing else. */
	if (sim_is_mmio(dev->transport)) {
		dev->bar_size[0] = SIM_MMIO_SIZE;
		return;
	}
	put16(cfg + PCIR_VENDOR, VIRTIO_PCI_VENDOR);
	put16(cfg + PCIR_DEVICE, sim_pci_device_id(dev));
	put16(cfg + PCIR_STATUS, PCIM_STATUS_CAPLIST);
	cfg[PCIR_REVID] = dev->transport == SIM_MODERN ? 1 : 0;
	put16(cfg + 0x2c, VIRTIO_PCI_VENDOR);
	put16(cfg + PCIR_SUBDEV, dev->model->device_type);
	if (dev->transport != SIM_MODERN)
		dev->bar_size[VIRTIO_LEGACY_BAR] = SIM_LEGACY_BAR_SIZE;
	if (dev->transport == SIM_LEGACY) {
		msix = 0x40;
	} else {
		dev->bar_size[SIM_MODERN_BAR] = SIM_MODERN_BAR_SIZE;
		msix = 0x98;
		sim_vendor_cap(dev, 0x40, 0x50, VIRTIO_PCI_CAP_COMMON_CFG, 16,
		    SIM_COMMON_OFF, 0x1000);
		sim_vendor_cap(dev, 0x50, 0x60, VIRTIO_PCI_CAP_ISR_CFG, 16,
		    SIM_ISR_OFF, 0x1000);
		sim_vendor_cap(dev, 0x60, 0x70, VIRTIO_PCI_CAP_DEVICE_CFG, 16,
		    SIM_DEVCFG_OFF, (uint32_t)dev->config_len);
		sim_vendor_cap(dev, 0x70, 0x84, VIRTIO_PCI_CAP_NOTIFY_CFG, 20,
		    SIM_NOTIFY_OFF, 0x1000);
		sim_vendor_cap(dev, 0x84, msix, VIRTIO_PCI_CAP_PCI_CFG, 20,
		    0, 0);
		/* No device configuration: unlink its capability. */
		if (dev->config_len == 0)
			dev->pcicfg[0x50 + VIRTIO_PCI_CAP_NEXT] = 0x70;
	}
	cfg[PCIR_CAPPTR] = 0x40;
	cfg[msix] = PCI_CAP_ID_MSIX;
	cfg[msix + 1] = 0;
	put16(cfg + msix + 2, 7);	/* table size 8 */
}

void
sim_queue_start(struct sim_queue *q)
{

	q->last_avail = q->used_idx = 0;
	q->avail_wrap = q->used_wrap = true;
	memset(q->ndesc, 0, sizeof(q->ndesc));
}

void
sim_reset(struct sim_dev *dev)
{
	struct sim_queue *q;
	int i;

	dev->status = 0;
	/* The reset the device asked for clears the request (2.1.2). */
	dev->needs_reset = false;
	dev->driver_features = 0;
	dev->isr = 0;
	dev->config_vector = VIRTIO_MSI_NO_VECTOR;
	dev->mmio_page_size = dev->mmio_queue_align = 0;
	for (i = 0; i < SIM_MAX_QUEUES; i++) {
		q = &dev->queues[i];
		q->num = q->max_size;
		q->desc = q->avail = q->used = 0;
		q->enabled = false;
		q->msix_vector = VIRTIO_MSI_NO_VECTOR;
		sim_queue_start(q);
		q->held = 0;
	}
	dev->resets++;
	if (dev->model->reset != NULL)
		dev->model->reset(dev, dev->model->arg);
}

struct sim_dev *
sim_create(const struct sim_model *model, enum sim_transport transport)
{
	struct sim_dev *dev;
	int i;

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		abort();
	dev->model = model;
	dev->transport = transport;
	dev->features = model->features;
	if (sim_is_modern(transport))
		dev->features |= VIRTIO_F_VERSION_1;
	dev->config_len = model->config_len;
	if (dev->config_len > SIM_MAX_CONFIG)
		abort();
	if (model->config != NULL)
		memcpy(dev->config, model->config, model->config_len);
	for (i = 0; i < SIM_MAX_QUEUES; i++) {
		dev->queues[i].max_size = i < model->num_queues ?
		    model->queue_size : 0;
		dev->queues[i].notify_off = (uint16_t)i;
	}
	dev->next_busaddr = 0x100000;
	sim_build_pcicfg(dev);
	sim_reset(dev);
	dev->resets = 0;
	return (dev);
}

void
sim_destroy(struct sim_dev *dev)
{

	sim_free_regions(dev);
	free(dev);
}

void
sim_config_update(struct sim_dev *dev, uint32_t off, const void *buf,
    size_t len)
{

	if (off + len > sizeof(dev->config))
		abort();
	memcpy(dev->config + off, buf, len);
	dev->generation++;
	dev->isr |= VIRTIO_ISR_CONFIG;
	dev->config_interrupts++;
}

void
sim_driver_error(struct sim_dev *dev, const char *fmt, ...)
{
	va_list ap;

	dev->driver_errors++;
	va_start(ap, fmt);
	vsnprintf(dev->driver_error, sizeof(dev->driver_error), fmt, ap);
	va_end(ap);
	if (getenv("SIM_VERBOSE") != NULL)
		fprintf(stderr, "sim: driver error: %s\n", dev->driver_error);
}
