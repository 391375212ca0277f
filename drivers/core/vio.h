/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio: one virtio device, independent of transport and operating system.
 *
 * The shape follows NetBSD's virtio(4): a softc per device, a table of
 * transport operations filled in by the transport (vio_pci.c, or
 * vio_mmio.c for virtio-mmio), and
 * virtqueues (vio_vq.h) owned by the device driver ("child": vioblk,
 * vioif, viomb).  Unlike NetBSD every call that can fail returns an errno
 * value, and everything the device reports is checked: a device that
 * misbehaves is marked broken (sc_broken), after which no further I/O is
 * started and pending requests fail with EIO.
 *
 * Bring-up order (virtio 1.x spec 3.1.1), owned by the core as NetBSD's
 * virtio_child_attach_start/finish own it:
 *
 *	vio_pci_attach()		binding: find the transport
 *	  (or vio_mmio_attach())
 *	vio_pci_set_msix()		binding: only if it enabled MSI-X
 *	vio_attach_start()		reset, ACKNOWLEDGE, DRIVER, features
 *					(the core's ring features added),
 *					FEATURES_OK, re-check
 *	vio_config_read*()		device-specific configuration
 *	vq_alloc() per queue		rings, MSI-X vector, enable;
 *					then vq->vq_done = ...
 *	vio_attach_finish()		config vector, DRIVER_OK: live
 *
 * (vio_attach_start() is vio_init() then vio_negotiate_features(), and
 * vio_attach_finish() is vio_driver_ok() setting FAILED if it fails.)
 *
 * Teardown: vio_reset() (the device stops touching memory), vq_reclaim()
 * to fail what was in flight, vq_free() per queue.
 *
 * Locking: the core takes no locks.  Callers serialize calls per
 * virtqueue, and the lifecycle calls against everything else.
 */

#ifndef _VIO_H_
#define _VIO_H_

#include "vio_os.h"
#include "virtio_reg.h"

struct vio_softc;
struct vio_vq;

/*
 * Virtqueues one device may have set up at once (net: 8 queue pairs and
 * the control queue).  A queue's index is its own and may be larger: the
 * network control queue sits after all of the device's pairs, which may
 * be many more than the driver uses.
 */
#define VIO_MAX_VQS		32	/* at most 32: sc_vq_slots */

/* Bounded retries of a configuration read racing a device update. */
#define VIO_CONFIG_RETRIES	8

/*
 * Transport operations.  Only the core calls these; drivers use the
 * vio_* functions below, which validate arguments and device answers.
 */
struct vio_transport_ops {
	/* "pci-legacy", "pci-modern", "mmio-legacy", "mmio-modern" */
	const char	*name;
	uint8_t		(*get_status)(struct vio_softc *);
	void		(*set_status)(struct vio_softc *, uint8_t);
	uint64_t	(*read_device_features)(struct vio_softc *);
	void		(*write_driver_features)(struct vio_softc *, uint64_t);
	/* NULL when the transport has no generation counter (legacy). */
	uint32_t	(*config_generation)(struct vio_softc *);
	/* width is 1, 2 or 4; the core has checked off + width. */
	uint32_t	(*read_config)(struct vio_softc *, uint32_t off,
			    int width);
	void		(*write_config)(struct vio_softc *, uint32_t off,
			    int width, uint32_t val);
	/* Device's maximum size of queue idx; ENOENT: no such queue. */
	int		(*queue_max_size)(struct vio_softc *, uint16_t idx,
			    uint16_t *sizep);
	/* Program size and ring addresses of vq and enable it. */
	int		(*queue_setup)(struct vio_softc *, struct vio_vq *);
	/* Forget the queue's rings (after reset). */
	void		(*queue_release)(struct vio_softc *, struct vio_vq *);
	void		(*notify)(struct vio_softc *, struct vio_vq *);
	/* 0, or ENOSPC if the device did not accept the vector. */
	int		(*set_config_vector)(struct vio_softc *, uint16_t);
	int		(*set_queue_vector)(struct vio_softc *, uint16_t idx,
			    uint16_t vec);
	/* Read, and so acknowledge, the interrupt status (VIRTIO_ISR_*). */
	uint8_t		(*read_isr)(struct vio_softc *);
	/* Used ring alignment: VRING_LEGACY_ALIGN or VRING_USED_ALIGN. */
	uint32_t	ring_used_align;
};

struct vio_softc {
	void		*sc_os;		/* binding cookie for the hooks */
	const struct vio_transport_ops *sc_ops;
	uint16_t	sc_device_type;	/* VIRTIO_ID_* */
	bool		sc_modern;	/* virtio 1.x interface (else legacy) */
	uint64_t	sc_device_features;	/* offered by the device */
	uint64_t	sc_features;	/* negotiated */
	/* Set by the binding (tunables): features never to accept. */
	uint64_t	sc_features_off;
	uint8_t		sc_status;	/* status bits the driver has set */
	uint32_t	sc_config_len;	/* bytes of device-specific config */
	bool		sc_broken;	/* device misbehaved: no more I/O */
	const char	*sc_broken_why;	/* first reason, for probe output */
	/* The queues set up, each at its vq_slot; NULL: a free slot. */
	struct vio_vq	*sc_vqs[VIO_MAX_VQS];
	/*
	 * Bit i set: sc_vqs[i] holds a queue.  An interrupt visits only
	 * these: looking at all VIO_MAX_VQS slots cost 235 instructions per
	 * MSI-X interrupt of a NIC with three queues.
	 */
	uint32_t	sc_vq_slots;
	uint64_t	sc_config_intrs;	/* config change interrupts */
	/* MSI-X vectors the binding enabled; 0: one shared line. */
	uint16_t	sc_nvectors;

	/*
	 * Set by the driver: called from vio_intr()/vio_config_intr() when
	 * the device reports a configuration change (also after the device
	 * asked for a reset; check sc_broken).
	 */
	void		(*sc_config_change)(struct vio_softc *, void *);
	void		*sc_child;	/* argument for sc_config_change */
};

/* Lifecycle. */
int	vio_attach_start(struct vio_softc *, uint64_t wanted);
int	vio_attach_finish(struct vio_softc *);
int	vio_reset(struct vio_softc *);
int	vio_init(struct vio_softc *);
/*
 * Accept of the device's offer the features the driver wants (its
 * device-specific bits, 0-23 and 50-63) and those of the core: the ring
 * features it implements (indirect descriptors, event index) for every
 * driver, VERSION_1, ACCESS_PLATFORM and RING_PACKED on modern devices
 * (so a queue is packed whenever a modern device offers it); never what
 * the binding put in sc_features_off.
 */
int	vio_negotiate_features(struct vio_softc *, uint64_t wanted);
int	vio_driver_ok(struct vio_softc *);
void	vio_fail(struct vio_softc *);
bool	vio_needs_reset(struct vio_softc *);
void	vio_mark_broken(struct vio_softc *, const char *why);

static inline bool
vio_has_feature(const struct vio_softc *sc, uint64_t feature)
{

	return ((sc->sc_features & feature) == feature);
}

static inline bool
vio_is_broken(const struct vio_softc *sc)
{

	return (sc->sc_broken);
}

/*
 * Device-specific configuration.  Offsets are relative to its start.
 * Reads outside sc_config_len return EINVAL.  vio_config_read() copies a
 * snapshot of len bytes (device byte order, i.e. little-endian: decode
 * with vio_le*dec()) that is consistent: it is retried while the
 * configuration generation changes (legacy: until two passes agree), and
 * a device that never settles is marked broken (EIO).  read_8 is such a
 * snapshot of one field.  Single 1, 2 and 4-byte reads are one access.
 *
 * The snapshot reads with the widest naturally aligned accesses, which
 * QEMU and every device seen so far accept; the specification asks for
 * each field's own width (4.1.3.1).  A driver wanting exactly that reads
 * field by field between two vio_config_generation() calls and retries
 * while they differ (legacy devices have no counter: it reads 0).
 */
int	vio_config_read(struct vio_softc *, uint32_t off, void *buf,
	    size_t len);
uint32_t vio_config_generation(struct vio_softc *);
int	vio_config_read_1(struct vio_softc *, uint32_t off, uint8_t *);
int	vio_config_read_2(struct vio_softc *, uint32_t off, uint16_t *);
int	vio_config_read_4(struct vio_softc *, uint32_t off, uint32_t *);
int	vio_config_read_8(struct vio_softc *, uint32_t off, uint64_t *);
int	vio_config_write_1(struct vio_softc *, uint32_t off, uint8_t);
int	vio_config_write_2(struct vio_softc *, uint32_t off, uint16_t);
int	vio_config_write_4(struct vio_softc *, uint32_t off, uint32_t);

/*
 * Interrupts.  vio_intr() serves a shared INTx/MSI line: it reads the
 * ISR (which acknowledges it), runs vq_intr() on each queue with used
 * entries and the configuration hook, and returns the ISR bits (0: the
 * interrupt was not ours).  With MSI-X the binding calls
 * vio_msix_intr() with the entry that fired.
 */
uint8_t	vio_intr(struct vio_softc *);
/* MSI-X entry vec fired: configuration (entry 0) and its queues. */
void	vio_msix_intr(struct vio_softc *, uint16_t vec);
/*
 * The same two for a binding that must take a lock per queue (a
 * serializer): deliver(arg, vq) instead of vq_intr(vq), and
 * deliver(arg, NULL) instead of vio_config_intr().
 */
typedef void	vio_deliver_fn(void *arg, struct vio_vq *vq);
uint8_t	vio_intr_deliver(struct vio_softc *, vio_deliver_fn *, void *arg);
void	vio_msix_intr_deliver(struct vio_softc *, uint16_t vec,
	    vio_deliver_fn *, void *arg);
void	vio_config_intr(struct vio_softc *);
uint8_t	vio_read_isr(struct vio_softc *);

/*
 * MSI-X vectors.  The one policy: with sc_nvectors vectors, entry 0
 * serves configuration changes and queue q shares entry
 * 1 + q % (sc_nvectors - 1) (entry 0 when there is only one).  The core
 * programs each queue's vector in vq_alloc(), before the queue is
 * enabled as the spec requires (4.1.4.3.2), and the configuration
 * vector in vio_driver_ok(); the binding asks vio_queue_vector() which
 * entry to bind a queue's handler to.  VIRTIO_MSI_NO_VECTOR without
 * MSI-X.  Writes are read back: ENOSPC if the device refused, EINVAL if
 * MSI-X is not enabled on the transport.
 */
#define VIO_CONFIG_VECTOR	0
uint16_t vio_queue_vector(const struct vio_softc *, uint16_t idx);
int	vio_set_config_vector(struct vio_softc *, uint16_t vec);

#endif /* !_VIO_H_ */
