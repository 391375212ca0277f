/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_pci: the DragonFly newbus driver of a virtio PCI function.  It owns
 * the BARs and interrupt vectors and the core's transport state; its one
 * child (vioblk, vioif or viomb) runs the device through vio_bus_if.m.
 */

#ifndef _VIOPCI_VAR_H_
#define _VIOPCI_VAR_H_

/* One vector for configuration changes, then one per queue at most. */
#define VIOPCI_MAX_VECS		(VIO_MAX_VQS + 1)

/* Highest bus address a legacy ring (32-bit page number) can have. */
#define VIOPCI_DMA_LOWADDR	((1ULL << 44) - 1)

enum vpci_intr_mode {
	VIOPCI_INTR_INTX,
	VIOPCI_INTR_MSI,
	VIOPCI_INTR_MSIX
};

struct vpci_softc;

/* An interrupt source: a line, the MSI message or one MSI-X vector. */
struct vpci_vec {
	struct vpci_softc	*vv_sc;
	struct resource		*vv_irq;
	int			 vv_rid;
	void			*vv_cookie;	/* bus_setup_intr() handle */
};

struct vpci_softc {
	struct vio_pci_softc	 sc_core;	/* the core's transport state */
	device_t		 sc_dev;
	device_t		 sc_child;
	bus_dma_tag_t		 sc_dmat;	/* parent of ring allocations */

	struct resource		*sc_bar[PCI_NUM_BARS];
	int			 sc_bar_type[PCI_NUM_BARS];

	enum vpci_intr_mode	 sc_intr_mode;
	int			 sc_nvecs;
	struct vpci_vec	 sc_vecs[VIOPCI_MAX_VECS];
	int			 sc_vecs_wanted;	/* most the child uses */
	int			 sc_queues_per_cpu;	/* 0: not per CPU */
	/* The driver's serializers, by queue; NULL: not delivered. */
	lwkt_serialize_t	 sc_vq_slz[VIO_MAX_VQS];
	lwkt_serialize_t	 sc_config_slz;
	bool			 sc_live;	/* handlers installed */

	struct sysctl_ctx_list	 sc_vq_sysctl;	/* per-queue counters */
	bool			 sc_vq_sysctl_set;
};

#define vpci_vio(sc)		(&(sc)->sc_core.sc_vio)

extern int vpci_disable_msix;

int	vpci_intr_alloc(struct vpci_softc *);
void	vpci_intr_release(struct vpci_softc *);
int	vpci_intr_bind(struct vpci_softc *, struct vio_vq *,
	    lwkt_serialize_t);
int	vpci_intr_start(struct vpci_softc *);
void	vpci_intr_stop(struct vpci_softc *);
const char *vpci_intr_mode_name(const struct vpci_softc *);

#endif /* !_VIOPCI_VAR_H_ */
