/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_compat.h: the DragonFly kernel interfaces our modules call whose
 * shape changed between the releases we build for (5.8 to 6.4 and the
 * 6.5 development line).  Each difference is hidden here, behind the
 * narrowest __DragonFly_version test that tells the two apart, so the
 * driver sources stay free of version tests.  drivers/dragonfly/COMPAT.md
 * lists what was compared and against which trees.
 */

#ifndef _DFLY_VIO_COMPAT_H_
#define _DFLY_VIO_COMPAT_H_

#include <sys/param.h>
#include <sys/bus_dma.h>

/*
 * A DMA tag without address restrictions, for buffers the device reaches
 * anywhere in memory: byte alignment, no boundary, no exclusion window.
 *
 * DragonFly removed the filter function and its argument (long only
 * accepted as NULL) from bus_dma_tag_create() during 6.5 development.
 * There was no __DragonFly_version bump of its own; 600508 is the first
 * version read with the ten-argument form, and every release up to 6.4
 * (600400) has the twelve-argument one.
 */
static __inline int
vio_dma_tag_create(bus_dma_tag_t parent, bus_size_t maxsize, int nsegs,
    bus_size_t maxsegsz, int flags, bus_dma_tag_t *dmat)
{
#if __DragonFly_version >= 600508
	return (bus_dma_tag_create(parent, 1, 0, BUS_SPACE_MAXADDR,
	    BUS_SPACE_MAXADDR, maxsize, nsegs, maxsegsz, flags, dmat));
#else
	return (bus_dma_tag_create(parent, 1, 0, BUS_SPACE_MAXADDR,
	    BUS_SPACE_MAXADDR, NULL, NULL, maxsize, nsegs, maxsegsz, flags,
	    dmat));
#endif
}

#endif /* !_DFLY_VIO_COMPAT_H_ */
