/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The mini guest: boot, bring up the platform, attach the virtio devices
 * through the shared core, then run the COM1 shell.
 */

#include "console.h"
#include "devices.h"
#include "exit.h"
#include "guest_facts.h"
#include "intr.h"
#include "mem.h"
#include "shell.h"
#include "timer.h"

void	kmain(uint32_t start_info);

void
kmain(uint32_t start_info)
{

	console_init();
	mem_init(start_info);
	timer_init();
	intr_init();
	console_enable_rx_intr();
	printf("mini: %lu MiB free, tsc %lu MHz, cmdline \"%s\"\n",
	    mem_free_pages() * MINI_PAGE_SIZE >> 20,
	    timer_tsc_hz() / 1000000, mem_cmdline());
	devices_attach();
	/* The harness waits for this line before it talks to the shell. */
	printf("%s\n", GUEST_READY_MARKER);
	shell_run();
	mini_exit(0);
}
