/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include "exit.h"
#include "x86.h"

#define DEBUG_EXIT_PORT	0xf4

void
mini_exit(int code)
{

	intr_off();
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	for (;;)
		__asm__ volatile("hlt");
}
