/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * PCI transport internals shared by vio_pci*.c.
 */

#ifndef _VIO_PCI_PRIV_H_
#define _VIO_PCI_PRIV_H_

#include "vio_os.h"
#include "vio_pci.h"

/* struct vio_softc is the first member of struct vio_pci_softc. */
static inline struct vio_pci_softc *
vio_pci_softc(struct vio_softc *sc)
{

	return ((struct vio_pci_softc *)sc);
}

static inline uint32_t
vio_pci_read(struct vio_softc *sc, const struct vio_pci_region *r,
    uint32_t off, int width)
{

	switch (width) {
	case 1:
		return (vio_bar_read_1(sc->sc_os, r->r_bar, r->r_off + off));
	case 2:
		return (vio_bar_read_2(sc->sc_os, r->r_bar, r->r_off + off));
	default:
		return (vio_bar_read_4(sc->sc_os, r->r_bar, r->r_off + off));
	}
}

static inline void
vio_pci_write(struct vio_softc *sc, const struct vio_pci_region *r,
    uint32_t off, int width, uint32_t val)
{

	switch (width) {
	case 1:
		vio_bar_write_1(sc->sc_os, r->r_bar, r->r_off + off, val);
		break;
	case 2:
		vio_bar_write_2(sc->sc_os, r->r_bar, r->r_off + off, val);
		break;
	default:
		vio_bar_write_4(sc->sc_os, r->r_bar, r->r_off + off, val);
		break;
	}
}

/* Write an MSI-X vector register in r and check the device took it. */
static inline int
vio_pci_vector(struct vio_softc *sc, const struct vio_pci_region *r,
    uint32_t reg, uint16_t vec)
{

	/* Without MSI-X, legacy vector registers are device configuration. */
	if (!vio_pci_softc(sc)->sc_msix)
		return (EINVAL);
	vio_pci_write(sc, r, reg, 2, vec);
	if (vio_pci_read(sc, r, reg, 2) != vec)
		return (ENOSPC);
	return (0);
}

int	vio_pci_legacy_attach(struct vio_pci_softc *);
void	vio_pci_legacy_set_msix(struct vio_pci_softc *);
int	vio_pci_modern_attach(struct vio_pci_softc *);
int	vio_pci_find_caps(struct vio_pci_softc *);
uint32_t vio_pci_read_config(struct vio_softc *, uint32_t off, int width);
void	vio_pci_write_config(struct vio_softc *, uint32_t off, int width,
	    uint32_t val);

#endif /* !_VIO_PCI_PRIV_H_ */
