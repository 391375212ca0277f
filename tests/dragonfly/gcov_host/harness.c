/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Our gcov runtime and gcc's libgcov over the same counters: the runtime
 * prints its dump (as a sysctl read, then as at unload), and libgcov
 * writes its .gcda, which test_gcov.py compares with what gcda.py makes
 * of the dump.
 */

#include <stdlib.h>

/* libgcov has the real one; ours would clash with it. */
#define __gcov_merge_add	vio_gcov_host_merge_add
#include "vio_gcov.c"

void	__gcov_init(struct gcov_info *);
void	__gcov_dump(void);
int	workload(int);

int
main(int argc, char **argv)
{
	struct gcov_info **gip;
	int i, n;

	n = argc > 1 ? atoi(argv[1]) : 3;
	SET_FOREACH(gip, vio_gcov)
		if (*gip != NULL)
			__gcov_init(*gip);
	for (i = 0; i < n; i++)
		workload(i);
	gcov_load(NULL);
	if (gcov_sysctl(NULL, NULL, 0, &(struct sysctl_req){ 0 }) != 0)
		return (1);
	gcov_unload(NULL);
	fflush(stdout);
	__gcov_dump();
	return (0);
}
