/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * gcov: the coverage counters of our modules, as the coverage build's
 * runtime (drivers/dragonfly/vio_gcov) gives them in debug.vio_gcov.NAME,
 * copied to the console for the host (drivers/dragonfly/vio_gcov/gcda.py)
 * to read out of the serial log.  The lines carry their own checksums.
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "sys.h"

/* vio_pci's counters, the largest, take about 60 KiB. */
static char	gcov_buf[1 << 20];

static const char *const gcov_modules[] = {
	"vio_pci", "vioblk", "vioif", "viomb",
};

int
cmd_gcov(int argc, char **argv)
{
	char name[64];
	size_t i, len;
	int dumped = 0, r;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	for (i = 0; i < sizeof(gcov_modules) / sizeof(gcov_modules[0]); i++) {
		snprintf(name, sizeof(name), "debug.vio_gcov.%s",
		    gcov_modules[i]);
		len = sizeof(gcov_buf);
		r = sysctl_get(name, gcov_buf, &len);
		if (r < 0) {
			printf("gcov: %s: %s\n", gcov_modules[i], errname(-r));
			continue;
		}
		/* The text ends with a NUL that is not for the console. */
		if (len > 0 && gcov_buf[len - 1] == '\0')
			len--;
		console_write(gcov_buf, len);
		dumped++;
	}
	printf("gcov: %d modules dumped\n", dumped);
	return (dumped > 0 ? CMD_OK : CMD_FAIL);
}
