/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* Shell commands about the machine itself: mem, halt. */

#include "commands.h"
#include "console.h"
#include "devices.h"
#include "exit.h"
#include "mem.h"
#include "shell.h"

int
cmd_mem(int argc, char **argv)
{

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	printf("mem: total %lu KiB free %lu KiB\n",
	    mem_total_pages() * MINI_PAGE_SIZE / 1024,
	    mem_free_pages() * MINI_PAGE_SIZE / 1024);
	return (CMD_OK);
}

int
cmd_halt(int argc, char **argv)
{
	uint64_t code = 0;

	if (argc > 2 || (argc == 2 && (!parse_u64(argv[1], &code) ||
	    code > 127)))
		return (CMD_USAGE);
	blk_flush_before_exit();
	printf("halt: exit code %lu\n", code);
	mini_exit((int)code);
}
