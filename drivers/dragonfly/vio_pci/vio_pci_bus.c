/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_pci: newbus driver for virtio PCI functions (vendor 0x1af4).
 *
 * Attach maps every BAR, lets the core find the transport (modern
 * capabilities, else legacy BAR 0), allocates the interrupt vectors and
 * adds one child named after the device type.  The child drives the
 * device through vio_bus_if.m and the core; see vio_pci(4).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/kernel.h>
#include <sys/module.h>
#include <sys/rman.h>
#include <sys/serialize.h>
#include <sys/sysctl.h>

#include <bus/pci/pcireg.h>
#include <bus/pci/pcivar.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "vio_pci_bus_var.h"
#include "vio_bus_if.h"

int vpci_disable_msix = 0;
TUNABLE_INT("hw.vio.pci.disable_msix", &vpci_disable_msix);
static int vpci_force_legacy = 0;
TUNABLE_INT("hw.vio.pci.force_legacy", &vpci_force_legacy);
static int vpci_disable_indirect = 0;
TUNABLE_INT("hw.vio.pci.disable_indirect", &vpci_disable_indirect);
static int vpci_disable_event_idx = 0;
TUNABLE_INT("hw.vio.pci.disable_event_idx", &vpci_disable_event_idx);
static int vpci_disable_packed = 0;
TUNABLE_INT("hw.vio.pci.disable_packed", &vpci_disable_packed);

/*
 * The device types with a driver in this project, its name, and the
 * queues it takes interrupts from: vioif(4) a pair per CPU, up to 8;
 * vioblk(4) a queue per CPU, up to 16 (VIOBLK_MAX_QUEUES); viomb(4)
 * inflate, deflate and statistics.  The device may have fewer (then
 * pci_msix_count() is smaller too).
 */
static const struct {
	uint16_t	type;
	const char	*child;
	const char	*desc;
	int		per_cpu;	/* queues per CPU; 0: a fixed count */
	int		queues;		/* at most */
} vpci_types[] = {
	{ VIRTIO_ID_NET,	"vioif",	"VirtIO network device",
	    2, 16 },
	{ VIRTIO_ID_BLOCK,	"vioblk",	"VirtIO block device",
	    1, 16 },
	{ VIRTIO_ID_BALLOON,	"viomb",	"VirtIO memory balloon",
	    0, 3 },
};

/* MSI-X vectors the child can use: configuration, then its queues. */
static int
vpci_vectors_wanted(int type_index)
{
	int q;

	if (type_index < 0)
		return (VIOPCI_MAX_VECS);
	q = vpci_types[type_index].queues;
	if (vpci_types[type_index].per_cpu > 0 &&
	    vpci_types[type_index].per_cpu * ncpus < q)
		q = vpci_types[type_index].per_cpu * ncpus;
	return (1 + q);
}

static int
vpci_type_index(device_t dev)
{
	uint16_t type;
	size_t i;

	if (pci_get_vendor(dev) != VIRTIO_PCI_VENDOR)
		return (-1);
	type = vio_pci_device_type(pci_get_device(dev),
	    pci_get_subdevice(dev));
	for (i = 0; type != 0 && i < NELEM(vpci_types); i++) {
		if (vpci_types[i].type == type)
			return ((int)i);
	}
	return (-1);
}

/*
 * Claim only the device types this project drives, so that a console,
 * entropy or SCSI function stays with DragonFly's own virtio(4).  Every
 * DragonFly driver probes with the same priority (BUS_PROBE_DEFAULT is
 * 0): whichever driver is registered first keeps the device, see vio_pci(4).
 */
static int
vpci_probe(device_t dev)
{
	int i;

	if ((i = vpci_type_index(dev)) < 0)
		return (ENXIO);
	device_set_desc(dev, vpci_types[i].desc);
	return (BUS_PROBE_DEFAULT);
}

static void
vpci_unmap_bars(struct vpci_softc *sc)
{
	int i;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		if (sc->sc_bar[i] == NULL)
			continue;
		bus_release_resource(sc->sc_dev, sc->sc_bar_type[i],
		    PCIR_BAR(i), sc->sc_bar[i]);
		sc->sc_bar[i] = NULL;
	}
}

/*
 * Map every BAR the function implements: the core decides which of them
 * hold the virtio registers (and checks their sizes), and the MSI-X
 * table BAR must be mapped before vectors are allocated.
 */
static void
vpci_map_bars(struct vpci_softc *sc)
{
	uint32_t val;
	int i, rid, type;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		val = pci_read_config(sc->sc_dev, PCIR_BAR(i), 4);
		type = PCI_BAR_IO(val) ? SYS_RES_IOPORT : SYS_RES_MEMORY;
		rid = PCIR_BAR(i);
		sc->sc_bar_type[i] = type;
		sc->sc_bar[i] = bus_alloc_resource_any(sc->sc_dev, type, &rid,
		    RF_ACTIVE);
		/* The upper half of a 64-bit BAR is not a BAR of its own. */
		if (PCI_BAR_MEM(val) &&
		    (val & PCIM_BAR_MEM_TYPE) == PCIM_BAR_MEM_64)
			i++;
	}
}

static void
vpci_add_sysctls(struct vpci_softc *sc)
{
	struct sysctl_ctx_list *ctx;
	struct sysctl_oid_list *list;

	ctx = device_get_sysctl_ctx(sc->sc_dev);
	list = SYSCTL_CHILDREN(device_get_sysctl_tree(sc->sc_dev));
	SYSCTL_ADD_STRING(ctx, list, OID_AUTO, "transport", CTLFLAG_RD,
	    __DECONST(char *, vpci_vio(sc)->sc_modern ? "modern" : "legacy"),
	    0, "virtio PCI interface in use");
	SYSCTL_ADD_STRING(ctx, list, OID_AUTO, "interrupts", CTLFLAG_RD,
	    __DECONST(char *, vpci_intr_mode_name(sc)), 0,
	    "interrupt delivery: msix, msi or intx");
	SYSCTL_ADD_U64(ctx, list, OID_AUTO, "features", CTLFLAG_RD,
	    &vpci_vio(sc)->sc_features,
	    "feature bits negotiated with the device");
}

static int
vpci_attach(device_t dev)
{
	struct vpci_softc *sc = device_get_softc(dev);
	int error, flags, i;

	sc->sc_dev = dev;
	sc->sc_dmat = bus_get_dma_tag(dev);
	pci_enable_busmaster(dev);
	vpci_map_bars(sc);

	flags = vpci_force_legacy ? VIO_PCI_PREFER_LEGACY : 0;
	error = vio_pci_attach(&sc->sc_core, sc, pci_get_device(dev), flags);
	if (error != 0) {
		device_printf(dev, "no usable virtio PCI interface\n");
		goto fail;
	}
	i = vpci_type_index(dev);
	sc->sc_vecs_wanted = vpci_vectors_wanted(i);
	sc->sc_queues_per_cpu = i >= 0 ? vpci_types[i].per_cpu : 0;
	error = vpci_intr_alloc(sc);
	if (error != 0) {
		device_printf(dev, "cannot allocate an interrupt\n");
		goto fail;
	}
	/* Legacy devices move their configuration when MSI-X is on. */
	vio_pci_set_msix(&sc->sc_core, sc->sc_intr_mode == VIOPCI_INTR_MSIX ?
	    sc->sc_nvecs : 0);
	device_printf(dev, "%s interface, %s interrupts (%d)\n",
	    vpci_vio(sc)->sc_modern ? "modern" : "legacy",
	    vpci_intr_mode_name(sc), sc->sc_nvecs);
	vpci_add_sysctls(sc);

	sc->sc_child = device_add_child(dev, vpci_types[i].child, -1);
	if (sc->sc_child == NULL) {
		error = ENOMEM;
		goto fail;
	}
	/* The child may not be loaded yet: then it attaches when it is. */
	bus_generic_attach(dev);
	return (0);

fail:
	vpci_intr_release(sc);
	vpci_unmap_bars(sc);
	return (error);
}

/*
 * Also run when the child detaches (kldunload), whether or not it
 * stopped the device itself, so that a reloaded driver finds it reset.
 */
static void
vpci_stop(device_t dev, device_t child __unused)
{
	struct vpci_softc *sc = device_get_softc(dev);

	vpci_intr_stop(sc);
	vio_reset(vpci_vio(sc));
	if (sc->sc_vq_sysctl_set) {
		sysctl_ctx_free(&sc->sc_vq_sysctl);
		sc->sc_vq_sysctl_set = false;
	}
}

static int
vpci_detach(device_t dev)
{
	struct vpci_softc *sc = device_get_softc(dev);
	int error;

	if (sc->sc_child != NULL) {
		error = device_delete_child(dev, sc->sc_child);
		if (error != 0)
			return (error);
		sc->sc_child = NULL;
	}
	vpci_stop(dev, NULL);
	vpci_intr_release(sc);
	vpci_unmap_bars(sc);
	return (0);
}

static int
vpci_shutdown(device_t dev)
{
	struct vpci_softc *sc = device_get_softc(dev);

	bus_generic_shutdown(dev);
	/* No DMA into memory the next kernel may own. */
	vio_reset(vpci_vio(sc));
	return (0);
}

static struct vio_softc *
vpci_core(device_t dev, device_t child __unused)
{
	struct vpci_softc *sc = device_get_softc(dev);

	return (vpci_vio(sc));
}

static int
vpci_negotiate(device_t dev, device_t child __unused, uint64_t wanted)
{
	struct vpci_softc *sc = device_get_softc(dev);

	/* The core adds its ring features unless a tunable says no. */
	vpci_vio(sc)->sc_features_off =
	    (vpci_disable_indirect ? VIRTIO_RING_F_INDIRECT_DESC : 0) |
	    (vpci_disable_event_idx ? VIRTIO_RING_F_EVENT_IDX : 0) |
	    (vpci_disable_packed ? VIRTIO_F_RING_PACKED : 0);
	return (vio_attach_start(vpci_vio(sc), wanted));
}

static int
vpci_setup_intr(device_t dev, device_t child __unused, struct vio_vq *vq,
    lwkt_serialize_t slz)
{

	return (vpci_intr_bind(device_get_softc(dev), vq, slz));
}

/* The counters of every queue the child allocated, under vq.N. */
static void
vpci_add_vq_sysctls(struct vpci_softc *sc)
{
	struct vio_softc *vio = vpci_vio(sc);
	struct sysctl_oid_list *list;
	struct sysctl_oid *vqs, *node;
	struct vio_vq *vq;
	char name[8];
	int i;

	sysctl_ctx_init(&sc->sc_vq_sysctl);
	sc->sc_vq_sysctl_set = true;
	vqs = SYSCTL_ADD_NODE(&sc->sc_vq_sysctl,
	    SYSCTL_CHILDREN(device_get_sysctl_tree(sc->sc_dev)), OID_AUTO,
	    "vq", CTLFLAG_RD, 0, "virtqueues");
	if (vqs == NULL)
		return;
	for (i = 0; i < VIO_MAX_VQS; i++) {
		if ((vq = vio->sc_vqs[i]) == NULL)
			continue;
		ksnprintf(name, sizeof(name), "%u", vq->vq_index);
		node = SYSCTL_ADD_NODE(&sc->sc_vq_sysctl, SYSCTL_CHILDREN(vqs),
		    OID_AUTO, name, CTLFLAG_RD, 0, vq->vq_name);
		if (node == NULL)
			continue;
		list = SYSCTL_CHILDREN(node);
		SYSCTL_ADD_U64(&sc->sc_vq_sysctl, list, OID_AUTO, "requests",
		    CTLFLAG_RD, &vq->vq_requests, "requests posted");
		SYSCTL_ADD_U64(&sc->sc_vq_sysctl, list, OID_AUTO, "kicks",
		    CTLFLAG_RD, &vq->vq_kicks, "notifications sent");
		SYSCTL_ADD_U64(&sc->sc_vq_sysctl, list, OID_AUTO, "interrupts",
		    CTLFLAG_RD, &vq->vq_interrupts, "interrupts taken");
	}
}

static int
vpci_driver_ok(device_t dev, device_t child __unused)
{
	struct vpci_softc *sc = device_get_softc(dev);
	int error;

	error = vpci_intr_start(sc);
	if (error != 0)
		return (error);
	error = vio_attach_finish(vpci_vio(sc));
	if (error != 0) {
		vpci_intr_stop(sc);
		return (error);
	}
	vpci_add_vq_sysctls(sc);
	return (0);
}

static device_method_t vpci_methods[] = {
	DEVMETHOD(device_probe,		vpci_probe),
	DEVMETHOD(device_attach,	vpci_attach),
	DEVMETHOD(device_detach,	vpci_detach),
	DEVMETHOD(device_shutdown,	vpci_shutdown),
	DEVMETHOD(device_suspend,	bus_generic_suspend),
	DEVMETHOD(device_resume,	bus_generic_resume),

	DEVMETHOD(bus_driver_added,	bus_generic_driver_added),
	DEVMETHOD(bus_child_detached,	vpci_stop),
	DEVMETHOD(bus_print_child,	bus_generic_print_child),

	DEVMETHOD(vio_bus_core,		vpci_core),
	DEVMETHOD(vio_bus_negotiate,	vpci_negotiate),
	DEVMETHOD(vio_bus_setup_intr,	vpci_setup_intr),
	DEVMETHOD(vio_bus_driver_ok,	vpci_driver_ok),
	DEVMETHOD(vio_bus_stop,		vpci_stop),

	DEVMETHOD_END
};

static driver_t vpci_driver = {
	"vio_pci",
	vpci_methods,
	sizeof(struct vpci_softc)
};

static devclass_t vpci_devclass;

DRIVER_MODULE(vio_pci, pci, vpci_driver, vpci_devclass, NULL, NULL);
MODULE_VERSION(vio_pci, 1);
MODULE_DEPEND(vio_pci, pci, 1, 1, 1);
