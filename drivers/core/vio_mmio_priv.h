/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-mmio internals shared by vio_mmio*.c: register access and the
 * operations both versions have in common (vio_mmio.c).
 */

#ifndef _VIO_MMIO_PRIV_H_
#define _VIO_MMIO_PRIV_H_

#include "vio_os.h"
#include "vio_mmio.h"
#include "virtio_mmio_reg.h"

/* Registers are 32 bits wide and accessed only so (spec 4.2.2.2). */
static inline uint32_t
vio_mmio_read(struct vio_softc *sc, uint32_t reg)
{

	return (vio_bar_read_4(sc->sc_os, VIO_MMIO_BAR, reg));
}

static inline void
vio_mmio_write(struct vio_softc *sc, uint32_t reg, uint32_t val)
{

	vio_bar_write_4(sc->sc_os, VIO_MMIO_BAR, reg, val);
}

static inline void
vio_mmio_write_8(struct vio_softc *sc, uint32_t lo, uint64_t val)
{

	vio_mmio_write(sc, lo, (uint32_t)val);
	vio_mmio_write(sc, lo + 4, (uint32_t)(val >> 32));
}

uint8_t	vio_mmio_get_status(struct vio_softc *);
void	vio_mmio_set_status(struct vio_softc *, uint8_t);
uint64_t vio_mmio_read_features(struct vio_softc *);
void	vio_mmio_write_features(struct vio_softc *, uint64_t);
uint32_t vio_mmio_read_config(struct vio_softc *, uint32_t off, int width);
void	vio_mmio_write_config(struct vio_softc *, uint32_t off, int width,
	    uint32_t val);
int	vio_mmio_queue_max_size(struct vio_softc *, uint16_t idx,
	    uint16_t *sizep);
void	vio_mmio_notify(struct vio_softc *, struct vio_vq *);
int	vio_mmio_set_config_vector(struct vio_softc *, uint16_t);
int	vio_mmio_set_queue_vector(struct vio_softc *, uint16_t idx,
	    uint16_t vec);
uint8_t	vio_mmio_read_isr(struct vio_softc *);

extern const struct vio_transport_ops vio_mmio_legacy_ops;
extern const struct vio_transport_ops vio_mmio_modern_ops;

#endif /* !_VIO_MMIO_PRIV_H_ */
