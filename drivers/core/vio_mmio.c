/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-mmio transport: identify the device in a window, and the
 * operations versions 1 and 2 share (vio_mmio_legacy.c and
 * vio_mmio_modern.c hold the rest: queue set-up and the generation).
 */

#include "vio_os.h"
#include "vio_mmio.h"
#include "vio_vq.h"
#include "vio_mmio_priv.h"

/*
 * The core addresses at most this much of a window: QEMU's are 512
 * bytes, and no device configuration comes near 3.75 KiB.
 */
#define VIO_MMIO_WINDOW_MAX	4096

uint8_t
vio_mmio_get_status(struct vio_softc *sc)
{

	return (vio_mmio_read(sc, VIRTIO_MMIO_STATUS) & 0xff);
}

void
vio_mmio_set_status(struct vio_softc *sc, uint8_t status)
{

	vio_mmio_write(sc, VIRTIO_MMIO_STATUS, status);
}

uint64_t
vio_mmio_read_features(struct vio_softc *sc)
{
	uint64_t lo, hi;

	vio_mmio_write(sc, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = vio_mmio_read(sc, VIRTIO_MMIO_DEVICE_FEATURES);
	vio_mmio_write(sc, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = vio_mmio_read(sc, VIRTIO_MMIO_DEVICE_FEATURES);
	return (hi << 32 | lo);
}

void
vio_mmio_write_features(struct vio_softc *sc, uint64_t features)
{

	vio_mmio_write(sc, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vio_mmio_write(sc, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	/* Version 1 has 32 feature bits; QEMU complains of a second word. */
	if (!sc->sc_modern)
		return;
	vio_mmio_write(sc, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vio_mmio_write(sc, VIRTIO_MMIO_DRIVER_FEATURES,
	    (uint32_t)(features >> 32));
}

/* Device configuration: each field at its own width (4.2.2.2). */
uint32_t
vio_mmio_read_config(struct vio_softc *sc, uint32_t off, int width)
{
	uint32_t reg = VIRTIO_MMIO_CONFIG + off;

	switch (width) {
	case 1:
		return (vio_bar_read_1(sc->sc_os, VIO_MMIO_BAR, reg));
	case 2:
		return (vio_bar_read_2(sc->sc_os, VIO_MMIO_BAR, reg));
	default:
		return (vio_bar_read_4(sc->sc_os, VIO_MMIO_BAR, reg));
	}
}

void
vio_mmio_write_config(struct vio_softc *sc, uint32_t off, int width,
    uint32_t val)
{
	uint32_t reg = VIRTIO_MMIO_CONFIG + off;

	switch (width) {
	case 1:
		vio_bar_write_1(sc->sc_os, VIO_MMIO_BAR, reg, val);
		break;
	case 2:
		vio_bar_write_2(sc->sc_os, VIO_MMIO_BAR, reg, val);
		break;
	default:
		vio_bar_write_4(sc->sc_os, VIO_MMIO_BAR, reg, val);
		break;
	}
}

int
vio_mmio_queue_max_size(struct vio_softc *sc, uint16_t idx, uint16_t *sizep)
{
	uint32_t max;

	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_SEL, idx);
	max = vio_mmio_read(sc, VIRTIO_MMIO_QUEUE_NUM_MAX);
	/* The register has 32 bits; truncated, 65536 would read "none". */
	if (max > VIRTIO_QUEUE_SIZE_MAX) {
		vio_mark_broken(sc, "invalid queue size");
		return (EIO);
	}
	*sizep = (uint16_t)max;
	return (0);
}

void
vio_mmio_notify(struct vio_softc *sc, struct vio_vq *vq)
{

	vio_mmio_write(sc, VIRTIO_MMIO_QUEUE_NOTIFY, vq->vq_index);
}

/* One interrupt line per device: there are no vectors to program. */
int
vio_mmio_set_config_vector(struct vio_softc *sc, uint16_t vec)
{

	(void)sc;
	(void)vec;
	return (EINVAL);
}

int
vio_mmio_set_queue_vector(struct vio_softc *sc, uint16_t idx, uint16_t vec)
{

	(void)sc;
	(void)idx;
	(void)vec;
	return (EINVAL);
}

/*
 * Unlike PCI's ISR, reading InterruptStatus does not clear it: the
 * driver acknowledges what it saw, and the device drops its line once
 * nothing is left.
 */
uint8_t
vio_mmio_read_isr(struct vio_softc *sc)
{
	uint32_t isr;

	isr = vio_mmio_read(sc, VIRTIO_MMIO_INTERRUPT_STATUS);
	if (isr != 0)
		vio_mmio_write(sc, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return (isr & 0xff);
}

static int
vio_mmio_identify(struct vio_mmio_softc *msc)
{
	struct vio_softc *sc = &msc->sc_vio;
	uint32_t magic, id;

	magic = vio_mmio_read(sc, VIRTIO_MMIO_MAGIC_VALUE);
	if (magic != VIRTIO_MMIO_MAGIC) {
		vio_log(sc->sc_os, "vio: mmio: bad magic %x\n", magic);
		return (ENXIO);
	}
	msc->sc_version = vio_mmio_read(sc, VIRTIO_MMIO_VERSION);
	switch (msc->sc_version) {
	case VIRTIO_MMIO_VERSION_LEGACY:
		sc->sc_ops = &vio_mmio_legacy_ops;
		sc->sc_modern = false;
		break;
	case VIRTIO_MMIO_VERSION_MODERN:
		sc->sc_ops = &vio_mmio_modern_ops;
		sc->sc_modern = true;
		break;
	default:
		vio_log(sc->sc_os, "vio: mmio: version %u not supported\n",
		    msc->sc_version);
		return (ENXIO);
	}
	id = vio_mmio_read(sc, VIRTIO_MMIO_DEVICE_ID);
	if (id == 0)
		return (ENOENT);
	if (id > 0xffff) {
		vio_log(sc->sc_os, "vio: mmio: device id %x\n", id);
		return (ENXIO);
	}
	sc->sc_device_type = (uint16_t)id;
	msc->sc_vendor = vio_mmio_read(sc, VIRTIO_MMIO_VENDOR_ID);
	return (0);
}

int
vio_mmio_attach(struct vio_mmio_softc *msc, void *os)
{
	struct vio_softc *sc = &msc->sc_vio;
	uint64_t size;
	int error;

	vio_memset(msc, 0, sizeof(*msc));
	sc->sc_os = os;
	size = vio_bar_size(os, VIO_MMIO_BAR);
	if (size < VIRTIO_MMIO_CONFIG) {
		vio_log(os, "vio: mmio: window of %u bytes too small\n",
		    (unsigned int)size);
		return (ENXIO);
	}
	if (size > VIO_MMIO_WINDOW_MAX)
		size = VIO_MMIO_WINDOW_MAX;
	if ((error = vio_mmio_identify(msc)) != 0) {
		sc->sc_ops = NULL;
		return (error);
	}
	sc->sc_config_len = (uint32_t)size - VIRTIO_MMIO_CONFIG;
	return (0);
}
