/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * What the kernel says about itself: the virtio devices and the drivers
 * attached to them (probe), memory and the balloon, sysctl, the kernel
 * linker (kldstat, kldload, kldunload), and halt.
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "sys.h"

#define PROBE_UNITS	8
#define PAGE_KB		4	/* the balloon counts 4 KiB pages */
#define DEBUG_EXIT_PORT	0xf4	/* QEMU's isa-debug-exit */

/*
 * Each virtio device type, with our driver and DragonFly's own: probe
 * reports whichever is attached, so the control row (DragonFly's own
 * drivers loaded instead of ours) is checked the same way.
 */
static const struct {
	const char	*type;
	const char	*drivers[2];
} kinds[] = {
	{ "blk", { "vioblk", "vtblk" } },
	{ "net", { "vioif", "vtnet" } },
	{ "balloon", { "viomb", "vtballoon" } },
};

/* "vio_pci3" -> "dev.vio_pci.3.LEAF" */
static void
device_oid(char *buf, size_t len, const char *dev, const char *leaf)
{
	char drv[32];
	size_t n = strlen(dev);

	while (n > 0 && dev[n - 1] >= '0' && dev[n - 1] <= '9')
		n--;
	if (n >= sizeof(drv))
		n = sizeof(drv) - 1;
	memcpy(drv, dev, n);
	drv[n] = '\0';
	snprintf(buf, len, "dev.%s.%s.%s", drv, dev + n, leaf);
}

/*
 * One line per attached virtio device, in the mini's shape:
 *   NAME TYPE legacy|modern|- features 0xHEX msix|msi|intx|- ok on PARENT
 * Transport, features and interrupts come from vio_pci's sysctls; under
 * DragonFly's own virtio_pci they are not published and print as "-".
 */
int
cmd_probe(int argc, char **argv)
{
	char oid[96], parent[32], transport[16], intr[16];
	uint64_t features;
	size_t k, d;
	int unit, found = 0;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	for (k = 0; k < nitems(kinds); k++) {
		for (d = 0; d < nitems(kinds[k].drivers); d++) {
			for (unit = 0; unit < PROBE_UNITS; unit++) {
				snprintf(oid, sizeof(oid), "dev.%s.%d.%%parent",
				    kinds[k].drivers[d], unit);
				if (!sysctl_str(oid, parent, sizeof(parent)))
					continue;
				device_oid(oid, sizeof(oid), parent,
				    "transport");
				if (!sysctl_str(oid, transport,
				    sizeof(transport)))
					memcpy(transport, "-", 2);
				device_oid(oid, sizeof(oid), parent,
				    "interrupts");
				if (!sysctl_str(oid, intr, sizeof(intr)))
					memcpy(intr, "-", 2);
				device_oid(oid, sizeof(oid), parent,
				    "features");
				if (!sysctl_u64(oid, &features))
					features = 0;
				printf("%s%d %s %s features 0x%lx %s ok on "
				    "%s\n", kinds[k].drivers[d], unit,
				    kinds[k].type, transport, features, intr,
				    parent);
				found++;
			}
		}
	}
	if (found == 0)
		printf("probe: no virtio device has a driver\n");
	return (CMD_OK);
}

int
cmd_mem(int argc, char **argv)
{
	uint64_t pages, free, pagesize;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	if (!sysctl_u64("vm.stats.vm.v_page_count", &pages) ||
	    !sysctl_u64("vm.stats.vm.v_free_count", &free) ||
	    !sysctl_u64("vm.stats.vm.v_page_size", &pagesize)) {
		printf("error: mem: vm.stats sysctls not found\n");
		return (CMD_FAIL);
	}
	printf("mem: total %lu KiB free %lu KiB\n", pages * (pagesize / 1024),
	    free * (pagesize / 1024));
	return (CMD_OK);
}

/* The balloon in 4 KiB pages, by viomb's account or by vtballoon's. */
int
cmd_balloon(int argc, char **argv)
{
	uint64_t target, actual;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	if ((sysctl_u64("hw.viomb.target", &target) &&
	    sysctl_u64("hw.viomb.actual", &actual)) ||
	    (sysctl_u64("dev.vtballoon.0.desired", &target) &&
	    sysctl_u64("dev.vtballoon.0.current", &actual))) {
		printf("balloon: target %lu pages actual %lu pages "
		    "(%lu KiB)\n", target, actual, actual * PAGE_KB);
		return (CMD_OK);
	}
	printf("error: balloon: no balloon driver attached\n");
	return (CMD_FAIL);
}

/*
 * sysctl NAME: strings and integers; a node or an opaque value prints
 * its size and then, if that is a whole number of 64-bit words, the
 * words in decimal, which is how a structure of counters such as
 * net.inet.udp.stats (udps_fullsock is word 7) or kern.boottime (a
 * timespec) can be read.
 * sysctl NAME=N sets an integer (debug.panic=1 panics).
 */
int
cmd_sysctl(int argc, char **argv)
{
	unsigned char buf[1024];
	size_t len = sizeof(buf) - 1, i;
	bool text = true;
	uint64_t v = 0;
	char *eq;
	int r;

	if (argc != 2)
		return (CMD_USAGE);
	for (eq = argv[1]; *eq != '\0' && *eq != '='; eq++)
		continue;
	if (*eq == '=') {
		*eq = '\0';
		if (!parse_u64(eq + 1, &v) || v > 0x7fffffff)
			return (CMD_USAGE);
		r = sysctl_set_int(argv[1], (int)v);
		if (r < 0) {
			printf("error: sysctl %s: %s\n", argv[1], errname(-r));
			return (CMD_FAIL);
		}
		printf("%s: set to %lu\n", argv[1], v);
		return (CMD_OK);
	}
	r = sysctl_get(argv[1], buf, &len);
	if (r < 0) {
		printf("error: sysctl %s: %s\n", argv[1], errname(-r));
		return (CMD_FAIL);
	}
	for (i = 0; i < len; i++)
		if (buf[i] == '\0' ? i + 1 != len :
		    buf[i] < ' ' || buf[i] > '~')
			text = false;
	if ((len == 4 || len == 8) && !(text && buf[len - 1] == '\0')) {
		memcpy(&v, buf, len);
		printf("%s: %lu\n", argv[1], v);
	} else if (text) {
		buf[len] = '\0';
		printf("%s: %s\n", argv[1], (char *)buf);
	} else {
		printf("%s: (%lu bytes)", argv[1], len);
		for (i = 0; len % 8 == 0 && i < len; i += 8) {
			memcpy(&v, buf + i, 8);
			printf(" %lu", v);
		}
		printf("\n");
	}
	return (CMD_OK);
}

int
cmd_kldstat(int argc, char **argv)
{
	struct kld_file_stat st;
	long id;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	printf("Id Refs Address            Size     Name\n");
	for (id = SYSCALL1(SYS_kldnext, 0); id > 0;
	    id = SYSCALL1(SYS_kldnext, id)) {
		memset(&st, 0, sizeof(st));
		st.version = sizeof(st);
		if (SYSCALL2(SYS_kldstat, id, &st) < 0)
			continue;
		printf("%2d %4d %p %-8lx %s\n", st.id, st.refs, st.address,
		    st.size, st.name);
	}
	return (CMD_OK);
}

int
cmd_kldload(int argc, char **argv)
{
	long r;

	if (argc != 2)
		return (CMD_USAGE);
	r = SYSCALL1(SYS_kldload, argv[1]);
	if (r < 0) {
		printf("error: kldload %s: %s\n", argv[1], errname(-r));
		return (CMD_FAIL);
	}
	printf("kldload: %s loaded as id %ld\n", argv[1], r);
	return (CMD_OK);
}

int
cmd_kldunload(int argc, char **argv)
{
	long id, r;

	if (argc != 2)
		return (CMD_USAGE);
	id = SYSCALL1(SYS_kldfind, argv[1]);
	if (id < 0) {
		printf("error: kldunload %s: not loaded (%s)\n", argv[1],
		    errname(-id));
		return (CMD_FAIL);
	}
	r = SYSCALL1(SYS_kldunload, id);
	if (r < 0) {
		printf("error: kldunload %s: %s\n", argv[1], errname(-r));
		return (CMD_FAIL);
	}
	printf("kldunload: %s unloaded\n", argv[1]);
	return (CMD_OK);
}

/*
 * halt: power off (QEMU exits 0).  halt CODE: leave QEMU through its
 * isa-debug-exit port with CODE, which /dev/io lets us reach (QEMU exits
 * with CODE * 2 + 1); without that device, power off.
 */
int
cmd_halt(int argc, char **argv)
{
	uint64_t code = 0;
	uint8_t val;

	if (argc > 2 || (argc == 2 && (!parse_u64(argv[1], &code) ||
	    code > 127)))
		return (CMD_USAGE);
	printf("halt: %lu\n", code);
	console_flush();
	if (code != 0 && SYSCALL3(SYS_open, "/dev/io", O_RDWR, 0) >= 0) {
		val = (uint8_t)code;
		__asm__ volatile("outb %0, %w1" : : "a"(val),
		    "Nd"(DEBUG_EXIT_PORT));
	}
	SYSCALL1(SYS_reboot, RB_HALT | RB_POWEROFF);
	printf("error: halt: reboot(2) returned\n");
	return (CMD_FAIL);
}
