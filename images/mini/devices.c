/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Find the virtio functions on PCI and the virtio-mmio windows the
 * kernel command line names (mmio.h), and bring each up through the core
 * in the order vio.h prescribes, with MSI-X where a PCI function has
 * enough table entries, its INTx line otherwise (a virtio-mmio device
 * has only its line), and polling as the reported last resort.  The
 * kernel command line can force a mode for testing: "intx" or "poll"
 * (QEMU -append).
 */

#include "commands.h"
#include "console.h"
#include "devices.h"
#include "errnum.h"
#include "intr.h"
#include "mem.h"
#include "shell.h"
#include "vio_vq.h"

#define VIRTIO_VENDOR		0x1af4
#define MAX_VDEVS		8

struct msix_entry {
	struct mini_vdev	*vd;
	int			 entry;
};

static struct mini_vdev vdevs[MAX_VDEVS];
static int nvdevs;
static struct msix_entry msix_entries[MAX_VDEVS * MINI_MSIX_MAX];
static int nmsix_entries;

static const struct mini_driver *const drivers[] = {
	&mini_blk_driver,
	&mini_net_driver,
	&mini_balloon_driver,
};

static bool
cmdline_has(const char *word)
{
	const char *p = mem_cmdline();
	size_t n = strlen(word);

	for (; *p != '\0'; p++) {
		if ((p == mem_cmdline() || p[-1] == ' ') &&
		    memcmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return (true);
	}
	return (false);
}

static void
msix_intr(void *arg)
{
	struct msix_entry *me = arg;

	vio_msix_intr(mini_vio(me->vd), (uint16_t)me->entry);
}

static void
line_intr(void *arg)
{

	(void)vio_intr(mini_vio(arg));
}

static void
config_hook(struct vio_softc *sc, void *arg)
{
	struct mini_vdev *vd = arg;
	int q;

	if (vd->drv->config_changed != NULL)
		vd->drv->config_changed(vd);
	/*
	 * A device that asked for a reset raises no queue interrupt
	 * again: run the handlers now so they fail what is in flight.
	 * One CPU, so no queue's handler is running meanwhile.
	 */
	for (q = 0; q < VIO_MAX_VQS; q++)
		if (sc->sc_vqs[q] != NULL && vq_wants_intr(sc->sc_vqs[q]))
			vq_intr(sc->sc_vqs[q]);
}

static int
msix_setup(struct mini_vdev *vd)
{
	int n = pci_msix_count(&vd->pci), i;

	/* One entry for config and at least one for the queues. */
	if (n < 2)
		return (ENXIO);
	if (n > MINI_MSIX_MAX)
		n = MINI_MSIX_MAX;
	if (nmsix_entries + n > (int)nitems(msix_entries))
		return (ENOSPC);
	for (i = 0; i < n; i++) {
		struct msix_entry *me = &msix_entries[nmsix_entries++];

		me->vd = vd;
		me->entry = i;
		vd->msix_vec[i] = intr_alloc_vector(msix_intr, me, false);
		if (vd->msix_vec[i] < 0)
			return (ENOSPC);
	}
	if (pci_msix_enable(&vd->pci, vd->msix_vec, n) != 0)
		return (ENXIO);
	vd->nmsix = n;
	vio_pci_set_msix(&vd->vps, (uint16_t)n);
	return (0);
}

static int
fail(struct mini_vdev *vd, int error, const char *why)
{

	vd->error = error;
	vd->why = why;
	if (mini_vio(vd)->sc_ops != NULL)
		vio_fail(mini_vio(vd));
	return (error);
}

/* MSI-X where the function has enough entries, else its INTx line. */
static enum mini_intr_mode
pci_intr_choose(struct mini_vdev *vd)
{

	pci_enable_busmaster(&vd->pci);
	if (!cmdline_has("intx") && !cmdline_has("poll") &&
	    msix_setup(vd) == 0)
		return (MINI_INTR_MSIX);
	if (!cmdline_has("poll") && vd->pci.irq_pin != 0 &&
	    vd->pci.irq_line != 0 && vd->pci.irq_line != 0xff)
		return (MINI_INTR_INTX);
	return (MINI_INTR_POLL);
}

/* A wired line, INTx or a virtio-mmio window's pin; else polling. */
static void
line_establish(struct mini_vdev *vd)
{
	int pin;

	if (vd->intr == MINI_INTR_INTX) {
		pci_disable_intx(&vd->pci, false);
		pin = vd->pci.irq_line;
	} else if (vd->intr == MINI_INTR_LINE)
		pin = vd->mmio.irq;
	else
		pin = -1;
	if (pin >= 0 && intr_establish_line(pin, line_intr, vd) < 0)
		vd->intr = MINI_INTR_POLL;
	if (vd->intr == MINI_INTR_POLL) {
		if (!cmdline_has("poll"))
			printf("%s: %s: no usable interrupt, polling\n",
			    vd->where, vd->drv->name);
		intr_add_poll(line_intr, vd);
	}
}

static int
attach_one(struct mini_vdev *vd)
{
	struct vio_softc *sc = mini_vio(vd);
	size_t i;
	int error;

	if (vd->is_mmio)
		error = vio_mmio_attach(&vd->vms, vd);
	else
		error = vio_pci_attach(&vd->vps, vd, vd->pci.device, 0);
	if (error != 0)
		return (fail(vd, error, error == ENOENT ?
		    "empty virtio-mmio window" : "transport not usable"));
	for (i = 0; i < nitems(drivers); i++)
		if (drivers[i]->device_type == sc->sc_device_type)
			vd->drv = drivers[i];
	if (vd->drv == NULL)
		return (fail(vd, ENXIO, "no driver"));
	if (vd->is_mmio)
		vd->intr = cmdline_has("poll") ? MINI_INTR_POLL :
		    MINI_INTR_LINE;
	else
		vd->intr = pci_intr_choose(vd);

	error = vio_attach_start(sc, vd->drv->features());
	if (error != 0)
		return (fail(vd, error, "feature negotiation failed"));
	sc->sc_config_change = config_hook;
	sc->sc_child = vd;
	error = vd->drv->attach(vd);
	if (error != 0)
		return (fail(vd, error, vd->why != NULL ? vd->why :
		    "driver attach failed"));
	line_establish(vd);
	error = vio_attach_finish(sc);
	if (error != 0)
		return (fail(vd, error, "device failed DRIVER_OK"));
	vd->attached = true;
	if (vd->drv->start != NULL)
		vd->drv->start(vd);
	return (0);
}

/* PCI functions first, then the virtio-mmio windows (microvm). */
void
devices_attach(void)
{
	static struct pci_dev pdevs[PCI_MAX_DEVICES];
	struct mmio_window windows[MAX_VDEVS];
	struct mini_vdev *vd;
	int n, i;

	n = pci_scan(pdevs, PCI_MAX_DEVICES);
	for (i = 0; i < n && nvdevs < MAX_VDEVS; i++) {
		if (pdevs[i].vendor != VIRTIO_VENDOR ||
		    vio_pci_device_type(pdevs[i].device,
		    pdevs[i].subdevice) == 0)
			continue;
		vd = &vdevs[nvdevs++];
		vd->pci = pdevs[i];
		snprintf(vd->where, sizeof(vd->where), "%02x:%02x.%x",
		    vd->pci.bus, vd->pci.slot, vd->pci.func);
		attach_one(vd);
	}
	n = mmio_scan(windows, MAX_VDEVS - nvdevs);
	for (i = 0; i < n; i++) {
		vd = &vdevs[nvdevs++];
		vd->is_mmio = true;
		vd->mmio = windows[i];
		snprintf(vd->where, sizeof(vd->where), "mmio@%lx",
		    windows[i].base);
		attach_one(vd);
	}
}

struct mini_vdev *
devices_find(uint16_t device_type)
{
	int i;

	for (i = 0; i < nvdevs; i++)
		if (vdevs[i].drv != NULL &&
		    vdevs[i].drv->device_type == device_type &&
		    vdevs[i].attached)
			return (&vdevs[i]);
	return (NULL);
}

bool
devices_usable(struct mini_vdev *vd, const char *what)
{

	if (vd == NULL) {
		printf("error: no %s device attached\n", what);
		return (false);
	}
	if (vio_is_broken(mini_vio(vd))) {
		printf("error: %s device broken: %s\n", what,
		    mini_vio(vd)->sc_broken_why != NULL ?
		    mini_vio(vd)->sc_broken_why : "unknown");
		return (false);
	}
	return (true);
}

static const char *
intr_mode_name(enum mini_intr_mode m)
{

	switch (m) {
	case MINI_INTR_MSIX:
		return ("msix");
	case MINI_INTR_INTX:
		return ("intx");
	case MINI_INTR_LINE:
		return ("line");
	case MINI_INTR_POLL:
		return ("poll");
	default:
		return ("none");
	}
}

int
cmd_probe(int argc, char **argv)
{
	struct mini_vdev *vd;
	struct vio_softc *sc;
	int i;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	for (i = 0; i < nvdevs; i++) {
		vd = &vdevs[i];
		sc = mini_vio(vd);
		printf("%s %s %s features %#lx %s ", vd->where,
		    vd->drv != NULL ? vd->drv->name : "unknown",
		    sc->sc_ops == NULL ? "-" : sc->sc_modern ? "modern" :
		    "legacy", sc->sc_features, intr_mode_name(vd->intr));
		if (vd->attached && !vio_is_broken(sc))
			printf("ok\n");
		else if (vd->attached)
			printf("failed: broken: %s\n", sc->sc_broken_why);
		else
			printf("failed: %s (error %d)\n", vd->why, vd->error);
	}
	printf("probe: %d virtio devices\n", nvdevs);
	return (CMD_OK);
}

int
cmd_stats(int argc, char **argv)
{
	struct vio_softc *sc;
	struct vio_vq *vq;
	int i, q;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	for (i = 0; i < nvdevs; i++) {
		if (!vdevs[i].attached)
			continue;
		sc = mini_vio(&vdevs[i]);
		for (q = 0; q < VIO_MAX_VQS; q++) {
			vq = sc->sc_vqs[q];
			if (vq == NULL)
				continue;
			printf("%s %s q%d: requests %lu kicks %lu interrupts "
			    "%lu\n", vdevs[i].drv->name, vq->vq_name,
			    vq->vq_index, vq->vq_requests, vq->vq_kicks,
			    vq->vq_interrupts);
		}
		printf("%s config: interrupts %lu\n", vdevs[i].drv->name,
		    sc->sc_config_intrs);
	}
	return (CMD_OK);
}
