/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The dfly-virtio Project. */

#include "commands.h"
#include "console.h"
#include "devices.h"
#include "pci.h"
#include "shell.h"

static struct pci_dev pci_devs[PCI_MAX_DEVICES];
static int npci;

void
devices_attach(void)
{
	npci = pci_scan(pci_devs, PCI_MAX_DEVICES);
}

int
cmd_probe(int argc, char **argv)
{
	int i, b;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	for (i = 0; i < npci; i++) {
		struct pci_dev *d = &pci_devs[i];

		printf("%02x:%02x.%x %04x:%04x class %02x%02x irq %u pin %u msix %d\n",
		    d->bus, d->slot, d->func, d->vendor, d->device, d->class,
		    d->subclass, d->irq_line, d->irq_pin, pci_msix_count(d));
		for (b = 0; b < 6; b++)
			if (d->bar_size[b])
				printf("   bar%d %s %lx size %lx\n", b,
				    d->bar_io[b] ? "io" : "mem",
				    d->bar_base[b], d->bar_size[b]);
	}
	return (CMD_OK);
}

int cmd_blk(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_net(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_ping(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_balloon(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_stats(int argc, char **argv) { (void)argc; (void)argv; return 1; }
