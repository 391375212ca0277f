/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The virtio devices the mini guest found, each attached through the
 * shared core (vio_pci, or vio_mmio for the virtio-mmio windows the
 * kernel command line names) and one protocol driver (blk, net, balloon).
 */

#ifndef MINI_DEVICES_H
#define MINI_DEVICES_H

#include "mmio.h"
#include "pci.h"
#include "vio_mmio.h"
#include "vio_pci.h"

enum mini_intr_mode {
	MINI_INTR_NONE,
	MINI_INTR_MSIX,
	MINI_INTR_INTX,
	MINI_INTR_LINE,		/* virtio-mmio: its own I/O APIC pin */
	MINI_INTR_POLL
};

#define MINI_MSIX_MAX	8

struct mini_vdev;

/* What a protocol glue (blkdev.c, netdev.c, balloondev.c) provides. */
struct mini_driver {
	const char	*name;		/* "blk", "net", "balloon" */
	uint16_t	 device_type;	/* VIRTIO_ID_* */
	uint64_t	(*features)(void);
	/* After features are negotiated: config, queues.  0 or errno. */
	int		(*attach)(struct mini_vdev *);
	/* After DRIVER_OK: first requests (rx buffers, balloon start). */
	void		(*start)(struct mini_vdev *);
	/* Deferred config-change work (the core's hook only flags it). */
	void		(*config_changed)(struct mini_vdev *);
};

struct mini_vdev {
	struct pci_dev		 pci;		/* first: the vio_os.h cookie */
	bool			 is_mmio;	/* else PCI */
	struct mmio_window	 mmio;
	/* For messages: "00:03.0", or "mmio@feb00e00". */
	char			 where[24];
	union {
		struct vio_pci_softc	vps;
		struct vio_mmio_softc	vms;
	};
	const struct mini_driver *drv;
	void			*softc;		/* the protocol's softc */
	enum mini_intr_mode	 intr;
	int			 nmsix;		/* table entries in use */
	int			 msix_vec[MINI_MSIX_MAX];
	int			 error;		/* attach errno, 0 if ok */
	const char		*why;		/* what failed */
	bool			 attached;
};

/* Both transports' softcs start with the struct vio_softc. */
static inline struct vio_softc *
mini_vio(struct mini_vdev *vd)
{
	return (vd->is_mmio ? &vd->vms.sc_vio : &vd->vps.sc_vio);
}

void	devices_attach(void);
/* The first attached device of a type, or NULL. */
struct mini_vdev *devices_find(uint16_t device_type);
/* The device's attach state, for commands: "blk: not attached" etc. */
bool	devices_usable(struct mini_vdev *vd, const char *what);

/* Commit the disk's write cache (halt does, before QEMU exits). */
void	blk_flush_before_exit(void);

extern const struct mini_driver mini_blk_driver;
extern const struct mini_driver mini_net_driver;
extern const struct mini_driver mini_balloon_driver;

#endif /* MINI_DEVICES_H */
